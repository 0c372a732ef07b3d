"""Fused recurrent loops (kback_core/recurrent.pyx): LSTM, GRU and SimpleRNN
over a whole sequence, forward and backpropagation through time.

The kernels write their sequences in processing order and the gradient of
the input projections `dxw` in that order too; here dxw goes back to data
order (go_backwards).  Without kback_core (or for dtypes it does not cover)
the numpy twins in _reference.py run instead.
"""
import numpy as np

from .. import _reference as ref
from ._common import AVAILABLE, kernel_dtype, threads_for_macs
from .linalg import single_threaded_blas

if AVAILABLE:
    try:
        from kback_core import recurrent as _rec
    except ImportError:         # a core built before this module existed
        AVAILABLE = False

# The activations the loops compute (kback_core.recurrent.ACTIVATIONS has their codes).
ACTIVATIONS = ('linear', 'tanh', 'sigmoid', 'hard_sigmoid', 'relu')


def _compiled(*arrays):
    """The dtype to run the kernel in, or None for the numpy twin."""
    if not AVAILABLE:
        return None
    return kernel_dtype(*[a for a in arrays if a is not None])


def _c(a, dtype):
    return None if a is None else np.ascontiguousarray(a, dtype=dtype)


def _threads(hs_shape, gates):
    B, T, H = hs_shape
    return threads_for_macs(B * T * H * H * gates)


def _data_order(dxw, reverse):
    return np.ascontiguousarray(dxw[:, ::-1]) if reverse else dxw


def _biased(xw, bias):
    """xw plus the input bias, for the numpy twins (the kernels add it per row)."""
    return xw if bias is None else xw + bias


def _bias_sum(d, wanted):
    """The gradient of a bias added to every (batch, time) row of d."""
    return d.sum(axis=(0, 1)) if wanted else None


def lstm_forward(xw, u, bias, h0, c0, mask, rmask, activation, recurrent_activation, reverse):
    """-> out, hs, cs (B, T, H), gates (B, T, 5H) (see kback_core/recurrent.pyx);
    bias (4H,) or None is added to xw; rmask (B, 4H) or None: the gates'
    recurrent dropout masks."""
    dt = _compiled(xw, u, bias, h0, c0)
    if dt is None:
        return ref.lstm_forward(_biased(xw, bias), u, h0, c0, mask, activation,
                                recurrent_activation, reverse, rmask)
    B, T, G = xw.shape
    H = G // 4
    out, hs, cs = (np.empty((B, T, H), dt) for _ in range(3))
    gates = np.empty((B, T, 5 * H), dt)
    with single_threaded_blas():
        _rec.lstm_forward(_c(xw, dt), _c(u, dt), _c(bias, dt), _c(h0, dt), _c(c0, dt),
                          _c(mask, dt), _c(rmask, dt), out, hs, cs, gates, activation,
                          recurrent_activation, bool(reverse), _threads(hs.shape, 4))
    return out, hs, cs, gates


def lstm_backward(u, h0, c0, mask, rmask, hs, cs, gates, d_out, d_hs, d_cs, activation,
                  recurrent_activation, reverse, bias_grad=False):
    """-> dxw (B, T, 4H, data order), db (the input bias's, with bias_grad;
    else None), du, dh0, dc0."""
    dt = _compiled(u, h0, c0, hs, cs, gates)
    if dt is None:
        dxw, du, dh0, dc0 = ref.lstm_backward(u, h0, c0, mask, hs, cs, gates, d_out, d_hs,
                                              d_cs, activation, recurrent_activation, reverse,
                                              rmask)
        db = _bias_sum(dxw, bias_grad)
    else:
        dxw = np.empty(gates.shape[:2] + (4 * hs.shape[2],), dt)
        db = np.empty(4 * hs.shape[2], dt) if bias_grad else None
        du = np.empty(u.shape, dt)
        dh0, dc0 = np.empty(h0.shape, dt), np.empty(c0.shape, dt)
        with single_threaded_blas():
            _rec.lstm_backward(_c(u, dt), _c(h0, dt), _c(c0, dt), _c(mask, dt), _c(rmask, dt),
                               _c(hs, dt),
                               _c(cs, dt), _c(gates, dt), _c(d_out, dt), _c(d_hs, dt),
                               _c(d_cs, dt), dxw, db, du, dh0, dc0, activation,
                               recurrent_activation, bool(reverse), _threads(hs.shape, 4))
    return _data_order(dxw, reverse), db, du, dh0, dc0


def gru_forward(xw, u, bias, brec, h0, mask, rmask, activation, recurrent_activation,
                reset_after, reverse):
    """-> out, hs (B, T, H), gates (B, T, 3H), extra (B, T, H); bias (3H,),
    the input bias, or None is added to xw; rmask (B, 3H) or None."""
    dt = _compiled(xw, u, bias, brec, h0)
    if dt is None:
        return ref.gru_forward(_biased(xw, bias), u, brec, h0, mask, activation,
                               recurrent_activation, reset_after, reverse, rmask)
    B, T, G = xw.shape
    H = G // 3
    out, hs, extra = (np.empty((B, T, H), dt) for _ in range(3))
    gates = np.empty((B, T, 3 * H), dt)
    with single_threaded_blas():
        _rec.gru_forward(_c(xw, dt), _c(u, dt), _c(bias, dt), _c(brec, dt), _c(h0, dt),
                         _c(mask, dt), _c(rmask, dt), out, hs, gates, extra, activation,
                         recurrent_activation, bool(reset_after), bool(reverse),
                         _threads(hs.shape, 3))
    return out, hs, gates, extra


def gru_backward(u, h0, mask, rmask, hs, gates, extra, d_out, d_hs, activation,
                 recurrent_activation, reset_after, reverse, bias_grad=False):
    """-> dxw (B, T, 3H, data order), db (the input bias's gradient, with
    bias_grad; else None), du, dbrec (the recurrent bias's gradient with
    reset_after, else None), dh0."""
    dt = _compiled(u, h0, hs, gates, extra)
    if dt is None:
        dxw, drec, du, dh0 = ref.gru_backward(u, h0, mask, hs, gates, extra, d_out, d_hs,
                                              activation, recurrent_activation, reset_after,
                                              reverse, rmask)
        db, dbrec = _bias_sum(dxw, bias_grad), _bias_sum(drec, reset_after)
    else:
        dxw = np.empty(gates.shape, dt)
        drec = np.empty(gates.shape, dt) if reset_after else None
        db = np.empty(gates.shape[2], dt) if bias_grad else None
        dbrec = np.empty(gates.shape[2], dt) if reset_after else None
        du, dh0 = np.empty(u.shape, dt), np.empty(h0.shape, dt)
        with single_threaded_blas():
            _rec.gru_backward(_c(u, dt), _c(h0, dt), _c(mask, dt), _c(rmask, dt), _c(hs, dt),
                              _c(gates, dt),
                              _c(extra, dt), _c(d_out, dt), _c(d_hs, dt), dxw, drec, db, dbrec,
                              du, dh0, activation, recurrent_activation, bool(reset_after),
                              bool(reverse), _threads(hs.shape, 3))
    return _data_order(dxw, reverse), db, du, dbrec, dh0


def simple_forward(xw, u, bias, h0, mask, rmask, activation, reverse):
    """-> out, hs (B, T, H); bias (H,) or None is added to xw; rmask (B, H)
    or None."""
    dt = _compiled(xw, u, bias, h0)
    if dt is None:
        return ref.simple_forward(_biased(xw, bias), u, h0, mask, activation, reverse, rmask)
    out, hs = np.empty(xw.shape, dt), np.empty(xw.shape, dt)
    with single_threaded_blas():
        _rec.simple_forward(_c(xw, dt), _c(u, dt), _c(bias, dt), _c(h0, dt), _c(mask, dt),
                            _c(rmask, dt), out, hs, activation, bool(reverse),
                            _threads(hs.shape, 1))
    return out, hs


def simple_backward(u, h0, mask, rmask, hs, d_out, d_hs, activation, reverse, bias_grad=False):
    """-> dxw (B, T, H, data order), db (the input bias's, with bias_grad;
    else None), du, dh0."""
    dt = _compiled(u, h0, hs)
    if dt is None:
        dxw, du, dh0 = ref.simple_backward(u, h0, mask, hs, d_out, d_hs, activation, reverse,
                                           rmask)
        db = _bias_sum(dxw, bias_grad)
    else:
        dxw, du, dh0 = np.empty(hs.shape, dt), np.empty(u.shape, dt), np.empty(h0.shape, dt)
        db = np.empty(hs.shape[2], dt) if bias_grad else None
        with single_threaded_blas():
            _rec.simple_backward(_c(u, dt), _c(h0, dt), _c(mask, dt), _c(rmask, dt), _c(hs, dt),
                                 _c(d_out, dt), _c(d_hs, dt), dxw, db, du, dh0, activation,
                                 bool(reverse), _threads(hs.shape, 1))
    return _data_order(dxw, reverse), db, du, dh0
