"""K shape functions against numpy, with gradient checks, None batch dims,
both data formats, dtypes and build-time errors."""
import numpy as np
import pytest

from kback import backend as K
from gradcheck import check_op

rng = np.random.RandomState(0)


def r(*shape):
    return rng.uniform(-2.0, 2.0, size=shape)


def batches(build, tail, reference, dtype='float32', sizes=(2, 5), make=None):
    """Build on a (None,) + tail placeholder, run one K.function at two batch
    sizes; compare with reference and check K.shape/int_shape of the result."""
    x = K.placeholder(shape=(None,) + tuple(tail), dtype=dtype)
    out = build(x)
    f = K.function([x], [out, K.shape(out)])
    for n in sizes:
        a = make(n) if make else r(n, *tail).astype(dtype)
        value, shape = f([a])
        expected = reference(a)
        np.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-6)
        assert value.shape == expected.shape
        assert tuple(shape) == expected.shape
        assert value.dtype == np.dtype(dtype)
        assert all(s is None or s == v for s, v in zip(K.int_shape(out), value.shape))
    return out


def raises(fn, *patterns):
    with pytest.raises(ValueError) as info:
        fn()
    for p in patterns:
        assert p in str(info.value), (p, str(info.value))


# -- concatenate / stack ---------------------------------------------------------

def test_concatenate():
    check_op(lambda a, b, c: K.concatenate([a, b, c]), [r(2, 3), r(2, 1), r(2, 4)],
             lambda a, b, c: np.concatenate([a, b, c], axis=-1))
    check_op(lambda a, b: K.concatenate([a, b], axis=0), [r(2, 3), r(1, 3)],
             lambda a, b: np.concatenate([a, b], axis=0))
    out = batches(lambda x: K.concatenate([x, 2 * x], axis=1), (3,),
                  lambda a: np.concatenate([a, 2 * a], axis=1))
    assert K.int_shape(out) == (None, 6)
    # Arrays adopt the tensor's dtype; int tensors stay int.
    i = K.placeholder((2, 2), dtype='int32')
    out = K.concatenate([i, np.ones((2, 1), dtype='int64')])
    assert K.dtype(out) == 'int32' and K.int_shape(out) == (2, 3)
    assert K.concatenate([i]) is i


def test_concatenate_errors():
    a, b = K.placeholder((2, 3)), K.placeholder((4, 3))
    raises(lambda: K.concatenate([a, b], axis=1), 'concatenate', '(2, 3)', '(4, 3)')
    raises(lambda: K.concatenate([a, K.placeholder((2, 3, 1))]), 'concatenate', '(2, 3, 1)')
    raises(lambda: K.concatenate([a, b], axis=2), 'concatenate', 'axis 2')
    raises(lambda: K.concatenate([a, K.placeholder((2, 3), dtype='int32')]), 'concatenate', 'int32')
    raises(lambda: K.concatenate([]), 'concatenate')
    raises(lambda: K.concatenate([K.placeholder(()), K.placeholder(())]), 'concatenate', '()')


def test_stack():
    check_op(lambda a, b: K.stack([a, b]), [r(2, 3), r(2, 3)], lambda a, b: np.stack([a, b]))
    check_op(lambda a, b, c: K.stack([a, b, c], axis=-1), [r(2, 3), r(2, 3), r(2, 3)],
             lambda a, b, c: np.stack([a, b, c], axis=-1))
    out = batches(lambda x: K.stack([x, -x], axis=1), (4,), lambda a: np.stack([a, -a], axis=1))
    assert K.int_shape(out) == (None, 2, 4)
    s = K.stack([K.placeholder((3,), dtype='int32')] * 2)
    assert K.dtype(s) == 'int32' and K.int_shape(s) == (2, 3)
    raises(lambda: K.stack([K.placeholder((2, 3)), K.placeholder((3, 2))]), 'stack', '(2, 3)', '(3, 2)')
    raises(lambda: K.stack([K.placeholder((2, 3))], axis=3), 'stack', 'axis 3')


# -- reshape family ------------------------------------------------------------------

def test_reshape():
    check_op(lambda a: K.reshape(a, (4, -1)), [r(2, 3, 2)], lambda a: a.reshape(4, 3))
    check_op(lambda a: K.reshape(a, (None, 2)), [r(3, 4)], lambda a: a.reshape(-1, 2))
    out = batches(lambda x: K.reshape(x, (-1, 2, 6)), (3, 4), lambda a: a.reshape(-1, 2, 6))
    assert K.int_shape(out) == (None, 2, 6)
    batches(lambda x: K.reshape(x, (None, 12)), (3, 4), lambda a: a.reshape(-1, 12))
    x = K.placeholder((2, 3), dtype='float16')
    assert K.dtype(K.reshape(x, (3, 2))) == 'float16'
    assert K.int_shape(K.reshape(x, 6)) == (6,)


def test_reshape_with_tensor_entries():
    # Keras's Reshape layer: (K.shape(x)[0],) + target_shape, target may hold -1.
    out = batches(lambda x: K.reshape(x, (K.shape(x)[0], -1, 2)), (3, 4),
                  lambda a: a.reshape(len(a), -1, 2))
    assert K.int_shape(out) == (None, 6, 2)
    out = batches(lambda x: K.reshape(x, (K.shape(x)[0], 3, 4, 1)), (12,),
                  lambda a: a.reshape(-1, 3, 4, 1))
    assert K.int_shape(out) == (None, 3, 4, 1)
    # Two unknown dims: the target is only known at run time.
    x = K.placeholder((None, None, 4))
    out = K.reshape(x, (K.shape(x)[0], -1, 2))
    assert K.int_shape(out) == (None, None, 2)
    out2 = K.reshape(x, K.shape(K.placeholder((None, 4))))
    y = K.placeholder((None, 4))
    out3 = K.reshape(x, K.shape(y))
    assert K.int_shape(out3) == (None, 4)
    f = K.function([x, y], [out, K.shape(out), out3])
    for shape in ((2, 3, 4), (5, 1, 4)):
        a = r(*shape).astype('float32')
        value, s, v3 = f([a, np.zeros((shape[0] * shape[1], 4))])
        np.testing.assert_array_equal(value, a.reshape(shape[0], -1, 2))
        assert tuple(s) == value.shape
        np.testing.assert_array_equal(v3, a.reshape(-1, 4))
    assert K.int_shape(out2) == (None, 4)
    # Gradients flow through the run-time reshape.
    g, = K.gradients(K.sum(out * out), [x])
    a = r(2, 3, 4)
    np.testing.assert_allclose(K.function([x], [g])([a])[0], 2 * a, rtol=1e-6)


def test_reshape_errors():
    x = K.placeholder((2, 3))
    raises(lambda: K.reshape(x, (4, 2)), 'reshape', '(2, 3)', '(4, 2)')
    raises(lambda: K.reshape(x, (-1, -1)), 'reshape')
    raises(lambda: K.reshape(x, (None, -1)), 'reshape')
    raises(lambda: K.reshape(x, (4, -1)), 'reshape', '(2, 3)')
    raises(lambda: K.reshape(x, (-2, 3)), 'reshape')
    raises(lambda: K.reshape(x, (2.5, 2)), 'reshape')
    raises(lambda: K.reshape(x, K.placeholder((2,))), 'reshape', 'float32')
    y = K.placeholder((None, None))
    raises(lambda: K.reshape(y, (K.shape(y)[0], 2.0 * K.cast(K.shape(y)[1], 'float32'))),
           'reshape', 'int')
    z, w = K.placeholder((2, 5)), K.placeholder((None,))
    raises(lambda: K.reshape(z, (K.shape(w)[0], -1, 3)), 'reshape', '(2, 5)')
    raises(lambda: K.reshape(z, (K.shape(w)[0], 3)), 'reshape', '(2, 5)')
    # Only the run-time shape can say that this target is wrong.
    v = K.placeholder((None, 5))
    f = K.function([v], [K.reshape(v, (K.shape(v)[0], K.shape(v)[0], 2))])
    raises(lambda: f([np.zeros((3, 5))]), 'reshape', '(3, 5)')


def test_flatten_and_batch_flatten():
    check_op(K.flatten, [r(2, 3, 2)], lambda a: a.reshape(-1))
    check_op(K.batch_flatten, [r(2, 3, 2)], lambda a: a.reshape(2, -1))
    out = batches(K.flatten, (3, 2), lambda a: a.reshape(-1))
    assert K.int_shape(out) == (None,)
    out = batches(K.batch_flatten, (3, 2), lambda a: a.reshape(len(a), -1))
    assert K.int_shape(out) == (None, 6)
    assert K.int_shape(K.batch_flatten(K.placeholder((4,)))) == (4, 1)
    assert K.dtype(K.flatten(K.placeholder((2, 2), dtype='int32'))) == 'int32'
    raises(lambda: K.batch_flatten(K.placeholder(())), 'batch_flatten', '()')


def test_permute_dimensions():
    check_op(lambda a: K.permute_dimensions(a, (2, 0, 1)), [r(2, 3, 4)],
             lambda a: a.transpose(2, 0, 1))
    out = batches(lambda x: K.permute_dimensions(x, [0, 2, 1]), (3, 4),
                  lambda a: a.transpose(0, 2, 1))
    assert K.int_shape(out) == (None, 4, 3)
    raises(lambda: K.permute_dimensions(K.placeholder((2, 3)), (0, 0)), 'permute_dimensions', '(2, 3)')
    raises(lambda: K.permute_dimensions(K.placeholder((2, 3)), (0, 1, 2)), 'permute_dimensions')
    raises(lambda: K.permute_dimensions(K.placeholder((2, 3)), (0, 'a')), 'permute_dimensions')


def test_expand_dims_and_squeeze():
    check_op(K.expand_dims, [r(2, 3)], lambda a: a[..., None])
    check_op(lambda a: K.expand_dims(a, 0), [r(2, 3)], lambda a: a[None])
    check_op(lambda a: K.expand_dims(a, -2), [r(2, 3)], lambda a: a[:, None])
    check_op(lambda a: K.squeeze(a, 1), [r(2, 1, 3)], lambda a: a[:, 0])
    check_op(lambda a: K.squeeze(a, -1), [r(2, 3, 1)], lambda a: a[..., 0])
    out = batches(lambda x: K.expand_dims(x, 1), (3,), lambda a: a[:, None])
    assert K.int_shape(out) == (None, 1, 3)
    out = batches(lambda x: K.squeeze(x, 2), (3, 1), lambda a: a[:, :, 0])
    assert K.int_shape(out) == (None, 3)
    assert K.dtype(K.expand_dims(K.placeholder((2,), dtype='int32'))) == 'int32'
    raises(lambda: K.expand_dims(K.placeholder((2, 3)), 3), 'expand_dims', 'axis 3')
    raises(lambda: K.expand_dims(K.placeholder((2, 3)), -4), 'expand_dims')
    raises(lambda: K.squeeze(K.placeholder((2, 3)), 1), 'squeeze', '(2, 3)')
    raises(lambda: K.squeeze(K.placeholder((2, 1)), 2), 'squeeze', 'axis 2')


# -- repetition --------------------------------------------------------------------------

def test_repeat_elements():
    for axis in (0, 1, -1):
        check_op(lambda a: K.repeat_elements(a, 3, axis), [r(2, 3, 2)],
                 lambda a: np.repeat(a, 3, axis=axis))
    out = batches(lambda x: K.repeat_elements(x, 2, 1), (3, 2), lambda a: np.repeat(a, 2, axis=1))
    assert K.int_shape(out) == (None, 6, 2)
    out = batches(lambda x: K.repeat_elements(x, 2, 0), (3,), lambda a: np.repeat(a, 2, axis=0))
    assert K.int_shape(out) == (None, 3)
    i = K.placeholder((2, 3), dtype='int32')
    assert K.dtype(K.repeat_elements(i, 2, 1)) == 'int32'


def test_repeat_elements_unknown_dims():
    # Two unknown dims in the result: the `repeat` primitive, not tile + reshape.
    x = K.placeholder((None, None, 2))
    out = K.repeat_elements(x, 3, 1)
    assert K.int_shape(out) == (None, None, 2) and out.op == 'repeat'
    w = K.constant(r(2), dtype='float32')
    g, = K.gradients(K.sum(out * w), [x])
    f = K.function([x], [out, K.shape(out), g])
    for shape in ((2, 3, 2), (4, 1, 2)):
        a = r(*shape).astype('float32')
        value, s, grad = f([a])
        np.testing.assert_array_equal(value, np.repeat(a, 3, axis=1))
        assert tuple(s) == value.shape
        np.testing.assert_allclose(grad, 3 * np.broadcast_to(K.eval(w), shape), rtol=1e-6)


def test_repeat_elements_errors():
    x = K.placeholder((2, 3))
    raises(lambda: K.repeat_elements(x, 2, 2), 'repeat_elements', 'axis 2')
    raises(lambda: K.repeat_elements(x, 0, 1), 'repeat_elements', 'rep')
    raises(lambda: K.repeat_elements(x, 1.5, 1), 'repeat_elements', 'rep')


def test_repeat():
    check_op(lambda a: K.repeat(a, 3), [r(2, 4)], lambda a: np.repeat(a[:, None], 3, axis=1))
    out = batches(lambda x: K.repeat(x, 2), (3,), lambda a: np.stack([a, a], axis=1))
    assert K.int_shape(out) == (None, 2, 3)
    raises(lambda: K.repeat(K.placeholder((2, 3, 4)), 2), 'repeat', '(2, 3, 4)')
    raises(lambda: K.repeat(K.placeholder((2, 3)), -1), 'repeat', 'n')


def test_tile():
    check_op(lambda a: K.tile(a, [2, 3]), [r(2, 3)], lambda a: np.tile(a, (2, 3)))
    check_op(lambda a: K.tile(a, 3), [r(4)], lambda a: np.tile(a, 3))
    check_op(lambda a: K.tile(a, (2,)), [r(2, 3)], lambda a: np.tile(a, 2))
    out = batches(lambda x: K.tile(x, (1, 2)), (3,), lambda a: np.tile(a, (1, 2)))
    assert K.int_shape(out) == (None, 6)
    out = batches(lambda x: K.tile(x, (2, 1)), (3,), lambda a: np.tile(a, (2, 1)))
    assert K.int_shape(out) == (None, 3)
    assert K.dtype(K.tile(K.placeholder((2,), dtype='int32'), 2)) == 'int32'
    raises(lambda: K.tile(K.placeholder((2, 3)), (1, 2, 3)), 'tile', '(2, 3)')
    raises(lambda: K.tile(K.placeholder((2, 3)), (1, -2)), 'tile')
    raises(lambda: K.tile(K.placeholder((2, 3)), K.placeholder((2,))), 'tile')


# -- images ------------------------------------------------------------------------------

def _bilinear_reference(a, fh, fw, data_format):
    """Per-pixel loop over TF1 resize_bilinear (align_corners=False,
    half_pixel_centers=False) on channels_last."""
    if data_format == 'channels_first':
        a = a.transpose(0, 2, 3, 1)
    n, h, w, c = a.shape
    out = np.zeros((n, h * fh, w * fw, c))
    for i in range(h * fh):
        y = i * (h / (h * fh))
        y0 = int(np.floor(y))
        y1, dy = min(y0 + 1, h - 1), y - y0
        for j in range(w * fw):
            x = j * (w / (w * fw))
            x0 = int(np.floor(x))
            x1, dx = min(x0 + 1, w - 1), x - x0
            top = a[:, y0, x0] * (1 - dx) + a[:, y0, x1] * dx
            bottom = a[:, y1, x0] * (1 - dx) + a[:, y1, x1] * dx
            out[:, i, j] = top * (1 - dy) + bottom * dy
    if data_format == 'channels_first':
        out = out.transpose(0, 3, 1, 2)
    return out


def _nearest_reference(a, fh, fw, data_format):
    rows = 2 if data_format == 'channels_first' else 1
    return np.repeat(np.repeat(a, fh, axis=rows), fw, axis=rows + 1)


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('interpolation', ['nearest', 'bilinear'])
def test_resize_images(data_format, interpolation):
    ref = _nearest_reference if interpolation == 'nearest' else _bilinear_reference
    shape = (2, 3, 2, 2) if data_format == 'channels_last' else (2, 2, 3, 2)
    check_op(lambda a: K.resize_images(a, 2, 3, data_format, interpolation), [r(*shape)],
             lambda a: ref(a, 2, 3, data_format))
    out = batches(lambda x: K.resize_images(x, 3, 2, data_format, interpolation), shape[1:],
                  lambda a: ref(a, 3, 2, data_format))
    expected = (None, 9, 4, 2) if data_format == 'channels_last' else (None, 2, 9, 4)
    assert K.int_shape(out) == expected


def test_resize_images_values_and_dtypes():
    # Rows [0, 1, 2] doubled: TF1 gives 0, .5, 1, 1.5, 2, 2 (the edge repeats).
    a = np.array([0.0, 1.0, 2.0]).reshape(1, 3, 1, 1)
    out = K.eval(K.resize_images(K.constant(a), 2, 1, 'channels_last', 'bilinear'))
    np.testing.assert_allclose(out.ravel(), [0, .5, 1, 1.5, 2, 2])
    # Data format None means the global setting.
    K.set_image_data_format('channels_first')
    x = K.placeholder((1, 2, 3, 4))
    assert K.int_shape(K.resize_images(x, 2, 2, None)) == (1, 2, 6, 8)
    for dtype in ('float16', 'int32'):
        y = K.placeholder((1, 2, 2, 1), dtype=dtype)
        assert K.dtype(K.resize_images(y, 2, 2, 'channels_last')) == dtype
    assert K.dtype(K.resize_images(K.placeholder((1, 2, 2, 1), dtype='float16'), 2, 2,
                                   'channels_last', 'bilinear')) == 'float16'
    assert K.dtype(K.resize_images(K.placeholder((1, 2, 2, 1), dtype='int32'), 2, 2,
                                   'channels_last', 'bilinear')) == K.floatx()
    # Unknown height and width are fine for nearest.
    z = K.placeholder((None, None, None, 3))
    out = K.resize_images(z, 2, 2, 'channels_last')
    assert K.int_shape(out) == (None, None, None, 3)
    b = r(2, 3, 1, 3).astype('float32')
    np.testing.assert_array_equal(K.function([z], [out])([b])[0],
                                  _nearest_reference(b, 2, 2, 'channels_last'))


def test_resize_images_errors():
    x = K.placeholder((2, 3, 3, 1))
    raises(lambda: K.resize_images(K.placeholder((2, 3, 3)), 2, 2, 'channels_last'),
           'resize_images', '(2, 3, 3)')
    raises(lambda: K.resize_images(x, 2, 2, 'channels_last', 'bicubic'), 'resize_images', 'bicubic')
    raises(lambda: K.resize_images(x, 2, 2, 'channels_middle'))
    raises(lambda: K.resize_images(x, 0, 2, 'channels_last'), 'resize_images', 'height_factor')
    raises(lambda: K.resize_images(x, 2, 1.5, 'channels_last'), 'resize_images', 'width_factor')
    raises(lambda: K.resize_images(K.placeholder((1, None, 3, 1)), 2, 2, 'channels_last', 'bilinear'),
           'resize_images', '(1, None, 3, 1)')


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_spatial_2d_padding(data_format):
    pads = ((1, 2), (0, 3))

    def ref(a):
        if data_format == 'channels_last':
            return np.pad(a, ((0, 0), pads[0], pads[1], (0, 0)))
        return np.pad(a, ((0, 0), (0, 0), pads[0], pads[1]))
    check_op(lambda a: K.spatial_2d_padding(a, pads, data_format), [r(2, 3, 2, 2)], ref)
    out = batches(lambda x: K.spatial_2d_padding(x, pads, data_format=data_format), (2, 3, 2), ref)
    assert K.int_shape(out)[1:] == ref(np.zeros((1, 2, 3, 2))).shape[1:]
    ones = ((0, 0), (1, 1), (1, 1), (0, 0)) if data_format == 'channels_last' else \
        ((0, 0), (0, 0), (1, 1), (1, 1))
    check_op(lambda a: K.spatial_2d_padding(a, data_format=data_format), [r(1, 2, 3, 2)],
             lambda a: np.pad(a, ones))


def test_padding_misc():
    check_op(K.temporal_padding, [r(2, 3, 2)], lambda a: np.pad(a, ((0, 0), (1, 1), (0, 0))))
    check_op(lambda a: K.temporal_padding(a, (0, 2)), [r(2, 3, 2)],
             lambda a: np.pad(a, ((0, 0), (0, 2), (0, 0))))
    out = batches(lambda x: K.temporal_padding(x, (2, 1)), (3, 2),
                  lambda a: np.pad(a, ((0, 0), (2, 1), (0, 0))))
    assert K.int_shape(out) == (None, 6, 2)
    i = K.placeholder((1, 2, 2, 1), dtype='int32')
    assert K.dtype(K.spatial_2d_padding(i)) == 'int32'
    K.set_image_data_format('channels_first')
    assert K.int_shape(K.spatial_2d_padding(i)) == (1, 2, 4, 3)
    raises(lambda: K.temporal_padding(K.placeholder((2, 3)), (1, 1)), 'temporal_padding', '(2, 3)')
    raises(lambda: K.temporal_padding(K.placeholder((2, 3, 1)), (1, 1, 1)), 'temporal_padding')
    raises(lambda: K.temporal_padding(K.placeholder((2, 3, 1)), (-1, 1)), 'temporal_padding')
    raises(lambda: K.spatial_2d_padding(K.placeholder((2, 3, 1))), 'spatial_2d_padding', '(2, 3, 1)')
    raises(lambda: K.spatial_2d_padding(i, ((1, 1),)), 'spatial_2d_padding')
    raises(lambda: K.spatial_2d_padding(i, ((1, 1), (1,))), 'spatial_2d_padding')
    raises(lambda: K.spatial_2d_padding(i, data_format='nchw'))


# -- indexing-like ------------------------------------------------------------------------

def test_slice():
    check_op(lambda a: K.slice(a, (1, 0, 2), (2, -1, 1)), [r(3, 2, 4)],
             lambda a: a[1:3, :, 2:3])
    out = batches(lambda x: K.slice(x, [0, 1], [-1, 2]), (4,), lambda a: a[:, 1:3])
    assert K.int_shape(out) == (None, 2)
    assert K.int_shape(K.slice(K.placeholder((5, 4)), (1, 4), (-1, -1))) == (4, 0)
    x = K.placeholder((3, 4))
    raises(lambda: K.slice(x, (0,), (1, 1)), 'slice', '(3, 4)')
    raises(lambda: K.slice(x, (0, 3), (1, 2)), 'slice', '(3, 4)')
    raises(lambda: K.slice(x, (-1, 0), (1, 1)), 'slice', 'start')
    raises(lambda: K.slice(x, (0, 0), (1, -2)), 'slice', 'size')


def test_reverse():
    check_op(lambda a: K.reverse(a, 1), [r(2, 3, 2)], lambda a: a[:, ::-1])
    check_op(lambda a: K.reverse(a, [0, -1]), [r(2, 3, 2)], lambda a: a[::-1, :, ::-1])
    out = batches(lambda x: K.reverse(x, 0), (3,), lambda a: a[::-1])
    assert K.int_shape(out) == (None, 3)
    assert K.dtype(K.reverse(K.placeholder((2,), dtype='int32'), 0)) == 'int32'
    raises(lambda: K.reverse(K.placeholder((2, 3)), 2), 'reverse', 'axis 2')
    raises(lambda: K.reverse(K.placeholder((2, 3)), [0, 'x']), 'reverse')


def test_one_hot():
    idx = np.array([[0, 3], [2, 5]])
    out = K.one_hot(K.constant(idx, dtype='int32'), 4)
    assert K.int_shape(out) == (2, 2, 4) and K.dtype(out) == K.floatx()
    expected = np.zeros((2, 2, 4))
    expected[0, 0, 0] = expected[0, 1, 3] = expected[1, 0, 2] = 1   # 5 is out of range: zeros
    np.testing.assert_array_equal(K.eval(out), expected)
    K.set_floatx('float64')
    assert K.dtype(K.one_hot(np.array([1, 2]), 3)) == 'float64'
    x = K.placeholder((None, 3), dtype='int32')
    out = K.one_hot(x, 5)
    assert K.int_shape(out) == (None, 3, 5)
    f = K.function([x], [out, K.shape(out)])
    for n in (2, 4):
        a = rng.randint(0, 5, size=(n, 3)).astype('int32')
        value, s = f([a])
        np.testing.assert_array_equal(value, np.eye(5)[a])
        assert tuple(s) == (n, 3, 5)
    raises(lambda: K.one_hot(K.placeholder((2,), dtype='float32'), 3), 'one_hot', 'float32')
    raises(lambda: K.one_hot(x, 0), 'one_hot', 'num_classes')


def test_arange():
    for args, kwargs in (((5,), {}), ((2, 7), {}), ((1, 10, 3), {}), ((-3,), {}),
                         ((5, 1, -2), {}), ((0, 1, 0.25), {'dtype': 'float32'})):
        out = K.arange(*args, **kwargs)
        dtype = kwargs.get('dtype', 'int32')
        expected = np.arange(*args) if args != (-3,) else np.arange(0)
        assert K.dtype(out) == dtype and K.int_shape(out) == expected.shape
        value = K.eval(out)
        assert value.dtype == dtype
        np.testing.assert_array_equal(value, expected.astype(dtype))
    # Float bounds with the int32 default: computed as floats, then cast (tf.range + cast).
    np.testing.assert_array_equal(K.eval(K.arange(0, 2.5, 0.5)), [0, 0, 1, 1, 2])
    assert K.dtype(K.arange(3, dtype='int64')) == 'int64'
    raises(lambda: K.arange(0, 5, 0), 'arange', 'step')
    # Tensor bounds must be scalars (tests/backend/test_keras23_backend.py runs them).
    raises(lambda: K.arange(K.placeholder((2,))), 'arange', 'start')
    raises(lambda: K.arange(0, '5'), 'arange', 'stop')
