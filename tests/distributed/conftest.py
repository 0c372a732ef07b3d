"""Runs MPI workers: `run_mpi(script, *args)` launches
`mpiexec -n 2 python tests/distributed/<script> args` with a timeout; the MPI
tests skip, saying why, when mpi4py or mpiexec is missing."""
import os
import shutil
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _mpiexec():
    # The mpich wheel installs mpiexec beside the interpreter of its venv.
    beside = os.path.join(os.path.dirname(sys.executable), 'mpiexec')
    return beside if os.path.exists(beside) else shutil.which('mpiexec')


def _has_mpi4py():
    try:
        import mpi4py  # noqa: F401  (the package only: MPI itself starts in mpi4py.MPI)
    except ImportError:
        return False
    return True


HAS_MPI4PY = _has_mpi4py()
MPIEXEC = _mpiexec()
MISSING = ("mpi4py is not installed (pip install '.[mpi]')" if not HAS_MPI4PY else
           'no mpiexec (the mpich wheel of the [mpi] extra installs one)'
           if MPIEXEC is None else None)
needs_mpi = pytest.mark.skipif(MISSING is not None, reason=f'MPI tests skipped: {MISSING}')


class Finished:
    def __init__(self, returncode, output, seconds):
        self.returncode, self.output, self.seconds = returncode, output, seconds


def run_mpi(script, *args, ranks=2, timeout=60):
    """Runs tests/distributed/<script> (or the script at that path) on `ranks`
    ranks; the output is stdout and stderr together."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''),
               KBACK_NUM_THREADS='1', OMP_NUM_THREADS='1')
    start = time.monotonic()
    done = subprocess.run([MPIEXEC, '-n', str(ranks), sys.executable,
                           os.path.join(HERE, script)] + [str(a) for a in args],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, env=env, cwd=ROOT)
    return Finished(done.returncode, done.stdout, time.monotonic() - start)
