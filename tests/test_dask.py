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


def test_k_directions_on_dask():
    seeds = RNG.standard_normal((3, 12, 10))
    x = DualArray(dsa.from_array(X, chunks=(5, 4)), dsa.from_array(seeds, chunks=(1, 5, 4)), batched=True)
    y = np.sum(np.exp(x) * x, axis=0)
    expected = np.sum(np.exp(DualArray(X, seeds, batched=True)) * DualArray(X, seeds, batched=True), axis=0)
    np.testing.assert_allclose(y.tangent.compute(), expected.tangent, rtol=1e-12)


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


def test_the_rule_table_on_dask_is_never_silently_wrong():
    """Every float64 row of the case table with dask values and tangents (chunks of 2 cut every axis):
    each either gives NumPy's values and tangents or raises; the passing rows are counted."""
    import warnings

    from tests.cases import ALL

    passed, raised, wrong = 0, 0, []
    for case in ALL:
        if case.name.startswith(("stats_", "scipy_", "interp_", "sp_", "special")) or "float64" not in case.dtypes:
            continue
        rng = np.random.default_rng(case.seed("dask"))
        arrays = case.draw(rng, case.shapes[-1], "float64")
        tangents = [rng.standard_normal(np.shape(a)) for a in arrays]

        def args(lazy, arrays=arrays, tangents=tangents, case=case):
            out = []
            for i, (a, t) in enumerate(zip(arrays, tangents, strict=True)):
                a_, t_ = (dsa.from_array(a, chunks=2), dsa.from_array(t, chunks=2)) if lazy and np.ndim(a) else (a, t)
                out.append(DualArray(a_, t_) if i in case.diff_args else a_)
            return out

        try:
            expected = case.func(*args(False))
        except Exception:  # noqa: BLE001  (NumPy itself refuses this draw)
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", FutureWarning)  # dask's fallback to NumPy counts as a refusal
                got = case.func(*args(True))
                outs = list(zip(*(o if isinstance(o, tuple | list) else (o,) for o in (expected, got)), strict=True))
                computed = [dask.compute(getattr(g, "value", g), getattr(g, "tangent", 0)) for _, g in outs]
        except Exception:  # noqa: BLE001  (a refusal, never a silent answer)
            raised += 1
            continue
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
    assert not wrong, f"dask gives values or tangents different from NumPy's for {sorted(set(wrong))}"
    assert passed >= 290, f"only {passed} rows run on dask ({raised} refuse)"
