"""advect 0.3.1 as a peer, in its own environment (it needs Python >= 3.12).

Run with the interpreter that has advect installed, e.g.::

    PYENV_VERSION=3.12.1 python3.12 -m venv /work/advectvenv && /work/advectvenv/bin/pip install advect==0.3.1
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /work/advectvenv/bin/python benchmarks/advect_peer.py

It prints one JSON line per measurement (workload, label, best time in seconds, max error against
``scipy.optimize.rosen_der``), for W4 (the Rosenbrock gradient) eager and staged, and W5 (HVP),
with the NumPy primal measured in the same process for the ratio.
"""

from __future__ import annotations

import json
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import advect  # noqa: E402
import numpy as np  # noqa: E402
import scipy.optimize as so  # noqa: E402


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def best(fn, budget: float = 0.5) -> float:
    fn()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < budget or len(times) < 5:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    for n in (1000, 10000):
        x = np.linspace(-1.0, 1.5, n)
        want = so.rosen_der(x)
        primal = best(lambda x=x: rosen(x))
        eager = advect.grad(rosen)
        staged = advect.stage(advect.grad(rosen), x)
        for label, fn in (("advect grad (eager)", eager), ("advect stage(grad)", staged)):
            err = float(np.max(np.abs(np.asarray(fn(x)) - want)))
            t = best(lambda fn=fn, x=x: fn(x))
            print(json.dumps({"workload": "W4", "case": f"n={n}", "label": label, "seconds": t,
                              "primal_seconds": primal, "max_error": err}))
    n = 100
    x = np.linspace(-1.0, 1.5, n)
    v = np.random.default_rng(1).standard_normal(n)
    want = so.rosen_hess_prod(x, v)
    advect_hvp = advect.hvp(rosen)

    def hvp(x, v):
        r = advect_hvp(x, vectors=v)
        return r[-1] if isinstance(r, tuple) else r  # (value, product) or the product

    err = float(np.max(np.abs(np.asarray(hvp(x, v)) - want)))
    print(json.dumps({"workload": "W5", "case": "hvp n=100", "label": "advect hvp (eager)",
                      "seconds": best(lambda: hvp(x, v)), "max_error": err}))


if __name__ == "__main__":
    main()
