"""Keras 2.3's CTC functions: ctc_batch_cost, ctc_decode and
ctc_label_dense_to_sparse.

As Keras's TensorFlow backend, y_pred is the softmax output (batch, time,
classes) with the blank as the last class; the loss and the decoders work on
log(y_pred + epsilon).  The algorithms are the ops in ops/ctc.py.
"""
from collections import namedtuple

from . import _shapes, config
from ._shapes import fmt
from ._dtypes import is_float
from .tensor import as_tensor
from .core import cast, shape as shape_of
from .math import gather, log
from .ops import apply
from .shape import expand_dims, reshape

# kback has no sparse tensors: the fields of TensorFlow's SparseTensor, as tensors.
SparseLabels = namedtuple('SparseLabels', 'indices values dense_shape')


def _lengths(fn, name, lengths):
    """(batch, 1) or (batch,) lengths as an int32 vector (floats truncated, as tf.to_int32)."""
    lengths = as_tensor(lengths)
    if len(lengths.shape) == 2 and lengths.shape[1] == 1:
        lengths = lengths[:, 0]
    if len(lengths.shape) != 1:
        raise ValueError(f'{fn}: {name} must have shape (batch, 1) or (batch,), got '
                         f'{fmt(lengths.shape)}')
    return cast(lengths, 'int32')


def _log_probs(fn, y_pred):
    y_pred = as_tensor(y_pred)
    if not is_float(y_pred.dtype):
        raise ValueError(f'{fn}: y_pred must be float softmax outputs (batch, time, classes), '
                         f'got {fmt(y_pred.shape)} {y_pred.dtype}')
    return log(y_pred + config.epsilon())


def ctc_label_dense_to_sparse(labels, label_lengths):
    """The first `label_lengths[b]` entries of each row of `labels`, as the
    (indices, values, dense_shape) of a sparse tensor, in row-major order.

    Arguments:
        labels: an int tensor (batch, max_label_length).
        label_lengths: an int tensor (batch,) or (batch, 1): how many entries
            of each row are labels.

    Returns:
        A `SparseLabels(indices, values, dense_shape)` tuple of tensors
        (kback has no sparse tensor type).
    """
    labels = as_tensor(labels)
    indices = apply('ctc_label_indices', labels,
                    _lengths('ctc_label_dense_to_sparse', 'label_lengths', label_lengths))
    width = cast(shape_of(labels)[1], 'int64')
    values = gather(reshape(labels, (-1,)), indices[:, 0] * width + indices[:, 1])
    return SparseLabels(indices, values, cast(shape_of(labels), 'int64'))


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """The CTC loss of each sample, computed in log space on
    `log(y_pred + epsilon)` as Keras 2.3's TensorFlow backend does.

    Arguments:
        y_true: int labels (batch, max_label_length), read up to `label_length`
            (entries past it may hold anything, e.g. -1 padding); the blank is
            the last class.
        y_pred: softmax outputs (batch, time, classes), read up to `input_length`.
        input_length: (batch, 1) ints: the time steps of each sample.
        label_length: (batch, 1) ints: the labels of each sample.

    Returns:
        A tensor (batch, 1) of losses.

    Raises:
        ValueError: at run time, for lengths out of range, a label that is the
            blank or beyond, or too few time steps for a sample's labels.
    """
    fn = 'ctc_batch_cost'
    logits = _log_probs(fn, y_pred)
    labels = cast(as_tensor(y_true), 'int32')
    loss = apply('ctc_loss', logits, labels, _lengths(fn, 'input_length', input_length),
                 _lengths(fn, 'label_length', label_length))
    return expand_dims(loss, 1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1,
               merge_repeated=False):
    """Decodes softmax outputs by best path (greedy) or by prefix beam search.

    Arguments:
        y_pred: softmax outputs (batch, time, classes); the blank is the last class.
        input_length: (batch,) or (batch, 1) ints: the time steps of each sample.
        greedy: best-path decoding instead of beam search.
        beam_width: the beam search's width.
        top_paths: how many paths beam search returns (at most `beam_width`).
        merge_repeated: whether beam search merges repeated labels in a path.

    Returns:
        A pair `(decoded, log_prob)`. `decoded` is a list of `top_paths` int64
        tensors (batch, time), each sample's labels padded with -1 (one tensor when
        greedy); `log_prob` is (batch, top_paths): for beam search the
        log-probability of each path, for greedy TensorFlow's score (minus the
        sum of the chosen log(y_pred + epsilon)).

    Raises:
        ValueError: for `top_paths` > `beam_width`, or widths below 1.
    """
    fn = 'ctc_decode'
    x = _log_probs(fn, y_pred)
    if greedy:
        beam_width, top_paths = 1, 1
    else:
        beam_width = _shapes.as_int(fn, 'beam_width', beam_width, minimum=1)
        top_paths = _shapes.as_int(fn, 'top_paths', top_paths, minimum=1)
        if top_paths > beam_width:
            raise ValueError(f'{fn}: top_paths ({top_paths}) must not exceed beam_width '
                             f'({beam_width})')
    packed = apply('ctc_decode', x, _lengths(fn, 'input_length', input_length),
                   greedy=bool(greedy), beam_width=beam_width, top_paths=top_paths,
                   merge_repeated=bool(merge_repeated))
    decoded = [cast(packed[:, k, :-1], 'int64') for k in range(top_paths)]
    return decoded, cast(packed[:, :, -1], x.dtype)
