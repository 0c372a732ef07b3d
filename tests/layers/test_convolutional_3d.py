"""Conv3D, Conv3DTranspose, SeparableConv1D, the 3D pooling and spatial
reshaping layers: layer_test in both data formats, numpy references with
set weights, Keras's argument errors, and a small Conv3D model trained with fit."""
import numpy as np
import pytest

from kback import backend as K
from kback import layers as L
from kback.models import Sequential
from backend.op_checks.conv3d_ops import (conv3d_ref, conv3d_bpi_ref, pool3d_ref, to_cf,
                                          to_cl)
from layers.layer_test import layer_test

rng = np.random.RandomState(9)
CF = 'channels_first'
FORMATS = ['channels_last', CF]


def vol(data_format, n=None, d=4, h=5, w=3, c=2):
    return (n, d, h, w, c) if data_format == 'channels_last' else (n, c, d, h, w)


def apply_layer(layer, x):
    inp = L.Input(batch_shape=(None,) + x.shape[1:])
    return K.function([inp], [layer(inp)])([x])[0]


def lay(a, data_format):
    return a if data_format == 'channels_last' else to_cf(a)


def unlay(a, data_format):
    return a if data_format == 'channels_last' else to_cl(a)


@pytest.mark.parametrize('data_format', FORMATS)
def test_conv3d_layer(data_format):
    layer_test(L.Conv3D, dict(filters=3, kernel_size=(2, 3, 2), strides=(1, 2, 1),
                              padding='same', data_format=data_format),
               input_shape=vol(data_format), expected_output_shape=vol(data_format, c=3, h=3))
    layer_test(L.Conv3D, dict(filters=2, kernel_size=2, dilation_rate=(2, 1, 1),
                              activation='relu', use_bias=False, data_format=data_format),
               input_shape=vol(data_format),
               expected_output_shape=vol(data_format, None, 2, 4, 2, 2))


@pytest.mark.parametrize('data_format', FORMATS)
def test_conv3d_values_and_weights(data_format):
    layer = L.Conv3D(4, (2, 3, 2), strides=(2, 1, 1), padding='same', activation='relu',
                     data_format=data_format)
    x = rng.uniform(-1, 1, (2, 5, 4, 3, 3)).astype('float32')
    layer.build(vol(data_format, c=3, d=5, h=4))
    kernel, bias = rng.uniform(-1, 1, (2, 3, 2, 3, 4)), rng.uniform(-1, 1, 4)
    assert [w.shape for w in layer.get_weights()] == [(2, 3, 2, 3, 4), (4,)]
    layer.set_weights([kernel, bias])
    got = unlay(apply_layer(layer, lay(x, data_format)), data_format)
    expected = np.maximum(conv3d_ref(x, kernel, (2, 1, 1), 'same', (1, 1, 1)) + bias, 0)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    config = layer.get_config()
    assert 'rank' not in config and config['dilation_rate'] == (1, 1, 1)
    assert L.Convolution3D is L.Conv3D


@pytest.mark.parametrize('data_format', FORMATS)
def test_conv3d_transpose_layer(data_format):
    layer_test(L.Conv3DTranspose, dict(filters=3, kernel_size=(2, 3, 2), strides=(2, 1, 2),
                                       padding='same', data_format=data_format),
               input_shape=vol(data_format), expected_output_shape=vol(data_format, c=3, d=8, w=6))
    layer_test(L.Conv3DTranspose, dict(filters=2, kernel_size=3, strides=2, output_padding=1,
                                       data_format=data_format),
               input_shape=vol(data_format), expected_output_shape=vol(data_format, None, 10, 12,
                                                                       8, 2))


@pytest.mark.parametrize('data_format', FORMATS)
def test_conv3d_transpose_values(data_format):
    layer = L.Conv3DTranspose(3, (3, 2, 2), strides=(2, 2, 1), padding='valid',
                              data_format=data_format)
    x = rng.uniform(-1, 1, (2, 3, 2, 4, 2)).astype('float32')
    layer.build(vol(data_format, d=3, h=2, w=4, c=2))
    kernel, bias = rng.uniform(-1, 1, (3, 2, 2, 3, 2)), rng.uniform(-1, 1, 3)
    assert [w.shape for w in layer.get_weights()] == [kernel.shape, (3,)]
    layer.set_weights([kernel, bias])
    got = unlay(apply_layer(layer, lay(x, data_format)), data_format)
    # valid: out = in * stride + max(k - stride, 0).
    out_shape = (2, 7, 4, 5, 3)
    expected = conv3d_bpi_ref(x, kernel, out_shape, (2, 2, 1), 'valid', (1, 1, 1)) + bias
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    config = layer.get_config()
    assert 'dilation_rate' not in config and config['output_padding'] is None


def test_conv3d_transpose_unknown_spatial_dims():
    layer = L.Conv3DTranspose(2, 2, strides=2, padding='same')
    inp = L.Input((None, None, None, 3))
    y = layer(inp)
    assert K.int_shape(y) == (None, None, None, None, 2)
    out = K.function([inp], [y])([np.ones((1, 2, 3, 1, 3), 'float32')])[0]
    assert out.shape == (1, 4, 6, 2, 2)


def test_conv3d_argument_errors():
    with pytest.raises(ValueError):
        L.Conv3D(2, (2, 2))
    with pytest.raises(ValueError):
        L.Conv3D(2, 2, padding='causal')
    with pytest.raises(ValueError):
        L.Conv3DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError):
        L.Conv3D(2, 2)(L.Input((4, 4, 4)))


@pytest.mark.parametrize('data_format', FORMATS)
def test_separable_conv1d(data_format):
    shape = (None, 7, 3) if data_format == 'channels_last' else (None, 3, 7)
    layer_test(L.SeparableConv1D, dict(filters=4, kernel_size=3, strides=2, padding='same',
                                       depth_multiplier=2, data_format=data_format),
               input_shape=shape)
    layer = L.SeparableConv1D(2, 3, depth_multiplier=2, data_format=data_format)
    layer.build(shape)
    dk, pk, b = rng.uniform(-1, 1, (3, 3, 2)), rng.uniform(-1, 1, (1, 6, 2)), rng.uniform(-1, 1, 2)
    assert [w.shape for w in layer.get_weights()] == [dk.shape, pk.shape, (2,)]
    layer.set_weights([dk, pk, b])
    x = rng.uniform(-1, 1, (2, 7, 3)).astype('float32')
    got = apply_layer(layer, x if data_format == 'channels_last' else x.transpose(0, 2, 1))
    if data_format == CF:
        got = got.transpose(0, 2, 1)
    depth = np.stack([np.einsum('nkc,kcm->ncm', x[:, i:i + 3], dk).reshape(2, 6)
                      for i in range(5)], axis=1)
    np.testing.assert_allclose(got, depth @ pk[0] + b, rtol=1e-5, atol=1e-5)
    config = layer.get_config()
    assert config['depth_multiplier'] == 2 and 'kernel_initializer' not in config
    assert L.SeparableConvolution1D is L.SeparableConv1D


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('cls,mode', [(L.MaxPooling3D, 'max'), (L.AveragePooling3D, 'avg')])
def test_pooling3d(data_format, cls, mode):
    x = rng.uniform(-1, 1, (2, 5, 4, 3, 2)).astype('float32')
    out = layer_test(cls, dict(pool_size=(2, 2, 3), strides=(2, 1, 1), padding='same',
                               data_format=data_format), input_data=lay(x, data_format))
    np.testing.assert_allclose(unlay(out, data_format),
                               pool3d_ref(x, (2, 2, 3), (2, 1, 1), 'same', mode), rtol=1e-6)
    out = layer_test(cls, dict(data_format=data_format), input_data=lay(x, data_format))
    np.testing.assert_allclose(unlay(out, data_format),
                               pool3d_ref(x, (2, 2, 2), (2, 2, 2), 'valid', mode), rtol=1e-6)
    assert cls().get_config()['strides'] == (2, 2, 2)


def test_pooling3d_aliases():
    assert L.MaxPool3D is L.MaxPooling3D and L.AvgPool3D is L.AveragePooling3D
    assert L.GlobalMaxPool3D is L.GlobalMaxPooling3D
    assert L.GlobalAvgPool3D is L.GlobalAveragePooling3D


@pytest.mark.parametrize('data_format', FORMATS)
def test_global_pooling3d(data_format):
    x = rng.uniform(-1, 1, (3, 2, 4, 3, 5)).astype('float32')
    out = layer_test(L.GlobalMaxPooling3D, dict(data_format=data_format),
                     input_data=lay(x, data_format), expected_output_shape=(None, 5))
    np.testing.assert_allclose(out, x.max(axis=(1, 2, 3)), rtol=1e-6)
    out = layer_test(L.GlobalAveragePooling3D, dict(data_format=data_format),
                     input_data=lay(x, data_format), expected_output_shape=(None, 5))
    np.testing.assert_allclose(out, x.mean(axis=(1, 2, 3)), rtol=1e-5)


@pytest.mark.parametrize('data_format', FORMATS)
def test_upsampling_padding_cropping_3d(data_format):
    x = rng.uniform(-1, 1, (2, 2, 3, 4, 2)).astype('float32')
    out = layer_test(L.UpSampling3D, dict(size=(1, 2, 3), data_format=data_format),
                     input_data=lay(x, data_format))
    expected = x.repeat(2, axis=2).repeat(3, axis=3)
    np.testing.assert_array_equal(unlay(out, data_format), expected)
    out = layer_test(L.ZeroPadding3D, dict(padding=((1, 0), 2, (0, 3)), data_format=data_format),
                     input_data=lay(x, data_format))
    np.testing.assert_array_equal(unlay(out, data_format),
                                  np.pad(x, ((0, 0), (1, 0), (2, 2), (0, 3), (0, 0))))
    out = layer_test(L.Cropping3D, dict(cropping=((1, 0), 1, (0, 2)), data_format=data_format),
                     input_data=lay(x, data_format))
    np.testing.assert_array_equal(unlay(out, data_format), x[:, 1:, 1:2, :2])


def test_spatial_3d_defaults_and_errors():
    assert L.UpSampling3D().get_config()['size'] == (2, 2, 2)
    assert L.ZeroPadding3D().get_config()['padding'] == ((1, 1), (1, 1), (1, 1))
    assert L.ZeroPadding3D(2).padding == ((2, 2),) * 3
    assert L.Cropping3D().get_config()['cropping'] == ((1, 1), (1, 1), (1, 1))
    with pytest.raises(ValueError):
        L.ZeroPadding3D((1, 1))
    with pytest.raises(ValueError):
        L.Cropping3D(((1, 1), (1, 1, 1), 1))
    with pytest.raises(ValueError):
        L.Cropping3D(2)(L.Input((3, 8, 8, 1)))


def test_conv3d_model_trains_with_fit():
    rs = np.random.RandomState(0)
    x = rs.uniform(0, 1, (32, 4, 6, 6, 1)).astype('float32')
    y = (x[:, :2].mean(axis=(1, 2, 3, 4)) > x[:, 2:].mean(axis=(1, 2, 3, 4))).astype('float32')
    model = Sequential([
        L.Conv3D(4, 3, padding='same', activation='relu', input_shape=(4, 6, 6, 1)),
        L.MaxPooling3D((2, 2, 2)),
        L.Conv3DTranspose(2, 2, strides=2, padding='same', activation='relu'),
        L.GlobalAveragePooling3D(),
        L.Dense(1, activation='sigmoid')])
    model.compile('adam', 'binary_crossentropy')
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, epochs=8, batch_size=8, verbose=0)
    assert len(history.history['loss']) == 8
    assert model.evaluate(x, y, verbose=0) < before
    assert model.predict(x).shape == (32, 1)
