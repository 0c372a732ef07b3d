"""3D convolution and pooling primitives in either data format (attr
`data_format`), computed by the numpy kernels of _conv3d_kernels.

As for the 2D ops, every backward is an op whose gradient is written with
these ops (all linear in each input), so second derivatives work.  Kernels
are (kd, kh, kw, in, out) in both data formats.
"""
from .. import _shapes
from .. import _conv3d_kernels as KV
from .._shapes import fmt
from .._dtypes import result_dtype, is_float
from ._registry import register, apply


# -- argument and shape checks (also used by the K functions) ------------------

def check_rank(op, what, shape):
    if len(shape) != 5:
        raise ValueError(f'{op}: {what} must have rank 5, got shape {fmt(shape)}')


def check_float(op, *tensors):
    for t in tensors:
        if not is_float(t.dtype):
            raise ValueError(f'{op}: expects float tensors, got {t.dtype} for shape {fmt(t.shape)}')


def channel_axis(data_format):
    return 4 if data_format == 'channels_last' else 1


def spatial(data_format):
    return (1, 2, 3) if data_format == 'channels_last' else (2, 3, 4)


def layout(data_format, n, dhw, c):
    return (n,) + tuple(dhw) + (c,) if data_format == 'channels_last' else (n, c) + tuple(dhw)


def out_dhw(op, x_shape, window, strides, padding, dilation, data_format, what):
    """Output spatial sizes; ValueError when a 'valid' window exceeds the input."""
    out = []
    for axis, k, s, d in zip(spatial(data_format), window, strides, dilation):
        length = x_shape[axis]
        span = (k - 1) * d + 1
        if padding == 'valid' and length is not None and length < span:
            raise ValueError(f"{op}: the {what} (window {span}) is larger than the input "
                             f"{fmt(x_shape)} with 'valid' padding")
        out.append(_shapes.conv_output_length(length, k, padding, s, d))
    return tuple(out)


def check_conv(op, x_shape, k_shape, data_format):
    _shapes.check_data_format(op, data_format)
    check_rank(op, 'the input', x_shape)
    check_rank(op, 'the kernel', k_shape)
    if None in k_shape[:3]:
        raise ValueError(f'{op}: the kernel window must be known, got kernel shape {fmt(k_shape)}')
    c, kc = x_shape[channel_axis(data_format)], k_shape[3]
    if c is not None and kc is not None and c != kc:
        raise ValueError(f'{op}: the input {fmt(x_shape)} has {c} channels but the kernel '
                         f'{fmt(k_shape)} expects {kc} input channels')


def _pads(shape, window, strides, padding, dilation, data_format):
    return tuple(_shapes.conv_pads(int(shape[a]), k, padding, s, d)
                 for a, k, s, d in zip(spatial(data_format), window, strides, dilation))


def _fits(expected, actual):
    return all(a is None or b is None or a == b for a, b in zip(expected, actual))


# -- conv3d and its two backward ops ------------------------------------------------

def _conv_infer(inputs, strides, padding, dilation, data_format='channels_last'):
    x, w = inputs
    check_conv('conv3d', x.shape, w.shape, data_format)
    dhw = out_dhw('conv3d', x.shape, w.shape[:3], strides, padding, dilation, data_format,
                  f'kernel {fmt(w.shape)}')
    return layout(data_format, x.shape[0], dhw, w.shape[4]), result_dtype(x.dtype, w.dtype)


def _conv_forward(x, w, strides, padding, dilation, data_format='channels_last'):
    pads = _pads(x.shape, w.shape[:3], strides, padding, dilation, data_format)
    return KV.conv3d(x, w, strides, pads, dilation, data_format)


def _bpi_infer(inputs, x_shape, strides, padding, dilation, data_format='channels_last'):
    op = 'conv3d_backprop_input'
    g, w, shape = inputs
    check_conv(op, x_shape, w.shape, data_format)
    check_rank(op, 'the gradient', g.shape)
    if shape.shape not in ((5,), (None,)):
        raise ValueError(f'{op}: the input shape must be a vector of 5 ints, got a tensor of '
                         f'shape {fmt(shape.shape)}')
    dhw = out_dhw(op, x_shape, w.shape[:3], strides, padding, dilation, data_format,
                  f'kernel {fmt(w.shape)}')
    expected = layout(data_format, x_shape[0], dhw, w.shape[4])
    if not _fits(expected, g.shape):
        raise ValueError(f'{op}: the gradient {fmt(g.shape)} does not fit an input of shape '
                         f'{fmt(x_shape)} and kernel {fmt(w.shape)}: expected {fmt(expected)}')
    c = x_shape[channel_axis(data_format)]
    known = layout(data_format, g.shape[0], (None,) * 3, w.shape[3] if c is None else c)
    full = tuple(a if a is not None else b for a, b in zip(x_shape, known))
    return full, result_dtype(g.dtype, w.dtype)


def _bpi_forward(g, w, shape, x_shape, strides, padding, dilation, data_format='channels_last'):
    shape = tuple(int(d) for d in shape)
    if len(shape) != 5:
        raise ValueError(f'conv3d_backprop_input: the input shape must have 5 entries, got {shape}')
    pads = _pads(shape, w.shape[:3], strides, padding, dilation, data_format)
    return KV.conv3d_backprop_input(g, w, shape, strides, pads, dilation, data_format)


def _bpk_infer(inputs, kernel_size, strides, padding, dilation, data_format='channels_last'):
    op = 'conv3d_backprop_kernel'
    x, g = inputs
    _shapes.check_data_format(op, data_format)
    check_rank(op, 'the input', x.shape)
    check_rank(op, 'the gradient', g.shape)
    axis = channel_axis(data_format)
    k_shape = tuple(kernel_size) + (x.shape[axis], g.shape[axis])
    dhw = out_dhw(op, x.shape, kernel_size, strides, padding, dilation, data_format,
                  f'kernel {fmt(k_shape)}')
    expected = layout(data_format, x.shape[0], dhw, g.shape[axis])
    if not _fits(expected, g.shape):
        raise ValueError(f'{op}: the gradient {fmt(g.shape)} does not fit the input '
                         f'{fmt(x.shape)} and a {tuple(kernel_size)} kernel')
    return k_shape, result_dtype(x.dtype, g.dtype)


def _bpk_forward(x, g, kernel_size, strides, padding, dilation, data_format='channels_last'):
    axis = channel_axis(data_format)
    pads = _pads(x.shape, kernel_size, strides, padding, dilation, data_format)
    return KV.conv3d_backprop_kernel(x, g, tuple(kernel_size) + (x.shape[axis], g.shape[axis]),
                                     strides, pads, dilation, data_format)


def _attrs(node):
    attrs = {k: node.attrs[k] for k in ('strides', 'padding', 'dilation')}
    attrs['data_format'] = node.attrs.get('data_format', 'channels_last')
    return attrs


def _conv_grad(n, g, needs):
    x, w = n.inputs
    attrs = _attrs(n)
    return [apply('conv3d_backprop_input', g, w, apply('shape_of', x), x_shape=x.shape, **attrs)
            if needs[0] else None,
            apply('conv3d_backprop_kernel', x, g, kernel_size=w.shape[:3], **attrs)
            if needs[1] else None]


def _bpi_grad(n, gg, needs):
    # out = B(g, w) with <B(g, w), u> = <g, conv3d(u, w)>.
    g, w, _ = n.inputs
    attrs = _attrs(n)
    return [apply('conv3d', gg, w, **attrs) if needs[0] else None,
            apply('conv3d_backprop_kernel', gg, g, kernel_size=w.shape[:3], **attrs)
            if needs[1] else None,
            None]


def _bpk_grad(n, gg, needs):
    # out = K(x, g) with <K(x, g), v> = <g, conv3d(x, v)>.
    x, g = n.inputs
    attrs = _attrs(n)
    return [apply('conv3d_backprop_input', g, gg, apply('shape_of', x), x_shape=x.shape,
                  **attrs) if needs[0] else None,
            apply('conv3d', x, gg, **attrs) if needs[1] else None]


register('conv3d', _conv_infer, _conv_forward, _conv_grad)
register('conv3d_backprop_input', _bpi_infer, _bpi_forward, _bpi_grad)
register('conv3d_backprop_kernel', _bpk_infer, _bpk_forward, _bpk_grad)


# -- pool3d ---------------------------------------------------------------------------

_UNIT = (1, 1, 1)


def pooled_shape(op, x_shape, pool, strides, padding, data_format):
    _shapes.check_data_format(op, data_format)
    check_rank(op, 'the input', x_shape)
    dhw = out_dhw(op, x_shape, pool, strides, padding, _UNIT, data_format,
                  f'pool size {fmt(pool)}')
    shape = list(x_shape)
    for axis, d in zip(spatial(data_format), dhw):
        shape[axis] = d
    return tuple(shape)


def _pool_pads(shape, pool, strides, padding, data_format):
    return _pads(shape, pool, strides, padding, _UNIT, data_format)


def _pool_infer(inputs, pool, strides, padding, mode, data_format='channels_last'):
    x, = inputs
    return pooled_shape('pool3d', x.shape, pool, strides, padding, data_format), x.dtype


def _pool_forward(x, pool, strides, padding, mode, data_format='channels_last'):
    pads = _pool_pads(x.shape, pool, strides, padding, data_format)
    return KV.pool3d(x, pool, strides, pads, mode, data_format)


def _pool_grad(n, g, needs):
    return [apply('pool3d_backprop', g, n.inputs[0], **n.attrs)]


def _backprop_infer(inputs, pool, strides, padding, mode, data_format='channels_last'):
    g, x = inputs
    expected = pooled_shape('pool3d_backprop', x.shape, pool, strides, padding, data_format)
    check_rank('pool3d_backprop', 'the gradient', g.shape)
    if not _fits(expected, g.shape):
        raise ValueError(f'pool3d_backprop: the gradient {fmt(g.shape)} does not fit the input '
                         f'{fmt(x.shape)}: expected {fmt(expected)}')
    return x.shape, g.dtype


def _backprop_forward(g, x, pool, strides, padding, mode, data_format='channels_last'):
    pads = _pool_pads(x.shape, pool, strides, padding, data_format)
    return KV.pool3d_backprop(g, x, pool, strides, pads, mode, data_format)


def _backprop_grad(n, gg, needs):
    # Linear in g; piecewise constant in x (no gradient).
    g, x = n.inputs
    if n.attrs['mode'] == 'avg':
        return [apply('pool3d', gg, **n.attrs), None]
    attrs = {k: v for k, v in n.attrs.items() if k != 'mode'}
    return [apply('max_pool3d_select', gg, x, **attrs), None]


def _select_infer(inputs, pool, strides, padding, data_format='channels_last'):
    v, x = inputs
    check_rank('max_pool3d_select', 'the values', v.shape)
    if not _fits(v.shape, x.shape):
        raise ValueError(f'max_pool3d_select: values {fmt(v.shape)} and input {fmt(x.shape)} '
                         'must have the same shape')
    return pooled_shape('max_pool3d_select', x.shape, pool, strides, padding, data_format), v.dtype


def _select_forward(v, x, pool, strides, padding, data_format='channels_last'):
    pads = _pool_pads(x.shape, pool, strides, padding, data_format)
    return KV.max_pool3d_select(v, x, pool, strides, pads, data_format)


def _select_grad(n, g, needs):
    v, x = n.inputs
    return [apply('pool3d_backprop', g, x, mode='max', **n.attrs), None]


register('pool3d', _pool_infer, _pool_forward, _pool_grad)
register('pool3d_backprop', _backprop_infer, _backprop_forward, _backprop_grad)
register('max_pool3d_select', _select_infer, _select_forward, _select_grad)
