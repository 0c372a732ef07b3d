"""kback.regularizers: penalties against numpy, gradients, configs and
get/serialize/deserialize."""
import numpy as np
import pytest

from kback import backend as K, regularizers
from kback.utils import CustomObjectScope
from gradcheck import check_op

rng = np.random.RandomState(0)


def weights(*shape):
    x = rng.uniform(-2., 2., size=shape)
    # Keep away from |x|'s kink at 0 for the finite differences.
    x[np.abs(x) < 0.05] = 0.1
    return x


def np_penalty(x, l1=0., l2=0.):
    return l1 * np.abs(x).sum() + l2 * np.square(x).sum()


CASES = [(regularizers.l1(), 0.01, 0.), (regularizers.l2(), 0., 0.01),
         (regularizers.l1_l2(), 0.01, 0.01), (regularizers.l1(0.3), 0.3, 0.),
         (regularizers.l2(l=0.2), 0., 0.2), (regularizers.l1_l2(l1=0.1, l2=0.5), 0.1, 0.5),
         (regularizers.L1L2(l1=0.25, l2=0.75), 0.25, 0.75)]


@pytest.mark.parametrize('reg,l1,l2', CASES)
@pytest.mark.parametrize('shape', [(4, 3), (2, 3, 2, 4), (5,)])
def test_penalty_and_gradient(reg, l1, l2, shape):
    assert (reg.l1, reg.l2) == (l1, l2)
    value = check_op(reg, [weights(*shape)], lambda x: np_penalty(x, l1, l2))
    assert np.shape(value) == ()


@pytest.mark.parametrize('reg,l1,l2', CASES)
def test_on_a_float32_variable(reg, l1, l2):
    w = weights(6, 4).astype('float32')
    out = reg(K.variable(w))
    assert K.is_tensor(out) and K.int_shape(out) == () and K.dtype(out) == 'float32'
    np.testing.assert_allclose(K.eval(out), np_penalty(w.astype(np.float64), l1, l2),
                               rtol=1e-5)


def test_zero_factors_give_a_zero_scalar():
    for reg in (regularizers.L1L2(), regularizers.Regularizer()):
        out = reg(K.variable(np.ones((3, 3))))
        assert K.is_tensor(out) and K.int_shape(out) == ()
        assert K.eval(out) == 0.


def test_defaults():
    assert regularizers.L1L2().get_config() == {'l1': 0., 'l2': 0.}
    assert regularizers.l1().get_config() == {'l1': 0.01, 'l2': 0.}
    assert regularizers.l2().get_config() == {'l1': 0., 'l2': 0.01}
    assert regularizers.l1_l2().get_config() == {'l1': 0.01, 'l2': 0.01}


def test_config_values_are_python_floats():
    config = regularizers.L1L2(l1=np.float32(0.5), l2=1).get_config()
    assert config == {'l1': 0.5, 'l2': 1.0}
    assert all(type(v) is float for v in config.values())


def test_bad_factor():
    with pytest.raises(ValueError, match='L1L2'):
        regularizers.L1L2(l1='a lot')


@pytest.mark.parametrize('reg', [c[0] for c in CASES])
def test_serialize_round_trip(reg):
    config = regularizers.serialize(reg)
    assert config == {'class_name': 'L1L2', 'config': reg.get_config()}
    for back in (regularizers.deserialize(config), regularizers.get(config),
                 regularizers.L1L2.from_config(reg.get_config())):
        assert type(back) is regularizers.L1L2 and back.get_config() == reg.get_config()


@pytest.mark.parametrize('name,config', [('l1', {'l1': 0.01, 'l2': 0.}),
                                         ('l2', {'l1': 0., 'l2': 0.01}),
                                         ('l1_l2', {'l1': 0.01, 'l2': 0.01}),
                                         ('L1L2', {'l1': 0., 'l2': 0.})])
def test_get_by_name(name, config):
    reg = regularizers.get(name)
    assert isinstance(reg, regularizers.L1L2) and reg.get_config() == config


def test_get_none_and_callables():
    assert regularizers.get(None) is None
    reg = regularizers.l2(0.5)
    assert regularizers.get(reg) is reg

    def mine(x):
        return 0.1 * K.sum(K.abs(x))

    assert regularizers.get(mine) is mine


@pytest.mark.parametrize('bad', ['l3', 'L2', 'elastic'])
def test_unknown_name(bad):
    with pytest.raises(ValueError) as err:
        regularizers.get(bad)
    assert repr(bad) in str(err.value) and 'l1_l2' in str(err.value)


@pytest.mark.parametrize('bad', [3, [0.1], {'class_name': 'L1L2'}])
def test_uninterpretable(bad):
    with pytest.raises(ValueError):
        regularizers.get(bad)


def test_custom_regularizer_class_and_function():
    class Squares(regularizers.Regularizer):
        def __init__(self, k=1.):
            self.k = k

        def __call__(self, x):
            return self.k * K.sum(K.square(x))

        def get_config(self):
            return {'k': self.k}

    def total(x):
        return K.sum(x)

    config = regularizers.serialize(Squares(2.))
    assert config == {'class_name': 'Squares', 'config': {'k': 2.}}
    with pytest.raises(ValueError, match='Squares'):
        regularizers.get(config)
    with CustomObjectScope({'Squares': Squares, 'total': total}):
        reg = regularizers.get(config)
        assert regularizers.get('total') is total
    assert type(reg) is Squares and reg.k == 2.
    reg = regularizers.deserialize(config, custom_objects={'Squares': Squares})
    np.testing.assert_allclose(K.eval(reg(K.variable(np.full((2, 2), 3.)))), 72.)
