"""How the page's state moves: from the URL, or from a control or a click. Pure.

The single rule: the URL and the controls always describe the same valid Selection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.web import ids
from dashboard.query.explorer import Explorer, Notice, Option
from dashboard.core.selection import ALL_ENGLAND, Selection
from dashboard.web.urlstate import decode, encode


@dataclass(frozen=True)
class PageState:
    selection: Selection
    search: str
    notices: list[Notice]
    options: dict[str, list[Option]]  # control field -> its options


def clicked_area(click: dict[str, Any] | None) -> str | None:
    """The area code in a map or ranked-chart click, if any."""
    if not click or not click.get("points"):
        return None
    point = click["points"][0]
    if "location" in point:
        return str(point["location"])
    data = point.get("customdata")
    return str(data[0]) if data else None


def next_state(explorer: Explorer, *, trigger: str | None, search: str | None, values: dict[str, str], previous: dict[str, str] | None, click: dict[str, Any] | None) -> PageState:
    if trigger in (None, ids.URL):
        sel, notices = decode(search, explorer)
    else:
        current = dict(previous or {}) | {k: (v if v is not None else "") for k, v in values.items()}
        area = clicked_area(click) if trigger in (ids.MAP, ids.RANKED) else None
        if area is not None:
            current["area"] = "" if area == current.get("area") else area  # a second click clears
        elif trigger in (ids.LEVEL, ids.INDICATOR):
            current["area"] = ""
        elif trigger == ids.ALLIANCE and current.get("area") and current.get("alliance") in explorer.members:
            if current["area"] not in explorer.members[current["alliance"]]:
                current["area"] = ""
        sel, _ = explorer.normalise(Selection.from_dict(current))
        notices = []
    return PageState(sel, encode(sel), notices, control_options(explorer, sel))


def control_options(explorer: Explorer, sel: Selection) -> dict[str, list[Option]]:
    from dashboard.core.selection import COLOUR_LABELS, COMPARATOR_LABELS, CONFIDENCE_LABELS, OVERDISPERSION_LABELS

    group_values = explorer.group_value_options(sel) if sel.group != "all" else [Option("All", "All patients (choose a Group)")]
    return {
        "indicator": explorer.indicator_options(),
        "cancer": explorer.cancer_options(sel.indicator),
        "period": explorer.period_options(sel),
        "level": explorer.level_options(sel),
        "alliance": [Option(ALL_ENGLAND, "All England")] + [Option(code, name) for code, name in explorer.alliances],
        "group": explorer.group_options(sel),
        "group_value": group_values,
        "compare": [
            Option(key.value, label, disabled=(key.value == "alliance" and not sel.has_alliance))
            for key, label in COMPARATOR_LABELS.items()
        ],
        "colour": [Option(key.value, label) for key, label in COLOUR_LABELS.items()],
        "confidence": [Option(key, label) for key, label in CONFIDENCE_LABELS.items()],
        "overdispersion": [Option(key, label) for key, label in OVERDISPERSION_LABELS.items()],
    }
