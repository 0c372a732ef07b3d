"""CuDNNGRU and CuDNNLSTM (Keras 2.3's `keras.layers.cudnn_recurrent`) on the CPU.

Keras runs these only on an NVIDIA GPU; kback computes the same functions
with the same weights, so models built or saved with them run here:
kernel (input_dim, n * units), recurrent_kernel (units, n * units) and one
bias holding the input biases then the recurrent biases (cuDNN keeps both),
gates in Keras's order (GRU: z, r, h; LSTM: i, f, c, o).  The GRU applies
its reset gate after the recurrent product (GRU(reset_after=True)); both use
sigmoid gates and tanh.  As in Keras, they take no masks, dropout or unroll.
"""
from .. import backend as K
from .. import initializers, regularizers, constraints
from ..engine.base_layer import Layer
from .recurrent import RNN


class _CuDNNCell(Layer):
    """Weights and config shared by the two cells."""
    _gates = None

    def __init__(self, units, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f'{type(self).__name__}: units must be a positive integer, '
                             f'got {units!r}')
        self.units = int(units)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        n = self._gates * self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], n), name='kernel',
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, n), name='recurrent_kernel',
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(shape=(2 * n,), name='bias',
                                    initializer=self._bias_initializer(),
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint)
        self.built = True

    def _products(self, x, h):
        """x @ kernel + input bias, h @ recurrent_kernel + recurrent bias."""
        n = self._gates * self.units
        return (K.bias_add(K.dot(x, self.kernel), self.bias[:n]),
                K.bias_add(K.dot(h, self.recurrent_kernel), self.bias[n:]))


class _CuDNNGRUCell(_CuDNNCell):
    _gates = 3

    @property
    def state_size(self):
        return self.units

    def call(self, inputs, states):
        h_tm1 = states[0]
        u = self.units
        x, r_h = self._products(inputs, h_tm1)
        z = K.sigmoid(x[:, :u] + r_h[:, :u])
        r = K.sigmoid(x[:, u:2 * u] + r_h[:, u:2 * u])
        hh = K.tanh(x[:, 2 * u:] + r * r_h[:, 2 * u:])
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]


class _CuDNNLSTMCell(_CuDNNCell):
    _gates = 4

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = unit_forget_bias

    @property
    def state_size(self):
        return (self.units, self.units)

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, base = self.units, self.bias_initializer

        def bias_initializer(shape, dtype=None):
            # Keras puts the 1 in the forget gate's recurrent bias.
            return K.concatenate([base((5 * units,), dtype=dtype),
                                  initializers.Ones()((units,), dtype=dtype),
                                  base((2 * units,), dtype=dtype)])
        return bias_initializer

    def call(self, inputs, states):
        h_tm1, c_tm1 = states[0], states[1]
        u = self.units
        x, r_h = self._products(inputs, h_tm1)
        z = x + r_h
        i = K.sigmoid(z[:, :u])
        f = K.sigmoid(z[:, u:2 * u])
        c = f * c_tm1 + i * K.tanh(z[:, 2 * u:3 * u])
        o = K.sigmoid(z[:, 3 * u:])
        h = o * K.tanh(c)
        return h, [h, c]


_CELL_ARGS = ('units', 'kernel_initializer', 'recurrent_initializer', 'bias_initializer',
              'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer',
              'kernel_constraint', 'recurrent_constraint', 'bias_constraint')


class _CuDNNRNN(RNN):
    """An RNN over one of the cells above; Keras's config keys (no `cell`)."""
    _cell_args = _CELL_ARGS

    def __init__(self, cell, activity_regularizer=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, **kwargs):
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, **kwargs)
        self.supports_masking = False
        self.activity_regularizer = regularizers.get(activity_regularizer)

    def __getattr__(self, name):
        # units, kernel_initializer, ...: the cell's values, as Keras's attributes.
        if name in self._cell_args and 'cell' in self.__dict__:
            return getattr(self.__dict__['cell'], name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def call(self, inputs, mask=None, training=None, initial_state=None):
        if isinstance(mask, list):
            mask = mask[0]
        if mask is not None:
            raise ValueError(f'{self.name}: Masking is not supported for CuDNN RNNs.')
        return super().call(inputs, training=training, initial_state=initial_state)

    def get_config(self):
        config = {'return_sequences': self.return_sequences,
                  'return_state': self.return_state,
                  'go_backwards': self.go_backwards,
                  'stateful': self.stateful}
        for name in self._cell_args:
            value = getattr(self.cell, name)
            if name.endswith('_initializer'):
                value = initializers.serialize(value)
            elif name.endswith('_regularizer'):
                value = regularizers.serialize(value)
            elif name.endswith('_constraint'):
                value = constraints.serialize(value)
            config[name] = value
        config['activity_regularizer'] = regularizers.serialize(self.activity_regularizer)
        return dict(Layer.get_config(self), **config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


class CuDNNGRU(_CuDNNRNN):
    """The GRU of cuDNN: GRU(reset_after=True, recurrent_activation='sigmoid')
    with its two biases in one (6 * units,) vector.

    Arguments:
        units: the dimension of the output and state.
        kernel_initializer: the initializer of the input kernel.
        recurrent_initializer: the initializer of the recurrent kernel.
        bias_initializer: the initializer of the bias.
        kernel_regularizer: a regularizer of the input kernel.
        recurrent_regularizer: a regularizer of the recurrent kernel.
        bias_regularizer: a regularizer of the bias.
        activity_regularizer: a regularizer of the layer's output.
        kernel_constraint: a constraint on the input kernel.
        recurrent_constraint: a constraint on the recurrent kernel.
        bias_constraint: a constraint on the bias.
        return_sequences: return the output of every time step instead of the last.
        return_state: also return the last states.
        stateful: keep each batch's last states as the next batch's initial states.
        **kwargs: the standard layer arguments.
    """

    def __init__(self, units, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, return_sequences=False, return_state=False,
                 stateful=False, **kwargs):
        cell = _CuDNNGRUCell(units, kernel_initializer=kernel_initializer,
                             recurrent_initializer=recurrent_initializer,
                             bias_initializer=bias_initializer,
                             kernel_regularizer=kernel_regularizer,
                             recurrent_regularizer=recurrent_regularizer,
                             bias_regularizer=bias_regularizer,
                             kernel_constraint=kernel_constraint,
                             recurrent_constraint=recurrent_constraint,
                             bias_constraint=bias_constraint, dtype=kwargs.get('dtype'))
        super().__init__(cell, activity_regularizer=activity_regularizer,
                         return_sequences=return_sequences, return_state=return_state,
                         stateful=stateful, **kwargs)


class CuDNNLSTM(_CuDNNRNN):
    """The LSTM of cuDNN: sigmoid gates, tanh, and input and recurrent biases
    in one (8 * units,) vector (they add up); unit_forget_bias sets the
    forget gate's recurrent bias to 1.

    Arguments:
        units: the dimension of the output and state.
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
        return_state: also return the last states.
        stateful: keep each batch's last states as the next batch's initial states.
        **kwargs: the standard layer arguments.
    """
    _cell_args = _CELL_ARGS + ('unit_forget_bias',)

    def __init__(self, units, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False,
                 return_state=False, stateful=False, **kwargs):
        cell = _CuDNNLSTMCell(units, unit_forget_bias=unit_forget_bias,
                              kernel_initializer=kernel_initializer,
                              recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer,
                              kernel_regularizer=kernel_regularizer,
                              recurrent_regularizer=recurrent_regularizer,
                              bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint,
                              recurrent_constraint=recurrent_constraint,
                              bias_constraint=bias_constraint, dtype=kwargs.get('dtype'))
        super().__init__(cell, activity_regularizer=activity_regularizer,
                         return_sequences=return_sequences, return_state=return_state,
                         stateful=stateful, **kwargs)
