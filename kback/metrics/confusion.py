"""Confusion-matrix metrics (Keras 2.3): counts at thresholds, Precision,
Recall, sensitivity/specificity at a target, AUC, and MeanIoU.

A prediction is positive at threshold t when y_pred > t; a label is
positive when y_true != 0. All counts are sums of sample weights.
"""
import numpy as np

from .. import backend as K
from ..utils import metrics_utils
from ..utils.metrics_utils import ConfusionMatrix as CM, AUCCurve, AUCSummationMethod, as_float
from .base import Metric, div_no_nan


class _ConfusionMatrixConditionCount(Metric):
    """The count of one confusion-matrix condition at each threshold."""

    def __init__(self, confusion_matrix_cond, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._confusion_matrix_cond = confusion_matrix_cond
        self.init_thresholds = thresholds
        self.thresholds = metrics_utils.parse_init_thresholds(thresholds, default_threshold=0.5)
        self.accumulator = self.add_weight('accumulator', shape=(len(self.thresholds),),
                                           initializer='zeros')

    def update_state(self, y_true, y_pred, sample_weight=None):
        return metrics_utils.update_confusion_matrix_variables(
            {self._confusion_matrix_cond: self.accumulator}, y_true, y_pred,
            thresholds=self.thresholds, sample_weight=sample_weight)

    def result(self):
        if len(self.thresholds) == 1:
            return self.accumulator[0]
        return K.identity(self.accumulator)

    def get_config(self):
        config = {'thresholds': self.init_thresholds}
        config.update(super().get_config())
        return config


class FalsePositives(_ConfusionMatrixConditionCount):
    """The weighted count of negatives predicted positive.

    Arguments:
        thresholds: a float in [0, 1] or a list of them (default 0.5): a
            prediction above the threshold counts as positive; the result has
            one value per threshold.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(CM.FALSE_POSITIVES, thresholds=thresholds, name=name, dtype=dtype)


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The weighted count of positives predicted negative.

    Arguments:
        thresholds: a float in [0, 1] or a list of them (default 0.5): a
            prediction above the threshold counts as positive; the result has
            one value per threshold.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(CM.FALSE_NEGATIVES, thresholds=thresholds, name=name, dtype=dtype)


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The weighted count of negatives predicted negative.

    Arguments:
        thresholds: a float in [0, 1] or a list of them (default 0.5): a
            prediction above the threshold counts as positive; the result has
            one value per threshold.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(CM.TRUE_NEGATIVES, thresholds=thresholds, name=name, dtype=dtype)


class TruePositives(_ConfusionMatrixConditionCount):
    """The weighted count of positives predicted positive.

    Arguments:
        thresholds: a float in [0, 1] or a list of them (default 0.5): a
            prediction above the threshold counts as positive; the result has
            one value per threshold.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(CM.TRUE_POSITIVES, thresholds=thresholds, name=name, dtype=dtype)


class _PrecisionRecall(Metric):
    """tp / (tp + <other>) at each threshold; with `top_k` only the k largest
    predictions of the last axis may be positive (threshold -inf by default),
    with `class_id` only that column counts."""
    _other = None

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = metrics_utils.NEG_INF if top_k is not None else 0.5
        self.thresholds = metrics_utils.parse_init_thresholds(thresholds,
                                                              default_threshold=default)
        n = len(self.thresholds)
        self.true_positives = self.add_weight('true_positives', shape=(n,),
                                              initializer='zeros')
        setattr(self, self._other, self.add_weight(self._other, shape=(n,),
                                                   initializer='zeros'))

    def update_state(self, y_true, y_pred, sample_weight=None):
        other = CM.FALSE_POSITIVES if self._other == 'false_positives' else CM.FALSE_NEGATIVES
        return metrics_utils.update_confusion_matrix_variables(
            {CM.TRUE_POSITIVES: self.true_positives, other: getattr(self, self._other)},
            y_true, y_pred, thresholds=self.thresholds, top_k=self.top_k,
            class_id=self.class_id, sample_weight=sample_weight)

    def result(self):
        tp = self.true_positives
        value = div_no_nan(tp, tp + getattr(self, self._other))
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        config = {'thresholds': self.init_thresholds, 'top_k': self.top_k,
                  'class_id': self.class_id}
        config.update(super().get_config())
        return config


class Precision(_PrecisionRecall):
    """Precision: `tp / (tp + fp)`, the share of positive predictions that are
    right.

    Arguments:
        thresholds: a float in [0, 1] or a list of them (default 0.5): a
            prediction above the threshold counts as positive; the result has
            one value per threshold.
        top_k: if given, only the `k` largest predictions of a sample count as
            positive.
        class_id: if given, only that class (column) is counted.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).

    Example::

        model.compile('sgd', loss='binary_crossentropy',
                      metrics=[kback.metrics.Precision()])
    """
    _other = 'false_positives'


class Recall(_PrecisionRecall):
    """Recall: `tp / (tp + fn)`, the share of positives that are predicted.

    Arguments:
        thresholds: a float in [0, 1] or a list of them (default 0.5): a
            prediction above the threshold counts as positive; the result has
            one value per threshold.
        top_k: if given, only the `k` largest predictions of a sample count as
            positive.
        class_id: if given, only that class (column) is counted.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """
    _other = 'false_negatives'


def _even_thresholds(num_thresholds):
    """num_thresholds points 0, 1/(n-1), ..., 1 (0.5 alone when n == 1)."""
    if num_thresholds == 1:
        return [0.5]
    inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [0.0] + inner + [1.0]


class SensitivitySpecificityBase(Metric):
    """Base of the metrics that read one rate at the threshold where another
    rate is closest to a value.

    The counts are kept at `num_thresholds` evenly spaced thresholds in [0, 1].

    Arguments:
        value: the target value of the other rate.
        num_thresholds: the number of thresholds.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).

    Raises:
        ValueError: if `num_thresholds` < 1.
    """

    def __init__(self, value, num_thresholds=200, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError('`num_thresholds` must be > 0.')
        self.value = value
        self.num_thresholds = num_thresholds
        self.thresholds = _even_thresholds(num_thresholds)
        for name in ('true_positives', 'true_negatives', 'false_positives', 'false_negatives'):
            setattr(self, name, self.add_weight(name, shape=(num_thresholds,),
                                                initializer='zeros'))

    def update_state(self, y_true, y_pred, sample_weight=None):
        return metrics_utils.update_confusion_matrix_variables(
            {CM.TRUE_POSITIVES: self.true_positives, CM.TRUE_NEGATIVES: self.true_negatives,
             CM.FALSE_POSITIVES: self.false_positives, CM.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, thresholds=self.thresholds, sample_weight=sample_weight)

    def _at_closest(self, rates, num, other):
        """num / (num + other) at the threshold whose `rates` is closest to
        self.value (the first such threshold)."""
        index = K.cast(K.argmin(K.abs(rates - self.value), axis=0), 'int32')
        a, b = K.gather(num, index), K.gather(other, index)
        return div_no_nan(a, a + b)


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The sensitivity `tp / (tp + fn)` at the threshold whose specificity
    `tn / (tn + fp)` is closest to `specificity`.

    Arguments:
        specificity: a float in [0, 1].
        num_thresholds: the number of thresholds.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).

    Raises:
        ValueError: if `specificity` is outside [0, 1] or `num_thresholds` < 1.
    """

    def __init__(self, specificity, num_thresholds=200, name=None, dtype=None):
        if specificity < 0 or specificity > 1:
            raise ValueError('`specificity` must be in the range [0, 1].')
        self.specificity = specificity
        super().__init__(specificity, num_thresholds=num_thresholds, name=name, dtype=dtype)

    def result(self):
        tn, fp = self.true_negatives, self.false_positives
        return self._at_closest(div_no_nan(tn, tn + fp), self.true_positives,
                                self.false_negatives)

    def get_config(self):
        config = {'num_thresholds': self.num_thresholds, 'specificity': self.specificity}
        config.update(super().get_config())
        return config


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The specificity `tn / (tn + fp)` at the threshold whose sensitivity
    `tp / (tp + fn)` is closest to `sensitivity`.

    Arguments:
        sensitivity: a float in [0, 1].
        num_thresholds: the number of thresholds.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).

    Raises:
        ValueError: if `sensitivity` is outside [0, 1] or `num_thresholds` < 1.
    """

    def __init__(self, sensitivity, num_thresholds=200, name=None, dtype=None):
        if sensitivity < 0 or sensitivity > 1:
            raise ValueError('`sensitivity` must be in the range [0, 1].')
        self.sensitivity = sensitivity
        super().__init__(sensitivity, num_thresholds=num_thresholds, name=name, dtype=dtype)

    def result(self):
        tp, fn = self.true_positives, self.false_negatives
        return self._at_closest(div_no_nan(tp, tp + fn), self.true_negatives,
                                self.false_positives)

    def get_config(self):
        config = {'num_thresholds': self.num_thresholds, 'sensitivity': self.sensitivity}
        config.update(super().get_config())
        return config


class AUC(Metric):
    """The area under the ROC or precision-recall curve.

    Computed by a Riemann sum over thresholds: `num_thresholds` evenly spaced
    in (0, 1), or the given `thresholds`, plus the end points `-epsilon` and
    `1 + epsilon`.

    Arguments:
        num_thresholds: the number of thresholds (> 1).
        curve: `'ROC'` or `'PR'`.
        summation_method: `'interpolation'` (trapezoids; for PR, interpolated
            as Davis and Goadrich), `'minoring'` or `'majoring'`.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
        thresholds: an explicit list of thresholds in [0, 1] (then
            `num_thresholds` is ignored).

    Raises:
        ValueError: for an unknown curve or summation method, or thresholds
            out of range.
    """

    def __init__(self, num_thresholds=200, curve='ROC', summation_method='interpolation',
                 name=None, dtype=None, thresholds=None):
        self.curve = curve if isinstance(curve, AUCCurve) else AUCCurve.from_str(curve)
        self.summation_method = summation_method \
            if isinstance(summation_method, AUCSummationMethod) \
            else AUCSummationMethod.from_str(summation_method)
        if thresholds is not None:
            metrics_utils.assert_thresholds_range(metrics_utils.to_list(thresholds))
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(float(t) for t in thresholds)
        else:
            if num_thresholds <= 1:
                raise ValueError('`num_thresholds` must be > 1.')
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
        self.thresholds = [0.0 - K.epsilon()] + thresholds + [1.0 + K.epsilon()]
        super().__init__(name=name, dtype=dtype)
        n = self.num_thresholds
        for name in ('true_positives', 'true_negatives', 'false_positives', 'false_negatives'):
            setattr(self, name, self.add_weight(name, shape=(n,), initializer='zeros'))

    def update_state(self, y_true, y_pred, sample_weight=None):
        return metrics_utils.update_confusion_matrix_variables(
            {CM.TRUE_POSITIVES: self.true_positives, CM.TRUE_NEGATIVES: self.true_negatives,
             CM.FALSE_POSITIVES: self.false_positives, CM.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, self.thresholds, sample_weight=sample_weight)

    def interpolate_pr_auc(self):
        """PR-AUC with tp and fp (not precision) linear between thresholds
        (Davis & Goadrich 2006): on each interval precision is
        (tp_a + slope * (p - p_a)) / p, integrated in closed form."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = div_no_nan(dtp, K.maximum(dp, 0.))
        intercept = tp[1:] - slope * p[1:]
        both = K.cast(K.greater(p[:-1], 0.), self.dtype) * K.cast(K.greater(p[1:], 0.),
                                                                   self.dtype)
        ratio = K.switch(K.greater(both, 0.), div_no_nan(p[:-1], K.maximum(p[1:], 0.)),
                         K.ones_like(p[1:]))
        numer = slope * (dtp + intercept * K.log(ratio))
        return K.sum(K.switch(K.greater(numer, 0.),
                              div_no_nan(numer, K.maximum(tp[1:] + fn[1:], 0.)),
                              K.zeros_like(numer)))

    def result(self):
        if self.curve == AUCCurve.PR and \
                self.summation_method == AUCSummationMethod.INTERPOLATION:
            return self.interpolate_pr_auc()
        tp, fp = self.true_positives, self.false_positives
        recall = div_no_nan(tp, tp + self.false_negatives)
        if self.curve == AUCCurve.ROC:
            x, y = div_no_nan(fp, fp + self.true_negatives), recall
        else:
            x, y = recall, div_no_nan(tp, tp + fp)
        if self.summation_method == AUCSummationMethod.INTERPOLATION:
            heights = (y[:-1] + y[1:]) / 2.
        elif self.summation_method == AUCSummationMethod.MINORING:
            heights = K.minimum(y[:-1], y[1:])
        else:
            heights = K.maximum(y[:-1], y[1:])
        return K.sum((x[:-1] - x[1:]) * heights)

    def get_config(self):
        config = {'num_thresholds': self.num_thresholds, 'curve': self.curve.value,
                  'summation_method': self.summation_method.value,
                  # Without the end points, so that from_config rebuilds the same list.
                  'thresholds': self.thresholds[1:-1]}
        config.update(super().get_config())
        return config


class MeanIoU(Metric):
    """The mean intersection-over-union of the classes of a segmentation.

    Computed from a running confusion matrix; classes never seen nor
    predicted are left out of the mean.

    Arguments:
        num_classes: the number of classes.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, num_classes, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = int(num_classes)
        self.total_cm = self.add_weight('total_confusion_matrix',
                                        shape=(self.num_classes, self.num_classes),
                                        initializer='zeros')

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = K.cast(K.flatten(as_float(y_true, self.dtype)), 'int32')
        y_pred = K.cast(K.flatten(as_float(y_pred, self.dtype)), 'int32')
        rows = K.one_hot(y_true, self.num_classes)
        if sample_weight is not None:
            weights = K.flatten(as_float(sample_weight, self.dtype))
            rows = rows * K.expand_dims(weights * K.ones_like(K.cast(y_true, self.dtype)), -1)
        current = K.dot(K.transpose(rows), K.one_hot(y_pred, self.num_classes))
        return [K.update_add(self.total_cm, K.cast(current, self.dtype))]

    def result(self):
        cm = self.total_cm
        predicted = K.sum(cm, axis=0)
        actual = K.sum(cm, axis=1)
        diag = K.sum(cm * K.constant(np.eye(self.num_classes), dtype=self.dtype), axis=1)
        union = predicted + actual - diag
        valid = K.sum(K.cast(K.not_equal(union, 0.), self.dtype))
        return div_no_nan(K.sum(div_no_nan(diag, union)), valid)

    def get_config(self):
        config = {'num_classes': self.num_classes}
        config.update(super().get_config())
        return config
