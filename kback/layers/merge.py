"""Merge layers: elementwise Add/Subtract/Multiply/Average/Maximum/Minimum
(with Keras 2.3's broadcasting rules), Concatenate and Dot, and their
functional forms."""
from .. import backend as K
from ..engine.base_layer import Layer


class _Merge(Layer):
    """Base of the elementwise merges: shape validation, broadcasting of
    inputs of different ranks, and mask merging."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def _merge_function(self, inputs):
        raise NotImplementedError

    def _compute_elemwise_op_output_shape(self, shape1, shape2):
        """The shape of an elementwise op on shapes shape1 and shape2 (without
        batch axes); None stands for an unknown shape.  ValueError when they
        do not broadcast."""
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            return self._compute_elemwise_op_output_shape(shape2, shape1)
        if len(shape2) == 0:
            return tuple(shape1)
        output_shape = list(shape1[:-len(shape2)])
        for i, j in zip(shape1[-len(shape2):], shape2):
            if i is None or j is None:
                output_shape.append(None)
            elif i == 1:
                output_shape.append(j)
            elif j == 1:
                output_shape.append(i)
            else:
                if i != j:
                    raise ValueError('Operands could not be broadcast together with shapes '
                                     f'{tuple(shape1)} {tuple(shape2)}')
                output_shape.append(i)
        return tuple(output_shape)

    def _check_inputs(self, input_shape):
        if not isinstance(input_shape, list):
            raise ValueError('A merge layer should be called on a list of inputs.')
        if len(input_shape) < 2:
            raise ValueError('A merge layer should be called on a list of at least 2 inputs. '
                             f'Got {len(input_shape)} inputs.')

    def _batch_sizes(self, input_shape):
        return {s[0] for s in input_shape if s is not None} - {None}

    def build(self, input_shape):
        # Only validates shapes: merges have no weights.
        self._check_inputs(input_shape)
        if len(self._batch_sizes(input_shape)) > 1:
            raise ValueError('Can not merge tensors with different batch sizes. Got tensors '
                             f'with shapes : {input_shape}')
        output_shape = None if input_shape[0] is None else input_shape[0][1:]
        for shape in input_shape[1:]:
            output_shape = self._compute_elemwise_op_output_shape(
                output_shape, None if shape is None else shape[1:])
        # Inputs of different ranks must be reshaped to broadcast.
        self._reshape_required = not (None not in input_shape
                                      and len(set(map(len, input_shape))) == 1)
        self.built = True

    def call(self, inputs):
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if not isinstance(inputs, list):
            raise ValueError('A merge layer should be called on a list of inputs.')
        if not self._reshape_required:
            return self._merge_function(inputs)
        # Ranks are always known here: expand each input at axis 1 (after the
        # batch axis) until all have the same rank, as Keras does.
        max_ndim = max(K.ndim(x) for x in inputs)
        reshaped = []
        for x in inputs:
            for _ in range(max_ndim - K.ndim(x)):
                x = K.expand_dims(x, 1)
            reshaped.append(x)
        return self._merge_function(reshaped)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        output_shape = None if input_shape[0] is None else input_shape[0][1:]
        for shape in input_shape[1:]:
            output_shape = self._compute_elemwise_op_output_shape(
                output_shape, None if shape is None else shape[1:])
        if output_shape is None:
            return None
        batch_sizes = self._batch_sizes(input_shape)
        batch = batch_sizes.pop() if len(batch_sizes) == 1 else None
        return (batch,) + tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, list):
            raise ValueError('`mask` should be a list.')
        if not isinstance(inputs, list):
            raise ValueError('`inputs` should be a list.')
        if len(mask) != len(inputs):
            raise ValueError('The lists `inputs` and `mask` should have the same length.')
        if all(m is None for m in mask):
            return None
        masks = [K.expand_dims(m, 0) for m in mask if m is not None]
        return K.all(K.concatenate(masks, axis=0), axis=0, keepdims=False)


class Add(_Merge):
    """Adds a list of inputs, element by element.

    Example::

        a = Input(shape=(16,))
        b = Input(shape=(16,))
        total = Add()([Dense(8)(a), Dense(8)(b)])

    Arguments:
        **kwargs: the standard layer arguments (`name`, ...).

    Input shape:
        A list of tensors of the same shape (or shapes that broadcast).

    Output shape:
        The shape of the inputs (broadcast).
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output


class Subtract(_Merge):
    """Subtracts the second of two inputs from the first, element by element.

    Arguments:
        **kwargs: the standard layer arguments (`name`, ...).

    Input shape:
        A list of exactly two tensors of the same shape.

    Output shape:
        The shape of the inputs (broadcast).
    """

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError('A `Subtract` layer should be called on exactly 2 inputs')

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError('A `Subtract` layer should be called on exactly 2 inputs')
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Multiplies a list of inputs, element by element.

    Arguments:
        **kwargs: the standard layer arguments (`name`, ...).

    Input shape:
        A list of tensors of the same shape (or shapes that broadcast).

    Output shape:
        The shape of the inputs (broadcast).
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output * x
        return output


class Average(_Merge):
    """Averages a list of inputs, element by element.

    Arguments:
        **kwargs: the standard layer arguments (`name`, ...).

    Input shape:
        A list of tensors of the same shape (or shapes that broadcast).

    Output shape:
        The shape of the inputs (broadcast).
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output / len(inputs)


class Maximum(_Merge):
    """The element-wise maximum of a list of inputs.

    Arguments:
        **kwargs: the standard layer arguments (`name`, ...).

    Input shape:
        A list of tensors of the same shape (or shapes that broadcast).

    Output shape:
        The shape of the inputs (broadcast).
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = K.maximum(output, x)
        return output


class Minimum(_Merge):
    """The element-wise minimum of a list of inputs.

    Arguments:
        **kwargs: the standard layer arguments (`name`, ...).

    Input shape:
        A list of tensors of the same shape (or shapes that broadcast).

    Output shape:
        The shape of the inputs (broadcast).
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = K.minimum(output, x)
        return output


class Concatenate(_Merge):
    """Concatenates a list of inputs along one axis.

    Arguments:
        axis: the axis to concatenate along; the inputs' other sizes must
            match.

    Input shape:
        A list of tensors of the same rank.

    Output shape:
        The inputs' shape, with the sizes along `axis` summed.

    Raises:
        ValueError: if the inputs' shapes do not match off `axis`.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError('A `Concatenate` layer should be called on a list of at least '
                             '2 inputs')
        if all(shape is None for shape in input_shape):
            self.built = True
            return
        reduced = set()
        for shape in input_shape:
            shape = list(shape)
            try:
                del shape[self.axis]
            except IndexError:
                raise ValueError(f'A `Concatenate` layer with axis={self.axis} got an input of '
                                 f'shape {tuple(shape)}. Got inputs shapes: '
                                 f'{input_shape}') from None
            reduced.add((len(shape),) + tuple(shape))
        if len(reduced) > 1:
            # Unknown sizes match anything; only known, different sizes clash.
            rows = list(reduced)
            for row in rows[1:]:
                if row[0] != rows[0][0] or any(a is not None and b is not None and a != b
                                               for a, b in zip(row[1:], rows[0][1:])):
                    raise ValueError('A `Concatenate` layer requires inputs with matching '
                                     'shapes except for the concat axis. Got inputs shapes: '
                                     f'{input_shape}')
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError('A `Concatenate` layer should be called on a list of inputs.')
        inputs = list(inputs)
        return K.concatenate(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, list) or not input_shape or \
                not isinstance(input_shape[0], (tuple, list)):
            raise ValueError('A `Concatenate` layer should be called on a list of inputs.')
        output_shape = list(input_shape[0])
        for shape in input_shape[1:]:
            if output_shape[self.axis] is None or shape[self.axis] is None:
                output_shape[self.axis] = None
                break
            output_shape[self.axis] += shape[self.axis]
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, list):
            raise ValueError('`mask` should be a list.')
        if not isinstance(inputs, list):
            raise ValueError('`inputs` should be a list.')
        if len(mask) != len(inputs):
            raise ValueError('The lists `inputs` and `mask` should have the same length.')
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(K.cast(K.ones_like(x), 'bool'))
            elif K.ndim(m) < K.ndim(x):
                masks.append(K.expand_dims(m))
            else:
                masks.append(m)
        return K.all(K.concatenate(masks, axis=self.axis), axis=-1, keepdims=False)

    def get_config(self):
        config = {'axis': self.axis}
        return dict(super().get_config(), **config)


class Dot(_Merge):
    """The dot product of two inputs along one axis of each, sample by sample.

    Arguments:
        axes: an int, or a pair of ints (one axis per input), the axes the
            product sums over.
        normalize: if True, each input is L2-normalized along its axis first,
            so the result is the cosine proximity.

    Input shape:
        A list of two tensors, `(batch, n)` and `(batch, n)` for instance.

    Output shape:
        The remaining axes of the first input then of the second (without
        its batch axis); `(batch, 1)` for two vectors.

    Raises:
        ValueError: if there are not two inputs, or their sizes along `axes`
            differ.
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError('Invalid type for `axes` - should be a list or an int.')
            if len(axes) != 2:
                raise ValueError('Invalid format for `axes` - should contain two elements.')
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError('Invalid format for `axes` - list elements should be "int".')
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _axes_for(self, ndims):
        if isinstance(self.axes, int):
            if self.axes < 0:
                return [self.axes % ndims[0], self.axes % ndims[1]]
            return [self.axes] * 2
        return [a % n if a < 0 else a for a, n in zip(self.axes, ndims)]

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError('A `Dot` layer should be called on a list of 2 inputs.')
        shape1, shape2 = input_shape
        if shape1 is None or shape2 is None:
            self.built = True
            return
        axes = self._axes_for((len(shape1), len(shape2)))
        if shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError(f'Dimension incompatibility {shape1[axes[0]]} != '
                             f'{shape2[axes[1]]}. Layer shapes: {shape1}, {shape2}')
        self.built = True

    def call(self, inputs):
        x1, x2 = inputs
        axes = self._axes_for((K.ndim(x1), K.ndim(x2)))
        if self.normalize:
            x1 = K.l2_normalize(x1, axis=axes[0])
            x2 = K.l2_normalize(x2, axis=axes[1])
        return K.batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError('A `Dot` layer should be called on a list of 2 inputs.')
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        axes = self._axes_for((len(shape1), len(shape2)))
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        output_shape = shape1 + shape2
        if len(output_shape) == 1:
            output_shape += [1]
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = {'axes': self.axes, 'normalize': self.normalize}
        return dict(super().get_config(), **config)


# -- functional forms ---------------------------------------------------------------

def add(inputs, **kwargs):
    """Adds a list of tensors, element by element.

    The functional form of `Add`.

    Arguments:
        inputs: a list of tensors.
        **kwargs: the standard layer arguments (`name`, ...).

    Returns:
        A tensor, the output of a new `Add` layer.
    """
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Subtracts the second of two tensors from the first.

    The functional form of `Subtract`.

    Arguments:
        inputs: a list of tensors.
        **kwargs: the standard layer arguments (`name`, ...).

    Returns:
        A tensor, the output of a new `Subtract` layer.
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Multiplies a list of tensors, element by element.

    The functional form of `Multiply`.

    Arguments:
        inputs: a list of tensors.
        **kwargs: the standard layer arguments (`name`, ...).

    Returns:
        A tensor, the output of a new `Multiply` layer.
    """
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Averages a list of tensors, element by element.

    The functional form of `Average`.

    Arguments:
        inputs: a list of tensors.
        **kwargs: the standard layer arguments (`name`, ...).

    Returns:
        A tensor, the output of a new `Average` layer.
    """
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """The element-wise maximum of a list of tensors.

    The functional form of `Maximum`.

    Arguments:
        inputs: a list of tensors.
        **kwargs: the standard layer arguments (`name`, ...).

    Returns:
        A tensor, the output of a new `Maximum` layer.
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """The element-wise minimum of a list of tensors.

    The functional form of `Minimum`.

    Arguments:
        inputs: a list of tensors.
        **kwargs: the standard layer arguments (`name`, ...).

    Returns:
        A tensor, the output of a new `Minimum` layer.
    """
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Concatenates a list of tensors along `axis`.

    The functional form of `Concatenate`.

    Arguments:
        inputs: a list of tensors.
        axis: the concatenation axis.
        **kwargs: the standard layer arguments (`name`, ...).

    Returns:
        A tensor, the output of a new `Concatenate` layer.
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """The sample-wise dot product of two tensors along `axes`.

    The functional form of `Dot`.

    Arguments:
        inputs: a list of tensors.
        axes: an int or a pair of ints, the axes to sum over.
        normalize: whether to L2-normalize the inputs first (cosine proximity).
        **kwargs: the standard layer arguments (`name`, ...).

    Returns:
        A tensor, the output of a new `Dot` layer.
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
