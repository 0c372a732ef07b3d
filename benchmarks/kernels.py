"""Compiled kernels beside numpy (and PyTorch CPU when installed).

    python benchmarks/kernels.py [conv|pool|elementwise ...]

Prints milliseconds (median of repeated runs) at 1 thread and at all threads,
and ratios reference/kback (> 1 means kback is faster).
"""
import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]   # runnable from a source checkout
from _timing import median_seconds, try_import_torch  # noqa: E402

from kback import backend as K  # noqa: E402
from kback.backend import _kernels  # noqa: E402


# Each family module yields rows (name, shape, kback_fn, numpy_fn, torch_fn or None).
FAMILIES = ['bench_elementwise', 'bench_conv', 'bench_pool', 'bench_optim', 'bench_image',
            'bench_checksum']


def rows(torch, only=()):
    for family in FAMILIES:
        if only and not any(word in family for word in only):
            continue
        try:
            module = importlib.import_module(family)
        except ImportError:
            continue
        yield from module.rows(torch)


def main():
    torch = try_import_torch()
    all_threads = K.get_num_threads()
    print(f'kback_core compiled={_kernels.AVAILABLE} openmp={_kernels.info()["openmp"]} '
          f'threads={all_threads} torch={torch.__version__ if torch else "not installed"}')
    header = f'{"kernel":<16}{"shape":<22}{"kb 1t ms":>10}{"kb {}t ms".format(all_threads):>10}' \
             f'{"numpy ms":>10}{"torch ms":>10}{"np/kb":>8}{"torch/kb":>9}{"1t/Nt":>7}'
    print(header)
    for name, shape, kb, ref, tref in rows(torch, sys.argv[1:]):
        K.set_num_threads(1)
        if torch:
            torch.set_num_threads(1)
        one = median_seconds(kb)
        K.set_num_threads(all_threads)
        if torch:
            torch.set_num_threads(all_threads)
        many = median_seconds(kb)
        numpy_t = median_seconds(ref)
        torch_t = median_seconds(tref) if tref else float('nan')
        print(f'{name:<16}{str(shape):<22}{one * 1e3:>10.3f}{many * 1e3:>10.3f}'
              f'{numpy_t * 1e3:>10.3f}{torch_t * 1e3:>10.3f}{numpy_t / many:>8.2f}'
              f'{torch_t / many:>9.2f}{one / many:>7.2f}')


if __name__ == '__main__':
    main()
