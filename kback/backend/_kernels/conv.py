"""Convolution kernels: conv2d and depthwise_conv2d, forward and both
backprops, in either data format; conv2d_transpose is conv2d_backprop_input.

Arguments: 4-D arrays in `data_format` ('channels_last' NHWC or
'channels_first' NCHW), kernels (kh, kw, in, out) (depthwise: (kh, kw, in,
multiplier)), strides/dilation pairs and resolved pads ((top, bottom), (left,
right)).  The ops have checked them (the wrappers trust their caller; the
compiled entry points check their buffers); inputs of other dtypes or layouts
are converted, and `out=` must be a C-contiguous array of the result's shape
and dtype.  Without the compiled core, the numpy reference (NHWC) does the
work.

conv2d's forward and input gradient go through Winograd F(2x2, 3x3), its
kernel gradient through F(3x3, 2x2) (kback_core.winograd), where `_winograd`
says it is faster: 3x3 kernels of stride 1 and dilation 1 with enough
channels and output tiles; KBACK_WINOGRAD=0, read when kback loads, keeps
every conv on im2col + GEMM.
"""
import os

import numpy as np

from .. import _reference as R
from .._shapes import padded_output_length
from ._common import AVAILABLE, out_buffer, team_threads
from .linalg import single_threaded_blas

if AVAILABLE:
    try:
        from kback_core import conv as _conv, winograd as _wino
    except ImportError:         # a core built before this module existed
        AVAILABLE = False


def _arrays(*arrays):
    """C-contiguous float32/float64 copies (only when needed) of the arrays."""
    arrays = [np.asarray(a) for a in arrays]
    dtype = np.result_type(*arrays, np.float32)
    if dtype not in (np.float32, np.float64):
        dtype = np.dtype(np.float64)
    return dtype, [np.ascontiguousarray(a, dtype=dtype) for a in arrays]


def _split(nchw, shape):
    """(n, (h, w), c) of a 4-D shape in the layout."""
    return (shape[0], shape[2:], shape[1]) if nchw else (shape[0], shape[1:3], shape[3])


def _transposed(a, perm, nchw):
    """The reference works in NHWC: channels_first arrays cross over by `perm`."""
    return np.ascontiguousarray(a.transpose(perm)) if nchw else a


_TO_NHWC, _TO_NCHW = (0, 2, 3, 1), (0, 3, 1, 2)

WINOGRAD = os.environ.get('KBACK_WINOGRAD', '1') != '0'
# GEMM / Winograd time ratios of the kback_core entry points, NHWC float32,
# at 1 and 2 threads: with fewer input or output channels the gain fades:
# 32 images of 32x32, forward 1 -> 32 channels 0.65-0.7x, 3 -> 32 0.96-1.25x
# (the CIFAR-10 CNN's step no faster beyond noise with its first conv on
# Winograd), 8 -> 8 1.6-1.7x.  With fewer 2x2 output tiles (batch x tiles
# per image) the 16 products are too thin: 128 tiles of 32 -> 32 channels,
# forward 0.8x at 1 thread, 0.6x at 2; 256 tiles: 1.7x and 1.3x.
WINOGRAD_MIN_CHANNELS = 8
WINOGRAD_MIN_TILES = 256


def _winograd(family, w_shape, strides, dilation, n, out_hw):
    """Whether a conv of a kernel of w_shape (its forward and both gradients)
    with n output images of out_hw goes through Winograd."""
    return family == 'conv2d' and WINOGRAD and tuple(w_shape[:2]) == (3, 3) and \
        tuple(strides) == (1, 1) and tuple(dilation) == (1, 1) and \
        min(w_shape[2:]) >= WINOGRAD_MIN_CHANNELS and \
        n * -(-out_hw[0] // 2) * -(-out_hw[1] // 2) >= WINOGRAD_MIN_TILES


def _forward(family, ref, x, w, strides, pads, dilation, data_format, bias, out):
    nchw = data_format == 'channels_first'
    dtype, (x, w) = _arrays(x, w)
    n, hw, c = _split(nchw, x.shape)
    ohw = tuple(padded_output_length(hw[a], w.shape[a], strides[a], pads[a], dilation[a])
                for a in (0, 1))
    o = w.shape[3] if family == 'conv2d' else c * w.shape[3]
    if bias is not None:
        bias = np.ascontiguousarray(bias, dtype=dtype).reshape(-1)
    out = out_buffer(out, (n, o) + ohw if nchw else (n,) + ohw + (o,), dtype, family + '_forward')
    if not AVAILABLE:
        y = ref(_transposed(x, _TO_NHWC, nchw), w, strides, pads, dilation)
        if bias is not None:
            y = y + bias
        out[...] = _transposed(y, _TO_NCHW, nchw)
        return out
    with single_threaded_blas():
        if _winograd(family, w.shape, strides, dilation, n, ohw):
            _wino.conv2d_forward(x, w, bias, out, pads, nchw, team_threads())
        else:
            getattr(_conv, family + '_forward')(x, w, bias, out, strides, pads, dilation,
                                                nchw, team_threads())
    return out


def _backprop_input(family, ref, g, w, x_shape, strides, pads, dilation, data_format, out):
    nchw = data_format == 'channels_first'
    dtype, (g, w) = _arrays(g, w)
    out = out_buffer(out, tuple(x_shape), dtype, family + '_backprop_input')
    if not AVAILABLE:
        nhwc_shape = _transposed(out, _TO_NHWC, nchw).shape
        out[...] = _transposed(ref(_transposed(g, _TO_NHWC, nchw), w, nhwc_shape, strides,
                                   pads, dilation), _TO_NCHW, nchw)
        return out
    with single_threaded_blas():
        if _winograd(family, w.shape, strides, dilation, g.shape[0], _split(nchw, g.shape)[1]):
            _wino.conv2d_backprop_input(g, w, out, pads, nchw, team_threads())
        else:
            getattr(_conv, family + '_backprop_input')(g, w, out, strides, pads, dilation,
                                                       nchw, team_threads())
    return out


def _backprop_kernel(family, ref, x, g, w_shape, strides, pads, dilation, data_format, out):
    nchw = data_format == 'channels_first'
    dtype, (x, g) = _arrays(x, g)
    out = out_buffer(out, tuple(w_shape), dtype, family + '_backprop_kernel')
    if not AVAILABLE:
        out[...] = ref(_transposed(x, _TO_NHWC, nchw), _transposed(g, _TO_NHWC, nchw),
                       w_shape, strides, pads, dilation)
        return out
    with single_threaded_blas():
        if _winograd(family, w_shape, strides, dilation, g.shape[0], _split(nchw, g.shape)[1]):
            _wino.conv2d_backprop_kernel(x, g, out, pads, nchw, team_threads())
        else:
            getattr(_conv, family + '_backprop_kernel')(x, g, out, strides, pads, dilation,
                                                        nchw, team_threads())
    return out


def conv2d(x, w, strides=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1),
           data_format='channels_last', bias=None, out=None):
    """conv2d(x, w) (+ bias over the output channels)."""
    return _forward('conv2d', R.conv2d_forward, x, w, strides, pads, dilation, data_format,
                    bias, out)


def conv2d_backprop_input(g, w, x_shape, strides=(1, 1), pads=((0, 0), (0, 0)),
                          dilation=(1, 1), data_format='channels_last', out=None):
    """The gradient of <g, conv2d(x, w)> in x (x_shape in the layout); also
    conv2d_transpose."""
    return _backprop_input('conv2d', R.conv2d_backprop_input, g, w, x_shape, strides, pads,
                           dilation, data_format, out)


def conv2d_backprop_kernel(x, g, w_shape, strides=(1, 1), pads=((0, 0), (0, 0)),
                           dilation=(1, 1), data_format='channels_last', out=None):
    """The gradient of <g, conv2d(x, w)> in w (w_shape (kh, kw, in, out))."""
    return _backprop_kernel('conv2d', R.conv2d_backprop_kernel, x, g, w_shape, strides, pads,
                            dilation, data_format, out)


def depthwise_conv2d(x, w, strides=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1),
                     data_format='channels_last', bias=None, out=None):
    """Per-channel conv: output channel c * multiplier + k comes from input channel c."""
    return _forward('depthwise_conv2d', R.depthwise_conv2d_forward, x, w, strides, pads,
                    dilation, data_format, bias, out)


def depthwise_conv2d_backprop_input(g, w, x_shape, strides=(1, 1), pads=((0, 0), (0, 0)),
                                    dilation=(1, 1), data_format='channels_last', out=None):
    return _backprop_input('depthwise_conv2d', R.depthwise_conv2d_backprop_input, g, w, x_shape,
                           strides, pads, dilation, data_format, out)


def depthwise_conv2d_backprop_kernel(x, g, w_shape, strides=(1, 1), pads=((0, 0), (0, 0)),
                                     dilation=(1, 1), data_format='channels_last', out=None):
    return _backprop_kernel('depthwise_conv2d', R.depthwise_conv2d_backprop_kernel, x, g,
                            w_shape, strides, pads, dilation, data_format, out)
