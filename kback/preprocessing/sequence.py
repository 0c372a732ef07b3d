"""keras.preprocessing.sequence: padding, skip-gram pairs and a sliding-window
batch generator for time series (keras_preprocessing 1.1.0 semantics)."""
import json
import random

import numpy as np

from ..utils.data_utils import Sequence

__all__ = ['pad_sequences', 'make_sampling_table', 'skipgrams', 'TimeseriesGenerator',
           'timeseries_generator_from_json']


def _is_text_dtype(dtype):
    return np.dtype(dtype).kind in ('U', 'S', 'O')


def pad_sequences(sequences, maxlen=None, dtype='int32',
                  padding='pre', truncating='pre', value=0.):
    """Pads a list of sequences to one length: a `(len(sequences), maxlen)`
    (plus the items' own trailing shape) array.

    `maxlen` defaults to the longest sequence. Longer sequences lose values at
    the beginning (`truncating='pre'`) or end ('post'); shorter ones get
    `value` before ('pre', the default) or after ('post'). Items may be
    scalars or arrays of one common shape, taken from the first non-empty
    sequence.

    Arguments:
        sequences: a list of sequences (lists or arrays).
        maxlen: the length of the result's rows, or None (the longest).
        dtype: the result's dtype.
        padding: `'pre'` or `'post'`, where the padding goes.
        truncating: `'pre'` or `'post'`, where long sequences are cut.
        value: the padding value.

    Returns:
        A numpy array `(len(sequences), maxlen)` plus the items' own shape.

    Raises:
        ValueError: if `sequences` is not a list of iterables, the items'
            shapes differ, `padding` or `truncating` is unknown, or a text
            `value` meets a numeric `dtype`.

    Example::

        pad_sequences([[1, 2, 3], [4, 5]], maxlen=4)
        # array([[0, 1, 2, 3], [0, 0, 4, 5]], dtype=int32)
    """
    if not hasattr(sequences, '__len__'):
        raise ValueError('`sequences` must be iterable.')
    if padding not in ('pre', 'post'):
        raise ValueError('Padding type "%s" not understood' % (padding,))
    if truncating not in ('pre', 'post'):
        raise ValueError('Truncating type "%s" not understood' % (truncating,))

    lengths = []
    sample_shape = None
    for x in sequences:
        if not hasattr(x, '__len__'):
            raise ValueError('`sequences` must be a list of iterables. '
                             'Found non-iterable: ' + str(x))
        lengths.append(len(x))
        if sample_shape is None and len(x):
            sample_shape = np.asarray(x).shape[1:]
    if sample_shape is None:
        sample_shape = ()

    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    maxlen = int(maxlen)
    if maxlen < 0:
        raise ValueError('pad_sequences: `maxlen` must be >= 0, got %d' % maxlen)

    # A text padding value only fits a text (or object) array.
    if isinstance(value, str) and not _is_text_dtype(dtype):
        raise ValueError("`dtype` {} is not compatible with `value`'s type: {}\n"
                         "You should set `dtype=object` for variable length strings."
                         .format(dtype, type(value)))

    out = np.full((len(sequences), maxlen) + tuple(sample_shape), value, dtype=dtype)
    if maxlen == 0:
        return out
    for idx, (s, n) in enumerate(zip(sequences, lengths)):
        if n == 0:
            continue
        if n > maxlen:
            s = s[n - maxlen:] if truncating == 'pre' else s[:maxlen]
        trunc = np.asarray(s, dtype=dtype)
        if trunc.shape[1:] != tuple(sample_shape):
            raise ValueError('Shape of sample %s of sequence at position %s '
                             'is different from expected shape %s'
                             % (trunc.shape[1:], idx, tuple(sample_shape)))
        k = len(trunc)
        if padding == 'post':
            out[idx, :k] = trunc
        else:
            out[idx, maxlen - k:] = trunc
    return out


def make_sampling_table(size, sampling_factor=1e-5):
    """Word2vec sub-sampling probabilities by word rank: entry i is the
    probability of keeping the i-th most frequent word, assuming Zipf's law
    for the frequencies, `min(1, sqrt(f) / f)` with
    `f = sampling_factor * (rank * (log(rank) + gamma) + 1/2 - 1/(12 rank))`
    (written `f / sqrt(f)`); rank 0 is treated as rank 1.

    Arguments:
        size: the vocabulary size.
        sampling_factor: the word2vec sampling factor.

    Returns:
        A float64 array of `size` probabilities.
    """
    size = int(size)
    if size <= 0:
        return np.zeros((0,), dtype='float64')
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_freq = rank * (np.log(rank) + gamma) + 0.5 - 1. / (12. * rank)
    f = sampling_factor * inv_freq
    return np.minimum(1., f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1.,
              shuffle=True, categorical=False, sampling_table=None, seed=None):
    """Skip-gram training pairs from a sequence of word indices.

    Returns `(couples, labels)`: `[w_i, w_j]` with label 1 for every non-zero
    `w_j` within `window_size` of a non-zero `w_i` (index 0 is a non-word),
    then `int(n_positive * negative_samples)` pairs `[w, random word in
    [1, vocabulary_size - 1]]` with label 0, where the `w` are the positive
    pairs' first words in random order. `categorical=True` gives labels
    `[0, 1]` (positive) and `[1, 0]` (negative). `sampling_table[w]` is the
    probability of keeping word `w` as a centre word. `shuffle` applies one
    permutation to couples and labels.

    With `seed` every random draw comes from `random.Random(seed)`, so equal
    seeds give equal results; without it Python's global `random` is used.

    Arguments:
        sequence: a list of word indices (0 is not a word).
        vocabulary_size: the vocabulary size (largest index + 1).
        window_size: the distance within which words are paired.
        negative_samples: the number of negative pairs per positive pair (a
            float >= 0).
        shuffle: whether to shuffle the pairs.
        categorical: whether the labels are one-hot pairs.
        sampling_table: an array of keep probabilities by word index, or None.
        seed: the random seed.

    Returns:
        A tuple `(couples, labels)` of lists.
    """
    rng = random if seed is None else random.Random(seed)
    couples = []
    labels = []
    positive = [0, 1] if categorical else 1
    negative = [1, 0] if categorical else 0
    n = len(sequence)
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and sampling_table[wi] < rng.random():
            continue
        for j in range(max(0, i - window_size), min(n, i + window_size + 1)):
            if j == i:
                continue
            wj = sequence[j]
            if not wj:
                continue
            couples.append([wi, wj])
            labels.append(list(positive) if categorical else positive)

    if negative_samples > 0:
        num_negative = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        rng.shuffle(words)
        for i in range(num_negative):
            couples.append([words[i % len(words)], rng.randint(1, vocabulary_size - 1)])
            labels.append(list(negative) if categorical else negative)

    if shuffle:
        order = list(range(len(couples)))
        rng.shuffle(order)
        couples = [couples[k] for k in order]
        labels = [labels[k] for k in order]
    return couples, labels


def _remove_long_seq(maxlen, seq, label):
    """Keeps the (sequence, label) pairs whose sequence is shorter than maxlen."""
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label


class TimeseriesGenerator(Sequence):
    """Batches of sliding windows over a time series, as a `Sequence`.

    Sample `k` ends just before row `r_k`: `x = data[r_k - length : r_k :
    sampling_rate]` and `y = targets[r_k]`. Rows run from `start_index +
    length` to `end_index` (default `len(data) - 1`) in steps of `stride`,
    `batch_size` per batch (the last batch may be shorter). `shuffle=True`
    draws `batch_size` rows uniformly with replacement from that range for
    every batch (numpy's global RNG); `reverse=True` flips each window in
    time. `data` and `targets` must have the same length; axis 0 is time.

    Arguments:
        data: an indexable of the time steps (a numpy array), axis 0 time.
        targets: the targets, one per time step of `data`.
        length: the number of time steps in each window, before sampling.
        sampling_rate: the step between the rows of a window.
        stride: the step between the ends of consecutive windows.
        start_index: the first row a window may end at (plus `length`).
        end_index: the last row a window may end at (default
            `len(data) - 1`).
        shuffle: whether to draw the windows at random.
        reverse: whether to flip each window in time.
        batch_size: windows per batch.

    Raises:
        ValueError: if `data` and `targets` differ in length, a size is not a
            positive int, or no window fits between the indices.

    Example::

        x, y = TimeseriesGenerator(data, targets, length=10, sampling_rate=2,
                                   batch_size=2)[0]
        # x: (2, 5) + data.shape[1:], y: (2,) + targets.shape[1:]
    """

    def __init__(self, data, targets, length, sampling_rate=1, stride=1,
                 start_index=0, end_index=None, shuffle=False, reverse=False,
                 batch_size=128):
        if len(data) != len(targets):
            raise ValueError('Data and targets have to be of same length. '
                             'Data length is {} while target length is {}'
                             .format(len(data), len(targets)))
        for name, v in (('length', length), ('sampling_rate', sampling_rate),
                        ('stride', stride), ('batch_size', batch_size)):
            if int(v) != v or v <= 0:
                raise ValueError('TimeseriesGenerator: `%s` must be a positive integer, '
                                 'got %r' % (name, v))
        self.data = data
        self.targets = targets
        self.length = int(length)
        self.sampling_rate = int(sampling_rate)
        self.stride = int(stride)
        # As in Keras, start_index holds the first usable row (start + length).
        self.start_index = int(start_index) + self.length
        if end_index is None:
            end_index = len(data) - 1
        self.end_index = int(end_index)
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = int(batch_size)
        if self.start_index > self.end_index:
            raise ValueError('`start_index+length=%i > end_index=%i` '
                             'is disallowed, as no part of the sequence '
                             'would be left to be used as current step.'
                             % (self.start_index, self.end_index))

    def __len__(self):
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def _rows(self, index):
        if self.shuffle:
            return np.random.randint(self.start_index, self.end_index + 1,
                                     size=self.batch_size)
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError('TimeseriesGenerator: batch index %d out of range for %d '
                             'batches' % (index, n))
        first = self.start_index + self.batch_size * self.stride * index
        last = min(first + self.batch_size * self.stride, self.end_index + 1)
        return np.arange(first, last, self.stride)

    def __getitem__(self, index):
        rows = self._rows(int(index))
        data = self.data if isinstance(self.data, np.ndarray) else np.asarray(self.data)
        targets = (self.targets if isinstance(self.targets, np.ndarray)
                   else np.asarray(self.targets))
        offsets = np.arange(-self.length, 0, self.sampling_rate)
        samples = data[rows[:, None] + offsets[None, :]]
        batch_targets = targets[rows]
        if self.reverse:
            return samples[:, ::-1, ...], batch_targets
        return samples, batch_targets

    def get_config(self):
        """The constructor arguments as a dict; `data` and `targets` as JSON
        strings (TypeError if they cannot be written as JSON)."""
        def as_json(values, what):
            if isinstance(values, np.ndarray) or type(values).__module__ == np.__name__:
                values = np.asarray(values).tolist()
            try:
                return json.dumps(values)
            except TypeError:
                raise TypeError('%s not JSON Serializable:' % what, values)

        return {
            'data': as_json(self.data, 'Data'),
            'targets': as_json(self.targets, 'Targets'),
            'length': self.length,
            'sampling_rate': self.sampling_rate,
            'stride': self.stride,
            # The argument, so that TimeseriesGenerator(**config) rebuilds it.
            'start_index': self.start_index - self.length,
            'end_index': self.end_index,
            'shuffle': self.shuffle,
            'reverse': self.reverse,
            'batch_size': self.batch_size,
        }

    def to_json(self, **kwargs):
        """A JSON string `{'class_name': ..., 'config': get_config()}`;
        `kwargs` go to `json.dumps`. Read back with
        `timeseries_generator_from_json`."""
        return json.dumps({'class_name': self.__class__.__name__,
                           'config': self.get_config()}, **kwargs)


def timeseries_generator_from_json(json_string):
    """Rebuilds a `TimeseriesGenerator` from `TimeseriesGenerator.to_json()`;
    `data` and `targets` come back as numpy arrays.

    Arguments:
        json_string: the string `TimeseriesGenerator.to_json()` returned.

    Returns:
        A `TimeseriesGenerator`.
    """
    config = dict(json.loads(json_string).get('config'))
    config['data'] = np.asarray(json.loads(config.pop('data')))
    config['targets'] = np.asarray(json.loads(config.pop('targets')))
    return TimeseriesGenerator(**config)
