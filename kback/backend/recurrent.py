"""kback's own K functions for the fused recurrent loops (the op
`recurrent_loop`): LSTM, GRU and SimpleRNN over a whole sequence with their
standard gates, forward and backpropagation through time compiled.

Each takes `xw`, the inputs already multiplied by the kernel (one product
for all timesteps), and the input bias, which the loop adds to each row of
xw as it reads it (and whose gradient it sums as it writes that of xw), so
the bias costs no pass over the sequence.  With recurrent dropout, one
(batch, units) mask per gate scales the state before that gate's part of
the recurrent product (as the cells' per-gate masks do), the same masks at
every step.  Each returns what K.rnn returns
for the same cell: (last_output, outputs (batch, time, units), new_states),
outputs in processing order with go_backwards.  A mask (batch, time) keeps
the previous states where it is 0, and the output is zero until a row's
first unmasked step, as K.rnn does.  Other cells and activations use K.rnn.
"""
from ._dtypes import is_float
from ._kernels.recurrent import ACTIVATIONS
from ._shapes import fmt
from .core import cast
from .shape import concatenate
from .ops.multi_output import apply_multi
from .tensor import as_tensor


def fused_rnn_activations():
    """The activation names the fused loops compute.

    Returns:
        A tuple of names (e.g. 'tanh', 'sigmoid', 'hard_sigmoid').
    """
    return ACTIVATIONS


def _loop(cell, xw, recurrent_kernel, bias, states, mask, go_backwards, activation,
          recurrent_activation, reset_after=False, recurrent_bias=None,
          recurrent_dropout_masks=None):
    xw = as_tensor(xw)
    if not is_float(xw.dtype):
        raise ValueError(f'{cell}_sequence: xw must be a float tensor, got dtype {xw.dtype}')
    inputs = [xw, recurrent_kernel] + ([bias] if bias is not None else [])
    inputs += [recurrent_bias] if recurrent_bias is not None else []
    inputs += list(states)
    if mask is not None:
        mask = as_tensor(mask)
        if len(mask.shape) == 3 and mask.shape[2] == 1:
            mask = mask[:, :, 0]
        if len(mask.shape) != 2:
            raise ValueError(f'{cell}_sequence: the mask should be (batch, time), got shape '
                             f'{fmt(mask.shape)} for xw of shape {fmt(xw.shape)}')
        inputs.append(cast(mask, xw.dtype))
    if recurrent_dropout_masks is not None:
        inputs.append(_gate_masks(cell, recurrent_dropout_masks, xw))
    outs = apply_multi('recurrent_loop', *inputs, cell=cell, activation=activation,
                       recurrent_activation=recurrent_activation, reset_after=reset_after,
                       go_backwards=bool(go_backwards), masked=mask is not None,
                       input_bias=bias is not None, recurrent_bias=recurrent_bias is not None,
                       recurrent_dropout=recurrent_dropout_masks is not None)
    n_states = 2 if cell == 'lstm' else 1
    outputs = outs[0]
    new_states = [s[:, -1] for s in outs[1:1 + n_states]]
    return outputs[:, -1], outputs, new_states


def _gate_masks(cell, masks, xw):
    """The gates' recurrent dropout masks as one (batch, gates * units) tensor."""
    masks = list(masks) if isinstance(masks, (list, tuple)) else [masks]
    gates = {'lstm': 4, 'gru': 3, 'simple_rnn': 1}[cell]
    if len(masks) != gates:
        raise ValueError(f'{cell}_sequence: recurrent_dropout_masks needs {gates} masks (one '
                         f'per gate), got {len(masks)}')
    masks = [cast(as_tensor(m), xw.dtype) for m in masks]
    return masks[0] if gates == 1 else concatenate(masks, axis=-1)


def lstm_sequence(xw, recurrent_kernel, initial_states, mask=None, go_backwards=False,
                  activation='tanh', recurrent_activation='sigmoid', bias=None,
                  recurrent_dropout_masks=None):
    """Keras's LSTM cell over a whole sequence, in one fused op.

    Arguments:
        xw: (batch, time, 4 units): the inputs times the kernel (gates i, f,
            c, o).
        recurrent_kernel: (units, 4 units).
        initial_states: [h0, c0], each (batch, units).
        mask: None, or a (batch, time) boolean tensor; a masked step keeps
            the states and repeats the last output.
        go_backwards: process the sequence in reverse order.
        activation: the candidate's/output's activation name (one of
            `fused_rnn_activations()`).
        recurrent_activation: the gates' activation name.
        bias: None, or the bias (4 units,) added to every row of `xw`.
        recurrent_dropout_masks: None, or 4 (batch, units) tensors, one per
            gate (i, f, c, o): the state times gate k's mask enters gate k's
            recurrent product.

    Returns:
        A tuple (last_output, outputs, [h, c]).
    """
    return _loop('lstm', xw, recurrent_kernel, bias, initial_states, mask, go_backwards,
                 activation, recurrent_activation,
                 recurrent_dropout_masks=recurrent_dropout_masks)


def gru_sequence(xw, recurrent_kernel, initial_state, recurrent_bias=None, mask=None,
                 go_backwards=False, activation='tanh', recurrent_activation='sigmoid',
                 reset_after=False, bias=None, recurrent_dropout_masks=None):
    """Keras's GRU cell over a whole sequence, in one fused op.

    Arguments:
        xw: (batch, time, 3 units): the inputs times the kernel (gates z, r,
            h).
        recurrent_kernel: (units, 3 units).
        initial_state: h0, (batch, units).
        recurrent_bias: (3 units,), the recurrent bias (with `reset_after`).
        mask: None, or a (batch, time) boolean tensor; a masked step keeps
            the states and repeats the last output.
        go_backwards: process the sequence in reverse order.
        activation: the candidate's/output's activation name (one of
            `fused_rnn_activations()`).
        recurrent_activation: the gates' activation name.
        reset_after: apply the reset gate after the recurrent product (the
            CuDNN-compatible form) rather than before.
        bias: None, or the input bias (3 units,) added to every row of `xw`.
        recurrent_dropout_masks: None, or 3 (batch, units) tensors, one per
            gate (z, r, h): the state times gate k's mask enters gate k's
            recurrent product (without `reset_after`, the candidate's
            product reads r times the state times its mask).

    Returns:
        A tuple (last_output, outputs, [h]).
    """
    return _loop('gru', xw, recurrent_kernel, bias, [initial_state], mask, go_backwards,
                 activation, recurrent_activation, reset_after, recurrent_bias,
                 recurrent_dropout_masks)


def simple_rnn_sequence(xw, recurrent_kernel, initial_state, mask=None, go_backwards=False,
                        activation='tanh', bias=None, recurrent_dropout_masks=None):
    """Keras's SimpleRNN cell over a whole sequence, in one fused op.

    Arguments:
        xw: (batch, time, units): the inputs times the kernel.
        recurrent_kernel: (units, units).
        initial_state: h0, (batch, units).
        mask: None, or a (batch, time) boolean tensor; a masked step keeps
            the states and repeats the last output.
        go_backwards: process the sequence in reverse order.
        activation: the candidate's/output's activation name (one of
            `fused_rnn_activations()`).
        bias: None, or the bias (units,) added to every row of `xw`.
        recurrent_dropout_masks: None, or a (batch, units) tensor (or a list
            of one) the state is multiplied by before the recurrent product.

    Returns:
        A tuple (last_output, outputs, [h]).
    """
    return _loop('simple_rnn', xw, recurrent_kernel, bias, [initial_state], mask, go_backwards,
                 activation, 'linear', recurrent_dropout_masks=recurrent_dropout_masks)
