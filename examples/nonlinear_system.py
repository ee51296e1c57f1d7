"""The Bratu problem with ``scipy.optimize.root`` and the AD Jacobian.
===================================================================

    u'' + λ eᵘ = 0 on (0, 1),  u(0) = u(1) = 0

Central differences on n interior points give the system ``F(u) = 0``,
``F_i = (u_{i-1} − 2u_i + u_{i+1}) / h² + λ exp(u_i)``, whose Jacobian is tridiagonal:
``D₂/h² + λ diag(eᵘ)``. The residual is written once in NumPy; ``dualarray.jacobian`` gives the
Jacobian, checked against that matrix, and the solution is compared with the closed form
``u(x) = −2 log(cosh((x − ½) θ/2) / cosh(θ/4))`` where ``θ = √(2λ) cosh(θ/4)`` (lower branch).

    python examples/nonlinear_system.py [--n 99] [--lam 1.0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import brentq, root

import dualarray


def residual(u, lam, h):
    """F(u) for the interior unknowns u (boundary values 0), plain NumPy."""
    zero = np.zeros(1)
    padded = np.concatenate([zero, u, zero])
    return (padded[:-2] - 2 * padded[1:-1] + padded[2:]) / h**2 + lam * np.exp(u)


def analytic_jacobian(u, lam, h):
    n = u.size
    d2 = (np.diag(np.full(n - 1, 1.0), -1) - 2 * np.eye(n) + np.diag(np.full(n - 1, 1.0), 1)) / h**2
    return d2 + lam * np.diag(np.exp(u))


def exact_solution(x, lam):
    """The lower-branch solution of the continuous problem (λ below the fold at ≈ 3.51)."""
    theta = brentq(lambda t: t - np.sqrt(2 * lam) * np.cosh(t / 4), 1e-12, 4.0)
    return -2 * np.log(np.cosh((x - 0.5) * theta / 2) / np.cosh(theta / 4))


def main(n: int = 99, lam: float = 1.0, verbose: bool = True, output: str | None = None) -> dict:
    out = print if verbose else (lambda *a, **k: None)
    h = 1.0 / (n + 1)
    x = np.linspace(h, 1 - h, n)
    jac = dualarray.jacobian(residual)

    u_test = 0.1 * np.sin(np.pi * x)
    jac_err = np.abs(jac(u_test, lam, h) - analytic_jacobian(u_test, lam, h)).max()
    out(f"Bratu, n = {n}, λ = {lam}: AD Jacobian vs the tridiagonal formula: max difference {jac_err:.1e}")

    runs = {}
    for label, kwargs in (("AD Jacobian", {"jac": jac}), ("finite differences", {})):
        t0 = time.perf_counter()
        sol = root(residual, np.zeros(n), args=(lam, h), method="hybr", **kwargs)
        seconds = time.perf_counter() - t0
        err = np.abs(sol.x - exact_solution(x, lam)).max()
        runs[label] = {"sol": sol, "seconds": seconds, "err": err}
        out(f"  root(hybr), {label:18s}: success={sol.success}, {sol.nfev:5d} residual calls, "
            f"{getattr(sol, 'njev', 0):3d} Jacobians, {seconds * 1e3:7.1f} ms, "
            f"max |u - u_exact| = {err:.1e} (O(h²) = {h**2:.1e})")
    u = runs["AD Jacobian"]["sol"].x
    out(f"  u(1/2) = {np.interp(0.5, x, u):.6f}, exact {exact_solution(np.array(0.5), lam):.6f}")
    r = {"jac_err": jac_err, "runs": runs, "x": x, "h": h}
    if output:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8, 3.4), layout="constrained")
        ax = fig.subplots()
        fine = np.linspace(0.0, 1.0, 400)
        ax.plot(fine, exact_solution(fine, lam), color="0.7", lw=4, label="exact solution")
        ax.plot(x, u, ".", ms=4, label="root(hybr) with the AD Jacobian")
        ax.set_xlabel("x")
        ax.set_title(f"Bratu problem u'' + λ eᵘ = 0, λ = {lam}, n = {n}")
        ax.legend()
        fig.savefig(output, dpi=110)
        r["figure"] = fig
        out(f"  wrote {output}")
    return r


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--n", type=int, default=99, help="interior grid points (default 99: h = 0.01)")
    parser.add_argument("--lam", type=float, default=1.0, help="λ (default 1.0, lower branch)")
    parser.add_argument("-o", "--output", help="write a PNG of the solution against the exact one (needs matplotlib)")
    args = parser.parse_args()
    main(args.n, args.lam, output=args.output)
