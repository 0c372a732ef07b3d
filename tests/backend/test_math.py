"""kback.backend.math against numpy, with finite-difference gradient checks."""
import numpy as np
import pytest

from kback import backend as K
from gradcheck import check_op, evaluate, r, pos



def run_batches(inputs, outputs, feeds_by_batch):
    """Evaluate one K.function on several feeds (e.g. two batch sizes)."""
    f = K.function(inputs, outputs)
    return [f(feeds) for feeds in feeds_by_batch]


# -- dot ------------------------------------------------------------------------------

@pytest.mark.parametrize('xs, ys', [
    ((3, 4), (4, 5)),          # 2D x 2D
    ((2, 3, 4), (4, 5)),       # nD x 2D
    ((2, 3, 4), (5, 4, 6)),    # nD x nD: x[:-1] + y[:-2] + y[-1:]
    ((3, 4), (2, 4, 5)),
    ((2, 4), (3, 2, 4, 5)),
    ((4,), (4, 5)),            # 1-D cases
    ((3, 4), (4,)),
    ((4,), (4,)),
    ((4,), (2, 4, 3)),
    ((2, 3, 4), (4,)),
])
def test_dot(xs, ys):
    # numpy's dot follows Keras's rule for every case above.
    value = check_op(K.dot, [r(*xs), r(*ys)], np.dot)
    assert value.shape == np.dot(np.zeros(xs), np.zeros(ys)).shape


def test_dot_static_shapes():
    assert K.int_shape(K.dot(K.placeholder((2, 3, 4)), K.placeholder((5, 4, 6)))) == (2, 3, 5, 6)
    assert K.int_shape(K.dot(K.placeholder((None, 4)), K.placeholder((4, 5)))) == (None, 5)
    assert K.int_shape(K.dot(K.placeholder((4,)), K.placeholder((4,)))) == ()


def test_dot_none_batch_two_sizes():
    x = K.placeholder((None, 3, 4))
    y = K.variable(r(5, 4, 6), dtype='float64')
    w = K.variable(r(4, 2), dtype='float64')
    out, out2 = K.dot(x, y), K.dot(x, w)
    assert K.int_shape(out) == (None, 3, 5, 6) and K.int_shape(out2) == (None, 3, 2)
    for batch in (2, 5):
        a = r(batch, 3, 4).astype('float32')     # what the float32 placeholder holds
        got, got2 = K.function([x], [out, out2])([a])
        np.testing.assert_allclose(got, np.dot(a, K.get_value(y)), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got2, np.dot(a, K.get_value(w)), rtol=1e-5, atol=1e-6)


def test_dot_operator_and_numpy_operands():
    a, b = r(3, 4), r(4, 2)
    check_op(lambda x, y: x @ y, [a, b], np.matmul)
    check_op(lambda x: b.T @ K.transpose(x) @ x, [a], lambda x: b.T @ x.T @ x)
    check_op(lambda x: K.dot(x, b), [a], lambda x: x @ b)
    check_op(lambda y: K.dot(a, y), [b], lambda y: a @ y)


@pytest.mark.parametrize('xs, ys', [((3, 4), (5, 2)), ((2, 3, 4), (2, 5, 6)), ((3,), (4, 5)),
                                    ((3, 4), (5,)), ((2, 3), (4, 2, 5))])
def test_dot_mismatch_raises_at_build(xs, ys):
    from kback.backend._shapes import fmt
    with pytest.raises(ValueError, match='dot') as info:
        K.dot(K.placeholder(xs), K.placeholder(ys))
    assert fmt(xs) in str(info.value) and fmt(ys) in str(info.value)


def test_dot_scalar_operand_raises():
    with pytest.raises(ValueError, match='dot'):
        K.dot(K.placeholder(()), K.placeholder((3,)))


# -- batch_dot ----------------------------------------------------------------------------

def batch_dot_ref(x, y, axes):
    out = np.stack([np.tensordot(a, b, (axes[0] - 1, axes[1] - 1)) for a, b in zip(x, y)])
    return out[:, None] if out.ndim == 1 else out


@pytest.mark.parametrize('xs, ys, axes, ref_axes', [
    ((4, 20, 1), (4, 30, 20), (1, 2), (1, 2)),   # the documented example, smaller batch
    ((3, 4), (3, 4), 1, (1, 1)),
    ((3, 4), (3, 4), None, (1, 1)),              # default axes, rank 2: last with last
    ((2, 3, 4), (2, 4, 5), None, (2, 1)),        # default: last of x, second-to-last of y
    ((2, 4), (2, 4, 5), None, (1, 1)),
    ((2, 3, 4), (2, 4), None, (2, 1)),
    ((2, 3, 4), (2, 5, 4), 2, (2, 2)),
    ((2, 3, 4), (2, 5, 4), (-1, -1), (2, 2)),
    ((2, 3, 4, 5), (2, 5, 6), (3, 1), (3, 1)),
    ((2, 3, 4, 5), (2, 6, 4), (2, 2), (2, 2)),
    ((2, 4, 3), (2, 4), (1, 1), (1, 1)),
])
def test_batch_dot(xs, ys, axes, ref_axes):
    check_op(lambda x, y: K.batch_dot(x, y, axes=axes), [r(*xs), r(*ys)],
             lambda x, y: batch_dot_ref(x, y, ref_axes))


def test_batch_dot_documented_examples():
    out = K.batch_dot(K.ones((32, 20, 1)), K.ones((32, 30, 20)), axes=(1, 2))
    assert K.int_shape(out) == (32, 1, 30)
    np.testing.assert_allclose(K.eval(out), np.full((32, 1, 30), 20.0))
    x = K.variable([[1, 2], [3, 4]])
    y = K.variable([[5, 6], [7, 8]])
    np.testing.assert_allclose(K.eval(K.batch_dot(x, y, axes=1)), [[17.0], [53.0]])
    assert K.int_shape(K.batch_dot(K.placeholder((100, 20)), K.placeholder((100, 30, 20)),
                                   axes=(1, 2))) == (100, 30)


def test_batch_dot_none_batch_two_sizes():
    x = K.placeholder((None, 3, 4))
    y = K.placeholder((None, 4, 5))
    v = K.placeholder((None, 4))
    out, vv = K.batch_dot(x, y), K.batch_dot(v, v, axes=1)
    assert K.int_shape(out) == (None, 3, 5) and K.int_shape(vv) == (None, 1)
    f = K.function([x, y, v], [out, vv])
    for batch in (1, 4):
        a, b, c = r(batch, 3, 4), r(batch, 4, 5), r(batch, 4)
        got, gotv = f([a, b, c])
        np.testing.assert_allclose(got, np.matmul(a, b), rtol=1e-5)
        np.testing.assert_allclose(gotv, (c * c).sum(axis=1, keepdims=True), rtol=1e-5)


@pytest.mark.parametrize('xs, ys, axes, match', [
    ((2, 3), (2, 3), 0, 'axis 0'),
    ((2, 3, 4), (2, 5, 6), None, r'\(2, 3, 4\) and \(2, 5, 6\)'),
    ((2, 3), (4, 3), 1, 'batch sizes'),
    ((3,), (3, 3), None, 'rank'),
    ((2, 3), (2, 3), (1, 2), 'out of range'),
    ((2, 3), (2, 3), (1, 1, 1), 'axes'),
    ((2, 3), (2, 3), 'last', 'axes'),
])
def test_batch_dot_bad_input(xs, ys, axes, match):
    with pytest.raises(ValueError, match='batch_dot') as info:
        K.batch_dot(K.placeholder(xs), K.placeholder(ys), axes=axes)
    assert info.match(match)


# -- transpose and gather ---------------------------------------------------------------

@pytest.mark.parametrize('shape', [(3,), (3, 4), (2, 3, 4)])
def test_transpose(shape):
    check_op(K.transpose, [r(*shape)], np.transpose)


def test_gather():
    ref = r(5, 3)
    check_op(lambda a: K.gather(a, [0, 4, 4, 1]), [ref], lambda a: a[[0, 4, 4, 1]])
    check_op(lambda a: K.gather(a, np.array([[1, 2], [2, 0]])), [ref], lambda a: a[[[1, 2], [2, 0]]])
    # Indices as an int tensor; the gradient sums over repeated rows.
    idx = np.array([3, 3, 0], dtype='int32')
    check_op(K.gather, [ref, idx], lambda a, i: a[i])
    x = K.variable(ref)
    assert K.dtype(K.gather(x, [1])) == 'float32'
    assert K.int_shape(K.gather(x, K.placeholder((None, 2), dtype='int32'))) == (None, 2, 3)


def test_gather_bad_indices():
    with pytest.raises(ValueError, match='gather'):
        K.gather(K.placeholder((3, 2)), K.placeholder((2,)))


# -- reductions ----------------------------------------------------------------------------

REDUCTIONS = {
    'sum': (K.sum, np.sum, r), 'max': (K.max, np.max, r), 'min': (K.min, np.min, r),
    'prod': (K.prod, np.prod, pos), 'mean': (K.mean, np.mean, r),
    'var': (K.var, np.var, r), 'std': (K.std, np.std, r),
}


@pytest.mark.parametrize('name', sorted(REDUCTIONS))
@pytest.mark.parametrize('axis', [None, 1, -1, [0, 2], (0, -1), [1]])
@pytest.mark.parametrize('keepdims', [False, True])
def test_reductions(name, axis, keepdims):
    fn, ref, make = REDUCTIONS[name]
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    value = check_op(lambda a: fn(a, axis=axis, keepdims=keepdims), [make(2, 3, 4)],
                     lambda a: ref(a, axis=np_axis, keepdims=keepdims))
    assert np.shape(value) == np.shape(ref(np.zeros((2, 3, 4)), axis=np_axis, keepdims=keepdims))


@pytest.mark.parametrize('name', sorted(REDUCTIONS))
def test_reductions_none_batch(name):
    fn, ref, make = REDUCTIONS[name]
    x = K.placeholder((None, 3))
    outs = [fn(x, axis=0), fn(x), fn(x, axis=1, keepdims=True)]
    assert K.int_shape(outs[0]) == (3,) and K.int_shape(outs[2]) == (None, 1)
    f = K.function([x], outs)
    for batch in (2, 5):
        a = make(batch, 3).astype(np.float32)
        got = f([a])
        for g, kw in zip(got, [dict(axis=0), dict(), dict(axis=1, keepdims=True)]):
            np.testing.assert_allclose(g, ref(a.astype(np.float64), **kw), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('name', sorted(REDUCTIONS) + ['any', 'all', 'logsumexp'])
def test_reductions_axis_out_of_range(name):
    fn = getattr(K, name)
    with pytest.raises(ValueError, match=name):
        fn(K.placeholder((2, 3)), axis=2)
    with pytest.raises(ValueError, match=name):
        fn(K.placeholder((2, 3)), axis=[0, -3])


def test_reduction_dtypes():
    i = K.variable(np.array([[1, 2], [3, 4]]), dtype='int32')
    assert K.dtype(K.sum(i)) == 'int32' and K.eval(K.sum(i)) == 10
    assert K.dtype(K.max(i, axis=0)) == 'int32'
    assert K.dtype(K.mean(i)) == 'float32' and K.eval(K.mean(i)) == 2.5
    np.testing.assert_allclose(K.eval(K.var(i, axis=1)), [0.25, 0.25])
    b = K.variable(np.array([True, False, True]), dtype='bool')
    np.testing.assert_allclose(K.eval(K.mean(b)), 2 / 3, rtol=1e-6)
    h = K.variable(np.array([1.0, 2.0]), dtype='float16')
    assert K.dtype(K.mean(h)) == 'float16' and K.eval(K.mean(h)) == np.float16(1.5)


def test_mean_accepts_arrays():
    np.testing.assert_allclose(K.eval(K.mean(np.array([[1.0, 2.0], [3.0, 5.0]]), axis=-1)),
                               [1.5, 4.0])


@pytest.mark.parametrize('fn, ref', [(K.any, np.any), (K.all, np.all)])
@pytest.mark.parametrize('axis', [None, 0, -1, [0, 1]])
@pytest.mark.parametrize('keepdims', [False, True])
def test_any_all(fn, ref, axis, keepdims):
    a = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0]])
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    value, _, out = evaluate(lambda x: fn(x, axis=axis, keepdims=keepdims), [a])
    assert K.dtype(out) == 'bool' and value.dtype == np.bool_
    np.testing.assert_array_equal(value, ref(a != 0, axis=np_axis, keepdims=keepdims))
    value, _, _ = evaluate(lambda x: fn(x > 1, axis=axis, keepdims=keepdims), [a])
    np.testing.assert_array_equal(value, ref(a > 1, axis=np_axis, keepdims=keepdims))
    ints = a.astype(np.int32)
    value, _, _ = evaluate(lambda x: fn(x, axis=axis, keepdims=keepdims), [ints])
    np.testing.assert_array_equal(value, ref(ints != 0, axis=np_axis, keepdims=keepdims))


@pytest.mark.parametrize('fn, ref, make', [(K.cumsum, np.cumsum, r), (K.cumprod, np.cumprod, pos)])
@pytest.mark.parametrize('axis', [0, 1, -1])
def test_cumulative(fn, ref, make, axis):
    check_op(lambda a: fn(a, axis=axis), [make(3, 4, 2)], lambda a: ref(a, axis=axis))


def test_cumulative_default_axis_and_errors():
    check_op(K.cumsum, [r(3, 2)], lambda a: np.cumsum(a, axis=0))
    check_op(K.cumprod, [pos(3, 2)], lambda a: np.cumprod(a, axis=0))
    with pytest.raises(ValueError, match='cumsum'):
        K.cumsum(K.placeholder((2, 3)), axis=2)


@pytest.mark.parametrize('fn, ref', [(K.argmax, np.argmax), (K.argmin, np.argmin)])
def test_argmax_argmin(fn, ref):
    a = r(3, 4, 5)
    for axis in (0, 1, -1):
        value, _, out = evaluate(lambda x: fn(x, axis=axis), [a])
        assert K.dtype(out) == 'int64' and value.dtype == np.int64
        np.testing.assert_array_equal(value, ref(a, axis=axis))
    value, _, out = evaluate(fn, [a])
    np.testing.assert_array_equal(value, ref(a, axis=-1))
    assert K.int_shape(out) == (3, 4)
    value, _, _ = evaluate(fn, [np.array([[3, 1, 3]], dtype='int32')])
    np.testing.assert_array_equal(value, ref(np.array([[3, 1, 3]]), axis=-1))
    with pytest.raises(ValueError, match=fn.__name__):
        fn(K.placeholder((2, 3)), axis=3)


# -- elementwise maths ------------------------------------------------------------------------

@pytest.mark.parametrize('fn, ref, make', [
    (K.square, np.square, r), (K.abs, np.abs, r), (K.sqrt, np.sqrt, pos),
    (K.exp, np.exp, r), (K.log, np.log, pos), (K.sin, np.sin, r), (K.cos, np.cos, r),
])
def test_unary(fn, ref, make):
    check_op(fn, [make(3, 4)], ref)


@pytest.mark.parametrize('fn, ref', [(K.sign, np.sign), (K.round, np.round)])
def test_piecewise_constant(fn, ref):
    a = np.array([-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 0.7, -3.2])
    value = check_op(fn, [a], ref, grad_wrt=[])
    if fn is K.round:   # half to even
        np.testing.assert_array_equal(value, [-2, -2, -0, 0, 0, 2, 2, 1, -3])
    x = K.placeholder((4,))
    assert K.gradients(K.sum(fn(x)), [x]) == [None]


def test_sqrt_clips_negatives_to_zero():
    value = check_op(K.sqrt, [np.array([-4.0, -0.0, 0.25, 9.0])], lambda a: np.sqrt(np.maximum(a, 0)),
                     grad_wrt=[])
    np.testing.assert_array_equal(value, [0.0, 0.0, 0.5, 3.0])
    # The gradient is 0 on the clipped side.
    x = K.placeholder((2,))
    with np.errstate(divide='ignore'):
        g = K.function([x], K.gradients(K.sum(K.sqrt(x)), [x]))([np.array([-1.0, 4.0])])[0]
    np.testing.assert_allclose(g, [0.0, 0.25])


@pytest.mark.parametrize('fn', [K.exp, K.log, K.sqrt, K.sin, K.cos])
def test_float_functions_on_int_tensors(fn):
    i = K.variable(np.array([1, 4]), dtype='int32')
    out = fn(i)
    assert K.dtype(out) == 'float32'
    np.testing.assert_allclose(K.eval(out), getattr(np, fn.__name__)(np.array([1.0, 4.0])), rtol=1e-6)


def test_int_preserving_functions():
    i = K.variable(np.array([-3, 2]), dtype='int32')
    for fn, ref in ((K.square, [9, 4]), (K.abs, [3, 2]), (K.sign, [-1, 1]), (K.round, [-3, 2])):
        out = fn(i)
        assert K.dtype(out) == 'int32'
        np.testing.assert_array_equal(K.eval(out), ref)


@pytest.mark.parametrize('axis', [None, 0, -1, [0, 2]])
@pytest.mark.parametrize('keepdims', [False, True])
def test_logsumexp(axis, keepdims):
    def ref(a):
        ax = tuple(axis) if isinstance(axis, list) else axis
        top = np.max(a, axis=ax, keepdims=True)
        out = np.log(np.sum(np.exp(a - top), axis=ax, keepdims=True)) + top
        return out if keepdims else np.squeeze(out, axis=ax)
    check_op(lambda a: K.logsumexp(a, axis=axis, keepdims=keepdims), [r(2, 3, 4)], ref)


def test_logsumexp_is_stable():
    a = np.array([[1000.0, 1000.0, 990.0], [-1000.0, -1005.0, -1000.0], [1e30, 0.0, -1e30]])
    value = check_op(lambda x: K.logsumexp(x, axis=1), [a], None, grad_wrt=[])
    expected = [1000.0 + np.log(2 + np.exp(-10.0)), -1000.0 + np.log(2 + np.exp(-5.0)), 1e30]
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    # float32 too, and the gradient is the softmax.
    x = K.placeholder((3,))
    out = K.logsumexp(x)
    g, = K.gradients(out, [x])
    v, gv = K.function([x], [out, g])([np.array([100.0, 100.0, 50.0])])
    np.testing.assert_allclose(v, 100.0 + np.log(2.0), rtol=1e-6)
    np.testing.assert_allclose(gv, [0.5, 0.5, 0.0], atol=1e-6)


def test_logsumexp_infinities():
    with np.errstate(divide='ignore'):
        a = np.array([[-np.inf, -np.inf], [np.inf, 0.0], [-np.inf, 1.0]])
        value = K.eval(K.logsumexp(K.variable(a, dtype='float64'), axis=1))
    np.testing.assert_array_equal(value, [-np.inf, np.inf, 1.0])


def test_pow():
    check_op(lambda a: K.pow(a, 3), [r(3, 4)], lambda a: a ** 3)
    check_op(lambda a: K.pow(a, 0.5), [pos(3, 4)], np.sqrt)
    check_op(lambda a: K.pow(a, -1.5), [pos(3)], lambda a: a ** -1.5)
    check_op(K.pow, [pos(3, 4), r(4)], np.power)
    check_op(lambda a: K.pow(2.0, a), [r(3)], lambda a: 2.0 ** a)
    i = K.variable(np.array([1, 2, 3]), dtype='int32')
    assert K.dtype(K.pow(i, 2)) == 'int32' and list(K.eval(K.pow(i, 2))) == [1, 4, 9]
    assert K.dtype(K.pow(i, 0.5)) == 'float32'


@pytest.mark.parametrize('lo, hi', [(-1.0, 1.0), (None, 0.5), (-0.5, None), (0.3, -0.3),
                                    (np.array([-1.0, 0.0, -2.0, 0.0]), 1.0)])
def test_clip(lo, hi):
    a = np.array([-2.0, -0.7, -0.1, 0.2, 0.6, 1.3, 1.9, 0.45]).reshape(2, 4)
    lo_np = -np.inf if lo is None else lo
    hi_np = np.inf if hi is None else hi
    hi_np = np.maximum(hi_np, lo_np)   # max below min is raised to it, as Keras
    check_op(lambda x: K.clip(x, lo, hi), [a], lambda x: np.clip(x, lo_np, hi_np))


def test_clip_max_below_min_gives_min():
    np.testing.assert_array_equal(K.eval(K.clip(K.variable([-3.0, 0.0, 3.0]), 2.0, 1.0)), 2.0)


def test_clip_with_tensor_bounds_and_ints():
    x = K.placeholder((3,))
    lo, hi = K.placeholder(()), K.placeholder(())
    f = K.function([x, lo, hi], [K.clip(x, lo, hi)])
    np.testing.assert_allclose(f([np.array([-5.0, 0.5, 5.0]), -1.0, 1.0])[0], [-1.0, 0.5, 1.0])
    i = K.variable(np.array([-5, 1, 5]), dtype='int32')
    out = K.clip(i, 0, 3)
    assert K.dtype(out) == 'int32'
    np.testing.assert_array_equal(K.eval(out), [0, 1, 3])
    for lo, hi, ref in ((None, None, [-5, 1, 5]), (None, 0, [-5, 0, 0]), (2, None, [2, 2, 5])):
        out = K.clip(i, lo, hi)
        assert K.dtype(out) == 'int32'
        np.testing.assert_array_equal(K.eval(out), ref)
    # Float bounds on an int tensor compute in floatx.
    np.testing.assert_allclose(K.eval(K.clip(i, -0.5, 2.5)), [-0.5, 1.0, 2.5])
    # Array bounds: max below min is raised to min elementwise.
    np.testing.assert_allclose(K.eval(K.clip(K.variable([0.0, 0.0]), np.array([1.0, -1.0]),
                                             np.array([0.5, 0.5]))), [1.0, 0.0])


COMPARISONS = [(K.equal, np.equal), (K.not_equal, np.not_equal), (K.greater, np.greater),
               (K.greater_equal, np.greater_equal), (K.less, np.less),
               (K.less_equal, np.less_equal)]


@pytest.mark.parametrize('fn, ref', COMPARISONS)
def test_comparisons(fn, ref):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    value, _, out = evaluate(fn, [a, b])
    assert K.dtype(out) == 'bool' and value.dtype == np.bool_
    np.testing.assert_array_equal(value, ref(a, b))
    value, _, _ = evaluate(lambda x: fn(x, 2.0), [a])
    np.testing.assert_array_equal(value, ref(a, 2.0))
    value, _, _ = evaluate(lambda x: fn(2, x), [a.astype('int32')])
    np.testing.assert_array_equal(value, ref(2, a))
    value, _, _ = evaluate(lambda x: fn(x, 1.5), [a.astype('int32')])
    np.testing.assert_array_equal(value, ref(a, 1.5))


def test_comparison_shape_mismatch():
    with pytest.raises(ValueError, match='greater'):
        K.greater(K.placeholder((2, 3)), K.placeholder((4,)))


@pytest.mark.parametrize('fn, ref', [(K.maximum, np.maximum), (K.minimum, np.minimum)])
def test_maximum_minimum(fn, ref):
    check_op(fn, [r(3, 4), r(3, 4)], ref)
    check_op(fn, [r(2, 3, 4), r(3, 1)], ref)   # broadcasting, gradient summed back
    check_op(lambda a: fn(a, 0.5), [r(3, 4)], lambda a: ref(a, 0.5))
    check_op(lambda a: fn(0.5, a), [r(3, 4)], lambda a: ref(0.5, a))


# -- control flow -------------------------------------------------------------------------

def test_switch_scalar_condition():
    c = K.placeholder((), dtype='bool')
    a, b = r(2, 3), r(2, 3)
    x, y = K.placeholder((2, 3)), K.placeholder((2, 3))
    out = K.switch(c, x * 2, y - 1)
    f = K.function([c, x, y], [out])
    np.testing.assert_allclose(f([True, a, b])[0], a * 2, rtol=1e-6)
    np.testing.assert_allclose(f([False, a, b])[0], b - 1, rtol=1e-6)
    check_op(lambda p, q: K.switch(K.constant(True, dtype='bool'), p, q), [a, b], lambda p, q: p)


def test_switch_elementwise_and_lower_rank_condition():
    a, b = r(3, 4), r(3, 4)
    check_op(lambda c, p, q: K.switch(c > 0, p, q), [r(3, 4), a, b],
             lambda c, p, q: np.where(c > 0, p, q), grad_wrt=[1, 2])
    # A condition of lower rank selects whole rows.
    check_op(lambda c, p, q: K.switch(c > 0, p, q), [np.array([1.0, -1.0, 2.0]), a, b],
             lambda c, p, q: np.where(c[:, None] > 0, p, q), grad_wrt=[1, 2])
    check_op(lambda c, p, q: K.switch(c > 0, p, q), [np.array([[1.0], [-1.0], [2.0]]), a, b],
             lambda c, p, q: np.where(c > 0, p, q), grad_wrt=[1, 2])
    c3 = np.array([[1.0, -1.0], [-1.0, 1.0]])
    p3, q3 = r(2, 2, 3), r(2, 2, 3)
    check_op(lambda c, p, q: K.switch(c > 0, p, q), [c3, p3, q3],
             lambda c, p, q: np.where(c[..., None] > 0, p, q), grad_wrt=[1, 2])


def test_switch_callables_and_numbers():
    x = K.placeholder((4,))
    out = K.switch(x > 0, lambda: x * 10, lambda: K.zeros_like(x))
    np.testing.assert_allclose(K.function([x], [out])([np.array([1.0, -1.0, 2.0, 0.0])])[0],
                               [10.0, 0.0, 20.0, 0.0])
    out = K.switch(x > 0, 1.0, -1.0)
    np.testing.assert_allclose(K.function([x], [out])([np.array([1.0, -1.0, 2.0, 0.0])])[0],
                               [1.0, -1.0, 1.0, -1.0])
    # A numeric condition is true where non-zero.
    np.testing.assert_allclose(K.eval(K.switch(K.variable([0.0, 3.0]), 1.0, 2.0)), [2.0, 1.0])


def test_switch_condition_of_higher_rank_raises():
    with pytest.raises(ValueError, match='switch'):
        K.switch(K.placeholder((3, 4)) > 0, K.placeholder((4,)), K.placeholder((4,)))


def test_in_train_phase_fed_learning_phase():
    x = K.placeholder((3,))
    train, test = x * 2, x - 1
    out = K.in_train_phase(train, test)
    assert out._uses_learning_phase
    out_t = K.in_test_phase(train, test)
    f = K.function([x, K.learning_phase()], [out, out_t])
    a = np.array([1.0, 2.0, 3.0])
    got = f([a, 1])
    np.testing.assert_allclose(got[0], a * 2)
    np.testing.assert_allclose(got[1], a - 1)
    got = f([a, 0])
    np.testing.assert_allclose(got[0], a - 1)
    np.testing.assert_allclose(got[1], a * 2)
    # Not fed: the test phase.
    np.testing.assert_allclose(K.function([x], [out])([a])[0], a - 1)


def test_in_train_phase_callables_and_gradients():
    x = K.placeholder((3,))
    out = K.in_train_phase(lambda: K.square(x), lambda: x * 3)
    g, = K.gradients(K.sum(out), [x])
    f = K.function([x, K.learning_phase()], [out, g])
    a = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(f([a, 1])[1], 2 * a)
    np.testing.assert_allclose(f([a, 0])[1], [3.0, 3.0, 3.0])


def test_in_train_phase_fixed():
    x, y = K.placeholder((2,)), K.placeholder((2,))
    assert K.in_train_phase(x, y, training=1) is x
    assert K.in_train_phase(x, y, training=False) is y
    assert K.in_test_phase(x, y, training=True) is y
    assert K.in_train_phase(lambda: x, lambda: y, training=True) is x
    K.set_learning_phase(1)
    assert K.in_train_phase(x, y) is x and K.in_test_phase(x, y) is y
    K.set_learning_phase(0)
    assert K.in_train_phase(x, y) is y and K.in_test_phase(lambda: x, lambda: y) is x


def test_in_train_phase_training_tensor():
    t = K.placeholder((), dtype='bool')
    x = K.placeholder((2,))
    out = K.in_train_phase(x + 1, x - 1, training=t)
    assert not getattr(out, '_uses_learning_phase', False)
    f = K.function([t, x], [out])
    np.testing.assert_allclose(f([True, np.zeros(2)])[0], [1.0, 1.0])
    np.testing.assert_allclose(f([False, np.zeros(2)])[0], [-1.0, -1.0])


# -- Python operators -------------------------------------------------------------------------

BINARY_OPERATORS = [
    (lambda x, y: x + y), (lambda x, y: x - y), (lambda x, y: x * y), (lambda x, y: x / y),
]


@pytest.mark.parametrize('op', BINARY_OPERATORS)
def test_arithmetic_operators(op):
    a, b = r(3, 4), pos(4)
    check_op(op, [a, b], op)
    # numpy arrays and Python numbers on either side.
    check_op(lambda x: op(x, b), [a], lambda x: op(x, b))
    check_op(lambda y: op(a, y), [b], lambda y: op(a, y))
    check_op(lambda x: op(x, 1.5), [a], lambda x: op(x, 1.5))
    check_op(lambda y: op(3, y), [b], lambda y: op(3.0, y))


def test_power_and_unary_operators():
    check_op(lambda x: x ** 2, [r(3, 4)], lambda x: x ** 2)
    check_op(lambda x, y: x ** y, [pos(3, 4), r(3, 4)], np.power)
    check_op(lambda x: 2 ** x, [r(5)], lambda x: 2.0 ** x)
    check_op(lambda x: np.full(5, 3.0) ** x, [r(5)], lambda x: 3.0 ** x)
    check_op(lambda x: -x, [r(3, 4)], np.negative)
    check_op(lambda x: +x, [r(3)], lambda x: x)
    check_op(lambda x: abs(x), [r(3, 4)], np.abs)
    check_op(lambda x: -(x * 2 - 1) / (x ** 2 + 1), [r(6)], lambda x: -(x * 2 - 1) / (x ** 2 + 1))


@pytest.mark.parametrize('op', [lambda x, y: x < y, lambda x, y: x <= y,
                                lambda x, y: x > y, lambda x, y: x >= y])
def test_comparison_operators(op):
    a = np.array([[1.0, 2.0, 3.0], [0.0, 2.0, 5.0]])
    b = np.array([2.0, 2.0, 2.0])
    for build, ref in ((op, op(a, b)), (lambda x: op(x, b), op(a, b)), (lambda x: op(b, x), op(b, a)),
                       (lambda x: op(x, 2), op(a, 2)), (lambda x: op(2.0, x), op(2.0, a))):
        inputs = [a, b] if build is op else [a]
        value, _, out = evaluate(build, inputs)
        assert K.dtype(out) == 'bool'
        np.testing.assert_array_equal(value, ref)


def test_logical_operators_and_identity_equality():
    x = K.placeholder((3,))
    a = np.array([-1.0, 0.5, 2.0])
    out = K.function([x], [(x > 0) & (x < 1), (x < 0) | (x > 1), ~(x > 0)])([a])
    np.testing.assert_array_equal(out, [[False, True, False], [True, False, True],
                                        [True, False, False]])
    # == stays identity, so tensors can be dict keys, as with TF tensors.
    y = K.placeholder((3,))
    assert (x == x) is True and (x == y) is False and len({x: 1, y: 2}) == 2


def test_bool_and_iteration_raise():
    x = K.placeholder((3,))
    with pytest.raises(TypeError):
        bool(x > 0)
    with pytest.raises(TypeError):
        list(x)


def test_operator_shape_mismatch_raises():
    with pytest.raises(ValueError, match=r'add.*\(2, 3\).*\(4,\)'):
        K.placeholder((2, 3)) + K.placeholder((4,))


# -- indexing ----------------------------------------------------------------------------------

INDEXES = [
    1, -1, (0, 2), slice(1, None), slice(None, None, -1), slice(3, 0, -2),
    (slice(None), 1), (Ellipsis, 0), (Ellipsis, slice(None, None, -1)), (None, 1),
    (slice(None), None, slice(1, 3)), (1, Ellipsis, None), (-2, slice(None), -1),
    (slice(-1, None), slice(None, None, 2), slice(None)), (), Ellipsis,
    (np.int64(1), slice(np.int32(0), 2)), slice(10, 20), slice(-100, 100),
]


@pytest.mark.parametrize('index', INDEXES, ids=[repr(i) for i in INDEXES])
def test_indexing(index):
    check_op(lambda x: x[index], [r(4, 3, 5)], lambda x: x[index])


def test_indexing_none_batch_two_sizes():
    x = K.placeholder((None, 3, 4))
    outs = [x[:, 1], x[::-1, :, -1], x[1:], x[..., None, 2]]
    assert [K.int_shape(o) for o in outs] == [(None, 4), (None, 3), (None, 3, 4), (None, 3, 1)]
    f = K.function([x], outs)
    for batch in (2, 5):
        a = r(batch, 3, 4)
        for got, ref in zip(f([a]), [a[:, 1], a[::-1, :, -1], a[1:], a[..., None, 2]]):
            np.testing.assert_array_equal(got, ref.astype(np.float32))


def test_indexing_static_shapes():
    x = K.placeholder((4, 3, 5))
    assert K.int_shape(x[1]) == (3, 5)
    assert K.int_shape(x[None, ..., ::2]) == (1, 4, 3, 3)
    assert K.int_shape(x[::-1, 0:0]) == (4, 0, 5)


@pytest.mark.parametrize('index, error', [
    (4, ValueError), (-5, ValueError), ((0, 3), ValueError), ((0, 0, 0, 0), ValueError),
    ((Ellipsis, Ellipsis), IndexError), ([0, 1], TypeError), (1.0, TypeError),
    (True, TypeError), (slice(0.5, 2), TypeError),
])
def test_bad_indexing(index, error):
    with pytest.raises(error, match='getitem'):
        K.placeholder((4, 3, 5))[index]


# -- dtype rules -------------------------------------------------------------------------------

def test_mixed_dtype_rules():
    i = K.placeholder((2,), dtype='int32')
    f32 = K.placeholder((2,))
    h = K.placeholder((2,), dtype='float16')
    d = K.placeholder((2,), dtype='float64')
    # Numbers and arrays are weakly typed: they take the tensor's dtype.
    assert K.dtype(i + 1) == 'int32' and K.dtype(2 * i) == 'int32'
    assert K.dtype(i - np.array([1, 2])) == 'int32'
    assert K.dtype(f32 + np.array([1.0, 2.0])) == 'float32'
    assert K.dtype(h * 2.0) == 'float16' and K.dtype(1.0 - h) == 'float16'
    assert K.dtype(d + 1) == 'float64'
    assert K.dtype(f32 + 1) == 'float32'
    # A float number or array meeting an int tensor computes in floatx.
    assert K.dtype(i + 1.5) == 'float32' and K.dtype(0.5 * i) == 'float32'
    assert K.dtype(i * np.array([0.5, 1.0])) == 'float32'
    # True division of ints gives floatx (Python 3 semantics).
    assert K.dtype(i / 2) == 'float32' and K.dtype(i / i) == 'float32'
    f = K.function([i], [i + 1.5, i / 2, i * 3, 7 / i])
    a = np.array([3, 4])
    got = f([a])
    np.testing.assert_allclose(got[0], [4.5, 5.5])
    np.testing.assert_allclose(got[1], [1.5, 2.0])
    np.testing.assert_array_equal(got[2], [9, 12])
    assert got[2].dtype == np.int32
    np.testing.assert_allclose(got[3], [7 / 3, 7 / 4], rtol=1e-6)
    K.set_floatx('float64')
    assert K.dtype(i + 1.5) == 'float64' and K.dtype(i / i) == 'float64'
    # Two tensors of one dtype keep it; float16 maths stays float16.
    assert K.dtype(h + h) == 'float16' and K.dtype(i * i) == 'int32'


def test_float16_values_round_to_float16():
    h = K.variable(np.array([1.0, 3.0]), dtype='float16')
    out = K.eval(h / 3.0)
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out, np.array([1 / 3, 1.0], dtype=np.float16))
