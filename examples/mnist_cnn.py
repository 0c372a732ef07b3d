"""The main job: a small Keras-2 CNN on MNIST, with the progress bar, the test
score and the learning curves.

Conv2D(32, 3x3, relu) -> MaxPooling2D -> Flatten -> Dense(128, relu) ->
Dense(10, softmax), adam.  By default it trains on the 5,000-digit MNIST sample
shipped with kback (4,000 train / 1,000 test): offline, deterministic, seconds.
`--full` trains on the 60,000 MNIST digits from `kback.datasets.mnist`.

    python examples/mnist_cnn.py [--fast] [--full] [--epochs N]
                                 [--channels-first] [--plot mnist_cnn_history.png]
"""
import argparse

import numpy as np

from kback import backend as K
from kback.data import mnist_sample
from kback.layers import Conv2D, Dense, Flatten, MaxPooling2D
from kback.models import Sequential
from kback.utils import to_categorical

from plot_history import plot_history

batch_size = 64
num_classes = 10
img_rows, img_cols = 28, 28


def main(argv=None):
    parser = argparse.ArgumentParser(description='Train a small CNN on MNIST.')
    parser.add_argument('--fast', action='store_true', help='1 epoch on 1,000 digits')
    parser.add_argument('--full', action='store_true', help='the 60,000-digit MNIST')
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--channels-first', action='store_true')
    parser.add_argument('--plot', default='mnist_cnn_history.png',
                        help="the learning-curve PNG ('' for none)")
    args = parser.parse_args(argv)
    np.random.seed(0)   # the same weights and batch order on every run
    K.set_image_data_format('channels_first' if args.channels_first else 'channels_last')

    if args.full:
        from kback.datasets import mnist
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    else:
        (x_train, y_train), (x_test, y_test) = mnist_sample()
    if args.fast:
        x_train, y_train = x_train[:1000], y_train[:1000]
        args.epochs = 1

    if K.image_data_format() == 'channels_first':
        input_shape = (1, img_rows, img_cols)
    else:
        input_shape = (img_rows, img_cols, 1)
    x_train = x_train.reshape((-1,) + input_shape).astype('float32') / 255
    x_test = x_test.reshape((-1,) + input_shape).astype('float32') / 255
    print('x_train shape:', x_train.shape)
    print(x_train.shape[0], 'train samples')
    print(x_test.shape[0], 'test samples')
    y_train = to_categorical(y_train, num_classes)
    y_test = to_categorical(y_test, num_classes)

    model = Sequential()
    model.add(Conv2D(32, kernel_size=(3, 3), activation='relu', input_shape=input_shape))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Flatten())
    model.add(Dense(128, activation='relu'))
    model.add(Dense(num_classes, activation='softmax'))
    model.summary()

    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=args.epochs,
                        verbose=1, validation_data=(x_test, y_test))
    score = model.evaluate(x_test, y_test, verbose=0)
    print('Test loss:', score[0])
    print('Test accuracy:', score[1])
    if args.plot:
        renderer = plot_history(history, args.plot, title='MNIST CNN')
        print('Learning curves written to %s (%s)' % (args.plot, renderer))
    return score[1]


if __name__ == '__main__':
    main()
