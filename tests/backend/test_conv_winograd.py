"""The conv ops through Winograd (3x3, stride 1, enough channels; the tile
threshold lowered to 1 so these small inputs take it): values against numpy and float64 finite-difference gradients, in both data formats,
for conv2d (both gradients), conv2d + bias, conv2d_transpose and a second
derivative."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend import _reference as R
from kback.backend._kernels import conv as C
from kback.backend._shapes import axis_pads
from gradcheck import check_op

rng = np.random.RandomState(5)
FORMATS = ['channels_last', 'channels_first']
CHANNELS = C.WINOGRAD_MIN_CHANNELS


@pytest.fixture(autouse=True)
def small_inputs_take_winograd(monkeypatch):
    monkeypatch.setattr(C, 'WINOGRAD_MIN_TILES', 1)


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape)


def nchw(a):
    return np.ascontiguousarray(np.transpose(a, (0, 3, 1, 2)))


def nhwc(a):
    return np.transpose(a, (0, 2, 3, 1))


def reference(x, w, padding, data_format):
    cl = data_format == 'channels_last'
    xh = x if cl else nhwc(x)
    pads = tuple(axis_pads(xh.shape[1 + a], 3, padding, 1) for a in (0, 1))
    y = R.conv2d_forward(xh, w, (1, 1), pads, (1, 1))
    return y if cl else nchw(y)


def test_these_shapes_take_winograd():
    assert C._winograd('conv2d', (3, 3, CHANNELS, CHANNELS), (1, 1), (1, 1), 1, (3, 4))


@pytest.mark.parametrize('padding', ['same', 'valid'])
@pytest.mark.parametrize('data_format', FORMATS)
def test_conv2d_values_and_gradients(padding, data_format):
    x = r(1, 5, 4, CHANNELS)
    x = x if data_format == 'channels_last' else nchw(x)
    w = r(3, 3, CHANNELS, CHANNELS)
    check_op(lambda a, b: K.conv2d(a, b, (1, 1), padding, data_format), [x, w],
             lambda a, b: reference(a, b, padding, data_format))


@pytest.mark.parametrize('data_format', FORMATS)
def test_conv2d_with_bias_values_and_gradients(data_format):
    x = r(1, 3, 5, CHANNELS)
    x = x if data_format == 'channels_last' else nchw(x)
    w, b = r(3, 3, CHANNELS, CHANNELS), r(CHANNELS)
    shape = (1, CHANNELS, 1, 1) if data_format == 'channels_first' else (CHANNELS,)
    check_op(lambda a, c, d: K.bias_add(K.conv2d(a, c, (1, 1), 'same', data_format), d,
                                        data_format), [x, w, b],
             lambda a, c, d: reference(a, c, 'same', data_format) + d.reshape(shape))


@pytest.mark.parametrize('data_format', FORMATS)
def test_conv2d_transpose_values_and_gradients(data_format):
    """conv2d_transpose is the input gradient: Winograd on the turned kernel."""
    cl = data_format == 'channels_last'
    t, w = r(1, 4, 3, CHANNELS), r(3, 3, CHANNELS, CHANNELS)
    out_shape = (1, 4, 3, CHANNELS)
    pads = ((1, 1), (1, 1))
    check_op(lambda a, b: K.conv2d_transpose(a, b, out_shape if cl else
                                             (1, CHANNELS, 4, 3), (1, 1), 'same', data_format),
             [t if cl else nchw(t), w],
             lambda a, b: (R.conv2d_backprop_input(a if cl else nhwc(a), b, out_shape,
                                                   (1, 1), pads, (1, 1)) if cl else
                           nchw(R.conv2d_backprop_input(nhwc(a), b, out_shape, (1, 1), pads,
                                                        (1, 1)))))


def test_second_derivative_through_winograd():
    """d/dx of d sum(conv(x, w)**2)/dx: conv2d and its input gradient both
    through Winograd."""
    x, w = r(1, 4, 3, CHANNELS), r(3, 3, CHANNELS, CHANNELS)

    def grad_x(a, b):
        return K.gradients(K.sum(K.square(K.conv2d(a, b, (1, 1), 'same'))), a)[0]

    y = reference(x, w, 'same', 'channels_last')
    check_op(grad_x, [x, w], lambda a, b: R.conv2d_backprop_input(
        2 * y, w, x.shape, (1, 1), ((1, 1), (1, 1)), (1, 1)), grad_wrt=[0])
