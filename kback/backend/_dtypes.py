"""dtype rules shared by every op: names, promotion, the float16 compute type."""
import numpy as np

FLOAT_DTYPES = ('float16', 'float32', 'float64')
_KNOWN = FLOAT_DTYPES + ('int8', 'int16', 'int32', 'int64', 'uint8', 'uint16',
                         'uint32', 'uint64', 'bool')


def as_dtype_name(dtype):
    """A dtype given as a string, numpy dtype or type, as its Keras name."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        raise ValueError(f'Unknown dtype: {dtype!r}') from None
    if name not in _KNOWN:
        raise ValueError(f'Unsupported dtype: {name!r}; supported: {", ".join(_KNOWN)}')
    return name


def is_float(dtype):
    return dtype in FLOAT_DTYPES


def is_int(dtype):
    return dtype.startswith('int') or dtype.startswith('uint')


def compute_dtype(dtype):
    """float16 is a storage type: arithmetic happens in float32."""
    return 'float32' if dtype == 'float16' else dtype


def result_dtype(*dtypes):
    """The dtype of an op combining inputs of these dtypes."""
    first = dtypes[0]
    if all(d == first for d in dtypes):
        return first
    return np.result_type(*dtypes).name
