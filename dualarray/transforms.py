"""Transforms: derivative, jvp, vjp, linearize, jacobian, gradient, hessian, hvp (one fresh tag per call).

Forward mode lives here; reverse mode (the recorded pass and its transpose) in :mod:`dualarray._reverse`,
and what both share (calling f, reading its outputs, dtypes) in :mod:`dualarray._calling`; the public
functions choose between the modes (``mode=``).

Every transform seeds its inputs with a *fresh* perturbation tag (:func:`dualarray.new_tag`), runs the
user's function once per chunk of directions, and reads the result back with one helper
(:func:`_unpack`). Because each call has its own tag, transforms nest in any order without
perturbation confusion: an output that carries only an *older* tag is a constant for this transform
(zero derivative), and its value, possibly a DualArray of an enclosing transform, is returned as is, so
the enclosing transform can differentiate it again.

Directions are batched: ``jacobian`` pushes ``k`` unit vectors through ``f`` in one pass
(``DualArray(x, I[start:stop], batched=True)``), ``chunk_size`` bounding ``k`` (ForwardDiff's chunk mode).
Results are plain NumPy arrays (DualArrays of the enclosing tag when nested), in the precision of the
inputs and outputs: seeds take the input's dtype, so float32 stays float32 (integers promote to float64).

Complex inputs are differentiated along two real directions per element, 1 and 1j:

* ``gradient`` of a real-valued f at complex z is ``∂f/∂x + 1j·∂f/∂y`` (the gradient for the real inner
  product ``Re(conj(a)·b)``, PyTorch's convention: ``2z`` for ``|z|²``, a step against it descends);
  a complex-valued f has no gradient and raises.
* ``jacobian`` and ``derivative`` give the complex derivative ``∂f/∂z`` and check that it exists
  (``∂f/∂y = 1j·∂f/∂x`` to ``sqrt(eps)``, the Cauchy-Riemann equations); a non-holomorphic f
  (``np.abs``, ``np.conj``, ``np.real``, ``np.angle``, a real output) raises with the fix.
* ``jvp(f, z, v)`` is the directional derivative ``d/dε f(z + εv)`` for any f; ``hvp`` of a real f at
  complex z is the derivative of that gradient along v; ``hessian`` refuses complex inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._calling import (
    CHUNK_BYTES,
    DerivativeLostError,
    _argnums,
    _call,
    _cast,
    _check_tangent,
    _default_chunk,
    _holomorphic_check,
    _inexact,
    _outputs,
    _own,
    _prepare,
    _private_copy,
    _result_dtype,
    _Transformed,
    _unit_rows,
    _unpack,
    _zeros,
)
from ._coloring import ORDERS
from ._core import DualArray, new_tag
from ._linear import NotLinearError
from ._registry import DegenerateDirectionsError
from ._sparse import SparseHessian, SparseJacobian

__all__ = [
    "CHUNK_BYTES",
    "DerivativeLostError",
    "REVERSE_ABOVE",
    "derivative",
    "gradient",
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "linearize",
    "value_and_gradient",
    "value_and_jacobian",
    "vjp",
]

# ---------------------------------------------------------------- single direction
def _push(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], nums: tuple[int, ...],
    tangents: Sequence[Any], where: str,
) -> tuple[tuple[Any, ...], tuple[Any, ...], bool]:
    """One directional pass: values and directional derivatives of every output.

    Tangents take their primal's dtype (float32 stays float32); results have the dtype of the
    inputs and outputs (:func:`_result_dtype`).
    """
    tag = new_tag()
    args = list(args)
    dtypes = []
    for a, v in zip(nums, tangents, strict=True):
        x = _prepare(args[a], where)
        args[a] = DualArray(x, _check_tangent(x, v, where, a), tag=tag)
        dtypes.append(_inexact(x.dtype))
    outs, is_tuple = _outputs(_call(f, args, kwargs, where))
    values, derivs = [], []
    for y in outs:
        value, t = _unpack(y, tag, where)
        values.append(value)
        dtype = _result_dtype(value, *dtypes)
        derivs.append(np.zeros(np.shape(value), dtype) if t is None else _own(_cast(t, dtype, where)))
    return tuple(values), tuple(derivs), is_tuple


def _derivative_complex(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], nums: tuple[int, ...]
) -> tuple[tuple[Any, ...], bool]:
    """``derivative`` with complex inputs: one pass of three directions, the complex ones verified.

    Direction 0 seeds 1 on the real arguments, direction 1 seeds 1 and direction 2 seeds 1j on the
    complex ones; once ``t2 == 1j * t1`` (holomorphic) is checked, the derivative is ``t0 + ∂f/∂z``
    with ``∂f/∂z = (t1 - 1j * t2) / 2`` (exactly t1 when the check holds exactly).
    """
    where = "derivative"
    tag = new_tag()
    args = list(args)
    dtypes = []
    for a in nums:
        x = _prepare(args[a], where)
        dtype = _inexact(x.dtype)
        seeds = np.zeros((3, *np.shape(x)), dtype)
        if np.issubdtype(dtype, np.complexfloating):
            seeds[1], seeds[2] = 1, 1j
        else:
            seeds[0] = 1
        args[a] = DualArray(_private_copy(x), seeds, batched=True, tag=tag)
        dtypes.append(dtype)
    outs, is_tuple = _outputs(_call(f, args, kwargs, where))
    derivs = []
    for n, y in enumerate(outs):
        value, t = _unpack(y, tag, where)
        dtype = _result_dtype(value, *dtypes)
        if t is None:
            derivs.append(np.zeros(np.shape(value), dtype))
            continue
        t = _cast(t, dtype, where)
        shape = np.shape(value)
        size = math.prod(shape)
        pair = np.stack([np.reshape(t[1], (size,)), np.reshape(t[2], (size,))], axis=-1)
        _holomorphic_check(
            pair, size, 1, where, shape, (), "input" + (f" (output {n})" if is_tuple else "")
        )
        derivs.append(_own(_cast(t[0] + (0.5 * t[1] - 0.5j * t[2]), dtype, where)))  # + ∂f/∂z
    return tuple(derivs), is_tuple


def derivative(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    r"""Elementwise derivative ``f'(x)`` at every point of ``x``, in one vectorized pass.

    The pass seeds the tangent 1 on every element of ``x``, so the result is ``J(x)·1``: the
    derivative for functions acting elementwise (for others it is the row sums of the Jacobian).
    Other positional and keyword arguments pass through undifferentiated. The result has x's dtype
    (float32 stays float32).

    For complex ``x`` this is the complex derivative ``f'(z)`` of a holomorphic f (``np.exp``,
    ``z**3``, ``np.log``): the pass also carries the direction ``1j`` and checks ``∂f/∂y = 1j·∂f/∂x``;
    a function that is not holomorphic (``np.abs``, ``np.conj``, ``np.real``, ``np.angle``) has no
    complex derivative and raises ``ValueError``.

    Parameters
    ----------
    f : callable
        A function of NumPy arrays, written with NumPy operations (unmodified NumPy code).
    argnums : int, default 0
        The positional argument to differentiate.

    Returns
    -------
    callable
        ``df(*args, **kwargs)`` returning ``f'`` at ``args[argnums]``, shaped like ``f(x)``.

    See Also
    --------
    jvp : The derivative along any direction.
    jacobian : Every partial derivative.

    Notes
    -----
    With a dual number :math:`x + \varepsilon`, :math:`f(x + \varepsilon) = f(x) + f'(x)\,\varepsilon`
    elementwise, and the coefficient of :math:`\varepsilon` is returned.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import derivative
    >>> derivative(np.sin)(np.array([0.0, np.pi]))
    array([ 1., -1.])
    >>> derivative(lambda z: z ** 3)(1j)
    np.complex128(-3+0j)
    """

    def df(*args: Any, **kwargs: Any) -> Any:
        nums, _ = _argnums(argnums, len(args), "derivative")
        if any(np.iscomplexobj(_prepare(args[a], "derivative")) for a in nums):
            derivs, is_tuple = _derivative_complex(f, args, kwargs, nums)
        else:
            _, derivs, is_tuple = _push(f, args, kwargs, nums, [1] * len(nums), "derivative")
        return derivs if is_tuple else derivs[0]

    return _Transformed(df, f"derivative({getattr(f, '__name__', 'f')})")


def jvp(f: Callable[..., Any], primals: Any, tangents: Any) -> tuple[Any, Any]:
    r"""Jacobian-vector product ``(f(x), J(x)·v)`` in one forward pass.

    For a function of several arguments pass tuples: ``jvp(f, (x, y), (u, w)) = (f(x, y), ∂ₓf·u + ∂ᵧf·w)``.
    Tangents are converted to their primal's dtype (float32 stays float32). For complex ``z`` and any
    f, holomorphic or not, ``jvp(f, z, v)`` is ``d/dε f(z + εv)`` (ε real); a real primal needs a real
    tangent (a complex one raises ``TypeError``).

    Parameters
    ----------
    f : callable
        A function of NumPy arrays, written with NumPy operations (unmodified NumPy code).
    primals : array_like or tuple of array_like
        The point ``x`` (a tuple for several arguments).
    tangents : array_like or tuple of array_like
        The direction ``v``, shaped like ``primals``.

    Returns
    -------
    value : ndarray or tuple
        ``f(x)``.
    tangent : ndarray or tuple
        ``J(x)·v``, shaped like the value.

    See Also
    --------
    linearize : The same product for many ``v`` without running f again.

    Notes
    -----
    .. math:: J(x)\,v = \lim_{\varepsilon \to 0} \frac{f(x + \varepsilon v) - f(x)}{\varepsilon},

    computed exactly as the tangent of ``f(DualArray(x, v))``.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import jvp
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


# ---------------------------------------------------------------- reverse mode: vjp and linearize
def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    r"""Value of ``f`` and its pullback ``ȳ ↦ x̄ = Jᴴ ȳ`` (reverse mode, one recorded pass).

    ``f_vjp(ȳ)`` (a tuple of cotangents when f returns a tuple) returns the cotangent of each primal, a
    tuple when there are several. Cotangents may carry leading batch axes: ``f_vjp(W)`` with
    ``W.shape == (m, *y.shape)`` pulls back m cotangents in one transpose. The inner product is the real
    one, ``Re Σ conj(a)·b``, so for a real scalar f of complex z, ``f_vjp(1.0)`` is ``∂f/∂x + 1j·∂f/∂y``.
    The record is kept until ``f_vjp`` is released; its coefficients are copies, so later writes to
    the arrays f used do not change it. A rule that cannot be recorded raises ``NotLinearError``.

    Parameters
    ----------
    f : callable
        A function of NumPy arrays, written with NumPy operations.
    *primals : array_like
        The point at which f is linearized.

    Returns
    -------
    y : ndarray or tuple
        ``f(*primals)``.
    f_vjp : callable
        The pullback: cotangents shaped like ``y`` in, cotangents shaped like the primals out.

    See Also
    --------
    linearize : The forward product ``v ↦ J v`` of the same record.

    Notes
    -----
    f runs once with a recorded linear map :math:`J = L_p \cdots L_1` in the tangent slot; the
    pullback applies the transposes in reverse order,
    :math:`\bar x = L_1^{\mathsf H} \cdots L_p^{\mathsf H}\, \bar y`.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import vjp
    >>> y, pullback = vjp(lambda x: x ** 2, np.array([1.0, 3.0]))
    >>> pullback(np.array([1.0, 1.0]))
    array([2., 6.])
    """
    from . import _reverse

    lin = _reverse.linearize_call(f, primals, {}, tuple(range(len(primals))), "vjp")
    n_out = len(lin.values)

    def f_vjp(cotangent: Any) -> Any:
        cts = cotangent if lin.is_tuple else (cotangent,)
        if lin.is_tuple and (not isinstance(cotangent, tuple) or len(cotangent) != n_out):
            raise ValueError(f"vjp: the function returned {n_out} outputs; pass a tuple of {n_out} cotangents")
        batch = [np.ndim(c) - np.ndim(v) for c, v in zip(cts, lin.values, strict=True) if c is not None]
        if any(b < 0 or b != batch[0] for b in batch):
            raise ValueError("vjp: every cotangent needs its output's shape, after the same leading batch axes")
        xs = lin.pull(cts, batch[0] if batch else 0)
        xs = [_own(x) for x in xs]
        return tuple(xs) if len(xs) > 1 else xs[0]

    values = lin.values if lin.is_tuple else lin.values[0]
    return values, _Transformed(f_vjp, f"vjp({getattr(f, '__name__', 'f')})")


def linearize(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """Value of ``f`` and ``v ↦ J v``, replayed from one recorded pass without running f again.

    Parameters
    ----------
    f : callable
        A function of NumPy arrays, written with NumPy operations.
    *primals : array_like
        The point at which f is linearized.

    Returns
    -------
    y : ndarray or tuple
        ``f(*primals)``.
    f_jvp : callable
        ``f_jvp(*tangents)``, the Jacobian-vector product ``J(x)·v`` of the recorded linear map.

    See Also
    --------
    jvp : One product, one forward pass.
    vjp : The transpose of the same record.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import linearize
    >>> y, push = linearize(lambda x: np.sin(x) * 2, np.array([0.0, np.pi]))
    >>> push(np.array([1.0, 1.0]))
    array([ 2., -2.])
    """
    from . import _reverse

    lin = _reverse.linearize_call(f, primals, {}, tuple(range(len(primals))), "linearize")

    def f_jvp(*tangents: Any) -> Any:
        if len(tangents) != len(primals):
            raise TypeError(f"linearize: {len(primals)} tangents expected (one per primal), got {len(tangents)}")
        outs = [_own(o) for o in lin.push(tangents)]
        return tuple(outs) if lin.is_tuple else outs[0]

    values = lin.values if lin.is_tuple else lin.values[0]
    return values, _Transformed(f_jvp, f"linearize({getattr(f, '__name__', 'f')})")


# ---------------------------------------------------------------- many directions: Jacobians
def _seed_block(start: int, stop: int, lo: int, size: int, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    """The seeds of one argument for directions ``start:stop``, shape ``(stop - start, *shape)``.

    The argument's directions are numbered from ``lo``: one per element (the unit 1) for a real
    argument; for a complex one, first the units 1 of every element, then the units 1j.
    """
    k = stop - start
    block = np.zeros((k, size), dtype=dtype)
    is_complex = np.issubdtype(dtype, np.complexfloating)
    j = np.arange(max(lo, start), min(lo + (2 if is_complex else 1) * size, stop))
    local = j - lo
    if is_complex:
        block[j - start, local % size] = np.where(local < size, 1, 1j)
    else:
        block[j - start, local] = 1
    return block.reshape((k, *shape))


def _jacobian_core(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], argnums: Any, chunk_size: int | None,
    where: str, scalar: bool = False,
) -> tuple[tuple[Any, ...], list[list[Any]], bool, bool]:
    """Values and Jacobians of every output of f with respect to every argument in ``argnums``.

    Real directions of all differentiated arguments are numbered 0..n-1 (flattened, in argnums order;
    a complex argument has two per element, along 1 and along 1j) and pushed through f in chunks of k
    unit vectors; the tangent rows of direction ``j`` are the derivatives along it.

    With ``scalar`` (gradient) f must return a real scalar and a complex argument gets the gradient
    ``∂f/∂x + 1j·∂f/∂y``; otherwise (jacobian) a complex argument gets ``∂f/∂z``, after checking that f
    is holomorphic in it.
    """
    nums, many = _argnums(argnums, len(args), where)
    args = list(args)
    for a in nums:
        args[a] = _prepare(args[a], where)
    shapes = [np.shape(args[a]) for a in nums]
    sizes = [math.prod(s) for s in shapes]
    dtypes = [_inexact(args[a].dtype) for a in nums]
    cplx = [np.issubdtype(d, np.complexfloating) for d in dtypes]
    offsets = np.cumsum([0, *(s * (2 if c else 1) for s, c in zip(sizes, cplx, strict=True))]).tolist()
    n = offsets[-1]
    itemsize = max(d.itemsize for d in dtypes)
    if chunk_size is not None and int(chunk_size) < 1:
        raise ValueError(f"{where}: chunk_size must be a positive integer, got {chunk_size}")
    k = int(chunk_size) if chunk_size is not None else _default_chunk(n, 0, itemsize)
    values: tuple[Any, ...] = ()
    pieces: list[list[list[Any]]] = []  # [output][argument] -> tangent rows (or None for zero)
    is_tuple = False
    start = 0

    def one_pass(start: int, stop: int) -> tuple[list[tuple[Any, Any]], bool]:
        tag = new_tag()
        call = list(args)
        for a, shape, size, dtype, lo, hi in zip(nums, shapes, sizes, dtypes, offsets, offsets[1:], strict=False):
            if lo < stop and hi > start:
                block = _seed_block(start, stop, lo, size, shape, dtype)
                # a copy per pass: a function that updates its input in place must not see the last pass
                call[a] = DualArray(_private_copy(args[a]), block, batched=True, tag=tag)
        outs, is_tuple = _outputs(_call(f, call, kwargs, where))
        return [_unpack(y, tag, where) for y in outs], is_tuple

    while True:
        stop = min(n, start + k)
        try:
            unpacked, is_tuple = one_pass(start, stop)
        except DegenerateDirectionsError:
            if stop - start == 1:
                raise
            # a rule cannot carry these directions together (eigenvectors at a repeated eigenvalue): one at a time
            singles = [one_pass(j, j + 1) for j in range(start, stop)]
            unpacked, is_tuple = _one_at_a_time([p for p, _ in singles]), singles[0][1]
        if start == 0:
            values = tuple(v for v, _ in unpacked)
            if scalar and (is_tuple or np.shape(values[0]) != ()):
                got = "a tuple" if is_tuple else f"shape {np.shape(values[0])}"
                raise ValueError(
                    f"{where}: the function must return a scalar (shape ()), got {got}; "
                    "use jacobian for non-scalar outputs"
                )
            if scalar and np.issubdtype(values[0].dtype, np.complexfloating):
                raise ValueError(
                    f"{where}: the function returned a complex value (dtype {values[0].dtype}); a gradient "
                    "needs a real-valued function (of real or complex inputs). If the value is real in "
                    "exact arithmetic (z * np.conj(z), np.vdot(z, z)), return np.real(...) of it (or use "
                    "np.abs(z) ** 2); for the derivative of a complex-valued function use jacobian"
                )
            pieces = [[[] for _ in nums] for _ in unpacked]
            if chunk_size is None:  # now that the output size is known, respect the memory bound
                m = max((math.prod(np.shape(v)) for v in values), default=0)
                k = _default_chunk(n, m, itemsize)
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
        m = math.prod(yshape)
        row = []
        for i, shape in enumerate(shapes):
            dtype = _result_dtype(value, dtypes[i])
            gradient_of_complex = scalar and cplx[i]
            if gradient_of_complex:  # real f: assemble the real ∂f/∂x and ∂f/∂y, then combine them
                dtype = np.finfo(dtype).dtype
            parts = pieces[j][i]
            if all(t is None for _, t in parts):
                row.append(np.zeros(yshape + shape, _result_dtype(value, dtypes[i])))
                continue
            full = [np.zeros((r, *yshape), dtype) if t is None else _cast(t, dtype, where) for r, t in parts]
            t = full[0] if len(full) == 1 else np.concatenate(full, axis=0)
            t = np.moveaxis(t, 0, -1)  # (*yshape, directions of argument i)
            if cplx[i]:
                size = sizes[i]
                if gradient_of_complex:  # the gradient ∂f/∂x + 1j·∂f/∂y
                    t = t[..., :size] + 1j * t[..., size:]
                else:
                    what = f"argument {nums[i]}" + (f" (output {j})" if is_tuple else "")
                    _holomorphic_check(t, m, size, where, yshape, shape, what)
                    t = 0.5 * t[..., :size] - 0.5j * t[..., size:]  # ∂f/∂z (exactly ∂f/∂x when holomorphic)
            row.append(_own(np.reshape(t, yshape + shape)))
        jacs.append(row)
    return values, jacs, is_tuple, many


def _one_at_a_time(passes: list[list[tuple[Any, Any]]]) -> list[tuple[Any, Any]]:
    """``(value, tangent rows)`` per output from single-direction passes (tangents stacked, None = zero)."""
    merged = []
    for outputs in zip(*passes, strict=True):
        value = outputs[0][0]
        if all(t is None for _, t in outputs):
            merged.append((value, None))
            continue
        dtype = np.result_type(*(t for _, t in outputs if t is not None))
        rows = [np.zeros((1, *np.shape(value)), dtype) if t is None else t for _, t in outputs]
        merged.append((value, np.concatenate(rows, axis=0)))
    return merged


def _shape_result(jacs: list[list[Any]], is_tuple: bool, many: bool) -> Any:
    per_output = [tuple(row) if many else row[0] for row in jacs]
    return tuple(per_output) if is_tuple else per_output[0]


def jacobian(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, chunk_size: int | None = None, mode: str = "auto",
    sparsity: Any = None, scheduler: Any = None,
) -> Callable[..., Any]:
    r"""Jacobian ``J[i..., j...] = ∂f(x)[i...] / ∂x[j...]``, of shape ``f(x).shape + x.shape``.

    ``mode="reverse"`` runs f once with recorded tangents and transposes m output rows (cheaper when
    there are fewer outputs than inputs); ``mode="forward"`` pushes the n input columns; ``"auto"``
    (the default) records the first call, keeps reverse mode when ``m < n`` and otherwise (or where a
    rule cannot be recorded) uses forward mode, remembering the choice for later calls.

    ``argnums=1`` makes ``jacobian(rhs, argnums=1)`` a ``jac(t, y)`` for ``solve_ivp``. A function
    returning a tuple gives a tuple (over outputs) of Jacobians. The dtype is that of ``x`` and
    ``f(x)`` together (float32 stays float32; a real x with complex outputs, like ``np.fft.fft``, gives
    a complex Jacobian).

    For complex ``x`` the Jacobian is the complex derivative ``∂f/∂z`` of a holomorphic f: each element
    is seeded along 1 and along 1j and the Cauchy-Riemann equations ``∂f/∂y = 1j·∂f/∂x`` are checked
    entry by entry to ``sqrt(eps)``. A map that is not holomorphic (``np.abs``, ``np.conj``,
    ``np.real``, ``np.imag``, ``np.angle``, a real-valued output) raises ``ValueError``;
    ``jacobian(lambda x, y: f(x + 1j * y), argnums=(0, 1))(z.real, z.imag)`` gives ``(∂f/∂x, ∂f/∂y)``.

    Parameters
    ----------
    f : callable
        A function of NumPy arrays, written with NumPy operations (unmodified NumPy code).
    argnums : int or tuple of int, default 0
        The positional arguments to differentiate; the others pass through undifferentiated. A tuple
        gives a tuple of results, one per argument.
    chunk_size : int, optional
        Forward-mode directions per pass (memory ∝ ``k · max(n_in, n_out)``); by default one chunk's
        tangent stays under ``CHUNK_BYTES`` (16 MiB). Results do not depend on it.
    mode : {"auto", "forward", "reverse"}, default "auto"
        Forward mode pushes input directions; reverse mode records one pass and transposes it.
    sparsity : {None, "auto"} or array_like or scipy.sparse matrix, optional
        ``"auto"`` (or a boolean pattern of shape ``(m, n)``) returns a :class:`SparseJacobian`: the
        pattern is detected once per input shape/dtype, coloured, and every call is one compressed pass
        giving a ``scipy.sparse.csr_array`` of shape ``(f(x).size, x.size)``.
    scheduler : dask.distributed.Client, optional
        Runs the forward passes as tasks on the cluster, ``chunk_size`` directions each (default: about
        four tasks per worker); ``f`` and the plain inputs travel with cloudpickle, a task lost with its
        worker is recomputed, and the result equals the local one.

    Returns
    -------
    callable
        ``jac(*args, **kwargs)`` returning the Jacobian at ``args[argnums]`` as an ndarray (a
        ``csr_array`` with ``sparsity=``).

    See Also
    --------
    value_and_jacobian : ``f(x)`` from the same passes.
    jacobian_sparsity : The pattern alone.

    Notes
    -----
    Forward mode seeds ``x`` with ``k`` rows of the identity as one batched DualArray,
    :math:`f(x + V\varepsilon) = f(x) + J V \varepsilon` with :math:`V = [e_{j}, \dots, e_{j+k-1}]`,
    so an n-input Jacobian costs :math:`\lceil n/k \rceil` calls of f. Reverse mode pulls back the
    rows :math:`e_i^{\mathsf T} J` of the identity of the outputs, all in one transpose.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import jacobian
    >>> jacobian(lambda x: x[:2] * x[1:])(np.array([1.0, 2.0, 3.0]))
    array([[2., 1., 0.],
           [0., 3., 2.]])
    >>> jacobian(lambda x: x[:2] * x[1:], sparsity="auto")(np.array([1.0, 2.0, 3.0])).toarray()
    array([[2., 1., 0.],
           [0., 3., 2.]])
    """

    if scheduler is not None and sparsity is not None:
        return _sparse_jacobian(f, argnums, chunk_size, mode, sparsity, "jacobian", with_value=False,
                                scheduler=scheduler)
    if scheduler is not None:
        if mode == "reverse":
            raise NotImplementedError("jacobian: scheduler= runs forward-mode direction chunks as tasks; "
                                      "mode='reverse' runs locally")
        from . import _distributed

        def distributed(*args: Any, **kwargs: Any) -> Any:
            return _distributed.jacobian(f, args, kwargs, argnums, chunk_size, scheduler, "jacobian")

        return _Transformed(distributed, f"jacobian({getattr(f, '__name__', 'f')}, scheduler)")
    if sparsity is not None:
        return _sparse_jacobian(f, argnums, chunk_size, mode, sparsity, "jacobian", with_value=False)
    choose = _JacobianMode(mode, "jacobian")

    def jac(*args: Any, **kwargs: Any) -> Any:
        _, jacs, is_tuple, many = choose(f, args, kwargs, argnums, chunk_size)
        return _shape_result(jacs, is_tuple, many)

    return _Transformed(jac, f"jacobian({getattr(f, '__name__', 'f')})")


def value_and_jacobian(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, chunk_size: int | None = None, mode: str = "auto",
    sparsity: Any = None,
) -> Callable[..., tuple[Any, Any]]:
    """Value and Jacobian ``(f(x), J(x))`` from the same passes (the value comes for free).

    Same conventions as :func:`jacobian`; ``sparsity=`` gives ``(f(x), csr_array)``.

    Parameters
    ----------
    f : callable
        A function of NumPy arrays, written with NumPy operations (unmodified NumPy code).
    argnums : int or tuple of int, default 0
        The positional arguments to differentiate; the others pass through undifferentiated. A tuple
        gives a tuple of results, one per argument.
    chunk_size : int, optional
        Forward-mode directions per pass (memory ∝ ``k · max(n_in, n_out)``); by default one chunk's
        tangent stays under ``CHUNK_BYTES`` (16 MiB). Results do not depend on it.
    mode : {"auto", "forward", "reverse"}, default "auto"
        Forward mode pushes input directions; reverse mode records one pass and transposes it.
    sparsity : {None, "auto"} or array_like or scipy.sparse matrix, optional
        As in :func:`jacobian`.

    Returns
    -------
    callable
        ``vj(*args, **kwargs)`` returning ``(f(x), J(x))``.

    See Also
    --------
    jacobian : The Jacobian alone.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import value_and_jacobian
    >>> value_and_jacobian(lambda x: x ** 2)(np.array([1.0, 3.0]))
    (array([1., 9.]), array([[2., 0.],
           [0., 6.]]))
    """

    if sparsity is not None:
        return _sparse_jacobian(f, argnums, chunk_size, mode, sparsity, "value_and_jacobian", with_value=True)
    choose = _JacobianMode(mode, "value_and_jacobian")

    def vjac(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        values, jacs, is_tuple, many = choose(f, args, kwargs, argnums, chunk_size)
        return (values if is_tuple else values[0]), _shape_result(jacs, is_tuple, many)

    return _Transformed(vjac, f"value_and_jacobian({getattr(f, '__name__', 'f')})")


def _sparse_jacobian(f: Callable[..., Any], argnums: Any, chunk_size: int | None, mode: str, sparsity: Any,
                     where: str, with_value: bool, scheduler: Any = None) -> Any:
    """The sparse faces of :func:`jacobian` (chunking is by colour and the mode follows the colouring; on a
    cluster ``chunk_size`` is the number of colours per task)."""
    if (chunk_size is not None and scheduler is None) or mode != "auto":
        raise ValueError(f"{where}: sparsity= chooses the directions (one per colour) and the mode (rows or "
                         "columns, whichever colours better): leave chunk_size and mode at their defaults")
    return SparseJacobian(f, argnums, sparsity, ORDERS, with_value=with_value, scheduler=scheduler,
                          chunk_size=chunk_size)


def gradient(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, chunk_size: int | None = None, mode: str = "auto"
) -> Callable[..., Any]:
    r"""Gradient ``∇f(x)`` of a real scalar function, shaped like ``x`` (``jac=`` for SciPy's minimize).

    ``mode="reverse"``: one pass of f with recorded tangents and one transpose, whatever the number of
    inputs. ``mode="forward"``: n directions in chunks of ``chunk_size``. ``mode="auto"`` (the default):
    reverse above ``REVERSE_ABOVE`` (128) inputs, forward up to it (one forward pass of all directions
    is faster there), and forward mode where a rule cannot be recorded. The results agree to rounding.

    The gradient has x's dtype (float32 stays float32). For complex ``z = x + 1j*y`` it is
    ``∂f/∂x + 1j·∂f/∂y`` (two real directions per element): the gradient for the real inner product
    ``Re(conj(a)·b)``, so ``z - lr * gradient(f)(z)`` descends, as in PyTorch (JAX returns its
    conjugate). ``f`` must be real-valued: a complex output (even with a zero imaginary part, like
    ``z * np.conj(z)``) raises ``ValueError``; wrap it in ``np.real``.

    Parameters
    ----------
    f : callable
        A function of NumPy arrays, written with NumPy operations (unmodified NumPy code).
    argnums : int or tuple of int, default 0
        The positional arguments to differentiate; the others pass through undifferentiated. A tuple
        gives a tuple of results, one per argument.
    chunk_size : int, optional
        Forward-mode directions per pass (memory ∝ ``k · max(n_in, n_out)``); by default one chunk's
        tangent stays under ``CHUNK_BYTES`` (16 MiB). Results do not depend on it.
    mode : {"auto", "forward", "reverse"}, default "auto"
        Forward mode pushes input directions; reverse mode records one pass and transposes it.

    Returns
    -------
    callable
        ``grad(*args, **kwargs)`` returning ``∇f`` at ``args[argnums]``, shaped like it.

    See Also
    --------
    value_and_gradient : ``f(x)`` from the same pass.
    hessian, hvp : Second derivatives.

    Notes
    -----
    Reverse mode computes :math:`\nabla f(x) = J(x)^{\mathsf T} \cdot 1` by one pullback of the
    cotangent 1 (see :func:`vjp`).

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import gradient
    >>> gradient(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    array([ 3., 12.])
    >>> gradient(lambda z: np.sum(np.abs(z) ** 2))(np.array([1 + 2j, 3 - 1j]))  # 2z
    array([2.+4.j, 6.-2.j])
    """

    _check_mode(mode, "gradient")

    def grad(*args: Any, **kwargs: Any) -> Any:
        return _value_and_gradient(f, args, kwargs, argnums, chunk_size, mode, "gradient")[1]

    return _Transformed(grad, f"gradient({getattr(f, '__name__', 'f')})")


def value_and_gradient(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, chunk_size: int | None = None, mode: str = "auto"
) -> Callable[..., tuple[Any, Any]]:
    """Value and gradient ``(f(x), ∇f(x))`` in the same passes, for ``minimize(..., jac=True)``.

    Same conventions as :func:`gradient` (dtype, complex inputs, real-valued f).

    Parameters
    ----------
    f : callable
        A function of NumPy arrays, written with NumPy operations (unmodified NumPy code).
    argnums : int or tuple of int, default 0
        The positional arguments to differentiate; the others pass through undifferentiated. A tuple
        gives a tuple of results, one per argument.
    chunk_size : int, optional
        Forward-mode directions per pass (memory ∝ ``k · max(n_in, n_out)``); by default one chunk's
        tangent stays under ``CHUNK_BYTES`` (16 MiB). Results do not depend on it.
    mode : {"auto", "forward", "reverse"}, default "auto"
        Forward mode pushes input directions; reverse mode records one pass and transposes it.

    Returns
    -------
    callable
        ``vg(*args, **kwargs)`` returning ``(f(x), ∇f(x))``.

    See Also
    --------
    gradient : The gradient alone.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import value_and_gradient
    >>> value_and_gradient(lambda x: np.sum(x ** 2))(np.array([1.0, 2.0]))
    (np.float64(5.0), array([2., 4.]))
    """

    _check_mode(mode, "value_and_gradient")

    def vgrad(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return _value_and_gradient(f, args, kwargs, argnums, chunk_size, mode, "value_and_gradient")

    return _Transformed(vgrad, f"value_and_gradient({getattr(f, '__name__', 'f')})")


def _value_and_gradient(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], argnums: Any, chunk_size: int | None,
    mode: str, where: str,
) -> tuple[Any, Any]:
    if mode == "reverse" or (mode == "auto" and _inputs_size(args, argnums, where) > REVERSE_ABOVE):
        from . import _reverse

        try:
            value, grads, _ = _reverse.gradient(f, args, kwargs, argnums, where)
            return value, grads
        except NotLinearError:
            if mode == "reverse":
                raise
    values, jacs, _, many = _jacobian_core(f, args, kwargs, argnums, chunk_size, where, scalar=True)
    return values[0], _shape_result(jacs, False, many)


_MODES = ("auto", "forward", "reverse")

REVERSE_ABOVE = 128
"""``mode="auto"`` gradients and HVPs use reverse mode above this many inputs, forward mode up to it.

One forward pass carries all n directions at once through the fast paths, which beats recording and
transposing up to about 100-200 inputs (measured on Rosenbrock and a tanh network); above, the cost
of forward mode grows with n and reverse mode's does not."""


def _inputs_size(args: Sequence[Any], argnums: Any, where: str) -> int:
    nums, _ = _argnums(argnums, len(args), where)
    return sum(math.prod(np.shape(args[a])) for a in nums)  # np.shape, not np.size: dask has no np.size


def _check_mode(mode: str, where: str) -> None:
    if mode not in _MODES:
        raise ValueError(f"{where}: mode must be one of {', '.join(map(repr, _MODES))}, got {mode!r}")


class _JacobianMode:
    """Forward or reverse Jacobians per ``mode``; ``"auto"`` learns the output size on the first call."""

    def __init__(self, mode: str, where: str) -> None:
        _check_mode(mode, where)
        self.mode = mode
        self.where = where
        self.reverse: bool | None = {"forward": False, "reverse": True}.get(mode)

    def __call__(self, f: Any, args: Sequence[Any], kwargs: dict[str, Any], argnums: Any, chunk_size: Any) -> Any:
        if self.reverse is not False:
            from . import _reverse

            try:
                if self.reverse:
                    return _reverse.jacobian(f, args, kwargs, argnums, chunk_size, self.where)
                nums, _ = _argnums(argnums, len(args), self.where)
                lin = _reverse.linearize_call(f, args, kwargs, nums, self.where)
                m = sum(math.prod(np.shape(v)) for v in lin.values)
                n = sum(math.prod(s) for s in lin.in_shapes)
                self.reverse = m < n
                # this call's record is at hand: transposing it beats running f again, even for m >= n
                return _reverse.jacobian(f, args, kwargs, argnums, chunk_size, self.where, lin=lin)
            except NotLinearError:
                if self.mode == "reverse":
                    raise
                self.reverse = False
        return _jacobian_core(f, args, kwargs, argnums, chunk_size, self.where)


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
    if np.issubdtype(dtype, np.complexfloating):
        raise TypeError(
            f"{where}: complex input (dtype {dtype}) is not supported: the second derivatives of f at "
            "z = x + 1j*y form four real blocks (∂²f/∂x², ∂²f/∂x∂y, ∂²f/∂y∂x, ∂²f/∂y²), not one complex "
            "matrix. Differentiate the real and imaginary parts: "
            "hessian(lambda w: f(w[0] + 1j * w[1]))(np.stack([z.real, z.imag])) gives all of them; "
            "hvp(f)(z, v) gives their product with the direction v for a real-valued f"
        )
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
    h = _cast(h, _result_dtype(value, dtype), where)
    return np.reshape(np.moveaxis(h, (0, 1), (-2, -1)), yshape + shape + shape)


class _NotScalar(ValueError):
    """f does not return a real scalar: forward over reverse does not apply (see hessian's ``auto``)."""


def _hessian_over_reverse(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], argnum: int, chunk_size: int | None,
    where: str,
) -> Any:
    """The forward Jacobian of the reverse gradient, upper triangle mirrored (exactly symmetric)."""
    from . import _reverse

    nums, _ = _argnums(argnum, len(args), where)
    if len(nums) != 1:
        raise ValueError(f"{where}: argnums must be one int (one differentiated argument)")
    (a_num,) = nums
    x = _prepare(args[a_num], where)
    if np.issubdtype(x.dtype, np.complexfloating):
        raise _NotScalar(where)  # forward over forward explains the complex case
    rest = list(args)

    def grad(z: Any) -> Any:
        rest[a_num] = z
        try:
            return _reverse.gradient(f, rest, kwargs, a_num, where)[1]
        except ValueError as err:
            if "must return a scalar" in str(err) or "complex value" in str(err):
                raise _NotScalar(str(err)) from err
            raise

    _, jacs, _, _ = _jacobian_core(grad, (x,), {}, 0, chunk_size, where)
    h = jacs[0][0]
    n = math.prod(np.shape(x))
    square = np.reshape(h, (n, n))
    square = np.where(np.triu(np.ones((n, n), dtype=bool)), square.T, square).T  # mirror the upper triangle
    return np.reshape(square, np.shape(h))


def hessian(
    f: Callable[..., Any], argnums: int = 0, chunk_size: int | None = None, mode: str = "auto",
    sparsity: Any = None,
) -> Callable[..., Any]:
    r"""Hessian ``H[..., i, j] = ∂²f / ∂x_i ∂x_j``, of shape ``f(x).shape + x.shape + x.shape``.

    ``mode="auto"`` (the default) and ``"reverse"``: forward over reverse for a scalar f, the forward
    Jacobian of the reverse gradient, with the upper triangle mirrored so ``H`` is exactly symmetric;
    a non-scalar f, or a rule that cannot be recorded, makes ``"auto"`` use forward over forward.
    ``mode="forward"``: forward over forward with two fresh tags, only the upper triangle computed
    (about half of the ``n²`` direction pairs) and mirrored. Cost grows like ``n²``: for large n prefer
    :func:`hvp`. The dtype is that of x and f(x) (float32 stays float32). Complex x raises
    ``TypeError``: differentiate ``w -> f(w[0] + 1j * w[1])`` at ``np.stack([z.real, z.imag])``.

    Parameters
    ----------
    f : callable
        A function of NumPy arrays, written with NumPy operations (unmodified NumPy code).
    argnums : int, default 0
        The positional argument to differentiate.
    chunk_size : int, optional
        Directions per level (memory ∝ ``k² · max(n, n_out)``).
    mode : {"auto", "forward", "reverse"}, default "auto"
        Forward mode pushes input directions; reverse mode records one pass and transposes it.
    sparsity : {None, "auto"} or array_like or scipy.sparse matrix, optional
        ``"auto"`` (or a symmetric pattern) returns a :class:`SparseHessian` for a scalar f: the Hessian
        as an exactly symmetric ``csr_array`` of shape ``(x.size, x.size)``, from a star colouring of
        the detected pattern and one compressed forward-over-reverse pass per call.

    Returns
    -------
    callable
        ``hess(*args, **kwargs)`` returning the Hessian at ``args[argnums]``.

    See Also
    --------
    hvp : Hessian-vector products without forming H.

    Notes
    -----
    Forward over reverse: :math:`H e_j = \frac{d}{d\varepsilon} \nabla f(x + \varepsilon e_j)`,
    the forward derivative of the reverse-mode gradient along each column direction.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import hessian
    >>> hessian(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 3.0]))
    array([[6., 2.],
           [2., 0.]])
    """

    _check_mode(mode, "hessian")
    if sparsity is not None:
        if chunk_size is not None or mode != "auto":
            raise ValueError("hessian: sparsity= chooses the directions (one per colour) and forward over reverse:"
                             " leave chunk_size and mode at their defaults")
        return SparseHessian(f, argnums, sparsity, ORDERS)

    def hess(*args: Any, **kwargs: Any) -> Any:
        if mode != "forward":
            try:
                return _hessian_over_reverse(f, args, kwargs, argnums, chunk_size, "hessian")
            except (NotLinearError, _NotScalar):
                if mode == "reverse":
                    raise
        return _hessian_core(f, args, kwargs, argnums, chunk_size, "hessian")

    return _Transformed(hess, f"hessian({getattr(f, '__name__', 'f')})")


def hvp(f: Callable[..., Any], chunk_size: int | None = None, mode: str = "auto") -> Callable[..., Any]:
    r"""Hessian-vector product ``hvp(f)(x, v, *args) = ∇²f(x)·v``, no Hessian formed.

    The signature matches SciPy's ``hessp(x, p, *args)`` (Newton-CG, trust-ncg, trust-krylov,
    trust-constr). ``mode="reverse"``: forward over reverse, one recorded pass carrying one forward
    direction and one transpose; ``mode="forward"``: a forward gradient carrying one extra direction;
    ``mode="auto"``: reverse above ``REVERSE_ABOVE`` (128) inputs (where every rule can be recorded).
    ``v`` takes x's dtype. For complex ``z`` (real-valued f) it is the derivative of ``gradient(f)``
    (``∂f/∂x + 1j·∂f/∂y``) along ``v``: the real Hessian of f in ``(x, y)`` applied to
    ``(v.real, v.imag)``, packed the same way.

    Parameters
    ----------
    f : callable
        A function of NumPy arrays, written with NumPy operations (unmodified NumPy code).
    chunk_size : int, optional
        Forward-mode directions per pass (memory ∝ ``k · max(n_in, n_out)``); by default one chunk's
        tangent stays under ``CHUNK_BYTES`` (16 MiB). Results do not depend on it.
    mode : {"auto", "forward", "reverse"}, default "auto"
        Forward mode pushes input directions; reverse mode records one pass and transposes it.

    Returns
    -------
    callable
        ``hp(x, v, *args, **kwargs)`` returning ``∇²f(x)·v``, shaped like ``x``.

    See Also
    --------
    hessian : The whole matrix.

    Notes
    -----
    .. math:: \nabla^2 f(x)\, v = \frac{d}{d\varepsilon} \nabla f(x + \varepsilon v) \Big|_{\varepsilon=0} .

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import hvp
    >>> hvp(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 3.0]), np.array([1.0, 0.0]))
    array([6., 2.])
    """

    _check_mode(mode, "hvp")

    def hp(x: Any, v: Any, *args: Any, **kwargs: Any) -> Any:
        def forward_grad(z: Any) -> Any:
            _, jacs, _, _ = _jacobian_core(f, (z, *args), kwargs, 0, chunk_size, "hvp", scalar=True)
            return jacs[0][0]

        def reverse_grad(z: Any) -> Any:
            from . import _reverse

            return _reverse.gradient(f, (z, *args), kwargs, 0, "hvp")[1]

        x = _prepare(x, "hvp")
        if np.shape(v) != np.shape(x):
            raise ValueError(f"hvp: vector of shape {np.shape(v)} for x of shape {np.shape(x)}")
        if mode == "reverse" or (mode == "auto" and np.size(x) > REVERSE_ABOVE):
            try:
                return _push(reverse_grad, (x,), {}, (0,), (v,), "hvp")[1][0]
            except NotLinearError:
                if mode == "reverse":
                    raise
        return _push(forward_grad, (x,), {}, (0,), (v,), "hvp")[1][0]

    return _Transformed(hp, f"hvp({getattr(f, '__name__', 'f')})")
