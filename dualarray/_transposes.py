"""The linear primitives of a recorded tangent map: how to apply each one, and its transpose.

A recorded map (see :mod:`dualarray._linear`) is a graph of :class:`Node` objects. Each node has a
``kind`` (a key of :data:`TRANSPOSES`, the NumPy callable where there is one), its parent nodes (the
traced operands; ``None`` for a symbolic zero), the shapes and dtypes of all its traced operands, and
``params``: the constants it was recorded with (coefficients, masks, index maps, axes).

``APPLY[kind](node, *values)`` runs the primitive forward with NumPy (the same call the rule made).
``TRANSPOSES[kind](node, g, nb)`` returns one cotangent contribution per parent (``None`` for none),
for the real inner product ``<u, v> = Re sum(conj(u) * v)``:

    Re <L v, g> == Re <v, L^T g>    for every v and g.

``g`` has ``nb`` extra *leading* batch axes (m cotangents in one pass), so every rule here uses
negative axes and allocates with ``np.zeros_like(g, shape=...)``, never ``np.zeros``: cotangents may
be DualArrays (forward-over-reverse). Contributions are cast to the parent's dtype by the backward
pass (a real parent takes the real part), so rules need not care about dtypes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _directions as dirs

LEAF = "leaf"
ZERO = "zero"

_ids = itertools.count()


class Node:
    """One recorded operation: ``kind(parents, **params)`` with value shape ``shape`` and ``dtype``."""

    __slots__ = ("kind", "parents", "inputs", "shape", "dtype", "params", "id")

    def __init__(self, kind: Any, parents: tuple, inputs: tuple, shape: tuple, dtype: np.dtype, params: dict):
        self.kind = kind
        self.parents = parents  # Node or None (a symbolic zero operand) per traced operand
        self.inputs = inputs  # (shape, dtype) per traced operand, zero or not
        self.shape = shape
        self.dtype = dtype
        self.params = params
        self.id = next(_ids)  # parents always have smaller ids: id order is a topological order

    def __repr__(self) -> str:
        kind = getattr(self.kind, "__name__", self.kind)
        return f"Node({kind}, shape={self.shape}, dtype={self.dtype})"


APPLY: dict[Any, Callable[..., Any]] = {}
TRANSPOSES: dict[Any, Callable[[Node, Any, int], tuple]] = {}


def primitive(kind: Any, apply: Callable[..., Any]) -> Callable:
    """Register ``apply`` and the decorated transpose for ``kind``."""

    def register(transpose: Callable) -> Callable:
        APPLY[kind] = apply
        TRANSPOSES[kind] = transpose
        return transpose

    return register


# ---------------------------------------------------------------------------------------- helpers
def _zeros(g: Any, nb: int, shape: tuple, dtype: Any = None) -> Any:
    """Zeros of shape ``(*batch, *shape)`` of the cotangent's array type."""
    return np.zeros_like(g, shape=(*g.shape[:nb], *shape), dtype=g.dtype if dtype is None else dtype)


def _unbroadcast(x: Any, nb: int, shape: tuple) -> Any:
    """Sum ``x`` of shape ``(*batch, *broadcast)`` down to ``(*batch, *shape)`` (undo broadcasting)."""
    extra = x.ndim - nb - len(shape)
    if extra:
        x = np.sum(x, axis=tuple(range(nb, nb + extra)))
    ones = tuple(nb + i for i, n in enumerate(shape) if n == 1 and x.shape[nb + i] != 1)
    if ones:
        x = np.sum(x, axis=ones, keepdims=True)
    return x


def _conj(c: Any) -> Any:
    return np.conjugate(c) if np.iscomplexobj(c) else c


def _masked(g: Any, r: Any) -> Any:
    """``r`` with 0 where ``g == 0`` when ``r`` has non-finite entries (0 * inf := 0, design 3.9)."""
    if np.all(np.isfinite(r)):
        return r
    return np.where(np.equal(g, 0), 0, r)


def _inverse(perm: tuple) -> tuple:
    return tuple(int(i) for i in np.argsort(perm))


def _batched_perm(perm: tuple, nb: int) -> tuple:
    return (*range(nb), *(nb + p for p in perm))


def _along(axis: int, item: Any) -> tuple:
    """Index ``item`` along the negative ``axis`` (batch axes untouched)."""
    return (Ellipsis, item) + (slice(None),) * (-axis - 1)


def _fit(x: Any, axis: int, length: int) -> Any:
    """Crop or zero-pad ``x`` along ``axis`` to ``length`` (the transpose of the FFTs' ``n=``)."""
    have = x.shape[axis]
    if have == length:
        return x
    if have > length:
        return x[_along(axis, slice(0, length))]
    shape = list(x.shape)
    shape[axis] = length
    z = np.zeros_like(x, shape=tuple(shape))
    z[_along(axis, slice(0, have))] = x
    return z


def _zero_value(node: Node, i: int, values: tuple) -> Any:
    """The value of operand ``i`` (zeros of its shape and dtype when it is a symbolic zero)."""
    v = values[i]
    if v is not None:
        return v
    shape, dtype = node.inputs[i]
    like = next(x for x in values if x is not None)
    return np.zeros_like(like, shape=shape, dtype=dtype)


# ------------------------------------------------------------------ scaling by a constant coefficient
def _apply_scale(node: Node, v: Any) -> Any:
    c = node.params["coef"]  # the operand order of the rule (complex products may use FMA)
    return np.multiply(v, c) if node.params["lin_first"] else np.multiply(c, v)


def _apply_masked_scale(node: Node, v: Any) -> Any:
    return dirs.scale_finite(node.params["coef"], v)


@primitive(np.multiply, _apply_scale)
def _scale_t(node: Node, g: Any, nb: int) -> tuple:
    # y = c·x  ⇒  x̄ = unbroadcast(conj(c)·ḡ), with 0·inf := 0 where ḡ = 0 (an unused branch of a
    # np.where must not turn an infinite coefficient into NaN, design §3.9)
    c = node.params["coef"]
    finite = node.params.get("finite")
    if finite is None:
        finite = node.params["finite"] = bool(np.all(np.isfinite(c)))
    if finite:
        r = _conj(c) * g
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            r = np.where(np.equal(g, 0), 0, _conj(c) * g)
    return (_unbroadcast(r, nb, node.inputs[0][0]),)


# y = c·x where x ≠ 0, 0 where x = 0 (dirs.scale_finite, design §1b N1): the same transpose
primitive("masked_scale", _apply_masked_scale)(_scale_t)


@primitive(np.divide, lambda node, v: np.divide(v, node.params["coef"]))
def _divide_t(node: Node, g: Any, nb: int) -> tuple:
    # y = x/d  ⇒  x̄ = unbroadcast(ḡ/conj(d))
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        r = _masked(g, g / _conj(node.params["coef"]))
    return (_unbroadcast(r, nb, node.inputs[0][0]),)


@primitive(np.ldexp, lambda node, v: np.ldexp(v, node.params["exponent"]))
def _ldexp_t(node: Node, g: Any, nb: int) -> tuple:
    # y = x·2^e  ⇒  x̄ = ḡ·2^e (exact)
    return (_unbroadcast(np.ldexp(g, node.params["exponent"]), nb, node.inputs[0][0]),)


# ---------------------------------------------------------------------- sums of traced operands
@primitive(np.add, lambda node, a, b: np.add(a, b))
def _add_t(node: Node, g: Any, nb: int) -> tuple:
    return tuple(_unbroadcast(g, nb, shape) for shape, _ in node.inputs)


@primitive(np.subtract, lambda node, a, b: np.subtract(a, b))
def _subtract_t(node: Node, g: Any, nb: int) -> tuple:
    (sa, _), (sb, _) = node.inputs
    return _unbroadcast(g, nb, sa), _unbroadcast(np.negative(g), nb, sb)


@primitive(np.negative, lambda node, v: np.negative(v))
def _negative_t(node: Node, g: Any, nb: int) -> tuple:
    return (np.negative(g),)


# ------------------------------------------------------------------------ complex parts and casts
@primitive(np.conjugate, lambda node, v: np.conjugate(v))
def _conjugate_t(node: Node, g: Any, nb: int) -> tuple:
    return (np.conjugate(g),)


@primitive(np.real, lambda node, v: np.real(v))
def _real_t(node: Node, g: Any, nb: int) -> tuple:
    # y = Re x  ⇒  x̄ = ḡ + 0i (the backward pass casts to the complex parent)
    return (g,)


@primitive(np.imag, lambda node, v: np.imag(v))
def _imag_t(node: Node, g: Any, nb: int) -> tuple:
    # y = Im x  ⇒  x̄ = i·ḡ   (Re conj(iḡ)·x = ḡ·Im x)
    return (1j * g,)


@primitive("astype", lambda node, v: v.astype(node.dtype))
def _astype_t(node: Node, g: Any, nb: int) -> tuple:
    # a cast back to the parent's dtype (complex to real: Re), done by the backward pass
    return (g,)


# -------------------------------------------------------------------------- shape and axis order
@primitive(np.reshape, lambda node, v: np.reshape(v, node.shape, order=node.params["order"]))
def _reshape_t(node: Node, g: Any, nb: int) -> tuple:
    shape = node.inputs[0][0]
    batch = g.shape[:nb]
    if node.params["order"] == "C" or nb == 0:
        return (np.reshape(g, (*batch, *shape), order=node.params["order"]),)
    # order='F' would mix the batch axes in: move them last (slowest in F order), reshape, move back
    last = tuple(range(-nb, 0))
    moved = np.reshape(np.moveaxis(g, tuple(range(nb)), last), (*shape, *batch), order="F")
    return (np.moveaxis(moved, last, tuple(range(nb))),)


@primitive(np.transpose, lambda node, v: np.transpose(v, node.params["perm"]))
def _transpose_t(node: Node, g: Any, nb: int) -> tuple:
    return (np.transpose(g, _batched_perm(_inverse(node.params["perm"]), nb)),)


@primitive(np.broadcast_to, lambda node, v: np.broadcast_to(v, node.shape))
def _broadcast_to_t(node: Node, g: Any, nb: int) -> tuple:
    # the transpose of broadcasting is summing over the broadcast axes (JAX lax.py reduce_sum)
    return (_unbroadcast(g, nb, node.inputs[0][0]),)


# ------------------------------------------------------------------------------------- indexing
@primitive("getitem", lambda node, v: v[node.params["key"]])
def _getitem_t(node: Node, g: Any, nb: int) -> tuple:
    # basic index (a view, no repeats)  ⇒  x̄ = zeros with ḡ written at the key
    z = _zeros(g, nb, node.inputs[0][0])
    z[(slice(None),) * nb + node.params["key"]] = g
    return (z,)


def _apply_gather(node: Node, v: Any) -> Any:
    return np.reshape(v, (-1,))[node.params["pos"]]


@primitive("gather", _apply_gather)
def _gather_t(node: Node, g: Any, nb: int) -> tuple:
    # y = x.ravel()[pos]  ⇒  x̄.ravel() = Σ over positions (repeated positions accumulate: np.add.at)
    shape = node.inputs[0][0]
    pos = node.params["pos"].reshape(-1)
    size = math.prod(shape)
    m = math.prod(g.shape[:nb])
    flat = np.reshape(g, (m, pos.size))
    z = np.zeros_like(g, shape=(m, size))
    injective = node.params.get("injective")
    if injective is None:
        injective = node.params["injective"] = pos.size == 0 or int(np.bincount(pos, minlength=size).max()) <= 1
    if injective:
        z[:, pos] = flat
    else:
        np.add.at(z, (slice(None), pos), flat)
    return (np.reshape(z, (*g.shape[:nb], *shape)),)


def _apply_concatenate(node: Node, *values: Any) -> Any:
    parts = [_zero_value(node, i, values) for i in range(len(values))]
    return np.concatenate(parts, axis=node.params["axis"], dtype=node.dtype)


@primitive(np.concatenate, _apply_concatenate)
def _concatenate_t(node: Node, g: Any, nb: int) -> tuple:
    # split ḡ at the offsets along the axis
    axis = node.params["axis"]
    out, start = [], 0
    for parent, (shape, _) in zip(node.parents, node.inputs, strict=True):
        stop = start + shape[axis]
        out.append(None if parent is None else g[_along(axis, slice(start, stop))])
        start = stop
    return tuple(out)


def _apply_where(node: Node, a: Any, b: Any) -> Any:
    return np.where(node.params["cond"], _zero_value(node, 0, (a, b)), _zero_value(node, 1, (a, b)))


@primitive(np.where, _apply_where)
def _where_t(node: Node, g: Any, nb: int) -> tuple:
    # y = where(c, a, b)  ⇒  ā = where(c, ḡ, 0), b̄ = where(c, 0, ḡ) (JAX select_n)
    cond = node.params["cond"]
    (sa, _), (sb, _) = node.inputs
    a, b = node.parents
    return (
        None if a is None else _unbroadcast(np.where(cond, g, 0), nb, sa),
        None if b is None else _unbroadcast(np.where(cond, 0, g), nb, sb),
    )


@primitive(np.pad, lambda node, v: np.pad(v, node.params["widths"]))
def _pad_t(node: Node, g: Any, nb: int) -> tuple:
    # zero padding  ⇒  crop ḡ back to the original window
    shape = node.inputs[0][0]
    key = tuple(slice(before, before + n) for (before, _), n in zip(node.params["widths"], shape, strict=True))
    return (g[(Ellipsis, *key)] if key else g,)


# ----------------------------------------------------------------------------------- reductions
def _apply_sum(node: Node, v: Any) -> Any:
    p = node.params
    kwargs = {} if p["where"] is None else {"where": p["where"]}
    return np.sum(v, axis=p["axes"], dtype=node.dtype, keepdims=p["keepdims"], **kwargs)


@primitive(np.sum, _apply_sum)
def _sum_t(node: Node, g: Any, nb: int) -> tuple:
    # broadcast ḡ back over the reduced axes, times the where= mask
    p = node.params
    shape = node.inputs[0][0]
    if not p["keepdims"]:
        kept = tuple(1 if i - len(shape) in p["axes"] else n for i, n in enumerate(shape))
        g = np.reshape(g, (*g.shape[:nb], *kept))
    r = np.broadcast_to(g, (*g.shape[:nb], *shape))
    if p["where"] is not None:
        r = np.where(p["where"], r, 0)
    return (r,)


@primitive(np.cumsum, lambda node, v: np.cumsum(v, axis=node.params["axis"], dtype=node.dtype))
def _cumsum_t(node: Node, g: Any, nb: int) -> tuple:
    # y = cumsum(x)  ⇒  x̄ = reversed cumsum of ḡ
    axis = node.params["axis"]
    return (np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis),)


# ---------------------------------------------------------------------- contractions with constants
def _apply_matmul(node: Node, v: Any) -> Any:
    c = node.params["coef"]
    return np.matmul(v, c) if node.params["lin_first"] else np.matmul(c, v)


@primitive(np.matmul, _apply_matmul)
def _matmul_t(node: Node, g: Any, nb: int) -> tuple:
    # y = x@C ⇒ x̄ = ḡ@Cᴴ;  y = C@x ⇒ x̄ = Cᴴ@ḡ;  1-d operands are promoted as matmul does, then unbroadcast
    c = node.params["coef"]
    xs = node.inputs[0][0]
    cs = np.shape(c)
    first = node.params["lin_first"]
    left, right = (xs, cs) if first else (cs, xs)
    if len(right) == 1:
        g = g[..., None]
    if len(left) == 1:
        g = g[..., None, :]
    cc = _conj(c)
    if first:
        cm = cc[:, None] if len(cs) == 1 else cc
        r = np.matmul(g, np.swapaxes(cm, -1, -2))
        if len(xs) == 1:
            r = r[..., 0, :]
    else:
        cm = cc[None, :] if len(cs) == 1 else cc
        r = np.matmul(np.swapaxes(cm, -1, -2), g)
        if len(xs) == 1:
            r = r[..., 0]
    return (_unbroadcast(r, nb, xs),)


def _apply_einsum(node: Node, v: Any) -> Any:
    p = node.params
    if p["call"] is not None:
        return p["call"](v)
    ops = list(p["operands"])
    ops[p["position"]] = np.conjugate(v) if p["conj_lin"] else v
    return np.einsum(f"{','.join(p['subscripts'])}->{p['out']}", *ops, optimize=p["optimize"])


@primitive(np.einsum, _apply_einsum)
def _einsum_t(node: Node, g: Any, nb: int) -> tuple:
    # x̄ = einsum(ḡ, conj(others) -> x's subscripts); letters only in x broadcast, repeated letters
    # (a diagonal of x) embed into zeros, size-1 letters of x that broadcast are summed
    p = node.params
    pos = p["position"]
    subs = p["subscripts"]
    mine = subs[pos]
    shape = node.inputs[0][0]
    used = set("".join(subs) + p["out"])
    batch = "".join(itertools.islice((c for c in _LETTERS if c not in used), nb))
    others = [(s, _conj(op)) for i, (s, op) in enumerate(zip(subs, p["operands"], strict=True)) if i != pos]
    unique = "".join(dict.fromkeys(mine))
    seen = set(p["out"]).union(*(set(s) for s, _ in others))
    present = "".join(c for c in unique if c in seen)
    spec = ",".join([batch + p["out"], *(s for s, _ in others)]) + "->" + batch + present
    r = np.einsum(spec, g, *(op for _, op in others), optimize=p["optimize"])
    size = {c: n for c, n in zip(mine, shape, strict=True)}
    r = _unbroadcast(r, nb, tuple(size[c] for c in present))
    if len(present) < len(unique):
        r = np.reshape(r, (*r.shape[:nb], *(size[c] if c in present else 1 for c in unique)))
        r = np.broadcast_to(r, (*r.shape[:nb], *(size[c] for c in unique)))
    if len(unique) < len(mine):  # a repeated letter: write onto the diagonal positions
        cells = np.einsum(f"{mine}->{unique}", np.arange(math.prod(shape)).reshape(shape))
        m = math.prod(g.shape[:nb])
        z = np.zeros_like(g, shape=(m, math.prod(shape)), dtype=r.dtype)
        z[:, cells.reshape(-1)] = np.reshape(r, (m, cells.size))
        r = np.reshape(z, (*g.shape[:nb], *shape))
    return (np.conjugate(r) if p["conj_lin"] else r,)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@primitive(np.linalg.solve, lambda node, v: np.linalg.solve(node.params["coef"], v))
def _solve_t(node: Node, g: Any, nb: int) -> tuple:
    # x = A⁻¹b  ⇒  b̄ = A⁻ᴴx̄ (JAX triangular_solve toggles transpose_a); a 1-d b is one column
    ah = _conj(np.swapaxes(node.params["coef"], -1, -2))
    shape = node.inputs[0][0]
    if len(shape) == 1:
        r = np.linalg.solve(ah, np.expand_dims(g, -1))[..., 0]
    else:
        r = np.linalg.solve(ah, g)
    return (_unbroadcast(r, nb, shape),)


# ------------------------------------------------------------------------------------------ FFT
_ADJOINT_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _fft_apply(func: Callable) -> Callable:
    def apply(node: Node, v: Any) -> Any:
        p = node.params
        return func(v, n=p["n"], axis=p["axis"], norm=p["norm"])

    return apply


def _half_weights(n: int, like: Any, axis: int, value: float) -> Any:
    """``value`` along ``axis`` for the n//2+1 rfft bins, 1 at DC and (n even) at Nyquist."""
    w = np.full(n // 2 + 1, value)
    w[0] = 1.0
    if n % 2 == 0 and n > 0:
        w[-1] = 1.0
    return np.reshape(w.astype(np.finfo(like.dtype).dtype), (-1,) + (1,) * (-axis - 1))


@primitive(np.fft.fft, _fft_apply(np.fft.fft))
def _fft_t(node: Node, g: Any, nb: int) -> tuple:
    # Fᴴ = ifft with the adjoint norm (backward ↔ forward, ortho ↔ ortho); n= crop ↔ zero-pad
    p = node.params
    r = np.fft.ifft(g, n=p["n"], axis=p["axis"], norm=_ADJOINT_NORM[p["norm"]])
    return (_fit(r, p["axis"], node.inputs[0][0][p["axis"]]),)


@primitive(np.fft.ifft, _fft_apply(np.fft.ifft))
def _ifft_t(node: Node, g: Any, nb: int) -> tuple:
    p = node.params
    r = np.fft.fft(g, n=p["n"], axis=p["axis"], norm=_ADJOINT_NORM[p["norm"]])
    return (_fit(r, p["axis"], node.inputs[0][0][p["axis"]]),)


@primitive(np.fft.rfft, _fft_apply(np.fft.rfft))
def _rfft_t(node: Node, g: Any, nb: int) -> tuple:
    # y = first n//2+1 bins of F x (x real)  ⇒  x̄ = Re Fᴴ[ḡ; 0] = irfft(w·ḡ), w = ½ except DC/Nyquist
    p = node.params
    n, axis = p["n"], p["axis"]
    r = np.fft.irfft(g * _half_weights(n, g, axis, 0.5), n=n, axis=axis, norm=_ADJOINT_NORM[p["norm"]])
    return (_fit(r, axis, node.inputs[0][0][axis]),)


@primitive(np.fft.irfft, _fft_apply(np.fft.irfft))
def _irfft_t(node: Node, g: Any, nb: int) -> tuple:
    # y = irfft(x) (Im x at DC/Nyquist ignored)  ⇒  x̄ = w·rfft(ḡ), w = 2 except DC/Nyquist
    p = node.params
    n, axis = p["n"], p["axis"]
    r = np.fft.rfft(g, n=n, axis=axis, norm=_ADJOINT_NORM[p["norm"]]) * _half_weights(n, g, axis, 2.0)
    return (_fit(r, axis, node.inputs[0][0][axis]),)


# ------------------------------------------------------------------------------ writes (scatters)
def _apply_scatter(node: Node, old: Any, item: Any) -> Any:
    shape, dtype = node.shape, node.dtype
    pos = node.params["pos"]
    out = np.zeros(shape, dtype) if old is None else np.array(old, dtype=dtype)
    if item is not None:
        flat = np.reshape(out, (-1,))
        values = np.broadcast_to(item, pos.shape).reshape(-1)
        if node.params["add"]:
            np.add.at(flat, pos.reshape(-1), values)
        else:
            flat[pos.reshape(-1)] = values
    elif not node.params["add"]:
        np.reshape(out, (-1,))[pos.reshape(-1)] = 0
    return out


@primitive("scatter", _apply_scatter)
def _scatter_t(node: Node, g: Any, nb: int) -> tuple:
    # y = old with item written (or added) at the flat positions pos
    #   set:  ōld = ḡ with zeros at pos;  ītem = unbroadcast(ḡ[pos] · [last writer of each position])
    #   add:  ōld = ḡ;                    ītem = unbroadcast(ḡ[pos])
    pos = node.params["pos"].reshape(-1)
    batch = g.shape[:nb]
    flat = np.reshape(g, (*batch, -1))
    picked = flat[(Ellipsis, pos)]
    if node.params["add"]:
        g_old = g
    else:
        cleared = np.copy(flat)
        cleared[(Ellipsis, pos)] = 0
        g_old = np.reshape(cleared, g.shape)
        last = node.params.get("last")
        if last is None:  # positions written more than once: only the last write survives
            reversed_first = np.unique(pos[::-1], return_index=True)[1]
            last = np.zeros(pos.size, dtype=bool)
            last[pos.size - 1 - reversed_first] = True
            last = node.params["last"] = None if last.all() else last
        if last is not None:
            picked = np.where(last, picked, 0)
    item_shape = node.inputs[1][0]
    g_item = _unbroadcast(np.reshape(picked, (*batch, *node.params["pos"].shape)), nb, item_shape)
    return g_old, g_item


# ------------------------------------------------------------------------- segment sums (reduceat)
def _segments(node: Node) -> tuple[np.ndarray, np.ndarray]:
    """(source positions, output segment of each) along the axis, as ``np.add.reduceat`` sums them."""
    cached = node.params.get("segments")
    if cached is None:
        n = node.inputs[0][0][node.params["axis"]]
        starts = np.asarray(node.params["indices"], dtype=np.intp)
        stops = np.append(starts[1:], n)
        sources, owners = [], []
        for i, (a, b) in enumerate(zip(starts, stops, strict=True)):
            span = np.arange(a, b) if a < b else np.array([a])  # NumPy: a single element where a >= b
            sources.append(span)
            owners.append(np.full(span.size, i))
        cached = node.params["segments"] = (np.concatenate(sources), np.concatenate(owners))
    return cached


def _apply_segment_sum(node: Node, v: Any) -> Any:
    return np.add.reduceat(v, node.params["indices"], axis=node.params["axis"])


@primitive("segment_sum", _apply_segment_sum)
def _segment_sum_t(node: Node, g: Any, nb: int) -> tuple:
    # y_i = Σ_{j in segment i} x_j  ⇒  x̄_j = Σ_{i: j in segment i} ḡ_i (segments may repeat an element)
    axis = node.params["axis"]
    sources, owners = _segments(node)
    moved = np.moveaxis(g, axis, -1)
    z = np.zeros_like(moved, shape=(*moved.shape[:-1], node.inputs[0][0][axis]))
    np.add.at(z, (Ellipsis, sources), moved[..., owners])
    return (np.moveaxis(z, -1, axis),)
