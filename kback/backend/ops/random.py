"""Random draws: stateful leaves (never folded, new values at each evaluation).

Attrs: `shape` (static, None for dims known only at run time), `dtype`, `rng`
(the node's own np.random.Generator, made when the node is built, so a seeded
node replays the same sequence) and the distribution's parameters.  An
optional input is a 1-D int tensor holding the shape at run time.
"""
import numpy as np

from .._shapes import fmt
from .._dtypes import compute_dtype, is_float, is_int
from ._registry import register, NOT_DIFFERENTIABLE


def _infer(name):
    def infer(inputs, shape, dtype, rng, **params):
        if inputs:
            dims, = inputs
            if len(dims.shape) != 1 or not is_int(dims.dtype):
                raise ValueError(f'{name}: a run-time shape must be a 1-D integer tensor, '
                                 f'got shape {fmt(dims.shape)} and dtype {dims.dtype}')
            if dims.shape[0] != len(shape):
                raise ValueError(f'{name}: the shape tensor of shape {fmt(dims.shape)} does not '
                                 f'match the static shape {fmt(shape)}')
        elif None in shape:
            raise ValueError(f'{name}: shape {fmt(shape)} has unknown dims but no shape tensor')
        return tuple(shape), dtype
    return infer


def _size(name, static, dims):
    """The shape to draw: the static one, or the run-time one checked against it."""
    if not dims:
        return static
    size = tuple(int(d) for d in dims[0])
    if len(size) != len(static) or any(d < 0 for d in size) or any(
            s is not None and s != d for s, d in zip(static, size)):
        raise ValueError(f'{name}: run-time shape {fmt(size)} is invalid for the static '
                         f'shape {fmt(static)}')
    return size


def _uniform(*dims, shape, dtype, rng, minval, maxval):
    size = _size('random_uniform', shape, dims)
    ctype = compute_dtype(dtype)
    if not is_float(dtype):
        return rng.integers(minval, maxval, size=size, dtype=ctype)
    out = rng.random(size, dtype=ctype)
    out *= maxval - minval
    out += minval
    return out


def _normal(*dims, shape, dtype, rng, mean, stddev):
    size = _size('random_normal', shape, dims)
    out = rng.standard_normal(size, dtype=compute_dtype(dtype))
    out *= stddev
    out += mean
    return out


def _truncated_normal(*dims, shape, dtype, rng, mean, stddev):
    size = _size('truncated_normal', shape, dims)
    ctype = compute_dtype(dtype)
    z = rng.standard_normal(size, dtype=ctype)
    # Re-draw those beyond two standard deviations (about 4.6% each round).
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()), dtype=ctype)
        bad = np.abs(z) > 2
    z *= stddev
    z += mean
    return z


def _binomial(*dims, shape, dtype, rng, p):
    size = _size('random_binomial', shape, dims)
    # Strictly below p: p=0 never gives 1 and p=1 always does.
    return (rng.random(size) < p).astype(compute_dtype(dtype))


for _name, _forward in (('random_uniform', _uniform), ('random_normal', _normal),
                        ('truncated_normal', _truncated_normal),
                        ('random_binomial', _binomial)):
    register(_name, _infer(_name), _forward, NOT_DIFFERENTIABLE, stateful=True)
