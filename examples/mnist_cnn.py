"""The small Keras-2 CNN: Conv2D(32, 3x3, relu) -> MaxPooling2D -> Flatten ->
Dense(128, relu) -> Dense(10, softmax), adam, on the shipped MNIST sample.

    python examples/mnist_cnn.py [--fast] [--channels-first]
"""
import sys

from kback import backend as K
from kback.data import mnist_sample
from kback.layers import Conv2D, Dense, Flatten, MaxPooling2D
from kback.models import Sequential
from kback.utils import to_categorical


def main(argv=()):
    fast = '--fast' in argv
    data_format = 'channels_first' if '--channels-first' in argv else 'channels_last'
    K.set_image_data_format(data_format)
    (x_train, y_train), (x_test, y_test) = mnist_sample()
    shape = (1, 28, 28) if data_format == 'channels_first' else (28, 28, 1)
    x_train = x_train.reshape((-1,) + shape).astype('float32') / 255
    x_test = x_test.reshape((-1,) + shape).astype('float32') / 255
    y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)

    model = Sequential([Conv2D(32, (3, 3), activation='relu', input_shape=shape),
                        MaxPooling2D((2, 2)),
                        Flatten(),
                        Dense(128, activation='relu'),
                        Dense(10, activation='softmax')])
    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(x_train, y_train, batch_size=64, epochs=1 if fast else 5, verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f'test loss {loss:.4f} - test accuracy {accuracy:.4f}')
    return accuracy


if __name__ == '__main__':
    main(sys.argv[1:])
