"""fit_generator / evaluate_generator / predict_generator over Python
generators and Sequences, with 0, 1 and 2 workers."""
import signal
import threading

import numpy as np
import pytest

from kback.utils import Sequence

from .helpers import linear_model, regression_data, twin_models, assert_same_weights


@pytest.fixture(autouse=True)
def _no_hang():
    """Fail instead of hanging when a queue or a worker deadlocks."""
    def handler(signum, frame):
        raise TimeoutError('generator test hung')
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


X, Y = regression_data(n=12)


class Batches(Sequence):
    def __init__(self, batch_size=4, fail_at=None):
        self.batch_size = batch_size
        self.fail_at = fail_at
        self.epochs_ended = 0

    def __len__(self):
        return len(X) // self.batch_size

    def __getitem__(self, i):
        if i == self.fail_at:
            raise RuntimeError(f'bad batch {i}')
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return X[s], Y[s]

    def on_epoch_end(self):
        self.epochs_ended += 1


def batches(with_y=True, fail_at=None):
    i = 0
    while True:
        if i == fail_at:
            raise RuntimeError('generator exploded')
        s = slice((i % 3) * 4, (i % 3 + 1) * 4)
        yield (X[s], Y[s]) if with_y else (X[s],)
        i += 1


@pytest.mark.parametrize('workers', [0, 1, 2])
def test_fit_generator_sequence_matches_fit(workers):
    a, b = twin_models(linear_model, optimizer='sgd', loss='mse')
    a.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    seq = Batches()
    history = b.fit_generator(seq, epochs=2, workers=workers, shuffle=False, verbose=0)
    assert_same_weights(a, b)
    assert history.epoch == [0, 1]
    assert history.params == {'epochs': 2, 'steps': 3, 'verbose': 0, 'do_validation': False,
                              'metrics': ['loss']}
    assert seq.epochs_ended >= 1


@pytest.mark.parametrize('workers', [0, 1, 2])
def test_python_generator_needs_steps_and_trains(workers):
    model = linear_model()
    model.compile('sgd', 'mse', metrics=['mae'])
    with pytest.raises(ValueError, match='steps'):
        model.fit_generator(batches(), epochs=1, verbose=0, workers=workers)
    history = model.fit_generator(batches(), steps_per_epoch=3, epochs=2, verbose=0,
                                  workers=workers, validation_data=(X, Y))
    assert sorted(history.history) == ['loss', 'mae', 'val_loss', 'val_mae']
    loss, mae = model.evaluate_generator(batches(), steps=3, workers=workers)
    expected = model.evaluate(X, Y, batch_size=4, verbose=0)
    assert loss == pytest.approx(expected[0], rel=1e-5)
    assert mae == pytest.approx(expected[1], rel=1e-5)
    pred = model.predict_generator(batches(with_y=False), steps=3, workers=workers)
    np.testing.assert_allclose(pred, model.predict(X), rtol=1e-6)


def test_fit_accepts_generator_directly():
    model = linear_model()
    model.compile('sgd', 'mse')
    history = model.fit(Batches(), epochs=1, verbose=0)
    assert history.params['steps'] == 3
    assert np.ndim(model.evaluate(Batches(), verbose=0)) == 0
    assert model.predict(Batches()).shape == (12, 1)


def test_generator_validation_data():
    model = linear_model()
    model.compile('sgd', 'mse')
    history = model.fit_generator(Batches(), epochs=1, verbose=0,
                                  validation_data=Batches(), validation_steps=3)
    assert history.history['val_loss'][0] == pytest.approx(
        model.evaluate(X, Y, batch_size=4, verbose=0), rel=1e-5)


def test_array_fit_with_sequence_validation_and_generator_errors():
    """validation_data is parsed once, whatever the training data: a Sequence
    validates an array fit, and a generator without validation_steps fails
    before training starts."""
    model = linear_model()
    model.compile('sgd', 'mse')
    history = model.fit(X, Y, batch_size=4, epochs=1, verbose=0, validation_data=Batches())
    assert history.history['val_loss'][0] == pytest.approx(
        model.evaluate(X, Y, batch_size=4, verbose=0), rel=1e-5)
    weights = model.get_weights()
    with pytest.raises(ValueError, match='validation_steps'):
        model.fit(X, Y, epochs=1, verbose=0, validation_data=batches())
    with pytest.raises(ValueError, match='contains 1 items'):
        model.fit(X, Y, epochs=1, verbose=0, validation_data=(X,))
    for now, before in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(now, before)
    assert model.predict(batches(), steps=0.5).shape == (4, 1)


@pytest.mark.parametrize('workers', [0, 1, 2])
def test_exception_in_generator_propagates(workers):
    model = linear_model()
    model.compile('sgd', 'mse')
    with pytest.raises(RuntimeError, match='exploded'):
        model.fit_generator(batches(fail_at=2), steps_per_epoch=3, epochs=2, verbose=0,
                            workers=workers)
    with pytest.raises(RuntimeError, match='bad batch 1'):
        model.fit_generator(Batches(fail_at=1), epochs=1, verbose=0, workers=workers)
    with pytest.raises(RuntimeError, match='bad batch 2'):
        model.predict_generator(Batches(fail_at=2), workers=workers)


def test_bad_generator_output():
    model = linear_model()
    model.compile('sgd', 'mse')

    def bad():
        while True:
            yield X
    with pytest.raises(ValueError, match='tuple'):
        model.fit_generator(bad(), steps_per_epoch=1, verbose=0, workers=0)


def test_bounded_queue_does_not_run_ahead():
    """The producer never gets more than max_queue_size (+ in-flight) batches ahead."""
    produced = []

    def counting():
        i = 0
        while True:
            produced.append(i)
            yield X[:4], Y[:4]
            i += 1
    model = linear_model()
    model.compile('sgd', 'mse')
    model.fit_generator(counting(), steps_per_epoch=2, epochs=1, verbose=0, workers=1,
                        max_queue_size=3)
    assert len(produced) <= 2 + 3 + 2


def test_a_generator_that_runs_out_raises_a_clear_error():
    from kback.layers import Dense
    from kback.models import Sequential
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile('sgd', 'mse')

    def three_batches():
        for _ in range(3):
            yield np.zeros((4, 2)), np.zeros((4, 1))
    with pytest.raises(ValueError, match='ran out after fewer batches than the 5 steps'):
        model.fit_generator(three_batches(), steps_per_epoch=5, verbose=0, workers=0)


def test_fractional_steps_mean_their_ceiling():
    """Tutorials write steps_per_epoch=len(x) / 32; Keras loops while
    steps_done < steps, so 2.5 steps run 3 batches."""
    model = linear_model()
    model.compile('sgd', 'mse')
    history = model.fit_generator(batches(), steps_per_epoch=len(X) / 4.8, epochs=1,
                                  verbose=0, validation_data=batches(), validation_steps=1.2)
    assert history.params['steps'] == 3
    assert model.predict_generator(batches(with_y=False), steps=2.5).shape == (12, 1)
    for bad in (0, -1.5, '3', True):
        with pytest.raises(ValueError, match='steps'):
            model.fit_generator(batches(), steps_per_epoch=bad, epochs=1, verbose=0)


def _with_nones(items, every=2):
    """Each item of `items`, after `every` None items (Keras skips them)."""
    for item in items:
        for _ in range(every):
            yield None
        yield item


@pytest.mark.parametrize('workers', [0, 1, 2])
def test_none_batches_are_skipped(workers):
    a, b = twin_models(linear_model, optimizer='sgd', loss='mse')
    a.fit_generator(batches(), steps_per_epoch=3, epochs=2, verbose=0, workers=workers)
    b.fit_generator(_with_nones(batches()), steps_per_epoch=3, epochs=2, verbose=0,
                    workers=workers)
    assert_same_weights(a, b)
    assert np.allclose(b.predict_generator(_with_nones(batches(with_y=False)), steps=3,
                                           workers=workers), b.predict(X))


def _nothing():
    while True:
        yield None


class NoneBatches(Batches):
    def __getitem__(self, i):
        return None


@pytest.mark.parametrize('workers', [0, 1])
@pytest.mark.parametrize('method', ['fit_generator', 'evaluate_generator', 'predict_generator'])
@pytest.mark.parametrize('source', [_nothing, NoneBatches])
def test_a_source_of_only_none_raises_instead_of_spinning(workers, method, source):
    model = linear_model()
    model.compile('sgd', 'mse')
    steps = {'steps_per_epoch' if method == 'fit_generator' else 'steps': 3}
    with pytest.raises(ValueError, match='yielded None 1000 times in a row'):
        getattr(model, method)(source(), verbose=0, workers=workers, **steps)


class LoggedBatches(Batches):
    """Batches of one sample each, logging which were asked for."""

    def __init__(self):
        super().__init__(batch_size=1)
        self.asked = []

    def __getitem__(self, i):
        self.asked.append(i)
        return super().__getitem__(i)


@pytest.mark.parametrize('workers', [1, 2])
def test_np_random_seed_makes_shuffled_sequence_fits_reproducible(workers):
    """The batch order of fit_generator(Sequence, shuffle=True) comes from
    numpy, so np.random.seed alone replays a run (Python's random is left
    in different states on purpose)."""
    import random
    runs = []
    for seed, py_seed in ((7, 1), (7, 2), (8, 1)):
        np.random.seed(seed)
        random.seed(py_seed)
        model = linear_model()
        model.compile('sgd', 'mse')
        seq = LoggedBatches()
        history = model.fit_generator(seq, epochs=3, workers=workers, shuffle=True, verbose=0)
        order = seq.asked[:3 * len(seq)]
        runs.append((order, history.history['loss'], model.get_weights()))
    (order1, loss1, w1), (order2, loss2, w2), (order3, _, _) = runs
    assert loss1 == loss2
    if workers == 1:    # one loader thread asks in the order it delivers
        assert sorted(order1[:len(X)]) == list(range(len(X)))
        assert order1 == order2 and order1 != order3
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
