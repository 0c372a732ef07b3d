"""What runs in the enqueuers' worker processes (`use_multiprocessing=True`).

The processes start with forkserver (spawn where the platform lacks it), never
with a plain fork: a child forked from a process whose OpenMP or BLAS threads
are running can deadlock in its first parallel region. So the Sequence or
generator reaches the workers pickled, and `pickled()` refuses, at `start()`,
one that cannot be. Each worker runs kback's kernels on one thread: the workers
already share the cores between them.
"""
import glob
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


def sequence_item(version, index, seed, ring_name, ring_size):
    """The batch at `index` of the Sequence's `version`, with numpy's global
    random state seeded first; its large arrays in this worker's ring."""
    global _sequence
    if _sequence[0] != version:
        with open(version[0], 'rb') as f:
            _sequence = (version, pickle.load(f))
    np.random.seed(seed)
    return to_shared(_sequence[1][index], ring_name, ring_size)


# Arrays from this size on go through shared memory: a batch of images
# (6 MiB for 32 RGB 128x128 float32) took 12 ms through the result pipe, and
# 4 ms written to a new file in /dev/shm each time, about as long as building
# it. So each worker keeps a ring of files, mapped once and reused in turn,
# and the parent copies each batch out (0.6 ms) before it lets the next batch
# be loaded. A ring of max_queue_size + 1 files is never overwritten while the
# parent still has to read one: at most max_queue_size batches are loaded and
# not yet taken, and a worker serves its batches in the order they were asked.
_SHARED_MIN_BYTES = 1 << 16
_SHARED_DIR = '/dev/shm' if os.path.isdir('/dev/shm') else tempfile.gettempdir()
_ALIGN = 64


class _SharedArray:
    """Where a worker put an array: file, byte offset, shape, dtype."""

    def __init__(self, path, offset, shape, dtype):
        self.path, self.offset, self.shape, self.dtype = path, offset, shape, dtype

    @property
    def end(self):
        return self.offset + int(np.prod(self.shape)) * self.dtype.itemsize


def _mapped(path, nbytes, grow):
    """A shared mapping of at least nbytes of the file at path (made that
    long first when `grow`)."""
    fd = os.open(path, os.O_RDWR | (os.O_CREAT if grow else 0), 0o600)
    try:
        if grow:
            os.ftruncate(fd, nbytes)
        return mmap.mmap(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)


_ring = {'made': 0, 'blocks': {}}   # this worker's result files: path -> mapping


def to_shared(item, ring_name, ring_size):
    """`item` with its large arrays copied to the next file of this worker's ring."""
    arrays = []
    _walk(item, lambda x: arrays.append(x) if _goes_shared(x) else None)
    if not arrays:
        return item
    path = os.path.join(_SHARED_DIR, 'kback-batch-%s-%d-%d'
                        % (ring_name, os.getpid(), _ring['made'] % ring_size))
    _ring['made'] += 1
    offsets, end = [], 0
    for x in arrays:
        offsets.append(end)
        end += -(-x.nbytes // _ALIGN) * _ALIGN
    block = _ring['blocks'].get(path)
    if block is None or len(block) < end:
        if block is not None:
            block.close()
        block = _ring['blocks'][path] = _mapped(path, end, grow=True)
    where = {}
    for x, offset in zip(arrays, offsets):
        np.frombuffer(block, x.dtype, x.size, offset).reshape(x.shape)[...] = x
        where[id(x)] = _SharedArray(path, offset, x.shape, x.dtype)
    return _map_arrays(lambda x: where.get(id(x), x), item)


def _goes_shared(x):
    return isinstance(x, np.ndarray) and x.nbytes >= _SHARED_MIN_BYTES and not x.dtype.hasobject


class SharedResults:
    """The parent's side: maps the workers' ring files, copies arrays out of
    them, and removes the files at close()."""

    def __init__(self):
        self.ring_name = os.urandom(6).hex()
        self._maps = {}

    def restore(self, item):
        """`item` with its shared arrays copied out."""
        return _map_arrays(self._copy, item, _SharedArray)

    def _copy(self, shared):
        block = self._maps.get(shared.path)
        if block is None or len(block) < shared.end:
            if block is not None:
                block.close()
            block = self._maps[shared.path] = _mapped(shared.path, shared.end, grow=False)
        count = int(np.prod(shared.shape))
        return np.frombuffer(block, shared.dtype, count, shared.offset) \
            .reshape(shared.shape).copy()

    def discard(self, future):
        """Done-callback of a batch that will not be taken: its files go too."""
        if not future.cancelled() and future.exception() is None:
            _walk(future.result(), lambda x: _remove(x.path)
                  if isinstance(x, _SharedArray) else None)

    def close(self):
        for block in self._maps.values():
            block.close()
        self._maps = {}
        # Every ring file, also those of batches this side never read.
        for path in glob.glob(os.path.join(_SHARED_DIR, 'kback-batch-%s-*' % self.ring_name)):
            _remove(path)


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _walk(item, fn):
    if type(item) in (tuple, list):
        for x in item:
            _walk(x, fn)
    elif type(item) is dict:
        for x in item.values():
            _walk(x, fn)
    else:
        fn(item)


def _map_arrays(fn, item, kind=np.ndarray):
    """`item` (nested tuples, lists and dicts) with fn applied to its leaves of `kind`."""
    if type(item) in (tuple, list):
        return type(item)(_map_arrays(fn, x, kind) for x in item)
    if type(item) is dict:
        return {k: _map_arrays(fn, v, kind) for k, v in item.items()}
    return fn(item) if isinstance(item, kind) else item
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
