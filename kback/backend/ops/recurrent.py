"""The fused recurrent loops: recurrent_loop (LSTM, GRU, SimpleRNN over a
whole sequence) and recurrent_loop_backprop (its backpropagation through
time), both ops with several outputs (ops/multi_output.py).

attrs: cell ('lstm', 'gru', 'simple_rnn'), activation, recurrent_activation,
reset_after (GRU), go_backwards, masked, input_bias, recurrent_bias (GRU with
reset_after and a bias), recurrent_dropout.  Inputs, in order: xw (B, T, G) = the inputs times
the kernel, the recurrent kernel u (H, G), [the input bias (G,): fused, added
to each row of xw inside the loop and its gradient summed there, so neither
takes a pass over (B, T, G) of its own], [the recurrent bias (G,)], h0
(B, H), [c0 (B, H) for LSTM], [mask (B, T), 0/1 floats], [rmask (B, G): the
recurrent dropout masks, gate k's in columns k H:(k + 1) H, constant over
time; not differentiated].
Outputs: out (B, T, H: Keras's output sequence, in processing order), hs
(B, T, H: the state h after each step) and, for LSTM, cs (the cell state);
then what the backward reads: gates (LSTM (B, T, 5H), GRU (B, T, 3H)) and,
for GRU, extra (B, T, H).  The layout and masking rules are the kernels'
(kback_core/recurrent.pyx).
"""
from .._shapes import fmt
from .._dtypes import is_float
from .._kernels import recurrent as _rec
from ._registry import register
from .multi_output import apply_multi, outputs_of

_GATES = {'lstm': 4, 'gru': 3, 'simple_rnn': 1}
_SAVED = {'lstm': (5, None), 'gru': (3, 1), 'simple_rnn': (None, None)}


def _names(cell, masked, input_bias, recurrent_bias, recurrent_dropout):
    """The names of the loop's inputs, in order."""
    return (['xw', 'u'] + (['bias'] if input_bias else []) +
            (['brec'] if recurrent_bias else []) + ['h0'] +
            (['c0'] if cell == 'lstm' else []) + (['mask'] if masked else []) +
            (['rmask'] if recurrent_dropout else []))


def _grad_names(cell, input_bias, recurrent_bias):
    """The inputs the backward gives gradients of, in its outputs' order."""
    return _names(cell, False, input_bias, recurrent_bias, False)


def _check_attrs(op, cell, activation, recurrent_activation, reset_after, recurrent_bias):
    if cell not in _GATES:
        raise ValueError(f'{op}: cell must be one of {sorted(_GATES)}, got {cell!r}')
    for name, value in (('activation', activation), ('recurrent_activation',
                                                       recurrent_activation)):
        if value not in _rec.ACTIVATIONS:
            raise ValueError(f'{op}: {name} must be one of {list(_rec.ACTIVATIONS)}, got '
                             f'{value!r}')
    if recurrent_bias and not (cell == 'gru' and reset_after):
        raise ValueError(f'{op}: a recurrent bias belongs to a GRU with reset_after only')


def _same(a, b):
    return a is None or b is None or a == b


def _check_shape(op, name, t, expected):
    if len(t.shape) != len(expected) or not all(_same(a, b) for a, b in zip(t.shape, expected)):
        raise ValueError(f'{op}: {name} should have shape {fmt(expected)}, got {fmt(t.shape)}')


def _loop_infer(inputs, cell, activation, recurrent_activation, reset_after, go_backwards,
                masked, input_bias, recurrent_bias, recurrent_dropout):
    op = 'recurrent_loop'
    _check_attrs(op, cell, activation, recurrent_activation, reset_after, recurrent_bias)
    names = _names(cell, masked, input_bias, recurrent_bias, recurrent_dropout)
    if len(inputs) != len(names):
        raise ValueError(f'{op}: a {cell} loop takes {len(names)} inputs ({", ".join(names)}), '
                         f'got {len(inputs)}')
    t = dict(zip(names, inputs))
    xw, u = t['xw'], t['u']
    for name in names:
        if name != 'mask' and not is_float(t[name].dtype):
            raise ValueError(f'{op}: {name} must be a float tensor, got dtype {t[name].dtype}')
    if len(xw.shape) != 3 or len(u.shape) != 2:
        raise ValueError(f'{op}: xw should be (batch, time, gates * units) and the recurrent '
                         f'kernel (units, gates * units), got {fmt(xw.shape)} and '
                         f'{fmt(u.shape)}')
    H, G = u.shape[0], _GATES[cell] * u.shape[0] if u.shape[0] is not None else None
    B, T = xw.shape[:2]
    _check_shape(op, 'the recurrent kernel', u, (H, G))
    _check_shape(op, 'xw', xw, (B, T, G))
    for name in ('h0', 'c0'):
        if name in t:
            _check_shape(op, name, t[name], (B, H))
    if 'bias' in t:
        _check_shape(op, 'the input bias', t['bias'], (G,))
    if 'brec' in t:
        _check_shape(op, 'the recurrent bias', t['brec'], (G,))
    if 'mask' in t:
        _check_shape(op, 'mask', t['mask'], (B, T))
    if 'rmask' in t:
        _check_shape(op, 'the recurrent dropout masks', t['rmask'], (B, G))
    seq, dtype = (B, T, H), xw.dtype
    specs = [(seq, dtype), (seq, dtype)] + ([(seq, dtype)] if cell == 'lstm' else [])
    gates, extra = _SAVED[cell]
    if gates:
        specs.append(((B, T, None if H is None else gates * H), dtype))
    if extra:
        specs.append((seq, dtype))
    return specs


def _loop_forward(*arrays, cell, activation, recurrent_activation, reset_after, go_backwards,
                  masked, input_bias, recurrent_bias, recurrent_dropout):
    a = dict(zip(_names(cell, masked, input_bias, recurrent_bias, recurrent_dropout), arrays))
    mask, rmask, bias = a.get('mask'), a.get('rmask'), a.get('bias')
    if cell == 'lstm':
        return _rec.lstm_forward(a['xw'], a['u'], bias, a['h0'], a['c0'], mask, rmask,
                                 activation, recurrent_activation, go_backwards)
    if cell == 'gru':
        return _rec.gru_forward(a['xw'], a['u'], bias, a.get('brec'), a['h0'], mask, rmask,
                                activation, recurrent_activation, reset_after, go_backwards)
    return _rec.simple_forward(a['xw'], a['u'], bias, a['h0'], mask, rmask, activation,
                               go_backwards)


def _loop_grad(node, g, needs):
    attrs = node.attrs
    cell = attrs['cell']
    names = _names(cell, attrs['masked'], attrs['input_bias'], attrs['recurrent_bias'],
                   attrs['recurrent_dropout'])
    t = dict(zip(names, node.inputs))
    outs = outputs_of(node)
    n_seq = 3 if cell == 'lstm' else 2          # out, hs (, cs): the differentiable outputs
    cotangents = g.parts[:n_seq]
    inputs = [t[k] for k in ('u', 'h0', 'c0', 'mask', 'rmask') if k in t] + list(outs[1:])
    inputs += [c for c in cotangents if c is not None]
    grads = apply_multi('recurrent_loop_backprop', *inputs,
                        cotangents=tuple(c is not None for c in cotangents), **attrs)
    by_name = dict(zip(_grad_names(cell, attrs['input_bias'], attrs['recurrent_bias']), grads))
    return [by_name.get(k) if need else None for k, need in zip(names, needs)]


def _backprop_names(cell, masked, recurrent_dropout, cotangents):
    names = ['u', 'h0'] + (['c0'] if cell == 'lstm' else []) + (['mask'] if masked else [])
    names += ['rmask'] if recurrent_dropout else []
    names += ['hs'] + (['cs'] if cell == 'lstm' else [])
    gates, extra = _SAVED[cell]
    names += (['gates'] if gates else []) + (['extra'] if extra else [])
    seqs = ['d_out', 'd_hs', 'd_cs'][:len(cotangents)]
    return names + [n for n, present in zip(seqs, cotangents) if present]


def _backprop_infer(inputs, cell, activation, recurrent_activation, reset_after, go_backwards,
                    masked, input_bias, recurrent_bias, recurrent_dropout, cotangents):
    op = 'recurrent_loop_backprop'
    _check_attrs(op, cell, activation, recurrent_activation, reset_after, recurrent_bias)
    names = _backprop_names(cell, masked, recurrent_dropout, cotangents)
    if len(inputs) != len(names) or len(cotangents) != (3 if cell == 'lstm' else 2):
        raise ValueError(f'{op}: a {cell} backward takes {len(names)} inputs '
                         f'({", ".join(names)}), got {len(inputs)}')
    t = dict(zip(names, inputs))
    u, hs = t['u'], t['hs']
    B, T, H = hs.shape
    G = None if H is None else _GATES[cell] * H
    for name in names:
        if name.startswith('d_') or name in ('cs', 'extra'):
            _check_shape(op, name, t[name], (B, T, H))
    _check_shape(op, 'the recurrent kernel', u, (H, G))
    dtype = hs.dtype
    shapes = {'xw': (B, T, G), 'u': u.shape, 'bias': (G,), 'brec': (G,), 'h0': t['h0'].shape,
              'c0': t.get('c0', hs).shape}
    return [(shapes[k], dtype) for k in _grad_names(cell, input_bias, recurrent_bias)]


def _backprop_forward(*arrays, cell, activation, recurrent_activation, reset_after,
                      go_backwards, masked, input_bias, recurrent_bias, recurrent_dropout,
                      cotangents):
    a = dict(zip(_backprop_names(cell, masked, recurrent_dropout, cotangents), arrays))
    mask, rmask, d_out, d_hs = a.get('mask'), a.get('rmask'), a.get('d_out'), a.get('d_hs')
    if cell == 'lstm':
        dxw, db, du, dh0, dc0 = _rec.lstm_backward(
            a['u'], a['h0'], a['c0'], mask, rmask, a['hs'], a['cs'], a['gates'], d_out, d_hs,
            a.get('d_cs'), activation, recurrent_activation, go_backwards, input_bias)
        grads = {'xw': dxw, 'bias': db, 'u': du, 'h0': dh0, 'c0': dc0}
    elif cell == 'gru':
        dxw, db, du, dbrec, dh0 = _rec.gru_backward(
            a['u'], a['h0'], mask, rmask, a['hs'], a['gates'], a['extra'], d_out, d_hs,
            activation, recurrent_activation, reset_after, go_backwards, input_bias)
        grads = {'xw': dxw, 'bias': db, 'u': du, 'brec': dbrec, 'h0': dh0}
    else:
        dxw, db, du, dh0 = _rec.simple_backward(a['u'], a['h0'], mask, rmask, a['hs'], d_out,
                                                d_hs, activation, go_backwards, input_bias)
        grads = {'xw': dxw, 'bias': db, 'u': du, 'h0': dh0}
    return tuple(grads[k] for k in _grad_names(cell, input_bias, recurrent_bias))


register('recurrent_loop', _loop_infer, _loop_forward, _loop_grad)
# Second derivatives through the fused loop are not provided (as for rnn_scan):
# K.rnn with unroll=True gives them.
register('recurrent_loop_backprop', _backprop_infer, _backprop_forward, None)
