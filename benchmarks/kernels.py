"""Compiled kernels beside numpy (and PyTorch CPU when installed).

    python benchmarks/kernels.py [conv|pool|elementwise ...]

Prints milliseconds (median of repeated runs) at 1 thread and at all threads,
and ratios reference/kback (> 1 means kback is faster).  PyTorch's column is
timed in a child process that never runs a kback kernel (two OpenMP runtimes
in one process slow each other down); the rows are built the same way in
both processes, so they pair up by position.
"""
import importlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]   # runnable from a source checkout
from _timing import median_seconds, try_import_torch  # noqa: E402

from kback import backend as K  # noqa: E402
from kback.backend import _kernels  # noqa: E402


# Each family module yields rows (name, shape, kback_fn, numpy_fn, torch_fn or None).
FAMILIES = ['bench_elementwise', 'bench_conv', 'bench_pool', 'bench_optim', 'bench_image',
            'bench_checksum']
TORCH_CHILD = '--torch-child'


def rows(torch, only=()):
    for family in FAMILIES:
        if only and not any(word in family for word in only):
            continue
        try:
            module = importlib.import_module(family)
        except ImportError:
            continue
        yield from module.rows(torch)


def torch_child(only, threads):
    """In the child: PyTorch's time of every row (seconds, NaN where none)."""
    torch = try_import_torch()
    torch.set_num_threads(threads)
    times = [median_seconds(tref) if tref else float('nan')
             for _, _, _, _, tref in rows(torch, only)]
    print(json.dumps(times))


def torch_times(only, threads):
    """PyTorch's column from a child process, or None without PyTorch."""
    probe = subprocess.run([sys.executable, '-c', 'import torch'], capture_output=True)
    if probe.returncode != 0:
        return None, None
    out = subprocess.run([sys.executable, os.path.abspath(__file__), TORCH_CHILD, str(threads)]
                         + list(only), capture_output=True, text=True, check=True)
    version = subprocess.run([sys.executable, '-c', 'import torch; print(torch.__version__)'],
                             capture_output=True, text=True).stdout.strip()
    return json.loads(out.stdout.strip().splitlines()[-1]), version


def main():
    args = sys.argv[1:]
    if args and args[0] == TORCH_CHILD:
        return torch_child(args[2:], int(args[1]))
    all_threads = K.get_num_threads()
    torch_t, version = torch_times(args, all_threads)
    print(f'kback_core compiled={_kernels.AVAILABLE} openmp={_kernels.info()["openmp"]} '
          f'threads={all_threads} torch={version or "not installed"} (own process)')
    header = f'{"kernel":<16}{"shape":<22}{"kb 1t ms":>10}{"kb {}t ms".format(all_threads):>10}' \
             f'{"numpy ms":>10}{"torch ms":>10}{"np/kb":>8}{"torch/kb":>9}{"1t/Nt":>7}'
    print(header)
    for i, (name, shape, kb, ref, _) in enumerate(rows(None, args)):
        K.set_num_threads(1)
        one = median_seconds(kb)
        K.set_num_threads(all_threads)
        many = median_seconds(kb)
        numpy_t = median_seconds(ref)
        tt = torch_t[i] if torch_t else float('nan')
        print(f'{name:<16}{str(shape):<22}{one * 1e3:>10.3f}{many * 1e3:>10.3f}'
              f'{numpy_t * 1e3:>10.3f}{tt * 1e3:>10.3f}{numpy_t / many:>8.2f}'
              f'{tt / many:>9.2f}{one / many:>7.2f}')


if __name__ == '__main__':
    main()
