"""scipy.special: classification, errors for discrete arguments, special points, and the functions
that are not ufuncs (what works through NumPy dispatch and what raises).

The derivative values themselves are checked row by row in tests/cases/special.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

sc = pytest.importorskip("scipy.special")
st = pytest.importorskip("scipy.stats")

from scipy._lib._array_api_override import SCIPY_ARRAY_API  # noqa: E402  (SCIPY_ARRAY_API=1 at SciPy's import)

from dualarray import DualArray, new_tag  # noqa: E402
from dualarray import array_api as xp  # noqa: E402
from dualarray.rules.special import classification, private_ufuncs, special_ufuncs  # noqa: E402

X = np.array([0.3, 0.7, 1.2])
if SCIPY_ARRAY_API:
    # SciPy's array-API path refuses to mix NumPy arrays with DualArrays: constants come from the namespace
    X = xp.asarray(X)


def _params(table):
    """parametrize arguments from rows ``(id, *values)``."""
    return {"argvalues": [row[1:] for row in table], "ids": [row[0] for row in table]}


def _fd(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


# ---------------------------------------------------------------- coverage
def test_every_public_ufunc_is_classified():
    found = [n for n in dir(sc) if isinstance(getattr(getattr(sc, n), "__wrapped__", getattr(sc, n)), np.ufunc)]
    table = special_ufuncs()
    assert sorted(table) == sorted(found)
    missing = [n for n, uf in table.items() if classification(uf) is None]
    assert not missing, f"unclassified scipy.special ufuncs: {missing}"


def test_at_least_150_rules():
    kinds = [classification(uf) for uf in special_ufuncs().values()]
    assert kinds.count("rule") >= 150, kinds.count("rule")


def test_private_ufuncs_behind_public_functions_are_classified():
    for name, uf in private_ufuncs().items():
        assert classification(uf) is not None, name


def test_unsupported_raise_with_reason():
    x = DualArray(X + 1, 1.0)
    with pytest.raises(NotImplementedError, match="noncentral"):
        sc.nctdtrinc(3.0, x, 0.5)
    with pytest.raises(NotImplementedError, match="zeta"):
        sc.zetac(x + 1)
    with pytest.raises(NotImplementedError, match="spheroidal"):
        sc.pro_cv(1, 2, x)


def test_zero_derivative_ufuncs():
    y = sc.gammasgn(DualArray(X - 1, 1.0))
    np.testing.assert_array_equal(y.value, sc.gammasgn(X - 1))
    np.testing.assert_array_equal(y.tangent, 0)


# ---------------------------------------------------------------- discrete / order arguments
ORDER_ERRORS = [
    ("jv order", lambda t: sc.jv(DualArray(1.5, t), X), "jv", "the order v"),
    ("jve order", lambda t: sc.jve(DualArray(1.5, t), X), "jve", "the order v"),
    ("kn order", lambda t: sc.kn(DualArray(2.0, t), X), "kn", "the integer order n"),
    ("expn order", lambda t: sc.expn(DualArray(2.0, t), X), "expn", "the integer order n"),
    ("legendre degree", lambda t: sc.eval_legendre(DualArray(3.0, t), X), "eval_legendre", "the degree n"),
    ("gegenbauer alpha", lambda t: sc.eval_gegenbauer(3, DualArray(0.7, t), X), "eval_gegenbauer", "alpha"),
    ("gammainc shape", lambda t: sc.gammainc(DualArray(2.0, t), X), "gammainc", "the shape a"),
    ("betainc a", lambda t: sc.betainc(DualArray(2.0, t), 3.0, X / 2), "betainc", "the parameter a"),
    ("hyp1f1 b", lambda t: sc.hyp1f1(0.5, DualArray(1.5, t), X), "hyp1f1", "the parameter b"),
    ("bdtr k", lambda t: sc.bdtr(DualArray(3.0, t), 10, X / 2), "bdtr", "successes k"),
    ("stdtr df", lambda t: sc.stdtr(DualArray(3.0, t), X), "stdtr", "degrees of freedom"),
    ("pbdv order (multi-output)", lambda t: sc.pbdv(DualArray(1.3, t), X), "pbdv", "the order v"),
    ("mathieu q (multi-output)", lambda t: sc.mathieu_cem(2, DualArray(1.5, t), X), "mathieu_cem", "q"),
    ("zeta exponent", lambda t: sc.zeta(DualArray(2.5, t), X + 1), "_zeta", "the exponent s"),
]


@pytest.mark.parametrize(("call", "func", "argument"), **_params(ORDER_ERRORS))
def test_tangent_on_discrete_argument_raises(call, func, argument):
    with pytest.raises(NotImplementedError, match=argument) as info:
        call(1.0)
    assert func in str(info.value)


@pytest.mark.parametrize(("call", "func", "argument"), **_params(ORDER_ERRORS))
def test_constant_discrete_argument_is_exact(call, func, argument):
    # a DualArray with a zero tangent in that argument is a constant: no error, value unchanged
    result = call(None)
    for r in result if isinstance(result, tuple) else (result,):
        assert isinstance(r, DualArray)
        assert r._tangent is None


def test_constant_order_with_differentiated_argument():
    x = DualArray(X + 1, 1.0)
    y = sc.jv(DualArray(1.5), x)  # constant order as a DualArray without tangent
    plain = sc.jv(1.5, x)
    np.testing.assert_array_equal(y.value, sc.jv(1.5, X + 1))
    np.testing.assert_array_equal(y.tangent, plain.tangent)
    np.testing.assert_allclose(y.tangent, (sc.jv(0.5, X + 1) - sc.jv(2.5, X + 1)) / 2, rtol=1e-14)


def test_gammainc_in_x_and_not_in_a():
    a, x = 2.5, DualArray(X + 0.5, 1.0)
    y = sc.gammainc(a, x)
    dens = (X + 0.5) ** (a - 1) * np.exp(-(X + 0.5)) / math.gamma(a)
    np.testing.assert_allclose(y.tangent, dens, rtol=1e-13)
    np.testing.assert_allclose(sc.gammaincc(a, x).tangent, -dens, rtol=1e-13)
    with pytest.raises(NotImplementedError, match="gammainc.*the shape a"):
        sc.gammainc(DualArray(a, 1.0), X)
    with pytest.raises(NotImplementedError, match="the shape a"):
        sc.gammaincinv(DualArray(a, 1.0), X / 2)


# ---------------------------------------------------------------- special points
SPECIAL_POINTS = [
    ("exprel at 0", lambda x: sc.exprel(x), 0.0, 0.5),
    ("ellipk at 0", lambda m: sc.ellipk(m), 0.0, math.pi / 8),
    ("ellipe at 0", lambda m: sc.ellipe(m), 0.0, -math.pi / 8),
    ("ellipkm1 at 1", lambda p: sc.ellipkm1(p), 1.0, -math.pi / 8),
    ("ellipkinc m at 0", lambda m: sc.ellipkinc(0.8, m), 0.0, (1.6 - math.sin(1.6)) / 8),
    ("ellipeinc m at 0", lambda m: sc.ellipeinc(0.8, m), 0.0, -(1.6 - math.sin(1.6)) / 8),
    ("sici Si at 0", lambda x: sc.sici(x)[0], 0.0, 1.0),
    ("shichi Shi at 0", lambda x: sc.shichi(x)[0], 0.0, 1.0),
    ("spence at 1", lambda z: sc.spence(z), 1.0, -1.0),
    ("boxcox lambda at 0", lambda lm: sc.boxcox(2.0, lm), 0.0, math.log(2.0) ** 2 / 2),
    ("boxcox1p lambda at 0", lambda lm: sc.boxcox1p(1.0, lm), 0.0, math.log(2.0) ** 2 / 2),
    ("inv_boxcox lambda at 0", lambda lm: sc.inv_boxcox(0.5, lm), 0.0, -math.exp(0.5) * 0.125),
    ("legendre degree 0", lambda x: sc.eval_legendre(0, x), 0.3, 0.0),
    ("hermite degree 0", lambda x: sc.eval_hermite(0, x), 0.3, 0.0),
    ("expn order 0", lambda x: sc.expn(0, x), 0.7, -math.exp(-0.7) / 0.7 * (1 + 1 / 0.7)),
    ("tukey lambda outside support", lambda x: sc.tklmbda(x, 1.0), 2.0, 0.0),
    ("huber quadratic part", lambda r: sc.huber(1.0, r), 0.5, 0.5),
    ("huber linear part", lambda r: sc.huber(1.0, r), -2.0, -1.0),
]


@pytest.mark.parametrize(("f", "x", "expected"), **_params(SPECIAL_POINTS))
def test_special_points(f, x, expected):
    y = f(DualArray(np.float64(x), 1.0))
    np.testing.assert_array_equal(y.value, f(np.float64(x)))
    np.testing.assert_allclose(y.tangent, expected, rtol=1e-12, atol=1e-15)


def test_singular_partial_keeps_zero_tangents_zero():
    # erfinv'(1) = inf: a zero tangent there stays 0, not 0·inf = NaN
    y = sc.erfinv(DualArray(np.array([0.5, 1.0]), np.array([1.0, 0.0])))
    assert np.isfinite(y.tangent[0]) and y.tangent[1] == 0


def test_complex_digamma_derivative_raises():
    z = DualArray(np.array([1.5 + 0.5j]), 1.0)
    assert isinstance(sc.loggamma(z), DualArray)  # first derivative: digamma works for complex
    with pytest.raises(NotImplementedError, match="trigamma"):
        sc.digamma(z)


def test_complex_airye_raises():
    with pytest.raises(NotImplementedError, match="airye"):
        sc.airye(DualArray(np.array([0.5 + 0.2j]), 1.0))


def test_kolmogorov_second_derivative_raises():
    inner, outer = new_tag(), new_tag()
    x = DualArray(DualArray(X + 0.5, 1.0, tag=inner), 1.0, tag=outer)
    with pytest.raises(NotImplementedError, match="second derivative"):
        sc.kolmogorov(x)


def test_gamma_second_derivative_through_trigamma():
    inner, outer = new_tag(), new_tag()
    x = DualArray(DualArray(X + 0.5, 1.0, tag=inner), 1.0, tag=outer)
    y = sc.gamma(x)
    g = sc.gamma(X + 0.5)
    psi, psi1 = sc.digamma(X + 0.5), sc.polygamma(1, X + 0.5)
    np.testing.assert_allclose(y.tangent.tangent, g * (psi * psi + psi1), rtol=1e-12)


def test_k_directions_through_multi_output():
    x = DualArray(X, np.stack([np.ones(3), 2 * np.ones(3), np.zeros(3)]), batched=True)
    ai, aip, bi, bip = sc.airy(x)
    np.testing.assert_allclose(ai.tangent, np.outer([1, 2, 0], sc.airy(X)[1]), rtol=1e-14)
    np.testing.assert_allclose(aip.tangent, np.outer([1, 2, 0], X * sc.airy(X)[0]), rtol=1e-14)


# ---------------------------------------------------------------- functions that are not ufuncs
def _dual():
    return DualArray(X + 0.5, 1.0)


# (name, call on a DualArray, plain reference or None, outcome)
NON_UFUNCS = [
    ("special.zeta(s, q)", lambda x: sc.zeta(2.5, x), "works"),
    ("special.lambertw", lambda x: sc.lambertw(x), "works"),
    ("special.softplus", lambda x: sc.softplus(x), "works"),
    ("special.sinc (numpy.sinc)", lambda x: sc.sinc(x), "works"),
    ("special.zeta(s)", lambda x: sc.zeta(x + 1), NotImplementedError),
    ("special.polygamma", lambda x: sc.polygamma(1, x), TypeError),
    ("special.multigammaln", lambda x: sc.multigammaln(x + 2, 2), TypeError),
    ("special.logsumexp", lambda x: sc.logsumexp(x), "works" if SCIPY_ARRAY_API else TypeError),
    ("special.softmax", lambda x: sc.softmax(x), "works" if SCIPY_ARRAY_API else TypeError),
    ("special.log_softmax", lambda x: sc.log_softmax(x), "works" if SCIPY_ARRAY_API else TypeError),
    ("special.spherical_jn", lambda x: sc.spherical_jn(2, x), TypeError),
    ("special.spherical_yn", lambda x: sc.spherical_yn(2, x, derivative=True), TypeError),
    ("special.spherical_in", lambda x: sc.spherical_in(2, x), TypeError),
    ("special.spherical_kn", lambda x: sc.spherical_kn(2, x), TypeError),
    ("special.comb", lambda x: sc.comb(x + 5, 2), TypeError),
    ("special.perm", lambda x: sc.perm(x + 5, 2), TypeError),
    ("special.factorial", lambda x: sc.factorial(x), TypeError),
]
for _dist, _args, _scale in (("norm", (), 1.0), ("t", (3.0,), 1.0), ("gamma", (2.0,), 1.0),
                             ("beta", (2.0, 3.0), 0.5), ("expon", (), 1.0), ("logistic", (), 1.0)):
    for _meth in ("logpdf", "pdf", "cdf"):
        NON_UFUNCS.append((
            f"stats.{_dist}.{_meth}",
            (lambda d, m, a, s: lambda x: getattr(getattr(st, d), m)(x * s, *a))(_dist, _meth, _args, _scale),
            TypeError,
        ))
NON_UFUNCS.append(("stats.norm.logpdf(loc=DualArray)", lambda x: st.norm.logpdf(0.5, loc=x), TypeError))
NON_UFUNCS.append(("stats.norm(...).logpdf (frozen)", lambda x: st.norm(0.0, 1.0).logpdf(x), TypeError))


@pytest.mark.parametrize(("call", "outcome"), **_params(NON_UFUNCS))
def test_non_ufunc_functions(call, outcome):
    """Records which non-ufunc functions work with DualArrays and which raise a clear error."""
    if outcome == "works":
        y = call(_dual())
        assert isinstance(y, DualArray)
        np.testing.assert_array_equal(y.value, call(X + 0.5))
        np.testing.assert_allclose(y.tangent, _fd(call, X + 0.5), rtol=1e-6, atol=1e-9)
        return
    with pytest.raises(outcome) as info:
        call(_dual())
    message = str(info.value)
    assert "DualArray" in message or "not supported" in message


def test_private_spherical_ufuncs_work_directly():
    import scipy.special._ufuncs as u

    y = u._spherical_jn(2, _dual())
    np.testing.assert_allclose(y.tangent, sc.spherical_jn(2, X + 0.5, derivative=True), rtol=1e-13)
    y = u._spherical_kn_d(1, _dual())
    expected = _fd(lambda z: sc.spherical_kn(1, z, derivative=True), X + 0.5)
    np.testing.assert_allclose(y.tangent, expected, rtol=1e-7)


def _central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize(
    ("f", "x"),
    [
        (lambda t: sc.kn(1.5, t), 1.0),  # SciPy truncates the order: the derivative must too
        (lambda t: sc.yn(2.5, t), 1.0),
        (lambda p: sc.bdtr(1, 4.5, p), 0.3),
        (lambda p: sc.nbdtr(2, 4.7, p), 0.3),
        (lambda t: sc.expn(0.5, t), 0.5),
        (lambda t: sc.elliprg(-2.647 + 1.664j, -1.986 + 1.629j, t), -0.955 + 1.983j),  # √x·√y branch
    ],
)
def test_truncated_orders_and_branches(f, x):
    import warnings

    from dualarray import derivative

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(derivative(f)(x), _central(f, x), rtol=1e-7)


def test_elliprf_zero_tangent_stays_zero_at_an_infinite_partial():
    from dualarray import jacobian

    jac = jacobian(lambda p: sc.elliprf(p[0], p[1], 0.5))(np.array([0.0, 0.7]))
    assert jac[0] == -np.inf and np.isfinite(jac[1])


# ---------------------------------------------------------------- finite derivatives at coincident / zero arguments
def _jac_fd(f, v, h=1e-6):
    v = np.asarray(v, dtype=float)
    return np.array([(f(v + h * e) - f(v - h * e)) / (2 * h) for e in np.eye(v.size)])


FINITE_POINTS = [
    # (id, f of one scalar, point, closed form or None for the central difference only)
    ("elliprg zero x: E(m)", lambda m: 2 * sc.elliprg(0.0, 1 - m, 1.0), 0.3,
     (sc.ellipe(0.3) - sc.ellipk(0.3)) / 0.6),
    ("elliprg x equal z", lambda t: sc.elliprg(t, 2.0, 1.0), 1.0, None),
    ("elliprd x equal z", lambda t: sc.elliprd(1.0, 2.0, t), 1.0, None),
    ("elliprd zero x, d/dz", lambda t: sc.elliprd(0.0, 0.371, t), 0.89, None),
    ("elliprj p equal z, d/dp", lambda t: sc.elliprj(1.0, 2.0, 3.0, t), 3.0, None),
    ("elliprj p equal z, d/dz", lambda t: sc.elliprj(1.0, 2.0, t, 3.0), 3.0, None),
    ("elliprj zero x, d/dp", lambda t: sc.elliprj(0.0, 2.0, 3.0, t), 1.5, None),
    # zeros of 1/Γ: d/dx 1/Γ(x) = (-1)ⁿ n! at x = -n
    ("rgamma at 0", sc.rgamma, 0.0, 1.0),
    ("rgamma at -1", sc.rgamma, -1.0, -1.0),
    ("rgamma at -2", sc.rgamma, -2.0, 2.0),
    ("rgamma at -3", sc.rgamma, -3.0, -6.0),
    ("binom n where n-k+1 = 0", lambda n: sc.binom(n, 2.0), 1.0, 0.5),  # n(n-1)/2
    ("binom k where n-k+1 = 0", lambda k: sc.binom(1.0, k), 2.0, None),
    ("poch z at 0", lambda t: sc.poch(t, 1.5), 0.0, math.gamma(1.5)),
    ("poch z at -1", lambda t: sc.poch(t, 1.5), -1.0, -math.gamma(0.5)),
    ("beta a where a+b = -1", lambda a: sc.beta(a, 0.5), -1.5, -4 * math.pi / 3),  # Γ(-3/2)Γ(1/2)·(-1)
    ("beta b where a+b = -1", lambda b: sc.beta(0.5, b), -1.5, -4 * math.pi / 3),
    # a and a+b both poles of Γ (b a positive integer): B(a, b) = Γ(b) / (a (a+1) ... (a+b-1))
    ("beta a where a, a+b = -2, -1", lambda a: sc.beta(a, 1.0), -2.0, -0.25),  # B = 1/a
    ("beta a where a, a+b = -5, -2", lambda a: sc.beta(a, 3.0), -5.0, None),
    ("betaln a where a, a+b = -2, -1", lambda a: sc.betaln(a, 1.0), -2.0, 0.5),  # log|1/a|
    ("betaln b where b, a+b = -5, -2", lambda b: sc.betaln(3.0, b), -5.0, None),
    # σ = 0: the Lorentzian γ / (π(x² + γ²))
    ("voigt x at sigma 0", lambda t: sc.voigt_profile(t, 0.0, 0.7), 0.5, -0.7 / (math.pi * 0.74**2)),
    ("voigt gamma at sigma 0", lambda t: sc.voigt_profile(0.5, 0.0, t), 0.7, (0.25 - 0.49) / (math.pi * 0.74**2)),
]


@pytest.mark.parametrize(("f", "x", "expected"), **_params(FINITE_POINTS))
def test_finite_derivative_at_special_arguments(f, x, expected):
    from dualarray import derivative

    d = derivative(f)(x)
    assert np.isfinite(d)
    np.testing.assert_allclose(d, _central(f, x), rtol=1e-7)
    if expected is not None:
        np.testing.assert_allclose(d, expected, rtol=1e-12)


JACOBIAN_POINTS = [
    # all-equal arguments: R(c, ..., c) = c^(-a) with each partial -a b_i / Σb · c^(-a-1)
    ("elliprg equal", lambda v: sc.elliprg(v[0], v[1], v[2]), [1.0, 1.0, 1.0], [1 / 6, 1 / 6, 1 / 6]),
    ("elliprd equal", lambda v: sc.elliprd(v[0], v[1], v[2]), [1.0, 1.0, 1.0], [-0.3, -0.3, -0.9]),
    ("elliprd equal 4", lambda v: sc.elliprd(v[0], v[1], v[2]), [4.0, 4.0, 4.0],
     [-0.3 / 32, -0.3 / 32, -0.9 / 32]),
    ("elliprj equal", lambda v: sc.elliprj(v[0], v[1], v[2], v[3]), [1.0] * 4, [-0.3, -0.3, -0.3, -0.6]),
    ("elliprd y equal z", lambda v: sc.elliprd(v[0], v[1], v[2]), [0.5, 2.0, 2.0], None),
    ("elliprj x, y equal p", lambda v: sc.elliprj(v[0], v[1], v[2], v[3]), [1.5, 1.5, 0.4, 1.5], None),
    ("elliprj p equal z", lambda v: sc.elliprj(v[0], v[1], v[2], v[3]), [1.0, 2.0, 3.0, 3.0], None),
    ("elliprg zero and equal", lambda v: sc.elliprg(v[0], v[1], v[2]), [0.0, 0.7, 0.7], None),
]


@pytest.mark.parametrize(("f", "x", "expected"), **_params(JACOBIAN_POINTS))
def test_finite_jacobian_at_special_arguments(f, x, expected):
    from dualarray import jacobian

    jac = jacobian(f)(np.array(x))
    assert np.all(np.isfinite(jac))
    if expected is not None:
        np.testing.assert_allclose(jac, expected, rtol=1e-12)
    free = [i for i, v in enumerate(x) if v != 0]  # the central difference needs both sides in the domain
    np.testing.assert_allclose(jac[free], _jac_fd(f, x)[free], rtol=1e-6)


@pytest.mark.parametrize(
    ("f", "x"),
    [(sc.rgamma, 0.0), (sc.rgamma, -2.0), (lambda n: sc.binom(n, 2.0), 1.0), (lambda t: sc.poch(t, 1.5), 0.0),
     (lambda a: sc.beta(a, 0.5), -1.5), (lambda a: sc.beta(a, 3.0), -5.0), (lambda a: sc.betaln(a, 1.0), -2.0)],
)
def test_second_derivative_at_zeros_of_rgamma(f, x):
    # the special case differentiates an identity valid near the point, so it nests
    from dualarray import derivative

    h = 1e-4
    np.testing.assert_allclose(derivative(derivative(f))(x), (f(x + h) - 2 * f(x) + f(x - h)) / h**2, rtol=1e-6)


def test_voigt_sigma_derivative_at_zero_is_the_one_sided_limit():
    from dualarray import derivative, jacobian

    f = lambda s: sc.voigt_profile(0.5, s, 0.7)  # noqa: E731
    assert derivative(f)(0.0) == 0.0  # a Python float: no ZeroDivisionError
    for h in (1e-3, 1e-4):  # V = L + O(σ²): the one-sided difference is O(h)
        assert abs((f(h) - f(0.0)) / h) < 0.2 * h
    jac = jacobian(lambda v: sc.voigt_profile(v[0], v[1], v[2]))(np.array([0.5, 0.0, 0.7]))
    np.testing.assert_allclose(jac, [-0.7 / (math.pi * 0.74**2), 0.0, (0.25 - 0.49) / (math.pi * 0.74**2)])


EDGE_POINTS = [
    # (id, f, point, closed form, step h: > 0 one-sided forward, < 0 backward, rtol of that difference)
    ("struve 0 at 0", lambda x: sc.struve(0.0, x), 0.0, 2 / math.pi, 1e-6, 1e-6),
    ("modstruve 0 at 0", lambda x: sc.modstruve(0.0, x), 0.0, 2 / math.pi, 1e-6, 1e-6),
    ("struve 1 at 0", lambda x: sc.struve(1.0, x), 0.0, 0.0, 1e-7, 1e-6),
    ("modstruve 1 at 0", lambda x: sc.modstruve(1.0, x), 0.0, 0.0, 1e-7, 1e-6),
    ("it2struve0 at 0", sc.it2struve0, 0.0, -2 / math.pi, 1e-6, 1e-5),
    ("beip at 0", sc.beip, 0.0, 0.5, 1e-6, 1e-5),  # bei = x²/4 - ...
    ("berp at 0", sc.berp, 0.0, 0.0, 1e-6, 1e-5),  # ber = 1 - x⁴/64 + ...
    ("agm b at a = b", lambda b: sc.agm(1.0, b), 1.0, 0.5, 1e-6, 1e-5),
    ("agm a at a = b", lambda a: sc.agm(a, 2.0), 2.0, 0.5, -1e-6, 1e-5),
    ("agm b at a = 0", lambda b: sc.agm(0.0, b), 1.0, 0.0, 1e-6, 1e-5),
    # central difference (h = 1e-3) 0.1168937441; SciPy treats |λ| < 1e-4 as λ = 0, so h cannot be smaller
    ("tklmbda lambda at 0", lambda lm: sc.tklmbda(0.7, lm), 0.0, 0.11689373011587532, 1e-3, 1e-3),
    ("boxcox lambda at x = 0", lambda lm: sc.boxcox(0.0, lm), 0.5, 4.0, 1e-6, 1e-5),  # -1/λ
    ("boxcox1p lambda at x = -1", lambda lm: sc.boxcox1p(-1.0, lm), 0.5, 4.0, 1e-6, 1e-5),
    ("powm1 p at x = 0", lambda p: sc.powm1(0.0, p), 1.5, 0.0, 1e-6, 1e-5),
    ("lpmv 0 0 at 1", lambda x: sc.lpmv(0, 0, x), 1.0, 0.0, -1e-6, 1e-5),
    ("lpmv 0 0 at -1", lambda x: sc.lpmv(0, 0, x), -1.0, 0.0, 1e-6, 1e-5),
    ("lpmv 0 3 at 1", lambda x: sc.lpmv(0, 3, x), 1.0, 6.0, -1e-7, 1e-5),
    ("lpmv 0 3 at -1", lambda x: sc.lpmv(0, 3, x), -1.0, 6.0, 1e-7, 1e-5),
    ("lpmv 0 2.5 at 1", lambda x: sc.lpmv(0, 2.5, x), 1.0, 2.5 * 3.5 / 2, -1e-7, 1e-5),
]


@pytest.mark.parametrize(("f", "x", "expected", "h", "rtol"), **_params(EDGE_POINTS))
def test_finite_derivative_at_edges(f, x, expected, h, rtol):
    from dualarray import derivative

    d = derivative(f)(x)
    np.testing.assert_allclose(d, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose((f(x + h) - f(x)) / h, d, rtol=rtol, atol=1e-6)


def test_ellipj_at_m_one():
    # A&S 16.15: the first-order terms in 1 - m; a zero m-tangent no longer leaks NaN into the u-column
    from dualarray import jacobian

    u = 0.8
    jac = jacobian(lambda v: np.stack(sc.ellipj(v[0], v[1])))(np.array([u, 1.0]))
    assert np.all(np.isfinite(jac))
    sech, th = 1 / math.cosh(u), math.tanh(u)
    np.testing.assert_allclose(jac[:, 0], [sech * sech, -th * sech, -th * sech, sech], rtol=1e-12)
    h = 1e-7
    backward = (np.array(sc.ellipj(u, 1.0)) - np.array(sc.ellipj(u, 1 - h))) / h
    np.testing.assert_allclose(jac[:, 1], backward, rtol=1e-6)


@pytest.mark.parametrize(
    ("f", "x"),
    [
        (lambda lm: sc.boxcox(2.0, lm), 0.0),
        (lambda t: sc.elliprd(1.0, 2.0, t), 1.0),
        (lambda b: sc.agm(1.0, b), 1.0),
        (lambda s: sc.voigt_profile(0.5, s, 0.7), 0.0),
    ],
)
def test_first_order_only_limits_raise_at_second_order(f, x):
    from dualarray import derivative

    assert np.isfinite(derivative(f)(x))
    with pytest.raises(NotImplementedError, match="second derivatives"):
        derivative(derivative(f))(x)
