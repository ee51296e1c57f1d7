"""Sparse Jacobians and Hessians: detected patterns, colourings, compressed evaluation, stale patterns.

1. Over the case table (``tests/cases``, float64 rows, one shape group per row, each float argument in
   turn): the pattern detected at one point holds every nonzero of the dense forward-mode Jacobian at
   three random points (a *global* pattern); rows that cannot be recorded raise NotLinearError.
2. The benchmark problems (``benchmarks/sparse_problems.py``) get exactly their stencils.
3. Compressed values equal dense ones; dtypes; exact Hessian symmetry; ``value_and_jacobian``.
4. Colour counts on the benchmark problems, never above SciPy's CPR grouping; the arrowhead.
5. Preparation is cached per shape/dtype; the attributes; 6. given patterns; 7. stale patterns.
8. The colourings and decompressions of ``dualarray._coloring`` on seeded random patterns.
9. Global-pattern semantics (both branches, structural zeros of constants, coefficients never prune).
10. SciPy end to end: ``least_squares`` and ``solve_ivp(method="BDF"/"Radau")`` with sparse AD Jacobians.
"""

from __future__ import annotations

import itertools
import warnings
import zlib

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.integrate import solve_ivp
from scipy.optimize import least_squares
from scipy.optimize._numdiff import group_columns

import dualarray as da
from benchmarks.sparse_problems import (
    arrow,
    arrow_pattern,
    bratu,
    bratu_pattern,
    broyden,
    broyden_pattern,
    brusselator,
    brusselator_pattern,
    brusselator_y0,
    rosenbrock,
)
from dualarray import NotLinearError, SparsityWarning, _coloring

from .cases import ALL, Case
from .test_scipy import Counted


def _dense(p) -> np.ndarray:
    return np.asarray(p.toarray() if sp.issparse(p) else p) != 0


def _ncolors(colors) -> int:
    return int(np.max(colors)) + 1 if np.size(colors) else 0


def _cpr(pattern) -> int:
    """SciPy's Curtis-Powell-Reid grouping (natural order): the colour count to beat."""
    return _ncolors(group_columns(sp.csc_array(pattern)))


def _assert_pattern(got, want):
    """``got`` is a boolean csr_array with exactly the entries of ``want`` (and no stored False)."""
    assert isinstance(got, sp.csr_array), type(got)
    assert got.dtype == bool
    want = _dense(want)
    assert got.shape == want.shape
    d = got.toarray()
    extra, missing = np.argwhere(d & ~want), np.argwhere(want & ~d)
    assert not extra.size and not missing.size, f"extra entries {extra[:5].tolist()}, missing {missing[:5].tolist()}"
    assert got.nnz == int(want.sum()), "explicitly stored False entries"


def _dense_jacobian(f, *args, argnums=0, mode="auto"):
    j = np.asarray(da.jacobian(f, argnums=argnums, mode=mode)(*args))
    m = int(np.size(f(*args)))
    return j.reshape(m, int(np.size(args[argnums])))


def _close(got, want, rtol=1e-12):
    want = np.asarray(want)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * max(1.0, float(np.abs(want).max(initial=0))))


# ====================================================================== 1. the case table
_LOCAL_NAMES = (
    "sort", "sort_axis0", "sort_none", "sort_complex", "partition", "partition_axis0_many",
    "median", "median_axis", "median_axis_tuple", "median_axes_keepdims",
    "nanmedian", "nanmedian_axis", "nanmedian_axes_keepdims",
    "percentile", "percentile_q", "percentile_axis_many_keepdims", "percentile_midpoint_integral",
    "nanpercentile", "nanpercentile_methods_axis0", "nanquantile_q", "nanquantile_midpoint_axes_keepdims",
    "quantile", "quantile_q", "quantile_q_axis", "quantile_lower", "quantile_midpoint", "quantile_midpoint_integral",
    "quantile_methods_axis_none_keepdims",
    *(f"quantile_method_{m}" for m in ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf",
                                       "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
                                       "hazen", "weibull", "median_unbiased", "normal_unbiased")),
    *(f"quantile_q_method_{m}" for m in ("linear", "hazen", "weibull", "median_unbiased", "normal_unbiased",
                                         "interpolated_inverted_cdf")),
    *(f"percentile_q_axis_method_{m}" for m in ("linear", "hazen", "weibull", "median_unbiased",
                                                "normal_unbiased", "interpolated_inverted_cdf")),
    "unique", "unique_duplicates", "unique_return_all", "unique_axis0", "unique_values", "unique_counts",
    "unique_inverse", "unique_all", "union1d", "intersect1d", "intersect1d_indices", "setdiff1d", "setxor1d",
    "piecewise_args", "piecewise_otherwise",
)
LOCAL_PATTERN = {(name, 0) for name in _LOCAL_NAMES} | {("union1d", 1), ("setxor1d", 1), ("interp", 1)}
"""(row, argument) pairs whose detected pattern is *local*: it holds at the detection point but not at
other random points. Their rules compute indices from x's values internally (sort permutations, order
statistics, unique/set operations, the knot interval of np.interp in xp, the boolean masks of
np.piecewise): detection must say so (``test_local_patterns_warn``), and evaluation at a point where
the pattern changed must raise (``test_sort_is_never_wrong``)."""

OTHER_BUGS: dict = {}
"""(row, argument) pairs that fail for another reason (dense forward-mode rule bugs, not sparsity)."""


def _table_params():
    for case in ALL:
        if "float64" not in case.dtypes:
            continue
        shapes = list(case.shapes)
        pick = shapes[zlib.crc32(repr((case.name, "sparsity")).encode()) % len(shapes)]
        label = f"{case.name}-{'x'.join(map(str, pick)).replace(' ', '')}"
        for k in case.diff_args:
            marks = []
            if (case.name, k) in OTHER_BUGS:
                marks.append(pytest.mark.xfail(strict=True, reason=OTHER_BUGS[case.name, k]))
            yield pytest.param(case, pick, k, id=f"{label}-arg{k}", marks=marks)


def _output(case: Case, o):
    """``case.func`` with its output ``o`` (the whole output for None)."""

    def f(*args):
        out = case.func(*args)
        return out if o is None else out[o]

    return f


def _one_output(case: Case, base, k, o):
    """Output ``o`` as a function of argument ``k`` alone, the others fixed at ``base``."""

    def f(x):
        full = list(base)
        full[k] = x
        return _output(case, o)(*full)

    return f


def _detect(f, args, k):
    """``(pattern, path dependent?)``: path dependent when detection warned that f computes indices from x."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SparsityWarning)
        p = da.jacobian_sparsity(f, argnums=k)(*args)
    steered = any(issubclass(w.category, SparsityWarning) and "computes indices" in str(w.message) for w in caught)
    return p, steered


def _local_params():
    for case in ALL:
        for k in case.diff_args:
            if (case.name, k) in LOCAL_PATTERN and "float64" in case.dtypes:
                yield pytest.param(case, case.shapes[0], k, id=f"{case.name}-arg{k}")


@pytest.mark.parametrize(("case", "shapes", "k"), list(_local_params()))
def test_local_patterns_warn(case: Case, shapes, k):
    base = case.draw(np.random.default_rng(case.seed(shapes, "local", k)), shapes, "float64")
    out = case.func(*base)
    for o in range(len(out)) if isinstance(out, tuple | list) else [None]:
        try:
            _, steered = _detect(_output(case, o), base, k)
        except NotLinearError:
            continue
        assert steered, f"{case.name} (argument {k}): a local pattern detected without a SparsityWarning"


@pytest.mark.parametrize(("case", "shapes", "k"), list(_table_params()))
def test_table_pattern_contains_jacobian(case: Case, shapes, k):
    rng = np.random.default_rng(case.seed(shapes, "sparsity", k))
    points = [case.draw(rng, shapes, "float64") for _ in range(3)]
    base = points[0]
    out = case.func(*base)
    outputs = range(len(out)) if isinstance(out, tuple | list) else [None]
    for o in outputs:
        f = _output(case, o)
        try:
            da.linearize(_one_output(case, base, k, o), base[k])  # the recording, argument k alone traced
        except NotLinearError:
            with pytest.raises(NotLinearError):
                da.jacobian_sparsity(f, argnums=k)(*base)
            continue
        except Exception as err:  # the same refusal as the recording, whatever it is
            with pytest.raises(type(err)):
                da.jacobian_sparsity(f, argnums=k)(*base)
            continue
        pattern, steered = _detect(f, base, k)
        m, n = int(np.size(f(*base))), int(np.size(base[k]))
        assert isinstance(pattern, sp.csr_array) and pattern.dtype == bool
        assert pattern.shape == (m, n)
        for i, point in enumerate(points):
            args = list(base)
            args[k] = point[k]  # the other arguments stay: zeros of constants are structural
            # forward mode: independent of the recorded linear map the pattern is read from
            jac = _dense_jacobian(f, *args, argnums=k, mode="forward")
            # a pattern that declares itself local (argsort & co.) is only checked where it was detected
            p = _dense(_detect(f, args, k)[0] if steered and i else pattern)
            outside = np.argwhere(np.isfinite(jac) & (jac != 0) & ~p)
            assert not outside.size, (
                f"{case.name} (argument {k}, output {o}, point {i}): Jacobian nonzeros outside the detected "
                f"pattern at (output, input) {outside[:6].tolist()}"
            )


def _complex_rows():
    for case in ALL:
        if "complex128" in case.dtypes:
            yield case


def test_complex_inputs_refused():
    """Complex inputs: NotImplementedError from the sparse Jacobian, TypeError from the sparse Hessian
    (as from the dense one), raised before anything is detected."""
    for case in _complex_rows():
        rng = np.random.default_rng(case.seed("sparsity", "complex"))
        arrays = case.draw(rng, case.shapes[0], "complex128")
        k = case.diff_args[0]
        f = _one_output(case, arrays, k, None)
        with pytest.raises(NotImplementedError):
            da.jacobian(f, sparsity="auto")(arrays[k])
    z = np.array([1.0 + 2j, 3.0 - 1j])
    with pytest.raises(TypeError):
        da.hessian(lambda z: np.sum(z * z), sparsity="auto")(z)
    with pytest.raises(TypeError):
        da.hessian(lambda z: np.sum(z * z))(z)


# ====================================================================== 2. tight patterns
def _problems():
    rng = np.random.default_rng(20261202)
    return {
        "broyden": (broyden, (rng.uniform(-1.5, 0.5, 50),), 0, broyden_pattern(50)),
        "bratu": (bratu, (rng.uniform(0.0, 1.0, 36),), 0, bratu_pattern(6)),
        "brusselator": (brusselator, (0.0, brusselator_y0(5) + 0.1 * rng.uniform(size=50)), 1, brusselator_pattern(5)),
        "arrow": (arrow, (rng.uniform(-1.0, 1.0, 30),), 0, arrow_pattern(30)),
    }


PROBLEMS = _problems()


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_tight_patterns(name):
    f, args, argnums, want = PROBLEMS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error", SparsityWarning)  # nothing conservative, nothing path dependent
        got = da.jacobian_sparsity(f, argnums=argnums)(*args)
    _assert_pattern(got, want)


def test_tight_hessian_pattern_rosenbrock():
    n = 20
    x = np.random.default_rng(3).uniform(-1, 1, n)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SparsityWarning)
        got = da.hessian_sparsity(rosenbrock)(x)
    _assert_pattern(got, broyden_pattern(n))  # tridiagonal, diagonal included


# ====================================================================== 3. values
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_sparse_values(name):
    f, args, argnums, want = PROBLEMS[name]
    j = da.jacobian(f, argnums=argnums, sparsity="auto")
    got = j(*args)
    assert isinstance(got, sp.csr_array)
    assert got.dtype == np.float64
    assert got.shape == want.shape
    _close(got.toarray(), _dense_jacobian(f, *args, argnums=argnums))
    # every pattern entry is held (explicit zeros included), nothing else
    _assert_pattern(j.sparsity, want)
    held = sp.csr_array((np.ones(got.nnz, bool), got.indices, got.indptr), shape=got.shape)
    _assert_pattern(held, want)
    # a second point, through the prepared plan
    moved = list(args)
    moved[argnums] = args[argnums] * 0.9 + 0.05
    _close(j(*moved).toarray(), _dense_jacobian(f, *moved, argnums=argnums))


@pytest.mark.parametrize("f", [broyden, bratu], ids=["broyden", "bratu"])
def test_float32_stays_float32(f):
    x = np.random.default_rng(5).uniform(0.0, 1.0, 25)
    got = da.jacobian(f, sparsity="auto")(x.astype(np.float32))
    assert isinstance(got, sp.csr_array)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.toarray(), _dense_jacobian(f, x), rtol=2e-5, atol=2e-5 * np.abs(got.data).max())


def test_sparse_hessian_rosenbrock():
    n = 20
    x = np.random.default_rng(7).uniform(-1.2, 1.2, n)
    h = da.hessian(rosenbrock, sparsity="auto")
    got = h(x)
    assert isinstance(got, sp.csr_array)
    assert got.dtype == np.float64 and got.shape == (n, n)
    _close(got.toarray(), np.asarray(da.hessian(rosenbrock)(x)))
    assert (got - got.T).nnz == 0
    d = got.toarray()
    assert np.array_equal(d, d.T)
    assert h.ncolors == 3
    h32 = h(x.astype(np.float32))
    assert h32.dtype == np.float32
    np.testing.assert_allclose(h32.toarray(), d, rtol=1e-4, atol=1e-4 * np.abs(d).max())


def test_value_and_jacobian():
    x = np.random.default_rng(11).uniform(-1, 1, 40)
    vj = da.value_and_jacobian(broyden, sparsity="auto")
    result = vj(x)
    assert isinstance(result, tuple) and len(result) == 2
    value, jac = result
    assert isinstance(value, np.ndarray) and not isinstance(value, da.DualArray)
    np.testing.assert_array_equal(value, broyden(x))
    assert isinstance(jac, sp.csr_array)
    _close(jac.toarray(), _dense_jacobian(broyden, x))
    np.testing.assert_array_equal(jac.toarray(), da.jacobian(broyden, sparsity="auto")(x).toarray())


def test_sparse_options_refused():
    x = np.ones(4)
    with pytest.raises(ValueError, match="sparsity"):
        da.jacobian(broyden, sparsity="dense")
    with pytest.raises(ValueError):
        da.jacobian(broyden, mode="reverse", sparsity="auto")
    with pytest.raises(ValueError):
        da.jacobian(broyden, chunk_size=2, sparsity="auto")
    with pytest.raises(ValueError):
        da.jacobian(lambda x, y: x * y, argnums=(0, 1), sparsity="auto")(x, x)
    with pytest.raises(ValueError, match="tuple"):
        da.jacobian(lambda x: (x, 2 * x), sparsity="auto")(x)
    with pytest.raises(ValueError, match="scalar"):
        da.hessian(lambda x: x**2, sparsity="auto")(x)


def test_argnums_passes_other_arguments():
    """``jacobian(rhs, argnums=1, sparsity=...)`` is a ``jac(t, y)``; the pattern is per argument layout."""
    y = brusselator_y0(4)
    j = da.jacobian(brusselator, argnums=1, sparsity="auto")
    _close(j(0.0, y).toarray(), _dense_jacobian(brusselator, 0.0, y, argnums=1))
    _close(j(2.0, y).toarray(), _dense_jacobian(brusselator, 2.0, y, argnums=1))  # forcing on: same pattern


@pytest.mark.parametrize(("f", "x"), [(lambda x: x[:0], np.ones(3)),
                                      (lambda x: np.concatenate([x, np.ones(2)]), np.ones(0))],
                         ids=["empty-output", "empty-input"])
def test_empty_jacobian(f, x):
    got = da.jacobian(f, sparsity="auto")(x)
    assert isinstance(got, sp.csr_array)
    assert got.shape == (np.size(f(x)), x.size) and got.nnz == 0


# ====================================================================== 4. colour counts
def _prepared(name):
    f, args, argnums, _ = PROBLEMS[name]
    j = da.jacobian(f, argnums=argnums, sparsity="auto")
    j(*args)
    return j


def test_colors_broyden():
    j = _prepared("broyden")
    assert j.ncolors == 3
    assert j.mode == "forward"
    assert _ncolors(j.colors) == 3 and j.colors.shape == (50,)
    assert j.ncolors <= _cpr(j.sparsity)


def test_colors_bratu():
    n = 8
    x = np.random.default_rng(1).uniform(0, 1, n * n)
    j = da.jacobian(bratu, sparsity="auto")
    _close(j(x).toarray(), _dense_jacobian(bratu, x))
    assert 5 <= j.ncolors <= 6  # a row has 5 entries: 5 is the optimum (DSATUR finds it)
    assert j.ncolors <= _cpr(j.sparsity)


def test_colors_brusselator():
    n = 8
    y = brusselator_y0(n)
    j = da.jacobian(brusselator, argnums=1, sparsity="auto")
    _close(j(0.0, y).toarray(), _dense_jacobian(brusselator, 0.0, y, argnums=1))
    _assert_pattern(j.sparsity, brusselator_pattern(n))
    assert 6 <= j.ncolors <= 12
    assert j.ncolors <= _cpr(j.sparsity)


def test_colors_rosenbrock_hessian():
    x = np.random.default_rng(2).uniform(-1, 1, 20)
    h = da.hessian(rosenbrock, sparsity="auto")
    h(x)
    assert h.ncolors == 3
    assert h.ncolors <= _cpr(h.sparsity)


def test_colors_arrow():
    """A dense row and a dense column: columns alone need n colours, rows alone too; the dense row in
    reverse plus the rest forward needs 3."""
    n = 30
    j = _prepared("arrow")
    assert _cpr(j.sparsity) == n
    assert j.mode in ("forward + reverse", "reverse")
    assert j.ncolors <= 4
    assert j.ncolors == _ncolors(j.colors) + _ncolors(j.row_colors)


def test_colors_arrowhead_hessian():
    n = 30
    x = np.random.default_rng(4).uniform(-1, 1, n)
    f = lambda x: x[0] * np.sum(x**2)
    h = da.hessian(f, sparsity="auto")
    got = h(x)
    _assert_pattern(h.sparsity, arrow_pattern(n))
    assert _cpr(h.sparsity) == n
    assert h.ncolors <= 3
    g = sp.csr_array(h.sparsity, dtype=np.float32)
    g.setdiag(0)
    g.eliminate_zeros()
    assert _coloring.is_star_coloring(g, h.colors)
    _close(got.toarray(), np.asarray(da.hessian(f)(x)))
    assert (got - got.T).nnz == 0


# ====================================================================== 5. cache
def test_cache_reuse(monkeypatch):
    from dualarray import _sparse

    detections = []
    real = _sparse.detect

    def counting(*args, **kwargs):
        detections.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_sparse, "detect", counting)
    rng = np.random.default_rng(9)
    j = da.jacobian(broyden, sparsity="auto")
    for attribute in ("sparsity", "colors", "ncolors", "mode", "timings"):
        with pytest.raises(AttributeError):
            getattr(j, attribute)
    assert not hasattr(j, "sparsity")

    j(rng.uniform(size=10))
    assert len(j.cache) == 1 and len(detections) == 1
    first, timings = j.last, j.timings
    assert set(timings) >= {"detect", "color"} and timings["detect"] > 0
    _assert_pattern(j.sparsity, broyden_pattern(10))
    assert j.colors.shape == (10,) and j.ncolors == 3

    j(rng.uniform(size=10))  # same shape and dtype: nothing detected again
    assert len(j.cache) == 1 and len(detections) == 1
    assert j.last is first and j.timings == timings

    j(rng.uniform(size=12))  # a new shape
    assert len(j.cache) == 2 and len(detections) == 2
    assert j.sparsity.shape == (12, 12) and j.last is not first

    j(rng.uniform(size=10).astype(np.float32))  # a new dtype
    assert len(j.cache) == 3 and len(detections) == 3

    j(rng.uniform(size=10))  # back to the first layout: reused
    assert len(j.cache) == 3 and len(detections) == 3
    assert j.last is first

    # other arguments: ints choose shapes or branches (keyed by value), floats only by type (solve_ivp's t)
    k = da.jacobian(lambda x, c: x * c, sparsity="auto")
    x = rng.uniform(size=5)
    k(x, 1)
    k(x, 2)
    assert len(k.cache) == 2
    k(x, 1.5)
    k(x, 2.5)
    assert len(k.cache) == 3
    np.testing.assert_array_equal(k(x, 2.5).toarray(), 2.5 * np.eye(5))

    h = da.hessian(rosenbrock, sparsity="auto")
    with pytest.raises(AttributeError):
        h.colors
    h(rng.uniform(size=8))
    h(rng.uniform(size=8))
    assert len(h.cache) == 1
    h(rng.uniform(size=9))
    assert len(h.cache) == 2


# ====================================================================== 6. given patterns
def test_given_patterns():
    n = 30
    x = np.random.default_rng(13).uniform(-1, 1, n)
    auto = da.jacobian(broyden, sparsity="auto")(x).toarray()
    p = broyden_pattern(n)
    five = sp.csr_array(sp.diags_array([np.ones(n - abs(k)) for k in range(-2, 3)], offsets=range(-2, 3)) != 0)
    for given in (p.toarray(), p, sp.coo_array(p.astype(np.float64)), p.toarray().astype(np.float64), five):
        j = da.jacobian(broyden, sparsity=given)
        got = j(x)
        assert isinstance(got, sp.csr_array)
        np.testing.assert_array_equal(got.toarray(), auto)
        _assert_pattern(j.sparsity, given)
        assert j.timings["detect"] == 0.0 and j.sparsity_path_dependent == ()

    for wrong in (np.ones((n, n + 1), bool), broyden_pattern(n + 1), np.ones(n, bool)):
        with pytest.raises(ValueError, match="shape"):
            da.jacobian(broyden, sparsity=wrong)(x)

    h = da.hessian(rosenbrock, sparsity=broyden_pattern(n))(x)
    _close(h.toarray(), np.asarray(da.hessian(rosenbrock)(x)))
    with pytest.raises(ValueError, match="shape"):
        da.hessian(rosenbrock, sparsity=broyden_pattern(n - 1))(x)


# ====================================================================== 7. stale patterns
def test_stale_argmax_warns_then_raises():
    f = lambda x: x * x[np.argmax(x)]
    j = da.jacobian(f, sparsity="auto")
    with pytest.warns(SparsityWarning, match="argmax"):
        j(np.array([3.0, 1.0, 2.0]))
    assert any("argmax" in r for r in j.sparsity_path_dependent)
    # the same dependencies: fine
    x = np.array([4.0, 2.0, 1.0])
    _close(j(x).toarray(), _dense_jacobian(f, x))
    with pytest.raises(ValueError, match="sparsity"):
        j(np.array([1.0, 3.0, 2.0]))


def test_stale_argsort_warns():
    with pytest.warns(SparsityWarning, match="argsort"):
        p = da.jacobian_sparsity(lambda x: x[np.argsort(x)])(np.array([1.0, 2.0, 3.0, 4.0]))
    _assert_pattern(p, np.eye(4))


def test_stale_argsort_raises():
    j = da.jacobian(lambda x: x[np.argsort(x)], sparsity="auto")
    with pytest.warns(SparsityWarning):
        j(np.array([1.0, 2.0, 3.0, 4.0]))
    with pytest.raises(ValueError, match="sparsity"):
        j(np.array([4.0, 3.0, 2.0, 1.0]))


def _branch(x):
    extra = x[:1] * x[1:2] if x[0] > 0 else np.zeros(1)
    return np.concatenate([x**2, extra])


def test_stale_branch_raises():
    j = da.jacobian(_branch, sparsity="auto")
    j(np.array([-1.0, 2.0, 3.0]))  # the last row depends on nothing here
    with pytest.raises(ValueError, match="sparsity"):
        j(np.array([1.0, 2.0, 3.0]))
    # fewer dependencies than detected: the pattern still holds, values exact
    j = da.jacobian(_branch, sparsity="auto")
    j(np.array([1.0, 2.0, 3.0]))
    x = np.array([-1.0, 2.0, 3.0])
    np.testing.assert_array_equal(j(x).toarray(), _dense_jacobian(_branch, x))


@pytest.mark.parametrize(("f", "x1", "x2"), [
    (lambda x: x**2 if x[0] > 0 else x * x[::-1], np.array([1.0, 2.0, 3.0, 4.0]), np.array([-1.0, 2.0, 3.0, 4.0])),
    (lambda x: x[x > 0], np.array([1.0, -1.0, 2.0, -2.0]), np.array([-1.0, 1.0, -2.0, 2.0])),
], ids=["python-if", "boolean-mask"])
def test_stale_unseen_raises(f, x1, x2):
    j = da.jacobian(f, sparsity="auto")
    j(x1)
    with pytest.raises(ValueError, match="sparsity"):
        j(x2)


def _param_branch(x, c):
    return x**2 if c > 0 else x * x[::-1]


def test_stale_float_parameter_raises():
    j = da.jacobian(_param_branch, sparsity="auto")
    x = np.array([1.0, 2.0, 3.0, 4.0])
    j(x, 1.0)
    with pytest.raises(ValueError, match="sparsity"):
        j(x, -1.0)


def test_sort_is_never_wrong():
    j = da.jacobian(np.sort, sparsity="auto")
    j(np.array([1.0, 2.0, 3.0, 4.0]))
    x = np.array([4.0, 3.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="sparsity"):
        j(x)


def test_stale_hessian_raises():
    f = lambda x: np.sum(x**2) + (x[0] * x[1] if x[0] > 0 else 0.0)
    h = da.hessian(f, sparsity="auto")
    h(np.array([-1.0, 2.0, 3.0]))
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="sparsity"):
        h(x)


def test_given_pattern_too_small_raises():
    n = 12
    x = np.random.default_rng(17).uniform(-1, 1, n)
    p = sp.lil_array(broyden_pattern(n))
    p[n - 1, :] = 0  # the last row says "depends on nothing"
    j = da.jacobian(broyden, sparsity=sp.csr_array(p))
    with pytest.raises(ValueError, match="sparsity"):
        j(x)


def test_given_pattern_too_small_never_wrong():
    n = 12
    x = np.random.default_rng(17).uniform(-1, 1, n)
    j = da.jacobian(broyden, sparsity=sp.eye_array(n, format="csr"))
    with pytest.raises(ValueError, match="sparsity"):
        j(x)


# ====================================================================== 8. colourings
def _random_pattern(rng, m, n, density):
    return sp.csr_array(sp.random_array((m, n), density=density, rng=rng, format="csr") != 0)


SHAPES = [(30, 20), (20, 40), (1, 15), (15, 1)]
DENSITIES = [0.0, 0.03, 0.1, 0.3, 0.7, 1.0]


def _check_distance2(p: sp.csr_array, colors: np.ndarray):
    """No two columns with one colour share a row; colours are 0..k-1."""
    assert colors.shape == (p.shape[1],)
    assert np.issubdtype(colors.dtype, np.integer) and (colors >= 0).all()
    for i in range(p.shape[0]):
        cols = p.indices[p.indptr[i]: p.indptr[i + 1]]
        assert np.unique(colors[cols]).size == cols.size, f"row {i}: columns {cols} with colours {colors[cols]}"
    row_max = int(np.diff(p.indptr).max(initial=0))
    assert max(row_max, min(1, p.shape[1])) <= _ncolors(colors)  # the lower bound
    if p.shape[1]:
        assert _ncolors(colors) <= _cpr(p)


@pytest.mark.parametrize(("shape", "density"), list(itertools.product(SHAPES, DENSITIES)))
def test_color_columns_and_rows(shape, density):
    rng = np.random.default_rng(zlib.crc32(repr((shape, density)).encode()))
    p = _random_pattern(rng, *shape, density)
    colors, order = _coloring.color_columns(p)
    assert isinstance(order, str)
    _check_distance2(p, colors)
    rows, _ = _coloring.color_rows(p)
    _check_distance2(sp.csr_array(p.T), rows)

    # decompression: B = J S holds every entry of J exactly
    j = sp.csr_array((rng.standard_normal(p.nnz), p.indices, p.indptr), shape=p.shape)
    s = _coloring.seeds(colors, np.float64).T
    assert s.shape == (p.shape[1], _ncolors(colors))
    b = j @ s
    assert not ((b != 0) & ~_coloring.predicted(p, colors)).any()
    got = _coloring.decompress_columns(p, colors, b)
    np.testing.assert_array_equal(got.toarray(), j.toarray())
    # and rows: Sᵀ J
    r = _coloring.seeds(rows, np.float64)
    bt = r @ j.toarray()
    got = _coloring.decompress_columns(sp.csr_array(p.T), rows, bt.T)
    np.testing.assert_array_equal(got.toarray(), j.toarray().T)


def test_dsatur_stencil():
    """The 5-point stencil: 5 colours (where greedy orders stay above)."""
    p = bratu_pattern(10)
    colors, _ = _coloring.color_columns(p)
    _check_distance2(p, colors)
    assert _ncolors(colors) == 5


def _bicolored_p4(g: sp.csr_array, colors: np.ndarray) -> list:
    """Paths a-b-c-d on four distinct vertices using two colours only (brute force)."""
    nb = [set(g.indices[g.indptr[v]: g.indptr[v + 1]].tolist()) for v in range(g.shape[0])]
    bad = []
    for b in range(g.shape[0]):
        for c in nb[b]:
            if colors[b] == colors[c]:
                return [("adjacent", b, c)]
            for a in nb[b] - {c}:
                if colors[a] != colors[c]:
                    continue
                for d in nb[c] - {a, b}:
                    if colors[d] == colors[b]:
                        bad.append((a, b, c, d))
    return bad


def _symmetric_pattern(rng, n, density):
    a = sp.random_array((n, n), density=density, rng=rng, format="csr")
    return sp.csr_array(((a + a.T) + sp.eye_array(n)) != 0)


@pytest.mark.parametrize(("n", "density"), list(itertools.product([1, 12, 30], [0.0, 0.05, 0.15, 0.4, 1.0])) +
                         [("arrowhead", 0), ("tridiagonal", 0)])
def test_color_symmetric(n, density):
    rng = np.random.default_rng(zlib.crc32(repr((n, density)).encode()))
    if n == "arrowhead":
        q = arrow_pattern(25)
    elif n == "tridiagonal":
        q = broyden_pattern(25)
    else:
        q = _symmetric_pattern(rng, n, density)
    size = q.shape[0]
    colors, _ = _coloring.color_symmetric(q)
    assert colors.shape == (size,)
    g = sp.csr_array(q, dtype=np.float32, copy=True)
    g.setdiag(0)
    g.eliminate_zeros()
    assert _coloring.is_star_coloring(g, colors)
    assert not _bicolored_p4(g, colors)
    if n == "arrowhead":
        assert _ncolors(colors) == 2
    if n == "tridiagonal":
        assert _ncolors(colors) == 3

    # decompression: a random symmetric H with that pattern from B = H S, exactly and exactly symmetric
    upper = sp.triu(sp.csr_array((rng.standard_normal(q.nnz), q.indices, q.indptr), shape=q.shape))
    h = (upper + sp.triu(upper, k=1).T).toarray()
    s = _coloring.seeds(colors, np.float64).T
    got = _coloring.decompress_symmetric(q, colors, h @ s)
    assert isinstance(got, sp.csr_array)
    np.testing.assert_array_equal(got.toarray(), h)
    assert (got - got.T).nnz == 0


# ====================================================================== 9. global semantics
N9 = 6
X9 = np.random.default_rng(23).standard_normal(N9)
EYE, FLIP = np.eye(N9, dtype=bool), np.eye(N9, dtype=bool)[::-1]
COL0 = np.zeros((N9, N9), bool)
COL0[:, 0] = True
_A = np.random.default_rng(29).standard_normal((4, N9)) * (np.random.default_rng(31).random((4, N9)) < 0.5)

SEMANTICS = {
    # np.where keeps both branches at every x (here x > 0 holds only for some elements)
    "where": (lambda x: np.where(x > 0, x, 2 * x[::-1]), X9, EYE | FLIP),
    "where-all-true": (lambda x: np.where(x > -10, x, 2 * x[::-1]), X9, EYE | FLIP),
    "maximum": (lambda x: np.maximum(x, x[::-1]), X9, EYE | FLIP),
    "clip-all-clipped": (lambda x: np.clip(x, -0.1, 0.1), np.full(N9, 3.0), EYE),
    "minimum-constant": (lambda x: np.minimum(x, 0.0), np.full(N9, 3.0), EYE),
    "abs": (np.abs, X9, EYE),
    # x * 0 is a scale (a coefficient never prunes); floor(x)[::-1] records no tangent
    "floor-adds-nothing": (lambda x: x * 0 + np.floor(x)[::-1], X9, EYE),
    "sign-and-comparison": (lambda x: np.sign(x)[::-1] * x + (x[::-1] > 0), X9, EYE),
    "round-only": (lambda x: np.round(x[::-1]) + np.ceil(x), X9, np.zeros((N9, N9), bool)),
    # a coefficient that is zero at this x still keeps its entries
    "zero-coefficient": (lambda x: x * x[0], np.concatenate([[0.0], X9[1:]]), EYE | COL0),
    "masked-coefficient": (lambda x: x * np.where(x > 0, 1.0, 0.0), -np.abs(X9) - 0.5, EYE),
    # zeros of constant matrices are structural
    "constant-matmul": (lambda x: _A @ x, X9, _A != 0),
    "constant-matmul-right": (lambda x: x @ _A.T, X9, _A != 0),
    "constant-einsum": (lambda x: np.einsum("ij,j->i", _A, x), X9, _A != 0),
    "constant-sparse": (lambda x: sp.csr_array(_A) @ x, X9, _A != 0),
    # ... but not zeros of coefficients computed from x
    "computed-matrix": (lambda x: np.outer(x, x) @ x, np.concatenate([X9[:2], [0.0], X9[3:]]),
                        np.ones((N9, N9), bool)),
}


@pytest.mark.parametrize("name", list(SEMANTICS))
def test_global_semantics(name):
    f, x, want = SEMANTICS[name]
    got = da.jacobian_sparsity(f)(x)
    _assert_pattern(got, want)
    jac = _dense_jacobian(f, x, mode="forward")
    assert not (np.isfinite(jac) & (jac != 0) & ~want).any()


def test_zero_coefficient_values():
    """``x * x[0]`` at ``x[0] = 0``: the sparse Jacobian holds column 0, where the values are nonzero."""
    x = np.concatenate([[0.0], X9[1:]])
    f = lambda x: x * x[0]
    j = da.jacobian(f, sparsity="auto")
    got = j(x).toarray()
    np.testing.assert_array_equal(got, _dense_jacobian(f, x))
    assert np.count_nonzero(got[:, 0]) == N9 - 1


# ====================================================================== 10. SciPy end to end
def test_least_squares_broyden():
    n = 100
    x0 = -np.ones(n)
    jac = Counted(da.jacobian(broyden, sparsity="auto"))
    kw = dict(tr_solver="lsmr", xtol=1e-12, ftol=1e-12, gtol=1e-12)
    ad = least_squares(broyden, x0, jac=jac, **kw)
    fd = least_squares(broyden, x0, jac_sparsity=broyden_pattern(n), **kw)
    assert ad.success and fd.success
    assert ad.njev == jac.calls and jac.calls > 0
    assert jac.f.ncolors == 3
    assert np.max(np.abs(broyden(ad.x))) < 1e-8
    np.testing.assert_allclose(ad.x, fd.x, rtol=1e-6, atol=1e-8)
    assert isinstance(ad.jac, sp.sparray | sp.spmatrix)


@pytest.mark.parametrize("method", ["BDF", "Radau"])
def test_solve_ivp_brusselator(method):
    n = 6
    y0 = brusselator_y0(n)
    jac = Counted(da.jacobian(brusselator, argnums=1, sparsity="auto"))
    kw = dict(method=method, rtol=1e-8, atol=1e-10)
    ad = solve_ivp(brusselator, (0.0, 0.5), y0, jac=jac, **kw)
    fd = solve_ivp(brusselator, (0.0, 0.5), y0, jac_sparsity=brusselator_pattern(n), **kw)
    assert ad.success and fd.success
    assert ad.njev == jac.calls and jac.calls > 0
    assert len(jac.f.cache) == 1  # t changes every call: prepared once
    _assert_pattern(jac.f.sparsity, brusselator_pattern(n))
    np.testing.assert_allclose(ad.y[:, -1], fd.y[:, -1], rtol=1e-5, atol=1e-7 * np.abs(fd.y[:, -1]).max())
