"""Reuters newswires labelled by topic: 11,228 newswires over 46 topics, each a
sequence of word indices, words indexed by overall frequency."""
import numpy as np

from ._common import fetch, local_file
from ._sequences import as_arrays, check_kwargs, encode, load_word_index

# Remote file -> (origin URL, hash): tf.keras's copies; Keras 2.3's
# s3://text-datasets URLs are gone.
FILES = {
    'reuters.npz': ('https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters.npz',
                    'd6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916'),
    'reuters_word_index.json': (
        'https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters_word_index.json',
        '4d44cc38712099c9e383dc6e5f11a921'),
}


def load_data(path='reuters.npz', num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the Reuters newswire topic data set, shuffled and split.

    Arguments:
        path: an existing local copy of reuters.npz, else its name in the
            cache (`~/.kback/datasets`).
        num_words, skip_top, maxlen, seed, start_char, oov_char, index_from:
            as in `imdb.load_data`.
        test_split: the fraction of the newswires kept for the test set.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x are 1-D object arrays of
        lists of ints, y int arrays of topic indices (0..45).

    Raises:
        DatasetUnavailableError (an OSError): the file is neither cached nor
            downloadable; the message says where to place it.
        ValueError: `test_split` outside [0, 1], or `maxlen` keeps nothing.
        TypeError: an unknown keyword argument.
    """
    num_words = check_kwargs('reuters.load_data', num_words, kwargs)
    if not 0 <= test_split <= 1:
        raise ValueError(f'reuters.load_data: test_split must be in [0, 1], got {test_split!r}')
    fpath = local_file(path)
    if fpath is None:
        origin, file_hash = FILES['reuters.npz']
        fpath, = fetch('reuters.load_data', [(path, origin, file_hash)])
    with np.load(fpath, allow_pickle=True) as f:
        xs, labels = f['x'], f['y']
    order = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(order)
    xs, labels = encode('reuters.load_data', list(xs[order]), labels[order], num_words,
                        skip_top, maxlen, start_char, oov_char, index_from)
    split = int(len(xs) * (1 - test_split))
    return as_arrays(xs[:split], labels[:split]), as_arrays(xs[split:], labels[split:])


def get_word_index(path='reuters_word_index.json'):
    """The word -> index dict of the Reuters data set (indices before the
    `index_from` shift of `load_data`).

    Raises:
        DatasetUnavailableError: the file is neither cached nor downloadable.
    """
    origin, file_hash = FILES['reuters_word_index.json']
    return load_word_index('reuters.get_word_index', path, origin, file_hash)
