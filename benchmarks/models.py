"""Training (and predict) throughput of the reference models, kback beside
PyTorch CPU, at 1 thread and at all the threads kback uses.

    python benchmarks/models.py [M1 M2 M3 M4 CIFAR ...] [--epochs N] [--threads 1 2]

Each model trains (or, for M1/predict, predicts) one warm-up epoch, then N
timed epochs (median) on the same data.  Each library runs each model in a
process of its own, so the peak RSS printed is that run's.  Prints samples/s
and the ratio kback/torch (> 1 means kback is faster).
"""
import argparse
import os
import resource
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
    """name -> (builder, optimizer, loss, batch size, input shape (HWC), sparse labels).
    Names ending in /predict time `predict` of the model named before the slash."""
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

    def cifar():
        # Keras's examples/cifar10_cnn.py without its Dropout layers (rmsprop at its default rate).
        return Sequential([L.Conv2D(32, (3, 3), padding='same', activation='relu',
                                    input_shape=(32, 32, 3)),
                           L.Conv2D(32, (3, 3), activation='relu'), L.MaxPooling2D(2),
                           L.Conv2D(64, (3, 3), padding='same', activation='relu'),
                           L.Conv2D(64, (3, 3), activation='relu'), L.MaxPooling2D(2),
                           L.Flatten(), L.Dense(512, activation='relu'),
                           L.Dense(10, activation='softmax')])
    return {
        'M1': (m1, 'rmsprop', 'categorical_crossentropy', 128, (784,), False),
        'M1/predict': (m1, 'rmsprop', 'categorical_crossentropy', 256, (784,), False),
        'M2': (m2, 'sgd', 'sparse_categorical_crossentropy', 32, (28, 28), True),
        'M3/128': (m3, 'adam', 'categorical_crossentropy', 128, (28, 28, 1), False),
        'M3/10': (m3, 'adam', 'categorical_crossentropy', 10, (28, 28, 1), False),
        'M4': (m4, 'sgd', 'categorical_crossentropy', 50, (32, 32, 3), False),
        'CIFAR': (cifar, 'rmsprop', 'categorical_crossentropy', 32, (32, 32, 3), False),
    }


# name -> (batch size, input shape) for the PyTorch child, which cannot ask kback.
TORCH_SPECS = {'M1': (128, (784,)), 'M1/predict': (256, (784,)), 'M2': (32, (28, 28)),
               'M3/128': (128, (28, 28, 1)), 'M3/10': (10, (28, 28, 1)),
               'M4': (50, (32, 32, 3)), 'CIFAR': (32, (32, 32, 3))}


def torch_model(torch, name):
    nn = torch.nn
    if name.startswith('M1'):
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
    if name == 'CIFAR':
        return nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1),
                             nn.ReLU(), nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(64 * 6 * 6, 512), nn.ReLU(),
                             nn.Linear(512, 10)), \
            lambda p: torch.optim.RMSprop(p, lr=0.001, alpha=0.9, eps=1e-7)
    return nn.Sequential(nn.ZeroPad2d(3), nn.Conv2d(3, 32, 3), nn.BatchNorm2d(32, eps=1e-3),
                         nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(32, 64, 3),
                         nn.BatchNorm2d(64, eps=1e-3), nn.ReLU(), nn.MaxPool2d(3, 2),
                         nn.Flatten(), nn.Linear(64 * 7 * 7, 10)), \
        lambda p: torch.optim.SGD(p, lr=0.01)


def _epochs(run, epochs):
    """Median seconds of one epoch after a warm-up epoch."""
    run()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_kback(name, x, y, epochs):
    from kback import backend as K
    build, optimizer, loss, batch, _, sparse = kback_models()[name]
    K.clear_session()
    model = build()
    model.compile(optimizer, loss)
    if name.endswith('/predict'):
        return len(x) / _epochs(lambda: model.predict(x, batch_size=batch), epochs)
    target = y if sparse else np.eye(10, dtype='float32')[y]
    return len(x) / _epochs(lambda: model.fit(x, target, batch_size=batch, epochs=1, verbose=0),
                            epochs)


def time_torch(name, x, y, epochs):
    import torch
    batch, shape = TORCH_SPECS[name]
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

    def predict():
        with torch.no_grad():
            for i in range(0, len(tx), batch):
                model(tx[i:i + batch])
    return len(x) / _epochs(predict if name.endswith('/predict') else epoch, epochs)


def measure(lib, name, args):
    """(samples/s, peak RSS in MB) of one library on one model, in a fresh
    process: neither library's process-wide settings (allocator, OpenMP
    runtime and policy) may help or hurt the other, and the peak is its own."""
    out = subprocess.run([sys.executable, __file__, '--child', lib, name, '--epochs',
                          str(args.epochs), '--samples', str(args.samples),
                          '--threads', str(args.threads)],
                         capture_output=True, text=True)
    try:
        rate, rss = out.stdout.strip().splitlines()[-1].split()
        return float(rate), float(rss)
    except (ValueError, IndexError):
        raise RuntimeError(f'{lib} benchmark of {name} failed: {out.stderr[-2000:]}') from None


def _child(args):
    lib, name = args.child
    if lib == 'torch':
        import torch
        torch.set_num_threads(args.threads)
        timer = time_torch
    else:
        from kback import backend as K
        K.set_num_threads(args.threads)
        timer = time_kback
    x, y = data(args.samples, TORCH_SPECS[name][1])
    rate = timer(name, x, y, args.epochs)
    print(rate, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


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
    parser.add_argument('--threads', type=int, nargs='*', default=None,
                        help='thread counts to run (default: 1 and all kback uses)')
    parser.add_argument('--child', nargs=2, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.threads = args.threads[0]
        return _child(args)
    from kback import backend as K
    counts = args.threads or sorted({1, K.get_num_threads()})
    torch = _torch_version()
    print(f'torch={torch or "not installed"} samples={args.samples} timed epochs={args.epochs} '
          f'(median); each library in its own process; RSS = its peak, MB')
    print(f'{"model":<11}{"batch":>6}{"thr":>4}{"kback samples/s":>17}{"torch samples/s":>17}'
          f'{"kback/torch":>13}{"kback RSS":>11}{"torch RSS":>11}')
    names = [n for n in TORCH_SPECS if not args.models or any(n.startswith(m) for m in args.models)]
    for threads in counts:
        args.threads = threads
        for name in names:
            kb, kb_rss = measure('kback', name, args)
            tt, tt_rss = measure('torch', name, args) if torch else (float('nan'),) * 2
            print(f'{name:<11}{TORCH_SPECS[name][0]:>6}{threads:>4}{kb:>17.0f}{tt:>17.0f}'
                  f'{kb / tt:>13.2f}{kb_rss:>11.0f}{tt_rss:>11.0f}', flush=True)


if __name__ == '__main__':
    main()
