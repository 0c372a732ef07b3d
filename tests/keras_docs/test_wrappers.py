"""Keras 2.3's TimeDistributed wrapper: the docstring examples and the
functional guide's `TimeDistributed(model)`."""
import numpy as np
import pytest

from kback import backend as K
from kback.layers import (Input, Dense, Conv2D, Flatten, TimeDistributed, BatchNormalization,
                          Dropout, GlobalAveragePooling1D)
import kback.layers
from kback.models import Model, Sequential, load_model


def test_time_distributed_dense_docstring():
    model = Sequential()
    model.add(TimeDistributed(Dense(8), input_shape=(10, 16)))
    assert model.output_shape == (None, 10, 8)
    model.add(TimeDistributed(Dense(32)))
    assert model.output_shape == (None, 10, 32)
    x = np.random.random((3, 10, 16)).astype('float32')
    w, b = model.layers[0].get_weights()
    assert w.shape == (16, 8)
    w2, b2 = model.layers[1].get_weights()
    np.testing.assert_allclose(model.predict(x), (x @ w + b) @ w2 + b2, rtol=1e-5, atol=1e-5)
    assert len(model.trainable_weights) == 4


def test_time_distributed_conv2d_docstring():
    model = Sequential()
    model.add(TimeDistributed(Conv2D(4, (3, 3)), input_shape=(5, 9, 9, 3)))
    assert model.output_shape == (None, 5, 7, 7, 4)
    x = np.random.random((2, 5, 9, 9, 3)).astype('float32')
    out = model.predict(x)
    conv = Sequential([Conv2D(4, (3, 3), input_shape=(9, 9, 3))])
    conv.set_weights(model.get_weights())
    np.testing.assert_allclose(out[:, 3], conv.predict(x[:, 3]), rtol=1e-5, atol=1e-5)


def test_time_distributed_model_and_training():
    inp = Input(shape=(6,))
    model = Model(inp, Dense(3, activation='relu')(inp))
    input_sequences = Input(shape=(20, 6))
    processed_sequences = TimeDistributed(model)(input_sequences)
    assert K.int_shape(processed_sequences) == (None, 20, 3)
    pooled = GlobalAveragePooling1D()(processed_sequences)
    out = Dense(1)(pooled)
    seq_model = Model(input_sequences, out)
    seq_model.compile('sgd', 'mse')
    x = np.random.random((4, 20, 6))
    y = np.random.random((4, 1))
    before = model.get_weights()[0].copy()
    seq_model.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(model.get_weights()[0], before)


def test_time_distributed_unknown_timesteps_and_batchnorm_updates():
    inp = Input(shape=(None, 3))
    td = TimeDistributed(BatchNormalization(momentum=0.))
    out = td(inp)
    assert K.int_shape(out) == (None, None, 3)
    model = Model(inp, out)
    model.compile('sgd', 'mse')
    x = np.random.random((4, 7, 3)).astype('float32') * 5 + 2
    model.fit(x, x, epochs=1, batch_size=4, verbose=0)
    moving_mean = K.get_value(td.layer.moving_mean)
    np.testing.assert_allclose(moving_mean, x.reshape(-1, 3).mean(0), rtol=1e-4)
    assert model.predict(np.random.random((2, 5, 3))).shape == (2, 5, 3)


def test_time_distributed_config_round_trip(tmp_path):
    model = Sequential([TimeDistributed(Dense(4, activation='relu'), input_shape=(3, 2)),
                        TimeDistributed(Dropout(0.5))])
    config = model.layers[0].get_config()
    assert config['layer']['class_name'] == 'Dense'
    assert config['layer']['config']['units'] == 4
    clone = TimeDistributed.from_config(config)
    assert isinstance(clone.layer, Dense)
    path = str(tmp_path / 'td.h5')
    model.compile('sgd', 'mse')
    model.save(path)
    loaded = load_model(path)
    x = np.random.random((2, 3, 2))
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    assert isinstance(kback.layers.deserialize(kback.layers.serialize(model.layers[0])),
                      TimeDistributed)


def test_time_distributed_errors():
    with pytest.raises(ValueError):
        TimeDistributed(Dense(2))(Input(shape=(3,)))
    with pytest.raises(ValueError):
        TimeDistributed('dense')
