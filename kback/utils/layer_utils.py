"""model.summary() in Keras 2's table format, and parameter counting."""
import numpy as np

from .. import backend as K


def count_params(weights):
    """Total size of the distinct weights in the list."""
    seen = {id(w): w for w in weights}
    return int(sum(np.prod(K.int_shape(w), dtype=np.int64) for w in seen.values()))


def _sequential_like(model):
    if type(model).__name__ == 'Sequential' or not getattr(model, '_is_graph_network', True):
        return True
    nodes = []
    for group in model._nodes_by_depth.values():
        if len(group) > 1 or (len(group) == 1 and len(group[0].inbound_layers) > 1):
            return False
        nodes += group
    for layer in model.layers:     # a layer used twice makes it a graph
        if sum(1 for node in layer._inbound_nodes if any(node is n for n in nodes)) > 1:
            return False
    return True


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Prints a table of a model's layers, output shapes and parameter counts.

    What `model.summary()` prints; a sequential-like model gets a short table,
    others also a "Connected to" column.

    Arguments:
        model: a model.
        line_length: the width of the table in characters.
        positions: where each column ends, as fractions of the width or as
            absolute positions.
        print_fn: the function that prints each line (default `print`).
    """
    print_fn = print_fn or print
    sequential_like = _sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [.45, .85, 1.]
        headers = ['Layer (type)', 'Output Shape', 'Param #']
    else:
        line_length = line_length or 98
        positions = positions or [.33, .55, .67, 1.]
        headers = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to']
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    relevant = None
    if not sequential_like:
        relevant = {id(node) for group in model._nodes_by_depth.values() for node in group}

    def print_row(fields):
        line = ''
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + ' '
            line += str(field)
            line = line[:positions[i]]
            line += ' ' * (positions[i] - len(line))
        print_fn(line)

    print_fn(f'Model: "{model.name}"')
    print_fn('_' * line_length)
    print_row(headers)
    print_fn('=' * line_length)
    layers = model.layers
    for i, layer in enumerate(layers):
        try:
            output_shape = layer.output_shape
        except (AttributeError, RuntimeError):
            output_shape = 'multiple'
        name = f'{layer.name} ({type(layer).__name__})'
        if sequential_like:
            print_row([name, output_shape, layer.count_params()])
        else:
            connections = []
            for node in layer._inbound_nodes:
                if id(node) not in relevant:
                    continue
                for l, n, t in zip(node.inbound_layers, node.node_indices, node.tensor_indices):
                    connections.append(f'{l.name}[{n}][{t}]')
            print_row([name, output_shape, layer.count_params(),
                       connections[0] if connections else ''])
            for extra in connections[1:]:
                print_row(['', '', '', extra])
        print_fn(('=' if i == len(layers) - 1 else '_') * line_length)
    trainable = count_params(getattr(model, '_collected_trainable_weights',
                                     model.trainable_weights))
    non_trainable = count_params(model.non_trainable_weights)
    print_fn(f'Total params: {trainable + non_trainable:,}')
    print_fn(f'Trainable params: {trainable:,}')
    print_fn(f'Non-trainable params: {non_trainable:,}')
    print_fn('_' * line_length)


def get_source_inputs(tensor, layer=None, node_index=None):
    """The model inputs a tensor was computed from.

    Arguments:
        tensor: a Keras tensor.
        layer: the layer to start from (default: the tensor's own).
        node_index: the node of that layer to start from.

    Returns:
        A list of input tensors (outputs of `InputLayer` layers), in the order they
        are first reached, without repeats.
    """
    if layer is None or node_index is None:
        history = getattr(tensor, '_keras_history', None)
        if history is None:
            raise ValueError(f'get_source_inputs: {tensor!r} does not come from a Keras layer')
        layer, node_index, _ = history
    found, seen = [], set()
    stack = [(layer, node_index, tensor)]
    while stack:
        layer, node_index, t = stack.pop()
        node = layer._inbound_nodes[node_index]
        if not node.inbound_layers:
            sources = node.input_tensors if t is None else [t]
            for x in sources:
                if id(x) not in seen:
                    seen.add(id(x))
                    found.append(x)
            continue
        parents = list(zip(node.inbound_layers, node.node_indices, node.input_tensors))
        for l, n, x in reversed(parents):
            stack.append((l, n, x))
    return found


def convert_all_kernels_in_model(model):
    """Flips the spatial axes of every convolution kernel of a model.

    For weights trained with a backend that convolves instead of correlating.

    Arguments:
        model: a model; its kernels are changed in place.
    """
    from .conv_utils import convert_kernel
    for layer in model.layers:
        name = type(layer).__name__
        if name.startswith('Conv') or name in ('Convolution1D', 'Convolution2D',
                                               'Deconvolution2D', 'Deconv2D'):
            kernel = getattr(layer, 'kernel', None)
            if kernel is not None:
                K.set_value(kernel, convert_kernel(K.get_value(kernel)))


def convert_dense_weights_data_format(dense, previous_feature_map_shape,
                                      target_data_format='channels_first'):
    """Reorders the kernel rows of a Dense layer that follows a Flatten, for a
    model moving between data formats: the Flatten of a (h, w, c) feature map
    lists values in another order than that of a (c, h, w) one.

    Arguments:
        dense: the Dense layer (built) right after the Flatten.
        previous_feature_map_shape: the feature map's shape before Flatten,
            without the batch axis, in the *target* data format.
        target_data_format: 'channels_first' (the weights came from a
            channels_last model) or 'channels_last' (the other way).

    Raises:
        ValueError: for another data format, or a shape whose size is not the
            kernel's number of rows."""
    if target_data_format not in ('channels_last', 'channels_first'):
        raise ValueError(f"convert_dense_weights_data_format: target_data_format must be "
                         f"'channels_last' or 'channels_first', got {target_data_format!r}")
    shape = tuple(int(d) for d in previous_feature_map_shape)
    weights = dense.get_weights()
    kernel = weights[0]
    if len(shape) != 3 or int(np.prod(shape)) != kernel.shape[0]:
        raise ValueError(f'convert_dense_weights_data_format: previous_feature_map_shape '
                         f'{shape} must be a 3-D shape whose size is the kernel\'s '
                         f'{kernel.shape[0]} rows (kernel shape {kernel.shape})')
    if target_data_format == 'channels_first':
        c, h, w = shape
        # Rows were in (h, w, c) order; put them in (c, h, w) order.
        rows = kernel.reshape(h, w, c, -1).transpose(2, 0, 1, 3)
    else:
        h, w, c = shape
        rows = kernel.reshape(c, h, w, -1).transpose(1, 2, 0, 3)
    weights[0] = rows.reshape(kernel.shape)
    dense.set_weights(weights)
