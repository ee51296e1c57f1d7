"""Forces as minus the gradient of a Lennard-Jones potential, and velocity-Verlet dynamics.
========================================================================================

    V = Σ_{i<j} 4ε ((σ/r_ij)¹² − (σ/r_ij)⁶),   F = −∇V

The potential is written once in NumPy for all pairs; ``-dualarray.gradient(energy)(positions)``
gives the (N, 3) forces, checked against the hand-derived pair forces and Newton's third law
(they sum to zero). A few thousand velocity-Verlet steps then show total-energy conservation.

    python examples/physics_forces.py [--steps 2000]
"""

from __future__ import annotations

import argparse

import numpy as np

import dualarray


def energy(pos, eps=1.0, sigma=1.0):
    """Total Lennard-Jones energy of positions ``pos`` (N, 3)."""
    i, j = np.triu_indices(len(pos), k=1)
    d = pos[i] - pos[j]
    s6 = (sigma**2 / np.sum(d * d, axis=-1)) ** 3
    return np.sum(4 * eps * (s6 * s6 - s6))


def analytic_forces(pos, eps=1.0, sigma=1.0):
    """F_i = Σ_j 24ε (2(σ/r)¹² − (σ/r)⁶) / r² · (x_i − x_j)."""
    d = pos[:, None, :] - pos[None, :, :]
    r2 = np.sum(d * d, axis=-1)
    np.fill_diagonal(r2, np.inf)
    s6 = (sigma**2 / r2) ** 3
    return np.sum((24 * eps * (2 * s6 * s6 - s6) / r2)[..., None] * d, axis=1)


forces = dualarray.gradient(energy)  # ∇V; the force is its negative


def cluster(seed=0):
    """Eight atoms near a cube of edge 2^(1/6) (the pair-potential minimum), slightly jiggled."""
    rng = np.random.default_rng(seed)
    corners = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], dtype=float)
    pos = 2 ** (1 / 6) * corners + 0.02 * rng.standard_normal(corners.shape)
    vel = 0.1 * rng.standard_normal(corners.shape)
    return pos, vel - vel.mean(axis=0)  # zero total momentum


def verlet_step(pos, vel, acc, dt, mass=1.0):
    """One velocity-Verlet step; returns the new positions, velocities and accelerations."""
    pos = pos + dt * vel + 0.5 * dt**2 * acc
    new_acc = -forces(pos) / mass
    vel = vel + 0.5 * dt * (acc + new_acc)
    return pos, vel, new_acc


def total_energy(pos, vel, mass=1.0):
    return energy(pos) + 0.5 * mass * np.sum(vel * vel)


def main(steps: int = 2000, dt: float = 0.002, verbose: bool = True, output: str | None = None) -> dict:
    out = print if verbose else (lambda *a, **k: None)
    pos, vel = cluster()
    force = -forces(pos)
    err = np.abs(force - analytic_forces(pos)).max() / np.abs(analytic_forces(pos)).max()
    out(f"LJ cluster of {len(pos)} atoms: V = {energy(pos):.6f}")
    out(f"  forces = -gradient(V): relative difference from the pair formula {err:.1e}, "
        f"total force {np.abs(force.sum(axis=0)).max():.1e}")

    e0 = total_energy(pos, vel)
    acc = force
    energies = [e0]
    pos1, vel1, _ = verlet_step(pos, vel, acc, dt)
    out(f"  one velocity-Verlet step (dt = {dt}): energy {e0:.10f} -> {total_energy(pos1, vel1):.10f}")
    for _ in range(steps):
        pos, vel, acc = verlet_step(pos, vel, acc, dt)
        energies.append(total_energy(pos, vel))
    energies = np.array(energies)
    drift = np.abs(energies - e0).max() / abs(e0)
    out(f"  {steps} steps (t = {steps * dt:g}): max |E - E0| / |E0| = {drift:.1e}, "
        f"momentum {np.abs(vel.sum(axis=0)).max():.1e}")
    r = {"force_err": err, "net_force": force.sum(axis=0), "energies": energies, "drift": drift,
         "momentum": vel.sum(axis=0)}
    if output:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8, 3.4), layout="constrained")
        ax = fig.subplots()
        ax.plot(np.arange(steps + 1) * dt, (energies - e0) / abs(e0))
        ax.set_xlabel("t")
        ax.set_ylabel("(E − E₀) / |E₀|")
        ax.set_title("velocity Verlet with forces = −gradient(V) by AD: energy error")
        fig.savefig(output, dpi=110)
        r["figure"] = fig
        out(f"  wrote {output}")
    return r


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--steps", type=int, default=2000, help="time steps (default 2000)")
    parser.add_argument("--dt", type=float, default=0.002, help="time step (default 0.002)")
    parser.add_argument("-o", "--output", help="write a PNG of the energy error over time (needs matplotlib)")
    args = parser.parse_args()
    main(args.steps, args.dt, output=args.output)
