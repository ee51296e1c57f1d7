"""Minimize the Rosenbrock function with SciPy: AD gradient and Hessian vs finite differences.
===========================================================================================

BFGS with ``jac=dualarray.gradient(rosen)`` against ``jac=None`` (SciPy's 2-point differences), and
trust-exact with ``hess=dualarray.hessian(rosen)`` against a Hessian from forward differences of the
gradient (``approx_fprime``; trust-exact accepts no ``"2-point"``). Printed per run: the error of the
minimizer, calls of f (``nfev``), gradient and Hessian calls, and wall time. The AD derivatives are
checked against SciPy's ``rosen_der``/``rosen_hess``.

    python examples/optimize_rosenbrock.py [--n 10]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import approx_fprime, minimize, rosen_der, rosen_hess

import dualarray


def rosen(x):
    """The Rosenbrock function, in plain NumPy (scipy.optimize.rosen calls np.asarray on its input)."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def run(label, **kwargs):
    t0 = time.perf_counter()
    res = minimize(rosen, **kwargs)
    res.seconds = time.perf_counter() - t0
    res.label = label
    return res


def main(n: int = 10, verbose: bool = True) -> dict:
    out = print if verbose else (lambda *a, **k: None)
    x0 = np.resize([1.3, 0.7, 0.8, 1.9, 1.2], n)  # SciPy tutorial's start, repeated to n variables

    grad = dualarray.gradient(rosen)
    hess = dualarray.hessian(rosen)
    check = np.random.default_rng(0).uniform(-2, 2, n)
    der_err = np.abs(grad(check) - rosen_der(check)).max() / np.abs(rosen_der(check)).max()
    hess_err = np.abs(hess(check) - rosen_hess(check)).max() / np.abs(rosen_hess(check)).max()
    out(f"Rosenbrock, n = {n}: AD gradient vs rosen_der {der_err:.1e}, "
        f"AD Hessian vs rosen_hess {hess_err:.1e} (relative)")

    def fd_hess(x):
        return approx_fprime(x, grad)  # n extra gradient calls per Hessian

    runs = [
        run("BFGS, AD gradient", x0=x0, jac=grad, method="BFGS"),
        run("BFGS, finite differences", x0=x0, method="BFGS"),
        run("trust-exact, AD gradient + Hessian", x0=x0, jac=grad, hess=hess, method="trust-exact"),
        run("trust-exact, AD gradient, differenced Hessian", x0=x0, jac=grad, hess=fd_hess,
            method="trust-exact"),
    ]
    out(f"{'method':47s} {'|x - 1|':>9s} {'nfev':>6s} {'njev':>6s} {'nhev':>6s} {'time':>9s}")
    for r in runs:
        nhev = getattr(r, "nhev", 0)
        out(f"{r.label:47s} {np.abs(r.x - 1).max():9.1e} {r.nfev:6d} {getattr(r, 'njev', 0):6d} {nhev:6d} "
            f"{r.seconds * 1e3:7.1f} ms")
    return {"der_err": der_err, "hess_err": hess_err, "runs": {r.label: r for r in runs}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--n", type=int, default=10, help="number of variables (default 10)")
    main(parser.parse_args().n)
