# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Batch normalisation kernels on x viewed as (A, C, B): C channels, the
statistics reduce over A and B.  Channels-last data is (rows, C, 1),
channels-first (N, C, H*W).

Statistics are one pass of shifted sums in double (shift = the channel's first
value, so the variance does not cancel catastrophically).  Channels-last
reductions are split into a fixed number of row chunks, each summed by one
thread and combined in order, so results do not depend on the thread count.
"""
from cython.parallel cimport prange

from ._typedefs cimport floating


cdef int _check(str op, str what, Py_ssize_t got, Py_ssize_t want) except -1:
    if got != want:
        raise ValueError(f'{op}: {what} has {got} entries, expected {want}')
    return 0


cdef tuple _shape3(const floating[:, :, ::1] a):
    return (a.shape[0], a.shape[1], a.shape[2])


def n_chunks(Py_ssize_t rows):
    """Row chunks of a channels-last reduction (independent of threads)."""
    return max(1, min(64, rows // 64))


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


cdef int _reduce(const floating[:, :, ::1] x, const floating* yp, double[::1] shift,
                 double[:, ::1] out, double[:, :, ::1] scratch, int n_threads) except -1:
    """out[0], out[1] = the shifted sums of _sums_rows / _sums_planes (yp: NULL
    or the start of a buffer shaped like x)."""
    cdef Py_ssize_t A = x.shape[0], C = x.shape[1], B = x.shape[2], k, c, K, step
    if B == 1:
        K = n_chunks(A)
        _check('batchnorm', 'the scratch buffer', scratch.shape[0] * scratch.shape[2], K * C)
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


def channel_stats(const floating[:, :, ::1] x, double[:, ::1] out, double[:, :, ::1] scratch,
                  int n_threads):
    """out[0] = per-channel mean, out[1] = biased variance (double)."""
    cdef Py_ssize_t A = x.shape[0], C = x.shape[1], B = x.shape[2], c
    cdef double n = <double>(A * B), m
    _check('batchnorm_stats', 'the output', out.shape[1], C)
    if A * B == 0:
        raise ValueError(f'batchnorm_stats: no elements to reduce in input of shape {(A, C, B)}')
    shift = [<double>x[0, c, 0] for c in range(C)]
    cdef double[::1] sh = __import__('numpy').asarray(shift, dtype='float64')
    _reduce(x, <const floating*>NULL, sh, out, scratch, n_threads)
    for c in range(C):
        m = out[0, c] / n
        out[0, c] = sh[c] + m
        out[1, c] = max(out[1, c] / n - m * m, 0.0)


def backprop_sums(const floating[:, :, ::1] dy, const floating[:, :, ::1] x,
                  double[::1] mean, double[:, ::1] out, double[:, :, ::1] scratch,
                  int n_threads):
    """out[0] = sum(dy), out[1] = sum(dy * (x - mean)) per channel (double)."""
    _check('batchnorm_backprop_sums', 'the mean', mean.shape[0], x.shape[1])
    _check('batchnorm_backprop_sums', 'the output', out.shape[1], x.shape[1])
    if _shape3(dy) != _shape3(x):
        raise ValueError(f'batchnorm_backprop_sums: dy {_shape3(dy)} and x '
                         f'{_shape3(x)} differ')
    if x.shape[0] * x.shape[1] * x.shape[2] == 0:
        raise ValueError(f'batchnorm_backprop_sums: no elements to reduce in {_shape3(x)}')
    _reduce(x, &dy[0, 0, 0], mean, out, scratch, n_threads)


cdef int _affine(const floating[:, :, ::1] x, const floating* yp, const floating[::1] a,
                 const floating[::1] b, const floating[::1] d, floating[:, :, ::1] out,
                 int n_threads) except -1:
    cdef Py_ssize_t A = x.shape[0], C = x.shape[1], B = x.shape[2], r, c, i, t
    cdef const floating* p
    cdef const floating* q
    cdef floating* o
    cdef floating ac, bc, dc
    _check('batchnorm_affine', 'a', a.shape[0], C)
    _check('batchnorm_affine', 'b', b.shape[0], C)
    _check('batchnorm_affine', 'd', d.shape[0], C)
    if _shape3(out) != _shape3(x):
        raise ValueError(f'batchnorm_affine: buffers of shapes {_shape3(x)} and '
                         f'{_shape3(out)} differ')
    if A * C * B == 0:
        return 0
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


def channel_scale_shift(const floating[:, :, ::1] x, const floating[::1] a,
                        const floating[::1] d, floating[:, :, ::1] out, int n_threads):
    """out = x * a[c] + d[c]."""
    _affine(x, <const floating*>NULL, a, a, d, out, n_threads)


def channel_affine2(const floating[:, :, ::1] y, const floating[:, :, ::1] x,
                    const floating[::1] a, const floating[::1] b, const floating[::1] d,
                    floating[:, :, ::1] out, int n_threads):
    """out = y * a[c] + x * b[c] + d[c] (the input gradient of batchnorm)."""
    if _shape3(y) != _shape3(x):
        raise ValueError(f'batchnorm_affine: y {_shape3(y)} and x {_shape3(x)} differ')
    if x.shape[0] * x.shape[1] * x.shape[2] == 0:
        return
    _affine(x, &y[0, 0, 0], a, b, d, out, n_threads)
