"""Dask arrays as the value and tangent of a DualArray: lazy results equal to NumPy's, chunks cut by axes."""

from __future__ import annotations

import numpy as np
import pytest

import dualarray as da
from dualarray import DualArray

dask = pytest.importorskip("dask")
dsa = pytest.importorskip("dask.array")

RNG = np.random.default_rng(16)
X = RNG.standard_normal((12, 10))
T = RNG.standard_normal((12, 10))

CASES = {
    "exp": lambda x: np.exp(x),
    "matmul": lambda x: x @ x.T,
    "slice": lambda x: x[1:9, ::3],
    "sum": lambda x: np.sum(x),
    "sum_axis0": lambda x: np.sum(x, axis=0),
    "sum_keepdims": lambda x: np.sum(x * x, axis=1, keepdims=True),
    "max": lambda x: x.max(),
    "min_axis1": lambda x: np.min(x, axis=1),
    "prod_axis0": lambda x: np.prod(x[:4], axis=0),
    "cumsum": lambda x: np.cumsum(x, axis=1),
    "mean_axis0": lambda x: x.mean(axis=0),
    "var": lambda x: np.var(x),
    "std_axis1": lambda x: x.std(axis=1),
    "concatenate": lambda x: np.concatenate([x, 2 * x]),
    "stack": lambda x: np.stack([x, x**2], axis=1),
    "norm": lambda x: np.linalg.norm(x),
    "where": lambda x: np.where(x > 0, x, 0.1 * x),
    "reshape": lambda x: x.reshape(-1),
    "logsumexp_like": lambda x: np.log(np.sum(np.exp(x), axis=0)),
    "clip_tanh": lambda x: np.tanh(np.clip(x, -1, 1)),
    "einsum": lambda x: np.einsum("ij,ij->i", x, x),
    "dot_outer": lambda x: np.dot(x[0], x[1]) * np.outer(x[:, 0], x[0]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_dask_values_and_tangents_equal_numpys(name):
    f = CASES[name]
    x = DualArray(dsa.from_array(X, chunks=(5, 4)), dsa.from_array(T, chunks=(5, 4)))  # chunks cut every axis
    y = f(x)
    assert isinstance(y.value, dsa.Array) and isinstance(y.tangent, dsa.Array)  # lazy: nothing computed yet
    value, tangent = dask.compute(y.value, y.tangent)
    expected = f(DualArray(X, T))
    np.testing.assert_allclose(value, expected.value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tangent, expected.tangent, rtol=1e-10, atol=1e-12)


def _no_compute(*args, **kwargs):
    raise AssertionError("building the derivative computed a dask array")


@pytest.mark.parametrize("name", sorted(set(CASES) - {"norm"}))
def test_building_computes_nothing(name):
    """Graph construction is lazy: a scheduler that refuses to run proves no rule computes a value to decide
    something (np.linalg.norm is the exception: its value decides the scaling, NumPy semantics)."""
    import dask.config

    x = DualArray(dsa.from_array(X, chunks=(5, 4)), dsa.from_array(T, chunks=(5, 4)))
    with dask.config.set(scheduler=_no_compute):
        y = CASES[name](x)
    assert isinstance(y.tangent, dsa.Array)


def test_k_directions_on_dask():
    seeds = RNG.standard_normal((3, 12, 10))
    x = DualArray(dsa.from_array(X, chunks=(5, 4)), dsa.from_array(seeds, chunks=(1, 5, 4)), batched=True)
    y = np.sum(np.exp(x) * x, axis=0)
    expected = np.sum(np.exp(DualArray(X, seeds, batched=True)) * DualArray(X, seeds, batched=True), axis=0)
    np.testing.assert_allclose(y.tangent.compute(), expected.tangent, rtol=1e-12)


def test_singular_coefficients_with_dask_on_either_side():
    """log1p, sqrt and division have coefficients that may be infinite: the zero-tangent mask runs chunk by
    chunk, with dask values or dask tangents (or both), k directions and broadcasting operands."""
    x, s, b = RNG.random((6, 5)), RNG.standard_normal((3, 6, 5)), RNG.random((1, 5))
    f = lambda x, b: np.log1p(x) / np.sqrt(x + b) + np.sqrt(b) * x  # noqa: E731
    expected = f(DualArray(x, s, batched=True), DualArray(b, np.ones((3, 1, 5)), batched=True))
    for xv, sv in ((dsa.from_array(x, chunks=(2, 3)), dsa.from_array(s, chunks=(1, 4, 2))),
                   (x, dsa.from_array(s, chunks=(2, 3, 2))), (dsa.from_array(x, chunks=3), s)):
        y = f(DualArray(xv, sv, batched=True), DualArray(b, np.ones((3, 1, 5)), batched=True))
        np.testing.assert_allclose(y.tangent.compute(), expected.tangent, rtol=1e-13)
    at_zero = np.sqrt(DualArray(dsa.from_array(np.array([0.0, 1.0]), chunks=1),
                                dsa.from_array(np.array([0.0, 1.0]), chunks=1)))
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(at_zero.tangent.compute(), [0.0, 0.5])  # 0·inf masked to 0, not NaN


def test_no_silent_conversion_to_numpy():
    x = DualArray(dsa.from_array(X, chunks=(5, 4)), dsa.from_array(T, chunks=(5, 4)))
    with pytest.raises(NotImplementedError, match="dask"):
        np.sort(x, axis=0)


def test_transforms_take_dask_inputs_lazily():
    import warnings

    x = dsa.from_array(X[:4, :5], chunks=2)
    f = lambda z: np.sum(np.sin(z) * z, axis=0)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no dask fallback to NumPy anywhere
        jac = da.jacobian(f, mode="forward")(x)
        grad = da.gradient(lambda z: np.sum(f(z)))(x)  # auto: reverse refuses dask, forward runs
        value, tangent = da.jvp(f, (x,), (dsa.ones_like(x),))
    assert all(isinstance(r, dsa.Array) for r in (jac, grad, value, tangent))
    np.testing.assert_allclose(jac.compute(), da.jacobian(f)(X[:4, :5]), rtol=1e-13)
    np.testing.assert_allclose(grad.compute(), da.gradient(lambda z: np.sum(f(z)))(X[:4, :5]), rtol=1e-13)
    np.testing.assert_allclose(tangent.compute(), da.jvp(f, (X[:4, :5],), (np.ones((4, 5)),))[1], rtol=1e-13)
    with pytest.raises(da.NotLinearError, match="dask"):
        da.gradient(lambda z: np.sum(f(z)), mode="reverse")(x)


# Rows where dask's own __array_function__ runs first (a plain dask array is the first argument) and fails
# inside dask with its own error, before a DualArray is asked: the refusal is dask's, not ours.
DASK_FIRST = {
    "bincount_weights": "np.bincount(plain dask x, weights=DualArray): dask's bincount fails on the DualArray",
    "histogram_weights": "np.histogram(plain dask x, weights=DualArray): dask's histogram fails on the DualArray",
    "histogramdd_weights_range": "np.histogramdd(plain dask x, weights=DualArray): dask refuses the chunking",
}


def _run_table_on_dask():
    """Every float64 row of the case table with dask values and tangents (chunks of 2 cut every axis).

    Returns ``(passed, refusals, wrong, reached)``: refusals maps a row to its error; ``reached`` maps the
    name of each NumPy callable a row called first (the outermost DualArray dispatch) to the outcomes."""
    import warnings

    from dualarray._core import DualArray as Dual
    from dualarray._registry import qualified_name
    from tests.cases import ALL

    calls: list[str] = []
    depth = [0]
    array_function, array_ufunc = Dual.__array_function__, Dual.__array_ufunc__

    def recording(method):
        def wrapper(self, func, *rest, **kwargs):
            if depth[0] == 0:
                name = qualified_name(func)
                calls.append(name if method is array_function or rest[0] == "__call__" else f"{name}.{rest[0]}")
            depth[0] += 1
            try:
                return method(self, func, *rest, **kwargs)
            finally:
                depth[0] -= 1
        return wrapper

    passed, refusals, wrong, reached = 0, {}, [], {}
    Dual.__array_function__, Dual.__array_ufunc__ = recording(array_function), recording(array_ufunc)
    try:
        for case in ALL:
            if case.name.startswith(("stats_", "scipy_", "interp_", "sp_", "special")) or "float64" not in case.dtypes:
                continue
            rng = np.random.default_rng(case.seed("dask"))
            arrays = case.draw(rng, case.shapes[-1], "float64")
            tangents = [rng.standard_normal(np.shape(a)) for a in arrays]

            def args(lazy, arrays=arrays, tangents=tangents, case=case):
                out = []
                for i, (a, t) in enumerate(zip(arrays, tangents, strict=True)):
                    a_, t_ = (dsa.from_array(a, chunks=2), dsa.from_array(t, chunks=2)) if lazy and np.ndim(a) \
                        else (a, t)
                    out.append(DualArray(a_, t_) if i in case.diff_args else a_)
                return out

            try:
                expected = case.func(*args(False))
            except Exception:  # noqa: BLE001  (NumPy itself refuses this draw)
                continue
            calls.clear()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", FutureWarning)  # dask's fallback to NumPy counts as a refusal
                    got = case.func(*args(True))
                    outs = list(zip(*(o if isinstance(o, tuple | list) else (o,) for o in (expected, got)),
                                    strict=True))
                    computed = [dask.compute(getattr(g, "value", g), getattr(g, "tangent", 0)) for _, g in outs]
            except Exception as err:  # noqa: BLE001  (a refusal, never a silent answer)
                refusals[case.name] = err
                for name in calls[:-1]:
                    reached.setdefault(name, []).append(None)
                if calls:
                    reached.setdefault(calls[-1], []).append(f"{type(err).__name__}: {err}".splitlines()[0])
                continue
            for name in calls:
                reached.setdefault(name, []).append(None)
            tol = 1e-5 if "float32" in case.name else 1e-9
            for (e, _), (gv, gt) in zip(outs, computed, strict=True):
                ev = getattr(e, "value", e)
                et = e.tangent if isinstance(e, DualArray) and e._tangent is not None else 0
                if np.ndim(et) == 0 and et == 0:  # a zero tangent: the dask one may be materialised zeros
                    gt = np.zeros(np.shape(ev)) if np.all(np.asarray(gt) == 0) else gt
                    et = np.zeros(np.shape(ev))
                if (np.shape(gv) != np.shape(ev) or np.shape(gt) != np.shape(et)
                        or not np.allclose(gv, ev, rtol=tol, atol=tol, equal_nan=True)
                        or not np.allclose(gt, et, rtol=tol, atol=tol, equal_nan=True)):
                    wrong.append(case.name)
            passed += 1
    finally:
        Dual.__array_function__, Dual.__array_ufunc__ = array_function, array_ufunc
    return passed, refusals, wrong, reached


@pytest.fixture(scope="module")
def table_on_dask():
    return _run_table_on_dask()


def test_the_rule_table_on_dask_is_never_silently_wrong(table_on_dask):
    """Each float64 row either gives NumPy's values and tangents on dask or raises; the passing rows are counted,
    and every refusal names dask (the library's error), except the rows dask itself handles first."""
    passed, refusals, wrong, _ = table_on_dask
    assert not wrong, f"dask gives values or tangents different from NumPy's for {sorted(set(wrong))}"
    print(f"\n{passed} rows run on dask, {len(refusals)} refuse ({len(DASK_FIRST)} of them inside dask itself)")
    assert passed >= 360, f"only {passed} rows run on dask ({len(refusals)} refuse)"
    unclear = {name: str(err).splitlines()[0] for name, err in refusals.items()
               if "dask" not in str(err) and name not in DASK_FIRST}
    assert not unclear, f"refusals that do not name the dask backend: {unclear}"
    assert set(DASK_FIRST) <= set(refusals), "a DASK_FIRST row runs now: drop it from the list"


def test_the_dask_coverage_column_is_the_measured_one(table_on_dask):
    """``python -m dualarray.coverage --backend dask`` prints what this test measures: the stored table
    equals the measurement (regenerate it with ``DUALARRAY_WRITE_COVERAGE=1 python -m pytest tests/test_dask.py``)."""
    import json
    import os

    from dualarray import coverage

    measured = coverage.backend_table(table_on_dask[3], dask=dask.__version__)
    if os.environ.get("DUALARRAY_WRITE_COVERAGE"):
        coverage.BACKEND_FILES["dask"].write_text(json.dumps(measured, indent=1, sort_keys=True) + "\n")
    stored = coverage.backend_measurement("dask")
    if stored["versions"] != measured["versions"]:
        pytest.skip(f"the stored dask column was measured with {stored['versions']}, this is {measured['versions']}")
    assert stored == measured, "the stored dask coverage column is stale: regenerate it (see the docstring)"
    out = coverage.main(["--backend", "dask", "--summary"])
    assert out == 0
