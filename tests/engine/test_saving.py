"""HDF5 saving in Keras 2's layout; load_model; save/load_weights; atomic writes."""
import json

import h5py
import numpy as np
import pytest

from kback.layers import Input, Dense, Concatenate, Conv2D
from kback.models import Model, Sequential, load_model
from kback.optimizers import Adam

from .helpers import mlp, classification_data, two_output_model

X, Y, _ = classification_data(n=16)


def _trained_mlp():
    model = mlp()
    model.compile(Adam(lr=0.01), 'categorical_crossentropy', metrics=['acc'])
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    return model


def test_h5_layout(tmp_path):
    model = _trained_mlp()
    path = str(tmp_path / 'm.h5')
    model.save(path)
    with h5py.File(path, 'r') as f:
        assert {'model_config', 'training_config', 'keras_version', 'backend'} <= set(f.attrs)
        config = json.loads(f.attrs['model_config'])
        assert config['class_name'] == 'Sequential'
        training = json.loads(f.attrs['training_config'])
        assert training['optimizer_config']['class_name'] == 'Adam'
        assert training['loss'] == 'categorical_crossentropy'
        assert training['metrics'] == ['acc']
        g = f['model_weights']
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs['layer_names']]
        assert names == [l.name for l in model.layers]
        first = model.layers[0].name
        wnames = [n.decode() if isinstance(n, bytes) else n
                  for n in g[first].attrs['weight_names']]
        assert wnames == [f'{first}/kernel:0', f'{first}/bias:0']
        np.testing.assert_array_equal(g[first][f'{first}/kernel:0'][()],
                                      model.layers[0].get_weights()[0])
        assert 'optimizer_weights' in f
        assert len(f['optimizer_weights'].attrs['weight_names']) == len(model.optimizer.weights)


def test_load_model_restores_predictions_and_optimizer(tmp_path):
    model = _trained_mlp()
    path = str(tmp_path / 'm.h5')
    model.save(path)
    loaded = load_model(path)
    assert isinstance(loaded, Sequential)
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-6)
    assert loaded.metrics_names == ['loss', 'acc']
    for a, b in zip(model.optimizer.get_weights(), loaded.optimizer.get_weights()):
        np.testing.assert_allclose(a, b)
    # training continues identically
    model.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    loaded.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_load_functional_multi_output(tmp_path):
    model = two_output_model()
    model.compile('rmsprop', {'dense_2': 'categorical_crossentropy', 'dense_3': 'mse'},
                  loss_weights=[1., 0.3], metrics=['acc'])
    x = np.random.rand(4, 3)
    model.train_on_batch(x, [np.eye(2)[[0, 1, 0, 1]], np.zeros((4, 1))])
    path = str(tmp_path / 'f.h5')
    model.save(path)
    loaded = load_model(path)
    assert type(loaded) is Model
    assert loaded.metrics_names == model.metrics_names
    for p, q in zip(model.predict(x), loaded.predict(x)):
        np.testing.assert_allclose(p, q, rtol=1e-6)


def test_save_without_optimizer_and_uncompiled(tmp_path):
    model = mlp()
    path = str(tmp_path / 'u.h5')
    model.save(path)
    with h5py.File(path, 'r') as f:
        assert 'training_config' not in f.attrs
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-6)
    trained = _trained_mlp()
    trained.save(path, include_optimizer=False)
    with h5py.File(path, 'r') as f:
        assert 'optimizer_weights' not in f
    assert not hasattr(load_model(path, compile=False), 'optimizer')


def test_save_load_weights(tmp_path):
    model = _trained_mlp()
    path = str(tmp_path / 'w.h5')
    model.save_weights(path)
    with h5py.File(path, 'r') as f:
        assert 'layer_names' in f.attrs and 'model_config' not in f.attrs
    other = mlp()
    other.load_weights(path)
    np.testing.assert_allclose(other.predict(X), model.predict(X), rtol=1e-6)


def test_load_weights_by_name(tmp_path):
    a = Input((4,))
    src = Model(a, Dense(2, name='shared_name')(Dense(5, name='first')(a)))
    path = str(tmp_path / 'w.h5')
    src.save_weights(path)
    b = Input((4,))
    dst = Model(b, Dense(2, name='shared_name')(Dense(5, name='other')(b)))
    before = dst.get_layer('other').get_weights()
    dst.load_weights(path, by_name=True)
    np.testing.assert_array_equal(dst.get_layer('shared_name').get_weights()[0],
                                  src.get_layer('shared_name').get_weights()[0])
    np.testing.assert_array_equal(dst.get_layer('other').get_weights()[0], before[0])
    c = Input((4,))
    bad = Model(c, Dense(3, name='shared_name')(Dense(5, name='first')(c)))
    with pytest.raises(ValueError, match='shared_name'):
        bad.load_weights(path, by_name=True)
    with pytest.warns(UserWarning):
        bad.load_weights(path, by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(bad.get_layer('first').get_weights()[0],
                                  src.get_layer('first').get_weights()[0])


def test_load_weights_topology_mismatch(tmp_path):
    model = mlp()
    path = str(tmp_path / 'w.h5')
    model.save_weights(path)
    wider = Sequential([Dense(6, input_shape=(4,)), Dense(3)])
    with pytest.raises(ValueError, match=r'\(4, 6\).*\(4, 5\)|\(4, 5\).*\(4, 6\)'):
        wider.load_weights(path)
    deeper = Sequential([Dense(5, input_shape=(4,)), Dense(3), Dense(3)])
    with pytest.raises(ValueError, match='containing 2 layers into a model with 3 layers'):
        deeper.load_weights(path)


def test_load_weights_reshape_between_dense_and_1x1_conv(tmp_path):
    dense = Sequential([Dense(3, input_shape=(4,))])
    path = str(tmp_path / 'w.h5')
    dense.save_weights(path)
    conv = Sequential([Conv2D(3, 1, input_shape=(1, 1, 4))])
    with pytest.raises(ValueError, match=r'\(1, 1, 4, 3\)'):
        conv.load_weights(path)
    conv.load_weights(path, reshape=True)
    x = np.random.RandomState(0).rand(5, 4).astype('float32')
    np.testing.assert_allclose(conv.predict(x.reshape(5, 1, 1, 4)).reshape(5, 3),
                               dense.predict(x), rtol=1e-6)
    wide = Sequential([Conv2D(3, 2, input_shape=(2, 2, 4))])
    with pytest.raises(ValueError, match='equal size'):
        wide.load_weights(path, reshape=True)
    named = Sequential([Conv2D(3, 1, input_shape=(1, 1, 4), name=dense.layers[0].name)])
    named.load_weights(path, by_name=True, reshape=True)
    np.testing.assert_array_equal(named.get_weights()[0].reshape(4, 3), dense.get_weights()[0])


def test_atomic_write_keeps_old_file(tmp_path, monkeypatch):
    model = _trained_mlp()
    path = str(tmp_path / 'm.h5')
    model.save(path)
    with open(path, 'rb') as f:
        original = f.read()
    from kback.engine import saving

    def boom(*args, **kwargs):
        raise OSError('disk full')
    monkeypatch.setattr(saving, '_write_layer_weights', boom)
    model.fit(X, Y, epochs=1, verbose=0)
    with pytest.raises(OSError, match='disk full'):
        model.save(path)
    with pytest.raises(OSError, match='disk full'):
        model.save_weights(path)
    with open(path, 'rb') as f:
        assert f.read() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ['m.h5']   # no temp file left


_KILLED_SAVER = """
import sys, time
from kback.engine import saving
from kback.layers import Dense
from kback.models import Sequential
write = saving._write_layer_weights
def stall(group, layers):
    write(group, layers)
    print('writing', flush=True)
    time.sleep(60)
saving._write_layer_weights = stall
Sequential([Dense(3, input_shape=(4,))]).save(sys.argv[1])
"""


def _kill_mid_save(path):
    """Runs a process that is SIGKILLed in the middle of saving `path`."""
    import os
    import signal
    import subprocess
    import sys
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    child = subprocess.Popen([sys.executable, '-c', _KILLED_SAVER, str(path)], env=env,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == 'writing'
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    return child.pid


def test_killed_save_leaves_a_named_temp_file_that_the_next_save_removes(tmp_path):
    model = _trained_mlp()
    path = tmp_path / 'm.h5'
    model.save(str(path))
    original = path.read_bytes()
    for _ in range(3):      # each killed save removed the previous one's litter
        pid = _kill_mid_save(path)
        left = [p.name for p in tmp_path.iterdir() if p.name != 'm.h5']
        assert len(left) == 1 and left[0].startswith(f'.m.h5.kback-tmp-{pid}-')
        assert path.read_bytes() == original
    pids = [pid]
    # A live writer's temp file (pid 1 never ends) is not touched; another
    # target's is not either.
    live = tmp_path / '.m.h5.kback-tmp-1-00000000'
    other = tmp_path / f'.w.h5.kback-tmp-{pids[0]}-00000000'
    live.touch()
    other.touch()
    model.save_weights(str(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(['m.h5', live.name, other.name])
    model.load_weights(str(path))


@pytest.mark.parametrize('umask,mode', [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_saved_files_get_the_mode_a_plain_open_gives(tmp_path, umask, mode):
    import os
    import stat
    model = mlp()
    old = os.umask(umask)
    try:
        model.save(str(tmp_path / 'm.h5'))
        model.save_weights(str(tmp_path / 'w.h5'))
    finally:
        os.umask(old)
    for name in ('m.h5', 'w.h5'):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == mode
    # Overwriting keeps the file's own mode, as open(path, 'w') does.
    os.chmod(tmp_path / 'm.h5', 0o640)
    model.save(str(tmp_path / 'm.h5'))
    assert stat.S_IMODE(os.stat(tmp_path / 'm.h5').st_mode) == 0o640


def test_overwrite_false(tmp_path):
    model = mlp()
    path = str(tmp_path / 'm.h5')
    model.save(path)
    with pytest.raises(Exception):
        model.save(path, overwrite=False)


def test_load_model_missing_config(tmp_path):
    model = mlp()
    path = str(tmp_path / 'w.h5')
    model.save_weights(path)
    with pytest.raises(ValueError, match='No model found'):
        load_model(path)


def test_nested_model_save_load(tmp_path):
    inner = Sequential([Dense(3, input_shape=(4,), activation='relu')], name='inner')
    x1, x2 = Input((4,)), Input((4,))
    merged = Concatenate()([inner(x1), inner(x2)])
    model = Model([x1, x2], Dense(1)(merged))
    model.compile('sgd', 'mse')
    path = str(tmp_path / 'n.h5')
    model.save(path)
    loaded = load_model(path)
    xs = [np.random.rand(2, 4), np.random.rand(2, 4)]
    np.testing.assert_allclose(loaded.predict(xs), model.predict(xs), rtol=1e-6)


def test_deferred_sequential_save_load(tmp_path):
    model = Sequential([Dense(4, activation='relu'), Dense(1)])
    model.compile('sgd', 'mse')
    x = np.random.rand(6, 3)
    model.fit(x, np.random.rand(6, 1), verbose=0)
    assert model.get_config()['build_input_shape'] == (None, 3)
    path = str(tmp_path / 'd.h5')
    model.save(path)
    loaded = load_model(path)
    assert loaded.built and loaded.input_shape == (None, 3)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
