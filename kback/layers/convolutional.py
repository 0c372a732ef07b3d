"""Convolution layers: Conv1D, Conv2D, SeparableConv1D/2D, DepthwiseConv2D,
Conv2DTranspose (UpSampling/ZeroPadding/Cropping live in spatial_reshaping
and are re-exported here, as Keras has them in this module).

Argument names, defaults, weight shapes and get_config keys follow Keras 2.3.
Kernels are (kh, kw, in, out) in both data formats; every `call` is K ops
only and passes `data_format` through to the backend.
"""
from .. import backend as K
from .. import activations, initializers, regularizers, constraints
from ..engine.base_layer import Layer, InputSpec
from ..utils.conv_utils import (normalize_tuple, normalize_padding, conv_output_length,
                                deconv_length, check_positive as _positive)


def _spatial(input_shape, data_format):
    return tuple(input_shape[a] for a in K.spatial_axes(data_format, len(input_shape)))


class _Conv(Layer):
    """Shared machinery of the nD convolutions: argument checks, kernel and
    bias weights, bias_add (in the layer's data format) then activation."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding='valid',
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.rank = rank
        if filters is not None:
            if isinstance(filters, bool) or int(filters) != filters or filters < 1:
                raise ValueError(f'{cls}: `filters` must be a positive integer, got {filters!r}')
            filters = int(filters)
        self.filters = filters
        self.kernel_size = _positive(cls, 'kernel_size',
                                     normalize_tuple(kernel_size, rank, 'kernel_size'))
        self.strides = _positive(cls, 'strides', normalize_tuple(strides, rank, 'strides'))
        allowed = ('valid', 'same', 'causal') if rank == 1 else ('valid', 'same')
        self.padding = normalize_padding(padding, allowed, cls)
        self.data_format = K.normalize_data_format(data_format)
        self.dilation_rate = _positive(cls, 'dilation_rate',
                                       normalize_tuple(dilation_rate, rank, 'dilation_rate'))
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _input_dim(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f'{type(self).__name__} {self.name}: inputs should have rank '
                             f'{self.rank + 2}; received input shape {tuple(input_shape)}')
        dim = input_shape[K.channel_axis(self.data_format, self.rank + 2)]
        if dim is None:
            raise ValueError(f'{type(self).__name__} {self.name}: the channel dimension of the '
                             f'inputs should be defined. Found `None` in {tuple(input_shape)} '
                             f'({self.data_format})')
        return int(dim)

    def _expect_channels(self, input_dim):
        """Later inputs must have input_dim channels."""
        self.input_spec = InputSpec(
            ndim=self.rank + 2, axes={K.channel_axis(self.data_format, self.rank + 2): input_dim})

    def _add_bias(self, units):
        if not self.use_bias:
            return None
        return self.add_weight(shape=(units,), initializer=self.bias_initializer, name='bias',
                               regularizer=self.bias_regularizer,
                               constraint=self.bias_constraint)

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (input_dim, self.filters),
                                      initializer=self.kernel_initializer, name='kernel',
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self._add_bias(self.filters)
        self._expect_channels(input_dim)
        self.built = True

    def _convolve(self, inputs):
        return K.conv2d(inputs, self.kernel, strides=self.strides, padding=self.padding,
                        data_format=self.data_format, dilation_rate=self.dilation_rate)

    def call(self, inputs):
        outputs = self._convolve(inputs)
        if self.use_bias:
            outputs = K.bias_add(outputs, self.bias, data_format=self.data_format)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def _out_channels(self, input_shape):
        return self.filters

    def compute_output_shape(self, input_shape):
        space = _spatial(input_shape, self.data_format)
        new_space = [conv_output_length(d, k, self.padding, s, r)
                     for d, k, s, r in zip(space, self.kernel_size, self.strides,
                                           self.dilation_rate)]
        return K.layout_shape(self.data_format, input_shape[0], new_space,
                            self._out_channels(input_shape))

    def get_config(self):
        config = {
            'rank': self.rank,
            'filters': self.filters,
            'kernel_size': self.kernel_size,
            'strides': self.strides,
            'padding': self.padding,
            'data_format': self.data_format,
            'dilation_rate': self.dilation_rate,
            'activation': activations.serialize(self.activation),
            'use_bias': self.use_bias,
            'kernel_initializer': initializers.serialize(self.kernel_initializer),
            'bias_initializer': initializers.serialize(self.bias_initializer),
            'kernel_regularizer': regularizers.serialize(self.kernel_regularizer),
            'bias_regularizer': regularizers.serialize(self.bias_regularizer),
            'activity_regularizer': regularizers.serialize(self.activity_regularizer),
            'kernel_constraint': constraints.serialize(self.kernel_constraint),
            'bias_constraint': constraints.serialize(self.bias_constraint),
        }
        return dict(super().get_config(), **config)


class Conv1D(_Conv):
    """A 1D (temporal) convolution layer: a window slid along the steps.

    It runs as a 2D convolution over a unit spatial axis.

    Arguments:
        filters: an int, the number of output channels.
        kernel_size: an int, the size of the convolution window.
        strides: an int, the step of the window along each spatial axis; a
            stride > 1 cannot be combined with a dilation rate > 1.
        padding: `'valid'` (no padding) or `'same'` (pad so the output has
            ceil(input / stride) positions) or `'causal'` (left padding only:
            output `t` sees no input after `t`, for temporal models).
        data_format: `'channels_last'` or `'channels_first'` (default:
            `'channels_last'`).
        dilation_rate: an int, the spacing of the window's taps (atrous
            convolution).
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
        3D tensor `(batch, steps, channels)`.

    Output shape:
        3D tensor `(batch, new_steps, filters)`.

    Raises:
        ValueError: if an argument is out of range (a size, stride or rate < 1,
            an unknown padding or data format, strides and dilation both > 1).

    Example::

        model = Sequential([Conv1D(32, 3, activation='relu', input_shape=(100, 8))])
        # output (None, 98, 32)
    """

    def __init__(self, filters, kernel_size, strides=1, padding='valid',
                 data_format='channels_last', dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if isinstance(padding, str) and padding.lower() == 'causal' and \
                data_format != 'channels_last':
            raise ValueError('Conv1D: when using causal padding, `data_format` must be '
                             f'"channels_last" (temporal data), got {data_format!r}')
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
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
        padding = self.padding
        if padding == 'causal':
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            inputs = K.temporal_padding(inputs, (left, 0))
            padding = 'valid'
        # (N, L, C) -> (N, 1, L, C); (N, C, L) -> (N, C, 1, L).
        unit_axis = 1 if self.data_format == 'channels_last' else 2
        x = K.expand_dims(inputs, unit_axis)
        kernel = K.expand_dims(self.kernel, 0)
        y = K.conv2d(x, kernel, strides=(1,) + self.strides, padding=padding,
                     data_format=self.data_format, dilation_rate=(1,) + self.dilation_rate)
        return K.squeeze(y, unit_axis)

    def get_config(self):
        config = super().get_config()
        config.pop('rank')
        return config


class Conv2D(_Conv):
    """A 2D convolution layer over images.

    The kernel has shape `(kernel_rows, kernel_cols, in_channels, filters)` in
    either data format; both formats run natively (no transposes).

    Arguments:
        filters: an int, the number of output channels.
        kernel_size: an int or a tuple of 2 ints, the size of the convolution
            window.
        strides: an int or a tuple of 2 ints, the step of the window along each
            spatial axis; a stride > 1 cannot be combined with a dilation rate >
            1.
        padding: `'valid'` (no padding) or `'same'` (pad so the output has
            ceil(input / stride) positions).
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: an int or a tuple of 2 ints, the spacing of the window's
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
        4D tensor `(batch, rows, cols, channels)` (channels last) or
        `(batch, channels, rows, cols)` (channels first).

    Output shape:
        4D tensor `(batch, new_rows, new_cols, filters)` (channels last) or
        `(batch, filters, new_rows, new_cols)` (channels first).

    Raises:
        ValueError: if an argument is out of range (a size, stride or rate < 1,
            an unknown padding or data format, strides and dilation both > 1).

    Example::

        model = Sequential([Conv2D(64, (3, 3), padding='same', activation='relu',
                                   input_shape=(28, 28, 1))])
        # output (None, 28, 28, 64)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop('rank')
        return config


class _ConvTranspose:
    """What Conv2DTranspose and Conv3DTranspose share: kernel (k..., filters,
    in_channels); output lengths by Keras's deconv_length (output_padding None
    infers them)."""

    def _set_output_padding(self, output_padding):
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, self.rank, 'output_padding')
            for stride, pad in zip(self.strides, self.output_padding):
                if pad >= stride or pad < 0:
                    raise ValueError(f'{type(self).__name__}: strides {self.strides} must be '
                                     f'greater than output padding {self.output_padding}')

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (self.filters, input_dim),
                                      initializer=self.kernel_initializer, name='kernel',
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self._add_bias(self.filters)
        self._expect_channels(input_dim)
        self.built = True

    def _out_lengths(self, lengths):
        pads = self.output_padding or (None,) * self.rank
        return [deconv_length(d, s, k, self.padding, p, r)
                for d, k, s, p, r in zip(lengths, self.kernel_size, self.strides, pads,
                                         self.dilation_rate)]

    def _output_shape_arg(self, inputs):
        """The `output_shape` argument of the backend call, with unknown
        input lengths taken from the run-time shape."""
        static = _spatial(K.int_shape(inputs), self.data_format)
        if None in static:
            dynamic = K.shape(inputs)
            axes = K.spatial_axes(self.data_format, self.rank + 2)
            static = [d if d is not None else dynamic[a] for a, d in zip(axes, static)]
        return K.layout_shape(self.data_format, None, self._out_lengths(static), self.filters)

    def compute_output_shape(self, input_shape):
        return K.layout_shape(self.data_format, input_shape[0],
                            self._out_lengths(_spatial(input_shape, self.data_format)),
                            self.filters)

    def get_config(self):
        config = super().get_config()
        config['output_padding'] = self.output_padding
        return config


class Conv2DTranspose(_ConvTranspose, Conv2D):
    """The transposed 2D convolution ("deconvolution"): the gradient of a
    convolution, used to upsample.

    The kernel has shape `(kernel_rows, kernel_cols, filters, in_channels)`.

    Arguments:
        filters: an int, the number of output channels.
        kernel_size: an int or a tuple of 2 ints, the size of the convolution
            window.
        strides: an int or a tuple of 2 ints, the step of the window along each
            spatial axis; a stride > 1 cannot be combined with a dilation rate >
            1.
        padding: `'valid'` (no padding) or `'same'` (pad so the output has
            ceil(input / stride) positions).
        output_padding: an int or a tuple of 2 ints, the extra size added to one
            side of each spatial axis of the output (smaller than the stride);
            None infers the output size.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: an int or a tuple of 2 ints, the spacing of the window's
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
        4D tensor `(batch, rows, cols, channels)` (channels last) or
        `(batch, channels, rows, cols)` (channels first).

    Output shape:
        4D tensor `(batch, new_rows, new_cols, filters)` (channels last) or
        `(batch, filters, new_rows, new_cols)` (channels first).

    Raises:
        ValueError: if an argument is out of range (a size, stride or rate < 1,
            an unknown padding or data format, strides and dilation both > 1).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid',
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self._set_output_padding(output_padding)

    def _convolve(self, inputs):
        return K.conv2d_transpose(inputs, self.kernel, self._output_shape_arg(inputs),
                                  self.strides, padding=self.padding,
                                  data_format=self.data_format,
                                  dilation_rate=self.dilation_rate)


class _SeparableConv(_Conv):
    """A depthwise convolution (depth_multiplier outputs per input channel)
    then a pointwise (size 1) convolution to `filters` channels; kernels
    (k..., in, depth_multiplier) and (1..., in * depth_multiplier, filters)."""

    def __init__(self, rank, filters, kernel_size, depth_multiplier=1,
                 depthwise_initializer='glorot_uniform', pointwise_initializer='glorot_uniform',
                 depthwise_regularizer=None, pointwise_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, **kwargs):
        super().__init__(rank, filters, kernel_size, **kwargs)
        self.depth_multiplier = _multiplier(type(self).__name__, depth_multiplier)
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
            shape=(1,) * self.rank + (input_dim * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, name='pointwise_kernel',
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        self.bias = self._add_bias(self.filters)
        self._expect_channels(input_dim)
        self.built = True

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


class SeparableConv2D(_SeparableConv):
    """A depthwise separable 2D convolution.

    A depthwise convolution (each input channel on its own, `depth_multiplier`
    outputs each) then a 1x1 pointwise convolution mixing the channels into
    `filters` outputs.

    Arguments:
        filters: an int, the number of output channels.
        kernel_size: an int or a tuple of 2 ints, the size of the convolution
            window.
        strides: an int or a tuple of 2 ints, the step of the window along each
            spatial axis; a stride > 1 cannot be combined with a dilation rate >
            1.
        padding: `'valid'` (no padding) or `'same'` (pad so the output has
            ceil(input / stride) positions).
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: an int or a tuple of 2 ints, the spacing of the window's
            taps (atrous convolution).
        depth_multiplier: the number of depthwise output channels per input
            channel.
        activation: the activation function (name or function; None: linear).
        use_bias: whether to add a bias vector.
        depthwise_initializer: the initializer of the depthwise kernel.
        pointwise_initializer: the initializer of the pointwise kernel.
        bias_initializer: the initializer of the bias.
        depthwise_regularizer: a regularizer applied to the depthwise kernel.
        pointwise_regularizer: a regularizer applied to the pointwise kernel.
        bias_regularizer: a regularizer applied to the bias.
        activity_regularizer: a regularizer applied to the output.
        depthwise_constraint: a constraint applied to the depthwise kernel.
        pointwise_constraint: a constraint applied to the pointwise kernel.
        bias_constraint: a constraint applied to the bias.

    Input shape:
        4D tensor `(batch, rows, cols, channels)` (channels last) or
        `(batch, channels, rows, cols)` (channels first).

    Output shape:
        4D tensor `(batch, new_rows, new_cols, filters)` (channels last) or
        `(batch, filters, new_rows, new_cols)` (channels first).

    Raises:
        ValueError: if an argument is out of range (a size, stride or rate < 1,
            an unknown padding or data format, strides and dilation both > 1).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer='glorot_uniform', pointwise_initializer='glorot_uniform',
                 bias_initializer='zeros', depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(2, filters, kernel_size, depth_multiplier=depth_multiplier,
                         depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         pointwise_regularizer=pointwise_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         pointwise_constraint=pointwise_constraint,
                         strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)

    def _convolve(self, inputs):
        return K.separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                  strides=self.strides, padding=self.padding,
                                  data_format=self.data_format,
                                  dilation_rate=self.dilation_rate)


class SeparableConv1D(_SeparableConv):
    """A depthwise separable 1D convolution.

    A depthwise convolution (each input channel on its own) then a size-1
    pointwise convolution mixing the channels into `filters` outputs.

    Arguments:
        filters: an int, the number of output channels.
        kernel_size: an int, the size of the convolution window.
        strides: an int, the step of the window along each spatial axis; a
            stride > 1 cannot be combined with a dilation rate > 1.
        padding: `'valid'` (no padding) or `'same'` (pad so the output has
            ceil(input / stride) positions).
        data_format: `'channels_last'` or `'channels_first'` (default:
            `'channels_last'`).
        dilation_rate: an int, the spacing of the window's taps (atrous
            convolution).
        depth_multiplier: the number of depthwise output channels per input
            channel.
        activation: the activation function (name or function; None: linear).
        use_bias: whether to add a bias vector.
        depthwise_initializer: the initializer of the depthwise kernel.
        pointwise_initializer: the initializer of the pointwise kernel.
        bias_initializer: the initializer of the bias.
        depthwise_regularizer: a regularizer applied to the depthwise kernel.
        pointwise_regularizer: a regularizer applied to the pointwise kernel.
        bias_regularizer: a regularizer applied to the bias.
        activity_regularizer: a regularizer applied to the output.
        depthwise_constraint: a constraint applied to the depthwise kernel.
        pointwise_constraint: a constraint applied to the pointwise kernel.
        bias_constraint: a constraint applied to the bias.

    Input shape:
        3D tensor `(batch, steps, channels)`.

    Output shape:
        3D tensor `(batch, new_steps, filters)`.

    Raises:
        ValueError: if an argument is out of range (a size, stride or rate < 1,
            an unknown padding or data format, strides and dilation both > 1).
    """

    def __init__(self, filters, kernel_size, strides=1, padding='valid',
                 data_format='channels_last', dilation_rate=1, depth_multiplier=1,
                 activation=None, use_bias=True, depthwise_initializer='glorot_uniform',
                 pointwise_initializer='glorot_uniform', bias_initializer='zeros',
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, depth_multiplier=depth_multiplier,
                         depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         pointwise_regularizer=pointwise_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         pointwise_constraint=pointwise_constraint,
                         strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        if self.padding == 'causal':
            raise ValueError("SeparableConv1D: the `padding` argument must be one of 'valid', "
                             "'same'; received 'causal'")

    def _convolve(self, inputs):
        return K.separable_conv1d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                  strides=self.strides, padding=self.padding,
                                  data_format=self.data_format,
                                  dilation_rate=self.dilation_rate)


def _multiplier(layer, value):
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f'{layer}: `depth_multiplier` must be a positive integer, '
                         f'got {value!r}')
    return int(value)


class DepthwiseConv2D(Conv2D):
    """A depthwise 2D convolution: each input channel convolved on its own.

    Output channel `c * depth_multiplier + m` comes from input channel `c`; the
    kernel has shape `(kernel_rows, kernel_cols, in_channels, depth_multiplier)`.

    Arguments:
        kernel_size: an int or a tuple of 2 ints, the size of the convolution
            window.
        strides: an int or a tuple of 2 ints, the step of the window along each
            spatial axis; a stride > 1 cannot be combined with a dilation rate >
            1.
        padding: `'valid'` (no padding) or `'same'` (pad so the output has
            ceil(input / stride) positions).
        depth_multiplier: the number of output channels per input channel.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        dilation_rate: an int or a tuple of 2 ints, the spacing of the window's
            taps (atrous convolution).
        activation: the activation function (name or function; None: linear).
        use_bias: whether to add a bias vector.
        depthwise_initializer: the initializer of the depthwise kernel.
        bias_initializer: the initializer of the bias.
        depthwise_regularizer: a regularizer applied to the depthwise kernel.
        bias_regularizer: a regularizer applied to the bias.
        activity_regularizer: a regularizer applied to the output.
        depthwise_constraint: a constraint applied to the depthwise kernel.
        bias_constraint: a constraint applied to the bias.

    Input shape:
        4D tensor `(batch, rows, cols, channels)` (channels last) or
        `(batch, channels, rows, cols)` (channels first).

    Output shape:
        4D tensor `(batch, new_rows, new_cols, in_channels * depth_multiplier)` (channels last) or
        `(batch, in_channels * depth_multiplier, new_rows, new_cols)` (channels first).

    Raises:
        ValueError: if an argument is out of range (a size, stride or rate < 1,
            an unknown padding or data format, strides and dilation both > 1).
    """

    def __init__(self, kernel_size, strides=(1, 1), padding='valid', depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer='glorot_uniform', bias_initializer='zeros',
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(None, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = _multiplier('DepthwiseConv2D', depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (input_dim, self.depth_multiplier),
            initializer=self.depthwise_initializer, name='depthwise_kernel',
            regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self.bias = self._add_bias(input_dim * self.depth_multiplier)
        self._expect_channels(input_dim)
        self.built = True

    def _convolve(self, inputs):
        return K.depthwise_conv2d(inputs, self.depthwise_kernel, strides=self.strides,
                                  padding=self.padding, data_format=self.data_format,
                                  dilation_rate=self.dilation_rate)

    def _out_channels(self, input_shape):
        c = input_shape[K.channel_axis(self.data_format, self.rank + 2)]
        return None if c is None else c * self.depth_multiplier

    def get_config(self):
        config = super().get_config()
        for key in ('filters', 'kernel_initializer', 'kernel_regularizer', 'kernel_constraint'):
            config.pop(key)
        config.update(
            depth_multiplier=self.depth_multiplier,
            depthwise_initializer=initializers.serialize(self.depthwise_initializer),
            depthwise_regularizer=regularizers.serialize(self.depthwise_regularizer),
            depthwise_constraint=constraints.serialize(self.depthwise_constraint))
        return config


# Keras keeps these in keras.layers.convolutional too.
from .spatial_reshaping import (UpSampling1D, UpSampling2D, ZeroPadding1D,  # noqa: E402,F401
                                ZeroPadding2D, Cropping1D, Cropping2D)
from .pooling import (MaxPooling1D, MaxPooling2D, AveragePooling1D,  # noqa: E402,F401
                      AveragePooling2D)


# Aliases
Convolution1D = Conv1D
Convolution2D = Conv2D
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
Convolution2DTranspose = Conv2DTranspose
Deconvolution2D = Deconv2D = Conv2DTranspose


# Keras 2.3 defines its 3D layers in this module (and re-exports the 3D
# pools); kback keeps them in convolutional_3d, which imports this module, so
# they are looked up on first access instead of imported here.
_CONV_3D = ('Conv3D', 'Conv3DTranspose', 'Convolution3D', 'Deconvolution3D', 'Deconv3D',
            'UpSampling3D', 'ZeroPadding3D', 'Cropping3D')


def __getattr__(name):
    if name in _CONV_3D:
        from . import convolutional_3d
        return getattr(convolutional_3d, name)
    if name in ('MaxPooling3D', 'AveragePooling3D'):
        from . import pooling_3d
        return getattr(pooling_3d, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
