"""Training from a folder of image files, Keras-2 style: ImageDataGenerator
reads one subfolder per class with flow_from_directory, augments the training
images with random shifts, splits off a validation subset, and feeds
fit_generator from two worker threads.

By default it first writes the shipped MNIST digits as PNG and JPEG files into
class folders (digits/0, digits/1, ...) under a temporary folder; give a folder
of class subfolders to train on your own images instead:

    python examples/image_directory.py [--fast] [--epochs N] [--size 28] [DIRECTORY]
"""
import argparse
import os
import random
import shutil
import tempfile

import numpy as np

from kback.data import mnist_sample
from kback.layers import Conv2D, Dense, Flatten, MaxPooling2D
from kback.models import Sequential
from kback.preprocessing.image import ImageDataGenerator, save_img

batch_size = 32


def write_digit_folders(directory, images, labels):
    """Saves each 28x28 digit as directory/<label>/<index>.png (or .jpg for
    every third one: flow_from_directory reads both)."""
    for label in np.unique(labels):
        os.makedirs(os.path.join(directory, str(label)), exist_ok=True)
    for i, (image, label) in enumerate(zip(images, labels)):
        ext = 'jpg' if i % 3 == 2 else 'png'
        path = os.path.join(directory, str(label), '%05d.%s' % (i, ext))
        save_img(path, image[:, :, np.newaxis], scale=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description='Train a CNN on a folder of images.')
    parser.add_argument('directory', nargs='?', help='a folder with one subfolder per class')
    parser.add_argument('--fast', action='store_true', help='1 epoch on 2,000 digits')
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--size', type=int, default=28, help='images are resized to this')
    args = parser.parse_args(argv)
    np.random.seed(0)   # weights
    random.seed(0)      # fit_generator(workers>0) shuffles the batch order with `random`

    temporary = None
    (x_train, y_train), (x_test, y_test) = mnist_sample()
    if args.fast:
        (x_train, y_train), args.epochs = (x_train[:2000], y_train[:2000]), 1
    if args.directory:
        directory = args.directory
    else:
        temporary = tempfile.mkdtemp(prefix='kback_digits_')
        directory = os.path.join(temporary, 'digits')
        write_digit_folders(directory, x_train, y_train)
        print('Wrote %d digits as PNG/JPEG files into %s/<class>/' % (len(x_train), directory))
    try:
        return _train(directory, args, None if args.directory else (x_test, y_test))
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


def _train(directory, args, test_data):
    target_size = (args.size, args.size)
    # Augment the training images only: the validation generator has the same
    # validation_split, so its 'validation' subset is the same 20% of each class.
    train_datagen = ImageDataGenerator(rescale=1. / 255, width_shift_range=0.1,
                                       height_shift_range=0.1, validation_split=0.2)
    test_datagen = ImageDataGenerator(rescale=1. / 255, validation_split=0.2)
    train_generator = train_datagen.flow_from_directory(
        directory, target_size=target_size, color_mode='grayscale',
        batch_size=batch_size, class_mode='categorical', subset='training', seed=1)
    validation_generator = test_datagen.flow_from_directory(
        directory, target_size=target_size, color_mode='grayscale',
        batch_size=batch_size, class_mode='categorical', subset='validation', shuffle=False)
    print('Classes:', train_generator.class_indices)

    model = Sequential()
    model.add(Conv2D(16, (3, 3), activation='relu', input_shape=target_size + (1,)))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Conv2D(32, (3, 3), activation='relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Flatten())
    model.add(Dense(64, activation='relu'))
    model.add(Dense(train_generator.num_classes, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])

    model.fit_generator(train_generator,
                        steps_per_epoch=len(train_generator),
                        epochs=args.epochs,
                        validation_data=validation_generator,
                        validation_steps=len(validation_generator),
                        workers=2, verbose=2)
    loss, accuracy = model.evaluate_generator(validation_generator, workers=2)
    print('Validation loss: %.4f - validation accuracy: %.4f' % (loss, accuracy))
    if test_data is None:
        return accuracy
    # The held-out test digits, straight from memory: flow() on arrays.
    x_test, y_test = test_data
    test_generator = ImageDataGenerator(rescale=1. / 255).flow(
        x_test[:, :, :, np.newaxis], np.eye(10)[y_test], batch_size=batch_size, shuffle=False)
    loss, accuracy = model.evaluate_generator(test_generator)
    print('Test loss: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return accuracy


if __name__ == '__main__':
    main()
