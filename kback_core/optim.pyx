# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Fused in-place optimizer steps over flat contiguous buffers.

Each step reads the gradient once and rewrites the parameter and its slots in
the same pass (Keras 2.3 formulas, computed in the parameter's precision).
Scalars arrive as doubles and are rounded to the buffer type first, so that a
float32 step does the same arithmetic as the composed float32 graph.
"""
from cython.parallel cimport prange
from libc.math cimport sqrt, sqrtf

from ._typedefs cimport floating


cdef int _check_same(str op, str name, Py_ssize_t n, Py_ssize_t m) except -1:
    if n != m:
        raise ValueError(f'{op}: param has {n} elements, {name} has {m}')
    return 0


cdef inline floating _sqrt(floating x) noexcept nogil:
    # gcc vectorises the loops that call this only under -fno-math-errno
    # (sqrt's errno branch is control flow); with it the steps run ~4x faster.
    if floating is float:
        return sqrtf(x)
    else:
        return sqrt(x)


def sgd_step(floating[::1] param, floating[::1] moment, const floating[::1] grad,
             double lr, double momentum, bint nesterov, int n_threads):
    """v = momentum * m - lr * g; m = v; p += v (nesterov: p += momentum * v - lr * g)."""
    cdef Py_ssize_t i, n = param.shape[0]
    cdef floating lr_ = <floating>lr, mu = <floating>momentum, v, step
    _check_same('sgd_step', 'moment', n, moment.shape[0])
    _check_same('sgd_step', 'grad', n, grad.shape[0])
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        step = lr_ * grad[i]
        v = mu * moment[i] - step
        moment[i] = v
        if nesterov:
            param[i] = param[i] + mu * v - step
        else:
            param[i] = param[i] + v


def rmsprop_step(floating[::1] param, floating[::1] accum, const floating[::1] grad,
                 double lr, double rho, double epsilon, int n_threads):
    """a = rho * a + (1 - rho) * g^2; p -= lr * g / (sqrt(a) + epsilon)."""
    cdef Py_ssize_t i, n = param.shape[0]
    cdef floating lr_ = <floating>lr, rho_ = <floating>rho, eps = <floating>epsilon
    cdef floating keep = 1 - rho_, g, a
    _check_same('rmsprop_step', 'accumulator', n, accum.shape[0])
    _check_same('rmsprop_step', 'grad', n, grad.shape[0])
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        g = grad[i]
        a = rho_ * accum[i] + keep * (g * g)
        accum[i] = a
        param[i] = param[i] - lr_ * g / (_sqrt(a) + eps)


def adagrad_step(floating[::1] param, floating[::1] accum, const floating[::1] grad,
                 double lr, double epsilon, int n_threads):
    """a += g^2; p -= lr * g / (sqrt(a) + epsilon)."""
    cdef Py_ssize_t i, n = param.shape[0]
    cdef floating lr_ = <floating>lr, eps = <floating>epsilon, g, a
    _check_same('adagrad_step', 'accumulator', n, accum.shape[0])
    _check_same('adagrad_step', 'grad', n, grad.shape[0])
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        g = grad[i]
        a = accum[i] + g * g
        accum[i] = a
        param[i] = param[i] - lr_ * g / (_sqrt(a) + eps)


def adam_step(floating[::1] param, floating[::1] m, floating[::1] v, const floating[::1] grad,
              double lr_t, double beta_1, double beta_2, double epsilon, int n_threads):
    """m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr_t m / (sqrt(v) + epsilon).

    lr_t already carries the bias correction sqrt(1 - b2^t) / (1 - b1^t)."""
    cdef Py_ssize_t i, n = param.shape[0]
    cdef floating lr_ = <floating>lr_t, b1 = <floating>beta_1, b2 = <floating>beta_2
    cdef floating eps = <floating>epsilon, c1 = 1 - b1, c2 = 1 - b2, g, mt, vt
    _check_same('adam_step', 'm', n, m.shape[0])
    _check_same('adam_step', 'v', n, v.shape[0])
    _check_same('adam_step', 'grad', n, grad.shape[0])
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        g = grad[i]
        mt = b1 * m[i] + c1 * g
        vt = b2 * v[i] + c2 * (g * g)
        m[i] = mt
        v[i] = vt
        param[i] = param[i] - lr_ * mt / (_sqrt(vt) + eps)


def amsgrad_step(floating[::1] param, floating[::1] m, floating[::1] v, floating[::1] vhat,
                 const floating[::1] grad, double lr_t, double beta_1, double beta_2,
                 double epsilon, int n_threads):
    """Adam with vhat = max(vhat, v) in the denominator (AMSGrad)."""
    cdef Py_ssize_t i, n = param.shape[0]
    cdef floating lr_ = <floating>lr_t, b1 = <floating>beta_1, b2 = <floating>beta_2
    cdef floating eps = <floating>epsilon, c1 = 1 - b1, c2 = 1 - b2, g, mt, vt, vh
    _check_same('amsgrad_step', 'm', n, m.shape[0])
    _check_same('amsgrad_step', 'v', n, v.shape[0])
    _check_same('amsgrad_step', 'vhat', n, vhat.shape[0])
    _check_same('amsgrad_step', 'grad', n, grad.shape[0])
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        g = grad[i]
        mt = b1 * m[i] + c1 * g
        vt = b2 * v[i] + c2 * (g * g)
        vh = vhat[i]
        if vt > vh or vt != vt:     # as np.maximum: a nan propagates
            vh = vt
        m[i] = mt
        v[i] = vt
        vhat[i] = vh
        param[i] = param[i] - lr_ * mt / (_sqrt(vh) + eps)
