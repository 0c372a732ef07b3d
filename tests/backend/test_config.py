import json
import subprocess
import sys

import pytest

from kback import backend as K


def test_defaults():
    assert K.backend() == 'kback'
    assert K.floatx() == 'float32'
    assert K.epsilon() == 1e-7
    assert K.image_data_format() == 'channels_last'
    assert K.get_num_threads() >= 1


def test_setters_round_trip():
    K.set_floatx('float64')
    assert K.floatx() == 'float64'
    assert K.variable(1.0).dtype == 'float64'
    K.set_epsilon(1e-5)
    assert K.epsilon() == 1e-5
    K.set_image_data_format('channels_first')
    assert K.image_data_format() == 'channels_first'
    K.set_num_threads(1)
    assert K.get_num_threads() == 1


@pytest.mark.parametrize('setter,value,accepted', [
    (K.set_floatx, 'float8', 'float16, float32, float64'),
    (K.set_image_data_format, 'nhwc', 'channels_last, channels_first'),
])
def test_unknown_values_list_accepted_ones(setter, value, accepted):
    with pytest.raises(ValueError, match=accepted):
        setter(value)


@pytest.mark.parametrize('bad', [0, -1, 'x', 2.5, True, None, '0'])
def test_bad_thread_counts(bad):
    with pytest.raises(ValueError, match='num_threads.*' + repr(bad).replace('.', r'\.')):
        K.set_num_threads(bad)


def _blas_threads():
    from threadpoolctl import threadpool_info
    return {lib['filepath']: lib['num_threads'] for lib in threadpool_info()
            if lib['user_api'] == 'blas'}


def test_default_threads_are_the_usable_cores():
    import os
    assert K.get_num_threads() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize('n', [1, 3])
def test_set_num_threads_sets_openmp_and_blas(n):
    import numpy as np
    import scipy.linalg  # noqa: F401  (a second BLAS library, loaded late)
    from kback_core import _openmp
    K.set_num_threads(n)
    assert K.get_num_threads() == n
    assert _openmp.max_threads() == n
    assert _blas_threads() and set(_blas_threads().values()) == {n}
    # numpy's BLAS still computes correctly under the limit.
    a = np.random.RandomState(0).randn(64, 64)
    np.testing.assert_allclose(a @ np.eye(64), a)


def test_restored_setting_is_applied_on_next_use():
    from kback_core import _openmp
    from kback.backend import config
    K.set_num_threads(1)
    config._settings['num_threads'] = 2        # as the test fixture restores it
    assert K.get_num_threads() == 2
    assert _openmp.max_threads() == 2 and set(_blas_threads().values()) == {2}


def test_threads_from_environment(tmp_path):
    import os
    code = ('import numpy, threadpoolctl; from kback import backend as K; '
            'from kback_core import _openmp; n = K.get_num_threads(); '
            'print(n, _openmp.max_threads(), '
            'sorted({l["num_threads"] for l in threadpoolctl.threadpool_info() '
            'if l["user_api"] == "blas"}))')
    env = dict(os.environ, KBACK_HOME=str(tmp_path), PYTHONPATH=os.getcwd(), KBACK_NUM_THREADS='1')
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ['1', '1', '[1]']
    env['KBACK_NUM_THREADS'] = 'lots'
    bad = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and 'num_threads' in bad.stderr


def test_bad_epsilon():
    with pytest.raises(ValueError, match='epsilon'):
        K.set_epsilon(-1)


def _settings_in_subprocess(env, tmp_path):
    code = ('from kback import backend as K; '
            'print(K.floatx(), K.image_data_format(), K.epsilon())')
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout.split()


def test_defaults_from_json_and_environment(tmp_path, monkeypatch):
    import os
    home = tmp_path / 'kb'
    home.mkdir()
    (home / 'kback.json').write_text(json.dumps(
        {'floatx': 'float64', 'image_data_format': 'channels_first', 'epsilon': 1e-4}))
    env = dict(os.environ, KBACK_HOME=str(home), PYTHONPATH=os.getcwd())
    env.pop('KBACK_FLOATX', None)
    assert _settings_in_subprocess(env, tmp_path) == ['float64', 'channels_first', '0.0001']
    env.update(KBACK_FLOATX='float16', KBACK_IMAGE_DATA_FORMAT='channels_last', KBACK_EPSILON='0.001')
    assert _settings_in_subprocess(env, tmp_path) == ['float16', 'channels_last', '0.001']


def test_learning_phase():
    lp = K.learning_phase()
    assert K.is_placeholder(lp)
    x = K.placeholder(shape=(2,))
    y = K.in_train_phase(x * 2, x * 3)
    f = K.function([x, lp], [y])
    assert f([[1, 1], 1])[0].tolist() == [2, 2]
    assert f([[1, 1], 0])[0].tolist() == [3, 3]
    # Not fed: test phase.
    assert K.function([x], [y])([[1, 1]])[0].tolist() == [3, 3]
    K.set_learning_phase(1)
    assert K.learning_phase() == 1
    assert K.in_train_phase(x * 2, x * 3) .op == 'mul'
    with pytest.raises(ValueError, match='0 or 1'):
        K.set_learning_phase(2)


def test_uids_and_clear_session():
    assert K.get_uid('dense') == 1
    assert K.get_uid('dense') == 2
    K.clear_session()
    assert K.get_uid('dense') == 1
