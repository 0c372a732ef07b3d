"""Files that other Keras versions wrote: their weights and their configs.

`preprocess_weights_for_loading` converts one layer's saved weight values to
the layout kback's layer holds, as Keras 2.3 does on load: the Keras 1 layouts
(per-gate recurrent weights, channels_first kernels), kernels trained by a
backend that convolves instead of correlating (Theano), and the CuDNN layouts
of LSTM/GRU weights.  `translate_config` turns a model config written by
tf.keras 2.x into the Keras 2.3 form that kback's layers read.
"""
import numpy as np

from .. import backend as K
from ..utils.conv_utils import convert_kernel

_CONV_LAYERS = ('Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'ConvLSTM2D')


def preprocess_weights_for_loading(layer, weights, original_keras_version=None,
                                   original_backend=None, reshape=False):
    """Converts saved weight values to the layout `layer` holds.

    Arguments:
        layer: the layer instance that receives the weights.
        weights: the saved values (numpy arrays), in the saved order.
        original_keras_version: the `keras_version` of the file ('1' for
            Keras 1 files, which do not record one).
        original_backend: the `backend` of the file ('theano', 'tensorflow'...).
        reshape: reshape a value to its weight's shape when only the shape
            differs (its size is the same).

    Returns:
        The converted values, a list of numpy arrays.

    Raises:
        ValueError: weights that cannot be converted (a CuDNN bias of the wrong
            size, GRU weights with another `reset_after`, or a reshape between
            different sizes)."""
    weights = list(weights)
    name = type(layer).__name__
    if name == 'Bidirectional':
        half = len(weights) // 2
        weights = (preprocess_weights_for_loading(layer.forward_layer, weights[:half],
                                                  original_keras_version, original_backend)
                   + preprocess_weights_for_loading(layer.backward_layer, weights[half:],
                                                    original_keras_version, original_backend))
    elif name == 'TimeDistributed':
        weights = preprocess_weights_for_loading(layer.layer, weights,
                                                 original_keras_version, original_backend)
    elif hasattr(layer, 'layers') and hasattr(layer, 'inputs'):
        weights = _convert_nested_model(layer, weights, original_keras_version,
                                        original_backend)
    if original_keras_version == '1':
        weights = _from_keras_1(layer, weights)
    if name in _CONV_LAYERS and weights:
        weights = _conv_kernels(layer, weights, original_backend, reshape)
    weights = _convert_rnn_weights(layer, weights)
    if reshape and len(weights) == len(layer.weights):
        weights = _reshaped(layer, weights)
    return weights


def _convert_nested_model(model, weights, version, backend):
    """A nested model's values are its layers' trainable weights, then their
    non-trainable ones (the order of `model.weights`)."""
    converted = []
    for part in ('trainable', 'non_trainable'):
        for sub in model.layers:
            trainable = sub.trainable_weights
            n = len(trainable) if part == 'trainable' else \
                len([w for w in sub.weights if all(w is not t for t in trainable)])
            if n:
                converted += preprocess_weights_for_loading(sub, weights[:n], version, backend)
                weights = weights[n:]
    return converted + weights


def _gates(weights, order):
    """Keras 1 stored one (kernel, recurrent kernel, bias) triple per gate."""
    return [np.concatenate([weights[3 * g + k] for g in order], axis=-1) for k in range(3)]


def _from_keras_1(layer, weights):
    name = type(layer).__name__
    data_format = getattr(layer, 'data_format', None)
    if name == 'Conv1D':
        kernel = weights[0]
        if kernel.shape[:2] != (layer.kernel_size[0], 1) or kernel.shape[3] != layer.filters:
            # Keras 1.1: (filters, input_dim, filter_length, 1).
            kernel = np.transpose(kernel, (2, 3, 1, 0))
        weights[0] = kernel[:, 0, :, :]
    elif name == 'Conv2D' and data_format == 'channels_first':
        # (filters, stack, rows, cols) -> (rows, cols, stack, filters)
        weights[0] = np.transpose(weights[0], (2, 3, 1, 0))
    elif name == 'Conv2DTranspose':
        # Keras 2 holds (rows, cols, filters, stack).
        axes = (0, 1, 3, 2) if data_format == 'channels_last' else (2, 3, 0, 1)
        weights[0] = np.transpose(weights[0], axes)
    elif name == 'Conv3D' and data_format == 'channels_first':
        weights[0] = np.transpose(weights[0], (2, 3, 4, 1, 0))
    elif name == 'GRU' and len(weights) == 9:
        weights = _gates(weights, (0, 1, 2))
    elif name in ('LSTM', 'ConvLSTM2D') and len(weights) == 12:
        # Keras 1's gate order was i, c, f, o; Keras 2's is i, f, c, o.
        weights = _gates(weights, (0, 2, 1, 3))
        if name == 'ConvLSTM2D' and data_format == 'channels_first':
            weights[0] = np.transpose(weights[0], (2, 3, 1, 0))
            weights[1] = np.transpose(weights[1], (2, 3, 1, 0))
    return weights


def _convolves(backend):
    """Whether kernels trained with `backend` convolve (flipped) rather than
    correlate as kback does; unknown backends are taken to correlate."""
    return backend == 'theano'


def _conv_kernels(layer, weights, original_backend, reshape):
    recurrent = type(layer).__name__ == 'ConvLSTM2D'
    if _convolves(original_backend):
        weights[0] = convert_kernel(weights[0])
        if recurrent:
            weights[1] = convert_kernel(weights[1])
    shape = K.int_shape(layer.weights[0])
    if not reshape and weights[0].shape != shape and weights[0].ndim == 4:
        # A (filters, stack, rows, cols) kernel from a Theano-ordered file.
        moved = np.transpose(weights[0], (2, 3, 1, 0))
        if moved.shape == shape:
            weights[0] = moved
            if recurrent:
                weights[1] = np.transpose(weights[1], (2, 3, 1, 0))
    return weights


def _per_gate(kernels, transform, n_gates):
    return np.hstack([transform(k) for k in np.hsplit(kernels, n_gates)])


def _cudnn_input_kernel(from_cudnn):
    """CuDNN keeps each gate's input kernel in the other memory order."""
    order = 'F' if from_cudnn else 'C'
    return lambda kernel: kernel.T.reshape(kernel.shape, order=order)


def _convert_cudnn(weights, n_gates, from_cudnn):
    kernel = _per_gate(weights[0], _cudnn_input_kernel(from_cudnn), n_gates)
    recurrent = _per_gate(weights[1], lambda k: k.T, n_gates)
    return [kernel, recurrent]


def _convert_rnn_weights(layer, weights):
    """LSTM weights saved by CuDNNLSTM, and GRU(reset_after=True) weights saved
    by CuDNNGRU, recognised by their bias shape."""
    name = type(layer).__name__
    if name not in ('LSTM', 'GRU') or len(weights) != 3:
        return weights
    units = weights[1].shape[0]
    bias_shape = weights[2].shape
    if name == 'LSTM':
        if bias_shape == (units * 4,):
            return weights
        if bias_shape != (units * 8,):
            raise ValueError(f'LSTM "{layer.name}": invalid saved bias shape {bias_shape} '
                             f'for {units} units (expected ({units * 4},) or, from '
                             f'CuDNNLSTM, ({units * 8},))')
        # CuDNN keeps separate input and recurrent biases; only their sum matters.
        bias = np.sum(np.split(weights[2], 2, axis=0), axis=0)
        return _convert_cudnn(weights, 4, True) + [bias]
    if bias_shape == (units * 6,):
        source = 'CuDNNGRU'
    elif bias_shape == (2, units * 3):
        source = 'GRU(reset_after=True)'
    elif bias_shape == (units * 3,):
        source = 'GRU(reset_after=False)'
    else:
        raise ValueError(f'GRU "{layer.name}": invalid saved bias shape {bias_shape} for '
                         f'{units} units')
    target = 'GRU(reset_after=True)' if getattr(layer, 'reset_after', False) \
        else 'GRU(reset_after=False)'
    if source == target:
        return weights
    if 'GRU(reset_after=False)' in (source, target):
        raise ValueError(f'GRU "{layer.name}": weights saved by {source} are not compatible '
                         f'with {target}')
    return _convert_cudnn(weights, 3, True) + [np.asarray(weights[2]).reshape(2, -1)]


def _reshaped(layer, values):
    """Each value reshaped to its weight's shape where only the shape differs
    (a Dense kernel loaded into a 1x1 Conv2D, or back); a different size
    cannot be reshaped."""
    out = []
    for w, v in zip(layer.weights, values):
        shape = K.int_shape(w)
        if v.shape != shape:
            if v.size != int(np.prod(shape)):
                raise ValueError(f'Weights must be of equal size to apply a reshape operation. '
                                 f'Layer {layer.name}\'s weight {w.name} has shape {shape} '
                                 f'and size {int(np.prod(shape))}; the saved weight has shape '
                                 f'{v.shape} and size {v.size}.')
            v = v.reshape(shape)
        out.append(v)
    return out


# -- model configs written by tf.keras 2.x ----------------------------------------------

# Keys that tf.keras 2.x writes and Keras 2.3 does not know, with the value that
# means Keras 2.3's behaviour; another value cannot be honoured.
_NEWER_KEYS = {
    'ragged': False, 'sparse': False, 'groups': 1, 'time_major': False,
    'renorm': False, 'renorm_clipping': None, 'renorm_momentum': 0.99,
    'fused': None, 'virtual_batch_size': None, 'adjustment': None,
    'synchronized': False, 'optional': False,
}
# Keys whose value never changes what the layer computes here.
_IGNORED_KEYS = ('module', 'registered_name', 'build_config', 'compile_config', 'fused')
_DTYPE_POLICY = 'Policy'
# tf.keras's initializer classes that Keras 2.3 names by their factory.
_INITIALIZER_FACTORIES = {
    'GlorotUniform': 'glorot_uniform', 'GlorotNormal': 'glorot_normal',
    'HeUniform': 'he_uniform', 'HeNormal': 'he_normal',
    'LecunUniform': 'lecun_uniform', 'LecunNormal': 'lecun_normal',
}
# Optimizer-v2 settings with the value that means a Keras 2.3 optimizer.
_OPTIMIZER_V2_KEYS = {
    'weight_decay': None, 'global_clipnorm': None, 'use_ema': False, 'clipnorm': None,
    'clipvalue': None, 'is_legacy_optimizer': None, 'jit_compile': None,
    'ema_momentum': None, 'ema_overwrite_frequency': None, 'name': None,
}
# Per-optimizer settings tf.keras added, with the value that is Keras 2.3's rule.
_OPTIMIZER_V2_NEUTRAL = {'RMSprop': {'momentum': 0.0, 'centered': False}}
_OPTIMIZER_V2_IGNORED = ('jit_compile', 'is_legacy_optimizer', 'ema_momentum',
                         'ema_overwrite_frequency', 'name')


def translate_config(config):
    """A model config from tf.keras 2.x (a nested {'class_name', 'config'}
    dict) in Keras 2.3's form: `Functional` becomes `Model`, dtype policies
    become dtype names, and keys Keras 2.3 lacks are dropped where their value
    keeps Keras 2.3's behaviour.

    Raises:
        ValueError: a newer key whose value kback cannot honour (a ragged
            input, grouped convolutions, batch renormalisation...)."""
    return _translate(config, where='model')


def _translate(obj, where):
    if isinstance(obj, list):
        return [_translate(v, where) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if 'class_name' in obj and 'config' in obj:
        return _translate_object(obj, where)
    return {k: _translate(v, where) for k, v in obj.items() if k not in _IGNORED_KEYS}


def _translate_object(obj, where):
    class_name = obj['class_name']
    if class_name == _DTYPE_POLICY:
        return obj['config']['name']
    if class_name == 'Functional':
        class_name = 'Model'
    class_name = _INITIALIZER_FACTORIES.get(class_name, class_name)
    config = obj['config']
    if isinstance(config, dict):
        name = config.get('name', class_name)
        config = dict(config)
        for key, neutral in _NEWER_KEYS.items():
            if key in config:
                value = config.pop(key)
                if value != neutral:
                    raise ValueError(f'load_model: layer "{name}" ({class_name}) was saved '
                                     f'with {key}={value!r}, which kback does not support '
                                     f'(Keras 2.3 has no {key!r}).')
        if class_name == 'BatchNormalization' and isinstance(config.get('axis'), list) \
                and len(config['axis']) == 1:
            config['axis'] = config['axis'][0]      # tf.keras saves the axis as a list
        config = _translate(config, where=name)
    out = {k: _translate(v, where) for k, v in obj.items()
           if k not in _IGNORED_KEYS and k not in ('class_name', 'config')}
    out.update(class_name=class_name, config=config)
    return out



def translate_optimizer_config(config):
    """A tf.keras 2.x optimizer config (`Custom>Adam`, with the optimizer-v2
    settings) in Keras 2.3's form.

    Raises:
        ValueError: a setting Keras 2.3 has no equivalent of (weight decay,
            EMA, global clipnorm)."""
    class_name = config['class_name']
    if class_name.startswith('Custom>'):
        class_name = class_name[len('Custom>'):]
    settings = dict(config['config'])
    for key, neutral in dict(_OPTIMIZER_V2_KEYS,
                             **_OPTIMIZER_V2_NEUTRAL.get(class_name, {})).items():
        if key in settings and (key in _OPTIMIZER_V2_IGNORED or settings[key] == neutral):
            del settings[key]
        elif key in settings and key not in ('clipnorm', 'clipvalue'):
            raise ValueError(f'load_model: the optimizer {class_name} was saved with '
                             f'{key}={settings[key]!r}, which Keras 2.3 optimizers lack.')
    return {'class_name': class_name, 'config': settings}
