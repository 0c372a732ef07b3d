"""In-place optimizer steps as graph nodes.

`optimizer_step(rule, param, slots, grad, scalars)` builds one node that, when
run, rewrites the param and slot variables' arrays in place in one compiled
pass (the rules: _kernels/optim.py RULES).  Its forward changes its inputs,
which it declares (`mutates`): the executor runs such nodes after every other
node of a function (so outputs and assigned values see the old state) and
never lets another node read them.  The node's value is the updated param.

`optimizer_step_covers(rule, param, slots)` says whether the compiled step can
update those variables; where it cannot, an optimizer uses its K-op form.
"""
from .._shapes import fmt, compatible
from .._dtypes import is_float
from ..tensor import Variable, as_tensor
from .._kernels import optim as _kernels
from ._registry import register, apply, NOT_DIFFERENTIABLE

RULES = _kernels.RULES


def _split(inputs, rule):
    n = 1 + len(RULES[rule].slots)
    return inputs[:n], inputs[n], inputs[n + 1:]


def _targets_problem(targets):
    """Why the compiled step cannot rewrite these variables, or None."""
    if not _kernels.AVAILABLE:
        return 'kback_core is not built, so there is no compiled step'
    param = targets[0]
    for t in targets:
        if not isinstance(t, Variable) or not _kernels.covers(t.dtype):
            return (f"'{t.name}' ({t.dtype}) must be a float32 or float64 variable: the step "
                    'rewrites it in place')
        if t.shape != param.shape or t.dtype != param.dtype:
            return (f"slot '{t.name}' {fmt(t.shape)} {t.dtype} does not match param "
                    f"'{param.name}' {fmt(param.shape)} {param.dtype}")
    if len({t.id for t in targets}) != len(targets):
        return 'the param and slots must be distinct variables'
    return None


def _infer(inputs, rule, epsilon, nesterov=False):
    if rule not in RULES:
        raise ValueError(f'optimizer_step: unknown rule {rule!r}; known: {", ".join(RULES)}')
    slots, names = RULES[rule].slots, RULES[rule].scalars
    if len(inputs) != 2 + len(slots) + len(names):
        raise ValueError(f'optimizer_step ({rule}): expects param, {", ".join(slots)}, grad, '
                         f'{", ".join(names)}: {2 + len(slots) + len(names)} inputs, '
                         f'got {len(inputs)}')
    targets, grad, scalars = _split(inputs, rule)
    param = targets[0]
    problem = _targets_problem(targets)
    if problem:
        raise ValueError(f'optimizer_step ({rule}): {problem}')
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


def _mutated(attrs):
    """The param and its slots: the inputs the step rewrites."""
    return range(1 + len(RULES[attrs['rule']].slots))


register('optimizer_step', _infer, _forward, NOT_DIFFERENTIABLE, stateful=True,
         mutates=_mutated)


def optimizer_step_covers(rule, param, slots):
    """Whether the fused step `optimizer_step(rule, param, slots, ...)` can be
    built (kback's own).

    It can for a known rule with its slots, float32 or float64 variables of
    one shape, and kback_core built.

    Arguments:
        rule: the rule's name: `'sgd'`, `'rmsprop'`, `'adagrad'`, `'adam'` or
            `'amsgrad'`.
        param: the parameter variable.
        slots: the list of the optimizer's state variables for it.

    Returns:
        A bool.
    """
    return (rule in RULES and len(slots) == len(RULES[rule].slots)
            and _targets_problem([param] + list(slots)) is None)


def optimizer_step(rule, param, slots, grad, scalars, epsilon=1e-7, nesterov=False):
    """The fused, in-place optimizer update of one parameter (kback's own).

    The parameter and its slots are rewritten in one compiled pass; it is the
    compiled form of the K-op update rules in `kback.optimizers`.

    Arguments:
        rule: the rule's name (see `optimizer_step_covers`).
        param: the parameter variable.
        slots: the state variables the rule keeps (momentum, moments, ...).
        grad: the gradient tensor.
        scalars: the rule's scalars (learning rate, decay rates, ...), tensors
            or numbers.
        epsilon: the fuzz factor of the rules that divide.
        nesterov: with `'sgd'`, whether to use Nesterov momentum.

    Returns:
        The update node, for a `K.function`'s updates.
    """
    scalars = [as_tensor(s) for s in scalars]
    return apply('optimizer_step', param, *slots, grad, *scalars, rule=rule,
                 epsilon=float(epsilon), nesterov=bool(nesterov))
