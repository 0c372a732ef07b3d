"""The compiled 2-D matmul (kback_core.linalg through _kernels.linalg) against
numpy: float32/float64, C- and Fortran-ordered operands, odd and degenerate
shapes, 1 and 2 threads (identical results), fallbacks, bad input, and the
BLAS thread policy of the kernels."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend._kernels import linalg as L, _common

import kback_core.linalg as core

rng = np.random.RandomState(0)

SHAPES = [(1, 1, 1), (3, 5, 2), (37, 1001, 53), (53, 999, 37), (7, 5000, 3),
          (600, 64, 200), (200, 64, 600), (128, 300, 1), (1, 300, 128)]


@pytest.fixture(autouse=True)
def _kernel_for_every_size(monkeypatch):
    """The wrapper hands tiny products to numpy; these tests exercise the kernel."""
    monkeypatch.setattr(_common, 'NUMPY_BELOW_MACS', 0)


def test_tiny_products_use_numpy(monkeypatch):
    monkeypatch.setattr(_common, 'NUMPY_BELOW_MACS', 1 << 16)
    a, b = rng.randn(5, 6).astype(np.float32), rng.randn(6, 7).astype(np.float32)
    np.testing.assert_array_equal(L.matmul(a, b), np.matmul(a, b))
    with pytest.raises(ValueError, match='matmul'):
        L.matmul(a, b, out=np.empty((7, 5), np.float32))


def _tol(dtype, k):
    return (1e-5 * max(1, k) ** 0.5, 1e-5) if dtype == np.float32 else (1e-12, 1e-12)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('m,k,n', SHAPES)
def test_matches_numpy_every_operand_order(m, k, n, dtype):
    a = rng.randn(m, k).astype(dtype)
    b = rng.randn(k, n).astype(dtype)
    want = a.astype(np.float64) @ b.astype(np.float64)
    rtol, atol = _tol(dtype, k)
    for x in (a, np.asfortranarray(a)):
        for y in (b, np.asfortranarray(b)):
            got = L.matmul(x, y)
            assert got.dtype == dtype and got.shape == (m, n) and got.flags.c_contiguous
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol * k)


def test_strided_views_and_transposes():
    a = rng.randn(40, 30).astype(np.float32)
    b = rng.randn(40, 25).astype(np.float32)
    np.testing.assert_allclose(L.matmul(a.T, b), a.T @ b, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(L.matmul(a[::2, ::3], b[:10, :7]), a[::2, ::3] @ b[:10, :7],
                               rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_identical_at_1_and_2_threads(dtype):
    for m, k, n in [(64, 5000, 37), (3000, 64, 29), (37, 1001, 53), (256, 700, 300)]:
        assert core.n_blocks(m, n, k) >= 1
        a = rng.randn(m, k).astype(dtype)
        b = np.asfortranarray(rng.randn(k, n).astype(dtype))
        K.set_num_threads(1)
        one = L.matmul(a, b)
        K.set_num_threads(2)
        two = L.matmul(a, b)
        assert np.array_equal(one, two)


@pytest.mark.parametrize('m,k,n', [(32, 784, 300), (20, 30000, 20), (300, 784, 32),
                                   (40, 4000, 33), (5000, 1000, 17)])
def test_blocks_are_a_power_of_two_with_aligned_edges(m, k, n):
    """A power of two up to 8 blocks (teams of 2 and 4 share them evenly); the
    edges fall on multiples of 16, so a short side leaves some blocks empty:
    still right."""
    assert core.n_blocks(m, n, k) in (1, 2, 4, 8)
    a, b = rng.randn(m, k).astype(np.float32), rng.randn(k, n).astype(np.float32)
    want = a.astype(np.float64) @ b.astype(np.float64)
    for threads in (1, 2):
        out = np.full((m, n), np.nan, np.float32)
        core.gemm(a, False, b, False, out, threads)
        np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-3 * k ** 0.5)


@pytest.mark.parametrize('m,k,n,blocks', [
    (32, 300, 100, 1), (128, 128, 128, 4), (32, 784, 300, 8), (784, 32, 300, 8),
    (32, 8000, 32, 2), (128, 784, 512, 4), (256, 784, 512, 4), (5000, 1000, 17, 4)])
def test_small_products_are_cut_into_blocks_of_a_million_multiply_adds(m, k, n, blocks):
    """Up to 8M multiply-adds: the fewest blocks (a power of two, at most one
    per 16 rows or columns of the side cut) of at most 1M each, the size
    OpenBLAS runs without packing; larger products: 2 or 4 blocks."""
    assert core.n_blocks(m, n, k) == blocks


def test_degenerate_shapes():
    a = np.ones((3, 0), np.float32)
    b = np.ones((0, 4), np.float32)
    np.testing.assert_array_equal(L.matmul(a, b), np.zeros((3, 4), np.float32))
    assert L.matmul(np.ones((0, 5)), np.ones((5, 2))).shape == (0, 2)
    out = np.full((3, 4), 7, np.float32)
    core.gemm(a, False, b, False, out, 2)
    np.testing.assert_array_equal(out, 0)


def test_fallbacks_keep_numpy_semantics():
    a16 = rng.randn(4, 5).astype(np.float16)
    assert L.matmul(a16, a16.T).dtype == np.float16
    ai = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(L.matmul(ai, ai.T), ai @ ai.T)
    mixed = L.matmul(rng.randn(2, 3).astype(np.float32), rng.randn(3, 4))
    assert mixed.dtype == np.float64
    batch = rng.randn(2, 3, 4).astype(np.float32)
    np.testing.assert_allclose(L.matmul(batch, np.ones((4, 2), np.float32)),
                               batch @ np.ones((4, 2), np.float32), rtol=1e-6)


def test_out_buffer_and_errors():
    a, b = rng.randn(5, 6).astype(np.float32), rng.randn(6, 7).astype(np.float32)
    out = np.empty((5, 7), np.float32)
    assert L.matmul(a, b, out=out) is out
    np.testing.assert_allclose(out, a @ b, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match='matmul'):
        L.matmul(a, b, out=np.empty((7, 5), np.float32))
    with pytest.raises(ValueError, match=r'matmul: a \(5, 6\) @ b \(7, 6\)'):
        core.gemm(a, False, np.ones((7, 6), np.float32), False, np.empty((5, 6), np.float32), 1)
    with pytest.raises(ValueError):
        L.matmul(a, a)


def test_blas_policy_keeps_scipy_blas_single_threaded():
    K.set_num_threads(2)
    with L.single_threaded_blas():
        pass
    kind, obj = L._blas['state']
    # 'private': kback_core's own OpenBLAS, held at one thread (test_blas_library.py)
    assert kind in ('private', 'own', 'shared', 'none')
    if kind == 'own':
        assert all(lib.num_threads == 1 for lib in obj)
