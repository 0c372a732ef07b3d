# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Fused loss kernels on logits: softmax + crossentropy (dense and sparse
labels) and sigmoid + binary crossentropy, forward and backward.

Rows are contiguous (rows, classes) buffers, one row per prange task; each
row subtracts its max before exp so nothing overflows.  Wide rows run three C
passes (max, exp + sum, normalise) over a branch-free exp that GCC vectorises;
sums use 16 fixed lanes, so results do not depend on threads.
"""
from cython.parallel cimport prange
from libc.math cimport exp, expf, log, logf, NAN
from libc.stdint cimport int64_t
cimport numpy as cnp

from ._typedefs cimport floating
from . cimport _checks as ck

cnp.import_array()      # the checks use numpy's C API

cdef extern from "_simd.h":
    pass

cdef extern from *:
    """
    #pragma GCC push_options
    /* no FP trap handlers here: lets GCC if-convert the clamps and selects */
    #pragma GCC optimize ("no-trapping-math", "fp-contract=off")
    /* One copy per instruction set (_simd.h), and no FMA contraction, so every
       copy rounds the same way. */
    #include <stdint.h>
    #include <string.h>
    /* Branch-free exp (_fastexp.h) and log1p so the loops over a row vectorise. */
    #include "_fastexp.h"

    /* log1p(e) for 0 <= e <= 1 (the sigmoid crossentropy's e = exp(-|x|)):
       2 atanh(s), s = e / (2 + e) <= 1/3, odd series in s; relative error stays
       small for tiny e because s is. */
    static inline float kb_log1p_unitf(float e) {
        float s = e / (2.0f + e), s2 = s * s;
        float p = 2.0f / 15;
        p = p * s2 + 2.0f / 13;
        p = p * s2 + 2.0f / 11;
        p = p * s2 + 2.0f / 9;
        p = p * s2 + 2.0f / 7;
        p = p * s2 + 2.0f / 5;
        p = p * s2 + 2.0f / 3;
        return s * (p * s2) + 2.0f * s;
    }

    static inline double kb_log1p_unit(double e) {
        double s = e / (2.0 + e), s2 = s * s, p = 2.0 / 35;
        for (int i = 33; i >= 3; i -= 2)
            p = p * s2 + 2.0 / i;
        return s * (p * s2) + 2.0 * s;
    }

    #define KB_LOSS_ROWS(SUF, T, VT, IT, EXP, LOG1P)                                                    \\
    KB_CLONES static void kb_exp_array##SUF(const T *KB_RESTRICT x, T *KB_RESTRICT y, Py_ssize_t n) {   \\
        for (Py_ssize_t j = 0; j < n; j++) y[j] = EXP(x[j]);                                            \\
    }                                                                                                   \\
    KB_CLONES static void kb_log1p_array##SUF(const T *KB_RESTRICT x, T *KB_RESTRICT y, Py_ssize_t n) { \\
        for (Py_ssize_t j = 0; j < n; j++) y[j] = LOG1P(x[j]);                                          \\
    }                                                                                                   \\
    /* Reductions in 16 fixed lanes (two 8-wide vectors, GCC vector extensions):                        \\
       a scalar float max/sum loop does not vectorise without -ffast-math.  Element j                   \\
       always lands in lane j % 16 and lanes combine in a fixed tree, so results                        \\
       depend on neither the thread count nor the instruction set. */                                   \\
    static inline void kb_lanes##SUF(VT a0, VT a1, T *l) {                                              \\
        memcpy(l, &a0, sizeof a0);                                                                      \\
        memcpy(l + 8, &a1, sizeof a1);                                                                  \\
    }                                                                                                   \\
    static inline T kb_tree_sum##SUF(T *l) {                                                            \\
        for (int w = 8; w; w >>= 1)                                                                     \\
            for (int i = 0; i < w; i++) l[i] += l[i + w];                                               \\
        return l[0];                                                                                    \\
    }                                                                                                   \\
    KB_CLONES static T kb_row_max##SUF(const T *KB_RESTRICT x, Py_ssize_t n) {                          \\
        VT a0, a1, v0, v1;                                                                              \\
        IT c;                                                                                           \\
        T l[16], m;                                                                                     \\
        Py_ssize_t j = 0;                                                                               \\
        for (int i = 0; i < 8; i++) a0[i] = x[0];                                                       \\
        a1 = a0;                                                                                        \\
        for (; j + 16 <= n; j += 16) {                                                                  \\
            memcpy(&v0, x + j, sizeof v0);                                                              \\
            memcpy(&v1, x + j + 8, sizeof v1);                                                          \\
            c = v0 > a0;                                                                                \\
            a0 = (VT)(((IT)v0 & c) | ((IT)a0 & ~c));                                                    \\
            c = v1 > a1;                                                                                \\
            a1 = (VT)(((IT)v1 & c) | ((IT)a1 & ~c));                                                    \\
        }                                                                                               \\
        kb_lanes##SUF(a0, a1, l);                                                                       \\
        m = l[0];                                                                                       \\
        for (int i = 1; i < 16; i++) m = l[i] > m ? l[i] : m;                                           \\
        for (; j < n; j++) m = x[j] > m ? x[j] : m;                                                     \\
        return m;                                                                                       \\
    }                                                                                                   \\
    /* e[j] = exp(x[j] - m) into e (or a stack block when e is NULL); returns the sum */                \\
    KB_CLONES static T kb_exp_shift_sum##SUF(const T *KB_RESTRICT x, T m, T *KB_RESTRICT e,             \\
                                             Py_ssize_t n) {                                            \\
        VT a0 = {0}, a1 = {0}, v0, v1;                                                                  \\
        T buf[256], l[16];                                                                              \\
        Py_ssize_t j0 = 0, j = 0, len = 0;                                                              \\
        for (; j0 < n; j0 += 256) {                                                                     \\
            T *KB_RESTRICT b = e ? e + j0 : buf;                                                        \\
            const T *KB_RESTRICT xs = x + j0;                                                           \\
            len = n - j0 < 256 ? n - j0 : 256;                                                          \\
            for (j = 0; j < len; j++) b[j] = EXP(xs[j] - m);                                            \\
            for (j = 0; j + 16 <= len; j += 16) {                                                       \\
                memcpy(&v0, b + j, sizeof v0);                                                          \\
                memcpy(&v1, b + j + 8, sizeof v1);                                                      \\
                a0 += v0;                                                                               \\
                a1 += v1;                                                                               \\
            }                                                                                           \\
        }                                                                                               \\
        kb_lanes##SUF(a0, a1, l);                                                                       \\
        if (n) {                                                                                        \\
            /* the tail of the last block (blocks are multiples of 16) */                               \\
            const T *b = e ? e + (j0 - 256) : buf;                                                      \\
            for (; j < len; j++) l[j & 15] += b[j];                                                     \\
        }                                                                                               \\
        return kb_tree_sum##SUF(l);                                                                     \\
    }                                                                                                   \\
    /* sum(t) into *st, returns sum(t * (x - m)) */                                                     \\
    KB_CLONES static T kb_target_dot##SUF(const T *KB_RESTRICT t, const T *KB_RESTRICT x, T m,          \\
                                          Py_ssize_t n, T *st) {                                        \\
        VT a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0}, t0, t1, x0, x1;                                      \\
        T la[16], lb[16];                                                                               \\
        Py_ssize_t j = 0;                                                                               \\
        for (; j + 16 <= n; j += 16) {                                                                  \\
            memcpy(&t0, t + j, sizeof t0);                                                              \\
            memcpy(&t1, t + j + 8, sizeof t1);                                                          \\
            memcpy(&x0, x + j, sizeof x0);                                                              \\
            memcpy(&x1, x + j + 8, sizeof x1);                                                          \\
            a0 += t0;                                                                                   \\
            a1 += t1;                                                                                   \\
            b0 += t0 * (x0 - m);                                                                        \\
            b1 += t1 * (x1 - m);                                                                        \\
        }                                                                                               \\
        kb_lanes##SUF(a0, a1, la);                                                                      \\
        kb_lanes##SUF(b0, b1, lb);                                                                      \\
        for (; j < n; j++) {                                                                            \\
            la[j & 15] += t[j];                                                                         \\
            lb[j & 15] += t[j] * (x[j] - m);                                                            \\
        }                                                                                               \\
        *st = kb_tree_sum##SUF(la);                                                                     \\
        return kb_tree_sum##SUF(lb);                                                                    \\
    }                                                                                                   \\
    KB_CLONES static void kb_scale_sub##SUF(T *KB_RESTRICT dx, const T *KB_RESTRICT t, T scale, T gr,   \\
                                  Py_ssize_t n) {                                                       \\
        for (Py_ssize_t j = 0; j < n; j++) dx[j] = dx[j] * scale - t[j] * gr;                           \\
    }                                                                                                   \\
    KB_CLONES static void kb_scale##SUF(T *KB_RESTRICT dx, T scale, Py_ssize_t n) {                     \\
        for (Py_ssize_t j = 0; j < n; j++) dx[j] = dx[j] * scale;                                       \\
    }                                                                                                   \\
    /* sigmoid crossentropy on [lo, hi): max(x, 0) - x z + log1p(exp(-|x|)) */                          \\
    KB_CLONES static void kb_sigmoid_ce_fwd##SUF(const T *KB_RESTRICT z, const T *KB_RESTRICT x,        \\
                                       T *KB_RESTRICT out, Py_ssize_t lo, Py_ssize_t hi) {              \\
        for (Py_ssize_t i = lo; i < hi; i++) {                                                          \\
            T v = x[i], a = v < 0 ? -v : v;                                                             \\
            out[i] = (v > 0 ? v : 0) - v * z[i] + LOG1P(EXP(-a));                                       \\
        }                                                                                               \\
    }                                                                                                   \\
    /* (sigmoid(x) - z) g with sigmoid from exp(-|x|) so it never overflows */                          \\
    KB_CLONES static void kb_sigmoid_ce_bwd##SUF(const T *KB_RESTRICT z, const T *KB_RESTRICT x,        \\
                                       const T *KB_RESTRICT g, T *KB_RESTRICT dx,                       \\
                                       Py_ssize_t lo, Py_ssize_t hi) {                                  \\
        for (Py_ssize_t i = lo; i < hi; i++) {                                                          \\
            T v = x[i], a = v < 0 ? -v : v, e = EXP(-a);                                                \\
            dx[i] = ((v >= 0 ? 1 : e) / (1 + e) - z[i]) * g[i];                                         \\
        }                                                                                               \\
    }
    typedef float kb_v8f __attribute__((vector_size(32)));
    typedef int32_t kb_v8i __attribute__((vector_size(32)));
    typedef double kb_v8d __attribute__((vector_size(64)));
    typedef int64_t kb_v8l __attribute__((vector_size(64)));
    KB_LOSS_ROWS(_f, float, kb_v8f, kb_v8i, kb_expf, kb_log1p_unitf)
    KB_LOSS_ROWS(_d, double, kb_v8d, kb_v8l, kb_exp, kb_log1p_unit)
    #pragma GCC pop_options
    """
    float kb_expf(float x) noexcept nogil
    double kb_exp(double x) noexcept nogil
    void kb_exp_array_f(const float *x, float *y, Py_ssize_t n) noexcept nogil
    void kb_log1p_array_f(const float *x, float *y, Py_ssize_t n) noexcept nogil
    float kb_row_max_f(const float *x, Py_ssize_t n) noexcept nogil
    float kb_exp_shift_sum_f(const float *x, float m, float *e, Py_ssize_t n) noexcept nogil
    float kb_target_dot_f(const float *t, const float *x, float m, Py_ssize_t n, float *st) noexcept nogil
    void kb_scale_sub_f(float *dx, const float *t, float scale, float gr, Py_ssize_t n) noexcept nogil
    void kb_scale_f(float *dx, float scale, Py_ssize_t n) noexcept nogil
    void kb_sigmoid_ce_fwd_f(const float *z, const float *x, float *out, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil
    void kb_sigmoid_ce_bwd_f(const float *z, const float *x, const float *g, float *dx, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil
    void kb_exp_array_d(const double *x, double *y, Py_ssize_t n) noexcept nogil
    void kb_log1p_array_d(const double *x, double *y, Py_ssize_t n) noexcept nogil
    double kb_row_max_d(const double *x, Py_ssize_t n) noexcept nogil
    double kb_exp_shift_sum_d(const double *x, double m, double *e, Py_ssize_t n) noexcept nogil
    double kb_target_dot_d(const double *t, const double *x, double m, Py_ssize_t n, double *st) noexcept nogil
    void kb_scale_sub_d(double *dx, const double *t, double scale, double gr, Py_ssize_t n) noexcept nogil
    void kb_scale_d(double *dx, double scale, Py_ssize_t n) noexcept nogil
    void kb_sigmoid_ce_fwd_d(const double *z, const double *x, double *out, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil
    void kb_sigmoid_ce_bwd_d(const double *z, const double *x, const double *g, double *dx, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil


# Elements per prange task of the elementwise sigmoid kernels.
cdef enum:
    CHUNK = 4096


cdef int _check(str op, str name, object a, str ref, tuple want) except -1:
    if a.shape != want:
        raise ValueError(f'{op}: {name} has shape {a.shape}, {ref} {want}')
    return 0


cdef inline floating _log(floating v) noexcept nogil:
    if floating is float:
        return logf(v)
    return log(v)


# Rows narrower than this run scalar loops inline: the vector passes cost a call each
# and their 16-lane loops would not run ((4096, 10) was 1.7x slower through them).
cdef enum:
    NARROW = 16


cdef inline floating _exp1(floating v) noexcept nogil:
    # libm here: scalar, it beats the polynomial (which is not inlined across the
    # optimize pragma)
    if floating is float:
        return expf(v)
    return exp(v)


cdef inline floating _row_max(const floating *x, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j
    cdef floating m = x[0]
    if n >= NARROW:
        if floating is float:
            return kb_row_max_f(x, n)
        return kb_row_max_d(x, n)
    for j in range(1, n):
        if x[j] > m:
            m = x[j]
    return m


cdef inline floating _exp_sum(const floating *x, floating m, floating *e,
                              Py_ssize_t n) noexcept nogil:
    """e[j] = exp(x[j] - m) (e may be NULL for wide rows only); returns the sum."""
    cdef Py_ssize_t j
    cdef floating s = 0, v
    if n >= NARROW:
        if floating is float:
            return kb_exp_shift_sum_f(x, m, e, n)
        return kb_exp_shift_sum_d(x, m, e, n)
    for j in range(n):
        v = _exp1(x[j] - m)
        s = s + v
        if e != NULL:
            e[j] = v
    return s


cdef inline floating _target_dot(const floating *t, const floating *x, floating m,
                                 Py_ssize_t n, floating *st) noexcept nogil:
    """sum(t) into st; returns sum(t * (x - m))."""
    cdef Py_ssize_t j
    cdef floating a = 0, b = 0
    if n >= NARROW:
        if floating is float:
            return kb_target_dot_f(t, x, m, n, st)
        return kb_target_dot_d(t, x, m, n, st)
    for j in range(n):
        a = a + t[j]
        b = b + t[j] * (x[j] - m)
    st[0] = a
    return b


cdef inline void _scale_sub(floating *dx, const floating *t, floating scale, floating gr,
                            Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j
    if n >= NARROW:
        if floating is float:
            kb_scale_sub_f(dx, t, scale, gr, n)
        else:
            kb_scale_sub_d(dx, t, scale, gr, n)
        return
    for j in range(n):
        dx[j] = dx[j] * scale - t[j] * gr


cdef inline void _scale(floating *dx, floating scale, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j
    if n >= NARROW:
        if floating is float:
            kb_scale_f(dx, scale, n)
        else:
            kb_scale_d(dx, scale, n)
        return
    for j in range(n):
        dx[j] = dx[j] * scale


# -- exp / log1p on arrays (the test hooks for the polynomials) ----------------------------

def fast_exp(x, out):
    """out = exp(x) with the kernels' branch-free exp."""
    _unary('fast_exp', x, out, False)


def fast_log1p_unit(x, out):
    """out = log1p(x) for 0 <= x <= 1 (the range the sigmoid loss uses)."""
    _unary('fast_log1p_unit', x, out, True)


cdef int _unary(str op, object x, object out, bint log1p) except -1:
    cdef int t = ck.floats(op, 'x', x, 1)
    ck.array(op, 'out', out, 1, t, True)
    _check(op, 'out', out, 'x has shape', x.shape)
    if x.shape[0] == 0:
        return 0
    if t == cnp.NPY_FLOAT:
        _unary_body[float](x, out, log1p)
    else:
        _unary_body[double](x, out, log1p)
    return 0


cdef int _unary_body(const floating[::1] x, floating[::1] out, bint log1p) except -1:
    if floating is float:
        if log1p:
            kb_log1p_array_f(&x[0], &out[0], x.shape[0])
        else:
            kb_exp_array_f(&x[0], &out[0], x.shape[0])
    else:
        if log1p:
            kb_log1p_array_d(&x[0], &out[0], x.shape[0])
        else:
            kb_exp_array_d(&x[0], &out[0], x.shape[0])
    return 0


# -- softmax crossentropy, dense targets -----------------------------------------------

cdef int _rows_in(str op, str tname, object t, int tcode, object x, list outs,
                  int *dtype) except -1:
    """x (rows, classes) of float32/float64, t (labels or targets) and the
    outputs [(name, array, ndim)] checked; dtype set to x's type number."""
    cdef int dt = ck.floats(op, 'x', x, 2)
    dtype[0] = dt
    if tcode == ck.INT64:
        ck.array(op, tname, t, 1, ck.INT64, False)
        _check(op, tname, t, 'the rows of x are', (x.shape[0],))
    else:
        ck.array(op, tname, t, 2, dt, False)
        _check(op, tname, t, 'x has shape', x.shape)
    for name, a, ndim, written in outs:
        ck.array(op, name, a, ndim, dt, written)
        _check(op, name, a, 'x has shape' if ndim == 2 else 'the rows of x are',
               x.shape if ndim == 2 else (x.shape[0],))
    return 0


def softmax_ce_forward(t, x, loss, n_threads):
    """loss[r] = sum_j t[r, j] * (logsumexp(x[r]) - x[r, j])."""
    op = 'softmax_ce_forward'
    cdef int nt = ck.threads(op, n_threads), dt
    _rows_in(op, 't', t, ck.ANY_FLOAT, x, [('loss', loss, 1, True)], &dt)
    if dt == cnp.NPY_FLOAT:
        _softmax_ce_forward[float](t, x, loss, nt)
    else:
        _softmax_ce_forward[double](t, x, loss, nt)


cdef int _softmax_ce_forward(const floating[:, ::1] t, const floating[:, ::1] x,
                             floating[::1] loss, int n_threads) except -1:
    cdef Py_ssize_t r, rows = x.shape[0], cols = x.shape[1]
    cdef floating m, s, st, stx
    if cols == 0:
        loss[:] = 0
        return 0
    for r in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        m = _row_max(&x[r, 0], cols)
        s = _exp_sum(&x[r, 0], m, <floating *>NULL, cols)
        st = 0                  # assigned here so prange makes it thread-private
        stx = _target_dot(&t[r, 0], &x[r, 0], m, cols, &st)
        loss[r] = st * _log(s) - stx
    return 0


def softmax_ce_backprop(t, x, g, dx, n_threads):
    """dx[r] = (softmax(x[r]) * sum(t[r]) - t[r]) * g[r] (softmax - t for one-hot t)."""
    op = 'softmax_ce_backprop'
    cdef int nt = ck.threads(op, n_threads), dt
    _rows_in(op, 't', t, ck.ANY_FLOAT, x, [('g', g, 1, False), ('dx', dx, 2, True)], &dt)
    if dt == cnp.NPY_FLOAT:
        _softmax_ce_backprop[float](t, x, g, dx, nt)
    else:
        _softmax_ce_backprop[double](t, x, g, dx, nt)


cdef int _softmax_ce_backprop(const floating[:, ::1] t, const floating[:, ::1] x,
                              const floating[::1] g, floating[:, ::1] dx,
                              int n_threads) except -1:
    cdef Py_ssize_t r, rows = x.shape[0], cols = x.shape[1]
    cdef floating m, s, st, gr
    if cols == 0:
        return 0
    for r in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        m = _row_max(&x[r, 0], cols)
        s = _exp_sum(&x[r, 0], m, &dx[r, 0], cols)
        gr = g[r]
        st = 0                  # assigned here so prange makes it thread-private
        _target_dot(&t[r, 0], &x[r, 0], m, cols, &st)
        _scale_sub(&dx[r, 0], &t[r, 0], st * gr / s, gr, cols)
    return 0


# -- softmax crossentropy, integer labels ----------------------------------------------

def sparse_softmax_ce_forward(labels, x, loss, n_threads):
    """loss[r] = logsumexp(x[r]) - x[r, labels[r]]; nan for a label out of range
    (the caller checks labels first)."""
    op = 'sparse_softmax_ce_forward'
    cdef int nt = ck.threads(op, n_threads), dt
    _rows_in(op, 'labels', labels, ck.INT64, x, [('loss', loss, 1, True)], &dt)
    if dt == cnp.NPY_FLOAT:
        _sparse_forward[float](labels, x, loss, nt)
    else:
        _sparse_forward[double](labels, x, loss, nt)


cdef int _sparse_forward(const int64_t[::1] labels, const floating[:, ::1] x,
                         floating[::1] loss, int n_threads) except -1:
    cdef Py_ssize_t r, rows = x.shape[0], cols = x.shape[1]
    cdef int64_t k
    cdef floating m, s
    for r in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        k = labels[r]
        if k < 0 or k >= cols:
            loss[r] = NAN
            continue
        m = _row_max(&x[r, 0], cols)
        s = _exp_sum(&x[r, 0], m, <floating *>NULL, cols)
        loss[r] = _log(s) - (x[r, k] - m)
    return 0


def sparse_softmax_ce_backprop(labels, x, g, dx, n_threads):
    """dx[r] = (softmax(x[r]) - onehot(labels[r])) * g[r]."""
    op = 'sparse_softmax_ce_backprop'
    cdef int nt = ck.threads(op, n_threads), dt
    _rows_in(op, 'labels', labels, ck.INT64, x, [('g', g, 1, False), ('dx', dx, 2, True)],
             &dt)
    if dt == cnp.NPY_FLOAT:
        _sparse_backprop[float](labels, x, g, dx, nt)
    else:
        _sparse_backprop[double](labels, x, g, dx, nt)


cdef int _sparse_backprop(const int64_t[::1] labels, const floating[:, ::1] x,
                          const floating[::1] g, floating[:, ::1] dx,
                          int n_threads) except -1:
    cdef Py_ssize_t r, rows = x.shape[0], cols = x.shape[1]
    cdef int64_t k
    cdef floating m, s
    if cols == 0:
        return 0
    for r in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        k = labels[r]
        m = _row_max(&x[r, 0], cols)
        s = _exp_sum(&x[r, 0], m, &dx[r, 0], cols)
        _scale(&dx[r, 0], g[r] / s, cols)
        if 0 <= k < cols:
            dx[r, k] = dx[r, k] - g[r]
    return 0


# -- sigmoid binary crossentropy --------------------------------------------------------

cdef int _flat_in(str op, object z, object x, list others, int *dtype) except -1:
    """z, x and the others [(name, array, written)]: flat buffers of one float
    dtype and length; dtype set to its type number."""
    cdef int dt = ck.floats(op, 'x', x, 1)
    dtype[0] = dt
    for name, a, written in [('z', z, False)] + others:
        ck.array(op, name, a, 1, dt, written)
        _check(op, name, a, 'x has shape', x.shape)
    return 0


def sigmoid_ce_forward(z, x, out, n_threads):
    """out = max(x, 0) - x * z + log1p(exp(-|x|))."""
    op = 'sigmoid_ce_forward'
    cdef int nt = ck.threads(op, n_threads), dt
    _flat_in(op, z, x, [('out', out, True)], &dt)
    if x.shape[0] == 0:
        return
    if dt == cnp.NPY_FLOAT:
        _sigmoid_forward[float](z, x, out, nt)
    else:
        _sigmoid_forward[double](z, x, out, nt)


cdef int _sigmoid_forward(const floating[::1] z, const floating[::1] x, floating[::1] out,
                          int n_threads) except -1:
    cdef Py_ssize_t c, n = x.shape[0], lo, hi
    for c in prange((n + CHUNK - 1) // CHUNK, nogil=True, schedule='static',
                    num_threads=n_threads):
        lo = c * CHUNK
        hi = min(lo + CHUNK, n)
        if floating is float:
            kb_sigmoid_ce_fwd_f(&z[0], &x[0], &out[0], lo, hi)
        else:
            kb_sigmoid_ce_fwd_d(&z[0], &x[0], &out[0], lo, hi)
    return 0


def sigmoid_ce_backprop(z, x, g, dx, n_threads):
    """dx = (sigmoid(x) - z) * g, sigmoid from exp(-|x|) so it never overflows."""
    op = 'sigmoid_ce_backprop'
    cdef int nt = ck.threads(op, n_threads), dt
    _flat_in(op, z, x, [('g', g, False), ('dx', dx, True)], &dt)
    if x.shape[0] == 0:
        return
    if dt == cnp.NPY_FLOAT:
        _sigmoid_backprop[float](z, x, g, dx, nt)
    else:
        _sigmoid_backprop[double](z, x, g, dx, nt)


cdef int _sigmoid_backprop(const floating[::1] z, const floating[::1] x,
                           const floating[::1] g, floating[::1] dx, int n_threads) except -1:
    cdef Py_ssize_t c, n = x.shape[0], lo, hi
    for c in prange((n + CHUNK - 1) // CHUNK, nogil=True, schedule='static',
                    num_threads=n_threads):
        lo = c * CHUNK
        hi = min(lo + CHUNK, n)
        if floating is float:
            kb_sigmoid_ce_bwd_f(&z[0], &x[0], &g[0], &dx[0], lo, hi)
        else:
            kb_sigmoid_ce_bwd_d(&z[0], &x[0], &g[0], &dx[0], lo, hi)
    return 0
