import pytest

from kback.applications import imagenet_utils


@pytest.fixture(autouse=True)
def _kback_home(tmp_path, monkeypatch):
    """Every test gets its own empty cache (never ~/.kback) and reads the
    class index afresh."""
    home = tmp_path / 'kback_home'
    monkeypatch.setenv('KBACK_HOME', str(home))
    monkeypatch.setattr(imagenet_utils, 'CLASS_INDEX', None)
    return home
