"""Keras 2.3 metrics: the metric functions (functions.py), the stateful
metric classes (base.py, confusion.py), identifier resolution, and what the
engine calls to turn each entry of `compile(metrics=[...])` into a `Metric`
object (`resolve`, `to_metric`).
"""
from .. import losses as _losses
from ..utils.generic_utils import serialize_keras_object, deserialize_keras_object
from .functions import (accuracy, binary_accuracy, categorical_accuracy,  # noqa: F401
                        sparse_categorical_accuracy, top_k_categorical_accuracy,
                        sparse_top_k_categorical_accuracy, cosine_proximity,
                        mean_squared_error, mean_absolute_error,
                        mean_absolute_percentage_error, mean_squared_logarithmic_error,
                        hinge, squared_hinge, categorical_hinge, logcosh, huber_loss,
                        categorical_crossentropy, sparse_categorical_crossentropy,
                        binary_crossentropy, kullback_leibler_divergence, poisson,
                        mse, MSE, mae, MAE, mape, MAPE, msle, MSLE, kld, KLD, cosine,
                        cosine_similarity)
from .base import (Metric, Reduce, Sum, Mean, MeanMetricWrapper, Accuracy,  # noqa: F401
                   BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                   TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
                   MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
                   Hinge, SquaredHinge, CategoricalHinge, RootMeanSquaredError, LogCoshError,
                   Poisson, KLDivergence, CosineSimilarity, BinaryCrossentropy,
                   CategoricalCrossentropy, SparseCategoricalCrossentropy)
from .confusion import (TruePositives, TrueNegatives, FalsePositives,  # noqa: F401
                        FalseNegatives, Precision, Recall, AUC, SensitivitySpecificityBase,
                        SensitivityAtSpecificity, SpecificityAtSensitivity, MeanIoU)

_CLASSES = {c.__name__: c for c in (
    Metric, Reduce, Sum, Mean, MeanMetricWrapper, Accuracy, BinaryAccuracy,
    CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Hinge, SquaredHinge,
    CategoricalHinge, RootMeanSquaredError, LogCoshError, Poisson, KLDivergence,
    CosineSimilarity, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, TruePositives, TrueNegatives, FalsePositives,
    FalseNegatives, Precision, Recall, AUC, SensitivityAtSpecificity,
    SpecificityAtSensitivity, MeanIoU)}

_FUNCTIONS = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, cosine_proximity,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, hinge, squared_hinge, categorical_hinge, logcosh,
    huber_loss, categorical_crossentropy, sparse_categorical_crossentropy,
    binary_crossentropy, kullback_leibler_divergence, poisson)}
_FUNCTIONS.update(mse=mse, MSE=MSE, mae=mae, MAE=MAE, mape=mape, MAPE=MAPE, msle=msle, MSLE=MSLE,
                  kld=kld, KLD=KLD, cosine=cosine, cosine_similarity=cosine_similarity)


def serialize(metric):
    """A metric as JSON-able data: a function by its name, a `Metric` instance
    as a dict `{'class_name': ..., 'config': ...}`.

    Arguments:
        metric: a function or a `Metric` instance.

    Returns:
        A string or a dict.
    """
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """The metric function or `Metric` instance a name or dict stands for.

    Arguments:
        config: a name or a `{'class_name', 'config'}` dict.
        custom_objects: a dict mapping names to custom metrics.

    Returns:
        A function or a `Metric` instance.

    Raises:
        ValueError: if the name is unknown.
    """
    return deserialize_keras_object(config, module_objects=dict(_FUNCTIONS, **_CLASSES),
                                    custom_objects=custom_objects,
                                    printable_module_name='metric function')


def get(identifier):
    """A metric from a name, a serialized dict or a callable.

    A class name gives an instance with the default arguments.

    Arguments:
        identifier: the identifier.

    Returns:
        A metric function or `Metric` instance.

    Raises:
        ValueError: if the identifier cannot be interpreted.
    """
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f'Could not interpret metric function identifier: {identifier!r}')


def clone_metric(metric):
    """A fresh copy (with new state) of a `Metric` instance; functions and names
    are returned as they are.

    Arguments:
        metric: a `Metric` instance, a function or a name.

    Returns:
        A new `Metric` instance, or `metric` itself.
    """
    if not isinstance(metric, Metric):
        return metric
    if type(metric) is MeanMetricWrapper:
        return MeanMetricWrapper(metric._fn, metric.name, metric.dtype, **metric._fn_kwargs)
    return type(metric).from_config(metric.get_config())


def clone_metrics(metrics):
    """`clone_metric` applied to each item of a list, or each value of a dict.

    Arguments:
        metrics: a list or dict of metrics, or None.

    Returns:
        A list or dict of the same shape (None for None).
    """
    if metrics is None:
        return None
    if isinstance(metrics, dict):
        return {key: clone_metric(value) for key, value in metrics.items()}
    return [clone_metric(metric) for metric in metrics]


# -- what compile(metrics=...) means ----------------------------------------------------

_ACCURACY = ('accuracy', 'acc')
_CROSSENTROPY = ('crossentropy', 'ce')


def _loss_function(loss_fn):
    """The plain function behind a loss given as name, function or Loss instance."""
    if isinstance(loss_fn, str):
        try:
            loss_fn = _losses.get(loss_fn)
        except ValueError:
            return None
    if isinstance(loss_fn, _losses.LossFunctionWrapper):
        return loss_fn.fn
    return loss_fn


def metric_name(metric):
    """The name a metric is logged under: what the user wrote when a string
    ('acc' stays 'acc', 'accuracy' stays 'accuracy'), else the object's `name`
    or the function's `__name__`.

    Arguments:
        metric: a name, a function or a `Metric` instance.

    Returns:
        A string.
    """
    if isinstance(metric, str):
        return metric
    fn = get(metric)
    name = getattr(fn, 'name', None)
    if isinstance(name, str):
        return name
    return getattr(fn, '__name__', type(fn).__name__)


def metric_function(metric, loss_fn=None, output_shape=None):
    """Keras 2.3's training_utils.get_metric_function: 'accuracy'/'acc' and
    'crossentropy'/'ce' pick the binary variant when the output's last dim is 1
    or the loss is binary crossentropy, the sparse variant when the loss is
    sparse categorical crossentropy, else the categorical one; anything else
    goes through `get`.

    Arguments:
        metric: an entry of `compile`'s `metrics`.
        loss_fn: the output's loss as the user gave it, or None.
        output_shape: the output's static shape, or None.

    Returns:
        A metric function or `Metric` instance.

    Raises:
        ValueError: if the metric cannot be interpreted.
    """
    if not (isinstance(metric, str) and metric in _ACCURACY + _CROSSENTROPY):
        return get(metric)
    fn = _loss_function(loss_fn)
    is_binary = (isinstance(loss_fn, _losses.BinaryCrossentropy) or
                 fn is _losses.binary_crossentropy)
    is_sparse = (isinstance(loss_fn, _losses.SparseCategoricalCrossentropy) or
                 fn is _losses.sparse_categorical_crossentropy)
    last_dim = output_shape[-1] if output_shape else None
    if metric in _ACCURACY:
        if last_dim == 1 or is_binary:
            return binary_accuracy
        if is_sparse:
            return sparse_categorical_accuracy
        return categorical_accuracy
    if last_dim == 1 or is_binary:
        return binary_crossentropy
    if is_sparse:
        return sparse_categorical_crossentropy
    return categorical_crossentropy


def resolve(metric, loss_fn=None, output_shape=None):
    """(display_name, fn) for one entry of compile's `metrics` on one output.

    `loss_fn` is that output's loss as the user gave it (name, function or Loss
    instance); `output_shape` the output's static shape (e.g. (None, 10)).
    Unknown names raise ValueError listing the known ones.

    Arguments:
        metric: an entry of `compile`'s `metrics`.
        loss_fn: the output's loss as the user gave it.
        output_shape: the output's static shape.

    Returns:
        A tuple `(display_name, fn)`.
    """
    return metric_name(metric), metric_function(metric, loss_fn, output_shape)


def to_metric(metric, loss_fn=None, output_shape=None):
    """The Metric object for one entry of compile's `metrics` on one output:
    a Metric instance as it is; a name, dict or function wrapped in a
    `MeanMetricWrapper` named as `metric_name` says (a string naming a
    Metric class, or a serialised Metric, gives that class's instance).

    Arguments:
        metric: an entry of `compile`'s `metrics`.
        loss_fn: the output's loss as the user gave it, or None.
        output_shape: the output's static shape, or None.

    Returns:
        A `Metric` instance.

    Raises:
        ValueError: if the metric cannot be interpreted.
    """
    if isinstance(metric, Metric):
        return metric
    fn = metric_function(metric, loss_fn, output_shape)
    if isinstance(fn, Metric):
        return fn
    if isinstance(fn, type) and issubclass(fn, Metric):
        return fn()
    name = metric if isinstance(metric, str) else \
        getattr(fn, 'name', None) if isinstance(getattr(fn, 'name', None), str) else \
        getattr(fn, '__name__', type(fn).__name__)
    return MeanMetricWrapper(fn, name=name)
