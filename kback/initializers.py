"""Weight initializers (Keras 2.3 names, defaults and formulas).

`initializer(shape, dtype=None)` returns a K tensor holding the initial value
(K.variable evaluates it).  Seeded random initializers are reproducible: a
fresh `glorot_uniform(seed=0)` always draws the same weights.  As in Keras 2.3,
a seeded instance adds 1 to its seed after each call, so one instance shared
by several layers gives each of them different (still reproducible) weights.
"""
import numpy as np

from . import backend as K
from .utils.generic_utils import serialize_keras_object, deserialize_keras_object

# Standard deviation of a unit normal truncated to [-2, 2]: dividing by it
# makes the truncated draw have the requested variance.
_TRUNCATED_STDDEV = 0.87962566103423978


def _check_shape(name, shape):
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f'{name}: shape must be a tuple of ints, got {shape!r}') from None
    if not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0
               for d in shape):
        raise ValueError(f'{name}: shape must be a tuple of non-negative ints, got {shape!r}')
    return tuple(int(d) for d in shape)


class Initializer:
    """Base class of the weight initializers.

    A subclass implements `__call__(shape, dtype=None)`, returning a numpy
    array, and `get_config()` when it has arguments.

    Example::

        from kback import initializers
        Dense(64, kernel_initializer=initializers.RandomNormal(stddev=0.01))
    """

    def __call__(self, shape, dtype=None):
        """The initial value of a weight.

        Arguments:
            shape: the weight's shape, a tuple of ints.
            dtype: the dtype (default `K.floatx()`).

        Returns:
            A numpy array.

        Raises:
            NotImplementedError: in the base class.
        """
        raise NotImplementedError(f'{type(self).__name__} does not implement __call__')

    def get_config(self):
        """The initializer's arguments, as a dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Makes an initializer from the dict returned by `get_config` (a tf.keras
        `dtype` entry is ignored).
        """
        config = dict(config)
        # Configs written by tf.keras carry an unused dtype.
        config.pop('dtype', None)
        return cls(**config)

    def __repr__(self):
        args = ', '.join(f'{k}={v!r}' for k, v in self.get_config().items())
        return f'{type(self).__name__}({args})'


class _Seeded(Initializer):
    """An initializer whose seed moves on by one after each seeded call."""

    def _next_seed(self):
        seed = self.seed
        if seed is not None:
            self.seed = seed + 1
        return seed


class Zeros(Initializer):
    """Initializes a weight to zeros."""

    def __call__(self, shape, dtype=None):
        return K.constant(0, shape=_check_shape('Zeros', shape), dtype=dtype)


class Ones(Initializer):
    """Initializes a weight to ones."""

    def __call__(self, shape, dtype=None):
        return K.constant(1, shape=_check_shape('Ones', shape), dtype=dtype)


class Constant(Initializer):
    """Initializes a weight to a constant.

    Arguments:
        value: a number, or an array that broadcasts to the weight's shape.
    """

    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return K.constant(self.value, shape=_check_shape('Constant', shape), dtype=dtype)

    def get_config(self):
        return {'value': self.value}


class RandomNormal(_Seeded):
    """Initializes a weight with normally distributed values.

    Arguments:
        mean: the mean.
        stddev: the standard deviation.
        seed: an int: the same seed gives the same values (it moves on by one
            after each call, so two weights differ).
    """

    def __init__(self, mean=0., stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def __call__(self, shape, dtype=None):
        shape = _check_shape('RandomNormal', shape)
        return K.random_normal(shape, self.mean, self.stddev, dtype=dtype,
                               seed=self._next_seed())

    def get_config(self):
        return {'mean': self.mean, 'stddev': self.stddev, 'seed': self.seed}


class RandomUniform(_Seeded):
    """Initializes a weight with uniformly distributed values in
    `[minval, maxval)`.

    Arguments:
        minval: the lower bound.
        maxval: the upper bound.
        seed: an int: the same seed gives the same values (it moves on by one
            after each call, so two weights differ).
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed

    def __call__(self, shape, dtype=None):
        shape = _check_shape('RandomUniform', shape)
        return K.random_uniform(shape, self.minval, self.maxval, dtype=dtype,
                                seed=self._next_seed())

    def get_config(self):
        return {'minval': self.minval, 'maxval': self.maxval, 'seed': self.seed}


class TruncatedNormal(_Seeded):
    """Initializes a weight with normal values, those more than two standard
    deviations from the mean drawn again (recommended for weights).

    Arguments:
        mean: the mean.
        stddev: the standard deviation before truncation.
        seed: an int: the same seed gives the same values (it moves on by one
            after each call, so two weights differ).
    """

    def __init__(self, mean=0., stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def __call__(self, shape, dtype=None):
        shape = _check_shape('TruncatedNormal', shape)
        return K.truncated_normal(shape, self.mean, self.stddev, dtype=dtype,
                                  seed=self._next_seed())

    def get_config(self):
        return {'mean': self.mean, 'stddev': self.stddev, 'seed': self.seed}


class VarianceScaling(_Seeded):
    """Initializes a weight with values scaled to the size of its fans.

    With `distribution='normal'`, a truncated normal of standard deviation
    `sqrt(scale / n)`; with `'uniform'`, values in `[-limit, limit]` with
    `limit = sqrt(3 * scale / n)`. `n` is the fan-in, the fan-out or their
    average, by `mode`.

    Arguments:
        scale: a positive float.
        mode: `'fan_in'`, `'fan_out'` or `'fan_avg'`.
        distribution: `'normal'` or `'uniform'`.
        seed: an int: the same seed gives the same values (it moves on by one
            after each call, so two weights differ).

    Raises:
        ValueError: if `scale` is not positive or `mode` or `distribution` is
            unknown.
    """

    def __init__(self, scale=1.0, mode='fan_in', distribution='normal', seed=None):
        if not scale > 0.:
            raise ValueError(f'VarianceScaling: `scale` must be a positive float, got {scale!r}')
        mode = str(mode).lower()
        if mode not in ('fan_in', 'fan_out', 'fan_avg'):
            raise ValueError('VarianceScaling: invalid `mode` argument: expected one of '
                             f'"fan_in", "fan_out", "fan_avg", got {mode!r}')
        distribution = str(distribution).lower()
        # 'truncated_normal' and 'untruncated_normal' are tf.keras's spellings,
        # accepted so that its saved configs load.
        if distribution not in ('normal', 'uniform', 'truncated_normal', 'untruncated_normal'):
            raise ValueError('VarianceScaling: invalid `distribution` argument: expected one '
                             f'of "normal", "uniform", got {distribution!r}')
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed

    def __call__(self, shape, dtype=None):
        shape = _check_shape('VarianceScaling', shape)
        fan_in, fan_out = _compute_fans(shape)
        if self.mode == 'fan_in':
            n = fan_in
        elif self.mode == 'fan_out':
            n = fan_out
        else:
            n = (fan_in + fan_out) / 2.
        scale = self.scale / max(1., float(n))
        if self.distribution in ('normal', 'truncated_normal'):
            stddev = np.sqrt(scale) / _TRUNCATED_STDDEV
            return K.truncated_normal(shape, 0., stddev, dtype=dtype, seed=self._next_seed())
        if self.distribution == 'untruncated_normal':
            return K.random_normal(shape, 0., np.sqrt(scale), dtype=dtype,
                                   seed=self._next_seed())
        limit = np.sqrt(3. * scale)
        return K.random_uniform(shape, -limit, limit, dtype=dtype, seed=self._next_seed())

    def get_config(self):
        return {'scale': self.scale, 'mode': self.mode, 'distribution': self.distribution,
                'seed': self.seed}


class Orthogonal(_Seeded):
    """Initializes a weight with a random orthogonal matrix, times `gain`.

    The weight is flattened to `(product of all but the last axis, last axis)`
    (orthogonal rows or columns, whichever are fewer).

    Arguments:
        gain: the multiplicative factor.
        seed: an int: the same seed gives the same values (it moves on by one
            after each call, so two weights differ).
    """

    def __init__(self, gain=1., seed=None):
        self.gain = gain
        self.seed = seed

    def __call__(self, shape, dtype=None):
        shape = _check_shape('Orthogonal', shape)
        if len(shape) < 1:
            raise ValueError('Orthogonal: the weight needs at least one dimension, got shape ()')
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        seed = self._next_seed()
        rng = np.random if seed is None else np.random.RandomState(seed)
        a = rng.normal(0.0, 1.0, (rows, cols))
        u, _, vt = np.linalg.svd(a, full_matrices=False)
        q = u if u.shape == (rows, cols) else vt
        return K.constant(self.gain * q.reshape(shape), dtype=dtype)

    def get_config(self):
        return {'gain': self.gain, 'seed': self.seed}


class Identity(Initializer):
    """Initializes a 2D weight to `gain` times the identity matrix; a
    non-square one is the identity padded with zero rows or columns (Keras
    2.3: eye(rows, cols)).

    Arguments:
        gain: the multiplicative factor.

    Raises:
        ValueError: when called for a shape that is not 2D.
    """

    def __init__(self, gain=1.):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _check_shape('Identity', shape)
        if len(shape) != 2:
            raise ValueError('Identity: the identity matrix initializer can only be used for '
                             f'2D matrices, got shape {shape}')
        return K.constant(self.gain * np.eye(*shape), dtype=dtype)

    def get_config(self):
        return {'gain': self.gain}


def lecun_uniform(seed=None):
    """LeCun uniform: values in `[-limit, limit]`, `limit = sqrt(3 / fan_in)`.

    Arguments:
        seed: an int, the random seed.

    Returns:
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=1., mode='fan_in', distribution='uniform', seed=seed)


def lecun_normal(seed=None):
    """LeCun normal: a truncated normal of standard deviation `sqrt(1 / fan_in)`.

    Arguments:
        seed: an int, the random seed.

    Returns:
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=1., mode='fan_in', distribution='normal', seed=seed)


def glorot_normal(seed=None):
    """Glorot (Xavier) normal: a truncated normal of standard deviation
    `sqrt(2 / (fan_in + fan_out))`.

    Arguments:
        seed: an int, the random seed.

    Returns:
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=1., mode='fan_avg', distribution='normal', seed=seed)


def glorot_uniform(seed=None):
    """Glorot (Xavier) uniform: values in `[-limit, limit]`,
    `limit = sqrt(6 / (fan_in + fan_out))`; the default of the layers' kernels.

    Arguments:
        seed: an int, the random seed.

    Returns:
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=1., mode='fan_avg', distribution='uniform', seed=seed)


def he_normal(seed=None):
    """He normal: a truncated normal of standard deviation `sqrt(2 / fan_in)`.

    Arguments:
        seed: an int, the random seed.

    Returns:
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=2., mode='fan_in', distribution='normal', seed=seed)


def he_uniform(seed=None):
    """He uniform: values in `[-limit, limit]`, `limit = sqrt(6 / fan_in)`.

    Arguments:
        seed: an int, the random seed.

    Returns:
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=2., mode='fan_in', distribution='uniform', seed=seed)


# Keras's snake-case aliases of the classes.
zero = zeros = Zeros
one = ones = Ones
constant = Constant
uniform = random_uniform = RandomUniform
normal = random_normal = RandomNormal
truncated_normal = TruncatedNormal
identity = Identity
orthogonal = Orthogonal


def _compute_fans(shape, data_format='channels_last'):
    """(fan_in, fan_out) of a weight shape.

    2-D: (input units, output units).  3-, 4- and 5-D are convolution kernels:
    channels_last (Keras's kernel layout) is (*spatial, in, out), channels_first
    is (out, in, *spatial); each fan is its channel count times the receptive
    field size.  Any other rank: both fans are sqrt(number of entries)."""
    shape = tuple(shape)
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (3, 4, 5):
        if data_format == 'channels_first':
            receptive = int(np.prod(shape[2:]))
            return shape[1] * receptive, shape[0] * receptive
        if data_format == 'channels_last':
            receptive = int(np.prod(shape[:-2]))
            return shape[-2] * receptive, shape[-1] * receptive
        raise ValueError(f'_compute_fans: invalid data_format {data_format!r}; expected '
                         '"channels_first" or "channels_last"')
    size = float(np.sqrt(np.prod(shape)))
    return size, size


# Functions that build an initializer: a name resolving to one of them is
# called; any other function (a user's initializer) is returned as it is.
_FACTORIES = (lecun_uniform, lecun_normal, glorot_normal, glorot_uniform, he_normal,
              he_uniform)
_INITIALIZERS = {k: v for k, v in dict(globals()).items()
                 if not k.startswith('_') and (
                     (isinstance(v, type) and issubclass(v, Initializer)) or v in _FACTORIES)}


def serialize(initializer):
    """An initializer as a dict `{'class_name': ..., 'config': ...}`.

    Arguments:
        initializer: an initializer instance.

    Returns:
        A JSON-serializable dict.
    """
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """An initializer from a `{'class_name', 'config'}` dict.

    Arguments:
        config: the dict.
        custom_objects: a dict mapping names to custom initializers.

    Returns:
        An initializer instance.

    Raises:
        ValueError: if the class name is unknown.
    """
    return deserialize_keras_object(config, module_objects=_INITIALIZERS,
                                    custom_objects=custom_objects,
                                    printable_module_name='initializer')


def get(identifier):
    """An initializer from a name (`'glorot_uniform'`, `'Zeros'`, ...) or a
    serialized dict; a callable is returned as it is.

    Arguments:
        identifier: the identifier.

    Returns:
        An initializer (instance or callable).

    Raises:
        ValueError: if the identifier cannot be interpreted.
    """
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        obj = deserialize(identifier)
        return obj() if any(obj is f for f in _FACTORIES) else obj
    if callable(identifier):
        return identifier
    raise ValueError(f'Could not interpret initializer identifier: {identifier!r}')
