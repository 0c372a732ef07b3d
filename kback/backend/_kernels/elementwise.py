"""Elementwise kernels: relu, bias_add (+ relu) forward and backward, dropout.

Each wrapper takes numpy arrays of any layout (converted to contiguous
float32/float64), an optional `out=` buffer, and runs the compiled kernel
with config.get_num_threads() threads; tiny arrays, other dtypes or a
missing extension use the numpy formulas, which give the same results.
"""
import numpy as np

from . import AVAILABLE, _threads, _out

if AVAILABLE:
    from kback_core import elementwise as _ew
    from kback_core import _openmp

# Below this many elements numpy's call is as cheap as ours.
_TINY = 1024


def set_openmp_threads(n):
    """The OpenMP team size of kback_core (and FTZ/DAZ in every worker)."""
    if AVAILABLE:
        _openmp.set_num_threads(int(n))




def _dtype_of(*arrays):
    """The common float dtype the kernels run in, or None (numpy path)."""
    dt = np.result_type(*arrays)
    return dt if dt.type in (np.float32, np.float64) else None


def _compiled(size, dtype):
    return AVAILABLE and dtype is not None and size >= _TINY


def _c(a, dtype):
    return np.ascontiguousarray(a, dtype=dtype)




def _finish(result, out):
    if out is None:
        return result
    out[...] = result
    return out


def _as3(shape, axis):
    """(outer, channels, inner) for a channel axis."""
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
    return outer, shape[axis], inner


def _checked_bias_axis(fn, x, bias, axis):
    if x.ndim < 1 or not -x.ndim <= axis < x.ndim:
        raise ValueError(f'{fn}: axis {axis} is out of range for x of shape {x.shape}')
    axis %= x.ndim
    if bias.shape != (x.shape[axis],):
        raise ValueError(f'{fn}: bias of shape {bias.shape} does not match the '
                         f'{x.shape[axis]} channels (axis {axis}) of x of shape {x.shape}')
    return axis


def _bias_view(bias, ndim, axis):
    return bias.reshape((-1,) + (1,) * (ndim - axis - 1))


# -- relu ------------------------------------------------------------------------------

def relu(x, out=None):
    x = np.asarray(x)
    dt = _dtype_of(x)
    if not _compiled(x.size, dt):
        return _finish(np.maximum(x, 0), out)
    x = _c(x, dt)
    res = _out(out, x.shape, dt, 'relu')
    _ew.relu_forward(x.reshape(-1), res.reshape(-1), _threads(x.size))
    return res


def relu_grad(x, g, out=None):
    """g where x > 0, else 0."""
    x, g = np.asarray(x), np.asarray(g)
    dt = _dtype_of(g)
    if x.shape != g.shape or not _compiled(x.size, dt):
        return _finish(np.where(x > 0, g, 0).astype(g.dtype, copy=False), out)
    x, g = _c(x, dt), _c(g, dt)
    res = _out(out, g.shape, dt, 'relu_grad')
    _ew.relu_backward(x.reshape(-1), g.reshape(-1), res.reshape(-1), _threads(x.size))
    return res


# -- bias_add, bias_add + relu ---------------------------------------------------------

def bias_add(x, bias, axis=-1, relu=False, out=None):
    """x + bias along the channel axis (then max(., 0) when relu), one pass."""
    fn = 'bias_add_relu' if relu else 'bias_add'
    x, bias = np.asarray(x), np.asarray(bias)
    axis = _checked_bias_axis(fn, x, bias, axis)
    dt = _dtype_of(x, bias)
    if not _compiled(x.size, dt):
        res = x + _bias_view(bias, x.ndim, axis)
        return _finish(np.maximum(res, 0) if relu else res, out)
    x, bias = _c(x, dt), _c(bias, dt)
    res = _out(out, x.shape, dt, fn)
    shape3 = _as3(x.shape, axis)
    _ew.bias_add_forward(x.reshape(shape3), bias, res.reshape(shape3), bool(relu),
                         _threads(x.size))
    return res


def bias_add_relu(x, bias, axis=-1, out=None):
    return bias_add(x, bias, axis, relu=True, out=out)


def _sum_axes(ndim, axis):
    return tuple(i for i in range(ndim) if i != axis)


def channel_sum(g, axis=-1, out=None):
    """Sum of g over every axis but `axis` (the gradient of bias_add)."""
    g = np.asarray(g)
    if g.ndim < 1 or not -g.ndim <= axis < g.ndim:
        raise ValueError(f'channel_sum: axis {axis} is out of range for shape {g.shape}')
    axis %= g.ndim
    dt = _dtype_of(g)
    if not _compiled(g.size, dt):
        return _finish(np.sum(g, axis=_sum_axes(g.ndim, axis)), out)
    g = _c(g, dt)
    res = _out(out, (g.shape[axis],), dt, 'channel_sum')
    _ew.channel_sum(g.reshape(_as3(g.shape, axis)), res, _threads(g.size))
    return res


def bias_add_relu_grad(y, g, axis=-1, out=None, db_out=None):
    """(dz, db): dz = g where y > 0 else 0, db = channel_sum(dz), in one pass."""
    y, g = np.asarray(y), np.asarray(g)
    if y.shape != g.shape:
        raise ValueError(f'bias_add_relu_grad: y of shape {y.shape} and g of shape {g.shape} '
                         'differ')
    if g.ndim < 1 or not -g.ndim <= axis < g.ndim:
        raise ValueError(f'bias_add_relu_grad: axis {axis} is out of range for shape {g.shape}')
    axis %= g.ndim
    dt = _dtype_of(g)
    if not _compiled(g.size, dt):
        dz = np.where(y > 0, g, 0).astype(g.dtype, copy=False)
        return _finish(dz, out), _finish(np.sum(dz, axis=_sum_axes(g.ndim, axis)), db_out)
    y, g = _c(y, dt), _c(g, dt)
    dz = _out(out, g.shape, dt, 'bias_add_relu_grad')
    db = _out(db_out, (g.shape[axis],), dt, 'bias_add_relu_grad')
    shape3 = _as3(g.shape, axis)
    _ew.bias_add_relu_backward(y.reshape(shape3), g.reshape(shape3), dz.reshape(shape3), db,
                               _threads(g.size))
    return dz, db


# -- dropout ----------------------------------------------------------------------------
# The mask is a pure function of (seed, counter, element index): SplitMix64,
# two 32-bit draws per 64-bit hash; numpy below gives the very same masks.

_M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _mix_int(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def stream_start(seed, counter):
    """Start of the draw stream of call `counter` of a dropout seeded with `seed`."""
    seed, counter = int(seed) & _M64, int(counter) & _M64
    return _mix_int(_mix_int(seed) ^ ((counter * _GOLDEN + 0x632BE59BD9B4E019) & _M64))


def _threshold(level):
    if not 0.0 <= level < 1.0:
        raise ValueError(f'dropout: level must be in [0, 1), got {level}')
    return min(int(round(level * 2.0 ** 32)), 2 ** 32 - 1)


def _numpy_mask(n, start, threshold):
    """The kept flags of n draws (as the kernel draws them)."""
    pairs = (n + 1) // 2
    with np.errstate(over='ignore'):
        z = np.uint64(start) + (np.arange(1, pairs + 1, dtype=np.uint64) * np.uint64(_GOLDEN))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    draws = np.empty(2 * pairs, dtype=np.uint64)
    draws[0::2] = z >> np.uint64(32)
    draws[1::2] = z & np.uint64(0xFFFFFFFF)
    return draws[:n] >= np.uint64(threshold)


def dropout_mask(shape, level, start, dtype=np.float32, out=None):
    """scale = 1 / (1 - level) where kept, else 0, for an array of `shape`."""
    shape = tuple(int(d) for d in shape)
    dt = np.dtype(dtype)
    threshold = _threshold(level)
    scale = 1.0 / (1.0 - level)
    n = int(np.prod(shape, dtype=np.int64))
    if not _compiled(n, _dtype_of(np.empty(0, dt))):
        mask = (_numpy_mask(n, start, threshold) * dt.type(scale)).astype(dt).reshape(shape)
        return _finish(mask, out)
    res = _out(out, shape, dt, 'dropout_mask')
    _ew.dropout_forward(np.empty(0, dt), res.reshape(-1), start, threshold, scale,
                        _threads(n))
    return res


def dropout(x, level, start, mask_shape=None, out=None):
    """x * mask / (1 - level), the mask drawn from stream `start`; a mask_shape
    (broadcasting to x) shares one draw along its size-1 axes."""
    x = np.asarray(x)
    dt = _dtype_of(x)
    if dt is None:
        dt = np.dtype(np.float32 if x.dtype.itemsize <= 4 else np.float64)
    mask_shape = x.shape if mask_shape is None else tuple(int(d) for d in mask_shape)
    if mask_shape != x.shape:
        return _finish(x * dropout_mask(mask_shape, level, start, dt), out)
    threshold = _threshold(level)
    scale = 1.0 / (1.0 - level)
    if not _compiled(x.size, dt):
        keep = _numpy_mask(x.size, start, threshold).reshape(x.shape)
        return _finish(np.where(keep, x * dt.type(scale), dt.type(0)).astype(dt), out)
    x = _c(x, dt)
    res = _out(out, x.shape, dt, 'dropout')
    _ew.dropout_forward(x.reshape(-1), res.reshape(-1), start, threshold, scale, _threads(x.size))
    return res
