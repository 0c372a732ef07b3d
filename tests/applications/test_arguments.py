"""Keras 2.3.1's argument checks of the application models: each bad value
raises a ValueError naming the model and the value, before anything is built
or downloaded."""
import numpy as np
import pytest

from kback import applications, backend as K

MODELS = ['VGG16', 'VGG19', 'ResNet50', 'MobileNet', 'MobileNetV2', 'InceptionV3',
          'DenseNet121', 'Xception']
# Keras's smallest input size of each model.
MIN_SIZE = {'VGG16': 32, 'VGG19': 32, 'ResNet50': 32, 'MobileNet': 32, 'MobileNetV2': 32,
            'InceptionV3': 75, 'DenseNet121': 32, 'Xception': 71}


@pytest.mark.parametrize('name', MODELS)
def test_unknown_weights(name):
    with pytest.raises(ValueError, match=name + r": the `weights` argument .*'no/such.h5'"):
        getattr(applications, name)(weights='no/such.h5')


@pytest.mark.parametrize('weights', [3, ['imagenet']])
def test_weights_neither_a_name_nor_a_path(weights):
    with pytest.raises(ValueError, match=r"ResNet50: the `weights` argument .*got " +
                       repr(weights).replace('[', r'\[').replace(']', r'\]')):
        applications.ResNet50(weights=weights)


@pytest.mark.parametrize('name', MODELS)
def test_input_tensor_must_be_a_tensor(name):
    with pytest.raises(TypeError, match=name + r': input_tensor must be a tensor .*got ndarray'):
        getattr(applications, name)(weights=None, include_top=False,
                                    input_tensor=np.zeros((1, 32, 32, 3)))


@pytest.mark.parametrize('name', MODELS)
def test_imagenet_top_needs_1000_classes(name):
    with pytest.raises(ValueError, match=name + r'.*`classes` should be 1000; got 10'):
        getattr(applications, name)(weights='imagenet', classes=10)


@pytest.mark.parametrize('name', MODELS)
def test_input_smaller_than_the_minimum(name):
    size = MIN_SIZE[name]
    with pytest.raises(ValueError, match=r'%s: input size must be at least %dx%d; got '
                                         r'`input_shape=\(%d, %d, 3\)`'
                                         % (name, size, size, size - 1, size)):
        getattr(applications, name)(weights=None, include_top=False,
                                    input_shape=(size - 1, size, 3))
    K.set_image_data_format('channels_first')
    with pytest.raises(ValueError, match='at least %dx%d' % (size, size)):
        getattr(applications, name)(weights=None, include_top=False,
                                    input_shape=(3, size, size - 1))


@pytest.mark.parametrize('name', MODELS)
def test_input_shape_of_three_integers(name):
    with pytest.raises(ValueError, match=name + r': `input_shape` must be a tuple of three'):
        getattr(applications, name)(weights=None, include_top=False, input_shape=(64, 64))
    with pytest.raises(ValueError, match=name + r': `input_shape` must be a tuple of three'):
        getattr(applications, name)(weights=None, include_top=False, input_shape=64)


@pytest.mark.parametrize('name', MODELS)
def test_imagenet_needs_3_channels(name):
    with pytest.raises(ValueError, match=name + r': the input must have 3 channels'):
        getattr(applications, name)(weights='imagenet', include_top=False,
                                    input_shape=(128, 128, 1))


@pytest.mark.parametrize('name', MODELS)
def test_unknown_pooling(name):
    with pytest.raises(ValueError, match=name + r": `pooling` should be None, 'avg' or 'max'; "
                                                r"got 'mean'"):
        getattr(applications, name)(weights=None, include_top=False, pooling='mean')


@pytest.mark.parametrize('name', ['VGG16', 'ResNet50', 'DenseNet121'])
def test_top_needs_the_default_size_with_imagenet_weights(name):
    with pytest.raises(ValueError, match=name + r'.*`input_shape` should be \(224, 224, 3\); '
                                                r'got \(200, 200, 3\)'):
        getattr(applications, name)(weights='imagenet', input_shape=(200, 200, 3))


def test_top_needs_a_static_size():
    with pytest.raises(ValueError, match=r'VGG16: with `include_top=True` the `input_shape` '
                                         r'must be static; got `input_shape=\(None, 64, 3\)`'):
        applications.VGG16(weights=None, input_shape=(None, 64, 3))


def test_other_channel_counts_warn_without_imagenet():
    with pytest.warns(UserWarning, match='usually expects 1 or 3 input channels'):
        model = applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 5))
    assert model.input_shape == (None, 32, 32, 5)


@pytest.mark.parametrize('name, kwargs, match', [
    ('MobileNet', dict(alpha=0.3), r'alpha can be one of 0.25, 0.5, 0.75, 1.0 only; got 0.3'),
    ('MobileNet', dict(depth_multiplier=2), r'depth multiplier must be 1; got 2'),
    ('MobileNet', dict(input_shape=(100, 100, 3)), r'static square shape \(one of \(128, 128\)'
                                                   r'.*provided = \(100, 100, 3\)'),
    ('MobileNet', dict(input_shape=(128, 160, 3)), r'provided = \(128, 160, 3\)'),
    ('MobileNetV2', dict(alpha=0.25), r'alpha can be one of 0.35, 0.5, 0.75, 1.0, 1.3, 1.4'),
    ('MobileNetV2', dict(input_shape=(64, 64, 3)), r'one of \(96, 96\)'),
])
def test_mobilenet_imagenet_weights_exist_only_for_some_sizes(name, kwargs, match):
    with pytest.raises(ValueError, match=name + ': .*' + match):
        getattr(applications, name)(weights='imagenet', include_top=False, **kwargs)


def test_densenet_imagenet_weights_only_for_published_block_counts():
    with pytest.raises(ValueError, match=r'DenseNet: ImageNet weights exist only for blocks'):
        applications.densenet.DenseNet([2, 2, 2, 2], weights='imagenet')
    assert applications.densenet.DenseNet([1, 1, 1, 1], weights=None, include_top=False,
                                           input_shape=(32, 32, 3)).name == 'densenet'


def test_keras_helper_obtain_input_shape():
    from kback.applications.imagenet_utils import _obtain_input_shape
    assert _obtain_input_shape(None, 224, 32, 'channels_last', require_flatten=False) == \
        (None, None, 3)
    assert _obtain_input_shape(None, 299, 75, 'channels_first', require_flatten=True) == \
        (3, 299, 299)
    assert _obtain_input_shape([64, 48, 3], 224, 32, 'channels_last', False) == (64, 48, 3)
    with pytest.raises(ValueError, match='at least 32x32'):
        _obtain_input_shape((3, 16, 64), 224, 32, 'channels_first', False)
