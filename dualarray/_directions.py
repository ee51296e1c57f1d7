"""The direction axis: the only module that knows how k tangents are laid out.

Internally a tangent is stored with one leading *direction axis* of length k
(k = 1 for an ordinary single-direction dual), so a tangent of a value of shape
``s`` has shape ``(k, *s)``. Rules never index that axis themselves: they use
**negative axes** (which mean the same thing for the value and the tangent) and
the helpers below for the few operations where the leading axis matters
(broadcasting, reshaping, transposing, indexing).

``t`` below is always an internal tangent; it may be a plain ndarray, a nested
DualArray (second derivatives), or any array type that implements NumPy's
dispatch protocols.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._registry import given

_ALL = slice(None)


def count(t: Any) -> int:
    """Number of directions k carried by the internal tangent ``t``."""
    return t.shape[0]


def from_user(tangent: Any, value: Any, dtype: Any, batched: bool) -> Any:
    """Internal layout ``(k, *value.shape)`` of a user-given tangent.

    Unbatched tangents broadcast to ``value.shape`` (a scalar is allowed);
    batched ones have shape ``(k, *value.shape)`` (the trailing axes may broadcast). The result has
    ``dtype`` (the value's inexact dtype) and the value's memory layout (see :func:`laid_out`).
    """
    shape = np.shape(value)
    if batched:
        if np.ndim(tangent) < 1:
            raise ValueError("batched=True needs tangents of shape (k, *value.shape); got a scalar")
        target = (np.shape(tangent)[0], *shape)
    else:
        target = (1, *shape)
    if hasattr(tangent, "__array_function__") and not isinstance(tangent, np.ndarray):
        # Foreign (Dask, CuPy) or nested DualArray tangents: keep the type, never coerce.
        t = tangent if batched else np.expand_dims(tangent, 0)
        return np.broadcast_to(t, target) if t.shape != target else t
    if isinstance(value, np.ndarray) and not value.flags.c_contiguous:
        t = laid_out(target[0], value, dtype, empty=True)
        try:
            t[...] = tangent if batched else np.asarray(tangent)[None]
        except ValueError:
            _not_broadcastable(tangent, shape, target, batched)
        return t
    t = np.array(tangent, dtype=dtype, order="C")  # a copy (never aliased with the caller's), C like the value
    if not batched:
        t = t[None]
    if t.shape != target:
        try:
            t = np.broadcast_to(t, target)
        except ValueError:
            _not_broadcastable(tangent, shape, target, batched)
        t = t.copy()  # writable, so in-place updates and views work
    return t


def _not_broadcastable(tangent: Any, shape: tuple, target: tuple, batched: bool) -> None:
    what = "tangents" if batched else "tangent"
    raise ValueError(
        f"{what} of shape {np.shape(tangent)} does not broadcast to {target if batched else shape}"
        + ("" if batched else " (for k directions pass batched=True and shape (k, *value.shape))")
    ) from None


def to_user(t: Any, batched: bool) -> Any:
    """The public ``.tangent`` view of an internal tangent."""
    return t if batched else t[0]


def zeros(k: int, value: Any, dtype: Any) -> Any:
    """A materialized zero tangent for ``value`` (nested values give nested zeros), in its memory layout."""
    from ._core import DualArray  # local: avoid a cycle at import time

    if isinstance(value, DualArray):
        inner = zeros(k, value.value, dtype)
        return DualArray._new(inner, None, value._ndir, value._batched, value.tag)
    if isinstance(value, np.ndarray):
        return laid_out(k, value, dtype)
    if np.isscalar(value) or isinstance(value, np.generic):
        return np.zeros((k, *np.shape(value)), dtype=dtype)
    return np.zeros_like(value, dtype=dtype, shape=(k, *value.shape))


def memory_axes(value: Any) -> tuple[int, ...]:
    """Value axes from the slowest to the fastest in memory (by stride magnitude; ties keep their order).

    This is the axis order of NumPy's ``order='K'`` (which never reverses an axis with a negative stride).
    """
    strides = value.strides
    return tuple(sorted(range(len(strides)), key=lambda a: -abs(strides[a])))


def laid_out(k: int, value: np.ndarray, dtype: Any, empty: bool = False) -> np.ndarray:
    """A zero (or, with ``empty``, uninitialized) tangent ``(k, *value.shape)`` laid out like ``value``.

    Each direction ``t[j]`` has the value's axis order in memory and the signs of its strides (the
    direction axis is slowest), so reshape, ravel and ``order=`` make the same view-or-copy decision for
    the tangent as for the value (a compact tangent is a view at least wherever the value is).
    """
    allocate = np.empty if empty else np.zeros
    if value.flags.c_contiguous or value.ndim == 0:
        return allocate((k, *value.shape), dtype=dtype)
    perm = memory_axes(value)
    base = allocate((k, *(value.shape[a] for a in perm)), dtype=dtype)
    t = np.transpose(base, (0, *(1 + perm.index(a) for a in range(value.ndim))))
    flips = tuple(slice(None, None, -1) if s < 0 else _ALL for s in value.strides)
    return t[(_ALL, *flips)] if any(s < 0 for s in value.strides) else t


def mirrors(t: Any, value: Any) -> bool:
    """True when the plain tangent ``t`` is laid out like ``value`` (always true for C-contiguous pairs)."""
    if not isinstance(t, np.ndarray) or not isinstance(value, np.ndarray) or value.ndim < 1:
        return True
    if value.flags.c_contiguous and t.flags.c_contiguous:
        return True
    vs, ts = value.strides, t.strides[1:]
    if any((a < 0) != (b < 0) for a, b, n in zip(vs, ts, value.shape, strict=True) if n > 1):
        return False
    big = [a for a, n in zip(range(value.ndim), value.shape, strict=True) if n > 1]
    if t.shape[0] > 1 and big and abs(t.strides[0]) < max(abs(ts[a]) for a in big):
        return False  # the direction axis is not the slowest: a direction is not laid out like the value
    return sorted(big, key=lambda a: -abs(vs[a])) == sorted(big, key=lambda a: -abs(ts[a]))


def copy_like(t: Any, value: Any) -> Any:
    """A copy of ``t`` laid out like ``value`` (see :func:`laid_out`); nested tangents are copied as they are."""
    from ._core import _value_backend, strip_all  # local: avoid a cycle at import time

    inner = strip_all(value)
    if _value_backend(type(t)):
        return t.copy()  # dask: np.copy would compute it
    if not isinstance(t, np.ndarray) or not isinstance(inner, np.ndarray):
        return np.copy(t)
    out = laid_out(t.shape[0], inner, t.dtype, empty=True)
    out[...] = t
    return out


def order_for(order: str, value: Any) -> str:
    """The ``order=`` that does to a tangent what ``order`` does to ``value`` ('A' resolved; 'K' kept)."""
    if order in ("A", "a"):
        flags = getattr(value, "flags", None)
        return "F" if flags is not None and flags.f_contiguous and not flags.c_contiguous else "C"
    return order


def align(t: Any, ndim: int) -> Any:
    """Insert length-1 axes after the direction axis so ``t`` broadcasts like a value of ``ndim`` dims."""
    missing = ndim - (t.ndim - 1)
    if missing <= 0:
        return t
    return t.reshape((t.shape[0],) + (1,) * missing + t.shape[1:])


def broadcast_to(t: Any, shape: tuple[int, ...]) -> Any:
    """Broadcast ``t`` to the value shape ``shape`` (read-only view when it broadcasts)."""
    target = (t.shape[0], *shape)
    if t.shape == target:
        return t
    return np.broadcast_to(align(t, len(shape)), target)


def reshape(t: Any, shape: tuple[int, ...], order: str = "C") -> Any:
    """Reshape the value axes of ``t`` to ``shape``."""
    return np.reshape(t, (t.shape[0], *shape), **given(np.reshape, order=order))  # dask has no order=


def flatten(t: Any) -> Any:
    """Collapse the value axes of ``t`` into one (row-major)."""
    return np.reshape(t, (t.shape[0], -1))


def axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """Negative form of ``axis`` (int, tuple or None meaning all) for a value of ``ndim`` dims."""
    if axis is None or ndim == 0:  # NumPy accepts axis=0 or -1 on 0-d arrays in reductions
        return tuple(range(-ndim, 0))
    if isinstance(axis, tuple | list):
        return tuple(_neg(a, ndim) for a in axis)
    return (_neg(axis, ndim),)


def axis(a: int, ndim: int) -> int:
    """Negative form of one axis."""
    return _neg(a, ndim)


def _neg(a: Any, ndim: int) -> int:
    a = int(np.asarray(a)) if not isinstance(a, int) else a
    if not -ndim <= a < ndim:
        raise np.exceptions.AxisError(a, ndim)
    return a - ndim if a >= 0 else a


def transpose(t: Any, perm: Any, ndim: int) -> Any:
    """Permute the value axes of ``t`` (``perm`` as for ``np.transpose``; None reverses)."""
    if perm is None:
        perm = tuple(range(ndim - 1, -1, -1))
    return np.transpose(t, (0, *(p % ndim + 1 for p in perm)))


def key(index: Any) -> tuple:
    """Index key that applies ``value[index]`` to a tangent.

    ``t[key(index)]`` has the direction axis first unless NumPy moves separated advanced indices to
    the front (see :func:`direction_position`); :func:`getitem` and :func:`subspace` handle that case.
    """
    if isinstance(index, tuple):
        return (_ALL, *index)
    return (_ALL, index)


def direction_position(index: Any) -> int:
    """Where the direction axis lands in ``t[key(index)]``: 0, or the broadcast rank of the advanced indices.

    NumPy puts the broadcast axes of advanced indices (integer and boolean arrays, and integers next to
    them) in place when they are adjacent in the key, and *first* when a slice, Ellipsis or None
    separates them; then ``t[key(index)]`` has shape ``(*broadcast, k, *rest)``.
    """
    items = index if isinstance(index, tuple) else (index,)
    positions: list[int] = []
    shapes: list[tuple[int, ...]] = []
    arrays = False
    for pos, i in enumerate(items):
        if i is None or i is Ellipsis or isinstance(i, slice):
            continue
        if isinstance(i, int | np.integer) and not isinstance(i, bool | np.bool_):
            positions.append(pos)
            shapes.append(())
            continue
        arrays = True
        a = np.asarray(i)
        positions.append(pos)
        shapes.append((int(np.count_nonzero(a)),) if a.dtype == np.bool_ else a.shape)
    if not arrays or positions[-1] - positions[0] == len(positions) - 1:
        return 0
    return len(np.broadcast_shapes(*shapes))


def getitem(t: Any, index: Any) -> Any:
    """The tangent of ``value[index]``, direction axis first."""
    r = t[key(index)]
    if isinstance(index, tuple) and len(index) > 1:
        pos = direction_position(index)
        if pos:
            r = np.moveaxis(r, pos, 0)
    return r


def subspace(item: Any, target: tuple[int, ...] | int, index: Any = None) -> Any:
    """An item tangent ``(k, *s)`` laid out to be stored into ``t[key(index)]``.

    ``target`` is the shape (or the rank) of ``value[index]`` (of the destination when there is no
    index, as in ``np.copyto``). As in NumPy assignment, leading length-1
    axes of the item beyond the target's rank are dropped, the rest broadcasts; the direction axis moves
    to where :func:`direction_position` puts it.
    """
    ndim = target if isinstance(target, int) else len(target)
    shape = item.shape[1:]
    if len(shape) > ndim:
        drop = len(shape) - ndim
        if any(n != 1 for n in shape[:drop]):
            raise ValueError(f"could not broadcast a tangent of shape {shape} into shape {target}")
        item = np.reshape(item, (item.shape[0], *shape[drop:]))
    item = align(item, ndim)
    if isinstance(index, tuple) and len(index) > 1:
        pos = direction_position(index)
        if pos:
            item = np.moveaxis(item, 0, pos)
    return item


def collapse(t: Any) -> Any:
    """Sum over the direction axis (used to compare k directions with their sum)."""
    return np.sum(t, axis=0)


def stack(tangents: list[Any]) -> Any:
    """Stack single-direction internal tangents into one k-direction tangent."""
    return np.concatenate(tangents, axis=0)


def select(t: Any, start: int, stop: int) -> Any:
    """Directions ``start:stop`` of ``t``."""
    return t[start:stop]


def to_axis(t: Any, axis: int) -> Any:
    """Move the direction axis of ``t`` to position ``axis`` (so it behaves like a free value axis)."""
    return np.moveaxis(t, 0, axis)


def from_axis(r: Any, axis: int) -> Any:
    """Inverse of :func:`to_axis`: bring the direction axis at ``axis`` back to the front."""
    return np.moveaxis(r, axis, 0)


def add(a: Any, b: Any) -> Any:
    """Sum of two tangents (or tangent terms), None meaning a symbolic zero."""
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def view(t: Any, func: Any) -> Any:
    """``func(t)`` for a view of the value (a view of ``t``; a recorded tangent records it as a view)."""
    view_of = getattr(t, "view_of", None)
    return func(t) if view_of is None else view_of(func)


def shares(a: Any, b: Any) -> bool:
    """True when the tangents ``a`` and ``b`` share storage (memory, or a recorded tangent's cell)."""
    from ._core import strip_all  # local: avoid a cycle at import time

    shares_with = getattr(a, "shares_with", None)
    if shares_with is not None:
        return shares_with(b)
    a, b = strip_all(a), strip_all(b)
    return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.size > 0 and np.may_share_memory(a, b)


def scale_finite(coef: Any, t: Any) -> Any:
    """``coef · t`` where ``coef`` may be infinite: a zero tangent contributes 0 (not 0·inf = NaN)."""
    from ._core import _value_backend  # local: avoid a cycle at import time

    if _value_backend(type(coef)) or _value_backend(type(t)):  # dask: the test runs chunk by chunk, lazily
        import dask.array

        c, t = dask.array.broadcast_arrays(dask.array.asarray(coef), dask.array.asarray(t))
        return dask.array.map_blocks(scale_finite, c, t, dtype=np.result_type(c.dtype, t.dtype))
    if np.all(np.isfinite(coef)):
        return coef * t
    if hasattr(t, "view_of"):  # a recorded tangent: one masked-scale primitive (its values are unknown)
        from ._linear import masked_scale

        return masked_scale(coef, t)
    with np.errstate(invalid="ignore", over="ignore"):
        contribution = coef * t
    return np.where(np.equal(t, 0), 0, contribution)
