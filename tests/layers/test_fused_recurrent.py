"""The fused recurrent loops against the generic K.rnn path: LSTM, GRU (both
reset_after modes) and SimpleRNN layers give the same outputs, states and
gradients (inputs, kernels, biases, initial states) with masks, go_backwards,
return_state, input and recurrent dropout and stateful layers, in float32 and
float64; and
the layers take the fused loop only for the cells and activations it
computes."""
import numpy as np
import pytest

from kback import backend as K
from kback import layers, models
from kback.backend import graph_state
from kback.layers.recurrent_cells import (LSTMCell, GRUCell, SimpleRNNCell, prime_dropout,
                                          clear_dropout, fused_sequence)

rng = np.random.RandomState(21)
B, T, F, U = 3, 5, 4, 6


class PlainLSTMCell(LSTMCell):
    """A subclass: the layers run it through K.rnn (the generic path)."""


class PlainGRUCell(GRUCell):
    pass


class PlainSimpleRNNCell(SimpleRNNCell):
    pass


PLAIN = {LSTMCell: PlainLSTMCell, GRUCell: PlainGRUCell, SimpleRNNCell: PlainSimpleRNNCell}
CELLS = [(LSTMCell, {}), (LSTMCell, {'recurrent_activation': 'hard_sigmoid'}),
         (GRUCell, {}), (GRUCell, {'reset_after': True}), (SimpleRNNCell, {}),
         (SimpleRNNCell, {'activation': 'relu'})]
IDS = ['lstm', 'lstm-hard', 'gru', 'gru-reset-after', 'simple', 'simple-relu']


def ops_in(tensors):
    return {n.op for n in graph_state.reachable(tensors)}


def pair(cell_cls, kwargs, dtype, **rnn_kwargs):
    """The same recurrent layer twice, fused and generic, on one input, with
    the same weights: (input, fused outputs, generic outputs, layers)."""
    x = layers.Input((T, F), dtype=dtype)
    mask = rnn_kwargs.pop('mask', None)
    fused = layers.RNN(cell_cls(U, dtype=dtype, **kwargs), dtype=dtype, **rnn_kwargs)
    plain = layers.RNN(PLAIN[cell_cls](U, dtype=dtype, **kwargs), dtype=dtype, **rnn_kwargs)
    outs_f = fused(x, mask=mask)
    outs_p = plain(x, mask=mask)
    weights = [w + rng.uniform(-0.3, 0.3, w.shape).astype(w.dtype)
               for w in fused.get_weights()]   # nonzero biases
    fused.set_weights(weights)
    plain.set_weights(weights)
    return x, outs_f, outs_p, fused, plain


def tol(dtype):
    return dict(rtol=1e-9, atol=1e-10) if dtype == 'float64' else dict(rtol=1e-4, atol=2e-6)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('masked', [False, True])
@pytest.mark.parametrize('go_backwards', [False, True])
@pytest.mark.parametrize('cell_cls,kwargs', CELLS, ids=IDS)
def test_fused_matches_generic(cell_cls, kwargs, go_backwards, masked, dtype):
    mask = None
    values = rng.uniform(-1, 1, (B, T, F)).astype(dtype)
    feeds = [values]
    if masked:
        mask = K.placeholder((None, T), dtype='bool')
    x, outs_f, outs_p, fused, plain = pair(cell_cls, kwargs, dtype, return_sequences=True,
                                           return_state=True, go_backwards=go_backwards,
                                           mask=mask)
    inputs = [x] + ([mask] if masked else [])
    if masked:
        m = np.ones((B, T), dtype=bool)
        m[0, :2] = False        # leading masked steps: zero output, state carried
        m[1, 3] = False
        m[2, -1] = False
        feeds.append(m)
    assert 'recurrent_loop' in ops_in(outs_f) and 'recurrent_loop' not in ops_in(outs_p)
    got = K.function(inputs, outs_f)(feeds)
    want = K.function(inputs, outs_p)(feeds)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, **tol(dtype))
    # Gradients of a loss reading every output (sequence and final states).
    seeds = [K.constant(rng.uniform(-1, 1, K.int_shape(o)[1:]), dtype=dtype) for o in outs_f]

    def grads(outs, layer):
        loss = sum(K.sum(o * s) for o, s in zip(outs, seeds))
        return K.gradients(loss, [x] + layer.trainable_weights)
    gf = K.function(inputs, grads(outs_f, fused))(feeds)
    gp = K.function(inputs, grads(outs_p, plain))(feeds)
    for g, w in zip(gf, gp):
        np.testing.assert_allclose(g, w, **tol(dtype))


@pytest.mark.parametrize('cell_cls,kwargs', CELLS[::2], ids=IDS[::2])
def test_gradients_reach_initial_states(cell_cls, kwargs):
    n_states = 2 if cell_cls is LSTMCell else 1
    x = K.placeholder((None, T, F), dtype='float64')
    states = [K.placeholder((None, U), dtype='float64') for _ in range(n_states)]
    fused = layers.RNN(cell_cls(U, dtype='float64', **kwargs), dtype='float64')
    plain = layers.RNN(PLAIN[cell_cls](U, dtype='float64', **kwargs), dtype='float64')
    out_f = fused(x, initial_state=states)
    out_p = plain(x, initial_state=states)
    plain.set_weights(fused.get_weights())
    feeds = [rng.uniform(-1, 1, (B, T, F))] + [rng.uniform(-1, 1, (B, U))
                                                for _ in range(n_states)]
    gf = K.function([x] + states, K.gradients(K.sum(out_f * out_f), states))(feeds)
    gp = K.function([x] + states, K.gradients(K.sum(out_p * out_p), states))(feeds)
    for g, w in zip(gf, gp):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize('masked_backwards', [False, True])
@pytest.mark.parametrize('dropout,recurrent_dropout', [(0.4, 0.0), (0.0, 0.4), (0.3, 0.5)])
@pytest.mark.parametrize('cell_cls,kwargs', CELLS, ids=IDS)
def test_dropout_uses_the_same_masks(cell_cls, kwargs, dropout, recurrent_dropout,
                                     masked_backwards):
    """Input and recurrent dropout: the fused loop and the cell's own step,
    with the same masks, give the same outputs and gradients (inputs,
    kernels, biases), also with a time mask and go_backwards."""
    cell = cell_cls(U, dropout=dropout, recurrent_dropout=recurrent_dropout, dtype='float64',
                    **kwargs)
    cell.build((None, F))
    x = K.placeholder((None, T, F), dtype='float64')
    h0 = [K.zeros_like(x[:, 0, :1]) + np.zeros((1, U)) for _ in range(len(cell.state_size)
                                                                  if cell_cls is LSTMCell
                                                                  else 1)]
    mask = None
    if masked_backwards:
        m = np.ones((B, T), dtype=bool)
        m[0, :2] = False
        m[1, 3] = False
        mask = K.constant(m, dtype='bool')
    prime_dropout([cell], K.zeros_like(x[:, 0, :1]), h0, True)
    try:
        fused = fused_sequence(cell, x, h0, mask, masked_backwards)
        generic = K.rnn(lambda xt, s: cell.call(xt, s, training=True), x, h0,
                        go_backwards=masked_backwards, mask=mask)
    finally:
        clear_dropout([cell])
    assert fused is not None
    weights = [cell.kernel, cell.recurrent_kernel, cell.bias]
    loss_f, loss_p = K.sum(fused[1] ** 2), K.sum(generic[1] ** 2)
    f = K.function([x], [fused[1], generic[1]] + K.gradients(loss_f, [x] + weights) +
                   K.gradients(loss_p, [x] + weights))
    K.set_value(cell.bias, rng.uniform(-0.3, 0.3, K.int_shape(cell.bias)))
    values = f([rng.uniform(-1, 1, (B, T, F))])
    out_f, out_p, got, want = values[0], values[1], values[2:6], values[6:]
    np.testing.assert_allclose(out_f, out_p, rtol=1e-9, atol=1e-10)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-10)
    if dropout and cell._gates == 1:
        assert np.any(got[0] == 0)     # dropped inputs get no gradient (one mask per input)


def test_stateful_fused_layer_matches_generic():
    x = rng.uniform(-1, 1, (3, 2, T, F)).astype('float32')   # three batches of two
    fused = models.Sequential([layers.LSTM(U, stateful=True, batch_input_shape=(2, T, F))])
    plain = models.Sequential([layers.RNN(PlainLSTMCell(U), stateful=True,
                                          batch_input_shape=(2, T, F))])
    plain.set_weights(fused.get_weights())
    for batch in x:
        np.testing.assert_allclose(fused.predict(batch), plain.predict(batch), rtol=1e-4,
                                   atol=2e-6)
    np.testing.assert_allclose(K.get_value(fused.layers[0].states[1]),
                               K.get_value(plain.layers[0].states[1]), rtol=1e-4, atol=2e-6)


def test_which_layers_take_the_fused_loop():
    x = layers.Input((T, F))

    def uses_fused(layer):
        return 'recurrent_loop' in ops_in([layer(x)])
    assert uses_fused(layers.LSTM(U))
    assert uses_fused(layers.LSTM(U, implementation=1, dropout=0.3))
    assert uses_fused(layers.GRU(U, reset_after=True, use_bias=False))
    assert uses_fused(layers.SimpleRNN(U, activation='linear'))
    assert uses_fused(layers.LSTM(U, dropout=0.2, recurrent_dropout=0.3))
    assert uses_fused(layers.GRU(U, recurrent_dropout=0.3))
    # Generic K.rnn: unrolled, a custom activation, a subclassed cell, stacked cells.
    assert not uses_fused(layers.GRU(U, unroll=True))
    assert not uses_fused(layers.SimpleRNN(U, activation=lambda v: K.tanh(v) * 2))
    assert not uses_fused(layers.SimpleRNN(U, activation='softsign'))
    assert not uses_fused(layers.RNN(PlainGRUCell(U)))
    assert not uses_fused(layers.RNN([LSTMCell(U), LSTMCell(U)]))


def test_fused_lstm_model_trains():
    data = rng.uniform(-1, 1, (32, T, F)).astype('float32')
    target = data.sum(axis=(1, 2))[:, None] / 10
    model = models.Sequential([layers.LSTM(8, input_shape=(T, F)), layers.Dense(1)])
    model.compile('adam', 'mse')
    before = model.evaluate(data, target, verbose=0)
    model.fit(data, target, epochs=20, batch_size=8, verbose=0)
    assert model.evaluate(data, target, verbose=0) < 0.5 * before


def test_loop_ops_refuse_bad_inputs():
    xw = K.placeholder((None, T, 4 * U))
    u = K.placeholder((U, 4 * U))
    h0 = K.placeholder((None, U))
    with pytest.raises(ValueError, match=r'recurrent_loop: xw should have shape'):
        K.lstm_sequence(K.placeholder((None, T, 3 * U)), u, [h0, h0])
    with pytest.raises(ValueError, match=r'recurrent_loop: h0 should have shape'):
        K.lstm_sequence(xw, u, [K.placeholder((None, U + 1)), h0])
    with pytest.raises(ValueError, match=r'recurrent_loop: activation must be one of'):
        K.lstm_sequence(xw, u, [h0, h0], activation='softsign')
    with pytest.raises(ValueError, match=r'recurrent_loop: a lstm loop takes 4 inputs'):
        K.lstm_sequence(xw, u, [h0])
    with pytest.raises(ValueError, match=r'recurrent_loop: mask should have shape'):
        K.lstm_sequence(xw, u, [h0, h0], mask=K.placeholder((None, T + 1), dtype='bool'))
    with pytest.raises(ValueError, match=r'a recurrent bias belongs to a GRU with reset_after'):
        K.gru_sequence(K.placeholder((None, T, 3 * U)), K.placeholder((U, 3 * U)), h0,
                       recurrent_bias=K.placeholder((3 * U,)))
    with pytest.raises(ValueError, match=r'lstm_sequence: xw must be a float tensor'):
        K.lstm_sequence(K.placeholder((None, T, 4 * U), dtype='int32'), u, [h0, h0])


def test_second_derivatives_are_refused_clearly():
    xw = K.placeholder((None, T, U), dtype='float64')
    u = K.variable(rng.uniform(-1, 1, (U, U)), dtype='float64')
    h0 = K.placeholder((None, U), dtype='float64')
    g = K.gradients(K.sum(K.simple_rnn_sequence(xw, u, h0)[1]), [u])[0]
    with pytest.raises(NotImplementedError, match='recurrent_loop_backprop'):
        K.gradients(K.sum(g), [u])
