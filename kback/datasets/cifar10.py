"""CIFAR-10: 32x32 colour images in 10 classes (Alex Krizhevsky, 2009).

Labels: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog,
7 horse, 8 ship, 9 truck.
"""
import os

import numpy as np

from .. import backend as K
from ._common import fetch
from .cifar import load_batch

# Remote file -> (origin URL, sha256); the md5 published with it is
# c58f30108f718f92721af3b95e74349a.
FILES = {
    'cifar-10-python.tar.gz': (
        'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz',
        '6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce'),
}
DIRNAME = 'cifar-10-batches-py'  # the archive's folder; cached as DIRNAME + '.tar.gz'


def load_data():
    """Loads CIFAR-10: 50,000 training and 10,000 test images.

    Returns:
        `(x_train, y_train), (x_test, y_test)`, uint8 images (n, 32, 32, 3),
        or (n, 3, 32, 32) when `K.image_data_format()` is 'channels_first',
        and uint8 labels (n, 1) with values 0..9.

    Raises:
        DatasetUnavailableError (an OSError): the archive is neither cached
            nor downloadable; the message says where to place it.
    """
    origin, file_hash = FILES['cifar-10-python.tar.gz']
    path, = fetch('cifar10.load_data', [(DIRNAME, origin, file_hash)], untar=True,
                  extracted_hint='(or place its extracted folder %s, holding data_batch_1 .. '
                                 'data_batch_5 and test_batch, in %%(folder)s)' % DIRNAME)
    xs, ys = [], []
    for i in range(1, 6):
        x, y = load_batch(os.path.join(path, 'data_batch_%d' % i))
        xs.append(x)
        ys.append(y)
    x_train = np.concatenate(xs).astype('uint8', copy=False)
    y_train = np.concatenate([np.asarray(y, dtype='uint8') for y in ys])
    x_test, y_test = load_batch(os.path.join(path, 'test_batch'))
    x_test = np.asarray(x_test, dtype='uint8')
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.asarray(y_test, dtype='uint8').reshape(len(y_test), 1)
    if K.image_data_format() == 'channels_last':
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
