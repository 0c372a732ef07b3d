"""Each rank's share of the data: every epoch, the ranks together see each
sample once.  Batches are dealt round-robin (rank r takes batches r, r + n,
r + 2n, ... of the whole epoch), so the shuffle before dealing must be the
same on every rank: seeded per epoch."""
import numpy as np

from ..utils.data_utils import Sequence
from .world import rank as world_rank, size as world_size


class ShardedSequence(Sequence):
    """Rank r's batches of `sequence`: len(sequence) // size() of them, so
    that every rank runs the same number of steps (the last
    len(sequence) % size() batches of an epoch are left out).  The sequence
    must order its samples alike on every rank: no shuffle, or a seeded one
    (`ImageDataGenerator.flow(..., seed=s)`, `flow_from_directory(...,
    seed=s)`, ArraySequence)."""

    def __init__(self, sequence, rank=None, size=None):
        if not isinstance(sequence, Sequence):
            raise TypeError(f'ShardedSequence: expected a Sequence, got '
                            f'{type(sequence).__name__}')
        if getattr(sequence, 'shuffle', False) and hasattr(sequence, 'seed') and \
                sequence.seed is None:
            raise ValueError(f'ShardedSequence: {type(sequence).__name__} shuffles without a '
                             'seed, so each rank would shuffle differently and see samples '
                             'twice; pass seed=<int> (the same on every rank)')
        self.sequence = sequence
        # The world's rank and size unless given (a custom split, or a test).
        self.rank = world_rank() if rank is None else rank
        self.size = world_size() if size is None else size
        if len(sequence) < self.size:
            raise ValueError(f'ShardedSequence: {len(sequence)} batches cannot be shared by '
                             f'{self.size} ranks')

    def __len__(self):
        return len(self.sequence) // self.size

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f'ShardedSequence: batch {index} of {len(self)}')
        return self.sequence[index * self.size + self.rank]

    def on_epoch_end(self):
        self.sequence.on_epoch_end()


class ArraySequence(Sequence):
    """Batches (x, y) or (x, y, sample_weight) of arrays (x and y may be
    lists of arrays); with shuffle, epoch e's order is a permutation drawn
    from RandomState([seed, e]), identical on every rank."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=True, seed=0):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        lengths = {len(a) for a in _arrays(x) + _arrays(y) + _arrays(sample_weight)}
        if len(lengths) != 1:
            raise ValueError(f'ArraySequence: x, y and sample_weight need the same number of '
                             f'samples, got lengths {sorted(lengths)}')
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f'ArraySequence: batch_size must be a positive int, got '
                             f'{batch_size!r}')
        self.samples, self.batch_size = lengths.pop(), int(batch_size)
        self.shuffle, self.seed, self.epoch = shuffle, seed, 0
        self._order()

    def _order(self):
        self.index = np.random.RandomState([self.seed, self.epoch]).permutation(self.samples) \
            if self.shuffle else np.arange(self.samples)

    def __len__(self):
        return (self.samples + self.batch_size - 1) // self.batch_size

    def __getitem__(self, i):
        rows = self.index[i * self.batch_size:(i + 1) * self.batch_size]
        batch = (_take(self.x, rows), _take(self.y, rows))
        return batch if self.sample_weight is None else batch + (_take(self.sample_weight, rows),)

    def on_epoch_end(self):
        self.epoch += 1
        self._order()


def _arrays(data):
    if data is None:
        return []
    return list(data) if isinstance(data, (list, tuple)) else [data]


def _take(data, rows):
    if data is None:
        return None
    if isinstance(data, (list, tuple)):
        return [np.asarray(a)[rows] for a in data]
    return np.asarray(data)[rows]


def shard(data, y=None, sample_weight=None, batch_size=32, shuffle=True, seed=0):
    """This rank's share of `data` for fit: a ShardedSequence of `data` when
    it is a Sequence (a Keras Sequence, `ImageDataGenerator.flow` or
    `flow_from_directory` with a seed), else of ArraySequence(data, y,
    sample_weight, batch_size, shuffle, seed).  Pass it to fit as x (the
    batch size is per rank), with shuffle=False to keep the seeded order."""
    if isinstance(data, Sequence):
        if y is not None or sample_weight is not None:
            raise ValueError('shard: a Sequence yields its own targets and weights; y and '
                             'sample_weight must be None')
        return ShardedSequence(data)
    return ShardedSequence(ArraySequence(data, y, sample_weight, batch_size, shuffle, seed))
