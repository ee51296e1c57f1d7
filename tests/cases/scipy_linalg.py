"""Rows for ``dualarray.scipy.linalg``: values must equal SciPy's own, tangents finite differences.

Every generic test runs over these rows as over NumPy's (k directions, layouts, nesting, reverse mode,
sparsity patterns). Eigen- and singular vectors are sign-fixed (SciPy's LAPACK gauge can flip under a
perturbation of 1e-6, which finite differences cannot follow).
"""

from __future__ import annotations

import numpy as np

from dualarray.scipy import linalg as L

from . import Case, spd, well_conditioned
from .linalg import distinct_spd, separated

F64 = ("float64",)
DC = ("float64", "complex128")
M3 = [((3, 3),)]


def _fix(v):
    """Columns with a nonnegative first row (a smooth gauge for finite differences)."""
    return v * np.sign(np.real(v[..., :1, :]))


def stable(rng, shape):
    """Matrices with eigenvalues in the left half plane (continuous Lyapunov equations are well posed)."""
    return well_conditioned(rng, shape) - 4 * np.eye(shape[-1])


def contracting(rng, shape):
    """Matrices of spectral radius < 1 (discrete Lyapunov equations are well posed)."""
    return (well_conditioned(rng, shape) - 2 * np.eye(shape[-1])) / 3


def small(rng, shape):
    return rng.standard_normal(shape) / 3


def banded(rng, shape):
    """LAPACK banded storage of a diagonally dominant tridiagonal matrix (rows: upper, diagonal, lower)."""
    ab = rng.standard_normal(shape) / 3
    ab[1] += 3.0
    return ab


def hbanded(rng, shape):
    """Upper banded storage of a positive definite tridiagonal matrix."""
    ab = rng.standard_normal(shape) / 3
    ab[-1] = 3.0 + np.abs(ab[-1])
    return ab


def _eigh(a, b=None, **kwargs):
    w, v = L.eigh(a, b, **kwargs)
    return w, _fix(v)


def _svd(a):
    u, s, vh = L.svd(a, full_matrices=False)
    fixed = np.sign(np.real(u[..., :1, :]))
    return u * fixed, s, vh * np.swapaxes(fixed, -1, -2)


CASES = [
    Case("scipy_inv", L.inv, (well_conditioned,), M3, DC),
    Case("scipy_inv_pos", lambda a: L.inv(a, assume_a="pos"), (spd,), M3, F64),
    Case("scipy_det", L.det, (well_conditioned,), M3, DC),
    Case("scipy_solve", L.solve, (well_conditioned, "real"), [((3, 3), (3,)), ((3, 3), (3, 2))], DC),
    Case("scipy_solve_sym_lower", lambda a, b: L.solve(a, b, assume_a="sym", lower=True), (spd, "real"),
         [((3, 3), (3, 2))], F64),
    Case("scipy_solve_transposed", lambda a, b: L.solve(a, b, transposed=True), (well_conditioned, "real"),
         [((3, 3), (3,))], F64),
    Case("scipy_solve_triangular", lambda a, b: L.solve_triangular(a, b, lower=True), (well_conditioned, "real"),
         [((3, 3), (3, 2))], DC),
    Case("scipy_solve_triangular_unit_T", lambda a, b: L.solve_triangular(a, b, trans="T", unit_diagonal=True),
         (well_conditioned, "real"), [((3, 3), (3,))], F64),
    Case("scipy_cholesky", L.cholesky, (spd,), M3, F64),
    Case("scipy_cholesky_lower", lambda a: L.cholesky(a, lower=True), (spd,), M3, F64),
    Case("scipy_cho_factor", lambda a: L.cho_factor(a)[0], (spd,), M3, F64),
    Case("scipy_cho_solve", lambda a, b: L.cho_solve(L.cho_factor(a, lower=True), b), (spd, "real"),
         [((3, 3), (3, 2))], F64),
    Case("scipy_eigh", _eigh, (distinct_spd,), M3, F64, rtol=1e-5),
    Case("scipy_eigh_subset", lambda a: _eigh(a, subset_by_index=(1, 2)), (distinct_spd,), M3, F64, rtol=1e-5),
    Case("scipy_eigvalsh", L.eigvalsh, (distinct_spd,), M3, F64),
    Case("scipy_eigh_generalized", lambda a, b: _eigh(a, b), (distinct_spd, spd), [((3, 3), (3, 3))], F64, rtol=1e-5),
    Case("scipy_eigh_generalized_type3", lambda a, b: _eigh(a, b, type=3, lower=False), (distinct_spd, spd),
         [((3, 3), (3, 3))], F64, rtol=1e-5),
    Case("scipy_eigvalsh_generalized_type2", lambda a, b: L.eigvalsh(a, b, type=2), (distinct_spd, spd),
         [((3, 3), (3, 3))], F64),
    Case("scipy_svd", _svd, (separated,), [((3, 3),), ((4, 3),)], F64, rtol=1e-5),
    Case("scipy_svdvals", lambda a: L.svd(a, compute_uv=False), (separated,), [((4, 3),)], F64),
    Case("scipy_qr", lambda a: L.qr(a, mode="economic"), (well_conditioned,), M3, F64),
    Case("scipy_pinv", L.pinv, (separated,), [((4, 3),)], F64),
    Case("scipy_norm", L.norm, ("real",), [((3, 4),)], DC),
    Case("scipy_norm_2", lambda a: L.norm(a, 2), (separated,), [((3, 3),)], F64),
    Case("scipy_toeplitz", L.toeplitz, ("real", "real"), [((3,), (4,))], DC),
    Case("scipy_circulant", L.circulant, ("real",), [((4,),)], DC),
    Case("scipy_block_diag", L.block_diag, ("real", "real"), [((2, 2), (1, 3))], DC),
    Case("scipy_expm", L.expm, (small,), M3, DC),
    Case("scipy_expm_frechet", lambda a, e: L.expm_frechet(a, e), (small, "real"), [((3, 3), (3, 3))], F64),
    Case("scipy_sqrtm", L.sqrtm, (spd,), M3, F64, rtol=1e-5),
    Case("scipy_solve_sylvester", L.solve_sylvester, (well_conditioned, well_conditioned, "real"),
         [((3, 3), (2, 2), (3, 2))], F64),
    Case("scipy_solve_continuous_lyapunov", L.solve_continuous_lyapunov, (stable, "real"), [((3, 3), (3, 3))],
         F64),
    Case("scipy_solve_discrete_lyapunov", L.solve_discrete_lyapunov, (contracting, "real"), [((3, 3), (3, 3))],
         F64),
    Case("scipy_lu_factor", lambda a: L.lu_factor(a)[0], (well_conditioned,), M3, F64),
    Case("scipy_lu_solve", lambda a, b: L.lu_solve(L.lu_factor(a), b, trans=1), (well_conditioned, "real"),
         [((3, 3), (3, 2))], F64),
    Case("scipy_lu", lambda a: L.lu(a)[1:], (well_conditioned,), M3, F64),
    Case("scipy_logm", L.logm, (spd,), M3, F64, rtol=1e-5),
    Case("scipy_funm_exp", lambda a: L.funm(a, np.exp), (small,), M3, F64, rtol=1e-5),
    Case("scipy_funm_log", lambda a: L.funm(a, np.log), (spd,), M3, F64, rtol=1e-5),
    Case("scipy_funm_sqrt", lambda a: L.funm(a, np.sqrt), (spd,), M3, F64, rtol=1e-5),
    Case("scipy_solve_continuous_are", lambda a, q: L.solve_continuous_are(a, np.eye(3), q @ q.T + np.eye(3),
                                                                           np.eye(3)),
         (stable, "real"), [((3, 3), (3, 3))], F64, rtol=1e-5),
    Case("scipy_solve_banded", lambda ab, b: L.solve_banded((1, 1), ab, b), (banded, "real"), [((3, 4), (4,))], F64),
    Case("scipy_solveh_banded", lambda ab, b: L.solveh_banded(ab, b), (hbanded, "real"), [((2, 4), (4, 2))], F64),
]
