"""plot_model and model_to_dot: a model's layer graph drawn with Graphviz.

pydot (which builds the graph) and Graphviz's `dot` program (which renders it)
are optional: `pip install 'kback[plot]'` brings pydot; Graphviz comes from the
system's package manager.  `model_to_dot` needs only pydot; `plot_model` also
needs `dot`.
"""
import os


def _pydot():
    try:
        import pydot
    except ImportError as e:
        raise ImportError('Failed to import `pydot`. Please install `pydot`, for example '
                          "with `pip install pydot` (or `pip install 'kback[plot]'`).") from e
    return pydot


def _check_graphviz(pydot):
    try:
        # Rendering an empty graph runs `dot`, or fails to find it.
        pydot.Dot.create(pydot.Dot())
    except (OSError, FileNotFoundError) as e:
        raise OSError('`pydot` failed to call GraphViz. Please install GraphViz '
                      '(https://www.graphviz.org/) and ensure that its executables are in '
                      'the $PATH.') from e


def is_model(layer):
    """Whether `layer` is a model (a graph of layers)."""
    return hasattr(layer, '_network_nodes') and hasattr(layer, '_layers')


def _wrapped(layer):
    """The layer a wrapper (TimeDistributed, Bidirectional...) holds, else None."""
    inner = getattr(layer, 'layer', None)
    return inner if hasattr(inner, '_inbound_nodes') else None


def is_wrapped_model(layer):
    """Whether `layer` is a wrapper around a model."""
    inner = _wrapped(layer)
    return inner is not None and is_model(inner)


def add_edge(dot, src, dst):
    """Adds the edge src -> dst (node names) to `dot` unless it is there."""
    if not dot.get_edge(src, dst):
        dot.add_edge(_pydot().Edge(src, dst))


def _shape_text(layer, attr, plural):
    try:
        return str(getattr(layer, attr))
    except AttributeError:
        shapes = getattr(layer, plural, None)
        return ', '.join(str(s) for s in shapes) if shapes else 'multiple'


def _label(layer, show_shapes, show_layer_names):
    name, class_name = layer.name, type(layer).__name__
    inner = _wrapped(layer)
    if inner is not None:
        name = f'{name}({inner.name})'
        class_name = f'{class_name}({type(inner).__name__})'
    label = f'{name}: {class_name}' if show_layer_names else class_name
    if show_shapes:
        inputs = _shape_text(layer, 'input_shape', 'input_shapes')
        outputs = _shape_text(layer, 'output_shape', 'output_shapes')
        label = '%s\n|{input:|output:}|{{%s}|{%s}}' % (label, inputs, outputs)
    return label


def model_to_dot(model, show_shapes=False, show_layer_names=True, rankdir='TB',
                 expand_nested=False, dpi=96, subgraph=False):
    """The model's layer graph as a `pydot.Dot` (or a `pydot.Cluster` when
    `subgraph`): one record node per layer, one edge per connection inside the
    model.

    Arguments:
        model: a built Model or Sequential.
        show_shapes: add each layer's input and output shapes to its node.
        show_layer_names: label nodes 'name: ClassName' rather than 'ClassName'.
        rankdir: Graphviz's rankdir: 'TB' (vertical) or 'LR' (horizontal).
        expand_nested: draw a nested model (or a wrapped one) as a cluster of
            its own layers instead of one node.
        dpi: the image's dots per inch.
        subgraph: return a `pydot.Cluster` (used for nested models).

    Returns:
        A `pydot.Dot` or `pydot.Cluster`.

    Raises:
        ImportError: pydot is not installed.
        ValueError: a Sequential model that is not built yet."""
    pydot = _pydot()
    if not getattr(model, 'built', True) or not getattr(model, '_layers', None):
        raise ValueError(f'model_to_dot: the model "{model.name}" is not built yet: give its '
                         f'first layer an input_shape, or call it on data first.')
    if subgraph:
        dot = pydot.Cluster(style='dashed', graph_name=model.name)
        dot.set('label', model.name)
        dot.set('labeljust', 'l')
    else:
        dot = pydot.Dot()
        dot.set('rankdir', rankdir)
        dot.set('concentrate', True)
        dot.set('dpi', dpi)
        dot.set_node_defaults(shape='record')

    # For an expanded model: the cluster's first and last node names.
    entry, exit_ = {}, {}
    for layer in model._layers:
        nested = layer if is_model(layer) else _wrapped(layer)
        if expand_nested and nested is not None and is_model(nested):
            cluster = model_to_dot(nested, show_shapes, show_layer_names, rankdir,
                                   expand_nested, subgraph=True)
            nodes = cluster.get_nodes()
            entry[id(layer)], exit_[id(layer)] = nodes[0].get_name(), nodes[-1].get_name()
            dot.add_subgraph(cluster)
            if nested is layer:
                continue                    # the cluster stands for the model
        dot.add_node(pydot.Node(str(id(layer)), label=_label(layer, show_shapes,
                                                             show_layer_names)))

    for layer in model._layers:
        for i, node in enumerate(layer._inbound_nodes):
            if (id(layer), i) not in model._network_nodes:
                continue
            for inbound in node.inbound_layers:
                src = exit_.get(id(inbound), str(id(inbound)))
                if id(layer) in entry and is_model(layer):
                    add_edge(dot, src, entry[id(layer)])
                    continue
                add_edge(dot, src, str(id(layer)))
                if id(layer) in entry:       # a wrapper, then its expanded model
                    add_edge(dot, str(id(layer)), entry[id(layer)])
    return dot


def plot_model(model, to_file='model.png', show_shapes=False, show_layer_names=True,
               rankdir='TB', expand_nested=False, dpi=96):
    """Draws the model's layer graph into `to_file`, whose extension names the
    image format (png when it has none).

    Arguments:
        model: a built Model or Sequential.
        to_file: the image's path; its extension names the format.
        show_shapes: add each layer's input and output shapes to its node.
        show_layer_names: label nodes 'name: ClassName' rather than 'ClassName'.
        rankdir: Graphviz's rankdir: 'TB' (vertical) or 'LR' (horizontal).
        expand_nested: draw nested models as clusters of their layers.
        dpi: the image's dots per inch.

    Returns:
        An `IPython.display.Image` of the file when IPython is installed, else None.

    Raises:
        ImportError: pydot is not installed.
        OSError: Graphviz's `dot` program cannot be run."""
    pydot = _pydot()
    _check_graphviz(pydot)
    dot = model_to_dot(model, show_shapes, show_layer_names, rankdir, expand_nested, dpi)
    extension = os.path.splitext(to_file)[1][1:] or 'png'
    dot.write(to_file, format=extension)
    try:
        from IPython import display
    except ImportError:
        return None
    return display.Image(filename=to_file)
