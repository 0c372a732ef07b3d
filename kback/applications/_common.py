"""What every application model shares: its argument checks, its input, the
pooling head of a headless model and the loading of its weights.

The checks are those of keras-applications 1.0.8 (Keras 2.3.1), with the
model's name in each message; `pooling` is also checked (Keras ignored an
unknown value and returned the unpooled feature map).
"""
import os
import warnings

from .. import backend as K
from ..layers import GlobalAveragePooling2D, GlobalMaxPooling2D, Input
from ..utils.data_utils import DownloadError, get_file
from ..utils.layer_utils import get_source_inputs

# Where get_file keeps the downloaded weights and the class index.
CACHE_SUBDIR = 'models'


def check_arguments(model_name, weights, include_top, classes, pooling, input_tensor):
    """The argument checks every model makes before building anything."""
    if input_tensor is not None and not K.is_tensor(input_tensor):
        raise TypeError(f'{model_name}: input_tensor must be a tensor (e.g. from `Input()`); '
                        f'got {type(input_tensor).__name__}')
    is_path = isinstance(weights, (str, os.PathLike))
    if weights is not None and not (is_path and (weights == 'imagenet' or
                                                 os.path.exists(weights))):
        raise ValueError(f'{model_name}: the `weights` argument should be either `None` (random '
                         f'initialization), `imagenet` (pre-training on ImageNet), or the path '
                         f'to the weights file to be loaded; got {weights!r}')
    if weights == 'imagenet' and include_top and classes != 1000:
        raise ValueError(f'{model_name}: with `weights="imagenet"` and `include_top=True`, '
                         f'`classes` should be 1000; got {classes!r}')
    if pooling not in (None, 'avg', 'max'):
        raise ValueError(f"{model_name}: `pooling` should be None, 'avg' or 'max'; "
                         f"got {pooling!r}")


def obtain_input_shape(model_name, input_shape, default_size, min_size, require_flatten,
                       weights=None, data_format=None):
    """The model's input shape (channels included, no batch axis): the one
    given, checked, or the default one; None entries where sizes are free.

    `require_flatten`: the model ends in a Flatten (or is built for a fixed
    size), so the spatial sizes must be known."""
    data_format = data_format or K.image_data_format()
    first = data_format == 'channels_first'
    if input_shape is not None:
        if not isinstance(input_shape, (tuple, list)):
            raise ValueError(f'{model_name}: `input_shape` must be a tuple of three integers; '
                             f'got {input_shape!r}')
        input_shape = tuple(input_shape)
    if weights != 'imagenet' and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn(f'{model_name}: this model usually expects 1 or 3 input channels; '
                          f'input_shape {input_shape} has {channels}.')
        spatial = (default_size, default_size)
        default_shape = (channels,) + spatial if first else spatial + (channels,)
    else:
        default_shape = (3, default_size, default_size) if first else \
            (default_size, default_size, 3)
    if weights == 'imagenet' and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError(f'{model_name}: with `include_top=True` and `weights="imagenet"`, '
                             f'`input_shape` should be {default_shape}; got {input_shape}')
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError(f'{model_name}: `input_shape` must be a tuple of three integers; '
                             f'got {input_shape}')
        channels = input_shape[0] if first else input_shape[-1]
        rows, cols = input_shape[1:] if first else input_shape[:2]
        if channels != 3 and weights == 'imagenet':
            raise ValueError(f'{model_name}: the input must have 3 channels for the ImageNet '
                             f'weights; got `input_shape={input_shape}`')
        if (rows is not None and rows < min_size) or (cols is not None and cols < min_size):
            raise ValueError(f'{model_name}: input size must be at least {min_size}x{min_size}; '
                             f'got `input_shape={input_shape}`')
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError(f'{model_name}: with `include_top=True` the `input_shape` must be '
                         f'static; got `input_shape={input_shape}`')
    return input_shape


def image_input(input_tensor, input_shape):
    """The model's first tensor: a new Input, or `input_tensor` (made a Keras
    tensor when it is a plain backend tensor)."""
    if input_tensor is None:
        return Input(shape=input_shape)
    if not K.is_keras_tensor(input_tensor):
        return Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def model_inputs(input_tensor, img_input):
    """The Inputs the model starts from: those `input_tensor` was computed from
    (it may follow other layers), else the model's own Input."""
    return img_input if input_tensor is None else get_source_inputs(input_tensor)


def pool(x, pooling, avg_name=None, max_name=None):
    """The headless model's output: the feature map, or its global average or
    maximum."""
    if pooling == 'avg':
        return GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == 'max':
        return GlobalMaxPooling2D(name=max_name)(x)
    return x


def channel_axis(last=-1):
    """1 for channels_first, else `last` (Keras's models write 3 or -1: kept,
    as it is part of their layers' configs)."""
    return 1 if K.image_data_format() == 'channels_first' else last


def load_weights(model_name, model, weights, imagenet_file):
    """Loads `weights` into `model`: nothing for None, a path as is, and for
    'imagenet' the published file `imagenet_file = (fname, origin, file_hash)`
    through get_file's cache (`<cache>/models/fname`), checked against its hash
    where Keras publishes one."""
    if weights is None:
        return
    if weights == 'imagenet':
        fname, origin, file_hash = imagenet_file
        try:
            weights = get_file(fname, origin, cache_subdir=CACHE_SUBDIR, file_hash=file_hash)
        except DownloadError as e:
            raise DownloadError(f'{model_name}: the ImageNet weights are not in the cache and '
                                f'could not be downloaded.\n{e}', origin=e.origin, fpath=e.fpath,
                                reason=e.reason) from e
    model.load_weights(weights)
