"""Inception V3 (Keras 2.3.1's `keras.applications.inception_v3`).

Its default input is 299x299 and its preprocessing is 'tf' (as Xception).

Reference: Rethinking the Inception Architecture for Computer Vision
(https://arxiv.org/abs/1512.00567).
"""
from ..layers import (AveragePooling2D, Activation, BatchNormalization, Conv2D, Dense,
                      GlobalAveragePooling2D, MaxPooling2D, concatenate)
from ..models import Model
from . import _common, imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401

_BASE = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.5/'
# include_top -> (file name, URL, md5 published by Keras)
WEIGHTS = {
    True: ('inception_v3_weights_tf_dim_ordering_tf_kernels.h5',
           _BASE + 'inception_v3_weights_tf_dim_ordering_tf_kernels.h5',
           '9a0d58056eeedaa3f26cb7ebd46da564'),
    False: ('inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
            _BASE + 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
            'bcbd6486424b2319ff4ef7d526e38f63'),
}


def conv2d_bn(x, filters, num_row, num_col, padding='same', strides=(1, 1), name=None):
    """Conv2D (no bias), BatchNormalization (no scale) and ReLU; a `name`
    gives the layers `name + '_conv'`, `name + '_bn'` and `name`."""
    axis = _common.channel_axis(last=3)
    x = Conv2D(filters, (num_row, num_col), strides=strides, padding=padding, use_bias=False,
               name=None if name is None else name + '_conv')(x)
    x = BatchNormalization(axis=axis, scale=False,
                           name=None if name is None else name + '_bn')(x)
    return Activation('relu', name=name)(x)


def _avg_pool_branch(x, filters):
    x = AveragePooling2D((3, 3), strides=(1, 1), padding='same')(x)
    return conv2d_bn(x, filters, 1, 1)


def _mixed_35(x, pool_filters, name):
    """A 35x35 module (mixed 0 to 2)."""
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = conv2d_bn(conv2d_bn(x, 48, 1, 1), 64, 5, 5)
    b3 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
    bp = _avg_pool_branch(x, pool_filters)
    return concatenate([b1, b5, b3, bp], axis=_common.channel_axis(last=3), name=name)


def _mixed_17(x, filters, name):
    """A 17x17 module with factorised 7x7 convolutions (mixed 4 to 7)."""
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(x, filters, 1, 1)
    b7 = conv2d_bn(b7, filters, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    b7d = conv2d_bn(x, filters, 1, 1)
    b7d = conv2d_bn(b7d, filters, 7, 1)
    b7d = conv2d_bn(b7d, filters, 1, 7)
    b7d = conv2d_bn(b7d, filters, 7, 1)
    b7d = conv2d_bn(b7d, 192, 1, 7)
    bp = _avg_pool_branch(x, 192)
    return concatenate([b1, b7, b7d, bp], axis=_common.channel_axis(last=3), name=name)


def _mixed_8(x, i):
    """An 8x8 module with split 3x3 convolutions (mixed 9 and 10)."""
    axis = _common.channel_axis(last=3)
    b1 = conv2d_bn(x, 320, 1, 1)
    b3 = conv2d_bn(x, 384, 1, 1)
    b3 = concatenate([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)], axis=axis,
                     name='mixed9_%d' % i)
    b3d = conv2d_bn(x, 448, 1, 1)
    b3d = conv2d_bn(b3d, 384, 3, 3)
    b3d = concatenate([conv2d_bn(b3d, 384, 1, 3), conv2d_bn(b3d, 384, 3, 1)], axis=axis)
    bp = _avg_pool_branch(x, 192)
    return concatenate([b1, b3, b3d, bp], axis=axis, name='mixed%d' % (9 + i))


def InceptionV3(include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
                pooling=None, classes=1000):
    """The Inception V3 network, optionally with its ImageNet weights.

    Arguments, returns and errors as `VGG16` (a model named
    'inception_v3'); sizes at least 75. As in Keras, the input size stays
    free (None) unless `input_shape` gives it, with the top too (the top
    pools globally).
    """
    _common.check_arguments('InceptionV3', weights, include_top, classes, pooling,
                            input_tensor)
    input_shape = _common.obtain_input_shape('InceptionV3', input_shape, default_size=299,
                                             min_size=75, require_flatten=False,
                                             weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis(last=3)

    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding='valid')
    x = conv2d_bn(x, 32, 3, 3, padding='valid')
    x = conv2d_bn(x, 64, 3, 3)
    x = MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding='valid')
    x = conv2d_bn(x, 192, 3, 3, padding='valid')
    x = MaxPooling2D((3, 3), strides=(2, 2))(x)

    for i, pool_filters in enumerate((32, 64, 64)):
        x = _mixed_35(x, pool_filters, 'mixed%d' % i)

    # mixed 3: down to 17x17
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding='valid')
    b3d = conv2d_bn(x, 64, 1, 1)
    b3d = conv2d_bn(b3d, 96, 3, 3)
    b3d = conv2d_bn(b3d, 96, 3, 3, strides=(2, 2), padding='valid')
    bp = MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = concatenate([b3, b3d, bp], axis=axis, name='mixed3')

    for i, filters in enumerate((128, 160, 160, 192)):
        x = _mixed_17(x, filters, 'mixed%d' % (4 + i))

    # mixed 8: down to 8x8
    b3 = conv2d_bn(x, 192, 1, 1)
    b3 = conv2d_bn(b3, 320, 3, 3, strides=(2, 2), padding='valid')
    b7 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(b7, 192, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding='valid')
    bp = MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = concatenate([b3, b7, bp], axis=axis, name='mixed8')

    for i in range(2):
        x = _mixed_8(x, i)

    if include_top:
        x = GlobalAveragePooling2D(name='avg_pool')(x)
        x = Dense(classes, activation='softmax', name='predictions')(x)
    else:
        x = _common.pool(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x, name='inception_v3')
    _common.load_weights('InceptionV3', model, weights, WEIGHTS[bool(include_top)])
    return model


def preprocess_input(x, data_format=None):
    """'tf' preprocessing: see `imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format, mode='tf')
