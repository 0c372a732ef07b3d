"""Convolution primitives of rank 2 and 3 in either data format (a
`data_format` attr): conv2d, depthwise_conv2d and conv3d, each with its two
backprop ops, and conv2d_bias.  One family: the rank is the kernel's number
of spatial axes, and the inference below is the only validator of their
arguments (the K functions only normalise Keras's, the kernels trust them).

Every backprop is an op whose own gradient rule is written with these ops:
all are linear in each input, so second derivatives work.  The backprop_input
ops (output shaped like the input) take the input shape as an int32 vector
(run time) plus its static shape as the `x_shape` attr.  Kernels are
(k..., in, out) (depthwise: (kh, kw, in, multiplier)) in both data formats.
"""
import numpy as np

from .. import _shapes
from .._kernels import conv as KC, conv3d as KV
from .._shapes import fmt, channel_axis
from .._dtypes import result_dtype, is_float
from ._registry import register, apply
from .fused import bias_grad

# name -> (spatial rank, forward, backprop input, backprop kernel) kernels.
_FAMILY = {
    'conv2d': (2, KC.conv2d, KC.conv2d_backprop_input, KC.conv2d_backprop_kernel),
    'depthwise_conv2d': (2, KC.depthwise_conv2d, KC.depthwise_conv2d_backprop_input,
                         KC.depthwise_conv2d_backprop_kernel),
    'conv3d': (3, KV.conv3d, KV.conv3d_backprop_input, KV.conv3d_backprop_kernel),
}


def check_float(op, *tensors):
    for t in tensors:
        if not is_float(t.dtype):
            raise ValueError(f'{op}: expects float tensors, got {t.dtype} for shape {fmt(t.shape)}')


def _mul(a, b):
    return None if a is None or b is None else a * b


def _geometry(op, family, x_shape, w_shape, strides, padding, dilation, data_format):
    """(geometry, input channels, output channels) of a conv of an input of
    x_shape with a kernel of w_shape; ValueError naming op when they do not fit."""
    rank = _FAMILY[family][0]
    _shapes.check_rank(op, 'the kernel', w_shape, rank + 2)
    if None in w_shape[:rank]:
        raise ValueError(f'{op}: the kernel window must be known, got kernel shape {fmt(w_shape)}')
    geo = _shapes.conv_geometry(op, x_shape, w_shape[:rank], strides, padding, dilation,
                                data_format, 'kernel', w_shape)
    c, kc = geo.channels, w_shape[rank]
    if c is not None and kc is not None and c != kc:
        raise ValueError(f'{op}: the input {fmt(x_shape)} has {c} channels but the kernel '
                         f'{fmt(w_shape)} expects {kc} input channels')
    c = kc if c is None else c
    o = _mul(c, w_shape[-1]) if family == 'depthwise_conv2d' else w_shape[-1]
    return geo, c, o


def _pads(op, x_shape, window, strides, padding, dilation, data_format):
    """Resolved pads of a run-time shape, checked: shapes unknown when the node
    was built are validated here."""
    return _shapes.conv_geometry(op, x_shape, window, strides, padding, dilation,
                                 data_format).pads


# -- the conv ops and their backprops ----------------------------------------------
# Every op takes a data_format attr ('channels_last' when absent).

def _conv_infer(family):
    def infer(inputs, strides, padding, dilation, data_format='channels_last'):
        x, w = inputs
        check_float(family, x, w)
        geo, _, o = _geometry(family, family, x.shape, w.shape, strides, padding, dilation,
                              data_format)
        shape = _shapes.layout_shape(data_format, geo.batch, geo.out_spatial, o)
        return shape, result_dtype(x.dtype, w.dtype)
    return infer


def _conv_forward(family):
    rank, kernel = _FAMILY[family][:2]

    def forward(x, w, strides, padding, dilation, data_format='channels_last'):
        pads = _pads(family, x.shape, w.shape[:rank], strides, padding, dilation, data_format)
        if x.size == 0 or w.size == 0:
            return _zeros_out(family, x, w, strides, padding, dilation, data_format)
        return kernel(x, w, strides, pads, dilation, data_format)
    return forward


def _zeros_out(family, x, w, strides, padding, dilation, data_format):
    """A conv with a zero-length batch, channel or filter axis sums nothing:
    zeros, as numpy and TF give (the compiled kernels need a channel)."""
    geo, _, o = _geometry(family, family, x.shape, w.shape, strides, padding, dilation,
                          data_format)
    return np.zeros(_shapes.layout_shape(data_format, geo.batch, geo.out_spatial, o),
                    np.result_type(x.dtype, w.dtype))


def _bpi_infer(family):
    op = family + '_backprop_input'
    rank = _FAMILY[family][0]

    def infer(inputs, x_shape, strides, padding, dilation, data_format='channels_last'):
        g, w, shape = inputs
        check_float(op, g, w)
        geo, c, o = _geometry(op, family, x_shape, w.shape, strides, padding, dilation,
                              data_format)
        _shapes.check_rank(op, 'the gradient', g.shape, rank + 2)
        if shape.shape not in ((rank + 2,), (None,)):
            raise ValueError(f'{op}: the input shape must be a vector of {rank + 2} ints, '
                             f'got a tensor of shape {fmt(shape.shape)}')
        gc = g.shape[channel_axis(data_format, rank + 2)]
        if None not in (gc, o) and gc != o:
            raise ValueError(f'{op}: the gradient {fmt(g.shape)} has {gc} channels but the '
                             f'kernel {fmt(w.shape)} gives {o} (for a transposed conv: the '
                             f'input channels, which the kernel (k..., out, in) expects last)')
        expected = _shapes.layout_shape(data_format, geo.batch, geo.out_spatial, o)
        if not _shapes.agree(expected, g.shape):
            raise ValueError(f'{op}: the gradient {fmt(g.shape)} does not fit an input of shape '
                             f'{fmt(x_shape)} and kernel {fmt(w.shape)} (strides {strides}, '
                             f"dilation {dilation}, '{padding}' padding): expected "
                             f'{fmt(expected)}')
        known = _shapes.layout_shape(data_format, g.shape[0], (None,) * rank, c)
        full = tuple(a if a is not None else b for a, b in zip(x_shape, known))
        return full, result_dtype(g.dtype, w.dtype)
    return infer


def _bpi_forward(family):
    rank, kernel = _FAMILY[family][0], _FAMILY[family][2]
    op = family + '_backprop_input'

    def forward(g, w, shape, x_shape, strides, padding, dilation, data_format='channels_last'):
        shape = tuple(int(d) for d in shape)
        pads = _pads(op, shape, w.shape[:rank], strides, padding, dilation, data_format)
        if g.size == 0 or w.size == 0:      # nothing to sum (see _zeros_out)
            return np.zeros(shape, np.result_type(g.dtype, w.dtype))
        return kernel(g, w, shape, strides, pads, dilation, data_format)
    return forward


def _bpk_kernel_shape(op, family, x_shape, g_shape, kernel_size, data_format):
    """The kernel shape a backprop_kernel op returns."""
    axis = channel_axis(data_format, len(x_shape))
    c, o = x_shape[axis], g_shape[axis]
    if family == 'depthwise_conv2d':
        if c is not None and o is not None and o % c:
            raise ValueError(f'{op}: the gradient {fmt(g_shape)} has {o} channels, not a '
                             f'multiple of the {c} channels of the input {fmt(x_shape)}')
        o = None if c is None or o is None else o // c
    return tuple(kernel_size) + (c, o)


def _bpk_infer(family):
    op = family + '_backprop_kernel'
    rank = _FAMILY[family][0]

    def infer(inputs, kernel_size, strides, padding, dilation, data_format='channels_last'):
        x, g = inputs
        check_float(op, x, g)
        _shapes.check_data_format(op, data_format)
        _shapes.check_rank(op, 'the input', x.shape, rank + 2)
        _shapes.check_rank(op, 'the gradient', g.shape, rank + 2)
        k_shape = _bpk_kernel_shape(op, family, x.shape, g.shape, kernel_size, data_format)
        geo, _, o = _geometry(op, family, x.shape, k_shape, strides, padding, dilation,
                              data_format)
        expected = _shapes.layout_shape(data_format, geo.batch, geo.out_spatial, o)
        if not _shapes.agree(expected, g.shape):
            raise ValueError(f'{op}: the gradient {fmt(g.shape)} does not fit the input '
                             f'{fmt(x.shape)} and a {tuple(kernel_size)} kernel: expected '
                             f'{fmt(expected)}')
        return k_shape, result_dtype(x.dtype, g.dtype)
    return infer


def _bpk_forward(family):
    op = family + '_backprop_kernel'
    kernel = _FAMILY[family][3]

    def forward(x, g, kernel_size, strides, padding, dilation, data_format='channels_last'):
        pads = _pads(op, x.shape, kernel_size, strides, padding, dilation, data_format)
        k_shape = _bpk_kernel_shape(op, family, x.shape, g.shape, kernel_size, data_format)
        if x.size == 0 or g.size == 0:      # nothing to sum (see _zeros_out)
            return np.zeros(k_shape, np.result_type(x.dtype, g.dtype))
        return kernel(x, g, k_shape, strides, pads, dilation, data_format)
    return forward


def _conv_attrs(node):
    attrs = {k: node.attrs[k] for k in ('strides', 'padding', 'dilation')}
    attrs['data_format'] = node.attrs.get('data_format', 'channels_last')
    return attrs


def _grads(family, x, w, g, needs, attrs):
    """The input and kernel gradients of <g, family(x, w)>."""
    window = w.shape[:_FAMILY[family][0]]
    return [apply(family + '_backprop_input', g, w, apply('shape_of', x), x_shape=x.shape,
                  **attrs) if needs[0] else None,
            apply(family + '_backprop_kernel', x, g, kernel_size=window, **attrs)
            if needs[1] else None]


def _conv_grad(family):
    def grad(n, g, needs):
        x, w = n.inputs
        return _grads(family, x, w, g, needs, _conv_attrs(n))
    return grad


def _bpi_grad(family):
    # out = B(g, w) with <B(g, w), u> = <g, conv(u, w)>.
    window = slice(0, _FAMILY[family][0])

    def grad(n, gg, needs):
        g, w, _ = n.inputs
        attrs = _conv_attrs(n)
        return [apply(family, gg, w, **attrs) if needs[0] else None,
                apply(family + '_backprop_kernel', gg, g, kernel_size=w.shape[window], **attrs)
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

_conv2d_infer, _conv2d_forward = _conv_infer('conv2d'), _conv_forward('conv2d')


def _conv_bias_infer(inputs, strides, padding, dilation, data_format='channels_last'):
    x, w, b = inputs
    shape, dtype = _conv2d_infer([x, w], strides, padding, dilation, data_format)
    check_float('conv2d_bias', b)
    o = shape[channel_axis(data_format, 4)]
    if len(b.shape) != 1 or (b.shape[0] is not None and o is not None and b.shape[0] != o):
        raise ValueError(f'conv2d_bias: bias of shape {fmt(b.shape)} does not match the {o} '
                         f'output channels of kernel {fmt(w.shape)}')
    return shape, dtype


def _conv_bias_forward(x, w, b, strides, padding, dilation, data_format='channels_last'):
    pads = _pads('conv2d_bias', x.shape, w.shape[:2], strides, padding, dilation, data_format)
    if x.size == 0 or w.size == 0:
        out = _zeros_out('conv2d', x, w, strides, padding, dilation, data_format)
        return out + (b if data_format == 'channels_last' else b[:, None, None])
    return KC.conv2d(x, w, strides, pads, dilation, data_format, bias=b)


def _conv_bias_grad(n, g, needs):
    x, w, _ = n.inputs
    attrs = _conv_attrs(n)
    return _grads('conv2d', x, w, g, needs, attrs) + [
        bias_grad(g, channel_axis(attrs['data_format'], 4)) if needs[2] else None]


register('conv2d_bias', _conv_bias_infer, _conv_bias_forward, _conv_bias_grad)

