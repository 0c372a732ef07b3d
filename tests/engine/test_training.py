"""compile / fit / evaluate / predict / *_on_batch (Keras 2.3 training.py)."""
import re

import numpy as np
import pytest

from kback import backend as K
from kback.layers import Input, Dense
from kback.models import Model, Sequential
from kback.optimizers import SGD

from .helpers import (linear_model, mlp, classification_data, regression_data, twin_models,
                      assert_same_weights, two_output_model)


def _forward(model, x):
    w, b = model.layers[0].get_weights()
    return x @ w + b


def test_fit_returns_history():
    model = mlp()
    model.compile('sgd', 'categorical_crossentropy', metrics=['acc'])
    x, y, _ = classification_data()
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0)
    assert history is model.history
    assert history.epoch == [0, 1, 2]
    assert sorted(history.history) == ['acc', 'loss']
    assert len(history.history['loss']) == 3
    assert history.params == {'batch_size': 8, 'epochs': 3, 'steps': None, 'samples': 20,
                              'verbose': 0, 'do_validation': False, 'metrics': ['loss', 'acc']}


def test_metric_names_follow_user_spelling():
    x, y, _ = classification_data()
    for name in ('acc', 'accuracy'):
        model = mlp()
        model.compile('sgd', 'categorical_crossentropy', metrics=[name])
        assert model.metrics_names == ['loss', name]
        assert name in model.fit(x, y, verbose=0).history
    model = mlp()
    model.compile('sgd', 'categorical_crossentropy', metrics=['mae', 'categorical_accuracy'])
    assert model.metrics_names == ['loss', 'mae', 'categorical_accuracy']


def test_multi_output_names_losses_and_weights():
    model = two_output_model()
    model.compile('sgd', loss=['categorical_crossentropy', 'mse'], metrics=['acc'],
                  loss_weights=[1., 0.5])
    assert model.metrics_names == ['loss', 'dense_2_loss', 'dense_3_loss', 'dense_2_acc',
                                   'dense_3_acc']
    x, y, _ = classification_data(n=10, n_in=3, n_classes=2)
    y2 = np.random.rand(10, 1)
    loss, l1, l2, a1, a2 = model.evaluate(x, [y, y2], batch_size=10, verbose=0)
    assert loss == pytest.approx(l1 + 0.5 * l2, rel=1e-5)
    p1, p2 = model.predict(x)
    assert l2 == pytest.approx(np.mean((p2 - y2) ** 2), rel=1e-4)
    ce = -np.mean(np.sum(y * np.log(np.clip(p1, 1e-7, 1 - 1e-7)), axis=1))
    assert l1 == pytest.approx(ce, rel=1e-4)
    assert a1 == pytest.approx(np.mean(p1.argmax(1) == y.argmax(1)))
    history = model.fit(x, [y, y2], epochs=1, verbose=0)
    assert set(history.history) == set(model.metrics_names)


def test_loss_and_metric_dicts_by_output_name():
    model = two_output_model()
    model.compile('sgd', loss={'dense_2': 'categorical_crossentropy', 'dense_3': 'mae'},
                  loss_weights={'dense_2': 2., 'dense_3': 1.},
                  metrics={'dense_2': 'accuracy'})
    assert model.metrics_names == ['loss', 'dense_2_loss', 'dense_3_loss', 'dense_2_accuracy']
    x, y, _ = classification_data(n=6, n_in=3, n_classes=2)
    y2 = np.zeros((6, 1))
    loss, l1, l2, _ = model.evaluate(x, {'dense_2': y, 'dense_3': y2}, verbose=0)
    assert loss == pytest.approx(2 * l1 + l2, rel=1e-5)
    with pytest.raises(ValueError, match='nope'):
        model.compile('sgd', loss={'nope': 'mse'})
    with pytest.raises(ValueError, match='2 outputs'):
        model.compile('sgd', loss=['mse'])


def test_evaluate_and_predict_match_numpy():
    model = linear_model(3, 2)
    model.compile('sgd', 'mse', metrics=['mae'])
    x, y = regression_data(n=11, n_out=2)
    pred = model.predict(x, batch_size=4)
    np.testing.assert_allclose(pred, _forward(model, x), rtol=1e-5, atol=1e-6)
    loss, mae = model.evaluate(x, y, batch_size=4, verbose=0)
    assert loss == pytest.approx(np.mean((pred - y) ** 2), rel=1e-5)
    assert mae == pytest.approx(np.mean(np.abs(pred - y)), rel=1e-5)
    single = linear_model()
    single.compile('sgd', 'mse')
    assert isinstance(single.evaluate(x, y[:, :1], verbose=0), float)


def test_fit_sgd_step_matches_numpy():
    model = linear_model(3, 1)
    model.compile(SGD(lr=0.1), 'mse')
    x, y = regression_data(n=8)
    w, b = [v.astype('float64') for v in model.get_weights()]
    for start in (0, 4):                      # shuffle=False: batches in order
        xb, yb = x[start:start + 4], y[start:start + 4]
        err = xb @ w + b - yb
        w = w - 0.1 * 2 * xb.T @ err / len(xb)
        b = b - 0.1 * 2 * err.mean(axis=0)
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-4, atol=1e-6)


def test_shuffle_changes_batch_order():
    x, y = regression_data(n=16)
    builder = lambda: linear_model(3, 1)  # noqa: E731
    a, b = twin_models(builder, optimizer=SGD(lr=0.5), loss='mse')
    a.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    b.fit(x, y, batch_size=2, epochs=1, shuffle=True, verbose=0)
    assert_same_weights(a, b, same=False)
    c, d = twin_models(builder, optimizer=SGD(lr=0.5), loss='mse')
    c.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    d.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    assert_same_weights(c, d)


def test_validation_split_takes_last_fraction_unshuffled():
    x, y = regression_data(n=10)
    model = linear_model()
    model.compile(SGD(lr=0.1), 'mse')
    history = model.fit(x, y, validation_split=0.3, epochs=1, shuffle=True, verbose=0)
    assert history.params['samples'] == 7
    assert history.params['do_validation']
    assert history.history['val_loss'][0] == pytest.approx(
        model.evaluate(x[7:], y[7:], verbose=0), rel=1e-5)
    # training only saw the first 7 samples
    other = linear_model()
    other.compile(SGD(lr=0.1), 'mse')
    other.set_weights(model.get_weights())
    assert set(history.history) == {'loss', 'val_loss'}


def test_validation_data_and_metrics():
    x, y, _ = classification_data()
    vx, vy, _ = classification_data(n=6, seed=1)
    model = mlp()
    model.compile('sgd', 'categorical_crossentropy', metrics=['acc'])
    history = model.fit(x, y, validation_data=(vx, vy), epochs=2, verbose=0)
    assert sorted(history.history) == ['acc', 'loss', 'val_acc', 'val_loss']
    assert history.params['metrics'] == ['loss', 'acc', 'val_loss', 'val_acc']
    val_loss, val_acc = model.evaluate(vx, vy, verbose=0)
    assert history.history['val_loss'][-1] == pytest.approx(val_loss, rel=1e-5)
    assert history.history['val_acc'][-1] == pytest.approx(val_acc, rel=1e-5)
    with pytest.raises(ValueError, match='validation_data'):
        model.fit(x, y, validation_data=(vx,), verbose=0)


def test_zero_sample_weight_removes_influence():
    x, y = regression_data(n=6)
    y_other = y.copy()
    y_other[[1, 4]] += 100.
    sw = np.array([1., 0., 1., 1., 0., 1.])
    a, b = twin_models(linear_model, optimizer=SGD(lr=0.1), loss='mse')
    a.fit(x, y, sample_weight=sw, batch_size=3, epochs=2, shuffle=False, verbose=0)
    b.fit(x, y_other, sample_weight=sw, batch_size=3, epochs=2, shuffle=False, verbose=0)
    assert_same_weights(a, b)
    # the weighted loss value: sum(w * l) / batch size (Keras 2.3 reduction)
    model = linear_model()
    model.compile('sgd', 'mse')
    per_sample = np.mean((model.predict(x) - y) ** 2, axis=1)
    got = model.test_on_batch(x, y, sample_weight=sw)
    assert got == pytest.approx(np.sum(per_sample * sw) / len(x), rel=1e-5)


def test_class_weight_equals_sample_weight():
    x, y, labels = classification_data(n=12)
    cw = {0: 0., 1: 2., 2: 1.}
    sw = np.array([cw[c] for c in labels])
    a, b = twin_models(mlp, optimizer=SGD(lr=0.5), loss='categorical_crossentropy')
    la = a.train_on_batch(x, y, class_weight=cw)
    lb = b.train_on_batch(x, y, sample_weight=sw)
    assert la == pytest.approx(lb, rel=1e-6)
    assert_same_weights(a, b)
    c, d = twin_models(mlp, optimizer=SGD(lr=0.5), loss='categorical_crossentropy')
    c.fit(x, y, class_weight=cw, batch_size=4, epochs=2, shuffle=False, verbose=0)
    d.fit(x, y, sample_weight=sw, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert_same_weights(c, d)
    with pytest.raises(ValueError, match='class_weight'):
        c.fit(x, y, class_weight={0: 1.}, verbose=0)


def test_initial_epoch():
    model = linear_model()
    model.compile('sgd', 'mse')
    x, y = regression_data()
    history = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]


def test_steps_per_epoch_with_arrays():
    model = linear_model()
    model.compile('sgd', 'mse')
    x, y = regression_data()
    seen = []

    from kback.callbacks import Callback

    class Count(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(batch)
    history = model.fit(x, y, steps_per_epoch=3, epochs=2, verbose=0, callbacks=[Count()])
    assert seen == [0, 1, 2, 0, 1, 2]
    assert history.params['steps'] == 3
    assert history.params['samples'] is None


def test_on_batch_methods():
    model = mlp()
    model.compile('sgd', 'categorical_crossentropy', metrics=['acc'])
    x, y, _ = classification_data(n=5)
    before = model.get_weights()
    loss, acc = model.test_on_batch(x, y)
    assert_same_weights_list(before, model.get_weights())
    loss2, acc2 = model.train_on_batch(x, y)
    assert loss2 == pytest.approx(loss, rel=1e-5)     # loss before the update
    assert acc2 == pytest.approx(acc)
    assert model.test_on_batch(x, y)[0] < loss
    pred = model.predict_on_batch(x)
    np.testing.assert_allclose(pred, model.predict(x), rtol=1e-6)
    single = linear_model()
    single.compile('sgd', 'mse')
    assert isinstance(single.train_on_batch(x[:, :3], y[:, :1]), float)


def assert_same_weights_list(a, b):
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


def test_regularization_losses_join_total_loss():
    model = Sequential([Dense(2, input_shape=(3,), kernel_regularizer='l2')])
    model.compile('sgd', 'mse')
    assert len(model.losses) == 1
    x, y = regression_data(n=4, n_out=2)
    pred = model.predict(x)
    penalty = 0.01 * np.sum(model.get_weights()[0] ** 2)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(
        np.mean((pred - y) ** 2) + penalty, rel=1e-5)


def test_verbose_2_line_format(capsys):
    model = mlp()
    model.compile('sgd', 'categorical_crossentropy', metrics=['acc'])
    x, y, _ = classification_data()
    model.fit(x, y, epochs=2, verbose=2)
    out = capsys.readouterr().out
    lines = [l for l in out.splitlines() if l]
    assert lines[0] == 'Epoch 1/2'
    assert re.fullmatch(r' - \d+s - loss: \d+\.\d{4} - acc: \d+\.\d{4}(e[+-]\d+)?', lines[1])
    assert lines[2] == 'Epoch 2/2'


def test_verbose_1_progress_bar(capsys):
    model = mlp()
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    x, y, _ = classification_data()
    vx, vy, _ = classification_data(n=5, seed=3)
    model.fit(x, y, epochs=1, batch_size=8, verbose=1, validation_data=(vx, vy))
    out = capsys.readouterr().out
    assert 'Train on 20 samples, validate on 5 samples' in out
    assert 'Epoch 1/1' in out
    final = out.replace('\b', '').replace('\r', '\n').splitlines()
    last = [l for l in final if l.startswith('20/20')][-1]
    assert re.fullmatch(r'20/20 \[={30}\] - \d+s \d+[um]?s/step - loss: \d+\.\d{4} - '
                        r'accuracy: \S+ - val_loss: \S+ - val_accuracy: \S+',
                        last), last


def test_evaluate_verbose_1(capsys):
    model = linear_model()
    model.compile('sgd', 'mse')
    x, y = regression_data()
    model.evaluate(x, y, verbose=1)
    out = capsys.readouterr().out.replace('\b', '').replace('\r', '\n')
    assert re.search(r'12/12 \[={30}\] - \d+s \d+[um]?s/step', out)


def test_trainable_false_freezes_weights():
    model = mlp()
    model.layers[0].trainable = False
    model.compile('sgd', 'categorical_crossentropy')
    frozen = model.layers[0].get_weights()
    x, y, _ = classification_data()
    model.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(frozen, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_history_values_are_python_floats():
    model = linear_model()
    model.compile('sgd', 'mse', metrics=['mae'])
    x, y = regression_data()
    history = model.fit(x, y, epochs=1, verbose=0)
    assert all(type(v[0]) is float for v in history.history.values())
    assert all(type(v) is float for v in model.evaluate(x, y, verbose=0))


def test_evaluate_with_steps_feeds_all_arrays():
    model = linear_model()
    model.compile('sgd', 'mse')
    x, y = regression_data()
    assert model.evaluate(x, y, steps=2, verbose=0) == pytest.approx(
        model.evaluate(x, y, verbose=0), rel=1e-5)
