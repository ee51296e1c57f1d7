"""scipy.special: derivative rules for its ufuncs (registered only when SciPy imports).

``scipy.special`` functions are NumPy ufuncs, so a DualArray argument lands in
``DualArray.__array_ufunc__`` like ``np.exp`` does; this module fills the same tables.
Every partial is written with ufunc calls that dispatch (``sc.digamma``, ``sc.jv``, ...), so second
derivatives come from nesting. Orders, degrees and discrete parameters are ``no_derivative``: a
tangent there raises ``NotImplementedError`` naming the argument; as constants they are exact.

>>> import numpy as np, scipy.special as sc
>>> from dualarray import DualArray
>>> x = DualArray(np.array([0.5, 2.0]), 1.0)
>>> bool(np.allclose(sc.gamma(x).tangent, sc.gamma(x.value) * sc.digamma(x.value)))
True

Functions that are not ufuncs (``polygamma``, ``lambertw``, ``zeta``, ``spherical_jn`` ...) work when
they pass the DualArray straight to a ufunc (``zeta``, ``lambertw``, ``spherical_*`` do: their private
ufuncs are registered here); those that call ``np.asarray`` on it (``polygamma``, ``multigammaln``,
``logsumexp``) raise the usual clear TypeError. ``tests/test_special.py`` records which.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.special as _public
import scipy.special._ufuncs as _u

from .. import _directions as dirs
from .._core import DualArray
from .._registry import (
    NON_DIFFERENTIABLE,
    PARTIALS,
    UFUNC_JVPS,
    UNSUPPORTED,
    ZERO,
    ZERO_DERIVATIVE,
    NoDerivative,
    no_derivative,
    singular,
)


class _Ufuncs:
    """``scipy.special`` with every ufunc as the ufunc itself.

    Under ``SCIPY_ARRAY_API=1`` (read at SciPy's import) ``scipy.special.gamma`` is a Python wrapper that
    dispatches on the array namespace and then calls the ufunc; ``__array_ufunc__`` sees the ufunc. The
    rules are keyed by, and their partials call, the ufuncs, so both settings reach the same table.
    """

    def __getattr__(self, name: str) -> Any:
        f = getattr(_public, name)
        inner = getattr(f, "__wrapped__", None)
        return inner if isinstance(inner, np.ufunc) else f


sc = _Ufuncs()
SQRT_PI = math.sqrt(math.pi)


def _first_order_only(mask: Any, args: tuple, what: str) -> None:
    """At the points ``mask`` a partial uses a limit that is exact at first order only: a nested
    (second-order) evaluation there raises instead of returning a wrong second derivative."""
    if any(isinstance(a, DualArray) for a in args) and np.any(mask):
        raise NotImplementedError(
            f"second derivatives of scipy.special.{what} are not implemented (its first derivatives there are "
            "exact limits); evaluate at a nearby point, or use first derivatives only"
        )
SQRT_2PI = math.sqrt(2.0 * math.pi)
TWO_OVER_SQRT_PI = 2.0 / SQRT_PI
LN2 = math.log(2.0)
LN10 = math.log(10.0)
DEG = math.pi / 180.0


def _err():
    return np.errstate(divide="ignore", invalid="ignore", over="ignore")


def _polygamma(n: int, x: Any) -> Any:
    """ψ⁽ⁿ⁾(x) = (-1)ⁿ⁺¹ n! ζ(n+1, x) for n ≥ 1, through the Hurwitz zeta ufunc (so it nests)."""
    return (-1.0) ** (n + 1) * math.factorial(n) * _u._zeta(float(n + 1), x)


def _nonzero_degree(n: Any, fn: Callable[[], Any]) -> Any:
    """Derivative of a polynomial of degree ``n``: 0 where n == 0 (the identity is for n ≥ 1)."""
    with _err():
        d = fn()
    zero = np.equal(n, 0)
    return np.where(zero, 0, d) if np.any(zero) else d


ORDER_V = no_derivative("the order v")
ORDER_N = no_derivative("the integer order n")
DEGREE = no_derivative("the degree n")


def _no_closed_form(name: str) -> NoDerivative:
    return no_derivative(f"{name}: its derivative has no closed form in scipy.special")


# ================================================================ gamma family
def _gamma_density(a: Any, x: Any) -> Any:
    # d/dx P(a, x) = x^(a-1) e^(-x) / Γ(a)
    with _err():
        return np.exp(sc.xlogy(a - 1, x) - x - sc.gammaln(a))


def _inv_gamma_density(a: Any, x: Any) -> Any:
    with _err():
        return np.exp(x - sc.xlogy(a - 1, x) + sc.gammaln(a))


SHAPE_A = _no_closed_form("the shape a")


def _trigamma(x, y):
    if np.iscomplexobj(x):
        raise NotImplementedError(
            "scipy.special.digamma: its derivative for complex arguments (trigamma) is not available in "
            "scipy.special, so complex digamma and second derivatives of complex gamma/loggamma are "
            "not supported"
        )
    return _polygamma(1, x)

def _pole(x):
    # the poles of Γ (zeros of 1/Γ): x = 0, -1, -2, ...
    return np.less_equal(x, 0) & np.equal(x, np.floor(x))


def _rgamma_d(x):
    # d/dx 1/Γ(x) = -ψ(x)/Γ(x); at the poles of Γ differentiate the reflection 1/Γ(x) = Γ(1-x) sin(πx)/π
    # instead (an identity near the pole, so second derivatives nest): (-1)ⁿ n! at x = -n
    pole = _pole(x)
    if not np.any(pole):
        return -sc.rgamma(x) * sc.digamma(x)
    with _err():
        g = sc.gamma(1 - x)
        reflected = g * np.cos(math.pi * x) - g * sc.digamma(1 - x) * np.sin(math.pi * x) / math.pi
        return np.where(pole, reflected, -sc.rgamma(x) * sc.digamma(x))


def _through_rgamma(pole, other, big, generic):
    # a partial that is generic() except where a 1/Γ factor sits on a zero: other() + big() there
    if not np.any(pole):
        return generic()
    with _err():
        return np.where(pole, other() + big(), generic())


def _digamma_diff(a, b):
    # ψ(a) - ψ(a+b); where a and a+b are both poles of Γ (b a positive integer) the reflection
    # ψ(x) = ψ(1-x) - π cot πx turns it into ψ(1-a) - ψ(1-a-b) (the cotangents cancel for every a)
    both = _pole(a) & _pole(a + b)
    if not np.any(both):
        return sc.digamma(a) - sc.digamma(a + b)
    with _err():
        return np.where(both, sc.digamma(1 - a) - sc.digamma(1 - a - b), sc.digamma(a) - sc.digamma(a + b))


def _beta_da(a, b, y):
    # B = Γ(a)Γ(b)/Γ(a+b): at a pole of Γ(a+b) (a, b regular) B = 0 and ∂a = Γ(a)Γ(b) (1/Γ)'(a+b)
    return _through_rgamma(_pole(a + b) & ~_pole(a) & ~_pole(b), lambda: y * sc.digamma(a),
                           lambda: sc.gamma(a) * sc.gamma(b) * _rgamma_d(a + b),
                           lambda: y * _digamma_diff(a, b))


def _poch_dz(z, m, y):
    # (z)_m = Γ(z+m)/Γ(z): at a pole of Γ(z) (z + m regular) ∂z = Γ(z+m) (1/Γ)'(z)
    return _through_rgamma(_pole(z) & ~_pole(z + m), lambda: y * sc.digamma(z + m),
                           lambda: sc.gamma(z + m) * _rgamma_d(z),
                           lambda: y * (sc.digamma(z + m) - sc.digamma(z)))


def _binom_dn(n, k, y):
    # C(n, k) = Γ(n+1)/(Γ(k+1)Γ(n-k+1)): at a pole of Γ(n-k+1) the 1/Γ factor carries the derivative
    return _through_rgamma(_pole(n - k + 1) & ~_pole(n + 1) & ~_pole(k + 1), lambda: y * sc.digamma(n + 1),
                           lambda: sc.gamma(n + 1) * sc.rgamma(k + 1) * _rgamma_d(n - k + 1),
                           lambda: y * (sc.digamma(n + 1) - sc.digamma(n - k + 1)))


def _binom_dk(n, k, y):
    return _through_rgamma(_pole(n - k + 1) & ~_pole(n + 1) & ~_pole(k + 1), lambda: -y * sc.digamma(k + 1),
                           lambda: -sc.gamma(n + 1) * sc.rgamma(k + 1) * _rgamma_d(n - k + 1),
                           lambda: y * (sc.digamma(n - k + 1) - sc.digamma(k + 1)))


PARTIALS.update({
    sc.gamma:        (lambda x, y: y * sc.digamma(x),),
    sc.gammaln:      (lambda x, y: sc.digamma(x),),
    sc.loggamma:     (lambda x, y: sc.digamma(x),),
    sc.rgamma:       (lambda x, y: _rgamma_d(x),),
    sc.digamma:      (_trigamma,),
    sc.beta:         (_beta_da, lambda a, b, y: _beta_da(b, a, y)),
    sc.betaln:       (lambda a, b, y: _digamma_diff(a, b), lambda a, b, y: _digamma_diff(b, a)),
    sc.poch:         (_poch_dz, lambda z, m, y: y * sc.digamma(z + m)),
    sc.binom:        (_binom_dn, _binom_dk),
    sc.gammainc:     (SHAPE_A, singular(lambda a, x, y: _gamma_density(a, x))),
    sc.gammaincc:    (SHAPE_A, singular(lambda a, x, y: -_gamma_density(a, x))),
    sc.gammaincinv:  (SHAPE_A, singular(lambda a, p, y: _inv_gamma_density(a, y))),
    sc.gammainccinv: (SHAPE_A, singular(lambda a, p, y: -_inv_gamma_density(a, y))),
    # Hurwitz zeta ζ(s, q) (behind scipy.special.zeta(s, q)): ∂q ζ(s, q) = -s ζ(s+1, q)
    _u._zeta:        (_no_closed_form("the exponent s"), lambda s, q, y: -s * _u._zeta(s + 1, q)),
})
ZERO_DERIVATIVE.update({sc.gammasgn, sc.round})


# ================================================================ error functions, normal distribution
def _voigt_parts(x: Any, sigma: Any, gamma: Any) -> tuple[Any, Any, Any]:
    # V = Re w(z) / (σ√(2π)), z = (x + iγ)/(σ√2);  w'(z) = -2z w(z) + 2i/√π.  σ = 0 is the Lorentzian:
    # its partials come from _lorentz, and σ is replaced by 1 here so nothing divides by zero
    zero = np.equal(sigma, 0)
    _first_order_only(zero, (x, sigma, gamma), "voigt_profile at sigma = 0")
    s = np.where(zero, 1.0, sigma)
    z = (x + 1j * gamma) / (s * math.sqrt(2.0))
    with _err():
        dw = -2 * z * sc.wofz(z) + 2j / SQRT_PI
    return zero, s, z, dw


def _lorentz(x, gamma):
    # L = γ / (π(x² + γ²)):  ∂x L = -2xγ / (π r²),  ∂γ L = (x² - γ²) / (π r²),  r = x² + γ²
    r = x * x + gamma * gamma
    with _err():
        return -2 * x * gamma / (math.pi * r * r), (x * x - gamma * gamma) / (math.pi * r * r)


def _voigt_dx(x, sigma, gamma, y):
    zero, s, _, dw = _voigt_parts(x, sigma, gamma)
    return np.where(zero, _lorentz(x, gamma)[0], np.real(dw) / (2 * SQRT_PI * s * s))


def _voigt_dsigma(x, sigma, gamma, y):
    # at σ = 0 (the edge of the domain) the one-sided derivative is 0: V = L + O(σ²)
    zero, s, z, dw = _voigt_parts(x, sigma, gamma)
    return np.where(zero, 0.0, -y / s - np.real(z * dw) / (SQRT_2PI * s * s))


def _voigt_dgamma(x, sigma, gamma, y):
    zero, s, _, dw = _voigt_parts(x, sigma, gamma)
    return np.where(zero, _lorentz(x, gamma)[1], -np.imag(dw) / (2 * SQRT_PI * s * s))


PARTIALS.update({
    sc.erf:           (lambda x, y: TWO_OVER_SQRT_PI * np.exp(-x * x),),
    sc.erfc:          (lambda x, y: -TWO_OVER_SQRT_PI * np.exp(-x * x),),
    sc.erfcx:         (lambda x, y: 2 * x * y - TWO_OVER_SQRT_PI,),
    sc.erfi:          (lambda x, y: TWO_OVER_SQRT_PI * np.exp(x * x),),
    sc.erfinv:        (singular(lambda x, y: (SQRT_PI / 2) * np.exp(y * y)),),
    sc.erfcinv:       (singular(lambda x, y: -(SQRT_PI / 2) * np.exp(y * y)),),
    sc.dawsn:         (lambda x, y: 1 - 2 * x * y,),
    sc.wofz:          (lambda z, y: -2 * z * y + 2j / SQRT_PI,),
    sc.ndtr:          (lambda x, y: np.exp(-x * x / 2) / SQRT_2PI,),
    sc.log_ndtr:      (lambda x, y: np.exp(-x * x / 2 - y) / SQRT_2PI,),
    sc.ndtri:         (singular(lambda p, y: SQRT_2PI * np.exp(y * y / 2)),),
    sc.ndtri_exp:     (singular(lambda s, y: SQRT_2PI * np.exp(s + y * y / 2)),),
    sc.voigt_profile: (_voigt_dx, singular(_voigt_dsigma), singular(_voigt_dgamma)),
})


# ================================================================ logistic, information theory, elementary
def _powm1_dp(x, p, y):
    # x^p log x;  0 at x = 0 for p > 0 (powm1(0, p) = -1 there)
    with _err():
        return np.where(np.equal(x, 0) & np.greater(p, 0), 0.0, (y + 1) * np.log(x))


def _boxcox_dlmbda(x, lmbda, y):
    # ∂λ (x^λ - 1)/λ = (x^λ log x - y)/λ;  log(x)²/2 at λ = 0
    with _err():
        lx = np.log(x)
        d = np.where(np.equal(x, 0), -y / lmbda, (np.power(x, lmbda) * lx - y) / lmbda)  # x = 0: 1/λ²
    _first_order_only(np.equal(lmbda, 0), (x, lmbda), "boxcox at lmbda = 0")
    return np.where(np.equal(lmbda, 0), lx * lx / 2, d)


def _boxcox1p_dlmbda(x, lmbda, y):
    with _err():
        lx = np.log1p(x)
        d = np.where(np.equal(x, -1), -y / lmbda, (np.power(1 + x, lmbda) * lx - y) / lmbda)
    _first_order_only(np.equal(lmbda, 0), (x, lmbda), "boxcox1p at lmbda = 0")
    return np.where(np.equal(lmbda, 0), lx * lx / 2, d)


def _inv_boxcox_dlmbda_at(x, yv, lmbda):
    # x = (1 + λy)^(1/λ):  ∂λ x = x (y/x^λ - log x)/λ;  -x y²/2 at λ = 0
    with _err():
        d = x * (yv / np.power(x, lmbda) - np.log(x)) / lmbda
    _first_order_only(np.equal(lmbda, 0), (x, yv, lmbda), "inv_boxcox at lmbda = 0")
    return np.where(np.equal(lmbda, 0), -x * yv * yv / 2, d)


def _huber_ddelta(delta, r, y):
    a = np.abs(r)
    return np.where(np.less_equal(a, delta), 0, a - delta)


def _huber_dr(delta, r, y):
    return np.where(np.less_equal(np.abs(r), delta), r, delta * np.sign(r))


def _pseudo_huber_ddelta(delta, r, y):
    s = np.sqrt(1 + (r / delta) ** 2)
    return 2 * y / delta - r * r / (delta * s)


def _exprel_d(x, y):
    # d/dx (e^x - 1)/x = (e^x - y)/x, with its series 1/2 + x/3 + x²/8 near 0
    small = np.less(np.abs(x), 1e-3)
    with _err():
        d = (np.exp(x) - y) / x
    return np.where(small, 0.5 + x / 3 + x * x / 8, d)


def _xlogy_dy(a, b, y):
    with _err():
        return np.where(np.equal(a, 0), 0, a / b)


def _tklmbda_dx(x, lmbda, y):
    # F = tklmbda(x, λ) inverts Q(F) = (F^λ - (1-F)^λ)/λ:  dF/dx = 1 / (F^(λ-1) + (1-F)^(λ-1));
    # 0 where F is 0 or 1 (outside the support when λ > 0)
    with _err():
        d = 1 / (np.power(y, lmbda - 1) + np.power(1 - y, lmbda - 1))
    return np.where(np.greater(y, 0) & np.less(y, 1), d, 0)


def _tklmbda_dlmbda(x, lmbda, y):
    # dF/dλ = -∂λQ / Q'(F),  ∂λQ = (F^λ log F - (1-F)^λ log(1-F) - x)/λ
    inside = np.greater(y, 0) & np.less(y, 1)
    with _err():
        g = 1 - y
        lf, lg = np.log(y), np.log(g)
        dq = (np.power(y, lmbda) * lf - np.power(g, lmbda) * lg - x) / lmbda
        _first_order_only(np.equal(lmbda, 0) & inside, (x, lmbda, y), "tklmbda at lmbda = 0")
        dq = np.where(np.equal(lmbda, 0), (lf * lf - lg * lg) / 2, dq)  # λ → 0 limit (first order only)
        d = -dq * _tklmbda_dx(x, lmbda, y)
    return np.where(inside, d, 0)


PARTIALS.update({
    sc.expit:         (lambda x, y: y * (1 - y),),
    sc.logit:         (singular(lambda x, y: 1 / (x * (1 - x))),),
    sc.log_expit:     (lambda x, y: sc.expit(-x),),
    sc.xlogy:         (singular(lambda a, b, y: np.log(b)), singular(_xlogy_dy)),
    sc.xlog1py:       (singular(lambda a, b, y: np.log1p(b)),
                       singular(lambda a, b, y: _xlogy_dy(a, 1 + b, y))),
    sc.entr:          (singular(lambda x, y: -np.log(x) - 1),),
    sc.rel_entr:      (singular(lambda a, b, y: np.log(a / b) + 1), singular(lambda a, b, y: -a / b)),
    sc.kl_div:        (singular(lambda a, b, y: np.log(a / b)), singular(lambda a, b, y: 1 - a / b)),
    sc.huber:         (_huber_ddelta, _huber_dr),
    sc.pseudo_huber:  (_pseudo_huber_ddelta, lambda delta, r, y: r / np.sqrt(1 + (r / delta) ** 2)),
    sc.boxcox:        (singular(lambda x, lm, y: np.power(x, lm - 1)), singular(_boxcox_dlmbda)),
    sc.boxcox1p:      (singular(lambda x, lm, y: np.power(1 + x, lm - 1)), singular(_boxcox1p_dlmbda)),
    sc.inv_boxcox:    (lambda v, lm, y: np.power(y, 1 - lm),
                       lambda v, lm, y: _inv_boxcox_dlmbda_at(y, v, lm)),
    sc.inv_boxcox1p:  (lambda v, lm, y: np.power(1 + y, 1 - lm),
                       lambda v, lm, y: _inv_boxcox_dlmbda_at(1 + y, v, lm)),
    sc.exprel:        (_exprel_d,),
    sc.powm1:         (singular(lambda x, p, y: p * np.power(x, p - 1)),
                       singular(_powm1_dp)),
    sc.cosm1:         (lambda x, y: -np.sin(x),),
    sc.expm1:         (lambda x, y: y + 1,),
    sc.log1p:         (singular(lambda x, y: 1 / (1 + x)),),
    sc.exp2:          (lambda x, y: LN2 * y,),
    sc.exp10:         (lambda x, y: LN10 * y,),
    sc.cbrt:          (singular(lambda x, y: 1 / (3 * y * y)),),
    sc.sindg:         (lambda x, y: DEG * sc.cosdg(x),),
    sc.cosdg:         (lambda x, y: -DEG * sc.sindg(x),),
    sc.tandg:         (lambda x, y: DEG * (1 + y * y),),
    sc.cotdg:         (lambda x, y: -DEG * (1 + y * y),),
    sc.radian:        (lambda d, m, s, y: DEG, lambda d, m, s, y: DEG / 60, lambda d, m, s, y: DEG / 3600),
    sc.tklmbda:       (_tklmbda_dx, _tklmbda_dlmbda),
})


# ================================================================ Bessel and related
def _at_zero(x, limit, fn):
    # fn() (an x'(...)/x form) except its limit at x = 0, where the Taylor term it stands for vanishes
    with _err():
        return np.where(np.equal(x, 0), limit, fn())


def _it2struve0_d(x, y):
    # -H_0(x)/x;  -H_0'(0) = -2/π at 0 (H_0 is odd, so the constant also nests)
    return _at_zero(x, -2 / math.pi, lambda: -sc.struve(0.0, x) / x)


def _lpmv_dx(m, v, x, y):
    # (v x P - (v+m) P_{v-1}) / (x² - 1);  for m = 0 at x = ±1 (x = -1 for integer v only) the limit is
    # x^(v+1) v(v+1)/2 (Legendre: P_v'(1) = v(v+1)/2), exact for v = 0 (first derivatives only otherwise)
    with _err():
        d = (v * x * y - (v + m) * sc.lpmv(m, v - 1, x)) / (x * x - 1)
        end = np.equal(m, 0) & (np.equal(x, 1) | (np.equal(x, -1) & np.equal(v, np.floor(v))))
        _first_order_only(end & np.not_equal(v, 0), (m, v, x), "lpmv at x = ±1")
        return np.where(end, np.power(x, v + 1) * v * (v + 1) / 2, d)


def _struve_d(fn, sign):
    # DLMF 11.4.25/27: 2H_v' = H_{v-1} - H_{v+1} + (x/2)^v / (√π Γ(v + 3/2)), 2L_v' = L_{v-1} + L_{v+1} + (same);
    # no division by x, so it holds at x = 0 too (2/π for v = 0, 0 for v > 0)
    def d(v, x, y):
        with _err():
            return (fn(v - 1, x) + sign * fn(v + 1, x) + np.power(x / 2, v) / (SQRT_PI * sc.gamma(v + 1.5))) / 2
    return singular(d)


PARTIALS.update({
    sc.j0:        (lambda x, y: -sc.j1(x),),
    sc.j1:        (lambda x, y: (sc.j0(x) - sc.jv(2.0, x)) / 2,),
    sc.jv:        (ORDER_V, lambda v, x, y: (sc.jv(v - 1, x) - sc.jv(v + 1, x)) / 2),  # also sc.jn
    sc.y0:        (lambda x, y: -sc.y1(x),),
    sc.y1:        (lambda x, y: (sc.y0(x) - sc.yv(2.0, x)) / 2,),
    sc.yv:        (ORDER_V, lambda v, x, y: (sc.yv(v - 1, x) - sc.yv(v + 1, x)) / 2),
    sc.yn:        (ORDER_N, lambda n, x, y: (sc.yv(np.trunc(n) - 1, x) - sc.yv(np.trunc(n) + 1, x)) / 2),
    sc.iv:        (ORDER_V, lambda v, x, y: (sc.iv(v - 1, x) + sc.iv(v + 1, x)) / 2),
    sc.i0:        (lambda x, y: sc.i1(x),),
    sc.i1:        (lambda x, y: (sc.i0(x) + sc.iv(2.0, x)) / 2,),
    sc.i0e:       (lambda x, y: sc.i1e(x) - np.sign(x) * y,),
    sc.i1e:       (lambda x, y: (sc.i0e(x) + sc.ive(2.0, x)) / 2 - np.sign(x) * y,),
    sc.kv:        (ORDER_V, lambda v, x, y: -(sc.kv(v - 1, x) + sc.kv(v + 1, x)) / 2),
    sc.kve:       (ORDER_V, lambda v, x, y: y - (sc.kve(v - 1, x) + sc.kve(v + 1, x)) / 2),
    sc.kn:        (ORDER_N, lambda n, x, y: -(sc.kv(np.trunc(n) - 1, x) + sc.kv(np.trunc(n) + 1, x)) / 2),
    sc.k0:        (lambda x, y: -sc.k1(x),),
    sc.k0e:       (lambda x, y: y - sc.k1e(x),),
    sc.k1:        (lambda x, y: -(sc.k0(x) + sc.kv(2.0, x)) / 2,),
    sc.k1e:       (lambda x, y: y - (sc.k0e(x) + sc.kve(2.0, x)) / 2,),
    sc.hankel1:   (ORDER_V, lambda v, z, y: (sc.hankel1(v - 1, z) - sc.hankel1(v + 1, z)) / 2),
    sc.hankel2:   (ORDER_V, lambda v, z, y: (sc.hankel2(v - 1, z) - sc.hankel2(v + 1, z)) / 2),
    sc.hankel1e:  (ORDER_V, lambda v, z, y: (sc.hankel1e(v - 1, z) - sc.hankel1e(v + 1, z)) / 2 - 1j * y),
    sc.hankel2e:  (ORDER_V, lambda v, z, y: (sc.hankel2e(v - 1, z) - sc.hankel2e(v + 1, z)) / 2 + 1j * y),
    sc.struve:    (ORDER_V, _struve_d(sc.struve, -1)),
    sc.modstruve: (ORDER_V, _struve_d(sc.modstruve, 1)),
    # Kelvin functions: ber + i bei and ker + i kei solve w'' = -w'/x + i w
    sc.ber:       (lambda x, y: sc.berp(x),),
    sc.bei:       (lambda x, y: sc.beip(x),),
    sc.ker:       (lambda x, y: sc.kerp(x),),
    sc.kei:       (lambda x, y: sc.keip(x),),
    sc.berp:      (singular(lambda x, y: _at_zero(x, 0.0, lambda: -y / x - sc.bei(x))),),
    sc.beip:      (singular(lambda x, y: _at_zero(x, 0.5, lambda: -y / x + sc.ber(x))),),
    sc.kerp:      (singular(lambda x, y: -y / x - sc.kei(x)),),
    sc.keip:      (singular(lambda x, y: -y / x + sc.ker(x)),),
    # ∫₀¹ t^λ J_ν(2at) dt:  ∂a = besselpoly(a, λ+1, ν-1) - besselpoly(a, λ+1, ν+1)
    sc.besselpoly: (lambda a, lm, nu, y: sc.besselpoly(a, lm + 1, nu - 1) - sc.besselpoly(a, lm + 1, nu + 1),
                    _no_closed_form("the power lmb"), ORDER_V),
    # (x² - 1) dP/dx = v x P_v^m - (v + m) P_{v-1}^m
    sc.lpmv:      (no_derivative("the order m"), no_derivative("the degree v"),
                   singular(_lpmv_dx)),
    sc.itstruve0:    (lambda x, y: sc.struve(0.0, x),),
    sc.it2struve0:   (singular(_it2struve0_d),),
    sc.itmodstruve0: (lambda x, y: sc.modstruve(0.0, x),),
})


def _scaled_bessel_jvp(ufunc, deriv, part):
    """JVP of an exponentially scaled Bessel function ``f(v, z)·exp(-|part(z)|)`` (jve, yve, ive).

    Real z: ``deriv(v, z, y)`` is the whole derivative. Complex z is not holomorphic (|Im z| or
    |Re z|): d = deriv·dz - y·sign(part z)·part(dz).
    """

    def jvp(values, tangents, y):
        (v, z), (tv, tz) = values, tangents
        if tv is not None:
            raise ORDER_V.error(ufunc, 0)
        if tz is None:
            return None
        nd = np.ndim(y)
        tz = dirs.align(tz, nd)
        t = deriv(v, z, y) * tz
        if np.iscomplexobj(z):
            t = t - (y * np.sign(part(z))) * part(tz)
        if t.shape[1:] != np.shape(y):
            t = dirs.broadcast_to(t, np.shape(y))
        return t

    return jvp


def _ive_real_scale(z, y):
    """For real z, ive = iv·e^(-|z|) folds the scale's derivative into the coefficient: -sign(z)·y."""
    return 0 if np.iscomplexobj(z) else np.sign(z) * y


UFUNC_JVPS.update({
    sc.jve: _scaled_bessel_jvp(
        sc.jve, lambda v, z, y: (sc.jve(v - 1, z) - sc.jve(v + 1, z)) / 2, np.imag),
    sc.yve: _scaled_bessel_jvp(
        sc.yve, lambda v, z, y: (sc.yve(v - 1, z) - sc.yve(v + 1, z)) / 2, np.imag),
    sc.ive: _scaled_bessel_jvp(
        sc.ive, lambda v, z, y: (sc.ive(v - 1, z) + sc.ive(v + 1, z)) / 2 - _ive_real_scale(z, y),
        np.real),
})


# ---------------------------------------------------------------- multi-output ufuncs
def _multi_jvp(ufunc: np.ufunc, *per_input: Any) -> Callable[..., Any]:
    """JVP of a multi-output ufunc from one entry per input.

    An entry is ``ZERO``, a ``no_derivative`` marker, or ``fn(*inputs, *outputs) -> tuple`` with one
    coefficient ``d out_j / d input_i`` per output (None for an output that does not depend on it).
    """

    def jvp(values, tangents, outputs):
        ts: list[Any] = [None] * len(outputs)
        for i, ti in enumerate(tangents):
            if ti is None:
                continue
            p = per_input[i]
            if p is ZERO:
                continue
            if type(p) is NoDerivative:
                raise p.error(ufunc, i)
            with _err():
                coefs = p(*values, *outputs)
            for j, c in enumerate(coefs):
                if c is None:
                    continue
                contrib = dirs.scale_finite(c, dirs.align(ti, np.ndim(outputs[j])))
                ts[j] = contrib if ts[j] is None else ts[j] + contrib
        for j, t in enumerate(ts):
            if t is not None and t.shape[1:] != np.shape(outputs[j]):
                ts[j] = dirs.broadcast_to(t, np.shape(outputs[j]))
        return tuple(ts)

    return jvp


def _kelvin_d(x, be, ke, bep, kep):
    # Be = ber + i bei, Ke = ker + i kei solve w'' = -w'/x + i w
    return bep, kep, -bep / x + 1j * be, -kep / x + 1j * ke


def _airye_d(z, eai, eaip, ebi, ebip):
    # eAi = Ai·e^ζ, eBi = Bi·e^(-|Re ζ|), ζ = (2/3) z^(3/2): for real x > 0, dζ/dx = √x; 0 for x < 0
    if np.iscomplexobj(z):
        raise NotImplementedError(
            "scipy.special.airye: derivatives for complex arguments are not supported (the scaling "
            "exp(-|Re ζ|) is not holomorphic); use airy, or pass real arguments"
        )
    s = np.sqrt(np.maximum(z, 0))
    return eaip + s * eai, z * eai + s * eaip, ebip - s * ebi, z * ebi - s * ebip


def _ellipj_du(u, m, sn, cn, dn, ph):
    return cn * dn, -sn * dn, -m * sn * cn, dn


def _ellipj_dm(u, m, sn, cn, dn, ph):
    # φ = am(u|m) solves F(φ|m) = u:  ∂φ/∂m = -dn·∂F/∂m(φ, m).  At m = 1 (0/0 there) the first-order terms
    # of A&S 16.15 in m₁ = 1 - m: with c = (sinh u cosh u - u)/4, ∂m(sn, cn, dn, am) =
    # (-c sech²u, c tanh u sech u, -(c + u/2) tanh u sech u, -c sech u)  (first derivatives only)
    dphi = -dn * _dF_dm(ph, m, u, dn)
    dsn = cn * dphi
    ddn = -(sn * sn + 2 * m * sn * dsn) / (2 * dn)
    one = np.equal(m, 1)
    if not np.any(one):
        return dsn, -sn * dphi, ddn, dphi
    _first_order_only(one, (u, m), "ellipj at m = 1")
    sech, th = 1 / np.cosh(u), np.tanh(u)
    c = (np.sinh(u) * np.cosh(u) - u) / 4
    return (np.where(one, -c * sech * sech, dsn), np.where(one, c * th * sech, -sn * dphi),
            np.where(one, -(c + u / 2) * th * sech, ddn), np.where(one, -c * sech, dphi))


def _dF_dm(phi, m, f, delta):
    # ∂F(φ|m)/∂m = E(φ|m)/(2m(1-m)) - F/(2m) - sin 2φ / (4(1-m)Δ),  Δ = √(1 - m sin²φ)
    d = sc.ellipeinc(phi, m) / (2 * m * (1 - m)) - f / (2 * m) - np.sin(2 * phi) / (4 * (1 - m) * delta)
    return np.where(np.equal(m, 0), (2 * phi - np.sin(2 * phi)) / 8, d)


def _mathieu_angular(char):
    # ce, se (x in degrees) solve y'' + (a - 2q cos 2x) y = 0 in radians; scipy's y' is per radian
    def d(m, q, x, f, fp):
        a = char(m, q)
        return DEG * fp, -DEG * (a - 2 * q * np.cos(2 * DEG * x)) * f

    return d


def _mathieu_radial(char):
    # modified Mathieu functions solve y'' - (a - 2q cosh 2x) y = 0
    def d(m, q, x, f, fp):
        a = char(m, q)
        return fp, (a - 2 * q * np.cosh(2 * x)) * f

    return d


def _parabolic(sign):
    # D_v, V_v solve y'' = (x²/4 - v - 1/2) y;  W(a, x) solves y'' = (a - x²/4) y
    def d(v, x, f, fp):
        c = x * x / 4 - v - 0.5 if sign > 0 else v - x * x / 4
        return fp, c * f

    return d


_ORDER_Q = no_derivative("the parameter q")
HALF_PI = math.pi / 2


def _sinc(fn, x):
    """fn(x)/x with its limit 1 at x = 0 (Si' and Shi')."""
    with _err():
        return np.where(np.equal(x, 0), 1, fn(x) / x)


UFUNC_JVPS.update({
    sc.sici:   _multi_jvp(sc.sici, lambda x, si, ci: (_sinc(np.sin, x), np.cos(x) / x)),
    sc.shichi: _multi_jvp(sc.shichi, lambda x, s, c: (_sinc(np.sinh, x), np.cosh(x) / x)),
    sc.fresnel: _multi_jvp(sc.fresnel, lambda x, s, c: (np.sin(HALF_PI * x * x), np.cos(HALF_PI * x * x))),
    # f± = ∫ₓ^∞ exp(±i t²) dt,  k± = exp(∓i(x² + π/4)) f± / √π
    sc.modfresnelp: _multi_jvp(sc.modfresnelp, lambda x, f, k: (
        -np.exp(1j * x * x), -2j * x * k - np.exp(-0.25j * math.pi) / SQRT_PI)),
    sc.modfresnelm: _multi_jvp(sc.modfresnelm, lambda x, f, k: (
        -np.exp(-1j * x * x), 2j * x * k - np.exp(0.25j * math.pi) / SQRT_PI)),
    sc.airy:   _multi_jvp(sc.airy, lambda z, ai, aip, bi, bip: (aip, z * ai, bip, z * bi)),
    sc.airye:  _multi_jvp(sc.airye, _airye_d),
    sc.kelvin: _multi_jvp(sc.kelvin, _kelvin_d),
    sc.itairy: _multi_jvp(sc.itairy, lambda x, *o: (
        sc.airy(x)[0], sc.airy(x)[2], sc.airy(-x)[0], sc.airy(-x)[2])),
    sc.itj0y0: _multi_jvp(sc.itj0y0, lambda x, *o: (sc.j0(x), sc.y0(x))),
    sc.iti0k0: _multi_jvp(sc.iti0k0, lambda x, *o: (sc.i0(x), sc.k0(x))),
    sc.it2j0y0: _multi_jvp(sc.it2j0y0, lambda x, *o: ((1 - sc.j0(x)) / x, -sc.y0(x) / x)),
    sc.it2i0k0: _multi_jvp(sc.it2i0k0, lambda x, *o: ((sc.i0(x) - 1) / x, -sc.k0(x) / x)),
    sc.ellipj: _multi_jvp(sc.ellipj, _ellipj_du, _ellipj_dm),
    sc.pbdv:   _multi_jvp(sc.pbdv, ORDER_V, _parabolic(1)),
    sc.pbvv:   _multi_jvp(sc.pbvv, ORDER_V, _parabolic(1)),
    sc.pbwa:   _multi_jvp(sc.pbwa, no_derivative("the parameter a"), _parabolic(-1)),
    sc.mathieu_cem: _multi_jvp(sc.mathieu_cem, ORDER_N, _ORDER_Q, _mathieu_angular(sc.mathieu_a)),
    sc.mathieu_sem: _multi_jvp(sc.mathieu_sem, ORDER_N, _ORDER_Q, _mathieu_angular(sc.mathieu_b)),
    sc.mathieu_modcem1: _multi_jvp(sc.mathieu_modcem1, ORDER_N, _ORDER_Q, _mathieu_radial(sc.mathieu_a)),
    sc.mathieu_modcem2: _multi_jvp(sc.mathieu_modcem2, ORDER_N, _ORDER_Q, _mathieu_radial(sc.mathieu_a)),
    sc.mathieu_modsem1: _multi_jvp(sc.mathieu_modsem1, ORDER_N, _ORDER_Q, _mathieu_radial(sc.mathieu_b)),
    sc.mathieu_modsem2: _multi_jvp(sc.mathieu_modsem2, ORDER_N, _ORDER_Q, _mathieu_radial(sc.mathieu_b)),
})


# ---------------------------------------------------------------- spheroidal wave functions (S, S')
def _spheroidal(cv_fn, oblate_radial=False, sigma=1.0):
    """Derivatives in x of (S, S') from the spheroidal equation, λ the characteristic value.

    angular, prolate radial: (1 - x²) y'' - 2x y' + (λ - σc²x² - m²/(1 - x²)) y = 0  (σ = -1: oblate)
    oblate radial:           (1 + x²) y'' + 2x y' - (λ - c²x² - m²/(1 + x²)) y = 0
    """

    def d(m, n, c, *rest):
        if cv_fn is None:
            cv, x, f, fp = rest
        else:
            (x, f, fp), cv = rest, cv_fn(m, n, c)
        if oblate_radial:
            q = 1 + x * x
            second = (-2 * x * fp + (cv - c * c * x * x - m * m / q) * f) / q
        else:
            q = 1 - x * x
            second = (2 * x * fp - (cv - sigma * c * c * x * x - m * m / q) * f) / q
        return fp, second

    return d


def _spheroidal_jvp(ufunc, cv_fn, **kw):
    head = (no_derivative("the order m"), no_derivative("the degree n"), _no_closed_form("the parameter c"))
    if cv_fn is None:
        head = (*head, _no_closed_form("the characteristic value cv"))
    return _multi_jvp(ufunc, *head, _spheroidal(cv_fn, **kw))


for _uf, _cv, _kw in (
    (sc.pro_ang1, sc.pro_cv, {}), (sc.pro_rad1, sc.pro_cv, {}), (sc.pro_rad2, sc.pro_cv, {}),
    (sc.obl_ang1, sc.obl_cv, {"sigma": -1.0}),
    (sc.obl_rad1, sc.obl_cv, {"oblate_radial": True}), (sc.obl_rad2, sc.obl_cv, {"oblate_radial": True}),
    (sc.pro_ang1_cv, None, {}), (sc.pro_rad1_cv, None, {}), (sc.pro_rad2_cv, None, {}),
    (sc.obl_ang1_cv, None, {"sigma": -1.0}),
    (sc.obl_rad1_cv, None, {"oblate_radial": True}), (sc.obl_rad2_cv, None, {"oblate_radial": True}),
):
    UFUNC_JVPS[_uf] = _spheroidal_jvp(_uf, _cv, **_kw)


# ---------------------------------------------------------------- spherical Bessel (private ufuncs)
def _spherical_second(f, sign):
    # z² w'' + 2z w' + (±z² - n(n+1)) w = 0  ⇒  w'' = -2w'/z - (±1 - n(n+1)/z²) w
    def d(n, z, y):
        return -2 * y / z - (sign - n * (n + 1) / (z * z)) * f(n, z)

    return d


for _f, _fd, _sign in (
    (_u._spherical_jn, _u._spherical_jn_d, 1),
    (_u._spherical_yn, _u._spherical_yn_d, 1),
    (_u._spherical_in, _u._spherical_in_d, -1),
    (_u._spherical_kn, _u._spherical_kn_d, -1),
):
    PARTIALS[_f] = (ORDER_N, (lambda fd: lambda n, z, y: fd(n, z))(_fd))
    PARTIALS[_fd] = (ORDER_N, singular(_spherical_second(_f, _sign)))


# ================================================================ integrals, elliptic, zeta-like, others
def _ellipk_d(m, y):
    # K'(m) = (E - (1-m)K) / (2m(1-m)),  π/8 at m = 0
    with _err():
        d = (sc.ellipe(m) - (1 - m) * y) / (2 * m * (1 - m))
    return np.where(np.equal(m, 0), math.pi / 8, d)


def _ellipkm1_d(p, y):
    # K(1 - p):  d/dp = -K'(1 - p) = -(E(1-p) - p K) / (2 (1-p) p)
    m = 1 - p
    with _err():
        d = -(sc.ellipe(m) - p * y) / (2 * m * p)
    return np.where(np.equal(m, 0), -math.pi / 8, d)


def _ellipe_d(m, y):
    # E'(m) = (E - K) / (2m),  -π/8 at m = 0
    with _err():
        d = (y - sc.ellipk(m)) / (2 * m)
    return np.where(np.equal(m, 0), -math.pi / 8, d)


def _ellipkinc_dm(phi, m, y):
    delta = np.sqrt(1 - m * np.sin(phi) ** 2)
    with _err():
        return _dF_dm(phi, m, y, delta)


def _ellipeinc_dm(phi, m, y):
    # ∂E(φ|m)/∂m = (E - F)/(2m),  -(2φ - sin 2φ)/8 at m = 0
    with _err():
        d = (y - sc.ellipkinc(phi, m)) / (2 * m)
    return np.where(np.equal(m, 0), -(2 * phi - np.sin(2 * phi)) / 8, d)


def _expn_d(n, x, y):
    # E_n' = -E_{n-1};  E_0 = e^(-x)/x:  E_0' = -E_0 (1 + 1/x)   (SciPy truncates n to an integer)
    n = np.trunc(n)
    with _err():
        return np.where(np.equal(n, 0), -y * (1 + 1 / x), -sc.expn(n - 1, x))


def _spence_d(z, y):
    # spence(z) = ∫₁ᶻ log t / (1 - t) dt:  log z / (1 - z),  -1 at z = 1
    with _err():
        return np.where(np.equal(z, 1), -1, np.log(z) / (1 - z))


def _component(fn, i):
    """Partial number ``i`` of a function returning all partials at once."""
    return lambda *args: fn(*args)[i]


def _rd_dx(x, y, z, rd):
    # ∂x R_D(x, y, z) = -(R_D(x, y, z) - R_D(y, z, x)) / (2(x - z))   (x ≠ z)
    return -(rd - sc.elliprd(y, z, x)) / (2 * (x - z))


def _scaled(x, dx):
    # x ∂x, with its limit 0 at x = 0 (∂x ~ x^(-1/2) there)
    return np.where(np.equal(x, 0), 0, x * dx)


def _rd_partials(x, y, z, rd):
    # Carlson's R_D = R_{-3/2}(½, ½, 3/2; x, y, z) and ∂i R_{-a}(b; ·) = -(a b_i / Σb) R_{-a-1}(b + e_i; ·):
    # an argument equal to z has the same R_{-5/2} as ∂z, so ∂z = 3 ∂x there (coefficients 0.3 and 0.9);
    # Euler's relation x∂x + y∂y + z∂z = -3/2 R_D then gives the coincident partials with no 0/0.
    # That relation holds only on x = z (or y = z): exactly there, first derivatives are right but
    # second derivatives through nesting are not.
    with _err():
        ex, ey = np.equal(x, z), np.equal(y, z)
        _first_order_only(ex | ey, (x, y, z), "elliprd where arguments coincide")
        dx, dy = _rd_dx(x, y, z, rd), _rd_dx(y, x, z, rd)
        rest = np.where(ex, 0, _scaled(x, dx)) + np.where(ey, 0, _scaled(y, dy))
        n = 3 + np.where(ex, 1, 0) + np.where(ey, 1, 0)
        common = (-1.5 * rd - rest) / (n * z)
        return np.where(ex, common, dx), np.where(ey, common, dy), 3 * common


def _rj_partials(x, y, z, p, rj):
    # R_J = R_{-3/2}(½, ½, ½, 1; x, y, z, p): as for R_D, an argument equal to p has the partial ∂p / 2,
    # and Euler's relation (degree -3/2) fixes that common value; ∂x = -(R_J - R_D(y, z, x)) / (2(x - p)).
    # (As for R_D: exactly at a coincidence, first derivatives only.)
    with _err():
        args = (x, y, z)
        eq = [np.equal(a, p) for a in args]
        _first_order_only(eq[0] | eq[1] | eq[2], (x, y, z, p), "elliprj where an argument equals p")
        raw = [-(rj - sc.elliprd(args[(i + 1) % 3], args[(i + 2) % 3], a)) / (2 * (a - p))
               for i, a in enumerate(args)]
        rest = sum(np.where(e, 0, _scaled(a, d)) for e, a, d in zip(eq, args, raw, strict=True))
        n = 2 + sum(np.where(e, 1, 0) for e in eq)
        common = (-1.5 * rj - rest) / (n * p)
        return tuple(np.where(e, common, d) for e, d in zip(eq, raw, strict=True)) + (2 * common,)


def _rg_dz(x, y, z):
    # ∂z R_G(x, y, z) = (R_F(x, y, z) - z R_D(x, y, z) / 3) / 4   (DLMF 19.18; z R_D -> 0 as z -> 0)
    with _err():
        zrd = np.where(np.equal(z, 0), 0, z * sc.elliprd(x, y, z))
        return (sc.elliprf(x, y, z) - zrd / 3) / 4


def _rc_dx(x, y, rc):
    # ∂x R_C(x, y) = (R_C - 1/√x) / (2(y - x));  -x^(-3/2)/6 at x = y
    with _err():
        d = (rc - 1 / np.sqrt(x)) / (2 * (y - x))
    return np.where(np.equal(x, y), -1 / (6 * x * np.sqrt(x)), d)


def _rc_dy(x, y, rc):
    # ∂y R_C(x, y) = (√x/y - R_C) / (2(y - x));  -x^(-3/2)/3 at x = y
    with _err():
        d = (np.sqrt(x) / y - rc) / (2 * (y - x))
    return np.where(np.equal(x, y), -1 / (3 * x * np.sqrt(x)), d)


def _agm_db(a, b, y):
    # agm(a, b) = π a / (2 K(1 - r²)), r = b/a:  ∂b = M (E - r²K) / (a r m K), m = 1 - r².
    # Limits: 1/2 at a = b (symmetry and degree 1; first derivatives only), 0 at a = 0 (agm(0, b) = 0),
    # +inf at b = 0 ≠ a
    with _err():
        r = b / a
        m = 1 - r * r
        k = sc.ellipk(m)
        d = y * (sc.ellipe(m) - r * r * k) / (a * r * m * k)
        d = np.where(np.equal(b, 0), np.inf, d)
        _first_order_only(np.equal(a, b) & np.not_equal(a, 0), (a, b), "agm where a = b")
        return np.where(np.equal(a, 0), 0.0, np.where(np.equal(a, b), 0.5, d))


def _owens_t_dh(h, a, y):
    # ∂h T(h, a) = -φ(h) erf(a h / √2) / 2
    return -np.exp(-h * h / 2) / SQRT_2PI * sc.erf(a * h / math.sqrt(2.0)) / 2


def _owens_t_da(h, a, y):
    # ∂a T(h, a) = exp(-h²(1 + a²)/2) / (2π(1 + a²))
    s = 1 + a * a
    return np.exp(-h * h * s / 2) / (2 * math.pi * s)


def _beta_density(a, b, x):
    # ∂x I_x(a, b) = x^(a-1) (1-x)^(b-1) / B(a, b)
    with _err():
        return np.exp(sc.xlogy(a - 1, x) + sc.xlog1py(b - 1, -x) - sc.betaln(a, b))


def _inv_beta_density(a, b, x):
    with _err():
        return np.exp(sc.betaln(a, b) - sc.xlogy(a - 1, x) - sc.xlog1py(b - 1, -x))


PARAM_A, PARAM_B, PARAM_C = (_no_closed_form(f"the parameter {p}") for p in "abc")

PARTIALS.update({
    sc.expi:      (singular(lambda x, y: np.exp(x) / x),),
    sc.exp1:      (singular(lambda x, y: -np.exp(-x) / x),),
    sc.expn:      (ORDER_N, singular(_expn_d)),
    sc.ellipk:    (singular(_ellipk_d),),
    sc.ellipkm1:  (singular(_ellipkm1_d),),
    sc.ellipe:    (singular(_ellipe_d),),
    sc.ellipkinc: (singular(lambda phi, m, y: 1 / np.sqrt(1 - m * np.sin(phi) ** 2)),
                   singular(_ellipkinc_dm)),
    sc.ellipeinc: (lambda phi, m, y: np.sqrt(1 - m * np.sin(phi) ** 2), singular(_ellipeinc_dm)),
    sc.elliprf:   (singular(lambda x, y, z, r: -sc.elliprd(y, z, x) / 6),
                   singular(lambda x, y, z, r: -sc.elliprd(z, x, y) / 6),
                   singular(lambda x, y, z, r: -sc.elliprd(x, y, z) / 6)),
    sc.elliprc:   (singular(_rc_dx), singular(_rc_dy)),
    sc.elliprd:   tuple(singular(_component(_rd_partials, i)) for i in range(3)),
    sc.elliprj:   tuple(singular(_component(_rj_partials, i)) for i in range(4)),
    sc.elliprg:   (singular(lambda x, y, z, r: _rg_dz(y, z, x)), singular(lambda x, y, z, r: _rg_dz(z, x, y)),
                   singular(lambda x, y, z, r: _rg_dz(x, y, z))),
    sc.spence:    (singular(_spence_d),),
    sc.owens_t:   (_owens_t_dh, _owens_t_da),
    sc.agm:       (singular(lambda a, b, y: _agm_db(b, a, y)), singular(_agm_db)),
    sc.betainc:   (PARAM_A, PARAM_B, singular(lambda a, b, x, y: _beta_density(a, b, x))),
    sc.betaincc:  (PARAM_A, PARAM_B, singular(lambda a, b, x, y: -_beta_density(a, b, x))),
    sc.betaincinv:  (PARAM_A, PARAM_B, singular(lambda a, b, p, y: _inv_beta_density(a, b, y))),
    sc.betainccinv: (PARAM_A, PARAM_B, singular(lambda a, b, p, y: -_inv_beta_density(a, b, y))),
    sc.hyp0f1:    (PARAM_B, lambda v, z, y: sc.hyp0f1(v + 1, z) / v),
    sc.hyp1f1:    (PARAM_A, PARAM_B, lambda a, b, z, y: a / b * sc.hyp1f1(a + 1, b + 1, z)),
    sc.hyp2f1:    (PARAM_A, PARAM_B, PARAM_C,
                   lambda a, b, c, z, y: a * b / c * sc.hyp2f1(a + 1, b + 1, c + 1, z)),
    sc.hyperu:    (PARAM_A, PARAM_B, lambda a, b, z, y: -a * sc.hyperu(a + 1, b + 1, z)),
    # Wright's Φ(a, b; x) = Σ x^k / (k! Γ(ak + b)):  ∂x Φ(a, b; x) = Φ(a, a + b; x)
    sc.wright_bessel:     (PARAM_A, PARAM_B, lambda a, b, x, y: sc.wright_bessel(a, a + b, x)),
    sc.log_wright_bessel: (PARAM_A, PARAM_B,
                           lambda a, b, x, y: np.exp(sc.log_wright_bessel(a, a + b, x) - y)),
    sc.wrightomega: (lambda z, y: y / (1 + y),),
    # W(z) behind scipy.special.lambertw(z, k, tol):  W' = e^(-W) / (1 + W)
    _u._lambertw: (singular(lambda z, k, tol, y: np.exp(-y) / (1 + y)), no_derivative("the branch k"), ZERO),
})


# ================================================================ distributions (cdfs and their inverses)
def _chi2_pdf(v, x):
    with _err():
        return np.exp(sc.xlogy(v / 2 - 1, x / 2) - x / 2 - sc.gammaln(v / 2)) / 2


def _ncx2_pdf(x, k, lam):
    # f = ½ e^(-(x+λ)/2) (x/λ)^(k/4 - 1/2) I_{k/2-1}(√(λx)), with I = ive·e^(√(λx))
    s = np.sqrt(lam * x)
    with _err():
        return 0.5 * np.exp(s - (x + lam) / 2) * np.power(x / lam, k / 4 - 0.5) * sc.ive(k / 2 - 1, s)


def _f_pdf(d1, d2, x):
    with _err():
        return np.exp(
            sc.xlogy(d1 / 2, d1 * x) + sc.xlogy(d2 / 2, d2) - sc.xlogy((d1 + d2) / 2, d1 * x + d2)
            - np.log(x) - sc.betaln(d1 / 2, d2 / 2)
        )


def _gamma_rate_pdf(a, b, x):
    # g(ax) = (ax)^(b-1) e^(-ax) / Γ(b)
    return _gamma_density(b, a * x)


def _binom_dp(k, n, p):
    # ∂p bdtr = -(n-k) C(n,k) p^k (1-p)^(n-k-1), k and n rounded down (as SciPy does)
    k, n = np.floor(k), np.floor(n)
    with _err():
        return -np.exp(sc.xlogy(k, p) + sc.xlog1py(n - k - 1, -p) - sc.betaln(n - k, k + 1))


def _nbinom_dp(k, n, p):
    # nbdtr = I_p(n, k + 1), k and n rounded down (as SciPy does)
    k, n = np.floor(k), np.floor(n)
    return _beta_density(n, k + 1, p)


def _poisson_dm(k, m):
    # pdtr = Q(k + 1, m):  ∂m = -m^k e^(-m) / k!
    k = np.floor(k)
    return -_gamma_density(k + 1, m)


def _t_pdf(df, t):
    with _err():
        return np.exp(
            sc.gammaln((df + 1) / 2) - sc.gammaln(df / 2) - 0.5 * np.log(df * math.pi)
            - (df + 1) / 2 * np.log1p(t * t / df)
        )


def _ndtri_d(p):
    z = sc.ndtri(p)
    return z, SQRT_2PI * np.exp(z * z / 2)


def _nrdtrimn_d(p, std, x, y):
    # mean = x - std·ndtri(p)
    z, dz = _ndtri_d(p)
    return -std * dz, -z, 1.0


def _nrdtrisd_d(mn, p, x, y):
    # sd = (x - mn) / ndtri(p)
    z, dz = _ndtri_d(p)
    return -1 / z, -y / z * dz, 1 / z


DOF = no_derivative("the degrees of freedom (discrete or with no closed-form derivative)")
NONCENTRALITY = _no_closed_form("the noncentrality nc")
TRIALS = no_derivative("the number of trials n")
SUCCESSES = no_derivative("the number of successes k")

PARTIALS.update({
    sc.bdtr:     (SUCCESSES, TRIALS, lambda k, n, p, y: _binom_dp(k, n, p)),
    sc.bdtrc:    (SUCCESSES, TRIALS, lambda k, n, p, y: -_binom_dp(k, n, p)),
    sc.bdtri:    (SUCCESSES, TRIALS, singular(lambda k, n, q, y: 1 / _binom_dp(k, n, y))),
    sc.nbdtr:    (SUCCESSES, TRIALS, singular(lambda k, n, p, y: _nbinom_dp(k, n, p))),
    sc.nbdtrc:   (SUCCESSES, TRIALS, singular(lambda k, n, p, y: -_nbinom_dp(k, n, p))),
    sc.nbdtri:   (SUCCESSES, TRIALS, singular(lambda k, n, q, y: 1 / _nbinom_dp(k, n, y))),
    sc.pdtr:     (SUCCESSES, lambda k, m, y: _poisson_dm(k, m)),
    sc.pdtrc:    (SUCCESSES, lambda k, m, y: -_poisson_dm(k, m)),
    sc.pdtri:    (SUCCESSES, singular(lambda k, q, y: 1 / _poisson_dm(k, y))),
    sc.chdtr:    (DOF, singular(lambda v, x, y: _chi2_pdf(v, x))),
    sc.chdtrc:   (DOF, singular(lambda v, x, y: -_chi2_pdf(v, x))),
    sc.chdtri:   (DOF, singular(lambda v, q, y: -1 / _chi2_pdf(v, y))),
    # ∂λ F(x; k, λ) = -f(x; k + 2, λ) (Poisson mixture of central chi-squares)
    sc.chndtr:   (lambda x, k, lam, y: _ncx2_pdf(x, k, lam), DOF,
                  lambda x, k, lam, y: -_ncx2_pdf(x, k + 2, lam)),
    sc.chndtrix: (singular(lambda p, k, lam, y: 1 / _ncx2_pdf(y, k, lam)), DOF,
                  singular(lambda p, k, lam, y: _ncx2_pdf(y, k + 2, lam) / _ncx2_pdf(y, k, lam))),
    sc.chndtrinc: (singular(lambda x, k, p, y: _ncx2_pdf(x, k, y) / _ncx2_pdf(x, k + 2, y)), DOF,
                   singular(lambda x, k, p, y: -1 / _ncx2_pdf(x, k + 2, y))),
    sc.fdtr:     (DOF, DOF, singular(lambda d1, d2, x, y: _f_pdf(d1, d2, x))),
    sc.fdtrc:    (DOF, DOF, singular(lambda d1, d2, x, y: -_f_pdf(d1, d2, x))),
    sc.fdtri:    (DOF, DOF, singular(lambda d1, d2, p, y: 1 / _f_pdf(d1, d2, y))),
    # gdtr(a, b, x) = P(b, a x): ∂a = x g(ax), ∂x = a g(ax)
    sc.gdtr:     (lambda a, b, x, y: x * _gamma_rate_pdf(a, b, x), SHAPE_A,
                  singular(lambda a, b, x, y: a * _gamma_rate_pdf(a, b, x))),
    sc.gdtrc:    (lambda a, b, x, y: -x * _gamma_rate_pdf(a, b, x), SHAPE_A,
                  singular(lambda a, b, x, y: -a * _gamma_rate_pdf(a, b, x))),
    sc.gdtria:   (singular(lambda p, b, x, y: 1 / (x * _gamma_rate_pdf(y, b, x))), SHAPE_A,
                  lambda p, b, x, y: -y / x),
    sc.gdtrix:   (lambda a, b, p, y: -y / a, SHAPE_A,
                  singular(lambda a, b, p, y: 1 / (a * _gamma_rate_pdf(a, b, y)))),
    sc.stdtr:    (DOF, lambda df, t, y: _t_pdf(df, t)),
    sc.stdtrit:  (DOF, singular(lambda df, p, y: 1 / _t_pdf(df, y))),
    sc.nrdtrimn: tuple(singular(_component(_nrdtrimn_d, i)) for i in range(3)),
    sc.nrdtrisd: tuple(singular(_component(_nrdtrisd_d, i)) for i in range(3)),
    # noncentral t and F in their argument: densities from scipy's private pdf ufuncs (order 1 only)
    sc.nctdtr:   (DOF, NONCENTRALITY, lambda df, nc, t, y: _u._nct_pdf(t, df, nc)),
    sc.nctdtrit: (DOF, NONCENTRALITY, singular(lambda df, nc, p, y: 1 / _u._nct_pdf(y, df, nc))),
    sc.ncfdtr:   (DOF, DOF, NONCENTRALITY, singular(lambda d1, d2, nc, f, y: _u._ncf_pdf(f, d1, d2, nc))),
    sc.ncfdtri:  (DOF, DOF, NONCENTRALITY, singular(lambda d1, d2, nc, p, y: 1 / _u._ncf_pdf(y, d1, d2, nc))),
    # Kolmogorov-Smirnov: first derivatives from scipy's private derivative ufuncs (order 1 only)
    sc.kolmogorov: (lambda x, y: _u._kolmogp(x),),
    sc.kolmogi:    (singular(lambda p, y: 1 / _u._kolmogp(y)),),
    sc.smirnov:    (no_derivative("the sample size n"), lambda n, d, y: _u._smirnovp(n, d)),
    sc.smirnovi:   (no_derivative("the sample size n"), singular(lambda n, p, y: 1 / _u._smirnovp(n, y))),
})


# ================================================================ orthogonal polynomials (derivative in x)
ALPHA = no_derivative("the parameter alpha")
BETA = no_derivative("the parameter beta")


def _legendre_d(n, x, y):
    # P_n' = C^(3/2)_{n-1}
    return _nonzero_degree(n, lambda: sc.eval_gegenbauer(n - 1, 1.5, x))


PARTIALS.update({
    sc.eval_legendre:    (DEGREE, _legendre_d),
    sc.eval_chebyt:      (DEGREE, lambda n, x, y: _nonzero_degree(n, lambda: n * sc.eval_chebyu(n - 1, x))),
    sc.eval_chebyu:      (DEGREE, lambda n, x, y: _nonzero_degree(
        n, lambda: 2 * sc.eval_gegenbauer(n - 1, 2.0, x))),
    sc.eval_chebyc:      (DEGREE, lambda n, x, y: _nonzero_degree(n, lambda: n * sc.eval_chebys(n - 1, x))),
    sc.eval_chebys:      (DEGREE, lambda n, x, y: _nonzero_degree(
        n, lambda: sc.eval_gegenbauer(n - 1, 2.0, x / 2))),
    sc.eval_gegenbauer:  (DEGREE, ALPHA, lambda n, al, x, y: _nonzero_degree(
        n, lambda: 2 * al * sc.eval_gegenbauer(n - 1, al + 1, x))),
    sc.eval_jacobi:      (DEGREE, ALPHA, BETA, lambda n, al, be, x, y: _nonzero_degree(
        n, lambda: (n + al + be + 1) / 2 * sc.eval_jacobi(n - 1, al + 1, be + 1, x))),
    sc.eval_laguerre:    (DEGREE, lambda n, x, y: _nonzero_degree(
        n, lambda: -sc.eval_genlaguerre(n - 1, 1.0, x))),
    sc.eval_genlaguerre: (DEGREE, ALPHA, lambda n, al, x, y: _nonzero_degree(
        n, lambda: -sc.eval_genlaguerre(n - 1, al + 1, x))),
    sc.eval_hermite:     (DEGREE, lambda n, x, y: _nonzero_degree(
        n, lambda: 2 * n * sc.eval_hermite(n - 1, x))),
    sc.eval_hermitenorm: (DEGREE, lambda n, x, y: _nonzero_degree(
        n, lambda: n * sc.eval_hermitenorm(n - 1, x))),
    sc.eval_sh_legendre: (DEGREE, lambda n, x, y: 2 * _legendre_d(n, 2 * x - 1, y)),
    sc.eval_sh_chebyt:   (DEGREE, lambda n, x, y: _nonzero_degree(
        n, lambda: 2 * n * sc.eval_chebyu(n - 1, 2 * x - 1))),
    sc.eval_sh_chebyu:   (DEGREE, lambda n, x, y: _nonzero_degree(
        n, lambda: 4 * sc.eval_gegenbauer(n - 1, 2.0, 2 * x - 1))),
    # G_n^(p,q)' = n G_{n-1}^(p+2, q+1)
    sc.eval_sh_jacobi:   (DEGREE, no_derivative("the parameter p"), no_derivative("the parameter q"),
                          lambda n, p, q, x, y: _nonzero_degree(
                              n, lambda: n * sc.eval_sh_jacobi(n - 1, p + 2, q + 1, x))),
})


# ================================================================ unsupported, with reasons
_INVERSE_IN_SHAPE = (
    "it inverts a distribution function in a shape or degrees-of-freedom parameter, and the distribution "
    "function's derivative in that parameter has no closed form in scipy.special"
)
_NONCENTRAL = (
    "it inverts a noncentral t or F distribution function in a parameter, and the derivative in that "
    "parameter has no closed form in scipy.special"
)
_MATHIEU_CV = "Mathieu characteristic values have no closed-form derivative in q (and m is an integer order)"
_SPHEROIDAL = "spheroidal characteristic values have no closed-form derivative in c (and m, n are integers)"
UNSUPPORTED.update({
    **dict.fromkeys(
        (sc.bdtrik, sc.bdtrin, sc.btdtria, sc.btdtrib, sc.chdtriv, sc.chndtridf, sc.fdtridfd, sc.gdtrib,
         sc.nbdtrik, sc.nbdtrin, sc.pdtrik, sc.stdtridf),
        _INVERSE_IN_SHAPE,
    ),
    **dict.fromkeys(
        (sc.ncfdtridfd, sc.ncfdtridfn, sc.ncfdtrinc, sc.nctdtridf, sc.nctdtrinc),
        _NONCENTRAL,
    ),
    sc.pro_cv: _SPHEROIDAL,
    sc.obl_cv: _SPHEROIDAL,
    sc.zetac: "the Riemann zeta function's derivative in s has no closed form in scipy.special",
    _u._riemann_zeta: "the Riemann zeta function's derivative in s has no closed form in scipy.special",
    sc.mathieu_a: _MATHIEU_CV,
    sc.mathieu_b: _MATHIEU_CV,
    _u._nct_pdf: "second derivatives of the noncentral t distribution are not available in scipy.special",
    _u._ncf_pdf: "second derivatives of the noncentral F distribution are not available in scipy.special",
    _u._kolmogp: "the Kolmogorov distribution's second derivative is not available in scipy.special",
    _u._smirnovp: "the Smirnov distribution's second derivative is not available in scipy.special",
})
if isinstance(getattr(sc, "sph_harm", None), np.ufunc):  # SciPy < 1.17 (deprecated since 1.15)
    UNSUPPORTED[sc.sph_harm] = (
        "deprecated in SciPy 1.15 and removed in 1.17 (its successor sph_harm_y is not a ufunc): no rule written"
    )


# ================================================================ what the coverage report reads
_PRIVATE = (_u._zeta, _u._riemann_zeta, _u._lambertw, _u._kolmogp, _u._smirnovp, _u._nct_pdf, _u._ncf_pdf,
            _u._spherical_jn, _u._spherical_jn_d, _u._spherical_yn, _u._spherical_yn_d,
            _u._spherical_in, _u._spherical_in_d, _u._spherical_kn, _u._spherical_kn_d)


def special_ufuncs() -> dict[str, np.ufunc]:
    """The public ``scipy.special`` ufuncs, by name (every one is classified in the rule tables).

    Aliases (``psi`` is ``digamma``) appear under each public name.
    """
    return {
        name: obj for name in dir(_public)
        if not name.startswith("_") and isinstance(obj := getattr(sc, name), np.ufunc)
    }


def private_ufuncs() -> dict[str, np.ufunc]:
    """Private ufuncs with rules behind public functions (``zeta``, ``lambertw``, ``spherical_jn``)."""
    return {uf.__name__: uf for uf in _PRIVATE}


def classification(ufunc: np.ufunc) -> str | None:
    """``"rule"``, ``"zero"``, ``"nondifferentiable"``, ``"unsupported"`` (None: unclassified)."""
    if ufunc in PARTIALS or ufunc in UFUNC_JVPS:
        return "rule"
    if ufunc in ZERO_DERIVATIVE:
        return "zero"
    if ufunc in NON_DIFFERENTIABLE:
        return "nondifferentiable"
    if ufunc in UNSUPPORTED:
        return "unsupported"
    return None
