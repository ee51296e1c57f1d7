"""``scipy.stats`` with derivatives: ``from dualarray.scipy import stats``.

``stats.norm.logpdf(x, loc, scale)`` and ``stats.norm(loc, scale).logpdf(x)`` take SciPy's arguments
(shapes, then ``loc`` and ``scale``, by position or keyword) and return SciPy's exact result for plain
inputs. With DualArrays the value is SciPy's and the derivative, in ``x``, ``loc``, ``scale`` and every
continuous shape parameter, comes from a formula on scipy.special ufuncs (which have rules), in the
standardized variable ``z = (x - loc) / scale``:

    logpdf(x) = logf(z) - log(scale),   cdf(x) = F(z),   ppf(q) = loc + scale·F⁻¹(q).

So every mode works (forward, nested, reverse, sparsity detection). Where the derivative has no
closed form (an incomplete gamma or beta function in its shape parameter: ``gamma.cdf`` in ``a``,
``t.cdf`` in ``df``) the special-function rule raises its clear error: never a finite difference.
Discrete distributions take derivatives in their continuous parameters; a tangent on a discrete
argument (the count ``k``, ``binom``'s ``n``, an integer ``loc``) raises ``TypeError``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.stats as _ss

from .._core import DualArray
from ..rules.special import sc  # the ufuncs themselves, with or without SCIPY_ARRAY_API=1
from . import COUNTERPARTS, counterpart
from ._modes import plain, with_value

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
METHODS = ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")
DISCRETE_METHODS = ("pmf", "logpmf", "cdf", "logcdf", "sf", "logsf")


def _quiet(func: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return func(*args, **kwargs)

    return call


# ----------------------------------------------------------------------- standardized formulas
# Each entry: method -> f(z, *shapes) for the standardized distribution (loc 0, scale 1). Missing
# log/complement methods are derived: logcdf = log(cdf), sf = 1 - cdf, logsf = log(sf), isf(q) = ppf(1 - q).
def _in(z: Any, lo: float, hi: float = np.inf, closed: bool = True) -> Any:
    return (z >= lo) & (z <= hi) if closed else (z > lo) & (z < hi)


def _positive_part(logf: Callable[..., Any], lo: float = 0.0) -> Callable[..., Any]:
    """``logf`` on its support ``z >= lo``, ``-inf`` outside."""
    return lambda z, *s: np.where(_in(np.real(z), lo), logf(np.where(_in(z, lo), z, lo + 1.0), *s), -np.inf)


def _laplace_cdf(z: Any) -> Any:
    # each branch clamped by np.where (not np.minimum, which splits a tie's derivative): smooth at the median
    return np.where(z < 0, 0.5 * np.exp(np.where(z < 0, z, 0.0)), 1 - 0.5 * np.exp(-np.where(z < 0, 0.0, z)))


def _laplace_ppf(q: Any) -> Any:
    return np.where(q < 0.5, np.log(2 * np.where(q < 0.5, q, 0.5)), -np.log(2 - 2 * np.where(q < 0.5, 0.5, q)))


def _log_mass(lo: Any, hi: Any) -> Any:
    """``log(Φ(hi) - Φ(lo))`` without cancellation in either tail (``lo < hi``)."""
    upper = sc.log_ndtr(-lo) + np.log1p(-np.exp(sc.log_ndtr(-hi) - sc.log_ndtr(-lo)))
    lower = sc.log_ndtr(hi) + np.log1p(-np.exp(sc.log_ndtr(lo) - sc.log_ndtr(hi)))
    return np.where(lo > 0, upper, lower)


CONTINUOUS: dict[str, tuple[tuple[str, ...], dict[str, Callable[..., Any]]]] = {
    "norm": ((), {
        "logpdf": lambda z: -z * z / 2 - LOG_SQRT_2PI,
        "cdf": sc.ndtr, "logcdf": sc.log_ndtr, "sf": lambda z: sc.ndtr(-z), "logsf": lambda z: sc.log_ndtr(-z),
        "ppf": sc.ndtri, "isf": lambda q: -sc.ndtri(q)}),
    "halfnorm": ((), {
        "logpdf": _positive_part(lambda z: math.log(2) - z * z / 2 - LOG_SQRT_2PI),
        "cdf": lambda z: np.where(z > 0, sc.erf(np.maximum(z, 0) / math.sqrt(2)), 0.0),
        "sf": lambda z: np.where(z > 0, 2 * sc.ndtr(-np.maximum(z, 0)), 1.0),
        "ppf": lambda q: sc.ndtri((1 + q) / 2), "isf": lambda q: -sc.ndtri(q / 2)}),
    "t": (("df",), {
        "logpdf": lambda z, df: (sc.gammaln((df + 1) / 2) - sc.gammaln(df / 2) - 0.5 * np.log(df * math.pi)
                                 - (df + 1) / 2 * np.log1p(z * z / df)),
        "cdf": lambda z, df: sc.stdtr(df, z), "sf": lambda z, df: sc.stdtr(df, -z),
        "ppf": lambda q, df: sc.stdtrit(df, q), "isf": lambda q, df: -sc.stdtrit(df, q)}),
    "chi2": (("df",), {
        "logpdf": _positive_part(lambda z, df: sc.xlogy(df / 2 - 1, z) - z / 2 - sc.gammaln(df / 2)
                                 - df / 2 * math.log(2)),
        "cdf": lambda z, df: sc.gammainc(df / 2, np.maximum(z, 0) / 2),
        "sf": lambda z, df: sc.gammaincc(df / 2, np.maximum(z, 0) / 2),
        "ppf": lambda q, df: 2 * sc.gammaincinv(df / 2, q), "isf": lambda q, df: 2 * sc.gammainccinv(df / 2, q)}),
    "gamma": (("a",), {
        "logpdf": _positive_part(lambda z, a: sc.xlogy(a - 1, z) - z - sc.gammaln(a)),
        "cdf": lambda z, a: sc.gammainc(a, np.maximum(z, 0)), "sf": lambda z, a: sc.gammaincc(a, np.maximum(z, 0)),
        "ppf": lambda q, a: sc.gammaincinv(a, q), "isf": lambda q, a: sc.gammainccinv(a, q)}),
    "invgamma": (("a",), {
        "logpdf": _positive_part(lambda z, a: -(a + 1) * np.log(z) - 1 / z - sc.gammaln(a)),
        "cdf": lambda z, a: np.where(z > 0, sc.gammaincc(a, 1 / np.where(z > 0, z, 1.0)), 0.0),
        "sf": lambda z, a: np.where(z > 0, sc.gammainc(a, 1 / np.where(z > 0, z, 1.0)), 1.0),
        "ppf": lambda q, a: 1 / sc.gammainccinv(a, q), "isf": lambda q, a: 1 / sc.gammaincinv(a, q)}),
    "beta": (("a", "b"), {
        "logpdf": lambda z, a, b: np.where(
            _in(z, 0, 1), sc.xlogy(a - 1, np.clip(z, 0, 1)) + sc.xlog1py(b - 1, -np.clip(z, 0, 1)) - sc.betaln(a, b),
            -np.inf),
        "cdf": lambda z, a, b: sc.betainc(a, b, np.clip(z, 0, 1)),
        "sf": lambda z, a, b: sc.betaincc(a, b, np.clip(z, 0, 1)),
        "ppf": lambda q, a, b: sc.betaincinv(a, b, q), "isf": lambda q, a, b: sc.betainccinv(a, b, q)}),
    "expon": ((), {
        "logpdf": _positive_part(lambda z: -z),
        "cdf": lambda z: -np.expm1(-np.maximum(z, 0)), "sf": lambda z: np.exp(-np.maximum(z, 0)),
        "logsf": lambda z: -np.maximum(z, 0), "ppf": lambda q: -np.log1p(-q), "isf": lambda q: -np.log(q)}),
    "lognorm": (("s",), {
        "logpdf": _positive_part(lambda z, s: -np.log(z * s) - LOG_SQRT_2PI - np.log(z) ** 2 / (2 * s * s)),
        "cdf": lambda z, s: np.where(z > 0, sc.ndtr(np.log(np.where(z > 0, z, 1.0)) / s), 0.0),
        "sf": lambda z, s: np.where(z > 0, sc.ndtr(-np.log(np.where(z > 0, z, 1.0)) / s), 1.0),
        "ppf": lambda q, s: np.exp(s * sc.ndtri(q)), "isf": lambda q, s: np.exp(-s * sc.ndtri(q))}),
    "cauchy": ((), {
        "logpdf": lambda z: -np.log(math.pi * (1 + z * z)),
        "cdf": lambda z: 0.5 + np.arctan(z) / math.pi, "sf": lambda z: 0.5 - np.arctan(z) / math.pi,
        "ppf": lambda q: np.tan(math.pi * (q - 0.5)), "isf": lambda q: np.tan(math.pi * (0.5 - q))}),
    "laplace": ((), {
        "logpdf": lambda z: -np.abs(z) - math.log(2),
        "cdf": _laplace_cdf, "sf": lambda z: _laplace_cdf(-z),
        "ppf": _laplace_ppf, "isf": lambda q: -_laplace_ppf(q)}),
    "logistic": ((), {
        "logpdf": lambda z: sc.log_expit(z) + sc.log_expit(-z),
        "cdf": sc.expit, "logcdf": sc.log_expit, "sf": lambda z: sc.expit(-z), "logsf": lambda z: sc.log_expit(-z),
        "ppf": sc.logit, "isf": lambda q: -sc.logit(q)}),
    "uniform": ((), {
        "logpdf": lambda z: np.where(_in(z, 0, 1), 0 * z, -np.inf),
        "cdf": lambda z: np.clip(z, 0, 1), "sf": lambda z: np.clip(1 - z, 0, 1),
        "ppf": lambda q: q, "isf": lambda q: 1 - q}),
    "weibull_min": (("c",), {
        "logpdf": _positive_part(lambda z, c: np.log(c) + sc.xlogy(c - 1, z) - z**c),
        "cdf": lambda z, c: -np.expm1(-np.maximum(z, 0) ** c), "sf": lambda z, c: np.exp(-np.maximum(z, 0) ** c),
        "logsf": lambda z, c: -np.maximum(z, 0) ** c,
        "ppf": lambda q, c: (-np.log1p(-q)) ** (1 / c), "isf": lambda q, c: (-np.log(q)) ** (1 / c)}),
    "truncnorm": (("a", "b"), {
        "logpdf": lambda z, a, b: np.where(_in(z, a, b), -z * z / 2 - LOG_SQRT_2PI - _log_mass(a, b), -np.inf),
        "cdf": lambda z, a, b: np.where(z <= a, 0.0, np.where(z >= b, 1.0, np.exp(
            _log_mass(a, np.where(_in(z, a, b, closed=False), z, (a + b) / 2)) - _log_mass(a, b)))),
        "sf": lambda z, a, b: np.where(z <= a, 1.0, np.where(z >= b, 0.0, np.exp(
            _log_mass(np.where(_in(z, a, b, closed=False), z, (a + b) / 2), b) - _log_mass(a, b)))),
        # in the upper tail through the survival functions Φ(-x), which keep their digits there
        "ppf": lambda q, a, b: np.where(a > 0, -sc.ndtri(sc.ndtr(-a) - q * np.exp(_log_mass(a, b))),
                                        sc.ndtri(sc.ndtr(a) + q * np.exp(_log_mass(a, b)))),
        "isf": lambda q, a, b: np.where(a > 0, -sc.ndtri(sc.ndtr(-b) + q * np.exp(_log_mass(a, b))),
                                        sc.ndtri(sc.ndtr(b) - q * np.exp(_log_mass(a, b))))}),
    "vonmises": (("kappa",), {
        "logpdf": lambda z, kappa: kappa * (np.cos(z) - 1) - np.log(2 * math.pi * sc.i0e(kappa))}),
}
"""name -> (shape parameter names, standardized formulas)."""


_DENSITY_ONLY = {"vonmises"}
"""Distributions whose cdf has no formula here: cdf, sf and quantiles differentiate through the density
in x, loc and scale (``Ḟ = f(z)·ż``, ``ẋ(q) = q̇ / f``), and raise for a tangent on a shape."""


def _through_density(name: str, method: str) -> Callable[..., Any]:
    """The tangent of a cdf-family ``method`` from the density alone (see :data:`_DENSITY_ONLY`)."""
    shapes, table = CONTINUOUS[name]
    logpdf = table["logpdf"]

    @_quiet
    def formula(x: Any, *params: Any, value: Any, down: Callable[[Any], Any]) -> Any:
        *shape_values, loc, scale = params
        for shape_name, shape in zip(shapes, shape_values, strict=True):
            if isinstance(shape, DualArray) and down(shape) is not shape:
                raise NotImplementedError(f"dualarray.scipy.stats.{name}.{method}: no closed-form derivative with "
                                          f"respect to {shape_name} (the density's integral); pass it plain")
        low = [down(p) for p in shape_values]
        if method in ("ppf", "isf"):
            z_low = (value - down(loc)) / down(scale)
            density = np.exp(logpdf(z_low, *low))
            sign = 1 if method == "ppf" else -1
            return loc + scale * z_low + sign * down(scale) * x / density
        z_low = (down(x) - down(loc)) / down(scale)
        density = np.exp(logpdf(z_low, *low))
        z = (x - loc) / scale
        coefficient = {"cdf": density, "sf": -density, "logcdf": density / np.exp(value),
                       "logsf": -density / np.exp(value)}[method]
        return coefficient * z

    formula.needs_levels = True  # type: ignore[attr-defined]
    return formula


def _continuous_formula(name: str, method: str) -> Callable[..., Any]:
    """``method(x, *shapes, loc, scale)`` of distribution ``name`` as a composition of ruled operations."""
    if name in _DENSITY_ONLY and method not in ("pdf", "logpdf"):
        return _through_density(name, method)
    table = CONTINUOUS[name][1]
    logpdf = table["logpdf"]
    cdf, sf = table.get("cdf"), table.get("sf")

    def missing(*_: Any) -> Any:
        raise NotImplementedError(f"dualarray.scipy.stats.{name}.{method}: no closed-form derivative is "
                                  "implemented (call it with plain arguments)")

    standard = {
        "logpdf": logpdf,
        "pdf": lambda z, *s: np.exp(logpdf(z, *s)),
        "cdf": cdf or missing,
        "sf": sf or (lambda z, *s: 1 - (cdf or missing)(z, *s)),
        "logcdf": table.get("logcdf") or (lambda z, *s: np.log((cdf or missing)(z, *s))),
        "logsf": table.get("logsf") or (lambda z, *s: np.log((sf or missing)(z, *s))),
        "ppf": table.get("ppf") or missing,
        "isf": table.get("isf") or (lambda q, *s: (table.get("ppf") or missing)(1 - q, *s)),
    }[method]

    @_quiet
    def formula(x: Any, *params: Any) -> Any:
        *shape_values, loc, scale = params
        if method in ("ppf", "isf"):
            return loc + scale * standard(x, *shape_values)
        z = (x - loc) / scale
        result = standard(z, *shape_values)
        if method == "logpdf":
            return result - np.log(scale)
        if method == "pdf":
            return result / scale
        return result

    formula.__name__ = f"{name}_{method}"
    return formula


# ----------------------------------------------------------------------- discrete distributions
def _binom_logpmf(k: Any, n: Any, p: Any) -> Any:
    return sc.gammaln(n + 1) - sc.gammaln(k + 1) - sc.gammaln(n - k + 1) + sc.xlogy(k, p) + sc.xlog1py(n - k, -p)


DISCRETE: dict[str, tuple[tuple[str, ...], tuple[str, ...], dict[str, Callable[..., Any]]]] = {
    "poisson": (("mu",), (), {
        "logpmf": lambda k, mu: sc.xlogy(k, mu) - mu - sc.gammaln(k + 1),
        "cdf": lambda k, mu: sc.pdtr(k, mu), "sf": lambda k, mu: sc.pdtrc(k, mu)}),
    "binom": (("n", "p"), ("n",), {
        "logpmf": _binom_logpmf,
        # bdtr(k, n, p) = I_{1-p}(n - k, k + 1), without bdtr's deprecated float n
        "cdf": lambda k, n, p: np.where(k >= n, 1.0, sc.betainc(np.maximum(n - k, 1), k + 1, 1 - p)),
        "sf": lambda k, n, p: np.where(k >= n, 0.0, sc.betaincc(np.maximum(n - k, 1), k + 1, 1 - p))}),
    "nbinom": (("n", "p"), (), {
        "logpmf": lambda k, n, p: (sc.gammaln(k + n) - sc.gammaln(n) - sc.gammaln(k + 1) + sc.xlogy(n, p)
                                   + sc.xlog1py(k, -p)),
        "cdf": lambda k, n, p: sc.betainc(n, k + 1, p), "sf": lambda k, n, p: sc.betaincc(n, k + 1, p)}),
    "geom": (("p",), (), {
        "logpmf": lambda k, p: sc.xlog1py(k - 1, -p) + np.log(p),
        "cdf": lambda k, p: -np.expm1(sc.xlog1py(k, -p)), "sf": lambda k, p: np.exp(sc.xlog1py(k, -p))}),
}
"""name -> (shape parameter names, the discrete ones among them, formulas in (k, *shapes))."""

_SUPPORT_LO = {"poisson": 0, "binom": 0, "nbinom": 0, "geom": 1}


def _discrete_formula(name: str, method: str) -> Callable[..., Any]:
    _, _, table = DISCRETE[name]
    logpmf, cdf, sf = table["logpmf"], table["cdf"], table["sf"]
    lo = _SUPPORT_LO[name]
    standard = {
        "logpmf": lambda k, *s: np.where((k >= lo) & (k == np.floor(k)), logpmf(np.maximum(k, lo), *s), -np.inf),
        "pmf": lambda k, *s: np.where((k >= lo) & (k == np.floor(k)), np.exp(logpmf(np.maximum(k, lo), *s)), 0.0),
        "cdf": lambda k, *s: np.where(k >= lo, cdf(np.floor(np.maximum(k, lo)), *s), 0.0),
        "sf": lambda k, *s: np.where(k >= lo, sf(np.floor(np.maximum(k, lo)), *s), 1.0),
        "logcdf": lambda k, *s: np.log(np.where(k >= lo, cdf(np.floor(np.maximum(k, lo)), *s), 0.0)),
        "logsf": lambda k, *s: np.log(np.where(k >= lo, sf(np.floor(np.maximum(k, lo)), *s), 1.0)),
    }[method]

    @_quiet
    def formula(k: Any, *params: Any) -> Any:
        *shape_values, loc = params
        return standard(k - loc, *shape_values)

    formula.__name__ = f"{name}_{method}"
    return formula


# ----------------------------------------------------------------------- the distribution objects
class Distribution:
    """A differentiable ``scipy.stats`` distribution: SciPy's methods with derivatives.

    ``dist.logpdf(x, *shapes, loc=0, scale=1)``, the other methods of :data:`METHODS` (discrete:
    :data:`DISCRETE_METHODS`), and ``dist(*shapes, loc=, scale=)`` for a frozen distribution. Other
    attributes (``rvs``, ``fit``, ``mean``, ...) are SciPy's own, for plain arguments.
    """

    def __init__(self, name: str, discrete: bool = False):
        self.name = name
        self.scipy = getattr(_ss, name)
        self.discrete = discrete
        if discrete:
            self.shapes, self.discrete_shapes, _ = DISCRETE[name]
            self.params = (*self.shapes, "loc")
            self.discrete_params = {0, *(1 + self.shapes.index(s) for s in self.discrete_shapes), len(self.shapes) + 1}
            methods, build = DISCRETE_METHODS, _discrete_formula
        else:
            self.shapes = CONTINUOUS[name][0]
            self.discrete_shapes = ()
            self.params = (*self.shapes, "loc", "scale")
            self.discrete_params = set()
            methods, build = METHODS, _continuous_formula
        self._methods = {m: self._counterpart(m, build(name, m)) for m in methods}
        for m in methods:
            setattr(self, m, self._bound(m))

    def _counterpart(self, method: str, formula: Callable[..., Any]) -> Callable[..., Any]:
        scipy_method = getattr(self.scipy, method)
        discrete = self.discrete_params
        arguments = ("k" if self.discrete else ("q" if method in ("ppf", "isf") else "x"), *self.params)
        where = f"dualarray.scipy.stats.{self.name}.{method}"

        def plain(x: Any, *params: Any) -> Any:
            return scipy_method(x, *params)

        def derivative(*duals: Any, value: Any = None, down: Callable[[Any], Any] = lambda v: v, **_: Any) -> Any:
            for i in discrete:
                if isinstance(duals[i], DualArray) and down(duals[i]) is not duals[i]:
                    raise TypeError(f"{where}: {arguments[i]!r} is discrete and has no derivative (pass it without "
                                    "a tangent)")
            if getattr(formula, "needs_levels", False):
                return np.reshape(formula(*duals, value=value, down=down), np.shape(value))
            return np.reshape(formula(*duals), np.shape(value))

        derivative.__doc__ = formula.__doc__
        built = counterpart(plain, "stats", registered=False)(derivative)
        built.__name__ = built.__qualname__ = f"{self.name}.{method}"
        return built

    def _bound(self, method: str) -> Callable[..., Any]:
        call = self._methods[method]
        names = self.params
        defaults = {"loc": 0.0, "scale": 1.0}
        where = f"dualarray.scipy.stats.{self.name}.{method}"

        def bound(x: Any, *args: Any, **kwds: Any) -> Any:
            if len(args) > len(names):
                raise TypeError(f"{where}: at most {len(names)} parameters ({', '.join(names)}), got {len(args)}")
            given = dict(zip(names, args, strict=False))
            for key, v in kwds.items():
                if key not in names:
                    raise TypeError(f"{where}: unexpected keyword argument {key!r} (parameters: {', '.join(names)})")
                if key in given:
                    raise TypeError(f"{where}: {key!r} given twice")
                given[key] = v
            missing = [n for n in names if n not in given and n not in defaults]
            if missing:
                raise TypeError(f"{where}: missing shape parameter(s) {', '.join(missing)}")
            return call(x, *(given.get(n, defaults.get(n)) for n in names))

        bound.__name__ = method
        bound.__qualname__ = f"{self.name}.{method}"
        bound.__doc__ = (f"``scipy.stats.{self.name}.{method}`` with derivatives in the continuous arguments "
                         f"({', '.join(p for i, p in enumerate(('x', *names)) if i not in self.discrete_params)}).")
        return bound

    def __call__(self, *args: Any, **kwds: Any) -> Frozen:
        return Frozen(self, args, kwds)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.scipy, attribute)

    def __repr__(self) -> str:
        return f"<dualarray.scipy.stats.{self.name}>"


class Frozen:
    """``dist(*shapes, loc=, scale=)``: the methods with the parameters bound (derivatives included)."""

    def __init__(self, dist: Distribution, args: tuple, kwds: dict):
        self.dist, self.args, self.kwds = dist, args, kwds
        methods = DISCRETE_METHODS if dist.discrete else METHODS
        for m in methods:
            setattr(self, m, self._bound(m))

    def _bound(self, method: str) -> Callable[..., Any]:
        def bound(x: Any) -> Any:
            return getattr(self.dist, method)(x, *self.args, **self.kwds)

        bound.__name__ = method
        return bound

    def __getattr__(self, attribute: str) -> Any:
        if any(isinstance(a, DualArray) for a in (*self.args, *self.kwds.values())):
            raise NotImplementedError(f"dualarray.scipy.stats.{self.dist.name}(...).{attribute}: only the density, "
                                      "distribution and quantile methods carry derivatives; call SciPy's with plain "
                                      "parameters")
        return getattr(self.dist.scipy(*self.args, **self.kwds), attribute)


# ----------------------------------------------------------------------- multivariate
def _mvn_parts(x: Any, mean: Any, cov: Any) -> tuple[Any, Any, int]:
    """``(x - mean, the covariance matrix, k)`` with SciPy's conventions (scalar or diagonal cov; mean None;
    the dimension from mean, else cov, else 1: then a 1-D x is that many 1-D points)."""
    if mean is not None and np.ndim(mean) >= 1:
        k = np.shape(mean)[-1]
    elif np.ndim(cov) >= 1:
        k = np.shape(cov)[-1]
    else:
        k = 1
    mean = np.zeros(k) if mean is None else mean
    if np.ndim(cov) < 2:
        cov = cov * np.eye(k)
    else:  # SciPy reads the lower triangle (scipy.linalg.eigh(cov, lower=True))
        lower = np.tril(cov, -1)
        cov = lower + np.swapaxes(lower, -1, -2) + cov * np.eye(k)
    return np.reshape(x, (-1, k)) - mean, cov, k


class _MultivariateNormal:
    """``multivariate_normal.logpdf(x, mean, cov)`` and ``pdf``: ``-½ (k log 2π + log det Σ + dᵀ Σ⁻¹ d)``."""

    name = "multivariate_normal"

    def __init__(self) -> None:
        self.scipy = _ss.multivariate_normal

        def formula(x: Any, mean: Any, cov: Any) -> Any:
            d, c, k = _mvn_parts(x, mean, cov)
            maha = np.sum(d * np.swapaxes(np.linalg.solve(c, np.swapaxes(d, 0, 1)), 0, 1), axis=-1)
            return -0.5 * (k * math.log(2 * math.pi) + np.linalg.slogdet(c)[1] + maha)

        @counterpart(lambda x, mean, cov: _ss.multivariate_normal.logpdf(x, mean, cov), "stats", registered=False)
        def logpdf(x, mean, cov, *, value=None, **_):
            return np.reshape(formula(x, mean, cov), np.shape(value))

        @counterpart(lambda x, mean, cov: _ss.multivariate_normal.pdf(x, mean, cov), "stats", registered=False)
        def pdf(x, mean, cov, *, value=None, **_):
            return np.reshape(np.exp(formula(x, mean, cov)), np.shape(value))

        self._logpdf, self._pdf = logpdf, pdf

    def logpdf(self, x: Any, mean: Any = None, cov: Any = 1) -> Any:
        return self._logpdf(x, 0.0 if mean is None else mean, cov)

    def pdf(self, x: Any, mean: Any = None, cov: Any = 1) -> Any:
        return self._pdf(x, 0.0 if mean is None else mean, cov)

    def __call__(self, mean: Any = None, cov: Any = 1) -> Any:
        return _FrozenPair(self, mean, cov)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.scipy, attribute)


class _Dirichlet:
    """``dirichlet.logpdf(x, alpha)`` and ``pdf`` (x's components along the first axis, as SciPy)."""

    name = "dirichlet"

    def __init__(self) -> None:
        self.scipy = _ss.dirichlet

        def formula(x: Any, alpha: Any) -> Any:
            a = np.reshape(alpha, (-1,) + (1,) * (np.ndim(x) - 1))
            return np.sum(sc.xlogy(a - 1, x), axis=0) - np.sum(sc.gammaln(alpha)) + sc.gammaln(np.sum(alpha))

        @counterpart(lambda x, alpha: _ss.dirichlet.logpdf(x, alpha), "stats", registered=False)
        def logpdf(x, alpha, *, value=None, **_):
            return np.reshape(formula(x, alpha), np.shape(value))

        @counterpart(lambda x, alpha: _ss.dirichlet.pdf(x, alpha), "stats", registered=False)
        def pdf(x, alpha, *, value=None, **_):
            return np.reshape(np.exp(formula(x, alpha)), np.shape(value))

        self.logpdf, self.pdf = logpdf, pdf

    def __call__(self, alpha: Any) -> Any:
        return _FrozenPair(self, alpha)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.scipy, attribute)


def _from_lower(a: Any) -> Any:
    """The symmetric matrix of ``a``'s lower triangle (what ``scipy.linalg.cholesky(lower=True)`` reads)."""
    lower = np.tril(a, -1)
    return lower + np.swapaxes(lower, -1, -2) + a * np.eye(np.shape(a)[-1])


def _scalar(df: Any) -> Any:
    """A 0-d array as the number SciPy's wishart insists on (a DualArray's value is a 0-d array)."""
    return df.item() if isinstance(df, np.ndarray) and df.ndim == 0 else df


class _Wishart:
    """``wishart.logpdf(x, df, scale)`` and ``pdf`` (samples along x's last axis, as SciPy):

        ½(ν - p - 1) log|X| - ½ tr(S⁻¹X) - ½νp log 2 - ½ν log|S| - log Γ_p(ν/2)

    with SciPy's reading of the matrices: |X| and S from their lower triangles, X whole in the trace.
    """

    name = "wishart"

    def __init__(self) -> None:
        self.scipy = _ss.wishart

        def formula(x: Any, df: Any, scale: Any) -> Any:
            samples = np.moveaxis(x if np.ndim(x) == 3 else x[..., None], -1, 0)  # (n, p, p)
            p = np.shape(samples)[-1]
            s = _from_lower(scale if np.ndim(scale) == 2 else scale * np.eye(p))
            log_det_x = np.linalg.slogdet(_from_lower(samples))[1]
            trace = np.trace(np.linalg.solve(s, samples), axis1=-2, axis2=-1)
            multigamma = p * (p - 1) / 4 * math.log(math.pi) + sum(sc.gammaln(df / 2 + (1 - j) / 2)
                                                                   for j in range(1, p + 1))
            return (0.5 * (df - p - 1) * log_det_x - 0.5 * trace - 0.5 * df * p * math.log(2)
                    - 0.5 * df * np.linalg.slogdet(s)[1] - multigamma)

        @counterpart(lambda x, df, scale: _ss.wishart.logpdf(x, _scalar(df), scale), "stats", registered=False)
        def logpdf(x, df, scale, *, value=None, **_):
            return np.reshape(formula(x, df, scale), np.shape(value))

        @counterpart(lambda x, df, scale: _ss.wishart.pdf(x, _scalar(df), scale), "stats", registered=False)
        def pdf(x, df, scale, *, value=None, **_):
            return np.reshape(np.exp(formula(x, df, scale)), np.shape(value))

        self.logpdf, self.pdf = logpdf, pdf

    def __call__(self, df: Any, scale: Any) -> Any:
        return _FrozenPair(self, df, scale)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.scipy, attribute)


class _FrozenPair:
    def __init__(self, dist: Any, *params: Any):
        self.dist, self.params = dist, params

    def logpdf(self, x: Any) -> Any:
        return self.dist.logpdf(x, *self.params)

    def pdf(self, x: Any) -> Any:
        return self.dist.pdf(x, *self.params)


def distribution_method_name(scipy_dist: Any, method: str) -> str | None:
    """``dualarray.scipy.stats.norm.logpdf`` for SciPy's ``norm`` (or a frozen one) and ``"logpdf"``."""
    dist = getattr(scipy_dist, "dist", scipy_dist)  # a frozen distribution holds its generator
    for name in __all__:
        ours = globals()[name]
        if getattr(ours, "scipy", None) is not None and type(ours.scipy) is type(dist) and hasattr(ours, method):
            return f"dualarray.scipy.stats.{name}.{method}"
    return None


# ----------------------------------------------------------------------- new-style distributions
_NEW_METHODS = {"pdf": "pdf", "logpdf": "logpdf", "cdf": "cdf", "logcdf": "logcdf", "ccdf": "sf", "logccdf": "logsf",
                "icdf": "ppf", "iccdf": "isf"}


class _NewStyle:
    """``scipy.stats.Normal(mu=, sigma=)``-style objects: SciPy's values, the classic formulas' derivatives.

    The one-argument methods of :data:`_NEW_METHODS` carry derivatives; everything else (``sample``,
    ``moment``, two-argument ``cdf(x, y)``, arithmetic) is SciPy's own, for plain parameters.
    """

    scipy_class: Any
    classic: str

    def __init__(self, **params: Any):
        self.params = params
        self._scipy = self.scipy_class(**{k: plain(v) for k, v in params.items()})

    def _loc_scale(self) -> tuple[Any, Any]:
        raise NotImplementedError

    def _method(self, name: str) -> Callable[[Any], Any]:
        def method(x: Any) -> Any:
            value = getattr(self._scipy, name)(plain(x))
            if not any(isinstance(v, DualArray) for v in (x, *self.params.values())):
                return value
            loc, scale = self._loc_scale()
            classic = getattr(globals()[self.classic], _NEW_METHODS[name])(x, loc=loc, scale=scale)
            return with_value(classic, value)

        method.__name__ = name
        return method

    def __getattr__(self, attribute: str) -> Any:
        if attribute in _NEW_METHODS:
            return self._method(attribute)
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        if any(isinstance(v, DualArray) for v in self.params.values()):
            raise NotImplementedError(f"dualarray.scipy.stats.{type(self).__name__}.{attribute}: only "
                                      f"{', '.join(_NEW_METHODS)} carry derivatives; use plain parameters")
        return getattr(self._scipy, attribute)


class Normal(_NewStyle):
    """``scipy.stats.Normal(mu=0, sigma=1)`` with derivatives in x, mu and sigma."""

    scipy_class, classic = _ss.Normal, "norm"

    def __init__(self, *, mu: Any = 0.0, sigma: Any = 1.0):
        super().__init__(mu=mu, sigma=sigma)

    def _loc_scale(self) -> tuple[Any, Any]:
        return self.params["mu"], self.params["sigma"]


class Uniform(_NewStyle):
    """``scipy.stats.Uniform(a=, b=)`` with derivatives in x, a and b."""

    scipy_class, classic = _ss.Uniform, "uniform"

    def __init__(self, *, a: Any, b: Any):
        super().__init__(a=a, b=b)

    def _loc_scale(self) -> tuple[Any, Any]:
        return self.params["a"], self.params["b"] - self.params["a"]


class Logistic(_NewStyle):
    """``scipy.stats.Logistic()`` (the standard one) with derivatives in x."""

    scipy_class, classic = _ss.Logistic, "logistic"

    def __init__(self) -> None:
        super().__init__()

    def _loc_scale(self) -> tuple[Any, Any]:
        return 0.0, 1.0


# ----------------------------------------------------------------------- the module's names
__all__ = [*CONTINUOUS, *DISCRETE, "multivariate_normal", "dirichlet", "wishart"]
for _name in CONTINUOUS:
    globals()[_name] = Distribution(_name)
for _name in DISCRETE:
    globals()[_name] = Distribution(_name, discrete=True)
multivariate_normal = _MultivariateNormal()
dirichlet = _Dirichlet()
wishart = _Wishart()
for _name in __all__:
    COUNTERPARTS[getattr(_ss, _name)] = globals()[_name]
for _new in (Normal, Uniform, Logistic):
    COUNTERPARTS[_new.scipy_class] = _new
    _new.__module__ = __name__
__all__ += ["Logistic", "Normal", "Uniform"]
