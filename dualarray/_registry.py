"""Rule tables and the one registration decorator.

Every NumPy callable that a DualArray can meet is classified in exactly one place:

* ``PARTIALS``      ufunc -> tuple of partial derivatives ``d out / d input_i`` (elementwise form)
* ``UFUNC_JVPS``    ufunc -> custom JVP (multi-output ufuncs, gufuncs, non-holomorphic complex rules)
* ``LINEAR``        ufuncs whose tangent is the ufunc applied to the tangents (add, negative, ...)
* ``ZERO_DERIVATIVE``  ufuncs that are piecewise constant (floor, sign, ...): a DualArray with zero tangent
* ``NON_DIFFERENTIABLE`` ufuncs/functions whose output is not differentiable (comparisons, argmax, ...):
  a plain result computed from the values
* ``UNSUPPORTED``   callables that raise, with a one-line reason
* ``FUNCTIONS``     NumPy function -> implementation (``__array_function__``), filled by :func:`implements`
* ``UFUNC_METHODS`` per ufunc method (reduce, accumulate, ...) -> ufunc -> rule

A partial is ``fn(*inputs, out) -> coefficient`` written with NumPy calls that dispatch (so it nests),
or one of the markers :data:`ZERO` (the derivative in that argument is identically zero) and
:func:`no_derivative` (the argument must be a constant: a tangent there raises).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

Partial = Callable[..., Any]


class _Zero:
    """Marker: the derivative in this argument is identically zero."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ZERO"


ZERO = _Zero()


class NoDerivative:
    """Marker: this argument has no derivative (an integer order, a discrete parameter)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"no_derivative({self.reason!r})"

    def error(self, ufunc: Any, i: int) -> NotImplementedError:
        """The error for a tangent on argument ``i`` of ``ufunc``, which must be constant."""
        return NotImplementedError(
            f"{_name(ufunc)} has no derivative with respect to argument {i} ({self.reason}); "
            "pass that argument as a constant (its .value), or differentiate with respect to the others only."
        )


def no_derivative(reason: str) -> NoDerivative:
    """Partial for an argument that must be constant; ``reason`` names it (e.g. ``"the order v"``)."""
    return NoDerivative(reason)


class Singular:
    """A partial that may be infinite at finite points (sqrt at 0): zero tangents there stay zero."""

    __slots__ = ("fn",)

    def __init__(self, fn: Partial) -> None:
        self.fn = fn

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)


def singular(fn: Partial) -> Singular:
    """Mark a partial as possibly infinite so ``0 * inf`` never turns a zero tangent into NaN."""
    return Singular(fn)


class DegenerateDirectionsError(NotImplementedError):
    """k directions in one pass that a rule cannot carry together (eigenvectors at a repeated eigenvalue
    need one gauge per direction). The Jacobian transforms catch it and push that chunk's directions one
    at a time; elsewhere it reaches the user with the fix (``chunk_size=1`` or ``jvp``)."""


PARTIALS: dict[np.ufunc, tuple[Any, ...]] = {}
UFUNC_JVPS: dict[np.ufunc, Callable[..., Any]] = {}
LINEAR: set[np.ufunc] = set()
ZERO_DERIVATIVE: set[Any] = set()
NON_DIFFERENTIABLE: set[Any] = set()
UNSUPPORTED: dict[Any, str] = {}
FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}
UFUNC_DISPATCH: dict[str, Callable[..., Any]] = {}
"""ufunc method name (``__call__``, ``reduce``, ...) -> handler ``(ufunc, inputs, kwargs)``."""
UFUNC_METHODS: dict[str, dict[np.ufunc, Callable[..., Any]]] = {
    "reduce": {},
    "accumulate": {},
    "reduceat": {},
    "outer": {},
    "at": {},
}


def ufunc_kind(ufunc: np.ufunc) -> str | None:
    """Which table classifies ``ufunc`` (None when it has no rule)."""
    for name, table in (
        ("partials", PARTIALS),
        ("jvp", UFUNC_JVPS),
        ("linear", LINEAR),
        ("zero", ZERO_DERIVATIVE),
        ("nondifferentiable", NON_DIFFERENTIABLE),
        ("unsupported", UNSUPPORTED),
    ):
        if ufunc in table:
            return name
    return None


def _check_new(ufunc: Any, replace: bool) -> None:
    if not replace and ufunc_kind(ufunc) is not None:
        raise ValueError(f"{_name(ufunc)} already has a rule; pass replace=True to override it")
    for table in (PARTIALS, UFUNC_JVPS, UNSUPPORTED):
        table.pop(ufunc, None)
    for group in (LINEAR, ZERO_DERIVATIVE, NON_DIFFERENTIABLE):
        group.discard(ufunc)


def register_ufunc(ufunc: np.ufunc, *partials: Any, replace: bool = False) -> None:
    """Register the partial derivatives of an elementwise ufunc.

    One partial per input, each ``fn(*inputs, out) -> d out / d input_i``; use :data:`ZERO` for an
    argument with zero derivative and :func:`no_derivative` for one that must be constant.

    >>> import scipy.special as sc
    >>> register_ufunc(sc.expit, lambda x, y: y * (1 - y), replace=True)
    """
    if not isinstance(ufunc, np.ufunc):
        raise TypeError(f"register_ufunc expects a numpy.ufunc, got {type(ufunc).__name__}")
    if len(partials) != ufunc.nin:
        raise ValueError(f"{_name(ufunc)} takes {ufunc.nin} inputs but {len(partials)} partials were given")
    if ufunc.nout != 1:
        raise ValueError(f"{_name(ufunc)} has {ufunc.nout} outputs: use register_ufunc_jvp")
    _check_new(ufunc, replace)
    PARTIALS[ufunc] = tuple(partials)


def register_ufunc_jvp(ufunc: np.ufunc, jvp: Callable[..., Any], replace: bool = False) -> None:
    """Register a custom JVP ``jvp(values, tangents, outputs) -> tangent(s)`` for ``ufunc``.

    ``values`` are the primal inputs, ``tangents`` the internal tangents (None for a constant),
    ``outputs`` what the ufunc returned. Return one tangent per output: None for a zero tangent,
    or :data:`PLAIN` for an output that is not differentiable.
    """
    _check_new(ufunc, replace)
    UFUNC_JVPS[ufunc] = jvp


def register_zero_derivative(ufunc: Any, replace: bool = False) -> None:
    """Declare ``ufunc`` piecewise constant: its result is a DualArray with zero tangent."""
    _check_new(ufunc, replace)
    ZERO_DERIVATIVE.add(ufunc)


def register_nondifferentiable(ufunc: Any, replace: bool = False) -> None:
    """Declare that ``ufunc``'s output is not differentiable: it returns plain arrays of the values."""
    _check_new(ufunc, replace)
    NON_DIFFERENTIABLE.add(ufunc)


class _Plain:
    __slots__ = ()

    def __repr__(self) -> str:
        return "PLAIN"


PLAIN = _Plain()
"""Returned by a custom JVP for an output that is not differentiable (e.g. frexp's exponent)."""


def implements(*numpy_functions: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the DualArray implementation of ``numpy_functions``.

    Keyed by the function object (``np.linalg.trace`` and ``np.trace`` are different keys)::

        @implements(np.flip)
        def _flip(m, axis=None): ...
    """

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        for func in dict.fromkeys(numpy_functions):  # aliases may be one object (np.permute_dims)
            if func in FUNCTIONS or func in NON_DIFFERENTIABLE or func in UNSUPPORTED:
                raise ValueError(f"{_name(func)} is already classified; one rule per function")
            FUNCTIONS[func] = impl
        return impl

    return register


def given(func: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """The keywords of a call to ``func`` that differ from its defaults: a rule passes these on, so a backend
    whose ``func`` lacks a keyword (dask's ``take`` has no ``mode``) still runs what the caller wrote."""
    defaults = _DEFAULTS.get(func)
    if defaults is None:
        import inspect

        defaults = _DEFAULTS[func] = {name: p.default for name, p in inspect.signature(func).parameters.items()
                                      if p.default is not inspect.Parameter.empty}
    return {k: v for k, v in kwargs.items() if k not in defaults or not _same_default(v, defaults[k])}


def _same_default(value: Any, default: Any) -> bool:
    return value is default or (type(value) is type(default) and isinstance(value, str | bool | int | float)
                                and value == default)


_DEFAULTS: dict[Any, dict[str, Any]] = {}


def nondifferentiable(*numpy_functions: Callable[..., Any]) -> None:
    """Register NumPy functions whose outputs are computed from the values only (argmax, isclose, ...)."""
    for func in numpy_functions:
        NON_DIFFERENTIABLE.add(func)


def unsupported(reason: str, *numpy_functions: Callable[..., Any]) -> None:
    """Record NumPy callables that raise, with the one-line ``reason`` shown to the user."""
    for func in numpy_functions:
        UNSUPPORTED[func] = reason


_PUBLIC_NAMESPACES = (
    "numpy", "numpy.linalg", "numpy.fft", "numpy.strings", "numpy.char", "numpy.emath", "numpy.rec",
    "numpy.lib.recfunctions", "numpy.lib.stride_tricks", "numpy.lib.array_utils", "numpy.polynomial.polynomial",
    "numpy.polynomial.chebyshev", "numpy.polynomial.legendre", "numpy.polynomial.hermite",
    "numpy.polynomial.hermite_e", "numpy.polynomial.laguerre", "scipy.special", "numpy._core.umath",
)


def _name(func: Any) -> str:
    """Where a user finds ``func``: ``numpy.linalg.solve``, ``numpy.strings.center``, ``scipy.special.erf``."""
    name = getattr(func, "__name__", repr(func))
    if isinstance(func, np.ufunc) and name.endswith(" (vectorized)"):
        return f"the np.frompyfunc ufunc {name[: -len(' (vectorized)')]!r}"
    for namespace in _PUBLIC_NAMESPACES:
        module = sys.modules.get(namespace)
        if module is not None and getattr(module, name, None) is func:
            return f"{namespace}.{name}"
    special = sys.modules.get("scipy.special")
    if special is not None and getattr(getattr(special, "_ufuncs", None), name, None) is func:
        return f"scipy.special._ufuncs.{name}"
    mod = getattr(func, "__module__", None) or "numpy"
    return f"{mod}.{name}"


qualified_name = _name
