"""The one package that imports kback_core: one module per kernel family.

Each wrapper checks dtype and layout, allocates the output and calls the
compiled kernel with the configured thread count; without the extension (or
for dtypes it does not cover) it falls back to the numpy reference.
"""
import ctypes
import os
import sys

import numpy as np

from .. import config

# How long an idle OpenMP thread spins before it sleeps (read by libgomp when
# kback_core loads it). libgomp's default (300k spins, or forever with
# OMP_WAIT_POLICY=ACTIVE) let idle threads fight OpenBLAS's spinning threads
# for the cores: a small-model step ran 17x slower at 2 threads. Sleeping at
# once (PASSIVE) cost each kernel a futex wake-up: with BLAS now run inside our
# own team, a short spin is best (2 threads, PyTorch = 1: M1 0.74 -> 1.05x,
# M4 1.33 -> 1.87x). A user's own setting wins.
_SPIN = '100000'
_set_policy = 'OMP_WAIT_POLICY' not in os.environ and 'GOMP_SPINCOUNT' not in os.environ
if _set_policy:
    os.environ['GOMP_SPINCOUNT'] = _SPIN

try:
    import kback_core
    AVAILABLE = True
except ImportError:          # running from a source tree that was not built
    kback_core = None
    AVAILABLE = False
finally:
    if _set_policy:          # libraries loaded later keep their own defaults
        del os.environ['GOMP_SPINCOUNT']



def _keep_freed_memory():
    """glibc returns every block over 32 MB to the OS on free, so each training
    step page-faults its large activations in again (M4's step: 48 ms, 37 ms
    with this).  Keep freed memory in the heap for reuse, as framework
    allocators do; KBACK_KEEP_FREED_MEMORY=0 keeps glibc's defaults."""
    if os.environ.get('KBACK_KEEP_FREED_MEMORY', '1') == '0' or \
            not sys.platform.startswith('linux'):
        return False
    try:
        libc = ctypes.CDLL(None)
        m_trim_threshold, m_mmap_threshold = -1, -3
        return bool(libc.mallopt(m_mmap_threshold, 1 << 30) and
                    libc.mallopt(m_trim_threshold, (1 << 31) - 1))
    except (OSError, AttributeError):    # not glibc
        return False


KEEPS_FREED_MEMORY = _keep_freed_memory()
_FLOATS = (np.float32, np.float64)
# Below this many elements a numpy call beats waking the thread team.
_MIN_PARALLEL = 1 << 14


def _flat(x):
    return np.ascontiguousarray(x).reshape(-1)


def _use_kernel(*arrays):
    return AVAILABLE and arrays[0].size >= _MIN_PARALLEL and \
        all(a.dtype == arrays[0].dtype and a.dtype.type in _FLOATS for a in arrays)


def _threads(size):
    """Threads for a kernel on `size` elements: one below _MIN_PARALLEL."""
    return 1 if size < _MIN_PARALLEL else config.get_num_threads()


def _out(out, shape, dtype, op):
    """The caller's output buffer, checked, or a new one."""
    if out is None:
        return np.empty(shape, dtype=dtype)
    if not isinstance(out, np.ndarray) or out.shape != tuple(shape) or out.dtype != dtype or \
            not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError(f'{op}: out must be a writeable C-contiguous {np.dtype(dtype).name} '
                         f'array of shape {tuple(shape)}, got '
                         f'{getattr(out, "dtype", type(out).__name__)} {np.shape(out)}')
    return out


def info():
    """What the compiled core offers on this machine."""
    return {'compiled': AVAILABLE,
            'openmp': bool(AVAILABLE and kback_core.openmp_enabled()),
            'num_threads': config.get_num_threads(),
            'keeps_freed_memory': KEEPS_FREED_MEMORY}


if AVAILABLE:
    from kback_core._openmp import denormals_enter, denormals_exit  # noqa: E402,F401
else:
    def denormals_enter():
        return 0

    def denormals_exit(prev):
        pass

from .elementwise import relu, relu_grad  # noqa: E402,F401
