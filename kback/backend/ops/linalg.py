"""Matrix products: matmul with numpy's batched broadcasting semantics (BLAS;
2-D float products on the compiled kernel of _kernels/linalg.py)."""

from .. import _shapes
from .._shapes import fmt
from .._dtypes import result_dtype
from ._registry import register, apply
from .elementwise import unbroadcast
from .._kernels.linalg import matmul as _matmul


def _matmul_infer(inputs):
    a, b = inputs
    if len(a.shape) < 2 or len(b.shape) < 2:
        raise ValueError(f'matmul: both operands need rank >= 2, got {fmt(a.shape)} and {fmt(b.shape)}')
    n, k1 = a.shape[-2:]
    k2, m = b.shape[-2:]
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f'dot: shapes {fmt(a.shape)} and {fmt(b.shape)} do not match: {k1} != {k2}')
    batch = _shapes.broadcast('matmul', a.shape[:-2], b.shape[:-2])
    return batch + (n, m), result_dtype(a.dtype, b.dtype)


def _swap_last(x):
    perm = tuple(range(len(x.shape) - 2)) + (len(x.shape) - 1, len(x.shape) - 2)
    return apply('transpose', x, perm=perm)


def _matmul_grad(n, g, needs):
    a, b = n.inputs
    return [unbroadcast(apply('matmul', g, _swap_last(b)), a) if needs[0] else None,
            unbroadcast(apply('matmul', _swap_last(a), g), b) if needs[1] else None]


register('matmul', _matmul_infer, lambda a, b: _matmul(a, b), _matmul_grad)
