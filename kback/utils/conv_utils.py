"""Keras's conv_utils: argument normalisation and conv output sizes for the
convolution and pooling layers.  Size arithmetic lives in
kback.backend._shapes; these are the Keras-named entry points."""
import numbers

import numpy as np

from ..backend import _shapes


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
    from .. import backend as K
    return K.normalize_data_format(value)


def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    """Output length of a convolution ('causal' keeps the length, as 'same')."""
    if padding == 'causal':
        padding = 'same'
    return _shapes.conv_output_length(input_length, filter_size, padding, stride, dilation)


def conv_input_length(output_length, filter_size, padding, stride):
    """The input length whose convolution has output_length."""
    if output_length is None:
        return None
    pad = {'same': filter_size // 2, 'valid': 0, 'full': filter_size - 1}[padding]
    return (output_length - 1) * stride - 2 * pad + filter_size


def deconv_length(dim_size, stride_size, kernel_size, padding, output_padding, dilation=1):
    """Output length of a transposed convolution (Keras's argument order)."""
    return _shapes.deconv_output_length(dim_size, kernel_size, padding, stride_size,
                                        output_padding, dilation)


def convert_kernel(kernel):
    """Flips the spatial axes of a (..., in, out) kernel (Theano <-> TensorFlow)."""
    kernel = np.asarray(kernel)
    if not 3 <= kernel.ndim <= 5:
        raise ValueError(f'convert_kernel: invalid kernel shape {kernel.shape}')
    flip = (slice(None, None, -1),) * (kernel.ndim - 2) + (slice(None), slice(None))
    return np.copy(kernel[flip])
