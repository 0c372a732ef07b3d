"""Small and thin float32 matrix products, kback's matmul beside the BLAS
libraries it could use, at 1 and 2 threads.

    python benchmarks/small_gemm.py [--threads 1 2]

Columns (microseconds, median): kback's `matmul` wrapper (its compiled path:
shape-fixed blocks of single-threaded calls to the BLAS that
`kback_core._blas.library()` names, printed first; KBACK_BLAS=scipy runs it on
scipy's); numpy's matmul (OpenBLAS, its pool limited with threadpoolctl);
scipy's sgemm (its own OpenBLAS); scipy-openblas32's sgemm called directly
(ctypes, one call at the stated thread count); the `blis` package (BLIS,
single-threaded); PyTorch's mm (MKL/oneDNN) when installed.  The shapes are the products of a training
step of the 784-300-100-10 MLP at batch 32 (forward x @ W, backward
g @ W.T and x.T @ g), of M1 at batch 128 and 256, and square ones.
"""
import argparse
import ctypes
import importlib.util
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]   # runnable from a source checkout
from _timing import median_seconds, try_import_torch  # noqa: E402

# (m, k, n, ta, tb): op(a) (m, k) @ op(b) (k, n); ta/tb: the operand is stored transposed.
SHAPES = [(32, 784, 300, False, False), (32, 300, 784, False, True), (784, 32, 300, True, False),
          (32, 300, 100, False, False), (32, 100, 10, False, False),
          (128, 784, 512, False, False), (128, 512, 784, False, True),
          (784, 128, 512, True, False), (256, 784, 512, False, False),
          (64, 4096, 256, False, False), (128, 128, 128, False, False),
          (256, 256, 256, False, False), (512, 512, 512, False, False)]


def operands(m, k, n, ta, tb, rng):
    a = rng.rand(k, m).astype('float32').T if ta else rng.rand(m, k).astype('float32')
    b = rng.rand(n, k).astype('float32').T if tb else rng.rand(k, n).astype('float32')
    return a, b, np.empty((m, n), 'float32')


def openblas32():
    """scipy-openblas32's library, loaded by path with RTLD_LOCAL as kback_core
    loads it (importing the package would load it RTLD_GLOBAL, and scipy's
    column would then call it too), or None."""
    spec = importlib.util.find_spec('scipy_openblas32')
    if spec is None:
        return None
    lib_dir = os.path.join(spec.submodule_search_locations[0], 'lib')
    name = min(f for f in os.listdir(lib_dir) if f.startswith('libscipy_openblas'))
    return ctypes.CDLL(os.path.join(lib_dir, name), mode=ctypes.RTLD_LOCAL)


def direct_sgemm(lib, a, b, c, ta, tb):
    """One Fortran sgemm call computing row-major c = a @ b as c.T = b.T @ a.T."""
    m, k = a.shape
    n = b.shape[1]
    ab, bb = (a.T if ta else a), (b.T if tb else b)      # the C-ordered storage
    ref = ctypes.byref
    args = [ref(ctypes.c_char(b'T' if tb else b'N')), ref(ctypes.c_char(b'T' if ta else b'N')),
            ref(ctypes.c_int(n)), ref(ctypes.c_int(m)), ref(ctypes.c_int(k)),
            ref(ctypes.c_float(1)), bb.ctypes.data_as(ctypes.c_void_p),
            ref(ctypes.c_int(bb.shape[1])), ab.ctypes.data_as(ctypes.c_void_p),
            ref(ctypes.c_int(ab.shape[1])), ref(ctypes.c_float(0)),
            c.ctypes.data_as(ctypes.c_void_p), ref(ctypes.c_int(n))]
    sgemm = lib.scipy_sgemm_
    return lambda: sgemm(*args)


def candidates(a, b, c, ta, tb, torch, openblas):
    from kback.backend._kernels import linalg as kb_linalg
    import scipy.linalg.blas as sblas
    fns = {'kback': lambda: kb_linalg.matmul(a, b, out=c),
           'numpy': lambda: np.matmul(a, b, out=c)}
    # sgemm reads Fortran order: c.T = b.T @ a.T needs no copy of C-ordered operands.
    at, bt, ct = a.T, b.T, c.T
    fns['scipy'] = lambda: sblas.sgemm(1.0, bt, at, c=ct, overwrite_c=True)
    if openblas is not None:
        fns['ob32'] = direct_sgemm(openblas, a, b, c, ta, tb)
    try:
        import blis.py
        ab, bb = (a.T if ta else a), (b.T if tb else b)     # C-ordered, with a flag
        fns['blis'] = lambda: blis.py.gemm(ab, bb, out=c, trans1=ta, trans2=tb, beta=0.0)
    except ImportError:
        pass
    if torch:
        ta_, tb_, tc = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
        fns['torch'] = lambda: torch.mm(ta_, tb_, out=tc)
    return fns


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, nargs='*', default=[1, 2])
    args = parser.parse_args()
    from kback import backend as K
    from kback.backend import config
    from threadpoolctl import threadpool_limits
    import scipy.linalg.blas  # noqa: F401  (loaded now, so threadpool_limits below covers it)
    import kback_core._blas
    torch = try_import_torch()
    openblas = openblas32()
    print(f'kback calls {kback_core._blas.library()}; ob32 = scipy-openblas32 called directly')
    config.set_adaptive_threads(False)     # kernels at the stated count, however busy
    rng = np.random.RandomState(0)
    names = None
    for threads in args.threads:
        K.set_num_threads(threads)
        if torch:
            torch.set_num_threads(threads)
        with threadpool_limits(threads, user_api='blas'):
            for m, k, n, ta, tb in SHAPES:
                a, b, c = operands(m, k, n, ta, tb, rng)
                fns = candidates(a, b, c, ta, tb, torch, openblas)
                ref = a @ b
                times = {}
                for name, fn in fns.items():
                    if name == 'ob32':     # kback's calls hold this library at 1 thread
                        openblas.scipy_openblas_set_num_threads(threads)
                    c[...] = np.nan
                    fn()
                    if not np.allclose(c, ref, rtol=1e-4, atol=1e-3):
                        raise AssertionError(f'{name} gives a wrong product for {(m, k, n)}')
                    times[name] = median_seconds(fn, repeats=9) * 1e6
                if names is None:
                    names = list(times)
                    print(f'{"thr":>3} {"m,k,n (a.T b.T)":<22}' +
                          ''.join(f'{x + " us":>10}' for x in names) + f'{"best":>8}')
                shape = f'{m},{k},{n}' + (' aT' if ta else '') + (' bT' if tb else '')
                print(f'{threads:>3} {shape:<22}' + ''.join(f'{times[x]:>10.1f}' for x in names) +
                      f'{min(times, key=times.get):>8}', flush=True)


if __name__ == '__main__':
    main()
