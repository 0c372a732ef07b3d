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


def lstm_forward(xw, u, h0, c0, mask, activation, recurrent_activation, reverse):
    """-> out, hs, cs (B, T, H), gates (B, T, 5H) (see kback_core/recurrent.pyx)."""
    dt = _compiled(xw, u, h0, c0)
    if dt is None:
        return ref.lstm_forward(xw, u, h0, c0, mask, activation, recurrent_activation, reverse)
    B, T, G = xw.shape
    H = G // 4
    out, hs, cs = (np.empty((B, T, H), dt) for _ in range(3))
    gates = np.empty((B, T, 5 * H), dt)
    with single_threaded_blas():
        _rec.lstm_forward(_c(xw, dt), _c(u, dt), _c(h0, dt), _c(c0, dt), _c(mask, dt), out, hs,
                          cs, gates, activation, recurrent_activation, bool(reverse),
                          _threads(hs.shape, 4))
    return out, hs, cs, gates


def lstm_backward(u, h0, c0, mask, hs, cs, gates, d_out, d_hs, d_cs, activation,
                  recurrent_activation, reverse):
    """-> dxw (B, T, 4H, data order), du, dh0, dc0."""
    dt = _compiled(u, h0, c0, hs, cs, gates)
    if dt is None:
        dxw, du, dh0, dc0 = ref.lstm_backward(u, h0, c0, mask, hs, cs, gates, d_out, d_hs,
                                              d_cs, activation, recurrent_activation, reverse)
    else:
        dxw = np.empty(gates.shape[:2] + (4 * hs.shape[2],), dt)
        du = np.empty(u.shape, dt)
        dh0, dc0 = np.empty(h0.shape, dt), np.empty(c0.shape, dt)
        with single_threaded_blas():
            _rec.lstm_backward(_c(u, dt), _c(h0, dt), _c(c0, dt), _c(mask, dt), _c(hs, dt),
                               _c(cs, dt), _c(gates, dt), _c(d_out, dt), _c(d_hs, dt),
                               _c(d_cs, dt), dxw, du, dh0, dc0, activation,
                               recurrent_activation, bool(reverse), _threads(hs.shape, 4))
    return _data_order(dxw, reverse), du, dh0, dc0


def gru_forward(xw, u, brec, h0, mask, activation, recurrent_activation, reset_after, reverse):
    """-> out, hs (B, T, H), gates (B, T, 3H), extra (B, T, H)."""
    dt = _compiled(xw, u, brec, h0)
    if dt is None:
        return ref.gru_forward(xw, u, brec, h0, mask, activation, recurrent_activation,
                               reset_after, reverse)
    B, T, G = xw.shape
    H = G // 3
    out, hs, extra = (np.empty((B, T, H), dt) for _ in range(3))
    gates = np.empty((B, T, 3 * H), dt)
    with single_threaded_blas():
        _rec.gru_forward(_c(xw, dt), _c(u, dt), _c(brec, dt), _c(h0, dt), _c(mask, dt), out, hs,
                         gates, extra, activation, recurrent_activation, bool(reset_after),
                         bool(reverse), _threads(hs.shape, 3))
    return out, hs, gates, extra


def gru_backward(u, h0, mask, hs, gates, extra, d_out, d_hs, activation, recurrent_activation,
                 reset_after, reverse):
    """-> dxw (B, T, 3H, data order), du, drec_sum (the recurrent bias's
    gradient with reset_after, else None), dh0."""
    dt = _compiled(u, h0, hs, gates, extra)
    if dt is None:
        dxw, drec, du, dh0 = ref.gru_backward(u, h0, mask, hs, gates, extra, d_out, d_hs,
                                              activation, recurrent_activation, reset_after,
                                              reverse)
    else:
        dxw = np.empty(gates.shape, dt)
        drec = np.empty(gates.shape, dt) if reset_after else None
        du, dh0 = np.empty(u.shape, dt), np.empty(h0.shape, dt)
        with single_threaded_blas():
            _rec.gru_backward(_c(u, dt), _c(h0, dt), _c(mask, dt), _c(hs, dt), _c(gates, dt),
                              _c(extra, dt), _c(d_out, dt), _c(d_hs, dt), dxw, drec, du, dh0,
                              activation, recurrent_activation, bool(reset_after),
                              bool(reverse), _threads(hs.shape, 3))
    db = drec.sum(axis=(0, 1)) if reset_after else None
    return _data_order(dxw, reverse), du, db, dh0


def simple_forward(xw, u, h0, mask, activation, reverse):
    """-> out, hs (B, T, H)."""
    dt = _compiled(xw, u, h0)
    if dt is None:
        return ref.simple_forward(xw, u, h0, mask, activation, reverse)
    out, hs = np.empty(xw.shape, dt), np.empty(xw.shape, dt)
    with single_threaded_blas():
        _rec.simple_forward(_c(xw, dt), _c(u, dt), _c(h0, dt), _c(mask, dt), out, hs,
                            activation, bool(reverse), _threads(hs.shape, 1))
    return out, hs


def simple_backward(u, h0, mask, hs, d_out, d_hs, activation, reverse):
    """-> dxw (B, T, H, data order), du, dh0."""
    dt = _compiled(u, h0, hs)
    if dt is None:
        dxw, du, dh0 = ref.simple_backward(u, h0, mask, hs, d_out, d_hs, activation, reverse)
    else:
        dxw, du, dh0 = np.empty(hs.shape, dt), np.empty(u.shape, dt), np.empty(h0.shape, dt)
        with single_threaded_blas():
            _rec.simple_backward(_c(u, dt), _c(h0, dt), _c(mask, dt), _c(hs, dt),
                                 _c(d_out, dt), _c(d_hs, dt), dxw, du, dh0, activation,
                                 bool(reverse), _threads(hs.shape, 1))
    return _data_order(dxw, reverse), du, dh0
