"""Layer wrappers: TimeDistributed (Keras 2.3's `keras.layers.wrappers`).

Bidirectional needs recurrent layers, which kback does not have."""
from .. import backend as K
from ..engine.base_layer import Layer, InputSpec, _accepts


class Wrapper(Layer):
    """A layer that wraps another one (`self.layer`), whose weights, losses and
    updates it owns."""

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
    """Applies `layer` to every temporal slice (axis 1) of its input.

        model.add(TimeDistributed(Dense(8), input_shape=(10, 16)))
        # model.output_shape == (None, 10, 8)

    The input is folded to (batch * timesteps, ...), given to the layer, and
    unfolded again, so the layer's weights are shared across timesteps."""

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
        if _accepts(self.layer.call, 'training'):
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

