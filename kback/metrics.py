"""Keras 2.3 metric functions, identifier resolution, and `resolve`: what the
engine calls to turn each entry of `compile(metrics=[...])` into a display
name and a function.

A metric function takes `(y_true, y_pred)` and returns one value per sample
(floatx); the engine averages it over the batch and the epoch. Every loss
function is usable as a metric by name ('mse', 'binary_crossentropy', ...).
"""
from . import backend as K
from . import losses as _losses
from .losses import (mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
                     mean_squared_logarithmic_error, hinge, squared_hinge, categorical_hinge,
                     logcosh, huber_loss, categorical_crossentropy,
                     sparse_categorical_crossentropy, binary_crossentropy,
                     kullback_leibler_divergence, poisson)
from .utils.generic_utils import serialize_keras_object, deserialize_keras_object


def _float_pred(y_pred):
    if not K.is_tensor(y_pred):
        y_pred = K.constant(y_pred)
    if not K.dtype(y_pred).startswith('float'):
        y_pred = K.cast(y_pred, K.floatx())
    return y_pred


def accuracy(y_true, y_pred):
    """Elementwise exact equality (1.0 / 0.0); 'accuracy' in compile is resolved
    to the binary / categorical / sparse variant instead (see `resolve`)."""
    y_pred = _float_pred(y_pred)
    y_true = K.cast(y_true, K.dtype(y_pred))
    return K.cast(K.equal(y_true, y_pred), K.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean over the last axis of y_true == (y_pred > threshold); for the default
    threshold Keras rounds y_pred, which is the same on probabilities."""
    y_pred = _float_pred(y_pred)
    y_true = K.cast(y_true, K.dtype(y_pred))
    if threshold != 0.5:
        y_pred = K.cast(K.greater(y_pred, threshold), K.dtype(y_pred))
    else:
        y_pred = K.round(y_pred)
    return K.cast(K.mean(K.cast(K.equal(y_true, y_pred), K.dtype(y_pred)), axis=-1), K.floatx())


def categorical_accuracy(y_true, y_pred):
    """argmax(y_true) == argmax(y_pred) along the last axis."""
    return K.cast(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1)), K.floatx())


def sparse_categorical_accuracy(y_true, y_pred):
    """Integer labels (shape (n,) or (n, 1)) against argmax(y_pred)."""
    if K.ndim(y_true) == K.ndim(y_pred):
        y_true = K.squeeze(y_true, -1)
    labels = K.cast(K.argmax(y_pred, axis=-1), K.floatx())
    return K.cast(K.equal(K.cast(y_true, K.floatx()), labels), K.floatx())


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether argmax(y_true) is among the k largest of y_pred."""
    y_pred = _float_pred(y_pred)
    return K.cast(K.in_top_k(y_pred, K.argmax(y_true, axis=-1), k), K.floatx())


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether the integer label is among the k largest of y_pred."""
    y_pred = _float_pred(y_pred)
    return K.cast(K.in_top_k(y_pred, K.cast(K.flatten(y_true), 'int32'), k), K.floatx())


def cosine_proximity(y_true, y_pred, axis=-1):
    """Cosine similarity (positive: 1 for parallel vectors), as Keras 2.3's
    metrics module; the loss of the same name is its negative."""
    y_true, y_pred = _losses._prepare(y_true, y_pred)
    y_true = K.l2_normalize(y_true, axis=axis)
    y_pred = K.l2_normalize(y_pred, axis=axis)
    return K.sum(y_true * y_pred, axis=axis)


# Aliases, as Keras 2.3's metrics module defines them (plus kld / KLD).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_similarity = cosine_proximity


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
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, module_objects=dict(_FUNCTIONS),
                                    custom_objects=custom_objects,
                                    printable_module_name='metric function')


def get(identifier):
    """A name, a serialised dict or a callable -> the metric function."""
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f'Could not interpret metric function identifier: {identifier!r}')


def clone_metric(metric):
    """A fresh copy of a stateful metric object (one with `get_config`);
    metric functions and names are returned as they are."""
    if not callable(metric) or isinstance(metric, type) or not hasattr(metric, 'get_config'):
        return metric
    return type(metric).from_config(metric.get_config())


def clone_metrics(metrics):
    """clone_metric applied to each item of a list or values of a dict."""
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
    or the function's `__name__`."""
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
    goes through `get`."""
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
    Unknown names raise ValueError listing the known ones."""
    return metric_name(metric), metric_function(metric, loss_fn, output_shape)
