"""The MPI world of a data-parallel run: init, ranks, shutdown, and the
excepthook that ends the whole job when one rank fails.

mpi4py is imported on `init()` only, so that importing kback never needs MPI.
Under a launcher (`mpiexec -n 4 python train.py`, `srun`) every process is a
rank of COMM_WORLD; under plain `python train.py` MPI starts a world of size 1.
"""
import sys
import traceback

from .. import callbacks as cbks

_EXTRA_HINT = ("kback.distributed needs mpi4py and an MPI library; install kback's `mpi` "
               "extra: pip install 'kback[mpi]' (mpi4py and the mpich wheel from PyPI)")


class _World:
    comm = None          # the communicator of all ranks (COMM_WORLD unless given)
    local = None         # the ranks on this node
    previous_hook = None


_world = _World()


def mpi():
    """The mpi4py MPI module, or an ImportError naming the `mpi` extra."""
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise ImportError(_EXTRA_HINT) from error
    return MPI


def init(comm=None):
    """Joins the MPI world (once; later calls do nothing).  Rank 0 becomes the
    process that prints and writes files; a rank that raises aborts the job."""
    if _world.comm is not None:
        return
    MPI = mpi()
    comm = MPI.COMM_WORLD if comm is None else comm
    _world.comm = comm
    _world.local = comm.Split_type(MPI.COMM_TYPE_SHARED, key=comm.Get_rank())
    cbks.set_primary_process(comm.Get_rank() == 0)
    _world.previous_hook = sys.excepthook
    sys.excepthook = _abort_world


def is_initialized():
    return _world.comm is not None


def shutdown():
    """Leaves the world: rank queries raise again, every process logs, the
    excepthook is restored.  MPI itself is finalized when Python exits."""
    if _world.comm is None:
        return
    sys.excepthook = _world.previous_hook
    _world.local.Free()
    _world.comm = _world.local = _world.previous_hook = None
    cbks.set_primary_process(True)


def communicator():
    if _world.comm is None:
        raise ValueError('kback.distributed has not been initialized; call '
                         'kback.distributed.init() first')
    return _world.comm


def rank():
    return communicator().Get_rank()


def size():
    return communicator().Get_size()


def local_rank():
    communicator()
    return _world.local.Get_rank()


def local_size():
    communicator()
    return _world.local.Get_size()


def _abort_world(kind, value, tb):
    """sys.excepthook: print the error naming this rank, then abort every rank
    (the others may be blocked in a collective that this one never joins)."""
    comm = _world.comm
    where = f'rank {comm.Get_rank()} of {comm.Get_size()}'
    # One write: the first rank to abort kills the others, perhaps mid-message
    # (when every rank raises, as on a mismatch, any one's full report must get out).
    sys.stderr.write(f'kback.distributed: {where} failed with an uncaught exception; '
                     'aborting all ranks\n'
                     + ''.join(traceback.format_exception(kind, value, tb))
                     + f'kback.distributed: the error above was raised on {where}\n')
    sys.stderr.flush()
    comm.Abort(1)
