"""Test helpers: compare a K expression with numpy and check its gradient by
central finite differences in float64."""
import numpy as np

from kback import backend as K
from kback.backend import graph_state
from kback.backend._dtypes import compute_dtype

_rng = np.random.RandomState(0)


def r(*shape, low=-2.0, high=2.0):
    """Reproducible float64 test inputs in [low, high)."""
    return _rng.uniform(low, high, size=shape)


def pos(*shape):
    """Reproducible positive inputs, away from 0 (for log, sqrt, div)."""
    return _rng.uniform(0.5, 2.0, size=shape)


# Op names seen by check_op in this test session (for the op-table coverage test).
CHECKED_OPS = set()


def _ops_in(outputs):
    return {n.op for n in graph_state.reachable(outputs)}


def evaluate(build, arrays, dtype='float64'):
    """Build the expression on placeholders shaped like `arrays` and evaluate it."""
    inputs = [K.placeholder(shape=np.shape(a), dtype=np.asarray(a).dtype.name
                            if np.asarray(a).dtype.kind in 'iub' else dtype) for a in arrays]
    out = build(*inputs)
    f = K.function(inputs, [out])
    # The forward's raw result must already have the dtype the node declares.
    raw = np.asarray(f._run(list(arrays))[0][0])
    assert raw.dtype == np.dtype(compute_dtype(out.dtype)), (raw.dtype, out.dtype)
    return f(list(arrays))[0], inputs, out


def numeric_grad(fn, arrays, index, eps=1e-6):
    """Central differences of scalar fn(arrays) with respect to arrays[index]."""
    base = [np.array(a, dtype=np.float64) for a in arrays]
    x = base[index]
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=['multi_index'])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = fn(base)
        x[i] = old - eps
        minus = fn(base)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def check_op(build, arrays, reference=None, grad_wrt=None, rtol=1e-6, atol=1e-6,
             grad_rtol=1e-4, grad_atol=1e-5, eps=1e-6, seed=0):
    """Check K expression `build(*tensors)` on float64 `arrays`.

    - forward equals `reference(*arrays)` (when given);
    - for each index in grad_wrt (default: all float inputs), K.gradients of
      sum(out * r) (r a fixed random weight) matches central differences.
    Returns the forward value.
    """
    arrays = [np.asarray(a) for a in arrays]
    value, inputs, out = evaluate(build, arrays)
    CHECKED_OPS.update(_ops_in([out]))
    if reference is not None:
        expected = reference(*arrays)
        np.testing.assert_allclose(value, expected, rtol=rtol, atol=atol)
        assert np.shape(value) == np.shape(expected), (np.shape(value), np.shape(expected))
    if grad_wrt is None:
        grad_wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == 'f']
    if not grad_wrt:
        return value
    r = np.random.RandomState(seed).uniform(0.5, 1.5, size=np.shape(value))
    loss = K.sum(out * K.constant(r, dtype='float64'))
    grads = K.gradients(loss, [inputs[i] for i in grad_wrt])
    for i, g in zip(grad_wrt, grads):
        assert g is not None, f'no gradient for input {i}'
        assert K.int_shape(g) == inputs[i].shape or None in inputs[i].shape, \
            (K.int_shape(g), inputs[i].shape)
    CHECKED_OPS.update(_ops_in([g for g in grads]))
    f = K.function(inputs, grads)
    analytic = f(list(arrays))
    scalar = K.function(inputs, [loss])
    for i, g in zip(grad_wrt, analytic):
        numeric = numeric_grad(lambda arrs: float(scalar(arrs)[0]), arrays, i, eps)
        np.testing.assert_allclose(g, numeric, rtol=grad_rtol, atol=grad_atol,
                                   err_msg=f'gradient of input {i}')
    return value
