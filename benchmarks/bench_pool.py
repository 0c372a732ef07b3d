"""Benchmark rows: pooling and batch normalisation (see kernels.py for the
table).  kback runs NHWC (Keras's default); PyTorch runs its native NCHW with
autograd for the backward."""
import numpy as np

from kback.backend import _kernels, _reference as R
from kback.backend._kernels import pool as P
from kback.backend._shapes import axis_pads

POOLS = [((50, 36, 36, 32), 3, 2), ((128, 27, 27, 128), 2, 2)]


def _pool_rows(torch, mode):
    rng = np.random.RandomState(0)
    for shape, k, s in POOLS:
        x = rng.randn(*shape).astype(np.float32)
        pads = tuple(axis_pads(n, k, 'valid', s) for n in shape[1:3])
        y = P.pool2d_forward(x, (k, k), (s, s), pads, mode)
        g = rng.randn(*y.shape).astype(np.float32)
        label = f'{mode}pool {k}x{k}/{s}'
        fwd = (lambda x=x, k=k, s=s, pads=pads: P.pool2d_forward(x, (k, k), (s, s), pads, mode))
        ref = (lambda x=x, k=k, s=s, pads=pads: R.pool2d_forward(x, (k, k), (s, s), pads, mode))

        def both(x=x, g=g, k=k, s=s, pads=pads):
            P.pool2d_forward(x, (k, k), (s, s), pads, mode)
            return P.pool2d_backprop(g, x, (k, k), (s, s), pads, mode)

        def ref_both(x=x, g=g, k=k, s=s, pads=pads):
            R.pool2d_forward(x, (k, k), (s, s), pads, mode)
            return R.pool2d_backprop(g, x, (k, k), (s, s), pads, mode)

        tf = tb = None
        if torch:
            fn = torch.nn.functional.max_pool2d if mode == 'max' else \
                torch.nn.functional.avg_pool2d
            tx = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
            tg = torch.from_numpy(np.ascontiguousarray(g.transpose(0, 3, 1, 2)))

            def tf(tx=tx, k=k, s=s, fn=fn):
                with torch.no_grad():
                    return fn(tx, k, s)

            def tb(tx=tx, tg=tg, k=k, s=s, fn=fn):
                xr = tx.detach().requires_grad_()
                fn(xr, k, s).backward(tg)
                return xr.grad

        yield (label + ' fwd', shape, fwd, ref, tf)
        yield (label + ' f+b', shape, both, ref_both, tb)


def _batchnorm_rows(torch):
    from kback.backend._kernels import batchnorm as B
    rng = np.random.RandomState(0)
    shape = (50, 36, 36, 32)
    x = rng.randn(*shape).astype(np.float32) * 2 + 1
    g = rng.randn(*shape).astype(np.float32)
    gamma = rng.uniform(0.5, 1.5, 32).astype(np.float32)
    beta = rng.randn(32).astype(np.float32)

    def both():
        y, stats = B.train_forward(x, gamma, beta, axis=3, epsilon=1e-3)
        return B.train_backprop(g, x, stats, gamma, axis=3, epsilon=1e-3)

    def ref_both():
        y, stats = R.batchnorm_train_forward(x, gamma, beta, axis=3, epsilon=1e-3)
        return R.batchnorm_train_backprop(g, x, stats, gamma, axis=3, epsilon=1e-3)

    tb = None
    if torch:
        tx = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        tg = torch.from_numpy(np.ascontiguousarray(g.transpose(0, 3, 1, 2)))
        tw = torch.from_numpy(gamma).requires_grad_()
        tbias = torch.from_numpy(beta).requires_grad_()

        def tb():
            xr = tx.detach().requires_grad_()
            y = torch.nn.functional.batch_norm(xr, None, None, tw, tbias, True, 0.0, 1e-3)
            y.backward(tg)
            return xr.grad

    yield ('batchnorm f+b', shape, both, ref_both, tb)


def rows(torch):
    yield from _pool_rows(torch, 'max')
    yield from _pool_rows(torch, 'avg')
    if _kernels.AVAILABLE:
        yield from _batchnorm_rows(torch)
