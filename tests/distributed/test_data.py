"""Sharding: the ranks together see each sample once per epoch, in an order
that is seeded per epoch and the same on every rank (no MPI needed: the
shards are built with an explicit rank and size)."""
import numpy as np
import pytest
from PIL import Image

from kback.distributed import ArraySequence, ShardedSequence
from kback.preprocessing.image import ImageDataGenerator


def _epoch_rows(sequence, key):
    return np.concatenate([key(sequence[i]) for i in range(len(sequence))])


def _shards(make, size=2):
    return [ShardedSequence(make(), rank=r, size=size) for r in range(size)]


def _check_each_sample_once_per_epoch(shards, key, n, epochs=2):
    orders = []
    for _ in range(epochs):
        seen = [_epoch_rows(s, key) for s in shards]
        assert len({len(rows) for rows in seen}) == 1        # the same number of steps
        every = np.concatenate(seen)
        assert len(every) == n and len(np.unique(every)) == n
        orders.append(every)
        for s in shards:
            s.on_epoch_end()
    assert not np.array_equal(orders[0], orders[1])           # reshuffled each epoch


def test_arrays_are_dealt_in_one_seeded_order():
    x = np.arange(64, dtype='float32')[:, None]
    y = np.arange(64)
    shards = _shards(lambda: ArraySequence(x, y, batch_size=8, seed=3))
    _check_each_sample_once_per_epoch(shards, lambda batch: batch[1], 64)
    # Rank r takes batches r, r + 2, ... of the one order every rank draws.
    whole = ArraySequence(x, y, batch_size=8, seed=3)
    shard = ShardedSequence(ArraySequence(x, y, batch_size=8, seed=3), rank=1, size=2)
    np.testing.assert_array_equal(shard[2][0], whole[5][0])


def test_sample_weights_travel_with_their_rows():
    x = np.arange(10.)
    batch = ArraySequence(x, x * 2, sample_weight=x * 3, batch_size=4, seed=0)[1]
    np.testing.assert_array_equal(batch[1], batch[0] * 2)
    np.testing.assert_array_equal(batch[2], batch[0] * 3)


def test_leftover_batches_are_left_out_so_every_rank_takes_as_many_steps():
    seq = ArraySequence(np.arange(50.), np.arange(50.), batch_size=8, shuffle=False)
    assert len(seq) == 7
    assert [len(ShardedSequence(seq, rank=r, size=2)) for r in (0, 1)] == [3, 3]
    with pytest.raises(ValueError, match='7 batches cannot be shared by 8 ranks'):
        ShardedSequence(seq, rank=0, size=8)


def test_image_data_generator_flow_with_a_seed():
    x = np.arange(40, dtype='float32').reshape(40, 1, 1, 1) * np.ones((1, 2, 2, 1), 'float32')
    y = np.arange(40)
    gen = ImageDataGenerator()
    shards = _shards(lambda: gen.flow(x, y, batch_size=4, seed=7))
    _check_each_sample_once_per_epoch(shards, lambda batch: batch[1], 40)


def test_flow_from_directory_with_a_seed(tmp_path):
    for c in ('cat', 'dog'):
        (tmp_path / c).mkdir()
        for i in range(6):
            value = (10 * i + (c == 'dog')) % 256
            Image.new('L', (4, 4), value).save(tmp_path / c / f'{i}.png')
    gen = ImageDataGenerator()
    shards = _shards(lambda: gen.flow_from_directory(str(tmp_path), target_size=(4, 4),
                                                     color_mode='grayscale', batch_size=3,
                                                     seed=1))
    pixel = lambda batch: batch[0][:, 0, 0, 0]               # noqa: E731 (one id per image)
    _check_each_sample_once_per_epoch(shards, pixel, 12)


def test_an_unseeded_shuffle_is_refused():
    gen = ImageDataGenerator()
    with pytest.raises(ValueError, match='shuffles without a seed'):
        ShardedSequence(gen.flow(np.zeros((8, 2, 2, 1)), np.zeros(8), batch_size=2),
                        rank=0, size=2)
