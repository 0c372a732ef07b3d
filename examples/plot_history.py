"""Learning curves from a Keras History with `kback.utils.plot_history`: one
panel per quantity (loss, accuracy, ...), training and validation curves per
epoch, written to a PNG.

    from kback.utils import plot_history
    history = model.fit(x, y, validation_data=(x_val, y_val), epochs=5)
    plot_history(history, 'history.png')

matplotlib draws the chart when it is installed; otherwise Pillow (a kback
dependency) draws a plain one of the same size, so a PNG is always written.

On its own this script trains a small MLP on the shipped MNIST sample and plots it,
or plots a history saved as JSON (`json.dump(history.history, f)`):

    python examples/plot_history.py [--fast] [--pillow] [--out PATH] [history.json]
"""
import argparse
import json

from kback.utils import plot_history


def main(argv=None):
    parser = argparse.ArgumentParser(description='Plot learning curves to a PNG.')
    parser.add_argument('history', nargs='?', help='a JSON file of history.history')
    parser.add_argument('--out', default='history.png')
    parser.add_argument('--pillow', action='store_true', help='draw with Pillow')
    parser.add_argument('--fast', action='store_true', help='2 epochs on 1,000 digits')
    args = parser.parse_args(argv)
    if args.history:
        with open(args.history) as f:
            history = json.load(f)
    else:
        from kback.data import mnist_sample
        from kback.layers import Dense
        from kback.models import Sequential

        (x_train, y_train), (x_test, y_test) = mnist_sample()
        n = 1000 if args.fast else len(x_train)
        x_train, y_train = x_train[:n].reshape(-1, 784) / 255., y_train[:n]
        x_test = x_test.reshape(-1, 784) / 255.
        model = Sequential([Dense(64, activation='relu', input_shape=(784,)),
                            Dense(10, activation='softmax')])
        model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
                      metrics=['accuracy'])
        history = model.fit(x_train, y_train, epochs=2 if args.fast else 5, verbose=2,
                            validation_data=(x_test, y_test))
    renderer = plot_history(history, args.out, renderer='pillow' if args.pillow else None)
    print('learning curves written to %s (%s)' % (args.out, renderer))
    return {'path': args.out, 'renderer': renderer,
            'history': getattr(history, 'history', history)}


if __name__ == '__main__':
    main()
