"""MobileNet v1 (Keras 2.3.1's `keras.applications.mobilenet`,
keras-applications 1.0.8's layer names).

`alpha` scales the width of every layer and `depth_multiplier` that of the
depthwise convolutions; ImageNet weights exist for alpha 0.25, 0.5, 0.75 and
1.0 at 128, 160, 192 and 224 pixels.

Reference: MobileNets: Efficient Convolutional Neural Networks for Mobile
Vision Applications (https://arxiv.org/abs/1704.04861).
"""
from .. import backend as K
from ..layers import (Activation, BatchNormalization, Conv2D, DepthwiseConv2D, Dropout,
                      GlobalAveragePooling2D, ReLU, Reshape, ZeroPadding2D)
from ..models import Model
from . import _common, _mobile, imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401

BASE_WEIGHT_PATH = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.6/'
ALPHAS = (0.25, 0.50, 0.75, 1.0)
SIZES = (128, 160, 192, 224)
# Pointwise filters (before alpha) and stride of the 13 depthwise blocks.
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def weights_file(alpha, rows, include_top):
    """(file name, URL, hash) of the published weights; Keras publishes no
    hash for these."""
    alpha_text = {1.0: '1_0', 0.75: '7_5', 0.50: '5_0', 0.25: '2_5'}[alpha]
    fname = 'mobilenet_%s_%d_tf%s.h5' % (alpha_text, rows, '' if include_top else '_no_top')
    return fname, BASE_WEIGHT_PATH + fname, None


def relu6(x):
    """min(max(x, 0), 6): MobileNet's activation, for `custom_objects`."""
    return K.relu(x, max_value=6)


def _conv_block(x, filters, alpha, axis, strides):
    x = ZeroPadding2D(padding=((0, 1), (0, 1)), name='conv1_pad')(x)
    x = Conv2D(int(filters * alpha), (3, 3), padding='valid', use_bias=False, strides=strides,
               name='conv1')(x)
    x = BatchNormalization(axis=axis, name='conv1_bn')(x)
    return ReLU(6., name='conv1_relu')(x)


def _depthwise_conv_block(x, filters, alpha, depth_multiplier, axis, strides, block_id):
    if strides != 1:
        x = ZeroPadding2D(((0, 1), (0, 1)), name='conv_pad_%d' % block_id)(x)
    x = DepthwiseConv2D((3, 3), padding='same' if strides == 1 else 'valid',
                        depth_multiplier=depth_multiplier, strides=strides, use_bias=False,
                        name='conv_dw_%d' % block_id)(x)
    x = BatchNormalization(axis=axis, name='conv_dw_%d_bn' % block_id)(x)
    x = ReLU(6., name='conv_dw_%d_relu' % block_id)(x)
    x = Conv2D(int(filters * alpha), (1, 1), padding='same', use_bias=False, strides=(1, 1),
               name='conv_pw_%d' % block_id)(x)
    x = BatchNormalization(axis=axis, name='conv_pw_%d_bn' % block_id)(x)
    return ReLU(6., name='conv_pw_%d_relu' % block_id)(x)


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True,
              weights='imagenet', input_tensor=None, pooling=None, classes=1000):
    """The MobileNet network, optionally with its ImageNet weights.

    Arguments:
        input_shape: as `VGG16`; sizes at least 32; with the top and without
            it the default is 224x224 (or the given square size when weights
            exist for it).
        alpha: width multiplier of every layer.
        depth_multiplier: channel multiplier of the depthwise convolutions.
        dropout: dropout rate before the classifier.
        include_top, weights, input_tensor, pooling, classes: as `VGG16`.

    Returns:
        A `Model` named 'mobilenet_<alpha>_<rows>'.

    Raises:
        ValueError: as `VGG16`; also, for the ImageNet weights, an `alpha`,
            `depth_multiplier` or input size with no published weights.
    """
    _common.check_arguments('MobileNet', weights, include_top, classes, pooling,
                            input_tensor)
    input_shape = _common.obtain_input_shape(
        'MobileNet', input_shape, default_size=_mobile.default_size(input_shape, None, SIZES),
        min_size=32, require_flatten=include_top, weights=weights)
    rows = _mobile.spatial_size(input_shape)
    if weights == 'imagenet':
        rows = _mobile.check_imagenet('MobileNet', input_shape, alpha, ALPHAS, depth_multiplier,
                                      SIZES)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()

    x = _conv_block(img_input, 32, alpha, axis, strides=(2, 2))
    for block_id, (filters, strides) in enumerate(_BLOCKS, 1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, axis, strides, block_id)

    if include_top:
        channels = int(1024 * alpha)
        shape = (channels, 1, 1) if axis == 1 else (1, 1, channels)
        x = GlobalAveragePooling2D()(x)
        x = Reshape(shape, name='reshape_1')(x)
        x = Dropout(dropout, name='dropout')(x)
        x = Conv2D(classes, (1, 1), padding='same', name='conv_preds')(x)
        x = Reshape((classes,), name='reshape_2')(x)
        x = Activation('softmax', name='act_softmax')(x)
    else:
        x = _common.pool(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x,
                  name='mobilenet_%0.2f_%s' % (alpha, rows))
    imagenet_file = weights_file(alpha, rows, include_top) if weights == 'imagenet' else None
    _common.load_weights('MobileNet', model, weights, imagenet_file)
    return model


def preprocess_input(x, data_format=None):
    """'tf' preprocessing: see `imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format, mode='tf')
