"""Data-parallel training throughput: kback.distributed beside one process
and beside PyTorch DistributedDataParallel (gloo).

    python benchmarks/distributed.py [M4 CIFAR] [--steps N] [--repeats R]

Per workload, the same global batch three ways: 1 process x 2 threads
(kback), 2 processes x 1 thread (kback.distributed under mpiexec) and PyTorch
DDP on gloo, 2 processes x 1 thread, each run `repeats` times, interleaved
(medians).  Prints samples/s, the 2x1 efficiency
against 1x2, the allreduce time per step (blocking, as measured alone; the
part exposed at the end of backprop; the part the overlap hid) and the
alpha-beta paper model of the ring allreduce at 8/32/128 ranks.
Needs the [mpi] extra (mpi4py, mpiexec); torch for the PyTorch column.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]   # runnable from a source checkout

# name -> (batch per rank, input shape HWC)
WORKLOADS = {'M4': (50, (32, 32, 3)), 'CIFAR': (32, (32, 32, 3))}


def kback_model(name):
    from kback import layers as L, optimizers
    from kback.models import Sequential
    if name == 'M4':
        from models import kback_models
        return kback_models()['M4'][0](), optimizers.SGD(0.01)
    # Keras's examples/cifar10_cnn.py.
    return Sequential([
        L.Conv2D(32, 3, padding='same', activation='relu', input_shape=(32, 32, 3)),
        L.Conv2D(32, 3, activation='relu'), L.MaxPooling2D(), L.Dropout(0.25),
        L.Conv2D(64, 3, padding='same', activation='relu'), L.Conv2D(64, 3, activation='relu'),
        L.MaxPooling2D(), L.Dropout(0.25), L.Flatten(), L.Dense(512, activation='relu'),
        L.Dropout(0.5), L.Dense(10, activation='softmax')]), optimizers.RMSprop(1e-4)


def torch_model(torch, name):
    nn = torch.nn
    if name == 'M4':
        from models import torch_model as reference
        return reference(torch, 'M4')
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(0.25), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
        nn.Linear(64 * 6 * 6, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, 10)), \
        lambda p: torch.optim.RMSprop(p, lr=1e-4, alpha=0.9, eps=1e-7)


def batch_data(batch, shape, seed=0):
    rng = np.random.RandomState(seed)
    return rng.rand(batch, *shape).astype('float32'), rng.randint(0, 10, batch)


def timed_steps(step, steps, repeats=3):
    """Median seconds per step over `repeats` runs of `steps` steps."""
    for _ in range(3):
        step()
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        runs.append((time.perf_counter() - start) / steps)
    return statistics.median(runs)


# -- workers (run in their own processes) ---------------------------------------

def kback_worker(name, threads, distributed, steps, progress):
    from kback import backend as K
    K.set_num_threads(threads)
    batch, shape = WORKLOADS[name]
    model, optimizer = kback_model(name)
    comm = None
    if distributed:
        import kback.distributed as kd
        kd.init()
        comm = kd.world.communicator()
        optimizer = kd.DistributedOptimizer(optimizer, progress_interval=progress)
    else:
        batch *= 2      # the same global batch as two ranks
    model.compile(optimizer, 'sparse_categorical_crossentropy')
    x, y = batch_data(batch, shape, seed=0 if comm is None else comm.Get_rank())
    params = sum(int(np.prod(K.int_shape(w))) for w in model.trainable_weights)
    step_s = timed_steps(lambda: model.train_on_batch(x, y[:, None]), steps)
    result = {'samples_per_s': batch * (comm.Get_size() if comm else 1) / step_s,
              'step_ms': step_s * 1e3, 'grad_bytes': 4 * params}
    if comm is not None:
        stats = optimizer.exchange_stats
        n = stats.steps
        result.update(exposed_ms=stats.wait_s / n * 1e3, start_ms=stats.start_s / n * 1e3,
                      hidden=stats.hidden_bytes / stats.bytes,
                      buckets=stats.buckets,
                      **allreduce_costs(comm, result['grad_bytes'] // 4))
        if comm.Get_rank() != 0:
            return
    print(json.dumps(result), flush=True)


def allreduce_costs(comm, floats):
    """The blocking Allreduce of the whole gradient (ms) and of 8 bytes (the
    latency alpha, us), the least of several, each after a barrier."""
    def least_ms(buffer, repeats):
        # The least time: on a shared machine the rest is another process's turn
        # on the core, not the cost of the allreduce.
        out = np.empty_like(buffer)
        times = []
        for _ in range(repeats):
            comm.Barrier()
            start = time.perf_counter()
            comm.Allreduce(buffer, out)
            times.append(time.perf_counter() - start)
        return min(times) * 1e3
    return {'allreduce_ms': least_ms(np.ones(floats, np.float32), 15),
            'alpha_us': least_ms(np.ones(2, np.float32), 200) * 1e3}


def torch_worker(name, steps):
    import torch
    import torch.distributed as dist
    torch.set_num_threads(1)
    rank, size = int(os.environ['PMI_RANK']), int(os.environ['PMI_SIZE'])
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{os.environ["PORT"]}',
                            rank=rank, world_size=size)
    batch, shape = WORKLOADS[name]
    model, make_opt = torch_model(torch, name)
    model = torch.nn.parallel.DistributedDataParallel(model)
    opt = make_opt(model.parameters())
    x, y = batch_data(batch, shape, seed=rank)
    tx, ty = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(tx), ty).backward()
        opt.step()
    step_s = timed_steps(step, steps)
    if rank == 0:
        print(json.dumps({'samples_per_s': batch * size / step_s, 'step_ms': step_s * 1e3}),
              flush=True)
    dist.destroy_process_group()


# -- the parent: launch, collect, print ---------------------------------------

def _mpiexec():
    beside = os.path.join(os.path.dirname(sys.executable), 'mpiexec')
    return beside if os.path.exists(beside) else 'mpiexec'


def _median_runs(runs):
    """Each number's median over the runs that succeeded (or the first error)."""
    good = [r for r in runs if 'error' not in r]
    if not good:
        return runs[0]
    return {k: statistics.median(r[k] for r in good) for k in good[0]}


def _launch(args, ranks=None):
    # A fresh port for each PyTorch rendezvous (the last may linger in TIME_WAIT).
    env = dict(os.environ, OMP_NUM_THREADS='1', PORT=str(29500 + os.getpid() % 400 +
                                                          int(time.time()) % 97))
    command = [sys.executable, os.path.abspath(__file__)] + args
    if ranks:
        command = [_mpiexec(), '-n', str(ranks)] + command
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {'error': (done.stderr.strip().splitlines() or ['no output'])[-1:]}
    return json.loads(lines[-1])


def ring_allreduce_s(ranks, nbytes, alpha_s, bytes_per_s):
    """The alpha-beta cost of a ring allreduce of nbytes over `ranks`."""
    return 2 * (ranks - 1) * alpha_s + 2 * (ranks - 1) / ranks * nbytes / bytes_per_s


def paper_model(name, dist):
    compute_s = (dist['step_ms'] - dist['exposed_ms']) / 1e3
    alpha_s = dist['alpha_us'] / 1e6
    rows = []
    for gbits in (10, 100):
        for ranks in (8, 32, 128):
            for wire, nbytes in (('fp32', dist['grad_bytes']), ('fp16', dist['grad_bytes'] / 2)):
                comm_s = ring_allreduce_s(ranks, nbytes, alpha_s, gbits * 1e9 / 8)
                # Batch multiple for 90 % efficiency without overlap.
                need = max(1., 9 * comm_s / compute_s)
                rows.append((name, gbits, ranks, wire, comm_s * 1e3,
                             compute_s / (compute_s + comm_s), need))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('workloads', nargs='*', default=list(WORKLOADS))
    parser.add_argument('--steps', type=int, default=20)
    parser.add_argument('--repeats', type=int, default=3, help='interleaved runs (median)')
    parser.add_argument('--worker', choices=['kback', 'torch'])
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--distributed', action='store_true')
    parser.add_argument('--no-progress-thread', action='store_true')
    args = parser.parse_args()
    if args.worker == 'kback':
        return kback_worker(args.workloads[0], args.threads, args.distributed, args.steps,
                            None if args.no_progress_thread else 1e-3)
    if args.worker == 'torch':
        return torch_worker(args.workloads[0], args.steps)
    print(f'load: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores')
    model_rows = []
    print('| workload | run | samples/s | step ms | vs 1x2 | allreduce ms (alone) | '
          'exposed ms | hidden |')
    print('|---|---|---|---|---|---|---|---|')
    for name in args.workloads:
        common = [name, '--steps', str(args.steps)]
        configs = {'one': (common + ['--worker', 'kback', '--threads', '2'], None),
                   'dist': (common + ['--worker', 'kback', '--distributed'], 2),
                   'alone': (common + ['--worker', 'kback', '--distributed',
                                       '--no-progress-thread'], 2),
                   'torch': (common + ['--worker', 'torch'], 2)}
        runs = {key: [] for key in configs}
        for _ in range(args.repeats):          # interleaved, so load drifts hit all alike
            for key, (argv, ranks) in configs.items():
                runs[key].append(_launch(argv, ranks))
        one, dist, alone, torch = (_median_runs(runs[k]) for k in configs)
        base = one.get('samples_per_s')
        print(f"| {name} | kback 1 process x 2 threads | {base:,.0f} | {one['step_ms']:.1f} "
              f"| 1.00 | | | |")
        for label, run in (('kback.distributed 2 x 1', dist),
                           ('kback.distributed 2 x 1, no progress thread', alone)):
            if 'error' in run:
                print(f'| {name} | {label} | failed: {run["error"]} |')
                continue
            print(f"| {name} | {label} | {run['samples_per_s']:,.0f} | {run['step_ms']:.1f} | "
                  f"{run['samples_per_s'] / base:.2f} | {run['allreduce_ms']:.2f} | "
                  f"{run['exposed_ms']:.2f} | {run['hidden']:.0%} |")
        if 'error' not in dist:
            model_rows += paper_model(name, dist)
        if 'error' in torch:
            print(f'| {name} | PyTorch DDP gloo 2 x 1 | failed: {torch["error"]} |')
        else:
            ratio = dist.get('samples_per_s', float('nan')) / torch['samples_per_s']
            print(f"| {name} | PyTorch DDP gloo 2 x 1 | {torch['samples_per_s']:,.0f} | "
                  f"{torch['step_ms']:.1f} | {torch['samples_per_s'] / base:.2f} | | | |"
                  f" kback/torch {ratio:.2f}")
        if 'error' not in dist:
            print(f"  ({name}: {dist['grad_bytes'] / 1e6:.2f} MB of gradients per step in "
                  f"{dist['buckets']} buckets, "
                  f"alpha {dist['alpha_us']:.1f} us, start/pack {dist['start_ms']:.2f} ms)")
    print(f'\nload: {os.getloadavg()[0]:.2f}\n')
    print('| workload | link Gb/s | ranks | wire | ring allreduce ms | efficiency | '
          'batch x for 90 % |')
    print('|---|---|---|---|---|---|---|')
    for name, gbits, ranks, wire, comm_ms, eff, need in model_rows:
        print(f'| {name} | {gbits} | {ranks} | {wire} | {comm_ms:.2f} | {eff:.0%} | '
              f'{need:.1f} |')


if __name__ == '__main__':
    main()
