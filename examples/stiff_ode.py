"""Robertson's stiff chemical kinetics with ``solve_ivp(method="BDF", jac=...)`` from dualarray.
=============================================================================================

    y₁' = −0.04 y₁ + 10⁴ y₂ y₃
    y₂' =  0.04 y₁ − 10⁴ y₂ y₃ − 3·10⁷ y₂²
    y₃' =  3·10⁷ y₂²,            y(0) = (1, 0, 0)

The right-hand side is plain NumPy; ``dualarray.jacobian(robertson, argnums=1)`` is a ``jac(t, y)``
in exactly the form solve_ivp calls it. Printed: the AD Jacobian against the hand-derived one, and
BDF runs with the AD Jacobian and with SciPy's finite-difference Jacobian (evaluations, time,
mass conservation y₁ + y₂ + y₃ = 1).

    python examples/stiff_ode.py [--t-end 1e5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.integrate import solve_ivp

import dualarray


def robertson(t, y):
    y1, y2, y3 = y
    return np.stack([
        -0.04 * y1 + 1e4 * y2 * y3,
        0.04 * y1 - 1e4 * y2 * y3 - 3e7 * y2**2,
        3e7 * y2**2,
    ])


def robertson_jac(t, y):
    y1, y2, y3 = y
    return np.array([
        [-0.04, 1e4 * y3, 1e4 * y2],
        [0.04, -1e4 * y3 - 6e7 * y2, -1e4 * y2],
        [0.0, 6e7 * y2, 0.0],
    ])


def main(t_end: float = 1e5, verbose: bool = True, output: str | None = None) -> dict:
    out = print if verbose else (lambda *a, **k: None)
    jac = dualarray.jacobian(robertson, argnums=1)
    y_test = np.array([0.7, 2e-5, 0.3])
    jac_err = np.abs(jac(0.0, y_test) - robertson_jac(0.0, y_test)).max()
    out(f"Robertson: AD Jacobian vs hand-derived {jac_err:.1e}")

    y0 = np.array([1.0, 0.0, 0.0])
    ref = solve_ivp(robertson, (0, t_end), y0, method="Radau", jac=robertson_jac, rtol=1e-12, atol=1e-16)
    calls = [0]

    def rhs(t, y):
        calls[0] += 1
        return robertson(t, y)

    runs = {}
    out("  (rhs calls include those made for Jacobians: one per AD Jacobian, several per difference one;"
        " time: best of 2 runs)")
    for label, j in (("AD Jacobian", dualarray.jacobian(rhs, argnums=1)), ("finite differences", None)):
        seconds = np.inf
        for _ in range(2):
            calls[0] = 0
            t0 = time.perf_counter()
            sol = solve_ivp(rhs, (0, t_end), y0, method="BDF", jac=j, rtol=1e-8, atol=1e-12)
            seconds = min(seconds, time.perf_counter() - t0)
        y_end = sol.y[:, -1]
        err = np.abs(y_end - ref.y[:, -1]).max()
        runs[label] = {"sol": sol, "seconds": seconds, "err": err, "calls": calls[0]}
        out(f"  BDF, {label:18s}: {calls[0]:5d} rhs calls, {sol.njev:3d} Jacobians, {seconds * 1e3:7.1f} ms; "
            f"y({t_end:g}) = {np.array2string(y_end, precision=6)}, |y - y_ref| = {err:.1e}, "
            f"|sum(y) - 1| = {abs(y_end.sum() - 1):.1e}")
    r = {"jac_err": jac_err, "runs": runs, "ref": ref}
    if output:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8, 3.8), layout="constrained")
        ax = fig.subplots()
        sol = runs["AD Jacobian"]["sol"]
        for i, (label, scale) in enumerate((("y₁", 1.0), ("y₂ × 10⁴", 1e4), ("y₃", 1.0))):
            ax.semilogx(sol.t[1:], scale * sol.y[i, 1:], ".-", ms=3, label=label)
        ax.set_xlabel("t")
        ax.set_title(f"Robertson kinetics, BDF with the AD Jacobian ({sol.t.size} steps)")
        ax.legend()
        fig.savefig(output, dpi=110)
        r["figure"] = fig
        out(f"  wrote {output}")
    return r


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--t-end", type=float, default=1e5, help="final time (default 1e5)")
    parser.add_argument("-o", "--output", help="write a PNG of the concentrations over time (needs matplotlib)")
    args = parser.parse_args()
    main(args.t_end, output=args.output)
