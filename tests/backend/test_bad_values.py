"""Issue 12, the K API's part: bad numbers are refused where they enter, zero-
length dims work as in numpy, and an error inside a compiled step names its
op, layer and inputs.  One test per class of defect."""
import numpy as np
import pytest

from kback import backend as K


# -- ints: floats, bools and strings are refused, numpy ints accepted -------------------

@pytest.mark.parametrize('bad', [1.5, '1', 'x', True, np.float64(1.0)])
@pytest.mark.parametrize('fn', [
    lambda x, a: K.sum(x, axis=a), lambda x, a: K.softmax(x, axis=a),
    lambda x, a: K.argmax(x, axis=a), lambda x, a: K.concatenate([x, x], axis=a),
    lambda x, a: K.cumsum(x, axis=a), lambda x, a: K.expand_dims(x, a),
    lambda x, a: K.repeat_elements(x, 2, a), lambda x, a: K.squeeze(x, a),
    lambda x, a: K.max(x, axis=[0, a])])
def test_axis_must_be_an_int(fn, bad):
    with pytest.raises(ValueError, match=r'axis must be an int, got'):
        fn(K.placeholder((2, 1)), bad)


def test_axis_numpy_ints_are_accepted():
    x = K.variable(np.arange(6.).reshape(2, 3))
    np.testing.assert_allclose(K.eval(K.sum(x, axis=np.int64(1))), [3., 12.])
    np.testing.assert_allclose(K.eval(K.max(x, axis=[np.int32(0)])), [3., 4., 5.])


def test_axis_messages_name_the_function_and_accepted_values():
    x = K.placeholder((2, 3))
    with pytest.raises(ValueError, match=r"sum: axis must be an int, got 1\.5 \(float\)"):
        K.sum(x, axis=1.5)
    with pytest.raises(ValueError, match=r"softmax: axis must be an int, got '1' \(str\)"):
        K.softmax(x, axis='1')
    with pytest.raises(ValueError, match=r'mean: axis 2 is out of range .* rank 2 '
                                         r'\(accepted: -2 to 1\)'):
        K.mean(x, axis=2)


@pytest.mark.parametrize('fn, kwargs', [
    (K.conv2d, {'strides': (1.5, 1)}), (K.conv2d, {'strides': True}),
    (K.conv2d, {'dilation_rate': (1, '2')}), (K.conv3d, {'strides': (1, 1, 1.0)}),
])
def test_conv_strides_and_dilation_must_be_ints(fn, kwargs):
    rank = 3 if fn is K.conv3d else 2
    x = K.placeholder((1,) + (6,) * rank + (2,))
    kernel = K.variable(np.ones((2,) * rank + (2, 3)))
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=rf'{fn.__name__}: {name} must be an int or {rank} ints'):
        fn(x, kernel, **kwargs)


@pytest.mark.parametrize('kwargs', [{'pool_size': (1.5, 2)}, {'pool_size': 2.0},
                                    {'strides': (2, 1.5)}, {'pool_size': (2, False)}])
def test_pool_sizes_and_strides_must_be_ints(kwargs):
    x = K.placeholder((1, 6, 6, 2))
    kwargs = {'pool_size': 2, **kwargs}
    name = 'strides' if 'strides' in kwargs else 'pool_size'
    with pytest.raises(ValueError, match=rf'pool2d: {name} must be an int or 2 ints'):
        K.pool2d(x, **kwargs)
    # numpy ints are ints
    K.pool2d(x, (np.int64(2), np.int32(2)), strides=np.int8(1))


def test_repeat_and_factors_refuse_floats():
    x = K.placeholder((2, 3))
    with pytest.raises(ValueError, match=r"repeat_elements: rep must be an int, got 2\.0"):
        K.repeat_elements(x, 2.0, 1)
    with pytest.raises(ValueError, match=r"tile: n must be an int"):
        K.tile(x, (1, 1.5))
    with pytest.raises(ValueError, match=r"reverse: axis must be an int, got '0'"):
        K.reverse(x, '0')


def test_nn_counts_refuse_floats():
    x = K.placeholder((2, 3))
    with pytest.raises(ValueError, match=r'in_top_k: k must be an int, got 1\.5'):
        K.in_top_k(x, K.placeholder((2,), dtype='int32'), 1.5)
    with pytest.raises(ValueError, match=r"dropout: noise_shape entry must be an int, got 'a'"):
        K.dropout(x, 0.5, noise_shape=(2, 'a'))


# -- static shapes: Input, InputLayer and K.placeholder --------------------------------

@pytest.mark.parametrize('shape', [(-1, 3), (2.5, 3), (True, 3), ('3',), 3.0])
def test_placeholder_shape_entries(shape):
    with pytest.raises(ValueError, match=r'placeholder: shape must be a tuple of ints >= 0 '
                                         r'or None'):
        K.placeholder(shape)


def test_placeholder_ndim_and_zero_dims():
    with pytest.raises(ValueError, match=r'placeholder: ndim must be an int >= 0, got -1'):
        K.placeholder(ndim=-1)
    with pytest.raises(ValueError, match=r'placeholder: ndim must be an int'):
        K.placeholder(ndim=2.0)
    assert K.int_shape(K.placeholder((np.int64(0), None))) == (0, None)


def test_input_shape_entries():
    from kback.layers import Input, InputLayer
    with pytest.raises(ValueError, match=r'Input: shape must be a tuple of ints >= 0 or None.*'
                                         r'\(-1, 3\)'):
        Input((-1, 3))
    with pytest.raises(ValueError, match=r'Input: shape'):
        Input((1.5,))
    with pytest.raises(ValueError, match=r'InputLayer: batch_input_shape'):
        Input(batch_shape=(None, -2))
    with pytest.raises(ValueError, match=r'InputLayer: input_shape'):
        InputLayer(input_shape=(3, -1))
    assert K.int_shape(Input((np.int64(3), None))) == (None, 3, None)


# -- feeds: no NaN from None, no wrapped ints ---------------------------------------------

def test_none_fed_to_a_placeholder_is_refused():
    x = K.placeholder(())
    f = K.function([x], [x * 2])
    with pytest.raises(TypeError, match=r"function: input '.*' expects dtype float32 "
                                        r'\(numbers: .*got None'):
        f([None])
    with pytest.raises(TypeError, match=r"expects dtype float32 .* got str of dtype <U1"):
        f(['a'])
    assert f([np.float64(1.5)])[0] == 3.0


@pytest.mark.parametrize('dtype, value, shown', [
    ('int32', np.array([1, 2 ** 40]), '1099511627776'),
    ('int32', np.array([1.0, 2.5]), '2.5'),
    ('int32', np.array([np.nan]), 'nan'),
    ('uint8', np.array([-1]), '-1'),
    ('int8', 300, '300'),
    ('bool', np.array([0, 2]), '2'),
])
def test_values_a_cast_would_change_are_refused(dtype, value, shown):
    x = K.placeholder(np.shape(value), dtype=dtype)
    f = K.function([x], [K.identity(x)])
    with pytest.raises(ValueError, match=rf"function: input '.*' is {dtype}, but the .* value "
                                         rf"{shown} fed for it does not fit {dtype}"):
        f([value])


def test_float_feeds_beyond_the_range_are_refused():
    x = K.placeholder((2,))
    f = K.function([x], [K.identity(x)])
    with pytest.raises(ValueError, match=r"function: input '.*' is float32, but the float64 "
                                         r'values fed for it exceed its range'):
        f([np.array([1.0, 1e300])])
    assert np.isinf(f([np.array([1.0, np.inf])])[0][1])     # inf stays inf


def test_casts_that_keep_the_values_are_accepted():
    x = K.placeholder((3,), dtype='int32')
    f = K.function([x], [K.identity(x)])
    out = f([np.array([1, -2, 2 ** 31 - 1], dtype=np.int64)])[0]
    assert out.dtype == np.int32 and out.tolist() == [1, -2, 2 ** 31 - 1]
    assert f([np.array([1.0, 2.0, 3.0])])[0].tolist() == [1, 2, 3]
    b = K.placeholder((2,), dtype='bool')
    assert K.function([b], [K.identity(b)])([np.array([0, 1])])[0].tolist() == [False, True]
    # float placeholders take any number (rounded to their precision)
    y = K.placeholder((2,))
    assert K.function([y], [y])([np.array([2 ** 40, 3])])[0].dtype == np.float32


def test_function_given_one_array_instead_of_a_list():
    x = K.placeholder((None, 3))
    f = K.function([x], [x + 1])
    with pytest.raises(TypeError, match=r'function: inputs must be a list or tuple of 1 '
                                        r'arrays \(.*\), got an array of shape \(2, 3\); '
                                        r'pass \[array\]'):
        f(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r'function: expects 1 input arrays .* got 2'):
        f([np.ones((2, 3))] * 2)
    with pytest.raises(ValueError, match=r'function: the dict of inputs has no value'):
        f({})
    np.testing.assert_allclose(f((np.ones((2, 3)),))[0], 2 * np.ones((2, 3)))


# -- zero-length dims ---------------------------------------------------------------------

@pytest.mark.parametrize('shape, axis, rep', [((0, 3), 0, 2), ((0, 3), 1, 2), ((2, 0), 1, 3),
                                              ((2, 0), 0, 1), ((2, 0, 4), 2, 2)])
def test_repeat_elements_zero_length(shape, axis, rep):
    a = np.random.rand(*shape)
    for static in (shape, (None,) * len(shape), (None,) + shape[1:]):
        x = K.placeholder(static)
        y = K.repeat_elements(x, rep, axis)
        out = K.function([x], [y])([a])[0]
        np.testing.assert_array_equal(out, np.repeat(a, rep, axis).astype(np.float32))
    v = K.variable(a)
    g = K.gradients(K.sum(K.repeat_elements(v, rep, axis)), [v])[0]
    np.testing.assert_array_equal(K.eval(g), np.full(shape, float(rep)))


@pytest.mark.parametrize('shape, axis', [((0, 3), -1), ((2, 0), -1), ((2, 0), 0), ((0,), 0)])
def test_softmax_zero_length(shape, axis):
    a = np.random.rand(*shape).astype(np.float32)
    x = K.placeholder((None,) * len(shape))
    out = K.function([x], [K.softmax(x, axis)])([a])[0]
    assert out.shape == a.shape and out.dtype == np.float32


# -- errors inside a compiled step ----------------------------------------------------------

def test_error_in_a_step_names_op_layer_and_inputs():
    from kback.layers import Input, Lambda
    from kback.models import Model
    inp = Input((3,))
    out = Lambda(lambda t: K.gather(K.variable(np.eye(3)), K.cast(t, 'int32')),
                 name='lookup')(inp)
    model = Model(inp, out)
    with pytest.raises(IndexError) as info:
        model.predict(np.full((2, 3), 7.0))
    message = str(info.value)
    assert 'out of range' in message
    assert "raised by op 'gather'" in message and "built in layer 'lookup'" in message
    assert 'float32 (3, 3)' in message and 'int32 (2, 3)' in message
    # The original error is the cause, with its own traceback.
    assert isinstance(info.value.__cause__, IndexError)


def test_error_outside_a_layer_and_in_constant_folding():
    x = K.placeholder((None, 2))
    f = K.function([x], [K.reshape(x, (3, -1))], name='mine')
    with pytest.raises(ValueError, match=r"(?s)cannot reshape.*raised by op 'reshape' "
                                         r"\(node '.*'\, built in no layer\) in kback "
                                         r"function 'mine'; inputs: '.*' float32 \(4, 2\)"):
        f([np.ones((4, 2))])
    with K.name_scope('block'):
        bad = K.gather(K.constant(np.eye(2)), K.constant(np.array([5]), dtype='int32'))
    with pytest.raises(IndexError, match=r"(?s)raised by op 'gather'.*layer 'block'"):
        K.eval(bad)


def test_gradient_nodes_belong_to_the_layer_they_differentiate():
    with K.name_scope('outer'):
        with K.name_scope('dense'):
            x = K.placeholder((2, 3))
            y = K.sum(K.exp(x))
    assert y.scope == 'outer/dense'
    g, = K.gradients(y, [x])
    assert g.scope == 'outer/dense'
    assert K.exp(x).scope is None


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('x_shape, k_shape', [((0, 5, 5, 2), (2, 2, 2, 3)),
                                              ((2, 5, 5, 0), (2, 2, 0, 3)),
                                              ((2, 5, 5, 2), (2, 2, 2, 0))])
def test_conv_zero_length_batch_channels_filters(data_format, x_shape, k_shape):
    """Nothing to sum gives zeros (and the bias), as numpy and TF: the compiled
    kernels need a channel and a filter."""
    a = np.random.rand(*x_shape).astype(np.float32)
    if data_format == 'channels_first':
        a = a.transpose(0, 3, 1, 2)
    x = K.placeholder((None,) + a.shape[1:])
    w = K.variable(np.random.rand(*k_shape))
    b = K.variable(np.arange(k_shape[3], dtype=np.float32))
    y = K.conv2d(x, w, padding='same', data_format=data_format)
    yb = K.bias_add(y, b, data_format=data_format)
    loss = K.sum(yb * yb)
    gx, gw = K.gradients(loss, [x, w])
    out, outb, gxv, gwv = K.function([x], [y, yb, gx, gw])([a])
    n, c = x_shape[0], k_shape[3]
    spatial = (5, 5)
    expected = (n,) + spatial + (c,) if data_format == 'channels_last' else (n, c) + spatial
    assert out.shape == expected and not out.any()
    bias = np.arange(c) if data_format == 'channels_last' else np.arange(c)[:, None, None]
    np.testing.assert_array_equal(outb, np.zeros(expected) + bias)
    assert gxv.shape == a.shape and gwv.shape == k_shape
    assert not gxv.any() and not gwv.any()      # each product has an empty factor
