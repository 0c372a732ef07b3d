"""Checks for print_tensor (identity that prints) and the ops added in the
Keras 2.3 API sweep."""
import numpy as np

from kback.backend.ops import apply

rng = np.random.RandomState(7)

CHECKS = {
    'print_tensor': [dict(build=lambda a: apply('print_tensor', a, message='value:'),
                          inputs=[rng.uniform(-1, 1, (2, 3))], reference=lambda a: a)],
}
