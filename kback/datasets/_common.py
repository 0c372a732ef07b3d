"""What the dataset loaders share: local paths, fetching, the offline error."""
import os

from ..utils.data_utils import DownloadError, cache_folder, get_file


class DatasetUnavailableError(DownloadError):
    """A data set is neither in the cache nor downloadable.

    A `DownloadError`, hence an `OSError`: like `FileNotFoundError`, the
    data is not where it should be, and code that already handles a failed
    download (`except OSError`) keeps working. The message names each file to
    place by hand and the folder to place it in.
    """


def local_file(path):
    """`path` (absolute, or relative to the working directory) when it names an
    existing file, else None."""
    path = os.path.expanduser(path)
    return path if os.path.isfile(path) else None


def cache_path(fname, cache_subdir='datasets'):
    """Where `get_file(fname, ...)` keeps the file (with the default cache)."""
    return os.path.join(cache_folder(None, cache_subdir, fname), fname)


def fetch(loader, entries, cache_subdir='datasets', untar=False, extracted_hint=None):
    """Fetches each `(fname, origin, file_hash)` of `entries` with `get_file`
    and returns the local paths. When one cannot be fetched, raises
    `DatasetUnavailableError` naming every file still missing, where it comes
    from, and the exact path to give it."""
    paths = []
    for fname, origin, file_hash in entries:
        try:
            paths.append(get_file(fname, origin=origin, file_hash=file_hash,
                                  cache_subdir=cache_subdir, untar=untar))
        except DownloadError as e:
            raise _unavailable(loader, entries, e, untar, extracted_hint) from e
    return paths


def _unavailable(loader, entries, error, untar, extracted_hint):
    folder = os.path.dirname(error.fpath)
    lines = []
    for fname, origin, _ in entries:
        target = os.path.join(folder, fname + '.tar.gz' if untar else fname)
        if not os.path.exists(target):
            lines.append('    download %s\n      save as %s' % (origin, target))
    message = ('%s: could not download %s: %s.\nTo use this data set without a network '
               'connection, place the file(s) by hand in %s:\n%s'
               % (loader, error.origin, error.reason, folder, '\n'.join(lines)))
    if extracted_hint:
        message += '\n' + extracted_hint % {'folder': folder}
    return DatasetUnavailableError(message, origin=error.origin, fpath=error.fpath,
                                   reason=error.reason)
