"""Fused primitives: bias_add (+ relu), softmax / sigmoid crossentropy on
logits, and dropout with a counter-based mask.

Each forward is one compiled pass (kback/backend/_kernels); each gradient is
again a fused primitive, whose own gradient is written with K ops so second
derivatives work.  bias_add_relu's backward yields dz and the bias gradient
db from its one pass as two outputs (ops/multi_output.py).
"""
import numpy as np

from .._kernels import elementwise as _ew, losses as _losses
from .._shapes import fmt, channel_axis
from .._dtypes import is_float, is_int
from ._registry import register, apply, NOT_DIFFERENTIABLE
from .multi_output import apply_multi


def _need_float(name, *tensors):
    for t in tensors:
        if not is_float(t.dtype):
            raise ValueError(f'{name}: expects float tensors, got dtype {t.dtype} '
                             f'(shape {fmt(t.shape)})')


def _check_axis(name, shape, axis):
    if not 0 <= axis < len(shape):
        raise ValueError(f'{name}: axis {axis} is out of range for shape {fmt(shape)}')


def _compatible(a, b):
    return len(a) == len(b) and all(p is None or q is None or p == q for p, q in zip(a, b))


def _without(shape, axis):
    return shape[:axis] + shape[axis + 1:]


def _sum_keep(x, axis):
    return apply('sum', x, axes=(axis,), keepdims=True)


# -- bias_add, bias_add + relu ----------------------------------------------------------
# attrs: axis, the channel axis of x (last, or 1 for channels_first).

def _bias_infer(name):
    def infer(inputs, axis):
        x, b = inputs
        _need_float(name, x, b)
        _check_axis(name, x.shape, axis)
        c = x.shape[axis]
        if len(b.shape) != 1 or (b.shape[0] is not None and c is not None and b.shape[0] != c):
            raise ValueError(f'{name}: bias of shape {fmt(b.shape)} does not match the '
                             f'{c} channels (axis {axis}) of x of shape {fmt(x.shape)}')
        return x.shape, x.dtype
    return infer


def _bias_add_backprop_infer(inputs, axis):
    g, = inputs
    _check_axis('bias_add_backprop', g.shape, axis)
    return (g.shape[axis],), g.dtype


def _broadcast_bias(g, h, axis):
    """h (channels,) spread along every other axis of g: bias_add's adjoint."""
    return apply('bias_add', apply('zeros_like', g), h, axis=axis)


def bias_grad(g, axis):
    """The gradient of a bias added along `axis` of a tensor whose gradient is
    g: a channel sum of g.  When g is a pooling backprop in the same layout,
    the sum is taken over the pooled gradient instead (one pass over a
    quarter of the data for 2x2 pools): every window hands all of its
    gradient to its pixels (max: all to one; avg: shares summing to it), so
    both channel sums are equal, as are their derivatives."""
    if g.op == 'pool2d_backprop' and \
            axis == channel_axis(g.attrs.get('data_format', 'channels_last'), 4):
        g = g.inputs[0]
    return apply('bias_add_backprop', g, axis=axis)


register('bias_add', _bias_infer('bias_add'),
         lambda x, b, axis: _ew.bias_add(x, b, axis),
         lambda n, g, needs: [g, bias_grad(g, n.attrs['axis']) if needs[1] else None])

register('bias_add_backprop', _bias_add_backprop_infer,
         lambda g, axis: _ew.channel_sum(g, axis),
         lambda n, h, needs: [_broadcast_bias(n.inputs[0], h, n.attrs['axis'])])


def _bias_add_relu_grads(n, g, needs):
    dz, db = apply_multi('bias_add_relu_backprop', n, g, axis=n.attrs['axis'])
    return [dz, db if needs[1] else None]


register('bias_add_relu', _bias_infer('bias_add_relu'),
         lambda x, b, axis: _ew.bias_add_relu(x, b, axis), _bias_add_relu_grads)

# bias_add_relu_backprop(y, g) -> (dz, db), both from one pass over y and g:
# dz = g where y > 0 (or y is NaN), else 0; db = the channel sum of dz.


def _bias_add_relu_backprop_infer(inputs, axis):
    y, g = inputs
    _need_float('bias_add_relu_backprop', y, g)
    if not _compatible(y.shape, g.shape):
        raise ValueError(f'bias_add_relu_backprop: y of shape {fmt(y.shape)} and g of shape '
                         f'{fmt(g.shape)} differ')
    _check_axis('bias_add_relu_backprop', g.shape, axis)
    return [(g.shape, g.dtype), ((g.shape[axis],), g.dtype)]


def _bias_add_relu_backprop_grads(n, h, needs):
    # dz is linear in g and piecewise constant in y, db = channel_sum(dz): the
    # adjoint w.r.t. g masks h_dz plus h_db spread over the channels.
    y, g = n.inputs
    axis = n.attrs['axis']
    h_dz, h_db = h.parts
    if h_db is not None:
        h_dz = _broadcast_bias(g, h_db, axis) if h_dz is None else \
            apply('bias_add', h_dz, h_db, axis=axis)
    return [None, apply('relu_backprop', y, h_dz) if needs[1] else None]


register('bias_add_relu_backprop', _bias_add_relu_backprop_infer,
         lambda y, g, axis: _ew.bias_add_relu_backprop(y, g, axis),
         _bias_add_relu_backprop_grads)

# -- softmax crossentropy on logits (dense targets) -------------------------------------
# attrs: axis, the class axis.  loss = -sum(t * log_softmax(x), axis).


def _moved(fn, axis, *arrays):
    """fn on arrays with the class axis moved last, the result moved back."""
    last = arrays[0].ndim - 1
    if axis == last:
        return fn(*arrays)
    return fn(*[np.moveaxis(a, axis, -1) if a.ndim == last + 1 else a for a in arrays])


def _sce_infer(inputs, axis):
    t, x = inputs
    _need_float('softmax_cross_entropy', t, x)
    _check_axis('softmax_cross_entropy', x.shape, axis)
    if not _compatible(t.shape, x.shape):
        raise ValueError(f'softmax_cross_entropy: target shape {fmt(t.shape)} and logits shape '
                         f'{fmt(x.shape)} are not compatible')
    return _without(x.shape, axis), x.dtype


def _sce_grads(n, g, needs):
    t, x = n.inputs
    axis = n.attrs['axis']
    gx = apply('expand_dims', g, axes=(axis,))
    return [-apply('log_softmax', x, axis=axis) * gx if needs[0] else None,
            apply('softmax_cross_entropy_backprop', t, x, g, axis=axis) if needs[1] else None]


register('softmax_cross_entropy', _sce_infer,
         lambda t, x, axis: _moved(_losses.softmax_cross_entropy, axis, t, x), _sce_grads)


def _sce_backprop_infer(inputs, axis):
    t, x, g = inputs
    _sce_infer((t, x), axis)
    if not _compatible(g.shape, _without(x.shape, axis)):
        raise ValueError(f'softmax_cross_entropy_backprop: g of shape {fmt(g.shape)} does not '
                         f'match logits of shape {fmt(x.shape)} (class axis {axis})')
    return x.shape, x.dtype


def _sce_backprop_forward(t, x, g, axis):
    res = _moved(_losses.softmax_cross_entropy_backprop, axis, t, x, g)
    return res if axis == x.ndim - 1 else np.moveaxis(res, -1, axis)


def _softmax_vjp(s, v, axis):
    return s * (v - _sum_keep(v * s, axis))


def _sce_backprop_grads(n, h, needs):
    # n = (s * St - t) * G with s = softmax(x), St = sum(t), G = g on the class axis.
    t, x, g = n.inputs
    axis = n.attrs['axis']
    s = apply('softmax', x, axis=axis)
    st = _sum_keep(t, axis)
    gx = apply('expand_dims', g, axes=(axis,))
    return [(_sum_keep(h * s, axis) - h) * gx if needs[0] else None,
            _softmax_vjp(s, h * st * gx, axis) if needs[1] else None,
            apply('sum', h * (s * st - t), axes=(axis,), keepdims=False) if needs[2] else None]


register('softmax_cross_entropy_backprop', _sce_backprop_infer, _sce_backprop_forward,
         _sce_backprop_grads)

# -- softmax crossentropy on logits, integer labels (class axis last) -------------------------


def _sparse_infer(name, with_g):
    def infer(inputs):
        labels, x = inputs[:2]
        _need_float(name, x)
        if not is_int(labels.dtype):
            raise ValueError(f'{name}: labels must be integers, got dtype {labels.dtype}')
        if len(x.shape) < 1 or not _compatible(labels.shape, x.shape[:-1]):
            raise ValueError(f'{name}: labels of shape {fmt(labels.shape)} do not match logits '
                             f'of shape {fmt(x.shape)}')
        if with_g and not _compatible(inputs[2].shape, x.shape[:-1]):
            raise ValueError(f'{name}: g of shape {fmt(inputs[2].shape)} does not match logits '
                             f'of shape {fmt(x.shape)}')
        return (x.shape if with_g else x.shape[:-1]), x.dtype
    return infer


def _sparse_grads(n, g, needs):
    labels, x = n.inputs
    return [None, apply('sparse_softmax_cross_entropy_backprop', labels, x, g)]


register('sparse_softmax_cross_entropy', _sparse_infer('sparse_softmax_cross_entropy', False),
         _losses.sparse_softmax_cross_entropy, _sparse_grads)


def _sparse_backprop_grads(n, h, needs):
    labels, x, g = n.inputs
    last = len(x.shape) - 1
    s = apply('softmax', x, axis=last)
    gx = apply('expand_dims', g, axes=(last,))
    onehot = apply('one_hot', labels, num_classes=x.shape[-1], dtype=x.dtype)
    return [None, _softmax_vjp(s, h * gx, last) if needs[1] else None,
            apply('sum', h * (s - onehot), axes=(last,), keepdims=False) if needs[2] else None]


register('sparse_softmax_cross_entropy_backprop',
         _sparse_infer('sparse_softmax_cross_entropy_backprop', True),
         _losses.sparse_softmax_cross_entropy_backprop, _sparse_backprop_grads)

# -- sigmoid binary crossentropy on logits ------------------------------------------------------


def _sigmoid_infer(name, n_inputs):
    def infer(inputs):
        _need_float(name, *inputs)
        x = inputs[1]
        for t in inputs:
            if not _compatible(t.shape, x.shape):
                raise ValueError(f'{name}: shapes {", ".join(fmt(i.shape) for i in inputs)} '
                                 'differ')
        return x.shape, x.dtype
    return infer


register('sigmoid_cross_entropy', _sigmoid_infer('sigmoid_cross_entropy', 2),
         _losses.sigmoid_cross_entropy,
         lambda n, g, needs: [-n.inputs[1] * g if needs[0] else None,
                              apply('sigmoid_cross_entropy_backprop', *n.inputs, g)
                              if needs[1] else None])


def _sigmoid_backprop_grads(n, h, needs):
    # n = (sigmoid(x) - z) * g
    z, x, g = n.inputs
    s = apply('sigmoid', x)
    return [-h * g if needs[0] else None,
            h * g * s * (1 - s) if needs[1] else None,
            h * (s - z) if needs[2] else None]


register('sigmoid_cross_entropy_backprop', _sigmoid_infer('sigmoid_cross_entropy_backprop', 3),
         _losses.sigmoid_cross_entropy_backprop, _sigmoid_backprop_grads)

# -- dropout --------------------------------------------------------------------------------------
# dropout_key is the stateful part: [seed, call counter], a new counter at each
# evaluation.  dropout(x, key) is then a pure function, so its gradient
# dropout(g, key) reuses the forward's mask within one run.


class DropoutCounter:
    """How many times a dropout_key node was evaluated."""
    __slots__ = ('count',)

    def __init__(self):
        self.count = 0

    def __repr__(self):
        return f'DropoutCounter({self.count})'


def _key_infer(inputs, seed, counter):
    return (2,), 'int64'


def _key(seed, counter):
    counter.count += 1
    return np.array([seed, counter.count - 1], dtype=np.int64)


register('dropout_key', _key_infer, _key, NOT_DIFFERENTIABLE, stateful=True)


def _dropout_infer(inputs, level, shared_axes):
    x, key = inputs
    _need_float('dropout', x)
    if key.shape != (2,) or not is_int(key.dtype):
        raise ValueError(f'dropout: key must be a (2,) int tensor, got shape {fmt(key.shape)} '
                         f'and dtype {key.dtype}')
    if not 0.0 <= level < 1.0:
        raise ValueError(f'dropout: level must be in [0, 1), got {level}')
    if any(not 0 <= a < len(x.shape) for a in shared_axes):
        raise ValueError(f'dropout: shared axes {shared_axes} are out of range for x of shape '
                         f'{fmt(x.shape)}')
    return x.shape, x.dtype


def _dropout(x, key, level, shared_axes):
    start = _ew.stream_start(int(key[0]), int(key[1]))
    mask_shape = tuple(1 if i in shared_axes else d for i, d in enumerate(x.shape))
    return _ew.dropout(x, level, start, mask_shape)


register('dropout', _dropout_infer, _dropout,
         lambda n, g, needs: [apply('dropout', g, n.inputs[1], **n.attrs), None])
