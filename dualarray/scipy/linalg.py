"""``scipy.linalg`` with derivatives: ``from dualarray.scipy import linalg``.

Values are SciPy's. Derivatives reuse the numpy.linalg rules where the mathematics is the same
(``inv``, ``det``, ``solve``, ``cholesky``, ``eigh``, ``svd``, ``qr``, ``pinv``, ``norm``), with the
triangle SciPy reads for symmetric/Hermitian/positive definite input and SciPy's eigen-/singular
vector gauge; structured constructors (``toeplitz``, ``circulant``, ``block_diag``) are gathers.
``expm`` differentiates the scaling-and-squaring Padé approximant (what ``expm_frechet`` computes, Al-Mohy
& Higham 2009); ``expm_frechet`` is the top-right block of ``expm([[A, E], [0, A]])``.
Matrix equations use one implicit-function step around SciPy's solution ``X``:

    F(X, p) = 0   ⇒   Ẋ = -K⁻¹ ∂F/∂p·ṗ,   K = ∂F/∂X (a Kronecker matrix of the values)
    sqrtm:        F = X² - A                          K = X ⊗ I + I ⊗ Xᵀ
    sylvester:    F = AX + XB - Q                     K = A ⊗ I + I ⊗ Bᵀ
    lyapunov:     F = AX + XAᴴ - Q,  AXAᴴ - X + Q     (row-major vec)

so reverse mode records them (K is a constant there) and nesting gives exact second derivatives.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.linalg as _sl

from . import COUNTERPARTS, counterpart
from ._modes import plain_array as _plain

__all__ = [
    "block_diag", "cho_factor", "cho_solve", "cholesky", "circulant", "det", "eigh", "eigvalsh", "expm",
    "expm_frechet", "inv", "norm", "pinv", "qr", "solve", "solve_continuous_lyapunov", "solve_discrete_lyapunov",
    "solve_sylvester", "solve_triangular", "sqrtm", "svd", "toeplitz",
]

_SYMMETRIC = {"sym", "her", "pos", "symmetric", "hermitian", "positive definite"}


def _mH(x: Any) -> Any:
    return np.conj(np.swapaxes(x, -1, -2))


def _from_triangle(a: Any, lower: bool) -> Any:
    """The Hermitian matrix LAPACK sees when it reads only one triangle of ``a`` (and the real diagonal)."""
    part = np.tril(a, -1) if lower else np.triu(a, 1)
    return part + _mH(part) + np.real(a) * np.eye(a.shape[-1])


def _phases(ours: Any, theirs: Any) -> np.ndarray:
    """Unit factors d with ``ours * d ≈ theirs`` column by column (the eigen/singular vector gauge)."""
    inner = np.sum(np.conj(_plain(ours)) * _plain(theirs), axis=-2)
    size = np.abs(inner)
    return np.where(size > 0, inner / np.where(size > 0, size, 1), 1)


# ----------------------------------------------------------------------------- the numpy.linalg reuses
@counterpart(_sl.inv, "linalg")
def inv(a, *, value=None, assume_a=None, lower=False, **_):
    return np.linalg.inv(_from_triangle(a, lower) if assume_a in _SYMMETRIC else a)


@counterpart(_sl.det, "linalg")
def det(a, *, value=None, **_):
    return np.linalg.det(a)


@counterpart(_sl.solve, "linalg")
def solve(a, b, *, value=None, lower=False, assume_a=None, transposed=False, **_):
    """``assume_a`` sym/her/pos read one triangle (``lower``); triangular kinds read theirs."""
    if assume_a in _SYMMETRIC:
        a = _from_triangle(a, lower)
    elif assume_a in ("lower triangular", "upper triangular"):
        a = np.tril(a) if assume_a.startswith("lower") else np.triu(a)
    if transposed:
        a = np.swapaxes(a, -1, -2)
    return np.linalg.solve(a, b)


@counterpart(_sl.solve_triangular, "linalg")
def solve_triangular(a, b, *, value=None, trans=0, lower=False, unit_diagonal=False, **_):
    t = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        eye = np.eye(a.shape[-1], dtype=bool)
        t = np.where(eye, 1, t)
    return np.linalg.solve(_transposed(t, trans), b)


def _transposed(a: Any, trans: Any) -> Any:
    """``a``, ``aᵀ`` or ``aᴴ`` for LAPACK's ``trans`` = 0/'N', 1/'T', 2/'C'."""
    if trans in (1, "T"):
        return np.swapaxes(a, -1, -2)
    return _mH(a) if trans in (2, "C") else a


@counterpart(_sl.cholesky, "linalg")
def cholesky(a, *, value=None, lower=False, **_):
    factor = np.linalg.cholesky(_from_triangle(a, lower))
    return factor if lower else _mH(factor)


@counterpart(_sl.cho_factor, "linalg")
def cho_factor(a, *, value=None, lower=False, **_):
    """``(c, lower)``: the factor in one triangle, ``a``'s own entries in the other (as SciPy leaves them)."""
    factor = np.linalg.cholesky(_from_triangle(a, lower))
    c = np.tril(factor) + np.triu(a, 1) if lower else np.triu(_mH(factor)) + np.tril(a, -1)
    return c, lower


def cho_solve(c_and_lower, b, **kwargs):
    """``scipy.linalg.cho_solve`` with derivatives (in ``c`` and ``b``)."""
    c, lower = c_and_lower
    return _cho_solve(c, b, lower, **kwargs)


@counterpart(lambda c, b, lower, **kwargs: _sl.cho_solve((c, lower), b, **kwargs), "linalg", registered=False)
def _cho_solve(c, b, lower, *, value=None, **_):
    factor = np.tril(c) if lower else np.triu(c)
    return np.linalg.solve(factor @ _mH(factor) if lower else _mH(factor) @ factor, b)


def _eigh_pencil(a: Any, b: Any, lower: bool, kind: int) -> tuple[Any, Any]:
    """Eigenvalues and vectors of ``a`` (standard) or of the pencil ``(a, b)`` in the triangle LAPACK reads.

    With ``b = LLᴴ`` (Cholesky) the generalized problems reduce to the Hermitian ``C u = w u``:
    type 1 ``av = wbv``: ``C = L⁻¹aL⁻ᴴ``, ``v = L⁻ᴴu``; type 2 ``abv = wv`` and type 3 ``bav = wv``:
    ``C = LᴴaL``, ``v = L⁻ᴴu`` (2) or ``v = Lu`` (3); SciPy's normalisation (``vᴴbv = I``, ``vᴴb⁻¹v = I``).
    """
    a = _from_triangle(a, lower)
    if b is None:
        return np.linalg.eigh(a)
    if kind not in (1, 2, 3):
        raise ValueError(f"dualarray.scipy.linalg.eigh: type must be 1, 2 or 3, not {kind!r}")
    factor = np.linalg.cholesky(_from_triangle(b, lower))
    if kind == 1:
        half = np.linalg.solve(factor, a)
        w, u = np.linalg.eigh(_mH(np.linalg.solve(factor, _mH(half))))
        return w, np.linalg.solve(_mH(factor), u)
    w, u = np.linalg.eigh(_mH(factor) @ a @ factor)
    return w, (np.linalg.solve(_mH(factor), u) if kind == 2 else factor @ u)


def _no_subset_by_value(name: str, kwargs: dict[str, Any]) -> None:
    if kwargs.get("subset_by_value") is not None:
        raise NotImplementedError(f"dualarray.scipy.linalg.{name}: derivatives with subset_by_value are not "
                                  "implemented (the selected set can jump); use subset_by_index")


@counterpart(_sl.eigh, "linalg")
def eigh(a, b=None, *, value=None, lower=True, eigvals_only=False, subset_by_index=None, type=1, **kwargs):
    """Standard and generalized (``b``, ``type`` 1–3) problems; ``subset_by_index`` selects; SciPy's gauge."""
    _no_subset_by_value("eigh", kwargs)
    w, v = _eigh_pencil(a, b, lower, type)
    if subset_by_index is not None:
        lo, hi = subset_by_index
        w, v = w[..., lo:hi + 1], v[..., lo:hi + 1]
    if eigvals_only:
        return w
    return w, v * _phases(v, value[1])[..., None, :]


@counterpart(_sl.eigvalsh, "linalg")
def eigvalsh(a, b=None, *, value=None, lower=True, subset_by_index=None, type=1, **kwargs):
    _no_subset_by_value("eigvalsh", kwargs)
    if b is None:
        w = np.linalg.eigvalsh(_from_triangle(a, lower))
    else:
        w = _eigh_pencil(a, b, lower, type)[0]
    return w if subset_by_index is None else w[..., subset_by_index[0]:subset_by_index[1] + 1]


@counterpart(_sl.svd, "linalg")
def svd(a, *, value=None, full_matrices=True, compute_uv=True, **_):
    """SciPy's singular vector gauge is kept (phases of U's columns, the conjugates on Vh's rows)."""
    if not compute_uv:
        return np.linalg.svd(a, compute_uv=False)
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    d = _phases(u, value[0])
    e = _phases(_mH(vh), _mH(value[2]))
    return u * d[..., None, :], s, vh * np.conj(e)[..., :, None]


@counterpart(_sl.qr, "linalg")
def qr(a, *, value=None, mode="full", pivoting=False, **_):
    if pivoting or mode == "raw":
        raise NotImplementedError("dualarray.scipy.linalg.qr: derivatives with pivoting=True or mode='raw' are not "
                                  "implemented")
    if mode == "r":
        r = np.linalg.qr(a, mode="r")
        return (r * np.sign(_plain(np.diagonal(value[0], axis1=-2, axis2=-1)) * _plain(np.diagonal(r, axis1=-2,
                                                                                               axis2=-1)))[..., None],)
    q, r = np.linalg.qr(a, mode="complete" if mode == "full" else "reduced")
    d = _phases(q, value[0])
    return q * d[..., None, :], r * np.conj(d)[..., :r.shape[-2], None]


@counterpart(_sl.pinv, "linalg")
def pinv(a, *, value=None, atol=None, rtol=None, return_rank=False, **_):
    s = np.linalg.svd(_plain(a), compute_uv=False)
    top = s.max(initial=0.0)
    atol = 0.0 if atol is None else atol
    rtol = max(_plain(a).shape[-2:]) * np.finfo(_plain(a).dtype).eps if rtol is None else rtol
    cutoff = atol + rtol * top
    result = np.linalg.pinv(a, rtol=cutoff / top if top > 0 else 0.0)
    return (result, value[1]) if return_rank else result


@counterpart(_sl.norm, "linalg")
def norm(a, ord=None, axis=None, keepdims=False, *, value=None, **_):
    return np.linalg.norm(a, ord=ord, axis=axis, keepdims=keepdims)


COUNTERPARTS[_sl.cho_solve] = cho_solve
cho_solve.__module__ = "dualarray.scipy.linalg"


# --------------------------------------------------------------------------------- structured matrices
@counterpart(_sl.toeplitz, "linalg")
def toeplitz(c, r=None, **_):
    c = np.ravel(c)
    r = np.conj(c) if r is None else np.ravel(r)
    vals = np.concatenate([c[::-1], r[1:]])
    i, j = np.indices((c.shape[0], r.shape[0]))
    return vals[c.shape[0] - 1 - i + j]


@counterpart(_sl.circulant, "linalg")
def circulant(c, **_):
    c = np.ravel(c)
    i, j = np.indices((c.shape[0], c.shape[0]))
    return c[(i - j) % c.shape[0]]


@counterpart(_sl.block_diag, "linalg")
def block_diag(*arrs, **_):
    blocks = [np.atleast_2d(a) for a in arrs]
    cols = [b.shape[1] for b in blocks]
    dtype = np.result_type(*(_plain(b) for b in blocks))
    rows = []
    for k, b in enumerate(blocks):
        left = np.zeros((b.shape[0], sum(cols[:k])), dtype=dtype)
        right = np.zeros((b.shape[0], sum(cols[k + 1:])), dtype=dtype)
        rows.append(np.concatenate([left, b, right], axis=1))
    return np.concatenate(rows, axis=0)


# ------------------------------------------------------------------------------------ the exponential
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
           10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm_pade(a: Any) -> Any:
    """exp(A) by scaling and squaring with the degree-13 Padé approximant (Higham 2005), on any arrays."""
    n = a.shape[-1]
    scale = np.max(np.sum(np.abs(_plain(a)), axis=-2), initial=0.0)
    s = max(0, math.ceil(math.log2(scale / _THETA13))) if scale > 0 else 0
    a = a / 2.0**s
    b = _PADE13
    eye = np.eye(n)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


@counterpart(_sl.expm, "linalg")
def expm(a, **_):
    """The derivative of the scaling-and-squaring Padé approximant: the Fréchet derivative L(A, Ȧ)."""
    return _expm_pade(a)


@counterpart(_sl.expm_frechet, "linalg")
def expm_frechet(a, e, *, compute_expm=True, **_):
    """``(expm(A), L(A, E))`` from ``expm([[A, E], [0, A]])``: derivatives in A (second order) and E."""
    n = a.shape[-1]
    zero = np.zeros((n, n), dtype=np.result_type(_plain(a), _plain(e)))
    big = _expm_pade(np.concatenate([np.concatenate([a, e], axis=1), np.concatenate([zero, a], axis=1)], axis=0))
    return (big[:n, :n], big[:n, n:]) if compute_expm else big[:n, n:]


# ------------------------------------------------------------------------- matrix equations (implicit)
def _implicit_step(x0: Any, residual: Any, k: Any) -> Any:
    """``X0 - K⁻¹ vec(F)``: a DualArray whose tangent is the implicit derivative (row-major vec)."""
    step = np.linalg.solve(k, np.reshape(residual, (-1,)))
    return x0 - np.reshape(step, np.shape(x0))


@counterpart(_sl.sqrtm, "linalg")
def sqrtm(a, *, value=None, **_):
    return _sqrtm_step(a, value)


def _sqrtm_step(a: Any, x: Any) -> Any:
    eye = np.eye(x.shape[-1])
    return _implicit_step(x, x @ x - a, np.kron(x, eye) + np.kron(eye, np.swapaxes(x, -1, -2)))


@counterpart(_sl.solve_sylvester, "linalg")
def solve_sylvester(a, b, q, *, value, down, **_):
    x = value
    k = np.kron(down(a), np.eye(b.shape[-1])) + np.kron(np.eye(a.shape[-1]), np.swapaxes(down(b), -1, -2))
    return _implicit_step(x, a @ x + x @ b - q, k)


@counterpart(_sl.solve_continuous_lyapunov, "linalg")
def solve_continuous_lyapunov(a, q, *, value, down, **_):
    x = value
    n = a.shape[-1]
    k = np.kron(down(a), np.eye(n)) + np.kron(np.eye(n), np.conj(down(a)))
    return _implicit_step(x, a @ x + x @ _mH(a) - q, k)


@counterpart(_sl.solve_discrete_lyapunov, "linalg")
def solve_discrete_lyapunov(a, q, *, value, down, **_):
    x = value
    n = a.shape[-1]
    k = np.kron(down(a), np.conj(down(a))) - np.eye(n * n)
    return _implicit_step(x, a @ x @ _mH(a) - x + q, k)


# ----------------------------------------------------------------------------------------- LU
def _row_permutation(piv: np.ndarray) -> np.ndarray:
    """The permutation matrix P with ``P A = L U`` for LAPACK's pivot swaps ``piv``."""
    order = np.arange(piv.shape[0])
    for i, p in enumerate(np.asarray(piv)):
        order[[i, p]] = order[[p, i]]
    return np.eye(piv.shape[0])[order]


def _lu_tangent_terms(a: Any, lower: Any, upper: Any, perm: np.ndarray) -> tuple[Any, Any]:
    """``(L̇, U̇)`` for ``P A = L U``: ``Φ = L⁻¹ P Ȧ U⁻¹``, ``L̇ = L·tril(Φ, -1)``, ``U̇ = triu(Φ)·U``."""
    phi = np.linalg.solve(lower, perm @ a) @ np.linalg.inv(upper)
    return lower @ np.tril(phi, -1), np.triu(phi) @ upper


def _square(a: Any, what: str) -> None:
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise NotImplementedError(f"dualarray.scipy.linalg.{what}: derivatives are implemented for square matrices")


@counterpart(_sl.lu_factor, "linalg")
def lu_factor(a, *, value, down, **_):
    """``(lu, piv)``: the packed factors' tangent ``tril(L̇, -1) + U̇``; the pivots are piecewise constant."""
    _square(a, "lu_factor")
    lu, piv = value
    lower = np.tril(lu, -1) + np.eye(a.shape[-1])
    dl, du = _lu_tangent_terms(a, lower, np.triu(lu), _row_permutation(_plain(piv)))
    return np.tril(dl, -1) + du, piv


def lu_solve(lu_and_piv, b, trans=0, **kwargs):
    """``scipy.linalg.lu_solve`` with derivatives (in the packed factors and ``b``)."""
    lu, piv = lu_and_piv
    return _lu_solve(lu, b, piv, trans=trans, **kwargs)


@counterpart(lambda lu, b, piv, **kwargs: _sl.lu_solve((lu, piv), b, **kwargs), "linalg", registered=False)
def _lu_solve(lu, b, piv, *, value=None, trans=0, **_):
    a = _row_permutation(_plain(piv)).T @ ((np.tril(lu, -1) + np.eye(lu.shape[-1])) @ np.triu(lu))
    return np.linalg.solve(_transposed(a, trans), b)


@counterpart(_sl.lu, "linalg")
def lu(a, *, value, down, permute_l=False, p_indices=False, **_):
    """``A = P L U``: ``(P, L, U)`` (or ``(P L, U)``); P is piecewise constant."""
    _square(a, "lu")
    if permute_l:
        pl, upper = value
        p = None
        perm = None
    else:
        p, lower, upper = value
        perm = _plain(p)
        perm = np.eye(a.shape[-1])[perm].T if p_indices else perm
    if permute_l:
        raise NotImplementedError("dualarray.scipy.linalg.lu: derivatives with permute_l=True are not implemented; "
                                  "use permute_l=False and P @ L")
    dl, du = _lu_tangent_terms(a, lower, upper, perm.T)
    return p, dl, du


# ------------------------------------------------------------------------------ more matrix functions
@counterpart(_sl.logm, "linalg")
def logm(a, *, value, down, **_):
    """``exp(X) = A``: ``Ẋ = L_exp(X, ·)⁻¹ Ȧ``, the Fréchet matrix of expm at X from dualarray's jacobian."""
    return _logm_step(a, value)


def _logm_step(a: Any, x: Any) -> Any:
    from ..transforms import jacobian

    if np.iscomplexobj(_plain(x)) or np.iscomplexobj(_plain(a)):
        raise NotImplementedError("dualarray.scipy.linalg.logm: derivatives are implemented for real logarithms of "
                                  "real matrices")
    n = x.shape[-1]
    k = np.reshape(jacobian(_expm_pade)(x), (n * n, n * n))
    return _implicit_step(x, _expm_pade(x) - a, k)


@counterpart(_sl.solve_continuous_are, "linalg")
def solve_continuous_are(a, b, q, r, e=None, s=None, balanced=True, *, value, down, **_):
    """``AᴴX + XA - XBR⁻¹BᴴX + Q = 0``: ``Ẋ`` solves the Lyapunov equation of the closed loop."""
    if e is not None or s is not None:
        raise NotImplementedError("dualarray.scipy.linalg.solve_continuous_are: derivatives with e= or s= are not "
                                  "implemented")
    x = value
    n = x.shape[-1]
    closed = down(a) - down(b) @ np.linalg.solve(down(r), _mH(down(b))) @ x
    k = np.kron(_mH(closed), np.eye(n)) + np.kron(np.eye(n), np.swapaxes(closed, -1, -2))
    residual = _mH(a) @ x + x @ a - x @ b @ np.linalg.solve(r, _mH(b)) @ x + q
    return _implicit_step(x, residual, k)


def _dense_from_banded(ab: Any, lower_bw: int, upper_bw: int) -> Any:
    """The square matrix of LAPACK's banded storage: ``A[i, j] = ab[u + i - j, j]`` inside the band."""
    n = ab.shape[-1]
    i, j = np.indices((n, n))
    row = upper_bw + i - j
    inside = (row >= 0) & (row < ab.shape[-2]) & (j - i <= upper_bw) & (i - j <= lower_bw)
    return np.where(inside, ab[np.clip(row, 0, ab.shape[-2] - 1), j], 0)


def solve_banded(l_and_u, ab, b, **kwargs):
    """``scipy.linalg.solve_banded`` with derivatives in ``ab`` and ``b``."""
    lower_bw, upper_bw = l_and_u
    return _solve_banded(ab, b, lower_bw, upper_bw, **kwargs)


@counterpart(lambda ab, b, lo, up, **kwargs: _sl.solve_banded((lo, up), ab, b, **kwargs), "linalg", registered=False)
def _solve_banded(ab, b, lower_bw, upper_bw, **_):
    return np.linalg.solve(_dense_from_banded(ab, lower_bw, upper_bw), b)


@counterpart(_sl.solveh_banded, "linalg")
def solveh_banded(ab, b, *, value=None, lower=False, **_):
    bw = ab.shape[-2] - 1
    if lower:
        part = _dense_from_banded(ab, bw, 0)
        a = part + _mH(np.tril(part, -1))
    else:
        part = _dense_from_banded(ab, 0, bw)
        a = part + _mH(np.triu(part, 1))
    return np.linalg.solve(a, b)


_FUNM_RULES = {np.exp: "expm", np.log: "logm", np.sqrt: "sqrtm"}
"""Scalar functions whose matrix function has a counterpart (its derivative is funm's)."""


@counterpart(_sl.funm, "linalg")
def funm(a, func, disp=True, *, value, down, **_):
    """``func`` in np.exp, np.log, np.sqrt: the derivative of expm, logm or sqrtm at SciPy's funm value."""
    name = _FUNM_RULES.get(func)
    if name is None:
        raise NotImplementedError("dualarray.scipy.linalg.funm(A, func): a derivative needs func's derivative, which "
                                  "funm does not have (np.exp, np.log and np.sqrt do); use expm, logm or sqrtm, or "
                                  "eigh/eig and func on the eigenvalues")
    x = value[0] if isinstance(value, tuple) else value
    result = {"expm": _expm_pade, "logm": _logm_step, "sqrtm": _sqrtm_step}[name](a, *(() if name == "expm" else (x,)))
    return (result, None) if isinstance(value, tuple) else result


@counterpart(_sl.schur, "linalg")
def schur(a, *args, **_):
    raise NotImplementedError("dualarray.scipy.linalg.schur: the Schur vectors are not unique (any unitary rotation "
                              "inside a block), so there is no derivative to give; differentiate the quantity you "
                              "compute from them")


COUNTERPARTS[_sl.lu_solve] = lu_solve
COUNTERPARTS[_sl.solve_banded] = solve_banded
lu_solve.__module__ = solve_banded.__module__ = "dualarray.scipy.linalg"
__all__ += ["funm", "logm", "lu", "lu_factor", "lu_solve", "schur", "solve_banded", "solve_continuous_are",
            "solveh_banded"]
