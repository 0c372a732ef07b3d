"""Examples of Keras 2.3's "Getting started with the Sequential model" guide."""
import numpy as np

import kback
from kback import backend as K
from kback.models import Sequential
from kback.layers import (Dense, Activation, Dropout, Flatten, Conv2D, MaxPooling2D,
                          Conv1D, MaxPooling1D, GlobalAveragePooling1D)
from kback.optimizers import SGD
from kback.utils import to_categorical
import kback.utils


def test_constructor_list_and_add_are_equivalent():
    model = Sequential([Dense(32, input_shape=(784,)), Activation('relu'),
                        Dense(10), Activation('softmax')])
    assert len(model.layers) == 4
    m2 = Sequential()
    m2.add(Dense(32, input_dim=784))
    m2.add(Activation('relu'))
    assert m2.output_shape == (None, 32)
    assert model.output_shape == (None, 10)
    assert model.input_shape == (None, 784)


def test_input_shape_forms():
    m = Sequential()
    m.add(Dense(32, input_shape=(784,)))
    assert m.input_shape == (None, 784)
    m = Sequential()
    m.add(Dense(32, input_dim=784))
    assert m.input_shape == (None, 784)
    m = Sequential()
    m.add(Dense(32, batch_input_shape=(16, 784)))
    assert m.input_shape == (16, 784)


def test_compile_variants():
    model = Sequential([Dense(10, input_dim=4, activation='softmax')])
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    assert model.metrics_names == ['loss', 'accuracy']
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
    model.compile(optimizer='rmsprop', loss='mse')

    def mean_pred(y_true, y_pred):
        return K.mean(y_pred)
    model.compile(optimizer='rmsprop', loss='binary_crossentropy',
                  metrics=['accuracy', mean_pred])
    assert model.metrics_names == ['loss', 'accuracy', 'mean_pred']
    x = np.random.random((20, 4))
    y = np.random.randint(2, size=(20, 10))
    out = model.evaluate(x, y, verbose=0)
    assert isinstance(out, list) and len(out) == 3
    np.testing.assert_allclose(out[2], model.predict(x).mean(), rtol=1e-5)


def test_binary_single_input_model():
    model = Sequential()
    model.add(Dense(32, activation='relu', input_dim=100))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
    data = np.random.random((100, 100))
    labels = np.random.randint(2, size=(100, 1))
    hist = model.fit(data, labels, epochs=2, batch_size=32, verbose=0)
    assert sorted(hist.history) == ['accuracy', 'loss']
    assert len(hist.history['loss']) == 2
    assert hist.epoch == [0, 1]


def test_categorical_single_input_model():
    model = Sequential()
    model.add(Dense(32, activation='relu', input_dim=100))
    model.add(Dense(10, activation='softmax'))
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    data = np.random.random((100, 100))
    labels = np.random.randint(10, size=(100, 1))
    one_hot_labels = kback.utils.to_categorical(labels, num_classes=10)
    assert one_hot_labels.shape == (100, 10)
    model.fit(data, one_hot_labels, epochs=1, batch_size=32, verbose=0)


def test_mlp_softmax():
    x_train = np.random.random((100, 20))
    y_train = to_categorical(np.random.randint(10, size=(100, 1)), num_classes=10)
    x_test = np.random.random((30, 20))
    y_test = to_categorical(np.random.randint(10, size=(30, 1)), num_classes=10)
    model = Sequential()
    model.add(Dense(64, activation='relu', input_dim=20))
    model.add(Dropout(0.5))
    model.add(Dense(64, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation='softmax'))
    sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
    model.fit(x_train, y_train, epochs=2, batch_size=128, verbose=0)
    score = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    assert len(score) == 2 and 0 <= score[1] <= 1


def test_mlp_binary():
    x_train = np.random.random((100, 20))
    y_train = np.random.randint(2, size=(100, 1))
    model = Sequential()
    model.add(Dense(64, input_dim=20, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(64, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    model.fit(x_train, y_train, epochs=2, batch_size=128, verbose=0)
    score = model.evaluate(x_train[:30], y_train[:30], batch_size=128, verbose=0)
    assert len(score) == 2


def test_vgg_like_convnet():
    x_train = np.random.random((20, 24, 24, 3))
    y_train = to_categorical(np.random.randint(10, size=(20, 1)), num_classes=10)
    model = Sequential()
    model.add(Conv2D(8, (3, 3), activation='relu', input_shape=(24, 24, 3)))
    model.add(Conv2D(8, (3, 3), activation='relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Conv2D(16, (3, 3), activation='relu'))
    model.add(Conv2D(16, (3, 3), activation='relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(32, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation='softmax'))
    assert [l.output_shape for l in model.layers[:8]] == [
        (None, 22, 22, 8), (None, 20, 20, 8), (None, 10, 10, 8), (None, 10, 10, 8),
        (None, 8, 8, 16), (None, 6, 6, 16), (None, 3, 3, 16), (None, 3, 3, 16)]
    assert model.layers[8].output_shape == (None, 144)
    sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss='categorical_crossentropy', optimizer=sgd)
    model.fit(x_train, y_train, batch_size=32, epochs=1, verbose=0)
    score = model.evaluate(x_train, y_train, batch_size=32, verbose=0)
    assert np.isscalar(score) or np.ndim(score) == 0
    assert isinstance(float(score), float)


def test_conv1d_sequence_classification():
    seq_length = 16
    model = Sequential()
    model.add(Conv1D(8, 3, activation='relu', input_shape=(seq_length, 10)))
    model.add(Conv1D(8, 3, activation='relu'))
    model.add(MaxPooling1D(3))
    model.add(Conv1D(16, 3, activation='relu'))
    model.add(GlobalAveragePooling1D())
    model.add(Dropout(0.5))
    model.add(Dense(1, activation='sigmoid'))
    assert [l.output_shape for l in model.layers[:5]] == [
        (None, 14, 8), (None, 12, 8), (None, 4, 8), (None, 2, 16), (None, 16)]
    model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    x = np.random.random((10, seq_length, 10))
    y = np.random.randint(2, size=(10, 1))
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert len(model.evaluate(x, y, batch_size=16, verbose=0)) == 2
