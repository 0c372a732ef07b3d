"""K.exchange: tensors sent through a channel to other processes and back,
inside a compiled function (ops/exchange.py says what a channel is)."""
from ._shapes import num_elements
from .ops import apply
from .tensor import as_tensor


def exchange(tensors, channel):
    """The tensors after `channel` reduced them across processes, as one
    fused buffer: [t1', t2', ...] shaped like `tensors`.  The collective
    starts as soon as all of `tensors` are computed and is waited for where
    the first result is read.

    Arguments:
        tensors: a list of tensors, packed into one buffer.
        channel: the object that starts and waits for the reduction (a
            `kback.distributed` bucket, with `start` and `wait`).

    Returns:
        A list of tensors shaped like `tensors`.
    """
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        return []
    reduced = apply('exchange_wait', apply('exchange_start', *tensors, channel=channel),
                    channel=channel)
    out, offset = [], 0
    for t in tensors:
        size = num_elements(t.shape)
        piece = apply('getitem', reduced, index=(slice(offset, offset + size),))
        out.append(apply('reshape', piece, shape=t.shape))
        offset += size
    return out
