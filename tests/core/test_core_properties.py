"""Property tests of every kback_core entry point, called in-process.

Each test draws a valid call (random shapes, zero-size included, float32 or
float64, values with NaN and inf) and, half of the time, spoils one argument:
a wrong dtype, a list, a byte-swapped, misaligned, Fortran-ordered,
non-contiguous or read-only array, a wrong rank or shape, or a hostile int
(negative, huge, float, bool, None).  The call must either return what the
numpy reference (`kback.backend._reference`, or numpy itself) gives, or raise
ValueError/TypeError whose message names an argument.  Nothing may crash the
interpreter.  Example counts: profiles 'ci' and 'long' (tests/conftest.py).
"""
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import numpy as np
import pytest

hypothesis = pytest.importorskip('hypothesis')
from hypothesis import given, assume, strategies as st  # noqa: E402

from kback.backend import _reference as R  # noqa: E402
from kback.backend._kernels import _common  # noqa: E402

if not _common.AVAILABLE:
    pytest.skip('kback_core is not built', allow_module_level=True)

import kback_core  # noqa: E402
from kback_core import (batchnorm, conv, elementwise as ew, image, linalg,  # noqa: E402
                        losses, optim, pool, _openmp)

CAP = kback_core.MAX_THREADS
BAD_THREADS = [0, -1, CAP + 1, 100000, 2 ** 31, 2 ** 63, -2 ** 63, 10 ** 30, 1.5, 2.0, True,
               None, '2', np.float64(2.0)]
BAD_INTS = [-1, 1.5, 2.0, True, None, '1', 2 ** 31, 2 ** 64, 10 ** 30, np.float32(1)]
BAD_FLAGS = [2, -1, 'yes', None, 1.5, np.array([1, 0])]
BAD_REALS = ['a', None, [1.0], True, np.array([1.0, 2.0]), 1j]
SPOILS = ['dtype', 'float swap', 'list', 'byteswap', 'misaligned', 'fortran', 'strided',
          'rank', 'shape', 'readonly']


@dataclass
class Case:
    fn: Callable
    args: Dict[str, object]                  # in call order
    expect: Dict[str, np.ndarray]            # output buffer (or 'return') -> reference
    outs: List[str]                          # buffers the kernel writes
    ints: Dict[str, list] = field(default_factory=dict)   # int args -> hostile values
    flags: List[str] = field(default_factory=list)
    reals: List[str] = field(default_factory=list)
    shape_free: List[str] = field(default_factory=list)   # buffers whose shape is not read
    any_float: List[str] = field(default_factory=list)    # float32 and float64 both fit
    rtol: float = 1e-5
    atol: float = 1e-5
    check: Optional[Callable] = None         # replaces the comparison when given


# -- drawing values ---------------------------------------------------------------------

def values(draw, shape, dtype, specials=True, low=-4.0, high=4.0):
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    a = rng.uniform(low, high, shape)
    if draw(st.booleans()):            # ties, which must go to the first maximum
        a = np.round(a)
    if specials and draw(st.integers(0, 3)) == 0:
        picks = rng.random(shape)
        a[picks < 0.15] = np.nan
        a[(picks >= 0.15) & (picks < 0.2)] = np.inf
        a[(picks >= 0.2) & (picks < 0.25)] = -np.inf
    return a.astype(dtype)


def dims(draw, n, lo=0, hi=6):
    return tuple(draw(st.integers(lo, hi)) for _ in range(n))


def tolerance(dtype):
    return (2e-4, 2e-4) if dtype == np.float32 else (1e-9, 1e-9)


# -- spoiling one argument --------------------------------------------------------------

def misaligned(a):
    buf = np.zeros(a.nbytes + 1, np.uint8)
    out = np.ndarray(a.shape, a.dtype, buffer=buf, offset=1)
    out[...] = a
    return out


def strided(a):
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    big[..., ::2] = a
    return big[..., ::2]


def spoil(draw, a, how):
    """A spoilt version of array a, or None when `how` cannot spoil it."""
    if how == 'dtype':
        return a.astype(draw(st.sampled_from([t for t in (np.int32, np.int64, np.float16,
                                                           np.complex64, np.bool_, object)
                                              if t != a.dtype])))
    if how == 'float swap':
        if a.dtype.kind != 'f':
            return None
        return a.astype(np.float64 if a.dtype == np.float32 else np.float32)
    if how == 'list':
        return a.tolist()
    if how == 'byteswap':
        return a.astype(a.dtype.newbyteorder())
    if how == 'misaligned':
        return misaligned(a) if a.dtype.itemsize > 1 and a.size else None
    if how == 'fortran':
        f = np.asfortranarray(a)
        return f if not f.flags.c_contiguous else None
    if how == 'strided':
        if a.ndim == 0:
            return None
        s = strided(a)
        return s if not s.flags.c_contiguous else None
    if how == 'rank':
        return a[None]
    if how == 'shape':
        if a.ndim == 0:
            return None
        axis = draw(st.integers(0, a.ndim - 1))
        shape = list(a.shape)
        shape[axis] += draw(st.sampled_from([1, 2])) if shape[axis] < 3 else -1
        return np.zeros(shape, a.dtype)
    if how == 'readonly':
        r = a.copy()
        r.setflags(write=False)
        return r
    raise AssertionError(how)


def names_argument(message, names):
    return any(re.search(r'\b' + re.escape(n) + r'\b', message) for n in names)


def run(draw, case):
    """Call case.fn with at most one spoilt argument and check the outcome."""
    args = dict(case.args)
    arrays = [n for n, v in args.items() if isinstance(v, np.ndarray)]
    kinds = ['none'] * 4 + ['array'] * 3 + (['threads'] if 'n_threads' in args else []) + \
        (['int'] if case.ints else []) + (['flag'] if case.flags else []) + \
        (['real'] if case.reals else [])
    kind = draw(st.sampled_from(kinds))
    spoilt = how = None
    if kind == 'array' and arrays:
        name = draw(st.sampled_from(arrays))
        how = draw(st.sampled_from(SPOILS))
        if how == 'readonly' and name not in case.outs:
            how = 'strided'
        if how == 'float swap' and name in case.any_float:
            how = 'dtype'
        bad = spoil(draw, args[name], how)
        if bad is None:
            how, bad = 'rank', args[name][None]
        args[name], spoilt = bad, name
    elif kind == 'threads':
        args['n_threads'], spoilt = draw(st.sampled_from(BAD_THREADS)), 'n_threads'
    elif kind == 'int':
        spoilt = draw(st.sampled_from(sorted(case.ints)))
        args[spoilt] = draw(st.sampled_from(case.ints[spoilt]))
    elif kind == 'flag':
        spoilt = draw(st.sampled_from(case.flags))
        args[spoilt] = draw(st.sampled_from(BAD_FLAGS))
    elif kind == 'real':
        spoilt = draw(st.sampled_from(case.reals))
        args[spoilt] = draw(st.sampled_from(BAD_REALS))
    try:
        result = case.fn(*args.values())
    except (TypeError, ValueError) as e:
        assert spoilt is not None or not case.expect, f'a valid call raised {e!r}'
        assert names_argument(str(e), list(args)), f'{e!r} names no argument of {list(args)}'
        return
    if spoilt is not None:
        # kernels that read only part of a buffer may take another shape: no reference then
        assert how == 'shape' and spoilt in case.shape_free, \
            f'{case.fn.__name__} accepted a spoilt {spoilt} ({how or args[spoilt]!r:.200})'
        return
    got = {n: np.asarray(args[n]) for n in case.outs}
    got['return'] = result
    if case.check is not None:
        case.check(got)
        return
    for n, want in case.expect.items():
        np.testing.assert_allclose(np.asarray(got[n], dtype=np.float64),
                                   np.asarray(want, dtype=np.float64), rtol=case.rtol,
                                   atol=case.atol, equal_nan=True, err_msg=n)


def threads(draw):
    # the cap itself is tested once (test_thread_cap): 256 threads on a small
    # machine would slow every example
    return draw(st.sampled_from([1, 2, 3]))


def floats(draw):
    return draw(st.sampled_from([np.float32, np.float64]))


def kernel_test(build):
    """A test of the case `build(draw)` draws."""
    @given(st.data())
    def test(data):
        run(data.draw, build(data.draw))
    test.__name__ = 'test_' + build.__name__[len('case_'):]
    return test


# -- elementwise ------------------------------------------------------------------------

def case_relu_forward(draw):
    dt = floats(draw)
    x = values(draw, (draw(st.integers(0, 3000)),), dt)
    out = np.empty_like(x)
    return Case(ew.relu_forward, dict(x=x, out=out, n_threads=threads(draw)),
                {'out': R.relu(x)}, ['out'], rtol=0, atol=0)


def case_relu_backprop(draw):
    dt = floats(draw)
    n = draw(st.integers(0, 3000))
    x, g = values(draw, (n,), dt), values(draw, (n,), dt)
    return Case(ew.relu_backprop, dict(x=x, g=g, out=np.empty_like(x), n_threads=threads(draw)),
                {'out': R.relu_backprop(x, g)}, ['out'], rtol=0, atol=0)


def case_bias_add_forward(draw):
    dt = floats(draw)
    shape = dims(draw, 3)
    x, b = values(draw, shape, dt), values(draw, shape[1:2], dt)
    relu = draw(st.booleans())
    with np.errstate(invalid='ignore'):
        want = R.bias_add(x, b, 1, relu)
    return Case(ew.bias_add_forward, dict(x=x, bias=b, out=np.empty_like(x), relu=relu,
                                          n_threads=threads(draw)),
                {'out': want}, ['out'], flags=['relu'], rtol=0, atol=0)


def case_bias_add_relu_backprop(draw):
    dt = floats(draw)
    shape = dims(draw, 3)
    y, g = values(draw, shape, dt), values(draw, shape, dt, specials=False)
    dz, db = R.bias_add_relu_backprop(y, g, 1)
    rtol, atol = tolerance(dt)
    return Case(ew.bias_add_relu_backprop,
                dict(y=y, g=g, dz=np.empty_like(y), db=np.empty(shape[1], dt),
                     n_threads=threads(draw)),
                {'dz': dz, 'db': db}, ['dz', 'db'], rtol=rtol, atol=atol * (1 + y.size))


def case_channel_sum(draw):
    dt = floats(draw)
    shape = dims(draw, 3)
    g = values(draw, shape, dt)
    rtol, atol = tolerance(dt)
    with np.errstate(invalid='ignore'):
        want = R.channel_sum(g.astype(np.float64), 1)
    return Case(ew.channel_sum, dict(g=g, db=np.empty(shape[1], dt), n_threads=threads(draw)),
                {'db': want}, ['db'], shape_free=['g'], rtol=rtol, atol=atol * (1 + g.size))


U64 = [-1, 2 ** 64, 1.5, None, '3', True]


def case_dropout_forward(draw):
    dt = floats(draw)
    masked = draw(st.booleans())
    # mask only (x empty): n is 0 or > 2, so a spoilt x of 1 or 2 elements never fits
    n = draw(st.integers(0, 300)) if masked else draw(st.sampled_from([0, 3, 17, 300]))
    x = values(draw, (n,), dt) if masked else np.empty(0, dt)
    start = draw(st.integers(0, 2 ** 64 - 1))
    threshold = draw(st.integers(0, 2 ** 32 - 1))
    scale = draw(st.floats(0.5, 4.0))
    keep = R.dropout_keep(n, start, threshold)
    with np.errstate(invalid='ignore'):
        want = np.where(keep, (x if x.size else np.ones(n, dt)) * dt(scale), 0)
    return Case(ew.dropout_forward, dict(x=x, out=np.empty(n, dt), start=start,
                                         threshold=threshold, scale=scale,
                                         n_threads=threads(draw)),
                {'out': want}, ['out'], ints={'start': U64, 'threshold': [-1, 2 ** 32, 0.5]},
                reals=['scale'], shape_free=['out'] if not x.size else [])


def case_stream_start(draw):
    seed, counter = draw(st.integers(0, 2 ** 64 - 1)), draw(st.integers(0, 2 ** 64 - 1))
    return Case(ew.stream_start, dict(seed=seed, counter=counter),
                {'return': np.uint64(R.dropout_stream_start(seed, counter))}, [],
                ints={'seed': U64, 'counter': U64}, rtol=0, atol=0,
                check=lambda got: _equal(got['return'], R.dropout_stream_start(seed, counter)))


def _equal(a, b):
    assert a == b, (a, b)


# -- pooling ----------------------------------------------------------------------------

def _pool_geometry(draw):
    n, c = draw(st.integers(0, 3)), draw(st.integers(0, 12))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    ph, pw = draw(st.integers(1, h + 1)), draw(st.integers(1, w + 1))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    top, left = draw(st.integers(0, ph - 1)), draw(st.integers(0, pw - 1))
    # the largest output whose last window still starts inside the input
    oh = (h - 1 + top) // sh + 1
    ow = (w - 1 + left) // sw + 1
    pads = ((top, max(0, (oh - 1) * sh + ph - h - top)), (left, max(0, (ow - 1) * sw + pw - w - left)))
    return (n, h, w, c), (oh, ow), (ph, pw), (sh, sw), pads


POOL_INTS = {k: BAD_INTS + [0] if k in ('ph', 'pw', 'sh', 'sw') else BAD_INTS
             for k in ('ph', 'pw', 'sh', 'sw', 'top', 'left')}


def _layout(a, cl):
    return a if cl else np.ascontiguousarray(a.transpose(0, 3, 1, 2))


def case_pool2d_forward(draw):
    dt = floats(draw)
    shape, (oh, ow), pool_, strides, pads = _pool_geometry(draw)
    x = values(draw, shape, dt)
    mode = draw(st.sampled_from(['max', 'avg']))
    cl = draw(st.booleans())
    with np.errstate(invalid='ignore'):
        want = R.pool2d_forward(x, pool_, strides, pads, mode)
    out = np.empty((shape[0], oh, ow, shape[3]), dt)
    rtol, atol = tolerance(dt)
    return Case(pool.pool2d_forward,
                dict(x=_layout(x, cl), out=_layout(out, cl), ph=pool_[0], pw=pool_[1],
                     sh=strides[0], sw=strides[1], top=pads[0][0], left=pads[1][0],
                     is_max=mode == 'max', channels_last=cl, n_threads=threads(draw)),
                {'out': _layout(want, cl)}, ['out'], ints=POOL_INTS,
                flags=['is_max', 'channels_last'], shape_free=['x', 'out'], rtol=rtol, atol=atol)


def case_pool2d_backprop(draw):
    dt = floats(draw)
    shape, (oh, ow), pool_, strides, pads = _pool_geometry(draw)
    x = values(draw, shape, dt)
    g = values(draw, (shape[0], oh, ow, shape[3]), dt, specials=False)
    mode = draw(st.sampled_from(['max', 'avg']))
    cl = draw(st.booleans())
    want = R.pool2d_backprop(g, x, pool_, strides, pads, mode)
    rtol, atol = tolerance(dt)
    return Case(pool.pool2d_backprop,
                dict(g=_layout(g, cl), x=_layout(x, cl), out=_layout(np.empty_like(x), cl),
                     ph=pool_[0], pw=pool_[1], sh=strides[0], sw=strides[1], top=pads[0][0],
                     left=pads[1][0], is_max=mode == 'max', channels_last=cl,
                     n_threads=threads(draw)),
                {'out': _layout(want, cl)}, ['out'], ints=POOL_INTS,
                flags=['is_max', 'channels_last'], shape_free=['g', 'x'], rtol=rtol,
                atol=atol * 10)


def case_max_pool2d_select(draw):
    dt = floats(draw)
    shape, (oh, ow), pool_, strides, pads = _pool_geometry(draw)
    x, v = values(draw, shape, dt), values(draw, shape, dt)
    cl = draw(st.booleans())
    want = R.max_pool2d_select(v, x, pool_, strides, pads)
    out = np.empty((shape[0], oh, ow, shape[3]), dt)
    return Case(pool.max_pool2d_select,
                dict(v=_layout(v, cl), x=_layout(x, cl), out=_layout(out, cl), ph=pool_[0],
                     pw=pool_[1], sh=strides[0], sw=strides[1], top=pads[0][0],
                     left=pads[1][0], channels_last=cl, n_threads=threads(draw)),
                {'out': _layout(want, cl)}, ['out'], ints=POOL_INTS, flags=['channels_last'],
                shape_free=['x', 'out'], rtol=0, atol=0)


# -- batch normalisation ----------------------------------------------------------------

def _bn_shape(draw):
    a, c = draw(st.integers(1, 300)), draw(st.integers(1, 5))
    b = 1 if draw(st.booleans()) else draw(st.integers(1, 6))
    return a, c, b


def _scratch(a, c, b):
    return np.empty((batchnorm.n_chunks(a), 2, c) if b == 1 else (1, 2, c))


def case_channel_stats(draw):
    dt = floats(draw)
    shape = _bn_shape(draw)
    x = values(draw, shape, dt, specials=draw(st.integers(0, 3)) == 0)
    x64 = x.astype(np.float64)
    with np.errstate(invalid='ignore', over='ignore'):
        want = np.stack([x64.mean(axis=(0, 2)), x64.var(axis=(0, 2))])
    return Case(batchnorm.channel_stats,
                dict(x=x, out=np.empty((2, shape[1])), scratch=_scratch(*shape),
                     n_threads=threads(draw)),
                {'out': want}, ['out', 'scratch'], rtol=1e-6, atol=1e-6,
                shape_free=['x'] + (['scratch'] if shape[2] != 1 else []), any_float=['x'])


def case_backprop_sums(draw):
    dt = floats(draw)
    shape = _bn_shape(draw)
    x, dy = values(draw, shape, dt, specials=False), values(draw, shape, dt)
    mean = x.astype(np.float64).mean(axis=(0, 2))
    with np.errstate(invalid='ignore'):
        want = np.stack([dy.sum(axis=(0, 2), dtype=np.float64),
                         (dy * (x - mean[None, :, None])).sum(axis=(0, 2), dtype=np.float64)])
    return Case(batchnorm.backprop_sums,
                dict(dy=dy, x=x, mean=mean, out=np.empty((2, shape[1])),
                     scratch=_scratch(*shape), n_threads=threads(draw)),
                {'out': want}, ['out', 'scratch'], rtol=1e-5, atol=1e-4,
                shape_free=['scratch'] if shape[2] != 1 else [])


def case_channel_scale_shift(draw):
    dt = floats(draw)
    shape = dims(draw, 3)
    x, a, d = values(draw, shape, dt), values(draw, shape[1:2], dt), values(draw, shape[1:2], dt)
    with np.errstate(invalid='ignore'):
        want = x * a[:, None] + d[:, None]
    rtol, atol = tolerance(dt)
    return Case(batchnorm.channel_scale_shift,
                dict(x=x, a=a, d=d, out=np.empty_like(x), n_threads=threads(draw)),
                {'out': want}, ['out'], rtol=rtol, atol=atol)


def case_channel_affine2(draw):
    dt = floats(draw)
    shape = dims(draw, 3)
    y, x = values(draw, shape, dt), values(draw, shape, dt)
    a, b, d = (values(draw, shape[1:2], dt, specials=False) for _ in range(3))
    with np.errstate(invalid='ignore'):
        want = y * a[:, None] + x * b[:, None] + d[:, None]
    rtol, atol = tolerance(dt)
    return Case(batchnorm.channel_affine2,
                dict(y=y, x=x, a=a, b=b, d=d, out=np.empty_like(x), n_threads=threads(draw)),
                {'out': want}, ['out'], rtol=rtol, atol=atol * 10)


# -- optimizers: the Keras 2.3 formulas, in float64 -------------------------------------

def _optim_case(draw, fn, slots, scalars, option, formula):
    dt = floats(draw)
    n = draw(st.integers(0, 2000))
    param = values(draw, (n,), dt, specials=False)
    slot_values = [np.abs(values(draw, (n,), dt, specials=False)) for _ in slots]
    grad = values(draw, (n,), dt)
    s = [draw(st.floats(0.01, 0.99)) for _ in scalars]
    opt = draw(st.booleans()) if option == 'nesterov' else draw(st.floats(1e-7, 1e-3))
    with np.errstate(invalid='ignore', divide='ignore'):
        want = formula(*(a.astype(np.float64) for a in [param] + slot_values + [grad]), *s, opt)
    args = dict(param=param, **dict(zip(slots, slot_values)), grad=grad,
                **dict(zip(scalars, s)), **{option: opt}, n_threads=threads(draw))
    names = ['param'] + list(slots)
    rtol = 1e-4 if dt == np.float32 else 1e-10
    return Case(fn, args, dict(zip(names, want)), names,
                flags=[option] if option == 'nesterov' else [],
                reals=list(scalars) + ([] if option == 'nesterov' else [option]),
                rtol=rtol, atol=rtol)


def case_sgd_step(draw):
    def f(p, m, g, lr, mu, nesterov):
        v = mu * m - lr * g
        return [p + mu * v - lr * g if nesterov else p + v, v]
    return _optim_case(draw, optim.sgd_step, ('moment',), ('lr', 'momentum'), 'nesterov', f)


def case_adam_step(draw):
    def f(p, m, v, g, lr, b1, b2, eps):
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        return [p - lr * m / (np.sqrt(v) + eps), m, v]
    return _optim_case(draw, optim.adam_step, ('m', 'v'), ('lr_t', 'beta_1', 'beta_2'),
                       'epsilon', f)


def case_amsgrad_step(draw):
    def f(p, m, v, vh, g, lr, b1, b2, eps):
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        vh = np.maximum(vh, v)
        return [p - lr * m / (np.sqrt(vh) + eps), m, v, vh]
    return _optim_case(draw, optim.amsgrad_step, ('m', 'v', 'vhat'),
                       ('lr_t', 'beta_1', 'beta_2'), 'epsilon', f)


def case_rmsprop_step(draw):
    def f(p, a, g, lr, rho, eps):
        a = rho * a + (1 - rho) * g * g
        return [p - lr * g / (np.sqrt(a) + eps), a]
    return _optim_case(draw, optim.rmsprop_step, ('accum',), ('lr', 'rho'), 'epsilon', f)


def case_adagrad_step(draw):
    def f(p, a, g, lr, eps):
        a = a + g * g
        return [p - lr * g / (np.sqrt(a) + eps), a]
    return _optim_case(draw, optim.adagrad_step, ('accum',), ('lr',), 'epsilon', f)


# -- matrix product ---------------------------------------------------------------------

def case_gemm(draw):
    dt = floats(draw)
    m, k, n = dims(draw, 3, 0, 40)
    ta, tb = draw(st.booleans()), draw(st.booleans())
    a = values(draw, (k, m) if ta else (m, k), dt, specials=False)
    b = values(draw, (n, k) if tb else (k, n), dt, specials=False)
    want = (a.T if ta else a).astype(np.float64) @ (b.T if tb else b).astype(np.float64)
    rtol, atol = tolerance(dt)
    return Case(linalg.gemm, dict(a=a, ta=ta, b=b, tb=tb, out=np.empty((m, n), dt),
                                  n_threads=threads(draw)),
                {'out': want}, ['out'], flags=['ta', 'tb'], rtol=rtol, atol=atol * (1 + k) * 10)


# -- losses -----------------------------------------------------------------------------

def _logits(draw, dt):
    rows, cols = draw(st.integers(0, 8)), draw(st.integers(0, 40))
    return values(draw, (rows, cols), dt, specials=draw(st.integers(0, 4)) == 0)


def _loss_tol(dt):
    return (1e-4, 1e-4) if dt == np.float32 else (1e-9, 1e-9)


def case_softmax_ce_forward(draw):
    dt = floats(draw)
    x = _logits(draw, dt)
    t = np.abs(values(draw, x.shape, dt, specials=False))
    with np.errstate(invalid='ignore', over='ignore', divide='ignore'):
        want = R.softmax_cross_entropy(t.astype(np.float64), x.astype(np.float64)) \
            if x.shape[1] else np.zeros(x.shape[0])
    rtol, atol = _loss_tol(dt)
    return Case(losses.softmax_ce_forward, dict(t=t, x=x, loss=np.empty(x.shape[0], dt),
                                                n_threads=threads(draw)),
                {'loss': want}, ['loss'], rtol=rtol, atol=atol * 100)


def case_softmax_ce_backprop(draw):
    dt = floats(draw)
    x = _logits(draw, dt)
    t = np.abs(values(draw, x.shape, dt, specials=False))
    g = values(draw, x.shape[:1], dt, specials=False)
    with np.errstate(invalid='ignore', over='ignore', divide='ignore'):
        want = R.softmax_cross_entropy_backprop(t.astype(np.float64), x.astype(np.float64), g) \
            if x.shape[1] else x
    rtol, atol = _loss_tol(dt)
    return Case(losses.softmax_ce_backprop,
                dict(t=t, x=x, g=g, dx=np.empty_like(x), n_threads=threads(draw)),
                {'dx': want}, ['dx'], rtol=rtol, atol=atol * 100)


def case_sparse_softmax_ce_forward(draw):
    dt = floats(draw)
    x = _logits(draw, dt)
    assume(x.shape[1] > 0)
    labels = np.random.default_rng(draw(st.integers(0, 99))).integers(
        0, max(x.shape[1], 1), x.shape[0])
    with np.errstate(invalid='ignore', over='ignore', divide='ignore'):
        want = R.sparse_softmax_cross_entropy(labels, x.astype(np.float64))
    rtol, atol = _loss_tol(dt)
    return Case(losses.sparse_softmax_ce_forward,
                dict(labels=labels, x=x, loss=np.empty(x.shape[0], dt), n_threads=threads(draw)),
                {'loss': want}, ['loss'], shape_free=['x'], rtol=rtol, atol=atol * 100)


def case_sparse_softmax_ce_backprop(draw):
    dt = floats(draw)
    x = _logits(draw, dt)
    assume(x.shape[1] > 0)
    labels = np.random.default_rng(draw(st.integers(0, 99))).integers(
        0, max(x.shape[1], 1), x.shape[0])
    g = values(draw, x.shape[:1], dt, specials=False)
    with np.errstate(invalid='ignore', over='ignore', divide='ignore'):
        want = R.sparse_softmax_cross_entropy_backprop(labels, x.astype(np.float64), g)
    rtol, atol = _loss_tol(dt)
    return Case(losses.sparse_softmax_ce_backprop,
                dict(labels=labels, x=x, g=g, dx=np.empty_like(x), n_threads=threads(draw)),
                {'dx': want}, ['dx'], rtol=rtol, atol=atol * 100)


def case_sigmoid_ce_forward(draw):
    dt = floats(draw)
    x = values(draw, (draw(st.integers(0, 5000)),), dt)
    z = values(draw, x.shape, dt, specials=False, low=0, high=1)
    with np.errstate(invalid='ignore', over='ignore'):
        want = R.sigmoid_cross_entropy(z.astype(np.float64), x.astype(np.float64))
    rtol, atol = _loss_tol(dt)
    return Case(losses.sigmoid_ce_forward,
                dict(z=z, x=x, out=np.empty_like(x), n_threads=threads(draw)),
                {'out': want}, ['out'], rtol=rtol, atol=atol)


def case_sigmoid_ce_backprop(draw):
    dt = floats(draw)
    x = values(draw, (draw(st.integers(0, 5000)),), dt)
    z = values(draw, x.shape, dt, specials=False, low=0, high=1)
    g = values(draw, x.shape, dt, specials=False)
    with np.errstate(invalid='ignore', over='ignore'):
        want = R.sigmoid_cross_entropy_backprop(z.astype(np.float64), x.astype(np.float64), g)
    rtol, atol = _loss_tol(dt)
    return Case(losses.sigmoid_ce_backprop,
                dict(z=z, x=x, g=g, dx=np.empty_like(x), n_threads=threads(draw)),
                {'dx': want}, ['dx'], rtol=rtol, atol=atol)


def case_fast_exp(draw):
    dt = floats(draw)
    x = values(draw, (draw(st.integers(0, 100)),), dt, low=-80, high=80)
    with np.errstate(over='ignore'):
        want = np.exp(x)
    return Case(losses.fast_exp, dict(x=x, out=np.empty_like(x)), {'out': want}, ['out'],
                rtol=1e-5 if dt == np.float32 else 1e-12, atol=0)


# -- image warps ------------------------------------------------------------------------

def case_affine_warp(draw):
    dt = floats(draw)
    n, h, w, c = draw(st.integers(0, 2)), *dims(draw, 3, 1, 5)
    x = values(draw, (n, h, w, c), dt, specials=False)
    rng = np.random.default_rng(draw(st.integers(0, 99)))
    m = rng.uniform(-2, 2, (draw(st.sampled_from([1, max(n, 1)])), 2, 3))
    if n == 0:
        m = m[:1]
    mode, order = draw(st.integers(0, 3)), draw(st.integers(0, 1))
    cval = draw(st.floats(-1, 1))
    cl = draw(st.booleans())
    want = R.affine_warp(x, m, ('constant', 'nearest', 'reflect', 'wrap')[mode], cval, order,
                         True) if n else x.copy()
    rtol, atol = tolerance(dt)
    return Case(image.affine_warp,
                dict(x=_layout(x, cl), matrices=m, out=_layout(np.empty_like(x), cl), mode=mode,
                     cval=cval, order=order, channels_last=cl, n_threads=threads(draw)),
                {'out': _layout(want, cl)}, ['out'],
                ints={'mode': BAD_INTS + [4], 'order': BAD_INTS + [2]},
                flags=['channels_last'], reals=['cval'], rtol=rtol, atol=atol * 10)


# -- convolutions -----------------------------------------------------------------------

def _conv_geometry(draw, depthwise):
    n, h, w, c = draw(st.integers(0, 2)), *dims(draw, 3, 1, 6)
    kh, kw = draw(st.integers(1, h + 1)), draw(st.integers(1, w + 1))
    o = draw(st.integers(1, 4))
    strides, dilation = dims(draw, 2, 1, 2), dims(draw, 2, 1, 2)
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    span = [(k - 1) * d + 1 for k, d in zip((kh, kw), dilation)]
    assume(all(s <= e + sum(p) for s, e, p in zip(span, (h, w), pads)))
    return (n, h, w, c), (kh, kw, c, o), strides, pads, dilation


def _to_core(a, nchw):
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2)) if nchw else a


CONV_BAD = [(1.5, 1), (0, 1), (True, 1), (2 ** 40, 1), (1,), None, 'ab', (-1, 1)]


def _conv_case(draw, name, kind):
    depthwise = name.startswith('depthwise')
    dt = floats(draw)
    xs, ks, strides, pads, dilation = _conv_geometry(draw, depthwise)
    x = values(draw, xs, dt, specials=draw(st.integers(0, 4)) == 0)
    k = values(draw, ks, dt, specials=False)
    ref = getattr(R, name + '_forward')
    y = ref(x.astype(np.float64), k.astype(np.float64), strides, pads, dilation)
    nchw = draw(st.booleans())
    rtol, atol = tolerance(dt)
    common = dict(strides=strides, pads=pads, dilation=dilation, nchw=nchw,
                  n_threads=threads(draw))
    fn = getattr(conv, f'{name}_{kind}')
    if kind == 'forward':
        bias = values(draw, (y.shape[3],), dt, specials=False) if draw(st.booleans()) else None
        want = y + (bias if bias is not None else 0)
        args = dict(x=_to_core(x, nchw), kernel=k, bias=bias,
                    out=_to_core(np.empty(y.shape, dt), nchw), **common)
        expect = {'out': _to_core(want, nchw)}
    else:
        g = values(draw, y.shape, dt, specials=False)
        if kind == 'backprop_input':
            want = getattr(R, name + '_backprop_input')(g, k, xs, strides, pads, dilation)
            args = dict(grad=_to_core(g, nchw), kernel=k,
                        out=_to_core(np.empty(xs, dt), nchw), **common)
            expect = {'out': _to_core(want, nchw)}
        else:
            x = values(draw, xs, dt, specials=False)
            want = getattr(R, name + '_backprop_kernel')(x, g, ks, strides, pads, dilation)
            args = dict(x=_to_core(x, nchw), grad=_to_core(g, nchw), out=np.empty(ks, dt),
                        **common)
            expect = {'out': want}
    # the kernels need only that every window fits: other shapes may be taken
    case = Case(fn, args, expect, ['out'], flags=['nchw'], rtol=rtol * 10,
                atol=atol * 10 * (1 + x.size), shape_free=[n for n in args if n != 'bias'])
    bad = draw(st.sampled_from(['', 'strides', 'dilation', 'pads']))
    if bad:
        args[bad] = draw(st.sampled_from(CONV_BAD + ([((1.5, 0), (0, 0))] if bad == 'pads'
                                                      else [])))
        case.expect = {}     # must raise, naming it
        case.check = _raises_only
    return case


def _raises_only(got):
    raise AssertionError('a spoilt geometry was accepted')


def case_conv(draw):
    name = draw(st.sampled_from(['conv2d', 'depthwise_conv2d']))
    kind = draw(st.sampled_from(['forward', 'backprop_input', 'backprop_kernel']))
    return _conv_case(draw, name, kind)


# -- thread counts and team setup --------------------------------------------------------

@given(st.sampled_from(BAD_THREADS))
def test_openmp_thread_counts(n):
    for fn, name in ((_openmp.set_num_threads, r'\bn\b'),
                     (_openmp.worker_flush_states, 'n_threads'),
                     (_openmp._apply_flush, 'n_threads')):
        with pytest.raises((TypeError, ValueError), match=name):
            fn(n)


for _build in [case_relu_forward, case_relu_backprop, case_bias_add_forward,
               case_bias_add_relu_backprop, case_channel_sum, case_dropout_forward,
               case_stream_start, case_pool2d_forward, case_pool2d_backprop,
               case_max_pool2d_select, case_channel_stats, case_backprop_sums,
               case_channel_scale_shift, case_channel_affine2, case_sgd_step, case_adam_step,
               case_amsgrad_step, case_rmsprop_step, case_adagrad_step, case_gemm,
               case_softmax_ce_forward, case_softmax_ce_backprop,
               case_sparse_softmax_ce_forward, case_sparse_softmax_ce_backprop,
               case_sigmoid_ce_forward, case_sigmoid_ce_backprop, case_fast_exp,
               case_affine_warp, case_conv]:
    globals()['test_' + _build.__name__[len('case_'):]] = kernel_test(_build)
