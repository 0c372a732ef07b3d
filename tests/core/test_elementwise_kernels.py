"""kback_core relu kernels against numpy, float32/float64, 1 and 2 threads (the
fused bias/loss/dropout kernels: test_fused_kernels.py)."""
import os
import subprocess
import sys

import numpy as np
import pytest

from kback import backend as K
from kback.backend import _kernels
from kback.backend._kernels import elementwise as kew

from kback_core import elementwise as kback_core


def test_extension_is_built_and_reports_openmp():
    # CI installs the package, so the compiled core must be there.
    assert _kernels.AVAILABLE
    info = _kernels.info()
    assert info['compiled'] and info['num_threads'] >= 1
    assert isinstance(info['openmp'], bool)
    assert info['keeps_freed_memory'] == sys.platform.startswith('linux')


def test_freed_memory_policy_can_be_turned_off():
    code = 'from kback.backend import _kernels; print(_kernels.KEEPS_FREED_MEMORY)'
    env = dict(os.environ, KBACK_KEEP_FREED_MEMORY='0')
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert out.stdout.strip() == 'False', out.stderr


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('threads', [1, 2])
@pytest.mark.parametrize('n', [1, 7, 1 << 15])
def test_relu_kernels(dtype, threads, n):
    rng = np.random.RandomState(n)
    x = rng.randn(n).astype(dtype)
    x[::5] = 0
    g = rng.randn(n).astype(dtype)
    out = np.empty_like(x)
    kback_core.relu_forward(x, out, threads)
    np.testing.assert_array_equal(out, np.maximum(x, 0))
    kback_core.relu_backprop(x, g, out, threads)
    np.testing.assert_array_equal(out, np.where(x > 0, g, 0))


@pytest.mark.parametrize('threads', [1, 2])
def test_relu_op_uses_kernel_for_large_and_odd_inputs(threads):
    K.set_num_threads(threads)
    rng = np.random.RandomState(1)
    base = rng.randn(300, 200)
    for x in (base.astype(np.float32), base.astype(np.float64),
              base.astype(np.float32)[:, ::2],          # non-contiguous view
              np.asfortranarray(base.astype(np.float32))):
        out = kew.relu(x)
        np.testing.assert_array_equal(out, np.maximum(x, 0))
        g = rng.randn(*x.shape).astype(x.dtype)
        np.testing.assert_array_equal(kew.relu_backprop(x, g), np.where(x > 0, g, 0))


def test_kernels_reject_wrong_buffers_cleanly():
    x = np.zeros(4, dtype=np.float32)
    with pytest.raises((ValueError, TypeError)):
        kback_core.relu_forward(x, np.zeros(4, dtype=np.float64), 1)
    with pytest.raises((ValueError, TypeError)):
        kback_core.relu_forward(x, np.zeros((2, 2), dtype=np.float32), 1)
    with pytest.raises(ValueError, match='relu_forward'):
        kback_core.relu_forward(x, np.zeros(3, dtype=np.float32), 1)
    with pytest.raises(ValueError, match='bias_add_relu_forward'):
        kback_core.bias_add_forward(np.zeros((2, 3, 1), np.float32), np.zeros(2, np.float32),
                                    np.zeros((2, 3, 1), np.float32), True, 1)
    with pytest.raises(ValueError, match='bias_add_forward'):
        kback_core.bias_add_forward(np.zeros((2, 3, 1), np.float32), np.zeros(3, np.float32),
                                    np.zeros((2, 3, 2), np.float32), False, 1)
