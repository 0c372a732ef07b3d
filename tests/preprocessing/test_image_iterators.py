"""Batch iterators: NumpyArrayIterator and DirectoryIterator."""
import os
import threading
import warnings

import numpy as np
import pytest

from kback import backend as K
from kback.preprocessing import image
from kback.utils.data_utils import OrderedEnqueuer


class FakeGenerator(object):
    """The iface.md attributes of ImageDataGenerator; `noise` makes each batch
    depend on its random state."""

    def __init__(self, noise=False, validation_split=0.0, data_format='channels_last',
                 dtype='float32'):
        self.data_format = data_format
        self.dtype = dtype
        self._validation_split = validation_split
        self.interpolation_order = 1
        self.noise = noise
        self.calls = 0

    def transform_batch(self, x, rng):
        self.calls += 1
        if self.noise:
            x += rng.uniform(0, 1, size=(len(x),) + (1,) * (x.ndim - 1)).astype(x.dtype)
        return x


def _all_batches(it, order=None):
    order = range(len(it)) if order is None else order
    return {i: it[i] for i in order}


# -- NumpyArrayIterator --------------------------------------------------------

def _arrays(n=10):
    x = np.arange(n * 2 * 2 * 3, dtype='float64').reshape(n, 2, 2, 3)
    y = np.arange(n) % 2
    return x, y


def test_numpy_batches_in_order_without_shuffle():
    x, y = _arrays(10)
    gen = FakeGenerator()
    it = image.NumpyArrayIterator(x, y, gen, batch_size=4)
    assert len(it) == 3 and it.n == 10
    xs, ys = zip(*[it[i] for i in range(3)])
    assert [len(b) for b in xs] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate(xs), x)
    np.testing.assert_array_equal(np.concatenate(ys), y)
    assert xs[0].dtype == np.float32 and it.x.dtype == np.float32
    assert gen.calls == 3  # one transform_batch call per batch
    assert it.total_batches_seen == 3
    np.testing.assert_array_equal(x, np.arange(120.).reshape(10, 2, 2, 3))  # untouched


def test_numpy_outputs_x_alone_sample_weight_and_misc():
    x, y = _arrays(6)
    sw = np.linspace(0, 1, 6)
    it = image.NumpyArrayIterator(x, None, FakeGenerator(), batch_size=6)
    assert isinstance(it[0], np.ndarray) and it[0].shape == (6, 2, 2, 3)
    bx, by, bw = image.NumpyArrayIterator(x, y, FakeGenerator(), batch_size=3,
                                          sample_weight=sw)[1]
    np.testing.assert_array_equal(bw, sw[3:])
    np.testing.assert_array_equal(by, y[3:])
    misc = np.arange(6) * 10
    (bx, bm), by = image.NumpyArrayIterator((x, misc), y, FakeGenerator(), batch_size=3)[1]
    np.testing.assert_array_equal(bm, misc[3:])
    out = image.NumpyArrayIterator((x, [misc, misc + 1]), None, FakeGenerator(),
                                   batch_size=2)[2]
    assert isinstance(out, list) and len(out) == 3
    np.testing.assert_array_equal(out[2], misc[4:] + 1)


def test_numpy_errors_name_shapes():
    x, y = _arrays(6)
    with pytest.raises(ValueError, match=r'rank 4.*\(6, 2, 6\)'):
        image.NumpyArrayIterator(x.reshape(6, 2, 6), y, FakeGenerator())
    with pytest.raises(ValueError, match=r'x.shape = \(6, 2, 2, 3\), y.shape = \(5,\)'):
        image.NumpyArrayIterator(x, y[:5], FakeGenerator())
    with pytest.raises(ValueError, match='sample_weight.shape = \\(4,\\)'):
        image.NumpyArrayIterator(x, y, FakeGenerator(), sample_weight=np.ones(4))
    with pytest.raises(ValueError, match='same length'):
        image.NumpyArrayIterator((x, np.ones(5)), y, FakeGenerator())
    with pytest.raises(ValueError, match='subset'):
        image.NumpyArrayIterator(x, y, FakeGenerator(0.5), subset='test')
    with pytest.raises(ValueError, match='batch_size'):
        image.NumpyArrayIterator(x, y, FakeGenerator(), batch_size=0)
    with pytest.warns(UserWarning, match='5 channels'):
        image.NumpyArrayIterator(np.zeros((2, 3, 3, 5)), None, FakeGenerator())
    it = image.NumpyArrayIterator(x, y, FakeGenerator(), batch_size=4)
    with pytest.raises(ValueError, match='element 2.*length 2'):
        it[2]
    with pytest.raises(ValueError, match='negative'):
        it[-1]


def test_numpy_subset_takes_first_split_for_validation():
    x, y = _arrays(10)
    gen = FakeGenerator(validation_split=0.3)
    val = image.NumpyArrayIterator(x, y, gen, batch_size=10, subset='validation')
    tr = image.NumpyArrayIterator(x, y, gen, batch_size=10, subset='training',
                                  sample_weight=np.arange(10.))
    assert val.n == 3 and tr.n == 7
    np.testing.assert_array_equal(val[0][1], y[:3])
    np.testing.assert_array_equal(tr[0][0], x[3:])
    np.testing.assert_array_equal(tr[0][2], np.arange(3., 10.))
    with pytest.raises(ValueError, match='different number of classes'):
        image.NumpyArrayIterator(x, np.sort(y), gen, subset='validation')


def test_numpy_data_format_and_dtype_come_from_generator():
    x = np.zeros((4, 3, 5, 6))
    gen = FakeGenerator(data_format='channels_first', dtype='float64')
    it = image.NumpyArrayIterator(x, None, gen, batch_size=2)
    assert it.data_format == 'channels_first' and it[0].dtype == np.float64
    it = image.NumpyArrayIterator(x, None, gen, batch_size=2, dtype='float16')
    assert it[0].dtype == np.float16
    K.set_image_data_format('channels_first')
    it = image.NumpyArrayIterator(x, None, None, batch_size=2)
    assert it.data_format == 'channels_first' and it[0].dtype == np.float32


def test_seeded_batches_reproducible_in_any_order_and_across_iterators():
    x, y = _arrays(20)

    def make():
        return image.NumpyArrayIterator(x, y, FakeGenerator(noise=True), batch_size=6,
                                        shuffle=True, seed=42)
    a, b = make(), make()
    fwd = _all_batches(a)
    rev = _all_batches(b, order=[3, 1, 2, 0])
    for i in range(4):
        np.testing.assert_array_equal(fwd[i][0], rev[i][0])
        np.testing.assert_array_equal(fwd[i][1], rev[i][1])
    ys = np.concatenate([fwd[i][1] for i in range(4)])
    assert sorted(ys) == sorted(y) and list(ys) != list(y)  # a permutation
    # the next epoch has another order and other augmentation, also reproducible
    a.on_epoch_end()
    b.on_epoch_end()
    e1a, e1b = _all_batches(a), _all_batches(b, order=[2, 0, 3, 1])
    assert not np.array_equal(e1a[0][0], fwd[0][0])
    np.testing.assert_array_equal(e1a[0][0], e1b[0][0])
    # the Python-iterator path gives epoch 0's batches too
    c = make()
    for i in range(4):
        np.testing.assert_array_equal(next(c)[0], fwd[i][0])
    np.testing.assert_array_equal(next(c)[0], e1a[0][0])
    # another seed, another order
    d = image.NumpyArrayIterator(x, y, FakeGenerator(noise=True), batch_size=6,
                                 shuffle=True, seed=43)
    assert not np.array_equal(d[0][0], fwd[0][0])


def test_unseeded_follows_numpy_global_seed():
    x, y = _arrays(12)

    def first_batch():
        np.random.seed(5)
        it = image.NumpyArrayIterator(x, y, FakeGenerator(noise=True), batch_size=4,
                                      shuffle=True)
        return it[0][0]
    np.testing.assert_array_equal(first_batch(), first_batch())
    it = image.NumpyArrayIterator(x, y, FakeGenerator(noise=True), batch_size=4)
    assert not np.array_equal(it[0][0], it[0][0])  # fresh randomness each call


def test_next_wraps_epochs_and_is_thread_safe():
    x, y = _arrays(10)
    it = image.NumpyArrayIterator(x, y, FakeGenerator(), batch_size=4, shuffle=True, seed=0)
    assert iter(it) is it
    sizes = [len(next(it)[0]) for _ in range(6)]
    assert sizes == [4, 4, 2, 4, 4, 2]
    it.reset()
    assert it.batch_index == 0
    it = image.NumpyArrayIterator(x, y, FakeGenerator(), batch_size=1, shuffle=True, seed=0)
    seen, lock = [], threading.Lock()

    def work():
        for _ in range(5):
            b = it.next()
            with lock:
                seen.append(int(b[0][0, 0, 0, 0]) // 12)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == sorted(list(range(10)) * 2)  # two whole epochs, no repeats


class _KerasStyleIterator(image.Iterator):
    def __init__(self, n):
        super(_KerasStyleIterator, self).__init__(n, 3, False, None)

    def _get_batches_of_transformed_samples(self, index_array):
        return np.asarray(index_array) * 2


def test_iterator_subclass_extension_point():
    it = _KerasStyleIterator(7)
    assert len(it) == 3
    np.testing.assert_array_equal(it[2], [12])
    np.testing.assert_array_equal(next(it), [0, 2, 4])
    with pytest.raises(NotImplementedError):
        image.Iterator(3, 2, False, None)[0]


# -- DirectoryIterator ---------------------------------------------------------

def _pixels(label, i, size=(6, 8)):
    rs = np.random.RandomState(100 * label + i)
    return (rs.rand(size[0], size[1], 3) * 255).astype('uint8')


@pytest.fixture
def folder(tmp_path):
    """cats: 4 pngs (one nested), dogs: 3 pngs; plus files that must be ignored."""
    root = tmp_path / 'data'
    for label, (cls, n) in enumerate([('cats', 4), ('dogs', 3)]):
        (root / cls).mkdir(parents=True)
        for i in range(n):
            sub = root / cls / ('nested' if i == 3 else '')
            sub.mkdir(exist_ok=True)
            image.save_img(str(sub / ('img%d.png' % i)), _pixels(label, i), scale=False)
        (root / cls / 'notes.txt').write_text('not an image')
    image.save_img(str(root / 'top_level.png'), _pixels(9, 9), scale=False)
    return root


def test_directory_listing(folder, capsys):
    it = image.DirectoryIterator(str(folder), None, target_size=(6, 8), shuffle=False)
    assert 'Found 7 images belonging to 2 classes.' in capsys.readouterr().out
    assert it.samples == 7 and it.num_classes == 2 and it.n == 7
    assert it.class_indices == {'cats': 0, 'dogs': 1}
    assert it.filenames == [os.path.join('cats', 'img0.png'), os.path.join('cats', 'img1.png'),
                            os.path.join('cats', 'img2.png'),
                            os.path.join('cats', 'nested', 'img3.png'),
                            os.path.join('dogs', 'img0.png'), os.path.join('dogs', 'img1.png'),
                            os.path.join('dogs', 'img2.png')]
    assert it.filepaths[0] == os.path.join(str(folder), 'cats', 'img0.png')
    assert it.classes.dtype == np.int32 and list(it.classes) == [0, 0, 0, 0, 1, 1, 1]
    assert it.image_shape == (6, 8, 3)
    it = image.DirectoryIterator(str(folder), None, classes=['dogs', 'cats'])
    assert it.class_indices == {'dogs': 0, 'cats': 1} and list(it.classes) == [0] * 3 + [1] * 4


def test_directory_class_modes(folder):
    kw = dict(target_size=(6, 8), batch_size=7, shuffle=False)
    x, y = image.DirectoryIterator(str(folder), FakeGenerator(), **kw)[0]
    expected = np.stack([_pixels(0, i) for i in range(4)] + [_pixels(1, i) for i in range(3)])
    np.testing.assert_array_equal(x, expected)
    assert x.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(y, np.eye(2)[[0, 0, 0, 0, 1, 1, 1]])
    for mode in ('binary', 'sparse'):
        x, y = image.DirectoryIterator(str(folder), FakeGenerator(), class_mode=mode, **kw)[0]
        assert y.dtype == np.float32 and y.shape == (7,)
        np.testing.assert_array_equal(y, [0, 0, 0, 0, 1, 1, 1])
    x, y = image.DirectoryIterator(str(folder), FakeGenerator(), class_mode='input', **kw)[0]
    np.testing.assert_array_equal(x, y)
    assert x is not y
    x = image.DirectoryIterator(str(folder), FakeGenerator(), class_mode=None, **kw)[0]
    assert isinstance(x, np.ndarray) and x.shape == (7, 6, 8, 3)
    x, y = image.DirectoryIterator(str(folder), FakeGenerator(dtype='float64'), **kw)[0]
    assert x.dtype == np.float64 and y.dtype == np.float64


def test_directory_color_modes_formats_and_resizing(folder):
    for mode, c in (('grayscale', 1), ('rgb', 3), ('rgba', 4)):
        it = image.DirectoryIterator(str(folder), FakeGenerator(), color_mode=mode,
                                     target_size=(3, 4), batch_size=2, shuffle=False)
        assert it.image_shape == (3, 4, c) and it[0][0].shape == (2, 3, 4, c)
    it = image.DirectoryIterator(str(folder), FakeGenerator(data_format='channels_first'),
                                 target_size=(12, 16), batch_size=2, shuffle=False)
    assert it.image_shape == (3, 12, 16)
    x = it[0][0]
    np.testing.assert_array_equal(x[0], _pixels(0, 0).repeat(2, 0).repeat(2, 1)
                                  .transpose(2, 0, 1))
    bil = image.DirectoryIterator(str(folder), FakeGenerator(), target_size=(12, 16),
                                  interpolation='bilinear', batch_size=2, shuffle=False)[0][0]
    assert bil.shape == (2, 12, 16, 3) and np.any(bil[0] != x[0].transpose(1, 2, 0))


def test_directory_subset_splits_each_class(folder):
    gen = FakeGenerator(validation_split=0.34)
    val = image.DirectoryIterator(str(folder), gen, subset='validation', shuffle=False)
    tr = image.DirectoryIterator(str(folder), gen, subset='training', shuffle=False)
    # cats: int(0.34*4)=1 file for validation; dogs: int(0.34*3)=1
    assert val.filenames == [os.path.join('cats', 'img0.png'), os.path.join('dogs', 'img0.png')]
    assert tr.samples == 5 and list(tr.classes) == [0, 0, 0, 1, 1]
    assert not set(val.filenames) & set(tr.filenames)


def test_directory_seeded_shuffle_and_augmentation(folder):
    def make():
        return image.DirectoryIterator(str(folder), FakeGenerator(noise=True),
                                       target_size=(6, 8), batch_size=3, seed=7)
    a, b = make(), make()
    fwd = _all_batches(a)
    rev = _all_batches(b, order=[2, 1, 0])
    for i in range(3):
        np.testing.assert_array_equal(fwd[i][0], rev[i][0])
        np.testing.assert_array_equal(fwd[i][1], rev[i][1])
    assert a.shuffle is True  # Keras's default for folders
    labels = np.concatenate([fwd[i][1].argmax(1) for i in range(3)])
    assert sorted(labels) == [0, 0, 0, 0, 1, 1, 1]


def test_directory_follow_links(folder, tmp_path):
    extra = tmp_path / 'extra'
    extra.mkdir()
    image.save_img(str(extra / 'linked.png'), _pixels(3, 3), scale=False)
    os.symlink(str(extra), str(folder / 'dogs' / 'more'))
    assert image.DirectoryIterator(str(folder), None).samples == 7
    it = image.DirectoryIterator(str(folder), None, follow_links=True)
    assert it.samples == 8 and os.path.join('dogs', 'more', 'linked.png') in it.filenames


def test_directory_save_to_dir(folder, tmp_path):
    out = tmp_path / 'out'
    out.mkdir()
    it = image.DirectoryIterator(str(folder), FakeGenerator(), target_size=(6, 8),
                                 batch_size=3, save_to_dir=str(out), save_prefix='aug',
                                 save_format='jpeg', seed=1)
    it[0]
    saved = sorted(os.listdir(str(out)))
    assert len(saved) == 3 and all(s.startswith('aug_') and s.endswith('.jpeg') for s in saved)


def test_directory_bad_arguments(folder):
    d = str(folder)
    with pytest.raises(ValueError, match='class_mode.*categorical.*binary.*sparse'):
        image.DirectoryIterator(d, None, class_mode='multi')
    with pytest.raises(ValueError, match='color mode.*rgba.*grayscale'):
        image.DirectoryIterator(d, None, color_mode='cmyk')
    with pytest.raises(ValueError, match='subset'):
        image.DirectoryIterator(d, FakeGenerator(0.2), subset='test')
    with pytest.raises(ValueError, match='interpolation.*bicubic'):
        image.DirectoryIterator(d, None, interpolation='cubic')
    with pytest.raises(ValueError, match='target_size'):
        image.DirectoryIterator(d, None, target_size=(8,))
    with pytest.raises(ValueError, match='data_format'):
        image.DirectoryIterator(d, None, data_format='channels_middle')
    with pytest.raises(FileNotFoundError):
        image.DirectoryIterator(d + '_missing', None)


def test_directory_bad_files_warned_once_and_dropped(folder):
    (folder / 'cats' / 'text.jpg').write_text('this is not a jpeg')
    (folder / 'cats' / 'empty.png').write_bytes(b'')
    good = (folder / 'dogs' / 'img0.png').read_bytes()
    (folder / 'dogs' / 'cut.png').write_bytes(good[:len(good) // 2])
    it = image.DirectoryIterator(str(folder), FakeGenerator(), target_size=(6, 8),
                                 batch_size=10, shuffle=False)
    assert it.samples == 10
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        x, y = it[0]
        x2, y2 = it[0]
    messages = [str(w.message) for w in rec if issubclass(w.category, UserWarning)]
    assert len(messages) == 3  # once per file, not again in the second pass
    for name in ('text.jpg', 'empty.png', 'cut.png'):
        assert sum(name in m for m in messages) == 1
    assert any('truncated' in m for m in messages)
    assert len(x) == len(y) == 7
    np.testing.assert_array_equal(y.argmax(1), [0, 0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(x[6], _pixels(1, 2))  # dogs/img2.png after the dropped cut.png
    np.testing.assert_array_equal(x2, x)


def test_directory_batch_of_only_bad_files_raises(tmp_path):
    (tmp_path / 'a').mkdir()
    (tmp_path / 'a' / 'x.jpg').write_text('nope')
    (tmp_path / 'a' / 'y.png').write_bytes(b'')
    it = image.DirectoryIterator(str(tmp_path), FakeGenerator(), batch_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with pytest.raises(ValueError, match=r'x\.jpg.*y\.png|y\.png.*x\.jpg'):
            it[0]


def test_ordered_enqueuer_with_two_workers_matches_serial(folder):
    def make():
        return image.DirectoryIterator(str(folder), FakeGenerator(noise=True),
                                       target_size=(6, 8), batch_size=2, seed=3)
    serial = [make()[i] for i in range(4)]
    enq = OrderedEnqueuer(make())
    enq.start(workers=2, max_queue_size=3)
    try:
        batches = enq.get()
        threaded = [next(batches) for _ in range(4)]
    finally:
        enq.stop()
    for (sx, sy), (tx, ty) in zip(serial, threaded):
        np.testing.assert_array_equal(sx, tx)
        np.testing.assert_array_equal(sy, ty)


def test_fit_generator_two_workers_on_png_folder(folder):
    from kback.models import Sequential
    from kback.layers import Flatten, Dense
    it = image.DirectoryIterator(str(folder), FakeGenerator(), target_size=(6, 8),
                                 batch_size=3, seed=0)
    model = Sequential([Flatten(input_shape=(6, 8, 3)), Dense(2, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    hist = model.fit_generator(it, epochs=2, workers=2, verbose=0)
    assert len(hist.history['loss']) == 2 and np.all(np.isfinite(hist.history['loss']))


def test_predict_generator_on_images_only_iterator(folder):
    # class_mode=None yields bare arrays (not tuples): prediction takes them as x
    from kback.models import Sequential
    from kback.layers import Flatten, Dense
    it = image.DirectoryIterator(str(folder), FakeGenerator(), target_size=(6, 8),
                                 class_mode=None, batch_size=3, shuffle=False)
    model = Sequential([Flatten(input_shape=(6, 8, 3)), Dense(2)])
    model.compile('sgd', 'mse')
    expected = model.predict(np.concatenate([it[i] for i in range(len(it))]))
    for workers in (0, 2):
        got = model.predict_generator(it, workers=workers)
        assert got.shape == (7, 2)
        np.testing.assert_allclose(got, expected, rtol=1e-6)


# -- with the real ImageDataGenerator ------------------------------------------

def _augmenting_generator(**kw):
    return image.ImageDataGenerator(rescale=1 / 255., horizontal_flip=True,
                                    width_shift_range=0.2, height_shift_range=0.2,
                                    rotation_range=20, **kw)


def test_real_generator_seeded_batches_any_order(folder):
    gen = _augmenting_generator(validation_split=0.34)

    def make():
        return gen.flow_from_directory(str(folder), target_size=(6, 8), batch_size=2,
                                       seed=11, subset='training')
    a, b = make(), make()
    assert a.samples == 5 and a.image_data_generator is gen
    fwd = _all_batches(a)
    rev = _all_batches(b, order=[2, 0, 1])
    for i in range(3):
        np.testing.assert_array_equal(fwd[i][0], rev[i][0])
        np.testing.assert_array_equal(fwd[i][1], rev[i][1])
    assert fwd[0][0].dtype == np.float32 and 0 <= fwd[0][0].min() <= fwd[0][0].max() <= 1
    x, y = _arrays(12)
    f1 = gen.flow(x, y, batch_size=4, seed=5)
    f2 = gen.flow(x, y, batch_size=4, seed=5)
    np.testing.assert_array_equal(f1[1][0], f2[1][0])
    assert gen.flow(x, y, subset='validation').n == 4


def test_fit_generator_two_workers_with_image_data_generator(folder):
    from kback.models import Sequential
    from kback.layers import Flatten, Dense
    gen = _augmenting_generator(validation_split=0.34)
    train = gen.flow_from_directory(str(folder), target_size=(6, 8), batch_size=2, seed=0,
                                    subset='training')
    val = gen.flow_from_directory(str(folder), target_size=(6, 8), batch_size=2, seed=0,
                                  subset='validation', shuffle=False)
    model = Sequential([Flatten(input_shape=(6, 8, 3)), Dense(2, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    hist = model.fit_generator(train, epochs=2, workers=2, validation_data=val, verbose=0)
    assert len(hist.history['val_loss']) == 2
    assert np.all(np.isfinite(hist.history['loss']))
    assert train.total_batches_seen >= 2 * len(train)


def test_empty_folder(tmp_path, capsys):
    it = image.DirectoryIterator(str(tmp_path), None)
    assert 'Found 0 images belonging to 0 classes.' in capsys.readouterr().out
    assert len(it) == 0 and it.samples == 0 and it.class_indices == {}
    for _ in range(2):
        with pytest.raises(ValueError, match='no samples'):
            next(it)
    with pytest.raises(ValueError, match='length 0'):
        it[0]


class _PerImageGenerator(object):
    """A Keras-style object without transform_batch: the per-image methods."""
    data_format, dtype = 'channels_last', 'float32'

    def get_random_transform(self, shape):
        return {'add': np.random.randint(1, 5)}

    def apply_transform(self, x, params):
        return x + params['add']

    def standardize(self, x):
        return x * 2


def test_per_image_generator_fallback_and_numpy_save_to_dir(tmp_path):
    x, y = _arrays(4)
    it = image.NumpyArrayIterator(x, y, _PerImageGenerator(), batch_size=4,
                                  save_to_dir=str(tmp_path), save_prefix='n')
    bx, _ = it[0]
    diff = bx / 2 - x.astype('float32')
    assert np.all((diff >= 1) & (diff <= 4))
    assert np.all(diff == diff[:, :1, :1, :1])  # one offset per image
    saved = os.listdir(str(tmp_path))
    assert len(saved) == 4 and all(s.startswith('n_') and s.endswith('.png') for s in saved)
