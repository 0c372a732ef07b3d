"""The import rules of DESIGN.md, read from the source with `ast`.

Every import counts, at module level or inside a function, `import x` or
`from x import y`, relative or absolute:
1. a module imports only modules of its own layer or of layers below it;
2. no module reaches into another package's private modules or names (those
   whose name starts with `_`): they serve their own package (and its
   subpackages) only.  `kback_core` is a package of its own, used only by
   kback.backend._kernels, which may use all of it;
3. above the backend, modules see it only as `kback.backend` (the K API);
4. kback.backend has no import cycle.
"""
import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Low to high: a module's layer is that of the longest prefix that names it.
LAYERS = [
    ('compiled kernels', ['kback_core']),
    ('backend foundations', ['kback.backend.config', 'kback.backend._dtypes',
                             'kback.backend._shapes', 'kback.backend._reference',
                             'kback.backend.graph_state']),
    ('kernel wrappers', ['kback.backend._kernels']),
    ('op layer', ['kback.backend.tensor', 'kback.backend.ops']),
    ('graph and executor', ['kback.backend.autodiff', 'kback.backend.executor']),
    ('K API', ['kback.backend']),
    # Helpers every Keras-level module uses; they import only K.
    ('Keras helpers', ['kback.utils', 'kback._version']),
    # Each uses only K and the helpers: none imports another of them, the engine or layers.
    ('Keras leaves', ['kback.activations', 'kback.initializers', 'kback.regularizers',
                      'kback.constraints', 'kback.losses', 'kback.optimizers',
                      'kback.callbacks']),
    # A Metric is a Layer (Keras 2.3), and compile() builds Metrics: one layer.
    ('engine and layers', ['kback.engine', 'kback.layers', 'kback.metrics']),
    ('the rest', ['kback']),
]

# Edges (importer, imported) that other branches of issue 10 remove; the
# merge empties this set (a listed edge that no longer exists fails below).
KNOWN_VIOLATIONS = set()
# Import edges that close a cycle in kback.backend, left to the same merge.
KNOWN_CYCLE_EDGES = set()


def _modules():
    """{module name: path} of every Python module of kback and kback_core."""
    found = {}
    for top in ('kback', 'kback_core'):
        for folder, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if f.endswith('.py'):
                    path = os.path.join(folder, f)
                    name = os.path.relpath(path, ROOT)[:-3].replace(os.sep, '.')
                    found[name[:-len('.__init__')] if name.endswith('.__init__') else name] = path
    return found


MODULES = _modules()
PACKAGES = {m for m, p in MODULES.items() if p.endswith('__init__.py')}


def _imports(module, path):
    """(line, imported module, imported name or None) for each import in the file;
    `from package import submodule` counts as an import of the submodule."""
    tree = ast.parse(open(path).read(), path)
    package = module if module in PACKAGES else module.rpartition('.')[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition('.')[0]
                target = f'{base}.{node.module}' if node.module else base
            else:
                target = node.module
            for alias in node.names:
                if f'{target}.{alias.name}' in MODULES:
                    yield node.lineno, f'{target}.{alias.name}', None
                else:
                    yield node.lineno, target, alias.name


def _edges():
    """(importer, line, imported module, name) within kback and kback_core."""
    for module, path in sorted(MODULES.items()):
        for line, target, name in _imports(module, path):
            if target.split('.')[0] in ('kback', 'kback_core'):
                yield module, line, target, name


EDGES = list(_edges())


def _layer(module):
    best, rank = None, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + '.')) and \
                    (best is None or len(p) > len(best)):
                best, rank = p, i
    return rank


def _where(module, line):
    return f'{os.path.relpath(MODULES[module], ROOT)}:{line}'


def _within(module, package):
    return module == package or module.startswith(package + '.')


def _private_owner(target, name):
    """The package a private module or name belongs to, or None if public."""
    parts = target.split('.')
    for i, part in enumerate(parts):
        if part.startswith('_'):
            return '.'.join(parts[:i])
    if name is not None and name.startswith('_'):
        return target if target in PACKAGES else target.rpartition('.')[0]
    return None


def _violations():
    found = []
    for module, line, target, name in EDGES:
        what = target + (f' ({name})' if name else '')
        here = _where(module, line)
        if _layer(target) > _layer(module):
            found.append((module, target, f'{here}: {module} ({LAYERS[_layer(module)][0]}) '
                          f'imports {what} ({LAYERS[_layer(target)][0]}), a higher layer'))
        if target.split('.')[0] == 'kback_core':
            if not (_within(module, 'kback_core') or _within(module, 'kback.backend._kernels')):
                found.append((module, target, f'{here}: {module} imports {what}; only '
                              'kback.backend._kernels may use kback_core'))
            continue
        owner = _private_owner(target, name)
        if owner is not None and not _within(module, owner):
            found.append((module, target, f'{here}: {module} reaches into {what}, '
                          f'private to {owner}'))
        if _layer(module) > _layer('kback.backend') and _within(target, 'kback.backend') \
                and target != 'kback.backend':
            found.append((module, target, f'{here}: {module} imports {what}; above the '
                          'backend only `kback.backend` (K) may be imported'))
    return found


def test_every_module_has_a_layer():
    assert all(_layer(m) is not None for m in MODULES), \
        sorted(m for m in MODULES if _layer(m) is None)


def test_imports_go_down_and_stay_public():
    problems = [msg for module, target, msg in _violations()
                if (module, target) not in KNOWN_VIOLATIONS]
    assert not problems, 'import rules broken:\n' + '\n'.join(problems)


def test_known_violations_still_exist():
    """A fixed edge must leave KNOWN_VIOLATIONS, so the sets stay true."""
    present = {(module, target) for module, target, _ in _violations()}
    assert not KNOWN_VIOLATIONS - present, \
        f'fixed, remove from KNOWN_VIOLATIONS: {sorted(KNOWN_VIOLATIONS - present)}'
    edges = {(module, target) for module, _, target, _ in EDGES}
    assert not KNOWN_CYCLE_EDGES - edges, \
        f'gone, remove from KNOWN_CYCLE_EDGES: {sorted(KNOWN_CYCLE_EDGES - edges)}'


def test_ops_are_registered_in_the_op_table():
    outside = [f'{_where(module, line)}: {module} registers ops outside kback.backend.ops'
               for module, line, target, name in EDGES
               if name == 'register' and _within(target, 'kback.backend.ops')
               and not _within(module, 'kback.backend.ops')]
    assert not outside, '\n'.join(outside)


def _cycle(graph):
    """One cycle of the directed graph {node: set of nodes}, or None."""
    state, stack = {}, []

    def visit(start):
        work = [(start, iter(sorted(graph.get(start, ()))))]
        state[start] = 'open'
        stack.append(start)
        while work:
            node, children = work[-1]
            for child in children:
                if state.get(child) == 'open':
                    return stack[stack.index(child):] + [child]
                if child not in state:
                    state[child] = 'open'
                    stack.append(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
            else:
                work.pop()
                state[stack.pop()] = 'done'
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_backend_has_no_import_cycle():
    graph = {}
    for module, _, target, _ in EDGES:
        if _within(module, 'kback.backend') and _within(target, 'kback.backend') \
                and module != target and (module, target) not in KNOWN_CYCLE_EDGES:
            graph.setdefault(module, set()).add(target)
    cycle = _cycle(graph)
    assert cycle is None, 'import cycle: ' + ' -> '.join(cycle)


@pytest.mark.parametrize('source, expected', [
    ('from .core import eval', ('kback.backend.core', 'eval')),
    ('from . import graph_state', ('kback.backend.graph_state', None)),
    ('import kback_core', ('kback_core', None)),
    ('from ..utils import _download', ('kback.utils._download', None)),
])
def test_reader_resolves_relative_and_absolute_imports(tmp_path, source, expected):
    path = tmp_path / 'probe.py'
    path.write_text(f'def f():\n    {source}\n')
    module = 'kback.backend.probe' if 'utils' not in source else 'kback.engine.probe'
    assert [(t, n) for _, t, n in _imports(module, str(path))] == [expected]


def test_rules_catch_an_upward_and_a_private_import():
    assert _layer('kback.backend.core') > _layer('kback.backend.tensor')
    assert _private_owner('kback.backend._kernels.image', 'affine_warp') == 'kback.backend'
    assert _private_owner('kback.engine.base_layer', '_mask_list') == 'kback.engine'
    assert _cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c', 'a']
    assert _cycle({'a': {'b'}, 'b': set()}) is None
