"""Selection <-> URL query string (the permalink). Parsing never raises."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from dashboard.core.selection import URL_PARAMETERS, Notice, Selection
from dashboard.query.explorer import Explorer

_FIELD_OF = {parameter: field for field, parameter in URL_PARAMETERS.items()}


def encode(sel: Selection) -> str:
    """'?indicator=…&cancer=…' with every parameter, in a fixed order (empty ones left out)."""
    values = sel.as_dict()
    pairs = [(parameter, values[field]) for field, parameter in URL_PARAMETERS.items() if values[field] != ""]
    return "?" + urlencode(pairs)


def decode(search: str | None, explorer: Explorer) -> tuple[Selection, list[Notice]]:
    """The selection a URL describes, made valid; a notice for every value that was not."""
    notices: list[Notice] = []
    parsed = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    # Fields the link leaves out start empty: normalise fills them silently with defaults.
    values = {field: "" for field in URL_PARAMETERS}
    for parameter, given in parsed.items():
        field = _FIELD_OF.get(parameter)
        if field is None:
            notices.append(Notice(parameter, f"unknown parameter {parameter!r} ignored"))
            continue
        values[field] = given[-1].strip()
    sel, fixes = explorer.normalise(Selection.from_dict(values))
    return sel, notices + fixes
