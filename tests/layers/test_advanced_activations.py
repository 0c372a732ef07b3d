import json

import numpy as np
import pytest

from kback import backend as K
from kback import layers
from kback.layers import Input, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax, ReLU
from tests.layers.layer_test import layer_test

X = np.array([[-3., -1., -0.5, 0., 0.5, 1., 2., 7.]], dtype='float32')


def test_leaky_relu():
    for alpha in (0.3, 0.1, 0.):
        kwargs = {} if alpha == 0.3 else {'alpha': alpha}
        out = layer_test(LeakyReLU, kwargs, input_data=X)
        np.testing.assert_allclose(out, np.where(X >= 0, X, alpha * X), rtol=1e-6)
    layer_test(LeakyReLU, {'alpha': 0.2}, input_shape=(2, 3, 4))
    assert LeakyReLU().get_config()['alpha'] == pytest.approx(0.3)


def test_elu():
    for alpha in (1.0, 0.5):
        out = layer_test(ELU, {'alpha': alpha}, input_data=X)
        np.testing.assert_allclose(out, np.where(X > 0, X, alpha * (np.exp(X) - 1)),
                                   rtol=1e-5, atol=1e-6)
    assert ELU().get_config()['alpha'] == 1.0


def test_thresholded_relu():
    for theta in (1.0, 0.5, 0.):
        out = layer_test(ThresholdedReLU, {'theta': theta}, input_data=X)
        np.testing.assert_allclose(out, np.where(X > theta, X, 0.))
    assert ThresholdedReLU().get_config()['theta'] == 1.0


def test_softmax():
    x = np.random.randn(2, 3, 4).astype('float32')
    for axis in (-1, 1):
        out = layer_test(Softmax, {'axis': axis}, input_data=x)
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        np.testing.assert_allclose(out, e / e.sum(axis=axis, keepdims=True), rtol=1e-5,
                                   atol=1e-7)
    assert Softmax().get_config()['axis'] == -1


@pytest.mark.parametrize('kwargs', [
    {},
    {'max_value': 1.5},
    {'negative_slope': 0.1},
    {'threshold': 0.7},
    {'max_value': 6., 'negative_slope': 0.2, 'threshold': 0.5},
    {'max_value': 0.},
])
def test_relu(kwargs):
    max_value = kwargs.get('max_value')
    slope = kwargs.get('negative_slope', 0.)
    threshold = kwargs.get('threshold', 0.)
    # As Keras's backend: x itself only strictly above the threshold.
    expected = np.where(X > threshold, X, slope * (X - threshold))
    if max_value is not None:
        expected = np.where(X >= max_value, max_value, expected)
    out = layer_test(ReLU, kwargs, input_data=X)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)


def test_relu_argument_validation_and_config():
    with pytest.raises(ValueError, match='max_value of ReLU layer cannot be negative value: -1'):
        ReLU(max_value=-1)
    with pytest.raises(ValueError, match='negative_slope of ReLU layer cannot be negative'):
        ReLU(negative_slope=-0.1)
    config = ReLU(max_value=6).get_config()
    assert (config['max_value'], config['negative_slope'], config['threshold']) == (6., 0., 0.)
    assert ReLU().get_config()['max_value'] is None
    json.dumps(config)


def test_prelu_forward_and_weights():
    x = np.random.randn(3, 4, 5).astype('float32')
    out = layer_test(PReLU, {}, input_data=x)          # alpha starts at zeros: a relu
    np.testing.assert_allclose(out, np.maximum(x, 0))
    layer = PReLU(alpha_initializer='ones')
    inp = Input(shape=(4, 5))
    y = layer(inp)
    assert K.int_shape(layer.alpha) == (4, 5)
    alpha = np.random.rand(4, 5).astype('float32')
    layer.set_weights([alpha])
    got = K.function([inp], [y])([x])[0]
    np.testing.assert_allclose(got, np.where(x >= 0, x, alpha * x), rtol=1e-6)


def test_prelu_shared_axes():
    x = np.random.randn(2, 3, 4, 5).astype('float32')
    layer_test(PReLU, {'shared_axes': [1, 2], 'alpha_initializer': 'ones'}, input_data=x)
    layer = PReLU(shared_axes=(1, 2))
    layer(Input(shape=(3, 4, 5)))
    assert K.int_shape(layer.alpha) == (1, 1, 5)
    assert layer.get_config()['shared_axes'] == [1, 2]
    assert PReLU(shared_axes=1).shared_axes == [1]
    # The input spec pins the unshared axes.
    with pytest.raises(ValueError):
        layer(Input(shape=(3, 4, 6)))
    layer(Input(shape=(7, 8, 5)))


def test_prelu_gradients():
    layer = PReLU(alpha_initializer='ones')
    inp = Input(shape=(4,))
    y = layer(inp)
    alpha = np.array([0.1, 0.2, 0.3, 0.4], 'float32')
    layer.set_weights([alpha])
    data = np.array([[-1., 2., -3., 4.], [5., -6., 7., -8.]], 'float32')
    g_alpha, g_x = K.gradients(K.sum(y), [layer.alpha, inp])
    va, vx = K.function([inp], [g_alpha, g_x])([data])
    np.testing.assert_allclose(va, np.where(data < 0, data, 0).sum(0), rtol=1e-6)
    np.testing.assert_allclose(vx, np.where(data < 0, alpha, 1.), rtol=1e-6)


def test_prelu_regularizer_and_constraint_config():
    layer = PReLU(alpha_regularizer='l2', alpha_constraint='non_neg')
    layer(Input(shape=(3,)))
    assert len(layer.losses) == 1
    config = json.loads(json.dumps(layers.serialize(layer)))
    restored = layers.deserialize(config)
    assert restored.get_config()['alpha_regularizer'] == config['config']['alpha_regularizer']
    assert config['config']['alpha_constraint']['class_name'] == 'NonNeg'


def test_activation_layers_serialize():
    for layer in (LeakyReLU(0.2), ELU(0.5), ThresholdedReLU(0.3), Softmax(axis=1),
                  ReLU(max_value=6., negative_slope=0.1, threshold=0.2), PReLU()):
        config = json.loads(json.dumps(layers.serialize(layer)))
        restored = layers.deserialize(config)
        assert type(restored) is type(layer)
        assert json.loads(json.dumps(restored.get_config())) == config['config']
