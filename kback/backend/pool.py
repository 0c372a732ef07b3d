"""Pooling: the Keras-2 backend functions of rank 2 and 3.  They only
normalise Keras's arguments; the pool ops' shape inference checks them.

A max-pool of a relu is built as the relu of the max-pool: both only pick
values and relu is monotone, so values and gradients are the same, but relu
and its backward then run on the pooled tensor (a quarter of it for 2x2
windows), and a conv's bias, freed of the relu, joins the conv kernel (its
gradient is then summed over the pooled gradient: ops/fused.py bias_grad)."""
from ._shapes import to_tuple
from .tensor import as_tensor
from .ops import apply
from .conv import _data_format, _padding
from .nn import _add_bias


def _pool(op, rank, x, pool_size, strides, padding, data_format, pool_mode):
    x = as_tensor(x)
    attrs = dict(pool=to_tuple(op, pool_size, rank, 'pool_size'),
                 strides=to_tuple(op, strides, rank, 'strides'), padding=_padding(padding),
                 mode=pool_mode, data_format=_data_format(data_format))
    if pool_mode == 'max' and x.op in ('relu', 'bias_add_relu'):
        return apply('relu', apply(op, _before_relu(x), **attrs))
    return apply(op, x, **attrs)


def _before_relu(y):
    """z of y = relu(z), a relu or bias_add_relu node."""
    if y.op == 'relu':
        return y.inputs[0]
    z, bias = y.inputs
    return _add_bias(z, bias, y.attrs['axis'])


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
