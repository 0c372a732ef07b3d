"""Embedding and the noise layers (GaussianNoise, GaussianDropout, AlphaDropout)."""
import numpy as np
import pytest

from kback import backend as K
from kback.layers import (AlphaDropout, Dense, Embedding, Flatten, GaussianDropout,
                          GaussianNoise, Input)
from kback.models import Model, Sequential

from tests.layers.layer_test import layer_test


def test_embedding_looks_up_rows():
    table = np.random.randn(10, 4).astype('float32')
    x = np.array([[1, 2, 9], [0, 0, 3]], dtype='int32')
    out = layer_test(Embedding, {'input_dim': 10, 'output_dim': 4, 'weights': [table]},
                     input_data=x, input_dtype='int32', expected_output=table[x])
    assert out.shape == (2, 3, 4)


def test_embedding_output_shapes_and_input_length():
    assert Sequential([Embedding(1000, 64, input_length=10)]).output_shape == (None, 10, 64)
    assert Sequential([Embedding(5, 2)]).output_shape == (None, None, 2)
    layer = Embedding(5, 3, input_length=(None, 4))
    assert layer.compute_output_shape((None, 7, 4)) == (None, 7, 4, 3)
    with pytest.raises(ValueError, match='input_length'):
        Embedding(5, 3, input_length=4).compute_output_shape((None, 6))
    with pytest.raises(ValueError, match='input_dim'):
        Embedding(0, 3)


def test_embedding_casts_float_indices_and_trains():
    model = Sequential([Embedding(50, 8, input_length=6), Flatten(),
                        Dense(1, activation='sigmoid')])
    model.compile('adam', 'binary_crossentropy', metrics=['acc'])
    rng = np.random.RandomState(0)
    x = rng.randint(50, size=(256, 6))
    y = (x[:, 0] < 25).astype('float32')
    history = model.fit(x.astype('float32'), y, epochs=25, verbose=0)
    assert history.history['acc'][-1] > 0.9
    assert model.layers[0].get_weights()[0].shape == (50, 8)


def test_embedding_gradient_sums_repeated_indices():
    layer = Embedding(4, 2, embeddings_initializer='ones')
    x = Input(shape=(3,))
    out = layer(x)
    grads = K.gradients(K.sum(out), [layer.embeddings])[0]
    fn = K.function([x], [grads])
    g = fn([np.array([[1, 1, 3]], dtype='float32')])[0]
    np.testing.assert_array_equal(g, [[0, 0], [2, 2], [0, 0], [1, 1]])


def test_embedding_mask_zero_and_config():
    layer = Embedding(6, 2, mask_zero=True, input_length=3)
    x = Input(shape=(3,))
    mask = layer.compute_mask(x)
    value = K.function([x], [mask])([np.array([[0, 2, 0]], dtype='float32')])[0]
    np.testing.assert_array_equal(value, [[False, True, False]])
    assert Embedding(6, 2).compute_mask(x) is None
    config = layer.get_config()
    assert config['mask_zero'] is True and config['input_length'] == 3
    assert Embedding.from_config(config).output_dim == 2


def _phase_outputs(layer, x):
    inp = Input(shape=x.shape[1:])
    out = layer(inp)
    fn = K.function([inp, K.learning_phase()], [out])
    return fn([x, 1])[0], fn([x, 0])[0]


def test_gaussian_noise_statistics_and_test_phase():
    x = np.zeros((200, 500), dtype='float32')
    train, test = _phase_outputs(GaussianNoise(0.5), x)
    np.testing.assert_array_equal(test, x)
    assert abs(train.mean()) < 0.01 and abs(train.std() - 0.5) < 0.01
    layer_test(GaussianNoise, {'stddev': 1.0}, input_shape=(3, 2, 3))


def test_gaussian_dropout_statistics():
    x = np.ones((200, 500), dtype='float32')
    rate = 0.3
    train, test = _phase_outputs(GaussianDropout(rate), x)
    np.testing.assert_array_equal(test, x)
    assert abs(train.mean() - 1) < 0.01
    assert abs(train.std() - np.sqrt(rate / (1 - rate))) < 0.01
    layer_test(GaussianDropout, {'rate': 0.5}, input_shape=(3, 2, 3))


def test_alpha_dropout_keeps_selu_statistics():
    rng = np.random.RandomState(0)
    x = rng.randn(400, 500).astype('float32')   # mean 0, variance 1 (SELU's fixed point)
    rate = 0.2
    train, test = _phase_outputs(AlphaDropout(rate, seed=3), x)
    np.testing.assert_array_equal(test, x)
    assert abs(train.mean()) < 0.02 and abs(train.var() - 1) < 0.02
    # Dropped units all take one value: a * alpha_p + b.
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(train, a * alpha_p - a * alpha_p * rate, atol=1e-5)
    assert abs(dropped.mean() - rate) < 0.01
    np.testing.assert_allclose(train[~dropped], a * x[~dropped] - a * alpha_p * rate,
                               rtol=1e-5, atol=1e-5)
    layer_test(AlphaDropout, {'rate': 0.2}, input_shape=(3, 2, 3))


def test_noise_layers_train_in_a_model():
    inp = Input(shape=(8,))
    h = GaussianNoise(0.1)(inp)
    h = Dense(16, activation='selu')(h)
    h = AlphaDropout(0.1)(h)
    h = GaussianDropout(0.1)(h)
    out = Dense(1)(h)
    model = Model(inp, out)
    model.compile('sgd', 'mse')
    x = np.random.randn(64, 8).astype('float32')
    model.fit(x, x.sum(axis=1, keepdims=True), epochs=2, verbose=0)
    np.testing.assert_array_equal(model.predict(x), model.predict(x))
