"""preprocess_input (the 'caffe', 'tf' and 'torch' modes, numpy and
symbolic) against numpy formulas, and decode_predictions on a class index
placed in the cache."""
import hashlib
import json

import numpy as np
import pytest

from kback import applications, backend as K
from kback.applications import imagenet_utils
from kback.utils.data_utils import DownloadError
from tests.datasets._server import file_url

CAFFE_MEAN = np.array([103.939, 116.779, 123.68])          # B, G, R
TORCH_MEAN, TORCH_STD = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])


def expected(x, mode):
    """The formula for channels_last images, in float64."""
    x = x.astype('float64')
    if mode == 'tf':
        return x / 127.5 - 1
    if mode == 'torch':
        return (x / 255 - TORCH_MEAN) / TORCH_STD
    return x[..., ::-1] - CAFFE_MEAN


def _images(shape=(2, 5, 4, 3), seed=0):
    return np.random.RandomState(seed).randint(0, 256, shape).astype('uint8')


@pytest.mark.parametrize('mode', ['caffe', 'tf', 'torch'])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('batch', [True, False])
def test_numpy_modes(mode, data_format, batch):
    x = _images()
    want = expected(x, mode)
    if data_format == 'channels_first':
        x, want = x.transpose(0, 3, 1, 2), want.transpose(0, 3, 1, 2)
    if not batch:
        x, want = x[0], want[0]
    got = imagenet_utils.preprocess_input(x, data_format=data_format, mode=mode)
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


def test_integers_are_copied_floats_preprocessed_in_place():
    ints = _images()
    kept = ints.copy()
    imagenet_utils.preprocess_input(ints, mode='tf')
    np.testing.assert_array_equal(ints, kept)
    floats = _images().astype('float64')
    out = imagenet_utils.preprocess_input(floats, mode='tf')
    assert out is floats and out.dtype == np.float64
    np.testing.assert_allclose(floats, expected(_images(), 'tf'))


def test_default_data_format_is_the_backend_one():
    x = _images().transpose(0, 3, 1, 2)
    K.set_image_data_format('channels_first')
    np.testing.assert_allclose(imagenet_utils.preprocess_input(x, mode='torch'),
                               expected(_images(), 'torch').transpose(0, 3, 1, 2),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('mode', ['caffe', 'tf', 'torch'])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_symbolic_input_equals_numpy(mode, data_format):
    x = _images().astype('float32')
    if data_format == 'channels_first':
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    placeholder = K.placeholder(shape=(None,) + x.shape[1:])
    out = imagenet_utils.preprocess_input(placeholder, data_format=data_format, mode=mode)
    got = K.function([placeholder], [out])([x])[0]
    np.testing.assert_allclose(got, imagenet_utils.preprocess_input(x.copy(), data_format,
                                                                    mode), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize('module, mode', [('vgg16', 'caffe'), ('vgg19', 'caffe'),
                                          ('resnet50', 'caffe'), ('inception_v3', 'tf'),
                                          ('xception', 'tf'), ('mobilenet', 'tf'),
                                          ('mobilenet_v2', 'tf'), ('densenet', 'torch')])
def test_each_model_preprocesses_as_keras(module, mode):
    x = _images()
    got = getattr(applications, module).preprocess_input(x)
    np.testing.assert_allclose(got, expected(x, mode), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize('kwargs, error, match', [
    (dict(mode='pytorch'), ValueError, r"mode should be 'caffe', 'tf' or 'torch'; got 'pytorch'"),
    (dict(data_format='NHWC'), ValueError, r"unknown data_format 'NHWC'"),
    (dict(x=np.zeros((2, 4, 4, 4))), ValueError,
     r"mode 'caffe' needs 3 colour channels on axis 3 \(channels_last\); got shape \(2, 4, 4, 4\)"),
    (dict(x=np.zeros((2, 4, 4, 3)), data_format='channels_first'), ValueError,
     r'needs 3 colour channels on axis 1 \(channels_first\)'),
    (dict(x=np.zeros((2, 3, 4, 4, 4)), data_format='channels_first'), ValueError,
     r'channels_first image batch must have rank 3 or 4'),
    (dict(x=[[1, 2, 3]]), TypeError, r'x must be a numpy array or a tensor; got list'),
])
def test_bad_input(kwargs, error, match):
    kwargs.setdefault('x', np.zeros((2, 4, 4, 3)))
    with pytest.raises(error, match='preprocess_input: .*' + match):
        imagenet_utils.preprocess_input(**kwargs)


def _class_index(home):
    """A class index in Keras's format placed in the cache; returns its md5."""
    index = {str(i): ['n%08d' % i, 'class_%d' % i] for i in range(1000)}
    folder = home / 'models'
    folder.mkdir(parents=True)
    path = folder / 'imagenet_class_index.json'
    path.write_text(json.dumps(index))
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_decode_predictions_from_the_cached_class_index(monkeypatch, _kback_home):
    monkeypatch.setattr(imagenet_utils, 'CLASS_INDEX_HASH', _class_index(_kback_home))
    monkeypatch.setattr(imagenet_utils, 'CLASS_INDEX_PATH', 'http://127.0.0.1:9/unreachable')
    preds = np.random.RandomState(0).rand(3, 1000).astype('float32')
    preds[0, [7, 500, 42]] = [3, 2, 1]
    decoded = applications.resnet50.decode_predictions(preds, top=3)
    assert len(decoded) == 3 and all(len(d) == 3 for d in decoded)
    assert decoded[0] == [('n00000007', 'class_7', 3.), ('n00000500', 'class_500', 2.),
                          ('n00000042', 'class_42', 1.)]
    for row, pred in zip(decoded, preds):
        best = np.sort(pred)[::-1][:3]
        assert [score for _, _, score in row] == list(best)
        assert all(pred[int(wnid[1:])] == score for wnid, _, score in row)
    assert len(imagenet_utils.decode_predictions(preds)[1]) == 5


def test_decode_predictions_offline(tmp_path, monkeypatch, _kback_home):
    missing = file_url(tmp_path / 'imagenet_class_index.json')
    monkeypatch.setattr(imagenet_utils, 'CLASS_INDEX_PATH', missing)
    with pytest.raises(DownloadError) as info:
        imagenet_utils.decode_predictions(np.zeros((1, 1000)))
    message = str(info.value)
    assert message.startswith('decode_predictions: the ImageNet class index is not in the cache')
    assert missing in message
    assert str(_kback_home / 'models' / 'imagenet_class_index.json') in message


def test_decode_predictions_refuses_a_class_index_not_matching_the_published_hash(
        tmp_path, monkeypatch, _kback_home):
    """A cached file with another hash is fetched again (here: from nowhere)."""
    _class_index(_kback_home)
    monkeypatch.setattr(imagenet_utils, 'CLASS_INDEX_PATH',
                        file_url(tmp_path / 'imagenet_class_index.json'))
    with pytest.raises(DownloadError):
        imagenet_utils.decode_predictions(np.zeros((1, 1000)))


@pytest.mark.parametrize('preds, top, match', [
    (np.zeros((2, 10)), 5, r'shape \(samples, 1000\)\)\. Found array with shape: \(2, 10\)'),
    (np.zeros(1000), 5, r'Found array with shape: \(1000,\)'),
    (np.zeros((1, 1000)), 0, r'decode_predictions: top must be a positive integer; got 0'),
    (np.zeros((1, 1000)), 2.5, r'top must be a positive integer; got 2.5'),
])
def test_decode_predictions_bad_input(preds, top, match):
    with pytest.raises(ValueError, match=match):
        imagenet_utils.decode_predictions(preds, top=top)
