"""HDF5Matrix: a slice of an HDF5 dataset used in place of a numpy array;
H5Dict: one dict-like interface over an HDF5 group or a plain dict;
atomic_write: a file written whole or not at all."""
import contextlib
import io
import os
import pickle
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


# HDF5 keeps an object's attributes in its header, which holds 64 KiB at most.
HDF5_OBJECT_HEADER_LIMIT = 64512


def _is_path(path):
    return isinstance(path, (str, os.PathLike))


def _h5py():
    try:
        import h5py
    except ImportError as e:
        raise ImportError('H5Dict needs h5py: pip install h5py') from e
    return h5py


class H5Dict(object):
    """A dict-like view of an HDF5 group, or of a plain dict, so that one piece
    of serialisation code writes both a file and an in-memory copy (pickling).

    Arguments:
        path: a file path (str or path-like, opened with h5py), an `h5py.Group`
            (a file included), or a dict.
        mode: 'a' (read and write), 'r' (read only) or 'w' (start empty).

    Numpy arrays become datasets (in a dict: pickled bytes); lists of strings and
    other values become attributes, split into numbered chunks when they exceed
    HDF5's header limit.  Reading a missing key creates and returns a sub-group,
    unless the view is read only.

    Raises:
        TypeError: for a `path` of another type.
        ValueError: for an unknown mode, or a write in read-only mode."""

    def __init__(self, path, mode='a'):
        if mode not in ('a', 'r', 'w'):
            raise ValueError(f"H5Dict: mode must be one of 'a', 'r', 'w', got {mode!r}")
        h5py = _h5py()
        self._is_file = False
        if isinstance(path, h5py.Group):
            self.data = path
        elif _is_path(path):
            self.data = h5py.File(path, mode=mode)
            self._is_file = True
        elif isinstance(path, dict):
            self.data = path
            if mode == 'w':
                path.clear()
            # Marks a dict made by H5Dict as a group, not as user data.
            path['_is_group'] = True
        else:
            raise TypeError(f'H5Dict: required an h5py Group, a str or path, or a dict; '
                            f'received {type(path).__name__}.')
        self.read_only = mode == 'r'

    @staticmethod
    def is_supported_type(path):
        """Whether `H5Dict(path)` accepts `path`'s type."""
        return isinstance(path, (_h5py().Group, dict)) or _is_path(path)

    def _check_writable(self, what):
        if self.read_only:
            raise ValueError(f'H5Dict: cannot {what} in read-only mode.')

    def __setitem__(self, attr, val):
        self._check_writable('set item')
        is_np = type(val).__module__ == np.__name__
        if isinstance(self.data, dict):
            if isinstance(attr, bytes):
                attr = attr.decode('utf-8')
            if is_np:
                self.data[attr] = pickle.dumps(val)
                self.data[f'_{attr}_pickled'] = True
            else:
                self.data[attr] = val
            return
        if attr in self.data:
            raise KeyError(f'H5Dict: cannot set attribute {attr!r}: a group with that name '
                           f'exists.')
        if is_np:
            dataset = self.data.create_dataset(attr, val.shape, dtype=val.dtype)
            dataset[()] = val
        elif isinstance(val, (list, tuple)):
            self._set_list_attr(attr, val)
        else:
            self.data.attrs[attr] = val

    def _set_list_attr(self, attr, val):
        too_long = [x for x in val if hasattr(x, '__len__') and len(x) > HDF5_OBJECT_HEADER_LIMIT]
        if too_long:
            raise RuntimeError(f'H5Dict: attribute {attr!r} cannot be saved to HDF5: items '
                               f'longer than {HDF5_OBJECT_HEADER_LIMIT} bytes: {too_long!r}')
        if val and isinstance(val[0], str):
            val = [x.encode('utf-8') for x in val]
        array = np.asarray(val)
        chunks = 1
        while array.nbytes / chunks > HDF5_OBJECT_HEADER_LIMIT:
            chunks += 1
        if chunks == 1:
            self.data.attrs[attr] = val
            return
        for i, chunk in enumerate(np.array_split(array, chunks)):
            self.data.attrs[f'{attr}{i}'] = chunk

    def __getitem__(self, attr):
        if isinstance(self.data, dict):
            return self._get_from_dict(attr)
        h5py = _h5py()
        if attr in self.data.attrs:
            val = self.data.attrs[attr]
            if isinstance(val, np.ndarray) and val.dtype.kind == 'S':
                val = val.tolist()
            return val
        if attr in self.data:
            val = self.data[attr]
            return np.asarray(val) if isinstance(val, h5py.Dataset) else H5Dict(val)
        if f'{attr}0' in self.data.attrs:
            val, i = [], 0
            while f'{attr}{i}' in self.data.attrs:
                val.extend(x.decode('utf-8') for x in self.data.attrs[f'{attr}{i}'])
                i += 1
            return val
        self._check_writable('create group')
        return H5Dict(self.data.create_group(attr))

    def _get_from_dict(self, attr):
        if isinstance(attr, bytes):
            attr = attr.decode('utf-8')
        if attr in self.data:
            val = self.data[attr]
            if isinstance(val, dict) and val.get('_is_group'):
                return H5Dict(val)
            if f'_{attr}_pickled' in self.data:
                return pickle.loads(val)
            return val
        self._check_writable('create group')
        group = {'_is_group': True}
        self.data[attr] = group
        return H5Dict(group)

    def __len__(self):
        return len(self.data)

    def __iter__(self):
        return iter(self.data)

    def iter(self):
        return iter(self.data)

    def __getattr__(self, attr):
        # Everything else (keys, attrs, create_group...) is the wrapped object's,
        # with a returned object of the wrapped type wrapped again.
        if attr == 'data':
            raise AttributeError(attr)
        target = getattr(self.data, attr)
        if not callable(target):
            return target

        def wrapped(*args, **kwargs):
            out = target(*args, **kwargs)
            return H5Dict(out) if isinstance(out, type(self.data)) else out
        return wrapped

    def __contains__(self, key):
        if isinstance(self.data, dict):
            return key in self.data
        return key in self.data or key in self.data.attrs

    def get(self, key, default=None):
        """The value of `key`, or `default` when absent (nothing is created)."""
        return self[key] if key in self else default

    def update(self, *args):
        """Updates a dict-backed view; HDF5 groups are written item by item."""
        if not isinstance(self.data, dict):
            raise NotImplementedError('H5Dict.update: only a dict-backed H5Dict supports '
                                      'update; assign items one by one.')
        self._check_writable('update')
        self.data.update(*args)

    def close(self):
        """Flushes an HDF5 group and closes the file this view opened."""
        if not isinstance(self.data, dict):
            self.data.file.flush()
            if self._is_file:
                self.data.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()


h5dict = H5Dict


def load_from_binary_h5py(load_function, stream):
    """`load_function(h5py_file)` on the HDF5 file image that `stream` (any
    object with `read()` returning bytes, e.g. `io.BytesIO`) holds.

    Returns:
        What `load_function` returns."""
    with _h5py().File(io.BytesIO(stream.read()), 'r') as f:
        return load_function(f)


def save_to_binary_h5py(save_function, stream):
    """`save_function(h5py_file)` on an HDF5 file made in memory, whose image is
    then written to `stream` (any object with `write(bytes)`).

    Returns:
        What `save_function` returns."""
    image = io.BytesIO()
    with _h5py().File(image, 'w') as f:
        result = save_function(f)
    stream.write(image.getvalue())
    return result


def ask_to_proceed_with_overwrite(filepath):
    """Asks on the terminal whether to overwrite `filepath`; True for yes."""
    answer = input(f'[WARNING] {filepath} already exists - overwrite? [y/n]').strip().lower()
    while answer not in ('y', 'n'):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    return answer == 'y'
