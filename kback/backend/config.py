"""Backend settings: floatx, epsilon, image_data_format, threads.

Defaults come from ~/.kback/kback.json (or $KBACK_HOME/kback.json), then the
KBACK_* environment variables, as Keras reads keras.json.
"""
import json
import os

import numpy as np

FLOATX_VALUES = ('float16', 'float32', 'float64')
DATA_FORMAT_VALUES = ('channels_last', 'channels_first')

def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_settings = {'floatx': 'float32', 'epsilon': 1e-7,
             'image_data_format': 'channels_last', 'num_threads': _usable_cores()}


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
    """A positive int (or its decimal string, from the environment)."""
    import numbers
    n = None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        n = int(value)
    elif isinstance(value, str) and value.strip().lstrip('+').isdigit():
        n = int(value)
    if n is None or n < 1:
        raise ValueError(f'num_threads must be a positive int, got {value!r}')
    return n


_CHECKS = {'floatx': _check_floatx, 'epsilon': _check_epsilon,
           'image_data_format': _check_data_format, 'num_threads': _check_threads}


def kback_home():
    return os.environ.get('KBACK_HOME', os.path.join(os.path.expanduser('~'), '.kback'))


def _load_defaults():
    path = os.path.join(kback_home(), 'kback.json')
    try:
        with open(path) as f:
            stored = json.load(f)
    except (OSError, ValueError):
        stored = {}
    for key, check in _CHECKS.items():
        if key in stored:
            _settings[key] = check(stored[key])
        env = os.environ.get('KBACK_' + key.upper())
        if env:
            _settings[key] = check(env)


_load_defaults()


def backend():
    return 'kback'


def floatx():
    return _settings['floatx']


def set_floatx(floatx):
    _settings['floatx'] = _check_floatx(floatx)


def cast_to_floatx(x):
    """A numpy array of x in floatx (a new array unless x already is one)."""
    return np.asarray(x, dtype=_settings['floatx'])


def epsilon():
    return _settings['epsilon']


def set_epsilon(e):
    _settings['epsilon'] = _check_epsilon(e)


def image_data_format():
    return _settings['image_data_format']


def set_image_data_format(data_format):
    _settings['image_data_format'] = _check_data_format(data_format)


def get_num_threads():
    """Threads the compiled kernels and BLAS use (default: the cores this process may use)."""
    n = _settings['num_threads']
    if _threads['applied'] != n:     # first call, or the setting was restored directly
        _apply_threads()
    return n


def set_num_threads(n):
    """Sets the OpenMP team of kback_core and the BLAS pools to n threads, so
    the two never oversubscribe the cores."""
    _settings['num_threads'] = _check_threads(n)
    _apply_threads()


# The applied count and the threadpoolctl limiter (kept alive: the limit holds
# until the next change).  Applied lazily on the first kernel call too, so that
# BLAS libraries loaded after import (scipy's) are covered.
_threads = {'applied': None, 'limiter': None}

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
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:       # pragma: no cover - threadpoolctl is a dependency
        return
    _threads['limiter'] = threadpool_limits(limits=n, user_api='blas')


def normalize_data_format(value):
    """None means the global setting; anything else must be a known format."""
    if value is None:
        return image_data_format()
    return _check_data_format(value.lower() if isinstance(value, str) else value)
