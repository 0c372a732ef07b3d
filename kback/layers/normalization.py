"""BatchNormalization, as in Keras 2.3 (multi-backend)."""
import numbers

from .. import backend as K
from .. import initializers, regularizers, constraints
from ..engine.base_layer import Layer, InputSpec


class BatchNormalization(Layer):
    """Normalizes its input to zero mean and unit variance, per feature.

    In training the layer uses the batch's mean and variance and updates
    moving averages of them; at inference it uses the moving averages. The
    result is then scaled by `gamma` and shifted by `beta`.

    Arguments:
        axis: the feature axis (an int): -1 (default) for channels last, 1
            for channels-first images.
        momentum: the momentum of the moving averages.
        epsilon: a small float added to the variance.
        center: whether to add the learned offset `beta`.
        scale: whether to multiply by the learned `gamma`.
        beta_initializer: the initializer of `beta`.
        gamma_initializer: the initializer of `gamma`.
        moving_mean_initializer: the initializer of the moving mean.
        moving_variance_initializer: the initializer of the moving variance.
        beta_regularizer: a regularizer applied to `beta`.
        gamma_regularizer: a regularizer applied to `gamma`.
        beta_constraint: a constraint applied to `beta`.
        gamma_constraint: a constraint applied to `gamma`.

    Input shape:
        Any; the size along `axis` must be known.

    Output shape:
        The input's shape.

    Raises:
        ValueError: if `axis` is not an int or is out of range for the input.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer='zeros', gamma_initializer='ones',
                 moving_mean_initializer='zeros', moving_variance_initializer='ones',
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f'BatchNormalization: `axis` must be an integer, got {axis!r}')
        self.supports_masking = True
        self.axis = int(axis)
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f'BatchNormalization {self.name}: axis {self.axis} is out of range '
                             f'for inputs of shape {tuple(input_shape)}')
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f'BatchNormalization {self.name}: axis {self.axis} of the input '
                             'tensor should have a defined dimension but the layer received an '
                             f'input with shape {tuple(input_shape)}.')
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        shape = (dim,)
        self.gamma = self.add_weight(shape=shape, name='gamma',
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(shape=shape, name='beta', initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight(shape=shape, name='moving_mean',
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name='moving_variance',
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def call(self, inputs, training=None):
        ndim = len(K.int_shape(inputs))
        axis = self.axis % ndim
        reduction_axes = [i for i in range(ndim) if i != axis]

        def normalize_inference():
            return K.batch_normalization(inputs, self.moving_mean, self.moving_variance,
                                         self.beta, self.gamma, axis=axis,
                                         epsilon=self.epsilon)

        # A static inference phase: no batch statistics, no updates.
        if isinstance(training, (bool, numbers.Integral)) and not training:
            return normalize_inference()

        normed_training, mean, variance = K.normalize_batch_in_training(
            inputs, self.gamma, self.beta, reduction_axes, epsilon=self.epsilon)

        # Keras 2.3 stores the unbiased variance estimate, with its
        # n / (n - (1 + epsilon)) factor.
        sample_size = _sample_size(inputs, reduction_axes)
        variance = variance * (sample_size / (sample_size - (1.0 + self.epsilon)))

        self.add_update([K.moving_average_update(self.moving_mean, mean, self.momentum),
                         K.moving_average_update(self.moving_variance, variance,
                                                 self.momentum)],
                        inputs)
        return K.in_train_phase(normed_training, normalize_inference, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {
            'axis': self.axis,
            'momentum': self.momentum,
            'epsilon': self.epsilon,
            'center': self.center,
            'scale': self.scale,
            'beta_initializer': initializers.serialize(self.beta_initializer),
            'gamma_initializer': initializers.serialize(self.gamma_initializer),
            'moving_mean_initializer': initializers.serialize(self.moving_mean_initializer),
            'moving_variance_initializer':
                initializers.serialize(self.moving_variance_initializer),
            'beta_regularizer': regularizers.serialize(self.beta_regularizer),
            'gamma_regularizer': regularizers.serialize(self.gamma_regularizer),
            'beta_constraint': constraints.serialize(self.beta_constraint),
            'gamma_constraint': constraints.serialize(self.gamma_constraint),
        }
        return dict(super().get_config(), **config)


def _sample_size(inputs, axes):
    """The number of values each statistic averages: a Python float when the
    reduced dims are static, else a scalar tensor of the input's dtype."""
    shape = K.int_shape(inputs)
    if all(shape[a] is not None for a in axes):
        n = 1
        for a in axes:
            n *= shape[a]
        return float(n)
    dynamic = K.shape(inputs)
    n = None
    for a in axes:
        d = dynamic[a] if shape[a] is None else shape[a]
        n = d if n is None else n * d
    return K.cast(n, K.dtype(inputs))
