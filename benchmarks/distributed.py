"""A dense Jacobian on a dask.distributed cluster: ``python -m benchmarks.distributed [--n 4000]``.

The 1-D Bratu residual (n = 4000 by default): the local forward ``jacobian`` against
``jacobian(f, scheduler=client)`` on LocalClusters of 1 and 2 worker processes (one thread each), in
one process. Reported: seconds, the speed-up of 2 workers over 1, and the overhead per task (the
distributed time minus the local time, over the number of tasks). Needs ``pip install ".[dask]"``.
"""

from __future__ import annotations

import argparse

import numpy as np

import dualarray as da

from .sensitivities import best_time


def bratu(u: np.ndarray) -> np.ndarray:
    h = 1.0 / (u.size + 1)
    p = np.concatenate([np.zeros(1), u, np.zeros(1)])
    return (p[2:] - 2 * u + p[:-2]) / h**2 + np.exp(u)


def main() -> None:
    from distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--chunk", type=int, default=250, help="directions per task")
    options = parser.parse_args()
    u = np.linspace(0.0, 0.5, options.n)
    tasks = -(-options.n // options.chunk)
    reference = da.jacobian(bratu, mode="forward", chunk_size=options.chunk)(u)
    local = best_time(lambda: da.jacobian(bratu, mode="forward", chunk_size=options.chunk)(u), 3)
    print(f"Bratu n = {options.n}: dense Jacobian, {tasks} chunks of {options.chunk} directions")
    print(f"  local forward jacobian      {local:8.3f} s")
    timings = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            jac = da.jacobian(bratu, scheduler=client, chunk_size=options.chunk)
            assert np.array_equal(jac(u), reference)
            timings[workers] = best_time(lambda: jac(u), 3)  # noqa: B023
        print(f"  {workers} worker process{'es' if workers > 1 else '  '}         {timings[workers]:8.3f} s   "
              f"overhead per task {(timings[workers] * workers - local) / tasks * 1e3:6.1f} ms")
    print(f"  speed-up of 2 workers over 1: {timings[1] / timings[2]:.2f}")


if __name__ == "__main__":
    main()
