"""Models pickle (Keras 2.3's __reduce__: the saved file in memory, so
config, weights and optimizer state) and save to / load from open h5py
Files and Groups and binary file-like objects (io.BytesIO)."""
import copy
import io
import pickle

import h5py
import numpy as np
import pytest

from kback import backend as K
from kback.layers import Input, Dense, BatchNormalization
from kback.models import Model, Sequential, save_model, load_model

rng = np.random.RandomState(4)
X = rng.rand(16, 3).astype('float32')
Y = rng.rand(16, 2).astype('float32')


def _trained(kind='functional'):
    if kind == 'sequential':
        model = Sequential([Dense(4, input_shape=(3,), activation='relu'),
                            BatchNormalization(), Dense(2)])
    else:
        x = Input((3,))
        model = Model(x, Dense(2, name='out')(BatchNormalization()(Dense(4)(x))))
    model.compile('adam', 'mse', metrics=['mae'])
    model.fit(X, Y, batch_size=8, epochs=2, verbose=0)
    return model


def _assert_same_model(a, b):
    assert type(a) is type(b) and a.metrics_names == b.metrics_names
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-6)
    for u, v in zip(a.optimizer.get_weights(), b.optimizer.get_weights()):
        np.testing.assert_array_equal(u, v)
    # both continue training identically from the same optimizer state
    assert a.train_on_batch(X, Y)[0] == pytest.approx(b.train_on_batch(X, Y)[0], rel=1e-5)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-5)


@pytest.mark.parametrize('kind', ['functional', 'sequential'])
def test_pickle_round_trip_keeps_weights_and_optimizer_state(kind):
    model = _trained(kind)
    restored = pickle.loads(pickle.dumps(model))
    assert restored is not model and restored.optimizer.iterations is not \
        model.optimizer.iterations
    assert K.get_value(restored.optimizer.iterations) == 4
    _assert_same_model(model, restored)


def test_deepcopy_and_uncompiled_pickle():
    model = _trained()
    clone = copy.deepcopy(model)
    _assert_same_model(model, clone)
    plain = Sequential([Dense(2, input_shape=(3,))])
    again = pickle.loads(pickle.dumps(plain))
    np.testing.assert_allclose(again.predict(X), plain.predict(X), rtol=1e-6)
    assert getattr(again, 'optimizer', None) is None


def test_save_and_load_through_bytesio():
    model = _trained()
    buffer = io.BytesIO()
    model.save(buffer)
    assert buffer.getvalue()[:8] == b'\x89HDF\r\n\x1a\n'
    buffer.seek(0)
    _assert_same_model(model, load_model(buffer))
    weights = io.BytesIO()
    model.save_weights(weights)
    fresh = _trained()
    fresh.load_weights(io.BytesIO(weights.getvalue()))
    np.testing.assert_allclose(fresh.predict(X), model.predict(X), rtol=1e-6)


def test_save_and_load_on_open_h5py_file_and_group(tmp_path):
    model = _trained()
    path = str(tmp_path / 'both.h5')
    with h5py.File(path, 'w') as f:
        save_model(model, f)
        save_model(model, f.create_group('copy'), include_optimizer=False)
        assert f.id.valid           # the caller's file stays open
    with h5py.File(path, 'r') as f:
        copy_ = load_model(f['copy'])
        np.testing.assert_allclose(copy_.predict(X), model.predict(X), rtol=1e-6)
        assert getattr(copy_, 'optimizer', None) is None
        _assert_same_model(model, load_model(f))
        assert f.id.valid


def test_unsupported_target_is_a_clear_error():
    model = _trained()
    with pytest.raises(TypeError, match='h5py.File or Group, or a binary file-like object'):
        model.save(12345)
    with pytest.raises(TypeError, match='h5py.File or Group'):
        load_model(object())
