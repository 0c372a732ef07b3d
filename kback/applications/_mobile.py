"""What MobileNet and MobileNetV2 share: their input size rules and the
checks made before their ImageNet weights are loaded."""
import warnings

from .. import backend as K


def default_size(input_shape, input_tensor, sizes):
    """The square size whose weights fit: the input's own size when it is one
    of `sizes` (published weights), else 224."""
    if input_shape is None and input_tensor is not None and K.is_keras_tensor(input_tensor):
        input_shape = K.int_shape(input_tensor)[1:]
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        return 224
    rows, cols = input_shape[1:] if K.image_data_format() == 'channels_first' else \
        input_shape[:2]
    return rows if rows == cols and rows in sizes else 224


def spatial_size(input_shape):
    return input_shape[1] if K.image_data_format() == 'channels_first' else input_shape[0]


def check_imagenet(model_name, input_shape, alpha, alphas, depth_multiplier, sizes):
    """The rows of the ImageNet weights to load; raises when no published file
    fits `alpha`, `depth_multiplier` or the input size."""
    if depth_multiplier != 1:
        raise ValueError(f'{model_name}: if imagenet weights are being loaded, depth multiplier '
                         f'must be 1; got {depth_multiplier!r}')
    if alpha not in alphas:
        raise ValueError(f'{model_name}: if imagenet weights are being loaded, alpha can be one '
                         f'of {", ".join(map(str, alphas))} only; got {alpha!r}')
    first = K.image_data_format() == 'channels_first'
    rows, cols = input_shape[1:] if first else input_shape[:2]
    if rows != cols or rows not in sizes:
        if rows is None:
            warnings.warn(f'{model_name}: the input shape is undefined; the weights for input '
                          f'shape (224, 224) will be loaded.')
            return 224
        raise ValueError(f'{model_name}: if imagenet weights are being loaded, the input must '
                         f'have a static square shape (one of '
                         f'{", ".join("(%d, %d)" % (s, s) for s in sizes)}); input shape '
                         f'provided = {input_shape}')
    return rows
