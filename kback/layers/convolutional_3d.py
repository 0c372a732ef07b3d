"""Volumetric convolution layers (Conv3D, Conv3DTranspose), SeparableConv1D and
the 3D UpSampling/ZeroPadding/Cropping layers.

Keras 2.3 names, defaults, weight shapes and get_config keys; every `call`
is K ops only, in the layer's data_format.  Kernels are (kd, kh, kw, in,
out) (Conv3DTranspose: (kd, kh, kw, filters, in)) in both data formats.
"""
from .. import backend as K
from .. import initializers, regularizers, constraints
from ..engine.base_layer import InputSpec
from ..utils.conv_utils import normalize_tuple, deconv_length
from .convolutional import _Conv, _channel_axis, _spatial, _assemble, _multiplier
from .spatial_reshaping import _UpSampling, _ZeroPadding, _Cropping


class Conv3D(_Conv):
    """3D convolution over volumes: (batch, depth, rows, cols, channels) or
    (batch, channels, depth, rows, cols) for channels_first; kernel
    (kd, kh, kw, in_channels, filters)."""

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


class Conv3DTranspose(Conv3D):
    """Transposed 3D convolution; kernel (kd, kh, kw, filters, in_channels).
    Output size per axis: Keras's deconv_length (output_padding None infers
    it).  As in Keras 2.3 it takes no dilation_rate."""

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
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, 3, 'output_padding')
            for stride, pad in zip(self.strides, self.output_padding):
                if pad >= stride or pad < 0:
                    raise ValueError(f'Conv3DTranspose: strides {self.strides} must be greater '
                                     f'than output padding {self.output_padding}')

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (self.filters, input_dim),
                                      initializer=self.kernel_initializer, name='kernel',
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self._add_bias(self.filters)
        self.input_spec = InputSpec(ndim=5, axes={_channel_axis(self.data_format): input_dim})
        self.built = True

    def _out_lengths(self, lengths):
        pads = self.output_padding or (None, None, None)
        return [deconv_length(d, s, k, self.padding, p)
                for d, k, s, p in zip(lengths, self.kernel_size, self.strides, pads)]

    def _convolve(self, inputs):
        static = _spatial(K.int_shape(inputs), self.data_format)
        if None in static:
            dynamic = K.shape(inputs)
            axes = (2, 3, 4) if self.data_format == 'channels_first' else (1, 2, 3)
            static = [d if d is not None else dynamic[a] for d, a in zip(static, axes)]
        out = _assemble(None, self._out_lengths(static), self.filters, self.data_format)
        return K.conv3d_transpose(inputs, self.kernel, out, self.strides, padding=self.padding,
                                  data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return _assemble(input_shape[0],
                         self._out_lengths(_spatial(input_shape, self.data_format)),
                         self.filters, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.pop('dilation_rate')
        config['output_padding'] = self.output_padding
        return config


class SeparableConv1D(_Conv):
    """Depthwise 1D convolution (depth_multiplier outputs per input channel)
    then a pointwise (size 1) convolution to `filters` channels; kernels
    (length, in, depth_multiplier) and (1, in * depth_multiplier, filters)."""

    def __init__(self, filters, kernel_size, strides=1, padding='valid',
                 data_format='channels_last', dilation_rate=1, depth_multiplier=1,
                 activation=None, use_bias=True, depthwise_initializer='glorot_uniform',
                 pointwise_initializer='glorot_uniform', bias_initializer='zeros',
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        if self.padding == 'causal':
            raise ValueError("SeparableConv1D: the `padding` argument must be one of 'valid', "
                             "'same'; received 'causal'")
        self.depth_multiplier = _multiplier('SeparableConv1D', depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (input_dim, self.depth_multiplier),
            initializer=self.depthwise_initializer, name='depthwise_kernel',
            regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            shape=(1, input_dim * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, name='pointwise_kernel',
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        self.bias = self._add_bias(self.filters)
        self.input_spec = InputSpec(ndim=3, axes={_channel_axis(self.data_format): input_dim})
        self.built = True

    def _convolve(self, inputs):
        return K.separable_conv1d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                  strides=self.strides, padding=self.padding,
                                  data_format=self.data_format,
                                  dilation_rate=self.dilation_rate)

    def get_config(self):
        config = super().get_config()
        for key in ('rank', 'kernel_initializer', 'kernel_regularizer', 'kernel_constraint'):
            config.pop(key)
        config.update(
            depth_multiplier=self.depth_multiplier,
            depthwise_initializer=initializers.serialize(self.depthwise_initializer),
            pointwise_initializer=initializers.serialize(self.pointwise_initializer),
            depthwise_regularizer=regularizers.serialize(self.depthwise_regularizer),
            pointwise_regularizer=regularizers.serialize(self.pointwise_regularizer),
            depthwise_constraint=constraints.serialize(self.depthwise_constraint),
            pointwise_constraint=constraints.serialize(self.pointwise_constraint))
        return config


# -- 3D spatial reshaping --------------------------------------------------------------

class UpSampling3D(_UpSampling):
    """Repeats the depth, rows and columns size[0], size[1], size[2] times."""

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
    """Zeros around volumes: padding ((before, after),) for depth, rows, cols."""

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(_triples('ZeroPadding3D', 'padding', padding), data_format, **kwargs)

    def call(self, inputs):
        return K.spatial_3d_padding(inputs, padding=self.padding, data_format=self.data_format)


class Cropping3D(_Cropping):
    """Removes ((before, after),) positions on the depth, row and column axes."""

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(_triples('Cropping3D', 'cropping', cropping), data_format, **kwargs)


# Aliases
Convolution3D = Conv3D
SeparableConvolution1D = SeparableConv1D
Deconvolution3D = Deconv3D = Conv3DTranspose
