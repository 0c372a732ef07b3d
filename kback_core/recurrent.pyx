# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Fused recurrent loops: LSTM, GRU (both reset_after modes) and SimpleRNN.

The whole time loop runs here, forward and backward (backpropagation through
time), as cuDNN and oneDNN do: the caller has already multiplied every
timestep's input by the kernel in one GEMM (`xw`, bias included), so each
step is one recurrent GEMM (two for GRU without reset_after) plus one fused
pass over the gates.  Batch rows are independent, so the batch is cut into
one block of rows per thread and each thread runs the whole loop on its
block: one parallel region per call, no barrier per step.

Layout (batch-major, so no transposes): xw (B, T, G) in data order; the
sequences it writes -- out, hs (and cs), gates, extra -- are (B, T, .) in
processing order (reversed data order when `reverse`), as Keras returns
go_backwards outputs.  `mask` (B, T) in data order: a step whose mask is 0
keeps the previous states, and `out` is the state h from a row's first
unmasked step on, zeros before it (Keras's "repeat the previous output").

Saved for the backward (explicit outputs of the forward, never hidden
state): LSTM gates (B, T, 5H) = i, f, g, o, act(c) after their activations;
GRU gates (B, T, 3H) = z, r, hh and extra (B, T, H) = r * h_prev (or, with
reset_after, the recurrent product of the candidate, bias included).  Every
derivative is taken from an activation's output, so nothing is recomputed.

The backward writes dxw (B, T, G) in processing order (for GRU with
reset_after also drec, the gradient of the recurrent product), the recurrent
kernel's gradient du (one GEMM over all steps per block of rows) and the
gradients of the initial states.
"""
from cython.parallel cimport prange
import numpy as np
cimport numpy as cnp

from ._typedefs cimport floating
from ._blas cimport gemm_rm
from . cimport _checks as ck

cnp.import_array()      # the checks use numpy's C API

cdef extern from "_simd.h":
    pass

cdef extern from *:
    """
    #pragma GCC push_options
    /* no FP trap handlers: lets GCC if-convert the selects; no FMA contraction,
       so every ISA copy (_simd.h) rounds the same way */
    #pragma GCC optimize ("no-trapping-math", "fp-contract=off")
    #include <math.h>
    #include "_fastexp.h"

    enum { KB_LINEAR = 0, KB_TANH = 1, KB_SIGMOID = 2, KB_HARD_SIGMOID = 3, KB_RELU = 4 };

    /* float tanh that vectorises: (1 - e) / (1 + e) with e = exp(-2|x|), and
       the odd Taylor series below 1/4, where 1 - e would lose bits. */
    static inline float kb_tanhf(float x) {
        float a = x < 0 ? -x : x, a2 = a * a;
        float e = kb_expf(-2.0f * a);
        float big = (1.0f - e) / (1.0f + e);
        float p = 1382.0f / 155925;
        p = p * a2 - 62.0f / 2835;
        p = p * a2 + 17.0f / 315;
        p = p * a2 - 2.0f / 15;
        p = p * a2 + 1.0f / 3;
        float small = a - a * a2 * p;
        float r = a < 0.25f ? small : big;
        return x < 0 ? -r : r;
    }

    /* float64 runs the tests' finite differences: libm's accuracy there.  The
       activations are inlined into each ISA copy of the row helpers (a call
       would run the baseline build). */
    #define KB_ACTIVATIONS(SUF, T, TANH, EXP)                                                      \\
    static inline __attribute__((always_inline)) void kb_act##SUF(int code, T *KB_RESTRICT x, Py_ssize_t n) {                     \\
        Py_ssize_t j;                                                                              \\
        switch (code) {                                                                            \\
        case KB_TANH: for (j = 0; j < n; j++) x[j] = TANH(x[j]); break;                            \\
        case KB_SIGMOID: for (j = 0; j < n; j++) x[j] = (T)1 / ((T)1 + EXP(-x[j])); break;         \\
        case KB_HARD_SIGMOID:                                                                      \\
            for (j = 0; j < n; j++) {                                                              \\
                T v = x[j] * (T)0.2 + (T)0.5;                                                      \\
                v = v < 0 ? 0 : v;                                                                 \\
                x[j] = v > 1 ? 1 : v;                                                              \\
            }                                                                                      \\
            break;                                                                                 \\
        case KB_RELU: for (j = 0; j < n; j++) x[j] = x[j] <= 0 ? 0 : x[j]; break;                  \\
        default: break;                                                                            \\
        }                                                                                          \\
    }                                                                                              \\
    /* g *= act'(x) where y = act(x), from y */                                                    \\
    static inline __attribute__((always_inline)) void kb_dact##SUF(int code, const T *KB_RESTRICT y, T *KB_RESTRICT g,            \\
                                    Py_ssize_t n) {                                                \\
        Py_ssize_t j;                                                                              \\
        switch (code) {                                                                            \\
        case KB_TANH: for (j = 0; j < n; j++) g[j] = g[j] * ((T)1 - y[j] * y[j]); break;           \\
        case KB_SIGMOID: for (j = 0; j < n; j++) g[j] = g[j] * y[j] * ((T)1 - y[j]); break;        \\
        case KB_HARD_SIGMOID:                                                                      \\
            for (j = 0; j < n; j++) g[j] = (y[j] > 0 && y[j] < 1) ? g[j] * (T)0.2 : 0;             \\
            break;                                                                                 \\
        case KB_RELU: for (j = 0; j < n; j++) g[j] = y[j] > 0 ? g[j] : 0; break;                   \\
        default: break;                                                                            \\
        }                                                                                          \\
    }                                                                                              \\
    /* LSTM step of one row: gt = i, f, g, o, act(c); bx: the input bias */                        \\
    KB_CLONES static void kb_lstm_row##SUF(const T *KB_RESTRICT xw, const T *KB_RESTRICT bx,       \\
            const T *KB_RESTRICT pre, const T *KB_RESTRICT cp, T *KB_RESTRICT gt,                  \\
            T *KB_RESTRICT c, T *KB_RESTRICT h, Py_ssize_t H, int act, int ract) {                 \\
        Py_ssize_t j;                                                                              \\
        for (j = 0; j < 4 * H; j++) gt[j] = (xw[j] + bx[j]) + pre[j];                              \\
        kb_act##SUF(ract, gt, 2 * H);                                                              \\
        kb_act##SUF(act, gt + 2 * H, H);                                                           \\
        kb_act##SUF(ract, gt + 3 * H, H);                                                          \\
        for (j = 0; j < H; j++) {                                                                  \\
            c[j] = gt[H + j] * cp[j] + gt[j] * gt[2 * H + j];                                      \\
            gt[4 * H + j] = c[j];                                                                  \\
        }                                                                                          \\
        kb_act##SUF(act, gt + 4 * H, H);                                                           \\
        for (j = 0; j < H; j++) h[j] = gt[3 * H + j] * gt[4 * H + j];                              \\
    }                                                                                              \\
    /* dp = gradient of the gate pre-activations; dc: in, that of c; out, that of c_prev */        \\
    KB_CLONES static void kb_lstm_back_row##SUF(const T *KB_RESTRICT gt, const T *KB_RESTRICT cp,  \\
            const T *KB_RESTRICT dh, T *KB_RESTRICT dc, T *KB_RESTRICT dp, T *KB_RESTRICT tmp,     \\
            Py_ssize_t H, int act, int ract) {                                                     \\
        Py_ssize_t j;                                                                              \\
        for (j = 0; j < H; j++) {                                                                  \\
            dp[3 * H + j] = dh[j] * gt[4 * H + j];                                                 \\
            tmp[j] = dh[j] * gt[3 * H + j];                                                        \\
        }                                                                                          \\
        kb_dact##SUF(act, gt + 4 * H, tmp, H);                                                     \\
        for (j = 0; j < H; j++) {                                                                  \\
            T d = dc[j] + tmp[j];                                                                  \\
            dp[j] = d * gt[2 * H + j];                                                             \\
            dp[H + j] = d * cp[j];                                                                 \\
            dp[2 * H + j] = d * gt[j];                                                             \\
            dc[j] = d * gt[H + j];                                                                 \\
        }                                                                                          \\
        kb_dact##SUF(ract, gt, dp, 2 * H);                                                         \\
        kb_dact##SUF(act, gt + 2 * H, dp + 2 * H, H);                                              \\
        kb_dact##SUF(ract, gt + 3 * H, dp + 3 * H, H);                                             \\
    }                                                                                              \\
    /* GRU z and r of one row, and rh = r * h_prev (reset before the product) */                   \\
    KB_CLONES static void kb_gru_zr_row##SUF(const T *KB_RESTRICT xw, const T *KB_RESTRICT bx,     \\
            const T *KB_RESTRICT pre, const T *KB_RESTRICT hp, T *KB_RESTRICT gt,                  \\
            T *KB_RESTRICT rh, Py_ssize_t H, int ract) {                                           \\
        Py_ssize_t j;                                                                              \\
        for (j = 0; j < 2 * H; j++) gt[j] = (xw[j] + bx[j]) + pre[j];                              \\
        kb_act##SUF(ract, gt, 2 * H);                                                              \\
        for (j = 0; j < H; j++) rh[j] = gt[H + j] * hp[j];                                         \\
    }                                                                                              \\
    /* GRU candidate hh = act(xw_h + pre) and h = z h_prev + (1 - z) hh */                         \\
    KB_CLONES static void kb_gru_h_row##SUF(const T *KB_RESTRICT xh, const T *KB_RESTRICT bh,      \\
            const T *KB_RESTRICT pre, const T *KB_RESTRICT hp, T *KB_RESTRICT gt,                  \\
            T *KB_RESTRICT h, Py_ssize_t H, int act) {                                             \\
        Py_ssize_t j;                                                                              \\
        for (j = 0; j < H; j++) gt[2 * H + j] = (xh[j] + bh[j]) + pre[j];                          \\
        kb_act##SUF(act, gt + 2 * H, H);                                                           \\
        for (j = 0; j < H; j++) h[j] = gt[j] * hp[j] + ((T)1 - gt[j]) * gt[2 * H + j];             \\
    }                                                                                              \\
    /* GRU with reset_after: pre = h_prev U + recurrent bias; ph keeps its candidate part */       \\
    KB_CLONES static void kb_gru_ra_row##SUF(const T *KB_RESTRICT xw, const T *KB_RESTRICT bx,     \\
            const T *KB_RESTRICT pre, const T *KB_RESTRICT hp, T *KB_RESTRICT gt,                  \\
            T *KB_RESTRICT ph, T *KB_RESTRICT h, Py_ssize_t H, int act, int ract) {                \\
        Py_ssize_t j;                                                                              \\
        for (j = 0; j < 2 * H; j++) gt[j] = (xw[j] + bx[j]) + pre[j];                              \\
        kb_act##SUF(ract, gt, 2 * H);                                                              \\
        for (j = 0; j < H; j++) {                                                                  \\
            ph[j] = pre[2 * H + j];                                                                \\
            gt[2 * H + j] = (xw[2 * H + j] + bx[2 * H + j]) + gt[H + j] * ph[j];                   \\
        }                                                                                          \\
        kb_act##SUF(act, gt + 2 * H, H);                                                           \\
        for (j = 0; j < H; j++) h[j] = gt[j] * hp[j] + ((T)1 - gt[j]) * gt[2 * H + j];             \\
    }                                                                                              \\
    /* GRU backward, first part: dp_z, dp_h and dhp = dh z */                                      \\
    KB_CLONES static void kb_gru_back_zh_row##SUF(const T *KB_RESTRICT gt,                         \\
            const T *KB_RESTRICT hp, const T *KB_RESTRICT dh, T *KB_RESTRICT dp,                   \\
            T *KB_RESTRICT dhp, Py_ssize_t H, int act, int ract) {                                 \\
        Py_ssize_t j;                                                                              \\
        for (j = 0; j < H; j++) {                                                                  \\
            dp[j] = dh[j] * (hp[j] - gt[2 * H + j]);                                               \\
            dp[2 * H + j] = dh[j] * ((T)1 - gt[j]);                                                \\
            dhp[j] = dh[j] * gt[j];                                                                \\
        }                                                                                          \\
        kb_dact##SUF(ract, gt, dp, H);                                                             \\
        kb_dact##SUF(act, gt + 2 * H, dp + 2 * H, H);                                              \\
    }                                                                                              \\
    /* GRU backward, reset before the product: drh = d(r h_prev) */                                \\
    KB_CLONES static void kb_gru_back_r_row##SUF(const T *KB_RESTRICT gt,                          \\
            const T *KB_RESTRICT hp, const T *KB_RESTRICT drh, T *KB_RESTRICT dp,                  \\
            T *KB_RESTRICT dhp, Py_ssize_t H, int ract) {                                          \\
        Py_ssize_t j;                                                                              \\
        for (j = 0; j < H; j++) {                                                                  \\
            dp[H + j] = drh[j] * hp[j];                                                            \\
            dhp[j] = dhp[j] + drh[j] * gt[H + j];                                                  \\
        }                                                                                          \\
        kb_dact##SUF(ract, gt + H, dp + H, H);                                                     \\
    }                                                                                              \\
    /* GRU backward with reset_after: dx (of xw) and drec (of the recurrent product) */            \\
    KB_CLONES static void kb_gru_ra_back_row##SUF(const T *KB_RESTRICT gt,                         \\
            const T *KB_RESTRICT ph, T *KB_RESTRICT dx, T *KB_RESTRICT drec, Py_ssize_t H,         \\
            int ract) {                                                                            \\
        Py_ssize_t j;                                                                              \\
        for (j = 0; j < H; j++) dx[H + j] = dx[2 * H + j] * ph[j];                                 \\
        kb_dact##SUF(ract, gt + H, dx + H, H);                                                     \\
        for (j = 0; j < 2 * H; j++) drec[j] = dx[j];                                               \\
        for (j = 0; j < H; j++) drec[2 * H + j] = dx[2 * H + j] * gt[H + j];                       \\
    }                                                                                              \\
    KB_CLONES static void kb_simple_row##SUF(const T *KB_RESTRICT xw, const T *KB_RESTRICT bx,     \\
            const T *KB_RESTRICT pre, T *KB_RESTRICT h, Py_ssize_t H, int act) {                   \\
        Py_ssize_t j;                                                                              \\
        for (j = 0; j < H; j++) h[j] = (xw[j] + bx[j]) + pre[j];                                   \\
        kb_act##SUF(act, h, H);                                                                    \\
    }                                                                                              \\
    KB_CLONES static void kb_simple_back_row##SUF(const T *KB_RESTRICT h,                          \\
            const T *KB_RESTRICT dh, T *KB_RESTRICT dp, Py_ssize_t H, int act) {                   \\
        Py_ssize_t j;                                                                              \\
        for (j = 0; j < H; j++) dp[j] = dh[j];                                                     \\
        kb_dact##SUF(act, h, dp, H);                                                               \\
    }

    /* acc (n, w) += rows (n, w) at a stride of ld: the bias gradients, one
       running sum per batch row, so no sum depends on the thread count */
    #define KB_ACC_ROWS(SUF, T)                                                                    \\
    KB_CLONES static void kb_acc_rows##SUF(const T *KB_RESTRICT rows, Py_ssize_t ld,               \\
            T *KB_RESTRICT acc, Py_ssize_t n, Py_ssize_t w) {                                      \\
        Py_ssize_t i, j;                                                                           \\
        for (i = 0; i < n; i++)                                                                    \\
            for (j = 0; j < w; j++) acc[i * w + j] += rows[i * ld + j];                            \\
    }
    KB_ACC_ROWS(_f, float)
    KB_ACC_ROWS(_d, double)

    KB_ACTIVATIONS(_f, float, kb_tanhf, kb_expf)
    KB_ACTIVATIONS(_d, double, tanh, exp)
    #pragma GCC pop_options
    """
    float kb_tanhf(float x) noexcept nogil
    void kb_lstm_row_f(const float *xw, const float *bx, const float *pre, const float *cp,
                       float *gt, float *c, float *h, Py_ssize_t H, int act,
                       int ract) noexcept nogil
    void kb_lstm_row_d(const double *xw, const double *bx, const double *pre, const double *cp,
                       double *gt, double *c, double *h, Py_ssize_t H, int act,
                       int ract) noexcept nogil
    void kb_lstm_back_row_f(const float *gt, const float *cp, const float *dh, float *dc, float *dp,
                            float *tmp, Py_ssize_t H, int act, int ract) noexcept nogil
    void kb_lstm_back_row_d(const double *gt, const double *cp, const double *dh, double *dc,
                            double *dp, double *tmp, Py_ssize_t H, int act, int ract) noexcept nogil
    void kb_gru_zr_row_f(const float *xw, const float *bx, const float *pre, const float *hp,
                         float *gt, float *rh, Py_ssize_t H, int ract) noexcept nogil
    void kb_gru_zr_row_d(const double *xw, const double *bx, const double *pre, const double *hp,
                         double *gt, double *rh, Py_ssize_t H, int ract) noexcept nogil
    void kb_gru_h_row_f(const float *xh, const float *bh, const float *pre, const float *hp,
                        float *gt, float *h, Py_ssize_t H, int act) noexcept nogil
    void kb_gru_h_row_d(const double *xh, const double *bh, const double *pre, const double *hp,
                        double *gt, double *h, Py_ssize_t H, int act) noexcept nogil
    void kb_gru_ra_row_f(const float *xw, const float *bx, const float *pre, const float *hp,
                         float *gt, float *ph, float *h, Py_ssize_t H, int act,
                         int ract) noexcept nogil
    void kb_gru_ra_row_d(const double *xw, const double *bx, const double *pre, const double *hp,
                         double *gt, double *ph, double *h, Py_ssize_t H, int act,
                         int ract) noexcept nogil
    void kb_gru_back_zh_row_f(const float *gt, const float *hp, const float *dh, float *dp,
                              float *dhp, Py_ssize_t H, int act, int ract) noexcept nogil
    void kb_gru_back_zh_row_d(const double *gt, const double *hp, const double *dh, double *dp,
                              double *dhp, Py_ssize_t H, int act, int ract) noexcept nogil
    void kb_gru_back_r_row_f(const float *gt, const float *hp, const float *drh, float *dp,
                             float *dhp, Py_ssize_t H, int ract) noexcept nogil
    void kb_gru_back_r_row_d(const double *gt, const double *hp, const double *drh, double *dp,
                             double *dhp, Py_ssize_t H, int ract) noexcept nogil
    void kb_gru_ra_back_row_f(const float *gt, const float *ph, float *dx, float *drec,
                              Py_ssize_t H, int ract) noexcept nogil
    void kb_gru_ra_back_row_d(const double *gt, const double *ph, double *dx, double *drec,
                              Py_ssize_t H, int ract) noexcept nogil
    void kb_simple_row_f(const float *xw, const float *bx, const float *pre, float *h, Py_ssize_t H,
                         int act) noexcept nogil
    void kb_simple_row_d(const double *xw, const double *bx, const double *pre, double *h,
                         Py_ssize_t H, int act) noexcept nogil
    void kb_simple_back_row_f(const float *h, const float *dh, float *dp, Py_ssize_t H,
                              int act) noexcept nogil
    void kb_simple_back_row_d(const double *h, const double *dh, double *dp, Py_ssize_t H,
                              int act) noexcept nogil
    void kb_acc_rows_f(const float *rows, Py_ssize_t ld, float *acc, Py_ssize_t n,
                       Py_ssize_t w) noexcept nogil
    void kb_acc_rows_d(const double *rows, Py_ssize_t ld, double *acc, Py_ssize_t n,
                       Py_ssize_t w) noexcept nogil

# The activations the kernels know, by Keras name; the codes of the C enum above.
ACTIVATIONS = {'linear': 0, 'tanh': 1, 'sigmoid': 2, 'hard_sigmoid': 3, 'relu': 4}

def fast_tanh(x, out):
    """out = the float32 tanh the kernels use (for the accuracy test)."""
    ck.array('fast_tanh', 'x', x, 1, cnp.NPY_FLOAT, False)
    ck.array('fast_tanh', 'out', out, 1, cnp.NPY_FLOAT, True)
    if x.shape[0] != out.shape[0]:
        raise ValueError(f'fast_tanh: x {x.shape} and out {out.shape} differ')
    cdef const float[::1] xv = x
    cdef float[::1] ov = out
    cdef Py_ssize_t j
    for j in range(xv.shape[0]):
        ov[j] = kb_tanhf(xv[j])


# -- argument checks (O(1): flags and shapes) ----------------------------------------------

cdef int _code(str op, str name, object v) except -1:
    if not isinstance(v, str) or v not in ACTIVATIONS:
        raise ValueError(f'{op}: {name} must be one of {sorted(ACTIVATIONS)}, got {v!r}')
    return ACTIVATIONS[v]


cdef int _buf(str op, str name, object a, tuple shape, int t, bint written) except -1:
    """a has exactly `shape`, dtype t, C order (an optional one may be None)."""
    ck.array(op, name, a, len(shape), t, written)
    if tuple(a.shape) != shape:
        raise ValueError(f'{op}: {name} must have shape {shape}, got {tuple(a.shape)}')
    return 0


cdef int _opt(str op, str name, object a, tuple shape, int t) except -1:
    if a is not None:
        _buf(op, name, a, shape, t, False)
    return 0


cdef inline const floating *_ptr(object a, floating kind) noexcept:
    """The data of a checked array, or NULL for None."""
    if a is None:
        return NULL
    return <const floating *>cnp.PyArray_DATA(<cnp.ndarray>a)


cdef inline floating *_wptr(object a, floating kind) noexcept:
    return <floating *>cnp.PyArray_DATA(<cnp.ndarray>a)


cdef tuple _dims(str op, str name, object seq, object u, int gates):
    """(B, T, H, dtype) from the (B, T, .) buffer `name` and the recurrent
    kernel u (H, gates H)."""
    cdef int t = ck.floats(op, 'u', u, 2)
    ck.array(op, name, seq, 3, t, False)
    B, T = seq.shape[0], seq.shape[1]
    H = u.shape[0]
    if u.shape[1] != gates * H:
        raise ValueError(f'{op}: the recurrent kernel must be (units, {gates} * units), got '
                         f'{tuple(u.shape)}')
    if H == 0 or T == 0:
        raise ValueError(f'{op}: needs at least one unit and one timestep, got {T} steps and '
                         f'{H} units')
    if max(B, H * gates, T * H * 5) >= (1 << 31):
        raise ValueError(f'{op}: sizes too large for 32-bit BLAS')
    return B, T, H, t


cdef inline Py_ssize_t _blocks(Py_ssize_t batch, int n_threads) noexcept nogil:
    return max(1, min(batch, n_threads))


# -- the input bias: added inside the row kernels, its gradient summed there ---------------

cdef object _bias_or_zeros(str op, object bias, Py_ssize_t G, int t):
    """The input bias (G,), or zeros: the row kernels always add one."""
    _opt(op, 'bias', bias, (G,), t)
    if bias is None:
        return np.zeros(G, dtype=np.float32 if t == cnp.NPY_FLOAT else np.float64)
    return bias


cdef object _row_sums(str op, str name, object db, Py_ssize_t B, Py_ssize_t G, int t):
    """Per batch row running sums (B, G) for the gradient `db` (or None)."""
    if db is None:
        return None
    _buf(op, name, db, (G,), t, True)
    return np.zeros((B, G), dtype=np.float32 if t == cnp.NPY_FLOAT else np.float64)


cdef void _acc_step(const floating *rows, Py_ssize_t ld, floating *acc, Py_ssize_t n,
                    Py_ssize_t w) noexcept nogil:
    if acc == NULL:
        return
    if floating is float:
        kb_acc_rows_f(rows, ld, acc, n, w)
    else:
        kb_acc_rows_d(rows, ld, acc, n, w)


# -- recurrent dropout: each gate's columns of h_prev U from h_prev times that gate's mask ----

cdef object _rmask(str op, object rmask, Py_ssize_t B, Py_ssize_t H, Py_ssize_t gates, int t):
    """Checks the recurrent dropout masks (B, gates H: gate k's mask in
    columns k H to (k + 1) H, constant over time); returns the (B, H)
    scratch the masked products use."""
    _opt(op, 'rmask', rmask, (B, gates * H), t)
    return np.empty((B, H), dtype=np.float32 if t == cnp.NPY_FLOAT else np.float64)


cdef void _rec_product(const floating *hp, Py_ssize_t ldh, const floating *rm, Py_ssize_t G,
                       const floating *u, Py_ssize_t c0, Py_ssize_t c1, Py_ssize_t nb,
                       Py_ssize_t H, floating *hm, floating *pre, Py_ssize_t W) noexcept nogil:
    """pre[:, c0:c1] = h_prev U[:, c0:c1] over nb rows; with masks rm (nb
    rows of G), each gate's columns from h_prev times its mask (hm: scratch)."""
    cdef Py_ssize_t k, bi, j
    if rm == NULL:
        gemm_rm(False, False, nb, c1 - c0, H, 1, hp, ldh, u + c0, G, 0, pre + c0, W)
        return
    for k in range(c0 // H, c1 // H):
        for bi in range(nb):
            for j in range(H):
                hm[bi * H + j] = hp[bi * ldh + j] * rm[bi * G + k * H + j]
        gemm_rm(False, False, nb, H, H, 1, hm, H, u + k * H, G, 0, pre + k * H, W)


cdef void _rec_grad(const floating *d, Py_ssize_t ldd, const floating *rm, Py_ssize_t G,
                    const floating *u, Py_ssize_t c0, Py_ssize_t c1, Py_ssize_t nb,
                    Py_ssize_t H, floating *tmp, floating *dh) noexcept nogil:
    """dh (nb, H) += d[:, c0:c1] U[:, c0:c1]^T: _rec_product's adjoint in
    h_prev (each gate's part times its mask)."""
    cdef Py_ssize_t k, bi, j
    if rm == NULL:
        gemm_rm(False, True, nb, H, c1 - c0, 1, d + c0, ldd, u + c0, G, 1, dh, H)
        return
    for k in range(c0 // H, c1 // H):
        gemm_rm(False, True, nb, H, H, 1, d + k * H, ldd, u + k * H, G, 0, tmp, H)
        for bi in range(nb):
            for j in range(H):
                dh[bi * H + j] = dh[bi * H + j] + tmp[bi * H + j] * rm[bi * G + k * H + j]


cdef int _du_masked(int t, object h0, object a, object d, object rmask, Py_ssize_t c0,
                    Py_ssize_t c1, object du, int nt) except -1:
    """du[:, c0:c1] from the states each step started from (h0, then a one
    step back) and d, each gate's columns from the states times its mask."""
    if rmask is None:
        return _du(t, h0, a, d, c0, c1 - c0, du, True, nt)
    H = a.shape[2]
    for k in range(c0 // H, c1 // H):
        m = rmask[:, k * H:(k + 1) * H]
        _du(t, np.ascontiguousarray(h0 * m), np.ascontiguousarray(a * m[:, None, :]), d, k * H,
            H, du, True, nt)
    return 0


cdef int _finish_sums(object sums, object db) except -1:
    """db = the row sums added up in batch order (the same at any thread count)."""
    if sums is not None:
        np.add.reduce(sums, axis=0, out=db)
    return 0


# -- the recurrent kernel's gradient: du = sum over steps of h_prev^T d --------------------

# du is summed from this many blocks of batch rows whatever the thread count,
# so its bits do not depend on it (the loops' rows are independent anyway).
cdef Py_ssize_t DU_BLOCKS = 4


cdef void _prev_grad(const floating *h0, const floating *a, const floating *d, Py_ssize_t ldd,
                     floating *parts, Py_ssize_t N, Py_ssize_t B, Py_ssize_t T, Py_ssize_t H,
                     bint shifted, int nt) noexcept nogil:
    """parts[block] (H, N) = a_prev^T d over the block's rows (DU_BLOCKS
    blocks), one GEMM each:
    with `shifted`, a_prev is the state each step started from (h0, then a =
    hs one step back): rows b*T + s - 1 of a pair with rows b*T + s of d, so
    one product over the block's consecutive rows, plus h0 for each row's
    first step, minus the pairs that cross from one row into the next."""
    cdef Py_ssize_t nblk = min(B, DU_BLOCKS), blk, r0, r1, nb
    cdef floating *part
    for blk in prange(nblk, schedule='static', num_threads=nt):
        r0 = blk * B // nblk
        r1 = (blk + 1) * B // nblk
        nb = r1 - r0
        part = parts + blk * H * N
        if not shifted:
            gemm_rm(True, False, H, N, nb * T, 1, a + r0 * T * H, H, d + r0 * T * ldd, ldd, 0,
                    part, N)
            continue
        gemm_rm(True, False, H, N, nb * T - 1, 1, a + r0 * T * H, H, d + (r0 * T + 1) * ldd,
                ldd, 0, part, N)
        gemm_rm(True, False, H, N, nb, 1, h0 + r0 * H, H, d + r0 * T * ldd, T * ldd, 1, part, N)
        if nb > 1:
            gemm_rm(True, False, H, N, nb - 1, -1, a + (r0 * T + T - 1) * H, T * H,
                    d + (r0 + 1) * T * ldd, T * ldd, 1, part, N)


cdef int _du(int t, object h0, object a, object d, Py_ssize_t col, Py_ssize_t N, object du,
             bint shifted, int nt) except -1:
    """du[:, col:col + N] = the gradient of the recurrent kernel's columns
    from d (B, T, G) (see _prev_grad); block partials summed here."""
    B, T, H, G = d.shape[0], d.shape[1], a.shape[2], d.shape[2]
    parts = np.empty((min(B, DU_BLOCKS), H, N), dtype=d.dtype)
    if t == cnp.NPY_FLOAT:
        _prev_grad[float](_ptr(h0, <float>0), _ptr(a, <float>0),
                          _ptr(d, <float>0) + col, G, _wptr(parts, <float>0), N, B, T, H,
                          shifted, nt)
    else:
        _prev_grad[double](_ptr(h0, <double>0), _ptr(a, <double>0),
                           _ptr(d, <double>0) + col, G, _wptr(parts, <double>0), N, B, T, H,
                           shifted, nt)
    du[:, col:col + N] = parts.sum(axis=0) if parts.shape[0] > 1 else parts[0]
    return 0


# -- LSTM ---------------------------------------------------------------------------------

def lstm_forward(xw, u, bias, h0, c0, mask, rmask, out, hs, cs, gates, activation,
                 recurrent_activation, reverse, n_threads):
    """LSTM over T steps: xw (B, T, 4H) = x W; bias (4H,) or None, added to
    xw here (no pass of its own); u (H, 4H); h0, c0 (B, H); mask (B, T) or
    None; rmask (B, 4H) the gates' recurrent dropout masks, or None.  Writes
    out, hs, cs (B, T, H) and gates (B, T, 5H)."""
    op = 'lstm_forward'
    cdef int nt = ck.threads(op, n_threads)
    cdef int act = _code(op, 'activation', activation)
    cdef int ract = _code(op, 'recurrent_activation', recurrent_activation)
    cdef bint rev = ck.flag(op, 'reverse', reverse)
    B, T, H, t = _dims(op, 'xw', xw, u, 4)
    _buf(op, 'xw', xw, (B, T, 4 * H), t, False)
    bx = _bias_or_zeros(op, bias, 4 * H, t)
    _buf(op, 'h0', h0, (B, H), t, False)
    _buf(op, 'c0', c0, (B, H), t, False)
    _opt(op, 'mask', mask, (B, T), t)
    hm = _rmask(op, rmask, B, H, 4, t)
    for name, a in (('out', out), ('hs', hs), ('cs', cs)):
        _buf(op, name, a, (B, T, H), t, True)
    _buf(op, 'gates', gates, (B, T, 5 * H), t, True)
    scratch = np.empty(B * (4 * H + 1), dtype=np.float32 if t == cnp.NPY_FLOAT else np.float64)
    if t == cnp.NPY_FLOAT:
        _lstm_fwd[float](_ptr(xw, <float>0), _ptr(bx, <float>0), _ptr(u, <float>0),
                         _ptr(h0, <float>0),
                         _ptr(c0, <float>0), _ptr(mask, <float>0), _ptr(rmask, <float>0),
                         _wptr(hm, <float>0), _wptr(out, <float>0),
                         _wptr(hs, <float>0), _wptr(cs, <float>0), _wptr(gates, <float>0),
                         _wptr(scratch, <float>0), B, T, H, act, ract, rev, nt)
    else:
        _lstm_fwd[double](_ptr(xw, <double>0), _ptr(bx, <double>0), _ptr(u, <double>0),
                          _ptr(h0, <double>0),
                          _ptr(c0, <double>0), _ptr(mask, <double>0), _ptr(rmask, <double>0),
                          _wptr(hm, <double>0), _wptr(out, <double>0),
                          _wptr(hs, <double>0), _wptr(cs, <double>0), _wptr(gates, <double>0),
                          _wptr(scratch, <double>0), B, T, H, act, ract, rev, nt)


cdef inline bint _keep(const floating *mask, Py_ssize_t b, Py_ssize_t T, Py_ssize_t s,
                       bint rev) noexcept nogil:
    return mask == NULL or mask[b * T + (T - 1 - s if rev else s)] != 0


cdef inline void _copy(const floating *src, floating *dst, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(n):
        dst[j] = src[j]


cdef inline void _fill(floating *dst, floating v, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(n):
        dst[j] = v


cdef inline void _write_out(const floating *h, floating *o, bint seen, Py_ssize_t n) noexcept nogil:
    if seen:
        _copy(h, o, n)
    else:
        _fill(o, <floating>0, n)


cdef void _lstm_fwd(const floating *xw, const floating *bx, const floating *u,
                    const floating *h0, const floating *c0, const floating *mask,
                    const floating *rmask, floating *hm, floating *out, floating *hs,
                    floating *cs, floating *gates, floating *scratch, Py_ssize_t B,
                    Py_ssize_t T, Py_ssize_t H, int act, int ract, bint rev,
                    int nt) noexcept nogil:
    cdef Py_ssize_t nblk = _blocks(B, nt), blk, r0, r1, s, bi, b, td, G = 4 * H, W = G
    cdef const floating *hp
    cdef const floating *cp
    cdef floating *pre
    cdef floating *seen
    cdef Py_ssize_t ldh
    for blk in prange(nblk, schedule='static', num_threads=nt):
        r0 = blk * B // nblk
        r1 = (blk + 1) * B // nblk
        pre = scratch + r0 * W
        seen = scratch + B * W + r0             # per row: has it had an unmasked step
        _fill(seen, <floating>0, r1 - r0)
        for s in range(T):
            td = T - 1 - s if rev else s
            # the state the step starts from: h0, else the rows of the previous step
            hp = h0 + r0 * H if s == 0 else hs + (r0 * T + s - 1) * H
            ldh = H if s == 0 else T * H
            _rec_product(hp, ldh, NULL if rmask == NULL else rmask + r0 * G, G, u, 0, G, r1 - r0,
                         H, hm + r0 * H, pre, W)
            for bi in range(r1 - r0):
                b = r0 + bi
                cp = c0 + b * H if s == 0 else cs + (b * T + s - 1) * H
                if _keep(mask, b, T, s, rev):
                    seen[bi] = 1
                    if floating is float:
                        kb_lstm_row_f(xw + (b * T + td) * G, bx, pre + bi * W, cp,
                                      gates + (b * T + s) * 5 * H, cs + (b * T + s) * H,
                                      hs + (b * T + s) * H, H, act, ract)
                    else:
                        kb_lstm_row_d(xw + (b * T + td) * G, bx, pre + bi * W, cp,
                                      gates + (b * T + s) * 5 * H, cs + (b * T + s) * H,
                                      hs + (b * T + s) * H, H, act, ract)
                else:
                    _copy(hp + bi * ldh, hs + (b * T + s) * H, H)
                    _copy(cp, cs + (b * T + s) * H, H)
                    _fill(gates + (b * T + s) * 5 * H, <floating>0, 5 * H)
                _write_out(hs + (b * T + s) * H, out + (b * T + s) * H,
                           seen[bi] != 0, H)


def lstm_backward(u, h0, c0, mask, rmask, hs, cs, gates, d_out, d_hs, d_cs, dxw, db, du, dh0,
                  dc0, activation, recurrent_activation, reverse, n_threads):
    """Backpropagation through time of lstm_forward: the gradients d_out,
    d_hs, d_cs (B, T, H; each may be None) of its sequences give dxw
    (B, T, 4H, processing order), db (4H,: the input bias's; None: not
    computed), du (H, 4H) and dh0, dc0 (B, H)."""
    op = 'lstm_backward'
    cdef int nt = ck.threads(op, n_threads)
    cdef int act = _code(op, 'activation', activation)
    cdef int ract = _code(op, 'recurrent_activation', recurrent_activation)
    cdef bint rev = ck.flag(op, 'reverse', reverse)
    B, T, H, t = _dims(op, 'hs', hs, u, 4)
    _buf(op, 'h0', h0, (B, H), t, False)
    _buf(op, 'c0', c0, (B, H), t, False)
    _opt(op, 'mask', mask, (B, T), t)
    tmp = _rmask(op, rmask, B, H, 4, t)
    _buf(op, 'hs', hs, (B, T, H), t, False)
    _buf(op, 'cs', cs, (B, T, H), t, False)
    _buf(op, 'gates', gates, (B, T, 5 * H), t, False)
    for name, a in (('d_out', d_out), ('d_hs', d_hs), ('d_cs', d_cs)):
        _opt(op, name, a, (B, T, H), t)
    _buf(op, 'dxw', dxw, (B, T, 4 * H), t, True)
    sums = _row_sums(op, 'db', db, B, 4 * H, t)
    _buf(op, 'du', du, (H, 4 * H), t, True)
    _buf(op, 'dh0', dh0, (B, H), t, True)
    _buf(op, 'dc0', dc0, (B, H), t, True)
    first = _first_steps(mask, B, T, rev)
    scratch = np.empty((B, 2 * H), dtype=np.float32 if t == cnp.NPY_FLOAT else np.float64)
    if t == cnp.NPY_FLOAT:
        _lstm_bwd[float](_ptr(u, <float>0), _ptr(h0, <float>0), _ptr(c0, <float>0),
                         _ptr(mask, <float>0), _ptr(rmask, <float>0), _wptr(tmp, <float>0),
                         _ptr(cs, <float>0), _ptr(gates, <float>0),
                         _ptr(d_out, <float>0), _ptr(d_hs, <float>0), _ptr(d_cs, <float>0),
                         _wptr(dxw, <float>0), <float *>_ptr(sums, <float>0),
                         _wptr(dh0, <float>0), _wptr(dc0, <float>0),
                         _wptr(scratch, <float>0), <const Py_ssize_t *>cnp.PyArray_DATA(first),
                         B, T, H, act, ract, rev, nt)
    else:
        _lstm_bwd[double](_ptr(u, <double>0), _ptr(h0, <double>0), _ptr(c0, <double>0),
                          _ptr(mask, <double>0), _ptr(rmask, <double>0), _wptr(tmp, <double>0),
                          _ptr(cs, <double>0), _ptr(gates, <double>0),
                          _ptr(d_out, <double>0), _ptr(d_hs, <double>0), _ptr(d_cs, <double>0),
                          _wptr(dxw, <double>0), <double *>_ptr(sums, <double>0),
                          _wptr(dh0, <double>0), _wptr(dc0, <double>0),
                          _wptr(scratch, <double>0),
                          <const Py_ssize_t *>cnp.PyArray_DATA(first),
                          B, T, H, act, ract, rev, nt)
    _finish_sums(sums, db)
    _du_masked(t, h0, hs, dxw, rmask, 0, 4 * H, du, nt)


cdef cnp.ndarray _first_steps(object mask, Py_ssize_t B, Py_ssize_t T, bint rev):
    """Per row, the first processing step whose mask is set (T if none): `out`
    is zero before it."""
    cdef cnp.ndarray first = np.zeros(B, dtype=np.intp)
    if mask is None:
        return first
    m = np.asarray(mask)[:, ::-1] if rev else np.asarray(mask)
    kept = m != 0
    first[:] = np.where(kept.any(axis=1), kept.argmax(axis=1), T)
    return first


cdef inline void _add_cotangents(floating *dh, const floating *d_out, const floating *d_hs,
                                 Py_ssize_t at, bint seen, Py_ssize_t H) noexcept nogil:
    cdef Py_ssize_t j
    if d_out != NULL and seen:
        for j in range(H):
            dh[j] = dh[j] + d_out[at + j]
    if d_hs != NULL:
        for j in range(H):
            dh[j] = dh[j] + d_hs[at + j]


cdef void _lstm_bwd(const floating *u, const floating *h0, const floating *c0,
                    const floating *mask, const floating *rmask, floating *tmp,
                    const floating *cs, const floating *gates,
                    const floating *d_out, const floating *d_hs, const floating *d_cs,
                    floating *dxw, floating *sums, floating *dh0, floating *dc0,
                    floating *scratch, const Py_ssize_t *first, Py_ssize_t B, Py_ssize_t T,
                    Py_ssize_t H, int act, int ract, bint rev, int nt) noexcept nogil:
    # dh0 and dc0 carry the running dh, dc of the block's rows; scratch: dh of
    # this step (kept for masked rows) and the row helper's temporary; sums
    # (or NULL) the rows' running bias gradients.
    cdef Py_ssize_t nblk = _blocks(B, nt), blk, r0, r1, s, bi, b, j, G = 4 * H, at
    cdef const floating *cp
    cdef floating *dh
    cdef floating *dc
    cdef floating *cur
    for blk in prange(nblk, schedule='static', num_threads=nt):
        r0 = blk * B // nblk
        r1 = (blk + 1) * B // nblk
        _fill(dh0 + r0 * H, <floating>0, (r1 - r0) * H)
        _fill(dc0 + r0 * H, <floating>0, (r1 - r0) * H)
        for s in range(T - 1, -1, -1):
            for bi in range(r1 - r0):
                b = r0 + bi
                at = (b * T + s) * H
                dh = dh0 + b * H
                dc = dc0 + b * H
                cur = scratch + b * 2 * H
                _copy(dh, cur, H)
                _add_cotangents(cur, d_out, d_hs, at, s >= first[b], H)
                if d_cs != NULL:
                    for j in range(H):
                        dc[j] = dc[j] + d_cs[at + j]
                if _keep(mask, b, T, s, rev):
                    cp = c0 + b * H if s == 0 else cs + at - H
                    if floating is float:
                        kb_lstm_back_row_f(gates + (b * T + s) * 5 * H, cp, cur, dc,
                                           dxw + (b * T + s) * G, cur + H, H, act, ract)
                    else:
                        kb_lstm_back_row_d(gates + (b * T + s) * 5 * H, cp, cur, dc,
                                           dxw + (b * T + s) * G, cur + H, H, act, ract)
                    _fill(dh, <floating>0, H)
                else:
                    _fill(dxw + (b * T + s) * G, <floating>0, G)
                    _copy(cur, dh, H)
            # dh_prev (+)= dxw_s U^T; masked rows add zeros to the dh they carry
            _rec_grad(dxw + (r0 * T + s) * G, T * G, NULL if rmask == NULL else rmask + r0 * G,
                      G, u, 0, G, r1 - r0, H, tmp + r0 * H, dh0 + r0 * H)
            _acc_step(dxw + (r0 * T + s) * G, T * G, NULL if sums == NULL else sums + r0 * G,
                      r1 - r0, G)


# -- GRU ----------------------------------------------------------------------------------

def gru_forward(xw, u, bias, brec, h0, mask, rmask, out, hs, gates, extra, activation,
                recurrent_activation, reset_after, reverse, n_threads):
    """GRU over T steps: xw (B, T, 3H) = x W; bias (3H,) the input bias or
    None, added to xw here; u (H, 3H); brec
    (3H,) the recurrent bias of reset_after (or None); h0 (B, H); mask (B, T)
    or None.  Writes out, hs (B, T, H), gates (B, T, 3H) and extra (B, T, H)."""
    op = 'gru_forward'
    cdef int nt = ck.threads(op, n_threads)
    cdef int act = _code(op, 'activation', activation)
    cdef int ract = _code(op, 'recurrent_activation', recurrent_activation)
    cdef bint ra = ck.flag(op, 'reset_after', reset_after)
    cdef bint rev = ck.flag(op, 'reverse', reverse)
    B, T, H, t = _dims(op, 'xw', xw, u, 3)
    _buf(op, 'xw', xw, (B, T, 3 * H), t, False)
    bx = _bias_or_zeros(op, bias, 3 * H, t)
    _opt(op, 'brec', brec, (3 * H,), t)
    if brec is not None and not ra:
        raise ValueError(f'{op}: a recurrent bias needs reset_after')
    _buf(op, 'h0', h0, (B, H), t, False)
    _opt(op, 'mask', mask, (B, T), t)
    hm = _rmask(op, rmask, B, H, 3, t)
    for name, a in (('out', out), ('hs', hs), ('extra', extra)):
        _buf(op, name, a, (B, T, H), t, True)
    _buf(op, 'gates', gates, (B, T, 3 * H), t, True)
    scratch = np.empty(B * (3 * H + 1), dtype=np.float32 if t == cnp.NPY_FLOAT else np.float64)
    if t == cnp.NPY_FLOAT:
        _gru_fwd[float](_ptr(xw, <float>0), _ptr(bx, <float>0), _ptr(u, <float>0),
                        _ptr(brec, <float>0),
                        _ptr(h0, <float>0), _ptr(mask, <float>0), _ptr(rmask, <float>0),
                        _wptr(hm, <float>0), _wptr(out, <float>0),
                        _wptr(hs, <float>0), _wptr(gates, <float>0), _wptr(extra, <float>0),
                        _wptr(scratch, <float>0), B, T, H, act, ract, ra, rev, nt)
    else:
        _gru_fwd[double](_ptr(xw, <double>0), _ptr(bx, <double>0), _ptr(u, <double>0),
                         _ptr(brec, <double>0),
                         _ptr(h0, <double>0), _ptr(mask, <double>0), _ptr(rmask, <double>0),
                         _wptr(hm, <double>0), _wptr(out, <double>0),
                         _wptr(hs, <double>0), _wptr(gates, <double>0),
                         _wptr(extra, <double>0), _wptr(scratch, <double>0), B, T, H, act,
                         ract, ra, rev, nt)


cdef void _gru_fwd(const floating *xw, const floating *bx, const floating *u,
                   const floating *brec, const floating *h0, const floating *mask,
                   const floating *rmask, floating *hm, floating *out, floating *hs,
                   floating *gates, floating *extra, floating *scratch, Py_ssize_t B,
                   Py_ssize_t T, Py_ssize_t H, int act, int ract, bint ra, bint rev,
                   int nt) noexcept nogil:
    cdef Py_ssize_t nblk = _blocks(B, nt), blk, r0, r1, s, bi, b, td, j
    cdef Py_ssize_t G = 3 * H, W = G, at
    cdef const floating *hp
    cdef const floating *hr         # the h_prev rows the reset gate scales (masked or not)
    cdef const floating *rm
    cdef floating *pre
    cdef floating *seen
    cdef Py_ssize_t ldh, ldr
    for blk in prange(nblk, schedule='static', num_threads=nt):
        r0 = blk * B // nblk
        r1 = (blk + 1) * B // nblk
        pre = scratch + r0 * W
        seen = scratch + B * W + r0
        _fill(seen, <floating>0, r1 - r0)
        for s in range(T):
            td = T - 1 - s if rev else s
            # the state the step starts from: h0, else the rows of the previous step
            hp = h0 + r0 * H if s == 0 else hs + (r0 * T + s - 1) * H
            ldh = H if s == 0 else T * H
            # z and r (and, with reset_after, the candidate's product too)
            rm = NULL if rmask == NULL else rmask + r0 * G
            _rec_product(hp, ldh, rm, G, u, 0, G if ra else 2 * H, r1 - r0, H, hm + r0 * H,
                         pre, W)
            hr, ldr = hp, ldh
            if rm != NULL and not ra:
                # the candidate's product reads r times h_prev times its own mask
                for bi in range(r1 - r0):
                    for j in range(H):
                        hm[(r0 + bi) * H + j] = hp[bi * ldh + j] * rm[bi * G + 2 * H + j]
                hr, ldr = hm + r0 * H, H
            for bi in range(r1 - r0):
                b = r0 + bi
                at = (b * T + s) * H
                if not _keep(mask, b, T, s, rev):
                    continue
                if ra:
                    if brec != NULL:
                        for j in range(G):
                            pre[bi * W + j] = pre[bi * W + j] + brec[j]
                    if floating is float:
                        kb_gru_ra_row_f(xw + (b * T + td) * G, bx, pre + bi * W,
                                        hp + bi * ldh,
                                        gates + (b * T + s) * G, extra + at, hs + at, H, act,
                                        ract)
                    else:
                        kb_gru_ra_row_d(xw + (b * T + td) * G, bx, pre + bi * W,
                                        hp + bi * ldh,
                                        gates + (b * T + s) * G, extra + at, hs + at, H, act,
                                        ract)
                elif floating is float:
                    kb_gru_zr_row_f(xw + (b * T + td) * G, bx, pre + bi * W, hr + bi * ldr,
                                    gates + (b * T + s) * G, extra + at, H, ract)
                else:
                    kb_gru_zr_row_d(xw + (b * T + td) * G, bx, pre + bi * W, hr + bi * ldr,
                                    gates + (b * T + s) * G, extra + at, H, ract)
            if not ra:
                # the candidate's product of the reset state; masked rows' extra
                # is zeroed first so their (unused) product reads defined values
                for bi in range(r1 - r0):
                    if not _keep(mask, r0 + bi, T, s, rev):
                        _fill(extra + ((r0 + bi) * T + s) * H, <floating>0, H)
                gemm_rm(False, False, r1 - r0, H, H, 1, extra + (r0 * T + s) * H, T * H,
                        u + 2 * H, G, 0, pre, W)
            for bi in range(r1 - r0):
                b = r0 + bi
                at = (b * T + s) * H
                if _keep(mask, b, T, s, rev):
                    seen[bi] = 1
                    if not ra:
                        if floating is float:
                            kb_gru_h_row_f(xw + (b * T + td) * G + 2 * H, bx + 2 * H,
                                           pre + bi * W,
                                           hp + bi * ldh, gates + (b * T + s) * G, hs + at, H,
                                           act)
                        else:
                            kb_gru_h_row_d(xw + (b * T + td) * G + 2 * H, bx + 2 * H,
                                           pre + bi * W,
                                           hp + bi * ldh, gates + (b * T + s) * G, hs + at, H,
                                           act)
                else:
                    _copy(hp + bi * ldh, hs + at, H)
                    _fill(gates + (b * T + s) * G, <floating>0, G)
                    _fill(extra + at, <floating>0, H)
                _write_out(hs + at, out + at, seen[bi] != 0, H)


def gru_backward(u, h0, mask, rmask, hs, gates, extra, d_out, d_hs, dxw, drec, db, dbrec, du,
                 dh0, activation, recurrent_activation, reset_after, reverse, n_threads):
    """Backpropagation through time of gru_forward: dxw (B, T, 3H, processing
    order), drec (B, T, 3H: the gradient of h_prev U + brec; reset_after only,
    else None), db (3H,: the input bias's) and dbrec (3H,: the recurrent
    bias's, reset_after only), each None when not wanted, du (H, 3H) and dh0
    (B, H)."""
    op = 'gru_backward'
    cdef int nt = ck.threads(op, n_threads)
    cdef int act = _code(op, 'activation', activation)
    cdef int ract = _code(op, 'recurrent_activation', recurrent_activation)
    cdef bint ra = ck.flag(op, 'reset_after', reset_after)
    cdef bint rev = ck.flag(op, 'reverse', reverse)
    B, T, H, t = _dims(op, 'hs', hs, u, 3)
    _buf(op, 'h0', h0, (B, H), t, False)
    _opt(op, 'mask', mask, (B, T), t)
    tmp = _rmask(op, rmask, B, H, 3, t)
    for name, a in (('hs', hs), ('extra', extra)):
        _buf(op, name, a, (B, T, H), t, False)
    _buf(op, 'gates', gates, (B, T, 3 * H), t, False)
    for name, a in (('d_out', d_out), ('d_hs', d_hs)):
        _opt(op, name, a, (B, T, H), t)
    _buf(op, 'dxw', dxw, (B, T, 3 * H), t, True)
    if ra:
        _buf(op, 'drec', drec, (B, T, 3 * H), t, True)
    elif drec is not None or dbrec is not None:
        raise ValueError(f'{op}: drec and dbrec are written with reset_after only; pass None')
    sums = _row_sums(op, 'db', db, B, 3 * H, t)
    rsums = _row_sums(op, 'dbrec', dbrec, B, 3 * H, t)
    _buf(op, 'du', du, (H, 3 * H), t, True)
    _buf(op, 'dh0', dh0, (B, H), t, True)
    first = _first_steps(mask, B, T, rev)
    scratch = np.empty((B, 2 * H), dtype=np.float32 if t == cnp.NPY_FLOAT else np.float64)
    if t == cnp.NPY_FLOAT:
        _gru_bwd[float](_ptr(u, <float>0), _ptr(h0, <float>0), _ptr(mask, <float>0),
                        _ptr(rmask, <float>0), _wptr(tmp, <float>0), _ptr(hs, <float>0),
                        _ptr(gates, <float>0), _ptr(extra, <float>0),
                        _ptr(d_out, <float>0), _ptr(d_hs, <float>0), _wptr(dxw, <float>0),
                        <float *>_ptr(drec, <float>0), <float *>_ptr(sums, <float>0),
                        <float *>_ptr(rsums, <float>0), _wptr(dh0, <float>0),
                        _wptr(scratch, <float>0), <const Py_ssize_t *>cnp.PyArray_DATA(first),
                        B, T, H, act, ract, ra, rev, nt)
    else:
        _gru_bwd[double](_ptr(u, <double>0), _ptr(h0, <double>0), _ptr(mask, <double>0),
                         _ptr(rmask, <double>0), _wptr(tmp, <double>0), _ptr(hs, <double>0),
                         _ptr(gates, <double>0), _ptr(extra, <double>0),
                         _ptr(d_out, <double>0), _ptr(d_hs, <double>0),
                         _wptr(dxw, <double>0), <double *>_ptr(drec, <double>0),
                         <double *>_ptr(sums, <double>0), <double *>_ptr(rsums, <double>0),
                         _wptr(dh0, <double>0), _wptr(scratch, <double>0),
                         <const Py_ssize_t *>cnp.PyArray_DATA(first),
                         B, T, H, act, ract, ra, rev, nt)
    _finish_sums(sums, db)
    _finish_sums(rsums, dbrec)
    if ra:
        _du_masked(t, h0, hs, drec, rmask, 0, 3 * H, du, nt)
    else:
        _du_masked(t, h0, hs, dxw, rmask, 0, 2 * H, du, nt)
        _du(t, h0, extra, dxw, 2 * H, H, du, False, nt)     # extra = r h_prev (masked)


cdef void _gru_bwd(const floating *u, const floating *h0, const floating *mask,
                   const floating *rmask, floating *tmp, const floating *hs,
                   const floating *gates, const floating *extra,
                   const floating *d_out, const floating *d_hs, floating *dxw,
                   floating *drec, floating *sums, floating *rsums, floating *dh0,
                   floating *scratch, const Py_ssize_t *first,
                   Py_ssize_t B, Py_ssize_t T, Py_ssize_t H, int act, int ract, bint ra,
                   bint rev, int nt) noexcept nogil:
    # dh0 carries the block rows' running dh; scratch: this step's dh and d(r h_prev).
    cdef Py_ssize_t nblk = _blocks(B, nt), blk, r0, r1, s, bi, b, j, G = 3 * H, at
    cdef const floating *hp
    cdef const floating *rm
    cdef floating *dh
    cdef floating *cur
    cdef floating *drh
    for blk in prange(nblk, schedule='static', num_threads=nt):
        r0 = blk * B // nblk
        r1 = (blk + 1) * B // nblk
        _fill(dh0 + r0 * H, <floating>0, (r1 - r0) * H)
        rm = NULL if rmask == NULL else rmask + r0 * G
        for s in range(T - 1, -1, -1):
            for bi in range(r1 - r0):
                b = r0 + bi
                at = (b * T + s) * H
                dh = dh0 + b * H
                cur = scratch + b * 2 * H
                _copy(dh, cur, H)
                _add_cotangents(cur, d_out, d_hs, at, s >= first[b], H)
                if _keep(mask, b, T, s, rev):
                    hp = h0 + b * H if s == 0 else hs + at - H
                    # dh <- dh z; dxw_z, dxw_h
                    if floating is float:
                        kb_gru_back_zh_row_f(gates + (b * T + s) * G, hp, cur,
                                             dxw + (b * T + s) * G, dh, H, act, ract)
                    else:
                        kb_gru_back_zh_row_d(gates + (b * T + s) * G, hp, cur,
                                             dxw + (b * T + s) * G, dh, H, act, ract)
                    if ra:
                        if floating is float:
                            kb_gru_ra_back_row_f(gates + (b * T + s) * G, extra + at,
                                                 dxw + (b * T + s) * G,
                                                 drec + (b * T + s) * G, H, ract)
                        else:
                            kb_gru_ra_back_row_d(gates + (b * T + s) * G, extra + at,
                                                 dxw + (b * T + s) * G,
                                                 drec + (b * T + s) * G, H, ract)
                else:
                    _fill(dxw + (b * T + s) * G, <floating>0, G)
                    if ra:
                        _fill(drec + (b * T + s) * G, <floating>0, G)
                    _copy(cur, dh, H)
            if ra:
                _rec_grad(drec + (r0 * T + s) * G, T * G, rm, G, u, 0, G, r1 - r0, H,
                          tmp + r0 * H, dh0 + r0 * H)
                _acc_step(dxw + (r0 * T + s) * G, T * G,
                          NULL if sums == NULL else sums + r0 * G, r1 - r0, G)
                _acc_step(drec + (r0 * T + s) * G, T * G,
                          NULL if rsums == NULL else rsums + r0 * G, r1 - r0, G)
                continue
            # d(r h_prev) = dxw_h U_h^T, then dxw_r and dh += d(r h_prev) r
            gemm_rm(False, True, r1 - r0, H, H, 1, dxw + (r0 * T + s) * G + 2 * H, T * G,
                    u + 2 * H, G, 0, scratch + r0 * 2 * H + H, 2 * H)
            for bi in range(r1 - r0):
                b = r0 + bi
                at = (b * T + s) * H
                if not _keep(mask, b, T, s, rev):
                    continue
                hp = h0 + b * H if s == 0 else hs + at - H
                drh = scratch + b * 2 * H + H
                if rm != NULL:          # the product read r h_prev times the mask
                    for j in range(H):
                        drh[j] = drh[j] * rm[bi * G + 2 * H + j]
                if floating is float:
                    kb_gru_back_r_row_f(gates + (b * T + s) * G, hp, drh, dxw + (b * T + s) * G,
                                        dh0 + b * H, H, ract)
                else:
                    kb_gru_back_r_row_d(gates + (b * T + s) * G, hp, drh, dxw + (b * T + s) * G,
                                        dh0 + b * H, H, ract)
            _rec_grad(dxw + (r0 * T + s) * G, T * G, rm, G, u, 0, 2 * H, r1 - r0, H,
                      tmp + r0 * H, dh0 + r0 * H)
            _acc_step(dxw + (r0 * T + s) * G, T * G, NULL if sums == NULL else sums + r0 * G,
                      r1 - r0, G)


# -- SimpleRNN ----------------------------------------------------------------------------

def simple_forward(xw, u, bias, h0, mask, rmask, out, hs, activation, reverse, n_threads):
    """SimpleRNN over T steps: xw (B, T, H) = x W; bias (H,) or None, added
    to xw here; u (H, H); h0 (B, H); mask (B, T) or None.  Writes out and hs
    (B, T, H)."""
    op = 'simple_rnn_forward'
    cdef int nt = ck.threads(op, n_threads)
    cdef int act = _code(op, 'activation', activation)
    cdef bint rev = ck.flag(op, 'reverse', reverse)
    B, T, H, t = _dims(op, 'xw', xw, u, 1)
    _buf(op, 'xw', xw, (B, T, H), t, False)
    bx = _bias_or_zeros(op, bias, H, t)
    _buf(op, 'h0', h0, (B, H), t, False)
    _opt(op, 'mask', mask, (B, T), t)
    hm = _rmask(op, rmask, B, H, 1, t)
    _buf(op, 'out', out, (B, T, H), t, True)
    _buf(op, 'hs', hs, (B, T, H), t, True)
    scratch = np.empty(B * (H + 1), dtype=np.float32 if t == cnp.NPY_FLOAT else np.float64)
    if t == cnp.NPY_FLOAT:
        _simple_fwd[float](_ptr(xw, <float>0), _ptr(bx, <float>0), _ptr(u, <float>0),
                           _ptr(h0, <float>0), _ptr(mask, <float>0), _ptr(rmask, <float>0),
                           _wptr(hm, <float>0), _wptr(out, <float>0), _wptr(hs, <float>0),
                           _wptr(scratch, <float>0), B, T, H, act, rev, nt)
    else:
        _simple_fwd[double](_ptr(xw, <double>0), _ptr(bx, <double>0), _ptr(u, <double>0),
                            _ptr(h0, <double>0), _ptr(mask, <double>0), _ptr(rmask, <double>0),
                            _wptr(hm, <double>0), _wptr(out, <double>0), _wptr(hs, <double>0),
                            _wptr(scratch, <double>0), B, T, H, act, rev, nt)


cdef void _simple_fwd(const floating *xw, const floating *bx, const floating *u,
                      const floating *h0, const floating *mask, const floating *rmask,
                      floating *hm, floating *out, floating *hs, floating *scratch,
                      Py_ssize_t B, Py_ssize_t T, Py_ssize_t H, int act, bint rev,
                      int nt) noexcept nogil:
    cdef Py_ssize_t nblk = _blocks(B, nt), blk, r0, r1, s, bi, b, td, W = H, at
    cdef const floating *hp
    cdef floating *pre
    cdef floating *seen
    cdef Py_ssize_t ldh
    for blk in prange(nblk, schedule='static', num_threads=nt):
        r0 = blk * B // nblk
        r1 = (blk + 1) * B // nblk
        pre = scratch + r0 * W
        seen = scratch + B * W + r0
        _fill(seen, <floating>0, r1 - r0)
        for s in range(T):
            td = T - 1 - s if rev else s
            # the state the step starts from: h0, else the rows of the previous step
            hp = h0 + r0 * H if s == 0 else hs + (r0 * T + s - 1) * H
            ldh = H if s == 0 else T * H
            _rec_product(hp, ldh, NULL if rmask == NULL else rmask + r0 * H, H, u, 0, H, r1 - r0,
                         H, hm + r0 * H, pre, W)
            for bi in range(r1 - r0):
                b = r0 + bi
                at = (b * T + s) * H
                if _keep(mask, b, T, s, rev):
                    seen[bi] = 1
                    if floating is float:
                        kb_simple_row_f(xw + (b * T + td) * H, bx, pre + bi * W, hs + at, H,
                                        act)
                    else:
                        kb_simple_row_d(xw + (b * T + td) * H, bx, pre + bi * W, hs + at, H,
                                        act)
                else:
                    _copy(hp + bi * ldh, hs + at, H)
                _write_out(hs + at, out + at, seen[bi] != 0, H)


def simple_backward(u, h0, mask, rmask, hs, d_out, d_hs, dxw, db, du, dh0, activation, reverse,
                    n_threads):
    """Backpropagation through time of simple_forward: dxw (B, T, H,
    processing order), db (H,: the input bias's; None: not computed), du
    (H, H) and dh0 (B, H)."""
    op = 'simple_rnn_backward'
    cdef int nt = ck.threads(op, n_threads)
    cdef int act = _code(op, 'activation', activation)
    cdef bint rev = ck.flag(op, 'reverse', reverse)
    B, T, H, t = _dims(op, 'hs', hs, u, 1)
    _buf(op, 'h0', h0, (B, H), t, False)
    _opt(op, 'mask', mask, (B, T), t)
    tmp = _rmask(op, rmask, B, H, 1, t)
    _buf(op, 'hs', hs, (B, T, H), t, False)
    for name, a in (('d_out', d_out), ('d_hs', d_hs)):
        _opt(op, name, a, (B, T, H), t)
    _buf(op, 'dxw', dxw, (B, T, H), t, True)
    sums = _row_sums(op, 'db', db, B, H, t)
    _buf(op, 'du', du, (H, H), t, True)
    _buf(op, 'dh0', dh0, (B, H), t, True)
    first = _first_steps(mask, B, T, rev)
    scratch = np.empty((B, H), dtype=np.float32 if t == cnp.NPY_FLOAT else np.float64)
    if t == cnp.NPY_FLOAT:
        _simple_bwd[float](_ptr(u, <float>0), _ptr(mask, <float>0), _ptr(rmask, <float>0),
                           _wptr(tmp, <float>0), _ptr(hs, <float>0),
                           _ptr(d_out, <float>0), _ptr(d_hs, <float>0), _wptr(dxw, <float>0),
                           <float *>_ptr(sums, <float>0), _wptr(dh0, <float>0),
                           _wptr(scratch, <float>0),
                           <const Py_ssize_t *>cnp.PyArray_DATA(first), B, T, H, act, rev, nt)
    else:
        _simple_bwd[double](_ptr(u, <double>0), _ptr(mask, <double>0), _ptr(rmask, <double>0),
                            _wptr(tmp, <double>0), _ptr(hs, <double>0),
                            _ptr(d_out, <double>0), _ptr(d_hs, <double>0),
                            _wptr(dxw, <double>0), <double *>_ptr(sums, <double>0),
                            _wptr(dh0, <double>0),
                            _wptr(scratch, <double>0),
                            <const Py_ssize_t *>cnp.PyArray_DATA(first), B, T, H, act, rev, nt)
    _finish_sums(sums, db)
    _du_masked(t, h0, hs, dxw, rmask, 0, H, du, nt)


cdef void _simple_bwd(const floating *u, const floating *mask, const floating *rmask,
                      floating *tmp, const floating *hs,
                      const floating *d_out, const floating *d_hs, floating *dxw,
                      floating *sums, floating *dh0, floating *scratch,
                      const Py_ssize_t *first, Py_ssize_t B,
                      Py_ssize_t T, Py_ssize_t H, int act, bint rev, int nt) noexcept nogil:
    cdef Py_ssize_t nblk = _blocks(B, nt), blk, r0, r1, s, bi, b, at
    cdef floating *dh
    cdef floating *cur
    for blk in prange(nblk, schedule='static', num_threads=nt):
        r0 = blk * B // nblk
        r1 = (blk + 1) * B // nblk
        _fill(dh0 + r0 * H, <floating>0, (r1 - r0) * H)
        for s in range(T - 1, -1, -1):
            for bi in range(r1 - r0):
                b = r0 + bi
                at = (b * T + s) * H
                dh = dh0 + b * H
                cur = scratch + b * H
                _copy(dh, cur, H)
                _add_cotangents(cur, d_out, d_hs, at, s >= first[b], H)
                if _keep(mask, b, T, s, rev):
                    if floating is float:
                        kb_simple_back_row_f(hs + at, cur, dxw + at, H, act)
                    else:
                        kb_simple_back_row_d(hs + at, cur, dxw + at, H, act)
                    _fill(dh, <floating>0, H)
                else:
                    _fill(dxw + at, <floating>0, H)
                    _copy(cur, dh, H)
            _rec_grad(dxw + (r0 * T + s) * H, T * H, NULL if rmask == NULL else rmask + r0 * H,
                      H, u, 0, H, r1 - r0, H, tmp + r0 * H, dh0 + r0 * H)
            _acc_step(dxw + (r0 * T + s) * H, T * H, NULL if sums == NULL else sums + r0 * H,
                      r1 - r0, H)
