"""Lambda returning a one-element list, output shapes inferred in the input's
dtype, Dropout(noise_shape) with a concrete batch size (Keras 2.3), and
models whose inputs hold tensors (Input(tensor=...), clone_model with
input_tensors) trained with train_on_batch(None, y)."""
import numpy as np
import pytest

import kback
from kback import backend as K
from kback.layers import Input, Dense, Dropout, Lambda, concatenate
from kback.models import Model, Sequential, clone_model
from kback.optimizers import SGD

rng = np.random.RandomState(3)


def test_lambda_one_element_list_is_unpacked():
    x = Input((3,))
    y = Lambda(lambda t: [2. * t])(x)
    assert K.is_tensor(y) and K.int_shape(y) == (None, 3)
    model = Model(x, Dense(1)(y))
    data = rng.rand(4, 3).astype('float32')
    W, b = model.get_weights()
    np.testing.assert_allclose(model.predict(data), 2. * data @ W + b, rtol=1e-5)


def test_two_element_list_stays_a_list():
    x = Input((3,))
    out = Lambda(lambda t: [t, 2. * t])(x)
    assert isinstance(out, list) and len(out) == 2


def test_lambda_output_shape_keeps_float16():
    def twice(t):
        return K.concatenate([t, K.cast(t, 'float16')])
    layer = Lambda(twice)
    y = layer(Input((3,), dtype='float16'))
    assert K.dtype(y) == 'float16'
    assert layer.compute_output_shape((None, 3)) == (None, 6)


def test_dropout_noise_shape_with_a_concrete_batch():
    model = Sequential([Dropout(0.5, noise_shape=(6, 1), input_shape=(4,))])
    model.compile('sgd', 'mse')
    model.train_on_batch(np.ones((6, 4)), np.ones((6, 4)))
    x = Input((3, 4))
    f = K.function([x, K.learning_phase()],
                   [Dropout(0.5, noise_shape=(6, 1, 4), seed=1)(x)])
    out = f([np.ones((6, 3, 4), 'float32'), 1])[0]
    # one draw per sample and feature, shared over axis 1
    assert set(np.unique(out)) <= {0., 2.}
    np.testing.assert_array_equal(out, np.repeat(out[:, :1], 3, axis=1))


def test_model_on_a_variable_input_trains_with_no_x():
    data = rng.rand(8, 3).astype('float32')
    target = data @ np.array([[1.], [-2.], [0.5]], 'float32')
    x = Input(tensor=K.variable(data))
    model = Model(x, Dense(1)(x))
    model.compile(SGD(lr=0.1), 'mse')
    first = model.train_on_batch(None, target)
    for _ in range(30):
        last = model.train_on_batch(None, target)
    assert last < first / 2
    W, b = model.get_weights()
    assert model.test_on_batch(None, target) == pytest.approx(
        np.mean((data @ W + b - target) ** 2), rel=1e-4)
    np.testing.assert_allclose(model.predict_on_batch(None), data @ W + b, rtol=1e-5)


def test_mixed_tensor_and_placeholder_inputs():
    held = rng.rand(4, 2).astype('float32')
    a, b = Input(tensor=K.variable(held)), Input((2,), name='fed')
    model = Model([a, b], Dense(1)(concatenate([a, b])))
    model.compile('sgd', 'mse')
    fed = rng.rand(4, 2).astype('float32')
    W, bias = model.get_weights()
    np.testing.assert_allclose(model.predict_on_batch(fed),
                               np.concatenate([held, fed], 1) @ W + bias, rtol=1e-5)
    history = model.fit(fed, np.zeros((4, 1)), batch_size=4, epochs=2, verbose=0)
    assert len(history.history['loss']) == 2
    with pytest.raises(ValueError, match=r"No input data.*\['fed'\]"):
        model.train_on_batch(None, np.zeros((4, 1)))


@pytest.mark.parametrize('kind', ['sequential', 'functional'])
def test_clone_model_on_input_tensors_trains(kind):
    if kind == 'sequential':
        model = Sequential([Dense(4, input_shape=(3,), activation='relu'), Dense(1)])
    else:
        x = Input((3,))
        model = Model(x, Dense(1)(Dense(4, activation='relu')(x)))
    data = rng.rand(8, 3).astype('float32')
    clone = clone_model(model, input_tensors=[K.variable(data)])
    clone.compile(SGD(lr=0.05), 'mse')
    target = data.sum(1, keepdims=True)
    losses = [clone.train_on_batch(None, target) for _ in range(20)]
    assert losses[-1] < losses[0]


def test_top_level_names():
    assert kback.Sequential is Sequential and kback.Model is Model and kback.Input is Input
    x = kback.Input(shape=(2,))
    assert isinstance(kback.Model(x, Dense(1)(x)), kback.Model)


def test_fit_evaluate_predict_on_held_tensors_count_steps():
    data = rng.rand(8, 3).astype('float32')
    x = Input(tensor=K.variable(data))
    model = Model(x, Dense(1)(x))
    model.compile(SGD(lr=0.1), 'mse')
    target = data.sum(1, keepdims=True)
    history = model.fit(None, target, steps_per_epoch=5, epochs=2, verbose=0)
    assert history.history['loss'][1] < history.history['loss'][0]
    W, b = model.get_weights()
    assert model.evaluate(None, target, steps=2, verbose=0) == pytest.approx(
        np.mean((data @ W + b - target) ** 2), rel=1e-4)
    np.testing.assert_allclose(model.predict(None, steps=1), data @ W + b, rtol=1e-5)
    for call in (lambda: model.fit(None, target, batch_size=4, verbose=0),
                 lambda: model.evaluate(None, target, verbose=0),
                 lambda: model.predict(None)):
        with pytest.raises(ValueError, match=r'holds a tensor.*give `steps'):
            call()
