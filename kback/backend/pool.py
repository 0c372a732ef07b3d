"""Pooling: the Keras-2 backend function."""
from . import _shapes
from .tensor import as_tensor
from .ops import apply
from .ops import conv as _conv
from .conv import _data_format, _layout, _to_nhwc, _from_nhwc


def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    """Max or average pooling; 'same' average pooling divides by the number of
    real (unpadded) pixels in each window, as TensorFlow does."""
    op = 'pool2d'
    x = as_tensor(x)
    data_format = _data_format(op, data_format)
    pool = _conv.check_window(op, pool_size, 'pool_size')
    strides = _conv.check_window(op, strides, 'strides')
    padding = _shapes.check_padding(op, padding)
    mode = _conv.check_pool_mode(op, pool_mode)
    _conv.check_rank(op, 'the input', x.shape)
    if mode == 'avg':
        _conv.check_float(op, x)
    _conv.conv_out_hw(op, x.shape, pool, strides, padding, (1, 1), _layout(data_format)[1])
    y = apply('pool2d', _to_nhwc(x, data_format), pool=pool, strides=strides, padding=padding,
              mode=mode)
    return _from_nhwc(y, data_format)
