"""kback_core: compiled kernels on numpy buffers (Cython + OpenMP).

Knows nothing of Keras or the graph: entry points take preallocated arrays,
resolved integer arguments and `n_threads` last.
"""
from ._openmp import openmp_enabled, max_threads, MAX_THREADS  # noqa: F401
from . import elementwise  # noqa: F401
