# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Affine warp of a batch of images (ImageDataGenerator's transforms), NHWC or
NCHW, nearest (order 0) or bilinear (order 1) sampling.

Output pixel (r, c) of image n samples the input at
    (m[0,0]*r + m[0,1]*c + m[0,2],  m[1,0]*r + m[1,1]*c + m[1,2])
as scipy.ndimage.affine_transform(x[n, ..., ch], m[:, :2], offset=m[:, 2],
order, mode, cval) does (modes constant, nearest, reflect, grid-wrap).  The
coordinates are computed with scipy's arithmetic ((m02 + r*m00) + c*m01 in
double) and folded as its map_coordinate does, so which pixels are read and
which points take cval agree exactly, and order 0 is bit-identical.  Order 1
blends in the data's precision with weights w_row * w_col (w0 = 1 - t,
w1 = 1 - w0, as scipy): within a few ulps of scipy, which sums
(v * w_row) * w_col in double; matching that bit for bit cost 30%.

Edge rules per axis of length n (checked against scipy 1.17):
- constant: a point takes cval unless 0 <= coordinate <= n - 1 on both axes
  (no interpolation towards cval: -1e-9 and n - 1 + 1e-9 are already cval;
  at exactly n - 1 the second tap has weight 0).  Order 0 rounds only points
  inside that range.
- reflect / wrap: the coordinate is first folded into range as scipy does
  (half-sample symmetric with period 2n; period n), then both taps are read
  from the extended signal (dcba|abcd|dcba, abcd|abcd|abcd), so wrap
  interpolates between the last and the first pixel.
- nearest: not folded; the taps at floor(c) and floor(c) + 1 are clamped to
  the image (aaaa|abcd|dddd), with the weights of the unfolded coordinate.
- a non-finite coordinate takes cval in every mode (scipy: NaN -> cval).
Order 0 rounds half up after folding (floor(c + 0.5)), as scipy does: so
reflect's -1.5 reads pixel 1, its mirror image 0.5 rounded up.

Where every weight but the first is 0 (integer points: identity, flips,
integer shifts) the input value is copied, so those warps are exact even next
to inf or NaN pixels (scipy would give 0 * inf = NaN there).

One task per (image, output row): each output pixel is computed the same way
at any thread count, so results are identical at 1 and N threads.
"""
from cython.parallel cimport prange
from libc.math cimport fmod, fabs
from libc.stdint cimport int64_t
cimport numpy as cnp

from ._typedefs cimport floating
from . cimport _checks as ck

cnp.import_array()      # the checks use numpy's C API

cdef enum:
    CONSTANT = 0
    NEAREST = 1
    REFLECT = 2
    WRAP = 3

# Beyond this the integer casts scipy uses could overflow: fold with fmod.
cdef double _BIG = 4611686018427387904.0     # 2**62
cdef double _DBL_MAX = 1.7976931348623157e308


cdef inline int64_t _pmod(int64_t k, int64_t p) noexcept nogil:
    k = k % p
    return k + p if k < 0 else k


cdef inline Py_ssize_t _tap(int64_t k, Py_ssize_t n, int mode) noexcept nogil:
    """Index of tap k in the extended signal; always in [0, n)."""
    cdef int64_t m
    if mode == REFLECT:
        m = _pmod(k, 2 * n)
        return <Py_ssize_t>(2 * n - 1 - m if m >= n else m)
    if mode == WRAP:
        return <Py_ssize_t>_pmod(k, n)
    # nearest, and constant (only its zero-weight second tap at n - 1 gets here)
    return 0 if k < 0 else (n - 1 if k >= n else <Py_ssize_t>k)


cdef inline double _fold(double c, Py_ssize_t n, int mode) noexcept nogil:
    """scipy's map_coordinate for reflect and grid-wrap (c finite)."""
    cdef int64_t s
    if n <= 1:
        return 0.0
    if fabs(c) >= _BIG:
        s = 2 * n if mode == REFLECT else n
        c = fmod(c, <double>s)
        if c < 0:
            c = c + s
    if c < 0:
        if mode == REFLECT:
            s = 2 * n
            if c < -s:
                c = <double>(s * <int64_t>(-c / s)) + c
            return c + s if c < -n else -c - 1
        return c + <double>(n * (<int64_t>((-1 - c) / n) + 1))
    if c > n - 1:
        if mode == REFLECT:
            s = 2 * n
            c = c - <double>(s * <int64_t>(c / s))
            return s - c - 1 if c >= n else c
        return c - <double>(n * <int64_t>(c / n))
    return c


cdef inline int64_t _floor(double c) noexcept nogil:
    """floor(c) for |c| < 2**62 (baseline x86-64 has no inline floor)."""
    cdef int64_t k = <int64_t>c
    return k - 1 if <double>k > c else k


cdef inline bint _axis(double c, Py_ssize_t n, int mode, int order, Py_ssize_t* i0,
                       Py_ssize_t* i1, double* w0, double* w1) noexcept nogil:
    """Taps and weights of one axis; False when the point takes cval."""
    cdef double f
    cdef int64_t k
    if order == 1 and c >= 0.0 and c < n - 1:      # inside: no folding
        i0[0] = <Py_ssize_t>c                       # floor, without a libm call
        f = <double>i0[0]
        i1[0] = i0[0] + 1
        w0[0] = 1.0 - (c - f)
        w1[0] = 1.0 - w0[0]
        return True
    if not fabs(c) <= _DBL_MAX:                    # NaN or inf
        return False
    if mode == CONSTANT:
        if c < 0.0 or c > n - 1:
            return False
    elif mode == NEAREST:
        # scipy reads clamped taps at the unfolded coordinate; far outside both
        # taps are the edge pixel, so clamping there only avoids int overflow.
        if fabs(c) >= _BIG:
            c = 0.0 if c < 0 else <double>(n - 1)
    else:
        c = _fold(c, n, mode)
    if order == 0:
        i0[0] = _tap(_floor(c + 0.5), n, mode)
        i1[0] = i0[0]
        w0[0] = 1.0
        w1[0] = 0.0
    else:
        k = _floor(c)
        f = <double>k
        i0[0] = _tap(k, n, mode)
        i1[0] = _tap(k + 1, n, mode)
        w0[0] = 1.0 - (c - f)
        w1[0] = 1.0 - w0[0]
    return True


cdef inline void _blend(const floating* p00, Py_ssize_t rs, Py_ssize_t cs, Py_ssize_t yb,
                        Py_ssize_t xb, floating* o, Py_ssize_t C, Py_ssize_t chs,
                        double wy0, double wy1, double wx0, double wx1) noexcept nogil:
    """o[ch] = the bilinear blend of the 4 taps, every channel; yb and xb are
    the second taps' offsets from the first (rows, columns)."""
    cdef Py_ssize_t ch
    cdef const floating* p01 = p00 + xb * cs
    cdef const floating* p10 = p00 + yb * rs
    cdef const floating* p11 = p10 + xb * cs
    cdef floating w00 = <floating>(wy0 * wx0)
    cdef floating w01 = <floating>(wy0 * wx1)
    cdef floating w10 = <floating>(wy1 * wx0)
    cdef floating w11 = <floating>(wy1 * wx1)
    cdef Py_ssize_t k
    if chs != 1:                                    # planes: walk the 4 taps through them
        k = 0
        for ch in range(C):
            o[k] = (p00[k] * w00 + p01[k] * w01) + (p10[k] * w10 + p11[k] * w11)
            k = k + chs
    elif C == 3:                                    # RGB: unrolled
        o[0] = (p00[0] * w00 + p01[0] * w01) + (p10[0] * w10 + p11[0] * w11)
        o[1] = (p00[1] * w00 + p01[1] * w01) + (p10[1] * w10 + p11[1] * w11)
        o[2] = (p00[2] * w00 + p01[2] * w01) + (p10[2] * w10 + p11[2] * w11)
    else:
        for ch in range(C):
            o[ch] = (p00[ch] * w00 + p01[ch] * w01) + (p10[ch] * w10 + p11[ch] * w11)


cdef void _row(const floating* x, const double* mat, floating* y, Py_ssize_t r,
               Py_ssize_t H, Py_ssize_t W, Py_ssize_t C, Py_ssize_t rs, Py_ssize_t cs,
               Py_ssize_t chs, int mode, double cval, int order) noexcept nogil:
    """Output row r of one image.  x and y point at the image; rs, cs, chs are
    the row, column and channel strides (elements)."""
    cdef Py_ssize_t col, ch, ya, yb, xa, xb
    cdef double cy, cx, wy0, wy1, wx0, wx1
    # scipy's operation order: (m02 + r * m00) + c * m01.
    cdef double ay = mat[2] + <double>r * mat[0]
    cdef double ax = mat[5] + <double>r * mat[3]
    cdef double hmax = <double>(H - 1), wmax = <double>(W - 1)
    cdef const floating* p00
    cdef floating* o = y + r * rs
    cdef floating fill = <floating>cval
    for col in range(W):
        cy = ay + <double>col * mat[1]
        cx = ax + <double>col * mat[4]
        if order == 1 and cy >= 0.0 and cy < hmax and cx >= 0.0 and cx < wmax:
            # inside: both taps in the image, no folding (the common case)
            ya = <Py_ssize_t>cy
            xa = <Py_ssize_t>cx
            wy0 = 1.0 - (cy - <double>ya)
            wx0 = 1.0 - (cx - <double>xa)
            wy1 = 1.0 - wy0
            wx1 = 1.0 - wx0
            yb = 1
            xb = 1
        elif _axis(cy, H, mode, order, &ya, &yb, &wy0, &wy1) and \
                _axis(cx, W, mode, order, &xa, &xb, &wx0, &wx1):
            yb = yb - ya
            xb = xb - xa
        else:
            for ch in range(C):
                o[ch * chs] = fill
            o = o + cs
            continue
        p00 = x + ya * rs + xa * cs
        if wy1 == 0.0 and wx1 == 0.0:               # integer point: exact copy
            for ch in range(C):
                o[ch * chs] = p00[ch * chs]
        else:
            _blend(p00, rs, cs, yb, xb, o, C, chs, wy0, wy1, wx0, wx1)
        o = o + cs


def affine_warp(x, matrices, out, mode, cval, order, channels_last, n_threads):
    """out[n] = x[n] warped by matrices[n] (or matrices[0] for every image).
    mode: 0 constant, 1 nearest, 2 reflect, 3 wrap; order 0 or 1."""
    op = 'affine_warp'
    cdef int nt = ck.threads(op, n_threads)
    cdef int md = <int>ck.integer(op, 'mode', mode, 0, 3)
    cdef int od = <int>ck.integer(op, 'order', order, 0, 1)
    cdef double cv = ck.real(op, 'cval', cval)
    cdef bint cl = ck.flag(op, 'channels_last', channels_last)
    cdef int t = ck.floats(op, 'x', x, 4)
    ck.array(op, 'matrices', matrices, 3, cnp.NPY_DOUBLE, False)
    ck.array(op, 'out', out, 4, t, True)
    if out.shape != x.shape:
        raise ValueError(f'{op}: out {out.shape} and x {x.shape} shapes differ')
    n = x.shape[0]
    if matrices.shape[1:] != (2, 3) or matrices.shape[0] not in (1, n):
        raise ValueError(f'{op}: matrices of shape {matrices.shape} for {n} images; '
                         f'expected (1, 2, 3) or ({n}, 2, 3)')
    if x.size == 0:
        return
    if t == cnp.NPY_FLOAT:
        _warp[float](x, matrices, out, md, cv, od, cl, nt)
    else:
        _warp[double](x, matrices, out, md, cv, od, cl, nt)


cdef int _warp(const floating[:, :, :, ::1] x, const double[:, :, ::1] matrices,
               floating[:, :, :, ::1] out, int mode, double cval, int order,
               bint channels_last, int n_threads) except -1:
    cdef Py_ssize_t N = x.shape[0], H, W, C, rs, cs, chs, mstep, task, img, r, plane
    if channels_last:
        H, W, C = x.shape[1], x.shape[2], x.shape[3]
        rs, cs, chs = W * C, C, 1
    else:
        C, H, W = x.shape[1], x.shape[2], x.shape[3]
        rs, cs, chs = W, 1, H * W
    plane = H * W * C
    mstep = 6 if matrices.shape[0] == N else 0
    cdef const floating* px = &x[0, 0, 0, 0]
    cdef floating* py = &out[0, 0, 0, 0]
    cdef const double* pm = &matrices[0, 0, 0]
    for task in prange(N * H, nogil=True, schedule='static', num_threads=n_threads):
        img = task // H
        r = task - img * H
        _row(px + img * plane, pm + img * mstep, py + img * plane, r, H, W, C, rs, cs,
             chs, mode, cval, order)
    return 0
