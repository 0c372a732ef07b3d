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


@pytest.mark.parametrize('bad,error', [
    (0, ValueError), (-1, ValueError), ('x', TypeError), ('4', TypeError), (2.5, TypeError),
    (4.0, TypeError), (True, TypeError), (None, TypeError)])
def test_bad_thread_counts_change_nothing(bad, error):
    K.set_num_threads(1)
    with pytest.raises(error, match='num_threads.*' + repr(bad).replace('.', r'\.')):
        K.set_num_threads(bad)
    assert K.get_num_threads() == 1


@pytest.mark.parametrize('huge', [100000, 2 ** 40, 2 ** 70])
def test_huge_thread_counts_are_capped_with_a_warning(huge):
    import numpy as np
    from kback.backend import config
    from kback_core import _openmp
    with pytest.warns(UserWarning, match=f'num_threads={huge}.*MAX_THREADS'):
        K.set_num_threads(huge)
    assert K.get_num_threads() == config.MAX_THREADS == _openmp.max_threads()
    K.set_num_threads(np.int64(2))
    assert K.get_num_threads() == 2 == _openmp.max_threads()


def test_failed_apply_restores_the_previous_count(monkeypatch):
    from kback.backend import config
    K.set_num_threads(1)

    def refuse(n):
        if n == 3:
            raise RuntimeError('refused')
    monkeypatch.setattr(config, '_thread_listeners', config._thread_listeners + [refuse])
    with pytest.raises(RuntimeError):
        K.set_num_threads(3)
    assert K.get_num_threads() == 1


def _blas_threads():
    from threadpoolctl import threadpool_info
    return {lib['filepath']: lib['num_threads'] for lib in threadpool_info()
            if lib['user_api'] == 'blas'}


def test_default_threads_are_the_usable_cores():
    import os
    if 'OMP_NUM_THREADS' in os.environ or 'KBACK_NUM_THREADS' in os.environ:
        pytest.skip('a thread count is set in the environment')
    assert K.get_num_threads() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize('n', [1, 3])
def test_set_num_threads_sets_openmp_not_the_users_blas(n):
    import numpy as np
    import scipy.linalg  # noqa: F401  (a second BLAS library, loaded late)
    from kback_core import _openmp
    before = _blas_threads()
    K.set_num_threads(n)
    assert K.get_num_threads() == n
    assert _openmp.max_threads() == n
    a = np.random.RandomState(0).randn(64, 64).astype('float32')
    np.testing.assert_allclose(K.eval(K.dot(K.constant(a), K.constant(np.eye(64)))), a,
                               rtol=1e-6)
    after = _blas_threads()
    scipy_blas = {p for p in after if 'scipy.libs' in p}   # the kernels' own, kept at 1
    assert {p: after[p] for p in after if p not in scipy_blas} == \
        {p: before[p] for p in before if p not in scipy_blas}


def test_restored_setting_is_applied_on_next_use():
    from kback_core import _openmp
    from kback.backend import config
    K.set_num_threads(1)
    config._settings['num_threads'] = 2        # as the test fixture restores it
    assert K.get_num_threads() == 2
    assert _openmp.max_threads() == 2


_THREADS_CODE = (
    'import warnings, numpy, threadpoolctl; threadpoolctl.threadpool_limits(1); '
    'warnings.simplefilter("always"); '
    'from kback import backend as K; from kback_core import _openmp; '
    'import numpy as np; x = K.variable(np.ones((300, 300), "float32")); '
    'K.eval(K.relu(K.dot(x, x))); '
    'print(K.get_num_threads(), _openmp.max_threads(), '
    'sorted({l["num_threads"] for l in threadpoolctl.threadpool_info() '
    'if l["user_api"] == "blas" and "numpy" in l["filepath"]}))')


def _threads_in_subprocess(tmp_path, **variables):
    import os
    env = dict(os.environ, KBACK_HOME=str(tmp_path), PYTHONPATH=os.getcwd())
    for name in ('KBACK_NUM_THREADS', 'OMP_NUM_THREADS'):
        env.pop(name, None)
    env.update(variables)
    out = subprocess.run([sys.executable, '-c', _THREADS_CODE], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.split(), out.stderr


@pytest.mark.parametrize('variables,threads', [
    ({'KBACK_NUM_THREADS': '1'}, '1'),
    ({'OMP_NUM_THREADS': '1'}, '1'),
    ({'OMP_NUM_THREADS': '3,2'}, '3'),
    ({'KBACK_NUM_THREADS': '3', 'OMP_NUM_THREADS': '1'}, '3'),
])
def test_thread_precedence_and_the_users_blas(tmp_path, variables, threads):
    """K.set_num_threads > KBACK_NUM_THREADS > OMP_NUM_THREADS > affinity; numpy's
    BLAS keeps the user's limit (1 here) through import and kback's own calls."""
    out, _ = _threads_in_subprocess(tmp_path, **variables)
    assert out == [threads, threads, '[1]']


@pytest.mark.parametrize('variables,warning', [
    ({'KBACK_NUM_THREADS': 'lots'}, 'KBACK_NUM_THREADS'),
    ({'KBACK_NUM_THREADS': '0'}, 'KBACK_NUM_THREADS'),
    ({'KBACK_NUM_THREADS': '-1'}, 'KBACK_NUM_THREADS'),
    ({'OMP_NUM_THREADS': 'x', 'KBACK_NUM_THREADS': '99999999999'}, 'MAX_THREADS'),
    ({'OMP_NUM_THREADS': 'x'}, 'OMP_NUM_THREADS'),
])
def test_bad_thread_environment_warns_and_falls_back(tmp_path, variables, warning):
    import os
    from kback.backend import config
    out, err = _threads_in_subprocess(tmp_path, **variables)
    assert warning in err
    expected = config.MAX_THREADS if 'MAX_THREADS' in warning else len(os.sched_getaffinity(0))
    assert out == [str(expected), str(expected), '[1]']


def test_bad_settings_file_warns_and_falls_back(tmp_path):
    (tmp_path / 'kback.json').write_text(json.dumps({'num_threads': 'many', 'floatx': 'f8'}))
    out, err = _threads_in_subprocess(tmp_path, KBACK_NUM_THREADS='1')
    assert out == ['1', '1', '[1]'] and 'num_threads' in err and 'floatx' in err


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
