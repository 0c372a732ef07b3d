"""Keras 2.3's image preprocessing page: ImageDataGenerator.flow, the manual
loop, flow_from_directory, images and masks with the same seed, fit."""
import os

import numpy as np
import pytest
from PIL import Image

from kback.layers import Conv2D, Flatten, Dense, GlobalAveragePooling2D
from kback.models import Sequential
from kback.preprocessing.image import (ImageDataGenerator, load_img, img_to_array,
                                       array_to_img, save_img)
from kback.utils import to_categorical


def _classifier(shape, n_out=2, activation='softmax', loss='categorical_crossentropy'):
    model = Sequential([Conv2D(2, (3, 3), input_shape=shape), GlobalAveragePooling2D(),
                        Dense(n_out, activation=activation)])
    model.compile('sgd', loss, metrics=['accuracy'])
    return model


def test_flow_example_with_fit_and_manual_loop():
    x_train = np.random.random((40, 8, 8, 3)).astype('float32') * 255
    y_train = to_categorical(np.random.randint(2, size=40), 2)
    datagen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                                 rotation_range=20, width_shift_range=0.2,
                                 height_shift_range=0.2, horizontal_flip=True)
    datagen.fit(x_train)
    assert datagen.mean.shape == (1, 1, 3) and datagen.std.shape == (1, 1, 3)
    np.testing.assert_allclose(datagen.mean.ravel(), x_train.mean(axis=(0, 1, 2)), rtol=1e-4)
    model = _classifier((8, 8, 3))
    hist = model.fit_generator(datagen.flow(x_train, y_train, batch_size=32),
                               steps_per_epoch=len(x_train) / 32, epochs=2, verbose=0)
    assert len(hist.history['loss']) == 2
    batches = 0
    seen = 0
    for x_batch, y_batch in datagen.flow(x_train, y_train, batch_size=32):
        model.fit(x_batch, y_batch, verbose=0)
        seen += len(x_batch)
        batches += 1
        if batches >= len(x_train) / 32:
            break
    assert batches == 2 and seen == 40
    flow = datagen.flow(x_train, y_train, batch_size=32)
    assert len(flow) == 2
    xb, yb = flow[1]
    assert xb.shape == (8, 8, 8, 3) and yb.shape == (8, 2)


def test_flow_with_sample_weight_and_no_labels():
    x = np.random.random((10, 4, 4, 1))
    y = np.arange(10)
    w = np.linspace(0, 1, 10)
    gen = ImageDataGenerator().flow(x, y, sample_weight=w, batch_size=5, shuffle=False)
    xb, yb, wb = gen[0]
    np.testing.assert_array_equal(yb, y[:5])
    np.testing.assert_allclose(wb, w[:5])
    only_x = ImageDataGenerator().flow(x, batch_size=4, shuffle=False)
    out = next(only_x)
    assert isinstance(out, np.ndarray) and out.shape == (4, 4, 4, 1)
    with pytest.raises(ValueError):
        ImageDataGenerator().flow(np.random.random((10, 4, 4)), y)


def _write_class_dirs(root, classes, n, size=(12, 10), mode='RGB'):
    for c in classes:
        os.makedirs(os.path.join(root, c), exist_ok=True)
        for i in range(n):
            arr = (np.random.random((size[1], size[0], 3)) * 255).astype('uint8')
            img = Image.fromarray(arr).convert(mode)
            img.save(os.path.join(root, c, f'{c}_{i}.png'))


def test_flow_from_directory_example(tmp_path):
    train_dir = str(tmp_path / 'train')
    val_dir = str(tmp_path / 'validation')
    _write_class_dirs(train_dir, ['cats', 'dogs'], 6)
    _write_class_dirs(val_dir, ['cats', 'dogs'], 2)
    train_datagen = ImageDataGenerator(rescale=1. / 255, shear_range=0.2, zoom_range=0.2,
                                       horizontal_flip=True)
    test_datagen = ImageDataGenerator(rescale=1. / 255)
    train_generator = train_datagen.flow_from_directory(
        train_dir, target_size=(15, 15), batch_size=4, class_mode='binary')
    validation_generator = test_datagen.flow_from_directory(
        val_dir, target_size=(15, 15), batch_size=4, class_mode='binary')
    assert train_generator.samples == 12 and train_generator.n == 12
    assert train_generator.class_indices == {'cats': 0, 'dogs': 1}
    assert train_generator.num_classes == 2
    assert sorted(set(train_generator.classes.tolist())) == [0, 1]
    assert len(train_generator.filenames) == 12
    assert train_generator.filenames[0] == os.path.join('cats', 'cats_0.png')
    xb, yb = train_generator[0]
    assert xb.shape == (4, 15, 15, 3) and yb.shape == (4,)
    assert xb.max() <= 1. and xb.dtype == np.float32
    model = _classifier((15, 15, 3), 1, 'sigmoid', 'binary_crossentropy')
    hist = model.fit_generator(train_generator, steps_per_epoch=3, epochs=2,
                               validation_data=validation_generator, validation_steps=1,
                               verbose=0)
    assert set(hist.history) == {'loss', 'accuracy', 'val_loss', 'val_accuracy'}
    cat = test_datagen.flow_from_directory(val_dir, target_size=(15, 15), batch_size=4,
                                           color_mode='grayscale', class_mode='categorical')
    xb, yb = next(cat)
    assert xb.shape == (4, 15, 15, 1) and yb.shape == (4, 2)
    sparse = test_datagen.flow_from_directory(val_dir, target_size=(15, 15), batch_size=4,
                                              class_mode='sparse', shuffle=False)
    _, yb = sparse[0]
    np.testing.assert_array_equal(yb, [0, 0, 1, 1])


def test_images_and_masks_with_same_seed(tmp_path):
    images = np.random.random((6, 10, 10, 1)).astype('float32')
    masks = images.copy()
    data_gen_args = dict(rotation_range=90, width_shift_range=0.1, height_shift_range=0.1,
                         zoom_range=0.2)
    image_datagen = ImageDataGenerator(**data_gen_args)
    mask_datagen = ImageDataGenerator(**data_gen_args)
    seed = 1
    image_datagen.fit(images, augment=True, seed=seed)
    mask_datagen.fit(masks, augment=True, seed=seed)
    image_generator = image_datagen.flow(images, batch_size=3, seed=seed)
    mask_generator = mask_datagen.flow(masks, batch_size=3, seed=seed)
    train_generator = zip(image_generator, mask_generator)
    for _ in range(3):
        xb, mb = next(train_generator)
        np.testing.assert_allclose(xb, mb)
    # Same with directories (class_mode=None yields images only).
    for name in ('images', 'masks'):
        _write_class_dirs(str(tmp_path / name), ['all'], 4)
    img_gen = image_datagen.flow_from_directory(str(tmp_path / 'images'), class_mode=None,
                                                seed=seed, target_size=(8, 8), batch_size=2)
    msk_gen = mask_datagen.flow_from_directory(str(tmp_path / 'masks'), class_mode=None,
                                               seed=seed, target_size=(8, 8), batch_size=2)
    xb, mb = next(zip(img_gen, msk_gen))
    assert xb.shape == mb.shape == (2, 8, 8, 3)
    assert img_gen.index_array is None or np.array_equal(img_gen.index_array,
                                                         msk_gen.index_array)


def test_datagen_fit_zca_and_standardize():
    x = np.random.random((20, 4, 4, 1)).astype('float32')
    gen = ImageDataGenerator(featurewise_center=True, zca_whitening=True)
    gen.fit(x)
    assert gen.principal_components.shape == (16, 16)
    out = gen.standardize(x[0].copy())
    assert out.shape == (4, 4, 1)
    gen = ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True)
    out = gen.standardize(x[0].copy())
    np.testing.assert_allclose(out.mean(), 0, atol=1e-5)
    with pytest.raises(ValueError):
        ImageDataGenerator(featurewise_center=True).fit(np.random.random((4, 4, 4)))


def test_random_transform_and_apply_transform():
    gen = ImageDataGenerator(horizontal_flip=True)
    x = np.arange(12, dtype='float32').reshape(2, 2, 3)
    np.testing.assert_array_equal(gen.apply_transform(x, {'flip_horizontal': True}),
                                  x[:, ::-1])
    params = gen.get_random_transform(x.shape, seed=3)
    assert 'flip_horizontal' in params and 'theta' in params
    out = gen.random_transform(x, seed=3)
    assert out.shape == x.shape


def test_image_io(tmp_path):
    arr = (np.random.random((6, 5, 3)) * 255).astype('float32').round()
    img = array_to_img(arr, scale=False)
    assert img.size == (5, 6)
    path = str(tmp_path / 'a.png')
    save_img(path, arr, scale=False)
    loaded = load_img(path)
    np.testing.assert_array_equal(img_to_array(loaded), arr)
    gray = load_img(path, color_mode='grayscale', target_size=(3, 4))
    assert img_to_array(gray).shape == (3, 4, 1)
    assert img_to_array(loaded, data_format='channels_first').shape == (3, 6, 5)
