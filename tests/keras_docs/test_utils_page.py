"""Keras 2.3's utils page: to_categorical, normalize, Sequence, get_file,
HDF5Matrix, print_summary, get_source_inputs, CustomObjectScope, Progbar."""
import hashlib
import math
import tarfile

import numpy as np
import pytest

from kback import backend as K
from kback.layers import Input, Dense, Conv2D, Flatten
from kback.models import Model, Sequential
from kback.utils import (to_categorical, normalize, Sequence, get_file, HDF5Matrix,
                         print_summary, get_source_inputs, CustomObjectScope,
                         custom_object_scope, get_custom_objects, Progbar,
                         convert_all_kernels_in_model)
from kback.utils import np_utils, generic_utils, data_utils, io_utils, layer_utils


def test_to_categorical_docstring_example():
    labels = np.array([0, 2, 1, 2, 0])
    out = to_categorical(labels)
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1], [1, 0, 0]])
    assert out.dtype == np.float32
    assert to_categorical(labels, num_classes=4).shape == (5, 4)
    assert to_categorical(labels, dtype='int32').dtype == np.int32
    assert to_categorical(np.array([[1], [0]])).shape == (2, 2)
    assert to_categorical(np.zeros((2, 3), dtype=int), 5).shape == (2, 3, 5)
    assert np_utils.to_categorical is to_categorical


def test_normalize():
    x = np.array([[3., 4.], [0., 0.]])
    np.testing.assert_allclose(normalize(x), [[0.6, 0.8], [0., 0.]])
    np.testing.assert_allclose(normalize(x, order=1), [[3 / 7, 4 / 7], [0., 0.]])
    np.testing.assert_allclose(normalize(np.array([[3.], [4.]]), axis=0), [[0.6], [0.8]])


def test_sequence_docstring_example():
    class CIFAR10Sequence(Sequence):
        def __init__(self, x_set, y_set, batch_size):
            self.x, self.y = x_set, y_set
            self.batch_size = batch_size

        def __len__(self):
            return int(np.ceil(len(self.x) / float(self.batch_size)))

        def __getitem__(self, idx):
            batch_x = self.x[idx * self.batch_size:(idx + 1) * self.batch_size]
            batch_y = self.y[idx * self.batch_size:(idx + 1) * self.batch_size]
            return np.array(batch_x), np.array(batch_y)

    x = np.random.random((10, 3))
    y = np.random.random((10, 1))
    seq = CIFAR10Sequence(x, y, 4)
    assert len(seq) == 3
    model = Sequential([Dense(1, input_dim=3)])
    model.compile('sgd', 'mse')
    hist = model.fit_generator(seq, epochs=2, verbose=0)
    assert len(hist.history['loss']) == 2
    hist = model.fit(seq, epochs=1, verbose=0)
    assert len(hist.history['loss']) == 1
    assert model.predict_generator(seq).shape == (10, 1)
    assert np.ndim(model.evaluate_generator(seq)) == 0


def test_generator_fit_docstring_example():
    def generate_arrays():
        while True:
            for i in range(0, 8, 4):
                yield (np.ones((4, 3)) * i, np.ones((4, 1)))
    model = Sequential([Dense(1, input_dim=3)])
    model.compile('sgd', 'mse', metrics=['mae'])
    hist = model.fit_generator(generate_arrays(), steps_per_epoch=2, epochs=2, verbose=0)
    assert set(hist.history) == {'loss', 'mae'}


def test_get_file_local_origin(tmp_path):
    src = tmp_path / 'src'
    src.mkdir()
    payload = src / 'data.txt'
    payload.write_text('hello')
    archive = src / 'data.tar.gz'
    with tarfile.open(archive, 'w:gz') as tar:
        tar.add(payload, arcname='data.txt')
    cache = tmp_path / 'cache'
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    path = get_file('data.tar.gz', origin=archive.as_uri(), cache_dir=str(cache),
                    file_hash=digest, extract=True)
    assert path == str(cache / 'datasets' / 'data.tar.gz')
    assert (cache / 'datasets' / 'data.txt').read_text() == 'hello'
    untarred = get_file('data', origin=archive.as_uri(), untar=True, cache_dir=str(cache),
                        cache_subdir='other')
    assert untarred == str(cache / 'other' / 'data')
    md5 = hashlib.md5(archive.read_bytes()).hexdigest()
    get_file('d2.tar.gz', origin=archive.as_uri(), md5_hash=md5, cache_dir=str(cache))


def test_hdf5_matrix(tmp_path):
    import h5py
    path = str(tmp_path / 'file.hdf5')
    x = np.random.random((20, 3)).astype('float32')
    y = np.random.random((20, 1)).astype('float32')
    with h5py.File(path, 'w') as f:
        f['data'] = x
        f['labels'] = y
    x_data = HDF5Matrix(path, 'data', start=0, end=15)
    y_data = HDF5Matrix(path, 'labels', start=0, end=15)
    assert len(x_data) == 15 and x_data.shape == (15, 3) and x_data.ndim == 2
    assert x_data.dtype == np.float32 and x_data.size == 45
    np.testing.assert_array_equal(x_data[2], x[2])
    np.testing.assert_array_equal(x_data[1:4], x[1:4])
    np.testing.assert_array_equal(x_data[[5, 1]], x[[5, 1]])
    with pytest.raises(IndexError):
        x_data[15]
    tail = HDF5Matrix(path, 'data', start=15, normalizer=lambda a: a * 2)
    assert tail.shape == (5, 3)
    np.testing.assert_allclose(tail[0], x[15] * 2)
    model = Sequential([Dense(1, input_dim=3)])
    model.compile('sgd', 'mse')
    model.fit(x_data, y_data, shuffle='batch', epochs=1, verbose=0)
    assert model.predict(x_data).shape == (15, 1)
    assert io_utils.HDF5Matrix is HDF5Matrix


def test_print_summary_and_source_inputs(capsys):
    a = Input(shape=(3,))
    b = Input(shape=(3,))
    h = Dense(2)(a)
    out = Dense(1)(h)
    model = Model(a, out)
    print_summary(model)
    assert 'Total params: 11' in capsys.readouterr().out
    lines = []
    model.summary(print_fn=lines.append)
    assert any('Total params: 11' in l for l in lines)
    srcs = get_source_inputs(out)
    assert len(srcs) == 1 and srcs[0] is a
    del b


def test_convert_all_kernels_in_model():
    model = Sequential([Conv2D(1, (2, 2), input_shape=(3, 3, 1)), Flatten()])
    kernel = np.arange(4, dtype='float32').reshape(2, 2, 1, 1)
    model.layers[0].set_weights([kernel, np.zeros(1)])
    convert_all_kernels_in_model(model)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], kernel[::-1, ::-1])


def test_custom_object_scope_example():
    class MyObject(object):
        pass
    with CustomObjectScope({'MyObject': MyObject}):
        assert get_custom_objects()['MyObject'] is MyObject
    assert 'MyObject' not in get_custom_objects()
    with custom_object_scope({'MyObject': MyObject}):
        assert 'MyObject' in get_custom_objects()


def test_progbar(capsys):
    bar = Progbar(target=4, verbose=1)
    for i in range(4):
        bar.update(i + 1, values=[('loss', 1.0)])
    out = capsys.readouterr().out
    assert '4/4' in out and 'loss: 1.0000' in out
    assert generic_utils.Progbar is Progbar
    bar = Progbar(None)
    bar.add(2)
    bar.add(3)
    assert bar._seen_so_far == 5
