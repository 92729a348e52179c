"""One function per output family: Selection -> what the page shows. Callbacks call these once.

Everything here is pure (query + views); nothing imports dash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dashboard.data.schema import GROUP_LABELS, GroupDimension
from dashboard.geography import ENGLAND_CODE, LEVEL_LABELS, AreaLevel
from dashboard.query import Explorer
from dashboard.selection import Comparator, Selection
from dashboard.stats.compare import Comparison, compare_with_benchmark
from dashboard.views import charts, maps
from dashboard.views.exports import csv_text, download_filename
from dashboard.views.headline import headline
from dashboard.views.tables import table_records


def _unit(explorer: Explorer, sel: Selection) -> str:
    return explorer.metadata[sel.indicator]["unit"]


def no_data_reason(explorer: Explorer, sel: Selection) -> str:
    """Why a selection shows nothing, in words; empty when there is data."""
    rows = explorer.level_rows(sel)
    level = LEVEL_LABELS[AreaLevel(sel.level)]
    name = explorer.metadata[sel.indicator]["name"]
    if rows.empty:
        return f"No {level} data for '{name}', {sel.cancer}, {sel.period}, group {sel.group_value}: the source does not publish this combination."
    if rows["value"].isna().all():
        return f"Every {level} value is missing for this selection (too few cases to give a value)."
    return ""


@dataclass(frozen=True)
class MapView:
    properties: dict[str, Any]
    legend: list[tuple[str, str, str]]  # (key, label, colour); empty in value mode
    caption: str
    modelled: bool


def map_view(explorer: Explorer, sel: Selection, geometry: maps.MapGeometry) -> MapView:
    rows = explorer.compared_rows(sel)
    unit = _unit(explorer, sel)
    properties = maps.map_properties(sel=sel, rows=rows, unit=unit, benchmark_name=explorer.benchmark_name(sel), geometry=geometry, names=dict(explorer.names))
    shown = rows["value"].notna().sum()
    caption = (
        f"{explorer.metadata[sel.indicator]['name']} ({unit}), {sel.cancer}, {sel.period}: {shown} of "
        f"{len(geometry.level_codes[sel.level])} {LEVEL_LABELS[AreaLevel(sel.level)]} areas have a value"
        + ("; grey areas have none." if shown < len(geometry.level_codes[sel.level]) else ".")
    )
    legend = maps.comparison_legend(rows) if sel.colour == "comparison" else []
    return MapView(properties, legend, caption, bool((rows["data_status"] == "modelled").any()))


def ranked_view(explorer: Explorer, sel: Selection) -> dict[str, Any]:
    rows = explorer.compared_rows(sel)
    benchmark = None
    if sel.compare != Comparator.PEERS.value and not rows.empty:
        benchmark = float(rows["benchmark"].iloc[0])
    return charts.ranked_figure(rows, unit=_unit(explorer, sel), benchmark=benchmark, benchmark_name=explorer.benchmark_name(sel), selected_area=sel.area)


def _series_name(explorer: Explorer, code: str) -> str:
    return explorer.names.get(code, code)


def trend_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str]:
    focus = explorer.focus_area(sel)
    codes = [focus]
    alliance = sel.alliance if sel.has_alliance else _alliance_of(explorer, sel, focus)
    for code in (alliance, ENGLAND_CODE):
        if code and code not in codes:
            codes.append(code)
    series = [(_series_name(explorer, c), explorer.trend_rows(sel, c)) for c in codes]
    title = f"{_series_name(explorer, focus)} over time" + (f", with {', '.join(_series_name(explorer, c) for c in codes[1:])}" if len(codes) > 1 else "")
    return charts.trend_figure(series, unit=_unit(explorer, sel)), title


def _alliance_of(explorer: Explorer, sel: Selection, code: str) -> str:
    row = explorer.area_row(sel, code)
    if row is None or row["alliance_code"] is None or str(row["alliance_code"]) in ("", "nan", "<NA>"):
        return ""
    return str(row["alliance_code"])


def groups_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str]:
    if sel.group == GroupDimension.ALL.value:
        message = "Choose a Group (for example deprivation quintile) to compare groups of patients."
        return charts.empty_figure(message), ""
    focus = explorer.focus_area(sel)
    area_rows = explorer.group_rows(sel, focus)
    england_rows = explorer.group_rows(sel, ENGLAND_CODE) if focus != ENGLAND_CODE else area_rows.iloc[0:0]
    unit = _unit(explorer, sel)
    figure = charts.groups_figure((_series_name(explorer, focus), area_rows), ("England", england_rows), unit=unit)
    sentence = charts.gap_sentence(area_rows, dimension=sel.group, area_name=_series_name(explorer, focus), unit=unit)
    if (area_rows["data_status"] == "modelled").any():
        sentence += " These group figures are MODELLED, not published."
    return figure, sentence


def headline_view(explorer: Explorer, sel: Selection) -> str:
    focus = explorer.focus_area(sel)
    row = explorer.area_row(sel, focus)
    metadata = explorer.metadata[sel.indicator]
    if row is None:
        return no_data_reason(explorer, sel) or f"No figure for {_series_name(explorer, focus)} for this selection."
    if str(row["suppression"]):
        return f"In {sel.period}, the figure for {_series_name(explorer, focus)} is withheld. {row['suppression']}."
    compare_sel = sel if not (sel.compare == Comparator.ALLIANCE.value and focus == sel.alliance) else sel.with_(compare=Comparator.ENGLAND.value)
    if compare_sel.compare == Comparator.PEERS.value:
        compare_sel = compare_sel.with_(compare=Comparator.ENGLAND.value)  # a single area's headline compares with England
    benchmark = float(explorer.benchmarks(compare_sel, row.to_frame().T)[0]) if focus != ENGLAND_CODE else None
    comparison = Comparison.NOT_COMPARED.value
    if benchmark is not None:
        comparison = str(compare_with_benchmark([row["lower_ci"]], [row["upper_ci"]], [benchmark], metadata["polarity"])[0])
    group_label = None if sel.group == GroupDimension.ALL.value else f"{GROUP_LABELS[GroupDimension(sel.group)]}: {sel.group_value}"
    return headline(
        indicator=sel.indicator,
        metadata=metadata,
        cancer=sel.cancer,
        period=sel.period,
        area_name=_series_name(explorer, focus),
        value=row["value"],
        lower=row["lower_ci"],
        upper=row["upper_ci"],
        comparison=comparison,
        benchmark_name=explorer.benchmark_name(compare_sel),
        benchmark=benchmark,
        group_label=group_label,
        modelled=row["data_status"] == "modelled",
    )


def table_view(explorer: Explorer, sel: Selection) -> list[dict[str, object]]:
    return table_records(explorer.compared_rows(sel))


def download_view(explorer: Explorer, sel: Selection, *, permalink: str, generated: datetime) -> tuple[str, str]:
    """(file name, CSV text) for exactly the rows of the table."""
    text = csv_text(
        explorer.compared_rows(sel), sel=sel, metadata=explorer.metadata[sel.indicator], permalink=permalink,
        generated=generated, benchmark_name=explorer.benchmark_name(sel),
    )
    return download_filename(sel), text
