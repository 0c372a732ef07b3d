"""DistributedOptimizer: any kback optimizer whose gradients are averaged
across ranks between computing and applying them (the `average_gradients`
stage of Optimizer.get_updates)."""
import copy

from .. import backend as K, optimizers
from .buckets import Bucket, ExchangeStats, Progress, fill_buckets
from .world import communicator

# Horovod fuses up to 64 MB; smaller buckets start earlier in backprop.
DEFAULT_BUCKET_BYTES = 4 << 20
_COMPRESSIONS = (None, 'fp16')


class _Distributed:
    """Mixed in before the wrapped optimizer's class (the pair keeps that
    class's name, so save/load_model see the plain optimizer)."""

    def average_gradients(self, grads, params):
        grads = super().average_gradients(grads, params)
        comm = communicator()
        if comm.Get_size() == 1:
            return grads
        averaged = list(grads)
        buckets = fill_buckets(grads, self.bucket_bytes)
        # One bucket starts when backprop ends: nothing for a thread to overlap.
        progress = Progress(self.progress_interval if len(buckets) > 1 else None)
        self.exchange_stats.buckets = len(buckets)
        for k, bucket in enumerate(buckets):
            channel = Bucket(comm, self.average, self.compression, progress,
                             self.exchange_stats, first=k == 0)
            for i, g in zip(bucket, K.exchange([grads[i] for i in bucket], channel)):
                averaged[i] = g
        return averaged


_classes = {}


def DistributedOptimizer(optimizer, average=True, compression=None,
                         bucket_bytes=DEFAULT_BUCKET_BYTES, progress_interval=1e-3):
    """`optimizer` (an instance, name or config) whose gradients are summed
    over ranks (average=True: averaged) in fused buckets of up to
    bucket_bytes, sent as float16 with compression='fp16'; when there are
    several buckets, a thread moves the allreduces on every progress_interval
    seconds during backprop (None: only at each bucket's start and wait).  The result is a
    copy of the optimizer with the same class name, config and variables;
    its `exchange_stats` count the time spent in the exchanges."""
    if compression not in _COMPRESSIONS:
        raise ValueError(f'DistributedOptimizer: compression must be None or \'fp16\', got '
                         f'{compression!r}')
    if isinstance(bucket_bytes, bool) or not isinstance(bucket_bytes, int) or bucket_bytes < 1:
        raise ValueError(f'DistributedOptimizer: bucket_bytes must be a positive int, got '
                         f'{bucket_bytes!r}')
    if progress_interval is not None and not progress_interval > 0:
        raise ValueError(f'DistributedOptimizer: progress_interval must be None or seconds > 0, '
                         f'got {progress_interval!r}')
    optimizer = optimizers.get(optimizer)
    if isinstance(optimizer, _Distributed):
        raise ValueError('DistributedOptimizer: the optimizer is already distributed')
    base = type(optimizer)
    if base.get_updates is not optimizers.Optimizer.get_updates:
        # Its own step might never call average_gradients: refuse, not train alone.
        raise ValueError(f'DistributedOptimizer: {base.__name__} overrides get_updates, so '
                         'its gradients would not be averaged; write its rule as _update '
                         '(the base get_updates runs get_gradients, average_gradients, '
                         'apply_gradients)')
    if base not in _classes:
        _classes[base] = type(base.__name__, (_Distributed, base),
                              {'__module__': base.__module__, '__doc__': base.__doc__})
    wrapped = copy.copy(optimizer)
    wrapped.__class__ = _classes[base]
    wrapped.average, wrapped.compression = average, compression
    wrapped.bucket_bytes, wrapped.progress_interval = bucket_bytes, progress_interval
    wrapped.exchange_stats = ExchangeStats()
    return wrapped
