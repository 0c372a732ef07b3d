"""A failing rank ends the whole job, fast and non-zero, naming the rank."""
import pytest

from .conftest import needs_mpi, run_mpi

pytestmark = needs_mpi


def test_a_rank_raising_in_epoch_two_aborts_the_job_naming_it():
    done = run_mpi('_worker_fault.py', 'raise', timeout=30)
    assert done.returncode != 0
    assert 'rank 1 of 2 failed' in done.output
    assert 'injected failure in epoch 2' in done.output
    assert 'rank 0 finished' not in done.output


def test_a_killed_rank_ends_the_job():
    done = run_mpi('_worker_fault.py', 'kill', timeout=30)
    assert done.returncode != 0
    assert 'finished' not in done.output


@pytest.mark.parametrize('fault, says', [
    ('shapes', "('dense_1/kernel:0', (8, 17), 'float32') on the other rank"),
    ('optimizer', "'learning_rate': 0.5"),
])
def test_ranks_that_disagree_fail_at_the_first_broadcast(fault, says):
    done = run_mpi('_worker_fault.py', fault, timeout=30)
    assert done.returncode != 0
    assert 'rank 1 disagrees with rank 0' in done.output and says in done.output
    assert 'finished' not in done.output
