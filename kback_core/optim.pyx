# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Fused in-place optimizer steps over flat contiguous buffers.

Each step reads the gradient once and rewrites the parameter and its slots in
the same pass (Keras 2.3 formulas, computed in the parameter's precision).
Scalars arrive as doubles and are rounded to the buffer type first, so that a
float32 step does the same arithmetic as the composed float32 graph.
"""
from cython.parallel cimport prange
from libc.math cimport sqrt, sqrtf
cimport numpy as cnp

from ._typedefs cimport floating
from . cimport _checks as ck

cnp.import_array()      # the checks use numpy's C API


cdef int _buffers(str op, tuple names, tuple arrays) except -1:
    """param, its slots (written) and grad (read, last): flat buffers of one
    float dtype and length; returns the dtype's type number."""
    cdef int t = ck.array(op, names[0], arrays[0], 1, ck.ANY_FLOAT, True)
    cdef Py_ssize_t i, last = len(arrays) - 1
    cdef Py_ssize_t n = cnp.PyArray_DIMS(<cnp.ndarray>arrays[0])[0]
    for i in range(1, last + 1):
        ck.array(op, names[i], arrays[i], 1, t, i < last)
        if cnp.PyArray_DIMS(<cnp.ndarray>arrays[i])[0] != n:
            raise ValueError(f'{op}: param has {n} elements, {names[i]} has '
                             f'{arrays[i].shape[0]}')
    return t


cdef inline floating _sqrt(floating x) noexcept nogil:
    # gcc vectorises the loops that call this only under -fno-math-errno
    # (sqrt's errno branch is control flow); with it the steps run ~4x faster.
    if floating is float:
        return sqrtf(x)
    else:
        return sqrt(x)



def sgd_step(param, moment, grad, lr, momentum, nesterov, n_threads):
    """v = momentum * m - lr * g; m = v; p += v (nesterov: p += momentum * v - lr * g)."""
    op = 'sgd_step'
    cdef int nt = ck.threads(op, n_threads)
    cdef double lr_ = ck.real(op, 'lr', lr), mu = ck.real(op, 'momentum', momentum)
    cdef bint nes = ck.flag(op, 'nesterov', nesterov)
    if _buffers(op, ('param', 'moment', 'grad'), (param, moment, grad)) == cnp.NPY_FLOAT:
        _sgd[float](param, moment, grad, lr_, mu, nes, nt)
    else:
        _sgd[double](param, moment, grad, lr_, mu, nes, nt)


cdef int _sgd(floating[::1] param, floating[::1] moment, const floating[::1] grad,
              double lr, double momentum, bint nesterov, int n_threads) except -1:
    cdef Py_ssize_t i, n = param.shape[0]
    cdef floating lr_ = <floating>lr, mu = <floating>momentum, v, step
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        step = lr_ * grad[i]
        v = mu * moment[i] - step
        moment[i] = v
        if nesterov:
            param[i] = param[i] + mu * v - step
        else:
            param[i] = param[i] + v
    return 0



def rmsprop_step(param, accum, grad, lr, rho, epsilon, n_threads):
    """a = rho * a + (1 - rho) * g^2; p -= lr * g / (sqrt(a) + epsilon)."""
    op = 'rmsprop_step'
    cdef int nt = ck.threads(op, n_threads)
    cdef double lr_ = ck.real(op, 'lr', lr), rho_ = ck.real(op, 'rho', rho)
    cdef double eps = ck.real(op, 'epsilon', epsilon)
    if _buffers(op, ('param', 'accum', 'grad'), (param, accum, grad)) == cnp.NPY_FLOAT:
        _rmsprop[float](param, accum, grad, lr_, rho_, eps, nt)
    else:
        _rmsprop[double](param, accum, grad, lr_, rho_, eps, nt)


cdef int _rmsprop(floating[::1] param, floating[::1] accum, const floating[::1] grad,
                  double lr, double rho, double epsilon, int n_threads) except -1:
    cdef Py_ssize_t i, n = param.shape[0]
    cdef floating lr_ = <floating>lr, rho_ = <floating>rho, eps = <floating>epsilon
    cdef floating keep = 1 - rho_, g, a
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        g = grad[i]
        a = rho_ * accum[i] + keep * (g * g)
        accum[i] = a
        param[i] = param[i] - lr_ * g / (_sqrt(a) + eps)
    return 0



def adagrad_step(param, accum, grad, lr, epsilon, n_threads):
    """a += g^2; p -= lr * g / (sqrt(a) + epsilon)."""
    op = 'adagrad_step'
    cdef int nt = ck.threads(op, n_threads)
    cdef double lr_ = ck.real(op, 'lr', lr), eps = ck.real(op, 'epsilon', epsilon)
    if _buffers(op, ('param', 'accum', 'grad'), (param, accum, grad)) == cnp.NPY_FLOAT:
        _adagrad[float](param, accum, grad, lr_, eps, nt)
    else:
        _adagrad[double](param, accum, grad, lr_, eps, nt)


cdef int _adagrad(floating[::1] param, floating[::1] accum, const floating[::1] grad,
                  double lr, double epsilon, int n_threads) except -1:
    cdef Py_ssize_t i, n = param.shape[0]
    cdef floating lr_ = <floating>lr, eps = <floating>epsilon, g, a
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        g = grad[i]
        a = accum[i] + g * g
        accum[i] = a
        param[i] = param[i] - lr_ * g / (_sqrt(a) + eps)
    return 0



def adam_step(param, m, v, grad, lr_t, beta_1, beta_2, epsilon, n_threads):
    """m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr_t m / (sqrt(v) + epsilon).

    lr_t already carries the bias correction sqrt(1 - b2^t) / (1 - b1^t)."""
    op = 'adam_step'
    cdef int nt = ck.threads(op, n_threads)
    cdef double lr_ = ck.real(op, 'lr_t', lr_t), b1 = ck.real(op, 'beta_1', beta_1)
    cdef double b2 = ck.real(op, 'beta_2', beta_2), eps = ck.real(op, 'epsilon', epsilon)
    if _buffers(op, ('param', 'm', 'v', 'grad'), (param, m, v, grad)) == cnp.NPY_FLOAT:
        _adam[float](param, m, v, grad, lr_, b1, b2, eps, nt)
    else:
        _adam[double](param, m, v, grad, lr_, b1, b2, eps, nt)


cdef int _adam(floating[::1] param, floating[::1] m, floating[::1] v, const floating[::1] grad,
               double lr_t, double beta_1, double beta_2, double epsilon,
               int n_threads) except -1:
    cdef Py_ssize_t i, n = param.shape[0]
    cdef floating lr_ = <floating>lr_t, b1 = <floating>beta_1, b2 = <floating>beta_2
    cdef floating eps = <floating>epsilon, c1 = 1 - b1, c2 = 1 - b2, g, mt, vt
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        g = grad[i]
        mt = b1 * m[i] + c1 * g
        vt = b2 * v[i] + c2 * (g * g)
        m[i] = mt
        v[i] = vt
        param[i] = param[i] - lr_ * mt / (_sqrt(vt) + eps)
    return 0



def amsgrad_step(param, m, v, vhat, grad, lr_t, beta_1, beta_2, epsilon, n_threads):
    """Adam with vhat = max(vhat, v) in the denominator (AMSGrad)."""
    op = 'amsgrad_step'
    cdef int nt = ck.threads(op, n_threads)
    cdef double lr_ = ck.real(op, 'lr_t', lr_t), b1 = ck.real(op, 'beta_1', beta_1)
    cdef double b2 = ck.real(op, 'beta_2', beta_2), eps = ck.real(op, 'epsilon', epsilon)
    if _buffers(op, ('param', 'm', 'v', 'vhat', 'grad'),
                (param, m, v, vhat, grad)) == cnp.NPY_FLOAT:
        _amsgrad[float](param, m, v, vhat, grad, lr_, b1, b2, eps, nt)
    else:
        _amsgrad[double](param, m, v, vhat, grad, lr_, b1, b2, eps, nt)


cdef int _amsgrad(floating[::1] param, floating[::1] m, floating[::1] v, floating[::1] vhat,
                  const floating[::1] grad, double lr_t, double beta_1, double beta_2,
                  double epsilon, int n_threads) except -1:
    cdef Py_ssize_t i, n = param.shape[0]
    cdef floating lr_ = <floating>lr_t, b1 = <floating>beta_1, b2 = <floating>beta_2
    cdef floating eps = <floating>epsilon, c1 = 1 - b1, c2 = 1 - b2, g, mt, vt, vh
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
    return 0
