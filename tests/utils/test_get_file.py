"""kback.utils.get_file against a local HTTP server and file:// origins (no internet)."""
import hashlib
import io
import os
import socket
import tarfile
import tempfile
import zipfile

import pytest

from kback.utils import get_file
from kback.utils import _download
from kback.utils.data_utils import _hash_file, validate_file
from tests.datasets._server import OFFLINE, FileServer, file_url, md5, sha256

PAYLOAD = bytes(range(256)) * 400  # 102,400 bytes: several read chunks


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    home = tmp_path / 'kback_home'
    monkeypatch.setenv('KBACK_HOME', str(home))
    return home


@pytest.fixture
def server(tmp_path):
    srv = FileServer(tmp_path / 'served')
    with open(srv.path('data.bin'), 'wb') as f:
        f.write(PAYLOAD)
    yield srv
    srv.stop()


def _read(path):
    with open(str(path), 'rb') as f:
        return f.read()


def _leftovers(folder):
    return sorted(os.listdir(str(folder))) if os.path.isdir(str(folder)) else []


# ---------------------------------------------------------------- hashing

def test_hash_helpers(tmp_path):
    path = tmp_path / 'f'
    path.write_bytes(b'abc')
    s, m = hashlib.sha256(b'abc').hexdigest(), hashlib.md5(b'abc').hexdigest()
    assert _hash_file(str(path)) == s
    assert _hash_file(str(path), algorithm='md5') == m
    assert validate_file(str(path), s) and validate_file(str(path), m)  # 'auto' by length
    assert validate_file(str(path), s.upper())
    assert validate_file(str(path), s, algorithm='sha256')
    assert not validate_file(str(path), m, algorithm='sha256')
    assert not validate_file(str(path), '0' * 64)
    with pytest.raises(ValueError, match='sha1'):
        validate_file(str(path), s, algorithm='sha1')


# ---------------------------------------------------------------- downloading

@pytest.mark.parametrize('kind', ['sha256', 'md5', 'md5_hash', 'none'])
def test_download_verified(server, home, kind, capsys):
    kwargs = {'sha256': {'file_hash': sha256(server.path('data.bin'))},
              'md5': {'file_hash': md5(server.path('data.bin'))},
              'md5_hash': {'md5_hash': md5(server.path('data.bin'))},
              'none': {}}[kind]
    path = get_file('data.bin', server.url('data.bin'), **kwargs)
    assert path == str(home / 'datasets' / 'data.bin')
    assert _read(path) == PAYLOAD
    assert _leftovers(home / 'datasets') == ['data.bin']
    assert 'Downloading data from ' + server.url('data.bin') in capsys.readouterr().out


def test_progress_bar_counts_bytes(server, capsys):
    get_file('data.bin', server.url('data.bin'))
    out = capsys.readouterr().out
    assert '102400/102400 [==============================]' in out
    assert out.endswith('\n')


def test_checksum_mismatch_raises_and_leaves_nothing(server, home):
    good = sha256(server.path('data.bin'))
    with pytest.raises(ValueError) as info:
        get_file('data.bin', server.url('data.bin'), file_hash='0' * 64)
    message = str(info.value)
    assert 'data.bin' in message and good in message and '0' * 64 in message
    assert _leftovers(home / 'datasets') == []
    with pytest.raises(ValueError, match=md5(server.path('data.bin'))):
        get_file('data.bin', server.url('data.bin'), md5_hash='0' * 32)
    assert _leftovers(home / 'datasets') == []


def test_interrupted_transfer_leaves_no_partial_file(server, home):
    with pytest.raises(OSError) as info:
        get_file('data.bin', server.url('truncated/data.bin'))
    assert 'interrupted' in str(info.value)
    assert str(home / 'datasets' / 'data.bin') in str(info.value)
    assert _leftovers(home / 'datasets') == []


def test_keyboard_interrupt_leaves_no_partial_file(server, home, monkeypatch):
    class Interrupting(object):
        def __init__(self, target):
            pass

        def update(self, current):
            if current > 70000:
                raise KeyboardInterrupt

    monkeypatch.setattr(_download, 'Progbar', Interrupting)
    with pytest.raises(KeyboardInterrupt):
        get_file('data.bin', server.url('data.bin'))
    assert _leftovers(home / 'datasets') == []


def test_download_gets_the_umask_mode_and_clears_stale_temp_files(server, home):
    import stat
    folder = home / 'datasets'
    folder.mkdir(parents=True)
    stale = folder / '.data.bin.kback-tmp-999999999-00000000'   # no such process
    stale.write_bytes(b'partial')
    old = os.umask(0o027)
    try:
        path = get_file('data.bin', server.url('data.bin'))
    finally:
        os.umask(old)
    assert _read(path) == PAYLOAD
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert _leftovers(folder) == ['data.bin']


def test_unreachable_host_fails_fast_with_a_clear_message(home):
    with pytest.raises(_download.DownloadError) as info:
        get_file('data.bin', OFFLINE + 'data.bin')
    err = info.value
    assert isinstance(err, OSError)
    target = str(home / 'datasets' / 'data.bin')
    assert OFFLINE + 'data.bin' in str(err) and target in str(err)
    assert 'refused' in str(err).lower()
    assert err.origin == OFFLINE + 'data.bin' and err.fpath == target
    assert _leftovers(home / 'datasets') == []


def test_a_silent_server_times_out(home, monkeypatch):
    # Connections complete (the kernel accepts them into the backlog) but no
    # byte ever comes back: only the timeout ends the wait.
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(1)
    monkeypatch.setattr(_download, 'TIMEOUT', 0.2)
    url = 'http://127.0.0.1:%d/data.bin' % listener.getsockname()[1]
    try:
        with pytest.raises(_download.DownloadError, match='timed out'):
            get_file('data.bin', url)
    finally:
        listener.close()
    assert _leftovers(home / 'datasets') == []


def test_http_error(server):
    with pytest.raises(_download.DownloadError, match='404'):
        get_file('missing.bin', server.url('missing.bin'))


def test_file_origin(tmp_path, home):
    src = tmp_path / 'src.bin'
    src.write_bytes(PAYLOAD)
    path = get_file('copy.bin', file_url(src), file_hash=sha256(src))
    assert _read(path) == PAYLOAD
    with pytest.raises(OSError, match='nope.bin'):
        get_file('nope.bin', file_url(tmp_path / 'nope.bin'))
    assert _leftovers(home / 'datasets') == ['copy.bin']


# ---------------------------------------------------------------- the cache

def test_cached_file_is_reused_without_network(server, capsys):
    digest = sha256(server.path('data.bin'))
    first = get_file('data.bin', server.url('data.bin'), file_hash=digest)
    server.stop()
    capsys.readouterr()
    assert get_file('data.bin', server.url('data.bin'), file_hash=digest) == first
    assert get_file('data.bin', server.url('data.bin')) == first  # no hash: reused as is
    assert 'Downloading' not in capsys.readouterr().out


def test_cached_file_with_wrong_hash_is_downloaded_again(server, home, capsys):
    stale = home / 'datasets' / 'data.bin'
    os.makedirs(str(stale.parent))
    stale.write_bytes(b'old')
    path = get_file('data.bin', server.url('data.bin'), file_hash=md5(server.path('data.bin')))
    assert _read(path) == PAYLOAD
    out = capsys.readouterr().out
    assert 'hash does not match' in out and 'Downloading' in out


def test_kback_home_and_cache_dir(server, tmp_path, monkeypatch):
    monkeypatch.setenv('KBACK_HOME', str(tmp_path / 'elsewhere'))
    path = get_file('data.bin', server.url('data.bin'))
    assert path == str(tmp_path / 'elsewhere' / 'datasets' / 'data.bin')
    path = get_file('data.bin', server.url('data.bin'), cache_dir=str(tmp_path / 'cd'),
                    cache_subdir='sub')
    assert path == str(tmp_path / 'cd' / 'sub' / 'data.bin') and _read(path) == PAYLOAD
    path = get_file(str(tmp_path / 'abs.bin'), server.url('data.bin'))
    assert path == str(tmp_path / 'abs.bin')


def test_default_cache_is_dot_kback_in_home(server, tmp_path, monkeypatch):
    monkeypatch.delenv('KBACK_HOME')
    monkeypatch.setenv('HOME', str(tmp_path / 'user'))
    path = get_file('data.bin', server.url('data.bin'))
    assert path == str(tmp_path / 'user' / '.kback' / 'datasets' / 'data.bin')


def test_unusable_cache_falls_back_to_the_temp_dir(server, tmp_path, monkeypatch):
    blocker = tmp_path / 'a_file'
    blocker.write_bytes(b'')  # a cache "folder" that cannot be created, even by root
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path / 'tmp'))
    path = get_file('data.bin', server.url('data.bin'), cache_dir=str(blocker / 'cache'))
    assert path == str(tmp_path / 'tmp' / '.kback' / 'datasets' / 'data.bin')


# ---------------------------------------------------------------- archives

def _tar(path, members, mode='w:gz'):
    with tarfile.open(str(path), mode) as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))


def test_untar(server, home):
    _tar(server.path('pkg.tar.gz'), {'pkg/a.txt': b'A', 'pkg/sub/b.txt': b'B'})
    path = get_file('pkg', server.url('pkg.tar.gz'), untar=True)
    datasets = home / 'datasets'
    assert path == str(datasets / 'pkg')
    assert _read(datasets / 'pkg' / 'sub' / 'b.txt') == b'B'
    assert _leftovers(datasets) == ['pkg', 'pkg.tar.gz']
    server.stop()  # archive cached, folder extracted: no network needed
    assert get_file('pkg', server.url('pkg.tar.gz'), untar=True) == path


def test_untar_replaces_a_stale_archive_and_its_folder(server, home):
    _tar(server.path('pkg.tar.gz'), {'pkg/new.txt': b'N'})
    datasets = home / 'datasets'
    os.makedirs(str(datasets / 'pkg'))
    (datasets / 'pkg' / 'old.txt').write_bytes(b'O')
    (datasets / 'pkg.tar.gz').write_bytes(b'stale archive')
    get_file('pkg', server.url('pkg.tar.gz'), untar=True,
             file_hash=sha256(server.path('pkg.tar.gz')))
    assert _leftovers(datasets / 'pkg') == ['new.txt']


@pytest.mark.parametrize('fmt', ['tar', 'tar.gz', 'zip'])
def test_extract(server, home, fmt):
    name = 'arch.' + fmt
    if fmt == 'zip':
        with zipfile.ZipFile(server.path(name), 'w') as z:
            z.writestr('inner/x.txt', b'X')
    else:
        _tar(server.path(name), {'inner/x.txt': b'X'}, 'w:gz' if fmt == 'tar.gz' else 'w')
    path = get_file(name, server.url(name), extract=True)
    assert path == str(home / 'datasets' / name)
    assert _read(home / 'datasets' / 'inner' / 'x.txt') == b'X'
    assert _leftovers(home / 'datasets') == sorted([name, 'inner'])


def test_extract_archive_format_restricts(server, home):
    _tar(server.path('t.tar'), {'y.txt': b'Y'}, 'w')
    get_file('t.tar', server.url('t.tar'), extract=True, archive_format='zip')
    assert _leftovers(home / 'datasets') == ['t.tar']
    get_file('t.tar', server.url('t.tar'), extract=True, archive_format=None)
    assert _leftovers(home / 'datasets') == ['t.tar']


def _evil_tars(root):
    _tar(os.path.join(root, 'dotdot.tar.gz'), {'ok.txt': b'ok', '../evil.txt': b'E'})
    _tar(os.path.join(root, 'absolute.tar.gz'), {'/tmp/kback_evil.txt': b'E'})
    with tarfile.open(os.path.join(root, 'symlink.tar.gz'), 'w:gz') as tar:
        link = tarfile.TarInfo('link')
        link.type, link.linkname = tarfile.SYMTYPE, '../..'
        tar.addfile(link)
    with zipfile.ZipFile(os.path.join(root, 'dotdot.zip'), 'w') as z:
        z.writestr('ok.txt', b'ok')
        z.writestr('../evil.txt', b'E')


@pytest.mark.parametrize('name', ['dotdot.tar.gz', 'absolute.tar.gz', 'symlink.tar.gz',
                                  'dotdot.zip'])
def test_members_escaping_the_folder_are_refused(server, home, name):
    _evil_tars(server.root)
    with pytest.raises(ValueError, match='outside'):
        get_file(name, server.url(name), extract=True)
    datasets = home / 'datasets'
    assert _leftovers(datasets) == [name]  # not even the harmless members
    assert not os.path.exists(str(home / 'evil.txt'))
    assert not os.path.exists('/tmp/kback_evil.txt')
