"""Two ranks under mpiexec: equivalence with one process, broadcast, metric
averaging, save/load (one run of _worker_train.py for the module)."""
import numpy as np
import pytest

from .conftest import needs_mpi, run_mpi

pytestmark = needs_mpi


@pytest.fixture(scope='module')
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp('mpi_train')
    done = run_mpi('_worker_train.py', out, timeout=120)
    assert done.returncode == 0, done.output
    return [dict(np.load(out / f'rank{r}.npz')) for r in (0, 1)], \
        dict(np.load(out / 'reference.npz'))


def _weights(table, prefix):
    return [table[f'{prefix}_{i}'] for i in range(sum(1 for k in table if
                                                     k.startswith(prefix + '_') and
                                                     k[len(prefix) + 1:].isdigit()))]


def _relative_error(got, want):
    return max(float(np.max(np.abs(g - w)) / np.max(np.abs(w))) for g, w in zip(got, want)
               if np.any(w))


@pytest.mark.parametrize('kind', ['mlp', 'cnn'])
@pytest.mark.parametrize('opt', ['sgd', 'adam'])
def test_two_ranks_train_as_one_process_with_twice_the_batch(results, kind, opt):
    """20 steps, batch b per rank against batch 2b in one process (for the
    CNN, one process averaging the gradients of the two half batches: each
    rank's BatchNormalization uses its own batch's statistics)."""
    (rank0, rank1), reference = results
    got, want = _weights(rank0, f'{kind}_{opt}'), _weights(reference, f'{kind}_{opt}')
    assert len(got) == len(want) > 0
    assert _relative_error(got, want) < 1e-5
    assert rank0[f'{kind}_{opt}_steps'] == 20
    for a, b in zip(got, _weights(rank1, f'{kind}_{opt}')):
        np.testing.assert_array_equal(a, b)


def test_fp16_compression_trains_alike_within_its_precision(results):
    (rank0, rank1), reference = results
    got, want = _weights(rank0, 'fp16'), _weights(reference, 'mlp_sgd')
    assert 1e-7 < _relative_error(got, want) < 1e-2
    for a, b in zip(got, _weights(rank1, 'fp16')):
        np.testing.assert_array_equal(a, b)


def test_one_bucket_per_gradient_without_progress_thread(results):
    (rank0, _), reference = results
    assert rank0['small_buckets_buckets'] == 4
    assert _relative_error(_weights(rank0, 'small_buckets'),
                           _weights(reference, 'mlp_sgd')) < 1e-5


@pytest.mark.parametrize('opt', ['sgd', 'adam'])
def test_batch_norm_statistics_stay_per_rank(results, opt):
    (rank0, rank1), reference = results
    moving = [k for k in rank0 if k.startswith(f'cnn_{opt}_moving_')]
    assert moving and any(not np.array_equal(rank0[k], rank1[k]) for k in moving)
    # Per-rank statistics train differently from one batch of 2b.
    trained = _weights(rank0, f'cnn_{opt}')
    assert _relative_error(trained, _weights(reference, f'cnn_{opt}_batch2b')) > 1e-3


def test_broadcast_makes_differently_initialised_ranks_equal(results):
    (rank0, rank1), _ = results
    keys = [k for k in rank0 if k.startswith('broadcast_')]
    assert keys
    for k in keys:
        np.testing.assert_array_equal(rank0[k], rank1[k])


def test_averaged_metrics_equal_one_process(results):
    (rank0, rank1), reference = results
    names = [k for k in reference if k.startswith('metric_')]
    assert {'metric_loss', 'metric_accuracy', 'metric_val_loss',
            'metric_val_accuracy'} <= set(names)
    for k in names:
        np.testing.assert_allclose(rank0[k], reference[k], rtol=1e-5)
        np.testing.assert_array_equal(rank0[k], rank1[k])


def test_save_and_load_model_keep_the_wrapped_optimizer(results):
    (rank0, _), _ = results
    name, loaded_config, config = rank0['saved_optimizer']
    assert name == 'SGD' and loaded_config == config
    assert bool(rank0['saved_optimizer_state_equal'])


def test_collectives_and_the_warm_up_ramp_on_two_ranks(results):
    (rank0, rank1), _ = results
    for rank in (rank0, rank1):
        np.testing.assert_array_equal(rank['allreduce'], np.full((2, 2), 1.5))
        np.testing.assert_array_equal(rank['allreduce_sum'], [3, 3, 3])
        np.testing.assert_array_equal(rank['allgather'], [[0, 0], [1, 1], [1, 1]])
        np.testing.assert_array_equal(rank['broadcast'], [6., 6., 6.])
        # From 1/size() of the rate to all of it over warmup_epochs (Horovod's ramp).
        np.testing.assert_allclose(rank['warmup'], [0.5, 0.625, 0.75, 1.])
