"""Model: a Network that trains.

`compile` builds three compiled functions once (train: loss + metrics +
optimizer updates; test: loss + metrics; predict); fit/evaluate/predict turn
their data (arrays, generators, Sequences) into a batch source and hand it
with the function to the one loop, training_loop.Loop.
"""
import numpy as np

from .. import backend as K
from .. import losses as losses_module, metrics as metrics_module, optimizers
from .input_layer import Input
from .network import Network
from .node import to_list
from .tracking import unique as _unique
from . import training_utils as U
from . import training_loop as loop


class Model(Network):
    """A network of layers that can be trained: the functional API's model.

    Build it from the input tensors made by `Input` and the output tensors of
    the layers called on them; then `compile` it and train it with `fit`.

    Arguments:
        inputs: an input tensor (made by `kback.layers.Input`) or a list of them.
        outputs: an output tensor of a layer called on the inputs, or a list of
            them.
        name: a string, the model's name (a unique default otherwise).

    Example::

        from kback.layers import Input, Dense
        from kback.models import Model

        inputs = Input(shape=(784,))
        hidden = Dense(64, activation='relu')(inputs)
        outputs = Dense(10, activation='softmax')(hidden)
        model = Model(inputs=inputs, outputs=outputs)
        model.compile(optimizer='adam', loss='categorical_crossentropy',
                      metrics=['accuracy'])
    """

    def compile(self, optimizer, loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, target_tensors=None, **kwargs):
        """Configures the model for training: the loss, the optimizer and the metrics.

        Arguments:
            optimizer: an optimizer name (`'sgd'`, `'adam'`, ...) or an
                `kback.optimizers.Optimizer` instance.
            loss: a loss name, a loss function `f(y_true, y_pred)` or a
                `kback.losses.Loss` instance; for a model with several outputs, a
                list (one per output) or a dict keyed by output name, or one loss
                for all of them. The model minimises the sum of the per-output
                losses, weighted by `loss_weights`.
            metrics: a list of metrics (names such as `'accuracy'`, functions or
                `kback.metrics.Metric` instances) reported during training and
                testing; for several outputs, a dict keyed by output name or a list
                of lists.
            loss_weights: a list or dict of floats weighting each output's loss.
            sample_weight_mode: `None` (one weight per sample) or `'temporal'`
                (one weight per timestep, a 2D `sample_weight`); a list or dict for
                several outputs.
            weighted_metrics: metrics that are weighted by `sample_weight` and
                `class_weight` in `fit` and `evaluate`.
            target_tensors: tensors to use as the targets instead of placeholders
                fed with `y` (a list, or a dict keyed by output name).

        Raises:
            ValueError: if `loss` is missing, or a loss, metric or weight is given
                for an output the model does not have.
            TypeError: on an unexpected keyword argument.
        """
        if kwargs:
            raise TypeError(f'compile: unexpected keyword arguments {sorted(kwargs)}')
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self.loss_weights = loss_weights
        self._compile_metrics = metrics
        self._compile_weighted_metrics = weighted_metrics
        self.sample_weight_mode = sample_weight_mode
        self._target_tensors = target_tensors
        self._functions = {}
        self._compiled = True
        if self.built and getattr(self, 'outputs', None):
            self._build_training_graph()

    # -- the graph of loss, metrics and updates ------------------------------------------

    def _per_output(self, value, what, default=None):
        names = self.output_names
        if isinstance(value, dict):
            unknown = set(value) - set(names)
            if unknown:
                raise ValueError(f'Unknown entries in {what} dictionary: {sorted(unknown)}. '
                                 f'Only expected the following keys: {names}')
            if what == 'metrics':
                default = []
            return [value.get(n, default) for n in names]
        if isinstance(value, (list, tuple)) and what != 'metrics':
            if len(value) != len(names):
                raise ValueError(f'When passing a list as {what}, it should have one entry per '
                                 f'model output. The model has {len(names)} outputs, but you '
                                 f'passed {what}={list(value)}')
            return list(value)
        if what == 'metrics' and isinstance(value, (list, tuple)) and value and \
                all(isinstance(v, (list, tuple)) for v in value):
            if len(value) != len(names):
                raise ValueError(f'When passing a list of lists as metrics, it should have one '
                                 f'entry per model output. The model has {len(names)} outputs.')
            return [list(v) for v in value]
        return [value] * len(names)

    def _build_training_graph(self):
        """Targets, then the loss and metrics twice: on the model run with the
        learning phase fixed to 1 (train) and to 0 (test, predict), so that
        each compiled function computes only its own branch of Dropout,
        BatchNormalization and other in_train_phase switches."""
        n = len(self.outputs)
        self.loss_functions = [None if l is None else losses_module.get(l)
                               for l in self._per_output(self.loss, 'loss')]
        given_targets = to_list(self._target_tensors) if self._target_tensors is not None \
            else [None] * n
        self.targets, self.sample_weights = [], []
        for i, (output, fn, name) in enumerate(zip(self.outputs, self.loss_functions,
                                                   self.output_names)):
            if fn is None:
                self.targets.append(None)
                self.sample_weights.append(None)
                continue
            target = given_targets[i] if i < len(given_targets) and given_targets[i] is not None \
                else K.placeholder(ndim=K.ndim(output), dtype=K.dtype(output),
                                   name=f'{name}_target')
            mode = self._weight_mode(name)
            if mode == 'temporal' and K.ndim(output) < 3:
                raise ValueError(f'Output {name} has shape {K.int_shape(output)}: timestep-wise '
                                 'sample weighting (sample_weight_mode="temporal") is '
                                 'restricted to outputs that are at least 3D, i.e. that have a '
                                 'time dimension.')
            self.targets.append(target)
            self.sample_weights.append(
                K.placeholder(ndim=2 if mode == 'temporal' else 1, name=f'{name}_sample_weights'))
        names = self._prepare_metrics()
        names += [m.name for m in self._added_metrics()]
        self._phases = {}
        for phase in (1, 0):
            mark = K.graph_mark() if K.is_tensor(K.learning_phase()) else None
            outputs, updates, losses = self._phase_graph(phase)
            total, tensors, metric_updates = self._loss_and_metrics(outputs, losses)
            added, added_updates = self._added_metric_results(mark)
            self._phases[phase] = (outputs, updates, total, tensors + added,
                                   metric_updates + added_updates)
        self.total_loss = self._phases[1][2]
        self._metric_tensors = self._phases[1][3]
        self.metrics_names = names
        self._collected_trainable_weights = self.trainable_weights

    def _phase_graph(self, phase):
        """(outputs, updates, losses) of the model rerun on its inputs with the
        learning phase fixed, unless the user fixed it globally."""
        if not K.is_tensor(K.learning_phase()):
            return list(self.outputs), list(self.updates), list(self.losses)
        mark = K.graph_mark()
        collected = {'updates': [], 'losses': []}
        with K.learning_phase_scope(phase):
            outputs = self.run_internal_graph(list(self.inputs), collect=collected)
        # The rerun's own: what its layers filed under this call's inputs, and
        # what they added unconditionally while running (add_loss(x) in a call).
        updates = _unique(K.created_after(mark, collected['updates'] + self.updates)) \
            if self.trainable or self.stateful else []
        losses = _unique(K.created_after(mark, collected['losses'] + self.losses))
        internal = self.__dict__.setdefault('_internal_ids', set())
        internal.update(map(id, updates + losses))
        # Unconditional losses (weight regularisers, model.add_loss), less
        # those a layer's call made on the model's own graph: the rerun made
        # this phase's version of them.
        skip = internal | self._call_made_ids()
        losses = [x for x in self.get_losses_for(None) if id(x) not in skip] + losses
        return outputs, updates, losses

    def _loss_and_metrics(self, outputs, extra_losses):
        """(total loss, [per-output loss and metric results], their update
        ops) for one phase's outputs; the results read the metric state as
        updated by this batch (metrics_utils.read_after_updates)."""
        weights = self._per_output(self.loss_weights if self.loss_weights is not None else 1.,
                                   'loss_weights', 1.)
        # Keras 2.3: an output's mask (Embedding(mask_zero=True), Masking...)
        # multiplies its sample weights in the loss and weights its metrics.
        masks = [getattr(o, '_keras_mask', None) for o in outputs]
        total, output_losses = None, []
        for output, fn, w, target, sw, mask in zip(outputs, self.loss_functions, weights,
                                                   self.targets, self.sample_weights, masks):
            if fn is None:
                output_losses.append(None)
                continue
            sw = U.masked_weights(mask, sw, output)
            if isinstance(fn, losses_module.Loss):
                per_sample, reduction = fn.call(target, output), fn.reduction
            else:
                per_sample, reduction = fn(target, output), 'sum_over_batch_size'
            if reduction == 'none':
                reduction = 'sum_over_batch_size'
            output_loss = losses_module.compute_weighted_loss(per_sample, sw, reduction)
            output_losses.append(output_loss)
            term = output_loss * w if w != 1. else output_loss
            total = term if total is None else total + term
        if total is None and not extra_losses:
            raise ValueError('The model cannot be compiled because it has no loss to optimize.')
        # With no loss in compile, the model's add_loss losses are the whole loss (Keras 2.3).
        for reg in extra_losses:
            total = reg if total is None else total + reg
        tensors, updates = [], []
        for i, metric in self._output_loss_metrics:
            # Weighted by batch size, so that the epoch value is the mean over samples.
            size = K.cast(K.shape(outputs[i])[0], K.floatx())
            result, ops = metric.call_with_updates(output_losses[i], sample_weight=size)
            tensors.append(result)
            updates += ops
        for i, weighted, metric in self._metric_slots:
            sw = self.sample_weights[i] if weighted else None
            sw = U.masked_weights(masks[i], sw, outputs[i])
            result, ops = metric.call_with_updates(self.targets[i], outputs[i],
                                                   sample_weight=sw)
            tensors.append(result)
            updates += ops
        return total, tensors, updates

    def _weight_mode(self, output_name):
        """The sample_weight_mode of one output (None or 'temporal')."""
        mode = self.sample_weight_mode
        return mode.get(output_name) if isinstance(mode, dict) else mode

    def _prepare_metrics(self):
        """The compiled metrics as Metric objects (strings and functions in a
        MeanMetricWrapper), one per output and entry, and metrics_names
        (made unique by _1, _2... as Keras 2.3 does). A Metric instance used
        in more than one place is cloned for the others."""
        n = len(self.outputs)
        names = ['loss']

        def unique(name):
            base, j = name, 1
            while name in names:
                name, j = f'{base}_{j}', j + 1
            names.append(name)
            return name
        self._output_loss_metrics = []
        if n > 1:
            for i, (fn, name) in enumerate(zip(self.loss_functions, self.output_names)):
                if fn is not None:
                    self._output_loss_metrics.append(
                        (i, metrics_module.Mean(name=unique(f'{name}_loss'))))
        metric_lists = self._per_output(self._compile_metrics or [], 'metrics')
        weighted_lists = self._per_output(self._compile_weighted_metrics or [], 'metrics')
        self._metric_slots, used = [], set()
        for i, (output, fn) in enumerate(zip(self.outputs, self.loss_functions)):
            if fn is None:
                continue
            for weighted, metric_list in ((False, metric_lists[i]), (True, weighted_lists[i])):
                for entry in to_list(metric_list):
                    metric = metrics_module.to_metric(entry, fn, K.int_shape(output))
                    if id(metric) in used:
                        metric = metrics_module.clone_metric(metric)
                    used.add(id(metric))
                    # Keras 2.3 names a weighted metric as the unweighted one
                    # (unique() then makes it 'mae_1'), not 'weighted_mae'.
                    label = entry if isinstance(entry, str) else metric.name
                    unique(f'{self.output_names[i]}_{label}' if n > 1 else label)
                    self._metric_slots.append((i, weighted, metric))
        return names

    def _added_metrics(self):
        """The Metric objects of add_metric (the layers', then the model's), once each."""
        found = []
        for metric, _, _ in self._metric_records():
            if not any(metric is m for m in found):
                found.append(metric)
        return found

    def _added_metric_results(self, mark):
        """(results, update ops) of the add_metric metrics for one phase's
        graph: each from the value its layer reported in the rerun after
        `mark` (None: no rerun), else from the value reported last."""
        records = self._metric_records()
        results, updates = [], []
        for metric in self._added_metrics():
            mine = [r for r in records if r[0] is metric]
            fresh = K.created_after(mark, mine) if mark is not None else []
            _, value, aggregation = (fresh or mine)[-1]
            if aggregation == 'mean':
                result, ops = metric.call_with_updates(value)
            else:
                result, ops = value, list(getattr(value, '_metric_updates', []))
            results.append(result)
            updates += ops
        return results, updates

    @property
    def metrics(self):
        """The Metric objects of compile's metrics and weighted_metrics, in the
        order of metrics_names (per-output losses left out), then those of
        add_metric."""
        return [m for _, _, m in getattr(self, '_metric_slots', [])] + self._added_metrics()

    def reset_metrics(self):
        """Resets the state of every compiled metric (and per-output loss mean)."""
        for _, metric in getattr(self, '_output_loss_metrics', []):
            metric.reset_states()
        for metric in self.metrics:
            metric.reset_states()

    def _feed_tensors(self):
        targets = [t for t in self.targets if t is not None]
        weights = [w for w in self.sample_weights if w is not None]
        return list(self._feed_inputs) + targets + weights

    def _function(self, kind):
        """The compiled train/test/predict function, built on first use."""
        if kind in self._functions:
            return self._functions[kind]
        if kind == 'predict':
            phase_graph = self._phase_graph(0) if not hasattr(self, '_phases') \
                else self._phases[0]
            outputs = phase_graph[0]
            # Stateful layers (RNN states) advance in predict too, as in Keras.
            state_updates = list(phase_graph[1]) if self.stateful else []
            fn = K.function(self._feed_inputs + [_phase_input()], outputs, updates=state_updates,
                            name='predict_function')
        else:
            self._check_compiled()
            if not hasattr(self, 'total_loss'):
                self._build_training_graph()
            phase = 1 if kind == 'train' else 0
            _, phase_updates, total, tensors, metric_updates = self._phases[phase]
            updates = []
            if kind == 'train':
                updates = self.optimizer.get_updates(loss=total,
                                                     params=self._collected_trainable_weights)
                updates += phase_updates
            elif self.stateful:
                updates = list(phase_updates)
            # The metrics' state updates run in the same call as the step.
            updates = updates + metric_updates
            fn = K.function(self._feed_tensors() + [_phase_input()], [total] + tensors,
                            updates=updates, name=f'{kind}_function')
        self._functions[kind] = fn
        return fn

    def _check_compiled(self):
        if not getattr(self, '_compiled', False):
            raise RuntimeError('You must compile your model before training/testing. Use '
                               '`model.compile(optimizer, loss)`.')

    # -- array standardisation --------------------------------------------------------

    def _standardize(self, x, y=None, sample_weight=None, class_weight=None,
                     check_targets=True):
        self._build_from_data(x)
        if x is None and self._feed_inputs:
            raise ValueError(f'No input data: the model is fed inputs {self._feed_input_names} '
                             '(x may be None only when every Input holds a tensor)')
        xs = U.standardize_arrays(x, self._feed_input_names,
                                  [K.int_shape(t) for t in self._feed_inputs], 'input')
        if y is None:
            return xs, [], []
        self._check_compiled()
        if not hasattr(self, 'total_loss'):
            self._build_training_graph()
        names = [n for n, t in zip(self.output_names, self.targets) if t is not None]
        shapes = [K.int_shape(o) for o, t in zip(self.outputs, self.targets) if t is not None]
        ys = U.standardize_arrays(y, names, shapes, 'target', check_shape=False)
        fns = [f for f in self.loss_functions if f is not None]
        U.check_loss_and_target(ys, fns, shapes)
        sws = U.standardize_sample_weights(sample_weight, names)
        modes = [self._weight_mode(n) for n in names]
        per_output = class_weight if isinstance(class_weight, dict) and \
            set(class_weight) <= set(names) and len(names) > 1 else None
        for i, (name, yi) in enumerate(zip(names, ys)):
            cw = per_output.get(name) if per_output is not None else class_weight
            sws[i] = U.standardize_weights(yi, sws[i], cw, modes[i])
        U.check_lengths(xs, ys, sws)
        return xs, ys, sws

    def _check_held_inputs(self, caller, steps, steps_name):
        """A model whose inputs all hold tensors (Input(tensor=...)) runs on
        them whole: Keras 2.3 asks for the number of steps, not batches."""
        if self.inputs and not self._feed_inputs and steps is None:
            raise ValueError(f'{caller}: every input of {self.name} holds a tensor '
                             '(Input(tensor=...)), so the data cannot be cut into batches; '
                             f'give `{steps_name}` (the number of steps) instead of '
                             '`batch_size`.')

    def _build_from_data(self, x):
        """Deferred building: a subclassed model's graph from the first data
        (one Input per array; Sequential builds itself)."""
        if self._is_graph_network or self.built or x is None:
            return
        arrays = list(x) if isinstance(x, (list, tuple)) else [x]
        inputs = [_input_for(np.asarray(a)) for a in arrays]
        self._build_subclassed(inputs if isinstance(x, (list, tuple)) else inputs[0])

    def build(self, input_shape=None):
        """A subclassed model's graph from its batch input shape(s), as
        Keras 2.3's Model.build; a functional model is built already."""
        if self._is_graph_network:
            self.built = True
            return
        if input_shape is None:
            raise ValueError(f'{self.name}.build: give the batch input shape, e.g. (None, 3), '
                             'or a list of shapes')
        if isinstance(input_shape, list) and input_shape and \
                all(isinstance(s, (list, tuple)) for s in input_shape):
            self._build_subclassed([Input(batch_shape=tuple(s)) for s in input_shape])
        else:
            self._build_subclassed(Input(batch_shape=tuple(input_shape)))

    # -- public training API ------------------------------------------------------------

    @property
    def train_function(self):
        """The compiled training step (built on first use), as in Keras 2.3."""
        return self._function('train')

    @property
    def test_function(self):
        """The compiled evaluation step (built on first use), as in Keras 2.3."""
        return self._function('test')

    @property
    def predict_function(self):
        """The compiled prediction step (built on first use), as in Keras 2.3."""
        return self._function('predict')

    def _feeder(self, class_weight=None):
        """standardize(x, y=None, sample_weight=None) -> a batch's feed list."""
        def standardize(x, y=None, sample_weight=None):
            xs, ys, sws = self._standardize(x, y, sample_weight, class_weight)
            return xs + ys + sws
        return standardize

    def _generator_batches(self, generator, steps, steps_name, feeding, shuffle=False,
                           class_weight=None, with_targets=True):
        return loop.GeneratorBatches(generator, steps, self._feeder(class_weight),
                                     with_targets=with_targets, shuffle=shuffle,
                                     steps_name=steps_name, **feeding)

    def _validation_batches(self, data, batch_size, steps, feeding):
        """validation_data, parsed once: a batch source over (x, y) or
        (x, y, sample_weight) arrays, or over a generator or Sequence."""
        if data is None:
            return None
        if loop.is_generator(data):
            return self._generator_batches(data, steps, 'validation_steps', feeding)
        if not isinstance(data, (list, tuple)):
            raise ValueError('validation_data must be a tuple (x_val, y_val) or (x_val, '
                             'y_val, val_sample_weights), a generator or a Sequence; got '
                             f'{type(data).__name__}')
        if len(data) not in (2, 3):
            raise ValueError('When passing validation_data, it must contain 2 (x_val, y_val) '
                             'or 3 (x_val, y_val, val_sample_weights) items, however it '
                             f'contains {len(data)} items')
        xs, ys, sws = self._standardize(data[0], data[1], data[2] if len(data) == 3 else None)
        return loop.ArrayBatches(xs + ys + sws, batch_size, steps=steps,
                                 steps_name='validation_steps')

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0., validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_freq=1, max_queue_size=10, workers=1, use_multiprocessing=False,
            **kwargs):
        """Trains the model for a number of epochs (passes over the data).

        Arguments:
            x: the input data: a numpy array (or a list of them for several inputs,
                or a dict keyed by input name); or a generator or a
                `kback.utils.Sequence` yielding `(inputs, targets)` or
                `(inputs, targets, sample_weights)` batches, in which case `y`,
                `sample_weight` and `validation_split` must not be given.
            y: the target data, shaped like `x`'s alternatives (arrays, a list or
                a dict keyed by output name).
            batch_size: samples per gradient update (default 32 with arrays).
            epochs: the epoch at which training stops (an index: training runs
                from `initial_epoch` to `epochs`).
            verbose: 0 silent, 1 a progress bar, 2 one line per epoch.
            callbacks: a list of `kback.callbacks.Callback` instances called during
                training.
            validation_split: a float in [0, 1): the fraction of the arrays, taken
                from their end before shuffling, held out for validation.
            validation_data: `(x_val, y_val)`, `(x_val, y_val, val_sample_weights)`
                or a generator or Sequence of them, evaluated at the end of each
                epoch; it overrides `validation_split`.
            shuffle: whether to shuffle the samples before each epoch (arrays), or
                the batch order (a Sequence).
            class_weight: a dict mapping class indices to weights of the loss.
            sample_weight: a numpy array of weights for the training samples
                (1D, or 2D with `sample_weight_mode='temporal'`).
            initial_epoch: the epoch at which to start (to resume a run).
            steps_per_epoch: batches per epoch (required for a generator without
                a length).
            validation_steps: batches drawn from a validation generator.
            validation_freq: validate every `validation_freq` epochs (an int), or
                at the epochs in a list.
            max_queue_size: batches a generator's workers may prepare in advance.
            workers: threads (or processes) that produce a generator's batches;
                0 runs it on the main thread.
            use_multiprocessing: whether the workers are processes instead of
                threads.

        Returns:
            A `kback.callbacks.History`; its `history` attribute holds the loss and
            metric values of each epoch (and the validation ones).

        Raises:
            RuntimeError: if the model was not compiled.
            ValueError: if the data do not match the model's inputs and outputs,
                or an argument is out of range.
            TypeError: on an unknown keyword argument.

        Example::

            history = model.fit(x_train, y_train, batch_size=128, epochs=10,
                                validation_split=0.1)
            print(history.history['val_loss'])
        """
        if 'nb_epoch' in kwargs:
            epochs = kwargs.pop('nb_epoch')
        if kwargs:
            raise TypeError(f'fit: unrecognized keyword arguments: {sorted(kwargs)}')
        loop.check_arguments('fit', batch_size=batch_size, epochs=epochs, verbose=verbose,
                             validation_split=validation_split, initial_epoch=initial_epoch,
                             steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
                             validation_freq=validation_freq, max_queue_size=max_queue_size,
                             workers=workers)
        self.reset_metrics()
        feeding = {'workers': workers, 'max_queue_size': max_queue_size,
                   'use_multiprocessing': use_multiprocessing}
        if loop.is_generator(x):
            U.check_generator_arguments(y, sample_weight, validation_split)
            self._check_compiled()
            batches = self._generator_batches(x, steps_per_epoch, 'steps_per_epoch', feeding,
                                              shuffle, class_weight)
            # Keras 2.3: validation arrays of a generator fit run in batches of
            # 32 over all their samples.
            validation = self._validation_batches(
                validation_data, 32, None if not loop.is_generator(validation_data)
                else validation_steps, feeding)
        else:
            batch_size = batch_size or (None if steps_per_epoch else 32)
            xs, ys, sws = self._standardize(x, y, sample_weight, class_weight)
            self._check_held_inputs('fit', steps_per_epoch, 'steps_per_epoch')
            validation = self._validation_batches(validation_data, batch_size or 32,
                                                  validation_steps, feeding)
            if validation is None and validation_split and 0. < validation_split < 1.:
                split_at = int(len(xs[0]) * (1. - validation_split))
                if split_at == 0 or split_at == len(xs[0]):
                    raise ValueError(f'validation_split={validation_split} leaves no samples '
                                     f'for training or validation with {len(xs[0])} samples')
                val = [a for part in (xs, ys, sws)
                       for a in U.slice_arrays(part, slice(split_at, None))]
                validation = loop.ArrayBatches(val, batch_size or 32, steps=validation_steps,
                                               steps_name='validation_steps')
                xs, ys, sws = (U.slice_arrays(a, slice(0, split_at)) for a in (xs, ys, sws))
            batches = loop.ArrayBatches(xs + ys + sws, batch_size, shuffle, steps_per_epoch,
                                        'steps_per_epoch')
        return loop.Loop(self, self.train_function, callbacks, verbose).fit(
            batches, epochs, initial_epoch, validation, validation_freq)

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False):
        """Computes the loss and the metrics of the model on some data, in batches.

        Arguments:
            x: the input data (arrays, a list or dict of them), or a generator or
                `kback.utils.Sequence` of `(inputs, targets)` batches.
            y: the target data (arrays; not given with a generator).
            batch_size: samples per batch (default 32).
            verbose: 0 silent, 1 a progress bar.
            sample_weight: a numpy array weighting each sample's loss.
            steps: batches to evaluate (default: all of them).
            callbacks: `kback.callbacks.Callback` instances called during the
                evaluation.
            max_queue_size: batches a generator's workers may prepare in advance.
            workers: threads (or processes) that produce a generator's batches.
            use_multiprocessing: whether the workers are processes.

        Returns:
            The loss (a scalar) when the model has no metrics and one output;
            otherwise a list of scalars ordered as `model.metrics_names`.

        Raises:
            RuntimeError: if the model was not compiled.
            ValueError: if the data do not match the model.
        """
        loop.check_arguments('evaluate', batch_size=batch_size, verbose=verbose, steps=steps,
                             max_queue_size=max_queue_size, workers=workers)
        self.reset_metrics()
        if loop.is_generator(x):
            U.check_generator_arguments(y, sample_weight)
            self._check_compiled()
            batches = self._generator_batches(x, steps, 'steps', {
                'workers': workers, 'max_queue_size': max_queue_size,
                'use_multiprocessing': use_multiprocessing})
        else:
            xs, ys, sws = self._standardize(x, y, sample_weight)
            self._check_held_inputs('evaluate', steps, 'steps')
            batches = loop.ArrayBatches(xs + ys + sws, batch_size or 32, steps=steps)
        return loop.Loop(self, self.test_function, callbacks, verbose).evaluate(batches)

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        """Computes the model's outputs for the input samples, in batches.

        Arguments:
            x: the input data (a numpy array, a list or dict of them), or a
                generator or `kback.utils.Sequence` yielding input batches.
            batch_size: samples per batch (default 32).
            verbose: 0 silent, 1 a progress bar.
            steps: batches to predict (default: all of them).
            callbacks: `kback.callbacks.Callback` instances called during the
                prediction.
            max_queue_size: batches a generator's workers may prepare in advance.
            workers: threads (or processes) that produce a generator's batches.
            use_multiprocessing: whether the workers are processes.

        Returns:
            A numpy array of predictions, or a list of them for several outputs.

        Raises:
            ValueError: if the data do not match the model's inputs.
        """
        loop.check_arguments('predict', batch_size=batch_size, verbose=verbose, steps=steps,
                             max_queue_size=max_queue_size, workers=workers)
        if loop.is_generator(x):
            batches = self._generator_batches(x, steps, 'steps', {
                'workers': workers, 'max_queue_size': max_queue_size,
                'use_multiprocessing': use_multiprocessing}, with_targets=False)
        else:
            xs, _, _ = self._standardize(x)
            self._check_held_inputs('predict', steps, 'steps')
            batches = loop.ArrayBatches(xs, batch_size or 32, steps=steps)
        return loop.Loop(self, self.predict_function, callbacks, verbose).predict(batches)

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None, reset_metrics=True):
        """Runs one gradient update on a single batch.

        Arguments:
            x: the batch's inputs (an array, a list or dict of them).
            y: the batch's targets.
            sample_weight: per-sample weights of the loss.
            class_weight: a dict mapping class indices to weights of the loss.
            reset_metrics: if True, the metrics returned are this batch's only;
                if False, they accumulate over calls.

        Returns:
            The loss, or a list of the loss and metrics ordered as
            `model.metrics_names`.
        """
        xs, ys, sws = self._standardize(x, y, sample_weight, class_weight)
        outs = self._function('train')(xs + ys + sws + [np.asarray(True)])
        return self._batch_result(outs, reset_metrics)

    def test_on_batch(self, x, y, sample_weight=None, reset_metrics=True):
        """Computes the loss and metrics on a single batch, without training.

        Arguments:
            x: the batch's inputs (an array, a list or dict of them).
            y: the batch's targets.
            sample_weight: per-sample weights of the loss.
            reset_metrics: if True, the metrics returned are this batch's only;
                if False, they accumulate over calls.

        Returns:
            The loss, or a list of the loss and metrics ordered as
            `model.metrics_names`.
        """
        xs, ys, sws = self._standardize(x, y, sample_weight)
        outs = self._function('test')(xs + ys + sws + [np.asarray(False)])
        return self._batch_result(outs, reset_metrics)

    def _batch_result(self, outs, reset):
        """The loss of this batch and the metrics as accumulated since the
        last reset (`reset_metrics=True`, the default, resets after it)."""
        if reset:
            self.reset_metrics()
        return loop.unpack_scalars(outs)

    def predict_on_batch(self, x):
        """Returns the model's outputs for a single batch of samples.

        Arguments:
            x: the batch's inputs (an array, a list or dict of them).

        Returns:
            A numpy array, or a list of them for several outputs.
        """
        xs, _, _ = self._standardize(x)
        outs = self._function('predict')(xs + [np.asarray(False)])
        return outs[0] if len(outs) == 1 else outs

    # Keras 2's generator forms: fit, evaluate and predict take generators too.

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1,
                      callbacks=None, validation_data=None, validation_steps=None,
                      validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Trains the model on batches from a generator or a `Sequence`.

        The same as `fit` with the generator as `x` (Keras 2.3 keeps both names).

        Arguments:
            generator: a generator or a `kback.utils.Sequence` yielding
                `(inputs, targets)` or `(inputs, targets, sample_weights)`
                batches; a generator loops forever.
            steps_per_epoch: batches per epoch (default: the Sequence's length;
                required for a plain generator).
            epochs: the epoch at which training stops.
            verbose: 0 silent, 1 a progress bar, 2 one line per epoch.
            callbacks: `kback.callbacks.Callback` instances.
            validation_data: a generator or Sequence of validation batches, or
                arrays `(x_val, y_val)` or `(x_val, y_val, val_sample_weights)`.
            validation_steps: batches drawn from a validation generator.
            validation_freq: validate every `validation_freq` epochs, or at the
                epochs in a list.
            class_weight: a dict mapping class indices to weights of the loss.
            max_queue_size: batches the workers may prepare in advance.
            workers: threads (or processes) that produce batches; 0 runs the
                generator on the main thread.
            use_multiprocessing: whether the workers are processes.
            shuffle: whether to shuffle the order of a Sequence's batches each
                epoch.
            initial_epoch: the epoch at which to start.

        Returns:
            A `kback.callbacks.History`.

        Example::

            def batches():
                while True:
                    for i in range(0, len(x_train), 32):
                        yield x_train[i:i + 32], y_train[i:i + 32]

            model.fit_generator(batches(), steps_per_epoch=len(x_train) // 32,
                                epochs=5)
        """
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, validation_freq=validation_freq,
                        class_weight=class_weight, max_queue_size=max_queue_size,
                        workers=workers, use_multiprocessing=use_multiprocessing,
                        shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        """Computes the loss and metrics on batches from a generator or `Sequence`.

        The same as `evaluate` with the generator as `x`.

        Arguments:
            generator: a generator or `kback.utils.Sequence` of
                `(inputs, targets)` or `(inputs, targets, sample_weights)` batches.
            steps: batches to draw (default: the Sequence's length; required for
                a plain generator).
            callbacks: `kback.callbacks.Callback` instances.
            max_queue_size: batches the workers may prepare in advance.
            workers: threads (or processes) that produce batches.
            use_multiprocessing: whether the workers are processes.
            verbose: 0 silent, 1 a progress bar.

        Returns:
            The loss, or a list of scalars ordered as `model.metrics_names`.
        """
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose,
                             max_queue_size=max_queue_size, workers=workers,
                             use_multiprocessing=use_multiprocessing)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        """Computes the model's outputs for the input batches of a generator.

        The same as `predict` with the generator as `x`.

        Arguments:
            generator: a generator or `kback.utils.Sequence` yielding input
                batches (or `(inputs, targets)` pairs, whose targets are ignored).
            steps: batches to draw (default: the Sequence's length; required for
                a plain generator).
            callbacks: `kback.callbacks.Callback` instances.
            max_queue_size: batches the workers may prepare in advance.
            workers: threads (or processes) that produce batches.
            use_multiprocessing: whether the workers are processes.
            verbose: 0 silent, 1 a progress bar.

        Returns:
            A numpy array of predictions, or a list of them for several outputs.
        """
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose,
                            max_queue_size=max_queue_size, workers=workers,
                            use_multiprocessing=use_multiprocessing)

    # -- saving (engine/saving.py) ------------------------------------------------------

    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Saves the model to one HDF5 file: architecture, weights and optimizer.

        The file uses Keras 2's layout and is written atomically (a temporary
        file renamed into place). `kback.models.load_model` reads it back.

        Arguments:
            filepath: a path (`str` or path-like).
            overwrite: whether to replace an existing file.
            include_optimizer: whether to save the optimizer's configuration and
                state, so training can resume.

        Raises:
            FileExistsError: if the file exists and `overwrite` is False.

        Example::

            model.save('my_model.h5')
            same_model = kback.models.load_model('my_model.h5')
        """
        from .saving import save_model
        save_model(self, filepath, overwrite, include_optimizer)

    def save_weights(self, filepath, overwrite=True):
        """Saves the weights of every layer to an HDF5 file (Keras 2's layout).

        Arguments:
            filepath: a path to the file.
            overwrite: whether to replace an existing file.

        Raises:
            FileExistsError: if the file exists and `overwrite` is False.
        """
        from .saving import save_weights
        save_weights(self, filepath, overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, reshape=False):
        """Loads the weights saved by `save_weights` (or `save`) into the model.

        Arguments:
            filepath: a path to the HDF5 file.
            by_name: if False, the weights are loaded by the order of the layers
                (the architecture must be the same); if True, into the layers
                whose names match, so a different architecture can reuse some of
                them.
            skip_mismatch: with `by_name`, skip a layer whose number or shapes of
                weights differ instead of raising.
            reshape: reshape a saved weight to the layer's shape when the sizes
                agree.

        Raises:
            ValueError: if the file's weights do not fit the model.
        """
        from .saving import load_weights
        load_weights(self, filepath, by_name, skip_mismatch, reshape)

    def __reduce__(self):
        # Keras 2.3: a model pickles (and deep-copies) as its saved file.
        from .saving import pickle_model, unpickle_model
        return unpickle_model, (pickle_model(self),)


def _input_for(array):
    """An Input for the arrays like `array` (float data as floatx)."""
    dtype = K.floatx() if array.dtype.kind == 'f' else str(array.dtype)
    return Input(batch_shape=(None,) + array.shape[1:], dtype=dtype)


def _phase_input():
    """The learning-phase input every compiled function takes (an unused
    stand-in when the user fixed the phase with K.set_learning_phase)."""
    phase = K.learning_phase()
    return phase if K.is_tensor(phase) else K.placeholder(shape=(), dtype='bool')
