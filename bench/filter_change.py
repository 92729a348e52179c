"""Print the server time and response size of one filter change, per output family.

Calls the same pure functions the callbacks call (the presenters, one per card), on the
committed data, with every memo cache in dashboard/ cleared before every repeat (so each
figure is a cold request; in the app, output families after the first reuse the memoised rows).
Run: .venv/bin/python bench/filter_change.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from dashboard.core.selection import Selection
from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR
from dashboard.data.loading import load_dataset
from dashboard.presenters.funnel import funnel_view
from dashboard.presenters.groups import groups_view
from dashboard.presenters.headline import headline_view
from dashboard.presenters.inequality import inequality_rank_view
from dashboard.presenters.map import map_view
from dashboard.presenters.ranked import ranked_view
from dashboard.presenters.table import table_view
from dashboard.presenters.trend import trend_view
from dashboard.presenters.variation import variation_view
from dashboard.query.explorer import Explorer
from dashboard.web.app import create_app, map_geometry, map_layers
from dashboard.web.callbacks.state import Change, next_state

SELECTIONS = [
    Selection("early_stage", "All cancers", "2022", "alliance"),
    Selection("early_stage", "Lung", "2022", "icb", "E56000018", "imd_quintile", "1 - most deprived"),
    Selection("fds_28day", "All suspected cancers", "2023-24", "icb", compare="peers", colour="comparison"),
    Selection("mortality_asr", "Lung", "2020", "subicb"),
    Selection("mortality_age_specific", "Lung", "2020", "subicb", group="age_band", group_value="50 to 59"),
]
REPEATS = 20


def clear_caches(explorer: Explorer) -> None:
    """Each repeat is a first request for its selection (a fresh filter change): the
    explorer's memo (compared rows, inequality ranking, funnel limits) is emptied, and so is
    any functools cache left in dashboard/ (module functions and methods)."""
    explorer.forget()  # time every card cold
    for name, module in list(sys.modules.items()):
        if not name.startswith("dashboard."):
            continue
        for value in list(vars(module).values()):
            members = vars(value).values() if isinstance(value, type) and value.__module__ == name else [value]
            for member in members:
                if callable(getattr(type(member), "cache_clear", None)):  # the type: no proxies
                    member.cache_clear()


def timed(explorer: Explorer, fn) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(REPEATS):
        clear_caches(explorer)
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    size = len(json.dumps(result, default=str))
    return statistics.median(times) * 1000, size


def main() -> None:
    dataset = load_dataset(DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR)
    explorer = Explorer.from_dataset(dataset)
    layers = map_layers(dataset)
    geometry = map_geometry(layers)
    print(f"{'selection':58} {'family':10} {'ms (median)':>11} {'bytes':>8}")
    for raw in SELECTIONS:
        sel = explorer.normalise(raw)[0]
        families = {
            "state": lambda: next_state(explorer, change=Change.CONTROL, search="", values=sel.as_dict(), previous=sel.as_dict(), field="period").search,
            "map": lambda: map_view(explorer, sel, geometry).properties,
            "ranked": lambda: ranked_view(explorer, sel),
            "trend": lambda: trend_view(explorer, sel),
            "groups": lambda: groups_view(explorer, sel),
            "headline": lambda: headline_view(explorer, sel),
            "table": lambda: table_view(explorer, sel),
            "variation": lambda: variation_view(explorer, sel),
            "funnel": lambda: funnel_view(explorer, sel),
            "inequality": lambda: inequality_rank_view(explorer, sel),
        }
        total = 0.0
        label = f"{sel.indicator}/{sel.cancer}/{sel.period}/{sel.level}/{sel.group}"
        for family, fn in families.items():
            ms, size = timed(explorer, fn)
            total += ms
            print(f"{label:58} {family:10} {ms:11.1f} {size:8}")
        print(f"{label:58} {'TOTAL':10} {total:11.1f}")
    client = create_app(dataset=dataset).server.test_client()
    sizes = {name: len(client.get(f"/geo/{name}.json").get_data()) for name in ("alliance", "icb", "subicb", "outline")}
    print("geometry served once per page load (bytes):", sizes)
    print("page layout (bytes):", len(client.get("/_dash-layout").get_data()))


if __name__ == "__main__":
    main()
