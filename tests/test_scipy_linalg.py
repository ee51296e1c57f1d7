"""dualarray.scipy.linalg beyond the case table (tests/cases/scipy_linalg.py): plain inputs, identities, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sl

import dualarray as da
from dualarray import DualArray
from dualarray.scipy import COUNTERPARTS
from dualarray.scipy import linalg as L

RNG = np.random.default_rng(14)
A = RNG.standard_normal((3, 3)) / 3
S = A @ A.T + np.eye(3)
BANDED = np.array([[0.0, 0.3, -0.2], [3.0, 2.5, 4.0], [0.1, 0.4, 0.0]])
HBANDED = np.array([[0.0, 0.3, -0.2], [3.0, 2.5, 4.0]])


@pytest.mark.parametrize("name", L.__all__)
def test_plain_inputs_give_scipys_result(name):
    args = {"solve": (S, np.ones(3)), "solve_triangular": (S, np.ones(3)), "cho_solve": (sl.cho_factor(S), np.ones(3)),
            "toeplitz": (np.arange(3.0),), "circulant": (np.arange(3.0),), "block_diag": (S, A),
            "expm_frechet": (A, S), "solve_sylvester": (S, S, A), "solve_continuous_lyapunov": (-S, A),
            "solve_discrete_lyapunov": (A, S), "sqrtm": (S,), "pinv": (A,), "lu_solve": (sl.lu_factor(S), np.ones(3)),
            "solve_banded": ((1, 1), BANDED, np.ones(3)), "solveh_banded": (HBANDED, np.ones(3)),
            "funm": (S, np.exp), "solve_continuous_are": (A - 2 * np.eye(3), np.eye(3), S, np.eye(3))}.get(name, (S,))
    ours, theirs = getattr(L, name)(*args), getattr(sl, name)(*args)
    for o, t in zip(ours if isinstance(ours, tuple) else (ours,), theirs if isinstance(theirs, tuple) else (theirs,),
                    strict=True):
        assert type(o) is type(t)
        np.testing.assert_array_equal(o, t)
    assert sl.__dict__[name] in COUNTERPARTS and COUNTERPARTS[sl.__dict__[name]] is getattr(L, name)


def test_expm_derivative_is_the_frechet_derivative():
    e = RNG.standard_normal((3, 3))
    y = L.expm(DualArray(A, e))
    np.testing.assert_allclose(y.tangent, sl.expm_frechet(A, e, compute_expm=False), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(da.jacobian(L.expm, mode="reverse")(A), da.jacobian(L.expm)(A), rtol=1e-12, atol=1e-14)


def test_matrix_equation_tangents_solve_the_differentiated_equations():
    ta, tb, tq = (RNG.standard_normal((3, 3)) for _ in range(3))
    b = S + np.eye(3)
    x = L.solve_sylvester(DualArray(S, ta), DualArray(b, tb), DualArray(A, tq))
    xv, xt = x.value, x.tangent
    np.testing.assert_allclose(S @ xt + xt @ b, tq - ta @ xv - xv @ tb, rtol=1e-10, atol=1e-12)
    x = L.solve_continuous_lyapunov(DualArray(-S, ta), DualArray(A, tq))
    np.testing.assert_allclose(-S @ x.tangent + x.tangent @ -S.T, tq - ta @ x.value - x.value @ ta.T, atol=1e-11)
    x = L.solve_discrete_lyapunov(DualArray(A, ta), DualArray(S, tq))
    lhs = A @ x.tangent @ A.T - x.tangent
    np.testing.assert_allclose(lhs, -(tq + ta @ x.value @ A.T + A @ x.value @ ta.T), atol=1e-11)
    r = L.sqrtm(DualArray(S, ta + ta.T))
    np.testing.assert_allclose(r.value @ r.tangent + r.tangent @ r.value, ta + ta.T, atol=1e-11)


def test_scipy_functions_name_their_counterpart():
    with pytest.raises(TypeError, match=r"use dualarray\.scipy\.linalg\.expm"):
        da.jacobian(sl.expm)(A)
    with pytest.raises(TypeError, match=r"use dualarray\.scipy\.linalg\.solve"):
        da.jacobian(lambda a: sl.solve(a, np.ones(3)))(S)


def test_what_is_not_implemented_says_so():
    with pytest.raises(NotImplementedError, match="func's derivative"):
        L.funm(DualArray(S, np.ones((3, 3))), np.sin)
    with pytest.raises(NotImplementedError, match="not unique"):
        L.schur(DualArray(S, np.ones((3, 3))))
    with pytest.raises(NotImplementedError, match="subset_by_value"):
        L.eigh(DualArray(S, np.ones((3, 3))), subset_by_value=(0, 1))
    with pytest.raises(NotImplementedError, match="pivoting"):
        L.qr(DualArray(A, np.ones((3, 3))), pivoting=True)


def test_differentiated_arguments_by_keyword():
    from dualarray.scipy import integrate, signal

    np.testing.assert_allclose(da.jacobian(lambda b: L.solve(S, b=b))(np.ones(3)), np.linalg.inv(S), rtol=1e-12)
    np.testing.assert_allclose(da.jacobian(lambda b: L.solve(a=S, b=b))(np.ones(3)), np.linalg.inv(S), rtol=1e-12)
    x = np.arange(5.0)
    np.testing.assert_allclose(da.jacobian(lambda v: signal.convolve(in1=v, in2=np.ones(2)))(x),
                               da.jacobian(lambda v: signal.convolve(v, np.ones(2)))(x))
    np.testing.assert_allclose(da.gradient(lambda v: integrate.simpson(y=v))(x), [1 / 3, 4 / 3, 2 / 3, 4 / 3, 1 / 3])
    with pytest.raises(TypeError, match="by position"):  # a keyword-only option never takes a tangent silently
        L.solve(S, np.ones(3), lower=DualArray(1.0, 1.0))
