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


def _run(layer, batch_shape, dtype, data):
    x = Input(batch_shape=batch_shape, dtype=dtype)
    y = layer(x)
    return x, y, K.function([x], [y])([data])[0]


def layer_test(layer_cls, kwargs=None, input_shape=None, input_dtype=None, input_data=None,
               expected_output=None, expected_output_shape=None, expected_output_dtype=None,
               fixed_batch_size=False, data_format=None, rtol=1e-5, atol=1e-6,
               custom_objects=None):
    """input_shape includes the batch axis (None entries get random sizes);
    data_format, if given, is the image_data_format the test runs under."""
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
    if input_data is None:
        assert input_shape is not None, 'layer_test: give input_shape or input_data'
        input_dtype = input_dtype or K.floatx()
        input_data = _random_input(input_shape, input_dtype)
    else:
        input_data = np.asarray(input_data)
        input_dtype = input_dtype or input_data.dtype.name
        if input_shape is None:
            input_shape = input_data.shape
    input_data = input_data.astype(input_dtype)
    batch_shape = tuple(input_data.shape) if fixed_batch_size else \
        (None,) + tuple(input_data.shape[1:])

    # -- build on an Input and check the static shapes ------------------------------
    layer = layer_cls(**copy.deepcopy(kwargs))
    x, y, actual = _run(layer, batch_shape, input_dtype, input_data)
    assert layer.built, f'{layer.name} is not built after being called'
    static = K.int_shape(y)
    computed = tuple(layer.compute_output_shape(batch_shape))
    assert _compatible(static, computed), \
        f'{layer.name}: static output shape {static} != compute_output_shape {computed}'
    assert layer.output_shape == computed, (layer.output_shape, computed)
    assert layer.get_output_at(0) is y and layer.get_input_at(0) is x
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
    if not fixed_batch_size and input_data.shape[0] >= 1:
        f = K.function([x], [y])
        bigger = np.concatenate([input_data, input_data[:1]], axis=0)
        out2 = f([bigger])[0]
        assert out2.shape[0] == bigger.shape[0] or static[0] is not None
        np.testing.assert_allclose(out2[:input_data.shape[0]], actual, rtol=rtol, atol=atol)

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

    # -- config round trip -----------------------------------------------------------
    config = layer.get_config()
    _assert_same_config(config, layer.get_config(), 'get_config is not stable')
    scope = dict(custom_objects or {})
    for source in (copy.deepcopy(config), _jsonable(config)):
        recovered = _from_config(layer_cls, source, scope)
        _assert_same_config(recovered.get_config(), config,
                            f'{layer.name}: from_config(get_config()) changed the config')
        _, _, out = _run_recovered(recovered, batch_shape, input_dtype, input_data, weights)
        np.testing.assert_allclose(out, actual, rtol=rtol, atol=atol)

    # -- one gradient step -------------------------------------------------------------
    _gradient_step(layer, x, y, input_data)
    return actual


def _from_config(layer_cls, config, custom_objects):
    import inspect
    if 'custom_objects' in inspect.signature(layer_cls.from_config).parameters:
        return layer_cls.from_config(config, custom_objects=custom_objects)
    return layer_cls.from_config(config)


def _run_recovered(layer, batch_shape, dtype, data, weights):
    x = Input(batch_shape=batch_shape, dtype=dtype)
    y = layer(x)
    if weights:
        layer.set_weights(weights)
    return x, y, K.function([x], [y])([data])[0]


def _raises(exc, fn, *args):
    try:
        fn(*args)
    except exc:
        return
    raise AssertionError(f'{fn.__qualname__} did not raise {exc.__name__}')


def _gradient_step(layer, x, y, data):
    """K.gradients of sum(output) w.r.t. the trainable weights (and the
    input), all finite; one SGD update must change the weights."""
    if K.dtype(y) not in ('float16', 'float32', 'float64'):
        return
    loss = K.sum(y)
    params = layer.trainable_weights
    wrt = list(params) + ([x] if K.dtype(x).startswith('float') else [])
    if not wrt:
        return
    grads = K.gradients(loss, wrt)
    assert len(grads) == len(wrt)
    before = [K.get_value(p) for p in params]
    updates = [K.update_sub(p, 0.01 * g) for p, g in zip(params, grads[:len(params)])]
    values = K.function([x], grads, updates=updates)([data])
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
