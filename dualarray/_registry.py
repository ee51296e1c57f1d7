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
    """Marker for a partial derivative that is identically zero: no coefficient is computed for it.

    Pass ``ZERO`` to :func:`register_ufunc` in place of a partial, for an argument the output does
    not depend on smoothly (``copysign``'s sign argument, say). A tangent on that argument adds nothing.

    See Also
    --------
    no_derivative : An argument that must be constant instead.

    Examples
    --------
    >>> import numpy as np
    >>> import dualarray as da
    >>> keep_sign = np.frompyfunc(lambda x, s: abs(x) if s >= 0 else -abs(x), 2, 1)
    >>> da.register_ufunc(keep_sign, lambda x, s, y: np.sign(x) * np.sign(y), da.ZERO)
    >>> y = keep_sign(da.DualArray(np.array([2.0], dtype=object), 1.0), -1.0)
    >>> y.tangent
    array([-1.0], dtype=object)
    """

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
    """Partial for an argument that must be constant, such as an integer order.

    A tangent on that argument raises ``NotImplementedError`` naming the function, the argument and
    ``reason``; a constant there is exact.

    Parameters
    ----------
    reason : str
        What the argument is, for the error message (e.g. ``"the order v"``).

    Returns
    -------
    NoDerivative
        The marker, to pass to :func:`register_ufunc` in place of a partial.

    See Also
    --------
    ZERO : An argument whose derivative is zero instead.

    Examples
    --------
    >>> import numpy as np
    >>> import dualarray as da
    >>> power_n = np.frompyfunc(lambda x, n: x ** int(n), 2, 1)
    >>> da.register_ufunc(power_n, lambda x, n, y: n * x ** (n - 1), da.no_derivative("the integer power n"))
    >>> power_n(da.DualArray(np.array([2.0], dtype=object), 1.0), 3).tangent
    array([12.0], dtype=object)
    """
    return NoDerivative(reason)


class Singular:
    """A partial that may be infinite at finite points (sqrt at 0): zero tangents there stay zero."""

    __slots__ = ("fn",)

    def __init__(self, fn: Partial) -> None:
        self.fn = fn

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)


def singular(fn: Partial) -> Singular:
    """Mark a partial as possibly infinite, so ``0 · inf`` never turns a zero tangent into NaN.

    Where the partial is infinite (``sqrt`` at 0) a zero tangent stays exactly 0, and a nonzero
    tangent gives ``±inf``.

    Parameters
    ----------
    fn : callable
        The partial ``fn(*inputs, out) -> d out / d input``.

    Returns
    -------
    Singular
        The wrapped partial, to pass to :func:`register_ufunc`.

    See Also
    --------
    register_ufunc : Where partials go.

    Examples
    --------
    >>> import numpy as np
    >>> import dualarray as da
    >>> root3 = np.frompyfunc(lambda x: x ** (1 / 3), 1, 1)
    >>> def droot3(x, y):                      # 1 / (3 y²): inf at x = 0
    ...     with np.errstate(divide="ignore"):
    ...         return 1 / (3 * np.asarray(y, dtype=float) ** 2)
    >>> da.register_ufunc(root3, da.singular(droot3))
    >>> root3(da.DualArray(np.array([0.0, 8.0]), np.array([0.0, 1.0]))).tangent.tolist()   # 0 at 0, not NaN
    [0.0, 0.08333333333333333]
    """
    return Singular(fn)


class DegenerateDirectionsError(NotImplementedError):
    """Raised when k directions in one pass cannot be carried together by a rule.

    Eigenvectors at a repeated eigenvalue need one gauge per direction. The Jacobian transforms catch
    it and push that chunk's directions one at a time; elsewhere it reaches the user with the fix
    (``chunk_size=1`` or :func:`jvp`).

    See Also
    --------
    NotLinearError : The reverse-mode counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> import dualarray as da
    >>> x = da.DualArray(np.eye(2), np.stack([np.diag([1.0, -1.0]), np.array([[0.0, 1.0], [1.0, 0.0]])]),
    ...                  batched=True)
    >>> try:
    ...     np.linalg.eigh(x)
    ... except da.DegenerateDirectionsError as err:
    ...     print(type(err).__name__)
    DegenerateDirectionsError
    """


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
    r"""Register the partial derivatives of an elementwise ufunc.

    One partial per input, each ``fn(*inputs, out) -> d out / d input_i``, written with NumPy calls (so
    it dispatches again on nested DualArrays and gives second derivatives). Use :data:`ZERO` for an
    argument with zero derivative, :func:`no_derivative` for one that must be constant and
    :func:`singular` for a partial that may be infinite.

    Parameters
    ----------
    ufunc : numpy.ufunc
        A ufunc with one output (``np.frompyfunc`` makes one from a Python function).
    *partials : callable or marker
        ``ufunc.nin`` partials, in the order of the inputs.
    replace : bool, default False
        Replace an existing rule instead of raising ``ValueError``.

    See Also
    --------
    register_ufunc_jvp : A whole JVP, for ufuncs with several outputs.
    implements : Rules for NumPy functions that are not ufuncs.

    Notes
    -----
    For :math:`y = u(x_1, \dots, x_m)` the tangent is
    :math:`\dot y = \sum_i \partial_i u(x, y)\, \dot x_i`, skipping symbolic-zero :math:`\dot x_i`.

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> import dualarray as da
    >>> softplus = np.frompyfunc(lambda x: math.log1p(math.exp(x)), 1, 1)
    >>> sigmoid = np.frompyfunc(lambda x: 1 / (1 + math.exp(-x)), 1, 1)
    >>> da.register_ufunc(softplus, lambda x, y: sigmoid(x))
    >>> softplus(da.DualArray(np.array([0.0], dtype=object), 1.0)).tangent
    array([0.5], dtype=object)
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

    ``values`` are the primal inputs, ``tangents`` the internal tangents (None for a constant, with
    a leading axis of directions otherwise), ``outputs`` what the ufunc returned. Return one tangent
    per output: None for a zero tangent, or :data:`PLAIN` for an output that is not differentiable.

    Parameters
    ----------
    ufunc : numpy.ufunc
        The ufunc (several outputs allowed).
    jvp : callable
        ``jvp(values, tangents, outputs)``; a tuple of tangents for several outputs.
    replace : bool, default False
        Replace an existing rule instead of raising ``ValueError``.

    See Also
    --------
    register_ufunc : The partials form, for one output.

    Examples
    --------
    >>> import numpy as np
    >>> import dualarray as da
    >>> halve = np.frompyfunc(lambda x: (x / 2, x // 2), 1, 2)
    >>> def halve_jvp(values, tangents, outputs):
    ...     (t,) = tangents
    ...     return (None if t is None else t / 2), da.PLAIN
    >>> da.register_ufunc_jvp(halve, halve_jvp)
    >>> half, whole = halve(da.DualArray(np.array([5.0], dtype=object), 1.0))
    >>> half.tangent, whole
    (array([0.5]), array([2.0], dtype=object))
    """
    _check_new(ufunc, replace)
    UFUNC_JVPS[ufunc] = jvp


def register_zero_derivative(ufunc: Any, replace: bool = False) -> None:
    """Declare ``ufunc`` piecewise constant: its result is a DualArray with zero tangent.

    Parameters
    ----------
    ufunc : numpy.ufunc
        The ufunc (``floor``, ``sign``, ... are registered this way).
    replace : bool, default False
        Replace an existing rule instead of raising ``ValueError``.

    See Also
    --------
    register_nondifferentiable : Outputs that are not differentiable at all.

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> import dualarray as da
    >>> step = np.frompyfunc(lambda x: float(math.floor(x / 2)), 1, 1)
    >>> da.register_zero_derivative(step)
    >>> step(da.DualArray(np.array([3.0], dtype=object), 1.0)).tangent
    array([0.])
    """
    _check_new(ufunc, replace)
    ZERO_DERIVATIVE.add(ufunc)


def register_nondifferentiable(ufunc: Any, replace: bool = False) -> None:
    """Declare that ``ufunc``'s output is not differentiable: it returns plain arrays of the values.

    Parameters
    ----------
    ufunc : numpy.ufunc
        The ufunc (comparisons and ``isnan`` are registered this way).
    replace : bool, default False
        Replace an existing rule instead of raising ``ValueError``.

    See Also
    --------
    register_zero_derivative : Piecewise-constant outputs, which stay DualArrays.

    Examples
    --------
    >>> import numpy as np
    >>> import dualarray as da
    >>> is_big = np.frompyfunc(lambda x: x > 10, 1, 1)
    >>> da.register_nondifferentiable(is_big)
    >>> is_big(da.DualArray(np.array([3.0, 30.0], dtype=object), 1.0))
    array([False, True], dtype=object)
    """
    _check_new(ufunc, replace)
    NON_DIFFERENTIABLE.add(ufunc)


class _Plain:
    """Marker a custom JVP returns for an output that is not differentiable (e.g. ``frexp``'s exponent).

    The output then comes back as a plain array of values.

    See Also
    --------
    register_ufunc_jvp : Where JVPs return it.

    Examples
    --------
    >>> import dualarray as da
    >>> da.PLAIN
    PLAIN
    """
    __slots__ = ()

    def __repr__(self) -> str:
        return "PLAIN"


PLAIN = _Plain()
"""Returned by a custom JVP for an output that is not differentiable (e.g. frexp's exponent)."""


def implements(*numpy_functions: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the DualArray implementation of ``numpy_functions`` (NEP 18).

    Keyed by the function object (``np.linalg.trace`` and ``np.trace`` are different keys); aliases
    that are one object are registered once. The implementation receives the call's arguments as
    given, DualArrays included, and returns DualArrays built from NumPy operations that have rules.

    Parameters
    ----------
    *numpy_functions : callable
        The NumPy functions (or any ``__array_function__``-dispatching function) it implements.

    Returns
    -------
    callable
        The decorator; it returns the implementation unchanged.

    See Also
    --------
    register_ufunc : Rules for ufuncs.

    Examples
    --------
    >>> import numpy as np
    >>> import dualarray as da

    A rule as dualarray's own are written (``np.flip`` already has this one, so it is not run here):

    >>> @da.implements(np.flip)                # doctest: +SKIP
    ... def _flip(m, axis=None):
    ...     return da.DualArray(np.flip(m.value, axis), np.flip(m.tangent, axis))

    Every NumPy function then takes DualArrays through NEP 18:

    >>> np.flip(da.DualArray(np.array([1.0, 2.0]), np.array([0.0, 1.0]))).tangent
    array([1., 0.])
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
