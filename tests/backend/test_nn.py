"""K nn functions: activations, losses, dropout, normalisation, top-k, bias."""
import numpy as np
import pytest

from kback import backend as K
from gradcheck import check_op

rng = np.random.RandomState(0)


def r(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape)


def away_from(values, kinks, margin=0.05):
    """values nudged so that none lies within margin of a kink."""
    values = np.array(values, dtype=np.float64)
    for k in kinks:
        close = np.abs(values - k) < margin
        values[close] = k + np.where(values[close] >= k, margin, -margin) * 2
    return values


# -- numpy references -------------------------------------------------------------

def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def np_relu(x, alpha=0., max_value=None, threshold=0.):
    """The documented formula (threshold >= 0)."""
    top = np.inf if max_value is None else max_value
    return np.where(x >= top, top, np.where(x >= threshold, x, alpha * (x - threshold)))


def np_elu(x, alpha=1.):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def np_sigmoid(x):
    return np.exp(-np.logaddexp(0, -x))


EPS = 1e-7


def np_cce(t, p, axis=-1):
    p = p / p.sum(axis=axis, keepdims=True)
    return -(t * np.log(np.clip(p, EPS, 1 - EPS))).sum(axis=axis)


def np_cce_logits(t, z, axis=-1):
    return -(t * np_log_softmax(z, axis)).sum(axis=axis)


def np_scce(t, p, from_logits=False, axis=-1):
    p = np.moveaxis(p, axis, -1)
    logits = p if from_logits else np.log(np.clip(p, EPS, 1 - EPS))
    logp = np_log_softmax(logits.reshape(-1, p.shape[-1]))
    labels = t.reshape(-1).astype(np.int64)
    res = -logp[np.arange(len(labels)), labels]
    return res.reshape(p.shape[:-1]) if p.ndim >= 3 else res


def np_bce(t, p, from_logits=False):
    if not from_logits:
        p = np.clip(p, EPS, 1 - EPS)
        p = np.log(p / (1 - p))
    return np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))


def np_l2_normalize(x, axis=None):
    return x / np.sqrt(np.maximum((x ** 2).sum(axis=axis, keepdims=True), 1e-12))


def np_in_top_k(p, t, k):
    target = p[np.arange(len(t)), t]
    return (p > target[:, None]).sum(axis=1) < k


def np_bn(x, mean, var, beta, gamma, eps=1e-3):
    out = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        out = out * gamma
    return out if beta is None else out + beta


# -- activations ------------------------------------------------------------------

_X = away_from(r(3, 4, low=-3.5, high=3.5), [0.0, 0.5, 2.0, 2.5, -2.5])

ACTIVATIONS = [
    ('relu', K.relu, np_relu),
    ('relu_alpha', lambda x: K.relu(x, alpha=0.2), lambda x: np_relu(x, 0.2)),
    ('relu_max', lambda x: K.relu(x, max_value=2.0), lambda x: np_relu(x, max_value=2.0)),
    ('relu_threshold', lambda x: K.relu(x, threshold=0.5), lambda x: np_relu(x, threshold=0.5)),
    ('relu_all', lambda x: K.relu(x, alpha=0.3, max_value=2.0, threshold=0.5),
     lambda x: np_relu(x, 0.3, 2.0, 0.5)),
    ('relu_leaky_big_alpha', lambda x: K.relu(x, alpha=1.5), lambda x: np_relu(x, 1.5)),
    ('elu', K.elu, np_elu),
    ('elu_alpha', lambda x: K.elu(x, 0.5), lambda x: np_elu(x, 0.5)),
    ('selu', K.selu, lambda x: 1.0507009873554805 * np_elu(x, 1.6732632423543772)),
    ('softmax', K.softmax, np_softmax),
    ('softmax_axis0', lambda x: K.softmax(x, axis=0), lambda x: np_softmax(x, 0)),
    ('softplus', K.softplus, lambda x: np.log1p(np.exp(x))),
    ('softsign', K.softsign, lambda x: x / (1 + np.abs(x))),
    ('sigmoid', K.sigmoid, np_sigmoid),
    ('hard_sigmoid', K.hard_sigmoid, lambda x: np.clip(0.2 * x + 0.5, 0, 1)),
    ('tanh', K.tanh, np.tanh),
]


@pytest.mark.parametrize('name, fn, ref', ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_forward_and_gradient(name, fn, ref):
    check_op(fn, [_X], ref)


def test_relu_negative_threshold_follows_keras_composition():
    # x * (x > threshold), clipped to [0, max_value] only when max_value is given.
    x = np.array([-2.0, -0.5, 0.5, 3.0])
    np.testing.assert_allclose(K.eval(K.relu(K.constant(x), threshold=-1.0)), [0, -0.5, 0.5, 3.0])
    np.testing.assert_allclose(K.eval(K.relu(K.constant(x), max_value=2.0, threshold=-1.0)),
                               [0, 0, 0.5, 2.0])
    np.testing.assert_allclose(K.eval(K.relu(K.constant(x), alpha=0.5, threshold=-1.0)),
                               [-0.5, -0.5, 0.5, 3.0])


def test_activations_accept_numpy_and_ints():
    np.testing.assert_allclose(K.eval(K.relu(np.array([-1.0, 2.0]))), [0, 2])
    out = K.sigmoid(K.constant([0, 1], dtype='int32'))
    assert K.dtype(out) == 'float32'
    np.testing.assert_allclose(K.eval(out), np_sigmoid(np.array([0.0, 1.0])), rtol=1e-6)


def test_softmax_is_stable_for_large_logits():
    x = np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 999.0], [-1e4, -1e4, -1e4]])
    for dtype in ('float32', 'float64'):
        value = K.eval(K.softmax(K.constant(x, dtype=dtype)))
        assert np.all(np.isfinite(value))
        np.testing.assert_allclose(value, np_softmax(x), rtol=1e-6, atol=1e-7)
    t = np.eye(3)[[2, 0, 1]]
    loss = K.eval(K.categorical_crossentropy(K.constant(t), K.constant(x), from_logits=True))
    np.testing.assert_allclose(loss, np_cce_logits(t, x), rtol=1e-6)
    assert loss[0] == pytest.approx(2000.0)


def test_softmax_float16_keeps_dtype():
    out = K.softmax(K.constant(r(2, 3), dtype='float16'))
    assert K.dtype(out) == 'float16'
    assert K.eval(out).dtype == np.float16


def test_softmax_second_derivative():
    # The gradient of softmax is itself differentiable: check it against finite
    # differences of the analytic gradient.
    x = r(2, 4)
    w = rng.uniform(0.5, 1.5, size=(2, 4))

    def first_grad(t):
        return K.gradients(K.sum(K.softmax(t) * K.constant(w, dtype='float64')), [t])[0]

    def np_first_grad(a):
        s = np_softmax(a)
        return s * (w - (w * s).sum(axis=-1, keepdims=True))

    check_op(first_grad, [x], np_first_grad)


def test_second_derivative_through_crossentropy_from_logits():
    t = np.eye(4)[[1, 3]]
    z = r(2, 4)

    def first_grad(a):
        loss = K.sum(K.categorical_crossentropy(K.constant(t, dtype='float64'), a, from_logits=True))
        return K.gradients(loss, [a])[0]

    check_op(first_grad, [z], lambda a: np_softmax(a) - t)


def test_elu_second_derivative():
    x = away_from(r(3, 3), [0.0])
    check_op(lambda a: K.gradients(K.sum(K.elu(a, 0.7)), [a])[0], [x],
             lambda a: np.where(a > 0, 1.0, 0.7 * np.exp(a)))


def test_activation_errors():
    with pytest.raises(ValueError, match='softmax'):
        K.softmax(K.placeholder((2, 3)), axis=2)
    with pytest.raises(ValueError, match='softmax'):
        K.softmax(K.placeholder((2, 3)), axis=-3)


# -- categorical crossentropy ------------------------------------------------------

def _probs(*shape, axis=-1):
    return np_softmax(r(*shape), axis) * rng.uniform(0.8, 1.2)  # not normalised


def test_categorical_crossentropy_probabilities():
    t = np_softmax(r(4, 5))
    check_op(K.categorical_crossentropy, [t, _probs(4, 5)], np_cce)


def test_categorical_crossentropy_logits():
    t = np_softmax(r(4, 5))
    check_op(lambda a, b: K.categorical_crossentropy(a, b, from_logits=True), [t, r(4, 5)],
             np_cce_logits)


@pytest.mark.parametrize('from_logits', [False, True])
def test_categorical_crossentropy_channels_first_axis(from_logits):
    t = np_softmax(r(2, 3, 4), 1)
    out = r(2, 3, 4) if from_logits else _probs(2, 3, 4, axis=1)
    ref = (lambda a, b: np_cce_logits(a, b, 1)) if from_logits else (lambda a, b: np_cce(a, b, 1))
    value = check_op(lambda a, b: K.categorical_crossentropy(a, b, from_logits, axis=1),
                     [t, out], ref)
    assert value.shape == (2, 4)


def test_categorical_crossentropy_clips_zero_probabilities():
    t = np.array([[0.0, 1.0, 0.0]])
    p = np.array([[1.0, 0.0, 0.0]])
    value = K.eval(K.categorical_crossentropy(K.constant(t), K.constant(p)))
    np.testing.assert_allclose(value, [-np.log(1e-7)], rtol=1e-5)


def test_categorical_crossentropy_errors():
    with pytest.raises(ValueError, match=r'categorical_crossentropy.*\(2, 3\).*\(2, 4\)'):
        K.categorical_crossentropy(K.placeholder((2, 3)), K.placeholder((2, 4)))
    with pytest.raises(ValueError, match='categorical_crossentropy'):
        K.categorical_crossentropy(K.placeholder((2, 3)), K.placeholder((2, 3)), axis=2)


# -- sparse categorical crossentropy ----------------------------------------------

@pytest.mark.parametrize('from_logits', [False, True])
@pytest.mark.parametrize('target_shape', [(4,), (4, 1)])
def test_sparse_categorical_crossentropy_2d(from_logits, target_shape):
    labels = np.array([0, 2, 1, 4]).reshape(target_shape)
    out = r(4, 5) if from_logits else np_softmax(r(4, 5))
    value = check_op(lambda a, b: K.sparse_categorical_crossentropy(a, b, from_logits),
                     [labels, out], lambda a, b: np_scce(a, b, from_logits))
    assert value.shape == (4,)


def test_sparse_categorical_crossentropy_float_labels_and_3d():
    labels = np.array([[0.0, 2.0, 1.0], [2.0, 2.0, 0.0]])
    out = np_softmax(r(2, 3, 3))
    value = check_op(K.sparse_categorical_crossentropy, [labels, out], np_scce, grad_wrt=[1])
    assert value.shape == (2, 3)
    # A trailing 1 on the labels gives the same result shape.
    value2 = check_op(K.sparse_categorical_crossentropy, [labels[..., None], out], np_scce,
                      grad_wrt=[1])
    np.testing.assert_allclose(value2, value)


@pytest.mark.parametrize('from_logits', [False, True])
def test_sparse_categorical_crossentropy_channels_first(from_logits):
    labels = rng.randint(0, 4, size=(2, 3, 2))
    out = r(2, 4, 3, 2) if from_logits else np_softmax(r(2, 4, 3, 2), 1)
    value = check_op(lambda a, b: K.sparse_categorical_crossentropy(a, b, from_logits, axis=1),
                     [labels, out], lambda a, b: np_scce(a, b, from_logits, axis=1))
    assert value.shape == (2, 3, 2)


def test_sparse_categorical_crossentropy_matches_dense_version():
    labels = np.array([3, 0, 1])
    p = np_softmax(r(3, 4))
    dense = K.eval(K.categorical_crossentropy(K.constant(np.eye(4)[labels]), K.constant(p)))
    sparse = K.eval(K.sparse_categorical_crossentropy(K.constant(labels, dtype='int32'), K.constant(p)))
    np.testing.assert_allclose(sparse, dense, rtol=1e-5)


def test_sparse_categorical_crossentropy_none_dims_float32():
    t = K.placeholder((None, None), dtype='int32')
    o = K.placeholder((None, None, 5))
    out = K.sparse_categorical_crossentropy(t, o, from_logits=True)
    assert K.int_shape(out) == (None, None) and K.dtype(out) == 'float32'
    f = K.function([t, o], [out])
    for n, steps in ((2, 3), (4, 1)):
        ta = rng.randint(0, 5, size=(n, steps)).astype(np.int32)
        oa = r(n, steps, 5).astype(np.float32)
        value = f([ta, oa])[0]
        assert value.dtype == np.float32 and value.shape == (n, steps)
        np.testing.assert_allclose(value, np_scce(ta, oa.astype(float), True), rtol=1e-5)


def test_sparse_categorical_crossentropy_errors():
    with pytest.raises(ValueError, match=r'sparse_categorical_crossentropy.*\(3,\).*\(4, 5\)'):
        K.sparse_categorical_crossentropy(K.placeholder((3,), dtype='int32'), K.placeholder((4, 5)))
    with pytest.raises(ValueError, match='sparse_categorical_crossentropy.*classes'):
        K.sparse_categorical_crossentropy(K.placeholder((4,), dtype='int32'),
                                          K.placeholder((4, None)))
    with pytest.raises(ValueError, match='sparse_categorical_crossentropy'):
        K.sparse_categorical_crossentropy(K.placeholder((4,), dtype='int32'),
                                          K.placeholder((4, 5)), axis=3)


# -- binary crossentropy ---------------------------------------------------------------

def test_binary_crossentropy_probabilities():
    t = rng.uniform(0, 1, size=(3, 4))
    # 0.5 maps to the logit 0 exactly, where the gradient must still be right.
    p = rng.uniform(0.05, 0.95, size=(3, 4))
    p[0, :2] = 0.5
    check_op(K.binary_crossentropy, [t, p], np_bce)


def test_binary_crossentropy_logits():
    t = rng.uniform(0, 1, size=(3, 4))
    z = r(3, 4) * 3
    z[1, 1] = 0.0
    check_op(lambda a, b: K.binary_crossentropy(a, b, from_logits=True), [t, z],
             lambda a, b: np_bce(a, b, True))


def test_binary_crossentropy_extremes_are_finite():
    t = np.array([1.0, 0.0, 1.0, 0.0])
    p = np.array([0.0, 1.0, 1.0, 0.0])
    value = K.eval(K.binary_crossentropy(K.constant(t, 'float64'), K.constant(p, 'float64')))
    np.testing.assert_allclose(value, np_bce(t, p), rtol=1e-6)
    # float32: 1 - 1e-7 rounds, so the loss differs a little but stays finite.
    value32 = K.eval(K.binary_crossentropy(K.constant(t), K.constant(p)))
    np.testing.assert_allclose(value32, np_bce(t, p), rtol=0.02, atol=1e-6)
    big = K.eval(K.binary_crossentropy(K.constant(t), K.constant([800., -800., 800., -800.]),
                                       from_logits=True))
    np.testing.assert_allclose(big, [0, 0, 0, 0], atol=1e-6)


def test_binary_crossentropy_errors():
    with pytest.raises(ValueError, match=r'binary_crossentropy.*\(2, 3\).*\(2, 1\)'):
        K.binary_crossentropy(K.placeholder((2, 3)), K.placeholder((2, 1)))


# -- dropout ----------------------------------------------------------------------------

def test_dropout_statistics_and_scaling():
    x = np.ones((400, 250), dtype=np.float32)
    out = K.dropout(K.constant(x), 0.3)
    assert K.dtype(out) == 'float32'
    value = K.eval(out)
    assert value.dtype == np.float32
    dropped = np.mean(value == 0)
    assert abs(dropped - 0.3) < 0.01
    np.testing.assert_allclose(value[value != 0], 1 / 0.7, rtol=1e-6)


def test_dropout_masks_differ_between_calls_and_seed_reproduces():
    x = K.placeholder((None, 50))
    a = np.ones((4, 50))
    f = K.function([x], [K.dropout(x, 0.5, seed=3)])
    first, second = f([a])[0], f([a])[0]
    assert not np.array_equal(first, second)
    g = K.function([x], [K.dropout(x, 0.5, seed=3)])
    np.testing.assert_array_equal(g([a])[0], first)
    # None batch dimension: two batch sizes through one function.
    assert f([np.ones((7, 50))])[0].shape == (7, 50)


def test_dropout_noise_shape():
    x = K.placeholder((None, 6, 8))
    out = K.dropout(x, 0.5, noise_shape=(None, 1, 8))
    f = K.function([x], [out])
    for n in (3, 5):
        value = f([np.ones((n, 6, 8), dtype=np.float32)])[0]
        assert value.shape == (n, 6, 8)
        # One mask per (sample, channel), shared along axis 1.
        assert np.all(value == value[:, :1, :])
        assert set(np.unique(value)) <= {0.0, 2.0}
    # Symbolic entries (as Keras's Dropout layer passes) follow x.
    sym = K.dropout(x, 0.5, noise_shape=(K.shape(x)[0], 1, 1))
    value = K.function([x], [sym])([np.ones((20, 6, 8))])[0]
    assert np.all(value == value[:, :1, :1])


def test_dropout_gradient_is_the_mask():
    x = K.placeholder((None, 30), dtype='float64')
    y = K.dropout(x, 0.4)
    w = rng.uniform(0.5, 1.5, size=(5, 30))
    grad = K.gradients(K.sum(y * K.constant(w, dtype='float64')), [x])[0]
    a = rng.uniform(1, 2, size=(5, 30))
    yv, gv = K.function([x], [y, grad])([a])
    mask = yv / a
    assert set(np.round(np.unique(mask), 6)) <= {0.0, round(1 / 0.6, 6)}
    np.testing.assert_allclose(gv, w * mask, rtol=1e-12)


def test_dropout_level_zero_is_identity():
    a = r(3, 4)
    np.testing.assert_allclose(K.eval(K.dropout(K.constant(a), 0.0)), a.astype(np.float32))


def test_dropout_errors():
    x = K.placeholder((None, 4))
    for level in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match='dropout'):
            K.dropout(x, level)
    with pytest.raises(ValueError, match='dropout'):
        K.dropout(x, K.constant(0.5))
    with pytest.raises(ValueError, match=r'dropout.*\(None, 3\).*\(None, 4\)'):
        K.dropout(x, 0.5, noise_shape=(None, 3))
    with pytest.raises(ValueError, match='dropout'):
        K.dropout(x, 0.5, noise_shape=(1, 4, 1))
    # A size other than 1 where x's size is only known at run time.
    with pytest.raises(ValueError, match=r'dropout.*\(3, 4\).*\(None, 4\)'):
        K.dropout(x, 0.5, noise_shape=(3, 4))


# -- l2_normalize ------------------------------------------------------------------------

@pytest.mark.parametrize('axis', [None, 1, -1, [0, 2]])
def test_l2_normalize(axis):
    check_op(lambda a: K.l2_normalize(a, axis), [r(2, 3, 4)],
             lambda a: np_l2_normalize(a, None if axis is None else tuple(np.atleast_1d(axis))))


def test_l2_normalize_errors():
    with pytest.raises(ValueError, match='sum'):
        K.l2_normalize(K.placeholder((2, 3)), axis=2)


# -- in_top_k ----------------------------------------------------------------------------

@pytest.mark.parametrize('k', [1, 2, 3])
def test_in_top_k_with_ties(k):
    p = np.array([[0.1, 0.5, 0.5, 0.2], [0.3, 0.3, 0.3, 0.3], [0.9, 0.1, 0.4, 0.4],
                  [0.0, 1.0, 2.0, 3.0]])
    t = np.array([2, 0, 3, 1])
    check_op(lambda a, b: K.in_top_k(a, b, k), [p, t], lambda a, b: np_in_top_k(a, b, k),
             grad_wrt=[])


def test_in_top_k_out_of_range_and_non_finite_rows_are_false():
    p = np.array([[0.1, 0.9], [np.nan, 0.5], [0.2, np.inf], [0.3, 0.1]], dtype=np.float32)
    t = np.array([1, 1, 1, 2], dtype=np.int32)
    out = K.in_top_k(K.constant(p), K.constant(t, dtype='int32'), 1)
    value = K.eval(out)
    assert value.dtype == np.bool_
    np.testing.assert_array_equal(value, [True, False, False, False])


def test_in_top_k_errors():
    with pytest.raises(ValueError, match=r'in_top_k.*\(2, 3, 4\)'):
        K.in_top_k(K.placeholder((2, 3, 4)), K.placeholder((2,), dtype='int32'), 1)
    with pytest.raises(ValueError, match='in_top_k.*integers'):
        K.in_top_k(K.placeholder((2, 3)), K.placeholder((2,)), 1)
    with pytest.raises(ValueError, match=r'in_top_k.*\(2, 3\).*\(3,\)'):
        K.in_top_k(K.placeholder((2, 3)), K.placeholder((3,), dtype='int32'), 1)


# -- bias_add -------------------------------------------------------------------------------

def _np_bias_add(x, b, data_format):
    nd = x.ndim
    if b.ndim == 1:
        if data_format == 'channels_first' and nd in (3, 4, 5):
            return x + b.reshape((1, -1) + (1,) * (nd - 2))
        return x + b
    if data_format == 'channels_first' and nd in (3, 4, 5):
        # Keras reshapes (not transposes) a (..., C) bias to (1, C, ...).
        return x + b.reshape((1, b.shape[-1]) + b.shape[:-1])
    return x + b[None]


BIAS_CASES = [((2, 5), 1), ((2, 3, 4), 1), ((2, 3, 4), 2), ((2, 3, 4, 5), 1), ((2, 3, 4, 5), 3),
              ((2, 3, 4, 2, 3), 1), ((2, 3, 4, 2, 3), 4), ((2, 2, 3, 2, 3, 2), 1)]


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('x_shape, b_rank', BIAS_CASES)
def test_bias_add(data_format, x_shape, b_rank):
    first = data_format == 'channels_first' and len(x_shape) in (3, 4, 5)
    if b_rank == 1:
        b_shape = (x_shape[1],) if first else (x_shape[-1],)
    else:
        b_shape = (x_shape[2:] + (x_shape[1],)) if first else x_shape[1:]
    check_op(lambda x, b: K.bias_add(x, b, data_format), [r(*x_shape), r(*b_shape)],
             lambda x, b: _np_bias_add(x, b, data_format))


def test_bias_add_uses_global_data_format():
    K.set_image_data_format('channels_first')
    x, b = r(2, 3, 4, 4), r(3)
    np.testing.assert_allclose(K.eval(K.bias_add(K.constant(x), K.constant(b))),
                               _np_bias_add(x, b, 'channels_first'), rtol=1e-6, atol=1e-6)


def test_bias_add_errors():
    with pytest.raises(ValueError, match=r'bias_add.*\(4, 5\).*\(2, 3, 4, 5\)'):
        K.bias_add(K.placeholder((2, 3, 4, 5)), K.placeholder((4, 5)))
    with pytest.raises(ValueError, match=r'bias_add.*\(4,\).*\(2, 3, 5\)'):
        K.bias_add(K.placeholder((2, 3, 5)), K.placeholder((4,)))
    with pytest.raises(ValueError, match=r'bias_add.*\(5,\).*\(2, 3, 5\)'):
        K.bias_add(K.placeholder((2, 3, 5)), K.placeholder((5,)), data_format='channels_first')
    with pytest.raises(ValueError, match=r'bias_add.*\(3, 6\).*\(2, 3, 5\)'):
        K.bias_add(K.placeholder((2, 3, 5)), K.placeholder((3, 6)))
    with pytest.raises(ValueError, match='bias_add.*rank'):
        K.bias_add(K.placeholder((5,)), K.placeholder((5,)))
    with pytest.raises(ValueError, match='data_format'):
        K.bias_add(K.placeholder((2, 5)), K.placeholder((5,)), data_format='channels_middle')


# -- None batch dimension, float32 ---------------------------------------------------------

_B = [rng.uniform(0.5, 2, size=3).astype(np.float32) for _ in range(4)]

NONE_BATCH = [
    ('cce', lambda t, o: K.categorical_crossentropy(t, o), [(None, 3), (None, 3)],
     lambda n: [np.eye(3)[rng.randint(0, 3, n)], np_softmax(r(n, 3))], np_cce),
    ('cce_logits', lambda t, o: K.categorical_crossentropy(t, o, True), [(None, 3), (None, 3)],
     lambda n: [np.eye(3)[rng.randint(0, 3, n)], r(n, 3)], np_cce_logits),
    ('bce', K.binary_crossentropy, [(None, 2), (None, 2)],
     lambda n: [rng.randint(0, 2, (n, 2)) * 1.0, rng.uniform(0.1, 0.9, (n, 2))], np_bce),
    ('l2_normalize', lambda x: K.l2_normalize(x, 1), [(None, 3)],
     lambda n: [np.concatenate([np.zeros((1, 3)), r(n - 1, 3)])],
     lambda x: np_l2_normalize(x, 1)),
    ('in_top_k', lambda p, t: K.in_top_k(p, t, 2), [(None, 5), ((None,), 'int64')],
     lambda n: [r(n, 5), rng.randint(0, 5, n)], lambda p, t: np_in_top_k(p, t, 2)),
    ('bias_add_last', lambda x: K.bias_add(x, _B[0], 'channels_last'), [(None, 4, 4, 3)],
     lambda n: [r(n, 4, 4, 3)], lambda x: x + _B[0]),
    ('bias_add_first', lambda x: K.bias_add(x, K.variable(_B[0]), 'channels_first'),
     [(None, 3, 4, 4)], lambda n: [r(n, 3, 4, 4)], lambda x: x + _B[0][:, None, None]),
    ('batch_normalization', lambda x: K.batch_normalization(x, *[K.variable(b) for b in _B]),
     [(None, 3)], lambda n: [r(n, 3)], lambda x: np_bn(x, *_B)),
] + [(name, fn, [(None, 4)], lambda n: [r(n, 4)], ref) for name, fn, ref in ACTIVATIONS]


@pytest.mark.parametrize('name, build, specs, make, ref', NONE_BATCH,
                         ids=[c[0] for c in NONE_BATCH])
def test_none_batch_two_sizes_float32(name, build, specs, make, ref):
    specs = [s if isinstance(s[-1], str) else (s, 'float32') for s in specs]
    inputs = [K.placeholder(shape, dtype=dtype) for shape, dtype in specs]
    out = build(*inputs)
    assert K.int_shape(out)[0] is None
    assert K.dtype(out) == ('bool' if name == 'in_top_k' else 'float32')
    f = K.function(inputs, [out])
    for n in (2, 5):
        arrays = [a.astype(d) for a, (_, d) in zip(make(n), specs)]
        value = f(arrays)[0]
        assert value.dtype == np.dtype(K.dtype(out)) and value.shape[0] == n
        expected = ref(*[a.astype(np.float64) if a.dtype.kind == 'f' else a for a in arrays])
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-5)
