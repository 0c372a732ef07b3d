"""Activations, losses and normalisation (Keras-2 nn functions).

Composed from the op table; softmax, log_softmax, elu and in_top_k are
primitives of their own (ops/nn.py).  Fused primitives (ops/fused.py):
bias_add, bias_add + relu (K.relu of a bias_add node), the crossentropies on
logits (also used, as in Keras 2.3's TensorFlow backend, when the output is
the result of a softmax or sigmoid node) and dropout.
"""
import numpy as np

from . import _shapes, config
from ._shapes import fmt, channel_axis
from ._dtypes import is_float
from .tensor import Tensor, as_tensor, as_operands
from .ops import apply
from .core import cast
from .random import _seed
from .math import (sum as _sum, log, square, maximum, minimum,
                   clip, greater, _float)

_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


def _like(value, ref):
    """value as a tensor of ref's dtype (numbers and arrays adopt it; tensors are cast)."""
    value = as_operands(ref, value)[1]
    return value if value.dtype == ref.dtype else cast(value, ref.dtype)


def _check_same_shape(fn, target, output):
    a, b = target.shape, output.shape
    if len(a) != len(b) or any(p is not None and q is not None and p != q for p, q in zip(a, b)):
        raise ValueError(f'{fn}: target shape {fmt(a)} and output shape {fmt(b)} are not '
                         'compatible')


def _check_broadcasts_into(fn, name, p_shape, x_shape):
    """p must broadcast against x without growing it."""
    ok = len(p_shape) <= len(x_shape) and all(
        p is None or p == 1 or q is None or p == q
        for p, q in zip(p_shape[::-1], x_shape[::-1]))
    if not ok:
        raise ValueError(f'{fn}: {name} of shape {fmt(p_shape)} does not broadcast to x of '
                         f'shape {fmt(x_shape)}')


# -- activations ------------------------------------------------------------------

def relu(x, alpha=0., max_value=None, threshold=0.):
    """Rectified linear unit, with optional leak, cap and threshold.

    `max(x, 0)` by default; otherwise `max_value` for `x >= max_value`, `x` for
    `threshold <= x < max_value` and `alpha * (x - threshold)` below the
    threshold. NaN propagates.

    Arguments:
        x: a tensor.
        alpha: the slope below the threshold.
        max_value: the largest output, or None.
        threshold: the threshold.

    Returns:
        A float tensor of the same shape.
    """
    x = _float(x)
    if alpha == 0 and max_value is None and threshold == 0 and x.op == 'bias_add':
        # Dense/Conv(activation='relu'): bias and relu in one pass each way.
        return apply('bias_add_relu', *x.inputs, **x.attrs)
    if alpha == 0 and max_value is None and threshold == 0 and x.op == 'conv2d_bias':
        # Conv2D(activation='relu'): keep bias + relu fused, the backward pass
        # then gets the bias gradient from the relu backward's own pass.
        cx, kernel, bias = x.inputs
        attrs = x.attrs
        axis = channel_axis(attrs.get('data_format', 'channels_last'), 4)
        return apply('bias_add_relu', apply('conv2d', cx, kernel, **attrs), bias, axis=axis)
    negative = None
    if alpha != 0:
        negative = apply('relu', (threshold - x) if threshold != 0 else -x)
    if threshold != 0:
        y = x * cast(greater(x, threshold), x.dtype)
    else:
        y = apply('relu', x)
    if max_value is not None:
        # As Keras: clipped to [0, max_value] (this also zeroes x in (threshold, 0)).
        y = minimum(maximum(y, 0.), max(float(max_value), 0.))
    if negative is not None:
        y = y - alpha * negative
    return y


def elu(x, alpha=1.):
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Arguments:
        x: a tensor.
        alpha: the scale of the negative part.

    Returns:
        A float tensor of the same shape.
    """
    return apply('elu', _float(x), alpha=float(alpha))


def selu(x):
    """Scaled exponential linear unit (Klambauer et al., 2017).

    `scale * elu(x, alpha)` with the constants that keep activations
    normalized.

    Arguments:
        x: a tensor.

    Returns:
        A float tensor of the same shape.
    """
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


def softmax(x, axis=-1):
    """Softmax along an axis: `exp(x) / sum(exp(x))`, computed stably.

    Arguments:
        x: a tensor.
        axis: the axis to normalize over.

    Returns:
        A float tensor of the same shape.

    Raises:
        ValueError: if the axis is out of range.
    """
    x = _float(x)
    return apply('softmax', x, axis=_shapes.normalize_axis('softmax', axis, len(x.shape)))


def softplus(x):
    """Softplus: `log(exp(x) + 1)`, without overflow.

    Arguments:
        x: a tensor.

    Returns:
        A float tensor of the same shape.
    """
    return apply('softplus', _float(x))


def softsign(x):
    """Softsign: `x / (abs(x) + 1)`.

    Arguments:
        x: a tensor.

    Returns:
        A float tensor of the same shape.
    """
    x = _float(x)
    return x / (apply('abs', x) + 1.)


def sigmoid(x):
    """The logistic sigmoid, `1 / (1 + exp(-x))`, element-wise.

    Arguments:
        x: a tensor.

    Returns:
        A float tensor of the same shape.
    """
    return apply('sigmoid', _float(x))


def hard_sigmoid(x):
    """A piecewise linear sigmoid: `0.2 * x + 0.5` clipped to [0, 1].

    Arguments:
        x: a tensor.

    Returns:
        A float tensor of the same shape.
    """
    x = _float(x)
    return clip(x * 0.2 + 0.5, 0., 1.)


def tanh(x):
    """Element-wise hyperbolic tangent.

    Arguments:
        x: a tensor.

    Returns:
        A float tensor of the same shape.
    """
    return apply('tanh', _float(x))


# -- losses ------------------------------------------------------------------------

def _logits_of(output, op, axis=None):
    """The logits when output is the result of softmax (on axis) or sigmoid."""
    if output.op == op and (axis is None or output.attrs.get('axis') == axis):
        return output.inputs[0]
    return None


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """The categorical crossentropy between one-hot (or soft) targets and an
    output.

    `-sum(target * log(output))` along `axis`. Probabilities are renormalized
    along the axis and clipped to `[epsilon, 1 - epsilon]`; logits, and the
    output of a softmax along the axis (whose input is used instead, as Keras
    2.3 does with TensorFlow), go through a fused, stable kernel.

    Arguments:
        target: a tensor of the same shape as `output`.
        output: probabilities (or logits with `from_logits`).
        from_logits: whether `output` holds logits.
        axis: the class axis.

    Returns:
        A tensor of `output`'s shape without the class axis.

    Raises:
        ValueError: if the shapes differ or the axis is out of range.
    """
    output = _float(output)
    target = _like(target, output)
    _check_same_shape('categorical_crossentropy', target, output)
    axis = _shapes.normalize_axis('categorical_crossentropy', axis, len(output.shape))
    logits = output if from_logits else _logits_of(output, 'softmax', axis)
    if logits is not None:
        return apply('softmax_cross_entropy', target, logits, axis=axis)
    output = output / _sum(output, axis, keepdims=True)
    eps = config.epsilon()
    output = clip(output, eps, 1. - eps)
    return -_sum(target * log(output), axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """The categorical crossentropy with integer class labels as targets.

    As in Keras, the class axis is moved last, the labels are flattened and
    matched with the rows of `output`.

    Arguments:
        target: an integer tensor of class indices (`(batch,)` or
            `(batch, 1)` for a `(batch, classes)` output).
        output: probabilities (or logits with `from_logits`).
        from_logits: whether `output` holds logits.
        axis: the class axis of `output`.

    Returns:
        A tensor of `output`'s shape without the class axis.

    Raises:
        ValueError: if the number of classes is unknown, the target is not
            integer-valued, or the counts of labels and rows differ.
    """
    fn = 'sparse_categorical_crossentropy'
    output = _float(output)
    target = as_tensor(target)
    nd = len(output.shape)
    if nd < 1:
        raise ValueError(f'{fn}: output must have rank >= 1, got shape {fmt(output.shape)}')
    axis = _shapes.normalize_axis(fn, axis, nd)
    if not from_logits:
        logits = _logits_of(output, 'softmax', axis)
        if logits is not None:
            output, from_logits = logits, True
    if axis != nd - 1:
        perm = tuple(i for i in range(nd) if i != axis) + (axis,)
        output = apply('transpose', output, perm=perm)
    classes = output.shape[-1]
    if classes is None:
        raise ValueError(f'{fn}: the number of classes (axis {axis} of output shape '
                         f'{fmt(output.shape)}) must be known')
    if not (target.dtype.startswith('int') or target.dtype.startswith('uint') or
            is_float(target.dtype)):
        raise ValueError(f'{fn}: target must hold class indices, got dtype {target.dtype}')
    rows = _shapes.num_elements(output.shape[:-1])
    labels = _shapes.num_elements(target.shape)
    if rows is not None and labels is not None and rows != labels:
        raise ValueError(f'{fn}: target of shape {fmt(target.shape)} holds {labels} labels but '
                         f'output of shape {fmt(output.shape)} has {rows} rows of {classes} classes')
    if not from_logits:
        eps = config.epsilon()
        output = log(clip(output, eps, 1. - eps))
    logits = apply('reshape', output, shape=(-1, classes))
    labels = apply('reshape', cast(target, 'int64'), shape=(-1,))
    res = apply('sparse_softmax_cross_entropy', labels, logits)
    if nd >= 3:
        # output[..., 0] has exactly the result's shape, unknown dims included.
        res = apply('reshape_like', res, apply('getitem', output, index=(Ellipsis, 0)))
    return res


def binary_crossentropy(target, output, from_logits=False):
    """The binary crossentropy between targets in [0, 1] and an output, element
    by element.

    Probabilities are clipped to `[epsilon, 1 - epsilon]` and turned into
    logits (the output of a sigmoid gives its input instead, as Keras 2.3 does
    with TensorFlow); the loss is then computed stably from the logits.

    Arguments:
        target: a tensor of the same shape as `output`.
        output: probabilities (or logits with `from_logits`).
        from_logits: whether `output` holds logits.

    Returns:
        A tensor of the same shape.

    Raises:
        ValueError: if the shapes differ.
    """
    output = _float(output)
    target = _like(target, output)
    _check_same_shape('binary_crossentropy', target, output)
    if not from_logits:
        logits = _logits_of(output, 'sigmoid')
        if logits is not None:
            output = logits
        else:
            eps = config.epsilon()
            output = clip(output, eps, 1. - eps)
            output = log(output / (1. - output))
    return apply('sigmoid_cross_entropy', target, output)


# -- dropout, normalisation, top-k --------------------------------------------------

def dropout(x, level, noise_shape=None, seed=None):
    """Inverted dropout: entries are zeroed with probability `level`, the others
    scaled by `1 / (1 - level)`.

    A new mask is drawn at each evaluation; the sequence of masks is the same
    for the same seed, whatever the thread count.

    Arguments:
        x: a tensor.
        level: a Python number in [0, 1), the drop probability.
        noise_shape: a tuple, the shape of the mask (broadcast over `x`); None
            entries follow `x`'s size.
        seed: an int, the random seed.

    Returns:
        A float tensor of the same shape.

    Raises:
        ValueError: if `level` is not a number in [0, 1) or `noise_shape` does
            not broadcast to `x`.
    """
    x = _float(x)
    nd = len(x.shape)
    if isinstance(level, (Tensor, bool)) or not isinstance(level, (int, float, np.number)):
        raise ValueError(f'dropout: level must be a Python number in [0, 1), got {level!r}')
    level = float(level)
    if not 0. <= level < 1.:
        raise ValueError(f'dropout: level must be in [0, 1), got {level}')
    if noise_shape is None:
        noise = (None,) * nd
    else:
        if isinstance(noise_shape, Tensor):
            raise ValueError('dropout: noise_shape must be a tuple (of ints, None or scalar '
                             f'shape tensors), got the tensor {noise_shape!r}')
        noise = tuple(None if d is None or isinstance(d, Tensor)
                      else _shapes.as_int('dropout', 'noise_shape entry', d) for d in noise_shape)
        # A size other than 1 must match x's, so it must be known for x too.
        if len(noise) != nd or any(d is not None and d != 1 and d != x.shape[i]
                                   for i, d in enumerate(noise)):
            raise ValueError(f'dropout: noise_shape {fmt(noise)} does not broadcast to x of '
                             f'shape {fmt(x.shape)}')
    if level == 0.:
        return apply('identity', x)
    from .ops.fused import DropoutCounter
    # A mask of size 1 along an axis is shared along it (x's size 1 too: no difference).
    shared = tuple(i for i, d in enumerate(noise) if d == 1)
    key = apply('dropout_key', seed=_seed('dropout', seed), counter=DropoutCounter())
    return apply('dropout', x, key, level=level, shared_axes=shared)


def l2_normalize(x, axis=None):
    """`x` divided by its L2 norm along an axis (at least 1e-6).

    Arguments:
        x: a tensor.
        axis: the axis (or axes) of the norm; None for all.

    Returns:
        A float tensor of the same shape.
    """
    x = _float(x)
    norm2 = _sum(square(x), axis, keepdims=True)
    return x / apply('sqrt', maximum(norm2, 1e-12))


def in_top_k(predictions, targets, k):
    """Whether each target is among the `k` largest predictions of its row.

    Ties at the boundary count as in, as in TensorFlow.

    Arguments:
        predictions: a `(batch, classes)` float tensor.
        targets: a `(batch,)` integer tensor of class indices.
        k: an int.

    Returns:
        A `(batch,)` bool tensor.
    """
    predictions = _float(predictions)
    targets = as_tensor(targets)
    return apply('in_top_k', predictions, targets, k=_shapes.as_int('in_top_k', 'k', k))


def _add_bias(x, bias, axis):
    """x + bias (rank 1) along channel `axis`, as one node: conv2d_bias when x
    is a 2D conv with its channels there (the conv kernel starts from the bias,
    no extra pass), else bias_add."""
    if x.op == 'conv2d' and axis == channel_axis(x.attrs.get('data_format', 'channels_last'), 4):
        return apply('conv2d_bias', *x.inputs, bias, **x.attrs)
    return apply('bias_add', x, bias, axis=axis)


def bias_add(x, bias, data_format=None):
    """Adds a bias to a tensor, as the layers do after their product.

    A bias of rank 1 is added along the channel axis (last, or axis 1 of a
    channels-first 3D to 5D `x`); a bias of rank `ndim(x) - 1` gives one value
    per position of a sample.

    Arguments:
        x: a tensor of rank >= 2.
        bias: a tensor of rank 1 or `ndim(x) - 1`.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Returns:
        A float tensor of `x`'s shape.

    Raises:
        ValueError: if the ranks or sizes do not fit.
    """
    data_format = config.normalize_data_format(data_format)
    x = _float(x)
    bias = _like(bias, x)
    nd, bs = len(x.shape), bias.shape
    if nd < 2:
        raise ValueError(f'bias_add: x must have rank >= 2, got shape {fmt(x.shape)}')
    if len(bs) not in (1, nd - 1):
        raise ValueError(f'bias_add: unexpected bias dimensions {len(bs)} (bias shape {fmt(bs)}), '
                         f'expected 1 or {nd - 1} for x of shape {fmt(x.shape)}')
    channels_first = data_format == 'channels_first' and nd in (3, 4, 5)
    if len(bs) == 1:
        axis = 1 if channels_first else nd - 1
        c = x.shape[axis]
        if bs[0] is not None and c is not None and bs[0] != c:
            raise ValueError(f'bias_add: bias of shape {fmt(bs)} does not match the {c} channels '
                             f'(axis {axis}) of x of shape {fmt(x.shape)}')
        return _add_bias(x, bias, axis)
    target = ((bs[-1],) + bs[:-1]) if channels_first else bs
    if any(b is not None and d is not None and b not in (1, d) for b, d in zip(target, x.shape[1:])):
        raise ValueError(f'bias_add: bias of shape {fmt(bs)} does not match x of shape '
                         f'{fmt(x.shape)} ({data_format})')
    if channels_first:
        if target.count(None) > 1:
            raise ValueError(f'bias_add: a channels_first bias of shape {fmt(bs)} needs known dims')
        bias = apply('reshape', bias, shape=(1,) + tuple(-1 if d is None else d for d in target))
    else:
        bias = apply('expand_dims', bias, axes=(0,))
    return x + bias
