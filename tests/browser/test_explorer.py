"""What a person does with the explorer, in a real browser (Debian's chromium)."""

from __future__ import annotations

import re

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from dashboard.core.settings import PRODUCT_NAME
from dashboard.core.sources import BOUNDARY_ATTRIBUTION
from downloads import read_download  # tests/downloads.py
from pages import GRID_ROWS, grid_cells, wait_ready  # tests/pages.py (wait_ready: a link's own view is shown)

AREA_PATHS = ".choroplethlayer g.trace:nth-child(1) path.choroplethlocation"  # the coloured areas: the first trace
ALL_PATHS = ".choroplethlayer path.choroplethlocation"


def headline(page: Page) -> str:
    return page.locator("#headline").inner_text()


def query(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def change(page: Page, label: str, value: str) -> None:
    before = page.url
    page.get_by_label(label, exact=True).select_option(value)
    page.wait_for_function("before => window.location.href !== before", arg=before, timeout=10_000)
    page.wait_for_load_state("networkidle")


def show_chart(page: Page, label: str) -> None:
    """Choose a chart by its tab, as a person clicks it, and wait for it to be drawn."""
    page.locator(".chart-tabs label").filter(has_text=re.compile(f"^{label}$")).click()
    chart = {"Ranked": "ranked", "Trend": "trend", "Groups": "groups", "Funnel": "funnel", "Inequality": "inequality", "Table": "table"}[label]
    page.wait_for_function("chart => window.location.search.includes('chart=' + chart)", arg=chart, timeout=10_000)
    expect(page.locator(f"#panel-{chart}")).to_be_visible()
    page.wait_for_load_state("networkidle")


def plotted(page: Page, graph: str) -> list:
    """The x and y of every trace a graph has drawn (plotly's own copy on the graph's div)."""
    page.wait_for_function("id => document.querySelector('#' + id + ' .js-plotly-plot') !== null", arg=graph, timeout=10_000)
    return page.evaluate("id => document.querySelector('#' + id + ' .js-plotly-plot').data.map(t => [t.x, t.y])", graph)


def test_first_page_shows_alliances_offline(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.goto(live_server)
    wait_ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT_NAME)
    expect(page.get_by_text(BOUNDARY_ATTRIBUTION)).to_be_visible()
    # The 21 alliances of 2022 coloured (East of England North and South apart); every one has a
    # value, so no area is drawn grey beneath them, and no alliance is chosen, so none is outlined.
    expect(page.locator(AREA_PATHS)).to_have_count(21)
    expect(page.locator(".choroplethlayer path.choroplethlocation")).to_have_count(21)
    assert "In 2022" in headline(page) and "England" in headline(page)
    box = page.locator(".choroplethlayer").bounding_box()
    widths = page.locator(AREA_PATHS).evaluate_all("paths => paths.map(p => p.getBBox().width)")
    assert max(widths) < 0.8 * box["width"]  # nothing drawn inside out
    page.screenshot(path=str(screenshots / "01-first-page.png"))


@pytest.mark.parametrize(
    ("label", "value", "expect_in_url"),
    [
        ("Indicator", "fds_28day", ("indicator", "fds_28day")),
        ("Cancer type", "Lung", ("cancer", "Lung")),
        ("Period", "2018", ("period", "2018")),
        ("Area level", "icb", ("level", "icb")),
        ("Alliance", "E56000018", ("alliance", "E56000018")),
        ("Group", "imd_quintile", ("group", "imd_quintile")),
        ("Compare with", "peers", ("compare", "peers")),
        ("Significance level", "99.8", ("confidence", "99.8")),
    ],
)
def test_each_control_updates_the_views(watched: Page, live_server: str, label: str, value: str, expect_in_url) -> None:
    page = watched
    page.goto(live_server)
    wait_ready(page)
    before = (headline(page), page.locator("#ranked").inner_html())
    change(page, label, value)
    key, expected = expect_in_url
    assert query(page)[key] == expected
    expect(page.get_by_label(label, exact=True)).to_have_value(value)
    page.wait_for_function(
        """before => [document.querySelector('#headline').innerText,
                     document.querySelector('#ranked').innerHTML].join('|') !== before""",
        arg="|".join(before),
        timeout=10_000,
    )
    assert page.locator(ALL_PATHS).count() > 0


def test_level_change_redraws_the_map_and_table(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.goto(live_server)
    wait_ready(page)
    change(page, "Area level", "icb")
    expect(page.locator(AREA_PATHS)).to_have_count(42)
    show_chart(page, "Table")
    expect(page.locator(GRID_ROWS)).to_have_count(42)
    change(page, "Alliance", "E56000018")
    expect(page.locator("#headline")).to_contain_text("Lancashire")
    page.screenshot(path=str(screenshots / "02-icb-alliance.png"))


def test_modelled_group_carries_a_badge(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.goto(live_server + "/?indicator=early_stage&cancer=Lung&period=2022&level=icb&group=imd_quintile&group_value=1+-+most+deprived")
    wait_ready(page)
    expect(page.locator("#modelled-badge")).to_be_visible()
    assert "modelled" in headline(page).lower()
    # The mark is drawn inside the charts themselves, so a copied or exported chart keeps it.
    for chart in ("#ranked", "#map"):
        expect(page.locator(f"{chart} .annotation-text", has_text="MODELLED")).to_have_count(1)
    expect(page.locator("#ranked-title")).to_contain_text("listed by name")
    show_chart(page, "Groups")
    expect(page.locator("#gap")).to_contain_text("not computed on MODELLED figures")
    expect(page.locator("#gap")).not_to_contain_text("gap of")
    expect(page.locator("#groups .annotation-text", has_text="MODELLED")).to_have_count(1)
    show_chart(page, "Inequality")
    expect(page.locator("#inequality-rank")).to_contain_text("Not ranked")
    show_chart(page, "Table")
    expect(page.locator("#table")).to_contain_text("modelled")
    modelled = page.locator(GRID_ROWS).filter(has=page.locator("[col-id='data_status']", has_text="modelled")).first
    expect(modelled).to_have_css("background-color", "rgb(255, 244, 204)")  # the modelled rows' highlight
    options = page.get_by_label("Group", exact=True).locator("option[disabled]")
    assert "learning disability" in " ".join(options.all_inner_texts()).lower()
    page.screenshot(path=str(screenshots / "03-modelled-groups.png"), full_page=True)


def test_colour_by_comparison_shows_a_legend(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.goto(live_server + "/?level=icb")
    wait_ready(page)
    page.get_by_label("Comparison with benchmark").check()
    expect(page.locator("#map-legend li").first).to_be_visible()
    assert query(page)["colour"] == "comparison"
    labels = page.locator("#map-legend li").all_inner_texts()
    assert any("better" in label.lower() for label in labels)
    page.screenshot(path=str(screenshots / "04-comparison-colours.png"))


def test_download_equals_the_table(watched: Page, live_server: str, tmp_path: Path) -> None:
    page = watched
    page.goto(live_server + "/?indicator=early_stage&cancer=Lung&period=2022&level=icb&alliance=E56000018")
    wait_ready(page)
    show_chart(page, "Table")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == "Diagnosed at stage 1 or 2 - Lung - all patients - Lancashire & South Cumbria Cancer Alliance - ICBs - 2022.csv"
    text = Path(download.path()).read_bytes().decode("utf-8")
    comments, _, table_lines = read_download(text)
    assert any(line.startswith("# Permalink: http://127.0.0.1") and "alliance=E56000018" in line for line in comments)
    assert any("Licence: Open Government Licence v3.0" in line for line in comments)
    assert any(line.startswith("# Filters: indicator=early_stage; cancer=Lung") for line in comments)
    rows = list(csv.DictReader(io.StringIO("\n".join(table_lines))))
    expect(page.locator(GRID_ROWS).first).to_be_attached()
    cells = grid_cells(page, ["area_code", "value", "lower_ci", "upper_ci", "comparison"])
    assert len(rows) == len(cells) > 0
    assert "E54000048" in {c[0] for c in cells}  # the alliance's ICB
    on_screen = {tuple(c) for c in cells}
    downloaded = {(r["area_code"], r["value"], r["lower_ci"], r["upper_ci"], r["comparison"]) for r in rows}
    assert downloaded == on_screen


def test_permalink_reproduces_the_view_and_history_works(watched: Page, live_server: str) -> None:
    page = watched
    link = "/?indicator=fds_28day&cancer=Suspected+lung+cancer&period=2023-24&level=icb&alliance=E56000018&compare=alliance&area=E54000048&colour=comparison"
    page.goto(live_server + link)
    wait_ready(page)
    for label, value in [("Indicator", "fds_28day"), ("Cancer type", "Suspected lung cancer"), ("Period", "2023-24"), ("Area level", "icb"), ("Alliance", "E56000018"), ("Compare with", "alliance")]:
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    expect(page.locator("#headline")).to_contain_text("Lancashire and South Cumbria")
    first = headline(page)
    change(page, "Period", "2022-23")
    expect(page.locator("#headline")).not_to_have_text(first)
    page.go_back()
    expect(page.get_by_label("Period", exact=True)).to_have_value("2023-24", timeout=10_000)
    expect(page.locator("#headline")).to_have_text(first)
    page.go_forward()
    expect(page.get_by_label("Period", exact=True)).to_have_value("2022-23", timeout=10_000)


def test_invalid_permalink_falls_back_with_a_notice(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.goto(live_server + "/?indicator=no_such_thing&alliance=E56999999&cancer=Lung")
    wait_ready(page)
    notices = page.locator("#notices").inner_text()
    assert "'indicator'" in notices and "'alliance'" in notices
    expect(page.get_by_label("Indicator", exact=True)).to_have_value("early_stage")
    # The address bar now says what is shown (a link copied from it opens this view), and the
    # notices stay on screen.
    page.wait_for_function("() => !window.location.search.includes('no_such_thing')", timeout=10_000)
    assert query(page)["indicator"] == "early_stage" and query(page)["cancer"] == "Lung"
    page.wait_for_timeout(500)
    assert "'indicator'" in page.locator("#notices").inner_text()
    page.screenshot(path=str(screenshots / "05-invalid-permalink.png"))
    # The next change writes its own address, never the invalid link again (an adversarial check
    # found dcc.Location pushing the stale link back after the correction).
    change(page, "Cancer type", "Breast")
    page.wait_for_function("() => window.location.search.includes('cancer=Breast')", timeout=10_000)
    page.wait_for_timeout(500)
    assert "no_such_thing" not in page.url and query(page)["cancer"] == "Breast"
    page.go_back()
    page.wait_for_function("() => window.location.search.includes('cancer=Lung')", timeout=10_000)
    assert "no_such_thing" not in page.url
    # The correction replaced the invalid address in the history: one Back leaves the page.
    page.go_back()
    page.wait_for_function("() => window.location.pathname !== '/' || window.location.search === ''", timeout=10_000)
    assert "no_such_thing" not in page.url


def test_clicking_an_area_selects_it(watched: Page, live_server: str) -> None:
    page = watched
    page.goto(live_server + "/?level=icb")
    wait_ready(page)
    page.locator(AREA_PATHS).nth(5).click(force=True)
    page.wait_for_function("() => window.location.search.includes('area=')", timeout=10_000)
    code = query(page)["area"]
    assert code.startswith("E54")
    # The same on the ranked chart: a click on another area's point selects that area instead.
    point = page.locator("#ranked .scatterlayer .point").nth(3)
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 40, y - 20)
    page.mouse.move(x, y, steps=6)  # plotly clicks the point it hovers: the pointer moves onto it first
    page.mouse.down()
    page.mouse.up()
    page.wait_for_function("code => !window.location.search.includes('area=' + code)", arg=code, timeout=10_000)
    assert query(page).get("area", "").startswith("E54")
    show_chart(page, "Trend")
    expect(page.locator("#trend-title")).not_to_contain_text("England over time")


def test_clicking_an_area_name_on_the_ranked_chart_selects_it(watched: Page, live_server: str) -> None:
    # A user trial clicked the names, not the points, and nothing happened.
    page = watched
    page.goto(live_server + "/?level=icb")
    wait_ready(page)
    label = page.locator("#ranked .ytick text").filter(has_text="Lancashire and South Cumbria")
    label.scroll_into_view_if_needed()
    box = label.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => window.location.search.includes('area=E54000048')", timeout=10_000)
    expect(page.locator("#headline")).to_contain_text("Lancashire and South Cumbria")
    expect(page.get_by_label("Area", exact=True)).to_have_value("E54000048")


def test_no_data_selection_says_why(watched: Page, live_server: str) -> None:
    page = watched
    page.goto(live_server + "/?indicator=mortality_asr&cancer=Prostate&level=subicb&group=sex&group_value=Females")
    wait_ready(page)
    # NDRS publishes no prostate cancer deaths among females: the link's group value cannot be
    # shown, so the page falls back to one that can and says which parameter it replaced and why.
    notices = page.locator("#notices").inner_text()
    assert "Link parameter 'group_value': group_value='Females' is not available here; showing 'Males' instead" in notices
    expect(page.get_by_label("Group value", exact=True)).to_have_value("Males")


def test_layout_works_at_1024_pixels(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(live_server + "/?level=icb")
    wait_ready(page)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    for label in ("Indicator", "Cancer type", "Period", "Area level", "Alliance", "Group", "Group value", "Compare with"):
        assert page.get_by_label(label, exact=True).bounding_box()["width"] > 150
    page.screenshot(path=str(screenshots / "06-at-1024px.png"))


def test_statistics_of_variation_show_where_they_apply(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.goto(live_server + "/?indicator=fds_28day&cancer=All+suspected+cancers&period=2024-09&level=icb&area=E54000048&confidence=99.8&chart=trend")
    wait_ready(page)
    expect(page.get_by_label("Significance level", exact=True)).to_have_value("99.8")
    expect(page.locator("#trend-title")).to_contain_text("statistical process control")
    expect(page.locator("#trend-note")).to_contain_text("limits")
    expect(page.locator("#trend-note")).to_contain_text("Variation icon")
    expect(page.locator("#spc-icons .spc-icon").first).to_be_visible()
    expect(page.locator("#variation-summary")).to_contain_text("Fold difference")
    expect(page.locator("#variation-summary")).to_contain_text("SCV")
    show_chart(page, "Funnel")
    expect(page.locator("#funnel-note")).to_contain_text("dispersion")
    page.get_by_label("Allow for overdispersion").check()
    page.wait_for_function("() => window.location.search.includes('overdispersion=on')")
    page.screenshot(path=str(screenshots / "07-spc-funnel.png"), full_page=True)


def test_inequality_and_opportunity(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.goto(live_server + "/?indicator=mortality_age_specific&cancer=All+cancers+%28excluding+non-melanoma+skin%29&period=2020&level=icb&area=E54000048&group=age_band&group_value=80+and+over")
    wait_ready(page)
    show_chart(page, "Groups")
    expect(page.locator("#gap")).to_contain_text("slope index of inequality")
    show_chart(page, "Inequality")
    expect(page.locator("#inequality-note")).to_contain_text("ranked by the slope index")
    assert page.locator("#inequality-rank .scatterlayer .point").count() >= 25  # ICBs with every age band shown
    page.goto(live_server + "/?indicator=early_stage&cancer=Lung&period=2022&level=icb&area=E54000048")
    wait_ready(page)
    expect(page.locator("#headline")).to_contain_text("more people a year would have been diagnosed at stage 1 or 2")
    page.screenshot(path=str(screenshots / "08-inequality-opportunity.png"), full_page=True)


def test_chart_tabs_draw_the_chosen_chart_for_the_current_selection(watched: Page, live_server: str) -> None:
    page = watched
    page.goto(live_server + "/?level=icb&area=E54000048&chart=trend")
    wait_ready(page)
    # The link's chart is the one shown, and only it.
    expect(page.locator("#panel-trend")).to_be_visible()
    expect(page.locator("#panel-ranked")).to_be_hidden()
    expect(page.get_by_label("Trend", exact=True)).to_be_checked()
    expect(page.locator("#trend-title")).to_contain_text("Lancashire and South Cumbria")
    # A change while another chart is shown: the trend is drawn for the new cancer when chosen again.
    lung = plotted(page, "trend")
    show_chart(page, "Ranked")
    change(page, "Cancer type", "Bowel")
    show_chart(page, "Trend")
    expect(page.locator("#trend .scatterlayer")).to_have_count(1)
    shown = plotted(page, "trend")
    assert shown != lung
    fresh = watched.context.new_page()  # the same view, opened afresh in another tab
    fresh.goto(live_server + "/?level=icb&area=E54000048&chart=trend&cancer=Bowel")
    wait_ready(fresh)
    assert plotted(fresh, "trend") == shown
    fresh.close()
    # By keyboard: the tabs are one radio group, and the arrow keys move along it.
    page.get_by_label("Trend", exact=True).focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.location.search.includes('chart=groups')", timeout=10_000)
    expect(page.locator("#panel-groups")).to_be_visible()
    expect(page.locator("#panel-trend")).to_be_hidden()
    # Back returns to the trend.
    page.go_back()
    expect(page.locator("#panel-trend")).to_be_visible(timeout=10_000)


def test_the_table_says_so_when_its_code_cannot_be_loaded(page: Page, live_server: str) -> None:
    # Not `watched`: the failed script is a console error, as it should be.
    page.route("**/dash_ag_grid.min.js*", lambda route: route.abort())
    page.goto(live_server + "/?level=icb")
    wait_ready(page)
    page.locator(".chart-tabs label").filter(has_text=re.compile("^Table$")).click()
    expect(page.locator("#table [role=alert]")).to_contain_text("could not be loaded", timeout=10_000)
