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

_ALL = slice(None)


def count(t: Any) -> int:
    """Number of directions k carried by the internal tangent ``t``."""
    return t.shape[0]


def from_user(tangent: Any, value: Any, dtype: Any, batched: bool) -> Any:
    """Internal layout ``(k, *value.shape)`` of a user-given tangent.

    Unbatched tangents broadcast to ``value.shape`` (a scalar is allowed);
    batched ones have shape ``(k, *value.shape)`` (the trailing axes may broadcast).
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
    t = np.array(tangent, dtype=np.result_type(tangent, dtype))  # a copy: never aliased with the caller's
    if not batched:
        t = t[None]
    if t.shape != target:
        try:
            t = np.broadcast_to(t, target)
        except ValueError:
            what = "tangents" if batched else "tangent"
            raise ValueError(
                f"{what} of shape {np.shape(tangent)} does not broadcast to "
                f"{target if batched else shape}"
                + ("" if batched else " (for k directions pass batched=True and shape (k, *value.shape))")
            ) from None
        t = t.copy()  # writable, so in-place updates and views work
    return t


def to_user(t: Any, batched: bool) -> Any:
    """The public ``.tangent`` view of an internal tangent."""
    return t if batched else t[0]


def zeros(k: int, value: Any, dtype: Any) -> Any:
    """A materialized zero tangent for ``value`` (nested values give nested zeros)."""
    from ._core import DualArray  # local: avoid a cycle at import time

    if isinstance(value, DualArray):
        inner = zeros(k, value.value, dtype)
        return DualArray._new(inner, None, value._ndir, value._batched, value.tag)
    if isinstance(value, np.ndarray) or np.isscalar(value) or isinstance(value, np.generic):
        return np.zeros((k, *np.shape(value)), dtype=dtype)
    return np.zeros_like(value, dtype=dtype, shape=(k, *value.shape))


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
    return np.reshape(t, (t.shape[0], *shape), order=order)


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
    """Index key that applies ``value[index]`` to a tangent."""
    if isinstance(index, tuple):
        return (_ALL, *index)
    return (_ALL, index)


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


def scale_finite(coef: Any, t: Any) -> Any:
    """``coef · t`` where ``coef`` may be infinite: a zero tangent contributes 0 (not 0·inf = NaN)."""
    if np.all(np.isfinite(coef)):
        return coef * t
    with np.errstate(invalid="ignore", over="ignore"):
        contribution = coef * t
    return np.where(np.equal(t, 0), 0, contribution)
