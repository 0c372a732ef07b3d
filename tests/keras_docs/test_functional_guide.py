"""Examples of Keras 2.3's "Getting started with the functional API" guide
(the parts that do not need LSTM)."""
import numpy as np
import pytest

from kback import backend as K
from kback.layers import (Input, Dense, Conv2D, MaxPooling2D, Flatten, Embedding, Dropout,
                          GlobalAveragePooling1D)
import kback.layers
from kback.models import Model, Sequential


def test_densely_connected_network():
    inputs = Input(shape=(784,))
    output_1 = Dense(64, activation='relu')(inputs)
    output_2 = Dense(64, activation='relu')(output_1)
    predictions = Dense(10, activation='softmax')(output_2)
    model = Model(inputs=inputs, outputs=predictions)
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    data = np.random.random((20, 784))
    labels = np.eye(10)[np.random.randint(10, size=20)]
    model.fit(data, labels, verbose=0)
    assert len(model.layers) == 4


def test_models_are_callable_like_layers():
    inputs = Input(shape=(784,))
    model = Model(inputs, Dense(10, activation='softmax')(inputs))
    x = Input(shape=(784,))
    y = model(x)
    assert K.int_shape(y) == (None, 10)
    # TimeDistributed-free check: a model applied to a new input reuses its weights.
    m2 = Model(x, y)
    data = np.random.random((3, 784))
    np.testing.assert_allclose(m2.predict(data), model.predict(data), rtol=1e-6)


def _multi_io_model():
    main_input = Input(shape=(10,), dtype='int32', name='main_input')
    x = Embedding(output_dim=8, input_dim=100, input_length=10)(main_input)
    lstm_out = GlobalAveragePooling1D()(x)      # the guide's LSTM(32), not in kback
    auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)
    auxiliary_input = Input(shape=(5,), name='aux_input')
    x = kback.layers.concatenate([lstm_out, auxiliary_input])
    x = Dense(16, activation='relu')(x)
    x = Dense(16, activation='relu')(x)
    main_output = Dense(1, activation='sigmoid', name='main_output')(x)
    model = Model(inputs=[main_input, auxiliary_input],
                  outputs=[main_output, auxiliary_output])
    return model


def _data(n=24):
    headline = np.random.randint(100, size=(n, 10))
    additional = np.random.random((n, 5))
    labels = np.random.randint(2, size=(n, 1)).astype('float32')
    return headline, additional, labels


def test_multi_input_multi_output_list_loss_weights():
    model = _multi_io_model()
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', loss_weights=[1., 0.2])
    assert model.metrics_names == ['loss', 'main_output_loss', 'aux_output_loss']
    assert model.output_names == ['main_output', 'aux_output']
    assert model.input_names == ['main_input', 'aux_input']
    headline, additional, labels = _data()
    hist = model.fit([headline, additional], [labels, labels], epochs=2, batch_size=8,
                     verbose=0)
    assert sorted(hist.history) == ['aux_output_loss', 'loss', 'main_output_loss']
    total, main, aux = model.evaluate([headline, additional], [labels, labels], verbose=0)
    np.testing.assert_allclose(total, main + 0.2 * aux, rtol=1e-4)


def test_multi_input_multi_output_dict_loss_weights():
    model = _multi_io_model()
    model.compile(optimizer='rmsprop',
                  loss={'main_output': 'binary_crossentropy', 'aux_output': 'binary_crossentropy'},
                  loss_weights={'main_output': 1., 'aux_output': 0.2}, metrics=['accuracy'])
    assert model.metrics_names == ['loss', 'main_output_loss', 'aux_output_loss',
                                   'main_output_accuracy', 'aux_output_accuracy']
    headline, additional, labels = _data()
    hist = model.fit({'main_input': headline, 'aux_input': additional},
                     {'main_output': labels, 'aux_output': labels},
                     epochs=1, batch_size=8, verbose=0, validation_split=0.25)
    assert set(hist.history) == {'loss', 'main_output_loss', 'aux_output_loss',
                                 'main_output_accuracy', 'aux_output_accuracy',
                                 'val_loss', 'val_main_output_loss', 'val_aux_output_loss',
                                 'val_main_output_accuracy', 'val_aux_output_accuracy'}
    out = model.evaluate({'main_input': headline, 'aux_input': additional},
                         {'main_output': labels, 'aux_output': labels}, verbose=0)
    np.testing.assert_allclose(out[0], out[1] + 0.2 * out[2], rtol=1e-4)
    preds = model.predict({'main_input': headline, 'aux_input': additional})
    assert isinstance(preds, list) and [p.shape for p in preds] == [(24, 1), (24, 1)]


def test_shared_layer_and_get_output_at():
    a = Input(shape=(28, 28, 1))
    b = Input(shape=(28, 28, 1))
    conv = Conv2D(4, (3, 3), padding='same')
    conved_a = conv(a)
    assert conv.output is conved_a
    conved_b = conv(b)
    assert conv.get_output_at(0) is conved_a
    assert conv.get_output_at(1) is conved_b
    assert conv.get_input_at(0) is a
    with pytest.raises(AttributeError):
        conv.output
    # Same shapes for both nodes: the shape properties still work.
    assert conv.input_shape == (None, 28, 28, 1)
    assert conv.output_shape == (None, 28, 28, 4)
    c = Input(shape=(32, 32, 3))
    conved_c = conv2 = Conv2D(4, (3, 3), padding='same')
    conved_c = conv2(a)
    conved_d = conv2(Input(shape=(30, 30, 1)))
    assert conv2.get_input_shape_at(0) == (None, 28, 28, 1)
    assert conv2.get_input_shape_at(1) == (None, 30, 30, 1)
    assert conv2.get_output_shape_at(1) == (None, 30, 30, 4)
    with pytest.raises(AttributeError):
        conv2.input_shape
    del c, conved_c, conved_d


def test_inception_module():
    input_img = Input(shape=(16, 16, 3))
    tower_1 = Conv2D(8, (1, 1), padding='same', activation='relu')(input_img)
    tower_1 = Conv2D(8, (3, 3), padding='same', activation='relu')(tower_1)
    tower_2 = Conv2D(8, (1, 1), padding='same', activation='relu')(input_img)
    tower_2 = Conv2D(8, (5, 5), padding='same', activation='relu')(tower_2)
    tower_3 = MaxPooling2D((3, 3), strides=(1, 1), padding='same')(input_img)
    tower_3 = Conv2D(8, (1, 1), padding='same', activation='relu')(tower_3)
    output = kback.layers.concatenate([tower_1, tower_2, tower_3], axis=1)
    assert K.int_shape(output) == (None, 48, 16, 8)
    output = kback.layers.concatenate([tower_1, tower_2, tower_3], axis=-1)
    assert K.int_shape(output) == (None, 16, 16, 24)
    model = Model(input_img, output)
    assert model.predict(np.random.random((2, 16, 16, 3))).shape == (2, 16, 16, 24)


def test_residual_connection():
    x = Input(shape=(16, 16, 3))
    y = Conv2D(3, (3, 3), padding='same')(x)
    z = kback.layers.add([x, y])
    assert K.int_shape(z) == (None, 16, 16, 3)
    model = Model(x, z)
    data = np.random.random((2, 16, 16, 3)).astype('float32')
    conv = Model(x, y)
    np.testing.assert_allclose(model.predict(data), data + conv.predict(data), rtol=1e-5,
                               atol=1e-6)


def test_shared_vision_model():
    digit_input = Input(shape=(27, 27, 1))
    x = Conv2D(8, (3, 3))(digit_input)
    x = Conv2D(8, (3, 3))(x)
    x = MaxPooling2D((2, 2))(x)
    out = Flatten()(x)
    vision_model = Model(digit_input, out)
    digit_a = Input(shape=(27, 27, 1))
    digit_b = Input(shape=(27, 27, 1))
    out_a = vision_model(digit_a)
    out_b = vision_model(digit_b)
    concatenated = kback.layers.concatenate([out_a, out_b])
    out = Dense(1, activation='sigmoid')(concatenated)
    classification_model = Model([digit_a, digit_b], out)
    assert K.int_shape(out_a) == (None, 11 * 11 * 8)
    classification_model.compile('rmsprop', 'binary_crossentropy', metrics=['accuracy'])
    xa = np.random.random((6, 27, 27, 1))
    xb = np.random.random((6, 27, 27, 1))
    y = np.random.randint(2, size=(6, 1))
    classification_model.fit([xa, xb], y, epochs=1, verbose=0)
    # The vision model is one layer of the classifier, with its weights shared.
    assert vision_model in classification_model.layers
    assert len(classification_model.trainable_weights) == 6


def test_visual_question_answering_without_lstm():
    vision_model = Sequential()
    vision_model.add(Conv2D(8, (3, 3), activation='relu', padding='same',
                            input_shape=(16, 16, 3)))
    vision_model.add(Conv2D(8, (3, 3), activation='relu'))
    vision_model.add(MaxPooling2D((2, 2)))
    vision_model.add(Flatten())
    image_input = Input(shape=(16, 16, 3))
    encoded_image = vision_model(image_input)
    question_input = Input(shape=(10,), dtype='int32')
    embedded_question = Embedding(input_dim=50, output_dim=16, input_length=10)(question_input)
    encoded_question = GlobalAveragePooling1D()(embedded_question)
    merged = kback.layers.concatenate([encoded_question, encoded_image])
    output = Dense(20, activation='softmax')(merged)
    vqa_model = Model(inputs=[image_input, question_input], outputs=output)
    assert K.int_shape(encoded_image) == (None, 7 * 7 * 8)
    assert vqa_model.output_shape == (None, 20)
    vqa_model.compile('adam', 'categorical_crossentropy')
    vqa_model.fit([np.random.random((4, 16, 16, 3)), np.random.randint(50, size=(4, 10))],
                  np.eye(20)[np.random.randint(20, size=4)], verbose=0)


def test_layer_node_concept_single_node():
    a = Input(shape=(20, 8))
    dense = Dense(4)
    b = dense(a)
    assert dense.output is b
    assert dense.input is a
    assert dense.input_shape == (None, 20, 8)
    assert dense.output_shape == (None, 20, 4)
