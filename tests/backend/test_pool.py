"""K.pool2d against slow, obviously-correct loops (NHWC, TensorFlow's
padding), plus the numpy pooling kernels of _reference against the same loops."""
import numpy as np
import pytest

from kback import backend as K
from kback.backend import _reference as R
from gradcheck import check_op

rng = np.random.RandomState(0)


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape)


# -- loop references (NHWC) ------------------------------------------------------

def tf_geometry(n, k, s, padding):
    """(pad before, output length) along one axis, from TF's definition."""
    if padding == 'valid':
        return 0, (n - k) // s + 1
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, out


def pads_of(hw, pool, strides, padding):
    result = []
    for a in (0, 1):
        top, out = tf_geometry(hw[a], pool[a], strides[a], padding)
        total = max((out - 1) * strides[a] + pool[a] - hw[a], 0) if padding == 'same' else 0
        result.append((top, total - top))
    return tuple(result)


def pool_windows(x, pool, strides, padding):
    """Yield (b, p, q, rows, cols) for every window, real pixels only."""
    n, h, wd, _ = x.shape
    top, oh = tf_geometry(h, pool[0], strides[0], padding)
    left, ow = tf_geometry(wd, pool[1], strides[1], padding)
    for b in range(n):
        for p in range(oh):
            for q in range(ow):
                rows = [p * strides[0] + i - top for i in range(pool[0])]
                cols = [q * strides[1] + j - left for j in range(pool[1])]
                yield (b, p, q, [t for t in rows if 0 <= t < h], [t for t in cols if 0 <= t < wd],
                       oh, ow)


def loop_pool(x, pool, strides=(1, 1), padding='valid', mode='max'):
    y = None
    for b, p, q, rows, cols, oh, ow in pool_windows(x, pool, strides, padding):
        if y is None:
            y = np.zeros((x.shape[0], oh, ow, x.shape[3]))
        window = x[b][np.ix_(rows, cols)]
        y[b, p, q] = window.max(axis=(0, 1)) if mode == 'max' else window.mean(axis=(0, 1))
    return y


def loop_pool_grad(g, x, pool, strides, padding, mode):
    dx = np.zeros(x.shape)
    for b, p, q, rows, cols, _, _ in pool_windows(x, pool, strides, padding):
        for c in range(x.shape[3]):
            if mode == 'avg':
                dx[b][np.ix_(rows, cols, [c])] += g[b, p, q, c] / (len(rows) * len(cols))
                continue
            best = None
            for row in rows:          # first maximum in row-major order
                for col in cols:
                    if best is None or x[b, row, col, c] > x[b, best[0], best[1], c]:
                        best = (row, col)
            dx[b, best[0], best[1], c] += g[b, p, q, c]
    return dx


def nchw(a):
    return np.transpose(a, (0, 3, 1, 2))


def nhwc(a):
    return np.transpose(a, (0, 2, 3, 1))


# -- _reference kernels against the loops -----------------------------------------

@pytest.mark.parametrize('mode', ['max', 'avg'])
@pytest.mark.parametrize('hw,pool,strides,padding', [
    ((5, 6), (2, 2), (2, 2), 'same'), ((5, 5), (3, 3), (2, 2), 'same'),
    ((6, 6), (3, 2), (1, 1), 'valid'), ((4, 4), (2, 2), (3, 3), 'same'),
    ((4, 5), (4, 5), (1, 1), 'valid'), ((5, 4), (1, 1), (2, 2), 'valid')])
def test_reference_pool_kernels(hw, pool, strides, padding, mode):
    x = r(2, *hw, 3)
    pads = pads_of(hw, pool, strides, padding)
    y = R.pool2d_forward(x, pool, strides, pads, mode)
    np.testing.assert_allclose(y, loop_pool(x, pool, strides, padding, mode), atol=1e-12)
    g = r(*y.shape)
    np.testing.assert_allclose(R.pool2d_backprop(g, x, pool, strides, pads, mode),
                               loop_pool_grad(g, x, pool, strides, padding, mode), atol=1e-12)
    if mode == 'max':
        v = r(*x.shape)
        sel = R.max_pool2d_select(v, x, pool, strides, pads)
        np.testing.assert_allclose(np.sum(sel * g),
                                   np.sum(v * R.pool2d_backprop(g, x, pool, strides, pads, 'max')))


def test_reference_errors():
    x = np.zeros((1, 3, 3, 2))
    with pytest.raises(ValueError, match="pool2d_forward: pool_mode must be 'max' or 'avg'"):
        R.pool2d_forward(x, (2, 2), (1, 1), ((0, 0), (0, 0)), 'sum')
    with pytest.raises(ValueError, match='positive'):
        R.pool2d_forward(x, (2, 2), (0, 1), ((0, 0), (0, 0)), 'max')


# -- K.pool2d against the loops ---------------------------------------------------

def run(build, *arrays):
    """Evaluate build(*placeholders) on float64 arrays."""
    ph = [K.placeholder(shape=a.shape, dtype='float64') for a in arrays]
    return K.function(ph, [build(*ph)])(list(arrays))[0]


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('mode', ['max', 'avg'])
@pytest.mark.parametrize('hw,pool,strides,padding', [
    ((5, 6), (2, 2), (2, 2), 'same'), ((6, 6), (2, 2), (2, 2), 'valid'),
    ((5, 5), (3, 3), (1, 1), 'same'), ((6, 5), (3, 2), (2, 1), 'same'),
    ((4, 5), (4, 5), (1, 1), 'valid'), ((7, 7), (2, 2), (3, 3), 'same'),
    ((4, 3), (1, 1), (1, 1), 'valid')])
def test_pool2d(hw, pool, strides, padding, mode, data_format):
    x = r(2, *hw, 3)
    expected = loop_pool(x, pool, strides, padding, mode)
    if data_format == 'channels_last':
        out = run(lambda a: K.pool2d(a, pool, strides, padding, data_format, mode), x)
    else:
        out = nhwc(run(lambda a: K.pool2d(a, pool, strides, padding, data_format, mode), nchw(x)))
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_avg_pool_same_excludes_padding():
    x = np.ones((1, 3, 3, 1))
    out = run(lambda a: K.pool2d(a, (2, 2), (1, 1), 'same', pool_mode='avg'), x)
    np.testing.assert_array_equal(out, np.ones((1, 3, 3, 1)))


def test_max_pool_gradient_goes_to_first_max():
    x = np.array([[1.0, 3.0, 3.0], [3.0, 0.0, 2.0], [3.0, 3.0, 3.0]]).reshape(1, 3, 3, 1)
    xp = K.placeholder((1, 3, 3, 1), dtype='float64')
    grad, = K.gradients(K.sum(K.pool2d(xp, (2, 2), padding='same')), xp)
    dx = K.function([xp], [grad])([x])[0][0, :, :, 0]
    # First maxima of the 9 windows (row-major): (0,1) (0,1) (0,2) / (1,0) (2,1) (2,2) /
    # (2,0) (2,1) (2,2).
    np.testing.assert_array_equal(dx, [[0, 2, 1], [1, 0, 0], [1, 2, 2]])


# -- gradients (float64 central differences) -----------------------------------------

@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_gradients(data_format):
    x = r(2, 5, 4, 2) if data_format == 'channels_last' else r(2, 2, 5, 4)
    for mode in ('max', 'avg'):
        check_op(lambda a: K.pool2d(a, (2, 3), (2, 2), 'same', data_format, mode), [x])


def test_second_derivative_of_pooling():
    x = r(1, 4, 5, 2)
    check_op(lambda a: K.gradients(K.sum(K.square(K.pool2d(a, (2, 2), (2, 2), 'same'))), a)[0], [x])
    check_op(lambda a: K.gradients(K.sum(K.square(K.pool2d(a, (3, 3), padding='same',
                                                           pool_mode='avg'))), a)[0], [x])


# -- None batch, dtypes ------------------------------------------------------------------

@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_none_batch_two_sizes(data_format):
    cl = data_format == 'channels_last'
    xp = K.placeholder((None, 6, 5, 2) if cl else (None, 2, 6, 5), dtype='float64')
    ys = [K.pool2d(xp, (2, 2), (2, 2), 'same', data_format, 'max'),
          K.pool2d(xp, (3, 3), (1, 1), 'valid', data_format, 'avg')]
    assert all(K.int_shape(y)[0] is None for y in ys)
    f = K.function([xp], ys + K.gradients(K.sum(ys[0]) + K.sum(ys[1]), xp))
    for n in (1, 3):
        x = r(n, 6, 5, 2)
        outs = f([x if cl else nchw(x)])
        back = (lambda a: a) if cl else nhwc
        np.testing.assert_allclose(back(outs[0]), loop_pool(x, (2, 2), (2, 2), 'same'), atol=1e-12)
        np.testing.assert_allclose(back(outs[1]), loop_pool(x, (3, 3), mode='avg'), atol=1e-12)
        assert outs[2].shape == (n,) + K.int_shape(xp)[1:]


def test_float32_outputs():
    x = K.placeholder((None, 6, 6, 2))
    ys = [K.pool2d(x, (2, 2)), K.pool2d(x, (2, 2), pool_mode='avg')]
    grads = K.gradients(K.sum(ys[0]) + K.sum(ys[1]), [x])
    assert all(t.dtype == 'float32' for t in ys + grads)
    outs = K.function([x], ys + grads)([r(2, 6, 6, 2)])
    assert all(o.dtype == np.float32 for o in outs)


# -- errors at graph-build time ----------------------------------------------------------

def bad(match, fn):
    with pytest.raises(ValueError, match=match):
        fn()


def test_errors():
    x = K.placeholder((None, 5, 5, 3))
    bad(r'pool2d: pool_size must be positive', lambda: K.pool2d(x, (0, 2)))
    bad(r'pool2d: strides must be positive', lambda: K.pool2d(x, (2, 2), strides=(1, -1)))
    bad(r'pool2d: pool_size must be an int or 2 ints', lambda: K.pool2d(x, (2, 2, 2)))
    bad(r'pool2d: .*pool size \(6, 2\).*larger than the input \(None, 5, 5, 3\)',
        lambda: K.pool2d(x, (6, 2)))
    bad(r"pool2d: pool_mode must be 'max' or 'avg', got 'sum'",
        lambda: K.pool2d(x, (2, 2), pool_mode='sum'))
    bad(r'pool2d: the input must have rank 4', lambda: K.pool2d(K.placeholder((4, 4)), (2, 2)))
    bad(r'pool2d: Unknown data_format', lambda: K.pool2d(x, (2, 2), data_format='nchw'))
