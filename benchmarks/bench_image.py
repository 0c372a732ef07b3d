"""Benchmark rows: the batched affine warp behind ImageDataGenerator (see
kernels.py for the table).  A batch of 32 128x128x3 float32 images, random
small rotations and shifts, bilinear, 'nearest' fill, both layouts.

    python benchmarks/bench_image.py      # the same rows as images per second

The numpy column is scipy.ndimage.affine_transform per image and channel (what
the kernel reproduces).  The torch column is affine_grid + grid_sample
(bilinear, border padding, NCHW): its normalised coordinate convention differs
slightly from scipy's pixel-centre one, so it is a speed reference only.
"""
import os
import sys

import numpy as np

if __name__ == '__main__':
    HERE = os.path.dirname(os.path.abspath(__file__))
    sys.path[:0] = [HERE, os.path.dirname(HERE)]

from kback.backend import _reference as R  # noqa: E402
from kback.backend._kernels import image as I  # noqa: E402

N, H, W, C = 32, 128, 128, 3


def _matrices(rng):
    """Rotations of up to 15 degrees about the centre and shifts of up to 10%."""
    mats = []
    centre = np.array([(H - 1) / 2, (W - 1) / 2])
    for _ in range(N):
        t = np.deg2rad(rng.uniform(-15, 15))
        a = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        shift = rng.uniform(-0.1, 0.1, 2) * (H, W)
        mats.append(np.concatenate([a, (centre - a @ centre + shift)[:, None]], axis=1))
    return np.array(mats)


def _torch_theta(m):
    """Our pixel matrices (row, col) as affine_grid thetas (x, y normalised,
    align_corners=True)."""
    swap = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], np.float64)   # (x, y) <-> (r, c)
    to_pix = np.array([[(W - 1) / 2, 0, (W - 1) / 2], [0, (H - 1) / 2, (H - 1) / 2], [0, 0, 1]])
    thetas = []
    for a in m:
        full = np.vstack([a, [0, 0, 1]])
        thetas.append((np.linalg.inv(to_pix) @ swap @ full @ swap @ to_pix)[:2])
    return np.array(thetas, np.float32)


def rows(torch):
    rng = np.random.RandomState(0)
    x = rng.uniform(0, 255, (N, H, W, C)).astype(np.float32)
    xf = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    m = _matrices(rng)
    tref = None
    if torch:
        tx = torch.from_numpy(xf)
        theta = torch.from_numpy(_torch_theta(m))

        def tref():
            with torch.no_grad():
                grid = torch.nn.functional.affine_grid(theta, list(tx.shape), align_corners=True)
                return torch.nn.functional.grid_sample(tx, grid, mode='bilinear',
                                                       padding_mode='border',
                                                       align_corners=True)

    for label, data, fmt in (('warp bilin NHWC', x, 'channels_last'),
                             ('warp bilin NCHW', xf, 'channels_first')):
        yield (label, data.shape,
               lambda data=data, fmt=fmt: I.affine_warp(data, m, 'nearest', order=1,
                                                        data_format=fmt),
               lambda data=data, fmt=fmt: R.affine_warp(data, m, 'nearest', 1, 0.0,
                                                        fmt == 'channels_last'),
               tref)


def main():
    from _timing import median_seconds, try_import_torch
    from kback import backend as K
    torch = try_import_torch()
    threads = K.get_num_threads()
    print(f'images/s, batch of {N} {H}x{W}x{C} float32, threads={threads}')
    print(f'{"kernel":<18}{"kb 1t":>10}{"kb {}t".format(threads):>10}{"scipy":>10}{"torch":>10}')
    for name, _, kb, ref, tref in rows(torch):
        rates = []
        for fn, t in ((kb, 1), (kb, threads), (ref, threads), (tref, threads)):
            if fn is None:
                rates.append(float('nan'))
                continue
            K.set_num_threads(t)
            if torch:
                torch.set_num_threads(t)
            rates.append(N / median_seconds(fn, repeats=7))
        print(f'{name:<18}' + ''.join(f'{r:>10.0f}' for r in rates))


if __name__ == '__main__':
    main()
