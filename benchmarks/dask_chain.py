"""W1 on a chunked dask array: ``python -m benchmarks.dask_chain [--n 1e8] [--chunk 1e6] [--json PATH]``.

The elementwise chain of W1, ``tanh(exp(sin(x))·x² + log1p(x²)) / sqrt(1 + x²)``, on x of n = 10⁸
float64 elements (800 MB) drawn lazily in chunks, so no whole array ever exists. Each run reduces what
it computes (the primal Σ f(x); the JVP Σ f(x) and Σ f'(x)·v from one ``dask.compute`` sharing the
graph), which keeps the memory per chunk and makes the peak comparable. Reported, in one process with
dask's single-threaded scheduler (``--scheduler synchronous``, the default: the ratio of the work) or
its threaded one (``--scheduler threads``: two cores here): seconds (best of ``--repeats``), JVP time /
primal time (target ≤ 3), and the
peak memory traced by ``tracemalloc`` (NumPy reports its buffers to it) of the JVP against the primal's
(target ≤ 2.5×). The JVP's sums are checked against the hand-derived derivative on the first chunk.
Needs ``pip install ".[dask]"``.
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from typing import Any

import numpy as np

import dualarray as da

from .workloads import chain, chain_derivative


def measure(run: Any, repeats: int) -> tuple[float, float, Any]:
    """Best wall time over ``repeats`` runs, the peak traced memory of one run in bytes, and its result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    result = run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(times), peak, result


def main() -> None:
    import dask
    import dask.array as dsa

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=1e8)
    parser.add_argument("--chunk", type=float, default=1e6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scheduler", choices=("synchronous", "threads"), default="synchronous")
    parser.add_argument("--json", help="also write the numbers as JSON to this path")
    options = parser.parse_args()
    n, chunk = int(options.n), int(options.chunk)
    x = dsa.random.default_rng(0).standard_normal(n, chunks=chunk)
    v = dsa.ones(n, chunks=chunk)

    def primal() -> Any:
        return dask.compute(chain(x).sum(), scheduler=options.scheduler)

    def jvp() -> Any:
        y = chain(da.DualArray(x, v))
        return dask.compute(y.value.sum(), y.tangent.sum(), scheduler=options.scheduler)

    t_primal, m_primal, (s_primal,) = measure(primal, options.repeats)
    t_jvp, m_jvp, (s_value, s_tangent) = measure(jvp, options.repeats)
    first = x.blocks[0].compute()
    y0 = chain(da.DualArray(x.blocks[0], v.blocks[0]))
    np.testing.assert_allclose(y0.tangent.compute(), chain_derivative(first), rtol=1e-12, atol=1e-15)
    assert s_value == s_primal, (s_value, s_primal)
    rows = {
        "scheduler": options.scheduler, "n": n, "chunk": chunk, "chunks": -(-n // chunk), "array_MB": n * 8 / 1e6,
        "primal_s": t_primal, "jvp_s": t_jvp, "time_ratio": t_jvp / t_primal,
        "primal_peak_MB": m_primal / 1e6, "jvp_peak_MB": m_jvp / 1e6, "memory_ratio": m_jvp / m_primal,
        "sum_f": float(s_value), "sum_df": float(s_tangent),
    }
    print(f"W1 chain on dask: n = {n:.0e} float64 ({rows['array_MB']:.0f} MB) in {rows['chunks']} chunks of "
          f"{chunk:.0e}, {options.scheduler} scheduler, best of {options.repeats}")
    print(f"  dask primal  Σ f(x)             {t_primal:7.2f} s   peak traced memory {m_primal / 1e6:7.1f} MB")
    print(f"  dualarray    Σ f(x), Σ f'(x)·v  {t_jvp:7.2f} s   peak traced memory {m_jvp / 1e6:7.1f} MB")
    print(f"  JVP / primal time   {rows['time_ratio']:.2f}  (target <= 3: "
          f"{'met' if rows['time_ratio'] <= 3 else 'NOT met'})")
    print(f"  JVP / primal memory {rows['memory_ratio']:.2f}  (target <= 2.5: "
          f"{'met' if rows['memory_ratio'] <= 2.5 else 'NOT met'})")
    if options.json:
        with open(options.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
