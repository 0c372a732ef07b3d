"""What CIFAR-10 and CIFAR-100 share: reading one pickled batch file."""
import pickle

# The globals a CIFAR batch (a dict of numpy arrays and lists) may name.
# Anything else in the pickle is refused: unpickling can run arbitrary code.
_ALLOWED = {
    ('numpy', 'ndarray'), ('numpy', 'dtype'),
    ('numpy.core.multiarray', '_reconstruct'), ('numpy._core.multiarray', '_reconstruct'),
    ('numpy.core.multiarray', 'scalar'), ('numpy._core.multiarray', 'scalar'),
    ('numpy.core.numeric', '_frombuffer'), ('numpy._core.numeric', '_frombuffer'),
    ('_codecs', 'encode'),  # how protocol-2 pickles written by Python 3 store bytes
}


class _BatchUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED or (module == 'numpy.dtypes' and name.endswith('DType')):
            return super().find_class(module, name)
        raise pickle.UnpicklingError('cifar.load_batch: refusing to load %s.%s from a CIFAR '
                                     'batch file (only numpy arrays are expected)' % (module, name))


def load_batch(fpath, label_key='labels'):
    """Reads one CIFAR batch file (a pickled dict).

    Arguments:
        fpath: path of the file.
        label_key: the labels' key: 'labels' (CIFAR-10), 'fine_labels' or
            'coarse_labels' (CIFAR-100).

    Returns:
        `(data, labels)`, uint8 images (n, 3, 32, 32) and the labels as stored
        (a list of ints).
    """
    with open(fpath, 'rb') as f:
        d = _BatchUnpickler(f, encoding='bytes').load()
    # The files were written by Python 2: keys come back as bytes.
    d = {(k.decode('utf8') if isinstance(k, bytes) else k): v for k, v in d.items()}
    for key in ('data', label_key):
        if key not in d:
            raise KeyError('cifar.load_batch: %s has no %r entry (it has %s)'
                           % (fpath, key, sorted(d)))
    data = d['data']
    labels = d[label_key]
    data = data.reshape(data.shape[0], 3, 32, 32)
    return data, labels
