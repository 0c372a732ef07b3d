"""Callbacks as the training loop drives them: hooks and their order,
model.stop_training, EarlyStopping, ModelCheckpoint, TerminateOnNaN."""
import os

import numpy as np
import pytest

from kback import callbacks as cbks
from kback.layers import Dense, Lambda
from kback.models import Sequential, load_model
from kback.optimizers import SGD

from .helpers import linear_model, regression_data

X, Y = regression_data(n=8)


class Recorder(cbks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def _log(self, name, logs):
        self.calls.append((name, dict(logs or {})))

    def on_train_begin(self, logs=None):
        self._log('train_begin', logs)

    def on_train_end(self, logs=None):
        self._log('train_end', logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._log(f'epoch_begin {epoch}', logs)

    def on_epoch_end(self, epoch, logs=None):
        self._log(f'epoch_end {epoch}', logs)

    def on_batch_begin(self, batch, logs=None):
        self._log(f'batch_begin {batch}', logs)

    def on_batch_end(self, batch, logs=None):
        self._log(f'batch_end {batch}', logs)

    def on_test_begin(self, logs=None):
        self._log('test_begin', logs)

    def on_test_end(self, logs=None):
        self._log('test_end', logs)

    def on_test_batch_end(self, batch, logs=None):
        self._log(f'test_batch_end {batch}', logs)

    def on_predict_begin(self, logs=None):
        self._log('predict_begin', logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._log(f'predict_batch_end {batch}', logs)

    def on_predict_end(self, logs=None):
        self._log('predict_end', logs)


def test_fit_hook_order_and_logs():
    model = linear_model()
    model.compile('sgd', 'mse', metrics=['mae'])
    rec = Recorder()
    model.fit(X, Y, batch_size=4, epochs=2, verbose=0, callbacks=[rec],
              validation_data=(X, Y))
    names = [c[0] for c in rec.calls]
    assert names[:4] == ['train_begin', 'epoch_begin 0', 'batch_begin 0', 'batch_end 0']
    assert names[-1] == 'train_end'
    epoch0 = names.index('epoch_end 0')
    assert names[epoch0 - 4:epoch0] == ['test_begin', 'test_batch_end 0', 'test_batch_end 1',
                                        'test_end']
    batch_logs = dict(rec.calls)['batch_end 0']
    assert batch_logs['batch'] == 0 and batch_logs['size'] == 4
    assert set(batch_logs) >= {'loss', 'mae'}
    epoch_logs = dict(rec.calls)['epoch_end 1']
    assert set(epoch_logs) == {'loss', 'mae', 'val_loss', 'val_mae'}
    assert rec.model is model
    assert rec.params['epochs'] == 2


def test_epoch_logs_average_batches():
    model = linear_model()
    model.compile(SGD(lr=0.), 'mse', metrics=['mae'])     # weights fixed
    rec = Recorder()
    model.fit(X, Y, batch_size=3, epochs=1, verbose=0, callbacks=[rec], shuffle=False)
    loss, mae = model.evaluate(X, Y, verbose=0)
    logs = dict(rec.calls)['epoch_end 0']
    assert logs['loss'] == pytest.approx(loss, rel=1e-5)
    assert logs['mae'] == pytest.approx(mae, rel=1e-5)


def test_evaluate_and_predict_callbacks():
    model = linear_model()
    model.compile('sgd', 'mse')
    rec = Recorder()
    model.evaluate(X, Y, batch_size=4, verbose=0, callbacks=[rec])
    assert [c[0] for c in rec.calls] == ['test_begin', 'test_batch_end 0', 'test_batch_end 1',
                                         'test_end']
    rec = Recorder()
    model.predict(X, batch_size=5, callbacks=[rec])
    assert [c[0] for c in rec.calls] == ['predict_begin', 'predict_batch_end 0',
                                         'predict_batch_end 1', 'predict_end']


def test_stop_training_from_callback():
    class StopAfterTwo(cbks.Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True
    model = linear_model()
    model.compile('sgd', 'mse')
    rec = Recorder()
    history = model.fit(X, Y, batch_size=2, epochs=5, verbose=0,
                        callbacks=[StopAfterTwo(), rec])
    assert history.epoch == [0]
    assert [c[0] for c in rec.calls if c[0].startswith('batch_end')] == ['batch_end 0',
                                                                          'batch_end 1']


def test_early_stopping_end_to_end():
    model = linear_model()
    model.compile(SGD(lr=0.), 'mse')         # the loss never improves
    stopper = cbks.EarlyStopping(monitor='loss', patience=2)
    history = model.fit(X, Y, epochs=20, verbose=0, callbacks=[stopper])
    assert history.epoch == [0, 1, 2]
    assert stopper.stopped_epoch == 2


def test_model_checkpoint_end_to_end(tmp_path):
    model = linear_model()
    model.compile('sgd', 'mse')
    pattern = str(tmp_path / 'w.{epoch:02d}-{val_loss:.2f}.h5')
    model.fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y),
              callbacks=[cbks.ModelCheckpoint(pattern)])
    files = sorted(os.listdir(tmp_path))
    assert len(files) == 2 and files[0].startswith('w.01-') and files[1].startswith('w.02-')
    restored = load_model(str(tmp_path / files[1]))
    np.testing.assert_allclose(restored.predict(X), model.predict(X), rtol=1e-6)
    best = str(tmp_path / 'best.h5')
    model.fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y),
              callbacks=[cbks.ModelCheckpoint(best, save_best_only=True,
                                              save_weights_only=True)])
    clone = linear_model()
    clone.load_weights(best)


@pytest.mark.filterwarnings('ignore::RuntimeWarning')
def test_terminate_on_nan_keeps_last_good_weights():
    model = Sequential([Dense(1, input_shape=(3,)),
                        Lambda(lambda t: t * 1e30), Lambda(lambda t: t * 1e30)])
    model.compile(SGD(lr=0.), 'mse')
    before = model.get_weights()
    history = model.fit(X, Y, batch_size=4, epochs=3, verbose=0,
                        callbacks=[cbks.TerminateOnNaN()])
    assert history.epoch == [0]
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert all(np.isfinite(w).all() for w in model.get_weights())


@pytest.mark.filterwarnings('ignore::RuntimeWarning')
def test_terminate_on_nan_after_blow_up():
    model = linear_model()
    model.compile(SGD(lr=1e4), 'mse')        # diverges in a few steps
    model.fit(X * 100, Y, batch_size=2, epochs=50, verbose=0,
              callbacks=[cbks.TerminateOnNaN()])
    assert all(np.isfinite(w).all() for w in model.get_weights())
