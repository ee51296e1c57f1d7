"""ONE table of rule cases, split by family only so that files stay readable.

Every family module defines ``CASES: list[Case]``; :data:`ALL` is their concatenation and drives
the one parameterized check in ``tests/test_rules.py``. A new rule is a new row here.

A case names a function of plain positional array arguments (wrap keyword arguments and constant
arguments in a lambda), the *domain* each argument is drawn from, the shape groups to try (shapes
that broadcast against each other), and the dtypes.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Domain = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]


def uniform(lo: float, hi: float) -> Domain:
    return lambda rng, shape: rng.uniform(lo, hi, size=shape)


def normal(scale: float = 1.0) -> Domain:
    return lambda rng, shape: scale * rng.standard_normal(size=shape)


def nonzero(lo: float = 0.5, hi: float = 2.0) -> Domain:
    return lambda rng, shape: rng.choice([-1.0, 1.0], size=shape) * rng.uniform(lo, hi, size=shape)


def spd(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Symmetric positive definite matrices (well conditioned)."""
    a = rng.standard_normal(size=shape)
    n = shape[-1]
    return a @ np.swapaxes(a, -1, -2) / n + np.eye(n)


def well_conditioned(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    n = shape[-1]
    return rng.standard_normal(size=shape) / np.sqrt(n) + 2 * np.eye(n)


DOMAINS: dict[str, Domain] = {
    "real": normal(),
    "positive": uniform(0.5, 2.0),
    "unit": uniform(-0.9, 0.9),
    "gt1": uniform(1.2, 3.0),
    "nonzero": nonzero(),
    "small": uniform(-3.0, 3.0),
    "fraction": nonzero(0.2, 0.8),
    "divisor": nonzero(1.0, 2.0),
    "binade": uniform(1.1, 1.9),
    "spd": spd,
    "matrix": well_conditioned,
}

# Shape groups: one tuple of shapes per group, one shape per argument; they broadcast together.
UNARY = [((),), ((3,),), ((3, 4),)]
BINARY = [((), ()), ((3,), (3,)), ((3, 4), (3, 1)), ((1, 4), (3, 4)), ((3, 4), ())]
TERNARY = [((), (), ()), ((3,), (3,), (3,)), ((3, 4), (3, 1), (1, 4))]
REAL = ("float64", "float32")
WITH_COMPLEX = ("float64", "float32", "complex128")


@dataclass(frozen=True)
class Case:
    """One row: ``func(*arrays)`` with ``arrays[i]`` drawn from ``domains[i]``.

    ``diff``: indices of the arguments that get tangents (default: all).
    ``complex_domain``: for complex128, the domain of the imaginary part (default: same as real).
    ``order2``: also check second derivatives through a nested DualArray.
    ``rtol``: tolerance of the float64 finite-difference comparison.
    """

    name: str
    func: Callable[..., Any]
    domains: Sequence[str | Domain]
    shapes: Sequence[tuple[tuple[int, ...], ...]] = field(default_factory=lambda: UNARY)
    dtypes: Sequence[str] = REAL
    diff: Sequence[int] | None = None
    order2: bool = True
    rtol: float = 1e-6
    atol: float = 1e-8
    batched: bool = True
    seed_points: int = 1

    def seed(self, *parts: Any) -> int:
        return zlib.crc32(repr((self.name, *parts)).encode())

    def draw(self, rng: np.random.Generator, shapes: tuple, dtype: str) -> list[np.ndarray]:
        arrays = []
        for domain, shape in zip(self.domains, shapes, strict=True):
            draw = DOMAINS[domain] if isinstance(domain, str) else domain
            x = np.asarray(draw(rng, shape), dtype=np.float64)
            if dtype.startswith("complex"):
                x = x + 0.3j * np.asarray(draw(rng, shape), dtype=np.float64)
            arrays.append(x.astype(dtype))
        return arrays

    @property
    def diff_args(self) -> tuple[int, ...]:
        return tuple(range(len(self.domains))) if self.diff is None else tuple(self.diff)


def _collect() -> list[Case]:
    cases: list[Case] = []
    for module in families():
        cases.extend(module.CASES)
    names = [c.name for c in cases]
    dupes = {n for n in names if names.count(n) > 1}
    assert not dupes, f"duplicate case names: {sorted(dupes)}"
    return cases


def families():
    """The family modules that contribute rows (each optional while a family is being built)."""
    import importlib

    found = []
    names = ("ufuncs", "shape", "reductions", "linalg", "fft", "polynomial", "special", "scipy_linalg",
             "scipy_stats", "scipy_interpolate", "scipy_special", "scipy_signal",
             "scipy_ndimage")
    for name in names:
        try:
            found.append(importlib.import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":
                raise
    return found


ALL: list[Case] = _collect()
