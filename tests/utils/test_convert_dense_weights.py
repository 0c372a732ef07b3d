"""layer_utils.convert_dense_weights_data_format: a Dense after Flatten keeps
computing the same function when the feature map changes data format."""
import numpy as np
import pytest

from kback import layers, models
from kback.utils.layer_utils import convert_dense_weights_data_format


def _dense_after_flatten(input_shape, units=4):
    model = models.Sequential([layers.Flatten(input_shape=input_shape),
                               layers.Dense(units)])
    return model


@pytest.mark.parametrize('target', ['channels_first', 'channels_last'])
def test_same_outputs_after_conversion(target):
    rng = np.random.RandomState(0)
    h, w, c = 3, 5, 2
    last = rng.rand(6, h, w, c).astype('float32')
    first = last.transpose(0, 3, 1, 2).copy()
    src_x, dst_x = (last, first) if target == 'channels_first' else (first, last)
    src = _dense_after_flatten(src_x.shape[1:])
    dst = _dense_after_flatten(dst_x.shape[1:])
    dst.set_weights(src.get_weights())
    convert_dense_weights_data_format(dst.layers[1], dst_x.shape[1:], target)
    np.testing.assert_allclose(dst.predict(dst_x), src.predict(src_x), rtol=1e-5, atol=1e-6)


def test_bad_arguments():
    model = _dense_after_flatten((2, 2, 3))
    with pytest.raises(ValueError, match='target_data_format'):
        convert_dense_weights_data_format(model.layers[1], (3, 2, 2), 'channels_middle')
    with pytest.raises(ValueError, match='previous_feature_map_shape'):
        convert_dense_weights_data_format(model.layers[1], (3, 2, 3))
