"""SciPy end to end: optimizers, root finders, least squares, curve fits and stiff ODEs with AD derivatives.

Every test runs the solver twice, with dualarray derivatives and with SciPy's finite differences, counts
the calls of the user's function in both runs (including the calls the AD transforms and the
finite-difference schemes make), and checks that the AD run finds the solution, needs fewer calls, and
is at least as accurate.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import scipy.optimize as so
from scipy.integrate import solve_ivp

import dualarray.transforms
from dualarray import DualArray, derivative, gradient, hessian, hvp, jacobian, value_and_gradient
from dualarray import optimize as dao
from dualarray._core import REVERSE_TAGS


class Counted:
    """A function that counts its calls."""

    def __init__(self, f):
        self.f = f
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.f(*args, **kwargs)


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


X0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
ONES = np.ones(5)


def fd_gradient(f):
    return lambda x, *args: so.approx_fprime(x, f, np.sqrt(np.finfo(float).eps), *args)


def fd_hessian(f):
    g = fd_gradient(f)
    return lambda x, *args: so.approx_fprime(x, g, 1e-5, *args)


def check(ad: Counted, fd: Counted, x_ad, x_fd, x_star, tol, floor=1e-14):
    """AD solution within ``tol``, with fewer calls, and at least as accurate as finite differences.

    "At least as accurate" allows rounding-level differences: a relative 1% of the FD error (an ODE
    integrator's error is set by its step-size control, not by the Jacobian, so both runs land within
    rounding of each other) and an absolute ``floor`` at machine precision.
    """
    err_ad = np.max(np.abs(x_ad - x_star))
    err_fd = np.max(np.abs(x_fd - x_star))
    assert err_ad < tol, (err_ad, err_fd)
    assert ad.calls < fd.calls, (ad.calls, fd.calls)
    assert err_ad <= max(1.01 * err_fd, floor), (err_ad, err_fd)


# ---------------------------------------------------------------- minimize
@pytest.mark.parametrize(
    "method, options",
    [
        ("BFGS", {"gtol": 1e-10}),
        ("L-BFGS-B", {"gtol": 1e-12, "ftol": 1e-15}),
        ("CG", {"gtol": 1e-10}),
        ("SLSQP", {"ftol": 1e-14}),
        ("trust-constr", {"gtol": 1e-12, "xtol": 1e-14}),
    ],
)
def test_minimize_jac(method, options):
    ad, fd = Counted(rosen), Counted(rosen)
    r_ad = so.minimize(ad, X0, method=method, jac=gradient(ad), options=options)
    r_fd = so.minimize(fd, X0, method=method, options=options)
    check(ad, fd, r_ad.x, r_fd.x, ONES, 1e-5)


def test_minimize_jac_true_value_and_gradient():
    ad, fd = Counted(rosen), Counted(rosen)
    r_ad = so.minimize(value_and_gradient(ad), X0, method="BFGS", jac=True, options={"gtol": 1e-10})
    r_fd = so.minimize(fd, X0, method="BFGS", options={"gtol": 1e-10})
    check(ad, fd, r_ad.x, r_fd.x, ONES, 1e-6)
    assert ad.calls == r_ad.nfev  # value and gradient come from the same single pass


# A strictly convex test function for dogleg (needs a positive definite Hessian everywhere).
_A = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
_B = np.array([1.0, -2.0, 3.0])


def convex(x):
    return 0.25 * np.sum(x**4) + 0.5 * x @ (_A @ x) - _B @ x + np.sum(np.exp(0.1 * x))


_CONVEX_STAR = so.minimize(
    convex,
    np.zeros(3),
    method="trust-exact",
    jac=gradient(convex),
    hess=hessian(convex),
    options={"gtol": 1e-14},
).x


@pytest.mark.parametrize(
    "method, fun, x0, x_star, options",
    [
        ("Newton-CG", rosen, X0, ONES, {"xtol": 1e-12}),
        ("trust-exact", rosen, X0, ONES, {"gtol": 1e-12}),
        ("trust-ncg", rosen, X0, ONES, {"gtol": 1e-12}),
        ("trust-krylov", rosen, X0, ONES, {"gtol": 1e-12, "maxiter": 100}),
        ("dogleg", convex, np.zeros(3), _CONVEX_STAR, {"gtol": 1e-12}),
    ],
)
def test_minimize_hess(method, fun, x0, x_star, options):
    # these methods refuse jac=None, so the baseline is finite differences of f for the gradient and
    # finite differences of that gradient for the Hessian (what a user without AD would write)
    ad, fd = Counted(fun), Counted(fun)
    r_ad = so.minimize(ad, x0, method=method, jac=gradient(ad), hess=hessian(ad), options=options)
    r_fd = so.minimize(fd, x0, method=method, jac=fd_gradient(fd), hess=fd_hessian(fd), options=options)
    check(ad, fd, r_ad.x, r_fd.x, x_star, 1e-6)


@pytest.mark.parametrize("method", ["Newton-CG", "trust-ncg", "trust-krylov"])
def test_minimize_hessp(method):
    # maxiter bounds the finite-difference runs, which stall; the AD runs converge in about 20 iterations
    options = {"xtol": 1e-12} if method == "Newton-CG" else {"gtol": 1e-12, "maxiter": 100}
    ad, fd = Counted(rosen), Counted(rosen)
    r_ad = so.minimize(ad, X0, method=method, jac=gradient(ad), hessp=hvp(ad), options=options)
    # SciPy's fallback for hessp: finite differences of the (finite-difference) gradient
    g = fd_gradient(fd)
    fd_hessp = lambda x, p: (g(x + 1e-6 * p) - g(x)) / 1e-6  # noqa: E731
    r_fd = so.minimize(fd, X0, method=method, jac=g, hessp=fd_hessp, options=options)
    check(ad, fd, r_ad.x, r_fd.x, ONES, 1e-6)


def _circle(x):
    return x @ x


def _on_circle(theta):
    return rosen(np.stack([np.cos(theta), np.sin(theta)]))


# the constrained optimum, from the 1-D problem on the circle: d/dθ rosen(cos θ, sin θ) = 0
_THETA = so.brentq(derivative(_on_circle), 0.5, 0.8, xtol=1e-15)
_CIRCLE_STAR = np.array([np.cos(_THETA), np.sin(_THETA)])


@pytest.mark.filterwarnings("ignore:delta_grad == 0.0")  # from the quasi-Newton Hessian of the FD run
@pytest.mark.parametrize("method", ["trust-constr", "SLSQP"])
def test_nonlinear_constraint_jacobian(method):
    # min rosen(x) subject to |x|² <= 1 in 2-D: the optimum lies on the circle
    x0 = np.array([-0.5, 0.5])
    if method == "trust-constr":  # interior point: the barrier parameter must go below the target error
        opts = {"gtol": 1e-12, "xtol": 1e-14, "barrier_tol": 1e-14, "initial_barrier_parameter": 1e-3}
    else:
        opts = {"ftol": 1e-14}
    ad, cad = Counted(rosen), Counted(_circle)
    if method == "trust-constr":  # exact Hessians of the objective and of the constraint's Lagrangian term
        con = so.NonlinearConstraint(
            cad, -np.inf, 1.0, jac=jacobian(cad), hess=lambda x, v: v[0] * hessian(cad)(x)
        )
        r_ad = so.minimize(
            ad, x0, method=method, jac=gradient(ad), hess=hessian(ad), constraints=[con], options=opts
        )
    else:
        con = so.NonlinearConstraint(cad, -np.inf, 1.0, jac=jacobian(cad))
        r_ad = so.minimize(ad, x0, method=method, jac=gradient(ad), constraints=[con], options=opts)
    fd, cfd = Counted(rosen), Counted(_circle)
    con = so.NonlinearConstraint(cfd, -np.inf, 1.0)
    r_fd = so.minimize(fd, x0, method=method, constraints=[con], options=opts)
    assert abs(r_ad.x @ r_ad.x - 1.0) < 1e-9
    ad.calls += cad.calls
    fd.calls += cfd.calls
    check(ad, fd, r_ad.x, r_fd.x, _CIRCLE_STAR, 1e-9)


# ---------------------------------------------------------------- roots, least squares, curve fitting
def bratu(u, lam=1.0):
    """Discretized 1-D Bratu residual: u'' + λ exp(u) = 0 on (0, 1), u(0) = u(1) = 0."""
    h = 1.0 / (u.shape[0] + 1)
    zero = np.zeros(1)
    left = np.concatenate([zero, u[:-1]])
    right = np.concatenate([u[1:], zero])
    return left - 2.0 * u + right + h * h * lam * np.exp(u)


def _bratu_reference(n):
    return so.root(bratu, np.zeros(n), jac=jacobian(bratu), method="hybr", tol=1e-14).x


@pytest.mark.parametrize("method", ["hybr", "lm"])
def test_root(method):
    n = 20
    u_star = _bratu_reference(n)
    options = {"xtol": 1e-13}
    ad, fd = Counted(bratu), Counted(bratu)
    r_ad = so.root(ad, np.zeros(n), method=method, jac=jacobian(ad), options=options)
    r_fd = so.root(fd, np.zeros(n), method=method, options=options)
    assert np.max(np.abs(bratu(r_ad.x))) < 1e-12
    check(ad, fd, r_ad.x, r_fd.x, u_star, 1e-10)


def test_fsolve_fprime():
    n = 20
    u_star = _bratu_reference(n)
    ad, fd = Counted(bratu), Counted(bratu)
    x_ad = so.fsolve(ad, np.zeros(n), fprime=jacobian(ad), xtol=1e-13)
    x_fd = so.fsolve(fd, np.zeros(n), xtol=1e-13)
    check(ad, fd, x_ad, x_fd, u_star, 1e-10)


def _residuals(p, t, y):
    return p[0] * np.exp(-p[1] * t) + p[2] - y


_T = np.linspace(0.0, 4.0, 40)
_P_TRUE = np.array([2.5, 1.3, 0.5])
_Y = _P_TRUE[0] * np.exp(-_P_TRUE[1] * _T) + _P_TRUE[2]  # exact data: the fit must recover _P_TRUE


def test_least_squares_jac():
    ad, fd = Counted(_residuals), Counted(_residuals)
    kw = {"args": (_T, _Y), "xtol": 1e-15, "ftol": 1e-15, "gtol": 1e-15}
    r_ad = so.least_squares(ad, np.ones(3), jac=jacobian(ad), **kw)
    r_fd = so.least_squares(fd, np.ones(3), **kw)
    check(ad, fd, r_ad.x, r_fd.x, _P_TRUE, 1e-9)


def _model(t, a, b, c):
    return a * np.exp(-b * t) + c


def test_curve_fit_jac():
    ad, fd = Counted(_model), Counted(_model)
    # curve_fit wants jac(t, *params) -> (len(t), n_params): differentiate in the parameter vector
    by_params = jacobian(lambda p, t: ad(t, p[0], p[1], p[2]))
    kw = {"p0": np.ones(3), "xtol": 1e-15, "ftol": 1e-15, "gtol": 1e-15}
    p_ad, _ = so.curve_fit(ad, _T, _Y, jac=lambda t, *p: by_params(np.array(p), t), **kw)
    p_fd, _ = so.curve_fit(fd, _T, _Y, **kw)
    check(ad, fd, p_ad, p_fd, _P_TRUE, 1e-9)


# ---------------------------------------------------------------- stiff ODEs
def robertson(t, y):
    """Robertson's chemical kinetics: the classic stiff test problem."""
    r1 = 0.04 * y[0]
    r2 = 1.0e4 * y[1] * y[2]
    r3 = 3.0e7 * y[1] ** 2
    return np.stack([r2 - r1, r1 - r2 - r3, r3])


_Y0 = np.array([1.0, 0.0, 0.0])
_T_END = 40.0


def test_robertson_jacobian_closed_form():
    y = np.array([0.7, 2e-5, 0.3])
    expected = np.array(
        [
            [-0.04, 1e4 * y[2], 1e4 * y[1]],
            [0.04, -1e4 * y[2] - 6e7 * y[1], -1e4 * y[1]],
            [0.0, 6e7 * y[1], 0.0],
        ]
    )
    np.testing.assert_allclose(jacobian(robertson, argnums=1)(0.0, y), expected, rtol=1e-15, atol=0)


@functools.cache
def _robertson_reference():
    jac = jacobian(robertson, argnums=1)
    sol = solve_ivp(robertson, (0.0, _T_END), _Y0, method="Radau", jac=jac, rtol=1e-12, atol=1e-16)
    return sol.y[:, -1]


@pytest.mark.parametrize("method", ["BDF", "Radau", "LSODA"])
def test_solve_ivp_stiff(method):
    reference = _robertson_reference()
    ad, fd = Counted(robertson), Counted(robertson)
    kw = {"method": method, "rtol": 1e-8, "atol": 1e-12}
    s_ad = solve_ivp(ad, (0.0, _T_END), _Y0, jac=jacobian(ad, argnums=1), **kw)
    s_fd = solve_ivp(fd, (0.0, _T_END), _Y0, **kw)
    assert s_ad.success
    assert s_ad.njev > 0
    scale = np.array([1.0, 1e-5, 1.0])  # y[1] lives near 1e-5
    check(ad, fd, s_ad.y[:, -1] / scale, s_fd.y[:, -1] / scale, reference / scale, 1e-5)


# ---------------------------------------------------------------- dualarray.optimize
@pytest.mark.parametrize(
    "method",
    [
        "BFGS",
        "L-BFGS-B",
        "CG",
        "SLSQP",
        "trust-constr",
        "Newton-CG",
        "trust-ncg",
        "trust-krylov",
        "trust-exact",
        None,
    ],
)
def test_optimize_minimize_fills_derivatives(method):
    f = Counted(rosen)
    res = dao.minimize(f, X0, method=method, tol=1e-12)
    assert np.max(np.abs(res.x - 1.0)) < 1e-5
    fd = Counted(rosen)
    so.minimize(
        fd,
        X0,
        method=method if method not in {"Newton-CG", "trust-ncg", "trust-krylov", "trust-exact"} else "BFGS",
        tol=1e-12,
    )
    assert f.calls < fd.calls


def test_optimize_minimize_dogleg_and_args():
    def shifted(x, c):
        return convex(x - c)

    c = np.array([0.1, 0.2, 0.3])
    res = dao.minimize(shifted, np.zeros(3), args=(c,), method="dogleg", options={"gtol": 1e-12})
    np.testing.assert_allclose(res.x, _CONVEX_STAR + c, atol=1e-8)


def test_optimize_minimize_passes_keywords_through(monkeypatch):
    seen = {}

    def fake(fun, x0, **kwargs):
        seen.update(kwargs, fun=fun, x0=x0)
        return "result"

    monkeypatch.setattr(so, "minimize", fake)
    bounds = [(0, 2)] * 5
    constraints = [so.NonlinearConstraint(_circle, 0, 1)]
    callback = lambda xk: None  # noqa: E731
    options = {"maxiter": 7}
    extra = (1, 2)
    given = dict(
        args=extra,
        method="trust-constr",
        bounds=bounds,
        constraints=constraints,
        tol=1e-3,
        callback=callback,
        options=options,
    )
    out = dao.minimize(rosen, X0, **given)
    assert out == "result"
    for key, value in given.items():
        assert seen[key] is value
    assert seen["x0"] is X0
    assert seen["jac"] is True and seen["hess"] is None and callable(seen["hessp"])
    # derivatives given by the user are never replaced
    mine = lambda x: 2 * x  # noqa: E731
    dao.minimize(rosen, X0, method="Newton-CG", jac=mine, hess=mine)
    assert seen["fun"] is rosen and seen["jac"] is mine and seen["hess"] is mine and seen["hessp"] is None
    # gradient-free methods get nothing
    dao.minimize(rosen, X0, method="Nelder-Mead")
    assert seen["jac"] is None and seen["hess"] is None and seen["hessp"] is None


def test_optimize_root_and_least_squares(monkeypatch):
    n = 20
    u_star = _bratu_reference(n)
    for method in ("hybr", "lm"):
        res = dao.root(bratu, np.zeros(n), method=method, options={"xtol": 1e-13})
        np.testing.assert_allclose(res.x, u_star, atol=1e-10)
    res = dao.least_squares(_residuals, np.ones(3), args=(_T, _Y), xtol=1e-15, ftol=1e-15, gtol=1e-15)
    np.testing.assert_allclose(res.x, _P_TRUE, atol=1e-9)
    p, _ = dao.curve_fit(_model, _T, _Y, p0=np.ones(3))
    np.testing.assert_allclose(p, _P_TRUE, atol=1e-6)

    seen = {}
    monkeypatch.setattr(so, "least_squares", lambda fun, x0, **kw: seen.update(kw))
    monkeypatch.setattr(so, "root", lambda fun, x0, **kw: seen.update(kw))
    dao.least_squares(_residuals, np.ones(3), bounds=(0, 3), loss="soft_l1", kwargs={}, args=(_T, _Y))
    assert seen["bounds"] == (0, 3) and seen["loss"] == "soft_l1" and callable(seen["jac"])
    dao.root(bratu, np.zeros(3), method="krylov", tol=1e-3)
    assert seen["jac"] is None and seen["method"] == "krylov" and seen["tol"] == 1e-3


def test_docstring_examples():
    import doctest

    result = doctest.testmod(dao)
    assert result.attempted >= 2 and result.failed == 0


# ---------------------------------------------------------------- reverse mode by default, every method
# dualarray.optimize and the transforms default to mode="auto": reverse mode for a scalar f (one recorded
# pass and one transpose per gradient), forward over reverse for hess/hessp. Each run is compared with
# the same SciPy run on the analytic derivatives rosen_der / rosen_hess / rosen_hess_prod.
N = 10
X0_N = np.resize(X0, N)
DOGLEG_X0 = 0.8 + 0.2 * X0_N  # from X0_N the Hessian is indefinite: dogleg stops at once, with rosen_hess too


class Modes(Counted):
    """Counts calls and records how each one was differentiated: reverse, forward or plain (no AD)."""

    def __init__(self, f):
        super().__init__(f)
        self.modes = []

    def __call__(self, x, *args, **kwargs):
        if not isinstance(x, DualArray):
            self.modes.append("plain")
        else:
            self.modes.append("reverse" if x.tag in REVERSE_TAGS else "forward")
        return super().__call__(x, *args, **kwargs)


# method: options, tolerance on |x - 1|, whether the evaluation counts equal the analytic run's exactly
EVERY_METHOD = {
    "BFGS": ({"gtol": 1e-10}, 1e-10, True),
    "L-BFGS-B": ({"gtol": 1e-12, "ftol": 1e-15}, 1e-6, True),
    "CG": ({"gtol": 1e-10}, 1e-8, False),
    "SLSQP": ({"ftol": 1e-14}, 1e-6, True),
    "TNC": ({"gtol": 1e-10, "xtol": 1e-14, "ftol": 1e-15, "maxfun": 5000}, 1e-7, False),
    "Newton-CG": ({"xtol": 1e-12}, 1e-12, True),
    "trust-ncg": ({"gtol": 1e-12}, 1e-12, True),
    # gtol 1e-10 or below: SciPy's trust-krylov stalls at |x - 1| ~ 6e-10 for n = 10 (rosen_hess_prod too)
    "trust-krylov": ({"gtol": 1e-8}, 1e-7, True),
    "trust-exact": ({"gtol": 1e-12}, 1e-12, True),
    "dogleg": ({"gtol": 1e-12}, 1e-12, True),
    "trust-constr": ({"gtol": 1e-12, "xtol": 1e-14}, 1e-10, True),
}
_HESS = {"trust-exact", "dogleg"}  # what dualarray.optimize fills in: the matrix
_HESSP = {"Newton-CG", "trust-ncg", "trust-krylov", "trust-constr"}  # a product


def _counts(res):
    return {key: getattr(res, key, None) for key in ("nit", "nfev", "njev", "nhev")}


def _analytic(method, x0, jac, hess=None, hessp=None, fun=rosen):
    options = EVERY_METHOD[method][0]
    return so.minimize(fun, x0, method=method, jac=jac, hess=hess, hessp=hessp, options=options)


def _same_counts(method, got, want):
    """Equal counts, or (CG, TNC) close: their paths hinge on the last bits of the gradient.

    The AD gradient and rosen_der agree to a few ulps but not bit for bit (the sums run in another
    order); CG's line searches and TNC's truncated Newton steps amplify that: rosen_der times
    (1 + 1e-16 noise) spreads CG's nfev over 227-485 and TNC's over 89-142.
    """
    if EVERY_METHOD[method][2]:
        assert got == want
    else:
        for key, value in want.items():
            if value is not None:
                assert 0.5 * value <= got[key] <= 2 * value, (key, got, want)


def _x0(method):
    return DOGLEG_X0 if method == "dogleg" else X0_N


@pytest.fixture
def reverse_at_every_size(monkeypatch):
    """``mode="auto"`` uses forward mode up to REVERSE_ABOVE inputs; these runs check the reverse passes."""
    import dualarray.transforms

    monkeypatch.setattr(dualarray.transforms, "REVERSE_ABOVE", 0)


@pytest.mark.parametrize("method", sorted(EVERY_METHOD))
def test_every_method_with_the_defaults(method, reverse_at_every_size):
    options, tol, _ = EVERY_METHOD[method]
    x0 = _x0(method)
    f = Modes(rosen)
    res = dao.minimize(f, x0, method=method, options=options)
    assert res.success, res.message
    assert np.max(np.abs(res.x - 1.0)) < tol
    assert set(f.modes) == {"reverse"}  # every pass recorded and transposed, no forward fallback
    # the same run on analytic derivatives, passed the way dualarray.optimize passes its own
    value_and_der = Counted(lambda x: (rosen(x), so.rosen_der(x)))
    second = Counted(so.rosen_hess if method in _HESS else so.rosen_hess_prod)
    ref = _analytic(
        method,
        x0,
        True,
        fun=value_and_der,
        hess=second if method in _HESS else None,
        hessp=second if method in _HESSP else None,
    )
    assert ref.success
    np.testing.assert_allclose(res.x, ref.x, rtol=0, atol=10 * tol)
    _same_counts(method, _counts(res), _counts(ref))
    # one pass of f per value-and-gradient and per Hessian or Hessian-vector product (n = 10: one chunk).
    # Counted calls, not nhev: dogleg's nhev misses one Hessian, trust-constr's counts Hessian updates,
    # not the products its CG asks for
    if EVERY_METHOD[method][2]:
        assert f.calls == value_and_der.calls + second.calls
    else:  # CG, TNC: first order, one pass per value and gradient
        assert f.calls == res.nfev


def test_small_problems_take_forward_mode_by_default():
    f = Modes(rosen)
    res = dao.minimize(f, X0_N, method="BFGS")
    assert res.success and X0_N.size <= dualarray.transforms.REVERSE_ABOVE
    assert set(f.modes) == {"forward"}  # one forward pass of all directions is faster at n = 10


_EXPLICIT = [(m, None) for m in ("BFGS", "L-BFGS-B", "CG", "SLSQP", "TNC")]
_EXPLICIT += [(m, "hess") for m in sorted(_HESS | _HESSP)] + [(m, "hessp") for m in sorted(_HESSP)]


@pytest.mark.parametrize("method, kind", _EXPLICIT)
def test_every_method_with_explicit_transforms(method, kind, reverse_at_every_size):
    options, tol, _ = EVERY_METHOD[method]
    x0 = _x0(method)
    f = Modes(rosen)
    second = {"hess": {"hess": hessian(f)}, "hessp": {"hessp": hvp(f)}, None: {}}[kind]
    res = so.minimize(f, x0, method=method, jac=gradient(f), options=options, **second)
    assert res.success, res.message
    assert np.max(np.abs(res.x - 1.0)) < tol
    exact = {"hess": {"hess": so.rosen_hess}, "hessp": {"hessp": so.rosen_hess_prod}, None: {}}[kind]
    ref = _analytic(method, x0, so.rosen_der, **exact)
    np.testing.assert_allclose(res.x, ref.x, rtol=0, atol=10 * tol)
    _same_counts(method, _counts(res), _counts(ref))
    assert set(f.modes) == {"plain", "reverse"}  # SciPy's own calls of f, and the recorded passes


@pytest.mark.parametrize("x_seed", [0, 1, 2])
def test_modes_agree_on_rosen(x_seed):
    x = np.random.default_rng(x_seed).uniform(-2.0, 2.0, N)
    v = np.random.default_rng(x_seed + 10).standard_normal(N)
    g, h = so.rosen_der(x), so.rosen_hess(x)
    scale_g, scale_h = np.abs(g).max(), np.abs(h).max()
    for mode in ("auto", "reverse", "forward"):
        np.testing.assert_allclose(gradient(rosen, mode=mode)(x), g, rtol=0, atol=1e-15 * N * scale_g)
        value, grad = value_and_gradient(rosen, mode=mode)(x)
        assert value == rosen(x)
        np.testing.assert_allclose(grad, g, rtol=0, atol=1e-15 * N * scale_g)
        hm = hessian(rosen, mode=mode)(x)
        np.testing.assert_array_equal(hm, hm.T)
        np.testing.assert_allclose(hm, h, rtol=0, atol=1e-15 * N * scale_h)
        np.testing.assert_allclose(hvp(rosen, mode=mode)(x, v), h @ v, rtol=0, atol=1e-14 * N * scale_h)


def _sum_of_squares(p):
    return 0.5 * np.sum(_residuals(p, _T, _Y) ** 2)


@pytest.mark.parametrize("f, x", [(convex, np.array([0.3, -1.2, 2.0])), (_sum_of_squares, np.ones(3))])
def test_modes_agree_on_the_other_objectives(f, x):
    grads = [gradient(f, mode=mode)(x) for mode in ("auto", "reverse", "forward")]
    hessians = [hessian(f, mode=mode)(x) for mode in ("auto", "reverse", "forward")]
    for g, h in zip(grads[1:], hessians[1:], strict=True):
        np.testing.assert_allclose(g, grads[0], rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(h, hessians[0], rtol=1e-14, atol=1e-15)
    fd = so.approx_fprime(x, f, 1e-7)
    np.testing.assert_allclose(grads[0], fd, rtol=1e-5, atol=1e-6)


def _residuals_jac(p, t, y):
    e = np.exp(-p[1] * t)
    return np.stack([e, -p[0] * t * e, np.ones_like(t)], axis=1)


# fewer residuals than parameters (5 < 8): the Jacobian is wide, so mode="auto" picks reverse mode
_A_WIDE = np.random.default_rng(3).standard_normal((5, 8))
_Y_WIDE = np.exp(np.random.default_rng(4).uniform(-1.0, 1.0, 5))


def _wide(p):
    return np.exp(_A_WIDE @ p) - _Y_WIDE


def _wide_jac(p):
    return np.exp(_A_WIDE @ p)[:, None] * _A_WIDE


def test_jacobian_modes_agree():
    p = np.array([2.0, 0.7, -0.3])
    exact = _residuals_jac(p, _T, _Y)
    for mode in ("auto", "reverse", "forward"):
        np.testing.assert_allclose(jacobian(_residuals, mode=mode)(p, _T, _Y), exact, rtol=1e-15, atol=1e-15)
        q = np.linspace(-0.2, 0.3, 8)
        np.testing.assert_allclose(jacobian(_wide, mode=mode)(q), _wide_jac(q), rtol=1e-15, atol=1e-15)
        u = np.linspace(0.0, 0.5, 20)
        np.testing.assert_array_equal(jacobian(bratu, mode=mode)(u), jacobian(bratu, mode="forward")(u))
    # auto: the first call is recorded to learn the shape (and transposed); a tall Jacobian (40 x 3) then
    # goes forward
    f = Modes(_residuals)
    jac = jacobian(f)
    jac(p, _T, _Y)
    jac(p, _T, _Y)
    assert f.modes == ["reverse", "forward"]
    f = Modes(_wide)
    jac = jacobian(f)
    jac(np.zeros(8))
    jac(np.zeros(8))
    assert f.modes == ["reverse", "reverse"]


@pytest.mark.parametrize("method", ["trf", "dogbox", "lm"])
def test_least_squares_matches_the_analytic_jacobian(method):
    kw = {"args": (_T, _Y), "method": method, "xtol": 1e-15, "ftol": 1e-15, "gtol": 1e-15}
    f = Modes(_residuals)
    res = dao.least_squares(f, np.ones(3), **kw)
    ref = so.least_squares(_residuals, np.ones(3), jac=_residuals_jac, **kw)
    np.testing.assert_allclose(res.x, ref.x, rtol=1e-13)
    np.testing.assert_allclose(res.x, _P_TRUE, rtol=1e-12)
    assert (res.nfev, res.njev) == (ref.nfev, ref.njev)
    # one recorded pass (auto learns the shape, transposed), then one forward pass per Jacobian: 40 residuals,
    # 3 parameters
    assert f.modes.count("reverse") == 1 and f.modes.count("forward") == res.njev - 1
    assert f.modes.count("plain") == res.nfev


def test_least_squares_wide_jacobian_is_reverse():
    kw = {"xtol": 1e-15, "ftol": 1e-15, "gtol": 1e-15}
    f = Modes(_wide)
    res = dao.least_squares(f, np.zeros(8), **kw)
    ref = so.least_squares(_wide, np.zeros(8), jac=_wide_jac, **kw)
    assert res.success and np.abs(res.fun).max() < 1e-12
    np.testing.assert_allclose(res.x, ref.x, rtol=1e-12, atol=1e-14)
    assert (res.nfev, res.njev) == (ref.nfev, ref.njev)
    assert f.modes.count("reverse") == res.njev and "forward" not in f.modes


def _model_jac(t, a, b, c):
    return _residuals_jac(np.array([a, b, c]), t, 0.0)


@pytest.mark.parametrize("method", ["lm", "trf", "dogbox"])
def test_curve_fit_matches_the_analytic_jacobian(method):
    y = _Y + 0.01 * np.random.default_rng(0).standard_normal(_T.size)  # noisy: a nonzero covariance
    p, cov, info, *_ = dao.curve_fit(_model, _T, y, p0=np.ones(3), method=method, full_output=True)
    p_ref, cov_ref, info_ref, *_ = so.curve_fit(
        _model, _T, y, p0=np.ones(3), jac=_model_jac, method=method, full_output=True
    )
    np.testing.assert_allclose(p, p_ref, rtol=1e-13)
    np.testing.assert_allclose(cov, cov_ref, rtol=1e-12)
    assert np.all(np.abs(p - _P_TRUE) < 5 * np.sqrt(np.diag(cov)))
    assert {k: v for k, v in info.items() if k in ("nfev", "njev")} == {
        k: v for k, v in info_ref.items() if k in ("nfev", "njev")
    }
