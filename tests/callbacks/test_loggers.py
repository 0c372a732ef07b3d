"""Callback/CallbackList plumbing, BaseLogger, History, ProgbarLogger,
CSVLogger, TerminateOnNaN, LambdaCallback."""
import csv
import warnings

import numpy as np
import pytest

from kback.callbacks import (BaseLogger, Callback, CallbackList, CSVLogger, History,
                             LambdaCallback, ProgbarLogger, TerminateOnNaN)
from kback.utils import progbar as progbar_module

from .fake_model import FakeModel, attach


class Recorder(Callback):
    def __init__(self, log):
        super(Recorder, self).__init__()
        self.log = log

    def __getattribute__(self, name):
        if name.startswith('on_') and name not in ('on_batch_begin', 'on_batch_end'):
            log = object.__getattribute__(self, 'log')
            method = object.__getattribute__(self, name)

            def wrapped(*args):
                log.append(name)
                return method(*args)
            return wrapped
        return object.__getattribute__(self, name)

    def on_batch_begin(self, batch, logs=None):
        self.log.append('alias_begin')

    def on_batch_end(self, batch, logs=None):
        self.log.append('alias_end')


# -- Callback / CallbackList --------------------------------------------------------------

def test_callback_list_dispatches_every_hook_in_order():
    log = []
    a, b = Recorder(log), Recorder(log)
    cl = CallbackList([a])
    cl.append(b)
    model = FakeModel()
    cl.set_model(model)
    cl.set_params({'epochs': 1})
    assert a.model is model and b.params == {'epochs': 1} and list(cl) == [a, b]
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    cl.on_batch_begin(0, {'size': 1})
    cl.on_batch_end(0, {'size': 1})
    cl.on_train_batch_begin(1)
    cl.on_test_begin()
    cl.on_test_batch_begin(0)
    cl.on_test_batch_end(0)
    cl.on_test_end()
    cl.on_epoch_end(0, {})
    cl.on_predict_begin()
    cl.on_predict_batch_begin(0)
    cl.on_predict_batch_end(0)
    cl.on_predict_end()
    cl.on_train_end()
    twice = lambda *names: [n for name in names for n in (name, name)]  # noqa: E731
    assert log == (twice('on_train_begin', 'on_epoch_begin')
                   + ['on_train_batch_begin', 'alias_begin'] * 2
                   + ['on_train_batch_end', 'alias_end'] * 2
                   + ['on_train_batch_begin', 'alias_begin'] * 2
                   + twice('on_test_begin', 'on_test_batch_begin', 'on_test_batch_end',
                           'on_test_end', 'on_epoch_end', 'on_predict_begin',
                           'on_predict_batch_begin', 'on_predict_batch_end',
                           'on_predict_end', 'on_train_end'))


def test_begin_end_hooks_by_mode():
    log = []
    cl = CallbackList([Recorder(log)])
    for mode in ('train', 'test', 'predict'):
        cl._call_begin_hook(mode)
        cl._call_end_hook(mode)
    assert log == ['on_train_begin', 'on_train_end', 'on_test_begin', 'on_test_end',
                   'on_predict_begin', 'on_predict_end']


def test_callback_list_rejects_a_class():
    with pytest.raises(TypeError, match='Callback instances'):
        CallbackList([History])


def test_logs_dict_is_shared_so_later_callbacks_see_additions():
    seen = {}

    class Adds(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs['extra'] = 1.0

    history = History()
    cl = CallbackList([Adds(), history, LambdaCallback(
        on_epoch_end=lambda e, logs: seen.update(logs))])
    cl.on_train_begin()
    cl.on_epoch_end(0, {'loss': 2.0})
    assert history.history == {'loss': [2.0], 'extra': [1.0]} and seen['extra'] == 1.0


# -- BaseLogger / History ------------------------------------------------------------------

def test_base_logger_weights_by_batch_size():
    cb = BaseLogger()
    attach(cb, metrics=['loss', 'acc'])
    cb.on_epoch_begin(0)
    cb.on_batch_end(0, {'size': 3, 'loss': 1.0, 'acc': 0.0})
    cb.on_batch_end(1, {'size': 1, 'loss': 5.0, 'acc': 1.0})
    logs = {}
    cb.on_epoch_end(0, logs)
    assert logs == {'loss': pytest.approx(2.0), 'acc': pytest.approx(0.25)}


def test_base_logger_stateful_metrics_keep_last_value():
    cb = BaseLogger(stateful_metrics=['acc'])
    attach(cb, metrics=['loss', 'acc'])
    cb.on_epoch_begin(0)
    cb.on_batch_end(0, {'size': 2, 'loss': 1.0, 'acc': 0.3})
    cb.on_batch_end(1, {'size': 2, 'loss': 3.0, 'acc': 0.7})
    logs = {'val_loss': 9.0}
    cb.on_epoch_end(0, logs)
    assert logs == {'loss': 2.0, 'acc': 0.7, 'val_loss': 9.0}


def test_history_records_epochs_and_params():
    h = History()
    attach(h, epochs=3)
    h.on_train_begin()
    for epoch in range(3):
        h.on_epoch_end(epoch, {'loss': 1.0 / (epoch + 1), 'val_loss': 2.0})
    assert h.epoch == [0, 1, 2]
    assert h.history['loss'] == [1.0, 0.5, 1.0 / 3] and h.history['val_loss'] == [2.0] * 3
    assert h.params['epochs'] == 3
    h.on_train_begin()  # a new fit starts a new record
    assert h.history == {} and h.epoch == []


# -- ProgbarLogger ------------------------------------------------------------------------

class _Clock(object):
    now = 0.0

    def time(self):
        return self.now


def drive_progbar(logger, clock, epochs=1):
    metrics = ['loss', 'acc', 'val_loss', 'val_acc']
    logger.on_train_begin()
    for epoch in range(epochs):
        clock.now = 0.0
        logger.on_epoch_begin(epoch)
        for batch in range(4):
            logger.on_batch_begin(batch, {'batch': batch, 'size': 1000})
            clock.now += 0.25
            logger.on_batch_end(batch, {'batch': batch, 'size': 1000, 'loss': 0.5,
                                        'acc': 0.75})
        logger.on_epoch_end(epoch, {'loss': 0.5, 'acc': 0.75, 'val_loss': 0.25,
                                    'val_acc': 0.875})
    return metrics


def test_progbar_logger_verbose_1(monkeypatch, capsys):
    clock = _Clock()
    monkeypatch.setattr(progbar_module, 'time', clock)
    cb = ProgbarLogger()
    attach(cb, verbose=1, epochs=2, samples=4000)
    drive_progbar(cb, clock, epochs=2)
    out = capsys.readouterr().out
    lines = out.split('\n')
    assert lines[0] == 'Epoch 1/2'
    assert lines[2] == ('1000/4000 [======>.......................] - ETA: 0s'
                        ' - loss: 0.5000 - acc: 0.7500')
    assert lines[5] == ('4000/4000 [==============================] - 1s 250us/step - loss: 0.5000'
                        ' - acc: 0.7500 - val_loss: 0.2500 - val_acc: 0.8750')
    assert lines[6] == 'Epoch 2/2'
    assert out.count('4000/4000') == 2 and out.endswith('\n')


def test_progbar_logger_steps_mode(monkeypatch, capsys):
    clock = _Clock()
    monkeypatch.setattr(progbar_module, 'time', clock)
    cb = ProgbarLogger(count_mode='steps')
    attach(cb, verbose=1, epochs=1, steps=4, samples=None)
    drive_progbar(cb, clock)
    assert '4/4 [==============================] - 1s 250ms/step - loss: 0.5000' in \
        capsys.readouterr().out


def test_progbar_logger_verbose_2_one_line_per_epoch(monkeypatch, capsys):
    clock = _Clock()
    monkeypatch.setattr(progbar_module, 'time', clock)
    cb = ProgbarLogger()
    attach(cb, verbose=2, epochs=2, samples=4000)
    drive_progbar(cb, clock, epochs=2)
    assert capsys.readouterr().out == (
        'Epoch 1/2\n - 1s - loss: 0.5000 - acc: 0.7500 - val_loss: 0.2500 - val_acc: 0.8750\n'
        'Epoch 2/2\n - 1s - loss: 0.5000 - acc: 0.7500 - val_loss: 0.2500 - val_acc: 0.8750\n')


def test_progbar_logger_unknown_target_ends_its_line(monkeypatch, capsys):
    clock = _Clock()
    monkeypatch.setattr(progbar_module, 'time', clock)
    cb = ProgbarLogger(count_mode='steps')
    attach(cb, verbose=1, epochs=2, steps=None, samples=None)
    drive_progbar(cb, clock, epochs=2)
    out = capsys.readouterr().out
    assert '\nEpoch 2/2\n' in out and '      4/Unknown' in out


def test_progbar_logger_bad_count_mode():
    with pytest.raises(ValueError, match='count_mode'):
        ProgbarLogger(count_mode='epochs')


# -- CSVLogger ----------------------------------------------------------------------------

def read_rows(path):
    with open(path, newline='') as f:
        return list(csv.reader(f))


def run_csv(cb, epochs, start=0):
    model = attach(cb)
    cb.on_train_begin()
    for epoch in range(start, start + epochs):
        cb.on_epoch_end(epoch, {'val_loss': 0.5 / (epoch + 1), 'loss': 1.0 / (epoch + 1),
                                'acc': np.float32(0.25)})
    cb.on_train_end()
    return model


def test_csv_logger_content(tmp_path):
    path = str(tmp_path / 'log.csv')
    run_csv(CSVLogger(path), 2)
    assert read_rows(path) == [['epoch', 'acc', 'loss', 'val_loss'],
                               ['0', '0.25', '1.0', '0.5'],
                               ['1', '0.25', '0.5', '0.25']]


def test_csv_logger_overwrites_then_appends(tmp_path):
    path = str(tmp_path / 'log.csv')
    run_csv(CSVLogger(path), 1)
    run_csv(CSVLogger(path), 1)  # append=False: starts over
    assert len(read_rows(path)) == 2
    run_csv(CSVLogger(path, append=True), 2, start=1)
    rows = read_rows(path)
    assert [r[0] for r in rows] == ['epoch', '0', '1', '2']  # one header only


def test_csv_logger_append_to_new_file_writes_header(tmp_path):
    path = str(tmp_path / 'new.csv')
    run_csv(CSVLogger(path, append=True), 1)
    assert read_rows(path)[0] == ['epoch', 'acc', 'loss', 'val_loss']


def test_csv_logger_separator_and_missing_keys(tmp_path):
    path = str(tmp_path / 'semi.csv')
    cb = CSVLogger(path, separator=';')
    attach(cb)
    cb.on_train_begin()
    cb.on_epoch_end(0, {'loss': 1.0, 'val_loss': 2.0})
    cb.on_epoch_end(1, {'loss': 0.5})  # e.g. stopped before validation
    cb.on_train_end()
    with open(path) as f:
        assert f.read() == 'epoch;loss;val_loss\n0;1.0;2.0\n1;0.5;NA\n'


def test_csv_logger_iterables(tmp_path):
    path = str(tmp_path / 'it.csv')
    cb = CSVLogger(path)
    attach(cb)
    cb.on_train_begin()
    cb.on_epoch_end(0, {'v': np.array([1, 2]), 's': 'text', 'z': np.array(3.0)})
    cb.on_train_end()
    rows = read_rows(path)
    assert rows[1] == ['0', 'text', '"[1, 2]"', '3.0']


# -- TerminateOnNaN -----------------------------------------------------------------------

@pytest.mark.parametrize('bad', [np.nan, np.inf, -np.inf])
def test_terminate_on_nan_stops_and_keeps_last_good_weights(bad, capsys):
    cb = TerminateOnNaN()
    model = attach(cb)
    model.mark(1.0)
    cb.on_train_batch_begin(0, {'size': 1})
    model.mark(2.0)  # the batch's update
    cb.on_train_batch_end(0, {'loss': 0.3})
    assert not model.stop_training
    cb.on_train_batch_begin(1, {'size': 1})
    model.mark(np.nan)  # an update from a NaN gradient
    cb.on_train_batch_end(1, {'loss': bad})
    assert model.stop_training
    assert all(np.all(w == 2.0) for w in model.weights)
    assert 'Batch 1: Invalid loss, terminating training' in capsys.readouterr().out


def test_terminate_on_nan_ignores_missing_loss():
    cb = TerminateOnNaN()
    model = attach(cb)
    cb.on_batch_end(0, {'acc': np.nan})
    assert not model.stop_training


# -- LambdaCallback -----------------------------------------------------------------------

def test_lambda_callback_positional_and_extra_hooks():
    calls = []
    cb = LambdaCallback(on_epoch_begin=lambda e, l: calls.append(('eb', e)),
                        on_epoch_end=lambda e, l: calls.append(('ee', e, l['loss'])),
                        on_batch_begin=lambda b, l: calls.append(('bb', b)),
                        on_batch_end=lambda b, l: calls.append(('be', b)),
                        on_train_begin=lambda l: calls.append('tb'),
                        on_train_end=lambda l: calls.append('te'),
                        on_test_begin=lambda l: calls.append('test'))
    cl = CallbackList([cb])
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    cl.on_batch_begin(0, {})
    cl.on_batch_end(0, {})
    cl.on_test_begin()
    cl.on_epoch_end(0, {'loss': 1.5})
    cl.on_train_end()
    cl.on_predict_begin()  # not given: a no-op
    assert calls == ['tb', ('eb', 0), ('bb', 0), ('be', 0), 'test', ('ee', 0, 1.5), 'te']


def test_slow_callback_warning():
    clock = _Clock()

    class Slow(Callback):
        def on_batch_end(self, batch, logs=None):
            clock.now += 1.0

    import kback.callbacks.base as base
    cl = CallbackList([Slow()])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        orig = base.time
        base.time = clock
        try:
            for batch in range(3):
                cl.on_batch_begin(batch)
                clock.now += 0.01
                cl.on_batch_end(batch)
        finally:
            base.time = orig
    assert any('is slow compared to the batch update' in str(w.message) for w in caught)
