"""In-place optimizer steps as graph nodes.

`optimizer_step(rule, param, slots, grad, scalars)` builds one node that, when
run, rewrites the param and slot variables' arrays in place in one fused pass
(see _kernels/optim.py for the rules).  It is the one kind of op whose forward
changes its inputs: the executor runs such nodes after every other node of a
function (so outputs and assigned values see the old state) and never lets
another node read them.  The node's value is the updated param.
"""
from .._shapes import fmt, compatible
from .._dtypes import is_float
from ..tensor import Variable, as_tensor
from .._kernels import optim as _kernels
from ._registry import register, apply, NOT_DIFFERENTIABLE

RULES = _kernels.RULES


def _split(inputs, rule):
    n = 1 + len(RULES[rule][0])
    return inputs[:n], inputs[n], inputs[n + 1:]


def _infer(inputs, rule, epsilon, nesterov=False):
    if rule not in RULES:
        raise ValueError(f'optimizer_step: unknown rule {rule!r}; known: {", ".join(RULES)}')
    slots, names = RULES[rule]
    if len(inputs) != 2 + len(slots) + len(names):
        raise ValueError(f'optimizer_step ({rule}): expects param, {", ".join(slots)}, grad, '
                         f'{", ".join(names)}: {2 + len(slots) + len(names)} inputs, '
                         f'got {len(inputs)}')
    targets, grad, scalars = _split(inputs, rule)
    param = targets[0]
    for t in targets:
        if not isinstance(t, Variable) or t.dtype not in ('float32', 'float64'):
            raise ValueError(f"optimizer_step ({rule}): '{t.name}' ({t.dtype}) must be a "
                             'float32 or float64 variable: the step rewrites it in place')
        if t.shape != param.shape or t.dtype != param.dtype:
            raise ValueError(f"optimizer_step ({rule}): slot '{t.name}' {fmt(t.shape)} {t.dtype} "
                             f"does not match param '{param.name}' {fmt(param.shape)} "
                             f'{param.dtype}')
    if len({t.id for t in targets}) != len(targets):
        raise ValueError(f'optimizer_step ({rule}): the param and slots must be distinct '
                         'variables')
    if not is_float(grad.dtype) or not compatible(grad.shape, param.shape):
        raise ValueError(f'optimizer_step ({rule}): grad {fmt(grad.shape)} {grad.dtype} does '
                         f"not match param '{param.name}' {fmt(param.shape)}")
    for name, s in zip(names, scalars):
        if s.shape != () or not is_float(s.dtype):
            raise ValueError(f'optimizer_step ({rule}): {name} must be a float scalar, got '
                             f'{fmt(s.shape)} {s.dtype}')
    return param.shape, param.dtype


def _forward(*arrays, rule, epsilon, nesterov=False):
    targets, grad, scalars = _split(arrays, rule)
    _kernels.step(rule, targets, grad, scalars, epsilon, nesterov)
    return targets[0]


register('optimizer_step', _infer, _forward, NOT_DIFFERENTIABLE, stateful=True)


def optimizer_step(rule, param, slots, grad, scalars, epsilon=1e-7, nesterov=False):
    """The in-place update node of one param (scalars may be tensors or numbers)."""
    scalars = [as_tensor(s) for s in scalars]
    return apply('optimizer_step', param, *slots, grad, *scalars, rule=rule,
                 epsilon=float(epsilon), nesterov=bool(nesterov))


def inplace_targets(node):
    """The variables an in-place node rewrites, or None for any other node."""
    if node.op != 'optimizer_step':
        return None
    return node.inputs[:1 + len(RULES[node.attrs['rule']][0])]
