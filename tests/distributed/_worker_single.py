"""Run with plain `python` (no launcher): a world of one process."""
import json

import numpy as np

from kback import backend as K
import kback.distributed as kd
from kback.callbacks import is_primary_process

K.set_num_threads(1)
kd.init()
kd.init()       # a second call does nothing
x = np.arange(6.0).reshape(2, 3)
print(json.dumps({
    'world': [kd.rank(), kd.size(), kd.local_rank(), kd.local_size(), kd.is_initialized()],
    'primary': is_primary_process(),
    'allreduce': kd.allreduce(x).tolist(), 'sum': kd.allreduce(x, average=False).tolist(),
    'allgather': kd.allgather(x).tolist(), 'broadcast': kd.broadcast(K.variable(x)).tolist()}))
kd.shutdown()
print(json.dumps({'after_shutdown': kd.is_initialized()}))
