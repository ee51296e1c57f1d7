"""Rows for reductions, statistics, cumulative functions, differences, order statistics, sorting,
unique values and set functions, histograms, covariance."""

from __future__ import annotations

import numpy as np

from . import Case, uniform

R = [((5,),), ((3, 4),), ((2, 3, 4),)]  # one array, reduced over various axes
R2 = [((3, 4),), ((2, 3, 4),)]
V = [((5,),), ((7,),)]  # vectors
MASK = np.array([True, False, True, True])


def with_nans(rng, shape):
    """Normal draws with NaN at flat positions 1, 6, 11, ...: never a whole row or column of (3, 4)."""
    x = rng.standard_normal(size=shape)
    if x.ndim:
        x.flat[1::5] = np.nan
    return x


def distinct(rng, shape):
    """Values at least 0.27 apart (a shuffled grid with jitter): no near-ties for order statistics."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.37 - 0.185 * n + rng.uniform(0.0, 0.1, n)).reshape(shape)


def distinct_shifted(rng, shape):
    """Like :func:`distinct`, offset half a step so that it never nearly ties with it."""
    return distinct(rng, shape) + 0.18


def distinct_nans(rng, shape):
    x = distinct(rng, shape)
    if x.ndim:
        x.flat[1::5] = np.nan
    return x


def increasing(rng, shape):
    """Strictly increasing coordinates (non-uniform spacing) along the last axis."""
    return np.cumsum(rng.uniform(0.5, 1.5, size=shape), axis=-1)


def flat(result):
    """(hist, [edges...]) as one flat tuple of outputs."""
    return (result[0], *result[1])


def lse(x):
    m = x.max()
    return m + np.log(np.exp(x - m).sum())


def off_integer(rng, shape):
    """Values at least 0.2 away from every integer: truncation to integers (dtype=int) is locally constant."""
    return rng.integers(-3, 3, size=shape) + rng.uniform(0.2, 0.8, size=shape)


def off_integer_nans(rng, shape):
    x = off_integer(rng, shape)
    if x.ndim:
        x.flat[1::5] = np.nan
    return x


def with_nans_unit(rng, shape):
    """Like :func:`with_nans`, with values in (-0.9, 0.9) (float32 results stay well-conditioned)."""
    x = rng.uniform(-0.9, 0.9, size=shape)
    if x.ndim:
        x.flat[1::5] = np.nan
    return x


def quantile_rows():
    """Every NumPy quantile method at integral and fractional virtual indices (n = 5: q·4, 5q, 5q - 1/2 ...
    are integral at several of these q), along the last axis; q fixed."""
    rows = []
    for method in METHODS:
        rows.append(Case(f"quantile_method_{method}", lambda x, m=method: np.quantile(x, QS, axis=-1, method=m),
                         (distinct,), N5))
    return rows


def quantile_q_rows():
    """The continuous methods are differentiable in q too: q drawn where the virtual index is in (1.2, 1.8)."""
    rows = []
    for method, (lo, hi) in Q_RANGES.items():
        rows.append(Case(f"quantile_q_method_{method}", lambda x, q, m=method: np.quantile(x, q, method=m),
                         (distinct, uniform(lo, hi)), [((5,), ()), ((5,), (2,))]))
        rows.append(Case(f"percentile_q_axis_method_{method}",
                         lambda x, q, m=method: np.percentile(x, 100 * q, axis=-1, method=m),
                         (distinct, uniform(lo, hi)), [((3, 5), ())]))
    return rows


METHODS = ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf", "averaged_inverted_cdf",
           "closest_observation", "interpolated_inverted_cdf", "hazen", "weibull", "median_unbiased",
           "normal_unbiased")
QS = np.array([0.0, 0.1, 0.25, 0.3, 0.4, 0.5, 0.75, 0.9, 1.0])
N5 = [((5,),), ((3, 5),)]  # n = 5 along the last axis
# q ranges with the virtual index inside (1.2, 1.8) for n = 5 (away from the kinks at integers)
Q_RANGES = {
    "linear": (0.3, 0.45), "hazen": (0.34, 0.46), "weibull": (0.37, 0.46), "median_unbiased": (0.36, 0.46),
    "normal_unbiased": (0.35, 0.45), "interpolated_inverted_cdf": (0.45, 0.55),
}
F32 = {"rtol": 1e-2, "atol": 1e-2}  # float32 results of float64 data: differences of rounded values


FEW = uniform(0.3, 0.45)  # q with q·(n - 1) well inside (1, 2) for n = 5

CASES = [
    # ---------------------------------------------------------------- sums, products, extrema
    Case("sum", np.sum, ("real",), R, ("float64", "float32", "complex128")),
    Case("sum_axis", lambda x: np.sum(x, axis=-1), ("real",), R),
    Case("sum_axes_keepdims", lambda x: np.sum(x, axis=(0, 1), keepdims=True), ("real",), R2),
    Case("sum_dtype", lambda x: np.sum(x, axis=0, dtype=np.float64), ("real",), R, ("float32",)),
    Case("sum_where", lambda x: np.sum(x, axis=-1, where=MASK), ("real",), R2),
    Case("sum_method", lambda x: x.sum(axis=0, keepdims=True), ("real",), R),
    Case("prod", np.prod, ("nonzero",), R, ("float64", "float32", "complex128")),
    Case("prod_axis", lambda x: np.prod(x, axis=0), ("nonzero",), R),
    Case("prod_where_keepdims", lambda x: np.prod(x, axis=-1, where=MASK, keepdims=True), ("nonzero",), R2),
    Case("max", np.max, (distinct,), R),
    Case("amax_axis", lambda x: np.amax(x, axis=0), (distinct,), R),
    Case("max_axis_keepdims", lambda x: np.max(x, axis=-1, keepdims=True), (distinct,), R),
    Case("max_where_initial", lambda x: np.max(x, axis=-1, where=MASK, initial=-10.0), (distinct,), R2),
    Case("min", np.min, (distinct,), R),
    Case("amin_axes", lambda x: np.amin(x, axis=(0, -1)), (distinct,), R2),
    Case("min_method", lambda x: x.min(axis=1), (distinct,), R2),
    Case("ptp", np.ptp, (distinct,), R),
    Case("ptp_axis_keepdims", lambda x: np.ptp(x, axis=0, keepdims=True), (distinct,), R),
    Case("logsumexp_pattern", lse, (distinct,), R),
    # ---------------------------------------------------------------- nan-functions
    Case("nanmax", np.nanmax, (distinct_nans,), R),
    Case("nanmax_axis", lambda x: np.nanmax(x, axis=0), (distinct_nans,), R2),
    Case("nanmin_axis_keepdims", lambda x: np.nanmin(x, axis=-1, keepdims=True), (distinct_nans,), R),
    Case("nansum", np.nansum, (with_nans,), R),
    Case("nansum_axis", lambda x: np.nansum(x, axis=-1, keepdims=True), (with_nans,), R),
    Case("nanprod_axis", lambda x: np.nanprod(x, axis=0), (with_nans,), R),
    Case("nanmean", np.nanmean, (with_nans,), R),
    Case("nanmean_axis", lambda x: np.nanmean(x, axis=0, keepdims=True), (with_nans,), R2),
    Case("nanvar", np.nanvar, (with_nans,), R),
    Case("nanvar_axis_ddof", lambda x: np.nanvar(x, axis=-1, ddof=1), (with_nans,), R2),
    Case("nanstd_axis", lambda x: np.nanstd(x, axis=0), (with_nans,), R2),
    # ---------------------------------------------------------------- means and moments
    Case("mean", np.mean, ("real",), R, ("float64", "float32", "complex128")),
    Case("mean_axis_keepdims", lambda x: np.mean(x, axis=-1, keepdims=True), ("real",), R),
    Case("mean_where", lambda x: np.mean(x, axis=-1, where=MASK), ("real",), R2),
    Case("mean_dtype", lambda x: np.mean(x, axis=0, dtype=np.float64), ("real",), R, ("float32",)),
    Case("var", np.var, ("real",), R, ("float64", "float32", "complex128")),
    Case("var_axis_ddof", lambda x: np.var(x, axis=0, ddof=1), ("real",), R),
    Case("var_axes_keepdims", lambda x: np.var(x, axis=(0, -1), keepdims=True), ("real",), R2),
    Case("var_where", lambda x: np.var(x, axis=-1, where=MASK), ("real",), R2),
    Case("var_mean_given", lambda x: np.var(x, axis=-1, mean=np.mean(x, axis=-1, keepdims=True)),
         ("real",), R),
    Case("var_correction", lambda x: np.var(x, correction=1), ("real",), R),
    Case("std", np.std, ("real",), R, ("float64", "float32", "complex128")),
    Case("std_axis_ddof_keepdims", lambda x: np.std(x, axis=-1, ddof=1, keepdims=True), ("real",), R),
    Case("std_where", lambda x: np.std(x, axis=-1, where=MASK), ("real",), R2),
    Case("average", np.average, ("real",), R),
    Case("average_axis", lambda x: np.average(x, axis=0), ("real",), R),
    Case("average_weights", lambda x, w: np.average(x, weights=w), ("real", "positive"),
         [((5,), (5,)), ((3, 4), (3, 4))]),
    Case("average_weights_axis", lambda x, w: np.average(x, axis=-1, weights=w), ("real", "positive"),
         [((3, 4), (4,)), ((2, 3, 4), (4,))]),
    Case("average_weights_negative_axes", lambda x, w: np.average(x, axis=(-1, 0), weights=w),
         ("real", "positive"), [((2, 3, 4), (4, 2))]),
    Case("average_weights_axes_keepdims", lambda x, w: np.average(x, axis=(0, 1), weights=w, keepdims=True),
         ("real", "positive"), [((2, 3, 4), (2, 3))]),
    Case("average_returned", lambda x, w: np.average(x, axis=0, weights=w, returned=True),
         ("real", "positive"),
         [((3, 4), (3, 4))]),
    Case("average_returned_no_weights", lambda x: np.average(x, axis=0, returned=True), ("real",), R2),
    # ---------------------------------------------------------------- cumulative
    Case("cumsum", np.cumsum, ("real",), R),
    Case("cumsum_axis", lambda x: np.cumsum(x, axis=0), ("real",), R),
    Case("cumprod", np.cumprod, ("nonzero",), R),
    Case("cumprod_axis", lambda x: np.cumprod(x, axis=-1), ("nonzero",), R),
    Case("cumulative_sum", lambda x: np.cumulative_sum(x), ("real",), V),
    Case("cumulative_sum_axis_initial", lambda x: np.cumulative_sum(x, axis=1, include_initial=True),
         ("real",),
         R2),
    Case("cumulative_prod_initial", lambda x: np.cumulative_prod(x, include_initial=True), ("nonzero",), V),
    Case("cumulative_prod_axis", lambda x: np.cumulative_prod(x, axis=0), ("nonzero",), R2),
    Case("nancumsum", np.nancumsum, (with_nans,), R),
    Case("nancumsum_axis", lambda x: np.nancumsum(x, axis=0), (with_nans,), R2),
    Case("nancumprod_axis", lambda x: np.nancumprod(x, axis=-1), (with_nans,), R2),
    # ---------------------------------------------------------------- differences, gradient, integration
    Case("diff", np.diff, ("real",), R),
    Case("diff_n2_axis0", lambda x: np.diff(x, n=2, axis=0), ("real",), [((5,),), ((4, 3),)]),
    Case("diff_prepend_append", lambda x, p, q: np.diff(x, prepend=p, append=q), ("real", "real", "real"),
         [((5,), (), (2,)), ((3, 4), (3, 1), ())]),
    Case("diff_prepend_const", lambda x: np.diff(x, axis=0, prepend=0.0), ("real",), R2),
    Case("ediff1d", np.ediff1d, ("real",), R),
    Case("ediff1d_ends", lambda x, b, e: np.ediff1d(x, to_end=e, to_begin=b), ("real", "real", "real"),
         [((5,), (), (2,)), ((3, 4), (2,), ())]),
    Case("gradient", np.gradient, ("real",), [((5,),), ((3, 4),), ((3, 4, 5),)]),
    Case("gradient_axis_edge2", lambda f: np.gradient(f, axis=-1, edge_order=2), ("real",),
         [((5,),), ((3, 4),)]),
    Case("gradient_h", lambda f, h: np.gradient(f, h), ("real", "positive"), [((5,), ()), ((3, 4), ())]),
    Case("gradient_hs", lambda f, h, k: np.gradient(f, h, k), ("real", "positive", "positive"),
         [((3, 4), (), ())]),
    Case("gradient_coordinates", lambda f, x: np.gradient(f, x), ("real", increasing), [((5,), (5,))]),
    Case("gradient_coordinates_edge2", lambda f, x: np.gradient(f, x, edge_order=2), ("real", increasing),
         [((6,), (6,))]),
    Case("gradient_mixed_axis", lambda f, x: np.gradient(f, 0.5, x), ("real", increasing), [((3, 4), (4,))]),
    Case("trapezoid", np.trapezoid, ("real",), R),
    Case("trapezoid_x", lambda y, x: np.trapezoid(y, x), ("real", increasing),
         [((5,), (5,)), ((3, 4), (4,))]),
    Case("trapezoid_x_nd_axis0", lambda y, x: np.trapezoid(y, x, axis=0), ("real", "real"),
         [((4, 3), (4, 3))]),
    Case("trapezoid_dx", lambda y, dx: np.trapezoid(y, dx=dx, axis=0), ("real", "positive"),
         [((5,), ()), ((3, 4), ())]),
    # ---------------------------------------------------------------- sorting
    Case("sort", np.sort, (distinct,), R),
    Case("sort_axis0", lambda x: np.sort(x, axis=0), (distinct,), R),
    Case("sort_none", lambda x: np.sort(x, axis=None), (distinct,), R2),
    Case("sort_complex_values", np.sort, (distinct,), [((5,),)], ("complex128",)),
    Case("sort_complex", np.sort_complex, (distinct,), [((5,),), ((2, 4),)], ("float64", "complex128")),
    Case("partition", lambda x: np.partition(x, 2), (distinct,), [((5,),), ((3, 5),)]),
    Case("partition_axis0_many", lambda x: np.partition(x, (0, 2), axis=0), (distinct,), [((4, 3),)]),
    # ---------------------------------------------------------------- order statistics
    Case("median", np.median, (distinct,), R),
    Case("median_axis", lambda x: np.median(x, axis=0), (distinct,), R),
    Case("median_axes_keepdims", lambda x: np.median(x, axis=(0, 1), keepdims=True), (distinct,), R2),
    Case("nanmedian", np.nanmedian, (distinct_nans,), R),
    Case("nanmedian_axis", lambda x: np.nanmedian(x, axis=-1), (distinct_nans,), R2),
    Case("percentile", lambda x: np.percentile(x, 30.0), (distinct,), R),
    Case("percentile_axis_many_keepdims",
         lambda x: np.percentile(x, [10.0, 55.0, 90.0], axis=1, keepdims=True),
         (distinct,), R2),
    Case("quantile", lambda x: np.quantile(x, 0.3, axis=-1), (distinct,), R),
    Case("quantile_lower", lambda x: np.quantile(x, 0.3, method="lower"), (distinct,), R),
    Case("quantile_midpoint", lambda x: np.quantile(x, 0.3, axis=0, method="midpoint"), (distinct,), R),
    Case("quantile_q", lambda x, q: np.quantile(x, q), (distinct, FEW), [((5,), ()), ((5,), (3,))]),
    Case("quantile_q_axis", lambda x, q: np.quantile(x, q, axis=-1), (distinct, FEW), [((2, 5), (2,))]),
    Case("percentile_q", lambda x, q: np.percentile(x, 100 * q), (distinct, FEW), [((5,), ())]),
    Case("nanquantile", lambda x: np.nanquantile(x, 0.7, axis=0), (distinct_nans,), R2),
    Case("nanpercentile", lambda x: np.nanpercentile(x, [25.0, 80.0]), (distinct_nans,), R),
    Case("nanquantile_q", lambda x, q: np.nanquantile(x, q), (distinct_nans, FEW), [((6,), ())]),
    Case("quantile_midpoint_integral", lambda x: np.quantile(x, 0.5, axis=-1, method="midpoint"), (distinct,), N5),
    Case("percentile_midpoint_integral", lambda x: np.percentile(x, [25.0, 50.0, 60.0], method="midpoint"),
         (distinct,), [((5,),), ((3, 3),)]),
    Case("nanquantile_midpoint_axes_keepdims",
         lambda x: np.nanquantile(x, [0.25, 0.5], axis=(0, -1), method="midpoint", keepdims=True),
         (distinct_nans,), R2),
    Case("nanpercentile_methods_axis0", lambda x: tuple(np.nanpercentile(x, [0.0, 40.0, 50.0, 100.0], axis=0,
                                                                          method=m) for m in METHODS),
         (distinct_nans,), R2),
    Case("quantile_methods_axis_none_keepdims", lambda x: tuple(np.quantile(x, 0.5, method=m, keepdims=True)
                                                               for m in METHODS), (distinct,), R),
    Case("median_axis_tuple", lambda x: np.median(x, axis=(0, 2)), (distinct,), [((2, 3, 4),), ((3, 2, 5),)]),
    Case("nanmedian_axes_keepdims", lambda x: np.nanmedian(x, axis=(-1, 0), keepdims=True), (distinct_nans,), R2),
    *quantile_rows(),
    *quantile_q_rows(),
    # ---------------------------------------------------------------- dtype=: integer results are piecewise
    # constant (tangent 0, as astype(int)); float results carry the tangent in their own dtype
    Case("sum_dtype_int", lambda x: np.sum(x, axis=-1, dtype=np.int64), (off_integer,), R),
    Case("prod_dtype_int", lambda x: np.prod(x, axis=0, dtype=np.int64), (off_integer,), R),
    Case("mean_dtype_int", lambda x: np.mean(x, axis=0, dtype=np.int64), (off_integer,), R),
    Case("mean_dtype_int32_axes_keepdims", lambda x: np.mean(x, axis=(0, -1), dtype=np.int32, keepdims=True),
         (off_integer,), R2),
    Case("nansum_dtype_int", lambda x: np.nansum(x, axis=-1, dtype=np.int64), (off_integer_nans,), R),
    Case("nanprod_dtype_int", lambda x: np.nanprod(x, dtype=np.int64), (off_integer_nans,), R),
    Case("cumsum_dtype_int", lambda x: np.cumsum(x, axis=0, dtype=np.int64), (off_integer,), R),
    Case("cumprod_dtype_int", lambda x: np.cumprod(x, dtype=np.int64), (off_integer,), R),
    Case("nancumsum_dtype_int", lambda x: np.nancumsum(x, axis=-1, dtype=np.int64), (off_integer_nans,), R),
    Case("nancumprod_dtype_int", lambda x: np.nancumprod(x, dtype=np.int32), (off_integer_nans,), R),
    Case("cumulative_sum_dtype_int", lambda x: np.cumulative_sum(x, axis=0, dtype=np.int64), (off_integer,), R),
    Case("cumulative_prod_dtype_int", lambda x: np.cumulative_prod(x, axis=-1, dtype=np.int64,
                                                                   include_initial=True), (off_integer,), R),
    Case("sum_dtype_float32", lambda x: np.sum(x, axis=0, dtype=np.float32), ("unit",), R, ("float64",), **F32),
    Case("prod_dtype_float32", lambda x: np.prod(x, axis=-1, dtype=np.float32), ("positive",), R, ("float64",),
         order2=False, **F32),
    Case("mean_dtype_float32", lambda x: np.mean(x, axis=-1, dtype=np.float32, keepdims=True), ("unit",), R,
         ("float64",), **F32),
    Case("var_dtype_float32", lambda x: np.var(x, axis=0, dtype=np.float32), ("unit",), R, ("float64",),
         order2=False, **F32),
    Case("std_dtype_float32", lambda x: np.std(x, axis=-1, ddof=1, dtype=np.float32), ("unit",), R,
         ("float64",), order2=False, **F32),
    Case("nansum_dtype_float32", lambda x: np.nansum(x, axis=0, dtype=np.float32), (with_nans_unit,), R,
         ("float64",), **F32),
    Case("nanmean_dtype_float32", lambda x: np.nanmean(x, axis=-1, dtype=np.float32), (with_nans_unit,), R,
         ("float64",), **F32),
    Case("nanvar_dtype_float32", lambda x: np.nanvar(x, dtype=np.float32), (with_nans_unit,), R, ("float64",),
         order2=False, **F32),
    Case("cumsum_dtype_float32", lambda x: np.cumsum(x, axis=-1, dtype=np.float32), ("unit",), R, ("float64",),
         **F32),
    Case("cumulative_sum_dtype_float32", lambda x: np.cumulative_sum(x, axis=0, dtype=np.float32), ("unit",),
         R2, ("float64",), **F32),
    Case("nancumsum_dtype_float32", lambda x: np.nancumsum(x, dtype=np.float32), (with_nans_unit,), R,
         ("float64",), **F32),
    Case("maximum_reduce_axis0_dtype_float32", lambda x: np.maximum.reduce(x, axis=0, dtype=np.float32), (distinct,),
         R2, ("float64",), **F32),
    Case("prod_dtype_float64", lambda x: np.prod(x, axis=-1, dtype=np.float64), ("positive",), R, ("float32",)),
    Case("var_dtype_float64", lambda x: np.var(x, axis=(0, 1), dtype=np.float64, keepdims=True), ("real",), R2,
         ("float32",)),
    Case("std_dtype_float64", lambda x: np.std(x, dtype=np.float64), ("real",), R, ("float32",)),
    Case("nansum_dtype_float64", lambda x: np.nansum(x, axis=-1, dtype=np.float64), (with_nans,), R,
         ("float32",)),
    Case("nanmean_dtype_float64", lambda x: np.nanmean(x, axis=0, dtype=np.float64), (with_nans,), R2,
         ("float32",)),
    Case("cumsum_dtype_float64", lambda x: np.cumsum(x, dtype=np.float64), ("real",), R, ("float32",)),
    Case("cumulative_prod_dtype_float64", lambda x: np.cumulative_prod(x, axis=-1, dtype=np.float64),
         ("nonzero",), R2, ("float32",)),
    Case("nancumprod_dtype_float64", lambda x: np.nancumprod(x, axis=0, dtype=np.float64), (with_nans,), R2,
         ("float32",)),
    Case("mean_dtype_complex", lambda x: np.mean(x, axis=0, dtype=np.complex128), ("real",), R2, ("float64",)),
    # ---------------------------------------------------------------- unique values and sets
    Case("unique", np.unique, (distinct,), R),
    Case("unique_duplicates", lambda x: np.unique(np.concatenate([x, x[:2]])), (distinct,), V),
    Case("unique_return_all", lambda x: np.unique(np.concatenate([x, x[:2]]), return_index=True,
                                                  return_inverse=True, return_counts=True), (distinct,), V),
    Case("unique_axis0", lambda x: np.unique(np.concatenate([x, x[:1]]), axis=0), (distinct,), [((3, 4),)]),
    Case("unique_values", lambda x: np.sort(np.unique_values(x)), (distinct,), R),
    Case("unique_counts", lambda x: np.sort(np.unique_counts(np.concatenate([x, x[:2]])).values),
         (distinct,), V),
    Case("unique_inverse", lambda x: np.sort(np.unique_inverse(x).values), (distinct,), R),
    Case("unique_all", lambda x: np.sort(np.unique_all(x).values), (distinct,), R),
    Case("union1d", np.union1d, (distinct, distinct_shifted), [((5,), (3,)), ((2, 3), (4,))]),
    Case("intersect1d", lambda a, b: np.intersect1d(a, np.concatenate([b, a[:2]])),
         (distinct, distinct_shifted),
         [((5,), (3,))]),
    Case("intersect1d_indices",
         lambda a, b: np.intersect1d(a, np.concatenate([b, a[:2]]), return_indices=True),
         (distinct, distinct_shifted), [((5,), (3,))]),
    Case("setdiff1d", lambda a, b: np.setdiff1d(a, np.concatenate([b, a[:2]])), (distinct, distinct_shifted),
         [((5,), (3,))]),
    Case("setxor1d", lambda a, b: np.setxor1d(a, np.concatenate([b, a[:2]])),
         (distinct, distinct_shifted), [((5,), (3,))]),
    # ---------------------------------------------------------------- histograms and counting
    Case("histogram_bin_edges", lambda a: np.histogram_bin_edges(a, bins=4), (distinct,), R),
    Case("histogram_auto_edges", lambda a: np.histogram(a, bins=3), (distinct,), [((6,),)]),
    Case("histogram_density", lambda a: np.histogram(a, bins=3, density=True), (distinct,), [((6,),)]),
    Case("histogram_weights", lambda a, w: np.histogram(a, bins=4, range=(-4.0, 4.0), weights=w),
         (distinct, "positive"), [((6,), (6,)), ((2, 3), (2, 3))], diff=(1,)),
    Case("histogram_weights_density", lambda a, w: np.histogram(a, bins=4, weights=w, density=True),
         (distinct, "positive"), [((6,), (6,))]),
    Case("histogram2d_weights", lambda x, y, w: np.histogram2d(x, y, bins=3, weights=w),
         (distinct, distinct_shifted, "positive"), [((6,), (6,), (6,))]),
    Case("histogram2d_density_edges", lambda x, y: np.histogram2d(x, y, bins=[2, 3], density=True),
         (distinct, distinct_shifted), [((6,), (6,))]),
    Case("histogramdd_weights_range",
         lambda s, w: flat(np.histogramdd(s, bins=2, range=[(-2, 2)] * 3, weights=w)),
         (distinct, "positive"), [((5, 3), (5,))], diff=(1,)),
    Case("histogramdd_edges", lambda s: tuple(np.histogramdd(s, bins=(2, 3))[1]), (distinct,), [((6, 2),)]),
    Case("histogramdd_density", lambda s: flat(np.histogramdd(s, bins=(2, 2), density=True)), (distinct,),
         [((6, 2),)]),
    Case("bincount_weights", lambda w: np.bincount(np.array([0, 3, 3, 1, 0]), weights=w, minlength=6),
         (distinct,), [((5,),)]),
    # ---------------------------------------------------------------- covariance and correlation
    Case("cov", np.cov, ("real",), [((3, 5),), ((5,),)]),
    Case("cov_rowvar_bias", lambda m: np.cov(m, rowvar=False, bias=True), ("real",), [((5, 3),)]),
    Case("cov_y", lambda m, y: np.cov(m, y), ("real", "real"), [((2, 5), (5,))]),
    Case("cov_aweights", lambda m, w: np.cov(m, aweights=w), ("real", "positive"), [((3, 5), (5,))]),
    Case("cov_fweights_ddof", lambda m: np.cov(m, ddof=0, fweights=np.array([1, 2, 1, 3, 1])), ("real",),
         [((3, 5),)]),
    Case("cov_complex", np.cov, ("real",), [((2, 5),)], ("complex128",)),
    Case("corrcoef", np.corrcoef, ("real",), [((3, 5),)]),
    Case("corrcoef_xy", lambda x, y: np.corrcoef(x, y), ("real", "real"), [((5,), (5,))]),
]
