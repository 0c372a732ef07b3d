"""Numpy helpers of Keras 2: one-hot labels and norm scaling."""
import numpy as np


def to_categorical(y, num_classes=None, dtype='float32'):
    """Converts a class vector (integers) to a one-hot class matrix.

    Output shape is `y.shape + (num_classes,)`, except that a trailing axis of
    size 1 (labels shaped `(n, 1)`) is dropped first, as in Keras 2.3.

    Arguments:
        y: integer labels in `[0, num_classes)` (array-like).
        num_classes: total number of classes; `max(y) + 1` when None.
        dtype: dtype of the result.

    Returns:
        A numpy array of one-hot rows.

    Raises:
        ValueError: if a label is not an integer or is outside
            `[0, num_classes)`, or `num_classes` is None for empty labels.

    Example::

        to_categorical([0, 2, 1], num_classes=3)
        # array([[1., 0., 0.], [0., 0., 1.], [0., 1., 0.]], dtype=float32)
    """
    y = np.asarray(y)
    if y.dtype.kind == 'f':
        if not np.all(np.isfinite(y)) or np.any(y != np.floor(y)):
            raise ValueError('to_categorical: labels must be integers, got non-integral '
                             'values such as %r' % (y[y != np.floor(y)].ravel()[:1].tolist(),))
    elif y.dtype.kind not in 'iub':
        raise ValueError('to_categorical: labels must be integers, got dtype %s' % y.dtype)
    y = y.astype('int64')
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.ravel()
    if not num_classes:
        if y.size == 0:
            raise ValueError('to_categorical: cannot infer num_classes from empty labels; '
                             'pass num_classes')
        num_classes = int(np.max(y)) + 1
    num_classes = int(num_classes)
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        bad = y[(y < 0) | (y >= num_classes)][0]
        raise ValueError('to_categorical: label %d is outside [0, %d) (num_classes=%d)'
                         % (bad, num_classes, num_classes))
    n = y.shape[0]
    categorical = np.zeros((n, num_classes), dtype=dtype)
    categorical[np.arange(n), y] = 1
    return categorical.reshape(input_shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Scales an array to unit norm along an axis (zero vectors stay zero).

    Arguments:
        x: a numpy array.
        axis: the axis of the norm.
        order: the norm's order (2 for L2).

    Returns:
        A numpy array of `x`'s shape.
    """
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
