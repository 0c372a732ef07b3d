"""ImageDataGenerator (keras.preprocessing.image, keras_preprocessing 1.1.0).

Keras transforms one image at a time; here `transform_batch` draws every
sample's parameters at once and warps the whole batch in one compiled call.
Keras's per-image methods (get_random_transform, apply_transform,
random_transform, standardize) keep their behaviour, and a subclass that
overrides one of them gets it called per sample, as in Keras.
"""
import numbers
import warnings

import numpy as np

from .. import backend as K
from . import _affine as A

__all__ = ['ImageDataGenerator']

_NOT_FIT = ('This ImageDataGenerator specifies `%s`, but it hasn\'t been fit on any '
            'training data. Fit it first by calling `.fit(numpy_data)`.')


def _draw_shift(rng, spec, size):
    """Keras's shift rule: an int n draws whole pixels from {-(n-1) .. n-1}, a
    1-D array-like draws one of its values with a random sign, a float draws
    uniformly from [-spec, spec).  None of this is scaled yet."""
    if isinstance(spec, (list, tuple, np.ndarray)):
        values = np.asarray(spec, np.float64)
        if values.ndim != 1 or values.size == 0:
            raise ValueError('ImageDataGenerator: a shift range given as a list must be '
                             'a non-empty 1-D sequence, got %r' % (spec,))
        return values[rng.randint(0, values.size, size)] * rng.choice([-1, 1], size)
    if isinstance(spec, numbers.Integral) and spec > 0:
        return rng.randint(0, int(spec), size) * rng.choice([-1, 1], size).astype(np.float64)
    return rng.uniform(-spec, spec, size)


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) and \
        bool(np.isfinite(v))


def _check_arguments(args):
    """The numeric arguments of ImageDataGenerator, checked once where they
    enter (a bad one would fail later, deep in the first batch's transform)."""
    for name in ('rotation_range', 'shear_range', 'channel_shift_range', 'zca_epsilon'):
        if not _is_number(args[name]) or args[name] < 0:
            raise ValueError(f'ImageDataGenerator: `{name}` must be a number >= 0, got '
                             f'{args[name]!r}')
    for name in ('width_shift_range', 'height_shift_range'):
        v = args[name]
        if not (_is_number(v) or isinstance(v, (list, tuple, np.ndarray)) and
                np.ndim(v) == 1 and len(v) and all(_is_number(e) for e in v)):
            raise ValueError(f'ImageDataGenerator: `{name}` must be a number (a fraction of the '
                             'size below 1, else pixels) or a non-empty 1-D list of numbers, '
                             f'got {v!r}')
    zoom = args['zoom_range']
    if not (_is_number(zoom) and 0 <= zoom or isinstance(zoom, (list, tuple, np.ndarray)) and
            np.ndim(zoom) == 1 and len(zoom) == 2 and all(_is_number(e) for e in zoom)):
        raise ValueError('ImageDataGenerator: `zoom_range` must be a number >= 0 or a pair of '
                         f'numbers [lower, upper], got {zoom!r}')
    brightness = args['brightness_range']
    if brightness is not None and not (isinstance(brightness, (tuple, list)) and
                                       len(brightness) == 2 and
                                       all(_is_number(e) for e in brightness)):
        raise ValueError('ImageDataGenerator: `brightness_range` must be None or a tuple or '
                         f'list of two numbers, got {brightness!r}')
    if not _is_number(args['cval']):
        raise ValueError(f'ImageDataGenerator: `cval` must be a number, got {args["cval"]!r}')
    if args['rescale'] is not None and not _is_number(args['rescale']):
        raise ValueError('ImageDataGenerator: `rescale` must be None or a number, got '
                         f'{args["rescale"]!r}')
    split = args['validation_split']
    if not _is_number(split) or not 0 <= split < 1:
        raise ValueError('ImageDataGenerator: `validation_split` must be a fraction in '
                         f'[0, 1), got {split!r}')
    if args['preprocessing_function'] is not None and \
            not callable(args['preprocessing_function']):
        raise ValueError('ImageDataGenerator: `preprocessing_function` must be None or a '
                         f'callable, got {args["preprocessing_function"]!r}')


def _present(v, n):
    """Which of n samples have a value (not None) for a parameter."""
    if v is None:
        return np.zeros(n, bool)
    v = np.asarray(v)
    if v.dtype != object:
        return np.ones(n, bool)
    return np.broadcast_to(np.array([e is not None for e in v.ravel()]), (n,))


class ImageDataGenerator(object):
    """Generates batches of image data with real-time augmentation.

    The iterators it makes (`flow`, `flow_from_directory`) augment whole
    batches at once: every sample's random parameters are drawn together and
    the batch is warped in one compiled call (`K.affine_warp`), sampling as
    Keras's `scipy.ndimage` path does.

    Arguments:
        featurewise_center: set the mean of the data (from `fit`) to 0, per
            channel.
        samplewise_center: set the mean of each sample to 0.
        featurewise_std_normalization: divide the data by its standard
            deviation (from `fit`), per channel.
        samplewise_std_normalization: divide each sample by its standard
            deviation.
        zca_whitening: apply ZCA whitening (from `fit`).
        zca_epsilon: the epsilon of ZCA whitening.
        rotation_range: the largest random rotation, in degrees.
        width_shift_range: the random horizontal shift: a fraction of the
            width (< 1), a number of pixels (>= 1), an int `n` for whole
            pixels in `(-n, n)`, or a list of the allowed values.
        height_shift_range: the random vertical shift, as `width_shift_range`.
        brightness_range: a pair of floats the brightness factor is drawn
            from, or None.
        shear_range: the largest shear angle, in degrees.
        zoom_range: a float `z` for zooms in `[1 - z, 1 + z]`, or a pair
            `[lower, upper]`.
        channel_shift_range: the largest random channel shift.
        fill_mode: how points outside the input are filled: `'constant'`,
            `'nearest'`, `'reflect'` or `'wrap'`.
        cval: the fill value of `'constant'`.
        horizontal_flip: randomly flip inputs horizontally.
        vertical_flip: randomly flip inputs vertically.
        rescale: a factor the data is multiplied by (after the other
            transformations), or None.
        preprocessing_function: a function applied to each input, after
            augmentation: one image (a rank-3 array) in, one image of the same
            shape out.
        data_format: `'channels_last'` or `'channels_first'` (default
            `K.image_data_format()`).
        validation_split: the fraction of the images reserved for validation
            (a float in [0, 1)); the iterators' `subset` picks a side.
        interpolation_order: 0 (nearest neighbour) or 1 (bilinear).
        dtype: the dtype of the batches (default `K.floatx()`).

    Raises:
        ValueError: if an argument is out of range or of the wrong kind.

    Example::

        datagen = ImageDataGenerator(rescale=1. / 255, rotation_range=20,
                                     width_shift_range=0.2, horizontal_flip=True,
                                     validation_split=0.2)
        train = datagen.flow_from_directory('data/', target_size=(64, 64),
                                            subset='training')
        model.fit_generator(train, epochs=10)
    """

    _PER_SAMPLE_METHODS = ('get_random_transform', 'apply_transform', 'random_transform',
                           'standardize')

    def __init__(self,
                 featurewise_center=False,
                 samplewise_center=False,
                 featurewise_std_normalization=False,
                 samplewise_std_normalization=False,
                 zca_whitening=False,
                 zca_epsilon=1e-6,
                 rotation_range=0,
                 width_shift_range=0.,
                 height_shift_range=0.,
                 brightness_range=None,
                 shear_range=0.,
                 zoom_range=0.,
                 channel_shift_range=0.,
                 fill_mode='nearest',
                 cval=0.,
                 horizontal_flip=False,
                 vertical_flip=False,
                 rescale=None,
                 preprocessing_function=None,
                 data_format=None,
                 validation_split=0.0,
                 interpolation_order=1,
                 dtype=None):
        _check_arguments(locals())
        if data_format is None:
            data_format = K.image_data_format()
        if dtype is None:
            dtype = K.floatx()
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = np.dtype(dtype).name
        self.interpolation_order = interpolation_order
        A._check_warp_args(fill_mode, interpolation_order, 'ImageDataGenerator')

        if data_format not in {'channels_last', 'channels_first'}:
            raise ValueError('`data_format` should be `"channels_last"` (channel after row '
                             'and column) or `"channels_first"` (channel before row and '
                             'column). Received: %s' % (data_format,))
        self.data_format = data_format
        if data_format == 'channels_first':
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        self._validation_split = validation_split

        self.mean = None
        self.std = None
        self.principal_components = None

        if np.isscalar(zoom_range):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        else:
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        if zca_whitening:
            if not featurewise_center:
                self.featurewise_center = True
                warnings.warn('This ImageDataGenerator specifies `zca_whitening`, which '
                              'overrides setting of `featurewise_center`.')
            if featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn('This ImageDataGenerator specifies `zca_whitening` which '
                              'overrides setting of `featurewise_std_normalization`.')
        if featurewise_std_normalization:
            if not featurewise_center:
                self.featurewise_center = True
                warnings.warn('This ImageDataGenerator specifies '
                              '`featurewise_std_normalization`, which overrides setting '
                              'of `featurewise_center`.')
        if samplewise_std_normalization:
            if not samplewise_center:
                self.samplewise_center = True
                warnings.warn('This ImageDataGenerator specifies '
                              '`samplewise_std_normalization`, which overrides setting '
                              'of `samplewise_center`.')
        self.brightness_range = brightness_range

    # ------------------------------------------------------------------ iterators
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix='', save_format='png', subset=None):
        """Batches of augmented data from numpy arrays.

        Arguments:
            x: the images, a rank-4 array (or a tuple `(images, misc)` whose other
                arrays are passed along unchanged).
            y: the targets, or None.
            batch_size: samples per batch.
            shuffle: whether to shuffle the samples at every epoch.
            sample_weight: per-sample weights, or None.
            seed: the random seed of the shuffling and augmentation.
            save_to_dir: a folder where the augmented images are written, for
                debugging (None: not written).
            save_prefix: the prefix of the saved images' file names.
            save_format: `'png'` or `'jpeg'`.
            subset: `'training'` or `'validation'`, with `validation_split`.

        Returns:
            A `NumpyArrayIterator` yielding `(x, y)` batches (or `x` alone without
            targets, `(x, y, sample_weight)` with weights).
        """
        from ._image_iterators import NumpyArrayIterator
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle,
                                  sample_weight=sample_weight, seed=seed,
                                  data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format,
                                  subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode='rgb',
                            classes=None, class_mode='categorical', batch_size=32,
                            shuffle=True, seed=None, save_to_dir=None, save_prefix='',
                            save_format='png', follow_links=False, subset=None,
                            interpolation='nearest'):
        """Batches of augmented images read from a folder with a subfolder per class.

        Arguments:
            directory: the folder; each subfolder is a class.
            target_size: `(height, width)`, the size every image is resized to.
            color_mode: `'grayscale'`, `'rgb'` or `'rgba'`.
            classes: a list of class subfolder names (their order gives the class
                indices); default all subfolders, sorted.
            class_mode: `'categorical'` (one-hot), `'binary'`, `'sparse'` (class
                indices), `'input'` (the images themselves) or None (no targets).
            batch_size: images per batch.
            shuffle: whether to shuffle the files at every epoch.
            seed: the random seed of the shuffling and augmentation.
            save_to_dir: a folder where the augmented images are written, for
                debugging (None: not written).
            save_prefix: the prefix of the saved images' file names.
            save_format: `'png'` or `'jpeg'`.
            follow_links: whether to follow symbolic links inside class folders.
            subset: `'training'` or `'validation'`, with `validation_split`.
            interpolation: the resampling used to resize (`'nearest'`,
                `'bilinear'`, `'bicubic'`, `'lanczos'`, `'box'`, `'hamming'`).

        Returns:
            A `DirectoryIterator` yielding `(x, y)` batches.
        """
        from ._image_iterators import DirectoryIterator
        return DirectoryIterator(directory, self, target_size=target_size,
                                 color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, data_format=self.data_format,
                                 batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, follow_links=follow_links,
                                 subset=subset, interpolation=interpolation,
                                 dtype=self.dtype)

    # -------------------------------------------------------------- normalisation
    def standardize(self, x):
        """Applies the normalization options to an image or a batch.

        In order: `preprocessing_function`, `rescale`, sample-wise centring and
        scaling (over all of `x`), feature-wise centring and scaling, ZCA
        whitening. `x` is changed in place where possible.

        Arguments:
            x: an image or a batch, as a numpy array.

        Returns:
            The normalized array.
        """
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= (np.std(x, keepdims=True) + 1e-6)
        return self._featurewise(x)

    def _featurewise(self, x):
        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean
            else:
                warnings.warn(_NOT_FIT % 'featurewise_center')
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= (self.std + 1e-6)
            else:
                warnings.warn(_NOT_FIT % 'featurewise_std_normalization')
        if self.zca_whitening:
            if self.principal_components is not None:
                flatx = np.reshape(x, (-1, np.prod(x.shape[-3:])))
                x = np.reshape(np.dot(flatx, self.principal_components), x.shape)
            else:
                warnings.warn(_NOT_FIT % 'zca_whitening')
        return x

    def _standardize_batch(self, x):
        """`standardize` with each sample treated as Keras's iterators do (one
        image at a time), vectorised over the batch."""
        if self.preprocessing_function and len(x):
            x = np.stack([self.preprocessing_function(xi) for xi in x]).astype(
                x.dtype, copy=False)
        if self.rescale:
            x *= self.rescale
        axes = tuple(range(1, x.ndim))
        if self.samplewise_center:
            x -= np.mean(x, axis=axes, keepdims=True)
        if self.samplewise_std_normalization:
            x /= (np.std(x, axis=axes, keepdims=True) + 1e-6)
        return self._featurewise(x)

    # ------------------------------------------------------------ random transforms
    def get_random_transform(self, img_shape, seed=None):
        """Random transformation parameters for one image.

        They are drawn from numpy's global random state, in Keras's order.

        Arguments:
            img_shape: the image's shape.
            seed: a seed to set first, or None.

        Returns:
            A dict with `theta`, `tx` (rows), `ty` (columns), `shear`, `zx`, `zy`,
            `flip_horizontal`, `flip_vertical`, `channel_shift_intensity` and
            `brightness`.
        """
        if seed is not None:
            np.random.seed(seed)
        rnd = np.random.mtrand._rand
        theta = rnd.uniform(-self.rotation_range, self.rotation_range) \
            if self.rotation_range else 0
        tx = ty = 0
        if self.height_shift_range:
            tx = float(_draw_shift(rnd, self.height_shift_range, None))
            if np.max(self.height_shift_range) < 1:
                tx *= img_shape[self.row_axis - 1]
        if self.width_shift_range:
            ty = float(_draw_shift(rnd, self.width_shift_range, None))
            if np.max(self.width_shift_range) < 1:
                ty *= img_shape[self.col_axis - 1]
        shear = rnd.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = rnd.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (rnd.random_sample() < 0.5) * self.horizontal_flip
        flip_vertical = (rnd.random_sample() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = rnd.uniform(-self.channel_shift_range,
                                                  self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = rnd.uniform(self.brightness_range[0], self.brightness_range[1])
        return {'theta': theta, 'tx': tx, 'ty': ty, 'shear': shear, 'zx': zx, 'zy': zy,
                'flip_horizontal': flip_horizontal, 'flip_vertical': flip_vertical,
                'channel_shift_intensity': channel_shift_intensity,
                'brightness': brightness}

    def apply_transform(self, x, transform_parameters):
        """Applies transformation parameters to one image.

        In Keras's order: the affine warp, the channel shift, the horizontal and
        vertical flips, the brightness.

        Arguments:
            x: one image, a rank-3 array in this generator's data format.
            transform_parameters: a dict as `get_random_transform` returns.

        Returns:
            The transformed image.

        Raises:
            ValueError: if `x` is not of rank 3.
        """
        x = np.asarray(x)
        if x.ndim != 3:
            raise ValueError('ImageDataGenerator.apply_transform expects one image of '
                             'rank 3, got shape %s' % (x.shape,))
        params = {k: [v] for k, v in transform_parameters.items()}
        return self._apply_batch(x[None], params, keep_int=True)[0]

    def random_transform(self, x, seed=None):
        """One image randomly transformed.

        Arguments:
            x: one image, a rank-3 array.
            seed: a seed to set first, or None.

        Returns:
            The transformed image.
        """
        params = self.get_random_transform(x.shape, seed)
        return self.apply_transform(x, params)

    def _random_params(self, n, img_shape, rng):
        """Per-sample parameter arrays for n images, drawn from `rng` at once."""
        h, w = img_shape[self.row_axis - 1], img_shape[self.col_axis - 1]
        p = {}
        p['theta'] = rng.uniform(-self.rotation_range, self.rotation_range, n) \
            if self.rotation_range else np.zeros(n)
        for key, spec, size in (('tx', self.height_shift_range, h),
                                ('ty', self.width_shift_range, w)):
            v = np.zeros(n)
            if spec:
                v = _draw_shift(rng, spec, n)
                if np.max(spec) < 1:
                    v = v * size
            p[key] = v
        p['shear'] = rng.uniform(-self.shear_range, self.shear_range, n) \
            if self.shear_range else np.zeros(n)
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            p['zx'] = p['zy'] = np.ones(n)
        else:
            z = rng.uniform(self.zoom_range[0], self.zoom_range[1], (n, 2))
            p['zx'], p['zy'] = z[:, 0], z[:, 1]
        for key, on in (('flip_horizontal', self.horizontal_flip),
                        ('flip_vertical', self.vertical_flip)):
            p[key] = rng.random_sample(n) < 0.5 if on else np.zeros(n, bool)
        p['channel_shift_intensity'] = None
        if self.channel_shift_range != 0:
            p['channel_shift_intensity'] = rng.uniform(-self.channel_shift_range,
                                                       self.channel_shift_range, n)
        p['brightness'] = None
        if self.brightness_range is not None:
            p['brightness'] = rng.uniform(self.brightness_range[0],
                                          self.brightness_range[1], n)
        return p

    def _apply_batch(self, x, params, keep_int=False):
        """Applies per-sample parameter lists/arrays (missing keys neutral, None
        entries skipped) to the batch x: one warp with the flips folded in, then
        the channel shift and the brightness, vectorised."""
        n = len(x)

        def arr(key, neutral, dtype=np.float64):
            v = params.get(key)
            if v is None:
                return np.full(n, neutral, dtype)
            v = np.asarray(v)
            if v.dtype == object:           # per-sample entries, some None
                v = np.array([neutral if e is None else e for e in v.ravel()])
            return np.broadcast_to(v.astype(dtype, copy=False), (n,))

        geo = [arr('theta', 0.), arr('tx', 0.), arr('ty', 0.), arr('shear', 0.),
               arr('zx', 1.), arr('zy', 1.)]
        fh, fv = arr('flip_horizontal', False, bool), arr('flip_vertical', False, bool)
        moved = (geo[0] != 0) | (geo[1] != 0) | (geo[2] != 0) | (geo[3] != 0) | \
            (geo[4] != 1) | (geo[5] != 1) | fh | fv
        if moved.any():
            h, w = x.shape[self.row_axis], x.shape[self.col_axis]
            mats = A.batch_matrices(h, w, *geo, flip_horizontal=fh, flip_vertical=fv, n=n)
            warped = A._affine_warp(x, mats, self.fill_mode, self.cval,
                                    self.interpolation_order, self.data_format)
            if keep_int and np.issubdtype(x.dtype, np.integer):
                info = np.iinfo(x.dtype)
                warped = np.clip(np.rint(warped), info.min, info.max).astype(x.dtype)
            x = warped
        axes = tuple(range(1, x.ndim))
        has = _present(params.get('channel_shift_intensity'), n)
        if has.any():
            s = arr('channel_shift_intensity', 0.).reshape((n,) + (1,) * (x.ndim - 1))
            lo = np.min(x, axis=axes, keepdims=True)
            hi = np.max(x, axis=axes, keepdims=True)
            x = np.clip(x + s, lo, hi)
        has = _present(params.get('brightness'), n)
        if has.any():
            out = A.brightness_batch(x[has], arr('brightness', 1.)[has], self.channel_axis)
            if has.all():
                x = out
            else:
                x = x.astype(np.result_type(x.dtype, np.float32))
                x[has] = out
        return x

    # ------------------------------------------------------------------- batches
    def _overridden(self, name):
        return getattr(type(self), name) is not getattr(ImageDataGenerator, name)

    def _augment_batch(self, x, rng):
        """Random transforms (no normalisation) of a batch, each sample's drawn
        from rng; per sample through the overridden methods of a subclass."""
        if self._overridden('get_random_transform') or self._overridden('apply_transform') \
                or self._overridden('random_transform'):
            if rng is not np.random.mtrand._rand:
                # Keras's per-image methods draw from the global state; seed it
                # from rng so seeded iterators stay reproducible.
                np.random.seed(rng.randint(0, 2 ** 31 - 1))
            out = np.empty_like(x)
            for i in range(len(x)):
                if self._overridden('random_transform') and not (
                        self._overridden('get_random_transform') or
                        self._overridden('apply_transform')):
                    out[i] = self.random_transform(x[i])
                else:
                    params = self.get_random_transform(x[i].shape)
                    out[i] = self.apply_transform(x[i], params)
            return out
        params = self._random_params(len(x), x.shape[1:], rng)
        out = self._apply_batch(x, params)
        return out.astype(x.dtype, copy=False)

    def transform_batch(self, x, rng):
        """A batch randomly transformed, then standardized (kback's own).

        What the iterators call. A subclass that overrides the per-image methods
        (`random_transform`, `standardize`, ...) gets them called per sample, as in
        Keras.

        Arguments:
            x: a rank-4 batch of this generator's dtype and data format (its memory
                may be reused).
            rng: a `numpy.random.RandomState` the parameters are drawn from (None:
                numpy's global state).

        Returns:
            The transformed batch.

        Raises:
            ValueError: if `x` is not of rank 4.
        """
        x = np.asarray(x)
        if rng is None:
            rng = np.random.mtrand._rand
        if x.ndim != 4:
            raise ValueError('ImageDataGenerator.transform_batch expects a batch of rank 4, '
                             'got shape %s' % (x.shape,))
        x = self._augment_batch(x, rng)
        if self._overridden('standardize'):
            for i in range(len(x)):
                x[i] = self.standardize(x[i])
            return x
        return self._standardize_batch(x)

    # ----------------------------------------------------------------------- fit
    def fit(self, x, augment=False, rounds=1, seed=None):
        """Computes the statistics the feature-wise options need from sample data.

        The per-channel `mean` and `std` (shaped to broadcast against one image)
        and the ZCA `principal_components`.

        Arguments:
            x: sample data, a rank-4 array.
            augment: whether to compute them over randomly augmented copies.
            rounds: the number of augmented copies, with `augment`.
            seed: the random seed of the augmentation.

        Raises:
            ValueError: if `x` is not of rank 4.
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError('Input to `.fit()` should have rank 4. '
                             'Got array with shape: ' + str(x.shape))
        if x.shape[self.channel_axis] not in {1, 3, 4}:
            warnings.warn(
                'Expected input to be images (as Numpy array) following the data format '
                'convention "' + self.data_format + '" (channels on axis ' +
                str(self.channel_axis) + '), i.e. expected either 1, 3 or 4 channels on '
                'axis ' + str(self.channel_axis) + '. However, it was passed an array '
                'with shape ' + str(x.shape) + ' (' + str(x.shape[self.channel_axis]) +
                ' channels).')
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if augment:
            rng = np.random.mtrand._rand
            x = np.concatenate([self._augment_batch(x.copy(), rng)
                                for _ in range(rounds)]).astype(self.dtype, copy=False)

        broadcast_shape = [1, 1, 1]
        broadcast_shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.mean(x, axis=(0, self.row_axis, self.col_axis))
            self.mean = np.reshape(self.mean, broadcast_shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(x, axis=(0, self.row_axis, self.col_axis))
            self.std = np.reshape(self.std, broadcast_shape)
            x /= (self.std + 1e-6)
        if self.zca_whitening:
            from scipy import linalg
            flat_x = np.reshape(x, (x.shape[0], x.shape[1] * x.shape[2] * x.shape[3]))
            sigma = np.dot(flat_x.T, flat_x) / flat_x.shape[0]
            u, s, _ = linalg.svd(sigma)
            s_inv = 1. / np.sqrt(s[np.newaxis] + self.zca_epsilon)
            self.principal_components = (u * s_inv).dot(u.T)
