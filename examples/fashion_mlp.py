"""A 300-100-10 MLP classifying clothes (Fashion-MNIST), in the style of the
Keras-2 tutorials: Flatten -> Dense(300, relu) -> Dense(100, relu) ->
Dense(10, softmax), sparse_categorical_crossentropy, plain SGD, a validation
set carved off the training set.

Fashion-MNIST is used when it is already in kback's download cache (fetch it
once with `python -c "from kback.datasets import fashion_mnist; fashion_mnist.load_data()"`
or run with `--download`); otherwise the digits sample shipped with kback stands
in, with a note, so the default run never waits on the network.

    python examples/fashion_mlp.py [--fast] [--download] [--epochs N]
"""
import argparse
import os

import numpy as np

from kback.data import mnist_sample
from kback.layers import Dense, Flatten
from kback.models import Sequential

FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
                   'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
FASHION_FILES = ['train-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz',
                 't10k-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz']


def fashion_in_cache():
    """True when the four Fashion-MNIST files are in the download cache
    (get_file's default: $KBACK_HOME or ~/.kback, then datasets/fashion-mnist)."""
    home = os.environ.get('KBACK_HOME') or os.path.join(os.path.expanduser('~'), '.kback')
    folder = os.path.join(home, 'datasets', 'fashion-mnist')
    return all(os.path.exists(os.path.join(folder, f)) for f in FASHION_FILES)


def load_data(download=False):
    """((x_train, y_train), (x_test, y_test)) and the class names."""
    if download or fashion_in_cache():
        from kback.datasets import fashion_mnist
        return fashion_mnist.load_data(), FASHION_CLASSES
    print('Note: Fashion-MNIST is not in the download cache (run with --download to '
          'fetch it); training on the MNIST digits shipped with kback instead.')
    return mnist_sample(), [str(d) for d in range(10)]


def main(argv=None):
    parser = argparse.ArgumentParser(description='Train a 300-100-10 MLP on Fashion-MNIST.')
    parser.add_argument('--fast', action='store_true', help='1 epoch (on 12,000 images '
                        'when Fashion-MNIST is used)')
    parser.add_argument('--download', action='store_true', help='fetch Fashion-MNIST')
    parser.add_argument('--epochs', type=int, default=10)
    args = parser.parse_args(argv)
    np.random.seed(42)

    ((x_train_full, y_train_full), (x_test, y_test)), class_names = load_data(args.download)
    n_valid = len(x_train_full) // 12            # 5,000 of Fashion-MNIST's 60,000
    if args.fast:
        x_train_full, y_train_full = x_train_full[:12000], y_train_full[:12000]
        args.epochs = 1
    x_valid, x_train = x_train_full[:n_valid] / 255.0, x_train_full[n_valid:] / 255.0
    y_valid, y_train = y_train_full[:n_valid], y_train_full[n_valid:]
    x_test = x_test / 255.0

    model = Sequential()
    model.add(Flatten(input_shape=[28, 28]))
    model.add(Dense(300, activation='relu'))
    model.add(Dense(100, activation='relu'))
    model.add(Dense(10, activation='softmax'))
    model.summary()

    model.compile(loss='sparse_categorical_crossentropy', optimizer='sgd',
                  metrics=['accuracy'])
    history = model.fit(x_train, y_train, epochs=args.epochs, verbose=2,
                        validation_data=(x_valid, y_valid))
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print('Test loss:', test_loss)
    print('Test accuracy:', test_accuracy)

    x_new = x_test[:3]
    y_proba = model.predict(x_new)
    print('Class probabilities of 3 test images:')
    print(y_proba.round(2))
    y_pred = model.predict_classes(x_new)
    print('Predicted:', [class_names[i] for i in y_pred],
          '- true:', [class_names[i] for i in y_test[:3]])
    return {'accuracy': test_accuracy, 'history': history.history,
            'classes': class_names}


if __name__ == '__main__':
    main()
