"""The layer_test helper must catch broken layers."""
import numpy as np
import pytest

from kback import backend as K
from kback.layers import Layer, Dense
from tests.layers.layer_test import layer_test


class Scale(Layer):
    """x * w with a (features,) weight; flags switch one bug on."""

    def __init__(self, bug=None, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.bug = bug
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(name='w', shape=(input_shape[-1],), initializer='ones')
        self.built = True

    def call(self, inputs):
        if self.bug == 'batch_mix':
            return inputs * self.w * self.factor + K.mean(inputs, axis=0, keepdims=True)
        if self.bug == 'nan_grad':
            return K.sqrt(inputs * 0.) * self.w * 0. + inputs * self.factor
        if self.bug == 'frozen':
            return inputs * K.stop_gradient(self.w) * self.factor
        return inputs * self.w * self.factor

    def compute_output_shape(self, input_shape):
        if self.bug == 'shape':
            return input_shape[:-1] + (input_shape[-1] + 1,)
        return input_shape

    def get_config(self):
        config = {'bug': self.bug}
        if self.bug != 'config':
            config['factor'] = self.factor
        return dict(super().get_config(), **config)


def test_correct_layer_passes():
    out = layer_test(Scale, {'factor': 2.0}, input_data=np.ones((2, 3), 'float32'))
    np.testing.assert_array_equal(out, 2 * np.ones((2, 3)))


@pytest.mark.filterwarnings('ignore::RuntimeWarning')
@pytest.mark.parametrize('bug', ['shape', 'config', 'batch_mix', 'nan_grad', 'frozen'])
def test_broken_layer_fails(bug):
    with pytest.raises(AssertionError):
        layer_test(Scale, {'bug': bug, 'factor': 2.0}, input_shape=(3, 4))


def test_wrong_expectations_fail():
    with pytest.raises(AssertionError):
        layer_test(Dense, {'units': 2}, input_shape=(3, 4), expected_output_shape=(None, 3))
    with pytest.raises(AssertionError):
        layer_test(Dense, {'units': 2, 'kernel_initializer': 'zeros'}, input_shape=(3, 4),
                   expected_output=np.ones((3, 2)))
    with pytest.raises(AssertionError):
        layer_test(Dense, {'units': 2}, input_shape=(3, 4), expected_output_dtype='float64')
