"""Shape arithmetic in one place: broadcasting, axes, conv/pool sizes, padding.

Ops, kernel wrappers and layers all call these.  A dimension is an int or None
(unknown until run time).  Errors name the op and the shapes at fault.
"""


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


def normalize_axis(op, axis, ndim):
    """One axis (may be negative) as a non-negative int, checked against ndim."""
    try:
        axis = int(axis)
    except TypeError:
        raise ValueError(f'{op}: axis must be an int, got {axis!r}') from None
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f'{op}: axis {axis} is out of range for a tensor of rank {ndim}')
    return axis % ndim if ndim else 0


def normalize_axes(op, axis, ndim):
    """None (all axes), an int or a list of ints as a sorted tuple of unique axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        axes = {normalize_axis(op, a, ndim) for a in axis}
        return tuple(sorted(axes))
    return (normalize_axis(op, axis, ndim),)


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


def to_tuple(op, value, n, name):
    """An int or a sequence of n ints (Keras's conv_utils.normalize_tuple)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        value = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError(f'{op}: {name} must be an int or {n} ints, got {value!r}') from None
    if len(value) != n:
        raise ValueError(f'{op}: {name} must be an int or {n} ints, got {value!r}')
    return value


def check_window(op, value, name, n=2):
    """A window, stride or dilation: an int or n positive ints."""
    window = to_tuple(op, value, n, name)
    if min(window) < 1:
        raise ValueError(f'{op}: {name} must be positive, got {window}')
    return window


def check_data_format(op, data_format):
    """An op's data_format attribute (the K functions normalise None first)."""
    if data_format not in ('channels_last', 'channels_first'):
        raise ValueError(f"{op}: data_format must be 'channels_last' or 'channels_first', "
                         f'got {data_format!r}')


def check_padding(op, padding):
    padding = str(padding).lower()
    if padding not in ('valid', 'same'):
        raise ValueError(f"{op}: padding must be 'valid' or 'same', got {padding!r}")
    return padding


def conv_output_length(length, kernel, padding, stride, dilation=1):
    """Keras's conv_utils.conv_output_length: output size along one axis."""
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if padding == 'same':
        return (length + stride - 1) // stride
    if padding == 'valid':
        return (length - span + stride) // stride if length >= span else 0
    if padding == 'full':
        return (length + span - 1 + stride - 1) // stride
    raise ValueError(f'unknown padding {padding!r}')


def same_pads(length, kernel, stride, dilation=1):
    """(before, after) padding for 'same' along one axis, TensorFlow's split:
    the extra pixel goes after."""
    span = (kernel - 1) * dilation + 1
    out = (length + stride - 1) // stride
    total = max((out - 1) * stride + span - length, 0)
    return total // 2, total - total // 2


def deconv_output_length(length, kernel, padding, stride, output_padding=None, dilation=1):
    """Keras's conv_utils.deconv_length: output size of a transposed conv."""
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


def conv_pads(length, kernel, padding, stride, dilation=1):
    """(before, after) padding of a conv/pool along one axis: TF's split for
    'same', none for 'valid'."""
    if padding == 'same':
        return same_pads(length, kernel, stride, dilation)
    return 0, 0
