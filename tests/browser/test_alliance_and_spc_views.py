"""An alliance's own view and the SPC card, as a leader sees them at 1920x1080, 1280x720 and 390 px
wide; each state is photographed into the git-ignored screenshots folder (issue 12 names them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pages import wait_chart, wait_ready  # tests/pages.py

SIZES = {"1920": (1920, 1080), "1280": (1280, 720), "390": (390, 844)}
# Lancashire and South Cumbria: an alliance of one ICB (NHS England), at the ICB level.
LANCASHIRE_ALLIANCE = "E56000018"
EAST_MIDLANDS = "E56000024"
ALLIANCE_VIEW = f"/?indicator=early_stage&cancer=Lung&period=2022&level=icb&alliance={EAST_MIDLANDS}&area=E54000058&chart=ranked"
SPC_VIEW = f"/?indicator=fds_28day&level=icb&alliance={LANCASHIRE_ALLIANCE}&chart=trend"


def open_at(page: Page, url: str, size: str) -> Page:
    """`url` opened and ready in a window of one of SIZES."""
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    page.goto(url)
    wait_ready(page)
    return page


def svg_texts(page: Page, selector: str) -> list[str]:
    """The text of SVG elements (plotly's labels): innerText is not defined for SVG."""
    return page.locator(selector).evaluate_all("nodes => nodes.map(n => n.textContent)")


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", SIZES)
def test_the_alliance_view_lists_its_areas_with_references(watched: Page, live_server: str, screenshots: Path, size: str) -> None:
    page = open_at(watched, live_server + ALLIANCE_VIEW, size)
    labels = svg_texts(page, "#ranked .ytick text")
    # East Midlands' five ICBs (NHS England's list), then the alliance and England as references.
    assert len(labels) == 7
    assert {"England (reference)", "East Midlands (alliance, reference)", "Derby and Derbyshire", "Lincolnshire"} <= set(labels)
    expect(page.locator("#ranked-title")).to_contain_text("East Midlands' areas")
    expect(page.get_by_role("radio", name="The alliance's areas")).to_be_checked()
    expect(page.locator("#map-caption")).to_contain_text("has no sub-ICB figures")
    no_sideways_scroll(page)
    if size == "1280":  # the shared screen: the headline, the whole map and the ranked chart's rows on the first screen
        assert page.locator("#headline").bounding_box()["y"] >= 0
        assert page.locator("#map").bounding_box()["y"] + page.locator("#map").bounding_box()["height"] <= 720
        assert page.locator("#ranked .ytick").nth(3).bounding_box()["y"] < 720  # four of its seven rows at least
    page.screenshot(path=str(screenshots / f"12-alliance-view-{size}.png"), full_page=size == "390")
    # The switch lists every ICB again.
    page.get_by_text("Every area", exact=True).click()
    page.wait_for_function("() => window.location.search.includes('listing=all')", timeout=10_000)
    expect(page.locator("#ranked .ytick text")).to_have_count(42)


@pytest.mark.parametrize("size", SIZES)
def test_a_monthly_indicator_opens_on_its_spc_chart(watched: Page, live_server: str, screenshots: Path, size: str) -> None:
    page = open_at(watched, live_server + SPC_VIEW, size)
    wait_chart(page, "trend")
    # The Period control holds a financial year; the card charts every month, with SPC.
    assert "-" in page.get_by_label("Period").input_value()
    expect(page.locator("#trend-title")).to_contain_text("statistical process control")
    legend = svg_texts(page, "#panel-trend .legendtext")
    assert len(legend) == len(set(legend)), legend  # every line and colour once
    assert any("Process limits" in text for text in legend) and any("Mean" in text for text in legend)
    # The Making Data Count icons, each drawn with its name beside it (not a bare letter).
    expect(page.locator("#spc-icons .spc-icon").first).to_be_visible()
    expect(page.locator("#spc-icons .spc-icon").first).to_contain_text("cause")
    no_sideways_scroll(page)
    page.locator("#panel-trend").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"13-spc-card-{size}.png"), full_page=size == "390")
