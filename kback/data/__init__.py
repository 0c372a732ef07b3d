"""Small data sets shipped with the package (see README.md for their sources).

`kback.datasets.mnist.load_data()` falls back to `mnist_sample()` (with a
warning) when the full MNIST data set cannot be found or downloaded.
"""
import os

import numpy as np

_HERE = os.path.dirname(__file__)


def mnist_sample():
    """The shipped 5,000-digit MNIST sample as ((x_train, y_train), (x_test, y_test)):
    uint8 images (n, 28, 28) and uint8 labels, split 4,000 / 1,000."""
    with np.load(os.path.join(_HERE, 'mnist_5k.npz')) as data:
        x, y = data['x'], data['y']
    return (x[:4000], y[:4000]), (x[4000:], y[4000:])
