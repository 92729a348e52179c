"""The card callbacks' bodies: the selection store in, each card's Dash outputs out.

Each is a plain function of (explorer, selection dict): it makes one call into a
presenter and wraps the result in Dash components. `register` only wires them.
"""

from __future__ import annotations

from typing import Any

from dash import Patch, html

from dashboard.core.selection import Selection
from dashboard.figures.maps import MapGeometry
from dashboard.presenters.common import no_data_reason
from dashboard.presenters.funnel import funnel_view
from dashboard.presenters.groups import groups_view
from dashboard.presenters.headline import headline_view
from dashboard.presenters.inequality import inequality_rank_view
from dashboard.presenters.map import map_view
from dashboard.presenters.ranked import ranked_title, ranked_view
from dashboard.presenters.table import table_view
from dashboard.presenters.trend import trend_view
from dashboard.presenters.variation import variation_view
from dashboard.query.explorer import Explorer


def map_outputs(explorer: Explorer, geometry: MapGeometry, data: dict[str, str]) -> tuple[Patch, list[html.Li], str]:
    """Only the values change: a Patch of the traces and the view box, never the boundaries."""
    view = map_view(explorer, Selection.from_dict(data), geometry)
    patched = Patch()
    for index, properties in view.properties["traces"].items():
        for key, value in properties.items():
            patched["data"][index][key] = value
    for key, value in view.properties["geo"].items():
        patched["layout"]["geo"][key] = value
    patched["layout"]["annotations"] = view.properties["annotations"]  # the MODELLED mark, or none
    legend = [html.Li([html.Span(className="swatch", style={"background": colour}), label], **{"data-key": key}) for key, label, colour in view.legend]
    return patched, legend, view.caption


def ranked_outputs(explorer: Explorer, data: dict[str, str]) -> tuple[dict[str, Any], str]:
    sel = Selection.from_dict(data)
    return ranked_view(explorer, sel), ranked_title(explorer, sel)


def trend_outputs(explorer: Explorer, data: dict[str, str]) -> tuple[dict[str, Any], str, str, list[html.Span]]:
    figure, title, note, icons = trend_view(explorer, Selection.from_dict(data))
    badges = [html.Span(letter, className=f"spc-icon {css}", title=label, role="img", **{"aria-label": label}) for css, letter, label in icons]
    return figure, title, note, badges


def groups_outputs(explorer: Explorer, data: dict[str, str]) -> tuple[dict[str, Any], str]:
    return groups_view(explorer, Selection.from_dict(data))


def headline_outputs(explorer: Explorer, data: dict[str, str]) -> tuple[str, bool, str, bool]:
    """(headline, modelled badge hidden, no-data message, no-data message hidden)."""
    sel = Selection.from_dict(data)
    reason = no_data_reason(explorer, sel)
    return headline_view(explorer, sel), not explorer.modelled_in_view(sel), reason, not reason


def variation_outputs(explorer: Explorer, data: dict[str, str]) -> list[Any]:
    items = variation_view(explorer, Selection.from_dict(data))
    return [child for term, text in items for child in (html.Dt(term), html.Dd(text))]


def inequality_outputs(explorer: Explorer, data: dict[str, str]) -> tuple[dict[str, Any], str]:
    return inequality_rank_view(explorer, Selection.from_dict(data))


def funnel_outputs(explorer: Explorer, data: dict[str, str]) -> tuple[dict[str, Any], str]:
    return funnel_view(explorer, Selection.from_dict(data))


def table_outputs(explorer: Explorer, data: dict[str, str]) -> list[dict[str, object]]:
    return table_view(explorer, Selection.from_dict(data))
