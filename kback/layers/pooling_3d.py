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
    """Max over pool_size windows of depth, rows and columns."""
    pool_mode = 'max'


class AveragePooling3D(_Pooling3D):
    """Mean over pool_size windows ('same' padding averages real positions only)."""
    pool_mode = 'avg'


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over depth, rows and columns: (batch, channels)."""
    rank = 3

    def call(self, inputs):
        return K.mean(inputs, axis=self._spatial_axes())


class GlobalMaxPooling3D(_GlobalPooling):
    """Max over depth, rows and columns: (batch, channels)."""
    rank = 3

    def call(self, inputs):
        return K.max(inputs, axis=self._spatial_axes())


# Aliases
MaxPool3D = MaxPooling3D
AvgPool3D = AveragePooling3D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool3D = GlobalAveragePooling3D
