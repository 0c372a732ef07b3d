"""The issue's Done-when: a user layer (add_weight + K ops) trains in
Sequential and functional models, saves, loads and round-trips get_config."""
import numpy as np
import pytest

from kback import backend as K
from kback.engine import Layer
from kback.layers import Input, Dense
from kback.models import Model, Sequential, load_model, model_from_json
from kback.optimizers import SGD
from kback.utils import CustomObjectScope


class Scale(Layer):
    """y = x * scale + offset, one scale per feature."""

    def __init__(self, init_scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init_scale = init_scale

    def build(self, input_shape):
        from kback.initializers import Constant
        self.scale = self.add_weight(name='scale', shape=(input_shape[-1],),
                                     initializer=Constant(self.init_scale), trainable=True)
        self.offset = self.add_weight(name='offset', shape=(1,), initializer='zeros')
        super().build(input_shape)

    def call(self, inputs):
        return inputs * self.scale + self.offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config['init_scale'] = self.init_scale
        return config


rng = np.random.RandomState(0)
X = rng.rand(32, 3).astype('float32')
Y = (X * np.array([2., -1., 0.5]) + 0.3).astype('float32')


def test_weights_and_config():
    layer = Scale(0.5, name='sc')
    out = layer(Input((3,)))
    assert K.int_shape(out) == (None, 3)
    assert [w.name for w in layer.weights] == ['sc/scale:0', 'sc/offset:0']
    assert layer.count_params() == 4
    config = layer.get_config()
    assert config['init_scale'] == 0.5 and config['name'] == 'sc'
    clone = Scale.from_config(config)
    assert clone.init_scale == 0.5 and clone.name == 'sc'


def test_trains_in_sequential():
    model = Sequential([Scale(input_shape=(3,))])
    model.compile(SGD(lr=0.5), 'mse')
    first = model.evaluate(X, Y, verbose=0)
    model.fit(X, Y, epochs=60, batch_size=8, verbose=0)
    assert model.evaluate(X, Y, verbose=0) < first * 0.05
    np.testing.assert_allclose(model.layers[0].get_weights()[0], [2., -1., .5], atol=0.25)


def test_trains_in_functional_model_with_other_layers():
    x = Input((3,))
    y = Dense(1)(Scale(2.)(x))
    model = Model(x, y)
    model.compile('adam', 'mse')
    target = Y.sum(axis=1, keepdims=True)
    first = model.evaluate(X, target, verbose=0)
    model.fit(X, target, epochs=20, batch_size=8, verbose=0)
    assert model.evaluate(X, target, verbose=0) < first


def test_save_and_load_with_custom_objects(tmp_path):
    x = Input((3,))
    model = Model(x, Scale(1.5, name='scale_layer')(x))
    model.compile(SGD(lr=0.1), 'mse')
    model.fit(X, Y, epochs=2, verbose=0)
    path = str(tmp_path / 'custom.h5')
    model.save(path)
    with pytest.raises(ValueError, match='Scale'):
        load_model(path)
    loaded = load_model(path, custom_objects={'Scale': Scale})
    assert loaded.get_layer('scale_layer').init_scale == 1.5
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-6)
    with CustomObjectScope({'Scale': Scale}):
        again = load_model(path)
    np.testing.assert_allclose(again.predict(X), model.predict(X), rtol=1e-6)


def test_json_round_trip_in_sequential():
    model = Sequential([Scale(3., input_shape=(3,)), Dense(2)])
    clone = model_from_json(model.to_json(), custom_objects={'Scale': Scale})
    assert isinstance(clone.layers[0], Scale) and clone.layers[0].init_scale == 3.
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(X), model.predict(X), rtol=1e-6)


def test_custom_loss_and_metric_functions(tmp_path):
    def my_loss(y_true, y_pred):
        return K.mean(K.abs(y_true - y_pred), axis=-1) * 2.

    def my_metric(y_true, y_pred):
        return K.max(K.abs(y_true - y_pred), axis=-1)
    model = Sequential([Dense(3, input_shape=(3,))])
    model.compile('sgd', my_loss, metrics=[my_metric])
    assert model.metrics_names == ['loss', 'my_metric']
    loss, metric = model.evaluate(X, Y, verbose=0)
    pred = model.predict(X)
    assert loss == pytest.approx(2 * np.mean(np.abs(pred - Y)), rel=1e-5)
    assert metric == pytest.approx(np.mean(np.max(np.abs(pred - Y), axis=-1)), rel=1e-5)
    path = str(tmp_path / 'l.h5')
    model.save(path)
    loaded = load_model(path, custom_objects={'my_loss': my_loss, 'my_metric': my_metric})
    assert loaded.evaluate(X, Y, verbose=0) == pytest.approx([loss, metric], rel=1e-5)
