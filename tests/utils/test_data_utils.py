"""Sequence and the background loaders: order, bounds, errors, shutdown.
Every wait here has a timeout so a regression fails instead of hanging."""
import threading
import time

import numpy as np
import pytest

from kback.utils import GeneratorEnqueuer, OrderedEnqueuer, Sequence
from kback.utils.data_utils import iter_sequence_infinite

TIMEOUT = 10.0


class Batches(Sequence):
    def __init__(self, n=8, delay=0.0, fail_at=None):
        self.n = n
        self.delay = delay
        self.fail_at = fail_at
        self.epoch_ends = 0
        self.calls = []
        self.lock = threading.Lock()

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        with self.lock:
            self.calls.append(i)
        if self.delay:
            # Later indices finish first, so order must come from the enqueuer.
            time.sleep(self.delay * (self.n - i))
        if i == self.fail_at:
            raise KeyError('bad batch %d' % i)
        return np.full((2,), i), np.full((2,), self.epoch_ends)

    def on_epoch_end(self):
        self.epoch_ends += 1


def take(gen, n):
    """n items from gen, in a thread so that a hang fails the test."""
    result, error = [], []

    def run():
        try:
            for _ in range(n):
                result.append(next(gen))
        except BaseException as e:  # noqa: B902
            error.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(TIMEOUT)
    assert not t.is_alive(), 'consumer hung'
    if error:
        raise error[0]
    return result


def test_sequence_iter_and_abstract():
    seq = Batches(3)
    assert [int(x[0]) for x, _ in seq] == [0, 1, 2]
    gen = iter_sequence_infinite(seq)
    assert [int(next(gen)[0][0]) for _ in range(5)] == [0, 1, 2, 0, 1]
    with pytest.raises(NotImplementedError):
        Sequence()[0]


@pytest.mark.parametrize('workers', [1, 3])
def test_ordered_enqueuer_keeps_order_across_epochs(workers):
    seq = Batches(5, delay=0.002)
    enq = OrderedEnqueuer(seq)  # threads; processes: test_worker_processes.py
    enq.start(workers=workers, max_queue_size=4)
    try:
        items = take(enq.get(), 15)
    finally:
        enq.stop()
    assert [int(x[0]) for x, _ in items] == list(range(5)) * 3
    # on_epoch_end ran between epochs: epoch k's batches see k earlier calls.
    assert [int(y[0]) for _, y in items] == [0] * 5 + [1] * 5 + [2] * 5
    assert not enq.is_running()


def test_ordered_enqueuer_shuffle_is_a_permutation_per_epoch():
    np.random.seed(3)     # the order is drawn from numpy
    seq = Batches(20)
    enq = OrderedEnqueuer(seq, shuffle=True)
    enq.start(workers=2, max_queue_size=5)
    try:
        items = take(enq.get(), 40)
    finally:
        enq.stop()
    first = [int(x[0]) for x, _ in items[:20]]
    second = [int(x[0]) for x, _ in items[20:]]
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != list(range(20)) and first != second


def test_ordered_enqueuer_queue_is_bounded():
    seq = Batches(50)
    enq = OrderedEnqueuer(seq)
    enq.start(workers=4, max_queue_size=3)
    try:
        time.sleep(0.3)  # give the loaders every chance to overrun
        assert len(seq.calls) == 3
        take(enq.get(), 2)
        time.sleep(0.3)
        assert len(seq.calls) == 5
    finally:
        enq.stop()


def test_ordered_enqueuer_reraises_worker_exception():
    seq = Batches(6, fail_at=2)
    enq = OrderedEnqueuer(seq)
    enq.start(workers=2, max_queue_size=4)
    gen = enq.get()
    assert len(take(gen, 2)) == 2
    with pytest.raises(KeyError, match='bad batch 2'):
        take(gen, 1)
    assert not enq.is_running()
    enq.run_thread.join(TIMEOUT)
    assert not enq.run_thread.is_alive()


def test_ordered_enqueuer_reraises_error_from_len():
    class BadLen(Batches):
        def __len__(self):
            raise RuntimeError('no length')

    enq = OrderedEnqueuer(BadLen())
    enq.start()
    with pytest.raises(RuntimeError, match='no length'):
        take(enq.get(), 1)


def test_stop_while_consumer_waits_ends_the_generator():
    seq = Batches(4, delay=0.5)  # slow batches: the consumer blocks
    enq = OrderedEnqueuer(seq)
    enq.start(workers=1, max_queue_size=2)
    out = []

    def consume():
        out.extend(enq.get())

    t = threading.Thread(target=consume, daemon=True)
    t.start()
    time.sleep(0.1)
    enq.stop(timeout=TIMEOUT)
    t.join(TIMEOUT)
    assert not t.is_alive() and not enq.run_thread.is_alive()
    assert out == []


def test_stop_is_idempotent_and_restart_works():
    enq = OrderedEnqueuer(Batches(3))
    enq.stop()  # before start: nothing to do
    enq.start()
    enq.stop()
    enq.stop()
    enq.start(workers=2)
    try:
        assert [int(x[0]) for x, _ in take(enq.get(), 3)] == [0, 1, 2]
    finally:
        enq.stop()
    with pytest.raises(ValueError, match='workers'):
        enq.start(workers=0)


def test_generator_enqueuer_order_and_finite_end():
    def gen():
        for i in range(7):
            yield i

    enq = GeneratorEnqueuer(gen())  # threads: one advances the generator
    enq.start(workers=3, max_queue_size=2)
    try:
        assert take(enq.get(), 7) == list(range(7))
        assert list(enq.get()) == []  # exhausted: ends, does not block
    finally:
        enq.stop()


def test_generator_enqueuer_bounded():
    produced = []

    def gen():
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    enq = GeneratorEnqueuer(gen())
    enq.start(max_queue_size=4)
    try:
        time.sleep(0.3)
        assert len(produced) == 4
        assert take(enq.get(), 3) == [0, 1, 2]
        time.sleep(0.3)
        assert len(produced) == 7
    finally:
        enq.stop()


def test_generator_enqueuer_reraises_and_stops():
    def gen():
        yield 1
        raise ValueError('broken generator')

    enq = GeneratorEnqueuer(gen())
    enq.start()
    g = enq.get()
    assert take(g, 1) == [1]
    with pytest.raises(ValueError, match='broken generator'):
        take(g, 1)
    assert not enq.is_running()


def test_generator_enqueuer_skips_none():
    enq = GeneratorEnqueuer(iter([None, 1, None, 2]))
    enq.start()
    try:
        assert take(enq.get(), 2) == [1, 2]
    finally:
        enq.stop()


@pytest.mark.parametrize('make', [
    lambda: GeneratorEnqueuer(iter(lambda: None, 0)),
    lambda: OrderedEnqueuer(_NoneSequence())])
def test_enqueuer_of_only_none_raises(make):
    enqueuer = make()
    enqueuer.start(workers=1, max_queue_size=4)
    try:
        with pytest.raises(ValueError, match=type(enqueuer).__name__ + '.*None 1000 times'):
            next(enqueuer.get())
    finally:
        enqueuer.stop()


class _NoneSequence(Sequence):
    def __len__(self):
        return 3

    def __getitem__(self, i):
        return None
