"""Conv2D's bias fused into the conv (K.bias_add(K.conv2d(...)) -> conv2d_bias)
and its bias gradient taken over a following pool's gradient: graphs, values
against numpy, float64 finite differences, second derivatives, threads."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend import _reference as R, graph_state
from kback.backend._shapes import axis_pads
from gradcheck import check_op, numeric_grad

rng = np.random.RandomState(11)
FORMATS = ['channels_last', 'channels_first']


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape)


def nchw(a):
    return np.ascontiguousarray(np.transpose(a, (0, 3, 1, 2)))


def nhwc(a):
    return np.transpose(a, (0, 2, 3, 1))


def ops_in(*tensors):
    return [n.op for n in graph_state.reachable(list(tensors))]


def np_conv_bias(x, w, b, strides, padding, data_format):
    """NHWC reference of conv2d(x, w) + b, in data_format."""
    cl = data_format == 'channels_last'
    xh = x if cl else nhwc(x)
    pads = tuple(axis_pads(xh.shape[1 + a], w.shape[a], padding, strides[a]) for a in (0, 1))
    y = R.conv2d_forward(xh, w, strides, pads, (1, 1)) + b
    return y if cl else nchw(y)


def np_pool(y, pool, strides, padding, mode, data_format):
    cl = data_format == 'channels_last'
    yh = y if cl else nhwc(y)
    pads = tuple(axis_pads(yh.shape[1 + a], pool[a], padding, strides[a]) for a in (0, 1))
    p = R.pool2d_forward(yh, pool, strides, pads, mode)
    return p if cl else nchw(p)


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('strides, padding', [((1, 1), 'valid'), ((2, 1), 'same')])
def test_bias_add_of_conv2d_is_one_op(data_format, strides, padding):
    cl = data_format == 'channels_last'
    x = r(2, 6, 5, 2) if cl else r(2, 2, 6, 5)
    w, b = r(3, 2, 2, 4), r(4)
    y = K.bias_add(K.conv2d(K.placeholder(x.shape), K.placeholder(w.shape), strides, padding,
                            data_format), K.placeholder(b.shape), data_format)
    assert y.op == 'conv2d_bias'
    assert 'bias_add' not in ops_in(y)
    check_op(lambda a, k, c: K.bias_add(K.conv2d(a, k, strides, padding, data_format), c,
                                        data_format),
             [x, w, b], lambda a, k, c: np_conv_bias(a, k, c, strides, padding, data_format))


def test_bias_on_another_axis_is_not_fused():
    # A channels_first bias on an NHWC conv output adds along axis 1 (rows).
    x = K.placeholder((2, 4, 4, 3))
    y = K.conv2d(x, K.placeholder((2, 2, 3, 3)))
    assert K.bias_add(y, K.placeholder((3,)), 'channels_first').op == 'bias_add'
    assert K.bias_add(y, K.placeholder((3, 3, 3))).op == 'add'


@pytest.mark.parametrize('data_format', FORMATS)
def test_relu_of_conv_bias_keeps_the_bias_relu_fusion(data_format):
    cl = data_format == 'channels_last'
    x = r(2, 5, 5, 2) if cl else r(2, 2, 5, 5)
    w, b = r(2, 2, 2, 3), r(3) * 0.1

    def build(a, k, c):
        return K.relu(K.bias_add(K.conv2d(a, k, data_format=data_format), c, data_format))

    y = build(K.placeholder(x.shape), K.placeholder(w.shape), K.placeholder(b.shape))
    assert y.op == 'bias_add_relu' and y.inputs[0].op == 'conv2d'
    check_op(build, [x, w, b],
             lambda a, k, c: np.maximum(np_conv_bias(a, k, c, (1, 1), 'valid', data_format), 0))


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('pool, strides, padding, mode', [
    ((2, 2), (2, 2), 'valid', 'max'), ((2, 2), (2, 2), 'same', 'avg'),
    ((3, 3), (2, 2), 'same', 'max'), ((3, 2), (1, 2), 'valid', 'avg')])
def test_bias_gradient_through_pooling(data_format, pool, strides, padding, mode):
    """d/db of a pooled conv: summed over the pooled gradient (no full-size pass),
    equal to finite differences."""
    cl = data_format == 'channels_last'
    x = r(2, 7, 6, 2) if cl else r(2, 2, 7, 6)
    w, b = r(2, 2, 2, 3), r(3)

    def build(a, k, c):
        y = K.bias_add(K.conv2d(a, k, data_format=data_format), c, data_format)
        return K.pool2d(y, pool, strides, padding, data_format, mode)

    xs, ws, bs = (K.placeholder(v.shape, dtype='float64') for v in (x, w, b))
    gb = K.gradients(K.sum(K.square(build(xs, ws, bs))), [bs])[0]
    assert gb.op == 'bias_add_backprop' and gb.inputs[0].op != 'pool2d_backprop'
    check_op(build, [x, w, b], lambda a, k, c: np_pool(
        np_conv_bias(a, k, c, (1, 1), 'valid', data_format), pool, strides, padding, mode,
        data_format))


@pytest.mark.parametrize('data_format', FORMATS)
def test_second_derivative_of_the_pooled_bias_gradient(data_format):
    """d/dw of <v, d/db sum(pool(conv(x, w) + b)^2)>: the shortcut's own gradient."""
    cl = data_format == 'channels_last'
    x = r(2, 5, 5, 2) if cl else r(2, 2, 5, 5)
    w, b, v = r(2, 2, 2, 3), r(3), r(3)
    xs, ws, bs = (K.placeholder(a.shape, dtype='float64') for a in (x, w, b))
    y = K.pool2d(K.bias_add(K.conv2d(xs, ws, data_format=data_format), bs, data_format),
                 (2, 2), (2, 2), 'valid', data_format, 'max')
    gb = K.gradients(K.sum(K.square(y)), [bs])[0]
    inner = K.sum(gb * K.constant(v, dtype='float64'))
    hw, hb = K.gradients(inner, [ws, bs])
    f = K.function([xs, ws, bs], [hw, hb])
    scalar = K.function([xs, ws, bs], [inner])
    got = f([x, w, b])
    for i, g in ((1, got[0]), (2, got[1])):
        numeric = numeric_grad(lambda a: float(scalar(a)[0]), [x, w, b], i)
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize('data_format', FORMATS)
def test_float32_step_identical_at_one_and_two_threads(data_format):
    cl = data_format == 'channels_last'
    xv = rng.randn(16, 14, 14, 1).astype(np.float32)
    xv = xv if cl else nchw(xv)
    wv = rng.randn(2, 2, 1, 32).astype(np.float32)
    bv = rng.randn(32).astype(np.float32)
    x, w, b = K.placeholder(xv.shape), K.variable(wv), K.variable(bv)
    y = K.pool2d(K.bias_add(K.conv2d(x, w, data_format=data_format), b, data_format),
                 (2, 2), (2, 2), 'valid', data_format, 'max')
    loss = K.sum(K.square(y))
    f = K.function([x], [y] + K.gradients(loss, [w, b]))
    results = []
    for threads in (1, 2):
        K.set_num_threads(threads)
        results.append(f([xv]))
    for a, c in zip(*results):
        np.testing.assert_array_equal(a, c)
    y64 = np_pool(np_conv_bias(xv.astype(np.float64), wv, bv, (1, 1), 'valid', data_format),
                  (2, 2), (2, 2), 'valid', 'max', data_format)
    np.testing.assert_allclose(results[0][0], y64, rtol=1e-5, atol=1e-5)
    axes = (0, 1, 2) if cl else (0, 2, 3)
    np.testing.assert_allclose(results[0][2], (2 * y64).sum(axis=axes), rtol=1e-4)
