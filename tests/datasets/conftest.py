import pytest

from tests.datasets._server import FileServer


@pytest.fixture(autouse=True)
def _kback_home(tmp_path, monkeypatch):
    """Every test gets its own empty cache, never ~/.kback."""
    home = tmp_path / 'kback_home'
    monkeypatch.setenv('KBACK_HOME', str(home))
    return home


@pytest.fixture
def server(tmp_path):
    srv = FileServer(tmp_path / 'served')
    yield srv
    srv.stop()
