# cython: language_level=3
"""Row-major GEMM on the BLAS that kback_core._blas picked at import
(scipy-openblas32 when installed, else scipy's cython_blas)."""
from ._typedefs cimport floating

# The Fortran-ABI sgemm/dgemm that both libraries export.
ctypedef void (*sgemm_fn)(const char *ta, const char *tb, const int *m, const int *n,
                          const int *k, const float *alpha, const float *a, const int *lda,
                          const float *b, const int *ldb, const float *beta, float *c,
                          const int *ldc) noexcept nogil
ctypedef void (*dgemm_fn)(const char *ta, const char *tb, const int *m, const int *n,
                          const int *k, const double *alpha, const double *a, const int *lda,
                          const double *b, const int *ldb, const double *beta, double *c,
                          const int *ldc) noexcept nogil

cdef void sgemm_rm(bint ta, bint tb, int m, int n, int k, float alpha, const float *a,
                   int lda, const float *b, int ldb, float beta, float *c,
                   int ldc) noexcept nogil
cdef void dgemm_rm(bint ta, bint tb, int m, int n, int k, double alpha, const double *a,
                   int lda, const double *b, int ldb, double beta, double *c,
                   int ldc) noexcept nogil


cdef inline void gemm_rm(bint ta, bint tb, Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                         floating alpha, const floating *a, Py_ssize_t lda,
                         const floating *b, Py_ssize_t ldb, floating beta,
                         floating *c, Py_ssize_t ldc) noexcept nogil:
    """Row-major C (m, n) = alpha op(A) op(B) + beta C (sizes fit in int: the
    callers check)."""
    if floating is float:
        sgemm_rm(ta, tb, <int>m, <int>n, <int>k, alpha, a, <int>lda, b, <int>ldb, beta, c,
                 <int>ldc)
    else:
        dgemm_rm(ta, tb, <int>m, <int>n, <int>k, alpha, a, <int>lda, b, <int>ldb, beta, c,
                 <int>ldc)
