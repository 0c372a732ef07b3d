"""Benchmark rows: fused elementwise and loss kernels (see kernels.py for the table).

Each row times the compiled kernel, the numpy formula it replaces and, when
torch is installed, PyTorch's equivalent (forward + backward rows use
autograd for torch).  The two 'subnormal' rows compare the same compiled
kernel with FTZ/DAZ on (kback) and off (the numpy column).
"""
import numpy as np

from kback.backend._kernels import elementwise as kew, losses as kloss

try:
    from kback_core import _openmp
except ImportError:       # benchmarks run without the compiled core too
    _openmp = None


def _log_softmax(x):
    s = x - x.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def _ftz_off(fn):
    def run():
        _openmp.set_flush_denormals(False)
        try:
            return fn()
        finally:
            _openmp.set_flush_denormals(True)
    return run


def _relu_rows(torch, rng):
    for shape in ((50, 36, 36, 32), (128, 27, 27, 128)):
        x = rng.randn(*shape).astype(np.float32)
        g = rng.randn(*shape).astype(np.float32)
        tx, tg = (torch.from_numpy(x), torch.from_numpy(g)) if torch else (None, None)
        yield ('relu forward', shape, lambda: kew.relu(x), lambda: np.maximum(x, 0),
               (lambda: torch.relu(tx)) if torch else None)
        yield ('relu backward', shape, lambda: kew.relu_backprop(x, g),
               lambda: np.where(x > 0, g, 0),
               (lambda: torch.where(tx > 0, tg, 0.0)) if torch else None)


def _bias_rows(torch, rng):
    for shape, axis in (((50, 36, 36, 32), -1), ((50, 32, 36, 36), 1), ((256, 1024), -1)):
        x = rng.randn(*shape).astype(np.float32)
        g = rng.randn(*shape).astype(np.float32)
        b = rng.randn(shape[axis]).astype(np.float32)
        bv = b.reshape((-1,) + (1,) * (len(shape) - 1 - axis % len(shape)))
        axes = tuple(i for i in range(len(shape)) if i != axis % len(shape))
        y = kew.bias_add_relu(x, b, axis)
        fmt = 'cf' if axis == 1 else 'cl'
        if torch:
            tx, tg, tb, ty = (torch.from_numpy(a) for a in (x, g, bv, y))

        def np_bwd():
            dz = np.where(y > 0, g, 0)
            return dz, dz.sum(axis=axes)

        def torch_bwd():
            dz = torch.where(ty > 0, tg, 0.0)
            return dz, dz.sum(dim=axes)

        yield (f'bias+relu fwd {fmt}', shape, lambda: kew.bias_add_relu(x, b, axis),
               lambda: np.maximum(x + bv, 0), (lambda: torch.relu(tx + tb)) if torch else None)
        yield (f'bias+relu bwd {fmt}', shape, lambda: kew.bias_add_relu_backprop(y, g, axis), np_bwd,
               torch_bwd if torch else None)


def _loss_rows(torch, rng):
    for rows, classes in ((512, 1000), (4096, 10)):
        shape = (rows, classes)
        x = (rng.randn(*shape) * 3).astype(np.float32)
        labels = rng.randint(0, classes, rows)
        t = np.eye(classes, dtype=np.float32)[labels]
        g = np.ones(rows, np.float32)

        def kb():
            return kloss.softmax_cross_entropy(t, x), kloss.softmax_cross_entropy_backprop(t, x, g)

        def kb_sparse():
            return (kloss.sparse_softmax_cross_entropy(labels, x),
                    kloss.sparse_softmax_cross_entropy_backprop(labels, x, g))

        def ref():
            ls = _log_softmax(x)
            return -(t * ls).sum(-1), (np.exp(ls) - t) * g[:, None]

        def torch_ce(target):
            def run():
                tx = torch.from_numpy(x).requires_grad_()
                loss = torch.nn.functional.cross_entropy(tx, target, reduction='none')
                loss.backward(torch.from_numpy(g))
                return loss, tx.grad
            return run

        yield ('softmax-CE f+b', shape, kb, ref,
               torch_ce(torch.from_numpy(t)) if torch else None)
        yield ('sparse-CE f+b', shape, kb_sparse, ref,
               torch_ce(torch.from_numpy(labels)) if torch else None)
    shape = (1024, 1024)
    x = (rng.randn(*shape) * 3).astype(np.float32)
    z = (rng.uniform(0, 1, shape) > 0.5).astype(np.float32)
    g = np.ones(shape, np.float32)

    def kb_bce():
        return kloss.sigmoid_cross_entropy(z, x), kloss.sigmoid_cross_entropy_backprop(z, x, g)

    def np_bce():
        e = np.exp(-np.abs(x))
        loss = np.maximum(x, 0) - x * z + np.log1p(e)
        s = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return loss, (s - z) * g

    def torch_bce():
        tx = torch.from_numpy(x).requires_grad_()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            tx, torch.from_numpy(z), reduction='none')
        loss.backward(torch.from_numpy(g))
        return loss, tx.grad

    yield ('sigmoid-BCE f+b', shape, kb_bce, np_bce, torch_bce if torch else None)


def _dropout_rows(torch, rng):
    shape = (50, 36, 36, 32)
    x = rng.randn(*shape).astype(np.float32)
    state = {'n': 0}
    np_rng = np.random.default_rng(0)

    def kb():
        state['n'] += 1
        return kew.dropout(x, 0.5, kew.stream_start(1, state['n']))

    def ref():
        keep = np_rng.random(shape, dtype=np.float32) >= 0.5
        return x * np.float32(2.0) * keep

    tx = torch.from_numpy(x) if torch else None
    yield ('dropout 0.5', shape, kb, ref,
           (lambda: torch.nn.functional.dropout(tx, 0.5, training=True)) if torch else None)


def _subnormal_rows(torch, rng):
    if _openmp is None or not _openmp.flush_denormals_supported():
        return
    shape = (50, 36, 36, 32)
    n = int(np.prod(shape))
    # Subnormal float32 bit patterns (exponent 0), random signs and mantissas.
    bits = rng.randint(1, 1 << 23, n).astype(np.uint32) | (rng.randint(0, 2, n).astype(np.uint32) << 31)
    sub = bits.view(np.float32).reshape(shape)
    x = rng.randn(*shape).astype(np.float32)
    b = np.zeros(shape[-1], np.float32)
    yield ('relu bwd subnorm', shape, lambda: kew.relu_backprop(x, sub),
           _ftz_off(lambda: kew.relu_backprop(x, sub)), None)
    yield ('bias add subnorm', shape, lambda: kew.bias_add(sub, b),
           _ftz_off(lambda: kew.bias_add(sub, b)), None)


def rows(torch):
    rng = np.random.RandomState(0)
    for family in (_relu_rows, _bias_rows, _loss_rows, _dropout_rows, _subnormal_rows):
        yield from family(torch, rng)
