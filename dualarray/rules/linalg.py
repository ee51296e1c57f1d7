"""Linear algebra: products (vdot, inner, outer, tensordot, einsum, kron, cross) and ``numpy.linalg``.

Conventions (one per hard point, each tested in ``tests/test_linalg.py``):

* ``det`` uses the adjugate, ``d det = tr(adj(A) Ȧ)``, so it is exact at singular matrices
  (cofactors for n ≤ 3, ``adj(A) = ±V·adj(S)·Uᵀ`` from the SVD for larger real n).
* Norms at zero (vector 2-norm, ``p``-norms, Frobenius) have derivative 0, never NaN.
* ``eigh``/``eigvalsh``/``svd``/``svdvals`` with repeated eigen-/singular values (first order): the
  value tangents are, per direction, the sorted eigenvalues of the projected direction ``V_Sᴴ Ȧ V_S``
  (the one-sided directional derivative of the sorted values; batched = single runs). Within a
  degenerate cluster the vector tangent has no intra-cluster component and the eigenvectors are rotated
  (a gauge choice) to diagonalise the projected direction, so spectral functions ``V·f(w)·Vᴴ`` are
  exact. k ≥ 2 directions in one pass share one value, hence one gauge: it is used when it diagonalises
  every direction's projected block in sorted order (``eigh`` of their sum), else ``eigh``/``svd``
  raise :class:`DegenerateDirectionsError` (push the directions one at a time). Away from degeneracy
  the values are NumPy's, bit for bit. Zero singular values get tangent 0 (as abs'(0)=0).
* Second order (nested input) at a repeated eigenvalue / nonzero singular value raises: the sorted
  values are not differentiable there, and the smooth spectral functions' second derivatives need
  terms a (values, vectors) tangent cannot carry.
* ``eig``/``eigvals`` assume simple eigenvalues: a (nearly, √eps relative) repeated one raises.
* ``eigh``, ``eigvalsh``, ``cholesky`` and ``hermitian=True`` read one triangle, like LAPACK: the
  direction is Hermitian-completed from that same triangle.
* ``slogdet``: for real input the sign is a DualArray with zero tangent; ``logabsdet`` is
  differentiable (``tr(A⁻¹Ȧ)``). For complex input the sign moves too. At a singular matrix the value
  is NumPy's ``(0, -inf)``; a zero tangent there stays zero, a nonzero one raises (``log|det|`` has no
  finite derivative there; ``det`` has, via the adjugate).
* ``dtype=`` an integer or bool type (``einsum``, ``linalg.trace``): zero tangent, like ``astype(int)``.
* Eigen-/singular vectors are defined up to a gauge (sign, or phase for complex). The tangents keep
  unit norm; ``eig`` keeps LAPACK's largest component real. For complex ``eigh``/``svd`` the phase
  tangent is the "parallel transport" gauge (``Im vᴴv̇ = 0``), not LAPACK's (which keeps one row
  real), so raw complex eigenvectors differ from finite differences of NumPy's by ``i·θ·v``;
  phase-independent results (projectors, ``U @ Vh``, reconstructions) are exact.

Tangents carry a leading direction axis; every matrix function here broadcasts over leading
dimensions, so rules use ``A @ t`` / ``np.linalg.solve(A, t)`` with ``t`` of shape ``(k, ..., n, m)``
(vectors get a trailing axis first: NumPy 2 treats a 1-D right-hand side specially).
"""

from __future__ import annotations

import contextlib
import functools
import string
from typing import Any

import numpy as np

from .. import _directions as dirs
from .._core import DualArray, split, strip_all
from .._registry import DegenerateDirectionsError, implements, nondifferentiable
from .shape import _into


# ---------------------------------------------------------------- helpers
def _plain(x: Any) -> Any:
    """The innermost plain value of a (possibly nested) DualArray."""
    while isinstance(x, DualArray):
        x = x.value
    return x


def _is_complex(x: Any) -> bool:
    return np.issubdtype(np.result_type(x), np.complexfloating)


def _mT(x: Any) -> Any:
    return np.swapaxes(x, -1, -2)


def _mH(x: Any) -> Any:
    y = np.swapaxes(x, -1, -2)
    return np.conjugate(y) if _is_complex(y) else y


def _re(x: Any) -> Any:
    return np.real(x) if _is_complex(x) else x


def _diag(x: Any) -> Any:
    """Diagonal of the last two axes (works on tangents: the direction axis is a batch axis)."""
    return np.einsum("...ii->...i", x)


def _embed(d: Any) -> Any:
    """Diagonal matrices with ``d`` on the diagonal."""
    return np.expand_dims(d, -1) * np.eye(d.shape[-1], dtype=bool)


def _vec(x: Any) -> Any:
    return np.expand_dims(x, -1)


def _unvec(x: Any) -> Any:
    return np.squeeze(x, axis=-1)



def _through(frame, fn, *pairs) -> Any:
    """Tangent of ``fn`` at (value, tangent) ``pairs``, computed by running ``fn`` on DualArrays.

    Used where the value is NumPy's own result but the derivative is easiest as a composition
    (norms, cond, matrix_power, multi_dot): the composition's rules (and kink conventions) apply.
    """
    r = fn(*(frame.wrap(v, t) for v, t in pairs))
    if isinstance(r, DualArray) and r.tag == frame.tag:
        return r._tangent
    return None


def _hermitian_from(t: Any, uplo: str) -> Any:
    """The Hermitian direction LAPACK sees when it reads only the ``uplo`` triangle of ``A + εt``
    (and only the real part of the diagonal)."""
    n = t.shape[-1]
    ones = np.ones((n, n), dtype=bool)
    strict = np.tril(ones, -1) if uplo.upper() == "L" else np.triu(ones, 1)
    part = t * strict
    return part + _mH(part) + _re(t) * np.eye(n, dtype=bool)


def _clusters(w: Any) -> tuple[np.ndarray, np.ndarray, list]:
    """Degenerate clusters of sorted eigen-/singular values ``w`` (..., n).

    Returns ``(labels, same, blocks)``: cluster label per value, ``same[..., i, j]`` when i and j
    share a cluster, and the blocks ``(batch_index, start, stop)`` of clusters of size ≥ 2.
    """
    wp = np.asarray(_plain(w))
    n = wp.shape[-1]
    real = np.finfo(wp.dtype).eps
    scale = np.max(np.abs(wp), axis=-1, keepdims=True) if n else np.zeros(wp.shape[:-1] + (1,))
    tol = 64 * max(n, 1) * real * scale
    gaps = np.abs(np.diff(wp, axis=-1)) > tol
    labels = np.concatenate([np.zeros(wp.shape[:-1] + (1,), dtype=int), np.cumsum(gaps, axis=-1)], axis=-1)
    same = labels[..., :, None] == labels[..., None, :]
    blocks = []
    if n > 1 and not np.all(gaps):
        for idx in np.ndindex(wp.shape[:-1]):
            lab = labels[idx]
            start = 0
            for i in range(1, n + 1):
                if i == n or lab[i] != lab[start]:
                    if i - start > 1:
                        blocks.append((idx, start, i))
                    start = i
    return labels, same, blocks


def _safe_inverse(d: Any, zero: Any) -> Any:
    """``1/d`` where ``zero`` is False, exactly 0 where it is True (selected, never 0·inf)."""
    return np.where(zero, 0, 1 / np.where(zero, 1, d))


def _perturbed(x: Any) -> bool:
    """``x`` is a DualArray carrying a (possibly nested) perturbation: a second-order computation."""
    while isinstance(x, DualArray):
        if x._tangent is not None:
            return True
        x = x.value
    return False


def _refuse_second_order(name: str, what: str) -> NotImplementedError:
    return NotImplementedError(
        f"numpy.linalg.{name}: second derivatives at a repeated {what} are not implemented (the sorted "
        f"{what}s are not differentiable there, and the second derivatives of smooth spectral functions "
        "such as log det or the Frobenius norm need terms the (values, vectors) tangents cannot carry); "
        "first derivatives are exact. Perturb the matrix to split the repeated value, or write the "
        "function without the decomposition (e.g. slogdet for log det, np.sum(A * A) for the Frobenius norm)"
    )


def _rotation(name: str, shape: tuple, dtype: Any, blocks: list, P: Any, transform, descending: bool) -> np.ndarray:
    """Block-diagonal unitary Q, one gauge in every degenerate cluster that serves *every* direction.

    Along each direction j the perturbed vectors of a cluster are the eigenvectors of its projected
    block ``B_j = transform(P_S)`` (sorted like the values), so one gauge fits all k directions only when
    the B_j are simultaneously diagonal in it, each with a sorted diagonal. If such a gauge exists it
    diagonalises ``Σ_j B_j/‖B_j‖`` (a positive sum of sorted diagonals is sorted, and its ties are ties
    of every term), so Q comes from ``eigh`` of that sum, and every B_j is checked against its own
    norm; with one direction Q is ``eigh(B_1)``. Otherwise this raises:
    the eigenvector tangent would be right for one direction only, and spectral functions
    ``V·f(w)·Vᴴ`` wrong for the others.
    """
    Q = np.broadcast_to(np.eye(shape[-1], dtype=dtype), shape).copy()
    for idx, s, e in blocks:
        B = np.asarray(_plain(transform(P[dirs.key((*idx, slice(s, e), slice(s, e)))])))  # (k, s, s)
        k = dirs.count(B)
        if k == 1:
            vecs = np.linalg.eigh(dirs.collapse(B))[1]
        else:
            # each direction scaled to norm 1, so a small direction is judged against its own size
            norms = np.max(np.abs(B), axis=(-2, -1), keepdims=True)
            unit = B / np.where(norms > 0, norms, 1)
            vecs = np.linalg.eigh(dirs.collapse(unit))[1]
        if descending:
            vecs = vecs[:, ::-1]
        if k > 1:
            D = np.matmul(np.matmul(np.conjugate(vecs.T), unit), vecs)
            d = np.real(np.einsum("...ii->...i", D))
            tol = 256 * (e - s) * k * np.finfo(d.dtype).eps
            off = np.max(np.abs(D - np.expand_dims(d, -1) * np.eye(e - s)))
            steps = np.diff(d, axis=-1)
            unsorted = np.max(steps) > tol if descending else np.min(steps) < -tol
            if off > tol or unsorted:
                what = "singular value" if name == "svd" else "eigenvalue"
                raise DegenerateDirectionsError(
                    f"numpy.linalg.{name}: {k} directions in one pass at a repeated {what} (multiplicity "
                    f"{e - s}) need different eigenvector gauges, which one result cannot carry: the vectors "
                    "are not differentiable there (their directional derivative is not linear in the "
                    "direction), though spectral functions such as V·f(w)·Vᴴ are. Push the directions one "
                    "at a time (jacobian/hessian(..., chunk_size=1), or jvp per direction), or perturb the "
                    f"matrix; the values alone ({'svdvals' if name == 'svd' else 'eigvalsh'}) work batched"
                )
        Q[(*idx, slice(s, e), slice(s, e))] = vecs
    return Q


def _cluster_values(d: Any, blocks: list, P: Any, transform, descending: bool) -> Any:
    """Replace value tangents in each cluster by the eigenvalues of the projected direction."""
    if not blocks:
        return d
    d = np.copy(d)
    for idx, s, e in blocks:
        lam = np.linalg.eigvalsh(transform(P[dirs.key((*idx, slice(s, e), slice(s, e)))]))
        d[dirs.key((*idx, slice(s, e)))] = lam[..., ::-1] if descending else lam
    return d


def _solve_directions(A: Any, r: Any) -> Any:
    """A⁻¹r for a tangent ``r`` of shape (k, ..., n, m), with one factorization for all k directions.

    The direction axis is moved into the right-hand-side columns, so ``np.linalg.solve`` sees a
    (..., n, m·k) matrix (never NumPy 2's 1-D special case) and does not refactor A per direction.
    """
    moved = dirs.to_axis(r, -1)
    shape = moved.shape
    x = np.linalg.solve(A, np.reshape(moved, shape[:-2] + (shape[-2] * shape[-1],)))
    return dirs.from_axis(np.reshape(x, x.shape[:-1] + shape[-2:]), -1)


def _herm(P: Any) -> Any:
    return (P + _mH(P)) / 2


def _identity(x: Any) -> Any:
    return x


# ---------------------------------------------------------------- products
# vdot(a, b) = Σ conj(a)·b  ⇒  ḋ = Σ conj(ȧ)·b + conj(a)·ḃ
@implements(np.vdot)
def _vdot(a, b):
    frame, (x, y), (ta, tb) = split([a, b])
    value = np.vdot(x, y)
    if frame is None:
        return value
    t = None
    if ta is not None:
        t = np.vecdot(dirs.flatten(ta), np.ravel(y))
    if tb is not None:
        t = dirs.add(t, np.vecdot(np.ravel(x), dirs.flatten(tb)))
    return frame.wrap(value, t)


# inner(a, b) bilinear  ⇒  inner(ȧ, b) + inner(a, ḃ)
@implements(np.inner)
def _inner(a, b):
    frame, (x, y), (ta, tb) = split([a, b])
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return np.multiply(a, b)
    value = np.inner(x, y)
    t = None
    if ta is not None:
        t = np.inner(ta, y)
    if tb is not None:
        t = dirs.add(t, dirs.from_axis(np.inner(x, tb), np.ndim(x) - 1))
    return frame.wrap(value, t)


def _outer_tangent(x, y, ta, tb):
    # outer(a, b)_ij = a_i b_j  ⇒  ȧ_i b_j + a_i ḃ_j
    t = None
    if ta is not None:
        t = _vec(dirs.flatten(ta)) * np.ravel(y)
    if tb is not None:
        t = dirs.add(t, _vec(np.ravel(x)) * np.expand_dims(dirs.flatten(tb), -2))
    return t


# outer(a, b) = a bᵀ (flattened)  ⇒  ȧ bᵀ + a ḃᵀ
@implements(np.outer)
def _outer(a, b, out=None):
    frame, (x, y), (ta, tb) = split([a, b])
    value = np.outer(x, y)
    return _into(out, frame.wrap(value, _outer_tangent(x, y, ta, tb)))


# outer(a, b) = a bᵀ  ⇒  ȧ bᵀ + a ḃᵀ
@implements(np.linalg.outer)
def _linalg_outer(x1, x2, /):
    frame, (x, y), (ta, tb) = split([x1, x2])
    value = np.linalg.outer(x, y)
    return frame.wrap(value, _outer_tangent(x, y, ta, tb))


def _tensordot_axes(axes: Any, nda: int, ndb: int) -> tuple[list[int], list[int]]:
    try:
        axes_a, axes_b = axes
    except TypeError:
        axes_a, axes_b = list(range(-axes, 0)), list(range(axes))
    axes_a = [axes_a] if isinstance(axes_a, int | np.integer) else list(axes_a)
    axes_b = [axes_b] if isinstance(axes_b, int | np.integer) else list(axes_b)
    return [dirs.axis(i, nda) for i in axes_a], [dirs.axis(i, ndb) for i in axes_b]


def _tensordot_impl(value_func):
    # tensordot bilinear  ⇒  tensordot(ȧ, b) + tensordot(a, ḃ) (direction axis moved to the front)
    def impl(a, b, axes=2):
        frame, (x, y), (ta, tb) = split([a, b])

        def positive(axs: list[int], nd: int) -> list[int]:  # dask's tensordot miscounts negative axes
            return [a % nd for a in axs]

        na, nb = _tensordot_axes(axes, np.ndim(x), np.ndim(y))
        value = value_func(x, y, axes=(positive(na, np.ndim(x)), positive(nb, np.ndim(y))))
        if frame is None:
            return value
        t = None

        if ta is not None:
            t = np.tensordot(ta, y, axes=(positive(na, np.ndim(ta)), positive(nb, np.ndim(y))))
        if tb is not None:
            t = dirs.add(t, dirs.from_axis(
                np.tensordot(x, tb, axes=(positive(na, np.ndim(x)), positive(nb, np.ndim(tb)))), np.ndim(x) - len(na)))
        return frame.wrap(value, t)

    return impl


# tensordot(a, b) bilinear  ⇒  tensordot(ȧ, b) + tensordot(a, ḃ)
implements(np.tensordot)(_tensordot_impl(np.tensordot))


# tensordot(a, b) bilinear  ⇒  tensordot(ȧ, b) + tensordot(a, ḃ)
@implements(np.linalg.tensordot)
def _linalg_tensordot(x1, x2, /, *, axes=2):
    return _tensordot_impl(np.linalg.tensordot)(x1, x2, axes=axes)


_EINSUM_SYMBOLS = string.ascii_letters


def _einsum_subscripts(operands: tuple) -> tuple[str, list[Any], list[int]]:
    """Subscripts string, operand list, and the operand positions in ``operands``."""
    if isinstance(operands[0], str):
        return operands[0].replace(" ", ""), list(operands[1:]), list(range(1, len(operands)))
    ops, subs, positions = [], [], []
    rest = list(operands)
    i = 0
    while len(rest) - i >= 2:
        ops.append(rest[i])
        positions.append(i)
        subs.append(_sublist(rest[i + 1]))
        i += 2
    text = ",".join(subs)
    # always explicit: NumPy's implicit output order (by label) is not every backend's (dask sorts otherwise)
    text += "->" + (_sublist(rest[i]) if i < len(rest) else _einsum_explicit(text)[1])
    return text, ops, positions


def _sublist(sub: Any) -> str:
    # NumPy's C parser maps 0-25 to 'A'-'Z' and 26-51 to 'a'-'z' (so implicit outputs sort by label)
    labels = string.ascii_uppercase + string.ascii_lowercase
    return "".join("..." if s is Ellipsis else labels[int(s)] for s in sub)


def _einsum_explicit(subscripts: str) -> tuple[list[str], str]:
    """Input subscripts and the explicit output (NumPy's implicit-mode rule when there is no '->')."""
    if "->" in subscripts:
        ins, out = subscripts.split("->")
    else:
        ins = subscripts
        letters = [c for c in ins if c.isalpha()]
        singles = sorted(c for c in set(letters) if letters.count(c) == 1)
        out = ("..." if "..." in ins else "") + "".join(singles)
    return ins.split(","), out


# einsum is multilinear  ⇒  tangent = Σ_i einsum(…, operand_i → its tangent, …);
# the direction axis is a fresh subscript in front of that operand and of the output
@implements(np.einsum)
def _einsum(*operands, out=None, optimize=False, **kwargs):
    subscripts, ops, positions = _einsum_subscripts(operands)
    frame, values, tangents = split(ops)
    call = list(operands)
    for p, v in zip(positions, values, strict=True):
        call[p] = v
    if frame is None:
        return np.einsum(*call, out=out, optimize=optimize, **kwargs)
    value = np.einsum(subscripts, *values, optimize=optimize, **kwargs)  # the explicit form every backend reads alike
    dtype = kwargs.get("dtype")
    if dtype is not None and not np.issubdtype(np.dtype(dtype), np.inexact):
        return _into(out, frame.wrap(value, None))  # an integer/bool result: piecewise constant, like astype(int)
    ins, out_sub = _einsum_explicit(subscripts)
    fresh = next(c for c in _EINSUM_SYMBOLS if c not in subscripts)
    tkw = {}
    if dtype is not None:
        tkw["dtype"] = dtype
        if "casting" in kwargs:
            tkw["casting"] = kwargs["casting"]
    t = None
    for i, ti in enumerate(tangents):
        if ti is None:
            continue
        terms = list(ins)
        terms[i] = fresh + terms[i]
        args = list(values)
        args[i] = ti
        term = np.einsum(",".join(terms) + "->" + fresh + out_sub, *args, optimize=optimize, **tkw)
        t = dirs.add(t, term)
    return _into(out, frame.wrap(value, t))


nondifferentiable(np.einsum_path)


# kron is bilinear  ⇒  kron(ȧ, b) + kron(a, ḃ), the direction axis kept as a leading kron axis
@implements(np.kron)
def _kron(a, b):
    frame, (x, y), (ta, tb) = split([a, b])
    value = np.kron(x, y)
    if frame is None:
        return value
    nd = max(np.ndim(x), np.ndim(y))
    t = None
    if ta is not None:
        t = np.kron(dirs.align(ta, nd), np.reshape(y, (1,) * (nd + 1 - np.ndim(y)) + np.shape(y)))
    if tb is not None:
        t = dirs.add(t, np.kron(np.reshape(x, (1,) * (nd + 1 - np.ndim(x)) + np.shape(x)), dirs.align(tb, nd)))
    return frame.wrap(value, t)


def _cross_tangent(x, y, ta, tb, axisa, axisb, axisc, value):
    # cross is bilinear  ⇒  ȧ × b + a × ḃ (vector axes moved last, the result's vector axis to axisc)
    xm = np.moveaxis(x, axisa, -1)
    ym = np.moveaxis(y, axisb, -1)
    nd = max(np.ndim(xm), np.ndim(ym))
    t = None
    if ta is not None:
        t = np.cross(dirs.align(np.moveaxis(ta, dirs.axis(axisa, np.ndim(x)), -1), nd), ym)
    if tb is not None:
        t = dirs.add(t, np.cross(xm, dirs.align(np.moveaxis(tb, dirs.axis(axisb, np.ndim(y)), -1), nd)))
    if t is not None and not (np.shape(xm)[-1] == 2 and np.shape(ym)[-1] == 2):
        t = np.moveaxis(t, -1, dirs.axis(axisc, np.ndim(value)))
    return t


# a × b bilinear  ⇒  ȧ × b + a × ḃ
@implements(np.cross)
def _cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    frame, (x, y), (ta, tb) = split([a, b])
    value = np.cross(x, y, axisa, axisb, axisc)
    if frame is None:
        return value
    return frame.wrap(value, _cross_tangent(x, y, ta, tb, axisa, axisb, axisc, value))


# a × b bilinear  ⇒  ȧ × b + a × ḃ
@implements(np.linalg.cross)
def _linalg_cross(x1, x2, /, *, axis=-1):
    frame, (x, y), (ta, tb) = split([x1, x2])
    value = np.linalg.cross(x, y, axis=axis)
    if frame is None:
        return value
    return frame.wrap(value, _cross_tangent(x, y, ta, tb, axis, axis, axis, value))


def _self_linear(func, **kwargs):
    """A function linear in ``x`` acting on its last axes: the tangent goes through ``func`` itself."""

    def impl(x):
        frame, (v,), (t,) = split([x])
        value = func(v, **kwargs)
        if frame is None:
            return value
        return frame.wrap(value, None if t is None else func(t, **kwargs))

    return impl


# transpose is linear  ⇒  the tangent is transposed
@implements(np.matrix_transpose)
def _matrix_transpose(x, /):
    return _self_linear(np.matrix_transpose)(x)


# transpose is linear  ⇒  the tangent is transposed
@implements(np.linalg.matrix_transpose)
def _linalg_matrix_transpose(x, /):
    return _self_linear(np.linalg.matrix_transpose)(x)


# diagonal and trace of the last two axes are linear  ⇒  applied to the tangent
@implements(np.linalg.diagonal)
def _linalg_diagonal(x, /, *, offset=0):
    return _self_linear(np.linalg.diagonal, offset=offset)(x)


# tr(A) linear  ⇒  tr(Ȧ)
@implements(np.linalg.trace)
def _linalg_trace(x, /, *, offset=0, dtype=None):
    frame, (v,), (t,) = split([x])
    value = np.linalg.trace(v, offset=offset, dtype=dtype)
    if frame is None:
        return value
    if t is None or (dtype is not None and not np.issubdtype(np.dtype(dtype), np.inexact)):
        return frame.wrap(value, None)  # an integer/bool result: piecewise constant, like astype(int)
    return frame.wrap(value, np.linalg.trace(t, offset=offset, dtype=dtype))


# the array-API aliases are the gufuncs (whose rules live in rules/ufuncs.py)
@implements(np.linalg.matmul)
def _linalg_matmul(x1, x2, /):
    return np.matmul(x1, x2)


# vecdot(a, b) = Σ conj(a)·b along axis  ⇒  vecdot(ȧ, b) + vecdot(a, ḃ)
@implements(np.linalg.vecdot)
def _linalg_vecdot(x1, x2, /, *, axis=-1):
    frame, (x, y), (ta, tb) = split([x1, x2])
    value = np.linalg.vecdot(x, y, axis=axis)
    if frame is None:
        return value
    ax = dirs.axis(axis, max(np.ndim(x), np.ndim(y)))

    def composed(p, q):
        return np.vecdot(np.moveaxis(p, ax, -1), np.moveaxis(q, ax, -1))

    return frame.wrap(value, _through(frame, composed, (x, ta), (y, tb)))


# (A₁A₂…Aₙ)˙ = Σ A₁…Ȧᵢ…Aₙ  (the product rule, through matmul)
@implements(np.linalg.multi_dot)
def _multi_dot(arrays, *, out=None):
    arrays = list(arrays)
    frame, values, tangents = split(arrays)
    value = np.linalg.multi_dot(values)
    if frame is None:
        return value
    t = _through(frame, lambda *ds: functools.reduce(np.matmul, ds), *zip(values, tangents, strict=True))
    return _into(out, frame.wrap(value, t))


# (Aⁿ)˙ = Σ Aⁱ Ȧ Aⁿ⁻¹⁻ⁱ (binary powering on DualArrays); A⁻ⁿ = (A⁻¹)ⁿ
@implements(np.linalg.matrix_power)
def _matrix_power(a, n):
    frame, (x,), (t,) = split([a])
    value = np.linalg.matrix_power(x, n)
    if frame is None or t is None or n == 0:
        return value if frame is None else frame.wrap(value, None)

    def power(d):
        m = int(n)
        if m < 0:
            d, m = np.linalg.inv(d), -m
        result = None
        while m:
            if m & 1:
                result = d if result is None else np.matmul(result, d)
            m >>= 1
            if m:
                d = np.matmul(d, d)
        return result

    return frame.wrap(value, _through(frame, power, (x, t)))


# ---------------------------------------------------------------- solving and inverting
# x = A⁻¹b  ⇒  ẋ = A⁻¹(ḃ − Ȧx)
@implements(np.linalg.solve)
def _solve(a, b):
    frame, (A, B), (ta, tb) = split([a, b])
    x = np.linalg.solve(A, B)
    if frame is None or (ta is None and tb is None):
        return x if frame is None else frame.wrap(x, None)
    vector = np.ndim(B) == 1  # NumPy 2: only a 1-D b is a vector
    xm = _vec(x) if vector else x
    r = None
    if tb is not None:
        r = dirs.align(tb, np.ndim(x))
        r = _vec(r) if vector else r
    if ta is not None:
        ax = np.matmul(dirs.align(ta, np.ndim(xm)), xm)
        r = -ax if r is None else r - ax
    t = _solve_directions(A, r)
    return frame.wrap(x, _unvec(t) if vector else t)


# Y = A⁻¹  ⇒  Ẏ = −Y Ȧ Y
@implements(np.linalg.inv)
def _inv(a):
    frame, (A,), (t,) = split([a])
    y = np.linalg.inv(A)
    if frame is None:
        return y
    return frame.wrap(y, None if t is None else -np.matmul(np.matmul(y, t), y))


def _refuse_truncation(name: str, A: Any, cutoff: Any, hermitian: bool) -> None:
    """The pseudo-inverse formulas hold at constant rank: a cut-off that drops a singular value that is
    not (numerically) zero changes the function discontinuously, so its derivative is refused."""
    if cutoff is None or cutoff is np._NoValue:
        return
    s = np.linalg.svd(strip_all(A), compute_uv=False, hermitian=hermitian)
    smax = np.max(s, axis=-1, keepdims=True)
    zero = 100 * np.finfo(s.dtype).eps * np.maximum(smax, np.finfo(s.dtype).tiny) * max(np.shape(strip_all(A))[-2:])
    dropped = (s > zero) & (s <= np.asarray(cutoff)[..., None] * smax)
    if np.any(dropped):
        raise NotImplementedError(
            f"numpy.linalg.{name}: rcond/rtol drops a nonzero singular value here, where the pseudo-inverse "
            "is not differentiable in the usual sense; dualarray differentiates only at constant rank. "
            "Truncate the matrix yourself (e.g. from its SVD) or pass a smaller rcond."
        )


# X = A⁺  ⇒  Ẋ = −XȦX + XXᴴȦᴴ(I − AX) + (I − XA)ȦᴴXᴴX   (constant rank)
@implements(np.linalg.pinv)
def _pinv(a, rcond=None, hermitian=False, *, rtol=np._NoValue):
    frame, (A,), (t,) = split([a])
    X = np.linalg.pinv(A, rcond, hermitian, rtol=rtol)
    if frame is None or t is None:
        return X if frame is None else frame.wrap(X, None)
    _refuse_truncation("pinv", A, rcond if rtol is np._NoValue else rtol, hermitian)
    if hermitian:
        t = _hermitian_from(t, "L")
        A = _hermitian_from(A, "L")  # LAPACK reads the lower triangle only (also what nested values see)
    th = _mH(t)
    Xh = _mH(X)
    dX = -np.matmul(np.matmul(X, t), X)
    dX = dX + np.matmul(np.matmul(X, Xh), th - np.matmul(np.matmul(th, A), X))
    dX = dX + np.matmul(th - np.matmul(X, np.matmul(A, th)), np.matmul(Xh, X))
    return frame.wrap(X, dX)


# x = A⁺b  ⇒  ẋ = A⁺(ḃ − Ȧx) + A⁺A⁺ᴴȦᴴ(b − Ax) + (I − A⁺A)ȦᴴA⁺ᴴx   (full rank)
@implements(np.linalg.lstsq)
def _lstsq(a, b, rcond=None):
    frame, (A, B), (ta, tb) = split([a, b])
    x, residuals, rank, sv = np.linalg.lstsq(A, B, rcond=rcond)
    if frame is None:
        return x, residuals, rank, sv
    vector = np.ndim(B) == 1
    xm, bm = (_vec(x), _vec(B)) if vector else (x, B)
    tbm = None if tb is None else (_vec(tb) if vector else tb)
    cutoff = np.finfo(np.result_type(_plain(A))).eps * max(np.shape(A)[-2:]) if rcond is None else rcond
    if ta is not None:
        _refuse_truncation("lstsq", A, cutoff, False)
    X = np.linalg.pinv(A, rtol=cutoff)
    t = None if tbm is None else np.matmul(X, tbm)
    if ta is not None:
        th = _mH(ta)
        r = bm - np.matmul(A, xm)
        y = np.matmul(th, np.matmul(_mH(X), xm))
        t = dirs.add(t, -np.matmul(X, np.matmul(ta, xm)))
        t = t + np.matmul(np.matmul(X, _mH(X)), np.matmul(th, r))
        t = t + y - np.matmul(X, np.matmul(A, y))
    x_t = None if t is None else (_unvec(t) if vector else t)
    res_t = None
    if t is not None and np.size(residuals):
        r = bm - np.matmul(A, xm)
        dr = -np.matmul(A, t)
        if tbm is not None:
            dr = dr + tbm
        if ta is not None:
            dr = dr - np.matmul(ta, xm)
        res_t = dirs.reshape(2 * np.sum(_re(np.conjugate(r) * dr), axis=-2), np.shape(residuals))
    sv_t = None if ta is None else _through(frame, lambda d: np.linalg.svd(d, compute_uv=False), (A, ta))
    return frame.wrap(x, x_t), frame.wrap(residuals, res_t), rank, frame.wrap(sv, sv_t)


def _tensor_axes_moved(a, axes):
    """NumPy's tensorsolve axis move, applied to a (Dual)array."""
    if axes is None:
        return a
    nd = np.ndim(a)
    allaxes = list(range(nd))
    for k in axes:
        allaxes.remove(k)
        allaxes.insert(nd, k)
    return np.transpose(a, allaxes)


# x = tensorsolve(a, b)  ⇒  ẋ = tensorsolve(a, ḃ − ȧ·x)   (as one matrix solve)
@implements(np.linalg.tensorsolve)
def _tensorsolve(a, b, axes=None):
    a = _tensor_axes_moved(a, axes)
    frame, (A, B), (ta, tb) = split([a, b])
    x = np.linalg.tensorsolve(A, B)
    if frame is None or (ta is None and tb is None):
        return x if frame is None else frame.wrap(x, None)
    nx = np.ndim(x)
    r = None if tb is None else tb
    if ta is not None:
        ax = np.tensordot(ta, x, axes=nx)
        r = -ax if r is None else r - ax
    size = int(np.prod(np.shape(x)))
    matrix = np.reshape(A, (size, size))
    t = _solve_directions(matrix, _vec(dirs.reshape(r, (size,))))
    return frame.wrap(x, dirs.reshape(_unvec(t), np.shape(x)))


# Y = tensorinv(a)  ⇒  Ẏ = −Y Ȧ Y   (in the matrix form NumPy inverts)
@implements(np.linalg.tensorinv)
def _tensorinv(a, ind=2):
    frame, (A,), (t,) = split([a])
    y = np.linalg.tensorinv(A, ind)
    if frame is None or t is None:
        return y if frame is None else frame.wrap(y, None)
    rows = int(np.prod(np.shape(A)[:ind]))
    cols = int(np.prod(np.shape(A)[ind:]))
    ym = np.reshape(y, (cols, rows))
    dy = -np.matmul(np.matmul(ym, dirs.reshape(t, (rows, cols))), ym)
    return frame.wrap(y, dirs.reshape(dy, np.shape(y)))


# ---------------------------------------------------------------- determinants
def _exclusive_products(s: Any) -> Any:
    """``∏_{j≠i} s_j`` for every i, without division (exact when some s_j = 0)."""
    n = s.shape[-1]
    return np.prod(np.where(np.eye(n, dtype=bool), 1, np.expand_dims(s, -2)), axis=-1)


def _well_conditioned(A: Any, limit: float = 1e6) -> bool:
    """Every matrix of the stack has a 1-norm condition number below ``limit`` (values only)."""
    a = np.asarray(_plain(A))
    try:
        ai = np.linalg.inv(a)
    except np.linalg.LinAlgError:
        return False
    with np.errstate(all="ignore"):
        c = np.linalg.norm(a, 1, axis=(-2, -1)) * np.linalg.norm(ai, 1, axis=(-2, -1))
    return bool(np.all(np.isfinite(c) & (c < limit)))


_CONTOUR_MAX_N = 10


def _adjugate_contour(A: Any) -> Any:
    """adj(A) as the mean of adj(A + zI) over n points z = r·e^{2πij/n}, r = 2‖A‖₂.

    adj(A + zI) is a polynomial of degree n − 1 in z, so the mean is exactly adj(A) (any rank, any
    derivative order); every shifted matrix is well conditioned (σ_min ≥ ‖A‖₂), so adj = det·inverse
    there. Rounding grows like 3ⁿ⁻¹·eps, hence only for n ≤ 10.
    """
    n = A.shape[-1]
    r = 2 * np.linalg.norm(np.asarray(_plain(A)), 2, axis=(-2, -1))
    r = np.where(r > 0, r, 1.0)
    z = np.expand_dims(r, -1) * np.exp(2j * np.pi * np.arange(n) / n)
    B = np.expand_dims(A, -3) + np.expand_dims(z, (-2, -1)) * np.eye(n)
    adj = np.mean(np.expand_dims(np.linalg.det(B), (-2, -1)) * np.linalg.inv(B), axis=-3)
    return adj if _is_complex(A) else np.real(adj)


def _adjugate(A: Any) -> Any:
    """adj(A) (so that adj(A)·A = det(A)·I), exact at singular matrices; nests.

    n ≤ 3: cofactors. Larger: det(A)·A⁻¹ when every matrix is well conditioned; else, for n ≤ 10, the
    exact contour mean of :func:`_adjugate_contour`; else from the SVD,
    A = U S Vᴴ  ⇒  adj(A) = det(U)·det(Vᴴ)·V adj(S) Uᴴ with adj(S) = diag(∏_{j≠i} s_j)
    (exact at first order; at second order exact where the zero singular value is simple, for real A).
    """
    n = A.shape[-1]
    if n == 1:
        return np.ones_like(A)
    if n == 2:
        a, b, c, d = A[..., 0, 0], A[..., 0, 1], A[..., 1, 0], A[..., 1, 1]
        return np.stack([np.stack([d, -b], axis=-1), np.stack([-c, a], axis=-1)], axis=-2)
    if n == 3:
        def cof(i, j):  # adj_ij = cofactor of the entry (j, i); the cyclic form carries the sign
            j1, j2, i1, i2 = (j + 1) % 3, (j + 2) % 3, (i + 1) % 3, (i + 2) % 3
            return A[..., j1, i1] * A[..., j2, i2] - A[..., j1, i2] * A[..., j2, i1]

        return np.stack([np.stack([cof(i, j) for j in range(3)], axis=-1) for i in range(3)], axis=-2)
    if _well_conditioned(A):
        return np.expand_dims(np.linalg.det(A), (-2, -1)) * np.linalg.inv(A)
    if n <= _CONTOUR_MAX_N:
        return _adjugate_contour(A)
    U, s, Vh = np.linalg.svd(A)
    if isinstance(A, DualArray):  # second order: exact only for a real A with a simple zero singular value
        sv = strip_all(s)
        tol = 100 * np.finfo(sv.dtype).eps * n * np.max(sv, axis=-1, keepdims=True)
        if _is_complex(A) or np.any(np.sum(sv <= tol, axis=-1) >= 2):
            raise NotImplementedError(
                f"second derivatives of numpy.linalg.det at a singular {n}×{n} matrix of rank ≤ n−2 (or complex) "
                "are not implemented for n > 10; first derivatives are exact"
            )
    if _is_complex(A):
        # the phase of det(U)·det(Vᴴ) moves with the SVD gauge: keep it differentiable (U, Vᴴ are unitary,
        # so these dets take the det·inverse branch above)
        sign = np.linalg.det(U) * np.linalg.det(Vh)
    else:
        sign = np.linalg.det(_plain(U)) * np.linalg.det(_plain(Vh))  # ±1, locally constant
    scaled = _mH(Vh) * np.expand_dims(_exclusive_products(s), -2)
    return np.expand_dims(sign, (-2, -1)) * np.matmul(scaled, _mH(U))


# d det(A) = tr(adj(A) Ȧ)
@implements(np.linalg.det)
def _det(a):
    frame, (A,), (t,) = split([a])
    d = np.linalg.det(A)
    if frame is None or t is None or A.shape[-1] == 0:
        return d if frame is None else frame.wrap(d, None)
    return frame.wrap(d, np.sum(_mT(_adjugate(A)) * t, axis=(-2, -1)))


def _moves(t: Any, where: Any) -> bool:
    """Some direction of the tangent ``t`` (at any nesting level) is nonzero in a matrix selected by ``where``."""
    if t is None:
        return False
    if isinstance(t, DualArray):
        return _moves(t.value, where) or _moves(t._tangent, where)
    mask = np.broadcast_to(np.expand_dims(where, (-2, -1)), np.shape(t)[1:])
    return bool(np.any(np.broadcast_to(t, np.shape(t)) != 0, where=np.broadcast_to(mask, np.shape(t))))


# log|det A|˙ = Re tr(A⁻¹Ȧ);  sign˙ = i·Im tr(A⁻¹Ȧ)·sign (complex), sign constant (real)
@implements(np.linalg.slogdet)
def _slogdet(a):
    frame, (A,), (t,) = split([a])
    result = np.linalg.slogdet(A)
    if frame is None:
        return result
    sign, logdet = result
    if t is None or A.shape[-1] == 0:
        return type(result)(frame.wrap(sign, None), frame.wrap(logdet, None))
    singular = np.asarray(_plain(sign)) == 0  # NumPy's (0, -inf): an exactly zero pivot
    if np.any(singular):
        # log|det| → −inf: no finite derivative along any direction that moves A (even one with
        # tr(adj(A)Ȧ) = 0, as det then vanishes to second order); a zero tangent stays zero
        if _moves(t, singular):
            raise NotImplementedError(
                "numpy.linalg.slogdet: logabsdet is -inf at a singular matrix and has no finite derivative "
                "there. Use numpy.linalg.det (differentiable at singular matrices, via the adjugate) or "
                "perturb/regularize the matrix"
            )
        n = A.shape[-1]
        A = np.where(np.expand_dims(singular, (-2, -1)), np.eye(n, dtype=np.asarray(_plain(A)).dtype), A)
    tr = np.linalg.trace(_solve_directions(A, t))
    sign_t = None
    if _is_complex(sign):
        sign_t = 1j * np.imag(tr) * sign
    return type(result)(frame.wrap(sign, sign_t), frame.wrap(logdet, _re(tr)))


# ---------------------------------------------------------------- norms
def _phase(x: Any) -> Any:
    """d|x| = Re(phase·ẋ): sign(x) for real x, conj(x)/|x| for complex; 0 at 0 (abs'(0) = 0)."""
    if not _is_complex(x):
        return np.sign(x)
    ax = np.abs(x)
    return np.conjugate(x) / np.where(ax == 0, 1, ax)


def _contract(c: Any, t: Any, x: Any, axes: tuple) -> Any:
    """Re Σ c·ẋ over ``axes`` (keepdims); for real x, the complex-linear Σ c·ẋ."""
    s = np.sum(c * t, axis=axes, keepdims=True)
    return np.real(s) if _is_complex(x) and _is_complex(s) else s


def _vector_norm_tangent(x, t, yk, axes: tuple, ord) -> Any:
    """Tangent (keepdims over ``axes``) of the vector ``ord``-norm ``yk`` of ``x``."""
    if ord is None or ord == 2:
        # ‖x‖˙ = Re Σ conj(x)ẋ / ‖x‖, and 0 at x = 0
        num = _contract(np.conjugate(x) if _is_complex(x) else x, t, x, axes)
        return num / np.where(yk == 0, 1, yk)
    if ord == 0:
        return None
    ph = _phase(x)
    if ord == 1:
        return _contract(ph, t, x, axes)
    ax = np.abs(x)
    if ord in (np.inf, -np.inf):
        # extremal entries share the derivative equally (ties split, as for max/min)
        hit = np.equal(_plain(ax), _plain(yk))
        count = np.sum(hit, axis=axes, keepdims=True)
        return _contract(ph * hit, t, x, axes) / np.where(count == 0, 1, count)
    # ‖x‖ₚ˙ = Σ phase·(|x|/‖x‖)^(p−1) ẋ, with 0 where x = 0 or ‖x‖ = 0
    zero = np.equal(_plain(ax), 0) | np.equal(_plain(yk), 0)
    ratio = np.where(zero, 1, ax) / np.where(np.equal(_plain(yk), 0), 1, yk)
    c = np.where(zero, 0, ph * ratio ** (ord - 1))
    return _contract(c, t, x, axes)


def _kept(shape: tuple, axes: tuple) -> tuple:
    nd = len(shape)
    return tuple(1 if i - nd in axes else n for i, n in enumerate(shape))


def _matrix_norm_tangent(frame, x, t, yk, row: int, col: int, ord) -> Any:
    """Tangent of a matrix norm over the (negative) axes (row, col); shaped like the reduced result."""
    if ord in (None, "fro", "f"):
        return _vector_norm_tangent(x, t, yk, (row, col), 2)
    nd = np.ndim(x)
    if ord in (2, -2, "nuc"):
        def composed(d):
            s = np.linalg.svd(np.moveaxis(d, (row, col), (-2, -1)), compute_uv=False)
            if ord == "nuc":
                return np.sum(s, axis=-1)
            return s[..., 0] if ord == 2 else s[..., -1]
    elif ord in (1, -1, np.inf, -np.inf):
        reduce = np.max if ord in (1, np.inf) else np.min
        first, second = (row, col) if ord in (1, -1) else (col, row)

        def composed(d):
            inner = np.sum(np.abs(d), axis=first + nd)
            later = second + nd
            later = later - 1 if later > first + nd else later
            return reduce(inner, axis=later)
    else:
        raise ValueError("Invalid norm order for matrices.")
    return _through(frame, composed, (x, t))


def _finish_norm(frame, y, t) -> Any:
    return frame.wrap(y, None if t is None else dirs.reshape(t, np.shape(y)))


# vector: ‖x‖ₚ˙ = Re Σ phase(x)(|x|/‖x‖)^(p−1) ẋ (0 at x = 0); matrix: Frobenius, or composition
@implements(np.linalg.norm)
def _norm(x, ord=None, axis=None, keepdims=False):
    frame, (v,), (t,) = split([x])
    y = np.linalg.norm(v, ord, axis, keepdims)
    if frame is None or t is None:
        return y if frame is None else frame.wrap(y, None)
    nd = np.ndim(v)
    if axis is None:
        fro = isinstance(ord, str) and ord in ("f", "fro") and nd == 2
        if ord is None or fro or (ord == 2 and nd == 1):
            axes = tuple(range(-nd, 0))
            yk = np.reshape(y, (1,) * nd)
            return _finish_norm(frame, y, _vector_norm_tangent(v, t, yk, axes, 2))
        axis = tuple(range(nd))
    axes = dirs.axes(axis, nd)
    yk = np.reshape(y, _kept(np.shape(v), axes))
    if len(axes) == 1:
        return _finish_norm(frame, y, _vector_norm_tangent(v, t, yk, axes, ord))
    return _finish_norm(frame, y, _matrix_norm_tangent(frame, v, t, yk, axes[0], axes[1], ord))


# ‖x‖ₚ˙ = Re Σ phase(x)(|x|/‖x‖)^(p−1) ẋ  (0 at x = 0; ∞-norms split ties)
@implements(np.linalg.vector_norm)
def _vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    frame, (v,), (t,) = split([x])
    y = np.linalg.vector_norm(v, axis=axis, keepdims=keepdims, ord=ord)
    if frame is None or t is None:
        return y if frame is None else frame.wrap(y, None)
    axes = dirs.axes(axis, np.ndim(v))
    yk = np.reshape(y, _kept(np.shape(v), axes))
    return _finish_norm(frame, y, _vector_norm_tangent(v, t, yk, axes, ord))


# 'fro' as a vector norm; 'nuc', ±2 from singular values; ±1, ±inf as max/min of column/row sums
@implements(np.linalg.matrix_norm)
def _matrix_norm(x, /, *, keepdims=False, ord="fro"):
    frame, (v,), (t,) = split([x])
    y = np.linalg.matrix_norm(v, keepdims=keepdims, ord=ord)
    if frame is None or t is None:
        return y if frame is None else frame.wrap(y, None)
    yk = np.reshape(y, _kept(np.shape(v), (-2, -1)))
    return _finish_norm(frame, y, _matrix_norm_tangent(frame, v, t, yk, -2, -1, ord))


# cond = ‖A‖·‖A⁻¹‖ (or s_max/s_min): differentiated as that composition
@implements(np.linalg.cond)
def _cond(x, p=None):
    frame, (v,), (t,) = split([x])
    y = np.linalg.cond(v, p)
    if frame is None or t is None:
        return y if frame is None else frame.wrap(y, None)

    def composed(d):
        if p in (None, 2, -2):
            s = np.linalg.svd(d, compute_uv=False)
            return s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
        return np.linalg.norm(d, p, axis=(-2, -1)) * np.linalg.norm(np.linalg.inv(d), p, axis=(-2, -1))

    return _finish_norm(frame, y, _through(frame, composed, (v, t)))


nondifferentiable(np.linalg.matrix_rank)


# ---------------------------------------------------------------- decompositions
def _eigh_tangents(w, V, E, vectors: bool, name: str = "eigh"):
    """(V', ẇ, V̇) for A = V diag(w) Vᴴ along the Hermitian direction E (see module conventions).

    P = VᴴĖV;  ẇ = Re diag(P);  V̇ = V (F∘P), F_ij = 1/(w_j − w_i) (0 within a cluster)
    """
    _, same, blocks = _clusters(w)
    if blocks and (_perturbed(V) or _perturbed(E)):
        raise _refuse_second_order(name, "eigenvalue")
    P = np.matmul(np.matmul(_mH(V), E), V)
    if blocks and vectors:
        Q = _rotation(name, np.shape(V), np.result_type(_plain(V)), blocks, P, _identity, False)
        V = np.matmul(V, Q)
        P = np.matmul(np.matmul(_mH(Q), P), Q)
    dw = _cluster_values(_re(_diag(P)), blocks, P, _identity, False)
    if not vectors:
        return V, dw, None
    F = _safe_inverse(np.expand_dims(w, -2) - np.expand_dims(w, -1), same)
    return V, dw, np.matmul(V, F * P)


# A = V diag(w) Vᴴ  ⇒  ẇ = diag(VᴴȦV),  V̇ = V (F∘(VᴴȦV))
@implements(np.linalg.eigh)
def _eigh(a, UPLO="L"):
    frame, (A,), (t,) = split([a])
    with _second_order_of("eigh", "eigenvalue", t):
        result = np.linalg.eigh(A, UPLO)
    if frame is None:
        return result
    w, V = result
    if t is None:
        return type(result)(frame.wrap(w, None), frame.wrap(V, None))
    V, dw, dV = _eigh_tangents(w, V, _hermitian_from(t, UPLO), True)
    return type(result)(frame.wrap(w, dw), frame.wrap(V, dV))


# A = V diag(w) Vᴴ  ⇒  ẇ = Re diag(VᴴȦV)  (eigenvalues of the projection in degenerate clusters)
@implements(np.linalg.eigvalsh)
def _eigvalsh(a, UPLO="L"):
    frame, (A,), (t,) = split([a])
    w = np.linalg.eigvalsh(A, UPLO)
    if frame is None or t is None:
        return w if frame is None else frame.wrap(w, None)
    with _second_order_of("eigvalsh", "eigenvalue", t):
        w2, V = np.linalg.eigh(A, UPLO)
    _, dw, _ = _eigh_tangents(w2, V, _hermitian_from(t, UPLO), False, "eigvalsh")
    return frame.wrap(w, dw)


@contextlib.contextmanager
def _second_order_of(name: str, what: str, t: Any):
    """Around the inner (first-order) decomposition of a nested input: an inner refusal to batch
    directions at a repeated value is, seen from here, a second-order computation at that value."""
    try:
        yield
    except DegenerateDirectionsError as err:
        if t is None:
            raise
        raise _refuse_second_order(name, what) from err


def _svd_tangents(U, s, Vh, ta, vectors: bool, full: tuple | None = None, name: str = "svd"):
    """Tangents of a thin SVD A = U diag(s) Vh along ta.

    P = UᴴȦV;  ṡ = Re diag(P);  U̇ = U Ω_U + (I − UUᴴ)ȦVS⁻¹,  V̇ = V Ω_V + (I − VVᴴ)ȦᴴUS⁻¹ with
    Ω_U = F⁻∘herm(P) + F⁺∘skew(P), Ω_V = F⁻∘herm(P) − F⁺∘skew(P), F⁻_ij = 1/(s_j − s_i), F⁺_ij = 1/(s_j + s_i)
    (F⁻ = 0 within a cluster, F⁺ = 0 between zero singular values). ``full``: (U_full, Vh_full).
    Clusters of equal nonzero singular values are rotated to diagonalise herm(P_S) (first direction), and
    their ṡ are the eigenvalues of herm(P_S) for every direction.
    """
    m, n = np.shape(U)[-2], np.shape(Vh)[-1]
    kk = np.shape(s)[-1]
    labels, same, blocks = _clusters(s)
    sp = np.asarray(_plain(s))
    scale = np.max(sp, axis=-1, keepdims=True) if kk else sp
    zero = sp <= 64 * max(m, n, 1) * np.finfo(sp.dtype).eps * scale
    # a repeated zero singular value has no derivative (tangent 0, as abs'(0) = 0); a simple one
    # follows the smooth branch σ̇ = Re uᴴȦv, which keeps U S Vᴴ (and the adjugate) differentiable
    repeated_zero = zero & (np.sum(same & zero[..., None, :], axis=-1) > 1)
    blocks = [(idx, b, e) for idx, b, e in blocks if not zero[idx][b]]
    if blocks and (_perturbed(U) or _perturbed(ta)):
        raise _refuse_second_order(name, "singular value")
    V = _mH(Vh)
    P = np.matmul(np.matmul(_mH(U), ta), V)
    Q = None
    if blocks and vectors:
        Q = _rotation(name, np.shape(P)[1:], np.result_type(_plain(U)), blocks, P, _herm, True)
        U, V = np.matmul(U, Q), np.matmul(V, Q)
        P = np.matmul(np.matmul(_mH(Q), P), Q)
    ds = _re(_diag(P)) * ~repeated_zero
    ds = _cluster_values(ds, blocks, P, _herm, True)
    if not vectors:
        return ds, None
    Fm = _safe_inverse(np.expand_dims(s, -2) - np.expand_dims(s, -1), same)
    both_zero = zero[..., :, None] & zero[..., None, :]
    Fp = _safe_inverse(np.expand_dims(s, -2) + np.expand_dims(s, -1), both_zero)
    H, K = _herm(P), (P - _mH(P)) / 2
    dU = np.matmul(U, Fm * H + Fp * K)
    dV = np.matmul(V, Fm * H - Fp * K)
    sinv = _safe_inverse(s, zero)
    if m > kk:
        dU = dU + (np.matmul(ta, V) - np.matmul(U, P)) * np.expand_dims(sinv, -2)
    if n > kk:
        dV = dV + (np.matmul(_mH(ta), U) - np.matmul(V, _mH(P))) * np.expand_dims(sinv, -2)
    U_out, Vh_out = U, (Vh if Q is None else _mH(V))
    if full is not None:
        U_full, Vh_full = full
        if m > kk:
            # complement columns: minimal rotation, U̇⊥ = −U S⁻¹ Vᴴ Ȧᴴ U⊥
            U_perp = U_full[..., :, kk:]
            dperp = -np.matmul(U, np.matmul(_mH(np.matmul(ta, V)), U_perp) * np.expand_dims(sinv, -1))
            dU = np.concatenate([dU, dperp], axis=-1)
            U_out = np.concatenate([U, U_perp], axis=-1) if Q is not None else U_full
        if n > kk:
            V_perp = _mH(Vh_full[..., kk:, :])
            dperp = -np.matmul(V, np.matmul(np.matmul(_mH(U), ta), V_perp) * np.expand_dims(sinv, -1))
            dV = np.concatenate([dV, dperp], axis=-1)
            Vh_out = np.concatenate([_mH(V), Vh_full[..., kk:, :]], axis=-2) if Q is not None else Vh_full
    return ds, (U_out, dU, Vh_out, _mH(dV))


# A = U S Vᴴ  ⇒  ṡ = Re diag(UᴴȦV), U̇, V̇ as in _svd_tangents
@implements(np.linalg.svd)
def _svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    frame, (A,), (t,) = split([a])
    with _second_order_of("svd", "singular value", t):
        result = np.linalg.svd(A, full_matrices=full_matrices, compute_uv=compute_uv, hermitian=hermitian)
    if frame is None:
        return result
    if t is not None and hermitian:
        t = _hermitian_from(t, "L")
    if not compute_uv:
        if t is None:
            return frame.wrap(result, None)
        with _second_order_of("svd", "singular value", t):
            U, s, Vh = np.linalg.svd(A, full_matrices=False, hermitian=hermitian)
        return frame.wrap(result, _svd_tangents(U, s, Vh, t, False)[0])
    U, s, Vh = result
    if t is None:
        return type(result)(frame.wrap(U, None), frame.wrap(s, None), frame.wrap(Vh, None))
    m, n = np.shape(A)[-2:]
    kk = min(m, n)
    if full_matrices and m != n:
        thin = (U[..., :, :kk], s, Vh[..., :kk, :])
        ds, (U, dU, Vh, dVh) = _svd_tangents(*thin, t, True, full=(U, Vh))
    else:
        ds, (U, dU, Vh, dVh) = _svd_tangents(U, s, Vh, t, True)
    return type(result)(frame.wrap(U, dU), frame.wrap(s, ds), frame.wrap(Vh, dVh))


# A = U S Vᴴ  ⇒  ṡ = Re diag(UᴴȦV)
@implements(np.linalg.svdvals)
def _svdvals(x, /):
    frame, (A,), (t,) = split([x])
    s = np.linalg.svdvals(A)
    if frame is None or t is None:
        return s if frame is None else frame.wrap(s, None)
    with _second_order_of("svdvals", "singular value", t):
        U, s2, Vh = np.linalg.svd(A, full_matrices=False)
    return frame.wrap(s, _svd_tangents(U, s2, Vh, t, False, name="svdvals")[0])


# A = LLᴴ  ⇒  L̇ = L Φ(L⁻¹ȦL⁻ᴴ), Φ = strictly lower part + half the diagonal
@implements(np.linalg.cholesky)
def _cholesky(a, /, *, upper=False):
    frame, (A,), (t,) = split([a])
    C = np.linalg.cholesky(A, upper=upper)
    if frame is None or t is None:
        return C if frame is None else frame.wrap(C, None)
    L = _mH(C) if upper else C
    E = _hermitian_from(t, "U" if upper else "L")
    X = _solve_directions(L, E)
    M = _solve_directions(L, _mH(X))
    n = np.shape(A)[-1]
    phi = M * np.tril(np.ones((n, n), dtype=bool), -1) + 0.5 * (M * np.eye(n, dtype=bool))
    dL = np.matmul(L, phi)
    return frame.wrap(C, _mH(dL) if upper else dL)


def _qr_tangents(Q, R, t):
    """A = QR (reduced)  ⇒  C = QᴴȦ₁R₁⁻¹, Ω = tril(C,−1) − tril(C,−1)ᴴ (+ i·Im diag C),
    Ṙ = QᴴȦ − ΩR,  Q̇ = QΩ + (I − QQᴴ)Ȧ₁R₁⁻¹   (Ȧ₁, R₁: the first min(m, n) columns)."""
    m, n = np.shape(Q)[-2], np.shape(R)[-1]
    kk = min(m, n)
    R1 = R[..., :, :kk]
    t1 = t[..., :, :kk] if n > kk else t
    X = np.matmul(_mH(Q), t1)

    def right_solve(Z):  # Z R₁⁻¹
        return _mH(_solve_directions(_mH(R1), _mH(Z)))

    C = right_solve(X)
    low = C * np.tril(np.ones((kk, kk), dtype=bool), -1)
    omega = low - _mH(low)
    if _is_complex(C):
        omega = omega + _embed(1j * np.imag(_diag(C)))
    dR = np.matmul(_mH(Q), t) - np.matmul(omega, R)
    dQ = np.matmul(Q, omega)
    if m > kk:
        dQ = dQ + right_solve(t1 - np.matmul(Q, X))
    return dQ, dR


# A = QR  ⇒  Ṙ = QᴴȦ − ΩR, Q̇ = QΩ + (I − QQᴴ)Ȧ₁R₁⁻¹  (see _qr_tangents)
@implements(np.linalg.qr)
def _qr(a, mode="reduced"):
    frame, (A,), (t,) = split([a])
    m, n = np.shape(A)[-2:]
    if mode == "raw":
        raise NotImplementedError(
            "numpy.linalg.qr(mode='raw') returns Householder reflectors, which have no derivative rule "
            "for DualArrays; use mode='reduced'"
        )
    if mode == "complete" and m > n:
        raise NotImplementedError(
            "numpy.linalg.qr(mode='complete') of a tall matrix: the extra columns of Q are not unique, "
            "so they have no derivative; use mode='reduced'"
        )
    result = np.linalg.qr(A, mode=mode)
    if frame is None:
        return result
    if mode == "r":
        if t is None:
            return frame.wrap(result, None)
        Q, R = np.linalg.qr(A)
        return frame.wrap(result, _qr_tangents(Q, R, t)[1])
    Q, R = result
    if t is None:
        return type(result)(frame.wrap(Q, None), frame.wrap(R, None))
    dQ, dR = _qr_tangents(Q, R, t)
    return type(result)(frame.wrap(Q, dQ), frame.wrap(R, dR))


def _refuse_repeated_eigenvalues(name: str, A: Any, w: Any) -> None:
    """eig/eigvals assume simple eigenvalues: refuse (nearly) repeated ones.

    At a repeated eigenvalue the eigenvalues are not differentiable (derogatory: the directional
    derivative is not linear in the direction; defective: it is infinite), and the eigenvectors are
    not unique. A defective double eigenvalue comes out of LAPACK split by about √eps·‖A‖, so the
    gap tolerance is √eps relative to max(‖A‖₁, |w|max).
    """
    wp = np.asarray(_plain(w))
    n = wp.shape[-1]
    if n < 2:
        return
    a = np.asarray(strip_all(A))
    scale = np.maximum(np.max(np.abs(wp), axis=-1), np.linalg.norm(a, 1, axis=(-2, -1)))
    gap = np.abs(wp[..., None, :] - wp[..., :, None]) + np.where(np.eye(n, dtype=bool), np.inf, 0)
    close = np.min(gap, axis=(-2, -1)) <= np.sqrt(np.finfo(np.abs(wp).dtype).eps) * scale
    if np.any(close):
        at = np.argwhere(close)[0] if np.ndim(close) else ()
        raise NotImplementedError(
            f"numpy.linalg.{name}: the matrix{' ' + str(tuple(int(i) for i in at)) if len(at) else ''} has a "
            "repeated (or nearly repeated) eigenvalue, where eigenvalues are not differentiable (and "
            "eigenvectors not unique); eig/eigvals assume simple eigenvalues. For a symmetric/Hermitian "
            "matrix use eigh/eigvalsh (exact there); otherwise perturb the matrix"
        )


def _eig_tangents(w, V, t, vectors: bool):
    """A = V diag(w) V⁻¹  ⇒  P = V⁻¹ȦV, ẇ = diag(P), V̇ = V(F∘P) + V diag(c);
    c keeps LAPACK's gauge: unit columns, and the largest component real."""
    P = _solve_directions(V, np.matmul(t, V))
    dw = _diag(P)
    if not vectors:
        return dw, None
    # eigenvalues are simple (checked by the caller), so F has no zero gaps off the diagonal
    same = np.eye(np.shape(w)[-1], dtype=bool)
    F = _safe_inverse(np.expand_dims(w, -2) - np.expand_dims(w, -1), same)
    dV = np.matmul(V, F * P)
    if not _is_complex(V):
        c = -np.sum(V * dV, axis=-2)
    else:
        c = -np.real(np.sum(np.conjugate(V) * dV, axis=-2))
        big = np.abs(np.asarray(_plain(V)))
        onehot = big == np.max(big, axis=-2, keepdims=True)
        onehot = onehot & (np.cumsum(onehot, axis=-2) == 1)
        dv_big = np.sum(dV * onehot, axis=-2)
        v_big = np.real(np.sum(V * onehot, axis=-2))
        c = c - 1j * np.imag(dv_big) / v_big
    return dw, dV + V * np.expand_dims(c, -2)


# general eigenproblem, simple eigenvalues: ẇ = diag(V⁻¹ȦV), V̇ = V(F∘(V⁻¹ȦV)) + gauge
@implements(np.linalg.eig)
def _eig(a):
    frame, (A,), (t,) = split([a])
    result = np.linalg.eig(A)
    if frame is None:
        return result
    w, V = result
    if t is None:
        return type(result)(frame.wrap(w, None), frame.wrap(V, None))
    _refuse_repeated_eigenvalues("eig", A, w)
    dw, dV = _eig_tangents(w, V, t, True)
    return type(result)(frame.wrap(w, dw), frame.wrap(V, dV))


# A = V diag(w) V⁻¹  ⇒  ẇ = diag(V⁻¹ȦV)
@implements(np.linalg.eigvals)
def _eigvals(a):
    frame, (A,), (t,) = split([a])
    w = np.linalg.eigvals(A)
    if frame is None or t is None:
        return w if frame is None else frame.wrap(w, None)
    _refuse_repeated_eigenvalues("eigvals", A, w)
    w2, V = np.linalg.eig(A)
    return frame.wrap(w, _eig_tangents(w2, V, t, False)[0])
