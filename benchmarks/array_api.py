"""The array-API layer: ``python -m benchmarks.array_api``.

1. Per-call overhead of ``dualarray.array_api`` over calling the NumPy function on the DualArray
   directly (target ≤ 0.5 µs), for a few functions on 8 values with one tangent.
2. A JVP through SciPy's array-API code (``logsumexp``, ``zscore`` on 10³ values, inside
   ``scipy_array_api()``) as a ratio to the plain SciPy call on NumPy arrays in the same block.
"""

from __future__ import annotations

import timeit

import numpy as np
import scipy.special
import scipy.stats

import dualarray as da
from dualarray import array_api as xp


def per_call(fn, number: int = 20000, repeat: int = 7) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def interleaved(first, second, number: int = 5000, repeat: int = 31) -> tuple[float, float]:
    """Minimum per-call times of two calls timed in alternation (machine noise hits both alike)."""
    a, b = [], []
    for _ in range(repeat):
        a.append(timeit.timeit(first, number=number) / number)
        b.append(timeit.timeit(second, number=number) / number)
    return min(a), min(b)


def main() -> None:
    x = da.DualArray(np.linspace(0.1, 1.0, 8), np.ones(8))
    print(f"{'function':10} {'numpy on DualArray':>20} {'xp':>10} {'overhead':>10}")
    for name, direct, through in [
        ("exp", lambda: np.exp(x), lambda: xp.exp(x)),
        ("sum", lambda: np.sum(x), lambda: xp.sum(x)),
        ("matmul", lambda: np.matmul(x, x), lambda: xp.matmul(x, x)),
        ("reshape", lambda: np.reshape(x, (2, 4)), lambda: xp.reshape(x, (2, 4))),
        ("greater", lambda: np.greater(x, 0.5), lambda: xp.greater(x, 0.5)),
    ]:
        a, b = interleaved(direct, through)
        print(f"{name:10} {a * 1e6:17.2f} µs {b * 1e6:7.2f} µs {(b - a) * 1e6:7.2f} µs")
    values = np.random.default_rng(0).standard_normal(1000)
    v = np.random.default_rng(1).standard_normal(1000)
    print(f"\n{'JVP, 10³ values':18} {'plain SciPy':>12} {'jvp':>10} {'ratio':>7}")
    with da.scipy_array_api():
        for name, f in [("logsumexp", scipy.special.logsumexp), ("zscore", scipy.stats.zscore)]:
            plain = per_call(lambda f=f: f(values), number=200)
            jvp = per_call(lambda f=f: da.jvp(f, (values,), (v,)), number=50)
            print(f"{name:18} {plain * 1e6:9.1f} µs {jvp * 1e6:7.1f} µs {jvp / plain:6.1f}×")


if __name__ == "__main__":
    main()
