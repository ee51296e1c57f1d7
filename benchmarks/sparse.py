"""Sparse Jacobians and Hessians: ``python -m benchmarks.sparse [--quick] [--json PATH]``.

For each problem of :mod:`benchmarks.sparse_problems` and size, in one process: detection, colouring
and prepared-evaluation times, colour counts against SciPy's ``group_columns`` default, a one-off
(detect + colour + evaluate) against SciPy's sparse finite differences *given* the pattern
(``approx_derivative(sparsity=P)``, which groups the columns on every call, and with the groups
precomputed), and the dense ``jacobian`` where it fits. Then the end-to-end solves: ``solve_ivp`` BDF
and Radau on the Brusselator, ``least_squares`` on Broyden, a Newton solve of 2-D Bratu. Every AD
Jacobian is checked against the dense one (small sizes) or the finite differences before it is timed.
"""

from __future__ import annotations

import argparse
import json
import math
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp
from scipy.optimize import least_squares
from scipy.optimize._numdiff import approx_derivative, group_columns

import dualarray as da
from dualarray import optimize

from . import sparse_problems as P


def best_time(fn: Callable[[], Any], repeats: int, budget: float = 0.5) -> float:
    """The minimum over ``repeats`` samples, each averaging enough calls to last ``budget / repeats``."""
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    calls = max(1, int(budget / repeats / max(once, 1e-9)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls)
    return min(times)


def _ms(s: float | None) -> str:
    return "-" if s is None else f"{s * 1e3:9.3f}"


def jacobian_case(name: str, f: Callable, x: np.ndarray, pattern: sp.csr_array, argnums: int = 0,
                  args: tuple = (), repeats: int = 5, dense_limit: int = 4096) -> dict:
    call = (lambda z: f(*args, z)) if argnums else f
    n = x.size
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", da.SparsityWarning)
        start = time.perf_counter()
        jac = da.jacobian(f, argnums=argnums, sparsity="auto")
        j = jac(*args, x) if argnums else jac(x)
        one_off = time.perf_counter() - start
    detected = jac.sparsity
    tight = (detected != (pattern != 0)).nnz == 0
    if n <= dense_limit:
        dense = np.reshape(da.jacobian(call)(x), j.shape)
        error = float(np.max(np.abs(j.toarray() - dense)) / max(1.0, np.max(np.abs(dense))))
    else:
        dense = None
        fd = approx_derivative(call, x, sparsity=detected)
        error = float(abs(j - fd).max() / max(1.0, abs(fd).max()))  # against differences: truncation error
    prepared = best_time(lambda: jac(*args, x) if argnums else jac(x), repeats)
    detect = best_time(lambda: da.jacobian_sparsity(f, argnums=argnums)(*args, x) if argnums
                       else da.jacobian_sparsity(f)(x), max(2, repeats // 2))
    from dualarray._sparse import Plan

    color = best_time(lambda: Plan(detected, da.transforms.ORDERS, True), max(2, repeats // 2))
    groups = group_columns(detected)
    fd_given = best_time(lambda: approx_derivative(call, x, sparsity=detected), max(2, repeats // 2))
    fd_grouped = best_time(lambda: approx_derivative(call, x, sparsity=(detected, groups)), repeats)
    dense_time = best_time(lambda: da.jacobian(call)(x), 2) if dense is not None and n <= 2500 else None
    plain = best_time(lambda: call(x), repeats)
    return {
        "problem": name, "n": n, "nnz": int(detected.nnz), "tight": bool(tight), "error": error,
        "colors": int(jac.ncolors), "mode": jac.mode, "scipy_colors": int(groups.max()) + 1,
        "detect_s": detect, "color_s": color, "prepared_s": prepared, "one_off_s": one_off,
        "fd_given_s": fd_given, "fd_grouped_s": fd_grouped, "dense_s": dense_time, "f_s": plain,
    }


def hessian_case(n: int, repeats: int = 5) -> dict:
    x = np.linspace(-1.2, 1.0, n)
    start = time.perf_counter()
    hess = da.hessian(P.rosenbrock, sparsity="auto")
    h = hess(x)
    one_off = time.perf_counter() - start
    tri = sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1])
    grad = da.gradient(P.rosenbrock)
    fd = approx_derivative(grad, x, sparsity=tri)
    error = float(abs(h - fd).max() / abs(fd).max())
    symmetric = (h != h.T).nnz == 0
    prepared = best_time(lambda: hess(x), repeats)
    fd_given = best_time(lambda: approx_derivative(grad, x, sparsity=tri), max(2, repeats // 2))
    return {"problem": "H1 rosenbrock", "n": n, "colors": int(hess.ncolors), "error": error,
            "symmetric": bool(symmetric), "prepared_s": prepared, "one_off_s": one_off,
            "fd_of_gradient_s": fd_given, "timings": hess.timings}


def end_to_end(quick: bool) -> list[dict]:
    rows = []
    n_bruss = 32
    y0 = P.brusselator_y0(n_bruss)
    pattern = P.brusselator_pattern(n_bruss)
    t_end = 1.5 if quick else 11.5
    for method in ("BDF", "Radau"):
        jac = da.jacobian(P.brusselator, argnums=1, sparsity="auto")
        start = time.perf_counter()
        ad = solve_ivp(P.brusselator, (0, t_end), y0, method=method, jac=jac, rtol=1e-6, atol=1e-8)
        t_ad = time.perf_counter() - start
        start = time.perf_counter()
        fd = solve_ivp(P.brusselator, (0, t_end), y0, method=method, jac_sparsity=pattern, rtol=1e-6, atol=1e-8)
        t_fd = time.perf_counter() - start
        rows.append({"case": f"solve_ivp {method} Brusselator N={n_bruss} t=0..{t_end}", "ad_s": t_ad,
                     "fd_s": t_fd, "ad_njev": ad.njev, "fd_njev": fd.njev, "ad_nfev": ad.nfev, "fd_nfev": fd.nfev,
                     "max_diff": float(np.max(np.abs(ad.y[:, -1] - fd.y[:, -1])))})
    n = 10**4 if quick else 10**5
    x0 = -np.ones(n)
    start = time.perf_counter()
    ad = optimize.least_squares(P.broyden, x0, sparsity="auto")
    t_ad = time.perf_counter() - start
    start = time.perf_counter()
    fd = least_squares(P.broyden, x0, jac_sparsity=P.broyden_pattern(n))
    t_fd = time.perf_counter() - start
    rows.append({"case": f"least_squares Broyden n={n}", "ad_s": t_ad, "fd_s": t_fd, "ad_njev": ad.njev,
                 "fd_njev": fd.njev, "ad_nfev": ad.nfev, "fd_nfev": fd.nfev,
                 "max_diff": float(np.max(np.abs(ad.x - fd.x)))})
    side = 100 if quick else 316
    start = time.perf_counter()
    res = optimize.root(P.bratu, np.zeros(side * side), sparsity="auto")
    rows.append({"case": f"root (sparse Newton) Bratu N={side}", "ad_s": time.perf_counter() - start, "fd_s": None,
                 "ad_njev": res.njev, "ad_nfev": res.nfev, "success": bool(res.success),
                 "max_residual": float(np.max(np.abs(res.fun)))})
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the smallest sizes only (< 30 s)")
    parser.add_argument("--json", help="write the measurements here")
    opts = parser.parse_args(argv)
    quick = opts.quick
    sizes = {
        "J1 broyden": [10**3] if quick else [10**3, 10**4, 10**5],
        "J2 bratu": [32] if quick else [32, 100, 316],
        "J3 brusselator": [32] if quick else [32, 64, 128],
        "J4 arrow": [1000] if quick else [1000, 10**4],
    }
    rows = []
    rng = np.random.default_rng(0)
    for n in sizes["J1 broyden"]:
        rows.append(jacobian_case("J1 broyden", P.broyden, rng.uniform(-1, 1, n), P.broyden_pattern(n)))
    for side in sizes["J2 bratu"]:
        rows.append(jacobian_case("J2 bratu", P.bratu, rng.uniform(0, 1, side * side), P.bratu_pattern(side)))
    for side in sizes["J3 brusselator"]:
        rows.append(jacobian_case("J3 brusselator", P.brusselator, P.brusselator_y0(side),
                                  P.brusselator_pattern(side), argnums=1, args=(0.0,)))
    for n in sizes["J4 arrow"]:
        rows.append(jacobian_case("J4 arrow", P.arrow, rng.uniform(-1, 1, n), P.arrow_pattern(n)))
    head = (f"{'problem':16} {'n':>7} {'tight':>5} {'colors':>6} {'scipy':>5} {'mode':>17} {'detect ms':>9} "
            f"{'color ms':>9} {'prep ms':>9} {'one-off':>9} {'FD(P) ms':>9} {'FD(P,g)':>9} {'dense ms':>9} "
            f"{'f ms':>9} {'rel err':>8}")
    print(head)
    for r in rows:
        print(f"{r['problem']:16} {r['n']:7d} {r['tight']!s:>5} {r['colors']:6d} {r['scipy_colors']:5d} "
              f"{r['mode']:>17} {_ms(r['detect_s'])} {_ms(r['color_s'])} {_ms(r['prepared_s'])} "
              f"{_ms(r['one_off_s'])} {_ms(r['fd_given_s'])} {_ms(r['fd_grouped_s'])} {_ms(r['dense_s'])} "
              f"{_ms(r['f_s'])} {r['error']:8.1e}")
    hess = [hessian_case(n) for n in ([10**4] if quick else [10**4, 10**5])]
    print(f"\n{'problem':16} {'n':>7} {'colors':>6} {'symm':>5} {'prep ms':>9} {'one-off':>9} {'FD(∇f) ms':>9} "
          f"{'rel err':>8}")
    for h in hess:
        print(f"{h['problem']:16} {h['n']:7d} {h['colors']:6d} {h['symmetric']!s:>5} {_ms(h['prepared_s'])} "
              f"{_ms(h['one_off_s'])} {_ms(h['fd_of_gradient_s'])} {h['error']:8.1e}")
    ends = end_to_end(quick)
    print(f"\n{'end to end':48} {'AD s':>8} {'FD s':>8} {'AD njev':>8} {'FD njev':>8} {'AD nfev':>8} {'FD nfev':>8}")
    for e in ends:
        fd_s = "-" if e.get("fd_s") is None else f"{e['fd_s']:8.3f}"
        print(f"{e['case']:48} {e['ad_s']:8.3f} {fd_s:>8} {e['ad_njev']:8d} {e.get('fd_njev', '-')!s:>8} "
              f"{e['ad_nfev']:8d} {e.get('fd_nfev', '-')!s:>8}")
    if opts.json:
        with open(opts.json, "w") as fh:
            json.dump({"jacobians": rows, "hessians": hess, "end_to_end": ends,
                       "numpy": np.__version__, "scipy": __import__("scipy").__version__}, fh, indent=1,
                      default=lambda o: o if not isinstance(o, float) or math.isfinite(o) else None)


if __name__ == "__main__":
    main()
