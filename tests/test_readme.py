"""README examples are run, so they never rot: every ```python block, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 5


def test_readme_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "readme"}
    for i, block in enumerate(BLOCKS):
        try:
            exec(compile(block, f"README.md block {i + 1}", "exec"), namespace)
        except Exception as err:  # pragma: no cover - the message says which block failed
            pytest.fail(f"README block {i + 1} failed: {type(err).__name__}: {err}\n{block}")
