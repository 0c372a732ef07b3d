"""Identifier resolution shared by activations, initializers, regularizers,
constraints, losses, metrics, optimizers and layers: one `serialize` and one
`deserialize` rule, and the user's custom objects."""
import inspect

_GLOBAL_CUSTOM_OBJECTS = {}


def get_custom_objects():
    """The global dict of user objects that names are resolved against.

    Adding to it makes a custom class or function loadable by name
    everywhere.

    Returns:
        The (mutable) dict.

    Example::

        get_custom_objects()['ScaledDense'] = ScaledDense
    """
    return _GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """A context manager within which the given objects are resolvable by name.

    Arguments:
        *scopes: dicts mapping names to classes or functions.

    Example::

        with CustomObjectScope({'ScaledDense': ScaledDense}):
            model = load_model('model.h5')
    """

    def __init__(self, *scopes):
        self.scopes = scopes
        self._saved = None

    def __enter__(self):
        self._saved = dict(_GLOBAL_CUSTOM_OBJECTS)
        for scope in self.scopes:
            _GLOBAL_CUSTOM_OBJECTS.update(scope or {})
        return self

    def __exit__(self, *exc):
        _GLOBAL_CUSTOM_OBJECTS.clear()
        _GLOBAL_CUSTOM_OBJECTS.update(self._saved)


def custom_object_scope(*scopes):
    """A `CustomObjectScope` of the given dicts of names to objects.

    Arguments:
        *scopes: dicts mapping names to classes or functions.

    Returns:
        A context manager.
    """
    return CustomObjectScope(*scopes)


def serialize_keras_object(instance):
    """An object as JSON-able data: a function as its name, an object with
    `get_config` as `{'class_name': ..., 'config': ...}`.

    Arguments:
        instance: the object (or None).

    Returns:
        A string, a dict, or None.
    """
    if instance is None:
        return None
    if hasattr(instance, 'get_config'):
        return {'class_name': instance.__class__.__name__, 'config': instance.get_config()}
    if hasattr(instance, '__name__'):
        return instance.__name__
    raise ValueError(f'Cannot serialize {instance!r}: it has neither get_config nor a name')


def _lookup(name, module_objects, custom_objects, kind):
    for table in (custom_objects or {}, _GLOBAL_CUSTOM_OBJECTS, module_objects):
        if name in table:
            return table[name]
    known = ', '.join(sorted(k for k, v in module_objects.items()
                             if not k.startswith('_') and callable(v)))
    raise ValueError(f'Unknown {kind}: {name!r}. Known: {known}')


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name='object'):
    """A name or a `{'class_name', 'config'}` dict back to the object.

    A class named in a dict is built with its `from_config(config)` when it has
    one, else `cls(**config)`; a plain name resolves to what the tables hold (a
    function, or a class then instantiated without arguments).

    Arguments:
        identifier: a string or a dict.
        module_objects: a dict of the module's own names to objects.
        custom_objects: a dict of user names to objects (searched first).
        printable_module_name: what the object is, for the error message.

    Returns:
        The object.

    Raises:
        ValueError: if the name is unknown (the message lists the known ones).
    """
    module_objects = module_objects or {}
    if isinstance(identifier, dict):
        if 'class_name' not in identifier or 'config' not in identifier:
            raise ValueError(f'Improper config for {printable_module_name}: {identifier!r}')
        cls = _lookup(identifier['class_name'], module_objects, custom_objects,
                      printable_module_name)
        config = identifier['config']
        if hasattr(cls, 'from_config'):
            params = inspect.signature(cls.from_config).parameters
            if 'custom_objects' in params:
                merged = dict(_GLOBAL_CUSTOM_OBJECTS, **(custom_objects or {}))
                return cls.from_config(config, custom_objects=merged)
            with CustomObjectScope(custom_objects or {}):
                return cls.from_config(config)
        with CustomObjectScope(custom_objects or {}):
            return cls(**config)
    if isinstance(identifier, str):
        obj = _lookup(identifier, module_objects, custom_objects, printable_module_name)
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f'Could not interpret {printable_module_name} identifier: {identifier!r}')


from .progbar import Progbar  # noqa: E402,F401  (keras.utils.generic_utils.Progbar)

from .progbar import Progbar  # noqa: F401,E402  (keras.utils.generic_utils.Progbar)
