"""In-place optimizer steps as graph nodes.

`optimizer_step(rule, param, slots, grad, scalars)` builds one node that, when
run, rewrites the param and slot variables' arrays in place in one fused pass
(see _kernels/optim.py for the rules).  It is the one kind of op whose forward
changes its inputs: the executor runs such nodes after every other node of a
function (so outputs and assigned values see the old state) and never lets
another node read them.  The node's value is the updated param.

SGD with momentum 0 needs no moment (`v = 0 * m - lr * g` is `-lr * g`), but
Keras keeps it in the optimizer's weights.  A `DeferredMoment` slot skips that
write: the step keeps a reference to its gradient and the slot computes its
value, exactly as the kernel would have, when anything reads it.
"""
import functools
import sys

import numpy as np

from .._shapes import fmt, compatible
from .._dtypes import is_float
from ..tensor import Variable, as_tensor
from .._kernels import optim as _kernels
from ._registry import register, apply, NOT_DIFFERENTIABLE

RULES = _kernels.RULES


def _split(inputs, rule):
    n = 1 + len(RULES[rule][0])
    return inputs[:n], inputs[n], inputs[n + 1:]


def _infer(inputs, rule, epsilon, nesterov=False, defer=False):
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


def _forward(*arrays, rule, epsilon, nesterov=False, defer=False):
    if defer and not nesterov:
        # Only a gradient nothing else holds can be kept for later: one local
        # of the generated code and the call's own references (a fed or
        # variable array, an output, or an array with views has more).
        if _EXCLUSIVE_REFS is not None and sys.getrefcount(arrays[2]) <= _EXCLUSIVE_REFS \
                and float(arrays[4]) == 0. \
                and _kernels.plain_sgd_step(arrays[0], arrays[2], arrays[3]):
            # This moment replaces one still pending (momentum 0: the old
            # moment only enters as 0 * m).
            _pending[id(arrays[1])] = (arrays[1], arrays[2], float(arrays[3]))
            return arrays[0]
        _flush(arrays[1])
    targets, grad, scalars = _split(arrays, rule)
    _kernels.step(rule, targets, grad, scalars, epsilon, nesterov)
    return targets[0]


register('optimizer_step', _infer, _forward, NOT_DIFFERENTIABLE, stateful=True)


def optimizer_step(rule, param, slots, grad, scalars, epsilon=1e-7, nesterov=False):
    """The in-place update node of one param (scalars may be tensors or numbers)."""
    scalars = [as_tensor(s) for s in scalars]
    attrs = {}
    if rule == 'sgd' and slots and isinstance(slots[0], DeferredMoment):
        attrs['defer'] = True
    return apply('optimizer_step', param, *slots, grad, *scalars, rule=rule,
                 epsilon=float(epsilon), nesterov=bool(nesterov), **attrs)


def _exclusive_refs():
    """What getrefcount reports in _forward for an array held by one local of
    the generated code, which calls the forward through functools.partial
    (executor._bind); None where there is no reference counting."""
    if not hasattr(sys, 'getrefcount'):
        return None
    seen = []

    def probe(*arrays, rule):
        seen.append(sys.getrefcount(arrays[0]))

    bound = functools.partial(probe, rule='sgd')

    def caller():
        fresh = np.empty(1)
        bound(fresh)
    caller()
    return seen[0]


_EXCLUSIVE_REFS = _exclusive_refs()

# id(moment array) -> (moment array, gradient, lr) of the last momentum-0 step
# that left the moment unwritten.  Gradients are fresh arrays of their step
# (forwards never write into their inputs), so they stay valid until read.
_pending = {}


def _flush(moment):
    """Writes a deferred moment: v = 0 * m - lr * g, in the kernel's precision."""
    entry = _pending.pop(id(moment), None)
    if entry is not None:
        m, g, lr = entry
        cast = m.dtype.type
        np.subtract(m * cast(0.), cast(lr) * np.asarray(g, m.dtype), out=m)


class DeferredMoment(Variable):
    """An SGD moment slot whose write a momentum-0 step may defer (see the
    module docstring); every read of `value` sees the exact Keras value."""

    @property
    def value(self):
        array = self.__dict__['_array']
        if _pending:
            _flush(array)
        return array

    @value.setter
    def value(self, array):
        old = self.__dict__.get('_array')
        if old is not None:
            _pending.pop(id(old), None)
        self.__dict__['_array'] = array

    def __del__(self):
        # A pending entry would keep the moment and its gradient alive.
        _pending.pop(id(self.__dict__.get('_array')), None)

    @property
    def step_value(self):
        """The array itself, possibly stale: for the step node that owns it."""
        return self.__dict__['_array']


def deferred_moment(shape, dtype, name=None):
    """A zero DeferredMoment variable (as K.zeros would make)."""
    v = DeferredMoment(np.zeros(shape), dtype, name=name)
    v._keras_shape = v.shape
    return v


def inplace_targets(node):
    """The variables an in-place node rewrites, or None for any other node."""
    if node.op != 'optimizer_step':
        return None
    return node.inputs[:1 + len(RULES[node.attrs['rule']][0])]
