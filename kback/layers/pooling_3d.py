"""Volumetric pooling layers: Max/AveragePooling3D (K.pool3d, through
_Pooling.call) and their global forms (K reductions over the three spatial
axes), Keras 2.3 names, defaults and get_config keys, in the layer's
data_format."""
from .. import backend as K
from .pooling import _Pooling, _GlobalPooling


class _Pooling3D(_Pooling):
    rank = 3

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding='valid', data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling3D(_Pooling3D):
    """Max pooling over 3D windows: the maximum of each window.

    Arguments:
        pool_size: an int or a tuple of 3 ints, the size of the pooling window.
        strides: an int or a tuple of 3 ints or None (default: `pool_size`), the
            step of the window.
        padding: `'valid'` or `'same'`; with `'same'`, windows that overhang the
            input use only its values.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        5D tensor `(batch, dim1, dim2, dim3, channels)` (channels last) or
        `(batch, channels, dim1, dim2, dim3)` (channels first).

    Output shape:
        5D tensor in the same layout, with the pooled spatial sizes.

    Raises:
        ValueError: if a size or stride is < 1, or the padding or data format is
            unknown.
    """
    pool_mode = 'max'


class AveragePooling3D(_Pooling3D):
    """Average pooling over 3D windows: the average of each window.

    Arguments:
        pool_size: an int or a tuple of 3 ints, the size of the pooling window.
        strides: an int or a tuple of 3 ints or None (default: `pool_size`), the
            step of the window.
        padding: `'valid'` or `'same'`; with `'same'`, windows that overhang the
            input use only its values.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        5D tensor `(batch, dim1, dim2, dim3, channels)` (channels last) or
        `(batch, channels, dim1, dim2, dim3)` (channels first).

    Output shape:
        5D tensor in the same layout, with the pooled spatial sizes.

    Raises:
        ValueError: if a size or stride is < 1, or the padding or data format is
            unknown.
    """
    pool_mode = 'avg'


class GlobalAveragePooling3D(_GlobalPooling):
    """Global average pooling: the average over all spatial positions, per channel.

    Arguments:
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        5D tensor, channels last or first.

    Output shape:
        2D tensor `(batch, channels)`.
    """
    rank = 3

    def call(self, inputs):
        return K.mean(inputs, axis=self._spatial_axes())


class GlobalMaxPooling3D(_GlobalPooling):
    """Global max pooling: the maximum over all spatial positions, per channel.

    Arguments:
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        5D tensor, channels last or first.

    Output shape:
        2D tensor `(batch, channels)`.
    """
    rank = 3

    def call(self, inputs):
        return K.max(inputs, axis=self._spatial_axes())


# Aliases
MaxPool3D = MaxPooling3D
AvgPool3D = AveragePooling3D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool3D = GlobalAveragePooling3D
