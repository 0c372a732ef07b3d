"""Data feeding for `fit_generator` and friends: the Keras-2 `Sequence`, and
background loaders that keep a bounded number of batches ready.

Both enqueuers load in threads by default (numpy and the compiled kernels
release the GIL, so loading overlaps training). With `use_multiprocessing=True`
the workers are processes, as in Keras 2, so that GIL-holding Python code (such
as Pillow's decoding) runs in parallel too; see `_worker_processes` for how they
start and what they get. An exception raised while loading is re-raised in the
consumer by `get()`, and `stop()` returns promptly: no call here waits without a
timeout on something a dead thread or process should have produced.
"""
import queue
import threading
import warnings
from abc import abstractmethod
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait

import numpy as np

from . import _worker_processes

# How often a blocked wait wakes up to look at the stop flag (seconds).
_POLL = 0.05


class Sequence(object):
    """Base object for fitting to a sequence of data, such as a dataset.

    Every `Sequence` must implement `__getitem__(index)` (the batch at
    `index`) and `__len__()` (the number of batches); `on_epoch_end()` may
    shuffle between epochs. Batches are addressed by index, so background
    workers can load them in parallel and still deliver them in order.
    """

    use_sequence_api = True

    @abstractmethod
    def __getitem__(self, index):
        raise NotImplementedError

    @abstractmethod
    def __len__(self):
        raise NotImplementedError

    def on_epoch_end(self):
        """Called at the end of every epoch."""
        pass

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


def iter_sequence_infinite(seq):
    """Yields the batches of `seq` in order, epoch after epoch, forever."""
    while True:
        for item in seq:
            yield item


class _Failure(object):
    """A worker's exception, carried through the queue to the consumer."""

    def __init__(self, exc):
        self.exc = exc


_END = object()  # a finite generator is exhausted

# Consecutive None items after which a source counts as yielding nothing: Keras
# skips None batches, and would spin forever on a source of nothing but None.
MAX_EMPTY_BATCHES = 1000


def skip_none(items, source='the data generator'):
    """The items that are not None (Keras skips None batches); raises after
    MAX_EMPTY_BATCHES Nones in a row rather than spinning without progress."""
    empty = 0
    for item in items:
        if item is not None:
            empty = 0
            yield item
            continue
        empty += 1
        if empty >= MAX_EMPTY_BATCHES:
            raise ValueError(f'{source} yielded None {empty} times in a row: a batch must be '
                             'a tuple (x, y) or (x, y, sample_weight), or x for prediction')


class SequenceEnqueuer(object):
    """Base class of the background loaders.

    ```python
    enqueuer = OrderedEnqueuer(sequence)
    enqueuer.start(workers=2, max_queue_size=10)
    batches = enqueuer.get()     # an endless generator of batches
    x, y = next(batches)
    enqueuer.stop()
    ```

    Arguments:
        sequence: the `Sequence` (or generator) to load from.
        use_multiprocessing: whether the workers are processes instead of
            threads.
    """

    def __init__(self, sequence, use_multiprocessing=False):
        self.sequence = sequence
        self.use_multiprocessing = use_multiprocessing
        self.workers = 0
        self.queue = None
        self.run_thread = None
        self.stop_signal = None

    def is_running(self):
        return self.stop_signal is not None and not self.stop_signal.is_set()

    def start(self, workers=1, max_queue_size=10):
        """Starts the background loading.

        Arguments:
            workers: number of loader threads, or processes with
                `use_multiprocessing=True` (at least 1).
            max_queue_size: most batches loaded ahead of the consumer.
        """
        if self.is_running():
            raise RuntimeError('%s.start: already running; call stop() first'
                               % type(self).__name__)
        workers = int(workers)
        max_queue_size = int(max_queue_size)
        if workers < 1:
            raise ValueError('%s.start: workers must be >= 1, got %d'
                             % (type(self).__name__, workers))
        self.workers = workers
        # Keras reads <= 0 as unbounded; keep memory bounded with the default.
        self.max_queue_size = max_queue_size if max_queue_size > 0 else 10
        self.queue = queue.Queue()
        self.stop_signal = threading.Event()
        try:
            self._setup()
        except BaseException:
            self.stop_signal = None  # not running: start() may be called again
            raise
        self.run_thread = threading.Thread(target=self._guarded_run, daemon=True,
                                           name='kback-%s' % type(self).__name__)
        self.run_thread.start()

    def stop(self, timeout=None):
        """Stops the background threads and waits (at most `timeout` seconds)
        for the feeding thread to exit. Safe to call more than once."""
        if self.stop_signal is None:
            return
        self.stop_signal.set()
        self._teardown()
        if (self.run_thread is not None and self.run_thread.is_alive()
                and self.run_thread is not threading.current_thread()):
            self.run_thread.join(timeout)

    def get(self):
        """A generator of batches, in loading order, without the None items
        (as Keras; too many in a row raise ValueError); stops when `stop()`
        is called and re-raises any exception raised while loading."""
        return skip_none(self._items(), type(self).__name__ + ': the data source')

    def _items(self):
        while True:
            item = self._next_item()
            if item is _END:
                return
            yield item

    # -- the parts a subclass provides -------------------------------------
    def _setup(self):
        pass

    def _teardown(self):
        pass

    @abstractmethod
    def _run(self):
        raise NotImplementedError

    @abstractmethod
    def _next_item(self):
        raise NotImplementedError

    # -- shared machinery --------------------------------------------------
    def _guarded_run(self):
        try:
            self._run()
        except BaseException as e:  # noqa: B902 - anything must reach the consumer
            self.queue.put(_Failure(e))

    def _take(self):
        """Next queue entry; _END once stopped (never blocks forever)."""
        while True:
            if self.stop_signal is None or self.stop_signal.is_set():
                return _END
            try:
                item = self.queue.get(timeout=_POLL)
            except queue.Empty:
                continue
            if isinstance(item, _Failure):
                self.stop()
                raise item.exc
            return item


class OrderedEnqueuer(SequenceEnqueuer):
    """Loads the batches of a `Sequence` with `workers` threads (processes with
    `use_multiprocessing=True`), delivering them in index order (or in a fresh
    random order each epoch with `shuffle=True`), at most `max_queue_size`
    ahead of the consumer.

    After the consumer has taken every batch of an epoch, the sequence's
    `on_epoch_end()` is called before the next epoch's batches are loaded.

    With processes, each worker holds a pickled copy of the sequence (a
    `TypeError` at `start()` says so if it cannot be pickled); when
    `on_epoch_end()` changes it, the workers load the new copy before their
    next batch (Keras 2 restarts its pool instead). Before each batch a worker
    seeds numpy's global random state from a seed drawn in the caller's thread
    at `start()` and the batch's place in the stream, so `np.random.seed(...)`
    before `start()` makes the batches reproducible whichever process builds
    them.

    Arguments:
        sequence: the `Sequence` to load from.
        use_multiprocessing: whether the workers are processes instead of
            threads.
        shuffle: whether to load the batches in a new random order each epoch.
    """

    def __init__(self, sequence, use_multiprocessing=False, shuffle=False):
        super(OrderedEnqueuer, self).__init__(sequence, use_multiprocessing)
        self.shuffle = shuffle

    def _setup(self):
        # The loading thread shuffles with its own generator, seeded here from
        # np.random in the caller's thread: np.random.seed makes the batch
        # order (and the worker processes' seeds) reproducible, whatever the
        # caller draws meanwhile.
        self._rng = np.random.RandomState(np.random.randint(2 ** 31 - 1)) \
            if self.shuffle or self.use_multiprocessing else None
        self._slots = threading.Semaphore(self.max_queue_size)
        self._epoch_done = threading.Condition()
        self._outstanding = 0  # batches handed to the queue, not yet taken
        if self.use_multiprocessing:
            self._shared = _worker_processes.SharedSequence(self.sequence)
            self._results = _worker_processes.SharedResults()
            self._executor = ProcessPoolExecutor(max_workers=self.workers,
                                                 mp_context=_worker_processes.context(),
                                                 initializer=_worker_processes.one_thread)
        else:
            self._executor = ThreadPoolExecutor(max_workers=self.workers,
                                                thread_name_prefix='kback-loader')

    def _teardown(self):
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.use_multiprocessing:
            self._shared.close()
            # Batches loaded but never taken hold shared memory: free it.
            while True:
                try:
                    future = self.queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(future, Future):
                    future.add_done_callback(self._results.discard)
            self._results.close()
        with self._epoch_done:
            self._epoch_done.notify_all()

    def _submit(self, index):
        if self.use_multiprocessing:
            seed = int(self._rng.randint(2 ** 31 - 1))
            return self._executor.submit(_worker_processes.sequence_item, self._shared.version,
                                         index, seed, self._results.ring_name,
                                         self.max_queue_size + 1)
        return self._executor.submit(self.sequence.__getitem__, index)

    def _acquire_slot(self):
        while not self.stop_signal.is_set():
            if self._slots.acquire(timeout=_POLL):
                return True
        return False

    def _run(self):
        while not self.stop_signal.is_set():
            size = len(self.sequence)
            if not size:
                raise ValueError('OrderedEnqueuer: the Sequence %r has length 0'
                                 % (self.sequence,))
            order = self._rng.permutation(size).tolist() if self.shuffle else range(size)
            for i in order:
                if not self._acquire_slot():
                    return
                with self._epoch_done:
                    self._outstanding += 1
                try:
                    future = self._submit(i)
                except RuntimeError:  # executor shut down by stop()
                    return
                self.queue.put(future)
            # Let the consumer take the whole epoch before on_epoch_end().
            with self._epoch_done:
                while self._outstanding and not self.stop_signal.is_set():
                    self._epoch_done.wait(_POLL)
            if self.stop_signal.is_set():
                return
            self.sequence.on_epoch_end()
            if self.use_multiprocessing:
                self._shared.update()

    def _next_item(self):
        future = self._take()
        if future is _END:
            return _END
        # Poll so that stop() from another thread can end the wait.
        while not future.done():
            if self.stop_signal.is_set():
                if self.use_multiprocessing:
                    future.add_done_callback(self._results.discard)
                return _END
            wait([future], timeout=_POLL)
        if future.cancelled():  # stop() cancelled it
            return _END
        exc = future.exception()
        if exc is not None:
            self.stop()
            raise exc
        # Copied out of the worker's shared memory before the slot is given
        # back: only then may a new batch reuse it.
        item = self._results.restore(future.result()) if self.use_multiprocessing \
            else future.result()
        self._slots.release()
        with self._epoch_done:
            self._outstanding -= 1
            self._epoch_done.notify_all()
        return item


class GeneratorEnqueuer(SequenceEnqueuer):
    """Runs a Python generator in the background, keeping at most
    `max_queue_size` items ready. A finite generator ends `get()` after its
    last item.

    With threads (the default), generators are not thread-safe, so one thread
    advances it whatever `workers` says, and order is preserved. With
    `use_multiprocessing=True`, as in Keras 2, each of the `workers` processes
    runs its own pickled copy of the iterator, with numpy's global random state
    seeded from `random_seed` (or from np.random when None) plus the worker's
    number; items arrive in whatever order the workers produce them, and more
    than one worker repeats the data (a warning says so: use a `Sequence`).
    A generator object cannot be pickled: `start()` raises a `TypeError`
    saying what to do instead.

    Arguments:
        sequence: the generator (any iterator).
        use_multiprocessing: whether the workers are processes.
        wait_time: deprecated in Keras 2.3, ignored.
        random_seed: the base seed of the worker processes.
    """

    def __init__(self, sequence, use_multiprocessing=False, wait_time=None,
                 random_seed=None):
        super(GeneratorEnqueuer, self).__init__(sequence, use_multiprocessing)
        self.wait_time = wait_time
        self.random_seed = random_seed

    def _setup(self):
        self._slots = threading.Semaphore(self.max_queue_size)
        self._processes = None
        if not self.use_multiprocessing:
            return
        pickled = _worker_processes.pickled(self.sequence, 'GeneratorEnqueuer',
                                            'the generator')
        if self.workers > 1:
            warnings.warn('GeneratorEnqueuer: with use_multiprocessing=True each of the '
                          '%d workers runs its own copy of the generator, so the data is '
                          'repeated; use a keras.utils.Sequence to split it between them'
                          % self.workers, UserWarning, stacklevel=3)
        seed = np.random.randint(2 ** 31 - 1) if self.random_seed is None \
            else int(self.random_seed)
        context = _worker_processes.context()
        self._process_items = context.Queue(self.max_queue_size)
        self._processes = [
            context.Process(target=_worker_processes.run_generator,
                            args=(pickled, seed + i, self._process_items),
                            daemon=True, name='kback-generator-%d' % i)
            for i in range(self.workers)]
        for p in self._processes:
            p.start()

    def _teardown(self):
        if self._processes:
            for p in self._processes:
                p.terminate()
            for p in self._processes:
                p.join(1.0)
            self._process_items.cancel_join_thread()
            self._process_items.close()

    def _run(self):
        if self.use_multiprocessing:
            return self._relay_processes()
        iterator = iter(self.sequence)
        while not self.stop_signal.is_set():
            if not self._slots.acquire(timeout=_POLL):
                continue
            try:
                item = next(iterator)
            except StopIteration:
                self.queue.put(_END)
                return
            self.queue.put(item)

    def _relay_processes(self):
        """Moves the workers' items to the consumer's queue until every worker
        has finished (or one failed, or stop())."""
        running = len(self._processes)
        while running and not self.stop_signal.is_set():
            if not self._slots.acquire(timeout=_POLL):
                continue
            while not self.stop_signal.is_set():
                try:
                    kind, payload = self._process_items.get(timeout=_POLL)
                    break
                except queue.Empty:
                    if not any(p.is_alive() for p in self._processes):
                        raise RuntimeError('GeneratorEnqueuer: the worker processes exited '
                                           'without finishing the generator (exit codes %s)'
                                           % [p.exitcode for p in self._processes])
            else:
                return
            if kind == _worker_processes.ITEM:
                self.queue.put(payload)
            elif kind == _worker_processes.FAILED:
                raise payload
            else:  # one worker's copy is exhausted
                self._slots.release()
                running -= 1
        self.queue.put(_END)

    def _next_item(self):
        item = self._take()
        if item is _END:
            # Exhausted (or stopped): later get() calls end at once.
            if self.stop_signal is not None:
                self.stop_signal.set()
        else:
            self._slots.release()
        return item


# The download cache lives in its own module; Keras users import it from here.
from ._download import (get_file, validate_file, cache_folder, DownloadError,  # noqa: E402,F401
                        _hash_file, _extract_archive)
