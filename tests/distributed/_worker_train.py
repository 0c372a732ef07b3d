"""Run under `mpiexec -n 2`: the equivalence, broadcast and metric checks.
Every rank writes its results to <out>/rank<r>.npz; rank 0 also computes the
single-process references (no MPI in them) into <out>/reference.npz."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kback import backend as K                        # noqa: E402
import kback.distributed as kd                        # noqa: E402
from _models import data, build, optimizer, HALF_BATCH   # noqa: E402

K.set_num_threads(1)
kd.init()
out = sys.argv[1]
results = {}


def distributed_run(kind, opt_name, init_seed=0, callbacks=(), validation=None, **settings):
    x, y = data(kind)
    model = build(kind, init_seed)
    model.compile(kd.DistributedOptimizer(optimizer(opt_name), **settings),
                  'categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(kd.shard(x, y, batch_size=HALF_BATCH, shuffle=False), epochs=1,
                        shuffle=False, verbose=0, callbacks=list(callbacks),
                        validation_data=validation)
    return model, history


# Equivalence: 20 steps of batch b per rank against one process with batch 2b.
for kind in ('mlp', 'cnn'):
    for opt_name in ('sgd', 'adam'):
        model, _ = distributed_run(kind, opt_name)
        for i, w in enumerate(K.batch_get_value(model.trainable_weights)):
            results[f'{kind}_{opt_name}_{i}'] = w
        for i, w in enumerate(K.batch_get_value(model.non_trainable_weights)):
            results[f'{kind}_{opt_name}_moving_{i}'] = w
        results[f'{kind}_{opt_name}_steps'] = model.optimizer.exchange_stats.steps

# Gradients sent as float16; small buckets; no progress thread.
for name, settings in (('fp16', {'compression': 'fp16'}),
                       ('small_buckets', {'bucket_bytes': 64, 'progress_interval': None})):
    model, _ = distributed_run('mlp', 'sgd', **settings)
    for i, w in enumerate(K.batch_get_value(model.trainable_weights)):
        results[f'{name}_{i}'] = w
    results[f'{name}_buckets'] = model.optimizer.exchange_stats.buckets

# Broadcast: ranks initialised differently hold rank 0's weights after the callback.
model, _ = distributed_run('mlp', 'sgd', init_seed=10 + kd.rank(),
                           callbacks=[kd.BroadcastGlobalVariablesCallback(0)])
for i, w in enumerate(model.get_weights()):
    results[f'broadcast_{i}'] = w

# Metrics: averaged over ranks (validation too) against one process.
xv, yv = data('mlp', n=64, seed=2)
_, history = distributed_run('mlp', 'sgd', callbacks=[kd.MetricAverageCallback()],
                             validation=(xv, yv))
for k, v in history.history.items():
    results[f'metric_{k}'] = np.array(v)

# Collectives on arrays and variables; the warm-up ramp of two ranks.
r = kd.rank()
results['allreduce'] = kd.allreduce(np.full((2, 2), r + 1.))
results['allreduce_sum'] = kd.allreduce(np.full(3, r + 1, 'int64'), average=False)
results['allgather'] = kd.allgather(np.full((r + 1, 2), r, 'float32'))
results['broadcast'] = kd.broadcast(K.variable(np.full(3, r + 5.)), root_rank=1)
warmup = kd.LearningRateWarmupCallback(warmup_epochs=2)
results['warmup'] = np.array([warmup.multiplier(e) for e in (0, 0.5, 1, 2)])

# The model saves and loads with its DistributedOptimizer (as the plain one).
if kd.rank() == 0:
    from kback.models import load_model
    path = os.path.join(out, 'model.h5')
    model.save(path)
    loaded = load_model(path)
    results['saved_optimizer'] = np.array([type(loaded.optimizer).__name__,
                                           repr(loaded.optimizer.get_config()),
                                           repr(model.optimizer.get_config())])
    results['saved_optimizer_state_equal'] = np.array(all(
        np.array_equal(a, b) for a, b in zip(loaded.optimizer.get_weights(),
                                             model.optimizer.get_weights())))

np.savez(os.path.join(out, f'rank{kd.rank()}.npz'), **results)

if kd.rank() == 0:
    # The references, in this process alone (plain optimizers, no exchange).
    from _reference import single_process_references
    np.savez(os.path.join(out, 'reference.npz'), **single_process_references())
