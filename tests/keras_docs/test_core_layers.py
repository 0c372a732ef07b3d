"""Docstring examples of Keras 2.3's core, merge, conv/pooling-shape layers and
the "About Keras layers" page."""
import numpy as np
import pytest

import kback
from kback import backend as K
from kback.layers import (Input, Dense, Activation, Dropout, Flatten, Reshape, Permute,
                          RepeatVector, Lambda, ActivityRegularization, Masking, Conv2D,
                          Cropping2D, Cropping1D, ZeroPadding2D, UpSampling2D, UpSampling1D,
                          MaxPooling2D, AveragePooling1D, GlobalMaxPooling2D, Conv2DTranspose,
                          Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot,
                          BatchNormalization, Embedding, LeakyReLU, PReLU, ELU, ThresholdedReLU,
                          Softmax, ReLU, SpatialDropout1D, GaussianNoise)
import kback.layers
from kback.models import Sequential, Model


def test_about_layers_common_methods():
    layer = Dense(32, input_shape=(16,))
    config = layer.get_config()
    assert config['units'] == 32 and config['name'] == layer.name
    assert config['batch_input_shape'] == (None, 16)
    reconstructed = Dense.from_config(config)
    assert reconstructed.units == 32
    model = Sequential([layer])
    assert layer.input_shape == (None, 16)
    assert layer.output_shape == (None, 32)
    assert K.int_shape(layer.input) == (None, 16)
    weights = layer.get_weights()
    assert [w.shape for w in weights] == [(16, 32), (32,)]
    layer.set_weights([np.ones((16, 32)), np.zeros(32)])
    np.testing.assert_array_equal(layer.get_weights()[0], np.ones((16, 32)))
    from kback import layers
    config = layers.serialize(layer)
    assert config['class_name'] == 'Dense'
    new_layer = layers.deserialize(config)
    assert isinstance(new_layer, Dense) and new_layer.units == 32
    assert model.output_shape == (None, 32)


def test_dense_config_keys():
    config = Dense(4).get_config()
    for key in ['units', 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer',
                'kernel_regularizer', 'bias_regularizer', 'activity_regularizer',
                'kernel_constraint', 'bias_constraint']:
        assert key in config
    assert config['activation'] == 'linear'
    assert config['kernel_initializer']['class_name'] == 'VarianceScaling'
    assert config['bias_initializer'] == {'class_name': 'Zeros', 'config': {}}


def test_dense_higher_rank_input():
    model = Sequential()
    model.add(Dense(32, input_shape=(16,)))
    model.add(Dense(32))
    assert model.output_shape == (None, 32)
    x = Input(shape=(5, 16))
    assert K.int_shape(Dense(8)(x)) == (None, 5, 8)


def test_reshape_examples():
    model = Sequential()
    model.add(Reshape((3, 4), input_shape=(12,)))
    assert model.output_shape == (None, 3, 4)
    model.add(Reshape((6, 2)))
    assert model.output_shape == (None, 6, 2)
    model.add(Reshape((-1, 2, 2)))
    assert model.output_shape == (None, 3, 2, 2)
    x = np.arange(24, dtype='float32').reshape(2, 12)
    np.testing.assert_array_equal(model.predict(x), x.reshape(2, 3, 2, 2))
    with pytest.raises(ValueError):
        Sequential([Reshape((5, -1), input_shape=(12,))])
    with pytest.raises(ValueError):
        Sequential([Reshape((5, 2), input_shape=(12,))])


def test_permute_example():
    model = Sequential()
    model.add(Permute((2, 1), input_shape=(10, 64)))
    assert model.output_shape == (None, 64, 10)
    x = np.random.random((2, 3, 4, 5))
    m = Sequential([Permute((3, 1, 2), input_shape=(3, 4, 5))])
    np.testing.assert_allclose(m.predict(x), x.transpose(0, 3, 1, 2), rtol=1e-6)


def test_repeat_vector_example():
    model = Sequential()
    model.add(Dense(32, input_dim=32))
    assert model.output_shape == (None, 32)
    model.add(RepeatVector(3))
    assert model.output_shape == (None, 3, 32)
    out = model.predict(np.random.random((2, 32)))
    np.testing.assert_allclose(out[:, 0], out[:, 2])


def test_lambda_examples():
    model = Sequential([Lambda(lambda x: x ** 2, input_shape=(3,))])
    x = np.array([[1., -2., 3.]])
    np.testing.assert_allclose(model.predict(x), x ** 2)

    def antirectifier(x):
        x -= K.mean(x, axis=1, keepdims=True)
        x = K.l2_normalize(x, axis=1)
        pos = K.relu(x)
        neg = K.relu(-x)
        return K.concatenate([pos, neg], axis=1)

    def antirectifier_output_shape(input_shape):
        shape = list(input_shape)
        assert len(shape) == 2
        shape[-1] *= 2
        return tuple(shape)

    model = Sequential([Dense(4, input_shape=(3,)),
                        Lambda(antirectifier, output_shape=antirectifier_output_shape)])
    assert model.output_shape == (None, 8)
    assert model.predict(np.random.random((2, 3))).shape == (2, 8)
    # output_shape as a tuple (without the batch axis)
    lam = Lambda(lambda x: K.concatenate([x, x]), output_shape=(6,))
    y = lam(Input(shape=(3,)))
    assert lam.output_shape == (None, 6)
    # arguments
    lam = Lambda(lambda x, k: x * k, arguments={'k': 3.})
    m = Sequential([Dense(2, input_dim=2, kernel_initializer='identity', use_bias=False), lam])
    np.testing.assert_allclose(m.predict(np.array([[1., 2.]])), [[3., 6.]])
    del y


def test_lambda_hadamard_of_two_inputs():
    def hadamard_product_sum(tensors):
        out1 = tensors[0] * tensors[1]
        out2 = K.sum(out1, axis=-1)
        return [out1, out2]

    def hadamard_product_sum_output_shape(input_shapes):
        shape1 = list(input_shapes[0])
        shape2 = list(input_shapes[1])
        assert shape1 == shape2
        return [tuple(shape1), tuple(shape2[:-1])]

    x1 = Input(shape=(4,))
    x2 = Input(shape=(4,))
    layer = Lambda(hadamard_product_sum, hadamard_product_sum_output_shape)
    x_hadamard, x_sum = layer([x1, x2])
    assert K.int_shape(x_hadamard) == (None, 4)
    assert K.int_shape(x_sum) == (None,)
    model = Model([x1, x2], [x_hadamard, x_sum])
    a, b = np.random.random((2, 4)), np.random.random((2, 4))
    h, s = model.predict([a, b])
    np.testing.assert_allclose(h, a * b, rtol=1e-6)
    np.testing.assert_allclose(s, (a * b).sum(-1), rtol=1e-6)


def test_flatten_data_format():
    model = Sequential()
    model.add(Conv2D(4, (3, 3), input_shape=(3, 8, 8), padding='same',
                     data_format='channels_first'))
    assert model.output_shape == (None, 4, 8, 8)
    model.add(Flatten())
    assert model.output_shape == (None, 256)
    x = np.random.random((2, 3, 4, 5)).astype('float32')
    first = Sequential([Flatten(data_format='channels_first', input_shape=(3, 4, 5))])
    np.testing.assert_allclose(first.predict(x), x.transpose(0, 2, 3, 1).reshape(2, -1))
    last = Sequential([Flatten(input_shape=(3, 4, 5))])
    np.testing.assert_allclose(last.predict(x), x.reshape(2, -1))
    assert Flatten(data_format='channels_first').get_config()['data_format'] == \
        'channels_first'


def test_activity_regularization_adds_loss():
    model = Sequential([Dense(2, input_dim=2, kernel_initializer='ones', use_bias=False),
                        ActivityRegularization(l1=0.1, l2=0.)])
    model.compile('sgd', 'mse')
    x = np.array([[1., 1.]])
    loss = model.evaluate(x, np.array([[2., 2.]]), verbose=0)
    np.testing.assert_allclose(loss, 0.1 * 4, rtol=1e-5)


def test_masking_mask():
    layer = Masking(mask_value=0., input_shape=(3, 2))
    x = Input(shape=(3, 2))
    y = layer(x)
    mask = layer.compute_mask(x)
    f = K.function([x], [y, mask])
    data = np.array([[[1., 2.], [0., 0.], [3., 0.]]])
    out, m = f([data])
    np.testing.assert_array_equal(m, [[True, False, True]])
    np.testing.assert_array_equal(out, data)


def test_merge_add_subtract_examples():
    input1 = Input(shape=(16,))
    x1 = Dense(8, activation='relu')(input1)
    input2 = Input(shape=(32,))
    x2 = Dense(8, activation='relu')(input2)
    added = Add()([x1, x2])
    out = Dense(4)(added)
    model = Model(inputs=[input1, input2], outputs=out)
    assert model.output_shape == (None, 4)
    subtracted = Subtract()([x1, x2])
    assert K.int_shape(subtracted) == (None, 8)
    with pytest.raises(ValueError):
        Subtract()([x1, x2, x1])
    a, b = Input(shape=(3,)), Input(shape=(3,))
    m = Model([a, b], [Multiply()([a, b]), Average()([a, b]), Maximum()([a, b]),
                       Minimum()([a, b]), kback.layers.subtract([a, b])])
    u, v = np.random.random((2, 3)), np.random.random((2, 3))
    outs = m.predict([u, v])
    for got, want in zip(outs, [u * v, (u + v) / 2, np.maximum(u, v), np.minimum(u, v),
                                 u - v]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_concatenate_and_dot():
    a, b = Input(shape=(3, 4)), Input(shape=(3, 5))
    assert K.int_shape(Concatenate()([a, b])) == (None, 3, 9)
    assert K.int_shape(Concatenate(axis=1)([a, a])) == (None, 6, 4)
    with pytest.raises(ValueError):
        Concatenate(axis=1)([a, b])
    c, d = Input(shape=(4,)), Input(shape=(4,))
    dot = Dot(axes=1)([c, d])
    assert K.int_shape(dot) == (None, 1)
    cos = Dot(axes=1, normalize=True)([c, d])
    m = Model([c, d], [dot, cos])
    u, v = np.random.random((2, 4)), np.random.random((2, 4))
    got_dot, got_cos = m.predict([u, v])
    np.testing.assert_allclose(got_dot[:, 0], (u * v).sum(1), rtol=1e-5)
    want = (u * v).sum(1) / np.linalg.norm(u, axis=1) / np.linalg.norm(v, axis=1)
    np.testing.assert_allclose(got_cos[:, 0], want, rtol=1e-5)
    e, f = Input(shape=(3, 4)), Input(shape=(5, 4))
    assert K.int_shape(Dot(axes=(2, 2))([e, f])) == (None, 3, 5)
    assert K.int_shape(kback.layers.dot([e, f], axes=2)) == (None, 3, 5)


def test_cropping_examples():
    model = Sequential()
    model.add(Cropping2D(cropping=((2, 2), (4, 4)), input_shape=(28, 28, 3)))
    assert model.output_shape == (None, 24, 20, 3)
    model.add(Conv2D(4, (3, 3), padding='same'))
    model.add(Cropping2D(cropping=((2, 2), (2, 2))))
    assert model.output_shape == (None, 20, 16, 4)
    m = Sequential([Cropping1D(cropping=(1, 2), input_shape=(10, 3))])
    assert m.output_shape == (None, 7, 3)
    x = np.random.random((1, 10, 3))
    np.testing.assert_allclose(m.predict(x), x[:, 1:8], rtol=1e-6)


def test_padding_upsampling_pooling_shapes():
    x = Input(shape=(5, 6, 2))
    assert K.int_shape(ZeroPadding2D(padding=(1, 2))(x)) == (None, 7, 10, 2)
    assert K.int_shape(ZeroPadding2D(padding=((1, 0), (2, 3)))(x)) == (None, 6, 11, 2)
    assert K.int_shape(UpSampling2D(size=(2, 3))(x)) == (None, 10, 18, 2)
    assert K.int_shape(MaxPooling2D()(x)) == (None, 2, 3, 2)
    assert K.int_shape(MaxPooling2D(padding='same')(x)) == (None, 3, 3, 2)
    assert K.int_shape(GlobalMaxPooling2D()(x)) == (None, 2)
    assert K.int_shape(Conv2DTranspose(3, (3, 3), strides=(2, 2))(x)) == (None, 11, 13, 3)
    assert K.int_shape(Conv2DTranspose(3, (3, 3), strides=(2, 2), padding='same')(x)) == \
        (None, 10, 12, 3)
    s = Input(shape=(6, 4))
    assert K.int_shape(UpSampling1D(size=3)(s)) == (None, 18, 4)
    assert K.int_shape(AveragePooling1D(pool_size=2)(s)) == (None, 3, 4)
    ups = Sequential([UpSampling2D(size=(2, 2), interpolation='bilinear',
                                   input_shape=(2, 2, 1))])
    assert ups.output_shape == (None, 4, 4, 1)


def test_embedding_docstring_example():
    model = Sequential()
    model.add(Embedding(1000, 64, input_length=10))
    input_array = np.random.randint(1000, size=(32, 10))
    model.compile('rmsprop', 'mse')
    output_array = model.predict(input_array)
    assert output_array.shape == (32, 10, 64)


def test_advanced_activations_values():
    x = np.array([[-2., -0.5, 0., 0.5, 2.]], dtype='float32')
    cases = [(LeakyReLU(alpha=0.3), np.where(x > 0, x, 0.3 * x)),
             (ELU(alpha=1.0), np.where(x > 0, x, np.exp(x) - 1)),
             (ThresholdedReLU(theta=1.0), np.where(x > 1, x, 0)),
             (ReLU(max_value=1.), np.clip(x, 0, 1)),
             (ReLU(negative_slope=0.1, threshold=0.), np.where(x > 0, x, 0.1 * x)),
             (Softmax(), np.exp(x) / np.exp(x).sum()),
             (PReLU(), np.maximum(x, 0))]
    for layer, want in cases:
        m = Sequential([layer], ) if False else None
        inp = Input(shape=(5,))
        m = Model(inp, layer(inp))
        np.testing.assert_allclose(m.predict(x), want, rtol=1e-5, atol=1e-6)
    assert LeakyReLU().get_config()['alpha'] == pytest.approx(0.3)


def test_batchnorm_defaults_and_inference():
    bn = BatchNormalization()
    config = bn.get_config()
    assert config['axis'] == -1 and config['momentum'] == 0.99
    assert config['epsilon'] == 1e-3 and config['center'] and config['scale']
    model = Sequential([BatchNormalization(input_shape=(3,))])
    assert [w.name.split('/')[-1].split(':')[0] for w in model.layers[0].weights] == \
        ['gamma', 'beta', 'moving_mean', 'moving_variance']
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    x = np.random.random((4, 3)).astype('float32')
    np.testing.assert_allclose(model.predict(x), x / np.sqrt(1 + 1e-3), rtol=1e-5)


def test_dropout_and_noise_only_in_training():
    model = Sequential([Dropout(0.5, input_shape=(100,)), GaussianNoise(1.),
                        SpatialDropout1D(0.5, input_shape=(4, 25))][:2])
    x = np.ones((3, 100), dtype='float32')
    np.testing.assert_array_equal(model.predict(x), x)
    f = K.function([model.input, K.learning_phase()], [model.layers[0].output])
    out = f([x, 1])[0]
    assert set(np.unique(out)) <= {0., 2.}
