"""The cards: for each, the Dash outputs it fills, its content as plain data, and how that
content becomes those outputs.

Content is plain data (figures are dicts, text is str) so that it can be compared with what
the page already shows, remembered per selection and kept in a cache shared by workers.
Each content function makes one call into a presenter; `render` wraps it in Dash components.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from dash import Patch, html

from dashboard.core.selection import Selection
from dashboard.figures.maps import MapGeometry
from dashboard.presenters.common import no_data_reason
from dashboard.presenters.funnel import funnel_view
from dashboard.presenters.groups import groups_view
from dashboard.presenters.headline import caveat_line, headline_view, key_figure
from dashboard.presenters.inequality import inequality_rank_view
from dashboard.presenters.map import map_view
from dashboard.presenters.ranked import ranked_title, ranked_view
from dashboard.presenters.summary import (
    funnel_summary,
    groups_summary,
    inequality_summary,
    map_summary,
    ranked_summary,
    trend_summary,
)
from dashboard.presenters.table import table_view
from dashboard.presenters.trend import trend_view
from dashboard.presenters.variation import variation_view
from dashboard.query.explorer import Explorer
from dashboard.web import ids
from dashboard.web.grid import grid_props
from dashboard.web.layout import chart_graph


@dataclass(frozen=True)
class Card:
    name: str
    outputs: tuple[tuple[str, str], ...]  # (component id, property), in callback order
    content: Callable[[Explorer, MapGeometry, Selection], tuple]
    # (content, the content the page shows now if known) -> the card's outputs. Output i is
    # made from the content's part i alone (callbacks/page.py sends only the parts that changed).
    render: Callable[[tuple, tuple | None], tuple] = lambda content, _shown: tuple(content)


def map_content(explorer: Explorer, geometry: MapGeometry, sel: Selection) -> tuple:
    view = map_view(explorer, sel, geometry)
    return view.properties, view.legend, view.caption


def render_map(content: tuple, shown: tuple | None = None) -> tuple[Patch, list[html.Li], str]:
    """Only the values change: a Patch of the traces and the view box, never the boundaries;
    and, when the content the page shows is known, only the properties that differ from it."""
    properties, legend, caption = content
    before = shown[0] if shown else {"traces": {}, "geo": {}}
    patched = Patch()
    for index, trace in properties["traces"].items():
        for key, value in trace.items():
            if before["traces"].get(index, {}).get(key) != value:
                patched["data"][index][key] = value
    for key, value in properties["geo"].items():
        if before["geo"].get(key) != value:
            patched["layout"]["geo"][key] = value
    if before.get("annotations") != properties["annotations"]:
        patched["layout"]["annotations"] = properties["annotations"]  # the MODELLED mark, or none
    items = [html.Li([html.Span(className="swatch", style={"background": colour}), label], **{"data-key": key}) for key, label, colour in legend]
    return patched, items, caption


def in_slot(graph_id: str, render: Callable[[tuple, tuple | None], tuple] | None = None) -> Callable[[tuple, tuple | None], tuple]:
    """`render`, with its first output (a figure) made into its graph, for the graph's slot
    (ids.GRAPH_SLOTS): a chart not shown is not mounted, so it draws nothing."""
    def rendered(content: tuple, shown: tuple | None = None) -> tuple:
        figure, *rest = render(content, shown) if render else content
        return (chart_graph(graph_id, figure), *rest)

    return rendered


def ranked_content(explorer: Explorer, _geometry: MapGeometry, sel: Selection) -> tuple:
    return ranked_view(explorer, sel), ranked_title(explorer, sel)


def trend_content(explorer: Explorer, _geometry: MapGeometry, sel: Selection) -> tuple:
    return trend_view(explorer, sel)


def render_trend(content: tuple, _shown: tuple | None = None) -> tuple:
    figure, title, note, icons = content
    badges = [html.Span(letter, className=f"spc-icon {css}", title=label, role="img", **{"aria-label": label}) for css, letter, label in icons]
    return figure, title, note, badges


def groups_content(explorer: Explorer, _geometry: MapGeometry, sel: Selection) -> tuple:
    return tuple(groups_view(explorer, sel))


def headline_content(explorer: Explorer, _geometry: MapGeometry, sel: Selection) -> tuple:
    """(headline, modelled badge hidden, no-data message, no-data message hidden, the key figure,
    the caveats line): the last two are shown in presentation mode."""
    reason = no_data_reason(explorer, sel)
    return headline_view(explorer, sel), not explorer.modelled_in_view(sel), reason, not reason, key_figure(explorer, sel), caveat_line(explorer, sel)


def variation_content(explorer: Explorer, _geometry: MapGeometry, sel: Selection) -> tuple:
    return (variation_view(explorer, sel),)


def render_variation(content: tuple, _shown: tuple | None = None) -> tuple[list[Any]]:
    (items,) = content
    return ([child for term, text in items for child in (html.Dt(term), html.Dd(text))],)


def inequality_content(explorer: Explorer, _geometry: MapGeometry, sel: Selection) -> tuple:
    return tuple(inequality_rank_view(explorer, sel))


def funnel_content(explorer: Explorer, _geometry: MapGeometry, sel: Selection) -> tuple:
    return tuple(funnel_view(explorer, sel))


def table_content(explorer: Explorer, _geometry: MapGeometry, sel: Selection) -> tuple:
    return (table_view(explorer, sel),)


def render_table(content: tuple, _shown: tuple | None = None) -> tuple:
    """The grid's properties, for the store the browser makes the grid from (web/grid.py)."""
    (records,) = content
    return (grid_props(records),)


def described(chart: str, summary: Callable[[Explorer, Selection], str], card: Card) -> Card:
    """`card` with its chart's one-sentence text alternative as a last part and output
    (ids.SUMMARIES): output i is still made from content part i alone."""
    def content(explorer: Explorer, geometry: MapGeometry, sel: Selection) -> tuple:
        return (*card.content(explorer, geometry, sel), summary(explorer, sel))

    def render(parts: tuple, shown: tuple | None = None) -> tuple:
        return (*card.render(parts[:-1], shown[:-1] if shown else None), parts[-1])

    return Card(card.name, (*card.outputs, (ids.SUMMARIES[chart], "children")), content, render)


CARDS: tuple[Card, ...] = (
    described("map", map_summary, Card("map", ((ids.MAP, "figure"), (ids.MAP_LEGEND, "children"), (ids.MAP_CAPTION, "children")), map_content, render_map)),
    described("ranked", ranked_summary, Card("ranked", ((ids.RANKED, "figure"), (ids.RANKED_TITLE, "children")), ranked_content)),
    described("trend", trend_summary, Card(
        "trend",
        ((ids.GRAPH_SLOTS[ids.TREND], "children"), (ids.TREND_TITLE, "children"), (ids.TREND_NOTE, "children"), (ids.SPC_ICONS, "children")),
        trend_content, in_slot(ids.TREND, render_trend),
    )),
    described("groups", groups_summary, Card("groups", ((ids.GRAPH_SLOTS[ids.GROUPS], "children"), (ids.GAP, "children")), groups_content, in_slot(ids.GROUPS))),
    Card(
        "headline",
        ((ids.HEADLINE, "children"), (ids.MODELLED_BADGE, "hidden"), (ids.NO_DATA, "children"), (ids.NO_DATA, "hidden"), (ids.KEY_FIGURE, "children"), (ids.CAVEATS, "children")),
        headline_content,
    ),
    Card("variation", ((ids.VARIATION, "children"),), variation_content, render_variation),
    described("inequality", inequality_summary, Card(
        "inequality", ((ids.GRAPH_SLOTS[ids.INEQUALITY_RANK], "children"), (ids.INEQUALITY_NOTE, "children")),
        inequality_content, in_slot(ids.INEQUALITY_RANK),
    )),
    described("funnel", funnel_summary, Card("funnel", ((ids.GRAPH_SLOTS[ids.FUNNEL], "children"), (ids.FUNNEL_NOTE, "children")), funnel_content, in_slot(ids.FUNNEL))),
    Card("table", ((ids.TABLE_DATA, "data"),), table_content, render_table),
)


def contents(explorer: Explorer, geometry: MapGeometry, sel: Selection, names: Collection[str] | None = None) -> dict[str, tuple]:
    """The content of the cards `names` (every card if None) for one selection."""
    return {card.name: card.content(explorer, geometry, sel) for card in CARDS if names is None or card.name in names}


def card_outputs(name: str, explorer: Explorer, data: dict[str, str], geometry: MapGeometry | None = None) -> tuple:
    """One card's Dash outputs for a selection dict (only the map needs `geometry`)."""
    card = next(card for card in CARDS if card.name == name)
    return card.render(card.content(explorer, geometry, Selection.from_dict(data)), None)  # type: ignore[arg-type]
