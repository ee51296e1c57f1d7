"""Fit a damped oscillation with ``curve_fit`` and ``least_squares``, Jacobians from dualarray.
============================================================================================

    y(t) = A exp(−t/τ) cos(ωt + φ)

The model is plain NumPy. ``curve_fit`` wants ``jac(t, *params)`` of shape (len(t), n_params):
differentiate the model in its parameter vector. ``least_squares`` takes the Jacobian of the
residual directly. Each fit is run with the AD Jacobian and with SciPy's finite differences.

    python examples/curve_fit.py [--m 200]
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.optimize import curve_fit, least_squares

import dualarray

TRUE = np.array([2.0, 1.5, 4.0, 0.3])  # A, τ, ω, φ
START = np.array([1.5, 1.0, 3.8, 0.0])


def model(t, amplitude, tau, omega, phase):
    return amplitude * np.exp(-t / tau) * np.cos(omega * t + phase)


def model_jac(t, *params):
    """∂y/∂(A, τ, ω, φ) at every t: shape (len(t), 4), the form curve_fit expects."""
    return dualarray.jacobian(lambda p: model(t, *p))(np.array(params))


def analytic_jac(t, amplitude, tau, omega, phase):
    e, c, s = np.exp(-t / tau), np.cos(omega * t + phase), np.sin(omega * t + phase)
    columns = [e * c, amplitude * e * c * t / tau**2, -amplitude * e * s * t, -amplitude * e * s]
    return np.stack(columns, axis=-1)


def make_data(m, seed=0, noise=0.05):
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 5.0, m)
    return t, model(t, *TRUE) + noise * rng.standard_normal(m)


def main(m: int = 200, verbose: bool = True, output: str | None = None) -> dict:
    out = print if verbose else (lambda *a, **k: None)
    t, y = make_data(m)
    jac_err = np.abs(model_jac(t, *START) - analytic_jac(t, *START)).max()
    out(f"damped oscillation, {m} points: AD Jacobian vs hand-derived partials {jac_err:.1e}")

    calls = [0]  # every evaluation of the model, including those made to build Jacobians

    def counted(t, *p):
        calls[0] += 1
        return model(t, *p)

    def counted_jac(t, *p):
        return dualarray.jacobian(lambda q: counted(t, *q))(np.array(p))

    r = {"jac_err": jac_err}
    out("  (model calls include those made for Jacobians: one per AD Jacobian, 4 or more per difference one)")
    for label, kwargs in (("AD Jacobian", {"jac": counted_jac}), ("finite differences", {})):
        calls[0] = 0
        p, cov = curve_fit(counted, t, y, p0=START, **kwargs)
        r[f"curve_fit {label}"] = (p, np.sqrt(np.diag(cov)), calls[0])
        out(f"  curve_fit,     {label:18s}: A, τ, ω, φ = {np.array2string(p, precision=5)}  "
            f"({calls[0]} model calls)")

    def residual(p):
        return counted(t, *p) - y

    for label, jac in (("AD Jacobian", dualarray.jacobian(residual)), ("finite differences", "2-point")):
        calls[0] = 0
        sol = least_squares(residual, START, jac=jac)
        r[f"least_squares {label}"] = (sol, calls[0])
        out(f"  least_squares, {label:18s}: A, τ, ω, φ = {np.array2string(sol.x, precision=5)}  "
            f"({calls[0]} model calls)")
    p, sigma, _ = r["curve_fit AD Jacobian"]
    out(f"  true parameters {TRUE}; AD fit within {np.abs((p - TRUE) / sigma).max():.1f} standard errors")
    if output:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8, 3.6), layout="constrained")
        ax = fig.subplots()
        fine = np.linspace(t.min(), t.max(), 400)
        ax.plot(t, y, ".", color="0.5", label="data")
        ax.plot(fine, model(fine, *TRUE), color="0.7", lw=4, label="true model")
        ax.plot(fine, model(fine, *p), "--", label="curve_fit with the AD Jacobian")
        ax.set_xlabel("t")
        ax.set_title("damped oscillation A exp(−t/τ) cos(ωt + φ)")
        ax.legend()
        fig.savefig(output, dpi=110)
        r["figure"] = fig
        out(f"  wrote {output}")
    return r


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--m", type=int, default=200, help="data points (default 200)")
    parser.add_argument("-o", "--output", help="write a PNG of the data and the fit (needs matplotlib)")
    args = parser.parse_args()
    main(args.m, output=args.output)
