"""numpy kernels of the 3D convolution ops, in either data format, and the
window views that the 3D pooling kernels (pool3d.py) share.

Loops run over the kernel (or pool) offsets only: for one offset (a, b, c)
the input positions it meets form a strided view of the padded input.  The
convolutions copy those views into a patch matrix (im2col) and make one BLAS
product per batch chunk.  channels_first arrays are never transposed to
channels_last.  `pads` are resolved ((before, after),) * 3; strides and
dilation are triples; the ops have checked them all.
"""
import itertools

import numpy as np

from .._shapes import padded_output_length, spatial_axes


def _cl(data_format):
    return data_format == 'channels_last'


def _pad(x, pads, cl, value=0):
    if not any(p for pair in pads for p in pair):
        return x
    full = ((0, 0),) + tuple(pads) + ((0, 0),) if cl else ((0, 0), (0, 0)) + tuple(pads)
    return np.pad(x, full, mode='constant', constant_values=value)


def _crop(xp, shape, pads, cl):
    first = 1 if cl else 2
    index = [slice(None)] * xp.ndim
    for i, (before, _) in enumerate(pads):
        index[first + i] = slice(before, before + shape[first + i])
    return xp[tuple(index)]


def out_sizes(shape, window, strides, pads, dilation, data_format):
    """Output spatial sizes of a window sliding over the padded input."""
    return tuple(padded_output_length(shape[axis], k, s, p, d) for axis, k, s, p, d in
                 zip(spatial_axes(data_format, 5), window, strides, pads, dilation))


def _view(offset, out, strides, dilation, cl):
    """Index of the input positions that kernel offset `offset` meets."""
    spatial = tuple(slice(o * d, o * d + (n - 1) * s + 1, s)
                    for o, n, s, d in zip(offset, out, strides, dilation))
    if cl:
        return (slice(None),) + spatial + (slice(None),)
    return (slice(None), slice(None)) + spatial


def _offsets(window):
    return itertools.product(*(range(k) for k in window))


# -- convolution -------------------------------------------------------------------
# im2col: the patches of a batch chunk are gathered once, one copy per kernel
# offset, into a (positions, window * C) matrix (channels_last) or a
# (C * window, positions) matrix per sample (channels_first), so each conv is
# one BLAS product with inner size kd * kh * kw * C rather than one thin
# product per offset.  Chunks bound the patch buffer's size.

_CHUNK_BYTES = 32 << 20


def _chunks(n, per_sample):
    step = max(1, min(n, _CHUNK_BYTES // max(per_sample, 1)))
    return [slice(i, min(i + step, n)) for i in range(0, n, step)]


def _im2col(xp, window, out, strides, dilation, cl, dtype):
    """channels_last: (N, D', H', W', kd, kh, kw, C); channels_first:
    (N, C, kd, kh, kw, D', H', W')."""
    n, c = xp.shape[0], xp.shape[4] if cl else xp.shape[1]
    shape = (n,) + out + tuple(window) + (c,) if cl else (n, c) + tuple(window) + out
    cols = np.empty(shape, dtype=dtype)
    for off in _offsets(window):
        src = xp[_view(off, out, strides, dilation, cl)]
        if cl:
            cols[(slice(None),) * 4 + off] = src
        else:
            cols[(slice(None),) * 2 + off] = src
    return cols


def _col2im(dcols, gxp, window, out, strides, dilation, cl):
    """Adds every offset's column block back onto the padded input gradient."""
    for off in _offsets(window):
        view = gxp[_view(off, out, strides, dilation, cl)]
        view += dcols[(slice(None),) * 4 + off] if cl else dcols[(slice(None),) * 2 + off]


def _kernel_matrix(w, cl):
    """(K, O) for channels_last (rows kd, kh, kw, C); (O, K) for channels_first
    (columns C, kd, kh, kw)."""
    k = int(np.prod(w.shape[:4]))
    if cl:
        return w.reshape(k, w.shape[4])
    return np.ascontiguousarray(w.transpose(4, 3, 0, 1, 2)).reshape(w.shape[4], k)


def _col_bytes(window, c, out, dtype):
    """Bytes of one sample's patch matrix."""
    return int(np.prod(out)) * int(np.prod(window)) * c * np.dtype(dtype).itemsize


def conv3d(x, w, strides, pads, dilation, data_format):
    """x (N, D, H, W, C) or (N, C, D, H, W), w (kd, kh, kw, C, O)."""
    cl = _cl(data_format)
    dtype = np.result_type(x, w)
    window, o = w.shape[:3], w.shape[4]
    out = out_sizes(x.shape, window, strides, pads, dilation, data_format)
    xp = _pad(x, pads, cl)
    wm = _kernel_matrix(w.astype(dtype, copy=False), cl)
    n, p = x.shape[0], int(np.prod(out))
    y = np.empty(((n,) + out + (o,)) if cl else ((n, o) + out), dtype=dtype)
    for sl in _chunks(n, _col_bytes(window, w.shape[3], out, dtype)):
        cols = _im2col(xp[sl], window, out, strides, dilation, cl, dtype)
        b = cols.shape[0]
        if cl:
            y[sl] = (cols.reshape(b * p, -1) @ wm).reshape((b,) + out + (o,))
        else:
            y[sl] = np.matmul(wm, cols.reshape(b, -1, p)).reshape((b, o) + out)
    return y


def conv3d_backprop_input(g, w, x_shape, strides, pads, dilation, data_format):
    """d<g, conv3d(x, w)>/dx for an x of shape x_shape (the transposed conv)."""
    cl = _cl(data_format)
    dtype = np.result_type(g, w)
    first = 1 if cl else 2
    padded = list(x_shape)
    for i, (b, a) in enumerate(pads):
        padded[first + i] += b + a
    window, c, o = w.shape[:3], w.shape[3], w.shape[4]
    out = out_sizes(x_shape, window, strides, pads, dilation, data_format)
    wm = _kernel_matrix(w.astype(dtype, copy=False), cl)
    gxp = np.zeros(padded, dtype=dtype)
    n, p = x_shape[0], int(np.prod(out))
    for sl in _chunks(n, _col_bytes(window, w.shape[3], out, dtype)):
        gs = g[sl]
        b = gs.shape[0]
        if cl:
            dcols = (gs.reshape(b * p, o) @ wm.T).reshape((b,) + out + tuple(window) + (c,))
        else:
            dcols = np.matmul(wm.T, gs.reshape(b, o, p)).reshape((b, c) + tuple(window) + out)
        _col2im(dcols, gxp[sl], window, out, strides, dilation, cl)
    return np.ascontiguousarray(_crop(gxp, x_shape, pads, cl))


def conv3d_backprop_kernel(x, g, kernel_shape, strides, pads, dilation, data_format):
    """d<g, conv3d(x, w)>/dw for a w of shape kernel_shape (kd, kh, kw, C, O)."""
    cl = _cl(data_format)
    dtype = np.result_type(x, g)
    window, c, o = tuple(kernel_shape[:3]), kernel_shape[3], kernel_shape[4]
    out = out_sizes(x.shape, window, strides, pads, dilation, data_format)
    xp = _pad(x, pads, cl)
    n, p = x.shape[0], int(np.prod(out))
    k = int(np.prod(window)) * c
    acc = np.zeros((k, o) if cl else (o, k), dtype=dtype)
    for sl in _chunks(n, _col_bytes(window, c, out, dtype)):
        cols = _im2col(xp[sl], window, out, strides, dilation, cl, dtype)
        b = cols.shape[0]
        if cl:
            acc += cols.reshape(b * p, k).T @ g[sl].reshape(b * p, o)
        else:
            acc += np.matmul(g[sl].reshape(b, o, p),
                             cols.reshape(b, k, p).transpose(0, 2, 1)).sum(axis=0)
    if cl:
        return acc.reshape(tuple(kernel_shape))
    return np.ascontiguousarray(acc.reshape((o, c) + window).transpose(2, 3, 4, 1, 0))
