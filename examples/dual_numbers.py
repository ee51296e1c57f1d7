"""Dual numbers by hand, next to DualArray.
========================================

The lecture's hand-written ``Dual`` class (value + ε·eps with ε² = 0) differentiates x², x³ and 1/x
exactly, but ``np.exp(Dual(3, 1))`` fails: NumPy does not know the class. ``DualArray`` implements
NumPy's dispatch protocols, so the same unmodified functions, and ``np.exp``, just work.

    python examples/dual_numbers.py
"""

from __future__ import annotations

import numpy as np

from dualarray import DualArray


# ---------------------------------------------------------------- the lecture's hand-written class
class Dual:
    """``value + ε·eps`` with ε² = 0: +, -, *, / only (the lecture's DualBasicEnhanced/Arith/Div)."""

    def __init__(self, *args):
        if len(args) == 2:
            value, eps = args
        elif isinstance(args[0], Dual):
            value, eps = args[0].value, args[0].eps
        else:
            value, eps = args[0], 0
        self.value = value
        self.eps = eps

    def __add__(self, other):
        other = Dual(other)
        return Dual(self.value + other.value, self.eps + other.eps)

    def __sub__(self, other):
        other = Dual(other)
        return Dual(self.value - other.value, self.eps - other.eps)

    def __mul__(self, other):
        other = Dual(other)
        return Dual(self.value * other.value, self.eps * other.value + self.value * other.eps)

    def __truediv__(self, other):
        # 1 / (x + aε) = 1/x − ε a/x²
        other = Dual(other)
        if np.any(other.value == 0):
            raise ZeroDivisionError
        eps = self.eps / other.value - self.value / other.value**2 * other.eps
        return Dual(self.value / other.value, eps)

    def __abs__(self):
        return abs(self.value)

    def __repr__(self):
        return f"Dual({self.value}, {self.eps})"


# ---------------------------------------------------------------- functions written once, for any number type
def square(x):
    return x * x


def cube(x):
    return x * x * x


def myexp(x):
    return np.exp(x)


def ratio(x):
    return (x + 1) / (x * x + 1)  # derivative (1 − 2x − x²) / (x² + 1)²


def main(verbose: bool = True) -> dict:
    out = print if verbose else (lambda *a, **k: None)
    r = {}

    out("square(Dual(3.1, 1))     =", square(Dual(3.1, 1)))
    y = square(DualArray(3.1, 1))
    out("square(DualArray(3.1, 1)) =", y, "  # value 3.1² = 9.61, derivative 2·3.1 = 6.2")
    r["square"] = (float(y.value), float(y.tangent))

    out("cube(Dual(2, 1))          =", cube(Dual(2, 1)))
    y = cube(DualArray(2, 1))
    out("cube(DualArray(2, 1))     =", y, "  # 8 and 3·2² = 12")
    r["cube"] = (float(y.value), float(y.tangent))

    try:
        myexp(Dual(3, 1))
    except TypeError as exc:
        out("myexp(Dual(3, 1))         -> TypeError:", exc)
        r["dual_exp_error"] = str(exc)
    y = myexp(DualArray(3, 1))
    out("myexp(DualArray(3, 1))    =", y, f"  # exp(3) = {np.exp(3.0)}")
    r["exp"] = (float(y.value), float(y.tangent))

    yd = ratio(Dual(0.5, 1))
    y = ratio(DualArray(0.5, 1))
    exact = (1 - 2 * 0.5 - 0.5**2) / (0.5**2 + 1) ** 2
    out("ratio(Dual(0.5, 1))       =", yd)
    out("ratio(DualArray(0.5, 1))  =", y, f"  # exact derivative {exact}")
    r["ratio"] = (float(y.value), float(y.tangent), float(yd.eps), exact)

    # Both work elementwise on arrays: x² on the lecture's grid.
    x = np.linspace(0.0, 10.0, 100)
    yd = square(Dual(x, 1))
    y = square(DualArray(x, 1.0))
    r["grid_equal"] = bool(np.array_equal(yd.eps, y.tangent) and np.array_equal(y.tangent, 2 * x))
    out("x² on linspace(0, 10, 100): Dual and DualArray derivatives identical, equal to 2x:", r["grid_equal"])
    return r


if __name__ == "__main__":
    main()
