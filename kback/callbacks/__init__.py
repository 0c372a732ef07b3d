"""kback.callbacks: hooks called during `fit`, `evaluate` and `predict`
(Keras 2.3's `keras.callbacks`)."""
from .base import Callback, CallbackList, set_primary_process, is_primary_process  # noqa: F401
from .loggers import (BaseLogger, History, ProgbarLogger, CSVLogger, TerminateOnNaN,  # noqa: F401
                      LambdaCallback)
from .monitors import (EarlyStopping, ModelCheckpoint, ReduceLROnPlateau,  # noqa: F401
                       LearningRateScheduler)
from .tensorboard import TensorBoard  # noqa: F401
from .remote import RemoteMonitor  # noqa: F401
