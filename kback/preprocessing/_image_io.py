"""Image files <-> numpy arrays (keras.preprocessing.image's file helpers).

Pillow reads and writes the files. Every decode here is forced to completion
(`Image.load()`) before the image is returned, so a truncated or corrupt file
raises where it is opened instead of surfacing later (or, with Pillow's lazy
loading, as a partly grey picture).
"""
import os
import warnings

import numpy as np

try:
    from PIL import Image as pil_image
except ImportError:  # Pillow is a declared dependency; keep import errors late
    pil_image = None

from .. import backend as K

__all__ = ['load_img', 'img_to_array', 'array_to_img', 'save_img', 'list_pictures']

# Extensions Keras accepts when scanning folders (lower case, no dot).
WHITE_LIST_FORMATS = ('png', 'jpg', 'jpeg', 'bmp', 'ppm', 'tif', 'tiff')

_COLOR_MODES = ('grayscale', 'rgb', 'rgba')
_DATA_FORMATS = ('channels_first', 'channels_last')

if pil_image is not None:
    _resampling = getattr(pil_image, 'Resampling', pil_image)
    _PIL_INTERPOLATION_METHODS = {
        'nearest': _resampling.NEAREST,
        'bilinear': _resampling.BILINEAR,
        'bicubic': _resampling.BICUBIC,
        'hamming': _resampling.HAMMING,
        'box': _resampling.BOX,
        'lanczos': _resampling.LANCZOS,
    }
else:
    _PIL_INTERPOLATION_METHODS = {}


def _require_pil(fn):
    if pil_image is None:
        raise ImportError('%s requires Pillow (PIL); install it with '
                          '`pip install Pillow`.' % fn)


def _check_color_mode(color_mode, fn):
    if color_mode not in _COLOR_MODES:
        raise ValueError('%s: color_mode must be "grayscale", "rgb", or "rgba"; '
                         'got %r' % (fn, color_mode))


def _check_data_format(data_format, fn):
    if data_format is None:
        data_format = K.image_data_format()
    if data_format not in _DATA_FORMATS:
        raise ValueError('%s: unknown data_format %r; expected "channels_first" or '
                         '"channels_last"' % (fn, data_format))
    return data_format


def _check_interpolation(interpolation, fn):
    if interpolation not in _PIL_INTERPOLATION_METHODS:
        raise ValueError('%s: invalid interpolation method %r. Supported methods are %s'
                         % (fn, interpolation, ', '.join(_PIL_INTERPOLATION_METHODS)))
    return _PIL_INTERPOLATION_METHODS[interpolation]


def _check_target_size(target_size, fn):
    """(height, width) as a tuple of two positive ints."""
    try:
        size = tuple(int(s) for s in target_size)
        ok = len(size) == 2 and all(s > 0 for s in size) and \
            all(float(s) == float(t) for s, t in zip(size, target_size))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError('%s: target_size must be a tuple of two positive ints '
                         '(height, width); got %r' % (fn, target_size))
    return size


def _open_image(path, color_mode, size_wh, resample):
    """Decodes `path` completely and returns a PIL image in the colour mode
    asked for, resized to `size_wh` (width, height) when given. Raises
    whatever Pillow raises for an unreadable file."""
    img = pil_image.open(path)
    try:
        img.load()  # force the decode now: truncation raises here
    except BaseException:
        img.close()
        raise
    if color_mode == 'grayscale':
        # 8-, 16- and 32-bit grey images keep their values; others become 'L'.
        if img.mode not in ('L', 'I;16', 'I'):
            img = img.convert('L')
    elif color_mode == 'rgba':
        if img.mode != 'RGBA':
            img = img.convert('RGBA')
    elif img.mode != 'RGB':
        img = img.convert('RGB')
    if size_wh is not None and img.size != size_wh:
        img = img.resize(size_wh, resample)
    return img


def load_img(path, grayscale=False, color_mode='rgb', target_size=None,
             interpolation='nearest'):
    """Loads an image into PIL format.

    Arguments:
        path: path to the image file (or a file object).
        grayscale: DEPRECATED, use `color_mode="grayscale"`.
        color_mode: one of "grayscale", "rgb", "rgba". The desired image format.
        target_size: either `None` (the original size) or a tuple of ints
            `(img_height, img_width)`.
        interpolation: resampling used when the image is resized: "nearest",
            "bilinear", "bicubic", "lanczos", "box" or "hamming".

    Returns:
        A PIL Image instance, fully decoded.

    Raises:
        ValueError: for an unknown color_mode, target_size or interpolation.
        OSError: when Pillow cannot read the file (missing, not an image,
            truncated).
    """
    _require_pil('load_img')
    if grayscale is True:
        warnings.warn('grayscale is deprecated. Please use color_mode = "grayscale"')
        color_mode = 'grayscale'
    _check_color_mode(color_mode, 'load_img')
    size_wh, resample = None, None
    if target_size is not None:
        height, width = _check_target_size(target_size, 'load_img')
        size_wh = (width, height)
        resample = _check_interpolation(interpolation, 'load_img')
    return _open_image(path, color_mode, size_wh, resample)


def img_to_array(img, data_format=None, dtype=None):
    """Converts a PIL Image instance to a rank-3 numpy array.

    Arguments:
        img: PIL Image instance (or anything numpy can convert to an array of
            rank 2 or 3).
        data_format: "channels_first" or "channels_last"; default
            `K.image_data_format()`.
        dtype: dtype of the returned array; default `K.floatx()`.

    Returns:
        A 3-D numpy array, (height, width, channels) or (channels, height, width).
    """
    data_format = _check_data_format(data_format, 'img_to_array')
    if dtype is None:
        dtype = K.floatx()
    x = np.asarray(img, dtype=dtype)
    if x.ndim == 3:
        if data_format == 'channels_first':
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        if data_format == 'channels_first':
            x = x.reshape((1,) + x.shape)
        else:
            x = x.reshape(x.shape + (1,))
    else:
        raise ValueError('img_to_array: unsupported image shape: %s (expected a '
                         'rank-2 or rank-3 image)' % (x.shape,))
    return x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Converts a rank-3 numpy array to a PIL Image instance.

    Arguments:
        x: input array, (height, width, channels) or (channels, height, width)
            with 1 (grey), 3 (RGB) or 4 (RGBA) channels.
        data_format: "channels_first" or "channels_last"; default
            `K.image_data_format()`.
        scale: whether to rescale the values to [0, 255]: negative values are
            shifted up so that the minimum is 0, then everything is divided by
            the maximum and multiplied by 255.
        dtype: dtype `x` is converted to first; default `K.floatx()`.

    Returns:
        A PIL Image ("L", "RGB" or "RGBA"; "I" for one channel with values
        above 255).
    """
    _require_pil('array_to_img')
    if dtype is None:
        dtype = K.floatx()
    x = np.asarray(x, dtype=dtype)
    if x.ndim != 3:
        raise ValueError('array_to_img: expected image array to have rank 3 (single '
                         'image). Got array with shape: %s' % (x.shape,))
    data_format = _check_data_format(data_format, 'array_to_img')
    if data_format == 'channels_first':
        x = x.transpose(1, 2, 0)
    channels = x.shape[2]
    if channels not in (1, 3, 4):
        raise ValueError('array_to_img: unsupported channel number: %s (array shape %s, '
                         '%s); expected 1, 3 or 4' % (channels, x.shape, data_format))
    if scale:
        work = x if np.issubdtype(x.dtype, np.floating) else x.astype('float64')
        work = work + max(-np.min(work), 0)  # new array: x is never modified
        x_max = np.max(work)
        if x_max != 0:
            work /= x_max
        work *= 255
        x = work
    if channels == 4:
        return pil_image.fromarray(x.astype('uint8'), 'RGBA')
    if channels == 3:
        return pil_image.fromarray(x.astype('uint8'), 'RGB')
    if x.size and np.max(x) > 255:
        # Wider than 8 bits: 32-bit signed integer grey image (PIL mode "I").
        return pil_image.fromarray(np.ascontiguousarray(x[:, :, 0]).astype('int32'), 'I')
    return pil_image.fromarray(np.ascontiguousarray(x[:, :, 0]).astype('uint8'), 'L')


def _format_of(path, file_format):
    if file_format is not None:
        return str(file_format).lower()
    if isinstance(path, (str, bytes, os.PathLike)):
        ext = os.path.splitext(os.fsdecode(path))[1]
        return ext[1:].lower() or None
    return None


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves an image stored as a numpy array to a path or file object.

    Arguments:
        path: path or file object.
        x: numpy array (see `array_to_img`).
        data_format: "channels_first" or "channels_last"; default
            `K.image_data_format()`.
        file_format: optional format override; if omitted the format follows
            the filename's extension (a file object needs it).
        scale: whether to rescale image values to be within [0, 255].
        **kwargs: passed on to `PIL.Image.save()`.
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == 'RGBA' and _format_of(path, file_format) in ('jpg', 'jpeg'):
        warnings.warn('The JPG format does not support RGBA images, converting to RGB.')
        img = img.convert('RGB')
    img.save(path, format=file_format, **kwargs)


def _normalize_ext(ext):
    if isinstance(ext, str):
        ext = ext.split('|')
    return tuple('.' + e.lower().lstrip('.') for e in ext if e)


def list_pictures(directory, ext=WHITE_LIST_FORMATS):
    """Lists the pictures under `directory`, subdirectories included.

    Arguments:
        directory: path of the folder to scan.
        ext: the accepted extensions: a tuple of strings, a single string, or
            Keras's older 'jpg|jpeg|png' form. Matched case-insensitively at
            the end of the file name.

    Returns:
        A sorted list of paths (`directory` joined with the relative path).
    """
    suffixes = _normalize_ext(ext)
    found = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        found.extend(os.path.join(root, f) for f in sorted(files)
                     if f.lower().endswith(suffixes))
    return found
