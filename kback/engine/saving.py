"""HDF5 saving in Keras 2's layout.

A model file holds the attributes `keras_version`, `backend`, `model_config`
(JSON) and `training_config` (JSON), a `model_weights` group with one group
per layer (attribute `weight_names`, one dataset per weight named like
`dense_1/kernel:0`) and an `optimizer_weights` group.  A weights file is the
`model_weights` group at the root.  Files are written to a temporary file
beside the target and renamed (utils.io_utils.atomic_write), so a crash
mid-save leaves the old file, and the next save removes what it left.
"""
import contextlib
import io
import json
import os

import numpy as np

from .. import backend as K
from .._version import __version__
from ..utils.io_utils import atomic_write
from .saving_compat import (preprocess_weights_for_loading, translate_config,
                            translate_optimizer_config)

BACKEND = 'kback'


def _h5py():
    try:
        import h5py
    except ImportError as e:
        raise ImportError('saving and loading models needs h5py: pip install h5py') from e
    return h5py


def _is_file_like(filepath, method):
    return callable(getattr(filepath, method, None))


def _atomic_h5(filepath, overwrite, write):
    """write(group) into a path (atomically), an open h5py File or Group
    (left open) or a binary file-like object such as io.BytesIO (Keras 2.3)."""
    h5py = _h5py()
    if isinstance(filepath, h5py.Group):
        write(filepath)
        return
    if _is_file_like(filepath, 'write'):
        with h5py.File(filepath, 'w') as f:
            write(f)
        return
    filepath = _path(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f'{filepath} exists and overwrite=False')
    with atomic_write(filepath) as tmp:
        with h5py.File(tmp, 'w') as f:
            write(f)


def _path(filepath):
    try:
        return os.fspath(filepath)
    except TypeError:
        raise TypeError('saving/loading: expected a file path, an h5py.File or Group, or a '
                        f'binary file-like object, got {type(filepath).__name__}') from None


@contextlib.contextmanager
def _h5_source(filepath):
    """An HDF5 group to read from a path, an open h5py File or Group (left
    open) or a binary file-like object (io.BytesIO)."""
    h5py = _h5py()
    if isinstance(filepath, h5py.Group):
        yield filepath
        return
    source = filepath if _is_file_like(filepath, 'read') else _path(filepath)
    with h5py.File(source, 'r') as f:
        yield f


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, tuple)):
        return list(obj)
    if callable(obj) and hasattr(obj, '__name__'):
        return obj.__name__
    if hasattr(obj, 'get_config'):
        return {'class_name': type(obj).__name__, 'config': obj.get_config()}
    raise TypeError(f'Not JSON serializable: {obj!r}')


def _write_layer_weights(group, layers):
    group.attrs['layer_names'] = [layer.name.encode('utf8') for layer in layers]
    group.attrs['backend'] = BACKEND.encode('utf8')
    group.attrs['keras_version'] = __version__.encode('utf8')
    for layer in layers:
        g = group.create_group(layer.name)
        weights = layer.weights
        values = K.batch_get_value(weights)
        names = [_weight_name(w, i) for i, w in enumerate(weights)]
        g.attrs['weight_names'] = [n.encode('utf8') for n in names]
        for name, value in zip(names, values):
            g.create_dataset(name, data=value)


def _weight_name(weight, index):
    name = getattr(weight, 'name', None)
    return name if name else f'param_{index}'


def save_weights(model, filepath, overwrite=True):
    """Writes the weights of a model's layers to an HDF5 file (Keras 2's layout).

    Arguments:
        model: the model.
        filepath: the file's path; it is written atomically.
        overwrite: whether to replace an existing file.

    Raises:
        FileExistsError: if the file exists and `overwrite` is False.
    """
    _atomic_h5(filepath, overwrite, lambda f: _write_layer_weights(f, model.layers))


def _training_config(model):
    def ser(value):
        if isinstance(value, dict):
            return {k: ser(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [ser(v) for v in value]
        if value is None or isinstance(value, (str, int, float)):
            return value
        if hasattr(value, 'get_config'):
            return {'class_name': type(value).__name__, 'config': value.get_config()}
        return getattr(value, '__name__', str(value))
    return {'optimizer_config': {'class_name': type(model.optimizer).__name__,
                                 'config': model.optimizer.get_config()},
            'loss': ser(model.loss), 'metrics': ser(model._compile_metrics),
            'weighted_metrics': ser(model._compile_weighted_metrics),
            'sample_weight_mode': model.sample_weight_mode,
            'loss_weights': ser(model.loss_weights)}


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """Saves a model to one HDF5 file: its architecture, weights and optimizer.

    The layout is Keras 2's; the file is written to a temporary name and
    renamed into place, so an interrupted save leaves no partial file.

    Arguments:
        model: the model to save.
        filepath: the file's path.
        overwrite: whether to replace an existing file.
        include_optimizer: whether to save the compile configuration and the
            optimizer's state, so that training can resume after loading.

    Raises:
        FileExistsError: if the file exists and `overwrite` is False.
        ImportError: if h5py is not installed.
    """
    def write(f):
        f.attrs['keras_version'] = __version__.encode('utf8')
        f.attrs['backend'] = BACKEND.encode('utf8')
        f.attrs['model_config'] = json.dumps(
            {'class_name': type(model).__name__, 'config': model.get_config()},
            default=_json_default).encode('utf8')
        _write_layer_weights(f.create_group('model_weights'), model.layers)
        if include_optimizer and getattr(model, 'optimizer', None) is not None:
            f.attrs['training_config'] = json.dumps(_training_config(model),
                                                    default=_json_default).encode('utf8')
            weights = model.optimizer.weights
            if weights:
                g = f.create_group('optimizer_weights')
                names = [f'optimizer_weight_{i}:0' if not getattr(w, 'name', None)
                         else f'{i}_{w.name}' for i, w in enumerate(weights)]
                g.attrs['weight_names'] = [n.encode('utf8') for n in names]
                for name, value in zip(names, K.batch_get_value(weights)):
                    g.create_dataset(name, data=value)
    _atomic_h5(filepath, overwrite, write)


def _decode(values):
    return [v.decode('utf8') if isinstance(v, bytes) else str(v) for v in values]


def _layer_values(group, name):
    g = group[name]
    return [np.asarray(g[w]) for w in _decode(g.attrs['weight_names'])]


def load_weights_from_group(model, group, by_name=False, skip_mismatch=False, reshape=False):
    import warnings
    names = _decode(group.attrs['layer_names'])
    saved = [(n, _layer_values(group, n)) for n in names]
    origin = _saved_by(group)
    pairs = []
    if by_name:
        by = {l.name: l for l in model.layers}
        for n, values in saved:
            layer = by.get(n)
            if layer is None:
                continue
            try:
                values = preprocess_weights_for_loading(layer, values, *origin, reshape=reshape)
            except ValueError as e:
                if not skip_mismatch:
                    raise
                warnings.warn(f'Skipping loading of weights for layer "{n}": {e}')
                continue
            if len(values) != len(layer.weights) or any(
                    K.int_shape(w) != v.shape for w, v in zip(layer.weights, values)):
                msg = (f'Layer "{n}": the saved weights have shapes '
                       f'{[v.shape for v in values]} but the layer expects '
                       f'{[K.int_shape(w) for w in layer.weights]}')
                if skip_mismatch:
                    warnings.warn('Skipping loading of weights for ' + msg)
                    continue
                raise ValueError(msg)
            pairs += list(zip(layer.weights, values))
    else:
        layers = [l for l in model.layers if l.weights]
        saved = [(n, v) for n, v in saved if v]
        if len(layers) != len(saved):
            raise ValueError(f'You are trying to load a weight file containing {len(saved)} '
                             f'layers into a model with {len(layers)} layers.')
        for k, (layer, (n, values)) in enumerate(zip(layers, saved)):
            values = preprocess_weights_for_loading(layer, values, *origin, reshape=reshape)
            if len(values) != len(layer.weights):
                raise ValueError(f'Layer #{k} (named "{layer.name}" in the current model) was '
                                 f'found to correspond to layer {n} in the save file. However '
                                 f'the new layer {layer.name} expects {len(layer.weights)} '
                                 f'weights, but the saved weights have {len(values)} elements.')
            for w, v in zip(layer.weights, values):
                if K.int_shape(w) != v.shape:
                    raise ValueError(f'Layer #{k} (named "{layer.name}"): weight {w.name} has '
                                     f'shape {K.int_shape(w)}, but the saved weight has shape '
                                     f'{v.shape}.')
            pairs += list(zip(layer.weights, values))
    K.batch_set_value(pairs)


def _saved_by(group):
    """(keras_version, backend) of a weights group; a file without a version is
    Keras 1's, as Keras 2.3 reads it."""
    attrs = group.attrs
    version = _decode([attrs['keras_version']])[0] if 'keras_version' in attrs else '1'
    backend = _decode([attrs['backend']])[0] if 'backend' in attrs else None
    return version, backend


def load_weights(model, filepath, by_name=False, skip_mismatch=False, reshape=False):
    """Loads weights saved by `save_weights` or `save_model` into a model.

    Arguments:
        model: the model to load into.
        filepath: the HDF5 file's path, an open `h5py.File` or `Group`
            (left open), or a binary file-like object.
        by_name: load into the layers of the same name, instead of by order.
        skip_mismatch: with `by_name`, skip layers whose weights do not fit.
        reshape: reshape a saved weight to the layer's shape when the sizes
            agree.

    Raises:
        ValueError: if the saved weights do not fit the model.
    """
    with _h5_source(filepath) as f:
        group = f['model_weights'] if 'layer_names' not in f.attrs and 'model_weights' in f \
            else f
        load_weights_from_group(model, group, by_name, skip_mismatch, reshape)


def model_from_config(config, custom_objects=None):
    """Builds a model (or layer) from a configuration dict.

    Arguments:
        config: a dict `{'class_name': ..., 'config': ...}` as made by
            `kback.layers.serialize` or found in a saved model.
        custom_objects: a dict mapping names to custom classes or functions.

    Returns:
        A model instance (weights freshly initialized).

    Raises:
        TypeError: if `config` is a list (a Sequential's bare layer list).
    """
    if isinstance(config, list):
        raise TypeError('`model_from_config` expects a dictionary, not a list. Maybe you meant '
                        'to use `Sequential.from_config(config)`?')
    from ..layers import deserialize
    return deserialize(config, custom_objects=custom_objects)


def model_from_json(json_string, custom_objects=None):
    """Builds a model from the JSON string made by `model.to_json()`.

    Arguments:
        json_string: the JSON string.
        custom_objects: a dict mapping names to custom classes or functions.

    Returns:
        A model instance (weights freshly initialized).

    Example::

        json_string = model.to_json()
        same_architecture = model_from_json(json_string)
    """
    return model_from_config(json.loads(json_string), custom_objects=custom_objects)


def _yaml():
    try:
        import yaml
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError('YAML model configurations require pyyaml (`pip install pyyaml`).')
    return yaml


def to_yaml(model, **kwargs):
    """The model's JSON configuration written as YAML (plain lists and maps)."""
    return _yaml().dump(json.loads(model.to_json()), **kwargs)


def model_from_yaml(yaml_string, custom_objects=None):
    """Builds a model from the YAML string made by `model.to_yaml()`.

    Arguments:
        yaml_string: the YAML string.
        custom_objects: a dict mapping names to custom classes or functions.

    Returns:
        A model instance (weights freshly initialized).

    Raises:
        ImportError: if pyyaml is not installed.
    """
    return model_from_config(_yaml().safe_load(yaml_string), custom_objects=custom_objects)


def load_model(filepath, custom_objects=None, compile=True):
    """Loads a model saved by `model.save` or `save_model`.

    Arguments:
        filepath: the HDF5 file's path.
        custom_objects: a dict mapping the names of custom layers, losses,
            metrics or other objects the model uses to their classes or
            functions.
        compile: whether to compile the model with the saved training
            configuration (and restore the optimizer's state).

    Returns:
        The model; compiled if the file holds a training configuration and
        `compile` is True.

    Raises:
        ValueError: if the file holds no model.
        ImportError: if h5py is not installed.

    Example::

        model.save('model.h5')
        model = load_model('model.h5')
    """
    from .. import optimizers
    with _h5_source(filepath) as f:
        if 'model_config' not in f.attrs:
            raise ValueError(f'No model found in config file {filepath}.')
        config = translate_config(json.loads(_decode([f.attrs['model_config']])[0]))
        model = model_from_config(config, custom_objects=custom_objects)
        load_weights_from_group(model, f['model_weights'])
        if not compile or 'training_config' not in f.attrs:
            return model
        training = json.loads(_decode([f.attrs['training_config']])[0])
        optimizer = optimizers.deserialize(translate_optimizer_config(training['optimizer_config']),
                                           custom_objects=custom_objects)

        from ..utils.generic_utils import CustomObjectScope
        with CustomObjectScope(custom_objects or {}):
            model.compile(optimizer=optimizer,
                          loss=_deserialize_losses(training['loss'], custom_objects),
                          metrics=training.get('metrics'),
                          weighted_metrics=training.get('weighted_metrics'),
                          loss_weights=training.get('loss_weights'),
                          sample_weight_mode=training.get('sample_weight_mode'))
            if 'optimizer_weights' in f:
                _load_optimizer_weights(model, f['optimizer_weights'])
    return model


def _load_optimizer_weights(model, g):
    import warnings
    values = [np.asarray(g[n]) for n in _decode(g.attrs['weight_names'])]
    model._function('train')        # creates the optimizer's slots
    try:
        model.optimizer.set_weights(values)
    except ValueError:
        warnings.warn('Error in loading the saved optimizer state. As a result, your model is '
                      'starting with a freshly initialized optimizer.')


def _deserialize_losses(loss, custom_objects):
    from .. import losses
    if isinstance(loss, dict) and 'class_name' in loss:
        return losses.deserialize(loss, custom_objects=custom_objects)
    if isinstance(loss, dict):
        return {k: _deserialize_losses(v, custom_objects) for k, v in loss.items()}
    if isinstance(loss, list):
        return [_deserialize_losses(v, custom_objects) for v in loss]
    if isinstance(loss, str) and custom_objects and loss in custom_objects:
        return custom_objects[loss]
    return loss


# -- pickling (Keras 2.3's Network.__reduce__): the whole saved model file,
# config, weights and optimizer state, written to memory.

def pickle_model(model):
    """The bytes of `model` saved as an HDF5 file in memory."""
    buffer = io.BytesIO()
    save_model(model, buffer)
    return buffer.getvalue()


def unpickle_model(data):
    """The model `pickle_model` wrote (compiled, optimizer state loaded)."""
    return load_model(io.BytesIO(data))
