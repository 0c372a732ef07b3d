"""Checks for the fused primitives (ops/fused.py)."""
import numpy as np

from kback import backend as K
from kback.backend.ops import apply
from kback.backend.ops.multi_output import apply_multi
from kback.backend.ops.fused import DropoutCounter
from kback.backend._kernels import elementwise as kew

rng = np.random.RandomState(5)


def r(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape)


def away(*shape):
    """Values at least 0.5 from 0 (relu's kink), either sign."""
    return np.sign(r(*shape)) * rng.uniform(0.5, 2.0, size=shape)


def np_log_softmax(x, axis=-1):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def _bias(b, nd, axis):
    return b.reshape((-1,) + (1,) * (nd - axis - 1))


def _others(nd, axis):
    return tuple(i for i in range(nd) if i != axis)


def _bias_cases(op, relu):
    cases = []
    for shape, axis in (((3, 4), 1), ((2, 3, 5), 2), ((2, 3, 4, 2), 1)):
        b = r(shape[axis], low=-0.2, high=0.2)
        cases.append(dict(build=lambda x, b, axis=axis: apply(op, x, b, axis=axis),
                          inputs=[away(*shape), b],
                          reference=lambda x, b, axis=axis: (np.maximum if relu else np.add)(
                              x + _bias(b, x.ndim, axis), 0 if relu else 0)))
    return cases


def _relu_backprop_ref(y, g, axis):
    dz = np.where(y > 0, g, 0)
    return dz, dz.sum(axis=_others(y.ndim, axis))


def _sce_grad_ref(t, x, g, axis):
    s = np.exp(np_log_softmax(x, axis))
    return (s * t.sum(axis, keepdims=True) - t) * np.expand_dims(g, axis)


_labels = np.array([[2, 0], [4, 1], [3, 3]])
_key = np.array([11, 3])

CHECKS = {
    'bias_add': _bias_cases('bias_add', False),
    'bias_add_relu': _bias_cases('bias_add_relu', True),
    'bias_add_backprop': [dict(build=lambda g, axis=axis: apply('bias_add_backprop', g, axis=axis),
                           inputs=[r(2, 3, 4)],
                           reference=lambda g, axis=axis: g.sum(axis=_others(3, axis)))
                      for axis in (1, 2)],
    # Its two outputs (dz, db), channels at axis 1 and last; gradients w.r.t. g
    # (piecewise constant in y).
    'bias_add_relu_backprop': [
        dict(build=lambda y, g, axis=axis, k=k: apply_multi('bias_add_relu_backprop', y, g,
                                                            axis=axis)[k],
             inputs=[np.maximum(r(3, 4, 2), 0), r(3, 4, 2)],
             reference=lambda y, g, axis=axis, k=k: _relu_backprop_ref(y, g, axis)[k], grad=[1])
        for axis in (1, 2) for k in (0, 1)],
    'softmax_cross_entropy': [
        dict(build=lambda t, x, axis=axis: apply('softmax_cross_entropy', t, x, axis=axis),
             inputs=[r(3, 4, 2, low=0, high=1), r(3, 4, 2)],
             reference=lambda t, x, axis=axis: -(t * np_log_softmax(x, axis)).sum(axis))
        for axis in (2, 1)],
    'softmax_cross_entropy_backprop': [
        dict(build=lambda t, x, g, axis=axis: apply('softmax_cross_entropy_backprop', t, x, g,
                                                    axis=axis),
             inputs=[r(3, 4, 2, low=0, high=1), r(3, 4, 2),
                     r(3, 2) if axis == 1 else r(3, 4)],
             reference=lambda t, x, g, axis=axis: _sce_grad_ref(t, x, g, axis))
        for axis in (2, 1)],
    'sparse_softmax_cross_entropy': [
        dict(build=lambda l, x: apply('sparse_softmax_cross_entropy', l, x),
             inputs=[_labels, r(3, 2, 5)],
             reference=lambda l, x: -np.take_along_axis(np_log_softmax(x), l[..., None],
                                                        -1)[..., 0])],
    'sparse_softmax_cross_entropy_backprop': [
        dict(build=lambda l, x, g: apply('sparse_softmax_cross_entropy_backprop', l, x, g),
             inputs=[_labels, r(3, 2, 5), r(3, 2)],
             reference=lambda l, x, g: (np.exp(np_log_softmax(x)) - np.eye(5)[l]) * g[..., None])],
    'sigmoid_cross_entropy': [
        dict(build=lambda z, x: apply('sigmoid_cross_entropy', z, x),
             inputs=[r(3, 4, low=0, high=1), r(3, 4, low=-4, high=4)],
             reference=lambda z, x: np.logaddexp(0, x) - x * z)],
    'sigmoid_cross_entropy_backprop': [
        dict(build=lambda z, x, g: apply('sigmoid_cross_entropy_backprop', z, x, g),
             inputs=[r(3, 4, low=0, high=1), r(3, 4, low=-4, high=4), r(3, 4)],
             reference=lambda z, x, g: (0.5 + 0.5 * np.tanh(x / 2) - z) * g)],
    'dropout_key': [dict(build=lambda x: apply('dropout_key', seed=9, counter=DropoutCounter()) +
                         K.cast(K.sum(x), 'int64'),
                         inputs=[np.zeros((2,), dtype=np.int64)], reference=None, grad=[])],
    'dropout': [dict(build=lambda x, k, shared=shared: apply('dropout', x, k, level=0.4,
                                                             shared_axes=shared),
                     inputs=[r(4, 3, 5), _key],
                     reference=lambda x, k, shared=shared: kew.dropout(
                         x, 0.4, kew.stream_start(11, 3),
                         tuple(1 if i in shared else d for i, d in enumerate(x.shape))),
                     grad=[0])
                for shared in ((), (1,))],
}
