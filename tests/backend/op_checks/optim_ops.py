"""Checks for the in-place optimizer step: the node's value is the updated
param.  check_op runs the compiled function twice (once raw for the dtype
check, once through the call), so the references take two steps."""
import numpy as np

from kback import backend as K
from kback.backend.ops.optim import optimizer_step

_P0 = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
_LR, _MU, _RHO, _B1, _B2, _EPS = 0.1, 0.9, 0.8, 0.9, 0.99, 1e-7


def _case(rule, n_slots, scalars, numpy_step, **attrs):
    def build(g):
        p = K.variable(_P0, dtype='float64')
        slots = [K.variable(np.zeros_like(_P0), dtype='float64') for _ in range(n_slots)]
        consts = [K.constant(x, dtype='float64') for x in scalars]
        return optimizer_step(rule, p, slots, g, consts, epsilon=_EPS, **attrs)

    def reference(g):
        p, slots = _P0.copy(), [np.zeros_like(_P0) for _ in range(n_slots)]
        for _ in range(2):
            p = numpy_step(p, slots, g)
        return p

    return dict(build=build, inputs=[np.arange(-3.0, 3.0).reshape(2, 3)],
                reference=reference, grad=[])


def _sgd(nesterov):
    def step(p, s, g):
        v = _MU * s[0] - _LR * g
        s[0] = v
        return p + _MU * v - _LR * g if nesterov else p + v
    return step


def _rmsprop(p, s, g):
    s[0] = _RHO * s[0] + (1 - _RHO) * g ** 2
    return p - _LR * g / (np.sqrt(s[0]) + _EPS)


def _adagrad(p, s, g):
    s[0] = s[0] + g ** 2
    return p - _LR * g / (np.sqrt(s[0]) + _EPS)


def _adam(amsgrad):
    def step(p, s, g):
        s[0] = _B1 * s[0] + (1 - _B1) * g
        s[1] = _B2 * s[1] + (1 - _B2) * g ** 2
        denom = s[1]
        if amsgrad:
            s[2] = np.maximum(s[2], s[1])
            denom = s[2]
        return p - _LR * s[0] / (np.sqrt(denom) + _EPS)
    return step


CHECKS = {
    'optimizer_step': [
        _case('sgd', 1, [_LR, _MU], _sgd(False)),
        _case('sgd', 1, [_LR, _MU], _sgd(True), nesterov=True),
        _case('rmsprop', 1, [_LR, _RHO], _rmsprop),
        _case('adagrad', 1, [_LR], _adagrad),
        _case('adam', 2, [_LR, _B1, _B2], _adam(False)),
        _case('amsgrad', 3, [_LR, _B1, _B2], _adam(True)),
    ],
}
