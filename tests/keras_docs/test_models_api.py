"""Keras 2.3's Models API pages: Model/Sequential methods, compile/fit/evaluate/
predict arguments and return types, clone_model, YAML."""
import inspect

import numpy as np
import pytest

from kback import backend as K
from kback.layers import Input, Dense, Dropout
from kback.models import Model, Sequential, clone_model, model_from_yaml
from kback import optimizers


def _two_output_model():
    inp = Input(shape=(3,), name='inp')
    h = Dense(4, activation='relu', name='hidden')(inp)
    a = Dense(2, activation='softmax', name='a')(h)
    b = Dense(1, name='b')(h)
    return Model(inp, [a, b])


def test_signatures_and_defaults():
    fit = inspect.signature(Model.fit).parameters
    assert list(fit)[1:] == ['x', 'y', 'batch_size', 'epochs', 'verbose', 'callbacks',
                             'validation_split', 'validation_data', 'shuffle', 'class_weight',
                             'sample_weight', 'initial_epoch', 'steps_per_epoch',
                             'validation_steps', 'validation_freq', 'max_queue_size', 'workers',
                             'use_multiprocessing', 'kwargs'][:len(fit) - 1]
    assert fit['epochs'].default == 1 and fit['verbose'].default == 1
    assert fit['validation_split'].default == 0. and fit['shuffle'].default is True
    ev = inspect.signature(Model.evaluate).parameters
    assert list(ev)[1:6] == ['x', 'y', 'batch_size', 'verbose', 'sample_weight']
    pr = inspect.signature(Model.predict).parameters
    assert list(pr)[1:4] == ['x', 'batch_size', 'verbose'] and pr['verbose'].default == 0
    comp = inspect.signature(Model.compile).parameters
    assert list(comp)[1:8] == ['optimizer', 'loss', 'metrics', 'loss_weights',
                               'sample_weight_mode', 'weighted_metrics', 'target_tensors']
    tob = inspect.signature(Model.train_on_batch).parameters
    assert list(tob)[1:] == ['x', 'y', 'sample_weight', 'class_weight', 'reset_metrics']
    fg = inspect.signature(Model.fit_generator).parameters
    assert list(fg)[1:4] == ['generator', 'steps_per_epoch', 'epochs']


def test_evaluate_scalar_without_metrics_list_with():
    model = Sequential([Dense(1, input_dim=3)])
    model.compile('sgd', 'mse')
    x, y = np.random.random((10, 3)), np.random.random((10, 1))
    out = model.evaluate(x, y, verbose=0)
    assert np.ndim(out) == 0
    assert model.metrics_names == ['loss']
    assert np.ndim(model.train_on_batch(x, y)) == 0
    assert np.ndim(model.test_on_batch(x, y)) == 0
    model.compile('sgd', 'mse', metrics=['mae'])
    out = model.evaluate(x, y, verbose=0)
    assert isinstance(out, list) and len(out) == 2
    assert model.metrics_names == ['loss', 'mae']
    out = model.train_on_batch(x, y)
    assert isinstance(out, list) and len(out) == 2


def test_metric_names_for_aliases():
    model = Sequential([Dense(2, input_dim=3, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy',
                  metrics=['acc', 'accuracy', 'mse', 'mean_squared_error', 'ce',
                           'categorical_crossentropy', 'top_k_categorical_accuracy'])
    assert model.metrics_names == ['loss', 'acc', 'accuracy', 'mse', 'mean_squared_error',
                                   'ce', 'categorical_crossentropy',
                                   'top_k_categorical_accuracy']


def test_multi_output_metrics_dict_and_weighted_metrics():
    model = _two_output_model()
    model.compile('sgd', loss=['categorical_crossentropy', 'mse'],
                  metrics={'a': 'accuracy', 'b': ['mae']}, weighted_metrics=['mse'])
    # Per output: its metrics, then its weighted metrics, named as given (Keras 2.3).
    assert model.metrics_names == ['loss', 'a_loss', 'b_loss', 'a_accuracy', 'a_mse',
                                   'b_mae', 'b_mse']
    x = np.random.random((6, 3))
    ya = np.eye(2)[np.random.randint(2, size=6)]
    yb = np.random.random((6, 1))
    out = model.evaluate(x, [ya, yb], verbose=0)
    assert len(out) == 7


def test_sample_weight_mode_temporal():
    inp = Input(shape=(4, 3))
    out = Dense(2)(inp)
    model = Model(inp, out)
    model.compile('sgd', 'mse', sample_weight_mode='temporal')
    x = np.random.random((5, 4, 3))
    y = np.random.random((5, 4, 2))
    sw = np.ones((5, 4))
    sw[:, 2:] = 0
    model.fit(x, y, sample_weight=sw, verbose=0, epochs=1)
    loss = model.evaluate(x, y, sample_weight=sw, verbose=0)
    pred = model.predict(x)
    per_step = ((pred - y) ** 2).mean(axis=-1)
    np.testing.assert_allclose(loss, (per_step * sw).sum() / sw.size, rtol=1e-4)


def test_sample_weight_and_class_weight():
    model = Sequential([Dense(1, input_dim=2, kernel_initializer='zeros')])
    model.compile('sgd', 'mae')
    x = np.random.random((4, 2))
    y = np.array([[1.], [2.], [3.], [4.]])
    loss = model.evaluate(x, y, sample_weight=np.array([1., 0., 0., 1.]), verbose=0)
    np.testing.assert_allclose(loss, (1 + 4) / 4, rtol=1e-6)


def test_predict_returns_array_and_batches():
    model = Sequential([Dense(2, input_dim=3)])
    x = np.random.random((70, 3))
    out = model.predict(x, batch_size=32)
    assert isinstance(out, np.ndarray) and out.shape == (70, 2)
    np.testing.assert_allclose(out, model.predict_on_batch(x), rtol=1e-5)


def test_fit_returns_history_with_validation_data_three_items():
    model = Sequential([Dense(1, input_dim=3)])
    model.compile('sgd', 'mse', metrics=['mae'])
    x, y = np.random.random((10, 3)), np.random.random((10, 1))
    hist = model.fit(x, y, validation_data=(x, y, np.ones(10)), epochs=2, verbose=0)
    assert set(hist.history) == {'loss', 'mae', 'val_loss', 'val_mae'}


def test_initial_epoch():
    model = Sequential([Dense(1, input_dim=3)])
    model.compile('sgd', 'mse')
    x, y = np.random.random((10, 3)), np.random.random((10, 1))
    hist = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert hist.epoch == [3, 4]


def test_frozen_model_fits_with_every_optimizer():
    for name in ['sgd', 'rmsprop', 'adagrad', 'adadelta', 'adam', 'adamax', 'nadam']:
        model = Sequential([Dense(2, input_dim=3, trainable=False)])
        model.compile(name, 'mse')
        before = model.get_weights()
        model.fit(np.random.random((4, 3)), np.random.random((4, 2)), verbose=0)
        for a, b in zip(before, model.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_clone_model_functional_and_sequential():
    model = _two_output_model()
    clone = clone_model(model)
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    assert clone.layers[1] is not model.layers[1]
    clone.set_weights(model.get_weights())
    x = np.random.random((4, 3))
    for a, b in zip(model.predict(x), clone.predict(x)):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    seq = Sequential([Dense(4, input_dim=3), Dropout(0.3), Dense(2)])
    seq2 = clone_model(seq)
    assert isinstance(seq2, Sequential) and len(seq2.layers) == 3
    assert seq2.output_shape == (None, 2)
    new_in = Input(shape=(3,))
    seq3 = clone_model(seq, input_tensors=new_in)
    assert seq3.input is new_in
    f2 = clone_model(model, input_tensors=[Input(shape=(3,))])
    assert f2.output_shape == [(None, 2), (None, 1)]


def test_yaml_round_trip():
    model = _two_output_model()
    yaml_string = model.to_yaml()
    assert isinstance(yaml_string, str)
    m2 = model_from_yaml(yaml_string)
    assert [l.name for l in m2.layers] == [l.name for l in model.layers]
    seq = Sequential([Dense(4, input_dim=3), Dense(2)])
    s2 = model_from_yaml(seq.to_yaml())
    assert isinstance(s2, Sequential) and s2.output_shape == (None, 2)


def test_yaml_without_pyyaml_names_the_package(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_yaml(name, *args, **kwargs):
        if name == 'yaml':
            raise ImportError('no yaml here')
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, '__import__', no_yaml)
    with pytest.raises(ImportError, match='pyyaml'):
        Sequential([Dense(2, input_dim=3)]).to_yaml()


def test_get_layer_and_summary(capsys):
    model = _two_output_model()
    assert model.get_layer('hidden') is model.layers[1]
    assert model.get_layer(index=1) is model.layers[1]
    with pytest.raises(ValueError):
        model.get_layer('nope')
    model.summary()
    out = capsys.readouterr().out
    assert 'Total params: 31' in out and 'Trainable params: 31' in out


def test_optimizer_clipnorm_and_clipvalue():
    sgd = optimizers.SGD(lr=0.01, clipnorm=1.)
    assert sgd.clipnorm == 1.
    sgd = optimizers.SGD(lr=0.01, clipvalue=0.5)
    assert sgd.clipvalue == 0.5
    model = Sequential([Dense(1, input_dim=2, kernel_initializer='zeros', use_bias=False)])
    model.compile(optimizers.SGD(lr=1., clipvalue=0.5), 'mse')
    model.train_on_batch(np.array([[100., 100.]]), np.array([[100.]]))
    np.testing.assert_allclose(model.get_weights()[0], [[0.5], [0.5]])
    model = Sequential([Dense(1, input_dim=2, kernel_initializer='zeros', use_bias=False)])
    model.compile(optimizers.SGD(lr=1., clipnorm=1.), 'mse')
    model.train_on_batch(np.array([[100., 100.]]), np.array([[100.]]))
    np.testing.assert_allclose(model.get_weights()[0], [[2 ** -0.5], [2 ** -0.5]], rtol=1e-5)


def test_train_on_batch_reset_metrics_false_keeps_running_means():
    model = Sequential([Dense(1, input_dim=1, kernel_initializer='zeros', use_bias=False)])
    model.compile(optimizers.SGD(lr=0.), 'mae', metrics=['mae'])
    x = np.ones((2, 1))
    loss1, mae1 = model.test_on_batch(x, np.full((2, 1), 1.), reset_metrics=False)
    loss2, mae2 = model.test_on_batch(np.ones((6, 1)), np.full((6, 1), 3.),
                                      reset_metrics=False)
    assert (loss1, mae1) == (1., 1.)
    # The loss is this batch's; the metric is the mean over the 8 samples seen.
    assert loss2 == pytest.approx(3.) and mae2 == pytest.approx((2 * 1 + 6 * 3) / 8)
    _, mae3 = model.train_on_batch(x, np.full((2, 1), 5.))        # resets after
    assert mae3 == pytest.approx((2 * 1 + 6 * 3 + 2 * 5) / 10)
    _, mae4 = model.train_on_batch(x, np.full((2, 1), 5.))
    assert mae4 == pytest.approx(5.)
    model.test_on_batch(x, np.full((2, 1), 7.), reset_metrics=False)
    model.reset_metrics()
    assert model.test_on_batch(x, np.full((2, 1), 1.))[1] == pytest.approx(1.)


def test_generator_arguments_are_checked():
    from kback.utils import Sequence

    class Seq(Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.ones((3, 3)), np.ones((3, 1))
    model = Sequential([Dense(1, input_dim=3)])
    model.compile('sgd', 'mse')
    with pytest.raises(ValueError, match='validation_split'):
        model.fit(Seq(), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match='`y` argument is not supported'):
        model.fit(Seq(), np.ones((6, 1)), verbose=0)
    with pytest.raises(ValueError, match='`sample_weight` argument'):
        model.evaluate(Seq(), sample_weight=np.ones(6), verbose=0)
    assert np.ndim(model.evaluate(Seq(), verbose=0)) == 0
