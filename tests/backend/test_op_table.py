"""Every op in the table has a forward check against numpy and, when it is
differentiable, a float64 central-difference gradient check."""
import pytest

from kback.backend.ops import OPS
from gradcheck import check_op, CHECKED_OPS
from backend.op_checks import CHECKS

# Ops checked through the K functions that use them (their own test files).
STATEFUL = {name for name, op in OPS.items() if op.stateful}


@pytest.mark.parametrize('name', sorted(OPS))
def test_op(name):
    if name in STATEFUL:
        pytest.skip('stateful ops are checked in their own tests')  # noqa
    assert name in CHECKS, f"op '{name}' has no entry in tests/backend/op_checks"
    for case in CHECKS[name]:
        case = dict(case)
        build = case.pop('build')
        inputs = case.pop('inputs')
        reference = case.pop('reference', None)
        grad = case.pop('grad', None)
        before = set(CHECKED_OPS)
        CHECKED_OPS.clear()
        check_op(build, inputs, reference, grad_wrt=grad, **case)
        assert name in CHECKED_OPS, f"the check for '{name}' never builds that op"
        CHECKED_OPS.update(before)
