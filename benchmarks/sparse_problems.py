"""The sparse benchmark problems (``../shared/design/sparse.md``), written as plain NumPy code.

Each is unmodified NumPy a SciPy user would write; the tests check the detected patterns against
the stencils below and the benchmarks time them.

- J1 Broyden tridiagonal (SciPy's ``least_squares`` docstring example): 3 colours.
- J2 2-D Bratu, 5-point stencil with ``np.pad`` (zero boundary): 5 colours optimum.
- J3 2-D Brusselator (SciML's benchmark), periodic via ``np.roll``: 10 colours best known.
- J4 a bordered (arrowhead) system: a dense row and a dense column.
- H1 the chained Rosenbrock function (its Hessian is tridiagonal): 3 colours.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def broyden(x: np.ndarray) -> np.ndarray:
    """J1: ``f_i = (3 - x_i) x_i + 1 - x_{i-1} - 2 x_{i+1}`` (SciPy's example, in-place slices)."""
    f = (3 - x) * x + 1
    f[1:] -= x[:-1]
    f[:-1] -= 2 * x[1:]
    return f


def broyden_pattern(n: int) -> sp.csr_array:
    return sp.csr_array(sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1]) != 0)


def bratu(u: np.ndarray, lam: float = 6.0) -> np.ndarray:
    """J2: ``Δu + λ eᵘ`` on the unit square, N×N interior points (``u`` flat), zero boundary."""
    n = int(round(np.sqrt(u.size)))
    h = 1.0 / (n + 1)
    grid = u.reshape(n, n)
    padded = np.pad(grid, 1)
    lap = (padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:] - 4 * grid) / h**2
    return (lap + lam * np.exp(grid)).ravel()


def bratu_pattern(n: int) -> sp.csr_array:
    one = sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1])
    eye = sp.eye_array(n)
    return sp.csr_array((sp.kron(one, eye) + sp.kron(eye, one)) != 0)


BRUSS_A, BRUSS_B, BRUSS_ALPHA = 3.4, 1.0, 10.0


def brusselator(t: float, y: np.ndarray) -> np.ndarray:
    """J3: the 2-D Brusselator right-hand side, ``y`` flat of shape (N·N·2,), periodic boundary."""
    n = int(round(np.sqrt(y.size // 2)))
    xs = np.linspace(0, 1, n)
    alpha = BRUSS_ALPHA / (xs[1] - xs[0]) ** 2
    state = y.reshape(n, n, 2)
    u, v = state[..., 0], state[..., 1]
    gx, gy = np.meshgrid(xs, xs, indexing="ij")
    forcing = 5.0 * (((gx - 0.3) ** 2 + (gy - 0.6) ** 2 <= 0.1**2) & (t >= 1.1))

    def lap(w: np.ndarray) -> np.ndarray:
        return np.roll(w, 1, 0) + np.roll(w, -1, 0) + np.roll(w, 1, 1) + np.roll(w, -1, 1) - 4 * w

    du = alpha * lap(u) + BRUSS_B + u * u * v - (BRUSS_A + 1) * u + forcing
    dv = alpha * lap(v) + BRUSS_A * u - u * u * v
    return np.stack([du, dv], axis=-1).ravel()


def brusselator_y0(n: int) -> np.ndarray:
    xs = np.linspace(0, 1, n)
    gx, gy = np.meshgrid(xs, xs, indexing="ij")
    return np.stack([22 * (gy * (1 - gy)) ** 1.5, 27 * (gx * (1 - gx)) ** 1.5], axis=-1).ravel()


def brusselator_pattern(n: int) -> sp.csr_array:
    ring = sp.csr_array(sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1]))
    ring = sp.lil_array(ring)
    ring[0, n - 1] = ring[n - 1, 0] = 1
    eye = sp.eye_array(n)
    grid = (sp.kron(ring, eye) + sp.kron(eye, ring)) != 0  # the 5-point periodic stencil
    species = sp.csr_array(np.ones((2, 2)))  # u and v at one point depend on each other
    return sp.csr_array((sp.kron(grid, sp.eye_array(2)) + sp.kron(sp.eye_array(n * n), species)) != 0)


def arrow(x: np.ndarray) -> np.ndarray:
    """J4: ``y_i = x_i² + x_0`` (a dense column) and ``y_0 = Σ x²`` (a dense row)."""
    y = x**2 + x[0]
    y[0] = np.sum(x**2)
    return y


def arrow_pattern(n: int) -> sp.csr_array:
    p = sp.lil_array((n, n), dtype=bool)
    p.setdiag(True)
    p[0, :] = True
    p[:, 0] = True
    return sp.csr_array(p)


def rosenbrock(x: np.ndarray) -> np.ndarray:
    """H1: the chained Rosenbrock function."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


PROBLEMS = {  # name: (f(x), the pattern for x.size = n)
    "broyden": (broyden, broyden_pattern),
    "bratu": (bratu, lambda n: bratu_pattern(int(round(np.sqrt(n))))),
    "arrow": (arrow, arrow_pattern),
}
