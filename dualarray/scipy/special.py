"""``scipy.special`` with derivatives: ``from dualarray.scipy import special``.

scipy.special's ufuncs (and ``zeta``, ``lambertw``, which hand the DualArray to private ufuncs)
already have rules; this module passes every such name through to SciPy. The functions that call
``np.asarray`` get counterparts here, SciPy's values with derivatives from compositions of ruled
ufuncs:

    polygamma(n, x)    ψ⁽ⁿ⁾(x) = (-1)ⁿ⁺¹ n! ζ(n+1, x)  (n ≥ 1),  ψ(x) for n = 0;  n is discrete
    multigammaln(a, d) d(d-1)/4 · log π + Σⱼ₌₁..d log Γ(a + (1 - j)/2);  d is discrete
    logsumexp          m + log Σ b·exp(a - m), m = max a (a constant shift: the derivative is exact)
    softmax, log_softmax  exp(x - logsumexp(x)), x - logsumexp(x)
    spherical_jn/yn/in/kn(n, z, derivative)  the private ufuncs behind them (n is discrete)

for users without SciPy's array-API path (``dualarray.scipy_array_api()`` reaches the same functions).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.special as _sc
import scipy.special._ufuncs as _u

from .._core import DualArray
from ..rules.special import sc as _ufuncs  # the ufuncs themselves, also under SCIPY_ARRAY_API=1
from . import COUNTERPARTS, counterpart

__all__ = ["log_softmax", "logsumexp", "multigammaln", "polygamma", "softmax", "spherical_in", "spherical_jn",
           "spherical_kn", "spherical_yn"]


def _discrete(x: Any, down: Any, where: str, what: str) -> None:
    if isinstance(x, DualArray) and down(x) is not x:
        raise TypeError(f"dualarray.scipy.special.{where}: {what} is discrete and has no derivative (pass it plain)")


@counterpart(_sc.polygamma, "special")
def polygamma(n, x, *, value=None, down=None, **_):
    _discrete(n, down, "polygamma", "the order n")
    order = np.asarray(n if not isinstance(n, DualArray) else n.value)
    if order.ndim:
        orders = np.unique(order)
        return sum(np.where(order == k, _polygamma_of(int(k), x), 0.0) for k in orders)
    return _polygamma_of(int(order), x)


def _polygamma_of(n: int, x: Any) -> Any:
    if n == 0:
        return _ufuncs.digamma(x)
    return (-1.0) ** (n + 1) * math.factorial(n) * _u._zeta(float(n + 1), x)


@counterpart(_sc.multigammaln, "special")
def multigammaln(a, d, *, value=None, down=None, **_):
    _discrete(d, down, "multigammaln", "the dimension d")
    dim = int(d.value if isinstance(d, DualArray) else d)
    total = dim * (dim - 1) / 4 * math.log(math.pi)
    for j in range(1, dim + 1):
        total = total + _ufuncs.gammaln(a + (1 - j) / 2)
    return total


def _shifted_lse(a: Any, axis: Any, b: Any, keepdims: bool) -> tuple[Any, Any]:
    """``(log |Σ b e^a|, sign)`` along ``axis`` with the plain max subtracted (an exact constant shift)."""
    from .._core import strip_all

    shift = np.max(np.asarray(strip_all(a)), axis=axis, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0.0)
    terms = np.exp(a - shift) if b is None else b * np.exp(a - shift)
    total = np.sum(terms, axis=axis, keepdims=True)
    sign = np.sign(np.asarray(strip_all(total)))
    out = np.log(np.abs(total)) + shift
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else np.reshape(out, ())
        sign = np.squeeze(sign, axis=axis) if axis is not None else np.reshape(sign, ())
    return out, sign


def _lse_value(a, b, axis, keepdims, return_sign):
    return _sc.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=return_sign)


@counterpart(_lse_value, "special", registered=False)
def _logsumexp(a, b, axis, keepdims, return_sign, *, value=None, **_):
    out, sign = _shifted_lse(a, axis, b, keepdims)
    return (out, sign) if return_sign else out


def logsumexp(a: Any, axis: Any = None, b: Any = None, keepdims: bool = False, return_sign: bool = False) -> Any:
    """``scipy.special.logsumexp`` with derivatives in ``a`` and ``b``."""
    if isinstance(axis, list):
        axis = tuple(axis)
    return _logsumexp(a, b, axis, keepdims, return_sign)


@counterpart(lambda x, axis: _sc.softmax(x, axis=axis), "special", registered=False)
def _softmax(x, axis, *, value=None, **_):
    return np.exp(x - _shifted_lse(x, axis, None, True)[0])


@counterpart(lambda x, axis: _sc.log_softmax(x, axis=axis), "special", registered=False)
def _log_softmax(x, axis, *, value=None, **_):
    return x - _shifted_lse(x, axis, None, True)[0]


def softmax(x: Any, axis: Any = None) -> Any:
    """``scipy.special.softmax`` with derivatives."""
    return _softmax(x, tuple(axis) if isinstance(axis, list) else axis)


def log_softmax(x: Any, axis: Any = None) -> Any:
    """``scipy.special.log_softmax`` with derivatives."""
    return _log_softmax(x, tuple(axis) if isinstance(axis, list) else axis)


def _spherical(kind: str) -> Any:
    plain_ufunc, derivative_ufunc = getattr(_u, f"_spherical_{kind}"), getattr(_u, f"_spherical_{kind}_d")

    @counterpart(getattr(_sc, f"spherical_{kind}"), "special")
    def spherical(n, z, derivative=False, *, value=None, down=None, **_):
        _discrete(n, down, f"spherical_{kind}", "the order n")
        return (derivative_ufunc if derivative else plain_ufunc)(n, z)

    spherical.__name__ = f"spherical_{kind}"
    return spherical


spherical_jn, spherical_yn, spherical_in, spherical_kn = (_spherical(k) for k in ("jn", "yn", "in", "kn"))

for _name, _ours in (("logsumexp", logsumexp), ("softmax", softmax), ("log_softmax", log_softmax)):
    COUNTERPARTS[getattr(_sc, _name)] = _ours
    _ours.__module__ = __name__


def __getattr__(name: str) -> Any:  # everything else is scipy.special's own (its ufuncs have rules)
    return getattr(_sc, name)
