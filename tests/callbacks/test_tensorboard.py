"""TensorBoard: the event files are decoded by an independent reader below
(TFRecord framing with both CRC32Cs checked, protobuf fields by hand)."""
import glob
import io
import os
import struct
import warnings

import numpy as np
import pytest

from kback.callbacks import LambdaCallback, ReduceLROnPlateau, TensorBoard
from kback import backend as K
from kback.callbacks import _tfevents
from kback.layers import Conv2D, Dense, Flatten, Input, concatenate
from kback.models import Model, Sequential


# -- an independent reader -----------------------------------------------------------------

def _crc32c_bitwise(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def _masked(data):
    crc = _crc32c_bitwise(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _records(path):
    with open(path, 'rb') as f:
        data = f.read()
    pos, out = 0, []
    while pos < len(data):
        header = data[pos:pos + 8]
        (length,) = struct.unpack('<Q', header)
        (hcrc,) = struct.unpack('<I', data[pos + 8:pos + 12])
        assert hcrc == _masked(header), 'bad length CRC'
        payload = data[pos + 12:pos + 12 + length]
        assert len(payload) == length
        (pcrc,) = struct.unpack('<I', data[pos + 12 + length:pos + 16 + length])
        assert pcrc == _masked(payload), 'bad payload CRC'
        out.append(payload)
        pos += 16 + length
    assert pos == len(data)
    return out


def _read_varint(buf, pos):
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, pos


def _fields(buf):
    """{field number: [raw values]}: ints for varints, bytes otherwise."""
    out, pos = {}, 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        elif wire == 2:
            n, pos = _read_varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        else:
            raise AssertionError('unexpected wire type %d' % wire)
        out.setdefault(field, []).append(value)
    return out


def _double(raw):
    return struct.unpack('<d', raw)[0]


def _decode_histo(buf):
    f = _fields(buf)
    return {'min': _double(f[1][0]), 'max': _double(f[2][0]), 'num': _double(f[3][0]),
            'sum': _double(f[4][0]), 'sum_squares': _double(f[5][0]),
            'limits': np.frombuffer(f[6][0], '<f8'), 'counts': np.frombuffer(f[7][0], '<f8')}


def _decode_image(buf):
    f = _fields(buf)
    return {'height': f[1][0], 'width': f[2][0], 'colorspace': f[3][0], 'png': f[4][0]}


def read_events(path):
    """Decoded events: dicts with wall_time, step, and file_version / graph /
    values (tag, kind, value)."""
    events = []
    for payload in _records(path):
        f = _fields(payload)
        e = {'wall_time': _double(f[1][0]), 'step': f.get(2, [0])[0]}
        if 3 in f:
            e['file_version'] = f[3][0].decode()
        if 4 in f:
            e['graph'] = [(_fields(n)[1][0].decode(), _fields(n)[2][0].decode(),
                           [i.decode() for i in _fields(n).get(3, [])])
                          for n in _fields(f[4][0]).get(1, [])]
        if 5 in f:
            e['values'] = []
            for v in _fields(f[5][0]).get(1, []):
                vf = _fields(v)
                tag = vf[1][0].decode()
                if 2 in vf:
                    e['values'].append((tag, 'scalar', struct.unpack('<f', vf[2][0])[0]))
                elif 5 in vf:
                    e['values'].append((tag, 'histo', _decode_histo(vf[5][0])))
                elif 4 in vf:
                    e['values'].append((tag, 'image', _decode_image(vf[4][0])))
        events.append(e)
    return events


def scalars(events):
    """{tag: [(step, value)]} of the scalar summaries."""
    out = {}
    for e in events:
        for tag, kind, value in e.get('values', ()):
            if kind == 'scalar':
                out.setdefault(tag, []).append((e['step'], value))
    return out


def event_files(log_dir):
    return sorted(glob.glob(os.path.join(str(log_dir), 'events.out.tfevents.*')))


def _maybe_check_with_tensorboard(log_dir, tags):
    """Also read the file with TensorBoard's own loader when it is installed."""
    try:
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    except ImportError:
        return
    acc = EventAccumulator(str(log_dir))
    acc.Reload()
    assert set(tags) <= set(acc.Tags()['scalars'])


# -- fixtures ------------------------------------------------------------------------------

def _data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 4).astype('float32')
    y = (x[:, :1] + x[:, 1:2] > 0).astype('float32')
    return x, y


def _model():
    model = Sequential([Dense(3, activation='relu', input_shape=(4,)),
                        Dense(1, activation='sigmoid')])
    model.compile('sgd', 'binary_crossentropy', metrics=['acc'])
    return model


# -- tests ---------------------------------------------------------------------------------

def test_crc32c_known_vectors():
    vectors = [(b'123456789', 0xE3069283), (b'', 0), (bytes(32), 0x8A9136AA),
               (b'\xff' * 32, 0x62A8AB43), (bytes(range(32)), 0x46DD794E)]
    for data, crc in vectors:
        assert _crc32c_bitwise(data) == crc
        assert K.crc32c(data) == crc
    assert _tfevents.masked_crc32c(b'abc') == _masked(b'abc')


def test_varint_encoding():
    assert _tfevents.varint(0) == b'\x00'
    assert _tfevents.varint(300) == b'\xac\x02'
    assert _tfevents.varint(-1) == b'\xff' * 9 + b'\x01'
    assert _read_varint(_tfevents.varint(2 ** 40 + 5), 0) == (2 ** 40 + 5, 6)


def test_epoch_scalars_match_history(tmp_path):
    x, y = _data()
    model = _model()
    tb = TensorBoard(log_dir=str(tmp_path / 'logs'), write_graph=False)
    hist = model.fit(x, y, batch_size=10, epochs=3, verbose=0, validation_data=_data(12, 1),
                     callbacks=[tb])
    files = event_files(tmp_path / 'logs')
    assert len(files) == 1
    name = os.path.basename(files[0])
    assert name.startswith('events.out.tfevents.') and name.split('.')[3].isdigit()
    events = read_events(files[0])
    assert events[0]['file_version'] == 'brain.Event:2'
    assert all(e['wall_time'] > 1e9 for e in events)
    got = scalars(events)
    assert set(got) == {'loss', 'acc', 'val_loss', 'val_acc'}
    for tag, values in hist.history.items():
        assert [s for s, _ in got[tag]] == [0, 1, 2]
        np.testing.assert_allclose([v for _, v in got[tag]], values, rtol=1e-6, atol=1e-7)
    assert tb.writer.closed
    _maybe_check_with_tensorboard(tmp_path / 'logs', hist.history)


def test_update_freq_batch_counts_samples(tmp_path):
    x, y = _data(40)
    batch_losses = []
    rec = LambdaCallback(on_batch_end=lambda b, logs: batch_losses.append(logs['loss']))
    tb = TensorBoard(log_dir=str(tmp_path), update_freq='batch', write_graph=False)
    hist = _model().fit(x, y, batch_size=10, epochs=2, verbose=0, shuffle=False,
                        callbacks=[rec, tb])
    got = scalars(read_events(event_files(tmp_path)[0]))
    assert set(got) == {'loss', 'acc'}  # 'batch' and 'size' are not written
    steps = [s for s, _ in got['loss']]
    assert steps == [10, 20, 30, 40, 40, 50, 60, 70, 80, 80]
    values = [v for _, v in got['loss']]
    np.testing.assert_allclose(values[:4] + values[5:9], batch_losses, rtol=1e-6)
    np.testing.assert_allclose([values[4], values[9]], hist.history['loss'], rtol=1e-6)
    assert tb.samples_seen == 80


def test_update_freq_int_writes_every_n_samples(tmp_path):
    x, y = _data(40)
    tb = TensorBoard(log_dir=str(tmp_path), update_freq=25, write_graph=False)
    _model().fit(x, y, batch_size=10, epochs=2, verbose=0, callbacks=[tb])
    got = scalars(read_events(event_files(tmp_path)[0]))
    # batch writes at 30 and 60 samples; epoch ends at 40 and 80
    assert [s for s, _ in got['loss']] == [30, 40, 60, 80]
    assert [s for s, _ in got['acc']] == [30, 40, 60, 80]


def test_lr_from_another_callback_is_written(tmp_path):
    x, y = _data()
    rlr = ReduceLROnPlateau(monitor='loss', patience=0, factor=0.5, min_delta=10.)
    tb = TensorBoard(log_dir=str(tmp_path), write_graph=False)
    hist = _model().fit(x, y, batch_size=20, epochs=2, verbose=0, callbacks=[rlr, tb])
    got = scalars(read_events(event_files(tmp_path)[0]))
    assert 'lr' in got
    np.testing.assert_allclose([v for _, v in got['lr']], hist.history['lr'], rtol=1e-6)


def test_weight_histograms(tmp_path):
    x, y = _data()
    model = _model()
    tb = TensorBoard(log_dir=str(tmp_path), histogram_freq=2, write_graph=False)
    model.fit(x, y, batch_size=10, epochs=3, verbose=0, validation_split=0.25, callbacks=[tb])
    events = read_events(event_files(tmp_path)[0])
    histo_events = [e for e in events if any(k == 'histo' for _, k, _ in e.get('values', ()))]
    assert [e['step'] for e in histo_events] == [0, 2]
    weights = [w for layer in model.layers for w in layer.weights]
    tags = [w.name.replace(':', '_') for w in weights]
    assert tags[0].endswith('/kernel_0') and tags[1].endswith('/bias_0')
    last = {tag: h for tag, _, h in histo_events[-1]['values']}
    assert list(last) == tags
    for tag, value in zip(tags, model.get_weights()):
        h, v = last[tag], value.astype('float64').ravel()
        assert h['num'] == v.size and h['counts'].sum() == v.size
        assert h['min'] == v.min() and h['max'] == v.max()
        np.testing.assert_allclose([h['sum'], h['sum_squares']], [v.sum(), v.dot(v)])
        assert np.all(np.diff(h['limits']) > 0)
        # each bucket counts the values in [previous limit, its limit)
        lower = np.concatenate([[-np.inf], h['limits'][:-1]])
        expected = [np.sum((v >= lo) & (v < hi)) for lo, hi in zip(lower, h['limits'])]
        np.testing.assert_array_equal(h['counts'], expected)


def test_histograms_need_validation_data(tmp_path):
    x, y = _data()
    tb = TensorBoard(log_dir=str(tmp_path), histogram_freq=1)
    with pytest.raises(ValueError, match='validation_data'):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[tb])
    assert tb.writer.closed


def test_weight_images(tmp_path):
    from PIL import Image
    inp = Input((5, 5, 1))
    out = Dense(2)(Flatten()(Conv2D(4, 3)(inp)))
    model = Model(inp, out)
    model.compile('sgd', 'mse')
    x = np.random.RandomState(0).randn(8, 5, 5, 1).astype('float32')
    tb = TensorBoard(log_dir=str(tmp_path), histogram_freq=1, write_images=True,
                     write_graph=False)
    y = x[:, :2, 0, 0]
    model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y), callbacks=[tb])
    values = [v for e in read_events(event_files(tmp_path)[0]) for v in e.get('values', ())]
    images = {tag: im for tag, kind, im in values if kind == 'image'}
    conv, dense = model.layers[1], model.layers[3]
    ck = conv.weights[0].name.replace(':', '_')
    dk = dense.weights[0].name.replace(':', '_')
    # conv kernel (3, 3, 1, 4) squeezes to (3, 3, 4): one 3x3 image per filter, 3 at most
    assert sorted(t for t in images if t.startswith(ck)) == [ck + '/image/%d' % i
                                                              for i in range(3)]
    kernel = conv.get_weights()[0][:, :, 0, 1]
    im = images[ck + '/image/1']
    assert (im['height'], im['width'], im['colorspace']) == (3, 3, 1)
    pixels = np.asarray(Image.open(io.BytesIO(im['png'])))
    assert pixels.shape == (3, 3)
    # negative values present: 0 maps to 128, the largest magnitude 127 away
    expected = np.round(kernel / np.abs(kernel).max() * 127 + 128)
    np.testing.assert_allclose(pixels, np.clip(expected, 0, 255), atol=1)
    # dense kernel (36, 2) is taller than wide: transposed to a 2x36 image
    im = images[dk + '/image/0']
    assert (im['height'], im['width']) == (2, 36)
    # a bias is a column
    im = images[dense.weights[1].name.replace(':', '_') + '/image/0']
    assert (im['height'], im['width']) == (2, 1)


def test_graph_of_layers(tmp_path):
    a, b = Input((3,), name='in_a'), Input((2,), name='in_b')
    h = Dense(4, name='dense_a')(a)
    out = Dense(1, name='head')(concatenate([h, b], name='merge'))
    model = Model([a, b], out)
    model.compile('sgd', 'mse')
    rng = np.random.RandomState(0)
    xa, xb, y = rng.randn(6, 3), rng.randn(6, 2), rng.randn(6, 1)
    model.fit([xa, xb], y, epochs=1, verbose=0, callbacks=[TensorBoard(log_dir=str(tmp_path))])
    graphs = [e['graph'] for e in read_events(event_files(tmp_path)[0]) if 'graph' in e]
    assert len(graphs) == 1
    nodes = {name: (op, inputs) for name, op, inputs in graphs[0]}
    assert nodes['dense_a'] == ('Dense', ['in_a'])
    assert nodes['merge'] == ('Concatenate', ['dense_a', 'in_b'])
    assert nodes['head'] == ('Dense', ['merge'])
    assert nodes['in_a'] == ('InputLayer', [])


def test_two_fits_write_two_files(tmp_path):
    x, y = _data()
    model = _model()
    tb = TensorBoard(log_dir=str(tmp_path), write_graph=False)
    h1 = model.fit(x, y, epochs=2, verbose=0, callbacks=[tb])
    h2 = model.fit(x, y, epochs=1, verbose=0, callbacks=[TensorBoard(log_dir=str(tmp_path))])
    files = event_files(tmp_path)
    assert len(files) == 2
    first, second = (scalars(read_events(f)) for f in files)
    assert [s for s, _ in first['loss']] == [0, 1]
    np.testing.assert_allclose([v for _, v in first['loss']], h1.history['loss'], rtol=1e-6)
    assert [s for s, _ in second['loss']] == [0]
    np.testing.assert_allclose([v for _, v in second['loss']], h2.history['loss'], rtol=1e-6)
    assert all(read_events(f)[0]['file_version'] == 'brain.Event:2' for f in files)


def test_flushed_at_epoch_end_before_close(tmp_path):
    tb = TensorBoard(log_dir=tmp_path / 'a' / 'b', write_graph=False)  # a Path, created
    tb.set_params({'epochs': 2, 'metrics': ['loss']})
    tb.on_train_begin()
    tb.on_epoch_end(0, {'loss': np.float32(0.5), 'note': 'text', 'vec': np.ones(3)})
    events = read_events(event_files(tmp_path / 'a' / 'b')[0])
    assert scalars(events) == {'loss': [(0, 0.5)]}  # non-numbers are left out
    assert not tb.writer.closed
    tb.on_train_end()
    assert tb.writer.closed


def test_fit_generator_with_histograms(tmp_path):
    x, y = _data()

    def batches():
        while True:
            for i in range(0, 40, 10):
                yield x[i:i + 10], y[i:i + 10]
    model = _model()
    tb = TensorBoard(log_dir=str(tmp_path), histogram_freq=1, update_freq=15)
    hist = model.fit_generator(batches(), steps_per_epoch=4, epochs=2, verbose=0,
                               validation_data=_data(10, 2), callbacks=[tb])
    events = read_events(event_files(tmp_path)[0])
    got = scalars(events)
    assert [s for s, _ in got['val_loss']] == [40, 80]
    np.testing.assert_allclose([v for _, v in got['val_loss']], hist.history['val_loss'],
                               rtol=1e-6)
    assert [e['step'] for e in events
            if any(k == 'histo' for _, k, _ in e.get('values', ()))] == [0, 1]


@pytest.mark.parametrize('kwargs', [
    {'update_freq': 'sometimes'}, {'update_freq': 0}, {'update_freq': -5},
    {'update_freq': 2.5}, {'histogram_freq': -1}, {'histogram_freq': 1.5},
    {'embeddings_freq': -2}, {'batch_size': 0}])
def test_bad_arguments(tmp_path, kwargs):
    with pytest.raises(ValueError, match='TensorBoard'):
        TensorBoard(log_dir=str(tmp_path), **kwargs)


def test_defaults_and_unsupported_options_warn_once(tmp_path):
    tb = TensorBoard()
    assert (tb.log_dir, tb.histogram_freq, tb.batch_size, tb.write_graph, tb.update_freq) == (
        './logs', 0, None, True, 'epoch')
    x, y = _data()
    tb = TensorBoard(log_dir=str(tmp_path), write_grads=True, embeddings_freq=1,
                     embeddings_data=x, write_graph=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        _model().fit(x, y, epochs=3, verbose=0, callbacks=[tb])
    messages = [str(w.message) for w in caught]
    assert sum('write_grads' in m for m in messages) == 1
    assert sum('embeddings' in m for m in messages) == 1
    with pytest.raises(ValueError, match='embeddings_data'):
        _model().fit(x, y, epochs=1, verbose=0,
                     callbacks=[TensorBoard(log_dir=str(tmp_path), embeddings_freq=1)])


def test_encode_png_round_trips_through_pillow():
    from PIL import Image
    rng = np.random.RandomState(0)
    for pixels in (rng.randint(0, 256, (5, 7)).astype(np.uint8),
                   rng.randint(0, 256, (4, 3, 3)).astype(np.uint8)[:, ::-1]):
        png = _tfevents.encode_png(pixels)
        assert png.startswith(b'\x89PNG\r\n\x1a\n')
        np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(png))), pixels)
    with pytest.raises(ValueError, match=r'encode_png: expected uint8 pixels.*float32 \(2, 2\)'):
        _tfevents.encode_png(np.zeros((2, 2), 'float32'))
