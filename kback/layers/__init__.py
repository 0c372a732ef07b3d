"""kback.layers: every layer class, the functional merge forms, and
`serialize`/`deserialize` of layers by class name."""
from ..engine.base_layer import Layer, InputSpec  # noqa: F401
from ..engine.input_layer import Input, InputLayer  # noqa: F401
from ..utils.generic_utils import deserialize_keras_object

from .core import (Masking, Dropout, SpatialDropout1D, SpatialDropout2D,  # noqa: F401
                   SpatialDropout3D, Activation, Reshape, Permute, Flatten, RepeatVector,
                   Lambda, Dense, ActivityRegularization)
from .merge import (Add, Subtract, Multiply, Average, Maximum, Minimum,  # noqa: F401
                    Concatenate, Dot, add, subtract, multiply, average, maximum, minimum,
                    concatenate, dot)
from .advanced_activations import (LeakyReLU, PReLU, ELU, ThresholdedReLU,  # noqa: F401
                                   Softmax, ReLU)
from .convolutional import (Conv1D, Conv2D, SeparableConv1D, SeparableConv2D,  # noqa: F401
                            DepthwiseConv2D, Conv2DTranspose, Convolution1D, Convolution2D,
                            SeparableConvolution1D, SeparableConvolution2D,
                            Convolution2DTranspose, Deconvolution2D, Deconv2D)
from .spatial_reshaping import (UpSampling1D, UpSampling2D, ZeroPadding1D,  # noqa: F401
                                ZeroPadding2D, Cropping1D, Cropping2D)
from .pooling import (MaxPooling1D, AveragePooling1D, MaxPooling2D,  # noqa: F401
                      AveragePooling2D, GlobalMaxPooling1D, GlobalAveragePooling1D,
                      GlobalMaxPooling2D, GlobalAveragePooling2D, MaxPool1D, AvgPool1D,
                      MaxPool2D, AvgPool2D, GlobalMaxPool1D, GlobalAvgPool1D, GlobalMaxPool2D,
                      GlobalAvgPool2D)
from .normalization import BatchNormalization  # noqa: F401
from .convolutional_3d import (Conv3D, Conv3DTranspose, UpSampling3D,  # noqa: F401
                               ZeroPadding3D, Cropping3D, Convolution3D, Deconvolution3D,
                               Deconv3D)
from .pooling_3d import (MaxPooling3D, AveragePooling3D, GlobalMaxPooling3D,  # noqa: F401
                         GlobalAveragePooling3D, MaxPool3D, AvgPool3D, GlobalMaxPool3D,
                         GlobalAvgPool3D)
from .local import LocallyConnected1D, LocallyConnected2D  # noqa: F401
from .embeddings import Embedding  # noqa: F401
from .noise import GaussianNoise, GaussianDropout, AlphaDropout  # noqa: F401
from .wrappers import Wrapper, TimeDistributed, Bidirectional  # noqa: F401
from .recurrent import (RNN, StackedRNNCells, SimpleRNN, GRU, LSTM,  # noqa: F401
                        SimpleRNNCell, GRUCell, LSTMCell)
from .convolutional_recurrent import ConvRNN2D, ConvLSTM2D, ConvLSTM2DCell  # noqa: F401
from .cudnn_recurrent import CuDNNGRU, CuDNNLSTM  # noqa: F401


def serialize(layer):
    """A layer as a dict `{'class_name': ..., 'config': layer.get_config()}`.

    Arguments:
        layer: a layer instance.

    Returns:
        A JSON-serializable dict.
    """
    return {'class_name': layer.__class__.__name__, 'config': layer.get_config()}


def _layer_classes():
    """Name -> class of every layer deserialize can build."""
    # Nested models; imported here because the engine's models import kback.layers.
    from ..engine.training import Model
    from ..engine.sequential import Sequential
    table = {name: obj for name, obj in globals().items()
             if isinstance(obj, type) and issubclass(obj, Layer)}
    table.update(Model=Model, Sequential=Sequential)
    return table


def deserialize(config, custom_objects=None):
    """A layer (or model) made from a `{'class_name', 'config'}` dict.

    The class is looked up among `custom_objects`, the global custom objects
    and all kback layers (and models).

    Arguments:
        config: the dict, as `serialize` makes it.
        custom_objects: a dict mapping names to custom layer classes.

    Returns:
        A new layer instance.

    Raises:
        ValueError: if the class name is unknown.
    """
    return deserialize_keras_object(config, module_objects=_layer_classes(),
                                    custom_objects=custom_objects,
                                    printable_module_name='layer')
