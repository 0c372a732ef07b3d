"""K.ctc_batch_cost, K.ctc_decode and K.ctc_label_dense_to_sparse against
brute-force references (every path enumerated), their gradients by finite
differences, long sequences in log space, errors, and a model that learns
with the CTC loss."""
import numpy as np
import pytest

from kback import backend as K
from kback.layers import Input, Dense, Lambda, GRU
from kback.models import Model
from kback.optimizers import Adam
from gradcheck import check_op
from backend.op_checks.ctc_ops import np_ctc_loss, np_greedy, np_best_labellings

rng = np.random.RandomState(11)
EPS = 1e-7


def softmax_outputs(*shape):
    e = np.exp(rng.uniform(-2, 2, shape))
    return e / e.sum(-1, keepdims=True)


# -- ctc_batch_cost ------------------------------------------------------------------------

def test_ctc_batch_cost_is_the_loss_of_log_y_pred_as_keras_computes_it():
    y_pred = softmax_outputs(4, 5, 4)
    labels = np.array([[2, 2, 0], [0, 1, 2], [1, 0, 0], [0, 0, 1]], dtype='float32')
    input_length = np.array([[5], [5], [2], [4]])
    label_length = np.array([[2], [3], [1], [0]])
    yp = K.placeholder((None, 5, 4))
    out = K.ctc_batch_cost(K.constant(labels), yp, K.constant(input_length, 'int32'),
                           K.constant(label_length, 'int32'))
    assert K.int_shape(out) == (4, 1) and K.dtype(out) == 'float32'
    got = K.function([yp], [out])([y_pred.astype('float32')])[0]
    expected = np_ctc_loss(np.log(y_pred + EPS), labels.astype(int), input_length[:, 0],
                           label_length[:, 0])
    np.testing.assert_allclose(got[:, 0], expected, rtol=2e-5)


def test_ctc_batch_cost_gradient_matches_finite_differences():
    labels = np.array([[1, 1], [0, 2]])
    lengths = [K.constant([[4], [3]], 'int32'), K.constant([[2], [2]], 'int32')]
    check_op(lambda y: K.ctc_batch_cost(K.constant(labels, 'int32'), y, *lengths),
             [softmax_outputs(2, 4, 4)], lambda y: np_ctc_loss(
                 np.log(y + EPS), labels, [4, 3], [2, 2])[:, None], rtol=1e-9)


def test_ctc_loss_stays_finite_and_exact_on_long_sequences():
    # Probability of the labelling ~ exp(-1500): any probability-space recursion underflows.
    steps = 300
    logits = rng.uniform(-3, 3, (2, steps, 5))
    logits[:, :, 4] -= 5.0
    labels = np.zeros((2, 1), dtype='int32')
    x = K.placeholder((2, steps, 5), dtype='float64')
    loss = K.sum(K.ctc_batch_cost(labels, K.softmax(x), K.constant([[steps], [steps]], 'int32'),
                                  K.constant([[0], [0]], 'int32')))
    value, grad = K.function([x], [loss] + K.gradients(loss, [x]))([logits])
    # With an empty label the only path is all blanks (of the renormalised y_pred + eps).
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    np.testing.assert_allclose(value, -np.log((np.exp(logp[:, :, 4]) + EPS) / (1 + 5 * EPS)).sum(),
                               rtol=1e-12)
    assert value > 1000 and np.all(np.isfinite(grad))
    labels = np.array([[0, 1, 2, 3, 2]])
    x1 = K.placeholder((1, steps, 5), dtype='float64')
    loss = K.ctc_batch_cost(labels, K.softmax(x1), [[steps]], [[5]])
    value, grad = K.function([x1], [loss] + K.gradients(K.sum(loss), [x1]))([logits[:1]])
    assert np.isfinite(value).all() and np.all(np.isfinite(grad)) and value[0, 0] > 100
    # The gradient of the loss of a softmax output sums to zero over the classes.
    np.testing.assert_allclose(grad.sum(-1), 0, atol=1e-9)


def test_labels_past_label_length_are_ignored_whatever_they_hold():
    y_pred = softmax_outputs(2, 5, 4)
    lengths = [K.constant([[5], [5]], 'int32'), K.constant([[2], [1]], 'int32')]
    padded = K.ctc_batch_cost(K.constant([[1, 2, -1, 7], [0, -1, -1, -1]], 'int32'),
                              K.constant(y_pred), *lengths)
    clean = K.ctc_batch_cost(K.constant([[1, 2, 0, 0], [0, 0, 0, 0]], 'int32'),
                             K.constant(y_pred), *lengths)
    np.testing.assert_allclose(K.eval(padded), K.eval(clean), rtol=1e-6)


@pytest.mark.parametrize('lengths, labels, message', [
    ((6, 2), [[0, 1]], r'ctc_loss: input_length\[0\] = 6 is outside \[0, 5\]'),
    ((5, 3), [[0, 1]], r'ctc_loss: label_length\[0\] = 3 is outside \[0, 2\]'),
    ((5, 2), [[0, 3]], r'ctc_loss: label 3 at \[0, 1\] is not a class in \[0, 3\)'),
    ((2, 2), [[1, 1]], r'ctc_loss: sample 0 needs at least 3 time steps for its 2 labels, '
                       r'but its input_length is 2'),
])
def test_ctc_batch_cost_checks_lengths_and_labels_at_run_time(lengths, labels, message):
    yp = K.placeholder((1, 5, 4))
    out = K.ctc_batch_cost(K.constant(labels, 'int32'), yp, K.constant([[lengths[0]]], 'int32'),
                           K.constant([[lengths[1]]], 'int32'))
    with pytest.raises(ValueError, match=message):
        K.function([yp], [out])([softmax_outputs(1, 5, 4)])


def test_ctc_batch_cost_checks_shapes_when_built():
    y = K.placeholder((2, 5, 4))
    with pytest.raises(ValueError, match=r'ctc_loss: logits .*\(2, 5, 4\).*labels \(3, 2\)'):
        K.ctc_batch_cost(K.placeholder((3, 2)), y, K.ones((2, 1)), K.ones((2, 1)))
    with pytest.raises(ValueError, match=r'ctc_batch_cost: input_length must have shape '
                                         r'\(batch, 1\) or \(batch,\), got \(2, 2\)'):
        K.ctc_batch_cost(K.placeholder((2, 2)), y, K.ones((2, 2)), K.ones((2, 1)))
    with pytest.raises(ValueError, match=r'ctc_loss: logits must be a float tensor'):
        K.ctc_batch_cost(K.placeholder((2, 2)), K.placeholder((2, 5)), K.ones((2, 1)),
                         K.ones((2, 1)))
    with pytest.raises(ValueError, match=r'ctc_batch_cost: y_pred must be float'):
        K.ctc_batch_cost(K.placeholder((2, 2)), K.placeholder((2, 5, 3), dtype='int32'),
                         K.ones((2, 1)), K.ones((2, 1)))


# -- ctc_decode -----------------------------------------------------------------------------

def test_greedy_decode_pads_with_minus_one_and_scores_as_tensorflow():
    y_pred = softmax_outputs(3, 6, 4)
    y_pred[0, :, :] = np.eye(4)[[0, 0, 3, 0, 1, 1]] * 0.9 + 0.025   # 0 0 _ 0 1 1 -> 0 0 1
    lengths = np.array([6, 4, 1])
    yp = K.placeholder((None, 6, 4))
    decoded, log_prob = K.ctc_decode(yp, K.constant(lengths, 'int32'))
    assert len(decoded) == 1 and K.int_shape(decoded[0])[1:] == (6,)
    assert K.dtype(decoded[0]) == 'int64' and K.int_shape(log_prob)[1:] == (1,)
    got, score = K.function([yp], decoded + [log_prob])([y_pred.astype('float32')])
    x = np.log(y_pred + EPS)
    for b in range(3):
        path, expected_score = np_greedy(x[b], lengths[b])
        np.testing.assert_array_equal(got[b], path + [-1] * (6 - len(path)))
        np.testing.assert_allclose(score[b, 0], expected_score, rtol=1e-5)
    np.testing.assert_array_equal(got[0], [0, 0, 1, -1, -1, -1])


@pytest.mark.parametrize('top_paths', [1, 2, 4])
def test_beam_search_finds_the_most_likely_labellings(top_paths):
    y_pred = softmax_outputs(2, 5, 3)
    lengths = np.array([[5], [3]])
    yp = K.placeholder((2, 5, 3), dtype='float64')
    decoded, log_prob = K.ctc_decode(yp, lengths, greedy=False, beam_width=64,
                                     top_paths=top_paths)
    assert len(decoded) == top_paths and K.int_shape(log_prob) == (2, top_paths)
    got = K.function([yp], decoded + [log_prob])([y_pred])
    x = np.log(y_pred + EPS)
    for b in range(2):
        best = np_best_labellings(x[b], lengths[b, 0], top_paths)
        for k, (path, score) in enumerate(best):
            np.testing.assert_array_equal(got[k][b], path + [-1] * (5 - len(path)))
            np.testing.assert_allclose(got[-1][b, k], score, rtol=1e-9)


def test_beam_search_differs_from_best_path_where_paths_add_up():
    # The best path is "__" (0.16) but labellings "0" and "1" each collect three
    # paths ("00", "0_", "_0": 0.09 + 0.12 + 0.12).
    y_pred = np.array([[[0.3, 0.3, 0.4], [0.3, 0.3, 0.4]]])
    greedy, _ = K.ctc_decode(K.constant(y_pred), K.constant([2], 'int32'))
    beam, log_prob = K.ctc_decode(K.constant(y_pred), K.constant([2], 'int32'), greedy=False)
    assert K.eval(greedy[0]).tolist() == [[-1, -1]]
    assert K.eval(beam[0]).tolist()[0][0] in (0, 1)
    np.testing.assert_allclose(np.exp(K.eval(log_prob)[0, 0]), 0.3 * 0.3 + 2 * 0.3 * 0.4,
                               rtol=1e-5)


def test_beam_search_merge_repeated_merges_equal_neighbours_of_the_output():
    y_pred = np.full((1, 3, 3), 0.01)
    y_pred[0, [0, 2], 1] = 0.98
    y_pred[0, 1, 2] = 0.98           # 1 _ 1 -> labelling (1, 1)
    y_pred /= y_pred.sum(-1, keepdims=True)
    for merge, expected in ((False, [1, 1, -1]), (True, [1, -1, -1])):
        decoded, _ = K.ctc_decode(K.constant(y_pred), K.constant([3], 'int32'), greedy=False,
                                  beam_width=8, merge_repeated=merge)
        assert K.eval(decoded[0]).tolist() == [expected]


def test_ctc_decode_errors():
    y = K.placeholder((2, 4, 3))
    with pytest.raises(ValueError, match=r'ctc_decode: top_paths \(3\) must not exceed '
                                         r'beam_width \(2\)'):
        K.ctc_decode(y, K.ones((2,), 'int32'), greedy=False, beam_width=2, top_paths=3)
    with pytest.raises(ValueError, match=r'ctc_decode: y_pred \(2, 4, 3\) and input_length '
                                         r'\(3,\) disagree'):
        K.ctc_decode(y, K.ones((3,), 'int32'))
    f = K.function([y], K.ctc_decode(y, K.constant([4, 5], 'int32'))[0])
    with pytest.raises(ValueError, match=r'ctc_decode: input_length\[1\] = 5 is outside'):
        f([softmax_outputs(2, 4, 3)])


# -- ctc_label_dense_to_sparse -----------------------------------------------------------------

def test_label_dense_to_sparse_keeps_each_row_up_to_its_length():
    labels = np.array([[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]], dtype='int32')
    sparse = K.ctc_label_dense_to_sparse(K.constant(labels, 'int32'),
                                         K.constant([[2], [0], [4]], 'int32'))
    indices, values, dense_shape = K.function([], list(sparse))([])
    np.testing.assert_array_equal(indices, [[0, 0], [0, 1], [2, 0], [2, 1], [2, 2], [2, 3]])
    np.testing.assert_array_equal(values, [3, 1, 5, 3, 5, 8])
    np.testing.assert_array_equal(dense_shape, [3, 4])
    assert indices.dtype == np.int64 and dense_shape.dtype == np.int64


# -- a model that learns with the CTC loss -------------------------------------------------------

def test_a_recurrent_model_learns_to_transcribe_with_ctc():
    """Keras's image_ocr pattern: the loss is a Lambda on y_pred and the labels."""
    steps, classes = 8, 4          # labels 0..2, blank 3
    n = 64
    labels = rng.randint(0, 3, (n, 2))
    x = np.zeros((n, steps, 3), dtype='float32')
    for i, (a, b) in enumerate(labels):
        x[i, 1:3, a] = 1.0
        x[i, 5:7, b] = 1.0
    inp = Input((steps, 3))
    probs = Dense(classes, activation='softmax')(GRU(16, return_sequences=True)(inp))
    lab, il, ll = Input((2,)), Input((1,), dtype='int32'), Input((1,), dtype='int32')
    loss = Lambda(lambda t: K.ctc_batch_cost(*t), output_shape=(1,))([lab, probs, il, ll])
    model = Model([inp, lab, il, ll], loss)
    model.compile(Adam(0.05), loss=lambda y_true, y_pred: y_pred)
    feeds = [x, labels.astype('float32'), np.full((n, 1), steps), np.full((n, 1), 2)]
    history = model.fit(feeds, np.zeros((n, 1)), batch_size=16, epochs=25, verbose=0)
    assert history.history['loss'][-1] < 0.3 * history.history['loss'][0]
    decoded, _ = K.ctc_decode(probs, K.constant(np.full(n, steps), 'int32'))
    got = K.function([inp], decoded)([x])[0]
    accuracy = np.mean([tuple(g[g >= 0]) == tuple(l) for g, l in zip(got, labels)])
    assert accuracy > 0.9, accuracy
