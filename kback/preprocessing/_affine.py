"""Random affine transforms and intensity shifts of single images
(keras.preprocessing.image, keras_preprocessing 1.1.0), plus the batch helpers
ImageDataGenerator uses.

Every warp goes through one compiled kernel, `affine_warp`, on a batch (a single
image is a batch of one).  The matrices are Keras's: rotation @ shift @ shear @
zoom, in (row, col) coordinates, centred with `transform_matrix_offset_center`
(whose `+ 0.5` centre is Keras 2.3's, one pixel off the geometric centre; kept
so results equal Keras's).  A flip that follows the warp is folded into the
matrix: sampling at M @ flip(r, c) is the same as warping and then flipping.
"""
import numbers

import numpy as np

from .. import backend as K

__all__ = ['flip_axis', 'random_rotation', 'random_shift', 'random_shear',
           'random_zoom', 'apply_channel_shift', 'random_channel_shift',
           'apply_brightness_shift', 'random_brightness',
           'transform_matrix_offset_center', 'apply_affine_transform']

FILL_MODES = ('constant', 'nearest', 'reflect', 'wrap')


def _affine_warp(x, matrices, fill_mode, cval, order, data_format):
    return K.affine_warp(x, matrices, fill_mode=fill_mode, cval=cval, order=order,
                       data_format=data_format)


def _check_warp_args(fill_mode, order, where):
    if fill_mode not in FILL_MODES:
        raise ValueError(f'{where}: fill_mode must be one of {FILL_MODES}, got {fill_mode!r}')
    if order not in (0, 1) or isinstance(order, bool):
        raise ValueError(f'{where}: interpolation order must be 0 (nearest) or '
                         f'1 (bilinear), got {order!r}')


def flip_axis(x, axis):
    """An array reversed along an axis.

    Arguments:
        x: an array.
        axis: the axis to reverse.

    Returns:
        A view of `x`, reversed.
    """
    return np.flip(np.asarray(x), axis)


def transform_matrix_offset_center(matrix, x, y):
    """A 3x3 transform matrix moved to act about Keras's image centre.

    The matrix is conjugated by a move of the origin to `(x / 2 + 0.5,
    y / 2 + 0.5)`.

    Arguments:
        matrix: a `(3, 3)` affine matrix.
        x: the image's number of rows.
        y: the image's number of columns.

    Returns:
        A `(3, 3)` numpy array.
    """
    o_x = float(x) / 2 + 0.5
    o_y = float(y) / 2 + 0.5
    offset = np.array([[1., 0., o_x], [0., 1., o_y], [0., 0., 1.]])
    reset = np.array([[1., 0., -o_x], [0., 1., -o_y], [0., 0., 1.]])
    return offset.dot(matrix).dot(reset)


def _compose(theta, tx, ty, shear, zx, zy):
    """(n, 3, 3) rotation @ shift @ shear @ zoom for parameter arrays of length n
    (angles in degrees).  Neutral factors are exact identities, so leaving them
    in the product gives the same numbers as Keras's conditional product."""
    theta = np.deg2rad(np.asarray(theta, np.float64))
    shear = np.deg2rad(np.asarray(shear, np.float64))
    n = theta.shape[0]
    one, zero = np.ones(n), np.zeros(n)

    def mat(rows):
        return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)

    rot = mat([[np.cos(theta), -np.sin(theta), zero],
               [np.sin(theta), np.cos(theta), zero], [zero, zero, one]])
    shift = mat([[one, zero, tx * one], [zero, one, ty * one], [zero, zero, one]])
    shr = mat([[one, -np.sin(shear), zero], [zero, np.cos(shear), zero],
               [zero, zero, one]])
    zoom = mat([[zx * one, zero, zero], [zero, zy * one, zero], [zero, zero, one]])
    return rot @ shift @ shr @ zoom


def batch_matrices(h, w, theta=0., tx=0., ty=0., shear=0., zx=1., zy=1.,
                   flip_horizontal=False, flip_vertical=False, n=None):
    """(n, 2, 3) sampling matrices for `affine_warp` from per-sample parameters
    (scalars or length-n arrays) on h x w images: Keras's centred affine
    followed by the horizontal (columns) and vertical (rows) flips."""
    params = [np.asarray(p, np.float64) for p in (theta, tx, ty, shear, zx, zy)]
    flips = [np.asarray(f, bool) for f in (flip_horizontal, flip_vertical)]
    if n is None:
        n = max([p.size for p in params + flips] + [1])
    params = [np.broadcast_to(p, (n,)) for p in params]
    fh, fv = (np.broadcast_to(f, (n,)) for f in flips)
    m = _compose(*params)
    o_r, o_c = h / 2. + 0.5, w / 2. + 0.5
    offset = np.array([[1., 0., o_r], [0., 1., o_c], [0., 0., 1.]])
    reset = np.array([[1., 0., -o_r], [0., 1., -o_c], [0., 0., 1.]])
    m = offset @ m @ reset
    # Output pixel (r, c) of the flipped result is pixel (h-1-r, w-1-c) of the
    # warped one: right-multiply by that reflection.
    flip = np.tile(np.eye(3), (n, 1, 1))
    flip[fv, 0, 0], flip[fv, 0, 2] = -1., h - 1.
    flip[fh, 1, 1], flip[fh, 1, 2] = -1., w - 1.
    return np.ascontiguousarray((m @ flip)[:, :2, :])


def _is_neutral(theta=0, tx=0, ty=0, shear=0, zx=1, zy=1):
    return theta == 0 and tx == 0 and ty == 0 and shear == 0 and zx == 1 and zy == 1


def _to_rcc(x, row_axis, col_axis, channel_axis, where):
    """x as (rows, cols, channels) and the permutation that undoes it."""
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f'{where}: expected a single image of rank 3, got shape {x.shape}')
    axes = []
    for name, a in (('row_axis', row_axis), ('col_axis', col_axis),
                    ('channel_axis', channel_axis)):
        if not isinstance(a, numbers.Integral) or not -3 <= a < 3:
            raise ValueError(f'{where}: {name} must be an axis of a rank-3 image, got {a!r}')
        axes.append(int(a) % 3)
    if len(set(axes)) != 3:
        raise ValueError(f'{where}: row_axis, col_axis and channel_axis must be distinct, '
                         f'got {row_axis}, {col_axis}, {channel_axis}')
    return np.transpose(x, axes), np.argsort(axes)


def _warp_one(x, matrix, row_axis, col_axis, channel_axis, fill_mode, cval, order,
              where):
    img, back = _to_rcc(x, row_axis, col_axis, channel_axis, where)
    out = _affine_warp(img[None], matrix, fill_mode, cval, order, 'channels_last')[0]
    out = np.transpose(out, back)
    if np.issubdtype(x.dtype, np.integer):      # as scipy.ndimage: rounded, same dtype
        info = np.iinfo(x.dtype)
        out = np.clip(np.rint(out), info.min, info.max).astype(x.dtype)
    return out


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1,
                           row_axis=0, col_axis=1, channel_axis=2,
                           fill_mode='nearest', cval=0., order=1):
    """Warps one image by Keras's affine transformation.

    Arguments:
        x: a 3D image array.
        theta: the rotation angle, in degrees.
        tx: the shift along the rows, in pixels.
        ty: the shift along the columns, in pixels.
        shear: the shear angle, in degrees.
        zx: the zoom of the rows (above 1 samples a larger area, so the
            content shrinks).
        zy: the zoom of the columns.
        row_axis: the index of the rows axis.
        col_axis: the index of the columns axis.
        channel_axis: the index of the channels axis.
        fill_mode: how points outside the image are filled: `'constant'`,
            `'nearest'`, `'reflect'` or `'wrap'`.
        cval: the fill value of `'constant'`.
        order: 0 (nearest neighbour) or 1 (bilinear).

    Returns:
        The warped image (`x` itself when the transformation is the identity).

    Raises:
        ValueError: for an unknown fill mode, order or axes.
    """
    _check_warp_args(fill_mode, order, 'apply_affine_transform')
    if _is_neutral(theta, tx, ty, shear, zx, zy):
        return x
    x = np.asarray(x)
    img, _ = _to_rcc(x, row_axis, col_axis, channel_axis, 'apply_affine_transform')
    m = batch_matrices(img.shape[0], img.shape[1], theta, tx, ty, shear, zx, zy, n=1)
    return _warp_one(x, m, row_axis, col_axis, channel_axis, fill_mode, cval, order,
                     'apply_affine_transform')


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0,
                    fill_mode='nearest', cval=0., interpolation_order=1):
    """Rotates an image by a random angle in `[-rg, rg)` degrees.

    Arguments:
        x: a 3D image array.
        rg: the largest rotation, in degrees.
        row_axis: the index of the rows axis.
        col_axis: the index of the columns axis.
        channel_axis: the index of the channels axis.
        fill_mode: how points outside the image are filled: `'constant'`,
            `'nearest'`, `'reflect'` or `'wrap'`.
        cval: the fill value of `'constant'`.
        interpolation_order: 0 (nearest neighbour) or 1 (bilinear).

    Returns:
        The transformed image, a numpy array.
    """
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode,
                                  cval=cval, order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0,
                 fill_mode='nearest', cval=0., interpolation_order=1):
    """Shifts an image by random fractions of its width and height.

    Arguments:
        x: a 3D image array.
        wrg: the largest width shift, a fraction of the width.
        hrg: the largest height shift, a fraction of the height.
        row_axis: the index of the rows axis.
        col_axis: the index of the columns axis.
        channel_axis: the index of the channels axis.
        fill_mode: how points outside the image are filled: `'constant'`,
            `'nearest'`, `'reflect'` or `'wrap'`.
        cval: the fill value of `'constant'`.
        interpolation_order: 0 (nearest neighbour) or 1 (bilinear).

    Returns:
        The transformed image, a numpy array.
    """
    x = np.asarray(x)
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode,
                                  cval=cval, order=interpolation_order)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0,
                 fill_mode='nearest', cval=0., interpolation_order=1):
    """Shears an image by a random angle in `[-intensity, intensity)` degrees.

    Arguments:
        x: a 3D image array.
        intensity: the largest shear angle, in degrees.
        row_axis: the index of the rows axis.
        col_axis: the index of the columns axis.
        channel_axis: the index of the channels axis.
        fill_mode: how points outside the image are filled: `'constant'`,
            `'nearest'`, `'reflect'` or `'wrap'`.
        cval: the fill value of `'constant'`.
        interpolation_order: 0 (nearest neighbour) or 1 (bilinear).

    Returns:
        The transformed image, a numpy array.
    """
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode,
                                  cval=cval, order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0,
                fill_mode='nearest', cval=0., interpolation_order=1):
    """Zooms an image by random factors for the rows and the columns.

    Arguments:
        x: a 3D image array.
        zoom_range: a pair of floats `(lower, upper)`; each factor is drawn
            from it.
        row_axis: the index of the rows axis.
        col_axis: the index of the columns axis.
        channel_axis: the index of the channels axis.
        fill_mode: how points outside the image are filled: `'constant'`,
            `'nearest'`, `'reflect'` or `'wrap'`.
        cval: the fill value of `'constant'`.
        interpolation_order: 0 (nearest neighbour) or 1 (bilinear).

    Returns:
        The transformed image, a numpy array.

    Raises:
        ValueError: if `zoom_range` is not a pair.
    """
    if len(zoom_range) != 2:
        raise ValueError('`zoom_range` should be a tuple or list of two floats. '
                         'Received: %s' % (zoom_range,))
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode,
                                  cval=cval, order=interpolation_order)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Adds an intensity to every channel of an image, clipped to the image's
    own range.

    As in Keras, one intensity applies to all channels, so the clipping range
    is the image's global minimum and maximum.

    Arguments:
        x: a 3D image array.
        intensity: the value added.
        channel_axis: the index of the channels axis.

    Returns:
        The shifted image, a numpy array.
    """
    x = np.asarray(x)
    if not -x.ndim <= channel_axis < x.ndim:
        raise ValueError(f'apply_channel_shift: channel_axis {channel_axis} is out of '
                         f'range for an image of shape {x.shape}')
    return np.clip(x + intensity, np.min(x), np.max(x))


def random_channel_shift(x, intensity_range, channel_axis=0):
    """Shifts the channels of an image by a random intensity in
    `[-intensity_range, intensity_range)`.

    Arguments:
        x: a 3D image array.
        intensity_range: the largest intensity.
        channel_axis: the index of the channels axis.

    Returns:
        The shifted image, a numpy array.
    """
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def brightness_batch(x, factors, channel_axis):
    """Keras's brightness shift, vectorised over a batch (n, ...) with the
    channels on `channel_axis` (1, 3 or 4 of them).

    Keras converts each image to 8 bits with array_to_img (shift by -min only
    if min < 0, divide by the max if it is not 0, times 255, truncate: all in
    float32), scales it with PIL's ImageEnhance.Brightness (blend with black:
    truncate(clip(float32(f) * v, 0, 255)); the alpha of an RGBA image is kept)
    and reads it back as float32 in [0, 255].  This computes the same numbers
    without the round trip through PIL.
    """
    x = np.asarray(x, np.float32)
    n_channels = x.shape[channel_axis]
    if n_channels not in (1, 3, 4):
        raise ValueError('Unsupported channel number: %s (brightness shifts need '
                         '1, 3 or 4 channels; image shape %s)' % (n_channels, x.shape[1:]))
    axes = tuple(range(1, x.ndim))
    shift = np.maximum(-x.min(axis=axes, keepdims=True), np.float32(0))
    v = x + shift
    top = v.max(axis=axes, keepdims=True)
    np.divide(v, top, out=v, where=top != 0)
    v *= np.float32(255)
    v = v.astype(np.uint8).astype(np.float32)
    f = np.asarray(factors, np.float32).reshape((-1,) + (1,) * (x.ndim - 1))
    out = np.trunc(np.clip(f * v, 0, 255))
    if n_channels == 4:
        alpha = [slice(None)] * x.ndim
        alpha[channel_axis] = 3
        out[tuple(alpha)] = v[tuple(alpha)]
    return out


def apply_brightness_shift(x, brightness):
    """Changes the brightness of a channels-last image, as Keras does with Pillow.

    Arguments:
        x: a 3D image array with 1, 3 or 4 channels.
        brightness: the factor (1 keeps the image, 0 makes it black).

    Returns:
        The image as float32 values in [0, 255] (Keras's 8-bit result).
    """
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError('Expected image array to have rank 3 (single image). '
                         'Got array with shape: %s' % (x.shape,))
    return brightness_batch(x[None], brightness, 3)[0]


def random_brightness(x, brightness_range):
    """Changes the brightness of an image by a random factor.

    Arguments:
        x: a 3D channels-last image array.
        brightness_range: a pair of floats; the factor is drawn from it.

    Returns:
        The image, as `apply_brightness_shift` returns it.

    Raises:
        ValueError: if `brightness_range` is not a pair.
    """
    if len(brightness_range) != 2:
        raise ValueError('`brightness_range should be tuple or list of two floats. '
                         'Received: %s' % (brightness_range,))
    u = np.random.uniform(brightness_range[0], brightness_range[1])
    return apply_brightness_shift(x, u)
