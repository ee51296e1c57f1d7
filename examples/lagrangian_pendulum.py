"""A double pendulum whose equations of motion come from its Lagrangian by AD alone.
=================================================================================

    L(q, q̇) = T - V,   T = ½ (m₁+m₂) l₁² θ̇₁² + ½ m₂ l₂² θ̇₂² + m₂ l₁ l₂ θ̇₁ θ̇₂ cos(θ₁-θ₂),
                       V = -(m₁+m₂) g l₁ cos θ₁ - m₂ g l₂ cos θ₂

Euler-Lagrange: d/dt ∂L/∂q̇ = ∂L/∂q, so M(q, q̇) q̈ = ∂L/∂q - (∂²L/∂q̇∂q) q̇ with M = ∂²L/∂q̇².
``hessian``, ``gradient`` and ``jacobian`` of one plain NumPy function L give every term; the
accelerations are compared with the textbook formulas along the whole trajectory, and the energy
``E = q̇·∂L/∂q̇ - L`` drift of a ``solve_ivp`` run is reported.

    python examples/lagrangian_pendulum.py [--t-end 10]
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.integrate import solve_ivp

import dualarray as da

M1, M2, L1, L2, G = 1.0, 2.0, 1.0, 0.7, 9.81


def lagrangian(state: np.ndarray) -> np.ndarray:
    """L of ``state = (θ₁, θ₂, θ̇₁, θ̇₂)``."""
    t1, t2, w1, w2 = state[0], state[1], state[2], state[3]
    kinetic = 0.5 * (M1 + M2) * L1**2 * w1**2 + 0.5 * M2 * L2**2 * w2**2 + M2 * L1 * L2 * w1 * w2 * np.cos(t1 - t2)
    potential = -(M1 + M2) * G * L1 * np.cos(t1) - M2 * G * L2 * np.cos(t2)
    return kinetic - potential


hessian_of_l = da.hessian(lagrangian)
gradient_of_l = da.gradient(lagrangian)


def accelerations(state: np.ndarray) -> np.ndarray:
    """q̈ from the Euler-Lagrange equations, every derivative by AD."""
    h = hessian_of_l(state)
    mass = h[2:, 2:]  # ∂²L/∂q̇²
    mixed = h[2:, :2]  # ∂²L/∂q̇∂q
    force = gradient_of_l(state)[:2]  # ∂L/∂q
    return np.linalg.solve(mass, force - mixed @ state[2:])


def textbook(state: np.ndarray) -> np.ndarray:
    """The double pendulum's accelerations in closed form."""
    t1, t2, w1, w2 = state
    d = t1 - t2
    den = 2 * M1 + M2 - M2 * np.cos(2 * d)
    a1 = (-G * (2 * M1 + M2) * np.sin(t1) - M2 * G * np.sin(t1 - 2 * t2)
          - 2 * np.sin(d) * M2 * (w2**2 * L2 + w1**2 * L1 * np.cos(d))) / (L1 * den)
    a2 = (2 * np.sin(d) * (w1**2 * L1 * (M1 + M2) + G * (M1 + M2) * np.cos(t1) + w2**2 * L2 * M2 * np.cos(d))) / (
        L2 * den)
    return np.array([a1, a2])


def energy(state: np.ndarray) -> float:
    """E = q̇·∂L/∂q̇ - L (the Hamiltonian, conserved)."""
    return float(state[2:] @ gradient_of_l(state)[2:] - lagrangian(state))


def main(t_end: float = 10.0, verbose: bool = True, output: str | None = None) -> dict:
    y0 = np.array([2.0, 1.0, 0.0, 0.5])
    sol = solve_ivp(lambda t, y: np.concatenate([y[2:], accelerations(y)]), (0.0, t_end), y0, rtol=1e-10,
                    atol=1e-10, dense_output=True)
    samples = sol.sol(np.linspace(0.0, t_end, 200)).T
    accel_err = max(float(np.max(np.abs(accelerations(s) - textbook(s)))) for s in samples)
    energies = np.array([energy(s) for s in samples])
    drift = float(np.max(np.abs(energies - energies[0])) / abs(energies[0]))
    if verbose:
        print(f"double pendulum, t = 0 .. {t_end}: {sol.nfev} right-hand side evaluations")
        print(f"  AD accelerations vs the textbook formulas: max difference {accel_err:.1e} over 200 samples")
        print(f"  energy E = {energies[0]:.6f}, relative drift {drift:.1e}")
    r = {"sol": sol, "accel_err": accel_err, "drift": drift, "energy": energies[0]}
    if output:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 3.4), layout="constrained")
        ax_q, ax_e = fig.subplots(1, 2)
        t = np.linspace(0.0, t_end, 200)
        ax_q.plot(t, samples[:, 0], label="θ₁")
        ax_q.plot(t, samples[:, 1], label="θ₂")
        ax_q.set_xlabel("t")
        ax_q.set_title("angles, equations of motion from L by AD")
        ax_q.legend()
        ax_e.plot(t, (energies - energies[0]) / abs(energies[0]))
        ax_e.set_xlabel("t")
        ax_e.set_title("relative energy error")
        fig.savefig(output, dpi=110)
        r["figure"] = fig
        print(f"  wrote {output}")
    return r


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--t-end", type=float, default=10.0)
    parser.add_argument("-o", "--output", help="write a PNG of the angles and the energy error (needs matplotlib)")
    args = parser.parse_args()
    main(args.t_end, output=args.output)
