"""Helpers of the stateful metrics (Keras 2.3's keras/utils/metrics_utils.py):
reduction and confusion-matrix enums, threshold parsing, the confusion-matrix
update, and the graph plumbing that makes a metric's result read the values
its own update ops assign."""
from enum import Enum

import numpy as np

from .. import backend as K

NEG_INF = -1e10


class Reduction:
    """How a `Reduce` metric reduces its values: 'sum', 'sum_over_batch_size'
    (sum / number of values) or 'weighted_mean' (sum / sum of weights)."""
    SUM = 'sum'
    SUM_OVER_BATCH_SIZE = 'sum_over_batch_size'
    WEIGHTED_MEAN = 'weighted_mean'


class ConfusionMatrix(Enum):
    TRUE_POSITIVES = 'tp'
    FALSE_POSITIVES = 'fp'
    TRUE_NEGATIVES = 'tn'
    FALSE_NEGATIVES = 'fn'


class AUCCurve(Enum):
    """Type of AUC curve: ROC or PR (precision-recall)."""
    ROC = 'ROC'
    PR = 'PR'

    @staticmethod
    def from_str(key):
        if key in ('pr', 'PR'):
            return AUCCurve.PR
        if key in ('roc', 'ROC'):
            return AUCCurve.ROC
        raise ValueError(f'Invalid AUC curve value "{key}".')


class AUCSummationMethod(Enum):
    """Riemann summation of the AUC: 'interpolation' (trapezoid on ROC;
    Davis & Goadrich interpolation on PR), 'minoring' (lower sum) or
    'majoring' (upper sum)."""
    INTERPOLATION = 'interpolation'
    MAJORING = 'majoring'
    MINORING = 'minoring'

    @staticmethod
    def from_str(key):
        if key in ('interpolation', 'Interpolation'):
            return AUCSummationMethod.INTERPOLATION
        if key in ('majoring', 'Majoring'):
            return AUCSummationMethod.MAJORING
        if key in ('minoring', 'Minoring'):
            return AUCSummationMethod.MINORING
        raise ValueError(f'Invalid AUC summation method value "{key}".')


def to_list(x):
    if isinstance(x, list):
        return x
    if isinstance(x, tuple):
        return list(x)
    return [x]


def assert_thresholds_range(thresholds):
    if thresholds is not None:
        invalid = [t for t in thresholds if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f'Threshold values must be in [0, 1]. Invalid values: {invalid}')


def parse_init_thresholds(thresholds, default_threshold=0.5):
    """A list of floats: `thresholds` (a float or a list, each in [0, 1]) or
    [default_threshold]."""
    if thresholds is not None:
        assert_thresholds_range(to_list(thresholds))
    return [float(t) for t in to_list(default_threshold if thresholds is None else thresholds)]


# -- shapes of y_true / y_pred / sample_weight ------------------------------------------

def as_float(x, dtype=None):
    """x as a float tensor of `dtype` (floatx by default); arrays become constants."""
    dtype = dtype or K.floatx()
    if not K.is_tensor(x):
        return K.constant(np.asarray(x), dtype=dtype)
    return x if K.dtype(x) == dtype else K.cast(x, dtype)


def squeeze_or_expand_dimensions(y_pred, y_true=None, sample_weight=None):
    """Keras's rank alignment: drop a trailing size-1 axis of y_pred or y_true
    when their ranks differ by one; squeeze or expand sample_weight likewise
    so that it broadcasts against y_pred."""
    if y_true is not None:
        diff = K.ndim(y_pred) - K.ndim(y_true)
        if diff == 1 and K.int_shape(y_pred)[-1] == 1:
            y_pred = K.squeeze(y_pred, -1)
        elif diff == -1 and K.int_shape(y_true)[-1] == 1:
            y_true = K.squeeze(y_true, -1)
    if sample_weight is None:
        return y_pred, y_true
    w_rank = K.ndim(sample_weight)
    if w_rank:
        diff = w_rank - K.ndim(y_pred)
        if K.ndim(y_pred) == 0 and w_rank == 1:
            # A scalar loss (a custom loss that reduces) against per-sample
            # weights: the loss is one value every sample shares.
            y_pred = K.expand_dims(y_pred, -1)
        elif diff == 1 and K.int_shape(sample_weight)[-1] == 1:
            sample_weight = K.squeeze(sample_weight, -1)
        elif diff == -1:
            sample_weight = K.expand_dims(sample_weight, -1)
    return y_pred, y_true, sample_weight


def broadcast_weights(values, sample_weight):
    """sample_weight broadcast to the shape of values (Keras 2.3's
    losses_utils.broadcast_weights): trailing axes are added until the ranks
    match, so (batch,) weights scale every element of a (batch, h, w) loss
    (and a scalar loss made (1,) is shared by every weight); a ValueError
    names the shapes when they cannot broadcast."""
    values_shape, weights_shape = K.int_shape(values), K.int_shape(sample_weight)
    if len(weights_shape) > len(values_shape) or any(
            w is not None and v is not None and 1 not in (w, v) and w != v
            for w, v in zip(weights_shape, values_shape)):
        raise ValueError(f'sample_weight of shape {weights_shape} does not broadcast to '
                         f'values of shape {values_shape}')
    for axis in range(len(weights_shape), len(values_shape)):
        sample_weight = K.expand_dims(sample_weight, axis)
    return sample_weight * K.ones_like(values)


# -- confusion matrix ------------------------------------------------------------------

def _filter_top_k(x, k):
    """x with all but the k largest entries of the last axis set to NEG_INF
    (ties go to the lower index, as tf.nn.top_k)."""
    n = K.int_shape(x)[-1]
    if n is None:
        raise ValueError('metrics: top_k needs a known last dimension of y_pred, got shape '
                         f'{K.int_shape(x)}')
    xi = K.expand_dims(x, -1)        # (..., n, 1): entry i
    xj = K.expand_dims(x, -2)        # (..., 1, n): entry j
    before = K.constant(np.tril(np.ones((n, n)), -1))     # [i, j] = 1 where j < i
    ahead = K.cast(K.greater(xj, xi), K.floatx()) + \
        K.cast(K.equal(xj, xi), K.floatx()) * before
    rank = K.sum(ahead, axis=-1)     # how many entries come before entry i
    keep = K.cast(K.less(rank, float(k)), K.floatx())
    return x * keep + NEG_INF * (1. - keep)


def update_confusion_matrix_variables(variables_to_update, y_true, y_pred, thresholds,
                                      top_k=None, class_id=None, sample_weight=None):
    """Update ops adding the (weighted) counts of each condition at each
    threshold: a prediction is positive when y_pred > threshold, negative when
    y_pred <= threshold; a label is positive when y_true != 0.

    `variables_to_update` maps ConfusionMatrix members to (T,) variables.
    `top_k` keeps only the k largest predictions of the last axis positive;
    `class_id` restricts labels and predictions to that column."""
    if not variables_to_update:
        return []
    invalid = [k for k in variables_to_update if k not in list(ConfusionMatrix)]
    if invalid:
        raise ValueError(f'Invalid keys: {invalid}. Valid variable key options are: '
                         f'"{list(ConfusionMatrix)}"')
    y_true = as_float(y_true)
    y_pred = as_float(y_pred)
    if sample_weight is None:
        y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
    else:
        sample_weight = as_float(sample_weight)
        y_pred, y_true, sample_weight = squeeze_or_expand_dimensions(
            y_pred, y_true, sample_weight)
    if K.int_shape(y_pred) != K.int_shape(y_true) and not (
            len(K.int_shape(y_pred)) == len(K.int_shape(y_true)) and all(
                a is None or b is None or a == b
                for a, b in zip(K.int_shape(y_pred), K.int_shape(y_true)))):
        raise ValueError(f'metrics: y_pred of shape {K.int_shape(y_pred)} and y_true of '
                         f'shape {K.int_shape(y_true)} do not match')
    if sample_weight is not None:
        sample_weight = broadcast_weights(y_pred, sample_weight)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = y_true[..., class_id]
        y_pred = y_pred[..., class_id]
        if sample_weight is not None:
            sample_weight = sample_weight[..., class_id]
    thresholds = K.constant(np.asarray(to_list(thresholds), dtype=K.floatx())[:, None])
    preds = K.expand_dims(K.flatten(y_pred), 0)                           # (1, N)
    label_pos = K.expand_dims(K.cast(K.not_equal(K.flatten(y_true), 0.), K.floatx()), 0)
    pred_pos = K.cast(K.greater(preds, thresholds), K.floatx())           # (T, N)
    if sample_weight is not None:
        weights = K.expand_dims(K.flatten(sample_weight), 0)
        label_pos_w, label_neg_w = label_pos * weights, (1. - label_pos) * weights
    else:
        label_pos_w, label_neg_w = label_pos, 1. - label_pos
    counts = {
        ConfusionMatrix.TRUE_POSITIVES: lambda: K.sum(pred_pos * label_pos_w, axis=1),
        ConfusionMatrix.FALSE_NEGATIVES: lambda: K.sum((1. - pred_pos) * label_pos_w, axis=1),
        ConfusionMatrix.FALSE_POSITIVES: lambda: K.sum(pred_pos * label_neg_w, axis=1),
        ConfusionMatrix.TRUE_NEGATIVES: lambda: K.sum((1. - pred_pos) * label_neg_w, axis=1),
    }
    return [K.update_add(var, K.cast(counts[cond](), K.dtype(var)))
            for cond, var in variables_to_update.items()]


# -- results read after the updates ----------------------------------------------------

def read_after_updates(tensor, updates):
    """`tensor` rebuilt so that every variable an update op assigns is read as
    that op's new value: a compiled function then computes the result from
    the updated state in the same call (the executor applies assignments only
    after all outputs, so reading the variable would give the old state).
    The last update of a variable wins."""
    new_value = {}
    for u in updates:
        var = K.assigned_variable(u) if K.is_tensor(u) else None
        if var is not None:
            new_value[var.id] = u
    if not new_value or not K.is_tensor(tensor):
        return tensor
    rebuilt = {}
    order, stack, seen = [], [(tensor, False)], set()
    while stack:                      # iterative post-order over the result graph
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node.id in seen:
            continue
        seen.add(node.id)
        stack.append((node, True))
        if node.id not in new_value:
            stack.extend((i, False) for i in node.inputs)
    for node in order:
        if node.id in new_value:
            rebuilt[node.id] = new_value[node.id]
            continue
        inputs = [rebuilt.get(i.id, i) for i in node.inputs]
        if any(a is not b for a, b in zip(inputs, node.inputs)):
            rebuilt[node.id] = K.Tensor(node.op, inputs, node.attrs, node.shape, node.dtype)
    return rebuilt.get(tensor.id, tensor)


def needs_feed(tensors):
    """Whether any of the tensors depends on a placeholder without a default
    (so the ops are part of a model's graph rather than of concrete values)."""
    stack, seen = [t for t in tensors if K.is_tensor(t)], set()
    while stack:
        node = stack.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        if K.is_placeholder(node) and getattr(node, 'default', None) is None:
            return True
        stack.extend(node.inputs)
    return False


def run_updates(updates):
    """Apply update ops now (a metric updated with concrete values)."""
    updates = [u for u in updates if K.is_tensor(u)]
    if updates:
        K.function([], [], updates=updates)([])
