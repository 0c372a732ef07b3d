"""kback_core batch-normalisation kernels against plain numpy formulas: both
channel axes, float32/float64, 1 and 2 threads, odd shapes, converted inputs,
float64 finite differences of the fused backward, bad arguments."""
import numpy as np
import pytest

from kback.backend import config
from kback.backend._kernels import batchnorm as B, _common

from kback_core import batchnorm as core

EPS = 1e-3


def np_train(x, gamma, beta, axis, eps=EPS):
    axes = tuple(i for i in range(x.ndim) if i != axis)
    shape = [x.shape[axis] if i == axis else 1 for i in range(x.ndim)]
    x64 = x.astype(np.float64)
    m, v = x64.mean(axis=axes), x64.var(axis=axes)
    y = (x64 - m.reshape(shape)) / np.sqrt(v.reshape(shape) + eps) * gamma.reshape(shape) + \
        beta.reshape(shape)
    return y, m, v


def np_backward(dy, x, gamma, axis, eps=EPS):
    """dx, dgamma, dbeta from the textbook formula."""
    axes = tuple(i for i in range(x.ndim) if i != axis)
    shape = [x.shape[axis] if i == axis else 1 for i in range(x.ndim)]
    dy, x = dy.astype(np.float64), x.astype(np.float64)
    n = x.size / x.shape[axis]
    m, v = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    xhat = (x - m) / np.sqrt(v + eps)
    dbeta = dy.sum(axis=axes)
    dgamma = (dy * xhat).sum(axis=axes)
    dx = gamma.reshape(shape) / np.sqrt(v + eps) / n * (
        n * dy - dbeta.reshape(shape) - xhat * dgamma.reshape(shape))
    return dx, dgamma, dbeta


# shape, channel axis: channels last (one row chunk and many), channels
# first, 2-D, rank 3, batch of 1.
CASES = [((4, 3, 3, 5), 3), ((64, 9, 9, 7), 3), ((3, 6, 4, 5), 1), ((300, 11), 1),
         ((1, 8), 1), ((2, 5, 7), 1), ((1, 4, 4, 3), 3), ((1, 3, 4, 4), 1)]


@pytest.mark.parametrize('threads', [1, 2])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('shape, axis', CASES)
def test_kernels_against_numpy(shape, axis, dtype, threads, monkeypatch):
    config.set_num_threads(threads)
    monkeypatch.setattr(_common, 'SERIAL_BELOW', 0)      # use the thread team on small inputs
    rng = np.random.RandomState(sum(shape))
    x = (rng.randn(*shape) * 3 + 20).astype(dtype)   # a large mean: no cancellation allowed
    dy = rng.randn(*shape).astype(dtype)
    c = shape[axis]
    gamma, beta = rng.uniform(0.5, 1.5, c).astype(dtype), rng.randn(c).astype(dtype)
    y, stats = B.train_forward(x, gamma, beta, axis, EPS)
    dx, dgamma, dbeta = B.train_backprop(dy, x, stats, gamma, axis, EPS)
    assert {a.dtype for a in (y, stats, dx, dgamma, dbeta)} == {np.dtype(dtype)}
    ry, rm, rv = np_train(x, gamma, beta, axis)
    rdx, rdg, rdb = np_backward(dy, x, gamma, axis)
    tight = dtype == np.float64
    np.testing.assert_allclose(stats[0], rm, rtol=1e-13 if tight else 1e-6)
    np.testing.assert_allclose(stats[1], rv, rtol=1e-11 if tight else 1e-5)
    tol = dict(rtol=1e-10, atol=1e-10) if tight else dict(rtol=2e-4, atol=2e-4)
    np.testing.assert_allclose(y, ry, **tol)
    np.testing.assert_allclose(dx, rdx, **tol)
    np.testing.assert_allclose(dgamma, rdg, **tol)
    np.testing.assert_allclose(dbeta, rdb, **tol)
    # Inference form with the batch statistics gives the same output.
    np.testing.assert_allclose(B.normalize(x, stats, gamma, beta, axis, EPS), y, **tol)


@pytest.mark.parametrize('axis', [1, 3])
def test_same_result_at_one_and_two_threads(axis):
    rng = np.random.RandomState(0)
    x = rng.randn(40, 6, 6, 6).astype(np.float32)
    x3 = np.ascontiguousarray(x).reshape((40 * 36, 6, 1) if axis == 3 else (40, 6, 36))
    outs = []
    for threads in (1, 2):
        out = np.empty((2, 6))
        core.channel_stats(x3, out, np.empty((core.n_chunks(x3.shape[0]), 2, 6)), threads)
        outs.append(out)
    np.testing.assert_array_equal(outs[0], outs[1])


@pytest.mark.parametrize('axis', [-1, 1])
def test_backward_finite_differences(axis):
    """dx, dgamma, dbeta of the kernels by float64 central differences of
    <dy, train_forward(x, gamma, beta)>."""
    rng = np.random.RandomState(5)
    x, dy = rng.randn(3, 4, 2, 3), rng.randn(3, 4, 2, 3)
    c = x.shape[axis]
    gamma, beta = rng.uniform(0.5, 1.5, c), rng.randn(c)
    stats = B.stats(x, axis)
    dx, dgamma, dbeta = B.train_backprop(dy, x, stats, gamma, axis, EPS)

    def loss(x, gamma, beta):
        return np.sum(dy * B.train_forward(x, gamma, beta, axis, EPS)[0])

    eps = 1e-6
    for value, grad, which in ((x, dx, 0), (gamma, dgamma, 1), (beta, dbeta, 2)):
        numeric = np.zeros_like(value)
        for i in np.ndindex(*value.shape):
            args = [x, gamma, beta]
            hi, lo = value.copy(), value.copy()
            hi[i] += eps
            lo[i] -= eps
            args[which] = hi
            up = loss(*args)
            args[which] = lo
            numeric[i] = (up - loss(*args)) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_wrapper_converts_inputs_and_fills_out():
    rng = np.random.RandomState(6)
    base = rng.randn(6, 5, 8, 4)
    x = base[::2, :, ::2, :]                      # non-contiguous
    gamma, beta = rng.uniform(0.5, 1.5, 4), rng.randn(4)
    ry, rm, rv = np_train(x, gamma, beta, 3)
    y, stats = B.train_forward(x, gamma, beta, 3, EPS)
    np.testing.assert_allclose(y, ry, rtol=1e-10)
    out = np.empty(x.shape)
    assert B.normalize(x, stats, gamma, beta, 3, EPS, out=out) is out
    np.testing.assert_allclose(out, ry, rtol=1e-10)
    # Integer input and float16: computed by the numpy versions.
    xi = rng.randint(0, 5, (5, 3)).astype(np.int64)
    np.testing.assert_allclose(B.stats(xi, 1).astype(float),
                               np.stack([xi.mean(axis=0), xi.var(axis=0)]))
    h = x.astype(np.float16)
    yh, _ = B.train_forward(h, gamma, beta, 3, EPS)
    assert yh.dtype == np.float16
    np.testing.assert_allclose(yh, ry, atol=2e-2)
    # float32 gradient with a float64 input: converted to the gradient's dtype.
    dy = rng.randn(*x.shape).astype(np.float32)
    dx, _, _ = B.train_backprop(dy, x, stats, gamma, 3, EPS)
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx, np_backward(dy, x, gamma, 3)[0], rtol=1e-4, atol=1e-5)


def test_bad_arguments():
    x = np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match=r'batchnorm_stats: axis 2 is out of range .*\(4, 3\)'):
        B.stats(x, 2)
    with pytest.raises(ValueError, match=r'batchnorm_stats: .*empty input of shape \(0, 3\)'):
        B.stats(np.zeros((0, 3)), 1)
    with pytest.raises(ValueError, match=r'batchnorm_normalize: gamma has shape \(4,\), '
                                         r'expected \(3,\)'):
        B.normalize(x, np.zeros((2, 3)), np.ones(4), np.zeros(3), 1, EPS)
    with pytest.raises(ValueError, match=r'batchnorm_backprop_sums: the gradient \(4, 2\) and '
                                         r'the input \(4, 3\) differ'):
        B.backprop_sums(np.zeros((4, 2)), x, np.zeros((2, 3)), 1)
    with pytest.raises(ValueError, match=r'batchnorm_normalize: out must be'):
        B.normalize(x, np.zeros((2, 3)), np.ones(3), np.zeros(3), 1, EPS, out=np.empty((3, 4)))
    # The raw kernels check their buffers (never a crash).
    x3 = x.reshape(4, 3, 1)
    with pytest.raises(ValueError, match=r'batchnorm_stats: out has shape \(2, 2\), expected \(2, 3\)'):
        core.channel_stats(x3, np.empty((2, 2)), np.empty((1, 2, 3)), 1)
    with pytest.raises(ValueError, match='scratch'):
        core.channel_stats(np.zeros((640, 3, 1)), np.empty((2, 3)), np.empty((1, 2, 3)), 1)
    with pytest.raises(ValueError, match=r'batchnorm_scale_shift: a has shape \(2,\), expected \(3,\)'):
        core.channel_scale_shift(x3, np.ones(2, np.float32), np.ones(3, np.float32),
                                 np.empty_like(x3), 1)
    with pytest.raises(ValueError, match=r'batchnorm_affine: x has shape \(4, 3, 1\), expected \(4, 3, 2\)'):
        core.channel_affine2(np.zeros((4, 3, 2), np.float32), x3, np.ones(3, np.float32),
                             np.ones(3, np.float32), np.ones(3, np.float32), np.empty_like(x3), 1)
