"""The map card: values or comparisons coloured on the level's areas, a legend and a caption."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.core.geography import LEVEL_LABELS, AreaLevel
from dashboard.core.selection import ColourBy, Selection
from dashboard.data.schema import GROUP_LABELS, GroupDimension
from dashboard.figures import maps
from dashboard.figures.layout import modelled_annotations
from dashboard.presenters.common import modelled_statement, possessive, series_name, unit_of
from dashboard.query.explorer import Explorer

SUBICB = AreaLevel.SUBICB.value


@dataclass(frozen=True)
class MapView:
    properties: dict[str, Any]
    legend: list[tuple[str, str, str]]  # (key, label, colour); empty in value mode
    caption: str
    modelled: bool


def map_view(explorer: Explorer, sel: Selection, geometry: maps.MapGeometry) -> MapView:
    rows = explorer.compared_rows(sel)
    unit = unit_of(explorer, sel)
    properties = maps.map_properties(sel=sel, rows=rows, unit=unit, benchmark_name=explorer.benchmark_name(sel), geometry=geometry, names=dict(explorer.names))
    shown = int(rows["value"].notna().sum())
    caption = (
        f"{explorer.indicator(sel).name} ({unit}), {sel.cancer}, {sel.period}: {shown} of the "
        f"{len(rows)} {LEVEL_LABELS[AreaLevel(sel.level)]} areas in the source have a value"
        + ("; grey areas have none (hover says why)." if shown < len(rows) else ".")
    )
    if sel.group != GroupDimension.ALL.value:
        label = GROUP_LABELS[GroupDimension(sel.group)]
        caption += f" Showing one group of patients, {label[0].lower() + label[1:]}: {sel.group_value} (choose another under Group value)."
    statement = modelled_statement(explorer, sel, rows)
    properties["annotations"] = modelled_annotations(statement, inside=True) if statement else []
    if statement:
        caption += " MODELLED figures: not compared with a benchmark."
    finer = finer_level_note(explorer, sel, rows)
    if finer:
        caption += f" {finer}"
    legend = maps.comparison_legend(rows) if sel.colour == ColourBy.COMPARISON.value else []
    return MapView(properties, legend, caption, bool(statement))


def finer_level_note(explorer: Explorer, sel: Selection, rows: pd.DataFrame) -> str:
    """Where an alliance's own view can go no finer than its ICBs, in words beside the map, with
    the indicator that can (a menu option's "(no data at this level)" is found only by opening it)."""
    if not sel.has_alliance or sel.level != AreaLevel.ICB.value or SUBICB in explorer.lookups.levels(sel.indicator, sel.cancer):
        return ""
    count = int(rows["in_alliance"].sum())
    indicator = explorer.indicator(sel)
    text = (
        f"'{indicator.name}' has no sub-ICB figures, so {possessive(series_name(explorer, sel.alliance))} {count} "
        f"{'ICB is' if count == 1 else 'ICBs are'} the finest view of it."
    )
    base = indicator.base or indicator.id
    finer = [
        other for other in explorer.order
        if other != indicator.id and (explorer.registry[other].base or other) == base
        and any(SUBICB in explorer.lookups.levels(other, cancer) for cancer in explorer.lookups.cancers(other))
    ]
    if finer:
        text += f" For sub-ICB areas, choose '{explorer.registry[finer[0]].name}' under Indicator."
    return text
