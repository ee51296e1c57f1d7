"""eigh / eigvalsh / svd / svdvals at repeated eigen- and singular values.

At a repeated value the eigenvectors are not differentiable (their directional derivative is not linear
in the direction), but spectral functions ``V·f(w)·Vᴴ`` are, and so are symmetric functions of the
values. The conventions checked here:

* one direction (``jvp``, ``jacobian(..., chunk_size=1)``): the vectors are rotated to diagonalise that
  direction's projected block, so every spectral function is exact;
* k ≥ 2 directions in one pass: one gauge must serve all of them. When one exists (the projected
  blocks are simultaneously diagonal, each sorted) the batched pass equals k single runs; otherwise
  ``eigh``/``svd`` raise :class:`DegenerateDirectionsError` (never a result right for one direction
  only). ``eigvalsh``/``svdvals`` always work batched (each direction gets its own sorted values);
* second order at a repeated value raises (never the spurious Hessian entries of before).

Finite-difference references are Richardson-extrapolated central differences (one-sided for the
sorted values, whose directional derivative is one-sided), with tolerances far above their error.
"""

from __future__ import annotations

import numpy as np
import pytest

import dualarray
from dualarray import DegenerateDirectionsError, DualArray, new_tag


def _rotated_repeat() -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(2024).standard_normal((3, 3)))
    return (q * [2.0, 2.0, 1.0]) @ q.T


POINTS = {
    "identity": np.eye(3),
    "diag_221": np.diag([2.0, 2.0, 1.0]),
    "rotated_221": _rotated_repeat(),
}


def _eigh_map(f):
    def g(x):
        w, v = np.linalg.eigh(x)
        return (v * f(w)[..., None, :]) @ np.swapaxes(v, -1, -2)

    return g


def _svd_reconstruct(x):
    u, s, vh = np.linalg.svd(x)
    return (u * s[..., None, :]) @ vh


def _svd_polar(x):
    u, _, vh = np.linalg.svd(x)
    return u @ vh


def _svd_gram(x):
    u, s, _ = np.linalg.svd(x)
    return (u * (s**2)[..., None, :]) @ np.swapaxes(u, -1, -2)


SPECTRAL = {
    "eigh_reconstruct": _eigh_map(lambda w: w),
    "eigh_expm": _eigh_map(np.exp),
    "eigh_sqrtm": _eigh_map(np.sqrt),
    "eigh_logm": _eigh_map(np.log),
    "svd_reconstruct": _svd_reconstruct,
    "svd_polar": _svd_polar,
    "svd_gram": _svd_gram,
}


def _central(f, x, e, h=1e-4):
    """Richardson-extrapolated central difference of f at x along e (error O(h⁴))."""
    def d(step):
        return (f(x + step * e) - f(x - step * e)) / (2 * step)

    return (4 * d(h / 2) - d(h)) / 3


def _forward(f, x, e, h=1e-6):
    """Richardson-extrapolated one-sided difference (sorted values are one-sided at a repeat)."""
    def d(step):
        return (f(x + step * e) - f(x)) / step

    return 2 * d(h / 2) - d(h)


def _fd_jacobian(f, x):
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = 1.0
        cols.append(_central(f, x, e.reshape(x.shape)))
    return np.moveaxis(np.array(cols).reshape(x.shape + np.shape(cols[0])), (0, 1), (-2, -1))


def _sym(rng, n=3):
    e = rng.standard_normal((n, n))
    return e + e.T


# ---------------------------------------------------------------- one direction: exact spectral maps
@pytest.mark.parametrize("point", list(POINTS))
@pytest.mark.parametrize("name", list(SPECTRAL))
def test_spectral_map_jacobian_one_direction_per_pass(name, point):
    f, x = SPECTRAL[name], POINTS[point]
    jac = dualarray.jacobian(f, chunk_size=1)(x)
    np.testing.assert_allclose(jac, _fd_jacobian(f, x), rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("point", list(POINTS))
@pytest.mark.parametrize("name", list(SPECTRAL))
def test_spectral_map_jvp_random_direction(name, point):
    f, x = SPECTRAL[name], POINTS[point]
    rng = np.random.default_rng(31)
    for _ in range(3):
        e = _sym(rng) if name.startswith("eigh") else rng.standard_normal((3, 3))
        _, t = dualarray.jvp(f, (x,), (e,))
        np.testing.assert_allclose(t, _central(f, x, e), rtol=1e-7, atol=1e-7)


# ---------------------------------------------------------------- k directions in one pass
@pytest.mark.parametrize("point", list(POINTS))
@pytest.mark.parametrize("name", list(SPECTRAL))
def test_spectral_map_jacobian_with_default_chunking_is_exact(name, point):
    # the unit directions project onto non-commuting blocks: no gauge serves them all in one pass, so the
    # rule refuses the batch and jacobian pushes that chunk's directions one at a time
    f, x = SPECTRAL[name], POINTS[point]
    with pytest.raises(DegenerateDirectionsError, match="chunk_size=1"):
        f(DualArray(x, np.eye(x.size).reshape((x.size, *x.shape)), batched=True))
    assert issubclass(DegenerateDirectionsError, NotImplementedError)
    jac = dualarray.jacobian(f)(x)
    np.testing.assert_array_equal(jac, dualarray.jacobian(f, chunk_size=1)(x))
    np.testing.assert_allclose(jac, _fd_jacobian(f, x), rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("name", ["eigh_reconstruct", "eigh_expm", "eigh_logm"])
def test_eigh_batched_directions_with_a_common_gauge_equal_single_runs(name):
    # at diag(2, 2, 1) the cluster is span(e0, e1); the first direction leaves it alone (its block is 0,
    # which used to fix the gauge for all), the second needs a 45° rotation, the third commutes with it
    f, x = SPECTRAL[name], POINTS["diag_221"]
    e0 = np.zeros((3, 3))
    e0[2, 2] = 1.0
    e0[0, 2] = e0[2, 0] = 0.5
    e1 = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    e2 = np.array([[1.0, 3.0, 0.0], [3.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    many = np.stack([e0, e1, e2])
    out = f(DualArray(x, many, batched=True))
    for j in range(3):
        single = f(DualArray(x, many[j])).tangent
        np.testing.assert_allclose(out.tangent[j], single, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(out.tangent[j], _central(f, x, many[j]), rtol=1e-7, atol=1e-7)


def test_svd_batched_directions_with_a_common_gauge_equal_single_runs():
    x = POINTS["diag_221"]
    e0 = np.zeros((3, 3))
    e0[2, 1] = 1.0  # couples the clusters only
    e1 = np.array([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])  # herm part [[0,1],[1,0]]
    many = np.stack([e0, e1])
    for f in (_svd_reconstruct, _svd_polar, _svd_gram):
        out = f(DualArray(x, many, batched=True))
        for j in range(2):
            np.testing.assert_allclose(out.tangent[j], f(DualArray(x, many[j])).tangent, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(out.tangent[j], _central(f, x, many[j]), rtol=1e-7, atol=1e-7)


def test_eigh_batched_small_direction_is_judged_on_its_own_scale():
    # a huge diagonal direction must not hide a small one that needs another gauge
    x = POINTS["diag_221"]
    big = np.diag([1e20, 2e20, 0.0])
    small = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    with pytest.raises(DegenerateDirectionsError):
        np.linalg.eigh(DualArray(x, np.stack([big, small]), batched=True))
    w, v = np.linalg.eigh(DualArray(x, np.stack([big, 1e-30 * big]), batched=True))  # one gauge serves both
    recon = (v * w[..., None, :]) @ np.swapaxes(v, -1, -2)
    np.testing.assert_allclose(recon.tangent[1], 1e-30 * big, rtol=1e-12)


@pytest.mark.parametrize("point", list(POINTS))
def test_eigh_batched_random_directions_raise(point):
    rng = np.random.default_rng(5)
    many = np.stack([_sym(rng) for _ in range(3)])
    with pytest.raises(DegenerateDirectionsError, match=r"numpy\.linalg\.eigh.*jvp"):
        np.linalg.eigh(DualArray(POINTS[point], many, batched=True))
    with pytest.raises(DegenerateDirectionsError, match=r"numpy\.linalg\.svd"):
        np.linalg.svd(DualArray(POINTS[point], many, batched=True))


def test_eigh_batched_at_simple_eigenvalues_is_unaffected():
    rng = np.random.default_rng(6)
    x = np.diag([3.0, 2.0, 1.0])
    many = np.stack([_sym(rng) for _ in range(4)])
    f = SPECTRAL["eigh_expm"]
    np.testing.assert_allclose(dualarray.jacobian(f)(x), dualarray.jacobian(f, chunk_size=1)(x), atol=1e-12)
    out = f(DualArray(x, many, batched=True))
    for j in range(4):
        np.testing.assert_allclose(out.tangent[j], _central(f, x, many[j]), rtol=1e-7, atol=1e-7)


# ---------------------------------------------------------------- values only: per-direction, batched
@pytest.mark.parametrize("point", list(POINTS))
def test_sorted_values_batched_equal_single_runs_and_one_sided_differences(point):
    x = POINTS[point]
    rng = np.random.default_rng(8)
    many = np.stack([_sym(rng) for _ in range(4)])
    for func in (np.linalg.eigvalsh, np.linalg.svdvals, lambda a: np.linalg.svd(a, compute_uv=False),
                 lambda a: np.linalg.eigh(a)[0], lambda a: np.linalg.svd(a)[1]):
        try:
            out = func(DualArray(x, many, batched=True))
        except DegenerateDirectionsError:  # the vectors were asked for too: refused, see above
            assert func not in (np.linalg.eigvalsh, np.linalg.svdvals)
            continue
        for j in range(4):
            single = func(DualArray(x, many[j])).tangent
            np.testing.assert_allclose(out.tangent[j], single, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(single, _forward(func, x, many[j]), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("point", list(POINTS))
def test_symmetric_functions_of_values_jacobian_default_chunking(point):
    # log det and tr exp are differentiable at a repeat: their gradients from eigvalsh/svdvals are exact
    x = POINTS[point]
    for f, grad in (
        (lambda a: np.sum(np.log(np.linalg.eigvalsh(a))), None),
        (lambda a: np.sum(np.exp(np.linalg.eigvalsh(a))), None),
        (lambda a: np.sum(np.linalg.svdvals(a) ** 2), lambda a: 2 * a),
        (lambda a: np.sum(np.log(np.linalg.svdvals(a))), lambda a: np.linalg.inv(a).T),
    ):
        g = dualarray.gradient(f)(x)
        np.testing.assert_allclose(g, dualarray.gradient(f, chunk_size=1)(x), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(g, _fd_jacobian(f, x), rtol=1e-7, atol=1e-7)
        if grad is not None:
            np.testing.assert_allclose(g, grad(x), rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------- second order
SECOND_ORDER = {
    "logdet_eigvalsh": lambda a: np.sum(np.log(np.linalg.eigvalsh(a))),
    "frobenius_svdvals": lambda a: np.sum(np.linalg.svdvals(a) ** 2),
    "frobenius_svd_values": lambda a: np.sum(np.linalg.svd(a, compute_uv=False) ** 2),
    "trace_expm_eigh": lambda a: np.sum(SPECTRAL["eigh_expm"](a)),
    "trace_svd_reconstruct": lambda a: np.sum(_svd_reconstruct(a) ** 2),
    "nuclear_norm": lambda a: np.linalg.norm(a, "nuc"),
}


@pytest.mark.parametrize("chunk_size", [None, 1])
@pytest.mark.parametrize("point", ["identity4", *POINTS])
@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_second_order_at_a_repeat_raises(name, point, chunk_size):
    x = np.eye(4) if point == "identity4" else POINTS[point]
    with pytest.raises(NotImplementedError, match="second derivatives at a repeated"):
        dualarray.hessian(SECOND_ORDER[name], chunk_size=chunk_size)(x)


def test_second_order_nested_single_directions_at_a_repeat_raise():
    rng = np.random.default_rng(9)
    e1, e2 = _sym(rng), _sym(rng)
    for func in (np.linalg.eigvalsh, np.linalg.eigh, np.linalg.svd, np.linalg.svdvals):
        x = DualArray(DualArray(np.eye(3), e1, tag=new_tag()), e2, tag=new_tag())
        with pytest.raises(NotImplementedError, match="second derivatives"):
            func(x)


def _logdet_hessian(x):
    """d²/dX² log det(S), S = the lower-triangle completion eigvalsh reads: −tr(S⁻¹ U S⁻¹ V)."""
    n = x.shape[0]
    si = np.linalg.inv(x)
    units = []
    for i in range(n * n):
        u = np.zeros(n * n)
        u[i] = 1.0
        u = u.reshape(n, n)
        low = np.tril(u, -1)
        units.append(low + low.T + np.diag(np.diag(u)))
    h = np.array([[-np.trace(si @ u @ si @ v) for v in units] for u in units])
    return h.reshape(n, n, n, n)


def test_second_order_just_off_a_repeat_is_exact():
    # a split of 1e-3 is a distinct eigenvalue: the Hessian is exact there (closed forms)
    x = np.diag([2.0, 2.001, 1.0, 3.0])
    h = dualarray.hessian(SECOND_ORDER["logdet_eigvalsh"])(x)
    np.testing.assert_allclose(h, _logdet_hessian(x), rtol=1e-8, atol=1e-8)
    h = dualarray.hessian(SECOND_ORDER["frobenius_svdvals"])(x)
    np.testing.assert_allclose(h.reshape(16, 16), 2 * np.eye(16), atol=1e-8)


def test_second_order_at_a_repeat_is_refused_even_off_the_cluster():
    # even a direction that never touches the repeated block is refused at second order (conservative)
    x = np.diag([2.0, 2.0, 1.0])
    e = np.zeros((3, 3))
    e[2, 2] = 1.0
    nested = DualArray(DualArray(x, e, tag=new_tag()), e, tag=new_tag())
    with pytest.raises(NotImplementedError, match="second derivatives"):
        np.linalg.eigvalsh(nested)
