"""The op table: each primitive declared once with its shape/dtype inference,
forward and gradient rule.

- infer(inputs, **attrs) -> (shape, dtype); raises ValueError naming the op.
- forward(*arrays, **attrs) -> array, on compute-dtype numpy arrays.
- grad(node, g, needs) -> one entry per input (a Tensor or None), written with
  K ops so that gradients are graph nodes and can be differentiated again.
  `needs[i]` says whether input i wants a gradient.  A rule may instead be,
  or return, `ByFormula(formula)`: the gradient is then that of
  `formula(*node.inputs, **node.attrs)`, written with K ops, which autodiff
  differentiates (the op layer sits below autodiff and cannot call it).
"""
from ..tensor import Tensor, as_tensor


class OpDef:
    __slots__ = ('name', 'infer', 'forward', 'grad', 'stateful', 'early')

    def __init__(self, name, infer, forward, grad, stateful, early):
        self.name, self.infer, self.forward, self.grad = name, infer, forward, grad
        # Stateful ops (random draws, assignment) are never folded into constants.
        self.stateful = stateful
        # Early ops (the start of a collective) run as soon as their inputs
        # exist, not at their place in creation order (executor._hoist_early).
        self.early = early


OPS = {}


def NOT_DIFFERENTIABLE(node, g, needs):
    """For ops whose outputs are piecewise constant (comparisons, argmax...)."""
    return [None] * len(node.inputs)


class ByFormula:
    """A gradient rule that defers to the formula the op computes."""
    __slots__ = ('formula',)

    def __init__(self, formula):
        self.formula = formula

    def __call__(self, node, g, needs):
        return self


def register(name, infer, forward, grad=None, stateful=False, early=False):
    if name in OPS:
        raise RuntimeError(f'op {name!r} registered twice')
    OPS[name] = OpDef(name, infer, forward, grad, stateful, early)


def apply(name, *inputs, **attrs):
    """Build a node of op `name` on `inputs` (tensors; others become constants)."""
    opdef = OPS[name]
    inputs = [x if isinstance(x, Tensor) else as_tensor(x) for x in inputs]
    shape, dtype = opdef.infer(inputs, **attrs)
    return Tensor(name, inputs, attrs, shape, dtype)


def grad_rule(node):
    opdef = OPS.get(node.op)
    if opdef is None or opdef.grad is None:
        raise NotImplementedError(f"gradients: op '{node.op}' (node '{node.name}') "
                                  'has no gradient rule')
    return opdef.grad
