"""MobileNetV2 (Keras 2.3.1's `keras.applications.mobilenet_v2`,
keras-applications 1.0.8's layer names).

Inverted residual blocks: a 1x1 expansion, a 3x3 depthwise convolution and a
linear 1x1 projection, added to the block's input where the shapes agree.
ImageNet weights exist for alpha 0.35, 0.5, 0.75, 1.0, 1.3 and 1.4 at 96,
128, 160, 192 and 224 pixels.

Reference: MobileNetV2: Inverted Residuals and Linear Bottlenecks
(https://arxiv.org/abs/1801.04381).
"""
from .. import backend as K
from ..layers import (Add, BatchNormalization, Conv2D, Dense, DepthwiseConv2D,
                      GlobalAveragePooling2D, ReLU, ZeroPadding2D)
from ..models import Model
from . import _common, _mobile, imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401

BASE_WEIGHT_PATH = ('https://github.com/JonathanCMitchell/mobilenet_v2_keras/'
                    'releases/download/v1.1/')
ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)
SIZES = (96, 128, 160, 192, 224)
# (filters before alpha, stride, expansion) of the 17 inverted residual blocks.
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6),
           (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6),
           (160, 1, 6), (160, 1, 6), (320, 1, 6))
# Every batch normalization of the network.
_BN = dict(epsilon=1e-3, momentum=0.999)


def weights_file(alpha, rows, include_top):
    """(file name, URL, hash) of the published weights; Keras publishes no
    hash for these."""
    fname = 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_%s_%s%s.h5' % (
        alpha, rows, '' if include_top else '_no_top')
    return fname, BASE_WEIGHT_PATH + fname, None


def _make_divisible(v, divisor, min_value=None):
    """`v` rounded to a multiple of `divisor`, never below 90% of `v`."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def correct_pad(inputs, kernel_size):
    """((top, bottom), (left, right)) zero padding that makes a strided
    'valid' convolution of `inputs` match TensorFlow's 'same' one."""
    first = K.image_data_format() == 'channels_first'
    size = K.int_shape(inputs)[2:4] if first else K.int_shape(inputs)[1:3]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id, axis):
    in_channels = K.int_shape(inputs)[axis]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = 'block_%d_' % block_id
    if block_id:
        x = Conv2D(expansion * in_channels, kernel_size=1, padding='same', use_bias=False,
                   activation=None, name=prefix + 'expand')(x)
        x = BatchNormalization(axis=axis, name=prefix + 'expand_BN', **_BN)(x)
        x = ReLU(6., name=prefix + 'expand_relu')(x)
    else:
        prefix = 'expanded_conv_'
    if stride == 2:
        x = ZeroPadding2D(padding=correct_pad(x, 3), name=prefix + 'pad')(x)
    x = DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                        padding='same' if stride == 1 else 'valid',
                        name=prefix + 'depthwise')(x)
    x = BatchNormalization(axis=axis, name=prefix + 'depthwise_BN', **_BN)(x)
    x = ReLU(6., name=prefix + 'depthwise_relu')(x)
    x = Conv2D(pointwise_filters, kernel_size=1, padding='same', use_bias=False,
               activation=None, name=prefix + 'project')(x)
    x = BatchNormalization(axis=axis, name=prefix + 'project_BN', **_BN)(x)
    if in_channels == pointwise_filters and stride == 1:
        return Add(name=prefix + 'add')([inputs, x])
    return x


def _check_tensor_shape(input_tensor, input_shape):
    """Keras checks that `input_shape` agrees with a given Keras tensor."""
    if input_shape is None or input_tensor is None or not K.is_keras_tensor(input_tensor):
        return
    actual = tuple(K.int_shape(input_tensor)[1:])
    if len(actual) != len(input_shape) or any(
            a is not None and b is not None and a != b for a, b in zip(actual, input_shape)):
        raise ValueError(f'MobileNetV2: input_shape {tuple(input_shape)} and the shape of '
                         f'input_tensor {actual} do not meet the same shape requirements')


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights='imagenet',
                input_tensor=None, pooling=None, classes=1000):
    """The MobileNetV2 network, optionally with its ImageNet weights.

    Arguments:
        input_shape: as `MobileNet`; when only `input_tensor` is given, its
            size chooses the weights. Given with `input_tensor`, the two must
            agree.
        alpha: width multiplier of every layer (the last convolution keeps
            1280 filters unless alpha > 1).
        include_top, weights, input_tensor, pooling, classes: as `VGG16`.

    Returns:
        A `Model` named 'mobilenetv2_<alpha>_<rows>'.

    Raises:
        ValueError: as `MobileNet`.
    """
    _common.check_arguments('MobileNetV2', weights, include_top, classes, pooling,
                            input_tensor)
    _check_tensor_shape(input_tensor, input_shape)
    input_shape = _common.obtain_input_shape(
        'MobileNetV2', input_shape,
        default_size=_mobile.default_size(input_shape, input_tensor, SIZES), min_size=32,
        require_flatten=include_top, weights=weights)
    rows = _mobile.spatial_size(input_shape)
    if weights == 'imagenet':
        rows = _mobile.check_imagenet('MobileNetV2', input_shape, alpha, ALPHAS, 1, SIZES)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()

    x = ZeroPadding2D(padding=correct_pad(img_input, 3), name='Conv1_pad')(img_input)
    x = Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2), padding='valid',
               use_bias=False, name='Conv1')(x)
    x = BatchNormalization(axis=axis, name='bn_Conv1', **_BN)(x)
    x = ReLU(6., name='Conv1_relu')(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride,
                                expansion=expansion, block_id=block_id, axis=axis)
    # As the paper: alpha widens the last convolution but never narrows it.
    last_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = Conv2D(last_filters, kernel_size=1, use_bias=False, name='Conv_1')(x)
    x = BatchNormalization(axis=axis, name='Conv_1_bn', **_BN)(x)
    x = ReLU(6., name='out_relu')(x)

    if include_top:
        x = GlobalAveragePooling2D()(x)
        x = Dense(classes, activation='softmax', use_bias=True, name='Logits')(x)
    else:
        x = _common.pool(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x,
                  name='mobilenetv2_%0.2f_%s' % (alpha, rows))
    imagenet_file = weights_file(alpha, rows, include_top) if weights == 'imagenet' else None
    _common.load_weights('MobileNetV2', model, weights, imagenet_file)
    return model


def preprocess_input(x, data_format=None):
    """'tf' preprocessing: see `imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format, mode='tf')
