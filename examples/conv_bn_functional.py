"""A Conv-BatchNorm network in the Keras-2 functional API:

    Input -> ZeroPadding2D -> [Conv2D -> BatchNormalization -> Activation('relu')
    -> MaxPooling2D] x 2 -> Flatten -> Dense(10, softmax) -> Model

trained on the shipped MNIST sample (`--full`: the 60,000 digits of
`kback.datasets.mnist`).  BatchNormalization normalises with the batch's
statistics while training and with its moving averages in evaluate/predict.

    python examples/conv_bn_functional.py [--fast] [--full] [--epochs N]
"""
import argparse

import numpy as np

from kback import backend as K
from kback.data import mnist_sample
from kback.layers import (Activation, BatchNormalization, Conv2D, Dense, Flatten, Input,
                          MaxPooling2D, ZeroPadding2D)
from kback.models import Model


def DigitModel(input_shape):
    """Builds the model: names as in the Keras tutorials (conv0, bn0, ...).
    momentum=0.9 (default 0.99): a few hundred steps then wash the initial
    moving variance of 1 out of the averages, so evaluate() sees the real one."""
    channel_axis = 1 if K.image_data_format() == 'channels_first' else -1
    X_input = Input(input_shape)
    X = ZeroPadding2D((2, 2))(X_input)                       # 28x28 -> 32x32

    X = Conv2D(16, (5, 5), strides=(1, 1), name='conv0')(X)  # -> 28x28
    X = BatchNormalization(axis=channel_axis, momentum=0.9, name='bn0')(X)
    X = Activation('relu')(X)
    X = MaxPooling2D((2, 2), name='max_pool0')(X)           # -> 14x14

    X = Conv2D(32, (3, 3), padding='same', name='conv1')(X)
    X = BatchNormalization(axis=channel_axis, momentum=0.9, name='bn1')(X)
    X = Activation('relu')(X)
    X = MaxPooling2D((2, 2), name='max_pool1')(X)           # -> 7x7

    X = Flatten()(X)
    X = Dense(10, activation='softmax', name='fc')(X)
    return Model(inputs=X_input, outputs=X, name='DigitModel')


def main(argv=None):
    parser = argparse.ArgumentParser(description='A Conv-BN functional model on MNIST.')
    parser.add_argument('--fast', action='store_true', help='1 epoch on 2,000 digits')
    parser.add_argument('--full', action='store_true', help='the 60,000-digit MNIST')
    parser.add_argument('--epochs', type=int, default=3)
    args = parser.parse_args(argv)
    np.random.seed(1)

    if args.full:
        from kback.datasets import mnist
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    else:
        (x_train, y_train), (x_test, y_test) = mnist_sample()
    if args.fast:
        x_train, y_train = x_train[:2000], y_train[:2000]
        args.epochs = 1
    x_train = x_train[..., np.newaxis].astype('float32') / 255
    x_test = x_test[..., np.newaxis].astype('float32') / 255
    if K.image_data_format() == 'channels_first':
        x_train, x_test = x_train.transpose(0, 3, 1, 2), x_test.transpose(0, 3, 1, 2)

    model = DigitModel(x_train.shape[1:])
    model.summary()
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    model.fit(x=x_train, y=y_train, epochs=args.epochs, batch_size=32, verbose=2)

    preds = model.evaluate(x=x_test, y=y_test, verbose=0)
    print('Loss = ' + str(preds[0]))
    print('Test Accuracy = ' + str(preds[1]))
    moving_mean = model.get_layer('bn0').get_weights()[2]
    print('bn0 moving mean of the 16 channels:', np.round(moving_mean, 3))
    return preds[1]


if __name__ == '__main__':
    main()
