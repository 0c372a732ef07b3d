"""A user-written layer: weights from add_weight, maths in K ops.  It trains
inside Sequential and functional models, saves and loads with custom_objects,
and round-trips get_config.

    python examples/custom_layer.py [--fast]
"""
import os
import sys
import tempfile

import numpy as np

from kback import backend as K
from kback.data import mnist_sample
from kback.layers import Dense, Input, Layer
from kback.models import Model, Sequential, load_model
from kback.utils import to_categorical


class ScaledDense(Layer):
    """y = activation(x W * scale + b) with a learned per-unit scale."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = activation

    def build(self, input_shape):
        self.kernel = self.add_weight(name='kernel', shape=(input_shape[-1], self.units),
                                      initializer='glorot_uniform')
        self.scale = self.add_weight(name='scale', shape=(self.units,), initializer='ones')
        self.bias = self.add_weight(name='bias', shape=(self.units,), initializer='zeros')
        super().build(input_shape)

    def call(self, inputs):
        y = K.dot(inputs, self.kernel) * self.scale + self.bias
        return K.relu(y) if self.activation == 'relu' else y

    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, activation=self.activation)
        return config


def main(argv=()):
    epochs = 1 if '--fast' in argv else 3
    np.random.seed(0)
    (x, y), (xt, yt) = mnist_sample()
    x, xt = x.reshape(-1, 784) / 255., xt.reshape(-1, 784) / 255.
    y, yt = to_categorical(y, 10), to_categorical(yt, 10)

    sequential = Sequential([ScaledDense(64, activation='relu', input_shape=(784,)),
                             Dense(10, activation='softmax')])
    inputs = Input(shape=(784,))
    functional = Model(inputs, Dense(10, activation='softmax')(
        ScaledDense(64, activation='relu')(inputs)))
    results = {}
    for name, model in (('sequential', sequential), ('functional', functional)):
        model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])
        model.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
        path = os.path.join(tempfile.mkdtemp(), f'{name}.h5')
        model.save(path)
        loaded = load_model(path, custom_objects={'ScaledDense': ScaledDense})
        same = np.allclose(loaded.predict(xt), model.predict(xt), atol=1e-6)
        accuracy = loaded.evaluate(xt, yt, verbose=0)[1]
        print(f'{name}: test accuracy {accuracy:.4f}, reloaded model identical: {same}')
        results[name] = (accuracy, same)
    layer = sequential.layers[0]
    clone = ScaledDense.from_config(layer.get_config())
    print('config round trip:', clone.get_config() == layer.get_config())
    return results


if __name__ == '__main__':
    main(sys.argv[1:])
