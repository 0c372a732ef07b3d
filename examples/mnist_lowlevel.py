"""Train a 784-128-10 network on the shipped MNIST sample with the backend alone:
K.placeholder, K ops, K.gradients and K.function(updates=...) — the Keras-2
low-level training loop (`--optimizer adam`: the update ops come from a Keras
optimizer's get_updates, as inside Model.compile).

    python examples/mnist_lowlevel.py [--epochs 5] [--fast] [--full]
"""
import argparse
import time

import numpy as np

from kback import backend as K
from kback import optimizers
from kback.data import mnist_sample


def glorot(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--epochs', type=int, default=5)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--lr', type=float, default=0.1)
    parser.add_argument('--fast', action='store_true', help='one epoch (for tests)')
    parser.add_argument('--full', action='store_true', help='the 60,000-digit MNIST')
    parser.add_argument('--optimizer', default=None,
                        help="e.g. 'adam': updates from optimizer.get_updates instead "
                             "of the hand-written SGD step")
    args = parser.parse_args(argv)

    if args.full:
        from kback.datasets import mnist
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    else:
        (x_train, y_train), (x_test, y_test) = mnist_sample()
    x_train = x_train.reshape(-1, 784).astype('float32') / 255
    x_test = x_test.reshape(-1, 784).astype('float32') / 255
    if args.fast:
        args.epochs = 1

    rng = np.random.RandomState(0)
    w1, b1 = K.variable(glorot(rng, 784, 128), name='w1'), K.zeros((128,), name='b1')
    w2, b2 = K.variable(glorot(rng, 128, 10), name='w2'), K.zeros((10,), name='b2')
    params = [w1, b1, w2, b2]

    x = K.placeholder((None, 784), name='images')
    labels = K.placeholder((None,), dtype='int32', name='labels')
    probs = K.softmax(K.dot(K.relu(K.dot(x, w1) + b1), w2) + b2)
    loss = K.mean(K.sparse_categorical_crossentropy(labels, probs))
    accuracy = K.mean(K.cast(K.equal(K.cast(K.argmax(probs), 'int32'), labels), 'float32'))
    if args.optimizer is None:
        grads = K.gradients(loss, params)
        updates = [K.update_sub(p, args.lr * g) for p, g in zip(params, grads)]
    else:   # what Model.compile does: the optimizer builds the update ops
        updates = optimizers.get(args.optimizer).get_updates(loss=loss, params=params)
    train = K.function([x, labels], [loss, accuracy], updates=updates)
    test = K.function([x, labels], [loss, accuracy])

    start = time.perf_counter()
    for epoch in range(args.epochs):
        order = rng.permutation(len(x_train))
        losses = []
        for i in range(0, len(order), args.batch_size):
            batch = order[i:i + args.batch_size]
            losses.append(train([x_train[batch], y_train[batch]])[0])
        test_loss, test_acc = test([x_test, y_test])
        print(f'epoch {epoch + 1}/{args.epochs} - train loss {np.mean(losses):.4f} - '
              f'test loss {test_loss:.4f} - test accuracy {test_acc:.4f}')
    print(f'trained in {time.perf_counter() - start:.1f}s; test accuracy {test_acc:.4f}')
    return float(test_acc)


if __name__ == '__main__':
    main()
