"""WCAG 2.2 AA in a real browser: axe-core on the page's states, and what a keyboard user meets."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from pages import GRID_ROWS, axe_violations, grid_cells, visit_focused, wait_chart, wait_ready  # tests/pages.py

LANCASHIRE_ICB = "E54000048"
# Each indicator family, an alliance's own view, a group, comparison colours, the SPC chart of a
# monthly indicator, the funnel, the inequality ranking and the table: (link, chart shown).
STATES = {
    "first page": ("/", "ranked"),
    "stage at diagnosis, ICBs": ("/?indicator=early_stage&cancer=Lung&period=2022&level=icb", "ranked"),
    "waiting times, monthly, SPC": (f"/?indicator=fds_28day&cancer=All+suspected+cancers&period=2024-09&level=icb&area={LANCASHIRE_ICB}&chart=trend", "trend"),
    "mortality": ("/?indicator=mortality_asr&level=icb", "ranked"),
    "incidence": ("/?indicator=incidence_crude&level=subicb", "ranked"),
    "population, deprivation": ("/?indicator=most_deprived_share&level=icb", "ranked"),
    "an alliance's view, table": ("/?level=icb&alliance=E56000018&compare=alliance&chart=table", "table"),
    "a group (deprivation)": ("/?level=icb&group=imd_quintile&chart=groups", "groups"),
    "comparison colours": ("/?level=icb&colour=comparison", "ranked"),
    "funnel": ("/?level=icb&chart=funnel&overdispersion=on", "funnel"),
    "inequality by area": ("/?indicator=mortality_age_specific&level=icb&group=age_band&chart=inequality", "inequality"),
}


def open_table(page: Page, live_server: str) -> None:
    """The ICB view with the Table chart shown and drawn."""
    page.goto(live_server + "/?level=icb&chart=table")
    wait_ready(page)
    wait_chart(page, "table")


def query(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


@pytest.mark.parametrize("state", list(STATES))
def test_axe_finds_no_violation(watched: Page, live_server: str, state: str) -> None:
    page = watched
    link, chart = STATES[state]
    page.goto(live_server + link)
    wait_ready(page)
    wait_chart(page, chart)
    assert axe_violations(page) == []


def test_axe_finds_no_violation_on_a_phone(watched: Page, live_server: str) -> None:
    page = watched
    page.set_viewport_size({"width": 390, "height": 844})
    open_table(page, live_server)
    assert axe_violations(page) == []


def test_tab_goes_from_the_first_control_to_the_footer_past_the_table(watched: Page, live_server: str) -> None:
    """The old table kept Tab and Shift+Tab inside it (a trap); the charts' toolbars were 45 more
    invisible stops. Now every stop is met once, the table is one stop, and the footer is reached."""
    page = watched
    open_table(page, live_server)
    page.get_by_label("Indicator", exact=True).focus()
    journey = [visit_focused(page, 0)]
    for step in range(1, 80):
        page.keyboard.press("Tab")
        name, earlier = visit_focused(page, step)
        assert earlier is None, f"Tab {step} came back to {name} (first reached at Tab {earlier}): {journey}"
        journey.append((name, earlier))
        if "Back to the controls" in name:
            break
    names = [name for name, _ in journey]
    assert "Back to the controls" in names[-1], names  # the footer's link: the page's last stop
    assert any(name.startswith("button#download-button") for name in names)
    assert any(name.startswith("select#control-area Area") for name in names)
    # The table is two stops: its scrolling box, then the grid (its first heading; arrows move inside).
    assert sum(name.startswith("div[region]") for name in names) == 1
    assert sum(name.startswith("div[columnheader]") for name in names) == 1
    assert len(names) <= 30, names
    # Toolbar buttons are seen when they have the focus.
    page.locator("#map .modebar-btn").first.focus()
    expect(page.locator("#map .modebar")).to_have_css("opacity", "1")


def test_shift_tab_leaves_the_table_backwards(watched: Page, live_server: str) -> None:
    page = watched
    open_table(page, live_server)
    page.get_by_role("link", name="Back to the controls").focus()
    names = []
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        names.append(visit_focused(page, len(names))[0])
        if names[-1].startswith("button#download-button"):
            break
    assert names[-1].startswith("button#download-button"), names


def test_the_table_sorts_by_keyboard(watched: Page, live_server: str) -> None:
    page = watched
    open_table(page, live_server)
    page.get_by_role("button", name="Download CSV").focus()
    page.keyboard.press("Tab")  # the table's box, which scrolls
    expect(page.get_by_role("region", name="Table")).to_be_focused()
    page.keyboard.press("Tab")  # into the table: its first column heading
    expect(page.get_by_role("columnheader", name="Area")).to_be_focused()
    heading = page.get_by_role("columnheader", name="Value")
    while page.evaluate("() => document.activeElement.innerText.trim()") != "Value":
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(heading).to_have_attribute("aria-sort", "ascending")
    values = [float(v) for (v,) in grid_cells(page, ["value"]) if v]
    assert values == sorted(values) and len(values) == 42
    page.keyboard.press("Enter")
    expect(heading).to_have_attribute("aria-sort", "descending")
    values = [float(v) for (v,) in grid_cells(page, ["value"]) if v]
    assert values == sorted(values, reverse=True)
    # Numbers are right-aligned, text is not.
    value_cell = page.locator(f"{GRID_ROWS} [col-id='value']").first
    name_cell = page.locator(f"{GRID_ROWS} [col-id='area_name']").first
    assert value_cell.evaluate("c => getComputedStyle(c).textAlign") == "right"
    assert name_cell.evaluate("c => getComputedStyle(c).textAlign") in ("left", "start")


def test_an_area_is_chosen_with_the_keyboard_alone(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.goto(live_server + "/?level=icb&alliance=E56000018")
    wait_ready(page)
    area = page.get_by_label("Area", exact=True)
    # The alliance's own areas, and "None": Lancashire and South Cumbria is one ICB.
    options = area.locator("option:not([hidden])")
    expect(options).to_have_text(["None (the alliance, or England)", "Lancashire and South Cumbria"])
    before = page.locator("#headline").inner_text()
    area.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.location.search.includes('area=')", timeout=10_000)
    assert query(page)["area"] == LANCASHIRE_ICB
    expect(page.locator("#headline")).not_to_have_text(before)
    expect(page.locator("#headline")).to_contain_text("Lancashire and South Cumbria")
    page.screenshot(path=str(screenshots / "09-area-by-keyboard.png"))
    # All England: every ICB is listed; a click on the map sets the same control.
    page.get_by_label("Alliance", exact=True).select_option("E92000001")
    expect(options).to_have_count(43)
    page.locator(".choroplethlayer g.trace:nth-child(1) path.choroplethlocation").nth(3).click(force=True)
    page.wait_for_function("code => !window.location.search.includes('area=' + code)", arg=LANCASHIRE_ICB, timeout=10_000)
    expect(area).to_have_value(query(page)["area"])


def test_every_chart_has_a_sentence_in_words(watched: Page, live_server: str) -> None:
    """Each chart is a figure named by its heading and described by one sentence (not an image:
    its toolbar stays reachable); the sentence names what is drawn and its ends."""
    page = watched
    page.goto(live_server + "/?level=icb&group=imd_quintile")
    wait_ready(page)
    expect(page.get_by_role("figure", name="Map")).to_have_accessible_description(
        re.compile(r"^Map of 42 STP/ICB areas coloured by diagnosed at stage 1 or 2: highest .+ \(\d+\.\d%\), lowest .+ \(\d+\.\d%\)\.$")
    )
    expect(page.locator("#panel-ranked figure")).to_have_accessible_description(re.compile(r"^42 STP/ICB areas .+"))
    tabs = {"trend": "Trend", "groups": "Groups", "funnel": "Funnel"}
    # Deprivation groups of early-stage diagnosis are MODELLED: no funnel is drawn for them.
    words = {"trend": r"^England over \d+ periods: ", "groups": r"^England's value for each of 5 groups: highest ", "funnel": r"^No funnel drawn: these figures are MODELLED\.$"}
    for chart, label in tabs.items():
        page.locator(".chart-tabs label", has_text=label).click()
        wait_chart(page, chart)
        figure = page.locator(f"#panel-{chart} figure")
        expect(figure).to_have_accessible_description(re.compile(words[chart]))
        assert figure.get_attribute("role") is None
