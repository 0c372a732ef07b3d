"""HDF5Matrix: a slice of an HDF5 dataset used in place of a numpy array;
atomic_write: a file written whole or not at all."""
import contextlib
import os
import secrets
import stat

import numpy as np

# `.{target name}.kback-tmp-{writer pid}-{random}`: hidden, beside its target
# (a rename across file systems is no rename), and named for what it is.
_TMP_MARK = '.kback-tmp-'


def _temp_name(name):
    return f'.{name}{_TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}'


def _writer_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:           # alive, someone else's
        return False
    return False


def remove_stale_temp_files(path):
    """Removes the temporary files of earlier writes of `path` whose writer
    process is gone (killed mid-write); those of live writers stay."""
    folder, name = os.path.split(os.path.abspath(path))
    prefix = f'.{name}{_TMP_MARK}'
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        if not entry.startswith(prefix):
            continue
        pid = entry[len(prefix):].split('-')[0]
        if pid.isdigit() and int(pid) != os.getpid() and _writer_gone(int(pid)):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(folder, entry))


@contextlib.contextmanager
def atomic_write(path):
    """Yields a temporary path beside `path` to write; on success it is
    renamed over `path` (atomic: a reader sees the old file or the new one),
    on any failure removed.  The new file gets the mode a plain `open` would
    give: the existing file's, else 0o666 less the umask.  Temporary files
    that killed writers left behind are removed first."""
    path = os.fspath(path)
    remove_stale_temp_files(path)
    folder, name = os.path.split(os.path.abspath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None
    while True:
        tmp = os.path.join(folder, _temp_name(name))
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:         # pragma: no cover - 32 random bits collided
            continue
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        os.close(fd)
        yield tmp
        os.replace(tmp, path)
    except BaseException:   # KeyboardInterrupt too: never leave a partial file
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


class HDF5Matrix(object):
    """Rows `start:end` of dataset `dataset` in the HDF5 file `datapath`,
    indexed like an array (int, slice, list or array of row indices) and read
    on access; `normalizer` (a function) is applied to what is read.

    kback's `fit`/`predict` read it whole through `np.asarray`.

    Arguments:
        datapath: the HDF5 file's path.
        dataset: the name of the dataset in the file.
        start: the first row.
        end: the row after the last one (None: to the end).
        normalizer: a function applied to the data read, or None.

    Example::

        x_train = HDF5Matrix('data.h5', 'x', end=1000)
        model.predict(x_train)
    """

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
