"""The VGG networks (Simonyan & Zisserman, 2014): 3x3 convolutions in five
blocks, each closed by a 2x2 max pooling; VGG16 and VGG19 differ only in how
many convolutions the last three blocks hold."""
from ..layers import Conv2D, Dense, Flatten, MaxPooling2D
from ..models import Model
from . import _common

# Filters of each block's convolutions.
_BLOCK_FILTERS = (64, 128, 256, 512, 512)


def build_vgg(model_name, convs_per_block, include_top, weights, input_tensor, input_shape,
              pooling, classes, imagenet_file):
    _common.check_arguments(model_name, weights, include_top, classes, pooling,
                            input_tensor)
    input_shape = _common.obtain_input_shape(model_name, input_shape, default_size=224,
                                             min_size=32, require_flatten=include_top,
                                             weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, convs) in enumerate(zip(_BLOCK_FILTERS, convs_per_block), 1):
        for i in range(1, convs + 1):
            x = Conv2D(filters, (3, 3), activation='relu', padding='same',
                       name=f'block{block}_conv{i}')(x)
        x = MaxPooling2D((2, 2), strides=(2, 2), name=f'block{block}_pool')(x)
    if include_top:
        x = Flatten(name='flatten')(x)
        x = Dense(4096, activation='relu', name='fc1')(x)
        x = Dense(4096, activation='relu', name='fc2')(x)
        x = Dense(classes, activation='softmax', name='predictions')(x)
    else:
        x = _common.pool(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x, name=model_name.lower())
    _common.load_weights(model_name, model, weights, imagenet_file)
    return model
