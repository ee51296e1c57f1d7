"""Shape manipulation, joining, splitting, selection, padding, in-place writes and creation.

All of these are linear in the array arguments: the tangent goes through the same operation as the
value (with the direction axis kept in front by :mod:`dualarray._directions`). Three techniques:

* *same call, negative axes*: ``np.flip(t, axis=-2)`` — used wherever NumPy returns a **view**, so the
  tangent is a view too and writes through the result reach the parent's value and tangent;
* *gather map*: ``idx = f(arange(x.size).reshape(x.shape))`` is where each output element comes from,
  and the tangent is ``flatten(t)[:, idx]`` (tile, repeat, roll, pad, delete, resize, ...);
* *composition*: vstack, block, meshgrid, append, ... are written with the rules above, on DualArrays.

Selections (where, select, choose, piecewise) pick tangents, never blend them, so a NaN or inf in an
unused branch never leaks. In-place functions (copyto, place, putmask, put, put_along_axis,
fill_diagonal) write value and tangent into a DualArray destination; a plain destination raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy._core.defchararray as _char
import numpy._core.strings as _strings
import numpy.lib._scimath_impl as _scimath
import numpy.lib.recfunctions as _recfunctions
import numpy.lib.stride_tricks as _stride_tricks

from .. import _directions as dirs
from .._core import DualArray, _lift_storage, _value_backend, split, strip_all
from .._registry import given, implements, nondifferentiable, unsupported


def _zeros(frame: Any, v: Any) -> Any:
    """A materialized zero tangent for the constant ``v`` (array, scalar, list or older DualArray)."""
    if not (hasattr(v, "dtype") and hasattr(v, "shape")):
        v = np.asarray(v)
    return frame.zeros(v)


def _is_view(y: Any, x: Any) -> bool:
    x, y = strip_all(x), strip_all(y)
    return (isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.size > 0
            and np.may_share_memory(y, x))


def linear(a: Any, on_value, on_tangent) -> Any:
    """Apply a function linear in ``a``: ``on_value(x)`` to the value, ``on_tangent(t, y)`` to the tangent.

    The tangent is a view exactly when the value is: when the result is a view of a DualArray's value,
    the parent's tangent is materialized first so the result's tangent is a view of it (writes through
    either reach both); when the value is a copy, so is the tangent (a later write to the parent must not
    reach the result's tangent alone).
    """
    frame, (x,), (t,) = split([a])
    y = on_value(x)
    if frame is None:
        return y
    if isinstance(a, DualArray) and a.tag == frame.tag and _is_view(y, x):
        t = a._viewable_tangent()  # a real tangent in the parent, so the view's shares it
        ty = dirs.view(t, lambda tt: on_tangent(tt, y))
        if ty is not None and not dirs.shares(ty, t):
            ty = on_tangent(_relay(a, x), y)
        return a._share(frame.wrap(y, ty))
    if t is None:
        return frame.wrap(y, None)
    ty = on_tangent(t, y)
    if ty is not None and dirs.shares(ty, t):
        ty = dirs.copy_like(ty, y)
    return frame.wrap(y, ty)


def _relay(a: DualArray, x: Any) -> Any:
    """Re-lay ``a``'s tangent like its value ``x``, so a view of the value is a view of the tangent too."""
    t = a._tangent
    if not isinstance(t, np.ndarray) or dirs.mirrors(t, x) or a._shares_memory_with_a_live_array():
        raise TypeError(
            "this view of the value cannot be a view of the tangent (their memory layouts differ), so writes "
            "through it would not reach the derivative. Make a copy first (np.copy(x) or x.copy()) or use "
            "the result without writing to it."
        )
    a._tangent = dirs.copy_like(t, x)
    return a._tangent


def gather(a: Any, func: Callable[[Any], Any]) -> Any:
    """A function that only rearranges or repeats elements of ``a`` (its output is a copy).

    The tangent is gathered with the map ``func(arange(size).reshape(shape))``.
    """
    frame, (x,), (t,) = split([a])
    y = func(x)
    if frame is None or t is None:
        return y if frame is None else frame.wrap(y, None)
    idx = func(np.arange(np.size(x)).reshape(np.shape(x)))
    return frame.wrap(y, dirs.flatten(t)[dirs.key(idx)])


def _from_maps(pairs: list[tuple[Any, Any]]) -> Any:
    """Tangent ``Σ_i flatten(t_i)[:, map_i]`` where ``map_i >= 0`` (0 elsewhere): disjoint maps, -1 = not from t_i.

    Only the mapped positions are gathered and written into zeros (no clamped gather under a mask),
    so the recorded map says exactly which element comes from where (a dependency pattern reads it).
    """
    total = None
    for t, m in pairs:
        if t is None or np.size(t) == 0:  # an empty source contributes nothing (np.pad of a size-0 array)
            continue
        m = np.asarray(m)
        valid = m >= 0
        if valid.all():
            part = dirs.flatten(t)[dirs.key(m)]
        else:
            part = np.zeros_like(t, shape=(t.shape[0], *m.shape))
            part[dirs.key(valid)] = dirs.flatten(t)[dirs.key(m[valid])]
        total = part if total is None else total + part
    return total


def joined(arrays: Any, on_values, on_tangents) -> Any:
    """Apply a function linear in every array of the sequence ``arrays`` (concatenate, stack, ...).

    ``on_tangents`` receives the tangents with zeros materialized for the constants.
    """
    arrays = list(arrays)
    frame, values, tangents = split(arrays)
    y = on_values(values)
    if frame is None or all(t is None for t in tangents):
        return y if frame is None else frame.wrap(y, None)
    full = [_zeros(frame, v) if t is None else t for v, t in zip(values, tangents, strict=True)]
    return frame.wrap(y, on_tangents(full, values))


def _strip_all(x: Any) -> Any:
    """The innermost plain value (masks, conditions and indices are constants)."""
    while isinstance(x, DualArray):
        x = x.value
    return x


def _tangent_dtype(dtype: Any) -> Any:
    if dtype is None:
        return None
    dtype = np.dtype(dtype)
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def _integral(dtype: Any) -> bool:
    """A ``dtype=`` that casts results to integers or bools: piecewise constant, zero tangent."""
    return dtype is not None and not np.issubdtype(np.dtype(dtype), np.inexact)


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


# ---------------------------------------------------------------- changing shape (views)
@implements(np.reshape)
def _reshape(a, /, shape=None, order="C", *, newshape=None, copy=None):
    shape = newshape if shape is None else shape
    t_order = dirs.order_for(order, strip_all(a))
    return linear(a, lambda x: np.reshape(x, shape, **given(np.reshape, order=order, copy=copy)),
                  lambda t, y: dirs.reshape(t, np.shape(y), t_order))


@implements(np.ravel)
def _ravel(a, order="C"):
    x = strip_all(a)
    if order in ("K", "k") and isinstance(x, np.ndarray):
        # memory order: the value axes sorted by stride magnitude, then row-major (NumPy's 'K')
        perm = dirs.memory_axes(x)
        return linear(a, lambda v: np.ravel(v, order=order),
                      lambda t, y: dirs.reshape(dirs.transpose(t, perm, x.ndim), np.shape(y)))
    t_order = dirs.order_for(order, x)
    return linear(a, lambda v: np.ravel(v, **given(np.ravel, order=order)),
                  lambda t, y: dirs.reshape(t, np.shape(y), t_order))


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


@implements(np.rollaxis)
def _rollaxis(a, axis, start=0):
    def on_tangent(t, y):
        n = np.ndim(a)
        ax, st = axis % n, start + n if start < 0 else start
        st -= ax < st
        perm = [i for i in range(n) if i != ax]
        perm.insert(st, ax)
        return dirs.transpose(t, perm, n)

    return linear(a, lambda x: np.rollaxis(x, axis, start), on_tangent)


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


def _atleast(func, nd: int, place: Callable[[tuple], tuple]):
    def one(a):
        if not isinstance(a, DualArray):
            return func(a)
        if a.ndim >= nd:
            return a
        return np.reshape(a, place(a.shape))

    def impl(*arys):
        res = tuple(one(a) for a in arys)
        return res[0] if len(res) == 1 else res

    return impl


implements(np.atleast_1d)(_atleast(np.atleast_1d, 1, lambda s: (1,)))
implements(np.atleast_2d)(_atleast(np.atleast_2d, 2, lambda s: (1, *s) if s else (1, 1)))
implements(np.atleast_3d)(_atleast(
    np.atleast_3d, 3, lambda s: (1, 1, 1) if not s else (1, *s, 1) if len(s) == 1 else (*s, 1)))


@implements(np.broadcast_to)
def _broadcast_to(array, shape, subok=False):
    return linear(array, lambda x: np.broadcast_to(x, shape), lambda t, y: dirs.broadcast_to(t, np.shape(y)))


@implements(np.broadcast_arrays)
def _broadcast_arrays(*args, subok=False):
    shape = np.broadcast_shapes(*(np.shape(a) for a in args))
    return tuple(a if np.shape(a) == shape and isinstance(a, DualArray) else np.broadcast_to(a, shape)
                 for a in args)


@implements(_stride_tricks.sliding_window_view)
def _sliding_window_view(x, window_shape, axis=None, *, subok=False, writeable=False):
    def on_tangent(t, y):
        nd = np.ndim(x)
        ax = tuple(range(-nd, 0)) if axis is None else dirs.axes(axis, nd)
        return _stride_tricks.sliding_window_view(t, window_shape, axis=ax, **kw)

    kw = given(_stride_tricks.sliding_window_view, writeable=writeable)
    return linear(x, lambda v: _stride_tricks.sliding_window_view(v, window_shape, axis=axis, **kw), on_tangent)


@implements(np.flip)
def _flip(m, axis=None):
    nd = np.ndim(m)
    return linear(m, lambda x: np.flip(x, axis), lambda t, y: np.flip(t, dirs.axes(axis, nd)))


@implements(np.fliplr)
def _fliplr(m):
    nd = np.ndim(m)
    return linear(m, np.fliplr, lambda t, y: np.flip(t, dirs.axis(1, nd)))


@implements(np.flipud)
def _flipud(m):
    nd = np.ndim(m)
    return linear(m, np.flipud, lambda t, y: np.flip(t, dirs.axis(0, nd)))


@implements(np.rot90)
def _rot90(m, k=1, axes=(0, 1)):
    nd = np.ndim(m)
    return linear(m, lambda x: np.rot90(x, k, axes),
                  lambda t, y: np.rot90(t, k, tuple(dirs.axis(a, nd) for a in axes)))


@implements(np.diagonal)
def _diagonal(a, offset=0, axis1=0, axis2=1):
    nd = np.ndim(a)
    return linear(a, lambda x: np.diagonal(x, offset, axis1, axis2),
                  lambda t, y: np.diagonal(t, offset, dirs.axis(axis1, nd), dirs.axis(axis2, nd)))


@implements(np.real)
def _real(val):
    return linear(val, np.real, lambda t, y: np.real(t))


@implements(np.imag)
def _imag(val):
    return linear(val, np.imag, lambda t, y: np.imag(t))


# ---------------------------------------------------------------- copies and type changes
@implements(np.copy)
def _copy(a, order="K", subok=False):
    return linear(a, lambda x: x.copy() if _value_backend(type(x)) else np.copy(x, order=order),
                  lambda t, y: dirs.copy_like(t, y))


@implements(np.astype)
def _astype(x, dtype, /, *, copy=True, device=None):
    return x.astype(dtype, copy=copy) if isinstance(x, DualArray) else np.astype(x, dtype, copy=copy)


@implements(np.real_if_close)
def _real_if_close(a, tol=100):
    frame, (x,), (t,) = split([a])
    y = np.real_if_close(x, tol)
    if t is None or np.iscomplexobj(y) or not np.iscomplexobj(x):
        return frame.wrap(y, t)
    return frame.wrap(y, np.real(t))


@implements(np.round, np.around)
def _round(a, decimals=0, out=None):
    # rounding is piecewise constant: zero derivative
    frame, (x,), _ = split([a])
    y = frame.wrap(np.round(x, decimals=decimals), None)
    if out is None:
        return y
    out[...] = y
    return out


@implements(np.fix)
def _fix(x, out=None):
    return np.trunc(x, out=out)  # the ufunc: zero derivative


@implements(np.nan_to_num)
def _nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    # replaced entries are constants: their tangent is zero; complex parts are treated separately
    frame, (v,), (t,) = split([x])
    plain = _strip_all(v)
    if np.iscomplexobj(plain):
        keep_re, keep_im = np.isfinite(plain.real), np.isfinite(plain.imag)
    else:
        keep_re = keep_im = np.isfinite(plain)
    y = np.nan_to_num(v, copy=copy, nan=nan, posinf=posinf, neginf=neginf)
    if t is None or (np.all(keep_re) and np.all(keep_im)):
        return frame.wrap(y, t) if copy else x
    if np.iscomplexobj(t):
        new = np.where(keep_re, np.real(t), 0) + 1j * np.where(keep_im, np.imag(t), 0)
    else:
        new = np.where(keep_re, t, 0)
    if copy:
        return frame.wrap(y, new)
    x._writable_tangent()[...] = new
    return x


@implements(np.angle)
def _angle(z, deg=False):
    # d angle(z) = Im(conj(z) dz) / |z|²; a real input has a piecewise constant angle (0 or π)
    frame, (x,), (t,) = split([z])
    y = np.angle(x, deg)
    if t is None or not np.iscomplexobj(x):
        return frame.wrap(y, None)
    re, im = np.real(x), np.imag(x)
    dt = (re * np.imag(t) - im * np.real(t)) / (re * re + im * im)
    return frame.wrap(y, dt * (180 / np.pi) if deg else dt)


# ---------------------------------------------------------------- rearranging copies (gather maps)
@implements(np.tile)
def _tile(A, reps):
    return gather(A, lambda x: np.tile(x, reps))


@implements(np.repeat)
def _repeat(a, repeats, axis=None):
    return gather(a, lambda x: np.repeat(x, _strip_all(repeats), axis))


@implements(np.roll)
def _roll(a, shift, axis=None):
    return gather(a, lambda x: np.roll(x, shift, axis))


@implements(np.delete)
def _delete(arr, obj, axis=None):
    return gather(arr, lambda x: np.delete(x, _strip_all(obj), axis))


@implements(np.resize)
def _resize(a, new_shape):
    return gather(a, lambda x: np.resize(x, new_shape))


@implements(np.take)
def _take(a, indices, axis=None, out=None, mode="raise"):
    indices = _strip_all(indices)
    return _into(out, gather(a, lambda x: np.take(x, indices, axis=axis, **given(np.take, mode=mode))))


@implements(np.take_along_axis)
def _take_along_axis(arr, indices, axis=-1):
    indices = _strip_all(indices)
    return gather(arr, lambda x: np.take_along_axis(x, indices, axis=axis))


@implements(np.compress)
def _compress(condition, a, axis=None, out=None):
    condition = _strip_all(condition)
    return _into(out, gather(a, lambda x: np.compress(condition, x, axis=axis)))


@implements(np.extract)
def _extract(condition, arr):
    return np.take(np.ravel(arr), np.nonzero(np.ravel(_strip_all(condition)))[0])


_PAD_GATHER = {"edge", "wrap"}
_PAD_LINEAR = {"linear_ramp", "mean"}


@implements(np.pad)
def _pad(array, pad_width, mode="constant", **kwargs):
    cv = kwargs.get("constant_values", 0)
    frame, (x, c), (t, tc) = split([array, cv])
    if "constant_values" in kwargs:
        kwargs["constant_values"] = c
    y = np.pad(x, pad_width, mode, **kwargs)
    if frame is None or (t is None and tc is None):
        return y if frame is None else frame.wrap(y, None)
    shape, n = np.shape(x), np.size(x)
    even = kwargs.get("reflect_type", "even") == "even"
    if mode in ("constant", "empty"):
        idx = np.pad(np.arange(1, n + 1).reshape(shape), pad_width, "constant") - 1
    elif mode in _PAD_GATHER or (mode in ("reflect", "symmetric") and even):
        idx = np.pad(np.arange(n).reshape(shape), pad_width, mode, **kwargs)
    elif mode in _PAD_LINEAR or mode in ("reflect", "symmetric"):
        pw = np.broadcast_to(np.asarray(pad_width), (np.ndim(x), 2)).tolist()
        lin = {k: v for k, v in kwargs.items() if k != "end_values"}
        tx = _zeros(frame, x) if t is None else t
        return frame.wrap(y, np.pad(tx, [(0, 0), *pw], mode, **lin))
    else:
        raise NotImplementedError(
            f"np.pad(mode={mode!r}) has no derivative rule for DualArray inputs; supported modes: constant, "
            "edge, reflect, symmetric, wrap, linear_ramp, mean, empty. Pass .value if you do not need it."
        )
    tangent = _from_maps([(t, idx)])
    if tc is not None:
        if np.ndim(c) != 0:
            raise NotImplementedError("np.pad: a DualArray constant_values must be a scalar (0-d)")
        fill = dirs.align(tc, np.ndim(y)) * (idx < 0)
        tangent = fill if tangent is None else tangent + fill
    return frame.wrap(y, tangent)


@implements(np.insert)
def _insert(arr, obj, values, axis=None):
    obj = _strip_all(obj)
    frame, (x, v), (tx, tv) = split([arr, values])
    y = np.insert(x, obj, v, axis=axis)
    if frame is None or (tx is None and tv is None):
        return y if frame is None else frame.wrap(y, None)
    shape = np.shape(x)
    amap = np.insert(np.arange(np.size(x)).reshape(shape), obj, np.full(np.shape(v), -1), axis=axis)
    vmap = np.insert(np.full(shape, -1, dtype=np.intp), obj,
                     np.arange(np.size(v)).reshape(np.shape(v)), axis=axis)
    return frame.wrap(y, _from_maps([(tx, amap), (tv, vmap)]))


@implements(np.append)
def _append(arr, values, axis=None):
    if axis is None:
        return np.concatenate((np.ravel(arr), np.ravel(values)), axis=0)
    return np.concatenate((arr, values), axis=axis)


# ---------------------------------------------------------------- diagonals and triangles
@implements(np.diag)
def _diag(v, k=0):
    if np.ndim(v) == 2:
        return np.diagonal(v, k)  # a read-only view, as NumPy's
    frame, (x,), (t,) = split([v])
    y = np.diag(x, k)
    if frame is None or t is None:
        return y if frame is None else frame.wrap(y, None)
    i = np.arange(np.shape(x)[0])
    out = np.zeros_like(t, shape=(dirs.count(t), *np.shape(y)))
    out[dirs.key((i + max(-k, 0), i + max(k, 0)))] = t
    return frame.wrap(y, out)


@implements(np.diagflat)
def _diagflat(v, k=0):
    return np.diag(np.ravel(v), k)


@implements(np.trace)
def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    nd = np.ndim(a)
    result = linear(a, lambda x: np.trace(x, offset, axis1, axis2, dtype=dtype),
                    lambda t, y: None if _integral(dtype) else np.trace(
                        t, offset, dirs.axis(axis1, nd), dirs.axis(axis2, nd), dtype=_tangent_dtype(dtype)))
    return _into(out, result)


def _triangle(func, lower: bool):
    def impl(m, k=0):
        def on_tangent(t, y):
            n, mm = np.shape(y)[-2:]
            mask = np.tri(n, mm, k=k, dtype=bool) if lower else ~np.tri(n, mm, k=k - 1, dtype=bool)
            return np.where(mask, dirs.align(t, np.ndim(y)), 0)

        return linear(m, lambda x: func(x, k), on_tangent)

    return impl


implements(np.tril)(_triangle(np.tril, True))
implements(np.triu)(_triangle(np.triu, False))


# ---------------------------------------------------------------- joining
@implements(np.concatenate)
def _concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    if axis is None:
        arrays = [np.ravel(a) for a in arrays]
        axis = 0

    def on_tangents(ts, values):
        nd = np.ndim(values[0])
        return None if _integral(dtype) else np.concatenate(
            ts, axis=dirs.axis(axis, nd), **given(np.concatenate, dtype=_tangent_dtype(dtype), casting=casting))

    kw = given(np.concatenate, dtype=dtype, casting=casting)
    result = joined(arrays, lambda vs: np.concatenate(vs, axis=axis, **kw), on_tangents)
    return _into(out, result)


@implements(np.stack)
def _stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    def on_tangents(ts, values):
        nd = np.ndim(values[0]) + 1
        return None if _integral(dtype) else np.stack(
            ts, axis=dirs.axis(axis, nd), **given(np.stack, dtype=_tangent_dtype(dtype), casting=casting))

    result = joined(arrays, lambda vs: np.stack(vs, axis=axis, **given(np.stack, dtype=dtype, casting=casting)),
                    on_tangents)
    return _into(out, result)


def _as_tuple(arrs: Any) -> tuple:
    return arrs if isinstance(arrs, tuple) else (arrs,)


@implements(np.vstack)
def _vstack(tup, *, dtype=None, casting="same_kind"):
    return np.concatenate(_as_tuple(np.atleast_2d(*tup)), axis=0, dtype=dtype, casting=casting)


@implements(np.hstack)
def _hstack(tup, *, dtype=None, casting="same_kind"):
    arrs = _as_tuple(np.atleast_1d(*tup))
    axis = 0 if arrs and np.ndim(arrs[0]) == 1 else 1
    return np.concatenate(arrs, axis=axis, dtype=dtype, casting=casting)


@implements(np.dstack)
def _dstack(tup):
    return np.concatenate(_as_tuple(np.atleast_3d(*tup)), axis=2)


@implements(np.column_stack)
def _column_stack(tup):
    cols = [np.transpose(np.reshape(v, (1, -1))) if np.ndim(v) < 2 else v for v in tup]
    return np.concatenate(cols, axis=1)


@implements(np.block)
def _block(arrays):
    leaves: list[Any] = []

    def collect(a):
        if isinstance(a, list):
            for b in a:
                collect(b)
        else:
            leaves.append(a)

    collect(arrays)
    frame, values, tangents = split(leaves)
    it = iter(values)

    def rebuild(a):
        return [rebuild(b) for b in a] if isinstance(a, list) else next(it)

    y = np.block(rebuild(arrays))
    if frame is None or all(t is None for t in tangents):
        return y if frame is None else frame.wrap(y, None)
    full = iter([_zeros(frame, v) if t is None else t for v, t in zip(values, tangents, strict=True)])
    depth, a = 0, arrays
    while isinstance(a, list):
        depth, a = depth + 1, a[0]
    rn = np.ndim(y)

    def join(a, level):
        if not isinstance(a, list):
            return dirs.align(next(full), rn)
        return np.concatenate([join(b, level + 1) for b in a], axis=level - depth)

    return frame.wrap(y, join(arrays, 0))


@implements(np.meshgrid)
def _meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    ndim = len(xi)
    s0 = (1,) * ndim
    shapes = [s0[:i] + (-1,) + s0[i + 1:] for i in range(ndim)]
    if indexing == "xy" and ndim > 1:
        shapes[0], shapes[1] = (1, -1) + s0[2:], (-1, 1) + s0[2:]
    output = [np.reshape(x, s) for x, s in zip(xi, shapes, strict=True)]
    if not sparse:
        output = np.broadcast_arrays(*output)
    if copy:
        output = [np.copy(x) for x in output]
    return tuple(output)


# ---------------------------------------------------------------- splitting (views)
def _cut(ary, indices_or_sections, axis):
    nd = np.ndim(ary)
    axis = dirs.axis(axis, nd) + nd
    total = np.shape(ary)[axis]
    try:
        points = [0, *list(indices_or_sections), total]
    except TypeError:
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.") from None
        each, extras = divmod(total, sections)
        sizes = [0] + extras * [each + 1] + (sections - extras) * [each]
        points = np.cumsum(sizes).tolist()
    lead = (slice(None),) * axis
    return [ary[(*lead, slice(points[i], points[i + 1]))] for i in range(len(points) - 1)]


@implements(np.array_split)
def _array_split(ary, indices_or_sections, axis=0):
    return _cut(ary, indices_or_sections, axis)


@implements(np.split)
def _split(ary, indices_or_sections, axis=0):
    if np.ndim(indices_or_sections) == 0 and np.shape(ary)[axis] % indices_or_sections:
        raise ValueError("array split does not result in an equal division")
    return _cut(ary, indices_or_sections, axis)


def _split_along(name: str, min_ndim: int, axis_of: Callable[[int], int]):
    def impl(ary, indices_or_sections):
        if np.ndim(ary) < min_ndim:
            raise ValueError(f"{name} only works on arrays of {min_ndim} or more dimensions")
        return _split(ary, indices_or_sections, axis_of(np.ndim(ary)))

    return impl


implements(np.hsplit)(_split_along("hsplit", 1, lambda nd: 1 if nd > 1 else 0))
implements(np.vsplit)(_split_along("vsplit", 2, lambda nd: 0))
implements(np.dsplit)(_split_along("dsplit", 3, lambda nd: 2))


@implements(np.unstack)
def _unstack(x, /, *, axis=0):
    if np.ndim(x) == 0:
        raise ValueError("Input array must be at least 1-d.")
    return tuple(np.moveaxis(x, axis, 0))


# ---------------------------------------------------------------- selection (tangents selected, not blended)
@implements(np.where)
def _where(condition, *xy):
    if not xy:
        return np.where(_strip_all(condition))
    if len(xy) != 2:
        raise TypeError("where() takes either 1 or 3 arguments")
    cond = _strip_all(condition)
    frame, values, tangents = split(list(xy))
    y = np.where(cond, *values)
    if frame is None:
        return y
    if tangents[0] is None and tangents[1] is None:
        return frame.wrap(y, None)
    nd = np.ndim(y)
    a, b = (dirs.align(_zeros(frame, v) if t is None else t, nd)
            for v, t in zip(values, tangents, strict=True))
    return frame.wrap(y, dirs.broadcast_to(np.where(cond, a, b), np.shape(y)))


@implements(np.select)
def _select(condlist, choicelist, default=0):
    # the default is passed as a last choice under an always-true condition (what np.select does
    # itself), so a DualArray default is seen by NumPy's dispatch at every level of nesting
    conds = [*(_strip_all(c) for c in condlist), np.ones((), dtype=bool)]
    choices = list(choicelist)
    frame, values, tangents = split([*choices, default])
    y = np.select(conds, values, 0)
    if frame is None or all(t is None for t in tangents):
        return y if frame is None else frame.wrap(y, None)
    shape = np.shape(y)
    full = [dirs.broadcast_to(_zeros(frame, v) if t is None else t, shape)
            for v, t in zip(values, tangents, strict=True)]
    return frame.wrap(y, np.select(conds, full, 0))


@implements(np.choose)
def _choose(a, choices, out=None, mode="raise"):
    index = _strip_all(a)
    frame, values, tangents = split(list(choices))
    y = np.choose(index, values, mode=mode)
    if frame is None or all(t is None for t in tangents):
        return _into(out, y if frame is None else frame.wrap(y, None))
    shape = np.shape(y)
    full = [dirs.broadcast_to(_zeros(frame, v) if t is None else t, shape)
            for v, t in zip(values, tangents, strict=True)]
    return _into(out, frame.wrap(y, np.choose(index, full, mode=mode)))


@implements(np.piecewise)
def _piecewise(x, condlist, funclist, *args, **kw):
    # NumPy's algorithm, on DualArrays: each piece is evaluated only where its condition holds
    n2 = len(funclist)
    if any(_value_backend(type(c)) for c in (condlist if isinstance(condlist, list | tuple) else [condlist])):
        raise NotImplementedError("numpy.piecewise on dask arrays: its conditions pick elements by value, so they "
                                  "must be concrete; compute them first (cond.compute())")
    single = np.ndim(condlist) == 0 or (not isinstance(condlist[0], list | np.ndarray | DualArray)
                                         and np.ndim(x) != 0)
    if np.isscalar(condlist) or single:
        condlist = [condlist]
    condlist = np.asarray([_strip_all(c) for c in condlist], dtype=bool)
    n = len(condlist)
    if n == n2 - 1:
        condlist = np.concatenate([condlist, ~np.any(condlist, axis=0, keepdims=True)], axis=0)
    elif n != n2:
        raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions are expected")
    y = np.zeros_like(x)
    for cond, func in zip(condlist, funclist, strict=True):
        if not callable(func):
            y[cond] = func
        else:
            vals = x[cond]
            if np.size(vals) > 0:
                y[cond] = func(vals, *args, **kw)
    return y


# ---------------------------------------------------------------- in-place writes into a DualArray
def _source(name: str, dst: Any, src: Any) -> tuple[Any, Any]:
    """(value, tangent) of ``src`` as seen by the destination ``dst``; refuses plain destinations."""
    if not isinstance(dst, DualArray):
        raise TypeError(
            f"numpy.{name} would write into a plain ndarray destination and drop the derivative. "
            "Allocate the destination as a DualArray: np.zeros_like(x) or np.empty_like(x) of a DualArray x."
        )
    if isinstance(src, DualArray):
        if src.tag > dst.tag:
            raise TypeError(
                f"numpy.{name}: cannot write a DualArray with tag {src.tag} into one with the older tag "
                f"{dst.tag}: its derivative would be lost. Allocate the destination from the newer array "
                "(np.zeros_like(x))."
            )
        if src.tag == dst.tag:
            dst._take_directions(src, f"numpy.{name}: ")
            return src.value, src._tangent
    return src, None


def _write(name: str, dst: Any, src: Any, on_value, on_tangent) -> None:
    """In-place ``on_value(dst.value, src_value)``, then ``on_tangent(dst_tangent, src_tangent)``."""
    sv, st = _source(name, dst, src)
    if isinstance(sv, DualArray) and not isinstance(dst.value, DualArray):
        dst.value = _lift_storage(dst, dst.value, sv)
    on_value(dst.value, sv)
    if not np.issubdtype(dst.dtype, np.inexact):
        st = None  # written values are cast to integers: piecewise constant
    if st is None:
        if dst._tangent is None:
            return
        st = np.zeros((dst._ndir, *np.shape(sv)), dtype=dst.tangent_dtype)
    t = dst._writable_tangent()
    if isinstance(st, DualArray) and not isinstance(t, DualArray):
        t = dst._tangent = _lift_storage(dst, t, st)
    on_tangent(t, st)


def _cycled(t: Any, positions: tuple, count: int, st: Any) -> None:
    """``t[positions] = st.flat[j % st.size]`` for the j-th position (NumPy's repeating fill)."""
    if count == 0:
        return
    size = int(np.prod(st.shape[1:]))
    t[dirs.key(positions)] = dirs.flatten(st)[dirs.key(np.arange(count) % size)]


@implements(np.copyto)
def _copyto(dst, src, casting="same_kind", where=True):
    where = _strip_all(where)
    _write("copyto", dst, src, lambda d, s: np.copyto(d, s, casting=casting, where=where),
           lambda t, st: np.copyto(t, dirs.subspace(st, np.shape(dst)), casting="unsafe", where=where))


@implements(np.putmask)
def _putmask(a, /, mask, values):
    mask = np.asarray(_strip_all(mask), dtype=bool)

    def on_tangent(t, st):
        full = np.broadcast_to(mask, np.shape(a))
        flat = np.flatnonzero(full)
        size = int(np.prod(st.shape[1:]))
        if flat.size and size:
            t[dirs.key(np.nonzero(full))] = dirs.flatten(st)[dirs.key(flat % size)]

    _write("putmask", a, values, lambda d, s: np.putmask(d, mask, s), on_tangent)


@implements(np.place)
def _place(arr, mask, vals):
    mask = np.asarray(_strip_all(mask), dtype=bool)

    def on_tangent(t, st):
        full = np.broadcast_to(mask, np.shape(arr))
        _cycled(t, np.nonzero(full), int(np.count_nonzero(full)), st)

    _write("place", arr, vals, lambda d, s: np.place(d, mask, s), on_tangent)


@implements(np.put)
def _put(a, ind, v, mode="raise"):
    ind = np.asarray(_strip_all(ind))

    def on_tangent(t, st):
        size = np.size(a)
        flat = ind.ravel().astype(np.intp)
        flat = np.clip(flat, 0, size - 1) if mode == "clip" else flat % size
        _cycled(t, np.unravel_index(flat, np.shape(a)), flat.size, st)

    _write("put", a, v, lambda d, s: np.put(d, ind, s, mode=mode), on_tangent)


@implements(np.put_along_axis)
def _put_along_axis(arr, indices, values, axis):
    indices = _strip_all(indices)

    def on_tangent(t, st):
        if axis is None:
            flat = np.ravel(indices) % np.size(arr)
            src = dirs.broadcast_to(dirs.subspace(st, np.shape(indices)), np.shape(indices))
            t[dirs.key(np.unravel_index(flat, np.shape(arr)))] = dirs.flatten(src)
        else:
            np.put_along_axis(t, np.expand_dims(indices, 0), dirs.align(st, np.ndim(arr)),
                              axis=dirs.axis(axis, np.ndim(arr)))

    _write("put_along_axis", arr, values, lambda d, s: np.put_along_axis(d, indices, s, axis), on_tangent)


@implements(np.fill_diagonal)
def _fill_diagonal(a, val, wrap=False):
    def on_tangent(t, st):
        mask = np.zeros(np.shape(a), dtype=bool)
        np.fill_diagonal(mask, True, wrap=wrap)
        _cycled(t, np.nonzero(mask), int(np.count_nonzero(mask)), st)

    _write("fill_diagonal", a, val, lambda d, s: np.fill_diagonal(d, s, wrap=wrap), on_tangent)


# ---------------------------------------------------------------- applying functions over axes
@implements(np.apply_along_axis)
def _apply_along_axis(func1d, axis, arr, *args, **kwargs):
    nd = np.ndim(arr)
    axis = dirs.axis(axis, nd) + nd
    moved = np.moveaxis(arr, axis, -1)
    outer = np.shape(moved)[:-1]
    if 0 in outer:
        raise ValueError("Cannot apply_along_axis when any iteration dimensions are 0")
    results = [func1d(moved[i], *args, **kwargs) for i in np.ndindex(outer)]
    res = np.stack(results)
    inner = np.shape(res)[1:]
    res = np.reshape(res, outer + inner)
    r = len(inner)
    return np.moveaxis(res, list(range(len(outer), len(outer) + r)), list(range(axis, axis + r)))


@implements(np.apply_over_axes)
def _apply_over_axes(func, a, axes):
    val, n = a, np.ndim(a)
    for axis in np.atleast_1d(axes).tolist():
        axis = axis + n if axis < 0 else axis
        res = func(val, axis)
        if np.ndim(res) != np.ndim(val):
            res = np.expand_dims(res, axis)
            if np.ndim(res) != np.ndim(val):
                raise ValueError("function is not returning an array of the correct shape")
        val = res
    return val


# ---------------------------------------------------------------- numpy.lib.scimath (np.emath)
def _to_complex(x: Any) -> Any:
    single = (np.single, np.byte, np.short, np.ubyte, np.ushort, np.csingle)
    dtype = np.csingle if issubclass(np.result_type(x).type, single) else np.cdouble
    return x.astype(dtype) if isinstance(x, DualArray) else np.asarray(x).astype(dtype)


def _fix_lt_zero(x: Any) -> Any:
    p = np.asarray(_strip_all(x))
    return _to_complex(x) if np.any(np.isreal(p) & (p < 0)) else x


def _fix_abs_gt_1(x: Any) -> Any:
    p = np.asarray(_strip_all(x))
    return _to_complex(x) if np.any(np.isreal(p) & (abs(p) > 1)) else x


def _fix_int_lt_zero(x: Any) -> Any:
    p = np.asarray(_strip_all(x))
    return x * 1.0 if np.any(np.isreal(p) & (p < 0)) else x


for _f, _fix_input, _ufunc in (
    (_scimath.sqrt, _fix_lt_zero, np.sqrt),
    (_scimath.log, _fix_lt_zero, np.log),
    (_scimath.log10, _fix_lt_zero, np.log10),
    (_scimath.log2, _fix_lt_zero, np.log2),
    (_scimath.arctanh, _fix_abs_gt_1, np.arctanh),
):
    implements(_f)(lambda x, _fix_input=_fix_input, _ufunc=_ufunc: _ufunc(_fix_input(x)))


def _emath_arcsin_like(ufunc: np.ufunc, sign: float):
    # real |x| > 1 lies on the branch cut: NumPy's value is the limit from above (x + i0), whose
    # derivative along the real axis is i·sign(x)/sqrt(x² - 1) (times -1 for arccos)
    def impl(x):
        if _fix_abs_gt_1(x) is x:
            return ufunc(x)
        frame, (v,), (t,) = split([x])
        y = ufunc(_to_complex(v))
        if t is None:
            return frame.wrap(y, None)
        s = np.sqrt(np.abs(1 - v * v))
        d = np.where(np.abs(v) <= 1, sign / s, (sign * 1j) * np.sign(v) / s)
        return frame.wrap(y, d * t)

    return impl


implements(_scimath.arcsin)(_emath_arcsin_like(np.arcsin, 1.0))
implements(_scimath.arccos)(_emath_arcsin_like(np.arccos, -1.0))


@implements(_scimath.logn)
def _emath_logn(n, x):
    return np.log(_fix_lt_zero(x)) / np.log(_fix_lt_zero(n))


@implements(_scimath.power)
def _emath_power(x, p):
    return np.power(_fix_lt_zero(x), _fix_int_lt_zero(p))


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


def _with_like(module: str, name: str) -> list[Any]:
    """NumPy's private ``_<name>_with_like`` twin of a creation function (also overridable)."""
    import importlib

    try:
        return [getattr(importlib.import_module(module), f"_{name}_with_like")]
    except (ImportError, AttributeError):
        return []


def _created(func):
    """A creation function reached through ``like=DualArray`` (NumPy drops ``like`` before dispatch).

    Without DualArray arguments the result is a plain constant array (as without ``like=``); a DualArray
    passed as data (``np.asarray(x, like=x)``) is returned as is, or cast with ``dtype=``.
    """

    def impl(*args, **kwargs):
        duals = [a for a in (*args, *kwargs.values()) if isinstance(a, DualArray)]
        if not duals:
            return func(*args, **kwargs)
        if args and isinstance(args[0], DualArray) and len(duals) == 1 and func in _AS_ARRAY:
            x = args[0]
            dtype = kwargs.get("dtype", args[1] if len(args) > 1 else None)
            if func is np.array and kwargs.get("copy", True):
                x = np.copy(x)
            ndmin = kwargs.get("ndmin", 0) if func is np.array else int(func in _AT_LEAST_1D)
            if ndmin > x.ndim:
                x = np.reshape(x, (1,) * (ndmin - x.ndim) + x.shape)
            return x if dtype is None else x.astype(dtype, copy=False)
        raise TypeError(
            f"numpy.{func.__name__} with DualArray arguments would drop their derivative; build the "
            "array with np.full_like, np.zeros_like + assignment, or np.stack instead"
        )

    return impl


_AT_LEAST_1D = {np.ascontiguousarray, np.asfortranarray}
_AS_ARRAY = {np.array, np.asarray, np.asanyarray, np.ascontiguousarray, np.asfortranarray, np.require}
_CREATION: list[tuple[Any, str]] = [
    (np.array, ""), (np.asarray, ""), (np.asanyarray, ""), (np.ascontiguousarray, ""),
    (np.asfortranarray, ""), (np.require, "numpy._core._asarray"), (np.arange, ""), (np.empty, ""),
    (np.zeros, ""), (np.ones, "numpy._core.numeric"), (np.full, "numpy._core.numeric"),
    (np.identity, "numpy._core.numeric"), (np.fromfunction, "numpy._core.numeric"),
    (np.eye, "numpy.lib._twodim_base_impl"), (np.tri, "numpy.lib._twodim_base_impl"),
    (np.frombuffer, ""), (np.fromfile, ""), (np.fromiter, ""), (np.fromstring, ""),
    (np.loadtxt, "numpy.lib._npyio_impl"), (np.genfromtxt, "numpy.lib._npyio_impl"),
]
for _func, _module in _CREATION:
    _impl = _created(_func)
    implements(_func, *(_with_like(_module, _func.__name__) if _module else []))(_impl)


# ---------------------------------------------------------------- outputs that are not differentiable
nondifferentiable(
    # queries on shape, dtype and memory
    np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj, np.min_scalar_type,
    np.can_cast, np.common_type, np.may_share_memory, np.shares_memory,
    # searching, comparing, testing values
    np.argmax, np.argmin, np.argsort, np.argwhere, np.flatnonzero, np.nonzero, np.count_nonzero,
    np.isclose, np.allclose, np.array_equal, np.array_equiv, np.any, np.all, np.searchsorted,
    np.isreal, np.iscomplex, np.isneginf, np.isposinf,
    # index arithmetic
    np.ix_, np.ravel_multi_index, np.unravel_index, np.diag_indices_from, np.tril_indices_from,
    np.triu_indices_from,
    # bits, dates, text
    np.packbits, np.unpackbits, np.busday_count, np.busday_offset, np.is_busday, np.datetime_as_string,
    np.array2string, np.array_repr, np.array_str,
)

# text functions: their outputs are strings (a DualArray never holds text; numbers formatted into text
# by np.strings.mod and friends are plain strings of the values)
nondifferentiable(
    *(getattr(_strings, name) for name in (
        "_join", "_rsplit", "_split", "_splitlines", "capitalize", "center", "decode", "encode", "expandtabs",
        "ljust", "lower", "mod", "multiply", "partition", "replace", "rjust", "rpartition", "swapcase",
        "title", "translate", "upper", "zfill",
    )),
    *(getattr(_char, name)
      for name in ("equal", "greater", "greater_equal", "less", "less_equal", "not_equal")),
)
unsupported(
    "saving writes only the values and would drop the derivative; save x.value (and x.tangent)",
    np.save, np.savez, np.savez_compressed, np.savetxt,
)
unsupported(
    "structured (record) arrays have no derivative; use plain floating-point fields",
    *(getattr(_recfunctions, name) for name in (
        "append_fields", "apply_along_fields", "assign_fields_by_name", "drop_fields", "find_duplicates",
        "join_by", "merge_arrays", "rec_append_fields", "rec_drop_fields", "rec_join",
        "recursive_fill_fields", "rename_fields", "repack_fields", "require_fields", "stack_arrays",
        "structured_to_unstructured", "unstructured_to_structured",
    )),
)
