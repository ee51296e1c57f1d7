"""Shape manipulation, joining, selection and creation-like functions.

All of these are linear in the array arguments: the tangent goes through the same operation as the
value (with the direction axis kept in front by :mod:`dualarray._directions`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _directions as dirs
from .._core import DualArray, split
from .._registry import implements, nondifferentiable


def linear(a: Any, on_value, on_tangent) -> Any:
    """Apply a function linear in ``a``: ``on_value(x)`` to the value, ``on_tangent(t, y)`` to the tangent."""
    frame, (x,), (t,) = split([a])
    y = on_value(x)
    if frame is None:
        return y
    return frame.wrap(y, None if t is None else on_tangent(t, y))


def joined(arrays: Any, on_values, on_tangents) -> Any:
    """Apply a function linear in every array of the sequence ``arrays`` (concatenate, stack, ...).

    ``on_tangents`` receives the tangents with zeros materialized for the constants.
    """
    arrays = list(arrays)
    frame, values, tangents = split(arrays)
    y = on_values(values)
    if frame is None or all(t is None for t in tangents):
        return y if frame is None else frame.wrap(y, None)
    full = [frame.zeros(np.asarray(v) if np.isscalar(v) else v) if t is None else t
            for v, t in zip(values, tangents, strict=True)]
    return frame.wrap(y, on_tangents(full, values))


# ---------------------------------------------------------------- changing shape
@implements(np.reshape)
def _reshape(a, /, shape=None, order="C", *, newshape=None, copy=None):
    shape = newshape if shape is None else shape
    return linear(a, lambda x: np.reshape(x, shape, order=order, copy=copy),
                  lambda t, y: dirs.reshape(t, np.shape(y), order))


@implements(np.ravel)
def _ravel(a, order="C"):
    return linear(a, lambda x: np.ravel(x, order=order), lambda t, y: dirs.reshape(t, np.shape(y), order))


@implements(np.transpose, np.permute_dims)
def _transpose(a, axes=None):
    nd = np.ndim(a)
    return linear(a, lambda x: np.transpose(x, axes), lambda t, y: dirs.transpose(t, axes, nd))


@implements(np.swapaxes)
def _swapaxes(a, axis1, axis2):
    nd = np.ndim(a)
    return linear(a, lambda x: np.swapaxes(x, axis1, axis2),
                  lambda t, y: np.swapaxes(t, dirs.axis(axis1, nd), dirs.axis(axis2, nd)))


@implements(np.moveaxis)
def _moveaxis(a, source, destination):
    nd = np.ndim(a)
    return linear(a, lambda x: np.moveaxis(x, source, destination),
                  lambda t, y: np.moveaxis(t, dirs.axes(source, nd), dirs.axes(destination, nd)))


@implements(np.squeeze)
def _squeeze(a, axis=None):
    def on_tangent(t, y):
        nd = np.ndim(a)
        if axis is None:
            ax = tuple(i - nd for i, n in enumerate(np.shape(a)) if n == 1)
        else:
            ax = dirs.axes(axis, nd)
        return np.squeeze(t, axis=ax) if ax else t

    return linear(a, lambda x: np.squeeze(x, axis=axis), on_tangent)


@implements(np.expand_dims)
def _expand_dims(a, axis):
    def on_tangent(t, y):
        return np.expand_dims(t, dirs.axes(axis, np.ndim(y)))

    return linear(a, lambda x: np.expand_dims(x, axis), on_tangent)


@implements(np.broadcast_to)
def _broadcast_to(array, shape, subok=False):
    return linear(array, lambda x: np.broadcast_to(x, shape), lambda t, y: dirs.broadcast_to(t, np.shape(y)))


@implements(np.copy)
def _copy(a, order="K", subok=False):
    return linear(a, lambda x: np.copy(x, order=order), lambda t, y: np.copy(t))


@implements(np.real)
def _real(val):
    return linear(val, np.real, lambda t, y: np.real(t))


@implements(np.imag)
def _imag(val):
    return linear(val, np.imag, lambda t, y: np.imag(t))


@implements(np.round, np.around)
def _round(a, decimals=0, out=None):
    # rounding is piecewise constant: zero derivative
    frame, (x,), _ = split([a])
    y = frame.wrap(np.round(x, decimals=decimals), None)
    if out is None:
        return y
    out[...] = y
    return out


# ---------------------------------------------------------------- joining
@implements(np.concatenate)
def _concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    if axis is None:
        arrays = [np.ravel(a) for a in arrays]
        axis = 0

    def on_tangents(ts, values):
        nd = np.ndim(values[0])
        return np.concatenate(ts, axis=dirs.axis(axis, nd), dtype=_tangent_dtype(dtype), casting=casting)

    result = joined(arrays, lambda vs: np.concatenate(vs, axis=axis, dtype=dtype, casting=casting), on_tangents)
    return _into(out, result)


@implements(np.stack)
def _stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    def on_tangents(ts, values):
        nd = np.ndim(values[0]) + 1
        return np.stack(ts, axis=dirs.axis(axis, nd), dtype=_tangent_dtype(dtype), casting=casting)

    result = joined(arrays, lambda vs: np.stack(vs, axis=axis, dtype=dtype, casting=casting), on_tangents)
    return _into(out, result)


def _tangent_dtype(dtype: Any) -> Any:
    if dtype is None:
        return None
    dtype = np.dtype(dtype)
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def _into(out: Any, result: Any) -> Any:
    if out is None:
        return result
    if not isinstance(out, DualArray):
        raise TypeError(
            "out= is a plain ndarray but the result is a DualArray: its derivative would be dropped. "
            "Use a DualArray buffer (np.empty_like(x)) or drop out=."
        )
    out[...] = result
    return out


# ---------------------------------------------------------------- selection
@implements(np.where)
def _where(condition, *xy):
    # tangents are selected, never blended: a NaN or inf in the unused branch does not leak
    if not xy:
        return np.where(_plain_condition(condition))
    if len(xy) != 2:
        raise TypeError("where() takes either 1 or 3 arguments")
    cond = _plain_condition(condition)

    def on_tangents(ts, values):
        nd = len(np.broadcast_shapes(np.shape(cond), *(np.shape(v) for v in values)))
        a, b = (dirs.align(t, nd) for t in ts)
        return np.where(cond, a, b)

    frame, values, tangents = split(list(xy))
    y = np.where(cond, *values)
    if frame is None:
        return y
    if tangents[0] is None and tangents[1] is None:
        return frame.wrap(y, None)
    full = [frame.zeros(np.asarray(v)) if t is None else t for v, t in zip(values, tangents, strict=True)]
    t = on_tangents(full, values)
    if t.shape[1:] != np.shape(y):
        t = dirs.broadcast_to(t, np.shape(y))
    return frame.wrap(y, t)


def _plain_condition(condition: Any) -> Any:
    while isinstance(condition, DualArray):
        condition = condition.value
    return condition


# ---------------------------------------------------------------- creation-like
def _like(func):
    """``zeros_like``-style creation: a constant of ``a``'s frame, so it can receive DualArray writes."""

    def impl(a, *fill, dtype=None, order="K", subok=True, shape=None, **kwargs):
        kwargs.pop("device", None)
        if "fill_value" in kwargs:
            fill = (kwargs.pop("fill_value"),)
        frame, (x, *fill), (_, *t_fill) = split([a, *fill])
        y = func(x, *fill, dtype=dtype, order=order, shape=shape, **kwargs)
        if not t_fill or t_fill[0] is None:
            return frame.wrap(y, None)
        # full_like with a DualArray fill value: every element carries its tangent
        t = np.copy(dirs.broadcast_to(dirs.align(t_fill[0], np.ndim(y)), np.shape(y)))
        return frame.wrap(y, t)

    return impl


for _func in (np.zeros_like, np.ones_like, np.empty_like, np.full_like):
    implements(_func)(_like(_func))


# ---------------------------------------------------------------- queries (outputs not differentiable)
nondifferentiable(
    np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj, np.min_scalar_type,
    np.may_share_memory, np.shares_memory, np.argmax, np.argmin, np.argsort, np.argwhere, np.flatnonzero,
    np.nonzero, np.count_nonzero, np.isclose, np.allclose, np.array_equal, np.array_equiv, np.any, np.all,
    np.searchsorted, np.isreal, np.iscomplex, np.isneginf, np.isposinf,
)
