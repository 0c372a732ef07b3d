"""kback.wrappers.scikit_learn with a real scikit-learn: GridSearchCV,
cross_val_score, clone, and the wrappers' own semantics (Keras 2.3)."""
import numpy as np
import pytest

sklearn = pytest.importorskip('sklearn')
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score, KFold  # noqa: E402

from kback import layers, models  # noqa: E402
from kback.wrappers.scikit_learn import KerasClassifier, KerasRegressor  # noqa: E402

rng = np.random.RandomState(0)
X = rng.rand(60, 4).astype('float32')
LABELS = np.array(['cat', 'dog', 'eel'])[(X[:, 0] * 3).astype(int).clip(0, 2)]
Y_REG = (X @ np.array([1., -2., 0.5, 0.])).astype('float32')


def build_classifier(hidden=8, n_classes=3, loss='sparse_categorical_crossentropy'):
    model = models.Sequential([layers.Dense(hidden, activation='relu', input_shape=(4,)),
                               layers.Dense(n_classes, activation='softmax')])
    model.compile('adam', loss, metrics=['accuracy'])
    return model


def build_regressor(hidden=8):
    model = models.Sequential([layers.Dense(hidden, activation='relu', input_shape=(4,)),
                               layers.Dense(1)])
    model.compile('adam', 'mse')
    return model


def test_classifier_labels_proba_and_score():
    clf = KerasClassifier(build_classifier, epochs=2, batch_size=16, verbose=0)
    history = clf.fit(X, LABELS)
    assert len(history.history['loss']) == 2
    assert list(clf.classes_) == ['cat', 'dog', 'eel'] and clf.n_classes_ == 3
    pred = clf.predict(X)
    assert pred.shape == (60,) and set(pred) <= set(LABELS)
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    accuracy = clf.score(X, LABELS)
    assert accuracy == pytest.approx(np.mean(pred == LABELS), abs=1e-6)


def test_categorical_crossentropy_gets_one_hot_targets():
    clf = KerasClassifier(build_classifier, loss='categorical_crossentropy', epochs=1,
                          verbose=0)
    clf.fit(X, LABELS)
    assert 0.0 <= clf.score(X, LABELS) <= 1.0


def test_binary_sigmoid_probabilities_get_two_columns():
    def build():
        model = models.Sequential([layers.Dense(1, activation='sigmoid', input_shape=(4,))])
        model.compile('sgd', 'binary_crossentropy', metrics=['accuracy'])
        return model
    clf = KerasClassifier(build, epochs=1, verbose=0)
    clf.fit(X, X[:, 1] > 0.5)
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)


def test_score_needs_accuracy():
    def build():
        model = models.Sequential([layers.Dense(3, activation='softmax', input_shape=(4,))])
        model.compile('sgd', 'sparse_categorical_crossentropy')
        return model
    clf = KerasClassifier(build, epochs=1, verbose=0)
    clf.fit(X, LABELS)
    with pytest.raises(ValueError, match='accuracy'):
        clf.score(X, LABELS)


def test_regressor_predict_and_score():
    reg = KerasRegressor(build_regressor, epochs=3, verbose=0)
    reg.fit(X, Y_REG)
    pred = reg.predict(X)
    assert pred.shape == (60,)
    mse = float(np.mean((pred - Y_REG) ** 2))
    assert reg.score(X, Y_REG) == pytest.approx(-mse, rel=1e-4)


def test_params_are_checked_and_filtered():
    with pytest.raises(ValueError, match='bogus is not a legal parameter'):
        KerasClassifier(build_classifier, bogus=1)
    clf = KerasClassifier(build_classifier, hidden=4, epochs=1, verbose=0)
    assert clf.get_params()['hidden'] == 4 and clf.get_params()['build_fn'] is build_classifier
    clf.set_params(hidden=6)
    assert clf.filter_sk_params(build_classifier) == {'hidden': 6}
    assert clf.filter_sk_params(models.Sequential.fit, {'epochs': 3}) == \
        {'epochs': 3, 'verbose': 0}
    with pytest.raises(ValueError, match='legal'):
        clf.set_params(nonsense=2)


def test_build_fn_as_callable_object_or_subclass_method():
    class Builder:
        def __call__(self, hidden=3):
            return build_classifier(hidden)

    class Mine(KerasClassifier):
        def __call__(self, hidden=3):
            return build_classifier(hidden)
    for clf in (KerasClassifier(Builder(), hidden=5, epochs=1, verbose=0),
                Mine(hidden=5, epochs=1, verbose=0)):
        clf.fit(X, LABELS)
        assert clf.model.layers[0].units == 5


def test_clone_and_grid_search():
    clf = KerasClassifier(build_classifier, epochs=1, batch_size=20, verbose=0)
    copy = clone(clf)
    assert copy.get_params()['epochs'] == 1 and copy is not clf
    search = GridSearchCV(clf, {'hidden': [2, 6], 'epochs': [1, 2]}, cv=2)
    search.fit(X, LABELS)
    assert set(search.best_params_) == {'hidden', 'epochs'}
    assert len(search.cv_results_['mean_test_score']) == 4
    assert search.best_estimator_.model.layers[0].units == search.best_params_['hidden']


def test_cross_val_score_regressor():
    reg = KerasRegressor(build_regressor, epochs=1, batch_size=20, verbose=0)
    scores = cross_val_score(reg, X, Y_REG, cv=KFold(3))
    assert scores.shape == (3,) and np.all(scores <= 0)
