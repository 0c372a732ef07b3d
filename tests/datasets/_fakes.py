"""Small files in the real formats of the Keras data sets."""
import gzip
import io
import os
import pickle
import struct
import tarfile

import numpy as np


def mnist_npz(path, n_train=7, n_test=3, seed=0):
    rng = np.random.RandomState(seed)
    arrays = dict(x_train=rng.randint(0, 256, (n_train, 28, 28)).astype('uint8'),
                  y_train=rng.randint(0, 10, n_train).astype('uint8'),
                  x_test=rng.randint(0, 256, (n_test, 28, 28)).astype('uint8'),
                  y_test=rng.randint(0, 10, n_test).astype('uint8'))
    np.savez_compressed(str(path), **arrays)
    return arrays


def idx_gz(path, array):
    """A gzipped idx ubyte file: magic (0x0800 + ndim), big-endian dims, bytes."""
    array = np.asarray(array, dtype='uint8')
    header = struct.pack('>I', 2048 + array.ndim) + struct.pack('>%dI' % array.ndim, *array.shape)
    with gzip.open(str(path), 'wb') as f:
        f.write(header + array.tobytes())


def cifar_batch_bytes(data, labels, label_key=b'labels'):
    """A batch as CIFAR stores it: a protocol-2 pickle of a dict with bytes keys,
    'data' (n, 3072) uint8 rows of R, G, B planes."""
    d = {b'batch_label': b'fake batch', b'data': data.reshape(len(data), -1), label_key: labels}
    return pickle.dumps(d, protocol=2)


def tar_gz(path, members):
    """`members`: name -> bytes."""
    with tarfile.open(str(path), 'w:gz') as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))


def cifar10_tar(path, per_batch=2, n_test=3, seed=0):
    """The cifar-10-python.tar.gz layout; returns the arrays in CHW order."""
    rng = np.random.RandomState(seed)
    members, xs, ys = {}, [], []
    sizes = [('data_batch_%d' % i, per_batch) for i in range(1, 6)] + [('test_batch', n_test)]
    for name, n in sizes:
        x = rng.randint(0, 256, (n, 3, 32, 32)).astype('uint8')
        y = [int(v) for v in rng.randint(0, 10, n)]
        members['cifar-10-batches-py/' + name] = cifar_batch_bytes(x, y)
        xs.append(x)
        ys.append(y)
    meta = {b'num_cases_per_batch': per_batch}
    members['cifar-10-batches-py/batches.meta'] = pickle.dumps(meta, 2)
    tar_gz(path, members)
    return (np.concatenate(xs[:5]), sum(ys[:5], [])), (xs[5], ys[5])


def cifar100_tar(path, n_train=4, n_test=2, seed=0):
    rng = np.random.RandomState(seed)
    out, members = {}, {}
    for name, n in (('train', n_train), ('test', n_test)):
        x = rng.randint(0, 256, (n, 3, 32, 32)).astype('uint8')
        fine = [int(v) for v in rng.randint(0, 100, n)]
        coarse = [int(v) for v in rng.randint(0, 20, n)]
        d = {b'data': x.reshape(n, -1), b'fine_labels': fine, b'coarse_labels': coarse}
        members['cifar-100-python/' + name] = pickle.dumps(d, protocol=2)
        out[name] = (x, fine, coarse)
    tar_gz(path, members)
    return out


def boston_npz(path, n=506, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 13) * 100.0
    y = rng.rand(n) * 50.0
    np.savez(str(path), x=x, y=y)
    return x, y


def write(path, payload):
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(str(path), 'wb') as f:
        f.write(payload)
