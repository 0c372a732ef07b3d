"""Keras's conv_utils: argument normalisation and conv output sizes for the
convolution and pooling layers.  The size arithmetic is the backend's (K),
the one the conv and pool ops use; these are the Keras-named entry points."""
import numbers

import numpy as np

from .. import backend as K


def normalize_tuple(value, n, name):
    """An int or n ints as a tuple of n ints; ValueError otherwise."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value),) * n
    try:
        values = tuple(value)
    except TypeError:
        values = None
    if values is None or len(values) != n or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
        raise ValueError(f'The `{name}` argument must be an int or a tuple of {n} integers. '
                         f'Received: {value!r}')
    return tuple(int(v) for v in values)


def normalize_padding(value, allowed=('valid', 'same', 'causal'), layer=None):
    """Lower-cased padding name, one of `allowed`; ValueError otherwise."""
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        extra = '' if 'causal' in allowed else ' ("causal" is only for Conv1D)'
        where = f'{layer}: ' if layer else ''
        raise ValueError(f'{where}the `padding` argument must be one of '
                         f'{", ".join(repr(a) for a in allowed)}{extra}; received {value!r}')
    return padding


def check_positive(layer, name, values):
    """values (a tuple of ints) unchanged; ValueError if any is below 1."""
    if any(v < 1 for v in values):
        raise ValueError(f'{layer}: `{name}` must be positive, got {values}')
    return values


def normalize_data_format(value):
    return K.normalize_data_format(value)


def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    """Output length of a convolution ('causal' keeps the length, as 'same')."""
    if padding == 'causal':
        padding = 'same'
    return K.conv_output_length(input_length, filter_size, padding, stride, dilation)


def conv_input_length(output_length, filter_size, padding, stride):
    """The input length whose convolution has output_length: a transposed
    convolution's output length with no output padding."""
    return K.deconv_output_length(output_length, filter_size, padding, stride, 0)


def deconv_length(dim_size, stride_size, kernel_size, padding, output_padding, dilation=1):
    """Output length of a transposed convolution (Keras's argument order)."""
    return K.deconv_output_length(dim_size, kernel_size, padding, stride_size, output_padding,
                                  dilation)


def convert_kernel(kernel):
    """Flips the spatial axes of a (..., in, out) kernel (Theano <-> TensorFlow)."""
    kernel = np.asarray(kernel)
    if not 3 <= kernel.ndim <= 5:
        raise ValueError(f'convert_kernel: invalid kernel shape {kernel.shape}')
    flip = (slice(None, None, -1),) * (kernel.ndim - 2) + (slice(None), slice(None))
    return np.copy(kernel[flip])


# -- connectivity of an unshared-weight (locally connected) convolution ----------------

def conv_output_shape(input_shape, kernel_shape, strides, padding):
    """Spatial output shape of a convolution ('valid' or 'same') of a spatial
    input shape."""
    return tuple(conv_output_length(d, k, padding, s)
                 for d, k, s in zip(input_shape, kernel_shape, strides))


def _axis_connectivity(length, k, stride, padding, out_length):
    """(length, out_length) bool: input i feeds output o along one axis.  As
    Keras does, a 'same' window is centred on o * stride (k // 2 before it)."""
    left = k // 2
    centre = np.arange(out_length) * stride + (left if padding == 'valid' else 0)
    start = np.maximum(centre - left, 0)
    end = np.minimum(centre + k - left, length)
    i = np.arange(length)[:, None]
    return (i >= start[None, :]) & (i < end[None, :])


def conv_kernel_mask(input_shape, kernel_shape, strides, padding):
    """Bool array of shape input_shape + output_shape (spatial dims only):
    True where an input position feeds an output position."""
    if padding not in ('valid', 'same'):
        raise ValueError(f'conv_kernel_mask: padding must be "valid" or "same", got {padding!r}')
    n = len(input_shape)
    if not len(kernel_shape) == len(strides) == n:
        raise ValueError(f'conv_kernel_mask: input_shape {input_shape}, kernel_shape '
                         f'{kernel_shape} and strides {strides} must have the same length')
    out_shape = conv_output_shape(input_shape, kernel_shape, strides, padding)
    mask = np.ones((1,) * (2 * n), dtype=bool)
    for d in range(n):
        axis = _axis_connectivity(input_shape[d], kernel_shape[d], strides[d], padding,
                                  out_shape[d])
        shape = [1] * (2 * n)
        shape[d], shape[n + d] = axis.shape
        mask = mask & axis.reshape(shape)
    return mask


def conv_kernel_idxs(input_shape, kernel_shape, strides, padding, filters_in, filters_out,
                     data_format):
    """Sorted (output index, input index) pairs, over the flattened per-sample
    output and input in data_format's layout, of the weights of an
    unshared-weight convolution (every channel pair of connected positions)."""
    if data_format not in ('channels_first', 'channels_last'):
        raise ValueError(f'conv_kernel_idxs: unknown data_format {data_format!r}')
    mask = conv_kernel_mask(input_shape, kernel_shape, strides, padding)
    n = len(input_shape)
    in_sp, out_sp = tuple(range(n)), tuple(range(n, 2 * n))
    # Axes of the connectivity over (output layout, input layout).
    conn = np.transpose(mask, out_sp + in_sp)
    if data_format == 'channels_last':
        conn = np.expand_dims(np.expand_dims(conn, n), 2 * n + 1)    # out..., F, in..., C
        tile = [1] * n + [filters_out] + [1] * n + [filters_in]
    else:
        conn = np.expand_dims(np.expand_dims(conn, 0), n + 1)        # F, out..., C, in...
        tile = [filters_out] + [1] * n + [filters_in] + [1] * n
    conn = np.tile(conn, tile)
    out_size = int(np.prod(conn.shape[:n + 1]))
    rows, cols = np.nonzero(conn.reshape(out_size, -1))
    return list(zip(rows.tolist(), cols.tolist()))
