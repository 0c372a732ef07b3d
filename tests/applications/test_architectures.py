"""Each application model as Keras 2.3.1 builds it: parameter counts, layer
names and shapes, the pooling heads, and a forward pass in both data formats."""
import numpy as np
import pytest

from kback import applications, backend as K
from kback.layers import Conv2D, Input
from kback.models import Model

# Keras 2.3.1 (keras-applications 1.0.8), weights=None, default arguments:
# total parameters, model name, number of layers, input and output shapes,
# and (layer name, output shape, parameters) of a sample of layers.
KERAS = {
    'VGG16': (138357544, 'vgg16', 23, (None, 224, 224, 3), (None, 1000), [
        ('block1_conv1', (None, 224, 224, 64), 1792),
        ('block5_pool', (None, 7, 7, 512), 0),
        ('flatten', (None, 25088), 0),
        ('fc1', (None, 4096), 102764544),
        ('predictions', (None, 1000), 4097000)]),
    'VGG19': (143667240, 'vgg19', 26, (None, 224, 224, 3), (None, 1000), [
        ('block3_conv4', (None, 56, 56, 256), 590080),
        ('block5_conv4', (None, 14, 14, 512), 2359808),
        ('fc2', (None, 4096), 16781312)]),
    'ResNet50': (25636712, 'resnet50', 177, (None, 224, 224, 3), (None, 1000), [
        ('conv1_pad', (None, 230, 230, 3), 0),
        ('conv1', (None, 112, 112, 64), 9472),
        ('bn_conv1', (None, 112, 112, 64), 256),
        ('pool1_pad', (None, 114, 114, 64), 0),
        ('max_pooling2d_1', (None, 56, 56, 64), 0),
        ('res2a_branch1', (None, 56, 56, 256), 16640),
        ('add_1', (None, 56, 56, 256), 0),
        ('res5c_branch2c', (None, 7, 7, 2048), 1050624),
        ('avg_pool', (None, 2048), 0),
        ('fc1000', (None, 1000), 2049000)]),
    'MobileNet': (4253864, 'mobilenet_1.00_224', 93, (None, 224, 224, 3), (None, 1000), [
        ('conv1_pad', (None, 225, 225, 3), 0),
        ('conv1', (None, 112, 112, 32), 864),
        ('conv_dw_1', (None, 112, 112, 32), 288),
        ('conv_pad_2', (None, 113, 113, 64), 0),
        ('conv_pw_13_relu', (None, 7, 7, 1024), 0),
        ('reshape_1', (None, 1, 1, 1024), 0),
        ('conv_preds', (None, 1, 1, 1000), 1025000),
        ('act_softmax', (None, 1000), 0)]),
    'MobileNetV2': (3538984, 'mobilenetv2_1.00_224', 157, (None, 224, 224, 3), (None, 1000), [
        ('Conv1_pad', (None, 225, 225, 3), 0),
        ('Conv1', (None, 112, 112, 32), 864),
        ('expanded_conv_depthwise', (None, 112, 112, 32), 288),
        ('block_1_pad', (None, 113, 113, 96), 0),
        ('block_2_add', (None, 56, 56, 24), 0),
        ('block_16_project', (None, 7, 7, 320), 307200),
        ('Conv_1_bn', (None, 7, 7, 1280), 5120),
        ('Logits', (None, 1000), 1281000)]),
    'InceptionV3': (23851784, 'inception_v3', 313, (None, None, None, 3), (None, 1000), [
        ('conv2d_1', (None, None, None, 32), 864),
        ('batch_normalization_1', (None, None, None, 32), 96),
        ('mixed0', (None, None, None, 256), 0),
        ('mixed9_1', (None, None, None, 768), 0),
        ('concatenate_2', (None, None, None, 768), 0),
        ('mixed10', (None, None, None, 2048), 0),
        ('predictions', (None, 1000), 2049000)]),
    'DenseNet121': (8062504, 'densenet121', 429, (None, 224, 224, 3), (None, 1000), [
        ('zero_padding2d_1', (None, 230, 230, 3), 0),
        ('conv1/conv', (None, 112, 112, 64), 9408),
        ('pool1', (None, 56, 56, 64), 0),
        ('conv2_block6_concat', (None, 56, 56, 256), 0),
        ('pool4_pool', (None, 7, 7, 512), 0),
        ('bn', (None, 7, 7, 1024), 4096),
        ('relu', (None, 7, 7, 1024), 0),
        ('fc1000', (None, 1000), 1025000)]),
    'DenseNet169': (14307880, 'densenet169', 597, (None, 224, 224, 3), (None, 1000), [
        ('bn', (None, 7, 7, 1664), 6656)]),
    'DenseNet201': (20242984, 'densenet201', 709, (None, 224, 224, 3), (None, 1000), [
        ('bn', (None, 7, 7, 1920), 7680)]),
    'Xception': (22910480, 'xception', 134, (None, None, None, 3), (None, 1000), [
        ('block1_conv1', (None, None, None, 32), 864),
        ('block2_sepconv1', (None, None, None, 128), 8768),
        ('conv2d_1', (None, None, None, 128), 8192),
        ('add_12', (None, None, None, 1024), 0),
        ('block14_sepconv2', (None, None, None, 2048), 3159552),
        ('predictions', (None, 1000), 2049000)]),
}


@pytest.mark.parametrize('name', sorted(KERAS))
def test_default_build_matches_keras(name):
    params, model_name, n_layers, input_shape, output_shape, sample = KERAS[name]
    model = getattr(applications, name)(weights=None)
    assert model.count_params() == params
    assert model.name == model_name
    assert len(model.layers) == n_layers
    assert model.input_shape == input_shape and model.output_shape == output_shape
    for layer_name, shape, layer_params in sample:
        layer = model.get_layer(layer_name)
        assert layer.output_shape == shape, layer_name
        assert layer.count_params() == layer_params, layer_name


def test_module_paths_as_keras():
    from kback.applications import densenet, mobilenet, mobilenet_v2, resnet50, vgg16, xception
    from kback.applications.inception_v3 import InceptionV3
    from kback.applications.vgg16 import VGG16
    assert VGG16 is applications.VGG16 and InceptionV3 is applications.InceptionV3
    for module in (densenet, mobilenet, mobilenet_v2, resnet50, vgg16, xception):
        assert module.decode_predictions is applications.imagenet_utils.decode_predictions
        assert callable(module.preprocess_input)


# Small builds Keras accepts (its minimum sizes, narrow MobileNets) for the
# forward passes: (model, arguments, channels of the last feature map).
SMALL = {
    'VGG16': (dict(input_shape=(32, 32, 3)), 512),
    'VGG19': (dict(input_shape=(32, 32, 3)), 512),
    'ResNet50': (dict(input_shape=(32, 32, 3)), 2048),
    'MobileNet': (dict(input_shape=(32, 32, 3), alpha=0.25), 256),
    'MobileNetV2': (dict(input_shape=(32, 32, 3), alpha=0.35), 1280),
    'InceptionV3': (dict(input_shape=(75, 75, 3)), 2048),
    'DenseNet121': (dict(input_shape=(32, 32, 3)), 1024),
    'Xception': (dict(input_shape=(71, 71, 3)), 2048),
}


def _channels_first(shape):
    return (shape[2],) + tuple(shape[:2])


@pytest.mark.parametrize('name', sorted(SMALL))
def test_forward_pass_same_in_both_data_formats(name):
    """The headless model with average pooling computes the same features from
    the same weights in channels_last and in channels_first."""
    kwargs, channels = SMALL[name]
    build = getattr(applications, name)
    last = build(weights=None, include_top=False, pooling='avg', **kwargs)
    assert last.output_shape == (None, channels)
    x = np.random.RandomState(0).uniform(-1, 1, (2,) + last.input_shape[1:]).astype('float32')
    expected = last.predict(x)
    assert np.all(np.isfinite(expected)) and np.std(expected) > 0

    K.set_image_data_format('channels_first')
    kwargs = dict(kwargs, input_shape=_channels_first(kwargs['input_shape']))
    first = build(weights=None, include_top=False, pooling='avg', **kwargs)
    assert first.count_params() == last.count_params()
    first.set_weights(last.get_weights())
    got = first.predict(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('pooling, shape', [(None, (None, 1, 1, 512)), ('avg', (None, 512)),
                                            ('max', (None, 512))])
def test_pooling_heads(pooling, shape):
    model = applications.VGG16(weights=None, include_top=False, input_shape=(48, 40, 3),
                               pooling=pooling)
    assert model.output_shape == shape
    assert model.count_params() == 14714688
    assert model.layers[-1].name == ('block5_pool' if pooling is None else
                                     'global_%s_pooling2d_1' % {'avg': 'average',
                                                                'max': 'max'}[pooling])


# Keras's shapes of the last feature map at the SMALL sizes.
FEATURES = {'VGG16': (1, 1, 512), 'VGG19': (1, 1, 512), 'MobileNet': (1, 1, 256),
            'MobileNetV2': (1, 1, 1280), 'InceptionV3': (1, 1, 2048),
            'DenseNet121': (1, 1, 1024), 'Xception': (3, 3, 2048)}


@pytest.mark.parametrize('name', sorted(FEATURES))
def test_headless_without_pooling_ends_in_the_feature_map(name):
    kwargs, _ = SMALL[name]
    model = getattr(applications, name)(weights=None, include_top=False, **kwargs)
    assert model.output_shape == (None,) + FEATURES[name]


# Channels of each model's last feature map.
LAST_DIM = {name: channels for name, (_, channels) in SMALL.items()}
LAST_DIM.update(MobileNet=1024)


@pytest.mark.filterwarnings('ignore:The output shape of `ResNet50')
@pytest.mark.parametrize('name', sorted(LAST_DIM))
def test_free_size_and_one_channel(name):
    """Keras's own test: any size and one input channel without the top."""
    model = getattr(applications, name)(weights=None, include_top=False,
                                        input_shape=(None, None, 1))
    assert model.input_shape == (None, None, None, 1)
    assert model.output_shape == (None, None, None, LAST_DIM[name])


def test_densenet_pooling_names_and_free_size():
    model = applications.DenseNet121(weights=None, include_top=False, pooling='max')
    assert model.input_shape == (None, None, None, 3)
    assert model.output_shape == (None, 1024)
    assert model.layers[-1].name == 'max_pool'


def test_resnet50_without_pooling_warns_as_keras():
    with pytest.warns(UserWarning, match='has been changed since Keras 2.2.0'):
        model = applications.ResNet50(weights=None, include_top=False,
                                      input_shape=(64, 64, 3))
    assert model.output_shape == (None, 2, 2, 2048)


def test_relu6_for_custom_objects():
    from kback.applications.mobilenet import relu6
    np.testing.assert_array_equal(K.eval(relu6(K.constant([-1., 3., 9.]))), [0., 3., 6.])


def test_classes_and_top_of_a_small_input():
    model = applications.MobileNet(weights=None, input_shape=(32, 32, 3), alpha=0.25,
                                   classes=7)
    assert model.output_shape == (None, 7)
    assert model.name == 'mobilenet_0.25_32'
    y = model.predict(np.random.RandomState(1).rand(3, 32, 32, 3).astype('float32'))
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-5)


def test_mobilenet_size_names_the_model():
    assert applications.MobileNet(weights=None, include_top=False, input_shape=(128, 128, 3),
                                  alpha=0.25).name == 'mobilenet_0.25_128'
    assert applications.MobileNetV2(weights=None, include_top=False, input_shape=(96, 96, 3),
                                    alpha=0.35).name == 'mobilenetv2_0.35_96'


def test_input_tensor_with_predecessors():
    """A model on a tensor that follows other layers starts from their Input."""
    image = Input((34, 34, 1))
    x = Conv2D(3, 3, name='to_rgb')(image)
    model = applications.MobileNetV2(weights=None, include_top=False, input_tensor=x,
                                     alpha=0.35, pooling='avg')
    assert model.inputs == [image]
    assert model.get_layer('to_rgb') is not None
    assert model.predict(np.zeros((1, 34, 34, 1), 'float32')).shape == (1, 1280)


def test_input_tensor_from_the_backend():
    tensor = K.placeholder(shape=(None, 32, 32, 3))
    model = applications.VGG16(weights=None, include_top=False, input_tensor=tensor)
    assert model.inputs[0] is tensor
    assert model.output_shape == (None, 1, 1, 512)


def test_mobilenet_v2_input_shape_must_agree_with_input_tensor():
    with pytest.raises(ValueError, match=r'MobileNetV2: input_shape \(64, 64, 3\).*\(32, 32, 3\)'):
        applications.MobileNetV2(weights=None, include_top=False, input_shape=(64, 64, 3),
                                 input_tensor=Input((32, 32, 3)))


def test_shared_training_step():
    """A headless model with a new top trains (gradients reach every layer kind)."""
    base = applications.MobileNet(weights=None, include_top=False, input_shape=(32, 32, 3),
                                  alpha=0.25, pooling='avg')
    from kback.layers import Dense
    model = Model(base.input, Dense(2, activation='softmax')(base.output))
    model.compile('sgd', 'categorical_crossentropy')
    x = np.random.RandomState(2).rand(4, 32, 32, 3).astype('float32')
    y = np.eye(2, dtype='float32')[[0, 1, 0, 1]]
    before = K.get_value(base.get_layer('conv_dw_1').weights[0]).copy()
    loss = model.train_on_batch(x, y)
    assert np.isfinite(loss)
    assert not np.allclose(K.get_value(base.get_layer('conv_dw_1').weights[0]), before)
