"""Weights of the application models: saved and loaded again, and
`weights='imagenet'` through get_file (download once into
`<cache>/models/`, checked against Keras's published hash, a clear error
offline), served here by a local HTTP server."""
import numpy as np
import pytest

from kback import applications, backend as K
from kback.applications import _common, mobilenet, vgg16
from kback.models import load_model
from kback.utils.data_utils import DownloadError
from tests.datasets._server import FileServer, file_url


@pytest.fixture
def server(tmp_path):
    srv = FileServer(tmp_path / 'served')
    yield srv
    srv.stop()


def _perturbed(model, seed=0):
    """Gives every weight (moving statistics included) random values, so a
    load that misses one shows in the predictions."""
    rng = np.random.RandomState(seed)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype(w.dtype)
                       for w in model.get_weights()])
    return model


def _image(model, n=2):
    return np.random.RandomState(1).uniform(-1, 1, (n,) + model.input_shape[1:]) \
        .astype('float32')


@pytest.mark.parametrize('name, kwargs', [
    ('MobileNet', dict(alpha=0.25, input_shape=(32, 32, 3))),
    ('MobileNetV2', dict(alpha=0.35, input_shape=(32, 32, 3))),
])
def test_saved_weights_load_into_a_fresh_model(tmp_path, name, kwargs):
    build = getattr(applications, name)
    model = _perturbed(build(weights=None, include_top=False, pooling='avg', **kwargs))
    x = _image(model)
    expected = model.predict(x)
    path = str(tmp_path / 'weights.h5')
    model.save_weights(path)
    K.clear_session()
    fresh = build(weights=path, include_top=False, pooling='avg', **kwargs)
    np.testing.assert_array_equal(fresh.predict(x), expected)


def test_whole_model_saved_and_loaded(tmp_path):
    """MobileNetV2's layers (asymmetric ZeroPadding2D, DepthwiseConv2D,
    ReLU(6.), BatchNormalization with its own epsilon and momentum, Add)
    survive save/load_model with their configs and weights."""
    model = _perturbed(applications.MobileNetV2(weights=None, alpha=0.35, classes=5,
                                                input_shape=(32, 32, 3)))
    x = _image(model)
    path = str(tmp_path / 'model.h5')
    model.save(path)
    K.clear_session()
    loaded = load_model(path)
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_imagenet_weights_download_once_then_come_from_the_cache(server, monkeypatch,
                                                                 _kback_home):
    kwargs = dict(alpha=0.25, input_shape=(128, 128, 3), include_top=False, pooling='max')
    published = _perturbed(applications.MobileNet(weights=None, **kwargs))
    x = _image(published)
    expected = published.predict(x)
    fname = 'mobilenet_2_5_128_tf_no_top.h5'
    published.save_weights(server.path(fname))
    monkeypatch.setattr(mobilenet, 'BASE_WEIGHT_PATH', server.url(''))
    K.clear_session()

    model = applications.MobileNet(weights='imagenet', **kwargs)
    np.testing.assert_array_equal(model.predict(x), expected)
    assert (_kback_home / 'models' / fname).is_file()
    server.stop()
    K.clear_session()
    again = applications.MobileNet(weights='imagenet', **kwargs)
    np.testing.assert_array_equal(again.predict(x), expected)


def test_a_download_not_matching_the_published_hash_is_refused(server, monkeypatch,
                                                               _kback_home):
    fname, _, md5 = vgg16.WEIGHTS[False]
    with open(server.path(fname), 'wb') as f:
        f.write(b'not the VGG16 weights')
    monkeypatch.setitem(vgg16.WEIGHTS, False, (fname, server.url(fname), md5))
    with pytest.raises(ValueError, match='hash is .* but %s was expected' % md5):
        applications.VGG16(weights='imagenet', include_top=False, input_shape=(32, 32, 3))
    assert not (_kback_home / 'models' / fname).exists()


def test_offline_the_error_says_where_to_place_the_file(tmp_path, monkeypatch, _kback_home):
    fname, _, md5 = vgg16.WEIGHTS[False]
    missing = file_url(tmp_path / 'offline' / fname)
    monkeypatch.setitem(vgg16.WEIGHTS, False, (fname, missing, md5))
    with pytest.raises(DownloadError) as info:
        applications.VGG16(weights='imagenet', include_top=False, input_shape=(32, 32, 3))
    message = str(info.value)
    assert message.startswith('VGG16: the ImageNet weights are not in the cache')
    assert missing in message
    assert str(_kback_home / 'models' / fname) in message
    assert isinstance(info.value, OSError)


class _Requested(Exception):
    pass


# Keras 2.3.1's published weight files: (model, arguments, file name, URL, md5).
_GH = 'https://github.com/'
_FCHOLLET = _GH + 'fchollet/deep-learning-models/releases/download/'
PUBLISHED = [
    ('VGG16', dict(include_top=False),
     _FCHOLLET + 'v0.1/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
     '6d6bbae143d832006294945121d1f1fc'),
    ('VGG19', dict(include_top=False),
     _FCHOLLET + 'v0.1/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
     '253f8cb515780f3b799900260a226db6'),
    ('ResNet50', dict(),
     _FCHOLLET + 'v0.2/resnet50_weights_tf_dim_ordering_tf_kernels.h5',
     'a7b3fe01876f51b976af0dea6bc144eb'),
    ('ResNet50', dict(include_top=False, pooling='avg'),
     _FCHOLLET + 'v0.2/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
     'a268eb855778b3df3c7506639542a6af'),
    ('InceptionV3', dict(),
     _FCHOLLET + 'v0.5/inception_v3_weights_tf_dim_ordering_tf_kernels.h5',
     '9a0d58056eeedaa3f26cb7ebd46da564'),
    ('InceptionV3', dict(include_top=False),
     _FCHOLLET + 'v0.5/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
     'bcbd6486424b2319ff4ef7d526e38f63'),
    ('Xception', dict(),
     _FCHOLLET + 'v0.4/xception_weights_tf_dim_ordering_tf_kernels.h5',
     '0a58e3b7378bc2990ea3b43d5981f1f6'),
    ('Xception', dict(include_top=False),
     _FCHOLLET + 'v0.4/xception_weights_tf_dim_ordering_tf_kernels_notop.h5',
     'b0042744bf5b25fce3cb969f33bebb97'),
    ('DenseNet121', dict(),
     _GH + 'keras-team/keras-applications/releases/download/densenet/'
     'densenet121_weights_tf_dim_ordering_tf_kernels.h5', '9d60b8095a5708f2dcce2bca79d332c7'),
    ('DenseNet121', dict(include_top=False),
     _GH + 'keras-team/keras-applications/releases/download/densenet/'
     'densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5',
     '30ee3e1110167f948a6b9946edeeb738'),
    ('MobileNet', dict(alpha=0.25, input_shape=(128, 128, 3)),
     _FCHOLLET + 'v0.6/mobilenet_2_5_128_tf.h5', None),
    ('MobileNet', dict(alpha=0.75, include_top=False, input_shape=(160, 160, 3)),
     _FCHOLLET + 'v0.6/mobilenet_7_5_160_tf_no_top.h5', None),
    ('MobileNetV2', dict(alpha=0.35, input_shape=(96, 96, 3)),
     _GH + 'JonathanCMitchell/mobilenet_v2_keras/releases/download/v1.1/'
     'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96.h5', None),
    ('MobileNetV2', dict(alpha=1.3, include_top=False, input_shape=(224, 224, 3)),
     _GH + 'JonathanCMitchell/mobilenet_v2_keras/releases/download/v1.1/'
     'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.3_224_no_top.h5', None),
]


def _record_requests(monkeypatch):
    requests = []

    def get_file(fname, origin, **options):
        requests.append((fname, origin, options))
        raise _Requested

    monkeypatch.setattr(_common, 'get_file', get_file)
    return requests


@pytest.mark.parametrize('name, kwargs, url, md5', PUBLISHED)
def test_imagenet_asks_get_file_for_the_published_file(monkeypatch, name, kwargs, url, md5):
    requests = _record_requests(monkeypatch)
    with pytest.raises(_Requested):
        getattr(applications, name)(weights='imagenet', **kwargs)
    assert requests == [(url.rpartition('/')[2], url,
                         dict(cache_subdir='models', file_hash=md5))]


def test_mobilenet_of_free_size_loads_the_224_weights_with_a_warning(monkeypatch):
    requests = _record_requests(monkeypatch)
    with pytest.warns(UserWarning, match=r'MobileNet: the input shape is undefined; the '
                                         r'weights for input shape \(224, 224\) will be loaded'):
        with pytest.raises(_Requested):
            applications.MobileNet(weights='imagenet', include_top=False)
    assert requests[0][0] == 'mobilenet_1_0_224_tf_no_top.h5'


def test_published_files_of_the_models_too_big_to_build_here():
    """The VGG tops (500 MB of weights) and DenseNet 169/201: their tables."""
    from kback.applications import densenet, vgg19
    for module, md5 in ((vgg16, '64373286793e3c8b2b4e3219cbf3544b'),
                        (vgg19, 'cbe5617147190e668d6c5d5026f83318')):
        fname = module.__name__.rpartition('.')[2] + '_weights_tf_dim_ordering_tf_kernels.h5'
        assert module.WEIGHTS[True] == (fname, _FCHOLLET + 'v0.1/' + fname, md5)
    base = _GH + 'keras-team/keras-applications/releases/download/densenet/'
    for name, top, notop in (('densenet169', 'd699b8f76981ab1b30698df4c175e90b',
                              'b8c4d4c20dd625c148057b9ff1c1176b'),
                             ('densenet201', '1ceb130c1ea1b78c3bf6114dbdfd8807',
                              'c13680b51ded0fb44dff2d8f86ac8bb1')):
        fname = name + '_weights_tf_dim_ordering_tf_kernels.h5'
        assert densenet.weights_file(name, True) == (fname, base + fname, top)
        fname = name + '_weights_tf_dim_ordering_tf_kernels_notop.h5'
        assert densenet.weights_file(name, False) == (fname, base + fname, notop)
