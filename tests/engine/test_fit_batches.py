"""The batches fit feeds: shuffled rows gathered into reused buffers must be
the right rows (inputs, targets and weights row-aligned), every sample once
per epoch, and nothing the graph keeps may alias a buffer that the next batch
overwrites."""
import numpy as np
import pytest

from kback import backend as K
from kback import callbacks, layers, models

N, D, B = 24, 3, 8


class Keep(layers.Layer):
    """Identity that stores the batch it saw in a variable (an update)."""

    def build(self, input_shape):
        self.kept = self.add_weight('kept', shape=(B, D), initializer='zeros',
                                    trainable=False)
        super().build(input_shape)

    def call(self, inputs):
        self.add_update(K.update(self.kept, inputs), inputs)
        return inputs


def make_model():
    keep = Keep(input_shape=(D,))
    model = models.Sequential([keep, layers.Dense(1)])
    model.compile('sgd', 'mse')
    return model, keep


def data():
    # Column 0 is the row id; the target repeats it so rows can be matched.
    x = np.random.RandomState(0).rand(N, D).astype('float32')
    x[:, 0] = np.arange(N)
    return x, np.arange(N, dtype='float32')[:, None]


class Recorder(callbacks.Callback):
    def __init__(self, keep):
        super().__init__()
        self.keep, self.seen, self.aliased = keep, [], []

    def on_batch_begin(self, batch, logs=None):
        # The next batch is already gathered: the variable must still hold the last one.
        if self.seen and batch > 0:
            self.aliased.append(not np.array_equal(K.get_value(self.keep.kept), self.seen[-1]))

    def on_batch_end(self, batch, logs=None):
        self.seen.append(K.get_value(self.keep.kept).copy())


@pytest.mark.parametrize('shuffle', [True, 'batch', False])
def test_each_epoch_feeds_every_row_once_and_nothing_aliases_the_buffers(shuffle):
    np.random.seed(1)
    model, keep = make_model()
    x, y = data()
    rec = Recorder(keep)
    model.fit(x, y, batch_size=B, epochs=3, shuffle=shuffle, verbose=0, callbacks=[rec])
    assert len(rec.seen) == 3 * N // B
    assert not any(rec.aliased)
    orders = []
    for epoch in range(3):
        batches = rec.seen[epoch * N // B:(epoch + 1) * N // B]
        ids = np.concatenate([b[:, 0] for b in batches])
        np.testing.assert_array_equal(np.sort(ids), np.arange(N))
        for b in batches:
            np.testing.assert_array_equal(b, x[b[:, 0].astype(int)])
        orders.append(ids)
    if shuffle is False:
        np.testing.assert_array_equal(orders[0], np.arange(N))
    else:
        assert any(not np.array_equal(o, np.arange(N)) for o in orders)


def _rowwise_loss_model():
    """A loss that reads the target and the sample weight of each row, so
    that misaligned rows would change it."""
    np.random.seed(2)
    model = models.Sequential([layers.Dense(1, input_shape=(D,), use_bias=False,
                                            kernel_initializer='zeros')])
    model.compile('sgd', 'mae')
    return model


@pytest.mark.parametrize('weights', ['none', 'given'])
def test_shuffled_fit_matches_train_on_batch_over_the_same_permutation(weights):
    x, y = data()
    sw = np.linspace(0.5, 2., N).astype('float32') if weights == 'given' else None
    n_batch = 10                                   # the last batch is short (4 rows)
    np.random.seed(3)
    perm = [np.random.permutation(N) for _ in range(2)]
    a, b = _rowwise_loss_model(), _rowwise_loss_model()
    b.set_weights(a.get_weights())
    losses = []
    for p in perm:
        for s in range(0, N, n_batch):
            idx = p[s:s + n_batch]
            losses.append(b.train_on_batch(x[idx], y[idx],
                                           sample_weight=None if sw is None else sw[idx]))
    seen = []
    np.random.seed(3)
    a.fit(x, y, batch_size=n_batch, epochs=2, shuffle=True, verbose=0, sample_weight=sw,
          callbacks=[callbacks.LambdaCallback(on_batch_end=lambda i, l: seen.append(l['loss']))])
    np.testing.assert_array_equal(seen, losses)
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_callback_list_picks_up_hooks_added_during_training():
    late = []

    class Adder(callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == 0:
                self.cl.append(callbacks.LambdaCallback(
                    on_batch_end=lambda b, l: late.append(b)))

    adder = Adder()

    cl = callbacks.CallbackList([adder])
    adder.cl = cl
    for i in range(3):
        cl.on_train_batch_begin(i, {})
        cl.on_train_batch_end(i, {})
    assert late == [1, 2]


def test_overridden_and_instance_hooks_are_called():
    calls = []

    class Train(callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            calls.append(('train_begin', batch))

    class Old(callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            calls.append(('batch_end', batch))

    class Test(callbacks.Callback):
        def on_test_batch_end(self, batch, logs=None):
            calls.append(('test_end', batch))

    plain = callbacks.Callback()
    plain.on_batch_begin = lambda batch, logs=None: calls.append(('instance', batch))
    cl = callbacks.CallbackList([Train(), Old(), Test(), plain])
    cl.on_train_batch_begin(0, {})
    cl.on_train_batch_end(0, {})
    cl.on_test_batch_end(1, {})
    cl.on_predict_batch_end(2, {})
    assert calls == [('train_begin', 0), ('instance', 0), ('batch_end', 0), ('test_end', 1)]
