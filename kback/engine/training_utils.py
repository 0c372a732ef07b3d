"""Checking and shaping the arrays given to fit/evaluate/predict, with
Keras 2's error messages, and batch index helpers."""
import numpy as np

from .. import backend as K
from ..utils import metrics_utils


def standardize_arrays(data, names, shapes, what, check_batch_axis=False, check_shape=True):
    """A list of numpy arrays, one per name, checked against `shapes`.

    data may be one array, a list, or a dict keyed by name.  1-D arrays are
    made (n, 1) when the expected rank is 2, as Keras does."""
    if data is None:
        return [None] * len(names)
    if isinstance(data, dict):
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f'No data provided for "{missing[0]}". Need data for each key in: '
                             f'{names}')
        arrays = [data[n] for n in names]
    elif isinstance(data, (list, tuple)):
        arrays = list(data)
        if len(arrays) != len(names):
            raise ValueError(f'Error when checking model {what}: the list of Numpy arrays that '
                             'you are passing to your model is not the size the model expected. '
                             f'Expected to see {len(names)} array(s), but instead got the '
                             f'following list of {len(arrays)} arrays: '
                             f'{[_describe(a) for a in arrays][:5]}')
    else:
        if len(names) != 1:
            raise ValueError(f'Error when checking model {what}: you are passing a single '
                             f'array, but the model expects a list of {len(names)} arrays '
                             f'({names}).')
        arrays = [data]
    out = []
    for name, shape, array in zip(names, shapes, arrays):
        array = np.asarray(array)
        if shape is not None:
            if array.ndim == 1 and len(shape) == 2:
                array = array[:, None]
            if array.ndim != len(shape):
                raise ValueError(f'Error when checking {what}: expected {name} to have '
                                 f'{len(shape)} dimensions, but got array with shape '
                                 f'{array.shape}')
            if check_shape:
                dims = zip(shape, array.shape) if check_batch_axis else \
                    zip(shape[1:], array.shape[1:])
                for want, got in dims:
                    if want is not None and want != got:
                        raise ValueError(f'Error when checking {what}: expected {name} to have '
                                         f'shape {shape[1:]} but got array with shape '
                                         f'{array.shape}')
        out.append(array)
    return out


def _describe(a):
    return f'array of shape {np.shape(a)}'


def check_lengths(inputs, targets, weights=None):
    def lengths(arrays):
        return {len(a) for a in arrays if a is not None}
    n_in, n_t = lengths(inputs), lengths(targets)
    if len(n_in) > 1:
        raise ValueError('All input arrays (x) should have the same number of samples. Got '
                         f'array shapes: {[a.shape for a in inputs]}')
    if len(n_t) > 1:
        raise ValueError('All target arrays (y) should have the same number of samples. Got '
                         f'array shapes: {[a.shape for a in targets if a is not None]}')
    if n_in and n_t and n_in != n_t:
        raise ValueError(f'Input arrays should have the same number of samples as target '
                         f'arrays. Found {n_in.pop()} input samples and {n_t.pop()} target '
                         'samples.')
    for w, y in zip(weights or [], targets):
        if w is not None and y is not None and len(w) != len(y):
            raise ValueError(f'Found a sample_weight array with shape {w.shape} for an input '
                             f'with shape {y.shape}. sample_weight cannot be broadcast.')


def check_loss_and_target(targets, loss_fns, output_shapes):
    """Catch the classic mistakes (integer labels with categorical
    crossentropy, targets shaped unlike the output) before training."""
    from .. import losses
    for y, fn, shape in zip(targets, loss_fns, output_shapes):
        if y is None or fn is None:
            continue
        name = getattr(fn, '__name__', type(fn).__name__)
        if fn is losses.categorical_crossentropy and y.shape[-1] == 1:
            raise ValueError(f'You are passing a target array of shape {y.shape} while using as '
                             'loss `categorical_crossentropy`. `categorical_crossentropy` '
                             'expects targets to be binary matrices (1s and 0s) of shape '
                             '(samples, classes). If your targets are integer classes, you can '
                             'convert them to the expected format via: '
                             '`from kback.utils import to_categorical; '
                             'y_binary = to_categorical(y_int)`. Alternatively, you can use the '
                             'loss function `sparse_categorical_crossentropy` instead, which '
                             'does expect integer targets.')
        if _is_sparse_crossentropy(fn) and shape and y.ndim == len(shape) and \
                y.shape[-1] != 1:
            # Keras 2.3 checks the target against the output shape with a last dim of 1.
            raise ValueError(f'A target array with shape {y.shape} was passed for an output of '
                             f'shape {shape} while using as loss `sparse_categorical_'
                             'crossentropy`, which expects integer class indices of shape '
                             f'{shape[:-1] + (1,)}. For one-hot targets use the loss '
                             '`categorical_crossentropy`, or pass `np.argmax(y, axis=-1)`.')
        if fn in (losses.mean_squared_error, losses.binary_crossentropy,
                  losses.categorical_crossentropy):
            for want, got in zip(shape[1:], y.shape[1:]):
                if want is not None and want != got:
                    raise ValueError(f'A target array with shape {y.shape} was passed for an '
                                     f'output of shape {shape} while using as loss `{name}`. '
                                     'This loss expects targets to have the same shape as the '
                                     'output.')


def _is_sparse_crossentropy(fn):
    from .. import losses
    if isinstance(fn, losses.LossFunctionWrapper):
        # A class axis other than the last is not what the check assumes.
        return fn.fn is losses.sparse_categorical_crossentropy and \
            fn._fn_kwargs.get('axis', -1) == -1
    return fn is losses.sparse_categorical_crossentropy


def standardize_sample_weights(sample_weight, names):
    """One entry per output: a dict may name only some outputs (the others
    get None, i.e. weights of one), a list must have one entry per output."""
    if sample_weight is None:
        return [None] * len(names)
    if isinstance(sample_weight, dict):
        unknown = sorted(set(sample_weight) - set(names))
        if unknown:
            raise ValueError(f'Unknown entries in sample_weight dictionary: {unknown}. Only '
                             f'expected the following keys: {names}')
        return [sample_weight.get(n) for n in names]
    if isinstance(sample_weight, (list, tuple)):
        if len(sample_weight) != len(names):
            raise ValueError(f'Provided `sample_weight` was a list of {len(sample_weight)} '
                             f'elements, but the model has {len(names)} outputs. You should '
                             'provide one `sample_weight` array per model output.')
        return list(sample_weight)
    if len(names) != 1:
        raise ValueError(f'The model has {len(names)} outputs, so `sample_weight` should be a '
                         f'list or a dict keyed by output name ({names}), not one array.')
    return [sample_weight]


def standardize_weights(y, sample_weight=None, class_weight=None, sample_weight_mode=None):
    """The weights of one output's targets `y` (Keras 2.3's
    standardize_weights): `sample_weight` checked against y, or weights from
    `class_weight`, or ones: shape (samples,), or (samples, timesteps) with
    sample_weight_mode='temporal'."""
    if sample_weight_mode not in (None, 'temporal', 'samplewise'):
        raise ValueError('"sample_weight_mode" should be None or "temporal". Found: '
                         f'{sample_weight_mode!r}')
    temporal = sample_weight_mode == 'temporal'
    if temporal and y.ndim < 3:
        raise ValueError(f'Found a sample_weight array for an input with shape {y.shape}. '
                         'Timestep-wise sample weighting (use of sample_weight_mode='
                         '"temporal") is restricted to outputs that are at least 3D, i.e. that '
                         'have a time dimension.')
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)
        if temporal and sample_weight.ndim != 2:
            raise ValueError(f'Found a sample_weight array with shape {sample_weight.shape}. '
                             'In order to use timestep-wise sample weighting, you should pass '
                             'a 2D sample_weight array.')
        if not temporal and sample_weight.ndim != 1:
            raise ValueError(f'Found a sample_weight array with shape {sample_weight.shape}. '
                             'In order to use timestep-wise sample weights, you should specify '
                             'sample_weight_mode="temporal" in compile(). If you just mean to '
                             'use sample-wise weights, make sure your sample_weight array is '
                             '1D.')
        if y.shape[:sample_weight.ndim] != sample_weight.shape:
            raise ValueError(f'Found a sample_weight array with shape {sample_weight.shape} for '
                             f'an input with shape {y.shape}. sample_weight cannot be '
                             'broadcast.')
        weights = sample_weight.astype(K.floatx())
    else:
        weights = np.ones(y.shape[:2] if temporal else y.shape[:1], K.floatx())
    if class_weight is not None:
        if y.ndim > 2:
            raise ValueError('`class_weight` not supported for 3+ dimensional targets.')
        weights = weights * class_weights_to_sample(y, class_weight)
    return weights


def class_weights_to_sample(y, class_weight):
    """Per-sample weights from a {class: weight} dict (one-hot or index targets)."""
    if y.ndim > 1 and y.shape[-1] > 1:
        classes = np.argmax(y, axis=-1)
    else:
        classes = np.round(y.reshape(len(y))).astype(int)
    missing = set(np.unique(classes).tolist()) - set(class_weight)
    if missing:
        raise ValueError(f'`class_weight` must contain all classes in the data. The classes '
                         f'{sorted(missing)} exist in the data but not in `class_weight`.')
    return np.asarray([class_weight[c] for c in classes], dtype=K.floatx())


def check_generator_arguments(y=None, sample_weight=None, validation_split=None):
    """fit/evaluate on a generator or Sequence take targets and weights from it."""
    if y is not None:
        raise ValueError('`y` argument is not supported when data is a generator or Sequence '
                         'instance. Instead pass targets as the second element of the '
                         'generator.')
    if sample_weight is not None:
        raise ValueError('`sample_weight` argument is not supported when data is a generator '
                         'or Sequence instance. Instead pass sample weights as the third '
                         'element of the generator.')
    if validation_split:
        raise ValueError('If your data is in the form of a Python generator, you cannot use '
                         '`validation_split`.')


def make_batches(size, batch_size):
    return [(i, min(size, i + batch_size)) for i in range(0, size, batch_size)]


class BatchGatherer:
    """Rows of the arrays at shuffled indices, written into one buffer per
    array allocated once per fit (a fresh array per batch costs an allocation
    and page faults).  Safe because a compiled function never keeps a fed
    array after the call (outputs that are inputs are copied, assigned values
    are copied into their variables) and the loop runs each batch before
    asking for the next.  An array of all ones (the default sample weights)
    is fed as a view of a ones buffer, without gathering."""

    def __init__(self, arrays, batch_size):
        self.batch_size = batch_size
        self.gathers = []             # (position in the feed, array, buffer)
        self.template = []            # the feed, with the constant entries filled in
        for i, a in enumerate(arrays):
            rows = min(batch_size, len(a)) if a is not None else 0
            if a is None:
                self.template.append(None)
            elif a.ndim == 1 and a.dtype.kind == 'f' and bool(np.all(a == 1)):
                self.template.append(np.ones(rows, a.dtype))
            else:
                self.template.append(None)
                self.gathers.append((i, a, np.empty((rows,) + a.shape[1:], a.dtype)))

    def __call__(self, index):
        k = len(index)
        feed = list(self.template)
        if k != self.batch_size:
            feed = [None if f is None else f[:k] for f in feed]
        for i, a, buf in self.gathers:
            out = buf if k == len(buf) else buf[:k]
            # mode='clip' (the indices are valid) lets numpy write straight into out.
            a.take(index, axis=0, out=out, mode='clip')
            feed[i] = out
        return feed


def slice_arrays(arrays, index):
    """Rows `index` (a slice or an index array) of each array."""
    return [None if a is None else a[index] for a in arrays]


def masked_weights(mask, sample_weight, output):
    """The weights of an output's loss and metrics once its mask is applied
    (Keras 2.3's _prepare_total_loss / call_metric_function): the mask
    itself when there are no weights, else the weights, made to broadcast
    against the mask, times the mask."""
    if mask is None:
        return sample_weight
    dtype = K.dtype(output) if K.dtype(output).startswith('float') else K.floatx()
    mask = K.cast(mask, dtype)
    if sample_weight is None:
        return mask
    mask, _, sample_weight = metrics_utils.squeeze_or_expand_dimensions(mask, None,
                                                                         sample_weight)
    return K.cast(sample_weight, dtype) * mask
