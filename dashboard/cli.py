"""Command line: serve the dashboard, build its products.

Bad input ends with one line naming the file or parameter, and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dashboard.config import DEFAULT_GEODATA_DIR, DEFAULT_SOURCES_DIR, Settings
from dashboard.errors import InputError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the dashboard on its embedded data")
    serve.add_argument("--host", default=Settings.host)
    serve.add_argument("--port", type=int, default=Settings.port)
    serve.add_argument("--geodata", type=Path, default=DEFAULT_GEODATA_DIR)
    serve.set_defaults(handler=_serve)

    geodata = commands.add_parser("build-geodata", help="build geodata/ from the ONS sources")
    geodata.add_argument("--sources", type=Path, default=DEFAULT_SOURCES_DIR)
    geodata.add_argument("--out", type=Path, default=DEFAULT_GEODATA_DIR)
    geodata.add_argument("--tolerance", type=float, default=None, help="coverage simplification tolerance, metres")
    geodata.set_defaults(handler=_build_geodata)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from dashboard.app import create_app  # imported here: building the app loads data

    settings = Settings(geodata_dir=args.geodata, host=args.host, port=args.port)
    app = create_app(settings)
    print(f"Cancer Variation Explorer on http://{settings.host}:{settings.port}/", flush=True)
    app.run(host=settings.host, port=settings.port, debug=False)
    return 0


def _build_geodata(args: argparse.Namespace) -> int:
    from dashboard.build.geodata import DEFAULT_TOLERANCE_M, build_geodata

    if not args.sources.is_dir():
        raise InputError(f"--sources: no such folder: {args.sources}")
    started = time.perf_counter()
    result = build_geodata(args.sources, args.out, args.tolerance or DEFAULT_TOLERANCE_M)
    for name, product in sorted(result.manifest["products"].items()):
        print(f"{name:28} {product['feature_count']:5} features {product['bytes'] / 1024:8.1f} KB")
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s")
    return 0
