"""Counterparts of SciPy functions that coerce their inputs with ``np.asarray`` (as ``jax.scipy`` does).

``from dualarray.scipy import linalg``: each function takes SciPy's arguments; with plain inputs it
returns exactly SciPy's result (it calls SciPy); with DualArray inputs the value is SciPy's and the
derivative comes from the same rules as everything else (forward, nested and, where every operation
records, reverse mode). Counterparts are listed in :data:`COUNTERPARTS`, keyed by the SciPy function,
and a DualArray that reaches ``np.asarray`` inside one of those SciPy functions gets an error naming
its counterpart.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from .._core import DualArray, split

COUNTERPARTS: dict[Any, Callable[..., Any]] = {}
"""SciPy function -> its dualarray.scipy counterpart."""


def counterpart(scipy_func: Callable[..., Any], module: str,
                registered: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Build the counterpart of ``scipy_func`` from ``derivative``, a function of DualArrays.

    ``derivative(*duals, **kwargs)`` computes the same mathematical result with operations that have
    rules (or an implicit-function step around the given ``value``); only its tangents are used, the
    value is SciPy's (for nested DualArrays, the counterpart's own value one level down).
    """

    def build(derivative: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(scipy_func)
        def call(*args: Any, **kwargs: Any) -> Any:
            if any(isinstance(v, DualArray) for v in kwargs.values()):
                args, kwargs = _keywords_to_positions(scipy_func, args, kwargs)
            frame, values, tangents = split(list(args))
            if frame is None:
                return scipy_func(*values, **kwargs)
            value = call(*values, **kwargs)  # SciPy's, or a DualArray of an inner tag when nested
            duals = [v if t is None else frame.wrap(v, t) for v, t in zip(values, tangents, strict=True)]

            def down(x: Any) -> Any:  # x one level down: this call's tangent removed, inner ones kept
                return x.value if isinstance(x, DualArray) and x.tag == frame.tag else x

            return _rewrap(frame, value, derivative(*duals, value=value, down=down, **kwargs))

        call.__module__ = f"dualarray.scipy.{module}"
        call.__doc__ = (f"``scipy.{module}.{scipy_func.__name__}`` with derivatives: SciPy's result for plain inputs, "
                        f"DualArrays for DualArray inputs.\n\n{derivative.__doc__ or ''}")
        if registered:
            COUNTERPARTS[scipy_func] = call
        return call

    return build


def _keywords_to_positions(func: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """DualArrays given by keyword moved to their positions (derivatives are taken from positional arguments).

    Only the required data parameters (no default) move; a DualArray for an option, or one that cannot
    be moved, raises ``TypeError``: its tangent must never be dropped.
    """
    try:
        params = [p.name for p in inspect.signature(func).parameters.values()
                  if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                  and p.default is inspect.Parameter.empty]
    except (TypeError, ValueError):  # pragma: no cover - a builtin without a signature
        params = []
    args, kwargs = list(args), dict(kwargs)
    while any(isinstance(v, DualArray) for v in kwargs.values()) and len(args) < len(params):
        name = params[len(args)]
        if name not in kwargs:
            break
        args.append(kwargs.pop(name))
    stuck = [k for k, v in kwargs.items() if isinstance(v, DualArray)]
    if stuck:
        raise TypeError(f"dualarray.scipy: {getattr(func, '__name__', 'this function')}({', '.join(stuck)}=...) cannot "
                        "carry a derivative there: pass the differentiated arguments by position (and the ones "
                        "before them)")
    return tuple(args), kwargs


def _rewrap(frame: Any, value: Any, dual: Any) -> Any:
    """SciPy's ``value`` with the tangents of ``dual`` (tuples element by element; non-arrays as they are)."""
    if isinstance(value, tuple):
        parts = [_rewrap(frame, v, d) for v, d in zip(value, dual, strict=True)]
        return type(value)(*parts) if hasattr(value, "_fields") else tuple(parts)
    if isinstance(dual, DualArray) and dual.tag == frame.tag:
        return frame.wrap(value, dual._tangent)
    if isinstance(value, DualArray) or hasattr(value, "shape"):
        return frame.wrap(value, None)
    return value


def counterpart_name(filename: str, function: str) -> str | None:
    """``dualarray.scipy.linalg.expm`` when ``function`` in ``filename`` is a SciPy function with a counterpart."""
    for scipy_func, ours in COUNTERPARTS.items():
        module = ours.__module__.rsplit(".", 1)[-1]
        name = getattr(scipy_func, "__name__", None)
        # f_signature: SciPy's array-API delegators (SCIPY_ARRAY_API=1) name their dispatch step so
        if name is not None and function in (name, f"{name}_signature") and f"/scipy/{module}/" in filename:
            return f"{ours.__module__}.{name}"
    return None
