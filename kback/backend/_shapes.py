"""Shape arithmetic in one place: broadcasting, axes, conv/pool geometry.

Ops, kernel wrappers and layers all call these.  A dimension is an int or None
(unknown until run time).  Errors name the op and the shapes at fault.
"""
import numbers
from functools import lru_cache
from typing import NamedTuple, Optional


def fmt(shape):
    return '(' + ', '.join('None' if d is None else str(d) for d in shape) + \
        (',)' if len(shape) == 1 else ')')


def broadcast(op, *shapes):
    """Numpy broadcasting of static shapes; None broadcasts with anything."""
    ndim = max(len(s) for s in shapes)
    out = []
    for i in range(ndim):
        dims = [s[i - ndim + len(s)] for s in shapes if i - ndim + len(s) >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(f'{op}: shapes {" and ".join(fmt(s) for s in shapes)} '
                             f'cannot be broadcast together: {" != ".join(map(str, sorted(known)))}')
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def is_int(value):
    """An int or numpy integer; not a bool, float or string (which int() would
    silently truncate or parse)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def as_int(op, name, value, minimum=None):
    """The one check of an int argument (axis, count, factor): ValueError
    naming op and the argument otherwise."""
    if not is_int(value):
        raise ValueError(f'{op}: {name} must be an int, got {value!r} ({type(value).__name__})')
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f'{op}: {name} must be an int >= {minimum}, got {value}')
    return value


def normalize_axis(op, axis, ndim, name='axis'):
    """One axis (may be negative) as a non-negative int, checked against ndim."""
    axis = as_int(op, name, axis)
    if not -ndim <= axis < ndim:
        accepted = f'accepted: {-ndim} to {ndim - 1}' if ndim else 'a scalar has no axes'
        raise ValueError(f'{op}: {name} {axis} is out of range for a tensor of rank {ndim} '
                         f'({accepted})')
    return axis % ndim


def normalize_axes(op, axis, ndim, name='axis'):
    """None (all axes), an int or a list of ints as a sorted tuple of unique axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        axes = {normalize_axis(op, a, ndim, name) for a in axis}
        return tuple(sorted(axes))
    return (normalize_axis(op, axis, ndim, name),)


def check_shape(op, name, shape):
    """A static shape checked as `K.placeholder` and `Input` check it (kback's
    own).

    Arguments:
        op: the name of the calling function, for the message.
        name: the argument's name, for the message.
        shape: a tuple of ints >= 0 or None (unknown sizes).

    Returns:
        The shape as a tuple of ints and None.

    Raises:
        ValueError: if `shape` is not such a tuple.
    """
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is None or not all(d is None or is_int(d) and d >= 0 for d in dims):
        raise ValueError(f'{op}: {name} must be a tuple of ints >= 0 or None (unknown), '
                         f'got {shape!r}')
    return tuple(None if d is None else int(d) for d in dims)


def reduce(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def num_elements(shape):
    n = 1
    for d in shape:
        if d is None:
            return None
        n *= d
    return n


def compatible(static, actual):
    """True when a run-time shape fits a static one (None matches anything)."""
    return len(static) == len(actual) and all(
        s is None or s == a for s, a in zip(static, actual))


def agree(a, b):
    """True when two static shapes may be the same (None matches anything)."""
    return len(a) == len(b) and all(
        m is None or n is None or m == n for m, n in zip(a, b))


def to_tuple(op, value, n, name):
    """An int or a sequence of n ints (Keras's conv_utils.normalize_tuple); a
    float, bool or string is refused, not truncated.  Positivity is the op's
    inference's to check."""
    if is_int(value):
        return (int(value),) * n
    try:
        values = tuple(value)
    except TypeError:
        values = None
    if values is None or len(values) != n or not all(is_int(v) for v in values):
        raise ValueError(f'{op}: {name} must be an int or {n} ints, got {value!r}')
    return tuple(int(v) for v in values)


def check_rank(op, what, shape, rank):
    if len(shape) != rank:
        raise ValueError(f'{op}: {what} must have rank {rank}, got shape {fmt(shape)}')


def check_positive(op, name, values):
    """A window, stride or dilation: positive ints."""
    if min(values) < 1:
        raise ValueError(f'{op}: {name} must be positive, got {tuple(values)}')


def check_data_format(op, data_format):
    """An op's data_format attribute (the K functions normalise None first)."""
    if data_format not in ('channels_last', 'channels_first'):
        raise ValueError(f"{op}: Unknown data_format {data_format!r}: must be 'channels_last' "
                         "or 'channels_first'")


def check_padding(op, padding):
    if padding not in ('valid', 'same'):
        raise ValueError(f"{op}: padding must be 'valid' or 'same', got {padding!r}")


def check_pool_mode(op, mode):
    if mode not in ('max', 'avg'):
        raise ValueError(f"{op}: pool_mode must be 'max' or 'avg', got {mode!r}")


# -- layouts ------------------------------------------------------------------------
# A tensor of rank ndim holds (batch, spatial..., channels) for channels_last and
# (batch, channels, spatial...) for channels_first.

def channel_axis(data_format, ndim):
    """The channel axis of a tensor of rank `ndim` in a data format (kback's own).

    Arguments:
        data_format: `'channels_last'` or `'channels_first'`.
        ndim: the tensor's rank.

    Returns:
        A non-negative int.
    """
    return ndim - 1 if data_format == 'channels_last' else 1


def spatial_axes(data_format, ndim):
    """The spatial axes of a tensor of rank `ndim` in a data format (kback's own).

    Arguments:
        data_format: `'channels_last'` or `'channels_first'`.
        ndim: the tensor's rank.

    Returns:
        A tuple of ints.
    """
    first = 1 if data_format == 'channels_last' else 2
    return tuple(range(first, first + ndim - 2))


def layout_shape(data_format, batch, spatial, channels):
    """A shape in a data format's layout, from its parts (kback's own).

    Arguments:
        data_format: `'channels_last'` or `'channels_first'`.
        batch: the batch size (or None).
        spatial: the spatial sizes.
        channels: the number of channels.

    Returns:
        A shape tuple.
    """
    if data_format == 'channels_last':
        return (batch,) + tuple(spatial) + (channels,)
    return (batch, channels) + tuple(spatial)


# -- conv/pool geometry ---------------------------------------------------------------
# One window slides over each spatial axis: span (k - 1) * dilation + 1, a
# stride, and explicit pads; 'valid' pads nothing, 'same' keeps ceil(length /
# stride) outputs with TensorFlow's split (the odd pixel goes after), 'full'
# pads span - 1 on both sides.

def axis_pads(length, kernel, padding, stride, dilation=1):
    """(before, after) padding of one spatial axis."""
    if padding == 'valid':
        return 0, 0
    span = (kernel - 1) * dilation + 1
    if padding == 'same':
        total = max(((length + stride - 1) // stride - 1) * stride + span - length, 0)
        return total // 2, total - total // 2
    if padding == 'full':
        return span - 1, span - 1
    raise ValueError(f'unknown padding {padding!r}')


def padded_output_length(length, kernel, stride, pads, dilation=1):
    """The number of window positions on a padded axis: THE output-size formula
    (negative when the window does not fit)."""
    return (length + pads[0] + pads[1] - (kernel - 1) * dilation - 1) // stride + 1


def conv_output_length(length, kernel, padding, stride, dilation=1):
    """The output size of a convolution or pooling along one axis.

    The same as Keras's `conv_utils.conv_output_length`.

    Arguments:
        length: the input size, or None.
        kernel: the window size.
        padding: `'valid'`, `'same'` or `'full'`.
        stride: the step.
        dilation: the dilation rate.

    Returns:
        An int (0 when a `'valid'` window does not fit), or None for an unknown
        length.

    Raises:
        ValueError: for an unknown padding.
    """
    if length is None:
        return None
    pads = axis_pads(length, kernel, padding, stride, dilation)
    return max(padded_output_length(length, kernel, stride, pads, dilation), 0)


def deconv_output_length(length, kernel, padding, stride, output_padding=None, dilation=1):
    """The output size of a transposed convolution along one axis.

    The same as Keras's `conv_utils.deconv_length`: the inverse of
    `conv_output_length`.

    Arguments:
        length: the input size, or None.
        kernel: the window size.
        padding: `'valid'`, `'same'` or `'full'`.
        stride: the step.
        output_padding: the extra size on one side, or None for the largest
            output that fits.
        dilation: the dilation rate.

    Returns:
        An int, or None for an unknown length.
    """
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if output_padding is None:
        if padding == 'valid':
            return length * stride + max(span - stride, 0)
        if padding == 'full':
            return length * stride - (stride + span - 2)
        return length * stride
    pad = {'same': span // 2, 'valid': 0, 'full': span - 1}[padding]
    return (length - 1) * stride + span - 2 * pad + output_padding


class ConvGeometry(NamedTuple):
    """A conv or pool of an input in a data format: `pads` holds (before,
    after) per spatial axis, None on axes of unknown length."""
    batch: Optional[int]
    channels: Optional[int]
    in_spatial: tuple
    out_spatial: tuple
    pads: tuple


@lru_cache(maxsize=1024)
def conv_geometry(op, x_shape, window, strides, padding, dilation, data_format,
                  what='window', what_shape=None):
    """The geometry of a window of spatial size `window` (1 to 3 axes) sliding
    over x, from an op's attrs ('valid' or 'same' padding), all checked:
    ValueError naming op, e.g. when a 'valid' window is larger than the input
    (`what` and `what_shape` name the window in that message: 'kernel' and its
    shape, 'pool size'; the window by default).  Serves conv, depthwise,
    transposed conv (its input gradient) and pooling of any rank, so each
    computes its output size here.  Arguments are tuples and strings: results
    are cached, as graph building and every training step meet the same few
    shapes again."""
    rank = len(window)
    if len(x_shape) != rank + 2:
        check_rank(op, 'the input', x_shape, rank + 2)
    if data_format == 'channels_last':
        batch, in_spatial, channels = x_shape[0], tuple(x_shape[1:-1]), x_shape[-1]
    elif data_format == 'channels_first':
        batch, channels, in_spatial = x_shape[0], x_shape[1], tuple(x_shape[2:])
    else:
        check_data_format(op, data_format)
    if padding not in ('valid', 'same'):
        check_padding(op, padding)
    if min(strides) < 1:
        check_positive(op, 'strides', strides)
    if min(dilation) < 1:
        check_positive(op, 'dilation', dilation)
    out, pads = [], []
    for length, k, s, d in zip(in_spatial, window, strides, dilation):
        if length is None:
            out.append(None)
            pads.append(None)
            continue
        p = (0, 0) if padding == 'valid' else axis_pads(length, k, padding, s, d)
        n = padded_output_length(length, k, s, p, d)
        if n < 1:
            raise ValueError(f'{op}: the {what} {fmt(what_shape or window)} (dilation '
                             f'{tuple(dilation)}, span {(k - 1) * d + 1}) is larger than the '
                             f"input {fmt(x_shape)} with '{padding}' padding")
        out.append(n)
        pads.append(p)
    return ConvGeometry(batch, channels, in_spatial, tuple(out), tuple(pads))

