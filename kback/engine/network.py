"""Network: a graph of layers from input tensors to output tensors.

Built by walking `_keras_history` back from the outputs (iteratively, no
recursion).  A network is itself a layer: calling it on new tensors reruns
its layers' `call` in topological order.
"""
from .. import backend as K
from .._version import __version__
from .base_layer import Layer, accepts_argument, _mask_list
from .input_layer import InputLayer
from .node import Node, to_list, unpack_singleton
from .tracking import unique


def _history(x, what):
    history = getattr(x, '_keras_history', None)
    if history is None:
        raise ValueError(f'{what} tensors to a Model must come from `kback.layers.Input` or '
                         f'from layers called on them. Received: {x!r} (missing layer '
                         'metadata).')
    return history


def map_graph(inputs, outputs):
    """(nodes in execution order, node depths, layers in Keras's order).

    Depth 0 is the output end; layers are listed from the deepest (inputs)
    up, ties in the order the walk first reached them, as Keras does."""
    input_ids = {id(x) for x in inputs}
    order, done, layer_index = [], set(), {}
    stack = [(*_history(x, 'Output')[:2], False) for x in reversed(outputs)]
    while stack:
        layer, node_index, expanded = stack.pop()
        key = (id(layer), node_index)
        if expanded:
            if key not in done:
                done.add(key)
                order.append((layer, node_index))
            continue
        if key in done:
            continue
        layer_index.setdefault(id(layer), len(layer_index))
        stack.append((layer, node_index, True))
        node = layer._inbound_nodes[node_index]
        if any(id(t) in input_ids for t in node.output_tensors):
            continue
        if not node.inbound_layers:
            raise ValueError(f'Graph disconnected: cannot obtain value for tensor '
                             f'{node.output_tensors[0].name} at layer "{layer.name}". The '
                             'following previous layers were accessed without issue: '
                             f'{[l.name for l, _ in order]}')
        for l, n in reversed(list(zip(node.inbound_layers, node.node_indices))):
            if l is None:
                raise ValueError(f'Layer {layer.name} was called on a tensor that does not '
                                 'come from a kback Input; a Model cannot start there.')
            stack.append((l, n, False))
    # A node is one deeper than its deepest consumer; a shared layer's
    # nodes are at least as deep as the layer's deepest node seen so far.
    depth, layer_depth, layers = {}, {}, {}
    for layer, node_index in reversed(order):
        key = (id(layer), node_index)
        d = max(depth.get(key, 0), layer_depth.get(id(layer), 0))
        depth[key] = layer_depth[id(layer)] = d
        layers[id(layer)] = layer
        node = layer._inbound_nodes[node_index]
        for l, n in zip(node.inbound_layers, node.node_indices):
            if l is not None and (id(l), n) in done:
                depth[(id(l), n)] = max(depth.get((id(l), n), 0), d + 1)
    ordered = sorted(layers.values(), key=lambda l: (-layer_depth[id(l)], layer_index[id(l)]))
    names = [l.name for l in ordered]
    for name in set(names):
        if names.count(name) > 1:
            raise ValueError(f'The name "{name}" is used {names.count(name)} times in the '
                             'model. All layer names should be unique.')
    return order, depth, ordered


class Network(Layer):
    """Functional model topology: `Network(inputs, outputs, name=None)`; or,
    given neither, a subclassed model (Keras 2.3): layers assigned as
    attributes in `__init__`, the forward pass in `call`, its graph built by
    `call` on Input tensors at the first data, `build(shape)` or call."""

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        if (inputs is None) != (outputs is None):
            raise TypeError(f'{type(self).__name__}: give both `inputs` and `outputs`, or '
                            'neither (a subclassed model with a `call` method)')
        super().__init__(name=name, **kwargs)
        if inputs is None:
            self._is_graph_network = False
            self.inputs, self.outputs = [], []
            self._functions = {}
            return
        self._init_graph(inputs, outputs)

    def __setattr__(self, name, value):
        if '_layers' not in self.__dict__ and any(
                isinstance(v, Layer) for v in (value if isinstance(value, (list, tuple))
                                               else [value])):
            raise RuntimeError(f'{type(self).__name__}: it looks like you are subclassing '
                               '`Model` and forgot to call `super().__init__()` before '
                               f'assigning the layer {name!r}. Always start with this line.')
        super().__setattr__(name, value)

    def _build_subclassed(self, inputs):
        """A subclassed model's graph: `call` on `inputs` (an Input tensor or
        a list of them)."""
        if type(self).call is Network.call:
            raise NotImplementedError(f'{type(self).__name__}: a subclassed model must '
                                      'implement call(inputs)')
        mark = K.graph_mark()
        outputs = to_list(self.call(inputs))
        self._note_call_made(mark)
        input_layers = [_history(x, 'Input')[0] for x in to_list(inputs)]
        # Bookkeeping, not sublayers: set past the attribute tracking.
        self.__dict__.update(
            _nested_inputs=inputs, inputs=to_list(inputs), outputs=outputs,
            input_layers=input_layers, input_names=[layer.name for layer in input_layers],
            output_layers=[], output_names=[f'output_{i + 1}' for i in range(len(outputs))],
            _feed_input_shapes=[K.int_shape(x) for x in to_list(inputs)],
            _feed_inputs=to_list(inputs), _feed_input_names=[l.name for l in input_layers],
            _node_order=[], _network_nodes=set(), _nodes_by_depth={}, _functions={})
        self.built = True

    def _rerun_call(self, inputs, training, collect, out_masks):
        """A subclassed model's graph on new input tensors: `call` again; the
        updates and losses its layers made on the way go to `collect`."""
        mark = K.graph_mark()
        kwargs = {'training': training} if training is not None and \
            accepts_argument(self.call, 'training') else {}
        nested = list(inputs) if isinstance(self._nested_inputs, (list, tuple)) else inputs[0]
        outputs = to_list(self.call(nested, **kwargs))
        if collect is not None:
            collect['updates'] += K.created_after(mark, Layer.updates.fget(self))
            collect['losses'] += K.created_after(mark, Layer.losses.fget(self))
        if out_masks is not None:
            out_masks[:] = [getattr(o, '_keras_mask', None) for o in outputs]
        return outputs

    def _init_graph(self, inputs, outputs):
        self._is_graph_network = True
        self._nested_inputs = inputs
        self.inputs = to_list(inputs)
        self.outputs = to_list(outputs)
        for x in self.inputs:
            layer, node_index, _ = _history(x, 'Input')
            if not isinstance(layer, InputLayer) or \
                    layer._inbound_nodes[node_index].inbound_layers:
                raise ValueError(f'Input tensors to a Model must be `Input` tensors; '
                                 f'{x.name} comes from layer {layer.name} '
                                 f'({type(layer).__name__}).')
        self.input_layers = [_history(x, 'Input')[0] for x in self.inputs]
        self.output_layers = [_history(x, 'Output')[0] for x in self.outputs]
        self.input_names = [l.name for l in self.input_layers]
        self.output_names = [l.name for l in self.output_layers]
        order, depth, layers = map_graph(self.inputs, self.outputs)
        self._node_order = order
        self._node_depth = depth
        self._network_nodes = {(id(l), n) for l, n in order}
        self._layers = layers
        self._nodes_by_depth = {}
        for layer, n in order:
            self._nodes_by_depth.setdefault(depth[(id(layer), n)], []).append(
                layer._inbound_nodes[n])
        self._is_graph_network = True
        self._add_self_node()
        self._functions = {}          # compiled train/test/predict functions
        self.built = True
        self.input_spec = None
        self._feed_input_shapes = [K.int_shape(x) for x in self.inputs]
        # The inputs fed at call time: an Input(tensor=...) holds its own value.
        self._feed_inputs = [x for x, layer in zip(self.inputs, self.input_layers)
                             if layer.is_placeholder]
        self._feed_input_names = [layer.name for layer in self.input_layers
                                  if layer.is_placeholder]

    def _add_self_node(self):
        """Node 0 links the network's own inputs to its outputs, as in Keras,
        so `model.input`, `model.output_shape`, ... work before any call."""
        nodes = [n for n in self._inbound_nodes if not getattr(n, '_is_self_node', False)]
        self._inbound_nodes = []
        node = Node(self, [], [], [], list(self.inputs), list(self.outputs),
                    [getattr(x, '_keras_shape', K.int_shape(x)) for x in self.inputs],
                    [getattr(x, '_keras_shape', K.int_shape(x)) for x in self.outputs])
        node._is_self_node = True
        self._inbound_nodes = [node] + nodes

    @property
    def layers(self):
        """The model's layers, in the order they were added to the graph."""
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """Returns one of the model's layers, by name or by index.

        Arguments:
            name: the layer's name (an int here is taken as the index).
            index: the layer's position in `model.layers` (bottom-up).

        Returns:
            A layer instance.

        Raises:
            ValueError: if no layer has that name or index, or neither is given.
        """
        if isinstance(name, int) and index is None:
            name, index = None, name
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f'Was asked to retrieve layer at index {index} but model only '
                                 f'has {len(self.layers)} layers.')
            return self.layers[index]
        if not name:
            raise ValueError('Provide either a layer name or layer index.')
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f'No such layer: {name}')

    # -- weights, losses and updates of the layers in this graph --------------------

    # A subclassed model may own variables itself (assigned as attributes);
    # a graph network's own lists are empty.

    @property
    def trainable_weights(self):
        """The trainable weight variables of all layers (none if the model is frozen)."""
        if not self.trainable:
            return []
        return unique(self._trainable_weights +
                      [w for l in self.layers for w in l.trainable_weights])

    def _ordered_weights(self):
        # Keras's Network.get_weights/set_weights go layer by layer (each
        # layer's trainable then non-trainable weights); model.weights lists
        # every trainable weight first.
        return [w for l in self.layers for w in l.weights] + \
            self._trainable_weights + self._non_trainable_weights

    @property
    def non_trainable_weights(self):
        """The non-trainable weight variables of all layers (every weight when the
        model is frozen with `trainable = False`).
        """
        weights = [w for l in self.layers for w in l.non_trainable_weights] + \
            self._non_trainable_weights
        if not self.trainable:
            weights = self._trainable_weights + \
                [w for l in self.layers for w in l.trainable_weights] + weights
        return unique(weights)

    def _per_node(self, what):
        """Losses or updates of the layers for the calls that are part of
        this graph, plus the unconditional ones."""
        if not self._is_graph_network:      # every call of its layers is the model's
            items = list(getattr(Layer, what).fget(self))
        else:
            items = list(getattr(Layer, f'get_{what}_for')(self, None))
            for layer in self.layers:
                getter = getattr(layer, f'get_{what}_for')
                if what == 'updates' and not layer.trainable and not layer.stateful:
                    continue
                items += getter(None)
                for n, node in enumerate(layer._inbound_nodes):
                    if (id(layer), n) in self._network_nodes:
                        items += getter(node.input_tensors)
        # Graphs the training engine built for itself are not the model's own.
        internal = self.__dict__.get('_internal_ids', set())
        return [x for x in unique(items) if id(x) not in internal]

    def _metric_records(self, nested=False):
        # A model's own add_metric values are tensors of its own inputs, which
        # a model that calls it as a layer cannot compute: that model takes
        # only the metrics of the layers (rerun on its inputs).
        records = super()._metric_records()
        return records[:len(records) - len(self._metric_values)] if nested else records

    @property
    def updates(self):
        """The update operations of the layers (e.g. BatchNormalization's moving
        averages) that belong to this model's graph.
        """
        # Keras 2.3: a frozen model has no updates (BatchNormalization's
        # moving averages stay as they are).
        if not self.trainable and not self.stateful:
            return []
        return self._per_node('updates')

    @property
    def losses(self):
        """The losses the layers added (regularization penalties, `add_loss`) that
        belong to this model's graph.
        """
        return self._per_node('losses')

    @property
    def stateful(self):
        """Whether any layer is stateful (a recurrent layer with `stateful=True`)."""
        return any(getattr(l, 'stateful', False) for l in getattr(self, '_layers', []))

    @stateful.setter
    def stateful(self, value):
        pass

    def reset_states(self):
        """Resets the states of the model's stateful layers."""
        for layer in self.layers:
            if hasattr(layer, 'reset_states') and getattr(layer, 'stateful', False):
                layer.reset_states()

    # -- calling on new inputs ------------------------------------------------------

    def call(self, inputs, training=None, mask=None):
        """Runs the model's layers on new input tensors.

        Arguments:
            inputs: a tensor or a list of tensors, one per model input.
            training: the learning phase to run the layers in (None: the global
                one).
            mask: a mask or list of masks for the inputs.

        Returns:
            The output tensor, or a list of them.
        """
        inputs = to_list(inputs)
        masks = to_list(mask) if mask is not None else None
        out_masks = []
        outputs = self.run_internal_graph(inputs, training, masks=masks, out_masks=out_masks)
        self.__dict__.setdefault('_mask_cache', {})[_ids(inputs)] = out_masks
        return unpack_singleton(outputs)

    def compute_mask(self, inputs, mask=None):
        """The masks of the outputs when the graph runs on `inputs` with `mask`."""
        inputs = to_list(inputs)
        cached = self.__dict__.get('_mask_cache', {}).pop(_ids(inputs), None)
        if cached is not None:
            return unpack_singleton(cached)
        if mask is None or all(m is None for m in to_list(mask)):
            if all(getattr(o, '_keras_mask', None) is None for o in self.outputs):
                return None
        out_masks = []
        self.run_internal_graph(inputs, None, masks=to_list(mask) if mask is not None
                                else None, out_masks=out_masks, collect={'updates': [],
                                                                         'losses': []})
        return unpack_singleton(out_masks)

    def compute_output_shape(self, input_shape):
        """The output shape(s) for the given input shape(s).

        Arguments:
            input_shape: a shape tuple, or a list of them for several inputs.

        Returns:
            A shape tuple, or a list of them for several outputs.
        """
        shapes = to_list(input_shape) if len(self.inputs) > 1 else [input_shape]
        if [tuple(s) for s in shapes] == self._feed_input_shapes:
            return unpack_singleton([getattr(o, '_keras_shape', K.int_shape(o))
                                     for o in self.outputs])
        holders = [K.placeholder(shape=s, dtype=x.dtype) for s, x in zip(shapes, self.inputs)]
        return unpack_singleton([K.int_shape(o) for o in self.run_internal_graph(holders)])

    def run_internal_graph(self, inputs, training=None, collect=None, masks=None,
                           out_masks=None):
        """The graph rerun on new input tensors; `collect` (a dict of lists)
        receives the updates and losses the layers made on the way.  Masks
        travel along (`masks`: one per input; `out_masks` receives the
        outputs' masks)."""
        if not self._is_graph_network:
            return self._rerun_call(inputs, training, collect, out_masks)
        if len(inputs) != len(self.inputs):
            raise ValueError(f'Model {self.name} expects {len(self.inputs)} inputs, but it '
                             f'received {len(inputs)} input tensors.')
        computed = {id(ref): x for ref, x in zip(self.inputs, inputs)}
        if masks is None:
            masks = [getattr(x, '_keras_mask', None) for x in inputs]
        computed_masks = {id(ref): m for ref, m in zip(self.inputs, masks)}
        for layer, n in self._node_order:
            node = layer._inbound_nodes[n]
            if all(id(t) in computed for t in node.output_tensors):
                continue
            xs = [computed[id(t)] for t in node.input_tensors]
            in_masks = [computed_masks.get(id(t)) for t in node.input_tensors]
            has_mask = any(m is not None for m in in_masks)
            kwargs = dict(node.arguments)
            if training is not None and 'training' not in kwargs and \
                    _accepts_training(layer):
                kwargs['training'] = training
            if has_mask and 'mask' not in kwargs and accepts_argument(layer.call, 'mask'):
                kwargs['mask'] = unpack_singleton(in_masks)
            with K.name_scope(layer.name):    # nodes remember their layer (errors name it)
                outs = to_list(layer.call(unpack_singleton(xs), **kwargs))
            outs_masks = _mask_list(layer.compute_mask(
                unpack_singleton(xs), unpack_singleton(in_masks) if has_mask else None),
                len(outs))
            # Updates and losses the layer made for these inputs belong to this call.
            updates, losses = layer.get_updates_for(xs), layer.get_losses_for(xs)
            regularizer = getattr(layer, 'activity_regularizer', None)
            if regularizer is not None:
                losses = losses + [regularizer(o) for o in outs]
            if collect is None:
                self.add_update(updates, inputs)
                self.add_loss(losses, inputs)
            else:
                if layer.trainable or getattr(layer, 'stateful', False):
                    collect['updates'] += updates
                collect['losses'] += losses
            for ref, out, m in zip(node.output_tensors, outs, outs_masks):
                out._keras_shape = getattr(ref, '_keras_shape', K.int_shape(out)) \
                    if _same_batchless(ref, out) else K.int_shape(out)
                out._keras_mask = m
                computed[id(ref)] = out
                computed_masks[id(ref)] = m
        if out_masks is not None:
            out_masks[:] = [computed_masks.get(id(o)) for o in self.outputs]
        return [computed[id(o)] for o in self.outputs]

    # With inputs=None: the unconditional ones of the layers, then the model's
    # own (model.add_loss(tensor) on the model's tensors, as the VAE examples do).

    def get_updates_for(self, inputs):
        """The layers' updates made for these inputs (None: the unconditional ones)."""
        if inputs is not None:
            return super().get_updates_for(inputs)
        return unique([u for l in self.layers for u in l.get_updates_for(None)] +
                      super().get_updates_for(None))

    def get_losses_for(self, inputs):
        """The layers' losses made for these inputs (None: the unconditional ones)."""
        if inputs is not None:
            return super().get_losses_for(inputs)
        return unique([x for l in self.layers for x in l.get_losses_for(None)] +
                      super().get_losses_for(None))

    # -- configuration ----------------------------------------------------------------

    def get_config(self):
        """The model's configuration: its layers, their connections, inputs and outputs.

        Returns:
            A JSON-serializable dict that `from_config` turns back into the model
            (without its weights).
        """
        if not self._is_graph_network:
            # Keras 2.3: a subclassed model has no config (so no save_model or
            # pickling); save_weights/load_weights work.
            raise NotImplementedError(f'{type(self).__name__} is a subclassed model: its '
                                      'architecture is Python code, which has no config. '
                                      'Use save_weights/load_weights.')
        layer_configs = []
        for layer in self.layers:
            kept = {}
            filtered = []
            for n, node in enumerate(layer._inbound_nodes):
                if (id(layer), n) in self._network_nodes:
                    kept[n] = len(kept)
                    filtered.append(node)
            inbound = []
            for node in filtered:
                if not node.inbound_layers:
                    continue
                node_data = []
                for l, n, t in zip(node.inbound_layers, node.node_indices, node.tensor_indices):
                    node_data.append([l.name, self._relevant_index(l, n), t,
                                      _serializable(node.arguments)])
                inbound.append(node_data)
            layer_configs.append({'name': layer.name, 'class_name': type(layer).__name__,
                                  'config': layer.get_config(), 'inbound_nodes': inbound})
        return {'name': self.name, 'layers': layer_configs,
                'input_layers': [self._endpoint(x) for x in self.inputs],
                'output_layers': [self._endpoint(x) for x in self.outputs]}

    def _relevant_index(self, layer, node_index):
        """The node's index among the layer's nodes that belong to this graph."""
        kept = [n for n in range(len(layer._inbound_nodes))
                if (id(layer), n) in self._network_nodes]
        # A network's node 0 is its own input->output link, rebuilt by from_config.
        offset = 1 if isinstance(layer, Network) else 0
        return kept.index(node_index) + offset if node_index in kept else node_index

    def _endpoint(self, x):
        layer, n, t = x._keras_history
        return [layer.name, self._relevant_index(layer, n), t]

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Builds a model from the dict made by `get_config`.

        Arguments:
            config: the configuration dict.
            custom_objects: a dict mapping names to the custom layers and
                functions the configuration uses.

        Returns:
            A new model, with freshly initialized weights.
        """
        from ..layers import deserialize as deserialize_layer
        created = {}
        pending = []          # (layer, inbound node data) waiting for their inputs

        def try_node(layer, node_data):
            xs = []
            kwargs = {}
            for name, n, t, *rest in node_data:
                source = created[name]
                if len(source._inbound_nodes) <= n:
                    return False
                xs.append(to_list(source._inbound_nodes[n].output_tensors)[t])
                kwargs = rest[0] if rest else {}
            layer(unpack_singleton(xs), **(kwargs or {}))
            return True

        for layer_data in config['layers']:
            layer = deserialize_layer({'class_name': layer_data['class_name'],
                                       'config': layer_data['config']},
                                      custom_objects=custom_objects)
            created[layer_data['name']] = layer
            for node_data in layer_data['inbound_nodes']:
                pending.append((layer, node_data))
        while pending:
            progress = [item for item in pending if item[0] is not None]
            remaining = []
            for layer, node_data in progress:
                if not all(name in created for name, *_ in node_data) or \
                        not try_node(layer, node_data):
                    remaining.append((layer, node_data))
            if len(remaining) == len(pending):
                raise ValueError('Model.from_config: could not connect layers '
                                 f'{sorted({l.name for l, _ in remaining})}')
            pending = remaining

        def endpoint(name, n, t):
            return to_list(created[name]._inbound_nodes[n].output_tensors)[t]
        inputs = [endpoint(*e) for e in config['input_layers']]
        outputs = [endpoint(*e) for e in config['output_layers']]
        return cls(inputs=inputs, outputs=outputs, name=config.get('name'))

    def to_json(self, **kwargs):
        """The model's architecture as a JSON string (no weights).

        `kback.models.model_from_json` builds the model back.

        Arguments:
            **kwargs: passed to `json.dumps` (e.g. `indent=2`).

        Returns:
            A JSON string.
        """
        import json
        return json.dumps({'class_name': type(self).__name__, 'config': self.get_config(),
                           'keras_version': __version__, 'backend': 'kback'},
                          default=_json_default, **kwargs)

    def to_yaml(self, **kwargs):
        """The model's architecture as a YAML string (no weights); needs pyyaml.

        `kback.models.model_from_yaml` builds the model back.

        Arguments:
            **kwargs: passed to `yaml.dump`.

        Returns:
            A YAML string.

        Raises:
            ImportError: if pyyaml is not installed.
        """
        from .saving import to_yaml
        return to_yaml(self, **kwargs)

    def summary(self, line_length=None, positions=None, print_fn=None):
        """Prints a table of the model's layers, output shapes and parameter counts.

        Arguments:
            line_length: the width of the table in characters.
            positions: where each column ends, as fractions of the width or as
                absolute positions.
            print_fn: the function that prints each line (default `print`), e.g.
                to write the summary to a log.

        Raises:
            ValueError: if the model is not built yet (no input shape known).
        """
        if not self.built:
            raise ValueError('This model has not yet been built. Build the model first by '
                             'calling build() or calling fit() with some data. Or specify '
                             'input_shape or batch_input_shape in the first layer for '
                             'automatic build.')
        from ..utils.layer_utils import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)


def _ids(tensors):
    return tuple(id(t) for t in tensors)


def _accepts_training(layer):
    return accepts_argument(layer.call, 'training')


def _same_batchless(ref, out):
    return K.int_shape(ref)[1:] == K.int_shape(out)[1:]


def _serializable(arguments):
    return {k: v for k, v in (arguments or {}).items() if not K.is_tensor(v)}


def _json_default(obj):
    import numpy as np
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if callable(obj) and hasattr(obj, '__name__'):
        return obj.__name__
    raise TypeError(f'Not JSON serializable: {obj!r}')
