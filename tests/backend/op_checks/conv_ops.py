"""Checks for the convolution ops (NHWC, and NCHW through the data_format attr).  References are the
numpy kernels of kback.backend._reference, which test_conv.py checks against
plain loops; these cases check the op wiring and every gradient rule."""
import numpy as np

from kback.backend import _reference as R
from kback.backend._shapes import axis_pads
from kback.backend.ops import apply

rng = np.random.RandomState(1)


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape)


def pads(hw, k, strides, padding, dilation=(1, 1)):
    if padding == 'valid':
        return ((0, 0), (0, 0))
    return tuple(axis_pads(hw[a], k[a], "same", strides[a], dilation[a]) for a in (0, 1))


def conv_case(op, ref, x, w, strides, padding, dilation):
    attrs = dict(strides=strides, padding=padding, dilation=dilation)
    p = pads(x.shape[1:3], w.shape[:2], strides, padding, dilation)
    return dict(build=lambda a, b: apply(op, a, b, **attrs), inputs=[x, w],
                reference=lambda a, b: ref(a, b, strides, p, dilation))


def bpi_case(op, ref, g, w, x_shape, strides, padding, dilation):
    attrs = dict(strides=strides, padding=padding, dilation=dilation)
    p = pads(x_shape[1:3], w.shape[:2], strides, padding, dilation)
    return dict(build=lambda a, b, s: apply(op, a, b, s, x_shape=x_shape, **attrs),
                inputs=[g, w, np.array(x_shape, dtype=np.int32)],
                reference=lambda a, b, s: ref(a, b, x_shape, strides, p, dilation))


def bpk_case(op, ref, x, g, w_shape, strides, padding, dilation):
    attrs = dict(strides=strides, padding=padding, dilation=dilation)
    p = pads(x.shape[1:3], w_shape[:2], strides, padding, dilation)
    return dict(build=lambda a, b: apply(op, a, b, kernel_size=w_shape[:2], **attrs),
                inputs=[x, g], reference=lambda a, b: ref(a, b, w_shape, strides, p, dilation))


def _t(a):
    return np.ascontiguousarray(np.transpose(a, (0, 3, 1, 2)))


def _nhwc(a):
    return np.transpose(a, (0, 2, 3, 1))


def nchw_conv_case(op, ref, x, w, strides, padding, dilation):
    """The op with data_format='channels_first' on NCHW data."""
    attrs = dict(strides=strides, padding=padding, dilation=dilation,
                 data_format='channels_first')
    p = pads(x.shape[1:3], w.shape[:2], strides, padding, dilation)
    return dict(build=lambda a, b: apply(op, a, b, **attrs), inputs=[_t(x), w],
                reference=lambda a, b: _t(ref(_nhwc(a), b, strides, p, dilation)))


def nchw_bpi_case(op, ref, g, w, x_shape, strides, padding, dilation):
    attrs = dict(strides=strides, padding=padding, dilation=dilation,
                 data_format='channels_first')
    p = pads(x_shape[1:3], w.shape[:2], strides, padding, dilation)
    shape = tuple(x_shape[i] for i in (0, 3, 1, 2))
    return dict(build=lambda a, b, s: apply(op, a, b, s, x_shape=shape, **attrs),
                inputs=[_t(g), w, np.array(shape, dtype=np.int32)],
                reference=lambda a, b, s: _t(ref(_nhwc(a), b, x_shape, strides, p, dilation)))


def nchw_bpk_case(op, ref, x, g, w_shape, strides, padding, dilation):
    attrs = dict(strides=strides, padding=padding, dilation=dilation,
                 data_format='channels_first')
    p = pads(x.shape[1:3], w_shape[:2], strides, padding, dilation)
    return dict(build=lambda a, b: apply(op, a, b, kernel_size=w_shape[:2], **attrs),
                inputs=[_t(x), _t(g)],
                reference=lambda a, b: ref(_nhwc(a), _nhwc(b), w_shape, strides, p, dilation))


def conv_bias_case(x, w, strides, padding, dilation, data_format='channels_last'):
    """conv2d_bias: the conv kernel started from the bias (either layout)."""
    attrs = dict(strides=strides, padding=padding, dilation=dilation, data_format=data_format)
    p = pads(x.shape[1:3], w.shape[:2], strides, padding, dilation)
    b = r(w.shape[3])
    if data_format == 'channels_last':
        return dict(build=lambda a, k, c: apply('conv2d_bias', a, k, c, **attrs),
                    inputs=[x, w, b],
                    reference=lambda a, k, c: R.conv2d_forward(a, k, strides, p, dilation) + c)
    return dict(build=lambda a, k, c: apply('conv2d_bias', a, k, c, **attrs),
                inputs=[_t(x), w, b],
                reference=lambda a, k, c: _t(R.conv2d_forward(_nhwc(a), k, strides, p,
                                                              dilation) + c))


CHECKS = {
    'conv2d_bias': [conv_bias_case(r(2, 5, 6, 2), r(3, 2, 2, 3), (1, 2), 'same', (1, 1)),
                    conv_bias_case(r(1, 6, 5, 2), r(2, 2, 2, 2), (1, 1), 'valid', (2, 1)),
                    conv_bias_case(r(2, 5, 6, 2), r(3, 2, 2, 3), (2, 1), 'same', (1, 1),
                                   'channels_first')],
    'conv2d': [conv_case('conv2d', R.conv2d_forward, r(2, 5, 6, 2), r(3, 2, 2, 3),
                         (1, 1), 'valid', (1, 1)),
               conv_case('conv2d', R.conv2d_forward, r(1, 6, 5, 2), r(3, 3, 2, 2),
                         (2, 2), 'same', (1, 1)),
               conv_case('conv2d', R.conv2d_forward, r(1, 6, 6, 1), r(2, 3, 1, 2),
                         (1, 1), 'same', (2, 2)),
               nchw_conv_case('conv2d', R.conv2d_forward, r(2, 5, 6, 2), r(3, 2, 2, 3),
                              (2, 1), 'same', (1, 1))],
    'conv2d_backprop_input': [
        nchw_bpi_case('conv2d_backprop_input', R.conv2d_backprop_input, r(2, 3, 3, 3),
                      r(3, 3, 2, 3), (2, 6, 5, 2), (2, 2), 'same', (1, 1)),
        bpi_case('conv2d_backprop_input', R.conv2d_backprop_input, r(2, 3, 3, 3), r(3, 3, 2, 3),
                 (2, 6, 5, 2), (2, 2), 'same', (1, 1)),
        bpi_case('conv2d_backprop_input', R.conv2d_backprop_input, r(1, 1, 4, 2), r(2, 2, 2, 2),
                 (1, 4, 5, 2), (2, 1), 'valid', (2, 1))],
    'conv2d_backprop_kernel': [
        nchw_bpk_case('conv2d_backprop_kernel', R.conv2d_backprop_kernel, r(2, 5, 4, 2),
                      r(2, 3, 2, 3), (3, 3, 2, 3), (2, 2), 'same', (1, 1)),
        bpk_case('conv2d_backprop_kernel', R.conv2d_backprop_kernel, r(2, 5, 4, 2),
                 r(2, 3, 2, 3), (3, 3, 2, 3), (2, 2), 'same', (1, 1)),
        bpk_case('conv2d_backprop_kernel', R.conv2d_backprop_kernel, r(1, 5, 5, 2),
                 r(1, 3, 2, 2), (2, 2, 2, 2), (1, 2), 'valid', (2, 2))],
    'depthwise_conv2d': [
        nchw_conv_case('depthwise_conv2d', R.depthwise_conv2d_forward, r(2, 5, 4, 2),
                       r(3, 2, 2, 2), (1, 2), 'same', (1, 1)),
        conv_case('depthwise_conv2d', R.depthwise_conv2d_forward, r(2, 5, 4, 2),
                  r(3, 2, 2, 2), (1, 1), 'valid', (1, 1)),
        conv_case('depthwise_conv2d', R.depthwise_conv2d_forward, r(1, 6, 5, 3),
                  r(3, 3, 3, 1), (2, 2), 'same', (1, 1)),
        conv_case('depthwise_conv2d', R.depthwise_conv2d_forward, r(1, 6, 6, 2),
                  r(2, 2, 2, 2), (1, 1), 'same', (2, 2))],
    'depthwise_conv2d_backprop_input': [
        nchw_bpi_case('depthwise_conv2d_backprop_input', R.depthwise_conv2d_backprop_input,
                      r(2, 3, 3, 4), r(3, 3, 2, 2), (2, 6, 5, 2), (2, 2), 'same', (1, 1)),
        bpi_case('depthwise_conv2d_backprop_input', R.depthwise_conv2d_backprop_input,
                 r(2, 3, 3, 4), r(3, 3, 2, 2), (2, 6, 5, 2), (2, 2), 'same', (1, 1)),
        bpi_case('depthwise_conv2d_backprop_input', R.depthwise_conv2d_backprop_input,
                 r(1, 3, 2, 3), r(2, 2, 3, 1), (1, 5, 4, 3), (1, 1), 'valid', (2, 2))],
    'depthwise_conv2d_backprop_kernel': [
        nchw_bpk_case('depthwise_conv2d_backprop_kernel', R.depthwise_conv2d_backprop_kernel,
                      r(2, 5, 4, 2), r(2, 3, 2, 4), (3, 3, 2, 2), (2, 2), 'same', (1, 1)),
        bpk_case('depthwise_conv2d_backprop_kernel', R.depthwise_conv2d_backprop_kernel,
                 r(2, 5, 4, 2), r(2, 3, 2, 4), (3, 3, 2, 2), (2, 2), 'same', (1, 1)),
        bpk_case('depthwise_conv2d_backprop_kernel', R.depthwise_conv2d_backprop_kernel,
                 r(1, 5, 5, 3), r(1, 3, 4, 3), (2, 2, 3, 1), (1, 1), 'valid', (2, 1))],
}
