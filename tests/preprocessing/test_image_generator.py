"""ImageDataGenerator: Keras 2.3's arguments, per-image methods, fit and
standardize formulas, and the vectorised transform_batch."""
import warnings

import numpy as np
import pytest

from kback import backend as K
from kback.preprocessing import image
from kback.preprocessing.image import ImageDataGenerator


def _batch(n=6, fmt='channels_last', seed=0, h=7, w=9, c=3):
    x = np.random.RandomState(seed).uniform(0, 1, (n, h, w, c)).astype(np.float32)
    return x if fmt == 'channels_last' else np.ascontiguousarray(x.transpose(0, 3, 1, 2))


# ------------------------------------------------------------------ arguments
def test_defaults_follow_backend_settings():
    g = ImageDataGenerator()
    assert g.data_format == 'channels_last' and g.dtype == 'float32'
    assert (g.channel_axis, g.row_axis, g.col_axis) == (3, 1, 2)
    assert g.zoom_range == [1, 1] and g.interpolation_order == 1
    assert g.mean is None and g.std is None and g.principal_components is None
    assert g._validation_split == 0.0
    K.set_image_data_format('channels_first')
    K.set_floatx('float64')
    g = ImageDataGenerator(validation_split=0.25)
    assert g.data_format == 'channels_first' and g.dtype == 'float64'
    assert (g.channel_axis, g.row_axis, g.col_axis) == (1, 2, 3)
    assert g._validation_split == 0.25
    g = ImageDataGenerator(data_format='channels_last', dtype='float16')
    assert g.data_format == 'channels_last' and g.dtype == 'float16'


def test_argument_validation():
    with pytest.raises(ValueError, match='data_format'):
        ImageDataGenerator(data_format='channels_middle')
    for split in (1.0, 1.5, -0.2):
        with pytest.raises(ValueError, match='validation_split'):
            ImageDataGenerator(validation_split=split)
    with pytest.raises(ValueError, match='zoom_range'):
        ImageDataGenerator(zoom_range=(0.5, 1., 1.5))
    for br in (0.5, (0.5,), (0.5, 1., 1.5)):
        with pytest.raises(ValueError, match='brightness_range'):
            ImageDataGenerator(brightness_range=br)
    with pytest.raises(ValueError, match='fill_mode'):
        ImageDataGenerator(fill_mode='mirror')
    with pytest.raises(ValueError, match='order'):
        ImageDataGenerator(interpolation_order=2)
    assert ImageDataGenerator(zoom_range=0.2).zoom_range == [0.8, 1.2]
    assert ImageDataGenerator(zoom_range=(0.5, 2)).zoom_range == [0.5, 2]
    assert ImageDataGenerator(brightness_range=[0.2, 0.9]).brightness_range == [0.2, 0.9]


def test_option_implications_warn():
    with pytest.warns(UserWarning, match='featurewise_center'):
        g = ImageDataGenerator(zca_whitening=True)
    assert g.featurewise_center
    with pytest.warns(UserWarning, match='featurewise_std_normalization'):
        g = ImageDataGenerator(zca_whitening=True, featurewise_center=True,
                               featurewise_std_normalization=True)
    assert not g.featurewise_std_normalization
    with pytest.warns(UserWarning, match='featurewise_center'):
        g = ImageDataGenerator(featurewise_std_normalization=True)
    assert g.featurewise_center
    with pytest.warns(UserWarning, match='samplewise_center'):
        g = ImageDataGenerator(samplewise_std_normalization=True)
    assert g.samplewise_center


# --------------------------------------------------------- per-image methods
def keras_draws(g, img_shape, seed):
    """Keras 2.3's get_random_transform, draw by draw from numpy's global state."""
    np.random.seed(seed)
    theta = np.random.uniform(-g.rotation_range, g.rotation_range) if g.rotation_range else 0

    def shift(spec, size):
        if not spec:
            return 0
        try:
            v = np.random.choice(spec)
            v *= np.random.choice([-1, 1])
        except ValueError:
            v = np.random.uniform(-spec, spec)
        return v * size if np.max(spec) < 1 else v

    tx = shift(g.height_shift_range, img_shape[g.row_axis - 1])
    ty = shift(g.width_shift_range, img_shape[g.col_axis - 1])
    shear = np.random.uniform(-g.shear_range, g.shear_range) if g.shear_range else 0
    zx, zy = (1, 1) if g.zoom_range == [1, 1] else np.random.uniform(*g.zoom_range, 2)
    fh = (np.random.random() < 0.5) * g.horizontal_flip
    fv = (np.random.random() < 0.5) * g.vertical_flip
    cs = np.random.uniform(-g.channel_shift_range, g.channel_shift_range) \
        if g.channel_shift_range else None
    br = np.random.uniform(*g.brightness_range) if g.brightness_range else None
    return dict(theta=theta, tx=tx, ty=ty, shear=shear, zx=zx, zy=zy, flip_horizontal=fh,
                flip_vertical=fv, channel_shift_intensity=cs, brightness=br)


@pytest.mark.parametrize('shifts', [(0.2, 0.3), (3, 2), (2.5, 4.0), ([1, 2], [0.1, 0.2])])
def test_get_random_transform_draws_like_keras(shifts):
    g = ImageDataGenerator(rotation_range=30, width_shift_range=shifts[0],
                           height_shift_range=shifts[1], shear_range=10, zoom_range=0.3,
                           horizontal_flip=True, vertical_flip=True, channel_shift_range=0.2,
                           brightness_range=(0.5, 1.5))
    for seed in range(5):
        got = g.get_random_transform((7, 9, 3), seed=seed)
        want = keras_draws(g, (7, 9, 3), seed)
        assert set(got) == set(want)
        for k in want:
            np.testing.assert_allclose(got[k], want[k], err_msg=k)
    g = ImageDataGenerator()
    p = g.get_random_transform((7, 9, 3))
    assert p == dict(theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, flip_horizontal=False,
                     flip_vertical=False, channel_shift_intensity=None, brightness=None)


@pytest.mark.parametrize('fmt', ['channels_last', 'channels_first'])
def test_apply_transform_is_keras_sequence(fmt):
    g = ImageDataGenerator(data_format=fmt, fill_mode='reflect')
    x = _batch(1, fmt)[0].astype(np.float64)
    ax = dict(row_axis=g.row_axis - 1, col_axis=g.col_axis - 1,
              channel_axis=g.channel_axis - 1)
    p = dict(theta=20., tx=1., ty=-2., shear=5., zx=1.1, zy=0.9, flip_horizontal=True,
             flip_vertical=True, channel_shift_intensity=0.1, brightness=None)
    want = image.apply_affine_transform(x, 20., 1., -2., 5., 1.1, 0.9, fill_mode='reflect', **ax)
    want = image.apply_channel_shift(want, 0.1, ax['channel_axis'])
    want = image.flip_axis(image.flip_axis(want, ax['col_axis']), ax['row_axis'])
    got = g.apply_transform(x, p)
    np.testing.assert_allclose(got, want, atol=1e-6)
    # brightness comes last, on the warped image
    p.update(brightness=1.3, channel_shift_intensity=None, flip_vertical=False)
    got = g.apply_transform(x, p)
    warped = image.flip_axis(image.apply_affine_transform(
        x, 20., 1., -2., 5., 1.1, 0.9, fill_mode='reflect', **ax), ax['col_axis'])
    cl = warped if fmt == 'channels_last' else warped.transpose(1, 2, 0)
    want = image.apply_brightness_shift(cl, 1.3)
    want = want if fmt == 'channels_last' else want.transpose(2, 0, 1)
    assert np.abs(got - want).max() <= 1.     # 8-bit truncation of a 1e-7 difference
    assert np.mean(got == want) > 0.95
    # missing keys are neutral
    np.testing.assert_array_equal(g.apply_transform(x, {}), x)
    np.testing.assert_array_equal(g.apply_transform(x, {'flip_horizontal': 1}),
                                  image.flip_axis(x, ax['col_axis']))


def test_random_transform_uses_seed():
    g = ImageDataGenerator(rotation_range=40, zoom_range=0.2, horizontal_flip=True)
    x = _batch(1)[0]
    a, b = g.random_transform(x, seed=7), g.random_transform(x, seed=7)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, g.apply_transform(x, g.get_random_transform(x.shape, 7)))
    assert not np.allclose(a, g.random_transform(x, seed=8))


# ------------------------------------------------------------ standardize / fit
def test_standardize_order_and_formulas():
    seen = []

    def pre(img):
        seen.append(img.copy())
        return img * 2

    x = _batch(4, seed=1) + 0.5
    g = ImageDataGenerator(preprocessing_function=pre, rescale=0.5, samplewise_center=True,
                           samplewise_std_normalization=True)
    got = g.standardize(x.copy())
    np.testing.assert_array_equal(seen[0], x)            # function sees the raw input
    want = x * 2 * 0.5
    want = want - want.mean()
    want = want / (want.std() + 1e-6)                     # Keras: over all of its input
    np.testing.assert_allclose(got, want, rtol=1e-5)
    # transform_batch: each sample is one image for these (as Keras's iterators)
    seen.clear()
    got = g.transform_batch(x.copy(), np.random.RandomState(0))
    assert len(seen) == 4
    for i in range(4):
        w = x[i] * 2 * 0.5
        w = w - w.mean()
        np.testing.assert_allclose(got[i], w / (w.std() + 1e-6), rtol=1e-5, atol=1e-6)


def test_standardize_warns_before_fit():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        g = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                               zca_whitening=True)
    g.featurewise_std_normalization = True
    x = _batch(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        out = g.standardize(x.copy())
    messages = ' '.join(str(w.message) for w in caught)
    for option in ('featurewise_center', 'featurewise_std_normalization', 'zca_whitening'):
        assert "specifies `%s`, but it hasn't been fit" % option in messages
    np.testing.assert_array_equal(out, x)            # nothing applied without stats


@pytest.mark.parametrize('fmt', ['channels_last', 'channels_first'])
def test_fit_featurewise_statistics(fmt):
    x = _batch(10, fmt, seed=2) * np.float32(3)
    g = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                           data_format=fmt)
    g.fit(x)
    cax = g.channel_axis
    shape = (1, 1, 3) if fmt == 'channels_last' else (3, 1, 1)
    assert g.mean.shape == shape and g.std.shape == shape
    red = tuple(a for a in range(4) if a != cax)
    mean = x.mean(axis=red)
    np.testing.assert_allclose(g.mean.ravel(), mean, rtol=1e-5)
    np.testing.assert_allclose(g.std.ravel(), x.std(axis=red), rtol=1e-5)
    out = g.standardize(x.copy())
    np.testing.assert_allclose(out.mean(axis=red), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=red), 1, atol=1e-4)
    assert g.principal_components is None


def test_fit_zca_whitening():
    x = _batch(40, h=4, w=3, c=1, seed=3)
    with pytest.warns(UserWarning):
        g = ImageDataGenerator(zca_whitening=True, zca_epsilon=1e-3)
    g.fit(x)
    flat = (x - x.mean(axis=(0, 1, 2))).reshape(40, -1).astype(np.float64)
    sigma = flat.T @ flat / 40
    u, s, _ = np.linalg.svd(sigma)
    pcs = (u / np.sqrt(s + 1e-3)) @ u.T
    assert g.principal_components.shape == (12, 12)
    np.testing.assert_allclose(g.principal_components, pcs, rtol=1e-3, atol=1e-3)
    out = g.standardize(x.copy())
    np.testing.assert_allclose(out.reshape(40, -1), flat @ pcs, rtol=1e-3, atol=1e-3)
    # whitened data has (nearly) identity covariance
    cov = out.reshape(40, -1).T @ out.reshape(40, -1) / 40
    np.testing.assert_allclose(cov, np.eye(12), atol=0.05)


def test_fit_checks_and_augment():
    g = ImageDataGenerator(featurewise_center=True, rotation_range=90, horizontal_flip=True)
    with pytest.raises(ValueError, match='rank 4'):
        g.fit(np.zeros((5, 4, 4)))
    with pytest.warns(UserWarning, match='channels'):
        g.fit(np.zeros((2, 4, 4, 5)))
    x = _batch(8, seed=4)
    g.fit(x, augment=True, rounds=3, seed=11)
    m1 = g.mean.copy()
    g.fit(x, augment=True, rounds=3, seed=11)
    np.testing.assert_array_equal(g.mean, m1)
    g.fit(x)
    assert not np.allclose(g.mean, m1)


# --------------------------------------------------------------- transform_batch
def test_transform_batch_reproducible_and_consistent_with_apply_transform():
    g = ImageDataGenerator(rotation_range=30, width_shift_range=0.2, height_shift_range=2,
                           shear_range=10, zoom_range=0.2, channel_shift_range=0.1,
                           horizontal_flip=True, vertical_flip=True, fill_mode='constant',
                           cval=0.25)
    x = _batch(8, seed=5)
    a = g.transform_batch(x.copy(), np.random.RandomState(3))
    b = g.transform_batch(x.copy(), np.random.RandomState(3))
    c = g.transform_batch(x.copy(), np.random.RandomState(4))
    assert a.shape == x.shape and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # the vectorised path equals Keras's per-image apply_transform on the same draws
    params = g._random_params(8, x.shape[1:], np.random.RandomState(3))
    for i in range(8):
        p = {k: (None if v is None else v[i]) for k, v in params.items()}
        np.testing.assert_allclose(a[i], g.apply_transform(x[i], p), atol=2e-6)


def test_transform_batch_flips_and_shift_ranges():
    x = _batch(200, seed=6, h=5, w=6, c=1)
    g = ImageDataGenerator(horizontal_flip=True)
    out = g.transform_batch(x.copy(), np.random.RandomState(0))
    flipped = np.array([np.array_equal(o, xi[:, ::-1]) for o, xi in zip(out, x)])
    same = np.array([np.array_equal(o, xi) for o, xi in zip(out, x)])
    assert np.all(flipped | same) and 70 < flipped.sum() < 130
    # int width_shift_range=2: whole-pixel shifts in {-1, 0, 1} along columns
    g = ImageDataGenerator(width_shift_range=2, fill_mode='constant', cval=-1.)
    p = g._random_params(200, x.shape[1:], np.random.RandomState(1))
    assert set(np.unique(p['ty'])) == {-1., 0., 1.} and np.all(p['tx'] == 0)
    out = g.transform_batch(x.copy(), np.random.RandomState(1))
    for o, xi, ty in zip(out, x, p['ty']):
        want = np.full_like(xi, -1.)
        t = int(ty)
        if t >= 0:
            want[:, :6 - t] = xi[:, t:]
        else:
            want[:, -t:] = xi[:, :6 + t]
        np.testing.assert_allclose(o, want, atol=1e-6)
    # fractions scale by the image size; floats >= 1 are pixels
    g = ImageDataGenerator(width_shift_range=0.25, height_shift_range=3.)
    p = g._random_params(500, (5, 6, 1), np.random.RandomState(2))
    assert np.abs(p['ty']).max() <= 1.5 and np.abs(p['ty']).max() > 1.3
    assert np.abs(p['tx']).max() <= 3. and np.abs(p['tx']).max() > 2.8
    assert len(np.unique(p['tx'])) == 500
    g = ImageDataGenerator(height_shift_range=[0.2, 0.4])
    p = g._random_params(100, (5, 6, 1), np.random.RandomState(3))
    np.testing.assert_allclose(sorted(set(np.round(p['tx'], 9))), [-2., -1., 1., 2.])


def test_transform_batch_channels_first_brightness_and_dtype():
    g = ImageDataGenerator(data_format='channels_first', dtype='float64', rotation_range=20,
                           brightness_range=(0.5, 1.5), rescale=1. / 255)
    x = _batch(5, 'channels_first', seed=7).astype(np.float64)
    out = g.transform_batch(x.copy(), np.random.RandomState(0))
    assert out.dtype == np.float64 and out.shape == x.shape
    # Keras's brightness maps to 8-bit values, rescale brings them back to [0, 1]
    assert out.min() >= 0 and out.max() <= 1
    np.testing.assert_allclose(out * 255, np.round(out * 255), atol=1e-9)


def test_subclass_overrides_are_called_per_sample():
    class Plus(ImageDataGenerator):
        def apply_transform(self, x, transform_parameters):
            assert x.ndim == 3
            return x + 1

    class Std(ImageDataGenerator):
        def standardize(self, x):
            assert x.ndim == 3
            return x * 0 + x.sum()

    class Rand(ImageDataGenerator):
        def random_transform(self, x, seed=None):
            return x[::-1]

    x = _batch(3, seed=8)
    np.testing.assert_allclose(Plus().transform_batch(x.copy(), np.random.RandomState(0)),
                               x + 1)
    out = Std(horizontal_flip=True).transform_batch(x.copy(), np.random.RandomState(0))
    np.testing.assert_allclose(out[:, 0, 0, 0], x.reshape(3, -1).sum(1), rtol=1e-5)
    np.testing.assert_array_equal(Rand().transform_batch(x.copy(), np.random.RandomState(0)),
                                  x[:, ::-1])
    # a subclass's own draws follow the batch's rng, so seeded batches repeat
    g = type('Jitter', (ImageDataGenerator,), {
        'apply_transform': lambda self, x, p: x + np.random.rand()})()
    a = g.transform_batch(x.copy(), np.random.RandomState(5))
    b = g.transform_batch(x.copy(), np.random.RandomState(5))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match='rank 4'):
        g.transform_batch(x[0], np.random.RandomState(0))


# ------------------------------------------------------------------ iterators
def test_flow_end_to_end():
    x = _batch(10, seed=9, h=5, w=6)
    y = np.arange(10)
    g = ImageDataGenerator(horizontal_flip=True, dtype='float64')
    it = g.flow(x, y, batch_size=4, shuffle=False, seed=3)
    assert len(it) == 3
    bx, by = it[0]
    assert bx.shape == (4, 5, 6, 3) and bx.dtype == np.float64
    np.testing.assert_array_equal(by, [0, 1, 2, 3])
    for o, xi in zip(bx, x[:4]):
        assert np.array_equal(o, xi) or np.array_equal(o, xi[:, ::-1])
    np.testing.assert_array_equal(g.flow(x, y, batch_size=4, shuffle=False, seed=3)[0][0], bx)
    flipped = sum(not np.array_equal(o, xi)
                  for k in range(3) for o, xi in zip(it[k][0], x[4 * k:]))
    assert 0 < flipped < 10
    # sample weights ride along; channels_first generators give channels_first batches
    w = np.linspace(0, 1, 10)
    bx, by, bw = next(g.flow(x, y, sample_weight=w, batch_size=10, shuffle=False))
    np.testing.assert_array_equal(bw, w)
    gc = ImageDataGenerator(data_format='channels_first', rescale=2.)
    xc = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    out = next(gc.flow(xc, batch_size=10, shuffle=False))
    assert gc.flow(xc).data_format == 'channels_first'
    np.testing.assert_allclose(out, xc * 2, rtol=1e-6)


def test_flow_validation_split():
    x = _batch(10, seed=10, h=3, w=3)
    y = np.tile([0, 1], 5)
    g = ImageDataGenerator(validation_split=0.3)
    val = g.flow(x, y, batch_size=10, shuffle=False, subset='validation')
    train = g.flow(x, y, batch_size=10, shuffle=False, subset='training')
    np.testing.assert_array_equal(val[0][0], x[:3])
    np.testing.assert_array_equal(train[0][0], x[3:])


def test_flow_from_directory_end_to_end(tmp_path):
    from PIL import Image
    rng = np.random.RandomState(0)
    pixels = {}
    for cls in ('cat', 'dog'):
        (tmp_path / cls).mkdir()
        for i in range(3):
            a = rng.randint(0, 256, (4, 5, 3)).astype(np.uint8)
            Image.fromarray(a, 'RGB').save(str(tmp_path / cls / ('%d.png' % i)))
            pixels[(cls, i)] = a
    g = ImageDataGenerator(rescale=1. / 255, data_format='channels_first')
    it = g.flow_from_directory(str(tmp_path), target_size=(4, 5), batch_size=6,
                               shuffle=False, class_mode='sparse')
    assert it.class_indices == {'cat': 0, 'dog': 1} and it.data_format == 'channels_first'
    bx, by = it[0]
    assert bx.shape == (6, 3, 4, 5) and bx.dtype == np.float32
    np.testing.assert_array_equal(by, [0, 0, 0, 1, 1, 1])
    want = np.stack([pixels[(c, i)] for c in ('cat', 'dog') for i in range(3)])
    np.testing.assert_allclose(bx, want.transpose(0, 3, 1, 2) / 255., rtol=1e-6)
    # augmented, seeded and split
    g = ImageDataGenerator(rotation_range=30, vertical_flip=True, validation_split=0.34)
    val = g.flow_from_directory(str(tmp_path), target_size=(4, 5), batch_size=2,
                                seed=5, subset='validation', class_mode='categorical')
    assert val.samples == 2
    a, b = val[0], g.flow_from_directory(str(tmp_path), target_size=(4, 5), batch_size=2,
                                         seed=5, subset='validation')[0]
    np.testing.assert_array_equal(a[0], b[0])
    assert a[0].shape == (2, 4, 5, 3) and a[1].shape == (2, 2)


def test_public_names_and_edge_batches():
    for name in ('ImageDataGenerator', 'apply_affine_transform', 'flip_axis', 'random_rotation',
                 'random_shift', 'random_shear', 'random_zoom', 'apply_channel_shift',
                 'random_channel_shift', 'apply_brightness_shift', 'random_brightness',
                 'transform_matrix_offset_center'):
        assert callable(getattr(image, name))
    g = ImageDataGenerator(rotation_range=10, preprocessing_function=lambda im: im + 1)
    empty = np.zeros((0, 4, 4, 3), np.float32)
    assert g.transform_batch(empty, np.random.RandomState(0)).shape == (0, 4, 4, 3)
    np.random.seed(0)
    a = g.transform_batch(_batch(2), None)           # None: numpy's global state
    np.random.seed(0)
    np.testing.assert_array_equal(a, g.transform_batch(_batch(2), None))


def test_rotation_about_keras_centre():
    # Keras 2.3 centres at (h/2 + 0.5, w/2 + 0.5): a 45 degree turn of a 3x3
    # block of ones with constant fill keeps this pattern.
    g = ImageDataGenerator(rotation_range=90, fill_mode='constant')
    out = g.apply_transform(np.ones((3, 3, 3)), {'theta': 45})
    want = np.array([[0., 0., 1.], [0., 1., 1.], [0., 0., 1.]])
    np.testing.assert_allclose(out, np.repeat(want[:, :, None], 3, axis=2), atol=1e-7)


@pytest.mark.parametrize('fmt', ['channels_last', 'channels_first'])
def test_all_options_together(fmt):
    x = _batch(12, fmt, seed=12, h=6, w=6) * 255
    with pytest.warns(UserWarning):
        g = ImageDataGenerator(featurewise_center=True, samplewise_center=True,
                               featurewise_std_normalization=True,
                               samplewise_std_normalization=True, zca_whitening=True,
                               rotation_range=90., width_shift_range=0.1,
                               height_shift_range=0.1, shear_range=0.5, zoom_range=0.2,
                               channel_shift_range=1., brightness_range=(1, 5),
                               fill_mode='nearest', cval=0.5, horizontal_flip=True,
                               vertical_flip=True, data_format=fmt)
    g.fit(x, augment=True, rounds=2, seed=1)
    assert g.principal_components.shape == (108, 108)
    bx, by = next(g.flow(x, np.arange(12), batch_size=5, seed=2))
    assert bx.shape == (5,) + x.shape[1:] and np.all(np.isfinite(bx))
    assert len(set(by.tolist())) == 5
