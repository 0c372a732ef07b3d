"""K.batch_normalization and K.normalize_batch_in_training: forward against
numpy, float64 gradient checks (first and second order) on the fused and the
composed paths, both channel axes, errors."""
import numpy as np
import pytest

from kback import backend as K
from gradcheck import check_op

rng = np.random.RandomState(0)


def r(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape)


def np_bn(x, mean, var, beta, gamma, eps=1e-3):
    out = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        out = out * gamma
    return out if beta is None else out + beta


# -- batch normalisation ------------------------------------------------------------------

def test_batch_normalization_last_axis():
    x = r(4, 3)
    var = rng.uniform(0.5, 2, size=3)
    check_op(lambda *a: K.batch_normalization(*a), [x, r(3), var, r(3), r(3)],
             lambda x, m, v, b, g: np_bn(x, m, v, b, g))


def test_batch_normalization_channels_first_rank1_params():
    x = r(2, 3, 4, 2)
    var = rng.uniform(0.5, 2, size=3)
    # Rank-1 parameters are reshaped to (1, 3, 1, 1) for axis=1.
    check_op(lambda *a: K.batch_normalization(*a, axis=1, epsilon=1e-2),
             [x, r(3), var, r(3), r(3)],
             lambda x, *p: np_bn(x, *[q.reshape(1, 3, 1, 1) for q in p], eps=1e-2))
    # Broadcast-shaped parameters are used as given.
    check_op(lambda *a: K.batch_normalization(*a, axis=1),
             [x, r(1, 3, 1, 1), rng.uniform(0.5, 2, size=(1, 3, 1, 1)), r(1, 3, 1, 1),
              r(1, 3, 1, 1)], np_bn)


def test_batch_normalization_without_beta_gamma():
    x = r(3, 2, 4)
    var = rng.uniform(0.5, 2, size=2)
    check_op(lambda x, m, v: K.batch_normalization(x, m, v, None, None, axis=1),
             [x, r(2), var],
             lambda x, m, v: np_bn(x, m.reshape(1, 2, 1), v.reshape(1, 2, 1), None, None))


def test_batch_normalization_errors():
    x = K.placeholder((2, 3, 4))
    with pytest.raises(ValueError, match=r'batch_normalization.*mean.*\(5,\).*\(2, 3, 4\)'):
        K.batch_normalization(x, K.placeholder((5,)), K.placeholder((4,)), None, None)
    with pytest.raises(ValueError, match=r'batch_normalization.*gamma.*\(4,\).*\(2, 3, 4\)'):
        K.batch_normalization(x, K.placeholder((3,)), K.placeholder((3,)), None,
                              K.placeholder((4,)), axis=1)
    with pytest.raises(ValueError, match='batch_normalization.*axis'):
        K.batch_normalization(x, K.placeholder((4,)), K.placeholder((4,)), None, None, axis=3)


def _np_moments(x, axes):
    return x.mean(axis=axes), x.var(axis=axes)


@pytest.mark.parametrize('x_shape, axes', [((4, 2, 2, 5), (0, 1, 2)), ((4, 3, 2, 2), (0, 2, 3)),
                                            ((4, 3, 5), (0,)), ((4, 3, 5), (0, 1))])
def test_normalize_batch_in_training(x_shape, axes):
    x = r(*x_shape)
    kept = tuple(d for i, d in enumerate(x_shape) if i not in axes)
    shape = [1 if i in axes else d for i, d in enumerate(x_shape)]

    def ref(x, g, b):
        m, v = _np_moments(x, axes)
        return np_bn(x, m.reshape(shape), v.reshape(shape), b.reshape(shape), g.reshape(shape))

    check_op(lambda x, g, b: K.normalize_batch_in_training(x, g, b, list(axes))[0],
             [x, r(*kept), r(*kept)], ref)
    for i in (1, 2):
        value = check_op(lambda x: K.normalize_batch_in_training(x, None, None, list(axes))[i],
                         [x], lambda x: _np_moments(x, axes)[i - 1])
        assert value.shape == kept


def test_normalize_batch_in_training_none_batch_float32():
    x = K.placeholder((None, 4, 3))
    gamma, beta = K.variable(r(3)), K.variable(r(3))
    normed, mean, var = K.normalize_batch_in_training(x, gamma, beta, [0, 1], epsilon=1e-2)
    assert K.int_shape(normed) == (None, 4, 3) and K.int_shape(mean) == (3,)
    assert K.int_shape(var) == (3,)
    assert {K.dtype(t) for t in (normed, mean, var)} == {'float32'}
    f = K.function([x], [normed, mean, var])
    for n in (2, 5):
        a = r(n, 4, 3).astype(np.float32)
        nv, mv, vv = f([a])
        m, v = _np_moments(a.astype(float), (0, 1))
        np.testing.assert_allclose(mv, m, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(vv, v, rtol=1e-5)
        np.testing.assert_allclose(nv, np_bn(a, m, v, K.get_value(beta), K.get_value(gamma),
                                             1e-2), rtol=1e-4, atol=1e-5)


def test_normalize_batch_in_training_errors():
    x = K.placeholder((None, 4, 3))
    with pytest.raises(ValueError, match=r'normalize_batch_in_training.*gamma.*\(4,\).*\(3,\)'):
        K.normalize_batch_in_training(x, K.placeholder((4,)), None, [0, 1])
    with pytest.raises(ValueError, match=r'normalize_batch_in_training.*beta.*\(2, 3\)'):
        K.normalize_batch_in_training(x, None, K.placeholder((2, 3)), [0])
    with pytest.raises(ValueError, match='normalize_batch_in_training.*axis'):
        K.normalize_batch_in_training(x, None, None, [0, 3])


# -- the fused ops -------------------------------------------------------------------------

def _walk(t):
    """Every node of t's graph."""
    out, stack, seen = [], [t], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        out.append(n)
        stack.extend(n.inputs)
    return out


@pytest.mark.parametrize('x_shape, axes', [((5, 3, 4, 2), (0, 1, 2)), ((3, 4, 2, 3), (0, 2, 3)),
                                            ((6, 3), (0,))])
def test_training_uses_fused_ops_and_gradients(x_shape, axes):
    x = K.placeholder(x_shape, dtype='float64')
    normed, mean, var = K.normalize_batch_in_training(x, None, None, list(axes))
    ops = {n.op for n in _walk(normed)}
    assert 'batchnorm_stats' in ops and 'batchnorm_normalize' in ops
    grad_ops = {n.op for n in _walk(K.gradients(K.sum(normed * normed), x)[0])}
    assert {'batchnorm_backprop_sums', 'batchnorm_backprop_input'} <= grad_ops
    kept = [d for i, d in enumerate(x_shape) if i not in axes]
    a, g, b = r(*x_shape), rng.uniform(0.5, 1.5, kept), r(*kept)

    def ref(x, g, b):
        shape = [1 if i in axes else d for i, d in enumerate(x_shape)]
        m, v = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
        return np_bn(x, m, v, b.reshape(shape), g.reshape(shape))

    # Gradients through normed, and through mean and var at the same time.
    check_op(lambda x, g, b: K.normalize_batch_in_training(x, g, b, list(axes))[0], [a, g, b],
             ref)
    check_op(lambda x, g, b: sum(K.sum(K.sin(t)) for t in
                                 K.normalize_batch_in_training(x, g, b, list(axes))), [a, g, b])


def test_training_second_derivatives():
    x, g, b = r(4, 3, 2, 2), rng.uniform(0.5, 1.5, 3), r(3)
    check_op(lambda x, g, b: K.gradients(K.sum(K.square(K.normalize_batch_in_training(
        x, g, b, [0, 2, 3])[0]) * x), x)[0], [x, g, b])
    check_op(lambda x, g, b: K.gradients(K.sum(K.sin(K.normalize_batch_in_training(
        x, g, b, [0, 1, 2], epsilon=1e-2)[0])), [g, b])[0], [r(3, 2, 2, 3), g, b])


@pytest.mark.parametrize('axis', [-1, 1])
def test_inference_uses_fused_op(axis):
    x = r(3, 4, 2, 4)
    c = 4
    var = rng.uniform(0.5, 2, c)
    bshape = [1, 1, 1, c] if axis == -1 else [1, c, 1, 1]
    y = K.batch_normalization(K.placeholder(x.shape, dtype='float64'), r(c), var, r(c), r(c),
                              axis=axis)
    assert 'batchnorm_normalize' in {n.op for n in _walk(y)}
    check_op(lambda *a: K.batch_normalization(*a, axis=axis), [x, r(c), var, r(c), r(c)],
             lambda x, *p: np_bn(x, *[q.reshape(bshape) for q in p]))
    # Second order through the composed gradient.
    check_op(lambda x, m, v, g: K.gradients(K.sum(K.square(K.batch_normalization(
        x, m, v, None, g, axis=axis))), [x, v])[1], [x, r(c), var, r(c)])


def test_float32_fused_matches_numpy():
    x = K.placeholder((None, 5, 5, 8))
    gamma, beta = K.variable(rng.uniform(0.5, 1.5, 8)), K.variable(r(8))
    normed, mean, var = K.normalize_batch_in_training(x, gamma, beta, [0, 1, 2])
    grads = K.gradients(K.sum(normed * K.constant(r(1, 5, 5, 8))), [x, gamma, beta])
    f = K.function([x], [normed, mean, var] + grads)
    a = (r(6, 5, 5, 8) * 3 + 10).astype(np.float32)
    outs = f([a])
    assert all(o.dtype == np.float32 for o in outs)
    m, v = a.astype(float).mean(axis=(0, 1, 2)), a.astype(float).var(axis=(0, 1, 2))
    np.testing.assert_allclose(outs[1], m, rtol=1e-6)
    np.testing.assert_allclose(outs[2], v, rtol=1e-4)
    np.testing.assert_allclose(outs[0], np_bn(a, m, v, K.get_value(beta), K.get_value(gamma)),
                               rtol=1e-4, atol=1e-4)
