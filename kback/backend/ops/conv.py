"""Convolution and pooling primitives, NHWC only (the K functions in conv.py
transpose channels_first data).

Every backward is an op whose own gradient rule is written with these ops:
all are linear in each input, so second derivatives work.  Ops whose output
has the input's shape (the backprop_input ops) take the input shape as an
int32 vector (run time) plus its static shape as the `x_shape` attr.
"""
import numpy as np

from .. import _shapes, _reference as R
from .._shapes import fmt
from .._dtypes import result_dtype, is_float
from ..tensor import Tensor, as_tensor
from ._registry import register, apply


# -- argument and shape checks (also used by the K functions) ------------------

def check_window(op, value, name):
    """An int or a pair of positive ints."""
    pair = _shapes.to_tuple(op, value, 2, name)
    if min(pair) < 1:
        raise ValueError(f'{op}: {name} must be positive, got {pair}')
    return pair


def check_pool_mode(op, mode):
    if mode not in ('max', 'avg'):
        raise ValueError(f"{op}: pool_mode must be 'max' or 'avg', got {mode!r}")
    return mode


def check_float(op, *tensors):
    for t in tensors:
        if not is_float(t.dtype):
            raise ValueError(f'{op}: expects float tensors, got {t.dtype} for shape {fmt(t.shape)}')


def check_rank(op, what, shape):
    if len(shape) != 4:
        raise ValueError(f'{op}: {what} must have rank 4, got shape {fmt(shape)}')


def conv_out_hw(op, x_shape, kernel_hw, strides, padding, dilation, spatial=(1, 2),
                kernel_shape=None):
    """Output spatial sizes; ValueError when a 'valid' window exceeds the input."""
    out = []
    for axis, k, s, d in zip(spatial, kernel_hw, strides, dilation):
        length = x_shape[axis]
        span = (k - 1) * d + 1
        if padding == 'valid' and length is not None and length < span:
            what = (f'kernel {fmt(kernel_shape)} (dilated window {span})'
                    if kernel_shape is not None else f'pool size {fmt(kernel_hw)}')
            raise ValueError(f"{op}: the {what} is larger than the input {fmt(x_shape)} "
                             "with 'valid' padding")
        out.append(_shapes.conv_output_length(length, k, padding, s, d))
    return tuple(out)


def check_conv(op, x_shape, k_shape, channel_axis=3):
    """Ranks, a known kernel window and matching channels of x and kernel."""
    check_rank(op, 'the input', x_shape)
    check_rank(op, 'the kernel', k_shape)
    if k_shape[0] is None or k_shape[1] is None:
        raise ValueError(f'{op}: the kernel window must be known, got kernel shape {fmt(k_shape)}')
    c, kc = x_shape[channel_axis], k_shape[2]
    if c is not None and kc is not None and c != kc:
        raise ValueError(f'{op}: the input {fmt(x_shape)} has {c} channels but the kernel '
                         f'{fmt(k_shape)} expects {kc} input channels')


def _pads(x_shape, ksize, strides, padding, dilation):
    return tuple(_shapes.conv_pads(int(x_shape[1 + a]), ksize[a], padding, strides[a],
                                   dilation[a]) for a in (0, 1))


def _mul(a, b):
    return None if a is None or b is None else a * b


# -- conv2d and depthwise_conv2d ----------------------------------------------------

# name -> (reference forward, backward input, backward kernel, output channels)
_FAMILY = {
    'conv2d': (R.conv2d_forward, R.conv2d_backward_input, R.conv2d_backward_kernel,
               lambda c, k: k[3]),
    'depthwise_conv2d': (R.depthwise_conv2d_forward, R.depthwise_conv2d_backward_input,
                         R.depthwise_conv2d_backward_kernel, lambda c, k: _mul(c, k[3])),
}


def _conv_infer(family):
    out_channels = _FAMILY[family][3]

    def infer(inputs, strides, padding, dilation):
        x, w = inputs
        check_conv(family, x.shape, w.shape)
        c = x.shape[3] if x.shape[3] is not None else w.shape[2]
        hw = conv_out_hw(family, x.shape, w.shape[:2], strides, padding, dilation,
                         kernel_shape=w.shape)
        return (x.shape[0],) + hw + (out_channels(c, w.shape),), result_dtype(x.dtype, w.dtype)
    return infer


def _conv_forward(family):
    ref = _FAMILY[family][0]

    def forward(x, w, strides, padding, dilation):
        pads = _pads(x.shape, w.shape[:2], strides, padding, dilation)
        return ref(x, w, strides, pads, dilation)
    return forward


def _bpi_infer(family):
    out_channels = _FAMILY[family][3]
    op = family + '_backprop_input'

    def infer(inputs, x_shape, strides, padding, dilation):
        g, w, shape = inputs
        check_conv(op, x_shape, w.shape)
        check_rank(op, 'the gradient', g.shape)
        if shape.shape not in ((4,), (None,)):
            raise ValueError(f'{op}: the input shape must be a vector of 4 ints, '
                             f'got a tensor of shape {fmt(shape.shape)}')
        c = x_shape[3] if x_shape[3] is not None else w.shape[2]
        hw = conv_out_hw(op, x_shape, w.shape[:2], strides, padding, dilation,
                         kernel_shape=w.shape)
        expected = (x_shape[0],) + hw + (out_channels(c, w.shape),)
        if not all(a is None or b is None or a == b for a, b in zip(expected, g.shape)):
            raise ValueError(f'{op}: the gradient {fmt(g.shape)} does not fit an input of shape '
                             f'{fmt(x_shape)} and kernel {fmt(w.shape)}: expected {fmt(expected)}')
        full = tuple(a if a is not None else b for a, b in zip(x_shape, (g.shape[0], None, None, c)))
        return full, result_dtype(g.dtype, w.dtype)
    return infer


def _bpi_forward(family):
    ref = _FAMILY[family][1]

    def forward(g, w, shape, x_shape, strides, padding, dilation):
        shape = tuple(int(d) for d in shape)
        pads = _pads(shape, w.shape[:2], strides, padding, dilation)
        return ref(g, w, shape, strides, pads, dilation)
    return forward


def _bpk_infer(family):
    op = family + '_backprop_kernel'

    def infer(inputs, kernel_size, strides, padding, dilation):
        x, g = inputs
        check_rank(op, 'the input', x.shape)
        check_rank(op, 'the gradient', g.shape)
        c, o = x.shape[3], g.shape[3]
        if family == 'conv2d':
            k_shape = kernel_size + (c, o)
        else:
            if c is not None and o is not None and o % c:
                raise ValueError(f'{op}: the gradient {fmt(g.shape)} has {o} channels, not a '
                                 f'multiple of the {c} channels of the input {fmt(x.shape)}')
            k_shape = kernel_size + (c, None if c is None or o is None else o // c)
        hw = conv_out_hw(op, x.shape, kernel_size, strides, padding, dilation,
                         kernel_shape=k_shape)
        for a, b in zip((x.shape[0],) + hw, g.shape[:3]):
            if a is not None and b is not None and a != b:
                raise ValueError(f'{op}: the gradient {fmt(g.shape)} does not fit the input '
                                 f'{fmt(x.shape)} and a {kernel_size} kernel')
        return k_shape, result_dtype(x.dtype, g.dtype)
    return infer


def _bpk_forward(family):
    ref = _FAMILY[family][2]

    def forward(x, g, kernel_size, strides, padding, dilation):
        c = x.shape[3]
        o = g.shape[3] if family == 'conv2d' else g.shape[3] // max(c, 1)
        pads = _pads(x.shape, kernel_size, strides, padding, dilation)
        return ref(x, g, kernel_size + (c, o), strides, pads, dilation)
    return forward


def _conv_attrs(node):
    return {k: node.attrs[k] for k in ('strides', 'padding', 'dilation')}


def _conv_grad(family):
    def grad(n, g, needs):
        x, w = n.inputs
        attrs = _conv_attrs(n)
        return [apply(family + '_backprop_input', g, w, apply('shape_of', x), x_shape=x.shape,
                      **attrs) if needs[0] else None,
                apply(family + '_backprop_kernel', x, g, kernel_size=w.shape[:2], **attrs)
                if needs[1] else None]
    return grad


def _bpi_grad(family):
    # out = B(g, w) with <B(g, w), u> = <g, conv(u, w)>.
    def grad(n, gg, needs):
        g, w, _ = n.inputs
        attrs = _conv_attrs(n)
        return [apply(family, gg, w, **attrs) if needs[0] else None,
                apply(family + '_backprop_kernel', gg, g, kernel_size=w.shape[:2], **attrs)
                if needs[1] else None,
                None]
    return grad


def _bpk_grad(family):
    # out = K(x, g) with <K(x, g), v> = <g, conv(x, v)>.
    def grad(n, gg, needs):
        x, g = n.inputs
        attrs = _conv_attrs(n)
        return [apply(family + '_backprop_input', g, gg, apply('shape_of', x), x_shape=x.shape,
                      **attrs) if needs[0] else None,
                apply(family, x, gg, **attrs) if needs[1] else None]
    return grad


for _family in _FAMILY:
    register(_family, _conv_infer(_family), _conv_forward(_family), _conv_grad(_family))
    register(_family + '_backprop_input', _bpi_infer(_family), _bpi_forward(_family),
             _bpi_grad(_family))
    register(_family + '_backprop_kernel', _bpk_infer(_family), _bpk_forward(_family),
             _bpk_grad(_family))

def shape_vector(dims):
    """An int32 vector tensor from ints and scalar int tensors."""
    if not any(isinstance(d, Tensor) for d in dims):
        return as_tensor(np.array(dims, dtype='int32'))
    parts = []
    for d in dims:
        if isinstance(d, Tensor):
            if d.shape not in ((), (1,)):
                raise ValueError(f'conv2d_transpose: output_shape entries must be scalars, '
                                 f'got a tensor of shape {fmt(d.shape)}')
            d = apply('reshape', d, shape=(1,))
            if d.dtype != 'int32':
                d = apply('cast', d, dtype='int32')
            parts.append(d)
        else:
            parts.append(as_tensor(np.array([d], dtype='int32')))
    return apply('concatenate', *parts, axis=0)

