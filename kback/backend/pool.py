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
    """Max or average pooling of a 4-D tensor in either data format; 'same'
    average pooling divides by the number of real (unpadded) pixels in each
    window, as TensorFlow does."""
    return _pool('pool2d', 2, x, pool_size, strides, padding, data_format, pool_mode)


def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None,
           pool_mode='max'):
    """Max or average pooling of a 5-D tensor in either data format; 'same'
    average pooling divides by the number of real (unpadded) positions."""
    return _pool('pool3d', 3, x, pool_size, strides, padding, data_format, pool_mode)
