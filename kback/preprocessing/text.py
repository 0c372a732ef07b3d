"""keras.preprocessing.text: splitting text into words, hashing words to
indices, and the `Tokenizer` vocabulary (keras_preprocessing 1.1.0 semantics)."""
import json
import warnings
from collections import OrderedDict, defaultdict
from hashlib import md5

import numpy as np

__all__ = ['text_to_word_sequence', 'one_hot', 'hashing_trick', 'Tokenizer',
           'tokenizer_from_json']

_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_MODES = ('binary', 'count', 'tfidf', 'freq')


def text_to_word_sequence(text, filters=_FILTERS, lower=True, split=' '):
    """Splits a text into a list of words: lower-cased if `lower`, every
    character of `filters` replaced by `split`, then split on `split`,
    dropping empty pieces. `split` may also be a function str -> tokens
    (the filtered characters then become spaces).

    Arguments:
        text: a string.
        filters: the characters to remove (replaced by `split`).
        lower: whether to lower-case the text.
        split: the word separator, or a function splitting a string.

    Returns:
        A list of words.
    """
    if lower:
        text = text.lower()
    sep = split if isinstance(split, str) else ' '
    if filters:
        text = text.translate(str.maketrans({c: sep for c in filters}))
    pieces = split(text) if callable(split) else text.split(split)
    return [w for w in pieces if w]


def one_hot(text, n, filters=_FILTERS, lower=True, split=' '):
    """`hashing_trick` with Python's `hash`: word indices in [1, n - 1]
    (one index per distinct word is not guaranteed; `hash` of a str changes
    between interpreter runs unless PYTHONHASHSEED is set).

    Arguments:
        text: a string.
        n: the size of the index space (>= 2).
        filters: the characters to remove.
        lower: whether to lower-case the text.
        split: the word separator.

    Returns:
        A list of word indices in [1, n - 1].

    Raises:
        ValueError: if `n` < 2.
    """
    return hashing_trick(text, n, hash_function=hash, filters=filters,
                         lower=lower, split=split)


def _md5_hash(word):
    return int(md5(word.encode()).hexdigest(), 16)


def hashing_trick(text, n, hash_function=None, filters=_FILTERS, lower=True, split=' '):
    """Maps each word of `text` to `hash_function(word) % (n - 1) + 1`, an
    index in [1, n - 1] (0 stays reserved). `hash_function` is Python's
    `hash` (None), 'md5' (stable across runs) or any callable str -> int.

    Arguments:
        text: a string.
        n: the size of the index space (>= 2).
        hash_function: None (Python's `hash`), `'md5'` or a callable.
        filters: the characters to remove.
        lower: whether to lower-case the text.
        split: the word separator.

    Returns:
        A list of word indices in [1, n - 1].

    Raises:
        ValueError: if `n` < 2 or `hash_function` is of another kind.
    """
    if hash_function is None:
        hash_function = hash
    elif hash_function == 'md5':
        hash_function = _md5_hash
    elif not callable(hash_function):
        raise ValueError("hashing_trick: `hash_function` must be None, 'md5' or a "
                         "callable, got %r" % (hash_function,))
    if int(n) < 2:
        raise ValueError('hashing_trick: the hashing space `n` must be >= 2 '
                         '(index 0 is reserved), got %r' % (n,))
    words = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    return [hash_function(w) % (n - 1) + 1 for w in words]


class Tokenizer(object):
    """Text vocabulary: texts -> sequences of word indices or count matrices.

    Words are indexed from 1 by decreasing count over the fitted texts (ties
    keep first appearance); `oov_token`, when given, takes index 1 and stands
    in for unknown words. Index 0 is never assigned. With `num_words`, only
    indices below `num_words` (the `num_words - 1` most frequent words) are
    produced by the conversion methods; the vocabulary itself is kept whole.
    `char_level=True` makes every character a token; a text given as a list
    is taken as its list of tokens.

    Attributes after fitting: `word_counts` (OrderedDict word -> count, in
    first-appearance order), `word_docs` (word -> number of texts containing
    it), `index_docs` (index -> the same), `word_index`, `index_word`,
    `document_count`.

    Arguments:
        num_words: the size of the vocabulary the conversions use (the
            `num_words - 1` most frequent words), or None for all.
        filters: the characters removed from the texts.
        lower: whether to lower-case the texts.
        split: the word separator.
        char_level: whether every character is a token.
        oov_token: the token standing in for unknown words, or None (they are
            dropped).
        document_count: the number of texts already counted (as restored by
            `tokenizer_from_json`).

    Raises:
        TypeError: on an unknown keyword argument (`nb_words` is accepted, with
            a warning, as the old name of `num_words`).

    Example::

        tokenizer = Tokenizer(num_words=1000)
        tokenizer.fit_on_texts(texts)
        sequences = tokenizer.texts_to_sequences(texts)
    """

    def __init__(self, num_words=None, filters=_FILTERS, lower=True, split=' ',
                 char_level=False, oov_token=None, document_count=0, **kwargs):
        if 'nb_words' in kwargs:
            warnings.warn('The `nb_words` argument in `Tokenizer` '
                          'has been renamed `num_words`.')
            num_words = kwargs.pop('nb_words')
        if kwargs:
            raise TypeError('Unrecognized keyword arguments: ' + str(kwargs))
        self.word_counts = OrderedDict()
        self.word_docs = defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs = defaultdict(int)
        self.word_index = {}
        self.index_word = {}

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = ([t.lower() for t in text] if isinstance(text, list)
                        else text.lower())
            return text
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Updates the vocabulary from `texts`: strings, lists of tokens, or
        a generator of either. Required before `texts_to_sequences` and
        `texts_to_matrix`."""
        for text in texts:
            self.document_count += 1
            seq = self._tokens(text)
            for w in seq:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(seq):
                self.word_docs[w] += 1

        # sorted() is stable: equal counts keep first-appearance order.
        ranked = sorted(self.word_counts.items(), key=lambda wc: wc[1], reverse=True)
        vocab = [] if self.oov_token is None else [self.oov_token]
        vocab.extend(w for w, _ in ranked)
        self.word_index = dict(zip(vocab, range(1, len(vocab) + 1)))
        self.index_word = {i: w for w, i in self.word_index.items()}
        for w, c in list(self.word_docs.items()):
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Updates the document counts from sequences of word indices (what
        `sequences_to_matrix` in 'tfidf' mode needs when no texts were fitted)."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences(self, texts):
        """Each text as a list of word indices (see the class notes)."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """Yields `texts_to_sequences` one text at a time. Unknown words and
        words at or beyond `num_words` become `oov_token`'s index, or are
        dropped when there is no `oov_token`."""
        num_words = self.num_words
        oov_index = self.word_index.get(self.oov_token)
        for text in texts:
            vect = []
            for w in self._tokens(text):
                i = self.word_index.get(w)
                if i is not None and not (num_words and i >= num_words):
                    vect.append(i)
                elif oov_index is not None:
                    vect.append(oov_index)
            yield vect

    def sequences_to_texts(self, sequences):
        """Each sequence of indices as a space-joined string of words."""
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """Yields `sequences_to_texts` one sequence at a time. Unknown indices
        and indices at or beyond `num_words` become `oov_token`, or are
        dropped when there is no `oov_token`."""
        num_words = self.num_words
        oov_index = self.word_index.get(self.oov_token)
        for seq in sequences:
            words = []
            for num in seq:
                word = self.index_word.get(num)
                if word is not None and not (num_words and num >= num_words):
                    words.append(word)
                elif oov_index is not None:
                    words.append(self.index_word[oov_index])
            yield ' '.join(words)

    def texts_to_matrix(self, texts, mode='binary'):
        """`sequences_to_matrix(texts_to_sequences(texts), mode)`."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode='binary'):
        """A float64 matrix `(len(sequences), num_words)`, one row per sequence
        (`num_words` defaults to `len(word_index) + 1`); indices at or beyond
        it are ignored. Modes, for an index occurring c times in a sequence
        of length L:
        'binary' 1; 'count' c; 'freq' c / L;
        'tfidf' (1 + log c) * log(1 + document_count / (1 + index_docs[i])).
        """
        if not self.num_words:
            if self.word_index:
                num_words = len(self.word_index) + 1
            else:
                raise ValueError('Specify a dimension (`num_words` argument), '
                                 'or fit on some text data first.')
        else:
            num_words = self.num_words
        if mode not in _MODES:
            raise ValueError('Unknown vectorization mode: %r (expected one of %s)'
                             % (mode, ', '.join(_MODES)))
        if mode == 'tfidf' and not self.document_count:
            raise ValueError('Fit the Tokenizer on some data '
                             'before using tfidf mode.')

        x = np.zeros((len(sequences), num_words))
        for row, seq in enumerate(sequences):
            if len(seq) == 0:
                continue
            counts = defaultdict(int)
            for j in seq:
                if j < num_words:
                    counts[j] += 1
            for j, c in counts.items():
                if mode == 'count':
                    x[row, j] = c
                elif mode == 'freq':
                    x[row, j] = c / len(seq)
                elif mode == 'binary':
                    x[row, j] = 1
                else:
                    # tf-idf weighting scheme 2: log-scaled tf, smoothed idf.
                    tf = 1 + np.log(c)
                    idf = np.log(1 + self.document_count
                                 / (1 + self.index_docs.get(j, 0)))
                    x[row, j] = tf * idf
        return x

    def get_config(self):
        """The settings plus the vocabulary dictionaries, each of those as a
        JSON string (integer keys become strings)."""
        return {
            'num_words': self.num_words,
            'filters': self.filters,
            'lower': self.lower,
            'split': self.split,
            'char_level': self.char_level,
            'oov_token': self.oov_token,
            'document_count': self.document_count,
            'word_counts': json.dumps(self.word_counts),
            'word_docs': json.dumps(self.word_docs),
            'index_docs': json.dumps(self.index_docs),
            'index_word': json.dumps(self.index_word),
            'word_index': json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        """A JSON string `{'class_name': 'Tokenizer', 'config': get_config()}`;
        `kwargs` go to `json.dumps`. Read back with `tokenizer_from_json`."""
        return json.dumps({'class_name': self.__class__.__name__,
                           'config': self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """Rebuilds a `Tokenizer` from `Tokenizer.to_json()`.

    Arguments:
        json_string: the string `Tokenizer.to_json()` returned.

    Returns:
        A `Tokenizer` with the saved settings and vocabulary.
    """
    config = dict(json.loads(json_string).get('config'))
    word_counts = json.loads(config.pop('word_counts'), object_pairs_hook=OrderedDict)
    word_docs = json.loads(config.pop('word_docs'))
    index_docs = json.loads(config.pop('index_docs'))
    index_word = json.loads(config.pop('index_word'))
    word_index = json.loads(config.pop('word_index'))

    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = word_counts
    # defaultdicts, as after fitting, so that further fitting keeps working.
    tokenizer.word_docs = defaultdict(int, word_docs)
    # JSON object keys are strings; the indices are ints.
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in index_docs.items()})
    tokenizer.index_word = {int(k): v for k, v in index_word.items()}
    tokenizer.word_index = word_index
    return tokenizer
