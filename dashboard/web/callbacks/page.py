"""The one callback per change: the page's state and every card, from one request.

What comes back is only what changed. Control options the browser already holds are
`no_update`; so is every card whose content equals what the previous selection showed
(known when this worker, or the shared cache, still holds it): changing the map's colours
re-sends the map alone. Card contents are plain data, remembered per selection in the
explorer's memo and, when configured, in a cache shared between workers (`ResultCache`).
"""

from __future__ import annotations

from typing import Any, Protocol

from dash import no_update

from dashboard.core.selection import Selection
from dashboard.figures.maps import MapGeometry
from dashboard.query.explorer import Explorer
from dashboard.web import ids
from dashboard.web.callbacks import cards, state
from dashboard.web.layout import as_options

FIELDS = state.FIELDS
IN_LAYOUT = frozenset({"map", "headline", "variation"})  # cards the page holds before its first answer

STATE_OUTPUTS: list[tuple[str, str]] = [
    (ids.URL, "search"),
    (ids.SELECTION, "data"),
    (ids.NOTICES, "children"),
    *[(ids.CONTROLS[f], "value") for f in FIELDS],
    *[(ids.CONTROLS[f], "options") for f in FIELDS],
    (ids.GROUP_VALUE, "disabled"),
]
OUTPUTS: list[tuple[str, str]] = STATE_OUTPUTS + [output for card in cards.CARDS for output in card.outputs]


class ResultCache(Protocol):
    """A cache shared between workers (Flask-Caching's interface): `get` gives None when absent."""

    def get(self, key: str) -> Any: ...
    def set(self, key: str, value: Any) -> bool: ...


def card_contents(explorer: Explorer, geometry: MapGeometry, sel: Selection, cache: ResultCache | None) -> dict[str, tuple]:
    """Every card's content for `sel`: from this worker's memo, else the shared cache, else computed."""
    def compute() -> dict[str, tuple]:
        key = cache_key(sel)
        if cache is not None and (found := cache.get(key)) is not None:
            return found
        contents = cards.contents(explorer, geometry, sel)
        if cache is not None:
            cache.set(key, contents)
        return contents

    return explorer.answer(("cards", sel), compute)


def cache_key(sel: Selection) -> str:
    """The shared cache's key: every field of the selection, in a fixed order."""
    return "cards|" + "|".join(f"{k}={v}" for k, v in sorted(sel.as_dict().items()))


def remembered_contents(explorer: Explorer, sel: Selection, cache: ResultCache | None) -> dict[str, tuple] | None:
    """The previous selection's card contents if already known here or in the shared cache (never computed)."""
    found = explorer.recall(("cards", sel))
    if found is None and cache is not None:
        found = cache.get(cache_key(sel))
    return found


def update(
    explorer: Explorer, geometry: MapGeometry, *, trigger: str | None, search: str | None, values: dict[str, str],
    map_click: dict[str, Any] | None, ranked_click: dict[str, Any] | None, previous: dict[str, str] | None,
    cache: ResultCache | None = None,
) -> tuple[Any, ...]:
    """The callback's outputs, in `OUTPUTS` order."""
    page = state.page_state(
        explorer, trigger=trigger, search=search, values=values, map_click=map_click, ranked_click=ranked_click, previous=previous,
    )
    # The store is empty only on the page's first request: the page then shows the first view's
    # cards that the layout holds (`initial_outputs`), whatever its address asks for.
    first_request = _shown_before(previous) is None
    before = _shown_before(previous) or explorer.default_selection()
    held = explorer.recall(("control_options", before))
    if held is None and explorer.normalise(before)[0] == before:
        held = state.control_options_of(explorer, before)  # another worker served it: its options are look-ups
    outputs = state.state_outputs(page, trigger, unchanged=lambda field: held is not None and held[field] == page.options[field])
    contents = card_contents(explorer, geometry, page.selection, cache)
    shown = remembered_contents(explorer, before, cache) or {}
    for card in cards.CARDS:
        content = contents[card.name]
        known = shown.get(card.name) if not first_request or card.name in IN_LAYOUT else None
        if known is not None and known == content:
            outputs += (no_update,) * len(card.outputs)
        else:
            outputs += card.render(content, known)
    return outputs


def initial_outputs(first: dict[str, tuple]) -> dict[tuple[str, str], Any]:
    """The first view's cards the layout holds, (component id, property) -> value: the map
    (its figure is the layout's own, `maps.map_figure`) and the text cards. The charts come
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
