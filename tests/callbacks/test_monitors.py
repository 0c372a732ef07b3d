"""EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, LearningRateScheduler
driven by on_epoch_end with chosen logs."""
import os

import numpy as np
import pytest

from kback.callbacks import (EarlyStopping, LearningRateScheduler, ModelCheckpoint,
                             ReduceLROnPlateau)

from .fake_model import attach


def run_epochs(callback, model, values, key='val_loss', stop_early=True):
    """Feed `values` as the monitored metric; returns the epoch training stopped at."""
    callback.on_train_begin()
    for epoch, v in enumerate(values):
        model.mark(epoch)
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, {key: v, 'loss': 1.0})
        if model.stop_training and stop_early:
            return epoch
    return None


# -- EarlyStopping -------------------------------------------------------------------------

@pytest.mark.parametrize('patience,stops_at', [(0, 2), (1, 2), (2, 3), (3, 4), (4, None)])
def test_early_stopping_patience(patience, stops_at):
    cb = EarlyStopping(patience=patience)
    model = attach(cb)
    # improves, improves, then not: patience 0 and 1 both stop at the first bad epoch
    assert run_epochs(cb, model, [1.0, 0.5, 0.5, 0.6, 0.7]) == stops_at
    if stops_at is not None:
        assert cb.stopped_epoch == stops_at


def test_early_stopping_wait_resets_on_improvement():
    cb = EarlyStopping(patience=2)
    model = attach(cb)
    assert run_epochs(cb, model, [1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.86]) == 6


def test_early_stopping_min_delta():
    cb = EarlyStopping(patience=0, min_delta=0.1)
    model = attach(cb)
    # 0.95 is better than 1.0 but by less than min_delta: no improvement
    assert run_epochs(cb, model, [1.0, 0.95]) == 1
    cb = EarlyStopping(patience=0, min_delta=0.1)
    model = attach(cb)
    assert run_epochs(cb, model, [1.0, 0.85, 0.7]) is None


@pytest.mark.parametrize('monitor,mode,values,stops_at', [
    ('val_acc', 'auto', [0.5, 0.6, 0.55], 2),          # auto -> max for acc
    ('val_accuracy', 'auto', [0.5, 0.4], 1),
    ('val_loss', 'auto', [0.5, 0.6], 1),               # auto -> min otherwise
    ('val_loss', 'max', [0.5, 0.6, 0.7], None),
    ('val_acc', 'min', [0.5, 0.4, 0.45], 2),
    ('fmeasure', 'auto', [0.1, 0.2, 0.1], 2),
])
def test_early_stopping_modes(monitor, mode, values, stops_at):
    cb = EarlyStopping(monitor=monitor, mode=mode)
    model = attach(cb)
    assert run_epochs(cb, model, values, key=monitor) == stops_at


def test_early_stopping_unknown_mode_warns_and_uses_auto():
    with pytest.warns(RuntimeWarning, match='unknown'):
        cb = EarlyStopping(monitor='acc', mode='sideways')
    assert cb.monitor_op is np.greater


def test_early_stopping_baseline():
    cb = EarlyStopping(monitor='val_acc', baseline=0.9, patience=2)
    model = attach(cb)
    # never beats the baseline: stops after `patience` epochs
    assert run_epochs(cb, model, [0.5, 0.8, 0.85, 0.99], key='val_acc') == 1
    cb = EarlyStopping(monitor='val_acc', baseline=0.9, patience=2)
    model = attach(cb)
    assert run_epochs(cb, model, [0.5, 0.95, 0.96, 0.97], key='val_acc') is None


def test_early_stopping_restore_best_weights():
    cb = EarlyStopping(patience=2, restore_best_weights=True)
    model = attach(cb)
    assert run_epochs(cb, model, [1.0, 0.3, 0.5, 0.6]) == 3
    # weights of epoch 1 (the best) are back
    assert all(np.all(w == 1) for w in model.weights)


def test_early_stopping_keeps_last_weights_without_restore():
    cb = EarlyStopping(patience=1)
    model = attach(cb)
    assert run_epochs(cb, model, [1.0, 0.3, 0.5]) == 2
    assert all(np.all(w == 2) for w in model.weights)


def test_early_stopping_restore_when_never_improving_on_baseline():
    cb = EarlyStopping(baseline=0.1, patience=2, restore_best_weights=True)
    model = attach(cb)
    assert run_epochs(cb, model, [1.0, 2.0]) == 1
    assert all(np.all(w == 0) for w in model.weights)


def test_early_stopping_missing_metric_warns():
    cb = EarlyStopping(monitor='val_loss')
    model = attach(cb)
    cb.on_train_begin()
    with pytest.warns(RuntimeWarning, match='val_loss.*Available metrics are: loss'):
        cb.on_epoch_end(0, {'loss': 1.0})
    assert not model.stop_training and cb.wait == 0


def test_early_stopping_reusable_across_fits(capsys):
    cb = EarlyStopping(patience=0, verbose=1)
    model = attach(cb)
    assert run_epochs(cb, model, [1.0, 2.0]) == 1
    cb.on_train_end()
    assert 'Epoch 00002: early stopping' in capsys.readouterr().out
    model.stop_training = False
    assert run_epochs(cb, model, [5.0, 4.0]) is None  # best was reset


# -- ModelCheckpoint -----------------------------------------------------------------------

def test_checkpoint_formats_filename_every_epoch(tmp_path):
    pattern = str(tmp_path / 'w.{epoch:02d}-{val_loss:.2f}.h5')
    cb = ModelCheckpoint(pattern)
    model = attach(cb)
    for epoch, v in enumerate([0.5, 0.25]):
        cb.on_epoch_end(epoch, {'val_loss': v})
    assert model.saved == [('model', str(tmp_path / 'w.01-0.50.h5')),
                           ('model', str(tmp_path / 'w.02-0.25.h5'))]
    assert os.path.exists(tmp_path / 'w.02-0.25.h5')


def test_checkpoint_save_best_only_and_weights_only(tmp_path):
    pattern = str(tmp_path / 'best.{epoch}.h5')
    cb = ModelCheckpoint(pattern, save_best_only=True, save_weights_only=True)
    model = attach(cb)
    for epoch, v in enumerate([0.5, 0.7, 0.4, 0.4]):
        cb.on_epoch_end(epoch, {'val_loss': v})
    assert model.saved == [('weights', str(tmp_path / 'best.1.h5')),
                           ('weights', str(tmp_path / 'best.3.h5'))]
    assert cb.best == 0.4


def test_checkpoint_max_mode_by_name(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / 'm.h5'), monitor='val_acc', save_best_only=True)
    model = attach(cb)
    for epoch, v in enumerate([0.5, 0.4, 0.6]):
        cb.on_epoch_end(epoch, {'val_acc': v})
    assert len(model.saved) == 2


def test_checkpoint_period(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / 'p{epoch}.h5'), period=2)
    model = attach(cb)
    for epoch in range(5):
        cb.on_epoch_end(epoch, {'val_loss': 1.0})
    assert [p for _, p in model.saved] == [str(tmp_path / 'p2.h5'), str(tmp_path / 'p4.h5')]


def test_checkpoint_missing_metric_warns_and_skips(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / 'x.h5'), save_best_only=True)
    model = attach(cb)
    with pytest.warns(RuntimeWarning, match='Can save best model only with val_loss'):
        cb.on_epoch_end(0, {'loss': 1.0})
    assert model.saved == []


def test_checkpoint_unknown_field_names_it(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / '{val_acc}.h5'))
    attach(cb)
    with pytest.raises(KeyError, match='val_acc'):
        cb.on_epoch_end(0, {'val_loss': 1.0})


def test_checkpoint_verbose_messages(tmp_path, capsys):
    cb = ModelCheckpoint(str(tmp_path / 'v.h5'), save_best_only=True, verbose=1)
    attach(cb)
    cb.on_epoch_end(0, {'val_loss': 0.5})
    cb.on_epoch_end(1, {'val_loss': 0.6})
    out = capsys.readouterr().out
    assert 'Epoch 00001: val_loss improved from inf to 0.50000, saving model to' in out
    assert 'Epoch 00002: val_loss did not improve from 0.50000' in out


# -- ReduceLROnPlateau ---------------------------------------------------------------------

def lr_trace(cb, model, values, key='val_loss'):
    cb.on_train_begin()
    trace = []
    for epoch, v in enumerate(values):
        logs = {key: v}
        cb.on_epoch_end(epoch, logs)
        trace.append(round(model.lr(), 8))
        assert logs['lr'] == pytest.approx(trace[-2] if len(trace) > 1 else 0.1, rel=1e-6)
    return trace


def test_reduce_lr_patience_and_factor():
    cb = ReduceLROnPlateau(factor=0.5, patience=2)
    model = attach(cb, model=None)
    from kback import backend as K
    K.set_value(model.optimizer.lr, 0.1)
    assert lr_trace(cb, model, [1.0, 1.0, 1.0, 1.0, 1.0]) == [0.1, 0.1, 0.05, 0.05, 0.025]


def test_reduce_lr_min_delta():
    cb = ReduceLROnPlateau(factor=0.5, patience=1, min_delta=0.1)
    model = attach(cb)
    from kback import backend as K
    K.set_value(model.optimizer.lr, 0.1)
    # 0.95 is not an improvement of more than 0.1 over 1.0
    assert lr_trace(cb, model, [1.0, 0.95, 0.8]) == [0.1, 0.05, 0.05]


def test_reduce_lr_cooldown_and_min_lr():
    cb = ReduceLROnPlateau(factor=0.1, patience=1, cooldown=2, min_lr=0.0005)
    model = attach(cb)
    from kback import backend as K
    K.set_value(model.optimizer.lr, 0.1)
    trace = lr_trace(cb, model, [1.0] * 8)
    # reduce at 1; epoch 2 cools down, epoch 3 ends the cooldown and counts again
    # (as Keras), so reduce at 3 and 5 (clipped to min_lr); at min_lr nothing more
    assert trace == [0.1, 0.01, 0.01, 0.001, 0.001, 0.0005, 0.0005, 0.0005]


def test_reduce_lr_max_mode_for_acc():
    cb = ReduceLROnPlateau(monitor='val_acc', factor=0.5, patience=1)
    model = attach(cb)
    from kback import backend as K
    K.set_value(model.optimizer.lr, 0.1)
    assert lr_trace(cb, model, [0.5, 0.6, 0.55], key='val_acc') == [0.1, 0.1, 0.05]


def test_reduce_lr_rejects_factor_and_warns_on_missing_metric():
    with pytest.raises(ValueError, match='factor'):
        ReduceLROnPlateau(factor=1.0)
    cb = ReduceLROnPlateau()
    attach(cb)
    with pytest.warns(RuntimeWarning, match='Reduce LR on plateau conditioned on metric'):
        cb.on_epoch_end(0, {'loss': 1.0})


def test_reduce_lr_epsilon_alias():
    with pytest.warns(UserWarning, match='epsilon'):
        cb = ReduceLROnPlateau(epsilon=0.3)
    assert cb.min_delta == 0.3


# -- LearningRateScheduler -----------------------------------------------------------------

def test_scheduler_one_argument():
    cb = LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    model = attach(cb)
    for epoch in range(3):
        cb.on_epoch_begin(epoch)
        assert model.lr() == pytest.approx(0.1 / (epoch + 1))
        logs = {}
        cb.on_epoch_end(epoch, logs)
        assert logs['lr'] == pytest.approx(0.1 / (epoch + 1))


def test_scheduler_two_arguments_gets_current_lr(capsys):
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, round(lr, 6)))
        return lr * 0.5

    cb = LearningRateScheduler(schedule, verbose=1)
    model = attach(cb, model=None)
    for epoch in range(3):
        cb.on_epoch_begin(epoch)
    assert seen == [(0, 0.01), (1, 0.005), (2, 0.0025)]
    assert model.lr() == pytest.approx(0.00125)
    assert 'Epoch 00003: LearningRateScheduler setting learning rate to' in capsys.readouterr().out


def test_scheduler_type_error_inside_schedule_is_not_masked():
    def schedule(epoch, lr):
        raise TypeError('my bug')

    cb = LearningRateScheduler(schedule)
    attach(cb)
    with pytest.raises(TypeError, match='my bug'):
        cb.on_epoch_begin(0)


def test_scheduler_requires_float():
    cb = LearningRateScheduler(lambda epoch: 1)
    attach(cb)
    with pytest.raises(ValueError, match='should be float'):
        cb.on_epoch_begin(0)


def test_scheduler_requires_lr_attribute():
    cb = LearningRateScheduler(lambda epoch: 0.1)
    model = attach(cb)
    model.optimizer = object()
    with pytest.raises(ValueError, match='lr'):
        cb.on_epoch_begin(0)
