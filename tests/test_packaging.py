"""The wheel holds every subpackage: a non-editable install must import all of dualarray."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    line = re.search(r"^packages = \[(.*)\]$", (ROOT / "pyproject.toml").read_text(), flags=re.M)
    listed = set(re.findall(r'"([^"]+)"', line.group(1)))
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "dualarray").rglob("__init__.py")}
    assert found <= listed, f"pyproject.toml [tool.setuptools] packages misses {sorted(found - listed)}"
