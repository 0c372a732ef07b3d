"""ImageNet input preprocessing and prediction decoding (Keras 2.3.1's
`keras.applications.imagenet_utils`)."""
import json

import numpy as np

from .. import backend as K
from ..utils.data_utils import DownloadError, get_file
from ._common import CACHE_SUBDIR, obtain_input_shape

CLASS_INDEX = None  # {'0': [wnid, name], ...}, read once by decode_predictions
CLASS_INDEX_PATH = ('https://storage.googleapis.com/download.tensorflow.org/'
                    'data/imagenet_class_index.json')
CLASS_INDEX_HASH = 'c2c37ea517e94d9795004a39431a14cb'  # md5, as published by Keras

# Per mode: (mean, std) of each channel, in the channel order the mode feeds
# the network (BGR for 'caffe'); 'tf' scales to [-1, 1] instead.
_STATS = {'caffe': ((103.939, 116.779, 123.68), None),
          'torch': ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))}
MODES = ('caffe', 'tf', 'torch')


def _check(x, data_format, mode):
    """The data format and the channel axis of `x` (None for 'tf', which does
    not look at channels), once the arguments are checked."""
    data_format = data_format or K.image_data_format()
    if data_format not in ('channels_first', 'channels_last'):
        raise ValueError(f'preprocess_input: unknown data_format {data_format!r}')
    if mode not in MODES:
        raise ValueError(f"preprocess_input: mode should be 'caffe', 'tf' or 'torch'; "
                         f"got {mode!r}")
    shape = K.int_shape(x)
    if mode != 'tf':
        if data_format == 'channels_first' and len(shape) not in (3, 4):
            raise ValueError(f'preprocess_input: a channels_first image batch must have rank '
                             f'3 or 4; got shape {shape}')
        axis = (0 if len(shape) == 3 else 1) if data_format == 'channels_first' else \
            len(shape) - 1
        if len(shape) == 0 or shape[axis] not in (3, None):
            raise ValueError(f"preprocess_input: mode {mode!r} needs 3 colour channels on axis "
                             f"{axis} ({data_format}); got shape {shape}")
        return data_format, axis
    return data_format, None


def _preprocess_numpy(x, mode, axis):
    # In place where the dtype allows, as Keras (the docs say so).
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(K.floatx(), copy=False)
    if mode == 'tf':
        x /= 127.5
        x -= 1.
        return x
    if mode == 'torch':
        x /= 255.
    else:
        x = np.flip(x, axis)  # RGB -> BGR (a view: Keras writes through it too)
    mean, std = _STATS[mode]
    view = np.moveaxis(x, axis, -1)
    view -= np.asarray(mean, dtype=x.dtype)
    if std is not None:
        view /= np.asarray(std, dtype=x.dtype)
    return x


def _preprocess_symbolic(x, mode, axis, data_format):
    if mode == 'tf':
        return x / 127.5 - 1.
    if mode == 'torch':
        x = x / 255.
    else:
        x = K.reverse(x, axis)
    mean, std = _STATS[mode]
    x = K.bias_add(x, K.cast(K.constant(-np.asarray(mean)), K.dtype(x)), data_format)
    if std is not None:
        shape = [1] * len(K.int_shape(x))
        shape[axis] = 3
        x = x / K.cast(K.constant(np.reshape(std, shape)), K.dtype(x))
    return x


def preprocess_input(x, data_format=None, mode='caffe'):
    """Preprocesses a batch of RGB images (values in [0, 255]) as a model's
    ImageNet weights expect.

    Arguments:
        x: a numpy array or a backend tensor, 3D (one image) or 4D. A float
            array is preprocessed in place (pass `np.copy(x)` to keep it);
            integers are converted to floatx first.
        data_format: 'channels_first' or 'channels_last' (default:
            `K.image_data_format()`).
        mode: 'caffe': RGB to BGR, then each channel minus its ImageNet mean
            (VGG, ResNet50); 'tf': scaled to [-1, 1] (Inception, Xception,
            MobileNets); 'torch': scaled to [0, 1], then each channel minus its
            mean and divided by its standard deviation (DenseNet).

    Returns:
        The preprocessed array or tensor.
    """
    data_format, axis = _check(x, data_format, mode)
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, mode, axis)
    if not K.is_tensor(x):
        raise TypeError(f'preprocess_input: x must be a numpy array or a tensor; got '
                        f'{type(x).__name__}')
    return _preprocess_symbolic(x, mode, axis, data_format)


def _class_index():
    global CLASS_INDEX
    if CLASS_INDEX is None:
        try:
            path = get_file('imagenet_class_index.json', CLASS_INDEX_PATH,
                            cache_subdir=CACHE_SUBDIR, file_hash=CLASS_INDEX_HASH)
        except DownloadError as e:
            raise DownloadError(f'decode_predictions: the ImageNet class index is not in the '
                                f'cache and could not be downloaded.\n{e}', origin=e.origin,
                                fpath=e.fpath, reason=e.reason) from e
        with open(path) as f:
            CLASS_INDEX = json.load(f)
    return CLASS_INDEX


def decode_predictions(preds, top=5):
    """The `top` classes of each prediction of an ImageNet model.

    Arguments:
        preds: array of shape (samples, 1000).
        top: how many classes to return per sample.

    Returns:
        One list per sample of `(class_name, class_description, score)`
        tuples, highest score first.

    Raises:
        ValueError: `preds` is not of shape (samples, 1000), or `top` is not
            a positive integer.
        DownloadError (an OSError): the class index file
            (`imagenet_class_index.json`) is neither in the cache
            (`<cache>/models/`) nor downloadable.
    """
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError('`decode_predictions` expects a batch of predictions (i.e. a 2D array '
                         f'of shape (samples, 1000)). Found array with shape: {preds.shape}')
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f'decode_predictions: top must be a positive integer; got {top!r}')
    index = _class_index()
    results = []
    for pred in preds:
        best = pred.argsort()[-top:][::-1]
        result = [tuple(index[str(i)]) + (pred[i],) for i in best]
        result.sort(key=lambda r: r[2], reverse=True)
        results.append(result)
    return results


def _obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten,
                        weights=None):
    """Keras's helper, kept under its name for code that imports it."""
    return obtain_input_shape('_obtain_input_shape', input_shape, default_size, min_size,
                              require_flatten, weights, data_format)
