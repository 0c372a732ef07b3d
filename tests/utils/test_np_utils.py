import numpy as np
import pytest

from kback import utils
from kback.utils import np_utils, normalize, to_categorical


def test_vector_labels():
    y = to_categorical([0, 2, 1])
    assert y.shape == (3, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y, np.eye(3)[[0, 2, 1]])


def test_num_classes_and_dtype():
    y = to_categorical(np.array([1, 0]), num_classes=4, dtype='int32')
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y, [[0, 1, 0, 0], [1, 0, 0, 0]])


@pytest.mark.parametrize('shape,expected', [
    ((5,), (5, 3)),
    ((5, 1), (5, 3)),          # trailing 1 squeezed
    ((4, 2), (4, 2, 3)),
    ((2, 3, 1), (2, 3, 3)),
    ((1,), (1, 3)),
    ((1, 1), (1, 3)),
])
def test_shapes(shape, expected):
    y = np.arange(int(np.prod(shape))).reshape(shape) % 3
    out = to_categorical(y, 3)
    assert out.shape == expected
    np.testing.assert_array_equal(out.argmax(-1).ravel(), y.ravel())


def test_scalar_label():
    assert to_categorical(2, 3).shape == (3,)


def test_integral_float_labels_accepted():
    np.testing.assert_array_equal(to_categorical(np.array([1.0, 0.0])), [[0, 1], [1, 0]])


@pytest.mark.parametrize('y,kw', [([0, 3], {'num_classes': 3}), ([-1, 0], {}),
                                  ([0.5], {}), ([], {})])
def test_bad_labels_raise(y, kw):
    with pytest.raises(ValueError, match='to_categorical'):
        to_categorical(y, **kw)


def test_normalize_l2_and_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(normalize(x), [[0.6, 0.8], [0.0, 0.0]])


def test_normalize_axis_and_order():
    x = np.array([[1.0, 2.0], [3.0, 2.0]])
    np.testing.assert_allclose(normalize(x, axis=0, order=1), [[0.25, 0.5], [0.75, 0.5]])
    np.testing.assert_allclose(np.linalg.norm(normalize(np.random.rand(4, 5)), axis=-1), 1.0)


def test_exports():
    assert utils.np_utils is np_utils
    assert utils.np_utils.to_categorical is to_categorical
    for name in ('to_categorical', 'normalize', 'Sequence', 'Progbar', 'OrderedEnqueuer',
                 'GeneratorEnqueuer', 'get_custom_objects', 'CustomObjectScope'):
        assert hasattr(utils, name), name
