"""Built-in optimizers (Keras 2.3 API and update formulas).

The base class owns the loop over parameters, gradient clipping, time-based
learning-rate decay and the optimizer's state (`weights`).  Each optimizer
states its per-parameter rule once, in two forms side by side: `_update`
writes it with K ops (it runs anywhere and is differentiable), and `_fused`,
where a compiled kernel has the rule, names that kernel's rule, slots and
scalars, so the step runs as one in-place pass (K.optimizer_step).  The base
takes the fused form where the kernel covers the parameter and the K-op form
everywhere else (no kback_core, float16, constraints).
`get_updates(loss, params)`, which the engine calls to build the train step,
runs three stages: `get_gradients`, `average_gradients` (the identity here;
kback.distributed.DistributedOptimizer averages across processes there) and
`apply_gradients(grads, params)`.  A step built another way calls the same
three in the same order.
"""
import numpy as np

from . import backend as K
from .utils.generic_utils import serialize_keras_object, deserialize_keras_object


def clip_norm(g, c, n):
    """A gradient scaled by `c / n` when the global norm `n` reaches `c`.

    Arguments:
        g: the gradient tensor.
        c: the clipping norm (no clipping when <= 0).
        n: the global norm of all gradients (a tensor).

    Returns:
        A tensor.
    """
    if c <= 0:
        return g
    return K.switch(K.greater_equal(n, c), g * c / n, g)


class Optimizer(object):
    """Base class of the optimizers.

    The base owns the loop over the parameters, gradient clipping, the
    time-based learning-rate decay and the optimizer's state (`weights`); each
    optimizer states its per-parameter update rule once. The learning rate and
    the other hyperparameters are K variables, so `K.set_value` (and callbacks
    such as `LearningRateScheduler`) change a compiled training step.

    Arguments:
        clipnorm: a float >= 0; the gradients are scaled down together when
            their global L2 norm exceeds it.
        clipvalue: a float >= 0; each gradient is clipped to
            `[-clipvalue, clipvalue]`.

    Raises:
        TypeError: on an unknown keyword argument.
        ValueError: if `clipnorm` or `clipvalue` is negative.
    """

    # Per-parameter state, in the order its variables appear in `weights`.
    _slot_kinds = ()
    # Whether an optimizer may use its fused in-place step (set to False on an
    # instance to force the K-op form).
    use_inplace_steps = True
    # What a Keras 2.2.4 weight list lacks: 'iterations' or 'm_schedule'.
    _legacy_missing = None

    def __init__(self, **kwargs):
        allowed_kwargs = {'clipnorm', 'clipvalue'}
        for k in kwargs:
            if k not in allowed_kwargs:
                raise TypeError('Unexpected keyword argument passed to optimizer: ' + str(k))
            if kwargs[k] < 0:
                raise ValueError(f'Expected {k} >= 0, received: {kwargs[k]}')
        self.__dict__.update(kwargs)
        self.updates = []
        self.weights = []

    def _init_hyper(self, kwargs, learning_rate, decay=True, epsilon=True, **hyper):
        """Makes the learning rate, decay and `hyper` K.variables (as Keras does,
        so K.set_value on them changes a compiled step) and pops `lr`, `decay`
        and `epsilon` from kwargs."""
        learning_rate = kwargs.pop('lr', learning_rate)
        if decay:
            self.initial_decay = kwargs.pop('decay', 0.0)
        if epsilon:
            eps = kwargs.pop('epsilon', None)
            self.epsilon = K.epsilon() if eps is None else eps
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.learning_rate = K.variable(learning_rate, name='learning_rate')
        for name, value in hyper.items():
            setattr(self, name, K.variable(value, name=name))
        if decay:
            self.decay = K.variable(self.initial_decay, name='decay')
        return kwargs

    @property
    def lr(self):
        """The learning rate variable (Keras 2.2's name for `learning_rate`)."""
        # Keras 2.2 name, still what callbacks read.
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        self.learning_rate = value

    # -- gradients and updates -----------------------------------------------------

    def get_gradients(self, loss, params):
        """The gradients of `loss` with respect to `params`, clipped as configured.

        Arguments:
            loss: a scalar tensor.
            params: a list of variables.

        Returns:
            A list of gradient tensors.

        Raises:
            ValueError: if a parameter has no gradient (the loss does not depend
                on it differentiably).
        """
        grads = K.gradients(loss, params)
        if any(g is None for g in grads):
            missing = [p.name for p, g in zip(params, grads) if g is None]
            raise ValueError('An operation has `None` for gradient (for ' + ', '.join(missing) +
                             '). Please make sure that all of your ops have a gradient defined '
                             '(i.e. are differentiable). Common ops without gradient: '
                             'K.argmax, K.round, K.eval.')
        if getattr(self, 'clipnorm', 0) > 0:
            norm = K.sqrt(sum([K.sum(K.square(g)) for g in grads]))
            grads = [clip_norm(g, self.clipnorm, norm) for g in grads]
        if getattr(self, 'clipvalue', 0) > 0:
            grads = [K.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def get_updates(self, loss, params):
        """The update ops of one training step on `loss`: `get_gradients`, then
        `average_gradients`, then `apply_gradients`.

        Arguments:
            loss: a scalar tensor.
            params: a list of variables.

        Returns:
            A list of update ops, for a `K.function`'s `updates`.

        Example::

            updates = optimizer.get_updates(loss, model.trainable_weights)
            step = K.function(inputs, [loss], updates=updates)
        """
        grads = self.get_gradients(loss, params)
        return self.apply_gradients(self.average_gradients(grads, params), params)

    def average_gradients(self, grads, params):
        """The gradients that the updates apply: those of this process (data-
        parallel optimizers average them across processes here).

        Arguments:
            grads: the gradient tensors, one per parameter.
            params: the variables.

        Returns:
            A list of gradient tensors.
        """
        return grads

    def apply_gradients(self, grads, params):
        """The update ops that apply given gradients to the parameters.

        Gradients can thus be changed between `get_gradients` and this step (for
        example averaged across processes).

        Arguments:
            grads: a list of tensors shaped like `params`.
            params: a list of variables.

        Returns:
            A list of update ops (the iteration counter's first).

        Raises:
            ValueError: if the two lists differ in length.
        """
        params, grads = list(params), list(grads)
        if len(params) != len(grads):
            raise ValueError(f'{type(self).__name__}: {len(grads)} gradients for '
                             f'{len(params)} parameters')
        slots = {kind: [self._make_slot(kind, p, i) for i, p in enumerate(params)]
                 for kind in self._slot_kinds}
        self.weights = [self.iterations] + self._extra_weights() + \
            [s for kind in self._slot_kinds for s in slots[kind]]
        self.updates = [K.update_add(self.iterations, 1)]
        shared = self._prepare(self._decayed_lr())
        for i, (p, g) in enumerate(zip(params, grads)):
            state = [slots[kind][i] for kind in self._slot_kinds]
            step = self._fused_step(p, g, state, shared)
            if step is not None:
                self.updates.append(step)
                continue
            new_p, new_state = self._update(p, g, state, shared)
            self.updates.extend(K.update(var, value) for var, value in new_state)
            if getattr(p, 'constraint', None) is not None:
                new_p = p.constraint(new_p)
            self.updates.append(K.update(p, new_p))
        return self.updates

    def _decayed_lr(self):
        lr = self.learning_rate
        if getattr(self, 'initial_decay', 0) > 0:
            lr = lr * (1. / (1. + self.decay * K.cast(self.iterations, K.dtype(self.decay))))
        return lr

    def _make_slot(self, kind, p, i):
        return K.zeros(K.int_shape(p), dtype=K.dtype(p), name=f'{kind}_{i}')

    def _extra_weights(self):
        """State variables between `iterations` and the slots (Nadam's schedule)."""
        return []

    def _prepare(self, lr):
        """Scalars shared by every parameter's update in one step."""
        return {'lr': lr}

    def _update(self, p, g, state, shared):
        """(new value of p, [(slot variable, new value), ...]) from K ops."""
        raise NotImplementedError

    def _fused(self, state, shared):
        """The same rule as a compiled in-place step: (rule, slots, scalars,
        options) for K.optimizer_step, or None where no kernel has it."""
        return None

    def _fused_step(self, p, g, state, shared):
        """The in-place step node for p, or None where the K-op form must run:
        no fused form, a constraint (it needs the whole new value), or
        variables the compiled step does not cover."""
        if not self.use_inplace_steps or getattr(p, 'constraint', None) is not None:
            return None
        fused = self._fused(state, shared)
        if fused is None:
            return None
        rule, slots, scalars, options = fused
        if not K.optimizer_step_covers(rule, p, slots):
            return None
        return K.optimizer_step(rule, p, slots, g, scalars, **options)

    # -- state ---------------------------------------------------------------------

    def get_weights(self):
        """The values of the optimizer's state (`weights`), the iteration count first.

        Returns:
            A list of numpy arrays.
        """
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Sets the values of the optimizer's state (e.g. from a saved model).

        Arguments:
            weights: a list of numpy arrays shaped as `get_weights()` returns;
                a Keras 2.2.4 list (which lacks the iteration count, or Nadam's
                momentum schedule) is accepted.

        Raises:
            ValueError: if the number of arrays or a shape does not match.
        """
        params = self.weights
        weights = list(weights)
        if self._legacy_missing and len(params) == len(weights) + 1:
            # A Keras 2.2.4 list: it lacks the iteration count (or Nadam's schedule).
            if self._legacy_missing == 'iterations':
                weights = [np.array(0)] + weights
            else:
                weights = weights[:1] + [np.array(1.)] + weights[1:]
        if len(params) != len(weights):
            raise ValueError(f'Length of the specified weight list ({len(weights)}) does not '
                             f'match the number of weights of the optimizer ({len(params)})')
        pairs = []
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if K.int_shape(p) != w.shape:
                raise ValueError(f'Optimizer weight shape {K.int_shape(p)} not compatible with '
                                 f'provided weight shape {w.shape}')
            pairs.append((p, w))
        K.batch_set_value(pairs)

    def get_config(self):
        """The optimizer's configuration: its hyperparameters' current values.

        Returns:
            A dict; `from_config` makes an optimizer back from it.
        """
        config = {}
        if hasattr(self, 'clipnorm'):
            config['clipnorm'] = self.clipnorm
        if hasattr(self, 'clipvalue'):
            config['clipvalue'] = self.clipvalue
        config.update(self._config())
        return config

    def _config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        """Makes an optimizer from the dict returned by `get_config`."""
        return cls(**config)


def _value(x):
    return float(K.get_value(x)) if isinstance(x, K.Variable) else float(x)


# The arguments every optimizer takes: the tail of each one's docstring.
_LR_ARG = """        lr: the Keras 2.2 name of `learning_rate`.
"""
_DECAY_ARG = """        decay: a float >= 0, the time-based decay of the learning rate:
            `lr / (1 + decay * iterations)`.
"""
_CLIPPING_ARGS = """        clipnorm: a float >= 0; the gradients are scaled down together when
            their global L2 norm exceeds it.
        clipvalue: a float >= 0; each gradient is clipped to
            `[-clipvalue, clipvalue]`.

    Raises:
        TypeError: on an unknown keyword argument.
        ValueError: if `clipnorm` or `clipvalue` is negative.
"""
_LR_AND_CLIPPING = _LR_ARG + _CLIPPING_ARGS
_LR_DECAY_AND_CLIPPING = _LR_ARG + _DECAY_ARG + _CLIPPING_ARGS


class SGD(Optimizer):
    __doc__ = """Stochastic gradient descent, with optional momentum and Nesterov momentum.

    Arguments:
        learning_rate: a float >= 0.
        momentum: a float >= 0 that accelerates descent along consistent
            directions and damps oscillations.
        nesterov: whether to use Nesterov momentum.
""" + _LR_DECAY_AND_CLIPPING + """
    Example::

        model.compile(loss='mse', optimizer=SGD(learning_rate=0.01, momentum=0.9))
    """

    _slot_kinds = ('moment',)

    def __init__(self, learning_rate=0.01, momentum=0., nesterov=False, **kwargs):
        super().__init__(**self._init_hyper(kwargs, learning_rate, epsilon=False,
                                            momentum=momentum))
        self.nesterov = nesterov

    def _update(self, p, g, state, shared):
        m, = state
        lr = shared['lr']
        v = self.momentum * m - lr * g
        new_p = p + self.momentum * v - lr * g if self.nesterov else p + v
        return new_p, [(m, v)]

    def _fused(self, state, shared):
        return 'sgd', state, [shared['lr'], self.momentum], {'nesterov': self.nesterov}

    def _config(self):
        return {'learning_rate': _value(self.learning_rate),
                'momentum': _value(self.momentum),
                'decay': _value(self.decay),
                'nesterov': self.nesterov}


class RMSprop(Optimizer):
    __doc__ = """RMSprop: the gradient divided by a running average of its recent magnitude.

    A good choice for recurrent networks; the default hyperparameters are best
    left as they are, except the learning rate.

    Arguments:
        learning_rate: a float >= 0.
        rho: a float >= 0, the decay of the running average of squared
            gradients.
        epsilon: a small float added for numerical stability (default
            `K.epsilon()`).
""" + _LR_DECAY_AND_CLIPPING

    _slot_kinds = ('accumulator',)
    _legacy_missing = 'iterations'

    def __init__(self, learning_rate=0.001, rho=0.9, **kwargs):
        super().__init__(**self._init_hyper(kwargs, learning_rate, rho=rho))

    def _update(self, p, g, state, shared):
        a, = state
        new_a = self.rho * a + (1. - self.rho) * K.square(g)
        return p - shared['lr'] * g / (K.sqrt(new_a) + self.epsilon), [(a, new_a)]

    def _fused(self, state, shared):
        return 'rmsprop', state, [shared['lr'], self.rho], {'epsilon': self.epsilon}

    def _config(self):
        return {'learning_rate': _value(self.learning_rate),
                'rho': _value(self.rho),
                'decay': _value(self.decay),
                'epsilon': self.epsilon}


class Adagrad(Optimizer):
    __doc__ = """Adagrad: per-parameter learning rates, scaled down by the sum of the
    squared gradients seen so far.

    Arguments:
        learning_rate: a float >= 0.
        epsilon: a small float added for numerical stability (default
            `K.epsilon()`).
""" + _LR_DECAY_AND_CLIPPING

    _slot_kinds = ('accumulator',)
    _legacy_missing = 'iterations'

    def __init__(self, learning_rate=0.01, **kwargs):
        super().__init__(**self._init_hyper(kwargs, learning_rate))

    def _update(self, p, g, state, shared):
        a, = state
        new_a = a + K.square(g)
        return p - shared['lr'] * g / (K.sqrt(new_a) + self.epsilon), [(a, new_a)]

    def _fused(self, state, shared):
        return 'adagrad', state, [shared['lr']], {'epsilon': self.epsilon}

    def _config(self):
        return {'learning_rate': _value(self.learning_rate),
                'decay': _value(self.decay),
                'epsilon': self.epsilon}


class Adadelta(Optimizer):
    __doc__ = """Adadelta: Adagrad with moving windows of squared gradients and of squared
    updates, so learning goes on after many updates.

    Arguments:
        learning_rate: a float >= 0 (1.0, the original method, is the
            default).
        rho: a float >= 0, the decay of the moving averages.
        epsilon: a small float added for numerical stability (default
            `K.epsilon()`).
""" + _LR_DECAY_AND_CLIPPING

    _slot_kinds = ('accumulator', 'delta_accumulator')
    _legacy_missing = 'iterations'

    def __init__(self, learning_rate=1.0, rho=0.95, **kwargs):
        super().__init__(**self._init_hyper(kwargs, learning_rate))
        self.rho = rho

    def _update(self, p, g, state, shared):
        a, d_a = state
        new_a = self.rho * a + (1. - self.rho) * K.square(g)
        # The new accumulator and the old delta accumulator.
        update = g * K.sqrt(d_a + self.epsilon) / K.sqrt(new_a + self.epsilon)
        new_d_a = self.rho * d_a + (1 - self.rho) * K.square(update)
        return p - shared['lr'] * update, [(a, new_a), (d_a, new_d_a)]

    def _config(self):
        return {'learning_rate': _value(self.learning_rate),
                'rho': self.rho,
                'decay': _value(self.decay),
                'epsilon': self.epsilon}


class Adam(Optimizer):
    __doc__ = """Adam (Kingma and Ba, 2014), and its AMSGrad variant.

    Arguments:
        learning_rate: a float >= 0.
        beta_1: a float in (0, 1), the decay of the first moment estimates.
        beta_2: a float in (0, 1), the decay of the second moment estimates.
        amsgrad: whether to use AMSGrad (Reddi et al., 2018), which keeps the
            maximum of the second moments.
        epsilon: a small float added for numerical stability (default
            `K.epsilon()`).
""" + _LR_DECAY_AND_CLIPPING + """
    Example::

        model.compile(loss='categorical_crossentropy',
                      optimizer=Adam(learning_rate=1e-3, amsgrad=True))
    """

    # Keras 2.3 keeps a vhat per parameter (of shape (1,) without amsgrad).
    _slot_kinds = ('m', 'v', 'vhat')

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, amsgrad=False, **kwargs):
        super().__init__(**self._init_hyper(kwargs, learning_rate, beta_1=beta_1,
                                            beta_2=beta_2))
        self.amsgrad = amsgrad

    def _make_slot(self, kind, p, i):
        if kind == 'vhat' and not self.amsgrad:
            return K.zeros(1, name=f'vhat_{i}')
        return super()._make_slot(kind, p, i)

    def _prepare(self, lr):
        t = K.cast(self.iterations, K.floatx()) + 1
        return {'lr_t': lr * (K.sqrt(1. - K.pow(self.beta_2, t)) /
                              (1. - K.pow(self.beta_1, t)))}

    def _update(self, p, g, state, shared):
        m, v, vhat = state
        m_t = (self.beta_1 * m) + (1. - self.beta_1) * g
        v_t = (self.beta_2 * v) + (1. - self.beta_2) * K.square(g)
        new_state = [(m, m_t), (v, v_t)]
        if self.amsgrad:
            vhat_t = K.maximum(vhat, v_t)
            new_state.append((vhat, vhat_t))
            v_t = vhat_t
        return p - shared['lr_t'] * m_t / (K.sqrt(v_t) + self.epsilon), new_state

    def _fused(self, state, shared):
        rule, slots = ('amsgrad', state) if self.amsgrad else ('adam', state[:2])
        return (rule, slots, [shared['lr_t'], self.beta_1, self.beta_2],
                {'epsilon': self.epsilon})

    def _config(self):
        return {'learning_rate': _value(self.learning_rate),
                'beta_1': _value(self.beta_1),
                'beta_2': _value(self.beta_2),
                'decay': _value(self.decay),
                'epsilon': self.epsilon,
                'amsgrad': self.amsgrad}


class Adamax(Optimizer):
    __doc__ = """Adamax: Adam with the infinity norm (section 7 of the Adam paper).

    Arguments:
        learning_rate: a float >= 0.
        beta_1: a float in (0, 1), the decay of the first moment estimates.
        beta_2: a float in (0, 1), the decay of the infinity norm.
        epsilon: a small float added for numerical stability (default
            `K.epsilon()`).
""" + _LR_DECAY_AND_CLIPPING

    _slot_kinds = ('m', 'u')

    def __init__(self, learning_rate=0.002, beta_1=0.9, beta_2=0.999, **kwargs):
        super().__init__(**self._init_hyper(kwargs, learning_rate, beta_1=beta_1,
                                            beta_2=beta_2))

    def _prepare(self, lr):
        t = K.cast(self.iterations, K.floatx()) + 1
        return {'lr_t': lr / (1. - K.pow(self.beta_1, t))}

    def _update(self, p, g, state, shared):
        m, u = state
        m_t = (self.beta_1 * m) + (1. - self.beta_1) * g
        u_t = K.maximum(self.beta_2 * u, K.abs(g))
        return p - shared['lr_t'] * m_t / (u_t + self.epsilon), [(m, m_t), (u, u_t)]

    def _config(self):
        return {'learning_rate': _value(self.learning_rate),
                'beta_1': _value(self.beta_1),
                'beta_2': _value(self.beta_2),
                'decay': _value(self.decay),
                'epsilon': self.epsilon}


class Nadam(Optimizer):
    __doc__ = """Nadam: Adam with Nesterov momentum (Dozat, 2015).

    The momentum warms up along a schedule; the optimizer takes no `decay`.

    Arguments:
        learning_rate: a float >= 0.
        beta_1: a float in (0, 1), the decay of the first moment estimates.
        beta_2: a float in (0, 1), the decay of the second moment estimates.
        schedule_decay: the decay of the momentum schedule.
        epsilon: a small float added for numerical stability (default
            `K.epsilon()`).
""" + _LR_AND_CLIPPING

    _slot_kinds = ('m', 'v')
    _legacy_missing = 'm_schedule'

    def __init__(self, learning_rate=0.002, beta_1=0.9, beta_2=0.999, **kwargs):
        self.schedule_decay = kwargs.pop('schedule_decay', 0.004)
        super().__init__(**self._init_hyper(kwargs, learning_rate, decay=False, beta_1=beta_1,
                                            beta_2=beta_2))
        self.m_schedule = K.variable(1., name='m_schedule')

    def _extra_weights(self):
        return [self.m_schedule]

    def _prepare(self, lr):
        t = K.cast(self.iterations, K.floatx()) + 1
        base = K.constant(0.96)
        cache_t = self.beta_1 * (1. - 0.5 * K.pow(base, t * self.schedule_decay))
        cache_t_1 = self.beta_1 * (1. - 0.5 * K.pow(base, (t + 1) * self.schedule_decay))
        m_schedule_new = self.m_schedule * cache_t
        self.updates.append(K.update(self.m_schedule, m_schedule_new))
        return {'lr': lr, 't': t, 'cache_t': cache_t, 'cache_t_1': cache_t_1,
                'm_schedule_new': m_schedule_new,
                'm_schedule_next': self.m_schedule * cache_t * cache_t_1}

    def _update(self, p, g, state, shared):
        m, v = state
        g_prime = g / (1. - shared['m_schedule_new'])
        m_t = self.beta_1 * m + (1. - self.beta_1) * g
        m_t_prime = m_t / (1. - shared['m_schedule_next'])
        v_t = self.beta_2 * v + (1. - self.beta_2) * K.square(g)
        v_t_prime = v_t / (1. - K.pow(self.beta_2, shared['t']))
        m_t_bar = (1. - shared['cache_t']) * g_prime + shared['cache_t_1'] * m_t_prime
        new_p = p - shared['lr'] * m_t_bar / (K.sqrt(v_t_prime) + self.epsilon)
        return new_p, [(m, m_t), (v, v_t)]

    def _config(self):
        return {'learning_rate': _value(self.learning_rate),
                'beta_1': _value(self.beta_1),
                'beta_2': _value(self.beta_2),
                'epsilon': self.epsilon,
                'schedule_decay': self.schedule_decay}


# Aliases, as in Keras.
sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adadelta = Adadelta
adam = Adam
adamax = Adamax
nadam = Nadam

_ALL = {'sgd': SGD, 'rmsprop': RMSprop, 'adagrad': Adagrad, 'adadelta': Adadelta,
        'adam': Adam, 'adamax': Adamax, 'nadam': Nadam}


def serialize(optimizer):
    """An optimizer as a dict `{'class_name': ..., 'config': ...}`.

    Arguments:
        optimizer: an optimizer instance.

    Returns:
        A JSON-serializable dict.
    """
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """An optimizer from a dict `{'class_name': ..., 'config': ...}`.

    Built-in names match case-insensitively.

    Arguments:
        config: the dict.
        custom_objects: a dict mapping names to custom optimizer classes.

    Returns:
        An optimizer instance.

    Raises:
        ValueError: if the class name is unknown.
    """
    if isinstance(config, dict) and isinstance(config.get('class_name'), str) \
            and config['class_name'].lower() in _ALL:
        config = dict(config, class_name=config['class_name'].lower())
    return deserialize_keras_object(config, module_objects=_ALL, custom_objects=custom_objects,
                                    printable_module_name='optimizer')


def get(identifier):
    """An optimizer from a name (`'adam'`), a config dict or an instance.

    Arguments:
        identifier: a string, a dict or an `Optimizer`.

    Returns:
        An optimizer instance (the one given, or a new one with the default
        hyperparameters).

    Raises:
        ValueError: if the identifier cannot be interpreted.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({'class_name': identifier, 'config': {}})
    raise ValueError(f'Could not interpret optimizer identifier: {identifier!r}')
