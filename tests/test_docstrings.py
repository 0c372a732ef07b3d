"""Every public name of kback's API lists has a docstring, written the way the
docs site (Sphinx napoleon, docs/conf.py) reads it, with an `Arguments:` section
that names each parameter of the signature: a new function, class or argument
without its documentation fails here instead of leaving a hole in the API
reference."""
import inspect
import re

import pytest

import kback
from kback import (activations, backend as K, callbacks, constraints, initializers, layers,
                   losses, metrics, models, optimizers, regularizers)
from kback.datasets import boston_housing, cifar10, cifar100, fashion_mnist, mnist
from kback.preprocessing import image, sequence, text

# The modules whose public names the API reference lists (docs/api/*.rst).
API_MODULES = [K, layers, models, optimizers, callbacks, losses, metrics, initializers,
               regularizers, constraints, activations, image, sequence, text, kback.utils]
DATASETS = [mnist, fashion_mnist, cifar10, cifar100, boston_housing]

# Model's own API (Keras 2.3's Model page) and what Network and Layer give it.
MODEL_API = ['compile', 'fit', 'evaluate', 'predict', 'train_on_batch', 'test_on_batch',
             'predict_on_batch', 'fit_generator', 'evaluate_generator', 'predict_generator',
             'save', 'save_weights', 'load_weights', 'summary', 'get_weights', 'set_weights',
             'get_layer', 'to_json', 'to_yaml', 'reset_metrics', 'reset_states', 'get_config',
             'from_config', 'layers', 'metrics', 'trainable_weights', 'non_trainable_weights',
             'weights', 'updates', 'losses', 'input', 'output', 'input_shape',
             'output_shape', 'count_params', 'add_loss', 'add_update', 'add_weight']

SECTION = re.compile(r'^([A-Z][A-Za-z ]*):$')
ENTRY = re.compile(r'^    (\*{0,2}\w+)(?: \([^)]*\))?:')


def public_names(module):
    """(qualified name, object) of the module's public functions and classes."""
    names = getattr(module, '__all__', None) or [n for n in dir(module) if not n.startswith('_')]
    for name in sorted(names):
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            yield f'{module.__name__}.{name}', obj


def documented_arguments(doc):
    """The names listed in the docstring's `Arguments:` section (None if none)."""
    names, inside = None, False
    for line in doc.splitlines():
        header = SECTION.match(line)
        if header:
            inside = header.group(1) == 'Arguments'
            names = set() if inside and names is None else names
            continue
        if inside and line and not line.startswith(' '):
            inside = False
        entry = ENTRY.match(line) if inside else None
        if entry:
            names.add(entry.group(1).lstrip('*'))
    return names


def parameters(obj):
    """The parameters a caller passes (self, and *args/**kwargs forwarded to a
    base, left out)."""
    fn = obj.__init__ if inspect.isclass(obj) else obj
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.name not in ('self', 'cls')
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def own_parameters(obj):
    """The parameters of a class's own __init__ (an inherited one is documented
    on its base class), or of a function."""
    if inspect.isclass(obj) and '__init__' not in vars(obj):
        return []
    return parameters(obj)


def undocumented(params, doc):
    return sorted(set(params) - (documented_arguments(doc) or set()))


API = [item for module in API_MODULES for item in public_names(module)] + \
    [(f'{module.__name__}.load_data', module.load_data) for module in DATASETS]

# The public methods and properties that the API's classes define themselves.
METHODS = [(f'{name}.{attr}', member.fget if isinstance(member, property) else member)
           for name, cls in API if inspect.isclass(cls)
           for attr, member in vars(cls).items()
           if not attr.startswith('_') and (inspect.isfunction(member) or
                                            isinstance(member, property))]


@pytest.mark.parametrize('name, obj', API, ids=[name for name, _ in API])
def test_public_name_has_a_docstring(name, obj):
    # A class's own: the base class's docstring says nothing of the subclass.
    doc = vars(obj).get('__doc__') if inspect.isclass(obj) else obj.__doc__
    assert (doc or '').strip(), f'{name} has no docstring'


@pytest.mark.parametrize('name, obj', API, ids=[name for name, _ in API])
def test_every_argument_is_documented(name, obj):
    missing = undocumented(own_parameters(obj), inspect.getdoc(obj) or '')
    assert not missing, f'{name}: arguments without a description: {missing}'


@pytest.mark.parametrize('attr', MODEL_API)
def test_model_api_is_documented(attr):
    member = inspect.getattr_static(models.Model, attr)
    obj = member.fget if isinstance(member, property) else getattr(models.Model, attr)
    doc = inspect.getdoc(obj) or ''
    assert doc.strip(), f'Model.{attr} has no docstring'
    missing = undocumented(parameters(obj), doc)
    assert not missing, f'Model.{attr}: arguments without a description: {missing}'


def test_sections_read_as_napoleon_reads_them():
    """Keras 2.3 writes `# Arguments`, napoleon needs `Arguments:`; and napoleon
    takes a colon in the first line of `Returns:` as "type: description", which
    silently garbles the page."""
    markdown, returns_colon = [], []
    for name, obj in API + METHODS:
        lines = (inspect.getdoc(obj) or '').splitlines()
        if any(re.match(r'\s*# (Arguments|Returns|Raises|Example)', line) for line in lines):
            markdown.append(name)
        returns_colon += [name for i, line in enumerate(lines[:-1])
                          if line == 'Returns:' and ':' in lines[i + 1]]
    assert not markdown, f'markdown section headings: {markdown}'
    assert not returns_colon, f'a colon in the first line of Returns: {returns_colon}'
