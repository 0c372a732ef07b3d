"""Checks for the fused recurrent loops (recurrent_loop, its backward
recurrent_loop_backprop) and the `output` op of multi-output nodes, against
numpy LSTM / GRU / SimpleRNN steps written from Keras 2.3's cells, with a
float64 finite-difference check of every input's gradient (sequences, final
states, masks, go_backwards)."""
import numpy as np

from kback import backend as K

rng = np.random.RandomState(11)
B, T, H = 2, 4, 3


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0, 1)


def _loop(step, xw, states, mask, backwards):
    """Keras's loop: masked steps keep the states and repeat the output."""
    out = np.zeros_like(states[0])
    outs = []
    steps = range(xw.shape[1])
    for t in (reversed(steps) if backwards else steps):
        new_out, new_states = step(xw[:, t], states)
        m = np.ones((xw.shape[0], 1)) if mask is None else mask[:, t:t + 1].astype(float)
        states = [m * n + (1 - m) * s for n, s in zip(new_states, states)]
        out = m * new_out + (1 - m) * out
        outs.append(out)
    return np.stack(outs, axis=1), states


def _rdrop(width):
    """Recurrent dropout masks as the cells make them: 0 or 1 / (1 - 0.3)."""
    return (rng.rand(B, width) > 0.3) / 0.7


def _rec(h, u, rec):
    """h @ u, each gate's H columns from h times that gate's mask (Keras 2.3's
    cells with recurrent dropout)."""
    if rec is None:
        return h @ u
    return np.concatenate([(h * rec[:, k * H:(k + 1) * H]) @ u[:, k * H:(k + 1) * H]
                           for k in range(u.shape[1] // H)], axis=1)


def np_lstm(xw, u, h0, c0, mask=None, backwards=False, ract=sigmoid, rec=None):
    def step(x, states):
        h, c = states
        z = x + _rec(h, u, rec)
        i, f, g, o = ract(z[:, :H]), ract(z[:, H:2 * H]), np.tanh(z[:, 2 * H:3 * H]), \
            ract(z[:, 3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        return h, [h, c]
    outs, (h, c) = _loop(step, xw, [h0, c0], mask, backwards)
    return np.concatenate([outs, h[:, None], c[:, None]], axis=1)


def np_gru(xw, u, h0, brec=None, mask=None, backwards=False, reset_after=False, rec=None):
    def step(x, states):
        h = states[0]
        if reset_after:
            inner = _rec(h, u, rec) + (0 if brec is None else brec)
            z = sigmoid(x[:, :H] + inner[:, :H])
            rr = sigmoid(x[:, H:2 * H] + inner[:, H:2 * H])
            hh = np.tanh(x[:, 2 * H:] + rr * inner[:, 2 * H:])
        else:
            inner = _rec(h, u[:, :2 * H], None if rec is None else rec[:, :2 * H])
            z = sigmoid(x[:, :H] + inner[:, :H])
            rr = sigmoid(x[:, H:2 * H] + inner[:, H:])
            h_h = h if rec is None else h * rec[:, 2 * H:]
            hh = np.tanh(x[:, 2 * H:] + (rr * h_h) @ u[:, 2 * H:])
        h = z * h + (1 - z) * hh
        return h, [h]
    outs, (h,) = _loop(step, xw, [h0], mask, backwards)
    return np.concatenate([outs, h[:, None]], axis=1)


def np_simple(xw, u, h0, mask=None, backwards=False, rec=None):
    def step(x, states):
        h = np.tanh(x + _rec(states[0], u, rec))
        return h, [h]
    outs, (h,) = _loop(step, xw, [h0], mask, backwards)
    return np.concatenate([outs, h[:, None]], axis=1)


def k_lstm(xw, u, h0, c0, mask=None, go_backwards=False, recurrent_activation='sigmoid',
           bias=None):
    _, outs, (h, c) = K.lstm_sequence(xw, u, [h0, c0], mask=mask, go_backwards=go_backwards,
                                      recurrent_activation=recurrent_activation, bias=bias)
    return K.concatenate([outs, K.expand_dims(h, 1), K.expand_dims(c, 1)], axis=1)


def k_gru(xw, u, h0, brec=None, mask=None, go_backwards=False, reset_after=False, bias=None):
    _, outs, (h,) = K.gru_sequence(xw, u, h0, recurrent_bias=brec, mask=mask,
                                   go_backwards=go_backwards, reset_after=reset_after, bias=bias)
    return K.concatenate([outs, K.expand_dims(h, 1)], axis=1)


def k_simple(xw, u, h0, mask=None, go_backwards=False, bias=None):
    _, outs, (h,) = K.simple_rnn_sequence(xw, u, h0, mask=mask, go_backwards=go_backwards,
                                          bias=bias)
    return K.concatenate([outs, K.expand_dims(h, 1)], axis=1)


# The first row is masked at its first step (its output starts at zero, its
# state at h0), the second at its last.
_mask = np.array([[0, 1, 1, 0], [1, 1, 1, 0]], dtype=bool)
_weights = r(B, T + 2, H)


def _numeric_grad_u(fn, args, index, eps=1e-6):
    g = np.zeros_like(args[index])
    for i in np.ndindex(g.shape):
        plus, minus = [a.copy() for a in args], [a.copy() for a in args]
        plus[index][i] += eps
        minus[index][i] -= eps
        g[i] = (np.sum(fn(*plus) * _weights) - np.sum(fn(*minus) * _weights)) / (2 * eps)
    return g


CHECKS = {
    'recurrent_loop': [
        dict(build=k_lstm, inputs=[r(B, T, 4 * H), r(H, 4 * H), r(B, H), r(B, H)],
             reference=np_lstm),
        dict(build=lambda xw, u, h0, c0, m: k_lstm(xw, u, h0, c0, m, go_backwards=True,
                                                   recurrent_activation='hard_sigmoid'),
             inputs=[r(B, T, 4 * H), r(H, 4 * H), r(B, H), r(B, H), _mask],
             reference=lambda xw, u, h0, c0, m: np_lstm(xw, u, h0, c0, m, True, hard_sigmoid)),
        dict(build=lambda xw, u, h0, m: k_gru(xw, u, h0, mask=m),
             inputs=[r(B, T, 3 * H), r(H, 3 * H), r(B, H), _mask],
             reference=lambda xw, u, h0, m: np_gru(xw, u, h0, mask=m)),
        dict(build=lambda xw, u, h0, b, m: k_gru(xw, u, h0, b, m, True, True),
             inputs=[r(B, T, 3 * H), r(H, 3 * H), r(B, H), r(3 * H), _mask],
             reference=lambda xw, u, h0, b, m: np_gru(xw, u, h0, b, m, True, True)),
        dict(build=lambda xw, u, h0: k_gru(xw, u, h0, reset_after=True),
             inputs=[r(B, T, 3 * H), r(H, 3 * H), r(B, H)],
             reference=lambda xw, u, h0: np_gru(xw, u, h0, reset_after=True)),
        dict(build=k_simple, inputs=[r(B, T, H), r(H, H), r(B, H)], reference=np_simple),
        # the fused input bias: added to each row of xw inside the loop
        dict(build=lambda xw, u, b, h0, c0, m: k_lstm(xw, u, h0, c0, m, True, bias=b),
             inputs=[r(B, T, 4 * H), r(H, 4 * H), r(4 * H), r(B, H), r(B, H), _mask],
             reference=lambda xw, u, b, h0, c0, m: np_lstm(xw + b, u, h0, c0, m, True)),
        dict(build=lambda xw, u, b, h0: k_gru(xw, u, h0, bias=b),
             inputs=[r(B, T, 3 * H), r(H, 3 * H), r(3 * H), r(B, H)],
             reference=lambda xw, u, b, h0: np_gru(xw + b, u, h0)),
        dict(build=lambda xw, u, b, h0, br, m: k_gru(xw, u, h0, br, m, True, True, bias=b),
             inputs=[r(B, T, 3 * H), r(H, 3 * H), r(3 * H), r(B, H), r(3 * H), _mask],
             reference=lambda xw, u, b, h0, br, m: np_gru(xw + b, u, h0, br, m, True, True)),
        dict(build=lambda xw, u, b, h0, m: k_simple(xw, u, h0, m, bias=b),
             inputs=[r(B, T, H), r(H, H), r(H), r(B, H), _mask],
             reference=lambda xw, u, b, h0, m: np_simple(xw + b, u, h0, m)),
        # recurrent dropout masks (not differentiated): the state times the mask
        # enters the recurrent product
        dict(build=lambda xw, u, h0, rm: K.simple_rnn_sequence(
                 xw, u, h0, recurrent_dropout_masks=rm)[1],
             inputs=[r(B, T, H), r(H, H), r(B, H), _rdrop(H)], grad=[0, 1, 2],
             reference=lambda xw, u, h0, rm: np_simple(xw, u, h0, rec=rm)[:, :T]),
        dict(build=lambda xw, u, h0, c0, rm: K.lstm_sequence(
                 xw, u, [h0, c0], recurrent_dropout_masks=[rm[:, k * H:(k + 1) * H]
                                                           for k in range(4)])[1],
             inputs=[r(B, T, 4 * H), r(H, 4 * H), r(B, H), r(B, H), _rdrop(4 * H)],
             grad=[0, 1, 2, 3],
             reference=lambda xw, u, h0, c0, rm: np_lstm(xw, u, h0, c0, rec=rm)[:, :T]),
        dict(build=lambda xw, u, h0, m, rm: K.gru_sequence(
                 xw, u, h0, mask=m, go_backwards=True,
                 recurrent_dropout_masks=[rm[:, k * H:(k + 1) * H] for k in range(3)])[1],
             inputs=[r(B, T, 3 * H), r(H, 3 * H), r(B, H), _mask, _rdrop(3 * H)],
             grad=[0, 1, 2],
             reference=lambda xw, u, h0, m, rm: np_gru(xw, u, h0, mask=m, backwards=True,
                                                       rec=rm)[:, :T]),
        dict(build=lambda xw, u, h0, br, rm: K.gru_sequence(
                 xw, u, h0, recurrent_bias=br, reset_after=True,
                 recurrent_dropout_masks=[rm[:, k * H:(k + 1) * H] for k in range(3)])[1],
             inputs=[r(B, T, 3 * H), r(H, 3 * H), r(B, H), r(3 * H), _rdrop(3 * H)],
             grad=[0, 1, 2, 3],
             reference=lambda xw, u, h0, br, rm: np_gru(xw, u, h0, br, reset_after=True,
                                                        rec=rm)[:, :T]),
        dict(build=lambda xw, u, h0, m: k_simple(xw, u, h0, m, True),
             inputs=[r(B, T, H), r(H, H), r(B, H), _mask],
             reference=lambda xw, u, h0, m: np_simple(xw, u, h0, m, True))],
    # Its own check: the recurrent kernel's gradient against numpy's loop.
    'recurrent_loop_backprop': [
        dict(build=lambda xw, u, h0, c0, m: K.gradients(
                 K.sum(k_lstm(xw, u, h0, c0, m) * _weights), [u])[0],
             inputs=[r(B, T, 4 * H), r(H, 4 * H), r(B, H), r(B, H), _mask], grad=[],
             reference=lambda xw, u, h0, c0, m: _numeric_grad_u(
                 lambda *a: np_lstm(*a, mask=m), [xw, u, h0, c0], 1),
             rtol=1e-6, atol=1e-7)],
    'output': [
        dict(build=lambda xw, u, h0: K.simple_rnn_sequence(xw, u, h0)[2][0],
             inputs=[r(B, T, H), r(H, H), r(B, H)],
             reference=lambda xw, u, h0: np_simple(xw, u, h0)[:, -1])],
}
