"""Pooling primitives, NHWC (the K function in pool.py transposes
channels_first data).  pool2d_backprop's own gradient is written with these
ops, so second derivatives work."""
from .._shapes import fmt
from .. import _reference as R
from ._registry import register, apply
from .conv import check_rank, conv_out_hw, _pads

def _pool_infer(inputs, pool, strides, padding, mode):
    x, = inputs
    check_rank('pool2d', 'the input', x.shape)
    hw = conv_out_hw('pool2d', x.shape, pool, strides, padding, (1, 1))
    return (x.shape[0],) + hw + (x.shape[3],), x.dtype


def _pool_forward(x, pool, strides, padding, mode):
    pads = _pads(x.shape, pool, strides, padding, (1, 1))
    return R.pool2d_forward(x, pool, strides, pads, mode)


def _pool_grad(n, g, needs):
    return [apply('pool2d_backprop', g, n.inputs[0], **n.attrs)]


def _pool_backprop_infer(inputs, pool, strides, padding, mode):
    g, x = inputs
    (expected, _) = _pool_infer([x], pool, strides, padding, mode)
    check_rank('pool2d_backprop', 'the gradient', g.shape)
    if not all(a is None or b is None or a == b for a, b in zip(expected, g.shape)):
        raise ValueError(f'pool2d_backprop: the gradient {fmt(g.shape)} does not fit the input '
                         f'{fmt(x.shape)}: expected {fmt(expected)}')
    return x.shape, g.dtype


def _pool_backprop_forward(g, x, pool, strides, padding, mode):
    pads = _pads(x.shape, pool, strides, padding, (1, 1))
    return R.pool2d_backward(g, x, pool, strides, pads, mode)


def _pool_backprop_grad(n, gg, needs):
    # Linear in g; the dependence on x is piecewise constant (no gradient).
    g, x = n.inputs
    if n.attrs['mode'] == 'avg':
        dg = apply('pool2d', gg, **n.attrs)
    else:
        attrs = {k: v for k, v in n.attrs.items() if k != 'mode'}
        dg = apply('max_pool2d_select', gg, x, **attrs)
    return [dg, None]


def _select_infer(inputs, pool, strides, padding):
    v, x = inputs
    check_rank('max_pool2d_select', 'the values', v.shape)
    if not all(a is None or b is None or a == b for a, b in zip(v.shape, x.shape)):
        raise ValueError(f'max_pool2d_select: values {fmt(v.shape)} and input {fmt(x.shape)} '
                         'must have the same shape')
    shape, _ = _pool_infer([x], pool, strides, padding, 'max')
    return shape, v.dtype


def _select_forward(v, x, pool, strides, padding):
    pads = _pads(x.shape, pool, strides, padding, (1, 1))
    return R.max_pool2d_select(v, x, pool, strides, pads)


def _select_grad(n, g, needs):
    v, x = n.inputs
    return [apply('pool2d_backprop', g, x, mode='max', **n.attrs), None]


register('pool2d', _pool_infer, _pool_forward, _pool_grad)
register('pool2d_backprop', _pool_backprop_infer, _pool_backprop_forward, _pool_backprop_grad)
register('max_pool2d_select', _select_infer, _select_forward, _select_grad)
