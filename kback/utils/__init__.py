"""kback.utils: identifiers, progress bars, data helpers."""
from .generic_utils import (get_custom_objects, CustomObjectScope, custom_object_scope,  # noqa: F401
                            serialize_keras_object, deserialize_keras_object)
from . import np_utils, data_utils  # noqa: F401,E402
from .np_utils import to_categorical, normalize  # noqa: F401,E402
from .data_utils import (Sequence, SequenceEnqueuer, OrderedEnqueuer,  # noqa: F401,E402
                         GeneratorEnqueuer, get_file)
from .progbar import Progbar  # noqa: F401,E402
