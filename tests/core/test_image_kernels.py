"""kback_core affine warp against scipy.ndimage.affine_transform: 4 fill modes x
orders 0/1 x both data formats x float32/float64, random and edge-case
matrices, 1 and 2 threads (identical), exact identity/flips, converted and
strided inputs, odd shapes and bad arguments."""
import numpy as np
import pytest
from scipy import ndimage

from kback import backend as K
from kback.backend._kernels import image as I

from kback_core import image as core

SCIPY_MODE = {'constant': 'constant', 'nearest': 'nearest', 'reflect': 'reflect',
              'wrap': 'grid-wrap'}
MODES = list(SCIPY_MODE)


def scipy_warp(x, m, fill_mode, cval, order, data_format):
    """The oracle: scipy per image and channel, computed in float64."""
    cl = data_format == 'channels_last'
    m = np.broadcast_to(np.asarray(m, np.float64), (x.shape[0], 2, 3))
    y = np.empty(x.shape, np.float64)
    for n in range(x.shape[0]):
        for ch in range(x.shape[3] if cl else x.shape[1]):
            src = (x[n, :, :, ch] if cl else x[n, ch]).astype(np.float64)
            res = ndimage.affine_transform(src, m[n, :, :2], offset=m[n, :, 2], order=order,
                                           mode=SCIPY_MODE[fill_mode], cval=cval)
            if cl:
                y[n, :, :, ch] = res
            else:
                y[n, ch] = res
    return y


def rotation(theta, shear, zoom):
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]]) @ np.array([[1, -np.sin(shear)], [0, np.cos(shear)]]) \
        @ np.diag(zoom)


def random_matrices(rng, n, h, w):
    """A mix: rotation/shear/zoom about the centre plus a shift (some far
    outside), half-pixel grids, flips with integer shifts, points exactly on
    and just off the edges."""
    mats = []
    centre = np.array([(h - 1) / 2, (w - 1) / 2])
    for i in range(n):
        kind = i % 6
        if kind in (0, 1):
            a = rotation(rng.uniform(-np.pi, np.pi), rng.uniform(-0.6, 0.6),
                         rng.uniform(0.5, 1.6, 2))
            shift = rng.uniform(-0.3, 0.3, 2) * (h, w) if kind == 0 else \
                rng.uniform(-3.5, 3.5, 2) * (h, w)
            t = centre - a @ centre + shift
        elif kind == 2:            # coordinates on integers and half-pixels
            a = rng.randint(-4, 5, (2, 2)) / 2.0
            t = rng.randint(-2 * h, 2 * h, 2) / 2.0
        elif kind == 3:            # flips and integer shifts, some leaving the image
            a = np.diag(rng.choice([-1.0, 1.0], 2))
            t = np.where(np.diag(a) < 0, (h - 1, w - 1), 0) + rng.randint(-2 * h, 2 * h, 2)
        elif kind == 4:            # every point on an edge row/column, or just off it
            a = np.array([[0.0, 0.0], [0.0, 1.0]])
            eps = rng.choice([0.0, 1e-9, -1e-9])
            t = np.array([rng.choice([0.0, h - 1.0]) + eps, rng.choice([-0.5, 0.0, 0.5])])
        else:                      # zoom out: many points outside on every side
            a = np.diag(rng.uniform(1.5, 3.0, 2))
            t = centre - a @ centre + rng.uniform(-0.5, 0.5, 2)
        mats.append(np.concatenate([a, t[:, None]], axis=1))
    return np.array(mats)


def batch(rng, shape, dtype, data_format):
    x = rng.randn(*shape).astype(dtype)
    return x if data_format == 'channels_last' else np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def tol(dtype):
    return dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('order', [0, 1])
@pytest.mark.parametrize('fill_mode', MODES)
def test_matches_scipy(fill_mode, order, data_format, dtype):
    rng = np.random.RandomState(10 * MODES.index(fill_mode) + order)
    x = batch(rng, (12, 7, 9, 2), dtype, data_format)
    m = random_matrices(rng, 12, 7, 9)
    y = I.affine_warp(x, m, fill_mode, cval=0.75, order=order, data_format=data_format)
    assert y.dtype == dtype and y.shape == x.shape
    expected = scipy_warp(x, m, fill_mode, 0.75, order, data_format)
    if order == 0:      # the same coordinates and rounding: the same pixels
        np.testing.assert_array_equal(y, expected.astype(dtype))
    else:
        np.testing.assert_allclose(y, expected, **tol(dtype))
    # The raw kernel at 1 and 2 threads: bit-identical.
    outs = []
    for threads in (1, 2):
        out = np.empty_like(x)
        core.affine_warp(x, m, out, I.FILL_MODES[fill_mode], 0.75, order,
                         data_format == 'channels_last', threads)
        outs.append(out)
    np.testing.assert_array_equal(outs[0], y)
    np.testing.assert_array_equal(outs[1], y)


@pytest.mark.parametrize('fill_mode', MODES)
def test_threads_through_wrapper(fill_mode):
    """Large enough to run in parallel; K.set_num_threads changes nothing."""
    rng = np.random.RandomState(3)
    x = batch(rng, (8, 40, 36, 3), np.float32, 'channels_last')
    m = random_matrices(rng, 8, 40, 36)
    results = []
    for threads in (1, 2):
        K.set_num_threads(threads)
        results.append(I.affine_warp(x, m, fill_mode, cval=-1.0))
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_allclose(results[0], scipy_warp(x, m, fill_mode, -1.0, 1,
                                                      'channels_last'), **tol(np.float32))


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('order', [0, 1])
@pytest.mark.parametrize('fill_mode', MODES)
def test_identity_and_flips_are_exact(fill_mode, order, data_format):
    rng = np.random.RandomState(4)
    x = batch(rng, (4, 5, 6, 3), np.float64, data_format)
    x.reshape(-1)[::7] = np.inf            # exact even next to inf and NaN pixels
    x.reshape(-1)[3::11] = np.nan
    h, w = 5, 6
    m = np.array([[[1, 0, 0], [0, 1, 0]],
                  [[-1, 0, h - 1], [0, 1, 0]],
                  [[1, 0, 0], [0, -1, w - 1]],
                  [[-1, 0, h - 1], [0, -1, w - 1]]], np.float64)
    y = I.affine_warp(x, m, fill_mode, order=order, data_format=data_format)
    ax_h, ax_w = (0, 1) if data_format == 'channels_last' else (1, 2)
    expected = [x[0], np.flip(x[1], ax_h), np.flip(x[2], ax_w), np.flip(x[3], (ax_h, ax_w))]
    np.testing.assert_array_equal(y, np.array(expected))


@pytest.mark.parametrize('fill_mode', MODES)
def test_far_away_points(fill_mode):
    """Shifts up to 4e18 fold as scipy's do; beyond, points stay sane (edge
    pixels, folded, cval) and a coordinate that overflows to inf takes cval."""
    rng = np.random.RandomState(11)
    x = rng.randn(1, 5, 7, 2)
    for big in [1e6 + 0.25, -1e6 - 0.75, 1e15 + 0.5, -3e15, 4e18, -4e18]:
        m = np.array([[1, 0.5, big], [0.25, 1, -big]])
        for order in (0, 1):
            np.testing.assert_allclose(
                I.affine_warp(x, m, fill_mode, 2.0, order),
                scipy_warp(x, m, fill_mode, 2.0, order, 'channels_last'), **tol(np.float64))
    y = I.affine_warp(x, np.array([[0, 0, 1e300], [0, 0, -1e300]]), fill_mode, cval=2.0)
    expected = {'constant': np.full(2, 2.0), 'nearest': x[0, 4, 0]}.get(fill_mode)
    assert np.all(np.isfinite(y))
    if expected is not None:
        np.testing.assert_array_equal(y, np.broadcast_to(expected, y.shape))
    y = I.affine_warp(x, np.array([[1e308, 0, 1e308], [0, 1, 0]]), fill_mode, cval=2.0)
    np.testing.assert_array_equal(y[0, 1:], 2.0)        # rows 1.. overflow to inf


def test_broadcast_matrix_and_per_image_matrices():
    rng = np.random.RandomState(5)
    x = batch(rng, (3, 8, 8, 2), np.float32, 'channels_last')
    m = random_matrices(rng, 1, 8, 8)[0]
    np.testing.assert_array_equal(I.affine_warp(x, m), I.affine_warp(x, np.stack([m] * 3)))
    ms = random_matrices(rng, 3, 8, 8)
    y = I.affine_warp(x, ms)
    for n in range(3):
        np.testing.assert_array_equal(y[n], I.affine_warp(x[n:n + 1], ms[n])[0])


def test_strided_and_converted_inputs():
    rng = np.random.RandomState(6)
    base = rng.randn(4, 10, 12, 6)
    x = base[:, ::2, 1::2, ::2]                    # non-contiguous float64
    m = random_matrices(rng, 4, 5, 6)
    np.testing.assert_allclose(I.affine_warp(x, m, 'reflect'),
                               scipy_warp(x, m, 'reflect', 0.0, 1, 'channels_last'),
                               **tol(np.float64))
    u8 = rng.randint(0, 256, (3, 6, 7, 3)).astype(np.uint8)
    m = random_matrices(rng, 3, 6, 7)
    y = I.affine_warp(u8, m, 'constant', cval=128)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, I.affine_warp(u8.astype(np.float32), m, 'constant',
                                                   cval=128))
    np.testing.assert_allclose(y, scipy_warp(u8, m, 'constant', 128.0, 1, 'channels_last'),
                               rtol=1e-6, atol=1e-4)
    assert I.affine_warp(u8.astype(np.float16), m).dtype == np.float32


def test_constant_cval_and_edges():
    """scipy's 'constant': cval strictly outside [0, n - 1], no blending
    towards cval inside; the last row/column is still inside."""
    x = np.arange(20, dtype=np.float64).reshape(1, 4, 5, 1)
    # (row, col, order 0 result, order 1 result)
    pts = [(-1e-9, 2.0, 7, 7), (0.0, 2.0, 2, 2), (3.0, 4.0, 19, 19), (3.0 + 1e-9, 4.0, 7, 7),
           (1.5, 4.0, 14, 11.5), (1.5, 4.5, 7, 7), (-0.5, 1.0, 7, 7), (2.5, 3.5, 19, 16)]
    for r, c, *expected in pts:
        m = np.array([[0, 0, r], [0, 0, c]], np.float64)
        for order in (0, 1):
            y = I.affine_warp(x, m, 'constant', cval=7.0, order=order)
            assert np.all(y == expected[order]), (r, c, order, y[0, 0, 0, 0])
            np.testing.assert_array_equal(y, scipy_warp(x, m, 'constant', 7.0, order,
                                                        'channels_last'))


def test_wrap_is_grid_wrap_and_reflect_repeats_the_edge():
    x = np.array([1.0, 10.0, 100.0, 1000.0]).reshape(1, 1, 4, 1)
    m = np.array([[0, 0, 0], [0, 1, -2]], np.float64)      # shift right by 2
    np.testing.assert_array_equal(I.affine_warp(x, m, 'wrap').ravel(), [100, 1000, 1, 10])
    np.testing.assert_array_equal(I.affine_warp(x, m, 'reflect').ravel(), [10, 1, 1, 10])
    np.testing.assert_array_equal(I.affine_warp(x, m, 'nearest').ravel(), [1, 1, 1, 10])
    np.testing.assert_array_equal(I.affine_warp(x, m, 'constant', cval=-1).ravel(),
                                  [-1, -1, 1, 10])
    half = np.array([[0, 0, 0], [0, 1, -0.5]], np.float64)   # between last and first
    np.testing.assert_allclose(I.affine_warp(x, half, 'wrap').ravel(),
                               [500.5, 5.5, 55, 550])


@pytest.mark.parametrize('fill_mode', MODES)
def test_tiny_and_empty(fill_mode):
    rng = np.random.RandomState(7)
    x = rng.randn(5, 1, 1, 2)
    m = random_matrices(rng, 5, 1, 1)
    for order in (0, 1):
        np.testing.assert_allclose(I.affine_warp(x, m, fill_mode, cval=3.0, order=order),
                                   scipy_warp(x, m, fill_mode, 3.0, order, 'channels_last'),
                                   **tol(np.float64))
        xf = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        np.testing.assert_allclose(I.affine_warp(xf, m, fill_mode, 3.0, order, 'channels_first'),
                                   scipy_warp(xf, m, fill_mode, 3.0, order, 'channels_first'),
                                   **tol(np.float64))
    for shape in [(0, 4, 4, 3), (2, 0, 4, 3), (2, 4, 4, 0)]:
        e = np.zeros(shape, np.float32)
        y = I.affine_warp(e, np.zeros((shape[0], 2, 3)), fill_mode)
        assert y.shape == shape and y.dtype == np.float32


def test_out_buffer_and_in_place():
    rng = np.random.RandomState(8)
    x = batch(rng, (2, 6, 6, 3), np.float32, 'channels_last')
    m = random_matrices(rng, 2, 6, 6)
    expected = I.affine_warp(x, m)
    out = np.empty_like(x)
    assert I.affine_warp(x, m, out=out) is out
    np.testing.assert_array_equal(out, expected)
    assert I.affine_warp(x, m, out=x) is x            # in place reads a copy
    np.testing.assert_array_equal(x, expected)
    with pytest.raises(ValueError, match='affine_warp'):
        I.affine_warp(x, m, out=np.empty((2, 6, 6, 3), np.float64))


def test_reference_fallback_agrees(monkeypatch):
    rng = np.random.RandomState(9)
    x = batch(rng, (3, 5, 7, 2), np.float64, 'channels_first')
    m = random_matrices(rng, 3, 5, 7)
    compiled = {mode: I.affine_warp(x, m, mode, 1.5, 1, 'channels_first') for mode in MODES}
    monkeypatch.setattr(I, 'AVAILABLE', False)      # as without the compiled core
    for mode in MODES:
        np.testing.assert_allclose(I.affine_warp(x, m, mode, 1.5, 1, 'channels_first'),
                                   compiled[mode], **tol(np.float64))
    assert I.affine_warp(x.astype(np.uint8), m).dtype == np.float32


@pytest.mark.parametrize('kwargs, match', [
    (dict(x=np.zeros((4, 4, 3))), r'affine_warp.*rank-4.*\(4, 4, 3\)'),
    (dict(matrices=np.zeros((3, 2, 3))), r'affine_warp.*\(2, 2, 3\).*\(3, 2, 3\)'),
    (dict(matrices=np.zeros((2, 3, 3))), r'affine_warp.*\(3, 3\)|affine_warp.*\(2, 3, 3\)'),
    (dict(matrices=np.zeros((2, 3))[None, None]), r'affine_warp.*\(1, 1, 2, 3\)'),
    (dict(matrices=np.full((2, 3), np.nan)), r'affine_warp.*finite'),
    (dict(fill_mode='mirror'), r"affine_warp.*'mirror'.*'constant', 'nearest', 'reflect', 'wrap'"),
    (dict(order=3), r'affine_warp.*order.*3'),
    (dict(order=True), r'affine_warp.*order.*True'),
    (dict(data_format='NHWC'), r"affine_warp.*'NHWC'"),
])
def test_bad_arguments(kwargs, match):
    args = dict(x=np.zeros((2, 4, 4, 3), np.float32), matrices=np.zeros((2, 2, 3)))
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        I.affine_warp(**args)


def test_raw_kernel_checks_buffers():
    x = np.zeros((2, 4, 4, 3), np.float32)
    with pytest.raises(ValueError, match='affine_warp'):
        core.affine_warp(x, np.zeros((2, 2, 3)), np.zeros((2, 4, 4, 2), np.float32), 0, 0.0,
                         1, True, 1)
    with pytest.raises(ValueError, match='affine_warp'):
        core.affine_warp(x, np.zeros((3, 2, 3)), np.zeros_like(x), 0, 0.0, 1, True, 1)
    with pytest.raises(ValueError, match='affine_warp'):
        core.affine_warp(x, np.zeros((2, 2, 3)), np.zeros_like(x), 4, 0.0, 1, True, 1)
    with pytest.raises(ValueError, match='affine_warp'):
        core.affine_warp(x, np.zeros((2, 2, 3)), np.zeros_like(x), 0, 0.0, 2, True, 1)
