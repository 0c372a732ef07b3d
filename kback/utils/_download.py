"""`get_file`: Keras 2.3's download-once file cache, made safe to interrupt.

Differences from Keras 2.3 that only matter when something goes wrong:

- a download goes to a temporary file next to its target, is checked against
  the hash, and is then renamed into place (`os.replace`, atomic), so the cache
  never holds a partial or unverified file; any failure removes the temporary
  file (Keras verified nothing after downloading and could leave a truncated
  file under the final name);
- connections and reads time out after `TIMEOUT` seconds instead of hanging;
- archives are checked member by member before anything is extracted, and are
  extracted into a temporary folder first, so a refused or interrupted
  extraction leaves nothing behind (Keras deleted the whole cache folder);
- a failed download raises `DownloadError` (an `OSError`), naming the URL, the
  reason and the path where the file can be placed by hand.
"""
import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import zipfile
from urllib.error import HTTPError, URLError
from urllib.request import urlopen

from .io_utils import atomic_write
from .progbar import Progbar

# Seconds a connection attempt or a single read may take before failing.
TIMEOUT = 15
_CHUNK = 1 << 16


class DownloadError(OSError):
    """A file could not be fetched from its origin.

    An `OSError` because it is an I/O failure (network, missing file), so code
    that handles I/O errors handles it too. `origin`, `fpath` and `reason` say
    what failed, where the file was to be stored, and why.
    """

    def __init__(self, message, origin=None, fpath=None, reason=None):
        super().__init__(message)
        self.origin = origin
        self.fpath = fpath
        self.reason = reason

    def __str__(self):
        return self.args[0]


# ----------------------------------------------------------------------------
# hashing

def _resolve_algorithm(algorithm, file_hash=None):
    if algorithm in ('sha256', 'md5'):
        return algorithm
    if algorithm == 'auto':
        return 'sha256' if file_hash is not None and len(file_hash) == 64 else 'md5'
    raise ValueError("hash_algorithm must be 'auto', 'sha256' or 'md5', got %r" % (algorithm,))


def _hash_file(fpath, algorithm='sha256', chunk_size=65535):
    """The hex digest of a file: sha256 (default, also for 'auto') or md5."""
    if algorithm == 'auto':
        algorithm = 'sha256'
    hasher = hashlib.new(_resolve_algorithm(algorithm))
    with open(fpath, 'rb') as f:
        for chunk in iter(lambda: f.read(chunk_size), b''):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm='auto', chunk_size=65535):
    """Whether the file's sha256 or md5 hash equals `file_hash`.

    `algorithm='auto'` reads a 64-digit hash as sha256 and anything else as md5.
    """
    algorithm = _resolve_algorithm(algorithm, file_hash)
    return _hash_file(fpath, algorithm, chunk_size) == str(file_hash).lower()


# ----------------------------------------------------------------------------
# where files go

def _cache_root(cache_dir):
    if cache_dir is None:
        cache_dir = os.environ.get('KBACK_HOME') or os.path.join(os.path.expanduser('~'), '.kback')
    return os.path.expanduser(cache_dir)


def _writable_dir(path):
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK | os.X_OK)


def cache_folder(cache_dir, cache_subdir, target):
    """The folder for `target` (a name inside it). As in Keras, a cache that
    cannot be written falls back to `<tempdir>/.kback`, unless the file is
    already there (a read-only shared cache still serves what it holds)."""
    datadir = os.path.join(_cache_root(cache_dir), cache_subdir)
    if _writable_dir(datadir) or os.path.exists(os.path.join(datadir, target)):
        return datadir
    fallback = os.path.join(tempfile.gettempdir(), '.kback', cache_subdir)
    os.makedirs(fallback, exist_ok=True)
    return fallback


# ----------------------------------------------------------------------------
# downloading

def _failure(origin, fpath, reason, extracted=None):
    where = fpath
    if extracted is not None:
        where += '\n(or its extracted contents at %s)' % extracted
    message = ('URL fetch failure on %s : %s\nTo use the file without a network connection, '
               'download it from that URL elsewhere and place it at:\n    %s'
               % (origin, reason, where))
    return DownloadError(message, origin=origin, fpath=fpath, reason=reason)


def _describe(exc):
    if isinstance(exc, HTTPError):
        return '%s -- %s' % (exc.code, exc.msg)
    if isinstance(exc, URLError):
        return str(exc.reason)
    return '%s: %s' % (type(exc).__name__, exc)


def _content_length(response):
    value = response.headers.get('Content-Length') if response.headers else None
    try:
        return int(value.strip()) if value is not None else None
    except ValueError:
        return None


def _download(origin, fpath, file_hash, algorithm, extracted=None):
    """Streams `origin` into a temporary file beside `fpath`, verifies it and
    renames it into place (io_utils.atomic_write); on any failure the
    temporary file is removed."""
    print('Downloading data from', origin)
    dirname = os.path.dirname(os.path.abspath(fpath))
    os.makedirs(dirname, exist_ok=True)
    with atomic_write(fpath) as tmp:
        with open(tmp, 'wb') as out:
            try:
                response = urlopen(origin, timeout=TIMEOUT)
            except (URLError, OSError, ValueError, http.client.HTTPException) as e:
                raise _failure(origin, fpath, _describe(e), extracted) from e
            with response:
                total = _content_length(response)
                progbar = Progbar(total)
                received = 0
                try:
                    while True:
                        chunk = response.read(_CHUNK)
                        if not chunk:
                            break
                        out.write(chunk)
                        received += len(chunk)
                        progbar.update(received)
                except (OSError, http.client.HTTPException) as e:
                    reason = 'transfer interrupted after %d bytes (%s)' % (received, _describe(e))
                    raise _failure(origin, fpath, reason, extracted) from e
                if total is not None and received != total:
                    reason = 'transfer interrupted: got %d of %d bytes' % (received, total)
                    raise _failure(origin, fpath, reason, extracted)
                if total is None:
                    progbar.target = received  # ends the bar's 'Unknown' line
                    progbar.update(received)
        if file_hash is not None:
            algorithm = _resolve_algorithm(algorithm, file_hash)
            actual = _hash_file(tmp, algorithm)
            if actual != str(file_hash).lower():
                raise ValueError(
                    'get_file: the file downloaded from %s for %s is corrupt or not the expected '
                    'one: its %s hash is %s but %s was expected. Nothing was saved.'
                    % (origin, fpath, algorithm, actual, file_hash))


# ----------------------------------------------------------------------------
# extracting

def _check_member(name, dest, what, archive):
    target = os.path.realpath(os.path.join(dest, name))
    if os.path.isabs(name) or os.path.commonpath([dest, target]) != dest:
        raise ValueError("get_file: refusing to extract %s %r of %s: it would be written "
                         "outside %s" % (what, name, archive, dest))


def _check_tar(archive, tar, dest):
    for m in tar.getmembers():
        _check_member(m.name, dest, 'member', archive)
        if m.issym():
            link = os.path.join(os.path.dirname(m.name), m.linkname)
            _check_member(link, dest, 'link target of %r:' % m.name, archive)
        elif m.islnk():
            _check_member(m.linkname, dest, 'link target of %r:' % m.name, archive)
        elif not (m.isfile() or m.isdir()):
            raise ValueError('get_file: refusing to extract special file %r of %s'
                             % (m.name, archive))


def _extract_tar(file_path, dest):
    with tarfile.open(file_path) as tar:
        _check_tar(file_path, tar, dest)
        if hasattr(tarfile, 'data_filter'):  # Python >= 3.11.4: a second line of defence
            tar.extractall(dest, filter='data')
        else:
            tar.extractall(dest)


def _extract_zip(file_path, dest):
    with zipfile.ZipFile(file_path) as archive:
        for name in archive.namelist():
            _check_member(name, dest, 'member', file_path)
        archive.extractall(dest)


def _extract_archive(file_path, path='.', archive_format='auto'):
    """Extracts a tar (also .tar.gz/.tar.bz2) or zip archive into `path`.

    `archive_format`: 'auto' (= ['tar', 'zip']), 'tar', 'zip', a list of these,
    or None. Returns True when the file matched a format and was extracted,
    False otherwise. Members that would land outside `path` are refused
    (ValueError) before anything is written.
    """
    if archive_format is None:
        return False
    if archive_format == 'auto':
        archive_format = ['tar', 'zip']
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    for kind in archive_format:
        if kind == 'tar':
            matches, extract = tarfile.is_tarfile, _extract_tar
        elif kind == 'zip':
            matches, extract = zipfile.is_zipfile, _extract_zip
        else:
            raise ValueError("archive_format must be 'auto', 'tar', 'zip', a list of these or "
                             "None, got %r" % (kind,))
        if not matches(file_path):
            continue
        path = os.path.realpath(path)
        os.makedirs(path, exist_ok=True)
        # Extract beside the final place, then move the top-level entries in:
        # an interrupted extraction never looks like a finished one.
        staging = tempfile.mkdtemp(dir=path, prefix='.kback-extract-')
        try:
            extract(file_path, staging)
            for entry in os.listdir(staging):
                final = os.path.join(path, entry)
                if os.path.isdir(final) and not os.path.islink(final):
                    shutil.rmtree(final)
                elif os.path.lexists(final):
                    os.remove(final)
                os.replace(os.path.join(staging, entry), final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return True
    return False


# ----------------------------------------------------------------------------

def get_file(fname, origin, untar=False, md5_hash=None, file_hash=None, cache_subdir='datasets',
             hash_algorithm='auto', extract=False, archive_format='auto', cache_dir=None):
    """Downloads a file from a URL unless it is already in the cache.

    The file goes to `<cache_dir>/<cache_subdir>/<fname>`; `cache_dir`
    defaults to `$KBACK_HOME`, else `~/.kback` (a cache that cannot be written
    falls back to `<tempdir>/.kback`). A cached file is used without touching
    the network when it matches `file_hash` (or when no hash is given); a
    cached file that does not match is downloaded again.

    Arguments:
        fname: name of the file. An absolute path stores the file there.
        origin: URL of the file (http, https or file).
        untar: deprecated in favour of `extract`: the file is the archive
            `fname + '.tar.gz'`, extracted once; the path of the extracted
            `fname` is returned.
        md5_hash: deprecated in favour of `file_hash`: md5 hash of the file.
        file_hash: expected sha256 or md5 hash of the file.
        cache_subdir: subfolder of the cache (an absolute path is used as is).
        hash_algorithm: 'md5', 'sha256', or 'auto' (sha256 for a 64-digit hash,
            md5 otherwise).
        extract: whether to extract the file as an archive (tar, tar.gz, zip).
        archive_format: 'auto', 'tar', 'zip', a list of these, or None.
        cache_dir: cache location instead of `$KBACK_HOME` / `~/.kback`.

    Returns:
        Path to the downloaded file (to the extracted folder when `untar`).

    Raises:
        DownloadError (an OSError): the file could not be fetched; the message
            names the URL, the reason, and where to place the file by hand.
        ValueError: the downloaded file does not match `file_hash`.
    """
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, 'md5'
    _resolve_algorithm(hash_algorithm, file_hash)  # reject a bad name before any I/O
    archive_name = fname + '.tar.gz' if untar else fname
    datadir = cache_folder(cache_dir, cache_subdir, archive_name)
    fpath = os.path.join(datadir, archive_name)
    untar_fpath = os.path.join(datadir, fname) if untar else None

    if os.path.exists(fpath):
        download = file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm)
        if download:
            print('A local file was found, but it seems to be incomplete or outdated because '
                  'the %s file hash does not match the original value of %s so we will '
                  're-download the data.' % (_resolve_algorithm(hash_algorithm, file_hash),
                                             file_hash))
    else:
        # An archive already extracted (by hand, or its .tar.gz since deleted) is enough.
        download = not (untar and os.path.isdir(untar_fpath))

    if download:
        _download(origin, fpath, file_hash, hash_algorithm, extracted=untar_fpath)

    if untar:
        # Extracted once; again only when a new archive replaced the old one.
        if download or not os.path.exists(untar_fpath):
            _extract_archive(fpath, datadir, archive_format='tar')
        return untar_fpath
    if extract:
        _extract_archive(fpath, datadir, archive_format)
    return fpath
