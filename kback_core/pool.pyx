# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Max and average 2-D pooling, forward and backward, NHWC and NCHW.

Geometry: pool (ph, pw), strides (sh, sw), padding before (top, left); the
output size is read from the output (or gradient) buffer.  Padding never takes
part: max windows use only real pixels, averages divide by the number of real
pixels (TensorFlow's 'same').  Max backward routes each gradient to the first
maximum of its window in row-major order, recomputed from x.  NaN counts as
the largest value, as in numpy's maximum: a window holding NaN pools to NaN
and routes its gradient to its first NaN.

Work is split into tasks that own whole (image, channel block) slices, so the
backward scatter never races and every channel is computed the same way at
any thread count (results are identical at 1 and N threads).
"""
from cython.parallel cimport prange
from libc.string cimport memset
cimport numpy as cnp

from ._typedefs cimport floating
from . cimport _checks as ck

cnp.import_array()      # the checks use numpy's C API

# Channels per NHWC task: the per-task argmax scratch lives on the stack.
cdef enum:
    CB_MAX = 128


cdef inline Py_ssize_t _imax(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return a if a > b else b


cdef inline Py_ssize_t _imin(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return a if a < b else b


cdef struct Win:
    # pool (ph, pw), strides (sh, sw), padding before (top, left)
    int ph, pw, sh, sw, top, left


cdef int _window(Win *win, str op, tuple x_shape, str y_name, tuple y_shape, ph, pw, sh,
                 sw, top, left, bint channels_last) except -1:
    """Checked ints into win; x and y (pooled) shapes agree and every window
    holds a real pixel, so every loop stays in bounds."""
    cdef int big = 2147483647
    win.ph = <int>ck.integer(op, 'ph', ph, 1, big)
    win.pw = <int>ck.integer(op, 'pw', pw, 1, big)
    win.sh = <int>ck.integer(op, 'sh', sh, 1, big)
    win.sw = <int>ck.integer(op, 'sw', sw, 1, big)
    win.top = <int>ck.integer(op, 'top', top, 0, big)
    win.left = <int>ck.integer(op, 'left', left, 0, big)
    cdef int h_ax = 1 if channels_last else 2
    cdef int c_ax = 3 if channels_last else 1
    if x_shape[0] != y_shape[0] or x_shape[c_ax] != y_shape[c_ax]:
        raise ValueError(f'{op}: x {x_shape} and {y_name} {y_shape} differ in batch or '
                         'channels')
    for length, out, k, s, before in ((x_shape[h_ax], y_shape[h_ax], ph, sh, top),
                                      (x_shape[h_ax + 1], y_shape[h_ax + 1], pw, sw, left)):
        if out < 1 or length < 1 or before >= k or (out - 1) * s - before >= length:
            raise ValueError(f'{op}: pool ({ph}, {pw}), strides ({sh}, {sw}), padding before '
                             f'({top}, {left}) do not fit x {x_shape} and {y_name} '
                             f'{y_shape}')
    # window indices are ints
    if x_shape[h_ax] * x_shape[h_ax + 1] > big:
        raise ValueError(f'{op}: x {x_shape} has more than 2**31 pixels per image')
    return 0


cdef inline floating _nanmax(floating m, floating p) noexcept nogil:
    """max(m, p), NaN when either is (numpy's maximum); branch-free."""
    if floating is float:
        return kb_nanmax_f(m, p)
    else:
        return kb_nanmax_d(m, p)


cdef Py_ssize_t _channel_block(Py_ssize_t n, Py_ssize_t c, int n_threads) noexcept:
    """Channels per NHWC task: whole rows of up to CB_MAX, split further when
    there are too few images to feed the threads."""
    cdef Py_ssize_t cb = _imin(c, CB_MAX)
    cdef Py_ssize_t want = 4 * n_threads
    cdef Py_ssize_t ncb = (c + cb - 1) // cb
    if n * ncb < want and c > 8:
        ncb = _imin((want + n - 1) // n, (c + 7) // 8)
        cb = (c + ncb - 1) // ncb
        cb = (cb + 7) // 8 * 8
    return cb


# -- one NHWC task: image n, channels [c0, c0 + cb) ---------------------------------

cdef void _fwd_nhwc(const floating* x, floating* y, Py_ssize_t H, Py_ssize_t W,
                    Py_ssize_t C, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t c0,
                    Py_ssize_t cb, int ph, int pw, int sh, int sw, int top, int left,
                    bint is_max) noexcept nogil:
    cdef Py_ssize_t oh, ow, h, w, c, h0, h1, w0, w1
    cdef floating* o
    cdef const floating* p
    cdef floating cnt
    for oh in range(OH):
        h0 = _imax(oh * sh - top, 0)
        h1 = _imin(oh * sh - top + ph, H)
        for ow in range(OW):
            w0 = _imax(ow * sw - left, 0)
            w1 = _imin(ow * sw - left + pw, W)
            o = y + (oh * OW + ow) * C + c0
            p = x + (h0 * W + w0) * C + c0
            if is_max:
                for c in range(cb):
                    o[c] = p[c]
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        p = x + (h * W + w) * C + c0
                        for c in range(cb):
                            o[c] = _nanmax(o[c], p[c])
            else:
                for c in range(cb):
                    o[c] = 0
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        p = x + (h * W + w) * C + c0
                        for c in range(cb):
                            o[c] = o[c] + p[c]
                cnt = <floating>((h1 - h0) * (w1 - w0))
                for c in range(cb):
                    o[c] = o[c] / cnt


cdef inline void _max_nhwc(const floating* x, Py_ssize_t W, Py_ssize_t C, Py_ssize_t c0,
                    Py_ssize_t cb, Py_ssize_t h0, Py_ssize_t h1, Py_ssize_t w0,
                    Py_ssize_t w1, floating* m) noexcept nogil:
    """m[c] = the maximum of the window, per channel (vectorised)."""
    cdef Py_ssize_t h, w, c
    cdef const floating* p = x + (h0 * W + w0) * C + c0
    for c in range(cb):
        m[c] = p[c]
    for h in range(h0, h1):
        for w in range(w0, w1):
            p = x + (h * W + w) * C + c0
            for c in range(cb):
                m[c] = _nanmax(m[c], p[c])


cdef inline void _argmax_nhwc(const floating* x, Py_ssize_t W, Py_ssize_t C, Py_ssize_t c0,
                              Py_ssize_t cb, Py_ssize_t h0, Py_ssize_t h1, Py_ssize_t w0,
                              Py_ssize_t w1, floating* m, int* arg) noexcept nogil:
    """arg[c] = h * W + w of the first maximum (or NaN) of the window, per
    channel.  Two branch-free (vectorisable) sweeps: the maximum, then a
    backwards sweep where the first pixel that is it writes last."""
    cdef Py_ssize_t h, w, c
    cdef int k
    cdef const floating* p
    _max_nhwc(x, W, C, c0, cb, h0, h1, w0, w1, m)
    k = <int>(h0 * W + w0)
    for c in range(cb):
        arg[c] = k
    for h in range(h1 - 1, h0 - 1, -1):
        for w in range(w1 - 1, w0 - 1, -1):
            p = x + (h * W + w) * C + c0
            k = <int>(h * W + w)
            for c in range(cb):
                arg[c] = k if KB_HIT(p[c], m[c]) else arg[c]


cdef void _bwd_nhwc(const floating* g, const floating* x, floating* dx, Py_ssize_t H,
                    Py_ssize_t W, Py_ssize_t C, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t c0,
                    Py_ssize_t cb, int ph, int pw, int sh, int sw, int top, int left,
                    bint is_max) noexcept nogil:
    cdef Py_ssize_t oh, ow, h, w, c, h0, h1, w0, w1
    cdef floating best[CB_MAX]
    cdef int arg[CB_MAX]
    cdef const floating* gp
    cdef floating* d
    cdef floating cnt
    for h in range(H * W):
        memset(dx + h * C + c0, 0, cb * sizeof(floating))
    for oh in range(OH):
        h0 = _imax(oh * sh - top, 0)
        h1 = _imin(oh * sh - top + ph, H)
        for ow in range(OW):
            w0 = _imax(ow * sw - left, 0)
            w1 = _imin(ow * sw - left + pw, W)
            gp = g + (oh * OW + ow) * C + c0
            if is_max:
                _argmax_nhwc(x, W, C, c0, cb, h0, h1, w0, w1, best, arg)
                for c in range(cb):
                    dx[arg[c] * C + c0 + c] += gp[c]
            else:
                cnt = <floating>((h1 - h0) * (w1 - w0))
                for c in range(cb):
                    best[c] = gp[c] / cnt
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        d = dx + (h * W + w) * C + c0
                        for c in range(cb):
                            d[c] = d[c] + best[c]


# One full 2x2 max window, backward, in a single sweep over the channels.  In
# C for `restrict`: without it GCC gives up on vectorising (too many possible
# aliases between the 4 loads and 4 stores).  The maximum is taken in the
# order of _max_nhwc; g goes to the first pixel equal to it, to the first
# pixel when it is NaN.
cdef extern from "_simd.h":
    pass

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    /* NaN counts as the maximum (numpy's maximum): p replaces m when p > m or p
       is NaN, as a bit-mask select that vectorises. */
    #define KB_NANMAX(S, T, U) \
    static inline T kb_nanmax_##S(T m, T p) { \
        U a, b, k = (U)0 - (U)((p > m) | (p != p)); \
        memcpy(&a, &m, sizeof a); memcpy(&b, &p, sizeof b); \
        a = (b & k) | (a & ~k); \
        memcpy(&m, &a, sizeof m); \
        return m; \
    }
    KB_NANMAX(f, float, uint32_t)
    KB_NANMAX(d, double, uint64_t)
    /* p is the window maximum m: equal to it, or NaN (then m is NaN too). */
    #define KB_HIT(p, m) (((p) == (m)) | ((p) != (p)))
    #define KB_BWD_MAX_2X2(NAME, T, S) \
    static void NAME(const T* KB_RESTRICT g, const T* KB_RESTRICT x, \
                     T* KB_RESTRICT d, Py_ssize_t row, Py_ssize_t col, Py_ssize_t cb) { \
        const T* KB_RESTRICT x1 = x + row; \
        T* KB_RESTRICT d1 = d + row; \
        for (Py_ssize_t c = 0; c < cb; c++) { \
            T a = x[c], b = x[col + c], e = x1[c], f = x1[col + c]; \
            T m = a; \
            m = kb_nanmax_##S(m, b); m = kb_nanmax_##S(m, e); m = kb_nanmax_##S(m, f); \
            T r = g[c]; \
            T s = KB_HIT(a, m) ? r : 0; r = KB_HIT(a, m) ? 0 : r; \
            d[col + c] = KB_HIT(b, m) ? r : 0; r = KB_HIT(b, m) ? 0 : r; \
            d1[c] = KB_HIT(e, m) ? r : 0; r = KB_HIT(e, m) ? 0 : r; \
            d1[col + c] = KB_HIT(f, m) ? r : 0; r = KB_HIT(f, m) ? 0 : r; \
            d[c] = s + r; \
        } \
    }
    KB_BWD_MAX_2X2(kb_bwd_max_2x2_f, float, f)
    KB_BWD_MAX_2X2(kb_bwd_max_2x2_d, double, d)
    /* NCHW: n full 2x2 windows side by side along one pair of plane rows. */
    #define KB_BWD_MAX_2X2_ROW(NAME, T, S) \
    static void NAME(const T* KB_RESTRICT g, const T* KB_RESTRICT x, \
                     T* KB_RESTRICT d, Py_ssize_t W, Py_ssize_t n) { \
        for (Py_ssize_t i = 0; i < n; i++) { \
            T a = x[2 * i], b = x[2 * i + 1], e = x[W + 2 * i], f = x[W + 2 * i + 1]; \
            T m = a; \
            m = kb_nanmax_##S(m, b); m = kb_nanmax_##S(m, e); m = kb_nanmax_##S(m, f); \
            T r = g[i]; \
            T s = KB_HIT(a, m) ? r : 0; r = KB_HIT(a, m) ? 0 : r; \
            d[2 * i + 1] = KB_HIT(b, m) ? r : 0; r = KB_HIT(b, m) ? 0 : r; \
            d[W + 2 * i] = KB_HIT(e, m) ? r : 0; r = KB_HIT(e, m) ? 0 : r; \
            d[W + 2 * i + 1] = KB_HIT(f, m) ? r : 0; r = KB_HIT(f, m) ? 0 : r; \
            d[2 * i] = s + r; \
        } \
    }
    KB_BWD_MAX_2X2_ROW(kb_bwd_max_2x2_row_f, float, f)
    KB_BWD_MAX_2X2_ROW(kb_bwd_max_2x2_row_d, double, d)
    """
    float kb_nanmax_f(float m, float p) noexcept nogil
    double kb_nanmax_d(double m, double p) noexcept nogil
    bint KB_HIT(double p, double m) noexcept nogil
    void kb_bwd_max_2x2_f(const float* g, const float* x, float* d, Py_ssize_t row,
                          Py_ssize_t col, Py_ssize_t cb) noexcept nogil
    void kb_bwd_max_2x2_d(const double* g, const double* x, double* d, Py_ssize_t row,
                          Py_ssize_t col, Py_ssize_t cb) noexcept nogil
    void kb_bwd_max_2x2_row_f(const float* g, const float* x, float* d, Py_ssize_t W,
                              Py_ssize_t n) noexcept nogil
    void kb_bwd_max_2x2_row_d(const double* g, const double* x, double* d, Py_ssize_t W,
                              Py_ssize_t n) noexcept nogil


cdef inline void _bwd_max_2x2(const floating* g, const floating* x, floating* d,
                              Py_ssize_t row, Py_ssize_t col, Py_ssize_t cb) noexcept nogil:
    if floating is float:
        kb_bwd_max_2x2_f(g, x, d, row, col, cb)
    else:
        kb_bwd_max_2x2_d(g, x, d, row, col, cb)

cdef inline void _bwd_max_2x2_row(const floating* g, const floating* x, floating* d,
                                  Py_ssize_t W, Py_ssize_t n) noexcept nogil:
    if floating is float:
        kb_bwd_max_2x2_row_f(g, x, d, W, n)
    else:
        kb_bwd_max_2x2_row_d(g, x, d, W, n)


cdef void _bwd_nhwc_tiled(const floating* g, const floating* x, floating* dx, Py_ssize_t H,
                          Py_ssize_t W, Py_ssize_t C, Py_ssize_t OH, Py_ssize_t OW,
                          Py_ssize_t c0, Py_ssize_t cb, int ph, int pw, int top, int left,
                          bint is_max) noexcept nogil:
    """_bwd_nhwc when the windows tile the input (strides == pool): every dx
    element is written once, with no zeroing pass and no scatter.  The max
    case hands g to the first pixel equal to the window maximum (row-major),
    or to its first NaN, as _argmax_nhwc."""
    cdef Py_ssize_t oh, ow, h, w, c, h0, h1, w0, w1
    cdef Py_ssize_t h_end = _imin(OH * ph - top, H), w_end = _imin(OW * pw - left, W)
    cdef floating best[CB_MAX]
    cdef floating rem[CB_MAX]
    cdef const floating* gp
    cdef const floating* p
    cdef floating* d
    cdef floating cnt
    for oh in range(OH):
        h0 = _imax(oh * ph - top, 0)
        h1 = _imin(oh * ph - top + ph, H)
        for ow in range(OW):
            w0 = _imax(ow * pw - left, 0)
            w1 = _imin(ow * pw - left + pw, W)
            gp = g + (oh * OW + ow) * C + c0
            if is_max and h1 - h0 == 2 and w1 - w0 == 2:
                _bwd_max_2x2(gp, x + (h0 * W + w0) * C + c0, dx + (h0 * W + w0) * C + c0,
                             W * C, C, cb)
            elif is_max:
                _max_nhwc(x, W, C, c0, cb, h0, h1, w0, w1, best)
                for c in range(cb):
                    rem[c] = gp[c]
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        p = x + (h * W + w) * C + c0
                        d = dx + (h * W + w) * C + c0
                        for c in range(cb):
                            d[c] = rem[c] if KB_HIT(p[c], best[c]) else 0
                            rem[c] = 0 if KB_HIT(p[c], best[c]) else rem[c]
                d = dx + (h0 * W + w0) * C + c0
                for c in range(cb):
                    d[c] = d[c] + rem[c]
            else:
                cnt = <floating>((h1 - h0) * (w1 - w0))
                for c in range(cb):
                    best[c] = gp[c] / cnt
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        d = dx + (h * W + w) * C + c0
                        for c in range(cb):
                            d[c] = best[c]
        for h in range(h0, h1):             # columns right of the last window
            for w in range(w_end, W):
                memset(dx + (h * W + w) * C + c0, 0, cb * sizeof(floating))
    for h in range(h_end, H):               # rows below the last window
        for w in range(W):
            memset(dx + (h * W + w) * C + c0, 0, cb * sizeof(floating))


cdef void _select_nhwc(const floating* v, const floating* x, floating* y, Py_ssize_t H,
                       Py_ssize_t W, Py_ssize_t C, Py_ssize_t OH, Py_ssize_t OW,
                       Py_ssize_t c0, Py_ssize_t cb, int ph, int pw, int sh, int sw, int top,
                       int left) noexcept nogil:
    cdef Py_ssize_t oh, ow, c, h0, h1, w0, w1
    cdef floating best[CB_MAX]
    cdef int arg[CB_MAX]
    cdef floating* o
    for oh in range(OH):
        h0 = _imax(oh * sh - top, 0)
        h1 = _imin(oh * sh - top + ph, H)
        for ow in range(OW):
            w0 = _imax(ow * sw - left, 0)
            w1 = _imin(ow * sw - left + pw, W)
            _argmax_nhwc(x, W, C, c0, cb, h0, h1, w0, w1, best, arg)
            o = y + (oh * OW + ow) * C + c0
            for c in range(cb):
                o[c] = v[arg[c] * C + c0 + c]


# -- one NCHW task: one (image, channel) plane --------------------------------------

cdef inline Py_ssize_t _argmax_plane(const floating* x, Py_ssize_t W, Py_ssize_t h0,
                                     Py_ssize_t h1, Py_ssize_t w0,
                                     Py_ssize_t w1) noexcept nogil:
    """The first maximum of the window, or its first NaN."""
    cdef Py_ssize_t h, w, k = h0 * W + w0
    cdef floating v, best = x[k]
    if best != best:
        return k
    for h in range(h0, h1):
        for w in range(w0, w1):
            v = x[h * W + w]
            if v != v:
                return h * W + w
            if v > best:
                best = v
                k = h * W + w
    return k


cdef void _fwd_nchw(const floating* x, floating* y, Py_ssize_t H, Py_ssize_t W,
                    Py_ssize_t OH, Py_ssize_t OW, int ph, int pw, int sh, int sw, int top,
                    int left, bint is_max) noexcept nogil:
    cdef Py_ssize_t oh, ow, h, w, h0, h1, w0, w1
    cdef floating acc
    cdef const floating* row
    for oh in range(OH):
        h0 = _imax(oh * sh - top, 0)
        h1 = _imin(oh * sh - top + ph, H)
        for ow in range(OW):
            w0 = _imax(ow * sw - left, 0)
            w1 = _imin(ow * sw - left + pw, W)
            if is_max:
                acc = x[h0 * W + w0]
                for h in range(h0, h1):
                    row = x + h * W
                    for w in range(w0, w1):
                        acc = _nanmax(acc, row[w])
                y[oh * OW + ow] = acc
            else:
                acc = 0
                for h in range(h0, h1):
                    row = x + h * W
                    for w in range(w0, w1):
                        acc = acc + row[w]
                y[oh * OW + ow] = acc / <floating>((h1 - h0) * (w1 - w0))


cdef void _bwd_nchw(const floating* g, const floating* x, floating* dx, Py_ssize_t H,
                    Py_ssize_t W, Py_ssize_t OH, Py_ssize_t OW, int ph, int pw, int sh,
                    int sw, int top, int left, bint is_max) noexcept nogil:
    cdef Py_ssize_t oh, ow, h, w, h0, h1, w0, w1
    cdef floating s
    memset(dx, 0, H * W * sizeof(floating))
    for oh in range(OH):
        h0 = _imax(oh * sh - top, 0)
        h1 = _imin(oh * sh - top + ph, H)
        for ow in range(OW):
            w0 = _imax(ow * sw - left, 0)
            w1 = _imin(ow * sw - left + pw, W)
            if is_max:
                dx[_argmax_plane(x, W, h0, h1, w0, w1)] += g[oh * OW + ow]
            else:
                s = g[oh * OW + ow] / <floating>((h1 - h0) * (w1 - w0))
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        dx[h * W + w] += s


cdef void _bwd_nchw_tiled(const floating* g, const floating* x, floating* dx, Py_ssize_t H,
                          Py_ssize_t W, Py_ssize_t OH, Py_ssize_t OW, int ph, int pw,
                          int top, int left, bint is_max) noexcept nogil:
    """_bwd_nchw when the windows tile the plane (strides == pool): each dx
    element written once."""
    cdef Py_ssize_t oh, ow, h, w, h0, h1, w0, w1, k
    cdef Py_ssize_t h_end = _imin(OH * ph - top, H), w_end = _imin(OW * pw - left, W)
    cdef floating s
    # Full 2x2 max windows of a row pair, [owa, owb), go to the vectorised helper.
    cdef Py_ssize_t owa = (left + 1) // 2, owb = _imin(OW, (W + left - 2) // 2 + 1)
    cdef bint fast = is_max and ph == 2 and pw == 2 and owb > owa
    for oh in range(OH):
        h0 = _imax(oh * ph - top, 0)
        h1 = _imin(oh * ph - top + ph, H)
        for ow in range(OW):
            if fast and h1 - h0 == 2 and ow == owa:
                _bwd_max_2x2_row(g + oh * OW + owa, x + h0 * W + 2 * owa - left,
                                 dx + h0 * W + 2 * owa - left, W, owb - owa)
            if fast and h1 - h0 == 2 and owa <= ow < owb:
                continue
            w0 = _imax(ow * pw - left, 0)
            w1 = _imin(ow * pw - left + pw, W)
            if is_max:
                k = _argmax_plane(x, W, h0, h1, w0, w1)
                s = g[oh * OW + ow]
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        dx[h * W + w] = s if h * W + w == k else 0
            else:
                s = g[oh * OW + ow] / <floating>((h1 - h0) * (w1 - w0))
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        dx[h * W + w] = s
        for h in range(h0, h1):
            for w in range(w_end, W):
                dx[h * W + w] = 0
    if h_end < H:
        memset(dx + h_end * W, 0, (H - h_end) * W * sizeof(floating))


cdef void _select_nchw(const floating* v, const floating* x, floating* y, Py_ssize_t H,
                       Py_ssize_t W, Py_ssize_t OH, Py_ssize_t OW, int ph, int pw, int sh,
                       int sw, int top, int left) noexcept nogil:
    cdef Py_ssize_t oh, ow, h0, h1, w0, w1
    for oh in range(OH):
        h0 = _imax(oh * sh - top, 0)
        h1 = _imin(oh * sh - top + ph, H)
        for ow in range(OW):
            w0 = _imax(ow * sw - left, 0)
            w1 = _imin(ow * sw - left + pw, W)
            y[oh * OW + ow] = v[_argmax_plane(x, W, h0, h1, w0, w1)]


# -- entry points ---------------------------------------------------------------------

def pool2d_forward(x, out, ph, pw, sh, sw, top, left, is_max, channels_last, n_threads):
    """out = max or average pool of x (NHWC when channels_last, else NCHW)."""
    op = 'pool2d_forward'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint mx = ck.flag(op, 'is_max', is_max)
    cdef bint cl = ck.flag(op, 'channels_last', channels_last)
    cdef int t = ck.floats(op, 'x', x, 4)
    ck.array(op, 'out', out, 4, t, True)
    cdef Win w
    _window(&w, op, x.shape, 'out', out.shape, ph, pw, sh, sw, top, left, cl)
    if x.size == 0:         # no image or no channel: nothing to split into tasks
        return
    if t == cnp.NPY_FLOAT:
        _pool_forward[float](x, out, w, mx, cl, nt)
    else:
        _pool_forward[double](x, out, w, mx, cl, nt)


cdef int _pool_forward(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out, Win w,
                       bint is_max, bint channels_last, int n_threads) except -1:
    cdef Py_ssize_t N = x.shape[0], H, W, C, OH, OW, cb, ncb, t, n, c0
    if channels_last:
        H, W, C, OH, OW = x.shape[1], x.shape[2], x.shape[3], out.shape[1], out.shape[2]
        cb = _channel_block(N, C, n_threads)
        ncb = (C + cb - 1) // cb
        for t in prange(N * ncb, nogil=True, schedule='static', num_threads=n_threads):
            n = t // ncb
            c0 = (t % ncb) * cb
            _fwd_nhwc(&x[n, 0, 0, 0], &out[n, 0, 0, 0], H, W, C, OH, OW, c0,
                      _imin(cb, C - c0), w.ph, w.pw, w.sh, w.sw, w.top, w.left, is_max)
    else:
        C, H, W, OH, OW = x.shape[1], x.shape[2], x.shape[3], out.shape[2], out.shape[3]
        for t in prange(N * C, nogil=True, schedule='static', num_threads=n_threads):
            _fwd_nchw(&x[t // C, t % C, 0, 0], &out[t // C, t % C, 0, 0], H, W, OH, OW,
                      w.ph, w.pw, w.sh, w.sw, w.top, w.left, is_max)
    return 0


def pool2d_backprop(g, x, out, ph, pw, sh, sw, top, left, is_max, channels_last, n_threads):
    """out (shaped like x) = d<g, pool(x)>/dx."""
    op = 'pool2d_backprop'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint mx = ck.flag(op, 'is_max', is_max)
    cdef bint cl = ck.flag(op, 'channels_last', channels_last)
    cdef int t = ck.floats(op, 'g', g, 4)
    ck.array(op, 'x', x, 4, t, False)
    ck.array(op, 'out', out, 4, t, True)
    cdef Win w
    _window(&w, op, x.shape, 'g', g.shape, ph, pw, sh, sw, top, left, cl)
    if out.shape != x.shape:
        raise ValueError(f'{op}: out {out.shape} must have the shape of x {x.shape}')
    if x.size == 0:
        return
    if t == cnp.NPY_FLOAT:
        _pool_backprop[float](g, x, out, w, mx, cl, nt)
    else:
        _pool_backprop[double](g, x, out, w, mx, cl, nt)


cdef int _pool_backprop(const floating[:, :, :, ::1] g, const floating[:, :, :, ::1] x,
                        floating[:, :, :, ::1] out, Win w, bint is_max, bint channels_last,
                        int n_threads) except -1:
    cdef Py_ssize_t N = x.shape[0], H, W, C, OH, OW, cb, ncb, t, n, c0
    cdef int ph = w.ph, pw = w.pw, sh = w.sh, sw = w.sw, top = w.top, left = w.left
    # Windows that tile the input: one write per element, no scatter.
    cdef bint tiled = sh == ph and sw == pw
    # NCHW max windows other than 2x2 keep the scatter (a per-pixel select is
    # a branch there).
    cdef bint tiled_nchw = tiled and (not is_max or (ph == 2 and pw == 2))
    if channels_last:
        H, W, C, OH, OW = x.shape[1], x.shape[2], x.shape[3], g.shape[1], g.shape[2]
        cb = _channel_block(N, C, n_threads)
        ncb = (C + cb - 1) // cb
        for t in prange(N * ncb, nogil=True, schedule='static', num_threads=n_threads):
            n = t // ncb
            c0 = (t % ncb) * cb
            if tiled:
                _bwd_nhwc_tiled(&g[n, 0, 0, 0], &x[n, 0, 0, 0], &out[n, 0, 0, 0], H, W, C,
                                OH, OW, c0, _imin(cb, C - c0), ph, pw, top, left, is_max)
            else:
                _bwd_nhwc(&g[n, 0, 0, 0], &x[n, 0, 0, 0], &out[n, 0, 0, 0], H, W, C, OH, OW,
                          c0, _imin(cb, C - c0), ph, pw, sh, sw, top, left, is_max)
    else:
        C, H, W, OH, OW = x.shape[1], x.shape[2], x.shape[3], g.shape[2], g.shape[3]
        for t in prange(N * C, nogil=True, schedule='static', num_threads=n_threads):
            if tiled_nchw:
                _bwd_nchw_tiled(&g[t // C, t % C, 0, 0], &x[t // C, t % C, 0, 0],
                                &out[t // C, t % C, 0, 0], H, W, OH, OW, ph, pw, top, left,
                                is_max)
            else:
                _bwd_nchw(&g[t // C, t % C, 0, 0], &x[t // C, t % C, 0, 0],
                          &out[t // C, t % C, 0, 0], H, W, OH, OW, ph, pw, sh, sw, top, left,
                          is_max)
    return 0


def max_pool2d_select(v, x, out, ph, pw, sh, sw, top, left, channels_last, n_threads):
    """out (pooled shape) = v at the first maximum (or NaN) of each max-pool window of x."""
    op = 'max_pool2d_select'
    cdef int nt = ck.threads(op, n_threads)
    cdef bint cl = ck.flag(op, 'channels_last', channels_last)
    cdef int t = ck.floats(op, 'v', v, 4)
    ck.array(op, 'x', x, 4, t, False)
    ck.array(op, 'out', out, 4, t, True)
    cdef Win w
    _window(&w, op, x.shape, 'out', out.shape, ph, pw, sh, sw, top, left, cl)
    if v.shape != x.shape:
        raise ValueError(f'{op}: v {v.shape} and x {x.shape} must have the same shape')
    if x.size == 0:
        return
    if t == cnp.NPY_FLOAT:
        _select[float](v, x, out, w, cl, nt)
    else:
        _select[double](v, x, out, w, cl, nt)


cdef int _select(const floating[:, :, :, ::1] v, const floating[:, :, :, ::1] x,
                 floating[:, :, :, ::1] out, Win w, bint channels_last,
                 int n_threads) except -1:
    cdef Py_ssize_t N = x.shape[0], H, W, C, OH, OW, cb, ncb, t, n, c0
    if channels_last:
        H, W, C, OH, OW = x.shape[1], x.shape[2], x.shape[3], out.shape[1], out.shape[2]
        cb = _channel_block(N, C, n_threads)
        ncb = (C + cb - 1) // cb
        for t in prange(N * ncb, nogil=True, schedule='static', num_threads=n_threads):
            n = t // ncb
            c0 = (t % ncb) * cb
            _select_nhwc(&v[n, 0, 0, 0], &x[n, 0, 0, 0], &out[n, 0, 0, 0], H, W, C, OH, OW,
                         c0, _imin(cb, C - c0), w.ph, w.pw, w.sh, w.sw, w.top, w.left)
    else:
        C, H, W, OH, OW = x.shape[1], x.shape[2], x.shape[3], out.shape[2], out.shape[3]
        for t in prange(N * C, nogil=True, schedule='static', num_threads=n_threads):
            _select_nchw(&v[t // C, t % C, 0, 0], &x[t // C, t % C, 0, 0],
                         &out[t // C, t % C, 0, 0], H, W, OH, OW, w.ph, w.pw, w.sh, w.sw,
                         w.top, w.left)
    return 0
