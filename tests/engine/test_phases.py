"""Train, test and predict functions each compute only their own branch of
the learning-phase switches (Dropout, BatchNormalization)."""
import numpy as np

from kback import backend as K
from kback.backend import graph_state
from kback.layers import BatchNormalization, Dense, Dropout
from kback.models import Sequential


def _ops(fn):
    nodes = graph_state.reachable(fn.outputs + fn.updates, leaves={t.id for t in fn.inputs})
    return [n.op for n in nodes]


def _model():
    model = Sequential([Dense(8, input_shape=(4,)), BatchNormalization(), Dropout(0.5),
                        Dense(2, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy', metrics=['acc'])
    return model


def test_functions_hold_one_branch_each():
    model = _model()
    for kind in ('train', 'test', 'predict'):
        ops = _ops(model._function(kind))
        assert 'where' not in ops, kind
    assert 'batchnorm_stats' in _ops(model._function('train'))
    assert 'batchnorm_stats' not in _ops(model._function('predict'))


def test_predict_is_deterministic_and_uses_moving_statistics():
    model = _model()
    x = np.random.RandomState(0).rand(16, 4).astype('float32')
    y = np.eye(2, dtype='float32')[np.arange(16) % 2]
    model.train_on_batch(x, y)
    np.testing.assert_array_equal(model.predict(x), model.predict(x))
    bn = model.layers[1]
    gamma, beta, mean, var = bn.get_weights()
    assert not np.allclose(mean, 0)          # the moving mean moved during training
    dense = model.layers[0]
    h = x @ dense.get_weights()[0] + dense.get_weights()[1]
    h = (h - mean) / np.sqrt(var + bn.epsilon) * gamma + beta
    w, b = model.layers[3].get_weights()
    logits = h @ w + b
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-4, atol=1e-6)


def test_model_updates_are_the_layers_own():
    model = _model()
    model._function('train')
    assert len(model.updates) == 2           # BatchNormalization's two moving averages
    model.fit(np.zeros((4, 4)), np.eye(2)[[0, 1, 0, 1]], verbose=0)
    assert len(model.updates) == 2


def test_learning_phase_fixed_by_the_user_is_respected():
    K.set_learning_phase(0)                  # dropout off even while training
    model = Sequential([Dense(8, input_shape=(4,)), Dropout(0.5), Dense(2, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    x, y = np.ones((4, 4), 'float32'), np.eye(2)[[0, 1, 0, 1]]
    before = model.test_on_batch(x, y)
    np.testing.assert_allclose(model.train_on_batch(x, y), before, rtol=1e-6)
