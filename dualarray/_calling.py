"""Calling the differentiated function and reading its outputs: what forward and reverse mode share.

Inputs are prepared (integers promote, each pass gets a private copy with the input's strides),
argument positions normalized, f called with conversions that would drop a derivative reported at the
user's line, outputs unpacked for one tag, and derivatives cast to the dtype of inputs and outputs.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._core import CONSTANT_TAG, DualArray, _value_backend

CHUNK_BYTES = 1 << 24
"""Default memory bound (bytes) for one chunk's tangent array: ``k * max(n_in, n_out) * itemsize``.

With 16 MiB a 1000-input Jacobian runs in one pass and a 2000-input one in two chunks of 1000.
"""

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep
_CORE_FILE = os.path.join(_PACKAGE_DIR, "_core.py")
_CONVERSIONS = {"__float__", "__int__", "__complex__", "__index__", "__array__", "item", "tolist", "_lossless_value"}


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
    if isinstance(x, DualArray) and x.tag == CONSTANT_TAG:
        x = x.value  # an array-API constant (xp.asarray(...)) is its plain value
    if isinstance(x, DualArray):
        return x if np.issubdtype(x.dtype, np.inexact) else x.astype(np.float64)
    if _value_backend(type(x)):  # a dask array stays lazy
        return x if np.issubdtype(x.dtype, np.inexact) else x.astype(np.float64)
    x = np.asarray(x)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
        raise TypeError(f"{where}: the differentiated argument must be a numeric array, got dtype {x.dtype}")
    return x if np.issubdtype(x.dtype, np.inexact) else x.astype(np.float64)


def _private_copy(x: Any) -> Any:
    """A copy of a differentiated input for one pass, with x's strides and memory alignment.

    f may update its input in place, so each pass gets a copy. NumPy's loops can round differently in
    the last bit for strided or differently aligned data (SIMD or not), so the copy keeps x's strides
    (in a buffer of its span) and its address modulo 64: the values stay NumPy's exactly.
    """
    if _value_backend(type(x)):
        return x  # dask arrays are immutable: nothing to protect, and np.copy would compute it
    if not isinstance(x, np.ndarray) or not x.size:
        return np.copy(x)
    lo = sum(s * (n - 1) for s, n in zip(x.strides, x.shape, strict=True) if s < 0)
    hi = sum(s * (n - 1) for s, n in zip(x.strides, x.shape, strict=True) if s > 0) + x.itemsize
    if hi - lo > 4 * x.nbytes + 64 or lo % x.itemsize:
        return np.copy(x)
    buffer = np.empty(hi - lo + 64, dtype=np.uint8)
    start = x.__array_interface__["data"][0] + lo  # the lowest address x touches
    shift = (start - buffer.__array_interface__["data"][0]) % 64
    y = np.ndarray(x.shape, x.dtype, buffer=buffer, offset=shift - lo, strides=x.strides)
    y[...] = x
    return y


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
        namespaces = str(e).startswith("Multiple namespaces for array inputs")  # SciPy's array-API path
        conversion = bool(frames) and frames[-1].filename == _CORE_FILE and frames[-1].name in _CONVERSIONS
        if not (namespaces or conversion):
            raise
        user = [
            fr for fr in frames if not fr.filename.startswith((_PACKAGE_DIR, _NUMPY_DIR))
        ]
        place = f" at {user[-1].filename}:{user[-1].lineno} (`{user[-1].line}`)" if user else ""
        ours = _counterpart_in(frames, e.__traceback__)
        if ours is not None:
            how = ("does not take DualArrays (SciPy's array-API path saw two namespaces)" if namespaces
                   else f"converts its input with np.asarray{place}, which cannot carry the derivative")
            raise DerivativeLostError(
                f"{where}: {ours.removeprefix('dualarray.')} {how}: use {ours} (same arguments, SciPy's values, "
                f"with derivatives).\nOriginal error: {e}"
            ) from e
        if namespaces:
            raise
        raise DerivativeLostError(
            f"{where}: the function being differentiated converted its input to a plain number or array"
            f"{place}. float(), int(), math.* functions, .item() and np.asarray() cannot carry the "
            "derivative: use NumPy operations on the array instead (np.exp rather than math.exp, "
            f"np.where rather than `if x > 0`).\nOriginal error: {e}"
        ) from e


def _counterpart_in(frames: Any, tb: Any = None) -> str | None:
    """``dualarray.scipy.linalg.expm`` when a SciPy function with a counterpart is among ``frames``.

    A ``scipy.stats`` distribution method is named by the distribution it was called on (read from
    the traceback's frames: ``dualarray.scipy.stats.norm.logpdf``).
    """
    import sys

    if "dualarray.scipy.stats" not in sys.modules:
        import importlib.util

        if importlib.util.find_spec("scipy") is None:
            return None
        import dualarray.scipy.integrate  # noqa: F401  (registers the counterparts)
        import dualarray.scipy.interpolate  # noqa: F401
        import dualarray.scipy.linalg  # noqa: F401
        import dualarray.scipy.ndimage  # noqa: F401
        import dualarray.scipy.signal  # noqa: F401
        import dualarray.scipy.special  # noqa: F401
        import dualarray.scipy.stats  # noqa: F401
    from .scipy import COUNTERPARTS, counterpart_name
    from .scipy.stats import distribution_method_name

    while tb is not None:  # methods: named by the object they run on (a distribution, an interpolant)
        frame = tb.tb_frame
        if "/scipy/" in frame.f_code.co_filename:
            owner = frame.f_locals.get("self")
            name = distribution_method_name(owner, frame.f_code.co_name)
            if name is not None:
                return name
            ours = COUNTERPARTS.get(type(owner)) if owner is not None else None
            if ours is not None and hasattr(ours, "__name__"):
                return f"{ours.__module__}.{ours.__name__}"
        tb = tb.tb_next
    for fr in frames:
        if "/scipy/" in fr.filename:
            name = counterpart_name(fr.filename, fr.name)
            if name is not None:
                return name
    return None


def _unpack(y: Any, tag: int, where: str) -> tuple[Any, Any]:
    """``(value, tangent)`` of one output of f under ``tag``; tangent None means zero.

    An output of this transform's tag gives its value and tangent (either may be a DualArray of an
    enclosing transform: nothing outer is stripped). An output of an older tag, a plain array or a number
    does not depend on the seeded input: it is its own value, with a zero tangent.
    """
    if isinstance(y, DualArray) and y.tag == CONSTANT_TAG:
        y = y.value  # an array-API constant: its value, no derivative
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


def _result_dtype(value: Any, *dtypes: Any) -> np.dtype:
    """Dtype of a derivative: the inputs' dtypes and the output's, if inexact (float32 stays float32).

    An integer or bool output (piecewise constant: zero derivative) does not widen the result.
    """
    vdt = np.dtype(value.dtype)
    return np.result_type(*dtypes, *((vdt,) if np.issubdtype(vdt, np.inexact) else ()))


def _zeros(shape: tuple[int, ...], value: Any, *dtypes: Any) -> np.ndarray:
    return np.zeros(shape, dtype=_result_dtype(value, *dtypes))


def _leaves(a: Any) -> list[np.ndarray]:
    """The plain arrays inside ``a``: its value and, for a DualArray, every nested tangent."""
    if isinstance(a, DualArray):
        return _leaves(a.value) + _leaves(a.tangent)
    return [np.asarray(a)]


def _cast(t: Any, dtype: np.dtype, where: str) -> Any:
    """``t`` (a tangent, maybe a nested DualArray) in ``dtype``; a nonzero imaginary part is never dropped."""
    if t.dtype == dtype:
        return t
    if np.issubdtype(t.dtype, np.complexfloating) and not np.issubdtype(dtype, np.complexfloating):
        if any(np.any(np.imag(leaf) != 0) for leaf in _leaves(t)):
            raise TypeError(
                f"{where}: a real output of the function has a complex derivative (dtype {t.dtype}); "
                "this is a bug in a dualarray rule, please report it with the function"
            )
        t = np.real(t)
    return t.astype(dtype)


def _check_tangent(x: Any, v: Any, where: str, position: int) -> Any:
    """The tangent ``v`` of the primal ``x`` in x's dtype: a complex tangent of a real primal is refused."""
    vdt = np.dtype(v.dtype) if hasattr(v, "dtype") else np.asarray(v).dtype
    if np.issubdtype(vdt, np.complexfloating) and not np.issubdtype(x.dtype, np.complexfloating):
        raise TypeError(
            f"{where}: complex tangent (dtype {vdt}) for the real argument {position}: a real input can only "
            "move in real directions. The result is linear in the tangent: call once with v.real and once "
            "with v.imag and combine them as r + 1j * i; or make the input complex (x.astype(complex)) "
            "to differentiate f along complex directions"
        )
    if isinstance(v, DualArray):
        return v if v.dtype == x.dtype else v.astype(np.result_type(v.dtype, x.dtype))
    v = np.asarray(v)
    if not (np.issubdtype(v.dtype, np.number) or v.dtype == np.bool_):
        raise TypeError(f"{where}: the tangent must be a numeric array, got dtype {v.dtype}")
    return v.astype(x.dtype, copy=False)


def _complex_advice(where: str) -> str:
    return (
        "differentiate the real and imaginary parts as separate real inputs, e.g. "
        f"{where}(lambda x, y: f(x + 1j * y), argnums=(0, 1))(z.real, z.imag) gives (∂f/∂x, ∂f/∂y)"
    )


def _index_text(flat: int, shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(int(q)) for q in np.unravel_index(flat, shape)) + "]" if shape else "[]"


def _number_text(v: Any) -> str:
    c = complex(v)
    return f"{c.real:.6g}" if c.imag == 0 else f"{c:.6g}"


def _holomorphic_check(
    t: Any, m: int, size: int, where: str, value_shape: tuple[int, ...], arg_shape: tuple[int, ...],
    what: str,
) -> None:
    """Raise unless ``t[..., size:] == 1j * t[..., :size]`` to rounding (the Cauchy-Riemann equations).

    ``t`` has the layout ``(*yshape, 2 * size)``: the derivatives along the real directions, then along the
    imaginary ones. The tolerance is ``sqrt(eps)`` relative to the smaller of the largest entry in the
    same output row and in the same input column, so a large derivative elsewhere hides nothing.
    """
    if m == 0 or size == 0:
        return
    for leaf in _leaves(t):
        leaf = leaf.reshape((-1, m, 2 * size))
        dx, dy = leaf[..., :size], leaf[..., size:]
        if dx.size == 0:
            continue
        rtol = float(np.sqrt(np.finfo(leaf.dtype).eps))
        with np.errstate(invalid="ignore", over="ignore"):
            miss = np.abs(dy - 1j * dx)
            scale = np.abs(dx) + np.abs(dy)
            floor = np.minimum(scale.max(axis=-1, keepdims=True), scale.max(axis=-2, keepdims=True))
            bad = miss > rtol * floor
        if bad.any():
            with np.errstate(all="ignore"):
                score = np.where(bad, miss / np.where(floor > 0, floor, 1.0), -1.0)
            lead, i, j = np.unravel_index(int(np.argmax(score)), bad.shape)
            out_s = _index_text(i, value_shape)
            place = f"output {out_s}" if not arg_shape and size == 1 else (
                f"output {out_s} and input {_index_text(j, arg_shape)}"
            )
            raise ValueError(
                f"{where}: the function is not holomorphic in its complex {what}, so no complex derivative "
                f"exists: at {place}, ∂f/∂x = {_number_text(dx[lead, i, j])} and "
                f"∂f/∂y = {_number_text(dy[lead, i, j])}, but a holomorphic f has ∂f/∂y = 1j·∂f/∂x "
                "(np.abs, np.conj, np.real, np.imag, np.angle and real-valued outputs break this). "
                f"To get every partial derivative, {_complex_advice('jacobian')}; for a real-valued scalar "
                "f, gradient gives ∂f/∂x + 1j·∂f/∂y"
            )
