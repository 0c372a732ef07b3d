"""Fashion-MNIST: 28x28 grayscale images of 10 kinds of clothing (Zalando SE,
MIT licence), a drop-in replacement for MNIST.

Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot.
"""
import gzip
import os

import numpy as np

from ._common import fetch

_BASE = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/'
# Remote file -> (origin URL, sha256), in the order load_data reads them.
# Keras 2.3 checked no hash; these are the files' published sha256 digests.
FILES = {
    'train-labels-idx1-ubyte.gz': (
        _BASE + 'train-labels-idx1-ubyte.gz',
        'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845'),
    'train-images-idx3-ubyte.gz': (
        _BASE + 'train-images-idx3-ubyte.gz',
        '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84'),
    't10k-labels-idx1-ubyte.gz': (
        _BASE + 't10k-labels-idx1-ubyte.gz',
        '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5'),
    't10k-images-idx3-ubyte.gz': (
        _BASE + 't10k-images-idx3-ubyte.gz',
        '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073'),
}
CACHE_SUBDIR = os.path.join('datasets', 'fashion-mnist')

_LABELS_MAGIC, _IMAGES_MAGIC = 2049, 2051  # idx1 ubyte / idx3 ubyte


def _read_idx(fpath, magic):
    """The uint8 array of a gzipped idx file (big-endian header: magic, dims)."""
    with gzip.open(fpath, 'rb') as f:
        raw = f.read()
    ndim = magic - 2048
    header = np.frombuffer(raw, '>u4', count=1 + ndim) if len(raw) >= 4 * (1 + ndim) else None
    if header is None or header[0] != magic:
        raise ValueError('fashion_mnist.load_data: %s is not an idx file of %d dimension(s) '
                         '(expected magic number %d)' % (fpath, ndim, magic))
    shape = tuple(int(d) for d in header[1:])
    data = np.frombuffer(raw, np.uint8, offset=4 * (1 + ndim))
    if data.size != int(np.prod(shape)):
        raise ValueError('fashion_mnist.load_data: %s holds %d bytes of data, its header says '
                         '%s' % (fpath, data.size, shape))
    return data.reshape(shape).copy()  # writable, unlike a view of the bytes


def load_data():
    """Loads Fashion-MNIST: 60,000 training and 10,000 test images.

    Returns:
        `(x_train, y_train), (x_test, y_test)`, uint8 images (n, 28, 28) and
        uint8 labels (n,) with values 0..9.

    Raises:
        DatasetUnavailableError (an OSError): the four files are neither in
            `~/.kback/datasets/fashion-mnist` nor downloadable; the message
            names the files to place there.
    """
    entries = [(name, origin, file_hash) for name, (origin, file_hash) in FILES.items()]
    paths = dict(zip(FILES, fetch('fashion_mnist.load_data', entries,
                                  cache_subdir=CACHE_SUBDIR)))
    y_train = _read_idx(paths['train-labels-idx1-ubyte.gz'], _LABELS_MAGIC)
    x_train = _read_idx(paths['train-images-idx3-ubyte.gz'], _IMAGES_MAGIC)
    y_test = _read_idx(paths['t10k-labels-idx1-ubyte.gz'], _LABELS_MAGIC)
    x_test = _read_idx(paths['t10k-images-idx3-ubyte.gz'], _IMAGES_MAGIC)
    return (x_train, y_train), (x_test, y_test)
