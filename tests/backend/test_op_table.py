"""Every op in the table has a forward check against numpy and, when it is
differentiable, a float64 central-difference gradient check."""
import numpy as np
import pytest

from kback.backend.ops import OPS
from gradcheck import check_op, CHECKED_OPS
from backend.op_checks import CHECKS


@pytest.mark.parametrize('name', sorted(OPS))
def test_op(name):
    assert name in CHECKS, f"op '{name}' has no entry in tests/backend/op_checks"
    for case in CHECKS[name]:
        case = dict(case)
        build = case.pop('build')
        inputs = case.pop('inputs')
        reference = case.pop('reference', None)
        grad = case.pop('grad', None)
        bounds = case.pop('bounds', None)
        before = set(CHECKED_OPS)
        CHECKED_OPS.clear()
        value = check_op(build, inputs, reference, grad_wrt=grad, **case)
        if bounds is not None:   # random draws: shaped like the input, within bounds
            assert value.shape == inputs[0].shape
            assert np.all(value >= bounds[0]) and np.all(value <= bounds[1])
        assert name in CHECKED_OPS, f"the check for '{name}' never builds that op"
        CHECKED_OPS.update(before)
