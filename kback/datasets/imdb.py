"""IMDB movie reviews, labelled by sentiment (positive 1 / negative 0): 25,000
training and 25,000 test reviews, each a sequence of word indices, words
indexed by overall frequency (index 1 is the most frequent word)."""
import numpy as np

from ._common import fetch, local_file
from ._sequences import as_arrays, check_kwargs, encode, load_word_index

# Remote file -> (origin URL, hash): tf.keras's copies; Keras 2.3's
# s3://text-datasets URLs are gone.
FILES = {
    'imdb.npz': ('https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz',
                 '69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f'),
    'imdb_word_index.json': (
        'https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json',
        'bfafd718b763782e994055a2d397834f'),
}


def load_data(path='imdb.npz', num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the IMDB data set.

    Arguments:
        path: an existing local copy of imdb.npz, else its name in the cache
            (`~/.kback/datasets`).
        num_words: keep the `num_words - index_from` most frequent words;
            rarer ones become `oov_char`.  None keeps all.
        skip_top: also treat the `skip_top` most frequent indices as
            out of vocabulary (e.g. "the").
        maxlen: keep only the reviews shorter than `maxlen` (after the start
            mark is added).  None keeps all.
        seed: seed of the shuffle of each set.
        start_char: the index that marks the start of every review (1); the
            other indices are shifted past it.  None adds no mark.
        oov_char: the index of out-of-vocabulary words (2); None drops them.
        index_from: the shift of the real words' indices (3: 0 is padding,
            1 the start, 2 out of vocabulary).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x are 1-D object arrays of
        lists of ints, y int arrays of 0/1 labels.

    Raises:
        DatasetUnavailableError (an OSError): the file is neither cached nor
            downloadable; the message says where to place it.
        ValueError: `maxlen` keeps no review.
        TypeError: an unknown keyword argument.
    """
    num_words = check_kwargs('imdb.load_data', num_words, kwargs)
    fpath = local_file(path)
    if fpath is None:
        origin, file_hash = FILES['imdb.npz']
        fpath, = fetch('imdb.load_data', [(path, origin, file_hash)])
    with np.load(fpath, allow_pickle=True) as f:
        x_train, labels_train = f['x_train'], f['y_train']
        x_test, labels_test = f['x_test'], f['y_test']
    # Keras 2.3's order: one generator shuffles the training set, then the test set.
    rng = np.random.RandomState(seed)
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, labels_train = x_train[order], labels_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, labels_test = x_test[order], labels_test[order]

    # Each sequence keeps its set through the maxlen filter (Keras 2.3 split the
    # filtered list at the unfiltered training size, moving test reviews into
    # the training set).
    xs = list(x_train) + list(x_test)
    labels = np.concatenate([labels_train, labels_test])
    is_train = [True] * len(x_train) + [False] * len(x_test)
    xs, kept = encode('imdb.load_data', xs, list(zip(labels, is_train)), num_words,
                      skip_top, maxlen, start_char, oov_char, index_from)
    train = [i for i, (_, t) in enumerate(kept) if t]
    test = [i for i, (_, t) in enumerate(kept) if not t]
    labels = [y for y, _ in kept]
    return as_arrays([xs[i] for i in train], [labels[i] for i in train]), \
        as_arrays([xs[i] for i in test], [labels[i] for i in test])


def get_word_index(path='imdb_word_index.json'):
    """The word -> index dict of the IMDB data set (indices before the
    `index_from` shift of `load_data`).

    Raises:
        DatasetUnavailableError: the file is neither cached nor downloadable.
    """
    origin, file_hash = FILES['imdb_word_index.json']
    return load_word_index('imdb.get_word_index', path, origin, file_hash)
