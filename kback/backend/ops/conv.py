"""Convolution primitives in either data format (a `data_format` attr), computed
by the compiled kernels of _kernels.conv.

Every backward is an op whose own gradient rule is written with these ops:
all are linear in each input, so second derivatives work.  Ops whose output
has the input's shape (the backprop_input ops) take the input shape as an
int32 vector (run time) plus its static shape as the `x_shape` attr.
"""
import numpy as np

from .. import _shapes
from .._kernels import conv as KC
from .._shapes import fmt
from .._dtypes import result_dtype, is_float
from ..tensor import Tensor, as_tensor
from ._registry import register, apply
from .fused import bias_grad


# -- argument and shape checks (also used by the K functions) ------------------

def check_pool_mode(op, mode):
    if mode not in ('max', 'avg'):
        raise ValueError(f"{op}: pool_mode must be 'max' or 'avg', got {mode!r}")
    return mode


def check_float(op, *tensors):
    for t in tensors:
        if not is_float(t.dtype):
            raise ValueError(f'{op}: expects float tensors, got {t.dtype} for shape {fmt(t.shape)}')


def check_rank(op, what, shape):
    if len(shape) != 4:
        raise ValueError(f'{op}: {what} must have rank 4, got shape {fmt(shape)}')


def conv_out_hw(op, x_shape, kernel_hw, strides, padding, dilation, spatial=(1, 2),
                kernel_shape=None):
    """Output spatial sizes; ValueError when a 'valid' window exceeds the input."""
    out = []
    for axis, k, s, d in zip(spatial, kernel_hw, strides, dilation):
        length = x_shape[axis]
        span = (k - 1) * d + 1
        if padding == 'valid' and length is not None and length < span:
            what = (f'kernel {fmt(kernel_shape)} (dilated window {span})'
                    if kernel_shape is not None else f'pool size {fmt(kernel_hw)}')
            raise ValueError(f"{op}: the {what} is larger than the input {fmt(x_shape)} "
                             "with 'valid' padding")
        out.append(_shapes.conv_output_length(length, k, padding, s, d))
    return tuple(out)


def check_conv(op, x_shape, k_shape, channel_axis=3):
    """Ranks, a known kernel window and matching channels of x and kernel."""
    check_rank(op, 'the input', x_shape)
    check_rank(op, 'the kernel', k_shape)
    if k_shape[0] is None or k_shape[1] is None:
        raise ValueError(f'{op}: the kernel window must be known, got kernel shape {fmt(k_shape)}')
    c, kc = x_shape[channel_axis], k_shape[2]
    if c is not None and kc is not None and c != kc:
        raise ValueError(f'{op}: the input {fmt(x_shape)} has {c} channels but the kernel '
                         f'{fmt(k_shape)} expects {kc} input channels')


def _pads(x_shape, ksize, strides, padding, dilation, data_format='channels_last'):
    """Resolved ((top, bottom), (left, right)) of an input of shape x_shape."""
    spatial = _spatial(data_format)
    return tuple(_shapes.conv_pads(int(x_shape[spatial[a]]), ksize[a], padding, strides[a],
                                   dilation[a]) for a in (0, 1))


def _spatial(data_format):
    return (1, 2) if data_format == 'channels_last' else (2, 3)


def _channel_axis(data_format):
    return 3 if data_format == 'channels_last' else 1


def _in_layout(data_format, n, hw, c):
    return (n,) + tuple(hw) + (c,) if data_format == 'channels_last' else (n, c) + tuple(hw)


def _mul(a, b):
    return None if a is None or b is None else a * b


# -- conv2d and depthwise_conv2d ----------------------------------------------------
# Every op takes a data_format attr ('channels_last' when absent); kernels are
# (kh, kw, in, out) (depthwise (kh, kw, in, multiplier)) in both formats.

# name -> (compiled forward, backprop input, backprop kernel, output channels)
_FAMILY = {
    'conv2d': (KC.conv2d, KC.conv2d_backprop_input, KC.conv2d_backprop_kernel,
               lambda c, k: k[3]),
    'depthwise_conv2d': (KC.depthwise_conv2d, KC.depthwise_conv2d_backprop_input,
                         KC.depthwise_conv2d_backprop_kernel, lambda c, k: _mul(c, k[3])),
}


def _conv_infer(family):
    out_channels = _FAMILY[family][3]

    def infer(inputs, strides, padding, dilation, data_format='channels_last'):
        x, w = inputs
        _shapes.check_data_format(family, data_format)
        axis = _channel_axis(data_format)
        check_conv(family, x.shape, w.shape, axis)
        c = x.shape[axis] if x.shape[axis] is not None else w.shape[2]
        hw = conv_out_hw(family, x.shape, w.shape[:2], strides, padding, dilation,
                         _spatial(data_format), kernel_shape=w.shape)
        shape = _in_layout(data_format, x.shape[0], hw, out_channels(c, w.shape))
        return shape, result_dtype(x.dtype, w.dtype)
    return infer


def _conv_forward(family):
    kernel = _FAMILY[family][0]

    def forward(x, w, strides, padding, dilation, data_format='channels_last'):
        pads = _pads(x.shape, w.shape[:2], strides, padding, dilation, data_format)
        return kernel(x, w, strides, pads, dilation, data_format)
    return forward


def _bpi_infer(family):
    out_channels = _FAMILY[family][3]
    op = family + '_backprop_input'

    def infer(inputs, x_shape, strides, padding, dilation, data_format='channels_last'):
        g, w, shape = inputs
        _shapes.check_data_format(op, data_format)
        axis = _channel_axis(data_format)
        check_conv(op, x_shape, w.shape, axis)
        check_rank(op, 'the gradient', g.shape)
        if shape.shape not in ((4,), (None,)):
            raise ValueError(f'{op}: the input shape must be a vector of 4 ints, '
                             f'got a tensor of shape {fmt(shape.shape)}')
        c = x_shape[axis] if x_shape[axis] is not None else w.shape[2]
        hw = conv_out_hw(op, x_shape, w.shape[:2], strides, padding, dilation,
                         _spatial(data_format), kernel_shape=w.shape)
        expected = _in_layout(data_format, x_shape[0], hw, out_channels(c, w.shape))
        if not all(a is None or b is None or a == b for a, b in zip(expected, g.shape)):
            raise ValueError(f'{op}: the gradient {fmt(g.shape)} does not fit an input of shape '
                             f'{fmt(x_shape)} and kernel {fmt(w.shape)}: expected {fmt(expected)}')
        known = _in_layout(data_format, g.shape[0], (None, None), c)
        full = tuple(a if a is not None else b for a, b in zip(x_shape, known))
        return full, result_dtype(g.dtype, w.dtype)
    return infer


def _bpi_forward(family):
    kernel = _FAMILY[family][1]

    def forward(g, w, shape, x_shape, strides, padding, dilation, data_format='channels_last'):
        shape = tuple(int(d) for d in shape)
        pads = _pads(shape, w.shape[:2], strides, padding, dilation, data_format)
        return kernel(g, w, shape, strides, pads, dilation, data_format)
    return forward


def _bpk_infer(family):
    op = family + '_backprop_kernel'

    def infer(inputs, kernel_size, strides, padding, dilation, data_format='channels_last'):
        x, g = inputs
        _shapes.check_data_format(op, data_format)
        axis = _channel_axis(data_format)
        check_rank(op, 'the input', x.shape)
        check_rank(op, 'the gradient', g.shape)
        c, o = x.shape[axis], g.shape[axis]
        if family == 'conv2d':
            k_shape = kernel_size + (c, o)
        else:
            if c is not None and o is not None and o % c:
                raise ValueError(f'{op}: the gradient {fmt(g.shape)} has {o} channels, not a '
                                 f'multiple of the {c} channels of the input {fmt(x.shape)}')
            k_shape = kernel_size + (c, None if c is None or o is None else o // c)
        spatial = _spatial(data_format)
        hw = conv_out_hw(op, x.shape, kernel_size, strides, padding, dilation, spatial,
                         kernel_shape=k_shape)
        for a, b in zip((x.shape[0],) + hw, (g.shape[0],) + tuple(g.shape[i] for i in spatial)):
            if a is not None and b is not None and a != b:
                raise ValueError(f'{op}: the gradient {fmt(g.shape)} does not fit the input '
                                 f'{fmt(x.shape)} and a {kernel_size} kernel')
        return k_shape, result_dtype(x.dtype, g.dtype)
    return infer


def _bpk_forward(family):
    kernel = _FAMILY[family][2]

    def forward(x, g, kernel_size, strides, padding, dilation, data_format='channels_last'):
        axis = _channel_axis(data_format)
        c = x.shape[axis]
        o = g.shape[axis] if family == 'conv2d' else g.shape[axis] // max(c, 1)
        pads = _pads(x.shape, kernel_size, strides, padding, dilation, data_format)
        return kernel(x, g, kernel_size + (c, o), strides, pads, dilation, data_format)
    return forward


def _conv_attrs(node):
    attrs = {k: node.attrs[k] for k in ('strides', 'padding', 'dilation')}
    attrs['data_format'] = node.attrs.get('data_format', 'channels_last')
    return attrs


def _conv_grad(family):
    def grad(n, g, needs):
        x, w = n.inputs
        attrs = _conv_attrs(n)
        return [apply(family + '_backprop_input', g, w, apply('shape_of', x), x_shape=x.shape,
                      **attrs) if needs[0] else None,
                apply(family + '_backprop_kernel', x, g, kernel_size=w.shape[:2], **attrs)
                if needs[1] else None]
    return grad


def _bpi_grad(family):
    # out = B(g, w) with <B(g, w), u> = <g, conv(u, w)>.
    def grad(n, gg, needs):
        g, w, _ = n.inputs
        attrs = _conv_attrs(n)
        return [apply(family, gg, w, **attrs) if needs[0] else None,
                apply(family + '_backprop_kernel', gg, g, kernel_size=w.shape[:2], **attrs)
                if needs[1] else None,
                None]
    return grad


def _bpk_grad(family):
    # out = K(x, g) with <K(x, g), v> = <g, conv(x, v)>.
    def grad(n, gg, needs):
        x, g = n.inputs
        attrs = _conv_attrs(n)
        return [apply(family + '_backprop_input', g, gg, apply('shape_of', x), x_shape=x.shape,
                      **attrs) if needs[0] else None,
                apply(family, x, gg, **attrs) if needs[1] else None]
    return grad


for _family in _FAMILY:
    register(_family, _conv_infer(_family), _conv_forward(_family), _conv_grad(_family))
    register(_family + '_backprop_input', _bpi_infer(_family), _bpi_forward(_family),
             _bpi_grad(_family))
    register(_family + '_backprop_kernel', _bpk_infer(_family), _bpk_forward(_family),
             _bpk_grad(_family))


# -- conv2d with its bias added in the same pass -----------------------------------
# K.bias_add(K.conv2d(x, w), b) on the channel axis builds this op: the kernel
# starts each output from the bias instead of making a second pass over it.

def _conv_bias_infer(inputs, strides, padding, dilation, data_format='channels_last'):
    x, w, b = inputs
    shape, dtype = _conv_infer('conv2d')([x, w], strides, padding, dilation, data_format)
    check_float('conv2d_bias', b)
    o = shape[_channel_axis(data_format)]
    if len(b.shape) != 1 or (b.shape[0] is not None and o is not None and b.shape[0] != o):
        raise ValueError(f'conv2d_bias: bias of shape {fmt(b.shape)} does not match the {o} '
                         f'output channels of kernel {fmt(w.shape)}')
    return shape, dtype


def _conv_bias_forward(x, w, b, strides, padding, dilation, data_format='channels_last'):
    pads = _pads(x.shape, w.shape[:2], strides, padding, dilation, data_format)
    return KC.conv2d(x, w, strides, pads, dilation, data_format, bias=b)


def _conv_bias_grad(n, g, needs):
    x, w, _ = n.inputs
    attrs = _conv_attrs(n)
    return [apply('conv2d_backprop_input', g, w, apply('shape_of', x), x_shape=x.shape,
                  **attrs) if needs[0] else None,
            apply('conv2d_backprop_kernel', x, g, kernel_size=w.shape[:2], **attrs)
            if needs[1] else None,
            bias_grad(g, _channel_axis(attrs['data_format'])) if needs[2] else None]


register('conv2d_bias', _conv_bias_infer, _conv_bias_forward, _conv_bias_grad)


def shape_vector(dims):
    """An int32 vector tensor from ints and scalar int tensors."""
    if not any(isinstance(d, Tensor) for d in dims):
        return as_tensor(np.array(dims, dtype='int32'))
    parts = []
    for d in dims:
        if isinstance(d, Tensor):
            if d.shape not in ((), (1,)):
                raise ValueError(f'conv2d_transpose: output_shape entries must be scalars, '
                                 f'got a tensor of shape {fmt(d.shape)}')
            d = apply('reshape', d, shape=(1,))
            if d.dtype != 'int32':
                d = apply('cast', d, dtype='int32')
            parts.append(d)
        else:
            parts.append(as_tensor(np.array([d], dtype='int32')))
    return apply('concatenate', *parts, axis=0)

