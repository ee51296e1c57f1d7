"""Perturbation confusion: nested transforms in every order keep their perturbations apart.

The first block follows ForwardDiff.jl's test/ConfusionTest.jl case by case (issues #83, #238, #267
and the nested-derivative closure case); the rest nests hessian, jacobian, gradient, hvp, jvp and
derivative inside each other, checking exact closed forms.
"""

from __future__ import annotations

import numpy as np
import pytest

from dualarray import DualArray, derivative, gradient, hessian, hvp, jacobian, jvp


def norm(v):
    return np.sqrt(np.sum(v * v))


# ---------------------------------------------------------------- ForwardDiff.jl ConfusionTest
def test_issue_83_derivative_of_derivative():
    assert derivative(lambda x: x * derivative(lambda y: x + y)(1.0))(1.0) == 1.0


def test_issue_83_gradient_of_derivative():
    inner = gradient(lambda v: np.sum(v) * derivative(lambda y: y * norm(v))(1.0))(np.array([1.0]))
    direct = gradient(lambda v: np.sum(v) * norm(v))(np.array([1.0]))
    np.testing.assert_array_equal(inner, direct)
    assert inner[0] == 2.0


@pytest.mark.parametrize("chunk", [None, 1, 3])
def test_jacobian_of_gradient_is_the_matrix(chunk):
    rng = np.random.default_rng(83)
    a = rng.random((10, 8))
    y = rng.random(10)
    x = rng.random(8)
    j = jacobian(lambda x: gradient(lambda y: y @ (a @ x), chunk_size=chunk)(y), chunk_size=chunk)(x)
    np.testing.assert_array_equal(j, a)
    # the same with y @ A @ x written left to right
    j = jacobian(lambda x: gradient(lambda y: y @ a @ x)(y))(x)
    np.testing.assert_allclose(j, a, rtol=1e-15, atol=0)


M, G = 1.0, 9.8


def lagrangian(t, q, qdot):
    return M / 2 * (qdot @ qdot) - M * G * q[1]


def test_issue_238_mixed_partials_of_a_lagrangian():
    q = np.array([1.0, 2.0])
    qdot = np.array([3.0, 4.0])

    def dl_dqdot(t, q, qdot):
        return gradient(lambda a: lagrangian(t, q, a))(qdot)

    d_qqdot = jacobian(lambda a: dl_dqdot(1.0, a, qdot))(q)
    np.testing.assert_array_equal(d_qqdot, np.zeros((2, 2)))


def _solve2(m, r):
    """x = M⁻¹ r for a 2×2 matrix by Cramer's rule (indexing and arithmetic only)."""
    det = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
    return np.stack([m[1, 1] * r[0] - m[0, 1] * r[1], m[0, 0] * r[1] - m[1, 0] * r[0]]) / det


def legendre_transformation(f, w):
    z = np.zeros(np.shape(w))
    m = hessian(f)(z)
    b = gradient(f)(z)
    v = _solve2(m, w - b)
    return w @ v - f(v)


def lagrangian_to_hamiltonian(lag, t, q, p):
    return legendre_transformation(lambda qdot: lag(t, q, qdot), p)


def test_issue_238_hamiltonian_from_lagrangian():
    q = np.array([1.0, 2.0])
    p = np.array([5.0, 6.0])
    # H(q, p) = |p|²/2m + m g q₂, so ∂H/∂q = (0, m g)
    assert lagrangian_to_hamiltonian(lagrangian, 1.0, q, p) == pytest.approx(30.5 + 2 * G)
    grad = gradient(lambda a: lagrangian_to_hamiltonian(lagrangian, 1.0, a, p))(q)
    np.testing.assert_array_equal(grad, [0.0, G])


def test_issue_267_closure_over_unrelated_data():
    z = [(1, 2, [(3, (4, 5, [1, 2, (3, (4, 5), [5])]), 5)])]

    def f(z, x):
        return x[0]

    g = lambda x: f(z, x)  # noqa: E731
    h = lambda x: g(x)  # noqa: E731
    np.testing.assert_array_equal(hessian(h)(np.array([1.0])), np.zeros((1, 1)))


def test_inner_derivative_of_a_closed_over_variable_is_zero():
    assert derivative(lambda x: derivative(lambda y: x)(x))(1.0) == 0.0


# ---------------------------------------------------------------- more nestings, exact closed forms
def test_inner_derivative_evaluated_at_the_outer_variable():
    # d/dx [d/dy (x y²)](y = x) = d/dx 2x² = 4x
    assert derivative(lambda x: derivative(lambda y: x * y**2)(x))(3.0) == 12.0
    # d/dx [d/dy (x + y)²](y = x) = d/dx 4x = 4
    assert derivative(lambda x: derivative(lambda y: (x + y) ** 2)(x))(5.0) == 4.0


def test_triple_nesting():
    # d/dx x · d/dy (y · d/dz (x y z)) = d/dx x · 2 x y |_{y=1} = 4x
    f = lambda x: x * derivative(lambda y: y * derivative(lambda z: x * y * z)(1.0))(1.0)  # noqa: E731
    assert derivative(f)(2.0) == 8.0


def _third_derivative_tensor(x):
    """∂³/∂xᵢ∂xⱼ∂xₖ of f(x) = x₀ x₁ x₂ + Σ x³."""
    t = np.zeros((3, 3, 3))
    for i, j, k in [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]:
        t[i, j, k] = 1.0
    for i in range(3):
        t[i, i, i] = 6.0
    return t


def cubic(x):
    return x[0] * x[1] * x[2] + np.sum(x**3)


@pytest.mark.parametrize(
    "third",
    [
        lambda x: jacobian(hessian(cubic))(x),
        lambda x: hessian(gradient(cubic))(x),
        lambda x: jacobian(jacobian(gradient(cubic)))(x),
        lambda x: jacobian(lambda z: hessian(cubic, chunk_size=1)(z), chunk_size=2)(x),
        lambda x: hessian(lambda z: jacobian(lambda w: cubic(w))(z))(x),
    ],
    ids=["jac(hess)", "hess(grad)", "jac(jac(grad))", "jac(hess) chunked", "hess(jac)"],
)
def test_third_derivatives_in_every_order(third):
    x = np.array([0.5, -1.0, 2.0])
    t = third(x)
    assert t.shape == (3, 3, 3)
    np.testing.assert_array_equal(t, _third_derivative_tensor(x))


def test_hessian_of_a_function_that_takes_an_inner_hessian():
    x = np.array([0.5, -1.0, 2.0])
    y0 = np.array([1.0, 2.0, 3.0])

    # inner hessian in y at a fixed point: Σ_i 6 x_i y0_i, linear in x
    def g(x):
        return np.sum(hessian(lambda y: np.sum(x * y**3))(y0))

    np.testing.assert_array_equal(gradient(g)(x), 6.0 * y0)
    np.testing.assert_array_equal(hessian(g)(x), np.zeros((3, 3)))

    # inner hessian evaluated at the outer variable: Σ 2x² with H_y = diag(2x²)
    def k(x):
        return np.sum(hessian(lambda y: np.sum(x**2 * y**2))(x))

    np.testing.assert_array_equal(gradient(k)(x), 4.0 * x)
    np.testing.assert_array_equal(hessian(k)(x), 4.0 * np.eye(3))


def test_jacobian_of_hvp_and_jvp_of_gradient():
    x = np.array([0.5, -1.0, 2.0])
    v = np.array([1.0, 2.0, -1.0])
    quartic = lambda x: np.sum(x**4) / 12.0  # noqa: E731  H = diag(x²), H v = x² v
    np.testing.assert_array_equal(hvp(quartic)(x, v), x**2 * v)
    np.testing.assert_array_equal(jacobian(lambda z: hvp(quartic)(z, v))(x), np.diag(2.0 * x * v))
    _, hv = jvp(gradient(quartic), x, v)
    np.testing.assert_array_equal(hv, x**2 * v)
    # the vector itself differentiated: d(Hv)/dv = H
    np.testing.assert_array_equal(jacobian(lambda w: hvp(quartic)(x, w))(v), np.diag(x**2))


def test_derivative_inside_hessian():
    # Σ x · d/ds (s x²)|_{s=1} = Σ x³
    f = lambda x: np.sum(x * derivative(lambda s: s * x**2)(1.0))  # noqa: E731
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(hessian(f)(x), np.diag(6.0 * x))


def test_same_function_object_nested_in_itself():
    d = derivative(lambda x: x**3)
    assert derivative(d)(2.0) == 12.0
    assert derivative(derivative(d))(2.0) == 6.0


def test_user_duals_of_the_default_tag_survive_transforms():
    # a user-made DualArray (tag 0) inside a transform is an outer perturbation: its tangent flows through
    s = DualArray(2.0, 1.0)
    g = gradient(lambda x: s * np.sum(x**2))(np.array([1.0, 3.0]))
    assert isinstance(g, DualArray) and g.tag == 0
    np.testing.assert_array_equal(g.value, [4.0, 12.0])
    np.testing.assert_array_equal(g.tangent, [2.0, 6.0])
