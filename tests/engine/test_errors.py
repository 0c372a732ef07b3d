"""Bad input: each error names what was expected and what came."""
import numpy as np
import pytest

from kback.layers import Input, Dense
from kback.models import Model, Sequential

from .helpers import linear_model, two_output_model


def test_wrong_input_shape_for_built_model():
    model = linear_model(3, 1)
    model.compile('sgd', 'mse')
    with pytest.raises(ValueError, match=r'expected dense_\d+_input to have shape \(3,\) but '
                                         r'got array with shape \(5, 4\)'):
        model.predict(np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r'to have 2 dimensions, but got array with shape '
                                         r'\(5, 3, 1\)'):
        model.fit(np.zeros((5, 3, 1)), np.zeros((5, 1)), verbose=0)


def test_wrong_number_of_input_arrays():
    model = two_output_model()
    model.compile('sgd', ['categorical_crossentropy', 'mse'])
    with pytest.raises(ValueError, match='Expected to see 2 array'):
        model.fit(np.zeros((4, 3)), [np.zeros((4, 2))], verbose=0)
    with pytest.raises(ValueError, match='dense_3'):
        model.fit(np.zeros((4, 3)), {'dense_2': np.zeros((4, 2))}, verbose=0)


def test_y_of_wrong_length():
    model = linear_model()
    model.compile('sgd', 'mse')
    with pytest.raises(ValueError, match='Found 10 input samples and 8 target samples'):
        model.fit(np.zeros((10, 3)), np.zeros((8, 1)), verbose=0)
    with pytest.raises(ValueError, match='sample_weight'):
        model.fit(np.zeros((10, 3)), np.zeros((10, 1)), sample_weight=np.ones(9), verbose=0)


def test_unknown_names():
    model = linear_model()
    with pytest.raises(ValueError, match='nope_loss'):
        model.compile('sgd', 'nope_loss')
    with pytest.raises(ValueError, match='nope_opt'):
        model.compile('nope_opt', 'mse')
    with pytest.raises(ValueError, match='nope_metric'):
        model.compile('sgd', 'mse', metrics=['nope_metric'])
    with pytest.raises(ValueError, match='nope_act'):
        Dense(2, activation='nope_act')
    with pytest.raises(ValueError, match='nope_init'):
        Dense(2, kernel_initializer='nope_init')


def test_fit_before_compile():
    model = linear_model()
    for call in (lambda: model.fit(np.zeros((2, 3)), np.zeros((2, 1)), verbose=0),
                 lambda: model.evaluate(np.zeros((2, 3)), np.zeros((2, 1)), verbose=0),
                 lambda: model.train_on_batch(np.zeros((2, 3)), np.zeros((2, 1)))):
        with pytest.raises(RuntimeError, match='must compile'):
            call()
    assert model.predict(np.zeros((2, 3))).shape == (2, 1)   # predict needs no compile


def test_set_weights_wrong_count_and_shape():
    layer = Dense(2)
    Sequential([Dense(3, input_shape=(4,)), layer])
    with pytest.raises(ValueError, match='expecting 2 weights'):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r'\(3, 2\).*\(4, 2\)'):
        layer.set_weights([np.zeros((4, 2)), np.zeros(2)])


def test_categorical_crossentropy_with_integer_targets():
    model = Sequential([Dense(3, input_shape=(2,), activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    with pytest.raises(ValueError, match='sparse_categorical_crossentropy'):
        model.fit(np.zeros((4, 2)), np.array([0, 1, 2, 1]), verbose=0)


def test_layer_input_spec_errors():
    x = Input((3,))
    dense = Dense(2)
    dense(x)
    with pytest.raises(ValueError, match=r'axis -1.*3.*\(None, 5\)'):
        dense(Input((5,)))


def test_unknown_layer_kwarg():
    with pytest.raises(TypeError, match='nope'):
        Dense(2, nope=1)


def test_model_needs_inputs_and_outputs():
    with pytest.raises(TypeError, match='both `inputs` and `outputs`'):
        Model(outputs=Input((2,)))
    with pytest.raises(NotImplementedError, match='must implement call'):
        Model().predict(np.zeros((2, 3)))    # Model() is a subclassed model: it needs a call
    with pytest.raises(ValueError):
        Model(np.zeros(3), np.zeros(3))
