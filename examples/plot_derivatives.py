"""f and f' of x² and exp(2x) on a grid, and the relative error against the analytic derivative.

The lecture plots ``square(Dual(x, 1))`` on ``linspace(0, 10, 100)`` and prints
``abs(1 - yprime.eps / (2 x))``: zero everywhere but a NaN at x = 0 (0/0). Here the same numbers come
from ``dualarray.derivative`` (one vectorized pass over the grid), and the error is measured where the
analytic derivative is nonzero.

    python examples/plot_derivatives.py [-o derivatives.png] [--n 100]
"""

from __future__ import annotations

import argparse

import numpy as np

import dualarray


def square(x):
    return x * x


def exp2x(x):
    return np.exp(2 * x)


CASES = {
    "x²": (square, lambda x: 2 * x, (0.0, 10.0)),
    "exp(2x)": (exp2x, lambda x: 2 * np.exp(2 * x), (0.0, 1.0)),
}


def relative_error(approx, exact):
    """``|1 − approx/exact|`` where exact ≠ 0 (the lecture's measure without its 0/0 NaN)."""
    nz = exact != 0
    return np.abs(1 - approx[nz] / exact[nz])


def main(n: int = 100, output: str | None = None, verbose: bool = True) -> dict:
    out = print if verbose else (lambda *a, **k: None)
    results = {}
    for name, (f, df, (a, b)) in CASES.items():
        x = np.linspace(a, b, n)
        d = dualarray.derivative(f)(x)
        err = relative_error(d, df(x))
        results[name] = {"x": x, "f": f(x), "df": d, "max_rel_err": float(err.max())}
        out(f"{name:8s} on linspace({a:g}, {b:g}, {n}): max |1 - f'_AD / f'_exact| = {err.max():.1e}")

    if output:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 4))
        axes = fig.subplots(1, 2)
        for ax, (name, (f, _, _)) in zip(axes, CASES.items(), strict=True):
            x = results[name]["x"]
            dualarray.plot(f, x, order=1, ax=ax, label=name)
            ax.set_title(f"{name} and its derivative")
        fig.tight_layout()
        fig.savefig(output, dpi=110)
        out(f"wrote {output}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", help="write a PNG of f and f' (needs matplotlib)")
    parser.add_argument("--n", type=int, default=100, help="grid points (default 100)")
    args = parser.parse_args()
    main(args.n, args.output)
