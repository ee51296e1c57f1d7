"""The benchmark functions, their analytic derivatives, and a straightforward NumPy dual class.

Every function takes a namespace ``xp`` (``numpy``, ``jax.numpy``, ``torch``, ``autograd.numpy`` or the
:data:`naive` namespace of :class:`NumpyDual`) so each tool runs the same arithmetic. dualarray needs no
namespace: it runs the plain NumPy version (``xp=numpy``) on DualArrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# ---------------------------------------------------------------- W1, W2: an elementwise chain
CHAIN_OPS = 12
"""NumPy calls in :func:`chain`: sin, exp, power, multiply, multiply, log1p, add, tanh, multiply, add,
sqrt, divide (W2 reports time per call)."""


def chain(x: Any, xp: Any = np) -> Any:
    """``tanh(exp(sin(x))·x² + log1p(x·x)) / sqrt(1 + x·x)``, elementwise."""
    return xp.tanh(xp.exp(xp.sin(x)) * x**2 + xp.log1p(x * x)) / xp.sqrt(1 + x * x)


def chain_derivative(x: np.ndarray) -> np.ndarray:
    """d chain / dx, derived by hand: f = T/s, T = tanh(g), s = sqrt(1 + x²)."""
    es = np.exp(np.sin(x))
    x2 = x * x
    g = es * x2 + np.log1p(x2)
    dg = es * (np.cos(x) * x2 + 2 * x) + 2 * x / (1 + x2)
    tg = np.tanh(g)
    s = np.sqrt(1 + x2)
    return ((1 - tg * tg) * dg - tg * x / (s * s)) / s


def chain_jvp_analytic(x: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and J·v of the chain by the hand-derived formula (what one would write without AD)."""
    es = np.exp(np.sin(x))
    x2 = x * x
    g = es * x2 + np.log1p(x2)
    dg = es * (np.cos(x) * x2 + 2 * x) + 2 * x / (1 + x2)
    tg = np.tanh(g)
    s = np.sqrt(1 + x2)
    y = tg / s
    return y, ((1 - tg * tg) * dg - y * x / s) / s * v


# ---------------------------------------------------------------- W3: the 1-D Bratu residual
BRATU_LAMBDA = 1.0


def bratu(u: Any, xp: Any = np, lam: float = BRATU_LAMBDA) -> Any:
    """``F_i = u_{i-1} - 2u_i + u_{i+1} + h²·λ·exp(u_i)``, u = 0 on the boundary, h = 1/(n + 1)."""
    h = 1.0 / (u.shape[-1] + 1)
    zero = xp.zeros_like(u[:1])
    ue = xp.concatenate([zero, u, zero])
    return ue[:-2] - 2 * ue[1:-1] + ue[2:] + h * h * lam * xp.exp(u)


def bratu_point(n: int) -> np.ndarray:
    """A smooth interior point (a bump of height 0.5)."""
    s = np.linspace(0.0, 1.0, n + 2)[1:-1]
    return 0.5 * np.sin(np.pi * s)


def bratu_jacobian(u: np.ndarray, lam: float = BRATU_LAMBDA) -> np.ndarray:
    """The tridiagonal Jacobian, formed densely (the analytic baseline of W3)."""
    n = u.shape[0]
    h = 1.0 / (n + 1)
    J = np.zeros((n, n))
    idx = np.arange(n)
    J[idx, idx] = -2.0 + h * h * lam * np.exp(u)
    J[idx[1:], idx[:-1]] = 1.0
    J[idx[:-1], idx[1:]] = 1.0
    return J


# ---------------------------------------------------------------- W4-W6: extended Rosenbrock
def rosen(x: Any, xp: Any = np) -> Any:
    """``scipy.optimize.rosen`` written against a namespace (for the peers)."""
    return xp.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0)


def rosen_point(n: int) -> np.ndarray:
    return np.linspace(-1.2, 1.1, n)


# ---------------------------------------------------------------- a straightforward NumPy dual class
class NumpyDual:
    """``val + ε·eps`` with ``ε² = 0``: the dual number of lecture notes, on NumPy arrays.

    ``eps`` has the shape of ``val`` (one direction), or ``(k, *val.shape)`` for k directions (the
    trailing axes broadcast against ``val``). No dispatch protocol, no checks: the floor of what an
    operator-overloading forward mode on NumPy costs.
    """

    __slots__ = ("val", "eps")
    __array_ufunc__ = None  # ndarray (op) NumpyDual defers to the reflected operator

    def __init__(self, val: Any, eps: Any) -> None:
        self.val = val
        self.eps = eps

    def __add__(self, o: Any) -> NumpyDual:
        if type(o) is NumpyDual:
            return NumpyDual(self.val + o.val, self.eps + o.eps)
        return NumpyDual(self.val + o, self.eps)

    __radd__ = __add__

    def __sub__(self, o: Any) -> NumpyDual:
        if type(o) is NumpyDual:
            return NumpyDual(self.val - o.val, self.eps - o.eps)
        return NumpyDual(self.val - o, self.eps)

    def __rsub__(self, o: Any) -> NumpyDual:
        return NumpyDual(o - self.val, -self.eps)

    def __neg__(self) -> NumpyDual:
        return NumpyDual(-self.val, -self.eps)

    def __mul__(self, o: Any) -> NumpyDual:
        if type(o) is NumpyDual:
            return NumpyDual(self.val * o.val, self.eps * o.val + self.val * o.eps)
        return NumpyDual(self.val * o, self.eps * o)

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> NumpyDual:
        if type(o) is NumpyDual:
            q = self.val / o.val
            return NumpyDual(q, (self.eps - q * o.eps) / o.val)
        return NumpyDual(self.val / o, self.eps / o)

    def __rtruediv__(self, o: Any) -> NumpyDual:
        q = o / self.val
        return NumpyDual(q, -q * self.eps / self.val)

    def __pow__(self, p: float) -> NumpyDual:
        return NumpyDual(self.val**p, p * self.val ** (p - 1) * self.eps)

    def __getitem__(self, i: Any) -> NumpyDual:
        return NumpyDual(self.val[i], self.eps[..., i])

    @property
    def shape(self) -> tuple[int, ...]:
        return self.val.shape

    def sin(self) -> NumpyDual:
        return NumpyDual(np.sin(self.val), np.cos(self.val) * self.eps)

    def exp(self) -> NumpyDual:
        y = np.exp(self.val)
        return NumpyDual(y, y * self.eps)

    def tanh(self) -> NumpyDual:
        y = np.tanh(self.val)
        return NumpyDual(y, (1 - y * y) * self.eps)

    def log1p(self) -> NumpyDual:
        return NumpyDual(np.log1p(self.val), self.eps / (1 + self.val))

    def sqrt(self) -> NumpyDual:
        y = np.sqrt(self.val)
        return NumpyDual(y, self.eps / (2 * y))


class _NaiveNamespace:
    """The ``xp`` namespace for :class:`NumpyDual` (just the functions the workloads use)."""

    @staticmethod
    def sin(x: NumpyDual) -> NumpyDual:
        return x.sin()

    @staticmethod
    def exp(x: NumpyDual) -> NumpyDual:
        return x.exp()

    @staticmethod
    def tanh(x: NumpyDual) -> NumpyDual:
        return x.tanh()

    @staticmethod
    def log1p(x: NumpyDual) -> NumpyDual:
        return x.log1p()

    @staticmethod
    def sqrt(x: NumpyDual) -> NumpyDual:
        return x.sqrt()

    @staticmethod
    def zeros_like(x: NumpyDual) -> NumpyDual:
        return NumpyDual(np.zeros_like(x.val), np.zeros_like(x.eps))

    @staticmethod
    def concatenate(parts: list[NumpyDual]) -> NumpyDual:
        return NumpyDual(np.concatenate([p.val for p in parts]), np.concatenate([p.eps for p in parts], axis=-1))

    @staticmethod
    def sum(x: NumpyDual) -> NumpyDual:
        return NumpyDual(np.sum(x.val), np.sum(x.eps, axis=-1))


naive = _NaiveNamespace()
