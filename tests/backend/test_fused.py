"""Fused ops through K: forward against numpy, float64 finite-difference
gradients, the pattern matching that picks them, unchanged semantics otherwise."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend import graph_state
from gradcheck import check_op, r

rng = np.random.RandomState(7)


def away(*shape):
    return np.sign(rng.uniform(-1, 1, shape)) * rng.uniform(0.5, 2.0, shape)


def ops_in(t):
    return {n.op for n in graph_state.reachable([t])}


def np_log_softmax(x, axis=-1):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def np_bias(x, b, data_format):
    if data_format == 'channels_first':
        return x + b.reshape((-1,) + (1,) * (x.ndim - 2))
    return x + b


# -- bias_add, relu ------------------------------------------------------------------------

@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('shape', [(3, 4), (2, 3, 4), (2, 3, 4, 5)])
def test_bias_add_is_one_primitive(data_format, shape):
    c = shape[1] if data_format == 'channels_first' and len(shape) > 2 else shape[-1]
    out = K.bias_add(K.placeholder(shape), K.placeholder((c,)), data_format)
    assert out.op == 'bias_add'
    fmt = data_format if len(shape) > 2 else 'channels_last'
    check_op(lambda x, b: K.bias_add(x, b, data_format), [r(*shape), r(c)],
             lambda x, b: np_bias(x, b, fmt))


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('shape', [(3, 4), (2, 3, 4, 5)])
def test_relu_of_bias_add_is_fused(data_format, shape):
    c = shape[1] if data_format == 'channels_first' and len(shape) > 2 else shape[-1]
    b = rng.uniform(-0.2, 0.2, c)
    y = K.relu(K.bias_add(K.placeholder(shape), K.placeholder((c,)), data_format))
    assert y.op == 'bias_add_relu'
    fmt = data_format if len(shape) > 2 else 'channels_last'
    check_op(lambda x, b: K.relu(K.bias_add(x, b, data_format)), [away(*shape), b],
             lambda x, b: np.maximum(np_bias(x, b, fmt), 0))
    x = K.placeholder(shape, dtype='float64')
    bias = K.placeholder((c,), dtype='float64')
    grads = K.gradients(K.sum(K.relu(K.bias_add(x, bias, data_format))), [x, bias])
    # dz and db: the two outputs of one bias_add_relu_backprop node.
    assert [g.op for g in grads] == ['output', 'output']
    assert [g.attrs['index'] for g in grads] == [0, 1]
    assert grads[0].inputs[0] is grads[1].inputs[0]
    assert grads[0].inputs[0].op == 'bias_add_relu_backprop'


def test_relu_with_arguments_or_without_bias_is_not_fused():
    x, b = K.placeholder((2, 3)), K.placeholder((3,))
    assert K.relu(K.bias_add(x, b), alpha=0.1).op != 'bias_add_relu'
    assert K.relu(K.bias_add(x, b), max_value=6.0).op != 'bias_add_relu'
    assert K.relu(x + b).op == 'relu'
    # A rank ndim-1 bias keeps the broadcasting add.
    assert K.bias_add(K.placeholder((2, 3, 4)), K.placeholder((3, 4))).op == 'add'


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('threads', [1, 2])
def test_fused_bias_relu_large_float32_matches_numpy(data_format, threads):
    K.set_num_threads(threads)
    xv = rng.randn(16, 12, 10, 8).astype(np.float32)
    c = 12 if data_format == 'channels_first' else 8
    bv = rng.randn(c).astype(np.float32)
    wv = rng.randn(*xv.shape).astype(np.float32)
    x, b = K.placeholder(xv.shape), K.variable(bv)
    y = K.relu(K.bias_add(x, b, data_format))
    gx, gb = K.gradients(K.sum(y * K.constant(wv)), [x, b])
    yv, gxv, gbv = K.function([x], [y, gx, gb])([xv])
    z = np_bias(xv.astype(np.float64), bv, data_format)
    np.testing.assert_allclose(yv, np.maximum(z, 0), rtol=1e-6, atol=1e-6)
    mask = np.where(z > 0, wv, 0)
    np.testing.assert_allclose(gxv, mask, rtol=1e-6)
    axes = (0, 2, 3) if data_format == 'channels_first' else (0, 1, 2)
    np.testing.assert_allclose(gbv, mask.sum(axis=axes), rtol=1e-4, atol=1e-4)
    # Only db requested: the pair's second output alone.
    np.testing.assert_allclose(K.function([x], [gb])([xv])[0], mask.sum(axis=axes),
                               rtol=1e-4, atol=1e-4)


def test_bias_add_second_derivative():
    # d/db of sum(w * d/dx sum(v * (x + b)^2)) through bias_add_backprop's rule.
    x, b = K.placeholder((3, 4), dtype='float64'), K.placeholder((4,), dtype='float64')
    y = K.bias_add(x, b)
    gb = K.gradients(K.sum(K.square(y)), [b])[0]
    hb = K.gradients(K.sum(gb * K.constant(np.arange(4.0), dtype='float64')), [x])[0]
    value = K.function([x, b], [hb])([r(3, 4), r(4)])[0]
    np.testing.assert_allclose(value, 2 * np.broadcast_to(np.arange(4.0), (3, 4)), rtol=1e-12)


# -- crossentropies -------------------------------------------------------------------------

def _onehot(rows, classes):
    return np.eye(classes)[rng.randint(0, classes, rows)]


def test_categorical_crossentropy_of_softmax_uses_logits():
    logits = K.placeholder((4, 5))
    loss = K.categorical_crossentropy(K.placeholder((4, 5)), K.softmax(logits))
    assert loss.op == 'softmax_cross_entropy' and loss.inputs[1] is logits
    assert K.categorical_crossentropy(K.placeholder((4, 5)), logits, from_logits=True).op == \
        'softmax_cross_entropy'
    # Softmax along another axis than the loss: probabilities, clipped as before.
    other = K.categorical_crossentropy(K.placeholder((4, 5)), K.softmax(logits, axis=0))
    assert 'softmax_cross_entropy' not in ops_in(other)
    check_op(lambda t, x: K.categorical_crossentropy(t, K.softmax(x)), [_onehot(4, 5), r(4, 5)],
             lambda t, x: -(t * np_log_softmax(x)).sum(-1))


def test_softmax_crossentropy_does_not_saturate_like_clipped_probabilities():
    x = np.array([[0.0, 40.0, -40.0]])
    t = np.array([[1.0, 0.0, 0.0]])
    fused = K.eval(K.categorical_crossentropy(K.constant(t, 'float64'),
                                              K.softmax(K.constant(x, 'float64'))))
    np.testing.assert_allclose(fused, [40.0], rtol=1e-12)
    probs = K.eval(K.categorical_crossentropy(K.constant(t, 'float64'),
                                              K.constant(np.exp(np_log_softmax(x)), 'float64')))
    np.testing.assert_allclose(probs, [-np.log(1e-7)], rtol=1e-6)


@pytest.mark.parametrize('axis', [1, -1])
def test_categorical_crossentropy_fused_axis_gradients(axis):
    t = rng.uniform(0, 1, (3, 4, 5))
    check_op(lambda a, b: K.categorical_crossentropy(a, K.softmax(b, axis=axis), axis=axis),
             [t, r(3, 4, 5)], lambda a, b: -(a * np_log_softmax(b, axis)).sum(axis))


@pytest.mark.parametrize('shape', [(6, 4), (2, 3, 4)])
def test_sparse_categorical_crossentropy_of_softmax_uses_logits(shape):
    labels = rng.randint(0, 4, shape[:-1])
    logits = K.placeholder(shape)
    loss = K.sparse_categorical_crossentropy(K.placeholder(shape[:-1], dtype='int32'),
                                             K.softmax(logits))
    assert 'sparse_softmax_cross_entropy' in ops_in(loss) and 'softmax' not in ops_in(loss)
    ref = lambda lab, x: -np.take_along_axis(np_log_softmax(x), lab[..., None], -1)[..., 0]  # noqa
    check_op(lambda lab, x: K.sparse_categorical_crossentropy(lab, K.softmax(x)),
             [labels, r(*shape)], ref, grad_wrt=[1])
    check_op(lambda lab, x: K.sparse_categorical_crossentropy(lab, x, from_logits=True),
             [labels, r(*shape)], ref, grad_wrt=[1])


def test_sparse_categorical_crossentropy_out_of_range_label_raises():
    x = K.placeholder((2, 3))
    f = K.function([x], [K.sparse_categorical_crossentropy(K.constant([0, 3], dtype='int32'),
                                                           x, from_logits=True)])
    with pytest.raises(ValueError, match='label 3'):
        f([np.zeros((2, 3))])


def test_binary_crossentropy_of_sigmoid_uses_logits():
    logits = K.placeholder((3, 4))
    loss = K.binary_crossentropy(K.placeholder((3, 4)), K.sigmoid(logits))
    assert loss.op == 'sigmoid_cross_entropy' and loss.inputs[1] is logits
    z = rng.uniform(0, 1, (3, 4))
    check_op(lambda a, b: K.binary_crossentropy(a, K.sigmoid(b)), [z, r(3, 4)],
             lambda a, b: np.logaddexp(0, b) - a * b)
    # Not clipped at -log(epsilon): exactly the logit for a confident wrong answer.
    value = K.eval(K.binary_crossentropy(K.constant([[0.0]], 'float64'),
                                         K.sigmoid(K.constant([[30.0]], 'float64'))))
    np.testing.assert_allclose(value, [[30.0]], rtol=1e-12)
    # Probabilities from elsewhere keep the epsilon clip.
    clipped = K.eval(K.binary_crossentropy(K.constant([[0.0]], 'float64'),
                                           K.constant([[1.0]], 'float64')))
    np.testing.assert_allclose(clipped, [[-np.log(1e-7)]], rtol=1e-6)


def _hessian_check(loss_fn, t, x):
    """Gradient of sum(w * dL/dx) against central differences of dL/dx."""
    tv, xv = K.constant(t, 'float64'), K.placeholder(x.shape, dtype='float64')
    w = rng.uniform(0.5, 1.5, x.shape)
    g = K.gradients(K.sum(loss_fn(tv, xv)), [xv])[0]
    h = K.gradients(K.sum(g * K.constant(w, 'float64')), [xv])[0]
    gf, hf = K.function([xv], [g]), K.function([xv], [h])
    numeric = np.zeros_like(x)
    eps = 1e-6
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        numeric[i] = np.sum(w * (gf([xp])[0] - gf([xm])[0])) / (2 * eps)
    np.testing.assert_allclose(hf([x])[0], numeric, rtol=1e-5, atol=1e-6)


def test_second_derivatives_through_fused_losses():
    x = r(3, 4)
    _hessian_check(lambda t, a: K.categorical_crossentropy(t, K.softmax(a)), _onehot(3, 4), x)
    _hessian_check(lambda t, a: K.binary_crossentropy(t, K.sigmoid(a)),
                   rng.uniform(0, 1, (3, 4)), x)
    _hessian_check(lambda t, a: K.sparse_categorical_crossentropy(t, a, from_logits=True),
                   np.array([0, 3, 1]), x)


@pytest.mark.parametrize('threads', [1, 2])
def test_large_fused_losses_match_numpy(threads):
    K.set_num_threads(threads)
    x = rng.randn(256, 40).astype(np.float32) * 4
    t = np.eye(40, dtype=np.float32)[rng.randint(0, 40, 256)]
    xv = K.placeholder(x.shape)
    loss = K.categorical_crossentropy(K.constant(t), K.softmax(xv))
    g = K.gradients(K.sum(loss), [xv])[0]
    lv, gv = K.function([xv], [loss, g])([x])
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(lv, -(t * np_log_softmax(x64)).sum(-1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gv, np.exp(np_log_softmax(x64)) - t, rtol=1e-5, atol=1e-6)
    bce = K.binary_crossentropy(K.constant(t), K.sigmoid(xv))
    gb = K.gradients(K.sum(bce), [xv])[0]
    bv, gbv = K.function([xv], [bce, gb])([x])
    np.testing.assert_allclose(bv, np.logaddexp(0, x64) - t * x64, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gbv, 0.5 + 0.5 * np.tanh(x64 / 2) - t, rtol=1e-5, atol=1e-6)


# -- dropout --------------------------------------------------------------------------------

def test_dropout_is_one_fused_op_with_stateful_key():
    x = K.placeholder((None, 10))
    y = K.dropout(x, 0.3)
    assert y.op == 'dropout' and y.inputs[1].op == 'dropout_key'
    g = K.gradients(K.sum(y), [x])[0]
    assert g.op == 'dropout' and g.inputs[1] is y.inputs[1]


@pytest.mark.parametrize('level', [0.1, 0.5, 0.8])
def test_dropout_mean_and_variance(level):
    x = K.placeholder((500, 400))
    f = K.function([x], [K.dropout(x, level, seed=5)])
    v = f([np.ones((500, 400), np.float32)])[0]
    assert abs(np.mean(v == 0) - level) < 0.005
    assert abs(v.mean() - 1) < 0.02
    assert abs(v.var() - level / (1 - level)) < 0.05 * level / (1 - level)


def test_dropout_mask_independent_of_threads_and_new_each_call():
    a = np.ones((300, 200), np.float32)
    x = K.placeholder(a.shape)
    K.set_num_threads(1)
    f1 = K.function([x], [K.dropout(x, 0.5, seed=11)])
    one = [f1([a])[0] for _ in range(2)]
    K.set_num_threads(2)
    f2 = K.function([x], [K.dropout(x, 0.5, seed=11)])
    two = [f2([a])[0] for _ in range(2)]
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
    assert not np.array_equal(one[0], one[1])


def test_dropout_gradient_matches_forward_mask_large():
    a = rng.uniform(1, 2, (64, 300)).astype(np.float32)
    x = K.placeholder(a.shape)
    y = K.dropout(x, 0.25, noise_shape=(64, 1))
    g = K.gradients(K.sum(y), [x])[0]
    yv, gv = K.function([x], [y, g])([a])
    np.testing.assert_allclose(gv, yv / a, rtol=1e-6)
    assert np.all((yv == 0) == (yv[:, :1] == 0))
