"""Keras 2.3's "Writing your own Keras layers" guide and Sequential helpers."""
import numpy as np

from kback import backend as K
from kback.layers import Layer, Input, Dense
from kback.models import Model, Sequential
from kback import metrics


class MyLayer(Layer):
    def __init__(self, output_dim, **kwargs):
        self.output_dim = output_dim
        super(MyLayer, self).__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(name='kernel', shape=(input_shape[1], self.output_dim),
                                      initializer='uniform', trainable=True)
        super(MyLayer, self).build(input_shape)

    def call(self, x):
        return K.dot(x, self.kernel)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)


class MyMultiLayer(Layer):
    def __init__(self, output_dim, **kwargs):
        self.output_dim = output_dim
        super(MyMultiLayer, self).__init__(**kwargs)

    def build(self, input_shape):
        assert isinstance(input_shape, list)
        self.kernel = self.add_weight(name='kernel', shape=(input_shape[0][1], self.output_dim),
                                      initializer='uniform', trainable=True)
        super(MyMultiLayer, self).build(input_shape)

    def call(self, x):
        assert isinstance(x, list)
        a, b = x
        return [K.dot(a, self.kernel) + b, K.mean(b, axis=-1)]

    def compute_output_shape(self, input_shape):
        assert isinstance(input_shape, list)
        shape_a, shape_b = input_shape
        return [(shape_a[0], self.output_dim), shape_b[:-1]]


def test_my_layer():
    model = Sequential([MyLayer(4, input_shape=(3,))])
    assert model.output_shape == (None, 4)
    assert len(model.trainable_weights) == 1
    x = np.random.random((2, 3))
    np.testing.assert_allclose(model.predict(x), x @ model.get_weights()[0], rtol=1e-5)
    model.compile('sgd', 'mse')
    model.fit(x, np.zeros((2, 4)), verbose=0)


def test_my_multi_layer():
    a, b = Input(shape=(3,)), Input(shape=(4,))
    out1, out2 = MyMultiLayer(4)([a, b])
    assert K.int_shape(out1) == (None, 4) and K.int_shape(out2) == (None,)
    model = Model([a, b], [out1, out2])
    xa, xb = np.random.random((2, 3)), np.random.random((2, 4))
    p1, p2 = model.predict([xa, xb])
    np.testing.assert_allclose(p1, xa @ model.get_weights()[0] + xb, rtol=1e-5)
    np.testing.assert_allclose(p2, xb.mean(-1), rtol=1e-5)


def test_predict_classes_and_proba():
    model = Sequential([Dense(3, input_dim=2, activation='softmax')])
    x = np.random.random((5, 2))
    p = model.predict_proba(x)
    np.testing.assert_allclose(p, model.predict(x))
    np.testing.assert_array_equal(model.predict_classes(x), p.argmax(-1))
    binary = Sequential([Dense(1, input_dim=2, activation='sigmoid')])
    classes = binary.predict_classes(x)
    assert classes.shape == (5, 1)
    np.testing.assert_array_equal(classes, (binary.predict(x) > 0.5).astype('int32'))


def test_clone_metric():
    assert metrics.clone_metric(metrics.mae) is metrics.mae
    assert metrics.clone_metrics([metrics.mae, 'accuracy']) == [metrics.mae, 'accuracy']
    assert metrics.clone_metrics(None) is None
    d = metrics.clone_metrics({'a': metrics.mse})
    assert d == {'a': metrics.mse}
