"""Optimizer API: identifiers, configs, state, hyperparameter variables, and
how in-place steps behave inside K.function."""
import numpy as np
import pytest

from kback import backend as K
from kback import optimizers
from kback.utils.generic_utils import CustomObjectScope

CONFIG_KEYS = {
    'SGD': {'learning_rate', 'momentum', 'decay', 'nesterov'},
    'RMSprop': {'learning_rate', 'rho', 'decay', 'epsilon'},
    'Adagrad': {'learning_rate', 'decay', 'epsilon'},
    'Adadelta': {'learning_rate', 'rho', 'decay', 'epsilon'},
    'Adam': {'learning_rate', 'beta_1', 'beta_2', 'decay', 'epsilon', 'amsgrad'},
    'Adamax': {'learning_rate', 'beta_1', 'beta_2', 'decay', 'epsilon'},
    'Nadam': {'learning_rate', 'beta_1', 'beta_2', 'epsilon', 'schedule_decay'},
}
DEFAULT_LR = {'SGD': 0.01, 'RMSprop': 0.001, 'Adagrad': 0.01, 'Adadelta': 1.0,
              'Adam': 0.001, 'Adamax': 0.002, 'Nadam': 0.002}


@pytest.mark.parametrize('cls_name', sorted(CONFIG_KEYS))
def test_get_config_keys_defaults_and_round_trip(cls_name):
    opt = getattr(optimizers, cls_name)()
    config = opt.get_config()
    assert set(config) == CONFIG_KEYS[cls_name]
    assert config['learning_rate'] == pytest.approx(DEFAULT_LR[cls_name])
    if 'epsilon' in config:
        assert config['epsilon'] == K.epsilon()
    clipped = getattr(optimizers, cls_name)(clipnorm=1.5, clipvalue=0.5)
    assert set(clipped.get_config()) == CONFIG_KEYS[cls_name] | {'clipnorm', 'clipvalue'}
    again = optimizers.deserialize(optimizers.serialize(clipped))
    assert type(again) is type(clipped) and again.get_config() == clipped.get_config()
    assert optimizers.serialize(opt) == {'class_name': cls_name, 'config': config}


def test_config_values_and_from_config():
    opt = optimizers.SGD(learning_rate=0.5, momentum=0.25, nesterov=True, decay=0.125)
    assert opt.get_config() == {'learning_rate': 0.5, 'momentum': 0.25, 'decay': 0.125,
                                'nesterov': True}
    adam = optimizers.Adam.from_config({'learning_rate': 0.25, 'beta_1': 0.5, 'amsgrad': True,
                                        'epsilon': 1e-3})
    config = adam.get_config()
    assert config['learning_rate'] == 0.25 and config['beta_1'] == 0.5
    assert config['amsgrad'] is True and config['epsilon'] == 1e-3
    assert optimizers.Adadelta(rho=0.5).get_config()['rho'] == 0.5
    assert optimizers.Nadam(schedule_decay=0.01).get_config()['schedule_decay'] == 0.01


@pytest.mark.parametrize('name,cls', [('sgd', 'SGD'), ('Adam', 'Adam'), ('RMSPROP', 'RMSprop'),
                                      ('adagrad', 'Adagrad'), ('adadelta', 'Adadelta'),
                                      ('adamax', 'Adamax'), ('Nadam', 'Nadam')])
def test_get_by_name_is_case_insensitive(name, cls):
    assert type(optimizers.get(name)).__name__ == cls


def test_get_dict_instance_and_errors():
    opt = optimizers.get({'class_name': 'Adam', 'config': {'learning_rate': 0.5}})
    assert isinstance(opt, optimizers.Adam) and opt.get_config()['learning_rate'] == 0.5
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match=r"Unknown optimizer: 'adamw'.*adam.*rmsprop.*sgd"):
        optimizers.get('adamw')
    with pytest.raises(ValueError, match='Could not interpret optimizer identifier'):
        optimizers.get(42)
    assert optimizers.sgd is optimizers.SGD and optimizers.adam is optimizers.Adam


def test_custom_optimizer_by_name():
    class Halving(optimizers.SGD):
        pass
    with pytest.raises(ValueError, match='Unknown optimizer'):
        optimizers.get('Halving')
    with CustomObjectScope({'Halving': Halving}):
        assert isinstance(optimizers.get('Halving'), Halving)
    opt = optimizers.deserialize(optimizers.serialize(Halving(learning_rate=0.5)),
                                 custom_objects={'Halving': Halving})
    assert isinstance(opt, Halving) and opt.get_config()['learning_rate'] == 0.5


def test_constructor_arguments():
    opt = optimizers.SGD(lr=0.25)                       # Keras 2.2 spelling
    assert opt.lr is opt.learning_rate and K.get_value(opt.lr) == 0.25
    assert isinstance(opt.learning_rate, K.Variable) and opt.learning_rate.dtype == K.floatx()
    assert opt.iterations.dtype == 'int64' and K.get_value(opt.iterations) == 0
    assert optimizers.Adam(epsilon=None).epsilon == K.epsilon()
    K.set_epsilon(1e-4)
    assert optimizers.RMSprop().epsilon == 1e-4
    with pytest.raises(TypeError, match='Unexpected keyword argument passed to optimizer: foo'):
        optimizers.Adam(foo=1)
    with pytest.raises(TypeError, match='decay'):
        optimizers.Nadam(decay=0.1)                     # Nadam has schedule_decay instead
    with pytest.raises(ValueError, match='clipnorm >= 0'):
        optimizers.SGD(clipnorm=-1)


def _quadratic(dtype='float32'):
    w = K.variable(np.array([[1.0, -2.0], [0.5, 3.0]]), dtype=dtype, name='w')
    b = K.variable(np.array([0.5, -0.5]), dtype=dtype, name='b')
    loss = 0.5 * K.sum(K.square(w)) + 0.5 * K.sum(K.square(b))    # grads = the params
    return [w, b], loss


def test_weights_order_and_round_trip():
    params, loss = _quadratic()
    assert optimizers.Adam().weights == [] and optimizers.Adam().get_weights() == []
    counts = {'SGD': 1 + 2, 'RMSprop': 1 + 2, 'Adagrad': 1 + 2, 'Adadelta': 1 + 4,
              'Adam': 1 + 6, 'Adamax': 1 + 4, 'Nadam': 2 + 4}
    for cls_name, count in counts.items():
        opt = getattr(optimizers, cls_name)()
        f = K.function([], [loss], updates=opt.get_updates(loss, params))
        f([])
        assert len(opt.weights) == count and opt.weights[0] is opt.iterations
        saved = opt.get_weights()
        assert saved[0] == 1
        f([])
        opt.set_weights(saved)
        restored = opt.get_weights()
        for a, b in zip(saved, restored):
            np.testing.assert_array_equal(a, b)
    # Adam keeps a (1,) vhat per param unless amsgrad (Keras 2.3's layout).
    adam = optimizers.Adam()
    adam.get_updates(loss, params)
    assert [K.int_shape(v) for v in adam.weights[5:]] == [(1,), (1,)]
    assert [K.int_shape(v) for v in adam.weights[1:3]] == [(2, 2), (2,)]


def test_set_weights_errors_and_legacy_lists():
    params, loss = _quadratic()
    opt = optimizers.RMSprop()
    opt.get_updates(loss, params)
    with pytest.raises(ValueError, match=r'Length of the specified weight list \(1\)'):
        opt.set_weights([np.array(0)])
    with pytest.raises(ValueError, match=r'Optimizer weight shape \(2, 2\) not compatible'):
        opt.set_weights([np.array(3), np.zeros((3, 2)), np.zeros(2)])
    # A Keras 2.2.4 list has no iteration count: it is set to 0.
    K.set_value(opt.iterations, 7)
    opt.set_weights([np.ones((2, 2)), np.ones(2)])
    assert K.get_value(opt.iterations) == 0
    np.testing.assert_array_equal(K.get_value(opt.weights[1]), np.ones((2, 2)))


def test_get_gradients_rejects_unconnected_params():
    params, loss = _quadratic()
    stray = K.variable(np.zeros(3), name='stray')
    with pytest.raises(ValueError, match='`None` for gradient.*stray'):
        optimizers.SGD().get_updates(loss, params + [stray])


@pytest.mark.parametrize('inplace', [True, False])
def test_learning_rate_variable_changes_a_compiled_step(inplace):
    params, loss = _quadratic()
    opt = optimizers.SGD(learning_rate=0.5)
    opt.use_inplace_steps = inplace
    f = K.function([], [loss], updates=opt.get_updates(loss, params))
    f([])
    np.testing.assert_allclose(K.get_value(params[1]), [0.25, -0.25])
    K.set_value(opt.lr, 0.0)
    f([])
    np.testing.assert_allclose(K.get_value(params[1]), [0.25, -0.25])


def test_apply_gradients_takes_changed_gradients():
    params, loss = _quadratic()
    opt = optimizers.SGD(learning_rate=0.5)
    grads = [g * 0.5 for g in opt.get_gradients(loss, params)]   # e.g. averaged elsewhere
    K.function([], [], updates=opt.apply_gradients(grads, params))([])
    np.testing.assert_allclose(K.get_value(params[1]), [0.375, -0.375])


@pytest.mark.parametrize('name', ['sgd', 'rmsprop', 'adagrad', 'adam'])
def test_inplace_path_is_used_only_where_it_applies(name):
    params, loss = _quadratic()
    opt = optimizers.get(name)
    ops = [u.op for u in opt.get_updates(loss, params)]
    assert ops.count('optimizer_step') == 2 and ops.count('assign') == 1   # + iterations
    opt.use_inplace_steps = False
    assert 'optimizer_step' not in [u.op for u in opt.get_updates(loss, params)]
    half = K.variable(np.ones(3), dtype='float16')
    assert 'optimizer_step' not in [u.op for u in opt.get_updates(K.sum(half * half), [half])]


def test_constrained_params_take_the_composed_path_and_the_constraint():
    w = K.variable(np.array([1.0, -2.0, 3.0]), constraint=lambda x: K.clip(x, -1.0, 1.0))
    opt = optimizers.Adam(learning_rate=0.1)
    updates = opt.get_updates(K.sum(K.square(w)), [w])
    assert 'optimizer_step' not in [u.op for u in updates]
    K.function([], [], updates=updates)([])
    np.testing.assert_allclose(K.get_value(w), [0.9, -1.0, 1.0], rtol=1e-5)


@pytest.mark.parametrize('inplace', [True, False])
def test_outputs_see_the_old_values(inplace):
    params, loss = _quadratic()
    w, b = params
    opt = optimizers.SGD(learning_rate=0.5, momentum=0.5)
    opt.use_inplace_steps = inplace
    f = K.function([], [loss, w, K.reshape(b, (2, 1)), K.transpose(w)],
                   updates=opt.get_updates(loss, params))
    loss0, w0, b0, wt0 = f([])
    assert loss0 == pytest.approx(0.5 * (1 + 4 + 0.25 + 9) + 0.5 * 0.5)
    np.testing.assert_array_equal(w0, [[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_array_equal(b0, [[0.5], [-0.5]])
    np.testing.assert_array_equal(wt0, [[1.0, 0.5], [-2.0, 3.0]])
    np.testing.assert_allclose(K.get_value(w), [[0.5, -1.0], [0.25, 1.5]])
    _, w1, _, _ = f([])
    np.testing.assert_allclose(w1, [[0.5, -1.0], [0.25, 1.5]])
    w1[0, 0] = 99.0                               # outputs never alias the variable
    assert K.get_value(w)[0, 0] != 99.0


def test_assigned_values_are_taken_before_the_inplace_steps():
    w = K.variable(np.array([1.0, 2.0]))
    snapshot = K.variable(np.zeros(2))
    opt = optimizers.SGD(learning_rate=0.5)
    updates = opt.get_updates(K.sum(K.square(w)), [w]) + [K.update(snapshot, w)]
    assert 'optimizer_step' in [u.op for u in updates]
    K.function([], [], updates=updates)([])
    np.testing.assert_array_equal(K.get_value(snapshot), [1.0, 2.0])
    np.testing.assert_array_equal(K.get_value(w), [0.0, 0.0])


def test_inplace_nodes_in_functions():
    w = K.variable(np.array([1.0, 2.0]))
    m = K.variable(np.zeros(2))
    step = K.optimizer_step('sgd', w, [m], K.constant([1.0, 1.0]), [0.5, 0.0])
    f = K.function([], [step])                    # as an output: the new value, a copy
    out = f([])[0]
    np.testing.assert_array_equal(out, [0.5, 1.5])
    out[0] = 42.0
    np.testing.assert_array_equal(K.get_value(w), [0.5, 1.5])
    with pytest.raises(ValueError, match='can only be an update or an output'):
        K.function([], [step * 2])
    x = K.placeholder((2,))
    fed = K.optimizer_step('sgd', w, [m], x, [0.5, 0.0])
    with pytest.raises(ValueError, match='updated in place and cannot also be an input'):
        K.function([w], [], updates=[fed])
    with pytest.raises(ValueError, match='must be a float32 or float64 variable'):
        K.optimizer_step('sgd', w * 1, [m], x, [0.5, 0.0])
    with pytest.raises(ValueError, match='must be a float32 or float64 variable'):
        K.optimizer_step('sgd', K.variable(np.ones(2), dtype='float16'), [m], x, [0.5, 0.0])
    with pytest.raises(ValueError, match='does not match param'):
        K.optimizer_step('sgd', w, [K.variable(np.zeros(3))], x, [0.5, 0.0])
    with pytest.raises(ValueError, match='distinct'):
        K.optimizer_step('sgd', w, [w], x, [0.5, 0.0])
    with pytest.raises(ValueError, match=r'grad \(3,\)'):
        K.optimizer_step('sgd', w, [m], K.placeholder((3,)), [0.5, 0.0])
    with pytest.raises(ValueError, match='momentum must be a float scalar'):
        K.optimizer_step('sgd', w, [m], x, [0.5, K.constant([0.0, 1.0])])
    with pytest.raises(ValueError, match='expects param, moment, grad, lr, momentum'):
        K.optimizer_step('sgd', w, [], x, [0.5, 0.0])


@pytest.mark.parametrize('inplace', [True, False])
@pytest.mark.parametrize('name', ['sgd', 'rmsprop', 'adagrad', 'adadelta', 'adam',
                                  'adamax', 'nadam'])
def test_training_loop_decreases_least_squares_loss(name, inplace):
    rng = np.random.RandomState(0)
    X = rng.randn(64, 5).astype('float32')
    Y = X @ rng.randn(5, 1).astype('float32') + 0.3
    w, b = K.variable(np.zeros((5, 1))), K.variable(np.zeros(1))
    x, y = K.placeholder((None, 5)), K.placeholder((None, 1))
    loss = K.mean(K.square(K.dot(x, w) + b - y))
    lr = {'sgd': 0.1, 'adadelta': 1.0}.get(name, 0.05)
    opt = optimizers.get({'class_name': name, 'config': {'learning_rate': lr}})
    opt.use_inplace_steps = inplace
    train = K.function([x, y], [loss], updates=opt.get_updates(loss, [w, b]))
    losses = [float(train([X, Y])[0]) for _ in range(60)]
    # Adadelta starts with steps of about sqrt(epsilon): slow, but going down.
    assert losses[-1] < (0.9 if name == 'adadelta' else 0.5) * losses[0]
    if name == 'sgd':       # a small enough step on a convex loss never goes up
        assert all(b <= a * (1 + 1e-6) for a, b in zip(losses, losses[1:]))
    assert K.get_value(opt.iterations) == 60


def test_optimizer_step_covers_what_the_compiled_step_can_rewrite(monkeypatch):
    w, m = K.variable(np.ones(2)), K.variable(np.zeros(2))
    assert K.optimizer_step_covers('sgd', w, [m])
    assert not K.optimizer_step_covers('sgd', w, [])                   # slot count
    assert not K.optimizer_step_covers('lion', w, [m])                 # unknown rule
    assert not K.optimizer_step_covers('sgd', w * 1, [m])              # not a variable
    half = K.variable(np.ones(2), dtype='float16')
    assert not K.optimizer_step_covers('sgd', half, [K.zeros(2, dtype='float16')])
    from kback.backend._kernels import optim as kernel_steps
    monkeypatch.setattr(kernel_steps, 'AVAILABLE', False)               # as without kback_core
    assert not K.optimizer_step_covers('sgd', w, [m])
    with pytest.raises(ValueError, match=r'optimizer_step \(sgd\): kback_core is not built'):
        K.optimizer_step('sgd', w, [m], K.constant([1.0, 1.0]), [0.5, 0.0])
