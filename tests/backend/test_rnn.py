"""K.rnn: the symbolic loop and the unrolled graph against numpy, masks,
go_backwards, constants, unknown time dimension, gradients and errors."""
import numpy as np
import pytest

from kback import backend as K
from backend.op_checks.rnn_ops import np_rnn, k_rnn

rng = np.random.RandomState(1)


def arrays(batch=3, steps=5, features=2, units=4):
    return (rng.uniform(-1, 1, (batch, steps, features)), rng.uniform(-1, 1, (batch, units)),
            rng.uniform(-1, 1, (features, units)), rng.uniform(-1, 1, (units, units)))


def run(build, values, shapes=None):
    holders = [K.placeholder(shape=shapes[i] if shapes else v.shape, dtype='float64')
               if v.dtype.kind == 'f' else K.placeholder(shape=v.shape, dtype='bool')
               for i, v in enumerate(values)]
    outs = build(*holders)
    return K.function(holders, outs)(list(values))


@pytest.mark.parametrize('unroll', [False, True])
def test_forward_matches_numpy(unroll):
    x, h0, W, U = arrays()
    last, outs, states = run(lambda *t: (lambda r: [r[0], r[1], r[2][0]])(
        k_rnn(*t, unroll=unroll)), [x, h0, W, U])
    expected = np_rnn(x, h0, W, U)
    np.testing.assert_allclose(outs, expected, rtol=1e-10)
    np.testing.assert_allclose(last, expected[:, -1], rtol=1e-10)
    np.testing.assert_allclose(states, expected[:, -1], rtol=1e-10)


def test_unknown_time_dimension_runs_any_length():
    x, h0, W, U = arrays(steps=7)
    holders = [K.placeholder((None, None, 2), dtype='float64'),
               K.placeholder((None, 4), dtype='float64'),
               K.placeholder((2, 4), dtype='float64'), K.placeholder((4, 4), dtype='float64')]
    last, outs, states = k_rnn(*holders)
    assert K.int_shape(outs) == (None, None, 4) and K.int_shape(last) == (None, 4)
    f = K.function(holders, [outs])
    for steps in (1, 3, 7):
        np.testing.assert_allclose(f([x[:, :steps], h0, W, U])[0],
                                   np_rnn(x[:, :steps], h0, W, U), rtol=1e-10)


def test_unroll_needs_known_timesteps():
    x = K.placeholder((None, None, 2))
    with pytest.raises(ValueError, match='unroll'):
        k_rnn(x, K.placeholder((None, 4)), K.variable(np.ones((2, 4))),
              K.variable(np.ones((4, 4))), unroll=True)


@pytest.mark.parametrize('unroll', [False, True])
def test_go_backwards_reads_from_the_end(unroll):
    x, h0, W, U = arrays()
    outs = run(lambda *t: [k_rnn(*t, go_backwards=True, unroll=unroll)[1]], [x, h0, W, U])[0]
    np.testing.assert_allclose(outs, np_rnn(x[:, ::-1], h0, W, U), rtol=1e-10)


@pytest.mark.parametrize('unroll', [False, True])
def test_mask_keeps_states_and_repeats_outputs(unroll):
    x, h0, W, U = arrays()
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)
    last, outs, h = run(lambda x_, h_, w_, u_, m_: (lambda r: [r[0], r[1], r[2][0]])(
        k_rnn(x_, h_, w_, u_, mask=m_, unroll=unroll)), [x, h0, W, U, mask])
    expected = np_rnn(x, h0, W, U, mask)
    np.testing.assert_allclose(outs, expected, rtol=1e-10)
    # The first sample's last output and state are those of its third step.
    np.testing.assert_allclose(last[0], np_rnn(x[:1, :3], h0[:1], W, U)[0, -1], rtol=1e-10)
    np.testing.assert_allclose(h[0], last[0], rtol=1e-10)


def test_lstm_like_two_states_and_constants():
    x = rng.uniform(-1, 1, (2, 4, 3))
    c = rng.uniform(-1, 1, (2, 5))

    def step(xt, states):
        h, s, const = states
        new_s = s + K.sum(xt, axis=1, keepdims=True) + const[:, :1]
        new_h = K.tanh(new_s)
        return new_h, [new_h, new_s]

    for unroll in (False, True):
        xv, cv = K.placeholder((2, 4, 3), dtype='float64'), K.placeholder((2, 5), dtype='float64')
        z = K.zeros_like(xv[:, 0, :1])
        last, outs, (h, s) = K.rnn(step, xv, [z, z], constants=[cv], unroll=unroll)
        got = K.function([xv, cv], [outs, s])([x, c])
        expected_s = np.cumsum(x.sum(axis=2) + c[:, :1], axis=1)
        np.testing.assert_allclose(got[1][:, 0], expected_s[:, -1], rtol=1e-10)
        np.testing.assert_allclose(got[0][..., 0], np.tanh(expected_s), rtol=1e-10)


def test_loop_gradients_equal_unrolled_gradients():
    x, h0, W, U = arrays()
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 1, 0, 0, 0]], dtype=bool)
    weight = rng.uniform(0.5, 1.5, (3, 5, 4))
    grads = []
    for unroll in (False, True):
        def build(x_, h_, w_, u_, m_):
            last, outs, states = k_rnn(x_, h_, w_, u_, mask=m_, unroll=unroll)
            loss = K.sum(outs * weight) + K.sum(states[0] * 2.0)
            return K.gradients(loss, [x_, h_, w_, u_])
        grads.append(run(build, [x, h0, W, U, mask]))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_step_must_return_as_many_states():
    x = K.placeholder((2, 3, 2))
    with pytest.raises(ValueError, match='states'):
        K.rnn(lambda xt, s: (xt, [xt, xt]), x, [K.zeros((2, 2))])


def test_rejects_2d_inputs():
    with pytest.raises(ValueError, match='3D'):
        K.rnn(lambda xt, s: (xt, s), K.placeholder((2, 3)), [K.zeros((2, 3))])


def test_random_step_is_unrolled_when_it_can_be():
    def step(xt, states):
        h = states[0] + K.random_uniform(K.shape(xt)) * xt
        return h, [h]

    x = K.placeholder((None, 3, 4))
    last, outs, _ = K.rnn(step, x, [K.zeros_like(x[:, 0])])
    assert 'rnn_scan' not in {n.op for n in __import__('kback.backend.graph_state',
                                                       fromlist=['x']).reachable([last])}
    g = K.gradients(K.sum(last), [x])[0]
    assert K.int_shape(g) == (None, 3, 4)
