"""Horovod's Keras callbacks: broadcast the initial state, average the logged
metrics, warm up and schedule the learning rate."""
import numpy as np

from .. import backend as K
from ..callbacks import Callback, is_primary_process
from .collectives import broadcast_variables, check_same, allreduce
from .world import size


class BroadcastGlobalVariablesCallback(Callback):
    """At the start of training, sets the model's and the optimizer's
    variables on every rank to those of root_rank, so ranks initialised
    differently start alike.  Ranks whose models or optimizer settings differ
    fail here with a ValueError naming the rank and the difference."""

    def __init__(self, root_rank=0):
        super().__init__()
        self.root_rank = root_rank

    def on_train_begin(self, logs=None):
        optimizer = self.model.optimizer
        check_same('BroadcastGlobalVariablesCallback: optimizer settings',
                   (type(optimizer).__name__, optimizer.get_config()), self.root_rank)
        broadcast_variables(self.model.weights + list(optimizer.weights), self.root_rank)


class MetricAverageCallback(Callback):
    """At each epoch's end, replaces every metric in the logs (validation
    ones included) by its average over ranks, so that rank 0 reports and
    checkpoints on the whole data.  Put it before the callbacks that read the
    metrics (ModelCheckpoint, ReduceLROnPlateau, EarlyStopping)."""

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        names = sorted(k for k, v in logs.items() if np.ndim(v) == 0)
        check_same('MetricAverageCallback: metrics', names)
        if names:
            averaged = allreduce(np.array([float(logs[k]) for k in names]), average=True)
            logs.update(zip(names, averaged.tolist()))


class LearningRateScheduleCallback(Callback):
    """Sets the learning rate to initial_lr * multiplier(epoch) from
    start_epoch until end_epoch; multiplier is a number or a function of the
    epoch (a float within the epoch when staircase=False, which needs
    steps_per_epoch or a fit that knows its steps).  momentum_correction
    scales SGD's momentum by new_lr / old_lr for the batch where the rate
    changes (Goyal et al., 2017)."""

    def __init__(self, multiplier, start_epoch=0, end_epoch=None, staircase=True,
                 momentum_correction=True, steps_per_epoch=None, initial_lr=None):
        super().__init__()
        self.multiplier = multiplier if callable(multiplier) else (lambda epoch: multiplier)
        self.start_epoch, self.end_epoch = start_epoch, end_epoch
        self.staircase, self.momentum_correction = staircase, momentum_correction
        self.steps_per_epoch, self.initial_lr = steps_per_epoch, initial_lr
        self.current_epoch, self._restore_momentum = 0, None

    def on_train_begin(self, logs=None):
        if self.initial_lr is None:
            self.initial_lr = float(K.get_value(self.model.optimizer.lr))
        if not self.staircase and not self.steps_per_epoch:
            self.steps_per_epoch = self.params.get('steps')
            if not self.steps_per_epoch:
                raise ValueError(f'{type(self).__name__}: staircase=False needs '
                                 'steps_per_epoch (fit did not say how many steps an '
                                 'epoch has)')

    def on_epoch_begin(self, epoch, logs=None):
        self.current_epoch = epoch

    def _active(self, epoch):
        return epoch >= self.start_epoch and (self.end_epoch is None or epoch < self.end_epoch)

    def on_batch_begin(self, batch, logs=None):
        epoch = self.current_epoch
        if not self._active(epoch) or (self.staircase and batch > 0):
            return
        if not self.staircase:
            epoch = epoch + batch / self.steps_per_epoch
        optimizer = self.model.optimizer
        old = float(K.get_value(optimizer.lr))
        new = self.initial_lr * self.multiplier(epoch)
        K.set_value(optimizer.lr, new)
        if self.momentum_correction and hasattr(optimizer, 'momentum') and old > 0 \
                and new != old:
            momentum = float(K.get_value(optimizer.momentum))
            self._restore_momentum = momentum
            K.set_value(optimizer.momentum, momentum * new / old)

    def on_batch_end(self, batch, logs=None):
        if self._restore_momentum is not None:
            K.set_value(self.model.optimizer.momentum, self._restore_momentum)
            self._restore_momentum = None

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs['lr'] = float(K.get_value(self.model.optimizer.lr))


class LearningRateWarmupCallback(LearningRateScheduleCallback):
    """Raises the learning rate from initial_lr / size() to initial_lr over
    the first warmup_epochs, batch by batch (the large-batch recipe of Goyal
    et al.: start as one process would, end at the rate scaled for size()
    ranks)."""

    def __init__(self, warmup_epochs=5, momentum_correction=True, steps_per_epoch=None,
                 verbose=0, initial_lr=None):
        n = size()

        def multiplier(epoch):
            # Horovod's ramp: 1/n at epoch 0, 1 at warmup_epochs.
            return 1. / n * (epoch * (n - 1) / warmup_epochs + 1)
        super().__init__(multiplier, start_epoch=0, end_epoch=warmup_epochs, staircase=False,
                         momentum_correction=momentum_correction,
                         steps_per_epoch=steps_per_epoch, initial_lr=initial_lr)
        self.verbose = verbose

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if epoch == self.end_epoch - 1 and self.verbose > 0 and is_primary_process():
            print(f'\nEpoch {epoch + 1}: finished gradual learning rate warmup to '
                  f'{K.get_value(self.model.optimizer.lr):g}.')
