"""Regularisation losses and state updates as Keras 2.3 counts them: a weight
regulariser once, an activity regulariser once per call of a shared layer
or model; get_losses_for/get_updates_for on RNN cells and wrappers; a frozen
layer or model has no BatchNormalization updates."""
import numpy as np
import pytest

from kback import backend as K
from kback.layers import (Input, Dense, BatchNormalization, RNN, LSTMCell, LSTM,
                          TimeDistributed, Bidirectional)
from kback.models import Model, Sequential
from kback.optimizers import SGD

rng = np.random.RandomState(2)


def _regularized_model():
    x = Input((3,))
    return Model(x, Dense(2, kernel_regularizer='l2', activity_regularizer='l1')(x))


def test_shared_model_regularization_once_per_call_against_numpy():
    inner = _regularized_model()
    a, b = Input((3,)), Input((3,))
    outer = Model([a, b], [inner(a), inner(b)])
    assert len(inner.losses) == 2 and len(outer.losses) == 3   # kernel once, activity twice
    outer.compile(SGD(lr=0.), 'mse')
    xa, xb = rng.rand(4, 3).astype('float32'), rng.rand(4, 3).astype('float32')
    W, bias = inner.get_weights()
    pa, pb = xa @ W + bias, xb @ W + bias
    expected = ((pa ** 2).mean() + (pb ** 2).mean() + 0.01 * (W ** 2).sum() +
                0.01 * np.abs(pa).sum() + 0.01 * np.abs(pb).sum())
    loss = outer.test_on_batch([xa, xb], [np.zeros((4, 2))] * 2)[0]
    assert loss == pytest.approx(expected, rel=1e-4)


def test_shared_layer_regularization_once_per_call():
    dense = Dense(2, kernel_regularizer='l1', activity_regularizer='l2')
    a, b, c = Input((3,)), Input((3,)), Input((3,))
    model = Model([a, b, c], [dense(a), dense(b), dense(c)])
    assert len(model.losses) == 4
    assert len(model.get_losses_for(None)) == 1


def test_cells_and_wrappers_report_their_layers_losses_and_updates():
    cell = LSTMCell(3, kernel_regularizer='l2', recurrent_regularizer='l2')
    rnn = RNN(cell)
    rnn(Input((4, 2)))
    assert len(rnn.get_losses_for(None)) == 2 and len(rnn.losses) == 2
    assert cell.get_losses_for(None) == rnn.get_losses_for(None)
    wrapped = TimeDistributed(BatchNormalization())
    x = Input((4, 2))
    wrapped(x)
    assert len(wrapped.get_updates_for(x)) == 2 and len(wrapped.updates) == 2
    bi = Bidirectional(LSTM(2, kernel_regularizer='l2'))
    bi(Input((4, 2)))
    assert len(bi.get_losses_for(None)) == 2 and len(bi.losses) == 2


def _bn_model():
    x = Input((3,))
    return Model(x, BatchNormalization(momentum=0.5)(Dense(3)(x)))


@pytest.mark.parametrize('freeze', ['layer', 'model'])
def test_frozen_bn_has_no_updates_and_keeps_its_statistics(freeze):
    model = _bn_model()
    assert len(model.updates) == 2
    bn = model.layers[-1]
    if freeze == 'layer':
        bn.trainable = False
    else:
        model.trainable = False
    assert model.updates == []
    model.compile('sgd', 'mse')
    before = [K.get_value(w) for w in bn.non_trainable_weights[-2:]]
    model.fit(rng.rand(16, 3) * 5, rng.rand(16, 3), batch_size=8, epochs=1, verbose=0)
    after = [K.get_value(w) for w in bn.non_trainable_weights[-2:]]
    for u, v in zip(before, after):
        np.testing.assert_array_equal(u, v)


def test_trainable_bn_moving_mean_follows_the_batches():
    model = _bn_model()
    model.compile(SGD(lr=0.), 'mse')
    x = rng.rand(8, 3).astype('float32') * 4
    bn = model.layers[-1]
    h = K.function([model.input], [model.layers[1].output])([x])[0]
    model.train_on_batch(x, np.zeros((8, 3)))
    np.testing.assert_allclose(K.get_value(bn.moving_mean), 0.5 * h.mean(0), rtol=1e-4)


def test_frozen_inner_model_in_sequential():
    inner = _bn_model()
    inner.trainable = False
    outer = Sequential([inner, Dense(1)])
    assert outer.updates == []
    assert len(outer.trainable_weights) == 2
