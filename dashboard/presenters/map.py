"""The map card: values or comparisons coloured on the level's areas, a legend and a caption."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.core.geography import LEVEL_LABELS, AreaLevel
from dashboard.core.selection import ColourBy, Selection
from dashboard.figures import maps
from dashboard.figures.layout import modelled_annotations
from dashboard.presenters.common import modelled_statement, unit_of
from dashboard.query.explorer import Explorer


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
    statement = modelled_statement(explorer, sel, rows)
    properties["annotations"] = modelled_annotations(statement, inside=True) if statement else []
    if statement:
        caption += " MODELLED figures: not compared with a benchmark."
    legend = maps.comparison_legend(rows) if sel.colour == ColourBy.COMPARISON.value else []
    return MapView(properties, legend, caption, bool(statement))
