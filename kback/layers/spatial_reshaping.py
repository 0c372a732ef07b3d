"""Spatial reshaping layers: UpSampling, ZeroPadding and Cropping in 1D
and 2D (Keras 2.3 names, defaults and get_config keys), honouring
data_format; every `call` is one K op."""
from .. import backend as K
from ..engine.base_layer import Layer, InputSpec
from ..utils.conv_utils import normalize_tuple, check_positive as _positive


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
    """Upsamples a sequence by repeating each step `size` times.

    Arguments:
        size: an int, the repetition factor along each spatial axis.

    Input shape:
        3D tensor `(batch, steps, features)`.

    Output shape:
        3D tensor `(batch, size * steps, features)`.
    """

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
    """Upsamples its input by repeating each value `size` times per axis.

    Arguments:
        size: an int or a tuple of 2 ints, the repetition factor along each
            spatial axis.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).
        interpolation: `'nearest'` or `'bilinear'`.

    Input shape:
        4D tensor `(batch, rows, cols, channels)` (channels last) or
        `(batch, channels, rows, cols)` (channels first).

    Output shape:
        4D tensor in the same layout, each spatial size multiplied by its factor.
    """

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
    """Pads the spatial axes of its input with zeros.

    Arguments:
        padding: an int or a pair of ints (left, right), the number of zeros
            added at each end of the spatial axes.

    Input shape:
        3D tensor `(batch, steps, features)`.

    Output shape:
        3D tensor `(batch, padded_steps, features)`.
    """

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
    """Pads the spatial axes of its input with zeros.

    Arguments:
        padding: an int, a pair of ints (symmetric per axis) or a pair of pairs
            ((top, bottom), (left, right)), the number of zeros added at each
            end of the spatial axes.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        4D tensor `(batch, rows, cols, channels)` (channels last) or
        `(batch, channels, rows, cols)` (channels first).

    Output shape:
        4D tensor in the same layout, with the padded spatial sizes.
    """

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
    """Crops the spatial axes of its input.

    Arguments:
        cropping: an int or a pair of ints (start, end), the number of positions
            removed at each end of the spatial axes.

    Input shape:
        3D tensor `(batch, steps, features)`.

    Output shape:
        3D tensor `(batch, cropped_steps, features)`.
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(_single_pair('Cropping1D', 'cropping', cropping), 'channels_last',
                         **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop('data_format')
        config['cropping'] = config['cropping'][0]
        return config


class Cropping2D(_Cropping):
    """Crops the spatial axes of its input.

    Arguments:
        cropping: an int, a pair of ints (symmetric per axis) or a pair of pairs
            ((top, bottom), (left, right)), the number of positions removed at
            each end of the spatial axes.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        4D tensor `(batch, rows, cols, channels)` (channels last) or
        `(batch, channels, rows, cols)` (channels first).

    Output shape:
        4D tensor in the same layout, with the cropped spatial sizes.
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(_pairs('Cropping2D', 'cropping', cropping), data_format, **kwargs)
