"""The page at the sizes it is used at: a shared 1280x720 screen, a laptop, a phone."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from pages import wait_chart, wait_ready  # tests/pages.py

AREA_PATHS = ".choroplethlayer g.trace:nth-child(1) path.choroplethlocation"
CONTROLS = ("Indicator", "Cancer type", "Period", "Area level", "Alliance", "Area", "Group", "Group value", "Compare with", "Significance level")


def top(page: Page, selector: str) -> float:
    return page.locator(selector).bounding_box()["y"]


def test_headline_map_and_ranked_chart_on_the_first_screen_at_1280x720(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.goto(live_server + "/?level=icb")
    wait_ready(page)
    page.screenshot(path=str(screenshots / "10-first-screen-1280x720.png"))
    for shown in ("#headline", "#map .choroplethlayer", "#ranked .scatterlayer"):
        assert top(page, shown) < 720, shown


def test_the_map_stays_put_when_the_headline_grows(watched: Page, live_server: str) -> None:
    """A click on an area lengthens the headline (the area, its comparison and opportunity): the map
    must not move, or a second click lands on a neighbour."""
    page = watched
    page.goto(live_server + "/?indicator=early_stage&cancer=Lung&period=2022&level=icb")
    wait_ready(page)
    before = page.locator("#map").bounding_box()
    first = page.locator("#headline").inner_text()
    lines_before = page.locator("#headline").evaluate("h => Math.round(h.getBoundingClientRect().height / parseFloat(getComputedStyle(h).lineHeight))")
    # Lancashire and South Cumbria: below England, so its headline adds what matching England would mean.
    index = page.locator(AREA_PATHS).evaluate_all("(paths, code) => paths.findIndex(p => p.__data__.loc === code)", "E54000048")  # plotly's datum
    page.locator(AREA_PATHS).nth(index).click(force=True)
    page.wait_for_function("() => window.location.search.includes('area=')", timeout=10_000)
    expect(page.locator("#headline")).not_to_have_text(first)
    lines_after = page.locator("#headline").evaluate("h => Math.round(h.getBoundingClientRect().height / parseFloat(getComputedStyle(h).lineHeight))")
    assert lines_after > lines_before
    assert page.locator("#map").bounding_box() == before


def test_controls_stack_above_the_content_on_a_phone(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/?level=icb&chart=table")
    wait_ready(page)
    wait_chart(page, "table")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.evaluate("() => window.innerWidth")
    controls = page.locator(".controls").bounding_box()
    content = page.locator("main").bounding_box()
    assert controls["y"] + controls["height"] <= content["y"]  # above, not beside
    for label in CONTROLS:
        assert page.get_by_label(label, exact=True).bounding_box()["width"] > 300
    map_box = page.locator("#map .choroplethlayer").bounding_box()
    assert map_box["width"] > 250 and map_box["height"] > 250  # a map a thumb can use
    # The table scrolls within its own box; the page does not.
    assert page.locator(".table-scroll").evaluate("box => box.scrollWidth > box.clientWidth")
    assert page.evaluate("() => document.documentElement.scrollHeight") < 6000
    page.screenshot(path=str(screenshots / "11-phone-390px.png"), full_page=True)


def test_no_control_cuts_its_chosen_text_off(watched: Page, live_server: str) -> None:
    """Each control shows the whole of its chosen option (wrapping it if need be): the selects are
    tall enough for their text laid out at their width, in their font."""
    page = watched
    links = (
        "/?level=icb&confidence=95",  # "95% (about 1 in 20 false alarms)", "All patients (choose a Group)"
        "/?indicator=fds_28day&cancer=Exhibited+%28non-cancer%29+breast+symptoms+-+cancer+not+initially+suspected&level=icb&area=E54000040",
    )
    for link in links:
        page.goto(live_server + link)
        wait_ready(page)
        for label in CONTROLS:
            select = page.get_by_label(label, exact=True)
            fits = select.evaluate(
                """s => { const style = getComputedStyle(s); const probe = document.createElement('div');
                    probe.textContent = s.options[s.selectedIndex].text;
                    Object.assign(probe.style, {position: 'absolute', visibility: 'hidden', font: style.font, lineHeight: style.lineHeight,
                        whiteSpace: 'normal', width: (s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24) + 'px'});
                    document.body.appendChild(probe); const needed = probe.getBoundingClientRect().height; probe.remove();
                    return [needed, s.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom), probe.textContent]; }"""
            )
            needed, has, text = fits
            assert needed <= has + 1, f"{label}: {text!r} needs {needed:.0f} px, has {has:.0f}"
