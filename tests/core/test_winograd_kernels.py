"""kback_core.winograd against the float64 numpy reference: forward (+ bias)
and input gradient (F(2x2, 3x3)), kernel gradient (F(3x3, 2x2)), both data
formats, float32/float64, valid/same/asymmetric pads, ragged and tiny images,
single channels; its float32 error against im2col + GEMM's on the same
inputs; identical results
at any thread count and chunking; bad input, also as random valid and spoilt
calls (test_core_properties' harness); the wrapper's dispatch and switch."""
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, strategies as st

from kback import backend as K
from kback.backend import _reference as R
from kback.backend._kernels import conv as C
from kback.backend._kernels.linalg import single_threaded_blas

import kback_core.conv as im2col
import kback_core.winograd as W

from .test_core_properties import (CONV_BAD, Case, _raises_only, dims, floats, kernel_test,
                                   threads, tolerance, values)

# (x shape NHWC, output channels, pads)
CASES = {
    'same': ((2, 8, 8, 5), 6, ((1, 1), (1, 1))),
    'valid': ((2, 9, 7, 4), 3, ((0, 0), (0, 0))),
    'asymmetric pads': ((3, 7, 9, 3), 5, ((0, 2), (2, 1))),
    'odd sizes, same': ((2, 11, 13, 6), 7, ((1, 1), (1, 1))),
    '1x1 image': ((2, 1, 1, 4), 3, ((1, 1), (1, 1))),
    '2x2 image': ((3, 2, 2, 3), 4, ((1, 1), (1, 1))),
    'H < 3, padded': ((2, 2, 6, 3), 2, ((1, 2), (0, 0))),
    'W < 3, padded': ((2, 5, 1, 2), 3, ((0, 0), (2, 1))),
    '1 input channel': ((2, 6, 5, 1), 4, ((1, 1), (1, 1))),
    '1 output channel': ((2, 6, 5, 4), 1, ((1, 1), (1, 1))),
    '1 channel in and out': ((1, 5, 6, 1), 1, ((0, 1), (1, 0))),
    # pads over 2: the input gradient's correlation starts inside the gradient
    'pads over 2': ((2, 5, 6, 3), 4, ((3, 1), (0, 4))),
    'CIFAR-like': ((4, 16, 16, 32), 32, ((1, 1), (1, 1))),
}
FORMATS = ['channels_last', 'channels_first']


def nchw(a):
    return np.ascontiguousarray(np.transpose(a, (0, 3, 1, 2)))


def nhwc(a):
    return np.ascontiguousarray(np.transpose(a, (0, 2, 3, 1)))


def inputs(case, seed=0):
    x_shape, o, pads = CASES[case]
    rng = np.random.RandomState(seed)
    x = rng.randn(*x_shape)
    w = rng.randn(3, 3, x_shape[3], o) / np.sqrt(9 * x_shape[3])
    b = rng.randn(o)
    y = R.conv2d_forward(x, w, (1, 1), pads, (1, 1)) + b
    g = rng.randn(*y.shape)
    dx = R.conv2d_backprop_input(g, w, x_shape, (1, 1), pads, (1, 1))
    dw = R.conv2d_backprop_kernel(x, g, w.shape, (1, 1), pads, (1, 1))
    return x, w, b, g, pads, (y, dx, dw)


def run(module, x, w, b, g, pads, data_format, dtype, n_threads):
    """(forward + bias, input gradient, kernel gradient) through a kback_core
    module, NHWC results."""
    nc = data_format == 'channels_first'
    x, g = (nchw(a) if nc else a for a in (x, g))
    x, w, b, g = (np.ascontiguousarray(a, dtype) for a in (x, w, b, g))
    y, dx, dw = np.empty(g.shape, dtype), np.empty(x.shape, dtype), np.empty(w.shape, dtype)
    with single_threaded_blas():
        if module is W:
            W.conv2d_forward(x, w, b, y, pads, nc, n_threads)
            W.conv2d_backprop_input(g, w, dx, pads, nc, n_threads)
            W.conv2d_backprop_kernel(x, g, dw, pads, nc, n_threads)
        else:
            im2col.conv2d_forward(x, w, b, y, (1, 1), pads, (1, 1), nc, n_threads)
            im2col.conv2d_backprop_input(g, w, dx, (1, 1), pads, (1, 1), nc, n_threads)
            im2col.conv2d_backprop_kernel(x, g, dw, (1, 1), pads, (1, 1), nc, n_threads)
    return (nhwc(y), nhwc(dx), dw) if nc else (y, dx, dw)


def rel_error(got, want):
    return np.abs(got - want).max() / np.abs(want).max()


# Relative to the result's largest magnitude: float32 Winograd stays within
# 2e-6 here (im2col: up to 5e-7); float64 within 1e-14.
BOUND = {np.float32: 2e-6, np.float64: 1e-14}


@pytest.mark.parametrize('case', sorted(CASES))
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_matches_the_float64_reference(case, data_format, dtype):
    x, w, b, g, pads, want = inputs(case)
    got = [run(W, x, w, b, g, pads, data_format, dtype, t) for t in (1, 2, 3)]
    for result, want in zip(got[0], want):
        assert result.dtype == dtype and result.shape == want.shape
        assert rel_error(result, want) < BOUND[dtype]
    for other in got[1:]:            # bit-identical at any thread count
        for a, b_ in zip(got[0], other):
            np.testing.assert_array_equal(a, b_)


@pytest.mark.parametrize('case', sorted(CASES))
@pytest.mark.parametrize('data_format', FORMATS)
def test_float32_error_at_most_4x_im2col(case, data_format):
    """Winograd rounds differently (its transforms add and halve), but its
    float32 error stays within 4x that of im2col + GEMM on the same inputs
    (floored at 4 ulp of the result's magnitude: single-channel im2col sums
    are nearly exact)."""
    x, w, b, g, pads, want = inputs(case, seed=1)
    wino = run(W, x, w, b, g, pads, data_format, np.float32, 1)
    gemm = run(im2col, x, w, b, g, pads, data_format, np.float32, 1)
    eps = np.finfo(np.float32).eps
    for a, b_, want in zip(wino, gemm, want):
        assert rel_error(a, want) <= 4 * max(rel_error(b_, want), eps)


@pytest.mark.parametrize('data_format', FORMATS)
def test_small_chunks_give_the_same_results(data_format, monkeypatch):
    """Many chunks (tile runs split mid-row, chunks spanning images, many
    kernel-gradient slots): the results of the default chunks to rounding
    (BLAS may sum products of other heights in another order), identical at
    1 and 2 threads."""
    x, w, b, g, pads, _ = inputs('odd sizes, same')
    base = run(W, x, w, b, g, pads, data_format, np.float64, 1)
    monkeypatch.setattr(W, 'CHUNK_BYTES', 3000)
    chunked = [run(W, x, w, b, g, pads, data_format, np.float64, n) for n in (1, 2)]
    for a, b_, c in zip(chunked[0], chunked[1], base):
        np.testing.assert_array_equal(a, b_)
        np.testing.assert_allclose(a, c, rtol=1e-13, atol=1e-13)


def test_non_finite_inputs_reach_the_outputs_whose_window_holds_them():
    """As through im2col: each output's transforms read only its own 3x3
    window, so a NaN makes exactly those outputs NaN; an inf makes them
    inf or NaN (inf - inf inside the transforms)."""
    rng = np.random.RandomState(3)
    x = rng.randn(1, 8, 9, 2).astype(np.float32)
    x[0, 0, 1, 1] = np.nan
    x[0, 5, 4, 0] = np.inf
    w = rng.randn(3, 3, 2, 3).astype(np.float32)
    wino, gemm = np.empty((1, 6, 7, 3), np.float32), np.empty((1, 6, 7, 3), np.float32)
    W.conv2d_forward(x, w, None, wino, ((0, 0), (0, 0)), False, 1)
    im2col.conv2d_forward(x, w, None, gemm, (1, 1), ((0, 0), (0, 0)), (1, 1), False, 1)
    np.testing.assert_array_equal(np.isfinite(wino), np.isfinite(gemm))
    np.testing.assert_array_equal(np.isnan(wino[0, :3]), np.isnan(gemm[0, :3]))


def test_empty_batch():
    """Nothing to write, and a kernel gradient of zeros."""
    x, w = np.empty((0, 4, 4, 2), np.float32), np.ones((3, 3, 2, 3), np.float32)
    out = np.empty((0, 4, 4, 3), np.float32)
    W.conv2d_forward(x, w, None, out, ((1, 1), (1, 1)), False, 1)
    W.conv2d_backprop_input(out, w, x.copy(), ((1, 1), (1, 1)), False, 1)
    W.conv2d_backprop_kernel(x, out, w, ((1, 1), (1, 1)), False, 1)
    assert not w.any()


def test_bad_input_raises_clear_errors():
    x, w = np.ones((1, 5, 5, 2), np.float32), np.ones((3, 3, 2, 4), np.float32)
    out = np.empty((1, 5, 5, 4), np.float32)
    same = ((1, 1), (1, 1))
    with pytest.raises(ValueError, match=r'winograd.conv2d_forward: .*3x3 kernels.*2x3'):
        W.conv2d_forward(x, np.ones((2, 3, 2, 4), np.float32), None,
                         np.empty((1, 6, 5, 4), np.float32), same, False, 1)
    with pytest.raises(ValueError, match=r'winograd.conv2d_forward: .*2 input channels'):
        W.conv2d_forward(x, np.ones((3, 3, 3, 4), np.float32), None, out, same, False, 1)
    with pytest.raises(ValueError, match=r'winograd.conv2d_forward: out has shape'):
        W.conv2d_forward(x, w, None, np.empty((1, 6, 5, 4), np.float32), same, False, 1)
    with pytest.raises(ValueError, match=r'winograd.conv2d_forward: bias has 3 entries'):
        W.conv2d_forward(x, w, np.ones(3, np.float32), out, same, False, 1)
    with pytest.raises(TypeError, match=r'winograd.conv2d_forward: kernel must be a native '
                                        r'float32'):
        W.conv2d_forward(x, w.astype(np.float64), None, out, same, False, 1)
    with pytest.raises(ValueError, match=r'winograd.conv2d_forward: pads'):
        W.conv2d_forward(x, w, None, out, (1, 1), False, 1)
    with pytest.raises(ValueError, match=r'winograd.conv2d_forward: n_threads'):
        W.conv2d_forward(x, w, None, out, same, False, 0)
    with pytest.raises(ValueError, match=r'winograd.conv2d_backprop_input: .*3x3'):
        W.conv2d_backprop_input(np.ones((1, 6, 6, 4), np.float32),
                                np.ones((2, 2, 2, 4), np.float32), x,
                                same, False, 1)
    with pytest.raises(ValueError, match=r'winograd.conv2d_backprop_input: out must have 4'):
        W.conv2d_backprop_input(out, w, x[0], same, False, 1)
    with pytest.raises(ValueError, match=r'winograd.conv2d_backprop_kernel: .*3x3.*out is 3x2'):
        W.conv2d_backprop_kernel(x, np.ones((1, 5, 6, 4), np.float32),
                                 np.empty((3, 2, 2, 4), np.float32), same, False, 1)
    with pytest.raises(ValueError, match=r'winograd.conv2d_backprop_kernel: grad has shape'):
        W.conv2d_backprop_kernel(x, np.ones((1, 5, 5, 3), np.float32), w, same, False, 1)
    with pytest.raises(TypeError, match=r'winograd.conv2d_backprop_kernel: nchw must be a bool'):
        W.conv2d_backprop_kernel(x, out, w, same, 'yes', 1)
    with pytest.raises(ValueError, match=r'winograd.conv2d_backprop_input: out is read-only'):
        x.flags.writeable = False
        W.conv2d_backprop_input(out, w, x, same, False, 1)


def case_winograd(draw):
    """A random call of one entry point (n_threads, an array or pads maybe
    spoilt): it returns the reference or raises naming an argument.  No NaN or
    inf: an inf may come out NaN (see test_non_finite_inputs_...)."""
    kind = draw(st.sampled_from(['forward', 'backprop_input', 'backprop_kernel']))
    dt, channels_first = floats(draw), draw(st.booleans())
    n, h, w, c, o = draw(st.integers(0, 2)), *dims(draw, 2, 1, 6), *dims(draw, 2, 1, 4)
    pads = tuple((draw(st.integers(0, 3)), draw(st.integers(0, 3))) for _ in range(2))
    assume(h + sum(pads[0]) >= 3 and w + sum(pads[1]) >= 3)
    x, k = values(draw, (n, h, w, c), dt, specials=False), values(draw, (3, 3, c, o), dt,
                                                                    specials=False)
    y = R.conv2d_forward(x.astype(np.float64), k.astype(np.float64), (1, 1), pads, (1, 1))
    g = values(draw, y.shape, dt, specials=False)
    rtol, atol = tolerance(dt)

    def layout(a):
        return nchw(a) if channels_first else a

    common = dict(pads=pads, nchw=channels_first, n_threads=threads(draw))
    if kind == 'forward':
        bias = values(draw, (o,), dt, specials=False) if draw(st.booleans()) else None
        args = dict(x=layout(x), kernel=k, bias=bias, out=layout(np.empty(y.shape, dt)),
                    **common)
        want = layout(y + (bias if bias is not None else 0))
    elif kind == 'backprop_input':
        args = dict(grad=layout(g), kernel=k, out=layout(np.empty(x.shape, dt)), **common)
        want = layout(R.conv2d_backprop_input(g, k, x.shape, (1, 1), pads, (1, 1)))
    else:
        args = dict(x=layout(x), grad=layout(g), out=np.empty(k.shape, dt), **common)
        want = R.conv2d_backprop_kernel(x, g, k.shape, (1, 1), pads, (1, 1))
    # the kernels need only that every window fits: other shapes may be taken
    case = Case(getattr(W, 'conv2d_' + kind), args, {'out': want}, ['out'], flags=['nchw'],
                rtol=rtol * 10, atol=atol * 10 * (1 + x.size),
                shape_free=[a for a in args if a not in ('bias', 'kernel')])
    if draw(st.integers(0, 4)) == 0:
        args['pads'] = draw(st.sampled_from(CONV_BAD + [((1.5, 0), (0, 0))]))
        case.expect, case.check = {}, _raises_only     # must raise, naming pads
    return case


test_winograd_calls = kernel_test(case_winograd)


# -- the wrapper: which convs go through Winograd, and the switch --------------------------

def test_wrapper_takes_winograd_for_3x3_stride_1_with_enough_channels_and_tiles():
    rng = np.random.RandomState(2)
    x = rng.randn(2, 32, 32, 8).astype(np.float32)        # 512 tiles
    w = rng.randn(3, 3, 8, 8).astype(np.float32)
    pads = ((1, 1), (1, 1))
    K.set_num_threads(1)
    g = rng.randn(2, 32, 32, 8).astype(np.float32)
    wino = run(W, x, w, np.zeros(8), g, pads, 'channels_last', np.float32, 1)
    got = (C.conv2d(x, w, pads=pads), C.conv2d_backprop_input(g, w, x.shape, pads=pads),
           C.conv2d_backprop_kernel(x, g, w.shape, pads=pads))
    gemm = run(im2col, x, w, np.zeros(8), g, pads, 'channels_last', np.float32, 1)
    for a, b, c in zip(got, wino, gemm):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)      # so the dispatch is seen
    assert C._winograd('conv2d', w.shape, (1, 1), (1, 1), 2, (15, 31))     # 2 x 8 x 16 tiles
    assert not C._winograd('conv2d', w.shape, (1, 1), (1, 1), 2, (13, 31))  # 2 x 7 x 16
    for strides, dilation in (((2, 1), (1, 1)), ((1, 1), (1, 2))):
        assert not C._winograd('conv2d', w.shape, strides, dilation, 2, (32, 32))
    assert not C._winograd('conv2d', (3, 3, 16, 7), (1, 1), (1, 1), 2, (32, 32))
    assert not C._winograd('conv2d', (3, 3, 7, 16), (1, 1), (1, 1), 2, (32, 32))
    assert not C._winograd('conv2d', (3, 2, 16, 16), (1, 1), (1, 1), 2, (32, 32))
    assert not C._winograd('depthwise_conv2d', w.shape, (1, 1), (1, 1), 2, (32, 32))


def test_kback_winograd_0_turns_it_off():
    code = 'from kback.backend._kernels import conv; print(conv.WINOGRAD)'
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, KBACK_WINOGRAD='0', PYTHONPATH=root)
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.split() == ['False']
    assert C._winograd('conv2d', (3, 3, 16, 16), (1, 1), (1, 1), 32, (32, 32))
