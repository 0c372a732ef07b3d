"""Pooling primitives in either data format (attr `data_format`), computed by
the compiled kernels of _kernels/pool.py.  pool2d_backprop's own gradient is
written with these ops, so second derivatives work."""
from .. import _shapes
from .._shapes import fmt
from .._kernels import pool as _pool
from ._registry import register, apply

_FORMATS = ('channels_last', 'channels_first')


# -- argument and shape checks (also used by K.pool2d) ----------------------------

def check_pool_mode(op, mode):
    if mode not in ('max', 'avg'):
        raise ValueError(f"{op}: pool_mode must be 'max' or 'avg', got {mode!r}")
    return mode


def check_rank(op, what, shape):
    if len(shape) != 4:
        raise ValueError(f'{op}: {what} must have rank 4, got shape {fmt(shape)}')


def spatial_axes(data_format):
    if data_format not in _FORMATS:
        raise ValueError(f'Unknown data_format: {data_format!r}')
    return (1, 2) if data_format == 'channels_last' else (2, 3)


def pooled_shape(op, x_shape, pool, strides, padding, data_format):
    """The output shape; ValueError when a 'valid' window exceeds the input."""
    axes = spatial_axes(data_format)
    shape = list(x_shape)
    for axis, k, s in zip(axes, pool, strides):
        length = x_shape[axis]
        if padding == 'valid' and length is not None and length < k:
            raise ValueError(f"{op}: the pool size {fmt(pool)} is larger than the input "
                             f"{fmt(x_shape)} with 'valid' padding")
        shape[axis] = _shapes.conv_output_length(length, k, padding, s)
    return tuple(shape)


def _pads(x_shape, pool, strides, padding, data_format):
    return tuple(_shapes.conv_pads(int(x_shape[a]), k, padding, s)
                 for a, k, s in zip(spatial_axes(data_format), pool, strides))


# -- ops ------------------------------------------------------------------------------

def _pool_infer(inputs, pool, strides, padding, mode, data_format='channels_last'):
    x, = inputs
    check_rank('pool2d', 'the input', x.shape)
    return pooled_shape('pool2d', x.shape, pool, strides, padding, data_format), x.dtype


def _pool_forward(x, pool, strides, padding, mode, data_format='channels_last'):
    pads = _pads(x.shape, pool, strides, padding, data_format)
    return _pool.pool2d_forward(x, pool, strides, pads, mode, data_format)


def _pool_grad(n, g, needs):
    return [apply('pool2d_backprop', g, n.inputs[0], **n.attrs)]


def _pool_backprop_infer(inputs, pool, strides, padding, mode, data_format='channels_last'):
    g, x = inputs
    (expected, _) = _pool_infer([x], pool, strides, padding, mode, data_format)
    check_rank('pool2d_backprop', 'the gradient', g.shape)
    if not all(a is None or b is None or a == b for a, b in zip(expected, g.shape)):
        raise ValueError(f'pool2d_backprop: the gradient {fmt(g.shape)} does not fit the input '
                         f'{fmt(x.shape)}: expected {fmt(expected)}')
    return x.shape, g.dtype


def _pool_backprop_forward(g, x, pool, strides, padding, mode, data_format='channels_last'):
    pads = _pads(x.shape, pool, strides, padding, data_format)
    return _pool.pool2d_backward(g, x, pool, strides, pads, mode, data_format)


def _pool_backprop_grad(n, gg, needs):
    # Linear in g; the dependence on x is piecewise constant (no gradient).
    g, x = n.inputs
    if n.attrs['mode'] == 'avg':
        dg = apply('pool2d', gg, **n.attrs)
    else:
        attrs = {k: v for k, v in n.attrs.items() if k != 'mode'}
        dg = apply('max_pool2d_select', gg, x, **attrs)
    return [dg, None]


def _select_infer(inputs, pool, strides, padding, data_format='channels_last'):
    v, x = inputs
    check_rank('max_pool2d_select', 'the values', v.shape)
    if not all(a is None or b is None or a == b for a, b in zip(v.shape, x.shape)):
        raise ValueError(f'max_pool2d_select: values {fmt(v.shape)} and input {fmt(x.shape)} '
                         'must have the same shape')
    shape, _ = _pool_infer([x], pool, strides, padding, 'max', data_format)
    return shape, v.dtype


def _select_forward(v, x, pool, strides, padding, data_format='channels_last'):
    pads = _pads(x.shape, pool, strides, padding, data_format)
    return _pool.max_pool2d_select(v, x, pool, strides, pads, data_format)


def _select_grad(n, g, needs):
    v, x = n.inputs
    return [apply('pool2d_backprop', g, x, mode='max', **n.attrs), None]


register('pool2d', _pool_infer, _pool_forward, _pool_grad)
register('pool2d_backprop', _pool_backprop_infer, _pool_backprop_forward, _pool_backprop_grad)
register('max_pool2d_select', _select_infer, _select_forward, _select_grad)
