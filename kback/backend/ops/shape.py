"""Shape primitives: reshape, transpose, expand/squeeze, broadcast, slicing,
concatenation, padding, reversal, tiling, gathering."""
import math

import numpy as np

from .. import _shapes
from .._shapes import fmt
from .._dtypes import compute_dtype
from ._registry import register, apply, NOT_DIFFERENTIABLE


def _same_as_input(inputs, **_):
    return inputs[0].shape, inputs[0].dtype


# -- reshape ------------------------------------------------------------------

def _reshape_infer(inputs, shape):
    x, = inputs
    if sum(1 for d in shape if d == -1) > 1 or any(d < -1 for d in shape):
        raise ValueError(f'reshape: target shape {shape} may hold at most one -1 and no other negatives')
    size = _shapes.num_elements(x.shape)
    known = _shapes.num_elements([d for d in shape if d != -1])
    if -1 not in shape:
        if size is not None and size != known:
            raise ValueError(f'reshape: cannot reshape {fmt(x.shape)} ({size} elements) '
                             f'to {fmt(shape)} ({known} elements)')
        return tuple(shape), x.dtype
    if size is None:
        return tuple(None if d == -1 else d for d in shape), x.dtype
    if known == 0 or size % known:
        raise ValueError(f'reshape: cannot reshape {fmt(x.shape)} ({size} elements) to {fmt(shape)}')
    return tuple(size // known if d == -1 else d for d in shape), x.dtype


def _reshape(x, shape):
    try:
        return x.reshape(shape)
    except ValueError:
        raise ValueError(f'reshape: cannot reshape an array of shape {x.shape} to {shape}') from None


register('reshape', _reshape_infer, _reshape,
         lambda n, g, needs: [apply('reshape_like', g, n.inputs[0])])

register('reshape_like', lambda inputs: (inputs[1].shape, inputs[0].dtype),
         lambda x, like: x.reshape(like.shape),
         lambda n, g, needs: [apply('reshape_like', g, n.inputs[0]), None])


def _batch_flatten_infer(inputs):
    x, = inputs
    return (x.shape[0], _shapes.num_elements(x.shape[1:])), x.dtype


# The row size is given, not -1: numpy cannot infer it for an empty batch.
register('batch_flatten', _batch_flatten_infer,
         lambda x: x.reshape(x.shape[0], math.prod(x.shape[1:])),
         lambda n, g, needs: [apply('reshape_like', g, n.inputs[0])])

# -- transpose, expand_dims, squeeze -------------------------------------------


def _transpose_infer(inputs, perm):
    x, = inputs
    if sorted(perm) != list(range(len(x.shape))):
        raise ValueError(f'permute_dimensions: pattern {perm} is not a permutation of the '
                         f'{len(x.shape)} axes of {fmt(x.shape)}')
    return tuple(x.shape[p] for p in perm), x.dtype


def _transpose_grad(n, g, needs):
    perm = n.attrs['perm']
    inverse = tuple(int(i) for i in np.argsort(perm))
    return [apply('transpose', g, perm=inverse)]


register('transpose', _transpose_infer, lambda x, perm: np.transpose(x, perm), _transpose_grad)


def _expand_infer(inputs, axes):
    x, = inputs
    shape = list(x.shape)
    for a in sorted(axes):
        shape.insert(a, 1)
    return tuple(shape), x.dtype


register('expand_dims', _expand_infer, lambda x, axes: np.expand_dims(x, axes),
         lambda n, g, needs: [apply('squeeze', g, axes=n.attrs['axes'])])


def _squeeze_infer(inputs, axes):
    x, = inputs
    for a in axes:
        if x.shape[a] not in (1, None):
            raise ValueError(f'squeeze: axis {a} of {fmt(x.shape)} has size {x.shape[a]}, not 1')
    return tuple(d for i, d in enumerate(x.shape) if i not in axes), x.dtype


def _squeeze(x, axes):
    try:
        return np.squeeze(x, axis=axes)
    except ValueError:
        raise ValueError(f'squeeze: axes {axes} of an array of shape {x.shape} are not all of size 1') from None


register('squeeze', _squeeze_infer, _squeeze,
         lambda n, g, needs: [apply('expand_dims', g, axes=n.attrs['axes'])])

# -- broadcasting and its adjoint ----------------------------------------------


def _broadcast_like_infer(inputs):
    x, like = inputs
    shape = _shapes.broadcast('broadcast', x.shape, like.shape)
    return shape, x.dtype


def _broadcast_like(x, like):
    return np.broadcast_to(x, np.broadcast_shapes(x.shape, like.shape))


register('broadcast_like', _broadcast_like_infer, _broadcast_like,
         lambda n, g, needs: [apply('sum_to_like', g, n.inputs[0]), None])


def _sum_to_like(g, like):
    shape = like.shape
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, d in enumerate(shape) if d == 1 and g.shape[i + lead] != 1)
    return np.sum(g, axis=axes, keepdims=True).reshape(shape)


register('sum_to_like', lambda inputs: (inputs[1].shape, inputs[0].dtype), _sum_to_like,
         lambda n, g, needs: [apply('broadcast_like', g, n.inputs[0]), None])

# -- indexing -------------------------------------------------------------------


def _index_infer(inputs, index):
    """Static result shape of x[index] for ints, slices, None and Ellipsis."""
    x, = inputs
    shape = x.shape
    n_real = sum(1 for i in index if i is not None and i is not Ellipsis)
    if n_real > len(shape):
        raise ValueError(f'getitem: too many indices ({n_real}) for a tensor of shape {fmt(shape)}')
    expanded = []
    for i in index:
        if i is Ellipsis:
            expanded.extend([slice(None)] * (len(shape) - n_real))
        else:
            expanded.append(i)
    if Ellipsis not in index:
        expanded.extend([slice(None)] * (len(shape) - n_real))
    out, axis = [], 0
    for i in expanded:
        if i is None:
            out.append(1)
            continue
        dim = shape[axis]
        if isinstance(i, slice):
            out.append(None if dim is None else len(range(*i.indices(dim))))
        else:
            if dim is not None and not -dim <= i < dim:
                raise ValueError(f'getitem: index {i} is out of bounds for axis {axis} '
                                 f'with size {dim} (shape {fmt(shape)})')
        axis += 1
    return tuple(out), x.dtype


def _getitem(x, index):
    return x[index]


def _getitem_grad(n, g, needs):
    return [apply('getitem_grad', g, n.inputs[0], index=n.attrs['index'])]


def _scatter_into_zeros(g, like, index):
    out = np.zeros(like.shape, dtype=g.dtype)
    out[index] = g
    return out


register('getitem', _index_infer, _getitem, _getitem_grad)
register('getitem_grad', lambda inputs, index: (inputs[1].shape, inputs[0].dtype),
         _scatter_into_zeros,
         lambda n, g, needs: [apply('getitem', g, index=n.attrs['index']), None])

# -- concatenation --------------------------------------------------------------


def _concat_infer(inputs, axis):
    first = inputs[0].shape
    out = list(first)
    for x in inputs[1:]:
        if len(x.shape) != len(first) or any(
                i != axis and a is not None and b is not None and a != b
                for i, (a, b) in enumerate(zip(first, x.shape))):
            raise ValueError('concatenate: shapes ' + ', '.join(fmt(t.shape) for t in inputs)
                             + f' do not match outside axis {axis}')
    sizes = [x.shape[axis] for x in inputs]
    out[axis] = None if None in sizes else sum(sizes)
    for i in range(len(out)):
        if i != axis and out[i] is None:
            out[i] = next((x.shape[i] for x in inputs if x.shape[i] is not None), None)
    dtype = inputs[0].dtype
    return tuple(out), dtype


def _concat_grad(n, g, needs):
    return [apply('concat_piece', g, *n.inputs, axis=n.attrs['axis'], index=i) if need else None
            for i, need in enumerate(needs)]


register('concatenate', _concat_infer, lambda *xs, axis: np.concatenate(xs, axis=axis),
         _concat_grad)


def _piece(g, *parts, axis, index):
    start = sum(p.shape[axis] for p in parts[:index])
    sl = [slice(None)] * g.ndim
    sl[axis] = slice(start, start + parts[index].shape[axis])
    return g[tuple(sl)]


def _piece_grad(n, g, needs):
    parts = n.inputs[1:]
    index = n.attrs['index']
    pieces = [g if i == index else apply('zeros_like', p) for i, p in enumerate(parts)]
    return [apply('concatenate', *pieces, axis=n.attrs['axis'])] + [None] * len(parts)


# The slice of a concatenation's gradient that belongs to input `index`.
register('concat_piece', lambda inputs, axis, index: (inputs[1 + index].shape, inputs[0].dtype),
         _piece, _piece_grad)

# -- padding, reversal, tiling ----------------------------------------------------


def _pad_infer(inputs, pads, value):
    x, = inputs
    if len(pads) != len(x.shape):
        raise ValueError(f'pad: {len(pads)} (before, after) pairs given for shape {fmt(x.shape)}')
    return tuple(None if d is None else d + a + b for d, (a, b) in zip(x.shape, pads)), x.dtype


def _pad(x, pads, value):
    return np.pad(x, pads, mode='constant', constant_values=value)


def _pad_grad(n, g, needs):
    index = tuple(slice(a, -b if b else None) for a, b in n.attrs['pads'])
    return [apply('getitem', g, index=index)]


register('pad', _pad_infer, _pad, _pad_grad)

register('reverse', _same_as_input, lambda x, axes: np.flip(x, axes),
         lambda n, g, needs: [apply('reverse', g, axes=n.attrs['axes'])])


def _tile_infer(inputs, reps):
    x, = inputs
    if len(reps) != len(x.shape):
        raise ValueError(f'tile: {len(reps)} repetitions given for shape {fmt(x.shape)}')
    return tuple(None if d is None else d * r for d, r in zip(x.shape, reps)), x.dtype


def _tile_grad_forward(g, like, reps):
    # Split each axis into (rep, size) and sum over the rep axes.
    split = []
    for r, d in zip(reps, like.shape):
        split += [r, d]
    return g.reshape(split).sum(axis=tuple(range(0, 2 * len(reps), 2)))


register('tile', _tile_infer, lambda x, reps: np.tile(x, reps),
         lambda n, g, needs: [apply('tile_grad', g, n.inputs[0], reps=n.attrs['reps'])])
register('tile_grad', lambda inputs, reps: (inputs[1].shape, inputs[0].dtype), _tile_grad_forward,
         lambda n, g, needs: [apply('tile', g, reps=n.attrs['reps']), None])

# -- gather and one_hot ------------------------------------------------------------


def _gather_infer(inputs):
    x, idx = inputs
    if not (idx.dtype.startswith('int') or idx.dtype.startswith('uint')):
        raise ValueError(f'gather: indices must be integers, got dtype {idx.dtype}')
    return idx.shape + x.shape[1:], x.dtype


def _gather(x, idx):
    try:
        return np.take(x, idx, axis=0)
    except IndexError:
        raise IndexError(f'gather: an index in [{idx.min()}, {idx.max()}] is out of range '
                         f'for a tensor with {x.shape[0]} rows') from None


def _gather_grad_forward(g, like, idx):
    out = np.zeros(like.shape, dtype=g.dtype)
    np.add.at(out, idx, g)
    return out


register('gather', _gather_infer, _gather,
         lambda n, g, needs: [apply('gather_grad', g, n.inputs[0], n.inputs[1]), None])
register('gather_grad', lambda inputs: (inputs[1].shape, inputs[0].dtype), _gather_grad_forward,
         lambda n, g, needs: [apply('gather', g, n.inputs[2]), None, None])


def _one_hot_infer(inputs, num_classes, dtype):
    x, = inputs
    return x.shape + (num_classes,), dtype


def _one_hot(x, num_classes, dtype):
    return (x[..., None] == np.arange(num_classes)).astype(compute_dtype(dtype))


register('one_hot', _one_hot_infer, _one_hot, NOT_DIFFERENTIABLE)


def _shape_of(x):
    return np.array(x.shape, dtype=np.int32)


register('shape_of', lambda inputs: ((len(inputs[0].shape),), 'int32'), _shape_of,
         NOT_DIFFERENTIABLE)


# -- arange on run-time bounds (K.arange given tensors) --------------------------------


def _arange_infer(inputs, dtype):
    for name, x in zip(('start', 'stop', 'step'), inputs):
        if x.shape != ():
            raise ValueError(f'arange: {name} must be a scalar, got a tensor of shape {fmt(x.shape)}')
        if not x.dtype.startswith(('int', 'uint', 'float')):
            raise ValueError(f'arange: {name} must be a number, got dtype {x.dtype}')
    return (None,), dtype


def _arange(start, stop, step, dtype):
    # As tf.range: integer bounds count in integers, any float bound in floats.
    if step == 0:
        raise ValueError(f'arange: step must not be 0 (start {start}, stop {stop})')
    return np.arange(start, stop, step).astype(compute_dtype(dtype))


register('arange', _arange_infer, _arange, NOT_DIFFERENTIABLE)

# -- repeat (np.repeat along one axis) and reshape to a run-time shape -----------------
# Used by K.repeat_elements when dims are unknown and a static reshape cannot
# undo the tile, and by K.reshape when the target shape holds tensors.


def _repeat_infer(inputs, axis, rep):
    x, = inputs
    out = list(x.shape)
    out[axis] = None if out[axis] is None else out[axis] * rep
    return tuple(out), x.dtype


register('repeat', _repeat_infer, lambda x, axis, rep: np.repeat(x, rep, axis=axis),
         lambda n, g, needs: [apply('repeat_grad', g, **n.attrs)])


def _repeat_grad_infer(inputs, axis, rep):
    g, = inputs
    out = list(g.shape)
    if out[axis] is not None:
        if out[axis] % rep:
            raise ValueError(f'repeat_grad: axis {axis} of {fmt(g.shape)} is not a multiple of {rep}')
        out[axis] //= rep
    return tuple(out), g.dtype


def _repeat_grad(g, axis, rep):
    # Split the axis into (n, rep) and sum over the rep copies.
    split = g.shape[:axis] + (g.shape[axis] // rep, rep) + g.shape[axis + 1:]
    return g.reshape(split).sum(axis=axis + 1, dtype=g.dtype)


register('repeat_grad', _repeat_grad_infer, _repeat_grad,
         lambda n, g, needs: [apply('repeat', g, **n.attrs)])


def _reshape_dynamic_infer(inputs, static):
    """`static` holds the target's known entries: ints, -1 (inferred) or None
    (given by the shape tensor at run time)."""
    x, shape = inputs
    if len(shape.shape) != 1 or shape.shape[0] != len(static) or \
            not (shape.dtype.startswith('int') or shape.dtype.startswith('uint')):
        raise ValueError(f'reshape: the target shape must be an int vector of length {len(static)}, '
                         f'got {fmt(shape.shape)} {shape.dtype}')
    size = _shapes.num_elements(x.shape)
    known = _shapes.num_elements([d for d in static if d is not None and d != -1])
    if size is not None and known and size % known:
        raise ValueError(f'reshape: cannot reshape {fmt(x.shape)} ({size} elements) to a shape '
                         f'with known dims {fmt(static)}')
    return tuple(d if d is not None and d != -1 else None for d in static), x.dtype


def _reshape_dynamic(x, shape, static):
    return _reshape(x, tuple(int(d) for d in shape))


register('reshape_dynamic', _reshape_dynamic_infer, _reshape_dynamic,
         lambda n, g, needs: [apply('reshape_like', g, n.inputs[0]), None])
