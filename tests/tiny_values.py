"""Values the fixture-app tests (tests/app) share: the tiny dataset's codes (tests/app/conftest.py) and what
the page holds for its ICB view of 2022, written out by hand."""

from __future__ import annotations

from dash import dcc, html

from dashboard.web.callbacks.state import FIELDS

ENGLAND = "E92000001"
NORTH, SOUTH = "E56000022", "E56000023"
NORFOLK, CAMBS, ESSEX = "E54000022", "E54000056", "E54000026"
SUB_26A, SUB_06H, SUB_99E, SUB_99F = "E38000239", "E38000260", "E38000007", "E38000030"

Z95 = 1.959963984540054  # standard normal quantiles (statistical tables)
Z998 = 3.090232306167813


# What the page opens on for "?level=icb": every field, in the permalink's order.
ICB_2022 = {
    "indicator": "early_stage", "cancer": "Lung", "period": "2022", "level": "icb", "alliance": ENGLAND,
    "group": "all", "group_value": "All", "compare": "england", "area": "", "colour": "value",
    "confidence": "95", "overdispersion": "off", "listing": "alliance",
}
STORED = {**ICB_2022, "chart": "ranked", "present": ""}  # the page's store: the selection, the chart shown, not presenting
ICB_2022_SEARCH = (
    "?indicator=early_stage&cancer=Lung&period=2022&level=icb&alliance=E92000001&group=all&group_value=All"
    "&compare=england&colour=value&confidence=95&overdispersion=off&listing=alliance&chart=ranked"
)


def selection(**changes: str) -> dict[str, str]:
    return {**ICB_2022, **changes}


def control_values(data: dict[str, str]) -> dict[str, str]:
    """What the controls hold for a selection (the area's control also follows clicks)."""
    from dashboard.query.areas import control_value

    return {field: control_value(field, data[field]) for field in FIELDS}


def notice_texts(notices: list[html.P]) -> list[str]:
    return [p.children for p in notices]




def card_view(name: str, explorer, data: dict[str, str], geometry=None) -> tuple:
    """One card's outputs for a selection, each chart graph made in its slot (ids.GRAPH_SLOTS)
    given as its figure, as the map's and the ranked chart's figures are; without the chart's
    one-sentence summary (`card_summary` gives it)."""
    from dashboard.web import ids
    from dashboard.web.callbacks import cards

    card = next(card for card in cards.CARDS if card.name == name)
    outputs = cards.card_outputs(name, explorer, data, geometry)
    kept = [out for out, (component, _prop) in zip(outputs, card.outputs, strict=True) if component not in ids.SUMMARIES.values()]
    return tuple(out.figure if isinstance(out, dcc.Graph) else out for out in kept)


def card_summary(name: str, explorer, data: dict[str, str], geometry=None) -> str:
    """The one-sentence text alternative of a card's chart."""
    from dashboard.web import ids
    from dashboard.web.callbacks import cards

    card = next(card for card in cards.CARDS if card.name == name)
    outputs = cards.card_outputs(name, explorer, data, geometry)
    return next(out for out, (component, _prop) in zip(outputs, card.outputs, strict=True) if component in ids.SUMMARIES.values())


def answer(explorer, geometry, **kwargs) -> dict[tuple[str, str], object]:
    """The page callback's outputs by (component id, property), the unsent ones left out; the
    search defaults to the ICB view of 2022, and no click."""
    from dash import no_update

    from dashboard.web.callbacks import page

    out = page.update(explorer, geometry, search=kwargs.pop("search", ICB_2022_SEARCH), map_click=None, ranked_click=None, **kwargs)
    return {output: value for output, value in zip(page.OUTPUTS, out, strict=True) if value is not no_update}
