"""kback.constraints: projections against numpy (Dense and Conv kernel
layouts), gradients, configs and get/serialize/deserialize."""
import numpy as np
import pytest

from kback import backend as K, constraints
from kback.utils import CustomObjectScope
from gradcheck import check_op

rng = np.random.RandomState(0)
EPS = 1e-7  # K.epsilon()


def weights(*shape, scale=2.):
    x = rng.uniform(-scale, scale, size=shape)
    x[np.abs(x) < 0.05] = 0.1
    return x


def norms(w, axis):
    return np.sqrt(np.square(w).sum(axis=axis, keepdims=True))


def np_max_norm(w, max_value=2, axis=0):
    n = norms(w, axis)
    return w * np.clip(n, 0, max_value) / (EPS + n)


def np_unit_norm(w, axis=0):
    return w / (EPS + norms(w, axis))


def np_min_max_norm(w, min_value=0., max_value=1., rate=1., axis=0):
    n = norms(w, axis)
    desired = rate * np.clip(n, min_value, max_value) + (1 - rate) * n
    return w * desired / (EPS + n)


DENSE, CONV = (6, 5), (3, 3, 2, 4)
CASES = [
    ('max_norm', constraints.MaxNorm(), np_max_norm, DENSE),
    ('max_norm_1', constraints.max_norm(1.), lambda w: np_max_norm(w, 1.), DENSE),
    ('max_norm_axis1', constraints.MaxNorm(max_value=1.5, axis=1),
     lambda w: np_max_norm(w, 1.5, 1), DENSE),
    ('max_norm_conv', constraints.MaxNorm(2., axis=[0, 1, 2]),
     lambda w: np_max_norm(w, 2., (0, 1, 2)), CONV),
    ('unit_norm', constraints.UnitNorm(), np_unit_norm, DENSE),
    ('unit_norm_axis1', constraints.unit_norm(axis=1), lambda w: np_unit_norm(w, 1), DENSE),
    ('unit_norm_conv', constraints.UnitNorm(axis=[0, 1, 2]),
     lambda w: np_unit_norm(w, (0, 1, 2)), CONV),
    ('min_max_norm', constraints.MinMaxNorm(), np_min_max_norm, DENSE),
    ('min_max_norm_rate', constraints.min_max_norm(1., 3., rate=0.5),
     lambda w: np_min_max_norm(w, 1., 3., 0.5), DENSE),
    ('min_max_norm_conv', constraints.MinMaxNorm(2., 4., 0.8, axis=[0, 1, 2]),
     lambda w: np_min_max_norm(w, 2., 4., 0.8, (0, 1, 2)), CONV),
    ('non_neg', constraints.NonNeg(), lambda w: w * (w >= 0), DENSE),
    ('non_neg_conv', constraints.non_neg(), lambda w: w * (w >= 0), CONV),
]


@pytest.mark.parametrize('name,con,ref,shape', CASES, ids=[c[0] for c in CASES])
def test_projection_and_gradient(name, con, ref, shape):
    check_op(con, [weights(*shape)], ref)


@pytest.mark.parametrize('name,con,ref,shape', CASES, ids=[c[0] for c in CASES])
def test_on_a_float32_variable(name, con, ref, shape):
    w = weights(*shape).astype('float32')
    out = con(K.variable(w))
    assert K.dtype(out) == 'float32' and K.int_shape(out) == shape
    np.testing.assert_allclose(K.eval(out), ref(w.astype(np.float64)), rtol=1e-5, atol=1e-6)


def test_max_norm_only_shrinks_large_columns():
    w = np.array([[3., 0.1], [4., 0.2]])  # column norms 5 and ~0.22
    out = K.eval(constraints.MaxNorm(max_value=2.)(K.variable(w)))
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [2., np.hypot(0.1, 0.2)], rtol=1e-5)
    np.testing.assert_allclose(out[:, 1], w[:, 1], rtol=1e-5)


def test_unit_norm_gives_unit_columns():
    w = weights(7, 3)
    out = K.eval(constraints.UnitNorm()(K.variable(w)))
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), 1., rtol=1e-5)


def test_min_max_norm_brings_norms_into_range():
    w = np.array([[0.03, 3., 1.], [0.04, 4., 0.]])  # norms 0.05, 5, 1
    out = K.eval(constraints.MinMaxNorm(min_value=0.5, max_value=2.)(K.variable(w)))
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [0.5, 2., 1.], rtol=1e-5)


def test_zero_weights_stay_finite():
    # K.epsilon() in the denominators keeps all-zero slices at zero, not nan.
    w = K.variable(np.zeros((4, 3)))
    for con in (constraints.MaxNorm(), constraints.UnitNorm(), constraints.MinMaxNorm(),
                constraints.NonNeg()):
        out = K.eval(con(w))
        assert np.all(np.isfinite(out))
        np.testing.assert_array_equal(out, 0.)


def test_epsilon_setting_is_used():
    K.set_epsilon(1.)
    w = np.array([[3.], [4.]])
    out = K.eval(constraints.UnitNorm()(K.variable(w)))
    np.testing.assert_allclose(out, w / 6., rtol=1e-6)


def test_numpy_input_is_accepted():
    w = np.array([[-1., 2.], [3., -4.]])
    np.testing.assert_array_equal(K.eval(constraints.NonNeg()(w)), [[0., 2.], [3., 0.]])


def test_base_constraint_is_identity():
    w = K.variable(np.ones((2, 2)))
    assert constraints.Constraint()(w) is w
    assert constraints.Constraint().get_config() == {}


# -- configs and identifiers ---------------------------------------------------------

def test_defaults():
    assert constraints.MaxNorm().get_config() == {'max_value': 2, 'axis': 0}
    assert constraints.UnitNorm().get_config() == {'axis': 0}
    assert constraints.MinMaxNorm().get_config() == {'min_value': 0.0, 'max_value': 1.0,
                                                     'rate': 1.0, 'axis': 0}
    assert constraints.NonNeg().get_config() == {}


def test_aliases():
    assert constraints.max_norm is constraints.maxnorm is constraints.MaxNorm
    assert constraints.non_neg is constraints.nonneg is constraints.NonNeg
    assert constraints.unit_norm is constraints.unitnorm is constraints.UnitNorm
    assert constraints.min_max_norm is constraints.MinMaxNorm


INSTANCES = [constraints.MaxNorm(3., axis=[0, 1, 2]), constraints.NonNeg(),
             constraints.UnitNorm(axis=1), constraints.MinMaxNorm(0.5, 2., 0.3, axis=-1)]


@pytest.mark.parametrize('con', INSTANCES, ids=lambda c: type(c).__name__)
def test_serialize_round_trip(con):
    config = constraints.serialize(con)
    assert config == {'class_name': type(con).__name__, 'config': con.get_config()}
    for back in (constraints.deserialize(config), constraints.get(config),
                 type(con).from_config(con.get_config())):
        assert type(back) is type(con) and back.get_config() == con.get_config()


@pytest.mark.parametrize('name,cls', [('max_norm', constraints.MaxNorm),
                                      ('MaxNorm', constraints.MaxNorm),
                                      ('maxnorm', constraints.MaxNorm),
                                      ('non_neg', constraints.NonNeg),
                                      ('NonNeg', constraints.NonNeg),
                                      ('nonneg', constraints.NonNeg),
                                      ('unit_norm', constraints.UnitNorm),
                                      ('UnitNorm', constraints.UnitNorm),
                                      ('unitnorm', constraints.UnitNorm),
                                      ('min_max_norm', constraints.MinMaxNorm),
                                      ('MinMaxNorm', constraints.MinMaxNorm)])
def test_get_by_name(name, cls):
    con = constraints.get(name)
    assert type(con) is cls and con.get_config() == cls().get_config()


def test_get_none_and_callables():
    assert constraints.get(None) is None
    con = constraints.MaxNorm(1.)
    assert constraints.get(con) is con

    def clip_it(w):
        return K.clip(w, -1., 1.)

    assert constraints.get(clip_it) is clip_it


@pytest.mark.parametrize('bad', ['maxNorm', 'max_norms', 'positive'])
def test_unknown_name(bad):
    with pytest.raises(ValueError) as err:
        constraints.get(bad)
    assert repr(bad) in str(err.value) and 'max_norm' in str(err.value)


@pytest.mark.parametrize('bad', [3, 'x'.encode(), {'config': {}}])
def test_uninterpretable(bad):
    with pytest.raises(ValueError):
        constraints.get(bad)


def test_custom_constraint_class_and_function():
    class Clip(constraints.Constraint):
        def __init__(self, bound=1.):
            self.bound = bound

        def __call__(self, w):
            return K.clip(w, -self.bound, self.bound)

        def get_config(self):
            return {'bound': self.bound}

    def halve(w):
        return 0.5 * w

    config = constraints.serialize(Clip(0.5))
    with pytest.raises(ValueError, match='Clip'):
        constraints.deserialize(config)
    with CustomObjectScope({'Clip': Clip, 'halve': halve}):
        con = constraints.get(config)
        assert constraints.get('halve') is halve
        assert type(constraints.get('Clip')) is Clip
    assert type(con) is Clip and con.bound == 0.5
    con = constraints.deserialize(config, custom_objects={'Clip': Clip})
    np.testing.assert_allclose(K.eval(con(K.variable(np.array([-2., 0.2, 3.])))),
                               [-0.5, 0.2, 0.5])
