"""Accuracy of the branch-free exp / log1p the loss kernels vectorise over."""
import numpy as np
import pytest

from kback_core import losses as cl

# float32 against float64 numpy; float64 against long double where it is wider.
_WIDE = np.finfo(np.longdouble).nmant > np.finfo(np.float64).nmant
LIMITS = {np.float32: (np.float64, 2.0), np.float64: (np.longdouble, 2.0 if _WIDE else 3.0)}


def _ulps(y, ref, dtype):
    """|y - ref| in units of the last place of ref rounded to dtype."""
    with np.errstate(over='ignore'):
        spacing = np.spacing(np.abs(ref.astype(dtype))).astype(ref.dtype)
    return np.abs(y.astype(ref.dtype) - ref) / spacing


def _exp(x):
    out = np.full_like(x, 7)
    cl.fast_exp(x, out)
    return out


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_exp_is_within_two_ulp_over_the_normal_range(dtype):
    wide, limit = LIMITS[dtype]
    info = np.finfo(dtype)
    lo, hi = np.log(info.tiny), np.log(info.max)      # results stay normal and finite
    rng = np.random.RandomState(0)
    x = np.concatenate([np.linspace(lo, hi, 400001), rng.uniform(-1, 1, 100000),
                        rng.uniform(-1e-3, 1e-3, 10000), [0.0, -0.0, 1e-30, -1e-30]]).astype(dtype)
    ref = np.exp(x.astype(wide))
    normal = (ref >= info.tiny) & (ref <= info.max)   # lo and hi themselves are rounded
    x, ref = x[normal], ref[normal]
    err = _ulps(_exp(x), ref, dtype)
    assert err.max() <= limit, (dtype, x[np.argmax(err)], err.max())


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_exp_extremes_overflow_underflow_and_specials(dtype):
    info = np.finfo(dtype)
    lo, hi = float(np.log(info.tiny)), float(np.log(info.max))
    over = np.array([hi + 1e-3 * abs(hi), hi + 1, 1e4, 1e30, info.max, np.inf], dtype)
    assert np.all(_exp(over) == np.inf)
    under = np.array([lo - 60, -1e4, -1e30, -info.max, -np.inf], dtype)
    assert np.all(_exp(under) == 0)
    special = _exp(np.array([np.nan, -np.nan, 0, -0.0], dtype))
    assert np.isnan(special[:2]).all() and np.all(special[2:] == 1)
    wide, limit = LIMITS[dtype]
    # Below the normal range: within one subnormal step (or 0 where denormals flush).
    sub = np.linspace(lo - 20, lo, 10001).astype(dtype)
    ref = np.exp(sub.astype(wide))
    y = _exp(sub)
    step = np.spacing(dtype(0)).astype(wide)
    assert np.all((np.abs(y.astype(wide) - ref) <= step) | ((y == 0) & (ref < info.tiny)))
    # The top of the range: finite and accurate up to the last representable result,
    # inf beyond it.
    top = np.linspace(hi - 1, hi + 1e-3, 10001).astype(dtype)
    ref = np.exp(top.astype(wide))
    fits = ref <= info.max
    y = _exp(top)
    assert np.all(np.isfinite(y[fits])) and np.all(y[~fits] == np.inf) and (~fits).any()
    assert _ulps(y[fits], ref[fits], dtype).max() <= limit


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_log1p_on_the_unit_interval(dtype):
    wide, limit = LIMITS[dtype]
    tiny = np.finfo(dtype).tiny
    e = np.concatenate([np.linspace(0, 1, 200001), np.logspace(np.log10(tiny), 0, 2000)]).astype(dtype)
    out = np.empty_like(e)
    cl.fast_log1p_unit(e, out)
    ref = np.log1p(e.astype(wide))
    nz = e > 0
    assert np.all(out[~nz] == 0)
    err = _ulps(out[nz], ref[nz], dtype)
    assert err.max() <= limit, (dtype, e[nz][np.argmax(err)], err.max())


def test_exp_rejects_mismatched_buffers():
    with pytest.raises(ValueError, match=r'fast_exp: out has shape \(4,\), x has shape \(3,\)'):
        cl.fast_exp(np.zeros(3, np.float32), np.zeros(4, np.float32))
    with pytest.raises(ValueError, match='fast_log1p_unit'):
        cl.fast_log1p_unit(np.zeros(3), np.zeros(2))
