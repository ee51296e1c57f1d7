"""Parameter sensitivities of a kinetic model, then a fit with ``least_squares`` that uses them.
=============================================================================================

    A ⇌ B → C:   a' = -k₁ a + k₃ b,   b' = k₁ a - (k₂ + k₃) b,   c' = k₂ b

``dualarray.scipy.integrate.solve_ivp`` integrates the forward sensitivities ∂y/∂k with the state (the
sensitivity equations come from the same NumPy right-hand side, through dualarray's rules), so
``dualarray.jacobian(residuals)`` is the exact Jacobian of the fit's residuals. Printed: that Jacobian
against central finite differences of whole SciPy solves (accuracy and cost), and two fits from the
same start, one with it and one with SciPy's default finite differences.

    python examples/ode_sensitivity.py [-o fit.png]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.integrate as si
from scipy.optimize import least_squares

import dualarray as da
from dualarray.scipy import integrate

TIMES = np.linspace(0.25, 6.0, 24)
TRUE = np.array([1.3, 0.6, 0.4])
Y0 = np.array([1.0, 0.0, 0.0])
TOL = dict(rtol=1e-10, atol=1e-12)


def kinetics(t, y, k1, k2, k3):
    a, b = y[0], y[1]
    return np.stack([-k1 * a + k3 * b, k1 * a - (k2 + k3) * b, k2 * b])


def observations(k, solve=integrate.solve_ivp):
    """B and C at the sample times (what is measured)."""
    sol = solve(kinetics, (0.0, TIMES[-1]), Y0, t_eval=TIMES, args=(k[0], k[1], k[2]), **TOL)
    return sol.y[1:].ravel()


def main(verbose: bool = True, output: str | None = None) -> dict:
    rng = np.random.default_rng(3)
    data = observations(TRUE, si.solve_ivp) + 1e-3 * rng.standard_normal(2 * TIMES.size)

    def residuals(k):
        return observations(k) - data

    start = time.perf_counter()
    jac = da.jacobian(residuals)(TRUE)
    t_ad = time.perf_counter() - start
    start = time.perf_counter()
    fd = np.stack([(observations(TRUE + h, si.solve_ivp) - observations(TRUE - h, si.solve_ivp)) / (2 * 1e-6)
                   for h in 1e-6 * np.eye(3)], axis=-1)
    t_fd = time.perf_counter() - start
    jac_err = float(np.max(np.abs(jac - fd)) / np.max(np.abs(fd)))

    k0 = np.array([0.5, 0.5, 0.5])
    start = time.perf_counter()
    fit_ad = least_squares(residuals, k0, jac=da.jacobian(residuals), xtol=1e-12, ftol=1e-12)
    t_fit_ad = time.perf_counter() - start
    start = time.perf_counter()
    fit_fd = least_squares(lambda k: observations(k, si.solve_ivp) - data, k0, xtol=1e-12, ftol=1e-12)
    t_fit_fd = time.perf_counter() - start
    if verbose:
        print(f"Jacobian of {jac.shape[0]} residuals in 3 rate constants at the true parameters:")
        print(f"  AD sensitivities {t_ad * 1e3:.0f} ms, central differences of whole solves {t_fd * 1e3:.0f} ms, "
              f"relative difference {jac_err:.1e}")
        print(f"fit with AD Jacobian:  k = {np.round(fit_ad.x, 4)}, {fit_ad.nfev} residual and {fit_ad.njev} Jacobian "
              f"evaluations, {t_fit_ad:.2f} s")
        print(f"fit with SciPy's FD:   k = {np.round(fit_fd.x, 4)}, {fit_fd.nfev} residual evaluations "
              f"(plus 3 per Jacobian), {t_fit_fd:.2f} s")
        print(f"true k = {TRUE}")
    r = {"jac": jac, "fd": fd, "jac_err": jac_err, "fit_ad": fit_ad, "fit_fd": fit_fd, "t_ad": t_ad, "t_fd": t_fd}
    if output:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 3.4), layout="constrained")
        ax_fit, ax_sens = fig.subplots(1, 2)
        fitted = observations(fit_ad.x, si.solve_ivp).reshape(2, -1)
        for i, name in enumerate("BC"):
            ax_fit.plot(TIMES, data.reshape(2, -1)[i], "o", ms=3, label=f"{name} data")
            ax_fit.plot(TIMES, fitted[i], label=f"{name}, least_squares fit")
            for j in range(3):
                ax_sens.plot(TIMES, jac.reshape(2, -1, 3)[i, :, j], ("-", "--")[i], label=f"∂{name}/∂k{j + 1}")
        ax_fit.set_xlabel("t")
        ax_fit.legend(fontsize=8)
        ax_sens.set_xlabel("t")
        ax_sens.set_title("sensitivities through solve_ivp")
        ax_sens.legend(fontsize=7, ncol=2)
        fig.savefig(output, dpi=110)
        r["figure"] = fig
        print(f"  wrote {output}")
    return r


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("-o", "--output", help="write a PNG of the fit and the sensitivities (needs matplotlib)")
    main(output=parser.parse_args().output)
