"""Hard points of the reduction, statistics and sorting rules that the case table cannot express:
products with zeros, ties, stable sorting, NaN positions, quantiles against differences, dtypes,
and what stays plain."""

from __future__ import annotations

import numpy as np
import pytest

from dualarray import DualArray, new_tag


def grad(f, x):
    """Gradient of a scalar function by one batched pass (identity directions)."""
    x = np.asarray(x, dtype=float)
    eye = np.eye(x.size).reshape((x.size, *x.shape))
    return f(DualArray(x, eye, batched=True)).tangent.reshape(x.shape)


def hessian(f, x):
    x = np.asarray(x, dtype=float)
    n = x.size
    eye = np.eye(n).reshape((n, *x.shape))
    inner, outer = new_tag(), new_tag()
    d = DualArray(DualArray(x, eye, batched=True, tag=inner), eye, batched=True, tag=outer)
    return f(d).tangent.tangent.reshape(n, n)


# ---------------------------------------------------------------- products with zeros
def exclusive_products(x):
    return np.array([np.prod(np.delete(x, i)) for i in range(x.size)])


@pytest.mark.parametrize("x", [
    [2.0, 0.0, 3.0, 4.0], [2.0, 0.0, 0.0, 4.0], [0.0, 0.0, 0.0, 5.0], [1.5, -2.0, 3.0, 4.0],
])
def test_prod_with_zeros_matches_exclusive_products(x):
    x = np.array(x)
    g = grad(np.prod, x)
    np.testing.assert_array_equal(g, exclusive_products(x))
    assert np.all(np.isfinite(g))


def test_prod_one_zero_gradient_and_hessian():
    x = np.array([2.0, 0.0, 3.0, 4.0])
    np.testing.assert_array_equal(grad(np.prod, x), [0.0, 24.0, 0.0, 0.0])
    # ∂²/∂x_i∂x_j Π x = Π_{k≠i,j} x_k (0 on the diagonal)
    expected = np.array([[0.0 if i == j else np.prod(np.delete(x, [i, j])) for j in range(4)]
                         for i in range(4)])
    np.testing.assert_allclose(hessian(np.prod, x), expected, atol=1e-12)


def test_prod_two_zeros_gradient_zero_hessian_not():
    x = np.array([2.0, 0.0, 0.0, 4.0])
    np.testing.assert_array_equal(grad(np.prod, x), np.zeros(4))
    h = hessian(np.prod, x)
    assert h[1, 2] == h[2, 1] == 8.0
    assert np.count_nonzero(h) == 2


def test_prod_zeros_along_axis_and_nanprod():
    x = np.array([[2.0, 0.0, 3.0], [1.0, 2.0, 3.0]])
    g = grad(lambda d: np.prod(d, axis=1)[0], x)
    np.testing.assert_array_equal(g, [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0]])
    y = np.array([2.0, np.nan, 0.0, 5.0])
    np.testing.assert_array_equal(grad(np.nanprod, y), [0.0, 0.0, 10.0, 0.0])


def test_cumprod_with_zero():
    x = np.array([2.0, 0.0, 3.0])
    t = DualArray(x, np.eye(3), batched=True)
    jac = np.cumprod(t).tangent  # (direction, output)
    # d cumprod_k / d x_i = Π_{j≤k, j≠i} x_j for i ≤ k
    expected = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 6.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(jac, expected)


# ---------------------------------------------------------------- ties split equally
@pytest.mark.parametrize(("func", "x", "expected"), [
    (np.max, [1.0, 3.0, 3.0, 2.0], [0.0, 0.5, 0.5, 0.0]),
    (np.min, [1.0, 3.0, 1.0, 1.0], [1 / 3, 0.0, 1 / 3, 1 / 3]),
    (np.amax, [4.0, 4.0], [0.5, 0.5]),
    (np.ptp, [1.0, 3.0, 3.0, 1.0], [-0.5, 0.5, 0.5, -0.5]),
    (np.nanmax, [3.0, np.nan, 3.0, 1.0], [0.5, 0.0, 0.5, 0.0]),
    (np.nanmin, [np.nan, 1.0, 1.0], [0.0, 0.5, 0.5]),
    (np.median, [2.0, 1.0, 2.0], [0.5, 0.0, 0.5]),
    (np.median, [5.0, 5.0, 5.0], [1 / 3, 1 / 3, 1 / 3]),
    (np.median, [1.0, 2.0, 2.0, 3.0], [0.0, 0.5, 0.5, 0.0]),
    (np.median, [1.0, 2.0, 2.0, 2.0, 9.0, 0.0], [0.0, 1 / 3, 1 / 3, 1 / 3, 0.0, 0.0]),
    (np.nanmedian, [2.0, np.nan, 2.0, 0.0], [0.5, 0.0, 0.5, 0.0]),
])
def test_ties_split_equally(func, x, expected):
    np.testing.assert_allclose(grad(func, x), expected, atol=1e-15)


def test_max_ties_along_axis():
    x = np.array([[1.0, 2.0, 2.0], [0.0, 0.0, 0.0]])
    t = DualArray(x, np.ones_like(x) * np.arange(1.0, 4.0))
    np.testing.assert_allclose(np.max(t, axis=1).tangent, [2.5, 2.0])
    np.testing.assert_allclose(np.min(t, axis=0).tangent, [1.0, 2.0, 3.0])


def test_quantile_at_ties_uses_group_mean():
    x = np.array([3.0, 1.0, 3.0, 3.0, 0.0])
    # sorted [0, 1, 3, 3, 3]: q = 0.75 sits at index 3, inside the tie group {0, 2, 3}
    np.testing.assert_allclose(grad(lambda d: np.quantile(d, 0.75), x), [1 / 3, 0.0, 1 / 3, 1 / 3, 0.0])


# ---------------------------------------------------------------- sorting permutes tangents stably
def test_sort_with_ties_is_stable():
    x = DualArray(np.array([2.0, 1.0, 2.0, 0.0, 2.0]), np.array([10.0, 20.0, 30.0, 40.0, 50.0]))
    y = np.sort(x)
    np.testing.assert_array_equal(y.value, [0.0, 1.0, 2.0, 2.0, 2.0])
    np.testing.assert_array_equal(y.tangent, [40.0, 20.0, 10.0, 30.0, 50.0])
    y = np.sort(x, kind="quicksort")  # the kind changes nothing: ties keep input order
    np.testing.assert_array_equal(y.tangent, [40.0, 20.0, 10.0, 30.0, 50.0])


def test_sort_axis_and_none_with_ties():
    v = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    t = np.arange(6.0).reshape(3, 2)
    y = np.sort(DualArray(v, t), axis=0)
    np.testing.assert_array_equal(y.tangent, [[4.0, 1.0], [0.0, 3.0], [2.0, 5.0]])
    y = np.sort(DualArray(v, t), axis=None)
    np.testing.assert_array_equal(y.tangent, [1.0, 4.0, 0.0, 2.0, 3.0, 5.0])


def test_partition_tangents_follow_values():
    v = np.array([3.0, 1.0, 2.0, 1.0, 5.0, 0.0])
    x = DualArray(v, 10 * v + np.arange(6))  # tangent encodes value and position
    y = np.partition(x, 2)
    np.testing.assert_array_equal(y.value, np.partition(v, 2))
    # each output slot carries the tangent of an input with that value; tied 1.0s in input order
    np.testing.assert_array_equal(np.floor(y.tangent / 10), y.value)
    ones = y.tangent[y.value == 1.0]
    np.testing.assert_array_equal(ones, [11.0, 13.0])


def test_take_along_argsort_equals_sort():
    rng = np.random.default_rng(3)
    v = rng.standard_normal((3, 4))
    t = rng.standard_normal((3, 4))
    np.testing.assert_array_equal(np.sort(DualArray(v, t), axis=1).tangent,
                                  np.take_along_axis(t, np.argsort(v, axis=1), axis=1))


# ---------------------------------------------------------------- NaN positions are ignored
@pytest.mark.parametrize("func", [
    np.nansum, np.nanmean, np.nanmax, np.nanmin, np.nanvar, np.nanstd, np.nanprod, np.nanmedian,
    lambda x: np.nanpercentile(x, 40.0), lambda x: np.nanquantile(x, 0.4), np.nancumsum, np.nancumprod,
])
def test_nan_functions_ignore_tangents_at_nan(func):
    v = np.array([1.0, np.nan, 3.0, 0.5])
    # a NaN or huge tangent at the NaN position must not show up anywhere
    for bad in (np.nan, 1e300):
        got = func(DualArray(v, np.array([0.3, bad, -0.7, 1.1])))
        ref = func(DualArray(v, np.array([0.3, 0.0, -0.7, 1.1])))
        assert np.all(np.isfinite(got.tangent))
        np.testing.assert_array_equal(got.tangent, ref.tangent)


def test_nan_functions_match_the_clean_computation():
    v = np.array([[1.0, np.nan, 3.0], [2.0, 4.0, np.nan]])
    t = np.array([[1.0, 5.0, 2.0], [-1.0, 0.5, 7.0]])
    d = DualArray(v, t)
    np.testing.assert_allclose(np.nansum(d, axis=1).tangent, [3.0, -0.5])
    np.testing.assert_allclose(np.nanmean(d, axis=1).tangent, [1.5, -0.25])
    np.testing.assert_allclose(np.nanmax(d, axis=1).tangent, [2.0, 0.5])
    row = DualArray(np.array([1.0, 3.0]), np.array([1.0, 2.0]))
    np.testing.assert_allclose(np.nanvar(d, axis=1).tangent[0], np.var(row).tangent)


def test_all_nan_slice_has_zero_tangent():
    v = np.array([[np.nan, np.nan], [1.0, 2.0]])
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        y = np.nanmean(DualArray(v, np.ones_like(v)), axis=1)
    np.testing.assert_array_equal(y.tangent, [0.0, 1.0])


# ---------------------------------------------------------------- quantiles against differences
def test_percentile_derivative_matches_differences():
    rng = np.random.default_rng(11)
    x = rng.standard_normal(9)
    v = rng.standard_normal(9)
    q = 37.0  # virtual index 2.96: not at a sample point, no ties
    h = 1e-6
    fd = (np.percentile(x + h * v, q) - np.percentile(x - h * v, q)) / (2 * h)
    got = np.percentile(DualArray(x, v), q)
    assert got.value == np.percentile(x, q)
    np.testing.assert_allclose(got.tangent, fd, rtol=1e-7)
    # and in q: (s[hi] - s[lo]) · (n - 1) / 100
    fq = (np.percentile(x, q + h) - np.percentile(x, q - h)) / (2 * h)
    np.testing.assert_allclose(np.percentile(x, DualArray(q, 1.0)).tangent, fq, rtol=1e-6)


def test_quantile_second_derivative_in_q_is_zero_and_mixed_is_exact():
    x = np.array([0.0, 1.0, 4.0, 9.0, 16.0])
    inner, outer = new_tag(), new_tag()
    q = DualArray(DualArray(0.3, 1.0, tag=inner), 1.0, tag=outer)
    y = np.quantile(x, q)
    # q (n-1) = 1.2 between s[1] = 1 and s[2] = 4: slope 3·4 = 12, curvature 0
    assert y.value.value == np.quantile(x, 0.3)
    assert y.tangent.value == pytest.approx(12.0)
    assert y.tangent.tangent == 0.0


def test_median_is_mean_of_middle_pair():
    x = np.array([4.0, 1.0, 3.0, 2.0])
    np.testing.assert_allclose(grad(np.median, x), [0.0, 0.0, 0.5, 0.5])


# ---------------------------------------------------------------- logsumexp pattern
def test_logsumexp_pattern_gives_softmax():
    rng = np.random.default_rng(5)
    x = rng.standard_normal(6)

    def lse(z):
        m = z.max()
        return m + np.log(np.exp(z - m).sum())

    g = grad(lse, x)
    np.testing.assert_allclose(g, np.exp(x) / np.exp(x).sum(), rtol=1e-14)
    # at a tie of the maximum the result is still the softmax (the max's tangent cancels)
    x[2] = x[4] = x.max() + 1.0
    np.testing.assert_allclose(grad(lse, x), np.exp(x) / np.exp(x).sum(), rtol=1e-14)
    h = hessian(lse, x)
    p = np.exp(x) / np.exp(x).sum()
    np.testing.assert_allclose(h, np.diag(p) - np.outer(p, p), atol=1e-14)


# ---------------------------------------------------------------- moments
def test_std_of_constant_data_has_zero_derivative():
    x = DualArray(np.full(4, 2.0), np.array([1.0, -1.0, 0.5, 0.0]))
    y = np.std(x)
    assert y.value == 0.0
    assert y.tangent == 0.0


def test_var_second_derivative():
    rng = np.random.default_rng(2)
    x, v = rng.standard_normal(5), rng.standard_normal(5)
    inner, outer = new_tag(), new_tag()
    d = DualArray(DualArray(x, v, tag=inner), v, tag=outer)
    y = np.var(d, ddof=1)
    # var(x + t v) is quadratic in t: second derivative 2 var(v)
    np.testing.assert_allclose(y.tangent.tangent, 2 * np.var(v, ddof=1), rtol=1e-13)


def test_average_weights_both_differentiable_and_returned():
    a = np.array([1.0, 2.0, 4.0])
    w = np.array([1.0, 1.0, 2.0])
    avg, scl = np.average(DualArray(a, np.zeros(3)), weights=DualArray(w, np.array([1.0, 0.0, 0.0])),
                          returned=True)
    # d/dw0 Σwa/Σw = (a0 - avg) / Σw
    assert avg.value == np.average(a, weights=w)
    np.testing.assert_allclose(avg.tangent, (a[0] - avg.value) / w.sum())
    assert isinstance(scl, DualArray) and scl.value == 4.0 and scl.tangent == 1.0


# ---------------------------------------------------------------- dtypes
@pytest.mark.parametrize("func", [
    np.sum, np.prod, np.mean, np.var, np.std, np.max, np.ptp, np.median, np.cumsum, np.cumprod, np.sort,
    np.nansum, np.nanmean, np.nanstd, np.nanmax, np.nanmedian, np.diff, np.ediff1d, np.trapezoid,
    np.gradient, np.unique, lambda x: np.percentile(x, 30.0), lambda x: np.quantile(x, 0.3),
    lambda x: np.partition(x, 1), lambda x: np.cumulative_sum(x, include_initial=True), np.nancumprod,
])
def test_float32_stays_float32(func):
    x = np.array([0.5, 2.0, 1.5, 3.0], dtype=np.float32)
    y = func(DualArray(x, np.ones(4, dtype=np.float32)))
    assert y.dtype == func(x).dtype == np.float32
    assert y.tangent.dtype == np.float32


def test_complex_sort_and_var():
    z = np.array([1 + 2j, -1 + 0j, 0.5 - 1j])
    t = np.array([1.0, 2.0, 3.0 + 1j])
    y = np.sort(DualArray(z, t))
    np.testing.assert_array_equal(y.tangent, t[np.argsort(z)])
    v = np.var(DualArray(z, t))
    assert v.dtype == np.float64 and v.tangent.dtype == np.float64


# ---------------------------------------------------------------- what stays plain
def test_index_and_count_outputs_are_plain():
    x = DualArray(np.array([3.0, 1.0, 2.0, 1.0]), 1.0)
    for r in (np.argpartition(x, 1), np.lexsort((x, x)), np.digitize(x, [0.0, 1.5]), np.isin(x, [1.0]),
              np.argsort(x), np.searchsorted(x.value, x), np.count_nonzero(x)):
        assert not isinstance(r, DualArray)
    counts, edges = np.histogram(x, bins=2, range=(0.0, 4.0))
    assert not isinstance(counts, DualArray)
    assert isinstance(edges, DualArray) and np.all(edges.tangent == 0)
    assert not isinstance(np.bincount(np.array([0, 1, 1])), DualArray)


def test_unique_flags_values_dual_rest_plain():
    x = DualArray(np.array([2.0, 1.0, 2.0, 3.0]), np.array([1.0, 5.0, 3.0, 7.0]))
    u, idx, inv, cnt = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(u.value, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(u.tangent, [5.0, 2.0, 7.0])  # the duplicated 2.0 gets the mean
    for part in (idx, inv, cnt):
        assert isinstance(part, np.ndarray) and not isinstance(part, DualArray)
    res = np.unique_all(x)
    assert isinstance(res.values, DualArray) and not isinstance(res.counts, DualArray)
    np.testing.assert_array_equal(res.values.tangent[np.argsort(res.values.value)], [5.0, 2.0, 7.0])


def test_histogram_edges_follow_min_and_max():
    x = DualArray(np.array([0.0, 1.0, 4.0]), np.array([1.0, 0.0, 3.0]))
    edges = np.histogram_bin_edges(x, bins=4)
    np.testing.assert_allclose(edges.tangent, [1.0, 1.5, 2.0, 2.5, 3.0])


def test_bincount_weights_is_linear():
    w = DualArray(np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0, 30.0]))
    y = np.bincount(np.array([2, 0, 2]), weights=w, minlength=4)
    np.testing.assert_array_equal(y.value, [2.0, 0.0, 4.0, 0.0])
    np.testing.assert_array_equal(y.tangent, [20.0, 0.0, 40.0, 0.0])


# ---------------------------------------------------------------- errors and out=
def test_quantile_weights_raise_clearly_and_unknown_methods_raise_like_numpy():
    x = DualArray(np.arange(5.0), 1.0)
    with pytest.raises(NotImplementedError, match="weights= has no derivative rule"):
        np.quantile(x, 0.3, method="inverted_cdf", weights=np.ones(5))
    with pytest.raises(ValueError, match="is not a valid method"):
        np.quantile(x, 0.3, method="bogus")
    # every NumPy method has a rule: the discrete ones select one sample (or the midpoint of two)
    assert np.quantile(x, 0.3, method="higher").tangent == 1.0
    assert np.quantile(x, 0.3, method="weibull").tangent == 1.0


def test_out_buffers():
    x = DualArray(np.array([[1.0, 2.0], [4.0, 3.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]))
    buf = np.zeros_like(x[0])
    r = np.median(x, axis=0, out=buf)
    assert r is buf
    np.testing.assert_array_equal(buf.value, [2.5, 2.5])
    np.testing.assert_array_equal(buf.tangent, [0.5, 0.5])
    with pytest.raises(TypeError, match="derivative would be dropped"):
        np.var(x, axis=0, out=np.zeros(2))


def test_gradient_in_the_coordinates():
    # f = x² sampled at non-uniform x: interior derivative of the 3-point formula in x_1
    x = np.array([0.0, 1.0, 3.0])
    f = x**2
    g = np.gradient(f, DualArray(x, np.array([0.0, 1.0, 0.0])))
    h = 1e-6
    fd = (np.gradient(f, x + [0, h, 0]) - np.gradient(f, x - [0, h, 0])) / (2 * h)
    np.testing.assert_allclose(g.tangent, fd, rtol=1e-6)


# ---------------------------------------------------------------- quantile methods follow NumPy's formula
QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf", "averaged_inverted_cdf",
                    "closest_observation", "interpolated_inverted_cdf", "hazen", "weibull", "median_unbiased",
                    "normal_unbiased")


@pytest.mark.parametrize("func", [np.quantile, np.nanquantile,
                                  lambda a, q, **k: np.percentile(a, 100 * q, **k),
                                  lambda a, q, **k: np.nanpercentile(a, 100 * q, **k)])
def test_midpoint_at_an_integral_virtual_index_is_one_sample(func):
    x = np.array([3.0, 1.0, 4.0, 1.5, 9.0])  # sorted 1, 1.5, 3, 4, 9
    # q = 0.5: virtual index 2 is integral, NumPy's gamma is 0 and the value is s[2] = x[0] alone
    assert func(x, 0.5, method="midpoint") == 3.0
    np.testing.assert_array_equal(grad(lambda d: func(d, 0.5, method="midpoint"), x), [1.0, 0, 0, 0, 0])
    # q = 0.3: virtual index 1.2, the midpoint of s[1] = x[3] and s[2] = x[0]
    np.testing.assert_array_equal(grad(lambda d: func(d, 0.3, method="midpoint"), x), [0.5, 0, 0, 0.5, 0])


@pytest.mark.parametrize("method", QUANTILE_METHODS)
@pytest.mark.parametrize("n", [1, 2, 5, 6, 11])
def test_quantile_methods_are_exact_at_integral_and_fractional_indices(method, n):
    # with distinct values the quantile is locally linear in the data: central differences are exact
    rng = np.random.default_rng(n)
    x = rng.permutation(n) + rng.uniform(0.0, 0.5, n)
    v = rng.standard_normal(n)
    qs = sorted({k / max(n - 1, 1) for k in range(n)} | {k / n for k in range(n + 1)}
                | {(k + 0.5) / n for k in range(n)} | {0.3, 0.7})
    h = 1e-7
    for q in qs:
        for func in (np.quantile, np.nanquantile):
            y = func(DualArray(x, v), q, method=method)
            assert y.value == func(x, q, method=method)
            fd = (func(x + h * v, q, method=method) - func(x - h * v, q, method=method)) / (2 * h)
            np.testing.assert_allclose(y.tangent, fd, rtol=1e-7, atol=1e-7, err_msg=f"q={q}")


@pytest.mark.parametrize("method", ["lower", "higher", "midpoint", "nearest", "linear"])
def test_float32_q_takes_numpys_branch(method):
    # NumPy computes the virtual index (n - 1)·q in q's dtype: 10·float32(0.3) rounds to exactly 3 in float32
    # (in float64 it is 3.0000001192...), so 'higher' and 'midpoint' select s[3] alone
    x = np.arange(11.0) * 1.1
    q = np.float32(0.3)
    y = np.quantile(DualArray(x, np.eye(11), batched=True), q, method=method)
    assert y.value == np.quantile(x, q, method=method) == x[3]
    np.testing.assert_array_equal(y.tangent, np.eye(11)[3])


@pytest.mark.parametrize("method", ["linear", "hazen", "weibull", "median_unbiased", "normal_unbiased",
                                    "interpolated_inverted_cdf"])
def test_continuous_methods_are_differentiable_in_q(method):
    x = np.array([0.0, 1.0, 4.0, 9.0, 16.0, 25.0])
    q, h = 0.43, 1e-7  # virtual index well inside (2, 3) for every method with n = 6
    fd = (np.quantile(x, q + h, method=method) - np.quantile(x, q - h, method=method)) / (2 * h)
    y = np.quantile(x, DualArray(q, 1.0), method=method)
    assert y.value == np.quantile(x, q, method=method)
    np.testing.assert_allclose(y.tangent, fd, rtol=1e-6)
    # the discrete methods are piecewise constant in q
    for discrete in ("lower", "higher", "midpoint", "nearest", "inverted_cdf", "closest_observation",
                     "averaged_inverted_cdf"):
        assert np.quantile(x, DualArray(q, 1.0), method=discrete).tangent == 0.0


@pytest.mark.parametrize("func", [
    lambda d: np.nanquantile(d, 0.3, axis=1), lambda d: np.nanmedian(d, axis=1),
    lambda d: np.nanpercentile(d, [30.0, 60.0], axis=1, method="weibull"),
    lambda d: np.nanquantile(d, 0.5, axis=1, method="midpoint"),
])
def test_all_nan_slice_of_an_order_statistic_has_zero_tangent(func):
    v = np.array([[np.nan, np.nan], [1.0, 2.0]])
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        y = func(DualArray(v, np.array([[5.0, 5.0], [1.0, 1.0]])))
    assert np.all(y.tangent[..., 0] == 0.0)
    assert np.all(y.tangent[..., 1] == 1.0)


# ---------------------------------------------------------------- dtype= and out= of other dtypes
INT_DTYPE_FUNCS = {
    "sum": np.sum, "prod": np.prod, "mean": np.mean, "var": np.var, "nansum": np.nansum, "nanprod": np.nanprod,
    "cumsum": np.cumsum, "cumprod": np.cumprod, "nancumsum": np.nancumsum, "nancumprod": np.nancumprod,
    "cumulative_sum": np.cumulative_sum, "cumulative_prod": np.cumulative_prod,
}


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
@pytest.mark.parametrize("name", list(INT_DTYPE_FUNCS))
def test_integer_dtype_results_have_zero_tangent(name, dtype):
    func = INT_DTYPE_FUNCS[name]
    x = np.array([[0.3, 1.7, 2.9], [4.2, -1.6, 0.6]])
    if name.startswith("nan"):
        x[0, 1] = np.nan
    d = DualArray(x, np.ones_like(x))
    for axis in ({"axis": 1 if name.startswith("cumulative") else None}, {"axis": 0}):
        y = func(d, dtype=dtype, **axis)
        e = func(x, dtype=dtype, **axis)
        assert y.dtype == e.dtype == dtype
        np.testing.assert_array_equal(y.value, e)
        assert np.all(y.tangent == 0)  # the cast is piecewise constant, like astype(int)


@pytest.mark.parametrize("name", ["sum", "prod", "mean", "var", "std", "nansum", "nanprod", "nanmean", "nanvar",
                                  "nanstd", "cumsum", "cumprod", "nancumsum", "nancumprod", "cumulative_sum",
                                  "cumulative_prod"])
@pytest.mark.parametrize(("src", "dst"), [(np.float64, np.float32), (np.float32, np.float64)])
def test_float_dtype_results_carry_the_tangent_in_that_dtype(name, src, dst):
    func = getattr(np, name)
    rng = np.random.default_rng(7)
    x = rng.uniform(0.5, 1.5, (3, 4)).astype(src)
    v = rng.standard_normal((3, 4)).astype(src)
    if name.startswith("nan"):
        x[1, 2] = np.nan
    kw = {"axis": 0, "dtype": dst}
    y = func(DualArray(x, v), **kw)
    e = func(x, **kw)
    assert y.dtype == e.dtype == dst
    assert y.tangent.dtype == dst
    np.testing.assert_array_equal(y.value, e)
    # the reference: the same derivative computed in float64
    ref = func(DualArray(x.astype(np.float64), v.astype(np.float64)), axis=0).tangent
    assert np.any(ref != 0)
    np.testing.assert_allclose(y.tangent, ref, rtol=1e-5, atol=1e-6)


def test_float32_dtype_over_an_axis_tuple():
    rng = np.random.default_rng(8)
    x, v = rng.uniform(-1, 1, (2, 3, 4)), rng.standard_normal((2, 3, 4))
    for func in (np.sum, np.mean, np.var, np.nansum, np.nanmean):
        y = func(DualArray(x, v), axis=(0, 2), dtype=np.float32, keepdims=True)
        e = func(x, axis=(0, 2), dtype=np.float32, keepdims=True)
        assert y.dtype == y.tangent.dtype == np.float32 and y.shape == e.shape
        np.testing.assert_array_equal(y.value, e)
        ref = func(DualArray(x, v), axis=(0, 2), keepdims=True).tangent
        np.testing.assert_allclose(y.tangent, ref, rtol=1e-5, atol=1e-6)


OUT_FUNCS = {
    "sum": np.sum, "prod": np.prod, "mean": np.mean, "var": np.var, "std": np.std, "nansum": np.nansum,
    "nanmean": np.nanmean, "nanvar": np.nanvar, "median": np.median, "nanmedian": np.nanmedian, "ptp": np.ptp,
    "nanmax": np.nanmax, "quantile": lambda a, **k: np.quantile(a, 0.3, **k),
    "percentile": lambda a, **k: np.percentile(a, 30.0, **k), "cumsum": np.cumsum, "cumprod": np.cumprod,
    "nancumsum": np.nancumsum, "cumulative_sum": np.cumulative_sum,
}


@pytest.mark.parametrize("out_dtype", [np.int64, np.float32, np.float64])
@pytest.mark.parametrize("src", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(OUT_FUNCS))
def test_out_of_another_dtype_gives_numpys_value(name, src, out_dtype):
    # NumPy accumulates in (and casts to, and checks) the dtype of out=: the value must be NumPy's bit for bit
    func = OUT_FUNCS[name]
    rng = np.random.default_rng(4)
    x = rng.uniform(0.5, 1.5, (40, 3)).astype(src)
    shape = np.shape(func(x, axis=0))
    plain = np.zeros(shape, out_dtype)
    buf = DualArray(np.zeros(shape, out_dtype))
    d = DualArray(x, np.ones_like(x))
    try:
        func(x, axis=0, out=plain)
    except Exception as err:
        with pytest.raises(type(err)):
            func(d, axis=0, out=buf)
        return
    r = func(d, axis=0, out=buf)
    assert r is buf
    np.testing.assert_array_equal(buf.value, plain)
    if out_dtype is np.int64:
        assert np.all(buf.tangent == 0)
    else:
        assert buf.tangent.dtype == out_dtype
        ref = func(DualArray(x.astype(np.float64), np.ones(x.shape)), axis=0).tangent
        np.testing.assert_allclose(buf.tangent, ref, rtol=1e-5, atol=1e-5)
