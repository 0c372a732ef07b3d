"""`Callback` and `CallbackList`: the hooks `fit`, `evaluate` and `predict`
call, with Keras 2.3's names and order."""
import time
import warnings
from collections import defaultdict, deque

import numpy as np

_TRAIN = 'train'
_TEST = 'test'
_PREDICT = 'predict'
_HOOK_NAMES = {(mode, hook): 'on_%s_batch_%s' % (mode, hook)
               for mode in (_TRAIN, _TEST, _PREDICT) for hook in ('begin', 'end')}


# Whether this process writes the logs and files of a run.  kback.distributed
# makes every rank but 0 a secondary process; there the callbacks whose
# `primary_only` is True (progress bar, checkpoints, TensorBoard, CSV) are
# left out of a CallbackList, unless the user sets it False on an instance.
_primary = True


def set_primary_process(primary):
    """Makes this process one that logs and writes files (True) or not (the
    other ranks of a `kback.distributed` job).

    Arguments:
        primary: a bool.
    """
    global _primary
    _primary = bool(primary)


def is_primary_process():
    """Whether this process logs and writes files (True unless
    `kback.distributed.init()` made it a secondary rank).

    Returns:
        A bool.
    """
    return _primary


def _runs_here(callback):
    return _primary or not getattr(callback, 'primary_only', False)


class Callback(object):
    """Base class of callbacks: hooks that `fit`, `evaluate` and `predict` call.

    Subclass it and override the hooks you need; pass instances in
    `model.fit(..., callbacks=[...])`.

    `on_train_batch_begin` and `on_train_batch_end` call `on_batch_begin` and
    `on_batch_end`, the Keras 2 names, so overriding either works.

    Attributes:
        params: a dict of the run's parameters (`verbose`, `epochs`, `steps`,
            `samples`, `batch_size`, `do_validation`, `metrics`).
        model: the model being trained, evaluated or run.

    Example::

        class LossPrinter(Callback):
            def on_epoch_end(self, epoch, logs=None):
                print(epoch, logs['loss'])
    """

    # True: runs only in the primary process of a distributed run (above).
    primary_only = False

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}

    def set_params(self, params):
        """Receives the run's parameters (a dict) before it starts."""
        self.params = params

    def set_model(self, model):
        """Receives the model before the run starts."""
        self.model = model

    def on_batch_begin(self, batch, logs=None):
        """Called before a training batch (the Keras 2 name of `on_train_batch_begin`).

        Arguments:
            batch: the batch's index (from 0).
            logs: a dict with `batch` and `size`.
        """

    def on_batch_end(self, batch, logs=None):
        """Called after a training batch (the Keras 2 name of `on_train_batch_end`).

        Arguments:
            batch: the batch's index (from 0).
            logs: a dict with `batch`, `size` and the batch's loss and metrics.
        """

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each training epoch.

        Arguments:
            epoch: the epoch's index (from 0).
            logs: an empty dict (reserved).
        """

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of each training epoch.

        Arguments:
            epoch: the epoch's index (from 0).
            logs: a dict of the epoch's loss and metrics, with `val_` keys when validating.
        """

    def on_train_batch_begin(self, batch, logs=None):
        """Called before a batch of `fit`.

        Arguments:
            batch: the batch's index (from 0).
            logs: a dict with `batch` and `size`.
        """
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after a batch of `fit`.

        Arguments:
            batch: the batch's index (from 0).
            logs: a dict with `batch`, `size` and the batch's loss and metrics.
        """
        self.on_batch_end(batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before a batch of `evaluate` (and of validation in `fit`).

        Arguments:
            batch: the batch's index (from 0).
            logs: a dict with `batch` and `size`.
        """

    def on_test_batch_end(self, batch, logs=None):
        """Called after a batch of `evaluate` (and of validation in `fit`).

        Arguments:
            batch: the batch's index (from 0).
            logs: a dict with `batch`, `size` and the batch's loss and metrics.
        """

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before a batch of `predict`.

        Arguments:
            batch: the batch's index (from 0).
            logs: a dict with `batch` and `size`.
        """

    def on_predict_batch_end(self, batch, logs=None):
        """Called after a batch of `predict`.

        Arguments:
            batch: the batch's index (from 0).
            logs: a dict with `batch`, `size` and `outputs` (the batch's outputs).
        """

    def on_train_begin(self, logs=None):
        """Called at the beginning of training.

        Arguments:
            logs: a dict (reserved; empty for now).
        """

    def on_train_end(self, logs=None):
        """Called at the end of training.

        Arguments:
            logs: a dict (reserved; empty for now).
        """

    def on_test_begin(self, logs=None):
        """Called at the beginning of evaluation or validation.

        Arguments:
            logs: a dict (reserved; empty for now).
        """

    def on_test_end(self, logs=None):
        """Called at the end of evaluation or validation.

        Arguments:
            logs: a dict (reserved; empty for now).
        """

    def on_predict_begin(self, logs=None):
        """Called at the beginning of prediction.

        Arguments:
            logs: a dict (reserved; empty for now).
        """

    def on_predict_end(self, logs=None):
        """Called at the end of prediction.

        Arguments:
            logs: a dict (reserved; empty for now).
        """


class CallbackList(object):
    """A list of callbacks whose hooks are called together, in order.

    The training loop wraps the user's callbacks in one; it also warns when the
    callbacks take longer than the batches themselves.

    Arguments:
        callbacks: a list of `Callback` instances.
        queue_length: how many recent hook timings to keep for that check.

    Raises:
        TypeError: if an entry is not a callback instance (a class, say).
    """

    def __init__(self, callbacks=None, queue_length=10):
        self.callbacks = list(callbacks or [])
        for c in self.callbacks:
            # Duck-typed callbacks are fine; a class or a function is a mistake.
            if isinstance(c, type) or not hasattr(c, 'on_epoch_end') or not hasattr(c, 'set_model'):
                raise TypeError('CallbackList: expected Callback instances, got %r' % (c,))
        self.callbacks = [c for c in self.callbacks if _runs_here(c)]
        self.queue_length = queue_length
        self.params = {}
        self.model = None
        self._reset_batch_timing()

    def _reset_batch_timing(self):
        self._delta_t_batch = 0.
        self._delta_ts = defaultdict(lambda: deque([], maxlen=self.queue_length))
        # Per hook: the callbacks as last seen and the methods worth calling.
        self._batch_targets = {}

    def append(self, callback):
        """Adds a callback at the end of the list."""
        if _runs_here(callback):
            self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        self.model = model
        for callback in self.callbacks:
            callback.set_model(model)

    def _targets(self, hook_name):
        """The bound hooks to call, leaving out the base class's empty ones
        (found again when the list of callbacks changes, and each epoch)."""
        entry = self._batch_targets.get(hook_name)
        if entry is None or entry[0] != self.callbacks:
            methods = [m for m in (_batch_method(c, hook_name) for c in self.callbacks)
                       if m is not None]
            entry = self._batch_targets[hook_name] = (list(self.callbacks), methods)
        return entry[1]

    def _call_batch_hook(self, mode, hook, batch, logs=None):
        if not self.callbacks:
            return
        hook_name = _HOOK_NAMES[mode, hook]
        now = time.time()
        if hook == 'end':
            self._delta_t_batch = now - getattr(self, '_t_enter_batch', now)
        logs = logs if logs is not None else {}
        for method in self._targets(hook_name):
            method(batch, logs)
        after = time.time()
        delays = self._delta_ts[hook_name]
        delays.append(after - now)
        # Keras 2.3's warning: the callbacks cost more than the batch itself.
        # The median cannot pass 0.1 s unless the max does; max is ~100x cheaper.
        if self._delta_t_batch > 0. and max(delays) > 0.1:
            median = float(np.median(delays))
            if median > 0.95 * self._delta_t_batch and median > 0.1:
                warnings.warn('Method (%s) is slow compared to the batch update (%f). '
                              'Check your callbacks.' % (hook_name, median), RuntimeWarning)
        if hook == 'begin':
            self._t_enter_batch = after

    def _call_begin_hook(self, mode, logs=None):
        getattr(self, 'on_%s_begin' % mode)(logs)

    def _call_end_hook(self, mode, logs=None):
        getattr(self, 'on_%s_end' % mode)(logs)

    def on_batch_begin(self, batch, logs=None):
        self._call_batch_hook(_TRAIN, 'begin', batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._call_batch_hook(_TRAIN, 'end', batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)
        self._reset_batch_timing()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch_hook(_TRAIN, 'begin', batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch_hook(_TRAIN, 'end', batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch_hook(_TEST, 'begin', batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch_hook(_TEST, 'end', batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch_hook(_PREDICT, 'begin', batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch_hook(_PREDICT, 'end', batch, logs)

    def _call_all(self, name, logs):
        for callback in self.callbacks:
            getattr(callback, name)(logs)

    def on_train_begin(self, logs=None):
        self._call_all('on_train_begin', logs)

    def on_train_end(self, logs=None):
        self._call_all('on_train_end', logs)

    def on_test_begin(self, logs=None):
        self._call_all('on_test_begin', logs)

    def on_test_end(self, logs=None):
        self._call_all('on_test_end', logs)

    def on_predict_begin(self, logs=None):
        self._call_all('on_predict_begin', logs)

    def on_predict_end(self, logs=None):
        self._call_all('on_predict_end', logs)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)


# Batch hooks of Callback that do nothing, and the aliases that only call
# another hook (on_train_batch_* call on_batch_*).
_EMPTY = {'on_batch_begin', 'on_batch_end', 'on_test_batch_begin', 'on_test_batch_end',
          'on_predict_batch_begin', 'on_predict_batch_end'}
_ALIASES = {'on_train_batch_begin': 'on_batch_begin', 'on_train_batch_end': 'on_batch_end'}


def _batch_method(callback, hook_name):
    """callback's bound `hook_name`, or None when calling it would run only
    Callback's empty hooks (duck-typed callbacks are always called)."""
    method = getattr(callback, hook_name)
    if not isinstance(callback, Callback):
        return method
    name = hook_name
    if getattr(method, '__func__', None) is getattr(Callback, name) and name in _ALIASES:
        name = _ALIASES[name]
    if name in _EMPTY and getattr(getattr(callback, name), '__func__', None) is \
            getattr(Callback, name):
        return None
    return method
