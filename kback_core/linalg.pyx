# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""2-D matrix product on single-threaded BLAS calls run by the OpenMP team.

Why not numpy's threaded BLAS: OpenBLAS's worker threads spin for a long
while after each product and take the cores from the OpenMP kernels that
follow (a conv training step ran no faster at 2 threads than at 1).

The product is cut into blocks of output rows (or columns, when there are
fewer rows than columns); the cut depends on the shapes only, so results are
the same at any thread count.  gemm_rm calls the BLAS that _blas picked, one
thread per call (_blas holds its own copy there; the caller limits scipy's).
"""
from cython.parallel cimport prange
cimport numpy as cnp

from ._typedefs cimport floating
from ._blas cimport gemm_rm
from . cimport _checks as ck

cnp.import_array()      # the checks use numpy's C API

# Large products: multiply-adds per block below which a product is not cut
# further, and the most blocks.  Every extra block re-packs an operand: on
# scipy-openblas32 (0.3.34, float32, 1 thread) 2 blocks cost 1-4% over one call
# and 4 blocks 2-5% ((128,784)@(784,512): 1,037 / 1,066 / 1,076 us); at 2
# threads 2 and 4 blocks tie (574 / 565 us).  MAX_BLOCKS = 2 would save those
# 1-3% at 1 thread but cap every matmul at 2 threads on larger machines.
cdef Py_ssize_t MIN_BLOCK_WORK = 1 << 21
cdef Py_ssize_t MAX_BLOCKS = 4

# Small products (up to SMALL_BLOCK_WORK * MAX_SMALL_BLOCKS multiply-adds) are
# cut into blocks of at most SMALL_BLOCK_WORK: OpenBLAS runs a call that small
# without packing its operands (its small-matrix kernels), faster per
# multiply-add even at 1 thread.  us at 1 / 2 threads, blocks as before -> now:
# (32,784)@(784,300) 2 -> 8 blocks: 180 / 111 -> 165 / 96; (128,128)@(128,128)
# 1 -> 4: 45 / 45 -> 38 / 23; (64,784)@(784,128) 2 -> 8: 139 / 83 -> 120 / 64.
cdef double SMALL_BLOCK_WORK = 1e6
cdef Py_ssize_t MAX_SMALL_BLOCKS = 8

# Block edges fall on multiples of ALIGN rows or columns (the width of BLAS's
# micro-tiles), so only the last block has a ragged edge.
cdef Py_ssize_t ALIGN = 16


cdef inline Py_ssize_t _cut(Py_ssize_t i, Py_ssize_t span, Py_ssize_t blocks) noexcept nogil:
    if i >= blocks:
        return span
    return (i * span // blocks) // ALIGN * ALIGN


cdef Py_ssize_t _n_blocks(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k) noexcept:
    # m * n * k may overflow where gemm refuses the sizes: work in doubles
    cdef double work = <double>m * n * max(k, 1)
    cdef Py_ssize_t most, blocks = 1
    if work <= SMALL_BLOCK_WORK * MAX_SMALL_BLOCKS:
        # No more blocks than ALIGN-wide strips of the side that is cut.
        most = max(1, max(m, n) // ALIGN)
        while work > blocks * SMALL_BLOCK_WORK and blocks * 2 <= most:
            blocks *= 2
        return blocks
    most = max(1, min(MAX_BLOCKS, <Py_ssize_t>min(work / MIN_BLOCK_WORK, 1e9), max(m, n)))
    # A power of two, so teams of 2 and 4 share the blocks evenly (3 blocks on
    # 2 threads kept one thread idle a third of the time).
    while blocks * 2 <= most:
        blocks *= 2
    return blocks


def n_blocks(m, n, k):
    """Blocks of an (m, k) @ (k, n) product (independent of threads)."""
    cdef Py_ssize_t big = 1 << 62
    return _n_blocks(ck.integer('n_blocks', 'm', m, 0, big), ck.integer('n_blocks', 'n', n, 0, big),
                     ck.integer('n_blocks', 'k', k, 0, big))


def gemm(a, ta, b, tb, out, n_threads):
    """out (m, n) = op(a) @ op(b), op = transpose where ta / tb is set."""
    op = 'matmul'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint ta_ = ck.flag(op, 'ta', ta), tb_ = ck.flag(op, 'tb', tb)
    cdef int t = ck.floats(op, 'a', a, 2)
    ck.array(op, 'b', b, 2, t, False)
    ck.array(op, 'out', out, 2, t, True)
    if t == cnp.NPY_FLOAT:
        _gemm[float](a, ta_, b, tb_, out, nt)
    else:
        _gemm[double](a, ta_, b, tb_, out, nt)


cdef int _gemm(const floating[:, ::1] a, bint ta, const floating[:, ::1] b, bint tb,
               floating[:, ::1] out, int n_threads) except -1:
    cdef Py_ssize_t m = a.shape[1] if ta else a.shape[0]
    cdef Py_ssize_t k = a.shape[0] if ta else a.shape[1]
    cdef Py_ssize_t kb = b.shape[1] if tb else b.shape[0]
    cdef Py_ssize_t n = b.shape[0] if tb else b.shape[1]
    cdef Py_ssize_t lda = a.shape[1], ldb = b.shape[1], blocks, i, lo, hi, r, c
    if k != kb or out.shape[0] != m or out.shape[1] != n:
        raise ValueError(f'matmul: a ({m}, {k}) @ b ({kb}, {n}) (after ta, tb) does not fit '
                         f'out of shape ({out.shape[0]}, {out.shape[1]})')
    if max(m, n, k, lda, ldb) >= (1 << 31):
        raise ValueError(f'matmul: a ({m}, {k}) @ b ({k}, {n}) is too large for 32-bit BLAS')
    if m == 0 or n == 0:
        return 0
    if k == 0:
        for r in range(m):
            for c in range(n):
                out[r, c] = 0
        return 0
    # BLAS wants leading dimensions >= 1 even for one-column matrices.
    lda, ldb = max(lda, 1), max(ldb, 1)
    blocks = _n_blocks(m, n, k)
    cdef const floating *ap = &a[0, 0]
    cdef const floating *bp = &b[0, 0]
    cdef floating *op = &out[0, 0]
    cdef bint by_rows = m >= n
    cdef Py_ssize_t span = m if by_rows else n
    for i in prange(blocks, nogil=True, schedule='static', num_threads=n_threads):
        lo = _cut(i, span, blocks)
        hi = _cut(i + 1, span, blocks)
        if hi == lo:
            continue
        if by_rows:
            gemm_rm(ta, tb, hi - lo, n, k, 1, ap + (lo if ta else lo * lda), lda, bp, ldb,
                    0, op + lo * n, n)
        else:
            gemm_rm(ta, tb, m, hi - lo, k, 1, ap, lda, bp + (lo * ldb if tb else lo), ldb,
                    0, op + lo, n)
    return 0
