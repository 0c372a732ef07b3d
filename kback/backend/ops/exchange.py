"""Exchanging values with other processes inside a compiled function.

A `channel` (an attr, e.g. one gradient bucket of kback.distributed) does
the communication; the backend knows only its two methods:
- `channel.start(arrays)` packs the arrays into one flat buffer, starts a
  non-blocking collective on it and returns the buffer it will fill;
- `channel.wait(buffer)` waits for that collective and returns the result,
  flat, shaped and typed like the buffer.
`exchange_start` is an `early` op: the executor runs it as soon as its inputs
exist, so the collective overlaps whatever the function computes until the
`exchange_wait` that reads it.  The channel must reduce linearly (a sum or an
average over processes): the gradient of such an exchange is the same
exchange of the incoming gradient.
"""
from .._shapes import fmt, num_elements
from ._registry import register, apply


def _start_infer(inputs, channel):
    dtype = inputs[0].dtype
    sizes = [num_elements(x.shape) for x in inputs]
    if any(x.dtype != dtype for x in inputs) or None in sizes:
        raise ValueError('exchange: the tensors of one channel need one dtype and known '
                         'shapes, got ' + ', '.join(f'{fmt(x.shape)} {x.dtype}' for x in inputs))
    return (sum(sizes),), dtype


def _start_grad(node, g, needs):
    grads, offset = [], 0
    for x in node.inputs:
        size = num_elements(x.shape)
        piece = apply('getitem', g, index=(slice(offset, offset + size),))
        grads.append(apply('reshape', piece, shape=x.shape))
        offset += size
    return grads


def _wait_grad(node, g, needs):
    channel = node.attrs['channel']
    return [apply('exchange_wait', apply('exchange_start', g, channel=channel),
                  channel=channel)]


register('exchange_start', _start_infer, lambda *arrays, channel: channel.start(arrays),
         _start_grad, stateful=True, early=True)
register('exchange_wait', lambda inputs, channel: (inputs[0].shape, inputs[0].dtype),
         lambda buffer, channel: channel.wait(buffer), _wait_grad, stateful=True)
