"""ResNet50 (Keras 2.3.1's `keras.applications.resnet50`, keras-applications
1.0.8's layer names).

Reference: Deep Residual Learning for Image Recognition
(https://arxiv.org/abs/1512.03385).
"""
import warnings

from ..layers import (Activation, BatchNormalization, Conv2D, Dense, GlobalAveragePooling2D,
                      MaxPooling2D, ZeroPadding2D, add)
from ..models import Model
from . import _common, imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401

_BASE = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.2/'
# include_top -> (file name, URL, md5 published by Keras)
WEIGHTS = {
    True: ('resnet50_weights_tf_dim_ordering_tf_kernels.h5',
           _BASE + 'resnet50_weights_tf_dim_ordering_tf_kernels.h5',
           'a7b3fe01876f51b976af0dea6bc144eb'),
    False: ('resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
            _BASE + 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
            'a268eb855778b3df3c7506639542a6af'),
}

# (stage, filters of the three convolutions, blocks, stride of the first block)
_STAGES = ((2, (64, 64, 256), 3, 1), (3, (128, 128, 512), 4, 2),
           (4, (256, 256, 1024), 6, 2), (5, (512, 512, 2048), 3, 2))


def _conv_bn(x, filters, kernel_size, name, bn_axis, strides=1, padding='valid', relu=True,
             conv_prefix='res', bn_prefix='bn'):
    """Conv2D and BatchNormalization named `res<name>` and `bn<name>` (the
    blocks' names; the stem's are `conv1` and `bn_conv1`), then a ReLU."""
    x = Conv2D(filters, kernel_size, strides=strides, padding=padding,
               kernel_initializer='he_normal', name=conv_prefix + name)(x)
    x = BatchNormalization(axis=bn_axis, name=bn_prefix + name)(x)
    return Activation('relu')(x) if relu else x


def _block(x, filters, stage, block, strides, bn_axis, shortcut_conv):
    """A bottleneck block: 1x1, 3x3 and 1x1 convolutions added to the input,
    or to its 1x1 projection when `shortcut_conv` (the first block of a stage)."""
    name = f'{stage}{block}_branch'
    f1, f2, f3 = filters
    y = _conv_bn(x, f1, (1, 1), name + '2a', bn_axis, strides=strides)
    y = _conv_bn(y, f2, 3, name + '2b', bn_axis, padding='same')
    y = _conv_bn(y, f3, (1, 1), name + '2c', bn_axis, relu=False)
    if shortcut_conv:
        x = _conv_bn(x, f3, (1, 1), name + '1', bn_axis, strides=strides, relu=False)
    return Activation('relu')(add([y, x]))


def ResNet50(include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
             pooling=None, classes=1000):
    """The ResNet50 network, optionally with its ImageNet weights.

    Arguments, returns and errors as `VGG16` (a model named 'resnet50');
    the input is 224x224 with the top, at least 32x32 without it. Without the
    top and without pooling Keras warns that the output shape changed in
    Keras 2.2.0 (it is the last feature map), and so does this.
    """
    _common.check_arguments('ResNet50', weights, include_top, classes, pooling,
                            input_tensor)
    input_shape = _common.obtain_input_shape('ResNet50', input_shape, default_size=224,
                                             min_size=32, require_flatten=include_top,
                                             weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    bn_axis = _common.channel_axis(last=3)

    x = ZeroPadding2D(padding=(3, 3), name='conv1_pad')(img_input)
    x = _conv_bn(x, 64, (7, 7), 'conv1', bn_axis, strides=(2, 2), conv_prefix='',
                 bn_prefix='bn_')
    x = ZeroPadding2D(padding=(1, 1), name='pool1_pad')(x)
    x = MaxPooling2D((3, 3), strides=(2, 2))(x)
    for stage, filters, blocks, stride in _STAGES:
        for i in range(blocks):
            x = _block(x, filters, stage, 'abcdef'[i], stride if i == 0 else 1, bn_axis,
                       shortcut_conv=i == 0)

    if include_top:
        x = GlobalAveragePooling2D(name='avg_pool')(x)
        x = Dense(classes, activation='softmax', name='fc1000')(x)
    else:
        if pooling is None:
            warnings.warn('The output shape of `ResNet50(include_top=False)` has been changed '
                          'since Keras 2.2.0.')
        x = _common.pool(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x, name='resnet50')
    _common.load_weights('ResNet50', model, weights, WEIGHTS[bool(include_top)])
    return model


def preprocess_input(x, data_format=None):
    """'caffe' preprocessing: see `imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format, mode='caffe')
