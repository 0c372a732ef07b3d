import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))


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
