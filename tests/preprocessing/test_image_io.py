"""Image file IO: load_img / img_to_array / array_to_img / save_img / list_pictures."""
import io
import pathlib
import warnings

import numpy as np
import pytest
from PIL import Image

from kback import backend as K
from kback.preprocessing import image


def _rgb(h=12, w=10, seed=0):
    return (np.random.RandomState(seed).rand(h, w, 3) * 255).astype('uint8')


# -- round trips ---------------------------------------------------------------

@pytest.mark.parametrize('ext', ['png', 'bmp', 'ppm', 'tif', 'tiff'])
def test_lossless_rgb_round_trip(tmp_path, ext):
    a = _rgb()
    path = str(tmp_path / ('img.' + ext))
    image.save_img(path, a, scale=False)
    img = image.load_img(path)
    assert img.mode == 'RGB' and img.size == (10, 12)
    x = image.img_to_array(img)
    assert x.dtype == np.float32 and x.shape == (12, 10, 3)
    np.testing.assert_array_equal(x, a)


@pytest.mark.parametrize('ext', ['jpg', 'jpeg'])
def test_jpeg_round_trip_is_close(tmp_path, ext):
    # Smooth content: JPEG keeps it within a few levels.
    yy, xx = np.mgrid[0:32, 0:32]
    a = np.stack([yy * 8, xx * 8, (yy + xx) * 4], axis=-1).astype('uint8')
    path = str(tmp_path / ('img.' + ext))
    image.save_img(path, a, scale=False, quality=95)
    x = image.img_to_array(image.load_img(path))
    assert x.shape == (32, 32, 3)
    assert np.abs(x - a).mean() < 3.0


def test_rgba_and_grayscale_round_trip(tmp_path):
    rgba = (np.random.RandomState(1).rand(9, 7, 4) * 255).astype('uint8')
    p = str(tmp_path / 'rgba.png')
    image.save_img(p, rgba, scale=False)
    x = image.img_to_array(image.load_img(p, color_mode='rgba'))
    np.testing.assert_array_equal(x, rgba)
    # rgb of an rgba file drops alpha; grayscale has one channel
    assert image.img_to_array(image.load_img(p)).shape == (9, 7, 3)
    assert image.img_to_array(image.load_img(p, color_mode='grayscale')).shape == (9, 7, 1)

    grey = (np.random.RandomState(2).rand(9, 7, 1) * 255).astype('uint8')
    p = str(tmp_path / 'grey.png')
    image.save_img(p, grey, scale=False)
    img = image.load_img(p, color_mode='grayscale')
    assert img.mode == 'L'
    np.testing.assert_array_equal(image.img_to_array(img), grey)
    # a grey file loaded as rgb repeats the channel; as rgba alpha is opaque
    x = image.img_to_array(image.load_img(p))
    np.testing.assert_array_equal(x, np.repeat(grey, 3, axis=-1))
    x = image.img_to_array(image.load_img(p, color_mode='rgba'))
    np.testing.assert_array_equal(x[..., 3], 255)


def test_grayscale_rgb_conversion_uses_luma(tmp_path):
    a = np.zeros((4, 4, 3), 'uint8')
    a[..., 1] = 200  # pure green
    p = str(tmp_path / 'g.png')
    image.save_img(p, a, scale=False)
    x = image.img_to_array(image.load_img(p, color_mode='grayscale'))
    np.testing.assert_allclose(x, np.round(200 * 0.587), atol=1)


def test_wide_grayscale_keeps_values(tmp_path):
    a = np.random.RandomState(3).randint(0, 60000, (6, 5, 1)).astype('int32')
    img = image.array_to_img(a, scale=False, dtype='int32')
    assert img.mode == 'I'
    p = str(tmp_path / 'wide.tiff')
    img.save(p)
    x = image.img_to_array(image.load_img(p, color_mode='grayscale'), dtype='int32')
    np.testing.assert_array_equal(x, a)


def test_load_img_pathlib_and_deprecated_grayscale(tmp_path):
    p = tmp_path / 'a.png'
    image.save_img(str(p), _rgb(), scale=False)
    assert image.load_img(p).size == (10, 12)
    with pytest.warns(UserWarning, match='deprecated'):
        img = image.load_img(p, grayscale=True)
    assert img.mode == 'L'


# -- target_size and interpolation --------------------------------------------

def test_target_size_is_height_width(tmp_path):
    p = str(tmp_path / 'a.png')
    image.save_img(p, _rgb(12, 10), scale=False)
    for interp in ('nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming'):
        img = image.load_img(p, target_size=(5, 7), interpolation=interp)
        assert img.size == (7, 5)
        assert image.img_to_array(img).shape == (5, 7, 3)
    # the same size leaves the pixels untouched
    x = image.img_to_array(image.load_img(p, target_size=(12, 10), interpolation='bicubic'))
    np.testing.assert_array_equal(x, _rgb(12, 10))


def test_nearest_upsampling_repeats_pixels_and_differs_from_bilinear(tmp_path):
    a = _rgb(6, 5)
    p = str(tmp_path / 'a.png')
    image.save_img(p, a, scale=False)
    near = image.img_to_array(image.load_img(p, target_size=(12, 10)))
    np.testing.assert_array_equal(near, a.repeat(2, axis=0).repeat(2, axis=1))
    bil = image.img_to_array(image.load_img(p, target_size=(12, 10),
                                            interpolation='bilinear'))
    assert np.any(bil != near)


def test_load_img_bad_arguments(tmp_path):
    p = str(tmp_path / 'a.png')
    image.save_img(p, _rgb(), scale=False)
    with pytest.raises(ValueError, match='interpolation.*nearest, bilinear'):
        image.load_img(p, target_size=(5, 5), interpolation='unsupported')
    image.load_img(p, interpolation='unsupported')  # unused without target_size: as Keras
    with pytest.raises(ValueError, match='color_mode'):
        image.load_img(p, color_mode='cmyk')
    for bad in [(5,), (0, 5), (5.5, 4), 'ab']:
        with pytest.raises(ValueError, match='target_size'):
            image.load_img(p, target_size=bad)
    with pytest.raises(FileNotFoundError):
        image.load_img(str(tmp_path / 'missing.png'))


@pytest.mark.parametrize('content', ['text', 'empty', 'half_jpeg', 'half_png'])
def test_unreadable_files_raise_instead_of_grey_pixels(tmp_path, content):
    p = tmp_path / ('bad.png' if content == 'half_png' else 'bad.jpg')
    buf = io.BytesIO()
    Image.fromarray(_rgb(40, 40)).save(buf, format='PNG' if content == 'half_png' else 'JPEG')
    data = {'text': b'this is not an image', 'empty': b''}.get(content,
                                                               buf.getvalue()[:len(buf.getvalue()) // 2])
    p.write_bytes(data)
    with pytest.raises(OSError):
        image.load_img(str(p))


# -- arrays <-> images ---------------------------------------------------------

def test_data_formats_and_defaults():
    h, w = 10, 8
    for c in (1, 3, 4):
        x = np.random.random((c, h, w))
        img = image.array_to_img(x, data_format='channels_first')
        assert img.size == (w, h)
        assert image.img_to_array(img, data_format='channels_first').shape == (c, h, w)
        x = np.random.random((h, w, c))
        img = image.array_to_img(x, data_format='channels_last')
        assert img.size == (w, h)
        assert image.img_to_array(img, data_format='channels_last').shape == (h, w, c)
    img = image.array_to_img(np.random.random((h, w, 3)))
    K.set_image_data_format('channels_first')
    K.set_floatx('float64')
    x = image.img_to_array(img)
    assert x.shape == (3, h, w) and x.dtype == np.float64
    assert image.array_to_img(np.random.random((3, h, w))).size == (w, h)
    assert image.img_to_array(img, dtype='uint8').dtype == np.uint8


def test_channels_first_values_match_channels_last():
    a = _rgb(5, 4).astype('float32')
    img = image.array_to_img(a, scale=False)
    last = image.img_to_array(img, data_format='channels_last')
    first = image.img_to_array(img, data_format='channels_first')
    np.testing.assert_array_equal(first, last.transpose(2, 0, 1))
    back = image.array_to_img(first, data_format='channels_first', scale=False)
    np.testing.assert_array_equal(np.asarray(back), a)


def test_array_to_img_scaling():
    x = np.array([0.2, 0.4, 0.8] * 4, 'float32').reshape(2, 2, 3)
    got = np.asarray(image.array_to_img(x)).astype('float64')
    # non-negative input: divided by the maximum only
    np.testing.assert_allclose(got, np.floor(x / 0.8 * 255 + 1e-4), atol=1)
    x = np.array([-1., 0., 1.] * 4, 'float32').reshape(2, 2, 3)
    got = np.asarray(image.array_to_img(x))
    np.testing.assert_allclose(got[0, 0], [0, 127, 255], atol=1)
    zeros = np.asarray(image.array_to_img(np.zeros((2, 2, 1))))
    np.testing.assert_array_equal(zeros, 0)
    raw = np.full((2, 2, 3), 7.0)
    np.testing.assert_array_equal(np.asarray(image.array_to_img(raw, scale=False)), 7)
    original = x.copy()
    image.array_to_img(x)
    np.testing.assert_array_equal(x, original)  # input untouched


def test_array_to_img_and_img_to_array_errors():
    with pytest.raises(ValueError, match='rank 3'):
        image.array_to_img(np.random.random((4, 5)))
    with pytest.raises(ValueError, match='data_format'):
        image.array_to_img(np.random.random((4, 5, 3)), data_format='channels')
    with pytest.raises(ValueError, match='channel number: 5'):
        image.array_to_img(np.random.random((4, 5, 5)))
    with pytest.raises(ValueError, match='data_format'):
        image.img_to_array(np.random.random((4, 5, 3)), data_format='channels')
    with pytest.raises(ValueError, match='image shape'):
        image.img_to_array(np.random.random((4, 5, 5, 3)))


# -- save_img and list_pictures ------------------------------------------------

def test_save_img_formats_and_kwargs(tmp_path):
    a = _rgb(16, 16)
    p = str(tmp_path / 'q.jpg')
    image.save_img(p, a, scale=False, quality=10)
    small = (tmp_path / 'q.jpg').stat().st_size
    image.save_img(p, a, scale=False, quality=95)
    assert (tmp_path / 'q.jpg').stat().st_size > small
    rgba = np.concatenate([a, np.full((16, 16, 1), 255, 'uint8')], axis=-1)
    with pytest.warns(UserWarning, match='RGBA'):
        image.save_img(str(tmp_path / 'x.jpg'), rgba, scale=False)
    assert Image.open(str(tmp_path / 'x.jpg')).mode == 'RGB'
    buf = io.BytesIO()
    with pytest.warns(UserWarning, match='RGBA'):
        image.save_img(buf, rgba, file_format='jpeg', scale=False)
    buf.seek(0)
    assert Image.open(buf).format == 'JPEG'
    buf = io.BytesIO()
    image.save_img(buf, a.transpose(2, 0, 1), data_format='channels_first',
                   file_format='png', scale=False)
    buf.seek(0)
    np.testing.assert_array_equal(np.asarray(Image.open(buf)), a)
    image.save_img(str(tmp_path / 'scaled.png'), a / 255.)  # scale=True default
    np.testing.assert_allclose(np.asarray(Image.open(str(tmp_path / 'scaled.png'))),
                               a / a.max() * 255, atol=1)


def test_list_pictures(tmp_path):
    names = ['test.png', 'test0.jpg', 'test-1.jpeg', '2test.bmp', '2-test.ppm', '3.png',
             '1.jpeg', 'test.bmp', 'test0.ppm', 'test4.tiff', '5-test.tif', 'test.txt',
             'foo.csv', 'face.gif', 'bar.txt', 'UPPER.PNG']
    for sub in ['', 'subdir1', 'subdir2']:
        (tmp_path / sub).mkdir(exist_ok=True)
        for n in names:
            (tmp_path / sub / n).write_bytes(b'')
    found = image.list_pictures(str(tmp_path))
    assert len(found) == 36
    # a folder's own files (sorted) come before its subfolders' (sorted)
    assert found[:12] == sorted(found[:12])
    assert all(pathlib.Path(f).parent == tmp_path for f in found[:12])
    assert all(pathlib.Path(f).parent.name == 'subdir1' for f in found[12:24])
    assert len(image.list_pictures(str(tmp_path), ext='png')) == 9
    assert len(image.list_pictures(str(tmp_path), ext='jpg|jpeg')) == 9
    assert len(image.list_pictures(str(tmp_path), ext=('gif',))) == 3
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert image.list_pictures(str(tmp_path / 'nope')) == []
