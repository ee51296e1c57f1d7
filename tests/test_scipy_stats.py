"""dualarray.scipy.stats beyond the case table (tests/cases/scipy_stats.py): SciPy's exact values for
plain input, keyword and frozen forms, closed-form scores, errors, and maximum-likelihood fits."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sc
import scipy.stats as ss

import dualarray as da
from dualarray import DualArray
from dualarray import optimize as dao
from dualarray.scipy import COUNTERPARTS
from dualarray.scipy import stats as S

RNG = np.random.default_rng(15)
X = np.array([0.3, 1.1, 2.4])
SHAPES = {"t": (4.5,), "chi2": (3.3,), "gamma": (2.2,), "invgamma": (2.5,), "beta": (2.0, 3.0), "lognorm": (0.7,),
          "weibull_min": (1.7,), "truncnorm": (-0.5, 1.5), "vonmises": (2.0,)}


@pytest.mark.parametrize("name", list(S.CONTINUOUS))
def test_plain_inputs_give_scipys_result(name):
    ours, theirs, shapes = getattr(S, name), getattr(ss, name), SHAPES.get(name, ())
    for method in S.METHODS:
        arg = np.array([0.2, 0.5, 0.9]) if method in ("ppf", "isf") else X
        expected = getattr(theirs, method)(arg, *shapes, loc=0.1, scale=1.3)
        np.testing.assert_array_equal(getattr(ours, method)(arg, *shapes, loc=0.1, scale=1.3), expected)
        np.testing.assert_array_equal(getattr(ours, method)(arg, *shapes, 0.1, 1.3), expected)
        np.testing.assert_array_equal(getattr(ours(*shapes, loc=0.1, scale=1.3), method)(arg), expected)
    assert COUNTERPARTS[theirs] is ours
    np.testing.assert_array_equal(ours(*shapes).median(), theirs(*shapes).median())  # the rest is SciPy's own


@pytest.mark.parametrize("name", list(S.DISCRETE))
def test_discrete_plain_inputs(name):
    shapes = {"poisson": (2.5,), "binom": (8, 0.3), "nbinom": (3.5, 0.4), "geom": (0.3,)}[name]
    k = np.arange(-1.0, 7.0)
    for method in S.DISCRETE_METHODS:
        np.testing.assert_array_equal(getattr(getattr(S, name), method)(k, *shapes),
                                      getattr(getattr(ss, name), method)(k, *shapes))


def test_closed_form_scores():
    x, mu, sigma = 2.1, 0.4, 1.3
    g = da.gradient(lambda p: S.norm.logpdf(x, p[0], p[1]))(np.array([mu, sigma]))
    np.testing.assert_allclose(g, [(x - mu) / sigma**2, (x - mu) ** 2 / sigma**3 - 1 / sigma], rtol=1e-13)
    h = da.hessian(lambda p: S.norm.logpdf(x, p[0], p[1]))(np.array([mu, sigma]))
    np.testing.assert_allclose(h[0, 0], -1 / sigma**2, rtol=1e-13)
    # ∂/∂a log Gamma(x; a, scale θ) = log(x/θ) - ψ(a);  ∂/∂θ = x/θ² - a/θ
    a, theta = 2.3, 1.7
    g = da.gradient(lambda p: S.gamma.logpdf(x, p[0], scale=p[1]))(np.array([a, theta]))
    np.testing.assert_allclose(g, [np.log(x / theta) - sc.digamma(a), x / theta**2 - a / theta], rtol=1e-13)
    # ∂/∂μ log Poisson(k; μ) = k/μ - 1;  ∂/∂p log Binom(k; n, p) = k/p - (n-k)/(1-p)
    np.testing.assert_allclose(da.derivative(lambda m: S.poisson.logpmf(3, m))(2.5), 3 / 2.5 - 1, rtol=1e-13)
    np.testing.assert_allclose(da.derivative(lambda p: S.binom.logpmf(3, 8, p))(0.3), 3 / 0.3 - 5 / 0.7, rtol=1e-13)
    # ∂/∂Σ log N(x; 0, Σ) = ½ (Σ⁻¹ x xᵀ Σ⁻¹ - Σ⁻¹) (the lower triangle read, as SciPy: a symmetric perturbation)
    cov = np.array([[2.0, 0.3], [0.3, 1.0]])
    xv = np.array([0.5, -1.0])
    inv = np.linalg.inv(cov)
    expected = 0.5 * (inv @ np.outer(xv, xv) @ inv - inv)
    e = np.array([[0.0, 1.0], [1.0, 0.0]])
    d = da.jvp(lambda c: S.multivariate_normal.logpdf(xv, np.zeros(2), c), (cov,), (e,))[1]
    np.testing.assert_allclose(d, np.sum(expected * e), rtol=1e-12)


def test_wishart_and_vonmises():
    rng = np.random.default_rng(3)
    scale = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]])
    x = ss.wishart.rvs(6.0, scale, size=3, random_state=rng).transpose(1, 2, 0)
    np.testing.assert_array_equal(S.wishart.logpdf(x, 6.0, scale), ss.wishart.logpdf(x, 6.0, scale))
    np.testing.assert_array_equal(S.wishart(6.0, scale).pdf(x[..., 0]), ss.wishart(6.0, scale).pdf(x[..., 0]))
    # ∂/∂S log W(X; ν, S) = ½ (S⁻¹ X S⁻¹ - ν S⁻¹) along a symmetric direction
    e = np.zeros((3, 3))
    e[0, 1] = e[1, 0] = 1.0
    inv = np.linalg.inv(scale)
    d = da.jvp(lambda s: S.wishart.logpdf(x[..., 0], 6.0, s), (scale,), (e,))[1]
    np.testing.assert_allclose(d, np.sum(0.5 * (inv @ x[..., 0] @ inv - 6.0 * inv) * e), rtol=1e-12)
    # the von Mises cdf: derivative in x is the density
    np.testing.assert_allclose(da.derivative(lambda t: S.vonmises.cdf(t, 2.0))(0.4), ss.vonmises.pdf(0.4, 2.0),
                               rtol=1e-13)


def test_frozen_and_module_forms_agree():
    p = np.array([0.4, 1.3])
    module = da.jacobian(lambda q: S.t.logcdf(X, 3.0, q[0], q[1]))(p)
    frozen = da.jacobian(lambda q: S.t(3.0, loc=q[0], scale=q[1]).logcdf(X))(p)
    np.testing.assert_array_equal(module, frozen)
    np.testing.assert_allclose(da.jacobian(lambda q: S.t.logcdf(X, 3.0, q[0], q[1]), mode="reverse")(p), module,
                               rtol=1e-13)


def test_what_has_no_derivative_says_so():
    with pytest.raises(TypeError, match="'k' is discrete"):
        da.derivative(lambda k: S.poisson.logpmf(k, 2.0))(3.0)
    with pytest.raises(TypeError, match="'n' is discrete"):
        da.derivative(lambda n: S.binom.pmf(3, n, 0.4))(8.0)
    with pytest.raises(NotImplementedError, match="gammainc"):
        da.derivative(lambda a: S.gamma.cdf(1.0, a))(2.0)
    with pytest.raises(NotImplementedError, match="vonmises.cdf"):
        da.derivative(lambda k: S.vonmises.cdf(0.3, k))(2.0)
    with pytest.raises(TypeError, match="unexpected keyword"):
        S.norm.logpdf(1.0, mean=2.0)
    with pytest.raises(TypeError, match="missing shape"):
        S.gamma.logpdf(1.0)
    with pytest.raises(NotImplementedError, match="only the density"):
        S.norm(DualArray(0.0, 1.0)).mean()


def test_scipy_stats_names_its_counterpart():
    with pytest.raises(TypeError, match=r"use dualarray\.scipy\.stats\.norm\.logpdf"):
        da.gradient(lambda m: ss.norm.logpdf(1.0, m[0], 1.0))(np.array([0.2]))
    with pytest.raises(TypeError, match=r"use dualarray\.scipy\.stats\.gamma\.logpdf"):
        da.gradient(lambda a: ss.gamma(a[0]).logpdf(1.0))(np.array([2.0]))


def test_maximum_likelihood_fits_match_scipys():
    data = RNG.normal(1.5, 0.7, size=400)

    def nll_normal(p):  # σ on the log scale: every step stays a valid distribution
        return -np.sum(S.norm.logpdf(data, p[0], np.exp(p[1])))

    mu, sigma = ss.norm.fit(data)
    for method in ("BFGS", "trust-exact", "Newton-CG"):
        res = dao.minimize(nll_normal, np.array([0.0, 0.0]), method=method)
        np.testing.assert_allclose([res.x[0], np.exp(res.x[1])], [mu, sigma], rtol=1e-6)
    # the Hessian at the optimum is the observed information: n/σ² for μ, 2n for log σ
    np.testing.assert_allclose(da.hessian(nll_normal)(np.array([mu, np.log(sigma)])),
                               np.diag([400 / sigma**2, 800]), rtol=1e-8, atol=1e-6)
    gamma_data = RNG.gamma(2.5, 1.4, size=400)

    def nll_gamma(log_p):  # shape and scale on the log scale
        return -np.sum(S.gamma.logpdf(gamma_data, np.exp(log_p[0]), scale=np.exp(log_p[1])))

    res = dao.minimize(nll_gamma, np.zeros(2), method="trust-exact", options={"gtol": 1e-10})
    a, _, scale = ss.gamma.fit(gamma_data, floc=0)
    np.testing.assert_allclose(np.exp(res.x), [a, scale], rtol=1e-5)
    fit = ss.fit(ss.gamma, gamma_data, bounds={"a": (0.1, 10), "loc": (0, 0), "scale": (0.1, 10)})
    np.testing.assert_allclose(np.exp(res.x), [fit.params.a, fit.params.scale], rtol=1e-3)


def test_new_style_distributions():
    x, p = np.array([0.3, 1.2]), np.array([0.2, 1.1])
    for method, classic in (("logpdf", "logpdf"), ("ccdf", "sf"), ("logccdf", "logsf")):
        ours = getattr(S.Normal(mu=p[0], sigma=p[1]), method)(x)
        np.testing.assert_array_equal(ours, getattr(ss.Normal(mu=p[0], sigma=p[1]), method)(x))
        jac = da.jacobian(lambda q, m=method: getattr(S.Normal(mu=q[0], sigma=q[1]), m)(x))(p)
        np.testing.assert_allclose(jac, da.jacobian(lambda q, c=classic: getattr(S.norm, c)(x, q[0], q[1]))(p),
                                   rtol=1e-12)
    q = np.array([0.2, 0.7])
    np.testing.assert_allclose(da.jacobian(lambda ab: S.Uniform(a=ab[0], b=ab[1]).icdf(q))(np.array([0.5, 2.0])),
                               np.stack([1 - q, q], axis=-1), rtol=1e-13)
    assert S.Normal(mu=1.0).mean() == 1.0
    with pytest.raises(NotImplementedError, match="carry derivatives"):
        S.Normal(mu=DualArray(0.0, 1.0)).mean()
    with pytest.raises(TypeError, match=r"use dualarray\.scipy\.stats\.Normal"):
        da.gradient(lambda m: ss.Normal(mu=m[0], sigma=1.0).logpdf(1.0))(np.array([0.2]))


def test_review_findings_stay_fixed():
    # the Laplace cdf and quantile are smooth at the median
    assert da.derivative(lambda t: S.laplace.cdf(t))(0.0) == pytest.approx(0.5, rel=1e-14)
    assert da.derivative(lambda q: S.laplace.ppf(q))(0.5) == pytest.approx(2.0, rel=1e-14)
    # a truncated normal far in the upper tail keeps its digits
    np.testing.assert_allclose(da.derivative(lambda t: S.truncnorm.cdf(t, 8.0, 9.0))(8.3),
                               ss.truncnorm.pdf(8.3, 8.0, 9.0), rtol=1e-10)
    # a 1-D x with scalar mean and cov is that many 1-D points, as in SciPy
    xs = np.array([0.3, -0.2, 1.1])
    mvn = S.multivariate_normal
    np.testing.assert_array_equal(mvn.logpdf(xs, 0.1, 2.0), ss.multivariate_normal.logpdf(xs, 0.1, 2.0))
    np.testing.assert_allclose(da.jacobian(lambda m: mvn.logpdf(xs, m[0], 2.0))(np.array([0.1]))[:, 0],
                               (xs - 0.1) / 2.0, rtol=1e-13)
