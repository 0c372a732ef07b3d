"""Core layers: Dense, Activation, Dropout (and its spatial forms), Flatten,
Reshape, Permute, RepeatVector, Lambda, ActivityRegularization, Masking.

Every `call` uses K ops only.  Argument names, defaults and get_config keys
follow Keras 2.3.
"""
import types as python_types

import numpy as np

from .. import backend as K
from .. import activations, initializers, regularizers, constraints
from ..engine.base_layer import Layer, InputSpec
from ..utils.generic_utils import deserialize_keras_object, func_dump, func_load, has_arg


class Masking(Layer):
    """Masks the timesteps whose features all equal `mask_value`.

    Those timesteps are set to zero and skipped by the layers downstream that
    support masking (the recurrent layers).

    Arguments:
        mask_value: the value that marks a padded timestep.

    Input shape:
        3D tensor `(batch, timesteps, features)` (any rank >= 2).

    Output shape:
        The input's shape.

    Example::

        model = Sequential([Masking(mask_value=0., input_shape=(10, 8)),
                            LSTM(32)])
    """

    def __init__(self, mask_value=0., **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return K.any(K.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = K.any(K.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * K.cast(keep, K.dtype(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'mask_value': self.mask_value}
        return dict(super().get_config(), **config)


class Dropout(Layer):
    """Sets a fraction `rate` of the inputs to 0 during training.

    The kept inputs are scaled by `1 / (1 - rate)`, so the expected sum is
    unchanged; at test time the layer is the identity.

    Arguments:
        rate: a float in [0, 1], the fraction of the inputs to drop.
        noise_shape: the shape of the binary mask, broadcast over the input
            (None entries follow the input), e.g. `(batch, 1, features)` to
            drop the same features at every timestep.
        seed: an int, the random seed.

    Input shape:
        Any.

    Output shape:
        The input's shape.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = min(1., max(0., rate))
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def _get_noise_shape(self, inputs):
        # None entries follow the input's (run-time) size; K.dropout does that.
        # A size given where the input's is unknown until run time (Keras's
        # noise_shape=(batch_size, 1, features)) follows it too.
        if self.noise_shape is None:
            return None
        shape = K.int_shape(inputs)
        return tuple(None if n is not None and n != 1 and axis < len(shape) and
                     shape[axis] is None else n
                     for axis, n in enumerate(self.noise_shape))

    def call(self, inputs, training=None):
        if 0. < self.rate < 1.:
            noise_shape = self._get_noise_shape(inputs)

            def dropped_inputs():
                return K.dropout(inputs, self.rate, noise_shape, seed=self.seed)
            return K.in_train_phase(dropped_inputs, inputs, training=training)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'rate': self.rate, 'noise_shape': self.noise_shape, 'seed': self.seed}
        return dict(super().get_config(), **config)


class _SpatialDropout(Dropout):
    """Drops whole feature maps: the mask is shared over the spatial axes."""
    _ndim = None

    def __init__(self, rate, data_format=None, **kwargs):
        super().__init__(rate, **kwargs)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._ndim)

    def _get_noise_shape(self, inputs):
        ones = (1,) * (self._ndim - 2)
        if self.data_format == 'channels_first':
            return (None, None) + ones
        return (None,) + ones + (None,)

    def get_config(self):
        config = super().get_config()
        config.pop('noise_shape')
        config['data_format'] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole channels of a sequence (the same mask at every step).

    Arguments:
        rate: a float in [0, 1], the fraction of the channels to drop.

    Input shape:
        3D tensor `(samples, timesteps, channels)`.

    Output shape:
        The input's shape.
    """
    _ndim = 3

    def __init__(self, rate, **kwargs):
        super().__init__(rate, data_format='channels_last', **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop('data_format')
        return config


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole feature maps of 2D inputs.

    Arguments:
        rate: a float in [0, 1], the fraction of the channels to drop.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        4D tensor `(samples, rows, cols, channels)` (channels last) or
        `(samples, channels, rows, cols)` (channels first).

    Output shape:
        The input's shape.
    """
    _ndim = 4


class SpatialDropout3D(_SpatialDropout):
    """Dropout of whole feature maps of 3D inputs.

    Arguments:
        rate: a float in [0, 1], the fraction of the channels to drop.
        data_format: `'channels_last'` or `'channels_first'` (default:
            `K.image_data_format()`).

    Input shape:
        5D tensor `(samples, dim1, dim2, dim3, channels)` (channels last) or
        `(samples, channels, dim1, dim2, dim3)` (channels first).

    Output shape:
        The input's shape.
    """
    _ndim = 5


class Activation(Layer):
    """Applies an activation function to its input.

    Arguments:
        activation: the name of an activation (`'relu'`, `'softmax'`, ... see
            `kback.activations`) or a function of a tensor written in K ops.

    Input shape:
        Any.

    Output shape:
        The input's shape.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'activation': activations.serialize(self.activation)}
        return dict(super().get_config(), **config)


class Reshape(Layer):
    """Reshapes its input to `(batch,) + target_shape`.

    Arguments:
        target_shape: a tuple of ints, the shape of one sample; one entry may
            be -1, inferred from the others.

    Input shape:
        Any, with a known size per sample.

    Output shape:
        `(batch,) + target_shape`.

    Raises:
        ValueError: if the sizes do not match or more than one entry is -1.

    Example::

        model = Sequential([Reshape((3, 4), input_shape=(12,))])
        # model.output_shape == (None, 3, 4)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def _fix_unknown_dimension(self, input_shape, output_shape):
        """output_shape with its -1 replaced by what makes the sizes agree
        (as numpy's reshape); ValueError when they cannot agree."""
        output_shape = list(output_shape)
        known, unknown = 1, None
        for index, dim in enumerate(output_shape):
            if dim < 0:
                if unknown is not None:
                    raise ValueError(f'Reshape: can only specify one unknown dimension, got '
                                     f'target_shape {tuple(output_shape)}')
                unknown = index
            else:
                known *= dim
        original = int(np.prod(input_shape, dtype=np.int64))
        problem = (f'Reshape: total size of new array must be unchanged: cannot reshape input '
                   f'of shape {tuple(input_shape)} ({original} values per sample) into '
                   f'target_shape {self.target_shape}')
        if unknown is not None:
            if known == 0 or original % known != 0:
                raise ValueError(problem)
            output_shape[unknown] = original // known
        elif original != known:
            raise ValueError(problem)
        return tuple(output_shape)

    def compute_output_shape(self, input_shape):
        if None in input_shape[1:]:
            # The inferred dim is unknown too; the others are as given.
            return (input_shape[0],) + tuple(None if d < 0 else d for d in self.target_shape)
        return (input_shape[0],) + self._fix_unknown_dimension(input_shape[1:],
                                                               self.target_shape)

    def call(self, inputs):
        target = self.compute_output_shape(K.int_shape(inputs))[1:]
        if None in target:
            # Only the batch size may stay unknown in a static reshape: read it at run time.
            return K.reshape(inputs, (K.shape(inputs)[0],) + self.target_shape)
        return K.reshape(inputs, (-1,) + target)

    def get_config(self):
        config = {'target_shape': self.target_shape}
        return dict(super().get_config(), **config)


class Permute(Layer):
    """Permutes the non-batch axes of its input.

    Arguments:
        dims: a tuple of ints, the new order of the axes, numbered from 1
            (the batch axis is not included), e.g. `(2, 1)`.

    Input shape:
        Any, of rank `len(dims) + 1`.

    Output shape:
        The input's shape with its axes permuted.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f'Invalid permutation `dims`: {dims}. The set of indices in '
                             '`dims` must be consecutive and start from 1.')
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def compute_output_shape(self, input_shape):
        input_shape = list(input_shape)
        output_shape = list(input_shape)
        for i, dim in enumerate(self.dims):
            output_shape[i + 1] = input_shape[dim]
        return tuple(output_shape)

    def call(self, inputs):
        return K.permute_dimensions(inputs, (0,) + self.dims)

    def get_config(self):
        config = {'dims': self.dims}
        return dict(super().get_config(), **config)


class Flatten(Layer):
    """Flattens each sample to one axis (the batch axis is kept).

    Arguments:
        data_format: `'channels_last'` or `'channels_first'`; with
            channels-first inputs the features are ordered as a channels-last
            input's would be, so weights can move between the two layouts.

    Input shape:
        Any, of rank >= 2 with known non-batch sizes.

    Output shape:
        `(batch, product of the other sizes)`.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = InputSpec(min_ndim=3)
        self.data_format = K.normalize_data_format(data_format)

    def compute_output_shape(self, input_shape):
        if not all(input_shape[1:]):
            raise ValueError('The shape of the input to "Flatten" is not fully defined (got '
                             f'{tuple(input_shape[1:])}). Make sure to pass a complete '
                             '"input_shape" or "batch_input_shape" argument to the first '
                             'layer in your model.')
        return (input_shape[0], int(np.prod(input_shape[1:], dtype=np.int64)))

    def call(self, inputs):
        if self.data_format == 'channels_first':
            nd = K.ndim(inputs)
            inputs = K.permute_dimensions(inputs, (0,) + tuple(range(2, nd)) + (1,))
        return K.batch_flatten(inputs)

    def get_config(self):
        config = {'data_format': self.data_format}
        return dict(super().get_config(), **config)


class RepeatVector(Layer):
    """Repeats its input `n` times along a new time axis.

    Arguments:
        n: an int, the number of repetitions.

    Input shape:
        2D tensor `(batch, features)`.

    Output shape:
        3D tensor `(batch, n, features)`.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs):
        return K.repeat(inputs, self.n)

    def get_config(self):
        config = {'n': self.n}
        return dict(super().get_config(), **config)


# -- Lambda ---------------------------------------------------------------------

def _accepts(fn, name):
    try:
        return has_arg(fn, name)
    except (TypeError, ValueError):     # a builtin without a signature
        return False


def _dump_callable(fn):
    if isinstance(fn, python_types.LambdaType):
        return func_dump(fn), 'lambda'
    return fn.__name__, 'function'


def _load_callable(value, kind, globs, custom_objects, what):
    if kind == 'function':
        return deserialize_keras_object(value, custom_objects=custom_objects,
                                        printable_module_name=what)
    if kind == 'lambda':
        return func_load(value, globs=globs)
    raise TypeError(f'Lambda: unknown {what} type: {kind!r}')


class Lambda(Layer):
    """Wraps a function of tensors, written in K ops, as a layer.

    Arguments:
        function: the function, called as `function(inputs, **arguments)`.
        output_shape: the output shape: None (read from the function's
            result), a tuple without the batch axis, or a function of the
            input shape that returns the whole output shape.
        mask: the output mask: None, a tensor, or a function
            `mask(inputs, previous_mask)`.
        arguments: a dict of keyword arguments passed to `function`.

    Input shape:
        Any.

    Output shape:
        Given by `output_shape`, or inferred.

    Example::

        from kback import backend as K
        model.add(Lambda(lambda x: x ** 2))
        model.add(Lambda(lambda x: K.concatenate([x, -x], axis=-1)))
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments if arguments else {}
        if mask is not None:
            self.supports_masking = True
        self.mask = mask
        if output_shape is None or callable(output_shape):
            self._output_shape = output_shape
        elif isinstance(output_shape, (tuple, list)):
            self._output_shape = tuple(output_shape)
        else:
            raise TypeError('In Lambda, `output_shape` must be a list, a tuple, or a function.')

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if isinstance(self._output_shape, tuple):
            if isinstance(input_shape, list):
                num_samples = input_shape[0][0]
            else:
                num_samples = input_shape[0] if input_shape else None
            return (num_samples,) + self._output_shape
        shape = self._output_shape(input_shape)
        if not isinstance(shape, (list, tuple)):
            raise ValueError('`output_shape` function must return a tuple or a list of tuples.')
        if isinstance(shape, list) and (not shape or isinstance(shape[0], int)
                                        or shape[0] is None):
            shape = tuple(shape)
        return shape

    def call(self, inputs, mask=None):
        arguments = dict(self.arguments)
        if _accepts(self.function, 'mask'):
            arguments['mask'] = mask
        return self.function(inputs, **arguments)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        function, function_type = _dump_callable(self.function)
        if callable(self._output_shape):
            output_shape, output_shape_type = _dump_callable(self._output_shape)
        else:
            output_shape, output_shape_type = self._output_shape, 'raw'
        arguments = {k: {'type': 'ndarray', 'value': v.tolist()} if isinstance(v, np.ndarray)
                     else v for k, v in self.arguments.items()}
        config = {'function': function, 'function_type': function_type,
                  'output_shape': output_shape, 'output_shape_type': output_shape_type,
                  'arguments': arguments}
        return dict(super().get_config(), **config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        # Lambdas resolve their globals here (so `K` works in a loaded lambda),
        # then among the custom objects.
        globs = dict(globals(), **(custom_objects or {}))
        config['function'] = _load_callable(config['function'], config.pop('function_type'),
                                            globs, custom_objects, 'function in Lambda layer')
        kind = config.pop('output_shape_type', 'raw')
        if kind != 'raw':
            config['output_shape'] = _load_callable(
                config['output_shape'], kind, globs, custom_objects,
                'output_shape function in Lambda layer')
        elif isinstance(config.get('output_shape'), list):
            config['output_shape'] = tuple(config['output_shape'])
        arguments = dict(config.get('arguments') or {})
        for key, value in arguments.items():
            if isinstance(value, dict) and value.get('type') == 'ndarray':
                arguments[key] = np.array(value['value'])
        config['arguments'] = arguments
        return cls(**config)


# -- Dense and the regularisation layer ---------------------------------------------

class Dense(Layer):
    """The densely connected layer: `activation(dot(input, kernel) + bias)`.

    Arguments:
        units: a positive int, the size of the output.
        activation: the activation function (name or function; None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer: the initializer of the kernel matrix.
        bias_initializer: the initializer of the bias vector.
        kernel_regularizer: a regularizer applied to the kernel.
        bias_regularizer: a regularizer applied to the bias.
        activity_regularizer: a regularizer applied to the output.
        kernel_constraint: a constraint applied to the kernel after updates.
        bias_constraint: a constraint applied to the bias after updates.

    Input shape:
        nD tensor `(batch, ..., input_dim)`, most often 2D
        `(batch, input_dim)`; an input of rank > 2 is contracted over its
        last axis.

    Output shape:
        nD tensor `(batch, ..., units)`.

    Raises:
        ValueError: if `units` is not positive, or the input's last dimension
            is unknown.

    Example::

        model = Sequential()
        model.add(Dense(32, input_shape=(16,)))   # output (None, 32)
        model.add(Dense(32, activation='relu'))
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if 'input_shape' not in kwargs and 'input_dim' in kwargs:
            kwargs['input_shape'] = (kwargs.pop('input_dim'),)
        super().__init__(**kwargs)
        self.units = int(units)
        if self.units <= 0:
            raise ValueError(f'Dense: units must be a positive integer, got {units!r}')
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'Dense {self.name}: the last dimension of the inputs must be '
                             f'known, got input shape {tuple(input_shape)}')
        self.kernel = self.add_weight(shape=(input_dim, self.units), name='kernel',
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), name='bias',
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        output = K.dot(inputs, self.kernel)
        if self.use_bias:
            output = K.bias_add(output, self.bias, data_format='channels_last')
        if self.activation is not None:
            output = self.activation(output)
        return output

    def compute_output_shape(self, input_shape):
        if not input_shape or len(input_shape) < 2 or not input_shape[-1]:
            raise ValueError(f'Dense {self.name}: expected an input shape of rank >= 2 with a '
                             f'known last dimension, got {input_shape}')
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = {
            'units': self.units,
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


class ActivityRegularization(Layer):
    """Adds an L1/L2 penalty on its input to the model's loss; passes it on.

    Arguments:
        l1: the L1 factor (a float >= 0).
        l2: the L2 factor (a float >= 0).

    Input shape:
        Any.

    Output shape:
        The input's shape.
    """

    def __init__(self, l1=0., l2=0., **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.activity_regularizer = regularizers.L1L2(l1=l1, l2=l2)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'l1': self.l1, 'l2': self.l2}
        return dict(super().get_config(), **config)
