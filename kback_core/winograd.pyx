# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Winograd F(2x2, 3x3): 3x3 convolutions of stride 1 and dilation 1 with
2.25x fewer multiplies than im2col + GEMM (16 per 2x2 output tile and channel
pair instead of 36).

    U = G g G^T     the kernel, once per call        -> (16, in, out)
    V = B^T d B     each 4x4 input tile, per chunk   -> (16, tiles, in)
    M[k] = V[k] @ U[k]  16 GEMMs per chunk           -> (16, tiles, out)
    y = A^T M A (+ bias) into the 2x2 output tile; edge tiles are cut.

The input gradient of such a conv is the same correlation of the output
gradient with the kernel turned 180 degrees and its channel axes swapped
(pads 2 - pad): both go through one kernel.  The kernel gradient is
F(3x3, 2x2) over the output gradient's 2x2 tiles: the same V, the tiles'
G' g G'^T (16, tiles, out), dW = A'^T (sum over tiles of V[k]^T @ that) A'.
The transforms are C loops in _winograd.h.

Arrays are 4-D C-contiguous, NHWC (nchw=0) or NCHW (nchw=1), the kernel
(3, 3, in, out) in both.  Output tiles (image, tile row, tile column) are cut
into chunks whose V and M fit in the L2 cache; the cut depends on the shapes
only and each output is computed by one chunk in a fixed order (kernel
gradient: fixed runs of chunks summed into slots, added in order), so results
are identical at any thread count.  BLAS is called from inside prange: the
Python wrapper must hold BLAS to one thread around these calls.
"""
from cython.parallel cimport prange, parallel
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy, memset

cimport numpy as cnp

from ._typedefs cimport floating
from ._blas cimport gemm_rm
from . cimport _checks as ck

cnp.import_array()      # the checks use numpy's C API
from ._conv_geometry cimport Geom, make_geom, bias_data

# Bytes of V and M per chunk (per thread): one core's L2 on this machine.
CHUNK_BYTES = 1 << 20
# Elements between the 16 matrices of a chunk beyond their size (see make_plan).
cdef Py_ssize_t SKEW = 16
# Partial kernel gradients summed in a fixed order (independent of threads).
cdef Py_ssize_t MAX_SLOTS = 16
# Channel pairs per task when the kernel gradient's slots are summed.
cdef Py_ssize_t OUT_RUN = 256

cdef extern from "_winograd.h":
    void kb_wino_in_f(Py_ssize_t C, const float **d, float *v, Py_ssize_t vs) noexcept nogil
    void kb_wino_in_d(Py_ssize_t C, const double **d, double *v, Py_ssize_t vs) noexcept nogil
    void kb_wino_out_f(Py_ssize_t O, const float *m, Py_ssize_t ms, const float *bias,
                       float *y0, float *y1, float *y2, float *y3) noexcept nogil
    void kb_wino_out_d(Py_ssize_t O, const double *m, Py_ssize_t ms, const double *bias,
                       double *y0, double *y1, double *y2, double *y3) noexcept nogil
    void kb_wino_kin_f(Py_ssize_t E, const float *g, Py_ssize_t gs, int rotate, float *u,
                       Py_ssize_t us) noexcept nogil
    void kb_wino_kin_d(Py_ssize_t E, const double *g, Py_ssize_t gs, int rotate, double *u,
                       Py_ssize_t us) noexcept nogil
    void kb_wino_kout_f(Py_ssize_t E, const float *m, Py_ssize_t ms, float *dw,
                        Py_ssize_t ds) noexcept nogil
    void kb_wino_kout_d(Py_ssize_t E, const double *m, Py_ssize_t ms, double *dw,
                        Py_ssize_t ds) noexcept nogil
    void kb_wino_grad_f(Py_ssize_t O, const float *g0, const float *g1, const float *g2,
                        const float *g3, float *v, Py_ssize_t vs) noexcept nogil
    void kb_wino_grad_d(Py_ssize_t O, const double *g0, const double *g1, const double *g2,
                        const double *g3, double *v, Py_ssize_t vs) noexcept nogil
    void kb_wino_grad_row_f(Py_ssize_t nt, const float *g0, const float *g1, float *v,
                            Py_ssize_t vs) noexcept nogil
    void kb_wino_grad_row_d(Py_ssize_t nt, const double *g0, const double *g1, double *v,
                            Py_ssize_t vs) noexcept nogil
    void kb_wino_in_row_f(Py_ssize_t nt, const float *d0, const float *d1, const float *d2,
                          const float *d3, float *v, Py_ssize_t vs) noexcept nogil
    void kb_wino_in_row_d(Py_ssize_t nt, const double *d0, const double *d1, const double *d2,
                          const double *d3, double *v, Py_ssize_t vs) noexcept nogil
    void kb_wino_out_row_f(Py_ssize_t nt, const float *m, Py_ssize_t ms, float bias, float *y0,
                           float *y1) noexcept nogil
    void kb_wino_out_row_d(Py_ssize_t nt, const double *m, Py_ssize_t ms, double bias,
                           double *y0, double *y1) noexcept nogil


cdef inline void in_transform(Py_ssize_t C, const floating **d, floating *v,
                              Py_ssize_t vs) noexcept nogil:
    if floating is float:
        kb_wino_in_f(C, d, v, vs)
    else:
        kb_wino_in_d(C, d, v, vs)


cdef inline void out_transform(Py_ssize_t O, const floating *m, Py_ssize_t ms,
                               const floating *bias, floating **y) noexcept nogil:
    if floating is float:
        kb_wino_out_f(O, m, ms, bias, y[0], y[1], y[2], y[3])
    else:
        kb_wino_out_d(O, m, ms, bias, y[0], y[1], y[2], y[3])


cdef inline void in_row(Py_ssize_t nt, floating *d, Py_ssize_t ld, floating *v,
                        Py_ssize_t vs) noexcept nogil:
    if floating is float:
        kb_wino_in_row_f(nt, d, d + ld, d + 2 * ld, d + 3 * ld, v, vs)
    else:
        kb_wino_in_row_d(nt, d, d + ld, d + 2 * ld, d + 3 * ld, v, vs)


cdef inline void out_row(Py_ssize_t nt, const floating *m, Py_ssize_t ms, floating bias,
                         floating *y, Py_ssize_t ld) noexcept nogil:
    if floating is float:
        kb_wino_out_row_f(nt, m, ms, bias, y, y + ld)
    else:
        kb_wino_out_row_d(nt, m, ms, bias, y, y + ld)


cdef inline void grad_transform(Py_ssize_t O, const floating **g, floating *v,
                                Py_ssize_t vs) noexcept nogil:
    if floating is float:
        kb_wino_grad_f(O, g[0], g[1], g[2], g[3], v, vs)
    else:
        kb_wino_grad_d(O, g[0], g[1], g[2], g[3], v, vs)


cdef inline void grad_row(Py_ssize_t nt, const floating *g, Py_ssize_t ld, floating *v,
                          Py_ssize_t vs) noexcept nogil:
    if floating is float:
        kb_wino_grad_row_f(nt, g, g + ld, v, vs)
    else:
        kb_wino_grad_row_d(nt, g, g + ld, v, vs)


cdef struct Wino:
    # A correlation of x (n, h, w, c in its layout) with a 3x3 kernel into y
    # (n, oh, ow, o): output (p, q) reads input rows p - top.., columns q - left..
    # (top and left may be negative: the input gradient crops).
    Py_ssize_t n, h, w, c, o, oh, ow, top, left
    bint nchw
    # Tiles of 2x2 outputs: th x tw per image, chunks of `chunk` tiles.
    Py_ssize_t th, tw, tiles, chunk, nchunks
    # Element strides in a chunk's v and m: between their 16 matrices, and
    # (NCHW) between the rows of one matrix.
    Py_ssize_t vs, ms, ld
    # Per-thread scratch: a row of `zeros` zeros (the padding), then `buf`
    # values (NCHW rows of tiles; NHWC: where outputs past the edge go).
    Py_ssize_t zeros, buf


cdef int make_plan(Wino *p, Py_ssize_t itemsize) except -1:
    """The tiles, chunks, strides and scratch of p's correlation."""
    p.th, p.tw = (p.oh + 1) // 2, (p.ow + 1) // 2
    p.tiles = p.n * p.th * p.tw
    p.chunk = max(1, CHUNK_BYTES // (16 * (p.c + p.o) * itemsize))
    # At least 8 chunks where a chunk keeps 16 tiles or more, for load balance.
    p.chunk = max(min(p.chunk, (p.tiles + 7) // 8), min(16, p.chunk))
    p.nchunks = (p.tiles + p.chunk - 1) // p.chunk
    # Strides of a power of two put the 16 matrices (or a matrix's rows) in
    # the same cache sets: SKEW more apart, a 32x32 NCHW conv ran 3.3x faster.
    p.ld = p.chunk + SKEW if p.nchw else 0
    p.vs = (p.c * p.ld if p.nchw else p.c * p.chunk) + SKEW
    p.ms = (p.o * p.ld if p.nchw else p.o * p.chunk) + SKEW
    p.zeros = max(p.c, p.o)
    p.buf = max(p.o, 12 * p.tw + 8)
    return 0


cdef void kernel_transform(const floating *g, floating *u, Py_ssize_t c, Py_ssize_t o,
                           bint backprop, floating *tmp) noexcept nogil:
    """u (16, c, o) = G g G^T for each channel pair of the (3, 3, c, o) kernel g;
    backprop: u (16, o, c) from g turned 180 degrees, its channel axes swapped
    (transformed into tmp (16, c, o), then each matrix transposed)."""
    cdef Py_ssize_t plane = c * o, k, i, j
    cdef floating *dst = tmp if backprop else u
    if floating is float:
        kb_wino_kin_f(plane, g, plane, backprop, dst, plane)
    else:
        kb_wino_kin_d(plane, g, plane, backprop, dst, plane)
    if backprop:
        for k in range(16):
            for i in range(c):
                for j in range(o):
                    u[k * plane + j * c + i] = tmp[k * plane + i * o + j]


cdef inline void tile_origin(Wino *p, Py_ssize_t tile, Py_ssize_t *n, Py_ssize_t *r,
                             Py_ssize_t *s) noexcept nogil:
    """Image and top-left output pixel of a tile."""
    cdef Py_ssize_t img = p.th * p.tw
    n[0] = tile // img
    r[0] = 2 * ((tile % img) // p.tw)
    s[0] = 2 * (tile % p.tw)


cdef void nhwc_chunk_in(const floating *x, floating *v, Wino *p, Py_ssize_t t0,
                        Py_ssize_t nt, const floating *zero) noexcept nogil:
    """v (16, chunk, c) = B^T d B of tiles [t0, t0 + nt); zero: c zeros (padding)."""
    cdef Py_ssize_t t, a, b, n, r0, s0, r, s
    cdef const floating *rows[16]
    for t in range(nt):
        tile_origin(p, t0 + t, &n, &r0, &s0)
        for a in range(4):
            r = r0 - p.top + a
            for b in range(4):
                s = s0 - p.left + b
                if r < 0 or r >= p.h or s < 0 or s >= p.w:
                    rows[4 * a + b] = zero
                else:
                    rows[4 * a + b] = x + ((n * p.h + r) * p.w + s) * p.c
        in_transform(p.c, rows, v + t * p.c, p.vs)


cdef void nhwc_chunk_out(const floating *m, const floating *bias, floating *y, Wino *p,
                         Py_ssize_t t0, Py_ssize_t nt, floating *sink) noexcept nogil:
    """y tiles [t0, t0 + nt) = A^T m A (+ bias), m (16, chunk, o); outputs
    past the edge go to sink (o values)."""
    cdef Py_ssize_t t, a, b, n, r0, s0, r, s
    cdef floating *outs[4]
    for t in range(nt):
        tile_origin(p, t0 + t, &n, &r0, &s0)
        for a in range(2):
            for b in range(2):
                r, s = r0 + a, s0 + b
                if r < p.oh and s < p.ow:
                    outs[2 * a + b] = y + ((n * p.oh + r) * p.ow + s) * p.o
                else:
                    outs[2 * a + b] = sink
        out_transform(p.o, m + t * p.o, p.ms, bias, outs)


cdef void nchw_chunk_in(const floating *x, floating *v, Wino *p, Py_ssize_t t0,
                        Py_ssize_t nt, floating *buf) noexcept nogil:
    """v (16, c, chunk) = B^T d B of tiles [t0, t0 + nt), one channel plane and
    one run of tiles along a tile row at a time: its 4 input rows (zero in the
    padding) go to buf (4 rows of 2 tw + 2), then one vectorised pass."""
    cdef Py_ssize_t ch, t, run, a, n, r0, s0, r, lo, hi, ld = 2 * p.tw + 2
    cdef const floating *src
    for ch in range(p.c):
        t = 0
        while t < nt:
            tile_origin(p, t0 + t, &n, &r0, &s0)
            run = min(nt - t, p.tw - s0 // 2)
            s0 = s0 - p.left
            # Columns [s0, s0 + 2 run + 2) of the input, [lo, hi) inside it.
            lo, hi = max(0, -s0), min(2 * run + 2, p.w - s0)
            for a in range(4):
                r = r0 - p.top + a
                if r < 0 or r >= p.h or lo >= hi:
                    memset(buf + a * ld, 0, (2 * run + 2) * sizeof(floating))
                    continue
                src = x + ((n * p.c + ch) * p.h + r) * p.w + s0
                memset(buf + a * ld, 0, lo * sizeof(floating))
                memcpy(buf + a * ld + lo, src + lo, (hi - lo) * sizeof(floating))
                memset(buf + a * ld + hi, 0, (2 * run + 2 - hi) * sizeof(floating))
            in_row(run, buf, ld, v + ch * p.ld + t, p.vs)
            t += run


cdef void nchw_chunk_out(const floating *m, const floating *bias, floating *y, Wino *p,
                         Py_ssize_t t0, Py_ssize_t nt, floating *buf) noexcept nogil:
    """y tiles [t0, t0 + nt) = A^T m A (+ bias), m (16, o, chunk): per channel
    and run of tiles along a tile row, two output rows into buf (2 tw each),
    then copied into y where they fall inside it."""
    cdef Py_ssize_t ch, t, run, a, n, r0, s0, width, ld = 2 * p.tw
    cdef floating bv
    for ch in range(p.o):
        bv = bias[ch] if bias != NULL else 0
        t = 0
        while t < nt:
            tile_origin(p, t0 + t, &n, &r0, &s0)
            run = min(nt - t, p.tw - s0 // 2)
            out_row(run, m + ch * p.ld + t, p.ms, bv, buf, ld)
            width = min(2 * run, p.ow - s0)
            for a in range(min(2, p.oh - r0)):
                memcpy(y + ((n * p.o + ch) * p.oh + r0 + a) * p.ow + s0, buf + a * ld,
                       width * sizeof(floating))
            t += run


cdef void nhwc_chunk_grad(const floating *gy, floating *m, Wino *p, Py_ssize_t t0,
                          Py_ssize_t nt, const floating *zero) noexcept nogil:
    """m (16, chunk, o) = G' g G'^T of the 2x2 output-gradient tiles [t0, t0 + nt)."""
    cdef Py_ssize_t t, a, b, n, r0, s0, r, s
    cdef const floating *rows[4]
    for t in range(nt):
        tile_origin(p, t0 + t, &n, &r0, &s0)
        for a in range(2):
            for b in range(2):
                r, s = r0 + a, s0 + b
                rows[2 * a + b] = gy + ((n * p.oh + r) * p.ow + s) * p.o \
                    if r < p.oh and s < p.ow else zero
        grad_transform(p.o, rows, m + t * p.o, p.ms)


cdef void nchw_chunk_grad(const floating *gy, floating *m, Wino *p, Py_ssize_t t0,
                          Py_ssize_t nt, floating *buf) noexcept nogil:
    """m (16, o, chunk) = G' g G'^T of the tiles [t0, t0 + nt), per channel and
    run of tiles along a tile row (its two rows, zero past the edge, in buf)."""
    cdef Py_ssize_t ch, t, run, a, n, r0, s0, width, ld = 2 * p.tw
    for ch in range(p.o):
        t = 0
        while t < nt:
            tile_origin(p, t0 + t, &n, &r0, &s0)
            run = min(nt - t, p.tw - s0 // 2)
            width = min(2 * run, p.ow - s0)
            for a in range(2):
                if r0 + a < p.oh:
                    memcpy(buf + a * ld, gy + ((n * p.o + ch) * p.oh + r0 + a) * p.ow + s0,
                           width * sizeof(floating))
                    memset(buf + a * ld + width, 0, (2 * run - width) * sizeof(floating))
                else:
                    memset(buf + a * ld, 0, 2 * run * sizeof(floating))
            grad_row(run, buf, ld, m + ch * p.ld + t, p.ms)
            t += run


cdef void kernel_grad_chunk(const floating *x, const floating *gy, Wino *p, Py_ssize_t bi,
                            floating *acc, floating beta, floating *v, floating *m,
                            floating *scratch) noexcept nogil:
    """acc (16, c, o) = beta acc + the sum over the chunk's tiles of
    V[k]^T M[k]: the input transforms in v, the gradient's in m (layouts as
    run_chunk's)."""
    cdef Py_ssize_t c = p.c, o = p.o, t0 = bi * p.chunk, k
    cdef Py_ssize_t nt = min(p.chunk, p.tiles - t0)
    if p.nchw:
        nchw_chunk_in(x, v, p, t0, nt, scratch + p.zeros)
        nchw_chunk_grad(gy, m, p, t0, nt, scratch + p.zeros)
    else:
        nhwc_chunk_in(x, v, p, t0, nt, scratch)
        nhwc_chunk_grad(gy, m, p, t0, nt, scratch)
    for k in range(16):
        if not p.nchw:
            gemm_rm(1, 0, c, o, nt, 1, v + k * p.vs, c, m + k * p.ms, o, beta,
                    acc + k * c * o, o)
        else:
            gemm_rm(0, 1, c, o, nt, 1, v + k * p.vs, p.ld, m + k * p.ms, p.ld, beta,
                    acc + k * c * o, o)


cdef void run_chunk(const floating *x, const floating *u, const floating *bias, floating *y,
                    Wino *p, Py_ssize_t bi, floating *v, floating *m,
                    floating *scratch) noexcept nogil:
    """Tiles [bi * chunk, ..) of the plan: their input transforms into v, the
    16 products into m, the output transforms into y.  NHWC: v (16, chunk, c)
    and m (16, chunk, o); NCHW: v (16, c, chunk) and m (16, o, chunk) (strides
    in the plan).  scratch: as the plan says."""
    cdef Py_ssize_t c = p.c, o = p.o, t0 = bi * p.chunk, k
    cdef Py_ssize_t nt = min(p.chunk, p.tiles - t0)
    cdef floating *vk
    cdef floating *mk
    cdef const floating *uk
    if p.nchw:
        nchw_chunk_in(x, v, p, t0, nt, scratch + p.zeros)
    else:
        nhwc_chunk_in(x, v, p, t0, nt, scratch)
    # The 16 products: m[k] = v[k] @ u[k], u[k] (c, o).
    for k in range(16):
        vk, mk, uk = v + k * p.vs, m + k * p.ms, u + k * c * o
        if not p.nchw:
            gemm_rm(0, 0, nt, o, c, 1, vk, c, uk, o, 0, mk, o)
        else:     # transposed: m[k]^T (o, nt) = u[k]^T @ v[k]^T (c, nt)
            gemm_rm(1, 0, o, nt, c, 1, uk, o, vk, p.ld, 0, mk, p.ld)
    if p.nchw:
        nchw_chunk_out(m, bias, y, p, t0, nt, scratch + p.zeros)
    else:
        nhwc_chunk_out(m, bias, y, p, t0, nt, scratch + p.zeros)


cdef void *thread_buffers(Wino *p, Py_ssize_t itemsize) noexcept nogil:
    """v, m and the scratch of one thread, the zero row zeroed; NULL when out of memory."""
    cdef char *work = <char *>malloc((16 * (p.vs + p.ms) + p.zeros + p.buf) * itemsize)
    if work != NULL:
        memset(work + 16 * (p.vs + p.ms) * itemsize, 0, p.zeros * itemsize)
    return work


cdef int run(const floating *x, const floating *kernel, bint backprop, const floating *bias,
             floating *y, Wino *p, int n_threads, str op) except -1:
    """The whole correlation; backprop: kernel is the forward conv's (3, 3, o, c),
    used turned and transposed."""
    make_plan(p, sizeof(floating))
    cdef Py_ssize_t c = p.c, o = p.o, bi
    # The transformed kernel, and (backprop) room to transpose it from.
    cdef floating *u = <floating *>malloc((2 if backprop else 1) * 16 * c * o *
                                          sizeof(floating))
    cdef floating *work
    cdef int failed[1]
    failed[0] = 0
    if u == NULL:
        raise MemoryError(f'{op}: cannot allocate the transformed kernel')
    with nogil:
        if backprop:     # the forward's (3, 3, o, c)
            kernel_transform(kernel, u, o, c, 1, u + 16 * c * o)
        else:
            kernel_transform(kernel, u, c, o, 0, NULL)
    with nogil, parallel(num_threads=n_threads):
        work = <floating *>thread_buffers(p, sizeof(floating))
        if work == NULL:
            failed[0] = 1
        else:
            for bi in prange(p.nchunks, schedule='dynamic'):
                run_chunk(x, u, bias, y, p, bi, work, work + 16 * p.vs,
                          work + 16 * (p.vs + p.ms))
            free(work)
    free(u)
    if failed[0]:
        raise MemoryError(f'{op}: cannot allocate the tile buffers')
    return 0


cdef void kernel_grad_out(floating *part, Py_ssize_t nslots, Py_ssize_t e0, Py_ssize_t e1,
                          Py_ssize_t plane, floating *dw) noexcept nogil:
    """dw[:, :, e] (3x3) = A^T M A for the channel pairs e in [e0, e1): M the
    sum of the slots' partial sums (nslots, 16, plane), added in slot order
    into slot 0.  Runs of e, not one e at a time: the 16 x nslots values of
    one e lie 16 KB apart or more, in the same cache sets."""
    cdef Py_ssize_t s, k, e
    cdef floating *acc
    cdef const floating *add
    for s in range(1, nslots):
        for k in range(16):
            acc, add = part + k * plane, part + (s * 16 + k) * plane
            for e in range(e0, e1):
                acc[e] += add[e]
    if floating is float:
        kb_wino_kout_f(e1 - e0, part + e0, plane, dw + e0, plane)
    else:
        kb_wino_kout_d(e1 - e0, part + e0, plane, dw + e0, plane)


cdef int run_kernel_grad(const floating *x, const floating *gy, floating *dw, Wino *p,
                         int n_threads, str op) except -1:
    """dw (3, 3, c, o) of the correlation of x with the output gradient gy:
    F(3x3, 2x2) over the tiles of gy.  Slot s sums a fixed run of chunks in
    order, and the slots are added in order: no dependence on threads."""
    make_plan(p, sizeof(floating))
    cdef Py_ssize_t plane = p.c * p.o, size = 16 * plane, s, bi, first, e0
    cdef Py_ssize_t nslots = min(p.nchunks, MAX_SLOTS)
    cdef floating *work
    cdef int failed[1]
    failed[0] = 0
    cdef floating *part = <floating *>malloc(nslots * size * sizeof(floating))
    if part == NULL:
        raise MemoryError(f'{op}: cannot allocate the partial sums')
    with nogil, parallel(num_threads=n_threads):
        work = <floating *>thread_buffers(p, sizeof(floating))
        if work == NULL:
            failed[0] = 1
        else:
            for s in prange(nslots, schedule='dynamic'):
                first = s * p.nchunks // nslots
                for bi in range(first, (s + 1) * p.nchunks // nslots):
                    kernel_grad_chunk(x, gy, p, bi, part + s * size, 0 if bi == first else 1,
                                      work, work + 16 * p.vs, work + 16 * (p.vs + p.ms))
            free(work)
    if not failed[0]:
        for e0 in prange(0, plane, OUT_RUN, nogil=True, schedule='static',
                         num_threads=n_threads):
            kernel_grad_out(part, nslots, e0, min(e0 + OUT_RUN, plane), plane, dw)
    free(part)
    if failed[0]:
        raise MemoryError(f'{op}: cannot allocate the tile buffers')
    return 0


cdef int check_3x3(Geom *g, str op, str kn) except -1:
    if g.kh != 3 or g.kw != 3:
        raise ValueError(f'{op}: Winograd F(2x2, 3x3) takes 3x3 kernels, {kn} is '
                         f'{g.kh}x{g.kw}')
    return 0


# -- entry points ------------------------------------------------------------------------

def conv2d_forward(x, kernel, bias, out, pads, nchw, n_threads):
    """out = conv2d(x, kernel) (+ bias, out channels, or None), stride 1, dilation 1,
    pads ((top, bottom), (left, right)); the kernel is (3, 3, in, out)."""
    op = 'winograd.conv2d_forward'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint nc = ck.flag(op, 'nchw', nchw)
    cdef int t = ck.floats(op, 'x', x, 4)
    ck.array(op, 'kernel', kernel, 4, t, False)
    if bias is not None:
        ck.array(op, 'bias', bias, 1, t, False)
    ck.array(op, 'out', out, 4, t, True)
    if t == cnp.NPY_FLOAT:
        _conv2d_forward[float](x, kernel, bias, out, pads, nc, nt)
    else:
        _conv2d_forward[double](x, kernel, bias, out, pads, nc, nt)


cdef int _conv2d_forward(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] kernel,
                         bias, floating[:, :, :, ::1] out, pads, bint nchw,
                         int n_threads) except -1:
    op = 'winograd.conv2d_forward'
    cdef Geom g
    make_geom(&g, op, &x.shape[0], &kernel.shape[0], &out.shape[0], (1, 1), pads, (1, 1),
              nchw, 0, ('x', 'kernel', 'out'))
    check_3x3(&g, op, 'kernel')
    cdef const floating *bp = bias_data(op, bias, g.o, <floating>0)
    if g.n == 0:
        return 0
    cdef Wino p
    p.n, p.h, p.w, p.c, p.o, p.oh, p.ow = g.n, g.h, g.w, g.c, g.o, g.oh, g.ow
    p.top, p.left, p.nchw = g.top, g.left, nchw
    return run(&x[0, 0, 0, 0], &kernel[0, 0, 0, 0], 0, bp, &out[0, 0, 0, 0], &p, n_threads, op)


def conv2d_backprop_input(grad, kernel, out, pads, nchw, n_threads):
    """out (the input's shape) = the adjoint in x of the stride-1 3x3 conv2d
    (pads as its forward's), applied to grad."""
    op = 'winograd.conv2d_backprop_input'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint nc = ck.flag(op, 'nchw', nchw)
    cdef int t = ck.floats(op, 'grad', grad, 4)
    ck.array(op, 'kernel', kernel, 4, t, False)
    ck.array(op, 'out', out, 4, t, True)
    if t == cnp.NPY_FLOAT:
        _conv2d_backprop_input[float](grad, kernel, out, pads, nc, nt)
    else:
        _conv2d_backprop_input[double](grad, kernel, out, pads, nc, nt)


cdef int _conv2d_backprop_input(const floating[:, :, :, ::1] grad,
                                const floating[:, :, :, ::1] kernel, floating[:, :, :, ::1] out,
                                pads, bint nchw, int n_threads) except -1:
    op = 'winograd.conv2d_backprop_input'
    cdef Geom g
    make_geom(&g, op, &out.shape[0], &kernel.shape[0], &grad.shape[0], (1, 1), pads, (1, 1),
              nchw, 0, ('out', 'kernel', 'grad'))
    check_3x3(&g, op, 'kernel')
    if g.n == 0:
        return 0
    # dx = grad correlated with the turned kernel; pads 2 - pad on each side.
    cdef Wino p
    p.n, p.h, p.w, p.c, p.o, p.oh, p.ow = g.n, g.oh, g.ow, g.o, g.c, g.h, g.w
    p.top, p.left, p.nchw = 2 - g.top, 2 - g.left, nchw
    return run(&grad[0, 0, 0, 0], &kernel[0, 0, 0, 0], 1, NULL, &out[0, 0, 0, 0], &p,
               n_threads, op)


def conv2d_backprop_kernel(x, grad, out, pads, nchw, n_threads):
    """out (3, 3, in, out) = d<grad, conv2d(x, kernel)>/dkernel of the stride-1
    3x3 conv2d with these pads, through F(3x3, 2x2)."""
    op = 'winograd.conv2d_backprop_kernel'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint nc = ck.flag(op, 'nchw', nchw)
    cdef int t = ck.floats(op, 'x', x, 4)
    ck.array(op, 'grad', grad, 4, t, False)
    ck.array(op, 'out', out, 4, t, True)
    if t == cnp.NPY_FLOAT:
        _conv2d_backprop_kernel[float](x, grad, out, pads, nc, nt)
    else:
        _conv2d_backprop_kernel[double](x, grad, out, pads, nc, nt)


cdef int _conv2d_backprop_kernel(const floating[:, :, :, ::1] x,
                                 const floating[:, :, :, ::1] grad, floating[:, :, :, ::1] out,
                                 pads, bint nchw, int n_threads) except -1:
    op = 'winograd.conv2d_backprop_kernel'
    cdef Geom g
    make_geom(&g, op, &x.shape[0], &out.shape[0], &grad.shape[0], (1, 1), pads, (1, 1),
              nchw, 0, ('x', 'out', 'grad'))
    check_3x3(&g, op, 'out')
    if g.n == 0:
        memset(&out[0, 0, 0, 0], 0, 9 * g.c * g.o * sizeof(floating))
        return 0
    cdef Wino p
    p.n, p.h, p.w, p.c, p.o, p.oh, p.ow = g.n, g.h, g.w, g.c, g.o, g.oh, g.ow
    p.top, p.left, p.nchw = g.top, g.left, nchw
    return run_kernel_grad(&x[0, 0, 0, 0], &grad[0, 0, 0, 0], &out[0, 0, 0, 0], &p,
                           n_threads, op)
