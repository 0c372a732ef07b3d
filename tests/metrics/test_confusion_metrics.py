"""Confusion-matrix metrics against numpy over several weighted batches:
TruePositives..FalseNegatives, Precision / Recall (threshold lists, top_k,
class_id), AUC (ROC and PR, the three summation methods, against a numpy
Riemann sum over the same thresholds), sensitivity/specificity at a target,
MeanIoU; reset_states and config round trips."""
import numpy as np
import pytest

from kback import backend as K
from kback import metrics

rng = np.random.RandomState(11)


def run_batches(metric, batches):
    yt0, yp0, w0 = batches[0]
    yt = K.placeholder(shape=(None,) + np.shape(yt0)[1:])
    yp = K.placeholder(shape=(None,) + np.shape(yp0)[1:])
    sw = K.placeholder(shape=(None,) + np.shape(w0)[1:]) if w0 is not None else None
    fn = K.function([yt, yp] + ([sw] if sw is not None else []),
                    [metric(yt, yp, sample_weight=sw)])
    return [fn([a, b] + ([w] if w is not None else []))[0] for a, b, w in batches]


def make_batches(n_batches=3, size=20, cols=None, weighted=True):
    out = []
    for _ in range(n_batches):
        shape = (size,) if cols is None else (size, cols)
        yt = rng.randint(0, 2, shape).astype('float32')
        yp = rng.rand(*shape).astype('float32')
        w = rng.rand(size).astype('float32') if weighted else None
        out.append((yt, yp, w))
    return out


def np_counts(batches, thresholds, top_k=None, class_id=None):
    """(tp, fp, tn, fn) per threshold: positive when pred > threshold."""
    thresholds = np.asarray(thresholds, dtype='float64')
    counts = np.zeros((4, len(thresholds)))
    for yt, yp, w in batches:
        yp = yp.astype('float64')
        w = np.ones(len(yt)) if w is None else w
        w = np.broadcast_to(w.reshape((-1,) + (1,) * (yp.ndim - 1)), yp.shape)
        if top_k is not None:
            order = np.argsort(-yp, axis=-1, kind='stable')
            keep = np.zeros_like(yp, dtype=bool)
            np.put_along_axis(keep, order[..., :top_k], True, axis=-1)
            yp = np.where(keep, yp, -1e10)
        if class_id is not None:
            yt, yp, w = yt[..., class_id], yp[..., class_id], w[..., class_id]
        pos = (yt != 0).ravel()
        for j, t in enumerate(thresholds):
            pred = (yp > t).ravel()
            ww = w.ravel()
            counts[:, j] += [(ww * (pos & pred)).sum(), (ww * (~pos & pred)).sum(),
                             (ww * (~pos & ~pred)).sum(), (ww * (pos & ~pred)).sum()]
    return counts


def safe_div(a, b):
    return np.where(b == 0, 0., a / np.where(b == 0, 1., b))


@pytest.mark.parametrize('cls,index,name', [
    (metrics.TruePositives, 0, 'true_positives'), (metrics.FalsePositives, 1, 'false_positives'),
    (metrics.TrueNegatives, 2, 'true_negatives'), (metrics.FalseNegatives, 3, 'false_negatives')])
def test_condition_counts(cls, index, name):
    batches = make_batches()
    m = cls()
    assert m.name == name
    outs = run_batches(m, batches)
    for i in range(3):
        assert np.shape(outs[i]) == ()
        assert float(outs[i]) == pytest.approx(np_counts(batches[:i + 1], [0.5])[index, 0],
                                               rel=1e-5)
    thresholds = [0.1, 0.5, 0.85]
    m = cls(thresholds=thresholds)
    out = run_batches(m, batches)[-1]
    np.testing.assert_allclose(out, np_counts(batches, thresholds)[index], rtol=1e-5)
    m.reset_states()
    np.testing.assert_array_equal(K.eval(m.result()), [0., 0., 0.])
    assert cls.from_config(m.get_config()).thresholds == thresholds


def test_docs_examples():
    m = metrics.TruePositives()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert K.eval(m.result()) == 2.
    m = metrics.FalsePositives()
    m.update_state([0, 1, 0, 0], [0, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    assert K.eval(m.result()) == 1.
    m = metrics.Precision()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert K.eval(m.result()) == pytest.approx(2 / 3)
    m = metrics.Recall()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert K.eval(m.result()) == pytest.approx(2 / 3)
    m = metrics.AUC(num_thresholds=3)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert K.eval(m.result()) == pytest.approx(0.75)
    m = metrics.MeanIoU(num_classes=2)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    assert K.eval(m.result()) == pytest.approx(1 / 3)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1])
    assert m.name == 'mean_io_u'


@pytest.mark.parametrize('cls,other', [(metrics.Precision, 1), (metrics.Recall, 3)])
def test_precision_recall_thresholds(cls, other):
    batches = make_batches(cols=2)
    m = cls()
    assert m.name == cls.__name__.lower()
    outs = run_batches(m, batches)
    for i in range(3):
        c = np_counts(batches[:i + 1], [0.5])
        assert float(outs[i]) == pytest.approx(c[0, 0] / (c[0, 0] + c[other, 0]), rel=1e-5)
    thresholds = [0., 0.3, 0.7, 1.]
    m = cls(thresholds=thresholds)
    out = run_batches(m, batches)[-1]
    c = np_counts(batches, thresholds)
    assert out.shape == (4,)
    np.testing.assert_allclose(out, safe_div(c[0], c[0] + c[other]), rtol=1e-5)
    assert out[-1] == 0.          # nothing is > 1: 0, not nan
    m.reset_states()
    np.testing.assert_array_equal(K.eval(m.result()), np.zeros(4))


@pytest.mark.parametrize('cls,other', [(metrics.Precision, 1), (metrics.Recall, 3)])
def test_precision_recall_top_k_and_class_id(cls, other):
    batches = []
    for _ in range(3):
        yt = (rng.rand(10, 5) < 0.4).astype('float32')
        batches.append((yt, rng.rand(10, 5).astype('float32'), rng.rand(10).astype('float32')))
    for kwargs in ({'top_k': 2}, {'class_id': 3}, {'top_k': 2, 'class_id': 1},
                   {'top_k': 3, 'thresholds': [0.2, 0.6]}):
        m = cls(**kwargs)
        out = run_batches(m, batches)[-1]
        default = -1e10 if 'top_k' in kwargs else 0.5
        c = np_counts(batches, kwargs.get('thresholds', [default]), kwargs.get('top_k'),
                      kwargs.get('class_id'))
        expected = safe_div(c[0], c[0] + c[other])
        np.testing.assert_allclose(np.atleast_1d(out), expected, rtol=1e-5, err_msg=str(kwargs))
        config = m.get_config()
        assert {k: config[k] for k in kwargs} == kwargs
        assert cls.from_config(config).get_config() == config


def test_precision_top_k_ties_go_to_lower_index():
    m = metrics.Precision(top_k=2)
    m.update_state([[0, 0, 1, 1]], [[0.5, 0.5, 0.5, 0.1]])
    assert K.eval(m.result()) == 0.                # the first two 0.5s are kept
    m = metrics.Recall(top_k=1)
    m.update_state([[0, 1, 0]], [[0.2, 0.9, 0.9]])
    assert K.eval(m.result()) == 1.


def test_thresholds_are_checked():
    with pytest.raises(ValueError, match='Threshold values must be in'):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match='num_thresholds'):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match='curve'):
        metrics.AUC(curve='XY')
    with pytest.raises(ValueError, match='summation method'):
        metrics.AUC(summation_method='midpoint')
    with pytest.raises(ValueError, match='specificity'):
        metrics.SensitivityAtSpecificity(1.5)


def np_auc(c, curve, method):
    tp, fp, tn, fn = c
    recall = safe_div(tp, tp + fn)
    if curve == 'ROC':
        x, y = safe_div(fp, fp + tn), recall
    else:
        x, y = recall, safe_div(tp, tp + fp)
    if method == 'interpolation':
        h = (y[:-1] + y[1:]) / 2
    elif method == 'minoring':
        h = np.minimum(y[:-1], y[1:])
    else:
        h = np.maximum(y[:-1], y[1:])
    return ((x[:-1] - x[1:]) * h).sum()


def np_pr_auc_interpolated(c, samples=4001):
    """PR area with tp and p = tp + fp linear between thresholds, integrated
    numerically: sum over intervals of the integral of tp(s)/p(s) d tp(s)."""
    tp, fp, _, fn = c
    p = tp + fp
    total = 0.
    for a in range(len(tp) - 1):
        if tp[a] - tp[a + 1] <= 0 or p[a] - p[a + 1] <= 0:
            continue
        s = np.linspace(0, 1, samples)
        tps = tp[a + 1] + s * (tp[a] - tp[a + 1])
        ps = p[a + 1] + s * (p[a] - p[a + 1])
        prec = np.where(ps > 0, tps / np.where(ps > 0, ps, 1), tp[a] / p[a] if p[a] else 0)
        if p[a + 1] == 0:
            prec = np.full_like(s, tp[a] / p[a])      # constant in the first bucket
        total += np.trapezoid(prec, tps) / (tp[a + 1] + fn[a + 1])
    return total


@pytest.mark.parametrize('curve', ['ROC', 'PR'])
@pytest.mark.parametrize('method', ['interpolation', 'minoring', 'majoring'])
def test_auc_against_numpy(curve, method):
    batches = []
    for _ in range(3):
        yt = rng.randint(0, 2, 30).astype('float32')
        yp = np.clip(yt * 0.35 + rng.rand(30) * 0.65, 0, 1).astype('float32')
        batches.append((yt, yp, rng.rand(30).astype('float32')))
    m = metrics.AUC(num_thresholds=50, curve=curve, summation_method=method)
    assert m.name == 'auc' and len(m.thresholds) == 50
    outs = run_batches(m, batches)
    eps = K.epsilon()
    thresholds = [-eps] + [(i + 1) / 49 for i in range(48)] + [1 + eps]
    for i in range(3):
        c = np_counts(batches[:i + 1], thresholds)
        if curve == 'PR' and method == 'interpolation':
            expected = np_pr_auc_interpolated(c)
        else:
            expected = np_auc(c, curve, method)
        assert float(outs[i]) == pytest.approx(expected, rel=2e-4, abs=1e-6)
    config = m.get_config()
    assert config['curve'] == curve and config['summation_method'] == method
    again = metrics.AUC.from_config(config)
    assert again.thresholds == m.thresholds and again.num_thresholds == 50
    m.reset_states()
    assert K.eval(m.result()) == 0.


def test_auc_roc_close_to_exact_rank_statistic_and_given_thresholds():
    yt = rng.randint(0, 2, 400).astype('float32')
    yp = np.clip(yt * 0.3 + rng.rand(400) * 0.7, 0, 1).astype('float32')
    m = metrics.AUC(num_thresholds=1000)
    m.update_state(yt, yp)
    pos, neg = yp[yt == 1], yp[yt == 0]
    exact = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) \
        / (len(pos) * len(neg))
    assert K.eval(m.result()) == pytest.approx(exact, abs=2e-3)
    m = metrics.AUC(thresholds=[0.7, 0.2, 0.5])
    assert m.num_thresholds == 5 and m.thresholds[1:-1] == [0.2, 0.5, 0.7]
    m.update_state(yt, yp)
    c = np_counts([(yt, yp, None)], m.thresholds)
    assert K.eval(m.result()) == pytest.approx(np_auc(c, 'ROC', 'interpolation'), rel=1e-5)


@pytest.mark.parametrize('cls,target', [(metrics.SensitivityAtSpecificity, 0.6),
                                        (metrics.SpecificityAtSensitivity, 0.7)])
def test_sensitivity_specificity_at(cls, target):
    batches = make_batches(size=40)
    m = cls(target, num_thresholds=21)
    outs = run_batches(m, batches)
    th = [0.] + [(i + 1) / 20 for i in range(19)] + [1.]
    for i in range(3):
        tp, fp, tn, fn = np_counts(batches[:i + 1], th)
        sens, spec = safe_div(tp, tp + fn), safe_div(tn, tn + fp)
        if cls is metrics.SensitivityAtSpecificity:
            expected = sens[np.argmin(np.abs(spec - target))]
        else:
            expected = spec[np.argmin(np.abs(sens - target))]
        assert float(outs[i]) == pytest.approx(expected, rel=1e-5)
    config = m.get_config()
    assert config['num_thresholds'] == 21
    assert cls.from_config(config).get_config() == config
    assert len(cls(target, num_thresholds=1).thresholds) == 1


def test_mean_iou_weighted_batches():
    n = 4
    batches = [(rng.randint(0, n, 25).astype('float32'), rng.randint(0, n, 25).astype('float32'),
                rng.rand(25).astype('float32')) for _ in range(3)]
    m = metrics.MeanIoU(num_classes=n)
    out = run_batches(m, batches)[-1]
    cm = np.zeros((n, n))
    for yt, yp, w in batches:
        np.add.at(cm, (yt.astype(int), yp.astype(int)), w)
    inter = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - inter
    assert float(out) == pytest.approx((inter[union > 0] / union[union > 0]).mean(), rel=1e-5)
    # A class never seen nor predicted is left out of the mean.
    m = metrics.MeanIoU(num_classes=3)
    m.update_state([0, 1], [0, 1])
    assert K.eval(m.result()) == pytest.approx(1.)
    assert metrics.MeanIoU.from_config(m.get_config()).num_classes == 3
