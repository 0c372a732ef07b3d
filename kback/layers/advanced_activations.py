"""Activation layers: LeakyReLU, PReLU (learned slopes), ELU, ThresholdedReLU,
Softmax and ReLU."""
from .. import backend as K
from .. import initializers, regularizers, constraints
from ..engine.base_layer import Layer, InputSpec


class _Elementwise(Layer):
    """An activation layer: same output shape, masks pass through."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class LeakyReLU(_Elementwise):
    """Leaky ReLU: `alpha * x` for `x < 0`, `x` for `x >= 0`.

    Arguments:
        alpha: a float >= 0, the slope for negative inputs.

    Input shape:
        Any.

    Output shape:
        The input's shape.
    """

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return K.relu(inputs, alpha=self.alpha)

    def get_config(self):
        return dict(super().get_config(), alpha=self.alpha)


class PReLU(_Elementwise):
    """Parametric ReLU: a leaky ReLU whose slopes `alpha` are learned.

    `alpha` has the shape of one sample, with size 1 along `shared_axes`.

    Arguments:
        alpha_initializer: the initializer of the slopes.
        alpha_regularizer: a regularizer applied to the slopes.
        alpha_constraint: a constraint applied to the slopes.
        shared_axes: the axes (numbered from 1) along which the slopes are
            shared, e.g. `[1, 2]` for one slope per channel of a
            channels-last image.

    Input shape:
        Any.

    Output shape:
        The input's shape.
    """

    def __init__(self, alpha_initializer='zeros', alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        if self.shared_axes is not None:
            for i in self.shared_axes:
                if not 1 <= i < len(input_shape):
                    raise ValueError(f'PReLU {self.name}: shared_axes {self.shared_axes} must '
                                     f'be axes 1..{len(input_shape) - 1} of the input of shape '
                                     f'{tuple(input_shape)}')
                param_shape[i - 1] = 1
        if None in param_shape:
            raise ValueError(f'PReLU {self.name}: the non-batch input dimensions must be known '
                             f'(or shared), got input shape {tuple(input_shape)}')
        self.alpha = self.add_weight(shape=param_shape, name='alpha',
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            for i in range(1, len(input_shape)):
                if i not in self.shared_axes:
                    axes[i] = input_shape[i]
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs, mask=None):
        pos = K.relu(inputs)
        neg = -self.alpha * K.relu(-inputs)
        return pos + neg

    def get_config(self):
        config = {
            'alpha_initializer': initializers.serialize(self.alpha_initializer),
            'alpha_regularizer': regularizers.serialize(self.alpha_regularizer),
            'alpha_constraint': constraints.serialize(self.alpha_constraint),
            'shared_axes': self.shared_axes,
        }
        return dict(super().get_config(), **config)


class ELU(_Elementwise):
    """Exponential linear unit: `alpha * (exp(x) - 1)` for `x < 0`, `x` otherwise.

    Arguments:
        alpha: the scale of the negative part.

    Input shape:
        Any.

    Output shape:
        The input's shape.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return K.elu(inputs, self.alpha)

    def get_config(self):
        return dict(super().get_config(), alpha=self.alpha)


class ThresholdedReLU(_Elementwise):
    """Thresholded ReLU: `x` for `x > theta`, 0 otherwise.

    Arguments:
        theta: a float >= 0, the threshold.

    Input shape:
        Any.

    Output shape:
        The input's shape.
    """

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = float(theta)

    def call(self, inputs, mask=None):
        return inputs * K.cast(K.greater(inputs, self.theta), K.dtype(inputs))

    def get_config(self):
        return dict(super().get_config(), theta=self.theta)


class Softmax(_Elementwise):
    """Softmax activation along one axis.

    Arguments:
        axis: the axis the softmax normalizes over.

    Input shape:
        Any.

    Output shape:
        The input's shape.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return K.softmax(inputs, axis=self.axis)

    def get_config(self):
        return dict(super().get_config(), axis=self.axis)


class ReLU(_Elementwise):
    """Rectified linear unit, with an optional cap, slope and threshold.

    `f(x) = max_value` for `x >= max_value`, `x` for
    `threshold <= x < max_value`, `negative_slope * (x - threshold)` otherwise.

    Arguments:
        max_value: a float >= 0, the largest output (None: no cap).
        negative_slope: a float >= 0, the slope below the threshold.
        threshold: the threshold below which the slope applies.

    Input shape:
        Any.

    Output shape:
        The input's shape.

    Raises:
        ValueError: if `max_value` or `negative_slope` is negative.
    """

    def __init__(self, max_value=None, negative_slope=0., threshold=0., **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.:
            raise ValueError(f'max_value of ReLU layer cannot be negative value: {max_value}')
        if negative_slope < 0.:
            raise ValueError('negative_slope of ReLU layer cannot be negative value: '
                             f'{negative_slope}')
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs):
        return K.relu(inputs, alpha=self.negative_slope, max_value=self.max_value,
                      threshold=self.threshold)

    def get_config(self):
        config = {'max_value': self.max_value, 'negative_slope': self.negative_slope,
                  'threshold': self.threshold}
        return dict(super().get_config(), **config)
