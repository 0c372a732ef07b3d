"""Sample weights against losses of any rank (Keras 2.3's
squeeze_or_expand_dimensions + broadcast_weights): the loss of a batch is
sum(w * loss) / number of loss elements, with (batch,) weights spread over
every other axis of the per-sample loss; temporal weights; multi-output
weights given for some outputs only."""
import numpy as np
import pytest

from kback import backend as K, losses
from kback.layers import Input, Dense, Conv2D, BatchNormalization, LSTM, TimeDistributed
from kback.models import Model, Sequential

rng = np.random.RandomState(0)


def _image_model(activation='sigmoid', bn=False):
    layers = [Conv2D(2, 3, padding='same', input_shape=(6, 6, 1), activation='relu')]
    if bn:
        layers.append(BatchNormalization())
    layers.append(Conv2D(1, 3, padding='same', activation=activation))
    return Sequential(layers)


def _np_bce(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


@pytest.mark.parametrize('loss', ['mse', 'binary_crossentropy'])
def test_weighted_loss_of_image_outputs_against_numpy(loss):
    model = _image_model()
    model.compile('sgd', loss)
    x = rng.rand(5, 6, 6, 1).astype('float32')
    y = (rng.rand(5, 6, 6, 1) > 0.5).astype('float32')
    w = rng.rand(5).astype('float32')
    p = model.predict(x)
    per_element = ((y - p) ** 2).mean(-1) if loss == 'mse' else _np_bce(y, p).mean(-1)
    expected = (per_element * w[:, None, None]).sum() / per_element.size
    assert model.test_on_batch(x, y, sample_weight=w) == pytest.approx(expected, rel=1e-4)
    assert model.test_on_batch(x, y) == pytest.approx(per_element.mean(), rel=1e-4)


def test_bn_convnet_with_image_outputs_trains_with_weights():
    model = _image_model(bn=True)
    model.compile('adam', 'mse')
    x = rng.rand(32, 6, 6, 1).astype('float32')
    y = x * 0.5
    history = model.fit(x, y, sample_weight=rng.rand(32) + 0.5, batch_size=8, epochs=5,
                        verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0]


def test_compute_weighted_loss_broadcasts_and_checks_shapes():
    per = rng.rand(4, 3, 2).astype('float32')
    w = rng.rand(4).astype('float32')
    got = K.eval(losses.compute_weighted_loss(K.constant(per), K.constant(w)))
    assert got == pytest.approx((per * w[:, None, None]).mean(), rel=1e-5)
    w2 = rng.rand(4, 3).astype('float32')
    got = K.eval(losses.compute_weighted_loss(K.constant(per), K.constant(w2), 'sum'))
    assert got == pytest.approx((per * w2[:, :, None]).sum(), rel=1e-5)
    # a trailing size-1 axis of the weights is dropped, a scalar loss is shared
    got = K.eval(losses.compute_weighted_loss(K.constant(per[..., 0]), K.constant(w2[..., None])))
    assert got == pytest.approx((per[..., 0] * w2).mean(), rel=1e-5)
    got = K.eval(losses.compute_weighted_loss(K.constant(2.), K.constant(w)))
    assert got == pytest.approx(2. * w.mean(), rel=1e-5)
    with pytest.raises(ValueError, match=r'compute_weighted_loss.*\(5,\).*\(4, 3, 2\)'):
        losses.compute_weighted_loss(K.constant(per), K.constant(np.ones(5)))


def test_scalar_custom_loss_with_sample_weights():
    # mnist_siamese's contrastive loss reduces to a scalar itself.
    def contrastive(y_true, y_pred):
        margin = 1.
        return K.mean(y_true * K.square(y_pred) +
                      (1 - y_true) * K.square(K.maximum(margin - y_pred, 0)))
    model = Sequential([Dense(1, input_shape=(3,), activation='sigmoid')])
    model.compile('sgd', contrastive)
    x = rng.rand(8, 3).astype('float32')
    y = (rng.rand(8, 1) > 0.5).astype('float32')
    w = rng.rand(8).astype('float32')
    p = model.predict(x)
    scalar = np.mean(y * p ** 2 + (1 - y) * np.maximum(1 - p, 0) ** 2)
    assert model.test_on_batch(x, y, sample_weight=w) == pytest.approx(scalar * w.mean(),
                                                                       rel=1e-4)
    history = model.fit(x, y, batch_size=4, epochs=3, verbose=0)
    assert np.isfinite(history.history['loss']).all()


def _sequence_model():
    model = Sequential([LSTM(3, return_sequences=True, input_shape=(4, 2)),
                        TimeDistributed(Dense(2))])
    model.compile('sgd', 'mse', sample_weight_mode='temporal')
    return model


def test_temporal_mode_defaults_to_ones_and_weights_each_step():
    model = _sequence_model()
    x = rng.rand(6, 4, 2).astype('float32')
    y = rng.rand(6, 4, 2).astype('float32')
    p = model.predict(x)
    se = ((y - p) ** 2).mean(-1)
    assert model.test_on_batch(x, y) == pytest.approx(se.mean(), rel=1e-4)
    w = rng.rand(6, 4).astype('float32')
    assert model.test_on_batch(x, y, sample_weight=w) == pytest.approx((se * w).mean(),
                                                                       rel=1e-4)
    history = model.fit(x, y, batch_size=3, epochs=2, verbose=0)
    assert len(history.history['loss']) == 2


def test_temporal_and_samplewise_weights_are_checked():
    model = _sequence_model()
    x, y = rng.rand(6, 4, 2), rng.rand(6, 4, 2)
    with pytest.raises(ValueError, match='2D sample_weight'):
        model.fit(x, y, sample_weight=np.ones(6), verbose=0)
    with pytest.raises(ValueError, match='cannot be broadcast'):
        model.fit(x, y, sample_weight=np.ones((6, 3)), verbose=0)
    flat = Sequential([Dense(1, input_shape=(3,))])
    flat.compile('sgd', 'mse')
    with pytest.raises(ValueError, match='sample_weight_mode="temporal"'):
        flat.fit(rng.rand(4, 3), rng.rand(4, 1), sample_weight=np.ones((4, 2)), verbose=0)
    with pytest.raises(ValueError, match=r'dense_\d+ has shape \(None, 1\).*at least 3D'):
        flat.compile('sgd', 'mse', sample_weight_mode='temporal')


def _two_outputs():
    x = Input((3,))
    model = Model(x, [Dense(2, name='a')(x), Dense(1, name='b')(x)])
    model.compile('sgd', 'mse', metrics=['mae'], weighted_metrics=['mae'])
    return model


def test_metric_in_both_lists_gets_keras_names():
    model = _two_outputs()
    assert model.metrics_names == ['loss', 'a_loss', 'b_loss', 'a_mae', 'a_mae_1', 'b_mae',
                                   'b_mae_1']


def test_sample_weight_dict_for_some_outputs():
    model = _two_outputs()
    x = rng.rand(6, 3).astype('float32')
    ya, yb = rng.rand(6, 2).astype('float32'), rng.rand(6, 1).astype('float32')
    w = rng.rand(6).astype('float32')
    pa, pb = model.predict(x)
    sa, sb = ((ya - pa) ** 2).mean(-1), ((yb - pb) ** 2).mean(-1)
    ea, eb = np.abs(ya - pa).mean(-1), np.abs(yb - pb).mean(-1)
    out = model.test_on_batch(x, [ya, yb], sample_weight={'b': w})
    expected = [(sa.mean() + (sb * w).mean()), sa.mean(), (sb * w).mean(), ea.mean(),
                ea.mean(), eb.mean(), (eb * w).sum() / w.sum()]
    np.testing.assert_allclose(out, expected, rtol=1e-4)
    with pytest.raises(ValueError, match="Unknown entries in sample_weight.*'c'"):
        model.fit(x, [ya, yb], sample_weight={'c': w}, verbose=0)


def test_evaluate_generator_with_weights_matches_arrays():
    model = _two_outputs()
    x = rng.rand(8, 3).astype('float32')
    ys = [rng.rand(8, 2).astype('float32'), rng.rand(8, 1).astype('float32')]
    ws = [rng.rand(8).astype('float32'), rng.rand(8).astype('float32')]

    def batches():
        while True:
            for i in (0, 4):
                yield x[i:i + 4], [y[i:i + 4] for y in ys], [w[i:i + 4] for w in ws]
    from_gen = model.evaluate_generator(batches(), steps=2)
    from_arrays = model.evaluate(x, ys, sample_weight=ws, batch_size=4, verbose=0)
    np.testing.assert_allclose(from_gen, from_arrays, rtol=1e-5)
    weighted_b = model.metrics_names.index('b_mae_1')
    pb = model.predict(x)[1]
    eb = np.abs(ys[1] - pb).mean(-1)
    assert from_gen[weighted_b] == pytest.approx((eb * ws[1]).sum() / ws[1].sum(), rel=1e-4)
