"""kback.activations: each function against numpy with float64 gradient
checks, and get/serialize/deserialize."""
import warnings

import numpy as np
import pytest

from kback import activations, backend as K
from kback.utils import CustomObjectScope
from gradcheck import check_op

rng = np.random.RandomState(0)

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def inputs(*shape, low=-3.0, high=3.0, kinks=(0.,), margin=0.05):
    """Random float64 values, none within margin of a kink (finite
    differences straddling a kink would be meaningless)."""
    x = rng.uniform(low, high, size=shape)
    for k in kinks:
        close = np.abs(x - k) < margin
        x[close] = k + np.where(x[close] >= k, 2 * margin, -2 * margin)
    return x


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def np_relu(x, alpha=0., max_value=None, threshold=0.):
    top = np.inf if max_value is None else max_value
    return np.where(x >= top, top, np.where(x >= threshold, x, alpha * (x - threshold)))


def np_hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0., 1.)


def np_sigmoid(x):
    return 1. / (1. + np.exp(-x))


# (name, call, numpy reference, kinks of the reference)
CASES = [
    ('elu', lambda x: activations.elu(x), np_elu, (0.,)),
    ('elu_alpha', lambda x: activations.elu(x, alpha=0.5),
     lambda x: np_elu(x, 0.5), (0.,)),
    ('selu', activations.selu, lambda x: SELU_SCALE * np_elu(x, SELU_ALPHA), (0.,)),
    ('softplus', activations.softplus, lambda x: np.log1p(np.exp(x)), ()),
    ('softsign', activations.softsign, lambda x: x / (np.abs(x) + 1.), (0.,)),
    ('relu', activations.relu, lambda x: np.maximum(x, 0.), (0.,)),
    ('relu_alpha', lambda x: activations.relu(x, alpha=0.1),
     lambda x: np_relu(x, alpha=0.1), (0.,)),
    ('relu_max', lambda x: activations.relu(x, max_value=1.5),
     lambda x: np_relu(x, max_value=1.5), (0., 1.5)),
    ('relu_threshold', lambda x: activations.relu(x, threshold=0.5),
     lambda x: np_relu(x, threshold=0.5), (0.5,)),
    ('relu_all', lambda x: activations.relu(x, alpha=0.2, max_value=2., threshold=0.5),
     lambda x: np_relu(x, 0.2, 2., 0.5), (0.5, 2.)),
    ('tanh', activations.tanh, np.tanh, ()),
    ('sigmoid', activations.sigmoid, np_sigmoid, ()),
    ('hard_sigmoid', activations.hard_sigmoid, np_hard_sigmoid, (-2.5, 2.5)),
    ('exponential', activations.exponential, np.exp, ()),
]


@pytest.mark.parametrize('name,fn,ref,kinks', CASES, ids=[c[0] for c in CASES])
def test_elementwise_forward_and_gradient(name, fn, ref, kinks):
    x = inputs(3, 5, kinks=kinks)
    check_op(fn, [x], ref)


@pytest.mark.parametrize('name,fn,ref,kinks', CASES, ids=[c[0] for c in CASES])
def test_elementwise_float32(name, fn, ref, kinks):
    x = inputs(4, 6, kinks=kinks).astype('float32')
    out = fn(K.variable(x))
    assert K.dtype(out) == 'float32'
    assert K.int_shape(out) == (4, 6)
    np.testing.assert_allclose(K.eval(out), ref(x.astype(np.float64)), rtol=1e-5, atol=1e-6)


def test_relu_saturation_and_leak_values():
    x = np.array([[-2., -0.5, 0., 0.25, 1., 3.]])
    np.testing.assert_allclose(K.eval(activations.relu(K.variable(x), max_value=1.)),
                               [[0., 0., 0., 0.25, 1., 1.]])
    np.testing.assert_allclose(K.eval(activations.relu(K.variable(x), alpha=0.5)),
                               [[-1., -0.25, 0., 0.25, 1., 3.]])


def test_hard_sigmoid_bounds():
    x = np.array([[-10., -2.5, 0., 2.5, 10.]])
    np.testing.assert_allclose(K.eval(activations.hard_sigmoid(K.variable(x))),
                               [[0., 0., 0.5, 1., 1.]], atol=1e-7)


def test_linear_is_identity():
    x = K.variable(np.ones((2, 3)))
    assert activations.linear(x) is x
    a = np.arange(4.)
    assert activations.linear(a) is a


@pytest.mark.parametrize('shape,axis', [((3, 5), -1), ((3, 5), 0), ((2, 3, 4), -1),
                                        ((2, 3, 4), 1), ((2, 2, 3, 4), 2)])
def test_softmax(shape, axis):
    x = inputs(*shape, kinks=())
    value = check_op(lambda t: activations.softmax(t, axis=axis), [x],
                     lambda a: np_softmax(a, axis))
    np.testing.assert_allclose(value.sum(axis=axis), 1., rtol=1e-12)


def test_softmax_large_values_are_stable():
    x = np.array([[1000., 1001., 1002.], [-1000., -1000., -1000.]])
    out = K.eval(activations.softmax(K.variable(x)))
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, np_softmax(x), rtol=1e-6)


@pytest.mark.parametrize('shape', [(5,), ()])
def test_softmax_needs_two_dims(shape):
    with pytest.raises(ValueError, match='softmax'):
        activations.softmax(K.variable(np.zeros(shape)))


# -- get / serialize / deserialize -----------------------------------------------------

NAMES = ['softmax', 'elu', 'selu', 'softplus', 'softsign', 'relu', 'tanh', 'sigmoid',
         'hard_sigmoid', 'exponential', 'linear']


@pytest.mark.parametrize('name', NAMES)
def test_get_by_name_and_round_trip(name):
    fn = activations.get(name)
    assert fn is getattr(activations, name)
    assert activations.serialize(fn) == name
    assert activations.deserialize(name) is fn
    assert activations.get(activations.serialize(fn)) is fn


def test_get_none_is_linear_and_callables_pass_through():
    assert activations.get(None) is activations.linear

    def mine(x):
        return x * 2.

    assert activations.get(mine) is mine
    assert activations.get(K.relu) is K.relu


def test_get_unknown_name_raises_naming_it_and_listing_known():
    with pytest.raises(ValueError) as err:
        activations.get('no_such_activation')
    assert 'no_such_activation' in str(err.value)
    assert 'relu' in str(err.value) and 'softmax' in str(err.value)


def test_names_are_case_sensitive():
    with pytest.raises(ValueError, match='Relu'):
        activations.get('Relu')


def test_get_rejects_non_callables():
    with pytest.raises(ValueError, match='activation'):
        activations.get(3)


def test_custom_activation_by_name():
    def double(x):
        return 2. * x

    assert activations.serialize(double) == 'double'
    with pytest.raises(ValueError):
        activations.get('double')
    with CustomObjectScope({'double': double}):
        assert activations.get('double') is double
    assert activations.deserialize('double', custom_objects={'double': double}) is double
    with pytest.raises(ValueError):
        activations.get('double')


def test_layer_instance_passed_as_activation_warns_and_is_returned():
    # A stand-in class tree like kback's: a 'Layer' defined in a kback module.
    Layer = type('Layer', (), {'__module__': 'kback.engine.base_layer',
                               '__call__': lambda self, x: x})
    LeakyReLU = type('LeakyReLU', (Layer,), {'__module__': 'kback.layers.advanced'})
    layer = LeakyReLU()
    with pytest.warns(UserWarning, match='LeakyReLU'):
        assert activations.get(layer) is layer

    class Plain:
        def __call__(self, x):
            return x

    plain = Plain()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert activations.get(plain) is plain
