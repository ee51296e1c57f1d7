"""``scipy.ndimage`` with derivatives: ``from dualarray.scipy import ndimage``.

Each function takes SciPy's arguments (by position or keyword) and returns SciPy's exact result for
plain inputs. With DualArrays the value is SciPy's and the derivative is a composition of gathers,
sums and products that have rules (so forward, nested, reverse mode and sparsity detection all work);
SciPy is never called on a tangent.

**Linear filters** (``correlate``, ``convolve``, their 1-D forms and every filter built on them):

    y[i] = Σ_j w[j] · x[e(i + j - c)],    c = len(w) // 2 + origin

with ``e`` SciPy's boundary rule as a gather index (``n`` = the axis length; ``constant`` reads a
sentinel element holding ``cval``):

    reflect  d c b a | a b c d | d c b a      k ↦ k mod 2n, folded
    mirror     d c b | a b c d | c b a        k ↦ k mod (2n - 2), folded (n = 1: nearest)
    nearest  a a a a | a b c d | d d d d      wrap  a b c d | a b c d | a b c d

Derivatives in ``x`` and in the weights (``correlate``, ``convolve``, ``correlate1d``, ``convolve1d``),
and in ``sigma`` for the Gaussian filters (the kernel ``exp(-k²/2σ²)/Σ``, times SciPy's Hermite factor
for ``order > 0``, is computed from σ; its radius ``int(truncate·σ + 0.5)`` is piecewise constant).

**Interpolation** (``map_coordinates``, ``shift``, ``zoom``, ``rotate``, ``affine_transform``), every
``order`` 0–5 and every mode, as SciPy's C code does it:

    y(p) = Σ_corners Π_d β_d(t_d) · c[corner],    c = P x

``P`` is SciPy's spline prefilter (``order > 1`` and ``prefilter``; after its 12-element pre-padding for
``nearest``/``grid-constant``), one matrix per axis read off by applying ``spline_filter1d`` to the identity.
``t_d = m(p_d) - ⌊m(p_d)⌋`` is the coordinate's offset in its cell after SciPy's mapping ``m`` into the
array (a reflection flips the sign of ``∂t/∂p``), ``β_d`` the B-spline weights (polynomials in ``t``)
and the corners SciPy's, with its boundary rule for the spline's support. Derivatives in ``x`` and in
the coordinates: ``coordinates``, the ``shift``, the ``angle`` of ``rotate``, the ``matrix`` and ``offset``
of ``affine_transform``. ``zoom``'s factor enters only through the output shape: its derivative is zero.

**Kinks.** The interpolant is a piecewise polynomial: at a coordinate exactly on a knot (an integer for
odd orders, a half-integer for even orders) the derivative is the one of the cell SciPy picks there
(``⌊·⌋``: the right-hand derivative); ``order=0`` has zero derivative in the coordinates. In
``constant`` mode the value jumps to ``cval`` outside ``[0, n - 1]``; folds of reflect/mirror/wrap are
kinks too. ``cval`` and ``output=`` arrays carry no derivative: a DualArray there raises.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.ndimage as _nd

from .._core import DualArray, strip_all
from ..rules.special import sc as _ufuncs  # the ufuncs themselves, also under SCIPY_ARRAY_API=1
from . import COUNTERPARTS, counterpart
from ._modes import plain_array as _plain

__all__ = [
    "affine_transform", "convolve", "convolve1d", "correlate", "correlate1d", "gaussian_filter",
    "gaussian_filter1d", "gaussian_laplace", "laplace", "map_coordinates", "prewitt", "rotate", "shift",
    "sobel", "uniform_filter", "uniform_filter1d", "zoom",
]

_FILTER_MODES = {"reflect": "reflect", "grid-mirror": "reflect", "mirror": "mirror", "nearest": "nearest",
                 "wrap": "wrap", "grid-wrap": "wrap", "constant": "constant", "grid-constant": "constant"}
_SPLINE_MODES = {"reflect", "grid-mirror", "mirror", "nearest", "wrap", "grid-wrap", "constant", "grid-constant"}


def _real_dtype(x: Any) -> np.dtype:
    """float32 for single-precision inputs, float64 otherwise (the tangent keeps the input's precision)."""
    return np.finfo(np.result_type(_plain(x), np.float32)).dtype


def _per_axis(v: Any, n: int) -> list[Any]:
    """SciPy's ``_normalize_sequence``: a scalar (or 0-d DualArray) repeated, or one entry per axis."""
    if isinstance(v, str) or (isinstance(v, DualArray) and np.ndim(strip_all(v)) == 0) or not np.iterable(v):
        return [v] * n
    items = [v[i] for i in range(len(v))] if isinstance(v, DualArray) else list(v)
    if len(items) != n:
        raise RuntimeError("sequence argument must have length equal to input rank")
    return items


def _axes(axes: Any, ndim: int) -> tuple[int, ...]:
    if axes is None:
        return tuple(range(ndim))
    return tuple(int(a) % ndim for a in (axes if np.iterable(axes) else (axes,)))


def _holds_dual(v: Any) -> bool:
    return isinstance(v, DualArray) or (isinstance(v, list | tuple) and any(_holds_dual(i) for i in v))


def _counterpart(scipy_func: Callable[..., Any], differentiable: Sequence[str]) -> Callable[..., Any]:
    """The counterpart of ``scipy_func`` from ``jvp``, registered; ``differentiable`` arguments may be given
    by keyword (they are passed on by position), a DualArray anywhere else raises NotImplementedError."""
    sig = inspect.signature(scipy_func)
    names = list(sig.parameters)
    lead = names[:max(names.index(n) for n in differentiable) + 1]
    where = f"dualarray.scipy.ndimage.{scipy_func.__name__}"

    def build(jvp: Callable[..., Any]) -> Callable[..., Any]:
        core = counterpart(scipy_func, "ndimage", registered=False)(jvp)

        @functools.wraps(core)
        def call(*args: Any, **kwargs: Any) -> Any:
            if not any(_holds_dual(a) for a in (*args, *kwargs.values())):
                return scipy_func(*args, **kwargs)
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            rest: dict[str, Any] = {}
            for key, v in bound.arguments.items():
                if sig.parameters[key].kind is inspect.Parameter.VAR_KEYWORD:
                    rest.update(v)
                elif key not in lead:
                    rest[key] = v
            for key, v in [*((n, bound.arguments[n]) for n in lead), *rest.items()]:
                if key not in differentiable and _holds_dual(v):
                    raise NotImplementedError(f"{where}: no derivative in {key}= (it takes a plain value); "
                                              f"derivatives are in {', '.join(differentiable)}")
                if isinstance(v, list | tuple) and _holds_dual(v):
                    raise TypeError(f"{where}: {key}= is a list holding DualArrays; pass one array (np.stack)")
            if isinstance(rest.get("output"), np.ndarray):
                raise NotImplementedError(f"{where}: output= arrays cannot hold a DualArray result; leave "
                                          "output=None (or pass a dtype) and use the returned array")
            return core(*(bound.arguments[n] for n in lead), **rest)

        call.__module__ = "dualarray.scipy.ndimage"
        COUNTERPARTS[scipy_func] = call
        return call

    return build


# ================================================================================ linear filters
def _filter_index(k: np.ndarray, n: int, mode: str) -> np.ndarray:
    """Where the extended line's element ``k`` is read from (``n``: the ``cval`` sentinel) — SciPy's
    ``NI_ExtendLine`` in closed form."""
    mode = _FILTER_MODES[mode]
    if mode == "nearest" or (mode == "mirror" and n == 1):
        return np.clip(k, 0, n - 1)
    if mode == "wrap":
        return k % n
    if mode == "reflect":
        m = k % (2 * n)
        return np.where(m >= n, 2 * n - 1 - m, m)
    if mode == "mirror":
        m = k % (2 * n - 2)
        return np.where(m >= n, 2 * n - 2 - m, m)
    return np.where((k < 0) | (k >= n), n, k)


def _weights_like(w: Any, x: Any, conj: bool) -> Any:
    """Plain weights in the input's precision (SciPy conjugates complex correlation weights)."""
    if isinstance(w, DualArray):
        return np.conj(w) if conj and np.iscomplexobj(strip_all(w)) else w
    w = np.asarray(w)
    if np.iscomplexobj(w):
        return np.conj(w) if conj else w
    return w.astype(_real_dtype(x))


def _extended(flat: Any, mode: str, cval: Any, x: Any) -> Any:
    """``flat`` (last axis: the gathered one) with the ``cval`` sentinel appended in constant mode."""
    if _FILTER_MODES.get(mode, mode) != "constant":
        return flat
    sentinel = np.full((*np.shape(_plain(flat))[:-1], 1), cval, dtype=np.result_type(_plain(x), np.float32))
    return np.concatenate([flat, sentinel], axis=-1)


def _correlate1d(x: Any, w: Any, axis: int, mode: str, cval: Any, origin: int, conj: bool = True) -> Any:
    """``y[i] = Σ_j w[j] x[e(i + j - c)]`` along ``axis``: one gather and one product with the weights."""
    n = np.shape(_plain(x))[axis]
    size = np.shape(_plain(w))[0]
    k = np.arange(n)[:, None] + np.arange(size) - (size // 2 + origin)
    line = _extended(np.moveaxis(x, axis, -1), mode, cval, x)
    out = np.take(line, _filter_index(k, n, mode), axis=-1) @ _weights_like(w, x, conj)
    return np.moveaxis(out, -1, axis)


def _correlate(x: Any, w: Any, mode: str, cval: Any, origin: Any, axes: Any, convolution: bool) -> Any:
    """``y[i] = Σ_j w[j] x[e(i + j - c)]`` over a multi-index: one gather of the flattened ``x``."""
    shape = np.shape(_plain(x))
    ndim = len(shape)
    axes = _axes(axes, ndim)
    if np.ndim(_plain(w)) < ndim:
        w = np.expand_dims(w, tuple(a for a in range(ndim) if a not in axes))
    origins = [0] * ndim
    for o, a in zip(_per_axis(origin, len(axes)), axes, strict=True):
        origins[a] = int(o)
    wshape = np.shape(_plain(w))
    if convolution:
        w = np.flip(w)
        origins = [-o - (1 - s % 2) for o, s in zip(origins, wshape, strict=True)]
    index = np.zeros((1,) * 2 * ndim, dtype=np.intp)
    outside = np.zeros((1,) * 2 * ndim, dtype=bool)
    stride = 1
    for d in reversed(range(ndim)):
        k = np.arange(shape[d])[:, None] + np.arange(wshape[d]) - (wshape[d] // 2 + origins[d])
        e = _filter_index(k, shape[d], mode)
        view = [1] * 2 * ndim
        view[d], view[ndim + d] = shape[d], wshape[d]
        outside = outside | (e == shape[d]).reshape(view)
        index = index + (np.minimum(e, shape[d] - 1) * stride).reshape(view)
        stride *= shape[d]
    index = np.where(outside, stride, index)
    flat = _extended(np.reshape(x, (-1,)), mode, cval, x)
    gathered = np.reshape(np.take(flat, index), (*shape, -1))
    return gathered @ np.reshape(_weights_like(w, x, not convolution), (-1,))


def _gaussian_kernel1d(sigma: Any, order: int, radius: int) -> Any:
    """SciPy's kernel from σ (a DualArray carries its derivative): ``q(k) · exp(-k²/2σ²) / Σ``, where
    ``q`` follows ``q ← q' + q·p'`` with ``p' = -k/σ²`` (the ``order``-th derivative of the Gaussian)."""
    if order < 0:
        raise ValueError("order must be non-negative")
    k = np.arange(-radius, radius + 1).astype(float)
    inv = 1.0 / (sigma * sigma)
    phi = np.exp(-0.5 * inv * k ** 2)
    phi = phi / np.sum(phi)
    if order == 0:
        return phi
    q: list[Any] = [1.0] + [0.0] * order  # coefficients of q, lowest power first
    for _ in range(order):
        q = [((i + 1) * q[i + 1] if i < order else 0.0) + (-inv * q[i - 1] if i > 0 else 0.0)
             for i in range(order + 1)]
    poly = sum(q[i] * k ** i for i in range(order + 1))
    return poly * phi


def _gaussian1d(x: Any, sigma: Any, axis: int, order: int, mode: str, cval: Any, truncate: float,
                radius: int | None) -> Any:
    lw = int(truncate * float(_plain(sigma)) + 0.5) if radius is None else radius
    return _correlate1d(x, _gaussian_kernel1d(sigma, order, lw)[::-1], axis, mode, cval, 0)


def _gaussian(x: Any, sigma: Any, order: Any, mode: Any, cval: Any, truncate: float, radius: Any,
              axes: Any) -> Any:
    axes = _axes(axes, np.ndim(_plain(x)))
    n = len(axes)
    rows = zip(axes, _per_axis(sigma, n), _per_axis(order, n), _per_axis(mode, n), _per_axis(radius, n),
               strict=True)
    for axis, s, o, m, r in rows:
        if float(_plain(s)) > 1e-15:
            x = _gaussian1d(x, s, axis, int(o), m, cval, truncate, r)
    return x


@_counterpart(_nd.correlate1d, ("input", "weights"))
def correlate1d(input: Any, weights: Any, *, axis: int = -1, mode: Any = "reflect", cval: float = 0.0, origin: Any = 0,
                **_: Any) -> Any:
    """``y[i] = Σ_j w̄[j]·x[e(i + j - len(w)//2 - origin)]`` (w̄: conjugated if complex); derivatives in ``input``
    and ``weights``."""
    return _correlate1d(input, weights, int(axis) % np.ndim(_plain(input)), mode, cval, int(origin))


@_counterpart(_nd.convolve1d, ("input", "weights"))
def convolve1d(input: Any, weights: Any, *, axis: int = -1, mode: Any = "reflect", cval: float = 0.0, origin: Any = 0,
               **_: Any) -> Any:
    """Correlation with the reversed weights (origin ``-origin``, one less for even lengths, as SciPy);
    derivatives in ``input`` and ``weights``."""
    size = np.shape(_plain(weights))[0]
    origin = -int(origin) - (1 - size % 2)
    return _correlate1d(input, weights[::-1], int(axis) % np.ndim(_plain(input)), mode, cval, origin, conj=False)


@_counterpart(_nd.correlate, ("input", "weights"))
def correlate(input: Any, weights: Any, *, mode: Any = "reflect", cval: float = 0.0, origin: Any = 0, axes: Any = None,
              **_: Any) -> Any:
    """``y[i] = Σ_j w̄[j]·x[e(i + j - c)]`` over multi-indices (one gather); derivatives in ``input`` and ``weights``."""
    return _correlate(input, weights, mode, cval, origin, axes, convolution=False)


@_counterpart(_nd.convolve, ("input", "weights"))
def convolve(input: Any, weights: Any, *, mode: Any = "reflect", cval: float = 0.0, origin: Any = 0, axes: Any = None,
             **_: Any) -> Any:
    """Correlation with the flipped weights; derivatives in ``input`` and ``weights``."""
    return _correlate(input, weights, mode, cval, origin, axes, convolution=True)


@_counterpart(_nd.uniform_filter1d, ("input",))
def uniform_filter1d(input: Any, *, size: int, axis: int = -1, mode: str = "reflect", cval: float = 0.0,
                     origin: int = 0, **_: Any) -> Any:
    """Derivative in ``input``: correlation with ``size`` weights ``1/size``."""
    return _correlate1d(input, np.full(int(size), 1.0 / int(size)), int(axis) % np.ndim(_plain(input)), mode,
                        cval, int(origin))


@_counterpart(_nd.uniform_filter, ("input",))
def uniform_filter(input: Any, *, size: Any = 3, mode: Any = "reflect", cval: float = 0.0, origin: Any = 0,
                   axes: Any = None, **_: Any) -> Any:
    """Derivative in ``input``: one 1-D uniform filter per axis of size > 1."""
    axes = _axes(axes, np.ndim(_plain(input)))
    n = len(axes)
    for axis, s, o, m in zip(axes, _per_axis(size, n), _per_axis(origin, n), _per_axis(mode, n), strict=True):
        if s > 1:
            input = _correlate1d(input, np.full(int(s), 1.0 / int(s)), axis, m, cval, int(o))
    return input


@_counterpart(_nd.gaussian_filter1d, ("input", "sigma"))
def gaussian_filter1d(input: Any, sigma: Any, *, axis: int = -1, order: int = 0, mode: str = "reflect",
                      cval: float = 0.0, truncate: float = 4.0, radius: int | None = None, **_: Any) -> Any:
    """Correlation with SciPy's kernel computed from σ; derivatives in ``input`` and ``sigma``."""
    return _gaussian1d(input, sigma, int(axis) % np.ndim(_plain(input)), int(order), mode, cval, truncate, radius)


@_counterpart(_nd.gaussian_filter, ("input", "sigma"))
def gaussian_filter(input: Any, sigma: Any, *, order: Any = 0, mode: Any = "reflect", cval: float = 0.0,
                    truncate: float = 4.0, radius: Any = None, axes: Any = None, **_: Any) -> Any:
    """One 1-D Gaussian per axis with σ > 1e-15; derivatives in ``input`` and ``sigma`` (a scalar or one per axis)."""
    return _gaussian(input, sigma, order, mode, cval, truncate, radius, axes)


def _edge(x: Any, axis: int, mode: Any, cval: Any, smooth: list[float]) -> Any:
    ndim = np.ndim(_plain(x))
    axis = int(axis) % ndim
    modes = _per_axis(mode, ndim)
    out = _correlate1d(x, np.array([-1.0, 0.0, 1.0]), axis, modes[axis], cval, 0)
    for ii in range(ndim):
        if ii != axis:
            out = _correlate1d(out, np.array(smooth), ii, modes[ii], cval, 0)
    return out


@_counterpart(_nd.sobel, ("input",))
def sobel(input: Any, *, axis: int = -1, mode: Any = "reflect", cval: float = 0.0, **_: Any) -> Any:
    """Derivative in ``input``: ``[-1, 0, 1]`` along ``axis``, ``[1, 2, 1]`` along the others."""
    return _edge(input, axis, mode, cval, [1.0, 2.0, 1.0])


@_counterpart(_nd.prewitt, ("input",))
def prewitt(input: Any, *, axis: int = -1, mode: Any = "reflect", cval: float = 0.0, **_: Any) -> Any:
    """Derivative in ``input``: ``[-1, 0, 1]`` along ``axis``, ``[1, 1, 1]`` along the others."""
    return _edge(input, axis, mode, cval, [1.0, 1.0, 1.0])


@_counterpart(_nd.laplace, ("input",))
def laplace(input: Any, *, mode: Any = "reflect", cval: float = 0.0, axes: Any = None, **_: Any) -> Any:
    """Derivative in ``input``: ``Σ_axes [1, -2, 1]``."""
    axes = _axes(axes, np.ndim(_plain(input)))
    if not axes:
        return input
    modes = _per_axis(mode, len(axes))
    terms = [_correlate1d(input, np.array([1.0, -2.0, 1.0]), a, m, cval, 0) for a, m in zip(axes, modes, strict=True)]
    return functools.reduce(lambda a, b: a + b, terms)


@_counterpart(_nd.gaussian_laplace, ("input", "sigma"))
def gaussian_laplace(input: Any, sigma: Any, *, mode: Any = "reflect", cval: float = 0.0, axes: Any = None,
                     **kwargs: Any) -> Any:
    """Derivatives in ``input`` and ``sigma``: ``Σ_axes`` Gaussian second derivatives (``truncate``, ``radius``
    as SciPy passes them on)."""
    ndim = np.ndim(_plain(input))
    axes = _axes(axes, ndim)
    if not axes:
        return input
    sigmas: list[Any] = [0.0] * ndim
    for s, a in zip(_per_axis(sigma, len(axes)), axes, strict=True):
        sigmas[a] = s
    modes = _per_axis(mode, len(axes))
    truncate, radius = kwargs.get("truncate", 4.0), kwargs.get("radius")
    terms = []
    for a, m in zip(axes, modes, strict=True):
        order = [0] * ndim
        order[a] = 2
        terms.append(_gaussian(input, sigmas, order, m, cval, truncate, radius, None))
    return functools.reduce(lambda p, q: p + q, terms)


# ================================================================================= interpolation
def _map_coordinate(c: np.ndarray, n: int, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """SciPy's ``map_coordinate``: ``c`` folded into the array (``-1``: outside, constant mode), and the sign
    of the fold's slope ``∂m/∂c`` (0 where ``m`` is constant)."""
    c = np.asarray(c, dtype=np.float64)
    lo, hi = c < 0, c > n - 1
    m, s = c.copy(), np.ones_like(c)
    if mode == "constant":
        m[lo | hi], s[lo | hi] = -1.0, 0.0
        return m, s
    if mode == "nearest":
        m[lo], m[hi], s[lo | hi] = 0.0, n - 1.0, 0.0
        return m, s
    if n <= 1:
        m[lo | hi], s[lo | hi] = 0.0, 0.0
        return m, s
    with np.errstate(invalid="ignore", divide="ignore"):
        if mode == "mirror":
            sz2 = 2 * n - 2
            a = sz2 * np.trunc(-c / sz2) + c
            b = c - sz2 * np.trunc(c / sz2)
            low, low_s = np.where(a <= 1 - n, a + sz2, -a), np.where(a <= 1 - n, 1.0, -1.0)
            high, high_s = np.where(b >= n, sz2 - b, b), np.where(b >= n, -1.0, 1.0)
        elif mode in ("reflect", "grid-mirror"):
            sz2 = 2 * n
            a = np.where(c < -sz2, sz2 * np.trunc(-c / sz2) + c, c)
            b = c - sz2 * np.trunc(c / sz2)
            low = np.where(a < -n, a + sz2, np.where(a > -1e-15, 1e-15, -a) - 1)
            low_s = np.where(a < -n, 1.0, -1.0)
            high, high_s = np.where(b >= n, sz2 - b - 1, b), np.where(b >= n, -1.0, 1.0)
        elif mode == "wrap":
            low, high = c + (n - 1) * (np.trunc(-c / (n - 1)) + 1), c - (n - 1) * np.trunc(c / (n - 1))
            low_s = high_s = s
        else:  # grid-wrap
            low, high = c + n * (np.trunc((-1 - c) / n) + 1), c - n * np.trunc(c / n)
            low_s = high_s = s
    return np.where(lo, low, np.where(hi, high, c)), np.where(lo, low_s, np.where(hi, high_s, s))


def _spline_weights(t: Any, order: int) -> list[Any]:
    """SciPy's B-spline weights at offset ``t`` from the middle knot (the last one: 1 - the others)."""
    if order == 1:
        w = [1.0 - t]
    elif order == 2:
        y = 0.5 - t
        w = [0.5 * y * y, 0.75 - t * t]
    elif order == 3:
        z = 1.0 - t
        w = [z * z * z / 6.0, (t * t * (t - 2.0) * 3.0 + 4.0) / 6.0, (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0]
    elif order == 4:
        outer4 = lambda y: y * (y * (y * (5.0 - y) / 6.0 - 1.25) + 5.0 / 24.0) + 55.0 / 96.0
        h, sq = 0.5 - t, t * t
        w = [h * h * h * h / 24.0, outer4(1.0 + t), sq * (sq * 0.25 - 0.625) + 115.0 / 192.0, outer4(1.0 - t)]
    else:
        outer5 = lambda y: y * (y * (y * (y * (y / 24.0 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425
        inner5 = lambda y: y * y * (y * y * (0.25 - y / 12.0) - 0.5) + 0.55
        u = 1.0 - t
        w = [u * u * u * u * u / 120.0, outer5(1.0 + t), inner5(t), inner5(u), outer5(2.0 - t)]
    return [*w, 1.0 - functools.reduce(lambda a, b: a + b, w)]


@functools.lru_cache(maxsize=64)
def _prefilter_matrix(n: int, order: int, mode: str) -> np.ndarray:
    """``P`` with ``spline_filter1d(x) = P @ x`` along an axis of length ``n`` (SciPy's filter of the identity)."""
    p = _nd.spline_filter1d(np.eye(n), order, axis=0, output=np.float64, mode=mode)
    p.flags.writeable = False
    return p


def _outer(a: Any, b: Any, op: Callable[[Any, Any], Any], corner: bool = True) -> Any:
    """``op`` of ``a`` and ``b`` broadcast; with ``corner`` the last axes (the spline's corners) form an outer
    product, flattened."""
    if a is None:
        return b
    if not corner:
        return op(a, b)
    joint = op(b[..., :, None], a[..., None, :])
    return np.reshape(joint, (*np.shape(strip_all(joint))[:-2], -1))


def _interpolate(x: Any, coords: Sequence[Any], order: int, mode: str, cval: Any, prefilter: bool) -> Any:
    """``y(p) = Σ_corners Π_d β_d(t_d) c[corner]`` over the last ``len(coords)`` axes of ``x`` (the others are
    batch axes); ``coords[d]``: the coordinates along axis d, broadcasting to the output's shape."""
    if mode not in _SPLINE_MODES:
        raise RuntimeError("boundary mode not supported")
    ndim = len(coords)
    nb = np.ndim(_plain(x)) - ndim
    c, npad = x, 0
    if prefilter and order > 1:
        if mode in ("nearest", "grid-constant"):
            npad = 12
            width = [(0, 0)] * nb + [(npad, npad)] * ndim
            c = np.pad(c, width, mode="edge") if mode == "nearest" else np.pad(c, width, constant_values=cval)
        for ax in range(nb, nb + ndim):
            p = _prefilter_matrix(np.shape(_plain(c))[ax], order, mode).astype(_real_dtype(x))
            c = np.moveaxis(np.moveaxis(c, ax, -1) @ p.T, -1, ax)
    shape = np.shape(_plain(c))[nb:]
    edge_mode = "mirror" if mode in ("constant", "wrap") else mode
    index = weight = bad = outside = None
    stride = 1
    for d in reversed(range(ndim)):
        n, cd = shape[d], coords[d]
        cp = np.asarray(_plain(cd), dtype=np.float64) + npad
        m, sign = (cp, np.ones_like(cp)) if mode in ("grid-constant", "nearest") else _map_coordinate(cp, n, mode)
        outside = _outer(outside, m <= -1.0, np.logical_or, corner=False)
        base = np.floor(m) if order % 2 else np.floor(m + 0.5)
        corners = base.astype(np.intp)[..., None] - order // 2 + np.arange(order + 1)
        if mode == "grid-constant":
            bad = _outer(bad, (corners < 0) | (corners >= n), np.logical_or)
            corners = np.clip(corners, 0, n - 1)
        else:
            corners = _map_coordinate(corners, n, edge_mode)[0].astype(np.intp)
        index = _outer(index, corners * stride, np.add)
        stride *= n
        if order:
            t = m - base
            if isinstance(cd, DualArray):
                t = sign * (cd - strip_all(cd)) + t
            weight = _outer(weight, np.stack(_spline_weights(t, order), axis=-1), np.multiply)
    flat = np.reshape(c, (*np.shape(_plain(c))[:nb], -1))
    if mode == "grid-constant":
        flat = _extended(flat, "constant", cval, x)
        index = np.where(bad, stride, index)
    gathered = np.take(flat, index, axis=-1)
    y = gathered[..., 0] if weight is None else np.sum(gathered * weight, axis=-1)
    if mode == "constant" and outside.any():
        y = np.where(outside, np.asarray(cval, dtype=np.result_type(_plain(x), np.float32)), y)
    return y


def _axis_view(v: Any, d: int, ndim: int) -> Any:
    """A 1-D array of axis ``d``'s coordinates, shaped to broadcast along that axis."""
    shape = [1] * ndim
    shape[d] = -1
    return np.reshape(v, shape)


@_counterpart(_nd.map_coordinates, ("input", "coordinates"))
def map_coordinates(input: Any, coordinates: Any, *, order: int = 3, mode: str = "constant", cval: float = 0.0,
                    prefilter: bool = True, **_: Any) -> Any:
    """Derivatives in ``input`` and ``coordinates`` (every order; a coordinate on a knot: the right-hand
    derivative)."""
    ndim = np.ndim(_plain(input))
    return _interpolate(input, [coordinates[d] for d in range(ndim)], int(order), mode, cval, prefilter)


@_counterpart(_nd.shift, ("input", "shift"))
def shift(input: Any, shift: Any, *, order: int = 3, mode: str = "constant", cval: float = 0.0, prefilter: bool = True,
          **_: Any) -> Any:
    """Derivatives in ``input`` and ``shift``: ``y[k] = x(k - s)``."""
    shape = np.shape(_plain(input))
    coords = [_axis_view(np.arange(n, dtype=np.float64) + (-s), d, len(shape))
              for d, (n, s) in enumerate(zip(shape, _per_axis(shift, len(shape)), strict=True))]
    return _interpolate(input, coords, int(order), mode, cval, prefilter)


@_counterpart(_nd.zoom, ("input", "zoom"))
def zoom(input: Any, zoom: Any, *, order: int = 3, mode: str = "constant", cval: float = 0.0, prefilter: bool = True,
         grid_mode: bool = False, **_: Any) -> Any:
    """Derivative in ``input``; in ``zoom`` it is zero (the factor only sets the output shape: the sampling
    step is ``(n - 1)/(m - 1)``, or ``n/m`` with ``grid_mode``)."""
    shape = np.shape(_plain(input))
    factors = _per_axis(_plain(zoom) if np.ndim(_plain(zoom)) else float(_plain(zoom)), len(shape))
    out_shape = tuple(int(round(n * z)) for n, z in zip(shape, factors, strict=True))
    if all(z == 1 for z in factors) and prefilter:
        return input
    div, nominator = np.array(out_shape), np.array(shape)
    if not grid_mode:
        div, nominator = div - 1, nominator - 1
    step = np.divide(nominator, div, out=np.ones_like(shape, dtype=np.float64), where=div != 0)
    coords = []
    for d, m in enumerate(out_shape):
        k = np.arange(m, dtype=np.float64)
        coords.append(_axis_view((k + 0.5) * step[d] - 0.5 if grid_mode else k * step[d], d, len(shape)))
    return _interpolate(input, coords, int(order), mode, cval, prefilter)


def _affine_coords(matrix: Any, offset: Any, out_shape: Sequence[int]) -> list[Any]:
    """``p_h = offset_h + Σ_l k_l M[h, l]`` summed in SciPy's order (so the cells are SciPy's)."""
    grids = [_axis_view(np.arange(m, dtype=np.float64), d, len(out_shape)) for d, m in enumerate(out_shape)]
    coords = []
    for h in range(np.shape(_plain(matrix))[0]):
        p = offset[h]
        for ll, g in enumerate(grids):
            p = p + g * matrix[h, ll]
        coords.append(p)
    return coords


@_counterpart(_nd.affine_transform, ("input", "matrix", "offset"))
def affine_transform(input: Any, matrix: Any, offset: Any = 0.0, *, output_shape: Any = None, order: int = 3,
                     mode: str = "constant", cval: float = 0.0, prefilter: bool = True, **_: Any) -> Any:
    """Derivatives in ``input``, ``matrix`` (1-D diagonal, square, or homogeneous) and ``offset``."""
    shape = np.shape(_plain(input))
    ndim = len(shape)
    out_shape = tuple(shape if output_shape is None else output_shape)
    mp = _plain(matrix)
    if mp.ndim == 2 and mp.shape[1] == ndim + 1 and mp.shape[0] in (ndim, ndim + 1):
        offset, matrix = matrix[:ndim, ndim], matrix[:ndim, :ndim]
    offsets = _per_axis(offset, ndim)
    if mp.ndim == 1:
        coords = [_axis_view((np.arange(m, dtype=np.float64) + offsets[d] / matrix[d]) * matrix[d], d, ndim)
                  for d, m in enumerate(out_shape)]
    else:
        coords = _affine_coords(matrix, offsets, out_shape)
    return _interpolate(input, coords, int(order), mode, cval, prefilter)


@_counterpart(_nd.rotate, ("input", "angle"))
def rotate(input: Any, angle: Any, *, axes: Sequence[int] = (1, 0), reshape: bool = True, order: int = 3,
           mode: str = "constant", cval: float = 0.0, prefilter: bool = True, **_: Any) -> Any:
    """Derivatives in ``input`` and ``angle`` (degrees): an affine map with ``[[cos, sin], [-sin, cos]]``
    about the centres; ``reshape``'s output shape is piecewise constant in the angle."""
    shape = np.asarray(np.shape(_plain(input)))
    ndim = len(shape)
    axes = sorted(int(a) % ndim for a in axes)
    c, s = _ufuncs.cosdg(angle), _ufuncs.sindg(angle)
    rot = np.stack([np.stack([c, s]), np.stack([-s, c])])
    in_plane = shape[axes]
    if reshape:
        iy, ix = in_plane
        bounds = _plain(rot) @ [[0, 0, iy, iy], [0, ix, 0, ix]]
        out_plane = (np.ptp(bounds, axis=1) + 0.5).astype(int)
    else:
        out_plane = in_plane
    offset = (in_plane - 1) / 2 - rot @ ((out_plane - 1) / 2)
    moved = np.moveaxis(input, axes, (-2, -1))
    y = _interpolate(moved, _affine_coords(rot, offset, out_plane), int(order), mode, cval, prefilter)
    return np.moveaxis(y, (-2, -1), axes)
