"""Convolution layers (Conv1D, Conv2D, SeparableConv2D, DepthwiseConv2D,
Conv2DTranspose) and the spatial reshaping layers (UpSampling, ZeroPadding,
Cropping in 1D and 2D).

Argument names, defaults, weight shapes and get_config keys follow Keras 2.3.
Kernels are (kh, kw, in, out) in both data formats; every `call` is K ops
only and passes `data_format` through to the backend.
"""
import numbers

from .. import backend as K
from .. import activations, initializers, regularizers, constraints
from ..backend import _shapes
from ..engine.base_layer import Layer, InputSpec


def normalize_tuple(value, n, name):
    """An int or n ints as a tuple of n ints (Keras's conv_utils.normalize_tuple)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value),) * n
    try:
        values = tuple(value)
    except TypeError:
        values = None
    if values is None or len(values) != n or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
        raise ValueError(f'The `{name}` argument must be an int or a tuple of {n} integers. '
                         f'Received: {value!r}')
    return tuple(int(v) for v in values)


def normalize_padding(value, allowed=('valid', 'same'), layer=''):
    padding = str(value).lower() if isinstance(value, str) else value
    if padding not in allowed:
        extra = '' if 'causal' in allowed else ' ("causal" is only for Conv1D)'
        raise ValueError(f'{layer}: the `padding` argument must be one of '
                         f'{", ".join(repr(a) for a in allowed)}{extra}; received {value!r}')
    return padding


def _positive(layer, name, values):
    if any(v < 1 for v in values):
        raise ValueError(f'{layer}: `{name}` must be positive, got {values}')
    return values


def _channel_axis(data_format):
    return 1 if data_format == 'channels_first' else -1


def _spatial(input_shape, data_format):
    return tuple(input_shape[2:]) if data_format == 'channels_first' else \
        tuple(input_shape[1:-1])


def _assemble(batch, spatial, channels, data_format):
    if data_format == 'channels_first':
        return (batch, channels) + tuple(spatial)
    return (batch,) + tuple(spatial) + (channels,)


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
        dim = input_shape[_channel_axis(self.data_format)]
        if dim is None:
            raise ValueError(f'{type(self).__name__} {self.name}: the channel dimension of the '
                             f'inputs should be defined. Found `None` in {tuple(input_shape)} '
                             f'({self.data_format})')
        return int(dim)

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
        self.input_spec = InputSpec(ndim=self.rank + 2,
                                    axes={_channel_axis(self.data_format): input_dim})
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
        # 'causal' keeps the length, as 'same' does.
        padding = 'same' if self.padding == 'causal' else self.padding
        new_space = [_shapes.conv_output_length(d, k, padding, s, r)
                     for d, k, s, r in zip(space, self.kernel_size, self.strides,
                                           self.dilation_rate)]
        return _assemble(input_shape[0], new_space, self._out_channels(input_shape),
                         self.data_format)

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
    """Temporal convolution, (batch, steps, channels) by default.  Runs as a
    2D convolution over a unit spatial axis; 'causal' padding left-pads by
    dilation * (kernel_size - 1) so output[t] sees no input after t."""

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
            inputs = K.temporal_padding(inputs, (self.dilation_rate[0] * (self.kernel_size[0] - 1), 0))
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
    """2D convolution over images: (batch, rows, cols, channels) or
    (batch, channels, rows, cols) for channels_first."""

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


class Conv2DTranspose(Conv2D):
    """Transposed convolution; kernel (kh, kw, filters, in_channels).  Output
    size per axis: Keras's deconv_length (output_padding None infers it)."""

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
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, 2, 'output_padding')
            for stride, pad in zip(self.strides, self.output_padding):
                if pad >= stride or pad < 0:
                    raise ValueError(f'Conv2DTranspose: strides {self.strides} must be greater '
                                     f'than output padding {self.output_padding}')

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (self.filters, input_dim),
                                      initializer=self.kernel_initializer, name='kernel',
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self._add_bias(self.filters)
        self.input_spec = InputSpec(ndim=4, axes={_channel_axis(self.data_format): input_dim})
        self.built = True

    def _out_lengths(self, lengths):
        pads = self.output_padding or (None, None)
        return [_shapes.deconv_output_length(d, k, self.padding, s, p, r)
                for d, k, s, p, r in zip(lengths, self.kernel_size, self.strides, pads,
                                         self.dilation_rate)]

    def _convolve(self, inputs):
        static = _spatial(K.int_shape(inputs), self.data_format)
        if None in static:
            dynamic = K.shape(inputs)
            axes = (2, 3) if self.data_format == 'channels_first' else (1, 2)
            static = [d if d is not None else dynamic[a] for d, a in zip(static, axes)]
        out = _assemble(None, self._out_lengths(static), self.filters, self.data_format)
        return K.conv2d_transpose(inputs, self.kernel, out, self.strides, padding=self.padding,
                                  data_format=self.data_format,
                                  dilation_rate=self.dilation_rate)

    def compute_output_shape(self, input_shape):
        return _assemble(input_shape[0],
                         self._out_lengths(_spatial(input_shape, self.data_format)),
                         self.filters, self.data_format)

    def get_config(self):
        config = super().get_config()
        config['output_padding'] = self.output_padding
        return config


class SeparableConv2D(_Conv):
    """A depthwise convolution (depth_multiplier outputs per input channel)
    followed by a 1x1 pointwise convolution to `filters` channels."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer='glorot_uniform', pointwise_initializer='glorot_uniform',
                 bias_initializer='zeros', depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = _multiplier('SeparableConv2D', depth_multiplier)
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
            shape=(1, 1, input_dim * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, name='pointwise_kernel',
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        self.bias = self._add_bias(self.filters)
        self.input_spec = InputSpec(ndim=4, axes={_channel_axis(self.data_format): input_dim})
        self.built = True

    def _convolve(self, inputs):
        return K.separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
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


def _multiplier(layer, value):
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f'{layer}: `depth_multiplier` must be a positive integer, '
                         f'got {value!r}')
    return int(value)


class DepthwiseConv2D(Conv2D):
    """Per-channel convolution: output channel c * depth_multiplier + m comes
    from input channel c; kernel (kh, kw, in_channels, depth_multiplier)."""

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
        self.input_spec = InputSpec(ndim=4, axes={_channel_axis(self.data_format): input_dim})
        self.built = True

    def _convolve(self, inputs):
        return K.depthwise_conv2d(inputs, self.depthwise_kernel, strides=self.strides,
                                  padding=self.padding, data_format=self.data_format,
                                  dilation_rate=self.dilation_rate)

    def _out_channels(self, input_shape):
        c = input_shape[_channel_axis(self.data_format)]
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


# -- spatial reshaping ------------------------------------------------------------------

def _per_axis(shape, values, data_format, combine):
    """Apply combine(dim, value) to the spatial dims of shape (None stays)."""
    out = list(shape)
    first = 2 if data_format == 'channels_first' else 1
    for i, v in enumerate(values):
        d = out[first + i]
        out[first + i] = None if d is None else combine(d, v)
    return tuple(out)


class _UpSampling(Layer):
    def __init__(self, size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = len(size)
        self.size = _positive(type(self).__name__, 'size', size)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape):
        return _per_axis(input_shape, self.size, self.data_format, lambda d, s: d * s)

    def get_config(self):
        return dict(super().get_config(), size=self.size, data_format=self.data_format)


class UpSampling1D(_UpSampling):
    """Repeats each step `size` times along axis 1."""

    def __init__(self, size=2, **kwargs):
        super().__init__(normalize_tuple(size, 1, 'size'), 'channels_last', **kwargs)

    def call(self, inputs):
        return K.repeat_elements(inputs, self.size[0], axis=1)

    def get_config(self):
        config = super().get_config()
        config['size'] = self.size[0]
        config.pop('data_format')
        return config


class UpSampling2D(_UpSampling):
    """Repeats rows and columns size[0] and size[1] times ('nearest') or
    resizes bilinearly."""

    def __init__(self, size=(2, 2), data_format=None, interpolation='nearest', **kwargs):
        super().__init__(normalize_tuple(size, 2, 'size'), data_format, **kwargs)
        if interpolation not in ('nearest', 'bilinear'):
            raise ValueError('UpSampling2D: interpolation should be one of "nearest" or '
                             f'"bilinear", got {interpolation!r}')
        self.interpolation = interpolation

    def call(self, inputs):
        return K.resize_images(inputs, self.size[0], self.size[1], self.data_format,
                               interpolation=self.interpolation)

    def get_config(self):
        return dict(super().get_config(), interpolation=self.interpolation)


def _pairs(layer, name, value):
    """Keras's 2D padding/cropping forms: int, (sym_h, sym_w) or ((top, bottom),
    (left, right)), as a pair of pairs of non-negative ints."""
    if isinstance(value, int):
        pairs = ((value, value), (value, value))
    elif hasattr(value, '__len__'):
        if len(value) != 2:
            raise ValueError(f'{layer}: `{name}` should have two elements. Found: {value!r}')
        pairs = (normalize_tuple(value[0], 2, f'1st entry of {name}'),
                 normalize_tuple(value[1], 2, f'2nd entry of {name}'))
    else:
        raise ValueError(f'{layer}: `{name}` should be either an int, a tuple of 2 ints, or a '
                         f'tuple of 2 tuples of 2 ints. Found: {value!r}')
    if any(v < 0 for pair in pairs for v in pair):
        raise ValueError(f'{layer}: `{name}` must not be negative, got {value!r}')
    return pairs


def _single_pair(layer, name, value):
    pair = normalize_tuple(value, 2, name)
    if min(pair) < 0:
        raise ValueError(f'{layer}: `{name}` must not be negative, got {value!r}')
    return (pair,)


class _ZeroPadding(Layer):
    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = len(padding)
        self.padding = padding
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape):
        return _per_axis(input_shape, self.padding, self.data_format, lambda d, p: d + sum(p))

    def get_config(self):
        return dict(super().get_config(), padding=self.padding, data_format=self.data_format)


class ZeroPadding1D(_ZeroPadding):
    """Zero rows at the start and end of axis 1 of (batch, steps, features)."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(_single_pair('ZeroPadding1D', 'padding', padding), 'channels_last',
                         **kwargs)

    def call(self, inputs):
        return K.temporal_padding(inputs, padding=self.padding[0])

    def get_config(self):
        config = super().get_config()
        config['padding'] = config['padding'][0]
        config.pop('data_format')
        return config


class ZeroPadding2D(_ZeroPadding):
    """Zeros around images: padding ((top, bottom), (left, right))."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(_pairs('ZeroPadding2D', 'padding', padding), data_format, **kwargs)

    def call(self, inputs):
        return K.spatial_2d_padding(inputs, padding=self.padding, data_format=self.data_format)


class _Cropping(Layer):
    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = len(cropping)
        self.cropping = cropping
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        spatial = tuple(slice(start, -end if end else None) for start, end in self.cropping)
        if self.data_format == 'channels_first':
            return inputs[(slice(None), slice(None)) + spatial]
        return inputs[(slice(None),) + spatial + (slice(None),)]

    def compute_output_shape(self, input_shape):
        shape = _per_axis(input_shape, self.cropping, self.data_format,
                          lambda d, c: d - sum(c))
        if any(d is not None and d < 0 for d in shape):
            raise ValueError(f'{type(self).__name__} {self.name}: cropping {self.cropping} is '
                             f'larger than the input shape {tuple(input_shape)}')
        return shape

    def get_config(self):
        return dict(super().get_config(), cropping=self.cropping, data_format=self.data_format)


class Cropping1D(_Cropping):
    """Removes cropping[0] steps at the start and cropping[1] at the end of axis 1."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(_single_pair('Cropping1D', 'cropping', cropping), 'channels_last',
                         **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop('data_format')
        config['cropping'] = config['cropping'][0]
        return config


class Cropping2D(_Cropping):
    """Removes ((top, bottom), (left, right)) rows and columns."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(_pairs('Cropping2D', 'cropping', cropping), data_format, **kwargs)


# Aliases
Convolution1D = Conv1D
Convolution2D = Conv2D
SeparableConvolution2D = SeparableConv2D
Convolution2DTranspose = Conv2DTranspose
Deconvolution2D = Deconv2D = Conv2DTranspose
