"""Keras 2.3's higher-order functions map_fn, foldl and foldr.

When the first dimension of elems is known these unroll fn over the
elements: an ordinary graph (differentiable, shapes inferred per step).
map_fn over a first dimension known only at run time (a batch, or
K.arange(K.shape(x)[0])) runs fn in K.rnn's symbolic loop instead; fn may
index other tensors with its element (x[i]) and gradients reach them.
"""
from ._shapes import fmt
from .tensor import as_tensor
from .core import cast
from .rnn import rnn
from .shape import expand_dims, stack


def _elements(fn_name, elems):
    elems = as_tensor(elems)
    if len(elems.shape) == 0:
        raise ValueError(f'{fn_name}: elems must have a first dimension to iterate over, got '
                         f'shape {fmt(elems.shape)}')
    if elems.shape[0] is None:
        raise ValueError(f'{fn_name}: kback unrolls over the first dimension of elems, which '
                         f'must be known; got shape {fmt(elems.shape)}')
    return [elems[i] for i in range(elems.shape[0])]


def map_fn(fn, elems, name=None, dtype=None):
    """Applies `fn` to each element of `elems` (along axis 0) and stacks the
    results: stack([fn(elems[0]), fn(elems[1]), ...]).  When the first
    dimension is known only at run time, the elements are mapped in K.rnn's
    loop.

    Arguments:
        fn: a function of one tensor, written in K ops.
        elems: a tensor.
        name: ignored (accepted as in Keras).
        dtype: the dtype of the result (default: `fn`'s output's).

    Returns:
        A tensor.
    """
    elems = as_tensor(elems)
    if len(elems.shape) > 0 and elems.shape[0] is None:
        return _mapped_in_a_loop(fn, elems, dtype)
    outs = [as_tensor(fn(e)) for e in _elements('map_fn', elems)]
    if not outs:
        raise ValueError('map_fn: elems has no elements')
    if dtype is not None:
        outs = [cast(o, dtype) for o in outs]
    return stack(outs)


def _mapped_in_a_loop(fn, elems, dtype):
    # The elements become the timesteps of a batch of one, with a trailing
    # axis so that even scalars meet rnn's (batch, time, ...) rank.
    def step(x, states):
        out = as_tensor(fn(x[0, ..., 0]))
        return expand_dims(out if dtype is None else cast(out, dtype), 0), []

    _, outputs, _ = rnn(step, expand_dims(expand_dims(elems, 0), -1), [])
    return outputs[0]


def _fold(fn_name, fn, items, initializer):
    if initializer is None:
        if not items:
            raise ValueError(f'{fn_name}: elems has no elements and no initializer was given')
        acc, items = items[0], items[1:]
    else:
        acc = initializer
    for x in items:
        acc = fn(acc, x)
    return acc


def foldl(fn, elems, initializer=None, name=None):
    """Reduces `elems` from the first element to the last with `fn`.

    `fn(...fn(fn(initializer, elems[0]), elems[1])...)`.

    Arguments:
        fn: a function `(accumulator, element) -> accumulator` in K ops.
        elems: a tensor with a known first dimension.
        initializer: the first accumulator (default: `elems[0]`, then the fold
            starts at `elems[1]`).
        name: ignored (accepted as in Keras).

    Returns:
        A tensor, the last accumulator.
    """
    return _fold('foldl', fn, _elements('foldl', elems), initializer)


def foldr(fn, elems, initializer=None, name=None):
    """Reduces `elems` from the last element to the first with `fn`.

    Arguments:
        fn: a function `(accumulator, element) -> accumulator` in K ops.
        elems: a tensor with a known first dimension.
        initializer: the first accumulator (default: `elems[-1]`).
        name: ignored (accepted as in Keras).

    Returns:
        A tensor, the last accumulator.
    """
    return _fold('foldr', fn, _elements('foldr', elems)[::-1], initializer)
