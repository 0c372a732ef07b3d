"""BatchNormalization (Keras 2.3): weights, training vs inference outputs,
moving-statistics updates, data formats, and a small conv model trained in
both data formats."""
import numpy as np
import pytest

from kback import backend as K
from kback import layers as L
from kback.layers import Input
from tests.layers.layer_test import layer_test


@pytest.mark.parametrize('axis,shape', [(-1, (None, 5)), (-1, (None, 4, 5, 3)),
                                        (1, (None, 3, 4, 5)), (2, (None, 4, 3, 5)),
                                        (-1, (None, 6, 2))])
def test_layer_test(axis, shape):
    layer_test(L.BatchNormalization, {'axis': axis, 'momentum': 0.9}, input_shape=shape)
    layer_test(L.BatchNormalization, {'axis': axis, 'center': False, 'scale': False},
               input_shape=shape)


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_layer_test_image_formats(data_format):
    axis = 1 if data_format == 'channels_first' else -1
    shape = (None, 3, 5, 4) if data_format == 'channels_first' else (None, 5, 4, 3)
    layer_test(L.BatchNormalization, {'axis': axis, 'beta_initializer': 'random_normal',
                                      'gamma_initializer': 'random_uniform'},
               input_shape=shape, data_format=data_format)


def test_weights_order_and_trainability():
    layer = L.BatchNormalization()
    layer(Input((4, 3)))
    names = [w.name.split('/')[-1] for w in layer.weights]
    assert names == ['gamma:0', 'beta:0', 'moving_mean:0', 'moving_variance:0']
    assert layer.trainable_weights == [layer.gamma, layer.beta]
    assert layer.non_trainable_weights == [layer.moving_mean, layer.moving_variance]
    gamma, beta, mean, var = layer.get_weights()
    np.testing.assert_array_equal(gamma, np.ones(3))
    np.testing.assert_array_equal(beta, np.zeros(3))
    np.testing.assert_array_equal(mean, np.zeros(3))
    np.testing.assert_array_equal(var, np.ones(3))
    assert layer.count_params() == 12

    bare = L.BatchNormalization(center=False, scale=False)
    bare(Input((3,)))
    assert bare.gamma is None and bare.beta is None
    assert len(bare.weights) == 2 and bare.trainable_weights == []
    only_scale = L.BatchNormalization(center=False)
    only_scale(Input((3,)))
    assert [w.name.split('/')[-1] for w in only_scale.weights] == \
        ['gamma:0', 'moving_mean:0', 'moving_variance:0']


def _setup(axis, x_shape, momentum=0.9, epsilon=1e-3):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape) * 3 + 2
    layer = L.BatchNormalization(axis=axis, momentum=momentum, epsilon=epsilon, dtype='float64')
    inp = Input(batch_shape=(None,) + x_shape[1:], dtype='float64')
    out = layer(inp)
    c = x_shape[axis]
    weights = [rng.uniform(0.5, 1.5, c), rng.standard_normal(c), rng.standard_normal(c),
               rng.uniform(0.5, 2.0, c)]
    layer.set_weights(weights)
    return x, layer, inp, out, weights


def _bshape(x, axis):
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    return shape


@pytest.mark.parametrize('axis,x_shape', [(-1, (6, 4)), (1, (3, 4, 5, 2)), (-1, (3, 5, 2, 4)),
                                          (2, (4, 2, 3))])
def test_train_and_inference_outputs_and_moving_updates(axis, x_shape):
    eps, momentum = 1e-3, 0.9
    x, layer, inp, out, (gamma, beta, mm, mv) = _setup(axis, x_shape, momentum, eps)
    red = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    b = _bshape(x, axis)

    # Inference (learning phase 0, the default): the moving statistics.
    infer = K.function([inp], [out])([x])[0]
    want = (x - mm.reshape(b)) / np.sqrt(mv.reshape(b) + eps) * gamma.reshape(b) + beta.reshape(b)
    np.testing.assert_allclose(infer, want, rtol=1e-10, atol=1e-10)

    # Training phase, with the layer's updates: batch statistics, then the
    # moving averages move towards them (unbiased variance, as Keras 2.3).
    f = K.function([inp, K.learning_phase()], [out], updates=layer.updates)
    train = f([x, 1])[0]
    mean, var = x.mean(axis=red), x.var(axis=red)
    want = (x - mean.reshape(b)) / np.sqrt(var.reshape(b) + eps) * gamma.reshape(b) + \
        beta.reshape(b)
    np.testing.assert_allclose(train, want, rtol=1e-10, atol=1e-10)
    n = np.prod([x.shape[i] for i in red])
    new_mean, new_var = K.get_value(layer.moving_mean), K.get_value(layer.moving_variance)
    np.testing.assert_allclose(new_mean, mm * momentum + mean * (1 - momentum), rtol=1e-12)
    np.testing.assert_allclose(new_var,
                               mv * momentum + var * n / (n - (1 + eps)) * (1 - momentum),
                               rtol=1e-12)
    # The trainable weights are untouched by the updates.
    np.testing.assert_array_equal(K.get_value(layer.gamma), gamma)
    np.testing.assert_array_equal(K.get_value(layer.beta), beta)

    # The learning phase fed as 0: inference output with the updated statistics.
    infer2 = f([x, 0])[0]
    want = (x - new_mean.reshape(b)) / np.sqrt(new_var.reshape(b) + eps) * gamma.reshape(b) + \
        beta.reshape(b)
    np.testing.assert_allclose(infer2, want, rtol=1e-10, atol=1e-10)


def test_unknown_reduced_dims_use_dynamic_sample_size():
    eps, momentum = 1e-3, 0.5
    layer = L.BatchNormalization(momentum=momentum, epsilon=eps, dtype='float64')
    inp = Input(batch_shape=(None, None, 3), dtype='float64')
    out = layer(inp)
    f = K.function([inp, K.learning_phase()], [out], updates=layer.updates)
    x = np.random.default_rng(1).standard_normal((2, 5, 3))
    f([x, 1])
    n = 10
    np.testing.assert_allclose(K.get_value(layer.moving_variance),
                               momentum + x.var(axis=(0, 1)) * n / (n - 1 - eps) * (1 - momentum),
                               rtol=1e-12)


def test_static_training_argument():
    x, layer, inp, _, (gamma, beta, mm, mv) = _setup(-1, (5, 3))
    eps = layer.epsilon
    n_updates = len(layer.updates)
    out_train = layer(inp, training=True)
    got = K.function([inp], [out_train])([x])[0]
    want = (x - x.mean(0)) / np.sqrt(x.var(0) + eps) * gamma + beta
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    # training=False: the moving statistics and no new updates.
    count = len(layer.updates)
    assert count == n_updates + 2
    out_test = layer(inp, training=False)
    assert len(layer.updates) == count
    got = K.function([inp, K.learning_phase()], [out_test])([x, 1])[0]
    np.testing.assert_allclose(got, (x - mm) / np.sqrt(mv + eps) * gamma + beta, rtol=1e-10)


def test_updates_are_per_input_and_dropped_when_frozen():
    layer = L.BatchNormalization()
    a, b = Input((3,)), Input((3,))
    layer(a)
    layer(b)
    assert len(layer.updates) == 4
    assert len(layer.get_updates_for(a)) == 2 and len(layer.get_updates_for(b)) == 2
    layer.trainable = False
    assert layer.updates == []
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 4


def test_gradient_through_training_output():
    """d(sum(gamma * normed))/dx is ~0 per channel: the batch statistics are
    differentiated through (a constant input shift changes nothing)."""
    x, layer, inp, _, _ = _setup(-1, (6, 3))
    out = layer(inp, training=True)
    g = K.function([inp], K.gradients(K.sum(out), [inp]))([x])[0]
    np.testing.assert_allclose(g, 0, atol=1e-8)
    gamma_grad = K.function([inp], K.gradients(K.sum(out * out), [layer.gamma]))([x])[0]
    assert np.all(np.abs(gamma_grad) > 1e-3)


def test_config():
    layer = L.BatchNormalization(axis=1, momentum=0.8, epsilon=1e-5, center=False,
                                 beta_regularizer='l2', gamma_constraint='non_neg')
    config = layer.get_config()
    assert set(config) == {'name', 'trainable', 'dtype', 'axis', 'momentum', 'epsilon',
                           'center', 'scale', 'beta_initializer', 'gamma_initializer',
                           'moving_mean_initializer', 'moving_variance_initializer',
                           'beta_regularizer', 'gamma_regularizer', 'beta_constraint',
                           'gamma_constraint'}
    assert config['axis'] == 1 and config['momentum'] == 0.8 and config['epsilon'] == 1e-5
    assert config['center'] is False and config['scale'] is True
    assert config['moving_variance_initializer']['class_name'] == 'Ones'
    clone = L.deserialize(L.serialize(layer))
    assert clone.get_config() == config
    default = L.BatchNormalization().get_config()
    assert (default['axis'], default['momentum'], default['epsilon']) == (-1, 0.99, 1e-3)


def test_regularizer_losses():
    layer = L.BatchNormalization(beta_regularizer='l2', gamma_regularizer='l1')
    layer(Input((3,)))
    assert len(layer.losses) == 2


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError):
        L.BatchNormalization(axis=1)(Input(batch_shape=(None, None, 4)))   # unknown axis dim
    with pytest.raises(ValueError):
        L.BatchNormalization(axis=3)(Input((4, 3)))                       # axis out of range
    with pytest.raises(ValueError):
        L.BatchNormalization(axis=[1, 2])
    layer = L.BatchNormalization()
    layer(Input((4, 3)))
    with pytest.raises(ValueError):
        layer(Input((4, 5)))
    with pytest.raises(ValueError):
        layer(Input((2, 4, 3)))


# -- a small conv model in both data formats -----------------------------------------------

def _conv_model(data_format):
    from kback.models import Sequential
    shape = (6, 6, 2) if data_format == 'channels_last' else (2, 6, 6)
    return Sequential([
        L.Conv2D(4, 3, padding='same', data_format=data_format, input_shape=shape),
        L.BatchNormalization(axis=-1 if data_format == 'channels_last' else 1),
        L.Activation('relu'),
        L.MaxPooling2D(data_format=data_format),
        L.Flatten(),
        L.Dense(3, activation='softmax'),
    ])


def test_conv_bn_model_same_in_both_formats():
    rng = np.random.default_rng(3)
    last = _conv_model('channels_last')
    first = _conv_model('channels_first')
    weights = last.get_weights()
    # Kernels, BN vectors: the same in both formats.  The Dense kernel reads
    # the flattened features in (h, w, c) vs (c, h, w) order.
    dense = weights[-2].reshape(3, 3, 4, 3).transpose(2, 0, 1, 3).reshape(36, 3)
    first.set_weights(weights[:-2] + [dense, weights[-1]])
    for layer in (last, first):
        bn = layer.layers[1]
        K.set_value(bn.moving_mean, rng.standard_normal(4))
        K.set_value(bn.moving_variance, rng.uniform(0.5, 2, 4))
        bn_weights = bn.get_weights()
        if layer is last:
            saved = bn_weights
        else:
            bn.set_weights(saved)

    x = rng.standard_normal((5, 6, 6, 2)).astype('float32')
    y = np.eye(3, dtype='float32')[rng.integers(0, 3, 5)]
    np.testing.assert_allclose(first.predict(x.transpose(0, 3, 1, 2)), last.predict(x),
                               rtol=1e-5, atol=1e-6)
    # Intermediate activations agree up to the transpose.
    conv_last = K.function([last.input], [last.layers[2].output])([x])[0]
    conv_first = K.function([first.input], [first.layers[2].output])([x.transpose(0, 3, 1, 2)])[0]
    np.testing.assert_allclose(conv_first, conv_last.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-5)

    for model, xin in ((last, x), (first, x.transpose(0, 3, 1, 2))):
        model.compile('sgd', 'categorical_crossentropy')
        before = model.get_weights()
        model.train_on_batch(xin, y)
        after = model.get_weights()
        assert all(np.all(np.isfinite(w)) for w in after)
        changed = [not np.array_equal(b, a) for b, a in zip(before, after)]
        assert all(changed), changed        # incl. the BN moving statistics
    # Both formats took the same step.
    np.testing.assert_allclose(first.layers[0].get_weights()[0], last.layers[0].get_weights()[0],
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(first.layers[1].get_weights()[2], last.layers[1].get_weights()[2],
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(first.predict(x.transpose(0, 3, 1, 2)), last.predict(x),
                               rtol=1e-4, atol=1e-5)
