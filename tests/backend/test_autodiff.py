"""K.gradients over the graph, and K.function's compiled plans."""
import numpy as np
import pytest

from kback import backend as K
from gradcheck import numeric_grad


def _grad_fn(expr_of_x, x_value, order):
    """Value of the order-th derivative of sum(expr(x)) at x (elementwise)."""
    x = K.placeholder(shape=np.shape(x_value), dtype='float64')
    y = expr_of_x(x)
    for _ in range(order):
        y, = K.gradients(K.sum(y), [x])
    return K.function([x], [y])([x_value])[0]


@pytest.mark.parametrize('expr,d1,d2,d3', [
    (lambda x: x ** 3, lambda x: 3 * x ** 2, lambda x: 6 * x, lambda x: 6 + 0 * x),
    (K.tanh, lambda x: 1 - np.tanh(x) ** 2,
     lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
     lambda x: (1 - np.tanh(x) ** 2) * (6 * np.tanh(x) ** 2 - 2)),
])
def test_higher_derivatives(expr, d1, d2, d3):
    x = np.linspace(-1.5, 1.5, 7)
    for order, ref in ((1, d1), (2, d2), (3, d3)):
        np.testing.assert_allclose(_grad_fn(expr, x, order), ref(x), rtol=1e-10, atol=1e-12)


def test_second_derivative_of_dot():
    # f(W) = sum((x W)^2): the Hessian-vector product with v is 2 x^T x v.
    rng = np.random.RandomState(0)
    xv, wv, vv = rng.randn(4, 3), rng.randn(3, 2), rng.randn(3, 2)
    w = K.placeholder((3, 2), dtype='float64')
    f = K.sum(K.square(K.dot(K.constant(xv, dtype='float64'), w)))
    g, = K.gradients(f, [w])
    hv, = K.gradients(K.sum(g * K.constant(vv, dtype='float64')), [w])
    out = K.function([w], [g, hv])([wv])
    np.testing.assert_allclose(out[0], 2 * xv.T @ xv @ wv, rtol=1e-10)
    np.testing.assert_allclose(out[1], 2 * xv.T @ xv @ vv, rtol=1e-10)
    # And the gradient w.r.t. x of that gradient, against finite differences.
    x = K.placeholder((4, 3), dtype='float64')
    gw, = K.gradients(K.sum(K.square(K.dot(x, K.constant(wv, dtype='float64')))), [x])
    gx, = K.gradients(K.sum(gw * gw), [x])
    scalar = K.function([x], [K.sum(gw * gw)])
    numeric = numeric_grad(lambda a: float(scalar(a)[0]), [xv], 0)
    np.testing.assert_allclose(K.function([x], [gx])([xv])[0], numeric, rtol=1e-6, atol=1e-7)


def test_unconnected_and_integer_paths_give_none():
    a, b = K.variable(1.0), K.variable(2.0)
    loss = a * 3
    ga, gb = K.gradients(loss, [a, b])
    assert K.eval(ga) == 3 and gb is None
    c = K.variable([1.5, 2.5])
    assert K.gradients(K.sum(K.cast(K.argmax(c, axis=0), 'float32')), [c]) == [None]


def test_shared_nodes_accumulate():
    x = K.variable(2.0)
    y = x * x
    z = y + y * x    # x^2 + x^3
    g, = K.gradients(z, [x])
    assert K.eval(g) == pytest.approx(2 * 2 + 3 * 4)


def test_non_scalar_loss_is_summed():
    x = K.variable([1.0, 2.0, 3.0])
    g, = K.gradients(x * x, [x])
    assert K.eval(g).tolist() == [2.0, 4.0, 6.0]


def test_stop_gradient():
    x = K.variable(3.0)
    y = K.stop_gradient(x * x) * x
    g, = K.gradients(y, [x])
    assert K.eval(g) == 9.0
    a, b = K.stop_gradient([x, x])
    assert K.gradients(a + b, [x]) == [None]


def test_gradient_wrt_intermediate_and_placeholder():
    x = K.placeholder((None, 2))
    h = x * 2
    y = K.sum(K.square(h))
    gh, gx = K.gradients(y, [h, x])
    out = K.function([x], [gh, gx])([np.ones((3, 2))])
    assert out[0].tolist() == [[4.0, 4.0]] * 3 and out[1].tolist() == [[8.0, 8.0]] * 3


def test_long_chain_has_no_recursion_limit():
    x = K.variable(1.0)
    y = x
    for _ in range(5000):
        y = y + x
    g, = K.gradients(y, [x])
    assert K.eval(g) == 5001.0
    assert K.eval(y) == 5001.0


def test_missing_rule_raises():
    from kback.backend.ops import register, apply
    register('_test_no_grad', lambda inputs: (inputs[0].shape, inputs[0].dtype), lambda x: x)
    x = K.variable(1.0)
    with pytest.raises(NotImplementedError, match='_test_no_grad'):
        K.gradients(apply('_test_no_grad', x), [x])
    from kback.backend.ops import OPS
    del OPS['_test_no_grad']


def test_gradients_rejects_non_tensors():
    with pytest.raises(TypeError):
        K.gradients(1.0, [K.variable(1.0)])


def test_none_batch_dim_two_sizes_one_function():
    x = K.placeholder((None, 3))
    w = K.variable(np.ones((3, 2)))
    y = K.mean(K.square(K.dot(x, w)))
    g, = K.gradients(y, [w])
    f = K.function([x], [K.dot(x, w), g])
    for n in (1, 5):
        xv = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
        out, grad = f([xv])
        assert out.shape == (n, 2)
        np.testing.assert_allclose(grad, 2 * xv.T @ (xv @ np.ones((3, 2))) / (n * 2), rtol=1e-5)


def test_feed_errors_name_the_input():
    x = K.placeholder((None, 3), name='images')
    f = K.function([x], [x * 2])
    with pytest.raises(ValueError, match=r"'images' expects shape \(None, 3\).*\(2, 4\)"):
        f([np.zeros((2, 4))])
    with pytest.raises(ValueError, match=r"'images'.*\(3,\)"):
        f([np.zeros(3)])
    with pytest.raises(ValueError, match='expects 1 input'):
        f([])
    with pytest.raises(TypeError, match="'images' expects dtype float32"):
        f([np.array([['a', 'b', 'c']])])


def test_function_shapes_of_outputs_and_single_output():
    x = K.placeholder((2,))
    f = K.function([x], x + 1)
    assert f([np.zeros(2)]).tolist() == [1, 1]
    assert K.function([x], [])([np.zeros(2)]) == []


def test_function_can_feed_intermediate_tensor():
    x = K.placeholder((2,))
    h = x * 2
    y = h + 1
    assert K.function([h], [y])([np.array([5.0, 6.0])])[0].tolist() == [6.0, 7.0]


def test_outputs_are_not_aliases_of_variables():
    v = K.variable([1.0, 2.0])
    out = K.function([], [v])([])[0]
    out[0] = 50
    assert K.get_value(v)[0] == 1.0


def test_constant_subgraphs_are_folded():
    c = K.constant(2.0) * 3 + 1
    x = K.placeholder(())
    f = K.function([x], [x * c])
    assert f([2.0])[0] == 14.0
    import re
    assert len(re.findall(r'= _v\d+\(', f._source)) == 1   # only x * c runs per call


def test_function_updates_validation():
    with pytest.raises(TypeError):
        K.function([], [], updates=[K.variable(1.0)])
