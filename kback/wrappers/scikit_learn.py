"""KerasClassifier and KerasRegressor: a kback model as a scikit-learn
estimator (fit, predict, score, get_params/set_params), after Keras 2.3's
keras.wrappers.scikit_learn, so GridSearchCV and cross_val_score can tune and
evaluate it.

kback does not import scikit-learn: scikit-learn calls these objects.
"""
import types

import numpy as np

from ..models import Sequential
from ..utils.generic_utils import has_arg, to_list
from ..utils.np_utils import to_categorical


class BaseWrapper(object):
    """The common part of the two estimators.

    Arguments:
        build_fn: what builds and compiles a new model: a function, an object
            with a `__call__` method, or None (then the subclass's own
            `__call__` method builds it).  Its keyword arguments may be given
            as `sk_params`.
        **sk_params: the model's and the training's parameters: the build
            function's arguments and those of `fit`, `predict`,
            `predict_classes` and `evaluate` (e.g. `epochs`, `batch_size`).
            `fit`, `predict`... each take the ones their method accepts;
            arguments given to them directly win.

    Raises:
        ValueError: a parameter that neither the build function nor any of
            those methods accepts."""

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _build_fn_target(self):
        if self.build_fn is None:
            return self.__call__
        if not isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn.__call__
        return self.build_fn

    def check_params(self, params):
        """Raises ValueError for a parameter no method or build function takes."""
        legal = [Sequential.fit, Sequential.predict, Sequential.predict_classes,
                 Sequential.evaluate, self._build_fn_target()]
        for name in params:
            if name == 'nb_epoch':          # Keras 1's name, accepted as Keras 2.3 does
                continue
            if not any(has_arg(fn, name) for fn in legal):
                raise ValueError(f'{name} is not a legal parameter')

    def get_params(self, **params):
        """The estimator's parameters: `sk_params` and `build_fn` (scikit-learn's
        `deep` argument is accepted and ignored)."""
        res = dict(self.sk_params)
        res.update({'build_fn': self.build_fn})
        return res

    def set_params(self, **params):
        """Updates `sk_params` (checked as in the constructor); returns self."""
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None):
        """The `sk_params` that `fn` accepts, updated with `override`."""
        res = {name: value for name, value in self.sk_params.items() if has_arg(fn, name)}
        res.update(override or {})
        return res

    def _new_model(self):
        target = self._build_fn_target()
        if self.build_fn is None:
            return self.__call__(**self.filter_sk_params(self.__call__))
        return self.build_fn(**self.filter_sk_params(target))

    def fit(self, x, y, **kwargs):
        """Builds a new model and trains it on (x, y).

        Arguments:
            x: the training inputs, shape (n_samples, n_features...).
            y: the targets.  With a categorical_crossentropy loss, integer
                labels are one-hot encoded first.
            **kwargs: arguments of `Model.fit`, overriding `sk_params`.

        Returns:
            The History of the training."""
        self.model = self._new_model()
        loss_name = getattr(self.model.loss, '__name__', self.model.loss)
        y = np.asarray(y)
        if loss_name == 'categorical_crossentropy' and y.ndim != 2:
            y = to_categorical(y)
        fit_args = self.filter_sk_params(Sequential.fit, kwargs)
        return self.model.fit(x, y, **fit_args)

    # scikit-learn >= 1.6 reads an estimator's kind from its tags.
    def __sklearn_tags__(self):
        from sklearn.utils import Tags, TargetTags, InputTags
        tags = Tags(estimator_type=getattr(self, '_estimator_type', None),
                    target_tags=TargetTags(required=True), input_tags=InputTags())
        return self._with_kind_tags(tags)

    def _with_kind_tags(self, tags):
        return tags


class KerasClassifier(BaseWrapper):
    """A kback classifier for scikit-learn.  Labels may be any sortable values
    (kept in `classes_`); the model sees their indices."""

    _estimator_type = 'classifier'

    def _with_kind_tags(self, tags):
        from sklearn.utils import ClassifierTags
        tags.classifier_tags = ClassifierTags()
        return tags

    def fit(self, x, y, **kwargs):
        """Trains a new model on (x, y): y is one label per sample (1-D, or a
        column), or one-hot rows.

        Returns:
            The History of the training.

        Raises:
            ValueError: a y of another shape."""
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError(f'KerasClassifier.fit: invalid shape for y: {y.shape}')
        self.n_classes_ = len(self.classes_)
        return super().fit(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """The predicted label of each sample (values of `classes_`)."""
        kwargs = self.filter_sk_params(Sequential.predict_classes, kwargs)
        classes = self.model.predict_classes(x, **kwargs)
        return self.classes_[np.asarray(classes).reshape(-1)]

    def predict_proba(self, x, **kwargs):
        """Class probabilities, shape (n_samples, n_classes); a one-unit sigmoid
        output gives the two columns [1 - p, p], as scikit-learn expects."""
        kwargs = self.filter_sk_params(Sequential.predict_proba, kwargs)
        probs = self.model.predict_proba(x, **kwargs)
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, **kwargs):
        """The model's accuracy on (x, y), from `evaluate`.

        Raises:
            ValueError: the model was compiled without the accuracy metric."""
        y = np.searchsorted(self.classes_, np.asarray(y))
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        loss_name = getattr(self.model.loss, '__name__', self.model.loss)
        if loss_name == 'categorical_crossentropy' and y.ndim != 2:
            y = to_categorical(y, num_classes=self.n_classes_)
        outputs = to_list(self.model.evaluate(x, y, **kwargs))
        for name, output in zip(self.model.metrics_names, outputs):
            if name in ('accuracy', 'acc'):
                return output
        raise ValueError('The model is not configured to compute accuracy. You should pass '
                         '`metrics=["accuracy"]` to the `model.compile()` method.')


class KerasRegressor(BaseWrapper):
    """A kback regressor for scikit-learn; `score` is the negated loss (higher
    is better, as scikit-learn wants)."""

    _estimator_type = 'regressor'

    def _with_kind_tags(self, tags):
        from sklearn.utils import RegressorTags
        tags.regressor_tags = RegressorTags()
        return tags

    def predict(self, x, **kwargs):
        """The model's predictions with single-element axes squeezed away."""
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        return np.squeeze(self.model.predict(x, **kwargs))

    def score(self, x, y, **kwargs):
        """Minus the model's loss on (x, y)."""
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        loss = self.model.evaluate(x, y, **kwargs)
        return -loss[0] if isinstance(loss, list) else -loss
