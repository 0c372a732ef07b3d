"""Examples of Keras 2.3's FAQ."""
import json
import os

import numpy as np
import pytest

from kback import backend as K
from kback.callbacks import EarlyStopping, Callback, History
from kback.layers import Input, Dense, Dropout, Flatten, Conv2D
from kback.models import Model, Sequential, load_model, model_from_json, model_from_yaml


def _mlp():
    model = Sequential()
    model.add(Dense(8, input_dim=4, activation='relu', name='dense_1'))
    model.add(Dense(3, activation='softmax', name='dense_2'))
    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
    return model


def _xy(n=32):
    x = np.random.random((n, 4)).astype('float32')
    y = np.eye(3)[np.random.randint(3, size=n)].astype('float32')
    return x, y


def test_save_and_load_whole_model(tmp_path):
    model = _mlp()
    x, y = _xy()
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / 'my_model.h5')
    model.save(path)
    del model
    model = load_model(path)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0)[0],
                               model.evaluate(x, y, verbose=0)[0])
    # The optimizer state came back: training resumes.
    assert model.optimizer.__class__.__name__ == 'Adam'
    assert K.get_value(model.optimizer.iterations) == 1
    model.fit(x, y, epochs=1, verbose=0)


def test_json_architecture_round_trip():
    model = _mlp()
    json_string = model.to_json()
    json.loads(json_string)
    model2 = model_from_json(json_string)
    assert [l.name for l in model2.layers] == ['dense_1', 'dense_2']
    assert model2.output_shape == (None, 3)


def test_save_and_load_weights_by_name(tmp_path):
    model = _mlp()
    path = str(tmp_path / 'my_model_weights.h5')
    model.save_weights(path)
    model2 = _mlp()
    model2.load_weights(path)
    for a, b in zip(model.get_weights(), model2.get_weights()):
        np.testing.assert_array_equal(a, b)
    # by_name: the FAQ's example of a new model with one layer in common.
    model3 = Sequential()
    model3.add(Dense(8, input_dim=4, name='dense_1'))
    model3.add(Dense(10, name='new_dense'))
    model3.load_weights(path, by_name=True)
    np.testing.assert_array_equal(model3.layers[0].get_weights()[0], model.layers[0].get_weights()[0])


def test_intermediate_layer_output_via_model():
    inp = Input(shape=(4,))
    x = Dense(8, activation='relu', name='my_layer')(inp)
    out = Dense(2)(x)
    model = Model(inp, out)
    intermediate_layer_model = Model(inputs=model.input,
                                     outputs=model.get_layer('my_layer').output)
    data = np.random.random((5, 4)).astype('float32')
    intermediate_output = intermediate_layer_model.predict(data)
    w, b = model.get_layer('my_layer').get_weights()
    np.testing.assert_allclose(intermediate_output, np.maximum(data @ w + b, 0), rtol=1e-5,
                               atol=1e-6)


def test_intermediate_output_via_k_function():
    model = Sequential([Dense(8, input_shape=(4,), activation='relu'), Dropout(0.5),
                        Dense(6, activation='relu'), Dense(3)])
    get_3rd_layer_output = K.function([model.layers[0].input], [model.layers[3].output])
    x = np.random.random((5, 4)).astype('float32')
    layer_output = get_3rd_layer_output([x])[0]
    assert layer_output.shape == (5, 3)
    np.testing.assert_allclose(layer_output, model.predict(x), rtol=1e-5, atol=1e-6)
    get_2nd = K.function([model.layers[0].input, K.learning_phase()],
                         [model.layers[2].output])
    out_test = get_2nd([x, 0])[0]
    out_train = get_2nd([x, 1])[0]
    assert out_test.shape == out_train.shape == (5, 6)
    np.testing.assert_allclose(get_2nd([x, 0])[0], out_test)


def test_early_stopping():
    model = _mlp()
    x, y = _xy()
    early_stopping = EarlyStopping(monitor='val_loss', patience=2)
    model.optimizer.lr = K.variable(0.)  # nothing improves: stops after patience epochs
    model.compile(loss='categorical_crossentropy', optimizer='sgd')
    K.set_value(model.optimizer.lr, 0.)
    hist = model.fit(x, y, validation_split=0.2, callbacks=[early_stopping], epochs=10,
                     verbose=0)
    assert len(hist.history['val_loss']) == 3
    assert early_stopping.stopped_epoch == 2


def test_validation_split_takes_last_samples_before_shuffle():
    model = Sequential([Dense(1, input_dim=1, use_bias=False, kernel_initializer='zeros')])
    model.compile(loss='mae', optimizer='sgd')
    K.set_value(model.optimizer.lr, 0.)
    x = np.arange(10, dtype='float32').reshape(10, 1)
    y = np.arange(10, dtype='float32').reshape(10, 1)
    hist = model.fit(x, y, validation_split=0.3, epochs=1, verbose=0, shuffle=True)
    # Predictions are 0: val loss is the mean of the last 3 targets.
    np.testing.assert_allclose(hist.history['val_loss'][0], np.mean([7, 8, 9]), rtol=1e-6)
    np.testing.assert_allclose(hist.history['loss'][0], np.mean(np.arange(7)), rtol=1e-6)


def test_history_object():
    model = _mlp()
    x, y = _xy()
    hist = model.fit(x, y, validation_split=0.25, epochs=3, verbose=0)
    assert isinstance(hist, History)
    assert hist.model is model
    assert set(hist.history) == {'loss', 'accuracy', 'val_loss', 'val_accuracy'}
    assert all(len(v) == 3 for v in hist.history.values())
    assert hist.params['epochs'] == 3
    assert hist.params['samples'] == 24
    assert hist.params['metrics'] == ['loss', 'accuracy', 'val_loss', 'val_accuracy']
    assert hist.params['batch_size'] == 32
    assert hist.params['verbose'] == 0
    assert hist.params['do_validation'] is True


def test_freeze_layers_and_recompile():
    frozen_layer = Dense(4, trainable=False)
    assert frozen_layer.trainable is False
    x = Input(shape=(4,))
    layer = Dense(4)
    layer.trainable = False
    y = layer(x)
    frozen_model = Model(x, y)
    frozen_model.compile(optimizer='rmsprop', loss='mse')
    layer.trainable = True
    trainable_model = Model(x, y)
    trainable_model.compile(optimizer='rmsprop', loss='mse')
    data = np.random.random((8, 4))
    labels = np.random.random((8, 4))
    before = layer.get_weights()[0].copy()
    frozen_model.fit(data, labels, verbose=0)
    np.testing.assert_array_equal(layer.get_weights()[0], before)
    trainable_model.fit(data, labels, verbose=0)
    assert not np.array_equal(layer.get_weights()[0], before)


def test_freezing_changes_weight_lists():
    model = Sequential([Dense(4, input_dim=3), Dense(2)])
    assert len(model.trainable_weights) == 4
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2
    assert len(model.non_trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == []
    assert len(model.weights) == 4


def test_sequential_pop():
    model = Sequential()
    model.add(Dense(32, activation='relu', input_dim=784))
    model.add(Dense(32, activation='relu'))
    assert len(model.layers) == 2
    model.pop()
    assert len(model.layers) == 1
    assert model.output_shape == (None, 32)
    model.add(Dense(5))
    assert model.output_shape == (None, 5)
    model.compile('sgd', 'mse')
    model.fit(np.random.random((4, 784)), np.random.random((4, 5)), verbose=0)


def test_shuffle_batch_and_dataset():
    model = _mlp()
    x, y = _xy()
    model.fit(x, y, shuffle='batch', epochs=1, verbose=0)
    model.fit(x, y, shuffle=False, epochs=1, verbose=0)


def test_checkpoint_best_model(tmp_path):
    from kback.callbacks import ModelCheckpoint
    model = _mlp()
    x, y = _xy()
    path = str(tmp_path / 'weights.hdf5')
    checkpointer = ModelCheckpoint(filepath=path, verbose=0, save_best_only=True)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_data=(x, y),
              callbacks=[checkpointer])
    assert os.path.exists(path)
    load_model(path)
