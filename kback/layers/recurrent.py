"""Recurrent layers (Keras 2.3's `keras.layers.recurrent`): the generic RNN
layer over a cell, StackedRNNCells, and SimpleRNN, GRU, LSTM.

The built-in cells with their standard activations run as one fused loop op
(`recurrent_cells.fused_sequence`); any other cell runs K.rnn: a symbolic
loop by default (any number of timesteps, also unknown ones), unrolled into
the graph with unroll=True (which always takes K.rnn).
"""
import warnings

import numpy as np

from .. import backend as K
from .. import regularizers
from ..engine.base_layer import Layer, InputSpec, accepts_argument
from ..engine.node import to_list
from .recurrent_cells import (SimpleRNNCell, GRUCell, LSTMCell,  # noqa: F401
                              prime_dropout, clear_dropout, fused_sequence)


def _sizes(state_size):
    return list(state_size) if hasattr(state_size, '__len__') else [state_size]


def _output_size(cell):
    size = getattr(cell, 'output_size', None)
    return size if size is not None else _sizes(cell.state_size)[0]


class StackedRNNCells(Layer):
    """Several recurrent cells used as one: each cell's output is the next one's
    input.

    The states are the cells' states in order (`[h1, c1, h2, c2]` for two
    LSTM cells).

    Arguments:
        cells: a list of cells (objects with `call(inputs, states)` and
            `state_size`).

    Raises:
        ValueError: if a cell lacks `call` or `state_size`.
    """

    def __init__(self, cells, **kwargs):
        for cell in cells:
            if not hasattr(cell, 'call'):
                raise ValueError(f'All cells must have a `call` method. received cells: {cells}')
            if not hasattr(cell, 'state_size'):
                raise ValueError('All cells must have a `state_size` attribute. received '
                                 f'cells: {cells}')
        self.cells = list(cells)
        self.reverse_state_order = kwargs.pop('reverse_state_order', False)
        if self.reverse_state_order:
            warnings.warn('`reverse_state_order=True` in `StackedRNNCells` will soon be '
                          'deprecated.')
        super().__init__(**kwargs)
        self._layers = [c for c in self.cells if isinstance(c, Layer)]

    def _ordered(self):
        return self.cells[::-1] if self.reverse_state_order else self.cells

    @property
    def state_size(self):
        sizes = []
        for cell in self._ordered():
            sizes += _sizes(cell.state_size)
        return tuple(sizes)

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def call(self, inputs, states, constants=None, **kwargs):
        states = list(states)
        nested = []
        for cell in self._ordered():
            n = len(_sizes(cell.state_size))
            nested.append(states[:n])
            states = states[n:]
        if self.reverse_state_order:
            nested = nested[::-1]
        new_nested = []
        for cell, cell_states in zip(self.cells, nested):
            cell_kwargs = {k: v for k, v in kwargs.items() if accepts_argument(cell.call, k)}
            if accepts_argument(cell.call, 'constants'):
                cell_kwargs['constants'] = constants
            inputs, cell_states = cell.call(inputs, cell_states, **cell_kwargs)
            new_nested.append(to_list(cell_states))
        if self.reverse_state_order:
            new_nested = new_nested[::-1]
        return inputs, [s for cell_states in new_nested for s in cell_states]

    def build(self, input_shape):
        constants_shape = None
        if isinstance(input_shape, list):
            constants_shape = input_shape[1:]
            input_shape = input_shape[0]
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                if constants_shape and accepts_argument(cell.call, 'constants'):
                    cell.build([input_shape] + constants_shape)
                else:
                    cell.build(input_shape)
                cell.built = True
            input_shape = (input_shape[0], _output_size(cell))
        self.built = True

    def get_config(self):
        cells = [{'class_name': type(c).__name__, 'config': c.get_config()} for c in self.cells]
        return dict(super().get_config(), cells=cells)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize
        config = dict(config)
        cells = [deserialize(c, custom_objects=custom_objects) for c in config.pop('cells')]
        return cls(cells, **config)


def _standardize_args(inputs, initial_state, constants, num_constants):
    """Splits a list input [x, states..., constants...] into its parts."""
    if isinstance(inputs, (list, tuple)):
        inputs = list(inputs)
        if initial_state is not None or constants is not None:
            raise ValueError('RNN: give the initial state and constants either in the input '
                             'list or as keyword arguments, not both')
        if num_constants is not None:
            constants = inputs[-num_constants:]
            inputs = inputs[:-num_constants]
        if len(inputs) > 1:
            initial_state = inputs[1:]
        inputs = inputs[0]

    def to_list_or_none(x):
        if x is None or isinstance(x, list):
            return x
        if isinstance(x, tuple):
            return list(x)
        return [x]
    return inputs, to_list_or_none(initial_state), to_list_or_none(constants)


class RNN(Layer):
    """The base recurrent layer: runs a cell over the time axis of its input.

    The cell is any object with a `call(inputs_t, states) -> (output_t, new_states)`
    method and a `state_size` attribute (an int or a list of ints); a list of
    cells is stacked. Calling the layer also accepts `mask`, `training`,
    `initial_state` (a list of tensors) and `constants` (tensors given to the
    cell at every step).

    Arguments:
        cell: a cell instance, or a list of cells to stack.
        return_sequences: whether to return the output of every timestep,
            `(batch, timesteps, units)`, or only the last one, `(batch, units)`.
        return_state: whether to return the final states too, after the output.
        go_backwards: whether to run over the sequence in reverse (the output
            sequence is then reversed).
        stateful: whether the final states of each batch become the initial
            states of the next one (sample i of a batch continues sample i of
            the previous batch; needs a fixed batch size).
        unroll: whether to unroll the time loop into the graph (faster for short
            sequences, needs a known number of timesteps).

    Input shape:
        3D tensor `(batch, timesteps, features)`.

    Output shape:
        `(batch, units)`, or `(batch, timesteps, units)` with `return_sequences`;
        with `return_state`, a list: the output, then the final states, each
        `(batch, units)`.

    Raises:
        ValueError: if the cell lacks `call` or `state_size`, the input is not
            3D, or the initial states do not fit.

    Example::

        from kback.layers import RNN, LSTMCell, Input

        cells = [LSTMCell(32), LSTMCell(16)]
        x = Input((None, 8))
        y = RNN(cells)(x)     # (None, 16)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, 'call'):
            raise ValueError(f'`cell` should have a `call` method. The RNN was passed: {cell}')
        if not hasattr(cell, 'state_size'):
            raise ValueError('The RNN cell should have an attribute `state_size` (tuple of '
                             'integers, one integer per RNN state).')
        # Legacy recurrent arguments: input_dim and input_length name the input shape.
        input_dim = kwargs.pop('input_dim', None)
        input_length = kwargs.pop('input_length', None)
        if (input_dim is not None or input_length is not None) and \
                'input_shape' not in kwargs and 'batch_input_shape' not in kwargs:
            kwargs['input_shape'] = (input_length, input_dim)
        super().__init__(**kwargs)
        self.cell = cell
        if isinstance(cell, Layer):
            self._layers = [cell]
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=3)]
        self.state_spec = None
        self._states = None
        self.constants_spec = None
        self._num_constants = None

    @property
    def states(self):
        """The current values of the states of a stateful layer (K variables)."""
        if self._states is None:
            return [None] * len(_sizes(self.cell.state_size))
        return self._states

    @states.setter
    def states(self, states):
        self._states = states

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        output_dim = _output_size(self.cell)
        if self.return_sequences:
            output_shape = (input_shape[0], input_shape[1], output_dim)
        else:
            output_shape = (input_shape[0], output_dim)
        if self.return_state:
            return [output_shape] + [(input_shape[0], d) for d in _sizes(self.cell.state_size)]
        return output_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.states)
        return output_mask

    def build(self, input_shape):
        constants_shape = None
        if self._num_constants is not None:
            constants_shape = list(input_shape[-self._num_constants:])
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f'Input 0 is incompatible with layer {self.name}: expected ndim=3, '
                             f'found ndim={len(input_shape)} (shape {input_shape})')
        batch_size = input_shape[0] if self.stateful else None
        self.input_spec[0] = InputSpec(shape=(batch_size, None) + input_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            step_shape = (input_shape[0],) + input_shape[2:]
            self.cell.build([step_shape] + constants_shape if constants_shape else step_shape)
            self.cell.built = True
        state_size = _sizes(self.cell.state_size)
        if self.state_spec is not None:
            given = [spec.shape[-1] for spec in self.state_spec]
            if given != state_size:
                raise ValueError('An `initial_state` was passed that is not compatible with '
                                 f'`cell.state_size`. Received `state_spec`={self.state_spec}; '
                                 f'however `cell.state_size` is {self.cell.state_size}')
        else:
            self.state_spec = [InputSpec(shape=(None, d)) for d in state_size]
        if self.stateful:
            self.reset_states()
        self.built = True

    def get_initial_state(self, inputs):
        """Zero states for a batch of `inputs`, one per entry of the cell's `state_size`.

        Arguments:
            inputs: the 3D input tensor.

        Returns:
            A list of tensors `(batch, size)`.
        """
        # zeros (batch, 1) from the input, widened to each state's size
        first = inputs[:, 0]
        zeros = K.zeros_like(first)
        if len(K.int_shape(first)) > 2:
            zeros = K.batch_flatten(zeros)
        zeros = K.sum(zeros, axis=1, keepdims=True)
        return [K.tile(zeros, [1, d]) for d in _sizes(self.cell.state_size)]

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = _standardize_args(
            inputs, initial_state, constants, self._num_constants)
        if initial_state is None and constants is None:
            return super().__call__(inputs, **kwargs)
        extra, specs = [], []
        if initial_state is not None:
            extra += initial_state
            self.state_spec = [InputSpec(shape=K.int_shape(s)) for s in initial_state]
            specs += self.state_spec
        if constants is not None:
            extra += constants
            self.constants_spec = [InputSpec(shape=K.int_shape(c)) for c in constants]
            self._num_constants = len(constants)
            specs += self.constants_spec
        is_keras = K.is_keras_tensor(extra[0])
        for t in extra:
            if K.is_keras_tensor(t) != is_keras:
                raise ValueError('The initial state or constants of an RNN layer cannot be '
                                 'specified with a mix of Keras tensors and non-Keras tensors '
                                 '(a "Keras tensor" is a tensor that was returned by a Keras '
                                 'layer, or by `Input`)')
        if is_keras:
            # They become inputs of the node, so a model reruns them.
            saved = self.input_spec
            self.input_spec = list(saved[:1]) + specs
            try:
                return super().__call__([inputs] + extra, **kwargs)
            finally:
                self.input_spec = saved
        if initial_state is not None:
            kwargs['initial_state'] = initial_state
        if constants is not None:
            kwargs['constants'] = constants
        return super().__call__(inputs, **kwargs)

    def _cells(self):
        return self.cell.cells if isinstance(self.cell, StackedRNNCells) else [self.cell]

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        if isinstance(inputs, list):
            if self._num_constants is None:
                initial_state = inputs[1:]
            else:
                initial_state = inputs[1:-self._num_constants]
                constants = inputs[-self._num_constants:]
            if len(initial_state) == 0:
                initial_state = None
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
        timesteps = K.int_shape(inputs)[1]
        if self.unroll and timesteps in (None, 1):
            raise ValueError('Cannot unroll a RNN if the time dimension is undefined or equal '
                             'to 1. \n- If using a Sequential model, specify the time dimension '
                             'by passing an `input_shape` or `batch_input_shape` argument to '
                             'your first layer. If your first layer is an Embedding, you can '
                             'also use the `input_length` argument.\n- If using the functional '
                             'API, specify the time dimension by passing a `shape` or '
                             '`batch_shape` argument to your Input layer.')
        kwargs = {}
        if accepts_argument(self.cell.call, 'training'):
            kwargs['training'] = training
        if constants:
            if not accepts_argument(self.cell.call, 'constants'):
                raise ValueError('RNN cell does not support constants')
            n = len(constants)

            def step(x, states):
                return self.cell.call(x, states[:-n], constants=states[-n:], **kwargs)
        else:
            def step(x, states):
                return self.cell.call(x, states, **kwargs)

        # Dropout masks are drawn once per call, outside the time loop.
        first = inputs[:, 0]
        batch_ref = K.zeros_like(first[:, :1]) if len(K.int_shape(first)) == 2 else \
            K.zeros_like(K.batch_flatten(first)[:, :1])
        prime_dropout(self._cells(), batch_ref, initial_state, training)
        try:
            fused = None if self.unroll or constants else \
                fused_sequence(self.cell, inputs, initial_state, mask, self.go_backwards)
            if fused is not None:
                last_output, outputs, states = fused
            else:
                last_output, outputs, states = K.rnn(step, inputs, initial_state,
                                                     constants=constants,
                                                     go_backwards=self.go_backwards, mask=mask,
                                                     unroll=self.unroll, input_length=timesteps)
        finally:
            clear_dropout(self._cells())
        if self.stateful:
            self.add_update([(self.states[i], states[i]) for i in range(len(states))], inputs)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    def reset_states(self, states=None):
        """Resets the states of a stateful layer, to zeros or to given values.

        Arguments:
            states: None (zeros), or a numpy array or list of them, one per state.

        Raises:
            AttributeError: if the layer is not stateful.
            ValueError: if the layer is not built or the states do not fit.
        """
        if not self.stateful:
            raise AttributeError('Layer must be stateful.')
        batch_size = self.input_spec[0].shape[0]
        if not batch_size:
            raise ValueError('If a RNN is stateful, it needs to know its batch size. Specify '
                             'the batch size of your input tensors: \n- If using a Sequential '
                             'model, specify the batch size by passing a `batch_input_shape` '
                             'argument to your first layer.\n- If using the functional API, '
                             'specify the batch size by passing a `batch_shape` argument to '
                             'your Input layer.')
        sizes = _sizes(self.cell.state_size)
        if self.states[0] is None:
            self.states = [K.zeros((batch_size, d)) for d in sizes]
        elif states is None:
            for state, d in zip(self.states, sizes):
                K.set_value(state, np.zeros((batch_size, d)))
        if states is not None:
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            if len(states) != len(self.states):
                raise ValueError(f'Layer {self.name} expects {len(self.states)} states, but it '
                                 f'received {len(states)} state values. Input received: '
                                 f'{states}')
            for index, (value, state) in enumerate(zip(states, self.states)):
                value = np.asarray(value)
                if value.shape != (batch_size, sizes[index]):
                    raise ValueError(f'State {index} is incompatible with layer {self.name}: '
                                     f'expected shape={(batch_size, sizes[index])}, found '
                                     f'shape={value.shape}')
                K.set_value(state, value)

    def get_config(self):
        config = {'return_sequences': self.return_sequences,
                  'return_state': self.return_state,
                  'go_backwards': self.go_backwards,
                  'stateful': self.stateful,
                  'unroll': self.unroll}
        if self._num_constants is not None:
            config['num_constants'] = self._num_constants
        config['cell'] = {'class_name': type(self.cell).__name__,
                          'config': self.cell.get_config()}
        return dict(super().get_config(), **config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize
        config = dict(config)
        cell = deserialize(config.pop('cell'), custom_objects=custom_objects)
        num_constants = config.pop('num_constants', None)
        layer = cls(cell, **config)
        layer._num_constants = num_constants
        return layer


_CELL_ARGS = ('units', 'activation', 'recurrent_activation', 'use_bias', 'kernel_initializer',
              'recurrent_initializer', 'bias_initializer', 'unit_forget_bias',
              'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer',
              'kernel_constraint', 'recurrent_constraint', 'bias_constraint', 'dropout',
              'recurrent_dropout', 'implementation', 'reset_after')
_RNN_ARGS = ('return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll')


class _CellLayer(RNN):
    """An RNN over one built-in cell, whose arguments it takes and exposes."""
    _cell_class = None

    def __init__(self, units, activity_regularizer=None, **kwargs):
        cell_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _CELL_ARGS}
        rnn_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _RNN_ARGS}
        cell_dtype = kwargs.get('dtype')
        cell = self._cell_class(units, dtype=cell_dtype, **cell_kwargs)
        super().__init__(cell, **rnn_kwargs, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    def __getattr__(self, name):
        # units, activation, dropout, ...: the cell's values, as Keras's properties.
        if name in _CELL_ARGS and 'cell' in self.__dict__:
            return getattr(self.__dict__['cell'], name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def get_config(self):
        cell_config = self.cell.get_config()
        config = {k: cell_config[k] for k in _CELL_ARGS if k in cell_config}
        config['activity_regularizer'] = regularizers.serialize(self.activity_regularizer)
        base = super().get_config()
        del base['cell']
        return dict(base, **config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


def _layer_kwargs(values):
    """The explicit arguments of a layer's __init__ (its locals) as kwargs."""
    values = dict(values)
    values.pop('self')
    values.pop('__class__', None)
    kwargs = values.pop('kwargs')
    return dict(values, **kwargs)


class SimpleRNN(_CellLayer):
    """A fully-connected RNN whose output is fed back as its next input.

    `h_t = activation(x_t W + h_(t-1) U + b)`.

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
        activity_regularizer: a regularizer applied to the output.
        kernel_constraint: a constraint applied to the input kernel.
        recurrent_constraint: a constraint applied to the recurrent kernel.
        bias_constraint: a constraint applied to the bias.
        dropout: a float in [0, 1), the fraction of the inputs dropped (the same
            units at every step).
        recurrent_dropout: a float in [0, 1), the fraction of the recurrent
            state dropped.
        return_sequences: whether to return the output of every timestep,
            `(batch, timesteps, units)`, or only the last one, `(batch, units)`.
        return_state: whether to return the final states too, after the output.
        go_backwards: whether to run over the sequence in reverse (the output
            sequence is then reversed).
        stateful: whether the final states of each batch become the initial
            states of the next one (sample i of a batch continues sample i of
            the previous batch; needs a fixed batch size).
        unroll: whether to unroll the time loop into the graph (faster for short
            sequences, needs a known number of timesteps).

    Input shape:
        3D tensor `(batch, timesteps, features)`.

    Output shape:
        `(batch, units)`, or `(batch, timesteps, units)` with `return_sequences`;
        with `return_state`, a list: the output, then the final states, each
        `(batch, units)`.
    """
    _cell_class = SimpleRNNCell

    def __init__(self, units, activation='tanh', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.,
                 recurrent_dropout=0., return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        if 'implementation' in kwargs:
            kwargs.pop('implementation')
            warnings.warn('The `implementation` argument in `SimpleRNN` has been deprecated. '
                          'Please remove it from your layer call.')
        super().__init__(**_layer_kwargs(locals()))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop('implementation', None)
        return cls(**config)


class GRU(_CellLayer):
    """Gated Recurrent Unit (Cho et al., 2014).

    An update and a reset gate control how the state is kept and replaced.

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
        activity_regularizer: a regularizer applied to the output.
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
        return_sequences: whether to return the output of every timestep,
            `(batch, timesteps, units)`, or only the last one, `(batch, units)`.
        return_state: whether to return the final states too, after the output.
        go_backwards: whether to run over the sequence in reverse (the output
            sequence is then reversed).
        stateful: whether the final states of each batch become the initial
            states of the next one (sample i of a batch continues sample i of
            the previous batch; needs a fixed batch size).
        unroll: whether to unroll the time loop into the graph (faster for short
            sequences, needs a known number of timesteps).

    Input shape:
        3D tensor `(batch, timesteps, features)`.

    Output shape:
        `(batch, units)`, or `(batch, timesteps, units)` with `return_sequences`;
        with `return_state`, a list: the output, then the final states, each
        `(batch, units)`.
    """
    _cell_class = GRUCell

    def __init__(self, units, activation='tanh', recurrent_activation='sigmoid', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.,
                 recurrent_dropout=0., implementation=2, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 reset_after=False, **kwargs):
        super().__init__(**_layer_kwargs(locals()))


class LSTM(_CellLayer):
    """Long Short-Term Memory (Hochreiter and Schmidhuber, 1997).

    Input, forget and output gates control a cell state; the states are
    `[h, c]`.

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
        activity_regularizer: a regularizer applied to the output.
        kernel_constraint: a constraint applied to the input kernel.
        recurrent_constraint: a constraint applied to the recurrent kernel.
        bias_constraint: a constraint applied to the bias.
        dropout: a float in [0, 1), the fraction of the inputs dropped (the same
            units at every step).
        recurrent_dropout: a float in [0, 1), the fraction of the recurrent
            state dropped.
        implementation: 1 or 2, accepted as in Keras (both compute the same
            function).
        return_sequences: whether to return the output of every timestep,
            `(batch, timesteps, units)`, or only the last one, `(batch, units)`.
        return_state: whether to return the final states too, after the output.
        go_backwards: whether to run over the sequence in reverse (the output
            sequence is then reversed).
        stateful: whether the final states of each batch become the initial
            states of the next one (sample i of a batch continues sample i of
            the previous batch; needs a fixed batch size).
        unroll: whether to unroll the time loop into the graph (faster for short
            sequences, needs a known number of timesteps).

    Input shape:
        3D tensor `(batch, timesteps, features)`.

    Output shape:
        `(batch, units)`, or `(batch, timesteps, units)` with `return_sequences`;
        with `return_state`, a list: the output, then the final states, each
        `(batch, units)`.

    Example::

        model = Sequential([Embedding(1000, 64, input_length=20),
                            LSTM(32, return_sequences=True), LSTM(16)])
    """
    _cell_class = LSTMCell

    def __init__(self, units, activation='tanh', recurrent_activation='sigmoid', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0., recurrent_dropout=0., implementation=2, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 **kwargs):
        super().__init__(**_layer_kwargs(locals()))
