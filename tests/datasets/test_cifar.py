"""kback.datasets.cifar / cifar10 / cifar100 against fake pickled tar.gz archives."""
import os
import pickle

import numpy as np
import pytest

from kback import backend as K
from kback.datasets import cifar10, cifar100
from kback.datasets._common import DatasetUnavailableError
from kback.datasets.cifar import load_batch
from tests.datasets import _fakes
from tests.datasets._server import OFFLINE, md5, sha256


def _serve10(server, monkeypatch):
    data = _fakes.cifar10_tar(server.path('cifar-10-python.tar.gz'))
    monkeypatch.setattr(cifar10, 'FILES', {'cifar-10-python.tar.gz': (
        server.url('cifar-10-python.tar.gz'), sha256(server.path('cifar-10-python.tar.gz')))})
    return data


def _serve100(server, monkeypatch):
    data = _fakes.cifar100_tar(server.path('cifar-100-python.tar.gz'))
    monkeypatch.setattr(cifar100, 'FILES', {'cifar-100-python.tar.gz': (
        server.url('cifar-100-python.tar.gz'), md5(server.path('cifar-100-python.tar.gz')))})
    return data


def test_load_batch(tmp_path):
    x = np.random.randint(0, 256, (3, 3, 32, 32)).astype('uint8')
    _fakes.write(tmp_path / 'b', _fakes.cifar_batch_bytes(x, [1, 2, 3], b'fine_labels'))
    data, labels = load_batch(str(tmp_path / 'b'), label_key='fine_labels')
    assert data.shape == (3, 3, 32, 32) and data.dtype == np.uint8
    np.testing.assert_array_equal(data, x)
    assert list(labels) == [1, 2, 3]
    with pytest.raises(KeyError, match="'labels'"):
        load_batch(str(tmp_path / 'b'))


@pytest.mark.parametrize('protocol', [2, 4, 5])
def test_load_batch_reads_numpy_pickles_of_any_protocol(tmp_path, protocol):
    x = np.arange(2 * 3072, dtype='uint8').reshape(2, 3072)
    _fakes.write(tmp_path / 'b', pickle.dumps({'data': x, 'labels': [np.int64(4), 5]}, protocol))
    data, labels = load_batch(str(tmp_path / 'b'))
    np.testing.assert_array_equal(data.reshape(2, -1), x)
    assert [int(v) for v in labels] == [4, 5]


def test_load_batch_refuses_code_in_the_pickle(tmp_path):
    _fakes.write(tmp_path / 'b', pickle.dumps({'data': os.getcwd, 'labels': []}, 2))
    with pytest.raises(pickle.UnpicklingError, match='getcwd'):
        load_batch(str(tmp_path / 'b'))


def test_cifar10_shapes_dtypes_values(server, monkeypatch, _kback_home):
    (x_tr, y_tr), (x_te, y_te) = _serve10(server, monkeypatch)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (10, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (3, 32, 32, 3) and y_test.shape == (3, 1) and y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_train, x_tr.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train[:, 0], y_tr)
    np.testing.assert_array_equal(x_test, x_te.transpose(0, 2, 3, 1))
    datasets = _kback_home / 'datasets'
    assert os.path.isfile(str(datasets / 'cifar-10-batches-py.tar.gz'))
    assert os.path.isfile(str(datasets / 'cifar-10-batches-py' / 'test_batch'))


def test_cifar10_channels_first(server, monkeypatch):
    (x_tr, _), _ = _serve10(server, monkeypatch)
    K.set_image_data_format('channels_first')
    (x_train, _), (x_test, _) = cifar10.load_data()
    assert x_train.shape == (10, 3, 32, 32) and x_test.shape == (3, 3, 32, 32)
    np.testing.assert_array_equal(x_train, x_tr)


def test_cifar10_extracted_folder_without_the_archive_works_offline(server, monkeypatch,
                                                                   _kback_home):
    (x_tr, _), _ = _serve10(server, monkeypatch)
    cifar10.load_data()
    server.stop()
    os.remove(str(_kback_home / 'datasets' / 'cifar-10-batches-py.tar.gz'))
    (x_train, _), _ = cifar10.load_data()
    np.testing.assert_array_equal(x_train, x_tr.transpose(0, 2, 3, 1))


@pytest.mark.parametrize('mode', ['fine', 'coarse'])
def test_cifar100(server, monkeypatch, mode):
    data = _serve100(server, monkeypatch)
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=mode)
    column = 1 if mode == 'fine' else 2
    assert x_train.shape == (4, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (4, 1) and y_test.shape == (2, 1)
    assert y_train.dtype == np.uint8 and y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_test, data['test'][0].transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train[:, 0], data['train'][column])


def test_cifar100_channels_first(server, monkeypatch):
    data = _serve100(server, monkeypatch)
    K.set_image_data_format('channels_first')
    (x_train, _), _ = cifar100.load_data()
    np.testing.assert_array_equal(x_train, data['train'][0])


def test_cifar100_bad_label_mode():
    with pytest.raises(ValueError, match='label_mode'):
        cifar100.load_data(label_mode='medium')


@pytest.mark.parametrize('module, archive, cached', [
    (cifar10, 'cifar-10-python.tar.gz', 'cifar-10-batches-py'),
    (cifar100, 'cifar-100-python.tar.gz', 'cifar-100-python')])
def test_offline_error(monkeypatch, _kback_home, module, archive, cached):
    _, file_hash = module.FILES[archive]
    monkeypatch.setattr(module, 'FILES', {archive: (OFFLINE + archive, file_hash)})
    with pytest.raises(OSError) as info:
        module.load_data()
    assert isinstance(info.value, DatasetUnavailableError)
    message = str(info.value)
    folder = str(_kback_home / 'datasets')
    assert OFFLINE + archive in message
    assert os.path.join(folder, cached + '.tar.gz') in message
    assert 'extracted folder ' + cached in message
    assert not os.listdir(folder)
