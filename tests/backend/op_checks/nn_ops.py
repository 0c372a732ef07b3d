"""Checks for the nn primitives (ops/nn.py); dropout_mask is stateful and is
checked through K.dropout in test_nn.py."""
import numpy as np

from kback.backend.ops import apply

rng = np.random.RandomState(1)


def r(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape)


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def np_elu(x, alpha):
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def np_in_top_k(p, t, k):
    target = p[np.arange(len(t)), t]
    return (p > target[:, None]).sum(axis=1) < k


# Values away from 0, where elu's second derivative jumps.
_elu_x = np.sign(r(3, 4)) * rng.uniform(0.1, 2.0, size=(3, 4))
_big = np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 999.0]]) + r(2, 3, low=0, high=0.5)
_ties = np.array([[0.1, 0.5, 0.5, 0.2], [0.3, 0.3, 0.3, 0.3], [0.9, 0.1, 0.4, 0.4]])

CHECKS = {
    'softmax': [dict(build=lambda a: apply('softmax', a, axis=1), inputs=[r(2, 5, 3)],
                     reference=lambda a: np_softmax(a, 1)),
                dict(build=lambda a: apply('softmax', a, axis=1), inputs=[_big],
                     reference=lambda a: np_softmax(a, 1))],
    'log_softmax': [dict(build=lambda a: apply('log_softmax', a, axis=2), inputs=[r(2, 3, 4)],
                         reference=lambda a: np_log_softmax(a, 2)),
                    dict(build=lambda a: apply('log_softmax', a, axis=1), inputs=[_big],
                         reference=lambda a: np_log_softmax(a, 1))],
    'elu': [dict(build=lambda a: apply('elu', a, alpha=1.0), inputs=[_elu_x],
                 reference=lambda a: np_elu(a, 1.0)),
            dict(build=lambda a: apply('elu', a, alpha=0.3), inputs=[_elu_x],
                 reference=lambda a: np_elu(a, 0.3))],
    'in_top_k': [dict(build=lambda p, t, k=k: apply('in_top_k', p, t, k=k), inputs=[_ties, np.array([2, 0, 3])],
                      reference=lambda p, t, k=k: np_in_top_k(p, t, k), grad=[])
                 for k in (1, 2)],
}
