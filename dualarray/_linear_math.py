"""Traced tangents in arithmetic: scaling and sums, reductions, contractions with constants, solve, FFT, pad.

Each handler records primitives of :mod:`dualarray._transposes` (or lowers the call to a few of them
with NumPy's own construction, so values agree exactly) and is registered in the tables of
:mod:`dualarray._linear`. Rows refer to the inventory of the reverse-mode design (§1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _directions as dirs
from ._linear import (
    FUNCTIONS,
    UFUNC_METHODS,
    UFUNCS,
    Lin,
    _constant,
    _is_zero,
    _is_zero_constant,
    _no_out,
    _not_linear,
    _NoValue,
    _one_lin,
    _record,
    _require_lin,
    _result_dtype,
    _zero,
)
from ._linear_array import (
    _astype,
    _broadcast_to,
    _concatenate,
    _conjugate,
    _gather,
    _getitem,
    _index_map,
    _moveaxis,
    _negative,
    _ravel,
    _reshape,
)
from ._transposes import _LETTERS


# ------------------------------------------------------------------------ scaling (ufuncs, §1 rows 1-2)
def _scale(lin: Lin, c: Any, kind: Any = np.multiply, lin_first: bool = True) -> Lin:
    shape = np.broadcast_shapes(lin.shape, np.shape(c))
    return _record(kind, [lin], shape, _result_dtype(lin, c), coef=c, lin_first=lin_first)


def _multiply(a: Any, b: Any) -> Lin:
    lin, c, first = _one_lin(np.multiply, a, b)
    return _scale(lin, c, lin_first=first)


def masked_scale(coef: Any, lin: Lin) -> Lin:
    """``coef · lin`` with 0 where the tangent is 0, even for an infinite coefficient (``dirs.scale_finite``)."""
    return _scale(lin, _constant("scale_finite", coef), "masked_scale")


def _divide(a: Any, b: Any) -> Lin:
    if isinstance(b, Lin):
        raise _not_linear(np.divide, "by a traced tangent is not linear")
    return _scale(a, _constant(np.divide, b), np.divide)


def _ldexp(x: Any, e: Any) -> Lin:
    if isinstance(e, Lin):
        raise _not_linear(np.ldexp, "with a traced exponent is not linear")
    shape = np.broadcast_shapes(x.shape, np.shape(e))
    return _record(np.ldexp, [x], shape, x.dtype, exponent=e)


def _sum_of(kind: Any, a: Any, b: Any) -> Lin:
    """``a ± b`` for traced operands; a zero operand (a Zero or a scalar 0) drops out."""
    for x in (a, b):
        if not isinstance(x, Lin) and not _is_zero_constant(x):
            raise _not_linear(kind, "with a nonzero constant operand is affine, not linear")
    sa, sb = np.shape(a), np.shape(b)
    shape = sa if sa == sb else np.broadcast_shapes(sa, sb)
    dtype = _result_dtype(a, b)
    live_a = isinstance(a, Lin) and not _is_zero(a)
    live_b = isinstance(b, Lin) and not _is_zero(b)
    if live_a and live_b:
        return _record(kind, [a, b], shape, dtype)
    if not live_a and not live_b:
        return _zero(shape, dtype)
    r = a if live_a else (b if kind is np.add else _negative(b))
    return _astype(_broadcast_to(r, shape), dtype)



# --------------------------------------------------------------------------- reductions (18-21)
def _sum(a: Lin, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True) -> Lin:
    _no_out(np.sum, out)
    if initial is not _NoValue and not _is_zero_constant(initial):
        raise _not_linear(np.sum, "with a nonzero initial= is affine, not linear")
    axes = dirs.axes(axis, a.ndim)
    mask = None if where is True else np.asarray(where, dtype=bool)
    shape = tuple(1 if i - a.ndim in axes else n for i, n in enumerate(a.shape) if keepdims or i - a.ndim not in axes)
    dtype = a.dtype if dtype is None else np.dtype(dtype)
    if dtype.kind not in "fc":
        raise _not_linear(np.sum, f"with dtype={dtype} is not linear")
    return _record(np.sum, [a], shape, dtype, axes=axes, keepdims=bool(keepdims), where=mask)


def _add_reduce(a: Lin, axis=0, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True) -> Lin:
    return _sum(a, axis, dtype, out, keepdims, initial, where)


def _mean(a: Lin, axis=None, dtype=None, out=None, keepdims=False, *, where=True) -> Lin:
    s = _sum(a, axis, dtype, out, keepdims, where=where)
    axes = dirs.axes(axis, a.ndim)
    if where is True:
        count = math.prod(a.shape[ax] for ax in axes)
    else:
        mask = np.broadcast_to(np.asarray(where, dtype=bool), a.shape)
        count = np.sum(mask, axis=axes, keepdims=keepdims).astype(np.finfo(s.dtype).dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _scale(s, count, np.divide)


def _cumsum(a: Lin, axis=None, dtype=None, out=None) -> Lin:
    _no_out(np.cumsum, out)
    if axis is None:
        a, axis = _ravel(a), -1
    dtype = a.dtype if dtype is None else np.dtype(dtype)
    return _record(np.cumsum, [a], a.shape, dtype, axis=dirs.axis(axis, a.ndim))


def _add_accumulate(a: Lin, axis=0, dtype=None, out=None) -> Lin:
    return _cumsum(a, axis, dtype, out)


def _diff(a: Lin, n: int = 1, axis: int = -1, prepend: Any = _NoValue, append: Any = _NoValue) -> Lin:
    # NumPy's construction: zero-padded ends (a nonzero end is affine), then n slice differences
    if n == 0:
        return a
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    if a.ndim == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    ax = dirs.axis(axis, a.ndim)
    combined = []
    for end in (prepend, a, append):
        if end is _NoValue:
            continue
        if end is not a:
            if not (_is_zero(end) or _is_zero_constant(end)):
                raise _not_linear(np.diff, "with a nonzero prepend=/append= is affine, not linear")
            shape = list(a.shape)
            shape[ax] = 1 if np.ndim(end) == 0 else np.shape(end)[ax]
            end = _zero(tuple(shape), _result_dtype(a, end if isinstance(end, Lin) else np.asarray(end)))
        combined.append(end)
    if len(combined) > 1:
        a = _concatenate(combined, axis=ax)
    for _ in range(n):
        upper = _getitem(a, (Ellipsis, slice(1, None)) + (slice(None),) * (-ax - 1))
        lower = _getitem(a, (Ellipsis, slice(None, -1)) + (slice(None),) * (-ax - 1))
        a = _sum_of(np.subtract, upper, lower)
    return a


def _trace(a: Lin, offset=0, axis1=0, axis2=1, dtype=None, out=None) -> Lin:
    _no_out(np.trace, out)
    return _sum(_gather(a, np.diagonal(_index_map(a), offset, axis1, axis2)), axis=-1, dtype=dtype)


# -------------------------------------------------------------- contractions with a constant (22-23)
def _matmul(a: Any, b: Any, **kwargs: Any) -> Lin:
    if kwargs.get("axes") is not None or kwargs.get("axis") is not None:
        raise _not_linear(np.matmul, "with axes= is not recorded yet")
    if isinstance(a, Lin) and isinstance(b, Lin):
        raise _not_linear(np.matmul, "of two traced tangents is not linear")
    lin, c, first = _one_lin(np.matmul, a, b)
    if hasattr(c, "tocsr") and hasattr(c, "nnz"):  # a scipy.sparse constant
        from .rules.sparse_matrices import along, contraction

        m, axis = contraction(c, lin.shape, matrix_first=not first)
        return along(m, lin, axis)
    sa, sb = (lin.shape, np.shape(c)) if first else (np.shape(c), lin.shape)
    if not sa or not sb:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    a2 = sa if len(sa) > 1 else (1, *sa)
    b2 = sb if len(sb) > 1 else (*sb, 1)
    if a2[-1] != b2[-2]:
        raise ValueError(f"matmul: mismatch in the core dimension: {sa} @ {sb}")
    rows, cols = a2[-2:-1] if len(sa) > 1 else (), b2[-1:] if len(sb) > 1 else ()
    shape = (*np.broadcast_shapes(a2[:-2], b2[:-2]), *rows, *cols)
    return _record(np.matmul, [lin], shape, _result_dtype(lin, c), coef=c, lin_first=first)


def _parse_einsum(spec: str, shapes: list[tuple]) -> tuple[list[str], str]:
    """Explicit subscripts (ellipses spelled out in fresh letters) and the explicit output."""
    spec = spec.replace(" ", "")
    ins, arrow, out = spec.partition("->")
    subs = ins.split(",")
    if len(subs) != len(shapes):
        raise ValueError(f"einsum: {len(subs)} subscripts for {len(shapes)} operands")
    free = [c for c in _LETTERS if c not in spec]
    extra = [len(sh) - (len(s) - 3) if "..." in s else 0 for s, sh in zip(subs, shapes, strict=True)]
    ell = "".join(free[: max(extra, default=0)])
    subs = [s.replace("...", ell[len(ell) - k :] if k else "") for s, k in zip(subs, extra, strict=True)]
    if arrow:
        out = out.replace("...", ell)
    else:
        counts = {c: "".join(subs).count(c) for c in "".join(subs) if c not in ell}
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1))
    return subs, out


def _contract(func: Any, subs: list[str], out: str, operands: list[Any], *, optimize: Any = False,
              call: Callable | None = None, conj_lin: bool = False) -> Lin:
    """One einsum node for a contraction of exactly one traced operand with constants."""
    lins = [i for i, op in enumerate(operands) if isinstance(op, Lin)]
    if len(lins) != 1:
        raise _not_linear(func, "of several traced tangents is not linear")
    pos = lins[0]
    lin = operands[pos]
    sizes: dict[str, int] = {}
    for s, op in zip(subs, operands, strict=True):
        shape = np.shape(op)
        if len(s) != len(shape):
            raise ValueError(f"einsum: subscripts {s!r} for an operand of shape {shape}")
        for c, n in zip(s, shape, strict=True):
            m = sizes.get(c)
            if m is None or m == 1:
                sizes[c] = n
            elif n not in (1, m):
                raise ValueError(f"einsum: size {n} of {c!r} does not match {m}")
    shape = tuple(sizes[c] for c in out)
    consts = [None if i == pos else _constant(func, op) for i, op in enumerate(operands)]
    return _record(np.einsum, [lin], shape, _result_dtype(*operands), subscripts=subs, out=out,
                   operands=consts, position=pos, optimize=optimize, call=call, conj_lin=conj_lin)


def _caller_of(func: Callable, args: Sequence[Any], pos: int, **kwargs: Any) -> Callable:
    """``v -> func(*args with v at pos, **kwargs)``: apply a lowered contraction exactly as the rule did."""
    args = list(args)

    def call(v: Any) -> Any:
        args[pos] = v
        return func(*args, **kwargs)

    return call


def _einsum(*operands: Any, out: Any = None, optimize: Any = False, dtype: Any = None, **kwargs: Any) -> Lin:
    _no_out(np.einsum, out)
    if not isinstance(operands[0], str):
        raise _not_linear(np.einsum, "in the sublist form is not recorded yet")
    ops = list(operands[1:])
    subs, res = _parse_einsum(operands[0], [np.shape(op) for op in ops])
    r = _contract(np.einsum, subs, res, ops, optimize=optimize)
    return r if dtype is None else _astype(r, dtype)


def _position(a: Any, b: Any) -> int:
    return 0 if isinstance(a, Lin) else 1


def _tensordot(a: Any, b: Any, axes: Any = 2) -> Lin:
    na, nb = np.ndim(a), np.ndim(b)
    if isinstance(axes, int | np.integer):
        axa, axb = list(range(na - axes, na)), list(range(axes))
    else:
        axa, axb = ([x] if isinstance(x, int | np.integer) else list(x) for x in axes)
    axa, axb = [x % na for x in axa], [x % nb for x in axb]
    la, lb = list(_LETTERS[:na]), list(_LETTERS[na : na + nb])
    for i, j in zip(axa, axb, strict=True):
        lb[j] = la[i]
    out = [la[i] for i in range(na) if i not in axa] + [lb[j] for j in range(nb) if j not in axb]
    pos = _position(a, b)
    return _contract(np.tensordot, ["".join(la), "".join(lb)], "".join(out), [a, b],
                     call=_caller_of(np.tensordot, [a, b], pos, axes=axes))


def _dot(a: Any, b: Any, out: Any = None) -> Lin:
    _no_out(np.dot, out)
    if np.ndim(a) == 0 or np.ndim(b) == 0:  # NumPy makes scalars arrays here (not weak)
        return _multiply(*(x if isinstance(x, Lin) else np.asarray(x) for x in (a, b)))
    na, nb = np.ndim(a), np.ndim(b)
    la, lb = list(_LETTERS[:na]), list(_LETTERS[na : na + nb])
    j = 0 if nb == 1 else nb - 2
    lb[j] = la[-1]
    res = la[:-1] + [c for k, c in enumerate(lb) if k != j]
    return _contract(np.dot, ["".join(la), "".join(lb)], "".join(res), [a, b],
                     call=_caller_of(np.dot, [a, b], _position(a, b)))


def _inner(a: Any, b: Any) -> Lin:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return _multiply(*(x if isinstance(x, Lin) else np.asarray(x) for x in (a, b)))
    na, nb = np.ndim(a), np.ndim(b)
    la, lb = list(_LETTERS[:na]), list(_LETTERS[na : na + nb])
    lb[-1] = la[-1]
    return _contract(np.inner, ["".join(la), "".join(lb)], "".join(la[:-1] + lb[:-1]), [a, b],
                     call=_caller_of(np.inner, [a, b], _position(a, b)))


def _outer(a: Any, b: Any, out: Any = None) -> Lin:
    # NumPy's construction: a.ravel()[:, None] * b.ravel()[None, :]
    _no_out(np.outer, out)
    ra = _ravel(a)[:, None] if isinstance(a, Lin) else np.ravel(a)[:, None]
    rb = _ravel(b)[None, :] if isinstance(b, Lin) else np.ravel(b)[None, :]
    return _multiply(ra, rb)


def _multiply_outer(a: Any, b: Any, **kwargs: Any) -> Lin:
    tail = (1,) * np.ndim(b)
    ra = _reshape(a, (*a.shape, *tail)) if isinstance(a, Lin) else np.reshape(a, np.shape(a) + tail)
    return _multiply(ra, b)


def _vector_contraction(func: Any, a: Any, b: Any, spec_a: str, spec_b: str, out: str, conj_a: bool,
                        axis: int = -1) -> Lin:
    """vecdot / matvec / vecmat: sum over the vector axis, conjugating the first vector where NumPy does."""
    if axis != -1:
        a = _moveaxis(a, axis, -1) if isinstance(a, Lin) else np.moveaxis(a, axis, -1)
        b = _moveaxis(b, axis, -1) if isinstance(b, Lin) else np.moveaxis(b, axis, -1)
    pos = _position(a, b)
    conj = conj_a and pos == 0 and a.dtype.kind == "c"
    ops = [a, b]
    if conj_a and pos == 1:
        ops[0] = _conj_const(a)
    subs, res = _parse_einsum(f"{spec_a},{spec_b}->{out}", [np.shape(op) for op in ops])
    return _contract(func, subs, res, ops, conj_lin=conj, call=_caller_of(func, [a, b], pos))


def _conj_const(c: Any) -> Any:
    c = _constant(np.vecdot, c)
    return np.conjugate(c) if np.iscomplexobj(c) else c


def _vecdot(x1: Any, x2: Any, axis: int = -1, **kwargs: Any) -> Lin:
    return _vector_contraction(np.vecdot, x1, x2, "...i", "...i", "...", True, axis)


def _matvec(x1: Any, x2: Any, **kwargs: Any) -> Lin:
    return _vector_contraction(np.matvec, x1, x2, "...ij", "...j", "...i", False)


def _vecmat(x1: Any, x2: Any, **kwargs: Any) -> Lin:
    return _vector_contraction(np.vecmat, x1, x2, "...j", "...ji", "...i", True)


def _solve(a: Any, b: Any) -> Lin:
    if isinstance(a, Lin):
        raise _not_linear(np.linalg.solve, "with a traced matrix is not linear (only the right-hand side is)")
    a = _constant(np.linalg.solve, a)
    sa = np.shape(a)
    if b.ndim == 1:
        shape = (*sa[:-2], sa[-1])
    else:
        shape = (*np.broadcast_shapes(sa[:-2], b.shape[:-2]), *b.shape[-2:])
    return _record(np.linalg.solve, [b], shape, _result_dtype(a, b, np.float16), coef=a)


# --------------------------------------------------------------------------------------- FFT (24)
_SWAPPED_NORM = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _fft1(kind: Any, a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Lin:
    x = _require_lin(kind, a)
    _no_out(kind, out)
    ax = dirs.axis(axis, x.ndim)
    length = x.shape[ax]
    complex_dtype = np.result_type(x.dtype, np.complex64)
    if kind is np.fft.irfft:
        n = 2 * (length - 1) if n is None else int(n)
        size, dtype = n, np.finfo(complex_dtype).dtype
    elif kind is np.fft.rfft:
        if x.dtype.kind == "c":
            raise TypeError("rfft needs a real input; a complex traced tangent was given")
        n = length if n is None else int(n)
        size, dtype = n // 2 + 1, complex_dtype
    else:
        n = length if n is None else int(n)
        size, dtype = n, complex_dtype
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    shape = list(x.shape)
    shape[ax] = size
    return _record(kind, [x], tuple(shape), dtype, n=n, axis=ax, norm=norm or "backward")


def _fft_handler(kind: Any) -> Callable:
    return lambda a, n=None, axis=-1, norm=None, out=None: _fft1(kind, a, n, axis, norm, out)


def _cook(x: Lin, s: Any, axes: Any, invreal: bool = False) -> tuple[list, list]:
    """NumPy's ``_cook_nd_args``: the lengths and axes of an n-dimensional transform."""
    if s is None:
        axes = list(range(x.ndim)) if axes is None else list(axes)
        s = [x.shape[a] for a in axes]
        if invreal and s:
            s[-1] = (x.shape[axes[-1]] - 1) * 2
    else:
        s = list(s)
        axes = list(range(-len(s), 0)) if axes is None else list(axes)
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    return s, axes


def _fftn_handler(kind: Any, default_axes: Any = None) -> Callable:
    # NumPy's loops over 1-d transforms (numpy/fft/_pocketfft.py), so values agree exactly
    def handler(a: Any, s: Any = None, axes: Any = default_axes, norm: Any = None, out: Any = None) -> Lin:
        x = _require_lin(kind, a)
        _no_out(kind, out)
        if kind in ("fftn", "ifftn"):
            one = np.fft.fft if kind == "fftn" else np.fft.ifft
            s, axes = _cook(x, s, axes)
            for ii in reversed(range(len(axes))):
                x = _fft1(one, x, s[ii], axes[ii], norm)
        elif kind == "rfftn":
            s, axes = _cook(x, s, axes)
            x = _fft1(np.fft.rfft, x, s[-1], axes[-1], norm)
            for ii in range(len(axes) - 2, -1, -1):
                x = _fft1(np.fft.fft, x, s[ii], axes[ii], norm)
        else:
            s, axes = _cook(x, s, axes, invreal=True)
            for ii in range(len(axes) - 1):
                x = _fft1(np.fft.ifft, x, s[ii], axes[ii], norm)
            x = _fft1(np.fft.irfft, x, s[-1], axes[-1], norm)
        return x

    return handler


def _hfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Lin:
    x = _require_lin(np.fft.hfft, a)
    n = (x.shape[axis] - 1) * 2 if n is None else n
    return _fft1(np.fft.irfft, _conjugate(x), n, axis, _SWAPPED_NORM[norm], out)


def _ihfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Lin:
    x = _require_lin(np.fft.ihfft, a)
    return _conjugate(_fft1(np.fft.rfft, x, n, axis, _SWAPPED_NORM[norm], out))


# --------------------------------------------------------------------------------------- pad (25)
_GATHER_PADS = ("edge", "wrap", "reflect", "symmetric")


def _pad(array: Any, pad_width: Any, mode: Any = "constant", **kwargs: Any) -> Lin:
    x = _require_lin(np.pad, array)
    if x.ndim == 0:
        return x  # NumPy pads no axes of a 0-d array
    if mode == "constant":
        if not np.all(np.asarray(kwargs.get("constant_values", 0)) == 0):
            raise _not_linear(np.pad, "with nonzero constant_values is affine, not linear")
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (x.ndim, 2))
        if np.any(widths < 0):
            raise ValueError("index can't contain negative values")
        widths = tuple((int(b), int(a)) for b, a in widths)
        shape = tuple(n + b + a for n, (b, a) in zip(x.shape, widths, strict=True))
        return _record(np.pad, [x], shape, x.dtype, widths=widths)
    if mode in _GATHER_PADS and kwargs.get("reflect_type", "even") == "even":
        return _gather(x, np.pad(_index_map(x), pad_width, mode=mode, **kwargs))
    raise _not_linear(np.pad, f"with mode={mode!r} is not recorded yet")


UFUNCS.update({
    np.multiply: _multiply,
    np.divide: _divide,
    np.ldexp: _ldexp,
    np.add: lambda a, b: _sum_of(np.add, a, b),
    np.subtract: lambda a, b: _sum_of(np.subtract, a, b),
    np.negative: _negative,
    np.positive: lambda x: x,
    np.conjugate: _conjugate,
    np.matmul: _matmul,
    np.vecdot: _vecdot,
    np.matvec: _matvec,
    np.vecmat: _vecmat,
})

UFUNC_METHODS.update({
    (np.add, "reduce"): _add_reduce,
    (np.add, "accumulate"): _add_accumulate,
    (np.multiply, "outer"): _multiply_outer,
})

FUNCTIONS.update({
    # reductions
    np.sum: _sum,
    np.mean: _mean,
    np.cumsum: _cumsum,
    np.diff: _diff,
    np.trace: _trace,
    np.linalg.trace: lambda x, /, *, offset=0, dtype=None: _trace(x, offset, -2, -1, dtype),
    # contractions with a constant
    np.linalg.matmul: lambda x1, x2, /: _matmul(x1, x2),
    np.einsum: _einsum,
    np.tensordot: _tensordot,
    np.linalg.tensordot: lambda x1, x2, /, *, axes=2: _tensordot(x1, x2, axes),
    np.dot: _dot,
    np.inner: _inner,
    np.outer: _outer,
    np.linalg.outer: lambda x1, x2, /: _outer(x1, x2),
    np.linalg.vecdot: lambda x1, x2, /, *, axis=-1: _vecdot(x1, x2, axis),
    np.linalg.solve: _solve,
    # FFT
    np.fft.fft: _fft_handler(np.fft.fft),
    np.fft.ifft: _fft_handler(np.fft.ifft),
    np.fft.rfft: _fft_handler(np.fft.rfft),
    np.fft.irfft: _fft_handler(np.fft.irfft),
    np.fft.hfft: _hfft,
    np.fft.ihfft: _ihfft,
    np.fft.fftn: _fftn_handler("fftn"),
    np.fft.ifftn: _fftn_handler("ifftn"),
    np.fft.rfftn: _fftn_handler("rfftn"),
    np.fft.irfftn: _fftn_handler("irfftn"),
    np.fft.fft2: _fftn_handler("fftn", (-2, -1)),
    np.fft.ifft2: _fftn_handler("ifftn", (-2, -1)),
    np.fft.rfft2: _fftn_handler("rfftn", (-2, -1)),
    np.fft.irfft2: _fftn_handler("irfftn", (-2, -1)),
    np.pad: _pad,
})
