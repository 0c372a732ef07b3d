"""kback.preprocessing.text: word splitting, hashing, Tokenizer (hand-computed
vocabularies and matrices), JSON round trip, and Tokenizer -> pad_sequences ->
Embedding -> GlobalAveragePooling1D -> Dense trained with fit."""
import json
import warnings
from collections import OrderedDict
from hashlib import md5

import numpy as np
import pytest

from kback.preprocessing.sequence import pad_sequences
from kback.preprocessing.text import (Tokenizer, hashing_trick, one_hot,
                                      text_to_word_sequence, tokenizer_from_json)

TEXTS = ['The cat sat on the mat.', 'The dog sat on the log!', 'Cats and dogs.']
# counts: the 4, sat 2, on 2, then the count-1 words in order of appearance
WORD_INDEX = {'the': 1, 'sat': 2, 'on': 3, 'cat': 4, 'mat': 5, 'dog': 6, 'log': 7,
              'cats': 8, 'and': 9, 'dogs': 10}


# ------------------------------------------------------------ module functions

def test_text_to_word_sequence():
    assert text_to_word_sequence('Hello, World!  Hello.\tyou\n') == \
        ['hello', 'world', 'hello', 'you']
    assert text_to_word_sequence('Hello, World', lower=False) == ['Hello', 'World']
    assert text_to_word_sequence("don't stop-me", filters='-') == ["don't", 'stop', 'me']
    assert text_to_word_sequence('a,b;;c', filters=';', split=',') == ['a', 'b', 'c']
    assert text_to_word_sequence('a1b2c', filters='', split=lambda s: s.split('2')) == \
        ['a1b', 'c']


def test_hashing_trick_md5_and_callable():
    words = ['the', 'quick', 'fox', 'the']
    want = [int(md5(w.encode()).hexdigest(), 16) % 9 + 1 for w in words]
    assert hashing_trick('The quick, fox the', 10, hash_function='md5') == want
    assert hashing_trick('a bb ccc dddd', 3, hash_function=len) == [2, 1, 2, 1]
    seq = hashing_trick('some words and some more words', 5)
    assert all(1 <= i <= 4 for i in seq)
    assert seq[0] == seq[3] and seq[1] == seq[5]
    with pytest.raises(ValueError, match='hashing space'):
        hashing_trick('a b', 1)


def test_one_hot_indices_in_range_and_consistent():
    seq = one_hot('The cat. The dog, the cat!', 20)
    assert len(seq) == 6 and all(1 <= i <= 19 for i in seq)
    assert seq[0] == seq[2] == seq[4] and seq[1] == seq[5]
    assert one_hot('the cat', 20) == [seq[0], seq[1]]


# ---------------------------------------------------------------- vocabulary

def fitted(**kwargs):
    tok = Tokenizer(**kwargs)
    tok.fit_on_texts(TEXTS)
    return tok


def test_fit_on_texts_vocabulary():
    tok = fitted()
    assert tok.word_index == WORD_INDEX
    assert tok.index_word == {i: w for w, i in WORD_INDEX.items()}
    assert isinstance(tok.word_counts, OrderedDict)
    assert list(tok.word_counts.items()) == [
        ('the', 4), ('cat', 1), ('sat', 2), ('on', 2), ('mat', 1), ('dog', 1),
        ('log', 1), ('cats', 1), ('and', 1), ('dogs', 1)]
    assert dict(tok.word_docs) == {'the': 2, 'sat': 2, 'on': 2, 'cat': 1, 'mat': 1,
                                   'dog': 1, 'log': 1, 'cats': 1, 'and': 1, 'dogs': 1}
    assert dict(tok.index_docs) == {WORD_INDEX[w]: c for w, c in tok.word_docs.items()}
    assert tok.document_count == 3


def test_fitting_accumulates_and_accepts_generators():
    tok = Tokenizer()
    tok.fit_on_texts(t for t in TEXTS[:2])
    tok.fit_on_texts(['cat cat cat'])
    assert tok.document_count == 3
    assert tok.word_counts['cat'] == 4
    # cat now ties with `the` (4) but appeared later, so ranks second
    assert tok.word_index['the'] == 1 and tok.word_index['cat'] == 2
    assert Tokenizer(document_count=5).document_count == 5


def test_texts_to_sequences_and_oov():
    tok = fitted()
    assert tok.texts_to_sequences(['The cat sat on the hat']) == [[1, 4, 2, 3, 1]]
    gen = tok.texts_to_sequences_generator(['dogs and cats', 'unknown'])
    assert next(gen) == [10, 9, 8] and next(gen) == []
    oov = fitted(oov_token='<oov>')
    assert oov.word_index['<oov>'] == 1
    assert oov.word_index == dict({'<oov>': 1}, **{w: i + 1 for w, i in WORD_INDEX.items()})
    assert oov.texts_to_sequences(['The cat sat on the hat']) == [[2, 5, 3, 4, 2, 1]]


def test_num_words_cut_off():
    tok = fitted(num_words=4)
    assert len(tok.word_index) == 10          # the vocabulary is kept whole
    assert tok.texts_to_sequences(['the cat sat on the mat']) == [[1, 2, 3, 1]]
    assert tok.sequences_to_texts([[1, 4, 2, 9]]) == ['the sat']
    oov = fitted(num_words=4, oov_token='<oov>')   # <oov> 1, the 2, sat 3
    assert oov.texts_to_sequences(['the cat sat on the mat']) == [[2, 1, 3, 1, 2, 1]]
    assert oov.sequences_to_texts([[2, 3, 4, 99]]) == ['the sat <oov> <oov>']


def test_sequences_to_texts():
    tok = fitted()
    assert tok.sequences_to_texts([[1, 2, 3], [10, 99, 9]]) == ['the sat on', 'dogs and']
    assert list(tok.sequences_to_texts_generator([[4, 5]])) == ['cat mat']


def test_char_level_and_token_lists():
    tok = Tokenizer(char_level=True)
    tok.fit_on_texts(['ab a', 'Bd'])
    # no filtering at char level: the space is a token; `B` is lower-cased
    assert tok.word_index == {'a': 1, 'b': 2, ' ': 3, 'd': 4}
    assert tok.texts_to_sequences(['dab!']) == [[4, 1, 2]]
    tok = Tokenizer()
    tok.fit_on_texts([['Hello', 'world'], ['hello', 'there.']])
    assert tok.word_index == {'hello': 1, 'world': 2, 'there.': 3}
    assert tok.texts_to_sequences([['HELLO', 'there.']]) == [[1, 3]]
    keep_case = Tokenizer(lower=False)
    keep_case.fit_on_texts(['A a A'])
    assert keep_case.word_index == {'A': 1, 'a': 2}


# ------------------------------------------------------------------ matrices

def test_sequences_to_matrix_every_mode():
    tok = fitted()
    seqs = [[1, 1, 2], [3, 50], []]
    ln2 = np.log(2.)
    want = {
        'binary': {(0, 1): 1, (0, 2): 1, (1, 3): 1},
        'count': {(0, 1): 2, (0, 2): 1, (1, 3): 1},
        # the out-of-range index 50 is ignored but still counts in the length
        'freq': {(0, 1): 2 / 3, (0, 2): 1 / 3, (1, 3): 1 / 2},
        # (1 + log c) * log(1 + 3 docs / (1 + 2 docs containing the word))
        'tfidf': {(0, 1): (1 + ln2) * ln2, (0, 2): ln2, (1, 3): ln2},
    }
    for mode, cells in want.items():
        x = tok.sequences_to_matrix(seqs, mode=mode)
        ref = np.zeros((3, 11))
        for (i, j), v in cells.items():
            ref[i, j] = v
        assert x.shape == (3, 11) and x.dtype == np.float64
        np.testing.assert_allclose(x, ref, rtol=1e-12, err_msg=mode)
    np.testing.assert_array_equal(tok.texts_to_matrix(['the the sat'], mode='count'),
                                  tok.sequences_to_matrix([[1, 1, 2]], mode='count'))


def test_matrix_width_follows_num_words():
    tok = fitted(num_words=3)
    x = tok.texts_to_matrix(['the cat sat on the mat'], mode='count')
    np.testing.assert_array_equal(x, [[0, 2, 1]])


def test_tfidf_after_fit_on_sequences():
    tok = Tokenizer(num_words=4)
    tok.fit_on_sequences([[1, 2, 2], [2, 3], [3]])
    assert tok.document_count == 3 and dict(tok.index_docs) == {1: 1, 2: 2, 3: 2}
    x = tok.sequences_to_matrix([[2, 2, 1]], mode='tfidf')
    np.testing.assert_allclose(
        x, [[0, np.log(1 + 3 / 2), (1 + np.log(2)) * np.log(1 + 3 / 3), 0]], rtol=1e-12)


def test_matrix_errors():
    with pytest.raises(ValueError, match='Specify a dimension'):
        Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(ValueError, match='before using tfidf mode'):
        Tokenizer(num_words=5).sequences_to_matrix([[1]], mode='tfidf')
    with pytest.raises(ValueError, match='Unknown vectorization mode'):
        fitted().texts_to_matrix(['the'], mode='onehot')


def test_constructor_keywords():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        tok = Tokenizer(nb_words=7)
    assert tok.num_words == 7 and 'num_words' in str(caught[0].message)
    with pytest.raises(TypeError, match='Unrecognized keyword arguments'):
        Tokenizer(vocab_size=3)


# --------------------------------------------------------------------- JSON

def test_json_round_trip():
    tok = fitted(num_words=8, oov_token='<oov>', split=' ', filters='.!')
    config = tok.get_config()
    assert json.loads(config['word_index']) == tok.word_index
    assert json.loads(config['index_word']) == {str(k): v for k, v in tok.index_word.items()}
    payload = json.loads(tok.to_json())
    assert payload['class_name'] == 'Tokenizer'

    back = tokenizer_from_json(tok.to_json(indent=2))
    for name in ('num_words', 'filters', 'lower', 'split', 'char_level', 'oov_token',
                 'document_count', 'word_index', 'index_word', 'word_counts'):
        assert getattr(back, name) == getattr(tok, name), name
    assert list(back.word_counts) == list(tok.word_counts)
    assert dict(back.word_docs) == dict(tok.word_docs)
    assert dict(back.index_docs) == dict(tok.index_docs)
    probe = ['The cat sat on the purple mat', 'dogs and logs']
    assert back.texts_to_sequences(probe) == tok.texts_to_sequences(probe)
    np.testing.assert_array_equal(back.texts_to_matrix(probe, mode='tfidf'),
                                  tok.texts_to_matrix(probe, mode='tfidf'))
    # a restored tokenizer keeps fitting like the original
    back.fit_on_texts(['purple purple mat'])
    tok.fit_on_texts(['purple purple mat'])
    assert back.word_index == tok.word_index
    assert back.get_config() == tok.get_config()


# -------------------------------------------------------------- end to end

def test_tokenizer_padding_embedding_model_learns_sentiment():
    from kback.layers import Dense, Embedding, GlobalAveragePooling1D
    from kback.models import Sequential
    from kback.optimizers import Adam

    rng = np.random.RandomState(0)
    good = ['good', 'great', 'excellent', 'love']
    bad = ['bad', 'awful', 'terrible', 'hate']
    filler = ['the', 'movie', 'was', 'plot', 'and', 'actors', 'really', 'i']
    texts, labels = [], []
    for k in range(80):
        words = list(rng.choice(filler, size=rng.randint(2, 6)))
        words.insert(rng.randint(len(words) + 1), rng.choice(good if k % 2 else bad))
        texts.append(' '.join(words).capitalize() + '!')
        labels.append(k % 2)
    y = np.array(labels, dtype='float32')

    tok = Tokenizer(num_words=50)
    tok.fit_on_texts(texts)
    x = pad_sequences(tok.texts_to_sequences(texts), maxlen=8)
    assert x.shape == (80, 8) and x.max() < 50

    model = Sequential([Embedding(50, 8, input_length=8),
                        GlobalAveragePooling1D(),
                        Dense(1, activation='sigmoid')])
    model.compile(optimizer=Adam(lr=0.03), loss='binary_crossentropy', metrics=['accuracy'])
    hist = model.fit(x, y, batch_size=16, epochs=40, verbose=0)
    losses = hist.history['loss']
    assert losses[-1] < 0.1 * losses[0]
    assert hist.history['accuracy'][-1] >= 0.95
    test = ['I really love the plot', 'The actors were awful']
    probs = model.predict(pad_sequences(tok.texts_to_sequences(test), maxlen=8)).ravel()
    assert probs[0] > 0.5 > probs[1]
