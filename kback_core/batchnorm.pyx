# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Batch normalisation kernels on x viewed as (A, C, B): C channels, the
statistics reduce over A and B.  Channels-last data is (rows, C, 1),
channels-first (N, C, H*W).

Statistics are one pass of shifted sums in double (shift = the channel's first
value, so the variance does not cancel catastrophically).  Channels-last
reductions are split into a fixed number of row chunks, each summed by one
thread and combined in order, so results do not depend on the thread count.
"""
import numpy as np
from cython.parallel cimport prange
from libc.math cimport isfinite
cimport numpy as cnp

from ._typedefs cimport floating
from . cimport _checks as ck

cnp.import_array()      # the checks use numpy's C API


cdef int _shape(str op, str name, object a, tuple want) except -1:
    if a.shape != want:
        raise ValueError(f'{op}: {name} has shape {a.shape}, expected {want}')
    return 0


cdef Py_ssize_t _n_chunks(Py_ssize_t rows) noexcept:
    return max(1, min(64, rows // 64))


def n_chunks(rows):
    """Row chunks of a channels-last reduction (independent of threads)."""
    return _n_chunks(ck.integer('n_chunks', 'rows', rows, 0, 1 << 62))


cdef int _check_sums(str op, object x, object out, object scratch) except -1:
    """out is (2, C) and scratch (n_chunks(A), 2, C) float64, both written
    (scratch only for B == 1, channels last) for x of shape (A, C, B)."""
    cdef Py_ssize_t A = x.shape[0], C = x.shape[1], B = x.shape[2]
    ck.array(op, 'out', out, 2, cnp.NPY_DOUBLE, True)
    ck.array(op, 'scratch', scratch, 3, cnp.NPY_DOUBLE, True)
    _shape(op, 'out', out, (2, C))
    if B == 1:
        _shape(op, 'scratch', scratch, (_n_chunks(A), 2, C))
    if A * C * B == 0:
        raise ValueError(f'{op}: no elements to reduce in x of shape {x.shape}')
    return 0


cdef void _sums_rows(const floating* x, const floating* y, const double* shift,
                     Py_ssize_t r0, Py_ssize_t r1, Py_ssize_t C, double* s1,
                     double* s2) noexcept nogil:
    """Over rows [r0, r1) of (rows, C) data: with y NULL, s1 = sum(x - shift)
    and s2 = sum((x - shift)**2); else s1 = sum(y), s2 = sum(y * (x - shift))."""
    cdef Py_ssize_t r, c
    cdef double d, e
    cdef const floating* p
    cdef const floating* q
    for c in range(C):
        s1[c] = 0
        s2[c] = 0
    for r in range(r0, r1):
        p = x + r * C
        if y == NULL:
            for c in range(C):
                d = p[c] - shift[c]
                s1[c] += d
                s2[c] += d * d
        else:
            q = y + r * C
            for c in range(C):
                e = q[c]
                s1[c] += e
                s2[c] += e * (p[c] - shift[c])


cdef void _sums_planes(const floating* x, const floating* y, double shift, Py_ssize_t A,
                       Py_ssize_t C, Py_ssize_t B, double* s1, double* s2) noexcept nogil:
    """The same for one channel of (A, C, B) data, x and y at its first plane."""
    cdef Py_ssize_t a, b
    cdef double t1 = 0, t2 = 0, d, e
    cdef const floating* p
    cdef const floating* q
    for a in range(A):
        p = x + a * C * B
        if y == NULL:
            for b in range(B):
                d = p[b] - shift
                t1 += d
                t2 += d * d
        else:
            q = y + a * C * B
            for b in range(B):
                e = q[b]
                t1 += e
                t2 += e * (p[b] - shift)
    s1[0] = t1
    s2[0] = t2


cdef int _reduce(const floating[:, :, ::1] x, const floating* yp, const double[::1] shift,
                 double[:, ::1] out, double[:, :, ::1] scratch, int n_threads) except -1:
    """out[0], out[1] = the shifted sums of _sums_rows / _sums_planes (yp: NULL
    or the start of a buffer shaped like x)."""
    cdef Py_ssize_t A = x.shape[0], C = x.shape[1], B = x.shape[2], k, c, K, step
    if B == 1:
        K = _n_chunks(A)
        step = (A + K - 1) // K
        for k in prange(K, nogil=True, schedule='static', num_threads=n_threads):
            _sums_rows(&x[0, 0, 0], yp, &shift[0], k * step,
                       min(A, (k + 1) * step), C, &scratch[k, 0, 0], &scratch[k, 1, 0])
        for c in range(C):
            out[0, c] = 0
            out[1, c] = 0
        for k in range(K):        # in order: the same sums at any thread count
            for c in range(C):
                out[0, c] += scratch[k, 0, c]
                out[1, c] += scratch[k, 1, c]
    else:
        for c in prange(C, nogil=True, schedule='static', num_threads=n_threads):
            _sums_planes(&x[0, c, 0], NULL if yp == NULL else yp + c * B, shift[c], A, C, B,
                         &out[0, c], &out[1, c])
    return 0


def channel_stats(x, out, scratch, n_threads):
    """out[0] = per-channel mean, out[1] = biased variance (double) of x (A, C, B)."""
    op = 'batchnorm_stats'
    cdef int nt = ck.threads(op, n_threads)
    cdef int t = ck.floats(op, 'x', x, 3)
    _check_sums(op, x, out, scratch)
    if t == cnp.NPY_FLOAT:
        _stats[float](x, out, scratch, nt)
    else:
        _stats[double](x, out, scratch, nt)


cdef int _stats(const floating[:, :, ::1] x, double[:, ::1] out, double[:, :, ::1] scratch,
                int n_threads) except -1:
    cdef Py_ssize_t A = x.shape[0], C = x.shape[1], B = x.shape[2], c
    cdef double n = <double>(A * B), m, v
    # Shift by the channel's first value (0 when it is not finite: inf - inf
    # would make a NaN mean where numpy's is inf).
    cdef double[::1] sh = np.empty(C, dtype=np.float64)
    for c in range(C):
        v = <double>x[0, c, 0]
        sh[c] = v if isfinite(v) else 0.0
    _reduce(x, <const floating*>NULL, sh, out, scratch, n_threads)
    for c in range(C):
        m = out[0, c] / n
        out[0, c] = sh[c] + m
        out[1, c] = max(out[1, c] / n - m * m, 0.0)     # NaN stays NaN
    return 0


def backprop_sums(dy, x, mean, out, scratch, n_threads):
    """out[0] = sum(dy), out[1] = sum(dy * (x - mean)) per channel (double)."""
    op = 'batchnorm_backprop_sums'
    cdef int nt = ck.threads(op, n_threads)
    cdef int t = ck.floats(op, 'dy', dy, 3)
    ck.array(op, 'x', x, 3, t, False)
    ck.array(op, 'mean', mean, 1, cnp.NPY_DOUBLE, False)
    _shape(op, 'x', x, dy.shape)
    _shape(op, 'mean', mean, (x.shape[1],))
    _check_sums(op, x, out, scratch)
    if t == cnp.NPY_FLOAT:
        _sums[float](dy, x, mean, out, scratch, nt)
    else:
        _sums[double](dy, x, mean, out, scratch, nt)


cdef int _sums(const floating[:, :, ::1] dy, const floating[:, :, ::1] x,
               const double[::1] mean, double[:, ::1] out, double[:, :, ::1] scratch,
               int n_threads) except -1:
    _reduce(x, &dy[0, 0, 0], mean, out, scratch, n_threads)
    return 0


cdef int _affine(const floating[:, :, ::1] x, const floating* yp, const floating[::1] a,
                 const floating[::1] b, const floating[::1] d, floating[:, :, ::1] out,
                 int n_threads) except -1:
    cdef Py_ssize_t A = x.shape[0], C = x.shape[1], B = x.shape[2], r, c, i, t
    cdef const floating* p
    cdef const floating* q
    cdef floating* o
    cdef floating ac, bc, dc
    if B == 1:
        for r in prange(A, nogil=True, schedule='static', num_threads=n_threads):
            p = &x[r, 0, 0]
            o = &out[r, 0, 0]
            if yp != NULL:
                q = yp + r * C
                for c in range(C):
                    o[c] = q[c] * a[c] + p[c] * b[c] + d[c]
            else:
                for c in range(C):
                    o[c] = p[c] * a[c] + d[c]
    else:
        for t in prange(A * C, nogil=True, schedule='static', num_threads=n_threads):
            c = t % C
            p = &x[t // C, c, 0]
            o = &out[t // C, c, 0]
            ac = a[c]
            bc = b[c]
            dc = d[c]
            if yp != NULL:
                q = yp + t * B
                for i in range(B):
                    o[i] = q[i] * ac + p[i] * bc + dc
            else:
                for i in range(B):
                    o[i] = p[i] * ac + dc
    return 0


cdef int _check_affine(str op, int t, object x, list coefficients, object out) except -1:
    """(C,) coefficients and an out shaped like x (A, C, B), all of x's dtype."""
    for name, v in coefficients:
        ck.array(op, name, v, 1, t, False)
        _shape(op, name, v, (x.shape[1],))
    ck.array(op, 'out', out, 3, t, True)
    _shape(op, 'out', out, x.shape)
    return 0


def channel_scale_shift(x, a, d, out, n_threads):
    """out = x * a[c] + d[c]."""
    op = 'batchnorm_scale_shift'
    cdef int nt = ck.threads(op, n_threads)
    cdef int t = ck.floats(op, 'x', x, 3)
    _check_affine(op, t, x, [('a', a), ('d', d)], out)
    if x.size == 0:
        return
    if t == cnp.NPY_FLOAT:
        _affine[float](x, <const float*>NULL, a, a, d, out, nt)
    else:
        _affine[double](x, <const double*>NULL, a, a, d, out, nt)


def channel_affine2(y, x, a, b, d, out, n_threads):
    """out = y * a[c] + x * b[c] + d[c] (the input gradient of batchnorm)."""
    op = 'batchnorm_affine'
    cdef int nt = ck.threads(op, n_threads)
    cdef int t = ck.floats(op, 'y', y, 3)
    ck.array(op, 'x', x, 3, t, False)
    _shape(op, 'x', x, y.shape)
    _check_affine(op, t, x, [('a', a), ('b', b), ('d', d)], out)
    if x.size == 0:
        return
    if t == cnp.NPY_FLOAT:
        _affine2[float](y, x, a, b, d, out, nt)
    else:
        _affine2[double](y, x, a, b, d, out, nt)


cdef int _affine2(const floating[:, :, ::1] y, const floating[:, :, ::1] x,
                  const floating[::1] a, const floating[::1] b, const floating[::1] d,
                  floating[:, :, ::1] out, int n_threads) except -1:
    return _affine(x, &y[0, 0, 0], a, b, d, out, n_threads)
