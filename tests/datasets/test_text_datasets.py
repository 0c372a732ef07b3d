"""kback.datasets.imdb and reuters against small fake files in the real
formats, served locally (cache, checksum and offline behaviour as the other
data sets)."""
import json

import numpy as np
import pytest

from kback.datasets import imdb, reuters
from kback.datasets._common import DatasetUnavailableError
from tests.datasets._server import OFFLINE, md5, sha256


def _ragged(rng, n, vocab=30, longest=12):
    seqs = np.empty(n, dtype=object)
    seqs[:] = [list(rng.randint(1, vocab, rng.randint(1, longest))) for _ in range(n)]
    return seqs


def _serve_imdb(server, monkeypatch, n_train=20, n_test=10):
    rng = np.random.RandomState(0)
    arrays = dict(x_train=_ragged(rng, n_train), y_train=rng.randint(0, 2, n_train),
                  x_test=_ragged(rng, n_test), y_test=rng.randint(0, 2, n_test))
    np.savez(server.path('imdb.npz'), **arrays)
    index = {'the': 1, 'movie': 2, 'was': 3}
    with open(server.path('imdb_word_index.json'), 'w') as f:
        json.dump(index, f)
    monkeypatch.setattr(imdb, 'FILES', {
        'imdb.npz': (server.url('imdb.npz'), sha256(server.path('imdb.npz'))),
        'imdb_word_index.json': (server.url('imdb_word_index.json'),
                                 md5(server.path('imdb_word_index.json')))})
    return arrays, index


def _serve_reuters(server, monkeypatch, n=40):
    rng = np.random.RandomState(1)
    x, y = _ragged(rng, n), rng.randint(0, 46, n)
    np.savez(server.path('reuters.npz'), x=x, y=y)
    monkeypatch.setattr(reuters, 'FILES', {
        'reuters.npz': (server.url('reuters.npz'), sha256(server.path('reuters.npz'))),
        'reuters_word_index.json': (OFFLINE + 'reuters_word_index.json', '0' * 32)})
    return x, y


def _keras_encode(seq, num_words, skip_top, start_char, oov_char, index_from):
    """Keras 2.3's processing of one sequence, written out."""
    seq = ([start_char] if start_char is not None else []) + [w + index_from for w in seq]
    if oov_char is not None:
        return [w if skip_top <= w < num_words else oov_char for w in seq]
    return [w for w in seq if skip_top <= w < num_words]


def _shuffled(rng, *arrays):
    order = np.arange(len(arrays[0]))
    rng.shuffle(order)
    return [a[order] for a in arrays]


def test_imdb_defaults_follow_keras(server, monkeypatch):
    arrays, _ = _serve_imdb(server, monkeypatch)
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    rng = np.random.RandomState(113)
    xs, ys = _shuffled(rng, arrays['x_train'], arrays['y_train'])
    xt, yt = _shuffled(rng, arrays['x_test'], arrays['y_test'])
    # Keras 2.3 takes the largest index as num_words, so that word itself
    # becomes out of vocabulary.
    top = max(max(s) for s in list(xs) + list(xt)) + 3
    assert x_train.dtype == object and x_train.shape == (20,) and x_test.shape == (10,)
    assert [list(s) for s in x_train] == [_keras_encode(s, top, 0, 1, 2, 3) for s in xs]
    assert [list(s) for s in x_test] == [_keras_encode(s, top, 0, 1, 2, 3) for s in xt]
    np.testing.assert_array_equal(y_train, ys)
    np.testing.assert_array_equal(y_test, yt)


@pytest.mark.parametrize('kwargs', [dict(num_words=10, skip_top=4),
                                    dict(num_words=12, oov_char=None),
                                    dict(start_char=None, index_from=0, num_words=20)])
def test_imdb_vocabulary_options(server, monkeypatch, kwargs):
    arrays, _ = _serve_imdb(server, monkeypatch)
    (x_train, _), _ = imdb.load_data(seed=3, **kwargs)
    xs, = _shuffled(np.random.RandomState(3), arrays['x_train'])
    opts = dict(skip_top=0, start_char=1, oov_char=2, index_from=3)
    opts.update({k: v for k, v in kwargs.items() if k in opts})
    want = [_keras_encode(s, kwargs['num_words'], opts['skip_top'], opts['start_char'],
                          opts['oov_char'], opts['index_from']) for s in xs]
    assert [list(s) for s in x_train] == want


def test_imdb_maxlen_keeps_each_set(server, monkeypatch):
    arrays, _ = _serve_imdb(server, monkeypatch)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(maxlen=8)
    assert all(len(s) < 8 for s in list(x_train) + list(x_test))
    # Every kept training review is a (shifted) training review of the file.
    originals = {tuple(s) for s in arrays['x_train']}
    assert all(tuple(w - 3 for w in s[1:]) in originals for s in x_train)
    assert len(x_train) == len(y_train) and len(x_test) == len(y_test)
    n_short = sum(len(s) + 1 < 8 for s in arrays['x_train'])
    assert len(x_train) == n_short
    with pytest.raises(ValueError, match='maxlen=1'):
        imdb.load_data(maxlen=1)


def test_imdb_keyword_arguments(server, monkeypatch):
    _serve_imdb(server, monkeypatch)
    with pytest.warns(UserWarning, match='num_words'):
        (a, _), _ = imdb.load_data(nb_words=10)
    assert max(max(s) for s in a) <= 9
    with pytest.raises(TypeError, match='unrecognized keyword'):
        imdb.load_data(bogus=1)


def test_imdb_word_index_and_cache(server, monkeypatch):
    _, index = _serve_imdb(server, monkeypatch)
    assert imdb.get_word_index() == index
    server.stop()                            # a second call reads the cache
    assert imdb.get_word_index() == index


def test_reuters_split_and_order(server, monkeypatch):
    x, y = _serve_reuters(server, monkeypatch)
    (x_train, y_train), (x_test, y_test) = reuters.load_data(test_split=0.25, num_words=15)
    xs, ys = _shuffled(np.random.RandomState(113), x, y)
    assert len(x_train) == 30 and len(x_test) == 10
    want = [_keras_encode(s, 15, 0, 1, 2, 3) for s in xs]
    assert [list(s) for s in x_train] + [list(s) for s in x_test] == want
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), ys)
    with pytest.raises(ValueError, match='test_split'):
        reuters.load_data(test_split=1.5)


def test_offline_errors_name_the_file(monkeypatch):
    monkeypatch.setattr(imdb, 'FILES', {'imdb.npz': (OFFLINE + 'imdb.npz', '0' * 64)})
    with pytest.raises(DatasetUnavailableError, match='imdb.npz'):
        imdb.load_data()
    monkeypatch.setattr(reuters, 'FILES', {
        'reuters_word_index.json': (OFFLINE + 'reuters_word_index.json', '0' * 32)})
    with pytest.raises(DatasetUnavailableError, match='reuters_word_index.json'):
        reuters.get_word_index()


def test_local_path(tmp_path):
    rng = np.random.RandomState(2)
    np.savez(tmp_path / 'r.npz', x=_ragged(rng, 10), y=rng.randint(0, 46, 10))
    (x_train, _), (x_test, _) = reuters.load_data(path=str(tmp_path / 'r.npz'))
    assert len(x_train) == 8 and len(x_test) == 2
