"""A small training step under CPU contention: kback at its default thread
count against kback at 1 thread, and PyTorch, with busy processes beside them.

    python benchmarks/contention.py [--busy 0 1 3] [--steps N] [--rounds R]

For each load (0, 1 and 3 busy-looping processes, started and stopped here),
each model (MLP 4096-256-10 batch 64, M1 784-512-10 rmsprop batch 128) and each
library, the step is timed one by one; the thread counts alternate in rounds
of N steps so both see the same load.  Prints the median and the 90th
percentile in ms, and default-threads / 1-thread (kback's target: <= 1.3 with
one busy process, <= 2 with three).  PyTorch runs in a child process that never
imports kback.
"""
import argparse
import multiprocessing
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]   # runnable from a source checkout

# name -> (layer widths, optimizer, batch)
MODELS = {'MLP4096': ((4096, 256, 10), 'sgd', 64), 'M1': ((784, 512, 10), 'rmsprop', 128)}


def _spin():
    while True:
        pass


def start_busy(n):
    procs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(n)]
    for p in procs:
        p.start()
    time.sleep(0.3)            # let the scheduler spread them
    return procs


def stop_busy(procs):
    for p in procs:
        p.terminate()
        p.join()


def percentiles(samples):
    s = np.asarray(samples) * 1e3
    return float(np.median(s)), float(np.percentile(s, 90))


def _data(widths, batch, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(batch, widths[0]).astype('float32')
    y = rng.randint(0, widths[-1], batch)
    return x, y


def kback_step(name):
    from kback import backend as K
    from kback import layers as L
    from kback.models import Sequential
    widths, optimizer, batch = MODELS[name]
    K.clear_session()
    model = Sequential([L.Dense(widths[1], activation='relu', input_shape=(widths[0],)),
                        L.Dense(widths[2], activation='softmax')])
    model.compile(optimizer, 'sparse_categorical_crossentropy')
    x, y = _data(widths, batch)
    return lambda: model.train_on_batch(x, y)


def torch_step(torch, name):
    widths, optimizer, batch = MODELS[name]
    nn = torch.nn
    model = nn.Sequential(nn.Linear(widths[0], widths[1]), nn.ReLU(),
                          nn.Linear(widths[1], widths[2]))
    opt = (torch.optim.SGD(model.parameters(), lr=0.01) if optimizer == 'sgd' else
           torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7))
    loss_fn = nn.CrossEntropyLoss()
    x, y = _data(widths, batch)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y.astype('int64'))

    def step():
        opt.zero_grad()
        loss = loss_fn(model(tx), ty)
        loss.backward()
        opt.step()
    return step


def alternate(step, set_threads, counts, steps, rounds):
    """{threads: [seconds per step]}, the counts taking turns in rounds."""
    times = {n: [] for n in counts}
    for n in counts:                 # warm-up at each count
        set_threads(n)
        for _ in range(20):
            step()
    for _ in range(rounds):
        for n in counts:
            set_threads(n)
            for _ in range(steps):
                start = time.perf_counter()
                step()
                times[n].append(time.perf_counter() - start)
    return times


def run_library(lib, name, counts, steps, rounds):
    if lib == 'torch':
        import torch
        return alternate(torch_step(torch, name), torch.set_num_threads, counts, steps, rounds)
    from kback import backend as K
    return alternate(kback_step(name), K.set_num_threads, counts, steps, rounds)


def in_child(lib, name, counts, steps, rounds):
    """One library's timings, measured in a fresh process (under the same load)."""
    out = subprocess.run([sys.executable, __file__, '--child', lib, name, '--threads',
                          *map(str, counts), '--steps', str(steps), '--rounds', str(rounds)],
                         capture_output=True, text=True)
    try:
        lines = out.stdout.strip().splitlines()
        return {int(n): list(map(float, line.split(','))) for n, line in
                (row.split(':') for row in lines)}
    except ValueError:
        raise RuntimeError(f'{lib} {name} failed: {out.stderr[-2000:]}') from None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--busy', type=int, nargs='*', default=[0, 1, 3])
    parser.add_argument('--models', nargs='*', default=list(MODELS))
    parser.add_argument('--libs', nargs='*', default=['kback', 'torch'])
    parser.add_argument('--steps', type=int, default=50)
    parser.add_argument('--rounds', type=int, default=6)
    parser.add_argument('--threads', type=int, nargs='*', default=None)
    parser.add_argument('--child', nargs=2, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        times = run_library(*args.child, args.threads, args.steps, args.rounds)
        for n, samples in times.items():
            print(f'{n}:' + ','.join(repr(s) for s in samples))
        return
    default = args.threads[0] if args.threads else \
        int(subprocess.run([sys.executable, '-c', 'from kback import backend as K; '
                            'print(K.get_num_threads())'], capture_output=True, text=True,
                           cwd=os.path.dirname(HERE)).stdout)
    counts = [default, 1]
    print(f'default threads={default}, cores={os.cpu_count()}, {args.steps} steps x '
          f'{args.rounds} rounds per count; ms per step')
    print(f'{"busy":>4} {"model":<8} {"lib":<6}{"med Nt":>8}{"p90 Nt":>8}{"med 1t":>8}'
          f'{"p90 1t":>8}{"Nt/1t med":>11}{"Nt/1t p90":>11}')
    for busy in args.busy:
        procs = start_busy(busy)
        try:
            for name in args.models:
                for lib in args.libs:
                    times = in_child(lib, name, counts, args.steps, args.rounds)
                    (mn, pn), (m1, p1) = percentiles(times[default]), percentiles(times[1])
                    print(f'{busy:>4} {name:<8} {lib:<6}{mn:>8.3f}{pn:>8.3f}{m1:>8.3f}'
                          f'{p1:>8.3f}{mn / m1:>11.2f}{pn / p1:>11.2f}', flush=True)
        finally:
            stop_busy(procs)


if __name__ == '__main__':
    main()
