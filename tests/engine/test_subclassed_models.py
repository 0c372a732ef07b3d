"""Subclassed models (Keras 2.3: layers built in __init__, the forward pass in
`call`) and the attribute tracking they rely on: layers, lists of layers and
variables assigned as attributes of a custom Layer or Model become its own."""
import pickle

import numpy as np
import pytest

from kback import backend as K
from kback.layers import Input, Dense, Dropout, BatchNormalization, Layer
from kback.models import Model, Sequential, clone_model
from kback.optimizers import SGD

rng = np.random.RandomState(5)


class MLP(Model):
    def __init__(self, n_out=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = Dense(8, activation='relu')
        self.norm = BatchNormalization()
        self.drop = Dropout(0.25)
        self.blocks = [Dense(8, activation='relu', kernel_regularizer='l2'), Dense(8)]
        self.out = Dense(n_out, activation='softmax')

    def call(self, inputs, training=None):
        h = self.drop(self.norm(self.hidden(inputs)))
        for block in self.blocks:
            h = block(h)
        return self.out(h)


def _data(n=96):
    x = rng.rand(n, 5).astype('float32')
    labels = (x[:, 0] + x[:, 1] > 1.).astype(int) + (x[:, 2] > 0.8).astype(int)
    return x, np.eye(3, dtype='float32')[labels]


def test_layers_are_tracked_in_assignment_order():
    model = MLP()
    assert [type(l).__name__ for l in model.layers] == ['Dense', 'BatchNormalization',
                                                       'Dropout', 'Dense', 'Dense', 'Dense']
    assert not model.built and model.weights == []
    with pytest.raises(ValueError, match='not yet been built'):
        model.summary()


def test_fit_evaluate_predict_summary_after_build(capsys):
    model = MLP(name='mlp')
    model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _data()
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0]
    assert model.metrics_names == ['loss', 'accuracy']
    assert len(model.trainable_weights) == 10 and len(model.non_trainable_weights) == 2
    assert len(model.updates) == 2 and len(model.losses) == 1
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc == pytest.approx((model.predict(x).argmax(1) == y.argmax(1)).mean())
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "mlp"' in out and 'Total params: 251' in out
    assert 'Non-trainable params: 16' in out and 'InputLayer' not in out


def test_prediction_is_the_call_in_numpy():
    model = MLP()
    model.build((None, 5))
    x = rng.rand(4, 5).astype('float32')
    w = model.get_weights()
    h = np.maximum(x @ w[0] + w[1], 0)
    gamma, beta, mean, var = w[2:6]
    h = gamma * (h - mean) / np.sqrt(var + 1e-3) + beta
    h = np.maximum(h @ w[6] + w[7], 0)
    h = h @ w[8] + w[9]
    logits = h @ w[10] + w[11]
    e = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(model.predict(x), e / e.sum(1, keepdims=True), rtol=1e-4,
                               atol=1e-6)


def test_config_saving_and_cloning_as_keras_23():
    model = MLP()
    model.build((None, 5))
    with pytest.raises(NotImplementedError, match='subclassed model'):
        model.get_config()
    with pytest.raises(NotImplementedError, match='subclassed model'):
        pickle.dumps(model)
    with pytest.raises(ValueError, match='clone_model: MLP is a subclassed model'):
        clone_model(model)


def test_weights_also_listed_by_hand_count_once():
    class Wrapping(Layer):
        def build(self, input_shape):
            self.dense = Dense(2)
            self.dense.build(input_shape)
            self._trainable_weights += self.dense.trainable_weights   # Keras-2 style
            super().build(input_shape)

        def call(self, x):
            return self.dense.call(x)
    layer = Wrapping()
    layer(Input((3,)))
    assert len(layer.trainable_weights) == 2 and layer.count_params() == 8


def test_save_and_load_weights(tmp_path):
    model = MLP()
    model.compile('sgd', 'categorical_crossentropy')
    x, y = _data(32)
    model.fit(x, y, epochs=1, verbose=0)
    model.save_weights(str(tmp_path / 'w.h5'))
    other = MLP()
    other.build((None, 5))
    other.load_weights(str(tmp_path / 'w.h5'))
    np.testing.assert_allclose(other.predict(x), model.predict(x), rtol=1e-5)


class TwoHeads(Model):
    """Two inputs, two outputs, and a variable of its own."""

    def __init__(self):
        super().__init__()
        self.left, self.right = Dense(2), Dense(2)
        self.scale = K.variable(np.ones((1, 2), 'float32'), name='scale')

    def call(self, inputs):
        a, b = inputs
        joint = self.left(a) + self.right(b)
        return [joint * self.scale, K.sum(joint, axis=-1, keepdims=True)]


def test_multiple_inputs_and_outputs_and_own_variables():
    model = TwoHeads()
    model.compile(SGD(lr=0.1), 'mse')
    a, b = rng.rand(16, 3).astype('float32'), rng.rand(16, 4).astype('float32')
    ys = [np.ones((16, 2)), np.ones((16, 1))]
    assert any(w is model.scale for w in model.trainable_weights)
    first = model.train_on_batch([a, b], ys)[0]
    assert not np.allclose(K.get_value(model.scale), 1.)     # its own variable trains
    for _ in range(20):
        last = model.train_on_batch([a, b], ys)[0]
    assert last < first
    assert model.output_names == ['output_1', 'output_2']
    assert model.metrics_names == ['loss', 'output_1_loss', 'output_2_loss']


class Residual(Layer):
    """A custom layer whose sublayers are tracked attributes."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.inner = [Dense(units, activation='relu'), Dense(units)]
        self.gate = K.variable(0.5, name='gate')

    def call(self, x):
        h = x
        for layer in self.inner:
            h = layer(h)
        return x + self.gate * h

    def compute_output_shape(self, input_shape):
        return input_shape


def test_custom_layer_tracks_sublayers_and_variables_in_a_functional_model():
    x = Input((4,))
    block = Residual(4)
    model = Model(x, Dense(1)(block(x)))
    assert len(block.trainable_weights) == 5
    assert len(model.trainable_weights) == 7
    model.compile(SGD(lr=0.05), 'mse')
    data = rng.rand(32, 4).astype('float32')
    target = data.sum(1, keepdims=True)
    before = K.get_value(block.gate)
    history = model.fit(data, target, epochs=10, batch_size=8, verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0]
    assert K.get_value(block.gate) != before


def test_subclassed_model_inside_functional_and_sequential_models():
    inner = MLP()
    x = Input((5,))
    outer = Model(x, inner(x))
    assert inner.built and len(outer.trainable_weights) == 10
    outer.compile('adam', 'categorical_crossentropy')
    data, y = _data(32)
    history = outer.fit(data, y, epochs=2, verbose=0)
    assert len(history.history['loss']) == 2
    np.testing.assert_allclose(outer.predict(data), inner.predict(data), rtol=1e-5)
    seq = Sequential([Dense(5, input_shape=(5,)), MLP()])
    seq.compile('sgd', 'categorical_crossentropy')
    seq.fit(data, y, epochs=1, verbose=0)


def test_frozen_subclassed_model_has_no_updates():
    model = MLP()
    model.build((None, 5))
    model.trainable = False
    assert model.updates == [] and model.trainable_weights == []


def test_a_model_without_call_or_with_half_the_arguments():
    class NoCall(Model):
        def __init__(self):
            super().__init__()
            self.d = Dense(2)
    with pytest.raises(NotImplementedError, match='must implement call'):
        NoCall().predict(np.ones((2, 3)))
    x = Input((2,))
    with pytest.raises(TypeError, match='give both `inputs` and `outputs`'):
        Model(inputs=x)


def test_forgetting_super_init_is_a_clear_error():
    class Forgetful(Model):
        def __init__(self):
            self.dense = Dense(2)
            super().__init__()
    with pytest.raises(RuntimeError, match=r"forgot to call `super\(\).__init__\(\)`.*'dense'"):
        Forgetful()
