import json

import numpy as np
import pytest

from kback import backend as K
from kback import layers
from kback.layers import (Input, Add, Subtract, Multiply, Average, Maximum, Minimum,
                          Concatenate, Dot)
from tests.layers.layer_test import layer_test

ELEMENTWISE = [
    (Add, layers.add, lambda xs: sum(xs)),
    (Multiply, layers.multiply, lambda xs: np.prod(xs, axis=0)),
    (Average, layers.average, lambda xs: sum(xs) / len(xs)),
    (Maximum, layers.maximum, lambda xs: np.max(xs, axis=0)),
    (Minimum, layers.minimum, lambda xs: np.min(xs, axis=0)),
]


def _data(*shapes):
    return [np.random.randn(*s).astype('float32') for s in shapes]


def _run(inputs, output, data):
    return K.function(inputs, [output])(data)[0]


@pytest.mark.parametrize('cls,fn,ref', ELEMENTWISE)
def test_elementwise_merge(cls, fn, ref):
    data = _data((3, 4, 5), (3, 4, 5), (3, 4, 5))
    out = layer_test(cls, {}, input_data=data, expected_output_shape=(None, 4, 5))
    np.testing.assert_allclose(out, ref(data), rtol=1e-5, atol=1e-6)
    # The functional form builds the same layer.
    a, b = Input(shape=(4, 5)), Input(shape=(4, 5))
    y = fn([a, b])
    assert y._keras_history[0].__class__ is cls
    np.testing.assert_allclose(_run([a, b], y, data[:2]), ref(data[:2]), rtol=1e-5, atol=1e-6)


def test_subtract():
    data = _data((2, 3), (2, 3))
    out = layer_test(Subtract, {}, input_data=data, expected_output_shape=(None, 3))
    np.testing.assert_allclose(out, data[0] - data[1], rtol=1e-6)
    a, b = Input(shape=(3,)), Input(shape=(3,))
    np.testing.assert_allclose(_run([a, b], layers.subtract([a, b]), data), data[0] - data[1])


def test_subtract_needs_exactly_two_inputs():
    a, b, c = Input(shape=(3,)), Input(shape=(3,)), Input(shape=(3,))
    with pytest.raises(ValueError, match='exactly 2 inputs'):
        Subtract()([a, b, c])
    with pytest.raises(ValueError, match='list of inputs'):
        Subtract()([a])


@pytest.mark.parametrize('cls', [Add, Subtract, Multiply, Average, Maximum, Minimum])
def test_merge_needs_a_list_of_two(cls):
    a = Input(shape=(3,))
    with pytest.raises(ValueError, match='list of inputs'):
        cls()(a)
    with pytest.raises(ValueError, match='list of inputs'):
        cls()([a])


def test_compute_elemwise_op_output_shape():
    f = Add()._compute_elemwise_op_output_shape
    assert f((4, 5), (4, 5)) == (4, 5)
    assert f((4, 5), (5,)) == (4, 5)
    assert f((5,), (4, 5)) == (4, 5)
    assert f((4, 1), (1, 5)) == (4, 5)
    assert f((4, None), (4, 5)) == (4, None)
    assert f((4, 5), ()) == (4, 5)
    assert f(None, (4, 5)) is None
    with pytest.raises(ValueError, match=r'could not be broadcast.*\(4, 5\) \(4, 6\)'):
        f((4, 5), (4, 6))


def test_broadcasting_same_rank():
    data = _data((2, 4, 1), (2, 1, 5))
    out = layer_test(Add, {}, input_data=data, expected_output_shape=(None, 4, 5))
    np.testing.assert_allclose(out, data[0] + data[1], rtol=1e-6)


def test_broadcasting_different_ranks_expands_after_batch():
    # Keras inserts the missing axes at position 1: (2, 5) acts as (2, 1, 5).
    data = _data((2, 4, 5), (2, 5))
    out = layer_test(Multiply, {}, input_data=data, expected_output_shape=(None, 4, 5))
    np.testing.assert_allclose(out, data[0] * data[1][:, None, :], rtol=1e-6)
    layer = Maximum()
    layer([Input(shape=(4, 5)), Input(shape=(5,))])
    assert layer._reshape_required
    layer = Maximum()
    layer([Input(shape=(5,)), Input(shape=(5,))])
    assert not layer._reshape_required


def test_merge_shape_errors():
    with pytest.raises(ValueError, match=r'broadcast.*\(3,\) \(4,\)'):
        Add()([Input(shape=(3,)), Input(shape=(4,))])
    with pytest.raises(ValueError, match='different batch sizes'):
        Add()([Input(batch_shape=(2, 3)), Input(batch_shape=(5, 3))])


def test_merge_gradients():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    y = layers.maximum([a, b])
    ga, gb = K.gradients(K.sum(y), [a, b])
    da = np.array([[1., 5., -1.]], 'float32')
    db = np.array([[2., 0., -3.]], 'float32')
    va, vb = K.function([a, b], [ga, gb])([da, db])
    np.testing.assert_array_equal(va, [[0., 1., 1.]])
    np.testing.assert_array_equal(vb, [[1., 0., 0.]])


def test_merge_batch_size_propagates():
    y = Add()([Input(batch_shape=(4, 3)), Input(shape=(3,))])
    assert Add().compute_output_shape([(4, 3), (None, 3)]) == (4, 3)
    assert y._keras_shape == (4, 3)


# -- Concatenate ----------------------------------------------------------------------

@pytest.mark.parametrize('axis,shapes', [
    (-1, [(2, 3, 4), (2, 3, 5)]),
    (1, [(2, 3, 4), (2, 1, 4), (2, 2, 4)]),
    (2, [(2, 3, 1), (2, 3, 2)]),
])
def test_concatenate(axis, shapes):
    data = _data(*shapes)
    expected = np.concatenate(data, axis=axis)
    out = layer_test(Concatenate, {'axis': axis}, input_data=data,
                     expected_output_shape=(None,) + expected.shape[1:])
    np.testing.assert_array_equal(out, expected)
    xs = [Input(shape=s[1:]) for s in shapes]
    np.testing.assert_array_equal(_run(xs, layers.concatenate(xs, axis=axis), data), expected)


def test_concatenate_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r'matching shapes.*\(None, 3, 4\).*\(None, 2, 5\)'):
        Concatenate()([Input(shape=(3, 4)), Input(shape=(2, 5))])
    with pytest.raises(ValueError, match='at least 2 inputs'):
        Concatenate()([Input(shape=(3,))])
    with pytest.raises(ValueError, match='at least 2 inputs'):
        Concatenate()(Input(shape=(3,)))
    assert Concatenate(axis=1).get_config()['axis'] == 1


def test_concatenate_unknown_axis_size():
    layer = Concatenate(axis=1)
    y = layer([Input(shape=(None, 4)), Input(shape=(3, 4))])
    assert K.int_shape(y) == (None, None, 4)
    assert layer.compute_output_shape([(None, None, 4), (None, 3, 4)]) == (None, None, 4)


# -- Dot --------------------------------------------------------------------------------

def test_dot_vectors():
    data = _data((3, 4), (3, 4))
    out = layer_test(Dot, {'axes': 1}, input_data=data, expected_output_shape=(None, 1))
    np.testing.assert_allclose(out, (data[0] * data[1]).sum(1, keepdims=True), rtol=1e-5)
    out = layer_test(Dot, {'axes': -1, 'normalize': True}, input_data=data)
    cos = (data[0] * data[1]).sum(1) / (np.linalg.norm(data[0], axis=1) *
                                        np.linalg.norm(data[1], axis=1))
    np.testing.assert_allclose(out[:, 0], cos, rtol=1e-5)


def test_dot_matrices_and_axes_pairs():
    data = _data((2, 3, 4), (2, 5, 3))
    out = layer_test(Dot, {'axes': (1, 2)}, input_data=data, expected_output_shape=(None, 4, 5))
    np.testing.assert_allclose(out, np.einsum('bik,bji->bkj', data[0], data[1]), rtol=1e-5)
    a, b = Input(shape=(3, 4)), Input(shape=(5, 3))
    y = layers.dot([a, b], axes=[-2, -1])
    np.testing.assert_allclose(_run([a, b], y, data),
                               np.einsum('bik,bji->bkj', data[0], data[1]), rtol=1e-5)
    assert Dot(axes=(1, 2)).compute_output_shape([(None, 3, 4), (None, 5, 3)]) == (None, 4, 5)


def test_dot_errors():
    with pytest.raises(ValueError, match=r'Dimension incompatibility 3 != 4'):
        Dot(axes=1)([Input(shape=(3,)), Input(shape=(4,))])
    with pytest.raises(ValueError, match='list of 2 inputs'):
        Dot(axes=1)([Input(shape=(3,)), Input(shape=(3,)), Input(shape=(3,))])
    with pytest.raises(TypeError, match='Invalid type for `axes`'):
        Dot(axes='1')
    with pytest.raises(ValueError, match='two elements'):
        Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match='"int"'):
        Dot(axes=(1, 'a'))


def test_merge_layers_serialize():
    for layer in (Add(), Subtract(), Multiply(), Average(), Maximum(), Minimum(),
                  Concatenate(axis=1), Dot(axes=(1, 2), normalize=True)):
        config = json.loads(json.dumps(layers.serialize(layer)))
        restored = layers.deserialize(config)
        assert type(restored) is type(layer)
        assert json.loads(json.dumps(restored.get_config())) == config['config']


def test_merge_of_shared_dense_branches():
    x = Input(shape=(4,))
    d = layers.Dense(3)
    y = layers.add([d(x), d(x)])
    assert len(d._inbound_nodes) == 2
    data = np.random.randn(2, 4).astype('float32')
    w, b = d.get_weights()
    np.testing.assert_allclose(_run([x], y, [data]), 2 * (data @ w + b), rtol=1e-5)


def test_tuple_of_inputs_is_accepted():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    data = _data((2, 3), (2, 3))
    np.testing.assert_allclose(_run([a, b], layers.add((a, b)), data), data[0] + data[1])
    np.testing.assert_allclose(_run([a, b], layers.concatenate((a, b)), data),
                               np.concatenate(data, axis=-1))
