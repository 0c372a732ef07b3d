"""Connectionist temporal classification: the loss, its gradient, the greedy
and beam-search decoders, and the indices of a dense label matrix's labels.

Conventions are TensorFlow's (which Keras 2.3 calls): logits are batch-major
(batch, time, classes), the blank is the last class, repeated labels are
merged by the CTC rules, a sample reads only its first input_length steps and
labels[b, :label_length[b]].  Everything runs in log space.  The values of
the lengths and labels are only known at run time, so they are checked there
(each check names the sample at fault).
"""
import numpy as np

from .._shapes import fmt
from .._dtypes import is_float, is_int
from ._registry import register, apply, NOT_DIFFERENTIABLE


def _log_softmax(x):
    s = x - np.max(x, axis=-1, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=-1, keepdims=True))


def _logsumexp(*terms):
    """Elementwise log(sum(exp(terms))) that keeps -inf where every term is -inf."""
    m = np.maximum.reduce(terms)
    shift = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide='ignore'):
        return shift + np.log(sum(np.exp(t - shift) for t in terms))


def _shifted(a, by):
    """a[:, s - by] along axis 1 (by > 0: from the left, by < 0: from the right), -inf outside."""
    out = np.full_like(a, -np.inf)
    if by > 0:
        out[:, by:] = a[:, :-by]
    else:
        out[:, :by] = a[:, -by:]
    return out


# -- checks of run-time values ----------------------------------------------------------

def _check_lengths(fn, lengths, limit, what, limit_name):
    bad = np.flatnonzero((lengths < 0) | (lengths > limit))
    if bad.size:
        b = bad[0]
        raise ValueError(f'{fn}: {what}[{b}] = {lengths[b]} is outside [0, {limit}] '
                         f'({limit_name})')


def _check_labels(fn, labels, label_length, input_length, blank):
    """TensorFlow's rules: labels in [0, blank), and enough time steps for the
    labels plus one blank between each pair of equal neighbours."""
    inside = np.arange(labels.shape[1])[None, :] < label_length[:, None]
    bad = np.argwhere(inside & ((labels < 0) | (labels >= blank)))
    if bad.size:
        b, i = bad[0]
        raise ValueError(f'{fn}: label {labels[b, i]} at [{b}, {i}] is not a class in [0, {blank}) '
                         f'(class {blank}, the last, is the blank)')
    repeats = np.sum(inside[:, 1:] & (labels[:, 1:] == labels[:, :-1]), axis=1)
    required = label_length + repeats
    short = np.flatnonzero(required > input_length)
    if short.size:
        b = short[0]
        raise ValueError(f'{fn}: sample {b} needs at least {required[b]} time steps for its '
                         f'{label_length[b]} labels, but its input_length is {input_length[b]}')


# -- the loss ---------------------------------------------------------------------------

def _ctc_batch(name, inputs):
    """Checks the four inputs of the loss ops; returns the batch size (or None)."""
    x, labels, input_length, label_length = inputs
    if len(x.shape) != 3 or not is_float(x.dtype):
        raise ValueError(f'{name}: logits must be a float tensor (batch, time, classes), got '
                         f'{fmt(x.shape)} {x.dtype}')
    if len(labels.shape) != 2 or not is_int(labels.dtype):
        raise ValueError(f'{name}: labels must be an int tensor (batch, max_label_length), '
                         f'got {fmt(labels.shape)} {labels.dtype}')
    for what, t in (('input_length', input_length), ('label_length', label_length)):
        if len(t.shape) != 1 or not is_int(t.dtype):
            raise ValueError(f'{name}: {what} must be an int vector (batch,), got '
                             f'{fmt(t.shape)} {t.dtype}')
    batches = {t.shape[0] for t in inputs} - {None}
    if len(batches) > 1:
        raise ValueError(f'{name}: logits {fmt(x.shape)}, labels {fmt(labels.shape)}, '
                         f'input_length {fmt(input_length.shape)} and label_length '
                         f'{fmt(label_length.shape)} disagree on the batch size')
    if x.shape[2] is not None and x.shape[2] < 1:
        raise ValueError(f'{name}: logits {fmt(x.shape)} have no classes (the blank is the last)')
    return batches.pop() if batches else None


def _loss_infer(inputs):
    return (_ctc_batch('ctc_loss', inputs),), inputs[0].dtype


def _loss_grad_infer(inputs):
    return (_ctc_batch('ctc_loss_grad', inputs),) + inputs[0].shape[1:], inputs[0].dtype


def _lattice(fn, x, labels, input_length, label_length):
    """The log-softmax, the extended label sequences (blanks between and
    around the labels) and the forward variables alpha, in log space."""
    batch, steps, classes = x.shape
    if not (labels.shape[0] == input_length.shape[0] == label_length.shape[0] == batch):
        raise ValueError(f'{fn}: logits {x.shape}, labels {labels.shape}, input_length '
                         f'{input_length.shape} and label_length {label_length.shape} disagree '
                         'on the batch size')
    blank = classes - 1
    input_length = input_length.astype(np.int64)
    label_length = label_length.astype(np.int64)
    _check_lengths(fn, input_length, steps, 'input_length', 'the time steps of the logits')
    _check_lengths(fn, label_length, labels.shape[1], 'label_length', 'the columns of labels')
    _check_labels(fn, labels, label_length, input_length, blank)
    width = 2 * labels.shape[1] + 1
    ext = np.full((batch, width), blank, dtype=np.int64)
    # Entries past a sample's label_length may hold anything (padding such as -1).
    ext[:, 1::2] = np.where(np.arange(labels.shape[1])[None, :] < label_length[:, None],
                            labels, blank)
    valid = np.arange(width)[None, :] < 2 * label_length[:, None] + 1
    # A label may be reached from two states back (skipping the blank between)
    # unless it repeats the label there.
    skip = np.zeros((batch, width), dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    logp = _log_softmax(x.astype(np.float64))
    lpe = np.take_along_axis(logp, np.broadcast_to(ext[:, None, :], (batch, steps, width)), 2)
    lpe = np.where(valid[:, None, :], lpe, -np.inf)
    alpha = np.full((batch, steps, width), -np.inf)
    if steps:
        alpha[:, 0, :min(2, width)] = lpe[:, 0, :min(2, width)]
    for t in range(1, steps):
        prev = alpha[:, t - 1]
        new = _logsumexp(prev, _shifted(prev, 1), np.where(skip, _shifted(prev, 2), -np.inf))
        # Past its input_length a sample's alpha stays at its last step.
        alpha[:, t] = np.where((t < input_length)[:, None], new + lpe[:, t], prev)
    return dict(logp=logp, lpe=lpe, ext=ext, skip=skip, alpha=alpha,
                input_length=input_length, label_length=label_length)


def _log_likelihood(lat):
    alpha, il, ll = lat['alpha'], lat['input_length'], lat['label_length']
    rows = np.arange(alpha.shape[0])
    last = alpha[rows, np.maximum(il - 1, 0)]
    end = last[rows, 2 * ll]
    before = np.where(ll > 0, last[rows, np.maximum(2 * ll - 1, 0)], -np.inf)
    # No input steps: only the empty labelling, with probability 1.
    return np.where(il == 0, 0.0, _logsumexp(end, before))


def _ctc_loss(x, labels, input_length, label_length):
    lat = _lattice('ctc_loss', x, labels, input_length, label_length)
    return (-_log_likelihood(lat)).astype(x.dtype)


def _ctc_loss_grad(x, labels, input_length, label_length):
    """d loss[b] / d logits[b]: softmax minus the posterior occupancy of each
    class (zero past input_length).  It recomputes the forward variables:
    the loss op returns only the loss."""
    lat = _lattice('ctc_loss', x, labels, input_length, label_length)
    lpe, skip, alpha, il = lat['lpe'], lat['skip'], lat['alpha'], lat['input_length']
    ll = lat['label_length']
    batch, steps, width = lpe.shape
    beta = np.full_like(alpha, -np.inf)
    rows = np.arange(batch)
    ends = np.full((batch, width), -np.inf)
    ends[rows, 2 * ll] = 0.0
    ends[rows[ll > 0], 2 * ll[ll > 0] - 1] = 0.0
    skip_from = _shifted(skip.astype(float), -2) > 0    # s -> s + 2 allowed
    for t in range(steps - 1, -1, -1):
        if t + 1 < steps:
            nxt = beta[:, t + 1]
            rec = _logsumexp(nxt, _shifted(nxt, -1), np.where(skip_from, _shifted(nxt, -2), -np.inf))
        else:
            rec = np.full((batch, width), -np.inf)
        here = np.where((t == il - 1)[:, None], ends, np.where((t < il - 1)[:, None], rec, -np.inf))
        beta[:, t] = here + lpe[:, t]
    total = _log_likelihood(lat)
    with np.errstate(invalid='ignore'):
        log_post = alpha + beta - np.where(np.isfinite(lpe), lpe, 0.0) - total[:, None, None]
    post = np.where(np.isfinite(log_post), np.exp(np.minimum(log_post, 0.0)), 0.0)
    classes = x.shape[2]
    occupancy = np.einsum('bts,bsc->btc', post, np.eye(classes)[lat['ext']])
    grad = np.exp(lat['logp']) - occupancy
    grad[np.arange(steps)[None, :] >= il[:, None]] = 0.0
    return grad.astype(x.dtype)


def _ctc_loss_rule(node, g, needs):
    per_sample = apply('ctc_loss_grad', *node.inputs)
    return [apply('expand_dims', apply('expand_dims', g, axes=(1,)), axes=(2,)) * per_sample,
            None, None, None]


register('ctc_loss', _loss_infer, _ctc_loss, _ctc_loss_rule)
# Second derivatives of the CTC loss are not supported (as in TensorFlow).
register('ctc_loss_grad', _loss_grad_infer, _ctc_loss_grad)


# -- decoders -----------------------------------------------------------------------------
# A decoder's result is one float64 array (batch, top_paths, time + 1): each
# path's labels padded with -1, then its log-probability in the last column;
# K.ctc_decode splits it (an op has one output).

def _decode_infer(inputs, greedy, beam_width, top_paths, merge_repeated):
    x, input_length = inputs
    if len(x.shape) != 3 or not is_float(x.dtype):
        raise ValueError(f'ctc_decode: y_pred must be a float tensor (batch, time, classes), got '
                         f'{fmt(x.shape)} {x.dtype}')
    if len(input_length.shape) != 1 or not is_int(input_length.dtype):
        raise ValueError(f'ctc_decode: input_length must be an int vector (batch,), got '
                         f'{fmt(input_length.shape)} {input_length.dtype}')
    if None not in (x.shape[0], input_length.shape[0]) and x.shape[0] != input_length.shape[0]:
        raise ValueError(f'ctc_decode: y_pred {fmt(x.shape)} and input_length '
                         f'{fmt(input_length.shape)} disagree on the batch size')
    steps = None if x.shape[1] is None else x.shape[1] + 1
    batch = x.shape[0] if x.shape[0] is not None else input_length.shape[0]
    return (batch, top_paths, steps), 'float64'


def _merged(path, merge_repeated):
    if not merge_repeated:
        return path
    return [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]


def _greedy(x, steps, blank):
    """Best path: the most likely class per step, repeats merged, blanks
    dropped; TensorFlow's score, minus the sum of the chosen inputs."""
    best = np.argmax(x[:steps], axis=1)
    path = [int(c) for i, c in enumerate(best) if c != blank and (i == 0 or c != best[i - 1])]
    return [(path, -float(np.sum(np.max(x[:steps], axis=1))))]


def _beam_search(x, steps, blank, beam_width, top_paths):
    """CTC prefix beam search over the log-softmax of x: each beam is a label
    prefix with the log-probabilities of its paths ending in a blank (pb) and
    in its last label (pnb); beam_width prefixes survive each step."""
    logp = _log_softmax(x[:steps].astype(np.float64))
    labels = np.array([c for c in range(x.shape[1]) if c != blank], dtype=np.int64)
    prefixes, pb, pnb = [()], np.array([0.0]), np.array([-np.inf])
    for t in range(steps):
        lp = logp[t]
        total = np.logaddexp(pb, pnb)
        last = np.array([p[-1] if p else -1 for p in prefixes])
        # Staying: a blank, or the last label again (merged into the prefix).
        stay_b = total + lp[blank]
        stay_nb = np.where(last >= 0, pnb + lp[np.maximum(last, 0)], -np.inf)
        # Extending by label c; after the same label only through a blank.
        ext = np.where(labels[None, :] == last[:, None], pb[:, None], total[:, None]) + \
            lp[labels][None, :]
        index = {p: i for i, p in enumerate(prefixes)}
        for i, p in enumerate(prefixes):
            if p and p[:-1] in index:       # this prefix is also its parent's extension
                j, c = index[p[:-1]], int(np.searchsorted(labels, p[-1]))
                stay_nb[i] = np.logaddexp(stay_nb[i], ext[j, c])
                ext[j, c] = -np.inf
        scores = np.concatenate([np.logaddexp(stay_b, stay_nb), ext.ravel()])
        keep = min(beam_width, np.count_nonzero(np.isfinite(scores)))
        chosen = np.argsort(-scores, kind='stable')[:keep]
        n = len(prefixes)
        new_prefixes, new_pb, new_pnb = [], [], []
        for k in chosen:
            if k < n:
                new_prefixes.append(prefixes[k])
                new_pb.append(stay_b[k])
                new_pnb.append(stay_nb[k])
            else:
                i, c = divmod(k - n, len(labels))
                new_prefixes.append(prefixes[i] + (int(labels[c]),))
                new_pb.append(-np.inf)
                new_pnb.append(ext[i, c])
        prefixes, pb, pnb = new_prefixes, np.array(new_pb), np.array(new_pnb)
    total = np.logaddexp(pb, pnb)
    order = np.argsort(-total, kind='stable')[:top_paths]
    return [(list(prefixes[i]), float(total[i])) for i in order]


def _decode(x, input_length, greedy, beam_width, top_paths, merge_repeated):
    batch, steps, classes = x.shape
    if input_length.shape[0] != batch:
        raise ValueError(f'ctc_decode: y_pred {x.shape} and input_length {input_length.shape} '
                         'disagree on the batch size')
    _check_lengths('ctc_decode', input_length.astype(np.int64), steps, 'input_length',
                   'the time steps of y_pred')
    out = np.full((batch, top_paths, steps + 1), -1.0)
    out[:, :, steps] = -np.inf
    for b in range(batch):
        n = int(input_length[b])
        if greedy:
            paths = _greedy(x[b], n, classes - 1)
        else:
            paths = _beam_search(x[b], n, classes - 1, beam_width, top_paths)
        for k, (path, score) in enumerate(paths):
            path = _merged(path, merge_repeated and not greedy)
            out[b, k, :len(path)] = path
            out[b, k, steps] = score
    return out


register('ctc_decode', _decode_infer, _decode, NOT_DIFFERENTIABLE)


# -- the positions of the labels in a dense label matrix ----------------------------------

def _label_indices_infer(inputs):
    labels, label_length = inputs
    if len(labels.shape) != 2 or len(label_length.shape) != 1 or not is_int(label_length.dtype):
        raise ValueError(f'ctc_label_dense_to_sparse: labels must be (batch, max_length) and '
                         f'label_lengths an int vector (batch,), got {fmt(labels.shape)} and '
                         f'{fmt(label_length.shape)} {label_length.dtype}')
    return (None, 2), 'int64'


def _label_indices(labels, label_length):
    if labels.shape[0] != label_length.shape[0]:
        raise ValueError(f'ctc_label_dense_to_sparse: labels {labels.shape} and label_lengths '
                         f'{label_length.shape} disagree on the batch size')
    _check_lengths('ctc_label_dense_to_sparse', label_length.astype(np.int64), labels.shape[1],
                   'label_lengths', 'the columns of labels')
    inside = np.arange(labels.shape[1])[None, :] < label_length[:, None]
    return np.argwhere(inside).astype(np.int64)


register('ctc_label_indices', _label_indices_infer, _label_indices, NOT_DIFFERENTIABLE)
