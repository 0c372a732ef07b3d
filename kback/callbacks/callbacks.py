"""Keras 2.3 also exposes the callbacks as `keras.callbacks.callbacks`."""
from .base import Callback, CallbackList  # noqa: F401
from .loggers import (BaseLogger, History, ProgbarLogger, CSVLogger, TerminateOnNaN,  # noqa: F401
                      LambdaCallback)
from .monitors import (EarlyStopping, ModelCheckpoint, ReduceLROnPlateau,  # noqa: F401
                       LearningRateScheduler)
from .tensorboard import TensorBoard  # noqa: F401
from .remote import RemoteMonitor  # noqa: F401
