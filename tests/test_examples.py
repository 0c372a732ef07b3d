"""Every example runs in its fast mode, so none of them rots."""
import importlib.util
import os

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), '..', 'examples')


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mnist_lowlevel_learns(capsys):
    accuracy = _load('mnist_lowlevel').main(['--fast'])
    assert accuracy > 0.75
    assert 'test accuracy' in capsys.readouterr().out


@pytest.mark.parametrize('name', sorted(f[:-3] for f in os.listdir(EXAMPLES) if f.endswith('.py')))
def test_every_example_is_tested(name):
    assert any(n.startswith(f'test_{name}') for n in globals()), f'examples/{name}.py has no test'


def test_mnist_mlp_learns(capsys):
    assert _load('mnist_mlp').main(['--fast']) > 0.8
    out = capsys.readouterr().out
    assert 'Total params: 407,050' in out and 'test accuracy' in out


def test_mnist_cnn_learns_in_both_data_formats():
    assert _load('mnist_cnn').main(['--fast']) > 0.85
    assert _load('mnist_cnn').main(['--fast', '--channels-first']) > 0.85


def test_custom_layer_trains_saves_and_loads():
    results = _load('custom_layer').main(['--fast'])
    for accuracy, identical in results.values():
        assert accuracy > 0.6 and identical
