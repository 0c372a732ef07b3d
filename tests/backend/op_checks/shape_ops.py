"""Checks for the shape primitives added for K.repeat_elements and K.reshape."""
import numpy as np

from kback.backend.ops import apply
from kback.backend.tensor import Constant

rng = np.random.RandomState(1)


def r(*shape):
    return rng.uniform(-2.0, 2.0, size=shape)


CHECKS = {
    'repeat': [dict(build=lambda a: apply('repeat', a, axis=1, rep=3), inputs=[r(2, 3, 2)],
                    reference=lambda a: np.repeat(a, 3, axis=1)),
               dict(build=lambda a: apply('repeat', a, axis=0, rep=2), inputs=[r(3)],
                    reference=lambda a: np.repeat(a, 2))],
    'repeat_grad': [dict(build=lambda g: apply('repeat_grad', g, axis=1, rep=2), inputs=[r(2, 6, 3)],
                         reference=lambda g: g.reshape(2, 3, 2, 3).sum(axis=2))],
    'reshape_dynamic': [dict(
        build=lambda a: apply('reshape_dynamic', a, Constant(np.array([3, -1, 2]), 'int32'),
                              static=(None, -1, 2)),
        inputs=[r(2, 3, 4)], reference=lambda a: a.reshape(3, 4, 2), grad=[0])],
}
