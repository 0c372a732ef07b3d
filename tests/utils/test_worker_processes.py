"""use_multiprocessing=True: the enqueuers' workers are processes (Keras 2)."""
import os
import tempfile
import time

import numpy as np
import pytest

from kback.utils.data_utils import GeneratorEnqueuer, OrderedEnqueuer, Sequence


# The workers unpickle these by module and name: they live at module level.
class EpochSequence(Sequence):
    """Batch i of epoch e is (e, i, pid of the process that built it)."""

    def __init__(self, n):
        self.n, self.epoch = n, 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.epoch, i, os.getpid()

    def on_epoch_end(self):
        self.epoch += 1


class RandomSequence(Sequence):
    """Batches drawn from numpy's global random state."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        return i, float(np.random.rand())


class FailingSequence(Sequence):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise KeyError('batch 2 is missing')
        return i


class CountingIterator:
    """A picklable iterator: 0..n-1, then the worker's first random draw."""

    def __init__(self, n):
        self.n, self.i = n, 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.i == self.n:
            raise StopIteration
        self.i += 1
        return self.i - 1, float(np.random.rand()) if self.i == 1 else None


class FailingIterator(CountingIterator):
    def __next__(self):
        raise ValueError('no more data here')


def take(enqueuer, n, workers=2):
    enqueuer.start(workers=workers, max_queue_size=4)
    try:
        batches = enqueuer.get()
        return [next(batches) for _ in range(n)]
    finally:
        enqueuer.stop()


def test_ordered_processes_keep_order_and_see_on_epoch_end():
    items = take(OrderedEnqueuer(EpochSequence(5), use_multiprocessing=True), 12)
    assert [item[:2] for item in items] == [(e, i) for e in range(3) for i in range(5)][:12]
    assert os.getpid() not in {item[2] for item in items}


def test_ordered_processes_are_seeded_from_np_random():
    def run():
        np.random.seed(7)
        return take(OrderedEnqueuer(RandomSequence(), use_multiprocessing=True,
                                    shuffle=True), 12)
    first, again = run(), run()
    assert first == again
    assert sorted(i for i, _ in first[:6]) == list(range(6))
    assert len({value for _, value in first}) == 12  # no two batches share a stream


def test_ordered_processes_reraise_the_workers_exception():
    enqueuer = OrderedEnqueuer(FailingSequence(), use_multiprocessing=True)
    with pytest.raises(KeyError, match='batch 2 is missing'):
        take(enqueuer, 4)
    assert not enqueuer.is_running()


def test_unpicklable_sequence_is_refused_at_start():
    class Local(EpochSequence):
        pass

    enqueuer = OrderedEnqueuer(Local(3), use_multiprocessing=True)
    with pytest.raises(TypeError, match=r'OrderedEnqueuer\(use_multiprocessing=True\): the '
                                        r'Sequence \(Local\) cannot be pickled.*module level'):
        enqueuer.start(workers=2)
    assert not enqueuer.is_running()
    enqueuer.use_multiprocessing = False  # threads need no pickling
    enqueuer.start(workers=2)
    assert next(enqueuer.get())[:2] == (0, 0)
    enqueuer.stop()


def test_generator_object_is_refused_with_the_fix():
    enqueuer = GeneratorEnqueuer((i for i in range(3)), use_multiprocessing=True)
    with pytest.raises(TypeError, match=r'GeneratorEnqueuer\(use_multiprocessing=True\).*'
                                        r'a generator object never can: use a '
                                        r'keras.utils.Sequence'):
        enqueuer.start()


def test_generator_process_runs_a_copy_to_the_end():
    enqueuer = GeneratorEnqueuer(CountingIterator(5), use_multiprocessing=True, random_seed=3)
    enqueuer.start(workers=1)
    items = list(enqueuer.get())
    enqueuer.stop()
    assert [i for i, _ in items] == list(range(5))
    assert items[0][1] == np.random.RandomState(3).rand()


def test_generator_processes_repeat_the_data_with_a_warning():
    enqueuer = GeneratorEnqueuer(CountingIterator(3), use_multiprocessing=True, random_seed=3)
    with pytest.warns(UserWarning, match='each of the 2 workers runs its own copy'):
        enqueuer.start(workers=2)
    items = list(enqueuer.get())
    enqueuer.stop()
    assert sorted(i for i, _ in items) == [0, 0, 1, 1, 2, 2]
    firsts = sorted(draw for i, draw in items if i == 0)
    assert firsts == sorted(np.random.RandomState(s).rand() for s in (3, 4))


def test_generator_process_reraises_its_exception():
    enqueuer = GeneratorEnqueuer(FailingIterator(3), use_multiprocessing=True)
    enqueuer.start(workers=1)
    with pytest.raises(ValueError, match='no more data here'):
        list(enqueuer.get())
    enqueuer.stop()


class RegressionData(Sequence):
    """4 batches of a fixed linear regression problem; built only in another
    process than `not_in` when given."""

    def __init__(self, not_in=None):
        self.not_in = not_in

    def __len__(self):
        return 4

    def __getitem__(self, i):
        assert os.getpid() != self.not_in, 'batch built in the parent process'
        rng = np.random.RandomState(i)
        x = rng.rand(8, 3).astype('float32')
        return x, x @ np.array([[1.], [-2.], [0.5]], dtype='float32')


def test_fit_with_processes_matches_threads():
    from kback import layers, models

    def train(use_multiprocessing):
        data = RegressionData(os.getpid() if use_multiprocessing else None)
        np.random.seed(0)
        model = models.Sequential([layers.Dense(1, input_shape=(3,))])
        model.compile('sgd', 'mse')
        history = model.fit_generator(data, epochs=2, workers=2, shuffle=False,
                                      use_multiprocessing=use_multiprocessing, verbose=0)
        loss = model.evaluate_generator(data, workers=2,
                                        use_multiprocessing=use_multiprocessing)
        return model.get_weights(), history.history['loss'], loss

    (w_proc, h_proc, l_proc), (w_thr, h_thr, l_thr) = train(True), train(False)
    assert h_proc == h_thr and l_proc == l_thr
    for a, b in zip(w_proc, w_thr):
        np.testing.assert_array_equal(a, b)


def test_flow_from_directory_in_processes_matches_the_main_thread(tmp_path):
    from PIL import Image
    from kback.preprocessing.image import ImageDataGenerator
    for cls in ('a', 'b'):
        os.makedirs(tmp_path / cls)
        for k in range(5):
            Image.fromarray(np.full((6, 6, 3), 20 * k, 'uint8')).save(tmp_path / cls / f'{k}.png')
    gen = ImageDataGenerator(rescale=1 / 255., horizontal_flip=True, width_shift_range=0.2)

    def flow():
        return gen.flow_from_directory(str(tmp_path), target_size=(6, 6), batch_size=4,
                                       seed=5)
    main = [flow()[i] for i in range(3)]
    enqueued = take(OrderedEnqueuer(flow(), use_multiprocessing=True), 3)
    for (x, y), (xe, ye) in zip(main, enqueued):
        np.testing.assert_array_equal(x, xe)
        np.testing.assert_array_equal(y, ye)


class BigBatches(Sequence):
    """Batches large enough to travel through shared memory."""

    def __init__(self, n=6):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full((64, 1024), i, 'float32'), [np.arange(3) + i]


def shared_blocks():
    folder = '/dev/shm' if os.path.isdir('/dev/shm') else tempfile.gettempdir()
    return {f for f in os.listdir(folder) if f.startswith('kback-batch-')}


def test_ring_of_shared_files_is_reused_without_overwriting_a_batch():
    # 30 batches through rings of max_queue_size + 1 = 3 files per worker,
    # each batch checked after later ones were loaded into the rings.
    enqueuer = OrderedEnqueuer(BigBatches(30), use_multiprocessing=True)
    enqueuer.start(workers=2, max_queue_size=2)
    try:
        batches = enqueuer.get()
        held = [next(batches) for _ in range(30)]
    finally:
        enqueuer.stop()
    for i, (x, extra) in enumerate(held):
        assert (x == i).all() and (extra[0] == np.arange(3) + i).all()


def test_large_arrays_arrive_intact_and_no_shared_memory_is_left():
    before = shared_blocks()
    enqueuer = OrderedEnqueuer(BigBatches(), use_multiprocessing=True)
    items = take(enqueuer, 3)  # stops with batches loaded but not taken
    for i, (x, extra) in enumerate(items):
        np.testing.assert_array_equal(x, np.full((64, 1024), i, 'float32'))
        x += 1  # writable, as a batch built in this process
        np.testing.assert_array_equal(extra[0], np.arange(3) + i)
    deadline = time.monotonic() + 5
    while shared_blocks() - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert shared_blocks() - before == set()
