"""What the word-index data sets (IMDB, Reuters) do to their sequences after
loading, as Keras 2.3 does it: shift the word indices, mark the start, drop
long sequences, and cut the vocabulary."""
import json
import warnings

import numpy as np

from ._common import fetch


def check_kwargs(loader, num_words, kwargs):
    """Keras 1's `nb_words` is still accepted (with a warning); any other
    unknown keyword argument is a TypeError."""
    if 'nb_words' in kwargs:
        warnings.warn(f'{loader}: the `nb_words` argument has been renamed `num_words`.')
        num_words = kwargs.pop('nb_words')
    if kwargs:
        raise TypeError(f'{loader}: unrecognized keyword arguments: {kwargs}')
    return num_words


def encode(loader, xs, labels, num_words, skip_top, maxlen, start_char, oov_char,
           index_from):
    """The sequences (lists of word indices) and labels after Keras 2.3's
    processing:

    - every index is shifted by `index_from` (indices below it stay free for
      padding, start and out-of-vocabulary marks) and `start_char` is put first;
    - with `maxlen`, only the sequences shorter than `maxlen` are kept;
    - indices outside `[skip_top, num_words)` become `oov_char`, or are dropped
      when `oov_char` is None (`num_words` defaults to the largest index)."""
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    else:
        xs = [list(x) for x in xs]
    labels = list(labels)
    if maxlen:
        kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
        if not kept:
            raise ValueError(f'{loader}: after filtering for sequences shorter than '
                             f'maxlen={maxlen}, no sequence was kept. Increase maxlen.')
        xs, labels = [x for x, _ in kept], [y for _, y in kept]
    if not num_words:
        num_words = max(max(x) for x in xs if x)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    return xs, labels


def as_arrays(xs, labels):
    """(sequences, labels): a 1-D object array of lists (sequences differ in
    length) and the labels' array."""
    out = np.empty(len(xs), dtype=object)
    out[:] = xs
    return out, np.array(labels)


def load_word_index(loader, path, origin, file_hash):
    """The word -> index dict of a data set's JSON index file."""
    fpath, = fetch(loader, [(path, origin, file_hash)])
    with open(fpath) as f:
        return json.load(f)
