"""CuDNNGRU and CuDNNLSTM on the CPU: Keras 2.3.1's weights, parameter counts
and config; the same functions as cuDNN's (numpy references; equal to
GRU(reset_after=True) and LSTM with sigmoid gates); no masks."""
import numpy as np
import pytest

from kback.layers import CuDNNGRU, CuDNNLSTM, GRU, LSTM, Input, Embedding, Dense
from kback.models import Model, Sequential
from kback.optimizers import Adam
from layers.layer_test import layer_test

rng = np.random.RandomState(2)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def np_cudnn_gru(x, kernel, recurrent_kernel, bias):
    u = recurrent_kernel.shape[0]
    h, out = np.zeros((len(x), u)), []
    for t in range(x.shape[1]):
        xz = x[:, t] @ kernel + bias[:3 * u]
        hz = h @ recurrent_kernel + bias[3 * u:]
        z = sigmoid(xz[:, :u] + hz[:, :u])
        r = sigmoid(xz[:, u:2 * u] + hz[:, u:2 * u])
        hh = np.tanh(xz[:, 2 * u:] + r * hz[:, 2 * u:])
        h = z * h + (1 - z) * hh
        out.append(h)
    return np.stack(out, 1)


def np_cudnn_lstm(x, kernel, recurrent_kernel, bias):
    u = recurrent_kernel.shape[0]
    h, c, out = np.zeros((len(x), u)), np.zeros((len(x), u)), []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent_kernel + bias[:4 * u] + bias[4 * u:]
        c = sigmoid(z[:, u:2 * u]) * c + sigmoid(z[:, :u]) * np.tanh(z[:, 2 * u:3 * u])
        h = sigmoid(z[:, 3 * u:]) * np.tanh(c)
        out.append(h)
    return np.stack(out, 1)


@pytest.mark.parametrize('cls, reference, gates', [(CuDNNGRU, np_cudnn_gru, 3),
                                                   (CuDNNLSTM, np_cudnn_lstm, 4)])
def test_matches_numpy_with_keras_weight_shapes(cls, reference, gates):
    x = rng.uniform(-1, 1, (3, 5, 4)).astype('float32')
    inp = Input((5, 4))
    layer = cls(6, return_sequences=True)
    out = layer(inp)
    assert [w.shape for w in layer.get_weights()] == [(4, 6 * gates), (6, 6 * gates),
                                                      (12 * gates,)]
    assert layer.count_params() == gates * 6 * (4 + 6) + 2 * gates * 6
    weights = [rng.uniform(-0.5, 0.5, w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    np.testing.assert_allclose(Model(inp, out).predict(x), reference(x, *weights), rtol=1e-5,
                               atol=1e-6)


def test_cudnn_gru_is_gru_with_reset_after_and_lstm_adds_its_two_biases():
    x = rng.uniform(-1, 1, (2, 4, 3)).astype('float32')
    inp = Input((4, 3))
    pairs = [(CuDNNGRU(5, go_backwards=True, return_state=True),
              GRU(5, reset_after=True, recurrent_activation='sigmoid', go_backwards=True,
                  return_state=True), lambda w: [w[0], w[1], w[2].reshape(2, 15)]),
             (CuDNNLSTM(5, return_state=True),
              LSTM(5, recurrent_activation='sigmoid', return_state=True),
              lambda w: [w[0], w[1], w[2][:20] + w[2][20:]])]
    for cudnn, plain, convert in pairs:
        a, b = cudnn(inp), plain(inp)
        weights = [rng.uniform(-0.5, 0.5, w.shape) for w in cudnn.get_weights()]
        cudnn.set_weights(weights)
        plain.set_weights(convert(weights))
        for got, expected in zip(Model(inp, a).predict(x), Model(inp, b).predict(x)):
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_lstm_forget_bias_starts_at_one_in_the_recurrent_half():
    layer = CuDNNLSTM(3)
    layer(Input((2, 4)))
    np.testing.assert_array_equal(layer.get_weights()[2], [0] * 15 + [1] * 3 + [0] * 6)
    layer = CuDNNLSTM(3, unit_forget_bias=False)
    layer(Input((2, 4)))
    assert not layer.get_weights()[2].any()


@pytest.mark.parametrize('cls', [CuDNNGRU, CuDNNLSTM])
def test_layer_test_and_keras_config_keys(cls):
    layer_test(cls, kwargs={'units': 3, 'return_sequences': True, 'kernel_regularizer': 'l2'},
               input_shape=(2, 4, 3))
    config = cls(4, go_backwards=True, name='rnn').get_config()
    keys = {'name', 'trainable', 'dtype', 'return_sequences', 'return_state', 'go_backwards',
            'stateful', 'units', 'kernel_initializer', 'recurrent_initializer',
            'bias_initializer', 'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer',
            'activity_regularizer', 'kernel_constraint', 'recurrent_constraint',
            'bias_constraint'} | ({'unit_forget_bias'} if cls is CuDNNLSTM else set())
    assert set(config) == keys and config['go_backwards'] is True
    assert cls.from_config(config).get_config() == config


def test_masks_are_refused_as_in_keras():
    inp = Input((4,))
    emb = Embedding(5, 3, mask_zero=True)(inp)
    with pytest.raises(ValueError, match='Masking is not supported for CuDNN RNNs'):
        CuDNNLSTM(2)(emb)


def test_stateful_cudnn_lstm_carries_its_states():
    x = rng.uniform(-1, 1, (2, 6, 3)).astype('float32')
    model = Sequential([CuDNNLSTM(4, stateful=True, return_sequences=True,
                                  batch_input_shape=(2, 3, 3))])
    weights = [rng.uniform(-0.5, 0.5, w.shape) for w in model.get_weights()]
    model.set_weights(weights)
    halves = [model.predict(x[:, :3], batch_size=2), model.predict(x[:, 3:], batch_size=2)]
    np.testing.assert_allclose(np.concatenate(halves, 1), np_cudnn_lstm(x, *weights),
                               rtol=1e-5, atol=1e-6)


def test_a_cudnn_gru_model_trains():
    x = rng.uniform(-1, 1, (64, 6, 2)).astype('float32')
    y = (x[:, :, 0].sum(1) > 0).astype('float32')
    model = Sequential([CuDNNGRU(8, input_shape=(6, 2)), Dense(1, activation='sigmoid')])
    model.compile(Adam(0.02), 'binary_crossentropy', metrics=['accuracy'])
    history = model.fit(x, y, batch_size=16, epochs=20, verbose=0)
    assert history.history['loss'][-1] < 0.5 * history.history['loss'][0]
    assert history.history['accuracy'][-1] > 0.9
