"""DistributedOptimizer keeps the wrapped optimizer's face (no MPI needed)."""
import pytest

from kback import optimizers
from kback.distributed import DistributedOptimizer


@pytest.mark.parametrize('make', [lambda: optimizers.SGD(0.1, momentum=0.9),
                                  lambda: optimizers.Adam(0.002), lambda: 'rmsprop'])
def test_keeps_the_name_config_and_variables(make):
    original = optimizers.get(make())
    wrapped = DistributedOptimizer(original, compression='fp16')
    assert type(wrapped).__name__ == type(original).__name__
    assert isinstance(wrapped, type(original))
    assert wrapped.get_config() == original.get_config()
    assert optimizers.serialize(wrapped) == optimizers.serialize(original)
    assert wrapped.learning_rate is original.learning_rate
    restored = optimizers.deserialize(optimizers.serialize(wrapped))
    assert type(restored) is type(original)


@pytest.mark.parametrize('kwargs, message', [
    ({'compression': 'int8'}, "compression must be None or 'fp16', got 'int8'"),
    ({'bucket_bytes': 0}, 'bucket_bytes must be a positive int, got 0'),
    ({'progress_interval': 0}, 'progress_interval must be None or seconds > 0, got 0'),
])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message.replace('(', r'\(')):
        DistributedOptimizer('sgd', **kwargs)


def test_wrapping_twice_is_refused():
    with pytest.raises(ValueError, match='already distributed'):
        DistributedOptimizer(DistributedOptimizer('sgd'))


def test_buckets_follow_backprop_order_up_to_their_size():
    from kback import backend as K
    from kback.distributed.buckets import fill_buckets
    x = K.placeholder(shape=(4,))
    # Created in this order, as backprop would create them: c, a, b, d.
    c = x * 1.
    a = K.reshape(K.tile(x, 2), (2, 4))
    b = x * 2.
    d = K.cast(x, 'float64')
    grads = [a, b, c, d]                      # 32, 16, 16 and 32 (float64) bytes
    assert fill_buckets(grads, bucket_bytes=48) == [[2, 0], [1], [3]]
    assert fill_buckets(grads, bucket_bytes=8) == [[2], [0], [1], [3]]


def test_an_optimizer_with_its_own_get_updates_is_refused():
    class Legacy(optimizers.SGD):
        def get_updates(self, loss, params):
            return self.apply_gradients(self.get_gradients(loss, params), params)
    with pytest.raises(ValueError, match='Legacy overrides get_updates'):
        DistributedOptimizer(Legacy())
