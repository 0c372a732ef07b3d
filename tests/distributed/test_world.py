"""The package without a launcher or without MPI: import, init, a world of one."""
import json
import subprocess
import sys

import pytest

import kback.distributed as kd
from .conftest import HERE, ROOT, HAS_MPI4PY


def _python(*args):
    done = subprocess.run([sys.executable] + list(args), capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_kback_and_the_package_loads_no_mpi():
    out = _python('-c', 'import sys, kback, kback.distributed, kback.models; '
                        'print("mpi4py" in sys.modules)')
    assert out.strip() == 'False'


def test_init_without_mpi4py_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, 'mpi4py', None)      # import raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'kback\[mpi\]'"):
        kd.init()
    assert not kd.is_initialized()


def test_rank_before_init_says_to_call_init():
    with pytest.raises(ValueError, match=r'call kback.distributed.init\(\) first'):
        kd.rank()


@pytest.mark.skipif(not HAS_MPI4PY,
                    reason="MPI tests skipped: mpi4py is not installed (pip install '.[mpi]')")
def test_plain_python_is_a_world_of_one():
    first, second = (json.loads(line) for line in
                     _python(f'{HERE}/_worker_single.py').strip().splitlines())
    assert first['world'] == [0, 1, 0, 1, True] and first['primary']
    x = [[0., 1., 2.], [3., 4., 5.]]
    assert first['allreduce'] == x and first['sum'] == x
    assert first['allgather'] == x and first['broadcast'] == x
    assert second == {'after_shutdown': False}
