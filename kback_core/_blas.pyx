# cython: language_level=3
"""The BLAS behind every GEMM of kback_core, picked once, when this module is
first imported (conv, linalg and recurrent cimport gemm_rm from it).

- scipy-openblas32, when installed: the OpenBLAS build numpy and scipy link
  against, as a wheel of its own.  Version 0.3.34 runs thin products much
  faster than the 0.3.30 that scipy 1.17 vendors (1 thread, float32:
  (32,300)@(300,784)^T 187 against 364 us, (128,512)@(512,784)^T 1,040
  against 2,046; README, Benchmarks).  It is loaded privately (RTLD_LOCAL, by path): importing
  the package instead would load it RTLD_GLOBAL and its symbols would take
  over scipy's own BLAS calls.  This copy serves kback alone, so it is set to
  one thread here for good (kback calls it from its OpenMP team, one call per
  thread) and the user's numpy and scipy BLAS pools are never touched.  (Only
  a program that imports scipy_openblas32 itself shares this copy with scipy:
  then scipy's calls run on one thread too.)
- otherwise scipy's `cython_blas`, whose threads the caller must limit.

KBACK_BLAS=scipy forces the second; KBACK_BLAS=scipy-openblas32 requires the
first.  `library()` says which is in use.
"""
import ctypes
import importlib.util
import os

from cpython.pycapsule cimport PyCapsule_GetName, PyCapsule_GetPointer
from libc.stdint cimport uintptr_t

OPENBLAS32 = 'scipy-openblas32'
SCIPY = 'scipy'

ctypedef int (*get_threads_fn)() noexcept nogil
ctypedef void (*set_threads_fn)(int) noexcept nogil

cdef sgemm_fn _sgemm = NULL
cdef dgemm_fn _dgemm = NULL
# scipy-openblas32's thread count (NULL on scipy's BLAS, which the caller limits).
cdef get_threads_fn _get_threads = NULL
cdef set_threads_fn _set_threads = NULL
_description = None
_handle = None            # the ctypes library, kept alive


cdef void sgemm_rm(bint ta, bint tb, int m, int n, int k, float alpha, const float *a,
                   int lda, const float *b, int ldb, float beta, float *c,
                   int ldc) noexcept nogil:
    # Row-major C is column-major C^T = op(B)^T op(A)^T.
    cdef char ca = b'T' if ta else b'N'
    cdef char cb = b'T' if tb else b'N'
    _sgemm(&cb, &ca, &n, &m, &k, &alpha, b, &ldb, a, &lda, &beta, c, &ldc)


cdef void dgemm_rm(bint ta, bint tb, int m, int n, int k, double alpha, const double *a,
                   int lda, const double *b, int ldb, double beta, double *c,
                   int ldc) noexcept nogil:
    cdef char ca = b'T' if ta else b'N'
    cdef char cb = b'T' if tb else b'N'
    _dgemm(&cb, &ca, &n, &m, &k, &alpha, b, &ldb, a, &lda, &beta, c, &ldc)


def library():
    """Which BLAS kback_core's GEMMs call, with its version and build."""
    return _description


def private():
    """True when that BLAS is kback_core's own copy (scipy-openblas32), which
    it holds at one thread itself; False for scipy's, which the caller must
    limit around kernels that call it from OpenMP threads."""
    return _get_threads != NULL


def hold_one_thread():
    """Set kback_core's own BLAS back to one thread if something (threadpoolctl
    limits, say) raised it; nothing on scipy's BLAS."""
    if _get_threads != NULL and _get_threads() != 1:
        _set_threads(1)


cdef uintptr_t _address(lib, name) except 0:
    return <uintptr_t>ctypes.cast(getattr(lib, name), ctypes.c_void_p).value


def _load_openblas32(spec):
    global _sgemm, _dgemm, _get_threads, _set_threads, _description, _handle
    lib_dir = os.path.join(spec.submodule_search_locations[0], 'lib')
    names = sorted(f for f in os.listdir(lib_dir) if f.startswith('libscipy_openblas') and
                   f.rsplit('.', 1)[-1] in ('so', 'dylib', 'dll'))
    if not names:
        raise RuntimeError(f'kback_core: no libscipy_openblas library in {lib_dir}; '
                           f'reinstall scipy-openblas32 or set KBACK_BLAS={SCIPY}')
    path = os.path.join(lib_dir, names[0])
    # OpenBLAS starts its thread pool as it loads, sized by this variable (read
    # only then): this copy never uses a pool, so it starts none.
    saved = os.environ.get('OPENBLAS_NUM_THREADS')
    os.environ['OPENBLAS_NUM_THREADS'] = '1'
    try:
        lib = ctypes.CDLL(path, mode=ctypes.RTLD_LOCAL)
    except OSError as e:
        raise RuntimeError(f'kback_core: cannot load {path} ({e}); reinstall '
                           f'scipy-openblas32 or set KBACK_BLAS={SCIPY}') from None
    finally:
        if saved is None:
            del os.environ['OPENBLAS_NUM_THREADS']
        else:
            os.environ['OPENBLAS_NUM_THREADS'] = saved
    _sgemm = <sgemm_fn>_address(lib, 'scipy_sgemm_')
    _dgemm = <dgemm_fn>_address(lib, 'scipy_dgemm_')
    _get_threads = <get_threads_fn>_address(lib, 'scipy_openblas_get_num_threads')
    _set_threads = <set_threads_fn>_address(lib, 'scipy_openblas_set_num_threads')
    _set_threads(1)
    config = ctypes.cast(lib.scipy_openblas_get_config, ctypes.CFUNCTYPE(ctypes.c_char_p))()
    _description = f'{OPENBLAS32}: {config.decode()}'
    _handle = lib


cdef void *_capi_pointer(capi, name) except NULL:
    capsule = capi[name]
    return PyCapsule_GetPointer(capsule, PyCapsule_GetName(capsule))


def _load_scipy():
    global _sgemm, _dgemm, _description
    import scipy
    from scipy.linalg import cython_blas
    _sgemm = <sgemm_fn>_capi_pointer(cython_blas.__pyx_capi__, 'sgemm')
    _dgemm = <dgemm_fn>_capi_pointer(cython_blas.__pyx_capi__, 'dgemm')
    try:        # scipy >= 1.11 reports the BLAS it was built with
        blas = scipy.show_config(mode='dicts')['Build Dependencies']['blas']
        built_with = f"{blas['name']} {blas['version']}"
    except (AttributeError, KeyError, TypeError):
        built_with = 'the BLAS scipy was built with'
    _description = f'{SCIPY} {scipy.__version__} cython_blas: {built_with}'


def _choose(setting):
    if setting not in ('', OPENBLAS32, SCIPY):
        raise ValueError(f'KBACK_BLAS={setting!r}: kback_core knows {OPENBLAS32!r} and '
                         f'{SCIPY!r} (unset: {OPENBLAS32} when installed, else {SCIPY})')
    spec = importlib.util.find_spec('scipy_openblas32') if setting != SCIPY else None
    if spec is not None:
        _load_openblas32(spec)
    elif setting == OPENBLAS32:
        raise RuntimeError(f'KBACK_BLAS={OPENBLAS32}, but the {OPENBLAS32} package is not '
                           f'installed (pip install {OPENBLAS32})')
    else:
        _load_scipy()


_choose(os.environ.get('KBACK_BLAS', ''))
