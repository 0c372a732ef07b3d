import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

# Tests that run kernels "at 2 threads" must get 2 threads however busy the
# machine is: the adaptive team size is off unless a test turns it on.
os.environ.setdefault('KBACK_ADAPTIVE_THREADS', '0')

try:
    from hypothesis import HealthCheck, settings
except ImportError:          # the property tests skip themselves without it
    pass
else:
    # Property tests (tests/core/test_core_properties.py, tests/backend/test_op_properties.py):
    # 'ci' is deterministic and keeps each test near a second;
    # KBACK_HYPOTHESIS_PROFILE=long runs 30x more, for manual runs.
    _quiet = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
              HealthCheck.function_scoped_fixture]     # _fresh_backend: harmless here
    settings.register_profile('ci', max_examples=100, deadline=None, derandomize=True,
                              suppress_health_check=_quiet)
    settings.register_profile('long', max_examples=3000, deadline=None,
                              suppress_health_check=_quiet)
    settings.load_profile(os.environ.get('KBACK_HYPOTHESIS_PROFILE', 'ci'))


@pytest.fixture(autouse=True)
def _fresh_backend():
    """Every test starts with default settings and a new graph."""
    from kback import backend as K
    from kback.backend import config
    saved = dict(config._settings)
    K.clear_session()
    np.random.seed(1234)
    yield
    config._settings.clear()
    config._settings.update(saved)
    K.clear_session()
