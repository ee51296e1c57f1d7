"""Every overridable NumPy callable is classified exactly once; NumPy adds functions, this notices."""

from __future__ import annotations

import pytest

from dualarray import coverage


@pytest.mark.parametrize("ufunc", coverage.numpy_ufuncs(), ids=lambda u: u.__name__)
def test_every_numpy_ufunc_is_classified_once(ufunc):
    assert len(coverage.classifications(ufunc)) == 1, coverage.classifications(ufunc)


@pytest.mark.parametrize("func", coverage.numpy_functions(), ids=coverage.qualified_name)
def test_every_numpy_function_is_classified_once(func):
    assert len(coverage.classifications(func)) == 1, coverage.classifications(func)


def test_coverage_targets():
    sections = coverage.sections()
    rows = [r for title, rs in sections.items() if title.startswith("numpy") and "functions" in title for r in rs
            if r[0].startswith(("numpy.linalg.", "numpy.fft.")) or r[0].count(".") == 1]
    handled = sum(kind in ("rule", "nondifferentiable") for _, kind, _ in rows)
    assert handled >= 0.9 * len(rows), f"{handled}/{len(rows)} numpy functions have a rule or are non-differentiable"


def test_unsupported_entries_have_reasons():
    for rows in coverage.sections().values():
        for name, kind, note in rows:
            if kind == "unsupported":
                assert note, name


def test_coverage_command_prints_table(capsys):
    assert coverage.main(["--summary"]) == 0
    out = capsys.readouterr().out
    assert "## numpy ufuncs" in out and "rule" in out


def test_the_coverage_output_reports_reverse_mode(capsys):
    from dualarray import coverage
    from dualarray._transposes import TRANSPOSES

    assert coverage.main(["--summary"]) == 0
    out = capsys.readouterr().out
    assert f"## reverse mode: {len(TRANSPOSES)} linear primitive kinds" in out and "add.reduceat" in out
