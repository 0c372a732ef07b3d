"""The compiled step (backend/executor.py): effects declared by ops, feeds
checked once per shape, and outputs that never alias what the plan keeps."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend.ops import OPS, register, apply, NOT_DIFFERENTIABLE


@pytest.fixture
def declared_ops():
    """Two ops that exist only here, each declaring one effect: `_t_store`
    (its value goes into its variable after the call, like assign) and
    `_t_bump` (adds its second input into its first, a variable, in place)."""
    def bump(var, amount):
        var += amount
        return var
    register('_t_store', lambda inputs: (inputs[0].shape, inputs[0].dtype),
             lambda var, value: value * 2, NOT_DIFFERENTIABLE, stateful=True, writes_back=0)
    register('_t_bump', lambda inputs: (inputs[0].shape, inputs[0].dtype), bump,
             NOT_DIFFERENTIABLE, stateful=True, mutates=lambda attrs: (0,))
    yield
    del OPS['_t_store'], OPS['_t_bump']


def test_an_op_declaring_writes_back_is_an_update_the_executor_applies(declared_ops):
    v = K.variable([1.0, 2.0])
    x = K.placeholder((2,))
    f = K.function([x], [v + 0], updates=[apply('_t_store', v, x)])
    out, = f([np.array([5.0, 6.0])])
    np.testing.assert_array_equal(out, [1.0, 2.0])             # outputs see the old value
    np.testing.assert_array_equal(K.get_value(v), [10.0, 12.0])


def test_an_op_declaring_mutates_runs_last_on_the_variable_itself(declared_ops):
    v = K.variable([1.0, 2.0])
    x = K.placeholder((2,))
    held = v.value
    seen = v * 1
    f = K.function([x], [v, seen], updates=[apply('_t_bump', v, x)])
    out_v, out_seen = f([np.array([10.0, 10.0])])
    np.testing.assert_array_equal(out_v, [1.0, 2.0])          # computed before the step
    np.testing.assert_array_equal(out_seen, [1.0, 2.0])
    assert K.get_value(v).tolist() == [11.0, 12.0] and v.value is held   # rewritten in place
    f([np.array([1.0, 1.0])])
    assert K.get_value(v).tolist() == [12.0, 13.0]


def test_an_op_without_declared_effects_is_refused_as_an_update():
    with pytest.raises(TypeError, match='updates must be'):
        K.function([], [], updates=[K.variable(1.0) * 2])


def test_a_node_reading_a_mutating_op_is_refused(declared_ops):
    v = K.variable([1.0])
    step = apply('_t_bump', v, K.constant([1.0]))
    with pytest.raises(ValueError, match='in-place update'):
        K.function([], [step * 2], updates=[step])


def test_assign_and_optimizer_step_declare_their_effects():
    assert OPS['assign'].writes_back == 0 and OPS['assign'].mutates is None
    step = OPS['optimizer_step']
    assert step.writes_back is None and list(step.mutates({'rule': 'rmsprop'})) == [0, 1]


def test_updates_by_pair_and_by_k_update_and_optimizer_step_keep_keras_semantics():
    w, m, c = K.variable([1.0, 2.0]), K.variable([0.0, 0.0]), K.variable(0.0)
    g = K.constant([1.0, 1.0])
    f = K.function([], [w * 1, c + 0], updates=[
        K.optimizer_step('sgd', w, [m], g, [0.5, 0.9]), (c, c + 1)])
    outs = f([])
    np.testing.assert_allclose(outs[0], [1.0, 2.0])
    assert outs[1] == 0.0 and K.get_value(c) == 1.0
    np.testing.assert_allclose(K.get_value(w), [0.5, 1.5])
    np.testing.assert_allclose(K.get_value(m), [-0.5, -0.5])
    outs = f([])
    np.testing.assert_allclose(outs[0], [0.5, 1.5])
    assert outs[1] == 1.0 and K.get_value(c) == 2.0


def test_a_feed_is_checked_again_when_its_shape_or_type_changes():
    x = K.placeholder((None, 2), name='x')
    f = K.function([x], [x * 2])
    np.testing.assert_array_equal(f([np.ones((3, 2), np.float32)])[0], 2 * np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"'x' expects shape \(None, 2\).*\(3, 3\)"):
        f([np.ones((3, 3), np.float32)])
    out, = f([[[1, 2]]])                       # a nested list, then float64, then a view
    assert out.dtype == np.float32 and out.tolist() == [[2, 4]]
    assert f([np.ones((1, 2))])[0].dtype == np.float32
    assert f([np.ones((4, 4), np.float32)[:, :2]])[0].shape == (4, 2)
    with pytest.raises(ValueError, match="'x'"):
        f([np.ones((4, 4), np.float32)])        # the same check after the shape cache changed
    with pytest.raises(TypeError, match="'x' expects dtype float32"):
        f([np.array([['a', 'b']])])


def test_outputs_never_alias_variables_feeds_constants_or_each_other():
    v = K.variable([1.0, 2.0])
    x = K.placeholder((2,))
    c = K.constant([3.0, 4.0])
    f = K.function([x], [v, x, c, x + 0, v + 0])
    xv = np.array([5.0, 6.0], np.float32)
    outs = f([xv])
    for o in outs:
        o[:] = -1
    outs2 = f([xv])
    assert K.get_value(v).tolist() == [1.0, 2.0] and xv.tolist() == [5.0, 6.0]
    assert [o.tolist() for o in outs2] == [[1, 2], [5, 6], [3, 4], [5, 6], [1, 2]]


def test_one_output_twice_and_results_of_two_calls_are_distinct_arrays():
    x = K.placeholder((2,))
    y = K.exp(x) + 1
    f = K.function([x], [y, y])
    a, b = f([np.zeros(2)])
    a2, _ = f([np.zeros(2)])
    assert not np.shares_memory(a2, a)
    a[:] = 7
    assert a2.tolist() == [2.0, 2.0]


def test_outputs_are_cast_to_their_declared_dtype_and_writeable():
    h = K.variable(np.ones(3, np.float16), dtype='float16')
    x = K.placeholder((3,), dtype='float16')
    f = K.function([x], [x * h, K.zeros_like(x)])
    out, zeros = f([np.ones(3, np.float16)])
    assert out.dtype == np.float16 and zeros.dtype == np.float16
    assert out.flags.writeable and zeros.flags.writeable


# -- results written into dying inputs (ops that declare `inplace`) -----------

def _plan_lines(f):
    return [line.strip() for line in f._source.splitlines()]


def test_an_elementwise_chain_runs_in_place_and_matches_numpy():
    x = K.placeholder((None, 5), dtype='float64')
    y = K.exp(-K.square(x * 2 + 1)) - 0.5
    f = K.function([x], [y])
    assert sum('out=' in line for line in _plan_lines(f)) == 5     # all but x * 2 (x is fed)
    xv = np.linspace(-2, 2, 15).reshape(3, 5)
    np.testing.assert_allclose(f([xv])[0], np.exp(-np.square(xv * 2 + 1)) - 0.5, rtol=1e-15)
    assert xv[0, 0] == -2.0                                         # the feed is untouched


def test_a_value_read_later_is_not_overwritten():
    x = K.placeholder((4,), dtype='float64')
    p = K.exp(x)
    q = p * 2           # p is read again below: q must not reuse it
    f = K.function([x], [q + p])
    q_line, = [line for line in _plan_lines(f) if line.startswith(f._slots[q.id] + ' =')]
    assert 'out=' not in q_line
    xv = np.arange(4.0)
    np.testing.assert_allclose(f([xv])[0], 3 * np.exp(xv))


def test_a_value_with_a_live_view_or_an_output_is_not_overwritten():
    x = K.placeholder((2, 3), dtype='float64')
    p = K.exp(x)
    view = K.reshape(p, (3, 2))          # a view of p's memory, read after p dies
    q = p * 3                            # p's last use
    f = K.function([x], [q, view * 1])
    xv = np.arange(6.0).reshape(2, 3)
    out_q, out_view = f([xv])
    np.testing.assert_allclose(out_q, 3 * np.exp(xv))
    np.testing.assert_allclose(out_view, np.exp(xv).reshape(3, 2))
    q = K.exp(x)
    g = K.function([x], [q, q + 1])       # q is an output: q + 1 gets a new array
    out_q, out_q1 = g([xv])
    np.testing.assert_allclose(out_q, np.exp(xv))
    assert not np.shares_memory(out_q, out_q1)


def test_unknown_sizes_that_broadcast_at_run_time_fall_back_to_a_new_array():
    x, y = K.placeholder((None, 3)), K.placeholder((None, 3))
    f = K.function([x, y], [K.exp(x) + K.exp(y)])
    assert any('else None' in line for line in _plan_lines(f))
    xv, yv = np.ones((1, 3), np.float32), np.zeros((4, 3), np.float32)
    np.testing.assert_allclose(f([xv, yv])[0], np.full((4, 3), np.e + 1), rtol=1e-6)
    np.testing.assert_allclose(f([yv, xv])[0], np.full((4, 3), np.e + 1), rtol=1e-6)
    np.testing.assert_allclose(f([yv, yv])[0], np.full((4, 3), 2.0))


_UNARY = [K.exp, K.tanh, K.square, K.abs, lambda t: -t, K.sin]
_BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, K.maximum]


@pytest.mark.parametrize('seed', range(30))
def test_random_elementwise_graphs_agree_with_and_without_reuse(seed):
    """Random DAGs of elementwise ops (values read once or many times, some
    broadcast rows, some through a transpose and back, some read again through
    a reshaped view after their last direct use): the plan with reuse
    gives the same bits as the plan that keeps every value as an output (so
    that none is reused), over two calls of different batch sizes."""
    rng = np.random.RandomState(seed)
    x = K.placeholder((None, 4), dtype='float64')
    row = K.constant(rng.rand(4), dtype='float64')
    nodes = [x]
    for _ in range(14):
        kind = rng.randint(5)
        i, j = rng.randint(len(nodes)), rng.randint(len(nodes))
        if kind == 0:
            nodes.append(_UNARY[rng.randint(len(_UNARY))](nodes[i] * 0.5))
        elif kind == 1:
            nodes.append(_BINARY[rng.randint(len(_BINARY))](nodes[i], nodes[j]) * 0.5)
        elif kind == 2:
            nodes.append(nodes[i] * row)
        elif kind == 3:
            nodes.append(K.transpose(K.transpose(nodes[i]) + 1.0))
        else:
            nodes.append(K.reshape(nodes[i], (-1, 4)))
    final = K.sum(nodes[-1] + nodes[-2], axis=1) + K.sum(nodes[len(nodes) // 2], axis=1)
    reused = K.function([x], [final])
    kept = K.function([x], [final] + nodes[1:])
    for n in (3, 5):
        xv = rng.randn(n, 4)
        np.testing.assert_array_equal(reused([xv])[0], kept([xv])[0])


def test_variables_and_feeds_are_never_written_in_place():
    v = K.variable(np.full((2, 3), 0.5))
    x = K.placeholder((2, 3))
    f = K.function([x], [K.exp(K.exp(v) * x) + 1])
    xv = np.ones((2, 3), np.float32)
    first = f([xv])[0]
    np.testing.assert_array_equal(f([xv])[0], first)
    assert K.get_value(v).tolist() == [[0.5] * 3] * 2 and xv.tolist() == [[1.0] * 3] * 2


def test_threads_calling_one_function_get_their_own_results():
    import threading
    x = K.placeholder((None, 64), dtype='float64')
    f = K.function([x], [K.sum(K.exp(K.square(x * 0.5) - 1) * 2, axis=1)])
    feeds = [np.full((n, 64), n / 10.0) for n in range(1, 9)]
    expect = [np.exp(np.square(a * 0.5) - 1).sum(1) * 2 for a in feeds]
    wrong = []

    def run(k):
        for _ in range(200):
            if not np.allclose(f([feeds[k]])[0], expect[k], rtol=1e-12):
                wrong.append(k)
    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(feeds))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_the_executor_names_no_op():
    import ast
    from kback.backend import executor
    with open(executor.__file__) as source:
        strings = {node.value for node in ast.walk(ast.parse(source.read()))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert not strings & set(OPS), strings & set(OPS)
