"""keras.preprocessing.image: image files <-> arrays, random augmentation and
the ImageDataGenerator with its batch iterators.

Split by topic; each private module lists its public names in `__all__`.
"""
from ._image_io import *  # noqa: F401,F403
from ._affine import *  # noqa: F401,F403
from ._image_generator import *  # noqa: F401,F403
from ._image_iterators import *  # noqa: F401,F403
