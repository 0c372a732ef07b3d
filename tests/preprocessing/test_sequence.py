"""kback.preprocessing.sequence: pad_sequences, make_sampling_table, skipgrams,
TimeseriesGenerator (hand-computed expectations and numpy references)."""
import json
import random

import numpy as np
import pytest

from kback.preprocessing import sequence
from kback.preprocessing.sequence import (TimeseriesGenerator, make_sampling_table,
                                          pad_sequences, skipgrams,
                                          timeseries_generator_from_json)
from kback.utils.data_utils import Sequence

SEQS = [[1], [2, 3], [4, 5, 6]]


# ---------------------------------------------------------------- pad_sequences

def test_pad_default_pre_padding_to_longest():
    x = pad_sequences(SEQS)
    np.testing.assert_array_equal(x, [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    assert x.dtype == np.int32 and x.shape == (3, 3)


def test_pad_post_padding():
    np.testing.assert_array_equal(pad_sequences(SEQS, padding='post'),
                                  [[1, 0, 0], [2, 3, 0], [4, 5, 6]])


def test_truncating_pre_and_post_with_maxlen():
    np.testing.assert_array_equal(pad_sequences(SEQS, maxlen=2),
                                  [[0, 1], [2, 3], [5, 6]])
    np.testing.assert_array_equal(pad_sequences(SEQS, maxlen=2, truncating='post'),
                                  [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(
        pad_sequences(SEQS, maxlen=2, truncating='post', padding='post'),
        [[1, 0], [2, 3], [4, 5]])


def test_maxlen_longer_than_all_sequences():
    np.testing.assert_array_equal(pad_sequences([[1, 2]], maxlen=4), [[0, 0, 1, 2]])


def test_value_and_dtype():
    x = pad_sequences(SEQS, value=-1, dtype='float32', padding='post')
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, [[1, -1, -1], [2, 3, -1], [4, 5, 6]])
    # int32 output of float input truncates the values, like numpy's astype
    np.testing.assert_array_equal(pad_sequences([[1.7, 2.2]]), [[1, 2]])
    xf = pad_sequences([[0.5, 1.5], [2.5]], dtype='float64', value=0.25)
    np.testing.assert_array_equal(xf, [[0.5, 1.5], [0.25, 2.5]])


def test_ragged_arrays_and_empty_sequences():
    seqs = [np.array([1, 2, 3]), np.array([], dtype=int), [7]]
    x = pad_sequences(seqs, maxlen=4)
    np.testing.assert_array_equal(x, [[0, 1, 2, 3], [0, 0, 0, 0], [0, 0, 0, 7]])
    np.testing.assert_array_equal(pad_sequences([[], []]), np.zeros((2, 0)))
    assert pad_sequences([[], []], maxlen=3).shape == (2, 3)


def test_items_with_trailing_shape():
    a = np.arange(6).reshape(3, 2)
    b = np.arange(10, 12).reshape(1, 2)
    x = pad_sequences([a, b], maxlen=2, value=-1)
    assert x.shape == (2, 2, 2)
    np.testing.assert_array_equal(x[0], a[1:])
    np.testing.assert_array_equal(x[1], [[-1, -1], [10, 11]])
    with pytest.raises(ValueError, match='is different from expected shape'):
        pad_sequences([a, np.zeros((2, 3))])


def test_string_sequences():
    x = pad_sequences([['a', 'b'], ['c']], dtype=object, value='<pad>')
    assert x.tolist() == [['a', 'b'], ['<pad>', 'c']]
    x = pad_sequences([['ab'], ['c', 'd']], dtype='<U5', value='', padding='post')
    assert x.tolist() == [['ab', ''], ['c', 'd']]
    with pytest.raises(ValueError, match="not compatible with `value`'s type"):
        pad_sequences([['a', 'b'], ['c']], value='<pad>')


@pytest.mark.parametrize('kwargs,msg', [
    ({'padding': 'middle'}, 'Padding type "middle" not understood'),
    ({'truncating': 'both'}, 'Truncating type "both" not understood'),
])
def test_bad_padding_or_truncating(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        pad_sequences(SEQS, **kwargs)


def test_non_iterable_inputs():
    with pytest.raises(ValueError, match='must be iterable'):
        pad_sequences(5)
    with pytest.raises(ValueError, match='Found non-iterable: 3'):
        pad_sequences([[1], 3])


def test_matches_numpy_reference_on_random_ragged_input():
    rng = np.random.RandomState(0)
    seqs = [list(rng.randint(1, 9, size=rng.randint(0, 8))) for _ in range(20)]
    for padding in ('pre', 'post'):
        for truncating in ('pre', 'post'):
            got = pad_sequences(seqs, maxlen=5, padding=padding, truncating=truncating)
            for s, row in zip(seqs, got):
                kept = s[-5:] if truncating == 'pre' else s[:5]
                pad = [0] * (5 - len(kept))
                want = pad + kept if padding == 'pre' else kept + pad
                assert row.tolist() == want


# ---------------------------------------------------------- make_sampling_table

def test_make_sampling_table_formula():
    table = make_sampling_table(6, sampling_factor=1e-3)
    rank = np.array([1, 1, 2, 3, 4, 5], dtype=float)
    f = 1e-3 * (rank * (np.log(rank) + 0.577) + 0.5 - 1. / (12. * rank))
    np.testing.assert_allclose(table, np.minimum(1., np.sqrt(f)), rtol=1e-12)
    big = make_sampling_table(10 ** 5)
    assert big.shape == (10 ** 5,)
    assert np.all(np.diff(big) >= 0) and big.max() <= 1. and big[-1] == 1.
    assert big[1] < 0.01  # the most frequent words are sampled rarely


# -------------------------------------------------------------------- skipgrams

def test_skipgrams_positive_pairs_and_labels():
    couples, labels = skipgrams([1, 2, 0, 3], vocabulary_size=4, window_size=1,
                                negative_samples=0., shuffle=False)
    # 0 is a non-word: it is never a centre nor a context word.
    assert couples == [[1, 2], [2, 1]]
    assert labels == [1, 1]
    couples, labels = skipgrams([1, 2, 3, 4], vocabulary_size=5, window_size=2,
                                negative_samples=0., shuffle=False, categorical=True)
    assert couples == [[1, 2], [1, 3], [2, 1], [2, 3], [2, 4], [3, 1], [3, 2], [3, 4],
                       [4, 2], [4, 3]]
    assert labels == [[0, 1]] * 10


def test_skipgrams_negative_samples():
    seq = [1, 2, 3, 4, 5]
    couples, labels = skipgrams(seq, vocabulary_size=50, window_size=2,
                                negative_samples=1.5, shuffle=False, seed=0)
    n_pos = 14
    assert labels == [1] * n_pos + [0] * int(n_pos * 1.5)
    centres = sorted(c[0] for c in couples[:n_pos])
    # negatives reuse the positive centre words (cycling through a shuffled copy)
    assert sorted(c[0] for c in couples[n_pos:n_pos * 2]) == centres
    assert all(1 <= c[1] <= 49 for c in couples[n_pos:])


def test_skipgrams_shuffle_keeps_pairs_and_labels_together():
    seq = [1, 2, 3, 4, 5, 6]
    ref_c, ref_l = skipgrams(seq, 7, window_size=2, negative_samples=0., shuffle=False)
    couples, labels = skipgrams(seq, 7, window_size=2, negative_samples=0., seed=3)
    assert sorted(map(tuple, couples)) == sorted(map(tuple, ref_c))
    couples, labels = skipgrams(seq, 1000, window_size=2, seed=5, categorical=True)
    positives = {tuple(c) for c in ref_c}
    for c, label in zip(couples, labels):
        if label == [0, 1]:
            assert tuple(c) in positives
        else:
            assert label == [1, 0]
    assert labels.count([0, 1]) == labels.count([1, 0]) == len(ref_c)


def test_skipgrams_seed_is_reproducible():
    seq = list(range(1, 30))
    a = skipgrams(seq, 30, window_size=3, seed=42)
    random.random()  # the global state does not matter once a seed is given
    b = skipgrams(seq, 30, window_size=3, seed=42)
    assert a == b
    c = skipgrams(seq, 30, window_size=3, seed=43)
    assert a != c
    # without a seed, the global `random` state decides
    random.seed(7)
    d = skipgrams(seq, 30, window_size=3)
    random.seed(7)
    assert skipgrams(seq, 30, window_size=3) == d


def test_skipgrams_sampling_table():
    seq = [1, 2, 3, 4]
    table = np.array([0., 1., 0., 1., 0.])   # only words 1 and 3 may be centres
    couples, labels = skipgrams(seq, 5, window_size=1, negative_samples=0.,
                                shuffle=False, sampling_table=table, seed=1)
    assert couples == [[1, 2], [3, 2], [3, 4]]
    couples, _ = skipgrams(seq, 5, window_size=1, negative_samples=0., shuffle=False,
                           sampling_table=np.zeros(5), seed=1)
    assert couples == []


# ---------------------------------------------------------- TimeseriesGenerator

DATA = np.array([[i] for i in range(50)])
TARGETS = np.array([[i] for i in range(50)])


def windows(rows, length, rate, data=DATA):
    return np.stack([data[r - length:r:rate] for r in rows])


def test_timeseries_keras_doc_example():
    gen = TimeseriesGenerator(DATA, TARGETS, length=10, sampling_rate=2, batch_size=2)
    assert isinstance(gen, Sequence)
    assert len(gen) == 20
    x, y = gen[0]
    np.testing.assert_array_equal(x, [[[0], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]])
    np.testing.assert_array_equal(y, [[10], [11]])
    x, y = gen[-1]
    np.testing.assert_array_equal(y, [[48], [49]])
    np.testing.assert_array_equal(x, windows([48, 49], 10, 2))


def test_timeseries_stride_reverse_and_last_partial_batch():
    gen = TimeseriesGenerator(DATA, TARGETS, length=10, sampling_rate=2, stride=3,
                              reverse=True, batch_size=4)
    rows = list(range(10, 50, 3))
    assert len(gen) == 4   # 14 rows, 4 per batch
    batches = [gen[i] for i in range(len(gen))]
    assert [len(b[1]) for b in batches] == [4, 4, 4, 2]
    x = np.concatenate([b[0] for b in batches])
    y = np.concatenate([b[1] for b in batches])
    np.testing.assert_array_equal(x, windows(rows, 10, 2)[:, ::-1])
    np.testing.assert_array_equal(y, TARGETS[rows])
    assert x[0].ravel().tolist() == [8, 6, 4, 2, 0]


def test_timeseries_start_end_and_1d_data():
    data = np.arange(100, 130)
    targets = np.arange(30) * 10
    gen = TimeseriesGenerator(data, targets, length=3, start_index=5, end_index=20,
                              batch_size=5)
    rows = list(range(8, 21))
    assert len(gen) == 3
    x = np.concatenate([gen[i][0] for i in range(3)])
    y = np.concatenate([gen[i][1] for i in range(3)])
    assert x.shape == (13, 3) and y.shape == (13,)
    np.testing.assert_array_equal(x, windows(rows, 3, 1, data))
    np.testing.assert_array_equal(y, targets[rows])
    with pytest.raises(IndexError):
        gen[3]


def test_timeseries_list_input_and_multichannel_shapes():
    data = np.random.rand(40, 3, 2)
    gen = TimeseriesGenerator(list(data), list(np.arange(40.)), length=6,
                              sampling_rate=3, batch_size=8)
    x, y = gen[1]
    assert x.shape == (8, 2, 3, 2) and y.shape == (8,)
    np.testing.assert_array_equal(x, windows(range(14, 22), 6, 3, data))
    np.testing.assert_array_equal(y, np.arange(14., 22.))


def test_timeseries_shuffle_draws_rows_with_numpy_rng():
    gen = TimeseriesGenerator(DATA, TARGETS, length=10, sampling_rate=2, shuffle=True,
                              batch_size=16, start_index=5, end_index=30)
    np.random.seed(3)
    x, y = gen[0]
    np.random.seed(3)
    rows = np.random.randint(15, 31, size=16)
    np.testing.assert_array_equal(y[:, 0], rows)
    np.testing.assert_array_equal(x, windows(rows, 10, 2))
    assert len(gen) == 1


def test_timeseries_errors():
    with pytest.raises(ValueError, match='Data length is 50 while target length is 51'):
        TimeseriesGenerator(DATA, np.zeros((51, 1)), length=10)
    with pytest.raises(ValueError, match=r'`start_index\+length=55 > end_index=49`'):
        TimeseriesGenerator(DATA, TARGETS, length=10, start_index=45)
    with pytest.raises(ValueError, match='end_index=20'):
        TimeseriesGenerator(DATA, TARGETS, length=30, end_index=20)
    with pytest.raises(ValueError, match='stride'):
        TimeseriesGenerator(DATA, TARGETS, length=10, stride=0)
    with pytest.raises(ValueError, match='batch_size'):
        TimeseriesGenerator(DATA, TARGETS, length=10, batch_size=0)


def test_timeseries_json_round_trip():
    gen = TimeseriesGenerator(DATA, TARGETS, length=10, sampling_rate=2, stride=2,
                              start_index=3, end_index=40, reverse=True, batch_size=3)
    config = gen.get_config()
    assert json.loads(config['data']) == DATA.tolist()
    assert config['start_index'] == 3 and config['end_index'] == 40
    payload = json.loads(gen.to_json())
    assert payload['class_name'] == 'TimeseriesGenerator'
    back = timeseries_generator_from_json(gen.to_json(indent=1))
    for name in ('length', 'sampling_rate', 'stride', 'start_index', 'end_index',
                 'shuffle', 'reverse', 'batch_size'):
        assert getattr(back, name) == getattr(gen, name), name
    assert len(back) == len(gen)
    for i in range(len(gen)):
        for a, b in zip(gen[i], back[i]):
            np.testing.assert_array_equal(a, b)
    bad = TimeseriesGenerator([object()] * 3, [0, 1, 2], length=1)
    with pytest.raises(TypeError, match='not JSON Serializable'):
        bad.get_config()


def test_remove_long_seq():
    seqs, labels = sequence._remove_long_seq(3, [[1], [1, 2, 3], [1, 2]], ['a', 'b', 'c'])
    assert seqs == [[1], [1, 2]] and labels == ['a', 'c']


def test_timeseries_generator_feeds_fit_generator():
    from kback.layers import Dense, Flatten
    from kback.models import Sequential
    from kback.optimizers import Adam

    # y[t] = x[t-1] + 2 * x[t-2]: linear in the window, so a Dense layer fits it
    rng = np.random.RandomState(0)
    series = rng.rand(200, 1).astype('float32')
    targets = np.zeros(200, dtype='float32')
    targets[2:] = series[1:-1, 0] + 2 * series[:-2, 0]
    gen = TimeseriesGenerator(series, targets, length=2, batch_size=32)
    model = Sequential([Flatten(input_shape=(2, 1)), Dense(1)])
    model.compile(optimizer=Adam(lr=0.05), loss='mse')
    hist = model.fit_generator(gen, epochs=60, verbose=0, workers=2)
    assert hist.history['loss'][-1] < 0.01 * hist.history['loss'][0]
    # the window is [x[t-2], x[t-1]], so the kernel learns [2, 1]
    kernel, bias = model.layers[-1].get_weights()
    np.testing.assert_allclose(kernel.ravel(), [2., 1.], atol=0.1)
    preds = model.predict_generator(gen)
    assert preds.shape == (198, 1)
    np.testing.assert_allclose(preds[:, 0], targets[2:], atol=0.1)
