"""Layer base protocol (Keras 2.3 engine/base_layer.py)."""
import numpy as np
import pytest

from kback import backend as K
from kback.engine import Layer, InputSpec
from kback.layers import Input, InputLayer, Dense
from kback.models import Model, Sequential


class MovingMean(Layer):
    """Identity that tracks a moving mean of its input via add_update."""

    def build(self, input_shape):
        self.mean = self.add_weight(name='mean', shape=(input_shape[-1],),
                                    initializer='zeros', trainable=False)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]})
        self.built = True

    def call(self, inputs, training=None):
        new = 0.5 * self.mean + 0.5 * K.mean(inputs, axis=0)
        self.add_update([K.update(self.mean, new)], inputs)
        return inputs


def test_auto_names_and_kwargs():
    a, b = Dense(2), Dense(2)
    assert a.name.startswith('dense_') and a.name != b.name
    layer = Dense(2, name='custom', trainable=False, input_shape=(3,))
    assert layer.name == 'custom' and not layer.trainable
    assert layer.batch_input_shape == (None, 3)
    assert Dense(2, input_dim=5).batch_input_shape == (None, 5)
    assert Dense(2, input_shape=(5,), batch_size=8).batch_input_shape == (8, 5)
    assert Dense(2, dtype='float64').dtype == 'float64'


def test_build_on_first_call_and_node_accessors():
    layer = Dense(4)
    assert not layer.built
    with pytest.raises(ValueError, match='isn\'t built'):
        layer.count_params()
    with pytest.raises(AttributeError):
        layer.output
    x = Input((3,))
    y = layer(x)
    assert layer.built and layer.count_params() == 16
    assert layer.input is x and layer.output is y
    assert layer.input_shape == (None, 3) and layer.output_shape == (None, 4)
    assert layer.get_input_at(0) is x and layer.get_output_at(0) is y
    assert layer.get_input_shape_at(0) == (None, 3)
    assert layer.get_output_shape_at(0) == (None, 4)
    assert y._keras_history[0] is layer
    with pytest.raises(ValueError, match='only 1 inbound'):
        layer.get_output_at(3)


def test_weights_lists_and_trainable_toggle():
    model = Sequential([MovingMean(input_shape=(3,)), Dense(2)])
    mm, dense = model.layers
    assert mm.trainable_weights == [] and len(mm.non_trainable_weights) == 1
    assert len(model.weights) == 3
    dense.trainable = False
    assert dense.trainable_weights == []
    assert len(dense.non_trainable_weights) == 2
    assert dense.weights[0] is dense.kernel


def test_initial_weights_kwarg():
    w = [np.ones((3, 2)), np.zeros(2)]
    layer = Dense(2, weights=w)
    model = Sequential([Dense(3, input_shape=(3,), kernel_initializer='ones',
                              use_bias=False), layer])
    np.testing.assert_array_equal(layer.get_weights()[0], w[0])
    assert model.predict(np.ones((1, 3))).tolist() == [[9., 9.]]


def test_updates_run_during_fit_only():
    model = Sequential([MovingMean(input_shape=(2,)), Dense(1)])
    model.compile('sgd', 'mse')
    assert len(model.updates) == 1
    x = np.full((4, 2), 2., dtype='float32')
    model.predict(x)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], [0., 0.])
    model.train_on_batch(x, np.zeros((4, 1)))
    np.testing.assert_allclose(model.layers[0].get_weights()[0], [1., 1.])
    model.fit(x, np.zeros((4, 1)), batch_size=4, epochs=1, verbose=0)
    np.testing.assert_allclose(model.layers[0].get_weights()[0], [1.5, 1.5])


def test_input_spec_checked():
    layer = MovingMean()
    layer(Input((3,)))
    with pytest.raises(ValueError, match='incompatible with layer'):
        layer(Input((4,)))


def test_regularizer_losses():
    layer = Dense(2, kernel_regularizer='l1', bias_regularizer='l2',
                  activity_regularizer='l2')
    x = Input((3,))
    layer(x)
    assert len(layer.losses) == 3
    model = Model(x, layer.output)
    assert len(model.losses) == 3


def test_default_compute_output_shape():
    class Double(Layer):
        def call(self, inputs):
            return K.concatenate([inputs, inputs], axis=-1)
    assert Double().compute_output_shape((None, 3)) == (None, 6)
    assert K.int_shape(Double()(Input((5,)))) == (None, 10)


def test_layer_called_on_non_tensor():
    with pytest.raises(ValueError, match='not a symbolic tensor'):
        Dense(2)(np.zeros((2, 3)))


def test_input_and_input_layer():
    x = Input(shape=(4, 5), name='img', dtype='float32')
    assert K.int_shape(x) == (None, 4, 5)
    assert x._keras_history[0].name == 'img'
    y = Input(batch_shape=(8, 3))
    assert K.int_shape(y) == (8, 3)
    with pytest.raises(ValueError, match='shape'):
        Input()
    layer = InputLayer(input_shape=(3,), name='inp')
    assert layer.get_config() == {'batch_input_shape': (None, 3), 'dtype': 'float32',
                                  'sparse': False, 'name': 'inp'}
    assert layer.output_shape == (None, 3)


def test_get_config_base_fields():
    config = Dense(3, name='d', input_shape=(2,)).get_config()
    assert config['name'] == 'd' and config['trainable'] is True
    assert config['batch_input_shape'] == (None, 2) and config['dtype'] == 'float32'
    clone = Dense.from_config(config)
    assert clone.units == 3 and clone.batch_input_shape == (None, 2)
