"""Command line: serve the dashboard, build its products.

Bad input ends with one line naming the file or parameter, and exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.core.errors import InputError

if TYPE_CHECKING:
    from dash import Dash
from dashboard.core.settings import (
    DEFAULT_DATA_DIR,
    DEFAULT_GEODATA_DIR,
    DEFAULT_SOURCES_DIR,
    Settings,
)
from dashboard.data.validation import UNITS as KNOWN_UNITS
from dashboard.data.validation import DataValidationError

UNITS = sorted(KNOWN_UNITS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in ("build-data", "derive-data"):  # their disclosure proof takes minutes: say what it is doing
        logging.getLogger("dashboard.pipeline").setLevel(logging.INFO)
        logging.basicConfig(format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        return int(args.handler(args) or 0)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DataValidationError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        if any(problem.rows for problem in exc.problems):
            print("(rows are data rows: row 1 is the first row under the header, row 2 in a spreadsheet)", file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found; nothing was loaded", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped to a reader that stopped (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's own flush at exit would raise it again
        return 0
    except OSError as exc:  # what no command foresaw (output to a full disk, say): one line, not a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"error: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the dashboard on its embedded data")
    serve.add_argument("--host", default=Settings.host)
    serve.add_argument("--port", type=int, default=Settings.port)
    serve.add_argument("--geodata", type=Path, default=DEFAULT_GEODATA_DIR)
    serve.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR,
                       help="a data folder, or a file (indicator format .csv/.parquet, or a Fingertips export) to serve beside --base")
    serve.add_argument("--base", type=Path, default=DEFAULT_DATA_DIR, help="with --data FILE: the data folder its rows join (default: data/)")
    serve.add_argument("--unit", choices=UNITS, default=None, help="with --data FILE, a Fingertips export's unit (default: inferred)")
    serve.set_defaults(handler=_serve)

    prepare = commands.add_parser(
        "prepare-store",
        help="check the data and write the prepared store every start then opens (the first start does it otherwise)",
    )
    prepare.add_argument("--geodata", type=Path, default=DEFAULT_GEODATA_DIR)
    prepare.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    prepare.add_argument("--store", type=Path, default=None, help="where (default: DASHBOARD_STORE_DIR, else ~/.cache/cancer-variation-explorer/stores)")
    prepare.set_defaults(handler=_prepare_store)

    geodata = commands.add_parser("build-geodata", help="build geodata/ from the ONS sources")
    geodata.add_argument("--sources", type=Path, default=DEFAULT_SOURCES_DIR)
    geodata.add_argument("--out", type=Path, default=DEFAULT_GEODATA_DIR)
    geodata.add_argument("--tolerance", type=float, default=None, help="coverage simplification tolerance, metres")
    geodata.set_defaults(handler=_build_geodata)

    data = commands.add_parser("build-data", help="build data/ (the indicator table) from the published sources")
    data.add_argument("--sources", type=Path, default=DEFAULT_SOURCES_DIR)
    data.add_argument("--geodata", type=Path, default=DEFAULT_GEODATA_DIR)
    data.add_argument("--out", type=Path, default=DEFAULT_DATA_DIR)
    data.add_argument("--fresh", action="store_true",
                      help="make the disclosure decision again even if --out holds one for this very table (after changing the rule)")
    data.set_defaults(handler=_build_data)

    derive = commands.add_parser(
        "derive-data",
        help="make a data folder the app can serve from data/ plus your own rows (99.8%% limits, disclosure control)",
    )
    derive.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="the folder to start from (default: data/)")
    derive.add_argument("--add", type=Path, action="append", default=[], metavar="FILE",
                        help="a .csv or .parquet file in the indicator format, or a Fingertips CSV export, to add (repeatable)")
    derive.add_argument("--out", type=Path, required=True, help="the folder to write (replaced whole; may be --data)")
    derive.add_argument("--geodata", type=Path, default=DEFAULT_GEODATA_DIR)
    derive.add_argument("--unit", choices=UNITS, default=None, help="a Fingertips export's unit (it has no unit column; default: inferred)")
    derive.set_defaults(handler=_derive_data)

    check = commands.add_parser("check-data", help="run the start-up checks on a file in the indicator format")
    check.add_argument("path", type=Path, help="a .parquet or .csv file with the documented columns, or a Fingertips CSV export")
    check.add_argument("--unit", choices=UNITS, default=None, help="a Fingertips export's unit (it has no unit column; default: inferred)")
    check.add_argument("--geodata", type=Path, default=DEFAULT_GEODATA_DIR)
    check.add_argument("--metadata", type=Path, default=DEFAULT_DATA_DIR / "indicator_metadata.json",
                       help="indicator metadata; ids not in it are reported (skipped if the file is absent)")
    check.set_defaults(handler=_check_data)

    audit = commands.add_parser(
        "audit-disclosure",
        help="prove by linear programming that no withheld count of 1 to 4 can be worked out from what a data folder shows",
    )
    audit.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="a served data folder (default: data/)")
    audit.add_argument("--geodata", type=Path, default=DEFAULT_GEODATA_DIR)
    audit.add_argument("--exact-limit", type=int, default=None,
                       help="at most this many exact (whole-component) programmes; counts beyond are reported as not proven")
    audit.add_argument("--verbose", action="store_true", help="report progress on stderr, one line per group of linked withheld cells")
    audit.set_defaults(handler=_audit_disclosure)
    return parser


def serving_app(args: argparse.Namespace) -> tuple[Dash, Settings]:
    """The app `serve` runs, and its settings (separate so a test can see what serving loads)."""
    from dashboard.web.app import (
        create_app,  # imported here: building the app loads data
    )

    data_dir = _served_folder(args) if args.data.is_file() else args.data
    settings = Settings(geodata_dir=args.geodata, data_dir=data_dir, host=args.host, port=args.port)
    return create_app(settings), settings


def _served_folder(args: argparse.Namespace) -> Path:
    """`serve --data FILE`: --base plus the file's rows, checked and disclosure-controlled as
    `derive-data` makes them, in a folder under the user's cache named by the content of
    everything it is made from, so that a later start on the same file reuses it."""
    import hashlib

    from dashboard.core.checksums import sha256_of
    from dashboard.core.geography import MANIFEST_FILE
    from dashboard.data.schema import DATA_MANIFEST_FILE, DERIVED_FILE, INDICATORS_FILE, METADATA_FILE
    from dashboard.data.store import checks_version

    parts = [args.data, *(args.base / name for name in (INDICATORS_FILE, DERIVED_FILE, METADATA_FILE)), args.geodata / MANIFEST_FILE]
    try:
        hashes = [sha256_of(part) if part.is_file() else "-" for part in parts]
    except OSError as exc:
        raise InputError(f"cannot read {exc.filename}: {exc.strerror}") from exc
    key = hashlib.sha256(":".join([*hashes, args.unit or "", checks_version()]).encode()).hexdigest()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cancer-variation-explorer" / "derived"
    folder = cache / f"{args.data.stem[:40]}-{key[:16]}"
    if (folder / DATA_MANIFEST_FILE).is_file():
        print("\n".join([f"{args.data}: served from {folder} (derived at an earlier start)", *_set_aside_said(folder / DATA_MANIFEST_FILE)]), flush=True)
        return folder
    from dashboard.pipeline.derived import derive_data  # only here: serving a folder never loads the pipeline

    progress = logging.StreamHandler(sys.stderr)  # the disclosure proof's progress, as derive-data shows it
    progress.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    pipeline_log = logging.getLogger("dashboard.pipeline")
    pipeline_log.setLevel(logging.INFO)
    pipeline_log.addHandler(progress)
    print(f"{args.data}: checking it and adding its rows to {args.base} in {folder}, once (later starts reuse it). "
          "Disclosure control then proves that no withheld count of 1 to 4 can be worked back from the figures shown "
          "(docs/disclosure.md): 15 to 30 s; its progress follows.", flush=True)
    try:
        for addition in derive_data(args.base, args.geodata, folder, [args.data], args.unit):
            print("\n".join(addition.lines()), flush=True)
    finally:
        pipeline_log.removeHandler(progress)
    return folder


def _set_aside_said(manifest: Path) -> list[str]:
    """The rows a derived folder's additions set aside, as its first start said (its manifest)."""
    import json

    try:
        additions = json.loads(manifest.read_text(encoding="utf-8")).get("additions", [])
        return [f"{a['file']}: {note}" for a in additions for note in a.get("set_aside", [])]
    except (OSError, ValueError, AttributeError, TypeError, KeyError):  # an older or damaged manifest: nothing to repeat
        return []


def _prepare_store(args: argparse.Namespace) -> int:
    import time

    from dashboard.core.settings import default_store_dir
    from dashboard.data.loading import open_dataset
    from dashboard.data.store import store_folder

    root = args.store or default_store_dir()
    if root is None:
        print("error: DASHBOARD_STORE_DIR is 'off': no store to prepare", file=sys.stderr)
        return 2
    started = time.perf_counter()
    dataset = open_dataset(args.data, args.geodata, root)
    if dataset.stored is None:
        print(f"error: no store could be written under {root}", file=sys.stderr)
        return 2
    print(f"prepared store: {store_folder(root, dataset.fingerprint)} ({time.perf_counter() - started:.1f} s)")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from dashboard.web.serving import PlainServerHeader, collect_between_requests, freeze_startup_objects

    app, settings = serving_app(args)
    freeze_startup_objects()
    collect_between_requests(app.server)
    print(f"Cancer Variation Explorer on http://{settings.host}:{settings.port}/", flush=True)
    app.run(host=settings.host, port=settings.port, debug=False, request_handler=PlainServerHeader)
    return 0


def _build_geodata(args: argparse.Namespace) -> int:
    from dashboard.pipeline.geodata import DEFAULT_TOLERANCE_M, build_geodata

    if not args.sources.is_dir():
        raise InputError(f"--sources: no such folder: {args.sources}")
    started = time.perf_counter()
    result = build_geodata(args.sources, args.out, args.tolerance or DEFAULT_TOLERANCE_M)
    for name, product in sorted(result.manifest["products"].items()):
        print(f"{name:28} {product['feature_count']:5} features {product['bytes'] / 1024:8.1f} KB")
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


def _build_data(args: argparse.Namespace) -> int:
    from dashboard.pipeline.data import build_data

    if not args.sources.is_dir():
        raise InputError(f"--sources: no such folder: {args.sources}")
    started = time.perf_counter()
    result = build_data(args.sources, args.geodata, args.out, fresh=args.fresh)
    print(f"{'indicator':26} {'rows':>8} {'areas':>6} {'periods':>8} {'cancers':>8}  levels / groups")
    for indicator_id, info in result.manifest["indicators"].items():
        print(
            f"{indicator_id:26} {info['rows']:8} {info['areas']:6} {info['periods']:8} {info['cancer_types']:8}  "
            f"{','.join(info['levels'])} / {','.join(info['group_dimensions'])}"
        )
    share = result.manifest["provider_attribution"]["fds_unattributed_share"]
    print(f"FDS activity from providers with no ICB attribution: {share:.3%}")
    print(f"wrote {result.manifest['rows']} rows to {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


def _derive_data(args: argparse.Namespace) -> int:
    from dashboard.pipeline.derived import derive_data

    started = time.perf_counter()
    added = derive_data(args.data, args.geodata, args.out, args.add, args.unit)
    for addition in added:
        print("\n".join(addition.lines()))
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s; serve it with: {sys.executable} -m dashboard serve --data {args.out}")
    return 0


def _check_data(args: argparse.Namespace) -> int:
    from dashboard.data.own_files import describe, read_file

    rows = read_file(args.path, args.geodata, args.metadata, args.unit)
    if rows.problems:
        raise DataValidationError(rows.problems)
    print("\n".join([f"{args.path}: no problems found", *describe(rows, args.unit)]))
    return 0


def _audit_disclosure(args: argparse.Namespace) -> int:
    from dashboard.pipeline.protection import audit_folder

    log = (lambda line: print(line, file=sys.stderr, flush=True)) if args.verbose else None
    report = audit_folder(args.data, args.geodata, args.exact_limit, log)
    for line in report.lines():
        print(line)
    return 1 if report.findings else 0
