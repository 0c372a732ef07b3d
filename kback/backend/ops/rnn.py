"""The symbolic time loop of K.rnn: rnn_scan, its gradient rnn_scan_grad and
rnn_scan_piece (one input's share of that gradient).

The step function is traced and compiled by K.rnn (backend/rnn.py), which
hands the loop a `plan` attr; ops sit below the executor and autodiff, so
this module only calls the plan:
- plan.masked, plan.n_states, plan.n_captures: how the inputs split
  (sequence, [mask], initial states, captured tensors);
- plan.offsets, plan.widths, plan.dtype: the packed (time, batch, output +
  states) result;
- plan.forward_step() -> (step, saves): step(arrays) returns the output and
  the new states, followed by the values the backward reads when `saves`;
- plan.record(packed, saved): keeps a forward's saved values for its backward;
- plan.prepare_saving(): the forward keeps those values from now on;
- plan.backward_step(packed) -> (vjp, saved or None, targets): the step's
  vector-Jacobian product, per-step saved values when they belong to `packed`,
  and the step inputs whose gradients vjp returns.
"""
import numpy as np

from .._dtypes import compute_dtype, is_float
from ._registry import register, apply


def _split(plan, arrays):
    k = 1 + plan.masked
    seq, mask = arrays[0], (arrays[1] if plan.masked else None)
    states = list(arrays[k:k + plan.n_states])
    captures = list(arrays[k + plan.n_states:k + plan.n_states + plan.n_captures])
    return seq, mask, states, captures


def _scan_infer(inputs, plan):
    seq = inputs[0]
    if len(inputs) != 1 + plan.masked + plan.n_states + plan.n_captures:
        raise ValueError(f'rnn_scan: expected {1 + plan.masked + plan.n_states} inputs and '
                         f'{plan.n_captures} captured tensors, got {len(inputs)}')
    return (seq.shape[0], seq.shape[1], int(plan.offsets[-1])), plan.dtype


def _scan_forward(*arrays, plan):
    seq, mask, states, captures = _split(plan, arrays)
    steps, batch = seq.shape[0], seq.shape[1]
    if steps == 0:
        raise ValueError(f'rnn: the input has no timesteps (shape {seq.shape})')
    off = plan.offsets
    packed = np.empty((steps, batch, off[-1]), dtype=compute_dtype(plan.dtype))
    prev_out = np.zeros((batch, plan.widths[0]), dtype=packed.dtype)
    step, saves = plan.forward_step()
    n_out = 1 + plan.n_states
    saved = []
    for t in range(steps):
        args = [seq[t]] + ([mask[t]] if plan.masked else []) + states + \
            ([prev_out] if plan.masked else []) + captures
        results = step(args)
        for k in range(n_out):
            packed[t, :, off[k]:off[k + 1]] = results[k]
        if saves:
            saved.append(results[n_out:])
        prev_out, states = results[0], list(results[1:n_out])
    plan.record(packed, saved if saves else None)
    return packed


def _scan_grad(node, g, needs):
    plan = node.attrs['plan']
    plan.prepare_saving()
    grads = apply('rnn_scan_grad', *node.inputs, node, g, plan=plan)
    out = []
    for i, (x, need) in enumerate(zip(node.inputs, needs)):
        if not need or (plan.masked and i == 1):
            out.append(None)
        else:
            out.append(apply('rnn_scan_piece', grads, index=i, shape=x.shape, dtype=x.dtype))
    return out


def _scan_grad_infer(inputs, plan):
    return (), plan.dtype


def _scan_grad_forward(*arrays, plan):
    """Backpropagation through time: one tuple with the gradient of every input
    of rnn_scan (None for the mask and non-float inputs)."""
    n_in = 1 + plan.masked + plan.n_states + plan.n_captures
    seq, mask, init, captures = _split(plan, arrays[:n_in])
    packed, g = arrays[n_in], arrays[n_in + 1]
    vjp, saved, targets = plan.backward_step(packed)
    off, o = plan.offsets, plan.widths[0]
    steps, batch = seq.shape[0], seq.shape[1]
    g_seq = np.zeros(seq.shape, dtype=compute_dtype(plan.dtype)) if is_float(seq.dtype) \
        else None
    g_states = [np.zeros_like(s) for s in init]
    g_prev_out = np.zeros((batch, o), dtype=packed.dtype)
    n_step = 1 + plan.masked + plan.n_states + plan.masked
    acc = {}
    for t in range(steps - 1, -1, -1):
        if t == 0:
            states = list(init)
            prev_out = np.zeros((batch, o), dtype=packed.dtype)
        else:
            states = [packed[t - 1, :, off[k + 1]:off[k + 2]] for k in range(plan.n_states)]
            prev_out = packed[t - 1, :, :o]
        args = [seq[t]] + ([mask[t]] if plan.masked else []) + states + \
            ([prev_out] if plan.masked else []) + captures
        seeds = [g[t, :, :o] + g_prev_out if plan.masked else g[t, :, :o]]
        seeds += [g[t, :, off[k + 1]:off[k + 2]] + g_states[k] for k in range(plan.n_states)]
        results = vjp(args + seeds + (list(saved[t]) if saved is not None else []))
        by_input = dict(zip(targets, results))
        if g_seq is not None and 0 in by_input:
            g_seq[t] = by_input[0]
        base = 1 + plan.masked
        g_states = [by_input.get(base + k, np.zeros_like(states[k]))
                    for k in range(plan.n_states)]
        if plan.masked:
            g_prev_out = by_input.get(base + plan.n_states, np.zeros_like(prev_out))
        for i in targets:
            if i >= n_step:
                acc[i] = by_input[i] if i not in acc else acc[i] + by_input[i]
    result = [g_seq] + ([None] if plan.masked else []) + g_states
    for j, c in enumerate(captures):
        value = acc.get(n_step + j)
        result.append(value if value is not None else np.zeros(np.shape(c), packed.dtype))
    return tuple(result)


def _piece_infer(inputs, index, shape, dtype):
    return shape, dtype


def _piece_forward(grads, index, shape, dtype):
    value = grads[index]
    return np.asarray(value, dtype=compute_dtype(dtype))


register('rnn_scan', _scan_infer, _scan_forward, _scan_grad, stateful=True)
register('rnn_scan_grad', _scan_grad_infer, _scan_grad_forward, None, stateful=True)
register('rnn_scan_piece', _piece_infer, _piece_forward, None)
