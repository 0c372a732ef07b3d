"""Benchmark rows: fused elementwise kernels (see kernels.py for the table)."""
import numpy as np

from kback.backend import _kernels


def rows(torch):
    rng = np.random.RandomState(0)
    for shape in ((50, 36, 36, 32), (128, 27, 27, 128)):
        x = rng.randn(*shape).astype(np.float32)
        g = rng.randn(*shape).astype(np.float32)
        tx, tg = (torch.from_numpy(x), torch.from_numpy(g)) if torch else (None, None)
        yield ('relu forward', shape, lambda: _kernels.relu(x), lambda: np.maximum(x, 0),
               (lambda: torch.relu(tx)) if torch else None)
        yield ('relu backward', shape, lambda: _kernels.relu_grad(x, g),
               lambda: np.where(x > 0, g, 0),
               (lambda: torch.where(tx > 0, tg, 0.0)) if torch else None)
