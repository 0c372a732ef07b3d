"""Keras 2.3 losses: per-sample loss functions, the `Loss` classes with their
reductions, and identifier resolution (`get`, `serialize`, `deserialize`).

Every function takes `(y_true, y_pred)` and returns one value per sample
(the mean or sum over the last axis, as Keras 2.3 does; `huber_loss` and
`categorical_hinge` keep Keras's shapes). Only K ops are used, so the engine
can differentiate every loss.
"""
import abc
import numbers

from . import backend as K
from .utils.losses_utils import Reduction, compute_weighted_loss  # noqa: F401
from .utils.generic_utils import serialize_keras_object, deserialize_keras_object


def _prepare(y_true, y_pred):
    """y_pred as a float tensor; y_true cast to its dtype (int labels welcome)."""
    if not K.is_tensor(y_pred):
        y_pred = K.constant(y_pred)
    if not K.dtype(y_pred).startswith('float'):
        y_pred = K.cast(y_pred, K.floatx())
    y_true = K.cast(y_true, K.dtype(y_pred))
    return y_true, y_pred


# -- regression losses ---------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """The mean squared error: `mean(square(y_pred - y_true), axis=-1)`.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.

    Returns:
        A tensor of per-sample losses (the last axis is averaged away).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return K.mean(K.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """The mean absolute error: `mean(abs(y_pred - y_true), axis=-1)`.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.

    Returns:
        A tensor of per-sample losses (the last axis is averaged away).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return K.mean(K.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """The mean absolute percentage error:
    `100 * mean(abs(y_true - y_pred) / max(abs(y_true), epsilon), axis=-1)`.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.

    Returns:
        A tensor of per-sample losses (the last axis is averaged away).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    diff = K.abs((y_true - y_pred) / K.clip(K.abs(y_true), K.epsilon(), None))
    return 100. * K.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """The mean squared logarithmic error: the mean squared error of
    `log(1 + x)`, with both sides clipped below at `epsilon`.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.

    Returns:
        A tensor of per-sample losses (the last axis is averaged away).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    first_log = K.log(K.clip(y_pred, K.epsilon(), None) + 1.)
    second_log = K.log(K.clip(y_true, K.epsilon(), None) + 1.)
    return K.mean(K.square(first_log - second_log), axis=-1)


def logcosh(y_true, y_pred):
    """The logarithm of the hyperbolic cosine of the error, averaged.

    About `x ** 2 / 2` for small errors and `abs(x) - log(2)` for large ones, so
    it is robust to outliers; computed without overflow.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.

    Returns:
        A tensor of per-sample losses (the last axis is averaged away).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    return K.mean(x + K.softplus(-2. * x) - K.log(K.constant(2., dtype=K.dtype(x))), axis=-1)


def huber_loss(y_true, y_pred, delta=1.0):
    """The Huber loss of each element: quadratic for errors up to `delta`,
    linear beyond.

    `0.5 * e ** 2` where `abs(e) <= delta`, else
    `0.5 * delta ** 2 + delta * (abs(e) - delta)`; as in Keras 2.3 there is no
    mean over the last axis.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.
        delta: the error size where the loss turns linear.

    Returns:
        A tensor of the shape of `y_pred`.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    abs_error = K.abs(y_pred - y_true)
    quadratic = K.minimum(abs_error, delta)
    linear = abs_error - quadratic
    return 0.5 * K.square(quadratic) + delta * linear


# -- hinge losses -----------------------------------------------------------------------

def _maybe_convert_labels(y_true):
    """As Keras 2.3: when every label is 0 or 1, map them to -1 / 1 (decided at run time)."""
    is_binary = K.all(K.maximum(K.cast(K.equal(y_true, 0), 'int32'),
                                K.cast(K.equal(y_true, 1), 'int32')))
    return K.switch(is_binary, 2. * y_true - 1., y_true)


def squared_hinge(y_true, y_pred):
    """The squared hinge loss: `mean(square(max(1 - y_true * y_pred, 0)), axis=-1)`.

    Targets should be -1 or 1; when every label is 0 or 1 they are mapped to
    -1 and 1.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.

    Returns:
        A tensor of per-sample losses (the last axis is averaged away).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return K.mean(K.square(K.maximum(1. - y_true * y_pred, 0.)), axis=-1)


def hinge(y_true, y_pred):
    """The hinge loss: `mean(max(1 - y_true * y_pred, 0), axis=-1)`.

    Targets should be -1 or 1; when every label is 0 or 1 they are mapped to
    -1 and 1.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.

    Returns:
        A tensor of per-sample losses (the last axis is averaged away).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return K.mean(K.maximum(1. - y_true * y_pred, 0.), axis=-1)


def categorical_hinge(y_true, y_pred):
    """The categorical hinge loss on one-hot targets:
    `max(0, max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1)`.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.

    Returns:
        A tensor of per-sample losses.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    pos = K.sum(y_true * y_pred, axis=-1)
    neg = K.max((1. - y_true) * y_pred, axis=-1)
    return K.maximum(neg - pos + 1., 0.)


# -- probabilistic losses --------------------------------------------------------------

def _smoothing(label_smoothing, fn):
    if isinstance(label_smoothing, bool) or not (
            isinstance(label_smoothing, numbers.Real) or K.is_tensor(label_smoothing)):
        raise ValueError(f'{fn}: label_smoothing must be a number in [0, 1], '
                         f'got {label_smoothing!r}')
    return label_smoothing


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0):
    """The categorical crossentropy on one-hot (or soft) targets.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: a float in [0, 1]: the targets become
            `y_true * (1 - label_smoothing) + label_smoothing / num_classes`.

    Returns:
        A tensor of per-sample losses.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    s = _smoothing(label_smoothing, 'categorical_crossentropy')
    if K.is_tensor(s) or s > 0:
        classes = K.int_shape(y_pred)[-1]
        if classes is None:
            classes = K.cast(K.shape(y_true)[-1], K.dtype(y_pred))
        smoothed = y_true * (1. - s) + s / classes
        y_true = K.switch(K.greater(s, 0), smoothed, y_true) if K.is_tensor(s) else smoothed
    return K.categorical_crossentropy(y_true, y_pred, from_logits=from_logits)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """The categorical crossentropy on integer class targets.

    Arguments:
        y_true: the integer class indices, `(batch,)` or `(batch, 1)`.
        y_pred: the predictions, `(batch, classes)`.
        from_logits: whether `y_pred` holds logits rather than probabilities.
        axis: the class axis of `y_pred`.

    Returns:
        A tensor of per-sample losses.
    """
    return K.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0):
    """The binary crossentropy, averaged over the last axis.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: a float in [0, 1]: the targets become
            `y_true * (1 - label_smoothing) + 0.5 * label_smoothing`.

    Returns:
        A tensor of per-sample losses (the last axis is averaged away).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    s = _smoothing(label_smoothing, 'binary_crossentropy')
    if K.is_tensor(s) or s > 0:
        smoothed = y_true * (1. - s) + 0.5 * s
        y_true = K.switch(K.greater(s, 0), smoothed, y_true) if K.is_tensor(s) else smoothed
    return K.mean(K.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=-1)


def kullback_leibler_divergence(y_true, y_pred):
    """The Kullback-Leibler divergence:
    `sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to
    `[epsilon, 1]`.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.

    Returns:
        A tensor of per-sample losses.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = K.clip(y_true, K.epsilon(), 1)
    y_pred = K.clip(y_pred, K.epsilon(), 1)
    return K.sum(y_true * K.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """The Poisson loss: `mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.

    Returns:
        A tensor of per-sample losses (the last axis is averaged away).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return K.mean(y_pred - y_true * K.log(y_pred + K.epsilon()), axis=-1)


def cosine_proximity(y_true, y_pred, axis=-1):
    """The negative cosine similarity of targets and predictions along an axis.

    -1 for parallel vectors (a loss, to minimize), as in Keras 2.3's losses
    module; the metric of the same name in `kback.metrics` is positive.

    Arguments:
        y_true: the targets, a tensor.
        y_pred: the predictions, a tensor of the same shape.
        axis: the axis of the vectors.

    Returns:
        A tensor of per-sample values.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = K.l2_normalize(y_true, axis=axis)
    y_pred = K.l2_normalize(y_pred, axis=axis)
    return -K.sum(y_true * y_pred, axis=axis)


# Aliases, as Keras 2.3 defines them.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_similarity = cosine_proximity


# -- Loss classes -------------------------------------------------------------------------

class Loss(abc.ABC):
    """Base class of the loss classes.

    A subclass implements `call(y_true, y_pred)`, returning per-sample losses;
    calling the instance as `loss(y_true, y_pred, sample_weight=None)` weights
    and reduces them.

    Arguments:
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.

    Raises:
        ValueError: for an unknown reduction.
    """

    def __init__(self, reduction=Reduction.SUM_OVER_BATCH_SIZE, name=None):
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true, y_pred, sample_weight=None):
        losses = self.call(y_true, y_pred)
        return compute_weighted_loss(losses, sample_weight, reduction=self.reduction)

    @abc.abstractmethod
    def call(self, y_true, y_pred):
        """The per-sample losses of a batch.

        Arguments:
            y_true: the targets.
            y_pred: the predictions.

        Returns:
            A tensor of per-sample losses.
        """
        raise NotImplementedError('Must be implemented in subclasses.')

    def get_config(self):
        """The loss's configuration: the arguments that make it again."""
        return {'reduction': self.reduction, 'name': self.name}

    @classmethod
    def from_config(cls, config):
        """Makes a loss from the dict returned by `get_config`."""
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A loss function `fn(y_true, y_pred, **kwargs)` made into a `Loss`.

    Arguments:
        fn: the loss function, or its name.
        reduction: a `Reduction` key.
        name: the loss's name.
        **kwargs: keyword arguments passed to `fn`.

    Raises:
        ValueError: if `fn` is not callable.
    """

    def __init__(self, fn, reduction=Reduction.SUM_OVER_BATCH_SIZE, name=None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = get(fn) if isinstance(fn, str) else fn
        if not callable(self.fn):
            raise ValueError(f'LossFunctionWrapper: fn must be callable, got {fn!r}')
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = {k: K.eval(v) if K.is_tensor(v) else v for k, v in self._fn_kwargs.items()}
        base = super().get_config()
        # Subclasses fix their function; the bare wrapper records it by name.
        if type(self) is LossFunctionWrapper:
            base['fn'] = serialize(self.fn)
        return dict(base, **config)


_SOBS = Reduction.SUM_OVER_BATCH_SIZE


class MeanSquaredError(LossFunctionWrapper):
    """The mean of the squared errors.

    The class form of `mean_squared_error`, with weighting and reduction.

    Arguments:
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.

    Example::

        mse = MeanSquaredError()
        loss = mse(y_true, y_pred)      # a scalar tensor
        model.compile(optimizer='sgd', loss=MeanSquaredError())
    """

    def __init__(self, reduction=_SOBS, name='mean_squared_error'):
        super().__init__(mean_squared_error, reduction=reduction, name=name)


class MeanAbsoluteError(LossFunctionWrapper):
    """The mean of the absolute errors.

    The class form of `mean_absolute_error`, with weighting and reduction.

    Arguments:
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, reduction=_SOBS, name='mean_absolute_error'):
        super().__init__(mean_absolute_error, reduction=reduction, name=name)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """The mean absolute percentage error.

    The class form of `mean_absolute_percentage_error`, with weighting and reduction.

    Arguments:
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, reduction=_SOBS, name='mean_absolute_percentage_error'):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """The mean squared logarithmic error.

    The class form of `mean_squared_logarithmic_error`, with weighting and reduction.

    Arguments:
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, reduction=_SOBS, name='mean_squared_logarithmic_error'):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name)


class BinaryCrossentropy(LossFunctionWrapper):
    """The binary crossentropy, for 0/1 targets.

    The class form of `binary_crossentropy`, with weighting and reduction.

    Arguments:
        from_logits: whether the predictions are logits.
        label_smoothing: a float in [0, 1] that moves the targets towards 0.5.
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, from_logits=False, label_smoothing=0, reduction=_SOBS,
                 name='binary_crossentropy'):
        super().__init__(binary_crossentropy, reduction=reduction, name=name,
                         from_logits=from_logits, label_smoothing=label_smoothing)
        self.from_logits = from_logits


class CategoricalCrossentropy(LossFunctionWrapper):
    """The categorical crossentropy, for one-hot targets.

    The class form of `categorical_crossentropy`, with weighting and reduction.

    Arguments:
        from_logits: whether the predictions are logits.
        label_smoothing: a float in [0, 1] that moves the targets towards
            uniform.
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, from_logits=False, label_smoothing=0, reduction=_SOBS,
                 name='categorical_crossentropy'):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=from_logits, label_smoothing=label_smoothing)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """The categorical crossentropy, for integer class targets.

    The class form of `sparse_categorical_crossentropy`, with weighting and reduction.

    Arguments:
        from_logits: whether the predictions are logits.
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, from_logits=False, reduction=_SOBS,
                 name='sparse_categorical_crossentropy'):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=from_logits)


class Hinge(LossFunctionWrapper):
    """The hinge loss, for -1/1 (or 0/1) targets.

    The class form of `hinge`, with weighting and reduction.

    Arguments:
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, reduction=_SOBS, name='hinge'):
        super().__init__(hinge, reduction=reduction, name=name)


class SquaredHinge(LossFunctionWrapper):
    """The squared hinge loss, for -1/1 (or 0/1) targets.

    The class form of `squared_hinge`, with weighting and reduction.

    Arguments:
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, reduction=_SOBS, name='squared_hinge'):
        super().__init__(squared_hinge, reduction=reduction, name=name)


class CategoricalHinge(LossFunctionWrapper):
    """The categorical hinge loss, for one-hot targets.

    The class form of `categorical_hinge`, with weighting and reduction.

    Arguments:
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, reduction=_SOBS, name='categorical_hinge'):
        super().__init__(categorical_hinge, reduction=reduction, name=name)


class Poisson(LossFunctionWrapper):
    """The Poisson loss.

    The class form of `poisson`, with weighting and reduction.

    Arguments:
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, reduction=_SOBS, name='poisson'):
        super().__init__(poisson, reduction=reduction, name=name)


class LogCosh(LossFunctionWrapper):
    """The logarithm of the hyperbolic cosine of the error.

    The class form of `logcosh`, with weighting and reduction.

    Arguments:
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, reduction=_SOBS, name='logcosh'):
        super().__init__(logcosh, reduction=reduction, name=name)


class KLDivergence(LossFunctionWrapper):
    """The Kullback-Leibler divergence.

    The class form of `kullback_leibler_divergence`, with weighting and reduction.

    Arguments:
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, reduction=_SOBS, name='kullback_leibler_divergence'):
        super().__init__(kullback_leibler_divergence, reduction=reduction, name=name)


class Huber(LossFunctionWrapper):
    """The Huber loss: quadratic for small errors, linear beyond `delta`.

    The class form of `huber_loss`, with weighting and reduction.

    Arguments:
        delta: the error size where the loss turns linear.
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, delta=1.0, reduction=_SOBS, name='huber_loss'):
        super().__init__(huber_loss, reduction=reduction, name=name, delta=delta)


class CosineSimilarity(LossFunctionWrapper):
    """The negative cosine similarity along an axis.

    The class form of `cosine_proximity`, with weighting and reduction.

    Arguments:
        axis: the axis of the vectors.
        reduction: a `Reduction` key (default `'sum_over_batch_size'`).
        name: the loss's name.
    """

    def __init__(self, axis=-1, reduction=_SOBS, name='cosine_similarity'):
        super().__init__(cosine_proximity, reduction=reduction, name=name, axis=axis)


# -- identifiers ---------------------------------------------------------------------------

_FUNCTIONS = {f.__name__: f for f in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, squared_hinge, hinge, categorical_hinge, logcosh,
    huber_loss, categorical_crossentropy, sparse_categorical_crossentropy,
    binary_crossentropy, kullback_leibler_divergence, poisson, cosine_proximity)}
_FUNCTIONS.update(mse=mse, MSE=MSE, mae=mae, MAE=MAE, mape=mape, MAPE=MAPE, msle=msle, MSLE=MSLE,
                  kld=kld, KLD=KLD, cosine=cosine, cosine_similarity=cosine_similarity)
_CLASSES = {c.__name__: c for c in (
    LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, Hinge, SquaredHinge, CategoricalHinge, Poisson, LogCosh,
    KLDivergence, Huber, CosineSimilarity)}


def _module_objects():
    return dict(_FUNCTIONS, **_CLASSES)


def serialize(loss):
    """A loss as JSON-able data: a function by its name, a `Loss` instance as a
    dict `{'class_name': ..., 'config': ...}`.

    Arguments:
        loss: a loss function or `Loss` instance.

    Returns:
        A string or a dict.
    """
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """The loss function or `Loss` instance a name or dict stands for.

    Arguments:
        name: a function's name or a `{'class_name', 'config'}` dict.
        custom_objects: a dict mapping names to custom losses.

    Returns:
        A function or a `Loss` instance.

    Raises:
        ValueError: if the name is unknown.
    """
    return deserialize_keras_object(name, module_objects=_module_objects(),
                                    custom_objects=custom_objects,
                                    printable_module_name='loss function')


def get(identifier):
    """A loss from an identifier: None, a name, a serialized dict, a function or
    a `Loss` instance.

    Arguments:
        identifier: the identifier.

    Returns:
        The loss function or instance (None for None).

    Raises:
        ValueError: if the identifier cannot be interpreted.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f'Could not interpret loss function identifier: {identifier!r}')


def is_categorical_crossentropy(loss):
    """Whether a loss (name, function or `Loss` instance) is the categorical
    crossentropy.

    Arguments:
        loss: a name, a function or a `Loss` instance.

    Returns:
        A bool.
    """
    return (isinstance(loss, CategoricalCrossentropy) or
            (isinstance(loss, LossFunctionWrapper) and loss.fn is categorical_crossentropy) or
            getattr(loss, '__name__', None) == 'categorical_crossentropy' or
            loss == 'categorical_crossentropy')
