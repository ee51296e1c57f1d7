"""Sensitivities of the Black–Scholes call price: the Greeks by AD against their closed forms.
===========================================================================================

    C = S N(d₁) − K e^{−rT} N(d₂),   d₁ = (log(S/K) + (r + σ²/2) T) / (σ√T),   d₂ = d₁ − σ√T

``N`` is ``scipy.special.ndtr``, a NumPy ufunc with a dualarray rule. ``dualarray.gradient`` of the
price in (S, K, T, r, σ) gives delta, dual delta, −theta, rho and vega in one pass;
``dualarray.hessian`` gives gamma, vanna and volga; ``dualarray.derivative`` gives delta and gamma
over a whole grid of spot prices in one vectorized pass.

    python examples/sensitivity.py [--n 200]
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.special import ndtr

import dualarray

PARAMS = np.array([100.0, 95.0, 0.75, 0.03, 0.25])  # S, K, T, r, σ
NAMES = ("S", "K", "T", "r", "sigma")


def call_price(S, K, T, r, sigma):
    sqrt_t = np.sqrt(T)
    d1 = (np.log(S / K) + (r + 0.5 * sigma**2) * T) / (sigma * sqrt_t)
    d2 = d1 - sigma * sqrt_t
    return S * ndtr(d1) - K * np.exp(-r * T) * ndtr(d2)


def price_of(p):
    """The price as a function of the parameter vector p = (S, K, T, r, σ)."""
    return call_price(p[0], p[1], p[2], p[3], p[4])


def closed_forms(S, K, T, r, sigma):
    """The textbook Greeks (N' = φ, the normal density)."""
    sqrt_t = np.sqrt(T)
    d1 = (np.log(S / K) + (r + 0.5 * sigma**2) * T) / (sigma * sqrt_t)
    d2 = d1 - sigma * sqrt_t
    phi = np.exp(-0.5 * d1**2) / np.sqrt(2 * np.pi)
    disc = np.exp(-r * T)
    return {
        "delta": ndtr(d1),                                       # ∂C/∂S
        "dual_delta": -disc * ndtr(d2),                          # ∂C/∂K
        "minus_theta": S * phi * sigma / (2 * sqrt_t) + r * K * disc * ndtr(d2),  # ∂C/∂T
        "rho": K * T * disc * ndtr(d2),                          # ∂C/∂r
        "vega": S * phi * sqrt_t,                                # ∂C/∂σ
        "gamma": phi / (S * sigma * sqrt_t),                     # ∂²C/∂S²
        "vanna": -phi * d2 / sigma,                              # ∂²C/∂S∂σ
        "volga": S * phi * sqrt_t * d1 * d2 / sigma,             # ∂²C/∂σ²
    }


def main(n: int = 200, verbose: bool = True, output: str | None = None) -> dict:
    out = print if verbose else (lambda *a, **k: None)
    exact = closed_forms(*PARAMS)
    grad = dualarray.gradient(price_of)(PARAMS)
    hess = dualarray.hessian(price_of)(PARAMS)
    ad = {
        "delta": grad[0], "dual_delta": grad[1], "minus_theta": grad[2], "rho": grad[3], "vega": grad[4],
        "gamma": hess[0, 0], "vanna": hess[0, 4], "volga": hess[4, 4],
    }
    out("Black–Scholes call, " + ", ".join(f"{k} = {v:g}" for k, v in zip(NAMES, PARAMS, strict=True))
        + f": price {price_of(PARAMS):.10f}")
    out(f"  {'Greek':12s} {'AD':>20s} {'closed form':>20s} {'rel. diff':>10s}")
    rel = {}
    for name, value in ad.items():
        rel[name] = abs(value - exact[name]) / max(1.0, abs(exact[name]))
        out(f"  {name:12s} {value:20.14f} {exact[name]:20.14f} {rel[name]:10.1e}")

    # Delta and gamma over a grid of spot prices: one vectorized pass each (gamma by nesting).
    spots = np.linspace(50.0, 150.0, n)

    def price_in_spot(s):
        return call_price(s, *PARAMS[1:])

    delta = dualarray.derivative(price_in_spot)(spots)
    gamma = dualarray.derivative(dualarray.derivative(price_in_spot))(spots)
    grid = closed_forms(spots, *PARAMS[1:])
    grid_err = max(np.abs(delta - grid["delta"]).max(), np.abs(gamma - grid["gamma"]).max())
    out(f"  delta and gamma on {n} spot prices in [50, 150]: max difference from closed forms {grid_err:.1e}")
    r = {"ad": ad, "exact": exact, "rel": rel, "grid_err": grid_err, "hess": hess}
    if output:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 3.6), layout="constrained")
        ax_delta, ax_gamma = fig.subplots(1, 2, sharex=True)
        for ax, name, ad_curve in ((ax_delta, "delta", delta), (ax_gamma, "gamma", gamma)):
            ax.plot(spots, grid[name], color="0.7", lw=4, label="closed form")
            ax.plot(spots, ad_curve, "--", label="AD (derivative, nested for gamma)")
            ax.set_title(f"{name} of the call over the spot price")
            ax.set_xlabel("spot S")
        ax_delta.legend()
        fig.savefig(output, dpi=110)
        r["figure"] = fig
        out(f"  wrote {output}")
    return r


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="spot grid points (default 200)")
    parser.add_argument("-o", "--output", help="write a PNG of delta and gamma over the spot grid (needs matplotlib)")
    args = parser.parse_args()
    main(args.n, output=args.output)
