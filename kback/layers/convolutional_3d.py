"""Volumetric convolution layers (Conv3D, Conv3DTranspose) and the 3D
UpSampling/ZeroPadding/Cropping layers.

Keras 2.3 names, defaults, weight shapes and get_config keys; every `call`
is K ops only, in the layer's data_format.  Kernels are (kd, kh, kw, in,
out) (Conv3DTranspose: (kd, kh, kw, filters, in)) in both data formats.
"""
from .. import backend as K
from ..utils.conv_utils import normalize_tuple
from .convolutional import _Conv, _ConvTranspose
from .spatial_reshaping import _UpSampling, _ZeroPadding, _Cropping


class Conv3D(_Conv):
    """A 3D convolution layer over volumes.

    The kernel has shape `(k1, k2, k3, in_channels, filters)`; it runs as numpy
    im2col and one BLAS product per batch chunk.

    Arguments:
        filters: an int, the number of output channels.
        kernel_size: an int or a tuple of 3 ints, the size of the convolution
            window.
        strides: an int or a tuple of 3 ints, the step of the window along each
            spatial axis; a stride > 1 cannot be combined with a dilation rate >
            1.
        padding: `'valid'` (no padding) or `'same'` (pad so the output has
            ceil(input / stride) positions).
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: an int or a tuple of 3 ints, the spacing of the window's
            taps (atrous convolution).
        activation: the activation function (name or function; None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer: the initializer of the kernel.
        bias_initializer: the initializer of the bias.
        kernel_regularizer: a regularizer applied to the kernel.
        bias_regularizer: a regularizer applied to the bias.
        activity_regularizer: a regularizer applied to the output.
        kernel_constraint: a constraint applied to the kernel.
        bias_constraint: a constraint applied to the bias.

    Input shape:
        5D tensor `(batch, dim1, dim2, dim3, channels)` (channels last) or
        `(batch, channels, dim1, dim2, dim3)` (channels first).

    Output shape:
        5D tensor `(batch, new_dim1, new_dim2, new_dim3, filters)` (channels last) or
        `(batch, filters, new_dim1, new_dim2, new_dim3)` (channels first).

    Raises:
        ValueError: if an argument is out of range (a size, stride or rate < 1,
            an unknown padding or data format, strides and dilation both > 1).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding='valid',
                 data_format=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def _convolve(self, inputs):
        return K.conv3d(inputs, self.kernel, strides=self.strides, padding=self.padding,
                        data_format=self.data_format, dilation_rate=self.dilation_rate)

    def get_config(self):
        config = super().get_config()
        config.pop('rank')
        return config


class Conv3DTranspose(_ConvTranspose, Conv3D):
    """The transposed 3D convolution ("deconvolution").

    The kernel has shape `(k1, k2, k3, filters, in_channels)`; as in Keras 2.3
    the layer takes no dilation rate.

    Arguments:
        filters: an int, the number of output channels.
        kernel_size: an int or a tuple of 3 ints, the size of the convolution
            window.
        strides: an int or a tuple of 3 ints, the step of the window along each
            spatial axis; a stride > 1 cannot be combined with a dilation rate >
            1.
        padding: `'valid'` (no padding) or `'same'` (pad so the output has
            ceil(input / stride) positions).
        output_padding: an int or a tuple of 3 ints, the extra size added to one
            side of each spatial axis of the output (smaller than the stride);
            None infers the output size.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        activation: the activation function (name or function; None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer: the initializer of the kernel.
        bias_initializer: the initializer of the bias.
        kernel_regularizer: a regularizer applied to the kernel.
        bias_regularizer: a regularizer applied to the bias.
        activity_regularizer: a regularizer applied to the output.
        kernel_constraint: a constraint applied to the kernel.
        bias_constraint: a constraint applied to the bias.

    Input shape:
        5D tensor `(batch, dim1, dim2, dim3, channels)` (channels last) or
        `(batch, channels, dim1, dim2, dim3)` (channels first).

    Output shape:
        5D tensor `(batch, new_dim1, new_dim2, new_dim3, filters)` (channels last) or
        `(batch, filters, new_dim1, new_dim2, new_dim3)` (channels first).

    Raises:
        ValueError: if an argument is out of range (a size, stride or rate < 1,
            an unknown padding or data format, strides and dilation both > 1).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding='valid',
                 output_padding=None, data_format=None, activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self._set_output_padding(output_padding)

    def _convolve(self, inputs):
        return K.conv3d_transpose(inputs, self.kernel, self._output_shape_arg(inputs),
                                  self.strides, padding=self.padding,
                                  data_format=self.data_format)

    def get_config(self):
        config = super().get_config()
        config.pop('dilation_rate')
        return config


# -- 3D spatial reshaping --------------------------------------------------------------

class UpSampling3D(_UpSampling):
    """Upsamples its input by repeating each value `size` times per axis.

    Arguments:
        size: an int or a tuple of 3 ints, the repetition factor along each
            spatial axis.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        5D tensor `(batch, dim1, dim2, dim3, channels)` (channels last) or
        `(batch, channels, dim1, dim2, dim3)` (channels first).

    Output shape:
        5D tensor in the same layout, each spatial size multiplied by its factor.
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(normalize_tuple(size, 3, 'size'), data_format, **kwargs)

    def call(self, inputs):
        return K.resize_volumes(inputs, self.size[0], self.size[1], self.size[2],
                                self.data_format)


def _triples(layer, name, value):
    """Keras's 3D padding/cropping forms: int, 3 symmetric ints or 3 pairs,
    as three pairs of non-negative ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        pairs = ((value, value),) * 3
    elif hasattr(value, '__len__'):
        if len(value) != 3:
            raise ValueError(f'{layer}: `{name}` should have 3 elements. Found: {value!r}')
        pairs = tuple(normalize_tuple(v, 2, f'{ordinal} entry of {name}')
                      for v, ordinal in zip(value, ('1st', '2nd', '3rd')))
    else:
        raise ValueError(f'{layer}: `{name}` should be either an int, a tuple of 3 ints '
                         f'(symmetric_dim1, symmetric_dim2, symmetric_dim3), or a tuple of 3 '
                         f'tuples of 2 ints. Found: {value!r}')
    if any(v < 0 for pair in pairs for v in pair):
        raise ValueError(f'{layer}: `{name}` must not be negative, got {value!r}')
    return pairs


class ZeroPadding3D(_ZeroPadding):
    """Pads the spatial axes of its input with zeros.

    Arguments:
        padding: an int, a tuple of 3 ints or a tuple of 3 pairs, the number of
            zeros added at each end of the spatial axes.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        5D tensor `(batch, dim1, dim2, dim3, channels)` (channels last) or
        `(batch, channels, dim1, dim2, dim3)` (channels first).

    Output shape:
        5D tensor in the same layout, with the padded spatial sizes.
    """

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(_triples('ZeroPadding3D', 'padding', padding), data_format, **kwargs)

    def call(self, inputs):
        return K.spatial_3d_padding(inputs, padding=self.padding, data_format=self.data_format)


class Cropping3D(_Cropping):
    """Crops the spatial axes of its input.

    Arguments:
        cropping: an int, a tuple of 3 ints or a tuple of 3 pairs, the number of
            positions removed at each end of the spatial axes.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        5D tensor `(batch, dim1, dim2, dim3, channels)` (channels last) or
        `(batch, channels, dim1, dim2, dim3)` (channels first).

    Output shape:
        5D tensor in the same layout, with the cropped spatial sizes.
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(_triples('Cropping3D', 'cropping', cropping), data_format, **kwargs)


# Aliases
Convolution3D = Conv3D
Deconvolution3D = Deconv3D = Conv3DTranspose
