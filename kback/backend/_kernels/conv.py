"""Convolution kernels: conv2d and depthwise_conv2d, forward and both
backprops, in either data format; conv2d_transpose is conv2d_backprop_input.

Arguments: 4-D arrays in `data_format` ('channels_last' NHWC or
'channels_first' NCHW), kernels (kh, kw, in, out) (depthwise: (kh, kw, in,
multiplier)), strides/dilation pairs and resolved pads ((top, bottom), (left,
right)).  Inputs of other dtypes or layouts are converted; `out=` must be a
C-contiguous array of the result's shape and dtype.  Without the compiled
core, the numpy reference (NHWC) does the work.
"""
import numpy as np

from .. import config, _reference as R
from . import AVAILABLE, _out
from .linalg import single_threaded_blas

if AVAILABLE:
    try:
        from kback_core import conv as _conv
    except ImportError:         # a core built before this module existed
        AVAILABLE = False

_NCHW = {'channels_last': False, 'channels_first': True}


def _single_threaded_blas():
    """BLAS is called from inside the OpenMP loops: one BLAS thread each."""
    return single_threaded_blas()


def _nchw(op, data_format):
    try:
        return _NCHW[data_format]
    except KeyError:
        raise ValueError(f"{op}: data_format must be 'channels_last' or 'channels_first', "
                         f'got {data_format!r}') from None


def _arrays(op, *arrays):
    """C-contiguous float32/float64 copies (only when needed) of rank-4 arrays."""
    arrays = [np.asarray(a) for a in arrays]
    for a in arrays:
        if a.ndim != 4:
            raise ValueError(f'{op}: expects rank-4 arrays, got shapes '
                             f'{", ".join(str(b.shape) for b in arrays)}')
    dtype = np.result_type(*arrays, np.float32)
    if dtype not in (np.float32, np.float64):
        dtype = np.dtype(np.float64)
    return dtype, [np.ascontiguousarray(a, dtype=dtype) for a in arrays]




def _out_hw(op, hw, ksize, strides, pads, dilation):
    """Output size (checked by the kernel too, which also checks the rest)."""
    sizes = []
    for a in (0, 1):
        if strides[a] < 1 or dilation[a] < 1:
            raise ValueError(f'{op}: strides {tuple(strides)} and dilation {tuple(dilation)} '
                             'must be positive')
        span = (ksize[a] - 1) * dilation[a] + 1
        padded = hw[a] + pads[a][0] + pads[a][1]
        if padded < span:
            raise ValueError(f'{op}: the kernel window {tuple(ksize)} (dilation '
                             f'{tuple(dilation)}) is larger than the padded input size '
                             f'{tuple(hw)} with pads {pads}')
        sizes.append((padded - span) // strides[a] + 1)
    return tuple(sizes)


def _layout(nchw, n, hw, c):
    return (n, c) + tuple(hw) if nchw else (n,) + tuple(hw) + (c,)


def _split(nchw, shape):
    """(n, (h, w), c) of a 4-D shape in the layout."""
    return (shape[0], shape[2:], shape[1]) if nchw else (shape[0], shape[1:3], shape[3])


def _to_nhwc(a, nchw):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)) if nchw else a


def _from_nhwc(a, nchw):
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2)) if nchw else a


def _channels_out(family, c, w_shape):
    return w_shape[3] if family == 'conv2d' else c * w_shape[3]


def _check_channels(op, family, x_shape, w_shape, nchw):
    c = _split(nchw, x_shape)[2]
    if c != w_shape[2]:
        raise ValueError(f'{op}: the input {tuple(x_shape)} has {c} channels but the kernel '
                         f'{tuple(w_shape)} expects {w_shape[2]}')


def _forward(family, ref, x, w, strides, pads, dilation, data_format, bias, out):
    op = family + '_forward'
    nchw = _nchw(op, data_format)
    dtype, (x, w) = _arrays(op, x, w)
    _check_channels(op, family, x.shape, w.shape, nchw)
    n, hw, c = _split(nchw, x.shape)
    ohw = _out_hw(op, hw, w.shape[:2], strides, pads, dilation)
    o = _channels_out(family, c, w.shape)
    if bias is not None:
        bias = np.ascontiguousarray(bias, dtype=dtype).reshape(-1)
    out = _out(out, _layout(nchw, n, ohw, o), dtype, op)
    if not AVAILABLE:
        y = ref(_to_nhwc(x, nchw), w, strides, pads, dilation)
        if bias is not None:
            y = y + bias
        out[...] = _from_nhwc(y, nchw)
        return out
    kernel = getattr(_conv, family + '_forward')
    with _single_threaded_blas():
        kernel(x, w, bias, out, tuple(strides), tuple(map(tuple, pads)), tuple(dilation),
               nchw, config.get_num_threads())
    return out


def _backprop_input(family, ref, g, w, x_shape, strides, pads, dilation, data_format, out):
    op = family + '_backprop_input'
    nchw = _nchw(op, data_format)
    dtype, (g, w) = _arrays(op, g, w)
    x_shape = tuple(int(d) for d in x_shape)
    if len(x_shape) != 4:
        raise ValueError(f'{op}: the input shape must have 4 entries, got {x_shape}')
    _check_channels(op, family, x_shape, w.shape, nchw)
    out = _out(out, x_shape, dtype, op)
    if not AVAILABLE:
        out[...] = _from_nhwc(ref(_to_nhwc(g, nchw), w, _to_nhwc(out, nchw).shape, strides,
                                  pads, dilation), nchw)
        return out
    kernel = getattr(_conv, family + '_backprop_input')
    with _single_threaded_blas():
        kernel(g, w, out, tuple(strides), tuple(map(tuple, pads)), tuple(dilation), nchw,
               config.get_num_threads())
    return out


def _backprop_kernel(family, ref, x, g, w_shape, strides, pads, dilation, data_format, out):
    op = family + '_backprop_kernel'
    nchw = _nchw(op, data_format)
    dtype, (x, g) = _arrays(op, x, g)
    w_shape = tuple(int(d) for d in w_shape)
    if len(w_shape) != 4:
        raise ValueError(f'{op}: the kernel shape must have 4 entries, got {w_shape}')
    _check_channels(op, family, x.shape, w_shape, nchw)
    out = _out(out, w_shape, dtype, op)
    if not AVAILABLE:
        out[...] = ref(_to_nhwc(x, nchw), _to_nhwc(g, nchw), w_shape, strides, pads, dilation)
        return out
    kernel = getattr(_conv, family + '_backprop_kernel')
    with _single_threaded_blas():
        kernel(x, g, out, tuple(strides), tuple(map(tuple, pads)), tuple(dilation), nchw,
               config.get_num_threads())
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
    return _backprop_input('conv2d', R.conv2d_backward_input, g, w, x_shape, strides, pads,
                           dilation, data_format, out)


def conv2d_backprop_kernel(x, g, w_shape, strides=(1, 1), pads=((0, 0), (0, 0)),
                           dilation=(1, 1), data_format='channels_last', out=None):
    """The gradient of <g, conv2d(x, w)> in w (w_shape (kh, kw, in, out))."""
    return _backprop_kernel('conv2d', R.conv2d_backward_kernel, x, g, w_shape, strides, pads,
                            dilation, data_format, out)


def depthwise_conv2d(x, w, strides=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1),
                     data_format='channels_last', bias=None, out=None):
    """Per-channel conv: output channel c * multiplier + k comes from input channel c."""
    return _forward('depthwise_conv2d', R.depthwise_conv2d_forward, x, w, strides, pads,
                    dilation, data_format, bias, out)


def depthwise_conv2d_backprop_input(g, w, x_shape, strides=(1, 1), pads=((0, 0), (0, 0)),
                                    dilation=(1, 1), data_format='channels_last', out=None):
    return _backprop_input('depthwise_conv2d', R.depthwise_conv2d_backward_input, g, w, x_shape,
                           strides, pads, dilation, data_format, out)


def depthwise_conv2d_backprop_kernel(x, g, w_shape, strides=(1, 1), pads=((0, 0), (0, 0)),
                                     dilation=(1, 1), data_format='channels_last', out=None):
    return _backprop_kernel('depthwise_conv2d', R.depthwise_conv2d_backward_kernel, x, g,
                            w_shape, strides, pads, dilation, data_format, out)
