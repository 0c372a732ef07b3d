"""Per-call overhead of a compiled K.function: a 20-op graph on tiny inputs.

    python benchmarks/function_overhead.py

Reports the median microseconds per call and per op, beside the same 20
numpy calls made directly (the floor any executor pays).
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]   # runnable from a source checkout
from _timing import median_seconds  # noqa: E402

from kback import backend as K  # noqa: E402


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


def main():
    rng = np.random.RandomState(0)
    xv = rng.randn(2, 4).astype(np.float32)
    wv, bv = rng.randn(4, 3).astype(np.float32), rng.randn(3).astype(np.float32)
    x = K.placeholder((None, 4))
    w, b = K.variable(wv), K.variable(bv)
    out = build(x, w, b)
    f = K.function([x], [out])
    n_ops = sum(1 for line in f._source.splitlines() if '= _v' in line and '(' in line)
    call = median_seconds(lambda: f([xv]), repeats=25)
    direct = median_seconds(lambda: numpy_equivalent(xv, wv, bv), repeats=25)
    np.testing.assert_allclose(f([xv])[0], numpy_equivalent(xv, wv, bv), rtol=1e-5)
    print(f'ops run per call: {n_ops}')
    print(f'K.function call: {call * 1e6:.1f} us  ({call * 1e6 / n_ops:.2f} us per op, median)')
    print(f'same maths as direct numpy calls: {direct * 1e6:.1f} us  '
          f'(executor overhead {(call - direct) * 1e6 / n_ops:.2f} us per op)')


if __name__ == '__main__':
    main()
