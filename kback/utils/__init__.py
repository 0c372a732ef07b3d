"""kback.utils: identifiers, progress bars, data helpers, learning curves."""
from .generic_utils import (get_custom_objects, CustomObjectScope, custom_object_scope,  # noqa: F401
                            serialize_keras_object, deserialize_keras_object)
from . import (np_utils, data_utils, generic_utils, io_utils, conv_utils, losses_utils,  # noqa: F401,E402,E501
               layer_utils, vis_utils)
from .np_utils import to_categorical, normalize  # noqa: F401,E402
from .data_utils import (Sequence, SequenceEnqueuer, OrderedEnqueuer,  # noqa: F401,E402
                         GeneratorEnqueuer, get_file)
from .progbar import Progbar  # noqa: F401,E402
from .io_utils import HDF5Matrix, H5Dict  # noqa: F401,E402
from .vis_utils import plot_model, model_to_dot  # noqa: F401,E402
from .layer_utils import (print_summary, get_source_inputs,  # noqa: F401,E402
                          convert_all_kernels_in_model)
from .learning_curves import plot_history  # noqa: F401,E402
