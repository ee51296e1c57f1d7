"""ODE parameter sensitivities: ``python -m benchmarks.sensitivities [--quick] [--json PATH]``.

Two problems, in one process: Robertson's stiff kinetics (3 states, 3 rate constants, Radau) and a
1-D reaction–diffusion equation (100 states, 10 parameters, BDF with a sparse Jacobian)

    u_t = D u_xx - k u² + Σ_j c_j φ_j(x),   u = 0 at both ends,   p = (D, k, c_1, …, c_8).

For each: the plain SciPy solve; ``dualarray.scipy.integrate.solve_ivp`` with forward sensitivities
(``jacobian`` of the final state in p); forward and central finite differences of whole SciPy solves
(relative steps √rtol and rtol^(1/3), the usual optimum). Accuracy is the largest error relative to
the largest entry of a reference Jacobian: the sensitivities at ``rtol=1e-12``, themselves checked
against central differences of ``rtol=1e-13`` solves.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp

import dualarray as da
from dualarray.scipy import integrate


def robertson(t: float, y: Any, k1: Any, k2: Any, k3: Any) -> Any:
    return np.stack([-k1 * y[0] + k3 * y[1] * y[2], k1 * y[0] - k2 * y[1] ** 2 - k3 * y[1] * y[2], k2 * y[1] ** 2])


N_GRID = 100
X = np.linspace(0, 1, N_GRID + 2)[1:-1]
DX = X[1] - X[0]
BUMPS = np.exp(-(((X[None, :] - np.linspace(0.1, 0.9, 8)[:, None]) / 0.08) ** 2))  # φ_j(x), (8, N)


def reaction_diffusion(t: float, u: Any, *p: Any) -> Any:
    """Second differences with zero boundary values, quadratic decay, eight sources."""
    padded = np.concatenate([np.zeros(1), u, np.zeros(1)])
    laplacian = (padded[2:] - 2 * u + padded[:-2]) / DX**2
    sources = sum(p[2 + j] * BUMPS[j] for j in range(8))
    return p[0] * laplacian - p[1] * u**2 + sources


TRIDIAGONAL = sp.diags_array([np.ones(N_GRID - 1), np.ones(N_GRID), np.ones(N_GRID - 1)], offsets=[-1, 0, 1])

PROBLEMS = {
    "Robertson (3 states, 3 params, Radau)": dict(
        fun=robertson, t_span=(0.0, 40.0), y0=np.array([1.0, 0.0, 0.0]), p=np.array([0.04, 3e7, 1e4]),
        method="Radau", options={}),
    "reaction-diffusion (100 states, 10 params, BDF)": dict(
        fun=reaction_diffusion, t_span=(0.0, 0.5), y0=np.sin(np.pi * X), p=np.array([0.5, 2.0, *np.linspace(1, 3, 8)]),
        method="BDF", options={"jac_sparsity": TRIDIAGONAL}),
}


def best_time(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def plain_final(problem: dict, p: np.ndarray, rtol: float) -> np.ndarray:
    return solve_ivp(problem["fun"], problem["t_span"], problem["y0"], method=problem["method"], args=tuple(p),
                     rtol=rtol, atol=rtol * 1e-4, **problem["options"]).y[:, -1]


def sensitivities(problem: dict, p: np.ndarray, rtol: float) -> np.ndarray:
    def final(q: Any) -> Any:
        return integrate.solve_ivp(problem["fun"], problem["t_span"], problem["y0"], method=problem["method"],
                                   args=tuple(q[i] for i in range(q.size)), rtol=rtol, atol=rtol * 1e-4,
                                   **problem["options"]).y[:, -1]

    return da.jacobian(final, mode="forward")(p)


def finite_differences(problem: dict, p: np.ndarray, rtol: float, central: bool) -> np.ndarray:
    h = rtol ** (1 / 3) if central else rtol ** 0.5
    base = None if central else plain_final(problem, p, rtol)
    columns = []
    for j in range(p.size):
        step = np.zeros(p.size)
        step[j] = h * p[j]
        if central:
            difference = plain_final(problem, p + step, rtol) - plain_final(problem, p - step, rtol)
            columns.append(difference / (2 * step[j]))
        else:
            columns.append((plain_final(problem, p + step, rtol) - base) / step[j])
    return np.stack(columns, axis=-1)


def measure(problem: dict, p: np.ndarray, rtol: float, reference: np.ndarray, repeats: int) -> dict:
    """Seconds, seconds / the plain solve, and error relative to the reference's largest entry."""
    plain = best_time(lambda: plain_final(problem, p, rtol), repeats)
    scale = np.abs(reference).max()
    entries = {"plain solve": {"seconds": plain, "over_plain": 1.0, "error": None}}
    for label, compute in (("AD sensitivities", lambda: sensitivities(problem, p, rtol)),
                           ("forward FD", lambda: finite_differences(problem, p, rtol, central=False)),
                           ("central FD", lambda: finite_differences(problem, p, rtol, central=True))):
        error = float(np.abs(compute() - reference).max() / scale)
        seconds = best_time(compute, repeats)
        entries[label] = {"seconds": seconds, "over_plain": seconds / plain, "error": error}
    return entries


def run(quick: bool) -> list[dict]:
    rows = []
    repeats = 1 if quick else 3
    for name, problem in PROBLEMS.items():
        p = problem["p"]
        reference = sensitivities(problem, p, 1e-12)
        check = finite_differences(problem, p, 1e-13, central=True)
        scale = np.abs(reference).max()
        row = {"problem": name, "reference_vs_fd13": float(np.abs(reference - check).max() / scale)}
        for rtol in (1e-6, 1e-8):
            row[f"rtol={rtol:g}"] = measure(problem, p, rtol, reference, repeats)
        rows.append(row)
    return rows


def report(rows: list[dict]) -> str:
    lines = []
    for row in rows:
        lines.append(f"{row['problem']}   (reference vs central FD at rtol=1e-13: {row['reference_vs_fd13']:.1e})")
        lines.append(f"  {'rtol':>6} {'':18} {'ms':>10} {'/ plain':>8} {'error':>9}")
        for key, entries in row.items():
            if not key.startswith("rtol="):
                continue
            for label, e in entries.items():
                err = "-" if e["error"] is None else f"{e['error']:.1e}"
                lines.append(f"  {key[5:]:>6} {label:18} {e['seconds'] * 1e3:10.1f} {e['over_plain']:8.2f} {err:>9}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one sample per entry")
    parser.add_argument("--json", help="write the measurements here")
    options = parser.parse_args()
    rows = run(options.quick)
    print(report(rows))
    if options.json:
        with open(options.json, "w") as out:
            json.dump(rows, out, indent=1)


if __name__ == "__main__":
    main()
