"""Rows for ``dualarray.scipy.stats``: every distribution method, values equal to SciPy's.

Arguments are ``(x, *shapes, loc, scale)`` drawn inside the support; ``diff`` leaves out the
arguments whose derivative raises by design (a cdf or quantile in a shape parameter that enters an
incomplete gamma or beta function, the discrete ones).
"""

from __future__ import annotations

import numpy as np

from dualarray.scipy import stats as S

from . import Case, spd, uniform

F64 = ("float64",)


def integers(lo: int, hi: int):
    return lambda rng, shape: rng.integers(lo, hi, size=shape).astype(float)


X_REAL, X_POSITIVE, X_UNIT = uniform(-2.0, 2.0), uniform(0.5, 2.0), uniform(0.2, 0.7)
LOC, SCALE = uniform(-0.2, 0.0), uniform(0.8, 1.5)
TIGHT_LOC, TIGHT_SCALE = uniform(-0.05, 0.0), uniform(1.0, 1.1)
Q = uniform(0.15, 0.45)

# name -> (x domain, shape domains, loc/scale domains, methods whose shape derivative raises)
CONTINUOUS = {
    "norm": (X_REAL, (), (LOC, SCALE), False),
    "halfnorm": (X_POSITIVE, (), (LOC, SCALE), False),
    "t": (X_REAL, (uniform(2.0, 6.0),), (LOC, SCALE), True),
    "chi2": (X_POSITIVE, (uniform(2.0, 5.0),), (LOC, SCALE), True),
    "gamma": (X_POSITIVE, (uniform(1.5, 3.0),), (LOC, SCALE), True),
    "invgamma": (X_POSITIVE, (uniform(2.0, 4.0),), (LOC, SCALE), True),
    "beta": (X_UNIT, (uniform(1.5, 3.0), uniform(1.5, 3.0)), (TIGHT_LOC, TIGHT_SCALE), True),
    "expon": (X_POSITIVE, (), (LOC, SCALE), False),
    "lognorm": (X_POSITIVE, (uniform(0.5, 1.0),), (LOC, SCALE), False),
    "cauchy": (X_REAL, (), (LOC, SCALE), False),
    "laplace": (X_REAL, (), (LOC, SCALE), False),
    "logistic": (X_REAL, (), (LOC, SCALE), False),
    "uniform": (X_UNIT, (), (TIGHT_LOC, TIGHT_SCALE), False),
    "weibull_min": (X_POSITIVE, (uniform(1.2, 2.5),), (LOC, SCALE), False),
    "truncnorm": (uniform(-0.5, 0.5), (uniform(-1.5, -1.0), uniform(1.0, 1.5)), (TIGHT_LOC, TIGHT_SCALE), False),
    "vonmises": (uniform(-2.0, 2.0), (uniform(0.5, 3.0),), (LOC, TIGHT_SCALE), True),
}


def _method(dist, method):
    return lambda *args: getattr(dist, method)(*args)


CASES = []
for name, (x_domain, shape_domains, (loc, scale), shape_raises) in CONTINUOUS.items():
    dist = getattr(S, name)
    for method in S.METHODS:
        first = Q if method in ("ppf", "isf") else x_domain
        n_shapes = len(shape_domains)
        everything = tuple(range(n_shapes + 3))
        diff = everything
        if shape_raises and method not in ("pdf", "logpdf"):
            diff = (0, n_shapes + 1, n_shapes + 2)
        if name == "uniform" and method in ("ppf", "isf"):
            diff = everything
        shapes = [((3,),) + ((),) * (n_shapes + 2), ((2, 3),) + ((3,),) * n_shapes + ((1, 3), ())]
        CASES.append(Case(f"stats_{name}_{method}", _method(dist, method), (first, *shape_domains, loc, scale),
                          shapes, F64, diff=diff, rtol=1e-5, atol=1e-7))

# name -> (k domain, shape domains, the continuous shapes' positions among the arguments for pmf/cdf)
DISCRETE = {
    "poisson": (integers(0, 6), (uniform(1.0, 4.0),), (1,), (1,)),
    "binom": (integers(0, 6), (integers(6, 10), uniform(0.2, 0.8)), (2,), (2,)),
    "nbinom": (integers(0, 6), (uniform(1.5, 4.0), uniform(0.3, 0.7)), (1, 2), (2,)),
    "geom": (integers(1, 6), (uniform(0.2, 0.6),), (1,), (1,)),
}
for name, (k_domain, shape_domains, pmf_diff, cdf_diff) in DISCRETE.items():
    dist = getattr(S, name)
    for method in S.DISCRETE_METHODS:
        diff = pmf_diff if method in ("pmf", "logpmf") else cdf_diff
        n_shapes = len(shape_domains)
        CASES.append(Case(f"stats_{name}_{method}", _method(dist, method), (k_domain, *shape_domains, integers(0, 1)),
                          [((4,),) + ((),) * (n_shapes + 1)], F64, diff=diff, rtol=1e-5, atol=1e-7))


def _simplex(rng, shape):
    x = rng.uniform(0.2, 1.0, size=shape)
    return x / np.sum(x, axis=0)


CASES += [
    Case("stats_multivariate_normal_logpdf", S.multivariate_normal.logpdf, ("real", "real", spd),
         [((4, 3), (3,), (3, 3)), ((3,), (3,), (3, 3))], F64, rtol=1e-5),
    Case("stats_multivariate_normal_pdf", S.multivariate_normal.pdf, ("real", "real", spd),
         [((4, 3), (3,), (3, 3))], F64, rtol=1e-5),
    Case("stats_dirichlet_logpdf", S.dirichlet.logpdf, (_simplex, uniform(1.5, 3.0)), [((3,), (3,)), ((3, 4), (3,))],
         F64, diff=(1,), rtol=1e-5),
    Case("stats_dirichlet_pdf", S.dirichlet.pdf, (_simplex, uniform(1.5, 3.0)), [((3,), (3,))], F64, diff=(1,),
         rtol=1e-5),
]


def _wishart_sample(rng, shape):
    a = rng.standard_normal((shape[0], 6)) if len(shape) == 2 else rng.standard_normal((shape[2], shape[0], 6))
    w = a @ np.swapaxes(a, -1, -2)
    return w if len(shape) == 2 else np.moveaxis(w, 0, -1)


CASES += [
    Case("stats_wishart_logpdf", lambda x, df, s: S.wishart.logpdf(x, df, s), (_wishart_sample, uniform(4.0, 6.0), spd),
         [((3, 3), (), (3, 3)), ((3, 3, 2), (), (3, 3))], F64, rtol=1e-5),
    Case("stats_wishart_pdf", lambda x, df, s: S.wishart.pdf(x, df, s), (_wishart_sample, uniform(4.0, 6.0), spd),
         [((2, 2), (), (2, 2))], F64, rtol=1e-5),
]
