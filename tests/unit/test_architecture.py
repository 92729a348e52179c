"""The layering in README ("Code layout") as tests.

- The import-linter contracts in pyproject.toml ([tool.importlinter]) hold.
- Each contract can fail: a copy of the package with one planted import per contract
  breaks it (a contract that cannot fail proves nothing).
- importlib.import_module / __import__ of dashboard modules, which import-linter cannot
  see (it reads import statements only), is banned outside the entry points.
- The running app, built on the committed data, loads none of the pipeline's libraries.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "dashboard"
CONFIG = ROOT / "pyproject.toml"
# The venv's own script, beside the interpreter running the tests (not resolved: the venv's
# python is a symlink to the system one).
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
ENTRY_POINTS = {"__main__.py", "cli.py", "wsgi.py"}
PIPELINE_LIBRARIES = ("geopandas", "shapely", "pyogrio", "pyproj", "python_calamine")


def lint_imports(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """lint-imports on the `dashboard` package under root, with the project's contracts."""
    assert LINT_IMPORTS.exists(), f"{LINT_IMPORTS} missing: install the test extra (pip install -e '.[test]')"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
           "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache", str(CONFIG), *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )


def contract_ids() -> list[str]:
    import tomllib

    return [contract["id"] for contract in tomllib.loads(CONFIG.read_text())["tool"]["importlinter"]["contracts"]]


def test_the_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contract_ids())} kept, 0 broken." in result.stdout


@dataclass(frozen=True)
class Plant:
    """One import planted in a copy of the package, and the contract it must break."""

    file: str  # relative to dashboard/; created when absent
    code: str
    contract: str
    evidence: str  # text the report must contain, so the failure is the planted one

    def into(self, tmp_path: Path) -> Path:
        root = tmp_path / "copy"
        shutil.copytree(PACKAGE, root / "dashboard", ignore=shutil.ignore_patterns("__pycache__"))
        target = root / "dashboard" / self.file
        target.write_text((target.read_text() if target.exists() else "") + "\n" + self.code + "\n")
        return root


# Planted in package __init__ files where possible: the modules of presenters and figures
# are being split, the packages stay.
PLANTS = {
    "ranked figure imports trend figure": Plant("figures/ranked.py", "from dashboard.figures import trend", "figures-independent", "dashboard.figures.ranked -> dashboard.figures.trend"),
    "map presenter imports table presenter": Plant("presenters/map.py", "from dashboard.presenters import table", "presenters-independent", "dashboard.presenters.map -> dashboard.presenters.table"),
    "stats imports web": Plant("stats/compare.py", "from dashboard.web import ids", "layers", "dashboard.stats.compare -> dashboard.web.ids"),
    "stats imports web, relatively": Plant("stats/__init__.py", "from ..web import layout", "layers", "dashboard.stats -> dashboard.web.layout"),
    "data imports its sibling stats": Plant("data/__init__.py", "from dashboard.stats import compare", "layers", "dashboard.data -> dashboard.stats.compare"),
    "web imports its sibling pipeline": Plant("web/__init__.py", "import dashboard.pipeline", "layers", "dashboard.web -> dashboard.pipeline"),
    "core imports data": Plant("core/__init__.py", "import dashboard.data", "layers", "dashboard.core -> dashboard.data"),
    "figures imports presenters": Plant("figures/__init__.py", "import dashboard.presenters", "layers", "dashboard.figures -> dashboard.presenters"),
    "data imports the pipeline": Plant("data/__init__.py", "import dashboard.pipeline.io", "app-without-pipeline", "dashboard.data -> dashboard.pipeline.io"),
    "stats imports the pipeline inside a function": Plant(
        "stats/__init__.py", "def _late():\n    from dashboard.pipeline import io", "app-without-pipeline", "dashboard.stats -> dashboard.pipeline.io"),
    "query imports shapely": Plant("query/__init__.py", "import shapely", "app-without-geometry-or-excel", "dashboard.query -> shapely"),
    "core imports python_calamine": Plant("core/__init__.py", "import python_calamine", "app-without-geometry-or-excel", "dashboard.core -> python_calamine"),
    "figures imports dash": Plant("figures/__init__.py", "import dash", "only-web-talks-to-dash", "dashboard.figures -> dash"),
    "presenters imports flask": Plant("presenters/__init__.py", "from flask import request", "only-web-talks-to-dash", "dashboard.presenters -> flask"),
    "figures imports plotly": Plant("figures/__init__.py", "import plotly.graph_objects as go", "only-web-talks-to-dash", "dashboard.figures -> plotly"),
    "figures imports query": Plant("figures/__init__.py", "from dashboard.query.explorer import Explorer", "layers", "dashboard.figures -> dashboard.query.explorer"),
    "wsgi imports the pipeline": Plant("wsgi.py", "import dashboard.pipeline.io", "serving-entry-point-without-pipeline", "dashboard.wsgi -> dashboard.pipeline.io"),
    "wsgi imports geopandas": Plant("wsgi.py", "import geopandas", "serving-entry-point-without-pipeline", "dashboard.wsgi -> geopandas"),
    "web imports plotly": Plant("web/__init__.py", "import plotly.io", "no-plotly", "dashboard.web -> plotly"),
    "pipeline imports query": Plant("pipeline/__init__.py", "import dashboard.query", "pipeline-below-the-app", "dashboard.pipeline -> dashboard.query"),
    "pipeline imports figures": Plant("pipeline/__init__.py", "from dashboard.figures import theme", "pipeline-below-the-app", "dashboard.pipeline -> dashboard.figures.theme"),
    "funnel imports spc": Plant("stats/funnel.py", "from dashboard.stats import spc", "stats-independent", "dashboard.stats.funnel -> dashboard.stats.spc"),
    "intervals imports compare": Plant("stats/intervals.py", "from . import compare", "stats-independent", "dashboard.stats.intervals -> dashboard.stats.compare"),
    "a stats module no layer names": Plant("stats/undeclared.py", "x = 1", "stats-independent", "undeclared"),
}


def test_every_contract_has_a_planted_violation() -> None:
    assert {plant.contract for plant in PLANTS.values()} == set(contract_ids())


@pytest.mark.parametrize("plant", PLANTS.values(), ids=PLANTS.keys())
def test_each_contract_can_fail(plant: Plant, tmp_path: Path) -> None:
    root = plant.into(tmp_path)
    result = lint_imports(root, "--contract", plant.contract)
    print(result.stdout, result.stderr)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout and "0 kept, 1 broken" in result.stdout
    assert plant.evidence in result.stdout


# --- dynamic imports: invisible to import-linter (checked with import-linter 2.17) ---

IMPORT_FUNCTIONS = {"import_module", "__import__", "resolve_name", "run_module", "run_path"}
CODE_FUNCTIONS = {"exec", "eval", "compile"}  # code from text: never, outside the entry points
# Modules whose only use here would be to import or run code by name: not imported at all
# outside the entry points, so no alias or getattr can hide an import from import-linter.
DYNAMIC_MODULES = {"importlib", "builtins", "pkgutil", "runpy"}
LIBRARY_LOADERS = {"import_optional_dependency"}  # pandas' own lazy importer, e.g. of shapely


def dynamic_imports(package: Path) -> list[str]:
    """Calls of importlib.import_module / __import__ outside the entry points that name a
    dashboard module (absolutely or relatively) or a name not known until run time."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if str(relative) in ENTRY_POINTS:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                names = [a.name for a in node.names] if isinstance(node, ast.ImportFrom) else []
                if {m.split(".")[0] for m in modules} & DYNAMIC_MODULES or set(names) & LIBRARY_LOADERS:
                    found.append(f"{relative}:{node.lineno} import of {', '.join(modules)}")
                continue
            if isinstance(node, ast.Attribute) and node.attr in LIBRARY_LOADERS:
                found.append(f"{relative}:{node.lineno} {node.attr}")
                continue
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in CODE_FUNCTIONS and isinstance(func, ast.Name):
                found.append(f"{relative}:{node.lineno} {name}(...)")
                continue
            if name not in IMPORT_FUNCTIONS:
                continue
            if not node.args:  # e.g. import_module(name=...): a keyword hides nothing
                found.append(f"{relative}:{node.lineno} {name}(<keyword arguments>)")
                continue
            target = node.args[0]
            in_pipeline = relative.parts[0] == "pipeline"
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                names_project = target.value == "dashboard" or target.value.startswith(("dashboard.", "."))
                names_pipeline_library = target.value.split(".")[0] in PIPELINE_LIBRARIES and not in_pipeline
                if not (names_project or names_pipeline_library):
                    continue
                what = repr(target.value)
            else:
                what = f"<computed: {ast.unparse(target)}>"
            found.append(f"{relative}:{node.lineno} {name}({what})")
    return found


def test_the_package_root_imports_nothing() -> None:
    """dashboard/__init__.py is imported by every entry point: it holds the version and no imports."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert not [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)]


def test_nothing_loose_at_the_top_of_the_package() -> None:
    """Only the entry points and the layer packages: a new module goes in its layer."""
    top = {p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"}
    layers = {"core", "pipeline", "data", "stats", "query", "figures", "presenters", "web"}
    assert top == {"__init__.py", *ENTRY_POINTS} | layers


def test_no_dynamic_imports_of_dashboard_modules() -> None:
    assert dynamic_imports(PACKAGE) == []


DYNAMIC_PLANTS = {
    "importlib.import_module": ("stats/compare.py", 'import importlib\n_web = importlib.import_module("dashboard.web")'),
    "from importlib import import_module, relative": ("data/__init__.py", 'from importlib import import_module\n_p = import_module(".pipeline", "dashboard")'),
    "__import__": ("figures/__init__.py", '_ids = __import__("dashboard.web.ids")'),
    "computed name": ("query/__init__.py", 'import importlib\n_name = "dashboard" + ".web"\n_web = importlib.import_module(_name)'),
    "a geometry library, lazily": ("data/boundaries.py", 'def _lazy():\n    import importlib\n    return importlib.import_module("geopandas")'),
    "pkgutil.resolve_name": ("query/__init__.py", 'import pkgutil\n_web = pkgutil.resolve_name("dashboard.web:app")'),
    "runpy": ("core/__init__.py", 'import runpy\n_g = runpy.run_module("dashboard.web.app")'),
    "exec": ("figures/__init__.py", 'exec("import shapely")'),
    "an aliased import_module": ("stats/compare.py", 'from importlib import import_module as _load\n_ids = _load("dashboard.web.ids")'),
    "import_module by keyword": ("data/__init__.py", 'import importlib\n_io = importlib.import_module(name="dashboard.pipeline.io")'),
    "getattr on importlib": ("query/__init__.py", 'import importlib\n_web = getattr(importlib, "import_module")("dashboard.web.ids")'),
    "builtins.exec": ("core/__init__.py", 'import builtins\nbuiltins.exec("import shapely")'),
    "pandas' optional importer": ("web/__init__.py", 'def _late():\n    from pandas.compat._optional import import_optional_dependency\n    return import_optional_dependency("shapely")'),
}


@pytest.mark.parametrize(("file", "code"), DYNAMIC_PLANTS.values(), ids=DYNAMIC_PLANTS.keys())
def test_dynamic_imports_are_caught(file: str, code: str, tmp_path: Path) -> None:
    root = Plant(file, code, contract="", evidence="").into(tmp_path)
    found = dynamic_imports(root / "dashboard")
    assert found and all(f.startswith(file + ":") for f in found), found


def test_entry_points_may_import_dynamically(tmp_path: Path) -> None:
    root = Plant("cli.py", 'import importlib\n_web = importlib.import_module("dashboard.web.app")', contract="", evidence="").into(tmp_path)
    assert dynamic_imports(root / "dashboard") == []


# --- what the running app actually loads ---

APP_IMPORTS = textwrap.dedent(
    """
    import json, sys
    from dashboard.web.app import create_app
    create_app()
    # The two ways a person serves it: `python -m dashboard serve` (the CLI builds the app
    # as _serve does, without running the server) and gunicorn's `dashboard.wsgi:server`.
    import dash
    dash.Dash.run = lambda self, *args, **kwargs: None  # everything `serve` does but listen
    import dashboard.cli
    assert dashboard.cli.main(["serve"]) == 0
    import dashboard.wsgi
    banned = {banned!r}
    print(json.dumps(sorted(name for name in sys.modules
                            if name.split(".")[0] in banned or name.startswith("dashboard.pipeline"))))
    """
)


def test_the_running_app_loads_no_pipeline_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", APP_IMPORTS.format(banned=set(PIPELINE_LIBRARIES))],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    print("pipeline modules loaded by create_app():", loaded)
    assert loaded == [], f"create_app() loaded {loaded}"


MAX_MODULE_LINES = 400  # a module longer than this wants splitting along a seam


def test_no_module_is_over_400_lines() -> None:
    modules = [*PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    long = {str(path.relative_to(ROOT)): n for path in modules if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}
