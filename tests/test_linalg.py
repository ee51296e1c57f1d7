"""Hard points of the linear-algebra rules (where the big AD libraries fail) and what the table cannot say."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing.overrides import get_overridable_numpy_array_functions

from dualarray import DualArray, hessian, new_tag
from dualarray._registry import FUNCTIONS, NON_DIFFERENTIABLE, UNSUPPORTED


def nested(value, inner_tangent, outer_tangent):
    """A DualArray carrying a second-order perturbation: value + ε₁·inner + ε₂·outer."""
    inner, outer = new_tag(), new_tag()
    return DualArray(DualArray(value, inner_tangent, tag=inner), outer_tangent, tag=outer)


def second(result):
    """The mixed second derivative of a nested result."""
    return result.tangent.tangent


def adjugate_brute(a):
    n = a.shape[-1]
    adj = np.empty_like(a)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(a, j, axis=0), i, axis=1)
            adj[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return adj


# ---------------------------------------------------------------- det at singular matrices
def test_det_singular_along_identity_is_five():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    d = np.linalg.det(DualArray(a, np.eye(2)))
    assert d.value == 0.0
    assert d.tangent == 5.0


def test_det_singular_batched_stack_and_directions():
    a = np.array([[[1.0, 2.0], [2.0, 4.0]], [[3.0, 6.0], [1.0, 2.0]]])
    d = np.linalg.det(DualArray(a, np.broadcast_to(np.eye(2), a.shape)))
    np.testing.assert_array_equal(d.tangent, [5.0, 5.0])
    # k = n = 2 directions at once: E11 and E22
    dirs = np.zeros((2, 2, 2, 2))
    dirs[0, :, 0, 0] = 1.0
    dirs[1, :, 1, 1] = 1.0
    d = np.linalg.det(DualArray(a, dirs, batched=True))
    np.testing.assert_array_equal(d.tangent, [[4.0, 2.0], [1.0, 3.0]])


@pytest.mark.parametrize("n", [3, 4, 5, 12])
def test_det_singular_matches_adjugate(n):
    rng = np.random.default_rng(7 + n)
    a = rng.standard_normal((n, n - 1)) @ rng.standard_normal((n - 1, n))  # rank n-1
    e = rng.standard_normal((n, n))
    d = np.linalg.det(DualArray(a, e))
    expected = np.sum(adjugate_brute(a).T * e)
    assert abs(expected) > 1e-3
    np.testing.assert_allclose(d.tangent, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n", [3, 5])
def test_det_rank_n_minus_2_has_zero_derivative(n):
    rng = np.random.default_rng(11)
    a = rng.standard_normal((n, n - 2)) @ rng.standard_normal((n - 2, n))
    d = np.linalg.det(DualArray(a, rng.standard_normal((n, n))))
    np.testing.assert_allclose(d.tangent, 0.0, atol=1e-9)  # adj(A) = 0 up to rounding


def test_det_second_derivative_is_exact():
    # det([[t+2, 1], [1, 2t+3]]) = 2t² + 7t + 5  ⇒  d²/dt² = 4 (PyTorch gets 8.83)
    t = nested(np.array(0.0), 1.0, 1.0)
    m = np.stack([np.stack([t + 2, t * 0 + 1]), np.stack([t * 0 + 1, 2 * t + 3])])
    d = np.linalg.det(m)
    assert d.tangent.value == 7.0
    assert second(d) == 4.0


def test_det_second_derivative_at_singular_matrix():
    # det(A + tI) = t² + tr(A)·t + det(A)  ⇒  d/dt = 5, d²/dt² = 2 at the singular A
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    d = np.linalg.det(nested(a, np.eye(2), np.eye(2)))
    assert d.tangent.value == 5.0
    assert second(d) == 2.0
    a3 = np.array([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]])
    d = np.linalg.det(nested(a3, np.eye(3), np.eye(3)))
    # det(A + tI) = t³ + tr(A)t² + c₁t + det A, so d² = 2·tr(A) = 12
    assert second(d) == 12.0


# ---------------------------------------------------------------- second derivatives of solve, slogdet
def test_solve_second_derivative():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    e = rng.standard_normal((3, 3))
    b = rng.standard_normal(3)
    x = np.linalg.solve(nested(a, e, e), b)
    ai = np.linalg.inv(a)
    np.testing.assert_allclose(x.tangent.value, -ai @ e @ ai @ b, rtol=1e-12)
    np.testing.assert_allclose(second(x), 2 * ai @ e @ ai @ e @ ai @ b, rtol=1e-10)


def test_solve_second_derivative_in_b_and_a():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    e = rng.standard_normal((2, 3, 3))
    b = rng.standard_normal((2, 3, 2))
    f = rng.standard_normal((2, 3, 2))
    inner, outer = new_tag(), new_tag()
    A = DualArray(DualArray(a, e, tag=inner), None, tag=outer)
    B = DualArray(DualArray(b, None, tag=inner), f, tag=outer)
    x = np.linalg.solve(A, B)
    ai = np.linalg.inv(a)
    # ∂²x/∂A∂b along (e, f) = −A⁻¹ e A⁻¹ f
    np.testing.assert_allclose(second(x), -ai @ e @ ai @ f, rtol=1e-10)


def test_slogdet_second_derivative():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    e = rng.standard_normal((3, 3))
    sign, logdet = np.linalg.slogdet(nested(a, e, e))
    ai = np.linalg.inv(a)
    np.testing.assert_allclose(logdet.tangent.value, np.trace(ai @ e), rtol=1e-12)
    np.testing.assert_allclose(second(logdet), -np.trace(ai @ e @ ai @ e), rtol=1e-10)
    assert np.all(second(sign) == 0)


def test_slogdet_result_type_and_sign():
    a = np.array([[0.0, 2.0], [1.0, 0.0]])
    result = np.linalg.slogdet(DualArray(a, np.eye(2)))
    assert type(result) is type(np.linalg.slogdet(a))
    assert isinstance(result.sign, DualArray) and result.sign.value == -1.0
    assert result.sign.tangent == 0.0
    np.testing.assert_allclose(result.logabsdet.tangent, 0.0)
    # complex: the sign moves, d sign = i·Im tr(A⁻¹Ȧ)·sign
    c = np.array([[1.0 + 1j, 0.0], [0.0, 2.0]])
    s = np.linalg.slogdet(DualArray(c, np.array([[1j, 0], [0, 0]]))).sign
    h = 1e-7
    fd = (np.linalg.slogdet(c + h * np.array([[1j, 0], [0, 0]])).sign - s.value) / h
    np.testing.assert_allclose(s.tangent, fd, atol=1e-6)


# ---------------------------------------------------------------- solve semantics (NumPy 2)
def test_solve_vector_rhs_with_k_equal_n():
    rng = np.random.default_rng(6)
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal(3)
    ta = rng.standard_normal((3, 3, 3))
    tb = rng.standard_normal((3, 3))
    many = np.linalg.solve(DualArray(a, ta, batched=True), DualArray(b, tb, batched=True))
    assert many.tangent.shape == (3, 3)
    for j in range(3):
        one = np.linalg.solve(DualArray(a, ta[j]), DualArray(b, tb[j]))
        np.testing.assert_allclose(many.tangent[j], one.tangent, rtol=1e-12)
        x = np.linalg.solve(a, b)
        np.testing.assert_allclose(one.tangent, np.linalg.solve(a, tb[j] - ta[j] @ x), rtol=1e-12)


def test_solve_stacked_matrix_rhs_follows_numpy():
    rng = np.random.default_rng(8)
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((2, 3))  # 2-D b is a stack of matrices in NumPy 2: shape mismatch
    with pytest.raises(ValueError):
        np.linalg.solve(a, b)
    with pytest.raises(ValueError):
        np.linalg.solve(DualArray(a, 1.0), b)
    b = rng.standard_normal(3)  # 1-D b broadcasts against the stack
    x = np.linalg.solve(DualArray(a, 1.0), b)
    assert x.shape == np.linalg.solve(a, b).shape == (2, 3)


# ---------------------------------------------------------------- norms at zero
@pytest.mark.parametrize("ord", [None, 2, 1, 3, np.inf, -np.inf])
def test_vector_norm_at_zero_has_zero_derivative(ord):
    x = DualArray(np.zeros(3), np.array([1.0, -2.0, 0.5]))
    with np.errstate(all="raise"):
        y = np.linalg.norm(x, ord)
    assert y.value == 0.0
    assert y.tangent == 0.0


def test_norm_variants_at_zero():
    z = DualArray(np.zeros((2, 3)), np.ones((2, 3)))
    with np.errstate(all="raise"):
        results = [
            np.linalg.vector_norm(z),
            np.linalg.vector_norm(z, axis=1),
            np.linalg.norm(z, "fro"),
            np.linalg.matrix_norm(z),
            np.linalg.norm(z, axis=0),
        ]
    for r in results:
        assert np.all(r.tangent == 0.0)


def test_norm_at_partly_zero_stack():
    x = np.array([[0.0, 0.0], [3.0, 4.0]])
    y = np.linalg.norm(DualArray(x, np.ones_like(x)), axis=1)
    np.testing.assert_allclose(y.tangent, [0.0, 7.0 / 5.0])


def test_norm_second_derivative_at_zero_is_not_nan():
    y = np.linalg.norm(nested(np.zeros(3), np.ones(3), np.ones(3)))
    assert np.isfinite(second(y))


def test_norm_inf_ties_split():
    y = np.linalg.norm(DualArray(np.array([1.0, -1.0, 0.5]), np.array([1.0, 3.0, 0.0])), np.inf)
    assert y.tangent == (1.0 - 3.0) / 2


# ---------------------------------------------------------------- repeated eigenvalues
def _reconstruct(w, v):
    return np.matmul(v * np.expand_dims(w, -2), np.swapaxes(v, -1, -2))


def test_eigh_identity_reproduces_symmetric_direction():
    e = np.array([[1.0, 2.0, 0.0], [2.0, -1.0, 3.0], [0.0, 3.0, 5.0]])
    w, v = np.linalg.eigh(DualArray(np.eye(3), e))
    np.testing.assert_allclose(_reconstruct(w, v).tangent, e, atol=1e-12)
    np.testing.assert_allclose(w.tangent, np.linalg.eigvalsh(e), atol=1e-12)
    assert np.all(np.isfinite(v.tangent))
    np.testing.assert_allclose(np.linalg.eigvalsh(DualArray(np.eye(3), e)).tangent, np.linalg.eigvalsh(e),
                               atol=1e-12)


def test_eigh_partial_degeneracy_and_stack():
    rng = np.random.default_rng(9)
    q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    a = np.stack([(q * [1.0, 1.0, 2.0, 2.0]) @ q.T, np.diag([0.5, 1.0, 1.0, 3.0])])
    a = (a + np.swapaxes(a, -1, -2)) / 2
    e = rng.standard_normal((2, 4, 4))
    e = e + np.swapaxes(e, -1, -2)
    w, v = np.linalg.eigh(DualArray(a, e))
    np.testing.assert_allclose(_reconstruct(w, v).tangent, e, atol=1e-10)
    # eigenvalue tangents: eigenvalues of the projected direction in each cluster
    v0 = np.linalg.eigh(a)[1]
    p = np.swapaxes(v0, -1, -2) @ e @ v0
    expected0 = np.concatenate([np.linalg.eigvalsh(p[0, :2, :2]), np.linalg.eigvalsh(p[0, 2:, 2:])])
    expected1 = np.concatenate([[p[1, 0, 0]], np.linalg.eigvalsh(p[1, 1:3, 1:3]), [p[1, 3, 3]]])
    np.testing.assert_allclose(w.tangent, [expected0, expected1], atol=1e-10)


def test_eigvalsh_degenerate_every_direction():
    rng = np.random.default_rng(10)
    e = rng.standard_normal((3, 3, 3))
    e = e + np.swapaxes(e, -1, -2)
    w = np.linalg.eigvalsh(DualArray(np.eye(3), e, batched=True))
    np.testing.assert_allclose(w.tangent, np.linalg.eigvalsh(e), atol=1e-12)


def test_eigh_degenerate_from_lower_triangle():
    # eigh reads the lower triangle: a non-symmetric direction acts as its symmetric completion
    e = np.array([[1.0, 9.0], [2.0, 3.0]])
    w, v = np.linalg.eigh(DualArray(np.eye(2), e))
    s = np.array([[1.0, 2.0], [2.0, 3.0]])
    np.testing.assert_allclose(_reconstruct(w, v).tangent, s, atol=1e-12)


def test_svd_identity_reproduces_direction():
    rng = np.random.default_rng(12)
    e = rng.standard_normal((3, 3))
    u, s, vh = np.linalg.svd(DualArray(np.eye(3), e))
    recon = np.matmul(u * np.expand_dims(s, -2), vh)
    np.testing.assert_allclose(recon.tangent, e, atol=1e-12)
    np.testing.assert_allclose(s.tangent, np.linalg.eigvalsh((e + e.T) / 2)[::-1], atol=1e-12)
    sv = np.linalg.svd(DualArray(np.eye(3), e), compute_uv=False)
    np.testing.assert_allclose(sv.tangent, np.linalg.eigvalsh((e + e.T) / 2)[::-1], atol=1e-12)


def test_svd_tall_repeated_singular_values():
    rng = np.random.default_rng(13)
    q, _ = np.linalg.qr(rng.standard_normal((5, 3)))
    a = 2.0 * q  # singular values 2, 2, 2
    e = rng.standard_normal((5, 3))
    u, s, vh = np.linalg.svd(DualArray(a, e), full_matrices=False)
    recon = np.matmul(u * np.expand_dims(s, -2), vh)
    np.testing.assert_allclose(recon.tangent, e, atol=1e-12)


def test_svd_zero_singular_values_do_not_make_nan():
    s = np.linalg.svd(DualArray(np.zeros((3, 3)), np.ones((3, 3))), compute_uv=False)
    assert np.all(s.tangent == 0.0)
    u, s, vh = np.linalg.svd(DualArray(np.diag([2.0, 1.0, 0.0]), np.ones((3, 3))))
    assert np.all(np.isfinite(u.tangent)) and np.all(np.isfinite(vh.tangent))


# ---------------------------------------------------------------- general eig: gauge-free checks
def test_eig_reconstruction_with_complex_pair():
    rng = np.random.default_rng(14)
    a = rng.standard_normal((4, 4))
    e = rng.standard_normal((4, 4))
    w, v = np.linalg.eig(DualArray(a, e))
    assert np.iscomplexobj(w.value)
    recon = np.matmul(v * np.expand_dims(w, -2), np.linalg.inv(v))
    np.testing.assert_allclose(recon.tangent, e, atol=1e-10)
    norms = np.sum(np.real(np.conjugate(v) * v), axis=-2)  # unit columns stay unit
    np.testing.assert_allclose(norms.tangent, 0.0, atol=1e-12)


# ---------------------------------------------------------------- errors, plain outputs, coverage
def test_qr_modes_without_derivative_raise():
    x = DualArray(np.ones((4, 3)) + np.eye(4, 3), 1.0)
    with pytest.raises(NotImplementedError, match="complete"):
        np.linalg.qr(x, mode="complete")
    with pytest.raises(NotImplementedError, match="raw"):
        np.linalg.qr(x, mode="raw")


def test_nondifferentiable_outputs_are_plain():
    a = DualArray(np.diag([1.0, 2.0, 0.0]), 1.0)
    assert np.linalg.matrix_rank(a) == 2
    _, _, rank, _ = np.linalg.lstsq(DualArray(np.eye(3), 1.0), np.ones(3))
    assert not isinstance(rank, DualArray) and rank == 3
    path = np.einsum_path("ij,jk->ik", DualArray(np.eye(2), 1.0), np.eye(2))
    assert path[0][0] == "einsum_path"


def test_einsum_out_and_interleaved():
    rng = np.random.default_rng(15)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    ta = rng.standard_normal((2, 3))
    out = np.zeros_like(DualArray(np.zeros((2, 4)), 1.0))
    r = np.einsum("ij,jk->ik", DualArray(a, ta), b, out=out)
    assert r is out
    np.testing.assert_array_equal(out.value, np.einsum("ij,jk->ik", a, b))
    np.testing.assert_allclose(out.tangent, ta @ b)
    r = np.einsum(DualArray(a, ta), [0, 1], b, [1, 2], [0, 2])
    np.testing.assert_allclose(r.tangent, ta @ b)


def test_every_linalg_function_classified_once():
    funcs = [f for f in get_overridable_numpy_array_functions()
             if getattr(f, "__module__", "") == "numpy.linalg"]
    assert len(funcs) > 25
    for f in funcs:
        kinds = [f in FUNCTIONS, f in NON_DIFFERENTIABLE, f in UNSUPPORTED]
        assert sum(kinds) == 1, f"{f.__name__}: {kinds}"
    for f in (np.vdot, np.inner, np.outer, np.tensordot, np.einsum, np.kron, np.cross, np.matrix_transpose):
        assert f in FUNCTIONS


def _polynomial_second_derivative(a, e):
    """d²/dt² det(A + tE) at 0, from the exact degree-n polynomial through n + 1 points."""
    n = a.shape[-1]
    ts = np.linspace(-1.0, 1.0, n + 1)
    coeffs = np.polyfit(ts, [np.linalg.det(a + t * e) for t in ts], n)
    return 2 * coeffs[-3]


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_det_large_singular_second_derivative(dtype):
    rng = np.random.default_rng(21)
    n = 4
    a = (rng.standard_normal((n, n - 1)) @ rng.standard_normal((n - 1, n))).astype(dtype)
    e = rng.standard_normal((n, n)).astype(dtype)
    if dtype == np.complex128:
        a = a + 1j * (rng.standard_normal((n, n - 1)) @ rng.standard_normal((n - 1, n)))
        a = a @ np.diag([1, 1, 1, 0]) @ rng.standard_normal((n, n))  # keep it singular
        e = e + 1j * rng.standard_normal((n, n))
    d = np.linalg.det(nested(a, e, e))
    np.testing.assert_allclose(d.tangent.value, np.sum(adjugate_brute(a).T * e), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(second(d), _polynomial_second_derivative(a, e), rtol=1e-7, atol=1e-9)


def test_det_large_well_conditioned_second_derivative():
    rng = np.random.default_rng(22)
    a = rng.standard_normal((2, 5, 5)) + 3 * np.eye(5)
    e = rng.standard_normal((2, 5, 5))
    d = np.linalg.det(nested(a, e, e))
    expected = [_polynomial_second_derivative(a[i], e[i]) for i in range(2)]
    np.testing.assert_allclose(second(d), expected, rtol=1e-7)


@pytest.mark.parametrize("n", [4, 5])
def test_det_rank_n_minus_2_second_derivative(n):
    rng = np.random.default_rng(23)
    a = rng.standard_normal((n, n - 2)) @ rng.standard_normal((n - 2, n))
    e = rng.standard_normal((n, n))
    d = np.linalg.det(nested(a, e, e))
    np.testing.assert_allclose(d.tangent.value, 0.0, atol=1e-10)
    np.testing.assert_allclose(second(d), _polynomial_second_derivative(a, e), rtol=1e-7)


def test_det_large_singular_uses_svd_branch():
    rng = np.random.default_rng(24)
    n = 12
    a = rng.standard_normal((n, n - 1)) @ rng.standard_normal((n - 1, n))
    e = rng.standard_normal((n, n))
    d = np.linalg.det(nested(a, e, e))
    np.testing.assert_allclose(d.tangent.value, np.sum(adjugate_brute(a).T * e), rtol=1e-8)
    np.testing.assert_allclose(second(d), _polynomial_second_derivative(a, e), rtol=1e-5)


def test_pinv_hermitian_reads_the_lower_triangle_at_first_and_second_order():
    A = np.array([[2.0, 5.0], [1.0, 3.0]])
    E = np.array([[1.0, 0.0], [0.0, 0.0]])
    S = np.array([[2.0, 1.0], [1.0, 3.0]])
    Si = np.linalg.inv(S)
    np.testing.assert_allclose(np.linalg.pinv(DualArray(A, E), hermitian=True).tangent, -Si @ E @ Si, rtol=1e-12)
    w = np.array([[1.0, 2.0], [3.0, 4.0]])

    def via_pinv(x):
        return np.sum(w * np.linalg.pinv(x.reshape(2, 2), hermitian=True))

    def via_inv(x):
        m = x.reshape(2, 2)
        low = np.stack([np.stack([m[0, 0], m[1, 0]]), np.stack([m[1, 0], m[1, 1]])])
        return np.sum(w * np.linalg.inv(low))

    x = np.array([2.0, 0.3, 1.0, 3.0])
    np.testing.assert_allclose(hessian(via_pinv)(x), hessian(via_inv)(x), rtol=1e-10, atol=1e-12)


def test_pinv_and_lstsq_refuse_a_cutoff_that_drops_a_nonzero_singular_value():
    A = np.diag([3.0, 1.0, 0.5])
    E = np.zeros((3, 3))
    E[0, 2] = 1.0
    with pytest.raises(NotImplementedError, match="constant rank"):
        np.linalg.pinv(DualArray(A, E), rcond=0.3)
    with pytest.raises(NotImplementedError, match="constant rank"):
        np.linalg.lstsq(DualArray(A, E), np.ones(3), rcond=0.3)
    # a cutoff that drops nothing (or only exact zeros) is fine
    np.linalg.pinv(DualArray(A, E), rcond=0.1)
    np.linalg.pinv(DualArray(np.diag([3.0, 1.0, 0.0]), E), rcond=0.1)


def test_det_second_order_at_large_low_rank_matrices_raises_instead_of_guessing():
    rng = np.random.default_rng(11)
    B = rng.standard_normal((11, 9))
    A = B @ rng.standard_normal((9, 11))  # rank 9 = n - 2
    with pytest.raises(NotImplementedError, match="second derivatives"):
        hessian(lambda x: np.linalg.det(x.reshape(11, 11)))(A.ravel())


# ---------------------------------------------------------------- eig/eigvals at repeated eigenvalues
def _rotated_jordan():
    q, _ = np.linalg.qr(np.random.default_rng(21).standard_normal((3, 3)))
    return q @ np.array([[2.0, 1.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 5.0]]) @ q.T


@pytest.mark.parametrize("a", [np.eye(3), np.diag([2.0, 2.0, 1.0]), np.array([[1.0, 1.0], [0.0, 1.0]]),
                               np.array([[0.0, 1.0], [0.0, 0.0]]), _rotated_jordan()],
                         ids=["identity", "diag_221", "jordan", "nilpotent", "rotated_jordan"])
def test_eig_at_a_repeated_eigenvalue_raises(a):
    e = np.random.default_rng(22).standard_normal(a.shape)
    for func in (np.linalg.eig, np.linalg.eigvals):
        with pytest.raises(NotImplementedError, match=r"repeated.*eigh"):
            func(DualArray(a, e))
        with pytest.raises(NotImplementedError, match="repeated"):
            func(DualArray(np.stack([np.diag([1.0, 2.0, 3.0])[: len(a), : len(a)], a]), 1.0))
        # no tangent: NumPy's values, nothing to refuse
        np.testing.assert_array_equal(np.linalg.eigvals(DualArray(a)).value, np.linalg.eigvals(a))


def test_eig_simple_eigenvalues_close_but_distinct_still_work():
    a = np.diag([1.0, 1.0 + 1e-5, 3.0])
    e = np.random.default_rng(23).standard_normal((3, 3))
    w = np.linalg.eigvals(DualArray(a, e))
    np.testing.assert_allclose(w.tangent, np.diag(e))


# ---------------------------------------------------------------- slogdet at singular matrices
def test_slogdet_singular_value_is_numpys_and_a_zero_tangent_stays_zero():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    with np.errstate(all="raise"):
        sign, logdet = np.linalg.slogdet(DualArray(a, np.zeros((2, 2))))
    expected = np.linalg.slogdet(a)
    assert sign.value == expected.sign == 0.0 and logdet.value == expected.logabsdet == -np.inf
    assert sign.tangent == 0.0 and logdet.tangent == 0.0


def test_slogdet_singular_with_a_moving_tangent_raises():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(NotImplementedError, match=r"slogdet.*singular.*det"):
        np.linalg.slogdet(DualArray(a, np.eye(2)))
    with pytest.raises(NotImplementedError, match="singular"):
        np.linalg.slogdet(DualArray(np.zeros((3, 3), complex), np.eye(3)))
    with pytest.raises(NotImplementedError, match="singular"):  # second order: the inner level refuses
        np.linalg.slogdet(nested(a, np.eye(2), np.zeros((2, 2))))


def test_slogdet_stack_with_a_singular_member():
    a = np.stack([np.array([[1.0, 2.0], [2.0, 4.0]]), np.array([[2.0, 1.0], [1.0, 3.0]])])
    e = np.stack([np.zeros((2, 2)), np.array([[1.0, 0.5], [0.0, 2.0]])])
    sign, logdet = np.linalg.slogdet(DualArray(a, e))
    expected = np.linalg.slogdet(a)
    np.testing.assert_array_equal(sign.value, expected.sign)
    np.testing.assert_array_equal(logdet.value, expected.logabsdet)
    np.testing.assert_array_equal(sign.tangent, [0.0, 0.0])
    np.testing.assert_allclose(logdet.tangent, [0.0, np.trace(np.linalg.solve(a[1], e[1]))], rtol=1e-14)
    # k directions, the singular member still fixed
    many = np.stack([e, 2 * e])
    logdet = np.linalg.slogdet(DualArray(a, many, batched=True)).logabsdet
    one = np.trace(np.linalg.solve(a[1], e[1]))
    np.testing.assert_allclose(logdet.tangent[:, 1], [one, 2 * one], rtol=1e-14)
    assert np.all(logdet.tangent[:, 0] == 0)


# ---------------------------------------------------------------- integer dtype= results are constant
def test_einsum_integer_dtype_has_zero_tangent():
    x = np.array([[1.5, 2.25], [-0.75, 3.5]])
    d = DualArray(x, np.ones_like(x))
    for dtype in (np.int64, np.int32, bool):
        r = np.einsum("ij->i", d, dtype=dtype, casting="unsafe")
        np.testing.assert_array_equal(r.value, np.einsum("ij->i", x, dtype=dtype, casting="unsafe"))
        assert r.value.dtype == np.dtype(dtype)
        assert np.all(r.tangent == 0)
    r = np.einsum("ij,jk->ik", d, x, dtype=np.int64, casting="unsafe")
    np.testing.assert_array_equal(r.value, np.einsum("ij,jk->ik", x, x, dtype=np.int64, casting="unsafe"))
    assert np.all(r.tangent == 0)
    # a float dtype still differentiates
    r = np.einsum("ij->i", d, dtype=np.float32, casting="same_kind")
    np.testing.assert_array_equal(r.tangent, [2.0, 2.0])


def test_linalg_trace_integer_dtype_has_zero_tangent():
    x = np.array([[1.5, 2.0], [0.0, 2.75]])
    r = np.linalg.trace(DualArray(x, np.ones_like(x)), dtype=np.int64)
    assert r.value == np.linalg.trace(x, dtype=np.int64) and r.tangent == 0
    assert np.linalg.trace(DualArray(x, np.ones_like(x)), dtype=np.float64).tangent == 2.0
