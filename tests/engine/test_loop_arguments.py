"""The numbers fit/evaluate/predict take are checked once, where they enter
(training_loop.check_arguments): a bad one raises a TypeError/ValueError
naming it before anything runs, never a silent no-op or a raw conversion
error."""
import numpy as np
import pytest

from kback.layers import Dense
from kback.models import Sequential
from kback.losses import SparseCategoricalCrossentropy
from kback.preprocessing.image import ImageDataGenerator

from .helpers import linear_model, regression_data, classification_data, mlp

X, Y = regression_data(n=12)


@pytest.fixture
def model():
    m = linear_model()
    m.compile('sgd', 'mse')
    return m


BAD_FIT = [
    ({'batch_size': -5}, ValueError, r'`batch_size` must be an int >= 1, got -5'),
    ({'batch_size': 0}, ValueError, r'`batch_size` must be an int >= 1, got 0'),
    ({'batch_size': '32'}, TypeError, r"`batch_size` must be an int >= 1, got '32' \(str\)"),
    ({'batch_size': 2.5}, TypeError, r'`batch_size` must be an int >= 1, got 2.5'),
    ({'batch_size': True}, TypeError, r'`batch_size`.*True'),
    ({'epochs': -1}, ValueError, r'`epochs` must be an int >= 0, got -1'),
    ({'epochs': '2'}, TypeError, r'`epochs`'),
    ({'epochs': None}, TypeError, r'`epochs`'),
    ({'initial_epoch': -1}, ValueError, r'`initial_epoch`'),
    ({'verbose': 3}, ValueError, r'`verbose` must be 0 \(silent\), 1 .* or 2'),
    ({'verbose': 'yes'}, ValueError, r'`verbose`'),
    ({'validation_split': 1.5}, ValueError, r'`validation_split` must be a fraction in \[0, 1\)'),
    ({'validation_split': -0.1}, ValueError, r'`validation_split`'),
    ({'validation_split': '0.1'}, ValueError, r'`validation_split`'),
    ({'validation_freq': 0}, ValueError, r'`validation_freq` must be an int >= 1'),
    ({'validation_freq': [0, 2]}, ValueError, r'`validation_freq`'),
    ({'validation_freq': 'x'}, ValueError, r'`validation_freq`'),
    ({'steps_per_epoch': 0}, ValueError, r'`steps_per_epoch` must be a positive'),
    ({'workers': -1}, ValueError, r'`workers` must be an int >= 0'),
]


@pytest.mark.parametrize('kwargs,error,message', BAD_FIT)
def test_bad_fit_arguments_raise_before_training(model, kwargs, error, message):
    before = model.get_weights()
    with pytest.raises(error, match='fit: ' + message):
        model.fit(X, Y, **dict({'verbose': 0}, **kwargs))
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def _batches():
    while True:
        yield X[:4], Y[:4]


@pytest.mark.parametrize('kwargs,error,message', [
    ({'epochs': -2}, ValueError, '`epochs`'), ({'verbose': 5}, ValueError, '`verbose`'),
    ({'workers': 1.5}, TypeError, '`workers`'), ({'max_queue_size': '10'}, TypeError,
                                                 '`max_queue_size`')])
def test_bad_fit_generator_arguments(model, kwargs, error, message):
    with pytest.raises(error, match='fit: ' + message):
        model.fit_generator(_batches(), steps_per_epoch=2, **dict({'verbose': 0}, **kwargs))


@pytest.mark.parametrize('method', ['evaluate', 'predict'])
@pytest.mark.parametrize('kwargs,error,message', [
    ({'batch_size': -1}, ValueError, r'`batch_size` must be an int >= 1, got -1'),
    ({'batch_size': 0}, ValueError, r'`batch_size`'),
    ({'batch_size': '32'}, TypeError, r'`batch_size`'),
    ({'verbose': -1}, ValueError, r'`verbose`'),
    ({'steps': -3}, ValueError, r'`steps`'),
])
def test_bad_evaluate_and_predict_arguments(model, method, kwargs, error, message):
    args = (X, Y) if method == 'evaluate' else (X,)
    with pytest.raises(error, match=f'{method}: {message}'):
        getattr(model, method)(*args, **kwargs)


def test_accepted_forms(model):
    """numpy ints, bool verbosity, 0 epochs, list validation_freq."""
    history = model.fit(X, Y, batch_size=np.int64(4), epochs=np.int32(2), verbose=False,
                        validation_split=np.float32(0.25), validation_freq=[2])
    assert history.epoch == [0, 1] and len(history.history['val_loss']) == 1
    assert model.fit(X, Y, epochs=0, verbose=0).epoch == []
    assert model.predict(X, batch_size=np.int16(5)).shape == (12, 1)


@pytest.mark.parametrize('loss', ['sparse_categorical_crossentropy',
                                  SparseCategoricalCrossentropy()])
def test_sparse_crossentropy_with_one_hot_targets_fails_when_fit_starts(loss):
    x, one_hot, labels = classification_data()
    model = mlp()
    model.compile('sgd', loss)
    before = model.get_weights()
    with pytest.raises(ValueError, match=r'target array with shape \(20, 3\).*'
                                         r'sparse_categorical_crossentropy.*\(None, 1\)'):
        model.fit(x, one_hot, verbose=0)
    with pytest.raises(ValueError, match='sparse_categorical_crossentropy'):
        model.fit_generator(iter(lambda: (x, one_hot), None), steps_per_epoch=2, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.fit(x, labels, verbose=0)             # integer labels, (n,) or (n, 1), train
    model.fit(x, labels[:, None], verbose=0)


@pytest.mark.parametrize('name,value', [
    ('rotation_range', 'a'), ('rotation_range', -10), ('rotation_range', None),
    ('shear_range', 'x'), ('channel_shift_range', float('nan')), ('zca_epsilon', -1),
    ('width_shift_range', 'a'), ('height_shift_range', []), ('width_shift_range', [1, 'b']),
    ('zoom_range', 'a'), ('zoom_range', -0.5), ('zoom_range', (0.5, 'b')),
    ('brightness_range', ('a', 1)), ('cval', 'x'), ('rescale', '1/255'),
    ('validation_split', 'a'), ('preprocessing_function', 3), ('rotation_range', True)])
def test_image_data_generator_names_the_bad_argument(name, value):
    with pytest.raises(ValueError, match=f'ImageDataGenerator: `{name}` must be'):
        ImageDataGenerator(**{name: value})


def test_image_data_generator_accepts_numbers_of_any_kind():
    gen = ImageDataGenerator(rotation_range=np.float32(10), width_shift_range=[-2, 0, 2],
                             height_shift_range=np.int64(3), zoom_range=[0.9, 1.1],
                             rescale=1 / 255., cval=np.int8(0))
    x = np.random.RandomState(0).rand(2, 8, 8, 3).astype('float32')
    assert next(gen.flow(x, batch_size=2, shuffle=False)).shape == (2, 8, 8, 3)
