"""Pages generated at build time: the coverage table, the benchmark tables and figures, dualarray.scipy.

On ``builder-inited`` this writes ``docs/generated/*.rst`` (and the benchmark figures as PNG) from
``dualarray.coverage`` and the reference JSON in ``benchmarks/``; the hand-written pages include them.
A file is rewritten only when its text changes, so an unchanged page is not rebuilt.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1]
BENCHMARKS = DOCS.parent / "benchmarks"
OUT = DOCS / "generated"
SCIPY_DOCS = "https://docs.scipy.org/doc/scipy/reference/generated/{}.html"
KIND_ORDER = ("rule", "nondifferentiable", "unsupported", "unclassified")


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _cell(text: Any) -> str:
    """One list-table cell: reST-safe, one line."""
    text = str(text).replace("\n", " ").replace("|", "/").strip()
    text = text.replace("*", r"\*").replace("`", "'").replace("_ ", r"\_ ")
    return text or " "


def list_table(header: list[str], rows: list[list[Any]], widths: str = "auto", title: str = "") -> str:
    lines = [f".. list-table:: {title}".rstrip(), "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in [header, *rows]:
        first, *rest = row
        lines.append(f"   * - {first}")
        lines += [f"     - {cell}" for cell in rest]
    return "\n".join(lines) + "\n\n"


def heading(text: str, char: str) -> str:
    return f"{text}\n{char * len(text)}\n\n"


# ---------------------------------------------------------------------------------------------- coverage
def coverage_page() -> str:
    """Every overridable NumPy callable and scipy.special ufunc with its status, by section."""
    from dualarray import coverage

    sections = coverage.sections()
    text = heading("Summary", "-")
    summary = []
    for title, rows in sections.items():
        c = Counter(row[1] for row in rows)
        summary.append([title, len(rows), *(c.get(k, 0) for k in KIND_ORDER[:3])])
    text += list_table(["section", "callables", "rule", "non-differentiable", "unsupported"], summary)
    text += f"Reverse mode: {_cell(coverage.reverse_mode())}.\n\n"
    backends = {}  # measured columns (``python -m dualarray.coverage --backend NAME``), where stored
    for name, path in getattr(coverage, "BACKEND_FILES", {}).items():
        if Path(path).exists():
            backends[name] = coverage.backend_measurement(name)
    for name, measured in backends.items():
        versions = ", ".join(f"{k} {v}" for k, v in sorted(measured["versions"].items()))
        text += (f"The *{name}* column is measured by running the rule case table on {name} arrays "
                 f"({versions}); *not measured* means no case row calls the function first.\n\n")
    for title, rows in sections.items():
        text += heading(title, "-")
        width = max(len(row) for row in rows)
        header = ["callable", "status", "note"] + [f"column {i + 1}" for i in range(3, width)] + list(backends)
        body = [[f"``{row[0]}``", *(_cell(v) for v in row[1:])] + [" "] * (width - len(row))
                + [_cell(m["callables"].get(row[0], "not measured")) for m in backends.values()] for row in rows]
        text += list_table(header, body)
    return text


# ---------------------------------------------------------------------------------------- dualarray.scipy
def scipy_page() -> str:
    """The SciPy functions with a ``dualarray.scipy`` counterpart, each linked to SciPy's documentation."""
    from dualarray import coverage

    by_module: dict[str, list[list[str]]] = {}
    for name, _, note in coverage.scipy_counterparts():
        module = name.rsplit(".", 1)[0]
        ours = note.removeprefix("use ")
        by_module.setdefault(module, []).append([f"`{name} <{SCIPY_DOCS.format(name)}>`__", f"``{ours}``"])
    text = ""
    for module in sorted(by_module):
        text += heading(module, "-")
        text += list_table(["SciPy function", "counterpart"], by_module[module], widths="50 50")
    return text


# ------------------------------------------------------------------------------------ dualarray.array_api
ARRAY_API_DOCS = "https://data-apis.org/array-api/2024.12/API_specification/generated/array_api.{}.html"


def array_api_page() -> str:
    """The namespace's names by group, each linked to its page of the standard."""
    from dualarray import array_api as xp

    groups = {
        "Elementwise functions": xp.ELEMENTWISE,
        "Other functions": sorted(set(xp.FUNCTIONS) | {"asarray", "full", "astype", "clip", "from_dlpack",
                                                       "result_type", "can_cast", "finfo", "iinfo"}),
        "Creation from shapes (constants)": xp.CREATION,
    }
    text = ""
    for title, names in groups.items():
        links = ", ".join(f"`{n} <{ARRAY_API_DOCS.format(n)}>`__" for n in sorted(names))
        text += f"**{title}**: {links}.\n\n"
    for ext, names in (("linalg", xp.LINALG), ("fft", xp.FFT)):
        links = ", ".join(f"`{n} <{ARRAY_API_DOCS.format(ext + '.' + n)}>`__" for n in sorted(names))
        text += f"**The {ext} extension** (``xp.{ext}``): {links}.\n\n"
    text += f"**Data types**: {', '.join(f'``{n}``' for n in xp.DTYPES)}; ``special`` holds scipy.special's ufuncs.\n"
    return text


# -------------------------------------------------------------------------------------------- benchmarks
def _seconds(s: float | None) -> str:
    if s is None:
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def _dualarray_row(rows: list[dict]) -> dict | None:
    ours = [r for r in rows if r["kind"] == "dualarray"]
    return ours[0] if ours else None


def benchmark_figure(results: list[dict], path: Path) -> None:
    """One panel per workload: each tool's time over dualarray's (the first dualarray entry), log scale."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullFormatter

    cases: dict[tuple[str, str], list[dict]] = {}
    for r in results:
        if r.get("min_s"):
            cases.setdefault((r["workload"], r["case"]), []).append(r)
    # the largest case of each workload (the last listed), and both W2/W5/W6 cases
    chosen: dict[str, list[tuple[str, list[dict]]]] = {}
    for (workload, case), rows in cases.items():
        chosen.setdefault(workload, []).append((case, rows))
    panels = []
    for workload, items in chosen.items():
        keep = items if workload in ("W5", "W6") else items[-1:]
        panels += [(workload, case, rows) for case, rows in keep]
    colors = {"dualarray": "#1f77b4", "baseline": "#7f7f7f", "peer": "#ff7f0e"}
    fig = Figure(figsize=(12, 2.0 + 1.9 * ((len(panels) + 1) // 2)), layout="constrained")
    axes = fig.subplots((len(panels) + 1) // 2, 2).ravel()
    for ax, (workload, case, rows) in zip(axes, panels):
        ours = _dualarray_row(rows)
        ratios = [(r["tool"], r["min_s"] / ours["min_s"], r["kind"]) for r in rows if "(reference)" not in r["tool"]]
        ratios.sort(key=lambda t: t[1])
        ax.barh([t[0] for t in ratios], [t[1] for t in ratios], color=[colors.get(t[2], "k") for t in ratios])
        ax.axvline(1.0, color="k", lw=0.8)
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(f"{workload}, {case}: time / {ours['tool']}", fontsize=9)
        ax.tick_params(axis="y", labelsize=7)
        ax.tick_params(axis="x", labelsize=8)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    fig.savefig(path, dpi=90)


def benchmarks_page() -> str:
    """Tables and a figure from the reference runs in ``benchmarks/``."""
    reference = BENCHMARKS / "reference-2026-12-02.json"
    run = json.loads(reference.read_text())
    m = run["machine"]
    peers = ", ".join(f"{k} {v}" for k, v in m.get("peers", {}).items())
    text = heading("W1–W6: dualarray, baselines and peers", "-")
    text += (f"From ``benchmarks/{reference.name}``: {m['cpu']}, {m['logical_cpus']} logical CPUs, Python "
             f"{m['python']}, NumPy {m['numpy']}, SciPy {m['scipy']}; peers {peers}; one thread each. Times "
             "are the minimum over the samples; *ratio* is the time over dualarray's (the first dualarray "
             "row of each case): below 1 is faster than dualarray.\n\n")
    OUT.mkdir(exist_ok=True)
    benchmark_figure(run["results"], OUT / "benchmark-ratios.png")
    text += (".. figure:: /generated/benchmark-ratios.png\n   :alt: time of each tool over dualarray's, per "
             "workload\n   :width: 100%\n\n   Time over dualarray's, per workload (log scale; blue dualarray, "
             "grey baselines, orange peers).\n\n")
    cases: dict[tuple[str, str], list[dict]] = {}
    for r in run["results"]:
        cases.setdefault((r["workload"], r["case"]), []).append(r)
    for (workload, case), rows in cases.items():
        ours = _dualarray_row(rows)
        body = []
        for r in rows:
            ratio = f"{r['min_s'] / ours['min_s']:.3g}" if r.get("min_s") and ours else "—"
            body.append([_cell(r["tool"]), r["kind"], _seconds(r.get("min_s")), ratio, _cell(r["check"])])
        text += list_table(["tool", "kind", "time", "ratio", "check"], body, widths="50 12 14 12 12",
                           title=f"{workload}, {case}")
    text += heading("Targets", "-")
    text += list_table(["target", "value", "met"],
                       [[_cell(t["target"]), f"{t['value']:.3g}", "yes" if t["met"] else "no"]
                        for t in run["targets"]])
    text += sparse_tables() + sensitivity_tables()
    return text


def sparse_tables() -> str:
    path = BENCHMARKS / "reference-2026-12-03-sparse.json"
    data = json.loads(path.read_text())
    text = heading("Sparse Jacobians and Hessians", "-")
    text += (f"From ``benchmarks/{path.name}`` (``python -m benchmarks.sparse``): detection, colouring, a "
             "prepared evaluation and a one-off call against SciPy's sparse finite differences given the "
             "pattern and the dense ``jacobian``.\n\n")
    body = [[r["problem"], r["n"], r["nnz"], r["colors"], r["scipy_colors"], r["mode"], _seconds(r["detect_s"]),
             _seconds(r["prepared_s"]), _seconds(r["one_off_s"]), _seconds(r["fd_given_s"]), _seconds(r["dense_s"])]
            for r in data["jacobians"]]
    text += list_table(["problem", "n", "nnz", "colours", "SciPy's colours", "mode", "detect", "prepared",
                        "one-off", "sparse FD", "dense"], body, title="Jacobians")
    body = [[r["problem"], r["n"], r["colors"], _seconds(r["prepared_s"]), _seconds(r["one_off_s"]),
             _seconds(r["fd_of_gradient_s"]), "yes" if r["symmetric"] else "no"] for r in data["hessians"]]
    text += list_table(["problem", "n", "colours", "prepared", "one-off", "FD of the gradient", "symmetric"],
                       body, title="Hessians")
    body = []
    for r in data["end_to_end"]:
        diff = r.get("max_diff", r.get("max_residual"))
        body.append([_cell(r["case"]), _seconds(r["ad_s"]), _seconds(r["fd_s"]), r["ad_njev"],
                     r.get("fd_njev", "—"), "—" if diff is None else f"{diff:.1e}"])
    text += list_table(["SciPy solve", "AD", "FD", "AD Jacobians", "FD Jacobians",
                        "max difference (or residual)"], body, title="End to end")
    return text


def sensitivity_tables() -> str:
    path = BENCHMARKS / "reference-2026-12-03-sensitivities.json"
    data = json.loads(path.read_text())
    text = heading("ODE sensitivities", "-")
    text += (f"From ``benchmarks/{path.name}`` (``python -m benchmarks.sensitivities``): time over the plain "
             "solve, and the error relative to the largest entry of a reference Jacobian.\n\n")
    body = []
    for problem in data:
        for tol, methods in problem.items():
            if not tol.startswith("rtol"):
                continue
            for method, r in methods.items():
                err = "—" if r["error"] is None else f"{r['error']:.1e}"
                body.append([_cell(problem["problem"]), tol, method, _seconds(r["seconds"]),
                             f"{r['over_plain']:.3g}", err])
    text += list_table(["problem", "tolerance", "method", "time", "over plain", "error"], body)
    return text


def generate(app: Any) -> None:
    OUT.mkdir(exist_ok=True)
    _write(OUT / "coverage.rst", coverage_page())
    _write(OUT / "scipy_counterparts.rst", scipy_page())
    _write(OUT / "benchmarks.rst", benchmarks_page())
    _write(OUT / "array_api.rst", array_api_page())


def setup(app: Any) -> dict:
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
