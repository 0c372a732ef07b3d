"""Convolution: the Keras-2 backend functions of rank 2 and 3.

The conv ops take the data_format as an attr and run natively in either
layout (no transposes); kernels are (k..., in, out) in both data formats, as
in Keras with TensorFlow.  These functions only normalise Keras's arguments
(data_format None -> the config, padding's case, an int -> a tuple, the
transposes' output_shape -> a shape vector); the ops' shape inference checks
them, so errors name the op and show the shapes as given.
"""
import numpy as np

from . import config
from ._shapes import fmt, to_tuple
from .tensor import Tensor, as_operands, as_tensor
from .ops import apply


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _data_format(data_format):
    return config.image_data_format() if data_format is None else _lower(data_format)


def _padding(padding):
    return _lower(padding)


def _conv(op, x, kernel, strides, padding, data_format, dilation_rate, rank):
    x, kernel = as_operands(x, kernel)
    return apply(op, x, kernel, strides=to_tuple(op, strides, rank, 'strides'),
                 padding=_padding(padding),
                 dilation=to_tuple(op, dilation_rate, rank, 'dilation_rate'),
                 data_format=_data_format(data_format))


def conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None,
           dilation_rate=(1, 1)):
    """A 2D convolution.

    Both data formats run natively in the compiled kernels (no transposes);
    results are the same at any thread count.

    Arguments:
        x: a 4D input tensor.
        kernel: a 4D tensor `(rows, cols, in_channels, out_channels)`.
        strides: a pair of ints, the step of the window.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: a pair of ints, the spacing of the window's taps.

    Returns:
        A 4D tensor in the same layout.

    Raises:
        ValueError: if the ranks or channel counts do not match, or an argument
            is out of range (the message names the function and the shapes).
    """
    return _conv('conv2d', x, kernel, strides, padding, data_format, dilation_rate, 2)


def conv3d(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None,
           dilation_rate=(1, 1, 1)):
    """A 3D convolution.

    Arguments:
        x: a 5D input tensor, `(batch, d1, d2, d3, channels)` or channels
            first.
        kernel: a 5D tensor `(k1, k2, k3, in_channels, out_channels)`.
        strides: a tuple of 3 ints, the step of the window.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: a tuple of 3 ints, the spacing of the window's taps.

    Returns:
        A 5D tensor in the same layout.

    Raises:
        ValueError: if the ranks or channel counts do not match, or an argument
            is out of range (the message names the function and the shapes).
    """
    return _conv('conv3d', x, kernel, strides, padding, data_format, dilation_rate, 3)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None,
                     dilation_rate=(1, 1)):
    """A depthwise 2D convolution: each input channel is convolved on its own.

    Output channel `c * multiplier + m` comes from input channel `c`.

    Arguments:
        x: a 4D input tensor.
        depthwise_kernel: a 4D tensor `(rows, cols, in_channels, multiplier)`.
        strides: a pair of ints, the step of the window.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: a pair of ints, the spacing of the window's taps.

    Returns:
        A 4D tensor with `in_channels * multiplier` channels.

    Raises:
        ValueError: if the ranks or channel counts do not match, or an argument
            is out of range (the message names the function and the shapes).
    """
    return _conv('depthwise_conv2d', x, depthwise_kernel, strides, padding, data_format,
                 dilation_rate, 2)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid',
                     data_format=None, dilation_rate=(1, 1)):
    """A depthwise separable 2D convolution: a depthwise convolution followed by a
    1x1 (pointwise) convolution.

    Arguments:
        x: a 4D input tensor.
        depthwise_kernel: a 4D tensor `(rows, cols, in_channels, multiplier)`.
        pointwise_kernel: a 4D tensor
            `(1, 1, in_channels * multiplier, out_channels)`.
        strides: a pair of ints, the step of the window.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: a pair of ints, the spacing of the window's taps.

    Returns:
        A 4D tensor.

    Raises:
        ValueError: if the ranks or channel counts do not match, or an argument
            is out of range (the message names the function and the shapes).
    """
    x, dk, pk = as_operands(x, depthwise_kernel, pointwise_kernel)
    if pk.shape[:2] != (1, 1):      # the conv2d op would take any window
        raise ValueError(f'separable_conv2d: the pointwise kernel must have shape (1, 1, '
                         f'in_channels * depth_multiplier, filters), got {fmt(pk.shape)}')
    y = depthwise_conv2d(x, dk, strides, padding, data_format, dilation_rate)
    return conv2d(y, pk, (1, 1), 'valid', data_format, (1, 1))


def _shape_vector(op, dims):
    """An int32 vector tensor from ints and scalar int tensors."""
    if not any(isinstance(d, Tensor) for d in dims):
        return as_tensor(np.array(dims, dtype='int32'))
    parts = []
    for d in dims:
        if isinstance(d, Tensor):
            if d.shape not in ((), (1,)):
                raise ValueError(f'{op}: output_shape entries must be scalars, '
                                 f'got a tensor of shape {fmt(d.shape)}')
            d = apply('reshape', d, shape=(1,))
            if d.dtype != 'int32':
                d = apply('cast', d, dtype='int32')
            parts.append(d)
        else:
            parts.append(as_tensor(np.array([d], dtype='int32')))
    return apply('concatenate', *parts, axis=0)


def _output_dims(op, output_shape, x, ndim):
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
    return static, _shape_vector(op, dims)


def _conv_transpose(op, rank, x, kernel, output_shape, strides, padding, data_format,
                    dilation_rate):
    """The input gradient of a conv: kernel (k..., out_channels, in_channels);
    output_shape must be a shape whose conv has x's spatial size."""
    x, kernel = as_operands(x, kernel)
    static, vec = _output_dims(op, output_shape, x, rank + 2)
    return apply(f'conv{rank}d_backprop_input', x, kernel, vec, x_shape=static,
                 strides=to_tuple(op, strides, rank, 'strides'), padding=_padding(padding),
                 dilation=to_tuple(op, dilation_rate, rank, 'dilation_rate'),
                 data_format=_data_format(data_format))


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding='valid',
                     data_format=None, dilation_rate=(1, 1)):
    """A transposed 2D convolution (the input gradient of `conv2d`).

    Arguments:
        x: a 4D input tensor.
        kernel: a 4D tensor `(rows, cols, out_channels, in_channels)`.
        output_shape: the output's shape in the data format's layout; a
            `conv2d` of that shape must give `x`'s spatial size.
        strides: a pair of ints, the step of the window.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: a pair of ints, the spacing of the window's taps.

    Returns:
        A 4D tensor of `output_shape`.

    Raises:
        ValueError: if the ranks or channel counts do not match, or an argument
            is out of range (the message names the function and the shapes).
    """
    return _conv_transpose('conv2d_transpose', 2, x, kernel, output_shape, strides, padding,
                           data_format, dilation_rate)


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding='valid',
                     data_format=None):
    """A transposed 3D convolution (the input gradient of `conv3d`).

    Arguments:
        x: a 5D input tensor.
        kernel: a 5D tensor `(k1, k2, k3, out_channels, in_channels)`.
        output_shape: the output's shape in the data format's layout; a
            `conv3d` of that shape must give `x`'s spatial size.
        strides: a tuple of 3 ints, the step of the window.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Returns:
        A 5D tensor of `output_shape`.

    Raises:
        ValueError: if the ranks or channel counts do not match, or an argument
            is out of range (the message names the function and the shapes).
    """
    return _conv_transpose('conv3d_transpose', 3, x, kernel, output_shape, strides, padding,
                           data_format, 1)
