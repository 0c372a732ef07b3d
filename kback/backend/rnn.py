"""K.rnn: iterate a step function over the time axis (Keras 2.3's backend rnn).

Two ways to run it:
- unroll=True (needs a known number of timesteps): the step graph is built
  once per timestep on slices of the input; gradients come from the ops.
- otherwise a symbolic loop, the op `rnn_scan`, which also works when the
  number of timesteps is only known at run time.  The step function is
  traced once on placeholders; every tensor the step reads from outside
  (weights, dropout masks, constants, the learning phase) becomes an input
  of the op, so gradients reach it.  The op's gradient (`rnn_scan_grad`) is
  backpropagation through time with the step's own gradient graph.  The ops
  live in ops/rnn.py; this module traces and compiles the step (a _ScanPlan)
  and hands it to them.

A masked timestep keeps the previous states and repeats the previous output
(zeros before the first step), as Keras does.  The loop packs each step's
results as (batch, units) columns, so states and outputs of any other rank
(ConvLSTM2D's (batch, rows, cols, filters)) travel flattened and the step
function sees them in their own shapes.
"""
import numpy as np

from . import graph_state
from ._dtypes import is_float
from ._shapes import fmt
from .autodiff import gradients
from .core import cast, shape as shape_of
from .executor import Function
from .math import sum as k_sum
from .ops import OPS, apply
from .shape import permute_dimensions, reshape, reverse, stack
from .tensor import Tensor, Placeholder, as_tensor


def _to_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _expand_to(mask, ndim):
    """A (batch,) float mask broadcastable against a (batch, ...) tensor."""
    while len(mask.shape) < ndim:
        mask = apply('expand_dims', mask, axes=(len(mask.shape),))
    return mask


def _blend(mask, new, old):
    """new where mask is 1, old where it is 0 (mask is 0/1 floats)."""
    if mask is None:
        return new
    return old + _expand_to(mask, len(new.shape)) * (new - old)


def _step(step_function, constants, x, mask, states, prev_out):
    out, new_states = step_function(x, list(states) + list(constants))
    new_states = _to_list(new_states)
    if len(new_states) != len(states):
        raise ValueError(f'rnn: the step function returned {len(new_states)} states, but '
                         f'{len(states)} initial states were given')
    if mask is not None:
        out = _blend(mask, out, prev_out)
        new_states = [_blend(mask, n, s) for n, s in zip(new_states, states)]
    return out, new_states


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None):
    """Runs a step function over the time axis (axis 1) of a tensor.

    Arguments:
        step_function: a function `(input_t, states + constants) ->
            (output_t, new_states)` in K ops; `input_t` is `(batch, ...)`.
        inputs: a tensor `(batch, time, ...)`, at least 3D.
        initial_states: a list of tensors `(batch, ...)`.
        go_backwards: whether to read the sequence from its end (the outputs
            are then in that reversed order).
        mask: a `(batch, time)` tensor of the timesteps to use; at a masked
            step the output and states are carried over.
        constants: a list of tensors passed to every step.
        unroll: whether to unroll the loop into the graph (needs a known
            number of timesteps).
        input_length: the number of timesteps, when the shape does not say.

    Returns:
        A tuple `(last_output, outputs, new_states)`, with the last output
        `(batch, ...)`, all outputs `(batch, time, ...)` and the final states.

    Raises:
        ValueError: if `inputs` is not at least 3D, the mask's shape is wrong,
            or `unroll` is asked with an unknown number of timesteps.
    """
    inputs = as_tensor(inputs)
    if len(inputs.shape) < 3:
        raise ValueError(f'rnn: the input should be at least 3D (batch, time, ...), got shape '
                         f'{fmt(inputs.shape)}')
    initial_states = [as_tensor(s) for s in _to_list(initial_states)]
    constants = [] if constants is None else _to_list(constants)
    timesteps = inputs.shape[1] if inputs.shape[1] is not None else input_length
    if mask is not None:
        mask = as_tensor(mask)
        if len(mask.shape) == 3 and mask.shape[2] == 1:
            mask = mask[:, :, 0]
        if len(mask.shape) != 2:
            raise ValueError(f'rnn: the mask should be (batch, time), got shape '
                             f'{fmt(mask.shape)} for inputs of shape {fmt(inputs.shape)}')
        mask = cast(mask, inputs.dtype if is_float(inputs.dtype) else 'float32')
    if unroll:
        if inputs.shape[1] is None:
            raise ValueError('rnn: unroll=True needs a known number of timesteps, but the input '
                             f'has shape {fmt(inputs.shape)}; give the input a fixed time '
                             'dimension (input_shape / Input(shape=(timesteps, ...)))')
        return _unrolled(step_function, inputs, initial_states, go_backwards, mask, constants)
    perm = (1, 0) + tuple(range(2, len(inputs.shape)))
    seq = permute_dimensions(inputs, perm)
    mask_seq = None if mask is None else permute_dimensions(mask, (1, 0))
    if go_backwards:
        seq = reverse(seq, 0)
        mask_seq = None if mask_seq is None else reverse(mask_seq, 0)
    flat_step, output_shape = _flat_step(step_function, initial_states)
    flat_states = [_flatten(s) for s in initial_states]
    plan = _trace(flat_step, seq, flat_states, mask_seq, constants)
    if plan.random and inputs.shape[1] is not None:
        # A step that draws random numbers from its inputs (a custom cell's
        # dropout) is unrolled when it can be: the loop's gradient reruns the
        # step, which would draw again.
        return _unrolled(step_function, inputs, initial_states, go_backwards, mask, constants)
    last_output, outputs, states = _scan(plan, seq, flat_states, mask_seq)
    rest = output_shape[0][1:]
    if len(rest) != 1:
        last_output = _unflatten(last_output, output_shape[0])
        sizes = shape_of(outputs)
        outputs = reshape(outputs, [sizes[0], sizes[1]] + list(rest))
    return last_output, outputs, [_unflatten(s, i.shape) for s, i in zip(states, initial_states)]


def _flatten(t):
    """(batch, ...) as (batch, n): the loop's packed form of an output or state."""
    if len(t.shape) == 2:
        return t
    if any(d is None for d in t.shape[1:]):
        raise ValueError('rnn: the symbolic loop needs outputs and states whose dimensions '
                         f'after the batch are known; got {fmt(t.shape)}. Use unroll=True with '
                         'a fixed number of timesteps for other shapes.')
    return apply('batch_flatten', t)


def _unflatten(t, like_shape):
    return t if len(like_shape) == 2 else reshape(t, (-1,) + tuple(like_shape[1:]))


def _flat_step(step_function, initial_states):
    """The step on flattened states and output, and a list that receives the
    shape of the step's own output when it is traced."""
    shapes = [s.shape for s in initial_states]
    output_shape = []

    def step(x, states_and_constants):
        n = len(shapes)
        states = [_unflatten(s, like) for s, like in zip(states_and_constants[:n], shapes)]
        out, new_states = step_function(x, states + list(states_and_constants[n:]))
        output_shape[:] = [as_tensor(out).shape]
        return _flatten(as_tensor(out)), [_flatten(as_tensor(s)) for s in _to_list(new_states)]
    return step, output_shape


def _unrolled(step_function, inputs, states, go_backwards, mask, constants):
    steps = range(inputs.shape[1])
    if go_backwards:
        steps = reversed(steps)
    outputs, prev_out = [], None
    for t in steps:
        m = None if mask is None else mask[:, t]
        if m is not None and prev_out is None:
            out0, _ = step_function(inputs[:, t], list(states) + list(constants))
            prev_out = apply('zeros_like', out0)
        out, states = _step(step_function, constants, inputs[:, t], m, states, prev_out)
        outputs.append(out)
        prev_out = out
    return outputs[-1], stack(outputs, axis=1), states


# -- the symbolic loop ----------------------------------------------------------------

class _ScanPlan:
    """The traced step (and, when first needed, its gradient) of one rnn call.

    Step inputs, in order: x_t, [mask_t], states..., [prev_output], captures...
    Step outputs: output_t, new states...

    Once a gradient of the loop is asked for, the forward also keeps, per
    timestep, the step's intermediate values that the step's gradient reads,
    so backpropagation does not recompute them (when the backward runs right
    after its forward, as in a training step; otherwise it recomputes).
    """

    def __init__(self, step_inputs, outputs, captures, proxies, masked, forward_ids):
        self.step_inputs = step_inputs
        self.outputs = outputs
        self.captures = captures
        self.proxies = proxies
        self.masked = masked
        self.forward_ids = forward_ids
        self.n_states = len(outputs) - 1
        self.widths = [int(o.shape[1]) for o in outputs]
        self.offsets = np.cumsum([0] + self.widths)
        self.dtype = outputs[0].dtype
        self.n_captures = len(captures)
        self.step = Function(step_inputs + proxies, outputs, name='rnn_step')
        self.saving_step = None     # the step that also returns the saved values
        self.saved = None           # (packed forward result, [saved values per step])
        self._grads = None
        self._vjp = None
        self._fast_vjp = None

    def __repr__(self):   # attrs appear in error messages; keep them short
        return f'<rnn step: {self.n_states} states, {len(self.captures)} captured tensors>'

    def _grad_graph(self):
        if self._grads is None:
            seeds = [Placeholder(o.shape, o.dtype, name='rnn_seed') for o in self.outputs]
            total = None
            for o, s in zip(self.outputs, seeds):
                term = k_sum(o * s)
                total = term if total is None else total + term
            targets = self.step_inputs + self.proxies
            self.grad_targets = [i for i, t in enumerate(targets) if is_float(t.dtype)
                                 and not (self.masked and i == 1)]
            chosen = [targets[i] for i in self.grad_targets]
            grads = gradients(total, chosen)
            grads = [g if g is not None else apply('zeros_like', t) for g, t in zip(grads, chosen)]
            self._grads = (seeds, grads)
        return self._grads

    def prepare_saving(self):
        """Called by the gradient rule: from now on the forward keeps the
        intermediate values the step's gradient needs."""
        if self.saving_step is not None:
            return
        seeds, grads = self._grad_graph()
        fed = {t.id for t in self.step_inputs + self.proxies + seeds}
        kept, seen = [], set()
        for n in graph_state.reachable(grads, leaves=fed):
            if n.id in self.forward_ids or n.id in fed:
                continue
            for i in n.inputs:
                if i.id in self.forward_ids and i.id not in fed and i.id not in seen:
                    seen.add(i.id)
                    kept.append(i)
        self.kept = kept
        self.saving_step = Function(self.step_inputs + self.proxies, self.outputs + kept,
                                    name='rnn_step_saving')
        self._fast_vjp = Function(self.step_inputs + self.proxies + seeds + kept, grads,
                                  name='rnn_step_grad_saved')

    def forward_step(self):
        """(the compiled step, whether it also returns the saved values)."""
        if self.saving_step is not None:
            return self.saving_step, True
        return self.step, False

    def record(self, packed, saved):
        """A forward's result and its per-step saved values (None: none kept)."""
        self.saved = None if saved is None else (packed, saved)

    def backward_step(self, packed):
        """(the step's vector-Jacobian product, the saved values of the
        forward that gave `packed` or None, the step inputs it differentiates).
        Without saved values the product recomputes the step."""
        seeds, grads = self._grad_graph()
        saved, self.saved = self.saved, None
        if saved is not None and saved[0] is packed:
            return self._fast_vjp, saved[1], self.grad_targets
        if self._vjp is None:
            self._vjp = Function(self.step_inputs + self.proxies + seeds, grads,
                                 name='rnn_step_grad')
        return self._vjp, None, self.grad_targets


def _trace(step_function, seq, initial_states, mask_seq, constants):
    batch = seq.shape[1]
    x = Placeholder((batch,) + tuple(seq.shape[2:]), seq.dtype, name='rnn_x')
    m = None if mask_seq is None else Placeholder((batch,), mask_seq.dtype, name='rnn_mask')
    states = [Placeholder(s.shape, s.dtype, name='rnn_state') for s in initial_states]
    raw_out, raw_states = step_function(x, list(states) + list(constants))
    prev_out = None
    if m is None:
        out, new_states = raw_out, _to_list(raw_states)
        if len(new_states) != len(states):
            raise ValueError(f'rnn: the step function returned {len(new_states)} states, '
                             f'but {len(states)} initial states were given')
    else:
        # Traced again with the mask blend (the first trace gave the output shape).
        prev_out = Placeholder(raw_out.shape, raw_out.dtype, name='rnn_prev_output')
        out, new_states = _step(step_function, constants, x, m, states, prev_out)
    outputs = [out] + list(new_states)
    for o in outputs:
        if len(o.shape) != 2 or o.shape[1] is None:
            raise ValueError('rnn: the symbolic loop needs outputs and states of shape (batch, '
                             f'units); got {fmt(o.shape)}. Use unroll=True with a fixed number '
                             'of timesteps for other shapes.')
    step_inputs = [x] + ([m] if m is not None else []) + states + \
        ([prev_out] if prev_out is not None else [])
    return _isolate(step_inputs, [as_tensor(o) for o in outputs], m is not None)


def _isolate(step_inputs, outputs, masked):
    """Copies the part of the step graph that depends on the step inputs, with
    every outside tensor it reads replaced by a placeholder (a proxy)."""
    leaves = {t.id for t in step_inputs}
    nodes = graph_state.reachable(outputs, leaves=leaves)
    dependent = set(leaves)
    for n in nodes:
        if n.id not in dependent and any(i.id in dependent for i in n.inputs):
            dependent.add(n.id)
    captures, proxies, mapping = [], [], {t.id: t for t in step_inputs}

    def capture(t):
        if t.id not in mapping:
            proxy = Placeholder(t.shape, t.dtype, name='rnn_captured')
            captures.append(t)
            proxies.append(proxy)
            mapping[t.id] = proxy
        return mapping[t.id]

    for n in nodes:
        if n.id in leaves or n.id not in dependent:
            continue
        inputs = [mapping[i.id] if i.id in dependent else capture(i) for i in n.inputs]
        copy = Tensor(n.op, inputs, n.attrs, n.shape, n.dtype)
        mapping[n.id] = copy
    new_outputs = [mapping[o.id] if o.id in dependent else capture(o) for o in outputs]
    forward_ids = {mapping[n.id].id for n in nodes if n.id in dependent}
    plan = _ScanPlan(step_inputs, new_outputs, captures, proxies, masked, forward_ids)
    plan.random = any(OPS[n.op].stateful for n in nodes
                      if n.id in dependent and n.id not in leaves)
    return plan


def _scan(plan, seq, initial_states, mask_seq):
    inputs = [seq] + ([mask_seq] if mask_seq is not None else []) + list(initial_states) + \
        plan.captures
    packed = apply('rnn_scan', *inputs, plan=plan)
    o = plan.widths[0]
    outputs = permute_dimensions(packed[:, :, :o], (1, 0, 2))
    last = packed[-1]
    last_output = last[:, :o]
    states = [last[:, plan.offsets[k + 1]:plan.offsets[k + 2]] for k in range(plan.n_states)]
    return last_output, outputs, states
