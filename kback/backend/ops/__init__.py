"""The op table.  Importing this package registers every primitive."""
from ._registry import (OPS, apply, register, grad_rule, ByFormula,  # noqa: F401
                        NOT_DIFFERENTIABLE, assigned_variable)
from . import elementwise, reduce, shape, linalg, state, nn, conv, pool, batchnorm, random, optim, fused, rnn, ctc, exchange  # noqa: F401
from . import multi_output, recurrent  # noqa: F401
