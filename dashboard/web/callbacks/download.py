"""The download callback's body: the permalink of the page, the CSV of the table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import dcc, no_update

from dashboard.core.selection import Selection
from dashboard.presenters.download import download_view
from dashboard.query.explorer import Explorer
from dashboard.web.charts import DEFAULT_CHART, valid_chart
from dashboard.web.urlstate import encode


def download_output(explorer: Explorer, data: dict[str, str] | None, base: str | None, now: datetime) -> Any:
    """The CSV of the selection the page shows; nothing (no_update) while the page has no
    selection yet (a click before its first answer) or holds one that is not valid. Its permalink
    is `base` (where the app is: serving.link_base) and the selection's own query, rebuilt from
    the validated selection: nothing of the page's address is copied into the file."""
    try:
        sel = Selection.from_dict(data)  # type: ignore[arg-type]
    except (TypeError, ValueError, KeyError):
        return no_update
    if explorer.normalise(sel)[0] != sel:
        return no_update
    chart = valid_chart(data.get("chart")) or DEFAULT_CHART  # the page's permalink names the chart shown
    permalink = (base or "").split("?")[0] + encode(sel, chart)
    name, text = download_view(explorer, sel, permalink=permalink, generated=now)
    return dcc.send_string(text, name, type="text/csv")
