# cython: language_level=3
"""The checked geometry of a conv, shared by the conv kernels.  Inline only,
so there is no module to import."""

cdef struct Geom:
    Py_ssize_t n, h, w, c, kh, kw, o, m, oh, ow, sh, sw, dh, dw, top, left, kk
    bint nchw


cdef inline str _shape(Py_ssize_t *s):
    return f'({s[0]}, {s[1]}, {s[2]}, {s[3]})'


cdef inline Py_ssize_t _positive(str op, str name, value) except -1:
    cdef Py_ssize_t a, b
    try:
        a, b = value
    except (TypeError, ValueError):
        raise ValueError(f'{op}: {name} must be a pair of ints, got {value!r}') from None
    if a < 1 or b < 1:
        raise ValueError(f'{op}: {name} must be positive, got {value!r}')
    return 0


cdef inline int make_geom(Geom *g, str op, Py_ssize_t *xs, Py_ssize_t *ks, Py_ssize_t *ys,
                          strides, pads, dilation, bint nchw, bint depthwise) except -1:
    """Fill g from the x (input), kernel and y (conv output) buffer shapes;
    ValueError naming op and the shapes when they do not fit together."""
    cdef Py_ssize_t top, bottom, left, right, hp, wp, span_h, span_w, c_out
    _positive(op, 'strides', strides)
    _positive(op, 'dilation', dilation)
    try:
        (top, bottom), (left, right) = pads
    except (TypeError, ValueError):
        raise ValueError(f'{op}: pads must be ((top, bottom), (left, right)), got {pads!r}') from None
    if min(top, bottom, left, right) < 0:
        raise ValueError(f'{op}: negative padding {pads!r}')
    g.nchw = nchw
    g.n = xs[0]
    if nchw:
        g.c, g.h, g.w = xs[1], xs[2], xs[3]
    else:
        g.h, g.w, g.c = xs[1], xs[2], xs[3]
    g.kh, g.kw = ks[0], ks[1]
    g.sh, g.sw = strides
    g.dh, g.dw = dilation
    g.top, g.left = top, left
    what = f'input {_shape(xs)}, kernel {_shape(ks)}'
    if min(g.h, g.w, g.c, g.kh, g.kw, ks[3]) < 1:
        raise ValueError(f'{op}: empty input or kernel: {what}')
    if ks[2] != g.c:
        raise ValueError(f'{op}: the {what} do not match: {g.c} input channels, the kernel '
                         f'expects {ks[2]}')
    hp, wp = g.h + top + bottom, g.w + left + right
    span_h, span_w = (g.kh - 1) * g.dh + 1, (g.kw - 1) * g.dw + 1
    if hp < span_h or wp < span_w:
        raise ValueError(f'{op}: the kernel window ({span_h}, {span_w}) (dilation {dilation!r}) '
                         f'is larger than the padded input ({hp}, {wp}): {what}, pads {pads!r}')
    g.oh = (hp - span_h) // g.sh + 1
    g.ow = (wp - span_w) // g.sw + 1
    if depthwise:
        g.m = ks[3]
        g.o = g.c * g.m
    else:
        g.m = 1
        g.o = ks[3]
    g.kk = g.kh * g.kw * g.c
    expected = (g.n, g.o, g.oh, g.ow) if nchw else (g.n, g.oh, g.ow, g.o)
    if (ys[0], ys[1], ys[2], ys[3]) != expected:
        raise ValueError(f'{op}: the output/gradient buffer has shape {_shape(ys)}, expected '
                         f'{expected} for the {what}')
    # BLAS takes int dimensions and leading dimensions.
    if max(g.kk * g.o, g.oh * g.ow * max(g.kk, g.o), g.n * g.oh * g.ow) >= (1 << 31):
        raise ValueError(f'{op}: the {what} are too large for 32-bit BLAS')
    return 0
