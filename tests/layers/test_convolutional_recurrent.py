"""ConvLSTM2D, ConvLSTM2DCell and ConvRNN2D (Keras 2.3's
convolutional_recurrent) against a numpy ConvLSTM in both data formats:
one step, whole sequences (return_sequences, go_backwards, masks, strides,
dilation), dropout, statefulness, return_state/initial_state, config and
parameter counts as Keras's, and end-to-end training."""
import numpy as np
import pytest

from kback import backend as K
from kback.layers import (ConvLSTM2D, ConvLSTM2DCell, ConvRNN2D, Input, Dense,
                          GlobalMaxPooling2D, Lambda)
from kback.layers.convolutional_recurrent import ConvLSTM2D as ConvLSTM2DFromItsModule
from kback.models import Model, Sequential
from kback.optimizers import Adam
from layers.layer_test import layer_test

rng = np.random.RandomState(7)


# -- a numpy ConvLSTM (channels_last; channels_first transposes around it) ---------------

def np_conv2d(x, w, strides=(1, 1), padding='valid', dilation=(1, 1)):
    """x (n, h, w, c), w (kh, kw, c, o): TensorFlow's conv2d ('same' pads more at the end)."""
    kh, kw = [(k - 1) * d + 1 for k, d in zip(w.shape[:2], dilation)]
    if padding == 'same':
        pads = []
        for size, k, s in zip(x.shape[1:3], (kh, kw), strides):
            out = -(-size // s)
            total = max((out - 1) * s + k - size, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    rows = (x.shape[1] - kh) // strides[0] + 1
    cols = (x.shape[2] - kw) // strides[1] + 1
    out = np.zeros((x.shape[0], rows, cols, w.shape[3]))
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            r0, c0 = i * dilation[0], j * dilation[1]
            patch = x[:, r0:r0 + rows * strides[0]:strides[0], c0:c0 + cols * strides[1]:strides[1]]
            out += patch @ w[i, j]
    return out


def hard_sigmoid(z):
    return np.clip(0.2 * z + 0.5, 0, 1)


def np_step(x, h, c, kernel, recurrent_kernel, bias, strides=(1, 1), padding='valid',
            dilation=(1, 1)):
    f = h.shape[-1]
    z = np_conv2d(x, kernel, strides, padding, dilation) + bias + \
        np_conv2d(h, recurrent_kernel, padding='same')
    i, fg, cc, o = (z[..., k * f:(k + 1) * f] for k in range(4))
    c = hard_sigmoid(fg) * c + hard_sigmoid(i) * np.tanh(cc)
    h = hard_sigmoid(o) * np.tanh(c)
    return h, c


def np_conv_lstm(x, weights, go_backwards=False, mask=None, **conv):
    """x (batch, time, rows, cols, channels); returns (outputs, h, c)."""
    kernel, recurrent_kernel, bias = weights
    f = recurrent_kernel.shape[2]
    first = np_conv2d(x[:, 0], np.zeros(kernel.shape[:3] + (f,)), conv.get('strides', (1, 1)),
                      conv.get('padding', 'valid'), conv.get('dilation', (1, 1)))
    h, c, out = first, first.copy(), np.zeros_like(first)
    outputs = []
    steps = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    for t in steps:
        nh, nc = np_step(x[:, t], h, c, kernel, recurrent_kernel, bias, **conv)
        keep = np.ones(len(x)) if mask is None else mask[:, t]
        keep = keep[:, None, None, None]
        h, c = keep * nh + (1 - keep) * h, keep * nc + (1 - keep) * c
        out = keep * nh + (1 - keep) * out
        outputs.append(out)
    return np.stack(outputs, 1), h, c


def to_first(a):
    """channels_last -> channels_first for (..., rows, cols, channels)."""
    return np.moveaxis(a, -1, -3)


def random_weights(layer):
    layer.set_weights([rng.uniform(-0.5, 0.5, w.shape) for w in layer.get_weights()])
    return layer.get_weights()


FORMATS = ['channels_last', 'channels_first']


# -- one step -------------------------------------------------------------------------------

@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('conv', [dict(), dict(padding='same'), dict(strides=(2, 1)),
                                  dict(padding='same', dilation=(2, 2))])
def test_one_step_of_the_cell_matches_numpy(data_format, conv):
    kwargs = dict(strides=conv.get('strides', (1, 1)), padding=conv.get('padding', 'valid'),
                  dilation_rate=conv.get('dilation', (1, 1)))
    cell = ConvLSTM2DCell(3, (3, 2), data_format=data_format, **kwargs)
    x = rng.uniform(-1, 1, (2, 7, 6, 2))
    cell.build((None,) + (to_first(x) if data_format == 'channels_first' else x).shape[1:])
    weights = random_weights(cell)
    rows = np_conv2d(x, weights[0][..., :3], conv.get('strides', (1, 1)),
                     conv.get('padding', 'valid'), conv.get('dilation', (1, 1))).shape[1:3]
    h = rng.uniform(-1, 1, (2,) + rows + (3,))
    c = rng.uniform(-1, 1, h.shape)
    expected = np_step(x, h, c, *weights, **conv)
    if data_format == 'channels_first':
        x, h, c = to_first(x), to_first(h), to_first(c)
        expected = [to_first(e) for e in expected]
    out, (h1, c1) = cell.call(K.constant(x), [K.constant(h), K.constant(c)])
    got = K.function([], [out, h1, c1])([])
    for g, e in zip(got, [expected[0], expected[0], expected[1]]):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


# -- whole sequences ---------------------------------------------------------------------------

@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('return_sequences', [False, True])
@pytest.mark.parametrize('go_backwards', [False, True])
def test_layer_matches_numpy(data_format, return_sequences, go_backwards):
    x = rng.uniform(-1, 1, (2, 4, 5, 5, 2)).astype('float32')
    layer = ConvLSTM2D(3, 3, padding='same', data_format=data_format,
                       return_sequences=return_sequences, go_backwards=go_backwards)
    feed = to_first(x) if data_format == 'channels_first' else x
    inp = Input(feed.shape[1:])
    out = layer(inp)
    weights = random_weights(layer)
    outputs, h, _ = np_conv_lstm(x, weights, go_backwards, padding='same')
    expected = outputs if return_sequences else h
    if data_format == 'channels_first':
        expected = to_first(expected)
    assert K.int_shape(out)[1:] == expected.shape[1:]
    np.testing.assert_allclose(Model(inp, out).predict(feed), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('data_format', FORMATS)
def test_masked_timesteps_keep_the_previous_state_and_output(data_format):
    x = rng.uniform(-1, 1, (3, 5, 4, 4, 2)).astype('float32')
    mask = np.array([[1, 1, 0, 1, 0], [1, 0, 0, 0, 1], [1, 1, 1, 1, 1]], dtype=bool)
    layer = ConvLSTM2D(2, 2, strides=2, data_format=data_format, return_sequences=True)
    feed = to_first(x) if data_format == 'channels_first' else x
    inp = Input(feed.shape[1:])
    m = Input((5,), dtype='bool')
    out = layer(inp, mask=m)
    weights = random_weights(layer)
    expected, _, _ = np_conv_lstm(x, weights, mask=mask.astype(float), strides=(2, 2))
    if data_format == 'channels_first':
        expected = to_first(expected)
    np.testing.assert_allclose(K.function([inp, m], [out])([feed, mask])[0], expected,
                               rtol=1e-4, atol=1e-5)


def test_masks_reach_conv_lstm2d_from_the_layer_before():
    x = rng.uniform(-1, 1, (2, 3, 4, 4, 1)).astype('float32')
    x[0, 2] = 0.0
    inp = Input((3, 4, 4, 1))
    # A layer whose mask marks the frames that are not all zero (one value per frame).
    masked = Lambda(lambda t: t, mask=lambda t, m: K.any(K.not_equal(t, 0), axis=[2, 3, 4]))(inp)
    layer = ConvLSTM2D(2, 3, padding='same', return_sequences=True)
    out = layer(masked)
    weights = random_weights(layer)
    expected, _, _ = np_conv_lstm(x, weights, mask=np.array([[1, 1, 0], [1, 1, 1]], float),
                                  padding='same')
    np.testing.assert_allclose(Model(inp, out).predict(x), expected, rtol=1e-4, atol=1e-5)
    assert K.int_shape(layer.compute_mask(masked, K.ones((2, 3)))) == (2, 3)


def test_return_state_and_a_symbolic_initial_state():
    x = rng.uniform(-1, 1, (2, 3, 5, 5, 2)).astype('float32')
    inp = Input((3, 5, 5, 2))
    h0, c0 = Input((3, 3, 4)), Input((3, 3, 4))
    layer = ConvLSTM2D(4, 3, return_state=True)
    out, h, c = layer(inp, initial_state=[h0, c0])
    assert K.int_shape(out) == K.int_shape(h) == K.int_shape(c) == (None, 3, 3, 4)
    assert layer.compute_output_shape((None, 3, 5, 5, 2)) == [(None, 3, 3, 4)] * 3
    weights = random_weights(layer)
    hv, cv = rng.uniform(-1, 1, (2, 3, 3, 4)), rng.uniform(-1, 1, (2, 3, 3, 4))
    got = Model([inp, h0, c0], [out, h, c]).predict([x, hv, cv])
    eh, ec = hv, cv
    for t in range(3):
        eh, ec = np_step(x[:, t], eh, ec, *weights)
    for g, e in zip(got, [eh, eh, ec]):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)


# -- dropout -------------------------------------------------------------------------------------

@pytest.mark.parametrize('rates', [(0.5, 0.0), (0.0, 0.5), (0.3, 0.3)])
def test_dropout_is_only_applied_while_training_and_keeps_one_mask_per_sequence(rates):
    x = np.ones((4, 3, 4, 4, 2), dtype='float32')
    inp = Input((3, 4, 4, 2))
    layer = ConvLSTM2D(2, 1, dropout=rates[0], recurrent_dropout=rates[1], return_sequences=True)
    out = layer(inp)
    plain_layer = ConvLSTM2D(2, 1, return_sequences=True)
    plain = plain_layer(inp)
    weights = random_weights(layer)
    plain_layer.set_weights(weights)
    f = K.function([inp, K.learning_phase()], [out, plain])
    test_out, expected = f([x, 0])
    np.testing.assert_allclose(test_out, expected, rtol=1e-6)
    train_out = f([x, 1])[0]
    assert not np.allclose(train_out, expected) and np.all(np.isfinite(train_out))


def test_dropout_masks_are_the_same_at_every_timestep():
    # Equal frames and a zero recurrent kernel: every step gets the same gate
    # pre-activations when the input mask is shared across time, so with the
    # forget gate's bias driven far negative (f = 0) every output is the same.
    x = np.ones((3, 4, 2, 2, 3), dtype='float32')
    inp = Input((4, 2, 2, 3))
    layer = ConvLSTM2D(2, 1, dropout=0.5, return_sequences=True)
    out = layer(inp)
    w = random_weights(layer)
    bias = w[2].copy()
    bias[2:4] = -100.0
    layer.set_weights([w[0], np.zeros_like(w[1]), bias])
    got = K.function([inp, K.learning_phase()], [out])([x, 1])[0]
    np.testing.assert_allclose(got, np.repeat(got[:, :1], 4, axis=1), rtol=1e-6)
    no_dropout = K.function([inp, K.learning_phase()], [out])([x, 0])[0]
    assert not np.allclose(got, no_dropout)


# -- stateful ---------------------------------------------------------------------------------------

def test_stateful_layer_carries_its_states_between_batches():
    x = rng.uniform(-1, 1, (2, 6, 4, 4, 1)).astype('float32')
    model = Sequential([ConvLSTM2D(2, 3, padding='same', stateful=True, return_sequences=True,
                                   batch_input_shape=(2, 3, 4, 4, 1))])
    layer = model.layers[0]
    weights = random_weights(layer)
    first = model.predict(x[:, :3], batch_size=2)
    second = model.predict(x[:, 3:], batch_size=2)
    expected, h, c = np_conv_lstm(x, weights, padding='same')
    np.testing.assert_allclose(np.concatenate([first, second], 1), expected, rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(K.get_value(layer.states[1]), c, rtol=1e-4, atol=1e-5)
    layer.reset_states()
    np.testing.assert_allclose(model.predict(x[:, :3], batch_size=2), first, rtol=1e-6)
    layer.reset_states([h, c])
    np.testing.assert_allclose(K.get_value(layer.states[0]), h, rtol=1e-6)
    with pytest.raises(ValueError, match=r'State 0 is incompatible.*\(2, 4, 4, 2\)'):
        layer.reset_states([np.zeros((2, 4, 4, 3)), c])


def test_stateful_needs_the_whole_input_shape():
    layer = ConvLSTM2D(2, 3, stateful=True)
    with pytest.raises(ValueError, match='needs to know its batch size'):
        layer(Input((3, 4, 4, 1)))


# -- config, weights and the common layer checks ---------------------------------------------------

@pytest.mark.parametrize('data_format', FORMATS)
def test_layer_test_and_keras_parameter_count(data_format):
    kwargs = dict(filters=3, kernel_size=(2, 3), data_format=data_format, padding='same',
                  return_sequences=True, recurrent_dropout=0.2, kernel_regularizer='l2',
                  activity_regularizer='l1')
    shape = (2, 3, 4, 5, 6) if data_format == 'channels_last' else (2, 3, 6, 4, 5)
    layer_test(ConvLSTM2D, kwargs=kwargs, input_shape=shape)
    layer = ConvLSTM2D(**kwargs)
    layer(Input(shape[1:]))
    # Keras: kernel kh*kw*in*4f + recurrent kh*kw*f*4f + bias 4f.
    assert layer.count_params() == 2 * 3 * 6 * 12 + 2 * 3 * 3 * 12 + 12
    assert [w.shape for w in layer.get_weights()] == [(2, 3, 6, 12), (2, 3, 3, 12), (12,)]
    np.testing.assert_array_equal(layer.get_weights()[2], [0] * 3 + [1] * 3 + [0] * 6)
    assert len(layer.losses) == 2     # the kernel's and the activity's regularizers


def test_config_round_trip_names_keras_arguments():
    layer = ConvLSTM2D(4, 3, strides=(1, 2), dilation_rate=1, activation='relu',
                       use_bias=False, unit_forget_bias=False, dropout=0.1,
                       go_backwards=True, name='clstm')
    config = layer.get_config()
    assert config['filters'] == 4 and config['kernel_size'] == (3, 3)
    assert config['strides'] == (1, 2) and config['activation'] == 'relu'
    assert 'cell' not in config and config['go_backwards'] is True
    for key in ('recurrent_activation', 'kernel_initializer', 'recurrent_initializer',
                'bias_initializer', 'unit_forget_bias', 'recurrent_dropout', 'data_format',
                'return_sequences', 'stateful', 'return_state', 'activity_regularizer'):
        assert key in config
    clone = ConvLSTM2D.from_config(config)
    assert clone.get_config() == config
    assert clone.filters == 4 and clone.dropout == 0.1 and clone.name == 'clstm'
    from kback.layers import deserialize, serialize
    assert deserialize(serialize(layer)).get_config() == config
    assert ConvLSTM2DFromItsModule is ConvLSTM2D


def test_construction_errors():
    with pytest.raises(TypeError, match="Unrolling isn't possible"):
        ConvRNN2D(ConvLSTM2DCell(2, 3), unroll=True)
    with pytest.raises(TypeError, match='stack convolutional cells'):
        ConvRNN2D([ConvLSTM2DCell(2, 3), ConvLSTM2DCell(2, 3)])
    with pytest.raises(ValueError, match=r'expected ndim=5.*\(None, 3, 4, 2\)'):
        ConvLSTM2D(2, 3)(Input((3, 4, 2)))
    with pytest.raises(ValueError, match='channel dimension of the inputs should be defined'):
        ConvLSTM2D(2, 3)(Input((3, 4, 4, None)))


# -- end-to-end training ------------------------------------------------------------------------

@pytest.mark.parametrize('data_format', FORMATS)
def test_conv_lstm_learns_the_direction_of_motion(data_format):
    """A dot moves left or right over 4 frames; the label is the direction,
    which no single frame shows."""
    n, steps, size = 64, 4, 6
    x = np.zeros((n, steps, size, size, 1), dtype='float32')
    y = rng.randint(0, 2, n)
    for i in range(n):
        row, start = rng.randint(0, size), rng.randint(0, size - steps + 1)
        for t in range(steps):
            col = start + t if y[i] else start + steps - 1 - t
            x[i, t, row, col, 0] = 1.0
    if data_format == 'channels_first':
        x = to_first(x)
    model = Sequential([ConvLSTM2D(4, 3, padding='same', data_format=data_format,
                                   input_shape=x.shape[1:]),
                        GlobalMaxPooling2D(data_format=data_format),
                        Dense(1, activation='sigmoid')])
    model.compile(Adam(0.02), 'binary_crossentropy', metrics=['accuracy'])
    history = model.fit(x, y, batch_size=16, epochs=12, verbose=0)
    assert history.history['loss'][-1] < 0.3 * history.history['loss'][0]
    assert history.history['accuracy'][-1] > 0.9
