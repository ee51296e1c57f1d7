"""``scipy.interpolate`` with derivatives: ``from dualarray.scipy import interpolate``.

Each interpolant takes SciPy's arguments; with plain data it *is* SciPy's result (every call and
attribute goes to SciPy's own object). With DualArray data, or DualArray evaluation points, calls
return SciPy's values carrying derivatives computed by compositions of ruled NumPy operations:

* splines that are linear in the data (``CubicSpline``, ``make_interp_spline``/``BSpline``,
  ``interp1d`` of spline kinds): the piecewise-polynomial coefficients are ``C·y (+ c_bc)``, with
  ``C`` read off SciPy's own construction applied to the identity, then evaluated by Horner's rule at
  ``t = x - x_i`` (so the evaluation points get the spline's own derivative, to every order);
* ``PchipInterpolator`` and ``Akima1DInterpolator``: SciPy's slope formulas written with NumPy on
  DualArrays (they are not linear in y), also differentiable in the sites ``x``;
* ``interp1d`` linear/nearest/previous/next, ``RegularGridInterpolator`` (linear, nearest) and
  ``griddata`` (linear, nearest): the interpolation weights as compositions (barycentric weights
  from a batched solve for ``griddata``), differentiable in the values, the query points and, for
  linear ``interp1d`` and ``griddata``, the data sites.

Derivatives in the sites of ``CubicSpline``/``make_interp_spline`` (a change of every basis
function) raise ``NotImplementedError``; so do the methods not listed. Evaluation points exactly at
a breakpoint take the right-hand piece (SciPy's convention), where the derivative may jump.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.interpolate as _si
from scipy.spatial import Delaunay

from .._core import DualArray, note_read
from . import COUNTERPARTS
from ._modes import plain, with_value

__all__ = ["Akima1DInterpolator", "BSpline", "CubicSpline", "PchipInterpolator", "RegularGridInterpolator",
           "griddata", "interp1d", "make_interp_spline"]


def _dual(x: Any) -> bool:
    return isinstance(x, DualArray)


def _no_tangent(x: Any, what: str, where: str) -> np.ndarray:
    if _dual(x):
        raise NotImplementedError(f"dualarray.scipy.interpolate.{where}: derivatives in {what} are not implemented "
                                  "(every basis function moves); pass them plain")
    return np.asarray(x)


def _steer(*objs: Any) -> None:
    """Indices are computed from these values: a sparsity pattern found here holds near them only."""
    if any(_dual(o) for o in objs):
        note_read(np.searchsorted)


def _falling(p: int, nu: int) -> int:
    return math.prod(range(p - nu + 1, p + 1))


def _ppoly_eval(breaks: np.ndarray, coeffs: Any, x: Any, nu: int, extrapolate: Any, sites: Any = None) -> Any:
    """``Σ_k c[k, i] (x - b_i)^(K-k)`` (its ``nu``-th derivative), i the piece holding x (right-closed end).

    ``coeffs`` has shape ``(K+1, pieces, *trailing)``; the result ``x.shape + trailing``. ``sites``:
    the breakpoints as DualArrays when they carry tangents (``breaks`` are their values).
    """
    _steer(x, sites)
    xv = np.asarray(plain(x), dtype=float)
    if extrapolate == "periodic":  # into [b_0, b_end): a plain shift, the derivative is kept
        period = breaks[-1] - breaks[0]
        turns = np.floor((xv - breaks[0]) / period)
        x, xv = x - turns * period, xv - turns * period
    pieces = np.shape(coeffs)[1]
    index = np.clip(np.searchsorted(breaks, xv, side="right") - 1, 0, pieces - 1)
    trailing = np.ndim(coeffs) - 2
    t = np.reshape(x - (breaks if sites is None else sites)[index], (*np.shape(xv), *(1,) * trailing))
    degree = np.shape(coeffs)[0] - 1
    result = None
    for k in range(degree + 1 - nu):
        term = coeffs[k][index] * _falling(degree - k, nu)
        result = term if result is None else result * t + term
    if result is None:
        result = 0 * coeffs[0][index] + 0 * t
    if extrapolate is False:
        outside = (xv < breaks[0]) | (xv > breaks[-1])
        result = np.where(np.reshape(outside, np.shape(t)), np.nan, result)
    return result


class _Interpolant:
    """SciPy's object for the values; ``_coeffs`` (possibly DualArray) and ``_breaks`` for derivatives."""

    _scipy: Any
    _coeffs: Any = None
    _breaks: np.ndarray
    _axis: int = 0
    _sites: Any = None

    def __call__(self, x: Any, nu: int = 0, extrapolate: Any = None) -> Any:
        if self._coeffs is None and not _dual(x):
            return self._scipy(x, nu, extrapolate)
        value = self._scipy(plain(x), nu, extrapolate)
        ex = self._scipy.extrapolate if extrapolate is None else extrapolate
        coeffs = self._scipy.c if self._coeffs is None else self._coeffs
        out = _ppoly_eval(self._breaks, coeffs, x, nu, ex, self._sites)
        if self._axis != 0:  # SciPy puts the evaluation axes where the interpolation axis was
            out = np.moveaxis(out, tuple(range(np.ndim(x))), tuple(range(self._axis, self._axis + np.ndim(x))))
        return with_value(out, value)

    @property
    def c(self) -> Any:
        return self._scipy.c if self._coeffs is None else self._coeffs

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        if self._coeffs is not None and attribute in ("derivative", "antiderivative", "integrate", "roots",
                                                       "solve", "extend"):
            raise NotImplementedError(f"dualarray.scipy.interpolate: .{attribute} of an interpolant with DualArray "
                                      "data is not implemented; differentiate its values at points instead")
        return getattr(self._scipy, attribute)


def _linear_map(build: Any, y: Any, axis: int, breaks_from: Any) -> tuple[Any, np.ndarray]:
    """Coefficients ``C·y + c0`` of an interpolant that is affine in y, from SciPy on the identity."""
    moved = np.moveaxis(y, axis, 0)
    n = np.shape(moved)[0]
    base = build(np.zeros(n))
    unit = build(np.eye(n))
    c0 = breaks_from(base)[1]
    breaks, c_unit = breaks_from(unit)
    matrix = c_unit - c0[..., None]  # (K+1, pieces, n)
    coeffs = np.tensordot(matrix, moved, axes=([2], [0]))
    shape = (*np.shape(c0), *(1,) * (np.ndim(moved) - 1))
    return coeffs + np.reshape(c0, shape), breaks


def _ppoly_parts(p: Any) -> tuple[np.ndarray, np.ndarray]:
    return p.x, p.c


def _bspline_parts(b: Any) -> tuple[np.ndarray, np.ndarray]:
    """A B-spline's breakpoints and piecewise-polynomial coefficients ``c[k-m, i] = s^(m)(b_i) / m!``.

    One piece per interval and one more at the last breakpoint (for ``x >= b_end``): de Boor's value
    there is the last coefficient for k = 0 and the last polynomial, re-expanded, for k >= 1.
    """
    k, t = b.k, b.t
    b = _si.BSpline(t, b.c, k)  # the spline axis first, whatever axis b was built with
    breaks = np.unique(t[k:len(t) - k])
    c = np.stack([b(breaks, nu=m, extrapolate=True) / math.factorial(m) for m in range(k, -1, -1)])
    return breaks, c


def _bc_like(bc_type: Any, data: np.ndarray) -> Any:
    """``bc_type`` with derivative values broadcast to the trailing shape of ``data`` (an identity build)."""
    if isinstance(bc_type, tuple) and len(bc_type) == 2 and all(isinstance(side, tuple) for side in bc_type):
        shape = data.shape[1:]
        return tuple((order, np.broadcast_to(np.asarray(plain(v), dtype=float), shape)) for order, v in bc_type)
    return bc_type


class CubicSpline(_Interpolant):
    """``scipy.interpolate.CubicSpline`` with derivatives in ``y`` and in the evaluation points."""

    def __init__(self, x: Any, y: Any, axis: int = 0, bc_type: Any = "not-a-knot", extrapolate: Any = None):
        x = _no_tangent(x, "the sites x", "CubicSpline")
        self._scipy = _si.CubicSpline(x, plain(y), axis=axis, bc_type=bc_type, extrapolate=extrapolate)
        self._breaks, self._axis = self._scipy.x, axis % max(np.ndim(plain(y)), 1)
        if _dual(y):
            if bc_type == "periodic":
                y = np.concatenate([np.moveaxis(y, axis, 0)[:-1], np.moveaxis(y, axis, 0)[:1]])
                axis, self._axis = 0, 0 if np.ndim(y) == 1 else self._axis
                if self._axis:
                    raise NotImplementedError("dualarray.scipy.interpolate.CubicSpline: periodic with axis != 0")

                def build(data: np.ndarray) -> Any:
                    data = np.concatenate([data[:-1], data[:1]])
                    return _si.CubicSpline(x, data, bc_type="periodic")
            else:
                def build(data: np.ndarray) -> Any:
                    return _si.CubicSpline(x, data, bc_type=_bc_like(bc_type, data))
            self._coeffs, _ = _linear_map(build, y, axis, _ppoly_parts)


class BSpline(_Interpolant):
    """``scipy.interpolate.BSpline(t, c, k)`` with derivatives in ``c`` and in the evaluation points."""

    def __init__(self, t: Any, c: Any, k: int, extrapolate: bool = True, axis: int = 0):
        t = _no_tangent(t, "the knots t", "BSpline")
        self._scipy = _si.BSpline(t, plain(c), k, extrapolate=extrapolate, axis=axis)
        self._axis = axis % max(np.ndim(plain(c)), 1)
        self._breaks = _bspline_parts(self._scipy)[0]
        self._c = np.moveaxis(c, axis, 0) if _dual(c) else None  # SciPy's layout: the spline axis first
        if _dual(c):
            self._coeffs, _ = _linear_map(lambda data: _si.BSpline(t, data, k), c, axis, _bspline_parts)
        else:
            self._coeffs = None

    @property
    def c(self) -> Any:
        """The B-spline coefficients (SciPy's layout), DualArrays when given so."""
        return self._scipy.c if self._c is None else self._c

    def __call__(self, x: Any, nu: int = 0, extrapolate: Any = None) -> Any:
        if self._coeffs is None and not _dual(x):
            return self._scipy(x, nu, extrapolate)
        value = self._scipy(plain(x), nu, extrapolate)
        coeffs = self._coeffs if self._coeffs is not None else _bspline_parts(self._scipy)[1]
        ex = self._scipy.extrapolate if extrapolate is None else extrapolate
        out = _ppoly_eval(self._breaks, coeffs, x, nu, ex)
        if self._axis != 0:
            out = np.moveaxis(out, tuple(range(np.ndim(x))), tuple(range(self._axis, self._axis + np.ndim(x))))
        return with_value(out, value)


def make_interp_spline(x: Any, y: Any, k: int = 3, t: Any = None, bc_type: Any = None, axis: int = 0,
                       check_finite: bool = True) -> Any:
    """``scipy.interpolate.make_interp_spline``: a :class:`BSpline` (SciPy's inside, for every plain call)
    whose coefficients carry y's tangents."""
    x = _no_tangent(x, "the sites x", "make_interp_spline")
    scipy_spline = _si.make_interp_spline(x, plain(y), k=k, t=t, bc_type=bc_type, axis=axis,
                                          check_finite=check_finite)
    if not _dual(y):  # SciPy's spline, wrapped so that evaluation points may carry tangents
        spline = BSpline(scipy_spline.t, scipy_spline.c, scipy_spline.k, extrapolate=scipy_spline.extrapolate)
        spline._scipy, spline._axis = scipy_spline, scipy_spline.axis
        return spline
    if bc_type == "periodic":
        raise NotImplementedError("dualarray.scipy.interpolate.make_interp_spline: bc_type='periodic' with DualArray "
                                  "data is not implemented (CubicSpline(bc_type='periodic') is)")
    moved = np.moveaxis(y, axis, 0)
    n = np.shape(moved)[0]
    unit = _si.make_interp_spline(x, np.eye(n), k=k, t=t, bc_type=bc_type).c  # (n_coefficients, n)
    base = _si.make_interp_spline(x, np.zeros(n), k=k, t=t, bc_type=bc_type).c
    c = np.tensordot(unit - base[:, None], moved, axes=([1], [0]))
    c = with_value(c + np.reshape(base, (-1, *(1,) * (np.ndim(moved) - 1))), scipy_spline.c)  # SciPy's numbers
    spline = BSpline(scipy_spline.t, c, scipy_spline.k, extrapolate=scipy_spline.extrapolate)
    spline._scipy, spline._axis = scipy_spline, axis % np.ndim(plain(y))
    return spline


# ------------------------------------------------------------------ Hermite interpolants (nonlinear in y)
def _hermite_coeffs(x: Any, y: Any, slopes: Any) -> Any:
    """``CubicHermiteSpline`` coefficients (4, pieces, *trailing) from sites, values and slopes."""
    h = np.reshape(np.diff(x), (-1, *(1,) * (np.ndim(y) - 1)))
    secant = np.diff(y, axis=0) / h
    return np.stack([(slopes[:-1] + slopes[1:] - 2 * secant) / h**2, (3 * secant - 2 * slopes[:-1] - slopes[1:]) / h,
                     slopes[:-1], y[:-1]])


def _pchip_slopes(x: Any, y: Any) -> Any:
    """SciPy's PCHIP slopes (Fritsch–Butland weighted harmonic means; one-sided three-point ends)."""
    h = np.reshape(np.diff(x), (-1, *(1,) * (np.ndim(y) - 1)))
    m = np.diff(y, axis=0) / h
    if np.shape(y)[0] == 2:
        return np.concatenate([m, m])
    mv = plain(m)
    w1, w2 = 2 * h[1:] + h[:-1], h[1:] + 2 * h[:-1]
    same = (np.sign(mv[1:]) == np.sign(mv[:-1])) & (mv[1:] != 0) & (mv[:-1] != 0)
    safe_left, safe_right = np.where(same, m[:-1], 1.0), np.where(same, m[1:], 1.0)
    inner = np.where(same, (w1 + w2) / (w1 / safe_left + w2 / safe_right), 0.0)

    def edge(h0: Any, h1: Any, m0: Any, m1: Any) -> Any:
        d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
        dv, m0v, m1v = plain(d), plain(m0), plain(m1)
        flip = np.sign(dv) != np.sign(m0v)
        clip = (np.sign(m0v) != np.sign(m1v)) & (np.abs(dv) > 3 * np.abs(m0v))
        return np.where(flip, 0.0, np.where(clip, 3 * m0, d))

    first = edge(h[:1], h[1:2], m[:1], m[1:2])
    last = edge(h[-1:], h[-2:-1], m[-1:], m[-2:-1])
    return np.concatenate([first, inner, last])


def _akima_slopes(x: Any, y: Any, method: str) -> Any:
    """SciPy's Akima (or modified Akima) slopes, with its end extension of the secants."""
    h = np.reshape(np.diff(x), (-1, *(1,) * (np.ndim(y) - 1)))
    m = np.diff(y, axis=0) / h
    m1 = 2 * m[:1] - m[1:2]
    m0 = 2 * m1 - m[:1]
    mm1 = 2 * m[-1:] - m[-2:-1]
    mm0 = 2 * mm1 - m[-1:]
    m = np.concatenate([m0, m1, m, mm1, mm0])
    default = 0.5 * (m[3:] + m[:-3])
    dm = np.abs(np.diff(m, axis=0))
    if method == "makima":
        pm = np.abs(m[1:] + m[:-1])
        f1, f2 = dm[2:] + 0.5 * pm[2:], dm[:-2] + 0.5 * pm[:-2]
    else:
        f1, f2 = dm[2:], dm[:-2]
    f12 = f1 + f2
    f12v = plain(f12)
    big = f12v > 1e-9 * np.max(f12v, initial=-np.inf)
    return np.where(big, (f1 * m[1:-2] + f2 * m[2:-1]) / np.where(big, f12, 1.0), default)


class _Hermite(_Interpolant):
    def __init__(self, scipy_object: Any, x: Any, y: Any, axis: int, slopes: Any):
        self._scipy = scipy_object
        self._breaks = scipy_object.x
        self._axis = axis % max(np.ndim(plain(y)), 1)
        if _dual(x) or _dual(y):
            moved = np.moveaxis(y, axis, 0)
            self._coeffs = _hermite_coeffs(x, moved, slopes(x, moved))
            self._sites = x if _dual(x) else None


class PchipInterpolator(_Hermite):
    """``scipy.interpolate.PchipInterpolator`` with derivatives in ``x``, ``y`` and the evaluation points."""

    def __init__(self, x: Any, y: Any, axis: int = 0, extrapolate: Any = None):
        super().__init__(_si.PchipInterpolator(plain(x), plain(y), axis=axis, extrapolate=extrapolate), x, y, axis,
                         _pchip_slopes)


class Akima1DInterpolator(_Hermite):
    """``scipy.interpolate.Akima1DInterpolator`` (akima, makima) with derivatives in ``x``, ``y`` and points."""

    def __init__(self, x: Any, y: Any, axis: int = 0, *, method: str = "akima", extrapolate: Any = None):
        scipy_object = _si.Akima1DInterpolator(plain(x), plain(y), axis=axis, method=method, extrapolate=extrapolate)
        super().__init__(scipy_object, x, y, axis, lambda xs, ys: _akima_slopes(xs, ys, method))


# ------------------------------------------------------------------ interp1d, grids, scattered data
class interp1d:  # noqa: N801  (SciPy's name)
    """``scipy.interpolate.interp1d``: linear (derivatives in x, y, points), nearest/previous/next (in y),
    and the spline kinds (in y and points, by :func:`make_interp_spline`)."""

    _SPLINE_ORDER = {"zero": 0, "slinear": 1, "quadratic": 2, "cubic": 3}

    def __init__(self, x: Any, y: Any, kind: Any = "linear", axis: int = -1, copy: bool = True,
                 bounds_error: Any = None, fill_value: Any = np.nan, assume_sorted: bool = False):
        self._scipy = _si.interp1d(plain(x), plain(y), kind=kind, axis=axis, copy=copy, bounds_error=bounds_error,
                                   fill_value=fill_value, assume_sorted=assume_sorted)
        self._x, self._y = x, y
        self._extrapolate = isinstance(fill_value, str) and fill_value == "extrapolate"
        self._order = kind if isinstance(kind, int) else self._SPLINE_ORDER.get(kind)
        self._nearest = kind if kind in ("nearest", "nearest-up", "previous", "next") else None
        self._axis = self._scipy.axis
        if not assume_sorted and (_dual(x) or _dual(y)):
            order = np.argsort(plain(x), kind="mergesort")
            self._x, self._y = x[order], np.take(y, order, axis=self._axis)
        if kind != "linear" and _dual(x):
            _no_tangent(x, "the sites x", f"interp1d(kind={kind!r})")

    def __call__(self, x_new: Any) -> Any:
        if not (_dual(self._x) or _dual(self._y) or _dual(x_new)):
            return self._scipy(x_new)
        value = self._scipy(plain(x_new))
        _steer(x_new, self._x)
        xs = np.asarray(plain(self._x), dtype=float)
        y = np.moveaxis(self._y, self._axis, 0)
        xv = np.asarray(plain(x_new), dtype=float)
        if self._order is None and self._nearest is None:
            hi = np.clip(np.searchsorted(xs, xv), 1, xs.size - 1)
            lo = hi - 1
            x_lo, x_hi = self._x[lo], self._x[hi]
            w = np.reshape((x_new - x_lo) / (x_hi - x_lo), (*np.shape(xv), *(1,) * (np.ndim(y) - 1)))
            out = y[lo] + w * (y[hi] - y[lo])
        elif self._nearest is not None:
            out = y[self._gather_index(xv, xs)]
        else:
            spline = make_interp_spline(xs, y, k=self._order)
            if not isinstance(spline, BSpline):
                spline = BSpline(spline.t, spline.c, spline.k)
            out = spline(x_new)
        out = self._fill(out, xv, xs)
        if self._axis != 0 and np.ndim(y) > 1:
            nx = np.ndim(xv)
            out = np.moveaxis(out, tuple(range(nx)), tuple(range(self._axis, self._axis + nx)))
        return with_value(out, value)

    def _gather_index(self, xv: np.ndarray, xs: np.ndarray) -> np.ndarray:
        """The data index SciPy's nearest/previous/next pick (read from SciPy on the positions)."""
        positions = _si.interp1d(xs, np.arange(xs.size, dtype=float), kind=self._nearest, bounds_error=False,
                                 fill_value=(0.0, xs.size - 1.0), assume_sorted=True)(xv)
        return np.clip(np.nan_to_num(positions).astype(int), 0, xs.size - 1)

    def _fill(self, out: Any, xv: np.ndarray, xs: np.ndarray) -> Any:
        """SciPy's fill values outside the data (with 'extrapolate', only the NaNs SciPy itself puts there:
        previous below the data, next above it)."""
        below, above = xv < xs[0], xv > xs[-1]
        if not (below.any() or above.any()):
            return out
        trailing = (*np.shape(xv), *(1,) * (np.ndim(out) - np.ndim(xv)))
        fills = (getattr(self._scipy, "_fill_value_below", np.nan), getattr(self._scipy, "_fill_value_above", np.nan))
        if self._extrapolate and not hasattr(self._scipy, "_fill_value_below"):
            return out  # linear and spline kinds extrapolate their own pieces
        for mask, fill in zip((below, above), fills, strict=True):
            fill = np.asarray(fill, dtype=float)
            if self._extrapolate:
                if np.all(np.isnan(fill)):
                    out = np.where(np.reshape(mask, trailing), np.nan, out)
                continue
            out = np.where(np.reshape(mask, trailing), fill, out)
        return out

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return getattr(self._scipy, attribute)


class RegularGridInterpolator:
    """``scipy.interpolate.RegularGridInterpolator`` (linear, nearest) with derivatives in values and xi."""

    def __init__(self, points: Any, values: Any, method: str = "linear", bounds_error: bool = True,
                 fill_value: Any = np.nan, **kwargs: Any):
        points = tuple(_no_tangent(p, "the grid points", "RegularGridInterpolator") for p in points)
        self._scipy = _si.RegularGridInterpolator(points, plain(values), method=method, bounds_error=bounds_error,
                                                  fill_value=fill_value, **kwargs)
        for axis in getattr(self._scipy, "_descending_dimensions", ()):  # SciPy flips descending grids
            values = np.flip(values, axis=axis)
        self._values, self.method = values, method

    def __call__(self, xi: Any, method: Any = None, **kwargs: Any) -> Any:
        method = self.method if method is None else method
        if not (_dual(self._values) or _dual(xi)):
            return self._scipy(xi, method=method, **kwargs)
        value = self._scipy(plain(xi), method=method, **kwargs)
        _steer(xi)
        grid = self._scipy.grid
        ndim = len(grid)
        xv = np.asarray(plain(xi), dtype=float)
        if method not in ("linear", "nearest"):
            raise NotImplementedError(f"dualarray.scipy.interpolate.RegularGridInterpolator: method={method!r} with "
                                      "DualArrays (linear and nearest are)")
        flat_xi = np.reshape(xi, (-1, ndim))
        flat_v = np.reshape(xv, (-1, ndim))
        lows, weights = [], []
        for d, g in enumerate(grid):
            lo = np.clip(np.searchsorted(g, flat_v[:, d], side="right") - 1, 0, g.size - 2)
            lows.append(lo)
            weights.append((flat_xi[:, d] - g[lo]) / (g[lo + 1] - g[lo]))
        trailing = np.ndim(plain(self._values)) - ndim
        if method == "nearest":
            index = tuple(np.where(plain(w) <= 0.5, lo, lo + 1) for lo, w in zip(lows, weights, strict=True))
            out = self._values[index]
        else:
            out = None
            for corner in np.ndindex(*(2,) * ndim):
                factor = None
                for d, bit in enumerate(corner):
                    w = weights[d] if bit else 1 - weights[d]
                    factor = w if factor is None else factor * w
                term = np.reshape(factor, (-1, *(1,) * trailing)) * self._values[
                    tuple(lo + bit for lo, bit in zip(lows, corner, strict=True))]
                out = term if out is None else out + term
        if self._scipy.fill_value is not None:
            g_lo = np.array([g[0] for g in grid])
            g_hi = np.array([g[-1] for g in grid])
            outside = np.any((flat_v < g_lo) | (flat_v > g_hi), axis=1)
            out = np.where(np.reshape(outside, (-1, *(1,) * trailing)), self._scipy.fill_value, out)
        return with_value(np.reshape(out, np.shape(value)), value)

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return getattr(self._scipy, attribute)


def griddata(points: Any, values: Any, xi: Any, method: str = "linear", fill_value: float = np.nan,
             rescale: bool = False) -> Any:
    """``scipy.interpolate.griddata`` (linear, nearest) with derivatives in points, values and xi.

    Linear: in the Delaunay simplex holding ξ, ``Σ_j λ_j v_j`` with ``[Pᵀ; 1] λ = [ξ; 1]`` (a batched
    solve on the simplex vertices, so the sites move the weights too).
    """
    def parts(a: Any) -> list:
        return list(a) if isinstance(a, tuple | list) else [a]

    if not any(_dual(p) for p in (*parts(points), values, *parts(xi))):
        return _si.griddata(points, values, xi, method=method, fill_value=fill_value, rescale=rescale)
    if isinstance(points, tuple | list):  # SciPy's tuple of coordinate arrays
        points = np.stack(np.broadcast_arrays(*points), axis=-1)
    if isinstance(xi, tuple | list):
        xi = np.stack(np.broadcast_arrays(*xi), axis=-1)
    value = _si.griddata(plain(points), plain(values), plain(xi), method=method, fill_value=fill_value,
                         rescale=rescale)
    if rescale or method not in ("linear", "nearest"):
        raise NotImplementedError(f"dualarray.scipy.interpolate.griddata: method={method!r}, rescale={rescale} with "
                                  "DualArrays (linear and nearest without rescale are)")
    _steer(points, xi)
    pts = np.asarray(plain(points), dtype=float)
    if pts.ndim == 1:
        raise NotImplementedError("dualarray.scipy.interpolate.griddata: 1-D data with DualArrays; use interp1d")
    ndim = pts.shape[1]
    flat_xi = np.reshape(xi, (-1, ndim))
    flat_v = np.reshape(np.asarray(plain(xi), dtype=float), (-1, ndim))
    trailing = np.ndim(plain(values)) - 1
    if method == "nearest":
        nearest = np.argmin(np.sum((flat_v[:, None, :] - pts[None]) ** 2, axis=-1), axis=1)
        return with_value(np.reshape(values[nearest], np.shape(value)), value)
    tri = Delaunay(pts)
    simplex = tri.find_simplex(flat_v)
    vertices = tri.simplices[np.maximum(simplex, 0)]  # (q, ndim + 1)
    corners = points[vertices]  # (q, ndim + 1, ndim)
    ones = np.ones((flat_v.shape[0], 1, ndim + 1))
    system = np.concatenate([np.swapaxes(corners, -1, -2), ones + 0 * corners[:, :1, :1]], axis=1)
    rhs = np.concatenate([flat_xi, np.ones((flat_v.shape[0], 1)) + 0 * flat_xi[:, :1]], axis=1)
    lam = np.linalg.solve(system, rhs[..., None])[..., 0]  # (q, ndim + 1)
    gathered = values[vertices]  # (q, ndim + 1, *trailing)
    out = np.sum(np.reshape(lam, (*np.shape(lam), *(1,) * trailing)) * gathered, axis=1)
    out = np.where(np.reshape(simplex < 0, (-1, *(1,) * trailing)), fill_value, out)
    return with_value(np.reshape(out, np.shape(value)), value)


for _name in __all__:
    COUNTERPARTS[getattr(_si, _name)] = globals()[_name]
    globals()[_name].__module__ = __name__
