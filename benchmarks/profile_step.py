"""Per-op time of one training step of a reference model (benchmarks/models.py).

    python benchmarks/profile_step.py [M3/128] [--steps N] [--threads T] [--channels-first]

Every op's forward is wrapped with a timer before the model is compiled, so the
generated step calls the timed versions; prints the median milliseconds per
step of each op (summed over its nodes) and the median step time.
"""
import argparse
import collections
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]

import numpy as np  # noqa: E402


def _timed(table, name, forward):
    def run(*args, **kwargs):
        start = time.perf_counter()
        out = forward(*args, **kwargs)
        table[name] += time.perf_counter() - start
        return out
    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('model', nargs='?', default='M3/128')
    parser.add_argument('--steps', type=int, default=20)
    parser.add_argument('--channels-first', action='store_true')
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--min-ms', type=float, default=0.1, help='hide ops faster than this')
    args = parser.parse_args()

    from kback import backend as K
    from kback.backend.ops import OPS
    from models import kback_models, data

    if args.threads:
        K.set_num_threads(args.threads)
    table = collections.Counter()
    for name, opdef in OPS.items():
        opdef.forward = _timed(table, name, opdef.forward)
    build, optimizer, loss, batch, shape, sparse = kback_models()[args.model]
    if args.channels_first and len(shape) == 3:
        shape = (shape[2],) + shape[:2]
    x, y = data(batch * 4, shape)
    target = y if sparse else np.eye(10, dtype='float32')[y]
    model = build() if not args.channels_first else _rebuilt(build, shape)
    model.compile(optimizer, loss)
    model.train_on_batch(x[:batch], target[:batch])          # compile + warm-up
    per_op = collections.defaultdict(list)
    steps = []
    for i in range(args.steps):
        table.clear()
        j = (i % 4) * batch
        start = time.perf_counter()
        model.train_on_batch(x[j:j + batch], target[j:j + batch])
        steps.append(time.perf_counter() - start)
        for name, t in table.items():
            per_op[name].append(t)
    print(f'{args.model} threads={K.get_num_threads()} step median '
          f'{1e3 * statistics.median(steps):.1f} ms (min {1e3 * min(steps):.1f})')
    rows = sorted(((statistics.median(v), k) for k, v in per_op.items()), reverse=True)
    for t, name in rows:
        if t >= args.min_ms * 1e-3:
            print(f'  {name:<32}{1e3 * t:8.2f} ms')


def _rebuilt(build, shape):
    """The model rebuilt in channels_first (same layers, NCHW input shape)."""
    from kback import backend as K
    from kback.models import Sequential
    K.set_image_data_format('channels_last')
    config = build().get_config()
    K.set_image_data_format('channels_first')
    for layer in config['layers']:
        if 'data_format' in layer['config']:
            layer['config']['data_format'] = 'channels_first'
    config['layers'][0]['config']['batch_input_shape'] = (None,) + shape
    return Sequential.from_config(config)

if __name__ == '__main__':
    main()
