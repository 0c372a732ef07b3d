# cython: language_level=3
"""The argument checks of every kback_core entry point (inline only, so there
is no module to import).

kback_core is importable by anyone, so each public function checks what its
loops rely on before they run: a wrong kind of argument raises TypeError, a
wrong value or shape ValueError, each naming the function and the argument.
The public `def`s take plain objects, check them here and dispatch to a fused
`cdef` body (Cython's own fused dispatch would say only "No matching
signature found").  Every check reads flags and shapes, never elements:
O(1) per call.  A module that cimports this one calls cnp.import_array() at
import: the checks use numpy's C API.
"""
from cpython.bool cimport PyBool_Check
from cpython.float cimport PyFloat_Check, PyFloat_AS_DOUBLE
from cpython.number cimport PyIndex_Check
cimport numpy as cnp

# The most threads a kernel starts: libgomp segfaults creating 100000 threads
# and aborts asking for -1 (2**32 - 1).  Exported as kback_core.MAX_THREADS;
# kback's config keeps the same number (checked when _kernels imports us).
cdef enum:
    MAX_THREADS = 256

# Codes for `array`'s dtype argument besides a numpy type number.
cdef enum:
    ANY_FLOAT = -1      # float32 or float64
    INT64 = -2          # a native 64-bit signed int (long or long long)


cdef inline bint _is_int(object v):
    """A Python or numpy int; not a bool, a float or an array (arrays have
    __index__ too)."""
    return PyIndex_Check(v) and not PyBool_Check(v) and not cnp.PyArray_Check(v)


cdef inline Py_ssize_t integer(str op, str name, object v, Py_ssize_t lo,
                               Py_ssize_t hi) except? -1:
    """v as an int in [lo, hi]; bools and floats are refused, not truncated."""
    cdef Py_ssize_t r
    if not _is_int(v):
        raise TypeError(f'{op}: {name} must be an int, got {v!r} ({type(v).__name__})')
    try:
        r = v
    except OverflowError:
        raise ValueError(f'{op}: {name} must be an int in [{lo}, {hi}], got {v!r}') from None
    if r < lo or r > hi:
        raise ValueError(f'{op}: {name} must be an int in [{lo}, {hi}], got {r}')
    return r


cdef inline int threads(str op, object n) except -1:
    """n_threads: an int in [1, MAX_THREADS]."""
    return <int>integer(op, 'n_threads', n, 1, MAX_THREADS)


cdef inline int unsigned(str op, str name, object v, int bits) except -1:
    """v is an int in [0, 2**bits)."""
    if not _is_int(v):
        raise TypeError(f'{op}: {name} must be an int, got {v!r} ({type(v).__name__})')
    if v < 0 or v >> bits:        # Python ints: no overflow
        raise ValueError(f'{op}: {name} must be an int in [0, 2**{bits}), got {v!r}')
    return 0


cdef inline bint flag(str op, str name, object v) except -1:
    """A bool (Python or numpy), or the int 0 or 1."""
    if PyBool_Check(v):
        return v is True
    if isinstance(v, cnp.generic) and not isinstance(v, cnp.number) and \
            cnp.PyArray_DescrFromScalar(v).type_num == cnp.NPY_BOOL:
        return bool(v)
    if _is_int(v) and (v == 0 or v == 1):
        return v == 1
    raise TypeError(f'{op}: {name} must be a bool, got {v!r} ({type(v).__name__})')


cdef inline double real(str op, str name, object v) except? -1.0:
    """A real number (int, float, numpy scalar or 0-d array) as a double."""
    if PyFloat_Check(v):
        return PyFloat_AS_DOUBLE(v)
    if PyBool_Check(v) or isinstance(v, (str, bytes)) or \
            (cnp.PyArray_Check(v) and cnp.PyArray_NDIM(<cnp.ndarray>v) != 0):
        raise TypeError(f'{op}: {name} must be a real number, got {v!r}')
    try:
        return float(v)
    except (TypeError, ValueError):
        raise TypeError(f'{op}: {name} must be a real number, got {v!r}') from None


cdef inline str _dtype_name(int dtype):
    if dtype == ANY_FLOAT:
        return 'float32 or float64'
    if dtype == INT64:
        return 'int64'
    return 'float32' if dtype == cnp.NPY_FLOAT else 'float64'


cdef inline int array(str op, str name, object a, int ndim, int dtype,
                      bint written) except -1:
    """a is an aligned, native-order, C-contiguous numpy array of `ndim`
    dimensions and `dtype` (a type number, ANY_FLOAT or INT64), writeable
    when `written`; returns its type number (to dispatch on, or to make the
    other buffers agree with)."""
    cdef cnp.ndarray arr
    cdef int t
    cdef bint ok
    if not cnp.PyArray_Check(a):
        raise TypeError(f'{op}: {name} must be a numpy array of {_dtype_name(dtype)}, got '
                        f'{type(a).__name__}')
    arr = <cnp.ndarray>a
    t = cnp.PyArray_TYPE(arr)
    if dtype == ANY_FLOAT:
        ok = t == cnp.NPY_FLOAT or t == cnp.NPY_DOUBLE
    elif dtype == INT64:
        ok = (t == cnp.NPY_LONG or t == cnp.NPY_LONGLONG) and cnp.PyArray_ITEMSIZE(arr) == 8
    else:
        ok = t == dtype
    if not ok or not cnp.PyArray_ISNOTSWAPPED(arr):
        raise TypeError(f'{op}: {name} must be a native {_dtype_name(dtype)} array, got '
                        f'{arr.dtype.str} ({arr.dtype})')
    if cnp.PyArray_NDIM(arr) != ndim:
        raise ValueError(f'{op}: {name} must have {ndim} dimension(s), got shape '
                         f'{a.shape}')
    if not cnp.PyArray_IS_C_CONTIGUOUS(arr) or not cnp.PyArray_ISALIGNED(arr):
        raise ValueError(f'{op}: {name} must be an aligned C-contiguous array '
                         '(np.ascontiguousarray)')
    if written and not cnp.PyArray_ISWRITEABLE(arr):
        raise ValueError(f'{op}: {name} is read-only, but the kernel writes it')
    return t


cdef inline int floats(str op, str name, object a, int ndim) except -1:
    """An input of float32 or float64; returns its type number."""
    return array(op, name, a, ndim, ANY_FLOAT, False)
