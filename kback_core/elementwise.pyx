# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Fused elementwise kernels: relu, bias_add (+ relu) and their backward,
dropout with a counter-based mask.

bias kernels see x as (outer, channels, inner): channels_last is
(rows, C, 1), channels_first (N, C, H*W...), so one kernel serves both.
"""
import numpy as np
from cython.parallel cimport prange
from libc.stdint cimport uint64_t, uint32_t
cimport numpy as cnp

from ._typedefs cimport floating
from . cimport _checks as ck

cnp.import_array()      # the checks use numpy's C API


cdef int _check_len(str op, str name, Py_ssize_t got, str ref, Py_ssize_t want) except -1:
    if got != want:
        raise ValueError(f'{op}: {name} has {got} elements, {ref} has {want}')
    return 0


cdef int _check_3d(str op, str name, object a, str ref, object b) except -1:
    if a.shape != b.shape:
        raise ValueError(f'{op}: {name} has shape {a.shape}, {ref} has shape {b.shape}')
    return 0


cdef extern from "_simd.h":
    pass

cdef extern from *:
    """
    /* relu and its mask as bit masks: v & ~(v <= 0) keeps NaN (NaN <= 0 is
       false), as numpy's maximum does; a float ?: is not if-converted by GCC
       under -ftrapping-math, a bit mask vectorises.  The gradient follows:
       g passes where x is not <= 0 (NaN included), so a NaN input gets g. */
    #include <stdint.h>
    #include <string.h>
    static inline float kb_relu1_f(float v) {
        uint32_t b; memcpy(&b, &v, 4); b &= (uint32_t)(v <= 0) - 1u; memcpy(&v, &b, 4); return v;
    }
    static inline double kb_relu1_d(double v) {
        uint64_t b; memcpy(&b, &v, 8); b &= (uint64_t)(v <= 0) - 1u; memcpy(&v, &b, 8); return v;
    }
    static inline float kb_keep1_f(float g, float x) {
        uint32_t b; memcpy(&b, &g, 4); b &= (uint32_t)(x <= 0) - 1u; memcpy(&g, &b, 4); return g;
    }
    static inline double kb_keep1_d(double g, double x) {
        uint64_t b; memcpy(&b, &g, 8); b &= (uint64_t)(x <= 0) - 1u; memcpy(&g, &b, 8); return g;
    }
    #define KB_ELEMENTWISE(S, T)                                                        \
    static void kb_relu_##S(const T *x, T *out, Py_ssize_t n) {                          \
        for (Py_ssize_t i = 0; i < n; i++) out[i] = kb_relu1_##S(x[i]);                  \
    }                                                                                   \
    static void kb_relu_mask_##S(const T *x, const T *g, T *out, Py_ssize_t n) {        \
        for (Py_ssize_t i = 0; i < n; i++) out[i] = kb_keep1_##S(g[i], x[i]);            \
    }                                                                                   \
    /* out = x + b over n values (then relu) */                                         \
    static void kb_bias_relu_##S(const T *KB_RESTRICT x, const T *KB_RESTRICT b,       \
                                 T *KB_RESTRICT out, Py_ssize_t n, Py_ssize_t bstep) {  \
        for (Py_ssize_t i = 0; i < n; i++) out[i] = kb_relu1_##S(x[i] + b[i * bstep]);   \
    }                                                                                   \
    /* dz = g unless y <= 0 over rows [lo, hi) of (rows, ch) buffers; part[c] += dz */ \
    static void kb_relu_mask_rows_##S(const T *KB_RESTRICT y, const T *KB_RESTRICT g,  \
                                      T *KB_RESTRICT dz, double *KB_RESTRICT part,     \
                                      Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t ch) {   \
        for (Py_ssize_t o = lo; o < hi; o++) {                                          \
            const T *yr = y + o * ch, *gr = g + o * ch;                                 \
            T *dr = dz + o * ch;                                                        \
            for (Py_ssize_t c = 0; c < ch; c++) {                                       \
                T v = kb_keep1_##S(gr[c], yr[c]);                                       \
                dr[c] = v;                                                              \
                part[c] += (double)v;                                                   \
            }                                                                           \
        }                                                                               \
    }                                                                                   \
    /* part[c] += g over rows [lo, hi) of a (rows, ch) buffer */                       \
    static void kb_sum_rows_##S(const T *KB_RESTRICT g, double *KB_RESTRICT part,       \
                                Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t ch) {          \
        for (Py_ssize_t o = lo; o < hi; o++) {                                          \
            const T *gr = g + o * ch;                                                   \
            for (Py_ssize_t c = 0; c < ch; c++) part[c] += (double)gr[c];               \
        }                                                                               \
    }                                                                                   \
    /* the same over one plane of n values; returns the sum */                          \
    static double kb_relu_mask_sum_##S(const T *KB_RESTRICT y, const T *KB_RESTRICT g, \
                                       T *KB_RESTRICT dz, Py_ssize_t n) {               \
        double acc = 0;                                                                 \
        for (Py_ssize_t i = 0; i < n; i++) {                                            \
            T v = kb_keep1_##S(g[i], y[i]);                                             \
            dz[i] = v;                                                                  \
            acc += (double)v;                                                           \
        }                                                                               \
        return acc;                                                                     \
    }
    KB_ELEMENTWISE(f, float)
    KB_ELEMENTWISE(d, double)
    """
    void kb_relu_f(const float *x, float *out, Py_ssize_t n) noexcept nogil
    void kb_relu_d(const double *x, double *out, Py_ssize_t n) noexcept nogil
    void kb_relu_mask_f(const float *x, const float *g, float *out, Py_ssize_t n) noexcept nogil
    void kb_relu_mask_d(const double *x, const double *g, double *out, Py_ssize_t n) noexcept nogil
    void kb_bias_relu_f(const float *x, const float *b, float *out, Py_ssize_t n,
                        Py_ssize_t bstep) noexcept nogil
    void kb_bias_relu_d(const double *x, const double *b, double *out, Py_ssize_t n,
                        Py_ssize_t bstep) noexcept nogil
    void kb_relu_mask_rows_f(const float *y, const float *g, float *dz, double *part,
                             Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t ch) noexcept nogil
    void kb_relu_mask_rows_d(const double *y, const double *g, double *dz, double *part,
                             Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t ch) noexcept nogil
    void kb_sum_rows_f(const float *g, double *part, Py_ssize_t lo, Py_ssize_t hi,
                       Py_ssize_t ch) noexcept nogil
    void kb_sum_rows_d(const double *g, double *part, Py_ssize_t lo, Py_ssize_t hi,
                       Py_ssize_t ch) noexcept nogil
    double kb_relu_mask_sum_f(const float *y, const float *g, float *dz,
                              Py_ssize_t n) noexcept nogil
    double kb_relu_mask_sum_d(const double *y, const double *g, double *dz,
                              Py_ssize_t n) noexcept nogil


# -- relu ----------------------------------------------------------------------------

def relu_forward(x, out, n_threads):
    """out = max(x, 0); NaN stays NaN (as numpy's maximum)."""
    op = 'relu_forward'
    cdef int nt = ck.threads(op, n_threads)
    cdef int t = ck.floats(op, 'x', x, 1)
    ck.array(op, 'out', out, 1, t, True)
    if t == cnp.NPY_FLOAT:
        _relu_forward[float](x, out, nt)
    else:
        _relu_forward[double](x, out, nt)


cdef int _relu_forward(const floating[::1] x, floating[::1] out, int nt) except -1:
    cdef Py_ssize_t t, lo, hi, n = x.shape[0]
    _check_len('relu_forward', 'out', out.shape[0], 'x', n)
    if n == 0:
        return 0
    for t in prange(nt, nogil=True, schedule='static', chunksize=1, num_threads=nt):
        lo = n * t // nt
        hi = n * (t + 1) // nt
        if floating is float:
            kb_relu_f(&x[0] + lo, &out[0] + lo, hi - lo)
        else:
            kb_relu_d(&x[0] + lo, &out[0] + lo, hi - lo)
    return 0


def relu_backprop(x, g, out, n_threads):
    """out = g where x > 0 or x is NaN, else 0 (the gradient of relu at x)."""
    op = 'relu_backprop'
    cdef int nt = ck.threads(op, n_threads)
    cdef int t = ck.floats(op, 'x', x, 1)
    ck.array(op, 'g', g, 1, t, False)
    ck.array(op, 'out', out, 1, t, True)
    if t == cnp.NPY_FLOAT:
        _relu_backprop[float](x, g, out, nt)
    else:
        _relu_backprop[double](x, g, out, nt)


cdef int _relu_backprop(const floating[::1] x, const floating[::1] g, floating[::1] out,
                        int nt) except -1:
    cdef Py_ssize_t t, lo, hi, n = x.shape[0]
    _check_len('relu_backprop', 'g', g.shape[0], 'x', n)
    _check_len('relu_backprop', 'out', out.shape[0], 'x', n)
    if n == 0:
        return 0
    for t in prange(nt, nogil=True, schedule='static', chunksize=1, num_threads=nt):
        lo = n * t // nt
        hi = n * (t + 1) // nt
        if floating is float:
            kb_relu_mask_f(&x[0] + lo, &g[0] + lo, &out[0] + lo, hi - lo)
        else:
            kb_relu_mask_d(&x[0] + lo, &g[0] + lo, &out[0] + lo, hi - lo)
    return 0


# -- bias_add and bias_add + relu ------------------------------------------------------

def bias_add_forward(x, bias, out, relu, n_threads):
    """out[o, c, i] = x[o, c, i] + bias[c], then relu when `relu`: one pass."""
    cdef bint r = ck.flag('bias_add_forward', 'relu', relu)
    op = 'bias_add_relu_forward' if r else 'bias_add_forward'
    cdef int nt = ck.threads(op, n_threads)
    cdef int t = ck.floats(op, 'x', x, 3)
    ck.array(op, 'bias', bias, 1, t, False)
    ck.array(op, 'out', out, 3, t, True)
    _check_len(op, 'bias', bias.shape[0], 'the channel axis of x', x.shape[1])
    _check_3d(op, 'out', out, 'x', x)
    if x.size == 0:
        return
    if t == cnp.NPY_FLOAT:
        _bias_forward[float](x, bias, out, r, nt)
    else:
        _bias_forward[double](x, bias, out, r, nt)


cdef int _bias_forward(const floating[:, :, ::1] x, const floating[::1] bias,
                       floating[:, :, ::1] out, bint relu, int n_threads) except -1:
    cdef Py_ssize_t o, c, i, k, outer = x.shape[0], ch = x.shape[1], inner = x.shape[2]
    cdef floating b
    if inner == 1:          # channels last: rows of contiguous channels
        for o in prange(outer, nogil=True, schedule='static', num_threads=n_threads):
            if relu:
                _bias_relu(&x[o, 0, 0], &bias[0], &out[o, 0, 0], ch, 1)
            else:
                _bias_row(&x[o, 0, 0], &bias[0], &out[o, 0, 0], ch)
        return 0
    # One (sample, channel) plane per task: the bias is a scalar inside.
    for k in prange(outer * ch, nogil=True, schedule='static', num_threads=n_threads):
        o = k // ch
        c = k % ch
        if relu:
            _bias_relu(&x[o, c, 0], &bias[c], &out[o, c, 0], inner, 0)
        else:
            b = bias[c]
            for i in range(inner):
                out[o, c, i] = x[o, c, i] + b
    return 0


cdef inline void _bias_row(const floating *x, const floating *b, floating *out,
                           Py_ssize_t n) noexcept nogil:
    # Pointers, not the 3-D view: c is the contiguous index here, and the
    # view's runtime middle stride kept GCC from vectorising the row.
    cdef Py_ssize_t c
    for c in range(n):
        out[c] = x[c] + b[c]


cdef inline void _bias_relu(const floating *x, const floating *b, floating *out,
                            Py_ssize_t n, Py_ssize_t bstep) noexcept nogil:
    if floating is float:
        kb_bias_relu_f(x, b, out, n, bstep)
    else:
        kb_bias_relu_d(x, b, out, n, bstep)


def bias_add_relu_backprop(y, g, dz, db, n_threads):
    """dz = g where y > 0 or y is NaN, else 0; db[c] = sum of dz over o and i: one pass."""
    op = 'bias_add_relu_backprop'
    cdef int nt = ck.threads(op, n_threads)
    cdef int t = ck.floats(op, 'y', y, 3)
    ck.array(op, 'g', g, 3, t, False)
    ck.array(op, 'dz', dz, 3, t, True)
    ck.array(op, 'db', db, 1, t, True)
    _check_3d(op, 'g', g, 'y', y)
    _check_3d(op, 'dz', dz, 'y', y)
    if t == cnp.NPY_FLOAT:
        _bias_backprop[float](op, y, g, dz, db, True, nt)
    else:
        _bias_backprop[double](op, y, g, dz, db, True, nt)


def channel_sum(g, db, n_threads):
    """db[c] = sum of g[o, c, i] over o and i (the gradient of bias_add)."""
    op = 'channel_sum'
    cdef int nt = ck.threads(op, n_threads)
    cdef int t = ck.floats(op, 'g', g, 3)
    ck.array(op, 'db', db, 1, t, True)
    if t == cnp.NPY_FLOAT:
        _bias_backprop[float](op, g, g, None, db, False, nt)
    else:
        _bias_backprop[double](op, g, g, None, db, False, nt)


cdef int _bias_backprop(str op, const floating[:, :, ::1] y, const floating[:, :, ::1] g,
                        floating[:, :, ::1] dz, floating[::1] db, bint mask,
                        int n_threads) except -1:
    """With mask: dz = g unless y <= 0 and db = its channel sums; else db = sums of g."""
    cdef Py_ssize_t outer = g.shape[0], ch = g.shape[1], inner = g.shape[2]
    _check_len(op, 'db', db.shape[0], 'the channel axis of g', ch)
    n_threads = max(1, min(n_threads, <int>max(outer, 1)))
    # Partial sums in double, added up after: one row of channels per thread
    # (channels last) or one per (sample, channel) plane (channels first).
    cdef double[:, ::1] part
    if inner == 1:
        part = np.zeros((n_threads, ch), dtype=np.float64)
        if mask:
            _rows_masked(y, g, dz, part, n_threads)
        else:
            _rows_sum(g, part, n_threads)
    else:
        part = np.zeros((outer, ch), dtype=np.float64)
        _planes_sum(y, g, dz, part, mask, n_threads)
    _sum_parts(part, db)
    return 0


cdef void _sum_parts(const double[:, ::1] part, floating[::1] db) noexcept nogil:
    """db = the column sums of part, rows added in order (no Python per channel)."""
    cdef Py_ssize_t r, c
    cdef double acc
    for c in range(part.shape[1]):
        acc = 0
        for r in range(part.shape[0]):
            acc = acc + part[r, c]
        db[c] = <floating>acc


cdef void _rows_masked(const floating[:, :, ::1] y, const floating[:, :, ::1] g,
                       floating[:, :, ::1] dz, double[:, ::1] part,
                       int n_threads) noexcept nogil:
    cdef Py_ssize_t t, lo, hi, rows = g.shape[0], ch = g.shape[1]
    if rows == 0 or ch == 0:
        return
    for t in prange(n_threads, schedule='static', chunksize=1, num_threads=n_threads):
        lo = rows * t // n_threads
        hi = rows * (t + 1) // n_threads
        if floating is float:
            kb_relu_mask_rows_f(&y[0, 0, 0], &g[0, 0, 0], &dz[0, 0, 0], &part[t, 0], lo, hi, ch)
        else:
            kb_relu_mask_rows_d(&y[0, 0, 0], &g[0, 0, 0], &dz[0, 0, 0], &part[t, 0], lo, hi, ch)


cdef void _rows_sum(const floating[:, :, ::1] g, double[:, ::1] part,
                    int n_threads) noexcept nogil:
    cdef Py_ssize_t t, lo, hi, rows = g.shape[0], ch = g.shape[1]
    if rows == 0 or ch == 0:
        return
    for t in prange(n_threads, schedule='static', chunksize=1, num_threads=n_threads):
        lo = rows * t // n_threads
        hi = rows * (t + 1) // n_threads
        if floating is float:
            kb_sum_rows_f(&g[0, 0, 0], &part[t, 0], lo, hi, ch)
        else:
            kb_sum_rows_d(&g[0, 0, 0], &part[t, 0], lo, hi, ch)


cdef void _planes_sum(const floating[:, :, ::1] y, const floating[:, :, ::1] g,
                      floating[:, :, ::1] dz, double[:, ::1] part, bint mask,
                      int n_threads) noexcept nogil:
    cdef Py_ssize_t o, c, i, k, ch = g.shape[1], inner = g.shape[2]
    cdef double acc
    for k in prange(g.shape[0] * ch, schedule='static', num_threads=n_threads):
        o = k // ch
        c = k % ch
        acc = 0
        if mask and inner > 0:
            if floating is float:
                acc = kb_relu_mask_sum_f(&y[o, c, 0], &g[o, c, 0], &dz[o, c, 0], inner)
            else:
                acc = kb_relu_mask_sum_d(&y[o, c, 0], &g[o, c, 0], &dz[o, c, 0], inner)
        elif not mask:
            for i in range(inner):
                acc = acc + g[o, c, i]
        part[o, c] = acc


# -- dropout -------------------------------------------------------------------------
# SplitMix64 (Steele et al.): element i of a call draws mix(start + (i + 1) * GOLDEN),
# start a hash of (seed, call counter).  Each 64-bit draw gives two 32-bit
# uniforms, so masks depend only on (seed, counter, index), not on threads.

cdef uint64_t _GOLDEN = 0x9E3779B97F4A7C15ULL

cdef inline uint64_t _mix(uint64_t z) noexcept nogil:
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL
    return z ^ (z >> 31)


def stream_start(seed, counter):
    """The per-call start of the SplitMix64 stream for (seed, counter)."""
    ck.unsigned('stream_start', 'seed', seed, 64)
    ck.unsigned('stream_start', 'counter', counter, 64)
    return _stream_start(seed, counter)


cdef uint64_t _stream_start(uint64_t seed, uint64_t counter) noexcept:
    return _mix(_mix(seed) ^ (counter * _GOLDEN + 0x632BE59BD9B4E019ULL))


def dropout_forward(x, out, start, threshold, scale, n_threads):
    """out[i] = x[i] * scale if draw(i) >= threshold else 0 (draws are 32-bit).

    threshold = level * 2**32 (rounded); x of zero size with out of size n
    writes the mask itself (scale or 0)."""
    op = 'dropout_forward'
    cdef int nt = ck.threads(op, n_threads)
    ck.unsigned(op, 'start', start, 64)
    ck.unsigned(op, 'threshold', threshold, 32)
    cdef double s = ck.real(op, 'scale', scale)
    cdef int t = ck.floats(op, 'x', x, 1)
    ck.array(op, 'out', out, 1, t, True)
    if x.shape[0] != 0:
        _check_len(op, 'out', out.shape[0], 'x', x.shape[0])
    if t == cnp.NPY_FLOAT:
        _dropout[float](x, out, start, threshold, s, nt)
    else:
        _dropout[double](x, out, start, threshold, s, nt)


cdef int _dropout(const floating[::1] x, floating[::1] out, uint64_t start,
                  uint32_t threshold, double scale, int n_threads) except -1:
    cdef Py_ssize_t j, i, n = out.shape[0], pairs
    cdef uint64_t h
    cdef uint32_t lo, hi
    cdef floating s = <floating>scale
    cdef bint mask_only = x.shape[0] == 0
    pairs = (n + 1) // 2
    for j in prange(pairs, nogil=True, schedule='static', num_threads=n_threads):
        h = _mix(start + <uint64_t>(j + 1) * _GOLDEN)
        hi = <uint32_t>(h >> 32)
        lo = <uint32_t>h
        i = 2 * j
        if mask_only:
            out[i] = s if hi >= threshold else 0
            if i + 1 < n:
                out[i + 1] = s if lo >= threshold else 0
        else:
            out[i] = x[i] * s if hi >= threshold else 0
            if i + 1 < n:
                out[i + 1] = x[i + 1] * s if lo >= threshold else 0
    return 0
