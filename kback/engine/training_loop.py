"""The one epoch loop: fit over arrays and fit_generator over generators and
Sequences both feed batches from an iterator to the compiled train function."""
import numpy as np

from .. import callbacks as cbks
from ..utils.data_utils import Sequence, OrderedEnqueuer, GeneratorEnqueuer
from . import training_utils as U


def is_generator(x):
    return isinstance(x, Sequence) or (hasattr(x, '__next__') and not hasattr(x, 'shape'))


def unpack_scalars(outs):
    outs = [float(o) if np.ndim(o) == 0 else o for o in outs]
    return outs[0] if len(outs) == 1 else outs


def _callback_list(model, callbacks, verbose, count_mode, params):
    model.history = cbks.History()
    items = [cbks.BaseLogger()]
    if verbose:
        items.append(cbks.ProgbarLogger(count_mode=count_mode))
    items += list(callbacks or []) + [model.history]
    cl = cbks.CallbackList(items)
    cl.set_model(model)
    cl.set_params(params)
    return cl


def _train_loop(model, epochs, verbose, callbacks, initial_epoch, batches_for_epoch,
                samples, steps, batch_size, validate, validation_freq):
    """Run epochs; batches_for_epoch(epoch) yields (feed list, batch size)."""
    train = model._function('train')
    labels = list(model.metrics_names)
    do_validation = validate is not None
    callback_metrics = labels + (['val_' + n for n in labels] if do_validation else [])
    cl = _callback_list(model, callbacks, verbose, 'steps' if samples is None else 'samples',
                        {'batch_size': batch_size, 'epochs': epochs, 'steps': steps,
                         'samples': samples, 'verbose': verbose,
                         'do_validation': do_validation, 'metrics': callback_metrics})
    model.stop_training = False
    cl.on_train_begin()
    phase = np.asarray(True)
    for epoch in range(initial_epoch, epochs):
        cl.on_epoch_begin(epoch)
        epoch_logs = {}
        for index, (feed, size) in enumerate(batches_for_epoch(epoch)):
            batch_logs = {'batch': index, 'size': size}
            cl.on_batch_begin(index, batch_logs)
            outs = train(feed + [phase])
            for label, value in zip(labels, outs):
                batch_logs[label] = float(value)
            cl.on_batch_end(index, batch_logs)
            if model.stop_training:
                break
        if do_validation and _should_validate(validation_freq, epoch):
            val_outs = validate()
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
    if steps_per_epoch is not None and batch_size is None:
        batch_size = -(-n // steps_per_epoch)
    batches = U.make_batches(n, batch_size)
    if steps_per_epoch is not None:
        batches = batches[:steps_per_epoch]

    def batches_for_epoch(epoch):
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
                yield U.slice_arrays(ins, index[start:end]), end - start

    validate = None
    if val is not None:
        val_ins = list(val[0]) + list(val[1]) + list(val[2])

        def validate_arrays():
            return test_arrays(model, val_ins, batch_size, 0, validation_steps)
        validate = validate_arrays
    return _train_loop(model, epochs, verbose, callbacks, initial_epoch, batches_for_epoch,
                       n if steps_per_epoch is None else None,
                       steps_per_epoch or len(batches), batch_size, validate, validation_freq)


def _batch_shuffle(n, batch_size):
    """Shuffle whole batches (Keras's shuffle='batch' for HDF5-like data)."""
    starts = np.arange(0, n, batch_size)
    np.random.shuffle(starts)
    return np.concatenate([np.arange(s, min(n, s + batch_size)) for s in starts])


def _run_batches(fn, feeds, verbose, total, count_mode, phase, collect):
    """Feed batches to fn; returns what `collect` accumulated."""
    from ..utils.progbar import Progbar
    bar = Progbar(target=total) if verbose == 1 else None
    seen = 0
    for feed, size in feeds:
        outs = fn(feed + [np.asarray(phase)])
        collect(outs, size)
        seen += size if count_mode == 'samples' else 1
        if bar is not None:
            bar.update(seen)


def test_arrays(model, ins, batch_size, verbose, steps=None, callbacks=None):
    fn = model._function('test')
    n = len(ins[0])
    batches = U.make_batches(n, batch_size)
    if steps is not None:
        batches = batches[:steps]
    totals, count = None, 0

    def collect(outs, size):
        nonlocal totals, count
        values = np.asarray([float(o) for o in outs])
        totals = values * size if totals is None else totals + values * size
        count += size

    feeds = ((U.slice_arrays(ins, slice(s, e)), e - s) for s, e in batches)
    _run_batches(fn, feeds, verbose, n, 'samples', False, collect)
    return unpack_scalars(list(totals / count))


def predict_arrays(model, xs, batch_size, verbose, steps=None, callbacks=None):
    fn = model._function('predict')
    n = len(xs[0])
    batches = U.make_batches(n, batch_size)
    if steps is not None:
        batches = batches[:steps]
    results = None

    def collect(outs, size):
        nonlocal results
        if results is None:
            results = [np.empty((n,) + o.shape[1:], o.dtype) for o in outs]
            collect.start = 0
        for r, o in zip(results, outs):
            r[collect.start:collect.start + size] = o
        collect.start += size

    feeds = ((U.slice_arrays(xs, slice(s, e)), e - s) for s, e in batches)
    _run_batches(fn, feeds, verbose, n, 'samples', False, collect)
    if results is None:
        results = [np.empty((0,) + tuple(d or 0 for d in o.shape[1:])) for o in model.outputs]
    results = [r[:collect.start] for r in results]
    return results[0] if len(results) == 1 else results


# -- generators and Sequences -------------------------------------------------------------

def _generator_batches(model, generator, steps, workers, max_queue_size, use_multiprocessing,
                       shuffle, class_weight=None, with_targets=True):
    """(iterator of (feed, size), stop function, steps)."""
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
            item = next(source)
            if not isinstance(item, tuple):
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
                x = item[0] if len(item) in (1, 2, 3) and isinstance(item[0], (np.ndarray, list,
                                                                              dict)) else item
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
            def validate_generator():
                return evaluate_generator(model, validation_data, validation_steps, None,
                                          max_queue_size, workers, use_multiprocessing, 0)
            validate = validate_generator
        else:
            vx, vy = validation_data[0], validation_data[1]
            vw = validation_data[2] if len(validation_data) == 3 else None
            vxs, vys, vsws = model._standardize(vx, vy, vw)

            def validate_arrays():
                return test_arrays(model, vxs + vys + vsws, 32, 0)
            validate = validate_arrays

    def batches_for_epoch(epoch):
        for _ in range(steps):
            yield next(feeds)
    try:
        return _train_loop(model, epochs, verbose, callbacks, initial_epoch, batches_for_epoch,
                           None, steps, None, validate, validation_freq)
    finally:
        stop()


def evaluate_generator(model, generator, steps, callbacks, max_queue_size, workers,
                       use_multiprocessing, verbose):
    model._check_compiled()
    feeds, stop, steps = _generator_batches(model, generator, steps, workers, max_queue_size,
                                            use_multiprocessing, False)
    fn = model._function('test')
    totals, count = None, 0

    def collect(outs, size):
        nonlocal totals, count
        values = np.asarray([float(o) for o in outs])
        totals = values * size if totals is None else totals + values * size
        count += size
    try:
        _run_batches(fn, (next(feeds) for _ in range(steps)), verbose, steps, 'steps', False,
                     collect)
    finally:
        stop()
    return unpack_scalars(list(totals / count))


def predict_generator(model, generator, steps, callbacks, max_queue_size, workers,
                      use_multiprocessing, verbose):
    feeds, stop, steps = _generator_batches(model, generator, steps, workers, max_queue_size,
                                            use_multiprocessing, False, with_targets=False)
    fn = model._function('predict')
    chunks = []
    try:
        _run_batches(fn, (next(feeds) for _ in range(steps)), verbose, steps, 'steps', False,
                     lambda outs, size: chunks.append(outs))
    finally:
        stop()
    results = [np.concatenate([c[i] for c in chunks]) for i in range(len(model.outputs))]
    return results[0] if len(results) == 1 else results
