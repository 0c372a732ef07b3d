"""The Keras-2 MNIST MLP: Dense(512, relu) -> Dense(10, softmax), rmsprop,
on the 5,000-digit sample shipped with kback (4,000 train / 1,000 test).

    python examples/mnist_mlp.py [--fast]
"""
import sys

from kback.data import mnist_sample
from kback.layers import Dense, Dropout
from kback.models import Sequential
from kback.utils import to_categorical


def main(argv=()):
    fast = '--fast' in argv
    (x_train, y_train), (x_test, y_test) = mnist_sample()
    x_train = x_train.reshape(-1, 784).astype('float32') / 255
    x_test = x_test.reshape(-1, 784).astype('float32') / 255
    y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)

    model = Sequential([Dense(512, activation='relu', input_shape=(784,)),
                        Dropout(0.2),
                        Dense(10, activation='softmax')])
    model.summary()
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    model.fit(x_train, y_train, batch_size=128, epochs=1 if fast else 5, verbose=2,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f'test loss {loss:.4f} - test accuracy {accuracy:.4f}')
    return accuracy


if __name__ == '__main__':
    main(sys.argv[1:])
