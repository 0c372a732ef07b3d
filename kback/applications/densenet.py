"""DenseNet 121, 169 and 201 (Keras 2.3.1's `keras.applications.densenet`).

Each dense block concatenates to its input the output of every one of its
layers; transition blocks halve the channels and the spatial size.

Reference: Densely Connected Convolutional Networks
(https://arxiv.org/abs/1608.06993).
"""
from .. import backend as K
from ..layers import (Activation, AveragePooling2D, BatchNormalization, Concatenate, Conv2D,
                      Dense, GlobalAveragePooling2D, MaxPooling2D, ZeroPadding2D)
from ..models import Model
from . import _common, imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401

_BASE = 'https://github.com/keras-team/keras-applications/releases/download/densenet/'
# Block counts of the published networks -> model name.
NAMES = {(6, 12, 24, 16): 'densenet121', (6, 12, 32, 32): 'densenet169',
         (6, 12, 48, 32): 'densenet201'}
# Model name -> md5 of its weights (with the top, without), as published by Keras.
HASHES = {'densenet121': ('9d60b8095a5708f2dcce2bca79d332c7', '30ee3e1110167f948a6b9946edeeb738'),
          'densenet169': ('d699b8f76981ab1b30698df4c175e90b', 'b8c4d4c20dd625c148057b9ff1c1176b'),
          'densenet201': ('1ceb130c1ea1b78c3bf6114dbdfd8807', 'c13680b51ded0fb44dff2d8f86ac8bb1')}


def weights_file(name, include_top):
    """(file name, URL, md5) of the published weights of model `name`."""
    fname = '%s_weights_tf_dim_ordering_tf_kernels%s.h5' % (name, '' if include_top else '_notop')
    return fname, _BASE + fname, HASHES[name][0 if include_top else 1]


# Every batch normalization of the network.
_EPSILON = 1.001e-5


def _bn(x, axis, name):
    return BatchNormalization(axis=axis, epsilon=_EPSILON, name=name)(x)


def dense_block(x, blocks, name):
    """`blocks` conv blocks, each adding 32 channels."""
    for i in range(blocks):
        x = conv_block(x, 32, name=name + '_block' + str(i + 1))
    return x


def transition_block(x, reduction, name):
    """BN, ReLU, a 1x1 convolution to `reduction` of the channels, 2x2 average pooling."""
    axis = _common.channel_axis(last=3)
    x = _bn(x, axis, name + '_bn')
    x = Activation('relu', name=name + '_relu')(x)
    x = Conv2D(int(K.int_shape(x)[axis] * reduction), 1, use_bias=False,
               name=name + '_conv')(x)
    return AveragePooling2D(2, strides=2, name=name + '_pool')(x)


def conv_block(x, growth_rate, name):
    """BN-ReLU-1x1 conv, BN-ReLU-3x3 conv to `growth_rate` channels, joined to `x`."""
    axis = _common.channel_axis(last=3)
    y = _bn(x, axis, name + '_0_bn')
    y = Activation('relu', name=name + '_0_relu')(y)
    y = Conv2D(4 * growth_rate, 1, use_bias=False, name=name + '_1_conv')(y)
    y = _bn(y, axis, name + '_1_bn')
    y = Activation('relu', name=name + '_1_relu')(y)
    y = Conv2D(growth_rate, 3, padding='same', use_bias=False, name=name + '_2_conv')(y)
    return Concatenate(axis=axis, name=name + '_concat')([x, y])


def DenseNet(blocks, include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
             pooling=None, classes=1000):
    """A DenseNet whose four dense blocks hold `blocks` conv blocks.

    Other arguments, returns and errors as `VGG16`; sizes at least 32. The
    model is named 'densenet121', 'densenet169' or 'densenet201' for those
    block counts ('densenet' otherwise, with no ImageNet weights).
    """
    blocks = tuple(blocks)
    name = NAMES.get(blocks, 'densenet')
    label = 'DenseNet' + name[len('densenet'):]
    _common.check_arguments(label, weights, include_top, classes, pooling,
                            input_tensor)
    if weights == 'imagenet' and blocks not in NAMES:
        raise ValueError(f'DenseNet: ImageNet weights exist only for blocks '
                         f'{", ".join(map(str, NAMES))}; got {blocks}')
    input_shape = _common.obtain_input_shape(label, input_shape, default_size=224, min_size=32,
                                             require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis(last=3)

    x = ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = Conv2D(64, 7, strides=2, use_bias=False, name='conv1/conv')(x)
    x = _bn(x, axis, 'conv1/bn')
    x = Activation('relu', name='conv1/relu')(x)
    x = ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = MaxPooling2D(3, strides=2, name='pool1')(x)
    for i, n in enumerate(blocks):
        x = dense_block(x, n, name='conv%d' % (i + 2))
        if i < len(blocks) - 1:
            x = transition_block(x, 0.5, name='pool%d' % (i + 2))
    x = _bn(x, axis, 'bn')
    x = Activation('relu', name='relu')(x)

    if include_top:
        x = GlobalAveragePooling2D(name='avg_pool')(x)
        x = Dense(classes, activation='softmax', name='fc1000')(x)
    else:
        x = _common.pool(x, pooling, avg_name='avg_pool', max_name='max_pool')
    model = Model(_common.model_inputs(input_tensor, img_input), x, name=name)
    imagenet_file = weights_file(name, include_top) if weights == 'imagenet' else None
    _common.load_weights(label, model, weights, imagenet_file)
    return model


def DenseNet121(include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
                pooling=None, classes=1000):
    """DenseNet-121: dense blocks of 6, 12, 24 and 16 (see `DenseNet`)."""
    return DenseNet((6, 12, 24, 16), include_top, weights, input_tensor, input_shape, pooling,
                    classes)


def DenseNet169(include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
                pooling=None, classes=1000):
    """DenseNet-169: dense blocks of 6, 12, 32 and 32 (see `DenseNet`)."""
    return DenseNet((6, 12, 32, 32), include_top, weights, input_tensor, input_shape, pooling,
                    classes)


def DenseNet201(include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
                pooling=None, classes=1000):
    """DenseNet-201: dense blocks of 6, 12, 48 and 32 (see `DenseNet`)."""
    return DenseNet((6, 12, 48, 32), include_top, weights, input_tensor, input_shape, pooling,
                    classes)


def preprocess_input(x, data_format=None):
    """'torch' preprocessing: see `imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format, mode='torch')
