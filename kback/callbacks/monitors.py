"""Callbacks that watch a metric or the epoch count and act on the model:
EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, LearningRateScheduler."""
import inspect
import warnings

import numpy as np

from .. import backend as K
from .base import Callback


def _wants_max(monitor):
    """'auto' mode: accuracies (and f-measures) improve upwards."""
    return 'acc' in monitor or monitor.startswith('fmeasure')


def _check_mode(mode, who):
    if mode not in ('auto', 'min', 'max'):
        warnings.warn('%s mode %s is unknown, fallback to auto mode.' % (who, mode),
                      RuntimeWarning)
        return 'auto'
    return mode


def _lr_variable(model, who):
    optimizer = getattr(model, 'optimizer', None)
    for name in ('lr', 'learning_rate'):
        if hasattr(optimizer, name):
            return getattr(optimizer, name)
    raise ValueError('%s: the optimizer must have an "lr" attribute (got %r)'
                     % (who, optimizer))


def _lr_value(lr_var):
    """The learning rate as a numpy scalar (as Keras' get_value gives it)."""
    return np.asarray(K.get_value(lr_var))[()]


def _missing_metric_warning(who, monitor, logs):
    warnings.warn('%s conditioned on metric `%s` which is not available. '
                  'Available metrics are: %s' % (who, monitor, ','.join(list(logs.keys()))),
                  RuntimeWarning)


class EarlyStopping(Callback):
    """Stops training when a monitored quantity has stopped improving.

    Arguments:
        monitor: the quantity to watch (a key of the epoch's logs).
        min_delta: the smallest change that counts as an improvement.
        patience: the number of epochs without improvement after which
            training stops.
        verbose: 1 prints a message when stopping.
        mode: `'min'`, `'max'`, or `'auto'` (max for accuracies, min
            otherwise).
        baseline: a value the quantity must improve on; training stops if it
            does not within `patience` epochs.
        restore_best_weights: whether to put back the weights of the best
            epoch when stopping.

    Raises:
        ValueError: for an unknown `mode`.

    Example::

        model.fit(x, y, validation_split=0.2,
                  callbacks=[EarlyStopping(monitor='val_loss', patience=3)])
    """

    def __init__(self, monitor='val_loss', min_delta=0, patience=0, verbose=0, mode='auto',
                 baseline=None, restore_best_weights=False):
        super(EarlyStopping, self).__init__()
        self.monitor = monitor
        self.baseline = baseline
        self.patience = patience
        self.verbose = verbose
        self.min_delta = min_delta
        self.restore_best_weights = restore_best_weights
        mode = _check_mode(mode, 'EarlyStopping')
        if mode == 'max' or (mode == 'auto' and _wants_max(monitor)):
            self.monitor_op = np.greater
        else:
            self.monitor_op = np.less
        # Keras 2.3 keeps the sign the user gave and orients it by mode.
        self.min_delta = self.min_delta * (1 if self.monitor_op == np.greater else -1)
        self.on_train_begin()

    def on_train_begin(self, logs=None):
        # Reset so that one instance can serve several fits.
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = np.inf if self.monitor_op == np.less else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs or {})
        if current is None:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Something to restore even if no epoch ever improves.
            self.best_weights = self.model.get_weights()
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                if self.restore_best_weights:
                    if self.verbose > 0:
                        print('Restoring model weights from the end of the best epoch')
                    self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print('Epoch %05d: early stopping' % (self.stopped_epoch + 1))

    def get_monitor_value(self, logs):
        """The monitored value in the logs, or None (with a warning) when absent."""
        value = logs.get(self.monitor)
        if value is None:
            _missing_metric_warning('Early stopping', self.monitor, logs)
        return value


class ModelCheckpoint(Callback):
    """Saves the model (or only its weights) after every `period` epochs.

    `filepath` may hold format fields filled from `epoch` (counted from 1) and
    the epoch's logs, e.g. `weights.{epoch:02d}-{val_loss:.2f}.hdf5`.

    Arguments:
        filepath: where to save.
        monitor: the quantity compared when `save_best_only`.
        verbose: 1 prints a line per save decision.
        save_best_only: save only when `monitor` improves on the best so far.
        save_weights_only: use `model.save_weights` instead of `model.save`.
        mode: `'min'`, `'max'` or `'auto'` (max for accuracies, min
            otherwise).
        period: the number of epochs between checkpoints.

    Raises:
        ValueError: for an unknown `mode`.
        KeyError: at the end of an epoch, if `filepath` uses a field that is
            neither `epoch` nor a key of the logs.
    """

    primary_only = True

    def __init__(self, filepath, monitor='val_loss', verbose=0, save_best_only=False,
                 save_weights_only=False, mode='auto', period=1):
        super(ModelCheckpoint, self).__init__()
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = filepath
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.period = period
        self.epochs_since_last_save = 0
        mode = _check_mode(mode, 'ModelCheckpoint')
        if mode == 'max' or (mode == 'auto' and _wants_max(monitor)):
            self.monitor_op, self.best = np.greater, -np.inf
        else:
            self.monitor_op, self.best = np.less, np.inf

    def _format_path(self, epoch, logs):
        try:
            return str(self.filepath).format(epoch=epoch + 1, **logs)
        except KeyError as e:
            raise KeyError('ModelCheckpoint: filepath %r uses the field %s, which is neither '
                           '`epoch` nor a key of the logs (%s)'
                           % (self.filepath, e, ', '.join(sorted(logs)))) from None

    def _save(self, filepath):
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        filepath = self._format_path(epoch, logs)
        if not self.save_best_only:
            if self.verbose > 0:
                print('\nEpoch %05d: saving model to %s' % (epoch + 1, filepath))
            self._save(filepath)
            return
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn('Can save best model only with %s available, skipping.'
                          % self.monitor, RuntimeWarning)
        elif self.monitor_op(current, self.best):
            if self.verbose > 0:
                print('\nEpoch %05d: %s improved from %0.5f to %0.5f, saving model to %s'
                      % (epoch + 1, self.monitor, self.best, current, filepath))
            self.best = current
            self._save(filepath)
        elif self.verbose > 0:
            print('\nEpoch %05d: %s did not improve from %0.5f'
                  % (epoch + 1, self.monitor, self.best))


class ReduceLROnPlateau(Callback):
    """Reduces the learning rate when a monitored quantity stops improving.

    The learning rate is multiplied by `factor` when the quantity has not
    improved by more than `min_delta` for `patience` epochs; then `cooldown`
    epochs pass before counting again. The current rate is added to the
    epoch's logs as `lr`.

    Arguments:
        monitor: the quantity to watch.
        factor: a float < 1, the factor applied to the learning rate.
        patience: the number of epochs without improvement before reducing.
        verbose: 1 prints a message at each reduction.
        mode: `'min'`, `'max'` or `'auto'`.
        min_delta: the smallest change that counts as an improvement.
        cooldown: the number of epochs to wait after a reduction.
        min_lr: the lower bound of the learning rate.
        **kwargs: `epsilon`, the deprecated name of `min_delta` (warns).

    Raises:
        ValueError: if `factor` >= 1 or `mode` is unknown.
        TypeError: on another keyword argument.

    Example::

        reduce_lr = ReduceLROnPlateau(monitor='val_loss', factor=0.2,
                                      patience=5, min_lr=0.001)
        model.fit(x, y, validation_split=0.2, callbacks=[reduce_lr])
    """

    def __init__(self, monitor='val_loss', factor=0.1, patience=10, verbose=0, mode='auto',
                 min_delta=1e-4, cooldown=0, min_lr=0, **kwargs):
        super(ReduceLROnPlateau, self).__init__()
        self.monitor = monitor
        if factor >= 1.0:
            raise ValueError('ReduceLROnPlateau does not support a factor >= 1.0 (got %r).'
                             % (factor,))
        if 'epsilon' in kwargs:
            min_delta = kwargs.pop('epsilon')
            warnings.warn('`epsilon` argument is deprecated and will be removed, '
                          'use `min_delta` instead.')
        if kwargs:
            raise TypeError('ReduceLROnPlateau: unexpected arguments %s' % sorted(kwargs))
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.mode = mode
        self._reset()

    def _reset(self):
        self.mode = _check_mode(self.mode, 'Learning Rate Plateau Reducing')
        if self.mode == 'min' or (self.mode == 'auto' and not _wants_max(self.monitor)):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        """Whether the callback is waiting out its cooldown after a reduction."""
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        lr_var = _lr_variable(self.model, 'ReduceLROnPlateau')
        logs['lr'] = _lr_value(lr_var)
        current = logs.get(self.monitor)
        if current is None:
            _missing_metric_warning('Reduce LR on plateau', self.monitor, logs)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(K.get_value(lr_var))
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    K.set_value(lr_var, new_lr)
                    if self.verbose > 0:
                        print('\nEpoch %05d: ReduceLROnPlateau reducing learning rate to %s.'
                              % (epoch + 1, new_lr))
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


def _positional_arity(fn):
    """How many positional arguments `fn` takes (None: cannot tell)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return 2
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch from a schedule.

    Arguments:
        schedule: a function `schedule(epoch, lr) -> new_lr` (or
            `schedule(epoch)`), `epoch` counting from 0; it must return a
            float.
        verbose: 1 prints the new rate each epoch.

    Raises:
        ValueError: at the start of an epoch, if the schedule does not return
            a float or the optimizer has no learning rate.

    Example::

        def schedule(epoch, lr):
            return lr if epoch < 10 else lr * 0.9

        model.fit(x, y, epochs=20, callbacks=[LearningRateScheduler(schedule)])
    """

    def __init__(self, schedule, verbose=0):
        super(LearningRateScheduler, self).__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _call_schedule(self, epoch, lr):
        arity = _positional_arity(self.schedule)
        if arity is None:
            try:  # Keras 2.3's rule: new API first, then the old one
                return self.schedule(epoch, lr)
            except TypeError:
                return self.schedule(epoch)
        return self.schedule(epoch, lr) if arity >= 2 else self.schedule(epoch)

    def on_epoch_begin(self, epoch, logs=None):
        lr_var = _lr_variable(self.model, 'LearningRateScheduler')
        lr = self._call_schedule(epoch, float(K.get_value(lr_var)))
        if not isinstance(lr, (float, np.floating)):
            raise ValueError('The output of the "schedule" function should be float, got %r '
                             '(a %s) at epoch %d.' % (lr, type(lr).__name__, epoch))
        K.set_value(lr_var, lr)
        if self.verbose > 0:
            print('\nEpoch %05d: LearningRateScheduler setting learning rate to %s.'
                  % (epoch + 1, lr))

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs['lr'] = _lr_value(_lr_variable(self.model, 'LearningRateScheduler'))
