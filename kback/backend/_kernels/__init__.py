"""The one package that imports kback_core: one module per kernel family.

Each wrapper checks dtype and layout, allocates the output and calls the
compiled kernel with the configured thread count; without the extension (or
for dtypes it does not cover) it falls back to the numpy reference
(`backend/_reference.py`).  What they share is in `_common`.
"""
import ctypes
import os
import sys

from .. import config
from ._common import AVAILABLE, kback_core


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


def info():
    """What the compiled core offers on this machine."""
    return {'compiled': AVAILABLE,
            'openmp': bool(AVAILABLE and kback_core.openmp_enabled()),
            'blas': _blas.library() if AVAILABLE else None,
            'num_threads': config.get_num_threads(),
            'keeps_freed_memory': KEEPS_FREED_MEMORY}


if AVAILABLE:
    from kback_core import _blas  # noqa: E402
    from kback_core._openmp import denormals_enter, denormals_exit  # noqa: E402,F401
else:
    def denormals_enter():
        return 0

    def denormals_exit(prev):
        pass

