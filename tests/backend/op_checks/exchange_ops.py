"""Checks for exchange_start/exchange_wait with a channel of one process:
the exchange returns its input, and its gradient is the exchanged gradient."""
import numpy as np

from kback import backend as K


class _OneProcess:
    """A channel whose collective over one process returns the packed values."""

    def start(self, arrays):
        return np.concatenate([np.ravel(a) for a in arrays])

    def wait(self, buffer):
        return buffer


def _exchanged_sum(a, b):
    x, y = K.exchange([a, b], _OneProcess())
    return K.sum(x * x) + K.sum(y * 3.)


CHECKS = {
    'exchange_start': [dict(build=lambda a, b: K.exchange([a, b], _OneProcess())[1],
                            inputs=[np.arange(6.0).reshape(2, 3), np.arange(4.0).reshape(4, 1)],
                            reference=lambda a, b: b)],
    'exchange_wait': [dict(build=_exchanged_sum,
                           inputs=[np.arange(6.0).reshape(2, 3), np.arange(4.0)],
                           reference=lambda a, b: np.sum(a * a) + np.sum(b * 3.))],
}
