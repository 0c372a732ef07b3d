"""saving.preprocess_weights_for_loading: weights saved by Keras 1, by a
convolving backend (Theano) and by the CuDNN layers load into Keras 2 layers."""
import numpy as np
import pytest

from kback import layers, models
from kback.engine.saving import preprocess_weights_for_loading
from kback.utils.conv_utils import convert_kernel

rng = np.random.RandomState(0)


def _built(layer, input_shape):
    layer.build(input_shape)
    return layer


def test_keras_1_lstm_gate_order():
    lstm = _built(layers.LSTM(3), (None, 5, 2))
    # Keras 1: one (W, U, b) triple per gate, in the order i, c, f, o.
    per_gate = {g: [rng.rand(2, 3), rng.rand(3, 3), rng.rand(3)] for g in 'icfo'}
    saved = [w for g in 'icfo' for w in per_gate[g]]
    kernel, recurrent, bias = preprocess_weights_for_loading(lstm, saved, '1')
    for k, got in enumerate((kernel, recurrent, bias)):
        want = np.concatenate([per_gate[g][k] for g in 'ifco'], axis=-1)
        np.testing.assert_array_equal(got, want)


def test_keras_1_gru():
    gru = _built(layers.GRU(3), (None, 5, 2))
    saved = [rng.rand(*s) for _ in range(3) for s in ((2, 3), (3, 3), (3,))]
    kernel, recurrent, bias = preprocess_weights_for_loading(gru, saved, '1')
    np.testing.assert_array_equal(kernel, np.concatenate(saved[0::3], axis=-1))
    np.testing.assert_array_equal(recurrent, np.concatenate(saved[1::3], axis=-1))
    np.testing.assert_array_equal(bias, np.concatenate(saved[2::3], axis=-1))


def test_keras_1_conv2d_channels_first():
    conv = _built(layers.Conv2D(4, (3, 2), data_format='channels_first'), (None, 5, 6, 6))
    old = rng.rand(4, 5, 3, 2)                      # (filters, stack, rows, cols)
    kernel, bias = preprocess_weights_for_loading(conv, [old, np.zeros(4)], '1')
    np.testing.assert_array_equal(kernel, old.transpose(2, 3, 1, 0))


def test_theano_kernels_are_flipped_end_to_end(tmp_path):
    model = models.Sequential([layers.Conv2D(3, 3, input_shape=(6, 6, 2)), layers.Flatten(),
                               layers.Dense(2)])
    x = rng.rand(4, 6, 6, 2).astype('float32')
    want = model.predict(x)
    path = str(tmp_path / 'w.h5')
    model.save_weights(path)
    import h5py
    with h5py.File(path, 'r+') as f:
        f.attrs['backend'] = b'theano'
        g = f[model.layers[0].name]
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs['weight_names']]
        name = [n for n in names if 'kernel' in n][0]
        g[name][...] = convert_kernel(g[name][...])
    fresh = models.Sequential([layers.Conv2D(3, 3, input_shape=(6, 6, 2)), layers.Flatten(),
                               layers.Dense(2)])
    fresh.load_weights(path)
    np.testing.assert_allclose(fresh.predict(x), want, rtol=1e-5, atol=1e-6)


def _to_cudnn(kernel, recurrent, n_gates):
    """The CuDNN layout of each gate's kernels (input kernels in Fortran order,
    recurrent kernels transposed), written independently of kback's code."""
    ins = np.hsplit(kernel, n_gates)
    recs = np.hsplit(recurrent, n_gates)
    # CuDNN reads a gate's (in, units) input kernel as the transpose's data.
    cud_in = [k.T.reshape(k.shape) for k in ins]
    return np.hstack(cud_in), np.hstack([r.T for r in recs])


def test_lstm_from_cudnn_weights():
    lstm = _built(layers.LSTM(3), (None, 5, 2))
    kernel, recurrent, bias = rng.rand(2, 12), rng.rand(3, 12), rng.rand(12)
    cud_kernel, cud_recurrent = _to_cudnn(kernel, recurrent, 4)
    cud_bias = np.concatenate([0.25 * bias, 0.75 * bias])   # only the sum matters
    got = preprocess_weights_for_loading(lstm, [cud_kernel, cud_recurrent, cud_bias], '2.3.1')
    np.testing.assert_allclose(got[0], kernel)
    np.testing.assert_allclose(got[1], recurrent)
    np.testing.assert_allclose(got[2], bias)
    with pytest.raises(ValueError, match='bias shape'):
        preprocess_weights_for_loading(lstm, [kernel, recurrent, np.zeros(5)], '2.3.1')


def test_gru_from_cudnn_weights_needs_reset_after():
    kernel, recurrent, bias = rng.rand(2, 9), rng.rand(3, 9), rng.rand(2, 9)
    cud_kernel, cud_recurrent = _to_cudnn(kernel, recurrent, 3)
    gru = _built(layers.GRU(3, reset_after=True), (None, 5, 2))
    got = preprocess_weights_for_loading(gru, [cud_kernel, cud_recurrent, bias.ravel()], '2')
    np.testing.assert_allclose(got[0], kernel)
    np.testing.assert_allclose(got[1], recurrent)
    np.testing.assert_allclose(got[2], bias)
    plain = _built(layers.GRU(3, reset_after=False), (None, 5, 2))
    with pytest.raises(ValueError, match='not compatible'):
        preprocess_weights_for_loading(plain, [kernel, recurrent, bias], '2')


def test_bidirectional_converts_each_direction():
    bi = layers.Bidirectional(layers.LSTM(3))
    bi.build((None, 5, 2))
    forward = [rng.rand(2, 3) if k == 0 else rng.rand(3, 3) if k == 1 else rng.rand(3)
               for _ in range(4) for k in range(3)]
    backward = [2 * w for w in forward]
    out = preprocess_weights_for_loading(bi, forward + backward, '1')
    assert len(out) == 6
    np.testing.assert_array_equal(out[3], 2 * out[0])


def test_current_files_are_untouched():
    dense = _built(layers.Dense(3), (None, 2))
    values = [rng.rand(2, 3), rng.rand(3)]
    out = preprocess_weights_for_loading(dense, values, '2.3.1', 'tensorflow')
    assert all(a is b for a, b in zip(out, values))


def test_reshape_between_dense_and_1x1_conv():
    conv = _built(layers.Conv2D(3, 1), (None, 4, 4, 2))
    values = [rng.rand(2, 3), rng.rand(3)]
    out = preprocess_weights_for_loading(conv, values, '2.3.1', reshape=True)
    assert out[0].shape == (1, 1, 2, 3)
    with pytest.raises(ValueError, match='equal size'):
        preprocess_weights_for_loading(conv, [rng.rand(5, 3), values[1]], '2.3.1',
                                       reshape=True)
