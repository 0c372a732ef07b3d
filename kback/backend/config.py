"""Backend settings: floatx, epsilon, image_data_format, threads.

Defaults come from ~/.kback/kback.json (or $KBACK_HOME/kback.json), then the
KBACK_* environment variables, as Keras reads keras.json.
"""
import json
import numbers
import os
import warnings

import numpy as np

FLOATX_VALUES = ('float16', 'float32', 'float64')
DATA_FORMAT_VALUES = ('channels_last', 'channels_first')

# The most threads kback starts: kback_core.MAX_THREADS, the cap its kernels
# enforce (libgomp segfaults creating 100000 threads and aborts asking for -1).
# config sits below the package that imports kback_core, so it keeps the
# number; _kernels refuses to import when the two differ.
MAX_THREADS = 256


def usable_cores():
    """The cores this process may run on (its affinity mask)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_settings = {'floatx': 'float32', 'epsilon': 1e-7,
             'image_data_format': 'channels_last', 'num_threads': None,
             'adaptive_threads': True}


def _check_floatx(value):
    value = str(value)
    if value not in FLOATX_VALUES:
        raise ValueError(f'Unknown floatx type: {value!r}; accepted values are '
                         f'{", ".join(FLOATX_VALUES)}')
    return value


def _check_data_format(value):
    value = str(value)
    if value not in DATA_FORMAT_VALUES:
        raise ValueError(f'Unknown data_format: {value!r}; accepted values are '
                         f'{", ".join(DATA_FORMAT_VALUES)}')
    return value


def _check_epsilon(value):
    value = float(value)
    if not value > 0:
        raise ValueError(f'epsilon must be a positive number, got {value!r}')
    return value


def _check_threads(value):
    """An int >= 1 (a numpy int too); above MAX_THREADS, MAX_THREADS with a warning."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f'num_threads must be an int >= 1, got {value!r} '
                        f'({type(value).__name__})')
    n = int(value)
    if n < 1:
        raise ValueError(f'num_threads must be an int >= 1, got {value!r}')
    if n > MAX_THREADS:
        warnings.warn(f'num_threads={n} is more than kback starts; using MAX_THREADS='
                      f'{MAX_THREADS}', stacklevel=3)
        n = MAX_THREADS
    return n


def _threads_from_text(text, source):
    """A thread count written in an environment variable (OMP_NUM_THREADS may
    list one per nesting level: the first counts), or None with a warning."""
    first = text.split(',')[0].strip()
    if first.isdigit():
        try:
            return _check_threads(int(first))
        except ValueError:
            pass
    warnings.warn(f'{source}={text!r} is not a thread count (an int >= 1); ignored',
                  stacklevel=3)
    return None


def _check_flag(value):
    """True/False, also as written in an environment variable (1/0, true/false)."""
    if isinstance(value, str) and value.strip().lower() in ('1', 'true', '0', 'false'):
        return value.strip().lower() in ('1', 'true')
    if isinstance(value, (bool, int)) and value in (0, 1):
        return bool(value)
    raise ValueError(f'expected true or false, got {value!r}')


_CHECKS = {'floatx': _check_floatx, 'epsilon': _check_epsilon,
           'image_data_format': _check_data_format, 'num_threads': _check_threads,
           'adaptive_threads': _check_flag}


def kback_home():
    return os.environ.get('KBACK_HOME', os.path.join(os.path.expanduser('~'), '.kback'))


def _load_defaults():
    """kback.json, then KBACK_* variables; a bad value warns and is skipped,
    so no setting can break `import kback`.  Threads fall back to
    OMP_NUM_THREADS, then the usable cores."""
    path = os.path.join(kback_home(), 'kback.json')
    try:
        with open(path) as f:
            stored = json.load(f)
    except (OSError, ValueError):
        stored = {}
    if not isinstance(stored, dict):
        stored = {}
    for key, check in _CHECKS.items():
        candidates = []
        if key in stored:
            candidates.append((stored[key], f'{path}: {key}'))
        env = os.environ.get('KBACK_' + key.upper())
        if env:
            if key == 'num_threads':
                env = _threads_from_text(env, 'KBACK_NUM_THREADS')
            if env is not None:
                candidates.append((env, 'KBACK_' + key.upper()))
        for value, source in candidates:
            try:
                _settings[key] = check(value)
            except (TypeError, ValueError) as e:
                warnings.warn(f'{source}: {e}; ignored', stacklevel=2)
    if _settings['num_threads'] is None:
        omp = os.environ.get('OMP_NUM_THREADS')
        omp = _threads_from_text(omp, 'OMP_NUM_THREADS') if omp else None
        _settings['num_threads'] = omp or min(usable_cores(), MAX_THREADS)


_load_defaults()


def backend():
    """The name of the backend: `'kback'`."""
    return 'kback'


def floatx():
    """The default float dtype, as a string: `'float32'` unless changed.

    `'float16'` is a storage type: values are stored in float16 and computed in
    float32.

    Returns:
        `'float16'`, `'float32'` or `'float64'`.
    """
    return _settings['floatx']


def set_floatx(floatx):
    """Sets the default float dtype.

    Arguments:
        floatx: `'float16'`, `'float32'` or `'float64'`.

    Raises:
        ValueError: for any other value.
    """
    _settings['floatx'] = _check_floatx(floatx)


def cast_to_floatx(x):
    """A numpy array of `x` in the default float dtype.

    Arguments:
        x: a number or array.

    Returns:
        A numpy array (a new one unless `x` already is one of that dtype).
    """
    return np.asarray(x, dtype=_settings['floatx'])


def epsilon():
    """The small float added to denominators to avoid dividing by zero (1e-7)."""
    return _settings['epsilon']


def set_epsilon(e):
    """Sets the fuzz factor returned by `epsilon()`.

    Arguments:
        e: a positive float.

    Raises:
        ValueError: if `e` is not a positive number.
    """
    _settings['epsilon'] = _check_epsilon(e)


def image_data_format():
    """The default data format of images: `'channels_last'` or `'channels_first'`."""
    return _settings['image_data_format']


def set_image_data_format(data_format):
    """Sets the default data format of images.

    Arguments:
        data_format: `'channels_last'` or `'channels_first'`.

    Raises:
        ValueError: for any other value.
    """
    _settings['image_data_format'] = _check_data_format(data_format)


def get_num_threads():
    """The number of threads the compiled kernels use (kback's own).

    The first of: `K.set_num_threads`, `KBACK_NUM_THREADS` (or `kback.json`),
    `OMP_NUM_THREADS` (its first entry), the cores this process may use.

    Returns:
        An int >= 1.
    """
    n = _settings['num_threads']
    if _threads['applied'] != n:     # first call, or the setting was restored directly
        _apply_threads()
    return n


def set_num_threads(n):
    """Sets the number of threads of the compiled kernels (kback's own): a
    ceiling, since while other processes want the cores the kernels run fewer
    (see `set_adaptive_threads`).

    The BLAS pools of numpy and scipy are left as the user set them: the
    kernels limit the BLAS they call themselves. A refused value changes
    nothing.

    Arguments:
        n: an int >= 1; values above `MAX_THREADS` (256) are capped, with a
            warning.

    Raises:
        TypeError: if `n` is not an int.
        ValueError: if `n` < 1.
    """
    n = _check_threads(n)
    previous = _settings['num_threads']
    _settings['num_threads'] = n
    try:
        _apply_threads()
    except BaseException:
        _settings['num_threads'] = previous
        _apply_threads()
        raise


def adaptive_threads():
    """Whether the kernels run fewer threads than get_num_threads() while other
    processes want the cores (the default; KBACK_ADAPTIVE_THREADS=0 or
    adaptive_threads: false in kback.json turns it off)."""
    return _settings['adaptive_threads']


def set_adaptive_threads(enabled):
    _settings['adaptive_threads'] = _check_flag(enabled)


# The count the listeners last applied (lazily, on the first kernel call).
_threads = {'applied': None}

# Called with the thread count on every change: the kernels' OpenMP team
# registers here (config sits below _kernels and must not import it).
_thread_listeners = []


def add_thread_listener(listener):
    """Calls listener(n) whenever the thread setting is applied (now too, if it
    already was)."""
    _thread_listeners.append(listener)
    if _threads['applied'] is not None:
        listener(_threads['applied'])


def _apply_threads():
    n = _settings['num_threads']
    _threads['applied'] = n
    for listener in _thread_listeners:
        listener(n)


def normalize_data_format(value):
    """A data format checked and lower-cased; None gives the global setting.

    Arguments:
        value: None, `'channels_last'` or `'channels_first'`.

    Returns:
        `'channels_last'` or `'channels_first'`.

    Raises:
        ValueError: for any other value.
    """
    if value is None:
        return image_data_format()
    return _check_data_format(value.lower() if isinstance(value, str) else value)
