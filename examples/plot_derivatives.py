"""f and f' of x² and exp(2x) on a grid, and the relative error against the analytic derivative.
=============================================================================================

The lecture plots ``square(Dual(x, 1))`` on ``linspace(0, 10, 100)`` and the relative error
``abs(1 - yprime.eps / (2 x))``: zero everywhere but a NaN at x = 0 (0/0); then y = exp(2x) and dy/dx
on ``linspace(0, 1.23, 100)`` (the TensorFlow example). Here the same numbers come from
``dualarray.derivative`` (one vectorized pass over the grid). The printed maximum error skips x = 0;
the plotted error curve is the lecture's, NaN (a gap) at x = 0 included.

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
    "exp(2x)": (exp2x, lambda x: 2 * np.exp(2 * x), (0.0, 1.23)),
}


def relative_error(approx, exact):
    """``|1 − approx/exact|`` where exact ≠ 0 (the lecture's measure without its 0/0 NaN)."""
    nz = exact != 0
    return np.abs(1 - approx[nz] / exact[nz])


def lecture_error(approx, exact):
    """The lecture's ``abs(1 - yprime.eps / (2 x))`` on the whole grid: NaN where exact is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(1 - approx / exact)


def main(n: int = 100, output: str | None = None, verbose: bool = True) -> dict:
    out = print if verbose else (lambda *a, **k: None)
    results: dict = {}
    for name, (f, df, (a, b)) in CASES.items():
        x = np.linspace(a, b, n)
        d = dualarray.derivative(f)(x)
        exact = df(x)
        err = relative_error(d, exact)
        results[name] = {"x": x, "f": f(x), "df": d, "max_rel_err": float(err.max()),
                         "rel_err_curve": lecture_error(d, exact)}
        out(f"{name:8s} on linspace({a:g}, {b:g}, {n}): max |1 - f'_AD / f'_exact| = {err.max():.1e}")
    curve = results["x²"]["rel_err_curve"]
    out(f"lecture's abs(1 - f'/(2x)) for x²: {curve[:4]} ... ({int(np.isnan(curve).sum())} NaN, at x = 0)")

    if output:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(13, 4))
        ax_sq, ax_err, ax_exp = fig.subplots(1, 3)
        x = results["x²"]["x"]
        dualarray.plot(square, x, order=1, ax=ax_sq, label="y")
        ax_sq.set_title(f"y = x² and y' on linspace(0, 10, {n})")
        ax_err.plot(x, curve, "o-", markersize=3, label="|1 − (dy/dx)_AD / 2x|")
        ax_err.set_title("relative error (NaN at x = 0: 0/0)")
        ax_err.set_xlabel("x")
        ax_err.legend()
        x = results["exp(2x)"]["x"]
        dualarray.plot(exp2x, x, order=1, ax=ax_exp, label="y")
        ax_exp.set_title(f"y = exp(2x) and y' on linspace(0, 1.23, {n})")
        fig.tight_layout()
        fig.savefig(output, dpi=110)
        results["figure"] = fig
        out(f"wrote {output}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("-o", "--output", help="write a PNG of f, f' and the relative error (needs matplotlib)")
    parser.add_argument("--n", type=int, default=100, help="grid points (default 100)")
    args = parser.parse_args()
    main(args.n, args.output)
