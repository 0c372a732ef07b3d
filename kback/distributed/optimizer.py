"""DistributedOptimizer: any kback optimizer whose gradients are averaged
across ranks between computing and applying them (the `average_gradients`
stage of Optimizer.get_updates)."""
import copy

from .. import backend as K, optimizers
from .buckets import Bucket, ExchangeStats, fill_buckets
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
        averaged, in_flight = list(grads), []
        for k, bucket in enumerate(fill_buckets(grads, self.bucket_bytes)):
            channel = Bucket(comm, self.average, self.compression, in_flight,
                             self.exchange_stats, first=k == 0)
            for i, g in zip(bucket, K.exchange([grads[i] for i in bucket], channel)):
                averaged[i] = g
        return averaged


_classes = {}


def DistributedOptimizer(optimizer, average=True, compression=None,
                         bucket_bytes=DEFAULT_BUCKET_BYTES):
    """`optimizer` (an instance, name or config) whose gradients are summed
    over ranks (average=True: averaged) in fused buckets of up to
    bucket_bytes, sent as float16 with compression='fp16'.  The result is a
    copy of the optimizer with the same class name, config and variables;
    its `exchange_stats` count the time spent in the exchanges."""
    if compression not in _COMPRESSIONS:
        raise ValueError(f'DistributedOptimizer: compression must be None or \'fp16\', got '
                         f'{compression!r}')
    if isinstance(bucket_bytes, bool) or not isinstance(bucket_bytes, int) or bucket_bytes < 1:
        raise ValueError(f'DistributedOptimizer: bucket_bytes must be a positive int, got '
                         f'{bucket_bytes!r}')
    optimizer = optimizers.get(optimizer)
    if isinstance(optimizer, _Distributed):
        raise ValueError('DistributedOptimizer: the optimizer is already distributed')
    base = type(optimizer)
    if base not in _classes:
        _classes[base] = type(base.__name__, (_Distributed, base),
                              {'__module__': base.__module__, '__doc__': base.__doc__})
    wrapped = copy.copy(optimizer)
    wrapped.__class__ = _classes[base]
    wrapped.average, wrapped.compression = average, compression
    wrapped.bucket_bytes = bucket_bytes
    wrapped.exchange_stats = ExchangeStats()
    return wrapped
