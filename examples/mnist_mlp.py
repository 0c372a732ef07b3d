"""The Keras-2 MNIST MLP: Dense(512, relu) -> Dropout(0.2) -> Dense(10, softmax),
rmsprop, on the 5,000-digit sample shipped with kback (4,000 train / 1,000 test);
`--full` uses the 60,000 digits of `kback.datasets.mnist`.

    python examples/mnist_mlp.py [--fast] [--full] [--epochs N]
"""
import argparse

import numpy as np

from kback.data import mnist_sample
from kback.layers import Dense, Dropout
from kback.models import Sequential
from kback.optimizers import RMSprop
from kback.utils import to_categorical

batch_size = 128
num_classes = 10


def main(argv=None):
    parser = argparse.ArgumentParser(description='Train a 784-512-10 MLP on MNIST.')
    parser.add_argument('--fast', action='store_true', help='1 epoch')
    parser.add_argument('--full', action='store_true', help='the 60,000-digit MNIST')
    parser.add_argument('--epochs', type=int, default=5)
    args = parser.parse_args(argv)
    np.random.seed(0)

    if args.full:
        from kback.datasets import mnist
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    else:
        (x_train, y_train), (x_test, y_test) = mnist_sample()
    epochs = 1 if args.fast else args.epochs

    x_train = x_train.reshape(-1, 784).astype('float32') / 255
    x_test = x_test.reshape(-1, 784).astype('float32') / 255
    print(x_train.shape[0], 'train samples')
    print(x_test.shape[0], 'test samples')
    y_train = to_categorical(y_train, num_classes)
    y_test = to_categorical(y_test, num_classes)

    model = Sequential()
    model.add(Dense(512, activation='relu', input_shape=(784,)))
    model.add(Dropout(0.2))
    model.add(Dense(num_classes, activation='softmax'))
    model.summary()

    model.compile(loss='categorical_crossentropy', optimizer=RMSprop(),
                  metrics=['accuracy'])
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2,
              validation_data=(x_test, y_test))
    score = model.evaluate(x_test, y_test, verbose=0)
    print('Test loss:', score[0])
    print('Test accuracy:', score[1])
    return score[1]


if __name__ == '__main__':
    main()
