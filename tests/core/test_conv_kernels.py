"""Compiled conv kernels (kback_core.conv through _kernels.conv) against the
numpy reference: both data formats, float32/float64, 1 and 2 threads (results
identical), odd geometries, converted inputs, finite differences, bad input."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend import _reference as R
from kback.backend._kernels import conv as C

import kback_core.conv as core

rng = np.random.RandomState(0)

# (x shape NHWC, kernel (kh, kw, in, out/multiplier), strides, pads, dilation)
CASES = {
    'plain': ((2, 7, 6, 3), (3, 2, 3, 4), (1, 1), ((0, 0), (0, 0)), (1, 1)),
    'same-ish asym pads, stride, dilation': ((3, 9, 8, 2), (3, 3, 2, 5), (2, 1),
                                             ((1, 2), (0, 1)), (1, 2)),
    '1x1 kernel': ((2, 5, 4, 6), (1, 1, 6, 3), (1, 1), ((0, 0), (0, 0)), (1, 1)),
    'kernel as large as the padded input': ((2, 4, 3, 2), (5, 5, 2, 3), (1, 1),
                                            ((1, 0), (1, 1)), (1, 1)),
    'stride larger than the kernel': ((2, 11, 10, 3), (2, 2, 3, 2), (4, 3),
                                      ((0, 1), (1, 0)), (1, 1)),
    'batch of 1': ((1, 6, 7, 4), (3, 3, 4, 2), (1, 2), ((1, 1), (1, 1)), (2, 1)),
    # Patch widths up to 16 (kh * kw * in) take the direct NHWC loops, not BLAS.
    'thin patches, many channels': ((3, 9, 8, 1), (2, 2, 1, 37), (1, 1), ((0, 1), (1, 0)),
                                    (1, 1)),
    'thin patches, strided and dilated': ((2, 8, 9, 2), (2, 3, 2, 6), (2, 1),
                                          ((1, 0), (0, 2)), (2, 1)),
    # NHWC patches 17 to 32 wide (dilation 1 along the width) skip im2col: windows
    # straight from x, border columns through patches, register tiles of 4 rows x
    # 32 float32 (16 float64) output channels plus the leftover rows and channels.
    'few channels, same pads (direct)': ((3, 10, 9, 3), (3, 3, 3, 37), (1, 1),
                                         ((1, 1), (1, 1)), (1, 1)),
    'few channels, strided, asym pads (direct)': ((2, 11, 13, 3), (3, 3, 3, 33), (2, 2),
                                                  ((0, 1), (1, 1)), (2, 1)),
    'window rows all in the padding, no inside column (direct)': (
        (2, 3, 2, 3), (2, 3, 3, 34), (1, 1), ((2, 0), (1, 1)), (1, 1)),
    'patches just wider than the direct kernel': ((2, 7, 6, 4), (3, 3, 4, 35), (1, 1),
                                                  ((1, 1), (1, 1)), (1, 1)),
}

FAMILIES = {
    'conv2d': (C.conv2d, C.conv2d_backprop_input, C.conv2d_backprop_kernel,
               R.conv2d_forward, R.conv2d_backprop_input, R.conv2d_backprop_kernel),
    'depthwise_conv2d': (C.depthwise_conv2d, C.depthwise_conv2d_backprop_input,
                         C.depthwise_conv2d_backprop_kernel, R.depthwise_conv2d_forward,
                         R.depthwise_conv2d_backprop_input, R.depthwise_conv2d_backprop_kernel),
}


def nchw(a):
    return np.ascontiguousarray(np.transpose(a, (0, 3, 1, 2)))


def kernel_shape(family, w_shape):
    # depthwise: keep the multiplier small
    return w_shape if family == 'conv2d' else w_shape[:3] + (w_shape[3] % 3 + 1,)


def run_all(family, x, w, g, strides, pads, dilation, data_format, threads, dtype):
    fwd, bpi, bpk = FAMILIES[family][:3]
    K.set_num_threads(threads)
    if data_format == 'channels_first':
        x, g = nchw(x), nchw(g)
    x, w, g = x.astype(dtype), w.astype(dtype), g.astype(dtype)
    return (fwd(x, w, strides, pads, dilation, data_format),
            bpi(g, w, x.shape, strides, pads, dilation, data_format),
            bpk(x, g, w.shape, strides, pads, dilation, data_format))


@pytest.mark.parametrize('family', sorted(FAMILIES))
@pytest.mark.parametrize('case', sorted(CASES))
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_kernels_match_reference_at_1_and_2_threads(family, case, data_format, dtype):
    x_shape, w_shape, strides, pads, dilation = CASES[case]
    x, w = rng.randn(*x_shape), rng.randn(*kernel_shape(family, w_shape))
    ref_fwd, ref_bpi, ref_bpk = FAMILIES[family][3:]
    y = ref_fwd(x, w, strides, pads, dilation)
    g = rng.randn(*y.shape)
    expected = [y, ref_bpi(g, w, x_shape, strides, pads, dilation),
                ref_bpk(x, g, w.shape, strides, pads, dilation)]
    if data_format == 'channels_first':
        expected[0], expected[1] = nchw(expected[0]), nchw(expected[1])
    results = [run_all(family, x, w, g, strides, pads, dilation, data_format, t, dtype)
               for t in (1, 2)]
    rtol = 1e-4 if dtype == np.float32 else 1e-11
    for got, want in zip(results[0], expected):
        assert got.dtype == dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())
    for one, two in zip(*results):
        np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize('family', sorted(FAMILIES))
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_chunked_paths_give_identical_results(family, data_format, monkeypatch):
    """Tiny chunks: row ranges within an image and many kernel-gradient slots."""
    x = rng.randn(5, 13, 11, 3)
    w = rng.randn(*kernel_shape(family, (3, 3, 3, 4)))
    strides, pads, dilation = (1, 2), ((1, 1), (2, 0)), (1, 1)
    g = rng.randn(*FAMILIES[family][3](x, w, strides, pads, dilation).shape)
    base = run_all(family, x, w, g, strides, pads, dilation, data_format, 2, np.float64)
    monkeypatch.setattr(core, 'CHUNK_BYTES', 200)
    for threads in (1, 2):
        chunked = run_all(family, x, w, g, strides, pads, dilation, data_format, threads,
                          np.float64)
        for a, b in zip(chunked, base):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('family', sorted(FAMILIES))
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_backprop_kernels_finite_differences(family, data_format):
    """float64 central differences of L = <g, conv(x, w)> in x and in w."""
    x = rng.randn(2, 5, 6, 2)
    w = rng.randn(*kernel_shape(family, (3, 2, 2, 3)))
    strides, pads, dilation = (2, 1), ((1, 1), (0, 1)), (1, 2)
    fwd, bpi, bpk = FAMILIES[family][:3]
    if data_format == 'channels_first':
        x = nchw(x)
    y = fwd(x, w, strides, pads, dilation, data_format)
    g = rng.randn(*y.shape)

    def loss(xv, wv):
        return np.sum(g * fwd(xv, wv, strides, pads, dilation, data_format))

    dx = bpi(g, w, x.shape, strides, pads, dilation, data_format)
    dw = bpk(x, g, w.shape, strides, pads, dilation, data_format)
    eps = 1e-5
    for arr, grad, which in ((x, dx, 0), (w, dw, 1)):
        for idx in list(np.ndindex(arr.shape))[::7]:
            plus, minus = arr.copy(), arr.copy()
            plus[idx] += eps
            minus[idx] -= eps
            args_p = (plus, w) if which == 0 else (x, plus)
            args_m = (minus, w) if which == 0 else (x, minus)
            numeric = (loss(*args_p) - loss(*args_m)) / (2 * eps)
            assert abs(numeric - grad[idx]) < 1e-7 * max(1.0, abs(numeric)), (which, idx)


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('in_channels', [4, 1])       # BLAS, direct loops (patch width 9)
def test_bias_in_the_same_pass_and_out_buffers(data_format, in_channels):
    x, w, b = rng.randn(3, 6, 6, 4), rng.randn(3, 3, 4, 5), rng.randn(5)
    x, w = x[..., :in_channels].copy(), w[:, :, :in_channels].copy()
    pads = ((1, 1), (1, 1))
    want = R.conv2d_forward(x, w, (1, 1), pads, (1, 1)) + b
    dwant = R.depthwise_conv2d_forward(x, w[..., :2], (1, 1), pads, (1, 1)) + b[:in_channels].repeat(2)
    if data_format == 'channels_first':
        x, want, dwant = nchw(x), nchw(want), nchw(dwant)
    out = np.empty(want.shape)
    got = C.conv2d(x, w, (1, 1), pads, (1, 1), data_format, bias=b, out=out)
    assert got is out
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-12)
    got = C.depthwise_conv2d(x, w[..., :2], (1, 1), pads, (1, 1), data_format,
                             bias=b[:in_channels].repeat(2))
    np.testing.assert_allclose(got, dwant, rtol=1e-12, atol=1e-12)
    for bad in (np.empty(want.shape, np.float32), np.empty(want.shape[:3] + (1,)),
                np.empty(want.shape)[:, ::-1], np.empty(want.size)):
        with pytest.raises(ValueError, match='conv2d_forward: out must be'):
            C.conv2d(x, w, (1, 1), pads, (1, 1), data_format, out=bad)


def test_inputs_of_other_dtypes_and_layouts_are_converted():
    x = rng.randint(-3, 4, size=(2, 7, 7, 3))
    w = rng.randn(2, 2, 3, 4).astype(np.float32)
    pads = ((0, 0), (0, 0))
    want = R.conv2d_forward(x.astype(np.float64), w.astype(np.float64), (1, 1), pads, (1, 1))
    got = C.conv2d(x, w, (1, 1), pads, (1, 1))            # int with float32: float64
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-12)
    got = C.conv2d(x.astype(np.float32), w)                # float32 stays float32
    assert got.dtype == np.float32
    # Non-contiguous views (a strided slice, a transposed Fortran array).
    big = rng.randn(2, 14, 7, 6).astype(np.float32)
    view = big[:, ::2, :, ::2]
    want = R.conv2d_forward(np.ascontiguousarray(view), w, (1, 1), pads, (1, 1))
    np.testing.assert_allclose(C.conv2d(view, w), want, rtol=1e-5, atol=1e-5)
    wf = np.asfortranarray(w)
    np.testing.assert_allclose(C.conv2d(view, wf), want, rtol=1e-5, atol=1e-5)
    g = rng.randn(*want.shape)[..., ::-1]
    np.testing.assert_allclose(
        C.conv2d_backprop_kernel(view, g, w.shape),
        R.conv2d_backprop_kernel(np.ascontiguousarray(view, np.float64), g.copy(), w.shape,
                                 (1, 1), pads, (1, 1)), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_numpy_fallback_without_the_extension(data_format, monkeypatch):
    x, w = rng.randn(2, 6, 5, 3), rng.randn(3, 2, 3, 4)
    args = ((2, 1), ((1, 1), (0, 1)), (1, 1), data_format)
    xs = nchw(x) if data_format == 'channels_first' else x
    compiled = (C.conv2d(xs, w, *args, bias=np.arange(4.0)),
                C.depthwise_conv2d(xs, w[..., :1], *args))
    g = rng.randn(*compiled[0].shape)
    compiled += (C.conv2d_backprop_input(g, w, xs.shape, *args),
                 C.conv2d_backprop_kernel(xs, g, w.shape, *args))
    monkeypatch.setattr(C, 'AVAILABLE', False)
    fallback = (C.conv2d(xs, w, *args, bias=np.arange(4.0)),
                C.depthwise_conv2d(xs, w[..., :1], *args),
                C.conv2d_backprop_input(g, w, xs.shape, *args),
                C.conv2d_backprop_kernel(xs, g, w.shape, *args))
    for a, b in zip(compiled, fallback):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# -- bad arguments: the ops check them (tests/backend/test_conv.py) and the wrappers
# -- trust the ops; what reaches the compiled entry points is still checked ---------

def test_the_core_checks_what_a_wrapper_hands_it():
    x, w = np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 3, 2))
    with pytest.raises(ValueError, match=r'conv2d_forward: the x \(1, 5, 5, 3\), kernel '
                                         r'\(3, 3, 4, 2\) do not match: 3 input channels, '
                                         'the kernel expects 4'):
        C.conv2d(x, np.zeros((3, 3, 4, 2)))
    with pytest.raises(ValueError, match=r'depthwise_conv2d_backprop_kernel: the x'):
        C.depthwise_conv2d_backprop_kernel(x, np.zeros((1, 3, 3, 3)), (3, 3, 2, 1))
    with pytest.raises(ValueError, match=r'conv2d_backprop_input: grad '
                                         r'has shape \(1, 3, 3, 3\), not 1 images of 2'):
        C.conv2d_backprop_input(np.zeros((1, 3, 3, 3)), w, x.shape)
    with pytest.raises(ValueError, match=r'conv2d_backprop_input: grad '
                                         r'has shape \(1, 4, 4, 2\): its \(4, 4\) windows'):
        C.conv2d_backprop_input(np.zeros((1, 4, 4, 2)), w, x.shape)


@pytest.mark.parametrize('name', ['conv2d', 'depthwise_conv2d'])
def test_compiled_entry_points_check_every_buffer(name):
    fwd = getattr(core, name + '_forward')
    bpi = getattr(core, name + '_backprop_input')
    bpk = getattr(core, name + '_backprop_kernel')
    f = np.float32
    x, w = np.zeros((2, 6, 6, 3), f), np.zeros((3, 3, 3, 1), f)
    geo = ((1, 1), ((0, 0), (0, 0)), (1, 1), False, 2)
    y = np.zeros((2, 4, 4, w.shape[3] if name == 'conv2d' else 3), f)
    fwd(x, w, None, y, *geo)                                        # the right buffers
    # Buffers are checked as inequalities: a smaller output holds the first windows.
    fwd(x, w, None, np.zeros((2, 3, 3, y.shape[3]), f), *geo)
    for bad_y in (np.zeros((2, 4, 5, y.shape[3]), f), np.zeros((2, 4, 4, 7), f),
                  np.zeros((3,) + y.shape[1:], f), np.zeros((2, 5, 4, y.shape[3]), f),
                  np.zeros((2, 0, 4, y.shape[3]), f)):
        with pytest.raises(ValueError, match=name + r'_forward: out has shape'):
            fwd(x, w, None, bad_y, *geo)
    with pytest.raises(ValueError, match=name + '_forward: bias has 5 entries'):
        fwd(x, w, np.zeros(5, f), y, *geo)
    with pytest.raises(ValueError, match=name + r'_backprop_input: grad has shape'):
        bpi(np.zeros((2, 5, 5, y.shape[3]), f), w, x, *geo)
    with pytest.raises(ValueError, match=name + r'_backprop_kernel: .*3 input channels.*'
                                                'expects 2'):
        bpk(x, y, np.zeros((3, 3, 2, 1), f), *geo)
    with pytest.raises(ValueError, match=name + r'_forward: strides must be an int in \[1, '):
        fwd(x, w, None, y, (0, 1), *geo[1:])
    with pytest.raises(ValueError, match=name + r'_forward: pads must be an int in \[0, '):
        fwd(x, w, None, y, (1, 1), ((0, -1), (0, 0)), *geo[2:])
    with pytest.raises(ValueError, match=name + r'_forward: .*windows of \(3, 3\) .* not all '
                                              r'inside the padded input \(2, 6\)'):
        fwd(x[:, :2].copy(), w, None, y, *geo)
    with pytest.raises(ValueError, match=name + r'_forward: empty x or kernel'):
        fwd(x[..., :0].copy(), w, None, y, *geo)
    with pytest.raises((ValueError, TypeError)):                    # mixed dtypes
        fwd(x.astype(np.float64), w, None, y, *geo)
    with pytest.raises(ValueError):                                 # not C-contiguous
        fwd(x[:, ::-1], w, None, y, *geo)
