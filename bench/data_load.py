"""Print how long start-up takes and how much memory the dataset holds.

Run: .venv/bin/python bench/data_load.py
"""

from __future__ import annotations

import resource
import time

from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR


def main() -> None:
    started = time.perf_counter()
    from dashboard.data.loading import load_dataset

    dataset = load_dataset(DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR)
    loaded = time.perf_counter() - started
    frame = dataset.indicators
    print(f"load_dataset (read + validate + compact): {loaded:.2f} s")
    print(f"rows: {len(frame):,}; in memory: {frame.memory_usage(deep=True).sum() / 1e6:.1f} MB")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
