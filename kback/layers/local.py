"""Locally-connected layers: convolutions whose weights are not shared between
output positions (LocallyConnected1D/2D), Keras 2.3 arguments, weight
shapes and get_config keys.

`implementation` chooses the weight layout, as in Keras:
  1: kernel (output positions, window * in_channels, filters); patches are
     flattened in the input's layout; 'valid' padding only.
  2: a dense kernel over (input layout) x (output layout), masked to the
     connected pairs, applied as one matrix product.
  3: only the connected weights, a vector ordered as Keras's sorted
     (output index, input index) pairs, gathered into the dense matrix.
All three compute the same function; 2 and 3 also accept 'same' padding
(a window centred on position * stride, as Keras's conv_utils does).
"""
import numpy as np

from .. import backend as K
from .. import activations, initializers, regularizers, constraints
from ..engine.base_layer import Layer, InputSpec
from ..utils.conv_utils import (normalize_tuple, normalize_padding, conv_output_length,
                                conv_kernel_mask, conv_kernel_idxs,
                                check_positive as _positive)


class _LocallyConnected(Layer):
    rank = 1

    def __init__(self, filters, kernel_size, strides, padding, data_format, activation,
                 use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                 bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint,
                 implementation, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        if isinstance(filters, bool) or int(filters) != filters or filters < 1:
            raise ValueError(f'{cls}: `filters` must be a positive integer, got {filters!r}')
        self.filters = int(filters)
        self.kernel_size = _positive(cls, 'kernel_size',
                                     normalize_tuple(kernel_size, self.rank, 'kernel_size'))
        self.strides = _positive(cls, 'strides', normalize_tuple(strides, self.rank, 'strides'))
        self.padding = normalize_padding(padding, ('valid', 'same'), cls)
        if implementation not in (1, 2, 3):
            raise ValueError(f'{cls}: Unrecognized implementation mode: {implementation!r} '
                             '(expected 1, 2 or 3)')
        if self.padding != 'valid' and implementation == 1:
            raise ValueError(f'Invalid border mode for {cls} (only "valid" is supported if '
                             f'implementation is 1): {padding}')
        self.implementation = implementation
        self.data_format = K.normalize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    # -- shapes --------------------------------------------------------------------

    def _split(self, input_shape):
        """(spatial dims, channels) of an input shape."""
        if len(input_shape) != self.rank + 2:
            raise ValueError(f'{type(self).__name__} {self.name}: inputs should have rank '
                             f'{self.rank + 2}; received input shape {tuple(input_shape)}')
        ndim = self.rank + 2
        return (tuple(input_shape[a] for a in K.spatial_axes(self.data_format, ndim)),
                input_shape[K.channel_axis(self.data_format, ndim)])

    def _out_spatial(self, spatial):
        return tuple(conv_output_length(d, k, self.padding, s)
                     for d, k, s in zip(spatial, self.kernel_size, self.strides))

    def _layout(self, batch, spatial, channels):
        return K.layout_shape(self.data_format, batch, spatial, channels)

    def compute_output_shape(self, input_shape):
        spatial, _ = self._split(input_shape)
        return self._layout(input_shape[0], self._out_spatial(spatial), self.filters)

    # -- weights -------------------------------------------------------------------

    def build(self, input_shape):
        cls = type(self).__name__
        spatial, channels = self._split(input_shape)
        if channels is None:
            raise ValueError(f'{cls} {self.name}: the channel axis of the inputs should be '
                             f'defined. Found shape: {tuple(input_shape)}')
        if None in spatial:
            raise ValueError(f'{cls} {self.name}: the spatial dimensions of the inputs should '
                             f'be fully defined, got input shape {tuple(input_shape)}')
        out = self._out_spatial(spatial)
        if min(out) < 1:
            raise ValueError(f'{cls} {self.name}: kernel_size {self.kernel_size} is larger '
                             f'than the input shape {tuple(input_shape)}')
        self._in_spatial, self._in_channels, self._out = spatial, int(channels), out
        if self.implementation == 1:
            shape = (int(np.prod(out)), int(np.prod(self.kernel_size)) * channels, self.filters)
        elif self.implementation == 2:
            shape = self._layout(None, spatial, channels)[1:] + \
                self._layout(None, out, self.filters)[1:]
            self._kernel_mask = self._dense_mask()
        else:
            self._index = self._sparse_index()
            shape = (self._nnz,)
        self.kernel = self.add_weight(shape=shape, initializer=self.kernel_initializer,
                                      name='kernel', regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=out + (self.filters,),
                                        initializer=self.bias_initializer, name='bias',
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={
            K.channel_axis(self.data_format, self.rank + 2): int(channels)})
        self.built = True

    def _dense_mask(self):
        """The implementation-2 kernel mask: 1 on connected (input, output) pairs,
        shaped like the kernel with unit channel axes."""
        mask = conv_kernel_mask(self._in_spatial, self.kernel_size, self.strides, self.padding)
        n = self.rank
        if self.data_format == 'channels_first':
            mask = np.expand_dims(np.expand_dims(mask, 0), n + 1)
        else:
            mask = np.expand_dims(np.expand_dims(mask, n), 2 * n + 1)
        return mask.astype(K.floatx())

    def _sparse_index(self):
        """The implementation-3 gather index: (inputs, outputs) flattened in the
        data layout, entry j < nnz for the j-th stored weight, nnz for none."""
        pairs = conv_kernel_idxs(self._in_spatial, self.kernel_size, self.strides,
                                 self.padding, self._in_channels, self.filters,
                                 self.data_format)
        n_in = int(np.prod(self._in_spatial)) * self._in_channels
        n_out = int(np.prod(self._out)) * self.filters
        self._nnz = len(pairs)
        index = np.full((n_out, n_in), self._nnz, dtype='int32')
        rows, cols = np.array(pairs, dtype='int64').reshape(-1, 2).T
        index[rows, cols] = np.arange(self._nnz, dtype='int32')
        return np.ascontiguousarray(index.T)

    # -- call ----------------------------------------------------------------------

    def _dense_matrix(self):
        """The (inputs, outputs) weight matrix of implementations 2 and 3."""
        n_in = int(np.prod(self._in_spatial)) * self._in_channels
        if self.implementation == 2:
            masked = self.kernel * K.constant(self._kernel_mask, dtype=K.dtype(self.kernel))
            return K.reshape(masked, (n_in, -1))
        padded = K.concatenate([self.kernel, K.zeros((1,), dtype=K.dtype(self.kernel))], axis=0)
        return K.gather(padded, K.constant(self._index, dtype='int32'))

    def call(self, inputs):
        if self.implementation == 1:
            output = self._local_conv(inputs)
        else:
            n_in = int(np.prod(self._in_spatial)) * self._in_channels
            flat = K.dot(K.reshape(inputs, (-1, n_in)), self._dense_matrix())
            output = K.reshape(flat, (-1,) + self._layout(None, self._out, self.filters)[1:])
        if self.use_bias:
            output = K.bias_add(output, self.bias, data_format=self.data_format)
        if self.activation is not None:
            output = self.activation(output)
        return output

    def get_config(self):
        config = {
            'filters': self.filters,
            'kernel_size': self.kernel_size,
            'strides': self.strides,
            'padding': self.padding,
            'data_format': self.data_format,
            'activation': activations.serialize(self.activation),
            'use_bias': self.use_bias,
            'kernel_initializer': initializers.serialize(self.kernel_initializer),
            'bias_initializer': initializers.serialize(self.bias_initializer),
            'kernel_regularizer': regularizers.serialize(self.kernel_regularizer),
            'bias_regularizer': regularizers.serialize(self.bias_regularizer),
            'activity_regularizer': regularizers.serialize(self.activity_regularizer),
            'kernel_constraint': constraints.serialize(self.kernel_constraint),
            'bias_constraint': constraints.serialize(self.bias_constraint),
            'implementation': self.implementation,
        }
        return dict(super().get_config(), **config)


class LocallyConnected1D(_LocallyConnected):
    """A 1D convolution whose weights are not shared: each output position
    has its own kernel.

    Arguments:
        filters: an int, the number of output channels.
        kernel_size: an int, the size of the window.
        strides: an int, the step of the window.
        padding: `'valid'`, or `'same'` with implementations 2 and 3.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        activation: the activation function (name or function; None: linear).
        use_bias: whether to add a bias (one per output position and channel).
        kernel_initializer: the initializer of the kernel.
        bias_initializer: the initializer of the bias.
        kernel_regularizer: a regularizer applied to the kernel.
        bias_regularizer: a regularizer applied to the bias.
        activity_regularizer: a regularizer applied to the output.
        kernel_constraint: a constraint applied to the kernel.
        bias_constraint: a constraint applied to the bias.
        implementation: 1, 2 or 3, the layout of the kernel (as in Keras): 1 one
            weight block per output position, 2 a dense masked matrix, 3 only
            the connected weights; all compute the same function.

    Input shape:
        3D tensor `(batch, steps, channels)`.

    Output shape:
        3D tensor `(batch, new_steps, filters)`.

    Raises:
        ValueError: if an argument is out of range, or `'same'` padding is asked
            of implementation 1.
    """
    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding='valid', data_format=None,
                 activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 implementation=1, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint,
                         bias_constraint, implementation, **kwargs)

    def _local_conv(self, inputs):
        if self.data_format == 'channels_last':
            return K.local_conv1d(inputs, self.kernel, self.kernel_size, self.strides)
        # (N, C, L) as (N, C, 1, L): patches flatten as (C, window), Keras's order.
        y = K.local_conv2d(K.expand_dims(inputs, 2), self.kernel, (1,) + self.kernel_size,
                           (1,) + self.strides, (1,) + self._out, 'channels_first')
        return K.squeeze(y, 2)


class LocallyConnected2D(_LocallyConnected):
    """A 2D convolution whose weights are not shared: each output position
    has its own kernel.

    Arguments:
        filters: an int, the number of output channels.
        kernel_size: an int or a tuple of 2 ints, the size of the window.
        strides: an int or a tuple of 2 ints, the step of the window.
        padding: `'valid'`, or `'same'` with implementations 2 and 3.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        activation: the activation function (name or function; None: linear).
        use_bias: whether to add a bias (one per output position and channel).
        kernel_initializer: the initializer of the kernel.
        bias_initializer: the initializer of the bias.
        kernel_regularizer: a regularizer applied to the kernel.
        bias_regularizer: a regularizer applied to the bias.
        activity_regularizer: a regularizer applied to the output.
        kernel_constraint: a constraint applied to the kernel.
        bias_constraint: a constraint applied to the bias.
        implementation: 1, 2 or 3, the layout of the kernel (as in Keras): 1 one
            weight block per output position, 2 a dense masked matrix, 3 only
            the connected weights; all compute the same function.

    Input shape:
        4D tensor `(batch, rows, cols, channels)` (channels last) or
        `(batch, channels, rows, cols)` (channels first).

    Output shape:
        4D tensor `(batch, new_rows, new_cols, filters)` (channels last) or
        `(batch, filters, new_rows, new_cols)` (channels first).

    Raises:
        ValueError: if an argument is out of range, or `'same'` padding is asked
            of implementation 1.
    """
    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 implementation=1, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint,
                         bias_constraint, implementation, **kwargs)

    def _local_conv(self, inputs):
        return K.local_conv2d(inputs, self.kernel, self.kernel_size, self.strides, self._out,
                              self.data_format)
