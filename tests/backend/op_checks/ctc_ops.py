"""Checks for the CTC ops (ops/ctc.py) against brute force: every path of a
short input is enumerated, so the loss, its gradient and the decoders are
compared with exact sums."""
import itertools

import numpy as np

from kback.backend.ops import apply

rng = np.random.RandomState(5)


def np_log_softmax(x):
    s = x - x.max(-1, keepdims=True)
    return s - np.log(np.exp(s).sum(-1, keepdims=True))


def collapse(path, blank):
    """CTC's many-to-one map: merge repeats, then drop blanks."""
    return tuple(c for i, c in enumerate(path) if c != blank and (i == 0 or c != path[i - 1]))


def labelling_log_probs(logits, steps):
    """{labelling: log-probability} over every path of the first `steps` steps."""
    logp = np_log_softmax(logits[:steps])
    blank = logits.shape[1] - 1
    probs = {}
    for path in itertools.product(range(logits.shape[1]), repeat=steps):
        p = np.exp(sum(logp[t, c] for t, c in enumerate(path)))
        key = collapse(path, blank)
        probs[key] = probs.get(key, 0.0) + p
    return {k: np.log(v) for k, v in probs.items()}


def np_ctc_loss(logits, labels, input_length, label_length):
    return np.array([-labelling_log_probs(logits[b], input_length[b]).get(
        tuple(labels[b, :label_length[b]]), -np.inf) for b in range(len(logits))])


def np_ctc_loss_grad(logits, labels, input_length, label_length, eps=1e-6):
    grad = np.zeros_like(logits)
    for i in np.ndindex(*logits.shape):
        plus, minus = logits.copy(), logits.copy()
        plus[i] += eps
        minus[i] -= eps
        b = i[0]
        grad[i] = (np_ctc_loss(plus, labels, input_length, label_length)[b] -
                   np_ctc_loss(minus, labels, input_length, label_length)[b]) / (2 * eps)
    return grad


def np_greedy(logits, steps):
    best = logits[:steps].argmax(1)
    return list(collapse(tuple(best), logits.shape[1] - 1)), -logits[:steps].max(1).sum()


def np_best_labellings(logits, steps, top_paths):
    probs = labelling_log_probs(logits, steps)
    ranked = sorted(probs.items(), key=lambda kv: -kv[1])[:top_paths]
    return [(list(k), v) for k, v in ranked]


# Batch of 3: repeated labels (needs a blank between), a short input, an empty label.
LOGITS = rng.uniform(-2, 2, (3, 5, 3))
LABELS = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 0]])
INPUT_LENGTH = np.array([5, 4, 3])
LABEL_LENGTH = np.array([2, 2, 0])


def _packed_reference(greedy, top_paths):
    def reference(x, input_length):
        steps = x.shape[1]
        out = np.full((len(x), top_paths, steps + 1), -1.0)
        for b in range(len(x)):
            paths = [np_greedy(x[b], input_length[b])] if greedy else \
                np_best_labellings(x[b], input_length[b], top_paths)
            for k, (path, score) in enumerate(paths):
                out[b, k, :len(path)] = path
                out[b, k, steps] = score
        return out
    return reference


def _decode_case(greedy, top_paths):
    return dict(build=lambda x, n: apply('ctc_decode', x, n, greedy=greedy, beam_width=50,
                                         top_paths=top_paths, merge_repeated=False),
                inputs=[LOGITS, INPUT_LENGTH], reference=_packed_reference(greedy, top_paths),
                grad=[], rtol=1e-9, atol=1e-9)


CHECKS = {
    'ctc_loss': [dict(build=lambda x, l, n, m: apply('ctc_loss', x, l, n, m),
                      inputs=[LOGITS, LABELS, INPUT_LENGTH, LABEL_LENGTH],
                      reference=np_ctc_loss, rtol=1e-9)],
    'ctc_loss_grad': [dict(build=lambda x, l, n, m: apply('ctc_loss_grad', x, l, n, m),
                           inputs=[LOGITS, LABELS, INPUT_LENGTH, LABEL_LENGTH],
                           reference=np_ctc_loss_grad, grad=[], rtol=1e-5, atol=1e-7)],
    'ctc_decode': [_decode_case(True, 1), _decode_case(False, 1), _decode_case(False, 3)],
    'ctc_label_indices': [dict(build=lambda l, m: apply('ctc_label_indices', l, m),
                               inputs=[LABELS, LABEL_LENGTH],
                               reference=lambda l, m: np.array([[0, 0], [0, 1], [1, 0], [1, 1]]),
                               grad=[])],
}
