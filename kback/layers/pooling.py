"""Pooling layers: Max/AveragePooling in 1D and 2D, and the global forms.

Keras 2.3 names, defaults and get_config keys; `call` is K.pool2d or K.pool3d
(the 1D forms pool over a unit axis) or a K reduction, in the layer's
data_format.
"""
from .. import backend as K
from ..engine.base_layer import Layer, InputSpec
from ..utils.conv_utils import (normalize_tuple, normalize_padding, conv_output_length,
                                check_positive as _positive)


class _Pooling(Layer):
    """pool_size, strides (default: pool_size), 'valid'/'same' padding."""
    rank = 2
    pool_mode = 'max'

    def __init__(self, pool_size, strides, padding, data_format, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        if strides is None:
            strides = pool_size
        self.pool_size = _positive(cls, 'pool_size',
                                   normalize_tuple(pool_size, self.rank, 'pool_size'))
        self.strides = _positive(cls, 'strides', normalize_tuple(strides, self.rank, 'strides'))
        self.padding = normalize_padding(padding, ('valid', 'same'), cls)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, k, s in zip(K.spatial_axes(self.data_format, self.rank + 2), self.pool_size,
                             self.strides):
            shape[axis] = conv_output_length(shape[axis], k, self.padding, s)
        return tuple(shape)

    def call(self, inputs):
        pool = K.pool3d if self.rank == 3 else K.pool2d
        return pool(inputs, self.pool_size, strides=self.strides, padding=self.padding,
                    data_format=self.data_format, pool_mode=self.pool_mode)

    def get_config(self):
        config = {'pool_size': self.pool_size, 'padding': self.padding,
                  'strides': self.strides, 'data_format': self.data_format}
        return dict(super().get_config(), **config)


class _Pooling1D(_Pooling):
    rank = 1

    def __init__(self, pool_size=2, strides=None, padding='valid',
                 data_format='channels_last', **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def call(self, inputs):
        # A unit spatial axis after the steps: (N, L, 1, C) or (N, C, L, 1).
        unit_axis = 2 if self.data_format == 'channels_last' else 3
        y = K.pool2d(K.expand_dims(inputs, unit_axis), self.pool_size + (1,),
                     strides=self.strides + (1,), padding=self.padding,
                     data_format=self.data_format, pool_mode=self.pool_mode)
        return K.squeeze(y, unit_axis)


class MaxPooling1D(_Pooling1D):
    """Max pooling over 1D windows: the maximum of each window.

    Arguments:
        pool_size: an int, the size of the pooling window.
        strides: an int or None (default: `pool_size`), the step of the window.
        padding: `'valid'` or `'same'`; with `'same'`, windows that overhang the
            input use only its values.
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Input shape:
        3D tensor `(batch, steps, features)`.

    Output shape:
        3D tensor `(batch, pooled_steps, features)`.

    Raises:
        ValueError: if a size or stride is < 1, or the padding or data format is
            unknown.

    Example::

        model = Sequential([MaxPooling1D(2, input_shape=(10, 4))])
        # output (None, 5, 4)
    """
    pool_mode = 'max'


class AveragePooling1D(_Pooling1D):
    """Average pooling over 1D windows: the average of each window.

    Arguments:
        pool_size: an int, the size of the pooling window.
        strides: an int or None (default: `pool_size`), the step of the window.
        padding: `'valid'` or `'same'`; with `'same'`, windows that overhang the
            input use only its values.
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Input shape:
        3D tensor `(batch, steps, features)`.

    Output shape:
        3D tensor `(batch, pooled_steps, features)`.

    Raises:
        ValueError: if a size or stride is < 1, or the padding or data format is
            unknown.
    """
    pool_mode = 'avg'


class _Pooling2D(_Pooling):
    def __init__(self, pool_size=(2, 2), strides=None, padding='valid', data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(_Pooling2D):
    """Max pooling over 2D windows: the maximum of each window.

    Arguments:
        pool_size: an int or a tuple of 2 ints, the size of the pooling window.
        strides: an int or a tuple of 2 ints or None (default: `pool_size`), the
            step of the window.
        padding: `'valid'` or `'same'`; with `'same'`, windows that overhang the
            input use only its values.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        4D tensor `(batch, rows, cols, channels)` (channels last) or
        `(batch, channels, rows, cols)` (channels first).

    Output shape:
        4D tensor in the same layout, with the pooled spatial sizes.

    Raises:
        ValueError: if a size or stride is < 1, or the padding or data format is
            unknown.

    Example::

        model = Sequential([MaxPooling2D((2, 2), input_shape=(28, 28, 8))])
        # output (None, 14, 14, 8)
    """
    pool_mode = 'max'


class AveragePooling2D(_Pooling2D):
    """Average pooling over 2D windows: the average of each window.

    Arguments:
        pool_size: an int or a tuple of 2 ints, the size of the pooling window.
        strides: an int or a tuple of 2 ints or None (default: `pool_size`), the
            step of the window.
        padding: `'valid'` or `'same'`; with `'same'`, windows that overhang the
            input use only its values.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        4D tensor `(batch, rows, cols, channels)` (channels last) or
        `(batch, channels, rows, cols)` (channels first).

    Output shape:
        4D tensor in the same layout, with the pooled spatial sizes.

    Raises:
        ValueError: if a size or stride is < 1, or the padding or data format is
            unknown.
    """
    pool_mode = 'avg'


class _GlobalPooling(Layer):
    rank = 2

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _spatial_axes(self):
        return list(K.spatial_axes(self.data_format, self.rank + 2))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[K.channel_axis(self.data_format, self.rank + 2)])

    def get_config(self):
        return dict(super().get_config(), data_format=self.data_format)


class GlobalAveragePooling1D(_GlobalPooling):
    """Global average pooling: the average over all steps, per channel.

    Arguments:
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Input shape:
        3D tensor, channels last or first.

    Output shape:
        2D tensor `(batch, channels)`.
    """
    rank = 1

    def __init__(self, data_format='channels_last', **kwargs):
        super().__init__(data_format, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        steps_axis = self._spatial_axes()[0]
        if mask is None:
            return K.mean(inputs, axis=steps_axis)
        mask = K.cast(mask, K.dtype(inputs))
        mask = K.expand_dims(mask, 1 if steps_axis == 2 else -1)
        return K.sum(inputs * mask, axis=steps_axis) / K.sum(mask, axis=steps_axis)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling):
    """Global max pooling: the maximum over all steps, per channel.

    Arguments:
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Input shape:
        3D tensor, channels last or first.

    Output shape:
        2D tensor `(batch, channels)`.
    """
    rank = 1

    def __init__(self, data_format='channels_last', **kwargs):
        super().__init__(data_format, **kwargs)

    def call(self, inputs):
        return K.max(inputs, axis=self._spatial_axes()[0])


class GlobalAveragePooling2D(_GlobalPooling):
    """Global average pooling: the average over all spatial positions, per channel.

    Arguments:
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        4D tensor, channels last or first.

    Output shape:
        2D tensor `(batch, channels)`.
    """

    def call(self, inputs):
        return K.mean(inputs, axis=self._spatial_axes())


class GlobalMaxPooling2D(_GlobalPooling):
    """Global max pooling: the maximum over all spatial positions, per channel.

    Arguments:
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        4D tensor, channels last or first.

    Output shape:
        2D tensor `(batch, channels)`.
    """

    def call(self, inputs):
        return K.max(inputs, axis=self._spatial_axes())


# Aliases
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalAvgPool2D = GlobalAveragePooling2D


# Keras 2.3 defines its 3D pools in this module; kback keeps them in
# pooling_3d, which imports this module, so they are looked up on first access.
_POOLING_3D = ('MaxPooling3D', 'AveragePooling3D', 'GlobalMaxPooling3D', 'GlobalAveragePooling3D',
               'MaxPool3D', 'AvgPool3D', 'GlobalMaxPool3D', 'GlobalAvgPool3D')


def __getattr__(name):
    if name in _POOLING_3D:
        from . import pooling_3d
        return getattr(pooling_3d, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
