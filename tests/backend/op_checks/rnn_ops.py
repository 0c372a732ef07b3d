"""Checks for the symbolic time loop of K.rnn: rnn_scan (forward and its
backpropagation-through-time gradient by finite differences) and the ops of
that gradient, against a numpy tanh RNN."""
import numpy as np

from kback import backend as K

rng = np.random.RandomState(5)


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape)


def np_rnn(x, h0, W, U, mask=None):
    h, outs = h0, []
    out = np.zeros_like(h0)
    for t in range(x.shape[1]):
        new = np.tanh(x[:, t] @ W + h @ U)
        if mask is not None:
            m = mask[:, t:t + 1].astype(x.dtype)
            h = m * new + (1 - m) * h
            out = m * new + (1 - m) * out
        else:
            h = out = new
        outs.append(out)
    return np.stack(outs, axis=1)


def k_rnn(x, h0, W, U, mask=None, **kwargs):
    def step(xt, states):
        h = K.tanh(K.dot(xt, W) + K.dot(states[0], U))
        return h, [h]
    return K.rnn(step, x, [h0], mask=mask, **kwargs)


def np_grad_W(x, h0, W, U, c, eps=1e-6):
    g = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        Wp, Wm = W.copy(), W.copy()
        Wp[i] += eps
        Wm[i] -= eps
        g[i] = (np.sum(np_rnn(x, h0, Wp, U) * c) - np.sum(np_rnn(x, h0, Wm, U) * c)) / (2 * eps)
    return g


_c = r(2, 4, 3)

CHECKS = {
    'rnn_scan': [
        dict(build=lambda x, h0, W, U: k_rnn(x, h0, W, U)[1],
             inputs=[r(2, 4, 2), r(2, 3), r(2, 3), r(3, 3)], reference=np_rnn),
        dict(build=lambda x, h0, W, U, m: k_rnn(x, h0, W, U, mask=m)[1],
             inputs=[r(2, 4, 2), r(2, 3), r(2, 3), r(3, 3),
                     np.array([[1, 1, 0, 0], [1, 1, 1, 0]], dtype=bool)],
             reference=np_rnn)],
    'rnn_scan_grad': [
        dict(build=lambda x, h0, W, U: K.gradients(K.sum(k_rnn(x, h0, W, U)[1] * _c), [W])[0],
             inputs=[r(2, 4, 2), r(2, 3), r(2, 3), r(3, 3)], grad=[],
             reference=lambda x, h0, W, U: np_grad_W(x, h0, W, U, _c), rtol=1e-5,
             atol=1e-6)],
    'rnn_scan_piece': [
        dict(build=lambda x, h0, W, U: K.gradients(K.sum(k_rnn(x, h0, W, U)[0]), [h0])[0],
             inputs=[r(1, 2, 1), r(1, 1), r(1, 1), r(1, 1)], grad=[],
             reference=lambda x, h0, W, U: np.array([[
                 (1 - np.tanh(x[0, 1, 0] * W[0, 0] + np.tanh(x[0, 0, 0] * W[0, 0]
                                                             + h0[0, 0] * U[0, 0]) * U[0, 0]) ** 2)
                 * U[0, 0] * (1 - np.tanh(x[0, 0, 0] * W[0, 0] + h0[0, 0] * U[0, 0]) ** 2)
                 * U[0, 0]]]))],
}
