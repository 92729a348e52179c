"""Presentation mode, as a presenter uses it on a shared screen (issue 13): `present=1` in the
link, the toggle, Esc; what fits a 1280x720 screen; how large its text is. And the charts'
toolbars: every button pressed, no request leaves the machine (the `watched` fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pages import axe_violations, wait_chart, wait_ready  # tests/pages.py

PRESENTED = "/?indicator=early_stage&cancer=Lung&period=2022&level=icb&alliance=E56000024&chart=ranked&present=1"
TRIMMED_TOOLBAR = {"map": {"Zoom in", "Zoom out", "Reset", "Download plot as a PNG"}, "ranked": {"Download plot as a PNG", "Reset axes"}}


def font_px(page: Page, selector: str) -> list[float]:
    """The computed font size of every element `selector` finds (plotly's SVG text included)."""
    return page.locator(selector).evaluate_all("nodes => nodes.map(n => parseFloat(getComputedStyle(n).fontSize))")


def open_presented(page: Page, url: str, size: tuple[int, int]) -> Page:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(url)
    wait_ready(page)
    wait_chart(page, "ranked")
    return page


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280", "1920"])
def test_presentation_fits_the_screen_with_large_text(watched: Page, live_server: str, screenshots: Path, size: tuple[int, int]) -> None:
    page = open_presented(watched, live_server + PRESENTED, size)
    assert page.evaluate("document.documentElement.classList.contains('present')")
    # The headline, the map and the chosen chart, with no scrolling.
    assert page.evaluate("document.documentElement.scrollHeight") <= size[1]
    for selector in ("#headline", "#map", "#panel-ranked", "#caveats"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= size[1], selector
    expect(page.locator("#controls")).to_be_hidden()
    # The key number, large; the caveats in one line.
    expect(page.locator("#key-figure")).not_to_be_empty()
    assert font_px(page, "#key-figure")[0] >= 32
    caveats = page.locator("#caveats")
    expect(caveats).to_contain_text("95% intervals")
    expect(caveats).to_contain_text("Source: NDRS")
    assert caveats.bounding_box()["height"] < 2 * font_px(page, "#caveats")[0] * 1.5
    # Chart text 18 px and up: the ranked chart's area names and values, the map's colour bar.
    assert min(font_px(page, "#ranked .ytick text, #ranked .xtick text")) >= 18
    assert min(font_px(page, "#map .colorbar text, #map .cbaxis text")) >= 18
    if size == (1920, 1080):  # the space is used: the map grows with the screen
        assert page.locator("#map").bounding_box()["height"] >= 700
    page.screenshot(path=str(screenshots / f"14-presentation-{size[0]}.png"))


def test_esc_leaves_and_the_button_enters_presentation(watched: Page, live_server: str) -> None:
    page = open_presented(watched, live_server + PRESENTED, (1280, 720))
    page.keyboard.press("Escape")
    page.wait_for_function("() => !window.location.search.includes('present=1')", timeout=10_000)
    expect(page.locator("#controls")).to_be_visible()
    assert not page.evaluate("document.documentElement.classList.contains('present')")
    assert max(font_px(page, "#ranked .ytick text")) < 18  # back to the browsing sizes
    toggle = page.locator("#present-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    page.wait_for_function("() => window.location.search.includes('present=1')", timeout=10_000)
    expect(page.locator("#controls")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_contain_text("Leave presentation")
    # A filter change in presentation mode keeps it (the permalink carries it).
    page.goto(live_server + PRESENTED.replace("cancer=Lung", "cancer=Breast"))
    wait_ready(page)
    assert "present=1" in page.evaluate("window.location.search")


def test_presentation_mode_has_no_accessibility_violations(watched: Page, live_server: str) -> None:
    page = open_presented(watched, live_server + PRESENTED, (1280, 720))
    assert axe_violations(page) == []


def test_every_toolbar_button_keeps_to_this_machine(watched: Page, live_server: str) -> None:
    """Each chart's toolbar holds only what helps (no "Share chart", nothing from Chart Studio),
    and pressing every button sends no request beyond 127.0.0.1 (asserted by `watched`)."""
    page = open_presented(watched, live_server + PRESENTED.replace("&present=1", ""), (1280, 720))
    for graph, wanted in TRIMMED_TOOLBAR.items():
        page.locator(f"#{graph}").hover()
        buttons = page.locator(f"#{graph} .modebar-btn")
        titles = set(buttons.evaluate_all("nodes => nodes.map(n => n.getAttribute('data-title'))"))
        assert titles == wanted, (graph, titles)
        assert not page.locator(f"#{graph} .modebar a[href]").count()  # no link out (plotly's logo, Chart Studio)
        for index in range(buttons.count()):
            page.locator(f"#{graph}").hover()
            button = buttons.nth(index)
            if button.get_attribute("data-title") == "Download plot as a PNG":
                with page.expect_download() as download:
                    button.click()
                assert download.value.suggested_filename.endswith(".png")
            else:
                button.click()
        page.wait_for_load_state("networkidle")


STORY = [
    "/?indicator=early_stage&cancer=Lung&period=2022&level=icb&alliance=E56000024&chart=ranked",
    "/?indicator=early_stage&cancer=Breast&period=2022&level=icb&alliance=E56000024&chart=ranked",
    "/?indicator=fds_28day&level=icb&alliance=E56000018&chart=trend",
]


def test_a_storyboard_is_made_exported_and_stepped_with_the_keyboard(watched: Page, live_server: str, tmp_path: Path) -> None:
    page = watched
    page.set_viewport_size({"width": 1280, "height": 720})
    for index, url in enumerate(STORY):
        page.goto(live_server + url)
        wait_ready(page)
        page.get_by_role("button", name="Add the view shown to the storyboard").click()
        expect(page.locator("#storyboard-heading")).to_have_text(f"Storyboard: {index + 1} view" + ("s" if index else ""))
    expect(page.locator(".story-list li")).to_have_count(3)
    # Exported as a list of permalinks, one a line, in order.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export the storyboard as a list of permalinks").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert len(lines) == 3
    assert all(line.startswith(live_server + "/?") and "present" not in line for line in lines)
    assert "cancer=Lung" in lines[0] and "cancer=Breast" in lines[1] and "indicator=fds_28day" in lines[2]
    # The first view moved down: the order is the presenter's.
    page.get_by_role("button", name="Move view 1 down").click()
    expect(page.locator(".story-list li").first).to_contain_text("breast cancers")
    page.get_by_role("button", name="Move view 2 up").click()
    # Presenting from the first view: the position, then the arrow keys step through.
    page.goto(live_server + STORY[0] + "&present=1")
    wait_ready(page)
    expect(page.locator(".story-position")).to_have_text("1 of 3")
    page.locator("body").press("ArrowRight")
    page.wait_for_function("() => window.location.search.includes('cancer=Breast')", timeout=10_000)
    expect(page.locator(".story-position")).to_have_text("2 of 3")
    expect(page.locator("#headline")).to_contain_text("breast")
    assert "present=1" in page.evaluate("window.location.search")  # still presenting
    page.get_by_role("button", name="Next view in the storyboard").click()
    page.wait_for_function("() => window.location.search.includes('fds_28day')", timeout=10_000)
    expect(page.locator(".story-position")).to_have_text("3 of 3")
    expect(page.get_by_role("button", name="Next view in the storyboard")).to_be_disabled()
    page.locator("body").press("ArrowLeft")
    page.wait_for_function("() => window.location.search.includes('cancer=Breast')", timeout=10_000)
    expect(page.locator(".story-position")).to_have_text("2 of 3")
    assert axe_violations(page) == []


def test_a_storyboard_is_imported_from_a_file_of_permalinks(watched: Page, live_server: str, tmp_path: Path) -> None:
    page = watched
    page.goto(live_server + STORY[0])
    wait_ready(page)
    prepared = tmp_path / "storyboard.txt"
    prepared.write_text("\n".join(live_server + url for url in reversed(STORY)) + "\nnot a link\n")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import a file of permalinks, replacing the storyboard").click()
    chooser.value.set_files(str(prepared))
    expect(page.locator(".story-list li")).to_have_count(3)
    expect(page.locator("#storyboard-status")).to_contain_text("Imported 3 views; 3 word(s) that were not permalinks skipped.")
    expect(page.locator(".story-list li").first).to_contain_text("fds_28day")
