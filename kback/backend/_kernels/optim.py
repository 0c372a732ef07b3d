"""Optimizer steps in place: one compiled pass per parameter (kback_core.optim).

`step(rule, targets, grad, scalars, epsilon, nesterov)` rewrites the arrays in
`targets` = [param, *slots].  RULES, the one table of fused rules, gives each
rule's slots, scalars, the option its kernel takes and the kernel.  Each
optimizer in kback/optimizers.py names the rule it fuses into beside its K-op
form, which is what runs where kback_core is missing or does not cover the
dtype: there is no numpy copy of the arithmetic.
"""
import collections

import numpy as np

from ._common import AVAILABLE, FLOATS, threads_for

if AVAILABLE:
    from kback_core import optim as _optim

Rule = collections.namedtuple('Rule', 'slots scalars option kernel')


def _kernel(name):
    return getattr(_optim, name) if AVAILABLE else None


RULES = {
    'sgd': Rule(('moment',), ('lr', 'momentum'), 'nesterov', _kernel('sgd_step')),
    'rmsprop': Rule(('accumulator',), ('lr', 'rho'), 'epsilon', _kernel('rmsprop_step')),
    'adagrad': Rule(('accumulator',), ('lr',), 'epsilon', _kernel('adagrad_step')),
    'adam': Rule(('m', 'v'), ('lr_t', 'beta_1', 'beta_2'), 'epsilon', _kernel('adam_step')),
    'amsgrad': Rule(('m', 'v', 'vhat'), ('lr_t', 'beta_1', 'beta_2'), 'epsilon',
                    _kernel('amsgrad_step')),
}


def covers(dtype):
    """Whether the compiled steps can update arrays of `dtype`."""
    return AVAILABLE and np.dtype(dtype).type in FLOATS


def _check(rule, targets, grad, scalars):
    if rule not in RULES:
        raise ValueError(f'optimizer step: unknown rule {rule!r}; known: {", ".join(RULES)}')
    slots, names = RULES[rule].slots, RULES[rule].scalars
    if len(targets) != 1 + len(slots) or len(scalars) != len(names):
        raise ValueError(f'{rule}_step: expects param, {len(slots)} slot(s) ({", ".join(slots)}) '
                         f'and {len(names)} scalar(s) ({", ".join(names)}); got '
                         f'{len(targets) - 1} slot(s) and {len(scalars)} scalar(s)')
    param = targets[0]
    for name, t in zip(('param',) + slots, targets):
        if not isinstance(t, np.ndarray) or t.shape != param.shape or t.dtype != param.dtype:
            raise ValueError(f'{rule}_step: {name} must be an array shaped and typed like the '
                             f'param {param.shape} {param.dtype}, got '
                             f'{getattr(t, "shape", None)} {getattr(t, "dtype", type(t))}')
        if not t.flags.writeable:
            raise ValueError(f'{rule}_step: {name} is read-only; the step writes it in place')
    if np.shape(grad) != param.shape:
        raise ValueError(f'{rule}_step: grad has shape {np.shape(grad)}, '
                         f'the param has shape {param.shape}')
    if not covers(param.dtype):
        why = 'kback_core is not built' if not AVAILABLE else \
            f'the kernels cover float32 and float64, not {param.dtype}'
        raise ValueError(f'{rule}_step: no compiled step for this param ({why}); the '
                         "optimizer's K-op form covers it")


def _fast_flats(r, targets, grad, scalars):
    """[*targets, grad] flat, as they are, when rule r's kernel can take them
    without any conversion (the usual case in a compiled step), else None."""
    param = targets[0]
    dtype, shape = param.dtype, param.shape
    if (len(targets) != 1 + len(r.slots) or len(scalars) != len(r.scalars)
            or dtype.type not in FLOATS or type(grad) is not np.ndarray
            or grad.dtype != dtype or grad.shape != shape or not grad.flags.c_contiguous):
        return None
    # Arrays that own their memory overlap only if they are the same array.
    owners = grad.base is None
    for t in targets:
        if type(t) is not np.ndarray or t.dtype != dtype or t.shape != shape or t is grad:
            return None
        flags = t.flags
        if not (flags.c_contiguous and flags.writeable):
            return None
        if not (owners and t.base is None) and np.may_share_memory(grad, t):
            return None
    flats = list(targets) + [grad]
    return flats if len(shape) == 1 else [a.reshape(-1) for a in flats]


def _run(r, flats, scalars, epsilon, nesterov):
    # The kernels take the scalars as doubles: numbers or 0-d arrays convert.
    option = nesterov if r.option == 'nesterov' else epsilon
    r.kernel(*flats, *scalars, option, threads_for(flats[0].size))


def step(rule, targets, grad, scalars, epsilon=1e-7, nesterov=False):
    """One optimizer step, in place on `targets` (see the module docstring)."""
    r = RULES.get(rule)
    if AVAILABLE and r is not None:
        flats = _fast_flats(r, targets, grad, scalars)
        if flats is not None:
            _run(r, flats, scalars, epsilon, nesterov)
            return
    targets = list(targets)
    _check(rule, targets, grad, scalars)
    param = targets[0]
    # A gradient overlapping a buffer being rewritten must be read from a copy.
    if any(np.may_share_memory(grad, t) for t in targets):
        grad = np.array(grad, dtype=param.dtype)
    grad = np.ascontiguousarray(grad, dtype=param.dtype).reshape(-1)
    contiguous = all(t.flags.c_contiguous for t in targets)
    flats = [t.reshape(-1) if contiguous else np.ascontiguousarray(t).reshape(-1)
             for t in targets]
    _run(r, flats + [grad], scalars, epsilon, nesterov)
    if not contiguous:
        for t, flat in zip(targets, flats):
            t[...] = flat.reshape(t.shape)
