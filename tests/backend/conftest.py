"""Hypothesis profiles for the property tests: `ci` (the default, a moderate
number of examples, deterministic) and `long` (for manual runs), picked by
KBACK_HYPOTHESIS_PROFILE."""
import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                      HealthCheck.function_scoped_fixture,
                                                      HealthCheck.filter_too_much])
settings.register_profile('ci', max_examples=60, derandomize=True, **_COMMON)
settings.register_profile('long', max_examples=3000, **_COMMON)
settings.load_profile(os.environ.get('KBACK_HYPOTHESIS_PROFILE', 'ci'))
