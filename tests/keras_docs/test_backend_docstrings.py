"""The Keras 2.3.1 backend docstrings (the `>>>` examples and the documented
shapes, dtypes and return types) checked against kback, with numpy
references."""
import numpy as np
import pytest

from kback import backend as K
from kback.layers import Input, Dense

rng = np.random.RandomState(3)


def r(*shape):
    return rng.uniform(-1.0, 1.0, shape)


# -- signatures: argument names and defaults as in Keras 2.3.1 ---------------------------

SIGNATURES = {
    'variable': '(value, dtype=None, name=None, constraint=None)',
    'constant': '(value, dtype=None, shape=None, name=None)',
    'placeholder': '(shape=None, ndim=None, dtype=None, sparse=False, name=None)',
    'zeros': '(shape, dtype=None, name=None)',
    'ones': '(shape, dtype=None, name=None)',
    'eye': '(size, dtype=None, name=None)',
    'zeros_like': '(x, dtype=None, name=None)',
    'ones_like': '(x, dtype=None, name=None)',
    'identity': '(x, name=None)',
    'random_uniform_variable': '(shape, low, high, dtype=None, name=None, seed=None)',
    'random_normal_variable': '(shape, mean, scale, dtype=None, name=None, seed=None)',
    'cast': '(x, dtype)',
    'update': '(x, new_x)',
    'update_add': '(x, increment)',
    'update_sub': '(x, decrement)',
    'moving_average_update': '(x, value, momentum)',
    'dot': '(x, y)',
    'batch_dot': '(x, y, axes=None)',
    'gather': '(reference, indices)',
    'max': '(x, axis=None, keepdims=False)',
    'cumsum': '(x, axis=0)',
    'argmax': '(x, axis=-1)',
    'pow': '(x, a)',
    'clip': '(x, min_value, max_value)',
    'normalize_batch_in_training': '(x, gamma, beta, reduction_axes, epsilon=0.001)',
    'batch_normalization': '(x, mean, var, beta, gamma, axis=-1, epsilon=0.001)',
    'concatenate': '(tensors, axis=-1)',
    'reshape': '(x, shape)',
    'permute_dimensions': '(x, pattern)',
    'resize_images': "(x, height_factor, width_factor, data_format, interpolation='nearest')",
    'resize_volumes': '(x, depth_factor, height_factor, width_factor, data_format)',
    'repeat_elements': '(x, rep, axis)',
    'repeat': '(x, n)',
    'arange': "(start, stop=None, step=1, dtype='int32')",
    'tile': '(x, n)',
    'flatten': '(x)',
    'batch_flatten': '(x)',
    'expand_dims': '(x, axis=-1)',
    'squeeze': '(x, axis)',
    'temporal_padding': '(x, padding=(1, 1))',
    'spatial_2d_padding': '(x, padding=((1, 1), (1, 1)), data_format=None)',
    'spatial_3d_padding': '(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None)',
    'stack': '(x, axis=0)',
    'one_hot': '(indices, num_classes)',
    'reverse': '(x, axes)',
    'slice': '(x, start, size)',
    'get_value': '(x)',
    'batch_get_value': '(ops)',
    'set_value': '(x, value)',
    'batch_set_value': '(tuples)',
    'print_tensor': "(x, message='')",
    'function': '(inputs, outputs, updates=None, **kwargs)',
    'gradients': '(loss, variables)',
    'stop_gradient': '(variables)',
    'switch': '(condition, then_expression, else_expression)',
    'in_train_phase': '(x, alt, training=None)',
    'in_test_phase': '(x, alt, training=None)',
    'relu': '(x, alpha=0.0, max_value=None, threshold=0.0)',
    'elu': '(x, alpha=1.0)',
    'softmax': '(x, axis=-1)',
    'categorical_crossentropy': '(target, output, from_logits=False, axis=-1)',
    'sparse_categorical_crossentropy': '(target, output, from_logits=False, axis=-1)',
    'binary_crossentropy': '(target, output, from_logits=False)',
    'dropout': '(x, level, noise_shape=None, seed=None)',
    'l2_normalize': '(x, axis=None)',
    'in_top_k': '(predictions, targets, k)',
    'conv1d': "(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1)",
    'conv2d':
        "(x, kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1))",
    'conv2d_transpose':
        "(x, kernel, output_shape, strides=(1, 1), padding='valid', data_format=None, "
        'dilation_rate=(1, 1))',
    'separable_conv1d':
        "(x, depthwise_kernel, pointwise_kernel, strides=1, padding='valid', "
        'data_format=None, dilation_rate=1)',
    'separable_conv2d':
        "(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid', "
        'data_format=None, dilation_rate=(1, 1))',
    'depthwise_conv2d':
        "(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None, "
        'dilation_rate=(1, 1))',
    'pool2d': "(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max')",
    'local_conv1d': '(inputs, kernel, kernel_size, strides, data_format=None)',
    'local_conv2d': '(inputs, kernel, kernel_size, strides, output_shape, data_format=None)',
    'bias_add': '(x, bias, data_format=None)',
    'random_normal': '(shape, mean=0.0, stddev=1.0, dtype=None, seed=None)',
    'random_uniform': '(shape, minval=0.0, maxval=1.0, dtype=None, seed=None)',
    'random_binomial': '(shape, p=0.0, dtype=None, seed=None)',
    'truncated_normal': '(shape, mean=0.0, stddev=1.0, dtype=None, seed=None)',
    'map_fn': '(fn, elems, name=None, dtype=None)',
    'foldl': '(fn, elems, initializer=None, name=None)',
    'foldr': '(fn, elems, initializer=None, name=None)',
    'get_uid': "(prefix='')",
    'size': '(x, name=None)',
    'set_floatx': '(floatx)',
    'set_epsilon': '(e)',
    'set_image_data_format': '(data_format)',
    'normalize_data_format': '(value)',
    'cast_to_floatx': '(x)',
    'set_learning_phase': '(value)',
    'logsumexp': '(x, axis=None, keepdims=False)',
    'is_keras_tensor': '(x)',
    'int_shape': '(x)',
    'ndim': '(x)',
    'count_params': '(x)',
    'eval': '(x)',
    'dtype': '(x)',
    'shape': '(x)',
    'is_placeholder': '(x)',
    'is_variable': '(x)',
}


@pytest.mark.parametrize('name', sorted(SIGNATURES))
def test_signature(name):
    import inspect
    assert str(inspect.signature(getattr(K, name))) == SIGNATURES[name]


# -- settings --------------------------------------------------------------------------

def test_epsilon_floatx_data_format_examples():
    assert K.epsilon() == 1e-07
    K.set_epsilon(1e-05)
    assert K.epsilon() == 1e-05
    assert K.floatx() == 'float32'
    K.set_floatx('float16')
    assert K.floatx() == 'float16'
    assert K.image_data_format() == 'channels_last'
    K.set_image_data_format('channels_first')
    assert K.image_data_format() == 'channels_first'
    assert K.normalize_data_format(None) == 'channels_first'
    assert K.normalize_data_format('channels_last') == 'channels_last'
    with pytest.raises(ValueError):
        K.normalize_data_format('channels_middle')
    with pytest.raises(ValueError):
        K.set_floatx('float8')
    with pytest.raises(ValueError):
        K.set_image_data_format('nchw')
    assert isinstance(K.backend(), str)


def test_cast_to_floatx_example():
    arr = np.array([1.0, 2.0], dtype='float64')
    new_arr = K.cast_to_floatx(arr)
    assert new_arr.dtype == np.float32
    np.testing.assert_array_equal(new_arr, [1.0, 2.0])
    assert arr.dtype == np.float64
    K.set_floatx('float64')
    assert K.cast_to_floatx([1, 2]).dtype == np.float64


def test_get_uid_and_reset_uids():
    assert K.get_uid('dense') == 1
    assert K.get_uid('dense') == 2
    assert K.get_uid('conv') == 1
    K.reset_uids()
    assert K.get_uid('dense') == 1


def test_learning_phase():
    with pytest.raises(ValueError):
        K.set_learning_phase(2)
    K.set_learning_phase(1)
    assert K.learning_phase() == 1
    K.set_learning_phase(0)
    assert K.learning_phase() == 0


def test_graph_compat_helpers():
    K.manual_variable_initialization(True)
    v = K.variable([1.0, 2.0])
    np.testing.assert_array_equal(K.eval(v), [1.0, 2.0])
    K.manual_variable_initialization(False)

    @K.symbolic
    def double(x):
        return x * 2

    @K.eager
    def triple(x):
        return x * 3

    assert double.__name__ == 'double'
    np.testing.assert_array_equal(K.eval(double(v)), [2.0, 4.0])
    np.testing.assert_array_equal(K.eval(triple(v)), [3.0, 6.0])
    assert K.is_symbolic(K.placeholder((2,))) and K.is_symbolic(v * 2)
    assert not K.is_symbolic(v) and not K.is_symbolic(np.zeros(2))
    with K.name_scope('block') as scope:
        assert 'block' in scope
        y = v + 1
    np.testing.assert_array_equal(K.eval(y), [2.0, 3.0])
    assert K.is_sparse(K.placeholder((2, 2), sparse=False)) is False
    assert K.to_dense(v) is v


# -- variables, placeholders, predicates ------------------------------------------------

def test_variable_example():
    val = np.array([[1, 2], [3, 4]])
    kvar = K.variable(value=val, dtype='float64', name='example_var')
    assert K.dtype(kvar) == 'float64'
    assert kvar.name == 'example_var'
    out = K.eval(kvar)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1.0, 2.0], [3.0, 4.0]])
    assert K.is_variable(kvar)
    assert K.dtype(K.variable(val)) == 'float32'
    assert K.dtype(K.variable(np.array([[1, 2], [3, 4]]), dtype='float32')) == 'float32'
    constraint = lambda w: w / 2   # noqa: E731
    assert K.variable(val, constraint=constraint).constraint is constraint


def test_constant():
    c = K.constant(2.5, shape=(2, 3))
    np.testing.assert_array_equal(K.eval(c), np.full((2, 3), 2.5))
    assert K.dtype(c) == 'float32'
    assert K.dtype(K.constant([1, 2], dtype='int32')) == 'int32'
    assert K.int_shape(K.constant(np.arange(6), shape=(2, 3))) == (2, 3)
    assert K.constant(1.0, name='c').name == 'c'


def test_placeholder_examples():
    input_ph = K.placeholder(shape=(2, 4, 5))
    assert input_ph._keras_shape == (2, 4, 5)
    assert K.int_shape(input_ph) == (2, 4, 5)
    assert K.dtype(input_ph) == 'float32'
    assert K.int_shape(K.placeholder(ndim=3)) == (None, None, None)
    assert K.dtype(K.placeholder(shape=(2, 4, 5), dtype='float64')) == 'float64'
    assert K.is_placeholder(input_ph)
    assert not K.is_placeholder(K.variable(1.0))
    assert not K.is_placeholder(np.zeros(2))


def test_is_keras_tensor_example():
    np_var = np.array([1, 2])
    with pytest.raises(ValueError):
        K.is_keras_tensor(np_var)
    assert K.is_keras_tensor(K.variable(np_var)) is False
    assert K.is_keras_tensor(K.placeholder(shape=(2, 4, 5))) is False
    keras_input = Input([10])
    assert K.is_keras_tensor(keras_input) is True
    assert K.is_keras_tensor(Dense(10)(keras_input)) is True
    assert K.is_tensor(keras_input) and not K.is_tensor(np_var)


def test_shape_int_shape_ndim_size_dtype_examples():
    kvar = K.variable(value=np.array([[1, 2], [3, 4]]))
    inputs = K.placeholder(shape=(2, 4, 5))
    np.testing.assert_array_equal(K.eval(K.shape(kvar)), [2, 2])
    assert K.dtype(K.shape(kvar)) == 'int32'
    assert K.int_shape(K.shape(inputs)) == (3,)
    assert K.int_shape(inputs) == (2, 4, 5) and isinstance(K.int_shape(inputs), tuple)
    assert K.int_shape(kvar) == (2, 2)
    assert K.ndim(inputs) == 3 and K.ndim(kvar) == 2 and isinstance(K.ndim(kvar), int)
    assert K.eval(K.size(kvar)) == 4
    assert K.get_variable_shape(kvar) == (2, 2)
    assert K.dtype(K.placeholder(shape=(2, 4, 5))) == 'float32'
    assert K.dtype(K.placeholder(shape=(2, 4, 5), dtype='float64')) == 'float64'


def test_eval_zeros_ones_eye_like_examples():
    kvar = K.variable(np.array([[1, 2], [3, 4]]), dtype='float32')
    out = K.eval(kvar)
    assert out.dtype == np.float32
    z = K.eval(K.zeros((3, 4)))
    assert z.dtype == np.float32 and z.shape == (3, 4) and not z.any()
    o = K.eval(K.ones((3, 4)))
    assert o.dtype == np.float32 and (o == 1).all()
    np.testing.assert_array_equal(K.eval(K.eye(3)), np.eye(3))
    np.testing.assert_array_equal(K.eval(K.eye((2, 3))), [[1, 0, 0], [0, 1, 0]])
    assert K.eval(K.eye(3)).dtype == np.float32
    kvar = K.variable(np.random.random((2, 3)))
    np.testing.assert_array_equal(K.eval(K.zeros_like(kvar)), np.zeros((2, 3)))
    np.testing.assert_array_equal(K.eval(K.ones_like(kvar)), np.ones((2, 3)))
    assert K.dtype(K.ones_like(kvar, dtype='float64')) == 'float64'
    np.testing.assert_array_equal(K.eval(K.identity(kvar)), K.eval(kvar))


def test_count_params_example():
    kvar = K.zeros((2, 3))
    assert K.count_params(kvar) == 6
    np.testing.assert_array_equal(K.eval(kvar), np.zeros((2, 3)))


def test_cast_example():
    inputs = K.placeholder((2, 3), dtype='float32')
    half = K.cast(inputs, dtype='float16')
    assert K.dtype(half) == 'float16' and K.int_shape(half) == (2, 3)
    assert K.dtype(inputs) == 'float32'


def test_random_variables():
    u = K.random_uniform_variable((2, 3), 0, 1)
    assert K.is_variable(u) and K.int_shape(u) == (2, 3)
    assert ((K.eval(u) >= 0) & (K.eval(u) <= 1)).all()
    n = K.random_normal_variable((2, 3), 0, 1, dtype='float64', name='n', seed=5)
    assert K.dtype(n) == 'float64' and n.name == 'n'
    same = K.random_normal_variable((2, 3), 0, 1, dtype='float64', seed=5)
    np.testing.assert_array_equal(K.eval(n), K.eval(same))


# -- updates --------------------------------------------------------------------------

def test_updates_apply_through_function():
    x = K.variable([1.0, 2.0])
    K.function([], [], updates=[K.update_add(x, [1.0, 1.0])])([])
    np.testing.assert_array_equal(K.get_value(x), [2.0, 3.0])
    K.function([], [], updates=[K.update_sub(x, [0.5, 0.5])])([])
    np.testing.assert_array_equal(K.get_value(x), [1.5, 2.5])
    K.function([], [], updates=[K.update(x, [7.0, 8.0])])([])
    np.testing.assert_array_equal(K.get_value(x), [7.0, 8.0])


def test_moving_average_update():
    x = K.variable([1.0, 2.0])
    K.function([], [], updates=[K.moving_average_update(x, K.constant([3.0, 6.0]), 0.9)])([])
    # x - (x - value) * (1 - momentum)
    np.testing.assert_allclose(K.get_value(x), [1.2, 2.4], rtol=1e-6)


def test_value_functions():
    x = K.variable(np.zeros((2, 2)))
    K.set_value(x, np.ones((2, 2)))
    np.testing.assert_array_equal(K.get_value(x), np.ones((2, 2)))
    y = K.variable([1.0])
    K.batch_set_value([(x, np.full((2, 2), 3.0)), (y, [5.0])])
    got = K.batch_get_value([x, y])
    assert isinstance(got, list)
    np.testing.assert_array_equal(got[0], np.full((2, 2), 3.0))
    np.testing.assert_array_equal(got[1], [5.0])


# -- linear algebra ------------------------------------------------------------------

def test_dot_examples():
    assert K.int_shape(K.dot(K.placeholder(shape=(2, 3)), K.placeholder(shape=(3, 4)))) == (2, 4)
    assert K.int_shape(K.dot(K.placeholder(shape=(32, 28, 3)),
                             K.placeholder(shape=(3, 4)))) == (32, 28, 4)
    x = K.random_uniform_variable(shape=(2, 3), low=0, high=1)
    y = K.ones((4, 3, 5))
    xy = K.dot(x, y)
    assert K.int_shape(xy) == (2, 4, 5)
    np.testing.assert_allclose(K.eval(xy), np.dot(K.eval(x), np.ones((4, 3, 5))), rtol=1e-6)


def test_batch_dot_doc_examples():
    x = K.variable([[1, 2], [3, 4]])
    y = K.variable([[5, 6], [7, 8]])
    np.testing.assert_array_equal(K.eval(K.batch_dot(x, y, axes=1)), [[17], [53]])
    x_batch = K.ones(shape=(32, 20, 1))
    y_batch = K.ones(shape=(32, 30, 20))
    xy_batch_dot = K.batch_dot(x_batch, y_batch, axes=(1, 2))
    assert K.int_shape(xy_batch_dot) == (32, 1, 30)
    np.testing.assert_array_equal(K.eval(xy_batch_dot), np.full((32, 1, 30), 20.0))
    assert K.int_shape(K.batch_dot(K.ones((100, 20)), K.ones((100, 30, 20)), axes=(1, 2))) == \
        (100, 30)
    assert K.int_shape(K.batch_dot(x_batch, y_batch, axes=[1, 2])) == (32, 1, 30)
    with pytest.raises(ValueError):
        K.batch_dot(K.ones((32, 20)), K.ones((32, 20)), axes=0)
    with pytest.raises(ValueError):
        K.batch_dot(K.ones((32, 20)), K.ones((32, 20)), axes=[(1, 2), 1])


def _np_batch_dot(x, y, axes):
    if isinstance(axes, int):
        axes = [axes, axes]
    if axes is None:
        axes = [x.ndim - 1, y.ndim - 1 if y.ndim == 2 else y.ndim - 2]
    a0, a1 = axes[0] % x.ndim, axes[1] % y.ndim
    out = np.array([np.tensordot(xi, yi, (a0 - 1, a1 - 1)) for xi, yi in zip(x, y)])
    return out[:, None] if out.ndim == 1 else out


@pytest.mark.parametrize('xs, ys, axes', [
    ((4, 2, 3), (4, 5, 3), (2, 2)), ((4, 2, 3), (4, 3), (2, 1)), ((4, 2), (4, 2, 3), (1, 1)),
    ((32, 20), (32, 20), 1), ((32, 20), (32, 20), (1, 1)), ((4, 2, 3), (4, 3, 5), None),
    ((4, 3), (4, 3), None), ((4, 2, 3), (4, 3), None), ((3, 2, 4, 5), (3, 5, 6), (3, 1)),
    ((3, 2, 4, 5), (3, 6, 4, 7), (2, 2)), ((3, 4, 5), (3, 2, 4, 6), (-2, -2)),
])
def test_batch_dot_against_per_sample_tensordot(xs, ys, axes):
    x, y = r(*xs), r(*ys)
    expected = _np_batch_dot(x, y, axes)
    out = K.batch_dot(K.variable(x), K.variable(y), axes=axes)
    assert K.int_shape(out) == expected.shape
    np.testing.assert_allclose(K.eval(out), expected, rtol=1e-5, atol=1e-6)
    # The same with every dim unknown when the graph is built.
    px, py = K.placeholder(ndim=len(xs)), K.placeholder(ndim=len(ys))
    out = K.batch_dot(px, py, axes=axes)
    assert len(K.int_shape(out)) == expected.ndim
    got = K.function([px, py], [out])([x, y])[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_transpose_examples():
    var = K.variable([[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(K.eval(K.transpose(var)), [[1, 4], [2, 5], [3, 6]])
    assert K.int_shape(K.transpose(K.placeholder((2, 3)))) == (3, 2)


def test_gather():
    ref = np.arange(60.0).reshape(10, 2, 3)
    out = K.gather(K.variable(ref), K.variable([1, 3, 7, 9], dtype='int32'))
    assert K.int_shape(out) == (4, 2, 3)
    np.testing.assert_array_equal(K.eval(out), ref[[1, 3, 7, 9]])
    idx = rng.randint(0, 10, (5, 6))
    out = K.gather(K.variable(ref), K.constant(idx, dtype='int32'))
    assert K.int_shape(out) == (5, 6, 2, 3)
    np.testing.assert_array_equal(K.eval(out), ref[idx])


# -- reductions and elementwise -------------------------------------------------------------

@pytest.mark.parametrize('name, ref', [
    ('max', np.max), ('min', np.min), ('sum', np.sum), ('prod', np.prod), ('mean', np.mean),
    ('var', np.var), ('std', np.std), ('any', np.any), ('all', np.all)])
@pytest.mark.parametrize('axis, keepdims', [(None, False), (1, True), (-1, False),
                                            ([1, -1], False), ([0, 2], True)])
def test_reductions(name, ref, axis, keepdims):
    x = r(4, 2, 3)
    if name in ('any', 'all'):
        x = x > 0.5
    axis_np = tuple(axis) if isinstance(axis, list) else axis
    out = getattr(K, name)(K.constant(x, dtype='bool' if x.dtype == bool else None),
                           axis=axis, keepdims=keepdims)
    expected = ref(x, axis=axis_np, keepdims=keepdims)
    assert K.int_shape(out) == np.shape(expected)
    np.testing.assert_allclose(K.eval(out), expected, rtol=1e-5, atol=1e-6)


def test_logsumexp_cumsum_cumprod_argmax():
    x = r(3, 4)
    from scipy.special import logsumexp
    np.testing.assert_allclose(K.eval(K.logsumexp(K.variable(x), axis=1)),
                               logsumexp(x, axis=1), rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.logsumexp(K.variable(x))), logsumexp(x), rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.cumsum(K.variable(x))), np.cumsum(x, axis=0), rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.cumprod(K.variable(x), axis=1)), np.cumprod(x, axis=1),
                               rtol=1e-5)
    np.testing.assert_array_equal(K.eval(K.argmax(K.variable(x))), np.argmax(x, -1))
    np.testing.assert_array_equal(K.eval(K.argmin(K.variable(x), axis=0)), np.argmin(x, 0))


def test_elementwise_documented_semantics():
    x = K.variable([-2.5, -0.5, 0.5, 1.5, 2.5])
    # round: ties to even.
    np.testing.assert_array_equal(K.eval(K.round(x)), [-2.0, -0.0, 0.0, 2.0, 2.0])
    # sqrt clips negative inputs to 0.
    np.testing.assert_array_equal(K.eval(K.sqrt(K.variable([-1.0, 4.0]))), [0.0, 2.0])
    np.testing.assert_array_equal(K.eval(K.sign(x)), np.sign([-2.5, -0.5, 0.5, 1.5, 2.5]))
    np.testing.assert_allclose(K.eval(K.pow(K.variable([2.0, 3.0]), 3)), [8.0, 27.0])
    # clip: None means unbounded; max_value < min_value becomes min_value.
    np.testing.assert_array_equal(K.eval(K.clip(x, None, 1.0)), [-2.5, -0.5, 0.5, 1.0, 1.0])
    np.testing.assert_array_equal(K.eval(K.clip(x, 1.0, 0.0)), np.ones(5))
    for name, fn in [('equal', np.equal), ('not_equal', np.not_equal), ('greater', np.greater),
                     ('greater_equal', np.greater_equal), ('less', np.less),
                     ('less_equal', np.less_equal)]:
        out = getattr(K, name)(x, K.variable([0.5] * 5))
        assert K.dtype(out) == 'bool'
        np.testing.assert_array_equal(K.eval(out), fn([-2.5, -0.5, 0.5, 1.5, 2.5], 0.5))
    v = r(3, 4)
    for name, fn in [('square', np.square), ('abs', np.abs), ('exp', np.exp),
                     ('sin', np.sin), ('cos', np.cos)]:
        np.testing.assert_allclose(K.eval(getattr(K, name)(K.variable(v))), fn(v), rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.log(K.variable(np.abs(v) + 0.1))), np.log(np.abs(v) + 0.1),
                               rtol=1e-5)
    w = r(3, 4)
    np.testing.assert_allclose(K.eval(K.maximum(K.variable(v), K.variable(w))), np.maximum(v, w))
    np.testing.assert_allclose(K.eval(K.minimum(K.variable(v), K.variable(w))), np.minimum(v, w))


def test_batch_normalization_functions():
    x = r(6, 4)
    gamma, beta = rng.uniform(0.5, 1.5, 4), r(4)
    normed, mean, var = K.normalize_batch_in_training(K.variable(x), K.variable(gamma),
                                                      K.variable(beta), [0], epsilon=1e-3)
    np.testing.assert_allclose(K.eval(mean), x.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(K.eval(var), x.var(0), rtol=1e-5, atol=1e-6)
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3) * gamma + beta
    np.testing.assert_allclose(K.eval(normed), expected, rtol=1e-4, atol=1e-5)
    m, v = r(4), rng.uniform(0.5, 2.0, 4)
    out = K.batch_normalization(K.variable(x), K.variable(m), K.variable(v), K.variable(beta),
                                K.variable(gamma), epsilon=1e-3)
    np.testing.assert_allclose(K.eval(out), (x - m) / np.sqrt(v + 1e-3) * gamma + beta,
                               rtol=1e-4, atol=1e-5)


# -- shapes ---------------------------------------------------------------------------------

def test_shape_functions():
    x = r(4, 3)
    out = K.concatenate([K.variable(x), K.variable(r(4, 2))], axis=-1)
    assert K.int_shape(out) == (4, 5)
    assert K.int_shape(K.reshape(K.variable(r(4, 2)), (8, 1))) == (8, 1)
    v = r(4, 2, 3)
    np.testing.assert_array_equal(K.eval(K.permute_dimensions(K.variable(v), (2, 0, 1))),
                                  np.transpose(v, (2, 0, 1)).astype('float32'))
    rep = K.repeat(K.variable(x), 2)
    assert K.int_shape(rep) == (4, 2, 3)
    np.testing.assert_array_equal(K.eval(rep)[:, 1], x.astype('float32'))
    assert K.int_shape(K.flatten(K.variable(v))) == (24,)
    assert K.int_shape(K.batch_flatten(K.placeholder((None, 2, 5)))) == (None, 10)
    assert K.int_shape(K.expand_dims(K.variable(x))) == (4, 3, 1)
    assert K.int_shape(K.expand_dims(K.variable(v), axis=1)) == (4, 1, 2, 3)
    assert K.int_shape(K.squeeze(K.variable(r(4, 3, 1)), 2)) == (4, 3)
    assert K.int_shape(K.stack([K.variable(x), K.variable(x)], axis=1)) == (4, 2, 3)
    np.testing.assert_array_equal(K.eval(K.reverse(K.variable(v), 1)), v[:, ::-1].astype('float32'))
    np.testing.assert_array_equal(K.eval(K.reverse(K.variable(v), (1, 2))),
                                  v[:, ::-1, ::-1].astype('float32'))
    y = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(K.eval(K.slice(K.variable(y), (1, 1), (2, 2))), y[1:3, 1:3])


@pytest.mark.parametrize('ndims', [1, 2, 3])
def test_repeat_elements(ndims):
    shape = np.arange(2, 2 + ndims)
    arr = np.arange(np.prod(shape)).reshape(shape).astype('float32')
    for axis in range(ndims):
        out = K.repeat_elements(K.variable(arr), 3, axis=axis)
        np.testing.assert_array_equal(K.eval(out), np.repeat(arr, 3, axis=axis))
        unknown = list(shape)
        unknown[axis] = None
        y = K.repeat_elements(K.placeholder(shape=unknown), 3, axis=axis)
        assert K.int_shape(y) == tuple(unknown)


def test_tile_example():
    np.testing.assert_array_equal(K.eval(K.tile(K.eye(2), (2, 3))),
                                  [[1, 0, 1, 0, 1, 0], [0, 1, 0, 1, 0, 1],
                                   [1, 0, 1, 0, 1, 0], [0, 1, 0, 1, 0, 1]])
    arr = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(K.eval(K.tile(K.variable(arr), [2, 1])), np.tile(arr, [2, 1]))
    # Shorter n is padded with leading 1s.
    np.testing.assert_array_equal(K.eval(K.tile(K.variable(arr), 2)), np.tile(arr, 2))


def test_arange():
    out = K.arange(5)
    assert K.dtype(out) == 'int32'
    np.testing.assert_array_equal(K.eval(out), np.arange(5))
    assert K.eval(K.arange(-3)).shape == (0,)
    np.testing.assert_array_equal(K.eval(K.arange(1, 10, 2)), [1, 3, 5, 7, 9])
    assert K.dtype(K.arange(3, dtype='float32')) == 'float32'


def test_padding_and_resizing():
    x = r(2, 3, 4)
    out = K.temporal_padding(K.variable(x), (2, 1))
    np.testing.assert_array_equal(K.eval(out),
                                  np.pad(x, ((0, 0), (2, 1), (0, 0))).astype('float32'))
    assert K.int_shape(K.temporal_padding(K.variable(x))) == (2, 5, 4)
    x4 = r(2, 3, 4, 5)
    pad = ((1, 2), (0, 3))
    np.testing.assert_array_equal(
        K.eval(K.spatial_2d_padding(K.variable(x4), pad, 'channels_last')),
        np.pad(x4, ((0, 0), (1, 2), (0, 3), (0, 0))).astype('float32'))
    np.testing.assert_array_equal(
        K.eval(K.spatial_2d_padding(K.variable(x4), pad, 'channels_first')),
        np.pad(x4, ((0, 0), (0, 0), (1, 2), (0, 3))).astype('float32'))
    x5 = r(2, 3, 2, 4, 2)
    pad3 = ((1, 0), (0, 2), (1, 1))
    np.testing.assert_array_equal(
        K.eval(K.spatial_3d_padding(K.variable(x5), pad3, 'channels_last')),
        np.pad(x5, ((0, 0),) + pad3 + ((0, 0),)).astype('float32'))
    np.testing.assert_array_equal(
        K.eval(K.spatial_3d_padding(K.variable(x5), pad3, 'channels_first')),
        np.pad(x5, ((0, 0), (0, 0)) + pad3).astype('float32'))
    assert K.int_shape(K.spatial_3d_padding(K.variable(x5))) == (2, 5, 4, 6, 2)
    up = K.resize_images(K.variable(x4), 2, 3, 'channels_last')
    np.testing.assert_array_equal(K.eval(up), x4.repeat(2, 1).repeat(3, 2).astype('float32'))
    up = K.resize_images(K.variable(x4), 2, 3, 'channels_first')
    np.testing.assert_array_equal(K.eval(up), x4.repeat(2, 2).repeat(3, 3).astype('float32'))
    assert K.int_shape(K.resize_images(K.placeholder((None, None, 3, 4)), 2, 3,
                                       'channels_last')) == (None, None, 9, 4)
    vol = K.resize_volumes(K.variable(x5), 2, 1, 3, 'channels_last')
    np.testing.assert_array_equal(K.eval(vol), x5.repeat(2, 1).repeat(3, 3).astype('float32'))
    vol = K.resize_volumes(K.variable(x5), 1, 2, 2, 'channels_first')
    np.testing.assert_array_equal(K.eval(vol), x5.repeat(2, 3).repeat(2, 4).astype('float32'))


def test_one_hot():
    idx = np.array([[0, 2, 1], [3, 3, 0]])
    out = K.one_hot(K.constant(idx, dtype='int32'), 4)
    assert K.int_shape(out) == (2, 3, 4)
    np.testing.assert_array_equal(K.eval(out), np.eye(4)[idx])


# -- functions, gradients, printing ---------------------------------------------------------

def test_function_gradients_stop_gradient():
    x = K.placeholder((2,))
    w = K.variable([3.0, 4.0])
    loss = K.sum(x * w * w)
    grads = K.gradients(loss, [w])
    assert isinstance(grads, list) and len(grads) == 1
    # A single tensor also gives a list, as tf.gradients does.
    assert isinstance(K.gradients(loss, w), list)
    f = K.function([x], [loss] + grads)
    out = f([np.array([1.0, 2.0])])
    assert isinstance(out, list) and all(isinstance(o, np.ndarray) for o in out)
    np.testing.assert_allclose(out[0], 9.0 + 32.0)
    np.testing.assert_allclose(out[1], [6.0, 16.0])
    stopped = K.sum(K.stop_gradient(w) * w)
    np.testing.assert_allclose(K.eval(K.gradients(stopped, [w])[0]), [3.0, 4.0])
    assert len(K.stop_gradient([w, w])) == 2


def test_print_tensor(capsys):
    x = K.variable([[1.0, 2.0], [3.0, 4.0]])
    y = K.print_tensor(x * 2, message='x is: ')
    assert K.int_shape(y) == (2, 2)
    out = K.eval(y)
    np.testing.assert_array_equal(out, [[2.0, 4.0], [6.0, 8.0]])
    assert 'x is: ' in capsys.readouterr().out
    # Printed again at every evaluation.
    K.eval(y)
    assert 'x is: ' in capsys.readouterr().out
    np.testing.assert_array_equal(K.eval(K.gradients(K.sum(y), [x])[0]), np.full((2, 2), 2.0))


# -- control flow ---------------------------------------------------------------------------

def test_switch():
    a, b = K.variable([1.0, 2.0]), K.variable([3.0, 4.0])
    np.testing.assert_array_equal(K.eval(K.switch(K.constant(True, dtype='bool'),
                                                  lambda: a, lambda: b)), [1.0, 2.0])
    np.testing.assert_array_equal(K.eval(K.switch(K.constant(0, dtype='int32'), a, b)),
                                  [3.0, 4.0])
    cond = K.variable([1.0, 0.0]) > 0.5
    out = K.switch(cond, K.ones((2, 3)), K.zeros((2, 3)))
    np.testing.assert_array_equal(K.eval(out), [[1, 1, 1], [0, 0, 0]])
    with pytest.raises(ValueError):
        K.switch(K.variable(np.ones((2, 3))) > 0, a, b)


def test_in_train_and_test_phase():
    x, alt = K.variable([1.0]), K.variable([2.0])
    assert K.in_train_phase(x, alt, training=1) is x
    assert K.in_train_phase(x, alt, training=False) is alt
    assert K.in_test_phase(x, alt, training=0) is x
    out = K.in_train_phase(lambda: x * 3, alt, training=True)
    np.testing.assert_array_equal(K.eval(out), [3.0])
    out = K.in_train_phase(x, alt)
    f = K.function([K.learning_phase()], [out])
    np.testing.assert_array_equal(f([1])[0], [1.0])
    np.testing.assert_array_equal(f([0])[0], [2.0])


def test_higher_order_functions():
    x = np.arange(12.0).reshape(3, 4)
    out = K.map_fn(lambda row: row * 2, K.variable(x))
    np.testing.assert_array_equal(K.eval(out), x * 2)
    assert K.dtype(K.map_fn(K.sum, K.variable(x), dtype='float64')) == 'float64'
    np.testing.assert_array_equal(K.eval(K.foldl(lambda acc, e: acc + e, K.variable(x))),
                                  x.sum(0))
    acc = np.zeros(4)
    for row in x[::-1]:
        acc = acc * 2 + row
    np.testing.assert_array_equal(
        K.eval(K.foldr(lambda a, e: a * 2 + e, K.variable(x), initializer=K.zeros((4,)))), acc)
    # A first dimension known only at run time: map_fn loops (issue 13), foldl still unrolls.
    rows = K.placeholder((None, 4))
    np.testing.assert_array_equal(K.function([rows], [K.map_fn(lambda r: r * 2, rows)])([x])[0],
                                  x * 2)
    with pytest.raises(ValueError, match=r'foldl: .*\(None, 4\)'):
        K.foldl(lambda a, e: a + e, rows)
    with pytest.raises(ValueError, match=r'map_fn: .*shape \(\)'):
        K.map_fn(lambda e: e, K.constant(1.0))


# -- nn ------------------------------------------------------------------------------------

def _np_relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """max_value above it, x from threshold up, alpha * (x - threshold) below
    (with a max_value, the kept part is clipped to [0, max_value] as in Keras)."""
    above = x * (x > threshold)
    if max_value is not None:
        above = np.clip(above, 0.0, max_value)
    return above + alpha * (x - threshold) * (x < threshold)


@pytest.mark.parametrize('kwargs', [{}, {'alpha': 0.1}, {'max_value': 0.5},
                                    {'alpha': 0.2, 'max_value': 0.6, 'threshold': 0.1},
                                    {'threshold': -0.3}])
def test_relu(kwargs):
    x = r(5, 6)
    np.testing.assert_allclose(K.eval(K.relu(K.variable(x), **kwargs)), _np_relu(x, **kwargs),
                               rtol=1e-5, atol=1e-6)


def test_activations():
    x = r(4, 5) * 4
    v = K.variable(x)
    np.testing.assert_allclose(K.eval(K.elu(v, 0.5)), np.where(x > 0, x, 0.5 * (np.exp(x) - 1)),
                               rtol=1e-5, atol=1e-6)
    e = np.exp(x - x.max(0, keepdims=True))
    np.testing.assert_allclose(K.eval(K.softmax(v, axis=0)), e / e.sum(0, keepdims=True),
                               rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.softplus(v)), np.log1p(np.exp(x)), rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.softsign(v)), x / (1 + np.abs(x)), rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.sigmoid(v)), 1 / (1 + np.exp(-x)), rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.hard_sigmoid(v)), np.clip(0.2 * x + 0.5, 0, 1), rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.tanh(v)), np.tanh(x), rtol=1e-5)


def test_crossentropies():
    p = rng.uniform(0.05, 1.0, (4, 3))
    p /= p.sum(-1, keepdims=True)
    t = np.eye(3)[[0, 2, 1, 1]]
    out = K.categorical_crossentropy(K.variable(t), K.variable(p))
    assert K.int_shape(out) == (4,)
    np.testing.assert_allclose(K.eval(out), -(t * np.log(p)).sum(-1), rtol=1e-5)
    out = K.categorical_crossentropy(K.variable(t.T), K.variable(p.T), axis=0)
    np.testing.assert_allclose(K.eval(out), -(t * np.log(p)).sum(-1), rtol=1e-5)
    out = K.sparse_categorical_crossentropy(K.variable([0, 2, 1, 1]), K.variable(p))
    np.testing.assert_allclose(K.eval(out), -(t * np.log(p)).sum(-1), rtol=1e-5)
    logits = r(4, 3)
    e = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    out = K.categorical_crossentropy(K.variable(t), K.variable(logits), from_logits=True)
    np.testing.assert_allclose(K.eval(out), -(t * np.log(e)).sum(-1), rtol=1e-5)
    q = rng.uniform(0.05, 0.95, (4, 3))
    z = (r(4, 3) > 0).astype(float)
    out = K.binary_crossentropy(K.variable(z), K.variable(q))
    np.testing.assert_allclose(K.eval(out), -(z * np.log(q) + (1 - z) * np.log(1 - q)),
                               rtol=1e-4)


def test_dropout_l2_normalize_in_top_k():
    x = np.ones((200, 50))
    out = K.eval(K.dropout(K.variable(x), 0.5, seed=1))
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert 0.4 < (out == 0).mean() < 0.6
    shared = K.eval(K.dropout(K.variable(x), 0.5, noise_shape=(200, 1), seed=2))
    assert (shared == shared[:, :1]).all()
    v = r(3, 4)
    np.testing.assert_allclose(K.eval(K.l2_normalize(K.variable(v), axis=1)),
                               v / np.sqrt((v ** 2).sum(1, keepdims=True)), rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.l2_normalize(K.variable(v))),
                               v / np.sqrt((v ** 2).sum()), rtol=1e-5)
    pred = np.array([[0.1, 0.9, 0.8], [0.5, 0.2, 0.3]])
    out = K.in_top_k(K.variable(pred), K.variable([2, 1], dtype='int32'), 2)
    assert K.dtype(out) == 'bool' and K.int_shape(out) == (2,)
    np.testing.assert_array_equal(K.eval(out), [True, False])


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_bias_add(data_format):
    for shape in [(2, 3), (2, 3, 4), (2, 3, 4, 5), (2, 3, 4, 5, 6)]:
        x = r(*shape)
        c = shape[1] if data_format == 'channels_first' and len(shape) > 2 else shape[-1]
        b = r(c)
        bshape = [1] * len(shape)
        bshape[1 if data_format == 'channels_first' and len(shape) > 2 else -1] = c
        out = K.bias_add(K.variable(x), K.variable(b), data_format)
        np.testing.assert_allclose(K.eval(out), x + b.reshape(bshape), rtol=1e-5, atol=1e-6)


def test_random_tensors():
    u = K.eval(K.random_uniform((200, 10), minval=-1.0, maxval=2.0, seed=1))
    assert u.shape == (200, 10) and u.dtype == np.float32
    assert u.min() >= -1.0 and u.max() <= 2.0 and abs(u.mean() - 0.5) < 0.1
    n = K.eval(K.random_normal((200, 10), mean=1.0, stddev=2.0, seed=1))
    assert abs(n.mean() - 1.0) < 0.2 and abs(n.std() - 2.0) < 0.2
    t = K.eval(K.truncated_normal((200, 10), mean=0.0, stddev=1.0, seed=1))
    assert np.abs(t).max() <= 2.0
    b = K.eval(K.random_binomial((200, 10), p=0.3, seed=1))
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.05
    assert K.dtype(K.random_normal((2,), dtype='float64')) == 'float64'


# -- 1D and locally-connected convolutions ------------------------------------------------

def _np_conv1d(x, w, stride=1, dilation=1):
    """Valid 1D cross-correlation, x (N, L, C), w (k, C, F)."""
    k = w.shape[0]
    steps = (x.shape[1] - dilation * (k - 1) - 1) // stride + 1
    return np.stack([sum(x[:, t * stride + j * dilation] @ w[j] for j in range(k))
                     for t in range(steps)], 1)


@pytest.mark.parametrize('strides, dilation', [(1, 1), (2, 1), (1, 2)])
def test_conv1d(strides, dilation):
    x, w = r(2, 9, 3), r(3, 3, 4)
    expected = _np_conv1d(x, w, strides, dilation)
    out = K.conv1d(K.variable(x), K.variable(w), strides=strides, dilation_rate=dilation)
    np.testing.assert_allclose(K.eval(out), expected, rtol=1e-5, atol=1e-6)
    out = K.conv1d(K.variable(x.transpose(0, 2, 1)), K.variable(w), strides=strides,
                   dilation_rate=dilation, data_format='channels_first')
    np.testing.assert_allclose(K.eval(out), expected.transpose(0, 2, 1), rtol=1e-5, atol=1e-6)


def test_conv1d_padding_and_separable():
    x, w = r(2, 9, 3), r(3, 3, 4)
    out = K.conv1d(K.variable(x), K.variable(w), padding='causal', dilation_rate=2)
    expected = _np_conv1d(np.pad(x, ((0, 0), (4, 0), (0, 0))), w, 1, 2)
    np.testing.assert_allclose(K.eval(out), expected, rtol=1e-5, atol=1e-6)
    out = K.conv1d(K.variable(x), K.variable(w), padding='same')
    expected = _np_conv1d(np.pad(x, ((0, 0), (1, 1), (0, 0))), w)
    np.testing.assert_allclose(K.eval(out), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError):
        K.conv1d(K.variable(x), K.variable(w), padding='causal', data_format='channels_first')
    dw, pw = r(3, 3, 2), r(1, 6, 5)
    out = K.separable_conv1d(K.variable(x), K.variable(dw), K.variable(pw))
    depthwise = np.concatenate([_np_conv1d(x[:, :, c:c + 1], dw[:, c:c + 1]) for c in range(3)], -1)
    np.testing.assert_allclose(K.eval(out), depthwise @ pw[0], rtol=1e-5, atol=1e-6)


def test_local_conv1d():
    x, k, s = r(2, 7, 3), 3, 2
    length = (7 - k) // s + 1
    w = r(length, k * 3, 4)
    expected = np.stack([x[:, i * s:i * s + k].reshape(2, -1) @ w[i] for i in range(length)], 1)
    out = K.local_conv1d(K.variable(x), K.variable(w), (k,), (s,))
    assert K.int_shape(out) == (2, length, 4)
    np.testing.assert_allclose(K.eval(out), expected, rtol=1e-5, atol=1e-6)
    xp = K.placeholder((None, 7, 3))
    got = K.function([xp], [K.local_conv1d(xp, K.variable(w), (k,), (s,))])([x])[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_local_conv2d(data_format):
    x = r(2, 5, 6, 3)
    (kh, kw), (sh, sw) = (2, 3), (1, 2)
    rows, cols = (5 - kh) // sh + 1, (6 - kw) // sw + 1
    w = r(rows * cols, kh * kw * 3, 4)
    xin = x if data_format == 'channels_last' else x.transpose(0, 3, 1, 2)
    expected = np.zeros((2, rows, cols, 4))
    for i in range(rows):
        for j in range(cols):
            if data_format == 'channels_last':
                patch = xin[:, i * sh:i * sh + kh, j * sw:j * sw + kw, :]
            else:
                patch = xin[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            expected[:, i, j] = patch.reshape(2, -1) @ w[i * cols + j]
    if data_format == 'channels_first':
        expected = expected.transpose(0, 3, 1, 2)
    out = K.local_conv2d(K.variable(xin), K.variable(w), (kh, kw), (sh, sw), (rows, cols),
                         data_format)
    assert K.int_shape(out) == expected.shape
    np.testing.assert_allclose(K.eval(out), expected, rtol=1e-5, atol=1e-6)
