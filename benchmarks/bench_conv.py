"""Benchmark rows: conv2d forward and forward + both gradients.

    python benchmarks/kernels.py conv      (the common table, one process)
    python benchmarks/bench_conv.py [--threads 1 2] [--rounds 3] [--cifar]
        (each library in a process of its own, as the targets are measured:
         medians, torch/kb ratios and kback's GFLOP/s; --cifar: only the
         CIFAR-10 CNN's convs)

kback runs NHWC (Keras's default), PyTorch NCHW (its native layout) with
autograd for forward + backward.  3x3 stride-1 convs with enough channels go
through Winograd (kback_core/winograd.pyx): the "im2col ms" column is kback
with KBACK_WINOGRAD=0 (im2col + GEMM), "wino x" its time over the default's;
GFLOP/s counts the direct conv's multiply-adds whichever path ran.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]   # runnable from a source checkout

from kback.backend import _kernels  # noqa: E402
from kback.backend import _reference as R  # noqa: E402
from kback.backend._kernels import conv as C  # noqa: E402
from kback.backend._shapes import axis_pads  # noqa: E402

# (batch, height, width, channels, filters, kernel, stride, padding)
SHAPES = [(50, 38, 38, 3, 32, 3, 1, 'valid'),
          (50, 18, 18, 32, 64, 3, 1, 'valid'),
          (128, 28, 28, 1, 128, 2, 1, 'valid'),
          (32, 56, 56, 64, 64, 3, 1, 'same'),
          (32, 28, 28, 128, 128, 3, 2, 'same')]
# The four convs of the CIFAR-10 CNN (benchmarks/models.py CIFAR).
CIFAR = [(32, 32, 32, 3, 32, 3, 1, 'same'),
         (32, 32, 32, 32, 32, 3, 1, 'same'),
         (32, 16, 16, 32, 64, 3, 1, 'same'),
         (32, 16, 16, 64, 64, 3, 1, 'same')]
SHAPES += CIFAR


def _case(spec, data_format='channels_last'):
    n, h, w, c, o, k, s, padding = spec
    rng = np.random.RandomState(0)
    pads = tuple(axis_pads(size, k, padding, s) for size in (h, w))
    x = rng.randn(n, h, w, c).astype(np.float32)
    kernel = (rng.randn(k, k, c, o) / np.sqrt(k * k * c)).astype(np.float32)
    y = R.conv2d_forward(x[:1], kernel, (s, s), pads, (1, 1))
    out_shape = (n,) + y.shape[1:]
    g = rng.randn(*out_shape).astype(np.float32)
    if data_format == 'channels_first':
        x, g = (np.ascontiguousarray(a.transpose(0, 3, 1, 2)) for a in (x, g))
    return x, kernel, g, pads, (s, s)


def flops(spec, backward=False):
    """Multiply-adds x 2 of the forward GEMM (x 3 with both gradients)."""
    n, h, w, c, o, k, s, padding = spec
    oh, ow = ((h - k) // s + 1, (w - k) // s + 1) if padding == 'valid' else \
        (-(-h // s), -(-w // s))
    return 2.0 * n * oh * ow * k * k * c * o * (3 if backward else 1)


def _fns(spec, torch, data_format='channels_last'):
    x, kernel, g, pads, st = _case(spec, data_format)
    y_out = np.empty(g.shape, np.float32)
    dx_out, dw_out = np.empty_like(x), np.empty_like(kernel)
    kw = dict(strides=st, pads=pads, data_format=data_format)

    def kb_fwd():
        return C.conv2d(x, kernel, out=y_out, **kw)

    def kb_all():
        C.conv2d(x, kernel, out=y_out, **kw)
        C.conv2d_backprop_input(g, kernel, x.shape, out=dx_out, **kw)
        C.conv2d_backprop_kernel(x, g, kernel.shape, out=dw_out, **kw)

    def np_fwd():
        return R.conv2d_forward(x, kernel, st, pads, (1, 1))

    def np_all():
        R.conv2d_forward(x, kernel, st, pads, (1, 1))
        R.conv2d_backprop_input(g, kernel, x.shape, st, pads, (1, 1))
        R.conv2d_backprop_kernel(x, g, kernel.shape, st, pads, (1, 1))

    if data_format == 'channels_first':
        np_fwd = np_all = None
    t_fwd = t_all = None
    if torch is not None:
        xn = x if data_format == 'channels_first' else x.transpose(0, 3, 1, 2)
        gn = g if data_format == 'channels_first' else g.transpose(0, 3, 1, 2)
        tx = torch.from_numpy(np.ascontiguousarray(xn)).requires_grad_(True)
        tw = torch.from_numpy(np.ascontiguousarray(kernel.transpose(3, 2, 0, 1))) \
            .requires_grad_(True)
        tg = torch.from_numpy(np.ascontiguousarray(gn))
        tpad = 'valid' if spec[7] == 'valid' else None
        if tpad is None:     # TF 'same' (asymmetric): pad explicitly, then 'valid'
            (t, b), (lf, r) = pads
            F = torch.nn.functional

            def conv(a):
                return F.conv2d(F.pad(a, (lf, r, t, b)), tw, stride=st)
        else:
            def conv(a):
                return torch.nn.functional.conv2d(a, tw, stride=st)

        def t_fwd():
            with torch.no_grad():
                return conv(tx)

        def t_all():
            tx.grad = tw.grad = None
            conv(tx).backward(tg)
    return (kb_fwd, np_fwd, t_fwd), (kb_all, np_all, t_all)


def rows(torch):
    for spec in SHAPES:
        shape = spec[:5] + (f'{spec[5]}x{spec[5]}/{spec[6]}', spec[7])
        fwd, both = _fns(spec, torch)
        yield ('conv2d fwd',) + (shape,) + fwd
        yield ('conv2d fwd+bwd',) + (shape,) + both


def _child(lib, threads, data_format, indices):
    """Prints one JSON list: [spec index, label, median seconds] of one library at
    `threads`, for the SHAPES at `indices`.  Runs in a process of its own:
    PyTorch's and kback's OpenMP runtimes slow each other down when both are
    loaded and active in one process."""
    import json
    from _timing import median_seconds
    torch = None
    if lib == 'torch':
        import torch
        torch.set_num_threads(threads)
    else:
        from kback import backend as K
        K.set_num_threads(threads)
    times = []
    for i in indices:
        spec = SHAPES[i]
        if lib == 'torch' and data_format == 'channels_first':
            continue        # the same NCHW run as for channels_last
        for label, fns in zip(('fwd', 'fwd+bwd'), _fns(spec, torch, data_format)):
            fn = fns[2] if lib == 'torch' else fns[0]
            times.append((i, label, median_seconds(fn, repeats=9)))
    print(json.dumps(times))


def _run_child(lib, threads, data_format, indices, winograd=True):
    import json
    import subprocess
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    if not winograd:
        env['KBACK_WINOGRAD'] = '0'
    out = subprocess.run([sys.executable, os.path.abspath(__file__), '--child', lib,
                          str(threads), data_format, ','.join(map(str, indices))], env=env,
                         check=True, capture_output=True, text=True).stdout
    return {(i, label): t for i, label, t in json.loads(out.strip().splitlines()[-1])}


def main():
    """The table: each library in its own process, at 1 thread and at all threads;
    --rounds R repeats the (kback, torch) pair R times and keeps each one's median."""
    import argparse
    import statistics
    parser = argparse.ArgumentParser()
    parser.add_argument('--child', nargs=4, metavar=('LIB', 'THREADS', 'FORMAT', 'INDICES'))
    parser.add_argument('--threads', type=int, nargs='+')
    parser.add_argument('--rounds', type=int, default=1)
    parser.add_argument('--formats', nargs='+', default=['channels_last', 'channels_first'])
    parser.add_argument('--cifar', action='store_true', help='only the CIFAR-10 CNN convs')
    args = parser.parse_args()
    if args.child:
        return _child(args.child[0], int(args.child[1]), args.child[2],
                      [int(i) for i in args.child[3].split(',')])
    indices = [SHAPES.index(s) for s in CIFAR] if args.cifar else range(len(SHAPES))
    from _timing import try_import_torch
    from kback import backend as K
    has_torch = try_import_torch() is not None
    all_threads = K.get_num_threads()
    print(f'compiled={_kernels.AVAILABLE} threads={all_threads} torch={has_torch} '
          f'rounds={args.rounds} load={os.getloadavg()[0]:.2f}')
    print(f'{"conv2d":<9}{"fmt":<6}{"shape":<38}{"thr":>4}{"kb ms":>9}{"torch ms":>9}'
          f'{"torch/kb":>9}{"GFLOP/s":>9}{"im2col ms":>10}{"wino x":>8}')
    for threads in args.threads or sorted({1, all_threads}):
        for data_format in args.formats:
            kb, tt, gemm = {}, {}, {}
            for _ in range(args.rounds):      # interleaved: load drifts hit all alike
                for times, lib, fmt, wino in ((kb, 'kback', data_format, True),
                                              (gemm, 'kback', data_format, False),
                                              (tt, 'torch', 'channels_last', True)):
                    if lib == 'torch' and not has_torch:
                        continue
                    for key, t in _run_child(lib, threads, fmt, indices, wino).items():
                        times.setdefault(key, []).append(t)
            for (i, label), ts in kb.items():
                k = statistics.median(ts)
                t = statistics.median(tt[i, label]) if has_torch else float('nan')
                g = statistics.median(gemm[i, label])
                gf = flops(SHAPES[i], label != 'fwd') / k / 1e9
                print(f'{label:<9}{data_format[9:]:<6}{str(SHAPES[i]):<38}{threads:>4}'
                      f'{k * 1e3:>9.2f}{t * 1e3:>9.2f}{t / k:>9.2f}{gf:>9.1f}{g * 1e3:>10.2f}'
                      f'{g / k:>8.2f}', flush=True)


if __name__ == '__main__':
    main()
