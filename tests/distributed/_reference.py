"""Single-process references for the MPI workers."""
import numpy as np

from kback import backend as K
from _models import data, build, optimizer, HALF_BATCH, STEPS


def _fit_2b(kind, opt_name, validation=None):
    x, y = data(kind)
    model = build(kind)
    model.compile(optimizer(opt_name), 'categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(x, y, batch_size=2 * HALF_BATCH, epochs=1, shuffle=False, verbose=0,
                        validation_data=validation)
    return model, history


def _per_half_batch_statistics(kind, opt_name):
    """One process doing what two ranks do: each half batch's gradient (its
    own BatchNormalization statistics), their average, then the update."""
    x, y = data(kind)
    model = build(kind)
    opt = optimizer(opt_name)
    model.compile(opt, 'categorical_crossentropy')
    params = model.trainable_weights
    feeds = list(model.inputs) + list(model.targets) + list(model.sample_weights)
    grads = K.function(feeds, K.gradients(model.total_loss, params))
    fed = [K.placeholder(shape=K.int_shape(p)) for p in params]
    apply = K.function(fed, [], updates=opt.apply_gradients(fed, params))
    ones = np.ones(HALF_BATCH, 'float32')
    for step in range(STEPS):
        halves = [slice((2 * step + r) * HALF_BATCH, (2 * step + r + 1) * HALF_BATCH)
                  for r in (0, 1)]
        g0, g1 = ([np.asarray(g) for g in grads([x[h], y[h], ones])] for h in halves)
        apply([(a + b) / 2 for a, b in zip(g0, g1)])
    return model


def single_process_references():
    results = {}
    for opt_name in ('sgd', 'adam'):
        model, _ = _fit_2b('mlp', opt_name)
        for i, w in enumerate(K.batch_get_value(model.trainable_weights)):
            results[f'mlp_{opt_name}_{i}'] = w
        model = _per_half_batch_statistics('cnn', opt_name)
        for i, w in enumerate(K.batch_get_value(model.trainable_weights)):
            results[f'cnn_{opt_name}_{i}'] = w
        model, _ = _fit_2b('cnn', opt_name)
        for i, w in enumerate(K.batch_get_value(model.trainable_weights)):
            results[f'cnn_{opt_name}_batch2b_{i}'] = w
    xv, yv = data('mlp', n=64, seed=2)
    _, history = _fit_2b('mlp', 'sgd', validation=(xv, yv))
    for k, v in history.history.items():
        results[f'metric_{k}'] = np.array(v)
    return results
