"""Bidirectional: merge modes against forward/backward copies run by hand,
return_state, masks, weights order, config and save/load."""
import numpy as np
import pytest

from kback import backend as K
from kback import layers, models
from kback.engine.saving import load_model

rng = np.random.RandomState(4)


def halves(bi, x, **kwargs):
    """The forward and the (input-order) backward outputs of bi's two layers."""
    inp = K.placeholder((None,) + x.shape[1:])
    f, b = K.function([inp], [bi.forward_layer.call(inp, **kwargs),
                              bi.backward_layer.call(inp, **kwargs)])([x])
    if bi.return_sequences:
        b = b[:, ::-1]
    return f, b


@pytest.mark.parametrize('merge_mode', ['concat', 'sum', 'mul', 'ave', None])
@pytest.mark.parametrize('return_sequences', [False, True])
def test_merge_modes(merge_mode, return_sequences):
    x = rng.uniform(-1, 1, (2, 5, 3)).astype('float32')
    bi = layers.Bidirectional(layers.LSTM(4, return_sequences=return_sequences),
                              merge_mode=merge_mode)
    inp = layers.Input((5, 3))
    out = bi(inp)
    got = models.Model(inp, out).predict(x)
    f, b = halves(bi, x)
    expected = {'concat': lambda: np.concatenate([f, b], axis=-1), 'sum': lambda: f + b,
                'mul': lambda: f * b, 'ave': lambda: (f + b) / 2,
                None: lambda: [f, b]}[merge_mode]()
    if merge_mode is None:
        assert isinstance(out, list) and len(got) == 2
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
        width = 8 if merge_mode == 'concat' else 4
        shape = (None, 5, width) if return_sequences else (None, width)
        assert K.int_shape(out) == shape and bi.compute_output_shape((None, 5, 3)) == shape


def test_backward_layer_reads_the_sequence_reversed():
    x = rng.uniform(-1, 1, (2, 4, 3)).astype('float32')
    bi = layers.Bidirectional(layers.SimpleRNN(3), merge_mode=None)
    inp = layers.Input((4, 3))
    f, b = models.Model(inp, bi(inp)).predict(x)
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    assert bi.forward_layer.name.startswith('forward_')
    assert bi.backward_layer.name.startswith('backward_')
    plain = layers.SimpleRNN(3)
    ref = models.Model(inp, plain(inp))
    plain.set_weights(bi.backward_layer.get_weights())
    np.testing.assert_allclose(b, ref.predict(x[:, ::-1]), rtol=1e-5, atol=1e-6)


def test_return_state_and_weights():
    inp = layers.Input((None, 3))
    bi = layers.Bidirectional(layers.LSTM(4, return_state=True))
    outs = bi(inp)
    assert len(outs) == 5
    assert [K.int_shape(o) for o in outs] == [(None, 8)] + [(None, 4)] * 4
    assert bi.compute_output_shape((None, None, 3)) == [(None, 8)] + [(None, 4)] * 4
    assert len(bi.trainable_weights) == 6
    weights = bi.get_weights()
    assert [w.shape for w in weights] == [(3, 16), (4, 16), (16,)] * 2
    np.testing.assert_array_equal(weights[:3][0], bi.forward_layer.get_weights()[0])
    new = [rng.uniform(-1, 1, w.shape) for w in weights]
    bi.set_weights(new)
    np.testing.assert_allclose(bi.backward_layer.get_weights()[1], new[4], rtol=1e-6)


def test_masks_and_padding():
    tokens = np.array([[3, 5, 2, 0, 0]])
    emb = layers.Embedding(8, 3, mask_zero=True)
    bi = layers.Bidirectional(layers.GRU(4, return_sequences=True))
    model = models.Sequential([emb, bi])
    assert bi.output_mask is not None
    full = model.predict(tokens)
    short = models.Sequential([layers.Embedding(8, 3, weights=emb.get_weights()),
                               layers.Bidirectional(layers.GRU(4, return_sequences=True),
                                                    weights=bi.get_weights())])
    np.testing.assert_allclose(full[:, :3], short.predict(tokens[:, :3]), rtol=1e-5, atol=1e-6)


def test_invalid_merge_mode():
    with pytest.raises(ValueError, match='merge mode'):
        layers.Bidirectional(layers.LSTM(3), merge_mode='max')


def test_config_save_and_load(tmp_path):
    x = rng.uniform(-1, 1, (4, 5, 3)).astype('float32')
    model = models.Sequential([layers.Bidirectional(layers.LSTM(3, return_sequences=True),
                                                    merge_mode='sum', input_shape=(5, 3)),
                               layers.Bidirectional(layers.SimpleRNN(2)),
                               layers.Dense(1)])
    model.compile('adam', 'mse')
    model.fit(x, np.ones((4, 1)), epochs=2, verbose=0)
    config = model.layers[0].get_config()
    assert config['merge_mode'] == 'sum' and config['layer']['class_name'] == 'LSTM'
    path = str(tmp_path / 'bi.h5')
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-5, atol=1e-6)
    clone = models.Sequential.from_config(model.get_config())
    assert isinstance(clone.layers[0], layers.Bidirectional)
