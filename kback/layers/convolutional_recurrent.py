"""Convolutional-recurrent layers (Keras 2.3's `keras.layers.convolutional_recurrent`):
ConvRNN2D, the RNN over a convolutional cell, and ConvLSTM2D with its cell.

Inputs are (batch, time, rows, cols, channels) (channels_last) or (batch,
time, channels, rows, cols); states are images, which K.rnn's loop carries.
Without input dropout, the input convolution of every timestep runs once
before the loop, on all frames together, and the loop only adds the
recurrent convolution (as the fused LSTM does its input projection).
Weight layouts are Keras's: kernel (kh, kw, input channels, 4 * filters),
recurrent_kernel (kh, kw, filters, 4 * filters), gates i, f, c, o side by side.
"""
import numpy as np

from .. import backend as K
from .. import activations, initializers, regularizers, constraints
from ..engine.base_layer import Layer, InputSpec, accepts_argument
from ..engine.node import to_list
from ..utils import conv_utils
from .recurrent import RNN


def _state_sizes(cell):
    size = cell.state_size
    return list(size) if hasattr(size, '__len__') else [size]


def _dropout_masks(ones, rate, training, count):
    """`count` masks drawn once per call (outside the time loop), so every
    timestep of a sequence drops the same units, as Keras."""
    return [K.in_train_phase(lambda: K.dropout(ones, rate), ones, training=training)
            for _ in range(count)]


class ConvRNN2D(RNN):
    """Base class for convolutional-recurrent layers: runs a cell with image
    states over axis 1 of a 5-D input.  Masks, initial_state=, constants=,
    go_backwards, return_sequences/return_state and stateful=True (with a
    fixed batch size and image size) work as for RNN; it cannot unroll or
    stack cells (as in Keras 2.3).

    Arguments:
        cell: the cell run at each time step (e.g. a ConvLSTM2DCell).
        return_sequences: return the output of every time step instead of the last.
        return_state: also return the last states.
        go_backwards: process the sequence backwards.
        stateful: keep each batch's last states as the next batch's initial states.
        unroll: must be False (a convolutional RNN cannot unroll).
        **kwargs: the standard layer arguments.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        if unroll:
            raise TypeError("Unrolling isn't possible with convolutional RNNs.")
        if isinstance(cell, (list, tuple)):
            raise TypeError('It is not possible at the moment to stack convolutional cells.')
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=False, **kwargs)
        self.input_spec = [InputSpec(ndim=5)]

    def _state_shape(self, input_shape, channels):
        """(batch, rows', cols', channels) in the cell's data format."""
        cell = self.cell
        spatial = input_shape[3:5] if cell.data_format == 'channels_first' else input_shape[2:4]
        rows, cols = (conv_utils.conv_output_length(n, cell.kernel_size[i], cell.padding,
                                                    cell.strides[i], cell.dilation_rate[i])
                      for i, n in enumerate(spatial))
        if cell.data_format == 'channels_first':
            return (input_shape[0], channels, rows, cols)
        return (input_shape[0], rows, cols, channels)

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        state = self._state_shape(input_shape, self.cell.filters)
        output = state[:1] + input_shape[1:2] + state[1:] if self.return_sequences else state
        if self.return_state:
            return [output] + [self._state_shape(input_shape, d) for d in _state_sizes(self.cell)]
        return output

    def build(self, input_shape):
        constants_shape = None
        if self._num_constants is not None:
            constants_shape = list(input_shape[-self._num_constants:])
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        if len(input_shape) != 5:
            raise ValueError(f'Input 0 is incompatible with layer {self.name}: expected ndim=5, '
                             f'found ndim={len(input_shape)} (shape {input_shape})')
        batch_size = input_shape[0] if self.stateful else None
        self.input_spec[0] = InputSpec(shape=(batch_size, None) + input_shape[2:5])
        if isinstance(self.cell, Layer) and not self.cell.built:
            step_shape = (input_shape[0],) + input_shape[2:]
            self.cell.build([step_shape] + constants_shape if constants_shape else step_shape)
            self.cell.built = True
        channel = 1 if self.cell.data_format == 'channels_first' else 3
        sizes = _state_sizes(self.cell)
        if self.state_spec is not None:
            given = [spec.shape[channel] for spec in self.state_spec]
            if given != sizes:
                raise ValueError('An initial_state was passed that is not compatible with '
                                 f'`cell.state_size`. Received `state_spec`='
                                 f'{[spec.shape for spec in self.state_spec]}; however '
                                 f'`cell.state_size` is {self.cell.state_size}')
        else:
            self.state_spec = [InputSpec(shape=(None, d, None, None) if channel == 1 else
                                         (None, None, None, d)) for d in sizes]
        if self.stateful:
            self.reset_states()
        self.built = True

    def get_initial_state(self, inputs):
        # Zeros shaped as the cell's output: the input convolution of zeros.
        cell = self.cell
        zeros = K.zeros_like(inputs[:, 0])
        kernel = K.constant(np.zeros(cell.kernel_size + (cell.input_dim, cell.filters)),
                            dtype=K.dtype(inputs))
        state = cell.input_conv(zeros, kernel, padding=cell.padding)
        return [state for _ in _state_sizes(cell)]

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        if isinstance(inputs, list):
            extra = inputs[1:-self._num_constants] if self._num_constants else inputs[1:]
            if self._num_constants:
                constants = inputs[-self._num_constants:]
            initial_state = extra or None
            inputs = inputs[0]
        if initial_state is not None:
            initial_state = to_list(initial_state)
        elif self.stateful:
            initial_state = self.states
            if initial_state[0] is None:
                raise ValueError(f'{self.name}: a stateful RNN needs to be built before it is '
                                 'called')
        else:
            initial_state = self.get_initial_state(inputs)
        if isinstance(mask, list):
            mask = mask[0]
        if len(initial_state) != len(self.states):
            raise ValueError(f'Layer has {len(self.states)} states but was passed '
                             f'{len(initial_state)} initial states.')
        kwargs = {}
        if accepts_argument(self.cell.call, 'training'):
            kwargs['training'] = training
        prime = getattr(self.cell, 'prime_dropout', None)
        if prime is not None:
            prime(inputs[:, 0], initial_state[0], training)
        projected = None
        if not constants and hasattr(self.cell, 'project_inputs'):
            projected = self.cell.project_inputs(inputs)
        sequence = inputs if projected is None else projected
        if projected is not None:
            def step(x, states):
                return self.cell.step_on_projection(x, states)
        elif constants:
            if not accepts_argument(self.cell.call, 'constants'):
                raise ValueError('RNN cell does not support constants')
            n = len(constants)

            def step(x, states):
                return self.cell.call(x, states[:-n], constants=states[-n:], **kwargs)
        else:
            def step(x, states):
                return self.cell.call(x, states, **kwargs)
        try:
            last_output, outputs, states = K.rnn(step, sequence, initial_state, constants=constants,
                                                 go_backwards=self.go_backwards, mask=mask,
                                                 input_length=K.int_shape(inputs)[1])
        finally:
            if prime is not None:
                self.cell.clear_dropout()
        if self.stateful:
            self.add_update([(self.states[i], states[i]) for i in range(len(states))], inputs)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError('Layer must be stateful.')
        shapes = [self._state_shape(self.input_spec[0].shape, d) for d in _state_sizes(self.cell)]
        if None in shapes[0]:
            raise ValueError('If a RNN is stateful, it needs to know its batch size. Specify '
                             'the batch size of your input tensors: \n- If using a Sequential '
                             'model, specify the batch size by passing a `batch_input_shape` '
                             'argument to your first layer.\n- If using the functional API, '
                             'specify the time dimension by passing a `batch_shape` argument '
                             'to your Input layer.\nThe same thing goes for the number of rows '
                             f'and columns (state shape {shapes[0]}).')
        if self.states[0] is None:
            self.states = [K.zeros(shape) for shape in shapes]
        elif states is None:
            for state, shape in zip(self.states, shapes):
                K.set_value(state, np.zeros(shape))
        if states is not None:
            states = to_list(states)
            if len(states) != len(self.states):
                raise ValueError(f'Layer {self.name} expects {len(self.states)} states, but it '
                                 f'received {len(states)} state values. Input received: '
                                 f'{states}')
            for index, (value, state) in enumerate(zip(states, self.states)):
                value = np.asarray(value)
                if value.shape != shapes[index]:
                    raise ValueError(f'State {index} is incompatible with layer {self.name}: '
                                     f'expected shape={shapes[index]}, found '
                                     f'shape={value.shape}')
                K.set_value(state, value)


class ConvLSTM2DCell(Layer):
    """One timestep of ConvLSTM2D: the LSTM's gates with convolutions in
    place of the matrix products (input: strides/padding/dilation as given;
    recurrent: stride 1, 'same').

    Arguments:
        filters: the number of output filters (channels) of the convolutions.
        kernel_size: an int or 2 ints: the convolution window.
        strides: an int or 2 ints: the input convolution's strides.
        padding: 'valid' or 'same' (the input convolution's).
        data_format: 'channels_last' (default: `K.image_data_format()`) or 'channels_first'.
        dilation_rate: an int or 2 ints: the input convolution's dilation.
        activation: the activation of the cell's candidate and output (default 'tanh').
        recurrent_activation: the gates' activation (default 'hard_sigmoid', as Keras 2.3).
        use_bias: whether the gates have biases.
        kernel_initializer: the initializer of the input kernel.
        recurrent_initializer: the initializer of the recurrent kernel.
        bias_initializer: the initializer of the bias.
        unit_forget_bias: add 1 to the forget gate's bias at initialization.
        kernel_regularizer: a regularizer of the input kernel.
        recurrent_regularizer: a regularizer of the recurrent kernel.
        bias_regularizer: a regularizer of the bias.
        kernel_constraint: a constraint on the input kernel.
        recurrent_constraint: a constraint on the recurrent kernel.
        bias_constraint: a constraint on the bias.
        dropout: the fraction of the inputs dropped (one mask per sequence).
        recurrent_dropout: the fraction of the recurrent state dropped (one mask per sequence).
        **kwargs: the standard layer arguments.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), activation='tanh', recurrent_activation='hard_sigmoid',
                 use_bias=True, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        super().__init__(**kwargs)
        if int(filters) <= 0:
            raise ValueError(f'ConvLSTM2DCell: filters must be a positive integer, got {filters!r}')
        self.filters = int(filters)
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, 2, 'kernel_size')
        self.strides = conv_utils.normalize_tuple(strides, 2, 'strides')
        self.padding = conv_utils.normalize_padding(padding, allowed=('valid', 'same'))
        self.data_format = K.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, 2, 'dilation_rate')
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1., max(0., dropout))
        self.recurrent_dropout = min(1., max(0., recurrent_dropout))
        self.state_size = (self.filters, self.filters)
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        channel_axis = 1 if self.data_format == 'channels_first' else -1
        if input_shape[channel_axis] is None:
            raise ValueError('The channel dimension of the inputs should be defined. '
                             f'Found `None` (input shape {tuple(input_shape)}).')
        self.input_dim = input_shape[channel_axis]
        f = self.filters
        self.kernel_shape = self.kernel_size + (self.input_dim, 4 * f)
        self.kernel = self.add_weight(shape=self.kernel_shape, name='kernel',
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=self.kernel_size + (f, 4 * f),
                                                name='recurrent_kernel',
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(4 * f,), name='bias',
                                        initializer=self._bias_initializer(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        f, base = self.filters, self.bias_initializer

        def bias_initializer(shape, dtype=None):
            # The forget gate starts at 1 (Jozefowicz et al.).
            return K.concatenate([base((f,), dtype=dtype), initializers.Ones()((f,), dtype=dtype),
                                  base((2 * f,), dtype=dtype)])
        return bias_initializer

    def prime_dropout(self, inputs_t, state, training):
        """Draws this call's dropout masks (ConvRNN2D calls it before the loop)."""
        if 0 < self.dropout < 1:
            self._dropout_mask = _dropout_masks(K.ones_like(inputs_t), self.dropout, training, 4)
        if 0 < self.recurrent_dropout < 1:
            self._recurrent_dropout_mask = _dropout_masks(K.ones_like(state),
                                                          self.recurrent_dropout, training, 4)

    def clear_dropout(self):
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def _gates(self, x, kernel, masks, conv, bias=None):
        """The four gates' convolutions side by side on the channel axis: one
        convolution with the whole kernel, or one per gate under dropout."""
        if masks is None:
            return conv(x, kernel, bias)
        f = self.filters
        axis = 1 if self.data_format == 'channels_first' else -1
        return K.concatenate([conv(x * masks[k], kernel[:, :, :, k * f:(k + 1) * f],
                                   None if bias is None else bias[k * f:(k + 1) * f])
                              for k in range(4)], axis=axis)

    def _input_gates(self, inputs):
        return self._gates(inputs, self.kernel, self._dropout_mask,
                           lambda x, w, b: self.input_conv(x, w, b, padding=self.padding),
                           self.bias)

    def project_inputs(self, inputs):
        """The four gates' input convolutions (+ bias) of every timestep of
        `inputs` (batch, time, ...) at once, or None under input dropout
        (each gate then sees its own masked input)."""
        if self._dropout_mask is not None:
            return None
        shape = K.int_shape(inputs)
        z = self._input_gates(K.reshape(inputs, (-1,) + tuple(shape[2:])))
        sizes = K.shape(inputs)
        return K.reshape(z, [sizes[0], sizes[1]] + list(K.int_shape(z)[1:]))

    def call(self, inputs, states, training=None):
        if 0 < self.dropout < 1 and self._dropout_mask is None or \
                0 < self.recurrent_dropout < 1 and self._recurrent_dropout_mask is None:
            self.prime_dropout(inputs, states[0], training)     # the cell used on its own
        return self.step_on_projection(self._input_gates(inputs), states)

    def step_on_projection(self, z_inputs, states):
        """One timestep from the input gates' pre-activations z_inputs."""
        h_tm1, c_tm1 = states[0], states[1]
        z = z_inputs + self._gates(h_tm1, self.recurrent_kernel, self._recurrent_dropout_mask,
                                   lambda x, w, b: self.recurrent_conv(x, w))
        f = self.filters
        if self.data_format == 'channels_first':
            zi, zf, zc, zo = (z[:, k * f:(k + 1) * f] for k in range(4))
        else:
            zi, zf, zc, zo = (z[..., k * f:(k + 1) * f] for k in range(4))
        i = self.recurrent_activation(zi)
        f_gate = self.recurrent_activation(zf)
        c = f_gate * c_tm1 + i * self.activation(zc)
        o = self.recurrent_activation(zo)
        h = o * self.activation(c)
        return h, [h, c]

    def input_conv(self, x, w, b=None, padding='valid'):
        out = K.conv2d(x, w, strides=self.strides, padding=padding,
                       data_format=self.data_format, dilation_rate=self.dilation_rate)
        return out if b is None else K.bias_add(out, b, data_format=self.data_format)

    def recurrent_conv(self, x, w):
        return K.conv2d(x, w, strides=(1, 1), padding='same', data_format=self.data_format)

    def get_config(self):
        config = {'filters': self.filters,
                  'kernel_size': self.kernel_size,
                  'strides': self.strides,
                  'padding': self.padding,
                  'data_format': self.data_format,
                  'dilation_rate': self.dilation_rate,
                  'activation': activations.serialize(self.activation),
                  'recurrent_activation': activations.serialize(self.recurrent_activation),
                  'use_bias': self.use_bias,
                  'kernel_initializer': initializers.serialize(self.kernel_initializer),
                  'recurrent_initializer': initializers.serialize(self.recurrent_initializer),
                  'bias_initializer': initializers.serialize(self.bias_initializer),
                  'unit_forget_bias': self.unit_forget_bias,
                  'kernel_regularizer': regularizers.serialize(self.kernel_regularizer),
                  'recurrent_regularizer': regularizers.serialize(self.recurrent_regularizer),
                  'bias_regularizer': regularizers.serialize(self.bias_regularizer),
                  'kernel_constraint': constraints.serialize(self.kernel_constraint),
                  'recurrent_constraint': constraints.serialize(self.recurrent_constraint),
                  'bias_constraint': constraints.serialize(self.bias_constraint),
                  'dropout': self.dropout,
                  'recurrent_dropout': self.recurrent_dropout}
        return dict(super().get_config(), **config)


_CELL_ARGS = ('filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate',
              'activation', 'recurrent_activation', 'use_bias', 'kernel_initializer',
              'recurrent_initializer', 'bias_initializer', 'unit_forget_bias',
              'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer',
              'kernel_constraint', 'recurrent_constraint', 'bias_constraint', 'dropout',
              'recurrent_dropout')


class ConvLSTM2D(ConvRNN2D):
    """Convolutional LSTM (Shi et al. 2015, without the peephole connections,
    as Keras): an LSTM whose input and recurrent transformations are
    convolutions.  Output (batch, [time,] rows', cols', filters) for
    channels_last, (batch, [time,] filters, rows', cols') for channels_first.

    Arguments:
        filters: the number of output filters (channels) of the convolutions.
        kernel_size: an int or 2 ints: the convolution window.
        strides: an int or 2 ints: the input convolution's strides.
        padding: 'valid' or 'same' (the input convolution's).
        data_format: 'channels_last' (default: `K.image_data_format()`) or 'channels_first'.
        dilation_rate: an int or 2 ints: the input convolution's dilation.
        activation: the activation of the cell's candidate and output (default 'tanh').
        recurrent_activation: the gates' activation (default 'hard_sigmoid', as Keras 2.3).
        use_bias: whether the gates have biases.
        kernel_initializer: the initializer of the input kernel.
        recurrent_initializer: the initializer of the recurrent kernel.
        bias_initializer: the initializer of the bias.
        unit_forget_bias: add 1 to the forget gate's bias at initialization.
        kernel_regularizer: a regularizer of the input kernel.
        recurrent_regularizer: a regularizer of the recurrent kernel.
        bias_regularizer: a regularizer of the bias.
        activity_regularizer: a regularizer of the layer's output.
        kernel_constraint: a constraint on the input kernel.
        recurrent_constraint: a constraint on the recurrent kernel.
        bias_constraint: a constraint on the bias.
        return_sequences: return the output of every time step instead of the last.
        go_backwards: process the sequence backwards.
        stateful: keep each batch's last states as the next batch's initial states.
        dropout: the fraction of the inputs dropped (one mask per sequence).
        recurrent_dropout: the fraction of the recurrent state dropped (one mask per sequence).
        **kwargs: the standard layer arguments.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), activation='tanh', recurrent_activation='hard_sigmoid',
                 use_bias=True, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False,
                 go_backwards=False, stateful=False, dropout=0., recurrent_dropout=0., **kwargs):
        cell = ConvLSTM2DCell(
            filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, dtype=kwargs.get('dtype'))
        super().__init__(cell, return_sequences=return_sequences, go_backwards=go_backwards,
                         stateful=stateful, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    def __getattr__(self, name):
        # filters, kernel_size, dropout, ...: the cell's values, as Keras's properties.
        if name in _CELL_ARGS and 'cell' in self.__dict__:
            return getattr(self.__dict__['cell'], name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def get_config(self):
        cell_config = self.cell.get_config()
        config = {k: cell_config[k] for k in _CELL_ARGS}
        config['activity_regularizer'] = regularizers.serialize(self.activity_regularizer)
        base = super().get_config()
        del base['cell']
        return dict(base, **config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
