"""Single-image transforms of kback.preprocessing.image against Keras 2.3's
formulas (keras_preprocessing 1.1.0): scipy.ndimage with Keras's own matrix is
the reference for the warps, PIL's ImageEnhance for the brightness."""
import numpy as np
import pytest
from PIL import Image, ImageEnhance
from scipy import ndimage

from kback.preprocessing import image
from kback.preprocessing import _affine

SCIPY_MODE = {'constant': 'constant', 'nearest': 'nearest', 'reflect': 'reflect',
              'wrap': 'grid-wrap'}


def keras_matrix(h, w, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1):
    """Keras 2.3's composition (rotation, shift, shear, zoom) and centring."""
    m = np.eye(3)
    if theta:
        t = np.deg2rad(theta)
        m = m @ np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    if tx or ty:
        m = m @ np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    if shear:
        s = np.deg2rad(shear)
        m = m @ np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]])
    if zx != 1 or zy != 1:
        m = m @ np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    ox, oy = h / 2 + 0.5, w / 2 + 0.5
    return np.array([[1, 0, ox], [0, 1, oy], [0, 0, 1]]) @ m @ \
        np.array([[1, 0, -ox], [0, 1, -oy], [0, 0, 1]])


def reference(x, row_axis=0, col_axis=1, channel_axis=2, fill_mode='nearest', cval=0.,
              order=1, **params):
    img = np.transpose(x, (row_axis, col_axis, channel_axis))
    m = keras_matrix(img.shape[0], img.shape[1], **params)
    out = np.stack([ndimage.affine_transform(img[:, :, c], m[:2, :2], m[:2, 2], order=order,
                                             mode=SCIPY_MODE[fill_mode], cval=cval)
                    for c in range(img.shape[2])], axis=-1)
    return np.transpose(out, np.argsort((row_axis, col_axis, channel_axis)))


TRANSFORMS = {
    'rotation': dict(theta=33.),
    'shift': dict(tx=1.7, ty=-2.4),
    'shear': dict(shear=21.),
    'zoom': dict(zx=0.8, zy=1.35),
    'combined': dict(theta=-17., tx=0.6, ty=1.3, shear=9., zx=1.15, zy=0.9),
}
LAYOUTS = {'hwc': (0, 1, 2), 'chw': (1, 2, 0)}


def _image(layout, dtype=np.float64, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 2, (7, 9, 2)).astype(dtype)           # non-square on purpose
    return x if layout == 'hwc' else np.ascontiguousarray(x.transpose(2, 0, 1))


@pytest.mark.parametrize('fill_mode', ['constant', 'nearest', 'reflect', 'wrap'])
@pytest.mark.parametrize('name', sorted(TRANSFORMS))
@pytest.mark.parametrize('layout', sorted(LAYOUTS))
def test_apply_affine_transform_matches_keras_formula(layout, name, fill_mode):
    row, col, ch = LAYOUTS[layout]
    x = _image(layout)
    kw = dict(row_axis=row, col_axis=col, channel_axis=ch, fill_mode=fill_mode, cval=-0.5)
    got = image.apply_affine_transform(x, **TRANSFORMS[name], **kw)
    want = reference(x, **TRANSFORMS[name], **kw)
    assert got.shape == x.shape and got.dtype == x.dtype
    np.testing.assert_allclose(got, want, atol=1e-6)


@pytest.mark.parametrize('cval', [0., 3.5])
def test_constant_fill_uses_cval_and_order_zero(cval):
    x = _image('hwc', np.float32)
    kw = dict(theta=40., zx=1.6, zy=1.6, fill_mode='constant', cval=cval, order=0)
    got = image.apply_affine_transform(x, **kw)
    np.testing.assert_allclose(got, reference(x.astype(np.float64), **kw), atol=1e-5)
    assert got.dtype == np.float32
    # zooming out by 1.6 leaves the corners outside the source: filled with cval
    assert got[0, 0, 0] == cval and got[-1, -1, 1] == cval


def test_transposed_axes_follow_row_and_col_axis():
    x = _image('hwc')
    a = image.apply_affine_transform(x, theta=25., tx=1., ty=-0.5, zx=1.1)
    b = image.apply_affine_transform(np.ascontiguousarray(x.transpose(1, 0, 2)), theta=25.,
                                     tx=1., ty=-0.5, zx=1.1, row_axis=1, col_axis=0)
    np.testing.assert_allclose(b, a.transpose(1, 0, 2), atol=1e-6)


def test_neutral_parameters_return_input_and_integer_images_stay_integer():
    x = _image('hwc')
    assert image.apply_affine_transform(x) is x
    u = (np.arange(7 * 9 * 3) % 251).astype(np.uint8).reshape(7, 9, 3)
    got = image.apply_affine_transform(u, theta=90.)
    assert got.dtype == np.uint8
    want = np.rint(reference(u.astype(np.float64), theta=90.))
    np.testing.assert_array_equal(got, want)


def test_transform_matrix_offset_center():
    m = np.array([[1., 2., 3.], [4., 5., 6.], [0., 0., 1.]])
    got = image.transform_matrix_offset_center(m, 6, 9)
    o = np.array([[1, 0, 3.5], [0, 1, 5.], [0, 0, 1]])
    r = np.array([[1, 0, -3.5], [0, 1, -5.], [0, 0, 1]])
    np.testing.assert_allclose(got, o @ m @ r)


def test_batch_matrices_fold_flips_exactly():
    x = np.random.RandomState(1).rand(4, 7, 9, 3).astype(np.float32)
    fh = np.array([True, False, True, False])
    fv = np.array([False, False, True, True])
    m = _affine.batch_matrices(7, 9, flip_horizontal=fh, flip_vertical=fv, n=4)
    for fill in ('nearest', 'constant', 'reflect', 'wrap'):
        out = _affine._affine_warp(x, m, fill, 0., 1, 'channels_last')
        for i in range(4):
            want = x[i]
            if fh[i]:
                want = want[:, ::-1]
            if fv[i]:
                want = want[::-1]
            np.testing.assert_array_equal(out[i], want)
    # after a warp: flipping the warped image == sampling with the folded matrix
    xc = np.ascontiguousarray(x.transpose(0, 3, 1, 2)).astype(np.float64)
    m = _affine.batch_matrices(7, 9, theta=[20.] * 4, tx=1.5, flip_horizontal=fh,
                               flip_vertical=fv)
    out = _affine._affine_warp(xc, m, 'reflect', 0., 1, 'channels_first')
    plain = reference(x[2].astype(np.float64), theta=20., tx=1.5, fill_mode='reflect')
    np.testing.assert_allclose(out[2].transpose(1, 2, 0), plain[::-1, ::-1], atol=1e-6)
    np.testing.assert_allclose(out[3].transpose(1, 2, 0),
                               reference(x[3].astype(np.float64), theta=20., tx=1.5,
                                         fill_mode='reflect')[::-1], atol=1e-6)


def test_flip_axis():
    x = np.arange(24).reshape(2, 3, 4)
    for axis in range(3):
        np.testing.assert_array_equal(image.flip_axis(x, axis), np.flip(x, axis))


def test_random_functions_draw_keras_parameters():
    x = _image('chw')          # Keras's defaults: channel_axis=0, rows 1, cols 2
    kw = dict(row_axis=1, col_axis=2, channel_axis=0)
    np.random.seed(3)
    got = image.random_rotation(x, 40)
    np.random.seed(3)
    theta = np.random.uniform(-40, 40)
    np.testing.assert_allclose(got, reference(x, theta=theta, **kw), atol=1e-6)

    np.random.seed(4)
    got = image.random_shift(x, 0.2, 0.3)
    np.random.seed(4)
    tx = np.random.uniform(-0.3, 0.3) * 7
    ty = np.random.uniform(-0.2, 0.2) * 9
    np.testing.assert_allclose(got, reference(x, tx=tx, ty=ty, **kw), atol=1e-6)

    np.random.seed(5)
    got = image.random_shear(x, 30, fill_mode='constant', cval=1.)
    np.random.seed(5)
    shear = np.random.uniform(-30, 30)
    np.testing.assert_allclose(got, reference(x, shear=shear, fill_mode='constant', cval=1.,
                                              **kw), atol=1e-6)

    np.random.seed(6)
    got = image.random_zoom(x, (0.7, 1.2), interpolation_order=0)
    np.random.seed(6)
    zx, zy = np.random.uniform(0.7, 1.2, 2)
    np.testing.assert_allclose(got, reference(x, zx=zx, zy=zy, order=0, **kw), atol=1e-6)
    assert image.random_zoom(x, (1, 1)) is x
    with pytest.raises(ValueError, match='zoom_range'):
        image.random_zoom(x, (0.5, 1, 2))


def test_channel_shift_clips_to_image_range():
    x = np.array([[[0., 10.], [5., 2.]]])               # (1, 2, 2): channel axis 2
    got = image.apply_channel_shift(x, 3., channel_axis=2)
    np.testing.assert_array_equal(got, [[[3., 10.], [8., 5.]]])
    got = image.apply_channel_shift(x, -4., channel_axis=0)
    np.testing.assert_array_equal(got, [[[0., 6.], [1., 0.]]])
    np.random.seed(0)
    got = image.random_channel_shift(x, 2., channel_axis=2)
    np.random.seed(0)
    np.testing.assert_allclose(got, np.clip(x + np.random.uniform(-2., 2.), 0., 10.))


def keras_brightness(x, factor):
    """Keras 2.3: array_to_img(x) -> ImageEnhance.Brightness -> img_to_array."""
    x = np.asarray(x, np.float32)
    x = x + max(-np.min(x), 0)
    top = np.max(x)
    if top != 0:
        x /= top
    x *= 255
    c = x.shape[2]
    mode = {1: 'L', 3: 'RGB', 4: 'RGBA'}[c]
    img = Image.fromarray(x[:, :, 0].astype('uint8') if c == 1 else x.astype('uint8'), mode)
    out = np.asarray(ImageEnhance.Brightness(img).enhance(factor), dtype=np.float32)
    return out.reshape(out.shape[0], out.shape[1], -1)


@pytest.mark.parametrize('channels', [1, 3, 4])
def test_brightness_matches_pil(channels):
    rng = np.random.RandomState(channels)
    images = [rng.uniform(0, 255, (6, 5, channels)), rng.uniform(-3, 7, (6, 5, channels)),
              rng.uniform(0, 1, (6, 5, channels)), np.zeros((6, 5, channels)),
              rng.randint(0, 256, (6, 5, channels)).astype(np.float32)]
    for x in images:
        for f in (0., 0.37, 1., 1.6, 2.5, -0.4):
            got = image.apply_brightness_shift(x, f)
            assert got.dtype == np.float32 and got.shape == x.shape
            np.testing.assert_array_equal(got, keras_brightness(x, f))
    np.random.seed(2)
    got = image.random_brightness(images[0], (0.5, 1.5))
    np.random.seed(2)
    np.testing.assert_array_equal(
        got, keras_brightness(images[0], np.random.uniform(0.5, 1.5)))


def test_brightness_batch_channels_first_and_errors():
    rng = np.random.RandomState(0)
    x = rng.uniform(0, 3, (3, 4, 5, 6))                     # NCHW, 4 channels
    f = np.array([0.5, 1.2, 2.])
    got = _affine.brightness_batch(x, f, 1)
    for i in range(3):
        want = keras_brightness(x[i].transpose(1, 2, 0), f[i]).transpose(2, 0, 1)
        np.testing.assert_array_equal(got[i], want)
    with pytest.raises(ValueError, match='channel'):
        image.apply_brightness_shift(np.zeros((4, 4, 2)), 1.)
    with pytest.raises(ValueError, match='rank 3'):
        image.apply_brightness_shift(np.zeros((4, 4)), 1.)
    with pytest.raises(ValueError, match='brightness_range'):
        image.random_brightness(np.zeros((4, 4, 3)), (1.,))


def test_bad_arguments():
    x = np.zeros((5, 5, 3))
    with pytest.raises(ValueError, match='fill_mode'):
        image.apply_affine_transform(x, theta=10, fill_mode='mirror')
    with pytest.raises(ValueError, match='order'):
        image.apply_affine_transform(x, theta=10, order=3)
    with pytest.raises(ValueError, match='rank 3'):
        image.apply_affine_transform(np.zeros((5, 5)), theta=10)
    with pytest.raises(ValueError, match='distinct'):
        image.apply_affine_transform(x, theta=10, row_axis=0, col_axis=0, channel_axis=2)
    with pytest.raises(ValueError, match='channel_axis'):
        image.apply_channel_shift(x, 1., channel_axis=3)
