"""kback.losses: every loss against numpy, gradients by finite differences,
unknown batch sizes, Loss classes (reductions, sample_weight), identifiers."""
import numpy as np
import pytest

from kback import backend as K
from kback import losses
from gradcheck import check_op

EPS = 1e-7
rng = np.random.RandomState(42)


def u(low, high, *shape):
    return rng.uniform(low, high, size=shape)


def onehot(labels, n):
    return np.eye(n)[labels]


# -- numpy references ----------------------------------------------------------------

def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_cce(t, p, from_logits=False, smoothing=0.):
    if smoothing:
        t = t * (1 - smoothing) + smoothing / t.shape[-1]
    if from_logits:
        p = np_softmax(p)
    else:
        p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(t * np.log(p)).sum(-1)


def np_bce(t, p, from_logits=False, smoothing=0.):
    if smoothing:
        t = t * (1 - smoothing) + 0.5 * smoothing
    if from_logits:
        p = 1 / (1 + np.exp(-p))
    p = np.clip(p, EPS, 1 - EPS)
    return (-(t * np.log(p) + (1 - t) * np.log(1 - p))).mean(-1)


def np_hinge_labels(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def np_huber(t, p, delta=1.0):
    e = np.abs(p - t)
    return np.where(e <= delta, 0.5 * e ** 2, 0.5 * delta ** 2 + delta * (e - delta))


def np_cos(t, p, axis=-1):
    tn = t / np.sqrt(np.maximum((t ** 2).sum(axis, keepdims=True), 1e-12))
    pn = p / np.sqrt(np.maximum((p ** 2).sum(axis, keepdims=True), 1e-12))
    return -(tn * pn).sum(axis)


REF = {
    'mean_squared_error': lambda t, p: ((p - t) ** 2).mean(-1),
    'mean_absolute_error': lambda t, p: np.abs(p - t).mean(-1),
    'mean_absolute_percentage_error':
        lambda t, p: 100 * (np.abs(t - p) / np.maximum(np.abs(t), EPS)).mean(-1),
    'mean_squared_logarithmic_error':
        lambda t, p: ((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2
                      ).mean(-1),
    'squared_hinge':
        lambda t, p: (np.maximum(1 - np_hinge_labels(t) * p, 0) ** 2).mean(-1),
    'hinge': lambda t, p: np.maximum(1 - np_hinge_labels(t) * p, 0).mean(-1),
    'categorical_hinge':
        lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0),
    'logcosh': lambda t, p: np.log(np.cosh(p - t)).mean(-1),
    'huber_loss': np_huber,
    'categorical_crossentropy': np_cce,
    'binary_crossentropy': np_bce,
    'kullback_leibler_divergence':
        lambda t, p: (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))
                      ).sum(-1),
    'poisson': lambda t, p: (p - t * np.log(p + EPS)).mean(-1),
    'cosine_proximity': np_cos,
}


def _inputs(name, n=4, d=5):
    """(y_true, y_pred) in each loss's domain, away from kinks and clip bounds."""
    if name in ('hinge', 'squared_hinge'):
        t = rng.choice([-1., 1.], size=(n, d))
        p = u(-3, 3, n, d)
        m = 1 - t * p
        p[np.abs(m) < 0.1] += 0.3 * t[np.abs(m) < 0.1]
        return t, p
    if name == 'categorical_hinge':
        t = onehot(rng.randint(0, d, n), d)
        p = u(-1, 1, n, d)
        p[t == 1] -= 1.0        # keep the margin positive: away from max(., 0)
        return t, p
    if name in ('categorical_crossentropy', 'kullback_leibler_divergence'):
        t = u(0.05, 1, n, d)
        return t / t.sum(-1, keepdims=True), u(0.05, 0.95, n, d)
    if name == 'binary_crossentropy':
        return rng.randint(0, 2, (n, d)).astype(float), u(0.05, 0.95, n, d)
    if name in ('mean_squared_logarithmic_error', 'poisson'):
        return u(0.1, 3, n, d), u(0.1, 3, n, d)
    if name == 'huber_loss':
        t = u(-3, 3, n, d)
        e = rng.choice([-1, 1], (n, d)) * np.where(rng.rand(n, d) < 0.5, u(0.1, 0.9, n, d),
                                                    u(1.1, 2.5, n, d))
        return t, t + e
    if name == 'mean_absolute_percentage_error':
        t = rng.choice([-1, 1], (n, d)) * u(0.5, 2, n, d)
        return t, t + rng.choice([-1, 1], (n, d)) * u(0.1, 1, n, d)
    if name == 'mean_absolute_error':
        t = u(-2, 2, n, d)
        return t, t + rng.choice([-1, 1], (n, d)) * u(0.1, 1, n, d)
    return u(-2, 2, n, d), u(-2, 2, n, d)


@pytest.mark.parametrize('name', sorted(REF))
def test_forward_and_gradient(name):
    fn = getattr(losses, name)
    t, p = _inputs(name)
    value = check_op(lambda a, b: fn(a, b), [t, p], REF[name], grad_wrt=[1])
    expected_shape = (4, 5) if name == 'huber_loss' else (4,)
    assert value.shape == expected_shape


@pytest.mark.parametrize('name', ['mean_squared_error', 'mean_absolute_error', 'logcosh',
                                  'poisson', 'binary_crossentropy', 'cosine_proximity',
                                  'categorical_crossentropy', 'kullback_leibler_divergence'])
def test_gradient_wrt_targets(name):
    t, p = _inputs(name)
    check_op(lambda a, b: getattr(losses, name)(a, b), [t, p], REF[name], grad_wrt=[0])


def test_hinge_converts_binary_labels_only_when_all_are_binary():
    p = np.array([[0.6, -0.7, -0.5]])
    for t, expected in (([[0., 1., 1.]], 1.6), ([[-1., 1., 1.]], 1.6),
                        ([[2., 1., 1.]], (0. + 1.7 + 1.5) / 3),
                        ([[0., 1., 0.5]], (1. + 1.7 + 1.25) / 3)):
        np.testing.assert_allclose(K.eval(losses.hinge(np.array(t), p)), [expected], rtol=1e-6)
    np.testing.assert_allclose(K.eval(losses.squared_hinge(np.array([[0., 1., 1.]]), p)),
                               [(1.6 ** 2 + 1.7 ** 2 + 1.5 ** 2) / 3], rtol=1e-6)


def test_hinge_label_choice_is_made_per_batch_at_run_time():
    t_ph = K.placeholder(shape=(None, 2))
    p_ph = K.placeholder(shape=(None, 2))
    f = K.function([t_ph, p_ph], [losses.hinge(t_ph, p_ph)])
    p = np.array([[0.5, -0.5]], dtype='float32')
    binary = f([np.array([[0., 1.]], dtype='float32'), p])[0]
    signed = f([np.array([[0.5, 1.]], dtype='float32'), p])[0]
    np.testing.assert_allclose(binary, [(1.5 + 1.5) / 2], rtol=1e-6)
    np.testing.assert_allclose(signed, [(0.75 + 1.5) / 2], rtol=1e-6)


@pytest.mark.parametrize('from_logits', [False, True])
@pytest.mark.parametrize('smoothing', [0, 0.1])
def test_crossentropies_logits_and_smoothing(from_logits, smoothing):
    labels = rng.randint(0, 4, 6)
    t = onehot(labels, 4)
    p = u(-2, 2, 6, 4) if from_logits else np_softmax(u(-2, 2, 6, 4))
    check_op(lambda a, b: losses.categorical_crossentropy(a, b, from_logits, smoothing),
             [t, p], lambda a, b: np_cce(a, b, from_logits, smoothing), grad_wrt=[1])
    tb = rng.randint(0, 2, (6, 3)).astype(float)
    pb = u(-3, 3, 6, 3) if from_logits else u(0.05, 0.95, 6, 3)
    check_op(lambda a, b: losses.binary_crossentropy(a, b, from_logits, smoothing),
             [tb, pb], lambda a, b: np_bce(a, b, from_logits, smoothing), grad_wrt=[1])


def test_label_smoothing_as_a_tensor_and_unknown_class_count():
    t = onehot([0, 2, 1], 3)
    p = np_softmax(u(-1, 1, 3, 3))
    s = K.variable(0.2, dtype='float64')
    np.testing.assert_allclose(K.eval(losses.categorical_crossentropy(t, p, label_smoothing=s)),
                               np_cce(t, p, smoothing=0.2), rtol=1e-6)
    K.set_value(s, 0.)
    np.testing.assert_allclose(K.eval(losses.categorical_crossentropy(t, p, label_smoothing=s)),
                               np_cce(t, p), rtol=1e-6)
    t_ph, p_ph = K.placeholder(shape=(None, None)), K.placeholder(shape=(None, None))
    f = K.function([t_ph, p_ph], [losses.categorical_crossentropy(t_ph, p_ph,
                                                                  label_smoothing=0.3)])
    np.testing.assert_allclose(f([t, p])[0], np_cce(t, p, smoothing=0.3), rtol=1e-5)
    with pytest.raises(ValueError, match='label_smoothing'):
        losses.binary_crossentropy(t, p, label_smoothing='lots')


@pytest.mark.parametrize('label_shape', ['flat', 'column'])
@pytest.mark.parametrize('from_logits', [False, True])
def test_sparse_categorical_crossentropy(label_shape, from_logits):
    labels = rng.randint(0, 5, 7)
    y = labels if label_shape == 'flat' else labels[:, None]
    p = u(-2, 2, 7, 5) if from_logits else np_softmax(u(-2, 2, 7, 5))

    def ref(_, q):
        return np_cce(onehot(labels, 5), q, from_logits)
    check_op(lambda a, b: losses.sparse_categorical_crossentropy(a, b, from_logits),
             [y.astype('int64'), p], ref, rtol=1e-5, atol=1e-6)


def test_cosine_sign_and_axis():
    t = np.array([[0., 1.], [1., 1.], [1., 1.]])
    p = np.array([[1., 0.], [1., 1.], [-1., -1.]])
    np.testing.assert_allclose(K.eval(losses.cosine_proximity(t, p)), [0., -1., 1.], atol=1e-6)
    assert losses.cosine is losses.cosine_similarity is losses.cosine_proximity
    t3, p3 = u(-1, 1, 2, 3, 4), u(-1, 1, 2, 3, 4)
    check_op(lambda a, b: losses.cosine_proximity(a, b, axis=1), [t3, p3],
             lambda a, b: np_cos(a, b, axis=1), grad_wrt=[1])


def test_losses_accept_integer_targets_and_numpy_predictions():
    t = np.array([[1, 0, 1]], dtype='int32')
    p = np.array([[0.5, 0.5, 0.5]], dtype='float32')
    p_ph = K.placeholder(shape=(None, 3))
    t_ph = K.placeholder(shape=(None, 3), dtype='int32')
    out = losses.mean_squared_error(t_ph, p_ph)
    assert K.dtype(out) == 'float32'
    np.testing.assert_allclose(K.function([t_ph, p_ph], [out])([t, p])[0], [0.25])
    np.testing.assert_allclose(K.eval(losses.mean_absolute_error(t, p)), [0.5])


def test_aliases_are_the_keras_ones():
    L = losses
    assert L.mse is L.MSE is L.mean_squared_error
    assert L.mae is L.MAE is L.mean_absolute_error
    assert L.mape is L.MAPE is L.mean_absolute_percentage_error
    assert L.msle is L.MSLE is L.mean_squared_logarithmic_error
    assert L.kld is L.KLD is L.kullback_leibler_divergence


@pytest.mark.parametrize('name', sorted(REF))
def test_none_batch_dimension_two_batch_sizes(name):
    fn = getattr(losses, name)
    t_ph, p_ph = K.placeholder(shape=(None, 5)), K.placeholder(shape=(None, 5))
    out = fn(t_ph, p_ph)
    assert K.int_shape(out) == ((None, 5) if name == 'huber_loss' else (None,))
    f = K.function([t_ph, p_ph], [out])
    for n in (3, 8):
        t, p = _inputs(name, n=n)
        got = f([t.astype('float32'), p.astype('float32')])[0]
        np.testing.assert_allclose(got, REF[name](t, p), rtol=2e-4, atol=2e-5)


def test_sparse_none_batch_dimension():
    t_ph = K.placeholder(shape=(None,), dtype='int32')
    p_ph = K.placeholder(shape=(None, 4))
    f = K.function([t_ph, p_ph], [losses.sparse_categorical_crossentropy(t_ph, p_ph)])
    for n in (2, 9):
        labels = rng.randint(0, 4, n)
        p = np_softmax(u(-1, 1, n, 4))
        np.testing.assert_allclose(f([labels, p.astype('float32')])[0],
                                   np_cce(onehot(labels, 4), p), rtol=1e-5)
