"""LocallyConnected1D/2D: layer_test in both data formats and all three
implementations, a numpy loop reference with set weights, the three weight
layouts computing the same function, Keras's connectivity helpers and errors."""
import itertools

import numpy as np
import pytest

from kback import backend as K
from kback import layers as L
from kback.utils import conv_utils
from layers.layer_test import layer_test

rng = np.random.RandomState(4)
CF = 'channels_first'
FORMATS = ['channels_last', CF]


def apply_layer(layer, x):
    inp = L.Input(batch_shape=(None,) + x.shape[1:])
    return K.function([inp], [layer(inp)])([x])[0]


def local_ref(x, kernel, bias, kernel_size, strides, data_format):
    """Loop reference over output positions; x, output in data_format; the
    implementation-1 kernel rows are the patch flattened in the input layout."""
    cf = data_format == CF
    xl = np.moveaxis(x, 1, -1) if cf else x             # channels last for slicing
    spatial = xl.shape[1:-1]
    out = [(d - k) // s + 1 for d, k, s in zip(spatial, kernel_size, strides)]
    y = np.zeros((x.shape[0],) + tuple(out) + (kernel.shape[-1],))
    for j, pos in enumerate(itertools.product(*map(range, out))):
        sl = tuple(slice(p * s, p * s + k) for p, s, k in zip(pos, strides, kernel_size))
        patch = xl[(slice(None),) + sl]
        if cf:
            patch = np.moveaxis(patch, -1, 1)
        y[(slice(None),) + pos] = patch.reshape(x.shape[0], -1) @ kernel[j]
    y = np.moveaxis(y, -1, 1) if cf else y
    if bias is not None:
        # Keras's bias_add reshapes (not transposes) an (out..., F) bias to (F, out...).
        y = y + (bias.reshape((bias.shape[-1],) + bias.shape[:-1]) if cf else bias)
    return y


def shapes(rank, data_format):
    if rank == 1:
        return (None, 7, 3) if data_format == 'channels_last' else (None, 3, 7)
    return (None, 5, 6, 2) if data_format == 'channels_last' else (None, 2, 5, 6)


CLASSES = {1: (L.LocallyConnected1D, 3, 2), 2: (L.LocallyConnected2D, (2, 3), (2, 1))}


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('rank', [1, 2])
@pytest.mark.parametrize('implementation', [1, 2, 3])
def test_layer_test(data_format, rank, implementation):
    cls, k, s = CLASSES[rank]
    layer_test(cls, dict(filters=3, kernel_size=k, strides=s, data_format=data_format,
                         implementation=implementation, activation='tanh'),
               input_shape=shapes(rank, data_format))


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('rank', [1, 2])
def test_values_and_implementations_agree(data_format, rank):
    cls, k, s = CLASSES[rank]
    shape = shapes(rank, data_format)
    x = rng.uniform(-1, 1, (4,) + shape[1:]).astype('float32')
    one = cls(3, k, strides=s, data_format=data_format)
    one.build(shape)
    kernel = rng.uniform(-1, 1, K.int_shape(one.kernel))
    bias = rng.uniform(-1, 1, K.int_shape(one.bias))
    k_t = conv_utils.normalize_tuple(k, rank, 'k')
    s_t = conv_utils.normalize_tuple(s, rank, 's')
    n_out = int(np.prod(bias.shape[:-1]))
    n_in = int(np.prod(shape[1:]))
    assert kernel.shape == (n_out, int(np.prod(k_t)) * (shape[-1] if data_format ==
                                                        'channels_last' else shape[1]), 3)
    one.set_weights([kernel, bias])
    expected = local_ref(x.astype('float64'), kernel, bias, k_t, s_t, data_format)
    np.testing.assert_allclose(apply_layer(one, x), expected, rtol=1e-5, atol=1e-5)

    # The same linear map as a dense (inputs, outputs) matrix in the data layout.
    basis = np.eye(n_in).reshape((n_in,) + shape[1:])
    dense = local_ref(basis, kernel, None, k_t, s_t, data_format).reshape(n_in, -1)
    two = cls(3, k, strides=s, data_format=data_format, implementation=2)
    two.build(shape)
    two.set_weights([dense.reshape(K.int_shape(two.kernel)), bias])
    np.testing.assert_allclose(apply_layer(two, x), expected, rtol=1e-5, atol=1e-5)
    three = cls(3, k, strides=s, data_format=data_format, implementation=3)
    three.build(shape)
    idx = conv_utils.conv_kernel_idxs(shape[1:-1] if data_format == 'channels_last' else
                                      shape[2:], k_t, s_t, 'valid',
                                      shape[-1] if data_format == 'channels_last' else shape[1],
                                      3, data_format)
    rows, cols = np.array(idx).T
    assert K.int_shape(three.kernel) == (len(idx),)
    assert np.count_nonzero(dense) <= len(idx)
    three.set_weights([dense[cols, rows], bias])
    np.testing.assert_allclose(apply_layer(three, x), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('data_format', FORMATS)
def test_same_padding_implementations_2_and_3(data_format):
    shape = (None, 5, 4, 2) if data_format == 'channels_last' else (None, 2, 5, 4)
    x = rng.uniform(-1, 1, (3,) + shape[1:]).astype('float32')
    two = L.LocallyConnected2D(2, 3, strides=(2, 1), padding='same', data_format=data_format,
                               implementation=2)
    three = L.LocallyConnected2D(2, 3, strides=(2, 1), padding='same', data_format=data_format,
                                 implementation=3)
    out2 = layer_test(L.LocallyConnected2D, dict(filters=2, kernel_size=3, strides=(2, 1),
                                                 padding='same', data_format=data_format,
                                                 implementation=2), input_data=x)
    expected_shape = (3, 3, 4, 2) if data_format == 'channels_last' else (3, 2, 3, 4)
    assert out2.shape == expected_shape
    two.build(shape)
    three.build(shape)
    dense = rng.uniform(-1, 1, K.int_shape(two.kernel)) * two._kernel_mask
    bias = rng.uniform(-1, 1, K.int_shape(two.bias))
    two.set_weights([dense, bias])
    idx = conv_utils.conv_kernel_idxs((5, 4), (3, 3), (2, 1), 'same', 2, 2, data_format)
    rows, cols = np.array(idx).T
    flat = dense.reshape(40, 24)
    three.set_weights([flat[cols, rows], bias])
    np.testing.assert_allclose(apply_layer(two, x), apply_layer(three, x), rtol=1e-5, atol=1e-5)


def test_conv_kernel_mask_is_keras_connectivity():
    """Input i feeds output o along an axis when i lies in the window of size k
    starting at o * s ('valid') or centred on o * s ('same', k // 2 before)."""
    for length, k, s, padding in [(7, 3, 2, 'valid'), (7, 3, 2, 'same'), (6, 4, 1, 'same'),
                                  (5, 2, 3, 'valid')]:
        mask = conv_utils.conv_kernel_mask((length,), (k,), (s,), padding)
        out = conv_utils.conv_output_length(length, k, padding, s)
        assert mask.shape == (length, out)
        for i in range(length):
            for o in range(out):
                start = o * s if padding == 'valid' else o * s - k // 2
                assert mask[i, o] == (start <= i < start + k), (length, k, s, padding, i, o)
    mask2 = conv_utils.conv_kernel_mask((4, 5), (2, 3), (1, 2), 'valid')
    assert mask2.shape == (4, 5, 3, 2)
    assert mask2.sum() == 3 * 2 * 2 * 3


def test_keras_doc_example_shapes_and_params():
    from kback.models import Sequential
    model = Sequential()
    model.add(L.LocallyConnected1D(64, 3, input_shape=(10, 32)))
    assert model.output_shape == (None, 8, 64)
    model.add(L.LocallyConnected1D(32, 3))
    assert model.output_shape == (None, 6, 32)
    model = Sequential()
    model.add(L.LocallyConnected2D(64, (3, 3), input_shape=(32, 32, 3)))
    assert model.output_shape == (None, 30, 30, 64)
    assert model.count_params() == (30 * 30) * (3 * 3 * 3 * 64) + (30 * 30) * 64


def test_config_and_errors():
    layer = L.LocallyConnected2D(4, 3, data_format=CF, implementation=2)
    config = layer.get_config()
    assert config['implementation'] == 2 and config['kernel_size'] == (3, 3)
    assert config['data_format'] == CF and config['padding'] == 'valid'
    with pytest.raises(ValueError, match='only "valid"'):
        L.LocallyConnected1D(2, 3, padding='same')
    with pytest.raises(ValueError, match='implementation'):
        L.LocallyConnected2D(2, 3, implementation=4)
    with pytest.raises(ValueError):
        L.LocallyConnected1D(2, 3)(L.Input((None, 4)))
    with pytest.raises(ValueError):
        L.LocallyConnected2D(2, 3)(L.Input((5, 5)))
