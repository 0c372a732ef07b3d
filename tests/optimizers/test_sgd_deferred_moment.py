"""SGD with momentum 0 leaves its moment slot unwritten until it is read: every
read (get_weights, K.get_value, saving, a later momentum > 0 step) must see
exactly what Keras's `m = 0 * m - lr * g` writes, and the params must be
bit-identical to the composed K-op path."""
import numpy as np
import pytest

from kback import backend as K
from kback import optimizers
from kback.backend.ops import optim as ops_optim


def _problem(seed=0, dtype='float32'):
    rng = np.random.RandomState(seed)
    shapes = [(40, 30), (30,), (7,)]
    params = [K.variable(rng.randn(*s), dtype=dtype) for s in shapes]
    x = K.placeholder((None, 40), dtype=dtype)
    y = K.placeholder((None,), dtype=dtype)
    w, b, c = params
    out = K.sum(K.dot(x, w) + b, axis=1) + K.sum(c * c)
    loss = K.mean(K.square(out - y))
    feeds = [[rng.randn(8, 40).astype(dtype), rng.randn(8).astype(dtype)] for _ in range(4)]
    return params, [x, y], loss, feeds


def _train(inplace, steps, momentum_schedule=None, dtype='float32', read_every_step=False):
    """Params and moments after `steps` steps; momentum_schedule[i] is set
    before step i (None: leave it)."""
    params, inputs, loss, feeds = _problem(dtype=dtype)
    opt = optimizers.SGD(learning_rate=0.01)
    opt.use_inplace_steps = inplace
    f = K.function(inputs, [loss], updates=opt.get_updates(loss, params))
    reads = []
    for i in range(steps):
        if momentum_schedule and momentum_schedule[i] is not None:
            K.set_value(opt.momentum, momentum_schedule[i])
        f(feeds[i % len(feeds)])
        if read_every_step:
            reads.append(opt.get_weights())
    return K.batch_get_value(params), opt.get_weights(), reads, opt


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_momentum_zero_matches_the_composed_path_exactly(dtype):
    p_fused, w_fused, _, opt = _train(True, 5, dtype=dtype)
    assert isinstance(opt.weights[1], ops_optim.DeferredMoment)
    p_comp, w_comp, _, _ = _train(False, 5, dtype=dtype)
    for a, b in zip(p_fused + w_fused, p_comp + w_comp):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype


def test_moment_is_minus_lr_times_the_last_gradient():
    params, inputs, loss, feeds = _problem()
    opt = optimizers.SGD(learning_rate=0.05)
    grads = K.function(inputs, K.gradients(loss, params))
    f = K.function(inputs, [loss], updates=opt.get_updates(loss, params))
    f(feeds[0])
    want = grads(feeds[1])
    f(feeds[1])
    for slot, g in zip(opt.weights[1:], want):
        np.testing.assert_array_equal(K.get_value(slot), np.float32(0.) * 0 - np.float32(0.05) * g)


def test_reads_between_steps_do_not_change_the_result():
    p_read, w_read, reads, _ = _train(True, 4, read_every_step=True)
    p_comp, w_comp, reads_comp, _ = _train(False, 4, read_every_step=True)
    for a, b in zip(p_read + w_read, p_comp + w_comp):
        np.testing.assert_array_equal(a, b)
    for r, rc in zip(reads, reads_comp):
        for a, b in zip(r, rc):
            np.testing.assert_array_equal(a, b)


def test_switching_momentum_on_and_off_mid_training():
    schedule = [None, None, 0.9, None, 0.0, None, 0.5]
    p_fused, w_fused, _, _ = _train(True, 7, schedule)
    p_comp, w_comp, _, _ = _train(False, 7, schedule)
    for a, b in zip(p_fused + w_fused, p_comp + w_comp):
        np.testing.assert_array_equal(a, b)


def test_set_value_and_set_weights_replace_a_pending_moment():
    params, inputs, loss, feeds = _problem()
    opt = optimizers.SGD(learning_rate=0.05)
    f = K.function(inputs, [loss], updates=opt.get_updates(loss, params))
    f(feeds[0])
    K.set_value(opt.weights[1], np.full((40, 30), 3.0))
    np.testing.assert_array_equal(K.get_value(opt.weights[1]), 3.0)
    f(feeds[1])
    weights = opt.get_weights()
    weights[2] = np.full(30, -2.0)
    opt.set_weights(weights)
    np.testing.assert_array_equal(opt.get_weights()[2], -2.0)
    # Momentum > 0 now reads the values just set.
    K.set_value(opt.momentum, 0.5)
    before = [K.get_value(s) for s in opt.weights[1:]]
    grads = K.function(inputs, K.gradients(loss, params))(feeds[2])
    f(feeds[2])
    for slot, m, g in zip(opt.weights[1:], before, grads):
        want = np.float32(0.5) * m - np.float32(0.05) * g
        np.testing.assert_array_equal(K.get_value(slot), want)


def test_nesterov_and_fed_or_view_gradients_write_the_moment():
    w = K.variable(np.array([1.0, 2.0]))
    m = ops_optim.deferred_moment((2,), 'float32')
    x = K.placeholder((2,))
    # A fed gradient is the caller's array: never kept, written at once.
    f = K.function([x], [], updates=[ops_optim.optimizer_step('sgd', w, [m], x, [0.5, 0.0])])
    g = np.array([1.0, -4.0], dtype='float32')
    f([g])
    assert id(m.step_value) not in ops_optim._pending
    np.testing.assert_array_equal(m.step_value, [-0.5, 2.0])
    np.testing.assert_array_equal(K.get_value(w), [0.5, 4.0])
    m2 = ops_optim.deferred_moment((2,), 'float32')
    w2 = K.variable(np.array([1.0, 2.0]))
    step = ops_optim.optimizer_step('sgd', w2, [m2], x * 2, [0.5, 0.0], nesterov=True)
    K.function([x], [], updates=[step])([g])
    np.testing.assert_array_equal(m2.step_value, [-1.0, 4.0])
    np.testing.assert_array_equal(K.get_value(w2), [0.0, 6.0])


def test_saved_optimizer_weights_are_exact(tmp_path):
    from kback.models import Sequential, load_model
    from kback import layers
    rng = np.random.RandomState(1)
    model = Sequential([layers.Dense(5, activation='relu', input_shape=(6,)), layers.Dense(2)])
    model.compile(optimizers.SGD(learning_rate=0.1), 'mse')
    x, y = rng.randn(16, 6).astype('float32'), rng.randn(16, 2).astype('float32')
    model.train_on_batch(x, y)
    model.train_on_batch(x[::-1], y[::-1])
    # A model's gradients are fresh arrays: the moments are left pending.
    assert all(id(s.step_value) in ops_optim._pending for s in model.optimizer.weights[1:])
    path = str(tmp_path / 'm.h5')
    model.save(path)
    want = model.optimizer.get_weights()
    assert any(np.any(w != 0) for w in want[1:])
    loaded = load_model(path)
    for a, b in zip(loaded.optimizer.get_weights(), want):
        np.testing.assert_array_equal(a, b)
