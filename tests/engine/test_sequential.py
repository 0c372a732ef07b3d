"""Sequential: add/pop, deferred build, layers/inputs/outputs, predict_classes."""
import numpy as np
import pytest

from kback import backend as K
from kback.layers import Input, InputLayer, Dense, Activation, Dropout
from kback.models import Model, Sequential


def test_layers_excludes_input_layer_and_inputs_outputs():
    model = Sequential([Dense(4, input_shape=(3,)), Activation('relu'), Dense(2)])
    assert [type(l).__name__ for l in model.layers] == ['Dense', 'Activation', 'Dense']
    assert len(model.inputs) == 1 and len(model.outputs) == 1
    assert K.int_shape(model.inputs[0]) == (None, 3)
    assert K.int_shape(model.outputs[0]) == (None, 2)
    assert model.input_shape == (None, 3)
    assert model.output_shape == (None, 2)
    assert model.built


def test_add_input_layer_then_layers():
    model = Sequential()
    model.add(InputLayer(input_shape=(5,)))
    model.add(Dense(2))
    assert len(model.layers) == 1
    assert model.output_shape == (None, 2)
    x = np.random.rand(3, 5)
    w, b = model.layers[0].get_weights()
    np.testing.assert_allclose(model.predict(x), x @ w + b, rtol=1e-5, atol=1e-6)


def test_input_dim_and_batch_input_shape():
    m1 = Sequential([Dense(2, input_dim=7)])
    assert m1.input_shape == (None, 7)
    m2 = Sequential([Dense(2, batch_input_shape=(4, 7))])
    assert m2.input_shape == (4, 7)


def test_pop():
    model = Sequential([Dense(4, input_shape=(3,)), Dense(5), Dense(2)])
    model.pop()
    assert len(model.layers) == 2
    assert model.output_shape == (None, 5)
    x = np.random.rand(2, 3)
    assert model.predict(x).shape == (2, 5)
    model.add(Dense(6))
    assert model.output_shape == (None, 6)
    assert model.predict(x).shape == (2, 6)
    model.pop()
    model.pop()
    model.pop()
    with pytest.raises(TypeError, match='no layers'):
        model.pop()


def test_deferred_build_until_fit():
    model = Sequential()
    model.add(Dense(4, activation='relu'))
    model.add(Dense(1))
    assert not model.built
    assert model.weights == []
    assert model.inputs == []
    model.compile('sgd', 'mse')
    x, y = np.random.rand(8, 6), np.random.rand(8, 1)
    model.fit(x, y, epochs=1, verbose=0)
    assert model.built
    assert model.input_shape == (None, 6)
    assert len(model.weights) == 4
    assert model.predict(x).shape == (8, 1)


def test_deferred_build_explicit():
    model = Sequential([Dense(3)])
    model.build((None, 4))
    assert model.built and model.output_shape == (None, 3)
    assert model.count_params() == 15


def test_summary_of_unbuilt_model_raises():
    model = Sequential([Dense(3)])
    with pytest.raises(ValueError, match='not yet been built'):
        model.summary()


def test_add_rejects_non_layers_and_multi_output():
    model = Sequential()
    with pytest.raises(TypeError, match='instance of class Layer'):
        model.add('dense')


def test_sequential_add_model():
    inner = Sequential([Dense(3, input_shape=(2,))])
    outer = Sequential()
    outer.add(inner)
    outer.add(Dense(1))
    assert outer.input_shape == (None, 2)
    assert outer.predict(np.zeros((2, 2))).shape == (2, 1)


def test_predict_classes_and_proba():
    model = Sequential([Dense(3, input_shape=(4,), activation='softmax')])
    x = np.random.rand(6, 4)
    proba = model.predict_proba(x)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(model.predict_classes(x), proba.argmax(axis=-1))
    binary = Sequential([Dense(1, input_shape=(4,), activation='sigmoid')])
    classes = binary.predict_classes(x)
    assert classes.shape == (6, 1) and classes.dtype == np.int32
    np.testing.assert_array_equal(classes, (binary.predict(x) > 0.5).astype('int32'))


def test_config_round_trip():
    model = Sequential([Dense(4, input_shape=(3,), activation='tanh'), Dropout(0.5), Dense(2)],
                       name='seq')
    config = model.get_config()
    assert config['name'] == 'seq'
    assert [c['class_name'] for c in config['layers']] == ['Dense', 'Dropout', 'Dense']
    assert config['layers'][0]['config']['batch_input_shape'] == (None, 3)
    clone = Sequential.from_config(config)
    clone.set_weights(model.get_weights())
    x = np.random.rand(4, 3)
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)
    from kback.models import model_from_json
    again = model_from_json(model.to_json())
    assert isinstance(again, Sequential)
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(again.predict(x), model.predict(x), rtol=1e-6)


def test_dropout_only_in_training():
    model = Sequential([Dropout(0.5, input_shape=(100,))])
    x = np.ones((4, 100))
    np.testing.assert_array_equal(model.predict(x), x)
    model.compile('sgd', 'mse')
    # with a Dense in front, training changes the weights; here just check
    # that evaluate (test phase) gives a zero loss for identity targets
    assert model.evaluate(x, x, verbose=0) == pytest.approx(0.0)


def test_functional_model_built_on_sequential_output():
    model = Sequential([Dense(4, input_shape=(3,)), Dense(2)])
    head = Dense(1)(model.output)
    combined = Model(model.input, head)
    assert combined.predict(np.zeros((1, 3))).shape == (1, 1)
    assert len(combined.layers) == 4      # InputLayer + 3 Dense
