"""Boston housing prices (StatLib, Carnegie Mellon University): 13 attributes
of 506 Boston suburbs in the late 1970s; targets are median home values in
k$."""
import numpy as np

from ._common import fetch, local_file

# Remote file -> (origin URL, sha256): tf.keras's URL for the file Keras 2.3
# fetched from s3://keras-datasets with this same hash.
FILES = {
    'boston_housing.npz': (
        'https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz',
        'f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5'),
}


class _TestSplitError(ValueError, AssertionError):
    """A bad `test_split`: Keras 2.3 asserted, so AssertionError still catches it."""


def load_data(path='boston_housing.npz', test_split=0.2, seed=113):
    """Loads the Boston Housing data set, shuffled and split.

    Arguments:
        path: an existing local copy of boston_housing.npz (absolute, or
            relative to the working directory), else the file's name in the
            cache (`~/.kback/datasets`).
        test_split: fraction of the data kept for the test set, in [0, 1).
        seed: seed of the shuffle done before splitting.

    Returns:
        `(x_train, y_train), (x_test, y_test)`, float64 arrays (n, 13) and
        (n,); 404 training and 102 test samples with the defaults.

    Raises:
        DatasetUnavailableError (an OSError): the file is neither cached nor
            downloadable; the message says where to place it.
    """
    if not 0 <= test_split < 1:
        raise _TestSplitError('boston_housing.load_data: test_split must be in [0, 1), got %r'
                              % (test_split,))
    fpath = local_file(path)
    if fpath is None:
        origin, file_hash = FILES['boston_housing.npz']
        fpath, = fetch('boston_housing.load_data', [(path, origin, file_hash)])
    with np.load(fpath) as f:
        x = f['x']
        y = f['y']
    # Keras 2.3's permutation, from a private generator: numpy's global random
    # state is left alone.
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x = x[indices]
    y = y[indices]
    n_train = int(len(x) * (1 - test_split))
    return (np.array(x[:n_train]), np.array(y[:n_train])), \
        (np.array(x[n_train:]), np.array(y[n_train:]))
