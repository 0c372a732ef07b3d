"""InputLayer and Input(): the placeholders a model is built from."""
from .. import backend as K
from .base_layer import Layer
from .node import Node


class InputLayer(Layer):
    """The layer whose output is a model's input: a placeholder, or a given tensor.

    Usually made by `Input` (functional models) or by a Sequential model from
    its first layer's `input_shape`.

    Arguments:
        input_shape: the shape of one sample (no batch axis).
        batch_size: the batch size, or None for any.
        batch_input_shape: the shape with the batch axis (instead of
            `input_shape` and `batch_size`).
        dtype: the input's dtype (default `K.floatx()`).
        input_tensor: an existing tensor to use as the input instead of a new
            placeholder.
        sparse: must be False: kback has dense tensors only.
        name: the layer's name.

    Raises:
        ValueError: if both or neither of `input_shape` and
            `batch_input_shape` are given, or a shape entry is not an int >= 0
            or None.
        NotImplementedError: if `sparse` is True.
    """

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
    """Makes a model input: a symbolic tensor that layers can be called on.

    Arguments:
        shape: the shape of one sample, without the batch axis, e.g.
            `(784,)` or `(28, 28, 1)`; None entries are any size.
        batch_shape: the shape with the batch axis (instead of `shape`).
        name: the input's name (unique within a model).
        dtype: the input's dtype (default `K.floatx()`).
        sparse: must be False: kback has dense tensors only.
        tensor: an existing tensor to wrap instead of a new placeholder.

    Returns:
        A tensor to call layers on and to pass as `Model(inputs=...)`.

    Raises:
        ValueError: if no shape is given, or a shape entry is not an int >= 0
            or None.
        NotImplementedError: if `sparse` is True.

    Example::

        x = Input(shape=(32,))
        y = Dense(16, activation='softmax')(x)
        model = Model(x, y)
    """
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError('Please provide to Input either a `shape` or a `batch_shape` argument. '
                         'Note that `shape` does not include the batch dimension.')
    if shape is not None and batch_shape is None:
        shape = (shape,) if isinstance(shape, int) else shape
        batch_shape = (None,) + K.check_shape('Input', 'shape', shape)
    layer = InputLayer(batch_input_shape=batch_shape, name=name, dtype=dtype, sparse=sparse,
                       input_tensor=tensor)
    return layer._inbound_nodes[0].output_tensors[0]
