"""The Python array API standard (2024.12) for DualArrays: ``x.__array_namespace__()`` is this module.

Code written against the standard (much of SciPy and scikit-learn) asks its input for a namespace
``xp`` and calls ``xp.exp``, ``xp.sum``, ``xp.asarray`` instead of NumPy. Here every function is
NumPy's own, reached through dualarray's rules, so derivatives flow through it; results are
DualArrays. What the namespace makes by itself (``xp.asarray([1, 2])``, ``xp.zeros(3)``, a
comparison) is a *constant*: a DualArray with no derivative that every rule reads as its plain value
and that takes the tag of a differentiated item written into it (``buf = xp.zeros(n); buf[0] = x[0]``).

Extensions: ``linalg`` and ``fft``; ``special`` holds scipy.special's ufuncs (SciPy looks there
before falling back to ``np.asarray``). DLPack is deliberately not exported: ``x.__dlpack__()`` raises,
since a DLPack buffer cannot carry a tangent. The device is ``"cpu"``.

SciPy takes its array-API path only when ``scipy._lib._array_api_override.SCIPY_ARRAY_API`` is set
(from the environment variable ``SCIPY_ARRAY_API=1`` at SciPy's import); :func:`scipy_array_api`
turns it on for a ``with`` block instead, process-wide while it lasts (private SciPy API, not
thread-safe), and makes plain results of DualArray operations constants there.

>>> import numpy as np, scipy.special
>>> import dualarray as da
>>> with da.scipy_array_api():
...     g = da.gradient(scipy.special.logsumexp)(np.array([0.0, 1.0, 2.0]))
>>> print(np.allclose(g, np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()))
True
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import os
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import _core
from ._core import CONSTANT_TAG, DualArray, constant, lift_constants

__array_api_version__ = "2024.12"
API_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12")

# ------------------------------------------------------------------------------- the names
ELEMENTWISE = (
    "abs acos acosh add asin asinh atan atan2 atanh bitwise_and bitwise_left_shift bitwise_invert bitwise_or "
    "bitwise_right_shift bitwise_xor ceil conj copysign cos cosh divide equal exp expm1 floor floor_divide greater "
    "greater_equal hypot imag isfinite isinf isnan less less_equal log log1p log2 log10 logaddexp logical_and "
    "logical_not logical_or logical_xor maximum minimum multiply negative nextafter not_equal positive pow real "
    "reciprocal remainder round sign signbit sin sinh square sqrt subtract tan tanh trunc"
).split()
FUNCTIONS = (
    "empty_like full_like ones_like zeros_like tril triu meshgrid "  # creation from arrays
    "take take_along_axis matmul matrix_transpose tensordot vecdot "
    "broadcast_arrays broadcast_to concat expand_dims flip moveaxis permute_dims repeat reshape roll squeeze "
    "stack tile unstack argmax argmin count_nonzero nonzero searchsorted where unique_all unique_counts "
    "unique_inverse unique_values argsort sort cumulative_prod cumulative_sum max mean min prod std sum var all "
    "any diff"
).split()
CREATION = "arange empty eye linspace ones zeros".split()  # shapes in, constants out
LINALG = (
    "cholesky cross det diagonal eigh eigvalsh inv matmul matrix_norm matrix_power matrix_rank matrix_transpose "
    "outer pinv qr slogdet solve svd svdvals tensordot trace vecdot vector_norm"
).split()
FFT = "fft ifft fftn ifftn rfft irfft rfftn irfftn hfft ihfft fftfreq rfftfreq fftshift ifftshift".split()
DTYPES = "bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 float32 float64 complex64 complex128".split()


def _lifted(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``func`` with its plain results made constants (a DualArray result is returned as it is)."""

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        return lift_constants(func(*args, **kwargs))

    call.__name__ = call.__qualname__ = name
    call.__module__ = __name__
    call.__doc__ = f"The array API's ``{name}``: NumPy's ``{func.__name__}`` through dualarray's rules."
    return call


for _name in ELEMENTWISE + FUNCTIONS + CREATION:
    globals()[_name] = _lifted(getattr(np, _name), _name)
for _name in DTYPES:  # note: this module's ``bool`` is the dtype (builtins.bool where the builtin is meant)
    globals()[_name] = getattr(np, _name)
e, inf, nan, pi, newaxis = np.e, np.inf, np.nan, np.pi, None

linalg = types.ModuleType(f"{__name__}.linalg", "The linalg extension: numpy.linalg through dualarray's rules.")
for _name in LINALG:
    setattr(linalg, _name, _lifted(getattr(np.linalg, _name), _name))
fft = types.ModuleType(f"{__name__}.fft", "The fft extension: numpy.fft through dualarray's rules.")
for _name in FFT:
    setattr(fft, _name, _lifted(getattr(np.fft, _name), _name))


def __getattr__(name: str) -> Any:
    if name == "special":  # scipy.special's ufuncs themselves (not SciPy's array-API wrappers of them)
        return _special()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _special() -> types.ModuleType:
    import scipy.special as sc
    import scipy.special._ufuncs as ufuncs

    module = types.ModuleType(f"{__name__}.special", "scipy.special's ufuncs, for SciPy's array-API dispatch.")
    for name in dir(ufuncs):
        f = getattr(ufuncs, name)
        if isinstance(f, np.ufunc) and not name.startswith("_") and hasattr(sc, name):
            setattr(module, name, f)
    for name in dir(sc):  # under SCIPY_ARRAY_API=1, the functions SciPy wraps: the originals (zeta, sinc, ...)
        inner = getattr(getattr(sc, name), "__wrapped__", None)
        if inner is not None and not name.startswith("_") and not hasattr(module, name):
            setattr(module, name, inner)
    return module


# ------------------------------------------------------------------- functions with their own semantics
def asarray(obj: Any, /, *, dtype: Any = None, device: Any = None, copy: bool | None = None) -> DualArray:
    """A DualArray of ``obj``: a DualArray as it is (cast or copied as asked), nested sequences holding
    DualArrays stacked (their derivatives kept), anything else a constant."""
    _check_device(device)
    if isinstance(obj, DualArray):
        if dtype is not None and np.dtype(dtype) != obj.dtype:
            if copy is False:
                raise ValueError(f"asarray(copy=False): casting {obj.dtype} to {np.dtype(dtype)} needs a copy")
            return obj.astype(dtype)
        return np.copy(obj) if copy else obj
    if isinstance(obj, list | tuple) and _core._duals_in(obj):
        if copy is False:
            raise ValueError("asarray(copy=False): a sequence of arrays is always copied")
        return _stacked(obj, dtype)
    return constant(np.asarray(obj, dtype=dtype, copy=copy))


def _stacked(obj: Any, dtype: Any) -> DualArray:
    if isinstance(obj, list | tuple):
        rows = [_stacked(o, dtype) for o in obj]
        return np.stack(rows) if rows else constant(np.asarray([], dtype=dtype))
    a = obj if isinstance(obj, DualArray) else constant(np.asarray(obj))
    return a.astype(dtype) if dtype is not None and a.dtype != np.dtype(dtype) else a


def full(shape: Any, fill_value: Any, *, dtype: Any = None, device: Any = None) -> DualArray:
    """A new array of ``fill_value``; a differentiated fill (a 0-d DualArray) carries its derivative."""
    _check_device(device)
    if isinstance(fill_value, DualArray) and fill_value.tag != CONSTANT_TAG:
        filled = np.broadcast_to(fill_value, shape).copy()
        return filled.astype(dtype) if dtype is not None else filled
    if isinstance(fill_value, DualArray):
        fill_value = fill_value.value
    return constant(np.full(shape, fill_value, dtype=dtype))


def from_dlpack(x: Any, /, *, device: Any = None, copy: bool | None = None) -> DualArray:
    if isinstance(x, DualArray):
        raise TypeError("from_dlpack(DualArray): a DLPack buffer cannot carry a tangent, so DualArrays do not export "
                        "one; use the array itself (or xp.asarray(x))")
    return constant(np.from_dlpack(x, device=device, copy=copy))


def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> DualArray:
    _check_device(device)
    if isinstance(x, DualArray):
        if not copy and x.dtype == np.dtype(dtype):
            return x
        return x.astype(dtype)
    return constant(np.astype(np.asarray(x), dtype, copy=copy))


def clip(x: Any, /, min: Any = None, max: Any = None) -> DualArray:  # noqa: A002 (the standard's names)
    if min is None and max is None:
        return x if isinstance(x, DualArray) else constant(np.asarray(x))
    return lift_constants(np.clip(x, min, max))


def _dtype_of(a: Any) -> Any:
    return a.dtype if isinstance(a, DualArray) else a


def result_type(*arrays_and_dtypes: Any) -> np.dtype:
    return np.result_type(*(_dtype_of(a) for a in arrays_and_dtypes))


def can_cast(from_: Any, to: Any, /) -> bool:
    return builtins.bool(np.can_cast(_dtype_of(from_), to))


def finfo(type: Any, /) -> Any:  # noqa: A002
    return np.finfo(_dtype_of(type))


def iinfo(type: Any, /) -> Any:  # noqa: A002
    return np.iinfo(_dtype_of(type))


isdtype = np.isdtype
__array_namespace_info__ = np.__array_namespace_info__


def _check_device(device: Any) -> None:
    if device is not None and device != "cpu":
        raise ValueError(f"DualArrays live on the CPU only, not on {device!r}")


# ------------------------------------------------------------------------------- SciPy's switch
@contextlib.contextmanager
def scipy_array_api() -> Iterator[None]:
    """Context manager: SciPy takes its array-API path for DualArrays within the block.

    ``logsumexp``, ``scipy.stats`` statistics, ``scipy.integrate.trapezoid`` and more then ask
    the DualArray for its namespace (:mod:`dualarray.array_api`) instead of calling ``np.asarray``,
    and plain results of DualArray operations are constants.

    SciPy reads ``scipy._lib._array_api_override.SCIPY_ARRAY_API`` on every call (private API): it is set
    on entry and restored on exit, with no environment variable and nothing changed outside the block.
    It is a process-wide setting while the block runs (not thread-safe), and plain NumPy calls to SciPy
    inside the block get SciPy's stricter array-API input validation (no np.matrix, masked or object
    arrays). The environment variable ``SCIPY_ARRAY_API`` is set to ``"1"`` for the block as well (and
    restored): scikit-learn's ``config_context(array_api_dispatch=True)`` checks it. With
    ``SCIPY_ARRAY_API=1`` set before SciPy's import, SciPy is on that path everywhere.

    Yields
    ------
    None
        Nothing; the switch is the effect.

    See Also
    --------
    dualarray.array_api : The namespace SciPy then uses.

    Examples
    --------
    >>> import numpy as np, scipy.special
    >>> import dualarray as da
    >>> x = np.array([0.0, 1.0, 2.0])
    >>> with da.scipy_array_api():
    ...     g = da.gradient(scipy.special.logsumexp)(x)
    >>> print(np.allclose(g, np.exp(x) / np.exp(x).sum()))      # the softmax
    True
    """
    from scipy._lib import _array_api_override as override

    before, mode, env = override.SCIPY_ARRAY_API, _core.ARRAY_API_MODE, os.environ.get("SCIPY_ARRAY_API")
    override.SCIPY_ARRAY_API = True
    _core.ARRAY_API_MODE = True
    os.environ["SCIPY_ARRAY_API"] = "1"  # scikit-learn's config_context(array_api_dispatch=True) checks it
    try:
        yield
    finally:
        override.SCIPY_ARRAY_API = before
        _core.ARRAY_API_MODE = mode
        if env is None:
            os.environ.pop("SCIPY_ARRAY_API", None)
        else:
            os.environ["SCIPY_ARRAY_API"] = env


del _name
