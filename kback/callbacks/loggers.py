"""Callbacks that record or report: BaseLogger, History, ProgbarLogger,
CSVLogger, TerminateOnNaN, LambdaCallback."""
import csv
import io
import os
from collections.abc import Iterable

import numpy as np

from ..utils.progbar import Progbar
from .base import Callback


def _stateful_set(stateful_metrics):
    return set(stateful_metrics) if stateful_metrics else set()


class BaseLogger(Callback):
    """Averages the batch metrics over each epoch, weighted by batch size, into
    the epoch's logs.

    `fit` adds it to every model. Names in `stateful_metrics` are running
    values already: the last one is kept instead of the average.

    Arguments:
        stateful_metrics: an iterable of metric names not to average.
    """

    def __init__(self, stateful_metrics=None):
        super(BaseLogger, self).__init__()
        self.stateful_metrics = _stateful_set(stateful_metrics)
        self.seen = 0
        self.totals = {}

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        batch_size = logs.get('size', 0)
        self.seen += batch_size
        stateful, totals = self.stateful_metrics, self.totals
        for k, v in logs.items():
            if k in stateful:
                totals[k] = v
            elif k in totals:
                totals[k] += v * batch_size
            else:
                totals[k] = v * batch_size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for k in self.params.get('metrics', []):
            if k in self.totals:
                if k in self.stateful_metrics:
                    logs[k] = self.totals[k]
                else:
                    logs[k] = self.totals[k] / self.seen if self.seen else self.totals[k]


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch's loss is NaN or infinite.

    The weights the model had before that batch (the last ones from a finite
    loss) are put back, so the model is left usable.
    """

    def __init__(self):
        super(TerminateOnNaN, self).__init__()
        self._saved = None

    def on_batch_begin(self, batch, logs=None):
        get_weights = getattr(self.model, 'get_weights', None)
        if get_weights is None:
            return
        weights = get_weights()
        if self._saved is None or len(self._saved) != len(weights) or any(
                s.shape != np.shape(w) for s, w in zip(self._saved, weights)):
            self._saved = [np.array(w, copy=True) for w in weights]
        else:
            # Reuse the buffers: one copy per batch, no allocation.
            for s, w in zip(self._saved, weights):
                np.copyto(s, w)

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get('loss')
        if loss is None:
            return
        loss = np.asarray(loss, dtype='float64')
        if np.isnan(loss).any() or np.isinf(loss).any():
            print('Batch %d: Invalid loss, terminating training' % batch)
            self.model.stop_training = True
            if self._saved is not None and hasattr(self.model, 'set_weights'):
                self.model.set_weights(self._saved)

    def on_train_end(self, logs=None):
        self._saved = None


class ProgbarLogger(Callback):
    """Prints the progress of `fit`: a progress bar (verbose=1) or one line per
    epoch (verbose=2), after an `Epoch i/n` header.

    `fit` adds it when `verbose` is not 0.

    Arguments:
        count_mode: `'samples'` (the bar counts samples) or `'steps'`
            (batches).
        stateful_metrics: names shown as last given instead of averaged.

    Raises:
        ValueError: for an unknown `count_mode`.
    """

    primary_only = True

    def __init__(self, count_mode='samples', stateful_metrics=None):
        super(ProgbarLogger, self).__init__()
        if count_mode == 'samples':
            self.use_steps = False
        elif count_mode == 'steps':
            self.use_steps = True
        else:
            raise ValueError("ProgbarLogger: unknown count_mode %r; use 'samples' or 'steps'"
                             % (count_mode,))
        self.stateful_metrics = _stateful_set(stateful_metrics)
        self.seen = 0
        self.target = None
        self.log_values = []

    def on_train_begin(self, logs=None):
        self.verbose = self.params['verbose']
        self.epochs = self.params['epochs']

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self, 'verbose'):
            self.on_train_begin()
        if self.verbose:
            print('Epoch %d/%d' % (epoch + 1, self.epochs))
            self.target = self.params['steps'] if self.use_steps else self.params['samples']
            self.progbar = Progbar(target=self.target, verbose=self.verbose,
                                   stateful_metrics=self.stateful_metrics)
        self.seen = 0
        self.log_values = []

    def on_batch_begin(self, batch, logs=None):
        if self.target is None or self.seen < self.target:
            self.log_values = []

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.seen += 1 if self.use_steps else logs.get('size', 0)
        for k in self.params.get('metrics', ()):
            if k in logs:
                self.log_values.append((k, logs[k]))
        # The last batch is drawn by on_epoch_end, with the val_ metrics.
        if self.verbose and (self.target is None or self.seen < self.target):
            self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for k in self.params.get('metrics', ()):
            if k in logs:
                self.log_values.append((k, logs[k]))
        if self.verbose:
            self.progbar.update(self.seen, self.log_values)
            if self.target is None and self.verbose == 1:
                print()  # an unknown target never ends its own line


class History(Callback):
    """Records the logs of every epoch; `fit` returns it.

    Attributes:
        history: a dict mapping each loss and metric name to its list of
            values, one per epoch.
        epoch: the list of the epoch indices.

    Example::

        history = model.fit(x, y, epochs=3, validation_split=0.2)
        history.history['val_loss']     # three values
    """

    def __init__(self):
        super(History, self).__init__()
        self.epoch = []
        self.history = {}

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)


class CSVLogger(Callback):
    """Streams each epoch's logs to a CSV file.

    The file has a header `epoch,<sorted log keys>`, then one row per epoch.

    Arguments:
        filename: the CSV file's path.
        separator: the field separator.
        append: whether to append to an existing file (keeping its header)
            instead of overwriting it.

    Example::

        model.fit(x, y, callbacks=[CSVLogger('training.log')])
    """

    primary_only = True

    def __init__(self, filename, separator=',', append=False):
        super(CSVLogger, self).__init__()
        self.sep = separator
        self.filename = filename
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        self.writer = None
        self.keys = None
        self.append_header = True
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, 'r') as f:
                    self.append_header = not bool(len(f.readline()))
            mode = 'a'
        else:
            mode = 'w'
        self.csv_file = io.open(self.filename, mode, newline='\n')

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.csv_file is None or self.csv_file.closed:
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs.keys())
        if not self.writer:
            class _Dialect(csv.excel):
                delimiter = self.sep
            self.writer = csv.DictWriter(self.csv_file, fieldnames=['epoch'] + self.keys,
                                         dialect=_Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {'epoch': epoch}
        # 'NA' keeps the row parseable when a key is missing (e.g. the epoch
        # training was stopped in).
        row.update((k, _csv_value(logs[k]) if k in logs else 'NA') for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.writer = None

    def __del__(self):
        f = getattr(self, 'csv_file', None)
        if f is not None and not f.closed:
            f.close()


def _csv_value(v):
    if isinstance(v, str):
        return v
    if isinstance(v, Iterable) and not (isinstance(v, np.ndarray) and v.ndim == 0):
        return '"[%s]"' % ', '.join(map(str, v))
    return v


class LambdaCallback(Callback):
    """A callback made of plain functions, for quick hooks.

    The functions are called positionally: `on_epoch_begin(epoch, logs)`,
    `on_epoch_end(epoch, logs)`, `on_batch_begin(batch, logs)`,
    `on_batch_end(batch, logs)`, `on_train_begin(logs)`, `on_train_end(logs)`.

    Arguments:
        on_epoch_begin: called at the start of every epoch.
        on_epoch_end: called at the end of every epoch.
        on_batch_begin: called before every training batch.
        on_batch_end: called after every training batch.
        on_train_begin: called when training starts.
        on_train_end: called when training ends.
        **kwargs: other hooks by name (e.g. `on_test_begin=...`).

    Example::

        print_epoch = LambdaCallback(
            on_epoch_end=lambda epoch, logs: print(epoch, logs['loss']))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        super(LambdaCallback, self).__init__()
        self.__dict__.update(kwargs)
        self.on_epoch_begin = on_epoch_begin or (lambda epoch, logs: None)
        self.on_epoch_end = on_epoch_end or (lambda epoch, logs: None)
        self.on_batch_begin = on_batch_begin or (lambda batch, logs: None)
        self.on_batch_end = on_batch_end or (lambda batch, logs: None)
        self.on_train_begin = on_train_begin or (lambda logs: None)
        self.on_train_end = on_train_end or (lambda logs: None)
