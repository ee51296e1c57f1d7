"""scipy.sparse matrices as constants: ``A @ x`` and ``x @ A`` in every mode, and refused elsewhere."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import dualarray as da
from dualarray import DualArray

RNG = np.random.default_rng(20261203)
A_DENSE = np.array([[1.0, 0, 2, 0], [0, 0, 3, 0], [0, -1, 0, 4], [5, 0, 0, 0], [0, 0, 0, 0]])
FORMATS = [sp.csr_array, sp.csc_array, sp.coo_array, sp.dia_array, sp.csr_matrix, sp.lil_array]


def _cases(a):
    d = A_DENSE
    return [
        ("A @ x", lambda x: a @ x, lambda x: d @ x, (4,)),
        *([("A.dot(x)", lambda x: a.dot(x), lambda x: d @ x, (4,))] if not isinstance(a, sp.coo_array) else []),
        ("x @ A.T", lambda x: x @ a.T, lambda x: x @ d.T, (4,)),
        ("A @ X", lambda x: a @ x, lambda x: d @ x, (4, 3)),
        ("X @ A", lambda x: x @ a, lambda x: x @ d, (2, 5)),
        ("exp(A @ x²)", lambda x: np.exp(a @ x**2), lambda x: np.exp(d @ x**2), (4,)),
    ]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_jacobians_equal_the_dense_constant(fmt, mode):
    for name, f, g, shape in _cases(fmt(A_DENSE)):
        x = RNG.standard_normal(shape)
        np.testing.assert_allclose(f(x), g(x), rtol=1e-14, err_msg=name)
        np.testing.assert_allclose(da.jacobian(f, mode=mode)(x), da.jacobian(g)(x), rtol=1e-13, atol=1e-14,
                                   err_msg=name)


def test_values_and_tangents_as_a_user_sees_them():
    a = sp.csr_array(A_DENSE)
    x = DualArray(np.arange(4.0), np.array([1.0, 0, 0, 0]))
    y = a @ x
    assert isinstance(y, DualArray) and isinstance(np.matmul(a, x), DualArray)
    np.testing.assert_array_equal(y.value, A_DENSE @ np.arange(4.0))
    np.testing.assert_array_equal(y.tangent, A_DENSE[:, 0])


def test_dot_product_and_hessians():
    a = sp.csr_array(A_DENSE)
    x = RNG.standard_normal(4)
    v, w = RNG.standard_normal(4), RNG.standard_normal(5)
    fn = lambda x: np.tanh(a @ x)  # noqa: E731
    y, push = da.linearize(fn, x)
    _, pull = da.vjp(fn, x)
    np.testing.assert_allclose(np.dot(push(v), w), np.dot(v, pull(w)), rtol=1e-12)
    scalar = lambda x: np.sum((a @ x) ** 2) + np.sum(np.cos(x @ a.T))  # noqa: E731
    dense = lambda x: np.sum((A_DENSE @ x) ** 2) + np.sum(np.cos(x @ A_DENSE.T))  # noqa: E731
    for mode in ["reverse", "forward"]:
        np.testing.assert_allclose(da.hessian(scalar, mode=mode)(x), da.hessian(dense)(x), rtol=1e-12, atol=1e-13)
    h = da.hessian(scalar, sparsity="auto")(x)
    np.testing.assert_allclose(h.toarray(), da.hessian(dense)(x), rtol=1e-12, atol=1e-13)


def test_complex_and_float32():
    a = sp.csr_array(A_DENSE * (1 + 2j))
    x = RNG.standard_normal(4)
    np.testing.assert_allclose(da.jacobian(lambda x: a @ x, mode="reverse")(x), A_DENSE * (1 + 2j))
    np.testing.assert_allclose(da.jacobian(lambda x: np.real(a @ x) + np.imag(x @ a.T), mode="reverse")(x),
                               3 * A_DENSE)
    a32 = sp.csr_array(A_DENSE.astype(np.float32))
    j = da.jacobian(lambda x: a32 @ x)(x.astype(np.float32))
    assert j.dtype == np.float32
    np.testing.assert_array_equal(j, A_DENSE)


def test_the_zeros_of_a_sparse_constant_are_structural():
    a = sp.csr_array(A_DENSE)
    p = da.jacobian_sparsity(lambda x: np.exp(a @ x))(np.ones(4))
    np.testing.assert_array_equal(p.toarray(), A_DENSE != 0)
    p = da.jacobian_sparsity(lambda x: (x @ a.T) * x[0])(np.ones(4))
    expected = A_DENSE != 0
    expected[:, 0] = True
    np.testing.assert_array_equal(p.toarray(), expected)
    laplacian = sp.diags_array([np.ones(9), -2 * np.ones(10), np.ones(9)], offsets=[-1, 0, 1], format="csr")
    j = da.jacobian(lambda u: laplacian @ u + u**3, sparsity="auto")
    u = RNG.standard_normal(10)
    np.testing.assert_allclose(j(u).toarray(), laplacian.toarray() + np.diag(3 * u**2), rtol=1e-14)
    assert j.ncolors == 3


def test_other_operations_with_a_sparse_operand_raise():
    a = sp.csr_array(A_DENSE[:2, :3])
    x = np.arange(6.0).reshape(2, 3)
    for fn in [lambda x: x * a, lambda x: np.multiply(x, a), lambda x: np.exp(x) * a, lambda x: a.multiply(x)]:
        for mode in ["forward", "reverse"]:
            with pytest.raises(TypeError, match="scipy.sparse|converted"):
                da.jacobian(fn, mode=mode)(x)
    with pytest.raises(ValueError, match="1-d or 2-d"):
        da.jacobian(lambda x: a @ x.reshape(3, 1, 2))(x)
    with pytest.raises(ValueError, match="mismatch"):
        da.jacobian(lambda x: a @ x)(np.ones(4))
