"""Rows for polynomials, interpolation, sampling and signals (numpy.polyval ... numpy.i0)."""

from __future__ import annotations

import numpy as np
from numpy.testing.overrides import allows_array_function_override

from . import Case

R = ("float64",)
RC = ("float64", "complex128")
WITH32 = ("float64", "float32")


def _poly_with_roots(*roots):
    """Coefficients near a polynomial with the given well-separated roots (random small noise)."""
    base = np.poly(roots)
    return lambda rng, shape: base + 0.02 * rng.standard_normal(size=shape)


def _knots(rng, shape):
    """Increasing knots with spacing >= 0.3 (a perturbation of 1e-3 keeps them ordered)."""
    return np.cumsum(rng.uniform(0.3, 1.0, size=shape)) - 1.0


def _queries(rng, shape):
    """Query points inside and outside the knot range, away from the knots of ``_knots``."""
    return rng.uniform(-1.5, 3.0, size=shape)


def _phases(rng, shape):
    """Phases with jumps larger than pi (so unwrap adds multiples of 2 pi)."""
    return np.cumsum(rng.uniform(-5.0, 5.0, size=shape), axis=-1)


def _with_zero(rng, shape):
    x = rng.uniform(-2.0, 2.0, size=shape)
    x.flat[0] = 0.0
    return x


XP_FIXED = np.array([-1.0, -0.2, 0.5, 1.3, 2.0])
X_FIT = np.array([-1.0, -0.4, 0.1, 0.5, 1.2, 1.7, 2.5])
W_FIT = np.array([1.0, 0.5, 2.0, 1.5, 1.0, 0.8, 1.2])
P3 = [((4,),)]

CASES = [
    # polynomial arithmetic (compositions: NumPy's own loops on DualArrays)
    Case("polyval", np.polyval, ("real", "real"), [((4,), ()), ((3,), (5,)), ((4,), (2, 3))], RC),
    Case("polyval_x_only", lambda x: np.polyval([2.0, -1.0, 0.5], x), ("real",), [((3,),)], WITH32),
    Case("polyder", np.polyder, ("real",), [((5,),), ((1,),)], RC),
    Case("polyder_m2", lambda p: np.polyder(p, 2), ("real",), [((5,),)], RC),
    Case("polyint", np.polyint, ("real",), [((4,),)], RC),
    Case("polyint_m2_k", lambda p, k: np.polyint(p, 2, k=k), ("real", "real"), [((4,), (2,))], RC),
    Case("polyint_m3_scalar_k", lambda p, k: np.polyint(p, 3, k=k), ("real", "real"), [((3,), ())], R),
    Case("polyadd", np.polyadd, ("real", "real"), [((3,), (5,)), ((4,), (2,)), ((3,), (3,)), ((), (2,))], RC),
    Case("polysub", np.polysub, ("real", "real"), [((3,), (5,)), ((4,), (2,)), ((3,), (3,))], RC),
    Case("polymul", np.polymul, ("real", "real"), [((3,), (4,)), ((2,), (2,)), ((), (3,))], RC),
    Case("polydiv", np.polydiv, ("real", "nonzero"), [((5,), (3,)), ((4,), (4,)), ((3,), (1,))], RC),
    Case("poly", np.poly, ("real",), [((3,),), ((1,),)], RC),
    Case("roots_real", np.roots, (_poly_with_roots(1.0, 2.5, -2.0),), P3, R),
    Case("roots_complex", np.roots, (_poly_with_roots(1 + 2j, 1 - 2j, -1.0, 3.0),), [((5,),)], RC),
    Case("roots_trailing_zero",
         lambda p: np.roots(np.concatenate((p, np.zeros(1)))), (_poly_with_roots(1.0, -2.0),), [((3,),)], R),
    # least squares (derivative in y)
    Case("polyfit", lambda y: np.polyfit(X_FIT, y, 2), ("real",), [((7,),), ((7, 3),)], R),
    Case("polyfit_weighted", lambda y: np.polyfit(X_FIT, y, 3, w=W_FIT), ("real",), [((7,),), ((7, 2),)], R),
    Case("polyfit_full", lambda y: np.polyfit(X_FIT, y, 2, full=True), ("real",), [((7,),), ((7, 3),)], R),
    Case("polyfit_cov", lambda y: np.polyfit(X_FIT, y, 1, cov=True), ("real",), [((7,),), ((7, 2),)], R),
    Case("polyfit_cov_weighted", lambda y: np.polyfit(X_FIT, y, 2, w=W_FIT, cov=True), ("real",),
         [((7,),)], R),
    Case("polyfit_cov_unscaled", lambda y: np.polyfit(X_FIT, y, 2, cov="unscaled"), ("real",), [((7,),)], R),
    Case("polyfit_complex", lambda y: np.polyfit(X_FIT, y, 2), ("real",), [((7,),)], ("complex128",)),
    Case("vander", np.vander, ("real",), [((4,),), ((1,),)], RC),
    Case("vander_N_increasing", lambda x: np.vander(x, 5, increasing=True), ("real",), [((3,),)], RC),
    Case("vander_N2", lambda x: np.vander(x, 2), ("real",), [((3,),)], R),
    # convolution (bilinear)
    *[Case(f"{f.__name__}_{mode}", lambda a, v, f=f, mode=mode: f(a, v, mode=mode), ("real", "real"),
           [((5,), (3,)), ((3,), (5,)), ((4,), (4,)), ((2,), (6,)), ((6,), (2,)),
            *([((), (3,))] if f is np.convolve else [])], RC)
      for f in (np.convolve, np.correlate) for mode in ("full", "same", "valid")],
    Case("convolve_default", np.convolve, ("real", "real"), [((4,), (3,))], R),
    Case("correlate_default", np.correlate, ("real", "real"), [((4,), (3,))], R),
    Case("convolve_const_kernel", lambda a: np.convolve(a, [0.25, 0.5, 0.25], "same"), ("real",),
         [((6,),)], WITH32),
    # interpolation (points drawn away from knots; the knot convention is in tests/test_polynomial.py)
    Case("interp", np.interp, (_queries, _knots, "real"), [((), (5,), (5,)), ((7,), (5,), (5,)),
                                                           ((2, 3), (4,), (4,))], R),
    Case("interp_x_fp", lambda x, fp: np.interp(x, XP_FIXED, fp), (_queries, "real"), [((6,), (5,))], R),
    Case("interp_left_right", lambda x, fp, lo, hi: np.interp(x, XP_FIXED, fp, left=lo, right=hi),
         (_queries, "real", "real", "real"), [((8,), (5,), (), ())], R),
    Case("interp_complex_fp", lambda x, a, b: np.interp(x, XP_FIXED, a + 1j * b),
         (_queries, "real", "real"), [((6,), (5,), (5,))], R),
    Case("interp_period", lambda x, fp: np.interp(x, XP_FIXED, fp, period=3.7), ("small", "real"),
         [((6,), (5,))], R),
    # sampling
    Case("linspace", lambda a, b: np.linspace(a, b, 5), ("real", "real"),
         [((), ()), ((3,), ()), ((2, 3), (3,))], RC),
    Case("linspace_axis_noendpoint", lambda a, b: np.linspace(a, b, 4, endpoint=False, axis=-1),
         ("real", "real"), [((3,), (3,)), ((2, 3), ())], R),
    Case("linspace_axis1", lambda a, b: np.linspace(a, b, 3, axis=1), ("real", "real"), [((2, 3), (3,))], R),
    Case("linspace_retstep", lambda a, b: np.linspace(a, b, 6, retstep=True), ("real", "real"),
         [((), ()), ((3,), ())], R),
    Case("linspace_num1", lambda a, b: np.linspace(a, b, 1), ("real", "real"), [((), ())], R),
    Case("linspace_float32", lambda a, b: np.linspace(a, b, 4, dtype=np.float32), ("real", "real"),
         [((), ())], R, rtol=1e-3, atol=1e-5),
    Case("logspace", lambda a, b: np.logspace(a, b, 5), ("unit", "unit"), [((), ()), ((3,), ())], RC),
    Case("logspace_base", lambda a, b, base: np.logspace(a, b, 4, base=base), ("unit", "unit", "positive"),
         [((), (), ()), ((3,), (), (3,))], R),
    Case("geomspace", lambda a, b: np.geomspace(a, b, 5), ("positive", "positive"),
         [((), ()), ((3,), ())], RC),
    Case("geomspace_negative_axis", lambda a, b: np.geomspace(-a, -b, 4, endpoint=False, axis=-1),
         ("positive", "positive"), [((2,), (2,))], R),
    # signals and special functions
    Case("unwrap", np.unwrap, (_phases,), [((6,),), ((3, 5),)], R),
    Case("unwrap_axis_period", lambda p: np.unwrap(p, axis=0, period=4.0), (_phases,), [((5, 2),)], R),
    Case("sinc", np.sinc, ("small",), [((), ), ((5,),)], RC),
    Case("sinc_at_zero", np.sinc, (_with_zero,), [((4,),)], R),
    Case("i0", np.i0, ("small",), [((),), ((5,),)], R),
]

# numpy.polynomial's 2-D evaluators dispatch from NumPy 2.4 on (rules registered only then); polyvalnd is 2.5+
_P = np.polynomial.polynomial
if allows_array_function_override(_P.polyval2d):
    CASES += [
        Case("polyval2d", _P.polyval2d, ("real", "real", "real"), [((4,), (4,), (3, 2)), ((2, 3), (2, 3), (2, 2))], R),
        Case("polygrid2d", _P.polygrid2d, ("real", "real", "real"), [((4,), (3,), (3, 2)), ((2,), (2, 2), (2, 3))],
             R),
    ]
if allows_array_function_override(getattr(_P, "polyvalnd", None)):
    CASES += [
        Case("polyvalnd", lambda x, y, z, c: _P.polyvalnd((x, y, z), c), ("real",) * 4,
             [((4,), (4,), (4,), (3, 2, 2)), ((2, 3), (2, 3), (2, 3), (2, 2, 3))], R),
        Case("polyvalnd_array_pts", _P.polyvalnd, ("real", "real"), [((2, 3), (3, 2, 2)), ((1, 4), (3,))], R),
    ]
