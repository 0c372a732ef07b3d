"""Checks for the run-time arange op (ops/shape.py), which K.arange builds
when a bound is a tensor; not differentiable."""
import numpy as np

from kback.backend.ops import apply


def _case(start, stop, step, dtype):
    return dict(build=lambda a, b, c: apply('arange', a, b, c, dtype=dtype),
                inputs=[np.array(start), np.array(stop), np.array(step)],
                reference=lambda a, b, c: np.arange(a, b, c).astype(dtype), grad=[])


CHECKS = {
    'arange': [_case(0, 5, 1, 'int32'), _case(7, -2, -3, 'int64'),
               _case(0.5, 3.0, 0.75, 'float32'), _case(4, 2, 1, 'int32')],
}
