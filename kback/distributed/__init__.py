"""kback.distributed: data-parallel training over MPI, with Horovod's Keras API.

Example::

    import kback.distributed as kd
    kd.init()
    opt = kd.DistributedOptimizer(kback.optimizers.SGD(0.01 * kd.size()))
    model.compile(opt, 'categorical_crossentropy', metrics=['accuracy'])
    model.fit(kd.shard(x, y, batch_size=64), epochs=5, shuffle=False,
              callbacks=[kd.BroadcastGlobalVariablesCallback(0),
                         kd.MetricAverageCallback()])

Run with `mpiexec -n 4 python train.py`.  Needs the `mpi` extra (mpi4py and
an MPI library); importing this package does not.
"""
from .world import (init, shutdown, is_initialized, rank, size, local_rank,  # noqa: F401
                    local_size)
from .collectives import allreduce, allgather, broadcast, broadcast_variables  # noqa: F401
from .optimizer import DistributedOptimizer  # noqa: F401
from .callbacks import (BroadcastGlobalVariablesCallback, MetricAverageCallback,  # noqa: F401
                        LearningRateWarmupCallback, LearningRateScheduleCallback)
from .data import shard, ShardedSequence, ArraySequence  # noqa: F401
