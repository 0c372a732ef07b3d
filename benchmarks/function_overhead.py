"""Per-call overhead of a compiled K.function on tiny inputs.

    python benchmarks/function_overhead.py

Four rows, medians:
- one 4x4 add: the K.function call beside np.add itself (the fixed cost of a
  call: feeds, denormal mode, outputs);
- a chain of 20 adds on fed arrays: the cost per op beyond np.add;
- a 20-op dense net written with K ops, beside the same maths as direct numpy
  calls (this row also holds the ops' own wrappers: kernels, reductions);
- a chain of 12 elementwise ops on a 4 MB array, beside the same numpy calls
  (each allocating its result): the plan writes each result into the input
  that dies there.
The target (issue 11): a call costs <= 2 us plus <= 0.5 us per op.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]   # runnable from a source checkout
from _timing import median_seconds  # noqa: E402

from kback import backend as K  # noqa: E402

CHAIN = 20


def build(x, w, b):
    """20 ops: a small dense net written with K ops (counted by the caller)."""
    h = K.dot(x, w) + b                 # 2
    h = K.relu(h) * 0.5 - 0.1           # 3
    h = K.tanh(h) + K.sigmoid(h)        # 3
    h = K.exp(-K.square(h))             # 3
    s = K.sum(h, axis=1, keepdims=True) # 1
    h = h / (s + 1.0)                   # 2
    h = K.maximum(h, 0.01)              # 1
    h = K.log(h)                        # 1
    h = K.abs(h) * h                    # 2
    return K.mean(h)                    # 2 (sum, div by count)


def numpy_equivalent(x, w, b):
    h = x @ w + b
    h = np.maximum(h, 0) * 0.5 - 0.1
    h = np.tanh(h) + 1 / (1 + np.exp(-h))
    h = np.exp(-np.square(h))
    s = np.sum(h, axis=1, keepdims=True)
    h = h / (s + 1.0)
    h = np.maximum(h, 0.01)
    h = np.log(h)
    h = np.abs(h) * h
    return np.sum(h) / h.size


def direct_chain(x, y):
    h = x
    for _ in range(CHAIN):
        h = np.add(h, y)
    return h


def us(seconds):
    return seconds * 1e6


def main():
    a = np.ones((4, 4), np.float32)
    x, y = K.placeholder((4, 4)), K.placeholder((4, 4))
    one = K.function([x, y], [x + y])
    h = x
    for _ in range(CHAIN):
        h = h + y
    chain = K.function([x, y], [h])
    np.testing.assert_allclose(chain([a, a])[0], a * (CHAIN + 1))
    t_add = median_seconds(lambda: np.add(a, a), repeats=25)
    t_adds = median_seconds(lambda: direct_chain(a, a), repeats=25)
    t_one = median_seconds(lambda: one([a, a]), repeats=25)
    t_chain = median_seconds(lambda: chain([a, a]), repeats=25)
    fixed = t_one - t_add
    print(f'one 4x4 add: K.function {us(t_one):.2f} us, np.add {us(t_add):.2f} us '
          f'(fixed cost of a call {us(fixed):.2f} us)')
    print(f'{CHAIN} chained adds: K.function {us(t_chain):.2f} us, {CHAIN} np.add calls '
          f'{us(t_adds):.2f} us (cost per op beyond np.add '
          f'{us((t_chain - t_adds - fixed) / CHAIN):.2f} us)')

    rng = np.random.RandomState(0)
    xv = rng.randn(2, 4).astype(np.float32)
    wv, bv = rng.randn(4, 3).astype(np.float32), rng.randn(3).astype(np.float32)
    xp = K.placeholder((None, 4))
    w, b = K.variable(wv), K.variable(bv)
    f = K.function([xp], [build(xp, w, b)])
    n_ops = sum(1 for line in f._source.splitlines() if '= _v' in line and '(' in line)
    call = median_seconds(lambda: f([xv]), repeats=25)
    direct = median_seconds(lambda: numpy_equivalent(xv, wv, bv), repeats=25)
    np.testing.assert_allclose(f([xv])[0], numpy_equivalent(xv, wv, bv), rtol=1e-5)
    print(f'{n_ops}-op dense net: K.function {us(call):.1f} us, the same maths as direct '
          f'numpy calls {us(direct):.1f} us ({us(call - direct) / n_ops:.2f} us per op more, '
          'ops\' own wrappers included)')
    big_row()


def big_chain(h, y):
    for _ in range(6):
        h = np.exp(np.multiply(h, y))
    return h


def big_row():
    rng = np.random.RandomState(0)
    xv, yv = rng.rand(256, 4096).astype(np.float32), rng.rand(256, 4096).astype(np.float32) * .1
    x, y = K.placeholder((None, 4096)), K.placeholder((None, 4096))
    h = x
    for _ in range(6):
        h = K.exp(h * y)
    f = K.function([x, y], [h])
    np.testing.assert_allclose(f([xv, yv])[0], big_chain(xv, yv), rtol=1e-6)
    call = median_seconds(lambda: f([xv, yv]), repeats=15)
    direct = median_seconds(lambda: big_chain(xv, yv), repeats=15)
    print(f'12 elementwise ops on (256, 4096) float32: K.function {call * 1e3:.2f} ms, '
          f'numpy allocating each result {direct * 1e3:.2f} ms')


if __name__ == '__main__':
    main()
