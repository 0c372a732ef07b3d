# cython: language_level=3
"""GEMM on scipy's BLAS for row-major buffers.  Inline only, so there is no
module to import."""
from scipy.linalg.cython_blas cimport sgemm, dgemm

from ._typedefs cimport floating


cdef inline void gemm_rm(bint ta, bint tb, Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                         floating alpha, const floating *a, Py_ssize_t lda,
                         const floating *b, Py_ssize_t ldb, floating beta,
                         floating *c, Py_ssize_t ldc) noexcept nogil:
    """Row-major C (m, n) = alpha op(A) op(B) + beta C, as the column-major
    product C^T = op(B)^T op(A)^T."""
    cdef char ca = b'T' if ta else b'N'
    cdef char cb = b'T' if tb else b'N'
    cdef int im = <int>m, in_ = <int>n, ik = <int>k
    cdef int ila = <int>lda, ilb = <int>ldb, ilc = <int>ldc
    if floating is float:
        sgemm(&cb, &ca, &in_, &im, &ik, &alpha, <float *>b, &ilb, <float *>a, &ila, &beta,
              c, &ilc)
    else:
        dgemm(&cb, &ca, &in_, &im, &ik, &alpha, <double *>b, &ilb, <double *>a, &ila, &beta,
              c, &ilc)
