"""Functional API: graphs, shared layers, nested models, get_layer, config
round trips (Keras 2.3 engine/network.py behaviour)."""
import json

import numpy as np
import pytest

import kback
from kback import backend as K
from kback.layers import Input, Dense, Concatenate, Add, Activation
from kback.models import Model, Sequential, model_from_json, model_from_config


def _np_dense(x, layer, act=None):
    w, b = layer.get_weights()
    y = x @ w + b
    return np.maximum(y, 0) if act == 'relu' else y


def two_in_two_out():
    a = Input(shape=(3,), name='in_a')
    b = Input(shape=(2,), name='in_b')
    h = Dense(4, activation='relu', name='hidden')(a)
    x = Concatenate(name='concat')([h, b])
    out1 = Dense(2, name='out1')(x)
    out2 = Dense(1, name='out2')(x)
    return Model(inputs=[a, b], outputs=[out1, out2])


def test_multi_io_attributes_and_predict():
    model = two_in_two_out()
    assert model.input_names == ['in_a', 'in_b']
    assert model.output_names == ['out1', 'out2']
    assert [l.name for l in model.layers] == ['in_a', 'hidden', 'in_b', 'concat', 'out1', 'out2']
    assert len(model.inputs) == 2 and len(model.outputs) == 2
    xa, xb = np.random.rand(5, 3), np.random.rand(5, 2)
    p1, p2 = model.predict([xa, xb])
    h = _np_dense(xa, model.get_layer('hidden'), 'relu')
    x = np.concatenate([h, xb], axis=1)
    np.testing.assert_allclose(p1, _np_dense(x, model.get_layer('out1')), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(p2, _np_dense(x, model.get_layer('out2')), rtol=1e-5, atol=1e-6)
    # dict input keyed by input name
    q1, q2 = model.predict({'in_a': xa, 'in_b': xb})
    np.testing.assert_allclose(q1, p1)


def test_get_layer_by_name_and_index_and_errors():
    model = two_in_two_out()
    assert model.get_layer('concat').name == 'concat'
    assert model.get_layer(index=1).name == 'hidden'
    with pytest.raises(ValueError, match='No such layer: nope'):
        model.get_layer('nope')
    with pytest.raises(ValueError, match='index 10'):
        model.get_layer(index=10)
    with pytest.raises(ValueError):
        model.get_layer()


def test_shared_layer_called_twice():
    a, b = Input((4,)), Input((4,))
    shared = Dense(3, name='shared')
    out = Add()([shared(a), shared(b)])
    model = Model([a, b], out)
    assert len(shared._inbound_nodes) == 2
    assert len(model.trainable_weights) == 2          # counted once
    assert model.count_params() == 15
    xa, xb = np.random.rand(2, 4), np.random.rand(2, 4)
    expected = _np_dense(xa, shared) + _np_dense(xb, shared)
    np.testing.assert_allclose(model.predict([xa, xb]), expected, rtol=1e-5, atol=1e-6)
    assert shared.get_output_at(0) is not shared.get_output_at(1)
    assert shared.get_input_shape_at(1) == (None, 4)
    with pytest.raises(AttributeError, match='multiple inbound nodes'):
        shared.output
    assert shared.output_shape == (None, 3)           # same on both nodes


def test_nested_model_as_layer():
    inner_in = Input((3,))
    inner = Model(inner_in, Dense(2, name='inner_dense')(inner_in), name='inner')
    x = Input((3,))
    y = Dense(1, name='head')(inner(x))
    outer = Model(x, y)
    assert [l.name for l in outer.layers][1] == 'inner'
    assert len(outer.trainable_weights) == 4
    data = np.random.rand(4, 3)
    expected = _np_dense(_np_dense(data, inner.get_layer('inner_dense')), outer.get_layer('head'))
    np.testing.assert_allclose(outer.predict(data), expected, rtol=1e-5, atol=1e-6)
    # the inner model is shared, not copied: training the outer one changes it
    outer.compile('sgd', 'mse')
    before = inner.get_weights()[0].copy()
    outer.train_on_batch(data, np.ones((4, 1)))
    assert not np.allclose(before, inner.get_weights()[0])


def test_sequential_inside_functional():
    seq = Sequential([Dense(4, activation='relu', input_shape=(3,)), Dense(2)])
    x = Input((3,))
    y = Dense(1)(seq(x))
    model = Model(x, y)
    data = np.random.rand(5, 3)
    h = _np_dense(_np_dense(data, seq.layers[0], 'relu'), seq.layers[1])
    np.testing.assert_allclose(model.predict(data), _np_dense(h, model.layers[-1]),
                               rtol=1e-5, atol=1e-6)
    clone = model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(data), model.predict(data), rtol=1e-6)
    assert type(clone.layers[1]).__name__ == 'Sequential'


def test_graph_disconnected():
    a, b = Input((2,)), Input((2,))
    out = Add()([Dense(2)(a), Dense(2)(b)])
    with pytest.raises(ValueError, match='Graph disconnected'):
        Model(a, out)


def test_model_inputs_must_be_input_tensors():
    a = Input((2,))
    h = Dense(2)(a)
    with pytest.raises(ValueError, match='Input'):
        Model(h, Dense(1)(h))


def test_duplicate_layer_names_rejected():
    a = Input((2,))
    with pytest.raises(ValueError, match='unique'):
        Model(a, Dense(2, name='d')(Dense(2, name='d')(a)))


def test_config_round_trip_multi_io():
    model = two_in_two_out()
    config = model.get_config()
    assert config['input_layers'] == [['in_a', 0, 0], ['in_b', 0, 0]]
    assert config['output_layers'] == [['out1', 0, 0], ['out2', 0, 0]]
    concat = [l for l in config['layers'] if l['name'] == 'concat'][0]
    assert concat['class_name'] == 'Concatenate'
    assert [n[0] for n in concat['inbound_nodes'][0]] == ['hidden', 'in_b']
    clone = Model.from_config(config)
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    clone.set_weights(model.get_weights())
    xs = [np.random.rand(3, 3), np.random.rand(3, 2)]
    for p, q in zip(model.predict(xs), clone.predict(xs)):
        np.testing.assert_allclose(p, q, rtol=1e-6)


def test_to_json_and_model_from_json():
    model = two_in_two_out()
    text = model.to_json()
    parsed = json.loads(text)
    assert parsed['class_name'] == 'Model'
    assert 'keras_version' in parsed and parsed['backend']
    clone = model_from_json(text)
    clone.set_weights(model.get_weights())
    xs = [np.random.rand(3, 3), np.random.rand(3, 2)]
    np.testing.assert_allclose(model.predict(xs)[1], clone.predict(xs)[1], rtol=1e-6)
    assert model_from_config(json.loads(text)).count_params() == model.count_params()


def test_config_round_trip_shared_layer_and_nested():
    inner_in = Input((3,))
    inner = Model(inner_in, Dense(3, name='inner_dense')(inner_in), name='inner')
    a, b = Input((3,)), Input((3,))
    model = Model([a, b], Add()([inner(a), inner(b)]))
    clone = model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    assert len(clone.get_layer('inner')._inbound_nodes) == 3   # its own node + two calls
    xs = [np.random.rand(2, 3), np.random.rand(2, 3)]
    np.testing.assert_allclose(clone.predict(xs), model.predict(xs), rtol=1e-6)


def test_model_call_on_new_input_reuses_weights():
    x = Input((3,))
    model = Model(x, Dense(2)(x))
    y = Input((3,))
    out = model(y)
    assert K.int_shape(out) == (None, 2)
    twin = Model(y, out)
    data = np.random.rand(2, 3)
    np.testing.assert_allclose(twin.predict(data), model.predict(data))
    assert model.compute_output_shape((None, 3)) == (None, 2)


def test_weights_and_trainable_flag():
    model = two_in_two_out()
    assert len(model.weights) == 6
    model.get_layer('hidden').trainable = False
    assert len(model.trainable_weights) == 4
    assert len(model.non_trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == []
    assert len(model.non_trainable_weights) == 6
    with pytest.raises(ValueError, match='expecting 6 weights'):
        model.set_weights(model.get_weights()[:5])


def test_set_weights_wrong_shape_names_shapes():
    model = two_in_two_out()
    weights = model.get_weights()
    weights[0] = np.zeros((5, 4))
    with pytest.raises(ValueError, match=r'\(3, 4\).*\(5, 4\)'):
        model.set_weights(weights)


def test_public_namespaces():
    assert kback.layers.Dense is Dense
    assert kback.models.Sequential is Sequential
    assert hasattr(kback.optimizers, 'SGD')
    assert hasattr(kback.losses, 'mean_squared_error')
    assert hasattr(kback.callbacks, 'History')
    assert hasattr(kback.utils, 'Sequence')
    assert kback.engine.Layer is kback.layers.Layer
