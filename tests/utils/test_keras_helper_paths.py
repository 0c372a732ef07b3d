"""Small Keras 2.3 helpers kept at their module paths: io_utils binary HDF5,
losses_utils, base_layer.disable_tracking, vis_utils predicates."""
import io

import numpy as np
import pytest

from kback import backend as K, layers, models
from kback.engine.base_layer import Layer, disable_tracking
from kback.utils import io_utils, losses_utils, vis_utils

h5py = pytest.importorskip('h5py')


def test_binary_h5py_round_trip():
    stream = io.BytesIO()

    def save(f):
        f.create_dataset('w', data=np.arange(4.))
        return 'saved'
    assert io_utils.save_to_binary_h5py(save, stream) == 'saved'
    stream.seek(0)
    got = io_utils.load_from_binary_h5py(lambda f: np.asarray(f['w']), stream)
    np.testing.assert_array_equal(got, np.arange(4.))


def test_model_through_binary_h5py():
    model = models.Sequential([layers.Dense(2, input_shape=(3,))])
    stream = io.BytesIO()
    io_utils.save_to_binary_h5py(lambda f: models.save_model(model, f), stream)
    stream.seek(0)
    again = io_utils.load_from_binary_h5py(models.load_model, stream)
    x = np.ones((1, 3), 'float32')
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


def test_reduce_weighted_loss():
    losses = K.constant([[1., 2.], [3., 6.]])
    assert K.eval(losses_utils.reduce_weighted_loss(losses, 'sum')) == 12.
    assert K.eval(losses_utils.reduce_weighted_loss(losses)) == 3.
    np.testing.assert_array_equal(K.eval(losses_utils.reduce_weighted_loss(losses, 'none')),
                                  [[1., 2.], [3., 6.]])
    got = losses_utils.compute_weighted_loss(losses, K.constant([1., 0.]), 'sum')
    assert K.eval(got) == 3.


def test_disable_tracking():
    class Holder(Layer):
        def __init__(self):
            super().__init__()
            self.tracked = layers.Dense(2)
            self._stash()

        @disable_tracking
        def _stash(self):
            self.untracked = layers.Dense(3)

    holder = Holder()
    assert holder.tracked in holder._layers
    assert holder.untracked not in holder._layers


def test_vis_predicates():
    pytest.importorskip('pydot')
    inner = models.Sequential([layers.Dense(2, input_shape=(3,))])
    assert vis_utils.is_model(inner) and not vis_utils.is_model(inner.layers[0])
    wrapped = layers.TimeDistributed(inner)
    assert vis_utils.is_wrapped_model(wrapped)
    assert not vis_utils.is_wrapped_model(layers.TimeDistributed(layers.Dense(2)))
    import pydot
    dot = pydot.Dot()
    vis_utils.add_edge(dot, 'a', 'b')
    vis_utils.add_edge(dot, 'a', 'b')
    assert len(dot.get_edges()) == 1
