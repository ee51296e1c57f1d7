"""dualarray.scipy.interpolate beyond the case table (tests/cases/scipy_interpolate.py)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.interpolate as si

import dualarray as da
from dualarray import DualArray
from dualarray.scipy import COUNTERPARTS
from dualarray.scipy import interpolate as I  # noqa: E741

RNG = np.random.default_rng(15)
X = np.array([0.0, 0.8, 1.9, 2.7, 3.5, 4.6, 5.4, 6.1])
Y = np.sin(X)
Q = np.array([-0.5, 0.3, 1.9, 2.2, 5.0, 6.1, 7.0])  # outside, inside and on breakpoints


BUILDERS = [
    ("CubicSpline", {}), ("CubicSpline", {"bc_type": "natural", "extrapolate": False}),
    ("make_interp_spline", {"k": 3}), ("PchipInterpolator", {}), ("Akima1DInterpolator", {"method": "makima"}),
    ("interp1d", {"bounds_error": False}), ("interp1d", {"kind": "previous", "bounds_error": False}),
]


@pytest.mark.parametrize(("name", "options"), BUILDERS)
def test_plain_data_is_scipys_interpolant(name, options):
    ours, theirs = getattr(I, name)(X, Y, **options), getattr(si, name)(X, Y, **options)
    np.testing.assert_array_equal(ours(Q), theirs(Q))
    # DualArray query points: SciPy's values exactly, derivatives the interpolant's own slope
    d = ours(DualArray(Q, np.ones_like(Q)))
    np.testing.assert_array_equal(getattr(d, "value", d), theirs(Q))  # piecewise constant: a plain result
    if hasattr(theirs, "derivative"):
        inside = (Q > X[0]) & (Q < X[-1])
        np.testing.assert_allclose(d.tangent[inside], theirs.derivative()(Q[inside]), rtol=1e-12, atol=1e-14)
    # DualArray data: the value is still SciPy's
    dual_data = getattr(I, name)(X, DualArray(Y, np.ones_like(Y)), **options)
    np.testing.assert_array_equal(dual_data(Q).value, theirs(Q))


def test_grids_and_scattered_data_plain():
    grid = (np.linspace(0, 1, 5), np.linspace(0, 2, 6))
    values = RNG.standard_normal((5, 6))
    xi = RNG.uniform(0, 1, (4, 2)) * [1, 2]
    np.testing.assert_array_equal(I.RegularGridInterpolator(grid, values)(xi),
                                  si.RegularGridInterpolator(grid, values)(xi))
    points, v = RNG.uniform(0, 1, (30, 2)), RNG.standard_normal(30)
    q = RNG.uniform(0, 1, (6, 2))
    for method in ("linear", "nearest", "cubic"):
        np.testing.assert_array_equal(I.griddata(points, v, q, method=method), si.griddata(points, v, q, method=method))
    d = I.griddata(points, DualArray(v, np.ones_like(v)), q, method="nearest")
    np.testing.assert_array_equal(d.value, si.griddata(points, v, q, method="nearest"))
    np.testing.assert_array_equal(d.tangent, np.ones(6))
    for name in I.__all__:
        assert COUNTERPARTS[getattr(si, name)] is getattr(I, name)


def test_spline_gradients_through_a_fit():
    # ∂/∂y_j of ∫ s(x)² dx by quadrature of the AD derivative agrees with finite differences
    grid = np.linspace(0.0, 6.0, 200)

    def energy(y):
        return np.sum(I.CubicSpline(X, y)(grid) ** 2) * (grid[1] - grid[0])

    def plain(y):
        return np.sum(si.CubicSpline(X, y)(grid) ** 2) * (grid[1] - grid[0])

    g = da.gradient(energy)(Y)
    fd = np.array([(plain(Y + 1e-6 * e) - plain(Y - 1e-6 * e)) / 2e-6 for e in np.eye(X.size)])
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(da.gradient(energy, mode="reverse")(Y), g, rtol=1e-12)


def test_what_is_not_implemented_says_so():
    moving = DualArray(X, np.ones_like(X))
    with pytest.raises(NotImplementedError, match="the sites x"):
        I.CubicSpline(moving, Y)
    with pytest.raises(NotImplementedError, match="the sites x"):
        I.make_interp_spline(moving, Y)
    with pytest.raises(NotImplementedError, match="method='cubic'"):
        I.griddata(RNG.uniform(0, 1, (10, 2)), DualArray(np.ones(10), 1.0), np.full((1, 2), 0.5), method="cubic")
    with pytest.raises(NotImplementedError, match="derivative"):
        I.CubicSpline(X, DualArray(Y, 1.0)).derivative()
    with pytest.raises(TypeError, match=r"use dualarray\.scipy\.interpolate\.CubicSpline"):
        da.gradient(lambda y: np.sum(si.CubicSpline(X, y)(Q)))(Y)


def _fd(f, v, h=1e-6):
    v = np.asarray(v, dtype=float)
    return np.stack([(f(v + h * e) - f(v - h * e)) / (2 * h) for e in np.eye(v.size)], axis=-1)


def test_review_findings_stay_fixed():
    x = np.array([0.0, 0.7, 1.5, 2.2, 3.0, 4.1])
    y = np.sin(2 * np.pi * x / 4.1)
    y[-1] = y[0]
    # a descending grid: SciPy flips the values
    g = lambda v: I.RegularGridInterpolator((np.array([2.0, 1.0, 0.0]),), v)(np.array([[0.25]]))  # noqa: E731
    np.testing.assert_allclose(da.jacobian(g)(np.array([0.0, 10.0, 20.0])), [[0.0, 0.25, 0.75]], atol=1e-15)
    # periodic extrapolation wraps (CubicSpline's default for bc_type='periodic')
    q = np.array([-0.5, 5.0])
    ours = lambda v: I.CubicSpline(x, np.concatenate([v, v[:1]]), bc_type="periodic")(q)  # noqa: E731
    theirs = lambda v: si.CubicSpline(x, np.concatenate([v, v[:1]]), bc_type="periodic")(q)  # noqa: E731
    np.testing.assert_allclose(da.jacobian(ours)(y[:-1]), _fd(theirs, y[:-1]), atol=1e-8)
    spline = I.CubicSpline(x, y, bc_type="periodic")
    np.testing.assert_allclose(da.derivative(spline)(-0.5), si.CubicSpline(x, y, bc_type="periodic")(-0.5, 1),
                               rtol=1e-12)
    # order 0 at the last site and previous/next extrapolation keep the data's tangent
    for build in (lambda v: I.make_interp_spline(np.arange(5.0), v, k=0)(np.array([4.0, 4.5])),
                  lambda v: I.interp1d(np.arange(5.0), v, kind="previous", fill_value="extrapolate")(
                      np.array([4.0, 5.0]))):
        np.testing.assert_array_equal(da.jacobian(build)(np.arange(5.0) ** 2), [[0, 0, 0, 0, 1], [0, 0, 0, 0, 1]])
    nxt = lambda v: I.interp1d(np.arange(5.0), v, kind="next", fill_value="extrapolate")(np.array([-1.0]))  # noqa: E731
    np.testing.assert_array_equal(da.jacobian(nxt)(np.arange(5.0)), [[1, 0, 0, 0, 0]])
    # a B-spline's .c is SciPy's coefficient array
    b = I.make_interp_spline(x, DualArray(y, 1.0))
    np.testing.assert_array_equal(b.c.value, si.make_interp_spline(x, y).c)
    # clamped derivative values, axis=1 splines with DualArray points, a scalar fill array
    f = lambda v: I.CubicSpline(x, v, bc_type=((1, 0.5), (2, -0.3)))(np.array([0.3, 2.0]))  # noqa: E731
    h = lambda v: si.CubicSpline(x, v, bc_type=((1, 0.5), (2, -0.3)))(np.array([0.3, 2.0]))  # noqa: E731
    np.testing.assert_allclose(da.jacobian(f)(y), _fd(h, y), atol=1e-8)
    both = np.stack([y, y**2])
    np.testing.assert_allclose(da.derivative(I.make_interp_spline(x, both, axis=1))(1.1),
                               si.make_interp_spline(x, both, axis=1).derivative()(1.1), rtol=1e-12)
    filled = I.interp1d(x, DualArray(y, 1.0), bounds_error=False, fill_value=np.array(1.5))(np.array([-1.0, 1.0]))
    np.testing.assert_array_equal(filled.tangent, [0.0, 1.0])
    # griddata with tuples of coordinate arrays
    pts = RNG.uniform(0, 1, (20, 2))
    vals = pts[:, 0] + 2 * pts[:, 1]
    d = da.derivative(lambda s: I.griddata((pts[:, 0], pts[:, 1]), vals, (0.5 + 0 * s, s)))(0.4)
    np.testing.assert_allclose(d, 2.0, rtol=1e-10)
