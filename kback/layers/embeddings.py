"""Embedding: integer indices -> dense vectors, as keras.layers.Embedding."""
from .. import backend as K
from .. import constraints, initializers, regularizers
from ..engine.base_layer import Layer


class Embedding(Layer):
    """Maps positive integer indices to dense vectors of a fixed size.

    Index `i` in `[0, input_dim)` becomes row `i` of a trainable matrix of
    shape `(input_dim, output_dim)`. It can only be a model's first layer.

    Arguments:
        input_dim: a positive int, the vocabulary size (largest index + 1).
        output_dim: a positive int, the size of each vector.
        embeddings_initializer: the initializer of the matrix.
        embeddings_regularizer: a regularizer applied to the matrix.
        activity_regularizer: a regularizer applied to the output.
        embeddings_constraint: a constraint applied to the matrix.
        mask_zero: whether index 0 is padding, to be masked for the layers
            downstream (the vocabulary then needs `input_dim = size + 1`).
        input_length: the length of the sequences when it is fixed (needed
            by a `Flatten` then `Dense` after this layer).

    Input shape:
        2D tensor `(batch, sequence_length)` of integers (any rank works).

    Output shape:
        3D tensor `(batch, sequence_length, output_dim)`.

    Raises:
        ValueError: if `input_dim` or `output_dim` is not positive.

    Example::

        model = Sequential([Embedding(1000, 64, input_length=10)])
        # integers in [0, 1000) of shape (batch, 10) -> (batch, 10, 64)
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer='uniform',
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        if 'input_shape' not in kwargs:
            if input_length:
                kwargs['input_shape'] = (input_length,)
            else:
                kwargs['input_shape'] = (None,)
        if int(input_dim) <= 0 or int(output_dim) <= 0:
            raise ValueError(f'Embedding: input_dim and output_dim must be positive, got '
                             f'input_dim={input_dim!r}, output_dim={output_dim!r}')
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.input_length = input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          name='embeddings',
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint,
                                          dtype=self.dtype)
        self.built = True

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return K.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.input_length is None:
            return input_shape + (self.output_dim,)
        # input_length may be a tuple naming several dims (None = any).
        lengths = self.input_length if isinstance(self.input_length, (list, tuple)) \
            else [self.input_length]
        if len(lengths) != len(input_shape) - 1:
            raise ValueError(f'Embedding {self.name}: input_length {self.input_length!r} does '
                             f'not match the input shape {input_shape}')
        out = [input_shape[0]]
        for given, actual in zip(lengths, input_shape[1:]):
            if given is not None and actual is not None and int(given) != int(actual):
                raise ValueError(f'Embedding {self.name}: input_length {self.input_length!r} '
                                 f'is not compatible with the input shape {input_shape}')
            out.append(actual if actual is not None else given)
        return tuple(out) + (self.output_dim,)

    def call(self, inputs):
        # The layer's input is float by default (as in Keras); indices are cast.
        if K.dtype(inputs) not in ('int32', 'int64'):
            inputs = K.cast(inputs, 'int32')
        return K.gather(self.embeddings, inputs)

    def get_config(self):
        config = {'input_dim': self.input_dim,
                  'output_dim': self.output_dim,
                  'embeddings_initializer': initializers.serialize(self.embeddings_initializer),
                  'embeddings_regularizer': regularizers.serialize(self.embeddings_regularizer),
                  'activity_regularizer': regularizers.serialize(self.activity_regularizer),
                  'embeddings_constraint': constraints.serialize(self.embeddings_constraint),
                  'mask_zero': self.mask_zero,
                  'input_length': self.input_length}
        return dict(super().get_config(), **config)
