"""InputLayer and Input(): the placeholders a model is built from."""
from .. import backend as K
from .base_layer import Layer
from .node import Node


class InputLayer(Layer):
    """A layer whose output is a placeholder (or a given tensor)."""

    def __init__(self, input_shape=None, batch_size=None, batch_input_shape=None, dtype=None,
                 input_tensor=None, sparse=False, name=None):
        if not name:
            name = f'input_{K.get_uid("input")}'
        if input_shape is not None and batch_input_shape is not None:
            raise ValueError('InputLayer: give only one of input_shape and batch_input_shape')
        if input_tensor is not None and batch_input_shape is None:
            batch_input_shape = K.int_shape(input_tensor)
        if batch_input_shape is None:
            if input_shape is None:
                raise ValueError('InputLayer: an input_shape or a batch_input_shape is required')
            input_shape = (input_shape,) if isinstance(input_shape, int) else input_shape
            batch_input_shape = (batch_size,) + K.check_shape('InputLayer', 'input_shape',
                                                              input_shape)
        batch_input_shape = K.check_shape('InputLayer', 'batch_input_shape', batch_input_shape)
        dtype = dtype or (K.dtype(input_tensor) if input_tensor is not None else K.floatx())
        super().__init__(name=name, dtype=dtype)
        self.trainable = False
        self.built = True
        self.sparse = sparse
        self.batch_input_shape = batch_input_shape
        self.is_placeholder = input_tensor is None
        if input_tensor is None:
            input_tensor = K.placeholder(shape=batch_input_shape, dtype=dtype, sparse=sparse,
                                         name=self.name)
        input_tensor._keras_shape = batch_input_shape
        input_tensor._uses_learning_phase = False
        # A node with no inbound layers: where graph walks stop.
        Node(self, [], [], [], [input_tensor], [input_tensor], [batch_input_shape],
             [batch_input_shape])
        input_tensor._keras_history = (self, 0, 0)

    def get_config(self):
        return {'batch_input_shape': self.batch_input_shape, 'dtype': self.dtype,
                'sparse': self.sparse, 'name': self.name}


def Input(shape=None, batch_shape=None, name=None, dtype=None, sparse=False, tensor=None):
    """A Keras tensor: `x = Input(shape=(784,))` then `y = Dense(10)(x)`."""
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError('Please provide to Input either a `shape` or a `batch_shape` argument. '
                         'Note that `shape` does not include the batch dimension.')
    if shape is not None and batch_shape is None:
        shape = (shape,) if isinstance(shape, int) else shape
        batch_shape = (None,) + K.check_shape('Input', 'shape', shape)
    layer = InputLayer(batch_input_shape=batch_shape, name=name, dtype=dtype, sparse=sparse,
                       input_tensor=tensor)
    return layer._inbound_nodes[0].output_tensors[0]
