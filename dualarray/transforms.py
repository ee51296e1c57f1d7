"""Transforms: derivative, jvp, jacobian, gradient, hessian, hvp (forward mode, one fresh tag per call).

Every transform seeds its inputs with a *fresh* perturbation tag (:func:`dualarray.new_tag`), runs the
user's function once per chunk of directions, and reads the result back with one helper
(:func:`_unpack`). Because each call has its own tag, transforms nest in any order without
perturbation confusion: an output that carries only an *older* tag is a constant for this transform
(zero derivative), and its value, possibly a DualArray of an enclosing transform, is returned as is, so
the enclosing transform can differentiate it again.

Directions are batched: ``jacobian`` pushes ``k`` unit vectors through ``f`` in one pass
(``DualArray(x, I[start:stop], batched=True)``), ``chunk_size`` bounding ``k`` (ForwardDiff's chunk mode).
Results are plain NumPy arrays (DualArrays of the enclosing tag when nested).
"""

from __future__ import annotations

import math
import os
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._core import DualArray, new_tag

__all__ = [
    "CHUNK_BYTES",
    "derivative",
    "gradient",
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "value_and_gradient",
    "value_and_jacobian",
]

CHUNK_BYTES = 1 << 24
"""Default memory bound (bytes) for one chunk's tangent array: ``k * max(n_in, n_out) * itemsize``.

With 16 MiB a 1000-input Jacobian runs in one pass and a 2000-input one in two chunks of 1000.
"""

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep
_CORE_FILE = os.path.join(_PACKAGE_DIR, "_core.py")
_CONVERSIONS = {"__float__", "__int__", "__complex__", "__index__", "__array__", "item", "tolist"}


class DerivativeLostError(TypeError):
    """The differentiated function converted a DualArray to a plain number or array (``float(x)``)."""


# ---------------------------------------------------------------- inputs
class _Transformed:
    """What ``jacobian(f)`` and the other transforms return: a callable object, not a ``def (*args)``.

    SciPy's Fortran solvers call Python back through f2py (``solve_ivp(method="LSODA", jac=...)``,
    ``odeint(Dfun=...)``). The f2py of NumPy < 2.3 passes a Python *function* only as many positional
    arguments as its ``__code__.co_argcount`` declares, which is none for ``*args``; a callable object gets
    every argument. So any calling convention works.
    """

    def __init__(self, fn: Callable[..., Any], name: str) -> None:
        self._fn = fn
        self.__name__ = self.__qualname__ = name
        self.__doc__ = f"{name}: see dualarray.transforms."

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{self.__name__}>"


def _inexact(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def _prepare(x: Any, where: str) -> Any:
    """The differentiated input as an array of inexact dtype (integers and bools promote to float64)."""
    if isinstance(x, DualArray):
        return x if np.issubdtype(x.dtype, np.inexact) else x.astype(np.float64)
    x = np.asarray(x)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
        raise TypeError(f"{where}: the differentiated argument must be a numeric array, got dtype {x.dtype}")
    return x if np.issubdtype(x.dtype, np.inexact) else x.astype(np.float64)


def _argnums(argnums: int | Sequence[int], nargs: int, where: str) -> tuple[tuple[int, ...], bool]:
    """Normalized argument positions and whether the caller asked for a tuple."""
    single = isinstance(argnums, int | np.integer)
    nums = (int(argnums),) if single else tuple(int(a) for a in argnums)
    if not nums:
        raise ValueError(f"{where}: argnums is empty")
    out = []
    for a in nums:
        if not -nargs <= a < nargs:
            raise ValueError(f"{where}: argnums={a} but the function got {nargs} positional argument(s)")
        out.append(a % nargs)
    if len(set(out)) != len(out):
        raise ValueError(f"{where}: repeated entries in argnums={nums}")
    return tuple(out), not single


def _unit_rows(start: int, stop: int, n: int, dtype: Any) -> np.ndarray:
    """Rows ``start:stop`` of the n×n identity: the seed directions of one chunk."""
    k = stop - start
    rows = np.zeros((k, n), dtype=dtype)
    rows[np.arange(k), np.arange(start, stop)] = 1
    return rows


def _default_chunk(n: int, m: int, itemsize: int, power: int = 1) -> int:
    """Largest k (k**power directions per pass) with ``k**power * max(n, m) * itemsize <= CHUNK_BYTES``."""
    per_direction = max(n, m, 1) * itemsize
    k = int((CHUNK_BYTES // per_direction) ** (1.0 / power))
    return max(1, min(n, k))


# ---------------------------------------------------------------- calling f and reading its output
def _call(f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], where: str) -> Any:
    """``f(*args, **kwargs)``; a conversion that would drop the derivative is re-raised naming the line."""
    try:
        return f(*args, **kwargs)
    except DerivativeLostError:
        raise
    except TypeError as e:
        frames = traceback.extract_tb(e.__traceback__)
        if not frames or frames[-1].filename != _CORE_FILE or frames[-1].name not in _CONVERSIONS:
            raise
        user = [
            fr for fr in frames if not fr.filename.startswith((_PACKAGE_DIR, _NUMPY_DIR))
        ]
        place = f" at {user[-1].filename}:{user[-1].lineno} (`{user[-1].line}`)" if user else ""
        raise DerivativeLostError(
            f"{where}: the function being differentiated converted its input to a plain number or array"
            f"{place}. float(), int(), math.* functions, .item() and np.asarray() cannot carry the "
            "derivative: use NumPy operations on the array instead (np.exp rather than math.exp, "
            f"np.where rather than `if x > 0`).\nOriginal error: {e}"
        ) from e


def _unpack(y: Any, tag: int, where: str) -> tuple[Any, Any]:
    """``(value, tangent)`` of one output of f under ``tag``; tangent None means zero.

    An output of this transform's tag gives its value and tangent (either may be a DualArray of an
    enclosing transform: nothing outer is stripped). An output of an older tag, a plain array or a number
    does not depend on the seeded input: it is its own value, with a zero tangent.
    """
    if isinstance(y, DualArray):
        if y.tag == tag:
            return y.value, (None if y._tangent is None else y.tangent)
        if y.tag > tag:
            raise ValueError(
                f"{where}: the function returned a DualArray with tag {y.tag}, newer than this transform's "
                f"tag {tag}: a perturbation escaped from an inner transform or was created by hand"
            )
        return y, None
    if isinstance(y, np.ndarray | np.generic | int | float | complex) and not isinstance(y, str):
        y = np.asarray(y)
        if np.issubdtype(y.dtype, np.number) or y.dtype == np.bool_:
            return y, None
    raise TypeError(
        f"{where}: the function must return an array or a number (or a tuple of them), "
        f"got {type(y).__name__}"
        + (" (use np.stack to turn a list into an array)" if isinstance(y, list) else "")
    )


def _own(a: Any) -> Any:
    """A result the caller may write to: read-only broadcast views of tangents are copied."""
    if isinstance(a, np.ndarray) and not a.flags.writeable:
        return a.copy()
    return a


def _outputs(out: Any) -> tuple[tuple[Any, ...], bool]:
    return (out, True) if isinstance(out, tuple) else ((out,), False)


def _zeros(shape: tuple[int, ...], value: Any, *dtypes: Any) -> np.ndarray:
    return np.zeros(shape, dtype=np.result_type(_inexact(value.dtype), *dtypes))


# ---------------------------------------------------------------- single direction
def _push(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], nums: tuple[int, ...],
    tangents: Sequence[Any], where: str,
) -> tuple[tuple[Any, ...], tuple[Any, ...], bool]:
    """One directional pass: values and directional derivatives of every output."""
    tag = new_tag()
    args = list(args)
    dtypes = []
    for a, v in zip(nums, tangents, strict=True):
        x = _prepare(args[a], where)
        if not isinstance(v, DualArray):
            v = np.asarray(v)
        args[a] = DualArray(x, v, tag=tag)
        dtypes.append(args[a].tangent_dtype)
    outs, is_tuple = _outputs(_call(f, args, kwargs, where))
    values, derivs = [], []
    for y in outs:
        value, t = _unpack(y, tag, where)
        values.append(value)
        derivs.append(_zeros(np.shape(value), value, *dtypes) if t is None else _own(t))
    return tuple(values), tuple(derivs), is_tuple


def derivative(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    """Elementwise derivative: ``derivative(f)(x) = J(x)·1``, which is ``f'(x)`` at every point of x.

    One vectorized pass with the tangent 1 on every element of ``x``; meant for functions acting
    elementwise (for others it returns the row sums of the Jacobian). Other positional and keyword
    arguments pass through undifferentiated.

    >>> import numpy as np
    >>> derivative(np.sin)(np.array([0.0, np.pi]))
    array([ 1., -1.])
    """

    def df(*args: Any, **kwargs: Any) -> Any:
        nums, _ = _argnums(argnums, len(args), "derivative")
        _, derivs, is_tuple = _push(f, args, kwargs, nums, [1.0] * len(nums), "derivative")
        return derivs if is_tuple else derivs[0]

    return _Transformed(df, f"derivative({getattr(f, '__name__', 'f')})")


def jvp(f: Callable[..., Any], primals: Any, tangents: Any) -> tuple[Any, Any]:
    """Jacobian-vector product: ``jvp(f, x, v) = (f(x), J(x)·v)`` in one forward pass.

    For a function of several arguments pass tuples: ``jvp(f, (x, y), (u, w)) = (f(x, y), ∂ₓf·u + ∂ᵧf·w)``.

    >>> import numpy as np
    >>> jvp(lambda x: x ** 2, np.array([1.0, 2.0]), np.array([1.0, 0.5]))
    (array([1., 4.]), array([2., 2.]))
    """
    if isinstance(primals, tuple):
        if not isinstance(tangents, tuple) or len(tangents) != len(primals):
            raise ValueError("jvp: primals and tangents must be tuples of the same length")
        args, vs = primals, tangents
    else:
        args, vs = (primals,), (tangents,)
    for x, v in zip(args, vs, strict=True):
        if np.shape(v) != np.shape(x):
            raise ValueError(f"jvp: tangent of shape {np.shape(v)} for a primal of shape {np.shape(x)}")
    values, derivs, is_tuple = _push(f, args, {}, tuple(range(len(args))), vs, "jvp")
    return (values, derivs) if is_tuple else (values[0], derivs[0])


# ---------------------------------------------------------------- many directions: Jacobians
def _jacobian_core(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], argnums: Any, chunk_size: int | None,
    where: str, scalar: bool = False,
) -> tuple[tuple[Any, ...], list[list[Any]], bool, bool]:
    """Values and Jacobians of every output of f with respect to every argument in ``argnums``.

    Directions of all differentiated arguments are numbered 0..n-1 (flattened, in argnums order) and
    pushed through f in chunks of k unit vectors; the tangent rows of direction ``j`` are ∂f/∂x_j.
    """
    nums, many = _argnums(argnums, len(args), where)
    args = list(args)
    for a in nums:
        args[a] = _prepare(args[a], where)
    shapes = [np.shape(args[a]) for a in nums]
    sizes = [math.prod(s) for s in shapes]
    offsets = np.cumsum([0, *sizes]).tolist()
    n = offsets[-1]
    dtype = np.result_type(*(_inexact(args[a].dtype) for a in nums))
    if chunk_size is not None and int(chunk_size) < 1:
        raise ValueError(f"{where}: chunk_size must be a positive integer, got {chunk_size}")
    k = int(chunk_size) if chunk_size is not None else _default_chunk(n, 0, dtype.itemsize)
    values: tuple[Any, ...] = ()
    pieces: list[list[list[Any]]] = []  # [output][argument] -> tangent rows (or None for zero)
    is_tuple = False
    start = 0
    while True:
        stop = min(n, start + k)
        tag = new_tag()
        seeds = _unit_rows(start, stop, n, dtype)
        call = list(args)
        for a, shape, lo, hi in zip(nums, shapes, offsets, offsets[1:], strict=False):
            if lo < stop and hi > start:
                block = seeds[:, lo:hi].reshape((stop - start, *shape))
                # a copy per pass: a function that updates its input in place must not see the last pass
                call[a] = DualArray(np.copy(args[a]), block, batched=True, tag=tag)
        outs, is_tuple = _outputs(_call(f, call, kwargs, where))
        unpacked = [_unpack(y, tag, where) for y in outs]
        if start == 0:
            values = tuple(v for v, _ in unpacked)
            if scalar and (is_tuple or np.shape(values[0]) != ()):
                got = "a tuple" if is_tuple else f"shape {np.shape(values[0])}"
                raise ValueError(
                    f"{where}: the function must return a scalar (shape ()), got {got}; "
                    "use jacobian for non-scalar outputs"
                )
            pieces = [[[] for _ in nums] for _ in outs]
            if chunk_size is None:  # now that the output size is known, respect the memory bound
                m = max((math.prod(np.shape(v)) for v in values), default=0)
                k = _default_chunk(n, m, dtype.itemsize)
        for j, (_, t) in enumerate(unpacked):
            for i, (lo, hi) in enumerate(zip(offsets, offsets[1:], strict=False)):
                r0, r1 = max(lo, start), min(hi, stop)
                if r0 < r1:
                    pieces[j][i].append((r1 - r0, None if t is None else t[r0 - start : r1 - start]))
        start = stop
        if start >= n:
            break
    jacs = []
    for j, value in enumerate(values):
        yshape = np.shape(value)
        row = []
        for i, shape in enumerate(shapes):
            parts = pieces[j][i]
            if all(t is None for _, t in parts):
                row.append(_zeros(yshape + shape, value, dtype))
                continue
            full = [_zeros((r, *yshape), value, dtype) if t is None else t for r, t in parts]
            t = full[0] if len(full) == 1 else np.concatenate(full, axis=0)
            row.append(_own(np.reshape(np.moveaxis(t, 0, -1), yshape + shape)))
        jacs.append(row)
    return values, jacs, is_tuple, many


def _shape_result(jacs: list[list[Any]], is_tuple: bool, many: bool) -> Any:
    per_output = [tuple(row) if many else row[0] for row in jacs]
    return tuple(per_output) if is_tuple else per_output[0]


def jacobian(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, chunk_size: int | None = None
) -> Callable[..., Any]:
    """Jacobian ``J[i..., j...] = ∂f(x)[i...] / ∂x[j...]``, of shape ``f(x).shape + x.shape``.

    Forward mode with ``k`` directions per pass: ``x`` is seeded with ``k`` rows of the identity as one
    batched DualArray, so an n-input Jacobian costs ``ceil(n / k)`` calls of f. ``chunk_size`` bounds
    ``k`` (memory ∝ ``k · max(n_in, n_out)``); by default ``k`` keeps one chunk tangent under
    :data:`CHUNK_BYTES`. Results do not depend on the chunk size.

    ``argnums`` (int or tuple) picks the differentiated positional arguments; others pass through, so
    ``jacobian(rhs, argnums=1)`` is a ``jac(t, y)`` for ``solve_ivp``. A tuple argnums gives a tuple of
    Jacobians; a function returning a tuple gives a tuple (over outputs) of them.

    >>> import numpy as np
    >>> jacobian(lambda x: x[:2] * x[1:])(np.array([1.0, 2.0, 3.0]))
    array([[2., 1., 0.],
           [0., 3., 2.]])
    """

    def jac(*args: Any, **kwargs: Any) -> Any:
        _, jacs, is_tuple, many = _jacobian_core(f, args, kwargs, argnums, chunk_size, "jacobian")
        return _shape_result(jacs, is_tuple, many)

    return _Transformed(jac, f"jacobian({getattr(f, '__name__', 'f')})")


def value_and_jacobian(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, chunk_size: int | None = None
) -> Callable[..., tuple[Any, Any]]:
    """``(f(x), jacobian(f)(x))`` from the same passes (the value comes for free).

    >>> import numpy as np
    >>> value_and_jacobian(lambda x: x ** 2)(np.array([1.0, 3.0]))
    (array([1., 9.]), array([[2., 0.],
           [0., 6.]]))
    """

    def vjac(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        values, jacs, is_tuple, many = _jacobian_core(
            f, args, kwargs, argnums, chunk_size, "value_and_jacobian"
        )
        return (values if is_tuple else values[0]), _shape_result(jacs, is_tuple, many)

    return _Transformed(vjac, f"value_and_jacobian({getattr(f, '__name__', 'f')})")


def gradient(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, chunk_size: int | None = None
) -> Callable[..., Any]:
    """Gradient ``∇f(x)`` of a scalar function, shape ``x.shape`` (``jac=`` for scipy.optimize.minimize).

    >>> import numpy as np
    >>> gradient(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    array([ 3., 12.])
    """

    def grad(*args: Any, **kwargs: Any) -> Any:
        _, jacs, _, many = _jacobian_core(f, args, kwargs, argnums, chunk_size, "gradient", scalar=True)
        return _shape_result(jacs, False, many)

    return _Transformed(grad, f"gradient({getattr(f, '__name__', 'f')})")


def value_and_gradient(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, chunk_size: int | None = None
) -> Callable[..., tuple[Any, Any]]:
    """``(f(x), ∇f(x))`` in the same passes: SciPy's ``minimize(value_and_gradient(f), x0, jac=True)``.

    >>> import numpy as np
    >>> value_and_gradient(lambda x: np.sum(x ** 2))(np.array([1.0, 2.0]))
    (np.float64(5.0), array([2., 4.]))
    """

    def vgrad(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        values, jacs, _, many = _jacobian_core(
            f, args, kwargs, argnums, chunk_size, "value_and_gradient", scalar=True
        )
        return values[0], _shape_result(jacs, False, many)

    return _Transformed(vgrad, f"value_and_gradient({getattr(f, '__name__', 'f')})")


# ---------------------------------------------------------------- second order
def _hessian_core(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], argnum: int, chunk_size: int | None,
    where: str,
) -> Any:
    """Forward-over-forward Hessian, upper block triangle only, mirrored (exactly symmetric).

    For a row block I = [a, b) of outer directions (tag t1) and column blocks J ⊂ [a, n) of inner
    directions (tag t2, newer, so outermost in the data), one pass of f gives the ε₁ε₂ coefficients
    ``H[I, J]``. Blocks below the diagonal are the transposes of those above; inside diagonal blocks the
    upper triangle is kept and mirrored, so the result is exactly symmetric.
    """
    nums, _ = _argnums(argnum, len(args), where)
    if len(nums) != 1:
        raise ValueError(f"{where}: argnums must be one int (one differentiated argument)")
    (a_num,) = nums
    args = list(args)
    x = _prepare(args[a_num], where)
    shape = np.shape(x)
    n = math.prod(shape)
    dtype = _inexact(x.dtype)
    if chunk_size is not None and int(chunk_size) < 1:
        raise ValueError(f"{where}: chunk_size must be a positive integer, got {chunk_size}")
    k1 = k2 = int(chunk_size) if chunk_size is not None else _default_chunk(n, 0, dtype.itemsize, power=2)
    strips: list[tuple[int, Any]] = []  # (a, H[a:b, a:n] laid out as (b - a, n - a, *yshape))
    value = None
    a = 0
    while a < n:
        b = min(n, a + k1)
        t1 = new_tag()
        outer = DualArray(x, _unit_rows(a, b, n, dtype).reshape((b - a, *shape)), batched=True, tag=t1)
        parts = []
        c = a
        while c < n:
            d = min(n, c + k2)
            t2 = new_tag()
            inner = _unit_rows(c, d, n, dtype).reshape((d - c, *shape))
            args[a_num] = DualArray(np.copy(outer), inner, batched=True, tag=t2)  # copy: see _jacobian_core
            out = _call(f, args, kwargs, where)
            if isinstance(out, tuple):
                raise TypeError(f"{where}: the function returned a tuple; take the hessian of each output")
            y, first = _unpack(out, t2, where)
            if value is None:
                value, _ = _unpack(y, t1, where)
                if chunk_size is None:
                    m = math.prod(np.shape(value))
                    k2 = max(1, min(n, CHUNK_BYTES // (max(n, m, 1) * dtype.itemsize * (b - a))))
            second = None if first is None else _unpack(first, t1, where)[1]
            yshape = np.shape(value)
            parts.append(_zeros((b - a, d - c, *yshape), value, dtype) if second is None else second)
            c = d
        strips.append((a, parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)))
        if chunk_size is None and value is not None:  # output size known: bound the outer block too
            m = math.prod(np.shape(value))
            k1 = k2 = max(1, min(n, int((CHUNK_BYTES // (max(n, m, 1) * dtype.itemsize)) ** 0.5)))
        a = b
    yshape = np.shape(value) if value is not None else ()
    if n == 0:
        return _zeros(yshape + shape + shape, np.asarray(0.0), dtype)
    rows = []
    for i, (a, strip) in enumerate(strips):
        b = a + strip.shape[0]
        left = [np.swapaxes(s[:, a - c : b - c], 0, 1) for c, s in strips[:i]]
        rows.append(strip if not left else np.concatenate([*left, strip], axis=1))
    h = rows[0] if len(rows) == 1 else np.concatenate(rows, axis=0)
    upper = np.triu(np.ones((n, n), dtype=bool)).reshape((n, n) + (1,) * len(yshape))
    h = np.where(upper, h, np.swapaxes(h, 0, 1))
    return np.reshape(np.moveaxis(h, (0, 1), (-2, -1)), yshape + shape + shape)


def hessian(f: Callable[..., Any], argnums: int = 0, chunk_size: int | None = None) -> Callable[..., Any]:
    """Hessian ``H[..., i, j] = ∂²f / ∂x_i ∂x_j``, shape ``f(x).shape + x.shape + x.shape``.

    Forward over forward with two fresh tags. Only the upper triangle is computed (about half of the
    ``n²`` direction pairs) and mirrored, so ``H`` is exactly symmetric. ``chunk_size`` bounds the
    directions per level (memory ∝ ``k² · max(n, n_out)``). Cost grows like ``n²`` passes' worth of work:
    for large n prefer :func:`hvp`.

    >>> import numpy as np
    >>> hessian(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 3.0]))
    array([[6., 2.],
           [2., 0.]])
    """

    def hess(*args: Any, **kwargs: Any) -> Any:
        return _hessian_core(f, args, kwargs, argnums, chunk_size, "hessian")

    return _Transformed(hess, f"hessian({getattr(f, '__name__', 'f')})")


def hvp(f: Callable[..., Any], chunk_size: int | None = None) -> Callable[..., Any]:
    """Hessian-vector product ``hvp(f)(x, v, *args) = ∇²f(x)·v = d/dε ∇f(x + εv)``, no Hessian formed.

    The signature matches SciPy's ``hessp(x, p, *args)`` (Newton-CG, trust-ncg, trust-krylov,
    trust-constr). Cost: one gradient pass carrying one extra direction.

    >>> import numpy as np
    >>> hvp(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 3.0]), np.array([1.0, 0.0]))
    array([6., 2.])
    """

    def hp(x: Any, v: Any, *args: Any, **kwargs: Any) -> Any:
        def grad(z: Any) -> Any:
            _, jacs, _, _ = _jacobian_core(f, (z, *args), kwargs, 0, chunk_size, "hvp", scalar=True)
            return jacs[0][0]

        x = _prepare(x, "hvp")
        if np.shape(v) != np.shape(x):
            raise ValueError(f"hvp: vector of shape {np.shape(v)} for x of shape {np.shape(x)}")
        return _push(grad, (x,), {}, (0,), (v,), "hvp")[1][0]

    return _Transformed(hp, f"hvp({getattr(f, '__name__', 'f')})")
