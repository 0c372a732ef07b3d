"""kback.utils: identifiers, progress bars, data helpers."""
from .generic_utils import (get_custom_objects, CustomObjectScope, custom_object_scope,  # noqa: F401
                            serialize_keras_object, deserialize_keras_object)
