"""compile() with no loss when the losses come from add_loss (Keras 2.3's VAE
examples), and Layer.add_metric / Model.add_metric: a named metric averaged
over the samples of an epoch, listed in metrics_names and the history, reset
at each epoch and by evaluate."""
import numpy as np
import pytest

from kback import backend as K, metrics
from kback.layers import Input, Dense, Layer, Lambda
from kback.models import Model
from kback.optimizers import SGD

rng = np.random.RandomState(1)


class Sampling(Layer):
    """The VAE's reparameterisation, adding the KL term as a loss of its call."""

    def call(self, inputs):
        mean, log_var = inputs
        kl = -0.5 * K.mean(1 + log_var - K.square(mean) - K.exp(log_var), axis=-1)
        self.add_loss(K.mean(kl), inputs=inputs)
        eps = K.random_normal(K.shape(mean))
        return mean + K.exp(0.5 * log_var) * eps


def test_vae_compiled_without_loss_trains_on_add_loss():
    x = Input((8,))
    h = Dense(6, activation='relu')(x)
    z = Sampling()([Dense(2)(h), Dense(2)(h)])
    out = Dense(8, activation='sigmoid')(Dense(6, activation='relu')(z))
    vae = Model(x, out)
    vae.add_loss(K.mean(K.sum(K.binary_crossentropy(x, out), axis=-1)))
    vae.compile(optimizer='adam')
    assert vae.metrics_names == ['loss']
    data = (rng.rand(64, 8) > 0.5).astype('float32')
    history = vae.fit(data, epochs=8, batch_size=16, verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0]
    assert vae.predict(data).shape == (64, 8)


def test_add_loss_value_is_the_whole_loss():
    x = Input((3,))
    y = Dense(2)(x)
    model = Model(x, y)
    model.add_loss(K.mean(K.square(y)))
    model.compile(SGD(lr=0.))
    data = rng.rand(5, 3).astype('float32')
    assert model.test_on_batch(data, None) == pytest.approx(np.mean(model.predict(data) ** 2),
                                                            rel=1e-5)


def test_compile_without_any_loss_raises():
    x = Input((3,))
    model = Model(x, Dense(2)(x))
    with pytest.raises(ValueError, match='no loss to optimize'):
        model.compile('sgd')


class MeanActivation(Layer):
    def call(self, inputs):
        self.add_metric(K.mean(inputs, axis=-1), name='mean_activation', aggregation='mean')
        return inputs


def _metric_model():
    x = Input((3,))
    h = MeanActivation()(Dense(4, name='hidden')(x))
    y = Dense(1, name='out')(h)
    model = Model(x, y)
    model.add_metric(K.sum(y, axis=-1), name='output_sum', aggregation='mean')
    model.add_metric(metrics.Mean(name='output_mean')(y))
    model.compile(SGD(lr=0.), 'mse', metrics=['mae'])
    return model


def test_add_metric_names_values_and_history():
    model = _metric_model()
    assert model.metrics_names == ['loss', 'mae', 'mean_activation', 'output_sum',
                                   'output_mean']
    assert [m.name for m in model.metrics] == ['mae', 'mean_activation', 'output_sum',
                                               'output_mean']
    x, y = rng.rand(10, 3).astype('float32'), rng.rand(10, 1).astype('float32')
    hidden = K.function([model.input], [model.get_layer('hidden').output])([x])[0]
    p = model.predict(x)
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    for epoch in range(2):     # the model does not change (lr=0): each epoch alike
        assert history.history['mean_activation'][epoch] == pytest.approx(hidden.mean(),
                                                                          rel=1e-4)
        assert history.history['output_sum'][epoch] == pytest.approx(p.mean(), rel=1e-4)
        assert history.history['output_mean'][epoch] == pytest.approx(p.mean(), rel=1e-4)
    # evaluate starts over: its values cover its own data only
    x2 = rng.rand(6, 3).astype('float32') + 1.
    results = model.evaluate(x2, rng.rand(6, 1), batch_size=4, verbose=0)
    assert results[3] == pytest.approx(model.predict(x2).mean(), rel=1e-4)


def test_add_metric_on_a_model_called_again():
    inner = _metric_model()
    x = Input((3,))
    outer = Model(x, Lambda(lambda t: 2. * t)(inner(x)))
    outer.compile('sgd', 'mse')
    # The inner model's own metrics read its own inputs: only its layers' carry over.
    assert outer.metrics_names == ['loss', 'mean_activation']
    x = rng.rand(8, 3).astype('float32')
    hidden = K.function(inner.inputs, [inner.get_layer('hidden').output])([x])[0]
    history = outer.fit(x, rng.rand(8, 1), epochs=1, verbose=0)
    assert history.history['mean_activation'][0] == pytest.approx(hidden.mean(), rel=1e-4)


def test_add_metric_argument_errors():
    layer = Dense(2)
    t = K.placeholder(shape=(None, 2))
    with pytest.raises(ValueError, match='aggregation'):
        layer.add_metric(t, name='m', aggregation='sum')
    with pytest.raises(ValueError, match='give the metric a name'):
        layer.add_metric(t, aggregation='mean')
    with pytest.raises(ValueError, match='not the result of a Metric'):
        layer.add_metric(K.mean(t), name='m')
    with pytest.raises(TypeError, match='must be a tensor'):
        layer.add_metric(np.ones(2), name='m', aggregation='mean')


class ActivityPenalty(Layer):
    """add_loss / add_update in `call` without inputs: unconditional, made by the call."""

    def build(self, input_shape):
        self.calls = self.add_weight('calls', (), initializer='zeros', trainable=False)
        super().build(input_shape)

    def call(self, x):
        self.add_loss(K.mean(K.square(x)))
        self.add_update(K.update_add(self.calls, 1.))
        return x


def test_losses_and_updates_a_call_adds_without_inputs_count_once():
    x = Input((3,))
    layer = ActivityPenalty()
    model = Model(x, Dense(2, kernel_initializer='ones')(layer(x)))
    model.compile(SGD(lr=0.), 'mse')
    data = rng.rand(4, 3).astype('float32')
    y = model.predict(data)
    loss = model.test_on_batch(data, np.zeros((4, 2)))
    assert loss == pytest.approx((y ** 2).mean() + (data ** 2).mean(), rel=1e-5)
    model.train_on_batch(data, np.zeros((4, 2)))
    model.train_on_batch(data, np.zeros((4, 2)))
    assert K.get_value(layer.calls) == 2.      # one update per training step
    assert len(model.losses) == 1


class PenalisedModel(Model):
    def __init__(self):
        super().__init__()
        self.dense = Dense(2, kernel_initializer='ones')

    def call(self, x):
        y = self.dense(x)
        self.add_loss(K.mean(K.square(y)))
        self.add_metric(K.mean(y), name='mean_y', aggregation='mean')
        return y


def test_subclassed_model_add_loss_and_add_metric_in_call():
    model = PenalisedModel()
    model.compile(SGD(lr=0.), 'mse')
    data = rng.rand(4, 3).astype('float32')
    y = model.predict(data)
    loss, mean_y = model.test_on_batch(data, np.zeros((4, 2)))
    assert model.metrics_names == ['loss', 'mean_y']
    assert loss == pytest.approx(2 * (y ** 2).mean(), rel=1e-5)
    assert mean_y == pytest.approx(y.mean(), rel=1e-5)
