"""What runs in the enqueuers' worker processes (`use_multiprocessing=True`).

The processes start with forkserver (spawn where the platform lacks it), never
with a plain fork: a child forked from a process whose OpenMP or BLAS threads
are running can deadlock in its first parallel region. So the Sequence or
generator reaches the workers pickled, and `pickled()` refuses, at `start()`,
one that cannot be. Each worker runs kback's kernels on one thread: the workers
already share the cores between them.
"""
import mmap
import multiprocessing
import os
import pickle
import tempfile
import traceback

import numpy as np

# Tags of the messages a generator worker sends.
ITEM, FAILED, DONE = 'item', 'failed', 'done'


def context():
    """The multiprocessing context of the worker processes."""
    if 'forkserver' in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context('forkserver')
        # The fork server imports kback once; each worker forked from it then
        # starts in milliseconds (it is new when the server is first started).
        ctx.set_forkserver_preload(['kback'])
        return ctx
    return multiprocessing.get_context('spawn')


def pickled(obj, owner, what):
    """obj pickled for the workers, or a TypeError saying why it cannot be."""
    try:
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:  # pickle raises TypeError, AttributeError, PicklingError...
        fix = ('a generator object never can: use a keras.utils.Sequence'
               if isinstance(obj, _GENERATOR_TYPE) else
               'define its class at module level (not inside a function) and keep no '
               'locks, open files or generators in it')
        raise TypeError('%s(use_multiprocessing=True): %s (%s) cannot be pickled for the '
                        'worker processes (%s); %s, or pass use_multiprocessing=False to '
                        'load in threads' % (owner, what, type(obj).__name__, e, fix)) from e


_GENERATOR_TYPE = type(x for x in ())


def one_thread():
    """Worker initializer: kback's kernels on one thread in this process."""
    from kback import backend as K
    K.set_num_threads(1)


class SharedSequence:
    """A Sequence as the worker processes see it: pickled to a temporary file,
    rewritten when `update()` finds it changed (after `on_epoch_end()`). A task
    names the file's version; a worker reloads its copy when that moves on,
    so the workers keep running across epochs."""

    def __init__(self, sequence):
        self.sequence = sequence
        self._pickled = pickled(sequence, 'OrderedEnqueuer', 'the Sequence')
        fd, self._path = tempfile.mkstemp(prefix='kback-sequence-', suffix='.pickle')
        os.close(fd)
        self._count = 0
        self._write()

    @property
    def version(self):
        return self._path, self._count

    def update(self):
        new = pickled(self.sequence, 'OrderedEnqueuer', 'the Sequence')
        if new != self._pickled:
            self._pickled = new
            self._count += 1
            self._write()

    def _write(self):
        # Written beside, then renamed: a worker never reads half a file.
        with open(self._path + '.new', 'wb') as f:
            f.write(self._pickled)
        os.replace(self._path + '.new', self._path)

    def close(self):
        for path in (self._path, self._path + '.new'):
            if os.path.exists(path):
                os.remove(path)


_sequence = (None, None)  # (version, this worker's copy of the Sequence)


def sequence_item(version, index, seed):
    """The batch at `index` of the Sequence's `version`, with numpy's global
    random state seeded first; its large arrays in shared-memory files."""
    global _sequence
    if _sequence[0] != version:
        with open(version[0], 'rb') as f:
            _sequence = (version, pickle.load(f))
    np.random.seed(seed)
    return to_shared(_sequence[1][index])


# Arrays from this size on go through a file in shared memory (/dev/shm): a
# batch of images (6 MiB for 32 RGB 128x128 float32) took 12 ms through the
# result pipe, longer than building it. The worker writes the file; the parent
# maps it (no copy) and unlinks it at once, so the memory is freed with the
# array that uses it.
_SHARED_MIN_BYTES = 1 << 16
_SHARED_DIR = '/dev/shm' if os.path.isdir('/dev/shm') else None


class _SharedArray:
    """A worker's array, moved to a file in shared memory for the parent."""

    def __init__(self, array):
        self.shape, self.dtype = array.shape, array.dtype
        fd, self.path = tempfile.mkstemp(prefix='kback-batch-', dir=_SHARED_DIR)
        with open(fd, 'wb') as f:
            f.write(np.ascontiguousarray(array).data)

    def restore(self):
        """The array, mapped from the file, which is then unlinked."""
        size = int(np.prod(self.shape)) * self.dtype.itemsize
        try:
            with open(self.path, 'r+b') as f:
                memory = mmap.mmap(f.fileno(), size) if size else bytearray()
        finally:
            os.remove(self.path)
        return np.frombuffer(memory, self.dtype).reshape(self.shape)


def to_shared(item):
    if isinstance(item, np.ndarray) and item.nbytes >= _SHARED_MIN_BYTES \
            and not item.dtype.hasobject:
        return _SharedArray(item)
    return _map_containers(to_shared, item)


def from_shared(item):
    """`item` with the arrays of a to_shared() result restored (and freed)."""
    if isinstance(item, _SharedArray):
        return item.restore()
    return _map_containers(from_shared, item)


def _map_containers(fn, item):
    if type(item) in (tuple, list):
        return type(item)(fn(x) for x in item)
    if type(item) is dict:
        return {k: fn(v) for k, v in item.items()}
    return item


def discard_result(future):
    """Removes the shared-memory files of a batch that will not be taken."""
    if not future.cancelled() and future.exception() is None:
        from_shared(future.result())


def run_generator(pickled_iterator, seed, items):
    """A generator worker: sends (ITEM, item) for each item of its copy, then
    (DONE, None); or (FAILED, exception) when advancing it raises."""
    one_thread()
    np.random.seed(seed)
    try:
        for item in pickle.loads(pickled_iterator):
            items.put((ITEM, item))
    except Exception as e:  # noqa: B902 - the consumer re-raises it
        items.put((FAILED, _sendable(e)))
        return
    items.put((DONE, None))


def _sendable(exc):
    """exc if it survives pickling, else a RuntimeError carrying its traceback."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError('in a GeneratorEnqueuer worker process:\n' +
                            ''.join(traceback.format_exception(exc)))
