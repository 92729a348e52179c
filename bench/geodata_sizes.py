"""Print what the browser receives for the map: product sizes, raw and gzipped, and load time.

Run: make bench   (or .venv/bin/python bench/geodata_sizes.py)
"""

from __future__ import annotations

import gzip
import json
import time

from dashboard.core.geography import BOUNDARY_LEVELS, MANIFEST_FILE
from dashboard.core.settings import DEFAULT_GEODATA_DIR
from dashboard.web.app import create_app


def main() -> None:
    manifest = json.loads((DEFAULT_GEODATA_DIR / MANIFEST_FILE).read_text())
    print(f"{'product':28} {'features':>8} {'KB':>8} {'KB gzip':>8}")
    for name, product in sorted(manifest["products"].items()):
        data = (DEFAULT_GEODATA_DIR / name).read_bytes()
        print(f"{name:28} {product['feature_count']:8} {len(data) / 1024:8.1f} {len(gzip.compress(data)) / 1024:8.1f}")
    started = time.perf_counter()
    client = create_app().server.test_client()
    built = time.perf_counter() - started
    started = time.perf_counter()
    layout = client.get("/_dash-layout").get_data()
    served = time.perf_counter() - started
    print(f"levels: {', '.join(level.value for level in BOUNDARY_LEVELS)}")
    print(f"create_app: {built * 1000:.0f} ms; first /_dash-layout: {served * 1000:.0f} ms")
    print(f"/_dash-layout (alliance + ICB map and page): {len(layout) / 1024:.1f} KB, "
          f"{len(gzip.compress(layout)) / 1024:.1f} KB gzipped (budget 300 KB)")


if __name__ == "__main__":
    main()
