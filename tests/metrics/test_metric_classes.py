"""Stateful metric classes (Mean, Sum, MeanMetricWrapper and its subclasses,
RootMeanSquaredError): running values over several update_state calls with
sample weights against numpy, reset_states, config round trips, and the
concrete-value (eager) and compiled-function (graph) update paths."""
import numpy as np
import pytest

from kback import backend as K
from kback import metrics

rng = np.random.RandomState(3)


def run_batches(metric, batches):
    """Feed (y_true, y_pred, sample_weight or None) batches through one
    compiled function, as the engine does; returns the result after each."""
    yt0, yp0, w0 = batches[0]
    yt = K.placeholder(shape=(None,) + np.shape(yt0)[1:], dtype='float32')
    yp = K.placeholder(shape=(None,) + np.shape(yp0)[1:], dtype='float32')
    sw = K.placeholder(ndim=np.ndim(w0)) if w0 is not None else None
    result = metric(yt, yp, sample_weight=sw)
    fn = K.function([yt, yp] + ([sw] if sw is not None else []), [result])
    return [fn([a, b] + ([w] if w is not None else []))[0] for a, b, w in batches]


def test_mean_and_sum_eager_docs_examples():
    m = metrics.Mean()
    assert m.name == 'mean' and m.dtype == K.floatx() and m.stateful
    m.update_state([1, 3, 5, 7])
    assert K.eval(m.result()) == pytest.approx(4.)
    m.reset_states()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert K.eval(m.result()) == pytest.approx(2.)
    s = metrics.Sum()
    s.update_state([1, 3, 5, 7])
    s.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert s.name == 'sum' and K.eval(s.result()) == pytest.approx(20.)
    # Calling a metric on values updates it and returns its result.
    assert K.eval(s([1., 1.])) == pytest.approx(22.)
    assert [w.name.split('/')[-1] for w in m.weights] == ['total:0', 'count:0']
    assert all(not getattr(w, 'trainable', True) for w in m.weights)


def test_mean_graph_path_accumulates_over_calls():
    values = [rng.rand(5).astype('float32') for _ in range(3)]
    weights = [rng.rand(5).astype('float32') for _ in range(3)]
    m = metrics.Mean()
    v = K.placeholder(ndim=1)
    w = K.placeholder(ndim=1)
    fn = K.function([v, w], [m(v, sample_weight=w)])
    outs = [float(fn([a, b])[0]) for a, b in zip(values, weights)]
    for i in range(3):
        num = sum((values[j] * weights[j]).sum() for j in range(i + 1))
        den = sum(weights[j].sum() for j in range(i + 1))
        assert outs[i] == pytest.approx(num / den, rel=1e-5)
    # The state is in the variables: result() reads it outside the function.
    assert K.eval(m.result()) == pytest.approx(outs[-1], rel=1e-6)
    m.reset_states()
    assert K.eval(m.result()) == 0.        # no division by zero after a reset
    assert float(fn([values[0], weights[0]])[0]) == pytest.approx(
        (values[0] * weights[0]).sum() / weights[0].sum(), rel=1e-5)


def test_mean_broadcasts_weights_over_values():
    m = metrics.Mean()
    values = np.arange(6, dtype='float32').reshape(2, 3)
    m.update_state(values, sample_weight=np.array([1., 0.], 'float32'))
    assert K.eval(m.result()) == pytest.approx(1.)      # mean of the first row
    with pytest.raises(ValueError, match='sample_weight'):
        m.update_state(values, sample_weight=np.ones((4,), 'float32'))


def _np_weighted_mean(per_sample, batches):
    num = den = 0.
    for yt, yp, w in batches:
        v = per_sample(yt, yp)
        w = np.ones(len(v)) if w is None else w
        num += (v * w).sum()
        den += w.sum()
    return num / den


def _onehot(labels, n):
    return np.eye(n, dtype='float32')[labels]


def _cases():
    def acc_batches(make):
        return [make(8, i) for i in range(3)]

    def binary(n, i):
        yt = rng.randint(0, 2, (n, 1)).astype('float32')
        yp = rng.rand(n, 1).astype('float32')
        return yt, yp, rng.rand(n).astype('float32')

    def categorical(n, i):
        return _onehot(rng.randint(0, 5, n), 5), rng.rand(n, 5).astype('float32'), \
            rng.rand(n).astype('float32')

    def sparse(n, i):
        return rng.randint(0, 5, (n, 1)).astype('float32'), rng.rand(n, 5).astype('float32'), \
            rng.rand(n).astype('float32')

    def regression(n, i):
        return rng.rand(n, 3).astype('float32') + 0.1, rng.rand(n, 3).astype('float32') + 0.1, \
            rng.rand(n).astype('float32')

    def probs(n, i):
        a, b = rng.rand(n, 4) + 0.05, rng.rand(n, 4) + 0.05
        return (a / a.sum(-1, keepdims=True)).astype('float32'), \
            (b / b.sum(-1, keepdims=True)).astype('float32'), rng.rand(n).astype('float32')

    def signs(n, i):
        return rng.randint(0, 2, (n, 3)).astype('float32'), \
            rng.randn(n, 3).astype('float32'), rng.rand(n).astype('float32')

    def topk_np(yt, yp, k):
        labels = yt.argmax(-1) if yt.shape[-1] > 1 else yt[:, 0].astype(int)
        target = yp[np.arange(len(yp)), labels]
        return ((yp > target[:, None]).sum(-1) < k).astype(float)

    def cosine(yt, yp):
        return (yt * yp).sum(-1) / np.linalg.norm(yt, axis=-1) / np.linalg.norm(yp, axis=-1)

    eps = 1e-7
    return [
        (metrics.BinaryAccuracy(), 'binary_accuracy', binary,
         lambda yt, yp: ((yp > 0.5) == yt).mean(-1)),
        (metrics.BinaryAccuracy(threshold=0.7), 'binary_accuracy', binary,
         lambda yt, yp: ((yp > 0.7) == yt).mean(-1)),
        (metrics.CategoricalAccuracy(), 'categorical_accuracy', categorical,
         lambda yt, yp: (yt.argmax(-1) == yp.argmax(-1)).astype(float)),
        (metrics.SparseCategoricalAccuracy(), 'sparse_categorical_accuracy', sparse,
         lambda yt, yp: (yt[:, 0] == yp.argmax(-1)).astype(float)),
        (metrics.TopKCategoricalAccuracy(k=2), 'top_k_categorical_accuracy', categorical,
         lambda yt, yp: topk_np(yt, yp, 2)),
        (metrics.SparseTopKCategoricalAccuracy(k=3), 'sparse_top_k_categorical_accuracy',
         sparse, lambda yt, yp: topk_np(yt, yp, 3)),
        (metrics.MeanSquaredError(), 'mean_squared_error', regression,
         lambda yt, yp: ((yp - yt) ** 2).mean(-1)),
        (metrics.MeanAbsoluteError(), 'mean_absolute_error', regression,
         lambda yt, yp: np.abs(yp - yt).mean(-1)),
        (metrics.MeanAbsolutePercentageError(), 'mean_absolute_percentage_error', regression,
         lambda yt, yp: 100 * np.abs((yt - yp) / yt).mean(-1)),
        (metrics.MeanSquaredLogarithmicError(), 'mean_squared_logarithmic_error', regression,
         lambda yt, yp: ((np.log1p(yp) - np.log1p(yt)) ** 2).mean(-1)),
        (metrics.Hinge(), 'hinge', signs,
         lambda yt, yp: np.maximum(1 - (2 * yt - 1) * yp, 0).mean(-1)),
        (metrics.SquaredHinge(), 'squared_hinge', signs,
         lambda yt, yp: (np.maximum(1 - (2 * yt - 1) * yp, 0) ** 2).mean(-1)),
        (metrics.CategoricalHinge(), 'categorical_hinge', categorical,
         lambda yt, yp: np.maximum(0, ((1 - yt) * yp).max(-1) - (yt * yp).sum(-1) + 1)),
        (metrics.LogCoshError(), 'logcosh', regression,
         lambda yt, yp: np.log(np.cosh(yp - yt)).mean(-1)),
        (metrics.Poisson(), 'poisson', regression,
         lambda yt, yp: (yp - yt * np.log(yp + eps)).mean(-1)),
        (metrics.KLDivergence(), 'kullback_leibler_divergence', probs,
         lambda yt, yp: (yt * np.log(yt / yp)).sum(-1)),
        (metrics.CosineSimilarity(), 'cosine_similarity', regression, cosine),
        (metrics.BinaryCrossentropy(), 'binary_crossentropy', binary,
         lambda yt, yp: -(yt * np.log(yp) + (1 - yt) * np.log(1 - yp)).mean(-1)),
        (metrics.CategoricalCrossentropy(), 'categorical_crossentropy', probs,
         lambda yt, yp: -(yt * np.log(yp)).sum(-1)),
        (metrics.SparseCategoricalCrossentropy(), 'sparse_categorical_crossentropy', sparse,
         lambda yt, yp: -np.log((yp / yp.sum(-1, keepdims=True))[np.arange(len(yp)),
                                                                   yt[:, 0].astype(int)])),
        (metrics.Accuracy(), 'accuracy',
         lambda n, i: (rng.randint(0, 3, (n, 1)).astype('float32'),
                       rng.randint(0, 3, (n, 1)).astype('float32'),
                       rng.rand(n).astype('float32')),
         lambda yt, yp: (yt == yp).astype(float)[:, 0]),
    ], acc_batches


CASES, _BATCHES = _cases()


@pytest.mark.parametrize('metric,name,make,reference', CASES,
                         ids=[f'{type(c[0]).__name__}-{i}' for i, c in enumerate(CASES)])
def test_wrapper_classes_running_weighted_mean(metric, name, make, reference):
    assert metric.name == name
    batches = _BATCHES(make)
    outs = run_batches(metric, batches)
    for i in range(len(batches)):
        np.testing.assert_allclose(outs[i], _np_weighted_mean(reference, batches[:i + 1]),
                                   rtol=2e-4, atol=1e-6)
    # Unweighted, after a reset: the plain mean over all samples.
    metric.reset_states()
    plain = [(a, b, None) for a, b, _ in batches]
    np.testing.assert_allclose(run_batches(metric, plain)[-1],
                               _np_weighted_mean(reference, plain), rtol=2e-4, atol=1e-6)
    clone = type(metric).from_config(metric.get_config())
    assert clone.get_config() == metric.get_config()
    assert K.eval(clone.result()) == 0.


def test_root_mean_squared_error():
    m = metrics.RootMeanSquaredError()
    assert m.name == 'root_mean_squared_error'
    batches = [(rng.rand(6, 2).astype('float32'), rng.rand(6, 2).astype('float32'),
                rng.rand(6).astype('float32')) for _ in range(3)]
    out = run_batches(m, batches)[-1]
    num = sum((((p - t) ** 2) * w[:, None]).sum() for t, p, w in batches)
    den = sum(np.repeat(w[:, None], 2, 1).sum() for _, _, w in batches)
    assert float(out) == pytest.approx(np.sqrt(num / den), rel=1e-5)
    m.reset_states()
    m.update_state([2., 4., 6., 8.], [1., 3., 5., 7.])
    assert K.eval(m.result()) == pytest.approx(1.)


def test_wrapper_config_keeps_arguments():
    m = metrics.BinaryCrossentropy(name='bce', from_logits=True, label_smoothing=0.1)
    assert m.get_config() == {'name': 'bce', 'dtype': 'float32', 'from_logits': True,
                              'label_smoothing': 0.1}
    assert metrics.TopKCategoricalAccuracy(k=3).get_config()['k'] == 3
    assert metrics.CosineSimilarity(axis=1).get_config()['axis'] == 1
    restored = metrics.deserialize(metrics.serialize(metrics.BinaryAccuracy(threshold=0.3)))
    assert isinstance(restored, metrics.BinaryAccuracy) and restored._fn_kwargs == {
        'threshold': 0.3}
    wrapped = metrics.MeanMetricWrapper(metrics.mean_absolute_error, name='mae_w')
    again = metrics.deserialize(metrics.serialize(wrapped))
    assert again._fn is metrics.mean_absolute_error and again.name == 'mae_w'


def test_get_and_clone():
    assert isinstance(metrics.get('AUC'), metrics.AUC)
    assert metrics.get('accuracy') is metrics.accuracy
    p = metrics.Precision(thresholds=[0.3, 0.6])
    p.update_state([1., 0.], [0.9, 0.8])
    c = metrics.clone_metric(p)
    assert c is not p and c.get_config() == p.get_config()
    np.testing.assert_array_equal(K.eval(c.result()), [0., 0.])   # fresh state
    assert metrics.clone_metric(metrics.mse) is metrics.mse


def test_custom_metric_subclass_both_update_styles():
    class CountAbove(metrics.Metric):
        def __init__(self, name='count_above', **kwargs):
            super().__init__(name=name, **kwargs)
            self.n = self.add_weight('n', initializer='zeros')

        def update_state(self, y_true, y_pred, sample_weight=None):
            return K.update_add(self.n, K.sum(K.cast(K.greater(y_pred, 0.5), 'float32')))

        def result(self):
            return self.n

    class CountAdded(CountAbove):
        def update_state(self, y_true, y_pred, sample_weight=None):
            self.add_update(K.update_add(self.n, K.sum(K.cast(K.greater(y_pred, 0.5),
                                                               'float32'))))

    for cls in (CountAbove, CountAdded):
        m = cls()
        m.update_state([0, 0], [0.7, 0.9])
        assert K.eval(m.result()) == 2.
        outs = run_batches(m, [(np.zeros(3, 'float32'), np.array([.6, .1, .9], 'float32'),
                                None)] * 2)
        assert [float(o) for o in outs] == [4., 6.]
        assert m.updates == []          # the ops went to the compiled function only
