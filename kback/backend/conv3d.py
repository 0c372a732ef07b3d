"""Keras 2.3's volumetric backend functions: conv3d, conv3d_transpose, pool3d.

The ops run natively in either data format; kernels are (kd, kh, kw, in,
out) in both, as in Keras with TensorFlow.  Arguments are checked against
the caller's layout so that errors show the shapes as given.
"""
from . import _shapes
from ._shapes import fmt
from .tensor import as_tensor, as_operands
from .ops import apply
from .ops import conv3d as _v
from .conv import _data_format, _output_dims


def conv3d(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None,
           dilation_rate=(1, 1, 1)):
    """3D convolution of (batch, d, h, w, channels) (or channels_first) input;
    kernel (kd, kh, kw, in_channels, out_channels)."""
    op = 'conv3d'
    x, kernel = as_operands(x, kernel)
    data_format = _data_format(op, data_format)
    attrs = dict(strides=_shapes.check_window(op, strides, 'strides', 3),
                 padding=_shapes.check_padding(op, padding),
                 dilation=_shapes.check_window(op, dilation_rate, 'dilation_rate', 3),
                 data_format=data_format)
    _v.check_conv(op, x.shape, kernel.shape, data_format)
    _v.check_float(op, x, kernel)
    return apply('conv3d', x, kernel, **attrs)


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding='valid',
                     data_format=None):
    """Transposed 3D convolution (the input gradient of conv3d).  kernel is
    (kd, kh, kw, out_channels, in_channels); output_shape, in the data
    format's layout, must be a shape whose conv3d has x's spatial size."""
    op = 'conv3d_transpose'
    x, kernel = as_operands(x, kernel)
    data_format = _data_format(op, data_format)
    strides = _shapes.check_window(op, strides, 'strides', 3)
    dilation = (1, 1, 1)    # Keras 2.3's conv3d_transpose has no dilation_rate
    padding = _shapes.check_padding(op, padding)
    _v.check_rank(op, 'the input', x.shape)
    _v.check_rank(op, 'the kernel', kernel.shape)
    _v.check_float(op, x, kernel)
    if None in kernel.shape[:3]:
        raise ValueError(f'{op}: the kernel window must be known, got kernel shape '
                         f'{fmt(kernel.shape)}')
    c_axis = _v.channel_axis(data_format)
    k_out, k_in = kernel.shape[3], kernel.shape[4]
    c = x.shape[c_axis]
    if c is not None and k_in is not None and c != k_in:
        raise ValueError(f'{op}: the input {fmt(x.shape)} has {c} channels but the kernel '
                         f'{fmt(kernel.shape)} expects {k_in} (kernel is (kd, kh, kw, out, in))')
    static, vec = _output_dims(op, output_shape, x, ndim=5)
    if static[c_axis] is None:
        static = static[:c_axis] + (k_out,) + static[c_axis + 1:]
    if static[c_axis] is not None and k_out is not None and static[c_axis] != k_out:
        raise ValueError(f'{op}: output_shape {output_shape} has {static[c_axis]} channels but '
                         f'the kernel {fmt(kernel.shape)} gives {k_out}')
    if None not in (static[0], x.shape[0]) and static[0] != x.shape[0]:
        raise ValueError(f'{op}: output_shape {output_shape} has batch size {static[0]}, the '
                         f'input {fmt(x.shape)} has {x.shape[0]}')
    for axis, k, s, d in zip(_v.spatial(data_format), kernel.shape[:3], strides, dilation):
        out, length = static[axis], x.shape[axis]
        if out is None:
            continue
        if padding == 'valid' and out < (k - 1) * d + 1:
            back = -1
        else:
            back = _shapes.conv_output_length(out, k, padding, s, d)
        if length is not None and back != length:
            raise ValueError(
                f'{op}: output_shape {output_shape} does not fit the input {fmt(x.shape)}: a '
                f'conv3d of size {out} with kernel {fmt(kernel.shape)}, strides {strides}, '
                f"dilation {dilation} and '{padding}' padding has size {back} != {length}")
    return apply('conv3d_backprop_input', x, kernel, vec, x_shape=static, strides=strides,
                 padding=padding, dilation=dilation, data_format=data_format)


def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None,
           pool_mode='max'):
    """Max or average pooling of a 5-D tensor in either data format; 'same'
    average pooling divides by the number of real (unpadded) positions."""
    op = 'pool3d'
    x = as_tensor(x)
    data_format = _data_format(op, data_format)
    pool = _shapes.check_window(op, pool_size, 'pool_size', 3)
    strides = _shapes.check_window(op, strides, 'strides', 3)
    padding = _shapes.check_padding(op, padding)
    if pool_mode not in ('max', 'avg'):
        raise ValueError(f"{op}: pool_mode must be 'max' or 'avg', got {pool_mode!r}")
    _v.check_rank(op, 'the input', x.shape)
    if pool_mode == 'avg':
        _v.check_float(op, x)
    return apply('pool3d', x, pool=pool, strides=strides, padding=padding, mode=pool_mode,
                 data_format=data_format)
