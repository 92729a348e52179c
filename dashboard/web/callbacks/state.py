"""How the page's state moves: from the URL, from a control, or from a click on an area.

The single rule: the URL and the controls always describe the same valid Selection.
`next_state` is pure and knows nothing of Dash: it is told what changed as a `Change`.
`sync_state` is the callback body: it turns Dash's trigger into a `Change` and the new
state into the callback's outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dash import html, no_update

from dashboard.core.selection import (
    ALL_ENGLAND,
    COLOUR_LABELS,
    COMPARATOR_LABELS,
    CONFIDENCE_LABELS,
    LISTING_LABELS,
    OVERDISPERSION_LABELS,
    Comparator,
    Notice,
    Option,
    Selection,
)
from dashboard.data.schema import GroupDimension
from dashboard.query.areas import area_options, control_value, selection_value
from dashboard.query.explorer import Explorer
from dashboard.web import ids
from dashboard.web.charts import DEFAULT_CHART, PRESENT_ON, valid_chart
from dashboard.web.layout import as_options
from dashboard.web.urlstate import decode, decode_chart, decode_present, encode

FIELDS = list(ids.CONTROLS)  # selection fields that have a control, in output order
FIELD_OF_CONTROL = {control: field for field, control in ids.CONTROLS.items()}


class Change(StrEnum):
    URL = "url"  # the page was opened, or back/forward
    CONTROL = "control"  # a control changed
    CLICK = "click"  # an area was clicked on the map or the ranked chart (the Area control is a CONTROL)


# Changing these starts afresh: an area chosen for one indicator or level means nothing in another.
CLEARS_AREA = frozenset({"level", "indicator"})


@dataclass(frozen=True)
class PageState:
    selection: Selection
    search: str
    notices: list[Notice]
    options: dict[str, list[Option]]  # control field -> its options
    chart: str = DEFAULT_CHART  # the chart shown beside the map (web/charts.py)
    present: bool = False  # presentation mode (web/charts.py)


def clicked_area(click: Any) -> str | None:
    """The area code in a map or ranked-chart click, if any. The click comes from the browser and
    is checked, not trusted: anything but plotly's shape ({"points": [{"location"|"customdata"}]})
    is no click (an adversarial check sent strings, numbers and lists, which raised)."""
    points = click.get("points") if isinstance(click, dict) else None
    point = points[0] if isinstance(points, list) and points else None
    if not isinstance(point, dict):
        return None
    if isinstance(point.get("location"), str):
        return point["location"]
    data = point.get("customdata")
    return data[0] if isinstance(data, list) and data and isinstance(data[0], str) else None


def next_state(
    explorer: Explorer, *, change: Change, search: str | None, values: dict[str, str], previous: dict[str, str] | None,
    field: str | None = None, area: str | None = None, chart: str | None = None, toggle_present: bool = False,
) -> PageState:
    """The page's next state. `field` is the control that changed; `area` the code clicked;
    `chart` the chart tabs' value (from the URL when the URL changed); `toggle_present` the
    presentation button (or Esc) was pressed."""
    if change is Change.URL:
        sel, notices = decode(search, explorer)
        chart, chart_notices = decode_chart(search)
        present, present_notices = decode_present(search)
        notices += chart_notices + present_notices
    else:
        present = was_presenting(previous) != toggle_present
        chart = valid_chart(chart) or valid_chart(previous.get("chart") if isinstance(previous, dict) else None) or DEFAULT_CHART
        stored = previous if isinstance(previous, dict) else {}  # the browser's store: checked, not trusted
        current = dict(stored) | {k: (selection_value(k, v) if v is not None else "") for k, v in values.items()}
        if change is Change.CLICK and area is not None:
            current["area"] = "" if area == current.get("area") else area  # a second click clears
        elif field in CLEARS_AREA:
            current["area"] = ""
        elif field == "alliance" and current.get("area") and current.get("alliance") in explorer.members:
            if current["area"] not in explorer.members[current["alliance"]]:
                current["area"] = ""  # an area outside the newly chosen alliance
        sel, _ = explorer.normalise(Selection.from_dict(current))
        notices = []
    return PageState(sel, encode(sel, chart, present), notices, control_options_of(explorer, sel), chart, present)


def was_presenting(previous: dict[str, str] | None) -> bool:
    """Whether the page was in presentation mode, as its store says (from the browser: checked)."""
    return isinstance(previous, dict) and previous.get("present") == PRESENT_ON


def control_options(explorer: Explorer, sel: Selection) -> dict[str, list[Option]]:
    group_values = explorer.group_value_options(sel) if sel.group != GroupDimension.ALL.value else [Option("All", "All patients (choose a Group)")]
    return {
        "indicator": explorer.indicator_options(),
        "cancer": explorer.cancer_options(sel.indicator),
        "period": explorer.period_options(sel),
        "level": explorer.level_options(sel),
        "alliance": [Option(ALL_ENGLAND, "All England")] + [Option(code, name) for code, name in explorer.alliances],
        "area": area_options(explorer, sel),
        "group": explorer.group_options(sel),
        "group_value": group_values,
        "compare": [_compare_option(explorer, sel, key, label) for key, label in COMPARATOR_LABELS.items()],
        "colour": [Option(key.value, label) for key, label in COLOUR_LABELS.items()],
        "confidence": [Option(key, label) for key, label in CONFIDENCE_LABELS.items()],
        "overdispersion": [Option(key, label) for key, label in OVERDISPERSION_LABELS.items()],
        # Only an alliance chosen below the alliance level has areas of its own to list.
        "listing": [Option(key, label, disabled=not sel.alliance_has_areas) for key, label in LISTING_LABELS.items()],
    }


def _compare_option(explorer: Explorer, sel: Selection, key: Comparator, label: str) -> Option:
    """A benchmark that cannot be chosen here is listed, disabled, with the reason in its label."""
    if key is Comparator.ALLIANCE and not sel.has_alliance:
        return Option(key.value, f"{label} (choose an Alliance first)", disabled=True)
    if key is Comparator.PEERS and not explorer.peers_comparable(sel):
        return Option(key.value, f"{label} (not for an age-standardised rate or a count)", disabled=True)
    return Option(key.value, label)


def control_options_of(explorer: Explorer, sel: Selection) -> dict[str, list[Option]]:
    """`control_options`, remembered per selection (every change compares with the previous one's)."""
    return explorer.answer(("control_options", sel), lambda: control_options(explorer, sel))


def page_state(
    explorer: Explorer, *, trigger: str | None, search: str | None, values: dict[str, str],
    map_click: dict[str, Any] | None, ranked_click: dict[str, Any] | None, previous: dict[str, str] | None,
    chart: str | None = None,
) -> PageState:
    """Dash's trigger turned into a `Change`, and the page's next state."""
    if trigger == ids.PRESENT:
        return next_state(explorer, change=Change.CONTROL, search=search, values=values, previous=previous, chart=chart, toggle_present=True)
    if trigger in (None, ids.URL):
        return next_state(explorer, change=Change.URL, search=search, values=values, previous=previous)
    if trigger in (ids.MAP, ids.RANKED):
        area = clicked_area(map_click if trigger == ids.MAP else ranked_click)
        return next_state(explorer, change=Change.CLICK, search=search, values=values, previous=previous, area=area, chart=chart)
    return next_state(
        explorer, change=Change.CONTROL, search=search, values=values, previous=previous, field=FIELD_OF_CONTROL.get(trigger), chart=chart,
    )


def state_outputs(
    state: PageState, trigger: str | None, unchanged: Callable[[str], bool] = lambda _field: False, *,
    held: dict[str, Any] | None = None, chart_held: str | None = None, group_value_disabled: bool | None = None,
) -> tuple[Any, ...]:
    """(URL search, store, notices, control values…, control options…, group value disabled, chart,
    address correction).

    What the browser already holds is `no_update`: a control's options when `unchanged(field)`
    says so; a control's value when `held` (the values the request came with) has it; the
    chart when `chart_held` is it; the group value's disabled flag when it equals
    `group_value_disabled` (None: not known). The store holds the selection and the chart
    shown: what the page shows, for the next change."""
    held = held or {}
    notices = [html.P(f"Link parameter '{n.parameter}': {n.message}", className="notice") for n in state.notices]
    selection = state.selection.as_dict()
    disabled = state.selection.group == GroupDimension.ALL.value
    return (
        # A change the address did not make is a new history entry; one the address made, it already says.
        no_update if trigger in (None, ids.URL) else state.search,
        {**selection, "chart": state.chart, "present": PRESENT_ON if state.present else ""},
        notices,
        *[no_update if held.get(f) == control_value(f, selection[f]) else control_value(f, selection[f]) for f in FIELDS],
        *[no_update if unchanged(f) else as_options(state.options[f]) for f in FIELDS],
        no_update if disabled == group_value_disabled else disabled,
        no_update if chart_held == state.chart else state.chart,
        # An address that said something invalid is corrected to what is shown, in place (the
        # browser replaces its history entry: assets/linked_view.js), so that a link copied from
        # the address bar opens this view and Back leaves the page instead of correcting it again.
        state.search if trigger in (None, ids.URL) and state.notices else no_update,
    )


def sync_state(
    explorer: Explorer, *, trigger: str | None, search: str | None, values: dict[str, str],
    map_click: dict[str, Any] | None, ranked_click: dict[str, Any] | None, previous: dict[str, str] | None,
) -> tuple[Any, ...]:
    """The state part of the page callback, every option sent."""
    state = page_state(explorer, trigger=trigger, search=search, values=values, map_click=map_click, ranked_click=ranked_click, previous=previous)
    return state_outputs(state, trigger)
