"""The "Area" control's list: the areas a person can choose at the selection's level.

Choosing one does what a click on the map does (the selection's `area`); the list is the
keyboard's and screen reader's way to the same choice (WCAG 2.1.1: a map area can otherwise
be chosen only with a pointer).
"""

from __future__ import annotations

from dashboard.core.geography import short_name
from dashboard.core.selection import Option, Selection
from dashboard.query.explorer import GROUPING_OF, Explorer

NO_AREA = ""  # the selection's `area` when none is chosen
# The control's value for no area: not "", which dbc.Select keeps for its hidden placeholder option.
NO_AREA_OPTION = "none"
NO_AREA_LABEL = "None (the alliance, or England)"


def control_value(field: str, value: str) -> str:
    """What a field's control holds for the selection's `value` (the same, but for no area)."""
    return NO_AREA_OPTION if field == "area" and value == NO_AREA else value


def selection_value(field: str, value: str) -> str:
    """The selection's value for what a field's control holds (`control_value` undone)."""
    return NO_AREA if field == "area" and value == NO_AREA_OPTION else value


def area_options(explorer: Explorer, sel: Selection) -> list[Option]:
    """"None", then the areas with a row at the level (those in the chosen alliance, when one is
    chosen), by name as the charts write it. An area chosen outside the alliance (a link may name
    one) is listed too, so that the control always shows what the page shows."""
    codes = [str(code) for code in explorer.level_rows(sel)["area_code"]]
    if sel.has_alliance and not (sel.alliance_has_areas and not sel.lists_alliance_areas):  # "Every area": all
        inside = _alliance_codes(explorer, sel)
        codes = [code for code in codes if code in inside or code == sel.area]
    named = sorted(((short_name(explorer.names.get(code, code)), code) for code in set(codes)), key=lambda pair: pair[0].lower())
    return [Option(NO_AREA_OPTION, NO_AREA_LABEL), *(Option(code, name) for name, code in named)]


def _alliance_codes(explorer: Explorer, sel: Selection) -> frozenset[str]:
    """The codes "in" the chosen alliance at any level: its ICBs and sub-ICBs, itself, and the
    NDRS grouping that stands for it (East of England) at the alliance level."""
    grouping = GROUPING_OF.get(sel.alliance)
    return explorer.members.get(sel.alliance, frozenset()) | {sel.alliance} | ({grouping} if grouping else set())
