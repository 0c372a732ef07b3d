import json

import numpy as np
import pytest

from kback import backend as K
from kback import layers, regularizers
from kback.layers import (Input, Dense, Activation, Dropout, Flatten, Reshape, Permute,
                          RepeatVector, Lambda, ActivityRegularization, Masking,
                          SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, InputLayer)
from tests.layers.layer_test import layer_test


def _fn(inputs, outputs, data, phase=None):
    ins = list(inputs) + ([K.learning_phase()] if phase is not None else [])
    feeds = list(data) + ([phase] if phase is not None else [])
    return K.function(ins, outputs)(feeds)


# -- Dense ----------------------------------------------------------------------

def test_dense_2d_matches_numpy():
    x = np.random.randn(3, 4).astype('float32')
    w = np.random.randn(4, 5).astype('float32')
    b = np.random.randn(5).astype('float32')
    out = layer_test(Dense, {'units': 5, 'activation': 'relu', 'weights': [w, b]},
                     input_data=x, expected_output_shape=(None, 5))
    np.testing.assert_allclose(out, np.maximum(x @ w + b, 0), rtol=1e-5, atol=1e-5)


def test_dense_3d_input_contracts_last_axis():
    x = np.random.randn(2, 3, 4).astype('float32')
    out = layer_test(Dense, {'units': 6, 'kernel_initializer': 'ones',
                             'bias_initializer': 'ones'},
                     input_data=x, expected_output_shape=(None, 3, 6))
    np.testing.assert_allclose(out, np.repeat(x.sum(-1, keepdims=True) + 1, 6, axis=-1),
                               rtol=1e-5, atol=1e-5)


def test_dense_fixed_batch_and_unknown_inner_dims():
    layer_test(Dense, {'units': 2}, input_shape=(3, 4), fixed_batch_size=True,
               expected_output_shape=(3, 2))
    layer_test(Dense, {'units': 2}, input_shape=(2, 5, 4))
    y = Dense(5)(Input(shape=(None, 4)))
    assert K.int_shape(y) == (None, None, 5)


def test_dense_options_and_config():
    layer_test(Dense, {'units': 3, 'use_bias': False, 'kernel_regularizer': 'l2',
                       'activity_regularizer': 'l1', 'kernel_constraint': 'max_norm',
                       'activation': 'tanh'}, input_shape=(2, 4))
    d = Dense(3, use_bias=False)
    d(Input(shape=(4,)))
    assert len(d.weights) == 1 and d.bias is None
    config = Dense(2, activation='sigmoid').get_config()
    for key in ('units', 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer',
                'kernel_regularizer', 'bias_regularizer', 'activity_regularizer',
                'kernel_constraint', 'bias_constraint', 'name', 'trainable'):
        assert key in config
    assert config['activation'] == 'sigmoid'
    assert config['kernel_initializer']['class_name'] == 'VarianceScaling'
    assert config['bias_initializer']['class_name'] == 'Zeros'


def test_dense_losses_from_regularizers():
    x = Input(shape=(3,))
    d = Dense(2, kernel_regularizer=regularizers.l2(0.5), activity_regularizer='l1',
              kernel_initializer='ones', bias_initializer='zeros')
    d(x)
    assert len(d.losses) == 2
    data = np.array([[1., -2., 3.]], dtype='float32')
    kernel_loss, act_loss = _fn([x], d.losses, [data])
    assert np.isclose(kernel_loss, 0.5 * 6)
    assert np.isclose(act_loss, 0.01 * 2 * abs(data.sum()))
    # Weight penalties are unconditional; the activity penalty belongs to the input.
    assert d.get_losses_for(None) == [d.losses[0]]
    assert d.get_losses_for([x]) == [d.losses[1]]


def test_dense_input_kwargs_and_spec():
    d = Dense(4, input_dim=7)
    assert d.batch_input_shape == (None, 7)
    d = Dense(4, input_shape=(5, 7))
    assert d.batch_input_shape == (None, 5, 7)
    d = Dense(4, batch_input_shape=(8, 7))
    assert d.batch_input_shape == (8, 7)
    assert Dense(4, input_shape=(7,), batch_size=16).batch_input_shape == (16, 7)
    assert Dense(2, input_dim=3).get_config()['batch_input_shape'] == (None, 3)
    d = Dense(2)
    d(Input(shape=(3,)))
    with pytest.raises(ValueError, match='axis -1'):
        d(Input(shape=(4,)))
    with pytest.raises(ValueError, match='min_ndim=2'):
        Dense(2)(Input(batch_shape=(3,)))


def test_unknown_kwarg_is_type_error():
    with pytest.raises(TypeError, match='bogus'):
        Dense(3, bogus=1)
    with pytest.raises(TypeError):
        Dropout(0.5, input_dims=3)


def test_layer_names_auto_increment():
    assert Dense(2).name == 'dense_1'
    assert Dense(2).name == 'dense_2'
    assert Activation('relu').name == 'activation_1'
    assert ActivityRegularization().name == 'activity_regularization_1'
    assert Dense(2, name='mine').name == 'mine'
    K.clear_session()
    assert Dense(2).name == 'dense_1'


def test_trainable_false_moves_weights():
    d = Dense(3, trainable=False)
    d(Input(shape=(2,)))
    assert d.trainable_weights == [] and len(d.non_trainable_weights) == 2
    d.trainable = True
    assert len(d.trainable_weights) == 2 and d.non_trainable_weights == []
    assert d.get_config()['trainable'] is True
    assert Dense(1, trainable=False).get_config()['trainable'] is False


def test_shared_layer_two_nodes():
    d = Dense(3)
    a, b = Input(shape=(4,)), Input(shape=(4,))
    ya, yb = d(a), d(b)
    assert len(d._inbound_nodes) == 2
    assert d.get_output_at(0) is ya and d.get_output_at(1) is yb
    assert d.get_input_at(1) is b
    assert d.get_output_shape_at(1) == (None, 3)
    assert d.output_shape == (None, 3)
    with pytest.raises(AttributeError):
        d.output
    data = np.random.randn(2, 4).astype('float32')
    out_a, out_b = _fn([a, b], [ya, yb], [data, data])
    np.testing.assert_allclose(out_a, out_b)
    assert len(d.weights) == 2


def test_set_weights_errors():
    d = Dense(3)
    d(Input(shape=(2,)))
    with pytest.raises(ValueError, match='expecting 2 weights'):
        d.set_weights([np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r'\(2, 3\)'):
        d.set_weights([np.zeros((3, 3)), np.zeros(3)])


# -- Activation, Dropout ------------------------------------------------------------

@pytest.mark.parametrize('name,ref', [
    ('relu', lambda x: np.maximum(x, 0)),
    ('tanh', np.tanh),
    ('sigmoid', lambda x: 1 / (1 + np.exp(-x))),
    ('linear', lambda x: x),
    ('softmax', lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
])
def test_activation(name, ref):
    x = np.random.randn(3, 4).astype('float32')
    out = layer_test(Activation, {'activation': name}, input_data=x)
    np.testing.assert_allclose(out, ref(x), rtol=1e-5, atol=1e-6)


def test_activation_callable_and_unknown():
    x = Input(shape=(2,))
    y = Activation(K.abs)(x)
    np.testing.assert_allclose(_fn([x], [y], [[[-1., 2.]]])[0], [[1., 2.]])
    with pytest.raises(ValueError):
        Activation('no_such_activation')


def test_dropout_phases_and_scaling():
    x = Input(shape=(1000,))
    y = Dropout(0.25, seed=3)(x)
    data = np.ones((4, 1000), dtype='float32')
    test_out = _fn([x], [y], [data], phase=0)[0]
    np.testing.assert_array_equal(test_out, data)
    train_out = _fn([x], [y], [data], phase=1)[0]
    kept = train_out != 0
    np.testing.assert_allclose(train_out[kept], 1 / 0.75, rtol=1e-6)
    assert 0.18 < 1 - kept.mean() < 0.32
    # Unfed learning phase means test.
    np.testing.assert_array_equal(K.function([x], [y])([data])[0], data)


def test_dropout_training_argument_and_noise_shape():
    x = Input(shape=(50, 40))
    y = Dropout(0.5, noise_shape=(None, 1, 40))(x, training=True)
    out = K.function([x], [y])([np.ones((3, 50, 40), 'float32')])[0]
    # The mask is shared along axis 1.
    assert np.all(out == out[:, :1, :])
    assert set(np.unique(out)) <= {0., 2.}
    y0 = Dropout(0.5)(x, training=False)
    data = np.random.randn(2, 50, 40).astype('float32')
    np.testing.assert_array_equal(K.function([x], [y0])([data])[0], data)


def test_dropout_layer_test_and_config():
    layer_test(Dropout, {'rate': 0.5}, input_shape=(3, 2))
    layer_test(Dropout, {'rate': 0.2, 'noise_shape': (None, 1), 'seed': 4},
               input_shape=(3, 2))
    config = Dropout(0.3, seed=1).get_config()
    assert (config['rate'], config['noise_shape'], config['seed']) == (0.3, None, 1)
    assert Dropout(1.5).rate == 1.0 and Dropout(-1).rate == 0.0


@pytest.mark.parametrize('cls,shape,fmt,shared', [
    (SpatialDropout1D, (2, 30, 8), None, (1,)),
    (SpatialDropout2D, (2, 6, 7, 8), 'channels_last', (1, 2)),
    (SpatialDropout2D, (2, 8, 6, 7), 'channels_first', (2, 3)),
    (SpatialDropout3D, (2, 3, 4, 5, 8), 'channels_last', (1, 2, 3)),
])
def test_spatial_dropout(cls, shape, fmt, shared):
    kwargs = {'rate': 0.5} if fmt is None else {'rate': 0.5, 'data_format': fmt}
    layer_test(cls, kwargs, input_shape=shape)
    x = Input(shape=shape[1:])
    y = cls(**kwargs)(x, training=True)
    out = K.function([x], [y])([np.ones(shape, 'float32')])[0]
    first = out[tuple(slice(None) if i not in shared else slice(0, 1)
                      for i in range(len(shape)))]
    assert np.all(out == first)


# -- Flatten, Reshape, Permute, RepeatVector ----------------------------------------

def test_flatten():
    x = np.random.randn(2, 3, 4, 5).astype('float32')
    out = layer_test(Flatten, {}, input_data=x, expected_output_shape=(None, 60))
    np.testing.assert_array_equal(out, x.reshape(2, -1))


def test_flatten_channels_first_orders_like_channels_last():
    x = np.random.randn(2, 3, 4, 5).astype('float32')       # (batch, C, H, W)
    out = layer_test(Flatten, {'data_format': 'channels_first'}, input_data=x,
                     expected_output_shape=(None, 60))
    np.testing.assert_array_equal(out, x.transpose(0, 2, 3, 1).reshape(2, -1))
    out = layer_test(Flatten, {}, input_data=x, data_format='channels_first')
    np.testing.assert_array_equal(out, x.transpose(0, 2, 3, 1).reshape(2, -1))
    assert Flatten().get_config()['data_format'] == 'channels_last'


def test_flatten_errors():
    with pytest.raises(ValueError, match='not fully defined'):
        Flatten()(Input(shape=(None, 3)))
    with pytest.raises(ValueError, match='min_ndim=3'):
        Flatten()(Input(shape=(3,)))


def test_reshape():
    x = np.random.randn(2, 3, 4).astype('float32')
    out = layer_test(Reshape, {'target_shape': (2, 6)}, input_data=x,
                     expected_output_shape=(None, 2, 6))
    np.testing.assert_array_equal(out, x.reshape(2, 2, 6))
    out = layer_test(Reshape, {'target_shape': (-1, 2)}, input_data=x,
                     expected_output_shape=(None, 6, 2))
    np.testing.assert_array_equal(out, x.reshape(2, 6, 2))
    out = layer_test(Reshape, {'target_shape': (3, -1, 2)}, input_data=x,
                     expected_output_shape=(None, 3, 2, 2))
    np.testing.assert_array_equal(out, x.reshape(2, 3, 2, 2))


def test_reshape_unknown_input_dims():
    x = Input(shape=(None, 4))
    y = Reshape((-1, 2))(x)
    assert K.int_shape(y) == (None, None, 2)
    out = K.function([x], [y])([np.arange(24, dtype='float32').reshape(2, 3, 4)])[0]
    np.testing.assert_array_equal(out, np.arange(24).reshape(2, 6, 2))


def test_reshape_errors():
    with pytest.raises(ValueError, match=r'total size.*\(3, 4\).*\(5, 2\)'):
        Reshape((5, 2))(Input(shape=(3, 4)))
    with pytest.raises(ValueError, match='total size'):
        Reshape((-1, 5))(Input(shape=(3, 4)))
    with pytest.raises(ValueError, match='one unknown'):
        Reshape((-1, -1))(Input(shape=(3, 4)))


def test_permute():
    x = np.random.randn(2, 3, 4, 5).astype('float32')
    out = layer_test(Permute, {'dims': (3, 1, 2)}, input_data=x,
                     expected_output_shape=(None, 5, 3, 4))
    np.testing.assert_array_equal(out, x.transpose(0, 3, 1, 2))
    with pytest.raises(ValueError, match='Invalid permutation'):
        Permute((0, 1))
    with pytest.raises(ValueError, match='ndim=3'):
        Permute((2, 1))(Input(shape=(2, 3, 4)))


def test_repeat_vector():
    x = np.random.randn(2, 3).astype('float32')
    out = layer_test(RepeatVector, {'n': 4}, input_data=x, expected_output_shape=(None, 4, 3))
    np.testing.assert_array_equal(out, np.repeat(x[:, None, :], 4, axis=1))


# -- Lambda ------------------------------------------------------------------------

def _double_shape(shape):
    return shape[:-1] + (shape[-1] * 2,)


def test_lambda_output_shape_function_and_arguments():
    x = np.random.randn(2, 3).astype('float32')

    def twice_concat(t, scale=1.0):
        return K.concatenate([t, t * scale], axis=-1)

    out = layer_test(Lambda, {'function': twice_concat, 'output_shape': _double_shape,
                              'arguments': {'scale': 3.0}},
                     input_data=x, expected_output_shape=(None, 6),
                     custom_objects={'twice_concat': twice_concat,
                                     '_double_shape': _double_shape})
    np.testing.assert_allclose(out, np.concatenate([x, 3 * x], axis=-1), rtol=1e-6)


def test_lambda_lambda_function_and_tuple_shape():
    x = np.random.randn(2, 3).astype('float32')
    out = layer_test(Lambda, {'function': lambda t: K.sum(t, axis=-1, keepdims=True) + 1,
                              'output_shape': (1,)},
                     input_data=x, expected_output_shape=(None, 1))
    np.testing.assert_allclose(out, x.sum(-1, keepdims=True) + 1, rtol=1e-5)


def test_lambda_inferred_shape():
    y = Lambda(lambda t: t[:, :2])(Input(shape=(5,)))
    assert K.int_shape(y) == (None, 2)
    layer = Lambda(lambda t: K.mean(t, axis=1))
    layer(Input(shape=(4, 3)))
    assert layer.output_shape == (None, 3)


def test_lambda_config_round_trip_through_json():
    offset = 2.5
    layer = Lambda(lambda t, p=2.0: K.pow(t, p) + offset, output_shape=lambda s: s,
                   arguments={'p': np.array(3.0)}, name='cube')
    config = layer.get_config()
    assert config['function_type'] == 'lambda' and config['output_shape_type'] == 'lambda'
    assert config['arguments'] == {'p': {'type': 'ndarray', 'value': 3.0}}
    restored = layers.deserialize(json.loads(json.dumps(layers.serialize(layer))))
    assert restored.name == 'cube' and isinstance(restored.arguments['p'], np.ndarray)
    x = Input(shape=(2,))
    out = K.function([x], [restored(x)])([np.array([[1., 2.]], 'float32')])[0]
    np.testing.assert_allclose(out, [[3.5, 10.5]])
    assert restored.compute_output_shape((None, 2)) == (None, 2)


def test_lambda_named_function_needs_custom_objects():
    def my_square(t):
        return t * t
    config = Lambda(my_square).get_config()
    assert config['function_type'] == 'lambda'        # Python functions are dumped as code
    # Other callables (here a numpy ufunc) are saved by name and looked up on load.
    config = Lambda(np.negative).get_config()
    assert config['function'] == 'negative' and config['function_type'] == 'function'
    with pytest.raises(ValueError, match='negative'):
        Lambda.from_config(config)
    restored = Lambda.from_config(config, custom_objects={'negative': K.abs})
    assert restored.function is K.abs


def test_lambda_multiple_inputs_and_bad_output_shape():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    y = Lambda(lambda ts: ts[0] - ts[1], output_shape=(3,))([a, b])
    assert K.int_shape(y) == (None, 3)
    out = K.function([a, b], [y])([np.ones((1, 3)), np.full((1, 3), 2.)])[0]
    np.testing.assert_array_equal(out, -np.ones((1, 3)))
    with pytest.raises(TypeError, match='output_shape'):
        Lambda(lambda t: t, output_shape=3)


# -- ActivityRegularization, Masking -------------------------------------------------

def test_activity_regularization():
    layer_test(ActivityRegularization, {'l1': 0.1, 'l2': 0.2}, input_shape=(2, 3))
    x = Input(shape=(3,))
    layer = ActivityRegularization(l1=0.1, l2=0.2)
    y = layer(x)
    data = np.array([[1., -2., 3.]], 'float32')
    out, loss = _fn([x], [y, layer.losses[0]], [data])
    np.testing.assert_array_equal(out, data)
    assert np.isclose(loss, 0.1 * 6 + 0.2 * 14)
    assert layer.get_config()['l1'] == 0.1


def test_masking():
    data = np.array([[[0., 0.], [1., 2.], [0., 3.]]], 'float32')
    out = layer_test(Masking, {'mask_value': 0.}, input_data=data)
    np.testing.assert_array_equal(out, data)
    x = Input(shape=(3, 2))
    m = Masking(mask_value=1.)
    mask = m.compute_mask(x)
    y = m(x)
    data2 = np.array([[[1., 1.], [1., 2.], [0., 3.]]], 'float32')
    out, mk = K.function([x], [y, mask])([data2])
    np.testing.assert_array_equal(out, data2 * np.array([0, 1, 1])[None, :, None])
    np.testing.assert_array_equal(mk, [[False, True, True]])


# -- kback.layers: serialize / deserialize ---------------------------------------------

def test_serialize_deserialize_all_core_layers():
    for layer in (Dense(3, activation='relu'), Activation('tanh'), Dropout(0.2),
                  Flatten(), Reshape((2, 3)), Permute((2, 1)), RepeatVector(2),
                  ActivityRegularization(l1=0.1), Masking()):
        config = layers.serialize(layer)
        restored = layers.deserialize(json.loads(json.dumps(config)))
        assert type(restored) is type(layer)
        assert json.loads(json.dumps(restored.get_config())) == \
            json.loads(json.dumps(layer.get_config()))


def test_deserialize_unknown_and_custom():
    with pytest.raises(ValueError, match='NoSuchLayer'):
        layers.deserialize({'class_name': 'NoSuchLayer', 'config': {}})

    class MyLayer(layers.Layer):
        pass
    restored = layers.deserialize({'class_name': 'MyLayer', 'config': {'name': 'm'}},
                                  custom_objects={'MyLayer': MyLayer})
    assert isinstance(restored, MyLayer) and restored.name == 'm'


def test_deserialize_nested_models():
    from kback.models import Model, Sequential
    seq = Sequential([Dense(3, input_dim=4), Dense(2)])
    restored = layers.deserialize(json.loads(json.dumps(layers.serialize(seq))))
    assert type(restored) is Sequential and len(restored.layers) == 2
    x = Input(shape=(4,))
    model = Model(x, Dense(2)(Dense(3)(x)))
    restored = layers.deserialize(json.loads(json.dumps(layers.serialize(model))))
    assert type(restored) is Model and len(restored.layers) == len(model.layers)


def test_exports():
    for name in ('Input', 'InputLayer', 'InputSpec', 'Layer', 'Dense', 'Add', 'LeakyReLU',
                 'concatenate', 'serialize', 'deserialize'):
        assert hasattr(layers, name)
    assert layers.InputLayer is InputLayer
