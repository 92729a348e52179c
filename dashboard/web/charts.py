"""The charts beside the map: one is shown at a time, chosen by the "Chart" tabs and kept in
the permalink (`chart=`).

One chart at a time is a decision (docs/performance.md, "One chart beside the map"): each
chart redrawn on every change cost the browser about 20 ms, and a board meeting reads one
chart at a time. A chart that is not shown is not drawn; choosing it draws it for the
current selection.
"""

from __future__ import annotations

# Chart key (the URL's `chart=` value, and the name of its card in callbacks/cards.py) -> tab label.
# Short, so that the six tabs keep to one line beside the map at 1280x720; each panel's heading
# says what it is in full.
CHARTS: dict[str, str] = {
    "ranked": "Ranked",
    "trend": "Trend",
    "groups": "Groups",
    "funnel": "Funnel",
    "inequality": "Inequality",
    "table": "Table",
}
DEFAULT_CHART = "ranked"
# The headings of the panels whose heading never changes (the ranked and trend charts' headings
# are made per view, with their cards); the board pack names each view's chart by them too.
FIXED_HEADINGS: dict[str, str] = {
    "groups": "Groups of patients",
    "funnel": "Funnel plot: value against size, with control limits",
    "inequality": "Inequality between groups, by area",
    "table": "Table",
}
CHART_PARAMETER = "chart"


def valid_chart(value: object) -> str | None:
    """`value` if it names a chart, else None."""
    return value if isinstance(value, str) and value in CHARTS else None


# The charts whose height is not set by their rows: in presentation mode each takes its panel's
# height (style.css, `.panel.fills`), so that a 1920x1080 screen shows them large. The ranked
# and inequality charts keep a row's height per area and scroll.
FILLING_CHARTS = frozenset({"trend", "groups", "funnel"})

# Presentation mode (`present=1` in the permalink): the page without its controls, its key number
# and one chart large, for a shared screen in a board meeting (assets/presentation.js, style.css).
PRESENT_PARAMETER = "present"
PRESENT_ON = "1"
