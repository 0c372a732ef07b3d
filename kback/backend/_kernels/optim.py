"""In-place optimizer steps: one fused pass per parameter (kback_core.optim),
numpy in-place arithmetic where the compiled core is missing or does not
cover the dtype.

`step(rule, targets, grad, scalars, epsilon, nesterov)` changes the arrays in
`targets` = [param, *slots] in place.  Rules and their inputs:

    sgd      slots (moment,)        scalars (lr, momentum)       nesterov flag
    rmsprop  slots (accumulator,)   scalars (lr, rho)            epsilon
    adagrad  slots (accumulator,)   scalars (lr,)                epsilon
    adam     slots (m, v)           scalars (lr_t, beta_1, beta_2)  epsilon
    amsgrad  slots (m, v, vhat)     scalars (lr_t, beta_1, beta_2)  epsilon
"""
import numpy as np

from .. import config
from . import AVAILABLE, _FLOATS, _MIN_PARALLEL

if AVAILABLE:
    from kback_core import optim as _optim

# rule -> (slot names, scalar names)
RULES = {
    'sgd': (('moment',), ('lr', 'momentum')),
    'rmsprop': (('accumulator',), ('lr', 'rho')),
    'adagrad': (('accumulator',), ('lr',)),
    'adam': (('m', 'v'), ('lr_t', 'beta_1', 'beta_2')),
    'amsgrad': (('m', 'v', 'vhat'), ('lr_t', 'beta_1', 'beta_2')),
}


def _check(rule, targets, grad, scalars):
    if rule not in RULES:
        raise ValueError(f'optimizer step: unknown rule {rule!r}; known: {", ".join(RULES)}')
    slots, names = RULES[rule]
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


def _fast_flats(rule, targets, grad, scalars):
    """[*targets, grad] flat, as they are, when the kernel can take them
    without any conversion (the usual case in a compiled step), else None."""
    param = targets[0]
    dtype, shape = param.dtype, param.shape
    slots, names = RULES[rule]
    if (len(targets) != 1 + len(slots) or len(scalars) != len(names)
            or dtype.type not in _FLOATS or type(grad) is not np.ndarray
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


def step(rule, targets, grad, scalars, epsilon=1e-7, nesterov=False):
    """One optimizer step, in place on `targets` (see the module docstring)."""
    if AVAILABLE and rule in _STEPS:
        flats = _fast_flats(rule, targets, grad, scalars)
        if flats is not None:
            threads = config.get_num_threads() if flats[0].size >= _MIN_PARALLEL else 1
            _STEPS[rule](flats, [float(s) for s in scalars], epsilon, nesterov, threads)
            return
    targets = list(targets)
    scalars = [float(s) for s in scalars]
    _check(rule, targets, grad, scalars)
    param = targets[0]
    # A gradient overlapping a buffer being rewritten must be read from a copy.
    if any(np.may_share_memory(grad, t) for t in targets):
        grad = np.array(grad, dtype=param.dtype)
    if not (AVAILABLE and param.dtype.type in _FLOATS):
        _numpy_step(rule, targets, np.asarray(grad, dtype=param.dtype), scalars, epsilon,
                    nesterov)
        return
    grad = np.ascontiguousarray(grad, dtype=param.dtype).reshape(-1)
    contiguous = all(t.flags.c_contiguous for t in targets)
    flats = [t.reshape(-1) if contiguous else np.ascontiguousarray(t).reshape(-1)
             for t in targets]
    # Small tensors: one thread beats waking the team.
    threads = config.get_num_threads() if param.size >= _MIN_PARALLEL else 1
    _STEPS[rule](flats + [grad], scalars, epsilon, nesterov, threads)
    if not contiguous:
        for t, flat in zip(targets, flats):
            t[...] = flat.reshape(t.shape)


# rule -> call of its kernel on ([param, *slots, grad] flat, scalars, epsilon,
# nesterov, threads).
_STEPS = {
    'sgd': lambda a, s, eps, nesterov, n: _optim.sgd_step(*a, *s, bool(nesterov), n),
    'rmsprop': lambda a, s, eps, nesterov, n: _optim.rmsprop_step(*a, *s, eps, n),
    'adagrad': lambda a, s, eps, nesterov, n: _optim.adagrad_step(*a, *s, eps, n),
    'adam': lambda a, s, eps, nesterov, n: _optim.adam_step(*a, *s, eps, n),
    'amsgrad': lambda a, s, eps, nesterov, n: _optim.amsgrad_step(*a, *s, eps, n),
}


def _numpy_step(rule, targets, g, scalars, epsilon, nesterov):
    """The same formulas with numpy, writing into the targets."""
    cast = g.dtype.type
    s = [cast(x) for x in scalars]
    eps = cast(epsilon)
    p = targets[0]
    if rule == 'sgd':
        m = targets[1]
        lr, mu = s
        v = mu * m - lr * g
        m[...] = v
        p[...] = p + mu * v - lr * g if nesterov else p + v
    elif rule in ('rmsprop', 'adagrad'):
        a = targets[1]
        if rule == 'rmsprop':
            a[...] = s[1] * a + (1 - s[1]) * np.square(g)
        else:
            a[...] = a + np.square(g)
        p[...] = p - s[0] * g / (np.sqrt(a) + eps)
    else:
        m, v = targets[1], targets[2]
        lr_t, b1, b2 = s
        m[...] = b1 * m + (1 - b1) * g
        v[...] = b2 * v + (1 - b2) * np.square(g)
        denom = v
        if rule == 'amsgrad':
            np.maximum(targets[3], v, out=targets[3])
            denom = targets[3]
        p[...] = p - lr_t * m / (np.sqrt(denom) + eps)
