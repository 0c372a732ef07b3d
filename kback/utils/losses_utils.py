"""What the losses share, at Keras 2.3's module path keras.utils.losses_utils:
the reduction keys and the weighting of per-sample losses."""
from .. import backend as K
from .metrics_utils import squeeze_or_expand_dimensions, broadcast_weights  # noqa: F401


class Reduction:
    """How a `Loss` instance reduces the per-sample (weighted) losses.

    Attributes:
        NONE: no reduction: the weighted per-sample losses.
        SUM: the sum of the weighted losses.
        SUM_OVER_BATCH_SIZE: their sum divided by the number of elements (the
            default).
    """
    NONE = 'none'
    SUM = 'sum'
    SUM_OVER_BATCH_SIZE = 'sum_over_batch_size'

    @classmethod
    def all(cls):
        """The valid reduction keys."""
        return (cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        """Checks a reduction key.

        Raises:
            ValueError: if the key is not one of `all()`.
        """
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key {key!r}: expected one of {cls.all()}')


def compute_weighted_loss(losses, sample_weight=None, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    """Per-sample losses multiplied by their weights, then reduced (Keras
    2.3's losses_utils).

    The weights lose or gain a last axis when their rank differs from the
    losses' by one, a scalar loss is shared by all the samples, and the weights
    then broadcast over the remaining axes (per-sample weights against a
    (batch, h, w) loss); 'sum_over_batch_size' divides the sum by the number of
    weighted elements.

    Arguments:
        losses: a tensor of per-sample losses.
        sample_weight: None, or a tensor that broadcasts to `losses`.
        reduction: a `Reduction` key.

    Returns:
        A scalar tensor, or the weighted losses for `Reduction.NONE`.

    Raises:
        ValueError: for an unknown reduction or a weight that does not
            broadcast.
    """
    Reduction.validate(reduction)
    if not K.is_tensor(losses):
        losses = K.constant(losses)
    if not K.dtype(losses).startswith('float'):
        losses = K.cast(losses, K.floatx())
    weighted = losses
    if sample_weight is not None:
        sample_weight = K.cast(sample_weight, K.dtype(losses))
        if K.ndim(sample_weight):
            losses, _, sample_weight = squeeze_or_expand_dimensions(
                losses, None, sample_weight)
            try:
                sample_weight = broadcast_weights(losses, sample_weight)
            except ValueError as e:
                raise ValueError(f'compute_weighted_loss: {e}') from None
        weighted = losses * sample_weight
    return reduce_weighted_loss(weighted, reduction)


def reduce_weighted_loss(weighted_losses, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    """Weighted losses reduced as `reduction` says: unchanged for NONE, their
    sum for SUM, their mean (the sum over the number of elements) for
    SUM_OVER_BATCH_SIZE.

    Arguments:
        weighted_losses: a tensor.
        reduction: a `Reduction` key.

    Returns:
        A tensor (a scalar unless the reduction is NONE).
    """
    if reduction == Reduction.NONE:
        return weighted_losses
    if reduction == Reduction.SUM:
        return K.sum(weighted_losses)
    return K.mean(weighted_losses)
