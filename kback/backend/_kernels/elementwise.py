"""Elementwise kernels: relu and its backward."""
import numpy as np

from .. import config
from . import AVAILABLE, _use_kernel, _flat

if AVAILABLE:
    from kback_core import elementwise as _elementwise


def relu(x):
    if not _use_kernel(x):
        return np.maximum(x, 0)
    out = np.empty(x.shape, dtype=x.dtype)
    _elementwise.relu_forward(_flat(x), out.reshape(-1), config.get_num_threads())
    return out


def relu_grad(x, g):
    if not _use_kernel(x, g) or x.shape != g.shape:
        return np.where(x > 0, g, 0).astype(g.dtype, copy=False)
    out = np.empty(x.shape, dtype=x.dtype)
    _elementwise.relu_backward(_flat(x), _flat(g), out.reshape(-1), config.get_num_threads())
    return out
