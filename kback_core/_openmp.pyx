# cython: language_level=3
"""Whether this build has OpenMP, and how many threads it would use."""

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int kb_openmp_enabled(void) { return 1; }
    static int kb_max_threads(void) { return omp_get_max_threads(); }
    #else
    static int kb_openmp_enabled(void) { return 0; }
    static int kb_max_threads(void) { return 1; }
    #endif
    """
    int kb_openmp_enabled()
    int kb_max_threads()


def openmp_enabled():
    """True when the extension was compiled with OpenMP."""
    return bool(kb_openmp_enabled())


def max_threads():
    """OpenMP's default team size (1 without OpenMP)."""
    return kb_max_threads()
