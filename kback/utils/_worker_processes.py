"""What runs in the enqueuers' worker processes (`use_multiprocessing=True`).

The processes start with forkserver (spawn where the platform lacks it), never
with a plain fork: a child forked from a process whose OpenMP or BLAS threads
are running can deadlock in its first parallel region. So the Sequence or
generator reaches the workers pickled, and `pickled()` refuses, at `start()`,
one that cannot be. Each worker runs kback's kernels on one thread: the workers
already share the cores between them.
"""
import multiprocessing
import pickle
import traceback

import numpy as np

# Tags of the messages a generator worker sends.
ITEM, FAILED, DONE = 'item', 'failed', 'done'


_sequence = None  # this worker's copy of the Sequence


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


def _one_thread():
    from kback import backend as K
    K.set_num_threads(1)


def init_sequence_worker(pickled_sequence):
    global _sequence
    _one_thread()
    _sequence = pickle.loads(pickled_sequence)


def sequence_item(index, seed):
    """The batch at `index`, with numpy's global random state seeded first."""
    np.random.seed(seed)
    return _sequence[index]


def run_generator(pickled_iterator, seed, items):
    """A generator worker: sends (ITEM, item) for each item of its copy, then
    (DONE, None); or (FAILED, exception) when advancing it raises."""
    _one_thread()
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
