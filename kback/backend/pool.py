"""Pooling: the Keras-2 backend functions of rank 2 and 3.  They only
normalise Keras's arguments; the pool ops' shape inference checks them."""
from ._shapes import to_tuple
from .tensor import as_tensor
from .ops import apply
from .conv import _data_format, _padding


def _pool(op, rank, x, pool_size, strides, padding, data_format, pool_mode):
    return apply(op, as_tensor(x), pool=to_tuple(op, pool_size, rank, 'pool_size'),
                 strides=to_tuple(op, strides, rank, 'strides'), padding=_padding(padding),
                 mode=pool_mode, data_format=_data_format(data_format))


def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    """2D max or average pooling of a 4D tensor, in either data format.

    With `'same'` padding, average pooling divides by the number of real
    (unpadded) values in each window, as TensorFlow does.

    Arguments:
        x: a 4D tensor.
        pool_size: a pair of ints, the window's size.
        strides: a pair of ints, the step of the window.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        pool_mode: `'max'` or `'avg'`.

    Returns:
        A 4D tensor in the same layout.

    Raises:
        ValueError: if `x` is not 4D, or an argument is out of range or
            unknown.
    """
    return _pool('pool2d', 2, x, pool_size, strides, padding, data_format, pool_mode)


def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None,
           pool_mode='max'):
    """3D max or average pooling of a 5D tensor, in either data format.

    With `'same'` padding, average pooling divides by the number of real
    (unpadded) values in each window, as TensorFlow does.

    Arguments:
        x: a 5D tensor.
        pool_size: a tuple of 3 ints, the window's size.
        strides: a tuple of 3 ints, the step of the window.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        pool_mode: `'max'` or `'avg'`.

    Returns:
        A 5D tensor in the same layout.

    Raises:
        ValueError: if `x` is not 5D, or an argument is out of range or
            unknown.
    """
    return _pool('pool3d', 3, x, pool_size, strides, padding, data_format, pool_mode)
