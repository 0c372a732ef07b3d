"""MNIST handwritten digits.

Without the full data set (not cached, no network) `load_data()` warns once
and returns the 5,000-digit sample shipped with kback (`kback.data`).
"""
import warnings

import numpy as np

from ..utils.data_utils import get_file
from ._common import cache_path, local_file

# Remote file -> (origin URL, sha256), as tf.keras fetches it (Keras 2.3's
# s3://img-datasets copy is gone; tf.keras checked the same file at this URL
# with md5 8a61469f7ea1b51cbae51d4f78837e45, the hash Keras 2.3 used).
FILES = {
    'mnist.npz': ('https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz',
                  '731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1'),
}


def load_data(path='mnist.npz'):
    """Loads the MNIST data set: 60,000 training and 10,000 test digits.

    Arguments:
        path: an existing local copy of mnist.npz (absolute, or relative to
            the working directory), else the file's name in the cache
            (`~/.kback/datasets`).

    Returns:
        `(x_train, y_train), (x_test, y_test)`, uint8 images (n, 28, 28)
        with values 0..255 and uint8 labels (n,) with values 0..9.

    When the file is neither cached nor downloadable, a `UserWarning` says so
    and the 5,000-digit sample shipped with kback is returned instead
    (4,000 training and 1,000 test digits, same dtypes and ranks).
    """
    fpath = local_file(path)
    if fpath is None:
        origin, file_hash = FILES['mnist.npz']
        try:
            fpath = get_file(path, origin=origin, file_hash=file_hash)
        except (OSError, ValueError) as e:  # offline, unreachable, or a corrupt download
            return _shipped_sample(path, origin, e)
    with np.load(fpath) as f:
        x_train, y_train = f['x_train'], f['y_train']
        x_test, y_test = f['x_test'], f['y_test']
    return (x_train, y_train), (x_test, y_test)


def _shipped_sample(path, origin, error):
    from ..data import mnist_sample
    reason = getattr(error, 'reason', None) or str(error)
    warnings.warn(
        'mnist.load_data: the full MNIST data set is not in the cache and could not be '
        'downloaded from %s (%s). To use it, download mnist.npz elsewhere and place it at %s. '
        'Returning instead the 5,000-digit MNIST sample shipped with kback: 4,000 training and '
        '1,000 test digits.' % (origin, reason, cache_path(path)),
        UserWarning, stacklevel=3)
    return mnist_sample()
