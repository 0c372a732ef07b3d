"""Plain numpy convolution and pooling kernels: the reference that compiled
kernels are tested against.

Layout is always NHWC; kernels are (kh, kw, in, out) for conv2d and
(kh, kw, in, multiplier) for depthwise.  Padding is given resolved, as
((top, bottom), (left, right)); strides, dilation and pool sizes are pairs.
Shapes given explicitly (x_shape, w_shape) are 4-tuples of ints.

Vectorised: conv2d windows are strided views of the padded input (im2col)
multiplied through BLAS; scatters back to the input (col2im), depthwise
products and pooling loop over the kh*kw kernel offsets only.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._shapes import fmt as _fmt, check_rank, check_pool_mode, padded_output_length


def _geometry(name, x_shape, ksize, strides, pads, dilation):
    """Output (oh, ow) and padded (hp, wp); ValueError when no window fits."""
    if min(strides) < 1 or min(dilation) < 1 or min(ksize) < 1:
        raise ValueError(f'{name}: strides {tuple(strides)}, dilation {tuple(dilation)} and '
                         f'window {tuple(ksize)} must be positive')
    if min(p for pair in pads for p in pair) < 0:
        raise ValueError(f'{name}: negative padding {pads}')
    out = tuple(padded_output_length(x_shape[1 + a], ksize[a], strides[a], pads[a], dilation[a])
                for a in (0, 1))
    if min(out) < 1:
        raise ValueError(f'{name}: window {tuple(ksize)} (dilation {tuple(dilation)}) is '
                         f'larger than the padded input {_fmt(x_shape)} with pads {pads}')
    return out, tuple(x_shape[1 + a] + pads[a][0] + pads[a][1] for a in (0, 1))


def _pad(x, pads, value=0):
    if not any(p for pair in pads for p in pair):
        return x
    return np.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),), mode='constant',
                  constant_values=value)


def _windows(xp, ksize, out, strides, dilation):
    """Read-only view (n, oh, ow, kh, kw, c) of the padded input."""
    n, _, _, c = xp.shape
    sn, sh, sw, sc = xp.strides
    return as_strided(xp, (n, out[0], out[1], ksize[0], ksize[1], c),
                      (sn, sh * strides[0], sw * strides[1],
                       sh * dilation[0], sw * dilation[1], sc), writeable=False)


def _offset(i, j, out, strides, dilation):
    """Index of the padded-input pixels that kernel offset (i, j) touches."""
    top, left = i * dilation[0], j * dilation[1]
    return (slice(None),
            slice(top, top + (out[0] - 1) * strides[0] + 1, strides[0]),
            slice(left, left + (out[1] - 1) * strides[1] + 1, strides[1]),
            slice(None))


def _crop(xp, x_shape, pads):
    (top, _), (left, _) = pads
    return np.ascontiguousarray(xp[:, top:top + x_shape[1], left:left + x_shape[2], :])


def _check_out(name, g, expected):
    if tuple(g.shape) != tuple(expected):
        raise ValueError(f'{name}: the gradient has shape {_fmt(g.shape)}, '
                         f'expected {_fmt(expected)}')


# -- conv2d -------------------------------------------------------------------

def _check_conv(name, x_shape, w_shape):
    if x_shape[3] != w_shape[2]:
        raise ValueError(f'{name}: input {_fmt(x_shape)} has {x_shape[3]} channels but the '
                         f'kernel {_fmt(w_shape)} expects {w_shape[2]}')


def conv2d_forward(x, w, strides, pads, dilation):
    """y[n, p, q, o] = sum_{i, j, c} xpad[n, p*sh + i*dh, q*sw + j*dw, c] w[i, j, c, o]."""
    name = 'conv2d_forward'
    check_rank(name, 'x', np.shape(x), 4)
    check_rank(name, 'kernel', np.shape(w), 4)
    _check_conv(name, x.shape, w.shape)
    out, _ = _geometry(name, x.shape, w.shape[:2], strides, pads, dilation)
    win = _windows(_pad(x, pads), w.shape[:2], out, strides, dilation)
    return np.tensordot(win, w, axes=((3, 4, 5), (0, 1, 2)))


def conv2d_backprop_input(g, w, x_shape, strides, pads, dilation):
    """The adjoint of conv2d_forward in x: d<g, conv(x, w)>/dx."""
    name = 'conv2d_backprop_input'
    check_rank(name, 'gradient', np.shape(g), 4)
    check_rank(name, 'kernel', np.shape(w), 4)
    x_shape = tuple(int(d) for d in x_shape)
    _check_conv(name, x_shape, w.shape)
    out, padded = _geometry(name, x_shape, w.shape[:2], strides, pads, dilation)
    _check_out(name, g, (x_shape[0],) + out + (w.shape[3],))
    # One GEMM per kernel offset, added straight into the padded input.
    g2 = g.reshape(-1, g.shape[3])
    dxp = np.zeros((x_shape[0],) + padded + (x_shape[3],), dtype=np.result_type(g, w))
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            dxp[_offset(i, j, out, strides, dilation)] += (g2 @ w[i, j].T).reshape(
                g.shape[:3] + (x_shape[3],))
    return _crop(dxp, x_shape, pads)


def conv2d_backprop_kernel(x, g, w_shape, strides, pads, dilation):
    """d<g, conv(x, w)>/dw for a kernel of shape w_shape."""
    name = 'conv2d_backprop_kernel'
    check_rank(name, 'x', np.shape(x), 4)
    check_rank(name, 'gradient', np.shape(g), 4)
    w_shape = tuple(int(d) for d in w_shape)
    _check_conv(name, x.shape, w_shape)
    out, _ = _geometry(name, x.shape, w_shape[:2], strides, pads, dilation)
    _check_out(name, g, (x.shape[0],) + out + (w_shape[3],))
    win = _windows(_pad(x, pads), w_shape[:2], out, strides, dilation)
    cols = win.reshape(-1, w_shape[0] * w_shape[1] * w_shape[2])   # im2col, natural order
    return (cols.T @ g.reshape(-1, w_shape[3])).reshape(w_shape)


# -- depthwise conv2d (output channel c*m + k comes from input channel c) ------

def _depthwise_out(name, x_shape, w_shape):
    _check_conv(name, x_shape, w_shape)
    return x_shape[3] * w_shape[3]


def depthwise_conv2d_forward(x, w, strides, pads, dilation):
    name = 'depthwise_conv2d_forward'
    check_rank(name, 'x', np.shape(x), 4)
    check_rank(name, 'kernel', np.shape(w), 4)
    _depthwise_out(name, x.shape, w.shape)
    kh, kw, c, m = w.shape
    out, _ = _geometry(name, x.shape, (kh, kw), strides, pads, dilation)
    xp = _pad(x, pads)
    # Per-channel products have no BLAS form: one broadcast multiply-add per
    # kernel offset beats a batched matrix-vector product.
    y = np.zeros((x.shape[0],) + out + (c, m), dtype=np.result_type(x, w))
    for i in range(kh):
        for j in range(kw):
            y += xp[_offset(i, j, out, strides, dilation)][..., None] * w[i, j]
    return y.reshape(y.shape[:3] + (c * m,))


def depthwise_conv2d_backprop_input(g, w, x_shape, strides, pads, dilation):
    name = 'depthwise_conv2d_backprop_input'
    check_rank(name, 'gradient', np.shape(g), 4)
    check_rank(name, 'kernel', np.shape(w), 4)
    x_shape = tuple(int(d) for d in x_shape)
    channels = _depthwise_out(name, x_shape, w.shape)
    kh, kw, c, m = w.shape
    out, padded = _geometry(name, x_shape, (kh, kw), strides, pads, dilation)
    _check_out(name, g, (x_shape[0],) + out + (channels,))
    g = g.reshape(g.shape[:3] + (c, m))
    dxp = np.zeros((x_shape[0],) + padded + (c,), dtype=np.result_type(g, w))
    for i in range(kh):
        for j in range(kw):
            dxp[_offset(i, j, out, strides, dilation)] += np.einsum('nhwcm,cm->nhwc', g, w[i, j])
    return _crop(dxp, x_shape, pads)


def depthwise_conv2d_backprop_kernel(x, g, w_shape, strides, pads, dilation):
    name = 'depthwise_conv2d_backprop_kernel'
    check_rank(name, 'x', np.shape(x), 4)
    check_rank(name, 'gradient', np.shape(g), 4)
    w_shape = tuple(int(d) for d in w_shape)
    channels = _depthwise_out(name, x.shape, w_shape)
    kh, kw, c, m = w_shape
    out, _ = _geometry(name, x.shape, (kh, kw), strides, pads, dilation)
    _check_out(name, g, (x.shape[0],) + out + (channels,))
    xp = _pad(x, pads)
    g = g.reshape(g.shape[:3] + (c, m))
    dw = np.empty(w_shape, dtype=np.result_type(x, g))
    for i in range(kh):
        for j in range(kw):
            dw[i, j] = np.einsum('nhwc,nhwcm->cm', xp[_offset(i, j, out, strides, dilation)], g)
    return dw


# -- pooling ------------------------------------------------------------------

def _lowest(dtype):
    return -np.inf if dtype.kind == 'f' else np.iinfo(dtype).min


def _window_counts(x_shape, pool, strides, pads, out, dtype):
    """How many real (unpadded) pixels each window covers: (oh, ow)."""
    counts = []
    for axis in (0, 1):
        start = np.arange(out[axis]) * strides[axis]
        first, last = pads[axis][0], pads[axis][0] + x_shape[1 + axis]
        counts.append(np.minimum(start + pool[axis], last) - np.maximum(start, first))
    return np.outer(counts[0], counts[1]).astype(dtype)


def _argmax(x, pool, strides, pads, out):
    """Index i*pw + j of the first maximum of every window: (n, oh, ow, c)."""
    xp = _pad(x, pads, _lowest(x.dtype))
    best = idx = None
    for i in range(pool[0]):
        for j in range(pool[1]):
            cur = xp[_offset(i, j, out, strides, (1, 1))]
            if best is None:
                best, idx = cur, np.zeros(cur.shape, dtype=np.intp)
                continue
            bigger = cur > best
            best = np.where(bigger, cur, best)
            idx[bigger] = i * pool[1] + j
    return idx


def pool2d_forward(x, pool, strides, pads, mode):
    name = 'pool2d_forward'
    check_rank(name, 'x', np.shape(x), 4)
    check_pool_mode(name, mode)
    out, _ = _geometry(name, x.shape, pool, strides, pads, (1, 1))
    if mode == 'max':
        xp = _pad(x, pads, _lowest(x.dtype))
        y = None
        for i in range(pool[0]):
            for j in range(pool[1]):
                cur = xp[_offset(i, j, out, strides, (1, 1))]
                y = cur.copy() if y is None else np.maximum(y, cur, out=y)
        return y
    xp = _pad(x, pads)
    y = np.zeros((x.shape[0],) + out + (x.shape[3],), dtype=x.dtype)
    for i in range(pool[0]):
        for j in range(pool[1]):
            y += xp[_offset(i, j, out, strides, (1, 1))]
    # TF excludes the padding from the average.
    y /= _window_counts(x.shape, pool, strides, pads, out, x.dtype)[None, :, :, None]
    return y


def pool2d_backprop(g, x, pool, strides, pads, mode):
    """d<g, pool(x)>/dx: max routes g to the first maximum of each window, avg
    spreads it evenly over the window's real pixels."""
    name = 'pool2d_backprop'
    check_rank(name, 'gradient', np.shape(g), 4)
    check_rank(name, 'x', np.shape(x), 4)
    check_pool_mode(name, mode)
    out, padded = _geometry(name, x.shape, pool, strides, pads, (1, 1))
    _check_out(name, g, (x.shape[0],) + out + (x.shape[3],))
    dxp = np.zeros((x.shape[0],) + padded + (x.shape[3],), dtype=g.dtype)
    if mode == 'max':
        idx = _argmax(x, pool, strides, pads, out)
        zero = np.zeros((), dtype=g.dtype)
        for i in range(pool[0]):
            for j in range(pool[1]):
                dxp[_offset(i, j, out, strides, (1, 1))] += np.where(idx == i * pool[1] + j, g, zero)
    else:
        share = g / _window_counts(x.shape, pool, strides, pads, out, g.dtype)[None, :, :, None]
        for i in range(pool[0]):
            for j in range(pool[1]):
                dxp[_offset(i, j, out, strides, (1, 1))] += share
    return _crop(dxp, x.shape, pads)


def max_pool2d_select(v, x, pool, strides, pads):
    """v (shaped like x) read at the first maximum of each pooling window of x:
    the adjoint of max pool2d_backprop in g."""
    name = 'max_pool2d_select'
    check_rank(name, 'values', np.shape(v), 4)
    check_rank(name, 'x', np.shape(x), 4)
    if v.shape != x.shape:
        raise ValueError(f'{name}: values {_fmt(v.shape)} and x {_fmt(x.shape)} differ in shape')
    out, _ = _geometry(name, x.shape, pool, strides, pads, (1, 1))
    idx = _argmax(x, pool, strides, pads, out)
    vp = _pad(v, pads)
    y = np.zeros((x.shape[0],) + out + (x.shape[3],), dtype=v.dtype)
    for i in range(pool[0]):
        for j in range(pool[1]):
            sel = idx == i * pool[1] + j
            y[sel] = vp[_offset(i, j, out, strides, (1, 1))][sel]
    return y
