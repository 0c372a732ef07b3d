"""K.conv3d, K.conv3d_transpose and K.pool3d against direct loops, in both
data formats; argument errors; float32/float16 dtypes; second derivatives."""
import numpy as np
import pytest

from kback import backend as K
from backend.op_checks.conv3d_ops import (conv3d_ref, conv3d_bpi_ref, pool3d_ref, to_cf,
                                          to_cl)
from gradcheck import check_op

rng = np.random.RandomState(5)
CF = 'channels_first'
FORMATS = ['channels_last', CF]


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape).astype('float32')


def run(fn, *arrays):
    ts = [K.placeholder(shape=a.shape, dtype=a.dtype.name) for a in arrays]
    return K.function(ts, [fn(*ts)])(list(arrays))[0]


def layout(a, data_format):
    return a if data_format == 'channels_last' else to_cf(a)


def back(a, data_format):
    return a if data_format == 'channels_last' else to_cl(a)


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('strides,padding,dilation', [((1, 1, 1), 'valid', (1, 1, 1)),
                                                      ((2, 1, 3), 'same', (1, 1, 1)),
                                                      ((1, 1, 1), 'same', (2, 1, 2))])
def test_conv3d_matches_loops(data_format, strides, padding, dilation):
    x, w = r(2, 5, 4, 6, 3), r(2, 3, 2, 3, 4)
    y = run(lambda a, b: K.conv3d(a, b, strides, padding, data_format, dilation),
            layout(x, data_format), w)
    assert y.dtype == np.float32
    np.testing.assert_allclose(back(y, data_format), conv3d_ref(x, w, strides, padding, dilation),
                               rtol=1e-5, atol=1e-5)


def test_conv3d_default_data_format_and_int_args():
    x, w = r(1, 4, 4, 4, 2), r(3, 3, 3, 2, 1)
    K.set_image_data_format(CF)
    y = run(lambda a, b: K.conv3d(a, b, strides=2, padding='SAME'), to_cf(x), w)
    np.testing.assert_allclose(to_cl(y), conv3d_ref(x, w, (2, 2, 2), 'same', (1, 1, 1)),
                               rtol=1e-5, atol=1e-5)


def test_conv3d_static_shapes():
    x = K.placeholder((None, 9, None, 7, 3))
    y = K.conv3d(x, K.variable(r(3, 2, 2, 3, 5)), strides=(2, 1, 3), padding='valid')
    assert K.int_shape(y) == (None, 4, None, 2, 5)
    x = K.placeholder((None, 3, 9, 8, 7))
    y = K.conv3d(x, K.variable(r(3, 2, 2, 3, 5)), (2, 3, 2), 'same', CF)
    assert K.int_shape(y) == (None, 5, 5, 3, 4)


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('strides,padding', [((2, 2, 1), 'same'), ((2, 1, 3), 'valid'),
                                             ((1, 1, 1), 'valid')])
def test_conv3d_transpose_is_the_input_gradient(data_format, strides, padding):
    out_cl = (2, 5, 4, 7, 3)
    w = r(2, 3, 2, 3, 4)          # (kd, kh, kw, out_channels, in_channels)
    fwd_kernel = w                # conv3d kernel (k..., in=3, out=4)
    probe = K.conv3d(K.placeholder(shape=layout(np.zeros(out_cl), data_format).shape),
                     K.variable(fwd_kernel), strides, padding, data_format)
    x_shape = K.int_shape(probe)
    x = r(*x_shape)
    out_shape = layout(np.zeros(out_cl), data_format).shape
    y = run(lambda a, b: K.conv3d_transpose(a, b, out_shape, strides, padding, data_format),
            x, w)
    assert y.shape == out_shape
    expected = conv3d_bpi_ref(back(x, data_format), w, out_cl, strides, padding, (1, 1, 1))
    np.testing.assert_allclose(back(y, data_format), expected, rtol=1e-5, atol=1e-5)


def test_conv3d_transpose_none_batch_and_tensor_dims():
    w = r(2, 2, 2, 3, 2)
    x = K.placeholder((None, 3, 3, 3, 2))
    y = K.conv3d_transpose(x, K.variable(w), (None, 6, 6, 6, 3), (2, 2, 2), 'same')
    assert K.int_shape(y) == (None, 6, 6, 6, 3)
    xv = r(4, 3, 3, 3, 2)
    got = K.function([x], [y])([xv])[0]
    np.testing.assert_allclose(got, conv3d_bpi_ref(xv, w, (4, 6, 6, 6, 3), (2, 2, 2), 'same',
                                                   (1, 1, 1)), rtol=1e-5, atol=1e-5)
    # Dimensions given as scalar tensors (Conv3DTranspose with unknown sizes).
    x2 = K.placeholder((None, None, 3, 3, 2))
    d = K.shape(x2)[1] * 2
    y2 = K.conv3d_transpose(x2, K.variable(w), (None, d, 6, 6, 3), (2, 2, 2), 'same')
    assert K.int_shape(y2) == (None, None, 6, 6, 3)
    np.testing.assert_allclose(K.function([x2], [y2])([xv])[0], got, rtol=1e-6)


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('mode', ['max', 'avg'])
@pytest.mark.parametrize('pool,strides,padding', [((2, 2, 2), (2, 2, 2), 'valid'),
                                                  ((3, 2, 2), (2, 1, 2), 'same'),
                                                  ((2, 3, 1), (1, 1, 1), 'valid')])
def test_pool3d_matches_loops(data_format, mode, pool, strides, padding):
    x = r(2, 5, 4, 5, 3)
    y = run(lambda a: K.pool3d(a, pool, strides, padding, data_format, mode),
            layout(x, data_format))
    np.testing.assert_allclose(back(y, data_format), pool3d_ref(x, pool, strides, padding, mode),
                               rtol=1e-6, atol=1e-6)


def test_pool3d_same_average_counts_real_positions_only():
    x = np.ones((1, 3, 3, 3, 1), dtype='float32')
    y = run(lambda a: K.pool3d(a, (2, 2, 2), (2, 2, 2), 'same', pool_mode='avg'), x)
    np.testing.assert_allclose(y, np.ones((1, 2, 2, 2, 1)))


def test_pool3d_max_gradient_goes_to_first_maximum():
    x = np.zeros((1, 2, 2, 2, 1), dtype='float32')
    xt = K.placeholder(shape=x.shape)
    g, = K.gradients(K.sum(K.pool3d(xt, (2, 2, 2), (2, 2, 2))), [xt])
    got = K.function([xt], [g])([x])[0]
    expected = np.zeros_like(x)
    expected[0, 0, 0, 0, 0] = 1
    np.testing.assert_array_equal(got, expected)


def test_float16_conv_and_pool():
    x, w = r(1, 4, 4, 4, 2).astype('float16'), r(2, 2, 2, 2, 3).astype('float16')
    y = run(lambda a, b: K.conv3d(a, b, padding='same'), x, w)
    assert y.dtype == np.float16
    ref = conv3d_ref(x.astype('float64'), w.astype('float64'), (1, 1, 1), 'same', (1, 1, 1))
    np.testing.assert_allclose(y, ref, rtol=1e-2, atol=1e-2)
    p = run(lambda a: K.pool3d(a, (2, 2, 2), pool_mode='avg'), x)
    assert p.dtype == np.float16


@pytest.mark.parametrize('data_format', FORMATS)
def test_second_derivatives(data_format):
    """d/dw of sum((d loss / dx)^2) through conv3d and max pool3d."""
    x, w = rng.uniform(-1, 1, (1, 4, 3, 4, 2)), rng.uniform(-1, 1, (2, 2, 2, 2, 2))
    x = layout(x, data_format)

    def build(a, b):
        y = K.pool3d(K.conv3d(a, b, (1, 1, 1), 'same', data_format), (2, 2, 2), (1, 1, 1),
                     'valid', data_format, 'max')
        g, = K.gradients(K.sum(y * y), [a])
        return K.sum(g * g, axis=0)

    check_op(build, [x, w], grad_wrt=[1], grad_rtol=1e-3, grad_atol=1e-5)


def test_errors():
    x = K.placeholder((None, 4, 4, 4, 2))
    with pytest.raises(ValueError, match='conv3d'):
        K.conv3d(x, K.variable(r(2, 2, 2, 3, 1)))          # channel mismatch
    with pytest.raises(ValueError, match='rank 5'):
        K.conv3d(K.placeholder((None, 4, 4, 2)), K.variable(r(2, 2, 2, 2, 1)))
    with pytest.raises(ValueError, match='padding'):
        K.conv3d(x, K.variable(r(2, 2, 2, 2, 1)), padding='causal')
    with pytest.raises(ValueError, match='larger than the input'):
        K.conv3d(x, K.variable(r(5, 2, 2, 2, 1)))
    with pytest.raises(ValueError, match='data_format'):
        K.conv3d(x, K.variable(r(2, 2, 2, 2, 1)), data_format='channels_middle')
    with pytest.raises(ValueError, match='strides'):
        K.conv3d(x, K.variable(r(2, 2, 2, 2, 1)), strides=(1, 1))
    with pytest.raises(ValueError, match='pool_mode'):
        K.pool3d(x, (2, 2, 2), pool_mode='min')
    with pytest.raises(ValueError, match='pool3d'):
        K.pool3d(x, (5, 2, 2))
    with pytest.raises(ValueError, match='does not fit'):
        K.conv3d_transpose(K.placeholder((None, 3, 3, 3, 2)), K.variable(r(2, 2, 2, 3, 2)),
                           (None, 9, 6, 6, 3), (2, 2, 2), 'same')
    with pytest.raises(ValueError, match='channels'):
        K.conv3d_transpose(K.placeholder((None, 3, 3, 3, 4)), K.variable(r(2, 2, 2, 3, 2)),
                           (None, 6, 6, 6, 3), (2, 2, 2), 'same')


def test_signatures():
    import inspect
    assert str(inspect.signature(K.conv3d)) == \
        "(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None, " \
        "dilation_rate=(1, 1, 1))"
    assert str(inspect.signature(K.conv3d_transpose)) == \
        "(x, kernel, output_shape, strides=(1, 1, 1), padding='valid', data_format=None)"
    assert str(inspect.signature(K.pool3d)) == \
        "(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None, pool_mode='max')"


@pytest.mark.parametrize('data_format', FORMATS)
def test_batch_chunks_give_the_same_results(data_format, monkeypatch):
    """Patch buffers over the chunk budget are processed a few samples at a time."""
    from kback.backend._kernels import conv3d as KV
    x, w = rng.uniform(-1, 1, (3, 4, 5, 4, 2)), rng.uniform(-1, 1, (2, 2, 3, 2, 3))
    xt, wt = K.placeholder(shape=layout(x, data_format).shape, dtype='float64'), \
        K.variable(w, dtype='float64')
    y = K.conv3d(xt, wt, (2, 1, 1), 'same', data_format)
    grads = K.gradients(K.sum(y * y), [xt, wt])
    f = K.function([xt], [y] + grads)
    whole = f([layout(x, data_format)])
    monkeypatch.setattr(KV, '_CHUNK_BYTES', 1)
    chunked = f([layout(x, data_format)])
    for a, b in zip(whole, chunked):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(back(whole[0], data_format),
                               conv3d_ref(x, w, (2, 1, 1), 'same', (1, 1, 1)), rtol=1e-10)
