"""kback.utils.plot_history: installed with the package, matplotlib optional.
(The drawing itself is tested through examples/plot_history.py, which uses it.)"""
import sys

import pytest
from PIL import Image

from kback.utils import plot_history

HISTORY = {'loss': [1.0, 0.5], 'val_loss': [1.1, 0.7], 'accuracy': [0.5, 0.8]}


def _hide_matplotlib(monkeypatch):
    for name in ('matplotlib', 'matplotlib.figure', 'matplotlib.backends',
                 'matplotlib.backends.backend_agg'):
        monkeypatch.setitem(sys.modules, name, None)   # import raises ImportError


def test_plot_history_takes_a_history_object(tmp_path):
    class History:
        history = HISTORY
    assert plot_history(History(), str(tmp_path / 'h.png'), renderer='pillow') == 'pillow'
    assert Image.open(tmp_path / 'h.png').size == (1000, 400)


def test_asking_for_matplotlib_without_it_says_how_to_get_it(tmp_path, monkeypatch):
    _hide_matplotlib(monkeypatch)
    with pytest.raises(ImportError, match=r"needs matplotlib: pip install 'kback\[plot\]'"):
        plot_history(HISTORY, str(tmp_path / 'm.png'), renderer='matplotlib')
    assert plot_history(HISTORY, str(tmp_path / 'p.png')) == 'pillow'


def test_refuses_what_is_not_a_history(tmp_path):
    with pytest.raises(TypeError, match='plot_history: expected a History or a dict'):
        plot_history([0.5, 0.3], str(tmp_path / 'x.png'))
