"""Training throughput of the four reference models, kback beside PyTorch CPU.

    python benchmarks/models.py [M1 M2 M3 M4] [--epochs N]

Each model trains one warm-up epoch, then N timed epochs (median) on the same
data; both libraries use all the threads kback uses.  PyTorch runs in a child
process that never imports kback.  Prints samples/s and
the ratio kback/torch (> 1 means kback is faster).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]   # runnable from a source checkout
# kback is imported lazily: the PyTorch child process must never load it.


def data(n, shape, classes=10, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, *shape).astype('float32')
    y = rng.randint(0, classes, n)
    return x, y


def kback_models():
    """name -> (builder, optimizer, loss, batch size, input shape (HWC), sparse labels)."""
    from kback.models import Sequential
    from kback import layers as L

    def m1():
        return Sequential([L.Dense(512, activation='relu', input_shape=(784,)),
                           L.Dense(10, activation='softmax')])

    def m2():
        return Sequential([L.Flatten(input_shape=(28, 28)), L.Dense(300, activation='relu'),
                           L.Dense(100, activation='relu'), L.Dense(10, activation='softmax')])

    def m3():
        return Sequential([L.Conv2D(128, (2, 2), input_shape=(28, 28, 1)), L.MaxPooling2D(2),
                           L.Flatten(), L.Dense(10, activation='softmax')])

    def m4():
        return Sequential([L.ZeroPadding2D(3, input_shape=(32, 32, 3)), L.Conv2D(32, (3, 3)),
                           L.BatchNormalization(), L.ReLU(), L.MaxPooling2D(3, strides=2),
                           L.Conv2D(64, (3, 3)), L.BatchNormalization(), L.ReLU(),
                           L.MaxPooling2D(3, strides=2), L.Flatten(),
                           L.Dense(10, activation='softmax')])
    return {
        'M1': (m1, 'rmsprop', 'categorical_crossentropy', 128, (784,), False),
        'M2': (m2, 'sgd', 'sparse_categorical_crossentropy', 32, (28, 28), True),
        'M3/128': (m3, 'adam', 'categorical_crossentropy', 128, (28, 28, 1), False),
        'M3/10': (m3, 'adam', 'categorical_crossentropy', 10, (28, 28, 1), False),
        'M4': (m4, 'sgd', 'categorical_crossentropy', 50, (32, 32, 3), False),
    }


# name -> (batch size, input shape) for the PyTorch child, which cannot ask kback.
TORCH_SPECS = {'M1': (128, (784,)), 'M2': (32, (28, 28)), 'M3/128': (128, (28, 28, 1)),
               'M3/10': (10, (28, 28, 1)), 'M4': (50, (32, 32, 3))}


def torch_model(torch, name):
    nn = torch.nn
    if name == 'M1':
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10)), \
            lambda p: torch.optim.RMSprop(p, lr=0.001, alpha=0.9, eps=1e-7)
    if name == 'M2':
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100),
                             nn.ReLU(), nn.Linear(100, 10)), \
            lambda p: torch.optim.SGD(p, lr=0.01)
    if name.startswith('M3'):
        return nn.Sequential(nn.Conv2d(1, 128, 2), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(128 * 13 * 13, 10)), \
            lambda p: torch.optim.Adam(p, lr=0.001, eps=1e-7)
    return nn.Sequential(nn.ZeroPad2d(3), nn.Conv2d(3, 32, 3), nn.BatchNorm2d(32, eps=1e-3),
                         nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(32, 64, 3),
                         nn.BatchNorm2d(64, eps=1e-3), nn.ReLU(), nn.MaxPool2d(3, 2),
                         nn.Flatten(), nn.Linear(64 * 7 * 7, 10)), \
        lambda p: torch.optim.SGD(p, lr=0.01)


def time_kback(spec, x, y, epochs):
    from kback import backend as K
    build, optimizer, loss, batch, _, sparse = spec
    K.clear_session()
    model = build()
    model.compile(optimizer, loss)
    target = y if sparse else np.eye(10, dtype='float32')[y]
    model.fit(x, target, batch_size=batch, epochs=1, verbose=0)          # warm-up
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.fit(x, target, batch_size=batch, epochs=1, verbose=0)
        times.append(time.perf_counter() - start)
    return len(x) / statistics.median(times)


def time_torch(torch, name, spec, x, y, epochs):
    _, _, _, batch, shape, _ = spec
    model, make_opt = torch_model(torch, name)
    opt = make_opt(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()
    tx = torch.from_numpy(x if len(shape) != 3 else x.transpose(0, 3, 1, 2).copy())
    ty = torch.from_numpy(y.astype('int64'))

    def epoch():
        perm = torch.randperm(len(tx))
        for i in range(0, len(tx), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(tx[idx]), ty[idx])
            loss.backward()
            opt.step()
    epoch()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
    return len(x) / statistics.median(times)


def torch_in_child(name, args):
    """PyTorch's samples/s measured in a fresh process: kback's process-wide
    settings (allocator, OpenMP policy) must not help or hurt it."""
    out = subprocess.run([sys.executable, __file__, '--torch-only', name, '--epochs',
                          str(args.epochs), '--samples', str(args.samples),
                          '--threads', str(args.threads)],
                         capture_output=True, text=True)
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f'torch benchmark of {name} failed: {out.stderr[-2000:]}') from None


def _torch_version():
    """PyTorch's version, asked of a child process: torch loaded here brings its
    own OpenMP runtime into kback's process and changes its timings."""
    out = subprocess.run([sys.executable, '-c', 'import torch; print(torch.__version__)'],
                         capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('models', nargs='*')
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--samples', type=int, default=4000)
    parser.add_argument('--torch-only', default=None, help=argparse.SUPPRESS)
    parser.add_argument('--threads', type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_only:
        import torch
        torch.set_num_threads(args.threads)
        batch, shape = TORCH_SPECS[args.torch_only]
        x, y = data(args.samples, shape)
        print(time_torch(torch, args.torch_only, (None, None, None, batch, shape, None), x, y,
                         args.epochs))
        return
    from kback import backend as K
    threads = args.threads = K.get_num_threads()
    torch = _torch_version()
    print(f'threads={threads} torch={torch or "not installed"} '
          f'samples={args.samples} timed epochs={args.epochs} (median)')
    print(f'{"model":<8}{"batch":>6}{"kback samples/s":>17}{"torch samples/s":>17}{"kback/torch":>13}')
    for name, spec in kback_models().items():
        if args.models and not any(name.startswith(m) for m in args.models):
            continue
        x, y = data(args.samples, spec[4])
        kb = time_kback(spec, x, y, args.epochs)
        tt = torch_in_child(name, args) if torch else float('nan')
        print(f'{name:<8}{spec[3]:>6}{kb:>17.0f}{tt:>17.0f}{kb / tt:>13.2f}')


if __name__ == '__main__':
    main()
