"""numpy kernels of the 3D pooling ops, in either data format: one vectorised
elementwise pass per pool offset over strided views of the padded input
(conv3d.py's window views).  Arguments as there; the ops have checked them."""
import numpy as np

from .. import _reference as R
from .conv3d import _cl, _pad, _crop, _view, _offsets, out_sizes

_ONE = (1, 1, 1)


def _first_max_masks(x, pool, strides, pads, cl):
    """(pooled max, generator of (offset, mask of the windows whose first
    maximum sits at that offset))."""
    out = out_sizes(x.shape, pool, strides, pads, _ONE, 'channels_last' if cl else
                    'channels_first')
    xp = _pad(x, pads, cl, R.lowest(x.dtype))
    best = None
    for off in _offsets(pool):
        xs = xp[_view(off, out, strides, _ONE, cl)]
        best = xs.copy() if best is None else np.maximum(best, xs, out=best)

    def masks():
        taken = np.zeros(best.shape, dtype=bool)
        real = _pad(np.ones(x.shape, dtype=bool), pads, cl, False)
        for off in _offsets(pool):
            view = _view(off, out, strides, _ONE, cl)
            xs = xp[view]
            # a NaN is the maximum of its window (numpy's maximum): the first one
            # wins; padding (-inf) never does, even in a window of -inf
            hit = ((xs == best) | (xs != xs)) & real[view]
            hit &= ~taken
            taken |= hit
            yield off, hit
    return best, out, masks


def _axis_counts(length, k, s, before, n):
    """Real (unpadded) positions in each of the n windows along one axis."""
    start = np.arange(n) * s - before
    return np.minimum(start + k, length) - np.maximum(start, 0)


def _counts(shape, pool, strides, pads, out, cl, dtype):
    first = 1 if cl else 2
    c = [_axis_counts(shape[first + i], pool[i], strides[i], pads[i][0], out[i])
         for i in range(3)]
    counts = (c[0][:, None, None] * c[1][None, :, None] * c[2][None, None, :]).astype(dtype)
    return counts[None, :, :, :, None] if cl else counts[None, None]


def pool3d_forward(x, pool, strides, pads, mode, data_format):
    cl = _cl(data_format)
    if mode == 'max':
        best, _, _ = _first_max_masks(x, pool, strides, pads, cl)
        return best
    out = out_sizes(x.shape, pool, strides, pads, _ONE, data_format)
    xp = _pad(x, pads, cl)
    total = None
    for off in _offsets(pool):
        xs = xp[_view(off, out, strides, _ONE, cl)]
        total = xs.copy() if total is None else np.add(total, xs, out=total)
    return total / _counts(x.shape, pool, strides, pads, out, cl, total.dtype)


def pool3d_backprop(g, x, pool, strides, pads, mode, data_format):
    """d<g, pool3d(x)>/dx: max routes g to the first maximum (or first NaN) of
    each window (in d, h, w scan order), avg spreads it over the window's real positions."""
    cl = _cl(data_format)
    first = 1 if cl else 2
    padded = list(x.shape)
    for i, (b, a) in enumerate(pads):
        padded[first + i] += b + a
    gxp = np.zeros(padded, dtype=g.dtype)
    if mode == 'max':
        _, out, masks = _first_max_masks(x, pool, strides, pads, cl)
        for off, hit in masks():
            gxp[_view(off, out, strides, _ONE, cl)] += np.where(hit, g, 0)
    else:
        out = out_sizes(x.shape, pool, strides, pads, _ONE, data_format)
        share = g / _counts(x.shape, pool, strides, pads, out, cl, g.dtype)
        for off in _offsets(pool):
            gxp[_view(off, out, strides, _ONE, cl)] += share
    return np.ascontiguousarray(_crop(gxp, x.shape, pads, cl))


def max_pool3d_select(v, x, pool, strides, pads, data_format):
    """v (shaped like x) read at the first maximum of each window of x: the
    adjoint of max pool3d_backprop in g."""
    cl = _cl(data_format)
    best, out, masks = _first_max_masks(x, pool, strides, pads, cl)
    vp = _pad(v, pads, cl)
    res = np.zeros(best.shape, dtype=v.dtype)
    for off, hit in masks():
        res += np.where(hit, vp[_view(off, out, strides, _ONE, cl)], 0)
    return res
