"""kback_core pooling kernels against the numpy reference: both data formats,
float32/float64, 1 and 2 threads (identical results), odd geometries,
converted inputs, finite differences and bad arguments."""
import numpy as np
import pytest

from kback.backend import _reference as R
from kback.backend._kernels import pool as P
from kback.backend._shapes import axis_pads

from kback_core import pool as core

# (input h, w), pool, strides, padding: asymmetric 'same', pool as large as
# the (padded) input, stride larger than the pool, 1x1 pools.
CASES = [((5, 6), (2, 2), (2, 2), 'same'), ((7, 7), (3, 3), (2, 2), 'same'),
         ((6, 6), (3, 2), (1, 1), 'valid'), ((4, 5), (4, 5), (1, 1), 'valid'),
         ((4, 5), (4, 5), (1, 1), 'same'), ((7, 8), (2, 2), (3, 3), 'same'),
         ((7, 7), (2, 1), (3, 3), 'valid'), ((5, 4), (1, 1), (2, 2), 'valid'),
         ((3, 3), (3, 3), (1, 1), 'same')]
IDS = ['{}x{}-p{}x{}-s{}{}-{}'.format(*hw, *p, *s, pad) for hw, p, s, pad in CASES]


def pads_of(hw, pool, strides, padding):
    return tuple(axis_pads(n, k, padding, s) for n, k, s in zip(hw, pool, strides))


def nchw(a):
    return np.ascontiguousarray(np.transpose(a, (0, 3, 1, 2)))


def nhwc(a):
    return np.transpose(a, (0, 2, 3, 1))


def call(fn, arrays, data_format, *args, threads):
    """Run a raw kernel on NHWC arrays in data_format; result back in NHWC."""
    cl = data_format == 'channels_last'
    arrays = [a if cl else nchw(a) for a in arrays]
    out = fn(*arrays, *args, cl, threads)
    return out if cl else nhwc(out)


def raw_forward(x, out_shape, pool, strides, pads, mode, data_format, threads):
    cl = data_format == 'channels_last'
    out = np.empty(out_shape if cl else (out_shape[0], out_shape[3]) + out_shape[1:3], x.dtype)
    core.pool2d_forward(x if cl else nchw(x), out, pool[0], pool[1], strides[0], strides[1],
                        pads[0][0], pads[1][0], mode == 'max', cl, threads)
    return out if cl else nhwc(out)


def raw_backward(g, x, pool, strides, pads, mode, data_format, threads):
    cl = data_format == 'channels_last'
    g, x = (g, x) if cl else (nchw(g), nchw(x))
    out = np.empty_like(x)
    core.pool2d_backprop(g, x, out, pool[0], pool[1], strides[0], strides[1], pads[0][0],
                         pads[1][0], mode == 'max', cl, threads)
    return out if cl else nhwc(out)


def raw_select(v, x, out_shape, pool, strides, pads, data_format, threads):
    cl = data_format == 'channels_last'
    v, x = (v, x) if cl else (nchw(v), nchw(x))
    out = np.empty(out_shape if cl else (out_shape[0], out_shape[3]) + out_shape[1:3], x.dtype)
    core.max_pool2d_select(v, x, out, pool[0], pool[1], strides[0], strides[1], pads[0][0],
                           pads[1][0], cl, threads)
    return out if cl else nhwc(out)


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('case', CASES, ids=IDS)
def test_kernels_against_reference(case, dtype, data_format):
    hw, pool, strides, padding = case
    rng = np.random.RandomState(0)
    # Batch of 1 with many channels splits the channels into blocks; rounding
    # to a coarse grid makes ties, which must go to the first maximum.
    for n, c in ((2, 3), (1, 70)):
        x = (np.round(rng.randn(n, *hw, c) * 2) / 2).astype(dtype)
        pads = pads_of(hw, pool, strides, padding)
        tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-13)
        for mode in ('max', 'avg'):
            y = R.pool2d_forward(x, pool, strides, pads, mode)
            g = rng.randn(*y.shape).astype(dtype)
            dx = R.pool2d_backprop(g, x, pool, strides, pads, mode)
            results = []
            for threads in (1, 2):
                yk = raw_forward(x, y.shape, pool, strides, pads, mode, data_format, threads)
                dk = raw_backward(g, x, pool, strides, pads, mode, data_format, threads)
                assert yk.dtype == dk.dtype == dtype
                np.testing.assert_allclose(yk, y, **tol)
                np.testing.assert_allclose(dk, dx, **tol)
                results.append((yk, dk))
                if mode == 'max':
                    v = rng.randn(*x.shape).astype(dtype)
                    sel = raw_select(v, x, y.shape, pool, strides, pads, data_format, threads)
                    np.testing.assert_array_equal(
                        sel, R.max_pool2d_select(v, x, pool, strides, pads))
            for a, b in zip(*results):          # identical at 1 and 2 threads
                np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_large_input_two_threads_identical(data_format):
    rng = np.random.RandomState(1)
    x = rng.randn(6, 17, 15, 24).astype(np.float32)
    pads = pads_of((17, 15), (3, 3), (2, 2), 'same')
    y = R.pool2d_forward(x, (3, 3), (2, 2), pads, 'max')
    g = rng.randn(*y.shape).astype(np.float32)
    for mode in ('max', 'avg'):
        one = raw_backward(g, x, (3, 3), (2, 2), pads, mode, data_format, 1)
        two = raw_backward(g, x, (3, 3), (2, 2), pads, mode, data_format, 2)
        np.testing.assert_array_equal(one, two)
        np.testing.assert_allclose(one, R.pool2d_backprop(g, x, (3, 3), (2, 2), pads, mode),
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('mode', ['max', 'avg'])
def test_backward_finite_differences(mode, data_format):
    """d<g, pool(x)>/dx of the kernels by float64 central differences."""
    rng = np.random.RandomState(2)
    x = rng.randn(2, 5, 6, 3) if data_format == 'channels_last' else rng.randn(2, 3, 5, 6)
    hw = x.shape[1:3] if data_format == 'channels_last' else x.shape[2:]
    pads = pads_of(hw, (3, 2), (2, 2), 'same')
    y = P.pool2d_forward(x, (3, 2), (2, 2), pads, mode, data_format)
    g = rng.randn(*y.shape)
    dx = P.pool2d_backprop(g, x, (3, 2), (2, 2), pads, mode, data_format)
    eps = 1e-6
    numeric = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        numeric[i] = np.sum(g * (P.pool2d_forward(xp, (3, 2), (2, 2), pads, mode, data_format) -
                                 P.pool2d_forward(xm, (3, 2), (2, 2), pads, mode, data_format)))
    np.testing.assert_allclose(dx, numeric / (2 * eps), rtol=1e-6, atol=1e-8)
    if mode == 'max':   # select is the adjoint of max backward in g
        v = rng.randn(*x.shape)
        sel = P.max_pool2d_select(v, x, (3, 2), (2, 2), pads, data_format)
        np.testing.assert_allclose(np.sum(sel * g), np.sum(v * dx), rtol=1e-12)


def test_wrapper_converts_inputs_and_fills_out():
    rng = np.random.RandomState(3)
    base = rng.randn(2, 8, 9, 4)
    x = base[:, ::2, ::3, :]                         # non-contiguous view
    pads = pads_of((4, 3), (2, 2), (1, 1), 'same')
    y = R.pool2d_forward(np.ascontiguousarray(x), (2, 2), (1, 1), pads, 'max')
    np.testing.assert_array_equal(P.pool2d_forward(x, (2, 2), (1, 1), pads, 'max'), y)
    out = np.empty(y.shape)
    assert P.pool2d_forward(x, (2, 2), (1, 1), pads, 'max', out=out) is out
    np.testing.assert_array_equal(out, y)
    # Channels-first given as a transposed (non-contiguous) view.
    xt = np.transpose(x, (0, 3, 1, 2))
    np.testing.assert_array_equal(P.pool2d_forward(xt, (2, 2), (1, 1), pads, 'max',
                                                   'channels_first'), nchw(y))
    # Integer, float16 and mixed-dtype inputs: converted or computed by the reference.
    xi = np.arange(2 * 4 * 3 * 4).reshape(2, 4, 3, 4)
    np.testing.assert_array_equal(P.pool2d_forward(xi, (2, 2), (1, 1), pads, 'max'),
                                  R.pool2d_forward(xi, (2, 2), (1, 1), pads, 'max'))
    h = x.astype(np.float16)
    yh = P.pool2d_forward(h, (2, 2), (1, 1), pads, 'avg')
    assert yh.dtype == np.float16
    np.testing.assert_allclose(yh, R.pool2d_forward(x, (2, 2), (1, 1), pads, 'avg'), atol=1e-2)
    g = rng.randn(*y.shape).astype(np.float32)
    dx = P.pool2d_backprop(g, x, (2, 2), (1, 1), pads, 'avg')
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx, R.pool2d_backprop(g, x, (2, 2), (1, 1), pads, 'avg'),
                               rtol=1e-5)
    with pytest.raises(ValueError, match=r'pool2d_forward: out must be .* got float64 \(1, 2\)'):
        P.pool2d_forward(x, (2, 2), (1, 1), pads, 'max', out=np.empty((1, 2)))


def test_bad_arguments():
    """The pool ops check their arguments (tests/backend/test_pool.py) and the
    wrappers trust them; the compiled kernels check every buffer they get."""
    x = np.zeros((1, 4, 4, 2), np.float32)
    none = ((0, 0), (0, 0))
    with pytest.raises(ValueError, match=r'pool2d_forward: ph must be an int in \[1, '):
        P.pool2d_forward(x, (0, 2), (1, 1), none, 'max')
    with pytest.raises(ValueError, match=r'pool2d_backprop: sw must be an int in \[1, '):
        P.pool2d_backprop(x, x, (1, 1), (1, -1), none, 'avg')
    with pytest.raises(ValueError, match=r'pool2d_forward: pool \(5, 2\), .* do not fit x '
                                         r'\(1, 4, 4, 2\)'):
        P.pool2d_forward(x, (5, 2), (1, 1), none, 'max')
    with pytest.raises(ValueError, match=r'max_pool2d_select: pool \(2, 5\)'):
        P.max_pool2d_select(x, x, (2, 5), (1, 1), none)
    with pytest.raises(ValueError, match=r'pool2d_backprop: .* do not fit x \(1, 4, 4, 2\) '
                                         r'and g \(1, 3, 3, 2\)'):
        P.pool2d_backprop(np.zeros((1, 3, 3, 2), np.float32), x, (2, 2), (2, 2), none, 'max')
    with pytest.raises(ValueError, match=r'padding before \(2, 0\)'):
        P.pool2d_forward(x, (2, 2), (1, 1), ((2, 0), (0, 0)), 'max')
    # The raw kernels check their buffers too (never a crash).
    with pytest.raises(ValueError, match=r'pool2d_forward: pool \(2, 2\).*do not fit'):
        core.pool2d_forward(x, np.empty((1, 5, 4, 2), np.float32), 2, 2, 1, 1, 0, 0, True,
                            True, 1)
    with pytest.raises(ValueError, match=r'pool2d_forward: x .* batch or channels'):
        core.pool2d_forward(x, np.empty((1, 2, 2, 3), np.float32), 2, 2, 2, 2, 0, 0, True,
                            True, 1)
    with pytest.raises(ValueError, match=r'ph must be an int in \[1, '):
        core.pool2d_backprop(x, x, x, 0, 1, 1, 1, 0, 0, True, True, 1)
    with pytest.raises(ValueError, match=r'pool2d_backprop: out \(1, 4, 4, 1\) must have the shape of x'):
        core.pool2d_backprop(np.zeros((1, 2, 2, 2), np.float32), x, np.empty((1, 4, 4, 1),
                             np.float32), 2, 2, 2, 2, 0, 0, True, True, 1)


# Windows that tile the input (strides == pool) take a write-once path (and a
# vectorised 2x2 max); rows and columns past the last window must be zeros.
TILED = [((7, 7), (2, 2), 'valid'), ((6, 8), (2, 2), 'same'), ((5, 6), (2, 2), 'same'),
         ((7, 8), (3, 3), 'same'), ((8, 7), (2, 3), 'valid'), ((5, 5), (1, 1), 'valid')]


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('case', TILED, ids=[f'{h}x{w}-p{p}x{q}-{pad}'
                                             for (h, w), (p, q), pad in TILED])
def test_tiled_backward_writes_every_element(case, dtype, data_format):
    hw, pool, padding = case
    rng = np.random.RandomState(4)
    for n, c in ((2, 5), (1, 130), (3, 256)):        # one, several and split channel blocks
        x = (np.round(rng.randn(n, *hw, c) * 2) / 2).astype(dtype)    # many ties
        pads = pads_of(hw, pool, pool, padding)
        y = R.pool2d_forward(x, pool, pool, pads, 'max')
        g = rng.randn(*y.shape).astype(dtype)
        cl = data_format == 'channels_last'
        for mode in ('max', 'avg'):
            want = R.pool2d_backprop(g, x, pool, pool, pads, mode)
            got = []
            for threads in (1, 2):
                out = np.full(x.shape if cl else nchw(x).shape, np.nan, dtype)
                core.pool2d_backprop(g if cl else nchw(g), x if cl else nchw(x), out, pool[0],
                                     pool[1], pool[0], pool[1], pads[0][0], pads[1][0],
                                     mode == 'max', cl, threads)
                got.append(out if cl else nhwc(out))
                np.testing.assert_allclose(got[-1], want, rtol=1e-6, atol=1e-7)
            np.testing.assert_array_equal(got[0], got[1])


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('pads', [((1, 0), (1, 1)), ((0, 1), (1, 0)), ((1, 1), (0, 0))])
def test_tiled_backward_windows_clipped_at_the_top_left(pads, data_format):
    """Padding before the input clips the first windows: 2x2 windows that are
    not whole take the general per-window code beside the vectorised ones."""
    rng = np.random.RandomState(5)
    x = (np.round(rng.randn(2, 7, 8, 3) * 2) / 2)
    y = R.pool2d_forward(x, (2, 2), (2, 2), pads, 'max')
    g = rng.randn(*y.shape)
    cl = data_format == 'channels_last'
    for mode in ('max', 'avg'):
        out = np.full(x.shape if cl else nchw(x).shape, np.nan)
        core.pool2d_backprop(g if cl else nchw(g), x if cl else nchw(x), out, 2, 2, 2, 2,
                             pads[0][0], pads[1][0], mode == 'max', cl, 2)
        np.testing.assert_allclose(out if cl else nhwc(out),
                                   R.pool2d_backprop(g, x, (2, 2), (2, 2), pads, mode),
                                   rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_tiled_max_backward_nan_windows(data_format):
    """A NaN is its window's maximum (numpy's maximum): g goes to the
    window's first NaN, as in the overlapping-window path."""
    nan = np.nan
    x = np.array([[1, 2, nan, 0], [3, 0, 5, 1]], np.float32).reshape(1, 2, 4, 1)
    g = np.array([10, 20], np.float32).reshape(1, 1, 2, 1)
    want = np.array([[0, 0, 20, 0], [10, 0, 0, 0]], np.float32).reshape(1, 2, 4, 1)
    x2 = np.array([[0, nan], [3, 1]], np.float32).reshape(1, 2, 2, 1)
    want2 = np.array([[0, 7], [0, 0]], np.float32).reshape(1, 2, 2, 1)
    g2 = np.array([7], np.float32).reshape(1, 1, 1, 1)
    for xs, gs, w in ((x, g, want), (x2, g2, want2)):
        for stride in (2, 3):   # tiled, and the general path for the same windows
            if stride == 3 and xs.shape[2] == 4:
                continue
            d = P.pool2d_backprop(gs if data_format == 'channels_last' else nchw(gs),
                                  xs if data_format == 'channels_last' else nchw(xs),
                                  (2, 2), (stride, stride), ((0, 0), (0, 0)), 'max', data_format)
            np.testing.assert_array_equal(d if data_format == 'channels_last' else nhwc(d), w)
