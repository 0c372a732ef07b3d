"""The compiled recurrent loops (kback_core.recurrent) against their numpy
twins in _reference.py: LSTM, GRU (both reset_after modes) and SimpleRNN,
forward and backward, float32 and float64, with and without masks, in both
directions, every activation, with and without the fused input bias and
the recurrent dropout masks, at 1 and 2 threads (identical results); the
wrappers' weight gradients; the float32 tanh; and the argument checks."""
import itertools
import zlib

import numpy as np
import pytest

from kback.backend import _reference as ref
from kback.backend._kernels import recurrent as W
from kback.backend._kernels.linalg import single_threaded_blas

import kback_core.recurrent as core

rng = np.random.RandomState(3)
B, T, H = 5, 6, 4


@pytest.fixture(autouse=True)
def _seeded(request):
    """Each test draws the same data whichever tests run before it."""
    rng.seed(zlib.crc32(request.node.name.encode()))
ACTS = [('tanh', 'sigmoid'), ('relu', 'hard_sigmoid'), ('linear', 'tanh')]


def _close(got, want, dtype):
    """Against the float64 truth (_ref), relative to the array's scale:
    float32 gradients with linear activations grow to ~60 and lose their
    small entries to cancellation (du sums B * T such products; numpy's own
    float32 misses the truth by up to 2.8e-5 of the scale there, the kernels,
    which accumulate dh across steps in another order, by up to 7e-5);
    float64 checks the arithmetic tightly."""
    scale = max(1.0, float(np.max(np.abs(want))))
    if dtype == np.float64:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12 * scale)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * scale)


def _ref(fn, *args):
    """The numpy twin on float64 copies of the arrays: the truth."""
    return fn(*[a.astype(np.float64) if isinstance(a, np.ndarray) else a for a in args])


def _mask(dtype, masked):
    if not masked:
        return None
    m = (rng.rand(B, T) > 0.4).astype(dtype)
    m[0] = 0                 # a row that is never updated
    m[1, 0] = 0              # one that starts masked
    return m


def _case(dtype, masked):
    return (rng.randn(B, H).astype(dtype), rng.randn(B, H).astype(dtype),
            _mask(dtype, masked), [rng.randn(B, T, H).astype(dtype) for _ in range(3)])


def _both_threads(fn, *shapes_dtype):
    """fn(n_threads) at 1 and 2 threads: the results must be identical."""
    with single_threaded_blas():
        one, two = fn(1), fn(2)
    for a, b in zip(one, two):
        if a is not None:
            np.testing.assert_array_equal(a, b)
    return one


def _empty(dtype, *shapes):
    return [np.full(s, np.nan, dtype) for s in shapes]


# extras: None, the input bias, or the bias and recurrent dropout masks
GRID = list(itertools.product([np.float32, np.float64], [False, True], [False, True], ACTS,
                              ['plain', 'bias', 'bias+rmask']))


def _bias(dtype, width, extras):
    return rng.randn(width).astype(dtype) if extras != 'plain' else None


def _rmask(dtype, width, extras):
    """Dropout masks as the cells make them: 0 or 1 / (1 - rate)."""
    if extras != 'bias+rmask':
        return None
    return ((rng.rand(B, width) > 0.3) / 0.7).astype(dtype)


def _plus(xw, bias):
    return xw if bias is None else xw + bias


def _bias_grad(dxw, biased, dtype):
    """The reference gradient of the input bias: dxw summed over (batch, time)."""
    return dxw.sum(axis=(0, 1)) if biased else None


@pytest.mark.parametrize('dtype,masked,reverse,acts,extras', GRID)
def test_lstm_matches_reference(dtype, masked, reverse, acts, extras):
    h0, c0, mask, d = _case(dtype, masked)
    xw, u = rng.randn(B, T, 4 * H).astype(dtype), (rng.randn(H, 4 * H) * 0.5).astype(dtype)
    bias, rmask = _bias(dtype, 4 * H, extras), _rmask(dtype, 4 * H, extras)
    biased = bias is not None
    want = _ref(ref.lstm_forward, _plus(xw, bias), u, h0, c0, mask, *acts, reverse, rmask)

    def fwd(nt):
        out = _empty(dtype, (B, T, H), (B, T, H), (B, T, H), (B, T, 5 * H))
        core.lstm_forward(xw, u, bias, h0, c0, mask, rmask, *out, *acts, reverse, nt)
        return out
    got = _both_threads(fwd)
    for g, w in zip(got, want):
        _close(g, w, dtype)
    dxw, du, dh0, dc0 = _ref(ref.lstm_backward, u, h0, c0, mask, *want[1:], *d, *acts, reverse,
                             rmask)

    def bwd(nt):
        dxw_, du_, dh0_, dc0_ = _empty(dtype, (B, T, 4 * H), (H, 4 * H), (B, H), (B, H))
        db_ = _empty(dtype, (4 * H,))[0] if biased else None
        core.lstm_backward(u, h0, c0, mask, rmask, *got[1:], *d, dxw_, db_, du_, dh0_, dc0_,
                           *acts, reverse, nt)
        return dxw_, db_, du_, dh0_, dc0_
    want_b = dxw, _bias_grad(dxw, biased, dtype), du, dh0, dc0
    for g, w in zip(_both_threads(bwd), want_b):
        if w is not None:
            _close(g, w, dtype)


@pytest.mark.parametrize('reset_after', [False, True])
@pytest.mark.parametrize('dtype,masked,reverse,acts,extras', GRID)
def test_gru_matches_reference(dtype, masked, reverse, acts, extras, reset_after):
    h0, _, mask, d = _case(dtype, masked)
    xw, u = rng.randn(B, T, 3 * H).astype(dtype), (rng.randn(H, 3 * H) * 0.5).astype(dtype)
    bias, rmask = _bias(dtype, 3 * H, extras), _rmask(dtype, 3 * H, extras)
    biased = bias is not None
    brec = rng.randn(3 * H).astype(dtype) if reset_after else None
    want = _ref(ref.gru_forward, _plus(xw, bias), u, brec, h0, mask, *acts, reset_after, reverse,
                rmask)

    def fwd(nt):
        out = _empty(dtype, (B, T, H), (B, T, H), (B, T, 3 * H), (B, T, H))
        core.gru_forward(xw, u, bias, brec, h0, mask, rmask, *out, *acts, reset_after, reverse,
                         nt)
        return out
    got = _both_threads(fwd)
    for g, w in zip(got, want):
        _close(g, w, dtype)
    dxw, drec, du, dh0 = _ref(ref.gru_backward, u, h0, mask, *want[1:], *d[:2], *acts,
                              reset_after, reverse, rmask)

    def bwd(nt):
        dxw_, drec_, du_, dh0_ = _empty(dtype, (B, T, 3 * H), (B, T, 3 * H), (H, 3 * H), (B, H))
        db_, dbrec_ = _empty(dtype, (3 * H,), (3 * H,))
        db_ = db_ if biased else None
        drec_, dbrec_ = (drec_, dbrec_) if reset_after else (None, None)
        core.gru_backward(u, h0, mask, rmask, *got[1:], *d[:2], dxw_, drec_, db_, dbrec_, du_,
                          dh0_, *acts, reset_after, reverse, nt)
        return dxw_, drec_, db_, dbrec_, du_, dh0_
    want_b = (dxw, drec, _bias_grad(dxw, biased, dtype),
              _bias_grad(drec, reset_after, dtype), du, dh0)
    for g, w in zip(_both_threads(bwd), want_b):
        if w is not None:
            _close(g, w, dtype)


@pytest.mark.parametrize('dtype,masked,reverse,acts,extras', GRID)
def test_simple_rnn_matches_reference(dtype, masked, reverse, acts, extras):
    h0, _, mask, d = _case(dtype, masked)
    xw, u = rng.randn(B, T, H).astype(dtype), (rng.randn(H, H) * 0.5).astype(dtype)
    bias, rmask = _bias(dtype, H, extras), _rmask(dtype, H, extras)
    biased = bias is not None
    want = _ref(ref.simple_forward, _plus(xw, bias), u, h0, mask, acts[0], reverse, rmask)

    def fwd(nt):
        out = _empty(dtype, (B, T, H), (B, T, H))
        core.simple_forward(xw, u, bias, h0, mask, rmask, *out, acts[0], reverse, nt)
        return out
    got = _both_threads(fwd)
    for g, w in zip(got, want):
        _close(g, w, dtype)
    dxw, du, dh0 = _ref(ref.simple_backward, u, h0, mask, want[1], *d[:2], acts[0], reverse,
                        rmask)

    def bwd(nt):
        dxw_, du_, dh0_ = _empty(dtype, (B, T, H), (H, H), (B, H))
        db_ = _empty(dtype, (H,))[0] if biased else None
        core.simple_backward(u, h0, mask, rmask, got[1], *d[:2], dxw_, db_, du_, dh0_, acts[0],
                             reverse, nt)
        return dxw_, db_, du_, dh0_
    for g, w in zip(_both_threads(bwd), (dxw, _bias_grad(dxw, biased, dtype), du, dh0)):
        if w is not None:
            _close(g, w, dtype)


def test_missing_cotangents_count_as_zeros():
    h0, c0, mask, d = _case(np.float64, True)
    xw, u = rng.randn(B, T, 4 * H), rng.randn(H, 4 * H) * 0.5
    _, hs, cs, gates = W.lstm_forward(xw, u, None, h0, c0, mask, None, 'tanh', 'sigmoid',
                                      False)
    zeros = np.zeros_like(hs)
    for k in range(3):
        partial = [d[k] if j == k else None for j in range(3)]
        full = [d[k] if j == k else zeros for j in range(3)]
        got = W.lstm_backward(u, h0, c0, mask, None, hs, cs, gates, *partial, 'tanh', 'sigmoid',
                              False, True)
        want = W.lstm_backward(u, h0, c0, mask, None, hs, cs, gates, *full, 'tanh', 'sigmoid',
                               False, True)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize('reverse', [False, True])
@pytest.mark.parametrize('rmasked', [False, True])
def test_wrapper_gradients_against_finite_differences(reverse, rmasked):
    """dxw (data order), the input bias's gradient and du of the wrapper,
    with and without recurrent dropout masks: central differences in float64."""
    h0, c0, mask, _ = _case(np.float64, True)
    args = [rng.randn(B, T, 3 * H) * 0.5, rng.randn(H, 3 * H) * 0.5, rng.randn(3 * H) * 0.5]
    rmask = _rmask(np.float64, 3 * H, 'bias+rmask' if rmasked else 'plain')
    seed = rng.randn(B, T, H)

    def loss(xw_, u_, b_):
        return np.sum(W.gru_forward(xw_, u_, b_, None, h0, mask, rmask, 'tanh', 'sigmoid', False,
                                    reverse)[0] * seed)
    out, hs, gates, extra = W.gru_forward(*args, None, h0, mask, rmask, 'tanh', 'sigmoid', False,
                                          reverse)
    dxw, db, du, dbrec, _ = W.gru_backward(args[1], h0, mask, rmask, hs, gates, extra, seed,
                                           None, 'tanh', 'sigmoid', False, reverse, True)
    assert dbrec is None
    eps = 1e-6
    for which, grad in enumerate((dxw, du, db)):
        arr = args[which]
        for i in [tuple(rng.randint(s) for s in arr.shape) for _ in range(6)]:
            plus, minus = list(args), list(args)
            plus[which], minus[which] = arr.copy(), arr.copy()
            plus[which][i] += eps
            minus[which][i] -= eps
            numeric = (loss(*plus) - loss(*minus)) / (2 * eps)
            np.testing.assert_allclose(grad[i], numeric, rtol=1e-6, atol=1e-8)


def test_fast_tanh_is_within_three_ulp():
    x = np.concatenate([np.linspace(-12, 12, 200001), [0.0, -0.0, 1e-30, -1e-30, 0.25,
                                                        -0.25, np.inf, -np.inf]])
    x = x.astype(np.float32)
    out = np.empty_like(x)
    core.fast_tanh(x, out)
    want = np.tanh(x.astype(np.float64))
    spacing = np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)
    assert np.max(np.abs(out - want) / spacing) <= 3
    nan = np.empty(1, np.float32)
    core.fast_tanh(np.array([np.nan], np.float32), nan)
    assert np.isnan(nan[0])


def _lstm_args(dtype=np.float32, **change):
    args = dict(xw=np.zeros((B, T, 4 * H), dtype), u=np.zeros((H, 4 * H), dtype), bias=None,
                h0=np.zeros((B, H), dtype), c0=np.zeros((B, H), dtype), mask=None, rmask=None,
                out=np.zeros((B, T, H), dtype), hs=np.zeros((B, T, H), dtype),
                cs=np.zeros((B, T, H), dtype), gates=np.zeros((B, T, 5 * H), dtype),
                activation='tanh', recurrent_activation='sigmoid', reverse=False, n_threads=1)
    args.update(change)
    return args


@pytest.mark.parametrize('change,error,message', [
    (dict(h0=np.zeros((B + 1, H), np.float32)), ValueError, r'h0 must have shape \(5, 4\)'),
    (dict(gates=np.zeros((B, T, 4 * H), np.float32)), ValueError, 'gates must have shape'),
    (dict(xw=np.zeros((B, T, 4 * H))), TypeError, 'xw must be a native float32'),
    (dict(mask=np.ones((B, T + 1), np.float32)), ValueError, 'mask must have shape'),
    (dict(bias=np.ones(3 * H, np.float32)), ValueError, r'bias must have shape \(16,\)'),
    (dict(bias=np.ones(4 * H)), TypeError, 'bias must be a native float32'),
    (dict(rmask=np.ones((B, H), np.float32)), ValueError, r'rmask must have shape \(5, 16\)'),
    (dict(u=np.zeros((H, 3 * H), np.float32)), ValueError, r'\(units, 4 \* units\)'),
    (dict(xw=np.zeros((B, 0, 4 * H), np.float32)), ValueError, 'at least one unit and one'),
    (dict(activation='softsign'), ValueError, 'activation must be one of'),
    (dict(reverse=2), TypeError, 'reverse must be a bool'),
    (dict(n_threads=0), ValueError, r'n_threads must be an int in \[1, 256\]'),
    (dict(out=np.zeros((B, T, H), np.float32)[:, ::-1]), ValueError, 'C-contiguous'),
])
def test_lstm_forward_checks_its_arguments(change, error, message):
    with pytest.raises(error, match=message):
        core.lstm_forward(**_lstm_args(**change))


def test_read_only_outputs_and_gru_bias_rules_are_refused():
    hs = np.zeros((B, T, H), np.float32)
    hs.flags.writeable = False
    with pytest.raises(ValueError, match='hs is read-only'):
        core.lstm_forward(**_lstm_args(hs=hs))
    f = np.float32
    args = [np.zeros((B, T, 3 * H), f), np.zeros((H, 3 * H), f), None, np.zeros(3 * H, f),
            np.zeros((B, H), f), None, None, np.zeros((B, T, H), f), np.zeros((B, T, H), f),
            np.zeros((B, T, 3 * H), f), np.zeros((B, T, H), f), 'tanh', 'sigmoid', False,
            False, 1]
    with pytest.raises(ValueError, match='gru_forward: a recurrent bias needs reset_after'):
        core.gru_forward(*args)
