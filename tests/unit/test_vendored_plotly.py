"""The vendored plotly.js partial bundle (assets/vendor/, written by scripts/vendor_plotly.py).

- The committed bundle is the pinned one (its sha256 is the script's), the only one in
  assets/vendor/ (Dash would load every bundle there), and its README names the same pin.
- Its plotly.js version is the one the installed Dash would otherwise serve, so upgrading
  dash/plotly to another plotly.js fails here until the bundle is re-vendored.
- Every trace type the dashboard's code names is in the bundle.
- Its licence is committed beside it and is MIT.

The pins are read from the script's text (ast.literal_eval of its top-level constants), not
by importing it: scripts/ is not a package.
"""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path

import dash
import plotly
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "vendor_plotly.py"
VENDOR = ROOT / "assets" / "vendor"
PACKAGE = ROOT / "dashboard"
BANNER = re.compile(rb"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)")
TRACE_NAME = re.compile(rb'moduleType:"trace",name:"(\w+)"')
REVENDOR = "re-run `make vendor` with VERSION = {version} in scripts/vendor_plotly.py (see assets/vendor/README.md, Upgrading)"


def script_constants() -> dict[str, object]:
    """The script's top-level NAME = <literal> assignments."""
    constants = {}
    for node in ast.parse(SCRIPT.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:  # not a literal (paths, f-strings, compiled patterns)
                continue
    return constants


PINS = script_constants()
VERSION = str(PINS["VERSION"])


def version_of(bundle: Path) -> str:
    """The version in a plotly.js bundle's header comment."""
    match = BANNER.search(bundle.read_bytes()[:1024])
    assert match, f"no plotly.js version banner at the top of {bundle}"
    return match.group(1).decode()


def vendored_bundles() -> list[Path]:
    return sorted(VENDOR.glob("plotly-geo-*.min.js"))


@pytest.fixture(scope="module")
def bundle() -> Path:
    bundles = vendored_bundles()
    assert bundles, f"no plotly bundle in {VENDOR.relative_to(ROOT)}: run `make vendor`"
    assert len(bundles) == 1, f"Dash loads every bundle in assets/: {[b.name for b in bundles]}"
    return bundles[0]


def served_plotlyjs() -> list[Path]:
    """The full plotly.js the installed Dash serves when window.Plotly is undefined: from Dash 3
    the plotly package's package_data/plotly.min.js (dash.Dash._setup_plotlyjs), before that
    dash's own dcc/async-plotlyjs.js chunk."""
    candidates = [
        Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
        *sorted((Path(dash.__file__).parent / "dcc").glob("async-plotlyjs*.js")),
    ]
    return [path for path in candidates if path.is_file()]


def test_the_committed_bundle_is_the_pinned_one(bundle: Path) -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", str(PINS["BUNDLE_SHA256"])), "BUNDLE_SHA256 is not pinned in the script"
    assert bundle.name == f"plotly-geo-{VERSION}.min.js"
    assert hashlib.sha256(bundle.read_bytes()).hexdigest() == PINS["BUNDLE_SHA256"], (
        f"{bundle.relative_to(ROOT)} is not the pinned file: run `make vendor`"
    )
    assert version_of(bundle) == VERSION


def test_the_readme_names_the_pin() -> None:
    readme = (VENDOR / "README.md").read_text()
    for key in ("PACKAGE", "VERSION", "INTEGRITY", "BUNDLE_SHA256"):
        assert str(PINS[key]) in readme, f"assets/vendor/README.md does not give {key} = {PINS[key]}"


def test_the_bundle_is_the_plotlyjs_version_dash_serves(bundle: Path) -> None:
    served = served_plotlyjs()
    assert served, "found no plotly.js bundle in the installed dash or plotly packages"
    for path in served:
        version = version_of(path)
        assert version == version_of(bundle), (
            f"the installed Dash serves plotly.js v{version} ({path}), assets/vendor has "
            f"v{version_of(bundle)}: {REVENDOR.format(version=version)}"
        )


def trace_types_named_in(package: Path, known: set[str]) -> dict[str, str]:
    """Trace types in the code's {"type": ...} literals and dict(type=...) calls, with where."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            values: list[ast.expr] = []
            if isinstance(node, ast.Dict):
                values = [v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and k.value == "type"]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
                values = [kw.value for kw in node.keywords if kw.arg == "type"]
            for value in values:
                if isinstance(value, ast.Constant) and value.value in known:
                    found.setdefault(value.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_trace_type_the_code_names_is_in_the_bundle(bundle: Path) -> None:
    """Trace names come from the full bundle, so axis/shape "type" values are not mistaken for traces."""
    served = served_plotlyjs()
    assert served
    every_trace = {m.decode() for m in TRACE_NAME.findall(served[0].read_bytes())}
    in_bundle = {m.decode() for m in TRACE_NAME.findall(bundle.read_bytes())}
    assert {"scatter", "choropleth"} <= in_bundle
    used = trace_types_named_in(PACKAGE, every_trace)
    assert used, "found no trace types in dashboard/: has the way figures name them changed?"
    missing = {name: where for name, where in used.items() if name not in in_bundle}
    assert not missing, f"trace types not in {bundle.name} (a bigger partial bundle is needed): {missing}"


def test_the_licence_is_committed_and_mit() -> None:
    licence = VENDOR / "LICENSE-plotly.js.txt"
    assert licence.is_file(), "assets/vendor/LICENSE-plotly.js.txt missing: run `make vendor`"
    text = licence.read_text()
    assert text.startswith("MIT License")
    assert "Plotly" in text and "Permission is hereby granted, free of charge" in text
