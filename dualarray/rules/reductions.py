"""Reductions, statistics, cumulative functions, differences, order statistics, sorting and counting.

Every rule computes its value with the NumPy function itself on the values (so the value is NumPy's,
bit for bit) and its tangent either from a short formula or from the same computation re-done on
DualArrays with operations that have rules (``composite._tangent``): that nests for second
derivatives with no extra code.

Conventions (also in README "Conventions at kinks"):

* ties of max/min/ptp/nanmax/nanmin split the derivative equally (the mean of the tied tangents);
* order statistics (median, quantile, percentile and their nan versions) do the same: a sorted
  position whose value is tied with others gets the mean tangent of its tie group;
* sort and partition permute the tangents with the values, ties in their original order (stable);
* std at zero spread has derivative 0 (like ``abs'(0) = 0``);
* nan-functions ignore the tangents at NaN positions; an all-NaN slice has tangent 0;
* unique values (and the value-returning set functions) get the mean tangent of the elements they
  stand for; indices, counts and membership are not differentiable.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import _directions as dirs
from .._core import DualArray, maybe_any, split
from .._registry import NON_DIFFERENTIABLE, given, implements, nondifferentiable
from .shape import _into
from .ufuncs import _reduce_extremum

_NoValue = np._NoValue


# ---------------------------------------------------------------- helpers
def _given(**kwargs: Any) -> dict[str, Any]:
    """Keywords the caller actually gave (NumPy's 'not given' marker dropped)."""
    return {k: v for k, v in kwargs.items() if v is not _NoValue}


def _reduce_kwargs(**kwargs: Any) -> dict[str, Any]:
    """Drop NumPy's 'not given' markers so the ufunc method sees only real keywords."""
    return {k: v for k, v in kwargs.items() if v is not _NoValue and v is not None or k == "axis"}


def _plain(x: Any) -> Any:
    """The plain numbers under every DualArray layer (for indices, masks and tie structure)."""
    while isinstance(x, DualArray):
        x = x.value
    return x


def _real_dtype(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.complexfloating):
        return np.finfo(dtype).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _tdtype(y: Any) -> np.dtype:
    """Tangent dtype of a result value: its inexact dtype, float64 for integers."""
    dtype = np.result_type(_plain(y))
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def _cast(t: Any, y: Any) -> Any:
    """``t`` in the tangent dtype of ``y`` (None stays None)."""
    if t is None:
        return None
    dtype = _tdtype(y)
    if not np.issubdtype(dtype, np.complexfloating) and np.iscomplexobj(_plain(t)):
        t = np.real(t)
    return t if np.result_type(_plain(t)) == dtype else t.astype(dtype)


def _tangent_of(composite: Any, y: Any) -> Any:
    """Tangent of a composite DualArray (None for a constant), cast to ``y``'s tangent dtype."""
    if not isinstance(composite, DualArray):
        return None
    return _cast(composite._tangent, y)


def _truncated(y: Any, x: Any) -> bool:
    """True when inexact data gave an integer (or bool) result (``dtype=int``, an integer ``out=``): the
    result is piecewise constant in the data, so its tangent is zero, as for ``x.astype(int)``."""
    return (not np.issubdtype(np.result_type(_plain(y)), np.inexact)
            and np.issubdtype(np.result_type(_plain(x)), np.inexact))


def _finish(frame: Any, y: Any, t: Any, out: Any = None, x: Any = None) -> Any:
    """Wrap the result ``y`` with tangent ``t`` (cast to ``y``'s tangent dtype; dropped when ``y`` is an
    integer cast of the inexact data ``x``) and write it into ``out``."""
    if t is not None and x is not None and _truncated(y, x):
        t = None
    return _into(out, frame.wrap(y, _cast(t, y)))


def _out_kw(out: Any, *values: Any) -> dict[str, Any]:
    """``{"out": buffer}`` for computing a value with NumPy into a plain buffer like ``out``'s value.

    With ``out=`` NumPy accumulates in, casts to and checks (raising where it refuses) the dtype of
    ``out``; computing into a buffer of that dtype gives NumPy's value bit for bit (and its errors).
    Only for plain values (nested DualArrays compute in their own dtype, then cast on writing).
    """
    if (isinstance(out, DualArray) and type(out.value) is np.ndarray
            and not any(isinstance(v, DualArray) for v in values)):
        return {"out": np.empty_like(out.value)}
    return {}


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    nd = len(shape)
    return tuple(1 if i - nd in axes else n for i, n in enumerate(shape))


def _squeeze_tangent(t: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    return t if keepdims or t is None or not axes else np.squeeze(t, axis=axes)


def _errstate():
    return np.errstate(divide="ignore", invalid="ignore", over="ignore")


def _with_tangent(d: DualArray, t: Any) -> DualArray:
    return DualArray._new(d.value, t, d._ndir, d._batched, d.tag)


def _gather(t: Any, idx: Any, ax: int) -> Any:
    """``take_along_axis`` on an internal tangent: ``t`` is (k, *s), ``idx`` broadcasts to s with any
    length along the (negative) axis ``ax``; nested tangents index the same way."""
    nd = t.ndim - 1
    idx = np.asarray(idx)
    if nd == 1 and idx.ndim == 1:
        return t[:, idx]
    shape = np.broadcast_shapes(
        idx.shape, tuple(1 if i - nd == ax else n for i, n in enumerate(t.shape[1:])))
    index = []
    for i in range(nd):
        if i - nd == ax:
            index.append(np.broadcast_to(idx, shape))
        else:
            grid = np.arange(t.shape[1 + i]).reshape([-1 if j == i else 1 for j in range(nd)])
            index.append(np.broadcast_to(grid, shape))
    return t[dirs.key(tuple(index))]


def _stable_argsort(x: Any, ax: int) -> np.ndarray:
    """``argsort(x, kind="stable")``, computed with the faster default sort when nothing ties."""
    idx = np.argsort(x, axis=ax)
    s = np.take_along_axis(x, idx, axis=ax)
    n = np.shape(s)[ax] if np.ndim(s) else 0
    if n < 2:
        return idx
    nd = np.ndim(s)
    a, b = s[_axis_slice(nd, ax, slice(1, None))], s[_axis_slice(nd, ax, slice(None, -1))]
    with np.errstate(invalid="ignore"):
        ties = (a == b) | (np.isnan(a) & np.isnan(b)) if np.issubdtype(s.dtype, np.inexact) else a == b
    return np.argsort(x, axis=ax, kind="stable") if np.any(ties) else idx


def _segment_sum(t: Any, labels: Any, m: int, order: Any = None) -> Any:
    """``out[:, j] = Σ_{labels_i = j} t[:, i]`` for a (k, n) tangent and integer labels in [0, m).

    Exact (reduceat over contiguous segments, no cumulative-sum cancellation), linear, nests.
    ``order`` (optional) is a permutation that makes equal labels contiguous.
    """
    labels = np.asarray(labels).ravel()
    if labels.size == 0:
        return np.zeros_like(t, shape=(t.shape[0], m))
    if order is None:
        order = np.argsort(labels)
    sl = labels[order]
    starts = np.flatnonzero(np.concatenate(([True], sl[1:] != sl[:-1])))
    sums = np.add.reduceat(t[:, order], starts, axis=-1)
    where = np.full(m + 1, len(starts))
    present = sl[starts]
    keep = present < m
    where[present[keep]] = np.flatnonzero(keep)
    zero = np.zeros_like(_plain(t), shape=(t.shape[0], 1))
    return np.concatenate([sums, zero], axis=-1)[:, where[:m]]


def _segment_mean(t: Any, labels: Any, m: int) -> Any:
    counts = np.bincount(np.asarray(labels).ravel(), minlength=m)[:m]
    s = _segment_sum(t, labels, m)
    return s / np.maximum(counts, 1).astype(_real_dtype(np.result_type(_plain(s))))


def _axis_tuple(axis: Any, nd: int) -> tuple[int, ...]:
    return dirs.axes(axis, nd) if nd else ()


# ---------------------------------------------------------------- sums, products, extrema
def _ufunc_reduce(ufunc: np.ufunc, a: Any, out: Any, kw: dict[str, Any]) -> Any:
    """``ufunc.reduce`` through its rule; with an ``out=`` of another dtype the value is NumPy's own
    (accumulated in ``out``'s dtype), the tangent the rule's."""
    result = ufunc.reduce(a, **kw)
    if out is None or not isinstance(result, DualArray):
        return _into(out, result)
    frame, (x,), _ = split([a])
    buffer = _out_kw(out, x)
    if not buffer or buffer["out"].dtype == np.result_type(_plain(result)):
        return _into(out, result)
    y = ufunc.reduce(x, **kw, **buffer)
    return _finish(frame, y, result._tangent, out, x)


@implements(np.sum)
def _sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True):
    kw = _reduce_kwargs(axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)
    return _ufunc_reduce(np.add, a, out, kw)


@implements(np.prod)
def _prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True):
    # d Π x = Σ_i Π_{j≠i} x_j dx_i, exact with zeros (the multiply.reduce rule)
    kw = _reduce_kwargs(axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)
    return _ufunc_reduce(np.multiply, a, out, kw)


def _extremum(ufunc: np.ufunc):
    def impl(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=True):
        kw = _reduce_kwargs(axis=axis, keepdims=keepdims, initial=initial, where=where)
        return _into(out, ufunc.reduce(a, **kw))

    return impl


implements(np.max, np.amax)(_extremum(np.maximum))
implements(np.min, np.amin)(_extremum(np.minimum))


@implements(np.ptp)
def _ptp(a, axis=None, out=None, keepdims=_NoValue):
    # ptp = max - min, ties split equally in each
    frame, (x,), (t,) = split([a])
    y = np.ptp(x, axis=axis, **_given(keepdims=keepdims), **_out_kw(out, x))
    if t is None:
        return _finish(frame, y, None, out)
    kd = keepdims is not _NoValue and bool(keepdims)
    d = frame.wrap(x, t)
    composite = np.max(d, axis=axis, keepdims=kd) - np.min(d, axis=axis, keepdims=kd)
    return _finish(frame, y, _tangent_of(composite, y), out, x)


def _nan_extremum(func):
    def impl(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
        # like max/min over the non-NaN entries: NaN never equals the result, so it gets no weight
        frame, (x,), (t,) = split([a])
        kw = _given(keepdims=keepdims, initial=initial, where=where)
        buffer = _out_kw(out, x)
        with np.errstate(invalid="ignore"):
            y0 = func(x, axis=axis, **kw)  # in x's dtype: the entries equal to it get the derivative
            y = func(x, axis=axis, **kw, **buffer) if buffer else y0
        if t is None:
            return _finish(frame, y, None, out)
        nd = np.ndim(x)
        axes = _axis_tuple(axis, nd)
        kd = keepdims is not _NoValue and bool(keepdims)
        y_kd = y0 if kd else np.reshape(y0, _kept_shape(np.shape(x), axes))
        w = True if where is _NoValue else where
        tangent = _reduce_extremum(x, t, y_kd, axes, w, np._NoValue)
        return _finish(frame, y, _squeeze_tangent(tangent, axes, kd), out, x)

    return impl


implements(np.nanmax)(_nan_extremum(np.nanmax))
implements(np.nanmin)(_nan_extremum(np.nanmin))


def _nan_fill(nan_func, func, fill: float):
    """``nansum``/``nanprod``: ``func`` with NaN replaced by ``fill`` (their tangents are dropped)."""

    def impl(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
        frame, (x,), (t,) = split([a])
        kw = _given(keepdims=keepdims, initial=initial, where=where)
        y = nan_func(x, axis=axis, dtype=dtype, **kw, **_out_kw(out, x))
        if t is None or _truncated(y, x):
            return _finish(frame, y, None, out)
        kw.pop("initial", None)
        d = np.where(np.isnan(_plain(x)), fill, frame.wrap(x, t))
        return _finish(frame, y, _tangent_of(func(d, axis=axis, **kw), y), out, x)

    return impl


implements(np.nansum)(_nan_fill(np.nansum, np.sum, 0))
implements(np.nanprod)(_nan_fill(np.nanprod, np.prod, 1))  # exact with zeros, through multiply.reduce


# ---------------------------------------------------------------- means and moments
@implements(np.mean)
def _mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    # linear: the mean of the tangent over the same axes
    frame, (x,), (t,) = split([a])
    given = {**({"keepdims": True} if keepdims else {}), **({} if where is True else {"where": where})}
    y = np.mean(x, axis=axis, dtype=dtype, **given, **_out_kw(out, x))
    tangent = None
    if t is not None and not _truncated(y, x):
        tangent = np.mean(t, axis=dirs.axes(axis, np.ndim(x)), dtype=_float(np.result_type(_plain(y))), **given)
    return _finish(frame, y, tangent, out, x)


def _float(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


@implements(np.nanmean)
def _nanmean(a, axis=None, dtype=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    # Σ_valid dx / n_valid (an all-NaN slice gets tangent 0)
    frame, (x,), (t,) = split([a])
    y = np.nanmean(x, axis=axis, dtype=dtype, **_given(keepdims=keepdims, where=where), **_out_kw(out, x))
    if t is None or _truncated(y, x):
        return _finish(frame, y, None, out)
    nd = np.ndim(x)
    axes = _axis_tuple(axis, nd)
    kd = keepdims is not _NoValue and bool(keepdims)
    valid = _valid(x, True if where is _NoValue else where, nan=True)
    s = np.sum(np.where(valid, t, 0), axis=axes, keepdims=True)
    n = np.maximum(np.sum(valid, axis=axes, keepdims=True), 1).astype(_real_dtype(_tdtype(y)))
    return _finish(frame, y, _squeeze_tangent(s / n, axes, kd), out, x)


def _valid(x: Any, where: Any, nan: bool) -> Any:
    """Boolean mask (value shape) of the entries taking part in a reduction."""
    xp = _plain(x)
    valid = np.broadcast_to(np.asarray(_plain(where), dtype=bool), np.shape(xp))
    if nan:
        valid = valid & ~np.isnan(xp)
    return valid


def _variance(func, a, axis, dtype, out, ddof, keepdims, where, mean, correction, std, nan):
    # var = Σ|x - m|² / (N - ddof)  ⇒  dvar = 2 Σ Re(conj(x - m)(dx - dm)) / (N - ddof)   (Σ (x - m) = 0)
    # std = √var  ⇒  dstd = dvar / (2 std), and 0 where std = 0
    frame, (x, m_given), (t, tm) = split([a, None if mean is _NoValue else mean])
    kw = _given(keepdims=keepdims, where=where, mean=m_given if mean is not _NoValue else _NoValue,
                correction=correction)
    y = func(x, axis=axis, dtype=dtype, ddof=ddof, **kw, **_out_kw(out, x, m_given))
    if (t is None and tm is None) or _truncated(y, x):
        return _finish(frame, y, None, out)
    if correction is not _NoValue:
        ddof = correction
    nd = np.ndim(x)
    axes = _axis_tuple(axis, nd)
    kd = keepdims is not _NoValue and bool(keepdims)
    valid = _valid(x, True if where is _NoValue else where, nan)
    full = not nan and where is _NoValue
    if m_given is None:
        m = np.mean(x, axis=axes, keepdims=True, **({} if full else {"where": valid}))
    else:
        m = m_given
    dev = x - m
    if not full:
        dev = np.where(valid, dev, 0)
    if t is None:
        dx = -dirs.broadcast_to(dirs.align(tm, nd), np.shape(_plain(x)))
    elif tm is None:
        dx = t
    else:
        dx = t - dirs.align(tm, nd)
    prod = np.conj(dev) * dx if np.iscomplexobj(_plain(x)) else dev * dx
    if np.iscomplexobj(_plain(prod)):
        prod = np.real(prod)
    if not full:
        prod = np.where(valid, prod, 0)
    rdt = _real_dtype(_tdtype(y))
    n = np.sum(valid, axis=axes, keepdims=True).astype(rdt)
    s = np.sum(prod, axis=axes, keepdims=True)
    with _errstate():
        dvar = s * (2 / (n - ddof)).astype(rdt)
        if std:
            sd = y if kd else np.reshape(y, _kept_shape(np.shape(_plain(x)), axes))
            zero = np.equal(_plain(sd), 0)
            dvar = dvar / (2 * sd)
            if maybe_any(zero):
                dvar = np.where(zero, 0, dvar)
    return _finish(frame, y, _squeeze_tangent(dvar, axes, kd), out, x)


def _moment(func, std: bool, nan: bool):
    def impl(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
             mean=_NoValue, correction=_NoValue):
        return _variance(func, a, axis, dtype, out, ddof, keepdims, where, mean, correction, std, nan)

    return impl


implements(np.var)(_moment(np.var, std=False, nan=False))
implements(np.std)(_moment(np.std, std=True, nan=False))
implements(np.nanvar)(_moment(np.nanvar, std=False, nan=True))
implements(np.nanstd)(_moment(np.nanstd, std=True, nan=True))


@implements(np.average)
def _average(a, axis=None, weights=None, returned=False, *, keepdims=_NoValue):
    # Σ w·a / Σ w: differentiable in a and in the weights (the composite gives both tangents)
    frame, (x, w), (ta, tw) = split([a, weights])
    kw = _given(keepdims=keepdims)
    result = np.average(x, axis=axis, weights=w, returned=returned, **kw)
    avg, scl = result if returned else (result, None)
    kd = keepdims is not _NoValue and bool(keepdims)
    xp = _plain(x)
    A = frame.wrap(x, ta)
    if weights is None:
        t_avg = _tangent_of(np.mean(A, axis=axis, keepdims=kd), avg) if ta is not None else None
        t_scl = None
    else:
        W = frame.wrap(w, tw) if tw is not None else w
        if np.shape(_plain(w)) != np.shape(xp):
            axn = tuple(int(a) % xp.ndim for a in ((axis,) if np.ndim(axis) == 0 else axis))
            ax = tuple(sorted(axn))
            order = tuple(int(i) for i in np.argsort(axn))
            W = np.transpose(W, order) if len(order) > 1 else W
            W = np.reshape(W, tuple(s if i in ax else 1 for i, s in enumerate(xp.shape)))
        den = np.sum(W, axis=axis, keepdims=kd)
        composite = np.sum(A * W, axis=axis, keepdims=kd) / den
        t_avg = _tangent_of(composite, avg)
        t_scl = _tangent_of(den, scl) if returned else None
        if t_scl is not None and t_scl.shape[1:] != np.shape(_plain(scl)):
            t_scl = np.copy(dirs.broadcast_to(t_scl, np.shape(_plain(scl))))
    y = frame.wrap(avg, t_avg)
    if not returned:
        return y
    if weights is None:
        return y, scl
    return y, frame.wrap(scl, t_scl)


# ---------------------------------------------------------------- cumulative
def _cumulative(value_func, ufunc: np.ufunc):
    def impl(a, axis=None, dtype=None, out=None):
        if axis is None:
            a = np.ravel(a)
            axis = 0
        frame, (x,), _ = split([a])
        y = value_func(x, axis=axis, dtype=dtype, **_out_kw(out, x))
        if _truncated(y, x):
            return _finish(frame, y, None, out)
        kw = {} if dtype is None else {"dtype": dtype}
        acc = ufunc.accumulate(a, axis=axis, **kw)
        return _finish(frame, y, acc._tangent, out, x)

    return impl


implements(np.cumsum)(_cumulative(np.cumsum, np.add))
implements(np.cumprod)(_cumulative(np.cumprod, np.multiply))


def _cumulative_array_api(value_func, ufunc: np.ufunc, fill):
    def impl(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
        # the accumulate rule, with the initial 0 (or 1) as a constant in front
        frame, (v,), (t,) = split([x])
        y = value_func(v, axis=axis, dtype=dtype, include_initial=include_initial, **_out_kw(out, v))
        if t is None or _truncated(y, v):
            return _finish(frame, y, None, out)
        ax = 0 if axis is None else axis
        d = frame.wrap(v, t)
        if include_initial:
            shape = list(np.shape(_plain(v)))
            shape[ax] = 1
            d = np.concatenate([fill(d, shape=tuple(shape)), d], axis=ax)
        acc = ufunc.accumulate(d, axis=ax)
        return _finish(frame, y, _tangent_of(acc, y), out, v)

    return impl


implements(np.cumulative_sum)(_cumulative_array_api(np.cumulative_sum, np.add, np.zeros_like))
implements(np.cumulative_prod)(_cumulative_array_api(np.cumulative_prod, np.multiply, np.ones_like))


def _nan_cumulative(value_func, plain_func, neutral):
    def impl(a, axis=None, dtype=None, out=None):
        # cumsum/cumprod with NaN replaced by 0/1: their tangents are dropped
        frame, (x,), (t,) = split([a])
        y = value_func(x, axis=axis, dtype=dtype, **_out_kw(out, x))
        if t is None or _truncated(y, x):
            return _finish(frame, y, None, out)
        d = np.where(np.isnan(_plain(x)), neutral, frame.wrap(x, t))
        return _finish(frame, y, _tangent_of(plain_func(d, axis=axis), y), out, x)

    return impl


implements(np.nancumsum)(_nan_cumulative(np.nancumsum, np.cumsum, 0))
implements(np.nancumprod)(_nan_cumulative(np.nancumprod, np.cumprod, 1))


# ---------------------------------------------------------------- differences, gradient, integration
@implements(np.diff)
def _diff(a, n=1, axis=-1, prepend=_NoValue, append=_NoValue):
    # linear in a, prepend and append: the n-th difference of the joined tangents
    frame, (x, p, q), (t, tp, tq) = split([a, prepend, append])
    y = np.diff(x, n=n, axis=axis, **_given(prepend=p if prepend is not _NoValue else _NoValue,
                                            append=q if append is not _NoValue else _NoValue))
    if n == 0 or (t is None and tp is None and tq is None):
        return frame.wrap(y, t if n == 0 else None)
    nd = np.ndim(_plain(x))
    parts = []
    for arg, val, tan in ((prepend, p, tp), (a, x, t), (append, q, tq)):
        if arg is _NoValue:
            continue
        d = frame.wrap(val, tan) if tan is not None else val
        if np.ndim(_plain(val)) == 0:
            shape = list(np.shape(_plain(x)))
            shape[axis] = 1
            d = np.broadcast_to(d, tuple(shape))
        parts.append(d)
    joined = np.concatenate(parts, axis=axis) if len(parts) > 1 else parts[0]
    tj = joined._tangent if isinstance(joined, DualArray) else None
    if tj is None:
        return frame.wrap(y, None)
    return frame.wrap(y, _cast(np.diff(tj, n=n, axis=dirs.axis(axis, nd)), y))


@implements(np.ediff1d)
def _ediff1d(ary, to_end=None, to_begin=None):
    # [to_begin, ary[1:] - ary[:-1], to_end], all flattened: linear in every argument
    frame, (x, e, b), (t, te, tb) = split([ary, to_end, to_begin])
    y = np.ediff1d(x, to_end=e, to_begin=b)
    if t is None and te is None and tb is None:
        return frame.wrap(y, None)
    r = np.ravel(frame.wrap(x, t))
    parts = [r[1:] - r[:-1]]
    if to_begin is not None:
        parts.insert(0, np.ravel(frame.wrap(b, tb) if tb is not None else b))
    if to_end is not None:
        parts.append(np.ravel(frame.wrap(e, te) if te is not None else e))
    composite = np.concatenate(parts) if len(parts) > 1 else parts[0]
    return frame.wrap(y, _tangent_of(composite, y))


def _axis_slice(nd: int, ax: int, s: slice) -> tuple:
    key = [slice(None)] * nd
    key[ax] = s
    return tuple(key)


def _gradient_axis(F: Any, h: Any, ax: int, edge_order: int) -> Any:
    """NumPy's gradient along one axis, written on (possibly dual) arrays; ``h`` scalar or coordinates."""
    nd = np.ndim(_plain(F))
    S = lambda s: F[_axis_slice(nd, ax, s)]  # noqa: E731
    if np.ndim(_plain(h)) == 0:
        interior = (S(slice(2, None)) - S(slice(None, -2))) / (2.0 * h)
        if edge_order == 1:
            first = (S(slice(1, 2)) - S(slice(0, 1))) / h
            last = (S(slice(-1, None)) - S(slice(-2, -1))) / h
        else:
            first = (-1.5 * S(slice(0, 1)) + 2.0 * S(slice(1, 2)) - 0.5 * S(slice(2, 3))) / h
            last = (0.5 * S(slice(-3, -2)) - 2.0 * S(slice(-2, -1)) + 1.5 * S(slice(-1, None))) / h
        return np.concatenate([first, interior, last], axis=ax)
    dx = np.diff(h)
    shape = [1] * nd
    shape[ax] = -1
    r = lambda v: np.reshape(v, shape)  # noqa: E731
    dx1, dx2 = r(dx[:-1]), r(dx[1:])
    a = -dx2 / (dx1 * (dx1 + dx2))
    b = (dx2 - dx1) / (dx1 * dx2)
    c = dx1 / (dx2 * (dx1 + dx2))
    interior = a * S(slice(None, -2)) + b * S(slice(1, -1)) + c * S(slice(2, None))
    if edge_order == 1:
        first = (S(slice(1, 2)) - S(slice(0, 1))) / r(dx[0:1])
        last = (S(slice(-1, None)) - S(slice(-2, -1))) / r(dx[-1:])
    else:
        d1, d2 = r(dx[0:1]), r(dx[1:2])
        first = (-(2.0 * d1 + d2) / (d1 * (d1 + d2)) * S(slice(0, 1)) + (d1 + d2) / (d1 * d2) * S(slice(1, 2))
                 - d1 / (d2 * (d1 + d2)) * S(slice(2, 3)))
        d1, d2 = r(dx[-2:-1]), r(dx[-1:])
        last = (d2 / (d1 * (d1 + d2)) * S(slice(-3, -2)) - (d2 + d1) / (d1 * d2) * S(slice(-2, -1))
                + (2.0 * d2 + d1) / (d2 * (d1 + d2)) * S(slice(-1, None)))
    return np.concatenate([first, interior, last], axis=ax)


@implements(np.gradient)
def _gradient(f, *varargs, axis=None, edge_order=1):
    # central differences: linear in f; in the spacings through NumPy's (non-uniform) coefficients
    frame, (x, *hs), (t, *ths) = split([f, *varargs])
    y = np.gradient(x, *hs, axis=axis, edge_order=edge_order)
    nd = np.ndim(_plain(x))
    axes = tuple(range(nd)) if axis is None else tuple(a % nd for a in np.atleast_1d(axis))
    spacing = [frame.wrap(h, th) if th is not None else h for h, th in zip(hs, ths, strict=True)]
    if not spacing:
        spacing = [1.0] * len(axes)
    elif len(spacing) == 1 and np.ndim(_plain(spacing[0])) == 0:
        spacing = spacing * len(axes)
    F = frame.wrap(x, t)
    if not np.issubdtype(np.result_type(_plain(x)), np.inexact):
        F = F.astype(np.float64)
    outs = y if isinstance(y, tuple | list) else (y,)
    results = []
    for out_y, ax, h in zip(outs, axes, spacing, strict=True):
        composite = _gradient_axis(F, h, ax, edge_order)
        results.append(frame.wrap(out_y, _tangent_of(composite, out_y)))
    return type(y)(results) if isinstance(y, tuple | list) else results[0]


@implements(np.trapezoid)
def _trapezoid(y, x=None, dx=1.0, axis=-1):
    # Σ d·(y[1:] + y[:-1]) / 2: linear in y, smooth in x (and dx)
    frame, (yv, xv, dxv), (ty, tx, tdx) = split([y, x, dx])
    value = np.trapezoid(yv, x=xv, dx=dxv, axis=axis)
    Y = frame.wrap(yv, ty)
    nd = np.ndim(_plain(yv))
    if x is None:
        d = frame.wrap(dxv, tdx) if tdx is not None else dxv
    else:
        X = frame.wrap(xv, tx) if tx is not None else xv
        if np.ndim(_plain(xv)) == 1:
            d = np.diff(X)
            shape = [1] * nd
            shape[axis] = -1
            d = np.reshape(d, shape)
        else:
            d = np.diff(X, axis=axis)
    upper, lower = Y[_axis_slice(nd, axis, slice(1, None))], Y[_axis_slice(nd, axis, slice(None, -1))]
    composite = np.sum(d * (upper + lower) / 2.0, axis=axis)
    return frame.wrap(value, _tangent_of(composite, value))


# ---------------------------------------------------------------- sorting
@implements(np.sort)
def _sort(a, axis=-1, kind=None, order=None, *, stable=None):
    # tangents permuted with the values; tied values keep their tangents in input order (stable)
    frame, (x,), (t,) = split([a])
    y = np.sort(x, axis=axis, kind=kind, order=order, stable=stable)
    if t is None:
        return frame.wrap(y, None)
    xp = _plain(x)
    if axis is None:
        xp, t, ax = np.ravel(xp), dirs.flatten(t), -1
    else:
        ax = dirs.axis(axis, np.ndim(xp))
    idx = _stable_argsort(xp, ax)
    return frame.wrap(y, _cast(_gather(t, idx, ax), y))


@implements(np.partition)
def _partition(a, kth, axis=-1, kind="introselect", order=None):
    # the tangents follow the values: the r-th smallest output slot takes the r-th smallest input's
    # tangent (both ranked stably, so ties keep their input order)
    frame, (x,), (t,) = split([a])
    y = np.partition(x, kth, axis=axis, kind=kind, order=order)
    if t is None:
        return frame.wrap(y, None)
    xp, yp = _plain(x), _plain(y)
    if axis is None:
        xp, t, ax = np.ravel(xp), dirs.flatten(t), -1
    else:
        ax = dirs.axis(axis, np.ndim(xp))
    ix = _stable_argsort(xp, ax)
    iy = _stable_argsort(yp, ax)
    perm = np.empty_like(ix)
    np.put_along_axis(perm, iy, ix, axis=ax)
    return frame.wrap(y, _cast(_gather(t, perm, ax), y))


# ---------------------------------------------------------------- order statistics
def _tie_average(S: Any) -> Any:
    """Replace the tangent of a sorted (along the last axis) DualArray by its tie-group means."""
    if not isinstance(S, DualArray) or S._tangent is None:
        return S
    xs = _plain(S)
    n = xs.shape[-1]
    if n < 2:
        return S
    same = xs[..., 1:] == xs[..., :-1]
    if not np.any(same):
        return S
    rows = int(np.prod(xs.shape[:-1]))
    new = np.concatenate([np.ones((*xs.shape[:-1], 1), dtype=bool), ~same], axis=-1).ravel()
    labels = np.cumsum(new) - 1
    m = int(labels[-1]) + 1 if labels.size else 0
    t = dirs.reshape(S._tangent, (rows * n,))
    mean = _segment_mean(t, labels, m)
    return _with_tangent(S, dirs.reshape(mean[dirs.key(labels)], xs.shape))


# (alpha, beta) of the continuous Hyndman-Fan methods: virtual index n q + (alpha + q (1 - alpha - beta)) - 1
_CONTINUOUS = {
    "interpolated_inverted_cdf": (0.0, 1.0), "hazen": (0.5, 0.5), "weibull": (0.0, 0.0),
    "median_unbiased": (1 / 3.0, 1 / 3.0), "normal_unbiased": (3 / 8.0, 3 / 8.0),
}
_DISCRETE = {"lower", "higher", "nearest", "inverted_cdf", "closest_observation"}
_METHODS = {"linear", "midpoint", "averaged_inverted_cdf", *_CONTINUOUS, *_DISCRETE}


def _count_like(n: Any, qp: np.ndarray) -> Any:
    """The sample size ``n`` (ints) as NumPy's ``n * q`` sees it: a Python int is weak, so it takes q's dtype."""
    return n.astype(qp.dtype) if np.issubdtype(qp.dtype, np.inexact) else n


def _positions(method: str, nvr: Any, qp: np.ndarray, Qr: Any) -> tuple[Any, Any, Any]:
    """Sorted positions ``lo``, ``hi`` and the weight ``w`` of ``s[hi]`` (a constant, or a DualArray in q)
    of NumPy's quantile ``method``: result ``s[lo] + (s[hi] - s[lo])·w``.

    The virtual index is computed with NumPy's own arithmetic (same formula, same dtype), so the branch
    taken at an integral index (midpoint, lower, higher, ...) is NumPy's branch.
    """
    top = np.maximum(nvr - 1, 0)
    m = _count_like(nvr, qp)
    with np.errstate(invalid="ignore"):
        if method in _DISCRETE:
            # one sample: NumPy's integer index (numpy/lib/_function_base_impl.py, _QuantileMethods)
            if method in ("lower", "higher", "nearest"):
                g = _count_like(nvr - 1, qp) * qp
                idx = np.floor(g) if method == "lower" else np.ceil(g) if method == "higher" else np.around(g)
            else:
                index = m * qp - 1 if method == "inverted_cdf" else m * qp - 1 - 0.5
                prev = np.floor(index)
                gamma = index - prev
                stay = gamma == 0
                if method == "closest_observation":
                    stay = stay & (prev % 2 == 1)
                idx = np.where(stay, prev, prev + 1)
            idx = np.clip(np.nan_to_num(idx), 0, top).astype(np.intp)
            return idx, idx, 0.0
        dual = isinstance(Qr, DualArray)
        if method == "linear":
            m1 = _count_like(nvr - 1, qp)
            g = m1 * qp
            G = Qr * m1 if dual else None
        elif method == "midpoint":
            g0 = _count_like(nvr - 1, qp) * qp
            g, G = 0.5 * (np.floor(g0) + np.ceil(g0)), None
        elif method == "averaged_inverted_cdf":
            g, G = m * qp - 1, None
        else:
            alpha, beta = _CONTINUOUS[method]
            g = m * qp + (alpha + qp * (1 - alpha - beta)) - 1
            G = Qr * m + (alpha + Qr * (1 - alpha - beta)) - 1 if dual else None
        g = np.asarray(g)
        prev = np.floor(np.nan_to_num(g))
        inside = (g >= 0) & (g < nvr - 1)  # NumPy: both neighbours are s[0] below, s[n-1] at and above
        lo = np.where(g < 0, 0, np.clip(prev, 0, top)).astype(np.intp)
        hi = np.where(inside, lo + 1, lo).astype(np.intp)
        if method == "midpoint":
            # NumPy's gamma is 0.5, and 0 where the virtual index is integral (one sample)
            w = np.where(g % 1 == 0, 0.0, 0.5)
        elif method == "averaged_inverted_cdf":
            # gamma 0.5 at an integral n q (mean of two samples), else 1: the upper sample alone
            upper = inside & (g - prev != 0)
            lo = np.where(upper, hi, lo)
            w = np.where(inside & ~upper, 0.5, 0.0)
        else:
            # NumPy's gamma g - ⌊g⌋ (same value, same dtype), differentiable in q
            w = g - prev if G is None else G - prev
    return lo, hi, w


def _order_statistic(A: Any, Q: Any, axis: Any, keepdims: bool, nan: bool, method: str) -> Any:
    """Quantile ``Q`` (in [0, 1], any shape) of ``A`` along ``axis``, on (possibly dual) arrays.

    Sorted values ``s`` (tie groups sharing their mean tangent), positions and weight from NumPy's
    ``method`` (:func:`_positions`), result ``s[lo] + (s[hi] - s[lo])·w``; nan versions use the
    per-slice count of non-NaN values for n and give NaN entries a zero tangent.
    Output shape: ``q.shape + reduced shape``.
    """
    if method not in _METHODS:
        raise NotImplementedError(
            f"quantile method {method!r} has no derivative rule for DualArrays; "
            f"use one of {sorted(_METHODS)}")
    xp = _plain(A)
    nd = xp.ndim
    if nan and isinstance(A, DualArray) and np.any(np.isnan(xp)):
        A = np.where(np.isnan(xp), xp, A)  # NaN entries never carry a tangent (an all-NaN slice gets 0)
    axes = tuple(range(nd)) if axis is None else tuple(sorted(a % nd for a in np.atleast_1d(axis)))
    keep = [i for i in range(nd) if i not in axes]
    lead = tuple(xp.shape[i] for i in keep)
    n = int(np.prod([xp.shape[i] for i in axes]))
    Am = np.reshape(np.transpose(A, keep + list(axes)), (*lead, n)) if nd else np.reshape(A, (1,))
    S = _tie_average(np.sort(Am, axis=-1))
    xs = _plain(S)
    nv = np.sum(~np.isnan(xs), axis=-1) if nan else np.full(lead, n)
    qp = np.asarray(_plain(Q))
    qshape = qp.shape
    Qr = np.reshape(Q, (1,) * len(lead) + qshape)
    nvr = np.reshape(nv, lead + (1,) * len(qshape))
    lo, hi, w = _positions(method, nvr, np.reshape(qp, (1,) * len(lead) + qshape), Qr)
    grid = [np.arange(s).reshape((-1,) + (1,) * (len(lead) - 1 - i + len(qshape)))
            for i, s in enumerate(lead)]
    s_lo = S[(*grid, lo)]
    if np.all(lo == hi):
        R = s_lo
    else:
        R = s_lo + (S[(*grid, hi)] - s_lo) * w
    if qshape:
        R = np.moveaxis(R, tuple(range(len(lead), len(lead) + len(qshape))), tuple(range(len(qshape))))
    if keepdims:
        R = np.reshape(R, qshape + tuple(1 if i in axes else s for i, s in enumerate(xp.shape)))
    return R


def _quantile_like(func, scale: float, nan: bool):
    def impl(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=_NoValue, *,
             weights=None, interpolation=None):
        frame, (x, qv, wv), (t, tq, tw) = split([a, q, weights])
        kw = _given(keepdims=keepdims)
        if weights is not None:
            kw["weights"] = wv
        if interpolation is not None:  # NumPy's deprecated spelling of method=
            kw["interpolation"] = interpolation
        else:
            kw["method"] = method
        y = func(x, qv, axis=axis, **kw, **_out_kw(out, x, qv, wv))
        method = method if interpolation is None else interpolation
        if t is None and tq is None:
            return _finish(frame, y, None, out)
        if weights is not None:
            raise NotImplementedError(f"{func.__name__} with weights= has no derivative rule for DualArrays")
        A = frame.wrap(x, t)
        Q = frame.wrap(qv, tq) if tq is not None else np.asarray(qv) if isinstance(qv, list | tuple) else qv
        if scale != 1:
            Q = Q / scale
        kd = keepdims is not _NoValue and bool(keepdims)
        R = _order_statistic(A, Q, axis, kd, nan, method)
        return _finish(frame, y, _tangent_of(R, y), out, x)

    return impl


implements(np.quantile)(_quantile_like(np.quantile, 1, nan=False))
implements(np.percentile)(_quantile_like(np.percentile, 100, nan=False))
implements(np.nanquantile)(_quantile_like(np.nanquantile, 1, nan=True))
implements(np.nanpercentile)(_quantile_like(np.nanpercentile, 100, nan=True))


def _median_like(func, nan: bool):
    def impl(a, axis=None, out=None, overwrite_input=False, keepdims=_NoValue):
        # the 0.5 quantile: ties split equally between the tied elements
        frame, (x,), (t,) = split([a])
        y = func(x, axis=axis, **_given(keepdims=keepdims), **_out_kw(out, x))
        if t is None:
            return _finish(frame, y, None, out)
        kd = keepdims is not _NoValue and bool(keepdims)
        R = _order_statistic(frame.wrap(x, t), 0.5, axis, kd, nan, "linear")
        return _finish(frame, y, _tangent_of(R, y), out, x)

    return impl


implements(np.median)(_median_like(np.median, nan=False))
implements(np.nanmedian)(_median_like(np.nanmedian, nan=True))


# ---------------------------------------------------------------- unique values and sets
def _match_mean(u: Any, pool: Any, t_pool: Any) -> Any:
    """Tangent for each distinct value in ``u``: the mean tangent of the pool entries equal to it."""
    up = np.ravel(_plain(u))
    pp = np.ravel(_plain(pool))
    m = len(up)
    order_u = np.argsort(up)
    order_p = np.argsort(pp)  # sorted queries: a fast search, and equal values contiguous
    sp = pp[order_p]
    pos = np.clip(np.searchsorted(up[order_u], sp), 0, max(m - 1, 0))
    lab = order_u[pos] if m else np.zeros(len(pp), dtype=np.intp)
    with np.errstate(invalid="ignore"):
        hit = (up[lab] == sp) | (np.isnan(up[lab]) & np.isnan(sp)) if m else np.zeros(len(pp), bool)
    labels = np.empty(len(pp), dtype=np.intp)
    labels[order_p] = np.where(hit, lab, m)
    counts = np.bincount(labels, minlength=m + 1)[:m]
    sums = _segment_sum(dirs.flatten(t_pool), labels, m + 1, order=order_p)[:, :m]
    mean = sums / np.maximum(counts, 1).astype(_real_dtype(np.result_type(_plain(sums))))
    return dirs.reshape(mean, np.shape(_plain(u)))


def _pool(frame, arrays: list, values: list, tangents: list) -> tuple[Any, Any]:
    """Flattened values and tangents of several arrays, zeros for the constants."""
    vs, ts = [], []
    for v, t in zip(values, tangents, strict=True):
        vs.append(np.ravel(_plain(v)))
        ts.append(dirs.flatten(frame.zeros(v) if t is None else t))
    return np.concatenate(vs), (np.concatenate(ts, axis=-1) if len(ts) > 1 else ts[0])


def _value_result(frame, result: Any, values: list, tangents: list) -> Any:
    """Wrap the first output (the distinct values) with matched mean tangents; the rest stay plain."""
    multi = isinstance(result, tuple)
    u = result[0] if multi else result
    if all(t is None for t in tangents):
        du = frame.wrap(u, None)
    else:
        pool, tp = _pool(frame, None, values, tangents)
        du = frame.wrap(u, _cast(_match_mean(u, pool, tp), u))
    if not multi:
        return du
    return type(result)(du, *result[1:]) if hasattr(result, "_fields") else (du, *result[1:])


@implements(np.unique)
def _unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *, equal_nan=True,
            sorted=True):
    frame, (x,), (t,) = split([ar])
    # ``sorted`` is new in NumPy 2.3: pass it on only when it is not the default (older NumPy refuses it)
    sort_kw = {} if sorted is True else {"sorted": sorted}
    result = np.unique(x, return_index=return_index, return_inverse=return_inverse,
                       return_counts=return_counts, axis=axis, equal_nan=equal_nan, **sort_kw)
    if axis is None or t is None:
        return _value_result(frame, result, [x], [t])
    # unique sub-arrays along an axis: mean of the tangents of each group of equal slices
    inverse = np.unique(_plain(x), return_inverse=True, axis=axis, equal_nan=equal_nan, **sort_kw)[1]
    u = result[0] if isinstance(result, tuple) else result
    ax = dirs.axis(axis, np.ndim(_plain(x)))
    tm = np.moveaxis(t, ax, 1)
    rest = tm.shape[2:]
    mean = _segment_mean(np.moveaxis(np.reshape(tm, (tm.shape[0], tm.shape[1], -1)), 1, -1)
                         .reshape((-1, tm.shape[1])), np.ravel(inverse), np.shape(_plain(u))[axis])
    m = mean.shape[-1]
    tu = np.moveaxis(np.reshape(np.moveaxis(np.reshape(mean, (tm.shape[0], -1, m)), -1, 1),
                                (tm.shape[0], m, *rest)), 1, ax)
    du = frame.wrap(u, _cast(tu, u))
    return (du, *result[1:]) if isinstance(result, tuple) else du


def _unique_array_api(func):
    def impl(x):
        frame, (v,), (t,) = split([x])
        return _value_result(frame, func(v), [v], [t])

    return impl


for _f in (np.unique_values, np.unique_counts, np.unique_inverse, np.unique_all):
    implements(_f)(_unique_array_api(_f))


def _set_function(func):
    def impl(ar1, ar2, *args, **kwargs):
        # the distinct values that come out get the mean tangent of the inputs equal to them
        frame, values, tangents = split([ar1, ar2])
        result = func(*values, *args, **kwargs)
        return _value_result(frame, result, values, tangents)

    return impl


for _f in (np.intersect1d, np.union1d, np.setdiff1d, np.setxor1d):
    implements(_f)(_set_function(_f))


# ---------------------------------------------------------------- histograms and counting
def _auto_edges(frame, x: Any, t: Any, bins: Any, range_: Any, edges: Any) -> Any:
    """Bin edges as a DualArray: ``linspace(min, max, n + 1)`` moves with the data's min and max
    (ties split equally); edges from ``range=`` or given explicitly are constants."""
    if t is None or range_ is not None or np.ndim(_plain(bins)) == 1 or np.size(_plain(x)) == 0:
        return frame.wrap(edges, None)
    d = frame.wrap(x, t)
    lo, hi = np.min(d), np.max(d)
    w = np.linspace(0.0, 1.0, np.size(_plain(edges)))
    t_lo = dirs.align(frame.zeros(lo.value) if lo._tangent is None else lo._tangent, 1)
    t_hi = dirs.align(frame.zeros(hi.value) if hi._tangent is None else hi._tangent, 1)
    return frame.wrap(edges, _cast(t_lo * (1 - w) + t_hi * w, edges))


@implements(np.histogram_bin_edges)
def _histogram_bin_edges(a, bins=10, range=None, weights=None):
    frame, (x, b), (t, tb) = split([a, bins])
    edges = np.histogram_bin_edges(x, bins=b, range=range, weights=_plain(weights))
    if tb is not None:
        return frame.wrap(edges, tb)
    return _auto_edges(frame, x, t, b, range, edges)


@implements(np.histogram)
def _histogram(a, bins=10, range=None, density=None, weights=None):
    # counts are piecewise constant in a; weighted counts are linear in the weights;
    # automatic edges move with min and max; density = counts / Σ counts / bin widths
    frame, (x, b, w), (t, tb, tw) = split([a, bins, weights])
    hist, edges = np.histogram(x, bins=b, range=range, density=density, weights=w)
    E = frame.wrap(edges, tb) if tb is not None else _auto_edges(frame, x, t, b, range, edges)
    if weights is None and not density:
        return hist, E
    xp = np.ravel(_plain(x))
    ep = np.asarray(_plain(edges))
    nb = len(ep) - 1
    labels = np.searchsorted(ep, xp, side="right") - 1
    labels[xp == ep[-1]] = nb - 1
    labels = np.where((xp < ep[0]) | (xp > ep[-1]) | np.isnan(xp), nb, labels)
    if weights is None:
        C = np.bincount(labels, minlength=nb + 1)[:nb].astype(np.float64)
    else:
        # weighted counts from the (possibly nested) weight values, so they nest too
        counts = _segment_sum(np.reshape(w, (1, -1)), labels, nb + 1)[0, :nb]
        tc = None if tw is None else _segment_sum(dirs.flatten(tw), labels, nb + 1)[:, :nb]
        C = frame.wrap(counts, tc)
    if density:
        with _errstate():
            C = C / np.sum(C) / np.diff(E)
    return frame.wrap(hist, _tangent_of(C, hist)), E


def _bins_per_dim(bins: Any, d: int) -> list[Any]:
    try:
        n = len(bins)
    except TypeError:
        return [bins] * d
    return list(bins) if n == d else [bins] * d


@implements(np.histogramdd)
def _histogramdd(sample, bins=10, range=None, density=None, weights=None):
    # as np.histogram per coordinate: counts plain, weighted counts linear in the weights,
    # automatic edges move with each coordinate's min and max, density divides by the cell volumes
    if hasattr(sample, "shape"):
        d = np.shape(sample)[-1] if np.ndim(sample) == 2 else 1
        cols = [sample[:, i] for i in builtins.range(d)] if np.ndim(sample) == 2 else [sample]
        value_sample = None
    else:
        cols = list(sample)
        d = len(cols)
        value_sample = cols
    frame, values, tangents = split([*cols, weights])
    cv, ct, w, tw = values[:d], tangents[:d], values[d], tangents[d]
    if value_sample is None:
        value_sample = split([sample])[1][0]
    else:
        value_sample = cv
    hist, edges = np.histogramdd(value_sample, bins=bins, range=range, density=density, weights=w)
    per_bins = _bins_per_dim(bins, d)
    per_range = [None] * d if range is None else list(range)
    E = [_auto_edges(frame, cv[i], ct[i], per_bins[i], per_range[i], edges[i]) for i in builtins.range(d)]
    if weights is None and not density:
        return hist, E
    nbin = np.array([len(_plain(e)) + 1 for e in edges])
    index = []
    for i in builtins.range(d):
        xp = np.ravel(_plain(cv[i]))
        ep = np.asarray(_plain(edges[i]))
        k = np.searchsorted(ep, xp, side="right")
        k[xp == ep[-1]] -= 1
        index.append(k)
    labels = np.ravel_multi_index(index, nbin)
    total = int(np.prod(nbin))
    core = (slice(None),) + (slice(1, -1),) * d
    if weights is None:
        C = np.bincount(labels, minlength=total).reshape(nbin)[core[1:]].astype(np.float64)
    else:
        counts = np.reshape(_segment_sum(np.reshape(w, (1, -1)), labels, total), (1, *nbin))[core][0]
        tc = None
        if tw is not None:
            tc = dirs.reshape(_segment_sum(dirs.flatten(tw), labels, total), tuple(nbin))[core]
        C = frame.wrap(counts, tc)
    if density:
        with _errstate():
            total_weight = np.sum(C)
            for i in builtins.range(d):
                shape = [1] * d
                shape[i] = nbin[i] - 2
                C = C / np.reshape(np.diff(E[i]), shape)
            C = C / total_weight
    return frame.wrap(hist, _tangent_of(C, hist)), E


@implements(np.histogram2d)
def _histogram2d(x, y, bins=10, range=None, density=None, weights=None):
    try:
        n = len(bins)
    except TypeError:
        n = 1
    if n != 1 and n != 2:
        bins = [bins, bins]
    hist, edges = _histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]


@implements(np.sort_complex)
def _sort_complex(a):
    # sort (real part first, then imaginary part), tangents permuted stably, result complex
    frame, (x,), (t,) = split([a])
    y = np.sort_complex(x)
    if t is None:
        return frame.wrap(y, None)
    idx = _stable_argsort(_plain(x), -1)
    return frame.wrap(y, _gather(t, idx, -1).astype(_tdtype(y)))


@implements(np.bincount)
def _bincount(x, /, weights=None, minlength=0):
    # counts are not differentiable; weighted sums are linear in the weights
    frame, (xv, w), (_, tw) = split([x, weights])
    y = np.bincount(_plain(xv), weights=_plain(w) if not isinstance(w, DualArray) else w, minlength=minlength)
    if weights is None or tw is None:
        return y if weights is None else frame.wrap(y, None)
    t = _segment_sum(dirs.flatten(tw), _plain(xv), len(_plain(y)))
    return frame.wrap(y, _cast(t, y))


# ---------------------------------------------------------------- covariance and correlation
def _cov_composite(m, y, rowvar, bias, ddof, fweights, aweights, dtype):
    """NumPy's cov, written on (possibly dual) arrays."""
    X = m if np.ndim(_plain(m)) == 2 else np.reshape(m, (1, -1))
    if not rowvar and np.ndim(_plain(m)) != 1:
        X = np.transpose(X)
    if y is not None:
        Y = y if np.ndim(_plain(y)) == 2 else np.reshape(y, (1, -1))
        if not rowvar and np.shape(_plain(Y))[0] != 1:
            Y = np.transpose(Y)
        X = np.concatenate((X, Y), axis=0)
    if dtype is not None:
        X = X.astype(dtype)
    if ddof is None:
        ddof = 1 if bias == 0 else 0
    w = None
    if fweights is not None:
        w = np.asarray(_plain(fweights), dtype=float)
    if aweights is not None:
        w = aweights if w is None else w * aweights
    avg, w_sum = np.average(X, axis=1, weights=w, returned=True)
    w_sum = w_sum[0]
    if w is None:
        fact = np.shape(_plain(X))[1] - ddof
    elif ddof == 0:
        fact = w_sum
    elif aweights is None:
        fact = w_sum - ddof
    else:
        fact = w_sum - ddof * np.sum(w * aweights) / w_sum
    Xc = X - avg[:, None]
    X_T = np.transpose(Xc) if w is None else np.transpose(Xc * w)
    c = np.matmul(Xc, np.conj(X_T)) / fact
    return np.squeeze(c)


@implements(np.cov)
def _cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *, dtype=None):
    # smooth in the data (and in aweights): the composite gives the tangent
    frame, (mv, yv, fw, aw), (tm, ty, _, ta) = split([m, y, fweights, aweights])
    value = np.cov(mv, yv, rowvar=rowvar, bias=bias, ddof=ddof, fweights=fw, aweights=aw, dtype=dtype)
    if tm is None and ty is None and ta is None:
        return frame.wrap(value, None)
    dual = lambda v, t: v if t is None or v is None else frame.wrap(v, t)  # noqa: E731
    composite = _cov_composite(dual(mv, tm), dual(yv, ty), rowvar, bias, ddof, fw, dual(aw, ta), dtype)
    return frame.wrap(value, _tangent_of(composite, value))


@implements(np.corrcoef)
def _corrcoef(x, y=None, rowvar=True, *, dtype=None):
    # c_ij / √(c_ii c_jj) from the covariance composite (NumPy's clip to [-1, 1] only moves roundoff)
    frame, (xv, yv), (tx, ty) = split([x, y])
    value = np.corrcoef(xv, yv, rowvar=rowvar, **given(np.corrcoef, dtype=dtype))
    if tx is None and ty is None:
        return frame.wrap(value, None)
    dual = lambda v, t: v if t is None or v is None else frame.wrap(v, t)  # noqa: E731
    c = _cov_composite(dual(xv, tx), dual(yv, ty), rowvar, False, None, None, None, dtype)
    if np.ndim(_plain(c)) == 0:
        return frame.wrap(value, _tangent_of(c / c, value))
    i = np.arange(np.shape(_plain(c))[0])
    sd = np.sqrt(np.real(c[i, i]))
    composite = c / sd[:, None] / sd[None, :]
    return frame.wrap(value, _tangent_of(composite, value))


# ---------------------------------------------------------------- clip and dot (used by the ndarray surface)
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


# ---------------------------------------------------------------- not differentiable
_NONDIFF = (
    np.argpartition, np.lexsort, np.digitize, np.isin, np.nanargmax, np.nanargmin,
    getattr(np, "in1d", None),  # deprecated in NumPy 2.0, removed in 2.4
)
nondifferentiable(*(f for f in _NONDIFF if f is not None and f not in NON_DIFFERENTIABLE))
