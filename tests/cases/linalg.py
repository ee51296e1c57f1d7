"""Rows for products (vdot, inner, outer, tensordot, einsum, kron, cross) and numpy.linalg.

Matrices are 3×3 wherever possible, so the k = 3 directions of the batched check equal n; stacked
(batched) matrices are included wherever NumPy allows them.
"""

from __future__ import annotations

import numpy as np

from . import WITH_COMPLEX, Case, spd, well_conditioned

C = WITH_COMPLEX
DC = ("float64", "complex128")  # BLAS-backed: float32 rounding differs between stacked and single calls
M3 = [((3, 3),), ((2, 3, 3),)]
SQUARE = [((3, 3),), ((2, 3, 3),), ((2, 2),), ((1, 1),), ((5, 5),)]
RECT = [((3, 3),), ((4, 3),), ((3, 4),), ((2, 4, 3),)]
F64 = ("float64",)


def tensor_matrix(rows: int):
    """A tensor whose (rows × rest) matrix form is well conditioned."""
    def draw(rng, shape):
        return well_conditioned(rng, (rows, rows)).reshape(shape)

    return draw


def distinct_spd(rng, shape):
    """SPD matrices with well separated eigenvalues (eigenvectors are then smooth)."""
    n = shape[-1]
    q, _ = np.linalg.qr(rng.standard_normal(shape))
    w = np.arange(1, n + 1, dtype=float) + 0.2 * rng.uniform(size=shape[:-1])
    return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)


def separated(rng, shape):
    """Matrices with well separated singular values."""
    m, n = shape[-2:]
    k = min(m, n)
    u, _ = np.linalg.qr(rng.standard_normal(shape[:-2] + (m, k)))
    v, _ = np.linalg.qr(rng.standard_normal(shape[:-2] + (n, k)))
    s = np.arange(k, 0, -1, dtype=float) + 0.5 + 0.2 * rng.uniform(size=shape[:-2] + (k,))
    return (u * s[..., None, :]) @ np.swapaxes(v, -1, -2)


def real_eigs(rng, shape):
    """Non-symmetric matrices with distinct real eigenvalues."""
    n = shape[-1]
    p = rng.standard_normal(shape) + 3 * np.eye(n)
    w = np.arange(1, n + 1, dtype=float) + 0.2 * rng.uniform(size=shape[:-1])
    return (p * w[..., None, :]) @ np.linalg.inv(p)


def rotation_like(rng, shape):
    """Real matrices with a complex pair of eigenvalues (and distinct eigenvalues)."""
    n = shape[-1]
    a = rng.standard_normal(shape) / np.sqrt(n) + np.diag(np.arange(1.0, n + 1))
    a[..., 0, 1] += 2.0
    a[..., 1, 0] -= 2.0
    return a


def signed_eigh(a, **kwargs):
    """eigh with a sign-fixed gauge (first row of V nonnegative), so finite differences are smooth."""
    w, v = np.linalg.eigh(a, **kwargs)
    return w, v * np.sign(v[..., :1, :])


def signed_svd(a, **kwargs):
    """svd with sign-fixed singular vectors (first row of U, first column of Vh nonnegative)."""
    u, s, vh = np.linalg.svd(a, **kwargs)
    return u * np.sign(u[..., :1, :]), s, vh * np.sign(vh[..., :, :1])


CASES = [
    # products
    Case("vdot", np.vdot, ("real", "real"), [((3,), (3,)), ((2, 3), (6,)), ((3, 3), (3, 3))], C),
    Case("inner", np.inner, ("real", "real"), [((3,), (3,)), ((2, 3), (3,)), ((3,), (4, 3)), ((2, 3), (4, 3)),
                                                ((), (3,))], DC),
    Case("outer", np.outer, ("real", "real"), [((3,), (4,)), ((2, 3), (3,))], C),
    Case("linalg_outer", np.linalg.outer, ("real", "real"), [((3,), (4,)), ((3,), (3,))], C),
    Case("tensordot", np.tensordot, ("real", "real"), [((3, 4, 2), (4, 2, 3)), ((2, 3, 4), (3, 4))], DC),
    Case("tensordot_axes", lambda a, b: np.tensordot(a, b, axes=([1, 0], [0, 1])), ("real", "real"),
         [((3, 4, 2), (4, 3, 5))]),
    Case("tensordot_int_axes", lambda a, b: np.tensordot(a, b, axes=1), ("real", "real"), [((2, 3), (3, 4))]),
    Case("tensordot_outer", lambda a, b: np.tensordot(a, b, axes=0), ("real", "real"), [((2, 3), (3,))]),
    Case("tensordot_neg_axes", lambda a, b: np.tensordot(a, b, axes=(-1, 0)), ("real", "real"),
         [((2, 3), (3, 4))]),
    Case("linalg_tensordot", lambda a, b: np.linalg.tensordot(a, b, axes=1), ("real", "real"),
         [((2, 3), (3, 4))]),
    Case("einsum_matmul", lambda a, b: np.einsum("ij,jk->ik", a, b), ("real", "real"), [((3, 4), (4, 3))], C),
    Case("einsum_implicit", lambda a, b: np.einsum("ij,jk", a, b), ("real", "real"), [((3, 4), (4, 2))]),
    Case("einsum_implicit_order", lambda a, b: np.einsum("Ba,aC", a, b), ("real", "real"),
         [((2, 3), (3, 4))]),
    Case("einsum_trace", lambda a: np.einsum("ii", a), ("real",), [((3, 3),)]),
    Case("einsum_diag", lambda a: np.einsum("ii->i", a), ("real",), [((3, 3),)]),
    Case("einsum_ellipsis", lambda a, b: np.einsum("...ij,...jk->...ik", a, b), ("real", "real"),
         [((2, 3, 4), (4, 3)), ((3, 4), (2, 4, 3)), ((1, 3, 3), (2, 3, 3))]),
    Case("einsum_ellipsis_implicit", lambda a, b: np.einsum("...j,j", a, b), ("real", "real"),
         [((2, 3), (3,)), ((3,), (3,))]),
    Case("einsum_three", lambda a, b, c: np.einsum("ij,jk,kl->il", a, b, c), ("real", "real", "real"),
         [((2, 3), (3, 3), (3, 4))]),
    Case("einsum_optimize", lambda a, b, c: np.einsum("ij,jk,kl->il", a, b, c, optimize=True),
         ("real", "real", "real"), [((2, 3), (3, 3), (3, 4))], DC),
    Case("einsum_optimize_greedy", lambda a, b, c: np.einsum("ij,jk,k", a, b, c, optimize="greedy"),
         ("real", "real", "real"), [((2, 3), (3, 4), (4,))], DC),
    Case("einsum_sublist", lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2]), ("real", "real"),
         [((2, 3), (3, 4))]),
    Case("einsum_sublist_implicit", lambda a, b: np.einsum(a, [30, 1], b, [1, 2]), ("real", "real"),
         [((2, 3), (3, 4))]),
    Case("einsum_sublist_ellipsis", lambda a, b: np.einsum(a, [Ellipsis, 0], b, [Ellipsis, 0], [Ellipsis]),
         ("real", "real"), [((2, 3), (2, 3))]),
    Case("einsum_scalar", lambda a, b: np.einsum(",ij->ij", a, b), ("real", "real"), [((), (2, 3))]),
    Case("einsum_broadcast_letters", lambda a, b: np.einsum("ij,ij->i", a, b), ("real", "real"),
         [((1, 3), (4, 3))]),
    Case("einsum_dtype", lambda a, b: np.einsum("i,i", a, b, dtype=np.float64), ("real", "real"),
         [((3,), (3,))]),
    Case("einsum_const_operand", lambda a: np.einsum("ij,j->i", a, np.arange(3.0)), ("real",), [((2, 3),)]),
    Case("kron", np.kron, ("real", "real"),
         [((2, 3), (3, 2)), ((3,), (2,)), ((2,), (2, 3)), ((2, 2, 1), (3,)), ((), (3,))], C),
    Case("cross", np.cross, ("real", "real"), [((3,), (3,)), ((4, 3), (3,)), ((2, 4, 3), (4, 3))], C),
    Case("cross_axes", lambda a, b: np.cross(a, b, axisa=0, axisb=1, axisc=0), ("real", "real"),
         [((3, 4), (4, 3))]),
    Case("cross_axis", lambda a, b: np.cross(a, b, axis=0), ("real", "real"), [((3, 4), (3, 4))]),
    Case("linalg_cross", np.linalg.cross, ("real", "real"), [((3,), (3,)), ((2, 3), (2, 3))]),
    Case("linalg_cross_axis", lambda a, b: np.linalg.cross(a, b, axis=0), ("real", "real"),
         [((3, 2), (3, 2))]),
    Case("matrix_transpose", np.matrix_transpose, ("real",), [((3, 4),), ((2, 3, 4),)], C),
    Case("linalg_matrix_transpose", np.linalg.matrix_transpose, ("real",), [((3, 4),), ((2, 3, 4),)]),
    Case("linalg_diagonal", np.linalg.diagonal, ("real",), [((3, 3),), ((2, 3, 4),)], C),
    Case("linalg_diagonal_offset", lambda a: np.linalg.diagonal(a, offset=-1), ("real",), [((2, 3, 3),)]),
    Case("linalg_trace", np.linalg.trace, ("real",), [((3, 3),), ((2, 3, 4),)], C),
    Case("linalg_trace_offset", lambda a: np.linalg.trace(a, offset=1, dtype=np.float64), ("real",),
         [((3, 4),)]),
    Case("linalg_matmul", np.linalg.matmul, ("real", "real"), [((3, 4), (4, 3)), ((2, 3, 3), (3,))], C),
    Case("linalg_vecdot", np.linalg.vecdot, ("real", "real"), [((3,), (3,)), ((2, 3), (3,))], C),
    Case("linalg_vecdot_axis", lambda a, b: np.linalg.vecdot(a, b, axis=0), ("real", "real"),
         [((3, 2), (3, 2)), ((3, 4), (3, 1))], C),
    Case("multi_dot", lambda a, b, c: np.linalg.multi_dot([a, b, c]), ("real", "real", "real"),
         [((3, 4), (4, 2), (2, 3)), ((4,), (4, 3), (3,))], C),
    Case("multi_dot_four", lambda a, b, c, d: np.linalg.multi_dot([a, b, c, d]), ("real",) * 4,
         [((2, 3), (3, 4), (4, 3), (3, 2))]),
    Case("matrix_power_3", lambda a: np.linalg.matrix_power(a, 3), ("matrix",), M3),
    Case("matrix_power_0", lambda a: np.linalg.matrix_power(a, 0), ("matrix",), M3),
    Case("matrix_power_1", lambda a: np.linalg.matrix_power(a, 1), ("matrix",), M3),
    Case("matrix_power_neg", lambda a: np.linalg.matrix_power(a, -2), ("matrix",), M3, rtol=1e-5),
    # solving and inverting
    Case("solve_vector", np.linalg.solve, ("matrix", "real"), [((3, 3), (3,)), ((2, 3, 3), (3,))], DC),
    Case("solve_matrix", np.linalg.solve, ("matrix", "real"),
         [((3, 3), (3, 2)), ((3, 3), (3, 3)), ((2, 3, 3), (2, 3, 1)), ((2, 3, 3), (3, 4)),
          ((3, 3), (2, 3, 3)), ((2, 3, 3), (2, 3, 3))], DC),
    Case("solve_b_only", lambda b: np.linalg.solve(np.array([[2.0, 1, 0], [1, 3, 1], [0, 1, 4]]), b),
         ("real",), [((3,),), ((3, 3),)]),
    Case("inv", np.linalg.inv, ("matrix",), [((3, 3),), ((2, 3, 3),), ((1, 1),)], C),
    Case("pinv", np.linalg.pinv, ("real",), [((3, 4),), ((4, 3),), ((2, 4, 3),), ((3, 3),)], C, rtol=1e-5),
    Case("pinv_hermitian", lambda a: np.linalg.pinv(a, hermitian=True), (spd,), [((3, 3),)], rtol=1e-5),
    Case("lstsq_over", lambda a, b: np.linalg.lstsq(a, b), ("real", "real"),
         [((5, 3), (5,)), ((5, 3), (5, 2))], DC, rtol=1e-5),
    Case("lstsq_under", lambda a, b: np.linalg.lstsq(a, b), ("real", "real"),
         [((3, 5), (3,)), ((3, 5), (3, 2))], F64, rtol=1e-5),
    Case("lstsq_square", lambda a, b: np.linalg.lstsq(a, b, rcond=None), ("matrix", "real"), [((3, 3), (3,))],
         F64),
    Case("tensorsolve", np.linalg.tensorsolve, (tensor_matrix(6), "real"), [((2, 3, 6), (2, 3)),
                                                                            ((6, 2, 3), (6,))], F64),
    Case("tensorsolve_axes", lambda a, b: np.linalg.tensorsolve(a, b, axes=(0,)), (tensor_matrix(6), "real"),
         [((6, 2, 3), (2, 3))]),
    Case("tensorinv", np.linalg.tensorinv, (tensor_matrix(6),), [((2, 3, 6),)]),
    Case("tensorinv_ind1", lambda a: np.linalg.tensorinv(a, ind=1), (tensor_matrix(6),), [((6, 2, 3),)]),
    # determinants
    Case("det", np.linalg.det, ("matrix",), SQUARE, C),
    Case("det_general", np.linalg.det, ("real",), [((3, 3),), ((4, 4),), ((2, 4, 4),)], F64),
    Case("slogdet", np.linalg.slogdet, ("matrix",), SQUARE, C),
    # norms
    Case("norm", np.linalg.norm, ("real",), [((3,),), ((3, 4),), ((2, 3, 4),)], C),
    Case("norm_ord_vector", lambda x: tuple(np.linalg.norm(x, p) for p in (1, 2, 3, 0.5, -1, -2)),
         ("nonzero",), [((4,),)], C, rtol=1e-5),
    Case("norm_ord_vector_extremes", lambda x: tuple(np.linalg.norm(x, p) for p in (np.inf, -np.inf, 0)),
         ("nonzero",), [((4,),)], C),
    Case("norm_axis", lambda x: np.linalg.norm(x, axis=1), ("real",), [((3, 4),), ((2, 3, 4),)], C),
    Case("norm_axis_keepdims", lambda x: np.linalg.norm(x, 3, axis=-1, keepdims=True), ("nonzero",),
         [((3, 4),)], rtol=1e-5),
    Case("norm_matrix_ords", lambda x: tuple(np.linalg.norm(x, p) for p in ("fro", 1, -1, np.inf, -np.inf)),
         ("nonzero",), [((3, 4),)], C),
    Case("norm_matrix_svd_ords", lambda x: tuple(np.linalg.norm(x, p) for p in ("nuc", 2, -2)),
         (separated,), [((3, 4),), ((3, 3),)], rtol=1e-5),
    Case("norm_matrix_axes", lambda x: np.linalg.norm(x, 1, axis=(2, 0), keepdims=True), ("nonzero",),
         [((3, 2, 4),)]),
    Case("norm_matrix_axes_fro", lambda x: np.linalg.norm(x, "fro", axis=(-1, 0)), ("real",), [((3, 2, 4),)]),
    Case("norm_matrix_axes_2", lambda x: np.linalg.norm(x, 2, axis=(0, 2)), (separated,), [((3, 2, 3),)],
         rtol=1e-5),
    Case("vector_norm", np.linalg.vector_norm, ("real",), [((3,),), ((3, 4),)], C),
    Case("vector_norm_ords", lambda x: tuple(np.linalg.vector_norm(x, ord=p, axis=-1) for p in
                                             (1, 2, np.inf, -np.inf, 0, 4)), ("nonzero",), [((3, 4),)], C,
         rtol=1e-5),
    Case("vector_norm_axes", lambda x: np.linalg.vector_norm(x, axis=(0, 2), keepdims=True), ("real",),
         [((3, 2, 4),)], C),
    Case("vector_norm_axes_p", lambda x: np.linalg.vector_norm(x, axis=(2, 0), ord=3), ("nonzero",),
         [((3, 2, 4),)], rtol=1e-5),
    Case("matrix_norm", np.linalg.matrix_norm, ("real",), [((3, 4),), ((2, 3, 3),)], C),
    Case("matrix_norm_ords", lambda x: tuple(np.linalg.matrix_norm(x, ord=p, keepdims=True) for p in
                                             (1, -1, np.inf, -np.inf)), ("nonzero",), [((2, 3, 4),)]),
    Case("matrix_norm_svd_ords", lambda x: tuple(np.linalg.matrix_norm(x, ord=p) for p in ("nuc", 2, -2)),
         (separated,), [((2, 3, 4),)], rtol=1e-5),
    Case("cond", np.linalg.cond, (separated,), [((3, 3),), ((2, 3, 3),), ((3, 4),)], rtol=1e-5),
    Case("cond_ords", lambda x: tuple(np.linalg.cond(x, p) for p in (-2, "fro", 1, -1, np.inf, "nuc")),
         ("matrix",), [((3, 3),)], F64, rtol=1e-5),
    # decompositions
    Case("eigh", signed_eigh, (distinct_spd,), M3, rtol=1e-5),
    Case("eigh_upper", lambda a: signed_eigh(a, UPLO="U"), (distinct_spd,), [((3, 3),)], rtol=1e-5),
    Case("eigh_nonsymmetric_input", signed_eigh, ("real",), [((3, 3),)], F64, rtol=1e-5),
    Case("eigvalsh", np.linalg.eigvalsh, (spd,), M3, C),
    Case("eigvalsh_upper", lambda a: np.linalg.eigvalsh(a, UPLO="U"), ("real",), [((3, 3),)]),
    Case("svd_thin", lambda a: signed_svd(a, full_matrices=False), (separated,), RECT, rtol=1e-5),
    Case("svd_full", signed_svd, (separated,), [((3, 3),), ((4, 3),), ((3, 4),), ((2, 3, 4),)], rtol=1e-5),
    Case("svd_values", lambda a: np.linalg.svd(a, compute_uv=False), ("real",), RECT, C),
    Case("svd_hermitian", lambda a: signed_svd(a, hermitian=True), (distinct_spd,), [((3, 3),)],
         rtol=1e-5),
    Case("svdvals", np.linalg.svdvals, ("real",), RECT, C),
    # gauge-free compositions check complex singular/eigen vectors (their phase is arbitrary)
    Case("svd_reconstruct", lambda a: (lambda u, s, vh: (u * s[..., None, :]) @ vh)(
        *np.linalg.svd(a, full_matrices=False)), (separated,), RECT, DC, rtol=1e-5),
    Case("svd_projectors", lambda a: (lambda u, s, vh: (u @ np.conj(np.swapaxes(u, -1, -2)),
                                                        np.conj(np.swapaxes(vh, -1, -2)) @ vh))(
        *np.linalg.svd(a)), (separated,), [((4, 3),), ((3, 4),)], DC, rtol=1e-5),
    Case("eigh_reconstruct", lambda a: (lambda w, v: (v * w[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2)))(
        *np.linalg.eigh(a)), (distinct_spd,), M3, DC, rtol=1e-5),
    # spectral maps V·f(w)·Vᴴ and the polar factor U·Vh (degenerate points: tests/test_spectral_degenerate.py)
    Case("eigh_expm", lambda a: (lambda w, v: (v * np.exp(w)[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2)))(
        *np.linalg.eigh(a)), (distinct_spd,), M3, DC, rtol=1e-5),
    Case("svd_polar", lambda a: (lambda u, s, vh: u @ vh)(*np.linalg.svd(a, full_matrices=False)), (separated,),
         [((3, 3),), ((4, 3),), ((2, 3, 4),)], DC, rtol=1e-5),
    Case("einsum_float_dtype", lambda a: np.einsum("ij->i", a, dtype=np.float64), ("real",), [((3, 4),)]),
    Case("cholesky", np.linalg.cholesky, (spd,), M3, C),
    Case("cholesky_upper", lambda a: np.linalg.cholesky(a, upper=True), (spd,), M3, C),
    Case("qr", np.linalg.qr, ("matrix",), [((3, 3),), ((2, 3, 3),)], C, rtol=1e-5),
    Case("qr_rect", np.linalg.qr, ("real",), [((4, 3),), ((3, 4),), ((2, 4, 3),)], C, rtol=1e-5),
    Case("qr_complete_wide", lambda a: np.linalg.qr(a, mode="complete"), ("real",), [((3, 4),)], rtol=1e-5),
    Case("qr_r", lambda a: np.linalg.qr(a, mode="r"), ("real",), [((4, 3),), ((3, 4),)], rtol=1e-5),
    Case("eig_real", np.linalg.eig, (real_eigs,), M3, DC, rtol=1e-5),
    Case("eig_complex_pair", np.linalg.eig, (rotation_like,), [((3, 3),)], F64, rtol=1e-5),
    Case("eigvals", np.linalg.eigvals, (real_eigs,), M3, DC, rtol=1e-5),
    Case("eigvals_complex_pair", np.linalg.eigvals, (rotation_like,), [((3, 3),)], F64, rtol=1e-5),
    Case("matrix_rank", np.linalg.matrix_rank, ("real",), [((3, 4),)], F64),
]
