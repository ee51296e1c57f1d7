"""Traced tangents as arrays: casts, shapes and axis order, indexing (gathers), joining and selecting.

Each handler records primitives of :mod:`dualarray._transposes` (or lowers the call to a few of them
with NumPy's own construction, so values agree exactly) and is registered in the tables of
:mod:`dualarray._linear`. Rows refer to the inventory of the reverse-mode design (§1).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _directions as dirs
from ._linear import (
    _WRITES,
    FUNCTIONS,
    Lin,
    _is_zero_constant,
    _no_out,
    _not_linear,
    _NoValue,
    _probe,
    _record,
    _require_lin,
    _result_dtype,
    _zero,
)


# ---------------------------------------------------------------------- metadata and symbolic zeros
def _zeros_like(a: Lin, dtype: Any = None, order: Any = "K", subok: bool = True, shape: Any = None, **kwargs):
    shape = a.shape if shape is None else ((shape,) if isinstance(shape, int | np.integer) else tuple(shape))
    return _zero(shape, a.dtype if dtype is None else dtype)


def _full_like(a: Lin, fill_value: Any, dtype: Any = None, order: Any = "K", subok: bool = True, shape: Any = None,
               **kwargs: Any) -> Lin:
    if not _is_zero_constant(fill_value):
        raise _not_linear(np.full_like, "with a nonzero fill is a constant, not a linear map")
    return _zeros_like(a, dtype, order, subok, shape)


def _refuse_storage(func: Any) -> Callable:
    def handler(*args: Any, **kwargs: Any) -> Any:
        raise _not_linear(func, f"allocates storage to be written: {_WRITES}")

    return handler


def _result_type(*arrays_and_dtypes: Any) -> np.dtype:
    return np.result_type(*(x.dtype if isinstance(x, Lin) else x for x in arrays_and_dtypes))


def _negative(x: Lin) -> Lin:
    return _record(np.negative, [x], x.shape, x.dtype)


def _conjugate(x: Lin) -> Lin:
    return _record(np.conjugate, [x], x.shape, x.dtype) if x.dtype.kind == "c" else x


def _real(x: Lin) -> Lin:
    if x.dtype.kind != "c":
        return x
    return _record(np.real, [x], x.shape, np.finfo(x.dtype).dtype)


def _imag(x: Lin) -> Lin:
    if x.dtype.kind != "c":
        return _zero(x.shape, x.dtype)
    return _record(np.imag, [x], x.shape, np.finfo(x.dtype).dtype)


def _astype(x: Lin, dtype: Any, copy: bool = True) -> Lin:
    dtype = np.dtype(dtype)
    if dtype.kind not in "fc":
        raise _not_linear("astype", f"to {dtype} is not linear")
    return x if dtype == x.dtype else _record("astype", [x], x.shape, dtype)


# ----------------------------------------------------------------------- shape and axis order (rows 5-7)
def _resolve_shape(size: int, shape: Any) -> tuple:
    shape = (shape,) if isinstance(shape, int | np.integer) else tuple(int(n) for n in shape)
    if shape.count(-1) == 1:
        known = math.prod(n for n in shape if n != -1)
        shape = tuple(size // known if n == -1 and known else (0 if n == -1 else n) for n in shape)
    if math.prod(shape) != size or any(n < 0 for n in shape):
        raise ValueError(f"cannot reshape a traced tangent of size {size} into shape {shape}")
    return shape


def _reshape(x: Lin, shape: tuple, order: str = "C") -> Lin:
    if order not in ("C", "F"):
        raise _not_linear("reshape", f"with order={order!r} depends on memory layout (resolve it with the value's) and")
    if shape == x.shape:
        return x
    return _record(np.reshape, [x], shape, x.dtype, order=order)


def _reshape_fn(a: Lin, shape: Any = None, order: str = "C", *, newshape: Any = None, copy: Any = None) -> Lin:
    return _reshape(a, _resolve_shape(a.size, shape if shape is not None else newshape), order)


def _ravel(a: Lin, order: str = "C") -> Lin:
    return _reshape(a, (a.size,), order)


def _squeeze(a: Lin, axis: Any = None) -> Lin:
    if axis is None:
        return _reshape(a, tuple(n for n in a.shape if n != 1))
    drop = {a.ndim + ax for ax in dirs.axes(axis, a.ndim)}
    if any(a.shape[i] != 1 for i in drop):
        raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
    return _reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in drop))


def _expand_dims(a: Lin, axis: Any) -> Lin:
    axes = axis if isinstance(axis, tuple | list) else (axis,)
    ndim = a.ndim + len(axes)
    new = {ax % ndim for ax in axes}
    it = iter(a.shape)
    return _reshape(a, tuple(1 if i in new else next(it) for i in range(ndim)))


def _atleast(n: int) -> Callable:
    def handler(*arys: Any) -> Any:
        out = [_atleast_one(n, a) for a in arys]
        return out[0] if len(out) == 1 else tuple(out)

    return handler


def _atleast_one(n: int, a: Any) -> Any:
    if not isinstance(a, Lin):
        return (np.atleast_1d, np.atleast_2d, np.atleast_3d)[n - 1](a)
    s = a.shape
    if a.ndim >= n:
        return a
    if n == 1 or a.ndim == 0:
        return _reshape(a, (1,) * (n - a.ndim) + s)
    if n == 2:
        return _reshape(a, (1, *s))
    return _reshape(a, (1, *s, 1) if a.ndim == 1 else (*s, 1))


def _transpose(a: Lin, axes: Any = None) -> Lin:
    n = a.ndim
    perm = tuple(range(n - 1, -1, -1)) if axes is None else tuple(int(p) % n if n else int(p) for p in axes)
    if sorted(perm) != list(range(n)):
        raise ValueError(f"axes {axes} don't match a traced tangent of {n} dimensions")
    if perm == tuple(range(n)):
        return a
    return _record(np.transpose, [a], tuple(a.shape[p] for p in perm), a.dtype, perm=perm)


def _swapaxes(a: Lin, axis1: int, axis2: int) -> Lin:
    perm = list(range(a.ndim))
    i, j = dirs.axis(axis1, a.ndim), dirs.axis(axis2, a.ndim)
    perm[i], perm[j] = perm[j], perm[i]
    return _transpose(a, perm)


def _moveaxis(a: Lin, source: Any, destination: Any) -> Lin:
    src = [a.ndim + s for s in dirs.axes(source, a.ndim)]
    dst = [a.ndim + d for d in dirs.axes(destination, a.ndim)]
    order = [n for n in range(a.ndim) if n not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return _transpose(a, order)


def _matrix_transpose(x: Lin) -> Lin:
    if x.ndim < 2:
        raise ValueError("matrix transpose with ndim < 2 is undefined")
    return _swapaxes(x, -1, -2)


def _broadcast_to(x: Lin, shape: Any, subok: bool = False) -> Lin:
    shape = (shape,) if isinstance(shape, int | np.integer) else tuple(shape)
    if shape == x.shape:
        return x
    np.broadcast_shapes(x.shape, shape)  # raises as NumPy does
    return _record(np.broadcast_to, [x], shape, x.dtype)


def _broadcast_arrays(*args: Any, subok: bool = False) -> tuple:
    shape = np.broadcast_shapes(*(np.shape(a) for a in args))
    return tuple(_broadcast_to(a, shape) if isinstance(a, Lin) else np.broadcast_to(a, shape) for a in args)


# --------------------------------------------------------------------------- indexing (rows 11-12)
def _index_map(x: Lin) -> np.ndarray:
    """The flat position of every element: index functions applied to it give gather maps."""
    return np.arange(x.size, dtype=np.intp).reshape(x.shape)


def _gather(x: Lin, pos: Any) -> Lin:
    pos = np.asarray(pos)
    return _record("gather", [x], pos.shape, x.dtype, pos=pos)


def _is_basic(i: Any) -> bool:
    if i is None or i is Ellipsis or isinstance(i, slice):
        return True
    return isinstance(i, int | np.integer) and not isinstance(i, bool | np.bool_)


def _getitem(x: Lin, key: Any) -> Lin:
    items = key if isinstance(key, tuple) else (key,)
    if any(isinstance(i, Lin) for i in items):
        raise _not_linear("indexing", "with a traced tangent as the index is not linear")
    if all(_is_basic(i) for i in items):
        return _record("getitem", [x], _probe(x.shape)[items].shape, x.dtype, key=items)
    return _gather(x, _index_map(x)[key])


def _by_index(func: Callable, position: int = 0) -> Callable:
    """A handler for a NumPy function that only moves elements: apply it to the index map (a gather)."""

    def handler(*args: Any, **kwargs: Any) -> Any:
        x = _require_lin(func, args[position])
        _no_out(func, kwargs.get("out"))
        for a in (*args[:position], *args[position + 1 :], *kwargs.values()):
            if isinstance(a, Lin):
                raise _not_linear(func, "with a traced tangent as an index argument is not linear")
        result = func(*args[:position], _index_map(x), *args[position + 1 :], **kwargs)
        if isinstance(result, list | tuple):
            return [_gather(x, r) for r in result]
        return _gather(x, result)

    return handler


def _flip(m: Lin, axis: Any = None) -> Lin:
    key = [slice(None)] * m.ndim
    for ax in dirs.axes(axis, m.ndim):
        key[ax] = slice(None, None, -1)
    return _getitem(m, tuple(key))


def _rot90(m: Lin, k: int = 1, axes: Any = (0, 1)) -> Lin:
    # NumPy's own construction (flips and a transpose), so views and values agree
    a0, a1 = (ax % m.ndim for ax in axes)
    if a0 == a1 or m.ndim < 2:
        raise ValueError("Axes must be different and the array at least 2-D.")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return _flip(_flip(m, a0), a1)
    perm = list(range(m.ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    return _transpose(_flip(m, a1), perm) if k == 1 else _flip(_transpose(m, perm), a1)


# ---------------------------------------------------------------------- joining and selecting (16-17)
def _part(func: Any, x: Any) -> Lin:
    if not isinstance(x, Lin):
        raise _not_linear(func, "of a traced tangent with a constant is affine, not linear (use a Zero)")
    return x


def _concatenate(arrays: Sequence[Any], axis: Any = 0, out: Any = None, dtype: Any = None, casting: Any = None):
    _no_out(np.concatenate, out)
    parts = [_part(np.concatenate, a) for a in arrays]
    if axis is None:
        parts, axis = [_ravel(p) for p in parts], 0
    ndim = parts[0].ndim
    if ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    ax = dirs.axis(axis, ndim)
    shape = list(parts[0].shape)
    shape[ax] = sum(p.shape[ax] for p in parts)
    dtype = np.dtype(dtype) if dtype is not None else _result_dtype(*parts)
    return _record(np.concatenate, parts, tuple(shape), dtype, axis=ax)


def _stack(arrays: Sequence[Any], axis: int = 0, out: Any = None, *, dtype: Any = None, casting: Any = None):
    _no_out(np.stack, out)
    parts = [_part(np.stack, a) for a in arrays]
    ax = dirs.axis(axis, parts[0].ndim + 1)
    return _concatenate([_expand_dims(p, ax) for p in parts], axis=ax, dtype=dtype)


def _hstack(tup: Sequence[Any], *, dtype: Any = None, casting: Any = None) -> Lin:
    arrs = [_atleast_one(1, a) for a in tup]
    return _concatenate(arrs, axis=0 if arrs and arrs[0].ndim == 1 else 1, dtype=dtype)


def _vstack(tup: Sequence[Any], *, dtype: Any = None, casting: Any = None) -> Lin:
    return _concatenate([_atleast_one(2, a) for a in tup], axis=0, dtype=dtype)


def _branch(x: Any) -> Any:
    """A where-branch: a Lin, or (shape, dtype) of a zero (a Zero or a scalar 0); else affine."""
    if isinstance(x, Lin):
        return x
    if _is_zero_constant(x):
        return x
    raise _not_linear(np.where, "with a nonzero constant branch is affine, not linear")


def _where(condition: Any, x: Any = _NoValue, y: Any = _NoValue) -> Lin:
    if x is _NoValue or y is _NoValue:
        raise _not_linear(np.where, "with one argument (np.nonzero) needs values and")
    if isinstance(condition, Lin):
        raise _not_linear(np.where, "with a traced condition is not linear")
    a, b = _branch(x), _branch(y)
    cond = np.array(condition, dtype=bool)  # a copy: a later write to the mask must not change the map
    shape = np.broadcast_shapes(cond.shape, np.shape(a), np.shape(b))
    dtype = _result_dtype(a, b)
    ops = [v if isinstance(v, Lin) else ((), dtype) for v in (a, b)]
    return _record(np.where, ops, shape, dtype, cond=cond)


def _select(condlist: Sequence[Any], choicelist: Sequence[Any], default: Any = 0) -> Lin:
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    dtype = _result_dtype(*choicelist, default)
    result = default
    for cond, choice in zip(reversed(condlist), reversed(choicelist), strict=True):
        result = _where(cond, choice, result)
    return _astype(result, dtype) if isinstance(result, Lin) else result


def _tri_mask(func: Any, m: Lin, k: int, lower: bool) -> Lin:
    x = _require_lin(func, m)
    mask = np.tri(*x.shape[-2:], k=k if lower else k - 1, dtype=bool)
    zero = _zero((1,), x.dtype)
    return _where(mask, x, zero) if lower else _where(mask, zero, x)


FUNCTIONS.update({
    # metadata (no node)
    np.shape: lambda a: a.shape,
    np.ndim: lambda a: a.ndim,
    np.size: lambda a, axis=None: a.size if axis is None else a.shape[axis],
    np.iscomplexobj: lambda x: x.dtype.kind == "c",
    np.isrealobj: lambda x: x.dtype.kind != "c",
    np.result_type: _result_type,
    np.zeros_like: _zeros_like,
    np.full_like: _full_like,
    np.empty_like: _refuse_storage(np.empty_like),
    np.copyto: _refuse_storage(np.copyto),
    np.copy: lambda a, order="K", subok=False: a,
    # complex parts and casts
    np.real: _real,
    np.imag: _imag,
    np.astype: lambda x, dtype, /, *, copy=True, device=None: _astype(x, dtype),
    # shape and axis order
    np.reshape: _reshape_fn,
    np.ravel: _ravel,
    np.squeeze: _squeeze,
    np.expand_dims: _expand_dims,
    np.atleast_1d: _atleast(1),
    np.atleast_2d: _atleast(2),
    np.atleast_3d: _atleast(3),
    np.transpose: _transpose,
    np.permute_dims: _transpose,
    np.swapaxes: _swapaxes,
    np.moveaxis: _moveaxis,
    np.matrix_transpose: _matrix_transpose,
    np.linalg.matrix_transpose: _matrix_transpose,
    np.broadcast_to: _broadcast_to,
    np.broadcast_arrays: _broadcast_arrays,
    np.flip: _flip,
    np.fliplr: lambda m: _flip(m, 1),
    np.flipud: lambda m: _flip(m, 0),
    np.rot90: _rot90,
    # gathers (functions that only move elements)
    np.take: _by_index(np.take),
    np.take_along_axis: _by_index(np.take_along_axis),
    np.roll: _by_index(np.roll),
    np.fft.fftshift: _by_index(np.fft.fftshift),
    np.fft.ifftshift: _by_index(np.fft.ifftshift),
    np.repeat: _by_index(np.repeat),
    np.tile: _by_index(np.tile),
    np.resize: _by_index(np.resize),
    np.delete: _by_index(np.delete),
    np.compress: _by_index(np.compress, 1),
    np.extract: _by_index(np.extract, 1),
    np.diagonal: _by_index(np.diagonal),
    np.linalg.diagonal: _by_index(np.linalg.diagonal),
    np.split: _by_index(np.split),
    np.array_split: _by_index(np.array_split),
    operator.getitem: _getitem,
    # joining and selecting
    np.concatenate: _concatenate,
    np.stack: _stack,
    np.hstack: _hstack,
    np.vstack: _vstack,
    np.where: _where,
    np.select: _select,
    np.tril: lambda m, k=0: _tri_mask(np.tril, m, k, True),
    np.triu: lambda m, k=0: _tri_mask(np.triu, m, k, False),
})
