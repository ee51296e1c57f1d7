"""Which NumPy (and scipy.special) callables have derivative rules: ``python -m dualarray.coverage``.

Every overridable NumPy ufunc and function is classified as one of

* ``rule``               a derivative rule (including piecewise-constant functions, derivative zero)
* ``nondifferentiable``  the output is not differentiable (comparisons, argmax, counts): plain result
* ``unsupported``        raises, with the one-line reason shown here
* ``unclassified``       not yet looked at (the coverage test keeps this empty)

``--backend dask`` adds a column: whether the rule runs with dask arrays as value and tangent, as measured
by running the whole rule case table on chunked dask arrays (tests/test_dask.py stores the measurement in
``coverage_dask.json`` and fails when it is stale). A callable no row of the table calls first is
"not measured".
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from . import rules as _rules  # noqa: F401  (registers every rule)
from ._registry import (
    FUNCTIONS,
    LINEAR,
    NON_DIFFERENTIABLE,
    PARTIALS,
    UFUNC_JVPS,
    UNSUPPORTED,
    ZERO_DERIVATIVE,
    qualified_name,
)

KINDS = ("rule", "nondifferentiable", "unsupported", "unclassified")


def classify(func: Any) -> tuple[str, str]:
    """``(kind, note)`` for one NumPy callable."""
    if func in FUNCTIONS or func in PARTIALS or func in UFUNC_JVPS or func in LINEAR:
        return "rule", ""
    if func in ZERO_DERIVATIVE:
        return "rule", "derivative zero (piecewise constant)"
    if func in NON_DIFFERENTIABLE:
        return "nondifferentiable", ""
    if func in UNSUPPORTED:
        return "unsupported", UNSUPPORTED[func]
    return "unclassified", ""


def classifications(func: Any) -> list[str]:
    """Every table that mentions ``func`` (the coverage test requires exactly one)."""
    found = []
    for name, table in (("functions", FUNCTIONS), ("partials", PARTIALS), ("jvps", UFUNC_JVPS),
                        ("linear", LINEAR), ("zero", ZERO_DERIVATIVE), ("nondifferentiable", NON_DIFFERENTIABLE),
                        ("unsupported", UNSUPPORTED)):
        if func in table:
            found.append(name)
    return found


def numpy_ufuncs() -> list[np.ufunc]:
    from numpy.testing.overrides import get_overridable_numpy_ufuncs

    return sorted(get_overridable_numpy_ufuncs(), key=lambda f: f.__name__)


def numpy_functions() -> list[Any]:
    from numpy.testing.overrides import get_overridable_numpy_array_functions

    return sorted(get_overridable_numpy_array_functions(), key=qualified_name)


def scipy_special_ufuncs() -> dict[str, np.ufunc]:
    """Public ufuncs of scipy.special (empty when SciPy is missing)."""
    try:
        import scipy.special as sc
    except ImportError:  # pragma: no cover
        return {}
    found = {}
    for n in sorted(dir(sc)):
        f = getattr(sc, n)
        f = getattr(f, "__wrapped__", f)  # SCIPY_ARRAY_API=1 wraps the ufuncs in Python functions
        if not n.startswith("_") and isinstance(f, np.ufunc):
            found[n] = f
    return found


def scipy_counterparts() -> list[tuple[str, str, str]]:
    """SciPy functions with a ``dualarray.scipy`` counterpart (empty when SciPy is missing)."""
    try:
        from .scipy import COUNTERPARTS, integrate, interpolate, linalg, ndimage, signal, special, stats  # noqa: F401
    except ImportError:  # pragma: no cover
        return []
    rows = []
    for f, ours in COUNTERPARTS.items():
        if hasattr(f, "__name__"):
            name = f"{f.__module__.split('._')[0]}.{f.__name__}"
            rows.append((name, "rule", f"use {ours.__module__}.{ours.__name__}"))
        else:  # a scipy.stats distribution object: every method of ours has a derivative
            rows.append((f"scipy.stats.{ours.name}", "rule", f"use dualarray.scipy.stats.{ours.name}"))
    return sorted(rows)


def module_of(func: Any) -> str:
    return qualified_name(func).rsplit(".", 1)[0]


def table(funcs: Iterable[tuple[str, Any]]) -> list[tuple[str, str, str]]:
    return [(name, *classify(f)) for name, f in funcs]


def sections() -> dict[str, list[tuple[str, str, str]]]:
    """The coverage table by section: numpy ufuncs, functions by module, scipy.special ufuncs."""
    result: dict[str, list[tuple[str, str, str]]] = {
        "numpy ufuncs": table((qualified_name(u), u) for u in numpy_ufuncs()),
    }
    by_module: dict[str, list[tuple[str, Any]]] = {}
    for f in numpy_functions():
        by_module.setdefault(module_of(f), []).append((qualified_name(f), f))
    for module in sorted(by_module):
        result[f"{module} functions"] = table(by_module[module])
    special = scipy_special_ufuncs()
    if special:
        result["scipy.special ufuncs"] = table((f"scipy.special.{n}", u) for n, u in special.items())
    counterparts = scipy_counterparts()
    if counterparts:
        result["dualarray.scipy counterparts"] = counterparts
    return result


def counts(rows: list[tuple[str, str, str]]) -> Counter:
    return Counter(kind for _, kind, _ in rows)


def reverse_mode() -> str:
    """What reverse mode records: the transposable primitive kinds and the NumPy calls lowered onto them."""
    from ._linear import FUNCTIONS as TRACED_FUNCTIONS
    from ._linear import UFUNC_METHODS, UFUNCS
    from ._transposes import TRANSPOSES

    methods = ", ".join(sorted(f"{u.__name__}.{m}" for u, m in UFUNC_METHODS))
    return (
        f"{len(TRANSPOSES)} linear primitive kinds with transposes; on traced tangents "
        f"{len(TRACED_FUNCTIONS)} NumPy functions, {len(UFUNCS)} ufuncs and the methods {methods} record "
        "(every other operation on a traced tangent raises NotLinearError, and mode='auto' uses forward mode)"
    )


BACKEND_FILES = {"dask": Path(__file__).with_name("coverage_dask.json")}


def backend_table(reached: dict[str, list[str | None]], **versions: str) -> dict[str, Any]:
    """The measured column from ``reached``: for each callable a case row called first, the outcome of each
    such row (``None`` ran and matched NumPy, else the first line of the error)."""
    column = {}
    for name, outcomes in sorted(reached.items()):
        errors = [e for e in outcomes if e is not None]
        if not errors:
            column[name] = "runs"
        elif len(errors) == len(outcomes):
            column[name] = f"refuses: {errors[0][:160]}"
        else:
            column[name] = f"runs in {len(outcomes) - len(errors)} of {len(outcomes)} rows; refuses: {errors[0][:160]}"
    return {"versions": {**versions, "numpy": np.__version__}, "callables": column}


def backend_measurement(backend: str) -> dict[str, Any]:
    """The stored measurement of ``backend`` (see :func:`backend_table`)."""
    return json.loads(BACKEND_FILES[backend].read_text())


def _print_backend(backend: str, summary: bool) -> None:
    measured = backend_measurement(backend)
    column = measured["callables"]
    versions = ", ".join(f"{k} {v}" for k, v in sorted(measured["versions"].items()))
    runs = sum(status == "runs" for status in column.values())
    partly = sum(status.startswith("runs in") for status in column.values())
    print(f"\n## {backend} backend (measured with {versions} by tests/test_dask.py): of {len(column)} callables the "
          f"rule case table calls, {runs} run, {partly} run in some rows, {len(column) - runs - partly} refuse "
          "with an error naming the backend; the others are not measured")
    if summary:
        return
    width = max(len(name) for name in column)
    for name, status in column.items():
        print(f"  {name:<{width}}  {status}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dualarray.coverage", description=__doc__.splitlines()[0])
    parser.add_argument("--summary", action="store_true", help="print only the counts per section")
    parser.add_argument("--kind", choices=KINDS, help="list only callables of this kind")
    parser.add_argument("--backend", choices=sorted(BACKEND_FILES),
                        help="add the measured column: does each rule run on this array backend")
    args = parser.parse_args(argv)
    column = backend_measurement(args.backend)["callables"] if args.backend else {}
    for title, rows in sections().items():
        c = counts(rows)
        summary = ", ".join(f"{c[k]} {k}" for k in KINDS if c[k])
        print(f"\n## {title}: {len(rows)} ({summary})")
        if args.summary:
            continue
        width = max(len(name) for name, _, _ in rows)
        for name, kind, note in rows:
            if args.kind and kind != args.kind:
                continue
            if args.backend:
                note = f"{args.backend}: {column.get(name, 'not measured')}" + (f"; {note}" if note else "")
            print(f"  {name:<{width}}  {kind:<18} {note}".rstrip())
    print(f"\n## reverse mode: {reverse_mode()}")
    if args.backend:
        _print_backend(args.backend, args.summary)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:  # `python -m dualarray.coverage | head`
        import os
        import sys

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0) from None
