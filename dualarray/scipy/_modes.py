"""Solvers that need plain arrays, in every mode: nested components, and the forward bridge.

**Components.** With perturbation levels ε₁ … ε_L (outermost first, ``εᵢ² = 0``) a nested DualArray is
``Σ_m c_m · Π_{l∈m} ε_l`` over the subsets m of the levels. Component ``c_m`` has one axis of ``k_l``
directions per level in m (innermost first, as the tangent slots nest) and then the value's shape. A
numerical method that needs plain arrays (an ODE's state, ``quad_vec``'s integrand) carries every
component: the ODE in the algebra of nested dual numbers is the ODE with all its sensitivity
equations, to every order, and an integral of a nested integrand is the integral of each component.

**The bridge.** A recorded tangent (reverse mode, sparsity detection) cannot be integrated. The bridge
runs the counterpart forward with one direction per input element, ``J = ∂out/∂in``, then gives each
output the tangent ``J·ṫ`` through a matmul that records. Exact; it costs forward sensitivities in
every input element (the adjoint method would cost one backward solve instead).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _core
from .._core import CONSTANT_TAG, REVERSE_TAGS, DualArray, Frame, new_tag, split

Key = tuple[int, ...]
"""The tags of a component, outermost first (``()`` is the value)."""


def levels_of(objs: Sequence[Any]) -> list[Frame]:
    """Every perturbation level in ``objs`` (tuples and lists opened), outermost (newest tag) first."""
    found: dict[int, Frame] = {}

    def visit(x: Any) -> None:
        if isinstance(x, list | tuple):
            for item in x:
                visit(item)
            return
        if not isinstance(x, DualArray):
            return
        if x.tag != CONSTANT_TAG and (x.tag not in found or x._tangent is not None or x._batched):
            if x.tag not in found or found[x.tag].ndir == 1:
                found[x.tag] = Frame(x.tag, x._ndir, x._batched)
        visit(x.value)
        if isinstance(x._tangent, DualArray):
            visit(x._tangent)

    visit(list(objs))
    return sorted(found.values(), key=lambda level: -level.tag)


def plain(obj: Any) -> Any:
    """``obj`` with every level of every DualArray removed (lists and tuples opened)."""
    while isinstance(obj, DualArray):
        obj = obj.value
    if isinstance(obj, list | tuple):
        return type(obj)(plain(item) for item in obj)
    return obj


def plain_array(x: Any) -> np.ndarray:
    """The innermost value of ``x`` as an ndarray."""
    return np.asarray(plain(x))


def with_value(dual: Any, value: Any) -> Any:
    """``dual`` with its innermost value replaced by ``value`` (SciPy's own), every tangent kept."""
    if not isinstance(dual, DualArray):
        return value
    return DualArray._new(with_value(dual.value, value), dual._tangent, dual._ndir, dual._batched, dual.tag)


def recorded(level: Frame) -> bool:
    """A level whose tangents are recorded linear maps (reverse mode, sparsity detection)."""
    return level.tag in REVERSE_TAGS


def all_keys(levels: Sequence[Frame]) -> list[Key]:
    """Every component's key, the value first, then (for one level) its tangent: ``[(), (tag,)]``."""
    tags = [level.tag for level in levels]
    keys = []
    for mask in itertools.product((False, True), repeat=len(tags)):
        keys.append(tuple(t for t, keep in zip(tags, mask, strict=True) if keep))
    return sorted(keys, key=len)


def component_shape(key: Key, levels: Sequence[Frame], shape: tuple[int, ...]) -> tuple[int, ...]:
    """``(k_l for the levels in key, innermost first) + shape``."""
    return tuple(level.ndir for level in reversed(levels) if level.tag in key) + tuple(shape)


def components(x: Any, levels: Sequence[Frame], where: str, inner: int | None = None) -> dict[Key, Any]:
    """The nonzero components of ``x`` (a nested DualArray or a plain array) over ``levels``.

    Components are plain arrays, or DualArrays of the tag ``inner`` (a perturbation under all levels).
    """
    if not levels:
        if isinstance(x, DualArray):
            if x.tag == CONSTANT_TAG:
                return {(): x.value}
            if x.tag == inner:
                return {(): x}
            raise TypeError(f"{where}: the function returned a DualArray of a perturbation that is not among the "
                            "inputs (a DualArray captured by a closure?); pass it through args= instead")
        return {(): x}
    top, rest = levels[0], levels[1:]
    if isinstance(x, DualArray) and x.tag == top.tag:
        out = components(x.value, rest, where, inner)
        if x._tangent is not None:
            if not isinstance(x._tangent, np.ndarray | DualArray):
                raise NotImplementedError(f"{where}: a recorded (reverse-mode) tangent inside a forward "
                                          "perturbation cannot be integrated; use forward over reverse "
                                          "(dualarray.hessian's default) or forward mode")
            out.update({(top.tag, *key): part for key, part in components(x._tangent, rest, where, inner).items()})
        return out
    return components(x, rest, where, inner)


def pack(x: Any, levels: Sequence[Frame], keys: Sequence[Key], shape: tuple[int, ...], where: str,
         inner: int | None = None) -> Any:
    """All components of ``x`` as one float vector (zeros where ``x`` has none), in ``keys`` order.

    With ``inner`` (see :func:`components`) the vector is a DualArray of that tag.
    """
    parts = components(x, levels, where, inner)
    flat = []
    for key in keys:
        target = component_shape(key, levels, shape)
        part = parts.get(key)
        if part is None:
            flat.append(np.zeros(math.prod(target)))
        elif isinstance(part, DualArray):
            flat.append(np.reshape(np.broadcast_to(part, target), (-1,)))
        else:
            flat.append(np.broadcast_to(np.asarray(part, dtype=float), target).reshape(-1))
    return np.concatenate(flat)


def fresh_levels(levels: Sequence[Frame]) -> list[Frame]:
    """Levels like ``levels`` with new tags (newer than every tag so far), in the same order."""
    tags = [new_tag() for _ in levels]
    return [Frame(tag, level.ndir, level.batched) for tag, level in zip(reversed(tags), levels, strict=True)]


def retag(x: Any, levels: Sequence[Frame], fresh: Sequence[Frame], where: str) -> Any:
    """``x`` with the perturbations of ``levels`` moved to the tags of ``fresh`` (plain ``x`` unchanged)."""
    if not isinstance(x, DualArray):
        return x
    shape = np.shape(plain(x))
    parts = components(x, levels, where)
    renamed = dict(zip(all_keys(levels), all_keys(fresh), strict=True))
    return build(fresh, {renamed[key]: parts.get(key, np.zeros(component_shape(key, levels, shape)))
                         for key in all_keys(levels)})


def unpack(z: np.ndarray, levels: Sequence[Frame], keys: Sequence[Key], shape: tuple[int, ...],
           trailing: tuple[int, ...] = ()) -> dict[Key, np.ndarray]:
    """The components in the leading axis of ``z`` (the inverse of :func:`pack`; trailing axes kept)."""
    out, start = {}, 0
    for key in keys:
        target = component_shape(key, levels, shape)
        size = math.prod(target)
        out[key] = np.reshape(z[start:start + size], (*target, *trailing))
        start += size
    return out


def build(levels: Sequence[Frame], parts: dict[Key, Any]) -> Any:
    """The nested DualArray of the components ``parts`` (every key present)."""
    if not levels:
        return parts[()]
    top, rest = levels[0], levels[1:]
    value = build(rest, {key: part for key, part in parts.items() if top.tag not in key})
    tangent = build(rest, {key[1:]: part for key, part in parts.items() if key and key[0] == top.tag})
    return DualArray._new(value, tangent, top.ndir, top.batched, top.tag)


def through_forward(run: Callable[..., Any], args: Sequence[Any], where: str) -> tuple[Any, Callable[[Any], Any]]:
    """``run(*args)`` for a recorded frame: forward with one direction per input element, then ``J·ṫ``.

    Returns the forward result and ``bridge(out)``, which turns one forward output into an output of
    the recorded frame (its value kept, its tangent the recorded product of ``J`` with the inputs').
    """
    frame, values, tangents = split(list(args))
    inner = levels_of(values)
    if any(recorded(level) for level in inner):
        raise NotImplementedError(f"{where}: two recorded (reverse-mode) perturbations at once are not implemented")
    sizes = [0 if t is None else int(np.size(v)) for v, t in zip(values, tangents, strict=True)]
    total = sum(sizes)
    tag = new_tag()
    seeded, blocks, start = [], [], 0
    for v, t, size in zip(values, tangents, sizes, strict=True):
        if t is None:
            seeded.append(v)
            continue
        value = v if isinstance(v, DualArray) else np.asarray(v, dtype=float)
        seed = np.zeros((total, size))
        seed[start:start + size] = np.eye(size)
        seeded.append(DualArray._new(value, seed.reshape((total, *np.shape(value))), total, True, tag))
        blocks.append((start, size, frame.wrap(value, t)))
        start += size
    detecting = _core.PATTERN_CONSTANTS is not None

    def bridge(out: Any) -> Any:
        if not isinstance(out, DualArray) or out.tag != tag:
            return out if isinstance(out, DualArray) or not hasattr(out, "shape") else frame.wrap(out, None)
        if out._tangent is None or not blocks:
            return frame.wrap(out.value, None)
        product = None
        for begin, size, dual in blocks:
            jac = np.reshape(out._tangent[begin:begin + size], (size, -1))
            if detecting:  # a pattern holds for every x: no numerical zero of J may prune it
                jac = np.ones(np.shape(jac))
            term = np.reshape(np.swapaxes(jac, 0, 1) @ np.reshape(dual, (-1,)), np.shape(out.value))
            product = term if product is None else product + term
        tangent = product._tangent if isinstance(product, DualArray) and product.tag == frame.tag else None
        return frame.wrap(out.value, tangent)

    return run(*seeded), bridge
