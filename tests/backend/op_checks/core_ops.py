"""Checks for elementwise, reduce, core shape, linalg and state ops."""
import numpy as np

from kback.backend.ops import apply

rng = np.random.RandomState(0)


def r(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape)


def pos(*shape):
    return rng.uniform(0.5, 2.0, size=shape)


def unary(op, ref, x):
    return [dict(build=lambda a: apply(op, a), inputs=[x], reference=ref)]


def binary(op, ref, a, b, **kw):
    return [dict(build=lambda x, y: apply(op, x, y), inputs=[a, b], reference=ref, **kw)]


def _sigmoid(x):
    return np.exp(-np.logaddexp(0, -x))


CHECKS = {
    'add': binary('add', np.add, r(3, 4), r(4)),
    'sub': binary('sub', np.subtract, r(3, 1), r(1, 4)),
    'mul': binary('mul', np.multiply, r(2, 3, 4), r(3, 1)),
    'div': binary('div', np.divide, r(3, 4), pos(3, 4)),
    'pow': binary('pow', np.power, pos(3, 4), r(4)),
    'maximum': binary('maximum', np.maximum, r(3, 4), r(3, 4)),
    'minimum': binary('minimum', np.minimum, r(3, 4), r(1, 4)),
    'neg': unary('neg', np.negative, r(3, 2)),
    'exp': unary('exp', np.exp, r(3, 2)),
    'log': unary('log', np.log, pos(3, 2)),
    'log1p': unary('log1p', np.log1p, pos(3, 2)),
    'sqrt': unary('sqrt', np.sqrt, pos(3, 2)),
    'square': unary('square', np.square, r(3, 2)),
    'abs': unary('abs', np.abs, r(3, 2)),
    'sin': unary('sin', np.sin, r(3, 2)),
    'cos': unary('cos', np.cos, r(3, 2)),
    'tanh': unary('tanh', np.tanh, r(3, 2)),
    'sigmoid': unary('sigmoid', _sigmoid, np.array([-800.0, -3.0, 0.0, 2.0, 800.0])[None, :] + r(2, 5)),
    'softplus': unary('softplus', lambda x: np.log1p(np.exp(x)), r(3, 5) * 5),
    'relu': unary('relu', lambda x: np.maximum(x, 0), r(3, 5)),
    'relu_grad': [dict(build=lambda a, g: apply('relu_grad', a, g), inputs=[r(3, 5), r(3, 5)],
                       reference=lambda a, g: np.where(a > 0, g, 0), grad=[1])],
    'identity': unary('identity', lambda x: x, r(3)),
    'sign': [dict(build=lambda a: apply('sign', a), inputs=[r(5)], reference=np.sign, grad=[])],
    'round': [dict(build=lambda a: apply('round', a), inputs=[np.array([0.5, 1.5, -0.5, 2.4])],
                   reference=np.round, grad=[])],
    'floor': [dict(build=lambda a: apply('floor', a), inputs=[r(4)], reference=np.floor, grad=[])],
    # Its gradient (none) is checked in test_autodiff.py.
    'stop_gradient': [dict(build=lambda a: apply('stop_gradient', a), inputs=[r(3)],
                           reference=lambda a: a, grad=[])],
    'cast': [dict(build=lambda a: apply('cast', apply('cast', a, dtype='float32'), dtype='float64'),
                  inputs=[r(3, 2)], reference=lambda a: a.astype(np.float32).astype(np.float64),
                  rtol=1e-6, eps=1e-2, grad_rtol=1e-5),
             dict(build=lambda a: apply('cast', a, dtype='int32'), inputs=[np.array([1.7, -2.2])],
                  reference=lambda a: a.astype(np.int32), grad=[])],
    'where': [dict(build=lambda c, a, b: apply('where', apply('greater', c, 0.0), a, b),
                   inputs=[r(3, 4), r(3, 4), r(4)],
                   reference=lambda c, a, b: np.where(c > 0, a, b), grad=[1, 2])],
    'zeros_like': [dict(build=lambda a: apply('zeros_like', a), inputs=[r(2)],
                        reference=np.zeros_like, grad=[])],
    'ones_like': [dict(build=lambda a: apply('ones_like', a), inputs=[r(2)],
                       reference=np.ones_like, grad=[])],
    'logical_not': [dict(build=lambda a: apply('logical_not', apply('greater', a, 0.0)),
                         inputs=[r(4)], reference=lambda a: ~(a > 0), grad=[])],
    'sum': [dict(build=lambda a: apply('sum', a, axes=(0, 2), keepdims=False), inputs=[r(2, 3, 4)],
                 reference=lambda a: a.sum(axis=(0, 2))),
            dict(build=lambda a: apply('sum', a, axes=(1,), keepdims=True), inputs=[r(2, 3)],
                 reference=lambda a: a.sum(axis=1, keepdims=True))],
    'max': [dict(build=lambda a: apply('max', a, axes=(1,), keepdims=False), inputs=[r(3, 4)],
                 reference=lambda a: a.max(axis=1))],
    'min': [dict(build=lambda a: apply('min', a, axes=(0, 1), keepdims=True), inputs=[r(3, 4)],
                 reference=lambda a: a.min(axis=(0, 1), keepdims=True))],
    'prod': [dict(build=lambda a: apply('prod', a, axes=(1,), keepdims=False), inputs=[pos(3, 4)],
                  reference=lambda a: a.prod(axis=1))],
    'any': [dict(build=lambda a: apply('any', apply('greater', a, 1.0), axes=(1,), keepdims=False),
                 inputs=[r(3, 4)], reference=lambda a: (a > 1).any(axis=1), grad=[])],
    'all': [dict(build=lambda a: apply('all', apply('greater', a, -1.0), axes=(0,), keepdims=True),
                 inputs=[r(3, 4)], reference=lambda a: (a > -1).all(axis=0, keepdims=True), grad=[])],
    'reduce_count': [dict(build=lambda a: apply('reduce_count', a, axes=(0, 2), keepdims=False),
                          inputs=[r(2, 3, 4)], reference=lambda a: np.float64(8), grad=[])],
    'argmax': [dict(build=lambda a: apply('argmax', a, axis=1), inputs=[r(3, 4)],
                    reference=lambda a: a.argmax(axis=1), grad=[])],
    'argmin': [dict(build=lambda a: apply('argmin', a, axis=0), inputs=[r(3, 4)],
                    reference=lambda a: a.argmin(axis=0), grad=[])],
    'cumsum': [dict(build=lambda a: apply('cumsum', a, axis=1), inputs=[r(3, 4)],
                    reference=lambda a: np.cumsum(a, axis=1))],
    'cumprod': [dict(build=lambda a: apply('cumprod', a, axis=0), inputs=[pos(3, 4)],
                     reference=lambda a: np.cumprod(a, axis=0))],
    'reshape': [dict(build=lambda a: apply('reshape', a, shape=(4, -1)), inputs=[r(2, 3, 2)],
                     reference=lambda a: a.reshape(4, 3))],
    'reshape_like': [dict(build=lambda a, b: apply('reshape_like', a, b), inputs=[r(6), r(2, 3)],
                          reference=lambda a, b: a.reshape(2, 3), grad=[0])],
    'batch_flatten': [dict(build=lambda a: apply('batch_flatten', a), inputs=[r(2, 3, 2)],
                           reference=lambda a: a.reshape(2, 6))],
    'transpose': [dict(build=lambda a: apply('transpose', a, perm=(2, 0, 1)), inputs=[r(2, 3, 4)],
                       reference=lambda a: a.transpose(2, 0, 1))],
    'expand_dims': [dict(build=lambda a: apply('expand_dims', a, axes=(0, 2)), inputs=[r(2, 3)],
                         reference=lambda a: a[None, :, None])],
    'squeeze': [dict(build=lambda a: apply('squeeze', a, axes=(1,)), inputs=[r(2, 1, 3)],
                     reference=lambda a: a[:, 0])],
    'broadcast_like': [dict(build=lambda a, b: apply('broadcast_like', a, b),
                            inputs=[r(3, 1), r(2, 3, 4)],
                            reference=lambda a, b: np.broadcast_to(a, (2, 3, 4)), grad=[0])],
    'sum_to_like': [dict(build=lambda a, b: apply('sum_to_like', a, b),
                         inputs=[r(2, 3, 4), r(3, 1)],
                         reference=lambda a, b: a.sum(axis=(0, 2)).reshape(3, 1), grad=[0])],
    'getitem': [dict(build=lambda a: apply('getitem', a, index=(1, slice(None, None, 2), None)),
                     inputs=[r(3, 5, 2)], reference=lambda a: a[1, ::2, None]),
                dict(build=lambda a: apply('getitem', a, index=(Ellipsis, -1)),
                     inputs=[r(3, 5, 2)], reference=lambda a: a[..., -1])],
    'getitem_grad': [dict(build=lambda g, a: apply('getitem_grad', g, a, index=(slice(1, 3),)),
                          inputs=[r(2, 4), r(5, 4)],
                          reference=lambda g, a: np.concatenate([np.zeros((1, 4)), g, np.zeros((2, 4))]),
                          grad=[0])],
    'concatenate': [dict(build=lambda a, b, c: apply('concatenate', a, b, c, axis=1),
                         inputs=[r(2, 1), r(2, 3), r(2, 2)],
                         reference=lambda a, b, c: np.concatenate([a, b, c], axis=1))],
    'concat_piece': [dict(build=lambda g, a, b: apply('concat_piece', g, a, b, axis=0, index=1),
                          inputs=[r(5, 2), r(2, 2), r(3, 2)],
                          reference=lambda g, a, b: g[2:], grad=[0])],
    'pad': [dict(build=lambda a: apply('pad', a, pads=((1, 0), (2, 3)), value=0.5), inputs=[r(2, 3)],
                 reference=lambda a: np.pad(a, ((1, 0), (2, 3)), constant_values=0.5))],
    'reverse': [dict(build=lambda a: apply('reverse', a, axes=(0, 2)), inputs=[r(2, 3, 4)],
                     reference=lambda a: a[::-1, :, ::-1])],
    'tile': [dict(build=lambda a: apply('tile', a, reps=(2, 3)), inputs=[r(2, 3)],
                  reference=lambda a: np.tile(a, (2, 3)))],
    'tile_grad': [dict(build=lambda g, a: apply('tile_grad', g, a, reps=(2, 1)), inputs=[r(4, 3), r(2, 3)],
                       reference=lambda g, a: g[:2] + g[2:], grad=[0])],
    'gather': [dict(build=lambda a, i: apply('gather', a, i), inputs=[r(4, 3), np.array([[3, 0], [3, 1]])],
                    reference=lambda a, i: a[i])],
    'gather_grad': [dict(build=lambda g, a, i: apply('gather_grad', g, a, i),
                         inputs=[r(3, 2), r(4, 2), np.array([1, 1, 3])],
                         reference=lambda g, a, i: np.array([0 * g[0], g[0] + g[1], 0 * g[0], g[2]]),
                         grad=[0])],
    'one_hot': [dict(build=lambda i: apply('one_hot', i, num_classes=4, dtype='float64'),
                     inputs=[np.array([[0, 3], [2, 2]])], reference=lambda i: np.eye(4)[i])],
    'shape_of': [dict(build=lambda a: apply('shape_of', a), inputs=[r(2, 5)],
                      reference=lambda a: np.array([2, 5]), grad=[])],
    'matmul': [dict(build=lambda a, b: apply('matmul', a, b), inputs=[r(2, 3, 4), r(4, 5)],
                    reference=np.matmul),
               dict(build=lambda a, b: apply('matmul', a, b), inputs=[r(3, 4), r(2, 4, 5)],
                    reference=np.matmul)],
}
for _name in ('equal', 'not_equal', 'greater', 'greater_equal', 'less', 'less_equal'):
    CHECKS[_name] = [dict(build=(lambda n: lambda a, b: apply(n, a, b))(_name),
                          inputs=[np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])],
                          reference=getattr(np, _name), grad=[])]
for _name in ('logical_and', 'logical_or'):
    CHECKS[_name] = [dict(build=(lambda n: lambda a, b: apply(n, apply('greater', a, 0.0),
                                                              apply('greater', b, 0.0)))(_name),
                          inputs=[r(5), r(5)], reference=lambda a, b, n=_name: getattr(np, n)(a > 0, b > 0),
                          grad=[])]
