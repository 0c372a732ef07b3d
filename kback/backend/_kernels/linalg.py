"""2-D matrix products on the OpenMP team, and the BLAS thread policy of the
compiled kernels (which call BLAS from inside their OpenMP loops).

OpenBLAS's threads spin for a long time after each threaded call, and even
after a change of their thread count, taking the cores from the OpenMP
kernels that run next: with numpy's threaded matmul in a conv model's step,
or conv toggling the BLAS limit around each call, the step ran no faster at 2
threads than at 1 (M4: 35 ms at both; 22 ms with neither).  So the kernels
keep scipy's BLAS at one thread for good instead of toggling it, and matmul
runs single-threaded BLAS blocks on the OpenMP team instead of numpy's pool.
When kback_core has its own copy of OpenBLAS (scipy-openblas32, see
kback_core/_blas.pyx) it holds that at one thread itself and scipy's BLAS is
not touched at all.
"""
import contextlib
import os

import numpy as np

from . import _common
from ._common import AVAILABLE, threads_for_macs, out_buffer

if AVAILABLE:
    try:
        from kback_core import linalg as _linalg, _blas as _core_blas
    except ImportError:         # a core built before this module existed
        AVAILABLE = False

_blas = {'state': None}


def _scipy_blas():
    """threadpoolctl controllers of the BLAS that scipy (so kback_core) links,
    when it is its own library (numpy's is left alone); else None."""
    try:
        import scipy
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    import scipy.linalg.cython_blas  # noqa: F401  (loads scipy's BLAS)
    root = os.path.dirname(os.path.abspath(scipy.__file__))
    libs = [c for c in ThreadpoolController().lib_controllers
            if c.user_api == 'blas' and os.path.abspath(c.filepath).startswith(root)]
    return libs or None


def single_threaded_blas():
    """A context in which kback_core may call BLAS from its OpenMP threads.

    When scipy has its own BLAS, that library is set to one thread and left
    so (no toggling, no thread wake-ups); otherwise every BLAS is limited to
    one thread for the duration, as threadpoolctl does."""
    state = _blas['state']
    if state is None:
        state = _blas['state'] = _policy()
    kind, obj = state
    if kind == 'private':
        obj.hold_one_thread()             # threadpoolctl limits may have raised it
        return contextlib.nullcontext()
    if kind == 'own':
        for lib in obj:
            if lib.num_threads != 1:      # config.set_num_threads raised it again
                lib.set_num_threads(1)
        return contextlib.nullcontext()
    if kind == 'shared':
        return obj.limit(limits=1, user_api='blas')
    return contextlib.nullcontext()      # without threadpoolctl: no limit to set


def _policy():
    if AVAILABLE and _core_blas.private():
        return 'private', _core_blas
    libs = _scipy_blas()
    if libs:
        return 'own', libs
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return 'none', None
    return 'shared', ThreadpoolController()     # built once: scanning is slow


def _operand(a):
    """(C-contiguous buffer, transposed?) of a 2-D array without copying when
    it is C- or Fortran-ordered."""
    if a.flags.c_contiguous:
        return a, False
    if a.flags.f_contiguous:
        return a.T, True
    return np.ascontiguousarray(a), False


def matmul(a, b, out=None):
    """a @ b with numpy's semantics; 2-D float32/float64 products of one dtype
    run on the compiled kernel, the rest on np.matmul."""
    a, b = np.asarray(a), np.asarray(b)
    if not AVAILABLE or a.ndim != 2 or b.ndim != 2 or a.dtype != b.dtype or \
            a.dtype.type not in (np.float32, np.float64) or a.shape[1] != b.shape[0] or \
            a.size == 0 or b.size == 0:
        return np.matmul(a, b) if out is None else np.matmul(a, b, out=out)
    out = out_buffer(out, (a.shape[0], b.shape[1]), a.dtype, 'matmul')
    work = a.shape[0] * a.shape[1] * b.shape[1]
    if work < _common.NUMPY_BELOW_MACS:
        return np.matmul(a, b, out=out)
    (ab, ta), (bb, tb) = _operand(a), _operand(b)
    threads = threads_for_macs(work)
    with single_threaded_blas():
        _linalg.gemm(ab, ta, bb, tb, out, threads)
    return out
