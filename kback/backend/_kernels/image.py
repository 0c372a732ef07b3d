"""Image warps for ImageDataGenerator: one call transforms a whole batch.

`affine_warp` samples every output pixel (r, c) of image n at
(M[0,0]*r + M[0,1]*c + M[0,2], M[1,0]*r + M[1,1]*c + M[1,2]), M = matrices[n]:
scipy.ndimage.affine_transform(image, M[:, :2], offset=M[:, 2]) on the two
spatial axes of every channel, with Keras's fill modes.  Without the compiled
core it falls back to scipy itself (`_reference.affine_warp`).
"""
import threading

import numpy as np

from .. import _reference as R
from ._common import AVAILABLE, FLOATS, threads_for, out_buffer

if AVAILABLE:
    from kback_core import image as _image

# Keras fill_mode -> the kernel's code for it.
FILL_MODES = {'constant': 0, 'nearest': 1, 'reflect': 2, 'wrap': 3}
DATA_FORMATS = ('channels_last', 'channels_first')


def _check(x, matrices, fill_mode, order, data_format):
    """x as an array of a float dtype, matrices as a float64 (n or 1, 2, 3) array."""
    name = 'affine_warp'
    if data_format not in DATA_FORMATS:
        raise ValueError(f'{name}: unknown data_format {data_format!r}; expected one of '
                         f'{DATA_FORMATS}')
    if fill_mode not in FILL_MODES:
        raise ValueError(f'{name}: unknown fill_mode {fill_mode!r}; expected one of '
                         f'{tuple(FILL_MODES)}')
    if isinstance(order, (bool, np.bool_)) or order not in (0, 1):
        raise ValueError(f'{name}: order must be 0 (nearest) or 1 (bilinear), got {order!r}')
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f'{name}: x must be a rank-4 batch ({"NHWC" if data_format == "channels_last" else "NCHW"}), '
                         f'got shape {x.shape}')
    if x.dtype.type not in FLOATS:
        x = x.astype(np.float32)
    m = np.asarray(matrices, dtype=np.float64)
    if m.shape == (2, 3):
        m = m[None]
    elif m.ndim != 3 or m.shape[1:] != (2, 3) or m.shape[0] != x.shape[0]:
        raise ValueError(f'{name}: matrices must have shape (2, 3) or ({x.shape[0]}, 2, 3) '
                         f'for a batch of {x.shape[0]}, got {m.shape}')
    if not np.all(np.isfinite(m)):
        raise ValueError(f'{name}: matrices must be finite, got {m}')
    return x, np.ascontiguousarray(m)


def affine_warp(x, matrices, fill_mode='nearest', cval=0.0, order=1,
                data_format='channels_last', out=None):
    """Warps every image of a batch by its own affine matrix (kback's own).

    Output pixel `(r, c)` of image `n` is sampled at
    `(M[0,0]*r + M[0,1]*c + M[0,2], M[1,0]*r + M[1,1]*c + M[1,2])` with
    `M = matrices[n]`, as `scipy.ndimage.affine_transform` samples (Keras's
    augmentation path), on numpy arrays, in one compiled call.

    Arguments:
        x: a 4D numpy batch, `(n, rows, cols, channels)` or channels first;
            float32 and float64 are kept, other dtypes computed in float32.
        matrices: a `(n, 2, 3)` array (or one `(2, 3)` matrix for all).
        fill_mode: how points outside an image are filled: `'constant'`,
            `'nearest'`, `'reflect'` or `'wrap'`.
        cval: the fill value of `'constant'`.
        order: 0 (nearest neighbour) or 1 (bilinear).
        data_format: `'channels_last'` or `'channels_first'`.
        out: an optional output array of `x`'s shape and dtype.

    Returns:
        The warped batch, a numpy array.

    Raises:
        ValueError: if an argument is unknown or the shapes do not fit.
    """
    x, m = _check(x, matrices, fill_mode, order, data_format)
    cval = float(cval)
    out = out_buffer(out, x.shape, x.dtype, 'affine_warp')
    if x.size == 0:
        return out
    if not AVAILABLE:
        out[...] = R.affine_warp(x, m, fill_mode, cval, order, data_format == 'channels_last')
        return out
    if np.may_share_memory(x, out):      # warping in place reads a copy
        x = x.copy()
    x = np.ascontiguousarray(x)
    # One thread in data-loading workers (fit_generator(workers=2)): their own
    # OpenMP teams beside the training step's oversubscribed 2 cores and made
    # examples/image_directory.py 3x slower (19-26 s -> 7.5-8 s).
    on_main = threading.current_thread() is threading.main_thread()
    _image.affine_warp(x, m, out, FILL_MODES[fill_mode], cval, int(order),
                       data_format == 'channels_last', threads_for(x.size) if on_main else 1)
    return out

