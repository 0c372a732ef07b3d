"""Mask propagation: Layer.__call__ passes the previous layer's mask to call
and stores compute_mask's result; models rerun carry masks; layers that do
not support masking raise TypeError."""
import numpy as np
import pytest

from kback import backend as K
from kback import layers, models


class MaskReader(layers.Layer):
    """Outputs its input times the mask (as floats), to see what it got."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return inputs * 0 - 1
        return inputs * 0 + K.expand_dims(K.cast(mask, K.dtype(inputs)))


def test_embedding_mask_reaches_the_next_layer():
    inp = layers.Input((4,))
    emb = layers.Embedding(5, 2, mask_zero=True)
    x = emb(inp)
    assert emb.output_mask is not None and x._keras_mask is not None
    reader = MaskReader()
    out = reader(x)
    assert reader.input_mask is x._keras_mask
    # supports_masking passes the mask on.
    assert reader.output_mask is not None
    got = models.Model(inp, out).predict(np.array([[1, 2, 0, 0]]))
    np.testing.assert_array_equal(got[0, :, 0], [1, 1, 0, 0])


def test_masks_in_a_rerun_model():
    inp = layers.Input((3,))
    out = MaskReader()(layers.Embedding(5, 2, mask_zero=True)(inp))
    inner = models.Model(inp, out)
    new_in = layers.Input((3,))
    outer = models.Model(new_in, inner(new_in))
    np.testing.assert_array_equal(outer.predict(np.array([[0, 4, 0]]))[0, :, 0], [0, 1, 0])
    assert inner.compute_mask(new_in) is not None


def test_masking_layer_mask():
    x = np.array([[[1., 2.], [0., 0.], [3., 0.]]])
    inp = layers.Input((3, 2))
    out = MaskReader()(layers.Masking(0.)(inp))
    np.testing.assert_array_equal(models.Model(inp, out).predict(x)[0, :, 0], [1, 0, 1])


def test_layer_without_masking_support_raises():
    inp = layers.Input((4,))
    x = layers.Embedding(5, 2, mask_zero=True)(inp)
    with pytest.raises(TypeError, match='does not support masking'):
        layers.Flatten()(x)
    # Without mask_zero nothing is masked.
    layers.Flatten()(layers.Embedding(5, 2)(inp))


def test_no_mask_means_none():
    inp = layers.Input((4,))
    dense = layers.Dense(3)
    dense(inp)
    assert dense.output_mask is None and dense.input_mask is None


def test_explicit_mask_argument_wins():
    inp = layers.Input((3, 2))
    m = layers.Input((3,), dtype='bool')
    out = layers.SimpleRNN(2, return_sequences=True)(inp, mask=m)
    model = models.Model([inp, m], out)
    x = np.random.RandomState(0).uniform(-1, 1, (1, 3, 2))
    got = model.predict([x, np.array([[True, False, False]])])
    np.testing.assert_allclose(got[0, 1], got[0, 0])
    np.testing.assert_allclose(got[0, 2], got[0, 0])
