"""Property tests over the K API (issue 12).

Hypothesis draws shapes (zero-length dims included; placeholders with None
dims), dtypes, NaN/inf, hostile ints and bad axes.  Every call either
returns numpy's result or raises ValueError/TypeError naming the function
or argument at fault (IndexError for an out-of-range gather index, as
numpy's take): never another exception, a wrong value or a crash.

Examples per test: the `ci` profile by default, `KBACK_HYPOTHESIS_PROFILE=long`
for many more (tests/backend/conftest.py).  Run with -s to see the count.
"""
import collections
import warnings

import numpy as np
import pytest

pytest.importorskip('hypothesis')
from hypothesis import given, note, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from kback import backend as K

try:
    from numpy.lib.array_utils import normalize_axis_index
except ImportError:     # numpy < 2
    from numpy.core.multiarray import normalize_axis_index

CASES = collections.Counter()
REFUSED = collections.Counter()

FLOATS = ('float32', 'float64')
INTS = ('int32', 'int64')
# Never an int: refused wherever K takes an axis, a size or a count.
NOT_INTS = [1.5, '1', 'x', True, np.float64(2.0), None]


@pytest.fixture(scope='module', autouse=True)
def _count_cases():
    yield
    print(f'\nK property cases run: {sum(CASES.values())} {dict(sorted(CASES.items()))}; '
          f'refused with a named argument: {sum(REFUSED.values())} {dict(sorted(REFUSED.items()))}')


# -- strategies ------------------------------------------------------------------------

def shapes(min_rank=0, max_rank=4):
    return st.lists(st.integers(0, 4), min_size=min_rank, max_size=max_rank).map(tuple)


def elements(dtype, special=True):
    if dtype in FLOATS:
        # No subnormals: a K.function flushes them to zero while it runs, as TF does.
        finite = st.floats(-1e3, 1e3, width=32, allow_subnormal=False)
        return finite | st.sampled_from([np.nan, np.inf, -np.inf, 0.0]) if special else finite
    return st.integers(-1000, 1000)


@st.composite
def arrays(draw, dtypes=FLOATS + INTS, shape=None, min_rank=0, special=True):
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(shapes(min_rank)) if shape is None else shape
    return draw(hnp.arrays(dtype, shape, elements=elements(dtype, special)))


@st.composite
def statics(draw, shape):
    """A placeholder's shape for arrays of `shape`: some dims unknown."""
    return tuple(None if draw(st.booleans()) else d for d in shape)


def axes(ndim, allow_none=True, allow_list=True):
    options = [st.integers(-ndim - 1, ndim), st.sampled_from(NOT_INTS[:-1])]
    if allow_none:
        options.append(st.none())
    if allow_list:
        options.append(st.lists(st.integers(-ndim - 1, ndim), max_size=3))
    return st.one_of(*options)


# -- running and comparing --------------------------------------------------------------

def f32(a):
    """What K's float maths computes on: floats as they are, ints in floatx."""
    return a if a.dtype.kind == 'f' else a.astype(np.float32)


def np_axes(axis, ndim):
    """K's reading of a reduction axis in numpy terms (None: all; a list:
    unique axes), raising as numpy does for an axis out of range."""
    if axis is None:
        return None
    listed = axis if isinstance(axis, list) else [axis]
    return tuple(sorted({normalize_axis_index(a, ndim) for a in listed}))


def is_bad_int(value):
    """One of NOT_INTS other than None (which means all axes to a reduction)."""
    return any(value is bad or (type(value) is type(bad) and value == bad)
               for bad in NOT_INTS[:-1])


def evaluate(build, arrays, statics_):
    holders = [K.placeholder(s, dtype=a.dtype.name) for a, s in zip(arrays, statics_)]
    out = build(*holders)
    with np.errstate(all='ignore'):
        return K.function(holders, [out])(list(arrays))[0]


def check(kind, build, reference, arrays, statics_, names, must_refuse=False,
          may_refuse=False, errors=(ValueError, TypeError), rtol=1e-4):
    """build on placeholders, fed `arrays`, against reference(*arrays).  A
    refusal must be one of `errors` whose message holds one of `names`, and
    is right only where numpy refuses too (or must_refuse / may_refuse)."""
    CASES[kind] += 1
    note(f'arrays: {[(a.dtype, a.shape) for a in arrays]} statics: {statics_}')
    expected = refused = None
    if not must_refuse:
        try:
            with np.errstate(all='ignore'), warnings.catch_warnings():
                warnings.simplefilter('ignore', RuntimeWarning)   # np.var of nothing
                expected = reference(*arrays)
        except Exception as e:      # numpy refuses: K must too
            refused = e
    try:
        got = evaluate(build, arrays, statics_)
    except errors as e:
        message = str(e)
        assert any(n in message for n in names), f'{type(e).__name__} names none of {names}: {e}'
        assert must_refuse or may_refuse or refused is not None, f'K refused what numpy computes: {e}'
        REFUSED[kind] += 1
        return
    assert not must_refuse, f'K accepted a bad argument: {got!r}'
    assert refused is None, f'K computed {got!r} where numpy raised {refused!r}'
    same(got, expected, rtol)


def same(got, expected, rtol=1e-4):
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if got.dtype.kind in 'biu' and expected.dtype.kind in 'biu':
        # Integer results keep the tensor's dtype (TF wraps as numpy's casts do).
        np.testing.assert_array_equal(got, expected.astype(got.dtype))
        return
    e = expected.astype(np.float64)
    finite = np.isfinite(e)
    scale = np.max(np.abs(e[finite]), initial=1.0)
    np.testing.assert_allclose(got.astype(np.float64), e, rtol=rtol, atol=rtol * scale,
                               equal_nan=True)


# -- elementwise --------------------------------------------------------------------------

UNARY = {
    'abs': (K.abs, np.abs), 'square': (K.square, np.square), 'sign': (K.sign, np.sign),
    'round': (K.round, np.round), 'neg': (lambda x: -x, np.negative),
    'exp': (K.exp, lambda a: np.exp(f32(a))), 'log': (K.log, lambda a: np.log(f32(a))),
    'sqrt': (K.sqrt, lambda a: np.sqrt(np.maximum(f32(a), 0))),
    'sin': (K.sin, lambda a: np.sin(f32(a))), 'cos': (K.cos, lambda a: np.cos(f32(a))),
    'tanh': (K.tanh, lambda a: np.tanh(f32(a))),
    'sigmoid': (K.sigmoid, lambda a: 1 / (1 + np.exp(-f32(a)))),
    'softplus': (K.softplus, lambda a: np.logaddexp(0, f32(a))),
    'softsign': (K.softsign, lambda a: f32(a) / (1 + np.abs(f32(a)))),
    'relu': (K.relu, lambda a: np.maximum(f32(a), 0)),
    'elu': (K.elu, lambda a: np.where(f32(a) > 0, f32(a), np.expm1(np.minimum(f32(a), 0)))),
    'hard_sigmoid': (K.hard_sigmoid, lambda a: np.clip(0.2 * f32(a) + 0.5, 0, 1)),
    'l2_normalize': (lambda x: K.l2_normalize(x, axis=-1),
                     lambda a: f32(a) / np.sqrt(np.maximum(
                         np.sum(np.square(f32(a)), -1, keepdims=True), 1e-12))),
}


@given(st.sampled_from(sorted(UNARY)), st.data())
def test_unary(name, data):
    a = data.draw(arrays(min_rank=1 if name == 'l2_normalize' else 0))
    build, reference = UNARY[name]
    check('unary', build, reference, [a], [data.draw(statics(a.shape))], [name])


def _divide(a, b):
    if a.dtype.kind != 'f' and b.dtype.kind != 'f':
        a, b = f32(a), f32(b)
    return np.true_divide(a, b)


BINARY = {
    'add': (K.add if hasattr(K, 'add') else (lambda x, y: x + y), np.add),
    'sub': (lambda x, y: x - y, np.subtract), 'mul': (lambda x, y: x * y, np.multiply),
    'div': (lambda x, y: x / y, _divide), 'pow': (K.pow, np.power),
    'maximum': (K.maximum, np.maximum), 'minimum': (K.minimum, np.minimum),
    'equal': (K.equal, np.equal), 'not_equal': (K.not_equal, np.not_equal),
    'greater': (K.greater, np.greater), 'less_equal': (K.less_equal, np.less_equal),
}


@st.composite
def pairs(draw):
    """Two shapes: equal, broadcastable (dims set to 1, leading dims dropped) or not."""
    a = draw(shapes())
    how = draw(st.sampled_from(['same', 'broadcast', 'any']))
    if how == 'same':
        b = a
    elif how == 'broadcast':
        b = tuple(1 if draw(st.booleans()) else d for d in a)[draw(st.integers(0, len(a))):]
    else:
        b = draw(shapes())
    return a, b


@given(st.sampled_from(sorted(BINARY)), pairs(), st.data())
def test_binary_broadcasting(name, shape_pair, data):
    x = data.draw(arrays(shape=shape_pair[0]))
    y = data.draw(arrays(dtypes=(x.dtype.name,) if name == 'pow' else FLOATS + INTS,
                         shape=shape_pair[1]))
    build, reference = BINARY[name]
    check('binary', build, reference, [x, y],
          [data.draw(statics(x.shape)), data.draw(statics(y.shape))], [name])


# -- reductions, scans, softmax -----------------------------------------------------------

def _np_reduce(fn, cast=False):
    def reference(a, axis, keepdims):
        return fn(f32(a) if cast else a, axis=np_axes(axis, a.ndim), keepdims=keepdims)
    return reference


def _logsumexp(a, axis, keepdims):
    a = f32(a)
    ax = np_axes(axis, a.ndim)
    top = np.max(a, axis=ax, keepdims=True)     # numpy refuses zero-length axes here
    top = np.where(np.isfinite(top), top, 0)
    out = np.log(np.sum(np.exp(a - top), axis=ax, keepdims=True)) + top
    return out if keepdims else np.squeeze(out, axis=ax)


REDUCTIONS = {
    'sum': (K.sum, _np_reduce(np.sum)), 'prod': (K.prod, _np_reduce(np.prod)),
    'max': (K.max, _np_reduce(np.max)), 'min': (K.min, _np_reduce(np.min)),
    'mean': (K.mean, _np_reduce(np.mean, cast=True)),
    'var': (K.var, _np_reduce(np.var, cast=True)), 'std': (K.std, _np_reduce(np.std, cast=True)),
    'any': (K.any, _np_reduce(np.any)), 'all': (K.all, _np_reduce(np.all)),
    'logsumexp': (K.logsumexp, _logsumexp),
}


@given(st.sampled_from(sorted(REDUCTIONS)), st.booleans(), st.data())
def test_reductions(name, keepdims, data):
    a = data.draw(arrays())
    axis = data.draw(axes(a.ndim))
    fn, reference = REDUCTIONS[name]
    bad = is_bad_int(axis) or isinstance(axis, list) and any(is_bad_int(v) for v in axis)
    check('reduce', lambda x: fn(x, axis=axis, keepdims=keepdims),
          lambda a: reference(a, axis, keepdims), [a], [data.draw(statics(a.shape))],
          ['axis', name, 'max'], must_refuse=bad,
          # numpy takes axis 0 or -1 of a 0-d array; K (as TF) says a scalar has no axes
          may_refuse=a.ndim == 0 and not (axis is None or isinstance(axis, list) and not axis))


def _softmax(a, axis):
    a = f32(a)
    e = np.exp(a - np.max(a, axis=axis, keepdims=True, initial=-np.inf))
    return e / np.sum(e, axis=axis, keepdims=True)


SCANS = {
    'argmax': (K.argmax, lambda a, axis: np.argmax(a, axis=axis)),
    'argmin': (K.argmin, lambda a, axis: np.argmin(a, axis=axis)),
    'cumsum': (K.cumsum, lambda a, axis: np.cumsum(a, axis=axis)),
    'cumprod': (K.cumprod, lambda a, axis: np.cumprod(a, axis=axis)),
    'softmax': (K.softmax, _softmax),
}


@given(st.sampled_from(sorted(SCANS)), st.data())
def test_one_axis_functions(name, data):
    a = data.draw(arrays(min_rank=1))
    axis = data.draw(axes(a.ndim, allow_none=False, allow_list=False) | st.none())
    fn, reference = SCANS[name]
    check('axis', lambda x: fn(x, axis), lambda a: reference(a, axis), [a],
          [data.draw(statics(a.shape))], ['axis', name], must_refuse=axis is None or is_bad_int(axis))


# -- shapes -------------------------------------------------------------------------------

def int_or_bad(low, high):
    return st.integers(low, high) | st.sampled_from(NOT_INTS[:-1])


@given(st.data())
def test_reshape(data):
    a = data.draw(arrays())
    target = data.draw(st.lists(int_or_bad(-1, 6) | st.sampled_from([a.size]), max_size=4))
    bad = any(is_bad_int(d) for d in target)
    check('shape', lambda x: K.reshape(x, target), lambda a: a.reshape(target), [a],
          [data.draw(statics(a.shape))], ['reshape'], must_refuse=bad)


@given(st.data())
def test_permute_dimensions(data):
    a = data.draw(arrays())
    pattern = data.draw(st.permutations(range(a.ndim)).map(list)
                        | st.lists(int_or_bad(0, 4), max_size=4))
    bad = any(is_bad_int(d) for d in pattern)
    check('shape', lambda x: K.permute_dimensions(x, pattern),
          lambda a: np.transpose(a, pattern), [a], [data.draw(statics(a.shape))],
          ['permute_dimensions', 'pattern'], must_refuse=bad)


@given(st.data())
def test_expand_squeeze_reverse_flatten(data):
    a = data.draw(arrays())
    axis = data.draw(int_or_bad(-a.ndim - 2, a.ndim + 1))
    bad = is_bad_int(axis)
    static = data.draw(statics(a.shape))
    check('shape', lambda x: K.expand_dims(x, axis), lambda a: np.expand_dims(a, axis), [a],
          [static], ['expand_dims', 'axis'], must_refuse=bad)
    check('shape', lambda x: K.squeeze(x, axis), lambda a: np.squeeze(a, axis), [a],
          [static], ['squeeze', 'axis'], must_refuse=bad, may_refuse=a.ndim == 0)
    check('shape', lambda x: K.reverse(x, axis), lambda a: np.flip(a, axis), [a],
          [static], ['reverse', 'axes'], must_refuse=bad)
    check('shape', K.flatten, lambda a: a.reshape(-1), [a], [static], ['reshape'])
    check('shape', K.batch_flatten, lambda a: a.reshape(a.shape[0], int(np.prod(a.shape[1:]))),
          [a], [static], ['batch_flatten'])


@given(st.data())
def test_concatenate_and_stack(data):
    a = data.draw(arrays())
    b = data.draw(arrays(dtypes=(a.dtype.name,),
                         shape=data.draw(st.just(a.shape) | shapes(len(a.shape), len(a.shape))
                                         | shapes())))
    axis = data.draw(int_or_bad(-a.ndim - 1, a.ndim))
    bad = is_bad_int(axis)
    statics_ = [data.draw(statics(a.shape)), data.draw(statics(b.shape))]
    check('shape', lambda x, y: K.concatenate([x, y], axis),
          lambda a, b: np.concatenate([a, b], axis), [a, b], statics_, ['concatenate', 'axis'],
          must_refuse=bad or a.ndim == 0)
    check('shape', lambda x, y: K.stack([x, y], axis), lambda a, b: np.stack([a, b], axis),
          [a, b], statics_, ['stack', 'axis'], must_refuse=bad)


@given(st.data())
def test_repeat_elements_and_tile(data):
    a = data.draw(arrays(min_rank=1))
    rep = data.draw(int_or_bad(-1, 3))
    axis = data.draw(int_or_bad(-a.ndim - 1, a.ndim))
    static = data.draw(statics(a.shape))
    check('shape', lambda x: K.repeat_elements(x, rep, axis), lambda a: np.repeat(a, rep, axis),
          [a], [static], ['repeat_elements', 'rep', 'axis'],
          must_refuse=is_bad_int(rep) or is_bad_int(axis) or rep < 1)   # Keras refuses rep 0
    reps = data.draw(st.lists(int_or_bad(-1, 3), max_size=a.ndim))
    bad = any(is_bad_int(r) for r in reps)
    # numpy tiles an empty array -1 times; K (as TF) refuses negative counts.
    check('shape', lambda x: K.tile(x, reps), lambda a: np.tile(a, reps), [a], [static],
          ['tile', 'n'], must_refuse=bad, may_refuse=not bad and any(r < 0 for r in reps))


@given(st.data())
def test_gather_and_one_hot(data):
    a = data.draw(arrays(min_rank=1))
    idx = data.draw(arrays(dtypes=INTS, special=False))
    idx = np.clip(idx, -a.shape[0] - 1, a.shape[0] + 1)
    check('index', K.gather, lambda a, i: np.take(a, i, axis=0), [a, idx],
          [data.draw(statics(a.shape)), data.draw(statics(idx.shape))], ['gather'],
          errors=(ValueError, TypeError, IndexError))
    n = data.draw(int_or_bad(0, 4))
    check('index', lambda i: K.one_hot(i, n),
          lambda i: (i[..., None] == np.arange(n)).astype(np.float32), [idx],
          [data.draw(statics(idx.shape))], ['one_hot', 'num_classes'],
          must_refuse=is_bad_int(n) or n == 0)


# -- pooling ----------------------------------------------------------------------------------

def _pool_reference(a, pool, strides, padding, mode):
    """Pooling of an NHWC array with TF's 'same' split; avg over real pixels."""
    n, c = a.shape[0], a.shape[3]
    outs, pads = [], []
    for length, k, s in zip(a.shape[1:3], pool, strides):
        out = (length - k) // s + 1 if padding == 'valid' else -(-length // s)
        if out < 1 or k < 1 or s < 1:
            raise ValueError('window larger than the input')
        total = max((out - 1) * s + k - length, 0)
        outs.append(out)
        pads.append((total // 2, total - total // 2))
    fill = -np.inf if mode == 'max' else 0
    padded = np.pad(a.astype(np.float64), ((0, 0), pads[0], pads[1], (0, 0)),
                    constant_values=fill)
    real = np.pad(np.ones(a.shape[1:3]), pads)
    result = np.zeros((n, outs[0], outs[1], c))
    for i in range(outs[0]):
        for j in range(outs[1]):
            rows = slice(i * strides[0], i * strides[0] + pool[0])
            cols = slice(j * strides[1], j * strides[1] + pool[1])
            window = padded[:, rows, cols, :]
            if mode == 'max':
                result[:, i, j] = window.max(axis=(1, 2), initial=-np.inf)
            else:
                result[:, i, j] = window.sum(axis=(1, 2)) / real[rows, cols].sum()
    return result


def window_args(data, n, low):
    """n window arguments: valid ints mostly, a hostile value (0, a float, a
    bool, a string) in one case of four."""
    if data.draw(st.integers(0, 3)):
        return data.draw(st.tuples(*[st.integers(max(low, 1), 2)] * n))
    return data.draw(st.tuples(*[int_or_bad(low, 3)] * n))


def nhwc(data, dtypes, min_spatial):
    shape = data.draw(st.tuples(st.integers(0, 3), st.integers(min_spatial, 5),
                                st.integers(min_spatial, 5), st.integers(0, 3)))
    return data.draw(arrays(dtypes=dtypes, shape=shape, special=False))


@given(st.data())
def test_pool2d(data):
    # NaN in max pooling is the kernels' part of issue 12 (and its own tests).
    a = nhwc(data, FLOATS, min(data.draw(st.integers(0, 3)), 1))
    pool = window_args(data, 2, 0)
    strides = window_args(data, 2, 0)
    padding = data.draw(st.sampled_from(['valid', 'same']))
    mode = data.draw(st.sampled_from(['max', 'avg']))
    bad = any(is_bad_int(v) for v in pool + strides)
    # 'same' on a zero-length axis has nothing to pool: refused like a window too large.
    check('pool', lambda x: K.pool2d(x, pool, strides, padding, 'channels_last', mode),
          lambda a: _pool_reference(a, pool, strides, padding, mode), [a],
          [data.draw(statics(a.shape))], ['pool2d', 'pool_size', 'strides'], must_refuse=bad,
          may_refuse=0 in a.shape[1:3], rtol=1e-5)


def _conv_reference(a, kernel, strides, padding, dilation):
    """NHWC convolution with TF's 'same' split, one einsum per output pixel."""
    spans = [(k - 1) * d + 1 for k, d in zip(kernel.shape[:2], dilation)]
    outs, pads = [], []
    for length, span, s in zip(a.shape[1:3], spans, strides):
        out = (length - span) // s + 1 if padding == 'valid' else -(-length // s)
        if out < 1 or length == 0:
            raise ValueError('window larger than the input')
        total = max((out - 1) * s + span - length, 0)
        outs.append(out)
        pads.append((total // 2, total - total // 2))
    padded = np.pad(a.astype(np.float64), ((0, 0), pads[0], pads[1], (0, 0)))
    result = np.zeros((a.shape[0], outs[0], outs[1], kernel.shape[3]))
    for i in range(outs[0]):
        for j in range(outs[1]):
            patch = padded[:, i * strides[0]:i * strides[0] + spans[0]:dilation[0],
                           j * strides[1]:j * strides[1] + spans[1]:dilation[1], :]
            result[:, i, j] = np.einsum('npqc,pqco->no', patch, kernel)
    return result


@given(st.data())
def test_conv2d(data):
    dtype = data.draw(st.sampled_from(FLOATS))
    a = nhwc(data, (dtype,), min(data.draw(st.integers(0, 3)), 1))
    kshape = data.draw(st.tuples(st.integers(1, 2), st.integers(1, 3))) + \
        (a.shape[3], data.draw(st.integers(0, 3)))
    kernel = data.draw(arrays(dtypes=(dtype,), shape=kshape, special=False))
    strides = window_args(data, 2, 0)
    dilation = window_args(data, 2, 1)
    padding = data.draw(st.sampled_from(['valid', 'same']))
    bad = any(is_bad_int(v) for v in strides + dilation) or min(strides) < 1
    check('conv', lambda x, k: K.conv2d(x, k, strides, padding, 'channels_last', dilation),
          lambda a, k: _conv_reference(a, k, strides, padding, dilation), [a, kernel],
          [data.draw(statics(a.shape)), kernel.shape], ['conv2d', 'strides', 'dilation'],
          must_refuse=bad, may_refuse=0 in a.shape[1:3], rtol=1e-4)


# -- placeholders and feeds ------------------------------------------------------------------

@given(st.lists(st.none() | st.integers(-3, 4) | st.sampled_from(NOT_INTS[:-1]), max_size=4))
def test_placeholder_shapes(shape):
    CASES['placeholder'] += 1
    valid = all(d is None or (not is_bad_int(d) and d >= 0) for d in shape)
    try:
        x = K.placeholder(tuple(shape))
    except ValueError as e:
        assert not valid and 'placeholder: shape' in str(e), str(e)
        REFUSED['placeholder'] += 1
        return
    assert valid and K.int_shape(x) == tuple(shape)


HOSTILE = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 65, 2 ** 65),
                    st.sampled_from([2 ** 31, -2 ** 31 - 1, 2 ** 40, 255, 256, -1, 2 ** 63]),
                    st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=False),
                    st.sampled_from([1.5, -0.5, 3.0, 'a', '1', b'x', 1j]),
                    st.lists(st.integers(-300, 300), min_size=1, max_size=3))


@given(st.sampled_from(['float32', 'float64', 'int32', 'int64', 'uint8', 'int8', 'bool']),
       HOSTILE)
def test_feeds(dtype, value):
    """A fed value is taken when the placeholder's dtype holds it (floats take
    any number, rounded), else refused naming the input."""
    CASES['feed'] += 1
    array = np.asarray(value)
    x = K.placeholder(array.shape, dtype=dtype)
    f = K.function([x], [K.identity(x)])
    numeric = array.dtype.kind in 'biuf'
    with np.errstate(all='ignore'):
        cast = array.astype(dtype) if numeric else None
    if numeric and np.dtype(dtype).kind == 'f':
        keeps = not np.any(np.isfinite(array) & ~np.isfinite(cast))     # rounded, in range
        # A K.function flushes subnormals to zero while it runs, as TF does.
        cast = np.where(np.abs(cast) < np.finfo(dtype).tiny, 0, cast)
    else:
        keeps = numeric and np.array_equal(cast, array)
    try:
        got = f([value])[0]
    except (ValueError, TypeError) as e:
        assert not keeps, f'{value!r} refused for {dtype}: {e}'
        assert f"input '{x.name}'" in str(e), str(e)
        REFUSED['feed'] += 1
        return
    assert keeps, f'{value!r} fed for {dtype} became {got!r}'
    np.testing.assert_array_equal(got, cast)
