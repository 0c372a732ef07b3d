"""bias_add_relu_backprop, an op with two outputs (dz, db) from one compiled
pass: both outputs against numpy in both channel positions and at 1 and 2
threads, second derivatives through bias_add_relu, the executor with the
outputs read by different consumers, and models whose gradients and training
equal those of the unfused graph (relu and bias_add as separate ops)."""
import numpy as np
import pytest

from kback import backend as K
from kback import layers, models, optimizers
from kback.backend import graph_state
from kback.backend.ops.multi_output import apply_multi

rng = np.random.RandomState(11)
FORMATS = ['channels_last', 'channels_first']


def away(*shape):
    """Values at least 0.25 from 0 (relu's kink), either sign."""
    return np.sign(rng.uniform(-1, 1, shape)) * rng.uniform(0.25, 2.0, shape)


def channel_axis(data_format, ndim):
    return 1 if data_format == 'channels_first' else ndim - 1


def np_backprop(y, g, axis):
    dz = np.where(y > 0, g, 0)
    return dz, dz.sum(axis=tuple(i for i in range(y.ndim) if i != axis))


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('threads', [1, 2])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_both_outputs_match_numpy(data_format, threads, dtype):
    K.set_num_threads(threads)
    # Large enough for the compiled kernel and its threads (_kernels/_common.py).
    shape = (16, 12, 10, 9)
    axis = channel_axis(data_format, 4)
    yv = np.maximum(rng.randn(*shape), 0).astype(dtype)
    yv.reshape(-1)[::7] = np.nan            # NaN passes the gradient, as relu's backward
    gv = rng.randn(*shape).astype(dtype)
    y, g = K.placeholder(shape, dtype=dtype), K.placeholder(shape, dtype=dtype)
    dz, db = apply_multi('bias_add_relu_backprop', y, g, axis=axis)
    assert dz.shape == shape and db.shape == (shape[axis],)
    dzv, dbv = K.function([y, g], [dz, db])([yv, gv])
    ref_dz, ref_db = np_backprop(np.where(np.isnan(yv), 1, yv).astype(np.float64), gv, axis)
    np.testing.assert_array_equal(dzv, ref_dz.astype(dtype))
    tol = 1e-4 if dtype == 'float32' else 1e-12
    np.testing.assert_allclose(dbv, ref_db, rtol=tol, atol=tol)
    assert dzv.dtype == dbv.dtype == np.dtype(dtype)


def test_shape_and_dtype_errors_name_the_op():
    with pytest.raises(ValueError, match=r'bias_add_relu_backprop: y of shape \(2, 3\) and g '
                                         r'of shape \(2, 4\) differ'):
        apply_multi('bias_add_relu_backprop', K.placeholder((2, 3)), K.placeholder((2, 4)),
                    axis=1)
    with pytest.raises(ValueError, match='bias_add_relu_backprop: axis 2 is out of range'):
        apply_multi('bias_add_relu_backprop', K.placeholder((2, 3)), K.placeholder((2, 3)),
                    axis=2)
    with pytest.raises(ValueError, match='bias_add_relu_backprop: expects float tensors'):
        apply_multi('bias_add_relu_backprop', K.placeholder((2, 3), dtype='int32'),
                    K.placeholder((2, 3)), axis=1)


@pytest.mark.parametrize('data_format', FORMATS)
def test_second_derivatives_through_bias_add_relu(data_format):
    """d/d(x, b) of sum(u * dL/dx) + sum(v * dL/db), L = sum(c * relu(x + b)^2):
    second order flows through both outputs of the backward into its g."""
    shape = (3, 4, 2, 3)
    axis = channel_axis(data_format, 4)
    xv, bv = away(*shape), rng.uniform(-0.1, 0.1, shape[axis])
    c, u, v = (rng.uniform(0.5, 1.5, s) for s in (shape, shape, shape[axis]))
    x = K.placeholder(shape, dtype='float64')
    b = K.placeholder(bv.shape, dtype='float64')
    y = K.relu(K.bias_add(x, b, data_format))
    assert y.op == 'bias_add_relu'
    gx, gb = K.gradients(K.sum(K.square(y) * K.constant(c, 'float64')), [x, b])
    assert gx.inputs[0].op == 'bias_add_relu_backprop'
    first = K.sum(gx * K.constant(u, 'float64')) + K.sum(gb * K.constant(v, 'float64'))
    hx, hb = K.gradients(first, [x, b])
    f_first, f_second = K.function([x, b], [first]), K.function([x, b], [hx, hb])
    eps = 1e-6
    for value, wrt in zip(f_second([xv, bv]), (0, 1)):
        numeric = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            plus, minus = [xv.copy(), bv.copy()], [xv.copy(), bv.copy()]
            plus[wrt][i] += eps
            minus[wrt][i] -= eps
            numeric[i] = (f_first(plus)[0] - f_first(minus)[0]) / (2 * eps)
        np.testing.assert_allclose(value, numeric, rtol=1e-5, atol=1e-6)


def test_outputs_read_by_elementwise_consumers_stay_intact():
    """dz feeds ops that may write into a dying input (the executor's in-place
    reuse) while db is still to be read: neither output is overwritten."""
    shape = (64, 32)
    yv, gv = np.maximum(rng.randn(*shape), 0), rng.randn(*shape)
    y, g = K.placeholder(shape, dtype='float64'), K.placeholder(shape, dtype='float64')
    dz, db = apply_multi('bias_add_relu_backprop', y, g, axis=1)
    outs = [K.exp(dz * 3.0 - 1.0), db * 2.0, K.sum(dz, axis=0) - db, dz]
    f = K.function([y, g], outs)
    ref_dz, ref_db = np_backprop(yv, gv, 1)
    for _ in range(2):                      # a second call reuses nothing stale
        e, d2, zero, dzv = f([yv, gv])
        np.testing.assert_allclose(e, np.exp(ref_dz * 3.0 - 1.0), rtol=1e-12)
        np.testing.assert_allclose(d2, 2 * ref_db, rtol=1e-12)
        np.testing.assert_allclose(zero, 0, atol=1e-12)
        np.testing.assert_array_equal(dzv, ref_dz)


def test_the_pair_is_freed_after_its_last_output():
    """The generated step drops the (dz, db) pair once both are taken out."""
    x = K.placeholder((None, 8))
    w, b = K.variable(rng.randn(8, 16)), K.variable(np.zeros(16))
    loss = K.sum(K.square(K.relu(K.bias_add(K.dot(x, w), b))))
    f = K.function([x], K.gradients(loss, [w, b]))
    pair = next(n for n in graph_state.reachable(f.outputs) if n.op == 'bias_add_relu_backprop')
    slot = f._slots[pair.id]
    lines = f._source.splitlines()
    takes = [k for k, line in enumerate(lines) if line.strip().startswith('v') and
             f'({slot})' in line]
    assert len(takes) == 2                  # output 0 and output 1
    assert lines[takes[-1] + 1].strip().startswith('del ') and slot in lines[takes[-1] + 1]


# -- models: the fused graph trains as the unfused one ---------------------------------------

def unfused_relu(x):
    """relu as its own op: identity hides the bias_add from K.relu's fusion,
    and the relu from a max-pool's (K.pool2d's relu-after-pool)."""
    return K.identity(K.relu(K.identity(x)))


def mlp(activation):
    return models.Sequential([layers.Dense(16, activation=activation, input_shape=(12,)),
                              layers.Dense(8, activation=activation),
                              layers.Dense(3, activation='softmax')])


def convnet(activation, data_format, pooling):
    shape = (9, 9, 2) if data_format == 'channels_last' else (2, 9, 9)
    return models.Sequential([
        layers.Conv2D(4, 3, activation=activation, data_format=data_format, input_shape=shape),
        pooling(2, data_format=data_format),
        layers.Conv2D(5, 2, activation=activation, padding='same', data_format=data_format),
        layers.Flatten(), layers.Dense(3, activation='softmax')])


def ops_of(model):
    return {n.op for n in graph_state.reachable(model.outputs)}


def gradients_and_training(build, x, y, steps=4):
    """The model's gradients at its initial weights (each of the loss w.r.t.
    every weight), then its weights after `steps` SGD steps."""
    K.clear_session()
    np.random.seed(3)
    model = build()
    target = K.placeholder((None, y.shape[1]))
    loss = K.mean(K.categorical_crossentropy(target, model.output))
    grad_values = K.function([model.input, target],
                             K.gradients(loss, model.trainable_weights))([x, y])
    model.compile(optimizers.SGD(lr=0.05, momentum=0.9), 'categorical_crossentropy')
    for _ in range(steps):
        model.train_on_batch(x, y)
    return model, grad_values, model.get_weights()


def assert_fused_equals_unfused(fused_build, unfused_build, x, y):
    fused, fused_grads, fused_weights = gradients_and_training(fused_build, x, y)
    assert 'bias_add_relu' in ops_of(fused)
    unfused, unfused_grads, unfused_weights = gradients_and_training(unfused_build, x, y)
    assert 'bias_add_relu' not in ops_of(unfused)
    assert len(fused_grads) == len(unfused_grads)
    for a, b in zip(fused_grads, unfused_grads):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(fused_weights, unfused_weights):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def onehot(n, classes=3):
    return np.eye(classes)[rng.randint(0, classes, n)]


def test_dense_relu_mlp_trains_as_unfused():
    x, y = rng.randn(32, 12).astype('float32'), onehot(32)
    assert_fused_equals_unfused(lambda: mlp('relu'), lambda: mlp(unfused_relu), x, y)


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('pooling', [layers.MaxPooling2D, layers.AveragePooling2D])
def test_conv_relu_pool_trains_as_unfused(data_format, pooling):
    """Max-pooling: relu moves after the pool (K.pool2d), the bias into the conv
    and its gradient onto the pooled gradient; average pooling keeps
    bias_add_relu, whose db feeds the optimizer while dz feeds the conv's
    backprops."""
    shape = (16, 9, 9, 2) if data_format == 'channels_last' else (16, 2, 9, 9)
    x, y = rng.randn(*shape).astype('float32'), onehot(16)
    assert_fused_equals_unfused(lambda: convnet('relu', data_format, pooling),
                                lambda: convnet(unfused_relu, data_format, pooling), x, y)
