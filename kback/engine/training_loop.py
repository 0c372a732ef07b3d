"""The one epoch loop: fit over arrays and fit_generator over generators and
Sequences both feed batches from an iterator to the compiled train function."""
import numpy as np

from .. import backend as K
from .. import callbacks as cbks
from ..utils.data_utils import Sequence, OrderedEnqueuer, GeneratorEnqueuer
from . import training_utils as U


def is_generator(x):
    return isinstance(x, Sequence) or (hasattr(x, '__next__') and not hasattr(x, 'shape'))


def unpack_scalars(outs):
    outs = [float(o) if np.ndim(o) == 0 else o for o in outs]
    return outs[0] if len(outs) == 1 else outs


def _callback_list(model, callbacks, verbose, count_mode, params):
    """fit's callbacks: BaseLogger, the progress bar, the user's, History.
    Metrics (all but the loss) are stateful over the epoch, so the loggers
    show their last value."""
    model.history = cbks.History()
    stateful = model.metrics_names[1:]
    items = [cbks.BaseLogger(stateful_metrics=stateful)]
    if verbose:
        items.append(cbks.ProgbarLogger(count_mode=count_mode, stateful_metrics=stateful))
    items += list(callbacks or []) + [model.history]
    return _configured(items, model, params)


def _configured(callbacks, model, params):
    if isinstance(callbacks, cbks.CallbackList):
        return callbacks
    cl = cbks.CallbackList(list(callbacks or []))
    cl.set_model(model)
    cl.set_params(params)
    return cl


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


def _train_loop(model, epochs, verbose, callbacks, initial_epoch, batches_for_epoch,
                params, count_mode, validate, validation_freq=1):
    """Run epochs; batches_for_epoch(epoch) yields (feed list, batch size);
    validate(callback_list) returns the validation results."""
    train = model._function('train')
    labels = list(model.metrics_names)
    do_validation = validate is not None
    callback_metrics = labels + (['val_' + n for n in labels] if do_validation else [])
    params = dict(params, verbose=verbose, do_validation=do_validation,
                  metrics=callback_metrics)
    cl = _callback_list(model, callbacks, verbose, count_mode, params)
    model.stop_training = False
    cl.on_train_begin()
    phase = np.asarray(True)
    for epoch in range(initial_epoch, epochs):
        # Keras 2.3: the metrics' state starts over at each epoch.
        model.reset_metrics()
        cl.on_epoch_begin(epoch)
        epoch_logs = {}
        # The epoch's values come from the callbacks (BaseLogger): the loop
        # only turns each batch's outputs into its logs.
        for index, (feed, size) in enumerate(batches_for_epoch(epoch)):
            batch_logs = {'batch': index, 'size': size}
            cl.on_batch_begin(index, batch_logs)
            feed.append(phase)
            batch_logs.update(zip(labels, _values(train(feed))))
            cl.on_batch_end(index, batch_logs)
            if model.stop_training:
                break
        if do_validation and _should_validate(validation_freq, epoch):
            val_outs = validate(cl)
            for label, value in zip(labels, val_outs if isinstance(val_outs, list)
                                    else [val_outs]):
                epoch_logs['val_' + label] = value
        cl.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    cl.on_train_end()
    return model.history


def _should_validate(freq, epoch):
    if isinstance(freq, int):
        if freq < 1:
            raise ValueError(f'validation_freq must be a positive int, got {freq}')
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq


def fit_arrays(model, ins, batch_size, epochs, verbose, callbacks, val, shuffle,
               initial_epoch, steps_per_epoch, validation_steps, validation_freq):
    n = len(ins[0])
    steps_per_epoch = _whole_steps(steps_per_epoch, 'steps_per_epoch')
    batches = U.make_batches(n, batch_size) if steps_per_epoch is None else None
    gather = U.BatchGatherer(ins, batch_size) if batches and shuffle else None

    def batches_for_epoch(epoch):
        # Each feed is a new list: the loop appends the learning phase to it.
        if steps_per_epoch is not None:
            # Keras 2.3: with steps_per_epoch, each step is fed all the arrays.
            for _ in range(steps_per_epoch):
                yield list(ins), 1
            return
        if shuffle == 'batch':
            index = _batch_shuffle(n, batch_size)
        elif shuffle:
            index = np.random.permutation(n)
        else:
            index = None
        for start, end in batches:
            if index is None:
                yield U.slice_arrays(ins, slice(start, end)), end - start
            else:
                yield gather(index[start:end]), end - start

    validate = None
    if val is not None:
        val_ins = list(val[0]) + list(val[1]) + list(val[2])
        if verbose:
            print(f'Train on {n} samples, validate on {len(val_ins[0])} samples')

        def validate_arrays(cl):
            return test_arrays(model, val_ins, batch_size or 32, 0, validation_steps, cl)
        validate = validate_arrays
    params = {'batch_size': batch_size, 'epochs': epochs, 'steps': steps_per_epoch,
              'samples': n if steps_per_epoch is None else None}
    return _train_loop(model, epochs, verbose, callbacks, initial_epoch, batches_for_epoch,
                       params, 'steps' if steps_per_epoch else 'samples', validate,
                       validation_freq)


def _batch_shuffle(n, batch_size):
    """Shuffle whole batches (Keras's shuffle='batch' for HDF5-like data)."""
    starts = np.arange(0, n, batch_size)
    np.random.shuffle(starts)
    return np.concatenate([np.arange(s, min(n, s + batch_size)) for s in starts])


def _run_batches(fn, feeds, verbose, total, count_mode, cl, mode, collect, labels=None):
    """Feed batches to fn with the test/predict callback hooks; `collect`
    accumulates the outputs."""
    from ..utils.progbar import Progbar
    bar = Progbar(target=total) if verbose == 1 else None
    seen = 0
    begin, end = getattr(cl, f'on_{mode}_batch_begin'), getattr(cl, f'on_{mode}_batch_end')
    phase = np.asarray(False)
    getattr(cl, f'on_{mode}_begin')()
    for index, (feed, size) in enumerate(feeds):
        batch_logs = {'batch': index, 'size': size}
        begin(index, batch_logs)
        outs = fn(feed + [phase])
        logs = collect(outs, size)
        if mode == 'predict':
            batch_logs['outputs'] = outs
        elif logs:
            batch_logs.update(logs)
        end(index, batch_logs)
        seen += size if count_mode == 'samples' else 1
        if bar is not None:
            bar.update(seen)
    getattr(cl, f'on_{mode}_end')()


def _loop_params(model, batch_size, steps, samples, verbose):
    return {'batch_size': batch_size, 'epochs': 1, 'steps': steps, 'samples': samples,
            'verbose': verbose, 'do_validation': False,
            'metrics': list(getattr(model, 'metrics_names', []))}


def _array_feeds(ins, batch_size, steps):
    """Batches of the arrays, or (with steps) all the arrays `steps` times."""
    if steps is not None:
        return ((ins, len(ins[0])) for _ in range(steps))
    return ((U.slice_arrays(ins, slice(s, e)), e - s)
            for s, e in U.make_batches(len(ins[0]), batch_size))


def test_arrays(model, ins, batch_size, verbose, steps=None, callbacks=None):
    fn = model._function('test')
    n = len(ins[0])
    cl = _configured(callbacks, model, _loop_params(model, batch_size, steps, n, verbose))
    model.reset_metrics()
    running = _Outputs(list(model.metrics_names))
    _run_batches(fn, _array_feeds(ins, batch_size, steps), verbose,
                 n if steps is None else steps, 'samples' if steps is None else 'steps', cl,
                 'test', running.add)
    return unpack_scalars(running.results())


def predict_arrays(model, xs, batch_size, verbose, steps=None, callbacks=None):
    fn = model._function('predict')
    n = len(xs[0])
    cl = _configured(callbacks, model, _loop_params(model, batch_size, steps, n, verbose))
    chunks = []
    _run_batches(fn, _array_feeds(xs, batch_size, steps), verbose,
                 n if steps is None else steps, 'samples' if steps is None else 'steps', cl,
                 'predict', lambda outs, size: chunks.append(outs))
    if not chunks:
        results = [np.empty((0,) + tuple(d or 0 for d in K.int_shape(o)[1:]))
                   for o in model.outputs]
    else:
        results = [np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))]
    return results[0] if len(results) == 1 else results


# -- generators and Sequences -------------------------------------------------------------

def _whole_steps(steps, name='steps'):
    """Keras loops `while steps_done < steps`, so tutorials pass len(x) / 32:
    a fractional count means its ceiling."""
    if steps is None:
        return None
    if isinstance(steps, bool) or not isinstance(steps, (int, float, np.integer, np.floating)) \
            or not steps > 0:
        raise ValueError(f'`{name}` must be a positive number of batches, got {steps!r}')
    return int(np.ceil(steps))


def _generator_batches(model, generator, steps, workers, max_queue_size, use_multiprocessing,
                       shuffle, class_weight=None, with_targets=True):
    """(iterator of (feed, size), stop function, steps)."""
    steps = _whole_steps(steps)
    if isinstance(generator, Sequence):
        steps = len(generator) if steps is None else steps
        enqueuer = OrderedEnqueuer(generator, use_multiprocessing=use_multiprocessing,
                                   shuffle=shuffle) if workers > 0 else None
    else:
        if steps is None:
            raise ValueError('`steps` (steps_per_epoch) is required when the input is a '
                             'Python generator; give the number of batches per epoch.')
        enqueuer = GeneratorEnqueuer(generator, use_multiprocessing=use_multiprocessing) \
            if workers > 0 else None
    if enqueuer is not None:
        enqueuer.start(workers=workers, max_queue_size=max_queue_size)
        source = enqueuer.get()
    else:
        source = _iter_sequence(generator) if isinstance(generator, Sequence) else generator

    def feeds():
        while True:
            try:
                item = next(source)
            except StopIteration:
                raise ValueError(f'The data generator ran out after fewer batches than the '
                                 f'{steps} steps asked for; make it loop forever or lower '
                                 '`steps`/`steps_per_epoch`.') from None
            if with_targets and not isinstance(item, tuple):
                raise ValueError('A generator must yield tuples (x, y) or (x, y, sample_weight) '
                                 f'for training, or x for prediction; got {type(item).__name__}')
            if with_targets:
                if len(item) not in (2, 3):
                    raise ValueError('Output of generator should be a tuple (x, y, '
                                     f'sample_weight) or (x, y). Found: a tuple of {len(item)}')
                x, y = item[0], item[1]
                sw = item[2] if len(item) == 3 else None
                xs, ys, sws = model._standardize(x, y, sw, class_weight)
                yield xs + ys + sws, len(xs[0])
            else:
                # Keras: a tuple is (x,), (x, y) or (x, y, w); anything else is x itself.
                x = item[0] if isinstance(item, tuple) and len(item) in (1, 2, 3) else item
                xs, _, _ = model._standardize(x)
                yield xs, len(xs[0])

    def stop():
        if enqueuer is not None:
            enqueuer.stop()
    return feeds(), stop, steps


def _iter_sequence(seq):
    while True:
        for i in range(len(seq)):
            yield seq[i]
        seq.on_epoch_end()


def fit_generator(model, generator, steps_per_epoch, epochs, verbose, callbacks,
                  validation_data, validation_steps, validation_freq, class_weight,
                  max_queue_size, workers, use_multiprocessing, shuffle, initial_epoch):
    model._check_compiled()
    feeds, stop, steps = _generator_batches(model, generator, steps_per_epoch, workers,
                                            max_queue_size, use_multiprocessing, shuffle,
                                            class_weight)
    validate = None
    if validation_data is not None:
        if is_generator(validation_data):
            if validation_steps is None and not isinstance(validation_data, Sequence):
                stop()
                raise ValueError('`validation_steps=None` is only valid for a generator '
                                 'based on the `keras.utils.Sequence` class. Please specify '
                                 '`validation_steps` or use the `keras.utils.Sequence` class.')

            def validate_generator(cl):
                return evaluate_generator(model, validation_data, validation_steps, cl,
                                          max_queue_size, workers, use_multiprocessing, 0)
            validate = validate_generator
        else:
            if len(validation_data) not in (2, 3):
                stop()
                raise ValueError('`validation_data` should be a tuple `(val_x, val_y, '
                                 'val_sample_weight)` or `(val_x, val_y)`. Found: '
                                 f'{len(validation_data)} items')
            vx, vy = validation_data[0], validation_data[1]
            vw = validation_data[2] if len(validation_data) == 3 else None
            vxs, vys, vsws = model._standardize(vx, vy, vw)

            def validate_arrays(cl):
                return test_arrays(model, vxs + vys + vsws, 32, 0, None, cl)
            validate = validate_arrays

    def batches_for_epoch(epoch):
        for _ in range(steps):
            yield next(feeds)
    try:
        return _train_loop(model, epochs, verbose, callbacks, initial_epoch, batches_for_epoch,
                           {'epochs': epochs, 'steps': steps}, 'steps', validate,
                           validation_freq)
    finally:
        stop()


def evaluate_generator(model, generator, steps, callbacks, max_queue_size, workers,
                       use_multiprocessing, verbose):
    model._check_compiled()
    feeds, stop, steps = _generator_batches(model, generator, steps, workers, max_queue_size,
                                            use_multiprocessing, False)
    fn = model._function('test')
    cl = _configured(callbacks, model, _loop_params(model, None, steps, None, verbose))
    model.reset_metrics()
    running = _Outputs(list(model.metrics_names))
    try:
        _run_batches(fn, (next(feeds) for _ in range(steps)), verbose, steps, 'steps', cl,
                     'test', running.add)
    finally:
        stop()
    return unpack_scalars(running.results())


def predict_generator(model, generator, steps, callbacks, max_queue_size, workers,
                      use_multiprocessing, verbose):
    feeds, stop, steps = _generator_batches(model, generator, steps, workers, max_queue_size,
                                            use_multiprocessing, False, with_targets=False)
    fn = model._function('predict')
    cl = _configured(callbacks, model, _loop_params(model, None, steps, None, verbose))
    chunks = []
    try:
        _run_batches(fn, (next(feeds) for _ in range(steps)), verbose, steps, 'steps', cl,
                     'predict', lambda outs, size: chunks.append(outs))
    finally:
        stop()
    results = [np.concatenate([c[i] for c in chunks]) for i in range(len(model.outputs))]
    return results[0] if len(results) == 1 else results
