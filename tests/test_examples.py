"""Every example runs in its fast mode, so none of them rots: each must learn,
print what a Keras user expects, and write its files."""
import importlib.util
import json
import os
import sys

import numpy as np
import pytest
from PIL import Image

EXAMPLES = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', 'examples'))
TRAIN_RGB, VAL_RGB = (31, 119, 180), (255, 127, 14)


@pytest.fixture(autouse=True)
def _examples_on_path(monkeypatch):
    # As when a script runs from examples/: its own folder is importable
    # (mnist_cnn imports plot_history).
    monkeypatch.syspath_prepend(EXAMPLES)


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _hide_matplotlib(monkeypatch):
    for name in ('matplotlib', 'matplotlib.figure', 'matplotlib.backends',
                 'matplotlib.backends.backend_agg'):
        monkeypatch.setitem(sys.modules, name, None)   # import raises ImportError


def _has_color(path, rgb, tolerance=40):
    pixels = np.asarray(Image.open(path).convert('RGB')).reshape(-1, 3).astype(int)
    return bool((np.abs(pixels - rgb).max(axis=1) < tolerance).sum() > 50)


@pytest.mark.parametrize('name', sorted(f[:-3] for f in os.listdir(EXAMPLES) if f.endswith('.py')))
def test_every_example_is_tested(name):
    assert any(n.startswith(f'test_{name}') for n in globals()), f'examples/{name}.py has no test'


def test_mnist_cnn_main_job_bar_score_and_curves(tmp_path, monkeypatch, capsys):
    _hide_matplotlib(monkeypatch)   # the Pillow chart: the main job needs no matplotlib
    png = tmp_path / 'curves.png'
    accuracy = _load('mnist_cnn').main(['--fast', '--plot', str(png)])
    out = capsys.readouterr().out
    assert accuracy > 0.8
    assert 'Total params: 693,962' in out
    assert 'Train on 1000 samples, validate on 1000 samples' in out
    assert '1000/1000 [==============================] - ' in out and 'val_accuracy: ' in out
    assert f'Test accuracy: {accuracy}' in out
    assert f'Learning curves written to {png} (pillow)' in out
    image = Image.open(png)
    assert image.format == 'PNG' and image.size == (1000, 400)
    assert _has_color(png, TRAIN_RGB) and _has_color(png, VAL_RGB)


def test_mnist_cnn_channels_first_without_plot(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _load('mnist_cnn').main(['--fast', '--channels-first', '--plot', '']) > 0.8
    assert os.listdir(tmp_path) == []


def test_plot_history_with_matplotlib(tmp_path):
    plot_history = _load('plot_history').plot_history
    history = {'loss': [1.0, 0.5, 0.3], 'accuracy': [0.6, 0.8, 0.9],
               'val_loss': [0.8, 0.6, 0.5], 'val_accuracy': [0.7, 0.8, 0.85]}
    assert plot_history(history, str(tmp_path / 'm.png')) == 'matplotlib'
    image = Image.open(tmp_path / 'm.png')
    assert image.format == 'PNG' and image.size == (1000, 400)
    assert _has_color(tmp_path / 'm.png', TRAIN_RGB) and _has_color(tmp_path / 'm.png', VAL_RGB)


def test_plot_history_falls_back_to_pillow(tmp_path, monkeypatch):
    _hide_matplotlib(monkeypatch)
    plot_history = _load('plot_history').plot_history
    # Keras 2.2 names ('acc'), a constant curve, one panel without validation
    history = {'loss': [2.0, 1.0, 0.7, 0.6], 'acc': [0.5, 0.5, 0.5, 0.5],
               'val_loss': [1.5, 1.1, 0.9, 0.95]}
    assert plot_history(history, str(tmp_path / 'p.png'), title='t') == 'pillow'
    assert Image.open(tmp_path / 'p.png').size == (1000, 400)
    assert _has_color(tmp_path / 'p.png', TRAIN_RGB) and _has_color(tmp_path / 'p.png', VAL_RGB)
    assert plot_history({'loss': [0.3]}, str(tmp_path / 'one.png')) == 'pillow'
    assert Image.open(tmp_path / 'one.png').size == (500, 400)
    with pytest.raises(ValueError, match='plot_history'):
        plot_history({'val_loss': [1.0]}, str(tmp_path / 'x.png'))
    with pytest.raises(ValueError, match='renderer'):
        plot_history({'loss': [1.0]}, str(tmp_path / 'x.png'), renderer='svg')


def test_plot_history_script_trains_and_plots_json(tmp_path, capsys):
    module = _load('plot_history')
    result = module.main(['--fast', '--pillow', '--out', str(tmp_path / 'a.png')])
    assert result['renderer'] == 'pillow' and result['history']['val_accuracy'][-1] > 0.7
    saved = tmp_path / 'h.json'
    saved.write_text(json.dumps(result['history']))
    module.main([str(saved), '--out', str(tmp_path / 'b.png')])
    assert Image.open(tmp_path / 'b.png').size == (1000, 400)
    assert f'learning curves written to {tmp_path / "b.png"}' in capsys.readouterr().out


def test_mnist_lowlevel_learns(capsys):
    accuracy = _load('mnist_lowlevel').main(['--fast'])
    assert accuracy > 0.75
    assert 'test accuracy' in capsys.readouterr().out


def test_mnist_lowlevel_with_optimizer_get_updates():
    assert _load('mnist_lowlevel').main(['--fast', '--optimizer', 'adam']) > 0.75


def test_mnist_mlp_learns(capsys):
    assert _load('mnist_mlp').main(['--fast']) > 0.8
    out = capsys.readouterr().out
    assert 'Total params: 407,050' in out and 'Test accuracy:' in out


def test_fashion_mlp_uses_the_sample_when_nothing_is_cached(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv('KBACK_HOME', str(tmp_path))    # an empty download cache
    result = _load('fashion_mlp').main(['--fast'])
    out = capsys.readouterr().out
    assert 'Fashion-MNIST is not in the download cache' in out
    assert result['accuracy'] > 0.5 and result['classes'][3] == '3'
    assert set(result['history']) == {'loss', 'accuracy', 'val_loss', 'val_accuracy'}
    assert 'Total params: 266,610' in out and 'Train on 3667 samples, validate on 333' in out


def test_fashion_mlp_uses_fashion_mnist_when_cached(tmp_path, monkeypatch, capsys):
    folder = tmp_path / 'datasets' / 'fashion-mnist'
    folder.mkdir(parents=True)
    for name in _load('fashion_mlp').FASHION_FILES:
        (folder / name).write_bytes(b'')
    monkeypatch.setenv('KBACK_HOME', str(tmp_path))
    from kback.data import mnist_sample
    from kback.datasets import fashion_mnist
    calls = []
    monkeypatch.setattr(fashion_mnist, 'load_data', lambda: calls.append(1) or mnist_sample())
    result = _load('fashion_mlp').main(['--fast'])
    assert calls == [1] and result['classes'][9] == 'Ankle boot'
    assert 'not in the download cache' not in capsys.readouterr().out


def test_full_flag_loads_kback_datasets_mnist(monkeypatch):
    from kback.data import mnist_sample
    from kback.datasets import mnist
    calls = []
    monkeypatch.setattr(mnist, 'load_data', lambda: calls.append(1) or mnist_sample())
    assert _load('mnist_lowlevel').main(['--fast', '--full']) > 0.75
    assert _load('mnist_mlp').main(['--fast', '--full']) > 0.8
    assert calls == [1, 1]


def test_image_directory_writes_digits_and_trains_from_folders(capsys):
    accuracy = _load('image_directory').main(['--fast'])
    out = capsys.readouterr().out
    assert accuracy > 0.4
    assert 'Found 1605 images belonging to 10 classes.' in out
    assert 'Found 395 images belonging to 10 classes.' in out
    assert f'test accuracy: {accuracy:.4f}' in out
    written = out.split('files into ')[1].split('/<class>/')[0]
    assert not os.path.exists(written)          # the temporary folder is removed


def test_image_directory_on_a_folder_given(tmp_path, capsys):
    module = _load('image_directory')
    from kback.data import mnist_sample
    (x, y), _ = mnist_sample()
    keep = (y == 0) | (y == 7)
    module.write_digit_folders(str(tmp_path), x[keep][:400], y[keep][:400])
    assert sorted(os.listdir(tmp_path)) == ['0', '7']
    assert any(f.endswith('.jpg') for f in os.listdir(tmp_path / '7'))
    assert module.main([str(tmp_path), '--fast']) > 0.9
    out = capsys.readouterr().out
    assert 'belonging to 2 classes' in out and "{'0': 0, '7': 1}" in out
    assert 'Test loss' not in out and os.path.isdir(tmp_path / '0')


def test_conv_bn_functional_learns(capsys):
    assert _load('conv_bn_functional').main(['--fast']) > 0.8
    out = capsys.readouterr().out
    assert 'zero_padding2d_1 (ZeroPaddin (None, 32, 32, 1)' in out
    assert 'Non-trainable params: 96' in out and 'Test Accuracy = ' in out


def test_custom_layer_trains_saves_and_loads():
    results = _load('custom_layer').main(['--fast'])
    for accuracy, identical in results.values():
        assert accuracy > 0.6 and identical


def test_conv_autoencoder_denoises(capsys):
    result = _load('conv_autoencoder').main(['--fast'])
    out = capsys.readouterr().out
    assert result['shape'] == (500, 28, 28, 1)
    assert result['mse'] < result['noisy_mse'] / 2
    assert result['history']['val_loss'][-1] < result['history']['val_loss'][0]
    assert 'Total params: 18,817' in out and 'clean (Conv2D)' in out
    assert f"Test MSE of the denoised images: {result['mse']:.4f}" in out


def test_mnist_distributed_on_two_ranks(tmp_path):
    from .distributed.conftest import MISSING, run_mpi
    if MISSING:
        pytest.skip(f'MPI tests skipped: {MISSING}')
    checkpoint = tmp_path / 'mnist.h5'
    done = run_mpi(os.path.join(EXAMPLES, 'mnist_distributed.py'), '--fast', '--checkpoint',
                   checkpoint, timeout=120)
    assert done.returncode == 0, done.output
    score = [line for line in done.output.splitlines() if line.startswith('Test accuracy: ')]
    # Rank 0 alone prints the score, the bar and the warm-up message.
    assert len(score) == 1 and score[0].endswith('(2 ranks)'), done.output
    assert float(score[0].split()[2]) > 0.8
    assert done.output.count('Epoch 2/2') == 1
    assert done.output.count('finished gradual learning rate warmup') == 1
    assert checkpoint.exists()
