"""Collectives on numpy arrays and K variables, and the check that all ranks
agree on what they are about to exchange (shapes, dtypes, settings)."""
import numpy as np

from .. import backend as K
from .world import communicator, mpi


def _array(value):
    return K.get_value(value) if K.is_variable(value) else np.asarray(value)


def allreduce(value, average=True):
    """The sum (average=True: the mean) over ranks of an array, number or
    variable, shaped alike on every rank; a float array when averaging."""
    array = np.array(_array(value), order="C")
    check_same('allreduce', ('shape', array.shape, 'dtype', array.dtype.str))
    comm = communicator()
    out = np.empty_like(array)
    comm.Allreduce(array, out, op=mpi().SUM)
    if average:
        out = out / comm.Get_size() if out.dtype.kind != 'f' else \
            np.divide(out, comm.Get_size(), out=out)
    return out


def allgather(value):
    """The arrays of all ranks concatenated on the first axis (its length may
    differ between ranks, the other dimensions may not)."""
    array = np.array(_array(value), order="C")
    if array.ndim == 0:
        array = array.reshape(1)
    check_same('allgather', ('trailing shape', array.shape[1:], 'dtype', array.dtype.str))
    comm = communicator()
    counts = comm.allgather(array.size)
    out = np.empty((sum(counts) // max(1, int(np.prod(array.shape[1:]))),) + array.shape[1:],
                   array.dtype)
    comm.Allgatherv(array, [out, counts])
    return out


def broadcast(value, root_rank=0):
    """Root's array (or variable's value) on every rank."""
    array = np.array(_array(value), order="C")
    check_same('broadcast', ('shape', array.shape, 'dtype', array.dtype.str), root_rank)
    out = array.copy()
    communicator().Bcast(out, root=root_rank)
    return out


def broadcast_variables(variables, root_rank=0):
    """Sets each variable to its value on root_rank; first checks that every
    rank holds the same list of variables (names, shapes, dtypes)."""
    variables = list(variables)
    check_same('broadcast_variables',
               [(v.name, tuple(K.int_shape(v)), K.dtype(v)) for v in variables], root_rank)
    comm = communicator()
    values = []
    for v in variables:
        value = np.array(K.get_value(v), order="C")
        comm.Bcast(value, root=root_rank)
        values.append((v, value))
    K.batch_set_value(values)


def check_same(what, description, root_rank=0):
    """Raises ValueError on every rank when `description` (any picklable
    value: shapes, names, settings) differs from root_rank's, naming the
    ranks and both values: a mismatch must not become corrupt weights."""
    comm = communicator()
    described = comm.allgather(description)
    root = described[root_rank]
    differ = [r for r, d in enumerate(described) if d != root]
    if differ:
        r = differ[0]
        detail = _first_difference(root, described[r])
        raise ValueError(f'{what}: rank {r} disagrees with rank {root_rank} '
                         f'(ranks that differ: {differ}): {detail}')


def _first_difference(a, b):
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return f'{len(a)} entries on the root, {len(b)} on the other rank'
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return f'entry {i}: {x!r} on the root, {y!r} on the other rank'
    return f'{a!r} on the root, {b!r} on the other rank'
