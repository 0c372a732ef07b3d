"""kback.datasets.fashion_mnist against fake gzipped idx files."""
import os

import numpy as np
import pytest

from kback.datasets import fashion_mnist
from kback.datasets._common import DatasetUnavailableError
from tests.datasets import _fakes
from tests.datasets._server import OFFLINE, sha256


def _make(root, n_train=6, n_test=4):
    rng = np.random.RandomState(0)
    arrays = {'train-labels-idx1-ubyte.gz': rng.randint(0, 10, n_train),
              'train-images-idx3-ubyte.gz': rng.randint(0, 256, (n_train, 28, 28)),
              't10k-labels-idx1-ubyte.gz': rng.randint(0, 10, n_test),
              't10k-images-idx3-ubyte.gz': rng.randint(0, 256, (n_test, 28, 28))}
    for name, a in arrays.items():
        _fakes.idx_gz(os.path.join(root, name), a)
    return arrays


def _serve(server, monkeypatch):
    arrays = _make(server.root)
    monkeypatch.setattr(fashion_mnist, 'FILES', {
        name: (server.url(name), sha256(server.path(name))) for name in arrays})
    return arrays


def test_shapes_dtypes_values(server, monkeypatch, _kback_home):
    arrays = _serve(server, monkeypatch)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (6, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (6,) and y_train.dtype == np.uint8
    assert x_test.shape == (4, 28, 28) and y_test.shape == (4,)
    np.testing.assert_array_equal(x_train, arrays['train-images-idx3-ubyte.gz'])
    np.testing.assert_array_equal(y_test, arrays['t10k-labels-idx1-ubyte.gz'])
    assert sorted(os.listdir(str(_kback_home / 'datasets' / 'fashion-mnist'))) == sorted(arrays)
    x_train[0, 0, 0] = 1  # writable arrays
    server.stop()  # cached now
    (x2, _), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(x2, arrays['train-images-idx3-ubyte.gz'])


def test_offline_error_names_every_file_and_the_folder(monkeypatch, _kback_home):
    monkeypatch.setattr(fashion_mnist, 'FILES', {
        name: (OFFLINE + name, h) for name, (_, h) in fashion_mnist.FILES.items()})
    with pytest.raises(DatasetUnavailableError) as info:
        fashion_mnist.load_data()
    assert isinstance(info.value, OSError)
    message = str(info.value)
    folder = str(_kback_home / 'datasets' / 'fashion-mnist')
    assert folder in message
    for name in fashion_mnist.FILES:
        assert os.path.join(folder, name) in message
    assert not os.listdir(folder)


def test_a_file_that_is_not_idx_is_refused(server, monkeypatch):
    _serve(server, monkeypatch)
    name = 'train-labels-idx1-ubyte.gz'
    _fakes.idx_gz(server.path(name), np.zeros((2, 2)))  # idx2
    monkeypatch.setitem(fashion_mnist.FILES, name, (server.url(name), sha256(server.path(name))))
    with pytest.raises(ValueError, match='train-labels-idx1-ubyte.gz'):
        fashion_mnist.load_data()
