"""clone_model: the same architecture with new layers (new weights)."""
from .input_layer import Input, InputLayer
from .node import to_list, unpack_singleton


def _clone_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def _as_input(x, name=None):
    """x itself when it is a Keras tensor, else an Input wrapping it."""
    if getattr(x, '_keras_history', None) is not None:
        return x
    return Input(tensor=x, name=name)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the architecture of `model` and new layers.

    The clone's weights are freshly initialized (copy them with
    `clone.set_weights(model.get_weights())`).

    Arguments:
        model: the model to clone.
        input_tensors: tensors to build the clone on, instead of new inputs.
        clone_function: a function `layer -> new layer` used for each layer
            (default: a new layer from the layer's config).

    Returns:
        The new model.

    Raises:
        ValueError: if `model` is not a model instance.
    """
    from .sequential import Sequential
    from .training import Model
    if not isinstance(model, Model):
        raise ValueError(f'clone_model: expected a Model instance, got {model!r}')
    if not model._is_graph_network:
        raise ValueError(f'clone_model: {type(model).__name__} is a subclassed model, whose '
                         'architecture is Python code; clone_model needs a functional or '
                         'Sequential model (as in Keras 2.3)')
    clone = clone_function or _clone_layer
    if isinstance(model, Sequential):
        layers = [clone(layer) for layer in model.layers]
        if input_tensors is not None:
            x = to_list(input_tensors)
            if len(x) != 1:
                raise ValueError('clone_model: a Sequential model takes one input tensor, '
                                 f'got {len(x)}')
            x = x[0]
            if getattr(x, '_keras_history', None) is not None:
                layers = [x._keras_history[0]] + layers
            else:
                layers = [InputLayer(input_tensor=x, name=f'input_wrapper_for_{model.name}')] \
                    + layers
        return Sequential(layers=layers, name=model.name)

    if input_tensors is None:
        new_inputs = [Input(batch_shape=layer.batch_input_shape, dtype=layer.dtype,
                            sparse=layer.sparse, name=layer.name)
                      for layer in model.input_layers]
    else:
        given = to_list(input_tensors)
        if len(given) != len(model.inputs):
            raise ValueError(f'clone_model: the model has {len(model.inputs)} inputs, but '
                             f'{len(given)} input tensors were given')
        new_inputs = [_as_input(x, name=f'input_wrapper_for_{layer.name}')
                      for x, layer in zip(given, model.input_layers)]
    tensors = {id(ref): x for ref, x in zip(model.inputs, new_inputs)}
    clones = {}
    for layer, n in model._node_order:
        if isinstance(layer, InputLayer):
            continue
        node = layer._inbound_nodes[n]
        if id(layer) not in clones:
            clones[id(layer)] = clone(layer)
        xs = [tensors[id(t)] for t in node.input_tensors]
        outs = to_list(clones[id(layer)](unpack_singleton(xs), **dict(node.arguments)))
        for ref, out in zip(node.output_tensors, outs):
            tensors[id(ref)] = out
    return Model(new_inputs, [tensors[id(o)] for o in model.outputs], name=model.name)
