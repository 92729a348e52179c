"""The one callback per change: the page's state and every card shown, from one request.

What comes back is only what changed. Control options the browser already holds are
`no_update`; so is every card whose content equals what the previous selection showed
(known when this worker, or the shared cache, still holds it): changing the map's colours
re-sends the map alone. Only the chosen chart's card is computed and sent (web/charts.py);
the others are `no_update` until chosen, and choosing one sends it whole for the current
selection. Card contents are plain data, remembered per selection in the explorer's memo
and, when configured, in a cache shared between workers (`ResultCache`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from dash import Patch, no_update

from dashboard.core.selection import Selection
from dashboard.data.schema import GroupDimension
from dashboard.figures.maps import MapGeometry
from dashboard.query.explorer import Explorer
from dashboard.web import ids
from dashboard.web.callbacks import cards, state
from dashboard.web.callbacks.presented import presented, presented_annotations
from dashboard.web.charts import CHARTS, DEFAULT_CHART, FILLING_CHARTS, valid_chart

FIELDS = state.FIELDS
IN_LAYOUT = frozenset({"map", "headline", "variation"})  # cards the page holds before its first answer
ALWAYS_SHOWN = frozenset({"map", "headline", "variation"})  # every other card is a chart (web/charts.py)
FIRST_VIEW_CARDS = ALWAYS_SHOWN | {DEFAULT_CHART}  # what the first page shows, made at start-up

STATE_OUTPUTS: list[tuple[str, str]] = [
    (ids.URL, "search"),
    (ids.SELECTION, "data"),
    (ids.NOTICES, "children"),
    *[(ids.CONTROLS[f], "value") for f in FIELDS],
    *[(ids.CONTROLS[f], "options") for f in FIELDS],
    (ids.GROUP_VALUE, "disabled"),
    (ids.CHART, "value"),
    (ids.ADDRESS_CORRECTION, "data"),
]
# Before the cards: a chart's panel is shown before its figure is drawn into it.
PANEL_OUTPUTS: list[tuple[str, str]] = [(ids.CHART_PANELS[chart], "hidden") for chart in CHARTS]
OUTPUTS: list[tuple[str, str]] = STATE_OUTPUTS + PANEL_OUTPUTS + [output for card in cards.CARDS for output in card.outputs]


class ResultCache(Protocol):
    """A cache shared between workers (Flask-Caching's interface): `get` gives None when absent."""

    def get(self, key: str) -> Any: ...
    def set(self, key: str, value: Any) -> bool: ...


def card_contents(
    explorer: Explorer, geometry: MapGeometry, sel: Selection, cache: ResultCache | None, names: Collection[str] | None = None,
) -> dict[str, tuple]:
    """The contents of the cards `names` (every card if None) for `sel`: from this worker's memo,
    else the shared cache, else computed. The dict returned may hold other cards too."""
    wanted = {card.name for card in cards.CARDS} if names is None else set(names)
    held: dict[str, tuple] = explorer.answer(("cards", sel), dict)  # filled card by card, as cards are asked for
    if wanted <= held.keys():
        return held
    key = cache_key(sel)
    if cache is not None and isinstance(found := cache.get(key), dict):
        held.update({name: content for name, content in found.items() if name not in held})
    missing = wanted - held.keys()
    if missing:
        held.update(cards.contents(explorer, geometry, sel, missing))
        if cache is not None:
            cache.set(key, dict(held))
    return held


def cache_key(sel: Selection) -> str:
    """The shared cache's key: every field of the selection, in a fixed order."""
    return "cards|" + "|".join(f"{k}={v}" for k, v in sorted(sel.as_dict().items()))


def remembered_contents(explorer: Explorer, sel: Selection, cache: ResultCache | None) -> dict[str, tuple] | None:
    """The previous selection's card contents if already known here or in the shared cache (never computed)."""
    found = explorer.recall(("cards", sel))
    if not found and cache is not None:
        found = cache.get(cache_key(sel))
    return found if isinstance(found, dict) else None


def update(
    explorer: Explorer, geometry: MapGeometry, *, trigger: str | None, search: str | None, values: dict[str, str],
    map_click: dict[str, Any] | None, ranked_click: dict[str, Any] | None, previous: dict[str, str] | None,
    cache: ResultCache | None = None, chart: str | None = None,
) -> tuple[Any, ...]:
    """The callback's outputs, in `OUTPUTS` order. `chart` is the chart tabs' value."""
    page = state.page_state(
        explorer, trigger=trigger, search=search, values=values, map_click=map_click, ranked_click=ranked_click,
        previous=previous, chart=chart,
    )
    # The store is empty only on the page's first request: the page then shows the first view's
    # cards that the layout holds (`initial_outputs`), whatever its address asks for.
    first_request = _shown_before(previous) is None
    before = _shown_before(previous) or explorer.default_selection()
    chart_before = None if first_request else valid_chart(previous.get("chart"))  # type: ignore[union-attr]
    present_before = state.was_presenting(previous)
    if trigger == ids.URL and not first_request and (page.selection, page.chart, page.present) == (before, chart_before, present_before) and not page.notices:
        # The address now says what the page shows (the browser corrected an invalid link in
        # place, assets/linked_view.js): nothing to change, and the correction's notices stay.
        return (no_update,) * len(OUTPUTS)
    held = explorer.recall(("control_options", before))
    if held is None and explorer.normalise(before)[0] == before:
        held = state.control_options_of(explorer, before)  # another worker served it: its options are look-ups
    outputs = state.state_outputs(
        page, trigger, unchanged=lambda field: held is not None and held[field] == page.options[field],
        held=values, chart_held=chart, group_value_disabled=None if first_request else before.group == GroupDimension.ALL.value,
    )
    outputs += _panels_hidden(page.chart) if page.chart != chart_before else (no_update,) * len(PANEL_OUTPUTS)
    shown_cards = ALWAYS_SHOWN | {page.chart}
    contents = card_contents(explorer, geometry, page.selection, cache, shown_cards)
    # Entering or leaving presentation mode redraws what is shown, at its sizes.
    shown = (remembered_contents(explorer, before, cache) or {}) if page.present == present_before else {}
    for card in cards.CARDS:
        if card.name not in shown_cards:
            outputs += (no_update,) * len(card.outputs)  # not drawn until chosen
            continue
        content = contents[card.name]
        on_page = card.name in IN_LAYOUT if first_request else (card.name in ALWAYS_SHOWN or card.name == chart_before)
        known = shown.get(card.name) if on_page else None
        if known is not None and known == content:
            outputs += (no_update,) * len(card.outputs)
        else:
            rendered = presented(
                _changed_only(card.render(content, known), content, known), page.present,
                changed=page.present != present_before, fill=card.name in FILLING_CHARTS,
            )
            if card.name == "map" and page.present and isinstance(rendered[0], Patch):
                rendered[0]["layout"]["annotations"] = presented_annotations(content[0]["annotations"], True)  # the MODELLED mark
            outputs += rendered
    return outputs


def _changed_only(rendered: tuple, content: tuple, known: tuple | None) -> tuple:
    """`rendered`, with `no_update` for each output whose part of the content equals what the
    page shows: each card's output i is made from its content's part i alone (cards.Card), so
    an unchanged part is an unchanged output, and the browser applies only what changed."""
    if known is None or not len(known) == len(content) == len(rendered):
        return rendered
    return tuple(no_update if before == after else output for before, after, output in zip(known, content, rendered, strict=True))


def _panels_hidden(chart: str) -> tuple[bool, ...]:
    return tuple(name != chart for name in CHARTS)


def initial_outputs(first: dict[str, tuple]) -> dict[tuple[str, str], Any]:
    """The first view's cards the layout holds, (component id, property) -> value: the map
    (its figure is the layout's own, `maps.map_figure`) and the text cards. The chart comes
    with the first answer, so that the map, drawn alone, is drawn first."""
    values: dict[tuple[str, str], Any] = {}
    for card in (card for card in cards.CARDS if card.name in IN_LAYOUT):
        rendered = card.render(first[card.name], None)
        for output, value in zip(card.outputs, rendered, strict=True):
            if output != (ids.MAP, "figure"):
                values[output] = value
    return values


def _shown_before(previous: dict[str, str] | None) -> Selection | None:
    """The selection the page showed before this change, as the store says; None if the store
    holds anything else. Its cards are only ever looked up (here or in the shared cache), never computed."""
    if not isinstance(previous, dict):
        return None
    try:
        return Selection.from_dict(previous)
    except (TypeError, ValueError):
        return None
