"""The Keras 2.3 backend pieces of issue 13 besides CTC: K.get_value on any
tensor, K.in_top_k's TensorFlow rules, K.arange with tensor bounds, tensors
indexed by scalar int tensors, K.map_fn over a run-time number of elements,
K.rnn with states of rank > 2."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend.ops import apply
from gradcheck import check_op, numeric_grad

rng = np.random.RandomState(3)


# -- get_value ------------------------------------------------------------------------

def test_get_value_evaluates_any_tensor():
    v = K.variable([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(K.get_value(K.dot(v, v) + 1), [[8.0, 11.0], [16.0, 23.0]])
    assert K.get_value(K.constant(3, dtype='int32')) == 3
    got = K.batch_get_value([v, K.sum(v)])
    np.testing.assert_array_equal(got[0], [[1.0, 2.0], [3.0, 4.0]])
    assert got[1] == 10.0


def test_get_value_of_a_variable_is_a_copy():
    v = K.variable([1.0, 2.0])
    K.get_value(v)[0] = 9.0
    assert K.get_value(v)[0] == 1.0


def test_get_value_of_a_tensor_that_needs_a_feed_names_the_placeholder():
    x = K.placeholder((2,), name='fed_later')
    with pytest.raises(ValueError, match="placeholder 'fed_later'.*needed"):
        K.get_value(x * 2)


@pytest.mark.parametrize('bad', [np.ones(2), 3.0, 'x'])
def test_get_value_refuses_what_is_not_a_tensor(bad):
    with pytest.raises(TypeError, match='get_value'):
        K.get_value(bad)


# -- in_top_k: TensorFlow's rules ----------------------------------------------------------

@pytest.mark.parametrize('predictions, targets, k, expected', [
    # tf.math.in_top_k's documented example.
    ([[0.1, 0.3, 0.2, 0.4], [0.1, 0.2, 0.3, 0.4]], [3, 1], 1, [True, False]),
    # Classes tied with the k-th largest score all count as in the top k.
    ([[0.5, 0.5, 0.1], [0.2, 0.7, 0.7], [0.3, 0.3, 0.3]], [1, 1, 2], 1, [True, True, True]),
    ([[0.9, 0.5, 0.5, 0.1]], [2], 2, [True]),
    ([[0.9, 0.5, 0.5, 0.1]], [3], 3, [False]),
    # A row with a non-finite score, or a target outside the classes: False.
    ([[np.nan, 0.1, 0.2], [np.inf, 0.1, 0.2], [0.3, 0.1, 0.2]], [2, 2, 3], 3, [False] * 3),
    # k = 0 holds nothing; k >= classes holds every finite row's target.
    ([[0.1, 0.2]], [1], 0, [False]),
    ([[0.1, 0.2]], [0], 5, [True]),
])
def test_in_top_k_follows_tensorflow(predictions, targets, k, expected):
    out = K.in_top_k(K.constant(predictions), K.constant(targets, dtype='int32'), k)
    assert K.eval(out).tolist() == expected


# -- arange ---------------------------------------------------------------------------

@pytest.mark.parametrize('args, dtype', [((5,), 'int32'), ((2, 9, 3), 'int32'), ((9, 2, -2), 'int64'),
                                          ((0.5, 4, 0.5), 'float32'), ((-3,), 'int32'),
                                          ((1.5, 4.0, 1.0), 'int32')])
def test_arange_with_tensor_bounds_matches_tf_range(args, dtype):
    # tf.range counts in the bounds' own type, then Keras casts to dtype.
    expected = np.arange(*((0, max(args[0], 0)) if len(args) == 1 else args)).astype(dtype)
    for tensor_at in range(len(args)):
        holders, values, call = [], [], []
        for i, a in enumerate(args):
            if i == tensor_at:
                p = K.placeholder((), dtype='float32' if isinstance(a, float) else 'int32')
                holders.append(p)
                values.append(np.array(a))
                call.append(p)
            else:
                call.append(a)
        out = K.arange(*call, dtype=dtype)
        assert K.int_shape(out) == (None,) and K.dtype(out) == dtype
        got = K.function(holders, [out])(values)[0]
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == np.dtype(dtype)


def test_arange_of_a_run_time_size():
    x = K.placeholder((None, 2))
    out = K.arange(K.shape(x)[0])
    np.testing.assert_array_equal(K.function([x], [out])([np.zeros((6, 2))])[0], np.arange(6))


def test_arange_errors():
    with pytest.raises(ValueError, match=r'arange: stop must be a number or a scalar tensor'):
        K.arange(0, K.placeholder((3,), dtype='int32'))
    with pytest.raises(ValueError, match=r'arange: stop must be a scalar.*\(3,\)'):
        apply('arange', 0, K.placeholder((3,), dtype='int32'), 1, dtype='int32')
    with pytest.raises(ValueError, match='arange: start must be a number'):
        K.arange(K.placeholder((), dtype='bool'), 3)
    with pytest.raises(ValueError, match='arange: step must be a number or a scalar tensor'):
        K.arange(0, 3, 'a')
    step = K.placeholder((), dtype='int32')
    f = K.function([step], [K.arange(0, 4, step)])
    with pytest.raises(ValueError, match='arange: step must not be 0'):
        f([np.array(0)])
    with pytest.raises(ValueError, match='arange: step must not be 0'):
        K.arange(0, 4, 0)


# -- indexing with scalar int tensors --------------------------------------------------

A = np.arange(60.0).reshape(3, 4, 5)


@pytest.mark.parametrize('key', [
    lambda i: (i,), lambda i: (slice(None), i), lambda i: (Ellipsis, i), lambda i: (1, i),
    lambda i: (i, None, slice(1, 3), 2), lambda i: (i, i), lambda i: (slice(None), None, i, -1)])
@pytest.mark.parametrize('index', [0, 2, -1])
def test_a_scalar_tensor_index_picks_at_run_time_as_numpy(key, index):
    i = K.placeholder((), dtype='int32')
    x = K.placeholder((None, 4, 5))
    out = x[key(i)]
    expected = A[key(index)]
    assert len(K.int_shape(out)) == expected.ndim
    np.testing.assert_array_equal(K.function([x, i], [out])([A, np.array(index)])[0], expected)


def test_gradient_through_a_tensor_index():
    i = K.constant(1, dtype='int32')
    check_op(lambda x: x[:, i] * x[i, None], [rng.uniform(-1, 1, (3, 3))],
             lambda a: a[:, 1] * a[1, None])


def test_a_tensor_index_must_be_an_int_scalar():
    x = K.placeholder((3, 4))
    with pytest.raises(TypeError, match=r'getitem: a tensor index must be an integer scalar.*\(2,\)'):
        x[K.placeholder((2,), dtype='int32')]
    with pytest.raises(TypeError, match='getitem: a tensor index must be an integer scalar.*float32'):
        x[K.placeholder(())]


def test_an_out_of_range_tensor_index_is_an_index_error():
    i = K.placeholder((), dtype='int32')
    f = K.function([i], [K.constant(A)[i]])
    with pytest.raises(IndexError, match='gather'):
        f([np.array(3)])


# -- map_fn over a run-time number of elements ------------------------------------------

def test_map_fn_over_arange_of_a_run_time_size_indexing_with_the_element():
    x = K.placeholder((None, 3), dtype='float64')
    w = K.variable(rng.uniform(-1, 1, 3), dtype='float64')
    out = K.map_fn(lambda i: x[i] * w * K.cast(i, 'float64') + x[-1], K.arange(K.shape(x)[0]))
    assert K.int_shape(out) == (None, 3)
    for n in (1, 4):
        a = rng.uniform(-1, 1, (n, 3))
        expected = a * K.get_value(w) * np.arange(n)[:, None] + a[-1]
        np.testing.assert_allclose(K.function([x], [out])([a])[0], expected, rtol=1e-12)


def test_map_fn_in_a_loop_has_the_gradient_of_the_unrolled_map():
    x = K.placeholder((None, 2, 3), dtype='float64')
    looped = K.map_fn(lambda m: K.dot(m, K.transpose(m)) * m[0, 0], x)
    a = rng.uniform(-1, 1, (4, 2, 3))
    r = rng.uniform(0.5, 1.5, (4, 2, 2))
    loss = K.sum(looped * K.constant(r, dtype='float64'))
    grad = K.function([x], K.gradients(loss, [x]))([a])[0]
    scalar = K.function([x], [loss])
    np.testing.assert_allclose(grad, numeric_grad(lambda arrs: float(scalar(arrs)[0]), [a], 0),
                               rtol=1e-6, atol=1e-8)
    fixed = K.placeholder((4, 2, 3), dtype='float64')
    unrolled = K.map_fn(lambda m: K.dot(m, K.transpose(m)) * m[0, 0], fixed)
    np.testing.assert_allclose(K.function([x], [looped])([a])[0],
                               K.function([fixed], [unrolled])([a])[0], rtol=1e-12)


def test_map_fn_in_a_loop_to_scalars_with_a_dtype():
    x = K.placeholder((None, 3))
    out = K.map_fn(lambda row: K.argmax(row, axis=0), x, dtype='int32')
    assert K.int_shape(out) == (None,) and K.dtype(out) == 'int32'
    a = rng.uniform(-1, 1, (5, 3)).astype('float32')
    np.testing.assert_array_equal(K.function([x], [out])([a])[0], a.argmax(1))


# -- K.rnn with states of rank > 2 --------------------------------------------------------

def _leaky_step(kernel):
    def step(x, states):
        h, c = states
        new_c = 0.5 * c + K.tanh(K.conv2d(x, kernel, padding='same'))
        new_h = new_c * K.sigmoid(h)
        return new_h * 2.0, [new_h, new_c]
    return step


def _np_leaky(x, h, c, conv):
    outs = []
    for t in range(x.shape[1]):
        c = 0.5 * c + np.tanh(conv(x[:, t]))
        h = c * (1 / (1 + np.exp(-h)))
        outs.append(2 * h)
    return np.stack(outs, 1), h, c


@pytest.mark.parametrize('unroll', [False, True])
@pytest.mark.parametrize('masked', [False, True])
@pytest.mark.parametrize('go_backwards', [False, True])
def test_rnn_with_rank_4_states_matches_numpy_and_unroll(unroll, masked, go_backwards):
    steps = 4
    x = K.placeholder((None, steps, 3, 3, 2), dtype='float64')
    h0 = K.placeholder((None, 3, 3, 1), dtype='float64')
    c0 = K.placeholder((None, 3, 3, 1), dtype='float64')
    kernel = K.variable(rng.uniform(-1, 1, (1, 1, 2, 1)), dtype='float64')
    mask = K.constant([[1, 1, 0, 1], [1, 0, 0, 1]], dtype='bool') if masked else None
    last, outs, (h, c) = K.rnn(_leaky_step(kernel), x, [h0, c0], go_backwards=go_backwards,
                               mask=mask, unroll=unroll)
    assert K.int_shape(outs)[1:] == (steps, 3, 3, 1)
    assert K.int_shape(h)[1:] == (3, 3, 1)
    a = rng.uniform(-1, 1, (2, steps, 3, 3, 2))
    ha, ca = rng.uniform(-1, 1, (2, 3, 3, 1)), rng.uniform(-1, 1, (2, 3, 3, 1))
    got = K.function([x, h0, c0], [last, outs, h, c])([a, ha, ca])
    w = K.get_value(kernel)[0, 0]
    order = range(steps)[::-1] if go_backwards else range(steps)
    m = np.array([[1, 1, 0, 1], [1, 0, 0, 1]]) if masked else np.ones((2, steps))
    hs, cs, prev, expected = ha, ca, np.zeros_like(ha), []
    for t in order:
        o, nh, nc = _np_leaky(a[:, t:t + 1], hs, cs, lambda v: v @ w)
        keep = m[:, t][:, None, None, None]
        hs, cs = keep * nh + (1 - keep) * hs, keep * nc + (1 - keep) * cs
        prev = keep * o[:, 0] + (1 - keep) * prev
        expected.append(prev)
    np.testing.assert_allclose(got[1], np.stack(expected, 1), rtol=1e-10)
    np.testing.assert_allclose(got[0], expected[-1], rtol=1e-10)
    np.testing.assert_allclose(got[2], hs, rtol=1e-10)
    np.testing.assert_allclose(got[3], cs, rtol=1e-10)


def test_rnn_with_rank_4_states_gradients_match_finite_differences():
    kernel = K.variable(rng.uniform(-1, 1, (3, 3, 2, 1)), dtype='float64')

    def build(x, h0, c0):
        _, outs, (h, c) = K.rnn(_leaky_step(kernel), x, [h0, c0])
        return outs + K.expand_dims(c, 1)
    check_op(build, [rng.uniform(-1, 1, (1, 3, 3, 3, 2)), rng.uniform(-1, 1, (1, 3, 3, 1)),
                     rng.uniform(-1, 1, (1, 3, 3, 1))])
    x = K.placeholder((1, 3, 3, 3, 2), dtype='float64')
    _, outs, _ = K.rnn(_leaky_step(kernel), x, [K.zeros((1, 3, 3, 1), dtype='float64')] * 2)
    loss = K.sum(outs * outs)
    a = rng.uniform(-1, 1, (1, 3, 3, 3, 2))
    g = K.function([x], K.gradients(loss, [kernel]))([a])[0]

    def at(w):
        K.set_value(kernel, w)
        return float(K.function([x], [loss])([a])[0])
    w0 = K.get_value(kernel)
    numeric = numeric_grad(lambda arrs: at(arrs[0]), [w0], 0)
    K.set_value(kernel, w0)
    np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8)


def test_rnn_loop_needs_known_state_dimensions():
    x = K.placeholder((None, None, 3))
    h0 = K.placeholder((None, None, 2))
    with pytest.raises(ValueError, match=r'rnn: the symbolic loop needs .*\(None, None, 2\)'):
        K.rnn(lambda xt, s: (s[0], s), x, [h0])
