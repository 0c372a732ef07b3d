"""VGG16 (Keras 2.3.1's `keras.applications.vgg16`).

Reference: Very Deep Convolutional Networks for Large-Scale Image Recognition
(https://arxiv.org/abs/1409.1556).
"""
from . import imagenet_utils
from ._vgg import build_vgg
from .imagenet_utils import decode_predictions  # noqa: F401

_BASE = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.1/'
# include_top -> (file name, URL, md5 published by Keras)
WEIGHTS = {
    True: ('vgg16_weights_tf_dim_ordering_tf_kernels.h5',
           _BASE + 'vgg16_weights_tf_dim_ordering_tf_kernels.h5',
           '64373286793e3c8b2b4e3219cbf3544b'),
    False: ('vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
            _BASE + 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
            '6d6bbae143d832006294945121d1f1fc'),
}


def VGG16(include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
          pooling=None, classes=1000):
    """The VGG16 network, optionally with its ImageNet weights.

    Arguments:
        include_top: whether to end with the three fully-connected layers
            (then the input must be 224x224).
        weights: None (random initialization), 'imagenet' (downloaded once
            into `<cache>/models/`), or the path of a weights file.
        input_tensor: a tensor (e.g. from `Input()`) to use as the image input.
        input_shape: (rows, cols, channels), or (channels, rows, cols) for
            channels_first; only without the top; sizes at least 32.
        pooling: without the top: None (the last feature map), 'avg' or
            'max' (its global average or maximum, a 2D output).
        classes: the number of classes, with the top and without the
            ImageNet weights.

    Returns:
        A `Model` named 'vgg16'.

    Raises:
        ValueError: a bad `weights`, `classes`, `pooling` or input shape.
        DownloadError (an OSError): the ImageNet weights could not be fetched.
    """
    return build_vgg('VGG16', (2, 2, 3, 3, 3), include_top, weights, input_tensor, input_shape,
                     pooling, classes, WEIGHTS[bool(include_top)])


def preprocess_input(x, data_format=None):
    """'caffe' preprocessing: see `imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format, mode='caffe')
