"""Xception V1 (Keras 2.3.1's `keras.applications.xception`).

Depthwise separable convolutions with residual connections: an entry flow
of three downsampling modules, eight middle-flow modules at 728 channels
and an exit flow. Its default input is 299x299 and its preprocessing 'tf'.

Reference: Xception: Deep Learning with Depthwise Separable Convolutions
(https://arxiv.org/abs/1610.02357).
"""
from ..layers import (Activation, BatchNormalization, Conv2D, Dense, GlobalAveragePooling2D,
                      MaxPooling2D, SeparableConv2D, add)
from ..models import Model
from . import _common, imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401

_BASE = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.4/'
# include_top -> (file name, URL, md5 published by Keras)
WEIGHTS = {
    True: ('xception_weights_tf_dim_ordering_tf_kernels.h5',
           _BASE + 'xception_weights_tf_dim_ordering_tf_kernels.h5',
           '0a58e3b7378bc2990ea3b43d5981f1f6'),
    False: ('xception_weights_tf_dim_ordering_tf_kernels_notop.h5',
            _BASE + 'xception_weights_tf_dim_ordering_tf_kernels_notop.h5',
            'b0042744bf5b25fce3cb969f33bebb97'),
}


def _sepconv_bn(x, filters, name, axis):
    x = SeparableConv2D(filters, (3, 3), padding='same', use_bias=False, name=name)(x)
    return BatchNormalization(axis=axis, name=name + '_bn')(x)


def _shortcut(x, filters, axis):
    """The strided 1x1 projection of a downsampling module's input (unnamed, as in Keras)."""
    x = Conv2D(filters, (1, 1), strides=(2, 2), padding='same', use_bias=False)(x)
    return BatchNormalization(axis=axis)(x)


def _down_module(x, filters, block, axis, first_relu=True):
    """relu-sepconv-bn twice, a strided max pooling, plus the projected input."""
    residual = _shortcut(x, filters[1], axis)
    prefix = 'block%d_' % block
    if first_relu:
        x = Activation('relu', name=prefix + 'sepconv1_act')(x)
    x = _sepconv_bn(x, filters[0], prefix + 'sepconv1', axis)
    x = Activation('relu', name=prefix + 'sepconv2_act')(x)
    x = _sepconv_bn(x, filters[1], prefix + 'sepconv2', axis)
    x = MaxPooling2D((3, 3), strides=(2, 2), padding='same', name=prefix + 'pool')(x)
    return add([x, residual])


def Xception(include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
             pooling=None, classes=1000):
    """The Xception network, optionally with its ImageNet weights.

    Arguments, returns and errors as `VGG16` (a model named 'xception');
    sizes at least 71. As in Keras, the input size stays free (None) unless
    `input_shape` gives it, with the top too (the top pools globally).
    """
    _common.check_arguments('Xception', weights, include_top, classes, pooling,
                            input_tensor)
    input_shape = _common.obtain_input_shape('Xception', input_shape, default_size=299,
                                             min_size=71, require_flatten=False,
                                             weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()

    # Entry flow
    x = Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name='block1_conv1')(img_input)
    x = BatchNormalization(axis=axis, name='block1_conv1_bn')(x)
    x = Activation('relu', name='block1_conv1_act')(x)
    x = Conv2D(64, (3, 3), use_bias=False, name='block1_conv2')(x)
    x = BatchNormalization(axis=axis, name='block1_conv2_bn')(x)
    x = Activation('relu', name='block1_conv2_act')(x)
    x = _down_module(x, (128, 128), 2, axis, first_relu=False)
    x = _down_module(x, (256, 256), 3, axis)
    x = _down_module(x, (728, 728), 4, axis)

    # Middle flow
    for block in range(5, 13):
        residual = x
        for i in range(1, 4):
            x = Activation('relu', name='block%d_sepconv%d_act' % (block, i))(x)
            x = _sepconv_bn(x, 728, 'block%d_sepconv%d' % (block, i), axis)
        x = add([x, residual])

    # Exit flow
    x = _down_module(x, (728, 1024), 13, axis)
    for i, filters in ((1, 1536), (2, 2048)):
        x = _sepconv_bn(x, filters, 'block14_sepconv%d' % i, axis)
        x = Activation('relu', name='block14_sepconv%d_act' % i)(x)

    if include_top:
        x = GlobalAveragePooling2D(name='avg_pool')(x)
        x = Dense(classes, activation='softmax', name='predictions')(x)
    else:
        x = _common.pool(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x, name='xception')
    _common.load_weights('Xception', model, weights, WEIGHTS[bool(include_top)])
    return model


def preprocess_input(x, data_format=None):
    """'tf' preprocessing: see `imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format, mode='tf')
