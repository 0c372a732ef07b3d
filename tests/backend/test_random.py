"""K.random_*: shapes, dtypes, moments, seeding, run-time shapes, errors."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend.ops import OPS

N = 200_000          # samples for the moment checks
SHAPE = (400, 500)
# Truncated at 2 stddev: std = sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)).
TRUNC_STD = 0.8796256610342398


def draw(fn, *args, **kwargs):
    return K.eval(fn(*args, **kwargs))


def close(value, expected, sigma, n=N, k=6):
    """|value - expected| within k standard errors of a mean of n samples."""
    assert abs(value - expected) < k * sigma / np.sqrt(n), (value, expected)


# -- shapes and dtypes -----------------------------------------------------------

RANDOM_FNS = [K.random_uniform, K.random_normal, K.truncated_normal,
              lambda shape, **kw: K.random_binomial(shape, p=0.5, **kw)]


@pytest.mark.parametrize('fn', RANDOM_FNS)
@pytest.mark.parametrize('dtype', [None, 'float16', 'float32', 'float64'])
def test_shape_and_dtype(fn, dtype):
    t = fn((3, 4, 2), dtype=dtype)
    expected = dtype or K.floatx()
    assert K.int_shape(t) == (3, 4, 2) and K.dtype(t) == expected
    value = K.eval(t)
    assert value.shape == (3, 4, 2) and value.dtype == np.dtype(expected)
    assert np.all(np.isfinite(value))


@pytest.mark.parametrize('fn', RANDOM_FNS)
def test_floatx_default(fn):
    K.set_floatx('float64')
    assert K.eval(fn((2,))).dtype == np.float64


def test_int_shape_and_scalar_shape():
    assert K.eval(K.random_normal(5)).shape == (5,)
    assert K.eval(K.random_uniform(())).shape == ()
    assert K.eval(K.random_uniform((0, 3))).shape == (0, 3)
    assert K.eval(K.random_normal([np.int64(2), 3])).shape == (2, 3)


def test_ops_are_stateful_leaves():
    for name in ('random_uniform', 'random_normal', 'truncated_normal', 'random_binomial'):
        assert OPS[name].stateful
    assert K.random_uniform((2, 3)).inputs == ()


# -- moments and bounds ------------------------------------------------------------

def test_uniform_moments_and_bounds():
    v = draw(K.random_uniform, SHAPE, minval=-1.0, maxval=3.0, dtype='float64')
    assert v.min() >= -1.0 and v.max() < 3.0
    sigma = 4 / np.sqrt(12)
    close(v.mean(), 1.0, sigma)
    assert abs(v.std() - sigma) < 0.01
    # Each quarter of the interval gets a quarter of the samples.
    counts = np.histogram(v, bins=4, range=(-1, 3))[0] / v.size
    np.testing.assert_allclose(counts, 0.25, atol=0.005)


def test_uniform_float32_in_range():
    v = draw(K.random_uniform, SHAPE, minval=2.0, maxval=2.5)
    assert v.dtype == np.float32 and v.min() >= 2.0 and v.max() <= 2.5
    close(v.mean(), 2.25, 0.5 / np.sqrt(12))


def test_uniform_integer_dtype():
    v = draw(K.random_uniform, (10000,), minval=3, maxval=7, dtype='int32')
    assert v.dtype == np.int32
    assert set(np.unique(v)) == {3, 4, 5, 6}


def test_uniform_equal_bounds_give_the_bound():
    np.testing.assert_array_equal(draw(K.random_uniform, (3,), 1.5, 1.5), 1.5)


def test_normal_moments():
    v = draw(K.random_normal, SHAPE, mean=2.0, stddev=3.0, dtype='float64')
    close(v.mean(), 2.0, 3.0)
    assert abs(v.std() - 3.0) < 0.03
    # Gaussian tails: about 4.55% beyond 2 stddev.
    assert abs(np.mean(np.abs(v - 2.0) > 6.0) - 0.0455) < 0.003


def test_normal_float16_computes_in_float32():
    v = draw(K.random_normal, SHAPE, mean=-1.0, stddev=0.5, dtype='float16')
    assert v.dtype == np.float16
    close(v.astype(np.float64).mean(), -1.0, 0.5)
    assert abs(v.astype(np.float64).std() - 0.5) < 0.01


def test_truncated_normal_bounds_and_moments():
    v = draw(K.truncated_normal, SHAPE, mean=1.0, stddev=2.0, dtype='float64')
    assert v.min() >= 1.0 - 4.0 and v.max() <= 1.0 + 4.0
    close(v.mean(), 1.0, 2.0)
    assert abs(v.std() - 2.0 * TRUNC_STD) < 0.02
    # Truncation re-draws rather than clips: no pile-up at the bounds.
    assert np.mean(np.abs(v - 1.0) > 3.9) < 0.01


def test_truncated_normal_float32_default():
    v = draw(K.truncated_normal, (1000,))
    assert v.dtype == np.float32 and np.abs(v).max() <= 2.0


def test_zero_stddev_gives_the_mean():
    np.testing.assert_array_equal(draw(K.random_normal, (4,), 0.5, 0.0), 0.5)
    np.testing.assert_array_equal(draw(K.truncated_normal, (4,), -2.0, 0.0), -2.0)


@pytest.mark.parametrize('p', [0.1, 0.5, 0.9])
def test_binomial_mean(p):
    v = draw(K.random_binomial, SHAPE, p=p)
    assert set(np.unique(v)) <= {0.0, 1.0}
    close(v.mean(), p, np.sqrt(p * (1 - p)))


def test_binomial_edges_and_int_dtype():
    np.testing.assert_array_equal(draw(K.random_binomial, (50,), 0.0), 0.0)
    np.testing.assert_array_equal(draw(K.random_binomial, (50,), 1.0), 1.0)
    v = draw(K.random_binomial, (1000,), 0.3, dtype='int32')
    assert v.dtype == np.int32 and set(np.unique(v)) == {0, 1}


# -- state and seeding -------------------------------------------------------------

@pytest.mark.parametrize('fn', RANDOM_FNS)
def test_each_evaluation_draws_new_values(fn):
    t = fn((50,))
    f = K.function([], [t])
    a, b = f([])[0], f([])[0]
    assert not np.array_equal(a, b)
    assert not np.array_equal(K.eval(t), K.eval(t))


@pytest.mark.parametrize('fn', RANDOM_FNS)
def test_seeded_node_replays_its_sequence(fn):
    first = K.function([], [fn((20,), seed=42)])
    again = K.function([], [fn((20,), seed=42)])
    other = K.function([], [fn((20,), seed=43)])
    a1, a2 = first([])[0], first([])[0]
    np.testing.assert_array_equal(again([])[0], a1)
    np.testing.assert_array_equal(again([])[0], a2)
    assert not np.array_equal(other([])[0], a1)


def test_unseeded_draws_follow_np_random_seed():
    np.random.seed(7)
    a = K.eval(K.random_normal((10,)))
    np.random.seed(7)
    b = K.eval(K.random_normal((10,)))
    np.testing.assert_array_equal(a, b)
    # Two nodes built one after the other get different seeds.
    assert not np.array_equal(K.eval(K.random_normal((10,))), b)


def test_not_folded_even_with_constant_shape_tensor():
    t = K.random_uniform(K.constant([3, 2], dtype='int32') + K.zeros((2,), dtype='int32'))
    assert K.int_shape(t) == (None, None)
    f = K.function([], [t])
    a, b = f([])[0], f([])[0]
    assert a.shape == (3, 2) and not np.array_equal(a, b)


def test_same_node_used_twice_in_one_call_is_one_draw():
    x = K.placeholder((4,))
    r = K.random_normal((4,))
    f = K.function([x], [x + r, r])
    out, rv = f([np.arange(4.0)])
    np.testing.assert_allclose(out, np.arange(4.0) + rv, rtol=1e-6)


# -- run-time shapes ----------------------------------------------------------------

@pytest.mark.parametrize('fn', RANDOM_FNS)
def test_shape_from_k_shape_with_none_batch(fn):
    x = K.placeholder((None, 3, 2))
    t = fn(K.shape(x))
    assert K.int_shape(t) == (None, 3, 2)
    f = K.function([x], [t])
    for batch in (5, 2):
        v = f([np.zeros((batch, 3, 2))])[0]
        assert v.shape == (batch, 3, 2) and v.dtype == np.float32


def test_shape_mixing_ints_and_scalar_tensors():
    x = K.placeholder((None, 7))
    t = K.random_normal((K.shape(x)[0], 4), seed=1)
    assert K.int_shape(t) == (None, 4)
    f = K.function([x], [t])
    assert f([np.zeros((6, 7))])[0].shape == (6, 4)
    assert f([np.zeros((1, 7))])[0].shape == (1, 4)
    # An int64 scalar tensor is accepted too.
    t = K.random_uniform((K.cast(K.shape(x)[0], 'int64'), 2))
    assert K.function([x], [t])([np.zeros((3, 7))])[0].shape == (3, 2)


def test_fully_known_shape_tensor_needs_no_input():
    t = K.random_uniform(K.shape(K.zeros((2, 3))))
    assert K.int_shape(t) == (2, 3) and t.inputs == ()
    assert K.eval(K.random_uniform(K.constant([4, 1], dtype='int32'))).shape == (4, 1)


def test_run_time_shape_tensor_of_unknown_values():
    s = K.placeholder((2,), dtype='int32')
    t = K.random_binomial(s, p=0.5)
    assert K.int_shape(t) == (None, None)
    assert K.function([s], [t])([np.array([3, 5])])[0].shape == (3, 5)
    with pytest.raises(ValueError, match='random_binomial'):
        K.function([s], [t])([np.array([3, -1])])


def test_gradients_flow_around_random_leaves():
    x = K.placeholder((None, 3))
    r = K.random_uniform(K.shape(x))
    loss = K.sum(x * r)
    gx, gr = K.gradients(loss, [x, r])
    f = K.function([x], [r, gx, gr])
    rv, gxv, grv = f([np.full((2, 3), 2.0)])
    np.testing.assert_allclose(gxv, rv)
    np.testing.assert_allclose(grv, 2.0)
    # Nothing reaches x through the shape input.
    assert K.gradients(K.sum(r), [x]) == [None]


# -- variables ------------------------------------------------------------------------

def test_random_uniform_variable():
    v = K.random_uniform_variable((300, 400), -2.0, 1.0, name='u', seed=3)
    assert K.is_variable(v) and v.name == 'u'
    assert K.int_shape(v) == (300, 400) and K.dtype(v) == 'float32'
    value = K.get_value(v)
    assert value.min() >= -2.0 and value.max() < 1.0
    close(value.mean(), -0.5, 3 / np.sqrt(12), n=value.size)
    # Its value is fixed: evaluating twice gives the same array.
    np.testing.assert_array_equal(K.eval(v), value)
    again = K.random_uniform_variable((300, 400), -2.0, 1.0, seed=3)
    np.testing.assert_array_equal(K.get_value(again), value)


def test_random_normal_variable():
    v = K.random_normal_variable((300, 400), 1.0, 0.5, dtype='float64')
    value = K.get_value(v)
    assert value.dtype == np.float64 and value.shape == (300, 400)
    close(value.mean(), 1.0, 0.5, n=value.size)
    assert abs(value.std() - 0.5) < 0.005
    assert K.dtype(K.random_normal_variable((2,), 0, 1, dtype='float16')) == 'float16'


# -- bad arguments ------------------------------------------------------------------------

@pytest.mark.parametrize('build, match', [
    (lambda: K.random_normal((2,), stddev=-1.0), 'random_normal: stddev'),
    (lambda: K.truncated_normal((2,), stddev=-0.1), 'truncated_normal: stddev'),
    (lambda: K.random_normal_variable((2,), 0.0, -1.0), 'random_normal: stddev'),
    (lambda: K.random_binomial((2,), p=1.5), 'random_binomial: p'),
    (lambda: K.random_binomial((2,), p=-0.1), 'random_binomial: p'),
    (lambda: K.random_binomial((2,), p=float('nan')), 'random_binomial: p'),
    (lambda: K.random_uniform((2,), minval=1.0, maxval=0.0), 'random_uniform: minval'),
    (lambda: K.random_uniform_variable((2,), 3.0, 2.0), 'random_uniform: minval'),
    (lambda: K.random_uniform((2,), 0, 0, dtype='int32'), 'random_uniform: minval'),
    (lambda: K.random_uniform((2,), 0, 2.5, dtype='int32'), 'integer bounds'),
    (lambda: K.random_uniform((2,), maxval=float('inf')), 'finite'),
    (lambda: K.random_normal((2, -1)), 'random_normal: shape'),
    (lambda: K.random_normal((None, 3)), 'random_normal: shape'),
    (lambda: K.random_normal((2.5,)), 'random_normal: shape'),
    (lambda: K.random_normal(None), 'random_normal: shape'),
    (lambda: K.random_normal(K.placeholder((2,))), 'random_normal: a shape tensor'),
    (lambda: K.random_normal(K.placeholder((None,), dtype='int32')), 'random_normal: a shape'),
    (lambda: K.random_normal((K.placeholder((2,), dtype='int32'), 3)), 'shape entries'),
    (lambda: K.random_normal((2,), dtype='int32'), 'random_normal: dtype'),
    (lambda: K.truncated_normal((2,), dtype='int64'), 'truncated_normal: dtype'),
    (lambda: K.random_normal((2,), mean=K.constant(1.0)), 'random_normal: mean'),
    (lambda: K.random_normal((2,), stddev='big'), 'random_normal: stddev'),
    (lambda: K.random_normal((2,), seed=-3), 'random_normal: seed'),
    (lambda: K.random_normal((2,), seed=1.5), 'random_normal: seed'),
    (lambda: K.random_uniform_variable(K.shape(K.placeholder((None, 2))), 0, 1),
     'random_uniform_variable'),
])
def test_bad_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_unknown_dtype():
    with pytest.raises(ValueError):
        K.random_uniform((2,), dtype='complex64')
