"""kback.losses: Loss classes (reductions, sample_weight, config) and get/serialize/deserialize."""
import numpy as np
import pytest

from kback import backend as K
from kback import losses
from kback.utils.generic_utils import CustomObjectScope

Y_TRUE = np.array([[0., 1.], [0., 0.]])
Y_PRED = np.array([[1., 1.], [1., 0.]])

CLASSES = {
    'MeanSquaredError': ('mean_squared_error', losses.mean_squared_error, {}),
    'MeanAbsoluteError': ('mean_absolute_error', losses.mean_absolute_error, {}),
    'MeanAbsolutePercentageError': ('mean_absolute_percentage_error',
                                    losses.mean_absolute_percentage_error, {}),
    'MeanSquaredLogarithmicError': ('mean_squared_logarithmic_error',
                                    losses.mean_squared_logarithmic_error, {}),
    'BinaryCrossentropy': ('binary_crossentropy', losses.binary_crossentropy,
                           {'from_logits': False, 'label_smoothing': 0}),
    'CategoricalCrossentropy': ('categorical_crossentropy', losses.categorical_crossentropy,
                                {'from_logits': False, 'label_smoothing': 0}),
    'SparseCategoricalCrossentropy': ('sparse_categorical_crossentropy',
                                      losses.sparse_categorical_crossentropy,
                                      {'from_logits': False}),
    'Hinge': ('hinge', losses.hinge, {}),
    'SquaredHinge': ('squared_hinge', losses.squared_hinge, {}),
    'CategoricalHinge': ('categorical_hinge', losses.categorical_hinge, {}),
    'Poisson': ('poisson', losses.poisson, {}),
    'LogCosh': ('logcosh', losses.logcosh, {}),
    'KLDivergence': ('kullback_leibler_divergence', losses.kullback_leibler_divergence, {}),
    'Huber': ('huber_loss', losses.huber_loss, {'delta': 1.0}),
    'CosineSimilarity': ('cosine_similarity', losses.cosine_proximity, {'axis': -1}),
}


def ev(x):
    return K.eval(x)


# -- the Keras 2.3 documented examples ------------------------------------------------

@pytest.mark.parametrize('cls', [losses.MeanSquaredError, losses.MeanAbsoluteError])
def test_documented_reductions(cls):
    np.testing.assert_allclose(ev(cls()(Y_TRUE, Y_PRED)), 0.5)
    np.testing.assert_allclose(ev(cls()(Y_TRUE, Y_PRED, sample_weight=[0.7, 0.3])), 0.25)
    np.testing.assert_allclose(ev(cls(reduction='sum')(Y_TRUE, Y_PRED)), 1.0)
    np.testing.assert_allclose(ev(cls(reduction='none')(Y_TRUE, Y_PRED)), [0.5, 0.5])


def test_documented_mape():
    t, p = np.array([[2., 1.], [2., 3.]]), np.array([[1., 1.], [1., 0.]])
    mape = losses.MeanAbsolutePercentageError
    np.testing.assert_allclose(ev(mape()(t, p)), 50., rtol=1e-6)
    np.testing.assert_allclose(ev(mape()(t, p, sample_weight=[0.7, 0.3])), 20., rtol=1e-6)
    np.testing.assert_allclose(ev(mape(reduction='sum')(t, p)), 100., rtol=1e-6)
    np.testing.assert_allclose(ev(mape(reduction='none')(t, p)), [25., 75.], rtol=1e-6)


def test_sample_weight_shapes():
    rng = np.random.RandomState(0)
    t, p = rng.rand(4, 3), rng.rand(4, 3)
    per_sample = ((p - t) ** 2).mean(-1)
    w = rng.rand(4)
    mse = losses.MeanSquaredError()
    np.testing.assert_allclose(ev(mse(t, p, sample_weight=2.0)), 2 * per_sample.mean(), rtol=1e-6)
    np.testing.assert_allclose(ev(mse(t, p, sample_weight=w)), (w * per_sample).mean(), rtol=1e-6)
    np.testing.assert_allclose(ev(mse(t, p, sample_weight=w[:, None])),
                               (w * per_sample).mean(), rtol=1e-6)
    np.testing.assert_allclose(ev(losses.MeanSquaredError(reduction='none')(t, p, w)),
                               w * per_sample, rtol=1e-6)
    # Huber keeps one loss per element: a (batch,) weight gains an axis.
    err = np.abs(p - t)
    huber = np.where(err <= 1, 0.5 * err ** 2, err - 0.5)
    np.testing.assert_allclose(ev(losses.Huber(reduction='sum')(t, p, sample_weight=w)),
                               (huber * w[:, None]).sum(), rtol=1e-6)
    np.testing.assert_allclose(ev(losses.Huber()(t, p, sample_weight=rng.rand(4, 3) * 0 + 1)),
                               huber.mean(), rtol=1e-6)
    with pytest.raises(ValueError, match='sample_weight'):
        mse(t, p, sample_weight=np.ones((4, 3)))
    with pytest.raises(ValueError, match='sample_weight'):
        mse(t, p, sample_weight=np.ones(5))


def test_sample_weight_with_unknown_batch():
    t_ph, p_ph = K.placeholder(shape=(None, 3)), K.placeholder(shape=(None, 3))
    w_ph = K.placeholder(shape=(None,))
    out = losses.MeanAbsoluteError()(t_ph, p_ph, sample_weight=w_ph)
    assert K.int_shape(out) == ()
    f = K.function([t_ph, p_ph, w_ph], [out])
    rng = np.random.RandomState(1)
    for n in (2, 6):
        t, p = rng.rand(n, 3).astype('float32'), rng.rand(n, 3).astype('float32')
        w = rng.rand(n).astype('float32')
        np.testing.assert_allclose(f([t, p, w])[0], (np.abs(p - t).mean(-1) * w).mean(),
                                   rtol=1e-5)


def test_invalid_reduction():
    with pytest.raises(ValueError, match='Reduction'):
        losses.MeanSquaredError(reduction='mean')
    with pytest.raises(ValueError, match='Reduction'):
        losses.compute_weighted_loss(K.constant([1.]), reduction='avg')


def test_loss_class_gradient_flows():
    w = K.variable(np.array([[0.5, -0.5]]))
    loss = losses.BinaryCrossentropy(from_logits=True)(np.array([[1., 0.]]), w)
    g, = K.gradients(loss, [w])
    s = 1 / (1 + np.exp(-np.array([[0.5, -0.5]])))
    np.testing.assert_allclose(ev(g), (s - np.array([[1., 0.]])) / 2, rtol=1e-5)


@pytest.mark.parametrize('class_name', sorted(CLASSES))
def test_class_wraps_function_and_round_trips(class_name):
    name, fn, extra = CLASSES[class_name]
    cls = getattr(losses, class_name)
    obj = cls()
    assert isinstance(obj, losses.Loss) and isinstance(obj, losses.LossFunctionWrapper)
    assert obj.fn is fn and obj.name == name and obj.reduction == 'sum_over_batch_size'
    assert obj.get_config() == dict({'reduction': 'sum_over_batch_size', 'name': name}, **extra)
    custom = cls(reduction='sum', name='mine')
    config = losses.serialize(custom)
    assert config['class_name'] == class_name
    back = losses.deserialize(config)
    assert type(back) is cls and back.get_config() == custom.get_config()
    assert losses.get(config).get_config() == custom.get_config()
    assert type(cls.from_config(custom.get_config())) is cls


def test_class_arguments_reach_the_function():
    t, p = np.array([[0., 1.]]), np.array([[0.3, -0.2]])
    np.testing.assert_allclose(
        ev(losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2)(t, p)),
        ev(K.mean(losses.binary_crossentropy(t, p, from_logits=True, label_smoothing=0.2))))
    h = losses.Huber(delta=0.1)
    assert h.get_config()['delta'] == 0.1
    np.testing.assert_allclose(ev(h(np.zeros((1, 1)), np.ones((1, 1)))), 0.005 + 0.09)
    c = losses.CosineSimilarity(axis=0)
    np.testing.assert_allclose(ev(c(np.eye(2), np.eye(2))), -1.)


def test_custom_loss_subclass_and_wrapper():
    class Scaled(losses.Loss):
        def __init__(self, k=2., **kwargs):
            super().__init__(**kwargs)
            self.k = k

        def call(self, y_true, y_pred):
            return self.k * K.mean(K.abs(y_pred - y_true), axis=-1)

        def get_config(self):
            return dict(super().get_config(), k=self.k)

    s = Scaled(3., reduction='sum')
    np.testing.assert_allclose(ev(s(Y_TRUE, Y_PRED)), 3.)
    with CustomObjectScope({'Scaled': Scaled}):
        back = losses.get(losses.serialize(s))
    assert isinstance(back, Scaled) and back.k == 3. and back.reduction == 'sum'
    with pytest.raises(TypeError):
        losses.Loss()
    w = losses.LossFunctionWrapper(losses.mean_absolute_error, reduction='none', name='w')
    np.testing.assert_allclose(ev(w(Y_TRUE, Y_PRED)), [0.5, 0.5])
    back = losses.deserialize(losses.serialize(w))
    assert back.fn is losses.mean_absolute_error and back.reduction == 'none'
    with pytest.raises(ValueError, match='callable'):
        losses.LossFunctionWrapper(3)


# -- identifiers ----------------------------------------------------------------------

ALL_NAMES = ['mean_squared_error', 'mean_absolute_error', 'mean_absolute_percentage_error',
             'mean_squared_logarithmic_error', 'squared_hinge', 'hinge', 'categorical_hinge',
             'logcosh', 'huber_loss', 'categorical_crossentropy',
             'sparse_categorical_crossentropy', 'binary_crossentropy',
             'kullback_leibler_divergence', 'poisson', 'cosine_proximity']
ALIASES = {'mse': 'mean_squared_error', 'MSE': 'mean_squared_error',
           'mae': 'mean_absolute_error', 'MAE': 'mean_absolute_error',
           'mape': 'mean_absolute_percentage_error', 'MAPE': 'mean_absolute_percentage_error',
           'msle': 'mean_squared_logarithmic_error', 'MSLE': 'mean_squared_logarithmic_error',
           'kld': 'kullback_leibler_divergence', 'KLD': 'kullback_leibler_divergence',
           'cosine': 'cosine_proximity', 'cosine_similarity': 'cosine_proximity'}


@pytest.mark.parametrize('name', ALL_NAMES)
def test_get_serialize_round_trip_functions(name):
    fn = losses.get(name)
    assert fn is getattr(losses, name)
    assert losses.serialize(fn) == name
    assert losses.deserialize(losses.serialize(fn)) is fn
    assert losses.get(fn) is fn


def test_aliases_resolve():
    for alias, name in ALIASES.items():
        assert losses.get(alias) is getattr(losses, name), alias


def test_get_other_identifiers():
    assert losses.get(None) is None
    inst = losses.Hinge()
    assert losses.get(inst) is inst

    def my_loss(y_true, y_pred):
        return K.mean(y_pred - y_true, axis=-1)
    assert losses.get(my_loss) is my_loss
    assert losses.serialize(my_loss) == 'my_loss'
    with CustomObjectScope({'my_loss': my_loss}):
        assert losses.get('my_loss') is my_loss
    assert losses.deserialize('my_loss', custom_objects={'my_loss': my_loss}) is my_loss
    # A class name alone builds a default instance.
    assert isinstance(losses.get('MeanSquaredError'), losses.MeanSquaredError)


def test_unknown_identifiers_raise():
    with pytest.raises(ValueError) as info:
        losses.get('mean_squared_eror')
    msg = str(info.value)
    assert 'mean_squared_eror' in msg and 'mean_squared_error' in msg and 'mse' in msg
    with pytest.raises(ValueError, match='loss'):
        losses.get({'class_name': 'NoSuchLoss', 'config': {}})
    with pytest.raises(ValueError, match='loss'):
        losses.get(42)
    with pytest.raises(ValueError):
        losses.get({'config': {}})


def test_is_categorical_crossentropy():
    assert losses.is_categorical_crossentropy('categorical_crossentropy')
    assert losses.is_categorical_crossentropy(losses.categorical_crossentropy)
    assert losses.is_categorical_crossentropy(losses.CategoricalCrossentropy())
    assert not losses.is_categorical_crossentropy(losses.mse)
    assert not losses.is_categorical_crossentropy(losses.BinaryCrossentropy())
