"""dualarray.optimize with sparse Jacobians and Hessians: SciPy's solvers (and a sparse Newton) end to end."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize as so
import scipy.sparse as sp

import dualarray as da
from benchmarks.sparse_problems import bratu, broyden, broyden_pattern, rosenbrock
from dualarray import optimize

from .test_scipy import Counted


def test_least_squares_with_a_detected_pattern_matches_scipys_sparse_differences():
    n = 2000
    x0 = -np.ones(n)
    res = optimize.least_squares(broyden, x0, sparsity="auto")
    ref = so.least_squares(broyden, x0, jac_sparsity=broyden_pattern(n))
    assert res.success and ref.success
    np.testing.assert_allclose(res.x, ref.x, atol=1e-10)
    assert sp.issparse(res.jac) and res.njev <= ref.njev
    # the same through SciPy directly, with the Jacobian callable counted
    jac = Counted(da.jacobian(broyden, sparsity="auto"))
    direct = so.least_squares(broyden, x0, jac=jac, tr_solver="lsmr")
    assert direct.njev == jac.calls and jac.f.ncolors == 3 and len(jac.f.cache) == 1
    np.testing.assert_allclose(direct.x, res.x, atol=1e-12)
    with pytest.raises(ValueError, match="lm"):
        optimize.least_squares(broyden, x0, sparsity="auto", method="lm")


def test_root_with_sparsity_is_a_sparse_newton_solve():
    n = 24
    u0 = np.zeros(n * n)
    res = optimize.root(bratu, u0, sparsity="auto")
    assert res.success and res.nit <= 8 and res.njev <= res.nit + 1
    assert np.max(np.abs(bratu(res.x))) < 1e-8
    dense = so.root(bratu, u0, jac=da.jacobian(bratu), method="hybr")
    np.testing.assert_allclose(res.x, dense.x, atol=1e-8)
    # the lower branch of 1-D Bratu from a far start: the line search keeps the residual decreasing
    def bratu_1d(u, lam):
        h = 1.0 / (u.size + 1)
        p = np.pad(u, 1)
        return (p[:-2] - 2 * u + p[2:]) / h**2 + lam * np.exp(u)

    res = optimize.root(bratu_1d, np.full(200, 3.0), args=(1.0,), sparsity="auto", options={"maxiter": 100})
    assert res.success and np.max(np.abs(bratu_1d(res.x, 1.0))) < 1e-8 and np.all(res.x > 0)
    with pytest.raises(ValueError, match="dense Jacobians"):
        optimize.root(bratu, u0, method="lm", sparsity="auto")
    with pytest.raises(ValueError, match="not both"):
        optimize.root(bratu, u0, jac=da.jacobian(bratu), sparsity="auto")


def test_newton_reports_a_singular_jacobian_and_iteration_limits():
    res = optimize.newton(lambda x: x**2 + 1.0, np.zeros(3))  # J = 0 at x = 0
    assert not res.success and res.status == 4
    res = optimize.newton(lambda x: np.exp(x) - 2.0 + 0 * x[::-1], np.full(4, 5.0), maxiter=2)
    assert not res.success and res.status == 2 and res.nit == 2


def test_trust_constr_with_a_sparse_hessian():
    n = 60
    x0 = np.zeros(n)
    hess = Counted(da.hessian(rosenbrock, sparsity="auto"))
    res = optimize.minimize(rosenbrock, x0, method="trust-constr", hess=hess)
    assert res.success and np.max(np.abs(res.x - 1)) < 1e-5
    assert hess.f.ncolors == 3 and sp.issparse(hess.f(x0))
    res2 = optimize.minimize(rosenbrock, x0, method="trust-constr", sparsity="auto")
    np.testing.assert_allclose(res2.x, res.x, atol=1e-10)
    # a constraint Jacobian and constraint Hessian from sparse transforms
    con = lambda x: x[1:] ** 2 - x[:-1]  # noqa: E731
    jc = da.jacobian(con, sparsity="auto")
    hc = da.hessian(lambda x, v: v @ con(x), sparsity="auto")
    nlc = so.NonlinearConstraint(con, -np.inf, 0.5, jac=jc, hess=hc)
    res3 = optimize.minimize(rosenbrock, np.full(10, 0.5), method="trust-constr", constraints=[nlc],
                             sparsity="auto")
    assert res3.success and np.all(con(res3.x) <= 0.5 + 1e-6)
    with pytest.raises(ValueError, match="trust-constr"):
        optimize.minimize(rosenbrock, x0, method="trust-exact", sparsity="auto")
