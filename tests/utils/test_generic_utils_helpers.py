"""keras.utils.generic_utils helpers that Keras-2 code imports, with Keras
2.3.1's semantics."""
import functools

import numpy as np
import pytest

from kback.utils.generic_utils import (to_list, unpack_singleton, slice_arrays,
                                       object_list_uid, has_arg, func_dump, func_load)


def test_to_list():
    a = [1, 2]
    assert to_list(a) is a
    assert to_list((1, 2)) == [(1, 2)]
    assert to_list((1, 2), allow_tuple=True) == [1, 2]
    assert to_list(None) == [None]
    x = np.zeros(3)
    assert to_list(x)[0] is x


def test_unpack_singleton():
    assert unpack_singleton([5]) == 5
    assert unpack_singleton((5,)) == 5
    assert unpack_singleton([1, 2]) == [1, 2]
    assert unpack_singleton([]) == []


def test_slice_arrays():
    a, b = np.arange(10), np.arange(10, 20)
    assert slice_arrays(None) == [None]
    got = slice_arrays([a, None, b], 2, 5)
    np.testing.assert_array_equal(got[0], a[2:5])
    assert got[1] is None
    np.testing.assert_array_equal(got[2], b[2:5])
    np.testing.assert_array_equal(slice_arrays(a, 3), a[3:])
    np.testing.assert_array_equal(slice_arrays([a], np.array([4, 1]))[0], a[[4, 1]])
    np.testing.assert_array_equal(slice_arrays(a, [0, 9]), a[[0, 9]])
    with pytest.raises(ValueError, match='stop argument'):
        slice_arrays([a], [1, 2], 3)


def test_object_list_uid():
    a, b = object(), object()
    assert object_list_uid(a) == str(abs(id(a)))
    assert object_list_uid([a, b]) == f'{abs(id(a))}, {abs(id(b))}'


def test_has_arg():
    def f(x, y=1, *args, z=2, **kwargs):
        pass

    def g(x, /, y):
        pass
    assert has_arg(f, 'y') and has_arg(f, 'z') and has_arg(f, 'x')
    assert not has_arg(f, 'w')
    assert has_arg(f, 'w', accept_all=True)
    assert not has_arg(f, 'args')           # *args cannot be passed by keyword
    assert not has_arg(g, 'x')              # positional-only
    assert has_arg(g, 'y')
    assert not has_arg(g, 'w', accept_all=True)
    assert has_arg(functools.partial(f, 1), 'y')


def test_func_dump_load_round_trip():
    scale = 3.0

    def affine(x, shift=1.5):
        return x * scale + shift
    dumped = func_dump(affine)
    code, defaults, closure = dumped
    assert isinstance(code, str) and defaults == (1.5,) and closure == (3.0,)
    loaded = func_load(dumped)
    assert loaded(2.0) == affine(2.0) == 7.5
    # JSON turns tuples into lists; func_load takes those too.
    loaded = func_load(code, defaults=[0.0], closure=[2.0])
    assert loaded(2.0) == 4.0
    assert loaded.__name__ == 'affine'


def test_func_load_uses_given_globals():
    dumped = func_dump(lambda x: np.sum(x) + OFFSET)  # noqa: F821
    fn = func_load(dumped, globs={'np': np, 'OFFSET': 10})
    assert fn([1, 2]) == 13
