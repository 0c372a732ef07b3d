"""Noise layers, active only in the training phase: GaussianNoise,
GaussianDropout, AlphaDropout (keras.layers.noise)."""
import math

from .. import backend as K
from ..engine.base_layer import Layer


class _TrainingNoise(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class GaussianNoise(_TrainingNoise):
    """Adds zero-centred Gaussian noise during training (a regularizer).

    The identity at test time.

    Arguments:
        stddev: a float, the standard deviation of the noise.

    Input shape:
        Any.

    Output shape:
        The input's shape.
    """

    def __init__(self, stddev, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev

    def call(self, inputs, training=None):
        def noised():
            return inputs + K.random_normal(shape=K.shape(inputs), mean=0., stddev=self.stddev)
        return K.in_train_phase(noised, inputs, training=training)

    def get_config(self):
        return dict(super().get_config(), stddev=self.stddev)


class GaussianDropout(_TrainingNoise):
    """Multiplies the inputs by Gaussian noise of mean 1 during training.

    The noise's standard deviation is `sqrt(rate / (1 - rate))`; the identity
    at test time.

    Arguments:
        rate: a float in [0, 1), the drop probability of the equivalent
            `Dropout`.

    Input shape:
        Any.

    Output shape:
        The input's shape.
    """

    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs, training=None):
        if 0 < self.rate < 1:
            def noised():
                stddev = math.sqrt(self.rate / (1.0 - self.rate))
                return inputs * K.random_normal(shape=K.shape(inputs), mean=1.0, stddev=stddev)
            return K.in_train_phase(noised, inputs, training=training)
        return inputs

    def get_config(self):
        return dict(super().get_config(), rate=self.rate)


# SELU's constants (Klambauer et al. 2017), the fixed point AlphaDropout keeps.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(_TrainingNoise):
    """Dropout that keeps the mean and variance of its inputs, for SELU networks.

    Dropped units are set to SELU's negative saturation value and an affine
    transformation restores the mean and variance; the identity at test time.

    Arguments:
        rate: a float in [0, 1), the fraction of the inputs to drop.
        noise_shape: the shape of the binary mask, broadcast over the input.
        seed: an int, the random seed.

    Input shape:
        Any.

    Output shape:
        The input's shape.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=None):
        if not 0 < self.rate < 1:
            return inputs
        rate = self.rate
        noise_shape = self.noise_shape if self.noise_shape else K.shape(inputs)

        def dropped():
            alpha_p = -_SELU_ALPHA * _SELU_SCALE
            kept = K.cast(K.greater_equal(K.random_uniform(noise_shape, seed=self.seed), rate),
                          K.floatx())
            a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
            b = -a * alpha_p * rate
            return a * (inputs * kept + alpha_p * (1 - kept)) + b
        return K.in_train_phase(dropped, inputs, training=training)

    def get_config(self):
        return dict(super().get_config(), rate=self.rate)
