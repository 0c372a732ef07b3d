"""Output masks in the loss and the metrics (Keras 2.3's _prepare_total_loss
and call_metric_function): the mask multiplies the sample weights, the
'sum_over_batch_size' reduction divides by the number of elements (padded
timesteps included), and metrics are means weighted by the mask."""
import numpy as np

from kback import backend as K
from kback import layers, models

V, T, C = 7, 5, 3


def seq_model(n_out=C, activation=None, seed=0):
    np.random.seed(seed)
    return models.Sequential([
        layers.Embedding(V, 4, mask_zero=True, input_length=T),
        layers.LSTM(6, return_sequences=True),
        layers.TimeDistributed(layers.Dense(n_out, activation=activation))])


def padded_batch(n=6, seed=1):
    """Token ids with trailing zeros (padding) of random lengths 1..T."""
    rng = np.random.RandomState(seed)
    x = rng.randint(1, V, size=(n, T))
    lengths = rng.randint(1, T + 1, size=n)
    lengths[0] = T
    for i, length in enumerate(lengths):
        x[i, length:] = 0
    return x, (x != 0).astype('float32')


def test_masked_output_carries_the_mask():
    m = seq_model()
    assert m.outputs[0]._keras_mask is not None
    assert K.int_shape(m.outputs[0]._keras_mask) == (None, T)


def test_loss_counts_only_unpadded_timesteps():
    m = seq_model()
    m.compile('sgd', 'mse')
    x, mask = padded_batch()
    y = np.random.RandomState(2).rand(len(x), T, C).astype('float32')
    pred = m.predict(x)
    per_step = ((pred - y) ** 2).mean(axis=-1)
    # sum over the real timesteps / number of elements (Keras 2.3's reduction)
    expected = (per_step * mask).sum() / per_step.size
    np.testing.assert_allclose(m.test_on_batch(x, y), expected, rtol=1e-5)
    np.testing.assert_allclose(m.evaluate(x, y, batch_size=len(x), verbose=0), expected,
                               rtol=1e-5)
    # the loss reported by a training step is that of the weights before the step
    np.testing.assert_allclose(m.train_on_batch(x, y), expected, rtol=1e-5)
    # without the mask the padded steps would count
    assert not np.isclose(expected, per_step.mean(), rtol=1e-3)


def test_padding_values_of_y_change_neither_loss_nor_gradients():
    a, b = seq_model(), seq_model()
    b.set_weights(a.get_weights())
    x, mask = padded_batch()
    rng = np.random.RandomState(3)
    y = rng.rand(len(x), T, C).astype('float32')
    y_other = y.copy()
    y_other[mask == 0] = rng.rand(int((mask == 0).sum()), C) * 100.
    for model in (a, b):
        model.compile('sgd', 'mse')
    assert a.test_on_batch(x, y) == b.test_on_batch(x, y_other)
    # the gradients of the loss with respect to every weight
    grads = K.gradients(a.total_loss, a.trainable_weights)
    fn = K.function(a._feed_tensors() + [K.learning_phase()], grads)
    ones = np.ones(len(x), 'float32')
    ga = fn([x, y, ones, True])
    gb = fn([x, y_other, ones, True])
    for u, v in zip(ga, gb):
        np.testing.assert_array_equal(u, v)
    assert any(np.abs(g).max() > 0 for g in ga)
    ha = a.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0).history
    hb = b.fit(x, y_other, batch_size=3, epochs=2, shuffle=False, verbose=0).history
    assert ha == hb
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_metrics_are_weighted_by_the_mask():
    m = seq_model(activation='softmax')
    m.compile('sgd', 'categorical_crossentropy', metrics=['accuracy', 'mae'])
    x, mask = padded_batch(n=8, seed=4)
    labels = np.random.RandomState(5).randint(0, C, size=(len(x), T))
    y = np.eye(C, dtype='float32')[labels]
    pred = m.predict(x)
    acc = (pred.argmax(-1) == labels).astype('float32')
    mae = np.abs(pred - y).mean(-1)
    ce = -(y * np.log(np.clip(pred, K.epsilon(), 1 - K.epsilon()))).sum(-1)
    loss, got_acc, got_mae = m.evaluate(x, y, batch_size=3, verbose=0)
    np.testing.assert_allclose(got_acc, (acc * mask).sum() / mask.sum(), rtol=1e-6)
    np.testing.assert_allclose(got_mae, (mae * mask).sum() / mask.sum(), rtol=1e-5)
    # the epoch loss is the mean of batch losses weighted by batch size
    starts = range(0, len(x), 3)
    batch = [(ce[s:s + 3] * mask[s:s + 3]).sum() / ce[s:s + 3].size for s in starts]
    sizes = [len(ce[s:s + 3]) for s in starts]
    np.testing.assert_allclose(loss, np.dot(batch, sizes) / len(x), rtol=1e-5)


def test_temporal_sample_weights_combined_with_the_mask():
    m = seq_model()
    m.compile('sgd', 'mse', sample_weight_mode='temporal', metrics=['mae'],
              weighted_metrics=['mae'])
    x, mask = padded_batch(seed=6)
    rng = np.random.RandomState(7)
    y = rng.rand(len(x), T, C).astype('float32')
    sw = rng.rand(len(x), T).astype('float32') + 0.5
    pred = m.predict(x)
    se = ((pred - y) ** 2).mean(-1)
    ae = np.abs(pred - y).mean(-1)
    loss, mae, weighted_mae = m.test_on_batch(x, y, sample_weight=sw)
    np.testing.assert_allclose(loss, (se * sw * mask).sum() / se.size, rtol=1e-5)
    np.testing.assert_allclose(mae, (ae * mask).sum() / mask.sum(), rtol=1e-5)
    np.testing.assert_allclose(weighted_mae, (ae * sw * mask).sum() / (sw * mask).sum(),
                               rtol=1e-5)
    assert m.metrics_names == ['loss', 'mae', 'mae_1']


def test_per_sample_weights_broadcast_over_the_mask():
    m = seq_model()
    m.compile('sgd', 'mae', weighted_metrics=['mse'])
    x, mask = padded_batch(seed=8)
    rng = np.random.RandomState(9)
    y = rng.rand(len(x), T, C).astype('float32')
    sw = rng.rand(len(x)).astype('float32') + 0.5
    pred = m.predict(x)
    ae = np.abs(pred - y).mean(-1)
    se = ((pred - y) ** 2).mean(-1)
    w = sw[:, None] * mask
    loss, weighted_mse = m.test_on_batch(x, y, sample_weight=sw)
    np.testing.assert_allclose(loss, (ae * w).sum() / ae.size, rtol=1e-5)
    np.testing.assert_allclose(weighted_mse, (se * w).sum() / w.sum(), rtol=1e-5)


def test_masking_layer_and_sparse_targets_in_a_functional_model():
    inp = layers.Input((T, 2))
    h = layers.LSTM(5, return_sequences=True)(layers.Masking(0.)(inp))
    out = layers.Dense(C, activation='softmax')(h)
    m = models.Model(inp, out)
    m.compile('adam', 'sparse_categorical_crossentropy', metrics=['sparse_categorical_accuracy'])
    rng = np.random.RandomState(10)
    x = rng.rand(4, T, 2).astype('float32') + 0.1
    x[1, 3:] = 0.
    x[2, 1:] = 0.
    mask = np.any(x != 0, axis=-1).astype('float32')
    labels = rng.randint(0, C, size=(4, T, 1))
    pred = m.predict(x)
    picked = np.take_along_axis(pred, labels, axis=-1)[..., 0]
    ce = -np.log(np.clip(picked, K.epsilon(), 1 - K.epsilon()))
    acc = (pred.argmax(-1) == labels[..., 0]).astype('float32')
    loss, got_acc = m.test_on_batch(x, labels)
    np.testing.assert_allclose(loss, (ce * mask).sum() / ce.size, rtol=1e-5)
    np.testing.assert_allclose(got_acc, (acc * mask).sum() / mask.sum(), rtol=1e-6)


def test_only_the_masked_output_of_a_two_output_model_is_masked():
    inp = layers.Input((T,))
    seq = layers.LSTM(4, return_sequences=True)(layers.Embedding(V, 3, mask_zero=True)(inp))
    masked = layers.TimeDistributed(layers.Dense(1), name='steps')(seq)
    last = layers.LSTM(2, name='last')(seq)       # return_sequences=False: no mask
    m = models.Model(inp, [masked, last])
    assert m.outputs[1]._keras_mask is None
    m.compile('sgd', 'mse')
    x, mask = padded_batch(seed=11)
    rng = np.random.RandomState(12)
    y1 = rng.rand(len(x), T, 1).astype('float32')
    y2 = rng.rand(len(x), 2).astype('float32')
    p1, p2 = m.predict(x)
    l1 = (((p1 - y1) ** 2).mean(-1) * mask).sum() / mask.size
    l2 = ((p2 - y2) ** 2).mean()
    total, got1, got2 = m.test_on_batch(x, [y1, y2])
    np.testing.assert_allclose([got1, got2], [l1, l2], rtol=1e-5)
    np.testing.assert_allclose(total, l1 + l2, rtol=1e-5)
