"""kback.metrics: metric functions vs numpy, unknown batch sizes, identifiers,
and the accuracy / crossentropy resolution table of Keras 2.3."""
import numpy as np
import pytest

from kback import backend as K
from kback import losses, metrics
from kback.utils.generic_utils import CustomObjectScope

rng = np.random.RandomState(7)


def run(fn, *arrays, shapes=None, dtypes=None):
    """Evaluate fn on placeholders (static shapes by default) fed with arrays."""
    phs = [K.placeholder(shape=(shapes[i] if shapes else a.shape),
                         dtype=(dtypes[i] if dtypes else a.dtype.name))
           for i, a in enumerate(arrays)]
    return K.function(phs, [fn(*phs)])(list(arrays))[0]


def np_topk(p, labels, k):
    # In top k when fewer than k entries are strictly larger (ties count as in).
    target = p[np.arange(len(labels)), labels]
    return ((p > target[:, None]).sum(-1) < k).astype('float32')


def test_binary_accuracy():
    t = np.array([[1., 0., 1.], [0., 0., 1.]], dtype='float32')
    p = np.array([[0.9, 0.4, 0.2], [0.6, 0.1, 0.51]], dtype='float32')
    out = run(metrics.binary_accuracy, t, p)
    assert out.dtype == np.float32 and out.shape == (2,)
    np.testing.assert_allclose(out, [2 / 3, 2 / 3])
    np.testing.assert_allclose(run(lambda a, b: metrics.binary_accuracy(a, b, threshold=0.3),
                                   t, p), [1 / 3, 2 / 3])
    # A (batch, 1) output gives one value per sample.
    np.testing.assert_allclose(run(metrics.binary_accuracy, t[:, :1], p[:, :1]), [1., 0.])


def test_categorical_accuracy():
    labels = rng.randint(0, 6, 20)
    p = rng.rand(20, 6).astype('float32')
    out = run(metrics.categorical_accuracy, np.eye(6, dtype='float32')[labels], p)
    np.testing.assert_array_equal(out, (p.argmax(-1) == labels).astype('float32'))
    assert out.dtype == np.float32


@pytest.mark.parametrize('column', [False, True])
@pytest.mark.parametrize('dtype', ['float32', 'int32'])
def test_sparse_categorical_accuracy(column, dtype):
    labels = rng.randint(0, 6, 20)
    p = rng.rand(20, 6).astype('float32')
    y = (labels[:, None] if column else labels).astype(dtype)
    out = run(metrics.sparse_categorical_accuracy, y, p)
    np.testing.assert_array_equal(out, (p.argmax(-1) == labels).astype('float32'))
    assert out.shape == (20,)


@pytest.mark.parametrize('k', [1, 2, 5])
def test_top_k_accuracies(k):
    labels = rng.randint(0, 7, 30)
    p = rng.rand(30, 7).astype('float32')
    expected = np_topk(p, labels, k)
    np.testing.assert_array_equal(
        run(lambda a, b: metrics.top_k_categorical_accuracy(a, b, k=k),
            np.eye(7, dtype='float32')[labels], p), expected)
    for y in (labels, labels[:, None].astype('float32')):
        np.testing.assert_array_equal(
            run(lambda a, b: metrics.sparse_top_k_categorical_accuracy(a, b, k=k), y, p),
            expected)


def test_top_k_default_is_five():
    labels = np.array([0, 0])
    p = np.array([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], [0.9, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]],
                 dtype='float32')
    np.testing.assert_array_equal(run(metrics.sparse_top_k_categorical_accuracy, labels, p),
                                  [0., 1.])
    np.testing.assert_array_equal(
        run(metrics.top_k_categorical_accuracy, np.eye(7, dtype='float32')[labels], p), [0., 1.])


def test_accuracy_is_elementwise_equality():
    t = np.array([1., 2., 3., 4.], dtype='float32')
    p = np.array([0., 2., 3., 4.], dtype='float32')
    np.testing.assert_array_equal(run(metrics.accuracy, t, p), [0., 1., 1., 1.])


def test_cosine_metric_is_positive():
    t = np.array([[0., 1.], [1., 1.], [1., 1.]], dtype='float32')
    p = np.array([[1., 0.], [1., 1.], [-1., -1.]], dtype='float32')
    np.testing.assert_allclose(run(metrics.cosine_proximity, t, p), [0., 1., -1.], atol=1e-6)
    assert metrics.get('cosine') is metrics.get('cosine_similarity') is metrics.cosine_proximity
    np.testing.assert_allclose(run(metrics.get('cosine_proximity'), t, p),
                               -run(losses.get('cosine_proximity'), t, p), atol=1e-6)


@pytest.mark.parametrize('fn', [metrics.binary_accuracy, metrics.categorical_accuracy,
                                metrics.sparse_categorical_accuracy,
                                metrics.top_k_categorical_accuracy,
                                metrics.sparse_top_k_categorical_accuracy])
def test_none_batch_dimension_two_batch_sizes(fn):
    sparse = 'sparse' in fn.__name__
    t_ph = K.placeholder(shape=(None,) if sparse else (None, 6), dtype='int32' if sparse
                         else 'float32')
    p_ph = K.placeholder(shape=(None, 6))
    out = fn(t_ph, p_ph)
    assert K.int_shape(out) == (None,)
    f = K.function([t_ph, p_ph], [out])
    for n in (3, 11):
        labels = rng.randint(0, 6, n)
        p = rng.rand(n, 6).astype('float32')
        if fn is metrics.binary_accuracy:
            t = (rng.rand(n, 6) > 0.5).astype('float32')
            expected = (t == (p > 0.5)).mean(-1)
        else:
            t = labels if sparse else np.eye(6, dtype='float32')[labels]
            expected = np_topk(p, labels, 5) if 'top_k' in fn.__name__ else \
                (p.argmax(-1) == labels).astype('float32')
        np.testing.assert_allclose(f([t, p])[0], expected, rtol=1e-6)


# -- losses as metrics, identifiers --------------------------------------------------

LOSS_NAMES = ['mean_squared_error', 'mean_absolute_error', 'mean_absolute_percentage_error',
              'mean_squared_logarithmic_error', 'hinge', 'squared_hinge', 'categorical_hinge',
              'logcosh', 'categorical_crossentropy', 'sparse_categorical_crossentropy',
              'binary_crossentropy', 'kullback_leibler_divergence', 'poisson',
              'mse', 'MSE', 'mae', 'MAE', 'mape', 'MAPE', 'msle', 'MSLE']


@pytest.mark.parametrize('name', LOSS_NAMES)
def test_losses_usable_as_metrics(name):
    fn = metrics.get(name)
    assert fn is losses.get(name)
    assert metrics.resolve(name, 'mse', (None, 3)) == (name, fn)


METRIC_NAMES = ['accuracy', 'binary_accuracy', 'categorical_accuracy',
                'sparse_categorical_accuracy', 'top_k_categorical_accuracy',
                'sparse_top_k_categorical_accuracy', 'cosine_proximity']


@pytest.mark.parametrize('name', METRIC_NAMES)
def test_get_serialize_round_trip(name):
    fn = metrics.get(name)
    assert fn is getattr(metrics, name)
    assert metrics.serialize(fn) == name
    assert metrics.deserialize(metrics.serialize(fn)) is fn
    assert metrics.get(fn) is fn


def test_custom_metric_functions():
    def mean_pred(y_true, y_pred):
        return K.mean(y_pred, axis=-1)
    assert metrics.get(mean_pred) is mean_pred
    assert metrics.resolve(mean_pred, 'mse', (None, 2)) == ('mean_pred', mean_pred)
    assert metrics.serialize(mean_pred) == 'mean_pred'
    with CustomObjectScope({'mean_pred': mean_pred}):
        assert metrics.get('mean_pred') is mean_pred
        assert metrics.resolve('mean_pred', 'mse', (None, 2)) == ('mean_pred', mean_pred)
    assert metrics.deserialize('mean_pred', custom_objects={'mean_pred': mean_pred}) is mean_pred
    np.testing.assert_allclose(run(mean_pred, np.zeros((2, 2), 'float32'),
                                   np.array([[1., 3.], [2., 2.]], 'float32')), [2., 2.])
    # An object with a `name` is logged under it.
    mse = losses.MeanSquaredError(name='my_mse')
    assert metrics.resolve(mse, 'mse', (None, 2)) == ('my_mse', mse)


def test_unknown_metric_raises():
    with pytest.raises(ValueError) as info:
        metrics.get('acuracy')
    assert 'acuracy' in str(info.value) and 'binary_accuracy' in str(info.value)
    with pytest.raises(ValueError, match='acuracy'):
        metrics.resolve('acuracy', 'categorical_crossentropy', (None, 10))
    with pytest.raises(ValueError, match='metric'):
        metrics.get(3)
    # 'acc' is only meaningful to compile, as in Keras.
    with pytest.raises(ValueError):
        metrics.get('acc')


# -- the accuracy / crossentropy resolution table --------------------------------------

BCE, CCE, SCCE = (losses.binary_crossentropy, losses.categorical_crossentropy,
                  losses.sparse_categorical_crossentropy)
M = metrics

# (loss as given, output_shape) -> (accuracy fn, crossentropy fn)
TABLE = [
    # Output of width 1: binary, whatever the loss.
    ('binary_crossentropy', (None, 1), M.binary_accuracy, BCE),
    ('mse', (None, 1), M.binary_accuracy, BCE),
    ('categorical_crossentropy', (None, 1), M.binary_accuracy, BCE),
    ('sparse_categorical_crossentropy', (None, 1), M.binary_accuracy, BCE),
    # Binary crossentropy on a wider output: binary.
    ('binary_crossentropy', (None, 10), M.binary_accuracy, BCE),
    (BCE, (None, 10), M.binary_accuracy, BCE),
    (losses.BinaryCrossentropy(), (None, 10), M.binary_accuracy, BCE),
    (losses.LossFunctionWrapper(BCE), (None, 10), M.binary_accuracy, BCE),
    # Sparse categorical crossentropy: sparse.
    ('sparse_categorical_crossentropy', (None, 10), M.sparse_categorical_accuracy, SCCE),
    (SCCE, (None, 10), M.sparse_categorical_accuracy, SCCE),
    (losses.SparseCategoricalCrossentropy(from_logits=True), (None, 10),
     M.sparse_categorical_accuracy, SCCE),
    (losses.LossFunctionWrapper(SCCE), (None, 5, 10), M.sparse_categorical_accuracy, SCCE),
    # Everything else: categorical.
    ('categorical_crossentropy', (None, 10), M.categorical_accuracy, CCE),
    (losses.CategoricalCrossentropy(), (None, 10), M.categorical_accuracy, CCE),
    ('mse', (None, 10), M.categorical_accuracy, CCE),
    (losses.MeanSquaredError(), (None, 3), M.categorical_accuracy, CCE),
    (lambda t, p: K.mean(p - t, axis=-1), (None, 4), M.categorical_accuracy, CCE),
    (None, (None, 4), M.categorical_accuracy, CCE),
    ('not_a_loss_name', (None, 4), M.categorical_accuracy, CCE),
]


@pytest.mark.parametrize('loss,shape,acc,ce', TABLE)
@pytest.mark.parametrize('written', ['acc', 'accuracy'])
def test_accuracy_resolution(loss, shape, acc, ce, written):
    assert metrics.resolve(written, loss, shape) == (written, acc)


@pytest.mark.parametrize('loss,shape,acc,ce', TABLE)
@pytest.mark.parametrize('written', ['ce', 'crossentropy'])
def test_crossentropy_resolution(loss, shape, acc, ce, written):
    assert metrics.resolve(written, loss, shape) == (written, ce)


def test_named_accuracies_are_not_rewritten():
    assert metrics.resolve('binary_accuracy', 'categorical_crossentropy', (None, 10)) == \
        ('binary_accuracy', metrics.binary_accuracy)
    assert metrics.resolve(metrics.categorical_accuracy, 'binary_crossentropy', (None, 1)) == \
        ('categorical_accuracy', metrics.categorical_accuracy)
    assert metrics.metric_name('acc') == 'acc'
    assert metrics.metric_function('accuracy', 'sparse_categorical_crossentropy',
                                   (None, 3)) is metrics.sparse_categorical_accuracy


def test_resolved_accuracy_computes_on_a_graph():
    name, fn = metrics.resolve('acc', 'sparse_categorical_crossentropy', (None, 3))
    labels = np.array([[2], [0], [1]], dtype='float32')
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.4, 0.1], [0.8, 0.1, 0.1]], dtype='float32')
    np.testing.assert_array_equal(run(fn, labels, p, shapes=[(None, 1), (None, 3)]),
                                  [1., 1., 0.])
