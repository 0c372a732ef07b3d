"""CIFAR-100: 32x32 colour images in 100 fine classes grouped into 20 coarse
ones (Alex Krizhevsky, 2009)."""
import os

import numpy as np

from .. import backend as K
from ._common import fetch
from .cifar import load_batch

# Remote file -> (origin URL, sha256); the md5 published with it is
# eb9058c3a382ffc7106e4002c42a8d85.
FILES = {
    'cifar-100-python.tar.gz': (
        'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz',
        '85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7'),
}
DIRNAME = 'cifar-100-python'  # the archive's folder; cached as DIRNAME + '.tar.gz'


def load_data(label_mode='fine'):
    """Loads CIFAR-100: 50,000 training and 10,000 test images.

    Arguments:
        label_mode: 'fine' (100 classes) or 'coarse' (20 super-classes).

    Returns:
        `(x_train, y_train), (x_test, y_test)`, uint8 images (n, 32, 32, 3),
        or (n, 3, 32, 32) when `K.image_data_format()` is 'channels_first',
        and uint8 labels (n, 1) with values 0..99 ('fine') or 0..19 ('coarse').

    Raises:
        ValueError: `label_mode` is neither 'fine' nor 'coarse'.
        DatasetUnavailableError (an OSError): the archive is neither cached
            nor downloadable; the message says where to place it.
    """
    if label_mode not in ['fine', 'coarse']:
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`, got %r.'
                         % (label_mode,))
    origin, file_hash = FILES['cifar-100-python.tar.gz']
    path, = fetch('cifar100.load_data', [(DIRNAME, origin, file_hash)], untar=True,
                  extracted_hint='(or place its extracted folder %s, holding train and test, '
                                 'in %%(folder)s)' % DIRNAME)
    key = label_mode + '_labels'
    x_train, y_train = load_batch(os.path.join(path, 'train'), label_key=key)
    x_test, y_test = load_batch(os.path.join(path, 'test'), label_key=key)
    # uint8 as Keras 2 documents it (its code returned the platform's int).
    y_train = np.asarray(y_train, dtype='uint8').reshape(len(y_train), 1)
    y_test = np.asarray(y_test, dtype='uint8').reshape(len(y_test), 1)
    if K.image_data_format() == 'channels_last':
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
