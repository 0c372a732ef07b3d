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

An op also declares its effects, so that the executor needs to know no op by
name (each is read as `OPS[name].<attr>`):
- mutates(attrs) -> the indices of the inputs (variables) that the forward
  rewrites in place; the executor runs such a node after every other node of
  a function and lets no other node read it.
- early: the node runs as soon as its inputs exist, not at its place in
  creation order (the start of a collective, so it overlaps backprop).
- writes_back = i: the op's value is written into input i (a variable) after
  the call's outputs are computed (Keras's update semantics).
- inplace = indices of the inputs whose array the forward may overwrite with
  its result, given as `forward(*arrays, out=array)`: an elementwise op whose
  result has that input's shape and dtype, and whose result is a new array the
  op keeps no reference to (so a later op may in turn overwrite it).
"""
from ..tensor import Tensor, as_tensor


class OpDef:
    __slots__ = ('name', 'infer', 'forward', 'grad', 'stateful', 'early', 'mutates',
                 'writes_back', 'inplace')

    def __init__(self, name, infer, forward, grad, stateful, early, mutates, writes_back,
                 inplace):
        self.name, self.infer, self.forward, self.grad = name, infer, forward, grad
        # Stateful ops (random draws, assignment) are never folded into constants.
        self.stateful = stateful
        # Early ops (the start of a collective) run as soon as their inputs
        # exist, not at their place in creation order (executor._hoist_early).
        self.early = early
        self.mutates, self.writes_back, self.inplace = mutates, writes_back, tuple(inplace)


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


def register(name, infer, forward, grad=None, stateful=False, early=False, mutates=None,
             writes_back=None, inplace=()):
    if name in OPS:
        raise RuntimeError(f'op {name!r} registered twice')
    OPS[name] = OpDef(name, infer, forward, grad, stateful, early, mutates, writes_back, inplace)


def apply(name, *inputs, **attrs):
    """Build a node of op `name` on `inputs` (tensors; others become constants)."""
    opdef = OPS[name]
    inputs = [x if isinstance(x, Tensor) else as_tensor(x) for x in inputs]
    shape, dtype = opdef.infer(inputs, **attrs)
    return Tensor(name, inputs, attrs, shape, dtype)


def assigned_variable(node):
    """The variable whose new value `node` is (its op declares `writes_back`),
    or None."""
    opdef = OPS.get(node.op) if node.inputs else None
    if opdef is None or opdef.writes_back is None:
        return None
    return node.inputs[opdef.writes_back]


def grad_rule(node):
    opdef = OPS.get(node.op)
    if opdef is None or opdef.grad is None:
        raise NotImplementedError(f"gradients: op '{node.op}' (node '{node.name}') "
                                  'has no gradient rule')
    return opdef.grad
