"""Keras 2.3's losses, metrics, optimizers, initializers, regularizers,
constraints and activations pages: the usage snippets."""
import inspect

import numpy as np
import pytest

from kback import backend as K
from kback import (losses, metrics, optimizers, initializers, regularizers, constraints,
                   activations)
from kback.constraints import max_norm
from kback.layers import Dense, Activation
from kback.models import Sequential


def _model(**kw):
    return Sequential([Dense(2, input_dim=3, **kw)])


def test_losses_usage():
    model = _model()
    model.compile(loss='mean_squared_error', optimizer='sgd')
    model.compile(loss=losses.mean_squared_error, optimizer='sgd')
    model.compile(loss=losses.MeanSquaredError(), optimizer='sgd')
    x, y = np.random.random((4, 3)), np.random.random((4, 2))
    loss = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(loss, ((model.predict(x) - y) ** 2).mean(), rtol=1e-5)
    for name in ['mse', 'MSE', 'mae', 'MAE', 'mape', 'MAPE', 'msle', 'MSLE', 'kld', 'KLD',
                 'cosine', 'squared_hinge', 'hinge', 'categorical_hinge', 'logcosh',
                 'huber_loss', 'categorical_crossentropy', 'binary_crossentropy',
                 'kullback_leibler_divergence', 'poisson', 'cosine_proximity']:
        assert callable(losses.get(name))
    with pytest.raises(ValueError):
        losses.get('not_a_loss')


def test_loss_function_values():
    yt = K.variable(np.array([[0., 1.], [1., 0.]]))
    yp = K.variable(np.array([[0.2, 0.8], [0.6, 0.4]]))
    np.testing.assert_allclose(K.eval(losses.mean_squared_error(yt, yp)), [0.04, 0.16],
                               rtol=1e-5)
    np.testing.assert_allclose(K.eval(losses.categorical_crossentropy(yt, yp)),
                               -np.log([0.8, 0.6]), rtol=1e-5)
    np.testing.assert_allclose(K.eval(losses.hinge(yt, yp)),
                               [np.mean([1.2, 0.2]), np.mean([0.4, 1.4])], rtol=1e-5)
    np.testing.assert_allclose(K.eval(losses.logcosh(yt, yp)),
                               np.mean(np.log(np.cosh(np.array([[0.2, -0.2], [-0.4, 0.4]]))),
                                       axis=-1), rtol=1e-5)
    mse = losses.MeanSquaredError()
    np.testing.assert_allclose(K.eval(mse(yt, yp)), 0.1, rtol=1e-5)
    none = losses.MeanSquaredError(reduction='none')
    np.testing.assert_allclose(K.eval(none(yt, yp)), [0.04, 0.16], rtol=1e-5)
    total = losses.MeanSquaredError(reduction='sum')
    np.testing.assert_allclose(K.eval(total(yt, yp)), 0.2, rtol=1e-5)


def test_sparse_categorical_crossentropy_with_integer_targets():
    model = Sequential([Dense(3, input_dim=2, activation='softmax')])
    model.compile('sgd', 'sparse_categorical_crossentropy', metrics=['accuracy'])
    x = np.random.random((6, 2))
    y = np.array([0, 1, 2, 0, 1, 2])
    loss, acc = model.evaluate(x, y, verbose=0)
    p = model.predict(x)
    np.testing.assert_allclose(loss, -np.log(p[np.arange(6), y]).mean(), rtol=1e-5)
    np.testing.assert_allclose(acc, (p.argmax(1) == y).mean())


def test_metrics_usage_and_custom_metric():
    model = _model()
    model.compile(loss='mean_squared_error', optimizer='sgd', metrics=['mae', 'acc'])
    assert model.metrics_names == ['loss', 'mae', 'acc']
    model.compile(loss='mean_squared_error', optimizer='sgd',
                  metrics=[metrics.mae, metrics.categorical_accuracy])
    assert model.metrics_names == ['loss', 'mean_absolute_error', 'categorical_accuracy']

    def mean_pred(y_true, y_pred):
        return K.mean(y_pred)
    model.compile(optimizer='rmsprop', loss='binary_crossentropy',
                  metrics=['accuracy', mean_pred])
    assert model.metrics_names == ['loss', 'accuracy', 'mean_pred']


def test_metric_function_values():
    yt = K.variable(np.array([[0., 0., 1.], [0., 1., 0.]]))
    yp = K.variable(np.array([[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]]))
    np.testing.assert_allclose(K.eval(metrics.categorical_accuracy(yt, yp)), [1., 0.])
    np.testing.assert_allclose(K.eval(metrics.top_k_categorical_accuracy(yt, yp, k=2)),
                               [1., 1.])
    np.testing.assert_allclose(K.eval(metrics.sparse_categorical_accuracy(
        K.variable(np.array([[2.], [0.]])), yp)), [1., 1.])
    np.testing.assert_allclose(K.eval(metrics.binary_accuracy(
        K.variable(np.array([[1., 0.]])), K.variable(np.array([[0.6, 0.7]])))), [0.5])
    np.testing.assert_allclose(K.eval(metrics.sparse_top_k_categorical_accuracy(
        K.variable(np.array([2., 2.])), yp, k=1)), [1., 0.])
    assert inspect.signature(metrics.top_k_categorical_accuracy).parameters['k'].default == 5


def test_optimizer_arguments_and_defaults():
    sgd = optimizers.SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    config = sgd.get_config()
    np.testing.assert_allclose(config['learning_rate'], 0.01, rtol=1e-6)
    assert config['nesterov'] is True
    np.testing.assert_allclose(config['momentum'], 0.9, rtol=1e-6)
    defaults = {optimizers.SGD: 0.01, optimizers.RMSprop: 0.001, optimizers.Adagrad: 0.01,
                optimizers.Adadelta: 1.0, optimizers.Adam: 0.001, optimizers.Adamax: 0.002,
                optimizers.Nadam: 0.002}
    for cls, lr in defaults.items():
        opt = cls()
        np.testing.assert_allclose(K.get_value(opt.lr), lr, rtol=1e-6)
        np.testing.assert_allclose(K.get_value(opt.learning_rate), lr, rtol=1e-6)
        assert inspect.signature(cls.__init__).parameters['learning_rate'].default == lr
        opt2 = cls(learning_rate=0.5)
        np.testing.assert_allclose(K.get_value(opt2.lr), 0.5)
        clone = cls.from_config(opt.get_config())
        np.testing.assert_allclose(K.get_value(clone.lr), lr, rtol=1e-6)
    adam = optimizers.Adam()
    c = adam.get_config()
    assert c['beta_1'] == pytest.approx(0.9) and c['beta_2'] == pytest.approx(0.999)
    assert c['amsgrad'] is False
    assert optimizers.RMSprop().get_config()['rho'] == pytest.approx(0.9)
    assert optimizers.Adadelta().get_config()['rho'] == pytest.approx(0.95)
    assert isinstance(optimizers.get('adam'), optimizers.Adam)
    assert optimizers.serialize(adam)['class_name'] == 'Adam'
    assert isinstance(optimizers.deserialize({'class_name': 'SGD', 'config': {}}),
                      optimizers.SGD)


def test_sgd_update_formula():
    w = K.variable(np.array([1., 2.]))
    loss = K.sum(w * w)
    opt = optimizers.SGD(lr=0.1, momentum=0.9)
    step = K.function([], [loss], updates=opt.get_updates(loss, [w]))
    step([])
    np.testing.assert_allclose(K.get_value(w), [1. - 0.2, 2. - 0.4], rtol=1e-6)
    step([])
    # v = 0.9 * (-0.2, -0.4) - 0.1 * 2 * w
    v = 0.9 * np.array([-0.2, -0.4]) - 0.1 * 2 * np.array([0.8, 1.6])
    np.testing.assert_allclose(K.get_value(w), np.array([0.8, 1.6]) + v, rtol=1e-6)


def test_initializers_usage():
    model = Sequential([Dense(64, input_dim=8, kernel_initializer='random_uniform',
                              bias_initializer='zeros')])
    w, b = model.get_weights()
    assert np.all(np.abs(w) <= 0.05) and np.all(b == 0)
    layer = Dense(4, kernel_initializer=initializers.RandomNormal(mean=0.0, stddev=0.05,
                                                                  seed=None))
    assert layer.kernel_initializer.stddev == 0.05

    def my_init(shape, dtype=None):
        return K.random_normal(shape, dtype=dtype)
    model = Sequential([Dense(64, input_dim=8, kernel_initializer=my_init)])
    assert model.get_weights()[0].shape == (8, 64)
    const = K.eval(initializers.Constant(value=3.)((2, 2)))
    np.testing.assert_array_equal(const, np.full((2, 2), 3.))
    ident = K.eval(initializers.Identity(gain=2.)((3, 3)))
    np.testing.assert_array_equal(ident, 2 * np.eye(3))
    orth = K.eval(initializers.Orthogonal(gain=1.0, seed=1)((4, 4)))
    np.testing.assert_allclose(orth @ orth.T, np.eye(4), atol=1e-5)
    for name in ['zeros', 'ones', 'glorot_uniform', 'glorot_normal', 'he_uniform',
                 'he_normal', 'lecun_uniform', 'lecun_normal', 'truncated_normal',
                 'random_normal', 'random_uniform', 'orthogonal', 'identity']:
        assert initializers.get(name) is not None
    vs = initializers.VarianceScaling(scale=1.0, mode='fan_in', distribution='normal', seed=1)
    assert vs.get_config() == {'scale': 1.0, 'mode': 'fan_in', 'distribution': 'normal',
                               'seed': 1}
    lim = np.sqrt(6 / (100 + 50))
    gu = K.eval(initializers.glorot_uniform(seed=1)((100, 50)))
    assert np.all(np.abs(gu) <= lim) and gu.std() > lim / 3
    tn = K.eval(initializers.TruncatedNormal(mean=0., stddev=1., seed=1)((1000,)))
    assert np.all(np.abs(tn) <= 2.)


def test_regularizers_usage():
    layer = Dense(2, input_dim=2, kernel_initializer='ones', bias_initializer='ones',
                  kernel_regularizer=regularizers.l2(0.01),
                  bias_regularizer=regularizers.l1(0.1),
                  activity_regularizer=regularizers.l1(0.01))
    model = Sequential([layer])
    model.compile('sgd', 'mse')
    x = np.zeros((1, 2))
    y = np.ones((1, 2))
    # outputs are 1 (bias); mse 0; kernel l2 0.01*4; bias l1 0.1*2; activity 0.01*2
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), 0.04 + 0.2 + 0.02, rtol=1e-5)

    def l1_reg(weight_matrix):
        return 0.01 * K.sum(K.abs(weight_matrix))
    model = Sequential([Dense(2, input_dim=2, kernel_initializer='ones',
                              kernel_regularizer=l1_reg)])
    model.compile('sgd', 'mse')
    np.testing.assert_allclose(model.evaluate(x, np.zeros((1, 2)), verbose=0), 0.04,
                               rtol=1e-5)
    reg = regularizers.l1_l2(l1=0.01, l2=0.01)
    assert reg.get_config() == {'l1': pytest.approx(0.01), 'l2': pytest.approx(0.01)}
    assert isinstance(regularizers.get('l2'), regularizers.L1L2)


def test_constraints_usage():
    model = Sequential([Dense(2, input_dim=2, kernel_constraint=max_norm(2.),
                              kernel_initializer='ones', use_bias=False)])
    model.compile(optimizers.SGD(lr=10.), 'mse')
    model.train_on_batch(np.ones((1, 2)), np.full((1, 2), 100.))
    w = model.get_weights()[0]
    assert np.all(np.linalg.norm(w, axis=0) <= 2. + 1e-5)
    w = K.variable(np.array([[3., -4.], [4., 3.]]))
    np.testing.assert_allclose(K.eval(constraints.UnitNorm(axis=0)(w)),
                               [[0.6, -0.8], [0.8, 0.6]], rtol=1e-5)
    np.testing.assert_allclose(K.eval(constraints.NonNeg()(w)), [[3., 0.], [4., 3.]])
    mm = constraints.MinMaxNorm(min_value=0.0, max_value=1.0, rate=1.0, axis=0)
    assert mm.get_config() == {'min_value': 0.0, 'max_value': 1.0, 'rate': 1.0, 'axis': 0}
    assert constraints.MaxNorm().get_config() == {'max_value': 2, 'axis': 0}


def test_activations_usage():
    model = Sequential([Dense(4, input_dim=3), Activation('tanh')])
    model2 = Sequential([Dense(4, input_dim=3, activation='tanh')])
    model3 = Sequential([Dense(4, input_dim=3, activation=K.tanh)])
    assert model.output_shape == model2.output_shape == model3.output_shape == (None, 4)
    x = np.array([[-2., -0.5, 0., 0.5, 3.]])
    v = K.variable(x)
    cases = {
        'softmax': np.exp(x) / np.exp(x).sum(),
        'elu': np.where(x > 0, x, np.exp(x) - 1),
        'selu': 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1)),
        'softplus': np.log1p(np.exp(x)),
        'softsign': x / (1 + np.abs(x)),
        'relu': np.maximum(x, 0),
        'tanh': np.tanh(x),
        'sigmoid': 1 / (1 + np.exp(-x)),
        'hard_sigmoid': np.clip(0.2 * x + 0.5, 0, 1),
        'exponential': np.exp(x),
        'linear': x,
    }
    for name, want in cases.items():
        np.testing.assert_allclose(K.eval(activations.get(name)(v)), want, rtol=1e-5,
                                   atol=1e-6, err_msg=name)
    np.testing.assert_allclose(K.eval(activations.relu(v, alpha=0.1, max_value=2.,
                                                       threshold=0.)),
                               np.clip(np.where(x > 0, x, 0.1 * x), None, 2.), rtol=1e-6)
    np.testing.assert_allclose(K.eval(activations.elu(v, alpha=0.5)),
                               np.where(x > 0, x, 0.5 * (np.exp(x) - 1)), rtol=1e-6)
    assert activations.serialize(activations.tanh) == 'tanh'
