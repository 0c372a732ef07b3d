"""model_to_dot / plot_model (pydot + Graphviz, both optional)."""
import shutil

import pytest

from kback import layers, models
from kback.utils import vis_utils

pydot = pytest.importorskip('pydot')


def _functional():
    a = layers.Input((4,), name='a')
    b = layers.Input((3,), name='b')
    h = layers.concatenate([layers.Dense(5, name='da')(a), b], name='joined')
    return models.Model([a, b], layers.Dense(2, name='out')(h), name='two')


def _edges(dot):
    by_id = {n.get_name(): n.get('label') for n in dot.get_nodes()}
    return {(by_id.get(e.get_source()), by_id.get(e.get_destination()))
            for e in dot.get_edges()}


def test_nodes_and_edges_of_a_functional_model():
    dot = vis_utils.model_to_dot(_functional())
    labels = {n.get('label') for n in dot.get_nodes() if n.get('label')}
    assert labels == {'a: InputLayer', 'b: InputLayer', 'da: Dense',
                      'joined: Concatenate', 'out: Dense'}
    assert _edges(dot) == {('a: InputLayer', 'da: Dense'), ('da: Dense', 'joined: Concatenate'),
                           ('b: InputLayer', 'joined: Concatenate'),
                           ('joined: Concatenate', 'out: Dense')}
    assert dot.get('rankdir') == 'TB' and dot.get('dpi') == 96


def test_shapes_names_and_rankdir():
    model = models.Sequential([layers.Dense(3, input_shape=(4,), name='d1'),
                               layers.Dense(1, name='d2')])
    dot = vis_utils.model_to_dot(model, show_shapes=True, show_layer_names=False,
                                 rankdir='LR')
    labels = [n.get('label') for n in dot.get_nodes() if n.get('label')]
    assert 'Dense\n|{input:|output:}|{{(None, 4)}|{(None, 3)}}' in labels
    assert dot.get('rankdir') == 'LR'


def test_wrappers_and_nested_models():
    inner = models.Sequential([layers.Dense(3, input_shape=(4,), name='inner_dense')],
                              name='inner')
    x = layers.Input((5, 4), name='seq')
    td = layers.TimeDistributed(layers.Dense(2, name='per_step'), name='td')(x)
    y = layers.Input((4,), name='flat')
    model = models.Model([x, y], [td, inner(y)])
    labels = {n.get('label') for n in vis_utils.model_to_dot(model).get_nodes()}
    assert 'td(per_step): TimeDistributed(Dense)' in labels
    assert 'inner: Sequential' in labels
    expanded = vis_utils.model_to_dot(model, expand_nested=True)
    clusters = expanded.get_subgraphs()
    assert [c.get_name() for c in clusters] == ['cluster_inner']
    assert 'inner: Sequential' not in {n.get('label') for n in expanded.get_nodes()}


def test_unbuilt_sequential_is_refused():
    with pytest.raises(ValueError, match='not built'):
        vis_utils.model_to_dot(models.Sequential([layers.Dense(2)]))


def test_plot_model_without_graphviz_says_so(tmp_path, monkeypatch):
    empty = tmp_path / 'bin'
    empty.mkdir()
    monkeypatch.setenv('PATH', str(empty))
    with pytest.raises(OSError, match='GraphViz'):
        vis_utils.plot_model(_functional(), to_file=str(tmp_path / 'm.png'))


_FAKE_DOT = """#!/bin/sh
# Stands in for Graphviz where it is not installed: answers -V, and renders
# any graph as a fixed SVG document on stdout.
case "$1" in -V) echo "dot - graphviz version 0 (fake)" >&2; exit 0;; esac
echo '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'
"""


def test_plot_model_writes_the_file(tmp_path, monkeypatch):
    if shutil.which('dot') is None:
        fake = tmp_path / 'bin'
        fake.mkdir()
        (fake / 'dot').write_text(_FAKE_DOT)
        (fake / 'dot').chmod(0o755)
        monkeypatch.setenv('PATH', f'{fake}:/usr/bin:/bin')
    path = tmp_path / 'm.svg'
    vis_utils.plot_model(_functional(), to_file=str(path), show_shapes=True)
    assert path.read_text().lstrip().startswith('<?xml')


def test_missing_pydot_is_an_import_error(monkeypatch):
    import builtins
    real = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name == 'pydot':
            raise ImportError('no pydot')
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, '__import__', refuse)
    with pytest.raises(ImportError, match='pip install pydot'):
        vis_utils.model_to_dot(_functional())
