"""load_model reads .h5 files written by tf.keras 2.x (fixtures made by
tests/fixtures/tf_keras/make_fixtures.py with TensorFlow 2.21 / tf_keras 2.21)
and predicts what the saving model predicted."""
import os
import warnings

import numpy as np
import pytest

pytest.importorskip('h5py')

from kback import layers, models, optimizers  # noqa: E402
from kback.engine.saving_compat import translate_config, translate_optimizer_config  # noqa: E402

HERE = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'tf_keras')
FIXTURES = {'mlp': optimizers.Adam, 'cnn': optimizers.RMSprop, 'text': optimizers.SGD,
            'two_inputs': optimizers.Adam}


def _probe(name):
    data = np.load(os.path.join(HERE, f'{name}.npz'))
    xs = [data[k] for k in sorted(data.files) if k.startswith('x')]
    return (xs if len(xs) > 1 else xs[0]), data['y']


@pytest.mark.parametrize('name', sorted(FIXTURES))
def test_loads_and_predicts_the_same(name):
    with warnings.catch_warnings():
        # tf.keras's optimizer slots have another layout: Keras 2.3 warns and
        # starts the optimizer afresh, as here.
        warnings.simplefilter('ignore', UserWarning)
        model = models.load_model(os.path.join(HERE, f'{name}.h5'))
    x, y = _probe(name)
    np.testing.assert_allclose(model.predict(x), y, rtol=1e-5, atol=1e-6)
    assert isinstance(model.optimizer, FIXTURES[name])
    loss = model.train_on_batch(x, y)
    assert np.all(np.isfinite(loss))


def test_compile_false_and_saved_again(tmp_path):
    model = models.load_model(os.path.join(HERE, 'cnn.h5'), compile=False)
    x, y = _probe('cnn')
    path = tmp_path / 'again.h5'
    model.save(str(path))
    np.testing.assert_allclose(models.load_model(str(path), compile=False).predict(x), y,
                               rtol=1e-5, atol=1e-6)


def test_weights_by_name_into_a_kback_model():
    inputs = layers.Input((4,), name='a')
    other = layers.Input((3,), name='b')
    h = layers.concatenate([layers.Dense(6, activation='tanh', name='da')(inputs), other])
    model = models.Model([inputs, other], layers.Dense(1, name='out')(h))
    model.load_weights(os.path.join(HERE, 'two_inputs.h5'), by_name=True)
    x, y = _probe('two_inputs')
    np.testing.assert_allclose(model.predict(x), y, rtol=1e-5, atol=1e-6)


def test_translation_of_newer_keys():
    config = {'class_name': 'Functional', 'config': {'name': 'm', 'layers': [
        {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, 3],
                                                'dtype': 'float32', 'sparse': False,
                                                'ragged': False, 'name': 'in'}},
        {'class_name': 'Dense', 'module': 'keras.layers', 'registered_name': None,
         'config': {'name': 'd', 'dtype': {'class_name': 'Policy',
                                           'config': {'name': 'float32'}},
                    'kernel_initializer': {'class_name': 'GlorotUniform',
                                           'config': {'seed': None}}}}]}}
    out = translate_config(config)
    assert out['class_name'] == 'Model'
    first, dense = out['config']['layers']
    assert 'ragged' not in first['config'] and 'sparse' not in first['config']
    assert 'module' not in dense and dense['config']['dtype'] == 'float32'
    assert dense['config']['kernel_initializer']['class_name'] == 'glorot_uniform'


@pytest.mark.parametrize('key,value', [('ragged', True), ('groups', 2), ('renorm', True)])
def test_unsupported_settings_are_named(key, value):
    config = {'class_name': 'Conv2D', 'config': {'name': 'conv_7', key: value}}
    with pytest.raises(ValueError, match=f'conv_7.*{key}={value}'):
        translate_config(config)


def test_optimizer_translation():
    saved = {'class_name': 'Custom>Adam', 'config': {
        'name': 'Adam', 'weight_decay': None, 'clipnorm': None, 'global_clipnorm': None,
        'clipvalue': 0.5, 'use_ema': False, 'ema_momentum': 0.99,
        'ema_overwrite_frequency': None, 'jit_compile': False, 'is_legacy_optimizer': False,
        'learning_rate': 0.01, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-07,
        'amsgrad': False}}
    out = translate_optimizer_config(saved)
    assert out['class_name'] == 'Adam'
    assert out['config'] == {'clipvalue': 0.5, 'learning_rate': 0.01, 'beta_1': 0.9,
                             'beta_2': 0.999, 'epsilon': 1e-07, 'amsgrad': False}
    optimizers.deserialize(out)
    with pytest.raises(ValueError, match='weight_decay'):
        translate_optimizer_config({'class_name': 'Adam',
                                    'config': {'weight_decay': 0.004}})
    with pytest.raises(ValueError, match='centered'):
        translate_optimizer_config({'class_name': 'RMSprop', 'config': {'centered': True}})
