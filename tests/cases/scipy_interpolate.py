"""Rows for ``dualarray.scipy.interpolate``: interpolants built and evaluated inside one function.

Sites start at 0 with gaps in (0.7, 1.3), so queries drawn in (0.2, 4.5) stay inside eight sites;
random queries are never within a finite-difference step of a breakpoint (where derivatives jump).
"""

from __future__ import annotations

import numpy as np

from dualarray.scipy import interpolate as I  # noqa: E741

from . import Case, uniform

F64 = ("float64",)
SITES = np.array([0.0, 0.8, 1.9, 2.7, 3.5, 4.6, 5.4, 6.1])
KNOTS = np.array([0.0, 0.0, 0.0, 0.0, 1.5, 3.0, 4.5, 6.1, 6.1, 6.1, 6.1])
QUERY = uniform(0.2, 4.5)
GRID = (np.linspace(0.0, 1.0, 5), np.linspace(0.0, 2.0, 6))
SCATTERED = np.random.default_rng(15).uniform(0.0, 1.0, (20, 2))


def sites(rng, shape):
    return np.concatenate([np.zeros((1, *shape[1:])), np.cumsum(rng.uniform(0.7, 1.3, (shape[0] - 1, *shape[1:])),
                                                                axis=0)])


def grid_query(rng, shape):
    return rng.uniform(0.05, 0.95, shape) * np.array([1.0, 2.0])


def scattered_points(rng, shape):
    return SCATTERED + rng.uniform(-0.01, 0.01, shape)


ONE = [((8,), (5,))]
CASES = [
    Case("interp_cubic_spline", lambda y, q: I.CubicSpline(SITES, y)(q), ("real", QUERY), ONE, F64),
    Case("interp_cubic_spline_2d_natural_d1", lambda y, q: I.CubicSpline(SITES, y, bc_type="natural")(q, 1),
         ("real", QUERY), [((8, 2), (3,))], F64),
    Case("interp_cubic_spline_clamped_axis1", lambda y, q: I.CubicSpline(SITES, y, axis=1, bc_type="clamped")(q),
         ("real", QUERY), [((2, 8), (3,))], F64),
    Case("interp_make_interp_spline", lambda y, q: I.make_interp_spline(SITES, y, k=3)(q), ("real", QUERY), ONE, F64),
    Case("interp_make_interp_spline_k1_d1", lambda y, q: I.make_interp_spline(SITES, y, k=2)(q, 1),
         ("real", QUERY), ONE, F64),
    Case("interp_bspline", lambda c, q: I.BSpline(KNOTS, c, 3)(q), ("real", QUERY), [((7,), (4,))], F64),
    Case("interp_pchip", lambda x, y, q: I.PchipInterpolator(x, y)(q), (sites, "real", QUERY), [((8,), (8,), (5,))],
         F64),
    Case("interp_akima", lambda x, y, q: I.Akima1DInterpolator(x, y)(q), (sites, "real", QUERY),
         [((8,), (8,), (5,))], F64),
    Case("interp_makima_2d", lambda x, y, q: I.Akima1DInterpolator(x, y, method="makima")(q), (sites, "real", QUERY),
         [((8,), (8, 2), (3,))], F64),
    Case("interp_interp1d", lambda x, y, q: I.interp1d(x, y)(q), (sites, "real", QUERY), [((8,), (8,), (5,))], F64),
    Case("interp_interp1d_axis0_fill", lambda y, q: I.interp1d(SITES, y, axis=0, bounds_error=False, fill_value=0.5)(
        np.concatenate([q, [-1.0, 9.0]])), ("real", QUERY), [((8, 2), (3,))], F64),
    Case("interp_interp1d_nearest", lambda y, q: I.interp1d(SITES, y, kind="nearest")(q), ("real", QUERY), ONE, F64),
    Case("interp_interp1d_cubic", lambda y, q: I.interp1d(SITES, y, kind="cubic")(q), ("real", QUERY), ONE, F64),
    Case("interp_regular_grid", lambda v, q: I.RegularGridInterpolator(GRID, v)(q), ("real", grid_query),
         [((5, 6), (4, 2)), ((5, 6, 2), (3, 2))], F64),
    Case("interp_regular_grid_nearest", lambda v, q: I.RegularGridInterpolator(GRID, v, method="nearest")(q),
         ("real", grid_query), [((5, 6), (4, 2))], F64, diff=(0,)),
    Case("interp_griddata", lambda p, v, q: I.griddata(p, v, q), (scattered_points, "real", uniform(0.3, 0.7)),
         [((20, 2), (20,), (5, 2))], F64, rtol=1e-5),
]
