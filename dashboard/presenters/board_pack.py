"""The board pack's texts for one view that no card already gives (docs/presentation.md): its
title, what its figures are (the data status) and what it withholds and why."""

from __future__ import annotations

from dashboard.core.disclosure_rule import RULE_TEXT
from dashboard.core.geography import LEVEL_LABELS, AreaLevel
from dashboard.core.selection import Selection
from dashboard.data.schema import GROUP_LABELS, DataStatus, GroupDimension
from dashboard.figures.exports import data_status_line
from dashboard.presenters.common import series_name, unit_of
from dashboard.presenters.scope import AREA, ROLE, listed_rows
from dashboard.query.explorer import Explorer


def view_title(explorer: Explorer, sel: Selection) -> str:
    """What a page shows, in one line: "Diagnosed at stage 1 or 2 (%), Lung, 2022: STP/ICB areas,
    Lancashire and South Cumbria", with the group of patients when one is chosen."""
    title = f"{explorer.indicator(sel).name} ({unit_of(explorer, sel)}), {sel.cancer}, {sel.period}: {LEVEL_LABELS[AreaLevel(sel.level)]} areas"
    if sel.has_alliance:
        title += f", {series_name(explorer, sel.alliance)}"
    if sel.group != GroupDimension.ALL.value:
        label = GROUP_LABELS[GroupDimension(sel.group)]
        title += f"; {label[0].lower() + label[1:]}: {sel.group_value}"
    return title


def data_status_note(explorer: Explorer, sel: Selection) -> str:
    """Whether the view's listed figures are published or include modelled ones."""
    rows = listed_rows(explorer, sel)
    line = data_status_line(bool((rows["data_status"] == DataStatus.MODELLED.value).any()))
    return line[0].upper() + line[1:] + "."


def suppression_note(explorer: Explorer, sel: Selection) -> str:
    """How many of the view's areas have their figures withheld, for which reasons, and the rule."""
    rows = listed_rows(explorer, sel)
    areas = rows[rows[ROLE] == AREA]
    reasons = areas["suppression"].astype(str)
    withheld = reasons[reasons != ""]
    listed = f"{len(areas)} area{'' if len(areas) == 1 else 's'} listed"
    if withheld.empty:
        return f"Nothing is withheld among the {listed}. {RULE_TEXT}"
    counts = withheld.str.removeprefix("Withheld: ").str.rstrip(".").value_counts()
    reasons_counted = "; ".join(f"{reason} ({count})" for reason, count in counts.items())
    verb = "has" if len(withheld) == 1 else "have"
    return f"{len(withheld)} of the {listed} {verb} figures withheld: {reasons_counted}. {RULE_TEXT}"
