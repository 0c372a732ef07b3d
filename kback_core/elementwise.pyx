# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Fused elementwise kernels over flat contiguous buffers."""
from cython.parallel cimport prange


cdef int _check_same(str op, Py_ssize_t n, Py_ssize_t m) except -1:
    if n != m:
        raise ValueError(f'{op}: buffers have {n} and {m} elements')
    return 0

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


def bias_add_relu_forward(const floating[:, ::1] x, const floating[::1] bias,
                          floating[:, ::1] out, int n_threads):
    """out = max(x + bias, 0) for x of shape (rows, channels): one pass."""
    cdef Py_ssize_t r, c, rows = x.shape[0], channels = x.shape[1]
    cdef floating v
    _check_same('bias_add_relu_forward', channels, bias.shape[0])
    _check_same('bias_add_relu_forward', rows, out.shape[0])
    _check_same('bias_add_relu_forward', channels, out.shape[1])
    for r in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        for c in range(channels):
            v = x[r, c] + bias[c]
            out[r, c] = v if v > 0 else 0
