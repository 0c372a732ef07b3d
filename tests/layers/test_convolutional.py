"""Convolution and spatial reshaping layers: layer_test in both data formats,
values against direct numpy loops, Keras 2.3 shapes/configs/errors."""
import numpy as np
import pytest

from kback import backend as K
from kback import layers as L
from kback.layers import Input
from tests.layers.layer_test import layer_test

FORMATS = ['channels_last', 'channels_first']


# -- numpy references (NHWC, direct loops) --------------------------------------------

def _pads(length, k, s, d, padding):
    """TF's (before, after) padding along one axis."""
    span = (k - 1) * d + 1
    if padding == 'valid':
        return 0, 0
    out = -(-length // s)
    total = max((out - 1) * s + span - length, 0)
    return total // 2, total - total // 2


def _padded(x, kernel, strides, dilation, padding):
    (pt, pb), (pl, pr) = [_pads(x.shape[1 + a], kernel[a], strides[a], dilation[a], padding)
                          for a in (0, 1)]
    return np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))


def ref_conv2d(x, w, strides=(1, 1), padding='valid', dilation=(1, 1)):
    kh, kw, _, out_c = w.shape
    xp = _padded(x, (kh, kw), strides, dilation, padding)
    oh = (xp.shape[1] - (kh - 1) * dilation[0] - 1) // strides[0] + 1
    ow = (xp.shape[2] - (kw - 1) * dilation[1] - 1) // strides[1] + 1
    y = np.zeros((x.shape[0], oh, ow, out_c))
    for p in range(oh):
        for q in range(ow):
            for i in range(kh):
                for j in range(kw):
                    pix = xp[:, p * strides[0] + i * dilation[0], q * strides[1] + j * dilation[1]]
                    y[:, p, q] += pix @ w[i, j]
    return y


def ref_depthwise(x, w, strides=(1, 1), padding='valid', dilation=(1, 1)):
    kh, kw, c, m = w.shape
    outs = [ref_conv2d(x[..., ci:ci + 1], w[:, :, ci:ci + 1, :], strides, padding, dilation)
            for ci in range(c)]
    return np.concatenate(outs, axis=-1)   # channel ci * m + mi


def ref_conv2d_transpose(x, w, out_hw, strides=(1, 1), padding='valid', dilation=(1, 1)):
    """Scatter each input pixel through the kernel (kh, kw, out, in), then crop
    the 'same' padding of a conv2d whose input is out_hw."""
    kh, kw, out_c, _ = w.shape
    (pt, _), (pl, _) = [_pads(out_hw[a], (kh, kw)[a], strides[a], dilation[a], padding)
                        for a in (0, 1)]
    big = np.zeros((x.shape[0], out_hw[0] + kh * dilation[0] + pt + strides[0] * x.shape[1],
                    out_hw[1] + kw * dilation[1] + pl + strides[1] * x.shape[2], out_c))
    for p in range(x.shape[1]):
        for q in range(x.shape[2]):
            for i in range(kh):
                for j in range(kw):
                    big[:, p * strides[0] + i * dilation[0], q * strides[1] + j * dilation[1]] += \
                        x[:, p, q] @ w[i, j].T
    return big[:, pt:pt + out_hw[0], pl:pl + out_hw[1]]


def _to_cf(a):
    return np.transpose(a, (0, 3, 1, 2))


def _to_cl(a):
    return np.transpose(a, (0, 2, 3, 1))


def _run(layer, x, phase=None):
    inp = Input(batch_shape=(None,) + x.shape[1:], dtype=x.dtype.name)
    out = layer(inp)
    return K.function([inp], [out])([x])[0]


def _image(rng, data_format, n=2, h=7, w=6, c=3, dtype='float64'):
    x = rng.standard_normal((n, h, w, c)).astype(dtype)
    return x, (x if data_format == 'channels_last' else _to_cf(x))


def _shape(data_format, h, w, c):
    return (None, h, w, c) if data_format == 'channels_last' else (None, c, h, w)


# -- layer_test in both formats ---------------------------------------------------------

LAYER_CASES = [
    (L.Conv2D, {'filters': 4, 'kernel_size': 3}),
    (L.Conv2D, {'filters': 2, 'kernel_size': (2, 3), 'strides': 2, 'padding': 'same',
                'activation': 'relu'}),
    (L.Conv2D, {'filters': 2, 'kernel_size': 2, 'dilation_rate': 2, 'use_bias': False}),
    (L.SeparableConv2D, {'filters': 3, 'kernel_size': 3, 'depth_multiplier': 2,
                         'padding': 'same'}),
    (L.SeparableConv2D, {'filters': 2, 'kernel_size': (3, 2), 'strides': (2, 1)}),
    (L.DepthwiseConv2D, {'kernel_size': 3, 'depth_multiplier': 2}),
    (L.DepthwiseConv2D, {'kernel_size': 2, 'strides': 2, 'padding': 'same',
                         'activation': 'tanh'}),
    (L.Conv2DTranspose, {'filters': 3, 'kernel_size': 3}),
    (L.Conv2DTranspose, {'filters': 2, 'kernel_size': 3, 'strides': 2, 'padding': 'same'}),
    (L.Conv2DTranspose, {'filters': 2, 'kernel_size': 3, 'strides': 2,
                         'output_padding': 1}),
    (L.ZeroPadding2D, {'padding': ((1, 2), (0, 3))}),
    (L.Cropping2D, {'cropping': ((1, 2), (2, 0))}),
    (L.UpSampling2D, {'size': (2, 3)}),
    (L.UpSampling2D, {'size': 2, 'interpolation': 'bilinear'}),
]


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('cls,kwargs', LAYER_CASES,
                         ids=[f'{c.__name__}-{i}' for i, (c, _) in enumerate(LAYER_CASES)])
def test_layer_test_both_formats(cls, kwargs, data_format):
    kwargs = dict(kwargs, data_format=data_format)
    out = layer_test(cls, kwargs, input_shape=_shape(data_format, 6, 5, 3))
    assert out.dtype == np.float32


@pytest.mark.parametrize('data_format', FORMATS)
def test_layer_test_default_format_follows_image_data_format(data_format):
    """Without data_format the layer follows K.image_data_format()."""
    out = layer_test(L.Conv2D, {'filters': 4, 'kernel_size': 3}, data_format=data_format,
                     input_shape=_shape(data_format, 5, 6, 2),
                     expected_output_shape=_shape(data_format, 3, 4, 4))
    assert out.shape[1 if data_format == 'channels_first' else 3] == 4


def test_layer_test_1d():
    layer_test(L.Conv1D, {'filters': 3, 'kernel_size': 2}, input_shape=(None, 6, 4),
               expected_output_shape=(None, 5, 3))
    layer_test(L.Conv1D, {'filters': 3, 'kernel_size': 3, 'padding': 'causal',
                          'dilation_rate': 2}, input_shape=(None, 6, 4),
               expected_output_shape=(None, 6, 3))
    layer_test(L.Conv1D, {'filters': 3, 'kernel_size': 3, 'strides': 2,
                          'data_format': 'channels_first'}, input_shape=(None, 4, 7),
               expected_output_shape=(None, 3, 3))
    layer_test(L.UpSampling1D, {'size': 3}, input_shape=(None, 3, 2),
               expected_output_shape=(None, 9, 2))
    layer_test(L.ZeroPadding1D, {'padding': (1, 2)}, input_shape=(None, 3, 2),
               expected_output_shape=(None, 6, 2))
    layer_test(L.Cropping1D, {'cropping': (1, 0)}, input_shape=(None, 3, 2),
               expected_output_shape=(None, 2, 2))


# -- values against numpy --------------------------------------------------------------

CONV_COMBOS = [((1, 1), 'valid', (1, 1)), ((2, 2), 'valid', (1, 1)), ((1, 1), 'same', (1, 1)),
               ((2, 1), 'same', (1, 1)), ((1, 1), 'valid', (2, 2)), ((1, 1), 'same', (2, 1)),
               ((3, 2), 'same', (1, 1))]


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('strides,padding,dilation', CONV_COMBOS)
def test_conv2d_values(strides, padding, dilation, data_format):
    rng = np.random.default_rng(0)
    x, xin = _image(rng, data_format, h=8, w=7)
    layer = L.Conv2D(4, (3, 2), strides=strides, padding=padding, dilation_rate=dilation,
                     data_format=data_format, bias_initializer='random_normal', dtype='float64')
    got = _run(layer, xin)
    w, b = layer.get_weights()
    assert w.shape == (3, 2, 3, 4)      # (kh, kw, in, out) in both formats
    want = ref_conv2d(x, w, strides, padding, dilation) + b
    if data_format == 'channels_first':
        want = _to_cf(want)
    assert got.shape == layer.compute_output_shape(xin.shape)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize('data_format', FORMATS)
def test_conv2d_activation_after_bias(data_format):
    rng = np.random.default_rng(1)
    x, xin = _image(rng, data_format)
    layer = L.Conv2D(3, 3, activation='relu', data_format=data_format,
                     bias_initializer='random_normal', dtype='float64')
    got = _run(layer, xin)
    w, b = layer.get_weights()
    want = np.maximum(ref_conv2d(x, w) + b, 0)
    np.testing.assert_allclose(got, want if data_format == 'channels_last' else _to_cf(want),
                               rtol=1e-10, atol=1e-12)
    assert (got == 0).any() and (got > 0).any()


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('strides,padding,dilation', CONV_COMBOS[:4] + CONV_COMBOS[5:6])
def test_depthwise_and_separable_values(strides, padding, dilation, data_format):
    rng = np.random.default_rng(2)
    x, xin = _image(rng, data_format, h=8, w=7)
    dw = L.DepthwiseConv2D(3, strides=strides, padding=padding, depth_multiplier=2,
                           dilation_rate=dilation, data_format=data_format,
                           bias_initializer='random_normal', dtype='float64')
    got = _run(dw, xin)
    k, b = dw.get_weights()
    assert k.shape == (3, 3, 3, 2) and b.shape == (6,)
    want = ref_depthwise(x, k, strides, padding, dilation) + b
    np.testing.assert_allclose(got, want if data_format == 'channels_last' else _to_cf(want),
                               rtol=1e-10, atol=1e-10)

    sep = L.SeparableConv2D(5, 3, strides=strides, padding=padding, depth_multiplier=2,
                            dilation_rate=dilation, data_format=data_format,
                            bias_initializer='random_normal', dtype='float64')
    got = _run(sep, xin)
    dk, pk, b = sep.get_weights()
    assert dk.shape == (3, 3, 3, 2) and pk.shape == (1, 1, 6, 5) and b.shape == (5,)
    want = ref_depthwise(x, dk, strides, padding, dilation) @ pk[0, 0] + b
    np.testing.assert_allclose(got, want if data_format == 'channels_last' else _to_cf(want),
                               rtol=1e-10, atol=1e-10)


TRANSPOSE_COMBOS = [((1, 1), 'valid', None, (1, 1)), ((2, 2), 'valid', None, (1, 1)),
                    ((2, 2), 'same', None, (1, 1)), ((2, 3), 'valid', (1, 2), (1, 1)),
                    ((2, 2), 'same', (1, 0), (1, 1)), ((1, 1), 'valid', None, (2, 2)),
                    ((1, 1), 'same', None, (2, 1))]


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('strides,padding,output_padding,dilation', TRANSPOSE_COMBOS)
def test_conv2d_transpose_values(strides, padding, output_padding, dilation, data_format):
    rng = np.random.default_rng(3)
    x, xin = _image(rng, data_format, h=4, w=5)
    layer = L.Conv2DTranspose(2, 3, strides=strides, padding=padding,
                              output_padding=output_padding, dilation_rate=dilation,
                              data_format=data_format, bias_initializer='random_normal',
                              dtype='float64')
    got = _run(layer, xin)
    w, b = layer.get_weights()
    assert w.shape == (3, 3, 2, 3)      # (kh, kw, filters, in)
    out_hw = got.shape[1:3] if data_format == 'channels_last' else got.shape[2:]
    # Keras's deconv_length
    for length, s, o, d, got_len in zip((4, 5), strides, output_padding or (None, None),
                                        dilation, out_hw):
        span = 2 * d + 1
        if o is None:
            want_len = length * s + max(span - s, 0) if padding == 'valid' else length * s
        else:
            want_len = (length - 1) * s + span - 2 * (span // 2 if padding == 'same' else 0) + o
        assert got_len == want_len
    want = ref_conv2d_transpose(x, w, out_hw, strides, padding, dilation) + b
    np.testing.assert_allclose(got, want if data_format == 'channels_last' else _to_cf(want),
                               rtol=1e-10, atol=1e-10)
    assert got.shape == layer.compute_output_shape(xin.shape)


@pytest.mark.parametrize('data_format', FORMATS)
def test_conv2d_transpose_unknown_spatial_dims(data_format):
    rng = np.random.default_rng(4)
    layer = L.Conv2DTranspose(2, 3, strides=2, data_format=data_format, dtype='float64')
    inp = Input(batch_shape=_shape(data_format, None, None, 3), dtype='float64')
    out = layer(inp)
    assert K.int_shape(out) == _shape(data_format, None, None, 2)
    f = K.function([inp], [out])
    for h, w in ((3, 4), (5, 2)):
        x, xin = _image(rng, data_format, h=h, w=w)
        got = f([xin])[0]
        k, b = layer.get_weights()
        want = ref_conv2d_transpose(x, k, (2 * h + 1, 2 * w + 1), (2, 2)) + b
        np.testing.assert_allclose(got, want if data_format == 'channels_last' else _to_cf(want),
                                   rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize('padding', ['valid', 'same', 'causal'])
@pytest.mark.parametrize('data_format', FORMATS)
def test_conv1d_values(padding, data_format):
    if padding == 'causal' and data_format == 'channels_first':
        return
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 9, 3))
    layer = L.Conv1D(4, 3, strides=1 if padding == 'causal' else 2, padding=padding,
                     dilation_rate=2 if padding == 'causal' else 1, data_format=data_format,
                     bias_initializer='random_normal', dtype='float64')
    got = _run(layer, x if data_format == 'channels_last' else x.transpose(0, 2, 1))
    w, b = layer.get_weights()
    assert w.shape == (3, 3, 4)
    if padding == 'causal':
        xp = np.pad(x, ((0, 0), (4, 0), (0, 0)))
        want = sum(xp[:, 2 * i:2 * i + 9] @ w[i] for i in range(3)) + b
    else:
        want = ref_conv2d(x[:, None], w[None], (1, 2), padding)[:, 0] + b
    if data_format == 'channels_first':
        want = want.transpose(0, 2, 1)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize('data_format', FORMATS)
def test_padding_cropping_upsampling_layouts(data_format):
    rng = np.random.default_rng(6)
    x, xin = _image(rng, data_format, h=5, w=4, c=2)

    def same(layer, want_cl):
        got = _run(layer, xin)
        np.testing.assert_array_equal(got, want_cl if data_format == 'channels_last'
                                      else _to_cf(want_cl))

    same(L.ZeroPadding2D(((1, 2), (3, 0)), data_format=data_format, dtype='float64'),
         np.pad(x, ((0, 0), (1, 2), (3, 0), (0, 0))))
    same(L.ZeroPadding2D(2, data_format=data_format, dtype='float64'),
         np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0))))
    same(L.ZeroPadding2D((1, 0), data_format=data_format, dtype='float64'),
         np.pad(x, ((0, 0), (1, 1), (0, 0), (0, 0))))
    same(L.Cropping2D(((1, 2), (0, 1)), data_format=data_format, dtype='float64'),
         x[:, 1:3, 0:3])
    same(L.Cropping2D(1, data_format=data_format, dtype='float64'), x[:, 1:4, 1:3])
    same(L.Cropping2D((2, 1), data_format=data_format, dtype='float64'), x[:, 2:3, 1:3])
    same(L.UpSampling2D((2, 3), data_format=data_format, dtype='float64'),
         np.repeat(np.repeat(x, 2, axis=1), 3, axis=2))


def test_1d_layouts():
    x = np.arange(24, dtype='float64').reshape(2, 4, 3)
    np.testing.assert_array_equal(_run(L.ZeroPadding1D(2, dtype='float64'), x),
                                  np.pad(x, ((0, 0), (2, 2), (0, 0))))
    np.testing.assert_array_equal(_run(L.Cropping1D((1, 2), dtype='float64'), x), x[:, 1:2])
    np.testing.assert_array_equal(_run(L.UpSampling1D(2, dtype='float64'), x),
                                  np.repeat(x, 2, axis=1))


def test_upsampling_bilinear_constant_and_shape():
    x = np.full((1, 3, 4, 2), 1.5)
    layer = L.UpSampling2D((2, 2), interpolation='bilinear', dtype='float64')
    got = _run(layer, x)
    assert got.shape == (1, 6, 8, 2)
    np.testing.assert_allclose(got, 1.5)


# -- shapes and configs -----------------------------------------------------------------

@pytest.mark.parametrize('data_format', FORMATS)
def test_compute_output_shape_with_unknown_dims(data_format):
    def shape(h, w, c):
        return _shape(data_format, h, w, c)
    cases = [
        (L.Conv2D(5, 3, data_format=data_format), shape(10, None, 3), shape(8, None, 5)),
        (L.Conv2D(5, 3, strides=2, padding='same', data_format=data_format),
         shape(11, 10, 3), shape(6, 5, 5)),
        (L.Conv2D(5, 3, dilation_rate=3, data_format=data_format), shape(10, 7, 3),
         shape(4, 1, 5)),
        (L.DepthwiseConv2D(3, depth_multiplier=3, data_format=data_format), shape(9, 9, 2),
         shape(7, 7, 6)),
        (L.SeparableConv2D(4, 3, strides=2, data_format=data_format), shape(9, 8, 2),
         shape(4, 3, 4)),
        (L.Conv2DTranspose(4, 3, strides=2, data_format=data_format), shape(5, None, 2),
         shape(11, None, 4)),
        (L.Conv2DTranspose(4, 4, strides=2, padding='same', data_format=data_format),
         shape(5, 6, 2), shape(10, 12, 4)),
        (L.Conv2DTranspose(4, 3, strides=3, output_padding=2, data_format=data_format),
         shape(5, 6, 2), shape(17, 20, 4)),
        (L.ZeroPadding2D(((1, 2), (3, 4)), data_format=data_format), shape(5, None, 2),
         shape(8, None, 2)),
        (L.Cropping2D(((1, 2), (3, 4)), data_format=data_format), shape(5, 9, 2),
         shape(2, 2, 2)),
        (L.UpSampling2D((2, 3), data_format=data_format), shape(None, 4, 2),
         shape(None, 12, 2)),
    ]
    for layer, given, want in cases:
        assert layer.compute_output_shape(given) == want, (layer, given)
        inp = Input(batch_shape=given)
        assert K.int_shape(layer(inp)) == want, (layer, given)


@pytest.mark.parametrize('data_format', FORMATS)
def test_unknown_spatial_dims_run(data_format):
    """Built on (None, None) images, every layer runs at any size."""
    rng = np.random.default_rng(7)
    x, xin = _image(rng, data_format, h=7, w=6, dtype='float32')
    inp = Input(batch_shape=_shape(data_format, None, None, 3))
    for layer in (L.Conv2D(2, 3, padding='same', data_format=data_format),
                  L.SeparableConv2D(2, 3, strides=2, data_format=data_format),
                  L.DepthwiseConv2D(3, data_format=data_format),
                  L.Cropping2D(((1, 2), (0, 1)), data_format=data_format),
                  L.ZeroPadding2D(1, data_format=data_format),
                  L.UpSampling2D(data_format=data_format)):
        out = layer(inp)
        got = K.function([inp], [out])([xin])[0]
        assert got.shape == layer.compute_output_shape(xin.shape), type(layer).__name__


def test_get_config_keys_match_keras():
    base = {'name', 'trainable', 'dtype'}
    conv = base | {'filters', 'kernel_size', 'strides', 'padding', 'data_format',
                   'dilation_rate', 'activation', 'use_bias', 'kernel_initializer',
                   'bias_initializer', 'kernel_regularizer', 'bias_regularizer',
                   'activity_regularizer', 'kernel_constraint', 'bias_constraint'}
    assert set(L.Conv2D(2, 3).get_config()) == conv
    assert set(L.Conv1D(2, 3).get_config()) == conv
    assert set(L.Conv2DTranspose(2, 3).get_config()) == conv | {'output_padding'}
    sep = (conv - {'kernel_initializer', 'kernel_regularizer', 'kernel_constraint'}) | {
        'depth_multiplier', 'depthwise_initializer', 'pointwise_initializer',
        'depthwise_regularizer', 'pointwise_regularizer', 'depthwise_constraint',
        'pointwise_constraint'}
    assert set(L.SeparableConv2D(2, 3).get_config()) == sep
    dw = (conv - {'filters', 'kernel_initializer', 'kernel_regularizer',
                  'kernel_constraint'}) | {'depth_multiplier', 'depthwise_initializer',
                                           'depthwise_regularizer', 'depthwise_constraint'}
    assert set(L.DepthwiseConv2D(3).get_config()) == dw
    assert set(L.UpSampling2D().get_config()) == base | {'size', 'data_format', 'interpolation'}
    assert set(L.ZeroPadding2D().get_config()) == base | {'padding', 'data_format'}
    assert set(L.Cropping2D().get_config()) == base | {'cropping', 'data_format'}

    c = L.Conv2D(8, 3, data_format='channels_first').get_config()
    assert c['kernel_size'] == (3, 3) and c['strides'] == (1, 1) and c['padding'] == 'valid'
    assert c['dilation_rate'] == (1, 1) and c['activation'] == 'linear' and c['use_bias'] is True
    assert c['data_format'] == 'channels_first'
    assert c['kernel_initializer']['class_name'] == 'VarianceScaling'   # Keras 2.3's glorot_uniform
    assert L.Conv2D(8, 3).get_config()['data_format'] == K.image_data_format()
    assert L.Conv2DTranspose(2, 3, strides=2, output_padding=1).get_config()['output_padding'] \
        == (1, 1)
    assert L.Conv2DTranspose(2, 3).get_config()['output_padding'] is None
    assert L.ZeroPadding2D().get_config()['padding'] == ((1, 1), (1, 1))
    assert L.ZeroPadding2D((1, 2)).padding == ((1, 1), (2, 2))
    assert L.Cropping2D().get_config()['cropping'] == ((0, 0), (0, 0))
    assert L.UpSampling2D().get_config()['size'] == (2, 2)
    assert L.UpSampling2D().get_config()['interpolation'] == 'nearest'
    assert L.Conv1D(2, 3).get_config()['data_format'] == 'channels_last'
    assert L.ZeroPadding1D(3).get_config()['padding'] == (3, 3)
    assert L.UpSampling1D(3).get_config()['size'] == 3
    assert L.Cropping1D().get_config()['cropping'] == (1, 1)
    assert L.SeparableConv2D(2, 3).get_config()['depth_multiplier'] == 1


def test_aliases_and_deserialize():
    from kback.layers import convolutional
    assert convolutional.ZeroPadding2D is L.ZeroPadding2D         # Keras's module layout
    assert convolutional.MaxPooling2D is L.MaxPooling2D
    assert L.Convolution2D is L.Conv2D and L.Convolution1D is L.Conv1D
    assert L.SeparableConvolution2D is L.SeparableConv2D
    assert L.Deconvolution2D is L.Conv2DTranspose
    layer = L.deserialize({'class_name': 'Conv2D',
                           'config': L.Conv2D(3, (2, 4), padding='SAME').get_config()})
    assert isinstance(layer, L.Conv2D) and layer.kernel_size == (2, 4)
    assert layer.padding == 'same'
    for cls in (L.SeparableConv2D, L.DepthwiseConv2D, L.Conv2DTranspose, L.UpSampling2D,
                L.ZeroPadding2D, L.Cropping2D):
        assert isinstance(L.deserialize(L.serialize(cls(**({} if cls in (
            L.UpSampling2D, L.ZeroPadding2D, L.Cropping2D) else
            {'kernel_size': 3} if cls is L.DepthwiseConv2D else
            {'filters': 2, 'kernel_size': 3})))), cls)


def test_conv_utils():
    from kback.utils import conv_utils
    assert conv_utils.normalize_tuple(3, 2, 'k') == (3, 3)
    assert conv_utils.normalize_tuple([1, 2], 2, 'k') == (1, 2)
    for bad in ((1, 2, 3), 'ab', 1.5, (1, 2.5), None):
        with pytest.raises(ValueError):
            conv_utils.normalize_tuple(bad, 2, 'k')
    assert conv_utils.normalize_padding('SAME') == 'same'
    assert conv_utils.normalize_padding('causal') == 'causal'
    with pytest.raises(ValueError):
        conv_utils.normalize_padding('full')
    assert conv_utils.conv_output_length(None, 3, 'valid', 1) is None
    assert conv_utils.conv_output_length(10, 3, 'valid', 2) == 4
    assert conv_utils.conv_output_length(10, 3, 'same', 3) == 4
    assert conv_utils.conv_output_length(10, 3, 'causal', 1, dilation=2) == 10
    assert conv_utils.conv_output_length(10, 3, 'full', 1) == 12
    assert conv_utils.conv_output_length(10, 3, 'valid', 1, dilation=2) == 6
    assert conv_utils.conv_input_length(4, 3, 'valid', 2) == 9
    assert conv_utils.conv_input_length(5, 3, 'same', 2) == 9
    assert conv_utils.deconv_length(None, 2, 3, 'valid', None) is None
    assert conv_utils.deconv_length(5, 2, 3, 'valid', None) == 11
    assert conv_utils.deconv_length(5, 2, 3, 'same', None) == 10
    assert conv_utils.deconv_length(5, 2, 3, 'valid', 1) == 12
    assert conv_utils.deconv_length(5, 2, 3, 'same', 1) == 10
    assert conv_utils.deconv_length(5, 1, 3, 'valid', None, dilation=2) == 9
    k = np.arange(2 * 3 * 2 * 4).reshape(2, 3, 2, 4)
    np.testing.assert_array_equal(conv_utils.convert_kernel(k), k[::-1, ::-1])
    with pytest.raises(ValueError):
        conv_utils.convert_kernel(np.zeros((2, 2)))


def test_regularizers_and_constraints():
    layer = L.Conv2D(2, 3, kernel_regularizer='l2', bias_regularizer='l1',
                     activity_regularizer='l2', kernel_constraint='non_neg')
    inp = Input((5, 5, 2))
    layer(inp)
    assert len(layer.losses) == 3
    sep = L.SeparableConv2D(2, 3, depthwise_regularizer='l2', pointwise_regularizer='l2')
    sep(Input((5, 5, 2)))
    assert len(sep.losses) == 2
    assert layer.kernel.constraint is not None


# -- bad arguments ------------------------------------------------------------------

@pytest.mark.parametrize('make', [
    lambda: L.Conv2D(2, 3, padding='full'),
    lambda: L.Conv2D(2, 3, padding='causal'),
    lambda: L.Conv2D(2, (3, 3, 3)),
    lambda: L.Conv2D(2, 3, strides=(1, 2, 3)),
    lambda: L.Conv2D(2, 'abc'),
    lambda: L.Conv2D(0, 3),
    lambda: L.Conv2D(2, 0),
    lambda: L.Conv2D(2, 3, data_format='channels_middle'),
    lambda: L.Conv1D(2, 3, padding='causal', data_format='channels_first'),
    lambda: L.Conv1D(2, 3, padding='wrong'),
    lambda: L.SeparableConv2D(2, 3, padding='causal'),
    lambda: L.DepthwiseConv2D(3, depth_multiplier=0),
    lambda: L.Conv2DTranspose(2, 3, strides=2, output_padding=2),
    lambda: L.Conv2DTranspose(2, 3, output_padding=1),
    lambda: L.UpSampling2D(interpolation='bicubic'),
    lambda: L.UpSampling2D(size=(1, 2, 3)),
    lambda: L.ZeroPadding2D((1, 2, 3)),
    lambda: L.ZeroPadding2D(((1, 2, 3), (1, 1))),
    lambda: L.ZeroPadding2D(1.5),
    lambda: L.Cropping2D(((1, 1), (1, 1), (1, 1))),
    lambda: L.Cropping2D(-1),
])
def test_bad_arguments_raise_value_error(make):
    with pytest.raises(ValueError):
        make()


def test_bad_inputs_raise_value_error():
    with pytest.raises(ValueError):
        L.Conv2D(2, 3)(Input(batch_shape=(None, 5, 5)))          # rank 3
    with pytest.raises(ValueError):
        L.Conv2D(2, 3)(Input(batch_shape=(None, 5, 5, None)))    # unknown channels
    with pytest.raises(ValueError):
        L.Conv2D(2, 3, data_format='channels_first')(Input(batch_shape=(None, None, 5, 5)))
    layer = L.Conv2D(2, 3)
    layer(Input((5, 5, 3)))
    with pytest.raises(ValueError):
        layer(Input((5, 5, 4)))                                  # channel count changed
    with pytest.raises(ValueError):
        L.Cropping2D(((3, 3), (0, 0)))(Input((5, 5, 1)))
    with pytest.raises(ValueError):
        L.Conv2D(2, 6)(Input((5, 5, 1)))                         # kernel larger than input
