"""Benchmark rows: in-place optimizer steps on 1M float32 params (see
kernels.py for the table).  numpy = the same formulas composed from numpy
calls (one temporary per op).  The 'graph' rows time a whole compiled
update (grad fed): kback = the in-place step, numpy column = the composed
K-op path of the same optimizer."""
import numpy as np

from kback import backend as K
from kback import optimizers
from kback.backend._kernels import optim

N = 1 << 20


def _numpy_adam(p, m, v, g, lr_t=1e-3, b1=0.9, b2=0.999, eps=1e-7):
    m[...] = b1 * m + (1 - b1) * g
    v[...] = b2 * v + (1 - b2) * np.square(g)
    p[...] = p - lr_t * m / (np.sqrt(v) + eps)


def _numpy_sgd(p, m, g, lr=1e-3, mu=0.9):
    m[...] = mu * m - lr * g
    p[...] = p + m


def rows(torch):
    rng = np.random.RandomState(0)
    g = (rng.randn(N) * 1e-3).astype(np.float32)

    def state(n_slots):
        return [rng.randn(N).astype(np.float32)] + [np.zeros(N, np.float32)
                                                     for _ in range(n_slots)]

    adam_kb, adam_np = state(2), state(2)
    sgd_kb, sgd_np = state(1), state(1)
    torch_adam = torch_sgd = None
    if torch:
        def torch_step(make):
            param = torch.nn.Parameter(torch.from_numpy(state(0)[0]))
            param.grad = torch.from_numpy(g.copy())
            opt = make([param])
            return lambda: opt.step()
        torch_adam = torch_step(lambda ps: torch.optim.Adam(ps, lr=1e-3, eps=1e-7))
        torch_sgd = torch_step(lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9))

    yield ('adam step', (N,),
           lambda: optim.step('adam', adam_kb, g, (1e-3, 0.9, 0.999), 1e-7),
           lambda: _numpy_adam(*adam_np, g), torch_adam)
    yield ('sgd momentum', (N,),
           lambda: optim.step('sgd', sgd_kb, g, (1e-3, 0.9)),
           lambda: _numpy_sgd(*sgd_np, g), torch_sgd)
    yield from function_rows(torch)


def _update_function(name, inplace, g):
    p = K.variable(np.random.RandomState(1).randn(N).astype(np.float32))
    grad = K.placeholder((N,))
    opt = optimizers.get(name)
    opt.use_inplace_steps = inplace
    f = K.function([grad], [], updates=opt.apply_gradients([grad], [p]))
    return lambda: f([g])


def function_rows(torch):
    g = (np.random.RandomState(0).randn(N) * 1e-3).astype(np.float32)
    for name in ('adam', 'rmsprop'):
        yield (f'{name} graph', (N,), _update_function(name, True, g),
               _update_function(name, False, g), None)
