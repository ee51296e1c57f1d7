"""The fast ufunc path gives what the generic path gives.

For every ufunc with a fast handler, on ordinary and edge inputs (0, -0, ±inf, NaN, subnormal, 1e300),
real/complex/integer dtypes, one and three directions, constant operands and x op x: the value is
bit-identical, the tangent equal to rounding, the frame identical, and the same warnings are raised.
"""

import itertools
import warnings

import numpy as np
import pytest

import dualarray._core as core
from dualarray import DualArray

FAST = dict(core._FAST_CALL)
SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-310, 2.0, 0.5, -2.0, 1e300])


def _run(f, args, fast, monkeypatch):
    monkeypatch.setattr(core, "_FAST_CALL", FAST if fast else {})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = f(*args)
        except Exception as exc:  # both paths must raise the same error type
            r = type(exc)
    # 0-d values use NumPy-scalar arithmetic: the same warnings, worded "scalar multiply" for "multiply"
    return r, sorted({str(x.message).replace("scalar ", "") for x in w})


def _inputs(uf, rng):
    shapes = [[()], [(5,)], [(3, 4)]] if uf.nin == 1 else [[(), ()], [(5,), (5,)], [(3, 1), (4,)], [(3, 4), ()]]
    for shape, edge, k, const, dtype in itertools.product(
        shapes, [False, True], [1, 3], range(uf.nin + 1), [np.float64, np.float32, np.complex128, np.int64]
    ):
        tdtype = np.float64 if dtype is np.int64 else dtype
        args = []
        for i, s in enumerate(shape):
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # casting inf/NaN to int64
                v = (rng.choice(SPECIAL, size=s) if edge else rng.standard_normal(s)).astype(dtype)
            if const == i + 1:
                args.append(v if s else v.item())
            elif k == 1:
                t = np.where(rng.random(s) < 0.3, 0.0, rng.standard_normal(s))
                args.append(DualArray(v, t.astype(tdtype)))
            else:
                args.append(DualArray(v, rng.standard_normal((k, *s)).astype(tdtype), batched=True))
        if uf is np.power and const == 2:
            args[1] = 2
        yield args
        if uf.nin == 2 and const == 0 and shape[0] == shape[1]:
            yield [args[0], args[0]]


@pytest.mark.parametrize("uf", sorted(FAST, key=lambda u: u.__name__), ids=lambda u: u.__name__)
def test_fast_path_matches_generic(uf, monkeypatch):
    rng = np.random.default_rng(7)
    for args in _inputs(uf, rng):
        (r1, w1), (r2, w2) = _run(uf, args, True, monkeypatch), _run(uf, args, False, monkeypatch)
        assert w1 == w2
        assert (r1 if isinstance(r1, type) else type(r1)) is (r2 if isinstance(r2, type) else type(r2))
        if not isinstance(r1, DualArray):
            continue
        np.testing.assert_array_equal(r1.value, r2.value)
        assert np.result_type(r1.value) == np.result_type(r2.value)
        assert (r1.ndir, r1.batched, r1.tag) == (r2.ndir, r2.batched, r2.tag)
        t1, t2 = r1.tangent, r2.tangent
        assert t1.shape == t2.shape and t1.dtype == t2.dtype
        tol = 1e-5 if t1.dtype in (np.float32, np.complex64) else 1e-11
        both_inf = np.isinf(t1) & np.isinf(t2) & (np.sign(t1) == np.sign(t2))
        scale = np.max(np.abs(np.nan_to_num(t2, posinf=0, neginf=0)), initial=1.0)
        ok = np.isclose(t1, t2, rtol=tol, atol=tol * scale, equal_nan=True) | both_inf
        assert ok.all(), (uf.__name__, t1[~ok][:3], t2[~ok][:3])


def test_replaced_rule_switches_the_fast_handler_off():
    import dualarray as da

    x = DualArray(np.array([0.5, 1.0]), 1.0)
    from dualarray._registry import PARTIALS

    saved = PARTIALS[np.sinh]
    try:
        da.register_ufunc(np.sinh, lambda x, y: 2 * np.cosh(x), replace=True)
        np.testing.assert_allclose(np.sinh(x).tangent, 2 * np.cosh([0.5, 1.0]))
    finally:
        PARTIALS[np.sinh] = saved
    np.testing.assert_allclose(np.sinh(x).tangent, np.cosh([0.5, 1.0]))


# ---------------------------------------------------------------- division by zero: NumPy's value, never a raise
ZERO_DIVISIONS = {
    "x / 0.0": (lambda x: x / 0.0, [1.0, 2.0], [np.inf, np.inf]),
    "x / 0": (lambda x: x / 0, [1.0, 2.0], [np.inf, np.inf]),
    "np.divide(x, 0.0)": (lambda x: np.divide(x, 0.0), [1.0, 2.0], [np.inf, np.inf]),
    "x // 0.0": (lambda x: x // 0.0, [1.0, 2.0], [0.0, 0.0]),
    "x % 0.0": (lambda x: x % 0.0, [1.0, 2.0], [1.0, 1.0]),  # d/da (a - b·floor(a/b)) = 1, as the formula says
    "1.0 / x": (lambda x: 1.0 / x, [0.0, 2.0], [-np.inf, -0.25]),
    "x ** -1": (lambda x: x**-1, [0.0, 2.0], [-np.inf, -0.25]),
    "x ** -1.0": (lambda x: x**-1.0, [0.0, 2.0], [-np.inf, -0.25]),
    "reciprocal": (np.reciprocal, [0.0, 2.0], [-np.inf, -0.25]),
}


def _warnings_of(f):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = f()
    # the kind of floating-point event ("divide by zero", "invalid value"): ndarray ** -1 reports it in
    # NumPy's reciprocal, np.power(x, -1) in power
    return r, sorted({(x.category, str(x.message).split(" encountered")[0]) for x in w})


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "generic"])
@pytest.mark.parametrize("zero_d", [False, True], ids=["array", "0d"])
@pytest.mark.parametrize("name", list(ZERO_DIVISIONS))
def test_division_by_zero_gives_numpys_value_and_warnings(name, zero_d, fast, monkeypatch):
    monkeypatch.setattr(core, "_FAST_CALL", FAST if fast else {})
    f, values, slopes = ZERO_DIVISIONS[name]
    v = np.array(values)
    slopes = np.array(slopes)
    if zero_d:
        v, slopes = v[0], slopes[0]
        v = np.float64(v)
    expected, expected_warnings = _warnings_of(lambda: f(v))
    r, got_warnings = _warnings_of(lambda: f(DualArray(v, 1.0)))
    np.testing.assert_array_equal(r.value, expected)
    assert np.result_type(r.value) == np.result_type(expected)
    assert got_warnings == expected_warnings
    np.testing.assert_array_equal(r.tangent, slopes)
    # errstate: silenced as NumPy is; raising where NumPy raises
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("error")
        np.testing.assert_array_equal(f(DualArray(v, 1.0)).value, expected)
    with np.errstate(all="raise"):
        try:
            f(v)
        except FloatingPointError:
            with pytest.raises(FloatingPointError):
                f(DualArray(v, 1.0))
        else:
            f(DualArray(v, 1.0))


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "generic"])
def test_divide_by_zero_with_both_tangents_warns_like_numpy(fast, monkeypatch):
    # d(a/b) = da/b - a·db/b²: inf - inf is a NaN derivative, with no warning of its own
    monkeypatch.setattr(core, "_FAST_CALL", FAST if fast else {})
    a, b = np.array([1.0, 0.0, -1.0]), np.array([0.0, 0.0, 2.0])
    expected, expected_warnings = _warnings_of(lambda: a / b)
    r, got = _warnings_of(lambda: DualArray(a, 1.0) / DualArray(b, 1.0))
    np.testing.assert_array_equal(r.value, expected)
    assert got == expected_warnings
    assert np.isnan(r.tangent[:2]).all() and r.tangent[2] == 0.75
    r, _ = _warnings_of(lambda: DualArray(a, 1.0) / DualArray(b))  # a constant divisor: da/b = 1/0 = inf
    np.testing.assert_array_equal(r.tangent, [np.inf, np.inf, 0.5])


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "generic"])
@pytest.mark.parametrize("uf", [np.fmod, np.remainder, np.arctan2])
def test_partials_at_zero_divisors_add_no_warnings(uf, fast, monkeypatch):
    monkeypatch.setattr(core, "_FAST_CALL", FAST if fast else {})
    a, b = np.array([1.0, 0.0, 0.5]), np.array([0.0, 0.0, 2.0])
    expected, expected_warnings = _warnings_of(lambda: uf(a, b))
    for args in ((DualArray(a, 1.0), DualArray(b, 1.0)), (a, DualArray(b, 1.0)), (DualArray(a, 1.0), b)):
        r, got = _warnings_of(lambda args=args: uf(*args))
        np.testing.assert_array_equal(r.value, expected)
        assert got == expected_warnings
