"""Pooling primitives of rank 2 and 3 in either data format (attr
`data_format`): pool2d/pool3d, their backprops and the max 'select' that
second derivatives use.  One family: the rank is the window's length, the
inference below is the only validator (the kernels trust the attrs), and each
backprop's own gradient is written with these ops, so second derivatives work.
Rank 2 runs the compiled kernels of _kernels/pool.py, rank 3 the numpy ones
of _kernels/pool3d.py."""
from .. import _shapes
from .._shapes import fmt
from .._kernels import pool as KP, pool3d as KV
from ._registry import register, apply
from .conv import check_float

# rank -> (forward, backprop, max select) kernels.
_KERNELS = {2: (KP.pool2d_forward, KP.pool2d_backprop, KP.max_pool2d_select),
            3: (KV.pool3d_forward, KV.pool3d_backprop, KV.max_pool3d_select)}


def _names(rank):
    return f'pool{rank}d', f'pool{rank}d_backprop', f'max_pool{rank}d_select'


def pooled_shape(op, x_shape, pool, strides, padding, data_format):
    """The output shape; ValueError naming op when the arguments do not fit x."""
    if min(pool) < 1:
        _shapes.check_positive(op, 'pool_size', pool)
    geo = _shapes.conv_geometry(op, x_shape, pool, strides, padding, (1,) * len(pool),
                                data_format, 'pool size')
    return _shapes.layout_shape(data_format, geo.batch, geo.out_spatial, geo.channels)


def _pads(op, x_shape, pool, strides, padding, data_format):
    """Resolved pads of a run-time shape (checked: it may have been unknown)."""
    return _shapes.conv_geometry(op, x_shape, pool, strides, padding, (1,) * len(pool),
                                 data_format).pads


def _register(rank):
    name, backprop, select = _names(rank)
    forward_kernel, backprop_kernel, select_kernel = _KERNELS[rank]

    def pool_infer(inputs, pool, strides, padding, mode, data_format='channels_last'):
        x, = inputs
        _shapes.check_pool_mode(name, mode)
        if mode == 'avg':
            check_float(name, x)
        return pooled_shape(name, x.shape, pool, strides, padding, data_format), x.dtype

    def pool_forward(x, pool, strides, padding, mode, data_format='channels_last'):
        pads = _pads(name, x.shape, pool, strides, padding, data_format)
        return forward_kernel(x, pool, strides, pads, mode, data_format)

    def pool_grad(n, g, needs):
        return [apply(backprop, g, n.inputs[0], **n.attrs)]

    def backprop_infer(inputs, pool, strides, padding, mode, data_format='channels_last'):
        g, x = inputs
        _shapes.check_pool_mode(backprop, mode)
        expected = pooled_shape(backprop, x.shape, pool, strides, padding, data_format)
        _shapes.check_rank(backprop, 'the gradient', g.shape, rank + 2)
        if not _shapes.agree(expected, g.shape):
            raise ValueError(f'{backprop}: the gradient {fmt(g.shape)} does not fit the input '
                             f'{fmt(x.shape)}: expected {fmt(expected)}')
        return x.shape, g.dtype

    def backprop_forward(g, x, pool, strides, padding, mode, data_format='channels_last'):
        pads = _pads(backprop, x.shape, pool, strides, padding, data_format)
        return backprop_kernel(g, x, pool, strides, pads, mode, data_format)

    def backprop_grad(n, gg, needs):
        # Linear in g; the dependence on x is piecewise constant (no gradient).
        g, x = n.inputs
        if n.attrs['mode'] == 'avg':
            return [apply(name, gg, **n.attrs), None]
        attrs = {k: v for k, v in n.attrs.items() if k != 'mode'}
        return [apply(select, gg, x, **attrs), None]

    def select_infer(inputs, pool, strides, padding, data_format='channels_last'):
        v, x = inputs
        _shapes.check_rank(select, 'the values', v.shape, rank + 2)
        if not _shapes.agree(v.shape, x.shape):
            raise ValueError(f'{select}: values {fmt(v.shape)} and input {fmt(x.shape)} '
                             'must have the same shape')
        return pooled_shape(select, x.shape, pool, strides, padding, data_format), v.dtype

    def select_forward(v, x, pool, strides, padding, data_format='channels_last'):
        pads = _pads(select, x.shape, pool, strides, padding, data_format)
        return select_kernel(v, x, pool, strides, pads, data_format)

    def select_grad(n, g, needs):
        v, x = n.inputs
        return [apply(backprop, g, x, mode='max', **n.attrs), None]

    register(name, pool_infer, pool_forward, pool_grad)
    register(backprop, backprop_infer, backprop_forward, backprop_grad)
    register(select, select_infer, select_forward, select_grad)


for _rank in _KERNELS:
    _register(_rank)
