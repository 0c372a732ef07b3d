"""SimpleRNN, GRU, LSTM, their cells, StackedRNNCells and the generic RNN
layer against numpy versions of Keras 2.3's equations (with set weights)."""
import numpy as np
import pytest

from kback import backend as K
from kback import layers, models
from kback.engine.saving import load_model
from layers.layer_test import layer_test

rng = np.random.RandomState(2)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_simple(x, W, U, b, h=None):
    h = np.zeros((x.shape[0], U.shape[0])) if h is None else h
    outs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W + b + h @ U)
        outs.append(h)
    return np.stack(outs, 1), [h]


def np_gru(x, W, U, b, reset_after=False, h=None):
    u = U.shape[0]
    h = np.zeros((x.shape[0], u)) if h is None else h
    outs = []
    for t in range(x.shape[1]):
        bi, br = (b[0], b[1]) if reset_after else (b, np.zeros(3 * u))
        xs = x[:, t] @ W + bi
        z = sigmoid(xs[:, :u] + h @ U[:, :u] + br[:u])
        r = sigmoid(xs[:, u:2 * u] + h @ U[:, u:2 * u] + br[u:2 * u])
        if reset_after:
            hh = np.tanh(xs[:, 2 * u:] + r * (h @ U[:, 2 * u:] + br[2 * u:]))
        else:
            hh = np.tanh(xs[:, 2 * u:] + (r * h) @ U[:, 2 * u:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return np.stack(outs, 1), [h]


def np_lstm(x, W, U, b, h=None, c=None):
    u = U.shape[0]
    h = np.zeros((x.shape[0], u)) if h is None else h
    c = np.zeros((x.shape[0], u)) if c is None else c
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ W + h @ U + b
        i, f, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), sigmoid(z[:, 3 * u:])
        c = f * c + i * np.tanh(z[:, 2 * u:3 * u])
        h = o * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1), [h, c]


def random_weights(layer):
    weights = [rng.uniform(-0.6, 0.6, w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


CASES = [(layers.SimpleRNN, {}, np_simple), (layers.GRU, {}, np_gru),
         (layers.GRU, {'reset_after': True}, lambda x, W, U, b: np_gru(x, W, U, b, True)),
         (layers.LSTM, {}, np_lstm)]


def predict(layer, x, time_dim='known'):
    shape = (x.shape[1] if time_dim == 'known' else None, x.shape[2])
    inp = layers.Input(shape)
    model = models.Model(inp, layer(inp))
    return model, model.predict(x)


@pytest.mark.parametrize('cls,kwargs,reference', CASES)
@pytest.mark.parametrize('variant', ['loop', 'unknown_time', 'unroll'])
def test_forward_matches_numpy(cls, kwargs, reference, variant):
    x = rng.uniform(-1, 1, (3, 5, 4)).astype('float32')
    layer = cls(6, return_sequences=True, unroll=variant == 'unroll', **kwargs)
    model, _ = predict(layer, x, 'unknown' if variant == 'unknown_time' else 'known')
    weights = random_weights(layer)
    expected, _ = reference(x.astype('float64'), *weights)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('cls,kwargs,reference', CASES)
def test_return_state_and_go_backwards(cls, kwargs, reference):
    x = rng.uniform(-1, 1, (2, 4, 3)).astype('float32')
    layer = cls(5, return_state=True, go_backwards=True, **kwargs)
    inp = layers.Input((4, 3))
    outs = layer(inp)
    n_states = 2 if cls is layers.LSTM else 1
    assert len(outs) == 1 + n_states
    assert [K.int_shape(o) for o in outs] == [(None, 5)] * (1 + n_states)
    assert layer.compute_output_shape((None, 4, 3)) == [(None, 5)] * (1 + n_states)
    weights = random_weights(layer)
    got = models.Model(inp, outs).predict(x)
    seq, states = reference(x[:, ::-1].astype('float64'), *weights)
    np.testing.assert_allclose(got[0], seq[:, -1], rtol=1e-4, atol=1e-5)
    for g, e in zip(got[1:], states):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)


def test_initial_state_from_keras_tensors():
    x = rng.uniform(-1, 1, (2, 4, 3)).astype('float32')
    h0, c0 = rng.uniform(-1, 1, (2, 5)), rng.uniform(-1, 1, (2, 5))
    inp, ih, ic = layers.Input((None, 3)), layers.Input((5,)), layers.Input((5,))
    layer = layers.LSTM(5, return_sequences=True)
    out = layer(inp, initial_state=[ih, ic])
    model = models.Model([inp, ih, ic], out)
    weights = random_weights(layer)
    expected, _ = np_lstm(x.astype('float64'), *weights, h=h0, c=c0)
    np.testing.assert_allclose(model.predict([x, h0, c0]), expected, rtol=1e-4, atol=1e-5)
    # The same through the list form and after a config round trip.
    clone = models.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict([x, h0, c0]), expected, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match='initial_state'):
        layers.LSTM(5)(inp, initial_state=[ih])


def test_padded_sequences_give_the_unpadded_result():
    tokens = np.array([[3, 5, 2, 0, 0], [4, 1, 1, 6, 2]])
    for cls in (layers.SimpleRNN, layers.GRU, layers.LSTM):
        emb = layers.Embedding(8, 3, mask_zero=True)
        rnn = cls(4)
        model = models.Sequential([emb, rnn])
        full = model.predict(tokens)
        short = models.Sequential([layers.Embedding(8, 3, weights=emb.get_weights()),
                                   cls(4, weights=rnn.get_weights())])
        np.testing.assert_allclose(full[0], short.predict(tokens[:1, :3])[0], rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(full[1], short.predict(tokens[1:])[0], rtol=1e-5,
                                   atol=1e-6)


def test_masking_layer_and_sequence_outputs():
    x = rng.uniform(-1, 1, (2, 4, 3)).astype('float32')
    x[0, 2:] = 0.
    model = models.Sequential([layers.Masking(0., input_shape=(4, 3)),
                               layers.SimpleRNN(3, return_sequences=True)])
    out = model.predict(x)
    # Masked steps repeat the last valid output.
    np.testing.assert_allclose(out[0, 2], out[0, 1])
    np.testing.assert_allclose(out[0, 3], out[0, 1])
    assert model.layers[-1].output_mask is not None


def test_dropout_only_in_training():
    x = rng.uniform(-1, 1, (4, 6, 3)).astype('float32')
    for cls in (layers.SimpleRNN, layers.GRU, layers.LSTM):
        layer = cls(5, dropout=0.5, recurrent_dropout=0.5, return_sequences=True)
        plain = cls(5, return_sequences=True)
        inp = layers.Input((6, 3))
        out, ref = layer(inp), plain(inp)
        plain.set_weights(layer.get_weights())
        f = K.function([inp, K.learning_phase()], [out, ref])
        test_out, test_ref = f([x, 0])
        np.testing.assert_allclose(test_out, test_ref, rtol=1e-6, atol=1e-7)
        train_out, _ = f([x, 1])
        assert not np.allclose(train_out, test_ref)
        assert np.all(np.isfinite(train_out))


def test_stateful_carries_states_and_reset_states():
    x = rng.uniform(-1, 1, (2, 6, 3)).astype('float32')
    layer = layers.LSTM(4, stateful=True, batch_input_shape=(2, 3, 3))
    model = models.Sequential([layer])
    whole = models.Sequential([layers.LSTM(4, batch_input_shape=(2, 6, 3))])
    whole.set_weights(model.get_weights())
    first = model.predict(x[:, :3], batch_size=2)
    second = model.predict(x[:, 3:], batch_size=2)
    np.testing.assert_allclose(second, whole.predict(x)[:, :], rtol=1e-5, atol=1e-6)
    model.reset_states()
    np.testing.assert_allclose(model.predict(x[:, :3], batch_size=2), first, rtol=1e-6)
    layer.reset_states()
    assert all(np.all(K.get_value(s) == 0) for s in layer.states)
    layer.reset_states([np.ones((2, 4)), np.zeros((2, 4))])
    np.testing.assert_array_equal(K.get_value(layer.states[0]), np.ones((2, 4)))
    with pytest.raises(ValueError, match='incompatible'):
        layer.reset_states([np.ones((3, 4)), np.zeros((2, 4))])
    with pytest.raises(AttributeError):
        layers.LSTM(3).reset_states()


def test_defaults_and_weight_layout():
    lstm = layers.LSTM(3)
    gru = layers.GRU(3)
    assert lstm.recurrent_activation.__name__ == 'sigmoid'
    assert gru.recurrent_activation.__name__ == 'sigmoid'
    assert lstm.activation.__name__ == 'tanh' and lstm.unit_forget_bias
    assert gru.reset_after is False and lstm.implementation == 2
    inp = layers.Input((None, 2))
    lstm(inp)
    gru(inp)
    kernel, recurrent, bias = lstm.get_weights()
    assert kernel.shape == (2, 12) and recurrent.shape == (3, 12) and bias.shape == (12,)
    np.testing.assert_array_equal(bias, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    assert [w.shape for w in gru.get_weights()] == [(2, 9), (3, 9), (9,)]
    assert [w.name for w in lstm.weights][0].endswith('kernel:0')
    gru2 = layers.GRU(3, reset_after=True)
    gru2(inp)
    assert gru2.get_weights()[2].shape == (2, 9)


@pytest.mark.parametrize('cls', [layers.SimpleRNN, layers.GRU, layers.LSTM])
def test_layer_test_and_config(cls):
    layer_test(cls, kwargs={'units': 3, 'return_sequences': True}, input_shape=(2, 4, 3))
    config = cls(4, dropout=0.25, go_backwards=True, name='r').get_config()
    assert config['units'] == 4 and config['dropout'] == 0.25 and config['go_backwards']
    assert 'cell' not in config
    clone = cls.from_config(config)
    assert clone.get_config() == config


def test_generic_rnn_with_custom_and_stacked_cells():
    class MinimalRNNCell(layers.Layer):
        def __init__(self, units, **kwargs):
            self.units = units
            self.state_size = units
            super().__init__(**kwargs)

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                          initializer='uniform', name='kernel')
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    initializer='uniform',
                                                    name='recurrent_kernel')
            self.built = True

        def call(self, inputs, states):
            output = K.dot(inputs, self.kernel) + K.dot(states[0], self.recurrent_kernel)
            return output, [output]

    x = rng.uniform(-1, 1, (2, 3, 5)).astype('float32')
    inp = layers.Input((None, 5))
    layer = layers.RNN(MinimalRNNCell(4))
    out = models.Model(inp, layer(inp)).predict(x)
    W, U = layer.get_weights()
    h = np.zeros((2, 4))
    for t in range(3):
        h = x[:, t] @ W + h @ U
    np.testing.assert_allclose(out, h, rtol=1e-5, atol=1e-6)

    cells = [layers.SimpleRNNCell(4), layers.LSTMCell(3)]
    stacked = layers.RNN(cells, return_state=True)
    outs = stacked(inp)
    assert len(outs) == 4 and stacked.cell.state_size == (4, 3, 3)
    got = models.Model(inp, outs).predict(x)
    w = stacked.get_weights()
    seq, _ = np_simple(x.astype('float64'), *w[:3])
    _, (h2, c2) = np_lstm(seq, *w[3:])
    np.testing.assert_allclose(got[0], h2, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[3], c2, rtol=1e-4, atol=1e-5)
    clone = layers.RNN.from_config(stacked.get_config())
    assert isinstance(clone.cell, layers.StackedRNNCells) and len(clone.cell.cells) == 2


def test_unroll_needs_a_time_dimension():
    with pytest.raises(ValueError, match='unroll'):
        layers.LSTM(3, unroll=True)(layers.Input((None, 2)))


@pytest.mark.parametrize('cls', [layers.GRU, layers.LSTM])
def test_float64_gradient_by_finite_differences(cls):
    K.set_floatx('float64')
    x = rng.uniform(-1, 1, (2, 3, 2))
    mask = np.array([[1, 1, 0], [1, 1, 1]], dtype=bool)
    inp, m = layers.Input((3, 2)), K.placeholder((2, 3), dtype='bool')
    layer = cls(3, return_sequences=True)
    out = layer(inp)
    out = layer.call(inp, mask=m)
    c = rng.uniform(0.5, 1.5, (2, 3, 3))
    loss = K.sum(out * c)
    f_loss = K.function([inp, m], [loss])
    grads = K.function([inp, m], K.gradients(loss, layer.trainable_weights + [inp]))([x, mask])
    eps = 1e-6
    for w, g in zip(layer.trainable_weights, grads):
        value = K.get_value(w)
        numeric = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            for sign in (1, -1):
                shifted = value.copy()
                shifted[i] += sign * eps
                K.set_value(w, shifted)
                numeric[i] += sign * f_loss([x, mask])[0] / (2 * eps)
        K.set_value(w, value)
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-7)


def test_imdb_style_model_trains_with_fit_and_round_trips(tmp_path):
    r = np.random.RandomState(0)
    n, steps = 160, 10
    x = r.randint(2, 12, size=(n, steps))
    lengths = r.randint(3, steps + 1, size=n)
    for i, l in enumerate(lengths):
        x[i, l:] = 0
    y = (x == 2).any(axis=1).astype('float32')
    model = models.Sequential([layers.Embedding(12, 8, mask_zero=True),
                               layers.LSTM(8), layers.Dense(1, activation='sigmoid')])
    from kback import optimizers
    model.compile(optimizers.Adam(0.02), 'binary_crossentropy', metrics=['accuracy'])
    history = model.fit(x, y, epochs=12, batch_size=32, verbose=0)
    assert history.history['loss'][-1] < 0.5 * history.history['loss'][0]
    assert history.history['accuracy'][-1] > 0.85
    path = str(tmp_path / 'lstm.h5')
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-5, atol=1e-6)
