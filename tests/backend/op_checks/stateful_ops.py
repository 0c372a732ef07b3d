"""Checks for stateful ops: random draws (shape, dtype, range) and assign."""
import numpy as np

from kback import backend as K
from kback.backend.ops import apply


def _random_case(build_random, low, high):
    """The draw, shaped like the input at run time, lies within [low, high]."""
    def build(x):
        return build_random(K.shape(x))

    return dict(build=build, inputs=[np.zeros((3, 4))], reference=None, grad=[],
                bounds=(low, high))


CHECKS = {
    'random_uniform': [_random_case(lambda s: K.random_uniform(s, -1.0, 2.0, dtype='float64'), -1, 2)],
    'random_normal': [_random_case(lambda s: K.random_normal(s, dtype='float64'), -np.inf, np.inf)],
    'truncated_normal': [_random_case(lambda s: K.truncated_normal(s, 1.0, 0.5, dtype='float64'), 0, 2)],
    'random_binomial': [_random_case(lambda s: K.random_binomial(s, 0.5, dtype='float64'), 0, 1)],
    'assign': [dict(build=lambda a: apply('assign', K.variable(np.zeros((2, 3)), dtype='float64'), a),
                    inputs=[np.arange(6.0).reshape(2, 3)], reference=lambda a: a, grad=[])],
}
