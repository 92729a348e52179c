"""Selection <-> URL query string (the permalink). Parsing never raises."""

from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl, urlencode

from dashboard.core.selection import URL_PARAMETERS, Notice, Selection
from dashboard.query.areas import selection_value
from dashboard.query.explorer import Explorer
from dashboard.web.charts import CHART_PARAMETER, CHARTS, DEFAULT_CHART, PRESENT_ON, PRESENT_PARAMETER, valid_chart

_FIELD_OF = {parameter: field for field, parameter in URL_PARAMETERS.items()}


def encode(sel: Selection, chart: str = DEFAULT_CHART, present: bool = False) -> str:
    """'?indicator=…&cancer=…&chart=…' with every parameter, in a fixed order (empty ones left
    out), and '&present=1' in presentation mode."""
    values = sel.as_dict()
    pairs = [(parameter, values[field]) for field, parameter in URL_PARAMETERS.items() if values[field] != ""]
    return "?" + urlencode([*pairs, (CHART_PARAMETER, chart), *([(PRESENT_PARAMETER, PRESENT_ON)] if present else [])])


def decode_present(search: str | None) -> tuple[bool, list[Notice]]:
    """Whether a URL asks for presentation mode ('present=1'; '0' or none: no), and a notice if
    it says anything else."""
    given = parse_qs((search if isinstance(search, str) else "").lstrip("?"), keep_blank_values=True).get(PRESENT_PARAMETER)
    value = given[-1].strip() if given else ""
    if value in ("", "0", PRESENT_ON):
        return value == PRESENT_ON, []
    return False, [Notice(PRESENT_PARAMETER, f"{value[:40]!r} is not 1 or 0; not presenting")]


def decode_chart(search: str | None) -> tuple[str, list[Notice]]:
    """The chart a URL asks for (the default if it names none), and a notice if it names no chart."""
    given = parse_qs((search if isinstance(search, str) else "").lstrip("?"), keep_blank_values=True).get(CHART_PARAMETER)
    if not given or given[-1].strip() == "":
        return DEFAULT_CHART, []
    chart = valid_chart(given[-1].strip())
    if chart is None:
        return DEFAULT_CHART, [Notice(CHART_PARAMETER, f"{given[-1][:40]!r} is not a chart (one of {', '.join(CHARTS)}); showing the {CHARTS[DEFAULT_CHART].lower()} chart")]
    return chart, []


LONGEST_VALUE = 100  # characters: longer than any option (the longest cancer type has 71)


def shortened(text: str) -> str:
    """`text`, or its first 60 characters and "…" when longer than any valid value: a notice repeats
    what a link said, and a link of megabytes made a notice of megabytes (an adversarial check)."""
    return text if len(text) <= LONGEST_VALUE else text[:60] + "…"


def decode(search: str | None, explorer: Explorer) -> tuple[Selection, list[Notice]]:
    """The selection a URL describes, made valid; a notice for every value that was not."""
    notices: list[Notice] = []
    search = search if isinstance(search, str) else ""  # from the browser: checked, not trusted
    parsed = parse_qs(search.lstrip("?"), keep_blank_values=True)
    # Fields the link leaves out start empty: normalise fills them silently with defaults.
    values = {field: "" for field in URL_PARAMETERS}
    for parameter, given in parsed.items():
        field = _FIELD_OF.get(parameter)
        if parameter in (CHART_PARAMETER, PRESENT_PARAMETER):
            continue  # not part of the selection: decode_chart and decode_present read them
        if field is None:
            notices.append(Notice(shortened(parameter), f"unknown parameter {shortened(parameter)!r} ignored"))
            continue
        values[field] = selection_value(field, shortened(given[-1].strip()))  # "area=none" is the Area control's "None"
    sel, fixes = explorer.normalise(Selection.from_dict(values))
    return sel, notices + fixes


# Kept in every short link: what the view is of. Their defaults follow the data (the latest
# period, the first indicator), so a link without them could open another view next year.
ALWAYS_IN_SHORT_LINKS = ("indicator", "cancer", "period", "level", CHART_PARAMETER)


def shortest(sel: Selection, chart: str, explorer: Explorer) -> str:
    """A shorter query that opens the same view, for a printed page (a link of every parameter
    runs to three lines): `encode`'s, less each parameter after ALWAYS_IN_SHORT_LINKS that the
    link would be given anyway (a default, or a value the others imply)."""
    kept = parse_qsl(encode(sel, chart)[1:], keep_blank_values=True)
    for pair in reversed(list(kept)):
        if pair[0] in ALWAYS_IN_SHORT_LINKS:
            continue
        trial = [other for other in kept if other != pair]
        query = "?" + urlencode(trial)
        opened, notices = decode(query, explorer)
        if opened == sel and not notices and decode_chart(query)[0] == chart:
            kept = trial
    return "?" + urlencode(kept)
