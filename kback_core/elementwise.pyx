# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Fused elementwise kernels: relu, bias_add (+ relu) and their backward,
dropout with a counter-based mask.

bias kernels see x as (outer, channels, inner): channels_last is
(rows, C, 1), channels_first (N, C, H*W...), so one kernel serves both.
"""
from cython.parallel cimport prange, parallel, threadid
from libc.stdint cimport uint64_t, uint32_t
import numpy as np


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

ctypedef fused floating:
    float
    double


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
    cdef Py_ssize_t o, c, i, k, outer = x.shape[0], ch = x.shape[1], inner = x.shape[2]
    cdef floating b
    op = 'bias_add_relu_forward' if relu else 'bias_add_forward'
    _check_same(op, ch, bias.shape[0])
    _check_3d(op, _shape3(x.shape), _shape3(out.shape))
    if inner == 1:          # channels last: vectorise along the channels
        for o in prange(outer, nogil=True, schedule='static', num_threads=n_threads):
            for c in range(ch):
                out[o, c, 0] = _act(x[o, c, 0] + bias[c], relu)
    else:                   # channels first: one (sample, channel) plane per task
        for k in prange(outer * ch, nogil=True, schedule='static', num_threads=n_threads):
            o = k // ch
            c = k % ch
            b = bias[c]
            for i in range(inner):
                out[o, c, i] = _act(x[o, c, i] + b, relu)


def bias_add_relu_backward(const floating[:, :, ::1] y, const floating[:, :, ::1] g,
                           floating[:, :, ::1] dz, floating[::1] db, int n_threads):
    """dz = g where y > 0 else 0, db[c] = sum of dz over o and i: one pass."""
    _bias_backward('bias_add_relu_backward', y, g, dz, db, True, True, n_threads)


def channel_sum(const floating[:, :, ::1] g, floating[::1] db, int n_threads):
    """db[c] = sum of g[o, c, i] over o and i (the gradient of bias_add)."""
    cdef floating[:, :, ::1] unused = np.empty(
        (0, 0, 0), dtype=np.float32 if floating is float else np.float64)
    _bias_backward('channel_sum', g, g, unused, db, False, False, n_threads)


cdef int _bias_backward(str op, const floating[:, :, ::1] y, const floating[:, :, ::1] g,
                        floating[:, :, ::1] dz, floating[::1] db, bint mask, bint write,
                        int n_threads) except -1:
    cdef Py_ssize_t o, c, i, k, t, lo, hi
    cdef Py_ssize_t outer = g.shape[0], ch = g.shape[1], inner = g.shape[2]
    cdef floating v
    cdef double acc
    _check_same(op, ch, db.shape[0])
    _check_3d(op, _shape3(y.shape), _shape3(g.shape))
    if write:
        _check_3d(op, _shape3(g.shape), _shape3(dz.shape))
    if n_threads < 1:
        n_threads = 1
    # Partial sums in double: one row of channels per thread (channels last)
    # or one per (sample, channel) plane (channels first), added up after.
    cdef double[:, ::1] part
    if inner == 1:
        if outer < n_threads:
            n_threads = max(<int>outer, 1)
        part = np.zeros((n_threads, ch), dtype=np.float64)
        for t in prange(n_threads, nogil=True, schedule='static', chunksize=1,
                        num_threads=n_threads):
            lo = outer * t // n_threads
            hi = outer * (t + 1) // n_threads
            for o in range(lo, hi):
                for c in range(ch):
                    v = g[o, c, 0]
                    if mask:
                        v = v if y[o, c, 0] > 0 else 0
                    if write:
                        dz[o, c, 0] = v
                    part[t, c] += v
    else:
        part = np.zeros((outer, ch), dtype=np.float64)
        for k in prange(outer * ch, nogil=True, schedule='static', num_threads=n_threads):
            o = k // ch
            c = k % ch
            acc = 0
            for i in range(inner):
                v = g[o, c, i]
                if mask:
                    v = v if y[o, c, i] > 0 else 0
                if write:
                    dz[o, c, i] = v
                acc = acc + v
            part[o, c] = acc
    total = np.asarray(part).sum(axis=0)
    for c in range(ch):
        db[c] = <floating>total[c]
    return 0


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
