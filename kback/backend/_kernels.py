"""The one module that imports kback_core.

Each wrapper checks dtype and layout, allocates the output and calls the
compiled kernel with the configured thread count; without the extension (or
for dtypes it does not cover) it falls back to the numpy reference.
"""
import numpy as np

from . import config

try:
    import kback_core
    from kback_core import elementwise as _elementwise
    AVAILABLE = True
except ImportError:          # running from a source tree that was not built
    kback_core = None
    AVAILABLE = False

_FLOATS = (np.float32, np.float64)
# Below this many elements a numpy call beats waking the thread team.
_MIN_PARALLEL = 1 << 14


def _flat(x):
    return np.ascontiguousarray(x).reshape(-1)


def _use_kernel(*arrays):
    return AVAILABLE and arrays[0].size >= _MIN_PARALLEL and \
        all(a.dtype == arrays[0].dtype and a.dtype.type in _FLOATS for a in arrays)


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


def info():
    """What the compiled core offers on this machine."""
    return {'compiled': AVAILABLE,
            'openmp': bool(AVAILABLE and kback_core.openmp_enabled()),
            'num_threads': config.get_num_threads()}
