# cython: language_level=3
"""OpenMP facts, the team size, and flush-to-zero for denormals.

Subnormal floats make x86 arithmetic 10-100x slower (microcode assists); like
TensorFlow, kback sets FTZ (results flush to 0) and DAZ (subnormal inputs read
as 0) in the MXCSR of every OpenMP worker, and in the calling thread only
while a K.function runs (denormals_enter/exit), so the user's own numpy maths
keeps IEEE subnormals.  A thread created later inherits the MXCSR of the
thread that creates it (POSIX), and the bits are set again in every worker
whenever the team size changes.  KBACK_FLUSH_DENORMALS=0 or
set_flush_denormals(False) turns flushing off.
"""
from cython.parallel cimport prange
cimport numpy as cnp

from . cimport _checks as ck

cnp.import_array()      # the checks use numpy's C API

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int kb_openmp_enabled(void) { return 1; }
    static int kb_max_threads(void) { return omp_get_max_threads(); }
    static void kb_set_threads(int n) { omp_set_num_threads(n); }
    #else
    static int kb_openmp_enabled(void) { return 0; }
    static int kb_max_threads(void) { return 1; }
    static void kb_set_threads(int n) { (void)n; }
    #endif

    #if defined(__linux__)
    #include <unistd.h>
    #include <sys/syscall.h>
    static long kb_thread_id(void) { return (long)syscall(SYS_gettid); }
    #else
    static long kb_thread_id(void) { return -1; }
    #endif

    #if defined(__SSE2__) || defined(__x86_64__) || defined(_M_X64)
    #include <xmmintrin.h>
    #include <pmmintrin.h>
    #define KB_FTZ_BITS (_MM_FLUSH_ZERO_ON | _MM_DENORMALS_ZERO_ON)
    static int kb_ftz_supported(void) { return 1; }
    static int kb_ftz_get(void) { return (_mm_getcsr() & KB_FTZ_BITS) == KB_FTZ_BITS; }
    static void kb_ftz_set(int on) {
        unsigned int csr = _mm_getcsr();
        _mm_setcsr(on ? (csr | KB_FTZ_BITS) : (csr & ~KB_FTZ_BITS));
    }
    #else
    /* No MXCSR (ARM, ...): denormals keep their IEEE behaviour. */
    static int kb_ftz_supported(void) { return 0; }
    static int kb_ftz_get(void) { return 0; }
    static void kb_ftz_set(int on) { (void)on; }
    #endif
    """
    int kb_openmp_enabled() nogil
    int kb_max_threads() nogil
    void kb_set_threads(int n) nogil
    int kb_ftz_supported() nogil
    int kb_ftz_get() nogil
    void kb_ftz_set(int on) nogil
    long kb_thread_id() nogil

import os

# The most threads any kernel starts (kback_core.MAX_THREADS).
MAX_THREADS = ck.MAX_THREADS

# KBACK_FLUSH_DENORMALS=0 keeps IEEE denormals (and numpy's main-thread maths) as is.
cdef int _flush = 0 if os.environ.get('KBACK_FLUSH_DENORMALS', '1').strip() in ('0', 'false') else 1


def openmp_enabled():
    """True when the extension was compiled with OpenMP."""
    return bool(kb_openmp_enabled())


def max_threads():
    """OpenMP's default team size (1 without OpenMP)."""
    return kb_max_threads()


def _apply_flush(n_threads):
    """Set (or clear) FTZ/DAZ in n_threads workers; the calling thread, which
    runs iteration 0 of the team, gets its own state back afterwards."""
    cdef Py_ssize_t i
    cdef int nt = ck.threads('_apply_flush', n_threads)
    cdef int on = _flush
    cdef int caller = kb_ftz_get()
    # One iteration per thread of a static schedule: each worker runs one.
    for i in prange(nt, nogil=True, schedule='static', chunksize=1, num_threads=nt):
        kb_ftz_set(on)
    kb_ftz_set(caller)


def denormals_enter():
    """Flush denormals in the calling thread (when enabled); returns the state
    to give back to denormals_exit."""
    cdef int prev = kb_ftz_get()
    if _flush and not prev:
        kb_ftz_set(1)
    return prev


def denormals_exit(bint prev):
    """Restore the calling thread's state saved by denormals_enter."""
    if _flush and not prev:
        kb_ftz_set(0)


def set_num_threads(n):
    """The default team size for parallel regions, with FTZ/DAZ in each worker."""
    cdef int nt = <int>ck.integer('set_num_threads', 'n', n, 1, ck.MAX_THREADS)
    kb_set_threads(nt)
    _apply_flush(nt)


def set_flush_denormals(enabled, n_threads=None):
    """Turn FTZ/DAZ on (the default) or off in the workers (and in K.function calls)."""
    global _flush
    _flush = 1 if enabled else 0
    _apply_flush(min(kb_max_threads(), ck.MAX_THREADS) if n_threads is None else n_threads)


def flush_denormals_supported():
    """Whether this CPU/build can flush denormals (x86 with SSE)."""
    return bool(kb_ftz_supported())


def flush_denormals_enabled():
    """Whether FTZ and DAZ are set in the calling thread."""
    return bool(kb_ftz_get())


def worker_flush_states(n_threads):
    """FTZ/DAZ state seen inside each of n_threads workers (for tests)."""
    cdef Py_ssize_t i
    cdef int nt = ck.threads('worker_flush_states', n_threads)
    states = [0] * nt
    cdef int[::1] buf = __import__('array').array('i', states)
    for i in prange(nt, nogil=True, schedule='static', chunksize=1, num_threads=nt):
        buf[i] = kb_ftz_get()
    return [bool(v) for v in buf]


def team_thread_ids(n_threads):
    """The OS thread ids (Linux tids) of a team of n_threads, the caller
    first; -1 each where the OS has none to give.  libgomp keeps its threads
    between regions, so they are the threads every later team of this size
    or smaller runs on."""
    cdef Py_ssize_t i
    cdef int nt = ck.threads('team_thread_ids', n_threads)
    cdef long[::1] ids = __import__('array').array('l', [-1] * nt)
    for i in prange(nt, nogil=True, schedule='static', chunksize=1, num_threads=nt):
        ids[i] = kb_thread_id()
    return list(ids)


# At import: a full team.
_apply_flush(min(kb_max_threads(), ck.MAX_THREADS))
