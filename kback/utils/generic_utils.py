"""Identifier resolution shared by activations, initializers, regularizers,
constraints, losses, metrics, optimizers and layers: one `serialize` and one
`deserialize` rule, and the user's custom objects."""
import binascii
import codecs
import inspect
import marshal
import types as python_types

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



# -- small helpers that Keras-2 code imports from keras.utils.generic_utils --------------

def to_list(x, allow_tuple=False):
    """`x` as a list: a list is returned as is, a tuple becomes a list only when
    `allow_tuple`, anything else is wrapped: `[x]`."""
    if isinstance(x, list):
        return x
    if allow_tuple and isinstance(x, tuple):
        return list(x)
    return [x]


def unpack_singleton(x):
    """The only element of a one-element sequence, else `x` unchanged."""
    if len(x) == 1:
        return x[0]
    return x


def _as_index_list(index):
    return index.tolist() if hasattr(index, 'shape') else index


def slice_arrays(arrays, start=None, stop=None):
    """Rows of an array or of each array in a list (None entries stay None).

    `start` may be an integer with `stop`, or a list/array of row indices, in
    which case `stop` must be None.  `arrays=None` gives `[None]`."""
    if arrays is None:
        return [None]
    if isinstance(start, list) and stop is not None:
        raise ValueError('slice_arrays: the stop argument has to be None if the value of '
                         'start is a list.')
    indexed = hasattr(start, '__len__')
    if indexed:
        start = _as_index_list(start)
    if isinstance(arrays, list):
        if indexed:
            return [None if x is None else x[start] for x in arrays]
        return [None if x is None else x[start:stop] for x in arrays]
    if indexed:
        return arrays[start]
    # (Keras 2.3 tests `start` here, a slip that makes an integer start give
    # [None]; the array is what must be sliceable.)
    if hasattr(arrays, '__getitem__'):
        return arrays[start:stop]
    return [None]


def object_list_uid(object_list):
    """A string naming the identity of each object (one object or a list)."""
    return ', '.join(str(abs(id(x))) for x in to_list(object_list))


def has_arg(fn, name, accept_all=False):
    """Whether `fn` can be called with `name` as a keyword argument; with
    `accept_all`, a `**kwargs` parameter also counts."""
    parameters = inspect.signature(fn).parameters
    parameter = parameters.get(name)
    if parameter is None:
        return accept_all and any(p.kind == inspect.Parameter.VAR_KEYWORD
                                  for p in parameters.values())
    return parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              inspect.Parameter.KEYWORD_ONLY)


def func_dump(func):
    """A Python function as `(code, defaults, closure)`: its marshalled code in
    base64 text, its defaults and its closure values.  JSON-able; loadable only
    by the same Python version."""
    code = codecs.encode(marshal.dumps(func.__code__), 'base64').decode('ascii')
    closure = tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    return code, func.__defaults__, closure


def _cell(value):
    return (lambda: value).__closure__[0]


def func_load(code, defaults=None, closure=None, globs=None):
    """The function that `func_dump` described; `code` may be the whole dumped
    triple.  Its globals are `globs` (this module's when None)."""
    if isinstance(code, (tuple, list)):
        code, defaults, closure = code
    if isinstance(defaults, list):
        defaults = tuple(defaults)
    if closure is not None:
        closure = tuple(_cell(value) for value in closure)
    try:
        raw = codecs.decode(code.encode('ascii'), 'base64')
    except (UnicodeEncodeError, binascii.Error):
        raw = code.encode('raw_unicode_escape')
    code = marshal.loads(raw)
    return python_types.FunctionType(code, globs if globs is not None else globals(),
                                     name=code.co_name, argdefs=defaults, closure=closure)


from .progbar import Progbar  # noqa: E402,F401  (keras.utils.generic_utils.Progbar)
