"""What every kernel wrapper shares: whether kback_core is built, the dtypes it
covers, output buffers, and the threshold policy.

The policy answers two different questions, each once:
- NUMPY_BELOW: below this many elements a wrapper with a numpy fallback stays
  in numpy, whose call costs less than converting, checking and entering a
  kernel.  Wrapper calls at 1 thread, float32, us numpy / kernel: relu 1K
  3.5 / 5.6, 8K 11 / 8.4; relu_backprop 256 5.1 / 3.9; bias_add even near
  16K; sparse softmax-CE 128 30 / 6.9.  The crossovers spread from under 256
  to 16K elements; 1K sits between them: no call loses more than a few microseconds.
- SERIAL_BELOW: below this many elements a kernel runs on the calling thread.
  Waking the OpenMP team costs a few microseconds, about what a memory-bound
  kernel spends on 16K elements (relu: 4.4 us at 16K, 1 thread).
- NUMPY_BELOW_EXP: the loss kernels, whose rows need exp/log, beat numpy at
  every size (sparse softmax-CE forward + backward, (32, 10): 46 us through
  numpy, 27 us through the kernel); M2's batch of 32 rows sat under NUMPY_BELOW.
Matrix products count multiply-adds (a * b * c) instead:
- NUMPY_BELOW_MACS: numpy's matmul is cheaper below it (its BLAS runs such
  small products on the calling thread, so no BLAS thread wakes up).
- SERIAL_BELOW_MACS: waking the team costs more than it saves below it (M2's
  7.5M-MAC products gain from 2 threads now that idle threads spin briefly).
"""
import os

import numpy as np

from .. import config
from ._team import Team

NUMPY_BELOW = 1 << 10
NUMPY_BELOW_EXP = 0
SERIAL_BELOW = 1 << 14
NUMPY_BELOW_MACS = 1 << 16
SERIAL_BELOW_MACS = 1 << 21
FLOATS = (np.float32, np.float64)

# How long an idle OpenMP thread spins before it sleeps (read by libgomp when
# kback_core loads it). libgomp's default (300k spins, or forever with
# OMP_WAIT_POLICY=ACTIVE) let idle threads fight OpenBLAS's spinning threads
# for the cores: a small-model step ran 17x slower at 2 threads. Sleeping at
# once (PASSIVE) cost each kernel a futex wake-up: with BLAS now run inside our
# own team, a short spin is best (2 threads, PyTorch = 1: M1 0.74 -> 1.05x,
# M4 1.33 -> 1.87x). A user's own setting wins.
_SPIN = '100000'
_set_policy = 'OMP_WAIT_POLICY' not in os.environ and 'GOMP_SPINCOUNT' not in os.environ
if _set_policy:
    os.environ['GOMP_SPINCOUNT'] = _SPIN

try:
    import kback_core
    AVAILABLE = True
except ImportError:          # running from a source tree that was not built
    kback_core = None
    AVAILABLE = False
finally:
    if _set_policy:          # libraries loaded later keep their own defaults
        del os.environ['GOMP_SPINCOUNT']

# The thread cap is kback_core's (its kernels refuse more); config, below this
# package, keeps the same number for the settings it checks.
if AVAILABLE and kback_core.MAX_THREADS != config.MAX_THREADS:
    raise ImportError(f'kback_core caps threads at {kback_core.MAX_THREADS}, '
                      f'kback.backend.config at {config.MAX_THREADS}: rebuild kback_core')


_team = Team(getattr(kback_core._openmp, 'team_thread_ids', None) if AVAILABLE else None)


def team_threads():
    """Threads for a parallel kernel: the setting, fewer while other processes
    want the cores (see _team)."""
    return _team.threads(config.get_num_threads())


def threads_for(size):
    """Threads for a kernel on `size` elements: one below SERIAL_BELOW."""
    return 1 if size < SERIAL_BELOW else team_threads()


def threads_for_macs(macs):
    """Threads for a product of `macs` multiply-adds: one below SERIAL_BELOW_MACS."""
    return 1 if macs < SERIAL_BELOW_MACS else team_threads()


def kernel_dtype(*arrays):
    """The common dtype of the arrays when the kernels cover it, else None."""
    dt = np.result_type(*arrays)
    return dt if dt.type in FLOATS else None


def use_kernel(size, dtype, exp=False):
    """Whether a wrapper with a numpy fallback calls the kernel: compiled,
    a covered dtype (see kernel_dtype) and at least NUMPY_BELOW elements
    (NUMPY_BELOW_EXP for kernels of exp and log)."""
    return AVAILABLE and dtype is not None and size >= (NUMPY_BELOW_EXP if exp else NUMPY_BELOW)


def contiguous(a, dtype):
    return np.ascontiguousarray(a, dtype=dtype)


def out_buffer(out, shape, dtype, op):
    """The caller's output buffer, checked, or a new one."""
    if out is None:
        return np.empty(shape, dtype=dtype)
    if not isinstance(out, np.ndarray) or out.shape != tuple(shape) or out.dtype != dtype or \
            not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError(f'{op}: out must be a writeable C-contiguous {np.dtype(dtype).name} '
                         f'array of shape {tuple(shape)}, got '
                         f'{getattr(out, "dtype", type(out).__name__)} {np.shape(out)}')
    return out


def into(out, result):
    """A fallback's result, written into the caller's `out` when there is one."""
    if out is None:
        return result
    out[...] = result
    return out
