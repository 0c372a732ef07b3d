"""kback.applications: Keras 2.3.1's ImageNet models, built layer for layer
as keras-applications 1.0.8 builds them (same layer names, same parameter
counts), each with its `preprocess_input`, and `decode_predictions`.
`weights='imagenet'` downloads Keras's published weight files once, through
`get_file`, into `<cache>/models/`."""
from . import (densenet, imagenet_utils, inception_v3, mobilenet, mobilenet_v2,  # noqa: F401
               resnet50, vgg16, vgg19, xception)
from .densenet import DenseNet121, DenseNet169, DenseNet201  # noqa: F401
from .inception_v3 import InceptionV3  # noqa: F401
from .mobilenet import MobileNet  # noqa: F401
from .mobilenet_v2 import MobileNetV2  # noqa: F401
from .resnet50 import ResNet50  # noqa: F401
from .vgg16 import VGG16  # noqa: F401
from .vgg19 import VGG19  # noqa: F401
from .xception import Xception  # noqa: F401
