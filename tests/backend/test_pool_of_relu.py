"""K.pool2d / K.pool3d of a relu build the relu of the max-pool: the same
values and gradients (exactly: both only pick values), with relu on the pooled
tensor and a conv's bias inside the conv kernel."""
import numpy as np
import pytest

from kback import backend as K
from gradcheck import check_op

rng = np.random.RandomState(13)
FORMATS = ['channels_last', 'channels_first']


def ops_on_path(t):
    """The ops from t down its first inputs."""
    ops = []
    while t.inputs:
        ops.append(t.op)
        t = t.inputs[0]
    return ops


def test_max_pool_of_relu_is_relu_of_max_pool():
    x = K.placeholder((2, 6, 6, 3))
    assert ops_on_path(K.pool2d(K.relu(x), (2, 2), (2, 2))) == ['relu', 'pool2d']
    b, w = K.placeholder((3,)), K.placeholder((2, 2, 3, 3))
    conv = K.relu(K.bias_add(K.conv2d(x, w), b))
    assert conv.op == 'bias_add_relu'
    assert ops_on_path(K.pool2d(conv, (2, 2), (2, 2))) == ['relu', 'pool2d', 'conv2d_bias']
    dense = K.relu(K.bias_add(K.placeholder((2, 6, 6, 4)), K.placeholder((4,))))
    assert ops_on_path(K.pool2d(dense, (2, 2))) == ['relu', 'pool2d', 'bias_add']
    x3 = K.placeholder((2, 4, 4, 4, 3))
    assert ops_on_path(K.pool3d(K.relu(x3), (2, 2, 2), (2, 2, 2))) == ['relu', 'pool3d']


def test_other_pools_and_activations_are_left_alone():
    x = K.placeholder((2, 6, 6, 3))
    assert K.pool2d(K.relu(x), (2, 2), pool_mode='avg').op == 'pool2d'
    assert K.pool2d(K.relu(x, alpha=0.1), (2, 2)).op == 'pool2d'
    assert K.pool2d(K.relu(x, max_value=6.0), (2, 2)).op == 'pool2d'
    assert K.pool2d(K.sigmoid(x), (2, 2)).op == 'pool2d'


def values_with_ties_and_nans(shape):
    """Negative windows, zeros, ties and a NaN: every case of max-pool routing."""
    x = np.round(rng.uniform(-2, 2, shape), 1)
    x.reshape(-1)[::5] = 0.0
    x.reshape(-1)[7] = np.nan
    return x


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('pool, strides, padding', [
    ((2, 2), (2, 2), 'valid'), ((3, 3), (2, 2), 'same'), ((3, 2), (1, 2), 'valid')])
def test_values_and_gradients_equal_the_relu_then_pool_graph(data_format, pool, strides,
                                                            padding):
    shape = (3, 7, 6, 2) if data_format == 'channels_last' else (3, 2, 7, 6)
    xv = values_with_ties_and_nans(shape)
    wv = rng.uniform(0.5, 1.5, K.int_shape(K.pool2d(K.placeholder(shape), pool, strides,
                                                    padding, data_format)))
    x = K.placeholder(shape, dtype='float64')

    def pooled(relu_out):
        return K.pool2d(relu_out, pool, strides, padding, data_format)

    rewritten = pooled(K.relu(x))
    assert rewritten.op == 'relu'
    kept = pooled(K.identity(K.relu(x)))                  # identity: pooled as written
    assert kept.op == 'pool2d'
    outs = []
    for y in (rewritten, kept):
        g, = K.gradients(K.sum(y * K.constant(wv, 'float64')), [x])
        outs.append(K.function([x], [y, g])([xv]))
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)
    assert np.isnan(outs[0][0]).any() and (outs[0][1] == 0).any()


@pytest.mark.parametrize('data_format', FORMATS)
def test_conv_bias_relu_max_pool_gradients(data_format):
    """Finite differences through conv2d_bias -> max-pool -> relu (float64)."""
    cl = data_format == 'channels_last'
    x = rng.uniform(-2, 2, (2, 6, 6, 2) if cl else (2, 2, 6, 6))
    w, b = rng.uniform(-1, 1, (2, 2, 2, 3)), rng.uniform(-0.2, 0.2, 3)

    def build(a, k, c):
        y = K.relu(K.bias_add(K.conv2d(a, k, data_format=data_format), c, data_format))
        return K.pool2d(y, (2, 2), (2, 2), 'valid', data_format)

    def reference(a, k, c):
        kept = K.pool2d(K.identity(K.relu(K.bias_add(
            K.conv2d(K.constant(a, 'float64'), K.constant(k, 'float64'),
                     data_format=data_format), K.constant(c, 'float64'), data_format))),
            (2, 2), (2, 2), 'valid', data_format)
        return K.eval(kept)

    check_op(build, [x, w, b], reference)
