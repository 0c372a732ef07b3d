"""Layer wrappers: TimeDistributed and Bidirectional (Keras 2.3's
`keras.layers.wrappers`)."""
from .. import backend as K
from ..engine.base_layer import Layer, InputSpec, accepts_argument


class Wrapper(Layer):
    """Base class of the layers that wrap another layer (which it owns).

    Arguments:
        layer: the layer to wrap.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f'{type(self).__name__}: please initialize with a `Layer` '
                             f'instance, got {layer!r}')
        self.layer = layer
        super().__init__(**kwargs)
        self._layers = [layer]

    def build(self, input_shape=None):
        self.built = True

    @property
    def activity_regularizer(self):
        return getattr(self.layer, 'activity_regularizer', None)

    @activity_regularizer.setter
    def activity_regularizer(self, value):
        pass

    def get_config(self):
        config = {'layer': {'class_name': type(self.layer).__name__,
                            'config': self.layer.get_config()}}
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize
        config = dict(config)
        layer = deserialize(config.pop('layer'), custom_objects=custom_objects)
        return cls(layer, **config)


class TimeDistributed(Wrapper):
    """Applies a layer to every temporal slice of its input.

    The input is folded to `(batch * timesteps, ...)`, passed through the layer
    and unfolded, so the layer's weights are shared across the timesteps.

    Arguments:
        layer: the layer to apply.

    Input shape:
        At least 3D, `(batch, timesteps, ...)`.

    Output shape:
        `(batch, timesteps)` followed by the layer's output shape for one slice.

    Example::

        model = Sequential([TimeDistributed(Dense(8), input_shape=(10, 16))])
        # output (None, 10, 8)
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    @staticmethod
    def _child_shape(input_shape):
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError(f'TimeDistributed ({self.name}): the input should be at least 3D '
                             f'(batch, timesteps, ...), got shape {input_shape}')
        self.input_spec = InputSpec(shape=(None,) + input_shape[1:])
        if not self.layer.built:
            self.layer.build(self._child_shape(input_shape))
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        child = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (child[0], input_shape[1]) + tuple(child[1:])

    def call(self, inputs, training=None, mask=None):
        shape = K.int_shape(inputs)
        steps = shape[1] if shape[1] is not None else K.shape(inputs)[1]
        inner_shape = [-1] + [d if d is not None else K.shape(inputs)[i + 2]
                              for i, d in enumerate(shape[2:])]
        folded = K.reshape(inputs, tuple(inner_shape))
        kwargs = {}
        if accepts_argument(self.layer.call, 'training'):
            kwargs['training'] = training
        y = self.layer.call(folded, **kwargs)
        # Updates and losses the wrapped layer made on the folded input are this call's.
        self.add_update(self.layer.get_updates_for(folded), inputs)
        self.add_loss(self.layer.get_losses_for(folded), inputs)
        out_shape = K.int_shape(y)
        tail = [d if d is not None else K.shape(y)[i + 1] for i, d in enumerate(out_shape[1:])]
        return K.reshape(y, tuple([-1, steps] + tail))

    def compute_mask(self, inputs, mask=None):
        return mask



class Bidirectional(Wrapper):
    """Runs a recurrent layer forwards and a copy backwards, and merges them.

    A backward output sequence is reversed back into input order before the
    merge. The weights are the forward layer's, then the backward layer's.

    Arguments:
        layer: a recurrent layer instance (`LSTM`, `GRU`, `SimpleRNN`, `RNN`).
        merge_mode: how the two outputs are combined: `'concat'` (default),
            `'sum'`, `'mul'`, `'ave'`, or None (a list of the two).
        weights: initial weights to set (a list of arrays).
        backward_layer: the layer to run backwards (default: a copy of `layer`
            with `go_backwards` flipped).

    Input shape:
        3D tensor `(batch, timesteps, features)`.

    Output shape:
        The wrapped layer's, with the last axis doubled for `'concat'`.

    Raises:
        ValueError: if `merge_mode` is unknown or `backward_layer` does not
            match `layer`.

    Example::

        model = Sequential([Bidirectional(LSTM(10, return_sequences=True),
                                          input_shape=(5, 10)),
                            Bidirectional(LSTM(10)), Dense(5)])
    """

    def __init__(self, layer, merge_mode='concat', weights=None, backward_layer=None,
                 **kwargs):
        if merge_mode not in ('sum', 'mul', 'ave', 'concat', None):
            raise ValueError('Invalid merge mode. Merge mode should be one of '
                             '{"sum", "mul", "ave", "concat", None}')
        if not isinstance(layer, Layer):
            raise ValueError(f'Bidirectional: please initialize with a `Layer` instance, got '
                             f'{layer!r}')
        self.forward_layer = _copy_layer(layer)
        if backward_layer is None:
            config = layer.get_config()
            config['go_backwards'] = not config['go_backwards']
            self.backward_layer = _copy_layer(layer, config)
        else:
            self.backward_layer = backward_layer
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError('Bidirectional: backward_layer.go_backwards should be the '
                                 'opposite of layer.go_backwards')
        self.forward_layer.name = 'forward_' + self.forward_layer.name
        self.backward_layer.name = 'backward_' + self.backward_layer.name
        self.merge_mode = merge_mode
        if weights:
            half = len(weights) // 2
            self.forward_layer._initial_weights = weights[:half]
            self.backward_layer._initial_weights = weights[half:]
        super().__init__(layer, **kwargs)
        self._layers = [self.forward_layer, self.backward_layer]
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self._num_constants = None
        self.input_spec = layer.input_spec

    def compute_output_shape(self, input_shape):
        output_shape = self.forward_layer.compute_output_shape(input_shape)
        state_shape = []
        if self.return_state:
            state_shape = list(output_shape[1:])
            output_shape = output_shape[0]
        output_shape = tuple(output_shape)
        if self.merge_mode == 'concat':
            output_shape = output_shape[:-1] + (output_shape[-1] * 2,)
        if self.merge_mode is None:
            output_shape = [output_shape, output_shape]
        if self.return_state:
            outputs = output_shape if self.merge_mode is None else [output_shape]
            return outputs + state_shape + list(state_shape)
        return output_shape

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        if isinstance(inputs, list) and len(inputs) > 1 and initial_state is None:
            inputs, initial_state = inputs[0], inputs[1:]
        if initial_state is None and constants is None:
            return super().__call__(inputs, **kwargs)
        if constants is not None:
            raise NotImplementedError('Bidirectional: constants are not supported')
        initial_state = list(initial_state) if isinstance(initial_state, (list, tuple)) \
            else [initial_state]
        if len(initial_state) % 2:
            raise ValueError('When passing `initial_state` to a Bidirectional RNN, the state '
                             'should be a list containing the states of the underlying RNNs. '
                             f'Found: {initial_state}')
        if K.is_keras_tensor(initial_state[0]):
            saved = self.input_spec
            self.input_spec = None
            try:
                return super().__call__([inputs] + initial_state, **kwargs)
            finally:
                self.input_spec = saved
        kwargs['initial_state'] = initial_state
        return super().__call__(inputs, **kwargs)

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                layer.build(input_shape)
                layer.built = True
                if layer._initial_weights is not None:
                    layer.set_weights(layer._initial_weights)
                    layer._initial_weights = None
        self.built = True

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        if isinstance(inputs, list):
            inputs, initial_state = inputs[0], (inputs[1:] or initial_state)
        if isinstance(mask, list):
            mask = mask[0]
        kwargs = {}
        if accepts_argument(self.layer.call, 'training'):
            kwargs['training'] = training
        if accepts_argument(self.layer.call, 'mask'):
            kwargs['mask'] = mask
        if initial_state is not None:
            half = len(initial_state) // 2
            y = self.forward_layer.call(inputs, initial_state=initial_state[:half], **kwargs)
            y_rev = self.backward_layer.call(inputs, initial_state=initial_state[half:],
                                             **kwargs)
        else:
            y = self.forward_layer.call(inputs, **kwargs)
            y_rev = self.backward_layer.call(inputs, **kwargs)
        for layer in (self.forward_layer, self.backward_layer):
            self.add_update(layer.get_updates_for(inputs), inputs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = K.reverse(y_rev, 1)
        if self.merge_mode == 'concat':
            output = K.concatenate([y, y_rev])
        elif self.merge_mode == 'sum':
            output = y + y_rev
        elif self.merge_mode == 'ave':
            output = (y + y_rev) / 2
        elif self.merge_mode == 'mul':
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states
        return output

    def reset_states(self):
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state:
            state_mask = [None] * len(self.forward_layer.states)
            head = output_mask if isinstance(output_mask, list) else [output_mask]
            return head + state_mask * 2
        return output_mask

    @property
    def constraints(self):
        return {}

    def get_config(self):
        config = dict(super().get_config(), merge_mode=self.merge_mode)
        if self._num_constants is not None:
            config['num_constants'] = self._num_constants
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        num_constants = config.pop('num_constants', None)
        layer = super().from_config(config, custom_objects=custom_objects)
        layer._num_constants = num_constants
        return layer


def _copy_layer(layer, config=None):
    """A fresh layer of the same class from (a copy of) its config."""
    config = dict(layer.get_config() if config is None else config)
    return type(layer).from_config(config)
