"""Small models and data shared by the engine tests."""
import numpy as np

from kback.layers import Input, Dense
from kback.models import Model, Sequential


def linear_model(n_in=3, n_out=1, name=None, **dense_kwargs):
    return Sequential([Dense(n_out, input_shape=(n_in,), **dense_kwargs)], name=name)


def mlp(n_in=4, n_hidden=5, n_out=3, activation='softmax'):
    return Sequential([Dense(n_hidden, input_shape=(n_in,), activation='relu'),
                       Dense(n_out, activation=activation)])


def classification_data(n=20, n_in=4, n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, n_in).astype('float32')
    labels = rng.randint(0, n_classes, n)
    return x, np.eye(n_classes, dtype='float32')[labels], labels


def regression_data(n=12, n_in=3, n_out=1, seed=0):
    rng = np.random.RandomState(seed)
    return rng.rand(n, n_in).astype('float32'), rng.rand(n, n_out).astype('float32')


def twin_models(builder, **compile_kwargs):
    """Two models with identical weights, compiled the same way."""
    a, b = builder(), builder()
    b.set_weights(a.get_weights())
    for m in (a, b):
        m.compile(**compile_kwargs)
    return a, b


def assert_same_weights(a, b, same=True):
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        if same:
            np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
        elif not np.allclose(wa, wb):
            return
    if not same:
        raise AssertionError('weights are identical')


def two_output_model():
    a = Input((3,), name='x')
    h = Dense(4, activation='relu', name='dense_1')(a)
    out1 = Dense(2, activation='softmax', name='dense_2')(h)
    out2 = Dense(1, name='dense_3')(h)
    return Model(a, [out1, out2])
