"""A denoising convolutional autoencoder: MNIST digits with Gaussian noise in,
the clean digits out (a 4-D output trained with `mse`), as Keras 2's
mnist_denoising_autoencoder.py.

    Input (28, 28, 1) -> Conv2D(16, stride 2) -> Conv2D(32, stride 2)   encoder: 7x7x32
    -> Conv2DTranspose(32, stride 2) -> Conv2DTranspose(16, stride 2)  decoder: 28x28x16
    -> Conv2D(1)                                                        the clean image

trained on the shipped MNIST sample (`--full`: the 60,000 digits of
`kback.datasets.mnist`).  The output is linear: with a sigmoid, mse's
gradient fades as the pixels go dark, and a short run settles on the black
image (the mostly-zero mean digit).  The score is the mean squared error
between the denoised test digits and the clean ones, beside that of the
noisy inputs.

    python examples/conv_autoencoder.py [--fast] [--full] [--epochs N] [--noise 0.5]
"""
import argparse

import numpy as np

from kback import backend as K
from kback.data import mnist_sample
from kback.layers import Conv2D, Conv2DTranspose, Input
from kback.models import Model


def denoising_autoencoder(input_shape):
    inputs = Input(shape=input_shape, name='noisy')
    x = Conv2D(16, 3, strides=2, padding='same', activation='relu', name='enc_conv1')(inputs)
    x = Conv2D(32, 3, strides=2, padding='same', activation='relu', name='enc_conv2')(x)
    x = Conv2DTranspose(32, 3, strides=2, padding='same', activation='relu',
                        name='dec_deconv1')(x)
    x = Conv2DTranspose(16, 3, strides=2, padding='same', activation='relu',
                        name='dec_deconv2')(x)
    outputs = Conv2D(1, 3, padding='same', name='clean')(x)
    return Model(inputs, outputs, name='denoising_autoencoder')


def add_noise(images, level, rng):
    """Gaussian noise of standard deviation `level`, clipped to [0, 1]."""
    return np.clip(images + rng.normal(0., level, images.shape), 0., 1.).astype('float32')


def main(argv=None):
    parser = argparse.ArgumentParser(description='A denoising conv autoencoder on MNIST.')
    parser.add_argument('--fast', action='store_true', help='2 epochs on 2,000 digits')
    parser.add_argument('--full', action='store_true', help='the 60,000-digit MNIST')
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--noise', type=float, default=0.5)
    args = parser.parse_args(argv)
    np.random.seed(1)
    rng = np.random.RandomState(2)

    if args.full:
        from kback.datasets import mnist
        (x_train, _), (x_test, _) = mnist.load_data()
    else:
        (x_train, _), (x_test, _) = mnist_sample()
    if args.fast:
        x_train, x_test, args.epochs = x_train[:2000], x_test[:500], 2
    x_train = x_train[..., np.newaxis].astype('float32') / 255
    x_test = x_test[..., np.newaxis].astype('float32') / 255
    if K.image_data_format() == 'channels_first':
        x_train, x_test = x_train.transpose(0, 3, 1, 2), x_test.transpose(0, 3, 1, 2)
    noisy_train, noisy_test = add_noise(x_train, args.noise, rng), add_noise(x_test,
                                                                            args.noise, rng)

    model = denoising_autoencoder(x_train.shape[1:])
    model.summary()
    model.compile(optimizer='adam', loss='mse')
    history = model.fit(noisy_train, x_train, epochs=args.epochs, batch_size=32,
                        validation_data=(noisy_test, x_test), verbose=2)

    denoised = np.clip(model.predict(noisy_test), 0., 1.)
    mse = float(np.mean((denoised - x_test) ** 2))
    noisy_mse = float(np.mean((noisy_test - x_test) ** 2))
    print(f'Test MSE of the noisy inputs:    {noisy_mse:.4f}')
    print(f'Test MSE of the denoised images: {mse:.4f}')
    return {'mse': mse, 'noisy_mse': noisy_mse, 'history': history.history,
            'shape': denoised.shape}


if __name__ == '__main__':
    main()
