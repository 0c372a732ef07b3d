"""Node: one call of a layer on Keras tensors, the edge list of the layer graph.

Each output tensor of a call carries `_keras_history = (layer, node_index,
tensor_index)`, which is all the functional API needs to walk back from
outputs to inputs.
"""


def to_list(x):
    """A list of x (x itself when already a list or tuple)."""
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def unpack_singleton(x):
    return x[0] if isinstance(x, list) and len(x) == 1 else x


class Node:
    def __init__(self, outbound_layer, inbound_layers, node_indices, tensor_indices,
                 input_tensors, output_tensors, input_shapes, output_shapes,
                 input_masks=None, output_masks=None, arguments=None):
        self.outbound_layer = outbound_layer
        self.inbound_layers = inbound_layers
        self.node_indices = node_indices
        self.tensor_indices = tensor_indices
        self.input_tensors = input_tensors
        self.output_tensors = output_tensors
        self.input_shapes = input_shapes
        self.output_shapes = output_shapes
        self.input_masks = input_masks or [None] * len(input_tensors)
        self.output_masks = output_masks or [None] * len(output_tensors)
        self.arguments = arguments or {}
        for layer in inbound_layers:
            if layer is not None:
                layer._outbound_nodes.append(self)
        outbound_layer._inbound_nodes.append(self)

    def get_config(self):
        return {'outbound_layer': self.outbound_layer.name,
                'inbound_layers': [l.name if l is not None else None for l in self.inbound_layers],
                'node_indices': self.node_indices,
                'tensor_indices': self.tensor_indices}
