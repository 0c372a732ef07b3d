"""kback.datasets.boston_housing against a fake boston_housing.npz."""
import numpy as np
import pytest

from kback.datasets import boston_housing
from kback.datasets._common import DatasetUnavailableError
from tests.datasets import _fakes
from tests.datasets._server import OFFLINE, sha256


def _serve(server, monkeypatch):
    x, y = _fakes.boston_npz(server.path('boston_housing.npz'))
    monkeypatch.setattr(boston_housing, 'FILES', {'boston_housing.npz': (
        server.url('boston_housing.npz'), sha256(server.path('boston_housing.npz')))})
    return x, y


def _keras_split(x, y, test_split, seed):
    """Keras 2.3 shuffled with the global generator: seed it, then shuffle."""
    saved = np.random.get_state()
    np.random.seed(seed)
    indices = np.arange(len(x))
    np.random.shuffle(indices)
    np.random.set_state(saved)
    n = int(len(x) * (1 - test_split))
    return (x[indices][:n], y[indices][:n]), (x[indices][n:], y[indices][n:])


def test_split_shapes_dtypes_and_keras_order(server, monkeypatch):
    x, y = _serve(server, monkeypatch)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    assert x_train.shape == (404, 13) and x_train.dtype == np.float64
    assert y_train.shape == (404,) and y_train.dtype == np.float64
    assert x_test.shape == (102, 13) and y_test.shape == (102,)
    (kx, ky), (kxt, kyt) = _keras_split(x, y, 0.2, 113)
    np.testing.assert_array_equal(x_train, kx)
    np.testing.assert_array_equal(y_train, ky)
    np.testing.assert_array_equal(x_test, kxt)
    np.testing.assert_array_equal(y_test, kyt)


def test_deterministic_and_leaves_the_global_generator_alone(server, monkeypatch):
    x, y = _serve(server, monkeypatch)
    np.random.seed(7)
    before = np.random.get_state()[1].copy()
    first = boston_housing.load_data(test_split=0.3, seed=5)
    second = boston_housing.load_data(test_split=0.3, seed=5)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    (x_train, _), (x_test, _) = first
    assert len(x_train) == int(506 * 0.7) and len(x_train) + len(x_test) == 506
    (kx, _), _ = _keras_split(x, y, 0.3, 5)
    np.testing.assert_array_equal(x_train, kx)
    (other, _), _ = boston_housing.load_data(test_split=0.3, seed=6)
    assert not np.array_equal(other, x_train)


def test_test_split_out_of_range():
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError, match='test_split'):
            boston_housing.load_data(test_split=bad)
    with pytest.raises(AssertionError):  # what Keras 2.3 raised
        boston_housing.load_data(test_split=1.5)


def test_path_to_a_local_file(tmp_path, monkeypatch):
    monkeypatch.setattr(boston_housing, 'FILES', {
        'boston_housing.npz': (OFFLINE + 'boston_housing.npz', '0' * 64)})
    x, y = _fakes.boston_npz(tmp_path / 'b.npz', n=50)
    (x_train, _), (x_test, _) = boston_housing.load_data(path=str(tmp_path / 'b.npz'))
    assert x_train.shape == (40, 13) and x_test.shape == (10, 13)
    assert sorted(np.concatenate([x_train, x_test])[:, 0]) == sorted(x[:, 0])


def test_offline_error(monkeypatch, _kback_home):
    monkeypatch.setattr(boston_housing, 'FILES', {
        'boston_housing.npz': (OFFLINE + 'boston_housing.npz', '0' * 64)})
    with pytest.raises(DatasetUnavailableError) as info:
        boston_housing.load_data()
    assert isinstance(info.value, OSError)
    assert str(_kback_home / 'datasets' / 'boston_housing.npz') in str(info.value)
    assert OFFLINE + 'boston_housing.npz' in str(info.value)
