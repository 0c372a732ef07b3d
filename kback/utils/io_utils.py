"""HDF5Matrix: a slice of an HDF5 dataset used in place of a numpy array."""
import numpy as np


class HDF5Matrix(object):
    """Rows `start:end` of dataset `dataset` in the HDF5 file `datapath`,
    indexed like an array (int, slice, list or array of row indices) and read
    on access; `normalizer` (a function) is applied to what is read.

    kback's `fit`/`predict` read it whole through `np.asarray`."""

    refs = {}

    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None):
        import h5py
        if datapath not in self.refs:
            self.refs[datapath] = h5py.File(datapath, 'r')
        f = self.refs[datapath]
        if dataset not in f:
            raise KeyError(f'HDF5Matrix: no dataset {dataset!r} in {datapath}')
        self.data = f[dataset]
        total = self.data.shape[0]
        self.start = int(start)
        self.end = total if end is None else min(int(end), total)
        if not 0 <= self.start <= self.end:
            raise ValueError(f'HDF5Matrix: start={start} and end={end} do not select rows of '
                             f'a dataset with {total} rows')
        self.normalizer = normalizer
        self._base_shape = self.data.shape[1:]
        self._base_dtype = self.data.dtype
        if normalizer is not None:
            first = normalizer(self.data[0:1])
            self._base_shape = first.shape[1:]
            self._base_dtype = first.dtype

    def __len__(self):
        return self.end - self.start

    def _rows(self, key):
        n = len(self)
        if isinstance(key, slice):
            start, stop, step = key.indices(n)
            if step != 1:
                return self.data[self.start + start:self.start + stop][::step]
            return self.data[self.start + start:self.start + stop]
        if isinstance(key, (int, np.integer)):
            if not -n <= key < n:
                raise IndexError(f'HDF5Matrix: index {key} out of range for {n} rows')
            return self.data[self.start + (key % n)]
        idx = np.asarray(key)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        idx = idx.astype(np.int64)
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f'HDF5Matrix: indices out of range for {n} rows')
        idx = idx % n if n else idx
        # h5py reads increasing unique indices only.
        unique, inverse = np.unique(idx, return_inverse=True)
        rows = self.data[(self.start + unique).tolist()] if unique.size else \
            np.empty((0,) + self.data.shape[1:], self.data.dtype)
        return rows[inverse.reshape(idx.shape)]

    def __getitem__(self, key):
        rows = self._rows(key)
        return self.normalizer(rows) if self.normalizer is not None else rows

    def __array__(self, dtype=None, copy=None):
        out = self[:]
        return out if dtype is None else out.astype(dtype)

    @property
    def shape(self):
        return (len(self),) + tuple(self._base_shape)

    @property
    def dtype(self):
        return self._base_dtype

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape))


def ask_to_proceed_with_overwrite(filepath):
    """Asks on the terminal whether to overwrite `filepath`; True for yes."""
    answer = input(f'[WARNING] {filepath} already exists - overwrite? [y/n]').strip().lower()
    while answer not in ('y', 'n'):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    return answer == 'y'
