# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Fused loss kernels on logits: softmax + crossentropy (dense and sparse
labels) and sigmoid + binary crossentropy, forward and backward.

Rows are contiguous (rows, classes) buffers, one row per prange task; each
row subtracts its max before exp so nothing overflows.
"""
from cython.parallel cimport prange
from libc.math cimport exp, expf, log, logf, log1p, log1pf, fabs, fabsf, NAN
from libc.stdint cimport int64_t

ctypedef fused floating:
    float
    double


cdef int _check(str op, str what, tuple a, tuple b) except -1:
    if a != b:
        raise ValueError(f'{op}: {what} have shapes {a} and {b}')
    return 0


cdef inline floating _exp(floating v) noexcept nogil:
    if floating is float:
        return expf(v)
    return exp(v)


cdef inline floating _log(floating v) noexcept nogil:
    if floating is float:
        return logf(v)
    return log(v)


cdef inline floating _log1p(floating v) noexcept nogil:
    if floating is float:
        return log1pf(v)
    return log1p(v)


cdef inline floating _abs(floating v) noexcept nogil:
    if floating is float:
        return fabsf(v)
    return fabs(v)


cdef inline floating _row_max(const floating[:, ::1] x, Py_ssize_t r) noexcept nogil:
    cdef Py_ssize_t j
    cdef floating m = x[r, 0]
    for j in range(1, x.shape[1]):
        if x[r, j] > m:
            m = x[r, j]
    return m


# -- softmax crossentropy, dense targets -----------------------------------------------

def softmax_ce_forward(const floating[:, ::1] t, const floating[:, ::1] x,
                       floating[::1] loss, int n_threads):
    """loss[r] = sum_j t[r, j] * (logsumexp(x[r]) - x[r, j])."""
    cdef Py_ssize_t r, j, rows = x.shape[0], cols = x.shape[1]
    cdef floating m, s, st, stx
    _check('softmax_ce_forward', 'target and logits', (t.shape[0], t.shape[1]), (x.shape[0], x.shape[1]))
    _check('softmax_ce_forward', 'rows and loss', (rows,), (loss.shape[0],))
    if cols == 0:
        loss[:] = 0
        return
    for r in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        m = _row_max(x, r)
        s = 0
        st = 0
        stx = 0
        for j in range(cols):
            s = s + _exp(x[r, j] - m)
            st = st + t[r, j]
            stx = stx + t[r, j] * (x[r, j] - m)
        loss[r] = st * _log(s) - stx


def softmax_ce_backward(const floating[:, ::1] t, const floating[:, ::1] x,
                        const floating[::1] g, floating[:, ::1] dx, int n_threads):
    """dx[r] = (softmax(x[r]) * sum(t[r]) - t[r]) * g[r] (softmax - t for one-hot t)."""
    cdef Py_ssize_t r, j, rows = x.shape[0], cols = x.shape[1]
    cdef floating m, s, st, scale, gr
    _check('softmax_ce_backward', 'target and logits', (t.shape[0], t.shape[1]), (x.shape[0], x.shape[1]))
    _check('softmax_ce_backward', 'logits and gradient', (x.shape[0], x.shape[1]), (dx.shape[0], dx.shape[1]))
    _check('softmax_ce_backward', 'rows and g', (rows,), (g.shape[0],))
    for r in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        if cols == 0:
            continue
        m = _row_max(x, r)
        s = 0
        st = 0
        for j in range(cols):
            dx[r, j] = _exp(x[r, j] - m)
            s = s + dx[r, j]
            st = st + t[r, j]
        gr = g[r]
        scale = st * gr / s
        for j in range(cols):
            dx[r, j] = dx[r, j] * scale - t[r, j] * gr


# -- softmax crossentropy, integer labels ----------------------------------------------

def sparse_softmax_ce_forward(const int64_t[::1] labels, const floating[:, ::1] x,
                              floating[::1] loss, int n_threads):
    """loss[r] = logsumexp(x[r]) - x[r, labels[r]]; nan for a label out of range
    (the caller checks labels first)."""
    cdef Py_ssize_t r, j, rows = x.shape[0], cols = x.shape[1]
    cdef int64_t k
    cdef floating m, s
    _check('sparse_softmax_ce_forward', 'labels and logits rows', (labels.shape[0],), (rows,))
    _check('sparse_softmax_ce_forward', 'rows and loss', (rows,), (loss.shape[0],))
    for r in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        k = labels[r]
        if k < 0 or k >= cols:
            loss[r] = NAN
            continue
        m = _row_max(x, r)
        s = 0
        for j in range(cols):
            s = s + _exp(x[r, j] - m)
        loss[r] = _log(s) - (x[r, k] - m)


def sparse_softmax_ce_backward(const int64_t[::1] labels, const floating[:, ::1] x,
                               const floating[::1] g, floating[:, ::1] dx, int n_threads):
    """dx[r] = (softmax(x[r]) - onehot(labels[r])) * g[r]."""
    cdef Py_ssize_t r, j, rows = x.shape[0], cols = x.shape[1]
    cdef int64_t k
    cdef floating m, s, scale
    _check('sparse_softmax_ce_backward', 'labels and logits rows', (labels.shape[0],), (rows,))
    _check('sparse_softmax_ce_backward', 'logits and gradient', (x.shape[0], x.shape[1]),
           (dx.shape[0], dx.shape[1]))
    _check('sparse_softmax_ce_backward', 'rows and g', (rows,), (g.shape[0],))
    for r in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        k = labels[r]
        if cols == 0:
            continue
        m = _row_max(x, r)
        s = 0
        for j in range(cols):
            dx[r, j] = _exp(x[r, j] - m)
            s = s + dx[r, j]
        scale = g[r] / s
        for j in range(cols):
            dx[r, j] = dx[r, j] * scale
        if 0 <= k < cols:
            dx[r, k] = dx[r, k] - g[r]


# -- sigmoid binary crossentropy --------------------------------------------------------

def sigmoid_ce_forward(const floating[::1] z, const floating[::1] x, floating[::1] out,
                       int n_threads):
    """out = max(x, 0) - x * z + log1p(exp(-|x|))."""
    cdef Py_ssize_t i, n = x.shape[0]
    cdef floating v
    _check('sigmoid_ce_forward', 'target and logits', (z.shape[0],), (n,))
    _check('sigmoid_ce_forward', 'logits and out', (n,), (out.shape[0],))
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        v = x[i]
        out[i] = (v if v > 0 else 0) - v * z[i] + _log1p(_exp(-_abs(v)))


def sigmoid_ce_backward(const floating[::1] z, const floating[::1] x, const floating[::1] g,
                        floating[::1] dx, int n_threads):
    """dx = (sigmoid(x) - z) * g, sigmoid from exp(-|x|) so it never overflows."""
    cdef Py_ssize_t i, n = x.shape[0]
    cdef floating v, e, s
    _check('sigmoid_ce_backward', 'target and logits', (z.shape[0],), (n,))
    _check('sigmoid_ce_backward', 'logits and g', (n,), (g.shape[0],))
    _check('sigmoid_ce_backward', 'logits and dx', (n,), (dx.shape[0],))
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        v = x[i]
        e = _exp(-_abs(v))
        s = 1 / (1 + e) if v >= 0 else e / (1 + e)
        dx[i] = (s - z[i]) * g[i]
