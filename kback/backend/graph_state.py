"""Graph state: node ids, name counters and the learning phase of the session.

Every node gets an increasing id when it is created; inputs always exist
before the node that uses them, so sorting the reachable nodes by id is a
topological order (no recursion, no separate list to keep).
"""
import contextlib
import itertools
from collections import defaultdict

_node_ids = itertools.count(1)


class Graph:
    """Per-session state: name counters and the learning phase."""

    def __init__(self):
        self.uids = defaultdict(int)
        self.names = defaultdict(int)
        self.learning_phase_tensor = None   # created on first use
        self.learning_phase_value = None    # set by set_learning_phase


_graph = Graph()


def current_graph():
    return _graph


def clear_session():
    """Starts a new graph: name counters and the learning phase start over.

    Tensors and models made before keep working, but new layer names restart
    at `_1`.
    """
    global _graph
    _graph = Graph()


# The name scope nodes are built in ('model_1/dense_2' while Layer.__call__
# runs the layer's call): each node keeps it, so an error raised by the node
# in a compiled step can name the layer that built it.
scope = None


@contextlib.contextmanager
def name_scope(name):
    """A context manager: the nodes built in the block record the scope `name`.

    Scopes nest (`'model_1/dense_2'`); a node's scope names the layer that
    built it in error messages.

    Arguments:
        name: a string.

    Raises:
        TypeError: if `name` is not a string.
    """
    global scope
    if not isinstance(name, str):
        raise TypeError(f'name_scope: name must be a string, got {name!r}')
    outer = scope
    scope = name if outer is None else f'{outer}/{name}'
    try:
        yield scope
    finally:
        scope = outer


@contextlib.contextmanager
def scope_of(node):
    """Nodes built in the block record `node`'s scope (a gradient belongs to
    the layer of the node it differentiates)."""
    global scope
    outer, scope = scope, node.scope
    try:
        yield
    finally:
        scope = outer


def next_node_id():
    return next(_node_ids)


def get_uid(prefix=''):
    """A counter per prefix, for default names: 1 on the first call, then 2, ...

    Arguments:
        prefix: a string, e.g. a layer's snake-case class name.

    Returns:
        An int.
    """
    _graph.uids[prefix] += 1
    return _graph.uids[prefix]


def reset_uids():
    """Restarts the `get_uid` counters (the names of existing nodes are kept)."""
    _graph.uids.clear()


def unique_name(prefix):
    count = _graph.names[prefix]
    _graph.names[prefix] += 1
    return prefix if count == 0 else f'{prefix}_{count}'


def reachable(outputs, leaves=()):
    """All nodes the outputs depend on, in topological (creation) order.
    Nodes whose ids are in `leaves` are included but their inputs are not."""
    seen = {}
    stack = list(outputs)
    while stack:
        node = stack.pop()
        if node.id in seen:
            continue
        seen[node.id] = node
        if node.id not in leaves:
            stack.extend(node.inputs)
    return [seen[i] for i in sorted(seen)]
