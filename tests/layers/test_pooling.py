"""Pooling layers: layer_test in both data formats, values against numpy
loops, Keras 2.3 shapes, configs and errors."""
import numpy as np
import pytest

from kback import backend as K
from kback import layers as L
from kback.layers import Input
from tests.layers.layer_test import layer_test

FORMATS = ['channels_last', 'channels_first']


def _to_cf(a):
    return np.transpose(a, (0, 3, 1, 2))


def _shape(data_format, h, w, c):
    return (None, h, w, c) if data_format == 'channels_last' else (None, c, h, w)


def _run(layer, x):
    inp = Input(batch_shape=(None,) + x.shape[1:], dtype=x.dtype.name)
    return K.function([inp], [layer(inp)])([x])[0]


def ref_pool2d(x, pool, strides, padding, mode):
    """NHWC pooling by explicit windows; 'same' windows are clipped to the
    image (TF's split: the extra padded pixel goes after), so an average
    counts real pixels only."""
    n, h, w, c = x.shape
    if padding == 'same':
        oh, ow = -(-h // strides[0]), -(-w // strides[1])
        top = max((oh - 1) * strides[0] + pool[0] - h, 0) // 2
        left = max((ow - 1) * strides[1] + pool[1] - w, 0) // 2
    else:
        oh, ow = (h - pool[0]) // strides[0] + 1, (w - pool[1]) // strides[1] + 1
        top = left = 0
    y = np.zeros((n, oh, ow, c))
    for p in range(oh):
        for q in range(ow):
            r0, c0 = p * strides[0] - top, q * strides[1] - left
            win = x[:, max(r0, 0):r0 + pool[0], max(c0, 0):c0 + pool[1]]
            y[:, p, q] = win.max(axis=(1, 2)) if mode == 'max' else win.mean(axis=(1, 2))
    return y


CASES = [(L.MaxPooling2D, {}), (L.MaxPooling2D, {'pool_size': 3, 'strides': 2, 'padding': 'same'}),
         (L.AveragePooling2D, {}), (L.AveragePooling2D, {'pool_size': (2, 3), 'strides': 1}),
         (L.AveragePooling2D, {'pool_size': 3, 'padding': 'same'}),
         (L.GlobalMaxPooling2D, {}), (L.GlobalAveragePooling2D, {})]


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('cls,kwargs', CASES,
                         ids=[f'{c.__name__}-{i}' for i, (c, _) in enumerate(CASES)])
def test_layer_test_both_formats(cls, kwargs, data_format):
    layer_test(cls, dict(kwargs, data_format=data_format),
               input_shape=_shape(data_format, 6, 7, 3))
    # data_format left out: follows K.image_data_format()
    layer_test(cls, kwargs, input_shape=_shape(data_format, 5, 4, 2), data_format=data_format)


def test_layer_test_1d():
    layer_test(L.MaxPooling1D, {}, input_shape=(None, 7, 3), expected_output_shape=(None, 3, 3))
    layer_test(L.AveragePooling1D, {'pool_size': 3, 'strides': 1, 'padding': 'same'},
               input_shape=(None, 7, 3), expected_output_shape=(None, 7, 3))
    layer_test(L.MaxPooling1D, {'data_format': 'channels_first'}, input_shape=(None, 3, 7),
               expected_output_shape=(None, 3, 3))
    layer_test(L.GlobalMaxPooling1D, {}, input_shape=(None, 7, 3),
               expected_output_shape=(None, 3))
    layer_test(L.GlobalAveragePooling1D, {'data_format': 'channels_first'},
               input_shape=(None, 7, 3), expected_output_shape=(None, 7))


COMBOS = [((2, 2), None, 'valid'), ((3, 3), (2, 2), 'valid'), ((2, 2), None, 'same'),
          ((3, 3), (2, 2), 'same'), ((3, 2), (1, 2), 'same'), ((2, 3), (3, 1), 'valid')]


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('pool,strides,padding', COMBOS)
@pytest.mark.parametrize('cls,mode', [(L.MaxPooling2D, 'max'), (L.AveragePooling2D, 'avg')])
def test_pool2d_values(cls, mode, pool, strides, padding, data_format):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 7, 8, 3))
    layer = cls(pool, strides, padding, data_format, dtype='float64')
    got = _run(layer, x if data_format == 'channels_last' else _to_cf(x))
    want = ref_pool2d(x, pool, strides or pool, padding, mode)
    np.testing.assert_allclose(got, want if data_format == 'channels_last' else _to_cf(want),
                               rtol=1e-12, atol=1e-12)
    assert got.shape == layer.compute_output_shape(
        x.shape if data_format == 'channels_last' else _to_cf(x).shape)


@pytest.mark.parametrize('data_format', FORMATS)
def test_global_pooling_values(data_format):
    x = np.random.default_rng(1).standard_normal((2, 4, 5, 3))
    xin = x if data_format == 'channels_last' else _to_cf(x)
    np.testing.assert_allclose(_run(L.GlobalMaxPooling2D(data_format, dtype='float64'), xin),
                               x.max(axis=(1, 2)))
    np.testing.assert_allclose(_run(L.GlobalAveragePooling2D(data_format, dtype='float64'), xin),
                               x.mean(axis=(1, 2)))


def test_1d_values_and_mask():
    x = np.random.default_rng(2).standard_normal((2, 7, 3))
    np.testing.assert_allclose(_run(L.MaxPooling1D(dtype='float64'), x),
                               ref_pool2d(x[:, :, None], (2, 1), (2, 1), 'valid', 'max')[:, :, 0])
    np.testing.assert_allclose(
        _run(L.AveragePooling1D(3, 2, 'same', dtype='float64'), x),
        ref_pool2d(x[:, :, None], (3, 1), (2, 1), 'same', 'avg')[:, :, 0])
    np.testing.assert_allclose(
        _run(L.MaxPooling1D(3, data_format='channels_first', dtype='float64'),
             x.transpose(0, 2, 1)),
        ref_pool2d(x[:, :, None], (3, 1), (3, 1), 'valid', 'max')[:, :, 0].transpose(0, 2, 1))
    np.testing.assert_allclose(_run(L.GlobalMaxPooling1D(dtype='float64'), x), x.max(axis=1))
    np.testing.assert_allclose(_run(L.GlobalAveragePooling1D(dtype='float64'), x),
                               x.mean(axis=1))

    # A mask averages over the unmasked steps only (call given the mask
    # directly: the engine does not propagate Keras masks yet).
    mask = np.ones((2, 7), bool)
    mask[0, 4:] = False
    mask[1, :2] = False
    for data_format, xin in (('channels_last', x), ('channels_first', x.transpose(0, 2, 1))):
        layer = L.GlobalAveragePooling1D(data_format, dtype='float64')
        got = K.eval(layer.call(K.constant(xin, dtype='float64'),
                                mask=K.constant(mask, dtype='bool')))
        np.testing.assert_allclose(got, [x[0, :4].mean(axis=0), x[1, 2:].mean(axis=0)])
        assert layer.compute_mask(None, mask) is None


@pytest.mark.parametrize('data_format', FORMATS)
def test_output_shapes_with_unknown_dims(data_format):
    def shape(h, w, c):
        return _shape(data_format, h, w, c)
    cases = [(L.MaxPooling2D(data_format=data_format), shape(7, None, 3), shape(3, None, 3)),
             (L.AveragePooling2D(3, 2, 'same', data_format), shape(7, 8, 3), shape(4, 4, 3)),
             (L.MaxPooling2D((1, 3), data_format=data_format), shape(None, 9, 2),
              shape(None, 3, 2)),
             (L.GlobalAveragePooling2D(data_format), shape(None, None, 5), (None, 5))]
    for layer, given, want in cases:
        assert layer.compute_output_shape(given) == want
        assert K.int_shape(layer(Input(batch_shape=given))) == want


def test_configs_defaults_and_aliases():
    c = L.MaxPooling2D().get_config()
    assert set(c) == {'name', 'trainable', 'dtype', 'pool_size', 'strides', 'padding',
                      'data_format'}
    assert c['pool_size'] == (2, 2) and c['strides'] == (2, 2) and c['padding'] == 'valid'
    assert c['data_format'] == K.image_data_format()
    assert L.AveragePooling2D(3, strides=1).get_config()['strides'] == (1, 1)
    assert L.MaxPooling2D(padding='SAME').padding == 'same'
    assert L.MaxPooling1D().get_config()['pool_size'] == (2,)
    assert L.MaxPooling1D().get_config()['data_format'] == 'channels_last'
    assert set(L.GlobalMaxPooling2D().get_config()) == {'name', 'trainable', 'dtype',
                                                        'data_format'}
    assert L.MaxPool2D is L.MaxPooling2D and L.AvgPool2D is L.AveragePooling2D
    assert L.GlobalMaxPool2D is L.GlobalMaxPooling2D
    assert L.GlobalAvgPool2D is L.GlobalAveragePooling2D
    assert L.MaxPool1D is L.MaxPooling1D and L.AvgPool1D is L.AveragePooling1D
    layer = L.deserialize({'class_name': 'AvgPool2D', 'config': {'pool_size': [3, 3]}})
    assert isinstance(layer, L.AveragePooling2D) and layer.strides == (3, 3)


@pytest.mark.parametrize('make', [
    lambda: L.MaxPooling2D(padding='full'),
    lambda: L.MaxPooling2D(padding='causal'),
    lambda: L.MaxPooling2D(pool_size=(2, 2, 2)),
    lambda: L.AveragePooling2D(strides=(1, 2, 3)),
    lambda: L.AveragePooling2D(pool_size=0),
    lambda: L.MaxPooling2D(data_format='nhwc'),
    lambda: L.GlobalAveragePooling2D(data_format='channels_middle'),
    lambda: L.MaxPooling1D(pool_size=(2, 2)),
])
def test_bad_arguments(make):
    with pytest.raises(ValueError):
        make()


def test_bad_inputs():
    with pytest.raises(ValueError):
        L.MaxPooling2D()(Input((4, 4)))
    with pytest.raises(ValueError):
        L.GlobalMaxPooling2D()(Input((4,)))
    with pytest.raises(ValueError):
        L.MaxPooling2D(3)(Input((2, 2, 1)))      # window larger than the image
