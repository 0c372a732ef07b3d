"""Stateful metrics (Keras 2.3): `Metric`, the reductions `Sum` / `Mean`, and
`MeanMetricWrapper` with the classes that wrap the metric functions.

A metric's state lives in variables made by `add_weight`; `update_state`
returns `assign` ops. Called on a model's tensors (placeholders), the ops
become part of the compiled train/test functions; called on concrete values
(numpy arrays, lists), they are applied at once, so the standalone usage
`m.update_state([1, 3, 5, 7]); K.eval(m.result())` works.
"""
import functools

import numpy as np

from .. import backend as K
from ..engine.base_layer import Layer, to_snake_case
from ..utils import metrics_utils
from ..utils.metrics_utils import Reduction, as_float
from . import functions as F


def div_no_nan(a, b):
    """a / b, 0 where b == 0 (arithmetic masks: no select op in the graph)."""
    zero = K.cast(K.equal(b, 0.), K.dtype(b))
    return a * (1. - zero) / (b + zero)


def _wrap_update_state(fn):
    """The outermost update_state call of a metric collects its update ops
    (returned, or added with add_update) and, on concrete values, runs them."""
    @functools.wraps(fn)
    def update_state(self, *args, **kwargs):
        """Accumulates the statistics of a batch.

        Arguments:
            *args: the values (`y_true, y_pred` for most metrics).
            **kwargs: `sample_weight`, the per-sample weights.

        Returns:
            The update ops (run at once on concrete values).

        Raises:
            NotImplementedError: in the base class.
        """
        depth = self.__dict__.get('_update_depth', 0)
        seen = len(self._updates)
        self._update_depth = depth + 1
        try:
            returned = fn(self, *args, **kwargs)
        finally:
            self._update_depth = depth
        ops = [] if returned is None else metrics_utils.to_list(returned)
        added = self._updates[seen:]
        if depth:
            return ops + [u for u in added if not any(u is o for o in ops)]
        del self._updates[seen:]
        ops = [u for u in ops if u is not None]
        ops += [u for u in added if not any(u is o for o in ops)]
        self._last_update_eager = not metrics_utils.needs_feed(ops)
        if self._last_update_eager:
            metrics_utils.run_updates(ops)
        return ops
    update_state._metric_wrapped = True
    return update_state


class Metric(Layer):
    """Base class of the stateful metrics, which accumulate over batches.

    A subclass creates its state in `__init__` with
    `self.add_weight(name, shape=(), initializer='zeros')`, returns update ops
    (`K.update_add(...)`) from `update_state(y_true, y_pred, sample_weight=None)`
    and computes its value from the state in `result()`. Calling the instance
    updates the state and returns the result.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
        **kwargs: the standard layer arguments.

    Example::

        m = kback.metrics.Mean()
        m.update_state([1., 3.])
        m.update_state([5.])
        K.eval(m.result())      # 3.0
    """
    _tracked_as_sublayer = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        fn = cls.__dict__.get('update_state')
        if fn is not None and not getattr(fn, '_metric_wrapped', False):
            cls.update_state = _wrap_update_state(fn)

    def __init__(self, name=None, dtype=None, **kwargs):
        # The class's snake_case name (model.compile makes names unique).
        super().__init__(name=name or to_snake_case(type(self).__name__), dtype=dtype,
                         **kwargs)
        self.stateful = True
        self.built = True
        self.dtype = dtype or K.floatx()

    def __call__(self, *args, **kwargs):
        """Accumulates the statistics, then returns the result tensor.

        In a compiled function the result reads the state after this call's
        updates.
        """
        return self.call_with_updates(*args, **kwargs)[0]

    def call_with_updates(self, *args, **kwargs):
        """The result tensor and the update ops of one `update_state` call (what
        `model.compile` puts into the training and test functions).

        Returns:
            A tuple `(result, update_ops)`.
        """
        ops = self.update_state(*args, **kwargs)
        result = self.result()
        if K.is_variable(result):
            result = K.identity(result)
        if not self.__dict__.get('_last_update_eager', False):
            result = metrics_utils.read_after_updates(result, ops)
        result._metric_obj = self
        result._metric_updates = ops      # what add_metric(result) adds to the train step
        return result, ops

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f'{type(self).__name__} must implement update_state')

    def result(self):
        """The metric's value computed from its state, as a tensor.

        Raises:
            NotImplementedError: in the base class.
        """
        raise NotImplementedError(f'{type(self).__name__} must implement result')

    def reset_states(self):
        """Sets every state variable back to zeros."""
        K.batch_set_value([(v, np.zeros(K.int_shape(v))) for v in self.weights])

    @property
    def variables(self):
        """The metric's state variables."""
        return self.weights

    def get_config(self):
        """The metric's configuration: the arguments that make it again."""
        return {'name': self.name, 'dtype': self.dtype}

    def add_weight(self, name, shape=(), initializer=None, dtype=None):
        """Makes a non-trainable state variable.

        Arguments:
            name: the variable's name.
            shape: its shape (a scalar by default).
            initializer: its initializer (default zeros).
            dtype: its dtype (default: the metric's).

        Returns:
            The variable.
        """
        return super().add_weight(name=name, shape=shape,
                                  dtype=self.dtype if dtype is None else dtype,
                                  initializer=initializer or 'zeros', trainable=False)


class Reduce(Metric):
    """Reduces the (weighted) values it is given over all batches.

    Arguments:
        reduction: a `kback.utils.metrics_utils.Reduction` key: `'sum'`,
            `'sum_over_batch_size'` or `'weighted_mean'`.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, reduction, name, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if reduction not in (Reduction.SUM, Reduction.SUM_OVER_BATCH_SIZE,
                             Reduction.WEIGHTED_MEAN):
            raise ValueError(f'Reduce: unknown reduction {reduction!r}')
        self.reduction = reduction
        self.total = self.add_weight('total', initializer='zeros')
        if reduction != Reduction.SUM:
            self.count = self.add_weight('count', initializer='zeros')

    def update_state(self, values, sample_weight=None):
        """Adds a batch of values (weighted by `sample_weight`, which broadcasts to
        them) to the state.

        Arguments:
            values: a tensor or array.
            sample_weight: None, or weights that broadcast to `values`.

        Returns:
            The update ops.
        """
        values = as_float(values, self.dtype)
        if sample_weight is not None:
            sample_weight = as_float(sample_weight, self.dtype)
            values, _, sample_weight = metrics_utils.squeeze_or_expand_dimensions(
                values, None, sample_weight)
            sample_weight = metrics_utils.broadcast_weights(values, sample_weight)
            values = values * sample_weight
        ops = [K.update_add(self.total, K.sum(values))]
        if self.reduction == Reduction.SUM:
            return ops
        if self.reduction == Reduction.SUM_OVER_BATCH_SIZE or sample_weight is None:
            count = K.cast(K.size(values), self.dtype)
        else:
            count = K.sum(sample_weight)
        return ops + [K.update_add(self.count, count)]

    def result(self):
        if self.reduction == Reduction.SUM:
            return K.identity(self.total)
        return div_no_nan(self.total, self.count)


class Sum(Reduce):
    """The (weighted) sum of all the values it is given.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, name='sum', dtype=None):
        super().__init__(Reduction.SUM, name=name, dtype=dtype)


class Mean(Reduce):
    """The (weighted) mean of all the values it is given: `sum(w * v) / sum(w)`.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, name='mean', dtype=None):
        super().__init__(Reduction.WEIGHTED_MEAN, name=name, dtype=dtype)


class MeanMetricWrapper(Mean):
    """The running (weighted) mean of a metric function over all samples seen.

    Arguments:
        fn: a function `fn(y_true, y_pred, **kwargs)` returning per-sample
            values.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
        **kwargs: keyword arguments passed to `fn`.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, '__name__', None) or 'mean_metric_wrapper',
                         dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds a batch's per-sample values of the function to the running mean.

        Arguments:
            y_true: the targets.
            y_pred: the predictions.
            sample_weight: optional per-sample weights.

        Returns:
            The update ops.
        """
        y_true = as_float(y_true, self.dtype)
        y_pred = as_float(y_pred, self.dtype)
        y_pred, y_true = metrics_utils.squeeze_or_expand_dimensions(y_pred, y_true)
        matches = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(matches, sample_weight=sample_weight)

    def get_config(self):
        config = {k: (K.eval(v) if K.is_tensor(v) else v) for k, v in self._fn_kwargs.items()}
        config.update(super().get_config())
        if type(self) is MeanMetricWrapper:
            config['fn'] = getattr(self._fn, '__name__', None)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is MeanMetricWrapper:
            from . import get
            return cls(get(config.pop('fn')), **config)
        return cls(**config)


class Accuracy(MeanMetricWrapper):
    """How often the predictions equal the targets exactly.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, name='accuracy', dtype=None):
        super().__init__(F.accuracy, name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` equals the binary target.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
        threshold: the probability above which a prediction is 1.
    """

    def __init__(self, name='binary_accuracy', dtype=None, threshold=0.5):
        super().__init__(F.binary_accuracy, name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the predictions equals that of one-hot targets.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, name='categorical_accuracy', dtype=None):
        super().__init__(F.categorical_accuracy, name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the predictions equals an integer target.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, name='sparse_categorical_accuracy', dtype=None):
        super().__init__(F.sparse_categorical_accuracy, name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the `k` largest predictions.

    Arguments:
        k: the number of top predictions considered.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, k=5, name='top_k_categorical_accuracy', dtype=None):
        super().__init__(F.top_k_categorical_accuracy, name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is among the `k` largest predictions.

    Arguments:
        k: the number of top predictions considered.
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, k=5, name='sparse_top_k_categorical_accuracy', dtype=None):
        super().__init__(F.sparse_top_k_categorical_accuracy, name, dtype=dtype, k=k)


class MeanSquaredError(MeanMetricWrapper):
    """The mean squared error over all samples seen.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """
    def __init__(self, name='mean_squared_error', dtype=None):
        super().__init__(F.mean_squared_error, name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean absolute error over all samples seen.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """
    def __init__(self, name='mean_absolute_error', dtype=None):
        super().__init__(F.mean_absolute_error, name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """The mean absolute percentage error over all samples seen.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """
    def __init__(self, name='mean_absolute_percentage_error', dtype=None):
        super().__init__(F.mean_absolute_percentage_error, name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """The mean squared logarithmic error over all samples seen.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """
    def __init__(self, name='mean_squared_logarithmic_error', dtype=None):
        super().__init__(F.mean_squared_logarithmic_error, name, dtype=dtype)


class Hinge(MeanMetricWrapper):
    """The mean hinge loss over all samples seen.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """
    def __init__(self, name='hinge', dtype=None):
        super().__init__(F.hinge, name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """The mean squared hinge loss over all samples seen.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """
    def __init__(self, name='squared_hinge', dtype=None):
        super().__init__(F.squared_hinge, name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """The mean categorical hinge loss over all samples seen.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """
    def __init__(self, name='categorical_hinge', dtype=None):
        super().__init__(F.categorical_hinge, name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    """The mean logarithm of the hyperbolic cosine of the error.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """
    def __init__(self, name='logcosh', dtype=None):
        super().__init__(F.logcosh, name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """The mean Poisson loss over all samples seen.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """
    def __init__(self, name='poisson', dtype=None):
        super().__init__(F.poisson, name, dtype=dtype)


class KLDivergence(MeanMetricWrapper):
    """The mean Kullback-Leibler divergence over all samples seen.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """
    def __init__(self, name='kullback_leibler_divergence', dtype=None):
        super().__init__(F.kullback_leibler_divergence, name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity along an axis (1 for parallel vectors).

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
        axis: the axis of the vectors.
    """

    def __init__(self, name='cosine_similarity', dtype=None, axis=-1):
        super().__init__(F.cosine_proximity, name, dtype=dtype, axis=axis)


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary crossentropy over all samples seen.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
        from_logits: whether the predictions are logits.
        label_smoothing: a float in [0, 1] that smooths the targets.
    """
    def __init__(self, name='binary_crossentropy', dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(F.binary_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean categorical crossentropy over all samples seen.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
        from_logits: whether the predictions are logits.
        label_smoothing: a float in [0, 1] that smooths the targets.
    """
    def __init__(self, name='categorical_crossentropy', dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(F.categorical_crossentropy, name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean categorical crossentropy on integer targets.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
        from_logits: whether the predictions are logits.
        axis: the class axis of the predictions.
    """
    def __init__(self, name='sparse_categorical_crossentropy', dtype=None, from_logits=False,
                 axis=-1):
        super().__init__(F.sparse_categorical_crossentropy, name, dtype=dtype,
                         from_logits=from_logits, axis=axis)


class RootMeanSquaredError(Mean):
    """The square root of the (weighted) mean of the squared errors.

    Arguments:
        name: the metric's name (as logged).
        dtype: the dtype of the state and result (default `K.floatx()`).
    """

    def __init__(self, name='root_mean_squared_error', dtype=None):
        super().__init__(name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_float(y_true, self.dtype)
        y_pred = as_float(y_pred, self.dtype)
        y_pred, y_true = metrics_utils.squeeze_or_expand_dimensions(y_pred, y_true)
        return super().update_state(K.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return K.sqrt(div_no_nan(self.total, self.count))
