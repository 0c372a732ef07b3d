"""K.gradients: reverse mode over the recorded graph.

Walks the nodes between `loss` and the requested tensors in reverse creation
order, calling each op's gradient rule.  Rules build K ops, so the gradients
are graph nodes themselves and can be differentiated again.
"""
from . import graph_state
from ._dtypes import is_float
from .ops import apply, grad_rule, ByFormula
from .tensor import Tensor


def gradients(loss, variables):
    """The gradients of `loss` with respect to `variables`, as tensors.

    Reverse-mode differentiation over the graph; the gradients are graph nodes
    too, so they can be compiled with the forward pass and differentiated
    again.

    Arguments:
        loss: a tensor (a non-scalar loss is summed).
        variables: a tensor or a list of tensors.

    Returns:
        A list with one gradient per variable (None where the variable does not
        reach the loss), even for a single tensor.

    Raises:
        TypeError: if `loss` or a variable is not a tensor.

    Example::

        w = K.variable(np.ones(3))
        loss = K.sum(K.square(w))
        grad, = K.gradients(loss, [w])
        K.eval(grad)      # array([2., 2., 2.])
    """
    targets = [variables] if isinstance(variables, Tensor) else list(variables)
    for t in [loss] + targets:
        if not isinstance(t, Tensor):
            raise TypeError(f'gradients: expected tensors, got {type(t).__name__} {t!r}')
    nodes = graph_state.reachable([loss])
    # Forward pass: which nodes depend on a target (only those need gradients).
    relevant = {t.id for t in targets}
    for node in nodes:
        if node.id not in relevant and any(i.id in relevant for i in node.inputs):
            relevant.add(node.id)
    grads = {}
    if loss.id in relevant:
        grads[loss.id] = apply('ones_like', loss)
    for node in reversed(nodes):
        g = grads.get(node.id)
        if g is None or not node.inputs:
            continue
        needs = [i.id in relevant and is_float(i.dtype) for i in node.inputs]
        if not any(needs):
            continue
        with graph_state.scope_of(node):
            input_grads = grad_rule(node)(node, g, needs)
            if isinstance(input_grads, ByFormula):
                input_grads = _formula_vjp(input_grads.formula, node, g, needs)
        for inp, gi, need in zip(node.inputs, input_grads, needs):
            if gi is None or not need:
                continue
            previous = grads.get(inp.id)
            grads[inp.id] = gi if previous is None else previous + gi
    return [grads.get(t.id) for t in targets]


def _formula_vjp(formula, node, g, needs):
    """The vector-Jacobian product of `formula` at the node's inputs, built on
    identity proxies of them so that only paths through this node are
    followed (and the result stays differentiable)."""
    proxies = [apply('identity', t) for t in node.inputs]
    out = formula(*proxies, **node.attrs)
    loss = apply('sum', out * g, axes=tuple(range(len(out.shape))), keepdims=False)
    grads = gradients(loss, proxies)
    return [gi if need else None for gi, need in zip(grads, needs)]
