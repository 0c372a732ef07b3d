"""K.conv2d, depthwise/separable conv and conv2d_transpose against
slow, obviously-correct loops (NHWC, TensorFlow's padding), plus the numpy
kernels of _reference against the same loops."""

import numpy as np
import pytest

from kback import backend as K
from kback.backend import _reference as R
from gradcheck import check_op

rng = np.random.RandomState(0)


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape)


# -- loop references (NHWC) ------------------------------------------------------

def tf_geometry(n, k, s, d, padding):
    """(pad before, output length) along one axis, from TF's definition."""
    span = d * (k - 1) + 1
    if padding == 'valid':
        return 0, (n - span) // s + 1
    out = -(-n // s)
    total = max((out - 1) * s + span - n, 0)
    return total // 2, out


def loop_conv(x, w, strides=(1, 1), padding='valid', dilation=(1, 1), depthwise=False):
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    top, oh = tf_geometry(h, kh, strides[0], dilation[0], padding)
    left, ow = tf_geometry(wd, kw, strides[1], dilation[1], padding)
    channels = c * w.shape[3] if depthwise else w.shape[3]
    y = np.zeros((n, oh, ow, channels))
    for b in range(n):
        for p in range(oh):
            for q in range(ow):
                for i in range(kh):
                    for j in range(kw):
                        row = p * strides[0] + i * dilation[0] - top
                        col = q * strides[1] + j * dilation[1] - left
                        if 0 <= row < h and 0 <= col < wd:
                            if depthwise:
                                y[b, p, q] += (x[b, row, col][:, None] * w[i, j]).ravel()
                            else:
                                y[b, p, q] += x[b, row, col] @ w[i, j]
    return y


def loop_conv_transpose(x, w, out_shape, strides=(1, 1), padding='valid', dilation=(1, 1)):
    """Scatter every input pixel through the (kh, kw, out, in) kernel."""
    n, h, wd, _ = x.shape
    kh, kw = w.shape[:2]
    top, _ = tf_geometry(out_shape[1], kh, strides[0], dilation[0], padding)
    left, _ = tf_geometry(out_shape[2], kw, strides[1], dilation[1], padding)
    y = np.zeros(out_shape)
    for b in range(n):
        for p in range(h):
            for q in range(wd):
                for i in range(kh):
                    for j in range(kw):
                        row = p * strides[0] + i * dilation[0] - top
                        col = q * strides[1] + j * dilation[1] - left
                        if 0 <= row < out_shape[1] and 0 <= col < out_shape[2]:
                            y[b, row, col] += w[i, j] @ x[b, p, q]
    return y


def loop_conv_kernel_grad(x, g, w_shape, strides, padding, dilation):
    kh, kw = w_shape[:2]
    n, h, wd, _ = x.shape
    top, oh = tf_geometry(h, kh, strides[0], dilation[0], padding)
    left, ow = tf_geometry(wd, kw, strides[1], dilation[1], padding)
    dw = np.zeros(w_shape)
    for b in range(n):
        for p in range(oh):
            for q in range(ow):
                for i in range(kh):
                    for j in range(kw):
                        row = p * strides[0] + i * dilation[0] - top
                        col = q * strides[1] + j * dilation[1] - left
                        if 0 <= row < h and 0 <= col < wd:
                            dw[i, j] += np.outer(x[b, row, col], g[b, p, q])
    return dw


def nchw(a):
    return np.transpose(a, (0, 3, 1, 2))


def nhwc(a):
    return np.transpose(a, (0, 2, 3, 1))


def same_pads(h, k, s, d, padding):
    top, out = tf_geometry(h, k, s, d, padding)
    total = max((out - 1) * s + d * (k - 1) + 1 - h, 0) if padding == 'same' else 0
    return top, total - top


# (input h, w), kernel (kh, kw), strides, padding, dilation: odd/even sizes,
# asymmetric 'same' padding, 1x1, kernel as large as the input, stride > kernel.
CONV_CASES = [
    ((5, 5), (3, 3), (1, 1), 'valid', (1, 1)),
    ((6, 7), (3, 3), (2, 2), 'same', (1, 1)),
    ((6, 7), (3, 3), (2, 2), 'valid', (1, 1)),
    ((7, 6), (2, 2), (1, 1), 'same', (1, 1)),
    ((8, 8), (2, 3), (2, 1), 'same', (1, 1)),
    ((7, 7), (3, 3), (1, 1), 'same', (2, 2)),
    ((6, 7), (3, 2), (1, 1), 'valid', (2, 2)),
    ((5, 4), (1, 1), (1, 1), 'valid', (1, 1)),
    ((5, 4), (1, 1), (2, 2), 'same', (1, 1)),
    ((4, 5), (4, 5), (1, 1), 'valid', (1, 1)),
    ((4, 5), (4, 5), (1, 1), 'same', (1, 1)),
    ((7, 7), (2, 2), (3, 3), 'valid', (1, 1)),
    ((7, 8), (2, 2), (3, 3), 'same', (1, 1)),
]
IDS = ['{}x{}-k{}x{}-s{}{}-{}-d{}'.format(*hw, *k, *s, p, d[0]) for hw, k, s, p, d in CONV_CASES]


def pads_of(hw, k, strides, padding, dilation):
    return tuple(same_pads(hw[a], k[a], strides[a], dilation[a], padding) for a in (0, 1))


# -- _reference kernels against the loops -----------------------------------------

@pytest.mark.parametrize('case', CONV_CASES, ids=IDS)
def test_reference_conv_kernels(case):
    hw, k, strides, padding, dilation = case
    x, w = r(2, *hw, 3), r(*k, 3, 2)
    pads = pads_of(hw, k, strides, padding, dilation)
    y = R.conv2d_forward(x, w, strides, pads, dilation)
    np.testing.assert_allclose(y, loop_conv(x, w, strides, padding, dilation), atol=1e-12)
    g = r(*y.shape)
    np.testing.assert_allclose(R.conv2d_backprop_input(g, w, x.shape, strides, pads, dilation),
                               loop_conv_transpose(g, w, x.shape, strides, padding, dilation), atol=1e-12)
    np.testing.assert_allclose(R.conv2d_backprop_kernel(x, g, w.shape, strides, pads, dilation),
                               loop_conv_kernel_grad(x, g, w.shape, strides, padding, dilation),
                               atol=1e-12)
    # Depthwise (multiplier 2) through the adjoint identities.
    dw = r(*k, 3, 2)
    y = R.depthwise_conv2d_forward(x, dw, strides, pads, dilation)
    np.testing.assert_allclose(y, loop_conv(x, dw, strides, padding, dilation, depthwise=True),
                               atol=1e-12)
    g = r(*y.shape)
    u = R.depthwise_conv2d_backprop_input(g, dw, x.shape, strides, pads, dilation)
    v = R.depthwise_conv2d_backprop_kernel(x, g, dw.shape, strides, pads, dilation)
    np.testing.assert_allclose(np.sum(u * x), np.sum(g * y), rtol=1e-10)
    np.testing.assert_allclose(np.sum(v * dw), np.sum(g * y), rtol=1e-10)
    assert u.shape == x.shape and v.shape == dw.shape


def test_reference_errors():
    x = np.zeros((1, 3, 3, 2))
    with pytest.raises(ValueError, match=r'conv2d_forward: .*\(1, 3, 3, 2\)'):
        R.conv2d_forward(x, np.zeros((2, 2, 3, 1)), (1, 1), ((0, 0), (0, 0)), (1, 1))
    with pytest.raises(ValueError, match='larger than the padded input'):
        R.conv2d_forward(x, np.zeros((4, 2, 2, 1)), (1, 1), ((0, 0), (0, 0)), (1, 1))
    with pytest.raises(ValueError, match='conv2d_backprop_input: the gradient has shape'):
        R.conv2d_backprop_input(np.zeros((1, 3, 3, 1)), np.zeros((2, 2, 2, 1)), x.shape,
                                (1, 1), ((0, 0), (0, 0)), (1, 1))


# -- K functions against the loops ---------------------------------------------------

def run(build, *arrays):
    """Evaluate build(*placeholders) on float64 arrays."""
    ph = [K.placeholder(shape=a.shape, dtype='float64') for a in arrays]
    return K.function(ph, [build(*ph)])(list(arrays))[0]


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('case', CONV_CASES, ids=IDS)
def test_conv2d(case, data_format):
    hw, k, strides, padding, dilation = case
    x, w = r(2, *hw, 3), r(*k, 3, 4)
    expected = loop_conv(x, w, strides, padding, dilation)
    xin = x if data_format == 'channels_last' else nchw(x)
    out = run(lambda a, b: K.conv2d(a, b, strides, padding, data_format, dilation), xin, w)
    np.testing.assert_allclose(out if data_format == 'channels_last' else nhwc(out), expected,
                               atol=1e-12)


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('case', CONV_CASES[:8], ids=IDS[:8])
def test_depthwise_and_separable_conv2d(case, data_format):
    hw, k, strides, padding, dilation = case
    x, dw, pw = r(1, *hw, 2), r(*k, 2, 3), r(1, 1, 6, 4)
    expected = loop_conv(x, dw, strides, padding, dilation, depthwise=True)
    xin = x if data_format == 'channels_last' else nchw(x)
    back = (lambda a: a) if data_format == 'channels_last' else nhwc
    out = run(lambda a, b: K.depthwise_conv2d(a, b, strides, padding, data_format, dilation),
              xin, dw)
    np.testing.assert_allclose(back(out), expected, atol=1e-12)
    out = run(lambda a, b, c: K.separable_conv2d(a, b, c, strides, padding, data_format,
                                                 dilation), xin, dw, pw)
    np.testing.assert_allclose(back(out), loop_conv(expected, pw), atol=1e-12)


# (input h, w), kernel, strides, padding, dilation, output h, w.  Several
# output sizes map back to the same input size with stride 2.
TRANSPOSE_CASES = [
    ((3, 4), (3, 3), (1, 1), 'valid', (1, 1), (5, 6)),
    ((3, 4), (3, 3), (2, 2), 'valid', (1, 1), (7, 9)),
    ((3, 4), (3, 3), (2, 2), 'valid', (1, 1), (8, 10)),
    ((3, 4), (3, 2), (2, 2), 'same', (1, 1), (6, 7)),
    ((3, 4), (3, 2), (2, 2), 'same', (1, 1), (5, 8)),
    ((4, 4), (2, 2), (1, 1), 'same', (1, 1), (4, 4)),
    ((3, 3), (3, 3), (1, 1), 'valid', (2, 2), (7, 7)),
    ((4, 3), (3, 2), (1, 1), 'same', (2, 2), (4, 3)),
    ((2, 2), (2, 2), (3, 3), 'valid', (1, 1), (6, 7)),
]


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('case', TRANSPOSE_CASES)
def test_conv2d_transpose(case, data_format):
    hw, k, strides, padding, dilation, out_hw = case
    x, w = r(2, *hw, 3), r(*k, 2, 3)
    expected = loop_conv_transpose(x, w, (2,) + out_hw + (2,), strides, padding, dilation)
    if data_format == 'channels_last':
        out = run(lambda a, b: K.conv2d_transpose(a, b, (2,) + out_hw + (2,), strides, padding,
                                                  data_format, dilation), x, w)
    else:
        out = nhwc(run(lambda a, b: K.conv2d_transpose(a, b, (2, 2) + out_hw, strides, padding,
                                                       data_format, dilation), nchw(x), w))
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_conv2d_transpose_output_shape_tensors():
    x, w = r(2, 3, 4, 3), r(3, 3, 2, 3)
    expected = loop_conv_transpose(x, w, (2, 6, 8, 2), (2, 2), 'same')
    xp = K.placeholder((None, None, None, 3), dtype='float64')
    wp = K.placeholder((3, 3, 2, 3), dtype='float64')
    s = K.shape(xp)
    y1 = K.conv2d_transpose(xp, wp, (s[0], s[1] * 2, s[2] * 2, 2), (2, 2), 'same')
    vec = K.constant(np.array([2, 2, 6, 8]), dtype='int32')
    y2 = K.conv2d_transpose(K.permute_dimensions(xp, (0, 3, 1, 2)), wp, vec, (2, 2), 'same',
                            'channels_first')
    assert K.int_shape(y1) == (None, None, None, 2)
    out1, out2 = K.function([xp, wp], [y1, y2])([x, w])
    np.testing.assert_allclose(out1, expected, atol=1e-12)
    np.testing.assert_allclose(nhwc(out2), expected, atol=1e-12)


# -- gradients (float64 central differences) -----------------------------------------

@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_gradients(data_format):
    cl = data_format == 'channels_last'
    x = r(2, 5, 4, 2) if cl else r(2, 2, 5, 4)
    w, dw, pw = r(3, 2, 2, 3), r(2, 3, 2, 2), r(1, 1, 4, 2)
    check_op(lambda a, b: K.conv2d(a, b, (2, 1), 'same', data_format), [x, w])
    check_op(lambda a, b: K.conv2d(a, b, (1, 1), 'valid', data_format, (2, 1)), [x, w])
    check_op(lambda a, b: K.depthwise_conv2d(a, b, (2, 2), 'same', data_format), [x, dw])
    check_op(lambda a, b, c: K.separable_conv2d(a, b, c, (1, 1), 'valid', data_format), [x, dw, pw])
    t = r(2, 3, 2, 3) if cl else r(2, 3, 3, 2)
    out_shape = (2, 6, 4, 2) if cl else (2, 2, 6, 4)
    check_op(lambda a, b: K.conv2d_transpose(a, b, out_shape, (2, 2), 'same', data_format),
             [t, r(3, 3, 2, 3)])


def test_second_derivative_of_conv2d():
    """Gradient of a gradient: d/d(x, w) of d sum(conv(x, w)**2)/dx and /dw."""
    x, w = r(2, 5, 5, 2), r(3, 3, 2, 2)
    strides, padding = (2, 2), 'same'

    def grad_x(a, b):
        return K.gradients(K.sum(K.square(K.conv2d(a, b, strides, padding))), a)[0]

    def grad_w(a, b):
        return K.gradients(K.sum(K.square(K.conv2d(a, b, strides, padding))), b)[0]

    y = loop_conv(x, w, strides, padding)
    check_op(grad_x, [x, w], lambda a, b: loop_conv_transpose(2 * y, w, x.shape, strides, padding))
    check_op(grad_w, [x, w], lambda a, b: loop_conv_kernel_grad(
        x, 2 * y, w.shape, strides, padding, (1, 1)))


def test_second_derivative_of_depthwise():
    x, w = r(1, 4, 5, 2), r(2, 2, 2, 2)
    check_op(lambda a, b: K.gradients(K.sum(K.square(K.depthwise_conv2d(a, b, padding='same'))),
                                      a)[0], [x, w])


# -- None batch, dtypes, speed ---------------------------------------------------------

@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_none_batch_two_sizes(data_format):
    cl = data_format == 'channels_last'
    xp = K.placeholder((None, 6, 5, 2) if cl else (None, 2, 6, 5), dtype='float64')
    w, dw, pw, tw = r(3, 3, 2, 3), r(2, 2, 2, 2), r(1, 1, 4, 3), r(3, 3, 2, 3)
    ys = [K.conv2d(xp, w, (2, 2), 'same', data_format),
          K.depthwise_conv2d(xp, dw, (1, 1), 'valid', data_format),
          K.separable_conv2d(xp, dw, pw, (1, 1), 'same', data_format)]
    ys.append(K.conv2d_transpose(ys[0], tw, (None, 6, 5, 2) if cl else (None, 2, 6, 5),
                                 (2, 2), 'same', data_format))
    assert all(K.int_shape(y)[0] is None for y in ys)
    assert K.int_shape(ys[3]) == K.int_shape(xp)
    f = K.function([xp], ys + K.gradients(K.sum(sum(K.sum(y) for y in ys)), xp))
    for n in (1, 3):
        x = r(n, 6, 5, 2)
        outs = f([x if cl else nchw(x)])
        back = (lambda a: a) if cl else nhwc
        conv = loop_conv(x, w, (2, 2), 'same')
        np.testing.assert_allclose(back(outs[0]), conv, atol=1e-12)
        np.testing.assert_allclose(back(outs[1]), loop_conv(x, dw, depthwise=True), atol=1e-12)
        np.testing.assert_allclose(back(outs[2]), loop_conv(
            loop_conv(x, dw, padding='same', depthwise=True), pw), atol=1e-12)
        np.testing.assert_allclose(back(outs[3]), loop_conv_transpose(
            conv, tw, (n, 6, 5, 2), (2, 2), 'same'), atol=1e-12)
        assert outs[4].shape == (n,) + K.int_shape(xp)[1:]


def test_float32_outputs():
    x = K.placeholder((None, 6, 6, 2))
    w = K.variable(r(3, 3, 2, 4))
    dw, pw, tw = K.variable(r(3, 3, 2, 1)), K.variable(r(1, 1, 2, 3)), K.variable(r(2, 2, 3, 4))
    y = K.conv2d(x, w, padding='same')
    ys = [y, K.depthwise_conv2d(x, dw), K.separable_conv2d(x, dw, pw),
          K.conv2d_transpose(y, tw, (None, 12, 12, 3), (2, 2), 'same')]
    grads = K.gradients(K.sum(ys[0]) + K.sum(ys[2]) + K.sum(ys[3]), [x, w, dw])
    assert all(t.dtype == 'float32' for t in ys + grads)
    outs = K.function([x], ys + grads)([r(2, 6, 6, 2)])
    assert all(o.dtype == np.float32 for o in outs)


def test_float16_and_numpy_kernel():
    x = K.placeholder((1, 4, 4, 2), dtype='float16')
    y = K.conv2d(x, r(3, 3, 2, 1), padding='same')     # the array takes x's dtype
    assert y.dtype == 'float16'
    a = r(1, 4, 4, 2)
    out = K.function([x], [y])([a])[0]
    assert out.dtype == np.float16
    np.testing.assert_allclose(out, loop_conv(a.astype(np.float16), K.eval(y.inputs[1]),
                                              padding='same'), rtol=1e-2, atol=1e-2)


def test_default_data_format_from_config():
    K.set_image_data_format('channels_first')
    x, w = r(1, 2, 5, 5), r(3, 3, 2, 1)
    out = run(lambda a, b: K.conv2d(a, b), x, w)
    np.testing.assert_allclose(out, nchw(loop_conv(nhwc(x), w)), atol=1e-12)


def test_channels_first_runs_natively_without_transposes():
    """The conv ops take data_format: no transpose nodes, forward or backward."""
    x = K.placeholder((None, 2, 9, 8))
    w = K.variable(r(3, 2, 2, 4))
    y = K.conv2d(x, w, strides=(2, 1), padding='same', data_format='channels_first')
    z = K.depthwise_conv2d(y, K.variable(r(2, 2, 4, 2)), padding='same',
                           data_format='channels_first')
    grads = K.gradients(K.sum(K.square(z)), [x, w])
    seen, stack = set(), [z] + grads
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        assert t.op != 'transpose'
        stack.extend(t.inputs)
    a = r(3, 2, 9, 8)
    out, gx, gw = K.function([x], [y] + grads[:1] + [K.gradients(K.sum(y), [w])[0]])([a])
    want = nchw(loop_conv(nhwc(a), K.eval(w), (2, 1), 'same'))
    np.testing.assert_allclose(out, want, atol=1e-5)
    assert gx.shape == a.shape and gw.shape == (3, 2, 2, 4)


# -- errors at graph-build time ----------------------------------------------------------

def bad(match, fn):
    with pytest.raises(ValueError, match=match):
        fn()


def test_errors():
    x = K.placeholder((None, 5, 5, 3))
    w = K.placeholder((3, 3, 3, 4))
    bad(r'conv2d: strides must be positive', lambda: K.conv2d(x, w, strides=(0, 1)))
    bad(r'conv2d: dilation must be positive', lambda: K.conv2d(x, w, dilation_rate=-1))
    bad(r'conv2d: .*kernel \(6, 3, 3, 4\).*larger than the input \(None, 5, 5, 3\)',
        lambda: K.conv2d(x, K.placeholder((6, 3, 3, 4))))
    bad(r'conv2d: .*kernel.*larger than the input',
        lambda: K.conv2d(x, w, dilation_rate=(3, 1)))
    bad(r'conv2d: the input \(None, 5, 5, 3\) has 3 channels but the kernel \(3, 3, 2, 4\)',
        lambda: K.conv2d(x, K.placeholder((3, 3, 2, 4))))
    bad(r'conv2d: .*channels', lambda: K.conv2d(x, w, data_format='channels_first'))
    bad(r'conv2d: the input must have rank 4, got shape \(5, 5, 3\)',
        lambda: K.conv2d(K.placeholder((5, 5, 3)), w))
    bad(r'conv2d: the kernel must have rank 4, got shape \(3, 3, 3\)',
        lambda: K.conv2d(x, K.placeholder((3, 3, 3))))
    bad(r"conv2d: padding must be 'valid' or 'same', got 'full'",
        lambda: K.conv2d(x, w, padding='full'))
    bad(r'conv2d: Unknown data_format', lambda: K.conv2d(x, w, data_format='NHWC'))
    bad(r'conv2d: expects float tensors', lambda: K.conv2d(x, K.placeholder((3, 3, 3, 4),
                                                                             dtype='int32')))
    bad(r'depthwise_conv2d: the input \(None, 5, 5, 3\) has 3 channels',
        lambda: K.depthwise_conv2d(x, K.placeholder((3, 3, 2, 1))))
    # separable_conv2d is depthwise_conv2d then a 1x1 conv2d: that op checks the
    # pointwise kernel's channels.
    bad(r'conv2d: the input \(None, 3, 3, 6\) has 6 channels but the kernel \(1, 1, 3, 4\)',
        lambda: K.separable_conv2d(x, K.placeholder((3, 3, 3, 2)), K.placeholder((1, 1, 3, 4))))
    bad(r'separable_conv2d: the pointwise kernel must have shape \(1, 1, in_channels',
        lambda: K.separable_conv2d(x, K.placeholder((3, 3, 3, 2)), K.placeholder((3, 3, 6, 4))))
    t = K.placeholder((None, 3, 3, 4))
    tw = K.placeholder((3, 3, 2, 4))
    # conv2d_transpose builds conv2d_backprop_input, whose inference checks it: the
    # transpose's input is that op's gradient, its output_shape the op's input shape.
    bad(r'conv2d_backprop_input: the gradient \(None, 3, 3, 4\) does not fit an input of shape '
        r'\(None, 8, 6, 2\)', lambda: K.conv2d_transpose(t, tw, (None, 8, 6, 2), (2, 2)))
    bad(r'conv2d_backprop_input: the input \(None, 7, 7, 3\) has 3 channels but the kernel '
        r'\(3, 3, 2, 4\) expects 2', lambda: K.conv2d_transpose(t, tw, (None, 7, 7, 3), (2, 2)))
    bad(r'conv2d_backprop_input: the gradient \(None, 3, 3, 4\) has 4 channels but the kernel '
        r'\(3, 3, 4, 2\) gives 2',
        lambda: K.conv2d_transpose(t, K.placeholder((3, 3, 4, 2)), (None, 5, 5, 4)))
    bad(r'conv2d_transpose: output_shape must have 4 entries',
        lambda: K.conv2d_transpose(t, tw, (7, 7, 2)))
    bad(r'conv2d_transpose: output_shape entries', lambda: K.conv2d_transpose(t, tw, (1, None, 7, 2)))
    bad(r'conv2d_backprop_input: the gradient \(2, 3, 3, 4\) does not fit an input of shape '
        r'\(3, 5, 5, 2\)',
        lambda: K.conv2d_transpose(K.placeholder((2, 3, 3, 4)), tw, (3, 5, 5, 2)))


def test_run_time_shape_errors():
    """Shapes unknown at build time are checked when the function runs."""
    x = K.placeholder((None, None, None, 3))
    f = K.function([x], [K.conv2d(x, r(3, 3, 3, 2))])
    with pytest.raises(ValueError, match=r'conv2d: the window \(3, 3\).*larger than the input '
                                         r'\(1, 2, 5, 3\)'):
        f([r(1, 2, 5, 3)])


# -- the one conv/pool geometry (kback.backend._shapes) --------------------------------

def test_conv_geometry_of_every_rank_and_format():
    from kback.backend._shapes import conv_geometry
    geo = conv_geometry('op', (2, 7, 3), (3,), (2,), 'same', (1,), 'channels_last')
    assert geo == (2, 3, (7,), (4,), ((1, 1),))
    # TensorFlow's split: the odd padding pixel goes after.
    geo = conv_geometry('op', (2, 5, 6, 8), (2, 2), (1, 2), 'same', (1, 1), 'channels_first')
    assert (geo.batch, geo.channels, geo.out_spatial, geo.pads) == \
        (2, 5, (6, 4), ((0, 1), (0, 0)))
    geo = conv_geometry('op', (None, 9, None, 4, 1), (3, 3, 2), (2, 1, 1), 'valid',
                        (2, 1, 1), 'channels_last')
    assert (geo.out_spatial, geo.pads) == ((3, None, 3), ((0, 0), None, (0, 0)))
    bad(r"op: the kernel \(3, 3\) \(dilation \(2, 1\), span 5\) is larger than the input "
        r"\(1, 4, 4, 1\) with 'valid' padding",
        lambda: conv_geometry('op', (1, 4, 4, 1), (3, 3), (1, 1), 'valid', (2, 1),
                              'channels_last', 'kernel'))
    bad(r'op: the input must have rank 5', lambda: conv_geometry(
        'op', (1, 4, 4, 1), (1, 1, 1), (1, 1, 1), 'valid', (1, 1, 1), 'channels_last'))


def test_keras_output_lengths_come_from_the_same_geometry():
    from kback.utils import conv_utils
    for length, k, s, d in [(7, 3, 2, 1), (8, 2, 2, 1), (9, 3, 1, 2), (2, 3, 1, 1)]:
        for padding in ('valid', 'same', 'full'):
            span = (k - 1) * d + 1
            keras = {'valid': length - span + 1, 'same': length,
                     'full': length + span - 1}[padding]
            want = max((keras + s - 1) // s, 0)      # Keras 2.3's conv_output_length
            assert conv_utils.conv_output_length(length, k, padding, s, d) == want
            assert K.conv_output_length(length, k, padding, s, d) == want
    assert conv_utils.conv_output_length(None, 3, 'same', 1) is None
    assert conv_utils.conv_input_length(4, 3, 'same', 2) == 7
    assert K.channel_axis('channels_first', 5) == 1 and K.channel_axis('channels_last', 3) == 2
    assert K.spatial_axes('channels_first', 5) == (2, 3, 4)
    assert K.layout_shape('channels_first', None, (4, 5), 3) == (None, 3, 4, 5)
