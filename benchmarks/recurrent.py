"""Recurrent layers: one training step of LSTM / GRU / SimpleRNN(64) with a
Dense(1) head (mse, rmsprop), batch 64, 50 timesteps, 32 features, kback
beside PyTorch's nn.LSTM / nn.GRU / nn.RNN, at 1 and 2 threads.

    python benchmarks/recurrent.py [LSTM GRU SimpleRNN] [--steps N] [--threads 1 2]
                                   [--keras-python PATH] [--dropout R]

Medians of N steps after warm-up; PyTorch runs in a child process that
never imports kback, and so does Keras 2 on TensorFlow (`tf_keras`, else
`tensorflow.keras`) when the interpreter given by --keras-python (default:
this one) has it: the same model, `train_on_batch`, intra-op threads set.
Prints ms per step and the ratios torch/kback and keras/kback (> 1: kback
is faster).  --dropout R sets dropout and recurrent_dropout to R in kback and
Keras (PyTorch's layers have no recurrent dropout: no column).  kback's layers run the fused compiled loops
(kback_core/recurrent.pyx).
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

BATCH, STEPS, FEATURES, UNITS = 64, 50, 32, 64
CELLS = ('LSTM', 'GRU', 'SimpleRNN')


def data(seed=0):
    rng = np.random.RandomState(seed)
    return (rng.uniform(-1, 1, (BATCH, STEPS, FEATURES)).astype('float32'),
            rng.uniform(-1, 1, (BATCH, 1)).astype('float32'))


def _median_ms(step, n):
    for _ in range(5):
        step()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def time_kback(cell, threads, n, dropout=0.0):
    from kback import backend as K, layers, models
    K.clear_session()
    K.set_num_threads(threads)
    layer = {'LSTM': layers.LSTM, 'GRU': layers.GRU, 'SimpleRNN': layers.SimpleRNN}[cell]
    model = models.Sequential([layer(UNITS, dropout=dropout, recurrent_dropout=dropout,
                                     input_shape=(STEPS, FEATURES)), layers.Dense(1)])
    model.compile('rmsprop', 'mse')
    x, y = data()
    return _median_ms(lambda: model.train_on_batch(x, y), n)


def time_torch(cell, threads, n):
    import torch
    torch.set_num_threads(threads)
    rnn = {'LSTM': torch.nn.LSTM, 'GRU': torch.nn.GRU, 'SimpleRNN': torch.nn.RNN}[cell](
        FEATURES, UNITS, batch_first=True)
    head = torch.nn.Linear(UNITS, 1)
    opt = torch.optim.RMSprop(list(rnn.parameters()) + list(head.parameters()), lr=1e-3,
                              alpha=0.9, eps=1e-7)
    x, y = (torch.from_numpy(a) for a in data())

    def step():
        opt.zero_grad()
        out, _ = rnn(x)
        loss = ((head(out[:, -1]) - y) ** 2).mean()
        loss.backward()
        opt.step()
    return _median_ms(step, n)


def time_keras_tf(cell, threads, n, dropout=0.0):
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    try:
        import tf_keras as keras          # Keras 2 on TensorFlow >= 2.16
    except ImportError:
        from tensorflow import keras
    layer = getattr(keras.layers, cell)
    model = keras.Sequential([layer(UNITS, dropout=dropout, recurrent_dropout=dropout,
                                    input_shape=(STEPS, FEATURES)), keras.layers.Dense(1)])
    model.compile('rmsprop', 'mse')
    x, y = data()
    return _median_ms(lambda: model.train_on_batch(x, y), n)


def in_child(python, which, cell, threads, n, dropout=0.0):
    """ms per step of `which` ('torch' or 'keras') in a process of its own; NaN
    where that library is not installed there (or, for PyTorch, with dropout)."""
    if which == 'torch' and dropout:
        return float('nan')
    out = subprocess.run([python, __file__, '--only', which, cell, '--threads', str(threads),
                          '--steps', str(n), '--dropout', str(dropout)], capture_output=True,
                         text=True)
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return float('nan')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('cells', nargs='*', default=list(CELLS))
    parser.add_argument('--steps', type=int, default=40)
    parser.add_argument('--threads', type=int, nargs='*', default=[1, 2])
    parser.add_argument('--keras-python', default=sys.executable)
    parser.add_argument('--dropout', type=float, default=0.0)
    parser.add_argument('--only', default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        if args.only == 'torch':
            print(time_torch(args.cells[0], args.threads[0], args.steps))
        else:
            print(time_keras_tf(args.cells[0], args.threads[0], args.steps, args.dropout))
        return
    print(f'{UNITS} units, batch {BATCH}, {STEPS} steps, {FEATURES} features, dropout and '
          f'recurrent_dropout {args.dropout}; median of {args.steps} training steps (ms)')
    print(f'{"layer":<11}{"threads":>8}{"kback ms":>10}{"torch ms":>10}{"keras ms":>10}'
          f'{"torch/kback":>13}{"keras/kback":>13}')
    for cell in args.cells:
        for threads in args.threads:
            kb = time_kback(cell, threads, args.steps, args.dropout)
            tt = in_child(sys.executable, 'torch', cell, threads, args.steps, args.dropout)
            kt = in_child(args.keras_python, 'keras', cell, threads, args.steps, args.dropout)
            print(f'{cell:<11}{threads:>8}{kb:>10.2f}{tt:>10.2f}{kt:>10.2f}{tt / kb:>13.2f}'
                  f'{kt / kb:>13.2f}', flush=True)


if __name__ == '__main__':
    main()
