"""Variable assignment: evaluating an `assign` node gives the new value; the
executor writes it into the variable (input 0, declared by `writes_back`)
after all outputs are computed."""
from .._shapes import fmt
from ..tensor import Variable
from ._registry import register, apply, NOT_DIFFERENTIABLE


def _assign_infer(inputs):
    var, value = inputs
    if not isinstance(var, Variable):
        raise ValueError(f"update: '{var.name}' is not a variable")
    if len(value.shape) != len(var.shape) or any(
            v is not None and v != w for v, w in zip(value.shape, var.shape)):
        raise ValueError(f"update: variable '{var.name}' has shape {fmt(var.shape)}, "
                         f'the new value has shape {fmt(value.shape)}')
    return var.shape, var.dtype


register('assign', _assign_infer, lambda var, value: value, NOT_DIFFERENTIABLE,
         stateful=True, writes_back=0)


def assign(var, value):
    """The node whose value is written into `var` after a call's outputs."""
    return apply('assign', var, value)


def _print_forward(x, message):
    # Stateful so that it is never folded away: it prints at every evaluation.
    print(message, x, flush=True)
    return x


register('print_tensor', lambda inputs, message: (inputs[0].shape, inputs[0].dtype),
         _print_forward, lambda node, g, needs: [g], stateful=True)
