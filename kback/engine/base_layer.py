"""Layer: the Keras-2 layer protocol (build once, call, record a node).

A layer owns its weights (K variables made by `add_weight`), its regulariser
losses and its state updates.  Calling it on Keras tensors builds it on the
first call, runs `call` (K ops only) and records a Node, which is what the
functional API walks.
"""
import inspect
import re

import numpy as np

from .. import backend as K
from .node import Node, to_list, unpack_singleton
from .tracking import Tracking, disable_tracking, unique as _unique  # noqa: F401

_ALLOWED_KWARGS = {'input_shape', 'batch_input_shape', 'batch_size', 'dtype', 'name',
                   'trainable', 'weights', 'input_dtype', 'input_dim'}


def to_snake_case(name):
    s = re.sub('(.)([A-Z][a-z0-9]+)', r'\1_\2', name)
    s = re.sub('([a-z])([A-Z])', r'\1_\2', s).lower()
    return s if s[0] != '_' else 'private' + s


class InputSpec:
    """What a layer accepts as input; checked each time the layer is called.

    Arguments:
        dtype: the expected dtype, or None.
        shape: the expected shape (None entries match any size), or None.
        ndim: the expected rank, or None.
        max_ndim: the largest rank accepted, or None.
        min_ndim: the smallest rank accepted, or None.
        axes: a dict `{axis: size}` of sizes some axes must have.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None):
        self.dtype = dtype
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = axes or {}

    def __repr__(self):
        spec = [f'{k}={v}' for k, v in (('dtype', self.dtype), ('shape', self.shape),
                                         ('ndim', self.ndim), ('max_ndim', self.max_ndim),
                                         ('min_ndim', self.min_ndim), ('axes', self.axes))
                if v]
        return f"InputSpec({', '.join(spec)})"


def _check_spec(layer, index, spec, x):
    shape = K.int_shape(x)
    ndim = len(shape)
    where = f'Input {index} is incompatible with layer {layer.name}'
    if spec.ndim is not None and ndim != spec.ndim:
        raise ValueError(f'{where}: expected ndim={spec.ndim}, found ndim={ndim} '
                         f'(shape {shape})')
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(f'{where}: expected max_ndim={spec.max_ndim}, found ndim={ndim}')
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(f'{where}: expected min_ndim={spec.min_ndim}, found ndim={ndim} '
                         f'(shape {shape})')
    if spec.dtype is not None and K.dtype(x) != spec.dtype:
        raise ValueError(f'{where}: expected dtype={spec.dtype}, found dtype={K.dtype(x)}')
    for axis, value in spec.axes.items():
        try:
            actual = shape[axis]
        except IndexError:
            raise ValueError(f'{where}: expected axis {axis} of size {value}, but the input '
                             f'has shape {shape}') from None
        if value is not None and actual not in (value, None):
            raise ValueError(f'{where}: expected axis {axis} of input shape to have value '
                             f'{value} but got shape {shape}')
    if spec.shape is not None:
        for want, got in zip(spec.shape, shape):
            if want is not None and got is not None and want != got:
                raise ValueError(f'{where}: expected shape={spec.shape}, found shape={shape}')


class Layer(Tracking):
    """Base class of all layers.

    A layer is called on tensors: the first call builds it (its weights are
    made by `add_weight` in `build`), then `call` computes the outputs with
    `kback.backend` (K) ops. A subclass implements `build(input_shape)`,
    `call(inputs, **kwargs)`, `compute_output_shape(input_shape)` when the
    shape cannot be read from `call`'s result, and `get_config()` to be saved.

    Arguments:
        name: a string, the layer's name (unique within a model; a default is
            made from the class name).
        trainable: whether the layer's weights are updated during training.
        dtype: the dtype of the layer's weights (default `K.floatx()`).
        input_shape: the shape of one sample (no batch axis); for the first
            layer of a Sequential model, which then makes the input.
        batch_input_shape: the shape of the input, batch axis included.
        batch_size: the batch size, with `input_shape`.
        input_dim: for 2D inputs, the same as `input_shape=(input_dim,)`.
        weights: a list of numpy arrays to set as the initial weights.

    Layers (or lists of layers) and variables assigned as attributes are
    tracked, as in Keras 2.3: their weights, losses and updates become this
    layer's.

    Raises:
        TypeError: on a keyword argument a layer does not understand.

    Example::

        from kback import backend as K
        from kback.layers import Layer

        class Scale(Layer):
            def build(self, input_shape):
                self.scale = self.add_weight(name='scale', shape=(input_shape[-1],),
                                             initializer='ones')
                super().build(input_shape)

            def call(self, inputs):
                return inputs * self.scale
    """

    def __init__(self, **kwargs):
        unknown = set(kwargs) - _ALLOWED_KWARGS
        if unknown:
            raise TypeError(f'{type(self).__name__}: keyword argument not understood: '
                            f'{", ".join(sorted(unknown))}')
        self.input_spec = None
        self.supports_masking = False
        self.stateful = False
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._losses = []
        self._updates = []
        self._per_input_losses = {}
        self._per_input_updates = {}
        self._metrics = []         # Metric objects of add_metric, one per name
        self._metric_values = []   # (metric, value tensor, aggregation) per add_metric call
        self._layers = []          # sublayers whose weights this layer owns
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._built = False

        name = kwargs.get('name')
        if not name:
            prefix = to_snake_case(type(self).__name__)
            name = f'{prefix}_{K.get_uid(prefix)}'
        self.name = name
        self.trainable = kwargs.get('trainable', True)

        if 'input_dim' in kwargs and 'input_shape' not in kwargs:
            kwargs['input_shape'] = (kwargs['input_dim'],)
        if 'batch_input_shape' in kwargs:
            self.batch_input_shape = tuple(kwargs['batch_input_shape'])
        elif 'input_shape' in kwargs:
            shape = kwargs['input_shape']
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            self.batch_input_shape = (kwargs.get('batch_size'),) + shape
        self.dtype = kwargs.get('dtype') or kwargs.get('input_dtype') or K.floatx()
        self._initial_weights = kwargs.get('weights')

    # -- the protocol subclasses implement ------------------------------------------

    def build(self, input_shape):
        """Makes the layer's weights; called once, before the first `call`.

        Arguments:
            input_shape: the input's shape tuple (a list of them for several
                inputs), batch axis included.
        """
        self.built = True

    def call(self, inputs, **kwargs):
        """The layer's computation: output tensors from input tensors, in K ops.

        Arguments:
            inputs: a tensor or a list of tensors.
            **kwargs: extra arguments some layers take (`training`, `mask`).

        Returns:
            A tensor or a list of tensors.
        """
        return inputs

    def compute_output_shape(self, input_shape):
        """The output shape the layer gives for an input shape.

        By default the layer's `call` is run on placeholders of that shape and
        the static shape of the result is read (nothing is computed).

        Arguments:
            input_shape: a shape tuple (a list of them for several inputs).

        Returns:
            A shape tuple (a list of them for several outputs).
        """
        shapes = to_list(input_shape) if _is_shape_list(input_shape) else [input_shape]
        # The dtypes of the last call's inputs (a float16 input stays float16).
        dtypes = self.__dict__.get('_input_dtypes') or [self.dtype] * len(shapes)
        if len(dtypes) != len(shapes):
            dtypes = [self.dtype] * len(shapes)
        holders = [K.placeholder(shape=s, dtype=d) for s, d in zip(shapes, dtypes)]
        out = self.call(unpack_singleton(holders))
        shapes = [K.int_shape(o) for o in to_list(out)]
        return unpack_singleton(shapes)

    def compute_mask(self, inputs, mask=None):
        """The output mask for the inputs and their mask.

        A layer that supports masking passes the input mask on.

        Arguments:
            inputs: the input tensor(s).
            mask: the input mask(s), or None.

        Returns:
            The output mask(s), or None.

        Raises:
            TypeError: if the layer does not support masking and is given a mask.
        """
        if not self.supports_masking:
            if mask is not None and any(m is not None for m in to_list(mask)):
                raise TypeError(f'Layer {self.name} does not support masking, but was passed '
                                f'an input_mask: {mask}')
            return None
        return mask

    def get_config(self):
        """The layer's configuration: the constructor arguments that rebuild it.

        Returns:
            A JSON-serializable dict; `from_config` makes the layer back from it.
        """
        config = {'name': self.name, 'trainable': self.trainable}
        if hasattr(self, 'batch_input_shape'):
            config['batch_input_shape'] = self.batch_input_shape
        config['dtype'] = self.dtype
        return config

    @classmethod
    def from_config(cls, config):
        """Makes a layer from the dict returned by `get_config`.

        Arguments:
            config: the configuration dict.

        Returns:
            A new layer (not built; weights are not part of the configuration).
        """
        return cls(**config)

    # -- weights ------------------------------------------------------------------

    @property
    def built(self):
        """Whether `build` has run (the weights exist)."""
        return self._built

    @built.setter
    def built(self, value):
        self._built = bool(value)

    def add_weight(self, name=None, shape=None, dtype=None, initializer=None,
                   regularizer=None, trainable=True, constraint=None):
        """Makes a weight variable of the layer and registers it.

        Arguments:
            name: the weight's name (prefixed by the layer's name).
            shape: the weight's shape tuple.
            dtype: its dtype (default: the layer's).
            initializer: an initializer name or instance (default
                `'glorot_uniform'`).
            regularizer: a regularizer whose penalty on the weight is added to
                the layer's losses.
            trainable: whether the optimizer updates the weight.
            constraint: a constraint applied to the weight after each update.

        Returns:
            The weight, a `K.variable`.

        Raises:
            ValueError: if `shape` is missing.
        """
        from .. import initializers, regularizers, constraints
        if shape is None:
            raise ValueError(f'{self.name}.add_weight: give the shape of weight {name!r}')
        shape = tuple(int(d) for d in shape)
        dtype = dtype or self.dtype
        initializer = initializers.get(initializer or 'glorot_uniform')
        weight = K.variable(initializer(shape, dtype=dtype), dtype=dtype,
                            name=f'{self.name}/{name}:0',
                            constraint=constraints.get(constraint))
        weight.trainable = trainable
        if regularizer is not None:
            regularizer = regularizers.get(regularizer)
            self.add_loss(regularizer(weight))
        (self._trainable_weights if trainable else self._non_trainable_weights).append(weight)
        return weight

    @property
    def trainable_weights(self):
        """The variables the optimizer updates (none when `trainable` is False)."""
        if not self.trainable:
            return []
        weights = list(self._trainable_weights)
        for layer in self._layers:
            weights += layer.trainable_weights
        # Keras-2 code may also list a tracked sublayer's weights as its own.
        return _unique(weights)

    @property
    def non_trainable_weights(self):
        """The variables the optimizer leaves alone (all of them when `trainable` is
        False).
        """
        weights = list(self._non_trainable_weights)
        for layer in self._layers:
            weights += layer.non_trainable_weights
        if not self.trainable:
            own = list(self._trainable_weights)
            for layer in self._layers:
                own += layer._all_trainable_variables()
            return _unique(own + weights)
        return _unique(weights)

    def _all_trainable_variables(self):
        own = list(self._trainable_weights)
        for layer in self._layers:
            own += layer._all_trainable_variables()
        return own

    @property
    def weights(self):
        """All the layer's variables: the trainable ones, then the others."""
        return self.trainable_weights + self.non_trainable_weights

    def _ordered_weights(self):
        """The variables get_weights/set_weights read and write, in order."""
        return self.weights

    def get_weights(self):
        """The current values of the layer's weights.

        Returns:
            A list of numpy arrays, in the order of `weights`.
        """
        return K.batch_get_value(self._ordered_weights())

    def set_weights(self, weights):
        """Sets the values of the layer's weights.

        Arguments:
            weights: a list of numpy arrays, one per weight, in the order and
                with the shapes of `get_weights()`.

        Raises:
            ValueError: if the number of arrays or a shape does not match.
        """
        params = self._ordered_weights()
        weights = list(weights)
        if len(params) != len(weights):
            raise ValueError(f'You called `set_weights(weights)` on layer "{self.name}" with a '
                             f'weight list of length {len(weights)}, but the layer was '
                             f'expecting {len(params)} weights.')
        pairs = []
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if K.int_shape(p) != w.shape:
                raise ValueError(f'Layer {self.name}: weight {p.name} has shape '
                                 f'{K.int_shape(p)}, not compatible with the provided weight '
                                 f'shape {w.shape}')
            pairs.append((p, w))
        K.batch_set_value(pairs)

    def count_params(self):
        """The number of scalar values in the layer's weights.

        Raises:
            ValueError: if the layer is not built yet.
        """
        if not self.built:
            raise ValueError(f'You tried to call `count_params` on {self.name}, but the layer '
                             "isn't built. You can build it manually via: "
                             f'`{self.name}.build(batch_input_shape)`.')
        return int(sum(np.prod(K.int_shape(w), dtype=np.int64) for w in self.weights))

    # -- losses and updates ---------------------------------------------------------

    def add_loss(self, losses, inputs=None):
        """Adds loss tensors (e.g. a regularization penalty) to the layer.

        The model adds them to its training loss.

        Arguments:
            losses: a tensor or a list of tensors.
            inputs: the inputs the losses depend on (None: unconditional).
        """
        if losses is None:
            return
        losses = to_list(losses)
        self._losses += losses
        key = _inputs_key(inputs)
        self._per_input_losses.setdefault(key, []).extend(losses)

    def add_update(self, updates, inputs=None):
        """Adds variable updates (e.g. moving averages) to run at each training step.

        Arguments:
            updates: an update op (`K.update`, `K.moving_average_update`, ...) or a
                list of them.
            inputs: the inputs the updates depend on (None: unconditional).
        """
        if updates is None:
            return
        updates = to_list(updates)
        self._updates += updates
        key = _inputs_key(inputs)
        self._per_input_updates.setdefault(key, []).extend(updates)

    # A layer's losses and updates include those of its sublayers (an RNN's
    # cell, a wrapper's layer), each once: a wrapper also files what its layer
    # made under the wrapper's own inputs.

    @property
    def losses(self):
        """The losses added to the layer (and its sublayers) by `add_loss`."""
        losses = list(self._losses)
        for layer in self._layers:
            losses += layer.losses
        return _unique(losses)

    @property
    def updates(self):
        """The updates added to the layer (and its sublayers) by `add_update`
        (none when the layer is frozen and not stateful).
        """
        if not self.trainable and not self.stateful:
            return []
        updates = list(self._updates)
        for layer in self._layers:
            updates += layer.updates
        return _unique(updates)

    def get_losses_for(self, inputs):
        """The losses made for the call on `inputs`; with None the
        unconditional ones (weight regularisers), sublayers' included."""
        losses = list(self._per_input_losses.get(_inputs_key(inputs), []))
        if inputs is None:
            for layer in self._layers:
                losses += layer.get_losses_for(None)
        return _unique(losses)

    def get_updates_for(self, inputs):
        """The updates made for the call on `inputs`; with None the
        unconditional ones, sublayers' included."""
        updates = list(self._per_input_updates.get(_inputs_key(inputs), []))
        if inputs is None:
            for layer in self._layers:
                updates += layer.get_updates_for(None)
        return _unique(updates)

    # -- calling ------------------------------------------------------------------

    def assert_input_compatibility(self, inputs):
        """Checks the inputs against the layer's `input_spec`.

        Arguments:
            inputs: a tensor or a list of tensors.

        Raises:
            ValueError: if an input is not a symbolic tensor, or its rank, dtype
                or shape does not fit the spec.
        """
        inputs = to_list(inputs)
        for x in inputs:
            if not K.is_tensor(x):
                raise ValueError(f'Layer {self.name} was called with an input that is not a '
                                 f'symbolic tensor. Received type: {type(x)}. All inputs to '
                                 'the layer should be tensors.')
        if self.input_spec is None:
            return
        specs = to_list(self.input_spec)
        if len(inputs) != len(specs):
            raise ValueError(f'Layer {self.name} expects {len(specs)} inputs, but it received '
                             f'{len(inputs)} input tensors.')
        for i, (spec, x) in enumerate(zip(specs, inputs)):
            if spec is not None:
                _check_spec(self, i, spec, x)

    def __call__(self, inputs, **kwargs):
        self.assert_input_compatibility(inputs)
        input_list = to_list(inputs)
        input_shapes = [_keras_shape(x) for x in input_list]
        self._input_dtypes = [K.dtype(x) for x in input_list]
        if not self.built:
            self.build(unpack_singleton(input_shapes))
            self.built = True
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None
            self.assert_input_compatibility(inputs)
        if 'mask' in kwargs and not accepts_argument(self.call, 'mask'):
            kwargs.pop('mask')
        # Masks made by the layers before this one (Embedding(mask_zero=True), Masking).
        previous_mask = collect_previous_mask(input_list)
        user_kwargs = dict(kwargs)
        if any(m is not None for m in previous_mask) and 'mask' not in kwargs and \
                accepts_argument(self.call, 'mask'):
            kwargs['mask'] = unpack_singleton(previous_mask)
        mark = K.graph_mark()
        with K.name_scope(self.name):   # nodes remember their layer (errors name it)
            outputs = self.call(inputs, **kwargs)
        self._note_call_made(mark)
        out_list = to_list(outputs)
        # An output that is one of the inputs gets its own node, so each
        # tensor has one history.
        out_list = [K.identity(o) if any(o is x for x in input_list) else o for o in out_list]
        if _overrides(self, 'compute_output_shape'):
            output_shapes = to_list(self.compute_output_shape(unpack_singleton(input_shapes)))
            if len(output_shapes) != len(out_list) or not isinstance(output_shapes[0], tuple):
                output_shapes = [K.int_shape(o) for o in out_list]
        else:
            output_shapes = [K.int_shape(o) for o in out_list]
        for o, shape in zip(out_list, output_shapes):
            o._keras_shape = tuple(shape)
        regularizer = getattr(self, 'activity_regularizer', None)
        if regularizer is not None:
            self.add_loss([regularizer(o) for o in out_list], input_list)
        output_masks = self.compute_mask(inputs, unpack_singleton(previous_mask)
                                         if any(m is not None for m in previous_mask) else None)
        output_masks = _mask_list(output_masks, len(out_list))
        for o, m in zip(out_list, output_masks):
            o._keras_mask = m
        self._add_inbound_node(input_list, out_list, input_shapes, output_shapes, user_kwargs,
                               input_masks=previous_mask, output_masks=output_masks)
        # One output is returned as a tensor, even from a one-element list (Keras 2).
        return unpack_singleton(out_list)

    def _add_inbound_node(self, input_tensors, output_tensors, input_shapes, output_shapes,
                          arguments=None, input_masks=None, output_masks=None):
        layers, node_indices, tensor_indices = [], [], []
        for x in input_tensors:
            history = getattr(x, '_keras_history', None)
            layers.append(history[0] if history else None)
            node_indices.append(history[1] if history else None)
            tensor_indices.append(history[2] if history else None)
        Node(self, layers, node_indices, tensor_indices, list(input_tensors),
             list(output_tensors), list(input_shapes), list(output_shapes),
             input_masks=input_masks, output_masks=output_masks, arguments=arguments)
        node_index = len(self._inbound_nodes) - 1
        for i, o in enumerate(output_tensors):
            o._keras_history = (self, node_index, i)

    # -- node accessors -----------------------------------------------------------

    def _node_attr(self, node_index, attr, what):
        if not self._inbound_nodes:
            raise RuntimeError(f'The layer has never been called and thus has no defined '
                               f'{what}.')
        if not -len(self._inbound_nodes) <= node_index < len(self._inbound_nodes):
            raise ValueError(f'Asked to get {what} at node {node_index}, but the layer has '
                             f'only {len(self._inbound_nodes)} inbound nodes.')
        return unpack_singleton(getattr(self._inbound_nodes[node_index], attr))

    def get_input_at(self, node_index):
        """The input tensor(s) of the layer's `node_index`-th call.

        Raises:
            RuntimeError: if the layer has never been called.
            ValueError: if there is no such call.
        """
        return self._node_attr(node_index, 'input_tensors', 'input')

    def get_output_at(self, node_index):
        """The output tensor(s) of the layer's `node_index`-th call."""
        return self._node_attr(node_index, 'output_tensors', 'output')

    def get_input_shape_at(self, node_index):
        """The input shape(s) of the layer's `node_index`-th call."""
        return self._node_attr(node_index, 'input_shapes', 'input shape')

    def get_output_shape_at(self, node_index):
        """The output shape(s) of the layer's `node_index`-th call."""
        return self._node_attr(node_index, 'output_shapes', 'output shape')

    def get_input_mask_at(self, node_index):
        """The input mask(s) of the layer's `node_index`-th call."""
        return self._node_attr(node_index, 'input_masks', 'input mask')

    def get_output_mask_at(self, node_index):
        """The output mask(s) of the layer's `node_index`-th call."""
        return self._node_attr(node_index, 'output_masks', 'output mask')

    def _single_node_attr(self, attr, what):
        if not self._inbound_nodes:
            raise AttributeError(f'Layer {self.name} is not connected, no {what} to return.')
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f'Layer {self.name} has multiple inbound nodes, hence the '
                                 f'notion of "layer {what}" is ill-defined. Use '
                                 f'`get_{what.replace(" ", "_")}_at(node_index)` instead.')
        return self._node_attr(0, attr, what)

    @property
    def input(self):
        """The layer's input tensor(s), when it has been called exactly once.

        Raises:
            AttributeError: if the layer was never called or called several times.
        """
        return self._single_node_attr('input_tensors', 'input')

    @property
    def output(self):
        """The layer's output tensor(s), when it has been called exactly once.

        Raises:
            AttributeError: if the layer was never called or called several times.
        """
        return self._single_node_attr('output_tensors', 'output')

    @property
    def input_mask(self):
        """The layer's input mask, when it has been called exactly once."""
        return self._single_node_attr('input_masks', 'input mask')

    @property
    def output_mask(self):
        """The layer's output mask, when it has been called exactly once."""
        return self._single_node_attr('output_masks', 'output mask')

    def _shared_shape(self, attr, what):
        if not self._inbound_nodes:
            raise AttributeError(f'The layer {self.name} has never been called and thus has '
                                 f'no defined {what}.')
        shapes = {repr(getattr(n, attr)) for n in self._inbound_nodes}
        if len(shapes) != 1:
            raise AttributeError(f'The layer "{self.name}" has multiple inbound nodes with '
                                 f'different {what}s. Hence the notion of "{what}" is '
                                 f'ill-defined for the layer. Use `get_{what.replace(" ", "_")}'
                                 '_at(node_index)` instead.')
        return unpack_singleton(getattr(self._inbound_nodes[0], attr))

    @property
    def input_shape(self):
        """The layer's input shape, when all its calls had the same one.

        Raises:
            AttributeError: if the layer was never called, or called on different
                shapes.
        """
        return self._shared_shape('input_shapes', 'input shape')

    @property
    def output_shape(self):
        """The layer's output shape, when all its calls gave the same one.

        Raises:
            AttributeError: if the layer was never called, or its calls gave
                different shapes.
        """
        return self._shared_shape('output_shapes', 'output shape')


def collect_previous_mask(input_tensors):
    """The mask of each input tensor (None where it has none)."""
    masks = []
    for x in input_tensors:
        mask = getattr(x, '_keras_mask', None)
        if mask is None:
            history = getattr(x, '_keras_history', None)
            if history is not None:
                layer, node_index, tensor_index = history
                node = layer._inbound_nodes[node_index]
                mask = node.output_masks[tensor_index]
        masks.append(mask)
    return masks


def _mask_list(masks, n):
    """compute_mask's result as one entry per output."""
    if n == 1 and not isinstance(masks, (list, tuple)):
        return [masks]
    if masks is None:
        return [None] * n
    masks = list(masks) if isinstance(masks, (list, tuple)) else [masks]
    if len(masks) != n:
        masks = (masks + [None] * n)[:n]
    return masks


def _keras_shape(x):
    shape = getattr(x, '_keras_shape', None)
    return tuple(shape) if shape is not None else K.int_shape(x)


def _is_shape_list(shape):
    return isinstance(shape, list) and all(isinstance(s, (tuple, list)) or s is None
                                           for s in shape) and bool(shape) and \
        not all(s is None or isinstance(s, int) for s in shape)


def _inputs_key(inputs):
    if inputs is None:
        return None
    return tuple(id(x) for x in to_list(inputs))


def _overrides(layer, method):
    return getattr(type(layer), method) is not getattr(Layer, method)


def accepts_argument(fn, arg):
    """Whether the callable fn takes an argument named `arg`."""
    try:
        return arg in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
