"""Every form of every optimizer runs the same rule: the K-op graph, the fused
compiled step, and the fallback taken where the compiled core is missing,
from the same state for several steps, in float32 and float64.

Tolerances: the K-op graph and the fallback are one graph, so they agree
exactly.  The fused kernel does the same operations in the same order and
agrees exactly on GCC x86-64 too, but a compiler may contract a * b + c into
one FMA rounding: float64 within rtol 1e-12, float32 within rtol 2e-6 (a few
ulps after 5 steps)."""
import numpy as np
import pytest

from kback import backend as K
from kback import optimizers
from kback.backend._kernels import optim as kernel_steps

CONFIGS = [
    ('sgd', {'learning_rate': 0.1, 'momentum': 0.9}),
    ('sgd', {'learning_rate': 0.1, 'momentum': 0.9, 'nesterov': True, 'decay': 0.1}),
    ('rmsprop', {'learning_rate': 0.01, 'rho': 0.8}),
    ('adagrad', {'learning_rate': 0.1, 'decay': 0.05}),
    ('adadelta', {}),
    ('adam', {'learning_rate': 0.01}),
    ('adam', {'learning_rate': 0.01, 'amsgrad': True}),
    ('adamax', {'learning_rate': 0.01}),
    ('nadam', {'learning_rate': 0.01}),
]
FUSED = {'sgd', 'rmsprop', 'adagrad', 'adam'}
STEPS = 5
SHAPES = ((6, 5), (5,), (40000,))       # the last one runs on the OpenMP team


def _run(name, kwargs, dtype, form, monkeypatch):
    """Params and optimizer weights after STEPS steps of one form."""
    K.clear_session()
    rng = np.random.RandomState(0)
    params = [K.variable(rng.uniform(-1, 1, s), dtype=dtype) for s in SHAPES]
    targets = [K.constant(rng.uniform(-1, 1, s), dtype=dtype) for s in SHAPES]
    loss = sum(K.sum(K.square(p - t) * (1 + K.abs(t))) for p, t in zip(params, targets))
    opt = optimizers.get({'class_name': name, 'config': dict(kwargs)})
    opt.use_inplace_steps = form != 'K-op'
    with monkeypatch.context() as patch:
        if form == 'fallback':        # as without kback_core
            patch.setattr(kernel_steps, 'AVAILABLE', False)
        updates = opt.get_updates(loss, params)
    fused = sum(u.op == 'optimizer_step' for u in updates)
    assert fused == (len(params) if form == 'fused' and name in FUSED else 0)
    step = K.function([], [loss], updates=updates)
    for _ in range(STEPS):
        step([])
    return K.batch_get_value(params) + opt.get_weights()


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name, kwargs', CONFIGS)
def test_all_forms_agree(name, kwargs, dtype, monkeypatch):
    kop = _run(name, kwargs, dtype, 'K-op', monkeypatch)
    fallback = _run(name, kwargs, dtype, 'fallback', monkeypatch)
    fused = _run(name, kwargs, dtype, 'fused', monkeypatch)
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == 'float64' else dict(rtol=2e-6, atol=1e-7)
    assert len(kop) == len(fallback) == len(fused)
    for i, (a, b, c) in enumerate(zip(kop, fallback, fused)):
        np.testing.assert_array_equal(a, b, err_msg=f'value {i}: K-op vs fallback')
        np.testing.assert_allclose(c, a, err_msg=f'value {i}: fused vs K-op', **tol)
