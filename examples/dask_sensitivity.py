"""A derivative of a reduction over more data than we let into memory, chunk by chunk with dask.
=============================================================================================

    m(s) = mean(exp(-s·x²)) over N standard normal samples,   dm/ds = -mean(x² exp(-s·x²))

For x ~ N(0, 1), E[exp(-s x²)] = (1 + 2s)^(-1/2) and its derivative -(1 + 2s)^(-3/2): the lazy value and
derivative (one ``dask.compute``, sharing the graph) are checked against both. The samples are a dask
array in chunks; the whole array (N·8 bytes: 800 MB for N = 10⁸) never exists at once. Reported: the
peak of Python-tracked memory (tracemalloc) during the computation, against the array's size.

    python examples/dask_sensitivity.py [--n 100000000] [--chunk 2000000]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import dask
import dask.array as dsa
import numpy as np

import dualarray as da


def main(n: int = 100_000_000, chunk: int = 2_000_000, s: float = 0.7, verbose: bool = True) -> dict:
    x = dsa.random.default_rng(11).standard_normal(n, chunks=chunk)

    def m(scale):
        return np.mean(np.exp(-scale * x**2))

    value, slope = da.jvp(m, (np.float64(s),), (np.float64(1.0),))  # lazy: nothing computed yet
    lazy = isinstance(value, dsa.Array) and isinstance(slope, dsa.Array)
    tracemalloc.start()
    start = time.perf_counter()
    value, slope = dask.compute(value, slope)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    exact = (1 + 2 * s) ** -0.5, -((1 + 2 * s) ** -1.5)
    result = {"value": float(value), "slope": float(slope), "exact": exact, "lazy": lazy, "peak": peak,
              "array_bytes": n * 8, "seconds": seconds, "n": n}
    if verbose:
        print(f"m(s) = mean(exp(-s x²)) over N = {n:.0e} samples in chunks of {chunk:.0e}, s = {s}")
        print(f"  m  = {value:.6f}   (1 + 2s)^(-1/2)  = {exact[0]:.6f}")
        print(f"  m' = {slope:.6f}   -(1 + 2s)^(-3/2) = {exact[1]:.6f}")
        print(f"  built lazily: {lazy}; computed in {seconds:.2f} s; peak traced memory {peak / 1e6:.0f} MB "
              f"against {n * 8 / 1e6:.0f} MB for the whole array ({peak / (n * 8):.2f}×)")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--n", type=int, default=100_000_000)
    parser.add_argument("--chunk", type=int, default=2_000_000)
    options = parser.parse_args()
    main(options.n, options.chunk)
