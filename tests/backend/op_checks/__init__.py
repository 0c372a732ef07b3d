"""One table of check cases per op module; test_op_table.py requires a case
for every op in the op table.  A case is a dict:
  build: fn(*tensors) -> tensor (usually apply(op, ...)),
  inputs: list of numpy arrays (float64 for differentiable inputs),
  reference: numpy fn(*arrays) or None, grad: list of input indexes to
  gradient-check (default: all float inputs; [] for none),
  plus optional tolerances for check_op.
"""
import importlib
import pkgutil

CHECKS = {}
for _info in pkgutil.iter_modules(__path__):
    _module = importlib.import_module(f'{__name__}.{_info.name}')
    for _name, _cases in _module.CHECKS.items():
        assert _name not in CHECKS, f'two check tables for op {_name}'
        CHECKS[_name] = _cases
