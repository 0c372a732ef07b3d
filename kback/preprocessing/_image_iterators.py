"""Batch iterators of keras.preprocessing.image: the `Iterator` base (a
`Sequence`), `NumpyArrayIterator` (arrays in memory) and `DirectoryIterator`
(one folder of image files per class).

Randomness: with a seed, the shuffle of epoch e and the augmentation of batch
i of epoch e come from RandomStates seeded by (seed, e, i), so a batch is the
same whichever thread builds it and in whatever order batches are asked for.
Each batch is augmented by one `image_data_generator.transform_batch(x, rng)`
call on the whole batch.
"""
import os
import threading
import warnings

import numpy as np

from .. import backend as K
from ..utils.data_utils import Sequence
from ._image_io import (WHITE_LIST_FORMATS, _COLOR_MODES, _check_data_format,
                        _check_interpolation, _check_target_size, _open_image,
                        save_img)

__all__ = ['Iterator', 'NumpyArrayIterator', 'DirectoryIterator']

_MASK32 = 0xFFFFFFFF
_SHUFFLE_STREAM, _BATCH_STREAM = 0, 1


def _generator_setting(generator, name, value, default):
    """`value` unless None, else the generator's attribute, else `default()`."""
    if value is not None:
        return value
    if generator is not None and getattr(generator, name, None) is not None:
        return getattr(generator, name)
    return default()


class Iterator(Sequence):
    """Base class of the image batch iterators.

    Subclasses implement `_get_batches_of_transformed_samples(index_array)`
    (Keras's extension point); kback's own iterators also take the batch's
    random state (`_build_batch(index_array, rng)`).

    Arguments:
        n: total number of samples.
        batch_size: samples per batch.
        shuffle: whether to shuffle the samples at every epoch.
        seed: random seed for shuffling and augmentation.
    """
    white_list_formats = WHITE_LIST_FORMATS

    def __init__(self, n, batch_size, shuffle, seed):
        if int(batch_size) != batch_size or batch_size < 1:
            raise ValueError('%s: batch_size must be a positive int; got %r'
                             % (type(self).__name__, batch_size))
        self.n = int(n)
        self.batch_size = int(batch_size)
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self._epoch = 0
        self._seed_words = None if seed is None else \
            [int(seed) & _MASK32, (int(seed) >> 32) & _MASK32]
        self.index_generator = self._flow_index()

    # -- randomness -------------------------------------------------------
    def _rng(self, stream, epoch, index):
        if self._seed_words is None:
            # Unseeded: drawn from numpy's global state (np.random.seed works).
            return np.random.RandomState(np.random.randint(0, 2 ** 31 - 1))
        return np.random.RandomState(self._seed_words +
                                     [stream, epoch & _MASK32, index & _MASK32])

    def _set_index_array(self):
        if self.shuffle:
            if self._seed_words is None:
                self.index_array = np.random.permutation(self.n)
            else:
                self.index_array = self._rng(_SHUFFLE_STREAM, self._epoch, 0) \
                    .permutation(self.n)
        else:
            self.index_array = np.arange(self.n)

    # -- Sequence API -----------------------------------------------------
    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def __getitem__(self, idx):
        try:
            idx = int(idx) if int(idx) == idx else None
        except (TypeError, ValueError):
            idx = None
        if idx is None:
            raise TypeError('%s indices must be integers' % type(self).__name__)
        if idx >= len(self):
            raise ValueError('Asked to retrieve element {idx}, but the Sequence has '
                             'length {length}'.format(idx=idx, length=len(self)))
        if idx < 0:
            raise ValueError('Could not retrieve item with negative index %d' % idx)
        with self.lock:
            if self.index_array is None:
                self._set_index_array()
            index_array, epoch = self.index_array, self._epoch
            self.total_batches_seen += 1
        batch = index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._batch_for(batch, epoch, idx)

    def on_epoch_end(self):
        with self.lock:
            self._epoch += 1
            self._set_index_array()

    # -- pickling, for worker processes (use_multiprocessing=True) ---------
    def __getstate__(self):
        with self.lock:
            # The epoch's order is fixed here, so that every worker process
            # serves the same one (unseeded, each would draw its own).
            if self.index_array is None:
                self._set_index_array()
            state = dict(self.__dict__)
        del state['lock'], state['index_generator']
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.lock = threading.Lock()
        self.index_generator = self._flow_index()

    def reset(self):
        self.batch_index = 0

    # -- Python iterator API (endless, as Keras) --------------------------
    def _flow_index(self):
        self.reset()
        started = False
        while True:
            if self.batch_index == 0:
                if started:
                    self._epoch += 1
                started = True
                self._set_index_array()
            current = self.batch_index * self.batch_size
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield (self.index_array[current:current + self.batch_size], self._epoch,
                   current // self.batch_size)

    def __iter__(self):
        return self

    def __next__(self, *args, **kwargs):
        return self.next(*args, **kwargs)

    def next(self):
        """Returns the next batch (thread-safe; batches are built outside the lock)."""
        if self.n == 0:
            raise ValueError('%s: there are no samples to iterate over (n=0)'
                             % type(self).__name__)
        with self.lock:
            index_array, epoch, idx = next(self.index_generator)
        return self._batch_for(index_array, epoch, idx)

    # -- batches ----------------------------------------------------------
    def _batch_for(self, index_array, epoch, idx):
        impl = type(self)._get_batches_of_transformed_samples
        if getattr(impl, '_kback_builtin', False):
            return self._build_batch(index_array, self._rng(_BATCH_STREAM, epoch, idx))
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array):
        """Gets a batch of transformed samples (subclasses implement this)."""
        raise NotImplementedError('%s must implement _get_batches_of_transformed_samples'
                                  % type(self).__name__)

    def _builtin_batches(self, index_array):
        """Keras's entry point, for kback's iterators: the batch of these
        samples, augmented with randomness drawn from numpy's global state."""
        rng = np.random.RandomState(np.random.randint(0, 2 ** 31 - 1))
        return self._build_batch(np.asarray(index_array), rng)
    _builtin_batches._kback_builtin = True

    def _transform(self, batch, rng):
        """Augments and standardizes a whole batch with the generator."""
        gen = self.image_data_generator
        if gen is None or len(batch) == 0:
            return batch
        if hasattr(gen, 'transform_batch'):
            out = gen.transform_batch(batch, rng)
        else:  # a Keras-style generator object without the batch method
            out = np.empty_like(batch)
            for i in range(len(batch)):
                params = gen.get_random_transform(batch[i].shape)
                out[i] = gen.standardize(gen.apply_transform(batch[i], params))
        out = np.asarray(out)
        return out if out.dtype == self.dtype else out.astype(self.dtype)

    def _save_batch(self, batch_x, index_array, rng):
        """Writes the augmented batch to save_to_dir (debugging aid)."""
        if not self.save_to_dir:
            return
        for x, j in zip(batch_x, index_array):
            fname = '{prefix}_{index}_{hash}.{format}'.format(
                prefix=self.save_prefix, index=j, hash=rng.randint(int(1e7)),
                format=self.save_format)
            save_img(os.path.join(self.save_to_dir, fname), x,
                     data_format=self.data_format, scale=True)


class NumpyArrayIterator(Iterator):
    """Iterator yielding data from numpy arrays.

    Arguments:
        x: numpy array of input images (rank 4), or a tuple/list
            `(images, misc)` where misc is an array or a list of arrays passed
            through unchanged next to the images.
        y: numpy array of targets, or None.
        image_data_generator: the `ImageDataGenerator` that augments batches.
        batch_size: samples per batch.
        shuffle: whether to shuffle the samples at every epoch.
        sample_weight: numpy array of sample weights.
        seed: random seed for shuffling and augmentation.
        data_format: "channels_first" / "channels_last"; default the
            generator's (else `K.image_data_format()`).
        save_to_dir: a folder where the augmented images are written, for
            debugging (None: not written).
        save_prefix: the prefix of the saved images' file names.
        save_format: `'png'` or `'jpeg'`, the saved images' format.
        subset: "training" or "validation" when the generator has a
            validation_split: the first `validation_split` fraction of the
            samples is the validation subset.
        dtype: dtype of the image batches; default the generator's.
    """

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix='', save_format='png', subset=None, dtype=None):
        self.dtype = np.dtype(_generator_setting(image_data_generator, 'dtype', dtype,
                                                 K.floatx)).name
        data_format = _check_data_format(_generator_setting(
            image_data_generator, 'data_format', data_format, K.image_data_format),
            'NumpyArrayIterator')
        if type(x) is tuple or type(x) is list:
            if len(x) != 2:
                raise ValueError('NumpyArrayIterator: x given as a tuple must be '
                                 '(images, misc arrays); got %d items' % len(x))
            x_misc = [np.asarray(x[1])] if type(x[1]) is not list else \
                [np.asarray(xx) for xx in x[1]]
            x = x[0]
            for xx in x_misc:
                if len(x) != len(xx):
                    raise ValueError('All of the arrays in `x` should have the same '
                                     'length. Found a pair with: len(x[0]) = %s, '
                                     'len(x[?]) = %s' % (len(x), len(xx)))
        else:
            x_misc = []
        if y is not None and len(x) != len(y):
            raise ValueError('`x` (images tensor) and `y` (labels) should have the same '
                             'length. Found: x.shape = %s, y.shape = %s'
                             % (np.shape(x), np.shape(y)))
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError('`x` (images tensor) and `sample_weight` should have the same '
                             'length. Found: x.shape = %s, sample_weight.shape = %s'
                             % (np.shape(x), np.shape(sample_weight)))
        if subset is not None:
            if subset not in ('training', 'validation'):
                raise ValueError('Invalid subset name: %r; expected "training" or '
                                 '"validation"' % (subset,))
            split = float(getattr(image_data_generator, '_validation_split', 0.0) or 0.0)
            split_idx = int(len(x) * split)
            if y is not None and not np.array_equal(np.unique(np.asarray(y)[:split_idx]),
                                                    np.unique(np.asarray(y)[split_idx:])):
                raise ValueError('Training and validation subsets have different number '
                                 'of classes after the split. If your numpy arrays are '
                                 'sorted by the label, you might want to shuffle them.')
            part = slice(None, split_idx) if subset == 'validation' else \
                slice(split_idx, None)
            x = x[part]
            x_misc = [xx[part] for xx in x_misc]
            if y is not None:
                y = y[part]
            if sample_weight is not None:
                sample_weight = sample_weight[part]
        self.x = np.asanyarray(x, dtype=self.dtype)
        self.x_misc = x_misc
        if self.x.ndim != 4:
            raise ValueError('Input data in `NumpyArrayIterator` should have rank 4. '
                             'You passed an array with shape %s' % (self.x.shape,))
        channels_axis = 3 if data_format == 'channels_last' else 1
        if self.x.shape[channels_axis] not in (1, 3, 4):
            warnings.warn('NumpyArrayIterator is set to use the data format convention '
                          '"%s" (channels on axis %d), i.e. expected either 1, 3, or 4 '
                          'channels on axis %d. However, it was passed an array with '
                          'shape %s (%d channels).'
                          % (data_format, channels_axis, channels_axis, self.x.shape,
                             self.x.shape[channels_axis]))
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None \
            else None
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.subset = subset
        super(NumpyArrayIterator, self).__init__(self.x.shape[0], batch_size, shuffle,
                                                 seed)

    _get_batches_of_transformed_samples = Iterator._builtin_batches

    def _build_batch(self, index_array, rng):
        batch_x = self.x.take(index_array, axis=0)  # a fresh array the generator may reuse
        batch_x = self._transform(batch_x, rng)
        self._save_batch(batch_x, index_array, rng)
        miscs = [xx[index_array] for xx in self.x_misc]
        first = [batch_x] + miscs if miscs else batch_x
        if self.y is None:
            return first
        output = (first, self.y[index_array])
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


def _valid_files(class_dir, formats, follow_links):
    """(root, filename) of the image files under class_dir, sorted by folder
    then name; other files are ignored."""
    suffixes = tuple('.' + f for f in formats)
    walk = sorted(os.walk(class_dir, followlinks=follow_links), key=lambda w: w[0])
    return [(root, f) for root, _, files in walk for f in sorted(files)
            if f.lower().endswith(suffixes)]


class DirectoryIterator(Iterator):
    """Iterator reading images from a directory with one subfolder per class.

    Arguments:
        directory: path of the folder; each subdirectory is a class (nested
            folders inside a class folder belong to that class).
        image_data_generator: the `ImageDataGenerator` that augments batches
            (None: images as decoded).
        target_size: (height, width) every image is resized to.
        color_mode: "grayscale", "rgb" or "rgba".
        classes: optional list of class subdirectory names (the order gives
            the class indices); default all subdirectories, sorted.
        class_mode: "categorical" (one-hot), "binary" (0/1 floats), "sparse"
            (class indices as floats), "input" (targets = images) or None
            (images only).
        batch_size: samples per batch.
        shuffle: whether to shuffle the files at every epoch.
        seed: random seed for shuffling and augmentation.
        data_format: default the generator's (else `K.image_data_format()`).
        save_to_dir: a folder where the augmented images are written, for
            debugging (None: not written).
        save_prefix: the prefix of the saved images' file names.
        save_format: `'png'` or `'jpeg'`, the saved images' format.
        follow_links: whether to follow symbolic links inside class folders.
        subset: "training" or "validation" with the generator's
            validation_split: the first fraction of each class's files (in
            sorted order) is the validation subset.
        interpolation: resampling used to resize ("nearest", "bilinear",
            "bicubic", "lanczos", "box", "hamming").
        dtype: dtype of the batches; default the generator's.

    A file that cannot be decoded is reported once with a UserWarning naming
    it and dropped from its batch (targets stay aligned); a batch whose files
    are all unreadable raises ValueError.
    """
    allowed_class_modes = {'categorical', 'binary', 'sparse', 'input', None}

    def __init__(self, directory, image_data_generator, target_size=(256, 256),
                 color_mode='rgb', classes=None, class_mode='categorical', batch_size=32,
                 shuffle=True, seed=None, data_format=None, save_to_dir=None,
                 save_prefix='', save_format='png', follow_links=False, subset=None,
                 interpolation='nearest', dtype=None):
        name = 'DirectoryIterator'
        self.image_data_generator = image_data_generator
        self.dtype = np.dtype(_generator_setting(image_data_generator, 'dtype', dtype,
                                                 K.floatx)).name
        self.data_format = _check_data_format(_generator_setting(
            image_data_generator, 'data_format', data_format, K.image_data_format), name)
        self.target_size = _check_target_size(target_size, name)
        if color_mode not in _COLOR_MODES:
            raise ValueError('Invalid color mode: %r; expected "rgb", "rgba", or '
                             '"grayscale".' % (color_mode,))
        if class_mode not in self.allowed_class_modes:
            raise ValueError('Invalid class_mode: %r; expected one of: "categorical", '
                             '"binary", "sparse", "input" or None.' % (class_mode,))
        self.color_mode = color_mode
        self.class_mode = class_mode
        self.interpolation = interpolation
        self._resample = _check_interpolation(interpolation, name)
        channels = {'rgb': 3, 'rgba': 4, 'grayscale': 1}[color_mode]
        self.image_shape = self.target_size + (channels,) \
            if self.data_format == 'channels_last' else (channels,) + self.target_size
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        if subset is None:
            self.split = None
        elif subset in ('training', 'validation'):
            vs = float(getattr(image_data_generator, '_validation_split', 0.0) or 0.0)
            self.split = (0.0, vs) if subset == 'validation' else (vs, 1.0)
        else:
            raise ValueError('Invalid subset name: %r; expected "training" or '
                             '"validation"' % (subset,))
        self.subset = subset
        self.directory = directory or ''
        self.follow_links = follow_links
        if not classes:
            classes = [d for d in sorted(os.listdir(directory))
                       if os.path.isdir(os.path.join(directory, d))]
        classes = list(classes)
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        self.filenames = []
        labels = []
        for label, cls in enumerate(classes):
            class_dir = os.path.join(directory, cls)
            files = _valid_files(class_dir, self.white_list_formats, follow_links)
            if self.split is not None:
                start, stop = (int(s * len(files)) for s in self.split)
                files = files[start:stop]
            for root, fname in files:
                rel = os.path.relpath(os.path.join(root, fname), class_dir)
                self.filenames.append(os.path.join(cls, rel))
            labels.extend([label] * len(files))
        self.samples = len(self.filenames)
        self.classes = np.array(labels, dtype='int32')
        print('Found %d images belonging to %d classes.' % (self.samples, self.num_classes))
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        self._bad_files = {}  # path -> Pillow's reason; reported once each
        super(DirectoryIterator, self).__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self):
        """Paths of the image files (directory joined with `filenames`)."""
        return self._filepaths

    @property
    def labels(self):
        return self.classes

    @property
    def sample_weight(self):
        return None

    _get_batches_of_transformed_samples = Iterator._builtin_batches

    def _decode_into(self, batch_x, index_array):
        """Decodes the batch's files into batch_x (compacted: unreadable files
        are skipped). Returns the indices that were read."""
        size_wh = (self.target_size[1], self.target_size[0])
        channels_first = self.data_format == 'channels_first'
        kept = []
        for j in index_array:
            path = self._filepaths[j]
            if path in self._bad_files:
                continue
            try:
                img = _open_image(path, self.color_mode, size_wh, self._resample)
                pixels = np.asarray(img)
                img.close()
            except (MemoryError, KeyboardInterrupt):
                raise
            except Exception as e:  # noqa: BLE001 - Pillow raises many types
                self._report_bad(path, e)
                continue
            if pixels.ndim == 2:
                pixels = pixels[:, :, None]
            out = batch_x[len(kept)]
            out[...] = pixels.transpose(2, 0, 1) if channels_first else pixels
            kept.append(j)
        return np.asarray(kept, dtype=np.intp)

    def _report_bad(self, path, exc):
        with self.lock:
            first = path not in self._bad_files
            self._bad_files[path] = '%s: %s' % (type(exc).__name__, exc)
        if first:
            warnings.warn('DirectoryIterator: cannot read image file %r (%s: %s); it is '
                          'skipped' % (path, type(exc).__name__, exc), UserWarning)

    def _build_batch(self, index_array, rng):
        index_array = np.asarray(index_array)
        batch_x = np.empty((len(index_array),) + self.image_shape, dtype=self.dtype)
        kept = self._decode_into(batch_x, index_array)
        if len(kept) == 0 and len(index_array):
            bad = [self._filepaths[j] for j in index_array]
            raise ValueError('DirectoryIterator: none of the image files of this batch '
                             'could be read: %s' % ', '.join(
                                 '%r (%s)' % (p, self._bad_files.get(p, '?')) for p in bad))
        if len(kept) < len(index_array):
            batch_x = batch_x[:len(kept)]
        batch_x = self._transform(batch_x, rng)
        self._save_batch(batch_x, kept, rng)
        if self.class_mode == 'input':
            batch_y = batch_x.copy()
        elif self.class_mode in ('binary', 'sparse'):
            batch_y = self.classes[kept].astype(self.dtype)
        elif self.class_mode == 'categorical':
            batch_y = np.zeros((len(kept), len(self.class_indices)), dtype=self.dtype)
            batch_y[np.arange(len(kept)), self.classes[kept]] = 1.
        else:
            return batch_x
        return batch_x, batch_y
