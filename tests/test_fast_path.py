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
