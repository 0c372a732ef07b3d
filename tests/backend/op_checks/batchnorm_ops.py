"""Checks for the batch-normalisation ops against the numpy versions in
_kernels/batchnorm.py (which test_batchnorm_kernels.py checks against plain
numpy formulas), with gradient checks of every rule: the fused training
gradient, the composed one and the backprop ops' own (second order)."""
import numpy as np

from kback.backend import _reference as R
from kback.backend.ops import apply

rng = np.random.RandomState(3)


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape)


def pos(*shape):
    return rng.uniform(0.5, 1.5, size=shape)


def stats_of(x, axis):
    return np.stack([x.mean(axis=tuple(i for i in range(x.ndim) if i != axis)),
                     x.var(axis=tuple(i for i in range(x.ndim) if i != axis))])


def stats_input(x, axis):
    s = stats_of(x, axis)
    s[1] += 0.5           # keep the variance away from zero for the finite differences
    return s


CHECKS = {
    'batchnorm_stats': [
        dict(build=lambda x: apply('batchnorm_stats', x, axis=3), inputs=[r(3, 2, 2, 4)],
             reference=lambda x: stats_of(x, 3)),
        dict(build=lambda x: apply('batchnorm_stats', x, axis=1), inputs=[r(2, 3, 2, 3)],
             reference=lambda x: stats_of(x, 1))],
    'batchnorm_normalize': [
        # Training: stats of the same x, the fused gradient.
        dict(build=lambda x, g, b: apply('batchnorm_normalize', x,
                                         apply('batchnorm_stats', x, axis=3), g, b, axis=3,
                                         epsilon=1e-3),
             inputs=[r(3, 2, 2, 4), pos(4), r(4)],
             reference=lambda x, g, b: R.batchnorm_normalize(x, stats_of(x, 3), g, b, 3, 1e-3)),
        dict(build=lambda x, g, b: apply('batchnorm_normalize', x,
                                         apply('batchnorm_stats', x, axis=1), g, b, axis=1,
                                         epsilon=1e-2),
             inputs=[r(2, 3, 2, 2), pos(3), r(3)],
             reference=lambda x, g, b: R.batchnorm_normalize(x, stats_of(x, 1), g, b, 1, 1e-2)),
        # Given statistics: the composed gradient.
        dict(build=lambda x, s, g, b: apply('batchnorm_normalize', x, s, g, b, axis=1,
                                            epsilon=1e-3),
             inputs=[r(4, 3), stats_input(r(4, 3), 1), pos(3), r(3)],
             reference=lambda x, s, g, b: R.batchnorm_normalize(x, s, g, b, 1, 1e-3))],
    'batchnorm_backprop_sums': [
        dict(build=lambda dy, x, s: apply('batchnorm_backprop_sums', dy, x, s, axis=3),
             inputs=[r(2, 2, 3, 3), r(2, 2, 3, 3), stats_input(r(2, 2, 3, 3), 3)],
             reference=lambda dy, x, s: R.batchnorm_backprop_sums(dy, x, s, 3)),
        dict(build=lambda dy, x, s: apply('batchnorm_backprop_sums', dy, x, s, axis=1),
             inputs=[r(2, 3, 4), r(2, 3, 4), stats_input(r(2, 3, 4), 1)],
             reference=lambda dy, x, s: R.batchnorm_backprop_sums(dy, x, s, 1))],
    'batchnorm_backprop_input': [
        dict(build=lambda dy, x, s, g, t: apply('batchnorm_backprop_input', dy, x, s, g, t,
                                                axis=3, epsilon=1e-3),
             inputs=[r(2, 2, 2, 3), r(2, 2, 2, 3), stats_input(r(2, 2, 2, 3), 3), pos(3),
                     r(2, 3)],
             reference=lambda dy, x, s, g, t: R.batchnorm_backprop_input(dy, x, s, g, t, 3,
                                                                         1e-3)),
        dict(build=lambda dy, x, s, g, t: apply('batchnorm_backprop_input', dy, x, s, g, t,
                                                axis=1, epsilon=1e-3),
             inputs=[r(2, 3, 2, 2), r(2, 3, 2, 2), stats_input(r(2, 3, 2, 2), 1), pos(3),
                     r(2, 3)],
             reference=lambda dy, x, s, g, t: R.batchnorm_backprop_input(dy, x, s, g, t, 1,
                                                                         1e-3))],
}
