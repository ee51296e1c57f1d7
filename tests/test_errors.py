"""Every path that would drop a tangent raises, and the message names the fix."""

from __future__ import annotations

import numpy as np
import pytest

import dualarray as da
from dualarray import DualArray
from dualarray._registry import FUNCTIONS


@pytest.fixture
def d():
    return DualArray(np.array([1.0, 2.0]), np.array([1.0, 0.0]))


@pytest.fixture
def d0():
    return DualArray(1.5, 1.0)


@pytest.mark.parametrize(
    "convert", [np.asarray, np.array, np.ascontiguousarray, lambda x: np.array(x, dtype=float)],
    ids=["asarray", "array", "ascontiguousarray", "array-dtype"],
)
def test_array_conversion_refuses(d, convert):
    with pytest.raises(TypeError, match=r"drop its derivative.*\.value.*np\.stack.*np\.zeros_like"):
        convert(d)


def test_list_of_duals_refuses(d0):
    with pytest.raises(TypeError, match=r"np\.stack"):
        np.array([d0, d0])


@pytest.mark.parametrize("convert", [float, int, complex])
def test_python_scalars_refuse(d0, convert):
    with pytest.raises(TypeError, match=rf"{convert.__name__}\(DualArray\) would drop the derivative.*x\.value"):
        convert(d0)


def test_item_and_tolist_refuse(d0, d):
    with pytest.raises(TypeError, match=r"x\.value\.item\(\)"):
        d0.item()
    with pytest.raises(TypeError, match=r"x\.value\.tolist\(\)"):
        d.tolist()


def test_writing_into_plain_array_refuses(d, d0):
    plain = np.zeros(4)
    with pytest.raises(TypeError, match="drop its derivative"):
        plain[1:3] = d
    # NumPy turns a failed scalar store into "setting an array element with a sequence" (a ValueError)
    # but keeps our TypeError, with its advice, as the cause.
    with pytest.raises((TypeError, ValueError)) as info:
        plain[0] = d0
    err = info.value if isinstance(info.value, TypeError) else info.value.__cause__
    assert isinstance(err, TypeError) and "x.value" in str(err)
    assert np.all(plain == 0)


def test_in_place_on_plain_refuses(d):
    plain = np.zeros(2)
    with pytest.raises(TypeError, match=r"plain ndarray.*np\.zeros_like\(x\)"):
        plain += d
    with pytest.raises(TypeError, match=r"out=.*np\.zeros_like\(x\)"):
        np.exp(d, out=plain)
    with pytest.raises(TypeError, match="plain ndarray"):
        np.add.at(plain, [0], d)
    assert np.all(plain == 0)


def test_out_with_older_tag_refuses(d):
    newer = DualArray(np.ones(2), 1.0, tag=da.new_tag())
    with pytest.raises(TypeError, match="would be lost"):
        d += newer


def test_function_without_rule_names_it_and_the_remedy(d, monkeypatch):
    monkeypatch.delitem(FUNCTIONS, np.flip, raising=False)
    with pytest.raises(TypeError, match=r"numpy\.flip has no derivative rule.*\.value.*@dualarray\.implements"):
        np.flip(d)


def test_ufunc_without_rule_names_it():
    ufunc = np.frompyfunc(lambda x: x, 1, 1)
    with pytest.raises(TypeError, match=r"has no derivative rule.*register_ufunc"):
        ufunc(DualArray(np.array([1.0], dtype=object), 1.0))


def test_unsupported_ufunc_gives_reason():
    with pytest.raises(NotImplementedError, match="operates on strings"):
        np.strings.str_len(DualArray(np.array([1.0]), 1.0))


def test_no_derivative_argument_raises_and_constant_is_exact():
    ufunc = np.frompyfunc(lambda n, x: n * x, 2, 1)
    da.register_ufunc(ufunc, da.no_derivative("the integer order n"), lambda n, x, y: n)
    try:
        x = DualArray(np.array([2.0], dtype=object), 1.0)
        assert ufunc(3, x).tangent[0] == 3
        with pytest.raises(NotImplementedError, match=r"argument 0 \(the integer order n\)"):
            ufunc(DualArray(np.array([3.0], dtype=object), 1.0), x)
    finally:
        from dualarray._registry import PARTIALS

        PARTIALS.pop(ufunc)


def test_dual_as_index_integers_and_booleans_only(d):
    # integer and bool DualArrays carry no derivative: they index like their values
    np.testing.assert_array_equal(d[DualArray(np.array([0]), 0.0)].value, d.value[[0]])
    mask = DualArray(np.ones(d.shape[0], dtype=bool))
    np.testing.assert_array_equal(d[mask].value, d.value)
    np.testing.assert_array_equal(np.arange(3.0)[DualArray(np.array([2, 0]))], [2.0, 0.0])  # plain arrays too
    with pytest.raises(TypeError, match="only integers and booleans"):
        d[DualArray(np.array([0.0]))]


def test_dual_initial_in_a_reduction_refuses_with_the_fix(d):
    with pytest.raises(NotImplementedError, match=r"initial=.*np\.sum\(x\) \+ c"):
        np.sum(d, initial=DualArray(1.0, 1.0))
