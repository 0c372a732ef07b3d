"""What a layer owns besides the weights it makes (Keras 2.3's automatic
tracking): layers, lists of layers and variables assigned as its attributes;
the metrics of `add_metric`; and which unconditional losses and updates a
call made.  `Layer` inherits it; a layer's state lists (`_layers`,
`_trainable_weights`, `_metrics`, ...) are made by `Layer.__init__`."""
import functools
import threading

from .. import backend as K

_tracking = threading.local()


def disable_tracking(func):
    """Decorator: attributes assigned while `func` runs are not tracked (Keras
    2.3's `base_layer.disable_tracking`, for code that stores layers it does
    not own)."""
    @functools.wraps(func)
    def untracked(*args, **kwargs):
        previous = getattr(_tracking, 'disabled', False)
        _tracking.disabled = True
        try:
            return func(*args, **kwargs)
        finally:
            _tracking.disabled = previous
    return untracked


def unique(items):
    """The items in order, each object once."""
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


class Tracking:
    _tracked_as_sublayer = True       # Metrics are not (their state is no weight)

    def __setattr__(self, name, value):
        if name != '_layers' and '_layers' in self.__dict__ and \
                not self.__dict__.get('_is_graph_network') and \
                not getattr(_tracking, 'disabled', False):
            self._track(value)
        object.__setattr__(self, name, value)

    def _track(self, value):
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, Tracking) and item is not self and item._tracked_as_sublayer:
                if not any(item is l for l in self._layers):
                    self._layers.append(item)
        if K.is_variable(value) and not any(value is w for w in self._all_variables()):
            trainable = getattr(value, 'trainable', True)
            (self._trainable_weights if trainable else self._non_trainable_weights).append(value)

    def _all_variables(self):
        own = self._trainable_weights + self._non_trainable_weights
        return own + [w for layer in self._layers for w in layer._all_variables()]

    def add_metric(self, value, aggregation=None, name=None):
        """Reports `value` as a metric of the models this layer is part of
        (Keras 2.3): with aggregation='mean' a tensor averaged over the
        batches by a `Mean` metric named `name`; with aggregation=None the
        result of a Metric instance (`metrics.Mean(name='m')(x)`). The
        metric is in metrics_names and the history and restarts each epoch."""
        if aggregation not in (None, 'mean'):
            raise ValueError(f'{self.name}.add_metric: only aggregation=None or "mean" is '
                             f'supported, got aggregation={aggregation!r}')
        if not K.is_tensor(value):
            raise TypeError(f'{self.name}.add_metric: value must be a tensor, got '
                            f'{type(value).__name__}')
        if aggregation is None:
            metric = getattr(value, '_metric_obj', None)
            if metric is None:
                raise ValueError(f'{self.name}.add_metric: a value that is not the result of a '
                                 'Metric instance needs aggregation="mean" (and a name), e.g. '
                                 "add_metric(K.sum(x), name='sum_x', aggregation='mean')")
        else:
            if not name:
                raise ValueError(f'{self.name}.add_metric: give the metric a name, e.g. '
                                 "add_metric(K.sum(x), name='sum_x', aggregation='mean')")
            metric = next((m for m in self._metrics if m.name == name), None)
            if metric is None:
                from ..metrics import Mean
                metric = Mean(name=name)
        if not any(m is metric for m in self._metrics):
            self._metrics.append(metric)
        self._metric_values.append((metric, value, aggregation))

    # Losses and updates a call adds without inputs (add_loss(x) in `call`)
    # are unconditional, yet belong to that call's graph: a model that reruns
    # its layers for the train and test phases must not also count the
    # originals.

    def _unconditional_items(self):
        items = self._per_input_losses.get(None, []) + self._per_input_updates.get(None, [])
        for layer in self._layers:
            items = items + layer._unconditional_items()
        return items

    def _note_call_made(self, mark):
        """Marks the unconditional losses and updates made since `mark` (during a call)."""
        made = K.created_after(mark, self._unconditional_items())
        self.__dict__.setdefault('_call_made', set()).update(map(id, made))

    def _call_made_ids(self):
        ids = set(self.__dict__.get('_call_made', ()))
        for layer in self._layers:
            ids |= layer._call_made_ids()
        return ids

    def _metric_records(self, nested=False):
        """The add_metric calls of the sublayers, then this layer's own
        (`nested`: asked by a model this layer is part of)."""
        records = []
        for layer in self._layers:
            records += layer._metric_records(nested=True)
        return records + list(self._metric_values)
