# cython: language_level=3
"""The checked geometry of a conv, shared by the conv kernels.  Inline only,
so there is no module to import."""
from . cimport _checks as ck
from ._typedefs cimport floating

# Strides, dilation and pads are ints below 2**31 (BLAS's int), so no window
# arithmetic can overflow.
cdef enum:
    BIG = 2147483647

cdef struct Geom:
    Py_ssize_t n, h, w, c, kh, kw, o, m, oh, ow, sh, sw, dh, dw, top, left, kk
    bint nchw


cdef inline str _shape(Py_ssize_t *s):
    return f'({s[0]}, {s[1]}, {s[2]}, {s[3]})'


cdef inline tuple _pair(str op, str name, value, Py_ssize_t lo):
    """value as a pair of ints in [lo, BIG]."""
    try:
        a, b = value
    except (TypeError, ValueError):
        raise ValueError(f'{op}: {name} must be a pair of ints, got {value!r}') from None
    return ck.integer(op, name, a, lo, BIG), ck.integer(op, name, b, lo, BIG)


cdef inline int make_geom(Geom *g, str op, Py_ssize_t *xs, Py_ssize_t *ks, Py_ssize_t *ys,
                          strides, pads, dilation, bint nchw, bint depthwise,
                          tuple names) except -1:
    """Fill g from the x (input), kernel and y (conv output) buffer shapes and
    the resolved pads; ValueError naming op, the arguments (`names` of the x,
    kernel and y buffers in this entry point) and the shapes when the buffers
    do not fit together.  The caller sized them (kback's ops compute the output
    size): these checks only keep every access in bounds, as inequalities."""
    cdef Py_ssize_t top, bottom, left, right, hp, wp, span_h, span_w
    g.sh, g.sw = _pair(op, 'strides', strides, 1)
    g.dh, g.dw = _pair(op, 'dilation', dilation, 1)
    try:
        ph, pw = pads
    except (TypeError, ValueError):
        raise ValueError(f'{op}: pads must be ((top, bottom), (left, right)), got {pads!r}') from None
    top, bottom = _pair(op, 'pads', ph, 0)
    left, right = _pair(op, 'pads', pw, 0)
    g.nchw = nchw
    g.n = xs[0]
    if nchw:
        g.c, g.h, g.w = xs[1], xs[2], xs[3]
        g.oh, g.ow = ys[2], ys[3]
    else:
        g.h, g.w, g.c = xs[1], xs[2], xs[3]
        g.oh, g.ow = ys[1], ys[2]
    g.kh, g.kw = ks[0], ks[1]
    g.top, g.left = top, left
    xn, kn, yn = names
    what = f'{xn} {_shape(xs)}, {kn} {_shape(ks)}'
    if min(g.h, g.w, g.c, g.kh, g.kw, ks[3]) < 1:
        raise ValueError(f'{op}: empty {xn} or {kn}: {what}')
    if ks[2] != g.c:
        raise ValueError(f'{op}: the {what} do not match: {g.c} input channels, the kernel '
                         f'expects {ks[2]}')
    g.m = ks[3] if depthwise else 1
    g.o = g.c * g.m if depthwise else ks[3]
    g.kk = g.kh * g.kw * g.c
    if ys[0] != g.n or (ys[1] if nchw else ys[3]) != g.o:
        raise ValueError(f'{op}: {yn} has shape {_shape(ys)}, not '
                         f'{g.n} images of {g.o} channels for the {what}')
    hp, wp = g.h + top + bottom, g.w + left + right
    span_h, span_w = (g.kh - 1) * g.dh + 1, (g.kw - 1) * g.dw + 1
    if g.oh < 1 or g.ow < 1 or (g.oh - 1) * g.sh + span_h > hp or \
            (g.ow - 1) * g.sw + span_w > wp:
        raise ValueError(f'{op}: {yn} has shape {_shape(ys)}: its '
                         f'({g.oh}, {g.ow}) windows of ({span_h}, {span_w}) (strides '
                         f'{strides!r}, dilation {dilation!r}) are not all inside the padded '
                         f'input ({hp}, {wp}): {what}, pads {pads!r}')
    # BLAS takes int dimensions and leading dimensions.
    if max(g.kk * g.o, g.oh * g.ow * max(g.kk, g.o), g.n * g.oh * g.ow) >= (1 << 31):
        raise ValueError(f'{op}: the {what} are too large for 32-bit BLAS')
    return 0


cdef inline const floating *bias_data(str op, object bias, Py_ssize_t channels,
                                      floating kind) except? NULL:
    """The data of a conv's bias (`channels` entries of the kernel's dtype), or
    NULL without one; the caller keeps `bias` alive while the kernel reads it."""
    cdef const floating[::1] b
    if bias is None:
        return NULL
    b = bias
    if b.shape[0] != channels:
        raise ValueError(f'{op}: bias has {b.shape[0]} entries, the output has {channels} '
                         f'channels')
    return &b[0]
