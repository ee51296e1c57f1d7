"""Reverse mode: linearize f (record its tangent map), then transpose the record (JAX's design).

One pass seeds every differentiated input with a recorded leaf (:class:`dualarray._linear.Lin`) under
a fresh *reverse* tag and runs f once. The rules are the forward rules, unchanged: they compute
coefficients from values and apply linear NumPy operations to the leaves, which record them. The
record is a linear map ``v ↦ J v``; its transpose (for the real inner product ``Re Σ conj(a)·b``) is
``w ↦ Jᴴ w``, the vector-Jacobian product, so a gradient costs one pass and one transpose however
many inputs there are:

    x̄ = Jᴴ ȳ,    ∇f = x̄ for ȳ = 1 (∂f/∂x + 1j·∂f/∂y for complex inputs, as in forward mode).

A rule that cannot be recorded (it reads tangent values or applies a non-linear operation to them,
like the eigenvector gauge at a repeated eigenvalue) raises :class:`NotLinearError`; ``mode="auto"``
then runs forward mode for that call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._calling import (
    CHUNK_BYTES,
    _argnums,
    _call,
    _holomorphic_check,
    _inexact,
    _outputs,
    _own,
    _prepare,
    _private_copy,
    _result_dtype,
)
from ._calling import _unpack as _unpack_output
from ._core import REVERSE_TAGS, DualArray, new_tag
from ._linear import Lin, LinearMap, NotLinearError, _zero
from ._transposes import LEAF, Node

__all__ = ["NotLinearError", "Linearized", "linearize_call"]


class Linearized:
    """The values of f's outputs and the recorded linear map from its inputs' tangents to theirs.

    ``in_shapes``/``out_shapes`` are the value shapes; the map's leaves and outputs carry one leading
    direction axis (shape ``(1, *s)``), which :meth:`pull` and :meth:`push` add and remove.
    """

    def __init__(self, values: tuple, is_tuple: bool, lmap: LinearMap, in_shapes: list, in_dtypes: list):
        self.values = values
        self.is_tuple = is_tuple
        self.map = lmap
        self.in_shapes = in_shapes
        self.in_dtypes = in_dtypes

    def pull(self, cotangents: Sequence[Any], batch: int) -> list[Any]:
        """``Jᴴ w`` per input for one cotangent per output (None: zero) with ``batch`` leading axes."""
        ws = []
        for w, value in zip(cotangents, self.values, strict=True):
            if w is None:
                ws.append(None)
                continue
            if not hasattr(w, "__array_function__"):
                w = np.asarray(w)
            if tuple(np.shape(w)[batch:]) != np.shape(value):
                raise ValueError(
                    f"vjp: a cotangent of shape {np.shape(w)[batch:]} for an output of shape {np.shape(value)}"
                )
            ws.append(np.expand_dims(w, batch))
        cts = self.map.transpose(*ws)
        return [np.squeeze(c, axis=batch) for c in cts]

    def push(self, tangents: Sequence[Any]) -> list[Any]:
        """``J v`` per output, replaying the record (f is not run again)."""
        vs = []
        for v, shape, dtype in zip(tangents, self.in_shapes, self.in_dtypes, strict=True):
            v = np.asarray(v) if not hasattr(v, "__array_function__") else v
            if np.shape(v) != shape:
                raise ValueError(f"linearize: a tangent of shape {np.shape(v)} for a primal of shape {shape}")
            if np.iscomplexobj(v) and not np.issubdtype(dtype, np.complexfloating):
                raise TypeError("linearize: a complex tangent for a real input (push v.real and v.imag separately)")
            vs.append(np.asarray(v, dtype=dtype)[None] if isinstance(v, np.ndarray) else v[None])
        outs = self.map.apply(*vs)
        return [o[0] for o in outs]


def _unpack(y: Any, tag: int, where: str) -> tuple[Any, Any]:
    """``(value, recorded tangent or None)`` of one output of f under the reverse ``tag``."""
    if isinstance(y, DualArray) and y.tag == tag:
        t = y._tangent
        if t is not None and not isinstance(t, Lin):
            raise NotLinearError(
                f"{where}: an operation produced a tangent that is not recorded (a {type(t).__name__}); "
                "use mode='forward'"
            )
        return y.value, t
    return _unpack_output(y, tag, where)  # older tags and plain outputs: constants (or the errors)


def linearize_call(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], nums: Sequence[int], where: str
) -> Linearized:
    """Run ``f`` once with recorded leaves on ``args[nums]``: its values and its linear map."""
    from ._core import _value_backend

    if any(_value_backend(type(a)) or (isinstance(a, DualArray) and _value_backend(type(a.value))) for a in args):
        raise NotLinearError(f"{where}: reverse mode does not record dask arrays (its coefficients are copied by "
                             "value, which would compute them); use mode='forward' (mode='auto' does)")
    tag = new_tag()
    call = list(args)
    leaves, shapes, dtypes = [], [], []
    for a in nums:
        x = _prepare(call[a], where)
        dtype = _inexact(x.dtype)
        leaf = Node(LEAF, (), (), (1, *np.shape(x)), dtype, {"index": len(leaves)})
        leaves.append(leaf)
        shapes.append(np.shape(x))
        dtypes.append(dtype)
        # a copy: a function that updates its input in place must not change the caller's array
        call[a] = DualArray._new(_private_copy(x), Lin(leaf), 1, False, tag)
    REVERSE_TAGS.add(tag)
    try:
        outs, is_tuple = _outputs(_call(f, call, kwargs, where))
    finally:
        REVERSE_TAGS.discard(tag)
    values, lins = [], []
    for y in outs:
        value, t = _unpack(y, tag, where)
        values.append(value)
        if t is None:
            vdt = np.dtype(value.dtype)
            t = _zero((1, *np.shape(value)), vdt if np.issubdtype(vdt, np.inexact) else np.float64)
        lins.append(t)
    return Linearized(tuple(values), is_tuple, LinearMap(leaves, lins, single=False), shapes, dtypes)


# ---------------------------------------------------------------- gradients and Jacobians
def gradient(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], argnums: Any, where: str
) -> tuple[Any, Any, bool]:
    """``(value, gradient(s), many)`` of a real scalar f: one pass, one transpose of ȳ = 1."""
    nums, many = _argnums(argnums, len(args), where)
    lin = linearize_call(f, args, kwargs, nums, where)
    (value,) = lin.values if not lin.is_tuple else (None,)
    if lin.is_tuple or np.shape(value) != ():
        got = "a tuple" if lin.is_tuple else f"shape {np.shape(value)}"
        raise ValueError(
            f"{where}: the function must return a scalar (shape ()), got {got}; use jacobian for non-scalar outputs"
        )
    if np.issubdtype(np.dtype(value.dtype), np.complexfloating):
        raise ValueError(
            f"{where}: the function returned a complex value (dtype {value.dtype}); a gradient needs a "
            "real-valued function (return np.real(...) of a value that is real in exact arithmetic)"
        )
    one = np.ones((), dtype=_inexact(value.dtype))
    grads = lin.pull([one], 0)
    results = [_own(np.asarray(g, dtype=_result_dtype(value, d)) if isinstance(g, np.ndarray) else g)
               for g, d in zip(grads, lin.in_dtypes, strict=True)]
    return value, (tuple(results) if many else results[0]), many


def jacobian(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], argnums: Any, chunk_size: int | None,
    where: str, lin: Linearized | None = None,
) -> tuple[tuple[Any, ...], list[list[Any]], bool, bool]:
    """Values and Jacobians (``[output][argument]``) by transposing m cotangent rows per output.

    Row ``i`` of output ``j`` is ``Jᴴ e_i``; a complex output or input also takes ``Jᴴ (1j·e_i)``, from
    which the complex derivative is assembled (and checked holomorphic, as in forward mode).
    """
    nums, many = _argnums(argnums, len(args), where)
    if lin is None:
        lin = linearize_call(f, args, kwargs, nums, where)
    n = sum(math.prod(s) for s in lin.in_shapes)
    jacs = []
    for j, value in enumerate(lin.values):
        yshape = np.shape(value)
        m = math.prod(yshape)
        vdt = _inexact(value.dtype)
        complex_rows = np.issubdtype(vdt, np.complexfloating) or any(
            np.issubdtype(d, np.complexfloating) for d in lin.in_dtypes
        )
        itemsize = np.dtype(vdt).itemsize * (2 if complex_rows else 1)
        rows = int(chunk_size) if chunk_size is not None else max(1, CHUNK_BYTES // (max(n, m, 1) * itemsize))
        parts: list[list[Any]] = [[] for _ in nums]
        for start in range(0, m, rows):
            stop = min(m, start + rows)
            eye = np.zeros((stop - start, m), dtype=vdt)
            eye[np.arange(stop - start), np.arange(start, stop)] = 1
            w = eye.reshape((stop - start, *yshape))
            if complex_rows:
                w = np.concatenate([w, 1j * w])
            ws = [None] * len(lin.values)
            ws[j] = w
            for i, c in enumerate(lin.pull(ws, 1)):
                parts[i].append(c)
        row = []
        for i, shape in enumerate(lin.in_shapes):
            dtype = _result_dtype(value, lin.in_dtypes[i])
            size = math.prod(shape)
            if m == 0:
                row.append(np.zeros(yshape + shape, dtype))
                continue
            pieces = parts[i]
            if complex_rows:
                half = [p.shape[0] // 2 for p in pieces]
                A = np.concatenate([p[:h] for p, h in zip(pieces, half, strict=True)]).reshape(m, size)
                B = np.concatenate([p[h:] for p, h in zip(pieces, half, strict=True)]).reshape(m, size)
                if np.issubdtype(lin.in_dtypes[i], np.complexfloating):
                    # L v = P v + Q conj(v):  Lᴴe = conj(P) + Q,  Lᴴ(1j e) = 1j conj(P) - 1j Q
                    P = 0.5 * (np.conj(A) + 1j * np.conj(B))
                    Q = 0.5 * (A + 1j * B)
                    directional = np.concatenate([P + Q, 1j * (P - Q)], axis=-1).reshape((*yshape, 2 * size))
                    what = f"argument {nums[i]}" + (f" (output {j})" if lin.is_tuple else "")
                    _holomorphic_check(directional, m, size, where, yshape, shape, what)
                    J = P
                else:
                    J = np.real(A) + 1j * np.real(B)  # a real input: x̄ = Re(Jᴴ w)
            else:
                J = np.concatenate(pieces).reshape(m, size)
            J = J.astype(dtype, copy=False)
            row.append(_own(np.reshape(J, yshape + shape)))
        jacs.append(row)
    return lin.values, jacs, lin.is_tuple, many
