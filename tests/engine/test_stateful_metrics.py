"""Metric objects in compile/fit/evaluate (Keras 2.3): epoch values are the
metric over all the epoch's samples (not a mean of batch values), state is
reset per epoch, validation and evaluate are separate, metrics_names,
model.metrics, reset_metrics, train/test_on_batch, save/load."""
import numpy as np
import pytest

from kback import backend as K
from kback import metrics, optimizers
from kback.layers import Dense, Input
from kback.models import Model, Sequential, load_model

rng = np.random.RandomState(5)


def _data(n):
    x = rng.randn(n, 3).astype('float32')
    y = ((x[:, :1] + 0.8 * rng.randn(n, 1)) > 0).astype('float32')
    return x, y


def _frozen_model(metric_list, weighted=None):
    model = Sequential([Dense(1, activation='sigmoid', input_shape=(3,))])
    model.compile(optimizers.SGD(lr=0.), 'binary_crossentropy', metrics=metric_list,
                  weighted_metrics=weighted)
    return model


def _np_metrics(y, p, w=None):
    w = np.ones(len(y)) if w is None else w
    y, p = y[:, 0], p[:, 0]
    pred = p > 0.5
    tp = (w * (pred & (y == 1))).sum()
    fp = (w * (pred & (y == 0))).sum()
    eps = K.epsilon()
    th = [-eps] + [(i + 1) / 199 for i in range(198)] + [1 + eps]
    tpr, fpr = [], []
    for t in th:
        pos = p > t
        tpr.append((w * (pos & (y == 1))).sum() / (w * (y == 1)).sum())
        fpr.append((w * (pos & (y == 0))).sum() / (w * (y == 0)).sum())
    tpr, fpr = np.array(tpr), np.array(fpr)
    auc = ((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2).sum()
    return {'precision': tp / (tp + fp), 'acc': (w * (pred == (y == 1))).sum() / w.sum(),
            'my_auc': auc, 'true_positives': tp}


def test_fit_history_is_the_epoch_metric_over_all_samples():
    x, y = _data(100)
    vx, vy = _data(40)
    model = _frozen_model([metrics.Precision(), 'acc', metrics.AUC(name='my_auc'),
                           metrics.TruePositives()])
    assert model.metrics_names == ['loss', 'precision', 'acc', 'my_auc', 'true_positives']
    assert [type(m).__name__ for m in model.metrics] == \
        ['Precision', 'MeanMetricWrapper', 'AUC', 'TruePositives']
    history = model.fit(x, y, batch_size=16, epochs=2, validation_data=(vx, vy), verbose=0)
    train = _np_metrics(y, model.predict(x))
    val = _np_metrics(vy, model.predict(vx))
    for name, value in train.items():
        # The same in both epochs: the state was reset at each epoch start.
        np.testing.assert_allclose(history.history[name], [value, value], rtol=1e-4,
                                   err_msg=name)
        np.testing.assert_allclose(history.history['val_' + name], [val[name]] * 2,
                                   rtol=1e-4, err_msg=name)
    # The epoch's precision is not the mean of the batch precisions.
    p = model.predict(x)
    batch_prec = [_np_metrics(y[i:i + 16], p[i:i + 16])['precision'] for i in range(0, 100, 16)]
    assert abs(np.mean(batch_prec) - train['precision']) > 1e-3
    # evaluate: a fresh metric over the whole set, whatever came before.
    for _ in range(2):
        loss, prec, acc, auc, tp = model.evaluate(x, y, batch_size=7, verbose=0)
        np.testing.assert_allclose([prec, acc, auc, tp],
                                   [train[k] for k in ('precision', 'acc', 'my_auc',
                                                       'true_positives')], rtol=1e-4)
    fresh = metrics.AUC()
    fresh.update_state(y, p)
    assert auc == pytest.approx(float(K.eval(fresh.result())), rel=1e-5)


def test_batch_logs_show_running_values():
    x, y = _data(48)
    model = _frozen_model([metrics.TruePositives(name='tp')])
    seen = []
    from kback.callbacks import LambdaCallback
    cb = LambdaCallback(on_batch_end=lambda batch, logs: seen.append(logs['tp']))
    model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, callbacks=[cb])
    p = model.predict(x)[:, 0] > 0.5
    running = np.cumsum([(p[i:i + 16] & (y[i:i + 16, 0] == 1)).sum() for i in (0, 16, 32)])
    assert seen == list(running) * 2


def test_weighted_metrics_and_sample_weights():
    x, y = _data(60)
    w = rng.rand(60).astype('float32') + 0.1
    model = _frozen_model(['acc'], weighted=[metrics.Precision(), 'acc'])
    assert model.metrics_names == ['loss', 'acc', 'precision', 'acc_1']
    history = model.fit(x, y, sample_weight=w, batch_size=13, epochs=1, verbose=0)
    p = model.predict(x)
    weighted, plain = _np_metrics(y, p, w), _np_metrics(y, p)
    assert history.history['acc'][0] == pytest.approx(plain['acc'], rel=1e-5)
    assert history.history['acc_1'][0] == pytest.approx(weighted['acc'], rel=1e-5)
    assert history.history['precision'][0] == pytest.approx(weighted['precision'], rel=1e-5)


def test_train_and_test_on_batch_reset_metrics():
    x, y = _data(30)
    model = _frozen_model([metrics.TruePositives()])
    p = model.predict(x)[:, 0] > 0.5
    tp = [(p[i:i + 10] & (y[i:i + 10, 0] == 1)).sum() for i in (0, 10, 20)]
    assert model.test_on_batch(x[:10], y[:10], reset_metrics=False)[1] == tp[0]
    assert model.train_on_batch(x[10:20], y[10:20], reset_metrics=False)[1] == tp[0] + tp[1]
    assert model.test_on_batch(x[20:], y[20:])[1] == sum(tp)     # then resets
    assert model.test_on_batch(x[20:], y[20:])[1] == tp[2]
    model.test_on_batch(x[:10], y[:10], reset_metrics=False)
    model.reset_metrics()
    assert K.eval(model.metrics[0].result()) == 0.


def test_duplicate_names_and_shared_instances():
    x, y = _data(20)
    shared = metrics.Precision()
    model = _frozen_model([shared, metrics.Precision(), 'acc', 'acc'], weighted=[shared])
    assert model.metrics_names == ['loss', 'precision', 'precision_1', 'acc', 'acc_1',
                                   'precision_2']
    assert model.metrics[0] is shared and model.metrics[4] is not shared
    history = model.fit(x, y, epochs=1, verbose=0)
    value = _np_metrics(y, model.predict(x))['precision']
    for name in ('precision', 'precision_1', 'precision_2'):
        assert history.history[name][0] == pytest.approx(value, rel=1e-5)


def test_multi_output_names_and_per_output_losses():
    inp = Input((3,))
    a = Dense(1, activation='sigmoid', name='a')(inp)
    b = Dense(2, name='b')(inp)
    model = Model(inp, [a, b])
    model.compile(optimizers.SGD(lr=0.), ['binary_crossentropy', 'mse'],
                  metrics={'a': [metrics.AUC(), 'acc'], 'b': [metrics.RootMeanSquaredError()]})
    assert model.metrics_names == ['loss', 'a_loss', 'b_loss', 'a_auc', 'a_acc',
                                   'b_root_mean_squared_error']
    x, ya = _data(50)
    yb = rng.randn(50, 2).astype('float32')
    history = model.fit(x, [ya, yb], batch_size=16, epochs=1, verbose=0)
    pa, pb = model.predict(x)
    mse = ((pb - yb) ** 2).mean()
    assert history.history['b_loss'][0] == pytest.approx(mse, rel=1e-4)
    assert history.history['b_root_mean_squared_error'][0] == pytest.approx(np.sqrt(mse),
                                                                            rel=1e-4)
    bce = -(ya * np.log(pa) + (1 - ya) * np.log(1 - pa)).mean()
    assert history.history['a_loss'][0] == pytest.approx(bce, rel=1e-4)
    assert history.history['loss'][0] == pytest.approx(bce + mse, rel=1e-4)
    results = model.evaluate(x, [ya, yb], verbose=0)
    assert results[2] == pytest.approx(mse, rel=1e-4)


class HalfCount(metrics.Metric):
    """A user metric: half the number of positive predictions."""

    def __init__(self, name='half_count', **kwargs):
        super().__init__(name=name, **kwargs)
        self.n = self.add_weight('n')

    def update_state(self, y_true, y_pred, sample_weight=None):
        return K.update_add(self.n, K.sum(K.cast(K.greater(y_pred, 0.5), 'float32')))

    def result(self):
        return self.n / 2.


def test_save_and_load_with_metric_objects(tmp_path):
    x, y = _data(40)
    model = _frozen_model([metrics.Precision(thresholds=0.4, name='p40'), 'acc',
                           metrics.AUC(curve='PR'), HalfCount()])
    model.fit(x, y, epochs=1, verbose=0)
    before = model.evaluate(x, y, verbose=0)
    path = str(tmp_path / 'm.h5')
    model.save(path)
    with pytest.raises(ValueError, match='HalfCount'):
        load_model(path)
    loaded = load_model(path, custom_objects={'HalfCount': HalfCount})
    assert loaded.metrics_names == ['loss', 'p40', 'acc', 'auc', 'half_count']
    assert loaded.metrics[0].thresholds == [0.4]
    assert loaded.metrics[2].curve.value == 'PR'
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), before, rtol=1e-5)
    half = (model.predict(x) > 0.5).sum() / 2
    assert before[-1] == pytest.approx(half)
