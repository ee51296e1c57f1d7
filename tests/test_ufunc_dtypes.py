"""The tangent's dtype follows the value's, and ``dtype=`` of ufunc calls and methods casts both.

Rule: for an inexact value the tangent has the value's dtype (its complex counterpart only when a
complex tangent was seeded on a real value); an integer result of ``dtype=`` from inexact data is piecewise
constant (zero tangent). Checked on the fast path and the generic path alike.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import dualarray._core as core
from dualarray import DualArray
from dualarray._registry import LINEAR, PARTIALS, UFUNC_JVPS

FAST = dict(core._FAST_CALL)
ELEMENTWISE = sorted(
    {uf for uf in (*PARTIALS, *LINEAR, *UFUNC_JVPS) if uf.nin <= 2 and uf.nout == 1 and uf.signature is None},
    key=lambda uf: uf.__name__,
)


def _expected_tangent_dtype(value_dtype: np.dtype, tangent_is_complex: bool) -> np.dtype:
    if value_dtype.kind == "f" and tangent_is_complex:
        return np.result_type(value_dtype, np.complex64)
    return value_dtype


def _others(rng):
    """Operands mixed with a float32 DualArray: every kind NEP 50 promotes differently."""
    return {
        "python_float": 1.25,
        "python_int": 2,
        "np_float64_scalar": np.float64(1.25),
        "float64_array": rng.uniform(0.5, 1.5, 4),
        "int_array": np.array([1, 2, 3, 1]),
        "float32_array": rng.uniform(0.5, 1.5, 4).astype(np.float32),
        "float64_dual": DualArray(rng.uniform(0.5, 1.5, 4), rng.standard_normal(4)),
        "float64_dual_no_tangent": DualArray(rng.uniform(0.5, 1.5, 4)),
        "float32_0d_dual": DualArray(np.float32(0.75), np.float32(1.0)),
    }


def _calls(uf, rng):
    x32 = DualArray(rng.uniform(0.5, 1.5, 4).astype(np.float32), rng.standard_normal(4).astype(np.float32))
    s32 = DualArray(np.float32(0.75), np.float32(0.5))  # 0-d: the NumPy-scalar fast paths
    if uf.nin == 1:
        yield "array", (x32,)
        yield "0d", (s32,)
        return
    for name, other in _others(rng).items():
        yield f"dual_{name}", (x32, other)
        yield f"{name}_dual", (other, x32)
        yield f"0d_{name}", (s32, other)
        yield f"{name}_0d", (other, s32)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "generic"])
@pytest.mark.parametrize("uf", ELEMENTWISE, ids=lambda uf: uf.__name__)
def test_tangent_dtype_is_the_value_dtype(uf, fast, monkeypatch):
    monkeypatch.setattr(core, "_FAST_CALL", FAST if fast else {})
    rng = np.random.default_rng(2024)
    checked = 0
    for label, args in _calls(uf, rng):
        plain = [a.value if isinstance(a, DualArray) else a for a in args]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                expected = uf(*plain)
            except (TypeError, ValueError):
                continue  # no loop for these dtypes: NumPy refuses too
            try:
                r = uf(*args)
            except NotImplementedError:
                continue  # an argument without a derivative (an integer order)
        assert isinstance(r, DualArray), label
        assert np.result_type(r.value) == np.result_type(expected), label
        np.testing.assert_array_equal(r.value, expected, err_msg=label)
        vd = np.result_type(r.value)
        if vd.kind in "fc":
            assert r.tangent.dtype == _expected_tangent_dtype(vd, False), (label, vd, r.tangent.dtype)
        checked += 1
    assert checked


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "generic"])
def test_the_reported_mismatches(fast, monkeypatch):
    monkeypatch.setattr(core, "_FAST_CALL", FAST if fast else {})
    x32 = DualArray(np.array([1.0, 2.0], np.float32), np.array([1.0, -1.0], np.float32))
    r = x32 + np.float64(1)  # NEP 50: a NumPy float64 scalar promotes the value to float64
    assert r.value.dtype == r.tangent.dtype == np.float64
    r = 1.5**x32
    assert r.value.dtype == r.tangent.dtype == np.float32
    np.testing.assert_allclose(r.tangent, np.log(1.5) * 1.5 ** np.array([1.0, 2.0]) * [1, -1], rtol=1e-6)
    r = np.copysign(x32, x32)
    assert r.value.dtype == r.tangent.dtype == np.float32
    r = np.copysign(x32, -1)
    assert r.tangent.dtype == np.float32
    np.testing.assert_array_equal(r.tangent, [-1.0, 1.0])


def test_a_float64_seed_on_float32_values_gives_float32_results():
    x = DualArray(np.array([1.0, 2.0], np.float32), np.array([1.0, 2.0]))  # float64 tangent seed
    for f in (np.sin, np.negative, lambda v: v * v, lambda v: v + 1, lambda v: v / 3, lambda v: v**2):
        r = f(x)
        assert r.value.dtype == r.tangent.dtype == np.float32


def test_complex_seed_on_a_real_value_stays_complex():
    x = DualArray(np.array([1.0, 2.0], np.float32), np.array([1 + 1j, 2j], np.complex64))
    for f in (np.sin, lambda v: v * 2.0, lambda v: v + np.float64(1), np.exp, lambda v: 1.5**v):
        r = f(x)
        assert r.tangent.dtype == _expected_tangent_dtype(r.value.dtype, True)
    np.testing.assert_allclose(np.sin(x).tangent, np.cos(np.float32([1, 2])) * [1 + 1j, 2j], rtol=1e-6)


def test_real_value_with_a_complex_constant_gives_a_complex_tangent():
    x = DualArray(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
    r = x + 1j
    assert r.value.dtype == r.tangent.dtype == np.complex128
    np.testing.assert_array_equal(r.tangent, [1.0, 3.0])


# ---------------------------------------------------------------- dtype= of calls and methods
EXTREMA = [np.maximum, np.minimum, np.fmax, np.fmin]


@pytest.mark.parametrize("uf", EXTREMA, ids=lambda uf: uf.__name__)
def test_extremum_reduce_to_float32_of_float64_data(uf):
    # 0.1 and friends are not float32 numbers: the arg-extremum must be found among the cast values
    v = np.array([0.1, 0.7, 0.3, 0.9, 0.2])
    t = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    r = uf.reduce(DualArray(v, t), dtype=np.float32)
    expected = uf.reduce(v, dtype=np.float32)
    assert np.result_type(r.value) == np.float32 and r.value == expected
    assert r.tangent.dtype == np.float32
    assert r.tangent == (4.0 if uf in (np.maximum, np.fmax) else 1.0)
    acc = uf.accumulate(DualArray(v, t), dtype=np.float32)
    np.testing.assert_array_equal(acc.value, uf.accumulate(v, dtype=np.float32))
    assert acc.tangent.dtype == np.float32
    np.testing.assert_array_equal(acc.tangent, [1, 2, 2, 4, 4] if uf in (np.maximum, np.fmax) else [1, 1, 1, 1, 1])


def test_ties_that_only_the_float32_loop_sees_split():
    # a and b differ in float64 and round to the same float32: NumPy's float32 loop sees a tie
    a, b = 1.0, 1.0 + 2.0**-30
    assert np.float32(a) == np.float32(b)
    r = np.maximum(DualArray(np.array([a]), 1.0), DualArray(np.array([b]), 3.0), dtype=np.float32)
    assert r.value.dtype == r.tangent.dtype == np.float32
    assert r.tangent[0] == 2.0
    x = DualArray(np.array([a, b, 0.5]), np.array([1.0, 3.0, 7.0]))
    r = np.maximum.reduce(x, dtype=np.float32)
    assert r.tangent == 2.0 and r.tangent.dtype == np.float32


METHODS = [
    ("reduce", lambda uf, x, **kw: uf.reduce(x, axis=-1, **kw)),
    ("accumulate", lambda uf, x, **kw: uf.accumulate(x, axis=-1, **kw)),
    ("reduceat", lambda uf, x, **kw: uf.reduceat(x, [0, 2], axis=-1, **kw)),
    ("outer", lambda uf, x, **kw: uf.outer(x[0], x[1], **kw)),
    ("call", lambda uf, x, **kw: uf(x[0], x[1], **kw)),
]
METHOD_UFUNCS = [np.add, np.subtract, np.multiply, np.maximum, np.minimum, np.fmax, np.fmin, np.logaddexp]


def _method_supported(uf, name):
    return name != "reduceat" or uf is np.add


@pytest.mark.parametrize(("name", "method"), METHODS, ids=[m[0] for m in METHODS])
@pytest.mark.parametrize("uf", METHOD_UFUNCS, ids=lambda uf: uf.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128, np.int64, np.int32])
def test_method_dtype(uf, name, method, dtype):
    if not _method_supported(uf, name):
        pytest.skip("only numpy.add.reduceat has a rule")
    rng = np.random.default_rng(11)
    v = rng.uniform(0.5, 3.0, (2, 4))
    t = rng.standard_normal((2, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # complex -> real comparisons of maximum
        try:
            expected = method(uf, v, dtype=dtype)
        except TypeError:
            with pytest.raises(TypeError):
                method(uf, DualArray(v, t), dtype=dtype)
            return
        r = method(uf, DualArray(v, t), dtype=dtype)
    assert np.result_type(r.value) == np.result_type(expected)
    np.testing.assert_array_equal(r.value, expected)
    if np.dtype(dtype).kind in "iu":
        np.testing.assert_array_equal(r.tangent, 0.0)  # truncation to integers is piecewise constant
        return
    assert r.tangent.dtype == np.result_type(expected)
    # the derivative: central differences of the float64 computation (dtype= only rounds)
    wide = np.float64 if np.dtype(dtype).kind == "f" else np.complex128
    h = 1e-6
    fd = (method(uf, v + h * t, dtype=wide) - method(uf, v - h * t, dtype=wide)) / (2 * h)
    tol = 1e-4 if dtype is np.float32 else 1e-7
    np.testing.assert_allclose(r.tangent, fd, rtol=tol, atol=tol)
    # k directions in one pass == k single runs
    tk = rng.standard_normal((3, 2, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        many = method(uf, DualArray(v, tk, batched=True), dtype=dtype)
        for j in range(3):
            single = method(uf, DualArray(v, tk[j]), dtype=dtype)
            np.testing.assert_allclose(many.tangent[j], single.tangent, rtol=1e-6, atol=1e-6)


def test_float32_data_reduced_in_float64_gets_a_float64_tangent():
    x = DualArray(np.array([0.1, 0.5, 0.2], np.float32), np.array([1.0, 2.0, 3.0], np.float32))
    for r in (np.maximum.reduce(x, dtype=np.float64), np.add.reduce(x, dtype=np.float64),
              np.multiply.accumulate(x, dtype=np.float64)):
        assert np.result_type(r.value) == r.tangent.dtype == np.float64
    assert np.maximum.reduce(x, dtype=np.float64).tangent == 2.0


def test_integer_data_with_a_tangent_keeps_it_under_an_integer_dtype():
    # an integer value carrying a tangent, reduced in another integer type: no truncation happens
    x = DualArray(np.array([1, 5, 2]), np.array([1.0, 2.0, 3.0]))
    assert np.add.reduce(x, dtype=np.int32).tangent == 6.0
    assert np.maximum.reduce(x, dtype=np.int32).tangent == 2.0
