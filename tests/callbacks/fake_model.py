"""A stand-in for a Model: exactly the surface the callbacks use."""
import numpy as np

from kback import backend as K


class FakeOptimizer(object):
    def __init__(self, lr):
        self.lr = K.variable(lr, name='lr')


class FakeModel(object):
    def __init__(self, lr=0.01):
        self.stop_training = False
        self.optimizer = FakeOptimizer(lr)
        self.weights = [np.zeros((2, 2)), np.zeros(3)]
        self.saved = []  # (kind, path)

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        assert [w.shape for w in weights] == [w.shape for w in self.weights]
        self.weights = [np.array(w) for w in weights]

    def mark(self, value):
        """Make the weights identify the epoch they came from."""
        self.weights = [np.full_like(w, value) for w in self.weights]

    def save(self, path, overwrite=True):
        self.saved.append(('model', path))
        with open(path, 'w') as f:
            f.write('model')

    def save_weights(self, path, overwrite=True):
        self.saved.append(('weights', path))
        with open(path, 'w') as f:
            f.write('weights')

    def lr(self):
        return float(K.get_value(self.optimizer.lr))


def attach(callback, model=None, **params):
    model = model or FakeModel()
    callback.set_model(model)
    defaults = {'verbose': 0, 'epochs': 1, 'steps': None, 'samples': 10, 'batch_size': 5,
                'do_validation': True, 'metrics': ['loss', 'acc', 'val_loss', 'val_acc']}
    defaults.update(params)
    callback.set_params(defaults)
    return model
