"""The one loop of fit, evaluate and predict, for arrays, generators and Sequences.

Data reaches the loop as a batch source (as Keras 3's EpochIterator): an
ArrayBatches over standardized arrays or a GeneratorBatches over a generator
or Sequence; each yields (feed list, batch size) per epoch.  A Loop owns one
compiled step function (train, test or predict) and the callbacks of a run,
and feeds it the batches: `fit` runs epochs, `evaluate` and `predict` one
pass.  The model builds the sources and the step; the loop uses only its
public face (metrics_names, reset_metrics, stop_training, history, outputs,
test_function).
"""
import numpy as np

from .. import callbacks as cbks
from ..utils.data_utils import Sequence, OrderedEnqueuer, GeneratorEnqueuer, skip_none
from ..utils.progbar import Progbar
from . import training_utils as U


def is_generator(x):
    return isinstance(x, Sequence) or (hasattr(x, '__next__') and not hasattr(x, 'shape'))


def unpack_scalars(outs):
    outs = [float(o) if np.ndim(o) == 0 else o for o in outs]
    return outs[0] if len(outs) == 1 else outs


def whole_steps(steps, name='steps', caller=None):
    """Keras loops `while steps_done < steps`, so tutorials pass len(x) / 32:
    a fractional count means its ceiling."""
    if steps is None:
        return None
    if isinstance(steps, bool) or not isinstance(steps, (int, float, np.integer, np.floating)) \
            or not steps > 0:
        raise ValueError(f'{caller + ": " if caller else ""}`{name}` must be a positive number '
                         f'of batches, got {steps!r}')
    return int(np.ceil(steps))


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


# The least int each counting argument of fit/evaluate/predict takes (None
# means the default wherever None is allowed).
_LEAST = {'batch_size': 1, 'epochs': 0, 'initial_epoch': 0, 'workers': 0,
          'max_queue_size': 0}


def check_arguments(caller, **args):
    """The one check of the numbers fit/evaluate/predict take, where they
    enter: a bad one raises TypeError/ValueError naming it and what is
    accepted, before any data is touched or any step runs."""
    for name, value in args.items():
        if value is None and name not in ('epochs', 'verbose', 'validation_split'):
            continue
        if name in _LEAST:
            if not _is_int(value):
                raise TypeError(f'{caller}: `{name}` must be an int >= {_LEAST[name]}, got '
                                f'{value!r} ({type(value).__name__})')
            if value < _LEAST[name]:
                raise ValueError(f'{caller}: `{name}` must be an int >= {_LEAST[name]}, got '
                                 f'{value!r}')
        elif name == 'verbose':
            if not isinstance(value, (int, np.integer, np.bool_)) or value not in (0, 1, 2):
                raise ValueError(f'{caller}: `verbose` must be 0 (silent), 1 (progress '
                                 f'bar) or 2 (one line per epoch), got {value!r}')
        elif name == 'validation_split':
            if isinstance(value, (bool, np.bool_)) or \
                    not isinstance(value, (int, float, np.integer, np.floating)) or \
                    not 0 <= value < 1:
                raise ValueError(f'{caller}: `validation_split` must be a fraction in [0, 1), '
                                 f'got {value!r}')
        elif name == 'validation_freq':
            freqs = [value] if _is_int(value) else value
            if not isinstance(freqs, (list, tuple, set, range)) or not freqs or \
                    not all(_is_int(f) and f >= 1 for f in freqs):
                raise ValueError(f'{caller}: `validation_freq` must be an int >= 1 or a '
                                 f'list of epoch numbers >= 1, got {value!r}')
        elif name.startswith('steps') or name == 'validation_steps':
            whole_steps(value, name, caller)


# -- batch sources --------------------------------------------------------------------

class ArrayBatches:
    """Batches of standardized arrays (inputs, then targets and sample
    weights), shuffled per epoch if asked; with `steps`, each of the `steps`
    batches is all the arrays."""

    def __init__(self, arrays, batch_size, shuffle=False, steps=None, steps_name='steps'):
        self.arrays = arrays
        self.batch_size = batch_size
        # No arrays at all: every input holds its tensor (`steps` is then given).
        self.samples = len(arrays[0]) if arrays else None
        self.steps = whole_steps(steps, steps_name)
        self.shuffle = shuffle
        self._batches = U.make_batches(self.samples, batch_size) if self.steps is None \
            else None
        self._gather = U.BatchGatherer(arrays, batch_size) if self._batches and shuffle \
            else None

    def fit_params(self):
        return {'batch_size': self.batch_size, 'steps': self.steps,
                'samples': self.samples if self.steps is None else None}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def epoch(self):
        """(feed, size) per batch; each feed is a new list (the loop appends
        the learning phase to it)."""
        if self.steps is not None:
            for _ in range(self.steps):
                yield list(self.arrays), self.samples
            return
        if self.shuffle == 'batch':
            index = _batch_shuffle(self.samples, self.batch_size)
        elif self.shuffle:
            index = np.random.permutation(self.samples)
        else:
            index = None
        for start, end in self._batches:
            if index is None:
                yield U.slice_arrays(self.arrays, slice(start, end)), end - start
            else:
                yield self._gather(index[start:end]), end - start


def _batch_shuffle(n, batch_size):
    """Shuffle whole batches (Keras's shuffle='batch' for HDF5-like data)."""
    starts = np.arange(0, n, batch_size)
    np.random.shuffle(starts)
    return np.concatenate([np.arange(s, min(n, s + batch_size)) for s in starts])


class GeneratorBatches:
    """`steps` batches per epoch from a generator or Sequence (read by worker
    threads while the source is open: `with batches: ...`), each item turned
    into a feed list by `standardize(x, y=None, sample_weight=None)`.
    Items are (x, y) or (x, y, sample_weight), or x alone for predict."""
    batch_size = None
    samples = None

    def __init__(self, generator, steps, standardize, with_targets=True, shuffle=False,
                 workers=1, max_queue_size=10, use_multiprocessing=False, steps_name='steps'):
        steps = whole_steps(steps, steps_name)
        if isinstance(generator, Sequence):
            steps = len(generator) if steps is None else steps
        elif steps is None:
            raise ValueError(f'`{steps_name}` (the number of batches per epoch) is required '
                             'when the data is a Python generator; only a keras.utils.Sequence '
                             'knows its length.')
        self.generator, self.steps, self.standardize = generator, steps, standardize
        self.with_targets, self.shuffle = with_targets, shuffle
        self.workers, self.max_queue_size = workers, max_queue_size
        self.use_multiprocessing = use_multiprocessing
        self._enqueuer = self._items = None

    def fit_params(self):
        return {'steps': self.steps}

    def __enter__(self):
        if self.workers > 0:
            if isinstance(self.generator, Sequence):
                self._enqueuer = OrderedEnqueuer(self.generator, shuffle=self.shuffle,
                                                 use_multiprocessing=self.use_multiprocessing)
            else:
                self._enqueuer = GeneratorEnqueuer(self.generator,
                                                   use_multiprocessing=self.use_multiprocessing)
            self._enqueuer.start(workers=self.workers, max_queue_size=self.max_queue_size)
            self._items = self._enqueuer.get()
        elif isinstance(self.generator, Sequence):
            self._items = skip_none(_iter_sequence(self.generator), 'the Sequence')
        else:
            self._items = skip_none(self.generator)
        return self

    def __exit__(self, *exc):
        if self._enqueuer is not None:
            self._enqueuer.stop()
            self._enqueuer = None
        return False

    def epoch(self):
        for _ in range(self.steps):
            feed = self._feed(self._next())
            yield feed, len(feed[0])

    def _next(self):
        try:
            return next(self._items)
        except StopIteration:
            raise ValueError(f'The data generator ran out after fewer batches than the '
                             f'{self.steps} steps asked for; make it loop forever or lower '
                             '`steps`/`steps_per_epoch`.') from None

    def _feed(self, item):
        if not self.with_targets:
            # Keras: a tuple is (x,), (x, y) or (x, y, w); anything else is x itself.
            return self.standardize(item[0] if isinstance(item, tuple) and
                                    len(item) in (1, 2, 3) else item)
        if not isinstance(item, tuple):
            raise ValueError('A generator must yield tuples (x, y) or (x, y, sample_weight) '
                             f'for training, or x for prediction; got {type(item).__name__}')
        if len(item) not in (2, 3):
            raise ValueError('Output of generator should be a tuple (x, y, sample_weight) '
                             f'or (x, y). Found: a tuple of {len(item)}')
        return self.standardize(item[0], item[1], item[2] if len(item) == 3 else None)


def _iter_sequence(seq):
    while True:
        for i in range(len(seq)):
            yield seq[i]
        seq.on_epoch_end()


# -- the loop ------------------------------------------------------------------------

def _values(outs):
    """The function's outputs as log values: floats for the scalars, copies
    of the others (they must not alias anything a later call reuses)."""
    return [float(o) if (o.ndim if type(o) is np.ndarray else np.ndim(o)) == 0
            else np.array(o) for o in outs]


class _Outputs:
    """A batch's outputs as logs: the loss (first) is that batch's value and
    is averaged over the batches, weighted by size; every other output is a
    stateful metric, already the value over all batches since its reset."""

    def __init__(self, labels):
        self.labels = labels
        self.loss_total, self.count, self.last = 0., 0, []

    def add(self, outs, size):
        values = _values(outs)
        self.loss_total += values[0] * size
        self.count += size
        self.last = values[1:]
        return dict(zip(self.labels, values))

    def results(self):
        return [self.loss_total / max(self.count, 1)] + self.last


def _should_validate(freq, epoch):
    """Whether epoch (from 0) validates; freq was checked by check_arguments."""
    if _is_int(freq):
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq


class Loop:
    """One compiled step (train, test or predict) of `model`, the callbacks
    of a run (a list, or the CallbackList of the fit that validates) and the
    verbosity; fit, evaluate and predict feed it a batch source."""

    def __init__(self, model, step, callbacks=None, verbose=0):
        self.model, self.step, self.verbose = model, step, verbose
        self.callbacks = callbacks

    def _configured(self, params):
        if isinstance(self.callbacks, cbks.CallbackList):
            return self.callbacks
        cl = cbks.CallbackList(list(self.callbacks or []))
        cl.set_model(self.model)
        cl.set_params(params)
        return cl

    def fit(self, batches, epochs, initial_epoch=0, validation=None, validation_freq=1):
        """Epochs of training steps; `validation` (a batch source) is
        evaluated after the epochs validation_freq picks.  Returns History."""
        model = self.model
        if self.verbose and cbks.is_primary_process() and isinstance(batches, ArrayBatches) \
                and isinstance(validation, ArrayBatches):
            print(f'Train on {batches.samples} samples, validate on {validation.samples} '
                  'samples')
        labels = list(model.metrics_names)
        do_validation = validation is not None
        params = dict(batches.fit_params(), epochs=epochs, verbose=self.verbose,
                      do_validation=do_validation,
                      metrics=labels + (['val_' + n for n in labels] if do_validation else []))
        count_mode = 'steps' if batches.steps is not None else 'samples'
        # fit's callbacks, in Keras 2.3's order: BaseLogger, the user's,
        # History, the progress bar (last, so it shows the logs as the user's
        # callbacks left them: averaged over MPI ranks, say).  Metrics (all
        # but the loss) are stateful over the epoch, so the loggers show
        # their last value.
        model.history = cbks.History()
        stateful = labels[1:]
        items = [cbks.BaseLogger(stateful_metrics=stateful)] + list(self.callbacks or []) + \
            [model.history]
        if self.verbose:
            items.append(cbks.ProgbarLogger(count_mode=count_mode, stateful_metrics=stateful))
        self.callbacks = items
        cl = self.callbacks = self._configured(params)
        # Keras 2.3: a step over all the arrays (steps_per_epoch) logs size 1.
        unit = isinstance(batches, ArrayBatches) and batches.steps is not None
        step = self.step
        with batches:
            model.stop_training = False
            cl.on_train_begin()
            phase = np.asarray(True)
            for epoch in range(initial_epoch, epochs):
                # Keras 2.3: the metrics' state starts over at each epoch.
                model.reset_metrics()
                cl.on_epoch_begin(epoch)
                epoch_logs = {}
                # The epoch's values come from the callbacks (BaseLogger): the
                # loop only turns each batch's outputs into its logs.
                for index, (feed, size) in enumerate(batches.epoch()):
                    batch_logs = {'batch': index, 'size': 1 if unit else size}
                    cl.on_batch_begin(index, batch_logs)
                    feed.append(phase)
                    batch_logs.update(zip(labels, _values(step(feed))))
                    cl.on_batch_end(index, batch_logs)
                    if model.stop_training:
                        break
                if do_validation and _should_validate(validation_freq, epoch):
                    results = Loop(model, model.test_function, cl).evaluate(validation)
                    for label, value in zip(labels, results if isinstance(results, list)
                                            else [results]):
                        epoch_logs['val_' + label] = value
                cl.on_epoch_end(epoch, epoch_logs)
                if model.stop_training:
                    break
            cl.on_train_end()
        return model.history

    def evaluate(self, batches):
        """The loss (averaged over the batches) and the metrics of one pass."""
        self.model.reset_metrics()
        running = _Outputs(list(self.model.metrics_names))
        self._run(batches, 'test', running.add)
        return unpack_scalars(running.results())

    def predict(self, batches):
        """The outputs of one pass, concatenated over the batches."""
        chunks = []
        self._run(batches, 'predict', lambda outs, size: chunks.append(outs))
        if not chunks:
            results = [np.empty((0,) + tuple(d or 0 for d in o.shape[1:]))
                       for o in self.model.outputs]
        else:
            results = [np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))]
        return results[0] if len(results) == 1 else results

    def _run(self, batches, mode, collect):
        """Feeds one pass of batches to the step with the test/predict
        callback hooks; `collect(outputs, size)` returns the batch's logs."""
        steps = batches.steps
        cl = self._configured({'batch_size': batches.batch_size, 'epochs': 1, 'steps': steps,
                               'samples': batches.samples, 'verbose': self.verbose,
                               'do_validation': False,
                               'metrics': list(getattr(self.model, 'metrics_names', []))})
        count_steps = steps is not None
        bar = Progbar(target=steps if count_steps else batches.samples) \
            if self.verbose == 1 and cbks.is_primary_process() else None
        seen = 0
        begin, end = getattr(cl, f'on_{mode}_batch_begin'), getattr(cl, f'on_{mode}_batch_end')
        phase = np.asarray(False)
        with batches:
            getattr(cl, f'on_{mode}_begin')()
            for index, (feed, size) in enumerate(batches.epoch()):
                batch_logs = {'batch': index, 'size': size}
                begin(index, batch_logs)
                outs = self.step(feed + [phase])
                logs = collect(outs, size)
                if mode == 'predict':
                    batch_logs['outputs'] = outs
                elif logs:
                    batch_logs.update(logs)
                end(index, batch_logs)
                seen += 1 if count_steps else size
                if bar is not None:
                    bar.update(seen)
            getattr(cl, f'on_{mode}_end')()
