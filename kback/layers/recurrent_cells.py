"""The cells of Keras 2.3's recurrent layers: SimpleRNNCell, GRUCell, LSTMCell.

A cell computes one timestep: `call(inputs_t, states_t) -> (output_t,
new_states)`; the RNN layer iterates it over time with K.rnn.  Weight
layouts follow Keras: kernel (input_dim, n * units), recurrent_kernel
(units, n * units), gates side by side (GRU: z, r, h; LSTM: i, f, c, o).

These three cells, with activations the compiled loops know, run a whole
sequence as one fused op instead (`fused_sequence`): the input projections
of all timesteps in one product, then the time loop and its backward in
kback_core.  Subclasses, other activations and recurrent dropout take K.rnn.
"""
import numpy as np

from .. import backend as K
from .. import activations, initializers, regularizers, constraints
from ..engine.base_layer import Layer


def _generate_dropout_mask(ones, rate, training=None, count=1):
    def dropped_inputs():
        return K.dropout(ones, rate)
    if count > 1:
        return [K.in_train_phase(dropped_inputs, ones, training=training) for _ in range(count)]
    return K.in_train_phase(dropped_inputs, ones, training=training)


class _Cell(Layer):
    """What the three cells share: arguments, weights and dropout masks."""
    _gates = 1
    _serialized = ()

    def __init__(self, units, activation='tanh', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f'{type(self).__name__}: units must be a positive integer, '
                             f'got {units!r}')
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1., max(0., dropout))
        self.recurrent_dropout = min(1., max(0., recurrent_dropout))
        self.state_size = self.units
        self.output_size = self.units
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_init(self):
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
        if self.use_bias:
            self.bias = self.add_weight(shape=self._bias_shape(), name='bias',
                                        initializer=self._bias_init(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def _masks(self, inputs, h_tm1, training):
        """The dropout masks (one per gate), made on first use in a call; the
        RNN layer makes them before the loop so every timestep shares them."""
        count = self._gates if self._gates > 1 else 1
        if 0 < self.dropout < 1 and self._dropout_mask is None:
            self._dropout_mask = _generate_dropout_mask(K.ones_like(inputs), self.dropout,
                                                        training, count)
        if 0 < self.recurrent_dropout < 1 and self._recurrent_dropout_mask is None:
            self._recurrent_dropout_mask = _generate_dropout_mask(
                K.ones_like(h_tm1), self.recurrent_dropout, training, count)
        return _as_list(self._dropout_mask, count), _as_list(self._recurrent_dropout_mask, count)

    def _gate_inputs(self, x, masks, bias):
        """x @ kernel (+ bias), per gate when each has its own dropout mask."""
        u = self.units
        if masks is None:
            out = K.dot(x, self.kernel)
        else:
            out = K.concatenate([K.dot(x * masks[k], self.kernel[:, k * u:(k + 1) * u])
                                 for k in range(self._gates)], axis=-1)
        return out if bias is None else K.bias_add(out, bias)

    def _recurrent(self, h, masks, columns):
        """h @ recurrent_kernel[:, columns] with the gates' recurrent dropout."""
        u = self.units
        start, stop = columns
        if masks is None:
            return K.dot(h, self.recurrent_kernel[:, start * u:stop * u])
        return K.concatenate([K.dot(h * masks[k], self.recurrent_kernel[:, k * u:(k + 1) * u])
                              for k in range(start, stop)], axis=-1)

    def get_config(self):
        config = {'units': self.units,
                  'activation': activations.serialize(self.activation)}
        if 'recurrent_activation' in self._serialized:
            config['recurrent_activation'] = activations.serialize(self.recurrent_activation)
        config.update({
            'use_bias': self.use_bias,
            'kernel_initializer': initializers.serialize(self.kernel_initializer),
            'recurrent_initializer': initializers.serialize(self.recurrent_initializer),
            'bias_initializer': initializers.serialize(self.bias_initializer)})
        if 'unit_forget_bias' in self._serialized:
            config['unit_forget_bias'] = self.unit_forget_bias
        config.update({
            'kernel_regularizer': regularizers.serialize(self.kernel_regularizer),
            'recurrent_regularizer': regularizers.serialize(self.recurrent_regularizer),
            'bias_regularizer': regularizers.serialize(self.bias_regularizer),
            'kernel_constraint': constraints.serialize(self.kernel_constraint),
            'recurrent_constraint': constraints.serialize(self.recurrent_constraint),
            'bias_constraint': constraints.serialize(self.bias_constraint),
            'dropout': self.dropout,
            'recurrent_dropout': self.recurrent_dropout})
        if 'implementation' in self._serialized:
            config['implementation'] = self.implementation
        if 'reset_after' in self._serialized:
            config['reset_after'] = self.reset_after
        return dict(super().get_config(), **config)


def _as_list(mask, count):
    if mask is None:
        return None
    masks = mask if isinstance(mask, (list, tuple)) else [mask]
    return list(masks) * count if len(masks) == 1 else list(masks)


class SimpleRNNCell(_Cell):
    """One step of `SimpleRNN`, for `RNN` (or to stack with `StackedRNNCells`).

    Arguments:
        units: a positive int, the size of the output and state.
        activation: the activation of the candidate (default tanh).
        use_bias: whether to add biases.
        kernel_initializer: the initializer of the input kernel.
        recurrent_initializer: the initializer of the recurrent kernel.
        bias_initializer: the initializer of the bias.
        kernel_regularizer: a regularizer applied to the input kernel.
        recurrent_regularizer: a regularizer applied to the recurrent kernel.
        bias_regularizer: a regularizer applied to the bias.
        kernel_constraint: a constraint applied to the input kernel.
        recurrent_constraint: a constraint applied to the recurrent kernel.
        bias_constraint: a constraint applied to the bias.
        dropout: a float in [0, 1), the fraction of the inputs dropped (the same
            units at every step).
        recurrent_dropout: a float in [0, 1), the fraction of the recurrent
            state dropped.

    Input shape:
        `(batch, features)` per step; `RNN(cell)` takes `(batch, timesteps, features)`.

    Output shape:
        `(batch, units)`.
    """

    def call(self, inputs, states, training=None):
        prev_output = states[0]
        dp, rec_dp = self._masks(inputs, prev_output, training)
        h = self._gate_inputs(inputs, dp, self.bias)
        output = h + self._recurrent(prev_output, rec_dp, (0, 1))
        if self.activation is not None:
            output = self.activation(output)
        return output, [output]


class GRUCell(_Cell):
    """One step of `GRU`, for `RNN` (or to stack with `StackedRNNCells`).

    Arguments:
        units: a positive int, the size of the output and state.
        activation: the activation of the candidate (default tanh).
        recurrent_activation: the activation of the gates (default sigmoid).
        use_bias: whether to add biases.
        kernel_initializer: the initializer of the input kernel.
        recurrent_initializer: the initializer of the recurrent kernel.
        bias_initializer: the initializer of the bias.
        kernel_regularizer: a regularizer applied to the input kernel.
        recurrent_regularizer: a regularizer applied to the recurrent kernel.
        bias_regularizer: a regularizer applied to the bias.
        kernel_constraint: a constraint applied to the input kernel.
        recurrent_constraint: a constraint applied to the recurrent kernel.
        bias_constraint: a constraint applied to the bias.
        dropout: a float in [0, 1), the fraction of the inputs dropped (the same
            units at every step).
        recurrent_dropout: a float in [0, 1), the fraction of the recurrent
            state dropped.
        implementation: 1 or 2, accepted as in Keras (both compute the same
            function).
        reset_after: whether the reset gate applies after the recurrent product
            (the CuDNN-compatible form, with separate input and recurrent
            biases).

    Input shape:
        `(batch, features)` per step; `RNN(cell)` takes `(batch, timesteps, features)`.

    Output shape:
        `(batch, units)`.
    """
    _gates = 3
    _serialized = ('recurrent_activation', 'implementation', 'reset_after')

    def __init__(self, units, activation='tanh', recurrent_activation='sigmoid', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., implementation=2,
                 reset_after=False, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.implementation = implementation
        self.reset_after = reset_after

    def _bias_shape(self):
        # reset_after: separate input and recurrent biases, rows 0 and 1.
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=None):
        h_tm1 = states[0]
        u = self.units
        dp, rec_dp = self._masks(inputs, h_tm1, training)
        if self.bias is None:
            input_bias = recurrent_bias = None
        elif self.reset_after:
            input_bias, recurrent_bias = self.bias[0], self.bias[1]
        else:
            input_bias, recurrent_bias = self.bias, None
        x = self._gate_inputs(inputs, dp, input_bias)
        x_z, x_r, x_h = x[:, :u], x[:, u:2 * u], x[:, 2 * u:]
        if self.reset_after:
            inner = self._recurrent(h_tm1, rec_dp, (0, 3))
            if recurrent_bias is not None:
                inner = K.bias_add(inner, recurrent_bias)
        else:
            inner = self._recurrent(h_tm1, rec_dp, (0, 2))
        z = self.recurrent_activation(x_z + inner[:, :u])
        r = self.recurrent_activation(x_r + inner[:, u:2 * u])
        if self.reset_after:
            recurrent_h = r * inner[:, 2 * u:]
        else:
            h_h = h_tm1 if rec_dp is None else h_tm1 * rec_dp[2]
            recurrent_h = K.dot(r * h_h, self.recurrent_kernel[:, 2 * u:])
        hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]


class LSTMCell(_Cell):
    """One step of `LSTM`, for `RNN` (or to stack with `StackedRNNCells`).

    Arguments:
        units: a positive int, the size of the output and state.
        activation: the activation of the candidate (default tanh).
        recurrent_activation: the activation of the gates (default sigmoid).
        use_bias: whether to add biases.
        kernel_initializer: the initializer of the input kernel.
        recurrent_initializer: the initializer of the recurrent kernel.
        bias_initializer: the initializer of the bias.
        unit_forget_bias: whether to start the forget gate's bias at 1 (with
            `bias_initializer` zeros), as Jozefowicz et al. advise.
        kernel_regularizer: a regularizer applied to the input kernel.
        recurrent_regularizer: a regularizer applied to the recurrent kernel.
        bias_regularizer: a regularizer applied to the bias.
        kernel_constraint: a constraint applied to the input kernel.
        recurrent_constraint: a constraint applied to the recurrent kernel.
        bias_constraint: a constraint applied to the bias.
        dropout: a float in [0, 1), the fraction of the inputs dropped (the same
            units at every step).
        recurrent_dropout: a float in [0, 1), the fraction of the recurrent
            state dropped.
        implementation: 1 or 2, accepted as in Keras (both compute the same
            function).

    Input shape:
        `(batch, features)` per step; `RNN(cell)` takes `(batch, timesteps, features)`.

    Output shape:
        `(batch, units)`.
    """
    _gates = 4
    _serialized = ('recurrent_activation', 'unit_forget_bias', 'implementation')

    def __init__(self, units, activation='tanh', recurrent_activation='sigmoid', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.,
                 recurrent_dropout=0., implementation=2, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.implementation = implementation
        self.state_size = (self.units, self.units)

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, base = self.units, self.bias_initializer

        def bias_initializer(shape, dtype=None):
            # The forget gate starts at 1 (Jozefowicz et al.).
            return K.concatenate([base((units,), dtype=dtype),
                                  initializers.Ones()((units,), dtype=dtype),
                                  base((units * 2,), dtype=dtype)])
        return bias_initializer

    def call(self, inputs, states, training=None):
        h_tm1, c_tm1 = states[0], states[1]
        u = self.units
        dp, rec_dp = self._masks(inputs, h_tm1, training)
        z = self._gate_inputs(inputs, dp, self.bias) + self._recurrent(h_tm1, rec_dp, (0, 4))
        i = self.recurrent_activation(z[:, :u])
        f = self.recurrent_activation(z[:, u:2 * u])
        c = f * c_tm1 + i * self.activation(z[:, 2 * u:3 * u])
        o = self.recurrent_activation(z[:, 3 * u:])
        h = o * self.activation(c)
        return h, [h, c]


def prime_dropout(cells, batch_ref, initial_state, training):
    """Makes the cells' dropout masks outside the time loop, so every timestep
    uses the same ones (batch_ref: zeros of shape (batch, 1))."""
    for cell in cells:
        if not isinstance(cell, _Cell):
            continue
        count = cell._gates if cell._gates > 1 else 1
        if 0 < cell.dropout < 1:
            ones = batch_ref + np.ones((1, K.int_shape(cell.kernel)[0]), dtype=K.dtype(batch_ref))
            cell._dropout_mask = _generate_dropout_mask(ones, cell.dropout, training, count)
        if 0 < cell.recurrent_dropout < 1:
            ones = batch_ref + np.ones((1, cell.units), dtype=K.dtype(batch_ref))
            cell._recurrent_dropout_mask = _generate_dropout_mask(ones, cell.recurrent_dropout,
                                                                  training, count)


def clear_dropout(cells):
    for cell in cells:
        if isinstance(cell, _Cell):
            cell._dropout_mask = None
            cell._recurrent_dropout_mask = None


_FUSED = {SimpleRNNCell: 'simple_rnn', GRUCell: 'gru', LSTMCell: 'lstm'}


def _activation_name(fn):
    """The fused loops' name for a built-in activation function, else None."""
    for name in K.fused_rnn_activations():
        if fn is activations.get(name):
            return name
    return None


def _projection(cell, inputs):
    """inputs (batch, time, features) @ kernel as one product over all
    timesteps; with input dropout, each gate's masked inputs times its
    columns, as the cell's step does."""
    features = K.int_shape(inputs)[-1]
    width = cell._gates * cell.units
    masks = _as_list(cell._dropout_mask, cell._gates)
    if masks is None:
        flat = K.dot(K.reshape(inputs, (-1, features)), cell.kernel)
    else:
        u = cell.units
        flat = K.concatenate([
            K.dot(K.reshape(inputs * K.expand_dims(masks[k], 1), (-1, features)),
                  cell.kernel[:, k * u:(k + 1) * u]) for k in range(cell._gates)], axis=-1)
    timesteps = K.int_shape(inputs)[1]
    if timesteps is not None:
        return K.reshape(flat, (-1, timesteps, width))
    return K.reshape(flat, (K.shape(inputs)[0], -1, width))


def fused_sequence(cell, inputs, initial_state, mask, go_backwards):
    """(last_output, outputs, states) of `cell` over `inputs` by the fused
    loop, or None when the cell is not one it computes.  Call between
    prime_dropout and clear_dropout, as K.rnn."""
    kind = _FUSED.get(type(cell))
    if kind is None:
        return None
    activation = _activation_name(cell.activation)
    recurrent = _activation_name(getattr(cell, 'recurrent_activation', activations.linear))
    if activation is None or recurrent is None:
        return None
    # the loop adds the input bias itself (no pass over the projection)
    xw = _projection(cell, inputs)
    rmasks = _as_list(cell._recurrent_dropout_mask, cell._gates)
    if kind == 'lstm':
        return K.lstm_sequence(xw, cell.recurrent_kernel, initial_state, mask=mask,
                               go_backwards=go_backwards, activation=activation,
                               recurrent_activation=recurrent, bias=cell.bias,
                               recurrent_dropout_masks=rmasks)
    if kind == 'simple_rnn':
        return K.simple_rnn_sequence(xw, cell.recurrent_kernel, initial_state[0], mask=mask,
                                     go_backwards=go_backwards, activation=activation,
                                     bias=cell.bias, recurrent_dropout_masks=rmasks)
    input_bias = recurrent_bias = None
    if cell.bias is not None:
        input_bias, recurrent_bias = (cell.bias[0], cell.bias[1]) if cell.reset_after else \
            (cell.bias, None)
    return K.gru_sequence(xw, cell.recurrent_kernel, initial_state[0],
                          recurrent_bias=recurrent_bias, mask=mask, go_backwards=go_backwards,
                          activation=activation, recurrent_activation=recurrent,
                          reset_after=cell.reset_after, bias=input_bias,
                          recurrent_dropout_masks=rmasks)
