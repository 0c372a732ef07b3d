"""Run under `mpiexec -n 2` with a fault: `raise` (rank 1 raises in epoch 2),
`kill` (rank 1 dies by SIGKILL in epoch 2), `shapes` (rank 1's model has
another shape), `optimizer` (rank 1's learning rate differs)."""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kback import backend as K                        # noqa: E402
from kback.callbacks import LambdaCallback            # noqa: E402
import kback.distributed as kd                        # noqa: E402
from _models import data, build, optimizer            # noqa: E402

K.set_num_threads(1)
kd.init()
fault = sys.argv[1]
faulty = kd.rank() == 1


def epoch_two(epoch, logs):
    if faulty and epoch == 1:
        if fault == 'kill':
            os.kill(os.getpid(), signal.SIGKILL)
        raise RuntimeError('injected failure in epoch 2')


x, y = data('mlp')
model = build('mlp', units=17 if fault == 'shapes' and faulty else 16)
lr = 0.5 if fault == 'optimizer' and faulty else None
model.compile(kd.DistributedOptimizer(optimizer('sgd', lr)), 'categorical_crossentropy')
model.fit(kd.shard(x, y, batch_size=8), epochs=4, shuffle=False, verbose=0,
          callbacks=[kd.BroadcastGlobalVariablesCallback(0),
                     LambdaCallback(on_epoch_begin=epoch_two)])
print(f'rank {kd.rank()} finished', flush=True)
