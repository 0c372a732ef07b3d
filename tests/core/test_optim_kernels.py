"""kback_core.optim in-place steps against numpy: float32/float64, 1 and 2
threads, odd layouts through the wrapper, bad buffers rejected cleanly."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend._kernels import optim as wrapper

from kback_core import optim as kernels

EPS = 1e-7


def _numpy_step(rule, p, slots, g, s, eps=EPS, nesterov=False):
    """Reference formulas in the arrays' precision; returns new (p, slots)."""
    t = p.dtype.type
    s = [t(x) for x in s]
    eps = t(eps)
    if rule == 'sgd':
        v = s[1] * slots[0] - s[0] * g
        return (p + s[1] * v - s[0] * g if nesterov else p + v), [v]
    if rule == 'rmsprop':
        a = s[1] * slots[0] + (t(1) - s[1]) * g * g
        return p - s[0] * g / (np.sqrt(a) + eps), [a]
    if rule == 'adagrad':
        a = slots[0] + g * g
        return p - s[0] * g / (np.sqrt(a) + eps), [a]
    m = s[1] * slots[0] + (t(1) - s[1]) * g
    v = s[2] * slots[1] + (t(1) - s[2]) * g * g
    if rule == 'adam':
        return p - s[0] * m / (np.sqrt(v) + eps), [m, v]
    vhat = np.maximum(slots[2], v)
    return p - s[0] * m / (np.sqrt(vhat) + eps), [m, v, vhat]


CASES = [('sgd', 1, (0.1, 0.9), {}), ('sgd', 1, (0.1, 0.9), {'nesterov': True}),
         ('rmsprop', 1, (0.01, 0.9), {}), ('adagrad', 1, (0.05,), {}),
         ('adam', 2, (0.01, 0.9, 0.999), {}), ('amsgrad', 3, (0.01, 0.9, 0.999), {})]


def _call_kernel(rule, targets, g, scalars, threads, nesterov=False):
    fn = getattr(kernels, f'{rule}_step')
    if rule == 'sgd':
        fn(*targets, g, *scalars, nesterov, threads)
    else:
        fn(*targets, g, *scalars, EPS, threads)


def _state(rng, n, n_slots, dtype):
    p = rng.randn(n).astype(dtype)
    slots = [np.abs(rng.randn(n)).astype(dtype) for _ in range(n_slots)]
    return p, slots


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('threads', [1, 2])
@pytest.mark.parametrize('n', [1, 7, 1 << 15])
@pytest.mark.parametrize('rule,n_slots,scalars,attrs', CASES)
def test_kernels_match_numpy(rule, n_slots, scalars, attrs, n, threads, dtype):
    rng = np.random.RandomState(n)
    p, slots = _state(rng, n, n_slots, dtype)
    g = rng.randn(n).astype(dtype)
    want_p, want_slots = _numpy_step(rule, p, slots, g, scalars, **attrs)
    targets = [p.copy()] + [s.copy() for s in slots]
    _call_kernel(rule, targets, g, scalars, threads, **attrs)
    tol = dict(rtol=1e-6, atol=1e-7) if dtype == np.float32 else dict(rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(targets[0], want_p, **tol)
    for got, want in zip(targets[1:], want_slots):
        np.testing.assert_allclose(got, want, **tol)


@pytest.mark.parametrize('rule,n_slots,scalars,attrs', CASES)
def test_one_and_two_threads_agree_exactly(rule, n_slots, scalars, attrs):
    rng = np.random.RandomState(3)
    p, slots = _state(rng, 50001, n_slots, np.float32)
    g = rng.randn(50001).astype(np.float32)
    runs = []
    for threads in (1, 2):
        targets = [p.copy()] + [s.copy() for s in slots]
        _call_kernel(rule, targets, g, scalars, threads, **attrs)
        runs.append(targets)
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_amsgrad_keeps_the_running_maximum():
    p = np.zeros(3)
    m, v = np.zeros(3), np.zeros(3)
    vhat = np.array([5.0, 0.0, 1e-3])
    kernels.amsgrad_step(p, m, v, vhat, np.array([1.0, 1.0, 1.0]), 0.1, 0.9, 0.5, EPS, 1)
    np.testing.assert_array_equal(vhat, [5.0, 0.5, 0.5])
    np.testing.assert_allclose(p, -0.1 * 0.1 / (np.sqrt(vhat) + EPS))


@pytest.mark.parametrize('threads', [1, 2])
def test_wrapper_handles_odd_layouts(threads):
    K.set_num_threads(threads)
    rng = np.random.RandomState(0)
    base = rng.randn(300, 120)
    for dtype in (np.float32, np.float64):
        g_full = rng.randn(300, 240).astype(dtype)
        layouts = {
            'contiguous': (base.astype(dtype), g_full[:, :120].copy()),
            'strided grad': (base.astype(dtype), g_full[:, ::2]),
            'fortran param': (np.asfortranarray(base.astype(dtype)), g_full[:, 1::2]),
            'broadcast grad': (base.astype(dtype), np.broadcast_to(g_full[0, :120], (300, 120))),
            'float64 grad for float32': (base.astype(dtype), g_full[:, :120].astype(np.float64)),
        }
        for name, (p, g) in layouts.items():
            m, v = np.zeros_like(p), np.zeros_like(p)
            want_p, want = _numpy_step('adam', p, [m, v], np.asarray(g, dtype=dtype),
                                       (0.01, 0.9, 0.999))
            p = p.copy(order='K')
            wrapper.step('adam', [p, m, v], g, (0.01, 0.9, 0.999), EPS)
            tol = 1e-6 if dtype == np.float32 else 1e-12
            np.testing.assert_allclose(p, want_p, rtol=tol, atol=tol, err_msg=name)
            np.testing.assert_allclose(v, want[1], rtol=tol, atol=tol, err_msg=name)


def test_wrapper_copies_a_gradient_that_overlaps_a_target():
    p = np.arange(6.0)
    m = np.zeros(6)
    g = p[::-1]               # reads param values that the step rewrites
    want_p, _ = _numpy_step('sgd', p, [m], g.copy(), (0.5, 0.0))
    wrapper.step('sgd', [p, m], g, (0.5, 0.0))
    np.testing.assert_allclose(p, want_p)


def test_wrapper_rejects_dtypes_without_a_kernel():
    # No numpy copy of the rules: optimizers run their K-op form for these.
    p = np.ones(4, dtype=np.float16)
    a = np.zeros(4, dtype=np.float16)
    with pytest.raises(ValueError, match='adagrad_step: no compiled step.*not float16'):
        wrapper.step('adagrad', [p, a], np.full(4, 2.0), (0.5,), EPS)
    np.testing.assert_array_equal(p, 1.0)


def test_wrapper_rejects_bad_arguments():
    p, m = np.zeros((2, 3)), np.zeros((2, 3))
    with pytest.raises(ValueError, match='unknown rule'):
        wrapper.step('lion', [p, m], p, (0.1,))
    with pytest.raises(ValueError, match='sgd_step: expects param, 1 slot'):
        wrapper.step('sgd', [p], p, (0.1, 0.9))
    with pytest.raises(ValueError, match='sgd_step: expects'):
        wrapper.step('sgd', [p, m], p, (0.1,))
    with pytest.raises(ValueError, match=r'grad has shape \(3, 2\)'):
        wrapper.step('sgd', [p, m], np.zeros((3, 2)), (0.1, 0.9))
    with pytest.raises(ValueError, match='moment must be an array shaped'):
        wrapper.step('sgd', [p, np.zeros(6)], p, (0.1, 0.9))
    with pytest.raises(ValueError, match='moment must be an array shaped and typed'):
        wrapper.step('sgd', [p, m.astype(np.float32)], p, (0.1, 0.9))
    frozen = np.zeros((2, 3))
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match='read-only'):
        wrapper.step('sgd', [frozen, m], p, (0.1, 0.9))


def test_kernels_reject_wrong_buffers_cleanly():
    x = np.zeros(4, dtype=np.float32)
    with pytest.raises(ValueError, match='adam_step: param has 4 elements, v has 3'):
        kernels.adam_step(x, x.copy(), np.zeros(3, np.float32), x.copy(), 0.1, 0.9, 0.99, EPS, 1)
    with pytest.raises(ValueError, match='sgd_step: param has 4 elements, grad has 5'):
        kernels.sgd_step(x, x.copy(), np.zeros(5, np.float32), 0.1, 0.9, False, 1)
    with pytest.raises((ValueError, TypeError)):      # mixed dtypes
        kernels.rmsprop_step(x, np.zeros(4), x.copy(), 0.1, 0.9, EPS, 1)
    with pytest.raises((ValueError, TypeError)):      # 2-d buffer
        kernels.adagrad_step(np.zeros((2, 2), np.float32), x, x.copy(), 0.1, EPS, 1)
    with pytest.raises((ValueError, TypeError)):      # non-contiguous buffer
        kernels.adagrad_step(np.zeros(8, np.float32)[::2], x, x.copy(), 0.1, EPS, 1)
    frozen = np.zeros(4, np.float32)
    frozen.flags.writeable = False
    with pytest.raises((ValueError, TypeError)):      # read-only param
        kernels.adagrad_step(frozen, x, x.copy(), 0.1, EPS, 1)
