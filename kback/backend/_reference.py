"""Plain numpy twins of every compiled kernel: the oracle the kernels are
tested against, and the fallback the wrappers use for tiny inputs, other
dtypes or a missing kback_core.

Families: conv2d and depthwise conv2d, pooling, elementwise (relu, bias_add,
dropout's stream), the losses on logits, batch normalisation, the image
warp, the recurrent loops (LSTM, GRU, SimpleRNN) and the CRC-32C checksum of byte
strings.  Conv and pooling take NHWC; kernels are (kh, kw, in, out) for conv2d
and (kh, kw, in, multiplier) for depthwise; padding is given resolved, as
((top, bottom), (left, right)); strides, dilation and pool sizes are pairs.

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

def lowest(dtype):
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
    """Index i*pw + j of the first maximum (or first NaN) of every window's
    real pixels, padding never taking part: (n, oh, ow, c)."""
    xp = _pad(x, pads, lowest(x.dtype))
    real = _pad(np.ones(x.shape, dtype=bool), pads, False)
    best = idx = have = None
    for i in range(pool[0]):
        for j in range(pool[1]):
            cur = xp[_offset(i, j, out, strides, (1, 1))]
            ok = real[_offset(i, j, out, strides, (1, 1))]
            if best is None:
                best, idx, have = cur, np.zeros(cur.shape, dtype=np.intp), ok
                continue
            # NaN counts as the largest value (numpy's maximum): the first NaN wins.
            bigger = ok & (~have | (cur > best) | (np.isnan(cur) & ~np.isnan(best)))
            best = np.where(bigger, cur, best)
            have = have | ok
            idx[bigger] = i * pool[1] + j
    return idx


def pool2d_forward(x, pool, strides, pads, mode):
    name = 'pool2d_forward'
    check_rank(name, 'x', np.shape(x), 4)
    check_pool_mode(name, mode)
    out, _ = _geometry(name, x.shape, pool, strides, pads, (1, 1))
    if mode == 'max':
        xp = _pad(x, pads, lowest(x.dtype))
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
    """d<g, pool(x)>/dx: max routes g to the first maximum (or first NaN) of
    each window, avg spreads it evenly over the window's real pixels."""
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


# == The numpy side of the other kernel families ===================================
# The fallbacks of _kernels/elementwise.py, losses.py, batchnorm.py and image.py
# (tiny inputs, dtypes the kernels do not cover, no compiled core) and their test
# oracle.  Inputs are checked by the wrappers; results keep the input's float dtype.

# -- elementwise ---------------------------------------------------------------------

def relu(x):
    return np.maximum(x, 0)


def relu_backprop(x, g):
    """g where x > 0 or x is NaN (relu passes NaN through), else 0."""
    return np.where(x <= 0, 0, g).astype(g.dtype, copy=False)


def _channel_view(bias, ndim, axis):
    return bias.reshape((-1,) + (1,) * (ndim - axis - 1))


def _all_but(ndim, axis):
    return tuple(i for i in range(ndim) if i != axis)


def bias_add(x, bias, axis, relu=False):
    """x + bias along channel `axis` (then max(., 0) when relu)."""
    y = x + _channel_view(bias, x.ndim, axis)
    return np.maximum(y, 0) if relu else y


def channel_sum(g, axis):
    return np.sum(g, axis=_all_but(g.ndim, axis))


def bias_add_relu_backprop(y, g, axis):
    """(dz, db) of bias_add_relu from its output y."""
    dz = relu_backprop(y, g)
    return dz, channel_sum(dz, axis)


# Dropout draws SplitMix64 (Steele et al.): element i of a call draws
# mix(start + (i + 1) * GAMMA), start a hash of (seed, call counter); each 64-bit
# draw gives two 32-bit uniforms, high half first (as kback_core.elementwise).
_M64 = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15
_MIX = (0xBF58476D1CE4E5B9, 0x94D049BB133111EB)


def _mix(z):
    """SplitMix64's finaliser on a Python int or a uint64 array (mod 2**64)."""
    if isinstance(z, np.ndarray):
        a, b = np.uint64(_MIX[0]), np.uint64(_MIX[1])
        with np.errstate(over='ignore'):
            z = (z ^ (z >> np.uint64(30))) * a
            z = (z ^ (z >> np.uint64(27))) * b
        return z ^ (z >> np.uint64(31))
    z = ((z ^ (z >> 30)) * _MIX[0]) & _M64
    z = ((z ^ (z >> 27)) * _MIX[1]) & _M64
    return z ^ (z >> 31)


def dropout_stream_start(seed, counter):
    """Start of the draw stream of call `counter` of a dropout seeded with `seed`."""
    seed, counter = int(seed) & _M64, int(counter) & _M64
    return _mix(_mix(seed) ^ ((counter * _GAMMA + 0x632BE59BD9B4E019) & _M64))


def dropout_keep(n, start, threshold):
    """The kept flags of the first n draws of stream `start`: draw >= threshold."""
    pairs = (n + 1) // 2
    with np.errstate(over='ignore'):
        z = _mix(np.uint64(start) + np.arange(1, pairs + 1, dtype=np.uint64) * np.uint64(_GAMMA))
    draws = np.empty(2 * pairs, dtype=np.uint64)
    draws[0::2] = z >> np.uint64(32)
    draws[1::2] = z & np.uint64(0xFFFFFFFF)
    return draws[:n] >= np.uint64(threshold)


# -- losses on logits (class axis last) -----------------------------------------------

def _log_softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax_cross_entropy(t, x):
    """-sum(t * log_softmax(x)) over the last axis."""
    return -np.sum(t * _log_softmax(x), axis=-1)


def softmax_cross_entropy_backprop(t, x, g):
    """(softmax(x) * sum(t) - t) * g[..., None]: softmax - t for one-hot t."""
    s = np.exp(_log_softmax(x))
    return (s * np.sum(t, axis=-1, keepdims=True) - t) * g[..., None]


def sparse_softmax_cross_entropy(labels, x):
    """-log_softmax(x)[..., labels]."""
    return -np.take_along_axis(_log_softmax(x), labels[..., None], axis=-1)[..., 0]


def sparse_softmax_cross_entropy_backprop(labels, x, g):
    """(softmax(x) - onehot(labels)) * g[..., None]."""
    s = np.exp(_log_softmax(x))
    picked = np.take_along_axis(s, labels[..., None], axis=-1)
    np.put_along_axis(s, labels[..., None], picked - 1, axis=-1)
    return s * g[..., None]


def sigmoid_cross_entropy(z, x):
    """max(x, 0) - x * z + log1p(exp(-|x|)), elementwise."""
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


def sigmoid_cross_entropy_backprop(z, x, g):
    """(sigmoid(x) - z) * g, the sigmoid from exp(-|x|) so it never overflows."""
    e = np.exp(-np.abs(x))
    return (np.where(x >= 0, 1 / (1 + e), e / (1 + e)) - z) * g


# -- batch normalisation: channels on `axis`, statistics over every other axis --------
# `stats` is (2, C): mean and biased variance.  Sums run in float64.

def _per_channel(x, axis):
    """The shape that broadcasts a (C,) vector along x's channel axis."""
    axis %= x.ndim
    return [x.shape[axis] if i == axis else 1 for i in range(x.ndim)]


def _float_type(a):
    """a's dtype if it is a float type, else float64 (integer inputs)."""
    return a.dtype if np.issubdtype(a.dtype, np.floating) else np.dtype(np.float64)


def batchnorm_stats(x, axis):
    x64 = np.asarray(x, dtype=np.float64)
    axes = _all_but(x64.ndim, axis % x64.ndim)
    return np.stack([x64.mean(axis=axes), x64.var(axis=axes)]).astype(_float_type(x))


def batchnorm_scale_shift(stats, gamma, beta, epsilon):
    """TF's form: y = x * scale + shift with scale = gamma / sqrt(var + eps)."""
    stats = np.asarray(stats, dtype=np.float64)
    scale = np.asarray(gamma, np.float64) / np.sqrt(stats[1] + epsilon)
    return scale, np.asarray(beta, np.float64) - stats[0] * scale


def batchnorm_normalize(x, stats, gamma, beta, axis, epsilon):
    scale, shift = batchnorm_scale_shift(stats, gamma, beta, epsilon)
    b = _per_channel(x, axis)
    return (x * scale.reshape(b) + shift.reshape(b)).astype(_float_type(x))


def batchnorm_backprop_sums(dy, x, stats, axis):
    """(2, C): sum(dy) and sum(dy * (x - mean)) per channel."""
    axes = _all_but(x.ndim, axis % x.ndim)
    centred = x - np.asarray(stats, np.float64)[0].reshape(_per_channel(x, axis))
    return np.stack([dy.sum(axis=axes, dtype=np.float64),
                     (dy * centred).sum(axis=axes, dtype=np.float64)]).astype(_float_type(dy))


def batchnorm_input_coefficients(x_shape, stats, gamma, sums, axis, epsilon):
    """(a, b, d) per channel with dx = dy * a + x * b + d: the full input
    gradient of training batchnorm, given batchnorm_backprop_sums."""
    n = float(np.prod(x_shape)) / x_shape[axis % len(x_shape)]
    stats, sums = np.asarray(stats, np.float64), np.asarray(sums, np.float64)
    inv = 1.0 / np.sqrt(stats[1] + epsilon)
    a = np.asarray(gamma, np.float64) * inv
    b = -a * inv * inv * sums[1] / n
    return a, b, -a * sums[0] / n - b * stats[0]


def batchnorm_backprop_input(dy, x, stats, gamma, sums, axis, epsilon):
    a, b, d = batchnorm_input_coefficients(x.shape, stats, gamma, sums, axis, epsilon)
    s = _per_channel(x, axis)
    return (dy * a.reshape(s) + x * b.reshape(s) + d.reshape(s)).astype(_float_type(dy))


def batchnorm_dgamma(stats, sums, epsilon):
    """The gamma gradient, given batchnorm_backprop_sums."""
    return np.asarray(sums, np.float64)[1] / np.sqrt(np.asarray(stats, np.float64)[1] + epsilon)


def batchnorm_train_forward(x, gamma, beta, axis, epsilon):
    """(normalised x, stats) of training-mode batchnorm."""
    stats = batchnorm_stats(x, axis)
    return batchnorm_normalize(x, stats, gamma, beta, axis, epsilon), stats


def batchnorm_train_backprop(dy, x, stats, gamma, axis, epsilon):
    """(dx, dgamma, dbeta) of training-mode batchnorm."""
    sums = batchnorm_backprop_sums(dy, x, stats, axis)
    return (batchnorm_backprop_input(dy, x, stats, gamma, sums, axis, epsilon),
            batchnorm_dgamma(stats, sums, epsilon).astype(_float_type(dy)), sums[0])


# -- image warps ------------------------------------------------------------------------
# Keras fill_mode -> scipy.ndimage mode.  Keras's 'wrap' is abcdabcd|abcd|abcdabcd
# (period n): scipy's 'grid-wrap', not its 'wrap'.
SCIPY_FILL_MODES = {'constant': 'constant', 'nearest': 'nearest', 'reflect': 'reflect',
                    'wrap': 'grid-wrap'}


def affine_warp(x, matrices, fill_mode, cval, order, channels_last):
    """Every image n of the rank-4 batch x sampled at matrices[n] @ (r, c, 1)
    (matrices (n or 1, 2, 3)) with scipy.ndimage, channel by channel."""
    from scipy import ndimage
    if matrices.shape[0] == 1:
        matrices = np.broadcast_to(matrices, (x.shape[0], 2, 3))
    y = np.empty_like(x)
    for n in range(x.shape[0]):
        for ch in range(x.shape[3] if channels_last else x.shape[1]):
            src = x[n, :, :, ch] if channels_last else x[n, ch]
            dst = y[n, :, :, ch] if channels_last else y[n, ch]
            dst[...] = ndimage.affine_transform(src, matrices[n, :, :2],
                                                offset=matrices[n, :, 2], order=int(order),
                                                mode=SCIPY_FILL_MODES[fill_mode],
                                                cval=float(cval), prefilter=False)
    return y


# -- CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) -----------------------------------

def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return tuple(table)


_CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    """CRC-32C of a bytes-like object, a byte at a time (about 1 s per MiB)."""
    try:
        data = memoryview(data).cast('B')
    except TypeError as e:
        raise TypeError(f'crc32c: expected a contiguous bytes-like object, got '
                        f'{type(data).__name__}') from e
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# =====================================================================================
# -- recurrent loops: LSTM, GRU (both reset_after modes), SimpleRNN --------------------
# The twins of kback_core/recurrent.pyx, same arguments and layout: xw (B, T, G) = the
# inputs times the kernel plus the input bias, in data order; the sequences (B, T, .)
# in processing order (reversed data order with `reverse`); mask (B, T) or None, data
# order.  A masked step keeps the states; `out` is h from a row's first unmasked step
# on and zeros before it.  rmask (B, gates H) or None: the recurrent dropout masks,
# gate k's columns of h_prev U from h_prev times columns k H:(k + 1) H of it.  Saved
# for the backward: LSTM gates = i, f, g, o, act(c); GRU gates = z, r, hh and extra =
# r * h_prev (times the candidate's mask; reset_after: h_prev U_h + b_h).

def _rnn_act(name, x):
    if name == 'tanh':
        return np.tanh(x)
    if name == 'sigmoid':
        return 1 / (1 + np.exp(-x))
    if name == 'hard_sigmoid':
        return np.clip(x * x.dtype.type(0.2) + x.dtype.type(0.5), 0, 1)
    if name == 'relu':
        return np.where(x <= 0, 0, x).astype(x.dtype)
    if name == 'linear':
        return x
    raise ValueError(f'recurrent loop: unsupported activation {name!r}')


def _rnn_dact(name, y, g):
    """g times the activation's derivative, from its output y."""
    if name == 'tanh':
        return g * (1 - y * y)
    if name == 'sigmoid':
        return g * y * (1 - y)
    if name == 'hard_sigmoid':
        return np.where((y > 0) & (y < 1), g * g.dtype.type(0.2), 0).astype(g.dtype)
    if name == 'relu':
        return np.where(y > 0, g, 0).astype(g.dtype)
    return g


def _rnn_steps(mask, B, T, reverse):
    """Per processing step: the data index, the (B, 1) keep flags and the rows
    that have seen an unmasked step."""
    seen = np.zeros((B, 1), dtype=bool)
    for s in range(T):
        t = T - 1 - s if reverse else s
        keep = np.ones((B, 1), dtype=bool) if mask is None else (mask[:, t] != 0)[:, None]
        seen = seen | keep
        yield s, t, keep, seen.copy()


def _rnn_out(hs, mask, reverse):
    out = hs.copy()
    for s, _, _, seen in _rnn_steps(mask, hs.shape[0], hs.shape[1], reverse):
        out[:, s] = np.where(seen, hs[:, s], 0)
    return out


def _rnn_gate_masks(rmask, H, gates):
    return [None if rmask is None else rmask[:, k * H:(k + 1) * H] for k in range(gates)]


def _rnn_rec(h, u, rmask):
    """h @ u, each gate's (H wide) columns from h times its mask."""
    H = u.shape[0]
    if rmask is None:
        return h @ u
    return np.concatenate([(h * m) @ u[:, k * H:(k + 1) * H]
                           for k, m in enumerate(_rnn_gate_masks(rmask, H, u.shape[1] // H))],
                          axis=1)


def _rnn_rec_adjoint(d, u, rmask):
    """_rnn_rec's adjoint in h: d @ u.T, each gate's part times its mask."""
    H = u.shape[0]
    if rmask is None:
        return d @ u.T
    return sum((d[:, k * H:(k + 1) * H] @ u[:, k * H:(k + 1) * H].T) * m
               for k, m in enumerate(_rnn_gate_masks(rmask, H, u.shape[1] // H)))


def _rnn_masked_kernel_grad(h_prev, d, rmask):
    """The kernel gradient of _rnn_rec over every row and step."""
    H = h_prev.shape[2]
    if rmask is None:
        return _rnn_kernel_grad(h_prev, d)
    return np.concatenate([_rnn_kernel_grad(h_prev * m[:, None], d[:, :, k * H:(k + 1) * H])
                           for k, m in enumerate(_rnn_gate_masks(rmask, H, d.shape[2] // H))],
                          axis=1)


def lstm_forward(xw, u, h0, c0, mask, activation, recurrent_activation, reverse, rmask=None):
    """-> out, hs, cs (B, T, H), gates (B, T, 5H)."""
    B, T, G = xw.shape
    H = G // 4
    hs, cs = np.empty((B, T, H), xw.dtype), np.empty((B, T, H), xw.dtype)
    gates = np.zeros((B, T, 5 * H), xw.dtype)
    h, c = h0, c0
    for s, t, keep, _ in _rnn_steps(mask, B, T, reverse):
        z = xw[:, t] + _rnn_rec(h, u, rmask)
        i, f = _rnn_act(recurrent_activation, z[:, :H]), _rnn_act(recurrent_activation, z[:, H:2 * H])
        g, o = _rnn_act(activation, z[:, 2 * H:3 * H]), _rnn_act(recurrent_activation, z[:, 3 * H:])
        c_new = f * c + i * g
        tc = _rnn_act(activation, c_new)
        gates[:, s] = np.where(keep, np.concatenate([i, f, g, o, tc], axis=1), 0)
        h, c = np.where(keep, o * tc, h), np.where(keep, c_new, c)
        hs[:, s], cs[:, s] = h, c
    return _rnn_out(hs, mask, reverse), hs, cs, gates


def _rnn_kernel_grad(a, d):
    """sum over every row and step of a^T d (a (B, T, H), d (B, T, N))."""
    return a.reshape(-1, a.shape[2]).T @ d.reshape(-1, d.shape[2])


def _rnn_h_prev(h0, hs):
    """The state each processing step started from."""
    return np.concatenate([h0[:, None], hs[:, :-1]], axis=1)


def _rnn_cotangent(dh, d_out, d_hs, s, seen):
    if d_out is not None:
        dh = dh + np.where(seen, d_out[:, s], 0)
    if d_hs is not None:
        dh = dh + d_hs[:, s]
    return dh


def lstm_backward(u, h0, c0, mask, hs, cs, gates, d_out, d_hs, d_cs, activation,
                  recurrent_activation, reverse, rmask=None):
    """-> dxw (B, T, 4H, processing order), du (H, 4H), dh0, dc0."""
    B, T, H = hs.shape
    dxw = np.zeros((B, T, 4 * H), hs.dtype)
    dh, dc = np.zeros_like(h0), np.zeros_like(c0)
    for s, t, keep, seen in reversed(list(_rnn_steps(mask, B, T, reverse))):
        dh = _rnn_cotangent(dh, d_out, d_hs, s, seen)
        if d_cs is not None:
            dc = dc + d_cs[:, s]
        i, f, g, o, tc = (gates[:, s, k * H:(k + 1) * H] for k in range(5))
        c_prev = c0 if s == 0 else cs[:, s - 1]
        d_c = dc + _rnn_dact(activation, tc, dh * o)
        dz = np.concatenate([_rnn_dact(recurrent_activation, i, d_c * g),
                             _rnn_dact(recurrent_activation, f, d_c * c_prev),
                             _rnn_dact(activation, g, d_c * i),
                             _rnn_dact(recurrent_activation, o, dh * tc)], axis=1)
        dz = np.where(keep, dz, 0)
        dxw[:, s] = dz
        dh = np.where(keep, _rnn_rec_adjoint(dz, u, rmask), dh)
        dc = np.where(keep, d_c * f, dc)
    return dxw, _rnn_masked_kernel_grad(_rnn_h_prev(h0, hs), dxw, rmask), dh, dc


def gru_forward(xw, u, brec, h0, mask, activation, recurrent_activation, reset_after, reverse,
                rmask=None):
    """-> out, hs (B, T, H), gates (B, T, 3H), extra (B, T, H)."""
    B, T, G = xw.shape
    H = G // 3
    hs, extra = np.empty((B, T, H), xw.dtype), np.zeros((B, T, H), xw.dtype)
    gates = np.zeros((B, T, 3 * H), xw.dtype)
    h = h0
    m_h = 1 if rmask is None else rmask[:, 2 * H:]
    for s, t, keep, _ in _rnn_steps(mask, B, T, reverse):
        x = xw[:, t]
        if reset_after:
            inner = _rnn_rec(h, u, rmask)
            inner = inner if brec is None else inner + brec
            z = _rnn_act(recurrent_activation, x[:, :H] + inner[:, :H])
            r = _rnn_act(recurrent_activation, x[:, H:2 * H] + inner[:, H:2 * H])
            ex = inner[:, 2 * H:]
            hh = _rnn_act(activation, x[:, 2 * H:] + r * ex)
        else:
            inner = _rnn_rec(h, u[:, :2 * H], None if rmask is None else rmask[:, :2 * H])
            z = _rnn_act(recurrent_activation, x[:, :H] + inner[:, :H])
            r = _rnn_act(recurrent_activation, x[:, H:2 * H] + inner[:, H:])
            ex = r * (h * m_h)
            hh = _rnn_act(activation, x[:, 2 * H:] + ex @ u[:, 2 * H:])
        gates[:, s] = np.where(keep, np.concatenate([z, r, hh], axis=1), 0)
        extra[:, s] = np.where(keep, ex, 0)
        h = np.where(keep, z * h + (1 - z) * hh, h)
        hs[:, s] = h
    return _rnn_out(hs, mask, reverse), hs, gates, extra


def gru_backward(u, h0, mask, hs, gates, extra, d_out, d_hs, activation,
                 recurrent_activation, reset_after, reverse, rmask=None):
    """-> dxw (B, T, 3H, processing order), drec (reset_after; else None), du
    (H, 3H), dh0."""
    B, T, H = hs.shape
    dxw = np.zeros((B, T, 3 * H), hs.dtype)
    drec = np.zeros((B, T, 3 * H), hs.dtype) if reset_after else None
    dh = np.zeros_like(h0)
    m_h = 1 if rmask is None else rmask[:, 2 * H:]
    m_zr = None if rmask is None else rmask[:, :2 * H]
    for s, t, keep, seen in reversed(list(_rnn_steps(mask, B, T, reverse))):
        dh = _rnn_cotangent(dh, d_out, d_hs, s, seen)
        z, r, hh = (gates[:, s, k * H:(k + 1) * H] for k in range(3))
        h_prev = h0 if s == 0 else hs[:, s - 1]
        dz = _rnn_dact(recurrent_activation, z, dh * (h_prev - hh))
        dhh = _rnn_dact(activation, hh, dh * (1 - z))
        if reset_after:
            dr = _rnn_dact(recurrent_activation, r, dhh * extra[:, s])
            dx = np.concatenate([dz, dr, dhh], axis=1)
            dr_ = np.where(keep, np.concatenate([dz, dr, dhh * r], axis=1), 0)
            drec[:, s] = dr_
            dprev = dh * z + _rnn_rec_adjoint(dr_, u, rmask)
        else:
            drh = (dhh @ u[:, 2 * H:].T) * m_h
            dr = _rnn_dact(recurrent_activation, r, drh * h_prev)
            dx = np.concatenate([dz, dr, dhh], axis=1)
            dprev = dh * z + drh * r + _rnn_rec_adjoint(dx[:, :2 * H], u[:, :2 * H], m_zr)
        dxw[:, s] = np.where(keep, dx, 0)
        dh = np.where(keep, dprev, dh)
    h_prev = _rnn_h_prev(h0, hs)
    if reset_after:
        du = _rnn_masked_kernel_grad(h_prev, drec, rmask)
    else:
        du = np.concatenate([_rnn_masked_kernel_grad(h_prev, dxw[:, :, :2 * H], m_zr),
                             _rnn_kernel_grad(extra, dxw[:, :, 2 * H:])], axis=1)
    return dxw, drec, du, dh


def simple_forward(xw, u, h0, mask, activation, reverse, rmask=None):
    """-> out, hs (B, T, H)."""
    B, T, H = xw.shape
    hs = np.empty((B, T, H), xw.dtype)
    h = h0
    for s, t, keep, _ in _rnn_steps(mask, B, T, reverse):
        h = np.where(keep, _rnn_act(activation, xw[:, t] + _rnn_rec(h, u, rmask)), h)
        hs[:, s] = h
    return _rnn_out(hs, mask, reverse), hs


def simple_backward(u, h0, mask, hs, d_out, d_hs, activation, reverse, rmask=None):
    """-> dxw (B, T, H, processing order), du (H, H), dh0."""
    B, T, H = hs.shape
    dxw = np.zeros((B, T, H), hs.dtype)
    dh = np.zeros_like(h0)
    for s, t, keep, seen in reversed(list(_rnn_steps(mask, B, T, reverse))):
        dh = _rnn_cotangent(dh, d_out, d_hs, s, seen)
        dz = np.where(keep, _rnn_dact(activation, hs[:, s], dh), 0)
        dxw[:, s] = dz
        dh = np.where(keep, _rnn_rec_adjoint(dz, u, rmask), dh)
    return dxw, _rnn_masked_kernel_grad(_rnn_h_prev(h0, hs), dxw, rmask), dh
