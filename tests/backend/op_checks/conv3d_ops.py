"""Checks for the 3D convolution and pooling ops, both data formats, against
direct loops over the output positions (channels_last; channels_first cases
transpose around them).  test_conv3d.py reuses these references."""
import itertools

import numpy as np

from kback.backend._shapes import axis_pads
from kback.backend.ops import apply

rng = np.random.RandomState(11)


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape)


def to_cf(a):
    return np.ascontiguousarray(np.transpose(a, (0, 4, 1, 2, 3)))


def to_cl(a):
    return np.transpose(a, (0, 2, 3, 4, 1))


def in_format(ref, data_format, n_layout=None):
    """A channels_last reference on arrays given in data_format; the first
    n_layout arguments (default: all) are in the data layout, the output too."""
    if data_format == 'channels_last':
        return ref

    def wrapped(*arrays):
        n = len(arrays) if n_layout is None else n_layout
        return to_cf(ref(*[to_cl(a) if i < n else a for i, a in enumerate(arrays)]))
    return wrapped


def _geometry(spatial, window, strides, padding, dilation):
    pads = [axis_pads(spatial[i], window[i], padding, strides[i], dilation[i]) for i in range(3)]
    spans = [(window[i] - 1) * dilation[i] + 1 for i in range(3)]
    out = [(spatial[i] + sum(pads[i]) - spans[i]) // strides[i] + 1 for i in range(3)]
    return pads, out


def _window(pos, strides, window, dilation):
    return tuple(slice(p * s, p * s + (k - 1) * d + 1, d)
                 for p, s, k, d in zip(pos, strides, window, dilation))


def conv3d_ref(x, w, strides, padding, dilation):
    pads, out = _geometry(x.shape[1:4], w.shape[:3], strides, padding, dilation)
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    y = np.zeros((x.shape[0],) + tuple(out) + (w.shape[4],))
    for n in range(x.shape[0]):
        for pos in itertools.product(*map(range, out)):
            patch = xp[(n,) + _window(pos, strides, w.shape[:3], dilation)]
            y[(n,) + pos] = np.einsum('abcj,abcjo->o', patch, w)
    return y


def conv3d_bpi_ref(g, w, x_shape, strides, padding, dilation):
    pads, out = _geometry(x_shape[1:4], w.shape[:3], strides, padding, dilation)
    gxp = np.zeros((x_shape[0],) + tuple(s + sum(p) for s, p in zip(x_shape[1:4], pads))
                   + (x_shape[4],))
    for n in range(x_shape[0]):
        for pos in itertools.product(*map(range, out)):
            gxp[(n,) + _window(pos, strides, w.shape[:3], dilation)] += \
                np.einsum('abcjo,o->abcj', w, g[(n,) + pos])
    return gxp[:, pads[0][0]:pads[0][0] + x_shape[1], pads[1][0]:pads[1][0] + x_shape[2],
               pads[2][0]:pads[2][0] + x_shape[3]]


def conv3d_bpk_ref(x, g, k_shape, strides, padding, dilation):
    pads, out = _geometry(x.shape[1:4], k_shape[:3], strides, padding, dilation)
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    dw = np.zeros(k_shape)
    for n in range(x.shape[0]):
        for pos in itertools.product(*map(range, out)):
            patch = xp[(n,) + _window(pos, strides, k_shape[:3], dilation)]
            dw += np.einsum('abcj,o->abcjo', patch, g[(n,) + pos])
    return dw


def _pool_windows(x, pool, strides, padding):
    """(pads, out, per output position: the clipped real window's slices)."""
    pads, out = _geometry(x.shape[1:4], pool, strides, padding, (1, 1, 1))
    for pos in itertools.product(*map(range, out)):
        sl = []
        for i in range(3):
            start = pos[i] * strides[i] - pads[i][0]
            sl.append(slice(max(start, 0), min(start + pool[i], x.shape[1 + i])))
        yield pos, tuple(sl)


def pool3d_ref(x, pool, strides, padding, mode):
    _, out = _geometry(x.shape[1:4], pool, strides, padding, (1, 1, 1))
    y = np.zeros((x.shape[0],) + tuple(out) + (x.shape[4],))
    for pos, sl in _pool_windows(x, pool, strides, padding):
        win = x[(slice(None),) + sl].reshape(x.shape[0], -1, x.shape[4])
        y[(slice(None),) + pos] = win.max(axis=1) if mode == 'max' else win.mean(axis=1)
    return y


def _first_max(x, sl, n, c):
    """Index (into x) of the first maximum of window sl of sample n, channel c."""
    win = x[(n,) + sl + (c,)]
    local = np.unravel_index(np.argmax(win), win.shape)
    return (n,) + tuple(s.start + i for s, i in zip(sl, local)) + (c,)


def pool3d_backprop_ref(g, x, pool, strides, padding, mode):
    dx = np.zeros(x.shape)
    for pos, sl in _pool_windows(x, pool, strides, padding):
        for n in range(x.shape[0]):
            for c in range(x.shape[4]):
                val = g[(n,) + pos + (c,)]
                if mode == 'max':
                    dx[_first_max(x, sl, n, c)] += val
                else:
                    dx[(n,) + sl + (c,)] += val / x[(n,) + sl + (c,)].size
    return dx


def select_ref(v, x, pool, strides, padding):
    _, out = _geometry(x.shape[1:4], pool, strides, padding, (1, 1, 1))
    y = np.zeros((x.shape[0],) + tuple(out) + (x.shape[4],))
    for pos, sl in _pool_windows(x, pool, strides, padding):
        for n in range(x.shape[0]):
            for c in range(x.shape[4]):
                y[(n,) + pos + (c,)] = v[_first_max(x, sl, n, c)]
    return y


# -- cases ---------------------------------------------------------------------------

def _conv_attrs(strides, padding, dilation, data_format):
    return dict(strides=strides, padding=padding, dilation=dilation, data_format=data_format)


def conv_case(x, w, strides, padding, dilation, data_format='channels_last'):
    attrs = _conv_attrs(strides, padding, dilation, data_format)
    ref = in_format(lambda a, b: conv3d_ref(a, b, strides, padding, dilation), data_format, 1)
    x = x if data_format == 'channels_last' else to_cf(x)
    return dict(build=lambda a, b: apply('conv3d', a, b, **attrs), inputs=[x, w], reference=ref)


def bpi_case(g, w, x_shape, strides, padding, dilation, data_format='channels_last'):
    attrs = _conv_attrs(strides, padding, dilation, data_format)
    cl_shape = tuple(x_shape)
    ref = in_format(lambda a, b: conv3d_bpi_ref(a, b, cl_shape, strides, padding, dilation),
                    data_format, 1)
    if data_format == 'channels_first':
        g = to_cf(g)
        x_shape = (x_shape[0], x_shape[4]) + tuple(x_shape[1:4])
    vec = np.array(x_shape, dtype='int32')
    shape = tuple(x_shape)
    return dict(build=lambda a, b: apply('conv3d_backprop_input', a, b, vec, x_shape=shape,
                                         **attrs),
                inputs=[g, w], reference=ref)


def bpk_case(x, g, k_shape, strides, padding, dilation, data_format='channels_last'):
    attrs = _conv_attrs(strides, padding, dilation, data_format)

    def ref(a, b):
        if data_format == 'channels_first':
            a, b = to_cl(a), to_cl(b)
        return conv3d_bpk_ref(a, b, k_shape, strides, padding, dilation)
    if data_format == 'channels_first':
        x, g = to_cf(x), to_cf(g)
    return dict(build=lambda a, b: apply('conv3d_backprop_kernel', a, b,
                                         kernel_size=k_shape[:3], **attrs),
                inputs=[x, g], reference=ref)


def pool_case(mode, x, pool, strides, padding, data_format='channels_last'):
    attrs = dict(pool=pool, strides=strides, padding=padding, mode=mode, data_format=data_format)
    ref = in_format(lambda a: pool3d_ref(a, pool, strides, padding, mode), data_format)
    x = x if data_format == 'channels_last' else to_cf(x)
    return dict(build=lambda a: apply('pool3d', a, **attrs), inputs=[x], reference=ref)


def pool_backprop_case(mode, g, x, pool, strides, padding, data_format='channels_last'):
    attrs = dict(pool=pool, strides=strides, padding=padding, mode=mode, data_format=data_format)
    ref = in_format(lambda a, b: pool3d_backprop_ref(a, b, pool, strides, padding, mode),
                    data_format)
    if data_format == 'channels_first':
        g, x = to_cf(g), to_cf(x)
    return dict(build=lambda a, b: apply('pool3d_backprop', a, b, **attrs), inputs=[g, x],
                reference=ref, grad=[0])


def select_case(v, x, pool, strides, padding, data_format='channels_last'):
    attrs = dict(pool=pool, strides=strides, padding=padding, data_format=data_format)
    ref = in_format(lambda a, b: select_ref(a, b, pool, strides, padding), data_format)
    if data_format == 'channels_first':
        v, x = to_cf(v), to_cf(x)
    return dict(build=lambda a, b: apply('max_pool3d_select', a, b, **attrs), inputs=[v, x],
                reference=ref, grad=[0])


CF = 'channels_first'

CHECKS = {
    'conv3d': [conv_case(r(2, 4, 3, 5, 2), r(2, 2, 3, 2, 3), (1, 2, 2), 'same', (1, 1, 1)),
               conv_case(r(1, 5, 4, 4, 2), r(2, 2, 2, 2, 2), (1, 1, 1), 'valid', (2, 1, 2)),
               conv_case(r(2, 4, 3, 5, 3), r(3, 2, 2, 3, 2), (2, 1, 2), 'same', (1, 1, 1), CF)],
    'conv3d_backprop_input': [
        bpi_case(r(2, 2, 2, 3, 3), r(2, 2, 3, 2, 3), (2, 4, 3, 5, 2), (2, 2, 2), 'same', (1, 1, 1)),
        bpi_case(r(1, 3, 3, 2, 2), r(2, 2, 2, 3, 2), (1, 5, 4, 4, 3), (1, 1, 1), 'valid',
                 (2, 1, 2)),
        bpi_case(r(2, 2, 3, 3, 2), r(2, 2, 2, 2, 2), (2, 4, 3, 5, 2), (2, 1, 2), 'same',
                 (1, 1, 1), CF)],
    'conv3d_backprop_kernel': [
        bpk_case(r(2, 4, 3, 5, 2), r(2, 2, 2, 3, 3), (2, 2, 3, 2, 3), (2, 2, 2), 'same',
                 (1, 1, 1)),
        bpk_case(r(1, 5, 4, 4, 2), r(1, 3, 3, 2, 2), (2, 2, 2, 2, 2), (1, 1, 1), 'valid',
                 (2, 1, 2)),
        bpk_case(r(2, 4, 3, 5, 2), r(2, 2, 3, 3, 2), (2, 2, 2, 2, 2), (2, 1, 2), 'same',
                 (1, 1, 1), CF)],
    'pool3d': [pool_case('max', r(2, 4, 5, 3, 2), (2, 2, 2), (2, 2, 2), 'same'),
               pool_case('avg', r(2, 4, 5, 3, 2), (3, 2, 2), (2, 1, 2), 'same'),
               pool_case('max', r(1, 4, 4, 5, 2), (2, 3, 2), (1, 1, 2), 'valid'),
               pool_case('avg', r(1, 4, 5, 3, 2), (2, 2, 3), (2, 2, 1), 'same', CF),
               pool_case('max', r(2, 4, 5, 3, 2), (2, 2, 2), (2, 2, 2), 'same', CF)],
    'pool3d_backprop': [
        pool_backprop_case('max', r(2, 2, 3, 2, 2), r(2, 4, 5, 3, 2), (2, 2, 2), (2, 2, 2),
                           'same'),
        pool_backprop_case('avg', r(2, 2, 5, 2, 2), r(2, 4, 5, 3, 2), (3, 2, 2), (2, 1, 2),
                           'same'),
        pool_backprop_case('max', r(1, 2, 3, 2, 2), r(1, 4, 5, 3, 2), (2, 2, 2), (2, 2, 2),
                           'same', CF),
        pool_backprop_case('avg', r(1, 3, 2, 2, 1), r(1, 4, 4, 5, 1), (2, 3, 2), (1, 1, 2),
                           'valid', CF)],
    'max_pool3d_select': [
        select_case(r(2, 4, 5, 3, 2), r(2, 4, 5, 3, 2), (2, 2, 2), (2, 2, 2), 'same'),
        select_case(r(1, 4, 4, 5, 2), r(1, 4, 4, 5, 2), (2, 3, 2), (1, 1, 2), 'valid', CF)],
}
