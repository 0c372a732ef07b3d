"""Regression tests of issue 12's kback_core classes: each entry point checks
the buffers and ints it relies on (no write past a buffer, no SIGFPE, no
truncated float, no "No matching signature found"), thread counts are capped
once, and NaN propagates through relu, bias + relu and max pooling on every
path (numpy fallback and compiled kernel, every size)."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend import config, _reference as R
from kback.backend._kernels import _common, elementwise as E, pool as P

pytestmark = pytest.mark.skipif(not _common.AVAILABLE, reason='kback_core is not built')

if _common.AVAILABLE:
    import kback_core
    from kback_core import batchnorm, elementwise as ew, pool, optim, conv, losses, linalg


# -- buffers that do not fit are refused, naming the argument ---------------------------

def test_batchnorm_out_rows_and_scratch_are_checked():
    x = np.random.rand(100, 3, 1)
    k = batchnorm.n_chunks(100)
    with pytest.raises(ValueError, match=r'out has shape \(1, 3\), expected \(2, 3\)'):
        batchnorm.channel_stats(x, np.empty((1, 3)), np.empty((k, 2, 3)), 1)
    # the middle dimension of scratch used to be ignored: a write past the buffer
    with pytest.raises(ValueError, match='scratch has shape'):
        batchnorm.channel_stats(x, np.empty((2, 3)), np.empty((k, 1, 3)), 1)
    with pytest.raises(ValueError, match='scratch has shape'):
        batchnorm.backprop_sums(x, x, np.zeros(3), np.empty((2, 3)), np.empty((k * 2, 1, 3)), 1)
    with pytest.raises(ValueError, match='out has shape'):
        batchnorm.backprop_sums(x, x, np.zeros(3), np.empty((1, 3)), np.empty((k, 2, 3)), 1)
    out = np.empty((2, 3))
    batchnorm.channel_stats(x, out, np.empty((k, 2, 3)), 2)
    np.testing.assert_allclose(out, [x.mean(axis=(0, 2)), x.var(axis=(0, 2))], rtol=1e-12)


@pytest.mark.parametrize('channels', [1, 8, 9, 200])
@pytest.mark.parametrize('channels_last', [True, False])
def test_pools_of_an_empty_batch_return_at_once(channels, channels_last):
    # more than 8 channels and no image divided by zero (SIGFPE)
    shape = (0, 4, 4, channels) if channels_last else (0, channels, 4, 4)
    pooled = (0, 2, 2, channels) if channels_last else (0, channels, 2, 2)
    x, y = np.empty(shape, np.float32), np.empty(pooled, np.float32)
    pool.pool2d_forward(x, y, 2, 2, 2, 2, 0, 0, True, channels_last, 4)
    pool.pool2d_backprop(y, x, np.empty_like(x), 2, 2, 2, 2, 0, 0, True, channels_last, 4)
    pool.max_pool2d_select(x, x, y, 2, 2, 2, 2, 0, 0, channels_last, 4)
    zero_c = (2, 4, 4, 0) if channels_last else (2, 0, 4, 4)
    zc = np.empty(zero_c, np.float32)
    pool.pool2d_forward(zc, np.empty((2, 2, 2, 0) if channels_last else (2, 0, 2, 2),
                                     np.float32), 2, 2, 2, 2, 0, 0, False, channels_last, 3)


def test_empty_inputs_on_every_family():
    e = np.empty(0, np.float32)
    ew.relu_forward(e, e.copy(), 2)
    ew.relu_backprop(e, e, e.copy(), 2)
    e3 = np.empty((0, 3, 1), np.float32)
    ew.bias_add_forward(e3, np.zeros(3, np.float32), e3.copy(), True, 2)
    db = np.full(3, 7, np.float32)
    ew.channel_sum(e3, db, 2)
    assert (db == 0).all()
    optim.adam_step(e, e.copy(), e.copy(), e, 0.1, 0.9, 0.999, 1e-7, 2)
    losses.sigmoid_ce_forward(e, e, e.copy(), 2)
    out = np.empty((0, 3), np.float32)
    losses.softmax_ce_backprop(out, out, e, out.copy(), 2)
    linalg.gemm(np.empty((0, 4), np.float32), False, np.ones((4, 3), np.float32), False,
                out.copy(), 2)
    w = np.ones((2, 2, 3, 4), np.float32)
    conv.conv2d_forward(np.empty((0, 5, 5, 3), np.float32), w, None,
                        np.empty((0, 4, 4, 4), np.float32), (1, 1), ((0, 0), (0, 0)), (1, 1),
                        False, 2)
    with pytest.raises(ValueError, match='no elements to reduce'):
        batchnorm.channel_stats(np.empty((0, 3, 1)), np.empty((2, 3)), np.empty((1, 2, 3)), 1)


@pytest.mark.parametrize('call, name', [
    (lambda: ew.relu_forward(np.ones(4, np.int32), np.ones(4, np.int32), 1), 'x'),
    (lambda: ew.relu_forward(np.ones(4, np.float32), np.ones(4), 1), 'out'),
    (lambda: ew.relu_forward([1.0, 2.0], np.ones(2), 1), 'x'),
    (lambda: ew.relu_forward(np.ones(4, '>f4'), np.ones(4, np.float32), 1), 'x'),
    (lambda: optim.sgd_step(np.ones(3, np.float16), np.ones(3, np.float16),
                            np.ones(3, np.float16), 0.1, 0.9, False, 1), 'param'),
    (lambda: losses.sparse_softmax_ce_forward(np.zeros(2, np.int32), np.ones((2, 3)),
                                              np.ones(2), 1), 'labels'),
])
def test_wrong_dtypes_name_the_argument_and_accepted_dtypes(call, name):
    with pytest.raises(TypeError, match=rf'\b{name}\b.*(float32 or float64|float64|int64)') as e:
        call()
    assert 'No matching signature' not in str(e.value)


def test_layout_and_writeability_are_checked():
    ro = np.ones(16)
    ro.setflags(write=False)
    with pytest.raises(ValueError, match=r'x must be an aligned C-contiguous'):
        ew.relu_forward(np.ones(8)[::2], np.ones(4), 1)
    with pytest.raises(ValueError, match='out is read-only'):
        ew.relu_forward(np.ones(16), ro, 1)
    with pytest.raises(ValueError, match=r'g must have 3 dimension'):
        ew.channel_sum(np.ones((2, 3)), np.ones(3), 1)
    with pytest.raises(ValueError, match='out has 3 elements, x has 4'):
        ew.relu_forward(np.ones(4), np.ones(3), 1)


@pytest.mark.parametrize('value, error', [(1.5, TypeError), (2.0, TypeError), (True, TypeError),
                                          (0, ValueError), (-3, ValueError),
                                          (2 ** 40, ValueError)])
def test_float_and_bool_ints_are_refused_not_truncated(value, error):
    x = np.ones((1, 4, 4, 2), np.float32)
    with pytest.raises(error, match=r'pool2d_forward: ph must be an int'):
        pool.pool2d_forward(x, np.empty((1, 2, 2, 2), np.float32), value, 2, 2, 2, 0, 0, True,
                            True, 1)
    with pytest.raises((TypeError, ValueError), match=r'conv2d_forward: strides'):
        conv.conv2d_forward(x, np.ones((2, 2, 2, 1), np.float32), None,
                            np.empty((1, 3, 3, 1), np.float32), (value, 1), ((0, 0), (0, 0)),
                            (1, 1), False, 1)


def test_image_order_and_dropout_counters_are_ints():
    from kback_core import image
    x = np.ones((1, 3, 3, 1), np.float32)
    m = np.array([[[1., 0, 0], [0, 1, 0]]])
    with pytest.raises(TypeError, match='order must be an int'):
        image.affine_warp(x, m, np.empty_like(x), 0, 0.0, 1.0, True, 1)
    with pytest.raises(ValueError, match=r'order must be an int in \[0, 1\]'):
        image.affine_warp(x, m, np.empty_like(x), 0, 0.0, 3, True, 1)
    with pytest.raises(TypeError, match='counter must be an int'):
        ew.stream_start(1, 2.5)
    with pytest.raises(ValueError, match='seed must be an int'):
        ew.stream_start(-1, 2)


# -- thread counts ---------------------------------------------------------------------

def test_one_thread_cap_shared_with_config():
    assert kback_core.MAX_THREADS == config.MAX_THREADS == 256


@pytest.mark.parametrize('n', [100000, -1, 0, 2 ** 40, 1.5, True, '2', None])
def test_kernel_thread_counts_are_validated(n):
    x = np.ones(8, np.float32)
    with pytest.raises((TypeError, ValueError), match=r'relu_forward: n_threads must be an int'):
        ew.relu_forward(x, x.copy(), n)
    with pytest.raises((TypeError, ValueError), match=r'set_num_threads: n must be an int'):
        kback_core._openmp.set_num_threads(n)


def test_thread_cap_itself_runs():
    x = np.arange(-8, 8, dtype=np.float32)
    out = np.empty_like(x)
    ew.relu_forward(x, out, kback_core.MAX_THREADS)
    np.testing.assert_array_equal(out, np.maximum(x, 0))


# -- NaN propagates --------------------------------------------------------------------

SIZES = [5, 1023, 1024, 5000, 40000]      # numpy fallback, kernel at 1 thread, at N threads


def _with_nan(n, dtype, seed=0):
    x = np.random.RandomState(seed).randn(n).astype(dtype)
    x[::7] = np.nan
    x[3::11] = -0.0
    return x


@pytest.mark.parametrize('n', SIZES)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_relu_keeps_nan_at_every_size(n, dtype):
    x = _with_nan(n, dtype)
    np.testing.assert_array_equal(E.relu(x), np.maximum(x, 0))
    # Rule: relu passes NaN through, so its gradient passes g there too.
    g = np.random.RandomState(1).randn(n).astype(dtype)
    want = np.where(x <= 0, 0, g)
    assert np.isnan(x).any() and (want[np.isnan(x)] == g[np.isnan(x)]).all()
    np.testing.assert_array_equal(E.relu_backprop(x, g), want)


@pytest.mark.parametrize('n', SIZES)
def test_k_relu_keeps_nan_at_every_size(n):
    x = _with_nan(n, np.float32)
    y = K.eval(K.relu(K.constant(x)))
    assert np.isnan(y[np.isnan(x)]).all()
    np.testing.assert_array_equal(y, np.maximum(x, 0))


@pytest.mark.parametrize('rows', [3, 400, 3000])
@pytest.mark.parametrize('axis', [-1, 1])
def test_bias_add_relu_keeps_nan(rows, axis):
    x = _with_nan(rows * 6, np.float32).reshape(rows, 3, 2)
    b = np.array([0.5, np.nan, -0.25], np.float32)
    shape = [1, 1, 1]
    shape[axis] = x.shape[axis]
    b = b[:x.shape[axis]]
    want = np.maximum(x + b.reshape(shape), 0)
    y = E.bias_add_relu(x, b, axis)
    np.testing.assert_array_equal(y, want)
    g = np.ones_like(x)
    dz, db = E.bias_add_relu_backprop(y, g, axis)
    np.testing.assert_array_equal(dz, np.where(want <= 0, 0, g))


def _pool_cases():
    for cl in (True, False):
        for pool_, strides in (((2, 2), (2, 2)), ((3, 3), (2, 2)), ((3, 2), (3, 2))):
            for n, c in ((2, 3), (1, 70)):
                yield cl, pool_, strides, n, c


@pytest.mark.parametrize('cl, pool_, strides, n, c', list(_pool_cases()))
def test_max_pool_keeps_nan_anywhere_in_its_window(cl, pool_, strides, n, c):
    """Rule: a window holding NaN pools to NaN (numpy's maximum) and its
    gradient goes to the window's first NaN in row-major order."""
    rng = np.random.RandomState(0)
    x = rng.randn(n, 7, 8, c).astype(np.float32)
    x[rng.rand(*x.shape) < 0.1] = np.nan
    pads = ((0, 1), (0, 1))
    df = 'channels_last' if cl else 'channels_first'
    to = (lambda a: a) if cl else (lambda a: np.ascontiguousarray(a.transpose(0, 3, 1, 2)))
    back = (lambda a: a) if cl else (lambda a: a.transpose(0, 2, 3, 1))
    want = R.pool2d_forward(x, pool_, strides, pads, 'max')
    y = back(P.pool2d_forward(to(x), pool_, strides, pads, 'max', df))
    np.testing.assert_array_equal(y, want)
    assert np.isnan(y).sum() > np.isnan(x[:, ::pool_[0], ::pool_[1]]).sum() / 2
    g = rng.rand(*y.shape).astype(np.float32) + 1
    dx = back(P.pool2d_backprop(to(g), to(x), pool_, strides, pads, 'max', df))
    np.testing.assert_allclose(dx, R.pool2d_backprop(g, x, pool_, strides, pads, "max"), rtol=1e-6)
    # every NaN window gave its whole gradient to a NaN pixel
    assert np.isclose(dx[np.isnan(x)].sum(), g[np.isnan(y)].sum(), rtol=1e-5)
    v = rng.randn(*x.shape).astype(np.float32)
    s = back(P.max_pool2d_select(to(v), to(x), pool_, strides, pads, df))
    np.testing.assert_array_equal(s, R.max_pool2d_select(v, x, pool_, strides, pads))


def test_reference_first_nan_rule():
    x = np.array([1, np.nan, 3, np.nan], np.float32).reshape(1, 2, 2, 1)
    dx = R.pool2d_backprop(np.ones((1, 1, 1, 1), np.float32), x, (2, 2), (2, 2),
                           ((0, 0), (0, 0)), 'max')
    np.testing.assert_array_equal(dx.ravel(), [0, 1, 0, 0])
