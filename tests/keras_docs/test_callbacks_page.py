"""Keras 2.3's callbacks page: Callback attributes, logs keys, the custom
history example, ModelCheckpoint paths, schedulers, CSVLogger, LambdaCallback."""
import csv
import json
import os

import numpy as np
import pytest

from kback import backend as K
from kback import callbacks
from kback.layers import Dense
from kback.models import Sequential


def _model(metrics=('accuracy',)):
    model = Sequential([Dense(4, input_dim=3, activation='relu'),
                        Dense(2, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy', metrics=list(metrics))
    return model


def _xy(n=20):
    return np.random.random((n, 3)), np.eye(2)[np.random.randint(2, size=n)]


class Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append(('train_begin', dict(logs or {})))
        self.seen_params = dict(self.params)
        self.seen_model = self.model

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(('epoch_begin', epoch))

    def on_batch_begin(self, batch, logs=None):
        self.events.append(('batch_begin', batch, dict(logs)))

    def on_batch_end(self, batch, logs=None):
        self.events.append(('batch_end', batch, dict(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(('epoch_end', epoch, dict(logs)))


def test_callback_attributes_and_logs():
    model = _model()
    x, y = _xy()
    rec = Recorder()
    model.fit(x, y, batch_size=8, epochs=2, validation_split=0.2, callbacks=[rec], verbose=0)
    assert rec.seen_model is model
    params = rec.seen_params
    assert params['epochs'] == 2 and params['batch_size'] == 8 and params['samples'] == 16
    assert params['verbose'] == 0 and params['do_validation'] is True
    assert params['steps'] is None
    assert params['metrics'] == ['loss', 'accuracy', 'val_loss', 'val_accuracy']
    begins = [e for e in rec.events if e[0] == 'batch_begin']
    ends = [e for e in rec.events if e[0] == 'batch_end']
    assert [e[1] for e in begins] == [0, 1, 0, 1]
    assert begins[0][2] == {'batch': 0, 'size': 8}
    assert begins[1][2]['size'] == 8
    assert set(ends[0][2]) == {'batch', 'size', 'loss', 'accuracy'}
    epoch_ends = [e for e in rec.events if e[0] == 'epoch_end']
    assert set(epoch_ends[0][2]) == {'loss', 'accuracy', 'val_loss', 'val_accuracy'}


def test_loss_history_example():
    class LossHistory(callbacks.Callback):
        def on_train_begin(self, logs={}):
            self.losses = []

        def on_batch_end(self, batch, logs={}):
            self.losses.append(logs.get('loss'))

    model = Sequential()
    model.add(Dense(10, input_dim=784, kernel_initializer='uniform'))
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop')
    history = LossHistory()
    x = np.random.random((50, 784))
    y = np.eye(10)[np.random.randint(10, size=50)]
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[history])
    assert len(history.losses) == 8
    assert all(isinstance(float(v), float) for v in history.losses)


def test_model_checkpoint_filename_template(tmp_path):
    model = _model()
    x, y = _xy()
    template = str(tmp_path / 'weights.{epoch:02d}-{val_loss:.2f}.hdf5')
    cb = callbacks.ModelCheckpoint(template)
    hist = model.fit(x, y, epochs=2, validation_data=(x, y), callbacks=[cb], verbose=0)
    names = sorted(os.listdir(tmp_path))
    want = ['weights.%02d-%.2f.hdf5' % (i + 1, hist.history['val_loss'][i]) for i in range(2)]
    assert names == sorted(want)
    cb = callbacks.ModelCheckpoint(str(tmp_path / 'w.h5'), save_weights_only=True, period=2)
    model.fit(x, y, epochs=3, callbacks=[cb], verbose=0)
    assert os.path.exists(tmp_path / 'w.h5')


def test_learning_rate_scheduler_and_reduce_lr():
    model = _model()
    x, y = _xy()

    def schedule(epoch):
        return 0.1 / (epoch + 1)
    seen = []
    lr_cb = callbacks.LearningRateScheduler(schedule, verbose=0)
    log = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(float(K.get_value(model.optimizer.lr))))
    hist = model.fit(x, y, epochs=3, callbacks=[lr_cb, log], verbose=0)
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    np.testing.assert_allclose(hist.history['lr'], [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    model2 = _model()
    cb = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    model2.fit(x, y, epochs=2, callbacks=[cb], verbose=0)
    np.testing.assert_allclose(K.get_value(model2.optimizer.lr), 0.01 * 0.25, rtol=1e-6)

    model3 = _model()
    K.set_value(model3.optimizer.lr, 0.)
    reduce_lr = callbacks.ReduceLROnPlateau(monitor='loss', factor=0.2, patience=1,
                                            min_lr=0.001)
    K.set_value(model3.optimizer.lr, 0.01)
    model3.compile(model3.optimizer, 'categorical_crossentropy')
    # a constant loss: no improvement after the first epoch
    model3.layers[0].trainable = False
    model3.layers[1].trainable = False
    model3.compile(model3.optimizer, 'categorical_crossentropy')
    hist = model3.fit(x, y, epochs=4, callbacks=[reduce_lr], verbose=0)
    # logs['lr'] is read before the epoch's reduction; min_lr bounds the second one.
    np.testing.assert_allclose(hist.history['lr'], [0.01, 0.01, 0.002, 0.001], rtol=1e-6)
    np.testing.assert_allclose(K.get_value(model3.optimizer.lr), 0.001, rtol=1e-6)


def test_csv_logger(tmp_path):
    model = _model()
    x, y = _xy()
    path = str(tmp_path / 'training.log')
    csv_logger = callbacks.CSVLogger(path)
    model.fit(x, y, epochs=2, validation_data=(x, y), callbacks=[csv_logger], verbose=0)
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[0] == ['epoch', 'accuracy', 'loss', 'val_accuracy', 'val_loss']
    assert [r[0] for r in rows[1:]] == ['0', '1']
    model.fit(x, y, epochs=1, callbacks=[callbacks.CSVLogger(path, separator=';', append=True)],
              verbose=0)
    with open(path) as f:
        lines = f.read().splitlines()
    assert len(lines) == 4 and lines[-1].startswith('0;')


def test_lambda_callback_examples(tmp_path):
    batches = []
    batch_print_callback = callbacks.LambdaCallback(
        on_batch_begin=lambda batch, logs: batches.append(batch))
    path = tmp_path / 'loss_log.json'
    json_log = open(path, mode='wt', buffering=1)
    json_logging_callback = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: json_log.write(
            json.dumps({'epoch': epoch, 'loss': logs['loss']}) + '\n'),
        on_train_end=lambda logs: json_log.close())
    model = _model()
    x, y = _xy()
    model.fit(x, y, batch_size=10, epochs=2, verbose=0,
              callbacks=[batch_print_callback, json_logging_callback])
    assert batches == [0, 1, 0, 1]
    assert json_log.closed
    lines = [json.loads(l) for l in open(path)]
    assert [l['epoch'] for l in lines] == [0, 1]


def test_terminate_on_nan_and_early_stopping_restore():
    model = Sequential([Dense(1, input_dim=1)])
    model.compile('sgd', 'mse')
    x = np.array([[1.], [np.nan]])
    y = np.array([[1.], [1.]])
    hist = model.fit(x, y, batch_size=1, epochs=3, callbacks=[callbacks.TerminateOnNaN()],
                     verbose=0)
    assert len(hist.history.get('loss', [])) <= 1
    model = _model()
    xs, ys = _xy()
    es = callbacks.EarlyStopping(monitor='loss', patience=0, min_delta=100.,
                                 restore_best_weights=True)
    start = model.get_weights()
    model.fit(xs, ys, epochs=5, callbacks=[es], verbose=0)
    assert es.stopped_epoch == 1
    after_first = model.get_weights()
    assert not all(np.array_equal(a, b) for a, b in zip(start, after_first))
    # A baseline never reached: stops after `patience` epochs.
    es = callbacks.EarlyStopping(monitor='loss', baseline=0., patience=1)
    hist = model.fit(xs, ys, epochs=5, callbacks=[es], verbose=0)
    assert len(hist.history['loss']) == 1
    es = callbacks.EarlyStopping(monitor='loss', baseline=0., patience=2)
    hist = model.fit(xs, ys, epochs=5, callbacks=[es], verbose=0)
    assert len(hist.history['loss']) == 2


def test_base_logger_and_history_defaults():
    model = _model()
    x, y = _xy()
    hist = model.fit(x, y, batch_size=7, epochs=1, verbose=0)
    # The epoch's loss is the sample-weighted mean of batch losses (7, 7, 6).
    assert isinstance(hist, callbacks.History)
    assert len(hist.history['loss']) == 1


def _serve():
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers['Content-Length'])
            received.append((self.path, self.headers['Content-Type'],
                             self.rfile.read(length).decode()))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, received


def test_remote_monitor():
    from urllib.parse import parse_qs
    server, received = _serve()
    try:
        root = 'http://127.0.0.1:%d' % server.server_port
        model = _model()
        x, y = _xy()
        model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.RemoteMonitor(root=root)])
        assert len(received) == 2
        path, ctype, body = received[0]
        assert path == '/publish/epoch/end/'
        assert ctype == 'application/x-www-form-urlencoded'
        data = json.loads(parse_qs(body)['data'][0])
        assert data['epoch'] == 0 and set(data) == {'epoch', 'loss', 'accuracy'}
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[callbacks.RemoteMonitor(root=root, path='/p', send_as_json=True)])
        path, ctype, body = received[2]
        assert path == '/p' and ctype == 'application/json'
        assert json.loads(body)['epoch'] == 0
    finally:
        server.shutdown()
        server.server_close()
    with pytest.warns(UserWarning, match='could not reach RemoteMonitor'):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[callbacks.RemoteMonitor(root='http://127.0.0.1:1')])
