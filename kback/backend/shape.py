"""Shape functions: concatenate, reshape, padding, resizing (Keras-2 names).

Every function composes op-table primitives; static shapes are checked here
(or in the primitives' infer) so bad input fails when the graph is built.
"""
import builtins

import numpy as np

from . import _shapes, config
from ._shapes import fmt
from ._dtypes import as_dtype_name, compute_dtype, is_float, is_int
from .tensor import Tensor, Constant, as_tensor, as_operands
from .ops import apply
from .core import cast

_slice = builtins.slice   # `slice` below is K.slice


def _ints(fn, values, name, minimum=None):
    if isinstance(values, Tensor):
        raise ValueError(f'{fn}: {name} must be Python ints, not a tensor')
    try:
        values = list(values)
    except TypeError:
        raise ValueError(f'{fn}: {name} must be a sequence of ints, got {values!r}') from None
    return tuple(_shapes.as_int(fn, name, v, minimum) for v in values)


def _insert_axis(fn, axis, ndim):
    """An axis where a new dim is inserted: -1 means after the last one."""
    axis = _shapes.as_int(fn, 'axis', axis)
    if not -ndim - 1 <= axis <= ndim:
        raise ValueError(f'{fn}: axis {axis} is out of range for inserting into a tensor of rank {ndim}')
    return axis % (ndim + 1)


def _same_dtype(fn, tensors):
    dtypes = {t.dtype for t in tensors}
    if len(dtypes) > 1:
        raise ValueError(f'{fn}: all tensors must have the same dtype, got '
                         + ', '.join(f'{fmt(t.shape)} {t.dtype}' for t in tensors))


def _tensor_list(fn, tensors):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise ValueError(f'{fn}: expects a non-empty list of tensors, got {tensors!r}')
    tensors = as_operands(*tensors)
    _same_dtype(fn, tensors)
    return tensors


# -- joining ------------------------------------------------------------------------

def concatenate(tensors, axis=-1):
    """Concatenates a list of tensors along an axis.

    Arguments:
        tensors: a list of tensors of the same rank (>= 1) and dtype.
        axis: the axis to concatenate along.

    Returns:
        A tensor.

    Raises:
        ValueError: if the ranks, dtypes or the other sizes differ.
    """
    tensors = _tensor_list('concatenate', tensors)
    ndim = len(tensors[0].shape)
    if ndim == 0 or any(len(t.shape) != ndim for t in tensors):
        raise ValueError('concatenate: tensors must have the same rank >= 1, got '
                         + ', '.join(fmt(t.shape) for t in tensors))
    axis = _shapes.normalize_axis('concatenate', axis, ndim)
    if len(tensors) == 1:
        return tensors[0]
    return apply('concatenate', *tensors, axis=axis)


def stack(x, axis=0):
    """Stacks a list of tensors of the same shape along a new axis.

    Arguments:
        x: a list of tensors of the same shape.
        axis: where the new axis goes.

    Returns:
        A tensor of rank one more than the inputs'.

    Raises:
        ValueError: if the shapes differ.
    """
    tensors = _tensor_list('stack', x)
    shape = tensors[0].shape
    for t in tensors[1:]:
        if len(t.shape) != len(shape) or any(
                a is not None and b is not None and a != b for a, b in zip(shape, t.shape)):
            raise ValueError('stack: all tensors must have the same shape, got '
                             + ', '.join(fmt(t.shape) for t in tensors))
    axis = _insert_axis('stack', axis, len(shape))
    parts = [apply('expand_dims', t, axes=(axis,)) for t in tensors]
    return parts[0] if len(parts) == 1 else apply('concatenate', *parts, axis=axis)


# -- reshaping ------------------------------------------------------------------------

def _static_value(t):
    """The value of a scalar int tensor when known at build time, else None."""
    if isinstance(t, Constant) and t.value.ndim == 0 and is_int(t.dtype):
        return int(t.value)
    if t.op == 'getitem' and t.inputs[0].op == 'shape_of' and len(t.shape) == 0:
        index = t.attrs['index']
        dims = t.inputs[0].inputs[0].shape
        if len(index) == 1 and isinstance(index[0], int):
            return dims[index[0]]
    return None


def reshape(x, shape):
    """Reshapes a tensor.

    Arguments:
        x: a tensor.
        shape: the target shape: a tuple whose entries are ints, -1 or None
            (inferred), or scalar int tensors such as `K.shape(x)[0]`; or a 1D
            int tensor.

    Returns:
        A tensor with the same values.

    Raises:
        ValueError: if the sizes cannot match.
    """
    x = as_tensor(x)
    if isinstance(shape, Tensor):
        return _reshape_to_tensor(x, shape)
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        entries = list(shape)
    except TypeError:
        raise ValueError(f'reshape: shape must be a tuple of ints, got {shape!r}') from None
    static, tensors = [], {}
    for i, d in enumerate(entries):
        if isinstance(d, Tensor):
            value = _static_value(d)
            if value is None:
                if d.shape != () or not is_int(d.dtype):
                    raise ValueError(f'reshape: tensor entries of the target shape must be int '
                                     f'scalars, got {fmt(d.shape)} {d.dtype} at position {i}')
                tensors[i] = d
            static.append(value)
        elif d is None:
            static.append(-1)
        else:
            static.append(_shapes.as_int('reshape', 'each shape entry', d, minimum=-1))
    unknown = sum(1 for d in static if d is None or d == -1)
    if unknown <= 1:
        return apply('reshape', x, shape=tuple(-1 if d is None else d for d in static))
    if static.count(-1) == 1 and len(tensors) == 1:
        inferred = _infer_with_own_dim(x, static, tensors)
        if inferred is not None:
            return apply('reshape', x, shape=inferred)
    if static.count(-1) > 1:
        raise ValueError(f'reshape: target shape {tuple(entries)} for {fmt(x.shape)} has more '
                         'than one inferred (-1 or None) entry')
    pieces = []
    for i, d in enumerate(static):
        if i in tensors:
            pieces.append(apply('expand_dims', cast(tensors[i], 'int32'), axes=(0,)))
        else:
            pieces.append(Constant(np.array([d]), 'int32'))
    vector = apply('concatenate', *pieces, axis=0)
    return apply('reshape_dynamic', x, vector, static=tuple(static))


def _infer_with_own_dim(x, static, tensors):
    """Reshape(x, (K.shape(x)[j], ..., -1, ...)) with the other dims of x known:
    the unknown dim j cancels, so the -1 is known and the reshape is static."""
    (i, t), = tensors.items()
    if t.op != 'getitem' or t.inputs[0].op != 'shape_of' or t.inputs[0].inputs[0] is not x:
        return None
    j = t.attrs['index'][0] % len(x.shape)
    rest = _shapes.num_elements(x.shape[:j] + x.shape[j + 1:])
    known = _shapes.num_elements([d for k, d in enumerate(static) if k != i and d != -1])
    if rest is None or known == 0 or rest % known:
        return None
    return tuple(-1 if k == i else rest // known if d == -1 else d for k, d in enumerate(static))


def _reshape_to_tensor(x, shape):
    if len(shape.shape) != 1 or shape.shape[0] is None or not is_int(shape.dtype):
        raise ValueError(f'reshape: a tensor shape must be an int vector of known length, '
                         f'got {fmt(shape.shape)} {shape.dtype}')
    static = (shape.inputs[0].shape if shape.op == 'shape_of' else (None,) * shape.shape[0])
    if None not in static:
        return apply('reshape', x, shape=static)
    return apply('reshape_dynamic', x, shape, static=tuple(static))


def flatten(x):
    """Flattens a tensor to 1D.

    Arguments:
        x: a tensor.

    Returns:
        A 1D tensor.
    """
    return apply('reshape', as_tensor(x), shape=(-1,))


def batch_flatten(x):
    """Flattens each sample: `(batch, ...)` to `(batch, product of the rest)`.

    Arguments:
        x: a tensor of rank >= 1.

    Returns:
        A 2D tensor.

    Raises:
        ValueError: if `x` is a scalar.
    """
    x = as_tensor(x)
    if len(x.shape) == 0:
        raise ValueError(f'batch_flatten: expects a tensor of rank >= 1, got shape {fmt(x.shape)}')
    return apply('batch_flatten', x)


def permute_dimensions(x, pattern):
    """Permutes the axes of a tensor.

    Arguments:
        x: a tensor.
        pattern: a tuple of ints, the new order of the axes, e.g. `(0, 2, 1)`.

    Returns:
        A tensor.

    Raises:
        ValueError: if `pattern` is not a permutation of the axes.
    """
    x = as_tensor(x)
    pattern = _ints('permute_dimensions', pattern, 'pattern')
    return apply('transpose', x, perm=pattern)


def expand_dims(x, axis=-1):
    """Adds an axis of size 1.

    Arguments:
        x: a tensor.
        axis: where the new axis goes (-1: after the last one).

    Returns:
        A tensor of rank one more.
    """
    x = as_tensor(x)
    return apply('expand_dims', x, axes=(_insert_axis('expand_dims', axis, len(x.shape)),))


def squeeze(x, axis):
    """Removes axes of size 1.

    Arguments:
        x: a tensor.
        axis: an int or a list of ints, axes of size 1.

    Returns:
        A tensor of lower rank.

    Raises:
        ValueError: if an axis is out of range or its size is not 1.
    """
    x = as_tensor(x)
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    axes = _shapes.normalize_axes('squeeze', axes, len(x.shape))
    return apply('squeeze', x, axes=axes)


# -- repetition -------------------------------------------------------------------------

def repeat_elements(x, rep, axis):
    """Repeats each slice of a tensor along an axis, as `np.repeat`.

    Arguments:
        x: a tensor of rank >= 1.
        rep: an int >= 1, the number of repetitions.
        axis: the axis.

    Returns:
        A tensor whose size along `axis` is multiplied by `rep`.

    Raises:
        ValueError: if `rep` < 1 or the axis is out of range.
    """
    x = as_tensor(x)
    rep = _shapes.as_int('repeat_elements', 'rep', rep, minimum=1)
    axis = _shapes.normalize_axis('repeat_elements', axis, len(x.shape))
    if len(x.shape) == 0:
        raise ValueError('repeat_elements: expects a tensor of rank >= 1, got shape ()')
    target = list(x.shape)
    target[axis] = None if target[axis] is None else target[axis] * rep
    if target.count(None) > 1 or None in target and 0 in target:
        # A static reshape cannot undo the tile (one -1 at most, and a -1
        # beside a zero-length dim is ambiguous): use the primitive.
        return apply('repeat', x, axis=axis, rep=rep)
    reps = [1] * (len(x.shape) + 1)
    reps[axis + 1] = rep
    tiled = apply('tile', apply('expand_dims', x, axes=(axis + 1,)), reps=tuple(reps))
    return apply('reshape', tiled, shape=tuple(-1 if d is None else d for d in target))


def repeat(x, n):
    """Repeats a 2D tensor along a new axis 1: `(batch, dim)` to
    `(batch, n, dim)`.

    Arguments:
        x: a 2D tensor.
        n: an int >= 0.

    Returns:
        A 3D tensor.

    Raises:
        ValueError: if `x` is not 2D or `n` < 0.
    """
    x = as_tensor(x)
    if len(x.shape) != 2:
        raise ValueError(f'repeat: expects a 2D tensor (batch, dim), got shape {fmt(x.shape)}')
    n = _shapes.as_int('repeat', 'n', n, minimum=0)
    return apply('tile', apply('expand_dims', x, axes=(1,)), reps=(1, n, 1))


def tile(x, n):
    """Tiles a tensor: repeats it `n[i]` times along axis `i`.

    Arguments:
        x: a tensor.
        n: an int or a list of ints; a list shorter than the rank gets leading
            1s (numpy's rule).

    Returns:
        A tensor.

    Raises:
        ValueError: if `n` has more entries than `x` has axes, or one is < 0.
    """
    x = as_tensor(x)
    reps = (_shapes.as_int('tile', 'n', n, minimum=0),) if isinstance(n, (int, np.integer)) else \
        _ints('tile', n, 'n', minimum=0)
    if len(reps) > len(x.shape):
        raise ValueError(f'tile: {len(reps)} repetitions {reps} given for a tensor of shape {fmt(x.shape)}')
    reps = (1,) * (len(x.shape) - len(reps)) + reps
    if all(r == 1 for r in reps):
        return x
    return apply('tile', x, reps=reps)


# -- images -------------------------------------------------------------------------------

def _bilinear_matrix(size, factor, dtype):
    """(size * factor, size) weights of TF1's resize_bilinear (no corner
    alignment, no half-pixel centres): source = target / factor."""
    out = size * factor
    m = np.zeros((out, size))
    for i in range(out):
        low, rest = divmod(i * size, out)
        frac = rest / out
        m[i, low] += 1.0 - frac
        m[i, builtins.min(low + 1, size - 1)] += frac
    return Constant(m.astype(compute_dtype(dtype)), dtype)


def resize_images(x, height_factor, width_factor, data_format, interpolation='nearest'):
    """Upsamples the rows and columns of a 4D tensor by integer factors.

    Arguments:
        x: a 4D tensor.
        height_factor: an int >= 1.
        width_factor: an int >= 1.
        data_format: `'channels_last'` or `'channels_first'`.
        interpolation: `'nearest'` or `'bilinear'`.

    Returns:
        A 4D tensor.

    Raises:
        ValueError: if `x` is not 4D, a factor is < 1, or the interpolation is
            unknown.
    """
    x = as_tensor(x)
    data_format = config.normalize_data_format(data_format)
    if len(x.shape) != 4:
        raise ValueError(f'resize_images: expects a 4D tensor, got shape {fmt(x.shape)}')
    fh = _shapes.as_int('resize_images', 'height_factor', height_factor, minimum=1)
    fw = _shapes.as_int('resize_images', 'width_factor', width_factor, minimum=1)
    rows, cols = (2, 3) if data_format == 'channels_first' else (1, 2)
    if interpolation == 'nearest':
        if fh > 1:
            x = repeat_elements(x, fh, rows)
        if fw > 1:
            x = repeat_elements(x, fw, cols)
        return x
    if interpolation != 'bilinear':
        raise ValueError(f'resize_images: interpolation should be one of "nearest" or "bilinear", '
                         f'got {interpolation!r}')
    h, w = x.shape[rows], x.shape[cols]
    if h is None or w is None:
        raise ValueError(f'resize_images: bilinear interpolation needs known height and width, '
                         f'got shape {fmt(x.shape)} ({data_format})')
    if not is_float(x.dtype):
        x = cast(x, config.floatx())
    if data_format == 'channels_last':
        x = apply('transpose', x, perm=(0, 3, 1, 2))
    # (H', H) @ (N, C, H, W) @ (W, W'): matmul broadcasts over (N, C).
    x = apply('matmul', _bilinear_matrix(h, fh, x.dtype), x)
    wt = _bilinear_matrix(w, fw, x.dtype)
    x = apply('matmul', x, apply('transpose', wt, perm=(1, 0)))
    if data_format == 'channels_last':
        x = apply('transpose', x, perm=(0, 2, 3, 1))
    return x


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Upsamples the three spatial axes of a 5D tensor by repetition.

    Arguments:
        x: a 5D tensor.
        depth_factor: an int >= 1.
        height_factor: an int >= 1.
        width_factor: an int >= 1.
        data_format: `'channels_last'` or `'channels_first'`.

    Returns:
        A 5D tensor.

    Raises:
        ValueError: if `x` is not 5D or a factor is < 1.
    """
    x = as_tensor(x)
    data_format = config.normalize_data_format(data_format)
    if len(x.shape) != 5:
        raise ValueError(f'resize_volumes: expects a 5D tensor, got shape {fmt(x.shape)}')
    first = 2 if data_format == 'channels_first' else 1
    factors = (depth_factor, height_factor, width_factor)
    for i, (name, f) in enumerate(zip(('depth_factor', 'height_factor', 'width_factor'), factors)):
        f = _shapes.as_int('resize_volumes', name, f, minimum=1)
        if f > 1:
            x = repeat_elements(x, f, first + i)
    return x


def _pair(fn, value, name):
    pair = _ints(fn, value, name, minimum=0)
    if len(pair) != 2:
        raise ValueError(f'{fn}: {name} must be a pair of ints, got {value!r}')
    return pair


def temporal_padding(x, padding=(1, 1)):
    """Pads the middle axis of a 3D tensor with zeros.

    Arguments:
        x: a 3D tensor.
        padding: a pair of ints, the zeros added at the start and the end.

    Returns:
        A 3D tensor.

    Raises:
        ValueError: if `x` is not 3D or `padding` is not a pair of ints >= 0.
    """
    x = as_tensor(x)
    if len(x.shape) != 3:
        raise ValueError(f'temporal_padding: expects a 3D tensor, got shape {fmt(x.shape)}')
    padding = _pair('temporal_padding', padding, 'padding')
    return apply('pad', x, pads=((0, 0), padding, (0, 0)), value=0)


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Pads the rows and columns of a 4D tensor with zeros.

    Arguments:
        x: a 4D tensor.
        padding: a pair of pairs, `((top, bottom), (left, right))`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Returns:
        A 4D tensor.

    Raises:
        ValueError: if `x` is not 4D or `padding` is malformed.
    """
    x = as_tensor(x)
    data_format = config.normalize_data_format(data_format)
    if len(x.shape) != 4:
        raise ValueError(f'spatial_2d_padding: expects a 4D tensor, got shape {fmt(x.shape)}')
    try:
        ok = len(padding) == 2
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f'spatial_2d_padding: padding must be two pairs of ints, got {padding!r}')
    top_bottom = _pair('spatial_2d_padding', padding[0], 'padding')
    left_right = _pair('spatial_2d_padding', padding[1], 'padding')
    if data_format == 'channels_first':
        pads = ((0, 0), (0, 0), top_bottom, left_right)
    else:
        pads = ((0, 0), top_bottom, left_right, (0, 0))
    return apply('pad', x, pads=pads, value=0)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Pads the three spatial axes of a 5D tensor with zeros.

    Arguments:
        x: a 5D tensor.
        padding: a tuple of 3 pairs of ints, one per spatial axis.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Returns:
        A 5D tensor.

    Raises:
        ValueError: if `x` is not 5D or `padding` is malformed.
    """
    x = as_tensor(x)
    data_format = config.normalize_data_format(data_format)
    if len(x.shape) != 5:
        raise ValueError(f'spatial_3d_padding: expects a 5D tensor, got shape {fmt(x.shape)}')
    try:
        ok = len(padding) == 3
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f'spatial_3d_padding: padding must be three pairs of ints, got {padding!r}')
    pairs = tuple(_pair('spatial_3d_padding', p, 'padding') for p in padding)
    if data_format == 'channels_first':
        pads = ((0, 0), (0, 0)) + pairs
    else:
        pads = ((0, 0),) + pairs + ((0, 0),)
    return apply('pad', x, pads=pads, value=0)


# -- indexing-like -------------------------------------------------------------------------

def slice(x, start, size):
    """A slice of a tensor: `x[start[i]:start[i] + size[i]]` along every axis.

    Arguments:
        x: a tensor.
        start: a list of ints, one per axis.
        size: a list of ints, one per axis; -1 means to the end.

    Returns:
        A tensor.

    Raises:
        ValueError: if the lists do not match the rank or leave the bounds.
    """
    x = as_tensor(x)
    start = _ints('slice', start, 'start', minimum=0)
    size = _ints('slice', size, 'size', minimum=-1)
    if not len(x.shape) == len(start) == len(size):
        raise ValueError(f'slice: start {start} and size {size} must both have one entry per '
                         f'axis of {fmt(x.shape)}')
    index = []
    for axis, (dim, s, n) in enumerate(zip(x.shape, start, size)):
        end = dim if n == -1 else s + n
        if dim is not None and (s > dim or end > dim):
            raise ValueError(f'slice: start {start} and size {size} exceed shape {fmt(x.shape)} '
                             f'on axis {axis}')
        index.append(_slice(s, None if n == -1 else s + n))
    return apply('getitem', x, index=tuple(index))


def reverse(x, axes):
    """Reverses a tensor along some axes.

    Arguments:
        x: a tensor.
        axes: an int or a list of ints.

    Returns:
        A tensor.
    """
    x = as_tensor(x)
    axes = list(axes) if isinstance(axes, (list, tuple)) else [axes]
    return apply('reverse', x, axes=_shapes.normalize_axes('reverse', axes, len(x.shape)))


def one_hot(indices, num_classes):
    """One-hot encodes integer indices.

    Arguments:
        indices: an integer tensor.
        num_classes: an int >= 1.

    Returns:
        A `K.floatx()` tensor of shape `indices.shape + (num_classes,)`;
        indices outside `[0, num_classes)` give rows of zeros.

    Raises:
        ValueError: if `indices` is not an integer tensor.
    """
    indices = as_tensor(indices)
    if not is_int(indices.dtype):
        raise ValueError(f'one_hot: indices must be integers, got {fmt(indices.shape)} {indices.dtype}')
    num_classes = _shapes.as_int('one_hot', 'num_classes', num_classes, minimum=1)
    return apply('one_hot', indices, num_classes=num_classes, dtype=config.floatx())


def arange(start, stop=None, step=1, dtype='int32'):
    """A 1D tensor of evenly spaced values, computed like tf.range then cast to
    `dtype`: a constant for Python numbers; for tensor bounds (scalars) its
    length is known at run time.  A lone negative `start` gives an empty
    sequence, as numpy.

    Arguments:
        start: the first value (or the end, when `stop` is None); a number or
            a scalar tensor.
        stop: the end (excluded).
        step: the spacing (not 0).
        dtype: the dtype (default `'int32'`).

    Returns:
        A tensor.

    Raises:
        ValueError: if a bound is neither a number nor a scalar tensor, or
            `step` is 0.
    """
    dtype = as_dtype_name(dtype)
    for name, v in (('start', start), ('stop', stop), ('step', step)):
        if not (v is None or isinstance(v, (Tensor, int, float, np.number))) or isinstance(v, bool) \
                or isinstance(v, Tensor) and v.shape != ():
            raise ValueError(f'arange: {name} must be a number or a scalar tensor, got {v!r}')
    if stop is None:
        start, stop = 0, start
    if any(isinstance(v, Tensor) for v in (start, stop, step)):
        return apply('arange', *(as_tensor(v) for v in (start, stop, step)), dtype=dtype)
    if step == 0:
        raise ValueError('arange: step must not be 0')
    return Constant(np.arange(start, stop, step).astype(dtype), dtype)
