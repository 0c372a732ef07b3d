"""kback_core fused kernels (bias_add + relu, crossentropies on logits,
dropout, FTZ/DAZ) against numpy: float32/float64, 1 and 2 threads, both
channel positions, odd sizes, and the wrappers' conversions and out= buffers."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend import _reference as R
from kback.backend._kernels import elementwise as kew, losses as kloss
from kback_core import elementwise as ew, losses as cl, _openmp

DTYPES = [np.float32, np.float64]
THREADS = [1, 2]


def tol(dtype):
    return dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)


def np_log_softmax(x):
    s = x - x.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


# (outer, channels, inner): channels last is inner == 1, channels first inner > 1.
SHAPES3 = [(1, 1, 1), (7, 5, 1), (33, 3, 1), (3, 5, 7), (1, 4, 9), (2, 1, 13)]


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('threads', THREADS)
@pytest.mark.parametrize('shape3', SHAPES3)
def test_bias_add_kernels(dtype, threads, shape3):
    rng = np.random.RandomState(sum(shape3))
    x = rng.randn(*shape3).astype(dtype)
    x.reshape(-1)[::4] = 0
    b = rng.randn(shape3[1]).astype(dtype)
    out = np.empty_like(x)
    ref = x + b[:, None]
    ew.bias_add_forward(x, b, out, False, threads)
    np.testing.assert_allclose(out, ref, **tol(dtype))
    ew.bias_add_forward(x, b, out, True, threads)
    np.testing.assert_allclose(out, np.maximum(ref, 0), **tol(dtype))
    g = rng.randn(*shape3).astype(dtype)
    dz, db = np.empty_like(x), np.empty_like(b)
    ew.bias_add_relu_backprop(out, g, dz, db, threads)
    mask = np.where(out > 0, g, 0)
    np.testing.assert_array_equal(dz, mask)
    np.testing.assert_allclose(db, mask.sum(axis=(0, 2)), **tol(dtype))
    ew.channel_sum(g, db, threads)
    np.testing.assert_allclose(db, g.sum(axis=(0, 2)), **tol(dtype))


@pytest.mark.parametrize('dtype', DTYPES)
# Widths cover the 16-lane reductions' tails and the 256-element exp blocks.
@pytest.mark.parametrize('rows,cols', [(1, 1), (5, 3), (17, 10), (3, 101), (4, 256), (3, 1000)])
@pytest.mark.parametrize('threads', THREADS)
def test_softmax_crossentropy_kernels(dtype, rows, cols, threads):
    rng = np.random.RandomState(rows * cols)
    x = (rng.randn(rows, cols) * 3).astype(dtype)
    x[0, 0] += 500            # large logits: no overflow
    t = rng.uniform(0, 1, (rows, cols)).astype(dtype)   # not summing to 1 on purpose
    g = rng.randn(rows).astype(dtype)
    loss = np.empty(rows, dtype)
    cl.softmax_ce_forward(t, x, loss, threads)
    x64, t64 = x.astype(np.float64), t.astype(np.float64)
    np.testing.assert_allclose(loss, -(t64 * np_log_softmax(x64)).sum(-1), **tol(dtype))
    dx = np.empty_like(x)
    cl.softmax_ce_backprop(t, x, g, dx, threads)
    s = np.exp(np_log_softmax(x64))
    np.testing.assert_allclose(dx, (s * t64.sum(-1, keepdims=True) - t64) * g[:, None],
                               **tol(dtype))
    labels = rng.randint(0, cols, rows).astype(np.int64)
    cl.sparse_softmax_ce_forward(labels, x, loss, threads)
    np.testing.assert_allclose(loss, -np_log_softmax(x64)[np.arange(rows), labels], **tol(dtype))
    cl.sparse_softmax_ce_backprop(labels, x, g, dx, threads)
    np.testing.assert_allclose(dx, (s - np.eye(cols)[labels]) * g[:, None], **tol(dtype))


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('n', [1, 9, 1001, 9000])   # 9000: several prange chunks
@pytest.mark.parametrize('threads', THREADS)
def test_sigmoid_crossentropy_kernels(dtype, n, threads):
    rng = np.random.RandomState(n)
    x = (rng.randn(n) * 5).astype(dtype)
    x[0] = 800 if n > 1 else -800
    x[1:6] = [-800, 100, -100, 0, 1e-30][:n - 1]
    z = rng.uniform(0, 1, n).astype(dtype)
    g = rng.randn(n).astype(dtype)
    out = np.empty_like(x)
    cl.sigmoid_ce_forward(z, x, out, threads)
    x64 = x.astype(np.float64)
    ref = np.maximum(x64, 0) - x64 * z + np.log1p(np.exp(-np.abs(x64)))
    np.testing.assert_allclose(out, ref, **tol(dtype))
    cl.sigmoid_ce_backprop(z, x, g, out, threads)
    np.testing.assert_allclose(out, (0.5 + 0.5 * np.tanh(x64 / 2) - z) * g, **tol(dtype))
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize('dtype', DTYPES)
def test_loss_kernels_are_bit_identical_across_thread_counts(dtype):
    rng = np.random.RandomState(5)
    x = (rng.randn(37, 1003) * 4).astype(dtype)
    x[3, 7] = 300
    x[30, ::3] = -88 if dtype == np.float32 else -720     # subnormal exps (flushed in K.function)
    t = rng.uniform(0, 1, x.shape).astype(dtype)
    labels = rng.randint(0, x.shape[1], x.shape[0]).astype(np.int64)
    g = rng.randn(x.shape[0]).astype(dtype)
    z, gz = rng.uniform(0, 1, x.size).astype(dtype), rng.randn(x.size).astype(dtype)
    results = []
    for threads in (1, 2):
        _openmp.set_num_threads(threads)
        prev = _openmp.denormals_enter()        # how K.function calls kernels
        loss, sloss = np.empty(37, dtype), np.empty(37, dtype)
        dx, sdx = np.empty_like(x), np.empty_like(x)
        bce, dbce = np.empty(x.size, dtype), np.empty(x.size, dtype)
        cl.softmax_ce_forward(t, x, loss, threads)
        cl.softmax_ce_backprop(t, x, g, dx, threads)
        cl.sparse_softmax_ce_forward(labels, x, sloss, threads)
        cl.sparse_softmax_ce_backprop(labels, x, g, sdx, threads)
        cl.sigmoid_ce_forward(z, x.reshape(-1), bce, threads)
        cl.sigmoid_ce_backprop(z, x.reshape(-1), gz, dbce, threads)
        _openmp.denormals_exit(prev)
        results.append((loss, dx, sloss, sdx, bce, dbce))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize('cols', [3, 40])      # scalar narrow rows and vector wide rows
def test_loss_kernels_propagate_nan_and_handle_infinite_logits(cols):
    x = np.zeros((18, cols), np.float32)
    x[0::3, 0], x[2::3, 0] = np.nan, -np.inf
    x[:, 1:] = np.arange(1, cols)
    labels = np.full(18, cols - 1, np.int64)
    t = np.eye(cols, dtype=np.float32)[labels]
    loss, ref = np.empty(18, np.float32), -np_log_softmax(x.astype(np.float64))[:, -1]
    cl.sparse_softmax_ce_forward(labels, x, loss, 2)
    np.testing.assert_allclose(loss, ref, rtol=1e-5)       # nan rows compare equal
    assert np.isnan(loss[0::3]).all() and np.isfinite(loss[1::3]).all()
    assert np.isfinite(loss[2::3]).all()
    cl.softmax_ce_forward(t, x, loss, 2)       # 0 * -inf makes the -inf rows nan, as numpy
    with np.errstate(invalid='ignore'):
        ref = -(t * np_log_softmax(x.astype(np.float64))).sum(-1)
    np.testing.assert_allclose(loss, ref, rtol=1e-5)
    dx = np.empty_like(x)
    cl.sparse_softmax_ce_backprop(labels, x, np.ones(18, np.float32), dx, 2)
    assert np.all(dx[2::3, 0] == 0) and np.isfinite(dx[1::3]).all()


def test_loss_kernels_reject_mismatched_buffers():
    f = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError, match=r'softmax_ce_forward.*\(2, 3\).*\(3, 3\)'):
        cl.softmax_ce_forward(f, np.zeros((3, 3), np.float32), np.zeros(3, np.float32), 1)
    with pytest.raises(ValueError, match='softmax_ce_backprop'):
        cl.softmax_ce_backprop(f, f, np.zeros(3, np.float32), f.copy(), 1)
    with pytest.raises(ValueError, match='sigmoid_ce_forward'):
        cl.sigmoid_ce_forward(np.zeros(3, np.float32), np.zeros(4, np.float32),
                              np.zeros(4, np.float32), 1)
    with pytest.raises(ValueError, match='channel_sum'):
        ew.channel_sum(np.zeros((2, 3, 1), np.float32), np.zeros(2, np.float32), 1)
    with pytest.raises((ValueError, TypeError)):
        cl.softmax_ce_forward(f, f, np.zeros(2, np.float64), 1)


# -- dropout ----------------------------------------------------------------------------

@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('n', [1, 2, 7, 4097])
def test_dropout_kernel_matches_numpy_stream_at_any_thread_count(dtype, n):
    start = kew.stream_start(42, 3)
    assert start == ew.stream_start(42, 3)
    x = np.random.RandomState(n).uniform(1, 2, n).astype(dtype)
    threshold = kew._threshold(0.3)
    keep = R.dropout_keep(n, start, threshold)
    for threads in THREADS:
        out = np.empty_like(x)
        ew.dropout_forward(x, out, start, threshold, 1 / 0.7, threads)
        np.testing.assert_array_equal(out, np.where(keep, x * dtype(1 / 0.7), 0))
        mask = np.empty_like(x)
        ew.dropout_forward(np.empty(0, dtype), mask, start, threshold, 1 / 0.7, threads)
        np.testing.assert_array_equal(mask, np.where(keep, dtype(1 / 0.7), 0))


def test_dropout_statistics_and_streams():
    n = 200_000
    x = np.ones(n, np.float32)
    a = kew.dropout(x, 0.25, kew.stream_start(1, 0))
    kept = a != 0
    assert abs(kept.mean() - 0.75) < 0.005
    np.testing.assert_allclose(a[kept], 1 / 0.75, rtol=1e-6)
    # Mean 1 and variance level / (1 - level) of inverted dropout.
    assert abs(a.mean() - 1) < 0.01
    assert abs(a.var() - 0.25 / 0.75) < 0.01
    # Other counters and seeds give other, uncorrelated masks.
    b = kew.dropout(x, 0.25, kew.stream_start(1, 1)) != 0
    c = kew.dropout(x, 0.25, kew.stream_start(2, 0)) != 0
    for other in (b, c):
        assert abs(np.mean(kept & other) - 0.75 ** 2) < 0.005
    # Neighbouring draws (the two halves of one hash) are independent too.
    assert abs(np.mean(kept[0::2] & kept[1::2]) - 0.75 ** 2) < 0.005


def test_dropout_wrapper_noise_shape_and_small_arrays_agree_with_kernel():
    start = kew.stream_start(7, 0)
    x = np.random.RandomState(0).uniform(1, 2, (40, 3, 50)).astype(np.float32)
    full = kew.dropout(x, 0.5, start)
    small = kew.dropout(x[:2].copy(), 0.5, start)   # numpy path: the same first draws
    np.testing.assert_array_equal(small.reshape(-1), full.reshape(-1)[:small.size])
    shared = kew.dropout(x, 0.5, start, mask_shape=(40, 1, 50))
    assert np.all((shared == 0) == (shared[:, :1, :] == 0))
    with pytest.raises(ValueError, match='dropout'):
        kew.dropout(x, 1.0, start)


# -- wrappers: conversion, out=, numpy fallback ------------------------------------------------

@pytest.mark.parametrize('threads', THREADS)
@pytest.mark.parametrize('axis', [-1, 1])
def test_bias_wrappers_convert_inputs_and_fill_out(threads, axis):
    K.set_num_threads(threads)
    rng = np.random.RandomState(3)
    base = rng.randn(8, 6, 10, 12)
    b = rng.randn(base.shape[axis])
    view = (b.reshape(-1, 1, 1) if axis == 1 else b)
    for x in (base.astype(np.float32)[:, :, :, :], base[:, :, :, :],
              np.asfortranarray(base.astype(np.float32)), base.astype(np.float32)[::1, :, ::1]):
        ref = x + view.astype(x.dtype)
        np.testing.assert_allclose(kew.bias_add(x, b.astype(x.dtype), axis), ref, **tol(x.dtype))
        out = np.empty(x.shape, x.dtype)
        res = kew.bias_add_relu(x, b.astype(x.dtype), axis, out=out)
        assert res is out
        np.testing.assert_allclose(out, np.maximum(ref, 0), **tol(x.dtype))
        g = rng.randn(*x.shape).astype(x.dtype)
        dz, db = kew.bias_add_relu_backprop(out, g, axis)
        mask = np.where(out > 0, g, 0)
        np.testing.assert_array_equal(dz, mask)
        axes = tuple(i for i in range(4) if i != axis % 4)
        np.testing.assert_allclose(db, mask.sum(axis=axes), **tol(x.dtype))
        np.testing.assert_allclose(kew.channel_sum(g, axis), g.sum(axis=axes), **tol(x.dtype))
    # A non-contiguous view: converted, not crashed on.
    x = base[:, ::2].astype(np.float32)
    np.testing.assert_allclose(kew.bias_add(base.astype(np.float32)[:, ::2], b[:3].astype(np.float32)
                                            if axis == 1 else b.astype(np.float32), axis),
                               x + (b[:3].reshape(-1, 1, 1) if axis == 1 else b).astype(np.float32),
                               rtol=1e-6)


def test_wrappers_reject_bad_out_and_shapes():
    x = np.zeros((40, 30), np.float32)
    with pytest.raises(ValueError, match='bias_add.*out'):
        kew.bias_add(x, np.zeros(30, np.float32), out=np.zeros((40, 30), np.float64))
    with pytest.raises(ValueError, match=r'bias_add.*\(29,\).*30'):
        kew.bias_add(x, np.zeros(29, np.float32))
    with pytest.raises(ValueError, match='sparse_softmax_cross_entropy.*label 30'):
        kloss.sparse_softmax_cross_entropy(np.full(40, 30), x)
    with pytest.raises(ValueError, match='softmax_cross_entropy'):
        kloss.softmax_cross_entropy(x, x[:, :4])


@pytest.mark.parametrize('rows,cols', [(3, 9), (300, 9), (40, 700)])  # numpy, compiled, wide
def test_loss_wrappers(rows, cols):
    rng = np.random.RandomState(rows)
    x = rng.randn(rows, 2, cols)
    t = rng.uniform(0, 1, x.shape)
    g = rng.randn(rows, 2)
    lab = rng.randint(0, cols, (rows, 2))
    np.testing.assert_allclose(kloss.softmax_cross_entropy(t, x), -(t * np_log_softmax(x)).sum(-1),
                               rtol=1e-12)
    s = np.exp(np_log_softmax(x))
    np.testing.assert_allclose(kloss.softmax_cross_entropy_backprop(t, x, g),
                               (s * t.sum(-1, keepdims=True) - t) * g[..., None], rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(kloss.sparse_softmax_cross_entropy(lab, x.astype(np.float32)),
                               -np.take_along_axis(np_log_softmax(x), lab[..., None], -1)[..., 0],
                               rtol=1e-5)
    np.testing.assert_allclose(kloss.sparse_softmax_cross_entropy_backprop(lab, x, g),
                               (s - np.eye(cols)[lab]) * g[..., None], rtol=1e-10, atol=1e-12)
    z = rng.uniform(0, 1, x.shape)
    out = np.empty(x.shape)
    assert kloss.sigmoid_cross_entropy(z, x, out=out) is out
    np.testing.assert_allclose(out, np.logaddexp(0, x) - x * z, rtol=1e-12)
    gg = rng.randn(*x.shape)
    np.testing.assert_allclose(kloss.sigmoid_cross_entropy_backprop(z, x, gg),      # sigmoid - z
                               (1 / (1 + np.exp(-x)) - z) * gg, rtol=1e-12, atol=1e-15)  # cancels


# -- flush to zero -------------------------------------------------------------------------------

def _f32(bits):
    return np.array(bits, dtype=np.uint32).view(np.float32)


@pytest.mark.skipif(not _openmp.flush_denormals_supported(), reason='no MXCSR on this CPU')
@pytest.mark.parametrize('threads', THREADS)
def test_denormals_flush_to_zero_in_kernels(threads):
    _openmp.set_num_threads(threads)
    # Workers flush always; the calling thread only inside denormals_enter/exit.
    assert all(_openmp.worker_flush_states(threads)[1:])
    assert not _openmp.flush_denormals_enabled()
    n = 4096
    sub = _f32([0x00400000] * n)                  # 5.9e-39, a subnormal input (DAZ)
    normal = np.full(n, 2.0e-38, np.float32)       # normal inputs, subnormal result (FTZ)
    out = np.empty(n, np.float32)

    def bias_add(x, b):
        ew.bias_add_forward(x.reshape(n, 1, 1), np.full(1, b, np.float32), out.reshape(n, 1, 1),
                            False, threads)
        return out

    prev = _openmp.denormals_enter()
    try:
        assert _openmp.flush_denormals_enabled() and all(_openmp.worker_flush_states(threads))
        assert np.all(bias_add(sub, 0) == 0)
        assert np.all(bias_add(normal, -1.5e-38) == 0)
    finally:
        _openmp.denormals_exit(prev)
    assert not _openmp.flush_denormals_enabled()
    # Turned off, the same kernel keeps IEEE subnormals.
    try:
        _openmp.set_flush_denormals(False, threads)
        prev = _openmp.denormals_enter()
        assert not any(_openmp.worker_flush_states(threads))
        assert np.all(bias_add(normal, -1.5e-38) > 0)
        _openmp.denormals_exit(prev)
    finally:
        _openmp.set_flush_denormals(True, 2)
    assert all(_openmp.worker_flush_states(2)[1:])


@pytest.mark.skipif(not _openmp.flush_denormals_supported(), reason='no MXCSR on this CPU')
def test_user_numpy_keeps_subnormals_and_functions_flush():
    from kback import backend as K
    a, b = np.float32(2.0e-38), np.float32(1.5e-38)
    assert a - b > 0                                # importing kback changes nothing here
    x = K.placeholder(shape=(4,))
    f = K.function([x], [x - 1.5e-38])
    np.testing.assert_array_equal(f([np.full(4, 2.0e-38, np.float32)])[0], 0)
    assert a - b > 0 and not _openmp.flush_denormals_enabled()


# -- the numpy reference (_reference.py) is the wrappers' fallback -------------------

def _wrapper_calls(rng, dtype):
    """(name, call) of every elementwise and loss wrapper on inputs of 2K+ elements."""
    x = rng.randn(8, 16, 20).astype(dtype)
    g = rng.randn(8, 16, 20).astype(dtype)
    b = rng.randn(16).astype(dtype)
    logits = (rng.randn(70, 30) * 3).astype(dtype)
    labels = rng.randint(0, 30, 70)
    t = rng.uniform(0, 1, (70, 30)).astype(dtype)
    gr = rng.randn(70).astype(dtype)
    z = (rng.uniform(0, 1, x.shape) > 0.5).astype(dtype)
    start = kew.stream_start(5, 2)
    return [
        ('relu', lambda: kew.relu(x)),
        ('relu_backprop', lambda: kew.relu_backprop(x, g)),
        ('bias_add', lambda: kew.bias_add(x, b, axis=1)),
        ('bias_add_relu', lambda: kew.bias_add_relu(x, b, axis=1)),
        ('channel_sum', lambda: kew.channel_sum(g, axis=1)),
        ('bias_add_relu_backprop', lambda: kew.bias_add_relu_backprop(x, g, axis=1)),
        ('dropout', lambda: kew.dropout(x, 0.3, start)),
        ('dropout_mask', lambda: kew.dropout_mask(x.shape, 0.3, start, dtype)),
        ('softmax_cross_entropy', lambda: kloss.softmax_cross_entropy(t, logits)),
        ('softmax_cross_entropy_backprop',
         lambda: kloss.softmax_cross_entropy_backprop(t, logits, gr)),
        ('sparse_softmax_cross_entropy',
         lambda: kloss.sparse_softmax_cross_entropy(labels, logits)),
        ('sparse_softmax_cross_entropy_backprop',
         lambda: kloss.sparse_softmax_cross_entropy_backprop(labels, logits, gr)),
        ('sigmoid_cross_entropy', lambda: kloss.sigmoid_cross_entropy(z, x)),
        ('sigmoid_cross_entropy_backprop',
         lambda: kloss.sigmoid_cross_entropy_backprop(z, x, g)),
    ]


def _results(call):
    out = call()
    return out if isinstance(out, tuple) else (out,)


@pytest.mark.parametrize('dtype', DTYPES)
def test_wrappers_fall_back_to_the_reference_with_the_same_results(dtype, monkeypatch):
    from kback.backend._kernels import _common
    calls = _wrapper_calls(np.random.RandomState(4), dtype)
    monkeypatch.setattr(_common, 'NUMPY_BELOW', 0)
    kernel = [_results(call) for _, call in calls]
    monkeypatch.setattr(_common, 'NUMPY_BELOW', 1 << 62)        # every call stays in numpy
    monkeypatch.setattr(_common, 'NUMPY_BELOW_EXP', 1 << 62)
    for (name, call), want in zip(calls, kernel):
        for got, ref in zip(_results(call), want):
            assert got.dtype == ref.dtype, name
            np.testing.assert_allclose(got, ref, err_msg=name, **tol(dtype))
