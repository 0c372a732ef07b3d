"""Small models and data shared by the MPI workers (deterministic weights)."""
import numpy as np

from kback import backend as K
from kback import layers, models, optimizers

STEPS, HALF_BATCH = 20, 8          # 20 steps; batch b per rank, 2b in one process


def data(kind, n=STEPS * 2 * HALF_BATCH, seed=1):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(n, 8) if kind == 'mlp' else (n, 8, 8, 1)).astype('float32')
    y = np.eye(3, dtype='float32')[rng.randint(0, 3, n)]
    return x, y


def build(kind, seed=0, units=16):
    if kind == 'mlp':
        model = models.Sequential([layers.Dense(units, activation='relu', input_shape=(8,)),
                                   layers.Dense(3, activation='softmax')])
    else:
        model = models.Sequential([layers.Conv2D(4, 3, input_shape=(8, 8, 1)),
                                   layers.BatchNormalization(), layers.Activation('relu'),
                                   layers.MaxPooling2D(), layers.Flatten(),
                                   layers.Dense(3, activation='softmax')])
    rng = np.random.RandomState(seed)
    K.batch_set_value([(w, rng.normal(scale=0.3, size=K.int_shape(w)).astype('float32'))
                       for w in model.trainable_weights])
    return model


def optimizer(name, lr=None):
    if name == 'sgd':
        return optimizers.SGD(lr or 0.05, momentum=0.9)
    return optimizers.Adam(lr or 0.01)
