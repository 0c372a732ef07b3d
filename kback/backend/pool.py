"""Pooling: the Keras-2 backend function."""
from . import config, _shapes
from ._dtypes import is_float
from ._shapes import fmt
from .tensor import as_tensor
from .ops import apply
from .ops import pool as _pool


def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    """Max or average pooling of a 4-D tensor in either data format; 'same'
    average pooling divides by the number of real (unpadded) pixels in each
    window, as TensorFlow does."""
    op = 'pool2d'
    x = as_tensor(x)
    try:
        data_format = config.normalize_data_format(data_format)
    except ValueError as e:
        raise ValueError(f'{op}: {e}') from None
    pool = _shapes.check_window(op, pool_size, 'pool_size')
    strides = _shapes.check_window(op, strides, 'strides')
    padding = _shapes.check_padding(op, padding)
    mode = _pool.check_pool_mode(op, pool_mode)
    _pool.check_rank(op, 'the input', x.shape)
    if mode == 'avg' and not is_float(x.dtype):
        raise ValueError(f'{op}: expects float tensors, got {x.dtype} for shape {fmt(x.shape)}')
    return apply('pool2d', x, pool=pool, strides=strides, padding=padding, mode=mode,
                 data_format=data_format)
