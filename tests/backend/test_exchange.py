"""K.exchange in a compiled function: the start runs as soon as its inputs
exist (the executor hoists `early` ops), the wait where the result is read."""
import numpy as np

from kback import backend as K


class _Recording:
    """A one-process channel (it doubles the values) that logs its calls."""

    def __init__(self, log):
        self.log = log

    def start(self, arrays):
        self.log.append('start')
        return np.concatenate([np.ravel(a) for a in arrays]) * 2

    def wait(self, buffer):
        self.log.append('wait')
        return buffer


def _ops_in_run_order(f):
    return [node.op for _, node in sorted(f._line_nodes.items())]


def test_the_start_runs_as_soon_as_its_inputs_exist():
    log = []
    x = K.placeholder(shape=(3,))
    ready = K.exp(x)
    # Created before the exchange, but the exchange does not need it.
    later = K.sum(K.print_tensor(x * 3., message='later'))
    exchanged, = K.exchange([ready], _Recording(log))
    f = K.function([x], [exchanged + later])
    order = _ops_in_run_order(f)
    assert order.index('exp') < order.index('exchange_start') < order.index('print_tensor') \
        < order.index('exchange_wait')
    np.testing.assert_allclose(f([np.array([0., 1., 2.])])[0], 2 * np.exp([0., 1., 2.]) + 9.)
    assert log == ['start', 'wait']


def test_without_early_ops_the_plan_keeps_creation_order():
    x = K.placeholder(shape=(3,))
    a = K.exp(x)
    b = K.print_tensor(x * 3., message='b')
    f = K.function([x], [a + b])
    order = _ops_in_run_order(f)
    assert order.index('exp') < order.index('print_tensor')
