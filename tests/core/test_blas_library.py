"""The BLAS behind kback_core's GEMMs (kback_core._blas): scipy-openblas32 when
installed, scipy's cython_blas otherwise or with KBACK_BLAS=scipy.

The matmul, conv and recurrent kernel tests (numpy references, 1 and 2
threads, identical bits) run in this process on the library it picked, and
again in a child process on the other one."""
import ast
import importlib.util
import os
import subprocess
import sys

from kback.backend import _kernels
import kback_core._blas as blas

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HAS_OPENBLAS32 = importlib.util.find_spec('scipy_openblas32') is not None
KERNEL_TESTS = ['tests/core/test_linalg_kernels.py', 'tests/core/test_conv_kernels.py',
                'tests/core/test_recurrent_kernels.py']

# Runs in a child with the package hidden, as where it is not installed.
_HIDE_OPENBLAS32 = (
    'import importlib.util; find = importlib.util.find_spec; '
    'importlib.util.find_spec = lambda name, *a: None if name == "scipy_openblas32" '
    'else find(name, *a); ')


def _run(code, **variables):
    """python -c code with these environment variables (None: unset)."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop('KBACK_BLAS', None)
    env.update(variables)
    env = {name: value for name, value in env.items() if value is not None}
    return subprocess.run([sys.executable, '-c', code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_library_follows_kback_blas():
    setting = os.environ.get('KBACK_BLAS', '')
    if setting == 'scipy' or not HAS_OPENBLAS32:
        assert blas.library().startswith('scipy ') and 'cython_blas' in blas.library()
        assert not blas.private()
    else:
        assert blas.library().startswith('scipy-openblas32: OpenBLAS ')
        assert blas.private()
    assert _kernels.info()['blas'] == blas.library()


def test_kernel_tests_pass_on_the_other_library():
    other = 'scipy' if blas.private() or not HAS_OPENBLAS32 else 'scipy-openblas32'
    env = dict(os.environ, PYTHONPATH=ROOT, KBACK_BLAS=other)
    out = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-x', '-p', 'no:cacheprovider', *KERNEL_TESTS,
         'tests/core/test_blas_library.py::test_library_follows_kback_blas'],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert ' passed' in out.stdout and 'skipped' not in out.stdout


def test_unknown_library_is_a_clear_error():
    out = _run('import kback', KBACK_BLAS='mkl')
    assert out.returncode != 0
    assert "ValueError: KBACK_BLAS='mkl': kback_core knows 'scipy-openblas32' and 'scipy'" \
        in out.stderr


def test_without_openblas32_scipy_serves_and_requiring_it_fails():
    probe = _HIDE_OPENBLAS32 + 'import kback_core._blas as b; print(b.library())'
    out = _run(probe)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith('scipy ') and 'cython_blas' in out.stdout
    out = _run(probe, KBACK_BLAS='scipy-openblas32')
    assert out.returncode != 0
    assert 'RuntimeError: KBACK_BLAS=scipy-openblas32, but the scipy-openblas32 package is ' \
        'not installed (pip install scipy-openblas32)' in out.stderr


# Raise every BLAS to 2 threads, as a user's threadpool_limits(2) would, then run
# kback's matmul and conv: kback's private copy goes back to 1 thread, scipy's
# and numpy's keep the user's 2.
_THREADS_CODE = '''
import numpy as np, scipy.linalg, threadpoolctl  # scipy: a user BLAS beside numpy's
from kback import backend as K
from kback.backend._kernels import conv, linalg
from kback.backend import _kernels
import kback_core._blas as blas
assert blas.private()
libs = [c for c in threadpoolctl.ThreadpoolController().lib_controllers if c.user_api == 'blas']
ours = [c for c in libs if 'scipy_openblas32' in c.filepath]
assert len(ours) == 1 and len(libs) >= 3, [c.filepath for c in libs]
for c in libs:
    c.set_num_threads(2)
K.set_num_threads(2)
a = np.random.RandomState(0).rand(300, 400).astype('float32')
np.testing.assert_allclose(linalg.matmul(a, a.T), a @ a.T, rtol=1e-4)
assert ours[0].num_threads == 1
for c in libs:
    c.set_num_threads(2)
x, w = np.ones((4, 16, 16, 8), 'float32'), np.ones((3, 3, 8, 16), 'float32')
assert conv.conv2d(x, w).max() == 72
print(sorted((c.filepath, c.num_threads) for c in libs))
'''


def test_private_copy_is_held_at_one_thread_and_the_users_blas_untouched():
    out = _run(_THREADS_CODE, KBACK_BLAS='scipy-openblas32')
    assert out.returncode == 0, out.stderr
    threads = dict(ast.literal_eval(out.stdout))
    assert [n for path, n in threads.items() if 'scipy_openblas32' in path] == [1]
    assert all(n == 2 for path, n in threads.items() if 'scipy_openblas32' not in path)



def test_loading_leaves_the_users_openblas_variable_as_it_was():
    code = 'import os, kback_core.linalg; print(os.environ.get("OPENBLAS_NUM_THREADS"))'
    for value in ('3', None):
        out = _run(code, KBACK_BLAS='scipy-openblas32', OPENBLAS_NUM_THREADS=value)
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == [str(value)]
