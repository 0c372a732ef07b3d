"""Keras 2.3's 1D and locally-connected convolutions, composed from K
functions: conv1d and separable_conv1d run the 2D kernels over a unit spatial
axis; local_conv1d/2d gather every output position's patch and apply its own
weights with one batch_dot."""
import builtins

from . import config
from ._shapes import fmt
from .tensor import Tensor, as_operands
from .ops import apply
from .conv import conv2d, separable_conv2d
from .math import batch_dot
from .shape import temporal_padding, reshape, concatenate, permute_dimensions


def _int1(fn, value, name):
    """An int, or a tuple/list holding one int."""
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise ValueError(f'{fn}: {name} must be an int or a 1-tuple, got {value!r}')
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f'{fn}: {name} must be a positive int, got {value!r}')
    return value


def _to_2d(fn, x, data_format):
    """(N, L, C) -> (N, 1, L, C) or (N, C, L) -> (N, C, 1, L); returns the unit axis."""
    if len(x.shape) != 3:
        raise ValueError(f'{fn}: expects a 3D input, got shape {fmt(x.shape)}')
    axis = 1 if data_format == 'channels_last' else 2
    return apply('expand_dims', x, axes=(axis,)), axis


def _check_kernel(fn, kernel, rank, name):
    if len(kernel.shape) != rank:
        raise ValueError(f'{fn}: {name} must have rank {rank}, got shape {fmt(kernel.shape)}')


def conv1d(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    """A 1D convolution.

    Arguments:
        x: a 3D input tensor, `(batch, steps, channels)` or channels first.
        kernel: a 3D tensor `(length, in_channels, out_channels)`.
        strides: an int, the step of the window.
        padding: `'valid'`, `'same'` or `'causal'` (channels last only: left
            padding by `dilation_rate * (length - 1)`, so step `t` sees no
            later input).
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: an int, the spacing of the window's taps.

    Returns:
        A 3D tensor.

    Raises:
        ValueError: if the shapes do not match or an argument is out of range.
    """
    fn = 'conv1d'
    x, kernel = as_operands(x, kernel)
    data_format = config.normalize_data_format(data_format)
    strides = _int1(fn, strides, 'strides')
    dilation_rate = _int1(fn, dilation_rate, 'dilation_rate')
    _check_kernel(fn, kernel, 3, 'kernel')
    if padding == 'causal':
        if data_format != 'channels_last':
            raise ValueError('conv1d: when using causal padding, `data_format` must be '
                             '"channels_last" (temporal data)')
        if len(x.shape) != 3:
            raise ValueError(f'{fn}: expects a 3D input, got shape {fmt(x.shape)}')
        x = temporal_padding(x, (dilation_rate * (kernel.shape[0] - 1), 0))
        padding = 'valid'
    x2, axis = _to_2d(fn, x, data_format)
    y = conv2d(x2, apply('expand_dims', kernel, axes=(0,)), (1, strides), padding,
               data_format, (1, dilation_rate))
    return apply('squeeze', y, axes=(axis,))


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding='valid',
                     data_format=None, dilation_rate=1):
    """A depthwise separable 1D convolution.

    Arguments:
        x: a 3D input tensor.
        depthwise_kernel: a 3D tensor `(length, in_channels, multiplier)`.
        pointwise_kernel: a 3D tensor
            `(1, in_channels * multiplier, out_channels)`.
        strides: an int, the step of the window.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: an int, the spacing of the window's taps.

    Returns:
        A 3D tensor.

    Raises:
        ValueError: if the shapes do not match or an argument is out of range.
    """
    fn = 'separable_conv1d'
    x, depthwise_kernel, pointwise_kernel = as_operands(x, depthwise_kernel, pointwise_kernel)
    data_format = config.normalize_data_format(data_format)
    strides = _int1(fn, strides, 'strides')
    dilation_rate = _int1(fn, dilation_rate, 'dilation_rate')
    _check_kernel(fn, depthwise_kernel, 3, 'depthwise_kernel')
    _check_kernel(fn, pointwise_kernel, 3, 'pointwise_kernel')
    x2, axis = _to_2d(fn, x, data_format)
    y = separable_conv2d(x2, apply('expand_dims', depthwise_kernel, axes=(0,)),
                         apply('expand_dims', pointwise_kernel, axes=(0,)), (1, strides),
                         padding, data_format, (1, dilation_rate))
    return apply('squeeze', y, axes=(axis,))


def _pair(fn, value, name):
    if isinstance(value, Tensor) or not isinstance(value, (list, tuple)) or len(value) != 2 or \
            not builtins.all(isinstance(v, int) and not isinstance(v, bool) and v >= 1
                             for v in value):
        raise ValueError(f'{fn}: {name} must be a pair of positive ints, got {value!r}')
    return tuple(value)


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """A 1D convolution with unshared weights (each output step its own kernel).

    Output step `i` sees input steps `[i * stride, i * stride + kernel_size)`.

    Arguments:
        inputs: a 3D tensor `(batch, steps, input_dim)`.
        kernel: a 3D tensor
            `(output_length, kernel_size * input_dim, filters)`.
        kernel_size: an int or a tuple of one int.
        strides: an int or a tuple of one int.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Returns:
        A 3D tensor `(batch, output_length, filters)`.

    Raises:
        ValueError: if the shapes do not match.
    """
    fn = 'local_conv1d'
    inputs, kernel = as_operands(inputs, kernel)
    config.normalize_data_format(data_format)
    k = _int1(fn, kernel_size, 'kernel_size')
    stride = _int1(fn, strides, 'strides')
    if len(inputs.shape) != 3 or len(kernel.shape) != 3:
        raise ValueError(f'{fn}: expects 3D inputs and kernel, got {fmt(inputs.shape)} and '
                         f'{fmt(kernel.shape)}')
    output_length, feature_dim, _ = kernel.shape
    steps = inputs.shape[1]
    if output_length is None or (steps is not None and (output_length - 1) * stride + k > steps):
        raise ValueError(f'{fn}: a kernel of shape {fmt(kernel.shape)} (kernel_size {k}, stride '
                         f'{stride}) does not fit inputs of shape {fmt(inputs.shape)}')
    xs = [reshape(inputs[:, i * stride:i * stride + k, :], (1, -1, feature_dim))
          for i in range(output_length)]
    out = batch_dot(concatenate(xs, axis=0), kernel)   # (output_length, batch, filters)
    return permute_dimensions(out, (1, 0, 2))


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """A 2D convolution with unshared weights (each output position its own
    kernel).

    Arguments:
        inputs: a 4D tensor.
        kernel: a 3D tensor
            `(output_rows * output_cols, rows * cols * channels, filters)`; the
            patches are flattened in the input's layout.
        kernel_size: a pair of ints.
        strides: a pair of ints.
        output_shape: the pair `(output_rows, output_cols)`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Returns:
        A 4D tensor in the input's layout with `filters` channels.

    Raises:
        ValueError: if the shapes do not match.
    """
    fn = 'local_conv2d'
    inputs, kernel = as_operands(inputs, kernel)
    data_format = config.normalize_data_format(data_format)
    kh, kw = _pair(fn, kernel_size, 'kernel_size')
    sh, sw = _pair(fn, strides, 'strides')
    rows, cols = _pair(fn, output_shape, 'output_shape')
    if len(inputs.shape) != 4 or len(kernel.shape) != 3:
        raise ValueError(f'{fn}: expects a 4D input and a 3D kernel, got {fmt(inputs.shape)} '
                         f'and {fmt(kernel.shape)}')
    if kernel.shape[0] is not None and kernel.shape[0] != rows * cols:
        raise ValueError(f'{fn}: kernel of shape {fmt(kernel.shape)} has {kernel.shape[0]} '
                         f'positions, output_shape {(rows, cols)} needs {rows * cols}')
    feature_dim = kernel.shape[1]
    xs = []
    for i in range(rows):
        for j in range(cols):
            r, c = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            patch = inputs[:, :, r, c] if data_format == 'channels_first' else inputs[:, r, c, :]
            xs.append(reshape(patch, (1, -1, feature_dim)))
    out = batch_dot(concatenate(xs, axis=0), kernel)     # (rows * cols, batch, filters)
    out = reshape(out, (rows, cols, -1, kernel.shape[2]))
    if data_format == 'channels_first':
        return permute_dimensions(out, (2, 3, 0, 1))
    return permute_dimensions(out, (2, 0, 1, 3))
