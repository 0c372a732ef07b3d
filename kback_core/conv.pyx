# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""conv2d forward and backprops: im2col / col2im around a BLAS GEMM.

Arrays are 4-D C-contiguous: x and y in NHWC (nchw=0) or NCHW (nchw=1), the
kernel (kh, kw, in, out) in both.  Patch matrices have columns (or rows, for
NCHW) in (i, j, c) order so that the kernel is a plain (K, out) matrix.

The work is cut into chunks of output rows whose patch matrix fits in the L2
cache; the cut depends on the shapes only, never on the thread count, and
every output element is summed in the same order whatever the thread count,
so results at 1 and at N threads are identical.  BLAS is called from inside
prange: the Python wrapper must hold BLAS to one thread around these calls.
"""
from cython.parallel cimport prange, parallel
from libc.stdlib cimport malloc, free
from libc.string cimport memset

cimport numpy as cnp

from ._typedefs cimport floating
from ._blas cimport gemm_rm
from . cimport _checks as ck

cnp.import_array()      # the checks use numpy's C API
from ._conv_geometry cimport Geom, make_geom, bias_data

# Patch widths (kh * kw * in) up to this use the direct NHWC loops below
# instead of BLAS, whose packing dominates such thin products.
cdef Py_ssize_t SMALL_K = 16
# NHWC convs (dilation 1 along the width) with patches wider than SMALL_K and
# up to this wide skip im2col: copying few-channel windows costs more than the
# product (3 input channels, 3x3: 1.4x faster forward at 1 thread).
cdef Py_ssize_t DIRECT_K = 32

# Thin products for small patch widths K, NHWC: C for `restrict` (so GCC
# vectorises over the output channels) and one clone per instruction set
# (_simd.h).  Each output is summed in
# a fixed order, so results do not depend on the thread count.
cdef extern from "_simd.h":
    pass

cdef extern from *:
    """
    #include <string.h>
    /* Register tiles of 4 rows x 2 vectors of 64 bytes (GCC and Clang vector
       extensions; other compilers take the plain loops).  Each output is
       still summed in k order, bias (or the value accumulated onto) first. */
    #if defined(__GNUC__)
    #define KB_TILES 1
    #define KB_VEC(T) T __attribute__((vector_size(64)))
    #define KB_LOAD(V, p) (memcpy(&(V), (p), sizeof(V)))
    #define KB_STORE(p, V) (memcpy((p), &(V), sizeof(V)))
    #else
    #define KB_TILES 0
    #endif
    /* y (R, O) = (y if accumulate else bias (O,) or 0) + cols (R, K) @ w (K, O);
       row r of cols starts at cols + r * LD (rows may overlap: the direct
       kernels read windows straight from the input). */
    #define KB_ROWS_MIX_PLAIN(NAME, T) \
    static inline void NAME(Py_ssize_t r0, Py_ssize_t R, Py_ssize_t o0, Py_ssize_t K, \
                            Py_ssize_t LD, Py_ssize_t O, const T* KB_RESTRICT cols, \
                            const T* KB_RESTRICT w, const T* KB_RESTRICT bias, \
                            T* KB_RESTRICT y, int accumulate) { \
        for (Py_ssize_t r = r0; r < R; r++) { \
            T* KB_RESTRICT yr = y + r * O; \
            const T* KB_RESTRICT cr = cols + r * LD; \
            if (accumulate) {} \
            else if (bias) { for (Py_ssize_t o = o0; o < O; o++) yr[o] = bias[o]; } \
            else { for (Py_ssize_t o = o0; o < O; o++) yr[o] = 0; } \
            for (Py_ssize_t k = 0; k < K; k++) { \
                const T c = cr[k]; \
                const T* KB_RESTRICT wk = w + k * O; \
                for (Py_ssize_t o = o0; o < O; o++) yr[o] += c * wk[o]; \
            } \
        } \
    }
    #define KB_ROWS_MIX(NAME, T) \
    KB_ROWS_MIX_PLAIN(NAME##_plain, T) \
    KB_CLONES static void NAME(Py_ssize_t R, Py_ssize_t K, Py_ssize_t LD, Py_ssize_t O, \
                               const T* KB_RESTRICT cols, const T* KB_RESTRICT w, \
                               const T* KB_RESTRICT bias, T* KB_RESTRICT y, int accumulate) { \
        Py_ssize_t r = 0, OT = 0; \
        if (KB_TILES) { \
            typedef KB_VEC(T) vec; \
            const Py_ssize_t VL = 64 / sizeof(T); \
            OT = O - O % (2 * VL); \
            for (; r + 4 <= R && OT; r += 4) { \
                for (Py_ssize_t o = 0; o < OT; o += 2 * VL) { \
                    vec a[4][2]; \
                    for (int i = 0; i < 4; i++) for (int v = 0; v < 2; v++) { \
                        if (accumulate) KB_LOAD(a[i][v], y + (r + i) * O + o + v * VL); \
                        else if (bias) KB_LOAD(a[i][v], bias + o + v * VL); \
                        else a[i][v] = (vec){0}; \
                    } \
                    for (Py_ssize_t k = 0; k < K; k++) { \
                        vec w0, w1; \
                        KB_LOAD(w0, w + k * O + o); \
                        KB_LOAD(w1, w + k * O + o + VL); \
                        for (int i = 0; i < 4; i++) { \
                            const T c = cols[(r + i) * LD + k]; \
                            a[i][0] += c * w0; \
                            a[i][1] += c * w1; \
                        } \
                    } \
                    for (int i = 0; i < 4; i++) for (int v = 0; v < 2; v++) \
                        KB_STORE(y + (r + i) * O + o + v * VL, a[i][v]); \
                } \
                NAME##_plain(r, r + 4, OT, K, LD, O, cols, w, bias, y, accumulate); \
            } \
        } \
        NAME##_plain(r, R, 0, K, LD, O, cols, w, bias, y, accumulate); \
    }
    /* dw (K, O) = (dw if accumulate else 0) + cols (R, K)^T @ g (R, O); rows
       of cols LD apart, as above; tiles of 4 k x 2 vectors, summed in r order. */
    #define KB_ROWS_OUTER_PLAIN(NAME, T) \
    static inline void NAME(Py_ssize_t k0, Py_ssize_t K1, Py_ssize_t o0, Py_ssize_t R, \
                            Py_ssize_t LD, Py_ssize_t O, const T* KB_RESTRICT cols, \
                            const T* KB_RESTRICT g, T* KB_RESTRICT dw, int accumulate) { \
        if (!accumulate) { \
            for (Py_ssize_t k = k0; k < K1; k++) \
                for (Py_ssize_t o = o0; o < O; o++) dw[k * O + o] = 0; \
        } \
        for (Py_ssize_t r = 0; r < R; r++) { \
            const T* KB_RESTRICT gr = g + r * O; \
            const T* KB_RESTRICT cr = cols + r * LD; \
            for (Py_ssize_t k = k0; k < K1; k++) { \
                const T c = cr[k]; \
                T* KB_RESTRICT dk = dw + k * O; \
                for (Py_ssize_t o = o0; o < O; o++) dk[o] += c * gr[o]; \
            } \
        } \
    }
    #define KB_ROWS_OUTER(NAME, T) \
    KB_ROWS_OUTER_PLAIN(NAME##_plain, T) \
    KB_CLONES static void NAME(Py_ssize_t R, Py_ssize_t K, Py_ssize_t LD, Py_ssize_t O, \
                               const T* KB_RESTRICT cols, const T* KB_RESTRICT g, \
                               T* KB_RESTRICT dw, int accumulate) { \
        Py_ssize_t k = 0, OT = 0; \
        if (KB_TILES) { \
            typedef KB_VEC(T) vec; \
            const Py_ssize_t VL = 64 / sizeof(T); \
            OT = O - O % (2 * VL); \
            for (; k + 4 <= K && OT; k += 4) { \
              if (!R && !accumulate) \
                for (int i = 0; i < 4; i++) for (Py_ssize_t o = 0; o < OT; o++) dw[(k + i) * O + o] = 0; \
              /* Blocks of 256 rows keep g in cache across the tiles of O. */ \
              for (Py_ssize_t rb = 0; rb < R; rb += 256) { \
                const Py_ssize_t re = R - rb < 256 ? R : rb + 256; \
                for (Py_ssize_t o = 0; o < OT; o += 2 * VL) { \
                    vec a[4][2]; \
                    for (int i = 0; i < 4; i++) for (int v = 0; v < 2; v++) { \
                        if (accumulate || rb) KB_LOAD(a[i][v], dw + (k + i) * O + o + v * VL); \
                        else a[i][v] = (vec){0}; \
                    } \
                    for (Py_ssize_t r = rb; r < re; r++) { \
                        vec g0, g1; \
                        KB_LOAD(g0, g + r * O + o); \
                        KB_LOAD(g1, g + r * O + o + VL); \
                        for (int i = 0; i < 4; i++) { \
                            const T c = cols[r * LD + k + i]; \
                            a[i][0] += c * g0; \
                            a[i][1] += c * g1; \
                        } \
                    } \
                    for (int i = 0; i < 4; i++) for (int v = 0; v < 2; v++) \
                        KB_STORE(dw + (k + i) * O + o + v * VL, a[i][v]); \
                } \
              } \
                NAME##_plain(k, k + 4, OT, R, LD, O, cols, g, dw, accumulate); \
            } \
        } \
        NAME##_plain(k, K, 0, R, LD, O, cols, g, dw, accumulate); \
    }
    KB_ROWS_MIX(kb_rows_mix_f, float)
    KB_ROWS_MIX(kb_rows_mix_d, double)
    KB_ROWS_OUTER(kb_rows_outer_f, float)
    KB_ROWS_OUTER(kb_rows_outer_d, double)
    """
    void kb_rows_mix_f(Py_ssize_t R, Py_ssize_t K, Py_ssize_t LD, Py_ssize_t O,
                       const float *cols, const float *w, const float *bias, float *y,
                       int accumulate) noexcept nogil
    void kb_rows_mix_d(Py_ssize_t R, Py_ssize_t K, Py_ssize_t LD, Py_ssize_t O,
                       const double *cols, const double *w, const double *bias, double *y,
                       int accumulate) noexcept nogil
    void kb_rows_outer_f(Py_ssize_t R, Py_ssize_t K, Py_ssize_t LD, Py_ssize_t O,
                         const float *cols, const float *g, float *dw,
                         int accumulate) noexcept nogil
    void kb_rows_outer_d(Py_ssize_t R, Py_ssize_t K, Py_ssize_t LD, Py_ssize_t O,
                         const double *cols, const double *g, double *dw,
                         int accumulate) noexcept nogil


cdef inline void rows_mix(Py_ssize_t R, Py_ssize_t K, Py_ssize_t LD, Py_ssize_t O,
                          const floating *cols, const floating *w, const floating *bias,
                          floating *y, bint accumulate) noexcept nogil:
    if floating is float:
        kb_rows_mix_f(R, K, LD, O, cols, w, bias, y, accumulate)
    else:
        kb_rows_mix_d(R, K, LD, O, cols, w, bias, y, accumulate)


cdef inline void rows_outer(Py_ssize_t R, Py_ssize_t K, Py_ssize_t LD, Py_ssize_t O,
                            const floating *cols, const floating *gy, floating *dw,
                            bint accumulate) noexcept nogil:
    if floating is float:
        kb_rows_outer_f(R, K, LD, O, cols, gy, dw, accumulate)
    else:
        kb_rows_outer_d(R, K, LD, O, cols, gy, dw, accumulate)


# Bytes of patch matrix per chunk (per thread): half of this machine's L2.
CHUNK_BYTES = 1 << 20
# Partial kernel gradients summed in a fixed order (independent of threads).
cdef Py_ssize_t MAX_SLOTS = 16


cdef struct Plan:
    # Chunks: groups of `ipc` whole images, or `cpi` ranges of `rpc` output
    # rows within one image.
    Py_ssize_t ipc, rpc, cpi, ngroups, nchunks, max_rows


cdef Plan make_plan(Geom *g, Py_ssize_t itemsize):
    cdef Plan pl
    cdef Py_ssize_t row_bytes = g.ow * g.kk * itemsize
    cdef Py_ssize_t budget = CHUNK_BYTES
    if g.oh * row_bytes <= budget:
        pl.rpc, pl.cpi = g.oh, 1
        pl.ipc = max(1, min(budget // (g.oh * row_bytes), g.n))
        # Keep at least 8 chunks when the batch allows, for load balance.
        pl.ipc = max(1, min(pl.ipc, (g.n + 7) // 8))
    else:
        pl.ipc = 1
        pl.rpc = max(1, budget // row_bytes)
        pl.cpi = (g.oh + pl.rpc - 1) // pl.rpc
    pl.ngroups = (g.n + pl.ipc - 1) // pl.ipc
    pl.nchunks = pl.ngroups * pl.cpi
    pl.max_rows = pl.ipc * pl.rpc * g.ow
    return pl


# -- im2col / col2im ----------------------------------------------------------------

cdef floating *nhwc_patches(const floating *x, floating *dst, Geom *g, Py_ssize_t n,
                            Py_ssize_t p, Py_ssize_t q0, Py_ssize_t q1, bint add) noexcept nogil:
    """NHWC: the patches (rows of kk values) of output pixels [q0, q1) of output
    row p of image n into dst, or with add, scatter-added from dst into x.
    Returns dst past them."""
    cdef Py_ssize_t q, i, j, cc, r, s, s0, off
    cdef Py_ssize_t c = g.c, h = g.h, w = g.w
    cdef floating *xo
    cdef const floating *src
    for q in range(q0, q1):
        s0 = q * g.sw - g.left
        for i in range(g.kh):
            r = p * g.sh + i * g.dh - g.top
            if r < 0 or r >= h:
                if not add:
                    memset(dst, 0, g.kw * c * sizeof(floating))
                dst += g.kw * c
                continue
            if g.dw == 1 and s0 >= 0 and s0 + g.kw <= w:
                # The window row is kw * c contiguous values.
                off = ((n * h + r) * w + s0) * c
                if add:
                    xo = <floating *>x + off
                    for cc in range(g.kw * c):
                        xo[cc] += dst[cc]
                else:
                    src = x + off
                    for cc in range(g.kw * c):
                        dst[cc] = src[cc]
                dst += g.kw * c
                continue
            for j in range(g.kw):
                s = q * g.sw + j * g.dw - g.left
                if s >= 0 and s < w:
                    off = ((n * h + r) * w + s) * c
                    if add:
                        xo = <floating *>x + off
                        for cc in range(c):
                            xo[cc] += dst[cc]
                    else:
                        src = x + off
                        for cc in range(c):
                            dst[cc] = src[cc]
                elif not add:
                    memset(dst, 0, c * sizeof(floating))
                dst += c
    return dst


cdef void im2col(const floating *x, floating *cols, Geom *g, Py_ssize_t n0, Py_ssize_t n1,
                 Py_ssize_t p0, Py_ssize_t p1, bint add) noexcept nogil:
    """Patches of images [n0, n1), output rows [p0, p1): NHWC gives cols
    (R, K), NCHW gives cols (K, R).  With add, scatter-add cols into x
    instead (col2im; x is then written through a cast)."""
    cdef Py_ssize_t n, p, q, i, j, cc, r, s, R, row, off
    cdef Py_ssize_t c = g.c, h = g.h, w = g.w
    cdef floating *dst
    cdef floating *xo
    cdef const floating *src
    if not g.nchw:
        dst = cols
        for n in range(n0, n1):
            for p in range(p0, p1):
                dst = nhwc_patches(x, dst, g, n, p, 0, g.ow, add)
        return
    R = (n1 - n0) * (p1 - p0) * g.ow
    for i in range(g.kh):
        for j in range(g.kw):
            for cc in range(c):
                row = (i * g.kw + j) * c + cc
                dst = cols + row * R
                for n in range(n0, n1):
                    for p in range(p0, p1):
                        r = p * g.sh + i * g.dh - g.top
                        if r < 0 or r >= h:
                            if not add:
                                memset(dst, 0, g.ow * sizeof(floating))
                            dst += g.ow
                            continue
                        off = ((n * c + cc) * h + r) * w + j * g.dw - g.left
                        if add:
                            xo = <floating *>x + off
                            for q in range(g.ow):
                                s = q * g.sw + j * g.dw - g.left
                                if s >= 0 and s < w:
                                    xo[q * g.sw] += dst[q]
                        else:
                            src = x + off
                            for q in range(g.ow):
                                s = q * g.sw + j * g.dw - g.left
                                dst[q] = src[q * g.sw] if s >= 0 and s < w else 0
                        dst += g.ow


# -- one chunk of each pass -----------------------------------------------------------

cdef void forward_chunk(const floating *x, const floating *wt, const floating *bias,
                        floating *y, floating *cols, Geom *g, Py_ssize_t n0, Py_ssize_t n1,
                        Py_ssize_t p0, Py_ssize_t p1) noexcept nogil:
    cdef Py_ssize_t rows = (p1 - p0) * g.ow, R = (n1 - n0) * rows, OP = g.oh * g.ow
    cdef Py_ssize_t n, r, oc
    cdef floating beta = 1 if bias != NULL else 0
    cdef floating *yc
    im2col(x, cols, g, n0, n1, p0, p1, 0)
    if not g.nchw:
        yc = y + (n0 * g.oh + p0) * g.ow * g.o
        if g.kk <= SMALL_K:
            rows_mix(R, g.kk, g.kk, g.o, cols, wt, bias, yc, 0)
            return
        if bias != NULL:
            for r in range(R):
                for oc in range(g.o):
                    yc[r * g.o + oc] = bias[oc]
        gemm_rm(0, 0, R, g.o, g.kk, 1, cols, g.kk, wt, g.o, beta, yc, g.o)
        return
    for n in range(n0, n1):
        yc = y + n * g.o * OP + p0 * g.ow
        if bias != NULL:
            for oc in range(g.o):
                for r in range(rows):
                    yc[oc * OP + r] = bias[oc]
        # y_n (o, rows) = W^T (o, K) @ cols (K, rows)
        gemm_rm(1, 0, g.o, rows, g.kk, 1, wt, g.o, cols + (n - n0) * rows, R, beta, yc, OP)


cdef void backprop_input_chunk(const floating *gy, const floating *wt, floating *dx,
                               floating *cols, Geom *g, Py_ssize_t n0, Py_ssize_t n1,
                               Py_ssize_t p0, Py_ssize_t p1) noexcept nogil:
    cdef Py_ssize_t rows = (p1 - p0) * g.ow, R = (n1 - n0) * rows, OP = g.oh * g.ow
    cdef Py_ssize_t n
    if not g.nchw:
        # dcols (R, K) = g (R, o) @ W^T
        gemm_rm(0, 1, R, g.kk, g.o, 1, gy + (n0 * g.oh + p0) * g.ow * g.o, g.o, wt, g.o,
                0, cols, g.kk)
    else:
        for n in range(n0, n1):
            # dcols (K, rows) = W (K, o) @ g_n (o, rows)
            gemm_rm(0, 0, g.kk, rows, g.o, 1, wt, g.o, gy + n * g.o * OP + p0 * g.ow, OP,
                    0, cols + (n - n0) * rows, R)
    im2col(dx, cols, g, n0, n1, p0, p1, 1)


cdef void backprop_kernel_chunk(const floating *x, const floating *gy, floating *dw,
                                floating *cols, Geom *g, Py_ssize_t n0, Py_ssize_t n1,
                                Py_ssize_t p0, Py_ssize_t p1, floating beta) noexcept nogil:
    cdef Py_ssize_t rows = (p1 - p0) * g.ow, R = (n1 - n0) * rows, OP = g.oh * g.ow
    cdef Py_ssize_t n
    im2col(x, cols, g, n0, n1, p0, p1, 0)
    if not g.nchw:
        if g.kk <= SMALL_K:
            rows_outer(R, g.kk, g.kk, g.o, cols, gy + (n0 * g.oh + p0) * g.ow * g.o, dw,
                       beta != 0)
            return
        # dW (K, o) += cols^T (K, R) @ g (R, o)
        gemm_rm(1, 0, g.kk, g.o, R, 1, cols, g.kk, gy + (n0 * g.oh + p0) * g.ow * g.o, g.o,
                beta, dw, g.o)
        return
    for n in range(n0, n1):
        # dW (K, o) += cols (K, rows) @ g_n^T (rows, o)
        gemm_rm(0, 1, g.kk, g.o, rows, 1, cols + (n - n0) * rows, R,
                gy + n * g.o * OP + p0 * g.ow, OP, beta, dw, g.o)
        beta = 1


# -- direct NHWC kernels for narrow patches (few input channels) -----------------------

cdef inline bint direct(Geom *g) noexcept nogil:
    # Up to SMALL_K, im2col's one pass over y beats kh passes (1 channel, 2x2 at 2 threads).
    return not g.nchw and g.dw == 1 and SMALL_K < g.kk <= DIRECT_K


cdef inline void interior(Geom *g, Py_ssize_t *qa, Py_ssize_t *qb) noexcept nogil:
    """Output columns [qa, qb) whose windows lie inside the input's width: each
    of their window rows is kw * c values of x in a row, sw * c apart."""
    cdef Py_ssize_t room = g.w + g.left - g.kw
    qa[0] = min((g.left + g.sw - 1) // g.sw, g.ow)
    qb[0] = max(qa[0], min(g.ow, room // g.sw + 1)) if room >= 0 else qa[0]


cdef void direct_forward_row(const floating *x, const floating *wt, const floating *bias,
                             floating *y, floating *buf, Geom *g, Py_ssize_t n,
                             Py_ssize_t p) noexcept nogil:
    """Output row p of image n: inside columns straight from x, one product per
    kernel row; border columns through their patches in buf."""
    cdef Py_ssize_t qa, qb, i, r, seg = g.kw * g.c
    cdef floating *yr = y + (n * g.oh + p) * g.ow * g.o
    cdef bint started = 0
    interior(g, &qa, &qb)
    for i in range(g.kh):
        r = p * g.sh + i * g.dh - g.top
        if r < 0 or r >= g.h:
            continue
        rows_mix(qb - qa, seg, g.sw * g.c, g.o, x + ((n * g.h + r) * g.w + qa * g.sw - g.left) * g.c,
                 wt + i * seg * g.o, bias, yr + qa * g.o, started)
        started = 1
    if not started:             # every window row in the padding: bias only
        rows_mix(qb - qa, 0, 0, g.o, x, wt, bias, yr + qa * g.o, 0)
    nhwc_patches(x, buf, g, n, p, 0, qa, 0)
    rows_mix(qa, g.kk, g.kk, g.o, buf, wt, bias, yr, 0)
    nhwc_patches(x, buf, g, n, p, qb, g.ow, 0)
    rows_mix(g.ow - qb, g.kk, g.kk, g.o, buf, wt, bias, yr + qb * g.o, 0)


cdef void direct_kernel_row(const floating *x, const floating *gy, floating *dw,
                            floating *buf, Geom *g, Py_ssize_t n, Py_ssize_t p) noexcept nogil:
    """dw += the kernel gradient of output row p of image n (inside columns,
    then the left and right border columns: a fixed order)."""
    cdef Py_ssize_t qa, qb, i, r, seg = g.kw * g.c
    cdef const floating *gr = gy + (n * g.oh + p) * g.ow * g.o
    interior(g, &qa, &qb)
    for i in range(g.kh):
        r = p * g.sh + i * g.dh - g.top
        if r < 0 or r >= g.h:
            continue
        rows_outer(qb - qa, seg, g.sw * g.c, g.o,
                   x + ((n * g.h + r) * g.w + qa * g.sw - g.left) * g.c, gr + qa * g.o,
                   dw + i * seg * g.o, 1)
    nhwc_patches(x, buf, g, n, p, 0, qa, 0)
    rows_outer(qa, g.kk, g.kk, g.o, buf, gr, dw, 1)
    nhwc_patches(x, buf, g, n, p, qb, g.ow, 0)
    rows_outer(g.ow - qb, g.kk, g.kk, g.o, buf, gr + qb * g.o, dw, 1)


# -- entry points ------------------------------------------------------------------------

def conv2d_forward(x, kernel, bias, out, strides, pads, dilation, nchw, n_threads):
    """out = conv2d(x, kernel) (+ bias, a 1-D array of out channels, or None)."""
    op = 'conv2d_forward'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint nc = ck.flag(op, 'nchw', nchw)
    cdef int t = ck.floats(op, 'x', x, 4)
    ck.array(op, 'kernel', kernel, 4, t, False)
    if bias is not None:
        ck.array(op, 'bias', bias, 1, t, False)
    ck.array(op, 'out', out, 4, t, True)
    if t == cnp.NPY_FLOAT:
        _conv2d_forward[float](x, kernel, bias, out, strides, pads, dilation, nc, nt)
    else:
        _conv2d_forward[double](x, kernel, bias, out, strides, pads, dilation, nc, nt)


cdef int _conv2d_forward(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] kernel, bias,
                         floating[:, :, :, ::1] out, strides, pads, dilation, bint nchw,
                         int n_threads) except -1:
    cdef Geom g
    make_geom(&g, 'conv2d_forward', &x.shape[0], &kernel.shape[0], &out.shape[0], strides,
              pads, dilation, nchw, 0, ('x', 'kernel', 'out'))
    cdef const floating *bp = bias_data('conv2d_forward', bias, g.o, <floating>0)
    if g.n == 0:
        return 0
    cdef Plan pl = make_plan(&g, sizeof(floating))
    cdef Py_ssize_t bi, n0, n1, p0, p1, row
    cdef bint is_direct = direct(&g)
    cdef floating *cols
    cdef const floating *xp = &x[0, 0, 0, 0]
    cdef const floating *wp = &kernel[0, 0, 0, 0]
    cdef floating *yp = &out[0, 0, 0, 0]
    cdef int failed[1]
    failed[0] = 0
    with nogil, parallel(num_threads=n_threads):
        # The direct kernel needs the patches of one row's border columns only.
        cols = <floating *>malloc((g.ow if is_direct else pl.max_rows) * g.kk * sizeof(floating))
        if cols == NULL:
            failed[0] = 1
        elif is_direct:
            for row in prange(g.n * g.oh, schedule='static'):
                direct_forward_row(xp, wp, bp, yp, cols, &g, row // g.oh, row % g.oh)
            free(cols)
        else:
            for bi in prange(pl.nchunks, schedule='dynamic'):
                n0 = (bi // pl.cpi) * pl.ipc
                n1 = min(g.n, n0 + pl.ipc)
                p0 = (bi % pl.cpi) * pl.rpc
                p1 = min(g.oh, p0 + pl.rpc)
                forward_chunk(xp, wp, bp, yp, cols, &g, n0, n1, p0, p1)
            free(cols)
    if failed[0]:
        raise MemoryError('conv2d_forward: cannot allocate the patch buffer')
    return 0


def conv2d_backprop_input(grad, kernel, out, strides, pads, dilation, nchw, n_threads):
    """out (the input's shape) = the adjoint of conv2d in x, applied to grad."""
    op = 'conv2d_backprop_input'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint nc = ck.flag(op, 'nchw', nchw)
    cdef int t = ck.floats(op, 'grad', grad, 4)
    ck.array(op, 'kernel', kernel, 4, t, False)
    ck.array(op, 'out', out, 4, t, True)
    if t == cnp.NPY_FLOAT:
        _conv2d_backprop_input[float](grad, kernel, out, strides, pads, dilation, nc, nt)
    else:
        _conv2d_backprop_input[double](grad, kernel, out, strides, pads, dilation, nc, nt)


cdef int _conv2d_backprop_input(const floating[:, :, :, ::1] grad, const floating[:, :, :, ::1] kernel,
                                floating[:, :, :, ::1] out, strides, pads, dilation, bint nchw,
                                int n_threads) except -1:
    cdef Geom g
    make_geom(&g, 'conv2d_backprop_input', &out.shape[0], &kernel.shape[0], &grad.shape[0],
              strides, pads, dilation, nchw, 0, ('out', 'kernel', 'grad'))
    if g.n == 0:
        return 0
    cdef Plan pl = make_plan(&g, sizeof(floating))
    cdef Py_ssize_t u, k, n0, n1, p0, p1
    cdef Py_ssize_t img = g.c * g.h * g.w
    cdef floating *cols
    cdef const floating *gp = &grad[0, 0, 0, 0]
    cdef const floating *wp = &kernel[0, 0, 0, 0]
    cdef floating *dxp = &out[0, 0, 0, 0]
    cdef int failed[1]
    failed[0] = 0
    with nogil, parallel(num_threads=n_threads):
        cols = <floating *>malloc(pl.max_rows * g.kk * sizeof(floating))
        if cols == NULL:
            failed[0] = 1
        else:
            # A group of images belongs to one thread: col2im of its row chunks overlap.
            for u in prange(pl.ngroups, schedule='dynamic'):
                n0 = u * pl.ipc
                n1 = min(g.n, n0 + pl.ipc)
                memset(dxp + n0 * img, 0, (n1 - n0) * img * sizeof(floating))
                for k in range(pl.cpi):
                    p0 = k * pl.rpc
                    p1 = min(g.oh, p0 + pl.rpc)
                    backprop_input_chunk(gp, wp, dxp, cols, &g, n0, n1, p0, p1)
            free(cols)
    if failed[0]:
        raise MemoryError('conv2d_backprop_input: cannot allocate the patch buffer')
    return 0


def conv2d_backprop_kernel(x, grad, out, strides, pads, dilation, nchw, n_threads):
    """out (the kernel's shape) = d<grad, conv2d(x, kernel)>/dkernel."""
    op = 'conv2d_backprop_kernel'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint nc = ck.flag(op, 'nchw', nchw)
    cdef int t = ck.floats(op, 'x', x, 4)
    ck.array(op, 'grad', grad, 4, t, False)
    ck.array(op, 'out', out, 4, t, True)
    if t == cnp.NPY_FLOAT:
        _conv2d_backprop_kernel[float](x, grad, out, strides, pads, dilation, nc, nt)
    else:
        _conv2d_backprop_kernel[double](x, grad, out, strides, pads, dilation, nc, nt)


cdef int _conv2d_backprop_kernel(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] grad,
                                 floating[:, :, :, ::1] out, strides, pads, dilation, bint nchw,
                                 int n_threads) except -1:
    cdef Geom g
    make_geom(&g, 'conv2d_backprop_kernel', &x.shape[0], &out.shape[0], &grad.shape[0],
              strides, pads, dilation, nchw, 0, ('x', 'out', 'grad'))
    cdef Py_ssize_t size = g.kk * g.o
    cdef floating *dwp = &out[0, 0, 0, 0]
    if g.n == 0:
        memset(dwp, 0, size * sizeof(floating))
        return 0
    cdef Plan pl = make_plan(&g, sizeof(floating))
    cdef bint is_direct = direct(&g)
    # Direct: slots sum runs of output rows; otherwise runs of chunks.
    cdef Py_ssize_t units = g.n * g.oh if is_direct else pl.nchunks
    cdef Py_ssize_t nslots = min(units, MAX_SLOTS)
    cdef Py_ssize_t s, bi, first, e, n0, n1, p0, p1, row
    cdef floating *cols
    cdef floating *part
    cdef floating acc
    cdef const floating *xp = &x[0, 0, 0, 0]
    cdef const floating *gp = &grad[0, 0, 0, 0]
    cdef int failed[1]
    failed[0] = 0
    part = dwp if nslots == 1 else <floating *>malloc(nslots * size * sizeof(floating))
    if part == NULL:
        raise MemoryError('conv2d_backprop_kernel: cannot allocate the partial sums')
    with nogil, parallel(num_threads=n_threads):
        cols = <floating *>malloc((g.ow if is_direct else pl.max_rows) * g.kk * sizeof(floating))
        if cols == NULL:
            failed[0] = 1
        elif is_direct:
            # Slot s sums a fixed run of output rows in order: no dependence on threads.
            for s in prange(nslots, schedule='dynamic'):
                memset(part + s * size, 0, size * sizeof(floating))
                for row in range(s * units // nslots, (s + 1) * units // nslots):
                    direct_kernel_row(xp, gp, part + s * size, cols, &g, row // g.oh,
                                      row % g.oh)
            free(cols)
        else:
            # Slot s sums a fixed run of chunks in order: no dependence on threads.
            for s in prange(nslots, schedule='dynamic'):
                first = s * pl.nchunks // nslots
                for bi in range(first, (s + 1) * pl.nchunks // nslots):
                    n0 = (bi // pl.cpi) * pl.ipc
                    n1 = min(g.n, n0 + pl.ipc)
                    p0 = (bi % pl.cpi) * pl.rpc
                    p1 = min(g.oh, p0 + pl.rpc)
                    backprop_kernel_chunk(xp, gp, part + s * size, cols, &g, n0, n1, p0, p1,
                                          0 if bi == first else 1)
            free(cols)
    if nslots > 1:
        if not failed[0]:
            for e in prange(size, nogil=True, schedule='static', num_threads=n_threads):
                acc = 0
                for s in range(nslots):
                    acc = acc + part[s * size + e]
                dwp[e] = acc
        free(part)
    if failed[0]:
        raise MemoryError('conv2d_backprop_kernel: cannot allocate the patch buffer')
    return 0


# -- depthwise conv2d: direct loops (per-channel products have no GEMM form) -------------

cdef struct Strides:
    # Element strides of an activation (image, channel, row, column).
    Py_ssize_t n, c, r, s


cdef inline Strides layout(bint nchw, Py_ssize_t h, Py_ssize_t w, Py_ssize_t c) noexcept nogil:
    cdef Strides st
    if nchw:
        st.n, st.c, st.r, st.s = c * h * w, h * w, w, 1
    else:
        st.n, st.c, st.r, st.s = h * w * c, 1, w * c, c
    return st


cdef void dw_forward_row(const floating *x, const floating *wt, const floating *bias,
                         floating *y, Geom *g, Strides *xs, Strides *ys, Py_ssize_t n,
                         Py_ssize_t p) noexcept nogil:
    cdef Py_ssize_t q, i, j, r, s, cc, k, co, m = g.m
    cdef floating xv
    cdef floating *yb
    cdef const floating *xb
    cdef const floating *wb
    for q in range(g.ow):
        yb = y + n * ys.n + p * ys.r + q * ys.s
        for co in range(g.o):
            yb[co * ys.c] = bias[co] if bias != NULL else 0
        for i in range(g.kh):
            r = p * g.sh + i * g.dh - g.top
            if r < 0 or r >= g.h:
                continue
            for j in range(g.kw):
                s = q * g.sw + j * g.dw - g.left
                if s < 0 or s >= g.w:
                    continue
                xb = x + n * xs.n + r * xs.r + s * xs.s
                wb = wt + (i * g.kw + j) * g.c * m
                for cc in range(g.c):
                    xv = xb[cc * xs.c]
                    for k in range(m):
                        yb[(cc * m + k) * ys.c] += xv * wb[cc * m + k]


cdef void dw_backprop_input_row(const floating *gy, const floating *wt, floating *dx, Geom *g,
                                Strides *xs, Strides *ys, Py_ssize_t n,
                                Py_ssize_t hr) noexcept nogil:
    # A gather: every dx element is summed by one thread in a fixed order.
    cdef Py_ssize_t wc, i, j, t, u, p, q, cc, k, m = g.m
    cdef floating acc
    cdef floating *xb
    cdef const floating *gb
    cdef const floating *wb
    for wc in range(g.w):
        xb = dx + n * xs.n + hr * xs.r + wc * xs.s
        for cc in range(g.c):
            xb[cc * xs.c] = 0
        for i in range(g.kh):
            t = hr + g.top - i * g.dh
            if t < 0 or t % g.sh != 0 or t // g.sh >= g.oh:
                continue
            p = t // g.sh
            for j in range(g.kw):
                u = wc + g.left - j * g.dw
                if u < 0 or u % g.sw != 0 or u // g.sw >= g.ow:
                    continue
                q = u // g.sw
                gb = gy + n * ys.n + p * ys.r + q * ys.s
                wb = wt + (i * g.kw + j) * g.c * m
                for cc in range(g.c):
                    acc = 0
                    for k in range(m):
                        acc = acc + gb[(cc * m + k) * ys.c] * wb[cc * m + k]
                    xb[cc * xs.c] += acc


cdef void dw_backprop_kernel_image(const floating *x, const floating *gy, floating *dw, Geom *g,
                                   Strides *xs, Strides *ys, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t p, q, i, j, r, s, cc, k, m = g.m
    cdef floating xv
    cdef const floating *xb
    cdef const floating *gb
    cdef floating *db
    for p in range(g.oh):
        for q in range(g.ow):
            gb = gy + n * ys.n + p * ys.r + q * ys.s
            for i in range(g.kh):
                r = p * g.sh + i * g.dh - g.top
                if r < 0 or r >= g.h:
                    continue
                for j in range(g.kw):
                    s = q * g.sw + j * g.dw - g.left
                    if s < 0 or s >= g.w:
                        continue
                    xb = x + n * xs.n + r * xs.r + s * xs.s
                    db = dw + (i * g.kw + j) * g.c * m
                    for cc in range(g.c):
                        xv = xb[cc * xs.c]
                        for k in range(m):
                            db[cc * m + k] += xv * gb[(cc * m + k) * ys.c]


def depthwise_conv2d_forward(x, kernel, bias, out, strides, pads, dilation, nchw, n_threads):
    """out = depthwise_conv2d(x, kernel) (+ bias of c * multiplier entries, or None)."""
    op = 'depthwise_conv2d_forward'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint nc = ck.flag(op, 'nchw', nchw)
    cdef int t = ck.floats(op, 'x', x, 4)
    ck.array(op, 'kernel', kernel, 4, t, False)
    if bias is not None:
        ck.array(op, 'bias', bias, 1, t, False)
    ck.array(op, 'out', out, 4, t, True)
    if t == cnp.NPY_FLOAT:
        _depthwise_conv2d_forward[float](x, kernel, bias, out, strides, pads, dilation, nc, nt)
    else:
        _depthwise_conv2d_forward[double](x, kernel, bias, out, strides, pads, dilation, nc, nt)


cdef int _depthwise_conv2d_forward(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] kernel, bias,
                                   floating[:, :, :, ::1] out, strides, pads, dilation, bint nchw,
                                   int n_threads) except -1:
    cdef Geom g
    make_geom(&g, 'depthwise_conv2d_forward', &x.shape[0], &kernel.shape[0], &out.shape[0],
              strides, pads, dilation, nchw, 1, ('x', 'kernel', 'out'))
    cdef const floating *bp = bias_data('depthwise_conv2d_forward', bias, g.o, <floating>0)
    if g.n == 0:
        return 0
    cdef Strides xs = layout(nchw, g.h, g.w, g.c), ys = layout(nchw, g.oh, g.ow, g.o)
    cdef Py_ssize_t row
    cdef const floating *xp = &x[0, 0, 0, 0]
    cdef const floating *wp = &kernel[0, 0, 0, 0]
    cdef floating *yp = &out[0, 0, 0, 0]
    for row in prange(g.n * g.oh, nogil=True, schedule='static', num_threads=n_threads):
        dw_forward_row(xp, wp, bp, yp, &g, &xs, &ys, row // g.oh, row % g.oh)
    return 0


def depthwise_conv2d_backprop_input(grad, kernel, out, strides, pads, dilation, nchw, n_threads):
    op = 'depthwise_conv2d_backprop_input'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint nc = ck.flag(op, 'nchw', nchw)
    cdef int t = ck.floats(op, 'grad', grad, 4)
    ck.array(op, 'kernel', kernel, 4, t, False)
    ck.array(op, 'out', out, 4, t, True)
    if t == cnp.NPY_FLOAT:
        _depthwise_conv2d_backprop_input[float](grad, kernel, out, strides, pads, dilation, nc, nt)
    else:
        _depthwise_conv2d_backprop_input[double](grad, kernel, out, strides, pads, dilation, nc, nt)


cdef int _depthwise_conv2d_backprop_input(const floating[:, :, :, ::1] grad,
                                          const floating[:, :, :, ::1] kernel, floating[:, :, :, ::1] out,
                                          strides, pads, dilation, bint nchw,
                                          int n_threads) except -1:
    cdef Geom g
    make_geom(&g, 'depthwise_conv2d_backprop_input', &out.shape[0], &kernel.shape[0],
              &grad.shape[0], strides, pads, dilation, nchw, 1, ('out', 'kernel', 'grad'))
    if g.n == 0:
        return 0
    cdef Strides xs = layout(nchw, g.h, g.w, g.c), ys = layout(nchw, g.oh, g.ow, g.o)
    cdef Py_ssize_t row
    cdef const floating *gp = &grad[0, 0, 0, 0]
    cdef const floating *wp = &kernel[0, 0, 0, 0]
    cdef floating *dxp = &out[0, 0, 0, 0]
    for row in prange(g.n * g.h, nogil=True, schedule='static', num_threads=n_threads):
        dw_backprop_input_row(gp, wp, dxp, &g, &xs, &ys, row // g.h, row % g.h)
    return 0


def depthwise_conv2d_backprop_kernel(x, grad, out, strides, pads, dilation, nchw, n_threads):
    op = 'depthwise_conv2d_backprop_kernel'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint nc = ck.flag(op, 'nchw', nchw)
    cdef int t = ck.floats(op, 'x', x, 4)
    ck.array(op, 'grad', grad, 4, t, False)
    ck.array(op, 'out', out, 4, t, True)
    if t == cnp.NPY_FLOAT:
        _depthwise_conv2d_backprop_kernel[float](x, grad, out, strides, pads, dilation, nc, nt)
    else:
        _depthwise_conv2d_backprop_kernel[double](x, grad, out, strides, pads, dilation, nc, nt)


cdef int _depthwise_conv2d_backprop_kernel(const floating[:, :, :, ::1] x,
                                           const floating[:, :, :, ::1] grad, floating[:, :, :, ::1] out,
                                           strides, pads, dilation, bint nchw,
                                           int n_threads) except -1:
    cdef Geom g
    make_geom(&g, 'depthwise_conv2d_backprop_kernel', &x.shape[0], &out.shape[0],
              &grad.shape[0], strides, pads, dilation, nchw, 1, ('x', 'out', 'grad'))
    cdef Py_ssize_t size = g.kh * g.kw * g.c * g.m
    cdef Py_ssize_t nslots = min(g.n, MAX_SLOTS)
    cdef Py_ssize_t s, n, e
    cdef floating acc
    cdef floating *dwp = &out[0, 0, 0, 0]
    cdef Strides xs = layout(nchw, g.h, g.w, g.c), ys = layout(nchw, g.oh, g.ow, g.o)
    cdef const floating *xp = &x[0, 0, 0, 0]
    cdef const floating *gp = &grad[0, 0, 0, 0]
    if nslots == 0:
        memset(dwp, 0, size * sizeof(floating))
        return 0
    # Slot s sums a fixed run of images: the result does not depend on threads.
    cdef floating *part = <floating *>malloc(nslots * size * sizeof(floating))
    if part == NULL:
        raise MemoryError('depthwise_conv2d_backprop_kernel: cannot allocate the partial sums')
    memset(part, 0, nslots * size * sizeof(floating))
    for s in prange(nslots, nogil=True, schedule='static', num_threads=n_threads):
        for n in range(s * g.n // nslots, (s + 1) * g.n // nslots):
            dw_backprop_kernel_image(xp, gp, part + s * size, &g, &xs, &ys, n)
    for e in prange(size, nogil=True, schedule='static', num_threads=n_threads):
        acc = 0
        for s in range(nslots):
            acc = acc + part[s * size + e]
        dwp[e] = acc
    free(part)
    return 0
