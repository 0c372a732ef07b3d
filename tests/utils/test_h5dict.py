"""io_utils.H5Dict: one dict-like interface over an HDF5 group and a dict
(Keras 2.3 semantics)."""
import pickle

import numpy as np
import pytest

h5py = pytest.importorskip('h5py')

from kback.utils.io_utils import H5Dict, HDF5_OBJECT_HEADER_LIMIT  # noqa: E402


def _fill(d):
    d['weights'] = np.arange(6, dtype='float32').reshape(2, 3)
    d['scalar'] = np.float64(2.5)
    d['names'] = ['dense_1', 'dense_2']
    d['version'] = '2.3.1'
    sub = d['layer']
    sub['kernel'] = np.ones((2, 2))


def _check(d):
    np.testing.assert_array_equal(d['weights'], np.arange(6).reshape(2, 3))
    assert d['scalar'] == 2.5
    names = [n.decode() if isinstance(n, bytes) else n for n in d['names']]
    assert names == ['dense_1', 'dense_2']
    assert d['version'] == '2.3.1'
    assert isinstance(d['layer'], H5Dict)
    np.testing.assert_array_equal(d['layer']['kernel'], np.ones((2, 2)))
    assert 'weights' in d and 'missing' not in d
    assert d.get('missing', 7) == 7


def test_h5_file_round_trip(tmp_path):
    path = tmp_path / 'f.h5'
    with H5Dict(path, mode='w') as d:
        _fill(d)
    with H5Dict(str(path), mode='r') as d:
        _check(d)
        with pytest.raises(ValueError, match='read-only'):
            d['x'] = 1
        with pytest.raises(ValueError, match='read-only'):
            d['missing_group']


def test_h5_group(tmp_path):
    with h5py.File(tmp_path / 'g.h5', 'w') as f:
        d = H5Dict(f.create_group('model'))
        _fill(d)
        _check(d)
        with pytest.raises(KeyError, match='group'):
            d['layer'] = 3


def test_dict_backend_and_pickle():
    store = {}
    d = H5Dict(store)
    _fill(d)
    _check(d)
    # A dict-backed H5Dict holds only picklable values (pickling a model uses it).
    again = H5Dict(pickle.loads(pickle.dumps(store)), mode='r')
    _check(again)
    H5Dict(store, mode='w')
    assert store == {'_is_group': True}


def test_long_string_lists_are_chunked(tmp_path):
    names = [f'layer_with_a_long_name_{i:06d}' for i in range(4000)]
    assert len(names) * len(names[0]) > HDF5_OBJECT_HEADER_LIMIT
    with H5Dict(tmp_path / 'c.h5', mode='w') as d:
        d['layer_names'] = names
    with H5Dict(tmp_path / 'c.h5', mode='r') as d:
        assert d['layer_names'] == names


def test_bad_arguments():
    with pytest.raises(TypeError, match='H5Dict'):
        H5Dict(3)
    with pytest.raises(ValueError, match='mode'):
        H5Dict({}, mode='x')
    assert H5Dict.is_supported_type({}) and H5Dict.is_supported_type('a.h5')
    assert not H5Dict.is_supported_type(3)
