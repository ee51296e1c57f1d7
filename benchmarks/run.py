"""Run the benchmark suite: ``python -m benchmarks.run [--quick] [--json PATH] [--only W1,W3] [--no-peers]``.

Prints one table per workload and saves every measurement as JSON (default
``benchmarks/results/<UTC timestamp>.json``). Each entry is checked against a reference answer before it
is timed; a wrong answer is reported and not timed. Times are per call: the minimum and the median of
``repeats`` samples, each sample averaging enough calls to last ``sample_time``. Ratios use the minima.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import scipy
import scipy.optimize as so

import dualarray as da

from . import peers as peer_mod
from . import workloads as wl
from .peers import Entry

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------- measuring
@dataclass
class Settings:
    quick: bool
    sample_time: float  # seconds per sample (calls are repeated to fill it)
    repeats: int  # samples per measurement
    max_single: float  # a call slower than this is timed max(2, repeats // 3) times, once per sample
    minimize_repeats: int


@dataclass
class Result:
    workload: str
    case: str
    tool: str
    kind: str  # "dualarray", "baseline" or "peer"
    min_s: float | None = None
    median_s: float | None = None
    samples: int = 0
    calls: int = 0
    check: str = "ok"
    extra: dict[str, Any] = field(default_factory=dict)


def measure(fn: Callable[[], Any], s: Settings) -> tuple[float, float, int, int]:
    """(min, median, samples, calls) of the per-call time of ``fn`` after one warm-up call."""
    t0 = time.perf_counter()
    fn()
    est = time.perf_counter() - t0
    t0 = time.perf_counter()
    fn()
    est = min(est, time.perf_counter() - t0)
    if est > s.max_single:
        number, repeats = 1, max(2, s.repeats // 3)
    else:
        number, repeats = max(1, int(s.sample_time / max(est, 1e-9))), s.repeats
    samples = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            samples.append((time.perf_counter() - t0) / number)
    finally:
        if gc_was_enabled:
            gc.enable()
    return min(samples), statistics.median(samples), repeats, repeats * number


def _close(got: Any, want: Any, rtol: float, atol: float) -> str:
    """"ok", or what differs (shapes, or the largest error)."""
    if isinstance(want, tuple):
        if not isinstance(got, tuple) or len(got) != len(want):
            return f"FAILED: expected {len(want)} outputs"
        for g, w in zip(got, want, strict=True):
            if g is None:  # a primal-only entry has no tangent to check
                continue
            msg = _close(g, w, rtol, atol)
            if msg != "ok":
                return msg
        return "ok"
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    if got.shape != want.shape:
        return f"FAILED: shape {got.shape}, expected {want.shape}"
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        err = np.max(np.abs(got - want) / (atol + rtol * np.abs(want)))
        return f"FAILED: error {err:.3g} x tolerance"
    return "ok"


class Suite:
    def __init__(self, settings: Settings, peers: list[Any]) -> None:
        self.s = settings
        self.peers = peers
        self.results: list[Result] = []

    def run(self, workload: str, case: str, entries: list[tuple[str, Entry]], want: Any,
            rtol: float, atol: float, tols: dict[str, tuple[float, float]] | None = None) -> list[Result]:
        """Check then time each ``(kind, entry)``; tolerances per tool may be overridden in ``tols``."""
        done = []
        for kind, e in entries:
            r = Result(workload, case, e.tool, kind)
            rt, at = (tols or {}).get(e.tool, (rtol, atol))
            try:
                r.check = _close(e.out(e.fn()), want, rt, at)
                if r.check == "ok":
                    r.min_s, r.median_s, r.samples, r.calls = measure(e.fn, self.s)
            except Exception as exc:  # a peer that cannot run this workload is reported, not fatal
                r.check = f"ERROR: {type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
            self.results.append(r)
            done.append(r)
            _progress(r)
        return done

    def peer_entries(self, method: str, *args: Any) -> list[tuple[str, Entry]]:
        out = []
        for p in self.peers:
            build = getattr(p, method, None)
            if build is None:
                continue
            try:
                out += [("peer", e) for e in build(*args)]
            except Exception as exc:
                self.results.append(Result("?", method, p.name, "peer", check=f"ERROR while building: {exc}"))
        return out


def _progress(r: Result) -> None:
    t = "-" if r.min_s is None else f"{r.min_s * 1e3:.4g} ms"
    print(f"  [{r.workload} {r.case}] {r.tool}: {t} {'' if r.check == 'ok' else r.check}", file=sys.stderr)


def _tuple(r: Any) -> Any:
    return r


# ---------------------------------------------------------------- workloads
def w1(suite: Suite) -> None:
    """Elementwise JVP through the chain on 10^6 float64 elements, as time / NumPy primal time."""
    rng = np.random.default_rng(0)
    n = 10**6
    x = rng.standard_normal(n)
    v = np.ones(n)
    _chain_jvp(suite, "W1", f"n={n:.0e}, x~N(0,1)", x, v)


def _chain_jvp(suite: Suite, workload: str, case: str, x: np.ndarray, v: np.ndarray) -> list[Result]:
    ident = (lambda r: r)
    want = (wl.chain(x), wl.chain_derivative(x) * v)
    h = 1e-7

    def by_dual() -> Any:
        y = wl.chain(da.DualArray(x, v))
        return y.value, y.tangent

    def naive() -> Any:
        y = wl.chain(wl.NumpyDual(x, v), wl.naive)
        return y.val, y.eps

    def forward_difference() -> Any:
        y = wl.chain(x)
        return y, (wl.chain(x + h * v) - y) / h

    entries = [
        ("baseline", Entry("NumPy primal (reference)", lambda: wl.chain(x), lambda r: (r, None))),
        ("dualarray", Entry("dualarray: chain(DualArray(x, v))", by_dual, ident)),
        ("dualarray", Entry("dualarray.jvp", lambda: da.jvp(wl.chain, x, v), ident)),
        ("baseline", Entry("analytic (hand-derived NumPy)", lambda: wl.chain_jvp_analytic(x, v), ident)),
        ("baseline", Entry("NumPy dual class", naive, ident)),
        ("baseline", Entry("forward difference (2 primals)", forward_difference, ident)),
    ] + suite.peer_entries("w1" if workload == "W1" else "w2", x, v)
    results = suite.run(workload, case, entries, want, 1e-9, 1e-12,
                        tols={"forward difference (2 primals)": (1e-4, 1e-5)})
    primal = results[0].min_s
    by_tool = {r.tool: r for r in results}
    for r in results:
        if r.min_s is not None and primal:
            r.extra["ratio_to_primal"] = r.min_s / primal
            r.extra["us_per_op"] = r.min_s / wl.CHAIN_OPS * 1e6
            own = by_tool.get(peer_mod.PRIMAL_OF.get(r.tool, "NumPy primal (reference)"))
            is_primal = r.tool in peer_mod.PRIMAL_OF.values()
            if own is not None and own.min_s and r.tool != own.tool and not is_primal:
                r.extra["ratio_to_own_primal"] = r.min_s / own.min_s
    return results


def w2(suite: Suite) -> None:
    """Dispatch overhead: the chain on 10 elements and on a 0-d value, in microseconds per NumPy call."""
    _chain_jvp(suite, "W2", "n=10", np.linspace(0.1, 1.0, 10), np.ones(10))
    _chain_jvp(suite, "W2", "0-d", np.array(0.3), np.array(1.0))


def w3(suite: Suite) -> None:
    """Dense Jacobian of the 1-D Bratu residual (slicing + np.concatenate)."""
    for n in (10, 100, 1000):
        u = wl.bratu_point(n)
        want = wl.bratu_jacobian(u)
        eye = np.eye(n)

        def naive(u: np.ndarray = u, eye: np.ndarray = eye) -> Any:
            return wl.bratu(wl.NumpyDual(u, eye), wl.naive).eps.T

        entries = [
            ("baseline", Entry("NumPy primal F(u) (reference)", lambda u=u: wl.bratu(u), lambda r, w=want: w)),
            ("dualarray", Entry("dualarray.jacobian", lambda u=u: da.jacobian(wl.bratu)(u), _tuple)),
            ("baseline", Entry("analytic tridiagonal (dense)", lambda u=u: wl.bratu_jacobian(u), _tuple)),
            ("baseline", Entry(f"NumPy dual class, {n} directions", naive, _tuple)),
            ("baseline", Entry("scipy approx_fprime", lambda u=u: so.approx_fprime(u, wl.bratu), _tuple)),
        ] + suite.peer_entries("w3", u)
        suite.run("W3", f"n={n}", entries, want, 1e-10, 1e-12, tols={"scipy approx_fprime": (1e-4, 1e-5)})


def w4(suite: Suite) -> None:
    """Gradient of the extended Rosenbrock function: reverse mode (the default) and forward (n directions)."""
    for n in (10, 100, 1000, 10000):
        x = wl.rosen_point(n)
        want = so.rosen_der(x)
        atol = 1e-12 * np.max(np.abs(want))
        entries = [
            ("baseline", Entry("NumPy primal rosen(x) (reference)", lambda x=x: so.rosen(x), lambda r, w=want: w)),
            ("dualarray", Entry("dualarray.gradient (reverse, default)", lambda x=x: da.gradient(wl.rosen)(x), _tuple)),
        ] + ([] if n > 1000 else [
            ("dualarray", Entry("dualarray.gradient(mode='forward')",
                                lambda x=x: da.gradient(wl.rosen, mode="forward")(x), _tuple)),
        ]) + [
            ("baseline", Entry("analytic rosen_der", lambda x=x: so.rosen_der(x), _tuple)),
            ("baseline", Entry("scipy approx_fprime", lambda x=x: so.approx_fprime(x, so.rosen), _tuple)),
        ] + suite.peer_entries("w4", x)
        suite.run("W4", f"n={n}", entries, want, 1e-10, atol,
                  tols={"scipy approx_fprime": (1e-4, 1e-4 * np.max(np.abs(want)))})


def w5(suite: Suite) -> None:
    """Hessian and Hessian-vector product of Rosenbrock, n = 100."""
    n = 100
    x = wl.rosen_point(n)
    v = np.random.default_rng(1).standard_normal(n)
    want = so.rosen_hess(x)
    atol = 1e-12 * np.max(np.abs(want))
    entries = [
        ("dualarray", Entry("dualarray.hessian (forward over reverse)", lambda: da.hessian(wl.rosen)(x), _tuple)),
        ("dualarray", Entry("dualarray.hessian(mode='forward')",
                            lambda: da.hessian(wl.rosen, mode="forward")(x), _tuple)),
        ("baseline", Entry("analytic rosen_hess", lambda: so.rosen_hess(x), _tuple)),
        ("baseline", Entry("approx_fprime of rosen_der", lambda: so.approx_fprime(x, so.rosen_der), _tuple)),
    ] + suite.peer_entries("w5_hessian", x)
    suite.run("W5", "hessian n=100", entries, want, 1e-10, atol,
              tols={"approx_fprime of rosen_der": (1e-4, 1e-4 * np.max(np.abs(want)))})
    want = so.rosen_hess_prod(x, v)
    atol = 1e-12 * np.max(np.abs(want))
    entries = [
        ("dualarray", Entry("dualarray.hvp (forward over reverse)", lambda: da.hvp(wl.rosen)(x, v), _tuple)),
        ("dualarray", Entry("dualarray.hvp(mode='forward')", lambda: da.hvp(wl.rosen, mode="forward")(x, v), _tuple)),
        ("baseline", Entry("analytic rosen_hess_prod", lambda: so.rosen_hess_prod(x, v), _tuple)),
    ] + suite.peer_entries("w5_hvp", x, v)
    suite.run("W5", "hvp n=100", entries, want, 1e-10, atol)


def w6(suite: Suite) -> None:
    """scipy.optimize.minimize(rosen, zeros(100)): BFGS and trust-exact, wall time and evaluation counts."""
    n = 100
    x0 = np.zeros(n)
    jax = next((p for p in suite.peers if p.name == "jax"), None)
    runs: list[tuple[str, str, str, dict[str, Any]]] = [
        ("BFGS", "dualarray", "jac=dualarray.gradient(rosen) (reverse)", {"jac": da.gradient(wl.rosen)}),
        ("BFGS", "dualarray", "jac=gradient(rosen, mode='forward')", {"jac": da.gradient(wl.rosen, mode="forward")}),
        ("BFGS", "baseline", "jac=rosen_der (analytic)", {"jac": so.rosen_der}),
        ("BFGS", "baseline", "finite differences (jac=None)", {}),
        ("trust-exact", "dualarray", "dualarray gradient + hessian (reverse)",
         {"jac": da.gradient(wl.rosen), "hess": da.hessian(wl.rosen)}),
        ("trust-exact", "dualarray", "gradient + hessian, mode='forward'",
         {"jac": da.gradient(wl.rosen, mode="forward"), "hess": da.hessian(wl.rosen, mode="forward")}),
        ("trust-exact", "baseline", "rosen_der + rosen_hess (analytic)", {"jac": so.rosen_der, "hess": so.rosen_hess}),
        ("trust-exact", "baseline", "rosen_der + approx_fprime(rosen_der)",
         {"jac": so.rosen_der, "hess": lambda z: so.approx_fprime(z, so.rosen_der)}),
    ]
    if jax is not None:
        fns = jax.w6()
        runs.insert(3, ("BFGS", "peer", "JAX jit(grad)", {"jac": fns["jac"]}))
        runs.append(("trust-exact", "peer", "JAX jit(grad) + jit(hessian)", {"jac": fns["jac"], "hess": fns["hess"]}))
    for method, kind, label, kw in runs:
        r = Result("W6", method, label, kind)
        try:
            times = []
            for _ in range(suite.s.minimize_repeats):
                t0 = time.perf_counter()
                res = so.minimize(so.rosen, x0, method=method, **kw)
                times.append(time.perf_counter() - t0)
            # the answer is checked loosely: finite-difference BFGS stops early ("precision loss") but close
            err = float(np.max(np.abs(res.x - 1)))
            r.check = "ok" if err < 1e-3 else f"FAILED: max|x-1| = {err:.2g}"
            r.min_s, r.median_s, r.samples, r.calls = min(times), statistics.median(times), len(times), len(times)
            r.extra = {"nit": int(res.nit), "nfev": int(res.nfev), "njev": int(getattr(res, "njev", 0) or 0),
                       "nhev": int(getattr(res, "nhev", 0) or 0), "fun": float(res.fun),
                       "success": bool(res.success), "max_abs_x_minus_1": err}
        except Exception as exc:
            r.check = f"ERROR: {type(exc).__name__}: {exc}"
        suite.results.append(r)
        _progress(r)


WORKLOADS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6}


# ---------------------------------------------------------------- reporting
def _fmt_time(t: float | None) -> str:
    if t is None:
        return "-"
    if t >= 1.0:
        return f"{t:.3g} s"
    if t >= 1e-3:
        return f"{t * 1e3:.3g} ms"
    return f"{t * 1e6:.3g} µs"


def _metric(r: Result, ref: Result | None) -> str:
    own = r.extra.get("ratio_to_own_primal")
    own_note = f" ({own:.2f}× own primal)" if own is not None and "NumPy" not in r.tool and (
        r.kind == "peer") else ""
    if r.workload == "W1":
        return f"{r.extra['ratio_to_primal']:.2f}× NumPy primal{own_note}" if "ratio_to_primal" in r.extra else ""
    if r.workload == "W2":
        return f"{r.extra['us_per_op']:.2f} µs/op{own_note}" if "us_per_op" in r.extra else ""
    if r.workload == "W6":
        e = r.extra
        if not e:
            return ""
        tail = "" if e["success"] else f", success=False, max|x-1| {e['max_abs_x_minus_1']:.1e}"
        return f"nit {e['nit']}, nfev {e['nfev']}, njev {e['njev']}, nhev {e['nhev']}{tail}"
    if ref is not None and ref.min_s and r.min_s:
        return f"{r.min_s / ref.min_s:.2f}× {ref.tool}"
    return ""


def reference_of(results: list[Result], r: Result) -> Result | None:
    """The row ratios are given against: JAX jit when present, else dualarray (W3-W5)."""
    same = [q for q in results if q.workload == r.workload and q.case == r.case and q.min_s]
    for name in ("JAX jit(jacfwd)", "JAX jit(grad) (reverse)", "JAX jit(hessian)", "JAX jit(jvp(grad))"):
        for q in same:
            if q.tool == name:
                return q
    return next((q for q in same if q.kind == "dualarray"), None)


def table(results: list[Result]) -> str:
    lines = []
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        groups.setdefault((r.workload, r.case), []).append(r)
    for (wk, case), rows in groups.items():
        lines.append(f"\n{wk} {case}")
        lines.append(f"  {'tool':<40} {'min':>10} {'median':>10}  metric")
        for r in rows:
            metric = _metric(r, reference_of(results, r)) if r.check == "ok" else r.check
            lines.append(f"  {r.tool:<40} {_fmt_time(r.min_s):>10} {_fmt_time(r.median_s):>10}  {metric}")
    return "\n".join(lines)


def targets(results: list[Result]) -> list[dict[str, Any]]:
    """The issue's targets, evaluated on this run."""

    def find(wk: str, case: str, tool: str) -> Result | None:
        return next((r for r in results if r.workload == wk and r.case.startswith(case) and r.tool == tool
                     and r.min_s), None)

    out = []
    w1 = [r for r in results if r.workload == "W1" and r.min_s]
    ours = find("W1", "n=", "dualarray: chain(DualArray(x, v))")
    if ours:
        ratio = ours.extra["ratio_to_primal"]
        out.append({"target": "W1 JVP/primal <= 2.0", "value": round(ratio, 3), "met": ratio <= 2.0})
        peers_w1 = [r for r in w1 if r.kind == "peer" and r.tool not in peer_mod.PRIMAL_OF.values()]
        if peers_w1:
            behind = [r for r in peers_w1 if r.min_s <= ours.min_s]
            out.append({"target": "W1 ahead of every peer", "value": len(behind), "met": not behind,
                        "note": "ahead of none" if len(behind) == len(peers_w1) else
                        ("behind: " + ", ".join(f"{r.tool} {r.extra['ratio_to_primal']:.2f}" for r in behind))
                        if behind else "ahead of all"})
    for case in ("n=10", "0-d"):
        r = find("W2", case, "dualarray: chain(DualArray(x, v))")
        if r:
            us = r.extra["us_per_op"]
            out.append({"target": f"W2 <= 2.5 µs per operation ({case})", "value": round(us, 3), "met": us <= 2.5})
    ours = find("W3", "n=1000", "dualarray.jacobian")
    jit = find("W3", "n=1000", "JAX jit(jacfwd)")
    if ours and jit:
        ratio = ours.min_s / jit.min_s
        out.append({"target": "W3 n=1000 within 1.8x of JAX jit(jacfwd)", "value": round(ratio, 3),
                    "met": ratio <= 1.8})
    eager = [r for r in results if r.workload == "W3" and r.case == "n=1000" and r.kind == "peer"
             and r.min_s and "jit" not in r.tool]
    if ours and eager:
        out.append({"target": "W3 n=1000 faster than every eager peer", "value": round(ours.min_s * 1e3, 3),
                    "met": all(ours.min_s < r.min_s for r in eager),
                    "note": "ms; " + ", ".join(f"{r.tool} {r.min_s * 1e3:.3g} ms" for r in eager)})
    return out


def machine_info(peers: list[Any], skipped: dict[str, str]) -> dict[str, Any]:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except Exception:
        commit = ""
    blas = ""
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {}).get("name", "")
    except Exception:
        pass
    return {
        "cpu": cpu, "logical_cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
        "blas": blas, "dualarray": da.__version__, "git_commit": commit,
        "peers": {p.name: p.version for p in peers}, "peers_skipped": skipped,
        "threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                                    "XLA_FLAGS")},
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer and shorter samples (under 2 minutes without peers)")
    ap.add_argument("--json", metavar="PATH", help="where to save the results (default benchmarks/results/)")
    ap.add_argument("--only", metavar="W1,W2", help="run only these workloads")
    ap.add_argument("--no-peers", action="store_true", help="skip JAX, PyTorch and autograd even if installed")
    args = ap.parse_args(argv)
    if args.quick:
        s = Settings(quick=True, sample_time=0.02, repeats=5, max_single=0.1, minimize_repeats=1)
    else:
        s = Settings(quick=False, sample_time=0.1, repeats=9, max_single=0.5, minimize_repeats=3)
    peers, skipped = peer_mod.load(not args.no_peers)
    suite = Suite(s, peers)
    chosen = [w.strip().upper() for w in args.only.split(",")] if args.only else list(WORKLOADS)
    start = time.perf_counter()
    info = machine_info(peers, skipped)
    print(f"dualarray {da.__version__} ({info['git_commit']}), numpy {np.__version__}, scipy {scipy.__version__}, "
          f"python {info['python']}; {info['cpu']}, {info['logical_cpus']} logical CPUs; peers: "
          + (", ".join(f"{k} {v}" for k, v in info["peers"].items()) or "none")
          + ("" if not skipped else " (skipped: " + ", ".join(f"{k}: {v}" for k, v in skipped.items()) + ")"))
    for name in chosen:
        WORKLOADS[name](suite)
    elapsed = time.perf_counter() - start
    print(table(suite.results))
    tg = targets(suite.results)
    if tg:
        print("\nTargets")
        for t in tg:
            print(f"  [{'met' if t['met'] else 'NOT met'}] {t['target']}: {t['value']}"
                  + (f" ({t['note']})" if t.get("note") else ""))
    print(f"\n{len(suite.results)} measurements in {elapsed:.0f} s ({'quick' if s.quick else 'full'} run)")
    info["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    path = args.json or os.path.join(
        HERE, "results", _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + ".json")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as fh:
        json.dump({"machine": info, "settings": asdict(s), "elapsed_s": elapsed, "targets": tg,
                   "results": [asdict(r) for r in suite.results]}, fh, indent=1, default=float)
    print(f"saved {path}")
    failed = [r for r in suite.results if r.check != "ok" and r.kind != "peer"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
