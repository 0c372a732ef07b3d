"""Optimizers against a numpy computation of one and several steps, through
both the fused in-place path and the composed K-op path."""
import numpy as np
import pytest

from kback import backend as K
from kback import optimizers

# -- a numpy oracle of the Keras 2.3 formulas ------------------------------------------

DEFAULTS = {
    'sgd': dict(learning_rate=0.01, momentum=0.0, nesterov=False, decay=0.0),
    'rmsprop': dict(learning_rate=0.001, rho=0.9, decay=0.0),
    'adagrad': dict(learning_rate=0.01, decay=0.0),
    'adadelta': dict(learning_rate=1.0, rho=0.95, decay=0.0),
    'adam': dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, amsgrad=False, decay=0.0),
    'adamax': dict(learning_rate=0.002, beta_1=0.9, beta_2=0.999, decay=0.0),
    'nadam': dict(learning_rate=0.002, beta_1=0.9, beta_2=0.999, schedule_decay=0.004),
}


class NumpyOptimizer:
    """Keras 2.3's update rules written out in float64 numpy."""

    def __init__(self, name, kwargs, shapes):
        self.name = name
        self.c = dict(DEFAULTS[name], epsilon=K.epsilon())
        self.c.update(kwargs)
        self.it = 0
        self.m_schedule = 1.0
        self.s = [[np.zeros(shape) for shape in shapes] for _ in range(3)]

    def step(self, params, grads):
        c, it = self.c, self.it
        if c.get('clipnorm', 0) > 0:
            norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
            if norm >= c['clipnorm']:
                grads = [g * c['clipnorm'] / norm for g in grads]
        if c.get('clipvalue', 0) > 0:
            grads = [np.clip(g, -c['clipvalue'], c['clipvalue']) for g in grads]
        lr = c['learning_rate'] / (1 + c.get('decay', 0) * it)
        eps, t = c['epsilon'], it + 1
        out = []
        if self.name == 'nadam':
            b1, sd = c['beta_1'], c['schedule_decay']
            cache_t = b1 * (1 - 0.5 * 0.96 ** (t * sd))
            cache_t1 = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * sd))
            ms_new = self.m_schedule * cache_t
            ms_next = ms_new * cache_t1
            self.m_schedule = ms_new
        for i, (p, g) in enumerate(zip(params, grads)):
            s0, s1, s2 = self.s[0][i], self.s[1][i], self.s[2][i]
            if self.name == 'sgd':
                mu = c['momentum']
                v = mu * s0 - lr * g
                self.s[0][i] = v
                p = p + mu * v - lr * g if c['nesterov'] else p + v
            elif self.name in ('rmsprop', 'adagrad'):
                if self.name == 'adagrad':
                    a = s0 + g ** 2
                else:
                    a = c['rho'] * s0 + (1 - c['rho']) * g ** 2
                self.s[0][i] = a
                p = p - lr * g / (np.sqrt(a) + eps)
            elif self.name == 'adadelta':
                rho = c['rho']
                a = rho * s0 + (1 - rho) * g ** 2
                upd = g * np.sqrt(s1 + eps) / np.sqrt(a + eps)
                self.s[0][i], self.s[1][i] = a, rho * s1 + (1 - rho) * upd ** 2
                p = p - lr * upd
            elif self.name in ('adam', 'adamax'):
                b1, b2 = c['beta_1'], c['beta_2']
                m = b1 * s0 + (1 - b1) * g
                if self.name == 'adamax':
                    u = np.maximum(b2 * s1, np.abs(g))
                    p = p - lr / (1 - b1 ** t) * m / (u + eps)
                    self.s[0][i], self.s[1][i] = m, u
                else:
                    v = b2 * s1 + (1 - b2) * g ** 2
                    lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                    denom = v
                    if c['amsgrad']:
                        denom = self.s[2][i] = np.maximum(s2, v)
                    self.s[0][i], self.s[1][i] = m, v
                    p = p - lr_t * m / (np.sqrt(denom) + eps)
            else:   # nadam
                b1, b2 = c['beta_1'], c['beta_2']
                m = b1 * s0 + (1 - b1) * g
                v = b2 * s1 + (1 - b2) * g ** 2
                m_bar = (1 - cache_t) * g / (1 - ms_new) + cache_t1 * m / (1 - ms_next)
                self.s[0][i], self.s[1][i] = m, v
                p = p - c['learning_rate'] * m_bar / (np.sqrt(v / (1 - b2 ** t)) + eps)
            out.append(p)
        self.it += 1
        return out


# -- the problem: loss = 0.5 * sum((p - target)^2) over two params, grad = p - target ----

def _problem(dtype, shapes=((4, 3), (3,)), seed=0):
    rng = np.random.RandomState(seed)
    init = [rng.uniform(-1, 1, s) for s in shapes]
    targets = [rng.uniform(-1, 1, s) for s in shapes]
    params = [K.variable(v, dtype=dtype, name=f'p{i}') for i, v in enumerate(init)]
    loss = sum(0.5 * K.sum(K.square(p - K.constant(t, dtype=dtype)))
               for p, t in zip(params, targets))
    return params, loss, init, targets


def _run(name, kwargs, steps, inplace, dtype='float32', shapes=((4, 3), (3,))):
    params, loss, init, targets = _problem(dtype, shapes)
    opt = optimizers.get({'class_name': name, 'config': dict(kwargs)})
    opt.use_inplace_steps = inplace
    f = K.function([], [loss], updates=opt.get_updates(loss, params))
    ref = NumpyOptimizer(name, kwargs, [np.shape(v) for v in init])
    values = [v.copy() for v in init]
    for _ in range(steps):
        f([])
        values = ref.step(values, [v - t for v, t in zip(values, targets)])
    return opt, params, values, ref


CONFIGS = [
    ('sgd', {}), ('sgd', {'learning_rate': 0.3, 'momentum': 0.9}),
    ('sgd', {'learning_rate': 0.3, 'momentum': 0.9, 'nesterov': True}),
    ('sgd', {'learning_rate': 0.2, 'momentum': 0.5, 'decay': 0.1}),
    ('sgd', {'learning_rate': 0.5, 'clipnorm': 0.5}),
    ('rmsprop', {}), ('rmsprop', {'learning_rate': 0.01, 'rho': 0.8, 'decay': 0.05,
                                  'epsilon': 1e-3, 'clipvalue': 0.3}),
    ('adagrad', {}), ('adagrad', {'learning_rate': 0.1, 'decay': 0.2}),
    ('adadelta', {}), ('adadelta', {'rho': 0.9, 'decay': 0.01, 'clipnorm': 0.4}),
    ('adam', {}), ('adam', {'learning_rate': 0.01, 'amsgrad': True}),
    ('adam', {'learning_rate': 0.05, 'beta_1': 0.8, 'decay': 0.1, 'clipvalue': 0.2}),
    ('adamax', {}), ('adamax', {'learning_rate': 0.01, 'decay': 0.1}),
    ('nadam', {}), ('nadam', {'learning_rate': 0.01, 'schedule_decay': 0.01, 'clipnorm': 0.3}),
]


@pytest.mark.parametrize('steps', [1, 4])
@pytest.mark.parametrize('inplace', [True, False], ids=['inplace', 'composed'])
@pytest.mark.parametrize('name,kwargs', CONFIGS)
def test_steps_match_numpy(name, kwargs, inplace, steps):
    opt, params, expected, ref = _run(name, kwargs, steps, inplace)
    for p, want in zip(params, expected):
        np.testing.assert_allclose(K.get_value(p), want, rtol=2e-5, atol=2e-6)
    assert K.get_value(opt.iterations) == steps
    # The state the optimizer keeps matches the oracle's too (iterations first).
    weights = opt.get_weights()
    assert weights[0] == steps and weights[0].dtype == np.int64
    n = len(params)
    slots = weights[2:] if name == 'nadam' else weights[1:]
    for kind in range(len(slots) // n):
        for i in range(n):
            got = slots[kind * n + i]
            if got.shape == ref.s[kind][i].shape:
                np.testing.assert_allclose(got, ref.s[kind][i], rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize('name,kwargs', [c for c in CONFIGS if 'clip' not in str(c[1])])
def test_float64_params_match_tightly(name, kwargs):
    K.set_floatx('float64')
    for inplace in (True, False):
        K.clear_session()
        _, params, expected, _ = _run(name, kwargs, 3, inplace, dtype='float64')
        for p, want in zip(params, expected):
            np.testing.assert_allclose(K.get_value(p), want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name', ['sgd', 'rmsprop', 'adagrad', 'adam'])
def test_large_params_use_threads_and_both_paths_agree(name, dtype):
    K.set_num_threads(2)
    K.set_floatx(dtype)     # hyperparameters in the params' precision
    shapes = ((150, 130), (130,))      # above the size where the kernel goes parallel
    kwargs = {'learning_rate': 0.05, 'momentum': 0.9} if name == 'sgd' else {}
    values = []
    for inplace in (True, False):
        K.clear_session()
        _, params, expected, _ = _run(name, kwargs, 3, inplace, dtype=dtype, shapes=shapes)
        values.append([K.get_value(p) for p in params])
        if dtype == 'float64':
            # (float32 is ill-conditioned here: g/(sqrt(a)+eps) where g ~ 0)
            np.testing.assert_allclose(values[-1][0], expected[0], rtol=1e-12, atol=1e-14)
    for a, b in zip(*values):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
