"""Ops with several outputs, as PyTorch's `native_batch_norm -> (out, mean,
invstd)`: the fused recurrent loop yields its sequences and the gates its
backward reads, its backward the gradients of every input.

Such an op's infer returns one (shape, dtype) per output and its forward a
tuple.  `apply_multi` builds the node and one `output` node per result; the
graph and the executor see plain single-valued nodes.  Gradients: the rule of
`output` hands its gradient on as an `OutputGrads` holding it at its index;
autodiff adds those with `+` as it adds any gradient, so the op's own rule
receives, once, the gradients of all of its outputs (None where an output
does not reach the loss).
"""
from ..tensor import Tensor, as_tensor
from ._registry import OPS, register, apply


class OutputGrads:
    """The gradients of a multi-output node's outputs (None where none)."""
    __slots__ = ('parts',)

    def __init__(self, parts):
        self.parts = list(parts)

    def __add__(self, other):
        return OutputGrads(a if b is None else b if a is None else a + b
                           for a, b in zip(self.parts, other.parts))


def apply_multi(name, *inputs, **attrs):
    """Build a node of multi-output op `name`; returns its outputs' tensors."""
    inputs = [x if isinstance(x, Tensor) else as_tensor(x) for x in inputs]
    specs = OPS[name].infer(inputs, **attrs)
    node = Tensor(name, inputs, attrs, (), specs[0][1])
    return outputs_of(node, specs)


def outputs_of(node, specs=None):
    """The output tensors of a multi-output node (new `output` nodes: taking
    one is a lookup, so building it twice costs nothing at run time)."""
    specs = OPS[node.op].infer(list(node.inputs), **node.attrs) if specs is None else specs
    return tuple(apply('output', node, index=k, count=len(specs), shape=s, dtype=d)
                 for k, (s, d) in enumerate(specs))


def _output_grad(n, g, needs):
    parts = [None] * n.attrs['count']
    parts[n.attrs['index']] = g
    return [OutputGrads(parts)]


register('output', lambda inputs, index, count, shape, dtype: (shape, dtype),
         lambda values, index, count, shape, dtype: values[index], _output_grad)
