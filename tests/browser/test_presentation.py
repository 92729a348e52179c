"""Presentation mode, as a presenter uses it on a shared screen (issue 13): `present=1` in the
link, the toggle, Esc; what fits a 1280x720 screen; how large its text is. And the charts'
toolbars: every button pressed, no request leaves the machine (the `watched` fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pages import axe_violations, wait_chart, wait_ready  # tests/pages.py

PRESENTED = "/?indicator=early_stage&cancer=Lung&period=2022&level=icb&alliance=E56000024&chart=ranked&present=1"
TRIMMED_TOOLBAR = {"map": {"Zoom in", "Zoom out", "Reset"}, "ranked": {"Reset axes"}}


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
            buttons.nth(index).click()
        page.wait_for_load_state("networkidle")
    # And the page's own picture buttons, which replace plotly's unstamped one.
    for button in page.locator("[data-image]").all():
        with page.expect_download():
            button.click()


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
        page.get_by_role("button", name="Add this view to the storyboard").click()
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


COMPARED = "/?indicator=early_stage&cancer=Lung&period=2022&level=icb&alliance=E56000024&colour=comparison&chart=ranked"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk: bytes 16 to 24)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def saved(page: Page, kind: str, fmt: str) -> tuple[str, bytes]:
    with page.expect_download() as download:
        page.locator(f"[data-image='{kind} {fmt}']").click()
    return download.value.suggested_filename, Path(download.value.path()).read_bytes()


def test_pictures_for_slides_keep_their_meaning(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.goto(live_server + COMPARED)
    wait_ready(page)
    wait_chart(page, "ranked")
    name, png = saved(page, "map", "png")
    assert name == "Map - Diagnosed at stage 1 or 2 (%), Lung, 2022.png"
    assert png_size(png) == (1920, 1080)
    (screenshots / "15-map-for-slides.png").write_bytes(png)
    name, svg = saved(page, "map", "svg")
    text = svg.decode()
    (screenshots / "15-map-for-slides.svg").write_text(text)
    assert name.endswith(".svg") and 'width="1920"' in text and 'height="1080"' in text
    for words in ("Map: Diagnosed at stage 1 or 2 (%), Lung, 2022", "East Midlands", "Significantly better", "Significantly worse", "compared with England",
                  "Source: NDRS", "Permalink: " + live_server + "/?indicator=early_stage"):
        assert words.replace("&", "&amp;") in text or words in text, words
    name, png = saved(page, "chart", "png")
    assert name.startswith("East Midlands' areas ranked - Diagnosed at stage 1 or 2") and png_size(png) == (1920, 1080)
    (screenshots / "16-ranked-for-slides.png").write_bytes(png)


def test_a_modelled_picture_says_so(watched: Page, live_server: str) -> None:
    page = watched
    page.goto(live_server + "/?indicator=early_stage&cancer=Lung&period=2022&level=icb&group=imd_quintile&group_value=1+-+most+deprived&chart=ranked")
    wait_ready(page)
    wait_chart(page, "ranked")
    _, svg = saved(page, "chart", "svg")
    assert "MODELLED" in svg.decode()


CROWDED = {
    "modelled groups": "/?indicator=early_stage&cancer=Lung&period=2022&level=icb&group=imd_quintile&group_value=1+-+most+deprived&chart=groups&present=1",
    "table": "/?indicator=early_stage&group=imd_quintile&group_value=1+-+most+deprived&level=icb&chart=table&present=1",
    "106 sub-ICBs": "/?indicator=fds_28day_commissioner&level=subicb&chart=ranked&present=1",
}


@pytest.mark.parametrize("view", CROWDED)
def test_a_crowded_view_keeps_its_headline_and_caveats_whole(watched: Page, live_server: str, view: str) -> None:
    """A new user's trial found the headline printed over the header and the caveats squeezed to
    3 px whenever the chart was tall: only the map and the chart may give way."""
    page = watched
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(live_server + CROWDED[view])
    wait_ready(page)
    wait_chart(page, "table" if view == "table" else ("groups" if "groups" in view else "ranked"))
    assert page.evaluate("document.documentElement.scrollHeight") <= 720
    header, headline, caveats, grid = (page.locator(s).bounding_box() for s in ("#page-header", ".headline-row", "#caveats", ".grid"))
    assert headline["y"] >= header["y"] + header["height"] - 1  # below the header, not over it
    line = font_px(page, "#caveats")[0]
    assert caveats["height"] >= line  # at least one whole line of text
    assert caveats["y"] + caveats["height"] <= grid["y"] + 1  # above the map and the chart
    expect(page.locator("#caveats")).to_contain_text("withheld")  # the end of the line is there too
    if view == "modelled groups":
        expect(page.locator("#caveats")).to_contain_text("MODELLED estimates: no interval, never compared")
        expect(page.locator("#caveats")).not_to_contain_text("95% intervals")


def test_a_view_saved_from_a_short_link_is_found_when_presenting(watched: Page, live_server: str) -> None:
    """The server writes the full permalink when presenting; the view is still the one saved."""
    page = watched
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(live_server + "/?indicator=mortality_asr&level=icb&chart=funnel")
    wait_ready(page)
    page.get_by_role("button", name="Add this view to the storyboard").click()
    page.goto(live_server + STORY[0])
    wait_ready(page)
    page.get_by_role("button", name="Add this view to the storyboard").click()
    page.goto(live_server + "/?indicator=mortality_asr&level=icb&chart=funnel")
    wait_ready(page)
    page.locator("#present-toggle").click()
    page.wait_for_function("() => window.location.search.includes('present=1')", timeout=10_000)
    expect(page.locator(".story-position")).to_have_text("1 of 2")
    # A chart tab clicked while presenting does not keep the arrow keys: the next one steps on.
    page.locator(".chart-tabs label", has_text="Trend").click()
    page.wait_for_function("() => window.location.search.includes('chart=trend')", timeout=10_000)
    expect(page.locator(".story-position")).to_have_text("changed from 1 of 2")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.location.search.includes('cancer=Lung')", timeout=10_000)
    expect(page.locator(".story-position")).to_have_text("2 of 2")


def test_the_browser_and_the_server_read_a_repeated_present_alike(watched: Page, live_server: str) -> None:
    """The last `present` counts, trimmed, in the page's script as on the server."""
    page = watched
    page.goto(live_server + PRESENTED + "&present=0")
    wait_ready(page)
    wait_chart(page, "ranked")
    assert not page.evaluate("document.documentElement.classList.contains('present')")
    assert max(font_px(page, "#ranked .ytick text")) < 18
    page.goto(live_server + PRESENTED.replace("present=1", "present=0") + "&present=%201")
    wait_ready(page)
    wait_chart(page, "ranked")
    assert page.evaluate("document.documentElement.classList.contains('present')")
    assert min(font_px(page, "#ranked .ytick text")) >= 18


def boxes_overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280", "1920"])
@pytest.mark.parametrize("chart", ["funnel", "trend", "groups"])
def test_presented_charts_use_the_screen_and_their_legends_clear_the_axis(watched: Page, live_server: str, size: tuple[int, int], chart: str) -> None:
    link = PRESENTED.replace("chart=ranked", f"chart={chart}")
    if chart == "trend":
        link = "/?indicator=fds_28day&level=alliance&chart=trend&present=1"
    page = watched
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(live_server + link)
    wait_ready(page)
    wait_chart(page, chart)
    page.wait_for_timeout(500)  # the resize after the mode's class is set
    assert page.evaluate("document.documentElement.scrollHeight") <= size[1]
    graph = page.locator(f"#panel-{chart} .js-plotly-plot")
    height = graph.bounding_box()["height"]
    # At 1920x1080 the chart grows with the screen (it was 340-480 px whatever the screen).
    assert height >= (700 if size[0] == 1920 else 380), height
    legend, title = graph.locator(".legend").first, graph.locator(".g-xtitle").first
    if legend.count() and title.count():
        assert not boxes_overlap(legend.bounding_box(), title.bounding_box())


def test_a_double_click_on_present_is_one_press(watched: Page, live_server: str) -> None:
    page = watched
    page.goto(live_server + PRESENTED.replace("&present=1", ""))
    wait_ready(page)
    toggle = page.locator("#present-toggle")
    box = toggle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # A slow double-click, as a person makes one: the second click counted as the second (detail 2),
    # after the first press has been answered.
    page.mouse.move(x, y)
    page.mouse.down(click_count=1)
    page.mouse.up(click_count=1)
    page.wait_for_function("() => window.location.search.includes('present=1')", timeout=10_000)
    page.mouse.down(click_count=2)
    page.mouse.up(click_count=2)
    page.wait_for_timeout(1500)
    assert "present=1" in page.evaluate("window.location.search")
    assert page.evaluate("document.documentElement.classList.contains('present')")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    # Esc, then a click straight after, are two presses.
    page.keyboard.press("Escape")
    page.wait_for_function("() => !window.location.search.includes('present=1')", timeout=10_000)
    toggle.click()
    page.wait_for_function("() => window.location.search.includes('present=1')", timeout=10_000)
