"""layer_test: the common checks every layer must pass.

    out = layer_test(Dense, kwargs={'units': 3}, input_shape=(2, 4))

builds the layer on an Input, checks static shapes against
compute_output_shape (and expected_output_shape), runs it through K.function
at two batch sizes (in the test phase), compares with expected_output,
round-trips get_config/from_config (also through JSON) and
get_weights/set_weights, checks that bad set_weights calls raise ValueError,
and takes one gradient step on the trainable weights.  Returns the output for
input_data.
"""
import codecs
import copy
import inspect
import json
import marshal

import numpy as np

from kback import backend as K
from kback.layers import Input


def _random_input(input_shape, dtype):
    shape = tuple(np.random.randint(2, 5) if d is None else d for d in input_shape)
    if np.dtype(dtype).kind in 'iu':
        return np.random.randint(0, 5, size=shape).astype(dtype)
    return (np.random.randn(*shape) * 2).astype(dtype)


def _compatible(static, actual):
    return len(static) == len(actual) and all(s is None or a is None or s == a
                                              for s, a in zip(static, actual))


def _jsonable(value):
    """Tuples -> lists, as JSON would turn them."""
    return json.loads(json.dumps(value))


def _comparable(config):
    """JSON form, with Lambda-style dumped code ({key}_type == 'lambda')
    replaced by the code object: marshal bytes differ between dumps of equal
    code, code objects compare by value."""
    config = _jsonable(config)
    if isinstance(config, dict):
        for key, value in list(config.items()):
            if config.get(key + '_type') == 'lambda':
                code = marshal.loads(codecs.decode(value[0].encode('ascii'), 'base64'))
                config[key] = [code] + value[1:]
    return config


def _assert_same_config(a, b, what):
    assert _comparable(a) == _comparable(b), f'{what}:\n{a}\n!=\n{b}'


def _call(layer, batch_shapes, dtypes, multi):
    xs = [Input(batch_shape=s, dtype=d) for s, d in zip(batch_shapes, dtypes)]
    y = layer(xs if multi else xs[0])
    return xs, y


def _prepare(input_shape, input_dtype, input_data):
    """Lists of arrays, dtypes and shapes, and whether the layer takes a list."""
    if input_data is None:
        assert input_shape is not None, 'layer_test: give input_shape or input_data'
        multi = isinstance(input_shape, list)
        shapes = input_shape if multi else [input_shape]
        dtypes = input_dtype if isinstance(input_dtype, list) else \
            [input_dtype or K.floatx()] * len(shapes)
        data = [_random_input(s, d) for s, d in zip(shapes, dtypes)]
    else:
        multi = isinstance(input_data, list)
        data = [np.asarray(a) for a in (input_data if multi else [input_data])]
        dtypes = input_dtype if isinstance(input_dtype, list) else \
            [input_dtype or a.dtype.name for a in data]
    data = [a.astype(d) for a, d in zip(data, dtypes)]
    return data, dtypes, multi


def layer_test(layer_cls, kwargs=None, input_shape=None, input_dtype=None, input_data=None,
               expected_output=None, expected_output_shape=None, expected_output_dtype=None,
               fixed_batch_size=False, data_format=None, rtol=1e-5, atol=1e-6,
               custom_objects=None):
    """input_shape includes the batch axis (None entries get random sizes);
    a list of shapes (or of arrays in input_data) calls the layer on a list
    of inputs.  data_format, if given, is the image_data_format the test
    runs under.  custom_objects are passed to from_config when it takes them."""
    kwargs = dict(kwargs or {})
    saved_format = K.image_data_format()
    if data_format is not None:
        K.set_image_data_format(data_format)
    try:
        return _layer_test(layer_cls, kwargs, input_shape, input_dtype, input_data,
                           expected_output, expected_output_shape, expected_output_dtype,
                           fixed_batch_size, rtol, atol, custom_objects)
    finally:
        K.set_image_data_format(saved_format)


def _layer_test(layer_cls, kwargs, input_shape, input_dtype, input_data, expected_output,
                expected_output_shape, expected_output_dtype, fixed_batch_size, rtol, atol,
                custom_objects):
    data, dtypes, multi = _prepare(input_shape, input_dtype, input_data)
    batch_shapes = [tuple(a.shape) if fixed_batch_size else (None,) + tuple(a.shape[1:])
                    for a in data]
    shape_arg = batch_shapes if multi else batch_shapes[0]

    # -- build on Inputs and check the static shapes ---------------------------------
    layer = layer_cls(**copy.deepcopy(kwargs))
    xs, y = _call(layer, batch_shapes, dtypes, multi)
    assert layer.built, f'{layer.name} is not built after being called'
    f = K.function(xs, [y])
    actual = f(data)[0]
    static = K.int_shape(y)
    computed = tuple(layer.compute_output_shape(shape_arg))
    assert _compatible(static, computed), \
        f'{layer.name}: static output shape {static} != compute_output_shape {computed}'
    assert layer.output_shape == computed, (layer.output_shape, computed)
    assert layer.get_output_at(0) is y
    got = layer.get_input_at(0)
    assert all(a is b for a, b in zip(got if multi else [got], xs))
    if expected_output_shape is not None:
        expected_output_shape = tuple(expected_output_shape)
        assert _compatible(expected_output_shape, computed), \
            f'{layer.name}: output shape {computed} != expected {expected_output_shape}'
        assert _compatible(expected_output_shape, actual.shape), \
            f'{layer.name}: computed array shape {actual.shape} != {expected_output_shape}'
    assert _compatible(static, actual.shape), \
        f'{layer.name}: the array of shape {actual.shape} does not fit static shape {static}'

    # -- dtypes and values ---------------------------------------------------------
    if expected_output_dtype is not None:
        assert K.dtype(y) == expected_output_dtype, (K.dtype(y), expected_output_dtype)
    assert actual.dtype.name == K.dtype(y), (actual.dtype, K.dtype(y))
    if expected_output is not None:
        np.testing.assert_allclose(actual, expected_output, rtol=rtol, atol=atol)

    # -- a second batch size: the same function, per-sample results ----------------
    if not fixed_batch_size:
        bigger = [np.concatenate([a, a[:1]], axis=0) for a in data]
        out2 = f(bigger)[0]
        assert out2.shape[0] == actual.shape[0] + 1, (out2.shape, actual.shape)
        np.testing.assert_allclose(out2[:-1], actual, rtol=rtol, atol=atol)

    # -- weights -----------------------------------------------------------------
    weights = layer.get_weights()
    assert len(weights) == len(layer.weights)
    assert layer.count_params() == sum(int(np.prod(w.shape)) for w in weights)
    for w, v in zip(weights, layer.weights):
        assert w.shape == K.int_shape(v)
    if weights:
        shifted = [w + 1 if np.dtype(w.dtype).kind == 'f' else w for w in weights]
        layer.set_weights(shifted)
        for got, want in zip(layer.get_weights(), shifted):
            np.testing.assert_array_equal(got, want)
        layer.set_weights(weights)
        bad = [np.zeros(w.shape + (2,), w.dtype) for w in weights]
        _raises(ValueError, layer.set_weights, bad)
        _raises(ValueError, layer.set_weights, weights[:-1])
        for got, want in zip(layer.get_weights(), weights):
            np.testing.assert_array_equal(got, want)

    # -- config round trip (also through JSON) ------------------------------------------
    config = layer.get_config()
    _assert_same_config(config, layer.get_config(), 'get_config is not stable')
    for source in (copy.deepcopy(config), _jsonable(config)):
        recovered = _from_config(layer_cls, source, dict(custom_objects or {}))
        _assert_same_config(recovered.get_config(), config,
                            f'{layer.name}: from_config(get_config()) changed the config')
        rxs, ry = _call(recovered, batch_shapes, dtypes, multi)
        if weights:
            recovered.set_weights(weights)
        np.testing.assert_allclose(K.function(rxs, [ry])(data)[0], actual,
                                   rtol=rtol, atol=atol)

    # -- one gradient step -------------------------------------------------------------
    _gradient_step(layer, xs, y, data)
    return actual


def _from_config(layer_cls, config, custom_objects):
    if 'custom_objects' in inspect.signature(layer_cls.from_config).parameters:
        return layer_cls.from_config(config, custom_objects=custom_objects)
    return layer_cls.from_config(config)


def _raises(exc, fn, *args):
    try:
        fn(*args)
    except exc:
        return
    raise AssertionError(f'{fn.__qualname__} did not raise {exc.__name__}')


def _gradient_step(layer, xs, y, data):
    """K.gradients of sum(output) w.r.t. the trainable weights and the float
    inputs, all finite; one SGD update must change every weight whose
    gradient is not zero (and some gradient must not be zero)."""
    if K.dtype(y) not in ('float16', 'float32', 'float64'):
        return
    loss = K.sum(y)
    params = layer.trainable_weights
    wrt = list(params) + [x for x in xs if K.dtype(x).startswith('float')]
    if not wrt:
        return
    grads = K.gradients(loss, wrt)
    assert len(grads) == len(wrt)
    for target, g in zip(wrt, grads):
        assert g is not None, f'{layer.name}: the output does not depend on {target}'
    before = [K.get_value(p) for p in params]
    updates = [K.update_sub(p, 0.01 * g) for p, g in zip(params, grads[:len(params)])]
    values = K.function(xs, grads, updates=updates)(data)
    for target, g in zip(wrt, values):
        shape = K.int_shape(target)
        assert _compatible(shape, g.shape), (shape, g.shape)
        assert np.all(np.isfinite(g)), f'{layer.name}: non-finite gradient for {target}'
    if params:
        moved = [not np.array_equal(b, K.get_value(p)) for b, p in zip(before, params)]
        nonzero = [np.any(g != 0) for g in values[:len(params)]]
        assert any(nonzero), f'{layer.name}: every weight gradient is zero'
        for p, m, nz in zip(params, moved, nonzero):
            if nz:
                assert m, f'{layer.name}: weight {p.name} did not change after an update'
