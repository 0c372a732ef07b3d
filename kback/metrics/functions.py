"""Keras 2.3 metric functions.

A metric function takes `(y_true, y_pred)` and returns one value per sample
(floatx); compile wraps it in a `MeanMetricWrapper`, a running mean. Every loss
function is usable as a metric by name ('mse', 'binary_crossentropy', ...).
"""
from .. import backend as K
from .. import losses as _losses
from ..losses import (mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
                      mean_squared_logarithmic_error, hinge, squared_hinge, categorical_hinge,
                      logcosh, huber_loss, categorical_crossentropy,
                      sparse_categorical_crossentropy, binary_crossentropy,
                      kullback_leibler_divergence, poisson)


def _float_pred(y_pred):
    if not K.is_tensor(y_pred):
        y_pred = K.constant(y_pred)
    if not K.dtype(y_pred).startswith('float'):
        y_pred = K.cast(y_pred, K.floatx())
    return y_pred


def accuracy(y_true, y_pred):
    """Whether each prediction equals its target exactly (1.0 or 0.0).

    In `compile(metrics=['accuracy'])` the name is resolved to the binary,
    categorical or sparse variant that fits the loss and output instead.

    Arguments:
        y_true: the targets.
        y_pred: the predictions.

    Returns:
        A float tensor of the shape of `y_pred`.
    """
    y_pred = _float_pred(y_pred)
    y_true = K.cast(y_true, K.dtype(y_pred))
    return K.cast(K.equal(y_true, y_pred), K.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """The mean over the last axis of `y_true == (y_pred > threshold)`.

    Arguments:
        y_true: the 0/1 targets.
        y_pred: the predicted probabilities.
        threshold: the probability above which a prediction is 1.

    Returns:
        A tensor of per-sample accuracies.
    """
    y_pred = _float_pred(y_pred)
    y_true = K.cast(y_true, K.dtype(y_pred))
    if threshold != 0.5:
        y_pred = K.cast(K.greater(y_pred, threshold), K.dtype(y_pred))
    else:
        y_pred = K.round(y_pred)
    return K.cast(K.mean(K.cast(K.equal(y_true, y_pred), K.dtype(y_pred)), axis=-1), K.floatx())


def categorical_accuracy(y_true, y_pred):
    """Whether the argmax of the prediction equals that of the one-hot target.

    Arguments:
        y_true: the targets.
        y_pred: the predictions.

    Returns:
        A float tensor of per-sample values (1.0 or 0.0).
    """
    return K.cast(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1)), K.floatx())


def sparse_categorical_accuracy(y_true, y_pred):
    """Whether the argmax of the prediction equals the integer target.

    Arguments:
        y_true: the integer labels, `(batch,)` or `(batch, 1)`.
        y_pred: the predictions, `(batch, classes)`.

    Returns:
        A float tensor of per-sample values (1.0 or 0.0).
    """
    if K.ndim(y_true) == K.ndim(y_pred):
        y_true = K.squeeze(y_true, -1)
    labels = K.cast(K.argmax(y_pred, axis=-1), K.floatx())
    return K.cast(K.equal(K.cast(y_true, K.floatx()), labels), K.floatx())


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether the one-hot target's class is among the `k` largest predictions.

    Arguments:
        y_true: the targets.
        y_pred: the predictions.
        k: the number of top predictions considered.

    Returns:
        A float tensor of per-sample values (1.0 or 0.0).
    """
    y_pred = _float_pred(y_pred)
    return K.cast(K.in_top_k(y_pred, K.argmax(y_true, axis=-1), k), K.floatx())


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether the integer target is among the `k` largest predictions.

    Arguments:
        y_true: the integer labels.
        y_pred: the predictions, `(batch, classes)`.
        k: the number of top predictions considered.

    Returns:
        A float tensor of per-sample values (1.0 or 0.0).
    """
    y_pred = _float_pred(y_pred)
    return K.cast(K.in_top_k(y_pred, K.cast(K.flatten(y_true), 'int32'), k), K.floatx())


def cosine_proximity(y_true, y_pred, axis=-1):
    """The cosine similarity of targets and predictions along an axis.

    Positive (1 for parallel vectors), as in Keras 2.3's metrics module; the
    loss of the same name is its negative.

    Arguments:
        y_true: the targets.
        y_pred: the predictions.
        axis: the axis of the vectors.

    Returns:
        A tensor of per-sample values.
    """
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
