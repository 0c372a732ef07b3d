"""The adaptive team size (_kernels/_team.py): fewer threads while other
processes want the cores, the setting again once they have gone, and the
switch that turns it off."""
import multiprocessing
import os
import subprocess
import sys
import threading

import pytest

from kback import backend as K
from kback.backend import config
from kback.backend._kernels import _common, _team

import kback_core._openmp as omp


def _team_seeing(monkeypatch, cores, online, counts):
    """A Team whose samples read `counts` [(runnable, ours), ...] in turn."""
    monkeypatch.setattr(config, 'usable_cores', lambda: cores)
    monkeypatch.setattr(os, 'cpu_count', lambda: online)
    team = _team.Team(lambda n: list(range(n)))
    samples = iter(counts)
    monkeypatch.setattr(team, '_runnable', lambda n: next(samples))
    return team


@pytest.fixture
def clock(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(_team.time, 'perf_counter', lambda: now[0])
    config.set_adaptive_threads(True)
    return now


@pytest.mark.parametrize('cores,online,n,runnable,ours,want', [
    (2, 2, 2, 2, 2, 2),      # only kback's own threads run: the whole setting
    (2, 2, 2, 3, 2, 1),      # one busy process: leave it a core
    (2, 2, 2, 5, 1, 1),      # three or more: never fewer than 1
    (4, 4, 2, 3, 2, 2),      # a core the setting leaves idle takes the other process
    (4, 4, 4, 6, 3, 1),      # three others on four cores
    (2, 2, 4, 4, 4, 4),      # more threads than cores, by the user's choice: kept when quiet
    (2, 8, 2, 5, 1, 1),      # 8 online cores, 2 ours: a quarter of the 4 others, rounded
    (2, 8, 2, 2, 1, 2),
])
def test_leaves_a_core_to_each_other_runnable_task(monkeypatch, clock, cores, online, n,
                                                    runnable, ours, want):
    team = _team_seeing(monkeypatch, cores, online, [(runnable, ours)] * 2)
    team.threads(n)
    clock[0] += 2 * _team.SAMPLE_S
    assert team.threads(n) == want


def test_drops_after_two_samples_and_raises_after_the_hold(monkeypatch, clock):
    team = _team_seeing(monkeypatch, 2, 2, [(2, 2), (3, 1), (2, 2), (3, 1), (3, 1), (1, 1),
                                            (1, 1), (1, 1)])
    assert team.threads(2) == 2
    for want in (2, 2, 2, 1, 1):     # one busy sample passes; two in a row take a thread
        clock[0] += 2 * _team.SAMPLE_S
        assert team.threads(2) == want
    clock[0] += _team.SAMPLE_S / 2
    assert team.threads(2) == 1                      # between samples: no new sample
    clock[0] += _team.HOLD_S
    assert team.threads(2) == 2                      # quiet for a hold: the setting again
    assert team.threads(1) == 1


def test_one_thread_and_off_switch_never_sample(monkeypatch, clock):
    team = _team_seeing(monkeypatch, 2, 2, [])      # a sample would raise StopIteration
    assert team.threads(1) == 1
    config.set_adaptive_threads(False)
    assert team.threads(2) == 2


def test_no_os_counts_means_the_setting(monkeypatch, clock):
    team = _team.Team(None)
    assert team.threads(2) == 2
    team = _team.Team(lambda n: [-1] * n)           # no thread ids: stops asking
    assert team.threads(2) == 2 and team._thread_ids is None


def test_thread_count_of_the_kernels_follows_the_team(monkeypatch, clock):
    K.set_num_threads(2)
    monkeypatch.setattr(_common._team, 'threads', lambda n: 1)
    assert _common.team_threads() == 1 == _common.threads_for(1 << 20)
    assert _common.threads_for_macs(1 << 30) == 1
    assert K.get_num_threads() == 2                  # the setting itself is unchanged


def test_team_thread_ids_are_the_callers_then_the_workers():
    ids = omp.team_thread_ids(2 if omp.openmp_enabled() else 1)
    assert ids[0] == threading.get_native_id()
    assert len(set(ids)) == len(ids) and all(i > 0 for i in ids)
    assert omp.team_thread_ids(1) == [threading.get_native_id()]
    with pytest.raises(ValueError, match='team_thread_ids'):
        omp.team_thread_ids(0)


def _spin(ready):
    ready.set()
    while True:
        pass


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='reads /proc')
def test_a_real_busy_process_takes_a_thread(monkeypatch, clock):
    """On Linux the counts come from /proc: a busy-looping process is always
    runnable, so a 2-thread team leaves it a core."""
    monkeypatch.setattr(config, 'usable_cores', lambda: 2)
    monkeypatch.setattr(os, 'cpu_count', lambda: 2)
    team = _team.Team(omp.team_thread_ids)
    runnable, ours = team._runnable(2)
    assert 1 <= ours <= 2 and runnable >= ours
    ready = multiprocessing.Event()
    busy = multiprocessing.Process(target=_spin, args=(ready,), daemon=True)
    busy.start()
    try:
        assert ready.wait(30)
        team.threads(2)
        clock[0] += 2 * _team.SAMPLE_S
        assert team.threads(2) == 1
    finally:
        busy.terminate()
        busy.join()


@pytest.mark.parametrize('text,want', [('0', False), ('false', False), ('1', True),
                                       (' True ', True)])
def test_switch_from_the_environment(tmp_path, text, want):
    env = dict(os.environ, KBACK_HOME=str(tmp_path), PYTHONPATH=os.getcwd(),
               KBACK_ADAPTIVE_THREADS=text)
    out = subprocess.run([sys.executable, '-c', 'from kback.backend import config; '
                          'print(config.adaptive_threads())'], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.split() == [str(want)], out.stderr


def test_bad_switch_values():
    with pytest.raises(ValueError, match='true or false'):
        config.set_adaptive_threads('sometimes')
    with pytest.raises(ValueError, match='true or false'):
        config.set_adaptive_threads(2)
