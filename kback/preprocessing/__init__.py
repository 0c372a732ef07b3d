"""kback.preprocessing: data preparation as in keras.preprocessing."""
from . import image  # noqa: F401
from . import sequence, text  # noqa: F401
