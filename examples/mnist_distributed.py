"""The MNIST MLP of mnist_mlp.py, trained data-parallel over MPI with
kback.distributed (Horovod's Keras recipe), on the 5,000-digit sample shipped
with kback:

    mpiexec -n 2 python examples/mnist_distributed.py [--fast] [--epochs N]

Each rank trains on its own share of every epoch (kd.shard), the gradients
are averaged across ranks inside each step (DistributedOptimizer), the
learning rate is scaled by the number of ranks after a warm-up, and only rank
0 prints the progress bar and writes the checkpoint.  Under plain `python`
it runs as a world of one process.
"""
import argparse
import os

from kback import backend as K
from kback.callbacks import ModelCheckpoint
from kback.data import mnist_sample
from kback.layers import Dense, Dropout
from kback.models import Sequential
from kback.optimizers import RMSprop
from kback.utils import to_categorical
import kback.distributed as kd

batch_size = 64       # per rank
num_classes = 10


def main(argv=None):
    parser = argparse.ArgumentParser(description='Train an MNIST MLP on several processes.')
    parser.add_argument('--fast', action='store_true',
                        help='2 epochs (the first warms the learning rate up)')
    parser.add_argument('--epochs', type=int, default=4)
    parser.add_argument('--checkpoint', help='save the model here after each epoch (rank 0)')
    args = parser.parse_args(argv)
    kd.init()
    # The node's cores, shared among the ranks running on it.
    K.set_num_threads(max(1, (os.cpu_count() or 1) // kd.local_size()))

    (x_train, y_train), (x_test, y_test) = mnist_sample()
    x_train = x_train.reshape(-1, 784).astype('float32') / 255
    x_test = x_test.reshape(-1, 784).astype('float32') / 255
    y_train = to_categorical(y_train, num_classes)
    y_test = to_categorical(y_test, num_classes)

    model = Sequential([Dense(512, activation='relu', input_shape=(784,)), Dropout(0.2),
                        Dense(num_classes, activation='softmax')])
    # The global batch is size() times larger: so is the learning rate.
    model.compile(kd.DistributedOptimizer(RMSprop(0.001 * kd.size())),
                  'categorical_crossentropy', metrics=['accuracy'])
    callbacks = [kd.BroadcastGlobalVariablesCallback(0),   # the same start on every rank
                 kd.MetricAverageCallback(),                # logs over all ranks' data
                 kd.LearningRateWarmupCallback(warmup_epochs=1, verbose=1)]
    if args.checkpoint:
        callbacks.append(ModelCheckpoint(args.checkpoint))  # written by rank 0 only
    epochs = 2 if args.fast else args.epochs
    model.fit(kd.shard(x_train, y_train, batch_size=batch_size, seed=0), epochs=epochs,
              shuffle=False, verbose=1, callbacks=callbacks,
              validation_data=kd.shard(x_test, y_test, batch_size=batch_size, shuffle=False))

    # Each rank scores its share of the test set; the average is the whole score.
    loss, accuracy = model.evaluate(x_test[kd.rank()::kd.size()],
                                    y_test[kd.rank()::kd.size()], verbose=0)
    accuracy = float(kd.allreduce(accuracy))
    if kd.rank() == 0:
        print(f'Test accuracy: {accuracy:.4f} ({kd.size()} ranks)')
    return accuracy


if __name__ == '__main__':
    main()
