# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Fused elementwise kernels: relu, bias_add (+ relu) and their backward,
dropout with a counter-based mask.

bias kernels see x as (outer, channels, inner): channels_last is
(rows, C, 1), channels_first (N, C, H*W...), so one kernel serves both.
"""
from cython.parallel cimport prange, parallel, threadid
from libc.stdint cimport uint64_t, uint32_t
import numpy as np

from ._typedefs cimport floating


cdef int _check_same(str op, Py_ssize_t n, Py_ssize_t m) except -1:
    if n != m:
        raise ValueError(f'{op}: buffers have {n} and {m} elements')
    return 0


cdef int _check_3d(str op, tuple a, tuple b) except -1:
    if a != b:
        raise ValueError(f'{op}: buffers have shapes {a} and {b}')
    return 0

cdef tuple _shape3(Py_ssize_t *shape):
    return (shape[0], shape[1], shape[2])

cdef extern from "_simd.h":
    pass

cdef extern from *:
    """
    /* dz = g where y > 0 else 0 and part[c] += dz over rows [lo, hi) of
       (rows, ch) buffers. The select is a bit mask (GCC does not if-convert a
       float ?: under -ftrapping-math), so the loop vectorises: the branchy
       memoryview loop took 5 ns per element with random signs. */
    #include <stdint.h>
    #include <string.h>
    #define KB_RELU_MASK_ROWS(NAME, T, U)                                       \
    static void NAME(const T *KB_RESTRICT y, const T *KB_RESTRICT g, T *KB_RESTRICT dz,  \
                     double *KB_RESTRICT part, Py_ssize_t lo, Py_ssize_t hi,       \
                     Py_ssize_t ch) {                                           \
        for (Py_ssize_t o = lo; o < hi; o++) {                                  \
            const T *yr = y + o * ch, *gr = g + o * ch;                         \
            T *dr = dz + o * ch;                                                \
            for (Py_ssize_t c = 0; c < ch; c++) {                               \
                U bits;                                                         \
                T v;                                                            \
                memcpy(&bits, gr + c, sizeof bits);                             \
                bits &= (U)0 - (U)(yr[c] > 0);                                  \
                memcpy(&v, &bits, sizeof v);                                    \
                dr[c] = v;                                                      \
                part[c] += (double)v;                                           \
            }                                                                   \
        }                                                                       \
    }
    KB_RELU_MASK_ROWS(kb_relu_mask_rows_f, float, uint32_t)
    KB_RELU_MASK_ROWS(kb_relu_mask_rows_d, double, uint64_t)
    """
    void kb_relu_mask_rows_f(const float *y, const float *g, float *dz, double *part,
                             Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t ch) noexcept nogil
    void kb_relu_mask_rows_d(const double *y, const double *g, double *dz, double *part,
                             Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t ch) noexcept nogil


def relu_forward(const floating[::1] x, floating[::1] out, int n_threads):
    """out = max(x, 0)."""
    cdef Py_ssize_t i, n = x.shape[0]
    _check_same('relu_forward', n, out.shape[0])
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        out[i] = x[i] if x[i] > 0 else 0


def relu_backward(const floating[::1] x, const floating[::1] g, floating[::1] out,
                  int n_threads):
    """out = g where x > 0 else 0 (the gradient of relu at x)."""
    cdef Py_ssize_t i, n = x.shape[0]
    cdef floating gi
    _check_same('relu_backward', n, g.shape[0])
    _check_same('relu_backward', n, out.shape[0])
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        # Load g unconditionally so the compiler emits a vector select, not a
        # branch that mispredicts on every other element.
        gi = g[i]
        out[i] = gi if x[i] > 0 else 0


# -- bias_add and bias_add + relu ------------------------------------------------------

cdef inline floating _act(floating v, bint relu) noexcept nogil:
    if relu:
        return v if v > 0 else 0
    return v


def bias_add_forward(const floating[:, :, ::1] x, const floating[::1] bias,
                     floating[:, :, ::1] out, bint relu, int n_threads):
    """out[o, c, i] = x[o, c, i] + bias[c], then max(., 0) when relu: one pass."""
    cdef Py_ssize_t outer = x.shape[0], ch = x.shape[1], inner = x.shape[2]
    op = 'bias_add_relu_forward' if relu else 'bias_add_forward'
    _check_same(op, ch, bias.shape[0])
    _check_3d(op, _shape3(x.shape), _shape3(out.shape))
    cdef const floating[:, ::1] x2
    cdef floating[:, ::1] out2
    if inner == 1:          # channels last: rows of contiguous channels
        x2 = np.asarray(x).reshape(outer, ch)
        out2 = np.asarray(out).reshape(outer, ch)
        _bias_rows(x2, bias, out2, relu, n_threads)
    else:
        _bias_planes(x, bias, out, relu, n_threads)


cdef void _bias_rows(const floating[:, ::1] x, const floating[::1] bias, floating[:, ::1] out,
                     bint relu, int n_threads) noexcept nogil:
    cdef Py_ssize_t o, c, rows = x.shape[0], ch = x.shape[1]
    cdef floating v
    if relu:
        for o in prange(rows, schedule='static', num_threads=n_threads):
            for c in range(ch):
                v = x[o, c] + bias[c]
                out[o, c] = v if v > 0 else 0
    else:
        for o in prange(rows, schedule='static', num_threads=n_threads):
            for c in range(ch):
                out[o, c] = x[o, c] + bias[c]


cdef void _bias_planes(const floating[:, :, ::1] x, const floating[::1] bias,
                       floating[:, :, ::1] out, bint relu, int n_threads) noexcept nogil:
    # One (sample, channel) plane per task: the bias is a scalar inside.
    cdef Py_ssize_t o, c, i, k, ch = x.shape[1], inner = x.shape[2]
    cdef floating b, v
    for k in prange(x.shape[0] * ch, schedule='static', num_threads=n_threads):
        o = k // ch
        c = k % ch
        b = bias[c]
        if relu:
            for i in range(inner):
                v = x[o, c, i] + b
                out[o, c, i] = v if v > 0 else 0
        else:
            for i in range(inner):
                out[o, c, i] = x[o, c, i] + b


def bias_add_relu_backward(const floating[:, :, ::1] y, const floating[:, :, ::1] g,
                           floating[:, :, ::1] dz, floating[::1] db, int n_threads):
    """dz = g where y > 0 else 0, db[c] = sum of dz over o and i: one pass."""
    _bias_backward('bias_add_relu_backward', y, g, dz, db, True, n_threads)


def channel_sum(const floating[:, :, ::1] g, floating[::1] db, int n_threads):
    """db[c] = sum of g[o, c, i] over o and i (the gradient of bias_add)."""
    cdef floating[:, :, ::1] unused = None
    _bias_backward('channel_sum', g, g, unused, db, False, n_threads)


cdef int _bias_backward(str op, const floating[:, :, ::1] y, const floating[:, :, ::1] g,
                        floating[:, :, ::1] dz, floating[::1] db, bint mask,
                        int n_threads) except -1:
    """With mask: dz = g * (y > 0) and db = its channel sums; else db = sums of g."""
    cdef Py_ssize_t c, outer = g.shape[0], ch = g.shape[1], inner = g.shape[2]
    _check_same(op, ch, db.shape[0])
    _check_3d(op, _shape3(y.shape), _shape3(g.shape))
    if mask:
        _check_3d(op, _shape3(g.shape), _shape3(dz.shape))
    n_threads = max(1, min(n_threads, <int>max(outer, 1)))
    # Partial sums in double, added up after: one row of channels per thread
    # (channels last) or one per (sample, channel) plane (channels first).
    cdef double[:, ::1] part
    cdef const floating[:, ::1] y2, g2
    cdef floating[:, ::1] dz2
    if inner == 1:
        part = np.zeros((n_threads, ch), dtype=np.float64)
        g2 = np.asarray(g).reshape(outer, ch)
        if mask:
            y2 = np.asarray(y).reshape(outer, ch)
            dz2 = np.asarray(dz).reshape(outer, ch)
            _rows_masked(y2, g2, dz2, part, n_threads)
        else:
            _rows_sum(g2, part, n_threads)
    else:
        part = np.zeros((outer, ch), dtype=np.float64)
        _planes_sum(y, g, dz, part, mask, n_threads)
    total = np.asarray(part).sum(axis=0)
    for c in range(ch):
        db[c] = <floating>total[c]
    return 0


cdef void _rows_masked(const floating[:, ::1] y, const floating[:, ::1] g, floating[:, ::1] dz,
                       double[:, ::1] part, int n_threads) noexcept nogil:
    cdef Py_ssize_t t, o, c, lo, hi, rows = g.shape[0], ch = g.shape[1]
    cdef floating v
    if rows == 0 or ch == 0:
        return
    for t in prange(n_threads, schedule='static', chunksize=1, num_threads=n_threads):
        lo = rows * t // n_threads
        hi = rows * (t + 1) // n_threads
        if floating is float:
            kb_relu_mask_rows_f(&y[0, 0], &g[0, 0], &dz[0, 0], &part[t, 0], lo, hi, ch)
        else:
            kb_relu_mask_rows_d(&y[0, 0], &g[0, 0], &dz[0, 0], &part[t, 0], lo, hi, ch)


cdef void _rows_sum(const floating[:, ::1] g, double[:, ::1] part,
                    int n_threads) noexcept nogil:
    cdef Py_ssize_t t, o, c, lo, hi, rows = g.shape[0], ch = g.shape[1]
    for t in prange(n_threads, schedule='static', chunksize=1, num_threads=n_threads):
        lo = rows * t // n_threads
        hi = rows * (t + 1) // n_threads
        for o in range(lo, hi):
            for c in range(ch):
                part[t, c] += g[o, c]


cdef void _planes_sum(const floating[:, :, ::1] y, const floating[:, :, ::1] g,
                      floating[:, :, ::1] dz, double[:, ::1] part, bint mask,
                      int n_threads) noexcept nogil:
    cdef Py_ssize_t o, c, i, k, ch = g.shape[1], inner = g.shape[2]
    cdef floating v
    cdef double acc
    for k in prange(g.shape[0] * ch, schedule='static', num_threads=n_threads):
        o = k // ch
        c = k % ch
        acc = 0
        if mask:
            for i in range(inner):
                v = g[o, c, i]
                v = v if y[o, c, i] > 0 else 0
                dz[o, c, i] = v
                acc = acc + v
        else:
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


def stream_start(uint64_t seed, uint64_t counter):
    """The per-call start of the SplitMix64 stream for (seed, counter)."""
    return _mix(_mix(seed) ^ (counter * _GOLDEN + 0x632BE59BD9B4E019ULL))


def dropout_forward(const floating[::1] x, floating[::1] out, uint64_t start,
                    uint32_t threshold, double scale, int n_threads):
    """out[i] = x[i] * scale if draw(i) >= threshold else 0 (draws are 32-bit).

    threshold = level * 2**32 (rounded); x of zero size with out of size n
    writes the mask itself (scale or 0)."""
    cdef Py_ssize_t j, i, n = out.shape[0], pairs
    cdef uint64_t h
    cdef uint32_t lo, hi
    cdef floating s = <floating>scale
    cdef bint mask_only = x.shape[0] == 0
    if not mask_only:
        _check_same('dropout_forward', x.shape[0], n)
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
