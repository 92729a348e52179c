"""The download callback's body: the permalink of the page, the CSV of the table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import dcc

from dashboard.core.selection import Selection
from dashboard.presenters.download import download_view
from dashboard.query.explorer import Explorer
from dashboard.web.charts import DEFAULT_CHART, valid_chart
from dashboard.web.urlstate import encode


def download_output(explorer: Explorer, data: dict[str, str], href: str | None, now: datetime) -> dict[str, Any]:
    sel = Selection.from_dict(data)
    chart = valid_chart(data.get("chart")) or DEFAULT_CHART  # the page's permalink names the chart shown
    permalink = (href or "").split("?")[0] + encode(sel, chart)
    name, text = download_view(explorer, sel, permalink=permalink, generated=now)
    return dcc.send_string(text, name, type="text/csv")
