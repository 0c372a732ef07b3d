"""Random tensors and random-valued variables (Keras 2.3 signatures).

Each call builds one stateful node that draws new values at every evaluation.
A node owns a generator seeded when it is built: with `seed` given, a freshly
built node replays the same sequence; with seed=None the seed comes from
np.random, so np.random.seed makes whole runs reproducible.
"""
import math

import numpy as np

from . import config
from ._dtypes import as_dtype_name, is_float, is_int
from ._shapes import fmt
from .tensor import Tensor, Constant
from .ops import apply
from .core import variable, eval as _eval


def _seed(name, seed):
    if seed is None:
        return int(np.random.randint(10e6))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f'{name}: seed must be a non-negative int or None, got {seed!r}')
    return int(seed)


def _number(name, what, value):
    if isinstance(value, Tensor):
        raise ValueError(f'{name}: {what} must be a number, got tensor {value.name!r}')
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f'{name}: {what} must be a number, got {value!r}') from None
    if not math.isfinite(value):
        raise ValueError(f'{name}: {what} must be finite, got {value!r}')
    return value


def _dtype(name, dtype, allow_int=False):
    dtype = config.floatx() if dtype is None else as_dtype_name(dtype)
    if not (is_float(dtype) or (allow_int and (is_int(dtype) or dtype == 'bool'))):
        raise ValueError(f'{name}: dtype must be a float type, got {dtype}')
    return dtype


def _static_dim(t):
    """The value of a scalar int tensor when known at build time, else None."""
    if isinstance(t, Constant):
        return int(t.value)
    if t.op == 'getitem' and t.inputs[0].op == 'shape_of':
        index = t.attrs['index']
        if len(index) == 1 and isinstance(index[0], int):
            return t.inputs[0].inputs[0].shape[index[0]]
    return None


def _static_dims(t):
    if isinstance(t, Constant):
        return tuple(int(d) for d in t.value)
    if t.op == 'shape_of':
        return t.inputs[0].shape
    return (None,) * t.shape[0]


def _shape(name, shape):
    """(static shape, inputs): the shape as ints, with a 1-D int32 tensor input
    when some dims are only known at run time (K.shape(x), or a sequence
    mixing ints and scalar int tensors such as (K.shape(x)[0], 10))."""
    if isinstance(shape, Tensor):
        if len(shape.shape) != 1 or shape.shape[0] is None or not is_int(shape.dtype):
            raise ValueError(f'{name}: a shape tensor must be a 1-D integer tensor of known '
                             f'length, got shape {fmt(shape.shape)} and dtype {shape.dtype}')
        static = _static_dims(shape)
        return (static, ()) if None not in static else (static, (shape,))
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = list(shape)
    except TypeError:
        raise ValueError(f'{name}: shape must be a tuple of ints or an int tensor, '
                         f'got {shape!r}') from None
    static = []
    for d in dims:
        if isinstance(d, Tensor):
            if d.shape != () or not is_int(d.dtype):
                raise ValueError(f'{name}: shape entries must be ints or scalar int tensors, '
                                 f'got {d!r}')
            static.append(_static_dim(d))
        elif isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0:
            static.append(int(d))
        else:
            raise ValueError(f'{name}: shape entries must be non-negative ints (use K.shape(x) '
                             f'for run-time dims), got {shape!r}')
    static = tuple(static)
    if None not in static:
        return static, ()
    parts = [apply('reshape', apply('cast', d, dtype='int32') if d.dtype != 'int32' else d,
                   shape=(1,)) if isinstance(d, Tensor) else np.array([d], dtype='int32')
             for d in dims]
    return static, (apply('concatenate', *parts, axis=0),)


def _draw(op, name, shape, dtype, seed, **params):
    static, inputs = _shape(name, shape)
    rng = np.random.Generator(np.random.PCG64(_seed(name, seed)))
    return apply(op, *inputs, shape=static, dtype=dtype, rng=rng, **params)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """A tensor of uniform random values in `[minval, maxval)`, drawn anew at
    each evaluation.

    Arguments:
        shape: a tuple of ints.
        minval: the lower bound.
        maxval: the upper bound.
        dtype: the dtype (default `K.floatx()`); an integer dtype draws
            integers.
        seed: an int >= 0: a node built with the same seed draws the same
            sequence (default: drawn from `np.random`).

    Returns:
        A tensor.

    Raises:
        ValueError: if an argument is not a finite number, or the shape or
            seed is invalid.
    """
    name = 'random_uniform'
    dtype = _dtype(name, dtype, allow_int=True)
    minval, maxval = _number(name, 'minval', minval), _number(name, 'maxval', maxval)
    if minval > maxval or (not is_float(dtype) and minval >= maxval):
        raise ValueError(f'{name}: minval {minval} must be below maxval {maxval}')
    if not is_float(dtype):
        if dtype == 'bool' or minval != int(minval) or maxval != int(maxval):
            raise ValueError(f'{name}: an integer dtype needs integer bounds, got '
                             f'{minval}, {maxval} and dtype {dtype}')
        minval, maxval = int(minval), int(maxval)
    return _draw(name, name, shape, dtype, seed, minval=minval, maxval=maxval)


def _normal_params(name, mean, stddev):
    mean, stddev = _number(name, 'mean', mean), _number(name, 'stddev', stddev)
    if stddev < 0:
        raise ValueError(f'{name}: stddev must be >= 0, got {stddev}')
    return mean, stddev


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A tensor of normally distributed random values, drawn anew at each
    evaluation.

    Arguments:
        shape: a tuple of ints.
        mean: the mean.
        stddev: the standard deviation (>= 0).
        dtype: the float dtype (default `K.floatx()`).
        seed: an int >= 0: a node built with the same seed draws the same
            sequence (default: drawn from `np.random`).

    Returns:
        A tensor.

    Raises:
        ValueError: if an argument is invalid.
    """
    name = 'random_normal'
    mean, stddev = _normal_params(name, mean, stddev)
    return _draw(name, name, shape, _dtype(name, dtype), seed, mean=mean, stddev=stddev)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A tensor of normal random values, re-drawn where they fall more than two
    standard deviations from the mean (as TensorFlow).

    Arguments:
        shape: a tuple of ints.
        mean: the mean.
        stddev: the standard deviation (>= 0) before truncation.
        dtype: the float dtype (default `K.floatx()`).
        seed: an int >= 0: a node built with the same seed draws the same
            sequence (default: drawn from `np.random`).

    Returns:
        A tensor.

    Raises:
        ValueError: if an argument is invalid.
    """
    name = 'truncated_normal'
    mean, stddev = _normal_params(name, mean, stddev)
    return _draw(name, name, shape, _dtype(name, dtype), seed, mean=mean, stddev=stddev)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """A tensor of random 0s and 1s: 1 with probability `p`.

    Arguments:
        shape: a tuple of ints.
        p: a float in [0, 1].
        dtype: the dtype (default `K.floatx()`).
        seed: an int >= 0: a node built with the same seed draws the same
            sequence (default: drawn from `np.random`).

    Returns:
        A tensor.

    Raises:
        ValueError: if `p` is outside [0, 1] or another argument is invalid.
    """
    name = 'random_binomial'
    p = _number(name, 'p', p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f'{name}: p must be in [0, 1], got {p}')
    return _draw(name, name, shape, _dtype(name, dtype, allow_int=True), seed, p=p)


def _fixed_shape(name, shape):
    static, inputs = _shape(name, shape)
    if inputs or static != tuple(static):
        raise ValueError(f'{name}: a variable needs a shape of ints, got {shape!r}')
    return static


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A variable initialized with uniform random values in `[low, high)`.

    Arguments:
        shape: a tuple of ints (all known).
        low: the lower bound.
        high: the upper bound.
        dtype: the dtype (default `K.floatx()`).
        name: an optional name.
        seed: an int >= 0: a node built with the same seed draws the same
            sequence (default: drawn from `np.random`).

    Returns:
        A `Variable`.
    """
    shape = _fixed_shape('random_uniform_variable', shape)
    dtype = _dtype('random_uniform_variable', dtype)
    return variable(_eval(random_uniform(shape, low, high, dtype, seed)), dtype=dtype, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A variable initialized with normally distributed random values.

    Arguments:
        shape: a tuple of ints (all known).
        mean: the mean.
        scale: the standard deviation.
        dtype: the dtype (default `K.floatx()`).
        name: an optional name.
        seed: an int >= 0: a node built with the same seed draws the same
            sequence (default: drawn from `np.random`).

    Returns:
        A `Variable`.
    """
    shape = _fixed_shape('random_normal_variable', shape)
    dtype = _dtype('random_normal_variable', dtype)
    return variable(_eval(random_normal(shape, mean, scale, dtype, seed)), dtype=dtype, name=name)
