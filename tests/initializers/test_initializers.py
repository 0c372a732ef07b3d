"""kback.initializers: values and statistics for Dense and Conv kernel
shapes, fans, orthogonality, identity, seeding, get/serialize/deserialize."""
import subprocess
import sys
import os
import re

import numpy as np
import pytest

from kback import backend as K, initializers
from kback.initializers import _compute_fans
from kback.utils import CustomObjectScope

DENSE = (300, 200)        # fan_in 300, fan_out 200
CONV = (3, 3, 20, 40)     # channels_last kernel: fan_in 180, fan_out 360
FANS = {DENSE: (300, 200), CONV: (180, 360)}
TRUNC_STD = 0.87962566103423978  # stddev of a unit normal truncated to [-2, 2]


def value(init, shape, dtype=None):
    """What a layer gets: the initializer's tensor turned into a variable."""
    return K.get_value(K.variable(init(shape, dtype=dtype), dtype=dtype))


# -- constants ------------------------------------------------------------------------

@pytest.mark.parametrize('init,expected', [(initializers.Zeros(), 0.),
                                           (initializers.Ones(), 1.),
                                           (initializers.Constant(), 0.),
                                           (initializers.Constant(2.5), 2.5),
                                           (initializers.constant(value=-3), -3.)])
@pytest.mark.parametrize('shape', [DENSE, CONV, (7,)])
def test_constant_initializers(init, expected, shape):
    out = init(shape)
    assert K.int_shape(out) == shape
    assert K.dtype(out) == K.floatx()
    w = value(init, shape)
    assert w.shape == shape and w.dtype == np.float32
    np.testing.assert_array_equal(w, np.full(shape, expected, dtype=np.float32))


def test_dtype_argument_is_honoured():
    for init in (initializers.Ones(), initializers.RandomUniform(),
                 initializers.glorot_normal(), initializers.Orthogonal(),
                 initializers.Identity()):
        assert K.dtype(init((4, 4), dtype='float64')) == 'float64'
        assert value(init, (4, 4), dtype='float64').dtype == np.float64


def test_floatx_is_the_default_dtype():
    K.set_floatx('float64')
    assert K.dtype(initializers.he_uniform()((3, 3))) == 'float64'
    assert K.dtype(initializers.Zeros()((3, 3))) == 'float64'


# -- plain random initializers ------------------------------------------------------------

@pytest.mark.parametrize('shape', [DENSE, CONV])
def test_random_uniform(shape):
    w = value(initializers.RandomUniform(minval=-1., maxval=3.), shape)
    assert w.shape == shape
    assert w.min() >= -1. and w.max() < 3.
    assert w.min() < -0.9 and w.max() > 2.9
    np.testing.assert_allclose(w.mean(), 1., atol=0.05)
    np.testing.assert_allclose(w.std(), 4. / np.sqrt(12.), rtol=0.03)


def test_random_uniform_defaults():
    w = value(initializers.RandomUniform(), DENSE)
    assert w.min() >= -0.05 and w.max() < 0.05
    np.testing.assert_allclose(w.std(), 0.1 / np.sqrt(12.), rtol=0.03)


@pytest.mark.parametrize('shape', [DENSE, CONV])
def test_random_normal(shape):
    w = value(initializers.RandomNormal(mean=0.5, stddev=2.), shape)
    np.testing.assert_allclose(w.mean(), 0.5, atol=0.1)
    np.testing.assert_allclose(w.std(), 2., rtol=0.03)
    # Not truncated: some draws lie beyond two standard deviations.
    assert np.abs(w - 0.5).max() > 4.


def test_random_normal_defaults():
    w = value(initializers.RandomNormal(), DENSE)
    np.testing.assert_allclose(w.mean(), 0., atol=0.002)
    np.testing.assert_allclose(w.std(), 0.05, rtol=0.03)


@pytest.mark.parametrize('shape', [DENSE, CONV])
def test_truncated_normal(shape):
    w = value(initializers.TruncatedNormal(mean=1., stddev=0.5), shape)
    assert np.abs(w - 1.).max() <= 1. + 1e-6
    np.testing.assert_allclose(w.mean(), 1., atol=0.02)
    np.testing.assert_allclose(w.std(), 0.5 * TRUNC_STD, rtol=0.03)


def test_truncated_normal_defaults():
    w = value(initializers.TruncatedNormal(), DENSE)
    assert np.abs(w).max() <= 0.1 + 1e-7
    np.testing.assert_allclose(w.std(), 0.05 * TRUNC_STD, rtol=0.03)


# -- variance scaling ------------------------------------------------------------------

def _n(mode, shape):
    fan_in, fan_out = FANS[shape]
    return {'fan_in': fan_in, 'fan_out': fan_out, 'fan_avg': (fan_in + fan_out) / 2.}[mode]


# (initializer, scale, mode, distribution)
SCALED = [
    (initializers.lecun_uniform, 1., 'fan_in', 'uniform'),
    (initializers.lecun_normal, 1., 'fan_in', 'normal'),
    (initializers.glorot_uniform, 1., 'fan_avg', 'uniform'),
    (initializers.glorot_normal, 1., 'fan_avg', 'normal'),
    (initializers.he_uniform, 2., 'fan_in', 'uniform'),
    (initializers.he_normal, 2., 'fan_in', 'normal'),
]


@pytest.mark.parametrize('shape', [DENSE, CONV], ids=['dense', 'conv'])
@pytest.mark.parametrize('make,scale,mode,distribution', SCALED,
                         ids=[s[0].__name__ for s in SCALED])
def test_variance_scaling_functions(make, scale, mode, distribution, shape):
    init = make()
    assert isinstance(init, initializers.VarianceScaling)
    assert init.get_config() == {'scale': scale, 'mode': mode,
                                 'distribution': distribution, 'seed': None}
    w = value(init, shape)
    assert w.shape == shape
    target_std = np.sqrt(scale / _n(mode, shape))
    np.testing.assert_allclose(w.mean(), 0., atol=0.05 * target_std)
    if distribution == 'uniform':
        limit = np.sqrt(3. * scale / _n(mode, shape))
        assert w.min() >= -limit and w.max() <= limit
        assert w.max() > 0.95 * limit and w.min() < -0.95 * limit
    else:
        # Truncated at two (pre-correction) standard deviations.
        assert np.abs(w).max() <= 2. * target_std / TRUNC_STD * (1 + 1e-6)
    # Both distributions have the variance scale / n.
    np.testing.assert_allclose(w.std(), target_std, rtol=0.04)


@pytest.mark.parametrize('mode', ['fan_in', 'fan_out', 'fan_avg'])
@pytest.mark.parametrize('distribution', ['normal', 'uniform'])
def test_variance_scaling_modes(mode, distribution):
    w = value(initializers.VarianceScaling(scale=3., mode=mode,
                                           distribution=distribution), CONV)
    np.testing.assert_allclose(w.std(), np.sqrt(3. / _n(mode, CONV)), rtol=0.05)


@pytest.mark.parametrize('distribution', ['truncated_normal', 'untruncated_normal'])
def test_variance_scaling_tf_keras_distributions(distribution):
    init = initializers.VarianceScaling(scale=2., distribution=distribution)
    w = value(init, DENSE)
    np.testing.assert_allclose(w.std(), np.sqrt(2. / 300), rtol=0.04)
    beyond = np.abs(w).max() > 2. * np.sqrt(2. / 300) / TRUNC_STD
    assert beyond == (distribution == 'untruncated_normal')
    assert initializers.deserialize(initializers.serialize(init)).distribution == distribution


def test_variance_scaling_uses_at_least_one_unit():
    # Fans below one do not blow the scale up.
    w = value(initializers.VarianceScaling(distribution='uniform'), (1, 0))
    assert w.shape == (1, 0)
    w = value(initializers.VarianceScaling(distribution='uniform'), (1, 1000))
    assert np.abs(w).max() <= np.sqrt(3.)


def test_variance_scaling_arguments_are_lowercased():
    init = initializers.VarianceScaling(mode='FAN_AVG', distribution='Uniform')
    assert (init.mode, init.distribution) == ('fan_avg', 'uniform')


@pytest.mark.parametrize('kwargs,match', [({'scale': 0.}, 'scale'), ({'scale': -1.}, 'scale'),
                                          ({'mode': 'fan_sum'}, 'mode'),
                                          ({'distribution': 'gamma'}, 'distribution')])
def test_variance_scaling_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        initializers.VarianceScaling(**kwargs)


def test_compute_fans():
    assert _compute_fans((5, 7)) == (5, 7)
    # channels_last kernels: (*spatial, in, out)
    assert _compute_fans((4, 8, 16)) == (4 * 8, 4 * 16)
    assert _compute_fans((3, 5, 8, 16)) == (15 * 8, 15 * 16)
    assert _compute_fans((2, 3, 5, 8, 16)) == (30 * 8, 30 * 16)
    # channels_first: (out, in, *spatial)
    assert _compute_fans((16, 8, 3, 5), data_format='channels_first') == (8 * 15, 16 * 15)
    # No layout assumed for other ranks.
    assert _compute_fans((16,)) == (4., 4.)
    assert _compute_fans((2, 2, 2, 2, 2, 2)) == (8., 8.)
    with pytest.raises(ValueError, match='data_format'):
        _compute_fans((3, 3, 4, 5), data_format='channels_middle')


# -- orthogonal and identity -------------------------------------------------------------

@pytest.mark.parametrize('shape', [(20, 20), (30, 10), (10, 30), (3, 3, 4, 6), (2, 5)])
@pytest.mark.parametrize('gain', [1., 2.5])
def test_orthogonal(shape, gain):
    w = value(initializers.Orthogonal(gain=gain), shape)
    assert w.shape == shape
    flat = w.reshape(-1, shape[-1]).astype(np.float64) / gain
    rows, cols = flat.shape
    if rows >= cols:
        np.testing.assert_allclose(flat.T @ flat, np.eye(cols), atol=1e-5)
    else:
        np.testing.assert_allclose(flat @ flat.T, np.eye(rows), atol=1e-5)


def test_orthogonal_seeded_and_unseeded():
    a = value(initializers.Orthogonal(seed=3), (6, 6))
    b = value(initializers.orthogonal(seed=3), (6, 6))
    np.testing.assert_array_equal(a, b)
    c = value(initializers.Orthogonal(), (6, 6))
    d = value(initializers.Orthogonal(), (6, 6))
    assert not np.allclose(c, d)


@pytest.mark.parametrize('gain', [1., 0.5])
def test_identity(gain):
    w = value(initializers.Identity(gain=gain), (5, 5))
    np.testing.assert_array_equal(w, gain * np.eye(5, dtype=np.float32))


@pytest.mark.parametrize('shape', [(3, 5), (5, 3), (1, 4), (0, 2)])
@pytest.mark.parametrize('gain', [1., -2.5])
def test_identity_of_a_non_square_matrix_is_padded_with_zeros(shape, gain):
    # Keras 2.3: gain * eye(rows, cols).
    w = value(initializers.Identity(gain=gain), shape)
    expected = np.zeros(shape, dtype=np.float32)
    for i in range(min(shape)):
        expected[i, i] = gain
    np.testing.assert_array_equal(w, expected)


@pytest.mark.parametrize('shape', [(3,), (3, 3, 3), ()])
def test_identity_needs_a_2d_shape(shape):
    with pytest.raises(ValueError, match=r'Identity.*2D.*' + re.escape(str(shape))):
        initializers.identity()(shape)


# -- seeding -----------------------------------------------------------------------------

SEEDED = [lambda s: initializers.glorot_uniform(seed=s),
          lambda s: initializers.he_normal(seed=s),
          lambda s: initializers.RandomUniform(seed=s),
          lambda s: initializers.RandomNormal(seed=s),
          lambda s: initializers.TruncatedNormal(seed=s),
          lambda s: initializers.VarianceScaling(seed=s),
          lambda s: initializers.Orthogonal(seed=s)]


@pytest.mark.parametrize('make', SEEDED)
def test_same_seed_same_weights(make):
    a = value(make(0), (4, 5))
    np.random.seed(99)  # the global state does not matter to a seeded draw
    K.clear_session()
    b = value(make(0), (4, 5))
    np.testing.assert_array_equal(a, b)
    c = value(make(1), (4, 5))
    assert not np.allclose(a, c)


@pytest.mark.parametrize('make', SEEDED)
def test_without_seed_draws_differ(make):
    init = make(None)
    a, b = value(init, (4, 5)), value(init, (4, 5))
    assert not np.allclose(a, b)
    assert not np.allclose(a, value(make(None), (4, 5)))
    assert init.seed is None


@pytest.mark.parametrize('make', SEEDED)
def test_seeded_instance_moves_on_like_keras(make):
    # Keras 2.3: a seeded instance adds one to its seed per call, so layers
    # sharing one initializer get different but reproducible weights.
    init = make(7)
    first, second = value(init, (4, 5)), value(init, (4, 5))
    assert not np.allclose(first, second)
    assert init.seed == 9
    np.testing.assert_array_equal(second, value(make(8), (4, 5)))


def test_unseeded_runs_follow_numpy_global_seed():
    np.random.seed(5)
    a = value(initializers.glorot_normal(), (4, 5))
    np.random.seed(5)
    b = value(initializers.glorot_normal(), (4, 5))
    np.testing.assert_array_equal(a, b)


def test_glorot_uniform_seed_0_same_in_a_new_process():
    code = ('import numpy as np; from kback import backend as K, initializers as I;'
            'print(repr(K.eval(I.glorot_uniform(seed=0)((3, 4))).tolist()))')
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, '-c', code], cwd=root, capture_output=True,
                         text=True, check=True).stdout
    there = np.array(eval(out), dtype=np.float32)
    here = K.eval(initializers.glorot_uniform(seed=0)((3, 4)))
    np.testing.assert_array_equal(here, there)


# -- get / serialize / deserialize ----------------------------------------------------

INSTANCES = [initializers.Zeros(), initializers.Ones(), initializers.Constant(1.5),
             initializers.RandomNormal(0.1, 0.2, seed=3),
             initializers.RandomUniform(-0.5, 0.5, seed=4),
             initializers.TruncatedNormal(0., 0.3, seed=5),
             initializers.VarianceScaling(2., 'fan_out', 'uniform', seed=6),
             initializers.Orthogonal(gain=2., seed=7), initializers.Identity(gain=3.)]


@pytest.mark.parametrize('init', INSTANCES, ids=lambda i: type(i).__name__)
def test_serialize_round_trip(init):
    config = initializers.serialize(init)
    assert config == {'class_name': type(init).__name__, 'config': init.get_config()}
    back = initializers.deserialize(config)
    assert type(back) is type(init) and back.get_config() == init.get_config()
    again = initializers.get(config)
    assert type(again) is type(init) and again.get_config() == init.get_config()
    assert type(init).from_config(init.get_config()).get_config() == init.get_config()


def test_from_config_ignores_a_tf_keras_dtype():
    init = initializers.RandomNormal.from_config({'mean': 0., 'stddev': 1., 'seed': None,
                                                   'dtype': 'float32'})
    assert init.get_config() == {'mean': 0., 'stddev': 1., 'seed': None}


@pytest.mark.parametrize('name,cls', [('zeros', initializers.Zeros), ('Zeros', initializers.Zeros),
                                      ('zero', initializers.Zeros), ('ones', initializers.Ones),
                                      ('one', initializers.Ones), ('Ones', initializers.Ones),
                                      ('constant', initializers.Constant),
                                      ('uniform', initializers.RandomUniform),
                                      ('random_uniform', initializers.RandomUniform),
                                      ('RandomUniform', initializers.RandomUniform),
                                      ('normal', initializers.RandomNormal),
                                      ('random_normal', initializers.RandomNormal),
                                      ('truncated_normal', initializers.TruncatedNormal),
                                      ('TruncatedNormal', initializers.TruncatedNormal),
                                      ('VarianceScaling', initializers.VarianceScaling),
                                      ('orthogonal', initializers.Orthogonal),
                                      ('Orthogonal', initializers.Orthogonal),
                                      ('identity', initializers.Identity),
                                      ('Identity', initializers.Identity)])
def test_get_by_name(name, cls):
    init = initializers.get(name)
    assert type(init) is cls
    assert init.get_config() == cls().get_config()


@pytest.mark.parametrize('make,scale,mode,distribution', SCALED,
                         ids=[s[0].__name__ for s in SCALED])
def test_get_function_names(make, scale, mode, distribution):
    init = initializers.get(make.__name__)
    assert isinstance(init, initializers.VarianceScaling)
    assert (init.scale, init.mode, init.distribution) == (scale, mode, distribution)
    assert initializers.serialize(init)['class_name'] == 'VarianceScaling'


def test_get_passes_callables_through():
    def mine(shape, dtype=None):
        return K.constant(4., shape=shape, dtype=dtype)

    assert initializers.get(mine) is mine
    init = initializers.Ones()
    assert initializers.get(init) is init


@pytest.mark.parametrize('bad', ['glorot_uniformm', 'GlorotUniform', 'Glorot_Uniform'])
def test_get_unknown_name(bad):
    with pytest.raises(ValueError) as err:
        initializers.get(bad)
    assert bad in str(err.value) and 'glorot_uniform' in str(err.value)


@pytest.mark.parametrize('bad', [None, 3, {'config': {}}])
def test_get_uninterpretable(bad):
    with pytest.raises(ValueError):
        initializers.get(bad)


def test_custom_initializer_class_and_function():
    class Twos(initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return K.constant(2., shape=shape, dtype=dtype)

    def threes(shape, dtype=None):
        return K.constant(3., shape=shape, dtype=dtype)

    config = initializers.serialize(Twos())
    assert config == {'class_name': 'Twos', 'config': {}}
    with pytest.raises(ValueError, match='Twos'):
        initializers.deserialize(config)
    with CustomObjectScope({'Twos': Twos, 'threes': threes}):
        assert type(initializers.get('Twos')) is Twos
        assert type(initializers.deserialize(config)) is Twos
        assert initializers.get('threes') is threes
    back = initializers.deserialize(config, custom_objects={'Twos': Twos})
    np.testing.assert_array_equal(value(back, (2, 2)), np.full((2, 2), 2.))
    assert initializers.serialize(threes) == 'threes'


def test_bad_shapes():
    with pytest.raises(ValueError, match='shape'):
        initializers.RandomUniform()((3, -1))
    with pytest.raises(ValueError, match='shape'):
        initializers.glorot_uniform()('abc')
    with pytest.raises(ValueError, match='Orthogonal'):
        initializers.Orthogonal()(())
