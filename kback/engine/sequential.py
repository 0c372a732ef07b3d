"""Sequential: a linear stack of layers, built as a functional graph as soon
as its input shape is known."""
import warnings

import numpy as np

from .base_layer import Layer
from .input_layer import Input, InputLayer
from .training import Model
from .node import to_list


class Sequential(Model):
    """A model that is a linear stack of layers, each taking the previous output.

    The first layer needs to know its input shape (`input_shape=...`); if it
    does not, the model is built when it first sees data.

    Arguments:
        layers: a list of layers to add, in order.
        name: the model's name.

    Example::

        from kback.models import Sequential
        from kback.layers import Dense

        model = Sequential()
        model.add(Dense(32, activation='relu', input_shape=(16,)))
        model.add(Dense(1))
        model.compile(optimizer='sgd', loss='mse')
    """

    def __init__(self, layers=None, name=None):
        Layer.__init__(self, name=name)
        self._layers = []
        self.inputs, self.outputs = [], []
        self._is_graph_network = True
        self.built = False
        self._functions = {}
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        """The model's layers, in order (the input layer it made is not listed)."""
        # The auto-made InputLayer is not listed, as in Keras 2.
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[1:]
        return list(self._layers)

    def add(self, layer):
        """Adds a layer on top of the stack.

        Arguments:
            layer: a layer instance with one output.

        Raises:
            TypeError: if `layer` is not a layer, or has several outputs.
            ValueError: if the layer does not fit the previous output's shape.
        """
        if not isinstance(layer, Layer):
            raise TypeError(f'The added layer must be an instance of class Layer. Found: {layer}')
        self._invalidate()
        if not self.outputs:
            source = None
            if isinstance(layer, InputLayer):
                source = layer._inbound_nodes[-1].output_tensors[0]
                self._set_graph([source], [source])
                return
            shape = _declared_input_shape(layer)
            if shape is not None:
                source = Input(batch_shape=shape, dtype=layer.dtype,
                               name=f'{layer.name}_input')
                self._set_graph([source], [self._call_single(layer, source)])
            else:
                self._layers.append(layer)
            return
        self._set_graph(self.inputs, [self._call_single(layer, self.outputs[0])])

    def _call_single(self, layer, x):
        out = layer(x)
        if isinstance(out, (list, tuple)):
            raise TypeError('All layers in a Sequential model should have a single output '
                            'tensor. For multi-output layers, use the functional API.')
        return out

    def _set_graph(self, inputs, outputs):
        self._init_graph(inputs, outputs)

    def _invalidate(self):
        self._functions = {}
        for attr in ('total_loss', '_metric_tensors'):
            self.__dict__.pop(attr, None)

    def pop(self):
        """Removes the last layer of the stack.

        Raises:
            TypeError: if the model has no layers.
        """
        if not self.layers:
            raise TypeError('There are no layers in the model.')
        self._invalidate()
        if not self.outputs:
            self._layers.pop()
            return
        remaining = self.layers[:-1]
        self._layers.pop()
        if not remaining:
            self.inputs, self.outputs = [], []
            self._layers = []
            self._inbound_nodes = []
            self.built = False
            return
        last = remaining[-1]
        last._outbound_nodes = []
        self._set_graph(self.inputs, [last._inbound_nodes[-1].output_tensors[0]])

    def build(self, input_shape=None):
        if self.outputs:
            self.built = True
            return
        if input_shape is None:
            raise ValueError('Sequential.build: the model has no input shape; give '
                             '`input_shape` (with the batch dimension) or an input_shape to '
                             'its first layer.')
        layers = list(self._layers)
        x = source = Input(batch_shape=tuple(input_shape), name=f'{self.name}_input')
        self._build_input_shape = tuple(input_shape)
        for layer in layers:
            x = self._call_single(layer, x)
        self._layers = []
        self._set_graph([source], [x])

    def _build_from_data(self, x):
        if self.outputs:
            return
        if not self._layers:
            raise ValueError('Sequential: the model has no layers')
        arrays = to_list(x)
        self.build((None,) + np.shape(arrays[0])[1:])
        if getattr(self, '_compiled', False):
            self._build_training_graph()

    def call(self, inputs, training=None, mask=None):
        if not self.outputs:
            self.build(getattr(inputs, '_keras_shape', None) or tuple(inputs.shape))
        return super().call(inputs, training=training, mask=mask)

    def compute_output_shape(self, input_shape):
        if not self.outputs:
            self.build(input_shape)
        return super().compute_output_shape(input_shape)

    @property
    def trainable_weights(self):
        return super().trainable_weights if self.outputs else []

    @property
    def non_trainable_weights(self):
        return super().non_trainable_weights if self.outputs else []

    def predict_proba(self, x, batch_size=32, verbose=0):
        """The model's predictions, taken as class probabilities.

        Arguments:
            x: the input data (a numpy array or a list of them).
            batch_size: samples per batch.
            verbose: 0 silent, 1 a progress bar.

        Returns:
            A numpy array of probabilities (a warning is issued when a value is
            outside [0, 1]).
        """
        preds = self.predict(x, batch_size, verbose)
        if preds.min() < 0. or preds.max() > 1.:
            warnings.warn('Network returning invalid probability values. The last layer might '
                          'not normalize predictions into probabilities (like softmax or '
                          'sigmoid would).')
        return preds

    def predict_classes(self, x, batch_size=32, verbose=0):
        """The predicted class of each sample.

        Arguments:
            x: the input data (a numpy array or a list of them).
            batch_size: samples per batch.
            verbose: 0 silent, 1 a progress bar.

        Returns:
            A numpy array of class indices (the argmax of the outputs, or
            `output > 0.5` for a single output unit).
        """
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype('int32')

    def get_config(self):
        from ..utils.generic_utils import serialize_keras_object
        config = {'name': self.name,
                  'layers': [serialize_keras_object(layer) for layer in self.layers]}
        if getattr(self, '_build_input_shape', None) is not None:
            config['build_input_shape'] = self._build_input_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..layers import deserialize as deserialize_layer
        if isinstance(config, dict):
            name, layer_configs = config.get('name'), config['layers']
        else:
            name, layer_configs = None, config
        model = cls(name=name)
        for conf in layer_configs:
            model.add(deserialize_layer(conf, custom_objects=custom_objects))
        if isinstance(config, dict) and config.get('build_input_shape') and not model.outputs:
            model.build(tuple(config['build_input_shape']))
        return model


def _declared_input_shape(layer):
    shape = getattr(layer, 'batch_input_shape', None)
    if shape is not None:
        return shape
    if isinstance(layer, Model) and getattr(layer, 'inputs', None) and len(layer.inputs) == 1:
        from .. import backend as K
        return K.int_shape(layer.inputs[0])
    return None
