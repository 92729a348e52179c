"""Downloads and links that are safe to open (issue 14, "Safe downloads"): a text cell a
spreadsheet would read as a formula is written with a "'" before it, numbers stay numbers, and
the links written into files are built from the validated selection and a plain host name, never
from the page's path or a Host header that is not one."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from dashboard.core.selection import Selection
from dashboard.figures.exports import csv_text, neutralised
from dashboard.presenters.scope import listed_rows
from dashboard.web.app import create_app
from dashboard.web.serving import link_base
from downloads import read_download  # tests/downloads.py
from tiny_values import ICB_2022  # tests/tiny_values.py

FORMULAS = ["=2*3", "@SUM(1+1)", "+1+1", "-cmd|' /C calc'!A0", "\tx", "\rx"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_is_written_as_text(text: str) -> None:
    assert neutralised(text) == "'" + text


@pytest.mark.parametrize("cell", ["Norfolk and Waveney", "", None, -20.0, 3, "1 - most deprived"])
def test_other_cells_are_left_as_they_are(cell) -> None:
    assert neutralised(cell) == cell


def test_the_csv_neutralises_text_and_keeps_negative_numbers(tiny_explorer) -> None:
    sel = Selection.from_dict(ICB_2022)
    rows = listed_rows(tiny_explorer, sel).copy()
    rows["area_name"] = rows["area_name"].astype(object)
    rows.loc[rows.index[:3], "area_name"] = FORMULAS[:3]
    rows["value"] = rows["value"].astype(float)
    rows.loc[rows.index[0], "value"] = -20.04  # rounds to -20.0, written as a number
    text = csv_text(rows, sel=sel, indicator=tiny_explorer.indicator(sel), permalink="http://localhost/?level=icb",
                    generated=datetime(2026, 1, 2, tzinfo=timezone.utc))
    _notes, table, _lines = read_download(text, keep_default_na=False)
    assert list(table["area_name"][:3]) == ["'=2*3", "'@SUM(1+1)", "'+1+1"]
    assert table["value"].iloc[0] == -20.0  # read back as a number
    # No cell of the file, notes included, starts with a formula character.
    for line in text.splitlines():
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "@")), line


@pytest.mark.parametrize(("host", "public_url", "expected"), [
    ("localhost:8050", None, "http://localhost:8050/app"),
    ("evil.example/x,=2*3,@SUM(1+1)", None, "/app"),
    ("=HYPERLINK(1)", None, "/app"),
    ("[1:2]", None, "/app"),
    ("evil.example", "https://cancer.example.nhs.uk/dashboard", "https://cancer.example.nhs.uk/dashboard"),
])
def test_links_in_files_start_from_a_plain_host_or_the_configured_address(tiny_dataset, host: str, public_url: str | None, expected: str) -> None:
    server = create_app(dataset=tiny_dataset, warm_in_background=False).server
    with server.test_request_context("/x,=2*3,@SUM(1+1),+1+1", environ_overrides={"HTTP_HOST": host}):
        assert link_base(public_url, "/app") == expected


def test_an_intranet_may_be_allowed_to_frame_the_app(tiny_dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.core.settings import Settings

    monkeypatch.setenv("DASHBOARD_FRAME_ANCESTORS", "'self' https://intranet.example.nhs.uk")
    client = create_app(Settings(), dataset=tiny_dataset, warm_in_background=False).server.test_client()
    # The whole policy is tested in test_edge.py; this is its last directive.
    assert client.get("/").headers["Content-Security-Policy"].endswith("; frame-ancestors 'self' https://intranet.example.nhs.uk")


@pytest.mark.parametrize("value", ["'self'; script-src *", "https://a.example,https://b.example", "'unsafe-inline'", "javascript:alert(1)\x07"])
def test_a_frame_ancestors_that_is_not_a_list_of_sources_stops_the_start(value: str, tiny_dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    """An adversarial check: a ';' in DASHBOARD_FRAME_ANCESTORS appended directives of its own to the policy."""
    from dashboard.core.errors import InputError
    from dashboard.core.settings import Settings

    monkeypatch.setenv("DASHBOARD_FRAME_ANCESTORS", value)
    with pytest.raises(InputError, match="DASHBOARD_FRAME_ANCESTORS: .* is not a source a page may be framed by"):
        create_app(Settings(), dataset=tiny_dataset, warm_in_background=False)


@pytest.mark.parametrize("value", ["'none'", "https:", "'self' https://*.example.nhs.uk:8443/apps/", "http://localhost:3000"])
def test_frame_ancestors_may_be_any_list_of_sources(value: str, tiny_dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.core.settings import Settings

    monkeypatch.setenv("DASHBOARD_FRAME_ANCESTORS", value)
    client = create_app(Settings(), dataset=tiny_dataset, warm_in_background=False).server.test_client()
    assert client.get("/").headers["Content-Security-Policy"].endswith(f"; frame-ancestors {value}")


def test_dashs_hot_reload_poll_is_not_served(tiny_dataset) -> None:
    """Its dev tools are never on; the poll listed the server's packages."""
    client = create_app(dataset=tiny_dataset, warm_in_background=False).server.test_client()
    assert client.get("/_reload-hash").status_code == 404
