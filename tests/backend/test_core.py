"""Variables, placeholders, constants, evaluation and updates."""
import numpy as np
import pytest

from kback import backend as K


def test_variable_basics():
    v = K.variable(np.arange(6).reshape(2, 3), name='v')
    assert v.dtype == 'float32' and v.name == 'v'
    assert K.is_variable(v) and K.is_tensor(v) and not K.is_placeholder(v)
    assert K.int_shape(v) == (2, 3) and K.ndim(v) == 2 and K.dtype(v) == 'float32'
    assert K.count_params(v) == 6
    np.testing.assert_array_equal(K.eval(v), np.arange(6).reshape(2, 3))
    value = K.get_value(v)
    value[0, 0] = 100   # a copy: the variable is unchanged
    assert K.get_value(v)[0, 0] == 0
    K.set_value(v, np.ones((2, 3)))
    assert K.get_value(v).sum() == 6
    with pytest.raises(ValueError, match=r"'v' has shape \(2, 3\).*\(3, 2\)"):
        K.set_value(v, np.ones((3, 2)))


def test_variable_dtypes_and_names_unique():
    a = K.variable(1.0, dtype='float64')
    assert a.dtype == 'float64' and K.eval(a).dtype == np.float64
    b, c = K.variable(0.0), K.variable(0.0)
    assert b.name != c.name
    assert K.variable([1, 2], dtype='int32').dtype == 'int32'


def test_batch_get_set_value():
    a, b = K.variable(1.0), K.variable([1.0, 2.0])
    K.batch_set_value([(a, 5.0), (b, [3.0, 4.0])])
    va, vb = K.batch_get_value([a, b])
    assert va == 5.0 and vb.tolist() == [3.0, 4.0]


def test_placeholder():
    p = K.placeholder(shape=(None, 4), name='x')
    assert K.is_placeholder(p) and K.int_shape(p) == (None, 4) and p.dtype == 'float32'
    q = K.placeholder(ndim=3, dtype='int32')
    assert q.shape == (None, None, None) and q.dtype == 'int32'
    with pytest.raises(ValueError):
        K.placeholder()


def test_constant():
    c = K.constant(2.0, shape=(2, 2))
    np.testing.assert_array_equal(K.eval(c), np.full((2, 2), 2.0))
    c2 = K.constant([1, 2, 3, 4], shape=(2, 2), dtype='int32')
    assert K.eval(c2).dtype == np.int32 and K.eval(c2).shape == (2, 2)
    with pytest.raises(ValueError, match='constant'):
        K.constant([1, 2, 3], shape=(2, 2))


def test_zeros_ones_eye_like():
    assert K.eval(K.zeros((2, 3))).sum() == 0 and K.is_variable(K.zeros((2,)))
    assert K.eval(K.ones((2, 3), dtype='float64')).dtype == np.float64
    np.testing.assert_array_equal(K.eval(K.eye(3)), np.eye(3))
    np.testing.assert_array_equal(K.eval(K.eye((2, 3))), np.eye(2, 3))
    x = K.placeholder((None, 3))
    f = K.function([x], [K.zeros_like(x), K.ones_like(x, dtype='int32'), K.identity(x)])
    z, o, i = f([np.full((2, 3), 7.0)])
    assert z.sum() == 0 and o.dtype == np.int32 and o.sum() == 6 and i.sum() == 42


def test_is_keras_tensor():
    x = K.placeholder((2,))
    assert not K.is_keras_tensor(x)
    x._keras_history = (None, 0, 0)
    assert K.is_keras_tensor(x)
    with pytest.raises(ValueError, match='Expected a symbolic tensor'):
        K.is_keras_tensor(np.zeros(2))


def test_cast_and_shape():
    x = K.placeholder((None, 3))
    s = K.shape(x)
    assert s.dtype == 'int32'
    f = K.function([x], [s, K.cast(x, 'int32')])
    shape, ints = f([np.full((4, 3), 1.7)])
    assert shape.tolist() == [4, 3] and ints.dtype == np.int32 and ints[0, 0] == 1


def test_eval_unfed_placeholder_names_it():
    x = K.placeholder((2,), name='my_input')
    with pytest.raises(ValueError, match='my_input'):
        K.eval(x * 2)


def test_tensor_is_not_a_bool_or_iterable():
    x = K.variable([1.0, 2.0])
    with pytest.raises(TypeError):
        bool(x)
    with pytest.raises(TypeError):
        list(x)


def test_update_ops():
    v = K.variable([1.0, 2.0])
    x = K.placeholder((2,))
    f = K.function([x], [v * 1], updates=[K.update_add(v, x)])
    out = f([np.array([10.0, 10.0])])[0]
    assert out.tolist() == [1.0, 2.0]          # outputs see the old value
    assert K.get_value(v).tolist() == [11.0, 12.0]
    K.function([], [], updates=[K.update_sub(v, [1.0, 1.0])])([])
    assert K.get_value(v).tolist() == [10.0, 11.0]
    K.function([], [], updates=[(v, K.constant([0.5, 0.5]))])([])
    assert K.get_value(v).tolist() == [0.5, 0.5]
    K.eval(K.update(v, [3.0, 4.0]))
    assert K.get_value(v).tolist() == [3.0, 4.0]


def test_updates_all_read_old_values():
    a, b = K.variable(1.0), K.variable(2.0)
    K.function([], [], updates=[K.update(a, b), K.update(b, a)])([])
    assert (K.get_value(a), K.get_value(b)) == (2.0, 1.0)


def test_moving_average_update():
    v = K.variable([0.0, 10.0])
    K.function([], [], updates=[K.moving_average_update(v, K.constant([2.0, 0.0]), 0.9)])([])
    np.testing.assert_allclose(K.get_value(v), [0.2, 9.0], rtol=1e-6)


def test_assigned_variable_reads_the_declared_effect():
    v, w = K.variable([1.0, 2.0]), K.variable([0.0, 0.0])
    for update in (K.update(v, [3.0, 4.0]), K.update_add(v, 1.0), K.update_sub(v, 1.0),
                   K.moving_average_update(v, K.constant([2.0, 0.0]), 0.9)):
        assert K.assigned_variable(update) is v
    # An in-place step rewrites its variables but its value is no new value of one.
    step = K.optimizer_step('sgd', v, [w], K.constant([1.0, 1.0]), [0.1, 0.9])
    assert K.assigned_variable(step) is None
    for other in (v, v + 1.0, K.placeholder((2,)), K.constant(1.0)):
        assert K.assigned_variable(other) is None
    with pytest.raises(TypeError, match='assigned_variable: expected a tensor, got ndarray'):
        K.assigned_variable(np.zeros(2))


def test_update_shape_mismatch():
    v = K.variable(np.zeros((2, 3)), name='w')
    with pytest.raises(ValueError, match=r"'w' has shape \(2, 3\)"):
        K.update(v, K.zeros((3, 2)))
    with pytest.raises(ValueError, match='not a variable'):
        K.update(K.constant(1.0), 2.0)


def test_float16_storage_and_compute():
    v = K.variable([1.0, 2.0], dtype='float16')
    assert K.get_value(v).dtype == np.float16
    x = K.placeholder((2,), dtype='float16')
    y = x * v + 1
    assert y.dtype == 'float16'
    out = K.function([x], [y], updates=[K.update_add(v, x)])([np.array([0.5, 0.25])])[0]
    assert out.dtype == np.float16 and out.tolist() == [1.5, 1.5]
    assert K.get_value(v).dtype == np.float16 and K.get_value(v).tolist() == [1.5, 2.25]
    # Accumulation happens in float32: 2048 + 1 is exact there, not in float16.
    big = K.constant(np.full(4096, 1.0), dtype='float16')
    assert float(K.eval(K.sum(big))) == 4096.0


def test_int_results():
    x = K.placeholder((None, 3))
    idx = K.argmax(x)
    assert idx.dtype == 'int64'
    assert K.function([x], [idx])([np.array([[0, 2, 1.0]])])[0].dtype == np.int64


def test_learning_phase_scope_fixes_the_phase_and_restores_it():
    x = K.variable([1., 1.])
    assert K.is_tensor(K.learning_phase())
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1
        train = K.in_train_phase(x * 2, x * 3)
        with K.learning_phase_scope(0):
            assert K.learning_phase() == 0
        assert K.learning_phase() == 1
    assert K.is_tensor(K.learning_phase())
    assert K.eval(train).tolist() == [2, 2]
    with pytest.raises(ValueError, match='0 or 1'):
        with K.learning_phase_scope(2):
            pass
    K.set_learning_phase(0)
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1
    assert K.learning_phase() == 0


def test_created_after_keeps_what_was_built_after_the_mark():
    v = K.variable(0.)
    old = v + 1
    mark = K.graph_mark()
    new = v * 2
    update = (v, new)
    kept = K.created_after(mark, [old, new, (v, old), update, np.float32(3.)])
    assert kept[0] is new and kept[1] is update and kept[2] == 3. and len(kept) == 3


def test_tensor_eval_uses_the_executor():
    assert (K.constant([1., 2.]) * 2).eval().tolist() == [2., 4.]
