"""Checks for the pooling ops, both data formats.  References are the numpy kernels of
kback.backend._reference, which test_pool.py checks against plain loops; these
cases check the op wiring and every gradient rule."""
import numpy as np

from kback.backend import _reference as R
from kback.backend._shapes import axis_pads
from kback.backend.ops import apply

rng = np.random.RandomState(2)


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape)


def pads(hw, k, strides, padding):
    if padding == 'valid':
        return ((0, 0), (0, 0))
    return tuple(axis_pads(hw[a], k[a], "same", strides[a]) for a in (0, 1))


def nchw(a):
    return np.ascontiguousarray(np.transpose(a, (0, 3, 1, 2)))


def nhwc(a):
    return np.transpose(a, (0, 2, 3, 1))


def in_format(ref, data_format):
    """An NHWC reference applied to arrays given (and returned) in data_format."""
    if data_format == 'channels_last':
        return ref
    return lambda *arrays: nchw(ref(*[nhwc(a) for a in arrays]))


def pool_case(mode, x, pool, strides, padding, data_format='channels_last'):
    attrs = dict(pool=pool, strides=strides, padding=padding, mode=mode, data_format=data_format)
    p = pads(x.shape[1:3], pool, strides, padding)
    ref = in_format(lambda a: R.pool2d_forward(a, pool, strides, p, mode), data_format)
    x = x if data_format == 'channels_last' else nchw(x)
    return dict(build=lambda a: apply('pool2d', a, **attrs), inputs=[x], reference=ref)


def pool_backprop_case(mode, g, x, pool, strides, padding, data_format='channels_last'):
    attrs = dict(pool=pool, strides=strides, padding=padding, mode=mode, data_format=data_format)
    p = pads(x.shape[1:3], pool, strides, padding)
    ref = in_format(lambda a, b: R.pool2d_backprop(a, b, pool, strides, p, mode), data_format)
    if data_format == 'channels_first':
        g, x = nchw(g), nchw(x)
    return dict(build=lambda a, b: apply('pool2d_backprop', a, b, **attrs), inputs=[g, x],
                reference=ref, grad=[0])


def select_case(v, x, pool, strides, padding, data_format='channels_last'):
    attrs = dict(pool=pool, strides=strides, padding=padding, data_format=data_format)
    p = pads(x.shape[1:3], pool, strides, padding)
    ref = in_format(lambda a, b: R.max_pool2d_select(a, b, pool, strides, p), data_format)
    if data_format == 'channels_first':
        v, x = nchw(v), nchw(x)
    return dict(build=lambda a, b: apply('max_pool2d_select', a, b, **attrs), inputs=[v, x],
                reference=ref, grad=[0])


CHECKS = {
    'pool2d': [pool_case('max', r(2, 5, 6, 2), (2, 2), (2, 2), 'same'),
               pool_case('max', r(1, 5, 5, 2), (3, 2), (1, 2), 'valid'),
               pool_case('avg', r(2, 5, 6, 2), (3, 3), (2, 2), 'same'),
               pool_case('avg', r(1, 4, 5, 1), (2, 3), (1, 1), 'valid'),
               pool_case('max', r(2, 5, 6, 3), (3, 3), (2, 2), 'same', 'channels_first'),
               pool_case('avg', r(1, 5, 6, 2), (2, 3), (3, 1), 'same', 'channels_first')],
    'pool2d_backprop': [pool_backprop_case('max', r(2, 3, 3, 2), r(2, 5, 6, 2), (2, 2), (2, 2), 'same'),
                        pool_backprop_case('avg', r(1, 3, 3, 2), r(1, 5, 6, 2), (3, 3), (2, 2), 'same'),
                        pool_backprop_case('avg', r(1, 2, 2, 1), r(1, 4, 4, 1), (3, 3), (1, 1), 'valid'),
                        pool_backprop_case('max', r(2, 3, 3, 2), r(2, 5, 6, 2), (2, 2), (2, 2), 'same',
                                           'channels_first'),
                        pool_backprop_case('avg', r(1, 3, 3, 2), r(1, 5, 6, 2), (3, 3), (2, 2), 'same',
                                           'channels_first')],
    'max_pool2d_select': [select_case(r(2, 5, 6, 2), r(2, 5, 6, 2), (2, 2), (2, 2), 'same'),
                          select_case(r(1, 4, 4, 1), r(1, 4, 4, 1), (3, 3), (1, 1), 'valid'),
                          select_case(r(2, 5, 6, 2), r(2, 5, 6, 2), (3, 2), (2, 2), 'same',
                                      'channels_first')],
}
