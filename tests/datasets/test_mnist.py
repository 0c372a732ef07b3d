"""kback.datasets.mnist against a fake mnist.npz served locally, and offline."""
import os
import warnings

import numpy as np
import pytest

from kback.data import mnist_sample
from kback.datasets import mnist
from tests.datasets import _fakes
from tests.datasets._server import OFFLINE, file_url, md5, sha256


def _serve(server, monkeypatch, digest=sha256):
    arrays = _fakes.mnist_npz(server.path('mnist.npz'))
    monkeypatch.setattr(mnist, 'FILES', {
        'mnist.npz': (server.url('mnist.npz'), digest(server.path('mnist.npz')))})
    return arrays


@pytest.mark.parametrize('digest', [sha256, md5])
def test_download_shapes_dtypes_values(server, monkeypatch, _kback_home, digest):
    arrays = _serve(server, monkeypatch, digest)
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # a successful download warns nothing
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (7, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (7,) and y_train.dtype == np.uint8
    assert x_test.shape == (3, 28, 28) and y_test.shape == (3,)
    np.testing.assert_array_equal(x_train, arrays['x_train'])
    np.testing.assert_array_equal(y_test, arrays['y_test'])
    assert os.path.isfile(str(_kback_home / 'datasets' / 'mnist.npz'))


def test_cached_copy_is_used_when_offline(server, monkeypatch):
    arrays = _serve(server, monkeypatch)
    mnist.load_data()
    server.stop()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        (x_train, _), _ = mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays['x_train'])


def test_path_is_the_cache_name(server, monkeypatch, _kback_home):
    _serve(server, monkeypatch)
    mnist.load_data(path='other.npz')
    assert os.path.isfile(str(_kback_home / 'datasets' / 'other.npz'))


def test_path_to_a_local_file_is_loaded_directly(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, 'FILES', {'mnist.npz': (OFFLINE + 'mnist.npz', '0' * 64)})
    arrays = _fakes.mnist_npz(tmp_path / 'mine.npz', n_train=5)
    (x_train, _), _ = mnist.load_data(path=str(tmp_path / 'mine.npz'))
    np.testing.assert_array_equal(x_train, arrays['x_train'])
    monkeypatch.chdir(tmp_path)  # relative to the working directory
    (x_train, _), _ = mnist.load_data(path='mine.npz')
    np.testing.assert_array_equal(x_train, arrays['x_train'])


def test_file_origin(tmp_path, monkeypatch):
    arrays = _fakes.mnist_npz(tmp_path / 'src.npz')
    monkeypatch.setattr(mnist, 'FILES', {
        'mnist.npz': (file_url(tmp_path / 'src.npz'), sha256(tmp_path / 'src.npz'))})
    _, (x_test, _) = mnist.load_data()
    np.testing.assert_array_equal(x_test, arrays['x_test'])


def _offline_fallback(monkeypatch, _kback_home):
    monkeypatch.setattr(mnist, 'FILES', {'mnist.npz': (OFFLINE + 'mnist.npz', '0' * 64)})
    with pytest.warns(UserWarning) as record:
        result = mnist.load_data()
    assert len(record) == 1
    return result, str(record[0].message)


def test_offline_falls_back_to_the_shipped_sample_with_one_warning(monkeypatch, _kback_home):
    ((x_train, y_train), (x_test, y_test)), message = _offline_fallback(monkeypatch, _kback_home)
    assert x_train.shape == (4000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (4000,) and y_train.dtype == np.uint8
    assert x_test.shape == (1000, 28, 28) and y_test.shape == (1000,)
    (sx, _), (_, sy) = mnist_sample()
    np.testing.assert_array_equal(x_train, sx)
    np.testing.assert_array_equal(y_test, sy)
    assert OFFLINE + 'mnist.npz' in message  # what failed
    assert str(_kback_home / 'datasets' / 'mnist.npz') in message  # where to put it
    assert '4,000' in message and '1,000' in message and 'sample' in message
    assert not os.listdir(str(_kback_home / 'datasets'))  # nothing partial left


def test_offline_with_a_corrupt_cached_file_falls_back(monkeypatch, _kback_home):
    _fakes.write(_kback_home / 'datasets' / 'mnist.npz', b'not the data')
    ((x_train, _), _), message = _offline_fallback(monkeypatch, _kback_home)
    assert x_train.shape == (4000, 28, 28)


def test_checksum_mismatch_falls_back_with_the_reason(server, monkeypatch):
    _fakes.mnist_npz(server.path('mnist.npz'))
    monkeypatch.setattr(mnist, 'FILES', {'mnist.npz': (server.url('mnist.npz'), 'f' * 64)})
    with pytest.warns(UserWarning, match='hash') as record:
        (x_train, _), _ = mnist.load_data()
    assert len(record) == 1 and x_train.shape == (4000, 28, 28)


def test_mnist_sample_still_works():
    (x, y), (xt, yt) = mnist_sample()
    assert x.shape == (4000, 28, 28) and xt.shape == (1000, 28, 28)
    assert set(np.unique(y)) <= set(range(10)) and x.max() > 0
