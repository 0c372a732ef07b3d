"""Convolution: the Keras-2 backend functions.

The conv ops take the data_format as an attr and run natively in either
layout (no transposes).  Kernels are (kh, kw, in, out) in both data formats,
as in Keras with TensorFlow.  _to_nhwc/_from_nhwc serve the pooling ops.
Arguments are checked against the caller's layout so that errors show the
shapes as given.
"""
import numpy as np

from . import config, _shapes
from ._shapes import fmt
from .tensor import Tensor, as_operands
from .ops import apply
from .ops import conv as _conv

_TO_NHWC = (0, 2, 3, 1)
_TO_NCHW = (0, 3, 1, 2)


def _data_format(op, data_format):
    try:
        return config.normalize_data_format(data_format)
    except ValueError as e:
        raise ValueError(f'{op}: {e}') from None


def _layout(data_format):
    """(channel axis, spatial axes) of a 4-D tensor."""
    return (3, (1, 2)) if data_format == 'channels_last' else (1, (2, 3))


def _to_nhwc(x, data_format):
    return x if data_format == 'channels_last' else apply('transpose', x, perm=_TO_NHWC)


def _from_nhwc(x, data_format):
    return x if data_format == 'channels_last' else apply('transpose', x, perm=_TO_NCHW)


def _nhwc_shape(shape, data_format):
    return shape if data_format == 'channels_last' else tuple(shape[p] for p in _TO_NHWC)


def _conv_args(op, x, kernel, strides, padding, data_format, dilation_rate):
    """Checked arguments of a conv: (data_format, op attrs)."""
    data_format = _data_format(op, data_format)
    attrs = dict(strides=_shapes.check_window(op, strides, 'strides'),
                 padding=_shapes.check_padding(op, padding),
                 dilation=_shapes.check_window(op, dilation_rate, 'dilation_rate'))
    channel_axis, spatial = _layout(data_format)
    _conv.check_conv(op, x.shape, kernel.shape, channel_axis)
    _conv.check_float(op, x, kernel)
    _conv.conv_out_hw(op, x.shape, kernel.shape[:2], attrs['strides'], attrs['padding'],
                      attrs['dilation'], spatial, kernel.shape)
    attrs['data_format'] = data_format
    return data_format, attrs


def conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None,
           dilation_rate=(1, 1)):
    """2D convolution; kernel (kh, kw, in_channels, out_channels)."""
    x, kernel = as_operands(x, kernel)
    data_format, attrs = _conv_args('conv2d', x, kernel, strides, padding, data_format,
                                    dilation_rate)
    return apply('conv2d', x, kernel, **attrs)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None,
                     dilation_rate=(1, 1)):
    """Per-channel convolution; kernel (kh, kw, in_channels, multiplier), output
    channel c * multiplier + m comes from input channel c."""
    x, kernel = as_operands(x, depthwise_kernel)
    data_format, attrs = _conv_args('depthwise_conv2d', x, kernel, strides, padding,
                                    data_format, dilation_rate)
    return apply('depthwise_conv2d', x, kernel, **attrs)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid',
                     data_format=None, dilation_rate=(1, 1)):
    """depthwise_conv2d followed by a 1x1 conv2d with pointwise_kernel
    (1, 1, in_channels * multiplier, out_channels)."""
    op = 'separable_conv2d'
    x, dk, pk = as_operands(x, depthwise_kernel, pointwise_kernel)
    data_format, attrs = _conv_args(op, x, dk, strides, padding, data_format, dilation_rate)
    _conv.check_rank(op, 'the pointwise kernel', pk.shape)
    _conv.check_float(op, pk)
    c = x.shape[_layout(data_format)[0]]
    c = dk.shape[2] if c is None else c
    mid = None if c is None or dk.shape[3] is None else c * dk.shape[3]
    if pk.shape[:2] != (1, 1) or (mid is not None and pk.shape[2] not in (None, mid)):
        raise ValueError(f'{op}: the pointwise kernel must have shape (1, 1, {mid}, filters) '
                         f'for the input {fmt(x.shape)} and depthwise kernel {fmt(dk.shape)}, '
                         f'got {fmt(pk.shape)}')
    y = apply('depthwise_conv2d', x, dk, **attrs)
    return apply('conv2d', y, pk, strides=(1, 1), padding='valid', dilation=(1, 1),
                 data_format=data_format)


def _output_dims(op, output_shape, x, ndim=4):
    """(static dims, int32 shape vector) of an ndim-entry output_shape in the
    data format's layout, whose entries are ints, scalar tensors, or None for
    the batch size."""
    if isinstance(output_shape, Tensor):
        if output_shape.shape not in ((ndim,), (None,)) or \
                output_shape.dtype[:3] not in ('int', 'uin'):
            raise ValueError(f'{op}: output_shape must be {ndim} ints, got a '
                             f'{output_shape.dtype} tensor of shape {fmt(output_shape.shape)}')
        vec = output_shape
        if vec.dtype != 'int32':
            vec = apply('cast', vec, dtype='int32')
        return (None,) * ndim, vec
    try:
        dims = list(output_shape)
    except TypeError:
        raise ValueError(f'{op}: output_shape must be a tuple of {ndim} ints, '
                         f'got {output_shape!r}') from None
    if len(dims) != ndim:
        raise ValueError(f'{op}: output_shape must have {ndim} entries, got {output_shape!r}')
    for i, d in enumerate(dims):
        if d is None and i == 0:
            dims[0] = apply('getitem', apply('shape_of', x), index=(0,))
        elif isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0:
            dims[i] = int(d)
        elif not isinstance(d, Tensor):
            raise ValueError(f'{op}: output_shape entries must be positive ints, scalar tensors '
                             f'or None (batch only), got {output_shape!r}')
    static = tuple(d if isinstance(d, int) else None for d in dims)
    if output_shape[0] is None:
        static = (x.shape[0],) + static[1:]
    return static, _conv.shape_vector(dims)


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding='valid',
                     data_format=None, dilation_rate=(1, 1)):
    """Transposed convolution: the adjoint (input gradient) of conv2d.  The
    kernel is (kh, kw, out_channels, in_channels), output_shape is in the
    data_format's layout and must be one whose conv2d has x's spatial size."""
    op = 'conv2d_transpose'
    x, kernel = as_operands(x, kernel)
    data_format = _data_format(op, data_format)
    strides = _shapes.check_window(op, strides, 'strides')
    dilation = _shapes.check_window(op, dilation_rate, 'dilation_rate')
    padding = _shapes.check_padding(op, padding)
    channel_axis, _ = _layout(data_format)
    _conv.check_rank(op, 'the input', x.shape)
    _conv.check_rank(op, 'the kernel', kernel.shape)
    _conv.check_float(op, x, kernel)
    kh, kw, k_out, k_in = kernel.shape
    if kh is None or kw is None:
        raise ValueError(f'{op}: the kernel window must be known, got kernel shape {fmt(kernel.shape)}')
    c = x.shape[channel_axis]
    if c is not None and k_in is not None and c != k_in:
        raise ValueError(f'{op}: the input {fmt(x.shape)} has {c} channels but the kernel '
                         f'{fmt(kernel.shape)} expects {k_in} (kernel is (kh, kw, out, in))')
    static, vec = _output_dims(op, output_shape, x)
    if static[channel_axis] is None:
        static = static[:channel_axis] + (k_out,) + static[channel_axis + 1:]
    layout_static = static
    static = _nhwc_shape(static, data_format)     # the checks below read NHWC
    xn_shape = _nhwc_shape(x.shape, data_format)
    if static[3] is not None and k_out is not None and static[3] != k_out:
        raise ValueError(f'{op}: output_shape {output_shape} has {static[3]} channels but the '
                         f'kernel {fmt(kernel.shape)} gives {k_out}')
    if None not in (static[0], xn_shape[0]) and static[0] != xn_shape[0]:
        raise ValueError(f'{op}: output_shape {output_shape} has batch size {static[0]}, '
                         f'the input {fmt(x.shape)} has {xn_shape[0]}')
    for axis, k, s, d in zip((1, 2), (kh, kw), strides, dilation):
        out, length = static[axis], xn_shape[axis]
        if out is None:
            continue
        if padding == 'valid' and out < (k - 1) * d + 1:
            back = -1
        else:
            back = _shapes.conv_output_length(out, k, padding, s, d)
        if length is not None and back != length:
            raise ValueError(
                f'{op}: output_shape {output_shape} does not fit the input {fmt(x.shape)}: '
                f'a conv2d of size {out} with kernel {fmt(kernel.shape)}, strides {strides}, '
                f"dilation {dilation} and '{padding}' padding has size {back} != {length}")
    return apply('conv2d_backprop_input', x, kernel, vec, x_shape=layout_static,
                 strides=strides, padding=padding, dilation=dilation, data_format=data_format)
