"""The layering in README ("Code layout") as a test: pure layers never import dash."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "dashboard"
PURE = ["build", "data", "stats", "views", "query.py", "selection.py", "urlstate.py", "state.py", "geography.py"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0] if node.level == 0 else "")
            if node.module.startswith("dashboard.") and node.module.split(".")[1] in ("app", "callbacks", "ui"):
                names.add("dashboard-ui")
    return names


@pytest.mark.parametrize("part", PURE)
def test_pure_layers_do_not_import_dash_or_the_ui(part: str) -> None:
    target = PACKAGE / part
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    offenders = {str(f.relative_to(PACKAGE)): sorted(_imports(f) & {"dash", "flask", "dash_bootstrap_components", "dashboard-ui"}) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}
