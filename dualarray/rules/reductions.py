"""Sums, products, extrema, cumulative functions and means.

Most of these are the ufunc methods in disguise (``np.sum`` is ``np.add.reduce``): they forward to
the DualArray so the reduce/accumulate rules of :mod:`dualarray.rules.ufuncs` apply, with NumPy's
defaults and ``axis=None`` handling.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _directions as dirs
from .._core import split
from .._registry import implements
from .shape import _into

_NoValue = np._NoValue


def _reduce_kwargs(**kwargs: Any) -> dict[str, Any]:
    """Drop NumPy's 'not given' markers so the ufunc method sees only real keywords."""
    return {k: v for k, v in kwargs.items() if v is not _NoValue and v is not None or k == "axis"}


@implements(np.sum)
def _sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True):
    kw = _reduce_kwargs(axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)
    return _into(out, np.add.reduce(a, **kw))


@implements(np.prod)
def _prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True):
    kw = _reduce_kwargs(axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)
    return _into(out, np.multiply.reduce(a, **kw))


def _extremum(ufunc: np.ufunc):
    def impl(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=True):
        kw = _reduce_kwargs(axis=axis, keepdims=keepdims, initial=initial, where=where)
        return _into(out, ufunc.reduce(a, **kw))

    return impl


implements(np.max, np.amax)(_extremum(np.maximum))
implements(np.min, np.amin)(_extremum(np.minimum))


@implements(np.mean)
def _mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    # linear: the mean of the tangent over the same axes
    frame, (x,), (t,) = split([a])
    y = np.mean(x, axis=axis, dtype=dtype, keepdims=keepdims, where=where)
    tangent = None
    if t is not None:
        tangent = np.mean(t, axis=dirs.axes(axis, np.ndim(x)), keepdims=keepdims, where=where,
                          dtype=None if dtype is None else _float(dtype))
    return _into(out, frame.wrap(y, tangent))


def _float(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def _cumulative(value_func, ufunc: np.ufunc):
    def impl(a, axis=None, dtype=None, out=None):
        if axis is None:
            a = np.ravel(a)
            axis = 0
        frame, (x,), _ = split([a])
        y = value_func(x, axis=axis, dtype=dtype)
        kw = {} if dtype is None else {"dtype": dtype}
        acc = ufunc.accumulate(a, axis=axis, **kw)
        return _into(out, frame.wrap(y, acc._tangent))

    return impl


implements(np.cumsum)(_cumulative(np.cumsum, np.add))
implements(np.cumprod)(_cumulative(np.cumprod, np.multiply))


@implements(np.clip)
def _clip(a, a_min=_NoValue, a_max=_NoValue, out=None, *, min=_NoValue, max=_NoValue, **kwargs):
    lo = a_min if a_min is not _NoValue else (None if min is _NoValue else min)
    hi = a_max if a_max is not _NoValue else (None if max is _NoValue else max)
    if out is not None:
        kwargs["out"] = out
    if lo is None and hi is None:
        raise ValueError("One of max or min must be given")
    if lo is None:
        return np.minimum(a, hi, **kwargs)
    if hi is None:
        return np.maximum(a, lo, **kwargs)
    return np._core.umath.clip(a, lo, hi, **kwargs)


@implements(np.dot)
def _dot(a, b, out=None):
    # d(a·b) = da·b + a·db, with the direction axis moved where np.dot expects a free axis
    frame, (x, y), (ta, tb) = split([a, b])
    value = np.dot(x, y)
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return _into(out, np.multiply(a, b))
    t = None
    if ta is not None:
        t = np.dot(ta, y)
    if tb is not None:
        free = -1 if np.ndim(y) == 1 else -3
        where = np.ndim(x) - 1 + max(np.ndim(y) - 2, 0)
        c = dirs.from_axis(np.dot(x, dirs.to_axis(tb, free)), where)
        t = c if t is None else t + c
    return _into(out, frame.wrap(value, t))
